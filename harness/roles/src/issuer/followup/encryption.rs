//! Encrypted credential requests and responses at the reference issuer (§10): what it advertises,
//! reading an `application/jwt` request with its request key, and judging what a wallet asks for
//! its response (`invalid_encryption_parameters`, §8.3.1.2).

use super::super::reference::Issuer;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use dialtone_protocols::message::Message;
use dialtone_protocols::oid4vci::credential_error as ce;
use dialtone_protocols::oid4vci::encryption::{
    self, MEDIA_TYPE, RequestEncryptionMetadata, ResponseEncryption, ResponseEncryptionMetadata,
};
use serde_json::{Map, Value, json};

/// The content encryption algorithms it supports.
const ENC: &[&str] = &["A128GCM", "A256GCM"];
const REQUEST_KID: &str = "request-encryption-1";

pub(crate) fn response_metadata() -> ResponseEncryptionMetadata {
    ResponseEncryptionMetadata {
        alg_values_supported: vec![dialtone_protocols::jwe::ALG.into()],
        enc_values_supported: ENC.iter().map(|e| e.to_string()).collect(),
        zip_values_supported: None,
        encryption_required: false,
        extra: Map::new(),
    }
}

pub(crate) fn request_metadata(issuer: &Issuer) -> RequestEncryptionMetadata {
    let mut jwk = issuer.followup.request_key.public_jwk();
    jwk["kid"] = json!(REQUEST_KID);
    jwk["alg"] = json!(dialtone_protocols::jwe::ALG);
    jwk["use"] = json!("enc");
    RequestEncryptionMetadata {
        jwks: json!({ "keys": [jwk] }),
        enc_values_supported: ENC.iter().map(|e| e.to_string()).collect(),
        zip_values_supported: None,
        encryption_required: false,
        extra: Map::new(),
    }
}

/// The request body as JSON: decrypted with the request key when it is `application/jwt` (§10).
pub(crate) fn read_body(issuer: &Issuer, headers: &HeaderMap, body: &[u8]) -> Result<Vec<u8>, Box<Response>> {
    let media = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !media.trim().starts_with(MEDIA_TYPE) || !issuer.behaviour.followup().reads_encrypted_requests() {
        return Ok(body.to_vec());
    }
    let refused = |why: String| Box::new(issuer.credential_error(ce::INVALID_ENCRYPTION_PARAMETERS, &why));
    let text = std::str::from_utf8(body).map_err(|_| refused("the encrypted request is not text".into()))?;
    let value = encryption::decrypt(text, &issuer.followup.request_key.private_jwk()).map_err(refused)?;
    Ok(value.to_string().into_bytes())
}

/// The response encryption a request asks for, judged against what the issuer supports.
pub(crate) fn asked(
    issuer: &Issuer,
    member: Option<impl serde::Serialize>,
) -> Result<Option<ResponseEncryption>, Box<Response>> {
    let Some(member) = member else { return Ok(None) };
    let value = serde_json::to_value(member).unwrap_or(Value::Null);
    let refused = |why: String| Box::new(issuer.credential_error(ce::INVALID_ENCRYPTION_PARAMETERS, &why));
    let asked = ResponseEncryption::parse(&value).map_err(|e| refused(e.to_string()))?.value;
    if *issuer.behaviour.followup().encryption_parameters_checked()
        && let Some(why) = encryption::unsupported(&asked, &response_metadata())
    {
        return Err(refused(why));
    }
    Ok(Some(asked))
}
