//! The one HTTP chokepoint between dialtone and the implementations it talks to: every request has a
//! timeout, every body a size bound, no redirect is followed, every failure says whose fault it is,
//! and every exchange lands in the case's [`Evidence`] with the run's [`Secrets`] redacted.

mod answer;
pub mod case_tag;
mod client;
mod evidence;
mod learn;
mod redact;
mod search;
mod secrets;
mod transport;

pub use answer::ErrorAnswer;
pub use client::{Body, HttpClient, HttpLimits, HttpResponse};
pub use evidence::{Evidence, EvidenceItem, HttpExchange, bound_text};
pub use secrets::{SecretMembers, Secrets};
pub use transport::{HttpError, Transport, build_client, reachable};
