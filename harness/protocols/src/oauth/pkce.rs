//! Proof Key for Code Exchange (RFC 7636): the verifier a client makes, the challenge it sends, and
//! the check an authorization server makes when the code is redeemed. SHA-256 and base64url come
//! from their crates; this is only their composition (§4.1, §4.2, §4.6).

use crate::seed::Entropy;
use sha2::{Digest, Sha256};

/// `code_challenge_method` values (§4.2, §4.3).
pub const S256: &str = "S256";
pub const PLAIN: &str = "plain";

/// A fresh `code_verifier`: 32 random octets, base64url-encoded to 43 characters (§4.1).
pub fn verifier(entropy: &Entropy) -> String {
    entropy.token(32)
}

/// `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))` (§4.2).
pub fn s256_challenge(verifier: &str) -> String {
    crate::b64::encode(Sha256::digest(verifier.as_bytes()))
}

/// The challenge for `method` (`plain` is the verifier itself).
pub fn challenge(method: &str, verifier: &str) -> String {
    if method == S256 { s256_challenge(verifier) } else { verifier.to_string() }
}

/// Whether a `code_verifier` has the syntax of §4.1: 43 to 128 unreserved characters.
pub fn well_formed(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// The server's check (§4.6): the verifier is well formed and transforms to the challenge with the
/// method the authorization request named.
pub fn verify(method: &str, challenge: &str, verifier: &str) -> bool {
    if !well_formed(verifier) {
        return false;
    }
    let computed = match method {
        S256 => s256_challenge(verifier),
        PLAIN => verifier.to_string(),
        _ => return false,
    };
    // Both are public once the code is redeemed; equal lengths are compared in full.
    computed.len() == challenge.len() && computed.bytes().zip(challenge.bytes()).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfcs_appendix_b_example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(s256_challenge(verifier), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert!(verify(S256, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", verifier));
        assert!(!verify(S256, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", &verifier.replace('d', "e")));
        assert!(!verify("S512", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", verifier));
    }

    #[test]
    fn verifiers_are_43_to_128_unreserved_characters() {
        let made = verifier(&Entropy::seeded(1));
        assert_eq!(made.len(), 43);
        assert!(well_formed(&made));
        assert!(!well_formed("short"));
        assert!(!well_formed(&"a".repeat(129)));
        assert!(!well_formed(&format!("{}+", "a".repeat(43))));
        assert!(verify(PLAIN, &made, &made));
    }
}
