//! A conformance statement can only claim what the plans know: a misspelt format or feature is an
//! error with its line (it used to skip the MUST cases that needed the right spelling, exit 0), and
//! every `requires` of every suite is in the vocabulary a statement is checked against.

use crate::common;

use dialtone_drivers::vocabulary::{features, formats, profiles};
use dialtone_engine::role::Role;
use std::process::Command;

#[test]
fn every_requirement_of_the_suites_is_claimable() {
    for case in common::suites().iter().flat_map(|s| s.cases.iter()) {
        for r in &case.requires {
            let ok = match r.split_once(':') {
                Some(("format", f)) => formats().iter().any(|k| k.name == f),
                Some(("feature", f)) => features().iter().any(|k| k.name == f),
                Some(("profile", p)) => profiles().iter().any(|k| k.name == p),
                Some(("role", r)) => Role::played(r).is_some(),
                _ => false,
            };
            assert!(ok, "case {} requires {r:?}, which no conformance statement can claim", case.id);
        }
        for p in &case.must_under {
            assert!(
                profiles().iter().any(|k| k.name == *p),
                "case {} is a MUST under {p:?}, an unknown profile",
                case.id
            );
        }
    }
}

#[test]
fn a_misspelt_feature_is_an_error_naming_its_line_and_the_right_spelling() {
    let dir = std::env::temp_dir().join(format!("dialtone-vocabulary-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(common::workspace().join("candidates/reference-issuer.toml"))
        .unwrap()
        .replace("\"tx_code\"", "\"tx-code\"");
    let line = text.lines().position(|l| l.contains("\"tx-code\"")).unwrap() + 1;
    let path = dir.join("m.toml");
    std::fs::write(&path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dialtone"))
        .args(["run", "--suites"])
        .arg(common::suites_dir())
        .arg("--candidate")
        .arg(&path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("m.toml:{line}: [conformance] features: unknown value \"tx-code\"")), "{err}");
    assert!(err.contains("did you mean \"tx_code\""), "{err}");
}
