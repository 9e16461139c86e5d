//! The harness as issuer and verifier in front of a wallet under test: each case its own counterparts.

pub mod attestation;
pub mod authorization;
pub mod dpop;
pub mod followup;
pub mod issuance;
pub mod presentation;
pub(crate) mod retrieval;
pub(crate) mod stack;

use crate::binding::Binding;
use crate::manifest::Manifest;
use dialtone_engine::role::Role;

/// The wallet under test, receiving through OpenID4VCI and presenting through OpenID4VP: the
/// `[wallet]` section (its control API, or manual mode).
pub(crate) struct Oid4vcWallet;

impl Binding for Oid4vcWallet {
    fn id(&self) -> &'static str {
        crate::binding::WALLET
    }
    fn roles(&self) -> &'static [Role] {
        &[Role::Wallet]
    }
    fn section(&self) -> &'static str {
        "wallet"
    }
    fn exposed(&self, manifest: &Manifest) -> bool {
        manifest.wallet.is_some()
    }
    fn mutants(&self) -> Option<&'static str> {
        Some("wallet.")
    }
    fn needs_counterparts(&self) -> bool {
        true
    }
}
