//! `dialtone run` against the reference issuer: every case passes, the report validates against
//! its published JSON Schema, and its normalized form matches the reviewed snapshot.

use crate::common;

use dialtone_cli::reference::start_references;
use dialtone_cli::run::run_plan;
use dialtone_engine::model::{CriterionStatus, Verdict};
use dialtone_engine::pctf::Catalogue;
use dialtone_engine::role::Role;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_candidates_pass_and_the_report_is_valid_and_stable() {
    let suites = common::suites();
    let catalogue = Catalogue::embedded();
    let refs = start_references(None, Some(7)).await.unwrap();
    let report =
        run_plan(&suites, refs.manifest.clone(), Some(7), &[], &catalogue, Some(refs.counterparts.clone()), None)
            .await
            .unwrap();
    refs.stop().await;

    let failures: Vec<String> = report
        .results
        .iter()
        .filter(|r| r.verdict != Verdict::Pass)
        .map(|r| format!("{}: {}", r.id, r.observed))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(report.results.iter().filter(|r| r.role == Role::Issuer).count() >= 30);
    assert!(report.results.iter().filter(|r| r.role == Role::Registry).count() >= 8);
    assert!(report.results.iter().filter(|r| r.role == Role::Verifier).count() >= 25);
    assert!(report.results.iter().filter(|r| r.role == Role::Wallet).count() >= 20);
    assert!(report.results.iter().all(|r| !r.spec.is_empty() && !r.evidence.is_empty()));
    assert_eq!(report.exit_code(), 0);

    // The report against reports/report.schema.json.
    let schema: Value = serde_json::from_str(dialtone_reports::SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let instance = serde_json::to_value(&report).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The schema is not vacuous: a wrong verdict and a missing member are rejected.
    let mut bad = instance.clone();
    bad["results"][0]["verdict"] = json!("maybe");
    assert!(!validator.is_valid(&bad));
    bad = instance.clone();
    bad.as_object_mut().unwrap().remove("pctf");
    assert!(!validator.is_valid(&bad));
    bad = instance.clone();
    bad["verdict"]["status"] = json!("mostly");
    assert!(!validator.is_valid(&bad));

    // The overall verdict comes first and says what it covers.
    assert_eq!(report.verdict.status, dialtone_engine::model::Conformance::Conforms);
    assert!(report.verdict.statement.starts_with("conforms: no MUST failure"), "{}", report.verdict.statement);
    assert_eq!(report.verdict.covers.suites.len(), 6);

    // PCTF: every criterion has a status; the ones the plan cites are met.
    assert_eq!(report.pctf.criteria.len(), 244);
    for id in [
        "CRIS.02", "CRIS.03", "CRIS.05", "CRIS.07", "CRAB.01", "CRVA.01", "CRVA.02", "CRVE.01", "CRVE.05", "CRRV.01",
        "CRSU.01",
    ] {
        let c = report.pctf.criteria.iter().find(|c| c.id == id).unwrap();
        assert_eq!(c.status, CriterionStatus::Met, "{id}");
        assert!(!c.cases.is_empty());
    }
    let status = |id: &str| report.pctf.criteria.iter().find(|c| c.id == id).unwrap().status;
    assert_eq!(status("CRDG.08"), CriterionStatus::EvidenceRequired);
    assert_eq!(status("SIDG.01"), CriterionStatus::NotApplicable);

    // Normalized (no times, ports, keys or evidence bodies) and snapshotted.
    let normalized = json!({
        "schema_version": report.schema_version,
        "candidate": { "name": report.candidate.name, "roles": report.candidate.roles, "conformance": report.candidate.conformance },
        "verdict": { "status": report.verdict.status, "statement": report.verdict.statement, "plans": report.verdict.plans },
        "summary": report.summary,
        "results": report.results.iter().map(|r| json!({
            "id": r.id, "plan": r.plan, "verdict": r.verdict, "level": r.level, "driver": r.driver,
            "spec": r.spec.iter().map(|s| format!("{} {}", s.doc, s.section)).collect::<Vec<_>>(),
            "pctf": r.pctf,
            "http_exchanges": r.evidence.iter().filter(|e| matches!(e, dialtone_http::EvidenceItem::Http(_))).count(),
        })).collect::<Vec<_>>(),
        "pctf": report.pctf.criteria.iter().filter(|c| !c.cases.is_empty()).map(|c| json!({"id": c.id, "status": c.status, "cases": c.cases})).collect::<Vec<_>>(),
    });
    insta::assert_json_snapshot!("reference_candidates_report", normalized);
}
