//! A public key read once from its JWK and used for every signature it verifies (JWS and COSE
//! alike). The cryptography is `ring`'s — already linked for TLS, and the fastest well-kept
//! verifier measured here (ES256 on one core: ring ≈ aws-lc-rs, 1.3× OpenSSL, 4.8× RustCrypto's
//! `p256`) — for ES256, ES384, EdDSA with Ed25519, RS256 and PS256/384/512. What `ring` does not
//! implement is RustCrypto's: ES512 (`p521`) and EdDSA with Ed448 (`ed448-goldilocks`), their keys
//! read, and checked to be on their curves, once. `none` and MACs are refused.

use crate::b64;
use crate::jose::{JoseError, kind};
use ring::signature::{self as ring_sig, UnparsedPublicKey, VerificationAlgorithm};
use serde_json::{Map, Value};
use std::cell::{Cell, RefCell};

/// A public key, read from a JWK; it verifies the algorithms its key type allows and, when the JWK
/// names one (`alg`), only that one.
#[derive(Clone, Debug)]
pub struct PublicKey {
    material: Material,
    /// The JWK's own `alg`.
    alg: Option<String>,
}

#[derive(Clone)]
enum Material {
    /// An uncompressed SEC1 point on P-256 or P-384 (`crv` kept for the algorithm check).
    Ec {
        crv: Curve,
        point: Vec<u8>,
    },
    Ed25519(Vec<u8>),
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// The key types `ring` lacks, verified by RustCrypto.
    P521(p521::ecdsa::VerifyingKey),
    Ed448(Box<ed448_goldilocks::VerifyingKey>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Curve {
    P256,
    P384,
}

/// What a public JWK may carry that says it is not for verifying signatures (RFC 7517 §4.2, §4.3).
fn usable_for_verification(jwk: &Map<String, Value>) -> Result<(), JoseError> {
    match jwk.get("use") {
        None => {}
        Some(Value::String(u)) if u == "sig" => {}
        Some(other) => return Err(JoseError::Key(format!("use {other} is not \"sig\""))),
    }
    match jwk.get("key_ops") {
        None => {}
        Some(Value::Array(ops)) if ops.iter().any(|o| o.as_str() == Some("verify")) => {}
        Some(other) => return Err(JoseError::Key(format!("key_ops {other} does not contain \"verify\""))),
    }
    Ok(())
}

impl PublicKey {
    /// Reads a public JWK (EC P-256, P-384 or P-521; OKP Ed25519 or Ed448; RSA). Private members
    /// are ignored. The point itself is validated when it verifies (ring checks it is on the curve).
    pub fn from_jwk(jwk: &Value) -> Result<Self, JoseError> {
        let Value::Object(map) = jwk else {
            return Err(JoseError::Key(format!("a JWK is a JSON object, found {}", kind(jwk))));
        };
        usable_for_verification(map)?;
        let text = |name: &str| -> Result<&str, JoseError> {
            map.get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| JoseError::Key(format!("missing string member {name:?}")))
        };
        let bytes = |name: &str| -> Result<Vec<u8>, JoseError> {
            b64::decode(text(name)?).map_err(|e| JoseError::Key(format!("{name} is not base64url: {e}")))
        };
        let alg = match map.get("alg") {
            None => None,
            Some(Value::String(a)) => Some(a.clone()),
            Some(other) => return Err(JoseError::Key(format!("alg {other} is not a string"))),
        };
        let material = match text("kty")? {
            "EC" => {
                let (crv, size) = match text("crv")? {
                    "P-256" => (Curve::P256, 32),
                    "P-384" => (Curve::P384, 48),
                    "P-521" => {
                        return Ok(Self { material: Material::P521(p521_key(&bytes("x")?, &bytes("y")?)?), alg });
                    }
                    other => return Err(JoseError::Key(format!("crv {other:?} is not a supported EC curve"))),
                };
                let (x, y) = (bytes("x")?, bytes("y")?);
                if x.len() != size || y.len() != size {
                    return Err(JoseError::Key(format!(
                        "x and y are {} and {} bytes, expected {size}",
                        x.len(),
                        y.len()
                    )));
                }
                let mut point = Vec::with_capacity(1 + 2 * size);
                point.push(0x04);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                Material::Ec { crv, point }
            }
            "OKP" => match text("crv")? {
                "Ed25519" => {
                    let x = bytes("x")?;
                    if x.len() != 32 {
                        return Err(JoseError::Key(format!("x is {} bytes, expected 32", x.len())));
                    }
                    Material::Ed25519(x)
                }
                "Ed448" => {
                    let x: [u8; 57] = bytes("x")?
                        .try_into()
                        .map_err(|x: Vec<u8>| JoseError::Key(format!("x is {} bytes, expected 57", x.len())))?;
                    let key = ed448_goldilocks::VerifyingKey::from_bytes(&x)
                        .map_err(|_| JoseError::Key("x is not an Ed448 public key".into()))?;
                    Material::Ed448(Box::new(key))
                }
                other => return Err(JoseError::Key(format!("crv {other:?} is not a signature curve"))),
            },
            "RSA" => Material::Rsa { n: bytes("n")?, e: bytes("e")? },
            other => return Err(JoseError::Key(format!("kty {other:?} is not a public key type dialtone verifies"))),
        };
        Ok(Self { material, alg })
    }

    /// The key of an uncompressed SEC1 P-256 point (what [`crate::jose::EcKey`] and X.509 give).
    pub fn p256_point(point: &[u8]) -> Self {
        Self { material: Material::Ec { crv: Curve::P256, point: point.to_vec() }, alg: None }
    }

    /// Verifies `signature` (JWS form: r||s for ECDSA) over `message` with `alg`. The key's type
    /// and curve, and the JWK's `alg` when it names one, must suit `alg`.
    pub fn verify(&self, alg: &str, message: &[u8], signature: &[u8]) -> Result<(), JoseError> {
        let eddsa = matches!(alg, "EdDSA" | "Ed25519");
        match self.alg.as_deref() {
            None => {}
            Some(named) if named == alg || (eddsa && matches!(named, "EdDSA" | "Ed25519")) => {}
            Some(named) => return Err(JoseError::Key(format!("the key is for alg {named}, not {alg}"))),
        }
        let unsuited = || JoseError::Key(format!("a {} key cannot verify {alg}", self.material.describe()));
        let ring_alg: &'static dyn VerificationAlgorithm = match (&self.material, alg) {
            (Material::Ec { crv: Curve::P256, .. }, "ES256") => &ring_sig::ECDSA_P256_SHA256_FIXED,
            (Material::Ec { crv: Curve::P384, .. }, "ES384") => &ring_sig::ECDSA_P384_SHA384_FIXED,
            (Material::Ed25519(_), _) if eddsa => &ring_sig::ED25519,
            (Material::Rsa { n, e }, _) => {
                let params: &'static ring_sig::RsaParameters = match alg {
                    "RS256" => &ring_sig::RSA_PKCS1_2048_8192_SHA256,
                    "PS256" => &ring_sig::RSA_PSS_2048_8192_SHA256,
                    "PS384" => &ring_sig::RSA_PSS_2048_8192_SHA384,
                    "PS512" => &ring_sig::RSA_PSS_2048_8192_SHA512,
                    _ => return Err(unsuited()),
                };
                count(self, alg, message, signature);
                let key = ring_sig::RsaPublicKeyComponents { n: n.as_slice(), e: e.as_slice() };
                return key.verify(params, message, signature).map_err(|_| JoseError::Signature);
            }
            (Material::P521(key), "ES512") => {
                use p521::ecdsa::signature::Verifier;
                count(self, alg, message, signature);
                let signature = p521::ecdsa::Signature::from_slice(signature).map_err(|_| JoseError::Signature)?;
                return key.verify(message, &signature).map_err(|_| JoseError::Signature);
            }
            (Material::Ed448(key), _) if eddsa => {
                count(self, alg, message, signature);
                let signature = ed448_goldilocks::Signature::from_slice(signature).map_err(|_| JoseError::Signature)?;
                return key.verify_raw(&signature, message).map_err(|_| JoseError::Signature);
            }
            _ => return Err(unsuited()),
        };
        let bytes = match &self.material {
            Material::Ec { point, .. } => point.as_slice(),
            Material::Ed25519(x) => x.as_slice(),
            _ => return Err(unsuited()),
        };
        count(self, alg, message, signature);
        UnparsedPublicKey::new(ring_alg, bytes).verify(message, signature).map_err(|_| JoseError::Signature)
    }
}

impl std::fmt::Debug for Material {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ec { crv, point } => f.debug_struct("Ec").field("crv", crv).field("point", point).finish(),
            Self::Ed25519(x) => f.debug_tuple("Ed25519").field(x).finish(),
            Self::Rsa { n, e } => f.debug_struct("Rsa").field("n", n).field("e", e).finish(),
            Self::P521(key) => f.debug_tuple("P521").field(&key.to_encoded_point(false).as_bytes()).finish(),
            Self::Ed448(key) => f.debug_tuple("Ed448").field(&key.as_bytes()).finish(),
        }
    }
}

impl Material {
    fn describe(&self) -> &'static str {
        match self {
            Self::Ec { crv: Curve::P256, .. } => "P-256",
            Self::Ec { crv: Curve::P384, .. } => "P-384",
            Self::Ed25519(_) => "Ed25519",
            Self::Rsa { .. } => "RSA",
            Self::P521(_) => "P-521",
            Self::Ed448(_) => "Ed448",
        }
    }
}

/// A P-521 public key from its JWK coordinates (66 bytes each), checked to be on the curve.
fn p521_key(x: &[u8], y: &[u8]) -> Result<p521::ecdsa::VerifyingKey, JoseError> {
    if x.len() != 66 || y.len() != 66 {
        return Err(JoseError::Key(format!("x and y are {} and {} bytes, expected 66", x.len(), y.len())));
    }
    let mut point = Vec::with_capacity(133);
    point.push(0x04);
    point.extend_from_slice(x);
    point.extend_from_slice(y);
    p521::ecdsa::VerifyingKey::from_sec1_bytes(&point)
        .map_err(|_| JoseError::Key("the point is not on the P-521 curve".into()))
}

/// A JWK Set read once: each key with its `kid`, its RFC 7638 thumbprint and its [`PublicKey`] (or
/// why it is not one), for a verifier that checks many signatures against the same keys.
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    keys: Vec<SetKey>,
}

/// One key of a [`KeySet`].
#[derive(Clone, Debug)]
pub struct SetKey {
    pub jwk: Value,
    pub kid: Option<String>,
    /// RFC 7638 thumbprint; empty for a JWK that has none (not EC or OKP).
    pub thumbprint: String,
    key: Result<PublicKey, JoseError>,
}

impl SetKey {
    pub fn new(jwk: Value) -> Self {
        Self {
            kid: jwk.get("kid").and_then(Value::as_str).map(str::to_string),
            thumbprint: crate::jose::thumbprint(&jwk).unwrap_or_default(),
            key: PublicKey::from_jwk(&jwk),
            jwk,
        }
    }

    /// As [`crate::jose::verify_signature`] with this key's JWK, without reading it again.
    pub fn verify(&self, alg: &str, message: &[u8], signature: &[u8]) -> Result<(), JoseError> {
        if !crate::jose::VERIFIABLE_ALGS.contains(&alg) && alg != "Ed25519" {
            return Err(JoseError::Algorithm(alg.to_string()));
        }
        match &self.key {
            Ok(key) => key.verify(alg, message, signature),
            Err(e) => Err(e.clone()),
        }
    }
}

impl KeySet {
    pub fn new(jwks: impl IntoIterator<Item = Value>) -> Self {
        Self { keys: jwks.into_iter().map(SetKey::new).collect() }
    }

    /// The keys of a JWK Set (`{"keys": [...]}`); `None` when it has no `keys` array.
    pub fn of_jwks(jwks: &Value) -> Option<Self> {
        jwks.get("keys").and_then(Value::as_array).map(|keys| Self::new(keys.iter().cloned()))
    }

    pub fn keys(&self) -> &[SetKey] {
        &self.keys
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

// What `dialtone bench --formats` and the tests read: how many signatures this thread verified, and
// (while recording) which, so the bench can time the signature work alone with the same library.
thread_local! {
    static VERIFIED: Cell<u64> = const { Cell::new(0) };
    static RECORDED: RefCell<Option<Vec<Recorded>>> = const { RefCell::new(None) };
}

/// One signature verification, kept to be verified again.
#[derive(Clone, Debug)]
pub struct Recorded {
    key: PublicKey,
    alg: String,
    message: Vec<u8>,
    signature: Vec<u8>,
}

impl Recorded {
    /// Verifies it again, as the first time (the result is the same).
    pub fn verify(&self) -> Result<(), JoseError> {
        self.key.verify(&self.alg, &self.message, &self.signature)
    }
}

fn count(key: &PublicKey, alg: &str, message: &[u8], signature: &[u8]) {
    VERIFIED.with(|v| v.set(v.get() + 1));
    RECORDED.with(|r| {
        if let Some(list) = r.borrow_mut().as_mut() {
            list.push(Recorded {
                key: key.clone(),
                alg: alg.to_string(),
                message: message.to_vec(),
                signature: signature.to_vec(),
            });
        }
    });
}

/// Signature verifications this thread has made so far (every one, whatever its outcome).
pub fn verified_on_this_thread() -> u64 {
    VERIFIED.with(Cell::get)
}

/// Runs `f` and returns, with its result, every signature verification it made on this thread.
pub fn recording<T>(f: impl FnOnce() -> T) -> (T, Vec<Recorded>) {
    let outer = RECORDED.with(|r| r.borrow_mut().replace(Vec::new()));
    let result = f();
    let recorded = RECORDED.with(|r| std::mem::replace(&mut *r.borrow_mut(), outer)).unwrap_or_default();
    (result, recorded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::{EcKey, sign_with_jwk};
    use crate::seed::Entropy;
    use serde_json::json;

    fn ed25519_private() -> Value {
        let signing = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
        json!({"kty": "OKP", "crv": "Ed25519", "x": b64::encode(signing.verifying_key().as_bytes()), "d": b64::encode([9u8; 32])})
    }

    #[test]
    fn an_es256_key_read_once_verifies_many_and_refuses_other_algorithms() {
        let key = EcKey::generate(&Entropy::seeded(1));
        let public = PublicKey::from_jwk(&key.public_jwk()).expect("reads");
        for n in 0..3 {
            let message = format!("message {n}");
            public.verify("ES256", message.as_bytes(), &key.sign_bytes(message.as_bytes())).expect("verifies");
        }
        let signature = key.sign_bytes(b"m");
        assert_eq!(public.verify("ES256", b"other", &signature), Err(JoseError::Signature));
        for alg in ["ES384", "EdDSA", "RS256", "HS256", "none"] {
            assert!(matches!(public.verify(alg, b"m", &signature), Err(JoseError::Key(_))), "{alg}");
        }
    }

    #[test]
    fn the_jwks_alg_use_and_key_ops_are_obeyed() {
        let key = EcKey::generate(&Entropy::seeded(2));
        let signature = key.sign_bytes(b"m");
        let with = |member: &str, value: Value| {
            let mut jwk = key.public_jwk();
            jwk[member] = value;
            PublicKey::from_jwk(&jwk).and_then(|k| k.verify("ES256", b"m", &signature))
        };
        assert_eq!(with("alg", json!("ES256")), Ok(()));
        assert!(matches!(with("alg", json!("ES384")), Err(JoseError::Key(_))));
        assert_eq!(with("use", json!("sig")), Ok(()));
        assert!(matches!(with("use", json!("enc")), Err(JoseError::Key(_))));
        assert_eq!(with("key_ops", json!(["verify"])), Ok(()));
        assert!(matches!(with("key_ops", json!(["encrypt"])), Err(JoseError::Key(_))));
    }

    #[test]
    fn a_point_off_the_curve_does_not_verify() {
        let key = EcKey::generate(&Entropy::seeded(3));
        let mut jwk = key.public_jwk();
        jwk["y"] = json!(b64::encode([1u8; 32]));
        let public = PublicKey::from_jwk(&jwk).expect("reads: the point is checked when it verifies");
        assert!(public.verify("ES256", b"m", &key.sign_bytes(b"m")).is_err());
    }

    #[test]
    fn ed25519_and_the_curves_ring_lacks_verify_too() {
        let private = ed25519_private();
        let signature = sign_with_jwk("EdDSA", &private, b"m").expect("signs");
        let public = PublicKey::from_jwk(&private).expect("reads (d ignored)");
        assert_eq!(public.verify("EdDSA", b"m", &signature), Ok(()));
        assert_eq!(public.verify("Ed25519", b"m", &signature), Ok(()));
        assert_eq!(public.verify("EdDSA", b"n", &signature), Err(JoseError::Signature));
        // P-521, signed and verified by RustCrypto.
        let private = rfc7520_p521();
        let signature = sign_with_jwk("ES512", &private, b"m").expect("signs");
        let public = PublicKey::from_jwk(&private).expect("reads");
        assert_eq!(public.verify("ES512", b"m", &signature), Ok(()));
        assert_eq!(public.verify("ES512", b"n", &signature), Err(JoseError::Signature));
        assert!(matches!(public.verify("ES256", b"m", &signature), Err(JoseError::Key(_))));
    }

    /// The P-521 key of RFC 7520 §3.2 (x, y and d as published).
    fn rfc7520_p521() -> Value {
        json!({"kty": "EC", "kid": "bilbo.baggins@hobbiton.example", "use": "sig", "crv": "P-521",
            "x": "AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt",
            "y": "AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1",
            "d": "AAhRON2r9cqXX1hg-RoI6R1tX5p2rUAYdmpHZoC1XNM56KtscrX6zbKipQrCW9CGZH3T4ubpnoTKLDYJ_fF3_rJt"})
    }

    /// RFC 7520 §4.3: the cookbook's ES512 JWS (made by another implementation) verifies with its
    /// key, and not once altered.
    #[test]
    fn the_rfc_7520_es512_example_verifies() {
        let jws = concat!(
            "eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9",
            ".SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9h",
            "ZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9m",
            "ZiB0by4",
            ".AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-JZGYNlaAjP2kqaluUIIUnC9qvbu9Plon7KRTzoNEuT4Va2cmL1eJAQy3mtPBu_u_sDDyYjnAMDxXPn7",
            "XrT0lw-kvAD890jl8e2puQens_IEKBpHABlsbEPX6sFY8OcGDqoRuBomu9xQ2"
        );
        let (input, signature) = jws.rsplit_once('.').expect("three segments");
        let mut signature = b64::decode(signature).expect("base64url");
        let mut public = rfc7520_p521();
        public.as_object_mut().expect("object").remove("d");
        assert_eq!(crate::jose::verify_signature("ES512", &public, input.as_bytes(), &signature), Ok(()));
        signature[10] ^= 1;
        let key = PublicKey::from_jwk(&public).expect("reads");
        assert_eq!(key.verify("ES512", input.as_bytes(), &signature), Err(JoseError::Signature));
        let mut off_curve = public.clone();
        off_curve["y"] = json!(b64::encode([1u8; 66]));
        assert!(matches!(PublicKey::from_jwk(&off_curve), Err(JoseError::Key(_))));
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
    }

    /// RFC 8032 §7.4 (Ed448, "blank" and "1 octet"): each published signature verifies with its
    /// public key as an OKP JWK (RFC 8037), and what dialtone signs with the secret key is that
    /// signature, byte for byte (EdDSA is deterministic).
    #[test]
    fn the_rfc_8032_ed448_vectors_verify_and_sign_the_same() {
        let vectors = [
            (
                "6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b",
                "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180",
                "",
                "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4dbb61149f05a7363268c71d95808ff2e652600",
            ),
            (
                "c4eab05d357007c632f3dbb48489924d552b08fe0c353a0d4a1f00acda2c463afbea67c5e8d2877c5e3bc397a659949ef8021e954e0a12274e",
                "43ba28f430cdff456ae531545f7ecd0ac834a55d9358c0372bfa0c6c6798c0866aea01eb00742802b8438ea4cb82169c235160627b4c3a9480",
                "03",
                "26b8f91727bd62897af15e41eb43c377efb9c610d48f2335cb0bd0087810f4352541b143c4b981b7e18f62de8ccdf633fc1bf037ab7cd779805e0dbcc0aae1cbcee1afb2e027df36bc04dcecbf154336c19f0af7e0a6472905e799f1953d2a0ff3348ab21aa4adafd1d234441cf807c03a00",
            ),
        ];
        for (secret, public, message, signature) in vectors {
            let jwk = json!({"kty": "OKP", "crv": "Ed448", "x": b64::encode(hex(public))});
            let key = PublicKey::from_jwk(&jwk).expect("reads");
            let (message, signature) = (hex(message), hex(signature));
            assert_eq!(key.verify("EdDSA", &message, &signature), Ok(()));
            assert_eq!(key.verify("EdDSA", b"other", &signature), Err(JoseError::Signature));
            assert!(matches!(key.verify("ES256", &message, &signature), Err(JoseError::Key(_))));
            let mut private = jwk.clone();
            private["d"] = json!(b64::encode(hex(secret)));
            assert_eq!(sign_with_jwk("EdDSA", &private, &message), Ok(signature));
        }
        assert!(matches!(
            PublicKey::from_jwk(&json!({"kty": "OKP", "crv": "Ed448", "x": b64::encode([0u8; 56])})),
            Err(JoseError::Key(_))
        ));
    }

    #[test]
    fn verifications_are_counted_and_recorded_per_thread() {
        let key = EcKey::generate(&Entropy::seeded(4));
        let public = PublicKey::from_jwk(&key.public_jwk()).expect("reads");
        let signature = key.sign_bytes(b"m");
        let before = verified_on_this_thread();
        let ((), recorded) = recording(|| {
            let _ = public.verify("ES256", b"m", &signature);
            let _ = public.verify("ES256", b"x", &signature);
        });
        assert_eq!(verified_on_this_thread() - before, 2);
        assert_eq!(recorded.len(), 2);
        assert_eq!(recorded[0].verify(), Ok(()));
        assert_eq!(recorded[1].verify(), Err(JoseError::Signature));
        let (_, none) = recording(|| ());
        assert!(none.is_empty());
    }
}
