//! The selftest proves the plan honest: the reference passes everything, every mutant is caught,
//! every case catches at least one mutant, and every declared `caught_by` holds.

use crate::common;

use dialtone_cli::selftest::Scope;
use dialtone_engine::model::Verdict;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutant_is_caught_and_the_reference_passes() {
    let suites = common::suites();
    // Unseeded, as `dialtone selftest` runs by default: its keys sign with ring (309 s as a debug test
    // seeded, where every key signs with p256; 183 s so).
    let (result, reference) =
        dialtone_cli::selftest::selftest(&suites, None, dialtone_cli::selftest::PARALLEL, Scope::Declared)
            .await
            .unwrap();
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

/// A mutant is run only on the cases that read, in the reference's run, a field of the behaviour it
/// changes; the others keep the reference's verdicts. `--full` runs it on every case that reaches
/// its reference, and finds none that the selection left out and the mutant changes. With the
/// registry and VC-API plans alone: a registry mutant runs some of the registry's cases, a VC-API
/// mutant some of the VC-API's, and a mutant of any other reference runs nothing (so it survives,
/// and says so). By default (`Scope::Declared`) it runs only the cases that name it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mutant_runs_only_the_cases_that_read_what_it_changes() {
    let suites: Vec<_> =
        common::suites().into_iter().filter(|s| s.binding == "trqp-registry" || s.binding == "vc-api").collect();
    let (selected, reference) = dialtone_cli::selftest::selftest(&suites, Some(11), 4, Scope::Selected).await.unwrap();
    let (full, _) = dialtone_cli::selftest::selftest(&suites, Some(11), 4, Scope::Full).await.unwrap();
    let (declared, _) = dialtone_cli::selftest::selftest(&suites, Some(11), 4, Scope::Declared).await.unwrap();
    assert_eq!(reference.results.len(), 22, "the registry's and the VC-API's cases");
    let mut fewer = 0;
    for (m, all) in selected.mutants.iter().zip(&full.mutants) {
        assert_eq!(m.mutant, all.mutant);
        let ran: Vec<&String> = m.verdicts.keys().collect();
        match m.mutant.split('.').next() {
            Some("registry") => assert!(ran.iter().all(|id| id.starts_with("TRQP-")) && all.verdicts.len() == 11),
            Some("vc_api") => assert!(ran.iter().all(|id| id.starts_with("VCAPI-")) && all.verdicts.len() == 11),
            _ => {
                assert!(ran.is_empty() && all.verdicts.is_empty(), "{} ran {ran:?}", m.mutant);
                assert!(selected.problems.contains(&format!("mutant {} survives: no case fails it", m.mutant)));
            }
        }
        // What the selection ran, it judged as the full run did; what it left out, the mutant
        // leaves as the reference does.
        for (id, verdict) in &all.verdicts {
            match m.verdicts.get(id) {
                Some(seen) => assert_eq!(seen, verdict, "{} on {id}", m.mutant),
                None => assert_eq!(selected.reference.get(id), Some(verdict), "{} on {id}", m.mutant),
            }
        }
        fewer += usize::from(m.verdicts.len() < all.verdicts.len());
    }
    assert!(fewer >= 5, "only {fewer} mutants ran fewer cases than reach their reference");
    // By default a mutant runs on the cases that name it, chosen without the references' run: the
    // verdicts the selection gives there (or, where it would not run them, the reference's), the
    // same problems, on fewer cases.
    let named = |mutant: &str| -> Vec<String> {
        suites
            .iter()
            .flat_map(|s| &s.cases)
            .filter(|c| c.caught_by.iter().any(|m| m == mutant))
            .map(|c| c.id.clone())
            .collect()
    };
    let mut cut = 0;
    for (d, m) in declared.mutants.iter().zip(&selected.mutants) {
        for (id, verdict) in &d.verdicts {
            let expected = m.verdicts.get(id).or(selected.reference.get(id));
            assert_eq!(expected, Some(verdict), "{} on {id}", d.mutant);
        }
        for id in named(&d.mutant) {
            assert!(d.verdicts.contains_key(&id), "{} did not run {id}, which names it", d.mutant);
        }
        cut += usize::from(d.verdicts.len() < m.verdicts.len());
    }
    assert!(cut >= 5, "only {cut} mutants ran fewer cases than their selection");
    assert_eq!(declared.problems, selected.problems);
    // Every problem is a mutant of another reference surviving: the two plans are honest alone,
    // and the full run finds no case the selection would miss.
    for result in [&selected, &full] {
        assert!(result.problems.iter().all(|p| p.ends_with("survives: no case fails it")), "{:#?}", result.problems);
        let matrix = dialtone_cli::selftest::matrix(result);
        assert!(!matrix.contains('!'), "a declared catch was missed:\n{matrix}");
    }
}
