//! COSE_Sign1 (RFC 9052 §4.2) as VC-JOSE-COSE and ISO mdoc use it: parsing (tagged or not),
//! algorithm names, header values, and signature verification and creation. The CBOR is coset's and
//! ciborium's (bounded recursion); the signatures are [`crate::jose`]'s (ring, RustCrypto).

use crate::jose::{self, EcKey, JoseError};
use coset::{CborSerializable, CoseSign1, CoseSign1Builder, Header, Label, TaggedCborSerializable, iana};
use serde_json::Value;

/// COSE header label `typ` (RFC 9596).
pub const HEADER_TYP: i64 = 16;
/// COSE header label `x5chain` (RFC 9360).
pub(crate) const HEADER_X5CHAIN: i64 = 33;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CoseError {
    #[error("not a COSE_Sign1 structure: {0}")]
    Structure(String),
    #[error("COSE_Sign1 without a payload (detached payloads are not used here)")]
    NoPayload,
    #[error("unsupported or absent COSE algorithm {0}")]
    Algorithm(String),
    #[error(transparent)]
    Jose(#[from] JoseError),
}

/// A parsed COSE_Sign1 and whether it carried tag 18.
#[derive(Debug, Clone)]
pub struct Sign1 {
    pub inner: CoseSign1,
    pub tagged: bool,
}

impl Sign1 {
    /// Parses a COSE_Sign1, tagged (18) or untagged.
    pub fn parse(bytes: &[u8]) -> Result<Self, CoseError> {
        match CoseSign1::from_tagged_slice(bytes) {
            Ok(inner) => Ok(Self { inner, tagged: true }),
            Err(tagged_err) => match CoseSign1::from_slice(bytes) {
                Ok(inner) => Ok(Self { inner, tagged: false }),
                Err(_) => Err(CoseError::Structure(tagged_err.to_string())),
            },
        }
    }

    /// [`Self::parse`] of a data item already decoded (tagged 18 or untagged), or `None` if it is
    /// not a COSE_Sign1 (parse its encoding to learn why).
    pub fn from_value(value: &ciborium::Value) -> Option<Self> {
        use coset::AsCborValue;
        match value {
            ciborium::Value::Tag(tag, inner) if *tag == CoseSign1::TAG => {
                CoseSign1::from_cbor_value(inner.as_ref().clone()).ok().map(|inner| Self { inner, tagged: true })
            }
            other => CoseSign1::from_cbor_value(other.clone()).ok().map(|inner| Self { inner, tagged: false }),
        }
    }

    pub fn payload(&self) -> Result<&[u8], CoseError> {
        self.inner.payload.as_deref().ok_or(CoseError::NoPayload)
    }

    /// The JOSE name of the protected `alg` (`ES256`, `EdDSA`…).
    pub fn alg(&self) -> Result<&'static str, CoseError> {
        let alg = self.inner.protected.header.alg.as_ref();
        match alg {
            Some(coset::Algorithm::Assigned(a)) => alg_name(*a).ok_or_else(|| CoseError::Algorithm(format!("{a:?}"))),
            Some(other) => Err(CoseError::Algorithm(format!("{other:?}"))),
            None => Err(CoseError::Algorithm("<absent from the protected header>".into())),
        }
    }

    /// The protected header's `content_type` (label 3) as text.
    pub fn content_type(&self) -> Option<String> {
        match &self.inner.protected.header.content_type {
            Some(coset::ContentType::Text(t)) => Some(t.clone()),
            Some(coset::ContentType::Assigned(a)) => Some(format!("{a:?}")),
            None => None,
        }
    }

    /// A text value of the protected header by integer label (e.g. [`HEADER_TYP`]).
    pub fn protected_text(&self, label: i64) -> Option<&str> {
        header_value(&self.inner.protected.header, label).and_then(|v| v.as_text())
    }

    pub fn kid(&self) -> Option<&[u8]> {
        let p = &self.inner.protected.header.key_id;
        let u = &self.inner.unprotected.key_id;
        if !p.is_empty() {
            Some(p)
        } else if !u.is_empty() {
            Some(u)
        } else {
            None
        }
    }

    /// The labels `crit` lists (RFC 9052 §3.1), each with the bucket it was found in: `true` for the
    /// protected header, where it belongs.
    pub fn critical(&self) -> Vec<(String, bool)> {
        let name = |l: &coset::RegisteredLabel<iana::HeaderParameter>| match l {
            coset::RegisteredLabel::Assigned(a) => format!("{a:?} ({})", *a as i64),
            coset::RegisteredLabel::Text(t) => format!("{t:?}"),
        };
        let protected = self.inner.protected.header.crit.iter().map(|l| (name(l), true));
        let unprotected = self.inner.unprotected.crit.iter().map(|l| (name(l), false));
        protected.chain(unprotected).collect()
    }

    /// The `x5chain` certificates (DER), from the protected or unprotected header.
    pub fn x5chain(&self) -> Vec<Vec<u8>> {
        let value = header_value(&self.inner.protected.header, HEADER_X5CHAIN)
            .or_else(|| header_value(&self.inner.unprotected, HEADER_X5CHAIN));
        match value {
            Some(ciborium::Value::Bytes(b)) => vec![b.clone()],
            Some(ciborium::Value::Array(items)) => items.iter().filter_map(|i| i.as_bytes().cloned()).collect(),
            _ => Vec::new(),
        }
    }

    /// The first certificate of [`Self::x5chain`], not copied.
    pub fn x5chain_first(&self) -> Option<&[u8]> {
        let value = header_value(&self.inner.protected.header, HEADER_X5CHAIN)
            .or_else(|| header_value(&self.inner.unprotected, HEADER_X5CHAIN));
        match value {
            Some(ciborium::Value::Bytes(b)) => Some(b),
            Some(ciborium::Value::Array(items)) => items.iter().find_map(|i| i.as_bytes()).map(Vec::as_slice),
            _ => None,
        }
    }

    /// Verifies the signature (over the Sig_structure with empty external AAD) with a public JWK.
    pub fn verify_with_jwk(&self, jwk: &Value) -> Result<(), CoseError> {
        let alg = self.alg()?;
        self.inner.verify_signature(b"", |sig, data| jose::verify_signature(alg, jwk, data, sig))?;
        Ok(())
    }

    /// [`Self::verify_with_jwk`] with a key read once.
    pub fn verify_with_key(&self, key: &crate::public_key::SetKey) -> Result<(), CoseError> {
        let alg = self.alg()?;
        self.inner.verify_signature(b"", |sig, data| key.verify(alg, data, sig))?;
        Ok(())
    }
}

impl Sign1 {
    /// Verifies a signature over a detached payload (RFC 9052 §4.2: the payload travels apart, as
    /// ISO/IEC 18013-5's `DeviceAuthentication` does) with a public JWK.
    pub fn verify_detached_with_jwk(&self, payload: &[u8], jwk: &Value) -> Result<(), CoseError> {
        let alg = self.alg()?;
        self.inner.verify_detached_signature(payload, b"", |sig, data| jose::verify_signature(alg, jwk, data, sig))?;
        Ok(())
    }
}

/// Creates an untagged COSE_Sign1 with ES256 over a detached payload (its payload is `nil`).
pub fn sign1_detached_es256(key: &EcKey, spec: &Sign1Spec, payload: &[u8]) -> Vec<u8> {
    let mut protected = coset::HeaderBuilder::new().algorithm(iana::Algorithm::ES256);
    if let Some(kid) = &spec.kid {
        protected = protected.key_id(kid.clone());
    }
    let sign1 = CoseSign1Builder::new()
        .protected(protected.build())
        .create_detached_signature(payload, b"", |data| key.sign_bytes(data))
        .build();
    // Serializing a structure built here cannot fail short of memory exhaustion.
    sign1.to_vec().unwrap_or_default()
}

fn header_value(header: &Header, label: i64) -> Option<&ciborium::Value> {
    header.rest.iter().find(|(l, _)| *l == Label::Int(label)).map(|(_, v)| v)
}

/// JOSE algorithm name of a COSE algorithm (RFC 9053; EdDSA -8).
pub(crate) fn alg_name(alg: iana::Algorithm) -> Option<&'static str> {
    match alg {
        iana::Algorithm::ES256 => Some("ES256"),
        iana::Algorithm::ES384 => Some("ES384"),
        iana::Algorithm::ES512 => Some("ES512"),
        iana::Algorithm::EdDSA => Some("EdDSA"),
        iana::Algorithm::PS256 => Some("PS256"),
        iana::Algorithm::PS384 => Some("PS384"),
        iana::Algorithm::PS512 => Some("PS512"),
        _ => None,
    }
}

/// COSE algorithm of a JOSE name.
pub fn alg_of_name(name: &str) -> Option<iana::Algorithm> {
    match name {
        "ES256" => Some(iana::Algorithm::ES256),
        "ES384" => Some(iana::Algorithm::ES384),
        "ES512" => Some(iana::Algorithm::ES512),
        "EdDSA" => Some(iana::Algorithm::EdDSA),
        _ => None,
    }
}

/// What goes into a COSE_Sign1 dialtone creates.
#[derive(Debug, Clone, Default)]
pub struct Sign1Spec {
    pub content_type: Option<String>,
    pub typ: Option<String>,
    pub kid: Option<Vec<u8>>,
    pub x5chain: Vec<Vec<u8>>,
    pub tagged: bool,
    /// Extension parameters (text labels), each set to `true` in the protected header and listed
    /// in `crit` (RFC 9052 §3.1): for vectors of what a verifier must understand.
    pub critical: Vec<String>,
}

/// Creates a COSE_Sign1 with ES256 (deterministic, RFC 6979).
pub fn sign1_es256(key: &EcKey, spec: &Sign1Spec, payload: Vec<u8>) -> Vec<u8> {
    sign1_with(iana::Algorithm::ES256, spec, payload, |data| key.sign_bytes(data))
}

/// Creates a COSE_Sign1 with any signer returning the raw (r||s or Ed25519) signature.
pub fn sign1_with(
    alg: iana::Algorithm,
    spec: &Sign1Spec,
    payload: Vec<u8>,
    sign: impl FnOnce(&[u8]) -> Vec<u8>,
) -> Vec<u8> {
    let mut protected = coset::HeaderBuilder::new().algorithm(alg);
    if let Some(ct) = &spec.content_type {
        protected = protected.content_type(ct.clone());
    }
    if let Some(kid) = &spec.kid {
        protected = protected.key_id(kid.clone());
    }
    if let Some(typ) = &spec.typ {
        protected = protected.value(HEADER_TYP, ciborium::Value::Text(typ.clone()));
    }
    for name in &spec.critical {
        protected = protected
            .text_value(name.clone(), ciborium::Value::Bool(true))
            .add_critical_label(coset::RegisteredLabel::Text(name.clone()));
    }
    let mut unprotected = coset::HeaderBuilder::new();
    match spec.x5chain.as_slice() {
        [] => {}
        [one] => unprotected = unprotected.value(HEADER_X5CHAIN, ciborium::Value::Bytes(one.clone())),
        many => {
            unprotected = unprotected.value(
                HEADER_X5CHAIN,
                ciborium::Value::Array(many.iter().map(|c| ciborium::Value::Bytes(c.clone())).collect()),
            )
        }
    }
    let mut sign = Some(sign);
    let sign1 = CoseSign1Builder::new()
        .protected(protected.build())
        .unprotected(unprotected.build())
        .payload(payload)
        .create_signature(b"", |data| sign.take().map(|f| f(data)).unwrap_or_default())
        .build();
    let bytes = if spec.tagged { sign1.to_tagged_vec() } else { sign1.to_vec() };
    // Serializing a structure built here cannot fail short of memory exhaustion.
    bytes.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::Entropy;

    #[test]
    fn sign_then_verify_and_tamper() {
        let key = EcKey::generate(&Entropy::seeded(7));
        let spec = Sign1Spec {
            content_type: Some("application/vc".into()),
            typ: Some("application/vc+cose".into()),
            kid: Some(b"k1".to_vec()),
            tagged: true,
            ..Default::default()
        };
        let bytes = sign1_es256(&key, &spec, b"{\"a\":1}".to_vec());
        assert_eq!(bytes[0], 0xd2, "tag 18");
        let parsed = Sign1::parse(&bytes).expect("parses");
        assert!(parsed.tagged);
        assert_eq!(parsed.alg(), Ok("ES256"));
        assert_eq!(parsed.protected_text(HEADER_TYP), Some("application/vc+cose"));
        assert_eq!(parsed.content_type().as_deref(), Some("application/vc"));
        parsed.verify_with_jwk(&key.public_jwk()).expect("verifies");
        let mut tampered = bytes.clone();
        let at = tampered.len() - 80;
        tampered[at] ^= 1;
        let t = Sign1::parse(&tampered).expect("still CBOR");
        assert!(t.verify_with_jwk(&key.public_jwk()).is_err());
    }

    /// A COSE_Sign1 read from its decoded data item is the one parsed from its bytes, tagged or
    /// not (the same protected bytes, so the same signature input); anything else is left to the
    /// parse, which says why.
    #[test]
    fn a_sign1_read_from_its_data_item_is_the_one_parsed_from_its_bytes() {
        let key = EcKey::generate(&Entropy::seeded(7));
        for tagged in [true, false] {
            let spec = Sign1Spec { kid: Some(b"k1".to_vec()), tagged, ..Default::default() };
            let bytes = sign1_es256(&key, &spec, b"{\"a\":1}".to_vec());
            let value: ciborium::Value = ciborium::de::from_reader(bytes.as_slice()).expect("CBOR");
            let (read, parsed) = (Sign1::from_value(&value).expect("a Sign1"), Sign1::parse(&bytes).expect("parses"));
            assert_eq!(read.tagged, tagged);
            assert_eq!(format!("{:?}", read.inner), format!("{:?}", parsed.inner));
            assert_eq!(read.inner.tbs_data(b""), parsed.inner.tbs_data(b""));
            read.verify_with_jwk(&key.public_jwk()).expect("verifies");
        }
        for other in [
            ciborium::Value::Integer(5.into()),
            ciborium::Value::Tag(17, Box::new(ciborium::Value::Array(Vec::new()))),
            ciborium::Value::Array(vec![ciborium::Value::Null; 3]),
        ] {
            assert!(Sign1::from_value(&other).is_none(), "{other:?}");
        }
    }

    #[test]
    fn hostile_cbor_is_an_error_not_a_panic() {
        // Deep nesting: 100,000 nested arrays.
        let deep = vec![0x81u8; 100_000];
        assert!(Sign1::parse(&deep).is_err());
        // A byte string claiming 2^63 bytes.
        let huge = [0x84, 0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert!(Sign1::parse(&huge).is_err());
        assert!(Sign1::parse(&[]).is_err());
    }
}
