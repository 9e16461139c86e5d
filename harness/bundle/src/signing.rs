//! The one place where bundles meet cryptography: Ed25519 keys (RFC 8032) through `ed25519-dalek`,
//! stored as PKCS#8 and SubjectPublicKeyInfo PEM (RFC 8410), so that `openssl pkey` reads them too.
//! Everything else in this crate sees a [`SigningKey`] that signs bytes and a [`PublicKey`] that
//! checks them, with its key id; moving to another crypto stack changes this module only.

use ed25519_dalek::Signer;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use sha2::{Digest, Sha256};

/// The longest key file read (a PEM key is about 120 bytes).
pub const MAX_KEY_FILE_BYTES: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("not an Ed25519 private key in PKCS#8 PEM (\"-----BEGIN PRIVATE KEY-----\"): {0}")]
    Private(String),
    #[error("not an Ed25519 public key in PEM (\"-----BEGIN PUBLIC KEY-----\", or the private key): {0}")]
    Public(String),
    #[error("cannot encode the key: {0}")]
    Encode(String),
    #[error("the key file is larger than {MAX_KEY_FILE_BYTES} bytes")]
    TooLarge,
}

/// A private signing key.
pub struct SigningKey(ed25519_dalek::SigningKey);

impl SigningKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> Self {
        use rand::RngCore;
        let mut secret = [0u8; ed25519_dalek::SECRET_KEY_LENGTH];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        Self(ed25519_dalek::SigningKey::from_bytes(&secret))
    }

    /// Reads a PKCS#8 PEM private key.
    pub fn from_pem(text: &[u8]) -> Result<Self, KeyError> {
        let text = pem_text(text).map_err(KeyError::Private)?;
        ed25519_dalek::SigningKey::from_pkcs8_pem(text).map(Self).map_err(|e| KeyError::Private(e.to_string()))
    }

    /// The key as PKCS#8 PEM (a secret: written with owner-only permissions).
    pub fn to_pem(&self) -> Result<String, KeyError> {
        self.0.to_pkcs8_pem(LineEnding::LF).map(|p| p.to_string()).map_err(|e| KeyError::Encode(e.to_string()))
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.0.sign(message).to_bytes().to_vec()
    }
}

/// A public key that checks signatures.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.key_id())
    }
}

impl PublicKey {
    /// Reads a public key: SubjectPublicKeyInfo PEM, or a private key's PEM (its public half).
    pub fn from_pem(text: &[u8]) -> Result<Self, KeyError> {
        let text = pem_text(text).map_err(KeyError::Public)?;
        if text.contains("-----BEGIN PRIVATE KEY-----") {
            return SigningKey::from_pem(text.as_bytes())
                .map(|k| k.public())
                .map_err(|e| KeyError::Public(e.to_string()));
        }
        ed25519_dalek::VerifyingKey::from_public_key_pem(text).map(Self).map_err(|e| KeyError::Public(e.to_string()))
    }

    pub fn to_pem(&self) -> Result<String, KeyError> {
        self.0.to_public_key_pem(LineEnding::LF).map_err(|e| KeyError::Encode(e.to_string()))
    }

    /// The key id: the SHA-256 of the key's SubjectPublicKeyInfo (DER), in lowercase hex — what
    /// `openssl pkey -pubin -outform DER | sha256sum` prints.
    pub fn key_id(&self) -> String {
        match self.0.to_public_key_der() {
            Ok(der) => crate::digest::hex(&Sha256::digest(der.as_bytes())),
            // Encoding 32 bytes into a fixed SPKI cannot fail; the raw key still identifies it.
            Err(_) => crate::digest::hex(&Sha256::digest(self.0.as_bytes())),
        }
    }

    /// Whether `signature` is this key's signature of `message` (strict verification: no
    /// malleable or small-order forms).
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(bytes) = <[u8; ed25519_dalek::SIGNATURE_LENGTH]>::try_from(signature) else { return false };
        let signature = ed25519_dalek::Signature::from_bytes(&bytes);
        self.0.verify_strict(message, &signature).is_ok()
    }
}

fn pem_text(bytes: &[u8]) -> Result<&str, String> {
    if bytes.len() > MAX_KEY_FILE_BYTES {
        return Err(format!("larger than {MAX_KEY_FILE_BYTES} bytes"));
    }
    std::str::from_utf8(bytes).map(str::trim).map_err(|_| "not text".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_survives_its_pem_forms_and_signs_what_it_verifies() {
        let key = SigningKey::generate();
        let again = SigningKey::from_pem(key.to_pem().unwrap().as_bytes()).unwrap();
        assert_eq!(key.public(), again.public());
        let public = PublicKey::from_pem(key.public().to_pem().unwrap().as_bytes()).unwrap();
        assert_eq!(public, key.public());
        assert_eq!(
            PublicKey::from_pem(key.to_pem().unwrap().as_bytes()).unwrap(),
            public,
            "a private PEM gives its public half"
        );
        let signature = key.sign(b"message");
        assert!(public.verifies(b"message", &signature));
        assert!(!public.verifies(b"messagf", &signature));
        assert!(!public.verifies(b"message", &signature[1..]));
        assert!(!SigningKey::generate().public().verifies(b"message", &signature));
        assert_eq!(public.key_id().len(), 64);
    }

    #[test]
    fn what_is_not_a_key_is_refused_with_why() {
        for bad in [&b""[..], b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", &[0xff; 10]] {
            assert!(PublicKey::from_pem(bad).is_err());
            assert!(SigningKey::from_pem(bad).is_err());
        }
        assert!(PublicKey::from_pem(&vec![b'a'; MAX_KEY_FILE_BYTES + 1]).is_err());
    }
}
