//! The harness as a wallet in front of an issuer under test (OpenID4VCI 1.0, SD-JWT VC, Token Status List).

pub mod attestation;
pub mod authorization;
pub mod batch;
pub mod credential;
pub mod deferred;
pub mod dpop;
pub mod encryption;
pub mod identifiers;
pub mod issued;
mod loopback;
pub mod mdoc;
pub mod metadata;
pub mod nonce;
pub mod notification;
pub mod signed_metadata;
pub mod status;
pub mod token;
pub mod wallet;

use crate::binding::Binding;
use crate::manifest::{Manifest, Problem, Trigger, check_allow_http};
use dialtone_engine::role::Role;

/// The issuer under test through OpenID4VCI: the `[issuer]` section and its `[trigger]`.
pub(crate) struct Oid4vciIssuer;

impl Binding for Oid4vciIssuer {
    fn id(&self) -> &'static str {
        crate::binding::ISSUER
    }
    fn roles(&self) -> &'static [Role] {
        &[Role::Issuer]
    }
    fn section(&self) -> &'static str {
        "issuer"
    }
    fn exposed(&self, manifest: &Manifest) -> bool {
        manifest.issuer.is_some()
    }
    fn validate(&self, manifest: &Manifest) -> Result<(), Problem> {
        let Some(issuer) = &manifest.issuer else { return Ok(()) };
        let split = dialtone_protocols::oid4vci::split_url(&issuer.credential_issuer)
            .map_err(|e| format!("[issuer] credential_issuer: {e}"))?;
        if split.origin.starts_with("http://") && !issuer.allow_http {
            return Err(format!(
                "[issuer] credential_issuer {:?} uses http: set allow_http = true for a local candidate",
                issuer.credential_issuer
            )
            .into());
        }
        check_allow_http("issuer", issuer.allow_http, &issuer.credential_issuer)?;
        if matches!(manifest.trigger, Trigger::None) {
            return Err("the candidate plays issuer but has no [trigger] (control, static_offer or manual)".into());
        }
        Ok(())
    }
    fn mutants(&self) -> Option<&'static str> {
        Some("issuer.")
    }
    /// Its attestation cases present the attestations of the harness's wallet provider.
    fn needs_counterparts(&self) -> bool {
        true
    }
}
