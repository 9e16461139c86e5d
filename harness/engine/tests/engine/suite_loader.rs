//! Suite files with mistakes: each problem is reported with its file and line.

use dialtone_engine::pctf::Catalogue;
use dialtone_engine::suite::{DriverSpec, SuiteErrors, Vocabulary, load_dir, load_sources};
use std::path::PathBuf;

/// A driver whose only parameter is an optional boolean `strict`.
fn demo_params(params: &toml::Table) -> Result<(), String> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Demo {
        strict: Option<bool>,
    }
    toml::Value::Table(params.clone()).try_into::<Demo>().map(|_| ()).map_err(|e| e.to_string())
}

const DRIVERS: &[DriverSpec] = &[
    DriverSpec { name: "demo.driver", binding: "demo", validate: demo_params },
    DriverSpec { name: "other.driver", binding: "other", validate: demo_params },
];
const BINDINGS: &[&str] = &["demo", "other"];
const MUTANTS: &[&str] = &["issuer.demo"];

fn vocabulary(catalogue: &Catalogue) -> Vocabulary<'_> {
    Vocabulary { bindings: BINDINGS, drivers: DRIVERS, mutants: MUTANTS, catalogue }
}

fn load(text: &str) -> Result<usize, SuiteErrors> {
    let catalogue = Catalogue::embedded();
    load_sources(&[(PathBuf::from("suites/demo.toml"), text.to_string())], &vocabulary(&catalogue))
        .map(|s| s[0].cases.len())
}

const HEAD: &str = "[suite]\nid = \"demo\"\ntitle = \"Demo\"\nrole = \"issuer\"\nbinding = \"demo\"\n";

fn case(id: &str, driver: &str, pctf: &str, spec: bool) -> String {
    let spec = if spec { "spec = [{ doc = \"OID4VCI-1.0\", section = \"8.2\" }]\n" } else { "" };
    format!(
        "\n[[case]]\nid = \"{id}\"\ntitle = \"t\"\nlevel = \"MUST\"\ndriver = \"{driver}\"\n{spec}pctf = [\"{pctf}\"]\ncaught_by = [\"issuer.demo\"]\n"
    )
}

fn only_problem(text: &str) -> String {
    let errors = load(text).expect_err("the suite should be rejected");
    assert_eq!(errors.0.len(), 1, "{errors}");
    errors.0[0].to_string()
}

#[test]
fn a_good_suite_loads() {
    assert_eq!(load(&format!("{HEAD}{}", case("A-1", "demo.driver", "CRIS.03", true))).unwrap(), 1);
}

#[test]
fn unknown_driver_names_file_and_line() {
    let text = format!("{HEAD}{}", case("A-1", "demo.nope", "CRIS.03", true));
    assert_eq!(only_problem(&text), "suites/demo.toml:11: case A-1: unknown driver \"demo.nope\"");
}

#[test]
fn a_driver_of_another_binding_is_rejected() {
    let text = format!("{HEAD}{}", case("A-1", "other.driver", "CRIS.03", true));
    assert_eq!(
        only_problem(&text),
        "suites/demo.toml:11: case A-1: driver \"other.driver\" drives the other binding, not this suite's demo"
    );
}

#[test]
fn parameters_are_checked_against_the_driver() {
    let good = format!("{HEAD}{}params = {{ strict = true }}\n", case("A-1", "demo.driver", "CRIS.03", true));
    assert_eq!(load(&good).unwrap(), 1);
    let misspelt = good.replace("strict = true", "strikt = true");
    let p = only_problem(&misspelt);
    assert!(
        p.starts_with("suites/demo.toml:15: case A-1: params for driver \"demo.driver\": unknown field `strikt`"),
        "{p}"
    );
    let mistyped = good.replace("strict = true", "strict = \"yes\"");
    assert!(only_problem(&mistyped).contains("invalid type"));
}

#[test]
fn duplicate_id_names_both_places() {
    let text =
        format!("{HEAD}{}{}", case("A-1", "demo.driver", "CRIS.03", true), case("A-1", "demo.driver", "CRIS.03", true));
    let p = only_problem(&text);
    assert!(p.starts_with("suites/demo.toml:17: duplicate case id \"A-1\""), "{p}");
    assert!(p.contains("first defined at suites/demo.toml:8"), "{p}");
}

#[test]
fn unknown_pctf_criterion_is_rejected() {
    let text = format!("{HEAD}{}", case("A-1", "demo.driver", "CRIS.99", true));
    assert_eq!(
        only_problem(&text),
        "suites/demo.toml:13: case A-1: unknown PCTF criterion \"CRIS.99\" (not in the PSP PCTF v1.5 catalogue)"
    );
}

#[test]
fn missing_spec_reference_is_rejected() {
    let text = format!("{HEAD}{}", case("A-1", "demo.driver", "CRIS.03", false));
    let p = only_problem(&text);
    assert!(p.starts_with("suites/demo.toml:7: case A-1: missing spec reference"), "{p}");
}

#[test]
fn unknown_field_and_syntax_errors_name_the_line() {
    let text = format!("{HEAD}{}typo_field = 1\n", case("A-1", "demo.driver", "CRIS.03", true));
    let p = only_problem(&text);
    assert!(p.starts_with("suites/demo.toml:") && p.contains("typo_field"), "{p}");
    let p = only_problem(&format!("{HEAD}\n[[case]]\nid = \n"));
    assert!(p.starts_with("suites/demo.toml:8:"), "{p}");
}

#[test]
fn unknown_mutant_is_rejected() {
    let text = format!("{HEAD}{}", case("A-1", "demo.driver", "CRIS.03", true)).replace("issuer.demo", "issuer.ghost");
    assert!(only_problem(&text).contains("unknown mutant \"issuer.ghost\""));
}

#[test]
fn the_projects_suites_folder_loads_against_a_stub_vocabulary_only_with_errors() {
    // The real suites name real drivers: against a stub vocabulary every case is reported.
    let catalogue = Catalogue::embedded();
    let vocab = vocabulary(&catalogue);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../suites");
    let errors = load_dir(&dir, &vocab).expect_err("unknown checks");
    assert!(errors.0.iter().all(|p| p.line > 0 && p.file.extension().is_some_and(|e| e == "toml")));
    for suite in ["oid4vci-issuer.toml", "trqp-registry.toml"] {
        assert!(errors.0.iter().any(|p| p.file.ends_with(suite)), "{suite}");
    }
}

#[test]
fn a_dependency_on_an_unknown_case_is_rejected() {
    let text =
        format!("{HEAD}{}{}", case("A-1", "demo.driver", "CRIS.03", true), case("A-2", "demo.driver", "CRIS.03", true))
            .replace(
                "caught_by = [\"issuer.demo\"]\n\n[[case]]\nid = \"A-2\"",
                "caught_by = [\"issuer.demo\"]\ndepends_on = [\"A-9\"]\n\n[[case]]\nid = \"A-2\"",
            );
    assert_eq!(only_problem(&text), "suites/demo.toml:15: case A-1: depends on unknown case \"A-9\"");
    let ok = text.replace("\"A-9\"", "\"A-2\"");
    assert_eq!(load(&ok).unwrap(), 2);
}

#[test]
fn a_pass_whose_dependency_failed_is_inconclusive() {
    use dialtone_engine::model::{CaseResult, Level, Verdict};
    let catalogue = Catalogue::embedded();
    let vocab = vocabulary(&catalogue);
    let text =
        format!("{HEAD}{}{}", case("A-1", "demo.driver", "CRIS.03", true), case("A-2", "demo.driver", "CRIS.03", true))
            .replace(
                "caught_by = [\"issuer.demo\"]\n\n[[case]]\nid = \"A-2\"",
                "caught_by = [\"issuer.demo\"]\n\n[[case]]\nid = \"A-2\"",
            )
            + "depends_on = [\"A-1\"]\n";
    let suites = load_sources(&[(PathBuf::from("suites/demo.toml"), text)], &vocab).expect("loads");
    let cases: Vec<_> = suites[0].cases.iter().cloned().map(std::sync::Arc::new).collect();
    let result = |id: &str, verdict| CaseResult {
        id: id.into(),
        plan: "demo".into(),
        title: String::new(),
        role: dialtone_engine::role::Role::Issuer,
        level: Level::Must,
        verdict,
        driver: "demo.driver".into(),
        spec: vec![],
        pctf: vec![],
        expected: String::new(),
        observed: "refused".into(),
        precondition: None,
        blocked_by: None,
        candidate_said: None,
        known_failure: None,
        level_by: None,
        evidence: vec![],
        duration_ms: 0.0,
        candidate_ms: 0.0,
    };
    let mut results = vec![result("A-1", Verdict::Fail), result("A-2", Verdict::Pass)];
    dialtone_engine::report::settle_dependencies(&mut results, &cases);
    assert_eq!(results[1].verdict, Verdict::Inconclusive);
    assert!(results[1].observed.starts_with("A-1 (fail) did not pass"), "{}", results[1].observed);
    let mut results = vec![result("A-1", Verdict::Pass), result("A-2", Verdict::Pass)];
    dialtone_engine::report::settle_dependencies(&mut results, &cases);
    assert_eq!(results[1].verdict, Verdict::Pass);
}

/// Several dependencies are alternatives: a refusal after the flow a candidate does is conclusive
/// when that happy case passed, although the other (a feature it does not claim) was skipped.
#[test]
fn one_passing_dependency_of_several_is_enough() {
    use dialtone_engine::model::{CaseResult, Level, Outcome, Verdict};
    let catalogue = Catalogue::embedded();
    let vocab = vocabulary(&catalogue);
    let text = format!(
        "{HEAD}{}{}{}",
        case("A-1", "demo.driver", "CRIS.03", true),
        case("A-2", "demo.driver", "CRIS.03", true),
        case("A-3", "demo.driver", "CRIS.03", true)
    ) + "depends_on = [\"A-1\", \"A-2\"]\n";
    let suites = load_sources(&[(PathBuf::from("suites/demo.toml"), text)], &vocab).expect("loads");
    let cases: Vec<_> = suites[0].cases.iter().cloned().map(std::sync::Arc::new).collect();
    let result = |id: &str, verdict| CaseResult {
        verdict,
        level: Level::Must,
        observed: "refused".into(),
        ..CaseResult::of(
            cases.iter().find(|c| c.id == id).expect("a case"),
            Outcome::pass("refused").judged(Level::Must),
        )
    };
    let mut results = vec![result("A-1", Verdict::Skip), result("A-2", Verdict::Pass), result("A-3", Verdict::Pass)];
    dialtone_engine::report::settle_dependencies(&mut results, &cases);
    assert_eq!(results[2].verdict, Verdict::Pass);
    let mut results = vec![result("A-1", Verdict::Skip), result("A-2", Verdict::Fail), result("A-3", Verdict::Pass)];
    dialtone_engine::report::settle_dependencies(&mut results, &cases);
    assert_eq!(results[2].verdict, Verdict::Inconclusive);
    assert!(results[2].observed.starts_with("A-1 (skip), A-2 (fail) did not pass"), "{}", results[2].observed);
}
