//! Counterparts the harness runs for a plan, handed to checks through `CaseCtx::counterparts`.

use dialtone_engine::check::CaseCtx;
use dialtone_engine::model::Outcome;
use dialtone_roles::issuer::Minter;
use std::sync::Arc;

/// The issuers whose credentials the harness shows a verifier under test: one the verifier's trust
/// registry authorizes, one it does not. The harness owns their keys, so it can mint any credential.
pub struct IssuerCounterparts {
    pub trusted: Arc<Minter>,
    pub untrusted: Arc<Minter>,
}

pub fn issuers(ctx: &CaseCtx) -> Result<&IssuerCounterparts, Outcome> {
    ctx.counterparts.as_ref().and_then(|c| c.downcast_ref::<IssuerCounterparts>()).ok_or_else(|| {
        Outcome::error("this case needs the harness's counterpart issuers, which this run did not start")
    })
}
