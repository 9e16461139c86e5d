//! The OpenID Foundation conformance suite's OID4VC 1.0 modules, mapped to dialtone's cases
//! (`suites/conformance/oidf-modules.toml`): every module its plans publish is listed once, every
//! case named exists and tests the role the module tests, a module without cases says why, and the
//! README's table is the file's.

use crate::common;

use serde::Deserialize;
use std::collections::BTreeSet;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Map {
    module: Vec<Module>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Module {
    name: String,
    plan: String,
    checks: String,
    cases: Vec<String>,
    #[serde(default)]
    missing: Option<String>,
}

fn map() -> Map {
    let text = std::fs::read_to_string(common::workspace().join("suites/conformance/oidf-modules.toml"))
        .expect("suites/conformance/oidf-modules.toml");
    toml::from_str(&text).expect("the module map parses")
}

#[test]
fn every_module_is_mapped_once_to_cases_that_exist() {
    let map = map();
    let suites = common::suites();
    let mut names = BTreeSet::new();
    for m in &map.module {
        assert!(names.insert(m.name.as_str()), "{} is listed twice", m.name);
        assert!(!m.checks.trim().is_empty(), "{}: say what the module checks", m.name);
        let suite = suites.iter().find(|s| s.id == m.plan).unwrap_or_else(|| panic!("{}: no plan {}", m.name, m.plan));
        for id in &m.cases {
            assert!(suite.cases.iter().any(|c| c.id == *id), "{}: {id} is not a case of {}", m.name, m.plan);
        }
        assert!(
            !m.cases.is_empty() || m.missing.as_deref().is_some_and(|w| !w.trim().is_empty()),
            "{}: a module without cases must say why (missing)",
            m.name
        );
    }
    // The module list the plans publish, where this checkout has it beside it.
    let anchors = common::workspace().join("../shared/anchors/oidf-oid4vc-1.0-modules.md");
    if let Ok(text) = std::fs::read_to_string(&anchors) {
        let published: BTreeSet<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("- `").and_then(|l| l.split('`').next()))
            .filter(|n| n.starts_with("oid4v"))
            .collect();
        assert_eq!(published.len(), 55, "the published list");
        assert_eq!(names, published, "the map lists exactly the published modules");
    }
    assert_eq!(names.len(), 55);
}

/// The README's table, as the map gives it.
fn table(map: &Map) -> String {
    let mut out = String::from("| OpenID Foundation module | dialtone cases |\n|---|---|\n");
    for m in &map.module {
        let cases = if m.cases.is_empty() {
            format!("— {}", m.missing.as_deref().unwrap_or_default())
        } else {
            let mut c = m.cases.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
            if let Some(partly) = &m.missing {
                c.push_str(&format!(" (not yet: {partly})"));
            }
            c
        };
        out.push_str(&format!("| `{}` | {cases} |\n", m.name));
    }
    out
}

#[test]
fn the_readme_shows_the_map() {
    let map = map();
    let readme = std::fs::read_to_string(common::workspace().join("README.md")).expect("README.md");
    let expected = table(&map);
    assert!(readme.contains(&expected), "README.md must carry the module table as the map gives it:\n\n{expected}");
    let mapped = map.module.iter().filter(|m| !m.cases.is_empty()).count();
    let claim = format!("{mapped} of the OpenID Foundation's 55 OID4VC 1.0 modules");
    assert!(readme.contains(&claim), "README.md must say \"{claim}\"");
}
