//! What the reference issuer remembers: offered pre-authorized codes, access tokens and nonces.

use std::collections::HashMap;
use std::sync::Mutex;

pub(crate) const CODE_LIFETIME_SECS: i64 = 600;
pub(crate) const TOKEN_LIFETIME_SECS: i64 = 300;
pub(crate) const NONCE_LIFETIME_SECS: i64 = 300;
/// Authorization codes are short-lived (RFC 6749 §4.1.2: a maximum of 10 minutes is RECOMMENDED).
pub(crate) const AUTHORIZATION_CODE_LIFETIME_SECS: i64 = 60;
/// Wrong transaction codes allowed before a pre-authorized code is burned (OID4VCI §13.6.3).
pub(crate) const TX_CODE_ATTEMPTS: u32 = 5;

#[derive(Debug, Clone)]
pub(crate) struct OfferedCode {
    pub(crate) configuration_ids: Vec<String>,
    pub tx_code: Option<String>,
    pub created: i64,
    pub redeemed: bool,
    pub(crate) failed_attempts: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct AccessGrant {
    pub(crate) configuration_ids: Vec<String>,
    pub expires: i64,
    /// Credential identifiers the token response returned, with the configuration of each (§6.2).
    pub(crate) credential_identifiers: Vec<(String, String)>,
    /// The JWK thumbprint of the DPoP key the token is bound to (RFC 9449 §6), if it is.
    pub(crate) jkt: Option<String>,
}

impl AccessGrant {
    pub(crate) fn new(configuration_ids: Vec<String>, expires: i64) -> Self {
        Self { configuration_ids, expires, credential_identifiers: Vec::new(), jkt: None }
    }
}

/// A validated authorization request: what a code issued for it is bound to (RFC 6749 §4.1.3,
/// RFC 7636 §4.4).
#[derive(Debug, Clone)]
pub(crate) struct Authorized {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) state: Option<String>,
    pub(crate) code_challenge: Option<String>,
    pub(crate) code_challenge_method: String,
    pub(crate) configuration_ids: Vec<String>,
    /// `authorization_details` asked for them: the token response returns them (§6.2).
    pub(crate) details_requested: bool,
}

/// A pushed authorization request (RFC 9126 §2).
#[derive(Debug, Clone)]
pub(crate) struct Pushed {
    pub(crate) authorized: Authorized,
    /// Milliseconds since the epoch.
    pub(crate) expires: i64,
    pub(crate) used: bool,
}

/// An authorization code given out.
#[derive(Debug, Clone)]
pub(crate) struct IssuedCode {
    pub(crate) authorized: Authorized,
    pub(crate) created: i64,
    pub(crate) redeemed: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct NonceRecord {
    pub issued: i64,
    pub used: bool,
}

#[derive(Default)]
pub(crate) struct IssuerState {
    pub codes: Mutex<HashMap<String, OfferedCode>>,
    pub tokens: Mutex<HashMap<String, AccessGrant>>,
    pub nonces: Mutex<HashMap<String, NonceRecord>>,
    /// Pushed authorization requests by request URI.
    pub(crate) pushed: Mutex<HashMap<String, Pushed>>,
    /// The most recently pushed request URI (what a faulty server resolves every request URI to).
    pub(crate) last_pushed: Mutex<Option<String>>,
    /// Authorization requests awaiting the test user's login, by ticket.
    pub(crate) pending: Mutex<HashMap<String, Authorized>>,
    pub(crate) authorization_codes: Mutex<HashMap<String, IssuedCode>>,
    /// `issuer_state` values given in authorization code offers, with the configurations offered.
    pub(crate) issuer_states: Mutex<HashMap<String, Vec<String>>>,
    /// DPoP nonces given and `jti`s seen (RFC 9449 §8, §11.1).
    pub(crate) dpop: dialtone_protocols::dpop::DpopServer,
}

/// Locks a mutex, recovering from poisoning (a panicked handler must not wedge the server).
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What the issuer received from wallets, for the harness to judge a wallet under test.
#[derive(Default)]
pub struct IssuerLog {
    /// Token requests, as read.
    pub token_requests: Mutex<Vec<dialtone_protocols::oid4vci::message::TokenRequest>>,
    /// Credential requests, as read.
    pub credential_requests: Mutex<Vec<dialtone_protocols::oid4vci::message::CredentialRequest>>,
    /// Nonces the nonce endpoint handed out, in order.
    pub nonces: Mutex<Vec<String>>,
    /// Authorization requests, as read: pushed ones (RFC 9126) and those at the authorization endpoint.
    pub authorization_requests: Mutex<Vec<LoggedAuthorization>>,
    /// DPoP proofs received, in order.
    pub dpop_proofs: Mutex<Vec<SeenDpop>>,
    /// DPoP nonces given (`DPoP-Nonce`), in order.
    pub dpop_nonces: Mutex<Vec<String>>,
    /// When the credential endpoint answered 202 (deferred), in order.
    pub deferred_answers: Mutex<Vec<std::time::Instant>>,
    /// Deferred credential requests: when, and the transaction id.
    pub deferred_requests: Mutex<Vec<(std::time::Instant, String)>>,
    /// The notification ids it gave, in order.
    pub notification_ids: Mutex<Vec<String>>,
    /// Notification requests, as read.
    pub notifications: Mutex<Vec<dialtone_protocols::oid4vci::notification::NotificationRequest>>,
    /// Client authentications by attestation, in order (when one was sent or required).
    pub client_authentications: Mutex<Vec<ClientAuthentication>>,
}

/// An authorization request the issuer received.
#[derive(Debug, Clone)]
pub struct LoggedAuthorization {
    /// At the PAR endpoint (else at the authorization endpoint).
    pub pushed: bool,
    pub request: dialtone_protocols::oid4vci::message::AuthorizationRequest,
}

/// A DPoP proof as received, and where.
#[derive(Debug, Clone)]
pub struct SeenDpop {
    /// The path of the endpoint.
    pub path: String,
    /// The proof JWT (each `DPoP` header value).
    pub proofs: Vec<String>,
    /// The access token presented with it, if any.
    pub access_token: Option<String>,
}

/// One client authentication by attestation as the authorization server saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientAuthentication {
    /// The PoP's claims as sent (unverified), when there was one.
    pub pop: Option<dialtone_protocols::oauth::client_attestation::PopClaims>,
    /// The authenticated client's id, or why it was refused.
    pub result: Result<Option<String>, String>,
}
