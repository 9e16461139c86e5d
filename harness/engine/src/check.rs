//! The contract between the engine and the checks that suites name.

use crate::manifest::Manifest;
use crate::model::Outcome;
use crate::suite::Case;
use dialtone_http::Evidence;
use dialtone_http::{HttpClient, HttpError};
use dialtone_protocols::seed::Entropy;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub type CheckFuture = Pin<Box<dyn Future<Output = Outcome> + Send>>;
pub type CheckFn = fn(CaseCtx) -> CheckFuture;

/// A check the harness implements, by the name suites use.
pub struct CheckDef {
    pub name: &'static str,
    pub run: CheckFn,
}

/// Everything one case needs: its definition, the candidate, an HTTP client that records into the
/// case's evidence, and its own reproducible entropy.
#[derive(Clone)]
pub struct CaseCtx {
    pub case: Arc<Case>,
    pub manifest: Arc<Manifest>,
    pub http: HttpClient,
    pub evidence: Evidence,
    pub entropy: Arc<Entropy>,
    /// The counterparts the harness runs for this plan (e.g. the issuer whose credentials a verifier
    /// under test is shown); checks downcast to the type they expect.
    pub counterparts: Option<Arc<dyn std::any::Any + Send + Sync>>,
}

/// Lets checks use `?` on HTTP calls: an unreachable or hanging candidate becomes `error`, a body
/// past the bound becomes `fail`.
impl From<HttpError> for Outcome {
    fn from(e: HttpError) -> Self {
        if e.is_candidate_fault() {
            Outcome::fail("a response within the body-size bound", e.to_string())
        } else {
            Outcome::error(e.to_string())
        }
    }
}

/// Runs a check body written as `async { …; Ok(outcome) }` where early exits are `Err(outcome)`.
pub fn flatten(result: Result<Outcome, Outcome>) -> Outcome {
    match result {
        Ok(o) | Err(o) => o,
    }
}
