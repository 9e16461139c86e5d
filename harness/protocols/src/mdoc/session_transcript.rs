//! The `SessionTranscript` of an mdoc presented over OpenID4VP (OpenID4VP 1.0 Appendix B.2,
//! "`Handover` and `SessionTranscript` Definitions"): ISO/IEC 18013-5's
//! `[DeviceEngagementBytes, EReaderKeyBytes, Handover]` with both engagement values `null` and the
//! OpenID4VP `Handover` — `OpenID4VPHandover` for requests invoked by redirects, and
//! `OpenID4VPDCAPIHandover` for the Digital Credentials API. Each handover is
//! `[identifier, sha-256(CBOR(info))]`; the wallet signs over the transcript and the verifier
//! rebuilds it from its own request.

use super::encode_cbor;
use ciborium::Value;
use sha2::{Digest, Sha256};

/// The handover's identifier for requests invoked by redirects.
pub const OPENID4VP_HANDOVER: &str = "OpenID4VPHandover";
/// The handover's identifier for requests over the Digital Credentials API.
pub const OPENID4VP_DC_API_HANDOVER: &str = "OpenID4VPDCAPIHandover";

/// What the handover binds a presentation to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handover {
    /// A request invoked by redirects: the `client_id` (prefix included), the `nonce`, the JWK
    /// SHA-256 thumbprint of the verifier's response encryption key when the response is
    /// encrypted (`direct_post.jwt`), and the `response_uri` (or `redirect_uri`).
    Redirect { client_id: String, nonce: String, jwk_thumbprint: Option<Vec<u8>>, response_uri: String },
    /// A request over the Digital Credentials API: the request's origin (without an `origin:`
    /// prefix), the `nonce`, and the encryption key's thumbprint for `dc_api.jwt`.
    DcApi { origin: String, nonce: String, jwk_thumbprint: Option<Vec<u8>> },
}

fn thumbprint_value(t: &Option<Vec<u8>>) -> Value {
    t.as_ref().map_or(Value::Null, |b| Value::Bytes(b.clone()))
}

impl Handover {
    /// `OpenID4VPHandoverInfo` / `OpenID4VPDCAPIHandoverInfo`.
    pub fn info(&self) -> Value {
        match self {
            Self::Redirect { client_id, nonce, jwk_thumbprint, response_uri } => Value::Array(vec![
                Value::Text(client_id.clone()),
                Value::Text(nonce.clone()),
                thumbprint_value(jwk_thumbprint),
                Value::Text(response_uri.clone()),
            ]),
            Self::DcApi { origin, nonce, jwk_thumbprint } => Value::Array(vec![
                Value::Text(origin.clone()),
                Value::Text(nonce.clone()),
                thumbprint_value(jwk_thumbprint),
            ]),
        }
    }

    /// The `Handover` structure: the identifier and the SHA-256 of the info's CBOR encoding.
    pub fn structure(&self) -> Value {
        let identifier = match self {
            Self::Redirect { .. } => OPENID4VP_HANDOVER,
            Self::DcApi { .. } => OPENID4VP_DC_API_HANDOVER,
        };
        let hash = Sha256::digest(encode_cbor(&self.info())).to_vec();
        Value::Array(vec![Value::Text(identifier.into()), Value::Bytes(hash)])
    }

    /// `SessionTranscript` = `[null, null, Handover]`.
    pub fn session_transcript(&self) -> Value {
        Value::Array(vec![Value::Null, Value::Null, self.structure()])
    }
}

/// The JWK SHA-256 thumbprint (RFC 7638) of a public key as the byte string the handover carries.
pub fn jwk_thumbprint_bytes(jwk: &serde_json::Value) -> Option<Vec<u8>> {
    crate::b64::decode(&crate::jose::thumbprint(jwk)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specification's text (Appendix B.2), as the project reads it.
    fn spec_text() -> String {
        let path = format!("{}/../../../shared/specs/openid4vp-1.0.md", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The bytes of the `Hex:` block of the example introduced by `caption`, after `from`.
    fn example_hex(text: &str, from: &str, caption: &str) -> Vec<u8> {
        let start = text.find(from).expect("section")
            + text[text.find(from).expect("section")..].find(caption).expect("caption");
        let after = &text[start..];
        let hex_start = after.find("Hex:").expect("a Hex: block") + 4;
        let block: String =
            after[hex_start..].trim_start().lines().take_while(|l| !l.trim().is_empty()).collect::<Vec<_>>().concat();
        (0..block.len()).step_by(2).map(|i| u8::from_str_radix(&block[i..i + 2], 16).expect("hex")).collect()
    }

    /// The JSON block of the example JWK introduced by `caption`, after `from`.
    fn example_jwk(text: &str, from: &str, caption: &str) -> serde_json::Value {
        let start = text.find(from).expect("section");
        let after = &text[start + text[start..].find(caption).expect("caption")..];
        let open = after.find("```json").expect("a JSON block") + 7;
        let close = after[open..].find("```").expect("block end") + open;
        serde_json::from_str(&after[open..close]).expect("JSON")
    }

    const NONCE: &str = "exc7gBkxjx1rdc9udRrveKvSsJIq80avlXeLHhGwqtA";

    #[test]
    fn the_redirect_handover_is_the_specifications_example() {
        let text = spec_text();
        let from = "#### Invocation via Redirects";
        let jwk = example_jwk(&text, from, "input JWK for calculating the JWK Thumbprint");
        let handover = Handover::Redirect {
            client_id: "x509_san_dns:example.com".into(),
            nonce: NONCE.into(),
            jwk_thumbprint: jwk_thumbprint_bytes(&jwk),
            response_uri: "https://example.com/response".into(),
        };
        assert_eq!(encode_cbor(&handover.info()), example_hex(&text, from, "example of the `OpenID4VPHandoverInfo`"));
        assert_eq!(encode_cbor(&handover.structure()), example_hex(&text, from, "example of the `OpenID4VPHandover` "));
        assert_eq!(
            encode_cbor(&handover.session_transcript()),
            example_hex(&text, from, "example of the `SessionTranscript`")
        );
    }

    #[test]
    fn the_dc_api_handover_is_the_specifications_example() {
        let text = spec_text();
        let from = "#### Invocation via the Digital Credentials API";
        let jwk = example_jwk(&text, from, "input JWK for calculating the JWK Thumbprint");
        let handover = Handover::DcApi {
            origin: "https://example.com".into(),
            nonce: NONCE.into(),
            jwk_thumbprint: jwk_thumbprint_bytes(&jwk),
        };
        assert_eq!(
            encode_cbor(&handover.info()),
            example_hex(&text, from, "example of the `OpenID4VPDCAPIHandoverInfo`")
        );
        assert_eq!(
            encode_cbor(&handover.structure()),
            example_hex(&text, from, "example of the `OpenID4VPDCAPIHandover` ")
        );
        assert_eq!(
            encode_cbor(&handover.session_transcript()),
            example_hex(&text, from, "example of the `SessionTranscript`")
        );
    }

    #[test]
    fn any_input_changes_the_transcript() {
        let base = Handover::Redirect {
            client_id: "x509_san_dns:v.example".into(),
            nonce: "n".into(),
            jwk_thumbprint: None,
            response_uri: "https://v.example/response".into(),
        };
        let Handover::Redirect { client_id, nonce, response_uri, .. } = base.clone() else { unreachable!() };
        let others = [
            Handover::Redirect {
                client_id: "v.example".into(),
                nonce: nonce.clone(),
                jwk_thumbprint: None,
                response_uri: response_uri.clone(),
            },
            Handover::Redirect {
                client_id: client_id.clone(),
                nonce: "m".into(),
                jwk_thumbprint: None,
                response_uri: response_uri.clone(),
            },
            Handover::Redirect {
                client_id: client_id.clone(),
                nonce: nonce.clone(),
                jwk_thumbprint: Some(vec![0; 32]),
                response_uri,
            },
            Handover::DcApi { origin: "https://v.example".into(), nonce, jwk_thumbprint: None },
        ];
        for other in others {
            assert_ne!(encode_cbor(&other.session_transcript()), encode_cbor(&base.session_transcript()), "{other:?}");
        }
    }
}
