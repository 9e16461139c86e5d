//! The deferred credential endpoint (§9): a transaction not ready yet is answered 202 with its id
//! and `interval` (§9.2), a ready one with its credentials (and the id is spent), an unknown or
//! spent one with `invalid_transaction_id` (§9.3).

use super::super::reference::Issuer;
use super::super::resource::authorize_presented;
use super::super::state::lock;
use super::{answer_pending, issued, policy};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::response::Response;
use dialtone_protocols::message::Message;
use dialtone_protocols::oid4vci::credential_error as ce;
use dialtone_protocols::oid4vci::deferred::DeferredCredentialRequest;
use std::sync::Arc;
use std::time::Instant;

/// What draft 13 answered a transaction not ready yet with (400, this code); 1.0 answers 202.
const ISSUANCE_PENDING: &str = "issuance_pending";

pub(crate) async fn endpoint(
    State(issuer): State<Arc<Issuer>>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    body: Bytes,
) -> Response {
    let (token, _) = match authorize_presented(&issuer, &headers, "POST", &uri) {
        Ok(g) => g,
        Err(refusal) => return refusal.into_response(),
    };
    let request = match DeferredCredentialRequest::parse_bytes(&body) {
        Ok(r) => r.value,
        Err(e) => return issuer.credential_error(ce::INVALID_CREDENTIAL_REQUEST, &e.to_string()),
    };
    lock(&issuer.log.deferred_requests).push((Instant::now(), request.transaction_id.clone()));
    let encryption = match super::encryption::asked(&issuer, request.credential_response_encryption.clone()) {
        Ok(e) => e,
        Err(refusal) => return *refusal,
    };
    let policy = issuer.behaviour.followup();
    let transaction = {
        let mut transactions = lock(&issuer.followup.transactions);
        match transactions.get(&request.transaction_id) {
            Some(t) if t.token == token || !issuer.behaviour.credential().auth_checked() => {
                let t = t.clone();
                if t.ready_at <= Instant::now() && !policy.transactions_reusable() {
                    transactions.remove(&request.transaction_id);
                }
                t
            }
            _ => return issuer.credential_error(policy.unknown_transaction_error(), "unknown or spent transaction_id"),
        }
    };
    if transaction.ready_at > Instant::now() {
        if *policy.pending_as_error() {
            return issuer.credential_error(ISSUANCE_PENDING, "the credential is not ready yet");
        }
        return answer_pending(&issuer, &request.transaction_id, policy::DEFERRED_INTERVAL_SECS, encryption.as_ref());
    }
    issued(&issuer, &token, transaction.credentials, encryption.as_ref())
}
