//! OpenID4VP over the Digital Credentials API (OpenID4VP 1.0 Appendix A), both sides once, without
//! a browser: the platform hands the wallet the request `data` of a protocol (`openid4vp-v1-
//! unsigned`, `openid4vp-v1-signed` or `openid4vp-v1-multisigned`) with the verifier's origin, and hands the verifier back the
//! response `data` (the response parameters, `response` encrypted for `dc_api.jwt`, or an
//! `error`). The origin is the request's context ([`Request::origin`]): the key binding's audience
//! is `origin:<origin>` (§A.4), and a signed request's `expected_origins` must name it (§A.2).

use super::holder::{EncryptionChoice, Request, RequestChecks};
use super::message::{RESPONSE, RequestParameters, ResponseParameters};
use super::split_client_id;
use crate::jose::CompactJws;
use crate::message::Message;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The exchange protocols of §A.1.
pub const PROTOCOL_UNSIGNED: &str = "openid4vp-v1-unsigned";
pub const PROTOCOL_SIGNED: &str = "openid4vp-v1-signed";
pub const PROTOCOL_MULTISIGNED: &str = "openid4vp-v1-multisigned";
/// The response modes of §A.2.
pub const DC_API: &str = "dc_api";
pub const DC_API_JWT: &str = "dc_api.jwt";
/// The prefix of a response's audience over the API (§A.4).
pub const ORIGIN_PREFIX: &str = "origin:";
/// The `data` member of a signed request carrying the request object (§A.3.2.1).
const REQUEST: &str = "request";
/// The `data` member of an error response (§A.4).
const ERROR: &str = "error";

/// Whether `mode` is one of the Digital Credentials API's response modes.
pub fn is_dc_api_mode(mode: &str) -> bool {
    mode == DC_API || mode == DC_API_JWT
}

/// A request as a page hands it to the platform (`navigator.credentials.get`'s `digital.requests`
/// entry): the exchange protocol and its `data`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlatformRequest {
    #[serde(default)]
    pub protocol: String,
    #[serde(default)]
    pub data: Value,
}

/// What the platform hands back (the `DigitalCredential`'s `protocol` and `data`); no `data`: the
/// wallet gave nothing (the flow was cancelled).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlatformResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// The request `data` of `params`: unsigned, the parameters themselves without `client_id` or
/// `expected_origins` (§A.2, §A.3.1); signed, `{ "request": <request object> }`.
pub fn request_data(params: &RequestParameters, signed_object: Option<&str>) -> PlatformRequest {
    match signed_object {
        Some(jwt) => PlatformRequest { protocol: PROTOCOL_SIGNED.into(), data: json!({ REQUEST: jwt }) },
        None => {
            let mut unsigned = params.clone();
            unsigned.client_id = None;
            unsigned.expected_origins = None;
            PlatformRequest { protocol: PROTOCOL_UNSIGNED.into(), data: unsigned.without_jwt_claims().to_json() }
        }
    }
}

/// The request data of a multi-signed request (`openid4vp-v1-multisigned`, §A.3.2.2):
/// `{ "request": <the JWS JSON Serialization> }`.
pub fn multisigned_request_data(jws: Value) -> PlatformRequest {
    PlatformRequest { protocol: PROTOCOL_MULTISIGNED.into(), data: json!({ REQUEST: jws }) }
}

/// The request a wallet receives from the platform, with the `origin` the platform vouches for;
/// a multi-signed request is read through its first signature ([`receive_checked`] tries each).
pub fn receive(request: &PlatformRequest, origin: &str) -> Result<Request, String> {
    signer_views(request, origin)?.into_iter().next().ok_or_else(|| "a request without a signature".to_string())
}

/// The request as each of its signers presents it: one for an unsigned or a compact signed
/// request, one per signature of a multi-signed one (its `client_id` from that signature's
/// protected header, §A.3.2.2).
fn signer_views(request: &PlatformRequest, origin: &str) -> Result<Vec<Request>, String> {
    let objects = match request.protocol.as_str() {
        PROTOCOL_UNSIGNED => {
            let mut payload = request.data.as_object().cloned().ok_or("the request data is not an object")?;
            // An unsigned request's client_id and expected_origins are ignored (§A.2).
            payload.remove(super::message::CLIENT_ID);
            let object = CompactJws {
                header: Map::new(),
                payload,
                signing_input: String::new(),
                signature: Vec::new(),
                repeated: None,
            };
            vec![(object, String::new())]
        }
        PROTOCOL_SIGNED => {
            let jwt =
                request.data.get(REQUEST).and_then(Value::as_str).ok_or("a signed request's data has no request")?;
            let object = CompactJws::parse(jwt).map_err(|e| format!("the request object is not a JWT: {e}"))?;
            let client_id = named_client_id(&object.payload)?;
            vec![(object, client_id)]
        }
        PROTOCOL_MULTISIGNED => {
            let jws = request.data.get(REQUEST).ok_or("a multi-signed request's data has no request")?;
            let mut views = Vec::new();
            for mut object in super::multisigned::views(jws)? {
                // client_id is a member of each protected header only (§A.3.2.2).
                let client_id = named_client_id(&object.header)?;
                object.payload.insert(super::message::CLIENT_ID.into(), Value::String(client_id.clone()));
                views.push((object, client_id));
            }
            views
        }
        other => return Err(format!("protocol {other:?} is not OpenID4VP over the Digital Credentials API")),
    };
    objects
        .into_iter()
        .map(|(object, client_id)| {
            let mut params =
                RequestParameters::parse(&Value::Object(object.payload.clone())).map_err(|e| e.to_string())?.value;
            if request.protocol == PROTOCOL_UNSIGNED {
                params.expected_origins = None;
            }
            Ok(Request { origin: Some(origin.to_string()), ..Request::unfetched(client_id, object, params) })
        })
        .collect()
}

fn named_client_id(members: &Map<String, Value>) -> Result<String, String> {
    members
        .get(super::message::CLIENT_ID)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| "a signed request names no client_id (§A.2)".to_string())
}

/// The request a wallet answers, received and checked ([`check`]): of a multi-signed request,
/// the first signer whose signature and client identifier the wallet can verify — one signature
/// it cannot verify does not spoil the others (RFC 7515 §7.2 leaves it to the application;
/// §A.3.2.2 lets a verifier sign for several trust frameworks) — unless `checks` reads only the
/// first. `Err` is the error code and why (the first signer's reason when none verifies).
pub fn receive_checked(
    request: &PlatformRequest,
    origin: &str,
    trusted_roots: &[Vec<u8>],
    checks: RequestChecks,
    origins_checked: bool,
) -> Result<Request, (&'static str, String)> {
    let views = signer_views(request, origin).map_err(|why| ("invalid_request", why))?;
    let tried = if checks.multisigned_any_signer { views.len() } else { 1 };
    let mut first_refusal = None;
    for view in views.into_iter().take(tried) {
        match check(&view, trusted_roots, checks, origins_checked) {
            Ok(()) => return Ok(view),
            Err(refusal) => {
                first_refusal.get_or_insert(refusal);
            }
        }
    }
    Err(first_refusal.unwrap_or(("invalid_request", "a request without a signature".into())))
}

/// What a wallet checks of a request over the API before answering (§A.2, §A.3): a Digital
/// Credentials API response mode and a nonce; for a signed request, an `x509_san_dns` client whose
/// certificate chain and signature verify and whose `expected_origins` name the calling origin
/// (unless `origins_checked` is off, a test wallet's fault). `Err` is the error code and why.
pub fn check(
    request: &Request,
    trusted_roots: &[Vec<u8>],
    checks: RequestChecks,
    origins_checked: bool,
) -> Result<(), (&'static str, String)> {
    let invalid = |why: String| ("invalid_request", why);
    let mode = request.response_mode().unwrap_or_default();
    if !is_dc_api_mode(mode) {
        return Err(invalid(format!("response_mode {mode:?} is not dc_api or dc_api.jwt (§A.2)")));
    }
    if request.params.nonce.is_none() {
        return Err(invalid("no nonce".into()));
    }
    if request.client_id.is_empty() {
        return Ok(());
    }
    let (prefix, identifier) = split_client_id(&request.client_id);
    if prefix != Some("x509_san_dns") {
        return Err(invalid(format!("client identifier prefix {prefix:?} is not supported")));
    }
    super::client_id::x509_san_dns_signature(request, identifier, trusted_roots, checks).map_err(invalid)?;
    let origin = request.origin.as_deref().unwrap_or_default();
    let expected = request.params.expected_origins.clone().unwrap_or_default();
    if origins_checked && !expected.iter().any(|o| o == origin) {
        return Err(invalid(format!("the calling origin {origin:?} is not one of expected_origins {expected:?}")));
    }
    Ok(())
}

/// The response `data` a wallet hands the platform: the response parameters (`dc_api`), or them
/// encrypted to the verifier's key as `response` (`dc_api.jwt`, §8.3) unless `encryption` says
/// never. No `state`: the API has none (§A.2).
pub fn response_data(request: &Request, vp_token: &Value, encryption: EncryptionChoice) -> Result<Value, String> {
    let response = ResponseParameters { vp_token: Some(vp_token.clone()), ..Default::default() };
    if request.response_mode() == Some(DC_API_JWT) && encryption == EncryptionChoice::AsRequested {
        let metadata = request.params.client_metadata.clone().unwrap_or_default();
        let (key, enc) =
            metadata.encryption_key().ok_or("dc_api.jwt without an encryption key in client_metadata.jwks (§8.3)")?;
        let jwe = crate::jwe::encrypt(response.to_json().to_string().as_bytes(), &key, &enc)?;
        return Ok(json!({ RESPONSE: jwe }));
    }
    Ok(response.to_json())
}

/// An error response's `data` (§A.4).
pub fn error_data(code: &str) -> Value {
    json!({ ERROR: code })
}

/// A response `data` as a verifier reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseData {
    /// The wallet answered an error code.
    Error(String),
    /// `dc_api.jwt`: the encrypted response.
    Encrypted(String),
    /// `dc_api`: the response parameters in the clear.
    Plain(ResponseParameters),
}

/// Reads a response's `data`; `Err` when it is none of the three.
pub fn read_response(data: &Value) -> Result<ResponseData, String> {
    if let Some(code) = data.get(ERROR).and_then(Value::as_str) {
        return Ok(ResponseData::Error(code.to_string()));
    }
    if let Some(jwe) = data.get(RESPONSE).and_then(Value::as_str) {
        return Ok(ResponseData::Encrypted(jwe.to_string()));
    }
    ResponseParameters::parse(data)
        .map(|p| ResponseData::Plain(p.value))
        .map_err(|e| format!("the response data is not OpenID4VP response parameters: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> RequestParameters {
        RequestParameters {
            client_id: Some("x509_san_dns:verifier.example".into()),
            response_type: Some("vp_token".into()),
            response_mode: Some(DC_API.into()),
            nonce: Some("n-0S6_WzA2Mj".into()),
            expected_origins: Some(vec!["https://verifier.example".into()]),
            dcql_query: Some(json!({"credentials": [{"id": "p", "format": "dc+sd-jwt"}]})),
            ..Default::default()
        }
    }

    #[test]
    fn a_multi_signed_request_names_its_client_in_each_protected_header() {
        use crate::oid4vp::multisigned::{Signer, sign};
        let key = crate::jose::EcKey::generate(&crate::seed::Entropy::seeded(5));
        let mut payload = params();
        payload.client_id = None;
        let signer = |id: &str| Signer { header: json!({ "client_id": id }), key: &key, spoiled: false };
        let jws = sign(&payload.to_json(), &[signer("x509_san_dns:a.example"), signer("x509_san_dns:b.example")]);
        let data = multisigned_request_data(jws);
        assert_eq!(data.protocol, PROTOCOL_MULTISIGNED);
        let request = receive(&data, "https://verifier.example").unwrap();
        assert_eq!(request.client_id, "x509_san_dns:a.example");
        assert_eq!(request.params.nonce.as_deref(), Some("n-0S6_WzA2Mj"));
        assert_eq!(request.params.client_id.as_deref(), Some("x509_san_dns:a.example"));
        // No trusted chain here: every signer is refused, and the first signer's reason is given.
        let refused = receive_checked(&data, "https://verifier.example", &[], RequestChecks::default(), true);
        assert_eq!(refused.unwrap_err().0, "invalid_request");
        let mut unsigned = data;
        unsigned.data = json!({ "request": { "payload": "e30", "signatures": [] } });
        assert!(receive(&unsigned, "https://verifier.example").is_err());
    }

    #[test]
    fn unsigned_requests_drop_client_id_and_bind_the_origin() {
        let data = request_data(&params(), None);
        assert_eq!(data.protocol, PROTOCOL_UNSIGNED);
        assert!(data.data.get("client_id").is_none() && data.data.get("expected_origins").is_none());
        let request = receive(&data, "https://verifier.example").unwrap();
        assert_eq!(request.audience(), "origin:https://verifier.example");
        assert!(check(&request, &[], RequestChecks::default(), true).is_ok());
        // A client_id smuggled into an unsigned request is ignored (§A.2).
        let mut smuggled = data.clone();
        smuggled.data["client_id"] = json!("x509_san_dns:other.example");
        assert_eq!(
            receive(&smuggled, "https://verifier.example").unwrap().audience(),
            "origin:https://verifier.example"
        );
        let mut wrong_mode = data;
        wrong_mode.data["response_mode"] = json!("direct_post");
        let request = receive(&wrong_mode, "https://verifier.example").unwrap();
        assert_eq!(check(&request, &[], RequestChecks::default(), true).unwrap_err().0, "invalid_request");
    }

    #[test]
    fn the_specifications_signed_request_reads_and_its_origins_are_compared_as_strings() {
        let dir = format!(
            "{}/../../../shared/vectors-public/openid4vp-1.0/1.0/examples/digital_credentials_api",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(format!("{dir}/signed_request_payload_compact.json"))
            .unwrap()
            .replace("{...}", "{}");
        let payload: Value = serde_json::from_str(&text).unwrap();
        let parsed = RequestParameters::parse(&payload).unwrap().value;
        assert_eq!(parsed.expected_origins.as_deref().map(<[String]>::len), Some(2));
        let key = crate::jose::EcKey::generate(&crate::seed::Entropy::seeded(3));
        let jwt = key.sign_jws(&json!({"typ": "oauth-authz-req+jwt"}), &payload);
        let request = receive(&request_data(&parsed, Some(&jwt)), "https://origin1.example.com/").unwrap();
        assert_eq!(request.client_id, "x509_san_dns:rp.example.com");
        assert_eq!(request.audience(), "origin:https://origin1.example.com/");
        // No certificate chain here: the signature check fails first; the origin is compared
        // byte for byte (a trailing slash is another origin).
        let unchecked = RequestChecks { x509_signature: false, ..Default::default() };
        let err = check(&request, &[], unchecked, true).unwrap_err();
        assert!(err.1.contains("request signature") || err.1.contains("expected_origins"), "{err:?}");
        assert_eq!(error_data("access_denied"), json!({"error": "access_denied"}));
        assert_eq!(
            read_response(&json!({"error": "invalid_request"})).unwrap(),
            ResponseData::Error("invalid_request".into())
        );
        assert!(matches!(read_response(&json!({"response": "a.b.c.d.e"})).unwrap(), ResponseData::Encrypted(_)));
        assert!(matches!(read_response(&json!({"vp_token": {"p": ["x"]}})).unwrap(), ResponseData::Plain(_)));
    }
}
