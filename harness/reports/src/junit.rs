//! `junit.xml` for CI systems: one test suite per role, one test case per result.

use crate::RenderError;
use dialtone_engine::model::{Report, Verdict};
use dialtone_engine::safe_text::xml_text;
use quick_junit::{NonSuccessKind, Report as JUnit, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

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
            let skipped = |message: String| {
                let mut s = TestCaseStatus::skipped();
                s.set_message(text(message));
                s
            };
            let words = r.candidate_said.as_ref().map(|a| format!("; the candidate said: {a}")).unwrap_or_default();
            // The mapping (README, "JUnit"): only a MUST failure is a <failure> and only the
            // harness's or the environment's fault an <error>, so a CI system fails exactly when
            // `dialtone run` exits 1 or 3.
            let mut system_out = None;
            let status = match r.verdict {
                Verdict::Pass => TestCaseStatus::success(),
                Verdict::Warn | Verdict::Info => {
                    system_out = Some(format!(
                        "{} ({} not met): expected {}; observed {}{words}",
                        r.verdict.as_str(),
                        r.level.as_str(),
                        r.expected,
                        r.observed
                    ));
                    TestCaseStatus::success()
                }
                Verdict::Skip => skipped(r.observed.clone()),
                Verdict::Inconclusive => skipped(format!("inconclusive: {}", r.observed)),
                // Counted once, at its root.
                Verdict::Blocked => skipped(format!(
                    "blocked by {}: {}",
                    r.blocked_by.as_deref().unwrap_or("an earlier failure"),
                    r.observed
                )),
                Verdict::Fail if r.known_failure.is_some() => skipped(format!(
                    "known failure ({}): expected {}; observed {}{words}",
                    r.known_failure.as_deref().unwrap_or_default(),
                    r.expected,
                    r.observed
                )),
                Verdict::Fail | Verdict::Error => {
                    let kind =
                        if r.verdict == Verdict::Error { NonSuccessKind::Error } else { NonSuccessKind::Failure };
                    let mut s = TestCaseStatus::non_success(kind);
                    s.set_message(text(format!(
                        "{}: expected {}; observed {}{words}",
                        r.verdict.as_str(),
                        r.expected,
                        r.observed
                    )));
                    let spec: Vec<String> = r.spec.iter().map(|s| format!("{} §{}", s.doc, s.section)).collect();
                    s.set_description(text(format!("spec: {}; PCTF: {}", spec.join(", "), r.pctf.join(", "))));
                    s
                }
            };
            let mut case = TestCase::new(text(format!("{} {}", r.id, r.title)), status);
            case.set_classname(text(format!("dialtone.{}.{}", r.role, r.level.as_str())));
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
