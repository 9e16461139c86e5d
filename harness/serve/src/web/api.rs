//! `POST /api/submissions`: what `dialtone submit` calls. The body is the bundle; the account is
//! the bearer of an API token (a vendor's); the answer is JSON.

use super::upload::accept;
use super::{AppError, Shared};
use crate::arrival::Refusal;
use crate::password::token_digest;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use serde_json::json;

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

pub(crate) async fn submit(State(state): State<Shared>, headers: HeaderMap, body: Body) -> Result<Response, AppError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 256);
    let account = match token {
        Some(t) => state.store.account_by_api_token(&token_digest(t)).await?,
        None => None,
    };
    let Some(account) = account else {
        let mut r =
            answer(StatusCode::UNAUTHORIZED, json!({ "error": "no valid API token (Authorization: Bearer …)" }));
        r.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        return Ok(r);
    };
    let vendor = match account.vendor_id() {
        Some(id) => state.store.vendor(id).await?,
        None => None,
    };
    let Some(vendor) = vendor else {
        return Ok(answer(
            StatusCode::FORBIDDEN,
            json!({ "error": "this token is an evaluator's: bundles are submitted with a vendor account's token" }),
        ));
    };
    let limit = super::bundle_limit();
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b.to_vec(),
        Err(_) => {
            return Ok(answer(
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({ "error": format!("the bundle exceeds the bound of {limit} bytes (or did not arrive whole)") }),
            ));
        }
    };
    match accept(&state, &vendor, &account, bytes).await? {
        Ok(id) => {
            let row = state.store.submission(&crate::store::Visibility::All, &id).await?;
            let verdict = row.as_ref().map(|r| r.verdict.clone()).unwrap_or_default();
            Ok(answer(
                StatusCode::CREATED,
                json!({ "id": id, "path": format!("/submissions/{id}"), "verdict": verdict }),
            ))
        }
        Err(Refusal::Duplicate { id }) => Ok(answer(
            StatusCode::CONFLICT,
            json!({ "error": "this bundle was already submitted", "id": id, "path": format!("/submissions/{id}") }),
        )),
        Err(refusal) => Ok(answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "error": refusal.to_string(), "file": refusal.file() }),
        )),
    }
}
