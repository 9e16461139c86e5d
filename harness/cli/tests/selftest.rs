//! The selftest proves the plan honest: the reference passes everything, every mutant is caught,
//! every case catches at least one mutant, and every declared `caught_by` holds.

mod common;

use dialtone_engine::model::Verdict;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutant_is_caught_and_the_reference_passes() {
    let suites = common::suites();
    let (result, reference) = dialtone_cli::selftest::selftest(&suites, Some(11), 4).await.unwrap();
    assert!(result.problems.is_empty(), "{:#?}", result.problems);
    assert!(result.mutants.len() >= 12);
    assert!(reference.results.iter().all(|r| r.verdict == Verdict::Pass));
    let matrix = dialtone_cli::selftest::matrix(&result);
    assert!(!matrix.contains('!'), "a declared catch was missed:\n{matrix}");
    // Every mutant fails at least one MUST or SHOULD case.
    for m in &result.mutants {
        assert!(m.verdicts.values().any(|v| matches!(v, Verdict::Fail | Verdict::Warn)), "{} survives", m.mutant);
    }
}
