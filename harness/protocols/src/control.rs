//! dialtone's control API (`suites/control-api.yaml`), typed once for both sides: the harness
//! asks a candidate (or a reference) to start what only it can start — an issuer's offer, a
//! verifier's request, a wallet's receipt of either — and reads what happened.

pub use crate::oid4vp::dc_api::{PlatformRequest, PlatformResponse};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `POST {issuer control}/offers`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OfferRequest {
    #[serde(default)]
    pub tx_code: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_configuration_id: Option<String>,
    /// Issue the offer's credentials deferred (OpenID4VCI §9): the credential endpoint answers with
    /// a transaction, ready after its `interval`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deferred: bool,
    /// The offer's grant: [`OfferRequest::AUTHORIZATION_CODE`] for an authorization code offer
    /// (with `issuer_state`); the pre-authorized code grant when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<String>,
}

impl OfferRequest {
    pub const AUTHORIZATION_CODE: &'static str = "authorization_code";

    pub fn wants_authorization_code(&self) -> bool {
        self.grant.as_deref() == Some(Self::AUTHORIZATION_CODE)
    }
}

/// `POST {issuer control}/authorize`: complete, as the test user, the login and consent of the
/// authorization request a wallet would open in a browser (`authorization_url`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AuthorizeRequest {
    pub authorization_url: String,
}

/// The answer: where the authorization server sends the browser (`redirect`, carrying `code` and
/// `state`, or an `error`), or the error it shows the user instead of redirecting (RFC 6749
/// §4.1.2.1).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AuthorizeAnswer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

/// The answer: the offer by value and as a URI, and the transaction code delivered out of band.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OfferCreated {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_offer: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_offer_uri: Option<String>,
    #[serde(default)]
    pub tx_code: Option<String>,
}

/// `POST {issuer control}/status`: set a credential's status list entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusChange {
    pub idx: u64,
    /// `valid`, `revoked` (or `invalid`), `suspended`.
    pub status: String,
}

/// `POST {wallet control}/offers`: an offer (object or `openid-credential-offer://` URI) for the
/// wallet to redeem.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OfferDelivery {
    #[serde(default)]
    pub offer: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_code: Option<String>,
}

/// `POST {wallet control}/presentations`: a request (`openid4vp://` URI) for the wallet to answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RequestDelivery {
    #[serde(default)]
    pub authorization_request: Option<Value>,
}

/// What a wallet answers to either delivery: `stored`, `failed`, `sent`, `refused` (and, from the
/// harness's manual mode, `timeout`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WalletAnswer {
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The HTTP status the verifier answered the wallet's response with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verifier_status: Option<u16>,
}

impl WalletAnswer {
    pub fn status(status: &str) -> Self {
        Self { status: status.into(), ..Self::default() }
    }
    pub fn with_reason(status: &str, reason: impl Into<String>) -> Self {
        Self { status: status.into(), reason: Some(reason.into()), verifier_status: None }
    }
}

/// `GET {wallet control}/credentials`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HeldCredentials {
    #[serde(default)]
    pub credentials: Vec<HeldCredential>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HeldCredential {
    #[serde(default, deserialize_with = "lenient_string")]
    pub format: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `POST {verifier control}/requests`: what the harness asks the verifier to request.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StartRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dcql_query: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id_prefix: Option<String>,
    /// `post`: the request link asks the wallet to fetch the request object by POST, with its
    /// metadata and a `wallet_nonce` (OpenID4VP §5.10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_uri_method: Option<String>,
    /// Transaction data objects (JSON, before encoding) the request is to carry (OpenID4VP §5.1):
    /// the verifier sends each base64url-encoded in `transaction_data` and checks their hashes in
    /// the key binding JWT (§B.3.3.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_data: Option<Vec<Value>>,
    /// Over the Digital Credentials API with a `client_id_prefix`: a multi-signed request
    /// (`openid4vp-v1-multisigned`, JWS JSON Serialization, OpenID4VP §A.3.2.2) with one signature
    /// per entry, in order — `valid`, or `invalid` (the signature's bytes altered). Absent: a
    /// compact signed request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_signatures: Option<Vec<SignatureAsk>>,
}

/// One signature a multi-signed request is to carry ([`StartRequest::request_signatures`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureAsk {
    Valid,
    Invalid,
}

/// The answer: the request's id and the `openid4vp://` URI to hand a wallet — or, for a request
/// over the Digital Credentials API (`response_mode` `dc_api` or `dc_api.jwt`), what the
/// verifier's page hands the platform, and its origin (`dc_api`; `authorization_request` empty).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StartedRequest {
    pub request_id: String,
    #[serde(default)]
    pub authorization_request: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dc_api: Option<DcApiStarted>,
}

/// A request over the Digital Credentials API as the verifier's page would make it: the origin
/// of that page and the request (`protocol`, `data`) it hands the platform (OpenID4VP §A.1–A.3).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DcApiStarted {
    pub origin: String,
    pub request: PlatformRequest,
}

/// `POST {verifier control}/dc-api/responses/{request_id}`: the response `data` the platform
/// returned to the verifier's page, delivered to its backend, and the origin the platform saw.
/// Answered like the response endpoint (2xx taken, 4xx refused); the verdict is read at
/// `GET {verifier control}/requests/{id}` as for any request.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DcApiResponseDelivery {
    #[serde(default)]
    pub origin: String,
    #[serde(default)]
    pub data: Value,
}

/// `POST {wallet control}/dc-api/requests`: a request for the wallet as the platform hands it
/// over, with the origin of the page that made it. Answered with the [`PlatformResponse`] the
/// wallet returns to the platform (`data` the response parameters, `response` for `dc_api.jwt`,
/// or `error`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DcApiRequestDelivery {
    #[serde(default)]
    pub origin: String,
    #[serde(default)]
    pub request: PlatformRequest,
}

/// `GET {verifier control}/requests/{id}`: `pending`, `accepted` (with the claims per credential
/// query) or `rejected` (with the reason).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RequestOutcome {
    #[serde(default = "unknown")]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Map<String, Value>>,
    /// Why it was rejected (implementations send `null` when there is no reason).
    #[serde(default, skip_serializing_if = "String::is_empty", deserialize_with = "lenient_string")]
    pub reason: String,
}

fn unknown() -> String {
    "unknown".into()
}

/// A string member an implementation may send as `null`: read as empty.
fn lenient_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

impl RequestOutcome {
    /// The claims disclosed for one credential query.
    pub fn claims_of(&self, query_id: &str) -> Option<&Map<String, Value>> {
        self.claims.as_ref()?.get(query_id)?.as_object()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_with_nulls_read_as_empty() {
        // What Credo's adapter answers for a pending request.
        let pending: RequestOutcome =
            serde_json::from_str(r#"{"status":"pending","reason":null,"state":"RequestCreated","claims":{}}"#).unwrap();
        assert_eq!((pending.status.as_str(), pending.reason.as_str()), ("pending", ""));
        let answer: WalletAnswer = serde_json::from_str(r#"{"status":"stored","reason":null}"#).unwrap();
        assert_eq!(answer.status, "stored");
        assert!(serde_json::from_str::<StartedRequest>(r#"{"request_id":null}"#).is_err());
    }
}
