//! Access to the reference issuer's protected endpoints (credential, nonce, and whatever else takes
//! an access token): where the token may be presented (RFC 6750 §2.1, not §2.3's query string),
//! in which scheme (`Bearer`, or `DPoP` with a proof, RFC 9449 §7), and the challenge of a refusal
//! (RFC 6750 §3, RFC 9449 §7.1). Every protected endpoint calls [`authorize_resource`] once.

use super::dpop;
use super::reference::{CONFIG_VERIFIED_PERSON, Issuer};
use super::state::{AccessGrant, lock};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use dialtone_protocols::message::Message;
use dialtone_protocols::now_epoch;
use dialtone_protocols::oid4vci::credential_error as ce;
use dialtone_protocols::oid4vci::message::{ErrorResponse, QUERY_ACCESS_TOKEN};
use dialtone_protocols::oid4vci::token_error as te;

/// The answer to a request that may not use the resource (boxed: a response is large).
pub(crate) struct Refusal(Box<Response>);

impl From<Response> for Refusal {
    fn from(response: Response) -> Self {
        Self(Box::new(response))
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        *self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Bearer,
    Dpop,
}

/// The token of an `Authorization` header, and its scheme (compared without case).
fn authorization(headers: &HeaderMap) -> Option<(Scheme, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let scheme = if scheme.eq_ignore_ascii_case("bearer") {
        Scheme::Bearer
    } else if scheme.eq_ignore_ascii_case(dialtone_protocols::dpop::SCHEME) {
        Scheme::Dpop
    } else {
        return None;
    };
    Some((scheme, token.trim().to_string()))
}

fn query_token(uri: &Uri) -> Option<String> {
    let params: Vec<(String, String)> = serde_urlencoded::from_str(uri.query()?).ok()?;
    params.into_iter().find(|(k, _)| k == QUERY_ACCESS_TOKEN).map(|(_, v)| v)
}

/// Whether a request to `uri` at `method` may use the resource, and with which grant; else the
/// refusal to answer with.
pub(crate) fn authorize_resource(
    issuer: &Issuer,
    headers: &HeaderMap,
    method: &str,
    uri: &Uri,
) -> Result<AccessGrant, Refusal> {
    authorize_presented(issuer, headers, method, uri).map(|(_, grant)| grant)
}

/// [`authorize_resource`], also giving the access token presented (what the endpoint's own records
/// of the token, e.g. its credential identifiers or deferred transactions, are kept by).
pub(crate) fn authorize_presented(
    issuer: &Issuer,
    headers: &HeaderMap,
    method: &str,
    uri: &Uri,
) -> Result<(String, AccessGrant), Refusal> {
    let policy = issuer.behaviour.credential();
    let behaviour = issuer.behaviour.dpop();
    let in_query = query_token(uri);
    if in_query.is_some() && *behaviour.query_token_refused() {
        return Err(Refusal::from(refusal(
            StatusCode::BAD_REQUEST,
            format!(
                "Bearer error=\"{}\", error_description=\"an access token in the query is not accepted\"",
                te::INVALID_REQUEST
            ),
            te::INVALID_REQUEST,
        )));
    }
    let scheme_of_query = if dpop::present(headers) { Scheme::Dpop } else { Scheme::Bearer };
    let presented = authorization(headers).or_else(|| in_query.map(|t| (scheme_of_query, t)));
    if !policy.auth_checked() {
        let token = presented.map(|(_, t)| t).unwrap_or_default();
        return Ok((token, AccessGrant::new(vec![CONFIG_VERIFIED_PERSON.into()], i64::MAX)));
    }
    let Some((scheme, token)) = presented else {
        return Err(bearer_challenge(issuer, None).into());
    };
    let grant = lock(&issuer.state.tokens).get(&token).cloned().filter(|g| g.expires >= now_epoch());
    let Some(grant) = grant else {
        return Err(match scheme {
            Scheme::Bearer => bearer_challenge(issuer, Some(ce::INVALID_TOKEN)),
            Scheme::Dpop => dpop::challenge(Some((ce::INVALID_TOKEN, "unknown or expired access token"))),
        }
        .into());
    };
    match (&grant.jkt, scheme) {
        (Some(jkt), Scheme::Dpop) => dpop::resource_proof(issuer, headers, method, uri.path(), &token, jkt)?,
        // RFC 9449 §7.2: a DPoP-bound token received as a Bearer token is refused.
        (Some(_), Scheme::Bearer) if *behaviour.bound_as_bearer_refused() => {
            return Err(bearer_challenge(issuer, Some(ce::INVALID_TOKEN)).into());
        }
        _ => {}
    }
    Ok((token, grant))
}

/// RFC 6750 §3: a refusal with a `WWW-Authenticate: Bearer` challenge (and the `DPoP` one, RFC 9449
/// §7.2, when it supports DPoP); an error code only when a token was sent.
pub(crate) fn bearer_challenge(issuer: &Issuer, error: Option<&str>) -> Response {
    let policy = issuer.behaviour.credential();
    let dpop_too = if *issuer.behaviour.dpop().advertised() {
        format!(", {} algs=\"{}\"", dialtone_protocols::dpop::SCHEME, dialtone_protocols::dpop::ALGS.join(" "))
    } else {
        String::new()
    };
    let challenge = match error {
        // What Credo 0.6 sends: parameter names without values.
        _ if !policy.well_formed_challenge() => "Bearer error, error_description, scope".to_string(),
        Some(e) => format!("Bearer error=\"{e}\"{dpop_too}"),
        None => format!("Bearer{dpop_too}"),
    };
    let status = StatusCode::from_u16(*policy.auth_failure_status()).unwrap_or(StatusCode::UNAUTHORIZED);
    refusal(status, challenge, error.unwrap_or(te::INVALID_REQUEST))
}

fn refusal(status: StatusCode, challenge: String, code: &str) -> Response {
    let body = ErrorResponse::code(code).to_json();
    let mut r = (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}
