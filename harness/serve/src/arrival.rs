//! A bundle arriving: verified with `dialtone_bundle::verify`, its signer checked against the
//! vendor's registered keys, and what the service records of it read from what the signature
//! binds. Everything a submitter sends is refused with a reason, never a panic.

use crate::store::{NewSubmission, ResultRow};
use dialtone_bundle::{BundleError, VerifiedBundle, View};
use dialtone_engine::model::Report;

/// The most characters the service records of a candidate's name, vendor or version.
pub(crate) const NAME_CHARS: usize = 200;

/// Why a bundle is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Refusal {
    /// The signature or a digest does not hold, or the archive is not a bundle.
    #[error("{0}")]
    Bundle(#[from] BundleError),
    /// Intact, but signed by a key the vendor has not registered.
    #[error("signed by key {key_id}, which is not one of {vendor}'s registered signing keys")]
    UnknownSigner { key_id: String, vendor: String },
    /// Intact, but a report this service cannot read.
    #[error("{file}: {detail}")]
    Unreadable { file: String, detail: String },
    /// Already received.
    #[error("this bundle was already submitted")]
    Duplicate { id: String },
}

impl Refusal {
    /// The bundled file at fault, when the refusal is about one.
    pub fn file(&self) -> Option<&str> {
        match self {
            Refusal::Bundle(e) => e.file(),
            Refusal::UnknownSigner { .. } => Some(dialtone_bundle::ENVELOPE),
            Refusal::Unreadable { file, .. } => Some(file),
            Refusal::Duplicate { .. } => None,
        }
    }
}

/// A verified bundle and what the service records of it.
#[derive(Debug)]
pub(crate) struct Examined {
    pub signer_key_id: String,
    pub submission: NewSubmission,
}

fn bounded(text: &str) -> String {
    let mut out: String = text.chars().filter(|c| !c.is_control()).take(NAME_CHARS).collect();
    if text.chars().count() > NAME_CHARS {
        out.push('…');
    }
    out
}

/// Verifies `bytes` and reads the submission out of it (CPU-bound: off the async runtime).
/// `vendor_id`, `submitted_by` and `received_at` are the service's; the rest is the bundle's.
pub(crate) fn examine(
    bytes: Vec<u8>,
    vendor_id: &str,
    submitted_by: &str,
    received_at: i64,
) -> Result<Examined, Refusal> {
    let verified: VerifiedBundle = dialtone_bundle::verify(&bytes)?;
    let public_file = verified.statement.predicate.views.public_report.clone();
    let unreadable = |detail: String| Refusal::Unreadable { file: public_file.clone(), detail };
    let public_text =
        std::str::from_utf8(verified.public_report()).map_err(|_| unreadable("is not UTF-8".into()))?.to_string();
    let report: Report = serde_json::from_str(&public_text)
        .map_err(|e| unreadable(format!("is not a report this service reads: {e}")))?;
    let p = &verified.statement.predicate;
    // The verification checked that the report's results are the statement's, in order.
    let results = p
        .results
        .iter()
        .zip(&report.results)
        .map(|(s, r)| ResultRow {
            case_id: bounded(&s.id),
            plan: bounded(&s.plan),
            level: bounded(&s.level),
            verdict: bounded(&s.verdict),
            title: r.title.chars().take(500).collect(),
        })
        .collect();
    let criteria = report
        .pctf
        .criteria
        .iter()
        .map(|c| {
            let status = serde_json::to_value(c.status).ok().and_then(|v| v.as_str().map(str::to_string));
            (bounded(&c.id), status.unwrap_or_default())
        })
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_iter()
        .collect();
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let key_id = verified.key_id();
    let submission = NewSubmission {
        vendor_id: vendor_id.to_string(),
        submitted_by: submitted_by.to_string(),
        received_at,
        candidate_name: bounded(&p.candidate.name),
        candidate_vendor: bounded(&p.candidate.vendor),
        candidate_version: bounded(&p.candidate.version),
        command: bounded(&p.command),
        generated_at: bounded(&p.generated_at),
        dialtone_version: bounded(&p.dialtone.version),
        dialtone_commit: bounded(p.dialtone.commit.as_deref().unwrap_or_default()),
        verdict: bounded(&p.verdict.status),
        must_failures: count(p.verdict.must_failures),
        cases_judged: count(p.verdict.cases_judged),
        passed: count(report.summary.pass),
        failed: count(report.summary.fail),
        warned: count(report.summary.warn),
        signer_key_id: key_id.clone(),
        bundle_sha256: dialtone_bundle::digest::sha256(&bytes),
        full_view: verified.view == View::Full,
        public_report: public_text,
        bundle: bytes,
        results,
        criteria,
    };
    Ok(Examined { signer_key_id: key_id, submission })
}
