//! A case that failed because a step it needed did not work names the step; the case that judges
//! that step lists it in `root_of`, so the failure is counted once, there. A step name spelled
//! differently in a driver and in a suite would silently count the defect many times: every step a
//! driver names is some case's `root_of`, or is listed here with why no case judges it alone.

use std::path::{Path, PathBuf};

/// Steps no single case judges: a failure there stays the failing case's own.
const UNROOTED: &[(&str, &str)] = &[
    ("two credential requests", "only the case that asks for a second credential needs it"),
    ("offer without tx_code", "an offer without tx_code is asked by the token cases that need one"),
    (
        "offer with a tx_code (asked through the control API)",
        "asked only by the tx_code token cases, for the candidates claiming tx_code",
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The string literals of the first argument of every `precondition(` call.
fn named_steps(text: &str) -> Vec<String> {
    let mut steps = Vec::new();
    for (at, _) in text.match_indices("precondition(") {
        if text[..at].ends_with("fn ") || text[..at].ends_with("::") && !text[..at].ends_with("Outcome::") {
            continue;
        }
        let mut depth = 0i32;
        let mut literal: Option<String> = None;
        for c in text[at + "precondition(".len()..].chars() {
            match (&mut literal, c) {
                (Some(s), '"') => {
                    steps.push(std::mem::take(s));
                    literal = None;
                }
                (Some(s), c) => s.push(c),
                (None, '"') => literal = Some(String::new()),
                (None, '(' | '{' | '[') => depth += 1,
                (None, ')' | '}' | ']') if depth == 0 => break,
                (None, ')' | '}' | ']') => depth -= 1,
                (None, ',') if depth == 0 => break,
                _ => {}
            }
        }
    }
    steps
}

#[test]
fn every_step_a_driver_needs_is_judged_by_a_case_that_roots_it() {
    let harness = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    rust_files(&harness.join("drivers/src"), &mut files);
    let mut steps: Vec<String> =
        files.iter().flat_map(|f| named_steps(&std::fs::read_to_string(f).unwrap_or_default())).collect();
    // The shared issuance client's steps (`FlowStep::name`), which the issuer drivers name.
    let client = std::fs::read_to_string(harness.join("protocols/src/oid4vci/client.rs")).expect("client.rs");
    let names = client.split("pub fn name(self)").nth(1).expect("FlowStep::name");
    let names = &names[..names.find("\n    }\n").unwrap_or(names.len())];
    steps.extend(
        names.lines().filter_map(|l| l.split("=> \"").nth(1).and_then(|s| s.split('"').next())).map(String::from),
    );
    steps.retain(|s| !s.is_empty());
    steps.sort();
    steps.dedup();
    assert!(steps.len() >= 15, "the drivers' steps were found: {steps:?}");

    let mut rooted: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(harness.join("../suites")).expect("suites").flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let suite: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for case in suite.get("case").and_then(|c| c.as_array()).into_iter().flatten() {
            for step in case.get("root_of").and_then(|r| r.as_array()).into_iter().flatten() {
                rooted.extend(step.as_str().map(String::from));
            }
        }
    }
    let missing: Vec<&String> =
        steps.iter().filter(|s| !rooted.contains(s) && !UNROOTED.iter().any(|(u, _)| u == s)).collect();
    assert!(missing.is_empty(), "steps a driver needs that no case roots (add root_of, or list why not): {missing:?}");
    let unused: Vec<&String> = rooted.iter().filter(|r| !steps.contains(r)).collect();
    assert!(unused.is_empty(), "root_of steps no driver names (a misspelling?): {unused:?}");
}
