//! What `dialtone check` knows about keys: public keys (`--keys`: a JWK Set, a JWK, a verification
//! method, or PEM/x5c certificates), trust anchors for certificate chains, and the trust list
//! (`--trust`: which issuer identifier owns which keys).

use dialtone_engine::model::Outcome;
use dialtone_protocols::public_key::{KeySet, SetKey};
use dialtone_protocols::x509::{ChainCache, CountryCache, SignerKeyCache};
use dialtone_protocols::{b64, jose};
use serde_json::Value;
use std::sync::OnceLock;

/// An issuer the trust list names, with the keys and certificate roots it owns.
#[derive(Debug, Clone, Default)]
pub struct TrustedIssuer {
    pub id: String,
    pub keys: Vec<Value>,
    pub roots: Vec<Vec<u8>>,
}

#[derive(Debug, Clone, Default)]
pub struct KeyRing {
    /// Public JWKs usable for any issuer (from `--keys` or fetched from the issuer).
    pub keys: Vec<Value>,
    /// Trusted root certificates (DER) for x5c/x5chain (mdoc IACA, JWT x5c).
    pub roots: Vec<Vec<u8>>,
    /// `None`: no trust list given; checks of key ownership skip.
    pub trust: Option<Vec<TrustedIssuer>>,
    /// The JWKs as their files or the issuer published them, private members included (a key
    /// set that publishes one is judged for it; the keys above never carry them). Keys given as
    /// certificates are not here.
    pub published: Vec<Value>,
    /// The keys and roots above, read once on first use (a ring is not changed once judging has
    /// begun: the judging context is shared, read-only). Leave it to its default.
    pub cache: KeyCache,
}

/// What a [`KeyRing`] has read of its keys, on first use, and the certificate chains it has
/// validated to its roots.
#[derive(Debug, Clone, Default)]
pub struct KeyCache(OnceLock<Prepared>, ChainCache, CountryCache, SignerKeyCache);

/// Every key read once, with the thumbprints of the keys each trusted issuer owns and of the
/// published JWKs.
#[derive(Debug, Clone, Default)]
struct Prepared {
    keys: KeySet,
    roots: Vec<Vec<u8>>,
    owners: Vec<(String, Vec<String>)>,
    /// [`KeyRing::published`]'s RFC 7638 thumbprints, in its order (`None` for a JWK that has none).
    published: Vec<Option<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("{0}")]
    Invalid(String),
}

impl KeyRing {
    fn prepared(&self) -> &Prepared {
        self.cache.0.get_or_init(|| {
            let trusted = self.trust.iter().flatten();
            let keys = KeySet::new(self.keys.iter().chain(trusted.clone().flat_map(|t| t.keys.iter())).cloned());
            let roots = self.roots.iter().chain(trusted.clone().flat_map(|t| t.roots.iter())).cloned().collect();
            let owners =
                trusted.map(|t| (t.id.clone(), t.keys.iter().filter_map(jose::thumbprint).collect())).collect();
            let published = self.published.iter().map(jose::thumbprint).collect();
            Prepared { keys, roots, owners, published }
        })
    }

    /// The published JWKs ([`KeyRing::published`]) whose RFC 7638 thumbprint is `print`.
    pub(crate) fn published_with(&self, print: &str) -> impl Iterator<Item = &Value> {
        let prints = &self.prepared().published;
        self.published.iter().zip(prints).filter(move |(_, p)| p.as_deref() == Some(print)).map(|(jwk, _)| jwk)
    }

    /// Every public key known, trust list included, each read once.
    pub fn key_set(&self) -> &KeySet {
        &self.prepared().keys
    }

    pub(crate) fn all_roots(&self) -> &[Vec<u8>] {
        &self.prepared().roots
    }

    /// The chains validated to the roots (mdoc document signers), each once.
    pub(crate) fn chains(&self) -> &ChainCache {
        &self.cache.1
    }

    /// The countries of the document signer certificates read (mdoc), each once.
    pub(crate) fn countries(&self) -> &CountryCache {
        &self.cache.2
    }

    /// The document signers' keys read from their certificates (mdoc), each once.
    pub(crate) fn signer_keys(&self) -> &SignerKeyCache {
        &self.cache.3
    }

    pub fn is_empty(&self) -> bool {
        self.key_set().is_empty()
    }

    /// Finds a known key that verifies `signature` over `message` with `alg`: keys whose `kid`
    /// equals the artifact's first. Returns the key, or why none did.
    pub fn verify(&self, alg: &str, kid: Option<&str>, message: &[u8], signature: &[u8]) -> Result<&SetKey, String> {
        match self.verify_with(kid, |key| key.verify(alg, message, signature)) {
            Ok(key) => Ok(key),
            Err((0, _)) => Err("no keys".into()),
            Err((n, last)) => Err(format!("none of {n} known keys verifies the {alg} signature (last: {last})")),
        }
    }

    /// Finds a known key for which `verifies` holds, trying those whose `kid` equals `kid` first,
    /// each once; or says how many keys were tried and why the last did not verify.
    pub fn verify_with<E: std::fmt::Display>(
        &self,
        kid: Option<&str>,
        verifies: impl Fn(&SetKey) -> Result<(), E>,
    ) -> Result<&SetKey, (usize, String)> {
        let keys = self.key_set().keys();
        let named = |k: &SetKey| kid.is_some() && k.kid.as_deref() == kid;
        let ordered = keys.iter().filter(|k| named(k)).chain(keys.iter().filter(|k| !named(k)));
        let mut last = String::new();
        for key in ordered {
            match verifies(key) {
                Ok(()) => return Ok(key),
                Err(e) => last = e.to_string(),
            }
        }
        Err((keys.len(), last))
    }

    /// Whether the trust list says `issuer` owns `key` (by thumbprint).
    pub fn owner(&self, issuer: Option<&str>, key: &Value) -> Outcome {
        self.owner_of(issuer, &jose::thumbprint(key).unwrap_or_default())
    }

    /// [`Self::owner`] of a key known by its thumbprint.
    pub fn owner_of(&self, issuer: Option<&str>, print: &str) -> Outcome {
        if self.trust.is_none() {
            return Outcome::skip("no trust list given (--trust): cannot tell which issuer owns the key");
        }
        let owners: Vec<&str> = self
            .prepared()
            .owners
            .iter()
            .filter(|(_, prints)| prints.iter().any(|p| p == print))
            .map(|(id, _)| id.as_str())
            .collect();
        match issuer {
            None => Outcome::fail("an issuer identifier to look up in the trust list", "the artifact names none"),
            Some(iss) if owners.contains(&iss) => Outcome::pass(format!("the trust list gives key {print} to {iss:?}")),
            Some(iss) if owners.is_empty() => Outcome::fail(
                format!("a key the trust list gives to {iss:?}"),
                format!("key {print} is in no trust list entry"),
            ),
            Some(iss) => Outcome::fail(
                format!("a key the trust list gives to {iss:?}"),
                format!("key {print} belongs to {owners:?}"),
            ),
        }
    }
}

/// Reads public keys and roots from a key file: a JWK Set, one JWK, a verification method
/// (`publicKeyJwk`), an x5c array, or PEM certificates (the first is a leaf whose key is used,
/// the last a root).
pub fn load_key_file(bytes: &[u8]) -> Result<(Vec<Value>, Vec<Vec<u8>>), KeyFileError> {
    let text = String::from_utf8_lossy(bytes);
    if text.contains("-----BEGIN CERTIFICATE-----") {
        let certs = pem_certificates(&text);
        if certs.is_empty() {
            return Err(KeyFileError::Invalid("PEM without a readable certificate".into()));
        }
        return certs_to_keys(certs);
    }
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| KeyFileError::Invalid(format!("neither PEM nor JSON: {e}")))?;
    if let Some(x5c) = value.as_array().filter(|a| a.iter().all(Value::is_string)) {
        let certs = x5c
            .iter()
            .filter_map(Value::as_str)
            .map(|c| b64::decode_std(c).map_err(|e| KeyFileError::Invalid(format!("x5c entry: {e}"))))
            .collect::<Result<Vec<_>, _>>()?;
        return certs_to_keys(certs);
    }
    Ok((jwks_of(&value)?, Vec::new()))
}

/// The JWK objects of a key file as written, private members included: a JWK Set, a JWK or a
/// `publicKeyJwk` (none for PEM or an `x5c` array). See [`KeyRing::published`].
pub fn published_jwks(bytes: &[u8]) -> Vec<Value> {
    serde_json::from_slice::<Value>(bytes).map(|v| published_of(&v)).unwrap_or_default()
}

/// The JWK objects of a JSON value as written (see [`published_jwks`]).
pub fn published_of(value: &Value) -> Vec<Value> {
    if let Some(keys) = value.get("keys").and_then(Value::as_array) {
        keys.iter().filter(|k| k.is_object()).cloned().collect()
    } else if let Some(jwk) = value.get("publicKeyJwk").filter(|k| k.is_object()) {
        vec![jwk.clone()]
    } else if value.get("kty").is_some() {
        vec![value.clone()]
    } else {
        Vec::new()
    }
}

/// The JWK objects of every issuer of a trust list, as written.
pub fn published_in_trust_file(bytes: &[u8]) -> Vec<Value> {
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else { return Vec::new() };
    let issuers = value.get("issuers").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    issuers
        .iter()
        .flat_map(|entry| match entry.get("jwks") {
            Some(jwks) => published_of(jwks),
            None => published_of(entry),
        })
        .collect()
}

/// Public JWKs of a JSON value: `{"keys": [...]}`, `{"publicKeyJwk": {...}}`, or one JWK. Private
/// members are dropped.
pub fn jwks_of(value: &Value) -> Result<Vec<Value>, KeyFileError> {
    let list: Vec<Value> = if let Some(keys) = value.get("keys").and_then(Value::as_array) {
        keys.clone()
    } else if let Some(jwk) = value.get("publicKeyJwk") {
        vec![jwk.clone()]
    } else if value.get("kty").is_some() {
        vec![value.clone()]
    } else {
        return Err(KeyFileError::Invalid("no keys: expected a JWK Set, a JWK, or a publicKeyJwk".into()));
    };
    Ok(list
        .into_iter()
        .map(|mut k| {
            if let Some(obj) = k.as_object_mut() {
                for private in ["d", "p", "q", "dp", "dq", "qi"] {
                    obj.remove(private);
                }
            }
            k
        })
        .collect())
}

fn certs_to_keys(certs: Vec<Vec<u8>>) -> Result<(Vec<Value>, Vec<Vec<u8>>), KeyFileError> {
    let leaf = certs.first().ok_or_else(|| KeyFileError::Invalid("no certificate".into()))?;
    let jwk = jose::jwk_from_certificate(leaf).map_err(|e| KeyFileError::Invalid(e.to_string()))?;
    let root = certs.last().cloned().into_iter().collect();
    Ok((vec![jwk], root))
}

/// DER certificates of a PEM text (unreadable blocks are left out).
pub fn pem_certificates(text: &str) -> Vec<Vec<u8>> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::pem_slice_iter(text.as_bytes())
        .filter_map(|c| c.ok().map(|c| c.to_vec()))
        .collect()
}

/// Reads a trust list: `{"issuers": [{"id": "...", "jwks": {...} | "keys": [...], "roots_pem": "..."}]}`.
pub fn load_trust_file(bytes: &[u8]) -> Result<Vec<TrustedIssuer>, KeyFileError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| KeyFileError::Invalid(format!("not JSON: {e}")))?;
    let issuers = value
        .get("issuers")
        .and_then(Value::as_array)
        .ok_or_else(|| KeyFileError::Invalid("expected {\"issuers\": [...]}".into()))?;
    issuers
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let id = entry
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| KeyFileError::Invalid(format!("issuers[{i}] has no id")))?
                .to_string();
            let keys = match entry.get("jwks").or_else(|| entry.get("keys").map(|_| entry)) {
                Some(v) => jwks_of(v)?,
                None => Vec::new(),
            };
            let roots = entry.get("roots_pem").and_then(Value::as_str).map(pem_certificates).unwrap_or_default();
            Ok(TrustedIssuer { id, keys, roots })
        })
        .collect()
}
