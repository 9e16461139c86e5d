//! The reference issuer beyond one credential per request: what it remembers for batches,
//! credential identifiers, deferred transactions and notifications, and the hooks the token,
//! offer, metadata and credential handlers call; the deferred and notification endpoints, the
//! encrypted responses and the signed metadata each have their module.

pub(crate) mod deferred;
pub(crate) mod encryption;
pub(crate) mod notification;
pub(crate) mod policy;
pub(crate) mod signed_metadata;

pub use policy::FollowupPolicy;

use super::behaviour::Behaviour;
use super::reference::{Issuer, json_response};
use super::state::lock;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::message::Message;
use dialtone_protocols::oid4vci::encryption::{MEDIA_TYPE, ResponseEncryption};
use dialtone_protocols::oid4vci::message::AuthorizationDetail;
use dialtone_protocols::oid4vci::message::{
    BatchCredentialIssuance, CredentialIssuerMetadata, CredentialResponse, ErrorResponse, IssuedCredential,
    TokenRequest,
};
use dialtone_protocols::seed::Entropy;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Instant;

pub(crate) const DEFERRED_PATH: &str = "/deferred_credential";
pub(crate) const NOTIFICATION_PATH: &str = "/notification";
/// RFC 9396 §5
const INVALID_AUTHORIZATION_DETAILS: &str = "invalid_authorization_details";
/// Bounds on what it remembers for wallets it cannot trust to stop.
const MAX_REMEMBERED: usize = 10_000;

/// What one access token brought beyond its configurations.
#[derive(Debug, Clone, Default)]
pub(crate) struct TokenExtras {
    /// credential identifier → configuration (§6.2).
    identifiers: HashMap<String, String>,
    /// Its credentials are issued deferred (§9).
    deferred: bool,
    /// The notification id of its last credentials, until the wallet notifies.
    unnotified: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Transaction {
    pub(crate) token: String,
    pub(crate) ready_at: Instant,
    pub(crate) credentials: Vec<Value>,
}

#[derive(Debug, Clone)]
pub(crate) struct NotificationRecord {
    pub(crate) token: String,
    pub(crate) events: Vec<String>,
}

/// What the reference issuer remembers for these features.
pub(crate) struct Followups {
    /// Its credential request encryption key (§12.2.4 `credential_request_encryption`).
    pub(crate) request_key: EcKey,
    deferred_codes: Mutex<HashSet<String>>,
    tokens: Mutex<HashMap<String, TokenExtras>>,
    pub(crate) transactions: Mutex<HashMap<String, Transaction>>,
    pub(crate) notifications: Mutex<HashMap<String, NotificationRecord>>,
}

impl Followups {
    pub(crate) fn new(entropy: &Entropy) -> Self {
        Self {
            request_key: EcKey::generate(&entropy.derive("request encryption")),
            deferred_codes: Mutex::default(),
            tokens: Mutex::default(),
            transactions: Mutex::default(),
            notifications: Mutex::default(),
        }
    }

    /// The control API asked for this code's credentials to be deferred.
    pub(crate) fn defer_code(&self, code: &str) {
        let mut codes = lock(&self.deferred_codes);
        if codes.len() < MAX_REMEMBERED {
            codes.insert(code.to_string());
        }
    }

    fn extras(&self, token: &str) -> TokenExtras {
        lock(&self.tokens).get(token).cloned().unwrap_or_default()
    }
}

/// Its metadata members for these features (§12.2.4).
pub(crate) fn advertise(issuer: &Issuer, metadata: &mut CredentialIssuerMetadata) {
    let policy = issuer.behaviour.followup();
    metadata.batch_credential_issuance = Some(BatchCredentialIssuance { batch_size: *policy.batch_size() });
    metadata.deferred_credential_endpoint = Some(issuer.url(DEFERRED_PATH));
    metadata.notification_endpoint = Some(issuer.url(NOTIFICATION_PATH));
    metadata.credential_response_encryption = Some(encryption::response_metadata().to_json());
    metadata.credential_request_encryption = Some(encryption::request_metadata(issuer).to_json());
}

/// At the token endpoint, after the code is redeemed into `token`: remembers a deferral and grants
/// credential identifiers for `authorization_details` (§6.1, §6.2). The token response's
/// `authorization_details`, or the refusal.
pub(crate) fn on_token(
    issuer: &Issuer,
    request: &TokenRequest,
    configuration_ids: &[String],
    token: &str,
) -> Result<Option<Vec<Value>>, Box<Response>> {
    let f = &issuer.followup;
    let deferred = request.pre_authorized_code.as_deref().is_some_and(|c| lock(&f.deferred_codes).remove(c));
    let mut extras = TokenExtras { deferred, ..TokenExtras::default() };
    let mut granted = None;
    if let Some(text) = &request.authorization_details {
        let refused = |why: String| {
            Box::new(json_response(
                StatusCode::BAD_REQUEST,
                ErrorResponse::new(INVALID_AUTHORIZATION_DETAILS, why).to_json(),
            ))
        };
        let mut details = AuthorizationDetail::decode(text).map_err(refused)?;
        if let Some(other) = details.iter().find(|d| d.kind != AuthorizationDetail::OPENID_CREDENTIAL) {
            return Err(refused(format!(
                "authorization_details type {:?} is not {}",
                other.kind,
                AuthorizationDetail::OPENID_CREDENTIAL
            )));
        }
        for detail in &mut details {
            let Some(id) = detail.credential_configuration_id.clone().filter(|c| configuration_ids.contains(c)) else {
                return Err(refused("authorization_details names a configuration this grant does not cover".into()));
            };
            let identifier = format!("{id}-{}", issuer.entropy.token(8));
            extras.identifiers.insert(identifier.clone(), id);
            detail.credential_identifiers = Some(vec![identifier]);
        }
        if *issuer.behaviour.followup().grants_identifiers() {
            granted = Some(details.iter().filter_map(|d| serde_json::to_value(d).ok()).collect());
        }
    }
    let mut tokens = lock(&f.tokens);
    if tokens.len() < MAX_REMEMBERED {
        tokens.insert(token.to_string(), extras);
    }
    Ok(granted)
}

/// The configuration a credential request asks for (§8.2): by `credential_identifier` when the
/// token granted identifiers, else by `credential_configuration_id`; the refusal's code and why.
pub(crate) fn configuration_of(
    issuer: &Issuer,
    token: &str,
    configuration_id: Option<&str>,
    identifier: Option<&str>,
    granted: &[String],
    granted_identifiers: &[(String, String)],
) -> Result<String, (&'static str, String)> {
    use dialtone_protocols::oid4vci::credential_error as ce;
    let extras = issuer.followup.extras(token);
    let by_identifier = |i: &str| {
        extras
            .identifiers
            .get(i)
            .cloned()
            .or_else(|| granted_identifiers.iter().find(|(id, _)| id == i).map(|(_, c)| c.clone()))
    };
    match (configuration_id, identifier) {
        (Some(_), None) if !extras.identifiers.is_empty() || !granted_identifiers.is_empty() => Err((
            ce::INVALID_CREDENTIAL_REQUEST,
            "credential_identifiers were granted: credential_configuration_id must not be used (§8.2)".into(),
        )),
        (Some(c), None) => Ok(c.to_string()),
        (None, Some(i)) => match by_identifier(i) {
            Some(c) => Ok(c),
            None if *issuer.behaviour.followup().any_identifier() && !granted.is_empty() => Ok(granted[0].clone()),
            None => Err((
                ce::UNKNOWN_CREDENTIAL_IDENTIFIER,
                "this access token was granted no such credential identifier".into(),
            )),
        },
        _ => Err((
            ce::INVALID_CREDENTIAL_REQUEST,
            "exactly one of credential_configuration_id and credential_identifier is required".into(),
        )),
    }
}

/// Whether the issuer (wrongly) holds back credentials until the last ones were notified.
pub(crate) fn waiting_for_notification(issuer: &Issuer, token: &str) -> bool {
    // Its policy is read only where there is something to hold back for.
    issuer.followup.extras(token).unnotified.is_some() && *issuer.behaviour.followup().notification_required()
}

/// Whether `proofs` proofs are more than a request may carry: `batch_size`, or any number when the
/// limit is not enforced (noted only where that decides).
pub(crate) fn too_many_proofs(issuer: &Issuer, proofs: usize) -> bool {
    let policy = issuer.behaviour.followup();
    let batch_size = (*policy.batch_size()).max(1) as usize;
    policy.judged_by(
        "batch_size_enforced",
        |p| &p.batch_size_enforced,
        || Behaviour::others(|b| &b.followup.batch_size_enforced),
        |enforced| *enforced && proofs > batch_size,
    )
}

/// Binds the credentials of a batch: each proof's key, or (the fault) the first for all.
pub(crate) fn holder_keys(issuer: &Issuer, mut keys: Vec<Value>) -> Vec<Value> {
    if *issuer.behaviour.followup().batch_same_key()
        && let Some(first) = keys.first().cloned()
    {
        keys.iter_mut().for_each(|k| *k = first.clone());
    }
    keys
}

/// A fresh notification id for `token`'s credentials (§8.3).
pub(crate) fn notification_id(issuer: &Issuer, token: &str) -> String {
    let id = issuer.entropy.token(12);
    lock(&issuer.log.notification_ids).push(id.clone());
    let mut records = lock(&issuer.followup.notifications);
    if records.len() < MAX_REMEMBERED {
        records.insert(id.clone(), NotificationRecord { token: token.to_string(), events: Vec::new() });
    }
    if let Some(extras) = lock(&issuer.followup.tokens).get_mut(token) {
        extras.unnotified = Some(id.clone());
    }
    id
}

/// The credential endpoint's success: the credentials now with a notification id (200), or a
/// transaction to come back for (202, §8.3) when the token's issuance is deferred; encrypted when asked.
pub(crate) fn respond(
    issuer: &Issuer,
    token: &str,
    credentials: Vec<Value>,
    encryption: Option<ResponseEncryption>,
) -> Response {
    let policy = issuer.behaviour.followup();
    if issuer.followup.extras(token).deferred {
        let id = issuer.entropy.token(16);
        let ready_at = Instant::now() + issuer.second * policy::DEFERRED_INTERVAL_SECS as u32;
        {
            let mut transactions = lock(&issuer.followup.transactions);
            if transactions.len() < MAX_REMEMBERED {
                transactions.insert(id.clone(), Transaction { token: token.to_string(), ready_at, credentials });
            }
        }
        lock(&issuer.log.deferred_answers).push(Instant::now());
        let body = CredentialResponse {
            transaction_id: Some(id),
            interval: (!policy.deferred_without_interval()).then_some(policy::DEFERRED_INTERVAL_SECS),
            ..CredentialResponse::default()
        };
        return answer(issuer, StatusCode::ACCEPTED, &body, encryption.as_ref());
    }
    issued(issuer, token, credentials, encryption.as_ref())
}

/// HTTP 200 with `credentials` and a notification id.
pub(crate) fn issued(
    issuer: &Issuer,
    token: &str,
    credentials: Vec<Value>,
    encryption: Option<&ResponseEncryption>,
) -> Response {
    let body = CredentialResponse {
        credentials: Some(
            credentials.into_iter().map(|credential| IssuedCredential { credential, extra: Map::new() }).collect(),
        ),
        notification_id: Some(notification_id(issuer, token)),
        ..CredentialResponse::default()
    };
    answer(issuer, StatusCode::OK, &body, encryption)
}

/// A credential response as JSON, or as a JWE to the wallet's key when it asked (§10).
fn answer(
    issuer: &Issuer,
    status: StatusCode,
    body: &CredentialResponse,
    encryption: Option<&ResponseEncryption>,
) -> Response {
    if let Some(to) = encryption.filter(|_| *issuer.behaviour.followup().encrypts_responses())
        && let Ok(jwe) = dialtone_protocols::oid4vci::encryption::encrypt(&body.to_json(), to)
    {
        return (status, [(header::CONTENT_TYPE, MEDIA_TYPE), (header::CACHE_CONTROL, "no-store")], jwe)
            .into_response();
    }
    json_response(status, body.to_json())
}

/// HTTP 202: the transaction is not ready; come back after `interval` seconds (§9.2).
pub(crate) fn answer_pending(
    issuer: &Issuer,
    transaction_id: &str,
    interval: i64,
    encryption: Option<&ResponseEncryption>,
) -> Response {
    let body = CredentialResponse {
        transaction_id: Some(transaction_id.to_string()),
        interval: Some(interval),
        ..CredentialResponse::default()
    };
    answer(issuer, StatusCode::ACCEPTED, &body, encryption)
}

/// The wallet notified about `token`'s last credentials.
pub(crate) fn notified(issuer: &Issuer, token: &str) {
    if let Some(extras) = lock(&issuer.followup.tokens).get_mut(token) {
        extras.unnotified = None;
    }
}
