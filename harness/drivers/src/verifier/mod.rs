//! The harness as a wallet in front of a verifier under test (OpenID4VP 1.0), with counterpart issuers.

pub mod holder;
pub mod presentation;
pub mod request;
pub mod retrieval;

use crate::binding::Binding;
use crate::manifest::Manifest;
use dialtone_engine::role::Role;

/// The verifier under test through OpenID4VP: the `[verifier]` section (its control API).
pub(crate) struct Oid4vpVerifier;

impl Binding for Oid4vpVerifier {
    fn id(&self) -> &'static str {
        crate::binding::VERIFIER
    }
    fn roles(&self) -> &'static [Role] {
        &[Role::Verifier]
    }
    fn section(&self) -> &'static str {
        "verifier"
    }
    fn exposed(&self, manifest: &Manifest) -> bool {
        manifest.verifier.is_some()
    }
    fn mutants(&self) -> Option<&'static str> {
        Some("verifier.")
    }
    fn needs_counterparts(&self) -> bool {
        true
    }
}
