//! What the reference issuer remembers: offered pre-authorized codes, access tokens and nonces.

use std::collections::HashMap;
use std::sync::Mutex;

pub(crate) const CODE_LIFETIME_SECS: i64 = 600;
pub(crate) const TOKEN_LIFETIME_SECS: i64 = 300;
pub(crate) const NONCE_LIFETIME_SECS: i64 = 300;
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
    /// Client authentications by attestation, in order (when one was sent or required).
    pub client_authentications: Mutex<Vec<ClientAuthentication>>,
}

/// One client authentication by attestation as the authorization server saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientAuthentication {
    /// The PoP's claims as sent (unverified), when there was one.
    pub pop: Option<dialtone_protocols::oauth::client_attestation::PopClaims>,
    /// The authenticated client's id, or why it was refused.
    pub result: Result<Option<String>, String>,
}
