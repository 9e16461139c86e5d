//! Results and the report document (its JSON Schema is `reports/report.schema.json`).

use crate::role::Role;
use dialtone_http::{EvidenceItem, HttpError};
use serde::{Deserialize, Serialize};

/// Version of `report.json`'s schema; bump on any incompatible change.
pub const REPORT_SCHEMA_VERSION: &str = "2.0.0";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    /// A MUST not met.
    Fail,
    /// A SHOULD not met.
    Warn,
    /// A MAY not taken up: information, never a failure.
    Info,
    Skip,
    Error,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Warn => "warn",
            Self::Info => "info",
            Self::Skip => "skip",
            Self::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Level {
    #[serde(rename = "MUST")]
    Must,
    #[serde(rename = "SHOULD")]
    Should,
    #[serde(rename = "MAY")]
    May,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Must => "MUST",
            Self::Should => "SHOULD",
            Self::May => "MAY",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecRef {
    pub doc: String,
    pub section: String,
}

/// What a check concluded, before the case's level turns a failure into `fail` or `warn`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass {
        observed: String,
    },
    Fail {
        expected: String,
        observed: String,
    },
    Skip {
        reason: String,
    },
    /// The harness or environment failed (unreachable, timeout): never blamed on the candidate.
    Error {
        reason: String,
    },
}

/// An outcome as a report states it: the verdict its level gives, with what was expected and seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub verdict: Verdict,
    pub expected: String,
    pub observed: String,
}

impl Outcome {
    /// The one mapping from outcome to verdict, for live cases and artifact rules alike: a failure
    /// of a MUST is `fail`, of a SHOULD `warn`, of a MAY `info`.
    pub fn judged(self, level: Level) -> Judged {
        let (verdict, expected, observed) = match self {
            Outcome::Pass { observed } => (Verdict::Pass, String::new(), observed),
            Outcome::Fail { expected, observed } => {
                let verdict = match level {
                    Level::Must => Verdict::Fail,
                    Level::Should => Verdict::Warn,
                    Level::May => Verdict::Info,
                };
                (verdict, expected, observed)
            }
            Outcome::Skip { reason } => (Verdict::Skip, String::new(), reason),
            Outcome::Error { reason } => (Verdict::Error, String::new(), reason),
        };
        Judged { verdict, expected, observed }
    }

    pub fn pass(observed: impl Into<String>) -> Self {
        Self::Pass { observed: observed.into() }
    }
    pub fn fail(expected: impl Into<String>, observed: impl Into<String>) -> Self {
        Self::Fail { expected: expected.into(), observed: observed.into() }
    }
    pub fn skip(reason: impl Into<String>) -> Self {
        Self::Skip { reason: reason.into() }
    }
    pub fn error(reason: impl Into<String>) -> Self {
        Self::Error { reason: reason.into() }
    }
}

/// Lets drivers use `?` on HTTP calls: what the candidate is to blame for (it hangs, closes the
/// connection, truncates, serves a bad certificate or not HTTP, sends a body past the bound, stops
/// listening) becomes `fail`, with what was required; a failure of dialtone's own or of its machine,
/// `error` (`dialtone_http::HttpError::is_candidate_fault`).
impl From<HttpError> for Outcome {
    fn from(e: HttpError) -> Self {
        if e.is_candidate_fault() {
            Outcome::fail(e.requirement(), e.to_string())
        } else {
            Outcome::error(e.to_string())
        }
    }
}

/// Runs a driver body written as `async { …; Ok(outcome) }` where early exits are `Err(outcome)`.
pub fn flatten(result: Result<Outcome, Outcome>) -> Outcome {
    match result {
        Ok(o) | Err(o) => o,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseResult {
    pub id: String,
    pub title: String,
    pub role: Role,
    pub level: Level,
    pub verdict: Verdict,
    /// The driver that ran the case (`artifact::<format>` for an artifact rule).
    pub driver: String,
    pub spec: Vec<SpecRef>,
    pub pctf: Vec<String>,
    pub expected: String,
    pub observed: String,
    pub evidence: Vec<EvidenceItem>,
    pub duration_ms: f64,
    /// Time spent waiting on the candidate (HTTP exchanges), part of `duration_ms`.
    pub candidate_ms: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    pub total: usize,
    pub pass: usize,
    pub fail: usize,
    pub warn: usize,
    #[serde(default)]
    pub info: usize,
    pub skip: usize,
    pub error: usize,
    pub(crate) must_failed: usize,
}

impl Summary {
    pub fn of(results: &[CaseResult]) -> Self {
        let mut s = Summary { total: results.len(), ..Default::default() };
        for r in results {
            match r.verdict {
                Verdict::Pass => s.pass += 1,
                Verdict::Fail => s.fail += 1,
                Verdict::Warn => s.warn += 1,
                Verdict::Info => s.info += 1,
                Verdict::Skip => s.skip += 1,
                Verdict::Error => s.error += 1,
            }
            if r.verdict == Verdict::Fail && r.level == Level::Must {
                s.must_failed += 1;
            }
        }
        s
    }

    /// 0: every MUST case passed; 1: some failed; 3: the harness or environment failed.
    pub fn exit_code(&self) -> i32 {
        if self.error > 0 {
            3
        } else if self.fail > 0 {
            1
        } else {
            0
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriterionStatus {
    Met,
    NotMet,
    NotTested,
    EvidenceRequired,
    NotApplicable,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CriterionResult {
    pub id: String,
    pub process: String,
    pub(crate) qualifiers: String,
    pub status: CriterionStatus,
    pub cases: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PctfSection {
    pub catalogue: String,
    pub version: String,
    pub criteria: Vec<CriterionResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CandidateInfo {
    pub name: String,
    pub vendor: String,
    pub version: String,
    pub roles: Vec<Role>,
    pub base_url: String,
    pub conformance: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: String,
    pub tool: String,
    pub tool_version: String,
    pub generated_at: String,
    pub seed: Option<u64>,
    pub candidate: CandidateInfo,
    pub suites: Vec<String>,
    pub summary: Summary,
    pub duration_ms: f64,
    pub results: Vec<CaseResult>,
    pub pctf: PctfSection,
}
