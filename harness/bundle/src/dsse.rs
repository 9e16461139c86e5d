//! The DSSE envelope (Dead Simple Signing Envelope, v1.0): the signature covers
//! `PAE(payloadType, payload)`, the exact payload bytes with their type, so nothing is
//! canonicalized before checking. The payload is the in-toto Statement.

use crate::signing::{PublicKey, SigningKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

/// The payload type of an in-toto Statement in a DSSE envelope.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// The payload, base64 (RFC 4648 §4, padded).
    pub payload: String,
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    pub signatures: Vec<Signature>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// The signing key's id ([`PublicKey::key_id`]). DSSE leaves it an unauthenticated hint; a
    /// dialtone bundle requires it to name the key that signed, so that no byte of the envelope is
    /// without meaning.
    pub keyid: String,
    /// The signature, base64.
    pub sig: String,
}

/// DSSE's pre-authentication encoding: `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!("DSSEv1 {} {} {} ", payload_type.len(), payload_type, payload.len()).into_bytes();
    out.extend_from_slice(payload);
    out
}

impl Envelope {
    /// Signs `payload` (an in-toto Statement's bytes) with `key`.
    pub fn sign(payload: &[u8], key: &SigningKey) -> Self {
        let signature = key.sign(&pae(PAYLOAD_TYPE, payload));
        Envelope {
            payload: STANDARD.encode(payload),
            payload_type: PAYLOAD_TYPE.into(),
            signatures: vec![Signature { keyid: key.public().key_id(), sig: STANDARD.encode(signature) }],
        }
    }

    /// The envelope as the bundle stores it: pretty JSON and a final newline. Reading insists on
    /// exactly this form, so that every byte of the file counts.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text.into_bytes()
    }

    /// Reads an envelope, refusing any form but the one [`Envelope::to_bytes`] writes.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let envelope: Envelope = serde_json::from_slice(bytes).map_err(|e| format!("not a DSSE envelope: {e}"))?;
        if envelope.to_bytes() != bytes {
            return Err("not in the form dialtone writes (pretty JSON, members in order, one final newline): \
                 some byte has changed"
                .into());
        }
        Ok(envelope)
    }

    /// The payload, when exactly one signature by `key`, naming it, verifies over it.
    pub fn verified_payload(&self, key: &PublicKey) -> Result<Vec<u8>, EnvelopeFault> {
        if self.payload_type != PAYLOAD_TYPE {
            return Err(EnvelopeFault::Malformed(format!(
                "payloadType {:?} is not an in-toto Statement ({PAYLOAD_TYPE})",
                self.payload_type
            )));
        }
        let [signature] = self.signatures.as_slice() else {
            return Err(EnvelopeFault::Malformed(format!(
                "{} signatures; a dialtone bundle has exactly one",
                self.signatures.len()
            )));
        };
        let payload = decode(&self.payload, "payload")?;
        let sig = decode(&signature.sig, "signature")?;
        let verifies = key.verifies(&pae(&self.payload_type, &payload), &sig);
        let named = signature.keyid == key.key_id();
        match (verifies, named) {
            (true, true) => Ok(payload),
            (true, false) => Err(EnvelopeFault::Malformed(format!(
                "its keyid {:?} does not name the key that signed ({})",
                signature.keyid,
                key.key_id()
            ))),
            (false, true) => Err(EnvelopeFault::BadSignature),
            (false, false) => Err(EnvelopeFault::OtherKey { keyid: signature.keyid.clone() }),
        }
    }

    /// The key id the signature names (unverified).
    pub fn keyid(&self) -> Option<&str> {
        self.signatures.first().map(|s| s.keyid.as_str())
    }
}

/// Why an envelope does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvelopeFault {
    /// The envelope itself is not well formed.
    Malformed(String),
    /// The key the signature names did not make it over these bytes: the payload or the
    /// signature has changed.
    BadSignature,
    /// The signature names another key than the one it was checked with, and does not verify
    /// with it.
    OtherKey { keyid: String },
}

fn decode(text: &str, what: &str) -> Result<Vec<u8>, EnvelopeFault> {
    STANDARD.decode(text).map_err(|e| EnvelopeFault::Malformed(format!("its {what} is not base64: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The encoding of the DSSE specification's own example (protocol.md, "Test vector").
    #[test]
    fn pae_is_the_specifications_encoding() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn a_signed_envelope_verifies_and_any_change_is_refused() {
        let key = SigningKey::generate();
        let envelope = Envelope::sign(b"{\"a\":1}", &key);
        let bytes = envelope.to_bytes();
        let parsed = Envelope::parse(&bytes).unwrap();
        assert_eq!(parsed.verified_payload(&key.public()).unwrap(), b"{\"a\":1}");
        let other = SigningKey::generate().public();
        assert!(matches!(parsed.verified_payload(&other), Err(EnvelopeFault::OtherKey { .. })));
        let mut respaced = bytes.clone();
        respaced.insert(1, b' ');
        assert!(Envelope::parse(&respaced).is_err(), "the same JSON spaced otherwise is refused");
        let mut tampered = parsed.clone();
        tampered.payload = STANDARD.encode(b"{\"a\":2}");
        assert_eq!(tampered.verified_payload(&key.public()), Err(EnvelopeFault::BadSignature));
    }
}
