//! Runs a plan: cases concurrently on tokio, each isolated in its own task with a deadline, each
//! with its own evidence; a panic or a timeout becomes an `error` result, never a crash. What a case
//! does is the [`Harness`]'s business: the engine knows no protocol.

use crate::limits::Limits;
use crate::model::{CaseResult, Outcome, Verdict};
use crate::plan::PlannedCase;
use crate::suite::Case;
use dialtone_http::{Evidence, EvidenceItem, HttpClient, Secrets, Transport};
use dialtone_protocols::seed::Entropy;
use futures::StreamExt;
use futures::future::BoxFuture;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one case gets from the engine: its definition, an HTTP client that records into the case's
/// evidence, and its own reproducible entropy.
pub struct CaseRun {
    pub case: Arc<Case>,
    pub http: HttpClient,
    pub evidence: Evidence,
    pub entropy: Arc<Entropy>,
}

/// Runs cases: the drivers and what they know of the candidate and the counterparts.
pub trait Harness: Send + Sync + 'static {
    fn run(&self, run: CaseRun) -> BoxFuture<'static, Outcome>;
}

pub struct Runner {
    limits: Limits,
    seed: Option<u64>,
    harness: Arc<dyn Harness>,
    transport: Transport,
    secrets: Secrets,
    /// Whether cases keep evidence (else only their outcomes: the selftest's mutant runs).
    evidence: bool,
    /// Whether each case's requests carry its id ([`dialtone_http::case_tag`]: the selftest's
    /// reference run, whose references note which case read which part of their behaviour).
    tag_cases: bool,
}

impl Runner {
    /// A runner trusting the public web PKI and `extra_roots` (DER) for the candidate, gathering
    /// the run's secrets in `secrets`.
    pub fn new(
        limits: Limits,
        extra_roots: &[Vec<u8>],
        seed: Option<u64>,
        harness: Arc<dyn Harness>,
        secrets: Secrets,
    ) -> Result<Self, String> {
        let transport = dialtone_http::build_client(limits.http(), extra_roots)?;
        Ok(Self { limits, seed, harness, transport, secrets, evidence: true, tag_cases: false })
    }

    /// A runner whose cases keep no evidence: the same outcomes and verdicts, none of the work of
    /// recording and redacting what was exchanged (for runs only their verdicts are read from).
    pub fn verdicts_only(mut self) -> Self {
        self.evidence = false;
        self
    }

    /// A runner whose cases' requests name the case they are for ([`dialtone_http::case_tag`]).
    pub fn tagging_cases(mut self) -> Self {
        self.tag_cases = true;
        self
    }

    /// Runs the plan. When every case is done, every secret any case saw is replaced in every
    /// result (a code one case learned may show in another's evidence), observations included.
    pub async fn run(&self, plan: &[PlannedCase]) -> Vec<CaseResult> {
        let mut results: Vec<(usize, CaseResult)> = futures::stream::iter(plan.iter().enumerate())
            .map(|(index, planned)| async move { (index, self.run_case(planned).await) })
            .buffer_unordered(self.limits.concurrency)
            .collect()
            .await;
        results.sort_by_key(|(i, _)| *i);
        let mut results: Vec<CaseResult> = results.into_iter().map(|(_, r)| r).collect();
        for result in &mut results {
            self.secrets.redact_evidence(&mut result.evidence);
            result.expected = self.secrets.redact_text(&result.expected);
            result.observed = self.secrets.redact_text(&result.observed);
        }
        results
    }

    pub(crate) async fn run_case(&self, planned: &PlannedCase) -> CaseResult {
        let case = planned.case.clone();
        let started = Instant::now();
        let evidence = if self.evidence { Evidence::new(self.secrets.clone()) } else { Evidence::discard() };
        let outcome = match &planned.skip {
            Some(reason) => Outcome::skip(reason.clone()),
            None => {
                // Each case derives its entropy from the seed and its id: reproducible in any order.
                let entropy = Arc::new(match self.seed {
                    Some(seed) => Entropy::seeded(seed).derive(&case.id),
                    None => Entropy::from_os(),
                });
                let run = CaseRun {
                    case: case.clone(),
                    http: HttpClient::new(self.transport.clone(), self.limits.http(), evidence.clone()),
                    evidence: evidence.clone(),
                    entropy,
                };
                let deadline = Duration::from_millis(self.limits.case_deadline_ms);
                let tag = self.tag_cases.then(|| Arc::from(case.id.as_str()));
                let task = tokio::spawn(dialtone_http::case_tag::scope(tag, self.harness.run(run)));
                let abort = task.abort_handle();
                match tokio::time::timeout(deadline, task).await {
                    Ok(Ok(outcome)) => outcome,
                    Ok(Err(join)) if join.is_panic() => {
                        Outcome::error(format!("the driver panicked (a harness defect): {}", panic_text(join)))
                    }
                    Ok(Err(join)) => Outcome::error(format!("the driver was cancelled: {join}")),
                    Err(_) => {
                        abort.abort();
                        Outcome::error(format!(
                            "the case did not finish within its {} ms deadline",
                            deadline.as_millis()
                        ))
                    }
                }
            }
        };
        let candidate_ms = evidence.candidate_ms();
        let mut result = CaseResult::of(&case, outcome.judged(case.level));
        // The evidence as kept (secrets learned late replaced in what came before): the case's work too.
        result.evidence = evidence.take();
        let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        // When a case did not pass and the candidate answered with an error, its own words.
        if !matches!(result.verdict, Verdict::Pass | Verdict::Skip) {
            result.candidate_said = result.evidence.iter().rev().find_map(|e| match e {
                EvidenceItem::Http(x) => x.error_answer(),
                _ => None,
            });
        }
        result.duration_ms = duration_ms;
        result.candidate_ms = candidate_ms;
        result
    }
}

fn panic_text(join: tokio::task::JoinError) -> String {
    let payload = join.into_panic();
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}
