//! Passwords: Argon2id (the `argon2` crate's defaults, OWASP's recommended parameters), in PHC
//! string form; and random secrets (passwords shown once, session and API tokens).

use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};

/// The hash of a new password. CPU-heavy: call it off the async runtime.
pub(crate) fn hash(password: &str) -> Result<String, String> {
    argon2::Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Whether `password` is the one `stored` hashes. CPU-heavy: call it off the async runtime.
pub(crate) fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| argon2::Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash no password matches in practice, checked against for an unknown login so that a wrong
/// login takes as long as a wrong password.
pub(crate) fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash(&secret(32)).unwrap_or_default())
}

/// A random secret of `bytes` bytes, base64url without padding.
pub(crate) fn secret(bytes: usize) -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// The SHA-256 of a token, hex: what the database keeps of sessions and API tokens.
pub(crate) fn token_digest(token: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::clock::hex(&Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time independent of where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (token_digest(a), token_digest(b));
    a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_hash_only() {
        let stored = hash("correct horse").unwrap_or_default();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(verify("correct horse", &stored));
        assert!(!verify("correct hors", &stored));
        assert!(!verify("correct horse", "not a hash"));
        assert!(same_secret("abc", "abc") && !same_secret("abc", "abd"));
    }
}
