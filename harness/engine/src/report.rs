//! Assembles the report document from a run's results.

use crate::manifest::Manifest;
use crate::model::{CandidateInfo, CaseResult, REPORT_SCHEMA_VERSION, Report, Summary};
use crate::pctf::Catalogue;

pub fn assemble(
    manifest: &Manifest,
    suites: Vec<String>,
    results: Vec<CaseResult>,
    seed: Option<u64>,
    duration_ms: f64,
    catalogue: &Catalogue,
) -> Report {
    let pctf = catalogue.section(&results, &manifest.candidate.roles);
    Report {
        schema_version: REPORT_SCHEMA_VERSION.into(),
        tool: "dialtone".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        generated_at: dialtone_protocols::time::now_rfc3339(),
        seed,
        candidate: CandidateInfo {
            name: manifest.candidate.name.clone(),
            vendor: manifest.candidate.vendor.clone(),
            version: manifest.candidate.version.clone(),
            roles: manifest.candidate.roles.clone(),
            base_url: manifest.base_url(),
            conformance: manifest.claims(),
        },
        suites,
        summary: Summary::of(&results),
        duration_ms,
        results,
        pctf,
    }
}

/// A pass means nothing when a case it depends on did not pass (a verifier that refuses every
/// presentation "rejects" each faulty one): such passes become skips that say so. Dependencies that
/// were not run (`--only`) leave the result as it is.
pub fn settle_dependencies(results: &mut [crate::model::CaseResult], cases: &[std::sync::Arc<crate::suite::Case>]) {
    use crate::model::Verdict;
    let verdicts: std::collections::HashMap<String, Verdict> =
        results.iter().map(|r| (r.id.clone(), r.verdict)).collect();
    for r in results.iter_mut().filter(|r| r.verdict == Verdict::Pass) {
        let Some(case) = cases.iter().find(|c| c.id == r.id) else { continue };
        let failed: Vec<String> = case
            .depends_on
            .iter()
            .filter_map(|d| verdicts.get(d).filter(|v| **v != Verdict::Pass).map(|v| format!("{d} ({})", v.as_str())))
            .collect();
        if !failed.is_empty() {
            r.verdict = Verdict::Skip;
            r.observed = format!(
                "inconclusive: {} did not pass, so this refusal may only mean the candidate refuses everything; \
                 seen: {}",
                failed.join(", "),
                r.observed
            );
        }
    }
}
