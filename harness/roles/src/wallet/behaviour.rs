//! What the reference wallet does, as values: the default is correct; a mutant changes one thing
//! ([`super::WalletFault::apply`]). The flows read these values and nothing else of a fault.

use dialtone_protocols::oid4vci::client::{AuthorizationSpec, ClientAttestationUse, IssuanceSpec, WalletChecks};
use dialtone_protocols::oid4vci::proof::ProofSpec;
use dialtone_protocols::oid4vci::sender::DpopUse;
use dialtone_protocols::oid4vp::holder::{PresentationSpec, RequestChecks};

crate::seam::behaviour! {
    #[derive(Debug, Clone)]
    pub struct Behaviour {
        /// How it runs OpenID4VCI issuance.
        pub issuance: IssuanceSpec as parts,
        /// Put the first `c_nonce` it ever got into every proof.
        pub(crate) reuse_first_nonce: bool,
        /// Store names with U+02BC folded to an ASCII apostrophe (a lossy "normalization").
        pub(crate) fold_apostrophes: bool,
        /// What it checks of a presentation request.
        pub(crate) request_checks: RequestChecks,
        /// It fetches a request object by POST when the link asks (OpenID4VP §5.10); else by GET.
        pub(crate) request_uri_post: bool,
        /// How it presents.
        pub presentation: PresentationSpec,
        /// It answers requests carrying transaction data of types it does not know (§5.1 says refuse).
        pub(crate) unknown_transaction_data_accepted: bool,
        /// It answers a signed request over the Digital Credentials API whatever its `expected_origins`.
        pub(crate) expected_origins_ignored: bool,
        /// Batches, deferred issuance, notifications.
        pub followup: FollowupBehaviour as parts,
    }
}

// The issuance settings the wallet hands whole to the OpenID4VCI client, each part noted where the
// flow it takes consults it.
crate::seam::parts_of! {
    IssuanceSpec {
        withhold_tx_code: bool,
        proof: ProofSpec,
        checks: WalletChecks,
        authorization: AuthorizationSpec,
        dpop: DpopUse,
        authorization_details: bool,
        client_attestation: ClientAttestationUse,
    }
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            issuance: IssuanceSpec::default(),
            reuse_first_nonce: false,
            fold_apostrophes: false,
            request_checks: RequestChecks::default(),
            request_uri_post: true,
            presentation: PresentationSpec::default(),
            unknown_transaction_data_accepted: false,
            expected_origins_ignored: false,
            followup: FollowupBehaviour::default(),
        }
    }
}

crate::seam::behaviour! {
    /// What it does beyond one credential per request (OID4VCI §8.2, §9, §11); the default is correct.
    #[derive(Debug, Clone, Copy)]
    pub struct FollowupBehaviour {
        /// The most credentials it asks for in one batch, within the issuer's `batch_size`.
        pub(crate) batch: u32,
        /// Signs every proof of a batch with the same key.
        pub(crate) batch_reuses_key: bool,
        /// Takes a deferred answer (202) for a failure instead of polling the deferred endpoint.
        pub(crate) ignores_deferred: bool,
        /// Polls the deferred endpoint at once, without waiting `interval`.
        pub(crate) ignores_interval: bool,
        /// Sends `credential_accepted` for a `notification_id`.
        pub(crate) notifies: bool,
    }
}

impl Default for FollowupBehaviour {
    fn default() -> Self {
        Self { batch: 2, batch_reuses_key: false, ignores_deferred: false, ignores_interval: false, notifies: true }
    }
}

impl Behaviour {
    /// The other values the wallet's mutants give `request_checks`: what the selftest's reference
    /// run judges each request with as well, to note the read only where a mutant would answer
    /// otherwise.
    pub(crate) fn other_request_checks() -> Vec<crate::seam::OtherValue<RequestChecks>> {
        let faulty = super::WalletFault::ALL.iter().map(|f| (f.name(), Self::with(Some(*f))));
        crate::seam::other_values(&Self::default(), faulty, |b| &b.request_checks)
    }

    pub fn with(fault: Option<super::WalletFault>) -> Self {
        let mut b = Self::default();
        if let Some(f) = fault {
            f.apply(&mut b);
        }
        b
    }
}
