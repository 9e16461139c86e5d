//! Judging one artifact within a wall-clock deadline. The judgement runs on a thread of its own;
//! past the deadline the artifact is reported not judged (`error`, naming the bound) and the
//! thread is left to end by itself, which it does: every input it decodes is bounded.

use crate::{Artifact, ArtifactReport, Context, Format, detect, judge, table};
use dialtone_engine::model::Outcome;
use std::sync::{Arc, mpsc};
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
