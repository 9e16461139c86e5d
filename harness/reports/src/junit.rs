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
            let status = match r.verdict {
                Verdict::Pass => TestCaseStatus::success(),
                Verdict::Skip => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(text(r.observed.clone()));
                    s
                }
                Verdict::Fail | Verdict::Warn | Verdict::Info | Verdict::Error => {
                    let kind =
                        if r.verdict == Verdict::Error { NonSuccessKind::Error } else { NonSuccessKind::Failure };
                    let mut s = TestCaseStatus::non_success(kind);
                    s.set_message(text(format!(
                        "{}: expected {}; observed {}",
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
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit.to_string().map_err(|e| RenderError::Render { what: "junit.xml", detail: e.to_string() })
}
