//! Encrypted credential requests and responses (OpenID4VCI 1.0 §10): the request member a wallet
//! sends to ask for an encrypted response (§8.2 `credential_response_encryption`), the issuer's
//! metadata that advertises what it supports (§12.2.4 `credential_request_encryption`,
//! `credential_response_encryption`), and the JWE both sides make and read (the cryptography is
//! `crate::jwe`'s, ECDH-ES key agreement).

use super::message::CredentialIssuerMetadata;
use crate::message::Message;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The media type of an encrypted request or response (§10).
pub const MEDIA_TYPE: &str = "application/jwt";

/// What a wallet sends in a (deferred) credential request to have the response encrypted (§8.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseEncryption {
    /// One public key; its `alg` is the JWE `alg` (§10).
    pub jwk: Value,
    pub enc: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
}

impl Message for ResponseEncryption {
    const NAME: &'static str = "credential_response_encryption";
    const CLAUSE: &'static str = "OID4VCI-1.0 §8.2";
}

impl ResponseEncryption {
    /// The JWE `alg` the key names (§10: it MUST be present).
    pub fn alg(&self) -> Option<&str> {
        self.jwk.get("alg").and_then(Value::as_str)
    }
}

/// `credential_response_encryption` in the issuer's metadata (§12.2.4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponseEncryptionMetadata {
    pub alg_values_supported: Vec<String>,
    pub enc_values_supported: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip_values_supported: Option<Vec<String>>,
    pub encryption_required: bool,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for ResponseEncryptionMetadata {
    const NAME: &'static str = "credential_response_encryption metadata";
    const CLAUSE: &'static str = "OID4VCI-1.0 §12.2.4";
}

/// `credential_request_encryption` in the issuer's metadata (§12.2.4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestEncryptionMetadata {
    /// A JWK Set; each key has a `kid`.
    pub jwks: Value,
    pub enc_values_supported: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip_values_supported: Option<Vec<String>>,
    pub encryption_required: bool,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message for RequestEncryptionMetadata {
    const NAME: &'static str = "credential_request_encryption metadata";
    const CLAUSE: &'static str = "OID4VCI-1.0 §12.2.4";
}

impl RequestEncryptionMetadata {
    /// The first key of `jwks` whose `alg` is one `crate::jwe` does, with a `kid`.
    pub fn key(&self) -> Option<&Value> {
        self.jwks.get("keys")?.as_array()?.iter().find(|k| {
            k.get("alg").and_then(Value::as_str) == Some(crate::jwe::ALG) && k.get("kid").is_some_and(Value::is_string)
        })
    }
}

/// The issuer's response encryption metadata, when it has one (an `Err` when malformed).
pub fn response_metadata(metadata: &CredentialIssuerMetadata) -> Option<Result<ResponseEncryptionMetadata, String>> {
    let value = metadata.credential_response_encryption.as_ref()?;
    Some(ResponseEncryptionMetadata::parse(value).map(|r| r.value).map_err(|e| e.to_string()))
}

/// The issuer's request encryption metadata, when it has one (an `Err` when malformed).
pub fn request_metadata(metadata: &CredentialIssuerMetadata) -> Option<Result<RequestEncryptionMetadata, String>> {
    let value = metadata.credential_request_encryption.as_ref()?;
    Some(RequestEncryptionMetadata::parse(value).map(|r| r.value).map_err(|e| e.to_string()))
}

/// Why an issuer cannot encrypt to what a wallet asked (§8.3.1.2 `invalid_encryption_parameters`).
pub fn unsupported(asked: &ResponseEncryption, supported: &ResponseEncryptionMetadata) -> Option<String> {
    match asked.alg() {
        None => return Some("the jwk has no alg (§10)".into()),
        Some(alg) if !supported.alg_values_supported.iter().any(|a| a == alg) => {
            return Some(format!("alg {alg:?} is not in alg_values_supported"));
        }
        Some(_) => {}
    }
    if !supported.enc_values_supported.contains(&asked.enc) {
        return Some(format!("enc {:?} is not in enc_values_supported", asked.enc));
    }
    if let Some(zip) = &asked.zip
        && !supported.zip_values_supported.iter().flatten().any(|z| z == zip)
    {
        return Some(format!("zip {zip:?} is not supported"));
    }
    None
}

/// Encrypts a message to the key a wallet gave (§10): a compact JWE of the message's JSON.
pub fn encrypt(message: &Value, to: &ResponseEncryption) -> Result<String, String> {
    if to.alg() != Some(crate::jwe::ALG) {
        return Err(format!("only {} is implemented", crate::jwe::ALG));
    }
    crate::jwe::encrypt(message.to_string().as_bytes(), &to.jwk, &to.enc)
}

/// Encrypts a request to the issuer's request-encryption key (§8.2, §10), with its first `enc`.
pub fn encrypt_request(message: &Value, to: &RequestEncryptionMetadata) -> Result<String, String> {
    let key = to.key().ok_or("no ECDH-ES key with a kid in credential_request_encryption.jwks")?;
    let enc = to.enc_values_supported.first().ok_or("enc_values_supported is empty")?;
    crate::jwe::encrypt(message.to_string().as_bytes(), key, enc)
}

/// Decrypts a compact JWE with a private JWK and reads its JSON object.
pub fn decrypt(jwe: &str, private: &Value) -> Result<Value, String> {
    let plain = crate::jwe::decrypt(jwe.trim(), private)?;
    let value: Value = serde_json::from_slice(&plain).map_err(|e| format!("the decrypted payload is not JSON: {e}"))?;
    if value.is_object() { Ok(value) } else { Err("the decrypted payload is not a JSON object".into()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::EcKey;
    use crate::seed::Entropy;

    #[test]
    fn a_response_encrypted_to_the_wallets_key_decrypts_and_unsupported_parameters_are_named() {
        let entropy = Entropy::seeded(9);
        let wallet = EcKey::generate(&entropy);
        let mut jwk = wallet.public_jwk();
        jwk["alg"] = Value::from("ECDH-ES");
        let asked = ResponseEncryption { jwk, enc: "A128GCM".into(), zip: None };
        let supported = ResponseEncryptionMetadata {
            alg_values_supported: vec!["ECDH-ES".into()],
            enc_values_supported: vec!["A128GCM".into()],
            ..ResponseEncryptionMetadata::default()
        };
        assert_eq!(unsupported(&asked, &supported), None);
        let jwe = encrypt(&serde_json::json!({"credentials": [{"credential": "x"}]}), &asked).unwrap();
        assert_eq!(decrypt(&jwe, &wallet.private_jwk()).unwrap()["credentials"][0]["credential"], "x");
        let other_enc = ResponseEncryption { enc: "A256GCM".into(), ..asked.clone() };
        assert!(unsupported(&other_enc, &supported).unwrap().contains("enc"));
        let mut other_alg = asked.clone();
        other_alg.jwk["alg"] = Value::from("ECDH-ES+A128KW");
        assert!(unsupported(&other_alg, &supported).unwrap().contains("alg"));
        assert!(encrypt(&serde_json::json!({}), &other_alg).is_err());
    }
}
