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
        generated_at: rfc3339_now(),
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

/// The current UTC time as RFC 3339 (`2026-11-23T14:11:12Z`).
pub fn rfc3339_now() -> String {
    let secs = dialtone_protocols::now_epoch();
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}
