//! The transaction data the harness asks a verifier to send (`StartRequest.transaction_data`,
//! OpenID4VP §5.1): dialtone's test type, or a type nobody knows. Named in the cases' `params`
//! (`request = { transaction_data = "…" }`); every object references the credential query
//! `person`, which every DCQL query the harness asks for has.

use dialtone_protocols::oid4vp::transaction_data::{self, TransactionData};
use serde::Deserialize;
use serde_json::{Value, json};

/// A type no wallet knows.
const UNKNOWN_TYPE: &str = "urn:dialtone:transaction-data:unknown-test-type";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TransactionDataAsk {
    /// dialtone's payment consent (`urn:dialtone:transaction-data:payment-consent`).
    PaymentConsent,
    /// An object of a type no wallet knows (which a wallet must refuse, §5.1).
    UnknownType,
}

impl TransactionDataAsk {
    pub(crate) fn objects(self) -> Vec<Value> {
        match self {
            Self::PaymentConsent => vec![transaction_data::payment_consent(&["person"])],
            Self::UnknownType => vec![json!({ "type": UNKNOWN_TYPE, "credential_ids": ["person"], "note": "unknown" })],
        }
    }

    /// Whether a request's `transaction_data` carries these objects.
    pub(crate) fn carried_by(self, parameter: Option<&Value>) -> bool {
        let sent = transaction_data::encoded(parameter).and_then(|s| transaction_data::sent_objects(&s));
        let decoded: Vec<Value> = match sent {
            Ok(objects) => objects.iter().filter_map(decode).collect(),
            Err(_) => return false,
        };
        decoded == self.objects()
    }
}

fn decode(t: &TransactionData) -> Option<Value> {
    serde_json::from_slice(&dialtone_protocols::b64::decode(&t.encoded).ok()?).ok()
}
