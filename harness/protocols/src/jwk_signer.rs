//! Signing with a private JWK, for test vectors and for securing public examples' unsecured inputs:
//! ES256, ES384 and ES512 by RustCrypto (`p256`, `p384`: deterministic, RFC 6979; `p521` 0.13 draws
//! its nonce from the operating system), EdDSA with Ed25519 (`ed25519-dalek`) or Ed448
//! (`ed448-goldilocks`), deterministic (RFC 8032). The private key must be the one of the JWK's
//! public members, when it has them.

use crate::b64;
use crate::jose::JoseError;
use serde_json::Value;

fn key_error(detail: impl Into<String>) -> JoseError {
    JoseError::Key(detail.into())
}

/// A base64url member of the JWK, as bytes.
fn member(jwk: &Value, name: &str) -> Result<Vec<u8>, JoseError> {
    let text =
        jwk.get(name).and_then(Value::as_str).ok_or_else(|| key_error(format!("missing string member {name:?}")))?;
    b64::decode(text).map_err(|e| key_error(format!("{name} is not base64url: {e}")))
}

/// The JWK's `crv`, which must be `expected` for `alg`.
fn curve(jwk: &Value, alg: &str, expected: &[&str]) -> Result<String, JoseError> {
    let crv = jwk.get("crv").and_then(Value::as_str).unwrap_or_default();
    if expected.contains(&crv) {
        Ok(crv.to_string())
    } else {
        Err(key_error(format!("a {alg} key is on {}, not {crv:?}", expected.join(" or "))))
    }
}

/// The public members the JWK has (`x`, and `y` for EC) must be those of the private key.
fn same_public(jwk: &Value, x: &[u8], y: Option<&[u8]>) -> Result<(), JoseError> {
    let differs =
        |name: &str, value: &[u8]| jwk.get(name).is_some() && member(jwk, name).ok().as_deref() != Some(value);
    if differs("x", x) || y.is_some_and(|y| differs("y", y)) {
        return Err(key_error("d is not the private key of the JWK's public key"));
    }
    Ok(())
}

macro_rules! ecdsa_sign {
    ($curve:ident, $jwk:expr, $message:expr) => {{
        use $curve::ecdsa::signature::Signer;
        let signing = $curve::ecdsa::SigningKey::from_slice(&member($jwk, "d")?)
            .map_err(|_| key_error("d is not a private key on the curve"))?;
        let point = $curve::ecdsa::VerifyingKey::from(&signing).to_encoded_point(false);
        same_public($jwk, point.x().map(|x| &x[..]).unwrap_or_default(), point.y().map(|y| &y[..]))?;
        let signature: $curve::ecdsa::Signature = signing.sign($message);
        Ok(signature.to_bytes().to_vec())
    }};
}

/// Signs `message` with a private JWK (JWS signature form: r||s for ECDSA).
pub(crate) fn sign(alg: &str, jwk: &Value, message: &[u8]) -> Result<Vec<u8>, JoseError> {
    if !jwk.is_object() {
        return Err(key_error("a JWK is a JSON object"));
    }
    match alg {
        "ES256" => {
            curve(jwk, alg, &["P-256"])?;
            ecdsa_sign!(p256, jwk, message)
        }
        "ES384" => {
            curve(jwk, alg, &["P-384"])?;
            ecdsa_sign!(p384, jwk, message)
        }
        "ES512" => {
            curve(jwk, alg, &["P-521"])?;
            ecdsa_sign!(p521, jwk, message)
        }
        "EdDSA" | "Ed25519" => {
            let d = member(jwk, "d")?;
            if curve(jwk, alg, &["Ed25519", "Ed448"])? == "Ed25519" {
                let seed: [u8; 32] = d.try_into().map_err(|_| key_error("an Ed25519 d is 32 bytes"))?;
                let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
                same_public(jwk, signing.verifying_key().as_bytes(), None)?;
                use ed25519_dalek::Signer;
                Ok(signing.sign(message).to_bytes().to_vec())
            } else {
                let signing = ed448_goldilocks::SigningKey::try_from(d.as_slice())
                    .map_err(|_| key_error("an Ed448 d is 57 bytes"))?;
                same_public(jwk, signing.verifying_key().as_bytes(), None)?;
                Ok(signing.sign_raw(message).to_bytes().to_vec())
            }
        }
        other => Err(JoseError::Algorithm(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::verify_signature;
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    use serde_json::json;

    fn ec(crv: &str, point: &[u8], d: &[u8]) -> Value {
        let size = (point.len() - 1) / 2;
        json!({"kty": "EC", "crv": crv, "x": b64::encode(&point[1..=size]), "y": b64::encode(&point[size + 1..]), "d": b64::encode(d)})
    }

    /// Each algorithm signs (deterministically but for ES512) and its signature verifies (by ring or RustCrypto);
    /// a key of another curve, or whose `d` is not its public key's, is refused.
    #[test]
    fn every_algorithm_signs_what_verifies_and_mismatched_keys_are_refused() {
        let p256 = p256::SecretKey::from_slice(&[2u8; 32]).unwrap();
        let p384 = p384::SecretKey::from_slice(&[3u8; 48]).unwrap();
        let p521 = p521::SecretKey::from_slice(&[1u8; 66]).unwrap();
        let ed25519 = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
        let keys = [
            ("ES256", ec("P-256", p256.public_key().to_encoded_point(false).as_bytes(), &p256.to_bytes())),
            ("ES384", ec("P-384", p384.public_key().to_encoded_point(false).as_bytes(), &p384.to_bytes())),
            ("ES512", ec("P-521", p521.public_key().to_encoded_point(false).as_bytes(), &p521.to_bytes())),
            (
                "EdDSA",
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64::encode(ed25519.verifying_key().as_bytes()), "d": b64::encode([9u8; 32])}),
            ),
        ];
        for (alg, private) in &keys {
            let signature = sign(alg, private, b"message").unwrap();
            let again = sign(alg, private, b"message").unwrap();
            assert_eq!(signature == again, *alg != "ES512", "{alg}: RFC 6979 / RFC 8032, a random nonce for P-521");
            assert_eq!(verify_signature(alg, private, b"message", &signature), Ok(()), "{alg}");
            assert_eq!(verify_signature(alg, private, b"other", &signature), Err(JoseError::Signature), "{alg}");
            let mut wrong = private.clone();
            wrong["x"] = keys[(keys.iter().position(|(a, _)| a == alg).unwrap() + 1) % keys.len()].1["x"].clone();
            assert!(matches!(sign(alg, &wrong, b"m"), Err(JoseError::Key(_))), "{alg}");
        }
        assert!(matches!(sign("ES384", &keys[0].1, b"m"), Err(JoseError::Key(_))));
        assert!(matches!(sign("HS256", &keys[0].1, b"m"), Err(JoseError::Algorithm(_))));
        assert!(matches!(sign("ES256", &json!("a string"), b"m"), Err(JoseError::Key(_))));
    }
}
