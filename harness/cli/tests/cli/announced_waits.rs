//! The waits a candidate announces (a request URI's `expires_in`, a deferred `interval`): the
//! reference candidates in the harness's own process keep a faster clock, whose announced seconds the
//! cases wait out on it; a candidate a manifest describes keeps real seconds; and every such wait
//! counts as time spent waiting on the candidate, not as the harness's own.

use crate::common;

use dialtone_cli::reference::start_references;
use dialtone_cli::run::run_plan;
use dialtone_engine::model::Verdict;
use dialtone_engine::pctf::Catalogue;

const WAITING: [&str; 4] = ["VCI-ISS-PAR-003", "VCI-ISS-DEFER-001", "WAL-ISS-DEFER-001", "WAL-ISS-DEFER-002"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_process_references_keep_a_faster_clock_and_their_waits_are_the_candidates_time() {
    let suites = common::suites();
    let catalogue = Catalogue::embedded();
    let refs = start_references(None, Some(3)).await.unwrap();
    let second = refs.manifest.clock_second.expect("the references' clock");
    assert!(second < std::time::Duration::from_secs(1));
    let only: Vec<String> = WAITING.iter().map(|s| s.to_string()).collect();
    let report =
        run_plan(&suites, refs.manifest.clone(), Some(3), &only, &catalogue, Some(refs.counterparts.clone()), None)
            .await
            .unwrap();
    refs.stop().await;
    for id in WAITING {
        let r = report.results.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("{id} ran"));
        assert_eq!(r.verdict, Verdict::Pass, "{id}: {}", r.observed);
    }
    let par = report.results.iter().find(|r| r.id == "VCI-ISS-PAR-003").unwrap();
    // The request URI's 2 announced seconds, and a quarter more, on the references' clock: not 2.25 s.
    let expected = (second * 9 / 4).as_secs_f64() * 1000.0;
    assert!(par.duration_ms >= expected, "{} ms", par.duration_ms);
    assert!(par.duration_ms < 2250.0, "{} ms: the case waited out real seconds", par.duration_ms);
    // The wait is the candidate's time: what is left to the harness is well under the wait.
    assert!(par.candidate_ms >= expected, "{} ms of {} ms", par.candidate_ms, par.duration_ms);
    let deferred = report.results.iter().find(|r| r.id == "VCI-ISS-DEFER-001").unwrap();
    assert!(deferred.candidate_ms >= second.as_secs_f64() * 1000.0, "{} ms", deferred.candidate_ms);
}

/// A manifest cannot shorten a candidate's seconds: the clock is the program's to set.
#[test]
fn a_manifest_cannot_set_the_candidates_clock() {
    // The reference issuer's manifest, but for the CA file its standalone server writes.
    let path = common::workspace().join("candidates/reference-issuer.toml");
    let text: String = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("ca_file"))
        .map(|l| format!("{l}\n"))
        .collect();
    let manifest = dialtone_drivers::manifest::Manifest::parse(&text, "issuer.toml").unwrap();
    assert_eq!(manifest.clock_second, None);
    assert_eq!(manifest.seconds(2), std::time::Duration::from_secs(2));
    let refused = dialtone_drivers::manifest::Manifest::parse(&format!("clock_second = 0.1\n{text}"), "issuer.toml");
    assert!(refused.unwrap_err().to_string().contains("clock_second"));
}
