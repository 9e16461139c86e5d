//! JWE for encrypted OpenID4VP responses (`direct_post.jwt`, OpenID4VP §8.3): ECDH-ES key agreement
//! with the verifier's P-256 key from `client_metadata.jwks`, content encrypted with A128GCM (the
//! default) or another `enc` the verifier lists. The cryptography is josekit's (OpenSSL).

use serde_json::{Map, Value};

pub const ALG: &str = "ECDH-ES";
pub const DEFAULT_ENC: &str = "A128GCM";

fn jwk(value: &Value) -> Result<josekit::jwk::Jwk, String> {
    let map: Map<String, Value> = value.as_object().cloned().ok_or("the JWK is not a JSON object")?;
    josekit::jwk::Jwk::from_map(map).map_err(|e| format!("unusable JWK: {e}"))
}

/// Encrypts `payload` to `recipient` (a public EC JWK) as a compact JWE.
pub fn encrypt(payload: &[u8], recipient: &Value, enc: &str) -> Result<String, String> {
    let encrypter = josekit::jwe::ECDH_ES.encrypter_from_jwk(&jwk(recipient)?).map_err(|e| format!("ECDH-ES: {e}"))?;
    let mut header = josekit::jwe::JweHeader::new();
    header.set_content_encryption(enc);
    if let Some(kid) = recipient.get("kid").and_then(Value::as_str) {
        header.set_key_id(kid);
    }
    josekit::jwe::serialize_compact(payload, &header, &encrypter).map_err(|e| format!("JWE: {e}"))
}

/// Decrypts a compact JWE with a private EC JWK (with `d`); returns the plaintext.
pub fn decrypt(jwe: &str, private: &Value) -> Result<Vec<u8>, String> {
    let decrypter = josekit::jwe::ECDH_ES.decrypter_from_jwk(&jwk(private)?).map_err(|e| format!("ECDH-ES: {e}"))?;
    josekit::jwe::deserialize_compact(jwe, &decrypter).map(|(p, _)| p).map_err(|e| format!("JWE: {e}"))
}

/// The `kid` of a compact JWE's protected header, without decrypting.
pub fn kid(jwe: &str) -> Option<String> {
    let header = jwe.split('.').next()?;
    let bytes = crate::b64::decode(header).ok()?;
    serde_json::from_slice::<Value>(&bytes).ok()?.get("kid")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::EcKey;
    use crate::seed::Entropy;

    #[test]
    fn encrypts_to_a_key_and_only_that_key_decrypts() {
        let entropy = Entropy::seeded(5);
        let (verifier, other) = (EcKey::generate(&entropy), EcKey::generate(&entropy));
        let mut public = verifier.public_jwk();
        public["kid"] = serde_json::json!("session-1");
        let jwe = encrypt(br#"{"vp_token":{"a":["x"]},"state":"s"}"#, &public, DEFAULT_ENC).unwrap();
        assert_eq!(jwe.split('.').count(), 5);
        assert_eq!(kid(&jwe).as_deref(), Some("session-1"));
        assert_eq!(decrypt(&jwe, &verifier.private_jwk()).unwrap(), br#"{"vp_token":{"a":["x"]},"state":"s"}"#);
        assert!(decrypt(&jwe, &other.private_jwk()).is_err());
        assert!(decrypt("a.b.c.d.e", &verifier.private_jwk()).is_err());
    }
}
