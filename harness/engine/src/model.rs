//! Results and the report document (its JSON Schema is `reports/report.schema.json`).

use crate::role::Role;
use dialtone_http::{ErrorAnswer, EvidenceItem, HttpError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of `report.json`'s schema; bump on any incompatible change.
pub const REPORT_SCHEMA_VERSION: &str = "4.0.0";

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
    /// Could not run because an earlier step failed; the root case that failed is named
    /// (`blocked_by`), and the failure is counted once, there.
    Blocked,
    /// A refusal that means nothing: a case it depends on did not pass (a verifier that refuses
    /// every presentation "rejects" each faulty one).
    Inconclusive,
    /// Not applicable to this candidate (a feature it does not claim, a binding it does not expose).
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
            Self::Blocked => "blocked",
            Self::Inconclusive => "inconclusive",
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
    /// A step the case relies on (not the one it judges) did not work: a failure, unless the case
    /// that judges that step failed too, which then is the root of both.
    Precondition {
        step: String,
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
    /// The step that did not work, when the case failed on a precondition.
    pub precondition: Option<String>,
}

impl Outcome {
    /// The one mapping from outcome to verdict, for live cases and artifact rules alike: a failure
    /// of a MUST is `fail`, of a SHOULD `warn`, of a MAY `info`.
    pub fn judged(self, level: Level) -> Judged {
        let failed = match level {
            Level::Must => Verdict::Fail,
            Level::Should => Verdict::Warn,
            Level::May => Verdict::Info,
        };
        let (verdict, expected, observed, precondition) = match self {
            Outcome::Pass { observed } => (Verdict::Pass, String::new(), observed, None),
            Outcome::Fail { expected, observed } => (failed, expected, observed, None),
            Outcome::Precondition { step, observed } => {
                (failed, format!("a working {step} (precondition of this case)"), observed, Some(step))
            }
            Outcome::Skip { reason } => (Verdict::Skip, String::new(), reason, None),
            Outcome::Error { reason } => (Verdict::Error, String::new(), reason, None),
        };
        Judged { verdict, expected, observed, precondition }
    }

    /// A precondition of the case broke at `step`.
    pub fn precondition(step: impl Into<String>, observed: impl Into<String>) -> Self {
        Self::Precondition { step: step.into(), observed: observed.into() }
    }

    /// Whether a rule or case failed (at any level).
    pub fn failed(&self) -> bool {
        matches!(self, Outcome::Fail { .. } | Outcome::Precondition { .. })
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
    /// The plan (suite) the case belongs to.
    pub plan: String,
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
    /// The step that did not work, when the case failed on a precondition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precondition: Option<String>,
    /// For a `blocked` case: the root case whose failure it follows from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<String>,
    /// What the candidate itself said when it answered with an error (its status, `error` and
    /// `error_description`, or a Problem Details `title` and `detail`), bounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate_said: Option<ErrorAnswer>,
    /// For a failure listed in the run's expectations file: why it is expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_failure: Option<String>,
    /// The interoperability profile the candidate claims that made this case a MUST.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_by: Option<String>,
    pub evidence: Vec<EvidenceItem>,
    pub duration_ms: f64,
    /// Time spent waiting on the candidate (its HTTP answers, and the waits it announced: an
    /// `expires_in` to outlive, a deferred `interval`), part of `duration_ms`.
    pub candidate_ms: f64,
}

impl CaseResult {
    /// A case's result as its judged outcome states it; evidence, the candidate's words and
    /// timings are the runner's to add.
    pub fn of(case: &crate::suite::Case, judged: Judged) -> Self {
        CaseResult {
            id: case.id.clone(),
            plan: case.suite.clone(),
            title: case.title.clone(),
            role: case.role,
            level: case.level,
            verdict: judged.verdict,
            driver: case.driver.clone(),
            spec: case.spec.clone(),
            pctf: case.pctf.clone(),
            expected: judged.expected,
            observed: judged.observed,
            precondition: judged.precondition,
            blocked_by: None,
            candidate_said: None,
            known_failure: None,
            level_by: case.level_by.clone(),
            evidence: Vec::new(),
            duration_ms: 0.0,
            candidate_ms: 0.0,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    pub total: usize,
    pub pass: usize,
    pub fail: usize,
    pub warn: usize,
    #[serde(default)]
    pub info: usize,
    /// Failures that follow from another case's failure (counted there).
    pub blocked: usize,
    /// Refusals that mean nothing because a case they depend on did not pass.
    pub inconclusive: usize,
    pub skip: usize,
    pub error: usize,
    pub(crate) must_failed: usize,
    /// Failures the run's expectations file lists (counted in `fail`/`warn` too).
    pub known: usize,
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
                Verdict::Blocked => s.blocked += 1,
                Verdict::Inconclusive => s.inconclusive += 1,
                Verdict::Skip => s.skip += 1,
                Verdict::Error => s.error += 1,
            }
            if r.verdict == Verdict::Fail && r.level == Level::Must {
                s.must_failed += 1;
            }
            if r.known_failure.is_some() {
                s.known += 1;
            }
        }
        s
    }

    /// 0: every MUST case passed (or failed as the expectations file says it would); 1: some MUST
    /// case failed; 3: the harness or environment failed. A blocked case always has a failed root,
    /// so roots alone decide.
    pub fn exit_code(&self, results: &[CaseResult]) -> i32 {
        let unexpected = results.iter().any(|r| r.verdict == Verdict::Fail && r.known_failure.is_none());
        if self.error > 0 {
            3
        } else if unexpected {
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
    /// The criterion's text, from the catalogue.
    pub text: String,
    pub status: CriterionStatus,
    /// The cases behind the status, with their verdicts.
    pub cases: Vec<CaseVerdict>,
}

/// One case behind a criterion.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseVerdict {
    pub id: String,
    pub verdict: Verdict,
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

/// The report document, every row whole (as the pages and templates read it). report.json writes
/// it in schema 4's form ([`crate::compact::ReportJson`]): a check's rule table once, and its
/// passing rule rows as an id, a verdict and an observation; reading expands them again.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "ReportIn")]
pub struct Report {
    pub schema_version: String,
    pub tool: String,
    pub tool_version: String,
    pub generated_at: String,
    pub seed: Option<u64>,
    pub candidate: CandidateInfo,
    /// Whether the candidate conforms, for what the run covered.
    pub verdict: OverallVerdict,
    pub suites: Vec<String>,
    pub summary: Summary,
    pub duration_ms: f64,
    pub results: Vec<CaseResult>,
    /// `dialtone check`: one verdict per artifact (empty for a run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<ArtifactResult>,
    /// The expectations file of the run, when one was given: which listed failures no longer fail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expectations: Option<ExpectationsResult>,
    pub pctf: PctfSection,
}

impl Report {
    /// The report but its rows (every other member copied), for a writer that writes the rows
    /// itself: every member is named, so that one added to the report is not left out.
    pub fn without_results(&self) -> Report {
        let Report {
            schema_version,
            tool,
            tool_version,
            generated_at,
            seed,
            candidate,
            verdict,
            suites,
            summary,
            duration_ms,
            results: _,
            artifacts,
            expectations,
            pctf,
        } = self;
        Report {
            schema_version: schema_version.clone(),
            tool: tool.clone(),
            tool_version: tool_version.clone(),
            generated_at: generated_at.clone(),
            seed: *seed,
            candidate: candidate.clone(),
            verdict: verdict.clone(),
            suites: suites.clone(),
            summary: summary.clone(),
            duration_ms: *duration_ms,
            results: Vec::new(),
            artifacts: artifacts.clone(),
            expectations: expectations.clone(),
            pctf: pctf.clone(),
        }
    }

    /// The exit code of `run` and `check` for this report.
    pub fn exit_code(&self) -> i32 {
        let code = self.summary.exit_code(&self.results);
        let not_judged_valid =
            |a: &ArtifactResult| matches!(a.verdict, ArtifactStatus::Unverified | ArtifactStatus::Unsupported);
        if code == 0 && self.artifacts.iter().any(not_judged_valid) { EXIT_UNVERIFIED } else { code }
    }
}

// report.json as read (schema 4 is written by crate::compact::ReportJson)

/// report.json as read: schema 3's rows, and schema 4's compact ones expanded.
#[derive(Deserialize)]
struct ReportIn {
    schema_version: String,
    tool: String,
    tool_version: String,
    generated_at: String,
    seed: Option<u64>,
    candidate: CandidateInfo,
    verdict: OverallVerdict,
    suites: Vec<String>,
    summary: Summary,
    duration_ms: f64,
    #[serde(default)]
    rules: BTreeMap<String, crate::compact::RuleInfo>,
    results: Vec<RowIn>,
    #[serde(default)]
    artifacts: Vec<ArtifactResult>,
    #[serde(default)]
    expectations: Option<ExpectationsResult>,
    pctf: PctfSection,
}

/// A row as read: every member, or a compact passing row's id, verdict and observation.
enum RowIn {
    Full(Box<CaseResult>),
    Compact { id: String, verdict: Verdict, observed: String },
}

impl<'de> Deserialize<'de> for RowIn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(d)?;
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Compact {
            id: String,
            verdict: Verdict,
            observed: String,
        }
        let compact = value.as_object().is_some_and(|o| o.len() == 3 && !o.contains_key("title"));
        if compact {
            let c = Compact::deserialize(value).map_err(D::Error::custom)?;
            Ok(RowIn::Compact { id: c.id, verdict: c.verdict, observed: c.observed })
        } else {
            CaseResult::deserialize(value).map(|r| RowIn::Full(Box::new(r))).map_err(D::Error::custom)
        }
    }
}

impl TryFrom<ReportIn> for Report {
    type Error = String;

    fn try_from(r: ReportIn) -> Result<Self, String> {
        let formats: std::collections::HashMap<&str, Option<&str>> =
            r.artifacts.iter().rev().map(|a| (a.name.as_str(), a.format.as_deref())).collect();
        let results = r
            .results
            .into_iter()
            .map(|row| match row {
                RowIn::Full(full) => Ok(*full),
                RowIn::Compact { id, verdict, observed } => {
                    crate::compact::expand(id, verdict, observed, &r.rules, &formats)
                }
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Report {
            schema_version: r.schema_version,
            tool: r.tool,
            tool_version: r.tool_version,
            generated_at: r.generated_at,
            seed: r.seed,
            candidate: r.candidate,
            verdict: r.verdict,
            suites: r.suites,
            summary: r.summary,
            duration_ms: r.duration_ms,
            results,
            artifacts: r.artifacts,
            expectations: r.expectations,
            pctf: r.pctf,
        })
    }
}

/// The exit code of `check` when nothing is invalid but some artifact's signature or issuer was
/// not verified, or some artifact is in a form dialtone does not read.
pub const EXIT_UNVERIFIED: i32 = 4;

/// The verdict on one stored artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ArtifactStatus {
    /// Every rule passed, the signature verified with a trusted key.
    Valid,
    /// Only SHOULD rules failed; the signature verified with a trusted key.
    Acceptable,
    /// No rule failed, but the signature or the issuer could not be verified (no keys given):
    /// not valid.
    Unverified,
    /// A MUST rule failed, or the format was not recognized.
    Invalid,
    /// Not judged: the harness could not finish (the deadline per artifact); no verdict on it.
    Error,
    /// Not judged: a form of the credential dialtone does not read (its reason says which); not
    /// invalid, and not valid.
    Unsupported,
}

impl ArtifactStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Acceptable => "acceptable",
            Self::Unverified => "unverified",
            Self::Invalid => "invalid",
            Self::Error => "error",
            Self::Unsupported => "unsupported",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArtifactResult {
    pub name: String,
    /// The format recognized (`None`: not recognized).
    pub format: Option<String>,
    pub verdict: ArtifactStatus,
    /// Why it is not valid: the first MUST failure, or what was not verified.
    pub reason: Option<String>,
}

/// What became of an expectations file's entries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExpectationsResult {
    pub file: String,
    /// Cases listed as known failures that failed as expected.
    pub held: Vec<String>,
    /// Cases listed as known failures that now pass: the entry can go.
    pub now_pass: Vec<String>,
    /// Cases listed that this run did not judge (not run, skipped or errored).
    pub not_judged: Vec<String>,
}

/// Whether a candidate conforms to what was run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Conformance {
    /// Every MUST case that applies passed, and every case could be judged.
    Conforms,
    /// Some case could not be judged (the harness or environment failed, or a refusal was
    /// inconclusive); no MUST failure.
    Incomplete,
    /// Some MUST case failed.
    DoesNotConform,
}

impl Conformance {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Conforms => "conforms",
            Self::Incomplete => "incomplete",
            Self::DoesNotConform => "does not conform",
        }
    }
}

/// The overall verdict: for the whole run, per role and per plan, with what it covers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OverallVerdict {
    pub status: Conformance,
    /// The verdict in one sentence, as the top of every rendering says it.
    pub statement: String,
    /// MUST cases that failed as root causes (known failures included).
    pub must_failures: usize,
    /// Of those, the failures the expectations file lists.
    pub known_failures: usize,
    /// Cases that could not run because a root case failed.
    pub blocked: usize,
    pub should_warnings: usize,
    pub errors: usize,
    /// Refusals that mean nothing because a case they depend on did not pass.
    pub inconclusive: usize,
    /// Stored artifacts whose signature or issuer was not verified (`check`).
    pub unverified: usize,
    /// `check`: how many artifacts were judged, and how many are invalid, unverified or unsupported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifacts: Option<ArtifactCounts>,
    pub covers: Covers,
    pub roles: Vec<PartVerdict>,
    pub plans: Vec<PartVerdict>,
}

/// How many artifacts a check judged, and how many of them are invalid, unverified or unsupported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactCounts {
    pub total: usize,
    pub invalid: usize,
    pub unverified: usize,
    pub unsupported: usize,
}

impl ArtifactCounts {
    pub fn of(artifacts: &[ArtifactResult]) -> Self {
        let mut counts = Self::default();
        for a in artifacts {
            counts.add(a.verdict);
        }
        counts
    }

    pub fn add(&mut self, verdict: ArtifactStatus) {
        self.total += 1;
        match verdict {
            ArtifactStatus::Invalid => self.invalid += 1,
            ArtifactStatus::Unverified => self.unverified += 1,
            ArtifactStatus::Unsupported => self.unsupported += 1,
            _ => {}
        }
    }
}

/// What a verdict is about.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Covers {
    pub suites: Vec<String>,
    pub roles: Vec<Role>,
    /// Interoperability profiles claimed.
    pub profiles: Vec<String>,
    /// Cases judged (pass, fail, warn, info, blocked), and cases not applicable (skipped).
    pub cases_judged: usize,
    pub cases_not_applicable: usize,
}

/// The verdict on one role or one plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartVerdict {
    pub name: String,
    pub status: Conformance,
    pub must_failures: usize,
    pub blocked: usize,
    pub errors: usize,
    pub inconclusive: usize,
    pub cases: usize,
}
