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
/// (`submit`) so that reading and reporting overlap judging. They go to the worker in batches of
/// [`BATCH`], and their judgements come back through memory the two threads share: the threads wake
/// each other once a batch, not once an artifact. The deadline stays each artifact's: the worker
/// says which artifact it is judging and since when, and each judgement is taken back as soon as it
/// is made. An artifact past its deadline, or whose judgement panics, is reported not judged; the
/// worker is then left to end by itself and a new one takes the artifacts that were waiting.
pub struct Judge {
    ctx: Arc<Context>,
    deadline: Duration,
    judge: JudgeFn,
    worker: Option<Worker>,
    /// Handed over and not yet taken back, oldest first; the last `unsent` of them not yet sent to
    /// the worker.
    pending: VecDeque<Pending>,
    unsent: usize,
    next: u64,
}

/// Artifacts sent to the worker at once.
pub const BATCH: usize = 16;

/// What the worker runs on each artifact: [`judge`], or in tests a judgement that hangs or panics.
type JudgeFn = Arc<dyn Fn(&Artifact, Option<Format>, &Context) -> ArtifactReport + Send + Sync>;

struct Pending {
    seq: u64,
    artifact: Arc<Artifact>,
    format: Option<Format>,
}

type Job = (u64, Arc<Artifact>, Option<Format>);

/// What the worker and the thread that hands it work share.
#[derive(Default)]
struct Shared {
    /// The artifact the worker is judging, and since when.
    current: Option<(u64, Instant)>,
    /// Judgements made and not yet taken, in the order made.
    done: VecDeque<(u64, ArtifactReport)>,
}

struct Worker {
    jobs: mpsc::Sender<Vec<Job>>,
    /// A word at the end of each batch; closed when the worker ends (or panics).
    batch_done: mpsc::Receiver<()>,
    shared: Arc<Mutex<Shared>>,
    handle: std::thread::JoinHandle<()>,
}

fn locked(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

impl Worker {
    fn start(ctx: Arc<Context>, judge: JudgeFn) -> Result<Self, String> {
        let (jobs, inbox) = mpsc::channel::<Vec<Job>>();
        let (outbox, batch_done) = mpsc::channel();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let ours = shared.clone();
        let handle = std::thread::Builder::new()
            .name("judge".into())
            .spawn(move || {
                for batch in inbox {
                    for (seq, artifact, format) in batch {
                        locked(&ours).current = Some((seq, Instant::now()));
                        let report = judge(&artifact, format, &ctx);
                        locked(&ours).done.push_back((seq, report));
                    }
                    if outbox.send(()).is_err() {
                        return;
                    }
                }
            })
            .map_err(|e| format!("cannot start judging: {e}"))?;
        Ok(Self { jobs, batch_done, shared, handle })
    }

    /// Sends the jobs; false when the worker is gone.
    fn send<'a>(&self, pending: impl Iterator<Item = &'a Pending>) -> bool {
        let batch: Vec<Job> = pending.map(|p| (p.seq, p.artifact.clone(), p.format)).collect();
        batch.is_empty() || self.jobs.send(batch).is_ok()
    }
}

impl Judge {
    pub fn new(ctx: Arc<Context>, deadline: Duration) -> Self {
        Self::judging_with(ctx, deadline, Arc::new(|a: &Artifact, f, ctx: &Context| judge(a, f, ctx)))
    }

    fn judging_with(ctx: Arc<Context>, deadline: Duration, judge: JudgeFn) -> Self {
        Self { ctx, deadline, judge, worker: None, pending: VecDeque::new(), unsent: 0, next: 0 }
    }

    /// Artifacts handed over and not yet taken back with [`Self::take`].
    pub fn in_flight(&self) -> usize {
        self.pending.len()
    }

    /// Hands an artifact over; its judgement comes back, in order, from [`Self::take`].
    pub fn submit(&mut self, artifact: Artifact, format: Option<Format>) {
        // Recognized here once, so that the judgement and a report of "not judged" agree.
        let format = format.or_else(|| detect::detect(&artifact));
        self.pending.push_back(Pending { seq: self.next, artifact: Arc::new(artifact), format });
        self.next += 1;
        self.unsent += 1;
        if self.unsent >= BATCH {
            self.send_unsent();
        }
    }

    /// Sends the artifacts not yet sent to the worker, if there is one (a new one is sent them all).
    fn send_unsent(&mut self) {
        let from = self.pending.len() - self.unsent;
        if let Some(worker) = &self.worker
            && !worker.send(self.pending.iter().skip(from))
        {
            self.worker = None;
        }
        self.unsent = 0;
    }

    /// The judgement of the oldest artifact handed over, or `None` when none is waiting.
    pub fn take(&mut self) -> Option<ArtifactReport> {
        if self.pending.len() == self.unsent {
            // The oldest has not gone to the worker yet: send what waits.
            self.send_unsent();
        }
        let oldest = self.pending.pop_front()?;
        let worker = match self.worker.take() {
            Some(w) => w,
            None => match Worker::start(self.ctx.clone(), self.judge.clone()) {
                Ok(w) => {
                    w.send(std::iter::once(&oldest).chain(self.pending.iter()));
                    self.unsent = 0;
                    w
                }
                Err(e) => return Some(not_judged(&oldest, Instant::now(), e)),
            },
        };
        let limit = self.deadline + GRACE;
        let started = Instant::now();
        loop {
            let since = {
                let mut shared = locked(&worker.shared);
                if shared.done.front().is_some_and(|(seq, _)| *seq == oldest.seq)
                    && let Some((_, report)) = shared.done.pop_front()
                {
                    drop(shared);
                    self.worker = Some(worker);
                    return Some(report);
                }
                match shared.current {
                    Some((seq, since)) if seq == oldest.seq => Some(since),
                    _ => None,
                }
            };
            // Until the worker takes it up, look again now and then.
            let wait = match since {
                Some(since) => limit.saturating_sub(since.elapsed()),
                None => limit.min(Duration::from_millis(50)),
            };
            match worker.batch_done.recv_timeout(wait) {
                Ok(()) => continue,
                Err(mpsc::RecvTimeoutError::Timeout) if since.is_some_and(|s| s.elapsed() >= limit) => {
                    let reason = format!(
                        "not judged: judging it took more than {} ms, dialtone's deadline per artifact",
                        self.deadline.as_millis()
                    );
                    return Some(not_judged(&oldest, since.unwrap_or(started), reason));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    // Its judgement may have been made before the worker ended.
                    let made = {
                        let mut shared = locked(&worker.shared);
                        match shared.done.front() {
                            Some((seq, _)) if *seq == oldest.seq => shared.done.pop_front(),
                            _ => None,
                        }
                    };
                    if let Some((_, report)) = made {
                        // Those it made after it are taken from it too.
                        self.worker = Some(worker);
                        return Some(report);
                    }
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

    /// A judgement standing in for [`judge`]: the artifact named `slow` takes 30 s, the one named
    /// `panics` panics, the others pass one rule at once.
    fn scripted() -> JudgeFn {
        Arc::new(|a: &Artifact, format, _: &Context| {
            match a.name.as_str() {
                "slow" => std::thread::sleep(Duration::from_secs(30)),
                "panics" => panic!("a defect"),
                _ => {}
            }
            ArtifactReport {
                name: a.name.clone(),
                format,
                outcomes: vec![(&table::JUDGED, Outcome::pass("judged"))],
                evidence: Vec::new(),
                duration_ms: 0.0,
                unsupported: None,
            }
        })
    }

    fn names(n: usize, odd: &[(usize, &str)]) -> Vec<String> {
        (0..n)
            .map(|i| odd.iter().find(|(at, _)| *at == i).map_or_else(|| format!("a{i}"), |(_, s)| s.to_string()))
            .collect()
    }

    /// Hands `names` over as `check` does (a few batches ahead) and takes every judgement back.
    fn judged_all(names: &[String], deadline: Duration) -> Vec<ArtifactReport> {
        let mut judge = Judge::judging_with(Arc::new(Context::default()), deadline, scripted());
        let mut out = Vec::new();
        for name in names {
            judge.submit(Artifact::single(name.clone(), b"x".to_vec()), Some(Format::Shc));
            while judge.in_flight() >= 3 * BATCH {
                out.extend(judge.take());
            }
        }
        while let Some(report) = judge.take() {
            out.push(report);
        }
        out
    }

    /// Artifacts go to the worker in batches, yet the deadline is each artifact's: the one that
    /// hangs in the middle of a batch is reported not judged, and every other one of its batch and
    /// of those after it is judged, in order.
    #[test]
    fn an_artifact_that_hangs_in_a_batch_is_not_judged_and_the_others_are() {
        let names = names(3 * BATCH + 5, &[(BATCH + 3, "slow")]);
        let started = Instant::now();
        let reports = judged_all(&names, Duration::from_millis(200));
        assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
        assert_eq!(reports.iter().map(|r| r.name.clone()).collect::<Vec<_>>(), names);
        for r in &reports {
            if r.name == "slow" {
                assert_eq!(r.verdict(), ArtifactVerdict::Error);
                assert!(r.reason().unwrap_or_default().contains("more than 200 ms"), "{:?}", r.reason());
            } else {
                assert_eq!(r.outcomes.len(), 1, "{}", r.name);
                assert!(matches!(r.outcomes[0].1, Outcome::Pass { .. }), "{}: {:?}", r.name, r.outcomes);
            }
        }
    }

    /// A judgement that panics in the middle of a batch: that artifact says so, the others of its
    /// batch (before and after it) and of the next batches are judged.
    #[test]
    fn an_artifact_whose_judgement_panics_in_a_batch_says_so_and_the_others_are_judged() {
        let names = names(2 * BATCH + 2, &[(5, "panics"), (BATCH + 1, "panics")]);
        let reports = judged_all(&names, Duration::from_secs(5));
        assert_eq!(reports.iter().map(|r| r.name.clone()).collect::<Vec<_>>(), names);
        for r in &reports {
            if r.name == "panics" {
                assert!(
                    r.reason().unwrap_or_default().contains("failed inside dialtone (a defect)"),
                    "{:?}",
                    r.reason()
                );
            } else {
                assert!(matches!(r.outcomes[0].1, Outcome::Pass { .. }), "{}: {:?}", r.name, r.outcomes);
            }
        }
    }

    #[test]
    fn a_judgement_that_panics_is_not_judged_with_the_panic_said() {
        let report = within("x".into(), None, Duration::from_secs(5), || panic!("a defect"));
        assert_eq!(report.verdict(), ArtifactVerdict::Error);
        assert!(report.reason().unwrap_or_default().contains("failed inside dialtone (a defect)"));
    }
}
