//! The device side of an mdoc presentation (ISO/IEC 18013-5 §8.3.2.1.2.2, §9.1.3): a
//! `DeviceResponse` releasing only the requested elements of an `IssuerSigned`, with the device
//! signature — a COSE_Sign1 with a detached payload, `DeviceAuthenticationBytes` =
//! `#6.24(bstr .cbor ["DeviceAuthentication", SessionTranscript, DocType, DeviceNameSpacesBytes])`
//! — by the key the MSO names. dialtone signs (`deviceSignature`); it does not MAC (`deviceMac`,
//! which needs the reader's ephemeral key, absent from OpenID4VP's transcript).

use super::build::{map, tag24, text};
use super::{MdocError, encode_cbor, get, shape};
use crate::cose::{self, Sign1, Sign1Spec};
use crate::jose::EcKey;
use ciborium::Value;
use coset::{AsCborValue, CoseKey, iana};

/// `DeviceAuthenticationBytes` for a transcript, docType and the device-signed namespaces bytes.
pub fn device_authentication_bytes(session_transcript: &Value, doc_type: &str, device_namespaces: &Value) -> Vec<u8> {
    encode_cbor(&tag24(&Value::Array(vec![
        text("DeviceAuthentication"),
        session_transcript.clone(),
        text(doc_type),
        device_namespaces.clone(),
    ])))
}

/// The empty `DeviceNameSpacesBytes` (no device-signed elements).
pub fn empty_device_namespaces() -> Value {
    tag24(&Value::Map(Vec::new()))
}

/// The COSE_Key of an MSO as a public JWK (EC2 P-256, or OKP Ed25519), for signature checks.
pub fn jwk_of_cose_key(key: &Value) -> Result<serde_json::Value, MdocError> {
    let key = CoseKey::from_cbor_value(key.clone()).map_err(|e| shape(format!("deviceKey is not a COSE_Key: {e}")))?;
    let param = |label: i64| key.params.iter().find(|(l, _)| *l == coset::Label::Int(label)).map(|(_, v)| v.clone());
    let bytes = |label: i64, what: &str| {
        param(label)
            .and_then(|v| v.as_bytes().cloned())
            .map(crate::b64::encode)
            .ok_or_else(|| shape(format!("deviceKey without {what}")))
    };
    let crv = param(iana::Ec2KeyParameter::Crv as i64).and_then(|c| c.as_integer()).and_then(|c| i64::try_from(c).ok());
    match (&key.kty, crv) {
        (coset::KeyType::Assigned(iana::KeyType::EC2), Some(c)) if c == iana::EllipticCurve::P_256 as i64 => {
            Ok(serde_json::json!({
                "kty": "EC", "crv": "P-256",
                "x": bytes(iana::Ec2KeyParameter::X as i64, "x")?,
                "y": bytes(iana::Ec2KeyParameter::Y as i64, "y")?,
            }))
        }
        (coset::KeyType::Assigned(iana::KeyType::OKP), Some(c)) if c == iana::EllipticCurve::Ed25519 as i64 => {
            Ok(serde_json::json!({ "kty": "OKP", "crv": "Ed25519", "x": bytes(iana::OkpKeyParameter::X as i64, "x")? }))
        }
        (kty, crv) => Err(shape(format!("deviceKey of key type {kty:?} and curve {crv:?} is not supported"))),
    }
}

/// What a document releases and how it is device-signed.
pub struct Release<'a> {
    /// Whether an element (namespace, identifier) is released.
    pub keep: &'a dyn Fn(&str, &str) -> bool,
    /// The key that signs `DeviceAuthentication` (the MSO's device key, unless a case says otherwise).
    pub device_key: &'a EcKey,
    pub session_transcript: &'a Value,
}

/// A `DeviceResponse` (version 1.0, status 0) with one document: `issuer_signed` (an `IssuerSigned`
/// map) reduced to the released elements, and its device signature.
pub fn device_response(issuer_signed: &Value, release: &Release<'_>) -> Result<Vec<u8>, MdocError> {
    let issuer = super::IssuerSigned::from_value(issuer_signed)?;
    let doc_type = issuer.mso.doc_type.clone().ok_or_else(|| shape("the MSO has no docType"))?;
    let auth = get(issuer_signed, "issuerAuth").cloned().ok_or_else(|| shape("issuerSigned without issuerAuth"))?;
    let mut namespaces = Vec::new();
    if let Some(Value::Map(all)) = get(issuer_signed, "nameSpaces") {
        for (name, items) in all {
            let (Some(ns), Some(items)) = (name.as_text(), items.as_array()) else { continue };
            let parsed = issuer.namespaces.get(ns).cloned().unwrap_or_default();
            let kept: Vec<Value> = items
                .iter()
                .zip(&parsed)
                .filter(|(_, p)| (release.keep)(ns, &p.element_identifier))
                .map(|(raw, _)| raw.clone())
                .collect();
            if !kept.is_empty() {
                namespaces.push((name.clone(), Value::Array(kept)));
            }
        }
    }
    let device_namespaces = empty_device_namespaces();
    let detached = device_authentication_bytes(release.session_transcript, &doc_type, &device_namespaces);
    let signature = cose::sign1_detached_es256(release.device_key, &Sign1Spec::default(), &detached);
    let signature = super::decode_cbor(&signature)?;
    let document = map(vec![
        ("docType", text(&doc_type)),
        ("issuerSigned", map(vec![("nameSpaces", Value::Map(namespaces)), ("issuerAuth", auth)])),
        (
            "deviceSigned",
            map(vec![("nameSpaces", device_namespaces), ("deviceAuth", map(vec![("deviceSignature", signature)]))]),
        ),
    ]);
    Ok(encode_cbor(&map(vec![
        ("version", text("1.0")),
        ("documents", Value::Array(vec![document])),
        ("status", Value::Integer(0.into())),
    ])))
}

/// A document's `deviceSigned`: its namespaces bytes (as sent) and its device authentication.
#[derive(Debug, Clone)]
pub struct DeviceSigned {
    pub namespaces: Value,
    pub signature: Option<Sign1>,
    /// A `deviceMac` instead of a signature (dialtone cannot check one over OpenID4VP).
    pub mac: bool,
}

impl DeviceSigned {
    pub(crate) fn from_value(value: &Value) -> Result<Self, MdocError> {
        let namespaces = get(value, "nameSpaces").cloned().ok_or_else(|| shape("deviceSigned without nameSpaces"))?;
        let auth = get(value, "deviceAuth").ok_or_else(|| shape("deviceSigned without deviceAuth"))?;
        let signature = match get(auth, "deviceSignature") {
            Some(s) => Some(Sign1::parse(&encode_cbor(s))?),
            None => None,
        };
        Ok(Self { namespaces, signature, mac: get(auth, "deviceMac").is_some() })
    }
}
