//! JWE for encrypted OpenID4VP responses (`direct_post.jwt`, OpenID4VP §8.3) and OpenID4VCI
//! credential requests and responses (§10): the compact serialization (RFC 7516 §7.1) with ECDH-ES
//! key agreement in Direct Key Agreement mode (RFC 7518 §4.6; `agreement`) to the recipient's key
//! (EC P-256, P-384 or P-521, or OKP X25519), the content encrypted with A128GCM (the default) or
//! another `enc` of RFC 7518 §5.1 (`content`). The primitives are RustCrypto's; this module only
//! frames bytes.

mod agreement;
mod content;

use crate::b64;
use crate::seed::Entropy;
use content::{Enc, Sealed};
use serde_json::{Map, Value};

pub const ALG: &str = "ECDH-ES";
pub const DEFAULT_ENC: &str = "A128GCM";
/// The `enc` values dialtone encrypts and decrypts (RFC 7518 §5.1).
pub const ENC_VALUES: [&str; 6] = ["A128GCM", "A192GCM", "A256GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"];
/// The most a compressed (`"zip": "DEF"`) payload may inflate to.
const MAX_INFLATED: usize = 1 << 22;

/// Encrypts `payload` to `recipient` (a public EC or X25519 JWK) as a compact JWE; the header names
/// the recipient's `kid` when it has one.
pub fn encrypt(payload: &[u8], recipient: &Value, enc: &str) -> Result<String, String> {
    encrypt_with(payload, recipient, enc, &Entropy::from_os())
}

/// [`encrypt`] with the ephemeral key and the IV drawn from `entropy`.
fn encrypt_with(payload: &[u8], recipient: &Value, enc: &str, entropy: &Entropy) -> Result<String, String> {
    let content = Enc::of(enc).ok_or_else(|| format!("enc {enc:?} is not one of {}", ENC_VALUES.join(", ")))?;
    let (epk, z) = entropy.with_rng(|rng| agreement::ephemeral(recipient, rng)).map_err(|e| format!("ECDH-ES: {e}"))?;
    let mut header = Map::new();
    header.insert("alg".into(), ALG.into());
    header.insert("enc".into(), enc.into());
    if let Some(kid) = recipient.get("kid").and_then(Value::as_str) {
        header.insert("kid".into(), kid.into());
    }
    header.insert("epk".into(), epk);
    let protected = b64::encode(Value::Object(header).to_string());
    let key = agreement::content_key(&z, enc, &[], &[], content.key_len())?;
    let mut iv = vec![0u8; content.iv_len()];
    entropy.fill(&mut iv);
    let sealed = content.encrypt(&key, &iv, protected.as_bytes(), payload)?;
    Ok(format!("{protected}..{}.{}.{}", b64::encode(iv), b64::encode(&sealed.ciphertext), b64::encode(&sealed.tag)))
}

/// Decrypts a compact JWE with a private JWK (with `d`); returns the plaintext. Its header must name
/// `alg` ECDH-ES, an `enc` of [`ENC_VALUES`] and an `epk` on the key's curve, and no `crit`
/// parameter; `zip` may be DEF (RFC 7516 §4.1.3: inflated, within a bound).
pub fn decrypt(jwe: &str, private: &Value) -> Result<Vec<u8>, String> {
    let parts: Vec<&str> = jwe.split('.').collect();
    let [protected, encrypted_key, iv, ciphertext, tag] = parts[..] else {
        return Err(format!("JWE: not a compact JWE: expected five '.'-separated segments, found {}", parts.len()));
    };
    let segment =
        |name: &str, text: &str| b64::decode(text).map_err(|e| format!("JWE: the {name} is not base64url: {e}"));
    let header: Map<String, Value> = match serde_json::from_slice(&segment("protected header", protected)?) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err("JWE: the protected header is not a JSON object".into()),
        Err(e) => return Err(format!("JWE: the protected header is not JSON: {e}")),
    };
    let text = |name: &str| header.get(name).and_then(Value::as_str);
    match text("alg") {
        Some(ALG) => {}
        other => return Err(format!("JWE: alg {:?} is not {ALG}", other.unwrap_or("<absent>"))),
    }
    let enc_name = text("enc").ok_or("JWE: the header has no enc")?;
    let content =
        Enc::of(enc_name).ok_or_else(|| format!("JWE: enc {enc_name:?} is not one of {}", ENC_VALUES.join(", ")))?;
    if header.contains_key("crit") {
        return Err("JWE: the header has crit parameters dialtone does not understand (RFC 7516 §4.1.13)".into());
    }
    if !encrypted_key.is_empty() {
        return Err("JWE: ECDH-ES (direct key agreement) has an empty encrypted key (RFC 7518 §4.6)".into());
    }
    let party = |name: &str| match header.get(name) {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => b64::decode(s).map_err(|e| format!("JWE: {name} is not base64url: {e}")),
        Some(_) => Err(format!("JWE: {name} is not a string")),
    };
    let (apu, apv) = (party("apu")?, party("apv")?);
    let epk = header.get("epk").ok_or("JWE: the header has no epk")?;
    let z = agreement::shared_secret(private, epk).map_err(|e| format!("ECDH-ES: {e}"))?;
    let key = agreement::content_key(&z, enc_name, &apu, &apv, content.key_len())?;
    let sealed = Sealed { ciphertext: segment("ciphertext", ciphertext)?, tag: segment("authentication tag", tag)? };
    let plain =
        content.decrypt(&key, &segment("IV", iv)?, protected.as_bytes(), &sealed).map_err(|e| format!("JWE: {e}"))?;
    match header.get("zip") {
        None => Ok(plain),
        Some(Value::String(zip)) if zip == "DEF" => {
            crate::shc::inflate_raw(&plain, MAX_INFLATED).map_err(|e| format!("JWE: zip DEF: {e}"))
        }
        Some(other) => Err(format!("JWE: zip {other} is not DEF")),
    }
}

/// The `kid` of a compact JWE's protected header, without decrypting.
pub fn kid(jwe: &str) -> Option<String> {
    let header = jwe.split('.').next()?;
    let bytes = crate::b64::decode(header).ok()?;
    serde_json::from_slice::<Value>(&bytes).ok()?.get("kid")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::EcKey;
    use serde_json::json;

    #[test]
    fn encrypts_to_a_key_and_only_that_key_decrypts() {
        let entropy = Entropy::seeded(5);
        let (verifier, other) = (EcKey::generate(&entropy), EcKey::generate(&entropy));
        let mut public = verifier.public_jwk();
        public["kid"] = serde_json::json!("session-1");
        let jwe = encrypt(br#"{"vp_token":{"a":["x"]},"state":"s"}"#, &public, DEFAULT_ENC).unwrap();
        assert_eq!(jwe.split('.').count(), 5);
        assert_eq!(kid(&jwe).as_deref(), Some("session-1"));
        assert_eq!(decrypt(&jwe, &verifier.private_jwk()).unwrap(), br#"{"vp_token":{"a":["x"]},"state":"s"}"#);
        assert!(decrypt(&jwe, &other.private_jwk()).is_err());
        assert!(decrypt("a.b.c.d.e", &verifier.private_jwk()).is_err());
    }

    /// RFC 7520 §5.5 (key agreement using ECDH-ES with AES-CBC-HMAC-SHA2): the cookbook's JWE, made
    /// by another implementation, decrypts with its recipient's key to its plaintext.
    #[test]
    fn the_rfc_7520_ecdh_es_example_decrypts_to_its_plaintext() {
        let key = json!({"kty": "EC", "kid": "meriadoc.brandybuck@buckland.example", "use": "enc", "crv": "P-256",
            "x": "Ze2loSV3wrroKUN_4zhwGhCqo3Xhu1td4QjeQ5wIVR0",
            "y": "HlLtdXARY_f55A3fnzQbPcm6hgr34Mp8p-nuzQCE0Zw",
            "d": "r_kHyZ-a06rmxM3yESK84r1otSg-aQcVStkRhA-iCM8"});
        let jwe = concat!(
            "eyJhbGciOiJFQ0RILUVTIiwia2lkIjoibWVyaWFkb2MuYnJhbmR5YnVja0BidWNrbGFuZC5leGFtcGxlIiwiZXBrIjp7Imt0eSI6IkVDIiwiY3J2",
            "IjoiUC0yNTYiLCJ4IjoibVBVS1RfYkFXR0hJaGcwVHBqanFWc1AxclhXUXVfdndWT0hIdE5rZFlvQSIsInkiOiI4QlFBc0ltR2VBUzQ2ZnlXdzVN",
            "aFlmR1RUMElqQnBGdzJTUzM0RHY0SXJzIn0sImVuYyI6IkExMjhDQkMtSFMyNTYifQ",
            "..yc9N8v5sYyv3iGQT926IUg.",
            "BoDlwPnTypYq-ivjmQvAYJLb5Q6l-F3LIgQomlz87yW4OPKbWE1zSTEFjDfhU9IPIOSA9Bml4m7iDFwA-1ZXvHteLDtw4R1XRGMEsDIqAYtskTTm",
            "zmzNa-_q4F_evAPUmwlO-ZG45Mnq4uhM1fm_D9rBtWolqZSF3xGNNkpOMQKF1Cl8i8wjzRli7-IXgyirlKQsbhhqRzkv8IcY6aHl24j03C-AR2le",
            "1r7URUhArM79BY8soZU0lzwI-sD5PZ3l4NDCCei9XkoIAfsXJWmySPoeRb2Ni5UZL4mYpvKDiwmyzGd65KqVw7MsFfI_K767G9C9Azp73gKZD0Dy",
            "Un1mn0WW5LmyX_yJ-3AROq8p1WZBfG-ZyJ6195_JGG2m9Csg",
            ".WCCkNa-x4BeB9hIDIfFuhg"
        );
        let plaintext = "You can trust us to stick with you through thick and thin\u{2013}to the bitter end. And you can trust us to keep any secret of yours\u{2013}closer than you keep it yourself. But you cannot trust us to let you face trouble alone, and go off without a word. We are your friends, Frodo.";
        assert_eq!(kid(jwe).as_deref(), Some("meriadoc.brandybuck@buckland.example"));
        assert_eq!(String::from_utf8(decrypt(jwe, &key).unwrap()).unwrap(), plaintext);
        let mut altered = jwe.to_string();
        altered.pop();
        altered.push('A');
        assert!(decrypt(&altered, &key).is_err());
    }

    /// Every curve and every `enc`: what dialtone encrypts it decrypts, and the header says what was
    /// used (an `epk` on the recipient's curve, the `enc` asked for, no encrypted key).
    #[test]
    fn every_curve_and_every_enc_round_trip() {
        let p384 = p384::SecretKey::from_slice(&[3u8; 48]).unwrap();
        let p521 = p521::SecretKey::from_slice(&[1u8; 66]).unwrap();
        let x25519 = x25519_dalek::StaticSecret::from([7u8; 32]);
        let ec = |crv: &str, point: Vec<u8>, d: Vec<u8>| {
            let size = (point.len() - 1) / 2;
            json!({"kty": "EC", "crv": crv, "x": b64::encode(&point[1..=size]), "y": b64::encode(&point[size + 1..]), "d": b64::encode(d)})
        };
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let keys = [
            EcKey::generate(&Entropy::seeded(1)).private_jwk(),
            ec("P-384", p384.public_key().to_encoded_point(false).as_bytes().to_vec(), p384.to_bytes().to_vec()),
            ec("P-521", p521.public_key().to_encoded_point(false).as_bytes().to_vec(), p521.to_bytes().to_vec()),
            json!({"kty": "OKP", "crv": "X25519", "x": b64::encode(x25519_dalek::PublicKey::from(&x25519).as_bytes()), "d": b64::encode(x25519.to_bytes())}),
        ];
        for private in &keys {
            let mut public = private.clone();
            public.as_object_mut().unwrap().remove("d");
            for enc in ENC_VALUES {
                let jwe = encrypt(b"payload", &public, enc).unwrap();
                let header: Value =
                    serde_json::from_slice(&b64::decode(jwe.split('.').next().unwrap()).unwrap()).unwrap();
                assert_eq!((header["alg"].as_str(), header["enc"].as_str()), (Some(ALG), Some(enc)));
                assert_eq!(header["epk"]["crv"], private["crv"]);
                assert_eq!(jwe.split('.').nth(1), Some(""));
                assert_eq!(decrypt(&jwe, private).unwrap(), b"payload", "{} {enc}", private["crv"]);
            }
        }
        assert!(encrypt(b"x", &keys[0], "A128KW").unwrap_err().contains("enc"));
    }

    /// A seeded encryption is reproducible; headers that are not this JWE's kind are refused before
    /// anything is decrypted; a DEF-compressed payload is inflated.
    #[test]
    fn headers_are_checked_and_a_compressed_payload_inflates() {
        let key = EcKey::generate(&Entropy::seeded(2));
        let public = key.public_jwk();
        let one = encrypt_with(b"p", &public, DEFAULT_ENC, &Entropy::seeded(3)).unwrap();
        assert_eq!(one, encrypt_with(b"p", &public, DEFAULT_ENC, &Entropy::seeded(3)).unwrap());
        // Re-encrypt with a header of our choosing: the same epk, Z and CEK, the header as AAD.
        let reheader = |edit: &dyn Fn(&mut Map<String, Value>), plaintext: &[u8]| {
            let first: Value = serde_json::from_slice(&b64::decode(one.split('.').next().unwrap()).unwrap()).unwrap();
            let mut header = first.as_object().unwrap().clone();
            edit(&mut header);
            let protected = b64::encode(Value::Object(header.clone()).to_string());
            let z = agreement::shared_secret(&key.private_jwk(), &first["epk"]).unwrap();
            let enc = header.get("enc").and_then(Value::as_str).unwrap_or(DEFAULT_ENC);
            let content = Enc::of(enc).unwrap_or(Enc::A128Gcm);
            let cek = agreement::content_key(&z, enc, b"", b"", content.key_len()).unwrap();
            let iv = vec![1u8; content.iv_len()];
            let sealed = content.encrypt(&cek, &iv, protected.as_bytes(), plaintext).unwrap();
            format!("{protected}..{}.{}.{}", b64::encode(iv), b64::encode(sealed.ciphertext), b64::encode(sealed.tag))
        };
        assert_eq!(decrypt(&reheader(&|_| {}, b"same"), &key.private_jwk()).unwrap(), b"same");
        let refused = |edit: &dyn Fn(&mut Map<String, Value>), why: &str| {
            let error = decrypt(&reheader(edit, b"x"), &key.private_jwk()).unwrap_err();
            assert!(error.contains(why), "{error}");
        };
        refused(&|h| drop(h.insert("alg".into(), json!("ECDH-ES+A128KW"))), "alg");
        refused(&|h| drop(h.insert("enc".into(), json!("A128KW"))), "enc");
        refused(&|h| drop(h.insert("crit".into(), json!(["exp"]))), "crit");
        refused(&|h| drop(h.insert("zip".into(), json!("GZIP"))), "zip");
        refused(&|h| drop(h.remove("epk")), "epk");
        refused(&|h| drop(h.insert("apu".into(), json!(b64::encode("Alice")))), "decrypt");
        let compressed = crate::shc::deflate_raw(b"a compressed payload");
        assert_eq!(
            decrypt(&reheader(&|h| drop(h.insert("zip".into(), json!("DEF"))), &compressed), &key.private_jwk())
                .unwrap(),
            b"a compressed payload"
        );
        let mut with_key = one.split('.').map(str::to_string).collect::<Vec<_>>();
        with_key[1] = "AAAA".into();
        assert!(decrypt(&with_key.join("."), &key.private_jwk()).unwrap_err().contains("encrypted key"));
    }
}
