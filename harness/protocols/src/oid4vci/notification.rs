//! The notification endpoint's messages (OpenID4VCI 1.0 §11): what a wallet tells the issuer about
//! the credentials of one `notification_id`, and the error codes of a refusal (§11.3).

use crate::message::Message;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The events of §11.1, case sensitive.
pub mod event {
    pub const CREDENTIAL_ACCEPTED: &str = "credential_accepted";
    pub const CREDENTIAL_FAILURE: &str = "credential_failure";
    pub const CREDENTIAL_DELETED: &str = "credential_deleted";
    pub const ALL: &[&str] = &[CREDENTIAL_ACCEPTED, CREDENTIAL_FAILURE, CREDENTIAL_DELETED];
}

/// The error codes of §11.3.
pub mod notification_error {
    pub const INVALID_NOTIFICATION_ID: &str = "invalid_notification_id";
    pub const INVALID_NOTIFICATION_REQUEST: &str = "invalid_notification_request";
}

/// §11.1
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationRequest {
    pub notification_id: String,
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_description: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for NotificationRequest {
    const NAME: &'static str = "notification request";
    const CLAUSE: &'static str = "OID4VCI-1.0 §11.1";
}

impl NotificationRequest {
    pub fn new(notification_id: &str, event: &str) -> Self {
        Self {
            notification_id: notification_id.into(),
            event: event.into(),
            event_description: None,
            extra: Map::new(),
        }
    }

    /// Whether `event` is one of the three §11.1 defines.
    pub fn event_known(&self) -> bool {
        event::ALL.contains(&self.event.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specifications_notification_examples_read() {
        let r = NotificationRequest::parse(
            &serde_json::json!({"notification_id": "3fwe98js", "event": "credential_accepted"}),
        )
        .unwrap()
        .value;
        assert!(r.event_known());
        let r = NotificationRequest::parse(
            &serde_json::json!({"notification_id": "3fwe98js", "event": "credential_failure",
            "event_description": "Could not store the Credential. Out of storage."}),
        )
        .unwrap()
        .value;
        assert_eq!(r.event, event::CREDENTIAL_FAILURE);
        assert!(!NotificationRequest::new("x", "Credential_Accepted").event_known());
        assert!(NotificationRequest::parse(&serde_json::json!({"event": "credential_accepted"})).is_err());
    }
}
