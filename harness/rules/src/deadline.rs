//! Judging artifacts within a wall-clock deadline each. The judgement runs on a thread of its own
//! (one for a whole check: [`Judge`]); past the deadline the artifact is reported not judged
//! (`error`, naming the bound) and the thread is left to end by itself, which it does: every input
//! it decodes is bounded.

use crate::{Artifact, ArtifactReport, Context, Format, detect, judge, table};
use dialtone_engine::model::Outcome;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// How long `dialtone check` gives one artifact unless told otherwise.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(10);
/// How long past its deadline a judgement may still report: the parts of it that enforce the
/// deadline themselves (the QR image decoder `check` runs in a child process) stop first and say
/// what they stopped, which is more than "not judged".
const GRACE: Duration = Duration::from_secs(1);

/// Judges `artifact` as [`judge`] does, but gives up at `deadline`. A judgement that panics is
/// reported not judged too, with the panic's message.
pub fn judge_within(
    artifact: Artifact,
    format: Option<Format>,
    ctx: Arc<Context>,
    deadline: Duration,
) -> ArtifactReport {
    let name = artifact.name.clone();
    let detected = format.or_else(|| detect::detect(&artifact));
    within(name, detected, deadline, move || judge(&artifact, format, &ctx))
}

/// Judges artifacts one after another on a worker thread of its own, each within `deadline` from
/// when the worker takes it up, as [`judge_within`] does for one; artifacts can be handed over ahead
/// (`submit`) so that reading and reporting overlap judging. An artifact past its deadline, or whose
/// judgement panics, is reported not judged; the worker is then left to end by itself and a new one
/// takes the artifacts that were waiting.
pub struct Judge {
    ctx: Arc<Context>,
    deadline: Duration,
    worker: Option<Worker>,
    pending: VecDeque<Pending>,
    next: u64,
}

struct Pending {
    seq: u64,
    artifact: Arc<Artifact>,
    format: Option<Format>,
}

type Job = (u64, Arc<Artifact>, Option<Format>);

struct Worker {
    jobs: mpsc::Sender<Job>,
    results: mpsc::Receiver<(u64, ArtifactReport)>,
    /// The artifact the worker is judging, and since when.
    current: Arc<Mutex<Option<(u64, Instant)>>>,
    handle: std::thread::JoinHandle<()>,
}

impl Worker {
    fn start(ctx: Arc<Context>) -> Result<Self, String> {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (outbox, results) = mpsc::channel();
        let current = Arc::new(Mutex::new(None));
        let now_judging = current.clone();
        let handle = std::thread::Builder::new()
            .name("judge".into())
            .spawn(move || {
                for (seq, artifact, format) in inbox {
                    *now_judging.lock().unwrap_or_else(|p| p.into_inner()) = Some((seq, Instant::now()));
                    let report = judge(&artifact, format, &ctx);
                    if outbox.send((seq, report)).is_err() {
                        return;
                    }
                }
            })
            .map_err(|e| format!("cannot start judging: {e}"))?;
        Ok(Self { jobs, results, current, handle })
    }
}

impl Judge {
    pub fn new(ctx: Arc<Context>, deadline: Duration) -> Self {
        Self { ctx, deadline, worker: None, pending: VecDeque::new(), next: 0 }
    }

    /// Artifacts handed over and not yet taken back with [`Self::take`].
    pub fn in_flight(&self) -> usize {
        self.pending.len()
    }

    /// Hands an artifact over; its judgement comes back, in order, from [`Self::take`].
    pub fn submit(&mut self, artifact: Artifact, format: Option<Format>) {
        // Recognized here once, so that the judgement and a report of "not judged" agree.
        let format = format.or_else(|| detect::detect(&artifact));
        let pending = Pending { seq: self.next, artifact: Arc::new(artifact), format };
        self.next += 1;
        if let Some(worker) = &self.worker
            && worker.jobs.send((pending.seq, pending.artifact.clone(), pending.format)).is_err()
        {
            self.worker = None;
        }
        self.pending.push_back(pending);
    }

    /// The judgement of the oldest artifact handed over, or `None` when none is waiting.
    pub fn take(&mut self) -> Option<ArtifactReport> {
        let oldest = self.pending.pop_front()?;
        let worker = match self.worker.take() {
            Some(w) => w,
            None => match Worker::start(self.ctx.clone()) {
                Ok(w) => {
                    for p in std::iter::once(&oldest).chain(self.pending.iter()) {
                        let _ = w.jobs.send((p.seq, p.artifact.clone(), p.format));
                    }
                    w
                }
                Err(e) => return Some(not_judged(&oldest, Instant::now(), e)),
            },
        };
        let limit = self.deadline + GRACE;
        let started = Instant::now();
        loop {
            let since = match *worker.current.lock().unwrap_or_else(|p| p.into_inner()) {
                Some((seq, since)) if seq == oldest.seq => Some(since),
                _ => None,
            };
            // Until the worker takes it up, look again now and then.
            let wait = match since {
                Some(since) => limit.saturating_sub(since.elapsed()),
                None => limit.min(Duration::from_millis(50)),
            };
            match worker.results.recv_timeout(wait) {
                Ok((seq, report)) if seq == oldest.seq => {
                    self.worker = Some(worker);
                    return Some(report);
                }
                Ok(_) => continue,
                Err(mpsc::RecvTimeoutError::Timeout) if since.is_some_and(|s| s.elapsed() >= limit) => {
                    let reason = format!(
                        "not judged: judging it took more than {} ms, dialtone's deadline per artifact",
                        self.deadline.as_millis()
                    );
                    return Some(not_judged(&oldest, since.unwrap_or(started), reason));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let reason = match worker.handle.join() {
                        Err(panic) => format!("not judged: judging it failed inside dialtone ({})", panic_text(&panic)),
                        Ok(()) => "not judged: judging it ended without a result".to_string(),
                    };
                    return Some(not_judged(&oldest, since.unwrap_or(started), reason));
                }
            }
        }
    }
}

fn not_judged(p: &Pending, since: Instant, reason: String) -> ArtifactReport {
    ArtifactReport {
        name: p.artifact.name.clone(),
        format: p.format,
        outcomes: vec![(&table::JUDGED, Outcome::error(reason))],
        evidence: Vec::new(),
        duration_ms: since.elapsed().as_secs_f64() * 1000.0,
        unsupported: None,
    }
}

/// Runs `job` on a thread of its own and waits for it until `deadline`.
fn within<F>(name: String, format: Option<Format>, deadline: Duration, job: F) -> ArtifactReport
where
    F: FnOnce() -> ArtifactReport + Send + 'static,
{
    let started = Instant::now();
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new().name("judge".into()).spawn(move || {
        let _ = tx.send(job());
    });
    let reason = match spawned {
        Err(e) => format!("cannot start judging it: {e}"),
        Ok(handle) => match rx.recv_timeout(deadline + GRACE) {
            Ok(report) => return report,
            Err(mpsc::RecvTimeoutError::Timeout) => format!(
                "not judged: judging it took more than {} ms, dialtone's deadline per artifact",
                deadline.as_millis()
            ),
            Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
                Err(panic) => format!("not judged: judging it failed inside dialtone ({})", panic_text(&panic)),
                Ok(()) => "not judged: judging it ended without a result".to_string(),
            },
        },
    };
    ArtifactReport {
        name,
        format,
        outcomes: vec![(&table::JUDGED, Outcome::error(reason))],
        evidence: Vec::new(),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        unsupported: None,
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ArtifactVerdict;

    fn card() -> Artifact {
        // A health card's QR text: judging it inflates, parses and checks a JWS.
        let jws = dialtone_protocols::shc::sign(
            &dialtone_protocols::jose::EcKey::generate(&dialtone_protocols::seed::Entropy::seeded(1)),
            &serde_json::json!({ "iss": "https://issuer.example", "nbf": 1, "vc": {} }),
        );
        Artifact::single("card.txt", dialtone_protocols::shc::encode_qr(&jws).join("\n").into_bytes())
    }

    #[test]
    fn an_artifact_judged_in_time_gets_its_judgement() {
        let report = judge_within(card(), None, Arc::new(Context::default()), Duration::from_secs(60));
        assert_ne!(report.verdict(), ArtifactVerdict::Error, "{:?}", report.reason());
        assert!(report.outcomes.len() > 1);
    }

    #[test]
    fn past_the_deadline_the_artifact_is_not_judged_and_says_why() {
        let started = Instant::now();
        let slow = || {
            std::thread::sleep(Duration::from_secs(10));
            judge(&card(), None, &Context::default())
        };
        let report = within("card.txt".into(), Some(Format::Shc), Duration::from_millis(50), slow);
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        assert_eq!(report.verdict(), ArtifactVerdict::Error, "{:?}", report.reason());
        let reason = report.reason().unwrap_or_default();
        assert!(reason.starts_with("ART-JUDGED-001: not judged") && reason.contains("more than 50 ms"), "{reason}");
        let rows = report.case_results();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].verdict, dialtone_engine::model::Verdict::Error);
        assert!(rows[0].id.starts_with("ART-JUDGED-001 card.txt"), "{}", rows[0].id);
    }

    #[test]
    fn a_judgement_that_panics_is_not_judged_with_the_panic_said() {
        let report = within("x".into(), None, Duration::from_secs(5), || panic!("a defect"));
        assert_eq!(report.verdict(), ArtifactVerdict::Error);
        assert!(report.reason().unwrap_or_default().contains("failed inside dialtone (a defect)"));
    }
}
