//! The notification endpoint (§11): a known `notification_id` with one of the three events is
//! acknowledged with 204, as often as it is sent (§11: idempotent); an unknown one is refused with
//! `invalid_notification_id`, a malformed request with `invalid_notification_request` (§11.3).

use super::super::reference::{Issuer, json_response};
use super::super::resource::authorize_presented;
use super::super::state::lock;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use dialtone_protocols::message::Message;
use dialtone_protocols::oid4vci::message::ErrorResponse;
use dialtone_protocols::oid4vci::notification::{NotificationRequest, notification_error as ne};
use std::sync::Arc;

fn refused(code: &str, why: &str) -> Response {
    json_response(StatusCode::BAD_REQUEST, ErrorResponse::new(code, why).to_json())
}

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
    let request = match NotificationRequest::parse_bytes(&body) {
        Ok(r) => r.value,
        Err(e) => return refused(ne::INVALID_NOTIFICATION_REQUEST, &e.to_string()),
    };
    lock(&issuer.log.notifications).push(request.clone());
    if !request.event_known() {
        return refused(ne::INVALID_NOTIFICATION_REQUEST, "event is not one of the three of §11.1");
    }
    let policy = issuer.behaviour.followup();
    {
        let mut records = lock(&issuer.followup.notifications);
        match records.get_mut(&request.notification_id) {
            Some(r) if r.token == token || !issuer.behaviour.credential().auth_checked() => {
                if *policy.notifications_once() && !r.events.is_empty() {
                    return refused(ne::INVALID_NOTIFICATION_ID, "this notification_id was already used");
                }
                if r.events.len() < 16 {
                    r.events.push(request.event.clone());
                }
            }
            _ if *policy.any_notification_id() => {}
            _ => return refused(ne::INVALID_NOTIFICATION_ID, "unknown notification_id"),
        }
    }
    super::notified(&issuer, &token);
    StatusCode::NO_CONTENT.into_response()
}
