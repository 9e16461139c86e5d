//! The deferred credential endpoint's request (OpenID4VCI 1.0 §9.1). Its answers are credential
//! responses (§9.2: `credentials` with 200, or `transaction_id` and `interval` with 202).

use super::encryption::ResponseEncryption;
use crate::message::Message;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// §9.1
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeferredCredentialRequest {
    pub transaction_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_response_encryption: Option<ResponseEncryption>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for DeferredCredentialRequest {
    const NAME: &'static str = "deferred credential request";
    const CLAUSE: &'static str = "OID4VCI-1.0 §9.1";
}

impl DeferredCredentialRequest {
    pub fn new(transaction_id: &str) -> Self {
        Self { transaction_id: transaction_id.into(), credential_response_encryption: None, extra: Map::new() }
    }
}

/// The longest a wallet waits for one `interval` (an issuer may say a day, §8.3; the harness and the
/// reference wallet do not wait that long).
pub const MAX_INTERVAL_SECS: u64 = 10;
