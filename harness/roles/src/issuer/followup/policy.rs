//! What the reference issuer does beyond one credential per request, as values (the default is
//! correct; a mutant changes one): batches (§8.2, §12.2.4), credential identifiers (§6.2),
//! deferred issuance (§9), notifications (§11), encrypted responses (§10), signed metadata (§12.2.3).

/// The batch size the reference advertises (§12.2.4: 2 or more).
pub const BATCH_SIZE: u32 = 3;
/// Seconds a deferred credential takes to be ready; the `interval` it gives (§8.3).
pub const DEFERRED_INTERVAL_SECS: i64 = 1;

crate::seam::behaviour! {
    #[derive(Debug, Clone, Copy)]
    pub struct FollowupPolicy {
        /// `batch_credential_issuance.batch_size` in its metadata.
        pub(crate) batch_size: u32,
        /// Refuses a request with more proofs than `batch_size`.
        pub(crate) batch_size_enforced: bool,
        /// Binds every credential of a batch to the first proof's key.
        pub(crate) batch_same_key: bool,
        /// Returns `credential_identifiers` when the token request carried `authorization_details`.
        pub(crate) grants_identifiers: bool,
        /// Issues for any `credential_identifier` (as if it were the token's).
        pub(crate) any_identifier: bool,
        /// The deferred endpoint answers a transaction not ready yet with HTTP 400 `issuance_pending`
        /// (draft 13) instead of 202.
        pub(crate) pending_as_error: bool,
        /// A 202 answer of the credential endpoint lacks `interval`.
        pub(crate) deferred_without_interval: bool,
        /// A transaction id stays valid after its credentials were obtained.
        pub(crate) transactions_reusable: bool,
        /// The error for an unknown transaction id.
        pub(crate) unknown_transaction_error: &'static str,
        /// A notification for an unknown `notification_id` is accepted.
        pub(crate) any_notification_id: bool,
        /// A repeated notification is refused (§11: they are idempotent).
        pub(crate) notifications_once: bool,
        /// A further credential request with a token whose last credentials were never notified is refused.
        pub(crate) notification_required: bool,
        /// Encrypts responses when the request asks (§8.3).
        pub(crate) encrypts_responses: bool,
        /// Refuses `credential_response_encryption` parameters outside its metadata (§8.3.1.2).
        pub(crate) encryption_parameters_checked: bool,
        /// Reads requests encrypted to its request key (`application/jwt`, §10).
        pub(crate) reads_encrypted_requests: bool,
        /// Serves signed metadata when asked with `Accept: application/jwt` (§12.2.2).
        pub(crate) signed_metadata: SignedMetadataFault,
    }
}

/// How its signed metadata deviates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedMetadataFault {
    None,
    /// The signed claims name another credential endpoint than the unsigned document.
    Mismatch,
    /// `typ` is `JWT`.
    WrongTyp,
}

impl Default for FollowupPolicy {
    fn default() -> Self {
        Self {
            batch_size: BATCH_SIZE,
            batch_size_enforced: true,
            batch_same_key: false,
            grants_identifiers: true,
            any_identifier: false,
            pending_as_error: false,
            deferred_without_interval: false,
            transactions_reusable: false,
            unknown_transaction_error: dialtone_protocols::oid4vci::credential_error::INVALID_TRANSACTION_ID,
            any_notification_id: false,
            notifications_once: false,
            notification_required: false,
            encrypts_responses: true,
            encryption_parameters_checked: true,
            reads_encrypted_requests: true,
            signed_metadata: SignedMetadataFault::None,
        }
    }
}
