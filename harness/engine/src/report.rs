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
