//! A failing candidate's report reads root-first: against a mutant issuer whose credential endpoint
//! answers in a draft's shape, the one defect is one MUST failure, the cases that needed a
//! credential are listed as blocked by it, the overall verdict says so at the top of the terminal
//! summary, the HTML page and report.json, and the candidate's own error words are shown.

use crate::common;

use dialtone_cli::reference::{Mutant, start_references};
use dialtone_cli::run::run_plan;
use dialtone_engine::model::{Conformance, Report, Verdict};
use dialtone_engine::pctf::Catalogue;

async fn report_of(mutant: &str, only: &str) -> Report {
    let suites = common::suites();
    let refs = start_references(Some(Mutant::from_name(mutant).expect("a mutant")), Some(11)).await.unwrap();
    let report = run_plan(
        &suites,
        refs.manifest.clone(),
        Some(11),
        &[only.to_string()],
        &Catalogue::embedded(),
        Some(refs.counterparts.clone()),
        None,
    )
    .await
    .unwrap();
    refs.stop().await;
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_defect_is_one_root_failure_with_the_cases_it_blocks_beneath_it() {
    let report = report_of("issuer.credential_legacy_response", "VCI-").await;
    let fails: Vec<&str> =
        report.results.iter().filter(|r| r.verdict == Verdict::Fail).map(|r| r.id.as_str()).collect();
    assert_eq!(fails, vec!["VCI-ISS-CRED-001"], "one defect, one failure");
    let blocked: Vec<&str> = report
        .results
        .iter()
        .filter(|r| r.verdict == Verdict::Blocked)
        .map(|r| r.blocked_by.as_deref().unwrap_or_default())
        .collect();
    // Every case that needed the credential (the SD-JWT and status cases) is blocked by the root.
    assert!(blocked.len() >= 15, "{blocked:?}");
    assert!(blocked.iter().all(|b| *b == "VCI-ISS-CRED-001"), "{blocked:?}");
    assert_eq!(report.summary.blocked, blocked.len());
    assert_eq!(report.verdict.status, Conformance::DoesNotConform);
    assert_eq!(report.verdict.must_failures, 1);
    assert_eq!(report.verdict.covers.suites, vec!["oid4vci-issuer"], "the verdict covers the plan run");
    assert!(
        report
            .verdict
            .statement
            .starts_with(&format!("does not conform: 1 MUST failure, {} more cases blocked by them; ", blocked.len())),
        "{}",
        report.verdict.statement
    );
    assert_eq!(report.exit_code(), 1);

    // PCTF: "CRIS.07 not met" shows the criterion's text and which cases failed behind it.
    let cris07 = report.pctf.criteria.iter().find(|c| c.id == "CRIS.07").expect("CRIS.07");
    assert_eq!(cris07.status, dialtone_engine::model::CriterionStatus::NotMet);
    assert!(cris07.text.contains("MUST"), "{}", cris07.text);
    assert!(cris07.cases.iter().any(|c| c.id == "VCI-ISS-CRED-001" && c.verdict == Verdict::Fail));

    // The terminal: the verdict first, then the root with the blocked cases beneath it.
    let terminal = dialtone_reports::terminal::render(&report, false);
    let lines: Vec<&str> = terminal.lines().collect();
    assert!(lines[0].contains("Does not conform: 1 MUST failure"), "{terminal}");
    let root = lines.iter().position(|l| l.contains("│ VCI-ISS-CRED-001 ")).expect("root row");
    assert!(lines[root + 1].contains("└ VCI-ISS-"), "{terminal}");

    // The page: the verdict before anything else, the root before what it blocks.
    let html = dialtone_reports::html::render(&report).unwrap();
    let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{needle} in the page"));
    assert!(at(r#"<div class="verdict does_not_conform""#) < at("<h2>Needs attention</h2>"));
    assert!(at("<h2>Needs attention</h2>") < at(r##"<a href="#VCI-ISS-CRED-001">"##));
    assert!(at(r##"<a href="#VCI-ISS-CRED-001">"##) < at(r#"<tr class="nested">"#));
    assert!(at("<h2>Needs attention</h2>") < at("<h2>Issuer"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_candidates_own_error_words_are_shown_beside_the_failure() {
    let report = report_of("issuer.token_generic_errors", "VCI-ISS-TOKEN-").await;
    let failed: Vec<_> = report.results.iter().filter(|r| r.verdict == Verdict::Fail).collect();
    assert!(!failed.is_empty());
    for r in &failed {
        let said = r.candidate_said.as_ref().unwrap_or_else(|| panic!("{}: the candidate's words", r.id));
        assert_eq!((said.status, said.error.as_deref()), (500, Some("server_error")), "{}", r.id);
    }
    let terminal = dialtone_reports::terminal::render(&report, false);
    assert!(terminal.contains("the candidate said: HTTP 500 server_error"), "{terminal}");
    let html = dialtone_reports::html::render(&report).unwrap();
    assert!(html.contains("<b>The candidate said:</b> HTTP 500 <code>server_error</code>"));
    let junit = dialtone_reports::junit::render(&report).unwrap();
    assert!(junit.contains("the candidate said: HTTP 500 server_error"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn junit_fails_a_ci_build_exactly_when_dialtone_does() {
    // Only a SHOULD is missed (no exp): dialtone exits 0, so JUnit has no <failure>.
    let report = report_of("issuer.sdjwt_no_exp", "VCI-").await;
    assert_eq!(report.exit_code(), 0);
    assert!(report.results.iter().any(|r| r.verdict == Verdict::Warn));
    let junit = dialtone_reports::junit::render(&report).unwrap();
    assert_eq!(junit.matches("<testcase ").count(), report.results.len(), "one testcase per case");
    assert!(!junit.contains("<failure"), "{junit}");
    assert!(junit.contains("warn (SHOULD not met)"), "the warning is kept as the case's output");

    // One root failure: one <failure>; the cases it blocks are skipped, naming it.
    let report = report_of("issuer.credential_legacy_response", "VCI-").await;
    let junit = dialtone_reports::junit::render(&report).unwrap();
    assert_eq!(junit.matches("<failure").count(), 1, "{junit}");
    assert_eq!(junit.matches("blocked by VCI-ISS-CRED-001").count(), report.summary.blocked);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_that_needs_a_fresh_offer_skips_with_a_static_one_saying_why() {
    let suites = common::suites();
    let refs = start_references(None, Some(5)).await.unwrap();
    let mut manifest = refs.manifest.clone();
    let offer = serde_json::json!({
        "credential_issuer": manifest.base_url(),
        "credential_configuration_ids": ["VerifiedPerson_dc_sd_jwt"],
        "grants": { "urn:ietf:params:oauth:grant-type:pre-authorized_code": { "pre-authorized_code": "one-shared-code" } }
    });
    manifest.trigger = dialtone_drivers::manifest::Trigger::StaticOffer { offer: offer.to_string() };
    let only = ["VCI-ISS-TOKEN-003".to_string()];
    let report = run_plan(&suites, manifest, Some(5), &only, &Catalogue::embedded(), None, None).await.unwrap();
    refs.stop().await;
    let r = &report.results[0];
    assert_eq!(r.verdict, Verdict::Skip, "{}", r.observed);
    assert!(r.observed.contains("needs a fresh offer"), "{}", r.observed);
}

#[test]
fn an_expectations_file_naming_no_case_is_a_configuration_error_with_its_line() {
    let dir = std::env::temp_dir().join(format!("dialtone-expectations-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("known.toml");
    std::fs::write(&file, "[[expected]]\ncase = \"VCI-ISS-TOKEN-003\"\nreason = \"gap\"\n\n[[expected]]\ncase = \"VCI-ISS-TOKN-004\"\nreason = \"typo\"\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dialtone"))
        .args(["run", "--suites"])
        .arg(common::suites_dir())
        .arg("--expectations")
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("known.toml:6: no suite has a case \"VCI-ISS-TOKN-004\""), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}
