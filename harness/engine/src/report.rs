//! Assembles the report document, for a run of cases and for a check of stored artifacts alike:
//! one pipeline settles what results mean together (roots and the cases they block, inconclusive
//! refusals, known failures), then states the overall verdict.

use crate::expectations::Expectations;
use crate::model::{
    ArtifactResult, CandidateInfo, CaseResult, Conformance, Covers, ExpectationsResult, OverallVerdict, PartVerdict,
    REPORT_SCHEMA_VERSION, Report, Verdict,
};
use crate::pctf::Catalogue;
use crate::suite::Case;
use crate::tally::{Counts, Tally};
use std::collections::HashMap;
use std::sync::Arc;

/// What a report is about.
pub struct Subject {
    pub candidate: CandidateInfo,
    pub suites: Vec<String>,
    /// Interoperability profiles the candidate claims.
    pub profiles: Vec<String>,
    pub seed: Option<u64>,
}

/// Everything a report is assembled from.
pub struct Assembly<'a> {
    pub subject: Subject,
    pub results: Vec<CaseResult>,
    /// The cases run (their `depends_on` and `root_of`); empty for `check`.
    pub cases: &'a [Arc<Case>],
    /// `check`: the verdict on each artifact.
    pub artifacts: Vec<ArtifactResult>,
    pub expectations: Option<&'a Expectations>,
    pub duration_ms: f64,
}

pub fn assemble(a: Assembly<'_>, catalogue: &Catalogue) -> Report {
    let Assembly { subject, mut results, cases, artifacts, expectations, duration_ms } = a;
    settle_preconditions(&mut results, cases);
    settle_dependencies(&mut results, cases);
    let expectations = expectations.map(|e| apply_expectations(&mut results, e));
    let tally = Tally::of(&results);
    let counted = ArtifactCounts::of(&artifacts);
    let mut report = assemble_tallied(subject, &tally, counted, duration_ms, catalogue);
    report.results = results;
    report.artifacts = artifacts;
    report.expectations = expectations;
    report
}

pub use crate::model::ArtifactCounts;

/// A report from a tally of results (`check` tallies one artifact at a time): its verdict, summary
/// and PCTF section count every result; `results` and `artifacts` are left empty, for the caller to
/// fill with those it shows.
pub fn assemble_tallied(
    subject: Subject,
    tally: &Tally,
    artifacts: ArtifactCounts,
    duration_ms: f64,
    catalogue: &Catalogue,
) -> Report {
    let roles: Vec<String> = subject.candidate.roles.iter().map(|r| r.as_str().to_string()).collect();
    let pctf = catalogue.section_of(tally, &roles);
    let verdict = overall(&subject, tally, artifacts);
    Report {
        schema_version: REPORT_SCHEMA_VERSION.into(),
        tool: "dialtone".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        generated_at: dialtone_protocols::time::now_rfc3339(),
        seed: subject.seed,
        candidate: subject.candidate,
        verdict,
        suites: subject.suites,
        summary: tally.summary(),
        duration_ms,
        results: Vec::new(),
        artifacts: Vec::new(),
        expectations: None,
        pctf,
    }
}

/// A pass means nothing when a case it depends on did not pass (a verifier that refuses every
/// presentation "rejects" each faulty one): such passes become `inconclusive`, saying why.
/// Dependencies that were not run (`--only`) leave the result as it is.
pub fn settle_dependencies(results: &mut [CaseResult], cases: &[Arc<Case>]) {
    let verdicts: HashMap<String, Verdict> = results.iter().map(|r| (r.id.clone(), r.verdict)).collect();
    for r in results.iter_mut().filter(|r| r.verdict == Verdict::Pass) {
        let Some(case) = cases.iter().find(|c| c.id == r.id) else { continue };
        // The happy cases it names are alternatives (the same refusal after a flow by
        // `authorization_details` or by `scope`): one that passed is enough; one not in this run
        // (`--only`) is not held against it.
        let ran: Vec<(&String, &Verdict)> =
            case.depends_on.iter().filter_map(|d| verdicts.get(d).map(|v| (d, v))).collect();
        if ran.iter().any(|(_, v)| **v == Verdict::Pass) {
            continue;
        }
        let failed: Vec<String> = ran.iter().map(|(d, v)| format!("{d} ({})", v.as_str())).collect();
        if !failed.is_empty() {
            r.verdict = Verdict::Inconclusive;
            r.observed = format!(
                "{} did not pass, so this refusal may only mean the candidate refuses everything; seen: {}",
                failed.join(", "),
                r.observed
            );
        }
    }
}

/// A case that failed because a step it needed did not work (a precondition) is `blocked` by the
/// case that judges that step (`root_of`) when that case failed as a MUST: the defect is counted
/// once, at its root. A precondition failure whose root passed, was not run, or only warned stays
/// a failure of its own.
pub fn settle_preconditions(results: &mut [CaseResult], cases: &[Arc<Case>]) {
    let roots: Vec<(&str, &[String])> = cases
        .iter()
        .filter(|c| results.iter().any(|r| r.id == c.id && r.verdict == Verdict::Fail && r.precondition.is_none()))
        .map(|c| (c.id.as_str(), c.root_of.as_slice()))
        .collect();
    for r in results.iter_mut() {
        if !matches!(r.verdict, Verdict::Fail | Verdict::Warn | Verdict::Info) {
            continue;
        }
        let Some(step) = &r.precondition else { continue };
        if let Some((root, _)) = roots.iter().find(|(id, steps)| *id != r.id && steps.contains(step)) {
            r.verdict = Verdict::Blocked;
            r.blocked_by = Some(root.to_string());
        }
    }
}

/// Marks the failures the expectations file lists, and says which entries no longer fail.
fn apply_expectations(results: &mut [CaseResult], expectations: &Expectations) -> ExpectationsResult {
    let mut out = ExpectationsResult {
        file: expectations.file.clone(),
        held: Vec::new(),
        now_pass: Vec::new(),
        not_judged: Vec::new(),
    };
    for entry in &expectations.entries {
        match results.iter_mut().find(|r| r.id == entry.case) {
            Some(r) if matches!(r.verdict, Verdict::Fail | Verdict::Warn | Verdict::Info | Verdict::Blocked) => {
                r.known_failure = Some(entry.reason.clone());
                out.held.push(entry.case.clone());
            }
            Some(r) if r.verdict == Verdict::Pass => out.now_pass.push(entry.case.clone()),
            _ => out.not_judged.push(entry.case.clone()),
        }
    }
    out
}

/// The status of a set of results: a MUST failure decides; then anything that could not be judged.
fn status_of(counts: &Counts) -> Conformance {
    if counts.of(Verdict::Fail) > 0 {
        Conformance::DoesNotConform
    } else if counts.of(Verdict::Error) + counts.of(Verdict::Inconclusive) > 0 {
        Conformance::Incomplete
    } else {
        Conformance::Conforms
    }
}

fn part(name: String, counts: &Counts) -> PartVerdict {
    PartVerdict {
        name,
        status: status_of(counts),
        must_failures: counts.of(Verdict::Fail),
        blocked: counts.of(Verdict::Blocked),
        errors: counts.of(Verdict::Error),
        inconclusive: counts.of(Verdict::Inconclusive),
        cases: counts.total,
    }
}

/// The verdict of a run or a check: for the whole, per role and per plan.
fn overall(subject: &Subject, tally: &Tally, artifacts: ArtifactCounts) -> OverallVerdict {
    let count = |v: Verdict| tally.all.of(v);
    let (must_failures, blocked, errors, inconclusive) =
        (count(Verdict::Fail), count(Verdict::Blocked), count(Verdict::Error), count(Verdict::Inconclusive));
    let known_failures = tally.all.known_failures;
    let (unverified, unsupported) = (artifacts.unverified, artifacts.unsupported);
    let mut status = status_of(&tally.all);
    if status == Conformance::Conforms && (unverified > 0 || unsupported > 0) {
        status = Conformance::Incomplete;
    }

    let roles: Vec<_> = tally.roles.keys().copied().collect();
    // A plan none of whose cases applied (a binding the candidate does not expose) is not covered.
    let plans: Vec<&str> =
        tally.plans.iter().filter(|(_, c)| c.total > c.of(Verdict::Skip)).map(|(p, _)| p.as_str()).collect();
    let role_verdicts = tally.roles.iter().map(|(role, counts)| part(role.as_str().to_string(), counts)).collect();
    let plan_verdicts =
        plans.iter().filter_map(|plan| tally.plans.get(*plan).map(|counts| part(plan.to_string(), counts))).collect();

    let not_applicable = count(Verdict::Skip);
    let judged = tally.all.total - not_applicable - errors - inconclusive;
    let mut verdict = OverallVerdict {
        status,
        statement: String::new(),
        must_failures,
        known_failures,
        blocked,
        should_warnings: count(Verdict::Warn),
        errors,
        inconclusive,
        unverified,
        artifacts: (artifacts.total > 0).then_some(artifacts),
        covers: Covers {
            suites: plans.iter().map(|p| p.to_string()).collect(),
            roles,
            profiles: subject.profiles.clone(),
            cases_judged: judged,
            cases_not_applicable: not_applicable,
        },
        roles: role_verdicts,
        plans: plan_verdicts,
    };
    // report.json states the verdict in English; the reports say it in their language.
    verdict.statement = crate::statement::statement(dialtone_i18n::Lang::En, &verdict);
    verdict
}
