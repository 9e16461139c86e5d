//! Assembles the report document, for a run of cases and for a check of stored artifacts alike.

use crate::model::{CandidateInfo, CaseResult, REPORT_SCHEMA_VERSION, Report, Summary, Verdict};
use crate::pctf::Catalogue;
use crate::suite::Case;
use std::collections::HashMap;
use std::sync::Arc;

/// What a report is about besides its results.
pub struct Subject {
    pub candidate: CandidateInfo,
    pub suites: Vec<String>,
    pub seed: Option<u64>,
}

pub fn assemble(subject: Subject, results: Vec<CaseResult>, duration_ms: f64, catalogue: &Catalogue) -> Report {
    let roles: Vec<String> = subject.candidate.roles.iter().map(|r| r.as_str().to_string()).collect();
    let pctf = catalogue.section(&results, &roles);
    Report {
        schema_version: REPORT_SCHEMA_VERSION.into(),
        tool: "dialtone".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        generated_at: dialtone_protocols::time::now_rfc3339(),
        seed: subject.seed,
        candidate: subject.candidate,
        suites: subject.suites,
        summary: Summary::of(&results),
        duration_ms,
        results,
        pctf,
    }
}

/// A pass means nothing when a case it depends on did not pass (a verifier that refuses every
/// presentation "rejects" each faulty one): such passes become skips that say so. Dependencies that
/// were not run (`--only`) leave the result as it is.
pub fn settle_dependencies(results: &mut [CaseResult], cases: &[Arc<Case>]) {
    let verdicts: HashMap<String, Verdict> = results.iter().map(|r| (r.id.clone(), r.verdict)).collect();
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
