//! `junit.xml` for CI systems: one test suite per role, one test case per result.

use crate::RenderError;
use dialtone_engine::model::{CaseResult, Report, Verdict};
use dialtone_engine::safe_text::xml_text;
pub(crate) use quick_junit::NonSuccessKind;
use quick_junit::{Report as JUnit, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

/// What a result is in JUnit terms (README, "JUnit"): only a MUST failure is a `<failure>` and only
/// the harness's or the environment's fault an `<error>`, so a CI system fails exactly when
/// `dialtone run` exits 1 or 3.
pub(crate) enum Status {
    Success { system_out: Option<String> },
    Skipped(String),
    NonSuccess { kind: NonSuccessKind, message: String, description: String },
}

pub(crate) fn status(r: &CaseResult) -> Status {
    let words = r.candidate_said.as_ref().map(|a| format!("; the candidate said: {a}")).unwrap_or_default();
    match r.verdict {
        Verdict::Pass => Status::Success { system_out: None },
        Verdict::Warn | Verdict::Info => Status::Success {
            system_out: Some(format!(
                "{} ({} not met): expected {}; observed {}{words}",
                r.verdict.as_str(),
                r.level.as_str(),
                r.expected,
                r.observed
            )),
        },
        Verdict::Skip => Status::Skipped(r.observed.clone()),
        Verdict::Inconclusive => Status::Skipped(format!("inconclusive: {}", r.observed)),
        // Counted once, at its root.
        Verdict::Blocked => Status::Skipped(format!(
            "blocked by {}: {}",
            r.blocked_by.as_deref().unwrap_or("an earlier failure"),
            r.observed
        )),
        Verdict::Fail if r.known_failure.is_some() => Status::Skipped(format!(
            "known failure ({}): expected {}; observed {}{words}",
            r.known_failure.as_deref().unwrap_or_default(),
            r.expected,
            r.observed
        )),
        Verdict::Fail | Verdict::Error => {
            let kind = if r.verdict == Verdict::Error { NonSuccessKind::Error } else { NonSuccessKind::Failure };
            let spec: Vec<String> = r.spec.iter().map(|s| format!("{} §{}", s.doc, s.section)).collect();
            Status::NonSuccess {
                kind,
                message: format!("{}: expected {}; observed {}{words}", r.verdict.as_str(), r.expected, r.observed),
                description: format!("spec: {}; PCTF: {}", spec.join(", "), r.pctf.join(", ")),
            }
        }
    }
}

pub(crate) fn case_name(r: &CaseResult) -> String {
    format!("{} {}", r.id, r.title)
}

pub(crate) fn class_name(r: &CaseResult) -> String {
    format!("dialtone.{}.{}", r.role, r.level.as_str())
}

pub fn render(report: &Report) -> Result<String, RenderError> {
    // Every string goes through xml_text: quick-junit drops C0 controls but not U+FFFE or U+FFFF.
    let text = |s: String| xml_text(&s).into_owned();
    let mut junit = JUnit::new(text(format!("dialtone: {} {}", report.candidate.name, report.candidate.version)));
    // One suite per role, each case in exactly one of them.
    let mut roles: Vec<_> = report.results.iter().map(|r| r.role).collect();
    roles.sort();
    roles.dedup();
    for role in roles {
        let mut suite = TestSuite::new(format!("dialtone.{role}"));
        for r in report.results.iter().filter(|r| r.role == role) {
            let mut system_out = None;
            let status = match status(r) {
                Status::Success { system_out: out } => {
                    system_out = out;
                    TestCaseStatus::success()
                }
                Status::Skipped(message) => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(text(message));
                    s
                }
                Status::NonSuccess { kind, message, description } => {
                    let mut s = TestCaseStatus::non_success(kind);
                    s.set_message(text(message));
                    s.set_description(text(description));
                    s
                }
            };
            let mut case = TestCase::new(text(case_name(r)), status);
            case.set_classname(text(class_name(r)));
            case.set_time(Duration::from_secs_f64(r.duration_ms / 1000.0));
            if let Some(out) = system_out {
                case.set_system_out(text(out));
            }
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit.to_string().map_err(|e| RenderError::Render { what: "junit.xml", detail: e.to_string() })
}
