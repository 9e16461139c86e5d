//! SHA-256 digests as in-toto writes them (lowercase hex), of bytes and of JSON values in their
//! RFC 8785 canonical form (so that a digest of parsed JSON does not depend on how it was spaced).

use sha2::{Digest, Sha256};

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of `bytes`, lowercase hex.
pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The SHA-256 of a JSON value's canonical form (JSON Canonicalization Scheme, RFC 8785).
pub fn sha256_canonical(value: &serde_json::Value) -> Result<String, String> {
    serde_jcs::to_vec(value).map(|bytes| sha256(&bytes)).map_err(|e| e.to_string())
}
