//! The selftest proves the plan honest: the reference passes everything, every mutant is caught,
//! every case catches at least one mutant, and every declared `caught_by` holds.

use crate::common;

use dialtone_engine::model::Verdict;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutant_is_caught_and_the_reference_passes() {
    let suites = common::suites();
    // Unseeded, as `dialtone selftest` runs by default: its keys sign with ring (309 s as a debug test
    // seeded, where every key signs with p256; 183 s so).
    let (result, reference) = dialtone_cli::selftest::selftest(&suites, None, 4).await.unwrap();
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

/// A mutant is one reference with one fault: it runs only the cases whose requests reach that
/// reference, and the others keep the reference's verdicts. With the registry and VC-API plans alone,
/// a registry mutant runs the registry's cases, a VC-API mutant the VC-API's, and a mutant of any
/// other reference runs nothing (so it survives, and says so).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mutant_runs_only_the_cases_that_reach_its_reference() {
    let suites: Vec<_> =
        common::suites().into_iter().filter(|s| s.binding == "trqp-registry" || s.binding == "vc-api").collect();
    let (result, reference) = dialtone_cli::selftest::selftest(&suites, Some(11), 4).await.unwrap();
    assert_eq!(reference.results.len(), 22, "the registry's and the VC-API's cases");
    for m in &result.mutants {
        let ran: Vec<&String> = m.verdicts.keys().collect();
        match m.mutant.split('.').next() {
            Some("registry") => assert!(ran.len() == 11 && ran.iter().all(|id| id.starts_with("TRQP-")), "{ran:?}"),
            Some("vc_api") => assert!(ran.len() == 11 && ran.iter().all(|id| id.starts_with("VCAPI-")), "{ran:?}"),
            _ => {
                assert!(ran.is_empty(), "{} ran {ran:?}", m.mutant);
                assert!(result.problems.contains(&format!("mutant {} survives: no case fails it", m.mutant)));
            }
        }
    }
    // Every problem is a mutant of another reference surviving: the two plans are honest alone.
    assert!(result.problems.iter().all(|p| p.ends_with("survives: no case fails it")), "{:#?}", result.problems);
    let matrix = dialtone_cli::selftest::matrix(&result);
    assert!(!matrix.contains('!'), "a declared catch was missed:\n{matrix}");
}
