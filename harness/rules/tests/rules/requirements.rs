//! The requirements audit (`suites/requirements/*.toml`): every MUST, MUST NOT, SHALL and SHALL NOT
//! of the credential formats' texts, each naming the rules that enforce it or saying why no rule
//! can judge a stored artifact for it. This test keeps the audit and the rule table in step: ids
//! unique, each requirement enforced or explained (not both), every named rule real, every rule of
//! every format named by some requirement, and no MUST enforced only by a weaker rule (the checks:
//! `requirements_audit`).

use crate::requirements_audit;

use dialtone_rules::table::{self, Format};

#[test]
fn every_requirement_names_real_rules_and_every_rule_of_every_format_a_requirement() {
    let mut names: Vec<String> = std::fs::read_dir(requirements_audit::requirements_dir())
        .expect("suites/requirements reads")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    assert!(names.len() >= 8, "{names:?}");
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let files = requirements_audit::read(&names).expect("the audit reads");
    let audited: Vec<&'static [table::Rule]> = Format::ALL.into_iter().map(table::rules).collect();
    let problems = requirements_audit::problems(&files, &audited);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let shc = files.iter().filter(|(n, _)| n == "shc.toml").map(|(_, f)| f.requirement.len()).sum::<usize>();
    assert!(shc >= 60, "{shc} SMART Health Card requirements");
}

#[test]
fn the_audit_checks_fail_what_they_should() {
    let bad = r#"
        [[requirement]]
        id = "SHC-X-01"
        doc = "SHC"
        section = "Encoding QRs"
        level = "SHALL"
        role = "issuer"
        text = "a SHALL enforced by a SHOULD rule only"
        rules = ["SHC-023"]

        [[requirement]]
        id = "SHC-X-01"
        doc = "SHC"
        section = "Encoding QRs"
        level = "SHOULD"
        role = "issuer"
        text = "a repeated id, both rules and a reason, and a rule that does not exist"
        rules = ["SHC-999"]
        unenforced = "because"
    "#;
    let file: requirements_audit::AuditFile = toml::from_str(bad).expect("parses");
    let problems = requirements_audit::problems(&[("bad.toml".into(), file)], &[table::SHC]);
    let said = problems.join("\n");
    for expected in [
        "enforced only by rules of a weaker level",
        "the id is also in bad.toml",
        "both rules and unenforced",
        "rule SHC-999 does not exist",
        "rule SHC-001 (",
    ] {
        assert!(said.contains(expected), "{expected:?} not in:\n{said}");
    }
}
