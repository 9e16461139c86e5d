//! Bindings: a role under test through one protocol interface — the issuer through OpenID4VCI or
//! the VC-API, the verifier through OpenID4VP or the VC-API, the wallet through both OpenID4VC
//! protocols, the registry through TRQP, and the end-to-end chain. Each suite tests one binding;
//! each binding says which manifest section exposes it, how it is validated, which reference and
//! mutants stand behind it, and which counterparts its cases need. Adding a binding is one
//! implementation of [`Binding`] and one line in [`BINDINGS`].

use crate::manifest::{Manifest, Problem};
use dialtone_engine::role::Role;

pub const ISSUER: &str = "oid4vci-issuer";
pub(crate) const VERIFIER: &str = "oid4vp-verifier";
pub(crate) const WALLET: &str = "oid4vc-wallet";
pub(crate) const REGISTRY: &str = "trqp-registry";
pub(crate) const VC_API: &str = "vc-api";
pub(crate) const CHAIN: &str = "chain";

pub trait Binding: Sync {
    /// The name suites give it (`[suite] binding = …`).
    fn id(&self) -> &'static str;
    /// The roles a candidate plays through it.
    fn roles(&self) -> &'static [Role];
    /// The manifest section that exposes it.
    fn section(&self) -> &'static str;
    /// Whether the manifest exposes it.
    fn exposed(&self, manifest: &Manifest) -> bool;
    /// What its section must satisfy beyond its types (checked when the manifest loads).
    fn validate(&self, _manifest: &Manifest) -> Result<(), Problem> {
        Ok(())
    }
    /// The prefix of the mutants of the reference behind it (`issuer.`), if it has its own.
    fn mutants(&self) -> Option<&'static str>;
    /// Whether its cases need the harness's counterpart issuers.
    fn needs_counterparts(&self) -> bool {
        false
    }
}

/// Every binding dialtone drives.
pub static BINDINGS: &[&dyn Binding] = &[
    &crate::issuer::Oid4vciIssuer,
    &crate::verifier::Oid4vpVerifier,
    &crate::wallet::Oid4vcWallet,
    &crate::registry::TrqpRegistry,
    &crate::vc_api::VcApi,
    &crate::chain::Chain,
];

pub fn find(id: &str) -> Option<&'static dyn Binding> {
    BINDINGS.iter().copied().find(|b| b.id() == id)
}

pub fn ids() -> Vec<&'static str> {
    BINDINGS.iter().map(|b| b.id()).collect()
}
