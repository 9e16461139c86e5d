//! The SMART Health Cards requirements audit (`suites/requirements/shc.toml`): every requirement
//! names its clause and the rules that enforce it or why none can, every SHC rule is named by one,
//! and a SHALL is enforced at MUST.

mod requirements_audit;

use dialtone_rules::table;

#[test]
fn the_shc_audit_names_every_shc_rule_and_each_requirement_its_rules_or_why_none() {
    let files = requirements_audit::read(&["shc.toml"]).expect("the audit reads");
    let problems = requirements_audit::problems(&files, &[table::SHC]);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let count = files.iter().map(|(_, f)| f.requirement.len()).sum::<usize>();
    assert!(count >= 60, "{count} requirements");
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
