//! Multi-signed request objects over the Digital Credentials API (OpenID4VP 1.0 §A.3.2.2): one
//! payload in the JWS JSON Serialization, General form (RFC 7515 §7.2.1), with a signature per
//! client identifier; `client_id` (and what is specific to its prefix, e.g. `x5c`) lives in each
//! signature's protected header, every other request parameter in the payload. Which signatures
//! must verify is the application's decision (RFC 7515 §7.2): a wallet authenticates the verifier
//! through the client identifier it can verify, so each signature is read as the compact JWS it
//! would be alone ([`views`]), for the wallet to check one after the other.

use crate::b64;
use crate::jose::{CompactJws, EcKey};
use serde_json::{Map, Value, json};

/// The most signatures read from one request (a candidate controls the array).
pub const MAX_SIGNATURES: usize = 8;
const PAYLOAD: &str = "payload";
const SIGNATURES: &str = "signatures";
const PROTECTED: &str = "protected";
const SIGNATURE: &str = "signature";

/// One signer of a multi-signed request: its protected header (`alg` is set to ES256), its key,
/// and whether to spoil its signature (a test verifier's deliberate fault).
pub struct Signer<'a> {
    pub header: Value,
    pub key: &'a EcKey,
    pub spoiled: bool,
}

/// The JWS JSON Serialization (General) of `payload`, signed by each of `signers`.
pub fn sign(payload: &Value, signers: &[Signer<'_>]) -> Value {
    let encoded = b64::encode(payload.to_string());
    let signatures: Vec<Value> = signers
        .iter()
        .map(|s| {
            let mut header = s.header.clone();
            if let Some(h) = header.as_object_mut() {
                h.insert("alg".into(), json!("ES256"));
            }
            let protected = b64::encode(header.to_string());
            let mut signature = s.key.sign_bytes(format!("{protected}.{encoded}").as_bytes());
            if s.spoiled
                && let Some(first) = signature.first_mut()
            {
                *first ^= 0x01;
            }
            json!({ PROTECTED: protected, SIGNATURE: b64::encode(signature) })
        })
        .collect();
    json!({ PAYLOAD: encoded, SIGNATURES: signatures })
}

/// Each signature of a multi-signed request as the compact JWS it stands for: its protected
/// header, the shared payload, the signing input `protected.payload` and the signature; in the
/// order of `signatures`.
pub fn views(jws: &Value) -> Result<Vec<CompactJws>, String> {
    let payload_b64 = jws.get(PAYLOAD).and_then(Value::as_str).ok_or("a JWS JSON request has no payload string")?;
    let payload = object(payload_b64, "payload")?;
    let signatures =
        jws.get(SIGNATURES).and_then(Value::as_array).ok_or("a JWS JSON request has no signatures array")?;
    if signatures.is_empty() {
        return Err("a JWS JSON request has no signature".into());
    }
    if signatures.len() > MAX_SIGNATURES {
        return Err(format!(
            "a JWS JSON request with {} signatures (dialtone reads {MAX_SIGNATURES})",
            signatures.len()
        ));
    }
    signatures
        .iter()
        .map(|s| {
            let protected = s.get(PROTECTED).and_then(Value::as_str).ok_or("a signature without a protected header")?;
            let signature = s.get(SIGNATURE).and_then(Value::as_str).ok_or("a signature without its signature")?;
            Ok(CompactJws {
                header: object(protected, "protected header")?,
                payload: payload.clone(),
                signing_input: format!("{protected}.{payload_b64}"),
                signature: b64::decode(signature).map_err(|e| format!("a signature is not base64url: {e}"))?,
                repeated: None,
            })
        })
        .collect()
}

fn object(segment: &str, part: &str) -> Result<Map<String, Value>, String> {
    let bytes = b64::decode(segment).map_err(|e| format!("the {part} is not base64url: {e}"))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(format!("the {part} is not a JSON object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::Entropy;

    #[test]
    fn each_signature_verifies_alone_and_a_spoiled_one_does_not() {
        let (a, b) = (EcKey::generate(&Entropy::seeded(1)), EcKey::generate(&Entropy::seeded(2)));
        let payload = json!({ "nonce": "n", "response_mode": "dc_api" });
        let signers = [
            Signer { header: json!({ "client_id": "x509_san_dns:a.example" }), key: &a, spoiled: true },
            Signer { header: json!({ "client_id": "x509_san_dns:b.example" }), key: &b, spoiled: false },
        ];
        let jws = sign(&payload, &signers);
        let views = views(&jws).unwrap();
        assert_eq!(views.len(), 2);
        assert_eq!(views[0].payload.get("nonce"), Some(&json!("n")));
        assert_eq!(views[1].header.get("client_id"), Some(&json!("x509_san_dns:b.example")));
        assert!(views[0].verify_es256(&a.verifying_key()).is_err());
        assert!(views[1].verify_es256(&b.verifying_key()).is_ok());
        let mut none = jws.clone();
        none["signatures"] = json!([]);
        assert!(super::views(&none).is_err());
        let mut many = jws;
        many["signatures"] = Value::Array(vec![json!({}); MAX_SIGNATURES + 1]);
        assert!(super::views(&many).is_err());
    }
}
