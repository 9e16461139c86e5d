//! The one HTTP chokepoint between dialtone and the implementations it talks to: every request has a
//! timeout, every body a size bound, no redirect is followed, and every exchange lands in the case's
//! [`Evidence`] with secrets redacted.

mod client;
mod evidence;

pub use client::{Body, HttpClient, HttpError, HttpLimits, HttpResponse, build_client, form_urlencode};
pub use evidence::{
    Evidence, EvidenceItem, HttpExchange, MAX_EVIDENCE_BODY, bound_bytes, bound_text, redact, redact_body,
};
