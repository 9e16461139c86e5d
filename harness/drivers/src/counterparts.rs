//! The counterparts the harness runs for a plan, handed to every driver through [`crate::Ctx`].

use dialtone_roles::issuer::IssuerHandle;

/// The counterparts the harness runs: issuers whose credentials it shows a verifier under test (one
/// the verifier's trust registry authorizes, one it does not; the harness owns their keys, so it can
/// mint any credential), and the run's PKI, for the counterparts a wallet case starts for itself
/// (its own issuer, registry and verifier), which the candidate must trust.
pub struct Counterparts {
    pub trusted: IssuerHandle,
    pub untrusted: IssuerHandle,
    pub pki: dialtone_roles::tls::TestPki,
}
