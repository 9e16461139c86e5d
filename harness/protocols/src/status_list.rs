//! Token Status List (draft-ietf-oauth-status-list): the compressed byte array (§4.1), its JSON form
//! (§4.2), the Status List Token in JWT form (§5.1) and the `status` claim of a Referenced Token (§6).

use crate::b64;
use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use serde_json::{Value, json};
use std::io::{Read, Write};

/// `typ` of a Status List Token in JWT form (§5.1).
pub const TYP: &str = "statuslist+jwt";
pub const MEDIA_TYPE: &str = "application/statuslist+jwt";
/// The largest decompressed list accepted (a DEFLATE bomb stops here).
pub(crate) const MAX_LIST_BYTES: u64 = 8 * 1024 * 1024;

/// Status Type values (§7.1).
pub const VALID: u8 = 0x00;
pub const INVALID: u8 = 0x01;
pub const SUSPENDED: u8 = 0x02;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusListError {
    #[error("bits must be 1, 2, 4 or 8, found {0}")]
    Bits(u64),
    #[error("lst is not base64url: {0}")]
    Base64(String),
    #[error("lst does not inflate as ZLIB: {0}")]
    Inflate(String),
    #[error("the inflated list exceeds {MAX_LIST_BYTES} bytes")]
    TooLarge,
    #[error("index {idx} is outside the list of {len} entries")]
    OutOfBounds { idx: u64, len: u64 },
    #[error("{0}")]
    Shape(String),
}

/// A decoded status list: `bits` per entry, entries packed least-significant bits first (§4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    pub bits: u8,
    pub bytes: Vec<u8>,
}

impl StatusList {
    pub fn new(bits: u8, entries: usize) -> Result<Self, StatusListError> {
        if !matches!(bits, 1 | 2 | 4 | 8) {
            return Err(StatusListError::Bits(bits.into()));
        }
        Ok(Self { bits, bytes: vec![0; (entries * bits as usize).div_ceil(8)] })
    }

    pub fn len(&self) -> u64 {
        self.bytes.len() as u64 * 8 / u64::from(self.bits)
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub fn get(&self, idx: u64) -> Result<u8, StatusListError> {
        if idx >= self.len() {
            return Err(StatusListError::OutOfBounds { idx, len: self.len() });
        }
        let bit = idx * u64::from(self.bits);
        let byte = self.bytes[(bit / 8) as usize];
        let mask = ((1u16 << self.bits) - 1) as u8;
        Ok((byte >> (bit % 8)) & mask)
    }

    pub fn set(&mut self, idx: u64, status: u8) -> Result<(), StatusListError> {
        if idx >= self.len() {
            return Err(StatusListError::OutOfBounds { idx, len: self.len() });
        }
        let bit = idx * u64::from(self.bits);
        let mask = ((1u16 << self.bits) - 1) as u8;
        let shift = bit % 8;
        let byte = &mut self.bytes[(bit / 8) as usize];
        *byte = (*byte & !(mask << shift)) | ((status & mask) << shift);
        Ok(())
    }

    /// The JSON `StatusList` object (§4.2), compressed at the highest level.
    pub fn to_json(&self) -> Value {
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
        let compressed = encoder.write_all(&self.bytes).and_then(|_| encoder.finish()).unwrap_or_default();
        json!({ "bits": self.bits, "lst": b64::encode(compressed) })
    }

    /// Reads a JSON `StatusList` object, bounding the inflated size.
    pub fn from_json(value: &Value) -> Result<Self, StatusListError> {
        let bits = value
            .get("bits")
            .and_then(Value::as_u64)
            .ok_or_else(|| StatusListError::Shape("bits is not an integer".into()))?;
        if !matches!(bits, 1 | 2 | 4 | 8) {
            return Err(StatusListError::Bits(bits));
        }
        let lst = value
            .get("lst")
            .and_then(Value::as_str)
            .ok_or_else(|| StatusListError::Shape("lst is not a string".into()))?;
        let compressed = b64::decode(lst).map_err(|e| StatusListError::Base64(e.to_string()))?;
        let mut bytes = Vec::new();
        ZlibDecoder::new(compressed.as_slice())
            .take(MAX_LIST_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| StatusListError::Inflate(e.to_string()))?;
        if bytes.len() as u64 > MAX_LIST_BYTES {
            return Err(StatusListError::TooLarge);
        }
        Ok(Self { bits: bits as u8, bytes })
    }
}

/// The `status_list` reference of a Referenced Token's `status` claim (§6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReference {
    pub idx: u64,
    pub uri: String,
}

impl StatusReference {
    pub fn from_claims(claims: &serde_json::Map<String, Value>) -> Result<Self, StatusListError> {
        let list = claims
            .get("status")
            .and_then(|s| s.get("status_list"))
            .ok_or_else(|| StatusListError::Shape("no status.status_list claim".into()))?;
        let idx = list
            .get("idx")
            .and_then(Value::as_u64)
            .ok_or_else(|| StatusListError::Shape("status_list.idx is not a non-negative integer".into()))?;
        let uri = list
            .get("uri")
            .and_then(Value::as_str)
            .ok_or_else(|| StatusListError::Shape("status_list.uri is not a string".into()))?;
        Ok(Self { idx, uri: uri.to_string() })
    }

    pub fn claim(&self) -> Value {
        json!({ "status_list": { "idx": self.idx, "uri": self.uri } })
    }
}

/// Validates a Status List Token in JWT form against the issuer's JWK Set and the Referenced
/// Token's `uri` (§5.1, §8.3 steps 3–4), returning the list.
pub fn verify_token(token: &str, jwks: &Value, expected_sub: &str, now: i64) -> Result<StatusList, StatusListError> {
    let jws = crate::jose::CompactJws::parse(token).map_err(|e| StatusListError::Shape(format!("not a JWS: {e}")))?;
    if jws.typ() != Some(TYP) {
        return Err(StatusListError::Shape(format!("typ {:?}, not {TYP:?}", jws.typ())));
    }
    let kid = jws.header.get("kid").and_then(Value::as_str);
    let keys = jwks.get("keys").and_then(Value::as_array).cloned().unwrap_or_default();
    let verified = keys
        .iter()
        .filter(|k| kid.is_none() || k.get("kid").is_none() || k.get("kid").and_then(Value::as_str) == kid)
        .filter_map(|k| crate::jose::verifying_key_from_jwk(k).ok())
        .any(|k| jws.verify_es256(&k).is_ok());
    if !verified {
        return Err(StatusListError::Shape("signature does not verify with the issuer's keys".into()));
    }
    match jws.payload.get("sub").and_then(Value::as_str) {
        Some(sub) if sub == expected_sub => {}
        other => {
            return Err(StatusListError::Shape(format!("sub {other:?} is not the status list URI {expected_sub:?}")));
        }
    }
    if !jws.payload.get("iat").is_some_and(Value::is_i64) {
        return Err(StatusListError::Shape("iat is missing".into()));
    }
    if let Some(exp) = jws.payload.get("exp")
        && exp.as_i64().is_none_or(|e| e <= now)
    {
        return Err(StatusListError::Shape(format!("the token expired (exp {exp})")));
    }
    let list = jws.payload.get("status_list").ok_or_else(|| StatusListError::Shape("no status_list claim".into()))?;
    StatusList::from_json(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specifications_one_bit_example() {
        // §4.1: statuses 1,0,0,1,1,1,0,1, 1,1,0,0,0,1,0,1 pack to 0xB9 0xA3; the spec's compressed form inflates to them.
        let statuses = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1];
        let mut list = StatusList::new(1, 16).unwrap();
        for (i, s) in statuses.iter().enumerate() {
            list.set(i as u64, *s).unwrap();
        }
        assert_eq!(list.bytes, vec![0xB9, 0xA3]);
        let compressed = [0x78, 0xda, 0xdb, 0xb9, 0x18, 0x00, 0x02, 0x17, 0x01, 0x5d];
        let decoded = StatusList::from_json(&json!({"bits": 1, "lst": b64::encode(compressed)})).unwrap();
        assert_eq!(decoded.bytes, vec![0xB9, 0xA3]);
        assert_eq!(StatusList::from_json(&list.to_json()).unwrap(), list);
    }

    #[test]
    fn the_specifications_two_bit_example() {
        let statuses = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3];
        let mut list = StatusList::new(2, 12).unwrap();
        for (i, s) in statuses.iter().enumerate() {
            list.set(i as u64, *s).unwrap();
        }
        assert_eq!(list.bytes, vec![0xC9, 0x44, 0xF9]);
        for (i, s) in statuses.iter().enumerate() {
            assert_eq!(list.get(i as u64).unwrap(), *s);
        }
        assert!(matches!(list.get(12), Err(StatusListError::OutOfBounds { .. })));
        let compressed = [0x78, 0xda, 0x3b, 0xe9, 0xf2, 0x13, 0x00, 0x03, 0xdf, 0x02, 0x07];
        let decoded = StatusList::from_json(&json!({"bits": 2, "lst": b64::encode(compressed)})).unwrap();
        assert_eq!(decoded.bytes, vec![0xC9, 0x44, 0xF9]);
    }

    #[test]
    fn a_deflate_bomb_is_refused() {
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(&vec![0u8; (MAX_LIST_BYTES + 10) as usize]).unwrap();
        let bomb = encoder.finish().unwrap();
        assert!(bomb.len() < 64 * 1024);
        assert_eq!(
            StatusList::from_json(&json!({"bits": 1, "lst": b64::encode(bomb)})),
            Err(StatusListError::TooLarge)
        );
    }
}
