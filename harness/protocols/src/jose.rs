//! JOSE pieces dialtone needs: P-256 keys as JWKs (RFC 7517), thumbprints (RFC 7638), and compact JWS
//! (RFC 7515) with ES256 (RFC 7518 §3.4). Signing is `p256`'s (deterministic, RFC 6979) for keys of a seed
//! or a file, `ring`'s for keys of the operating system's randomness; verification is `ring`'s, through [`PublicKey`]; this module only frames bytes.

use crate::b64;
pub use crate::public_key::PublicKey;
use crate::seed::Entropy;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum JoseError {
    #[error("not a compact JWS: expected three '.'-separated segments, found {0}")]
    Segments(usize),
    #[error("{part} is not base64url: {detail}")]
    Base64 { part: &'static str, detail: String },
    #[error("{part} is not a JSON object: {detail}")]
    Json { part: &'static str, detail: String },
    #[error("unsupported or unsafe algorithm {0:?}")]
    Algorithm(String),
    #[error("invalid key: {0}")]
    Key(String),
    #[error("signature does not verify")]
    Signature,
}

/// A P-256 key pair used for ES256. A key made from a seed (or read from a file) signs with `p256`,
/// deterministically (RFC 6979), so that a seeded run's signatures are the same on every run; a key
/// made from the operating system's randomness signs with `ring`, several times faster, with a
/// random nonce (an unseeded run reproduces nothing anyway).
#[derive(Clone)]
pub struct EcKey {
    signer: KeySigner,
    verifying: VerifyingKey,
}

#[derive(Clone)]
enum KeySigner {
    Deterministic(SigningKey),
    Random(std::sync::Arc<RandomKey>),
}

/// A key ring made: the pair, its PKCS#8 document and its private scalar `d`.
struct RandomKey {
    pair: ring::signature::EcdsaKeyPair,
    pkcs8: Vec<u8>,
    d: Vec<u8>,
}

/// The private scalar of a P-256 PKCS#8 document ring made: its `ECPrivateKey` (RFC 5915) starts with
/// the version 1 and the 32-byte `privateKey`. Read so, not through p256, which would first compute the
/// public point again to compare it with the document's.
fn ring_private_scalar(pkcs8: &[u8]) -> Option<Vec<u8>> {
    use p256::pkcs8::der::Decode;
    let info = p256::pkcs8::PrivateKeyInfo::from_der(pkcs8).ok()?;
    let key = info.private_key;
    let prefix_ok = key.first() == Some(&0x30) && key.get(2..7) == Some(&[0x02, 0x01, 0x01, 0x04, 0x20][..]);
    prefix_ok.then(|| key.get(7..39).map(<[u8]>::to_vec)).flatten()
}

impl std::fmt::Debug for EcKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EcKey({})", self.thumbprint())
    }
}

impl EcKey {
    pub fn generate(entropy: &Entropy) -> Self {
        if !entropy.is_seeded()
            && let Some(key) = Self::generate_random()
        {
            return key;
        }
        Self::deterministic(entropy.with_rng(SigningKey::random))
    }

    fn deterministic(signing: SigningKey) -> Self {
        let verifying = *signing.verifying_key();
        Self { signer: KeySigner::Deterministic(signing), verifying }
    }

    /// A key from the operating system's randomness, signing with `ring` (`None` if ring refuses,
    /// which it does only without a working random source).
    fn generate_random() -> Option<Self> {
        use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).ok()?;
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).ok()?;
        let verifying = VerifyingKey::from_sec1_bytes(pair.public_key().as_ref()).ok()?;
        let pkcs8 = pkcs8.as_ref().to_vec();
        let d = ring_private_scalar(&pkcs8)?;
        Some(Self { signer: KeySigner::Random(std::sync::Arc::new(RandomKey { pair, pkcs8, d })), verifying })
    }

    /// Loads a P-256 private key from PKCS#8 DER (e.g. a certificate's key).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, JoseError> {
        use p256::pkcs8::DecodePrivateKey;
        SigningKey::from_pkcs8_der(der).map(Self::deterministic).map_err(|e| JoseError::Key(e.to_string()))
    }

    /// The private key as PKCS#8 DER (for TLS and certificate tools).
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, JoseError> {
        use p256::pkcs8::EncodePrivateKey;
        match &self.signer {
            KeySigner::Deterministic(signing) => {
                signing.to_pkcs8_der().map(|d| d.as_bytes().to_vec()).map_err(|e| JoseError::Key(e.to_string()))
            }
            KeySigner::Random(key) => Ok(key.pkcs8.clone()),
        }
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.verifying
    }

    /// The public key as a JWK (`kty`, `crv`, `x`, `y`).
    pub fn public_jwk(&self) -> Value {
        public_jwk(&self.verifying_key())
    }

    /// The private key as a JWK (includes `d`); only used to build deliberately faulty proofs.
    pub fn private_jwk(&self) -> Value {
        let mut jwk = self.public_jwk();
        let d = match &self.signer {
            KeySigner::Deterministic(signing) => signing.to_bytes().to_vec(),
            KeySigner::Random(key) => key.d.clone(),
        };
        jwk["d"] = Value::String(b64::encode(d));
        jwk
    }

    pub fn thumbprint(&self) -> String {
        thumbprint(&self.public_jwk()).unwrap_or_default()
    }

    /// Signs `header` and `payload` as a compact JWS with ES256; `alg` is set in the header.
    pub fn sign_jws(&self, header: &Value, payload: &Value) -> String {
        let mut header = header.clone();
        if let Some(obj) = header.as_object_mut() {
            obj.insert("alg".into(), json!("ES256"));
        }
        let signing_input = format!("{}.{}", b64::encode(header.to_string()), b64::encode(payload.to_string()));
        self.sign_input(&signing_input)
    }

    /// The raw r||s signature of `message`.
    fn signature(&self, message: &[u8]) -> Vec<u8> {
        match &self.signer {
            KeySigner::Deterministic(signing) => {
                let signature: Signature = signing.sign(message);
                signature.to_bytes().to_vec()
            }
            KeySigner::Random(key) => {
                let rng = ring::rand::SystemRandom::new();
                match key.pair.sign(&rng, message) {
                    Ok(signature) => signature.as_ref().to_vec(),
                    // ring fails only without a working random source: then the deterministic
                    // signature of the same key (and, were its own document unreadable, none that
                    // verifies).
                    Err(_) => {
                        use p256::pkcs8::DecodePrivateKey;
                        SigningKey::from_pkcs8_der(&key.pkcs8)
                            .map(|signing| {
                                let signature: Signature = signing.sign(message);
                                signature.to_bytes().to_vec()
                            })
                            .unwrap_or_else(|_| vec![0; 64])
                    }
                }
            }
        }
    }

    /// Signs bytes; returns the raw r||s signature.
    pub fn sign_bytes(&self, message: &[u8]) -> Vec<u8> {
        self.signature(message)
    }

    /// Signs bytes; returns the DER (ASN.1) signature X.509 uses.
    pub fn sign_bytes_der(&self, message: &[u8]) -> Vec<u8> {
        Signature::from_slice(&self.signature(message)).map(|s| s.to_der().as_bytes().to_vec()).unwrap_or_default()
    }

    /// The public key as an uncompressed SEC1 point.
    pub fn public_point(&self) -> Vec<u8> {
        self.verifying_key().to_encoded_point(false).as_bytes().to_vec()
    }

    /// Signs an already-encoded `header.payload` signing input.
    pub fn sign_input(&self, signing_input: &str) -> String {
        format!("{signing_input}.{}", b64::encode(self.signature(signing_input.as_bytes())))
    }
}

pub fn public_jwk(key: &VerifyingKey) -> Value {
    let point = key.to_encoded_point(false);
    let (x, y) = (point.x().map(|x| x.to_vec()), point.y().map(|y| y.to_vec()));
    json!({
        "kty": "EC",
        "crv": "P-256",
        "x": b64::encode(x.unwrap_or_default()),
        "y": b64::encode(y.unwrap_or_default()),
    })
}

/// Reads a public P-256 JWK. Rejects other key types and curves, and points not on the curve.
pub fn verifying_key_from_jwk(jwk: &Value) -> Result<VerifyingKey, JoseError> {
    let field = |name: &str| {
        jwk.get(name).and_then(Value::as_str).ok_or_else(|| JoseError::Key(format!("missing string member {name:?}")))
    };
    if field("kty")? != "EC" {
        return Err(JoseError::Key(format!("kty {:?} is not EC", field("kty")?)));
    }
    if field("crv")? != "P-256" {
        return Err(JoseError::Key(format!("crv {:?} is not P-256", field("crv")?)));
    }
    let coordinate = |name: &str| -> Result<Vec<u8>, JoseError> {
        let bytes = b64::decode(field(name)?).map_err(|e| JoseError::Key(format!("{name} is not base64url: {e}")))?;
        if bytes.len() != 32 {
            return Err(JoseError::Key(format!("{name} is {} bytes, expected 32", bytes.len())));
        }
        Ok(bytes)
    };
    let (x, y) = (coordinate("x")?, coordinate("y")?);
    let (mut fx, mut fy) = (p256::FieldBytes::default(), p256::FieldBytes::default());
    fx.copy_from_slice(&x);
    fy.copy_from_slice(&y);
    let point = p256::EncodedPoint::from_affine_coordinates(&fx, &fy, false);
    VerifyingKey::from_encoded_point(&point).map_err(|_| JoseError::Key("point is not on the P-256 curve".into()))
}

/// RFC 7638 JWK thumbprint (SHA-256, base64url) of an EC or OKP public key.
pub fn thumbprint(jwk: &Value) -> Option<String> {
    let get = |k: &str| jwk.get(k).and_then(Value::as_str);
    let canonical = match get("kty")? {
        "EC" => format!(
            r#"{{"crv":{},"kty":"EC","x":{},"y":{}}}"#,
            Value::from(get("crv")?),
            Value::from(get("x")?),
            Value::from(get("y")?)
        ),
        "OKP" => format!(r#"{{"crv":{},"kty":"OKP","x":{}}}"#, Value::from(get("crv")?), Value::from(get("x")?)),
        _ => return None,
    };
    Some(b64::encode(Sha256::digest(canonical.as_bytes())))
}

/// A compact JWS split into its parts, header and payload decoded; the signature not yet checked.
#[derive(Debug, Clone)]
pub struct CompactJws {
    pub header: Map<String, Value>,
    pub payload: Map<String, Value>,
    pub signing_input: String,
    pub signature: Vec<u8>,
    /// The first member name the header's and the payload's JSON repeat at their top level, as
    /// [`CompactJws::parse`] read them (`None` in both when none repeats); `None` when the JWS was
    /// built otherwise, and a rule that needs them reads the segments again.
    pub repeated: Option<[Option<String>; 2]>,
}

/// The first member name a JSON object repeats at its top level, read from the object's bytes (a
/// parser keeping the last value of a repeated name hides the others, which RFC 7515 §4 allows a
/// verifier but not a producer); `None` for bytes that are not an object or do not parse.
pub fn first_repeated_member(json: &[u8]) -> Option<String> {
    match serde_json::from_slice::<TopLevel>(json) {
        Ok(TopLevel::Object(_, repeated)) => repeated,
        _ => None,
    }
}

/// A JWS header or payload as read: a JSON object and the first name repeated at its top level
/// (a `Map` keeps the last value of a name said twice, as serde_json's own `Value` does), or the
/// kind of JSON value it is instead of an object.
enum TopLevel {
    Object(Map<String, Value>, Option<String>),
    Other(&'static str),
}

impl<'de> serde::Deserialize<'de> for TopLevel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TopLevel;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<TopLevel, A::Error> {
                let mut map = Map::new();
                let mut repeated = None;
                while let Some(name) = access.next_key::<String>()? {
                    let value = access.next_value::<Value>()?;
                    match map.entry(name) {
                        serde_json::map::Entry::Vacant(entry) => {
                            entry.insert(value);
                        }
                        serde_json::map::Entry::Occupied(mut entry) => {
                            repeated.get_or_insert_with(|| entry.key().clone());
                            entry.insert(value);
                        }
                    }
                }
                Ok(TopLevel::Object(map, repeated))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<TopLevel, A::Error> {
                while access.next_element::<IgnoredAny>()?.is_some() {}
                Ok(TopLevel::Other("array"))
            }
            fn visit_bool<E>(self, _: bool) -> Result<TopLevel, E> {
                Ok(TopLevel::Other("boolean"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<TopLevel, E> {
                Ok(TopLevel::Other("number"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<TopLevel, E> {
                Ok(TopLevel::Other("number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<TopLevel, E> {
                Ok(TopLevel::Other("number"))
            }
            fn visit_str<E>(self, _: &str) -> Result<TopLevel, E> {
                Ok(TopLevel::Other("string"))
            }
            fn visit_unit<E>(self) -> Result<TopLevel, E> {
                Ok(TopLevel::Other("null"))
            }
        }
        d.deserialize_any(V)
    }
}

impl CompactJws {
    pub fn parse(text: &str) -> Result<Self, JoseError> {
        let mut segments = text.splitn(4, '.');
        let (Some(header), Some(payload), Some(signature), None) =
            (segments.next(), segments.next(), segments.next(), segments.next())
        else {
            return Err(JoseError::Segments(text.split('.').count()));
        };
        let object = |part: &'static str, segment: &str| -> Result<(Map<String, Value>, Option<String>), JoseError> {
            let bytes = b64::decode(segment).map_err(|e| JoseError::Base64 { part, detail: e.to_string() })?;
            match serde_json::from_slice::<TopLevel>(&bytes) {
                Ok(TopLevel::Object(map, repeated)) => Ok((map, repeated)),
                Ok(TopLevel::Other(kind)) => Err(JoseError::Json { part, detail: format!("found {kind}") }),
                Err(e) => Err(JoseError::Json { part, detail: e.to_string() }),
            }
        };
        // `<header>.<payload>`, as it came.
        let signing_input = text.get(..header.len() + 1 + payload.len()).unwrap_or_default().to_string();
        let (header, header_repeats) = object("header", header)?;
        let (payload, payload_repeats) = object("payload", payload)?;
        let signature =
            b64::decode(signature).map_err(|e| JoseError::Base64 { part: "signature", detail: e.to_string() })?;
        Ok(Self { header, payload, signing_input, signature, repeated: Some([header_repeats, payload_repeats]) })
    }

    pub fn alg(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }

    pub fn typ(&self) -> Option<&str> {
        self.header.get("typ").and_then(Value::as_str)
    }

    /// Verifies an ES256 signature. `alg` other than ES256 (including `none` and MACs) is refused.
    pub fn verify_es256(&self, key: &VerifyingKey) -> Result<(), JoseError> {
        match self.alg() {
            Some("ES256") => {}
            other => {
                return Err(JoseError::Algorithm(other.unwrap_or("<absent>").to_string()));
            }
        }
        let point = key.to_encoded_point(false);
        PublicKey::p256_point(point.as_bytes()).verify("ES256", self.signing_input.as_bytes(), &self.signature)
    }
}

impl CompactJws {
    /// Verifies the signature with a public JWK, for the asymmetric algorithms of [`verify_signature`].
    pub fn verify_with_jwk(&self, jwk: &Value) -> Result<(), JoseError> {
        let alg = self.alg().unwrap_or("<absent>");
        verify_signature(alg, jwk, self.signing_input.as_bytes(), &self.signature)
    }
}

/// The JWS/COSE signature algorithms dialtone verifies (RFC 7518 §3, RFC 8037, RFC 9053 by name).
pub(crate) const VERIFIABLE_ALGS: &[&str] = &["ES256", "ES384", "ES512", "EdDSA", "PS256", "PS384", "PS512", "RS256"];

/// Verifies `signature` (JWS form: r||s for ECDSA) over `message` with a public JWK. The JWK's `kty`,
/// `crv` and `alg` must suit `alg`; `none` and MACs are refused. The key is read for this one
/// verification: a key that verifies many signatures is read once, as a [`PublicKey`].
pub fn verify_signature(alg: &str, jwk: &Value, message: &[u8], signature: &[u8]) -> Result<(), JoseError> {
    if !VERIFIABLE_ALGS.contains(&alg) && alg != "Ed25519" {
        return Err(JoseError::Algorithm(alg.to_string()));
    }
    PublicKey::from_jwk(jwk)?.verify(alg, message, signature)
}

/// Signs `message` with a private JWK (ES256, ES384, ES512; EdDSA with Ed25519 or Ed448), JWS
/// signature form; deterministically (RFC 6979, RFC 8032) but for ES512. Used to secure test vectors
/// and public examples' unsecured inputs.
pub fn sign_with_jwk(alg: &str, private_jwk: &Value, message: &[u8]) -> Result<Vec<u8>, JoseError> {
    crate::jwk_signer::sign(alg, private_jwk, message)
}

/// Signs a compact JWS with a private JWK (see [`sign_with_jwk`]).
pub fn sign_compact(alg: &str, private_jwk: &Value, header: &Value, payload: &[u8]) -> Result<String, JoseError> {
    let input = format!("{}.{}", b64::encode(header.to_string()), b64::encode(payload));
    let signature = sign_with_jwk(alg, private_jwk, input.as_bytes())?;
    Ok(format!("{input}.{}", b64::encode(signature)))
}

/// The algorithm a public JWK is for, from its `alg` or else its `kty`/`crv`.
pub fn alg_for_jwk(jwk: &Value) -> Option<&'static str> {
    if let Some(alg) = jwk.get("alg").and_then(Value::as_str) {
        return VERIFIABLE_ALGS.iter().copied().find(|a| *a == alg);
    }
    match (jwk.get("kty").and_then(Value::as_str), jwk.get("crv").and_then(Value::as_str)) {
        (Some("EC"), Some("P-256")) => Some("ES256"),
        (Some("EC"), Some("P-384")) => Some("ES384"),
        (Some("EC"), Some("P-521")) => Some("ES512"),
        (Some("OKP"), Some("Ed25519")) => Some("EdDSA"),
        _ => None,
    }
}

/// A public JWK from a certificate's subject public key (EC P-256, P-384 or P-521, or Ed25519).
pub fn jwk_from_certificate(der: &[u8]) -> Result<Value, JoseError> {
    // The certificate as rustls-webpki reads it (without copying), else as RustCrypto's `x509-cert`
    // does (what webpki refuses to parse, such as a version 1 certificate, may still carry a key).
    let der_ref = rustls::pki_types::CertificateDer::from(der);
    let spki = match webpki::EndEntityCert::try_from(&der_ref) {
        Ok(cert) => cert.subject_public_key_info().as_ref().to_vec(),
        Err(_) => crate::x509::subject_public_key_info(der)?,
    };
    spki_jwk(&spki).ok_or_else(|| {
        JoseError::Key("only EC (P-256, P-384, P-521) and Ed25519 certificate keys are supported".into())
    })
}

/// The JWK of a SubjectPublicKeyInfo (DER) on a curve dialtone verifies (RustCrypto reads it).
fn spki_jwk(spki: &[u8]) -> Option<Value> {
    use p256::pkcs8::DecodePublicKey;
    let ec = |crv: &str, point: &[u8]| {
        let size = point.len().checked_sub(1)? / 2;
        let (x, y) = (point.get(1..=size)?, point.get(size + 1..)?);
        Some(json!({"kty": "EC", "crv": crv, "x": b64::encode(x), "y": b64::encode(y)}))
    };
    if let Ok(key) = p256::PublicKey::from_public_key_der(spki) {
        ec("P-256", p256::EncodedPoint::from(key).as_bytes())
    } else if let Ok(key) = p384::PublicKey::from_public_key_der(spki) {
        ec("P-384", p384::EncodedPoint::from(key).as_bytes())
    } else if let Ok(key) = p521::PublicKey::from_public_key_der(spki) {
        ec("P-521", p521::EncodedPoint::from(key).as_bytes())
    } else if let Ok(key) = ed25519_dalek::VerifyingKey::from_public_key_der(spki) {
        Some(json!({"kty": "OKP", "crv": "Ed25519", "x": b64::encode(key.as_bytes())}))
    } else {
        None
    }
}

/// JSON kind name for messages ("array", "string"…).
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether a JWS `alg` is an asymmetric signature algorithm (not `none`, not an HMAC).
pub fn is_asymmetric_alg(alg: &str) -> bool {
    matches!(
        alg,
        "ES256"
            | "ES384"
            | "ES512"
            | "ES256K"
            | "EdDSA"
            | "Ed25519"
            | "Ed448"
            | "RS256"
            | "RS384"
            | "RS512"
            | "PS256"
            | "PS384"
            | "PS512"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header and a payload read as `parse` reads them are the objects serde_json reads (the last
    /// value of a repeated name, in the first one's place), with the first name repeated at the top
    /// level (an escaped spelling is the same name; a repeat inside a member is not the object's);
    /// what is not an object is refused naming what it is.
    #[test]
    fn a_parse_reads_what_serde_json_reads_and_the_first_repeated_name() {
        let jws = |header: &str, payload: &str| format!("{}.{}.c2ln", b64::encode(header), b64::encode(payload));
        let cases: &[(&str, Option<&str>)] = &[
            (r#"{"alg":"ES256","kid":"1"}"#, None),
            (r#"{"a":1,"b":{"c":1,"c":2},"a":[3]}"#, Some("a")),
            (r#"{"kid":"1","\u006bid":"2","x":1,"x":2}"#, Some("kid")),
            (r#"{"n":{"deep":[{"k":1,"k":2}]}}"#, None),
            ("{}", None),
        ];
        for (json, repeated) in cases {
            let Ok(parsed) = CompactJws::parse(&jws(json, json)) else { panic!("{json}") };
            let Ok(Value::Object(expected)) = serde_json::from_str::<Value>(json) else { panic!("{json}") };
            assert_eq!(parsed.header, expected, "{json}");
            assert_eq!(parsed.payload, expected, "{json}");
            assert_eq!(parsed.header.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>());
            let repeated = repeated.map(str::to_string);
            assert_eq!(parsed.repeated, Some([repeated.clone(), repeated]), "{json}");
        }
        let Ok(one) = CompactJws::parse(&jws(r#"{"alg":"ES256"}"#, r#"{"iss":"a","iss":"b"}"#)) else { panic!() };
        assert_eq!(one.repeated, Some([None, Some("iss".into())]));
        for (json, kind) in [
            ("[1,2]", "array"),
            ("\"x\"", "string"),
            ("1.5", "number"),
            ("-1", "number"),
            ("true", "boolean"),
            ("null", "null"),
        ] {
            match CompactJws::parse(&jws(r#"{"alg":"ES256"}"#, json)) {
                Err(JoseError::Json { part: "payload", detail }) => assert_eq!(detail, format!("found {kind}")),
                other => panic!("{json}: {other:?}"),
            }
        }
        for json in [r#"{"a":1,"a":}"#, r#"{"a":1} x"#] {
            let expected = serde_json::from_str::<Value>(json).map(|_| ()).map_err(|e| e.to_string());
            match CompactJws::parse(&jws(json, "{}")) {
                Err(JoseError::Json { part: "header", detail }) => assert_eq!(Err(detail), expected),
                other => panic!("{json}: {other:?}"),
            }
        }
    }

    /// A certificate's key is the JWK of the key that made the certificate, member for member,
    /// whether rustls-webpki parses the certificate or not (here: it refuses an unknown critical
    /// extension, and RustCrypto reads it); what is not a certificate, or has a key of another kind,
    /// is refused with a reason.
    #[test]
    fn certificate_keys_are_read_on_every_curve() {
        use rcgen::PublicKeyData;
        for alg in [&rcgen::PKCS_ECDSA_P256_SHA256, &rcgen::PKCS_ED25519, &rcgen::PKCS_ECDSA_P384_SHA384] {
            let key = rcgen::KeyPair::generate_for(alg).unwrap();
            let mut params = rcgen::CertificateParams::new(vec!["a.example".into()]).unwrap();
            let plain = params.clone().self_signed(&key).unwrap();
            let mut critical = rcgen::CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 99999, 1], vec![5, 0]);
            critical.set_criticality(true);
            params.custom_extensions.push(critical);
            let unparsed = params.self_signed(&key).unwrap();
            let refused = webpki::EndEntityCert::try_from(unparsed.der());
            assert!(refused.is_err(), "webpki refuses an unknown critical extension");
            for cert in [plain, unparsed] {
                let read = jwk_from_certificate(cert.der()).unwrap();
                assert_eq!(Some(read.clone()), spki_jwk(&key.subject_public_key_info()), "{alg:?}");
                let raw = key.der_bytes().to_vec();
                match read["kty"].as_str() {
                    Some("OKP") => assert_eq!(b64::decode(read["x"].as_str().unwrap()).unwrap(), raw),
                    _ => {
                        let x = b64::decode(read["x"].as_str().unwrap()).unwrap();
                        let y = b64::decode(read["y"].as_str().unwrap()).unwrap();
                        assert_eq!([&[4u8][..], &x, &y].concat(), raw, "{read}");
                    }
                }
            }
        }
        // P-521 (which rcgen on ring does not make): its SubjectPublicKeyInfo.
        use p521::pkcs8::EncodePublicKey;
        let p521 = p521::SecretKey::from_slice(&[1u8; 66]).unwrap().public_key();
        let point = p521::EncodedPoint::from(p521);
        let read = spki_jwk(p521.to_public_key_der().unwrap().as_bytes()).unwrap();
        assert_eq!(
            (read["crv"].as_str(), read["x"].as_str()),
            (Some("P-521"), Some(b64::encode(point.x().unwrap()).as_str()))
        );
        assert!(jwk_from_certificate(b"not a certificate").unwrap_err().to_string().contains("X.509"));
        assert_eq!(spki_jwk(b"not a key"), None);
    }

    #[test]
    fn sign_then_verify_round_trip() {
        let key = EcKey::generate(&Entropy::seeded(1));
        let jws = key.sign_jws(&json!({"typ": "JWT"}), &json!({"a": 1}));
        let parsed = CompactJws::parse(&jws).unwrap();
        assert_eq!(parsed.alg(), Some("ES256"));
        parsed.verify_es256(&key.verifying_key()).unwrap();
        let other = EcKey::generate(&Entropy::seeded(2));
        assert_eq!(parsed.verify_es256(&other.verifying_key()), Err(JoseError::Signature));
    }

    /// A seeded key signs deterministically (RFC 6979: a seeded run is the same on every run); a key
    /// of the operating system's randomness signs with a random nonce (ring), and is the same key
    /// whichever way it is read: its signatures verify, raw and DER, and its `d` and its PKCS#8
    /// document give its public key.
    #[test]
    fn seeded_keys_sign_deterministically_and_random_ones_with_ring() {
        use p256::pkcs8::DecodePrivateKey;
        let seeded = EcKey::generate(&Entropy::seeded(5));
        assert_eq!(seeded.sign_input("a.b"), seeded.sign_input("a.b"));
        let random = EcKey::generate(&Entropy::from_os());
        let derived = EcKey::generate(&Entropy::from_os().derive("case"));
        for key in [&random, &derived] {
            let (header, payload) = (json!({"typ": "JWT"}), json!({"a": 1}));
            let (one, two) = (key.sign_jws(&header, &payload), key.sign_jws(&header, &payload));
            assert_ne!(one, two, "a random nonce per signature");
            for jws in [one, two] {
                CompactJws::parse(&jws).unwrap().verify_es256(&key.verifying_key()).unwrap();
            }
            let der = key.sign_bytes_der(b"message");
            let signature = Signature::from_der(&der).unwrap();
            use p256::ecdsa::signature::Verifier;
            key.verifying_key().verify(b"message", &signature).unwrap();
            let from_pkcs8 = SigningKey::from_pkcs8_der(&key.to_pkcs8_der().unwrap()).unwrap();
            assert_eq!(*from_pkcs8.verifying_key(), key.verifying_key());
            let d = b64::decode(key.private_jwk()["d"].as_str().unwrap()).unwrap();
            let from_d = SigningKey::from_slice(&d).unwrap();
            assert_eq!(*from_d.verifying_key(), key.verifying_key());
        }
    }

    #[test]
    fn jwk_round_trip_and_thumbprint() {
        let key = EcKey::generate(&Entropy::seeded(3));
        let back = verifying_key_from_jwk(&key.public_jwk()).unwrap();
        assert_eq!(back, key.verifying_key());
        // RFC 7638 §3.1 example uses RSA; check the EC member order instead.
        let jwk = json!({"kty":"EC","crv":"P-256","x":"a","y":"b","kid":"ignored"});
        let expected = b64::encode(Sha256::digest(br#"{"crv":"P-256","kty":"EC","x":"a","y":"b"}"#));
        assert_eq!(thumbprint(&jwk).unwrap(), expected);
    }

    #[test]
    fn none_algorithm_is_refused() {
        let jws = format!("{}.{}.", b64::encode(r#"{"alg":"none"}"#), b64::encode("{}"));
        let key = EcKey::generate(&Entropy::seeded(4));
        let parsed = CompactJws::parse(&jws).unwrap();
        assert!(matches!(parsed.verify_es256(&key.verifying_key()), Err(JoseError::Algorithm(_))));
    }
}
