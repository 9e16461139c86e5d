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

crate::seam::behaviour! {
    #[derive(Debug, Clone, Default)]
    pub struct Behaviour {
        pub metadata: Option<Rewrite<CredentialIssuerMetadata>>,
        pub as_metadata: Option<Rewrite<AuthorizationServerMetadata>>,
        pub jwt_vc_issuer: Option<Rewrite<JwtVcIssuerMetadata>>,
        pub offer: Option<Rewrite<CredentialOffer>>,
        /// Header rewrites of the responses of one path.
        pub response: Option<ResponseRewrite>,
        pub token: TokenPolicy as parts,
        /// The authorization endpoint, PAR and the authorization code grant.
        pub authorize: AuthorizePolicy as parts,
        pub nonce: NoncePolicy as parts,
        pub credential: CredentialPolicy as parts,
        pub proof: ProofPolicy as parts,
        /// How the credentials it mints deviate from correct ones.
        pub mint: Deviation,
        /// How the mdocs it mints deviate from correct ones.
        pub mint_mdoc: super::mdoc::MdocDeviation,
        pub status_list: StatusListPolicy as parts,
        /// DPoP (RFC 9449) and how access tokens are presented (RFC 6750).
        pub dpop: DpopBehaviour as parts,
        /// Batches, credential identifiers, deferred issuance, notifications, encryption, signed metadata.
        pub followup: super::followup::FollowupPolicy as parts,
        /// What it checks of client attestations (`client_auth`).
        pub client_attestation: super::client_auth::ClientAttestationPolicy as parts,
        /// What it checks of key attestations (`key_attestation`).
        pub key_attestation: super::key_attestation::KeyAttestationPolicy as parts,
    }
}

impl Behaviour {
    /// The other values the issuer's mutants give one field: what the selftest's reference run
    /// judges each request with as well, to note the read only where a mutant would answer
    /// otherwise, and under which mutants ([`crate::seam::Part::judged_by`]).
    pub(crate) fn others<T: PartialEq + Clone>(field: fn(&Self) -> &T) -> Vec<crate::seam::OtherValue<T>> {
        let faulty = super::IssuerFault::ALL.iter().map(|f| (f.name(), Self::with(Some(*f))));
        crate::seam::other_values(&Self::default(), faulty, field)
    }

    pub fn with(fault: Option<super::IssuerFault>) -> Self {
        Self::configured(super::IssuerOptions::default(), fault)
    }

    /// The behaviour a counterpart's options ask for, then the fault.
    pub fn configured(options: super::IssuerOptions, fault: Option<super::IssuerFault>) -> Self {
        let mut b = Self::default();
        b.authorize.auto_login = options.auto_login;
        if options.auto_login {
            // A wallet under test may ask its user before it opens the browser.
            b.authorize.request_uri_lifetime = 60;
        }
        b.authorize.authorization_details = !options.scope_only;
        if let Some(f) = fault {
            f.apply(&mut b);
        }
        b
    }
}

crate::seam::behaviour! {
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

crate::seam::behaviour! {
    /// The authorization endpoint, the PAR endpoint and the authorization code grant (§5, §6;
    /// RFC 6749 §4.1, RFC 7636, RFC 9126).
    #[derive(Debug, Clone, Copy)]
    pub struct AuthorizePolicy {
        /// `require_pushed_authorization_requests` is advertised (HAIP §4.3).
        pub(crate) par_advertised: bool,
        /// Authorization requests not pushed are refused.
        pub(crate) par_enforced: bool,
        /// The PAR endpoint's success status (RFC 9126 §2.2: 201).
        pub(crate) par_status: u16,
        /// How long a request URI lives (RFC 9126 §2.2 `expires_in`).
        pub(crate) request_uri_lifetime: i64,
        /// Expired request URIs are refused (RFC 9126 §4).
        pub(crate) request_uri_expiry_checked: bool,
        /// A request URI is used once (RFC 9126 §4, SHOULD).
        pub(crate) request_uri_single_use: bool,
        /// A request URI resolves to the request pushed under it (else to the latest pushed).
        pub(crate) request_uri_resolved: bool,
        /// A request without `code_challenge` is refused (HAIP §4).
        pub(crate) pkce_required: bool,
        /// `code_challenge_method=plain` (or none, which means plain) is accepted.
        pub(crate) plain_pkce_accepted: bool,
        /// The `code_verifier` is checked at the token endpoint (RFC 7636 §4.6).
        pub(crate) pkce_checked: bool,
        /// An authorization code is redeemed once (RFC 6749 §4.1.2).
        pub(crate) single_use_codes: bool,
        /// A code is redeemed only by the client it was issued to (RFC 6749 §4.1.3).
        pub(crate) code_bound_to_client: bool,
        /// ... and with the `redirect_uri` of its authorization request (RFC 6749 §4.1.3).
        pub(crate) code_bound_to_redirect_uri: bool,
        /// `authorization_details` of type `openid_credential` are taken (§5.1.1; else `scope` only).
        pub(crate) authorization_details: bool,
        /// `scope` values of the configurations are taken (§5.1.2).
        pub(crate) scope: bool,
        /// The token response returns the `authorization_details` requested (§6.2).
        pub(crate) details_in_token_response: bool,
        /// The test user is signed in already: the authorization endpoint redirects at once (a
        /// counterpart for a wallet under test); else it shows a sign-in page, and the control API signs in.
        pub(crate) auto_login: bool,
    }
}

impl Default for AuthorizePolicy {
    fn default() -> Self {
        Self {
            par_advertised: true,
            par_enforced: true,
            par_status: 201,
            // Short, so that a case can wait it out (RFC 9126 §2.2: the lifetime is the server's call).
            request_uri_lifetime: 2,
            request_uri_expiry_checked: true,
            request_uri_single_use: true,
            request_uri_resolved: true,
            pkce_required: true,
            plain_pkce_accepted: false,
            pkce_checked: true,
            single_use_codes: true,
            code_bound_to_client: true,
            code_bound_to_redirect_uri: true,
            authorization_details: true,
            scope: true,
            details_in_token_response: true,
            auto_login: false,
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

crate::seam::behaviour! {
    /// The nonce endpoint (§7).
    #[derive(Debug, Clone, Copy, Default)]
    pub struct NoncePolicy {
        /// The same `c_nonce` every time.
        pub(crate) constant: bool,
        /// Demands an access token.
        pub(crate) requires_token: bool,
    }
}

crate::seam::behaviour! {
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

crate::seam::behaviour! {
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
}

impl Default for ProofPolicy {
    fn default() -> Self {
        Self { required: true, checks: ProofChecks::default(), nonce_checked: true, single_use_nonces: true }
    }
}

crate::seam::behaviour! {
    /// Its Status List Token (Token Status List §5.1) and its control of statuses.
    #[derive(Debug, Clone, Copy)]
    pub struct StatusListPolicy {
        pub typ: &'static str,
        /// `sub` names another list than the token's URI.
        pub(crate) sub_elsewhere: bool,
        /// Status changes asked through the control API are made.
        pub(crate) honours_changes: bool,
    }
}

impl Default for StatusListPolicy {
    fn default() -> Self {
        Self { typ: dialtone_protocols::status_list::TYP, sub_elsewhere: false, honours_changes: true }
    }
}

crate::seam::behaviour! {
    /// DPoP at the token endpoint and the protected endpoints (RFC 9449), and where an access token may
    /// be presented (RFC 6750 §2).
    #[derive(Debug, Clone, Copy)]
    pub struct DpopBehaviour {
        /// Advertises `dpop_signing_alg_values_supported` and binds tokens to proofs' keys.
        pub advertised: bool,
        /// What it checks of a proof, nonces and `jti` replay.
        pub policy: dialtone_protocols::dpop::DpopPolicy,
        /// A bound token is taken only with a proof by the key it is bound to.
        pub(crate) binding_checked: bool,
        /// A bound token presented as a Bearer token is refused (§7.2).
        pub(crate) bound_as_bearer_refused: bool,
        /// An access token in the query string is refused (RFC 6750 §2.3 is not supported).
        pub(crate) query_token_refused: bool,
    }
}

impl Default for DpopBehaviour {
    fn default() -> Self {
        Self {
            advertised: true,
            policy: dialtone_protocols::dpop::DpopPolicy::default(),
            binding_checked: true,
            bound_as_bearer_refused: true,
            query_token_refused: true,
        }
    }
}
