//! What needs attention in a report, in the order a reader should see it (the terminal and the
//! HTML page share it): root failures and errors first, each with the cases it blocked; then
//! SHOULD/MAY warnings and inconclusive refusals; then known failures; not-applicable skips apart.

use dialtone_engine::model::{CaseResult, Report, Verdict};

#[derive(serde::Serialize)]
pub(crate) struct Attention<'a> {
    /// MUST failures that are not known, and errors, each with the cases blocked by it.
    pub roots: Vec<(&'a CaseResult, Vec<&'a CaseResult>)>,
    /// Warnings, information and inconclusive refusals.
    pub warnings: Vec<&'a CaseResult>,
    /// Failures the expectations file lists.
    pub known: Vec<&'a CaseResult>,
    pub not_applicable: Vec<&'a CaseResult>,
}

pub(crate) fn attention(report: &Report) -> Attention<'_> {
    let results = &report.results;
    let blocked_by = |id: &str| -> Vec<&CaseResult> {
        results.iter().filter(|r| r.verdict == Verdict::Blocked && r.blocked_by.as_deref() == Some(id)).collect()
    };
    let mut roots: Vec<(&CaseResult, Vec<&CaseResult>)> = results
        .iter()
        .filter(|r| (r.verdict == Verdict::Fail && r.known_failure.is_none()) || r.verdict == Verdict::Error)
        .map(|r| (r, blocked_by(&r.id)))
        .collect();
    // Failures before errors; among them, the roots that block most first.
    roots.sort_by_key(|(r, blocked)| (r.verdict == Verdict::Error, std::cmp::Reverse(blocked.len())));
    let known: Vec<&CaseResult> =
        results.iter().filter(|r| r.known_failure.is_some() && r.verdict != Verdict::Blocked).collect();
    // A blocked case whose root is a known failure is listed under it.
    let mut known_with_blocked = Vec::new();
    for k in known {
        known_with_blocked.push(k);
        known_with_blocked.extend(blocked_by(&k.id));
    }
    Attention {
        roots,
        warnings: results
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::Warn | Verdict::Info | Verdict::Inconclusive))
            .filter(|r| r.known_failure.is_none())
            .collect(),
        known: known_with_blocked,
        not_applicable: results.iter().filter(|r| r.verdict == Verdict::Skip).collect(),
    }
}
