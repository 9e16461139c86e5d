//! What the reference issuer does, as values: the default is correct; a mutant changes one thing
//! ([`super::IssuerFault::apply`]) at one seam — what it publishes, how it answers (a response
//! rewrite by path), a policy of an endpoint, or the credential it mints. The handlers read these
//! values and know nothing of faults.

use super::minter::Deviation;
use axum::http::HeaderMap;
use dialtone_protocols::oid4vci::credential_error as ce;
use dialtone_protocols::oid4vci::message::{AuthorizationServerMetadata, CredentialIssuerMetadata, CredentialOffer};
use dialtone_protocols::oid4vci::proof::ProofChecks;
use dialtone_protocols::sd_jwt_vc::JwtVcIssuerMetadata;

/// A change to a published document; the issuer's identifier is given.
pub(crate) type Rewrite<T> = fn(&mut T, &str);

/// A change to the headers of the responses of one path.
pub(crate) type ResponseRewrite = (&'static str, fn(&mut HeaderMap));

#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    pub metadata: Option<Rewrite<CredentialIssuerMetadata>>,
    pub as_metadata: Option<Rewrite<AuthorizationServerMetadata>>,
    pub jwt_vc_issuer: Option<Rewrite<JwtVcIssuerMetadata>>,
    pub offer: Option<Rewrite<CredentialOffer>>,
    /// Header rewrites of the responses of one path.
    pub response: Option<ResponseRewrite>,
    pub token: TokenPolicy,
    pub nonce: NoncePolicy,
    pub credential: CredentialPolicy,
    pub proof: ProofPolicy,
    /// How the credentials it mints deviate from correct ones.
    pub mint: Deviation,
    pub status_list: StatusListPolicy,
    /// What it checks of client attestations (`client_auth`).
    pub client_attestation: super::client_auth::ClientAttestationPolicy,
    /// What it checks of key attestations (`key_attestation`).
    pub key_attestation: super::key_attestation::KeyAttestationPolicy,
}

impl Behaviour {
    pub fn with(fault: Option<super::IssuerFault>) -> Self {
        let mut b = Self::default();
        if let Some(f) = fault {
            f.apply(&mut b);
        }
        b
    }
}

/// What the token endpoint checks (§6, RFC 6749 §5).
#[derive(Debug, Clone, Copy)]
pub struct TokenPolicy {
    /// Only codes it offered are redeemed.
    pub(crate) known_codes_only: bool,
    /// A code is redeemed once.
    pub(crate) single_use_codes: bool,
    pub tx_code: TxCodeCheck,
    /// Only the pre-authorized code grant is taken.
    pub(crate) grant_type_checked: bool,
    /// Errors are RFC 6749 §5.2 error responses (else HTTP 500 `server_error`).
    pub(crate) oauth_errors: bool,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        Self {
            known_codes_only: true,
            single_use_codes: true,
            tx_code: TxCodeCheck::Value,
            grant_type_checked: true,
            oauth_errors: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxCodeCheck {
    /// Present exactly when the offer asked for one, and the right value.
    Value,
    /// Present exactly when asked for, any value.
    PresenceOnly,
    /// Not looked at.
    None,
}

/// The nonce endpoint (§7).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoncePolicy {
    /// The same `c_nonce` every time.
    pub(crate) constant: bool,
    /// Demands an access token.
    pub(crate) requires_token: bool,
}

/// The credential endpoint (§8).
#[derive(Debug, Clone, Copy)]
pub struct CredentialPolicy {
    /// The access token is checked.
    pub(crate) auth_checked: bool,
    /// The status of a refusal for want of a valid access token (RFC 6750 §3.1: 401).
    pub(crate) auth_failure_status: u16,
    /// The `WWW-Authenticate` challenge is RFC 6750 §3's (else Credo 0.6's names without values).
    pub(crate) well_formed_challenge: bool,
    /// Errors are JSON error responses (§8.3.1.2; else text/plain without a code).
    pub(crate) json_errors: bool,
    /// The error for an unknown configuration.
    pub(crate) unknown_configuration_error: &'static str,
    /// Answers with the draft-13 shape (a top-level `credential`).
    pub(crate) legacy_response: bool,
}

impl Default for CredentialPolicy {
    fn default() -> Self {
        Self {
            auth_checked: true,
            auth_failure_status: 401,
            well_formed_challenge: true,
            json_errors: true,
            unknown_configuration_error: ce::UNKNOWN_CREDENTIAL_CONFIGURATION,
            legacy_response: false,
        }
    }
}

/// What it checks of key proofs (Appendix F.1, F.4).
#[derive(Debug, Clone, Copy)]
pub struct ProofPolicy {
    /// A request without proofs is refused (else an unbound credential is issued).
    pub required: bool,
    pub checks: ProofChecks,
    /// The nonce is one it gave, unused and unexpired.
    pub(crate) nonce_checked: bool,
    /// A nonce buys one credential.
    pub(crate) single_use_nonces: bool,
}

impl Default for ProofPolicy {
    fn default() -> Self {
        Self { required: true, checks: ProofChecks::default(), nonce_checked: true, single_use_nonces: true }
    }
}

/// Its Status List Token (Token Status List §5.1) and its control of statuses.
#[derive(Debug, Clone, Copy)]
pub struct StatusListPolicy {
    pub typ: &'static str,
    /// `sub` names another list than the token's URI.
    pub(crate) sub_elsewhere: bool,
    /// Status changes asked through the control API are made.
    pub(crate) honours_changes: bool,
}

impl Default for StatusListPolicy {
    fn default() -> Self {
        Self { typ: dialtone_protocols::status_list::TYP, sub_elsewhere: false, honours_changes: true }
    }
}
