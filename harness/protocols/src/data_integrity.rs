//! W3C Verifiable Credential Data Integrity with the `eddsa-jcs-2022` cryptosuite (Data Integrity
//! EdDSA Cryptosuites v1.0 §3.3): JCS canonicalization (RFC 8785), SHA-256, Ed25519, and `did:key`
//! Ed25519 verification methods (multicodec 0xed01, base58btc). The signatures are
//! ed25519-dalek's, the canonicalization serde_jcs's; this module only frames bytes.
//!
//! The texts are not in `../shared/specs/`; the implementation is cross-checked against a real
//! peer (ACA-Py's `/vc/di/add-proof` with eddsa-jcs-2022, `candidates/acapy/`).

use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";
pub(crate) const PROOF_TYPE: &str = "DataIntegrityProof";
/// Multicodec prefix of an Ed25519 public key.
const ED25519_PUB: [u8; 2] = [0xed, 0x01];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiError {
    #[error("no proof")]
    NoProof,
    #[error("the proof is not a {PROOF_TYPE} with cryptosuite {CRYPTOSUITE}: type {0:?}, cryptosuite {1:?}")]
    Suite(Option<String>, Option<String>),
    #[error("proofValue is not base58btc multibase (z…): {0}")]
    ProofValue(String),
    #[error("verificationMethod {0:?} is not an Ed25519 did:key")]
    VerificationMethod(String),
    #[error("the document is not a JSON object")]
    NotObject,
    #[error("JCS canonicalization failed: {0}")]
    Canonicalization(String),
    #[error("the signature does not verify")]
    Signature,
    #[error(
        "the signature verifies only over a proof configuration without the document's @context: the proof was made \
         without step 'set proofConfig.@context to unsecuredDocument.@context' of the eddsa-jcs-2022 proof configuration"
    )]
    ContextOmitted,
}

/// An Ed25519 key as a `did:key`.
#[derive(Clone)]
pub struct Ed25519Key {
    signing: SigningKey,
}

impl std::fmt::Debug for Ed25519Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ed25519Key({})", self.did())
    }
}

impl Ed25519Key {
    pub fn generate(entropy: &crate::seed::Entropy) -> Self {
        let mut seed = [0u8; 32];
        entropy.fill(&mut seed);
        Self { signing: SigningKey::from_bytes(&seed) }
    }

    pub fn did(&self) -> String {
        did_key(self.signing.verifying_key().as_bytes())
    }

    /// `did:key:z6Mk…#z6Mk…`.
    pub(crate) fn verification_method(&self) -> String {
        let did = self.did();
        let fragment = did.trim_start_matches("did:key:").to_string();
        format!("{did}#{fragment}")
    }
}

/// The `did:key` of an Ed25519 public key.
pub(crate) fn did_key(public: &[u8; 32]) -> String {
    let mut bytes = ED25519_PUB.to_vec();
    bytes.extend_from_slice(public);
    format!("did:key:z{}", bs58::encode(bytes).into_string())
}

/// The Ed25519 key of a `did:key` (or one of its verification method URLs).
pub(crate) fn resolve_did_key(vm: &str) -> Result<VerifyingKey, DiError> {
    let err = || DiError::VerificationMethod(vm.chars().take(120).collect());
    let did = vm.split('#').next().unwrap_or_default();
    let encoded = did.strip_prefix("did:key:z").ok_or_else(err)?;
    let bytes = bs58::decode(encoded).into_vec().map_err(|_| err())?;
    let key: [u8; 32] = bytes.strip_prefix(&ED25519_PUB[..]).and_then(|k| k.try_into().ok()).ok_or_else(err)?;
    VerifyingKey::from_bytes(&key).map_err(|_| err())
}

fn jcs(value: &Value) -> Result<String, DiError> {
    serde_jcs::to_string(value).map_err(|e| DiError::Canonicalization(e.to_string()))
}

/// hashData (§3.3.4): SHA-256(JCS(proofConfig)) ‖ SHA-256(JCS(unsecured document)), the proof
/// configuration carrying the document's `@context` (§3.3.5).
fn hash_data(document: &Map<String, Value>, proof_config: &Map<String, Value>) -> Result<Vec<u8>, DiError> {
    hash_data_with(document, proof_config, true)
}

fn hash_data_with(
    document: &Map<String, Value>,
    proof_config: &Map<String, Value>,
    with_context: bool,
) -> Result<Vec<u8>, DiError> {
    let mut config = proof_config.clone();
    if let Some(ctx) = document.get("@context").filter(|_| with_context) {
        config.insert("@context".into(), ctx.clone());
    }
    let mut out = Sha256::digest(jcs(&Value::Object(config))?.as_bytes()).to_vec();
    out.extend_from_slice(&Sha256::digest(jcs(&Value::Object(document.clone()))?.as_bytes()));
    Ok(out)
}

/// Adds an `eddsa-jcs-2022` proof to `document` (any `proof` it had is replaced).
pub fn add_proof(document: &Value, key: &Ed25519Key, created: &str, purpose: &str) -> Result<Value, DiError> {
    let mut unsecured = document.as_object().cloned().ok_or(DiError::NotObject)?;
    unsecured.remove("proof");
    let config = json!({
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": key.verification_method(),
        "proofPurpose": purpose,
    });
    let config = config.as_object().cloned().unwrap_or_default();
    let signature = key.signing.sign(&hash_data(&unsecured, &config)?);
    let mut proof = config;
    proof.insert("proofValue".into(), json!(format!("z{}", bs58::encode(signature.to_bytes()).into_string())));
    let mut secured = unsecured;
    secured.insert("proof".into(), Value::Object(proof));
    Ok(Value::Object(secured))
}

/// Verifies a document's `eddsa-jcs-2022` proof; returns the verification method that signed.
pub fn verify_proof(document: &Value) -> Result<String, DiError> {
    let mut unsecured = document.as_object().cloned().ok_or(DiError::NotObject)?;
    let proof = match unsecured.remove("proof") {
        Some(Value::Object(p)) => p,
        Some(Value::Array(mut a)) if a.len() == 1 => match a.remove(0) {
            Value::Object(p) => p,
            _ => return Err(DiError::NoProof),
        },
        _ => return Err(DiError::NoProof),
    };
    let text = |k: &str| proof.get(k).and_then(Value::as_str).map(str::to_string);
    if text("type").as_deref() != Some(PROOF_TYPE) || text("cryptosuite").as_deref() != Some(CRYPTOSUITE) {
        return Err(DiError::Suite(text("type"), text("cryptosuite")));
    }
    let vm = text("verificationMethod").unwrap_or_default();
    let key = resolve_did_key(&vm)?;
    let value = text("proofValue").unwrap_or_default();
    let signature_bytes = value
        .strip_prefix('z')
        .and_then(|v| bs58::decode(v).into_vec().ok())
        .ok_or_else(|| DiError::ProofValue(value.chars().take(40).collect()))?;
    let signature = ed25519_dalek::Signature::from_slice(&signature_bytes)
        .map_err(|_| DiError::ProofValue(format!("{} bytes, not 64", signature_bytes.len())))?;
    let mut config = proof.clone();
    config.remove("proofValue");
    if key.verify(&hash_data(&unsecured, &config)?, &signature).is_err() {
        // Diagnose a known divergence for the report, never accept it.
        let legacy = unsecured.contains_key("@context")
            && key.verify(&hash_data_with(&unsecured, &config, false)?, &signature).is_ok();
        return Err(if legacy { DiError::ContextOmitted } else { DiError::Signature });
    }
    Ok(vm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::Entropy;

    #[test]
    fn did_key_round_trip_and_known_prefix() {
        let key = Ed25519Key::generate(&Entropy::seeded(1));
        assert!(key.did().starts_with("did:key:z6Mk"), "{}", key.did());
        let vm = key.verification_method();
        assert_eq!(resolve_did_key(&vm).expect("resolves").as_bytes(), key.signing.verifying_key().as_bytes());
        assert!(resolve_did_key("did:key:zQ3sh").is_err());
        assert!(resolve_did_key("did:web:example.com").is_err());
    }

    #[test]
    fn sign_verify_and_every_tamper_fails() {
        let key = Ed25519Key::generate(&Entropy::seeded(2));
        let doc = json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
            "issuer": key.did(), "credentialSubject": {"name": "Kʼómoks"}});
        let signed = add_proof(&doc, &key, "2026-01-01T00:00:00Z", "assertionMethod").expect("signs");
        assert_eq!(verify_proof(&signed).expect("verifies"), key.verification_method());
        let mut claim = signed.clone();
        claim["credentialSubject"]["name"] = json!("K'omoks");
        assert_eq!(verify_proof(&claim), Err(DiError::Signature));
        let mut purpose = signed.clone();
        purpose["proof"]["proofPurpose"] = json!("authentication");
        assert_eq!(verify_proof(&purpose), Err(DiError::Signature));
        let mut none = signed.clone();
        none.as_object_mut().map(|o| o.remove("proof"));
        assert_eq!(verify_proof(&none), Err(DiError::NoProof));
        // Member order does not matter (JCS).
        let reordered: Value = serde_json::from_str(&serde_json::to_string(&signed).expect("json")).expect("json");
        assert!(verify_proof(&reordered).is_ok());
    }
}
