//! Issuing an mdoc (ISO/IEC 18013-5 §9.1.2): the issuer-signed elements, each an
//! `IssuerSignedItemBytes` with a fresh `random`, and the Mobile Security Object — their digests,
//! the device key, the docType, the validity — signed (COSE_Sign1) by the document signer, whose
//! certificate goes in `x5chain`. The reference issuer issues these over OpenID4VCI (`mso_mdoc`),
//! and the harness mints them, correct or with one deviation, for a verifier under test.

use super::build::{item, map, tag24, tdate, text};
use super::{DIGEST_ALGORITHM, encode_cbor};
use crate::cose::{self, Sign1Spec};
use crate::jose::EcKey;
use crate::seed::Entropy;
use ciborium::Value;
use coset::{AsCborValue, CoseKeyBuilder, iana};
use sha2::{Digest, Sha256};

/// Bytes of each element's `random` (at least 16, §9.1.2.5).
const RANDOM_BYTES: usize = 16;

/// Everything about one mdoc to issue; times are seconds since the epoch.
#[derive(Debug, Clone)]
pub struct MdocSpec {
    pub doc_type: String,
    /// namespace → (element identifier, value), in order.
    pub namespaces: Vec<(String, Vec<(String, Value)>)>,
    /// The device key (`deviceKeyInfo.deviceKey`), the holder's key from the proof.
    pub device_key: Value,
    pub signed: i64,
    pub valid_from: i64,
    pub valid_until: i64,
    /// Change the first element's value after its digest was taken.
    pub tamper_element: bool,
}

/// A P-256 public key as a COSE_Key (RFC 9052 §7, EC2).
pub fn cose_key(key: &EcKey) -> Value {
    cose_key_of_jwk(&key.public_jwk()).unwrap_or(Value::Null)
}

/// A P-256 public JWK (a proof's `jwk`) as a COSE_Key; `None` for any other key.
pub fn cose_key_of_jwk(jwk: &serde_json::Value) -> Option<Value> {
    if jwk.get("kty")?.as_str()? != "EC" || jwk.get("crv")?.as_str()? != "P-256" {
        return None;
    }
    let coordinate = |name: &str| crate::b64::decode(jwk.get(name)?.as_str()?).ok().filter(|c| c.len() == 32);
    let (x, y) = (coordinate("x")?, coordinate("y")?);
    CoseKeyBuilder::new_ec2_pub_key(iana::EllipticCurve::P_256, x, y).build().to_cbor_value().ok()
}

/// The `IssuerSigned` structure (`nameSpaces`, `issuerAuth`) for `spec`, signed by `ds_key` whose
/// certificate chain (DER, the document signer first) goes into `x5chain`.
pub fn issuer_signed(spec: &MdocSpec, ds_key: &EcKey, x5chain: &[Vec<u8>], entropy: &Entropy) -> Value {
    let mut namespaces = Vec::new();
    let mut value_digests = Vec::new();
    let mut digest_id = 0u64;
    let mut tamper = spec.tamper_element;
    for (namespace, elements) in &spec.namespaces {
        let mut items = Vec::new();
        let mut digests = Vec::new();
        for (identifier, value) in elements {
            let mut random = vec![0u8; RANDOM_BYTES];
            entropy.fill(&mut random);
            let signed_item = item(digest_id, &random, identifier, value.clone());
            digests.push((
                Value::Integer(digest_id.into()),
                Value::Bytes(Sha256::digest(encode_cbor(&signed_item)).to_vec()),
            ));
            items.push(if std::mem::take(&mut tamper) {
                item(digest_id, &random, identifier, text("altered after signing"))
            } else {
                signed_item
            });
            digest_id += 1;
        }
        namespaces.push((Value::Text(namespace.clone()), Value::Array(items)));
        value_digests.push((Value::Text(namespace.clone()), Value::Map(digests)));
    }
    let date = |t: i64| tdate(&crate::time::format_rfc3339(t));
    let mso = map(vec![
        ("version", text("1.0")),
        ("digestAlgorithm", text(DIGEST_ALGORITHM)),
        ("valueDigests", Value::Map(value_digests)),
        ("deviceKeyInfo", map(vec![("deviceKey", spec.device_key.clone())])),
        ("docType", text(&spec.doc_type)),
        (
            "validityInfo",
            map(vec![
                ("signed", date(spec.signed)),
                ("validFrom", date(spec.valid_from)),
                ("validUntil", date(spec.valid_until)),
            ]),
        ),
    ]);
    let sign_spec = Sign1Spec { x5chain: x5chain.to_vec(), ..Default::default() };
    let auth = cose::sign1_es256(ds_key, &sign_spec, encode_cbor(&tag24(&mso)));
    let auth = super::decode_cbor(&auth).unwrap_or(Value::Null);
    map(vec![("nameSpaces", Value::Map(namespaces)), ("issuerAuth", auth)])
}
