//! The reference authorization server's side of the authorization code flow: the PAR endpoint
//! (RFC 9126), the authorization endpoint (RFC 6749 §4.1, §5.1 here) with its test user, the
//! control API's headless login, and the `authorization_code` grant at the token endpoint (RFC 6749
//! §4.1.3, RFC 7636 §4.6), each as its [`AuthorizePolicy`](super::super::behaviour::AuthorizePolicy)
//! says.

use super::{CONFIG_VERIFIED_PERSON, Issuer, configuration, json_response, message};
use crate::issuer::state::*;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use dialtone_protocols::control::{AuthorizeAnswer, AuthorizeRequest};
use dialtone_protocols::message::Message;
use dialtone_protocols::now_epoch;
use dialtone_protocols::oauth::pkce;
use dialtone_protocols::oid4vci::authorization_error as ae;
use dialtone_protocols::oid4vci::message::{
    AuthorizationDetail, AuthorizationRequest, AuthorizationResponse, ErrorResponse, PushedAuthorizationResponse,
    TokenRequest,
};
use dialtone_protocols::oid4vci::token_error as te;
use serde_json::Value;
use std::sync::Arc;

pub(crate) const AUTHORIZE_PATH: &str = "/authorize";
pub(crate) const LOGIN_PATH: &str = "/authorize/login";
pub(crate) const PAR_PATH: &str = "/par";

/// Why an authorization request is refused: with a redirect to the client (RFC 6749 §4.1.2.1) once
/// its `redirect_uri` is known good, else shown to the user.
struct Refusal {
    error: &'static str,
    description: String,
    redirect: Option<(String, Option<String>)>,
}

impl Refusal {
    fn shown(error: &'static str, description: impl Into<String>) -> Self {
        Self { error, description: description.into(), redirect: None }
    }

    fn redirected(error: &'static str, description: impl Into<String>, to: &AuthorizationRequest) -> Self {
        let redirect = to.redirect_uri.clone().map(|uri| (uri, to.state.clone()));
        Self { error, description: description.into(), redirect }
    }

    fn redirect_url(&self, issuer: &Issuer) -> Option<String> {
        let (uri, state) = self.redirect.as_ref()?;
        let response = AuthorizationResponse {
            state: state.clone(),
            iss: Some(issuer.identifier.clone()),
            error: Some(self.error.into()),
            error_description: Some(self.description.clone()),
            ..AuthorizationResponse::default()
        };
        Some(response.redirect(uri))
    }
}

/// A redirect URI the server will send a browser to: an absolute URI without fragment (RFC 6749
/// §3.1.2), https or a loopback or private-use scheme (RFC 8252 §7).
fn acceptable_redirect(uri: &str) -> bool {
    let Some((scheme, rest)) = uri.split_once(':') else { return false };
    let scheme_ok = !scheme.is_empty()
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && (scheme != "http" || rest.starts_with("//127.0.0.1") || rest.starts_with("//localhost"));
    scheme_ok && !uri.contains('#') && !rest.is_empty()
}

/// The configurations a request asks for, by `authorization_details` or `scope` (§5.1.1, §5.1.2).
fn requested_configurations(issuer: &Issuer, request: &AuthorizationRequest) -> Result<(Vec<String>, bool), Refusal> {
    let policy = issuer.behaviour.authorize();
    let mut configurations = Vec::new();
    let mut details_requested = false;
    if let Some(text) = &request.authorization_details {
        if !policy.authorization_details() {
            return Err(Refusal::redirected(
                ae::INVALID_AUTHORIZATION_DETAILS,
                "authorization_details are not supported here; ask by scope",
                request,
            ));
        }
        let details = AuthorizationDetail::decode(text)
            .map_err(|e| Refusal::redirected(ae::INVALID_AUTHORIZATION_DETAILS, e, request))?;
        for detail in details.iter().filter(|d| d.kind == AuthorizationDetail::OPENID_CREDENTIAL) {
            match detail.credential_configuration_id.as_deref() {
                Some(id) if id == CONFIG_VERIFIED_PERSON => configurations.push(id.to_string()),
                other => {
                    return Err(Refusal::redirected(
                        ae::INVALID_AUTHORIZATION_DETAILS,
                        format!("unknown credential_configuration_id {other:?}"),
                        request,
                    ));
                }
            }
        }
        details_requested = !configurations.is_empty();
    }
    if let Some(scope) = request.scope.as_deref().filter(|_| *policy.scope()) {
        let ours = configuration(&issuer.key_attestations).scope.unwrap_or_default();
        if scope.split(' ').any(|s| s == ours) && !configurations.iter().any(|c| c == CONFIG_VERIFIED_PERSON) {
            configurations.push(CONFIG_VERIFIED_PERSON.to_string());
        }
    }
    if configurations.is_empty() {
        return Err(Refusal::redirected(
            ae::INVALID_SCOPE,
            "neither authorization_details nor scope names a credential configuration of this issuer",
            request,
        ));
    }
    Ok((configurations, details_requested))
}

/// Validates a request's parameters (RFC 6749 §4.1.1, RFC 7636 §4.4, §5.1 here).
fn validate(issuer: &Issuer, request: &AuthorizationRequest) -> Result<Authorized, Refusal> {
    let policy = issuer.behaviour.authorize();
    let client_id =
        request.client_id.clone().ok_or_else(|| Refusal::shown(ae::INVALID_REQUEST, "client_id is missing"))?;
    let redirect_uri = request
        .redirect_uri
        .clone()
        .filter(|u| acceptable_redirect(u))
        .ok_or_else(|| Refusal::shown(ae::INVALID_REQUEST, "redirect_uri is missing or not acceptable"))?;
    if request.response_type.as_deref() != Some(AuthorizationRequest::CODE) {
        return Err(Refusal::redirected(ae::UNSUPPORTED_RESPONSE_TYPE, "response_type must be code", request));
    }
    // RFC 7636 §4.3: a missing method means plain.
    let method = request.code_challenge_method.clone().unwrap_or_else(|| pkce::PLAIN.into());
    match &request.code_challenge {
        None if *policy.pkce_required() => {
            return Err(Refusal::redirected(ae::INVALID_REQUEST, "code_challenge is required (PKCE)", request));
        }
        Some(_) if method == pkce::PLAIN && !policy.plain_pkce_accepted() => {
            return Err(Refusal::redirected(
                ae::INVALID_REQUEST,
                "transform algorithm not supported: code_challenge_method must be S256",
                request,
            ));
        }
        Some(_) if method != pkce::PLAIN && method != pkce::S256 => {
            return Err(Refusal::redirected(ae::INVALID_REQUEST, "unknown code_challenge_method", request));
        }
        _ => {}
    }
    let (configuration_ids, details_requested) = requested_configurations(issuer, request)?;
    // An `issuer_state` this issuer never gave is ignored: it may have been injected (§5.1.3).
    Ok(Authorized {
        client_id,
        redirect_uri,
        state: request.state.clone(),
        code_challenge: request.code_challenge.clone(),
        code_challenge_method: method,
        configuration_ids,
        details_requested,
    })
}

fn read_request(query: &str) -> Result<AuthorizationRequest, Refusal> {
    AuthorizationRequest::from_query(query).map_err(|e| Refusal::shown(ae::INVALID_REQUEST, e.to_string()))
}

/// Milliseconds since the Unix epoch: request URIs live seconds, and expire to the millisecond.
fn now_millis() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// POST /par (RFC 9126 §2).
pub(super) async fn pushed_authorization_request(State(issuer): State<Arc<Issuer>>, body: Bytes) -> Response {
    let refused = |error: &str, description: String| {
        json_response(StatusCode::BAD_REQUEST, ErrorResponse::new(error, description).to_json())
    };
    let request = match std::str::from_utf8(&body).map_err(|e| Refusal::shown(ae::INVALID_REQUEST, e.to_string())) {
        Ok(text) => match read_request(text) {
            Ok(r) => r,
            Err(r) => return refused(r.error, r.description),
        },
        Err(r) => return refused(r.error, r.description),
    };
    lock(&issuer.log.authorization_requests).push(LoggedAuthorization { pushed: true, request: request.clone() });
    if request.request_uri.is_some() {
        return refused(ae::INVALID_REQUEST, "a pushed request must not carry request_uri (RFC 9126 §2.1)".into());
    }
    let authorized = match validate(&issuer, &request) {
        Ok(a) => a,
        Err(r) => return refused(r.error, r.description),
    };
    let lifetime = issuer.behaviour.authorize().request_uri_lifetime();
    let request_uri = format!("{}{}", PushedAuthorizationResponse::REQUEST_URI_PREFIX, issuer.entropy.token(24));
    let expires = now_millis() + lifetime * issuer.second.as_millis() as i64;
    lock(&issuer.state.pushed).insert(request_uri.clone(), Pushed { authorized, expires, used: false });
    *lock(&issuer.state.last_pushed) = Some(request_uri.clone());
    let response = PushedAuthorizationResponse { request_uri, expires_in: *lifetime, extra: Default::default() };
    let status = StatusCode::from_u16(*issuer.behaviour.authorize().par_status()).unwrap_or(StatusCode::CREATED);
    json_response(status, serde_json::to_value(response).unwrap_or(Value::Null))
}

/// The request an authorization URL's query makes: a pushed one by its request URI (RFC 9126 §4),
/// or its own parameters where PAR is not required.
fn begin(issuer: &Issuer, query: &str) -> Result<Authorized, Refusal> {
    let policy = issuer.behaviour.authorize();
    let request = read_request(query)?;
    lock(&issuer.log.authorization_requests).push(LoggedAuthorization { pushed: false, request: request.clone() });
    let Some(request_uri) = &request.request_uri else {
        if *policy.par_enforced() {
            return Err(Refusal::shown(
                ae::INVALID_REQUEST,
                "authorization requests must be pushed (require_pushed_authorization_requests, RFC 9126 §4)",
            ));
        }
        return validate(issuer, &request);
    };
    let resolved = if *policy.request_uri_resolved() {
        request_uri.clone()
    } else {
        lock(&issuer.state.last_pushed).clone().unwrap_or_default()
    };
    let mut pushed = lock(&issuer.state.pushed);
    let unusable = || Refusal::shown(ae::INVALID_REQUEST, "request_uri is unknown, expired or already used");
    let entry = pushed.get_mut(&resolved).ok_or_else(unusable)?;
    if (entry.used && *policy.request_uri_single_use())
        || (*policy.request_uri_expiry_checked() && now_millis() >= entry.expires)
    {
        return Err(unusable());
    }
    if request.client_id.as_deref() != Some(entry.authorized.client_id.as_str()) {
        return Err(Refusal::shown(ae::INVALID_REQUEST, "client_id is not the one that pushed the request"));
    }
    entry.used = true;
    Ok(entry.authorized.clone())
}

/// The test user signs in and consents: a code bound to the request, and the redirect carrying it.
fn complete(issuer: &Issuer, authorized: Authorized) -> String {
    let code = issuer.entropy.token(24);
    let response = AuthorizationResponse {
        code: Some(code.clone()),
        state: authorized.state.clone(),
        iss: Some(issuer.identifier.clone()),
        ..AuthorizationResponse::default()
    };
    let redirect = response.redirect(&authorized.redirect_uri);
    lock(&issuer.state.authorization_codes)
        .insert(code, IssuedCode { authorized, created: now_epoch(), redeemed: false });
    redirect
}

fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = header::HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    response
}

fn refusal_response(issuer: &Issuer, refusal: &Refusal) -> Response {
    match refusal.redirect_url(issuer) {
        Some(url) => see_other(&url),
        None => json_response(
            StatusCode::BAD_REQUEST,
            ErrorResponse::new(refusal.error, refusal.description.clone()).to_json(),
        ),
    }
}

/// GET /authorize: the test user's sign-in page (or, when the user is signed in already, the
/// redirect with the code).
pub(super) async fn authorization_endpoint(State(issuer): State<Arc<Issuer>>, RawQuery(query): RawQuery) -> Response {
    let authorized = match begin(&issuer, query.as_deref().unwrap_or_default()) {
        Ok(a) => a,
        Err(refusal) => return refusal_response(&issuer, &refusal),
    };
    if *issuer.behaviour.authorize().auto_login() {
        return see_other(&complete(&issuer, authorized));
    }
    let ticket = issuer.entropy.token(18);
    lock(&issuer.state.pending).insert(ticket.clone(), authorized);
    // The ticket is base64url (no character HTML would read).
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>dialtone reference issuer: sign in</title></head>\
         <body><h1>Sign in</h1><p>The wallet asks for a Verified Person credential for the test user.</p>\
         <form method=\"post\" action=\"{LOGIN_PATH}\"><input type=\"hidden\" name=\"ticket\" value=\"{ticket}\">\
         <button type=\"submit\">Sign in as the test user and consent</button></form></body></html>"
    );
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], page)
        .into_response()
}

/// POST /authorize/login: the person at the sign-in page consents.
pub(super) async fn login(State(issuer): State<Arc<Issuer>>, body: Bytes) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let ticket = pairs.iter().find(|(k, _)| k == "ticket").map(|(_, v)| v.as_str()).unwrap_or_default();
    let Some(authorized) = lock(&issuer.state.pending).remove(ticket) else {
        return refusal_response(&issuer, &Refusal::shown(ae::ACCESS_DENIED, "this sign-in page has expired"));
    };
    see_other(&complete(&issuer, authorized))
}

/// POST /control/authorize: the test user signs in at the authorization URL a wallet would open.
pub(super) async fn control_authorize(State(issuer): State<Arc<Issuer>>, body: Bytes) -> Response {
    let Ok(asked) = serde_json::from_slice::<AuthorizeRequest>(&body) else {
        return json_response(
            StatusCode::BAD_REQUEST,
            ErrorResponse::new(te::INVALID_REQUEST, "authorization_url is required").to_json(),
        );
    };
    let query = asked.authorization_url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let answer = match begin(&issuer, query) {
        Ok(authorized) => {
            AuthorizeAnswer { redirect: Some(complete(&issuer, authorized)), ..AuthorizeAnswer::default() }
        }
        Err(refusal) => match refusal.redirect_url(&issuer) {
            Some(url) => AuthorizeAnswer { redirect: Some(url), ..AuthorizeAnswer::default() },
            None => AuthorizeAnswer {
                redirect: None,
                error: Some(refusal.error.into()),
                error_description: Some(refusal.description),
            },
        },
    };
    json_response(StatusCode::OK, serde_json::to_value(answer).unwrap_or(Value::Null))
}

/// The `authorization_code` grant (RFC 6749 §4.1.3, RFC 7636 §4.6): the access token and, when
/// `authorization_details` were asked for, them with credential identifiers (§6.2).
pub(super) fn redeem(issuer: &Issuer, request: &TokenRequest, jkt: Option<String>) -> Response {
    let policy = issuer.behaviour.authorize();
    let Some(code) = request.code.as_deref() else {
        return issuer.token_error(te::INVALID_REQUEST, "code is missing");
    };
    let authorized = {
        let mut codes = lock(&issuer.state.authorization_codes);
        let Some(issued) = codes.get_mut(code) else {
            return issuer.token_error(te::INVALID_GRANT, "unknown authorization code");
        };
        if (issued.redeemed && *policy.single_use_codes())
            || now_epoch() - issued.created > AUTHORIZATION_CODE_LIFETIME_SECS
        {
            return issuer.token_error(te::INVALID_GRANT, "authorization code expired or already used");
        }
        let bound = &issued.authorized;
        if *policy.code_bound_to_client() && request.client_id.as_deref() != Some(bound.client_id.as_str()) {
            return issuer.token_error(te::INVALID_GRANT, "the code was issued to another client");
        }
        if *policy.code_bound_to_redirect_uri() && request.redirect_uri.as_deref() != Some(bound.redirect_uri.as_str())
        {
            return issuer.token_error(te::INVALID_GRANT, "redirect_uri differs from the authorization request's");
        }
        if *policy.pkce_checked()
            && let Some(challenge) = &bound.code_challenge
        {
            match request.code_verifier.as_deref() {
                None => return issuer.token_error(te::INVALID_GRANT, "code_verifier is missing"),
                Some(v) if !pkce::verify(&bound.code_challenge_method, challenge, v) => {
                    return issuer.token_error(te::INVALID_GRANT, "code_verifier does not match code_challenge");
                }
                Some(_) => {}
            }
        }
        issued.redeemed = true;
        issued.authorized.clone()
    };
    let mut grant = AccessGrant::new(authorized.configuration_ids.clone(), now_epoch() + TOKEN_LIFETIME_SECS);
    grant.jkt = jkt;
    let mut details = None;
    if authorized.details_requested {
        grant.credential_identifiers = authorized
            .configuration_ids
            .iter()
            .map(|c| (format!("{c}-{}", issuer.entropy.token(6)), c.clone()))
            .collect();
        let returned: Vec<Value> = grant
            .credential_identifiers
            .iter()
            .map(|(id, c)| AuthorizationDetail {
                credential_identifiers: Some(vec![id.clone()]),
                ..AuthorizationDetail::for_configuration(c)
            })
            .filter_map(|d| serde_json::to_value(d).ok())
            .collect();
        details = policy.details_in_token_response().then_some(returned);
    }
    message(&super::grant_access_token(issuer, issuer.entropy.token(32), grant, details))
}
