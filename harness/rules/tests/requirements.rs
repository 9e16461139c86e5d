//! The requirements audit (`suites/requirements/*.toml`): every MUST, MUST NOT, SHALL and SHALL NOT
//! of the credential formats' texts, each naming the rules that enforce it or saying why no rule
//! can judge a stored artifact for it. This test keeps the audit and the rule table in step: ids
//! unique, each requirement enforced or explained (not both), every named rule real, every rule of
//! an audited format named by some requirement, and no MUST enforced only by a weaker rule.

use dialtone_engine::model::Level;
use dialtone_rules::table::{self, Format};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// The formats whose every rule the audit must account for. Each engineer adds the formats they
/// audit.
const AUDITED: &[Format] = &[Format::SdJwtVc, Format::VcJose, Format::VcCose, Format::VcSdJwt, Format::Mdoc];

const LEVELS: &[&str] = &["MUST", "MUST NOT", "SHALL", "SHALL NOT", "SHOULD", "SHOULD NOT", "MAY"];
const ROLES: &[&str] = &["issuer", "holder", "verifier"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditFile {
    requirement: Vec<Requirement>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Requirement {
    id: String,
    doc: String,
    section: String,
    level: String,
    role: String,
    text: String,
    rules: Option<Vec<String>>,
    unenforced: Option<String>,
}

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../suites/requirements")
}

/// Every requirement of every audit file, with the file it came from.
fn audit() -> Vec<(String, Requirement)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder())
        .expect("suites/requirements/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no audit files in suites/requirements/");
    let mut all = Vec::new();
    for path in files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let text = std::fs::read_to_string(&path).expect("an audit file reads");
        let file: AuditFile = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        all.extend(file.requirement.into_iter().map(|r| (name.clone(), r)));
    }
    all
}

/// MUST and SHALL (NOT) are enforced as MUSTs.
fn mandatory(level: &str) -> bool {
    matches!(level, "MUST" | "MUST NOT" | "SHALL" | "SHALL NOT")
}

#[test]
fn every_requirement_is_well_formed_and_names_real_rules() {
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    for (file, r) in audit() {
        let at = format!("{file} {}", r.id);
        if !ids.insert(r.id.clone()) {
            problems.push(format!("{at}: the id repeats"));
        }
        let prefix = format!("{}-{}-", r.doc, r.section);
        if !r.id.starts_with(&prefix) || r.id[prefix.len()..].parse::<u32>().is_err() {
            problems.push(format!("{at}: the id is not <doc>-<section>-<nn> ({prefix}nn)"));
        }
        if dialtone_engine::spec::find(&r.doc).is_none() {
            problems.push(format!("{at}: {} is no document the spec references know", r.doc));
        }
        if !LEVELS.contains(&r.level.as_str()) {
            problems.push(format!("{at}: level {:?} is none of {LEVELS:?}", r.level));
        }
        if !ROLES.contains(&r.role.as_str()) {
            problems.push(format!("{at}: role {:?} is none of {ROLES:?}", r.role));
        }
        if r.text.trim().is_empty() {
            problems.push(format!("{at}: no text"));
        }
        match (&r.rules, &r.unenforced) {
            (Some(_), Some(_)) => problems.push(format!("{at}: both rules and unenforced")),
            (None, None) => problems.push(format!("{at}: neither rules nor unenforced")),
            (Some(rules), None) if rules.is_empty() => problems.push(format!("{at}: an empty rules list")),
            (None, Some(why)) if why.trim().is_empty() => problems.push(format!("{at}: unenforced without a reason")),
            _ => {}
        }
        let named: Vec<_> = r.rules.iter().flatten().collect();
        for id in &named {
            if table::find(id).is_none() {
                problems.push(format!("{at}: names {id}, which is no rule"));
            }
        }
        let strongest = named.iter().filter_map(|id| table::find(id)).map(|rule| rule.level).min_by_key(|l| match l {
            Level::Must => 0,
            Level::Should => 1,
            Level::May => 2,
        });
        if mandatory(&r.level) && strongest.is_some_and(|l| l != Level::Must) {
            problems.push(format!("{at}: a {} requirement enforced only by rules of level {strongest:?}", r.level));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_rule_of_an_audited_format_enforces_a_requirement() {
    let named: HashSet<String> = audit().into_iter().flat_map(|(_, r)| r.rules.unwrap_or_default()).collect();
    let mut orphans = BTreeMap::new();
    for format in AUDITED {
        for rule in table::rules(*format) {
            if !named.contains(rule.id) {
                orphans.entry(rule.id).or_insert_with(Vec::new).push(format.name());
            }
        }
    }
    assert!(orphans.is_empty(), "rules no requirement names: {orphans:?}");
}
