//! The checks on a requirements audit (`suites/requirements/*.toml`), in one place for every test
//! that reads one: each requirement names its clause and the rules that enforce it, or says why none
//! can; every rule of an audited format is named by some requirement; a MUST or SHALL (NOT) is
//! enforced by a rule of that level.

use dialtone_engine::model::Level;
use dialtone_rules::table;
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditFile {
    #[serde(default)]
    pub requirement: Vec<Requirement>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: String,
    pub doc: String,
    pub section: String,
    pub level: String,
    pub role: String,
    pub text: String,
    pub rules: Option<Vec<String>>,
    pub unenforced: Option<String>,
}

const LEVELS: [&str; 7] = ["MUST", "MUST NOT", "SHALL", "SHALL NOT", "SHOULD", "SHOULD NOT", "MAY"];
const ROLES: [&str; 3] = ["issuer", "holder", "verifier"];

pub fn requirements_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../suites/requirements")
}

/// The audit files `names` (e.g. `shc.toml`) under `suites/requirements/`, read and parsed.
pub fn read(names: &[&str]) -> Result<Vec<(String, AuditFile)>, String> {
    names
        .iter()
        .map(|name| {
            let path = requirements_dir().join(name);
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let file: AuditFile = toml::from_str(&text).map_err(|e| format!("{name}: {e}"))?;
            Ok((name.to_string(), file))
        })
        .collect()
}

/// Every problem of the audit `files` for the rules of the `audited` formats; empty when none.
pub fn problems(files: &[(String, AuditFile)], audited: &[&'static [table::Rule]]) -> Vec<String> {
    let mut out = Vec::new();
    let mut ids = HashMap::new();
    let mut named = BTreeSet::new();
    for (file, audit) in files {
        for r in &audit.requirement {
            let at = format!("{file} {}", r.id);
            if let Some(first) = ids.insert(r.id.clone(), file.clone()) {
                out.push(format!("{at}: the id is also in {first}"));
            }
            if !r.id.starts_with(&format!("{}-", r.doc)) {
                out.push(format!("{at}: the id does not start with its doc {}", r.doc));
            }
            if dialtone_engine::spec::find(&r.doc).is_none() {
                out.push(format!("{at}: unknown spec document {}", r.doc));
            }
            if r.section.trim().is_empty() || r.text.trim().is_empty() {
                out.push(format!("{at}: no section or text"));
            }
            if !LEVELS.contains(&r.level.as_str()) {
                out.push(format!("{at}: level {:?} is not one of {LEVELS:?}", r.level));
            }
            if !ROLES.contains(&r.role.as_str()) {
                out.push(format!("{at}: role {:?} is not one of {ROLES:?}", r.role));
            }
            match (&r.rules, &r.unenforced) {
                (Some(_), Some(_)) => out.push(format!("{at}: both rules and unenforced")),
                (None, None) => out.push(format!("{at}: neither rules nor unenforced")),
                (None, Some(why)) if why.trim().is_empty() => out.push(format!("{at}: unenforced without a reason")),
                (Some(rules), None) if rules.is_empty() => out.push(format!("{at}: an empty rules list")),
                _ => {}
            }
            let mut levels = Vec::new();
            for id in r.rules.iter().flatten() {
                match table::find(id) {
                    Some(rule) => {
                        named.insert(rule.id);
                        levels.push(rule.level);
                    }
                    None => out.push(format!("{at}: rule {id} does not exist")),
                }
            }
            let must = matches!(r.level.as_str(), "MUST" | "MUST NOT" | "SHALL" | "SHALL NOT");
            if must && !levels.is_empty() && !levels.contains(&Level::Must) {
                out.push(format!("{at}: a {} enforced only by rules of a weaker level", r.level));
            }
        }
    }
    for rule in audited.iter().flat_map(|rules| rules.iter()) {
        if !named.contains(rule.id) {
            out.push(format!("rule {} ({}) is named by no requirement", rule.id, rule.title));
        }
    }
    out
}
