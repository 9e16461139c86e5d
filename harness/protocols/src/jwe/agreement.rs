//! ECDH-ES in Direct Key Agreement mode (RFC 7518 §4.6): an ephemeral key on the recipient's curve,
//! the shared secret Z, and the content encryption key derived from Z with the Concat KDF (NIST SP
//! 800-56A §5.8.1, as RFC 7518 §4.6.2 parameterizes it). The curves are RustCrypto's (P-256, P-384,
//! P-521) and x25519-dalek's (X25519, RFC 8037 §3.2); the KDF is RustCrypto's `concat-kdf`.

use crate::b64;
use p256::elliptic_curve::sec1::{FromEncodedPoint, ModulusSize, ToEncodedPoint};
use p256::elliptic_curve::{AffinePoint, CurveArithmetic, FieldBytesSize, PublicKey, SecretKey, ecdh};
use rand_chacha::ChaCha20Rng;
use serde_json::{Value, json};

/// A recipient's key: its curve and its public key (and, to decrypt, its private key).
enum Curve {
    P256,
    P384,
    P521,
    X25519,
}

impl Curve {
    fn of(jwk: &Value) -> Result<Self, String> {
        let member = |name: &str| jwk.get(name).and_then(Value::as_str);
        match (member("kty"), member("crv")) {
            (Some("EC"), Some("P-256")) => Ok(Self::P256),
            (Some("EC"), Some("P-384")) => Ok(Self::P384),
            (Some("EC"), Some("P-521")) => Ok(Self::P521),
            (Some("OKP"), Some("X25519")) => Ok(Self::X25519),
            (Some(kty @ ("EC" | "OKP")), crv) => Err(format!(
                "{kty} key on curve {:?}: ECDH-ES is done on P-256, P-384, P-521 and X25519",
                crv.unwrap_or("")
            )),
            (kty, _) => Err(format!("kty {:?} is not EC or OKP", kty.unwrap_or(""))),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::P384 => "P-384",
            Self::P521 => "P-521",
            Self::X25519 => "X25519",
        }
    }

    /// The length of a coordinate (or of the X25519 key), in bytes.
    fn size(&self) -> usize {
        match self {
            Self::P256 | Self::X25519 => 32,
            Self::P384 => 48,
            Self::P521 => 66,
        }
    }
}

/// A JWK member of `jwk` that is base64url of exactly `size` bytes.
fn fixed(jwk: &Value, name: &str, size: usize) -> Result<Vec<u8>, String> {
    let text = jwk.get(name).and_then(Value::as_str).ok_or_else(|| format!("the JWK has no string {name:?}"))?;
    let bytes = b64::decode(text).map_err(|e| format!("{name} is not base64url: {e}"))?;
    if bytes.len() != size {
        return Err(format!("{name} is {} bytes, expected {size}", bytes.len()));
    }
    Ok(bytes)
}

/// The public key of an EC JWK, checked to be on its curve.
fn ec_public<C>(jwk: &Value, size: usize) -> Result<PublicKey<C>, String>
where
    C: CurveArithmetic,
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromEncodedPoint<C> + ToEncodedPoint<C>,
{
    let mut point = vec![0x04];
    point.extend(fixed(jwk, "x", size)?);
    point.extend(fixed(jwk, "y", size)?);
    PublicKey::<C>::from_sec1_bytes(&point).map_err(|_| "the point is not on the curve".to_string())
}

/// An ephemeral key pair on the recipient's curve: its public JWK (the `epk` header) and Z.
fn ec_ephemeral<C>(recipient: &Value, curve: &Curve, rng: &mut ChaCha20Rng) -> Result<(Value, Vec<u8>), String>
where
    C: CurveArithmetic,
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromEncodedPoint<C> + ToEncodedPoint<C>,
{
    let public = ec_public::<C>(recipient, curve.size())?;
    let secret = ecdh::EphemeralSecret::<C>::random(rng);
    let point = secret.public_key().to_encoded_point(false);
    let (x, y) = (point.x().ok_or("no x coordinate")?, point.y().ok_or("no y coordinate")?);
    let epk = json!({"kty": "EC", "crv": curve.name(), "x": b64::encode(x), "y": b64::encode(y)});
    Ok((epk, secret.diffie_hellman(&public).raw_secret_bytes().to_vec()))
}

/// Z from a private EC JWK (`d`) and the sender's ephemeral public key.
fn ec_static<C>(private: &Value, epk: &Value, size: usize) -> Result<Vec<u8>, String>
where
    C: CurveArithmetic,
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromEncodedPoint<C> + ToEncodedPoint<C>,
{
    let secret = SecretKey::<C>::from_slice(&fixed(private, "d", size)?).map_err(|_| "d is not a private key")?;
    let public = ec_public::<C>(epk, size).map_err(|e| format!("epk: {e}"))?;
    Ok(ecdh::diffie_hellman(secret.to_nonzero_scalar(), public.as_affine()).raw_secret_bytes().to_vec())
}

/// A 32-byte X25519 member as an array.
fn x25519_bytes(jwk: &Value, name: &str) -> Result<[u8; 32], String> {
    fixed(jwk, name, 32)?.try_into().map_err(|_| format!("{name} is not 32 bytes"))
}

/// RFC 7748 §6.1 (RFC 8037 §3.2): an all-zero X25519 output (a low-order point) is refused.
fn x25519_secret(shared: x25519_dalek::SharedSecret) -> Result<Vec<u8>, String> {
    if shared.was_contributory() {
        Ok(shared.as_bytes().to_vec())
    } else {
        Err("the X25519 shared secret is all zeros (a low-order public key)".into())
    }
}

/// The JWK's own `alg`, `use` and `key_ops`, when present, must allow ECDH-ES (RFC 7517 §4.2–4.4).
fn usable(jwk: &Value) -> Result<(), String> {
    if !jwk.is_object() {
        return Err("the JWK is not a JSON object".into());
    }
    match jwk.get("use") {
        None => {}
        Some(Value::String(u)) if u == "enc" => {}
        Some(other) => return Err(format!("use {other} is not \"enc\"")),
    }
    match jwk.get("key_ops") {
        None => {}
        Some(Value::Array(ops)) if ops.iter().any(|o| o.as_str() == Some("deriveKey")) => {}
        Some(other) => return Err(format!("key_ops {other} does not contain \"deriveKey\"")),
    }
    match jwk.get("alg") {
        None => Ok(()),
        Some(Value::String(a)) if a == super::ALG => Ok(()),
        Some(other) => Err(format!("the key is for alg {other}, not {}", super::ALG)),
    }
}

/// The sender's side: an ephemeral key on the recipient's curve; returns its public JWK (`epk`) and Z.
pub(super) fn ephemeral(recipient: &Value, rng: &mut ChaCha20Rng) -> Result<(Value, Vec<u8>), String> {
    usable(recipient)?;
    let curve = Curve::of(recipient)?;
    match curve {
        Curve::P256 => ec_ephemeral::<p256::NistP256>(recipient, &curve, rng),
        Curve::P384 => ec_ephemeral::<p384::NistP384>(recipient, &curve, rng),
        Curve::P521 => ec_ephemeral::<p521::NistP521>(recipient, &curve, rng),
        Curve::X25519 => {
            let public = x25519_dalek::PublicKey::from(x25519_bytes(recipient, "x")?);
            let secret = x25519_dalek::EphemeralSecret::random_from_rng(rng);
            let epk = json!({"kty": "OKP", "crv": "X25519", "x": b64::encode(x25519_dalek::PublicKey::from(&secret).as_bytes())});
            Ok((epk, x25519_secret(secret.diffie_hellman(&public))?))
        }
    }
}

/// The recipient's side: Z from its private JWK and the header's `epk`, which must be on its curve.
pub(super) fn shared_secret(private: &Value, epk: &Value) -> Result<Vec<u8>, String> {
    usable(private)?;
    let curve = Curve::of(private)?;
    match Curve::of(epk) {
        Ok(on) if on.name() == curve.name() => {}
        Ok(on) => return Err(format!("epk is on {}, the key on {}", on.name(), curve.name())),
        Err(e) => return Err(format!("epk: {e}")),
    }
    match curve {
        Curve::P256 => ec_static::<p256::NistP256>(private, epk, curve.size()),
        Curve::P384 => ec_static::<p384::NistP384>(private, epk, curve.size()),
        Curve::P521 => ec_static::<p521::NistP521>(private, epk, curve.size()),
        Curve::X25519 => {
            let secret = x25519_dalek::StaticSecret::from(x25519_bytes(private, "d")?);
            let public = x25519_dalek::PublicKey::from(x25519_bytes(epk, "x").map_err(|e| format!("epk: {e}"))?);
            x25519_secret(secret.diffie_hellman(&public))
        }
    }
}

/// The content encryption key: the Concat KDF with SHA-256 over Z and the OtherInfo of RFC 7518
/// §4.6.2 (AlgorithmID the `enc` value, PartyUInfo `apu`, PartyVInfo `apv`, SuppPubInfo the key
/// length in bits; each but the last prefixed by its 32-bit big-endian length).
pub(super) fn content_key(z: &[u8], enc: &str, apu: &[u8], apv: &[u8], key_len: usize) -> Result<Vec<u8>, String> {
    let mut other_info = Vec::with_capacity(16 + enc.len() + apu.len() + apv.len());
    for field in [enc.as_bytes(), apu, apv] {
        let len = u32::try_from(field.len()).map_err(|_| "an OtherInfo field is too long")?;
        other_info.extend_from_slice(&len.to_be_bytes());
        other_info.extend_from_slice(field);
    }
    let bits = u32::try_from(key_len * 8).map_err(|_| "the key is too long")?;
    other_info.extend_from_slice(&bits.to_be_bytes());
    let mut key = vec![0u8; key_len];
    concat_kdf::derive_key_into::<sha2::Sha256>(z, &other_info, &mut key).map_err(|e| format!("Concat KDF: {e}"))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7518 Appendix C: Alice's ephemeral key and Bob's key agree on Z, from either side, and
    /// the Concat KDF (enc A128GCM, apu "Alice", apv "Bob") gives the published key.
    #[test]
    fn the_rfc_7518_appendix_c_key_agreement_gives_its_published_key() {
        let alice = json!({"kty": "EC", "crv": "P-256",
            "x": "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0",
            "y": "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps",
            "d": "0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo"});
        let bob = json!({"kty": "EC", "crv": "P-256",
            "x": "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ",
            "y": "e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck",
            "d": "VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw"});
        let z = shared_secret(&bob, &alice).unwrap();
        assert_eq!(shared_secret(&alice, &bob).unwrap(), z);
        let key = content_key(&z, "A128GCM", b"Alice", b"Bob", 16).unwrap();
        assert_eq!(b64::encode(key), "VqqN6vgjbSBcIijNcacQGg");
    }

    /// RFC 8037 Appendix A.6: X25519 agreement gives the published Z (RFC 7748 §6.1's keys).
    #[test]
    fn the_rfc_8037_x25519_agreement_gives_its_published_secret() {
        let hex = |s: &str| {
            (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect::<Vec<u8>>()
        };
        let ephemeral = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        let bob = json!({"kty": "OKP", "crv": "X25519", "x": "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"});
        let private = json!({"kty": "OKP", "crv": "X25519", "d": b64::encode(&ephemeral)});
        let z = shared_secret(&private, &bob).unwrap();
        assert_eq!(z, hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"));
    }

    #[test]
    fn keys_not_for_ecdh_es_and_mismatched_curves_are_refused() {
        let bob = json!({"kty": "EC", "crv": "P-256",
            "x": "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ",
            "y": "e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck",
            "d": "VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw"});
        let with = |member: &str, value: Value| {
            let mut jwk = bob.clone();
            jwk[member] = value;
            jwk
        };
        assert!(usable(&with("use", json!("sig"))).unwrap_err().contains("use"));
        assert!(usable(&with("alg", json!("ECDH-ES+A128KW"))).unwrap_err().contains("alg"));
        assert!(usable(&with("key_ops", json!(["encrypt"]))).unwrap_err().contains("key_ops"));
        assert!(usable(&with("key_ops", json!(["deriveKey"]))).is_ok());
        let p384_epk = json!({"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"});
        assert!(shared_secret(&bob, &p384_epk).unwrap_err().contains("P-384"));
        let off_curve = with("y", json!(b64::encode([1u8; 32])));
        assert!(shared_secret(&bob, &off_curve).unwrap_err().contains("curve"));
        assert!(Curve::of(&json!({"kty": "OKP", "crv": "X448"})).is_err());
        assert!(Curve::of(&json!({"kty": "RSA"})).is_err());
    }
}
