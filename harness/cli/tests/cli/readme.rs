//! The README says what the tool does in numbers and commands; they must stay true: the case count
//! of every plan, the total, the cases that are data rows, the mutants, the artifact rules, the
//! vectors, the report schema's version — and every `dialtone …` command it prints is one the tool
//! has.

use crate::common;

use std::process::Command;

fn readme() -> String {
    std::fs::read_to_string(common::workspace().join("README.md")).expect("README.md")
}

/// The number right before `after` in `text` (`"132 cases"` → 132 for after = " cases").
fn number_before(text: &str, after: &str) -> Option<usize> {
    let at = text.find(after)?;
    let digits: String =
        text[..at].chars().rev().take_while(|c| c.is_ascii_digit() || *c == ',').filter(|c| *c != ',').collect();
    digits.chars().rev().collect::<String>().parse().ok()
}

#[test]
fn the_readmes_figures_are_the_tools() {
    let text = readme();
    let suites = common::suites();
    let total: usize = suites.iter().map(|s| s.cases.len()).sum();

    // The plan table: `| … | `suites/NAME.toml` | N |`.
    let mut seen = 0;
    for line in text.lines().filter(|l| l.starts_with('|') && l.contains("`suites/")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Some(file) = cells.iter().find_map(|c| c.strip_prefix("`suites/").and_then(|c| c.strip_suffix(".toml`")))
        else {
            continue;
        };
        let count: usize = cells.iter().rev().find_map(|c| c.parse().ok()).expect("a case count");
        let suite = suites.iter().find(|s| s.file.file_stem().is_some_and(|f| f == file)).expect("the suite");
        assert_eq!(count, suite.cases.len(), "README's plan table for suites/{file}.toml");
        seen += 1;
    }
    assert_eq!(seen, suites.len(), "every plan is in the README's table");
    assert_eq!(number_before(&text, " cases against them"), Some(total), "the first command's case count");

    let with_params = suites.iter().flat_map(|s| &s.cases).filter(|c| !c.params.is_empty()).count();
    let rows = text.find(" cases are rows over").map(|at| &text[..at]).expect("the data-rows sentence");
    let of_the = rows.rfind(" of the").expect("N of the M");
    let n: String = rows[..of_the].chars().rev().take_while(char::is_ascii_digit).collect();
    assert_eq!(n.chars().rev().collect::<String>().parse::<usize>().ok(), Some(with_params), "cases with params");
    assert_eq!(rows.rsplit(' ').next().and_then(|n| n.parse().ok()), Some(total));

    let mutants = dialtone_roles::mutant::catalog();
    let of = |role: &str| mutants.iter().filter(|m| m.role == role).count();
    let expected = format!(
        "({} today: {} issuer, {} registry, {} verifier, {} wallet, {} VC-API",
        mutants.len(),
        of("issuer"),
        of("registry"),
        of("verifier"),
        of("wallet"),
        of("vc_api")
    );
    assert!(text.contains(&expected), "README's mutant counts: {expected}");

    // A rule several formats share (the JOSE, JWT and SD-JWT ones) counts once.
    let rules = {
        use dialtone_rules::table::{MDOC, SD_JWT_VC, SHC, VC};
        let ids: std::collections::HashSet<&str> =
            SD_JWT_VC.iter().chain(VC).chain(SHC).chain(MDOC).map(|r| r.id).collect();
        ids.len()
    };
    assert_eq!(number_before(&text, " rules |"), Some(rules), "artifact rules");

    let vectors = |file: &str| -> usize {
        let v: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(common::workspace().join("vectors").join(file)).expect("a vector file"),
        )
        .expect("JSON");
        v["testGroups"]
            .as_array()
            .map(|g| g.iter().map(|g| g["tests"].as_array().map_or(0, Vec::len)).sum())
            .unwrap_or(0)
    };
    let (sd, vc, shc, mdoc) =
        (vectors("sd-jwt-vc.json"), vectors("vc-jose.json"), vectors("shc.json"), vectors("mdoc.json"));
    let line = format!("{} today: SD-JWT VC {sd}, W3C VC {vc} (", sd + vc + shc + mdoc);
    assert!(text.contains(&line), "README's vector counts: {line}");
    assert!(text.contains(&format!("SMART Health Cards {shc}, mdoc {mdoc}.")), "README's vector counts");

    let schema = format!("version {})", dialtone_engine::model::REPORT_SCHEMA_VERSION);
    assert!(text.contains(&schema), "README names the report schema's version: {schema}");
}

#[test]
fn every_command_the_readme_prints_is_one_dialtone_has() {
    let text = readme();
    let mut commands: Vec<Vec<String>> = Vec::new();
    let mut in_shell = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_shell = line == "```sh";
            continue;
        }
        let line = line.trim();
        let words: Vec<&str> = if let Some(rest) = line.strip_prefix("dialtone ") {
            rest.split_whitespace().collect()
        } else if let Some(rest) = line.strip_prefix("cargo run --release -- ") {
            rest.split_whitespace().collect()
        } else {
            continue;
        };
        if !in_shell {
            continue;
        }
        // The subcommand and, for commands with their own, the next word when it is one.
        let mut command: Vec<String> = words.iter().take(1).map(|w| w.to_string()).collect();
        if let Some(second) = words.get(1).filter(|w| {
            w.starts_with(|c: char| c.is_ascii_lowercase()) && w.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        }) {
            command.push(second.to_string());
        }
        commands.push(command);
    }
    assert!(commands.len() >= 5, "the README's shell blocks print dialtone commands: {commands:?}");
    for command in commands {
        let help = |words: &[String]| {
            Command::new(env!("CARGO_BIN_EXE_dialtone")).args(words).arg("--help").output().expect("runs")
        };
        let ok = help(&command).status.success() || help(&command[..1]).status.success();
        assert!(ok, "README prints `dialtone {}`, which dialtone does not have", command.join(" "));
    }
}
