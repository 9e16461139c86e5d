//! Counterparts the harness runs for a plan, handed to checks through `CaseCtx::counterparts`.

use dialtone_engine::check::CaseCtx;
use dialtone_engine::model::Outcome;
use dialtone_roles::issuer::IssuerHandle;

/// The counterparts the harness runs. Issuers: whose credentials the harness shows a verifier under
/// test (one the verifier's trust registry authorizes, one it does not; the harness owns their keys,
/// so it can mint any credential), and the issuer a wallet under test receives credentials from.
/// Verifiers: those a wallet under test presents to (control API base URLs), a correct one and ones
/// with a single fault in their requests, which the wallet must refuse.
pub struct IssuerCounterparts {
    pub trusted: IssuerHandle,
    pub untrusted: IssuerHandle,
    /// The run's PKI, for counterparts a check starts for itself (a wallet case's own issuer,
    /// registry and verifier). The candidate must trust its CA.
    pub pki: dialtone_roles::tls::TestPki,
}

pub fn issuers(ctx: &CaseCtx) -> Result<&IssuerCounterparts, Outcome> {
    ctx.counterparts.as_ref().and_then(|c| c.downcast_ref::<IssuerCounterparts>()).ok_or_else(|| {
        Outcome::error("this case needs the harness's counterpart issuers, which this run did not start")
    })
}
