//! The access token check of the resource endpoints (credential, deferred credential, notification):
//! one function, so that every endpoint checks the same way (RFC 6750 §2.1, §3).

use super::reference::{CONFIG_VERIFIED_PERSON, Issuer, bearer_challenge};
use super::state::{AccessGrant, lock};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use dialtone_protocols::now_epoch;
use dialtone_protocols::oid4vci::credential_error as ce;

/// The access token presented and what it grants, or the refusal to send (boxed: a response is large).
pub(crate) fn authorize(issuer: &Issuer, headers: &HeaderMap) -> Result<(String, AccessGrant), Box<Response>> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    if !issuer.behaviour.credential.auth_checked {
        let grant = AccessGrant { configuration_ids: vec![CONFIG_VERIFIED_PERSON.into()], expires: i64::MAX };
        return Ok((token.unwrap_or_default().to_string(), grant));
    }
    let Some(token) = token else { return Err(Box::new(bearer_challenge(issuer, None))) };
    match lock(&issuer.state.tokens).get(token).cloned() {
        Some(g) if g.expires >= now_epoch() => Ok((token.to_string(), g)),
        _ => Err(Box::new(bearer_challenge(issuer, Some(ce::INVALID_TOKEN)))),
    }
}
