//! An interop matrix as one conformance report, so that `--sign` seals it as `run --sign` seals a
//! run: one result per chain (the chain case's own result, named by the cell's place,
//! `E2E-001.003`, and titled with its three participants), the overall verdict over every chain.
//! `dialtone verify`, `publish` and a review service read it like any bundle.

use crate::CliError;
use crate::interop::{CHAIN_CASE, RunCell};
use dialtone_engine::model::{CandidateInfo, CaseResult, Judged, Report, Verdict};
use dialtone_engine::pctf::Catalogue;
use dialtone_engine::report;
use dialtone_engine::role::Role;
use dialtone_engine::suite::{Case, Suite};
use dialtone_reports::interop::Matrix;
use std::sync::Arc;

/// The id of the chain at `position` (0-based, matrix order).
pub(crate) fn cell_id(position: usize) -> String {
    format!("{CHAIN_CASE}.{:03}", position + 1)
}

/// The report of a matrix whose `cells` are every cell, in matrix order.
pub(crate) fn matrix_report(
    matrix: &Matrix,
    cells: &[RunCell],
    suites: &[Suite],
    seed: Option<u64>,
) -> Result<Report, CliError> {
    let chain = suites
        .iter()
        .flat_map(|s| s.cases.iter())
        .find(|c| c.id == CHAIN_CASE)
        .ok_or_else(|| CliError::config(format!("no suite has the chain case {CHAIN_CASE}")))?;
    let mut cases = Vec::with_capacity(cells.len());
    let mut results = Vec::with_capacity(cells.len());
    for (position, run) in cells.iter().enumerate() {
        let c = &run.cell;
        let mut case: Case = chain.clone();
        case.id = cell_id(position);
        case.title = format!("{}: {} → {} → {}", chain.title, c.issuer, c.wallet, c.verifier);
        let mut result = match &run.result {
            Some(r) => r.clone(),
            // The chain's run could not start: its cell says why.
            None => CaseResult::of(
                &case,
                Judged {
                    verdict: Verdict::Error,
                    expected: "the chain runs".into(),
                    observed: c.observed.clone(),
                    precondition: None,
                },
            ),
        };
        result.id = case.id.clone();
        result.title = case.title.clone();
        cases.push(Arc::new(case));
        results.push(result);
    }
    let mut participants: Vec<&str> = matrix.issuers.iter().map(String::as_str).collect();
    for column in &matrix.columns {
        for name in [column.wallet.as_str(), column.verifier.as_str()] {
            if !participants.contains(&name) {
                participants.push(name);
            }
        }
    }
    let subject = report::Subject {
        candidate: CandidateInfo {
            name: format!("interop matrix: {}", participants.join("; ")),
            vendor: "interop matrix".into(),
            version: String::new(),
            roles: vec![Role::Issuer, Role::Wallet, Role::Verifier],
            base_url: String::new(),
            conformance: Vec::new(),
        },
        suites: vec![chain.suite.clone()],
        profiles: Vec::new(),
        seed,
    };
    let assembly = report::Assembly {
        subject,
        results,
        cases: &cases,
        artifacts: Vec::new(),
        expectations: None,
        duration_ms: matrix.duration_ms,
    };
    Ok(report::assemble(assembly, &Catalogue::embedded()))
}
