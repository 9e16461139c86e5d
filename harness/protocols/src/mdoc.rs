//! ISO/IEC 18013-5 mdoc structures dialtone checks: `IssuerSigned` (§8.3.2.1.2.2), the Mobile
//! Security Object in `issuerAuth` (§9.1.2.4), and `DeviceResponse` (§8.3.2.1.2.2) that carries
//! documents. CBOR is decoded by ciborium (recursion bounded) from input whose size the caller bounds;
//! nothing here allocates from a length the input declares beyond the bytes actually present.

pub mod device;
pub mod issue;
pub mod session_transcript;
pub mod verify;

use crate::cose::{CoseError, Sign1};
use ciborium::Value;
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::collections::BTreeMap;

/// The digest algorithm dialtone's mdocs use (ISO/IEC 18013-5 §9.1.2.5).
pub const DIGEST_ALGORITHM: &str = "SHA-256";

/// CBOR tag 24: encoded CBOR data item.
pub(crate) const TAG_ENCODED_CBOR: u64 = 24;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum MdocError {
    #[error("not CBOR: {0}")]
    Cbor(String),
    #[error("{0}")]
    Shape(String),
    #[error("issuerAuth: {0}")]
    IssuerAuth(#[from] CoseError),
}

pub(crate) fn shape(msg: impl Into<String>) -> MdocError {
    MdocError::Shape(msg.into())
}

/// Decodes one CBOR item, with ciborium's recursion limit; trailing bytes are an error.
pub fn decode_cbor(bytes: &[u8]) -> Result<Value, MdocError> {
    let mut reader = bytes;
    let value: Value = ciborium::de::from_reader(&mut reader).map_err(|e| MdocError::Cbor(e.to_string()))?;
    if !reader.is_empty() {
        return Err(MdocError::Cbor(format!("{} trailing bytes after the data item", reader.len())));
    }
    Ok(value)
}

pub fn encode_cbor(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    // Serializing an in-memory Value into a Vec cannot fail.
    let _ = ciborium::ser::into_writer(value, &mut out);
    out
}

/// A text-keyed entry of a CBOR map.
pub fn get<'a>(map: &'a Value, key: &str) -> Option<&'a Value> {
    map.as_map()?.iter().find(|(k, _)| k.as_text() == Some(key)).map(|(_, v)| v)
}

/// The data item `#6.24(bstr .cbor …)` wraps, decoded.
fn unwrap_tag24(value: &Value, what: &str) -> Result<Value, MdocError> {
    match value {
        Value::Tag(TAG_ENCODED_CBOR, inner) => match inner.as_ref() {
            Value::Bytes(b) => decode_cbor(b),
            _ => Err(shape(format!("{what}: tag 24 must wrap a byte string"))),
        },
        _ => Err(shape(format!("{what}: expected #6.24(bstr .cbor …)"))),
    }
}

/// One issuer-signed data element and the exact bytes its digest covers.
#[derive(Debug, Clone)]
pub struct IssuerSignedItem {
    pub digest_id: u64,
    pub random: Vec<u8>,
    pub element_identifier: String,
    pub element_value: Value,
    /// `IssuerSignedItemBytes`: the encoding of `#6.24(bstr)`, which the MSO digests.
    pub item_bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidityInfo {
    pub signed: Option<String>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
}

/// The Mobile Security Object.
#[derive(Debug, Clone)]
pub struct Mso {
    pub version: Option<String>,
    pub digest_algorithm: Option<String>,
    /// namespace → digestID → digest
    pub value_digests: BTreeMap<String, BTreeMap<u64, Vec<u8>>>,
    pub device_key: Option<Value>,
    pub doc_type: Option<String>,
    pub validity: ValidityInfo,
}

#[derive(Debug, Clone)]
pub struct IssuerSigned {
    pub namespaces: BTreeMap<String, Vec<IssuerSignedItem>>,
    pub issuer_auth: Sign1,
    pub mso: Mso,
}

#[derive(Debug, Clone)]
pub struct Document {
    pub doc_type: Option<String>,
    pub issuer_signed: IssuerSigned,
    /// `deviceSigned`, in a presentation (`None` when absent or unreadable: the checks say so).
    pub device_signed: Option<device::DeviceSigned>,
}

/// What an mdoc artifact file holds.
#[derive(Debug, Clone)]
pub enum MdocArtifact {
    IssuerSigned(Box<IssuerSigned>),
    DeviceResponse { version: Option<String>, status: Option<u64>, documents: Vec<Document> },
}

impl MdocArtifact {
    pub fn parse(bytes: &[u8]) -> Result<Self, MdocError> {
        let value = decode_cbor(bytes)?;
        if get(&value, "documents").is_some() {
            let version = get(&value, "version").and_then(Value::as_text).map(str::to_string);
            let status = get(&value, "status").and_then(Value::as_integer).and_then(|i| u64::try_from(i).ok());
            let docs =
                get(&value, "documents").and_then(Value::as_array).ok_or_else(|| shape("documents is not an array"))?;
            let documents = docs
                .iter()
                .map(|d| {
                    let issuer_signed =
                        get(d, "issuerSigned").ok_or_else(|| shape("a document without issuerSigned"))?;
                    Ok(Document {
                        doc_type: get(d, "docType").and_then(Value::as_text).map(str::to_string),
                        issuer_signed: IssuerSigned::from_value(issuer_signed)?,
                        device_signed: get(d, "deviceSigned").and_then(|v| device::DeviceSigned::from_value(v).ok()),
                    })
                })
                .collect::<Result<Vec<_>, MdocError>>()?;
            Ok(Self::DeviceResponse { version, status, documents })
        } else if get(&value, "issuerAuth").is_some() {
            Ok(Self::IssuerSigned(Box::new(IssuerSigned::from_value(&value)?)))
        } else {
            Err(shape("neither an IssuerSigned (issuerAuth) nor a DeviceResponse (documents)"))
        }
    }

    /// Every issuer-signed part with the docType its document states (if any).
    pub fn issuer_signed(&self) -> Vec<(Option<&str>, &IssuerSigned)> {
        match self {
            Self::IssuerSigned(i) => vec![(None, i.as_ref())],
            Self::DeviceResponse { documents, .. } => {
                documents.iter().map(|d| (d.doc_type.as_deref(), &d.issuer_signed)).collect()
            }
        }
    }
}

impl IssuerSigned {
    pub fn from_value(value: &Value) -> Result<Self, MdocError> {
        let auth = get(value, "issuerAuth").ok_or_else(|| shape("issuerSigned without issuerAuth"))?;
        // Read from the decoded item; what it refuses, parsed from its encoding for the parser's
        // own words.
        let issuer_auth = match Sign1::from_value(auth) {
            Some(sign1) => sign1,
            None => Sign1::parse(&encode_cbor(auth))?,
        };
        let mso = Mso::from_payload(issuer_auth.payload()?)?;
        let mut namespaces = BTreeMap::new();
        if let Some(ns) = get(value, "nameSpaces") {
            let map = ns.as_map().ok_or_else(|| shape("nameSpaces is not a map"))?;
            for (name, items) in map {
                let name = name.as_text().ok_or_else(|| shape("a namespace name is not text"))?;
                let items = items.as_array().ok_or_else(|| shape(format!("namespace {name:?} is not an array")))?;
                let parsed = items.iter().map(IssuerSignedItem::from_value).collect::<Result<Vec<_>, _>>()?;
                namespaces.insert(name.to_string(), parsed);
            }
        }
        Ok(Self { namespaces, issuer_auth, mso })
    }
}

impl IssuerSignedItem {
    fn from_value(value: &Value) -> Result<Self, MdocError> {
        let mut item = unwrap_tag24(value, "IssuerSignedItemBytes")?;
        let digest_id = get(&item, "digestID")
            .and_then(Value::as_integer)
            .and_then(|i| u64::try_from(i).ok())
            .ok_or_else(|| shape("an IssuerSignedItem without an unsigned digestID"))?;
        let random =
            get(&item, "random").and_then(Value::as_bytes).cloned().ok_or_else(|| shape("an item without random"))?;
        let element_identifier = get(&item, "elementIdentifier")
            .and_then(Value::as_text)
            .map(str::to_string)
            .ok_or_else(|| shape("an item without elementIdentifier"))?;
        // Moved out of the item, which is not used after.
        let element_value = item
            .as_map_mut()
            .and_then(|entries| entries.iter_mut().find(|(k, _)| k.as_text() == Some("elementValue")))
            .map(|(_, v)| std::mem::replace(v, Value::Null))
            .ok_or_else(|| shape("an item without elementValue"))?;
        Ok(Self { digest_id, random, element_identifier, element_value, item_bytes: encode_cbor(value) })
    }
}

fn tdate(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Tag(0, inner) => inner.as_text().map(str::to_string),
        _ => None,
    }
}

impl Mso {
    /// The MSO from the COSE payload `MobileSecurityObjectBytes` (#6.24(bstr .cbor MSO)).
    pub fn from_payload(payload: &[u8]) -> Result<Self, MdocError> {
        let outer = decode_cbor(payload)?;
        let mso = unwrap_tag24(&outer, "MobileSecurityObjectBytes")?;
        let text = |k: &str| get(&mso, k).and_then(Value::as_text).map(str::to_string);
        let mut value_digests = BTreeMap::new();
        if let Some(vd) = get(&mso, "valueDigests").and_then(Value::as_map) {
            for (ns, digests) in vd {
                let ns = ns.as_text().ok_or_else(|| shape("a valueDigests namespace is not text"))?;
                let digests = digests.as_map().ok_or_else(|| shape("DigestIDs is not a map"))?;
                let mut out = BTreeMap::new();
                for (id, digest) in digests {
                    let id = id
                        .as_integer()
                        .and_then(|i| u64::try_from(i).ok())
                        .ok_or_else(|| shape("a DigestID is not an unsigned integer"))?;
                    let digest = digest.as_bytes().ok_or_else(|| shape("a digest is not a byte string"))?;
                    out.insert(id, digest.clone());
                }
                value_digests.insert(ns.to_string(), out);
            }
        }
        let validity = get(&mso, "validityInfo");
        Ok(Self {
            version: text("version"),
            digest_algorithm: text("digestAlgorithm"),
            value_digests,
            device_key: get(&mso, "deviceKeyInfo").and_then(|d| get(d, "deviceKey")).cloned(),
            doc_type: text("docType"),
            validity: ValidityInfo {
                signed: tdate(validity.and_then(|v| get(v, "signed"))),
                valid_from: tdate(validity.and_then(|v| get(v, "validFrom"))),
                valid_until: tdate(validity.and_then(|v| get(v, "validUntil"))),
            },
        })
    }
}

/// The digest an MSO records for `IssuerSignedItemBytes`, by the MSO's `digestAlgorithm`.
pub fn digest(algorithm: &str, bytes: &[u8]) -> Option<Vec<u8>> {
    match algorithm {
        "SHA-256" => Some(Sha256::digest(bytes).to_vec()),
        "SHA-384" => Some(Sha384::digest(bytes).to_vec()),
        "SHA-512" => Some(Sha512::digest(bytes).to_vec()),
        _ => None,
    }
}

/// Builders for mdoc artifacts (test vectors and the reference's own documents).
pub mod build {
    use super::*;

    pub fn text(s: &str) -> Value {
        Value::Text(s.to_string())
    }

    pub fn map(entries: Vec<(&str, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (text(k), v)).collect())
    }

    pub fn tdate(rfc3339: &str) -> Value {
        Value::Tag(0, Box::new(text(rfc3339)))
    }

    pub fn tag24(inner: &Value) -> Value {
        Value::Tag(TAG_ENCODED_CBOR, Box::new(Value::Bytes(encode_cbor(inner))))
    }

    /// An `IssuerSignedItemBytes` value.
    pub fn item(digest_id: u64, random: &[u8], identifier: &str, value: Value) -> Value {
        tag24(&map(vec![
            ("digestID", Value::Integer(digest_id.into())),
            ("random", Value::Bytes(random.to_vec())),
            ("elementIdentifier", text(identifier)),
            ("elementValue", value),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_cbor() {
        assert!(decode_cbor(&vec![0x81; 100_000]).is_err(), "deep nesting is refused");
        assert!(decode_cbor(&[0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).is_err(), "huge bstr");
        assert!(decode_cbor(&[0x9b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).is_err(), "huge array");
        assert!(decode_cbor(&[0xbb, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).is_err(), "huge map");
        assert!(MdocArtifact::parse(&[0xa0]).is_err());
        assert!(decode_cbor(&[0x01, 0x02]).is_err(), "trailing bytes");
    }
}
