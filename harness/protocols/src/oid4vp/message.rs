//! OpenID4VP 1.0 messages, typed: the authorization request as a wallet receives it (by value or by
//! reference), its parameters (the claims of a request object), the verifier's client metadata, and
//! the response parameters. Members are optional where the harness must see them missing.
//!
//! These types are the one place where OpenID4VP member names are spelled.

use crate::message::Message;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Parameters of the `openid4vp://` URI itself (§5.1, §5.10): the client, and where the request
/// object is, when it is passed by reference.
pub const CLIENT_ID: &str = "client_id";
pub const REQUEST_URI: &str = "request_uri";
/// How the wallet fetches `request_uri` (§5.1): [`REQUEST_URI_METHOD_GET`] or [`REQUEST_URI_METHOD_POST`]
/// (§5.10); the POST's form parameters, and the request object's claim echoing the nonce.
pub const REQUEST_URI_METHOD: &str = "request_uri_method";
pub const REQUEST_URI_METHOD_GET: &str = "get";
pub const REQUEST_URI_METHOD_POST: &str = "post";
pub const WALLET_METADATA: &str = "wallet_metadata";
pub const WALLET_NONCE: &str = "wallet_nonce";
/// The error of a `request_uri_method` other than `get` and `post` (§8.5).
pub const INVALID_REQUEST_URI_METHOD: &str = "invalid_request_uri_method";
/// `direct_post.jwt`: the form parameter carrying the encrypted response (§8.3.1).
pub const RESPONSE: &str = "response";
/// The `response_type` of a request for presentations (§5.4).
pub const RESPONSE_TYPE: &str = "vp_token";

/// The parameters of an authorization request (§5.1), as the claims of a request object or the
/// query parameters of a request by value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestParameters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dcql_query: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<ClientMetadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_data: Option<Value>,
    /// The origins a signed request over the Digital Credentials API may come from (§A.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_origins: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// The nonce the wallet sent with a `request_uri_method=post` fetch, echoed (§5.10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet_nonce: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for RequestParameters {
    const NAME: &'static str = "authorization request";
    const CLAUSE: &'static str = "OID4VP-1.0 §5.1";
}

impl RequestParameters {
    /// Without the claims only a signed request object has (a request by value, §5.9.3).
    pub fn without_jwt_claims(mut self) -> Self {
        self.aud = None;
        self.iat = None;
        self.exp = None;
        self
    }

    /// As query parameters: strings as they are, objects and arrays as JSON.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let Value::Object(map) = self.to_json() else { return Vec::new() };
        map.into_iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, v)
            })
            .collect()
    }

    /// Read from query parameters: the JSON-valued ones parsed (§5.1, §6, §8.4); one that is not
    /// JSON stays a string (and the typed read then names it).
    pub fn from_query_pairs(pairs: &[(String, String)]) -> Map<String, Value> {
        const JSON_VALUED: &[&str] =
            &["dcql_query", "client_metadata", "transaction_data", "verifier_info", "expected_origins"];
        let mut payload = Map::new();
        for (name, value) in pairs {
            let v = if JSON_VALUED.contains(&name.as_str()) {
                serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.clone()))
            } else {
                Value::String(value.clone())
            };
            payload.insert(name.clone(), v);
        }
        payload
    }
}

/// What a wallet tells the verifier about itself when it fetches a request by POST (§5.10, §10):
/// the `wallet_metadata` form parameter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WalletMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vp_formats_supported: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id_prefixes_supported: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_object_signing_alg_values_supported: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_types_supported: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_modes_supported: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for WalletMetadata {
    const NAME: &'static str = "wallet metadata";
    const CLAUSE: &'static str = "OID4VP-1.0 §10";
}

/// The verifier's metadata in a request (§5.1, §11.1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vp_formats_supported: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_response_enc_values_supported: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for ClientMetadata {
    const NAME: &'static str = "client metadata";
    const CLAUSE: &'static str = "OID4VP-1.0 §11.1";
}

impl ClientMetadata {
    /// The key to encrypt a `direct_post.jwt` response to (§8.3: keys without `use`, or `use: enc`)
    /// and the `enc` to use: the first such key dialtone can use (EC P-256 for ECDH-ES), the
    /// others ignored (RFC 7517 §5).
    pub fn encryption_key(&self) -> Option<(Value, String)> {
        let usable = |k: &&Value| {
            let member = |name: &str| k.get(name).and_then(Value::as_str);
            member("kty") == Some("EC")
                && member("crv") == Some("P-256")
                && member("alg").is_none_or(|a| a == crate::jwe::ALG)
        };
        let key = self.encryption_keys().find(usable)?.clone();
        Some((key, self.response_enc()))
    }

    /// The first key for encryption (without `use`, or `use: enc`), whether usable or not.
    pub fn first_encryption_key(&self) -> Option<(Value, String)> {
        let key = self.encryption_keys().next()?.clone();
        Some((key, self.response_enc()))
    }

    fn encryption_keys(&self) -> impl Iterator<Item = &Value> {
        let keys = self.jwks.as_ref().and_then(|j| j.get("keys")).and_then(Value::as_array);
        keys.into_iter().flatten().filter(|k| k.get("use").and_then(Value::as_str).is_none_or(|u| u == "enc"))
    }

    fn response_enc(&self) -> String {
        self.encrypted_response_enc_values_supported
            .as_ref()
            .and_then(|v| v.first().cloned())
            .unwrap_or_else(|| crate::jwe::DEFAULT_ENC.to_string())
    }
}

/// The response parameters (§8.1, §8.2), posted as a form or, encrypted, as the JWE's payload.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponseParameters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vp_token: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for ResponseParameters {
    const NAME: &'static str = "authorization response";
    const CLAUSE: &'static str = "OID4VP-1.0 §8.1";
}

impl ResponseParameters {
    /// As `direct_post` form parameters: `vp_token` as JSON (a string stays itself), `state`.
    pub fn form(&self) -> Vec<(&'static str, String)> {
        let mut form = Vec::new();
        if let Some(vp) = &self.vp_token {
            form.push((
                "vp_token",
                match vp {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
            ));
        }
        if let Some(s) = &self.state {
            form.push(("state", s.clone()));
        }
        form
    }

    /// Read from `direct_post` form parameters; `vp_token` parsed when it is JSON.
    pub fn from_form(pairs: &[(String, String)]) -> Self {
        let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        Self {
            vp_token: get("vp_token").map(|v| serde_json::from_str(&v).unwrap_or(Value::String(v))),
            state: get("state"),
            extra: Map::new(),
        }
    }

    /// The encrypted response of `direct_post.jwt`, if the form carries one.
    pub fn encrypted(pairs: &[(String, String)]) -> Option<String> {
        pairs.iter().find(|(k, _)| k == RESPONSE).map(|(_, v)| v.clone())
    }

    /// `vp_token` as the object keyed by credential query id it must be (§8.1).
    pub fn presentations(&self) -> Option<&Map<String, Value>> {
        self.vp_token.as_ref()?.as_object()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_by_value_round_trip_through_query_parameters() {
        let params = RequestParameters {
            client_id: Some("redirect_uri:https://v.example/cb".into()),
            response_uri: Some("https://v.example/cb".into()),
            nonce: Some("n-0S6".into()),
            dcql_query: Some(serde_json::json!({"credentials": [{"id": "p", "format": "dc+sd-jwt"}]})),
            client_metadata: Some(ClientMetadata {
                vp_formats_supported: Some(serde_json::json!({})),
                ..Default::default()
            }),
            ..Default::default()
        };
        let back = RequestParameters::from_query_pairs(&params.query_pairs());
        assert_eq!(RequestParameters::parse(&Value::Object(back)).unwrap().value, params);
    }

    #[test]
    fn the_encryption_key_is_the_first_usable_one() {
        let usable = serde_json::json!({ "kty": "EC", "crv": "P-256", "x": "x", "y": "y" });
        let metadata = ClientMetadata {
            jwks: Some(serde_json::json!({ "keys": [
                { "kty": "EC", "crv": "P-256", "x": "s", "y": "s", "use": "sig" },
                { "kty": "AKP", "alg": "ML-KEM-768", "use": "enc", "pub": "AAAA" },
                { "kty": "EC", "crv": "P-384", "x": "x", "y": "y", "use": "enc" },
                usable,
            ] })),
            ..Default::default()
        };
        assert_eq!(metadata.encryption_key().map(|(k, _)| k), Some(usable));
        assert_eq!(metadata.first_encryption_key().map(|(k, _)| k["kty"].clone()), Some("AKP".into()));
    }

    #[test]
    fn the_specifications_request_and_metadata_examples_read() {
        let dir = format!("{}/../../../shared/vectors-public/openid4vp-1.0/1.0/examples", env!("CARGO_MANIFEST_DIR"));
        for name in ["request/request_object_client_id_did.json", "digital_credentials_api/signed_request_payload.json"]
        {
            // The examples elide their DCQL queries as `{ ... }`.
            let text = std::fs::read_to_string(format!("{dir}/{name}"))
                .unwrap()
                .replace("{ ... }", "{}")
                .replace("{...}", "{}");
            let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let params = RequestParameters::parse(&value).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(params.to_json(), value, "{name}");
        }
        let text = std::fs::read_to_string(format!("{dir}/client_metadata/sd_jwt_vc_verifier_metadata.json")).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(ClientMetadata::parse(&value).unwrap().to_json(), value);
    }
}
