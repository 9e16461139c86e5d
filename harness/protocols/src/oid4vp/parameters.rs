//! What a wallet checks of a request's parameters whatever its client identifier prefix: a `nonce`
//! (§5.2: REQUIRED), and no `redirect_uri` beside the `response_uri` of `direct_post` (§8.2: the
//! wallet MUST answer `invalid_request`). `holder::check` calls it.

use super::holder::{Request, RequestChecks};

pub(crate) fn check_parameters(request: &Request, checks: RequestChecks) -> Result<(), String> {
    if request.params.nonce.as_deref().is_none_or(str::is_empty) && checks.nonce_required {
        return Err("invalid_request: the request has no nonce (§5.2)".into());
    }
    let direct_post = request.response_mode().is_some_and(|m| m.starts_with(super::DIRECT_POST));
    if direct_post && request.params.redirect_uri.is_some() && checks.redirect_uri_with_direct_post_refused {
        return Err("invalid_request: a direct_post request carries redirect_uri (§8.2)".into());
    }
    let iss = request.params.extra.get("iss").and_then(serde_json::Value::as_str);
    if checks.iss_is_client_id && iss.is_some_and(|i| i != request.client_id) {
        return Err(format!("the request object's iss {iss:?} is not its client_id"));
    }
    Ok(())
}
