//! Runs a plan: cases concurrently on tokio, each isolated in its own task with a deadline, each
//! with its own evidence; a panic or a timeout becomes an `error` result, never a crash.

use crate::check::{CaseCtx, CheckDef};
use crate::manifest::Manifest;
use crate::model::{CaseResult, Level, Outcome, Verdict};
use crate::plan::PlannedCase;
use dialtone_http::Evidence;
use dialtone_http::HttpClient;
use dialtone_protocols::seed::Entropy;
use futures::StreamExt;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Runner {
    pub manifest: Arc<Manifest>,
    pub checks: &'static [CheckDef],
    pub seed: Option<u64>,
    pub counterparts: Option<Arc<dyn std::any::Any + Send + Sync>>,
    client: reqwest::Client,
}

impl Runner {
    pub fn new(manifest: Arc<Manifest>, checks: &'static [CheckDef], seed: Option<u64>) -> Result<Self, String> {
        let client = dialtone_http::build_client(manifest.limits.http(), &manifest.trusted_roots()?)?;
        Ok(Self { manifest, checks, seed, counterparts: None, client })
    }

    pub async fn run(&self, plan: &[PlannedCase]) -> Vec<CaseResult> {
        let concurrency = self.manifest.limits.concurrency;
        let mut results: Vec<(usize, CaseResult)> = futures::stream::iter(plan.iter().enumerate())
            .map(|(index, planned)| async move { (index, self.run_case(planned).await) })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        results.sort_by_key(|(i, _)| *i);
        results.into_iter().map(|(_, r)| r).collect()
    }

    pub async fn run_case(&self, planned: &PlannedCase) -> CaseResult {
        let case = planned.case.clone();
        let started = Instant::now();
        let evidence = Evidence::default();
        let outcome = if let Some(reason) = &planned.skip {
            Outcome::skip(reason.clone())
        } else if let Some(def) = self.checks.iter().find(|d| d.name == case.check) {
            // Each case derives its entropy from the seed and its id: reproducible in any order.
            let entropy = Arc::new(match self.seed {
                Some(seed) => Entropy::seeded(seed).derive(&case.id),
                None => Entropy::from_os(),
            });
            let ctx = CaseCtx {
                case: case.clone(),
                manifest: self.manifest.clone(),
                http: HttpClient::new(self.client.clone(), self.manifest.limits.http(), evidence.clone()),
                evidence: evidence.clone(),
                entropy,
                counterparts: self.counterparts.clone(),
            };
            let deadline = Duration::from_millis(self.manifest.limits.case_deadline_ms);
            let task = tokio::spawn((def.run)(ctx));
            let abort = task.abort_handle();
            match tokio::time::timeout(deadline, task).await {
                Ok(Ok(outcome)) => outcome,
                Ok(Err(join)) if join.is_panic() => {
                    Outcome::error(format!("the check panicked (a harness defect): {}", panic_text(join)))
                }
                Ok(Err(join)) => Outcome::error(format!("the check was cancelled: {join}")),
                Err(_) => {
                    abort.abort();
                    Outcome::error(format!("the case did not finish within its {} ms deadline", deadline.as_millis()))
                }
            }
        } else {
            Outcome::error(format!("no check named {:?} (a suite/harness mismatch)", case.check))
        };
        let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        let candidate_ms = evidence.http_ms();
        let (verdict, expected, observed) = match outcome {
            Outcome::Pass { observed } => (Verdict::Pass, String::new(), observed),
            Outcome::Fail { expected, observed } => {
                let verdict = if case.level == Level::Must { Verdict::Fail } else { Verdict::Warn };
                (verdict, expected, observed)
            }
            Outcome::Skip { reason } => (Verdict::Skip, String::new(), reason),
            Outcome::Error { reason } => (Verdict::Error, String::new(), reason),
        };
        CaseResult {
            id: case.id.clone(),
            title: case.title.clone(),
            role: case.role.clone(),
            level: case.level,
            verdict,
            check: case.check.clone(),
            spec: case.spec.clone(),
            pctf: case.pctf.clone(),
            expected,
            observed,
            evidence: evidence.take(),
            duration_ms,
            candidate_ms,
        }
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
