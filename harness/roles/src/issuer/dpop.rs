//! DPoP (RFC 9449) at the reference authorization server and issuer: the proof of a token request
//! (§5) for every grant, the proof of a protected-resource request (§7), the server nonces it
//! demands (§8, §9), and the answers to a refused proof. What it checks is its [`DpopBehaviour`].
//!
//! [`DpopBehaviour`]: super::behaviour::DpopBehaviour

use super::behaviour::Behaviour;
use super::reference::{Issuer, json_response};
use super::resource::Refusal;
use super::state::{SeenDpop, lock};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use dialtone_protocols::dpop::{self, CheckedDpop, DpopError, DpopRequest};
use dialtone_protocols::message::Message;
use dialtone_protocols::now_epoch;
use dialtone_protocols::oid4vci::credential_error::INVALID_TOKEN;
use dialtone_protocols::oid4vci::message::ErrorResponse;

/// The `DPoP` header values of a request.
fn proofs(headers: &HeaderMap) -> Vec<&str> {
    headers.get_all(dpop::HEADER).iter().filter_map(|v| v.to_str().ok()).collect()
}

/// Whether the request carries a DPoP proof.
pub(crate) fn present(headers: &HeaderMap) -> bool {
    headers.contains_key(dpop::HEADER)
}

/// Adds a fresh `DPoP-Nonce` to a response (§8.2: a server may give a new one with any answer).
pub(crate) fn with_nonce(issuer: &Issuer, mut response: Response) -> Response {
    if *issuer.behaviour.dpop().advertised() {
        let nonce = issuer.state.dpop.nonce(&issuer.entropy, now_epoch());
        lock(&issuer.log.dpop_nonces).push(nonce.clone());
        if let Ok(v) = HeaderValue::from_str(&nonce) {
            response.headers_mut().insert(dpop::NONCE_HEADER, v);
        }
    }
    response
}

/// Checks the proof of a request to `path` (`method`, at the issuer's URL) as its behaviour says.
fn check(
    issuer: &Issuer,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    access_token: Option<&str>,
) -> Result<CheckedDpop, DpopError> {
    let values = proofs(headers);
    lock(&issuer.log.dpop_proofs).push(SeenDpop {
        path: path.to_string(),
        proofs: values.iter().map(|v| v.to_string()).collect(),
        access_token: access_token.map(str::to_string),
    });
    let url = issuer.url(path);
    let request = DpopRequest { method, url: &url, access_token, now: now_epoch() };
    let dpop = issuer.behaviour.dpop();
    // Noted only where a mutant's policy would judge this proof otherwise (judging leaves the
    // server's nonces and seen `jti`s as they are).
    dpop.note_where_judged_otherwise(
        "policy",
        |d| &d.policy,
        || Behaviour::others(|b| &b.dpop.policy),
        |policy| issuer.state.dpop.judge(&values, request, *policy).map(|checked| checked.jkt),
    );
    issuer.state.dpop.check(&values, request, *dpop.as_judged(|d| &d.policy))
}

/// The token endpoint's DPoP step, for every grant (§5): `Ok(None)` without a proof (a Bearer
/// token), `Ok(Some(jkt))` for a valid proof (the token is bound to that key), else the answer:
/// HTTP 400 `invalid_dpop_proof`, or `use_dpop_nonce` with a `DPoP-Nonce` (§8).
pub(crate) fn token_binding(issuer: &Issuer, headers: &HeaderMap, path: &str) -> Result<Option<String>, Refusal> {
    if !issuer.behaviour.dpop().advertised() || !present(headers) {
        return Ok(None);
    }
    match check(issuer, headers, "POST", path, None) {
        Ok(checked) => Ok(Some(checked.jkt)),
        Err(e) => {
            let body = ErrorResponse::new(e.code(), e.to_string()).to_json();
            let response = json_response(StatusCode::BAD_REQUEST, body);
            Err(if matches!(e, DpopError::NonceNeeded(_)) { with_nonce(issuer, response) } else { response }.into())
        }
    }
}

/// The protected endpoint's DPoP step for a token bound to `jkt` (§7.1): the proof is valid, goes
/// with this token (`ath`) and is signed by the bound key; else a 401 `DPoP` challenge.
pub(crate) fn resource_proof(
    issuer: &Issuer,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    token: &str,
    jkt: &str,
) -> Result<(), Refusal> {
    let behaviour = issuer.behaviour.dpop();
    if !behaviour.binding_checked() && !present(headers) {
        return Ok(());
    }
    match check(issuer, headers, method, path, Some(token)) {
        Ok(checked) if checked.jkt == jkt || !behaviour.binding_checked() => Ok(()),
        Ok(_) => Err(challenge(Some((INVALID_TOKEN, "the DPoP proof is not by the key the token is bound to"))).into()),
        Err(e @ DpopError::NonceNeeded(_)) => {
            Err(with_nonce(issuer, challenge(Some((e.code(), &e.to_string())))).into())
        }
        Err(e) => Err(challenge(Some((e.code(), &e.to_string()))).into()),
    }
}

/// HTTP 401 with a `DPoP` challenge (§7.1), with `error` and its description when given.
pub(crate) fn challenge(error: Option<(&str, &str)>) -> Response {
    let algs = dpop::ALGS.join(" ");
    let value = match error {
        Some((code, why)) => {
            // RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E.
            let why: String = why.chars().filter(|c| matches!(c, ' '..='~') && !matches!(c, '"' | '\\')).collect();
            format!("{} error=\"{code}\", error_description=\"{why}\", algs=\"{algs}\"", dpop::SCHEME)
        }
        None => format!("{} algs=\"{algs}\"", dpop::SCHEME),
    };
    let body = ErrorResponse::code(error.map(|(c, _)| c).unwrap_or("invalid_request")).to_json();
    let mut response = json_response(StatusCode::UNAUTHORIZED, body);
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    response
}
