//! The one HTTP chokepoint between dialtone and the implementations it talks to: every request has a
//! timeout, every body a size bound, no redirect is followed, and every exchange lands in the case's
//! [`Evidence`] with the run's [`Secrets`] redacted.

mod client;
mod evidence;
mod learn;
mod redact;
mod secrets;

pub use client::{Body, HttpClient, HttpError, HttpLimits, HttpResponse, build_client};
pub use evidence::{Evidence, EvidenceItem, HttpExchange, bound_text};
pub use secrets::{SecretMembers, Secrets};
