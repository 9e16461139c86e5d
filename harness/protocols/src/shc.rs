//! SMART Health Cards (`../shared/specs/smart-health-cards.md`): numeric `shc:/` QR payloads, single
//! and chunked; the `.smart-health-card` file; the compact JWS whose payload is raw-DEFLATE
//! compressed (`zip: "DEF"`). Every decoder is bounded: QR text, chunk counts and the inflated size.

pub mod revocation;

use crate::b64;
use flate2::bufread::DeflateDecoder;
use serde_json::{Map, Value};
use std::io::Read;

/// The inflated payload may not exceed this (a SMART Health Card payload is a few kilobytes).
pub const MAX_INFLATED: usize = 1 << 20;
/// A JWS longer than this is split into chunks (§ Chunking Larger SHCs).
pub const SINGLE_QR_MAX_JWS: usize = 1195;
/// Each chunk holds at most this many JWS characters.
pub const CHUNK_MAX_JWS: usize = 1191;
/// The longest JWS dialtone assembles from chunks: as long as the largest artifact file it reads
/// (4 MiB).
pub const MAX_JWS_CHARS: usize = 4 << 20;
/// The most chunks a card may come in: the specification sets no number, so as many as the
/// longest JWS dialtone reads needs in chunks of the largest size (3,522).
pub const MAX_CHUNKS: usize = MAX_JWS_CHARS.div_ceil(CHUNK_MAX_JWS);
pub const HEALTH_CARD_TYPE: &str = "https://smarthealth.cards#health-card";

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ShcError {
    #[error("a QR payload starts with \"shc:/\"; found {0:?}")]
    Prefix(String),
    #[error("the chunk prefix is not \"<ordinal>/<count>/\": {0}")]
    ChunkPrefix(String),
    #[error("the numeric segment has an odd number of digits ({0}): truncated")]
    OddDigits(usize),
    #[error("the numeric segment has a non-digit at position {0}")]
    NonDigit(usize),
    #[error("the digit pair {pair:?} at position {at} is above 77 and maps to no JWS character")]
    PairRange { pair: String, at: usize },
    #[error("chunks do not assemble: {0}")]
    Chunks(String),
    #[error("not a compact JWS: {0}")]
    Jws(String),
    #[error("the payload is not raw DEFLATE: {0}")]
    Inflate(String),
    #[error("the inflated payload exceeds {MAX_INFLATED} bytes (a DEFLATE bomb or not a health card)")]
    InflateBound,
    #[error("the payload is not a JSON object: {0}")]
    Json(String),
    #[error("not a .smart-health-card file: {0}")]
    File(String),
}

/// One scanned QR: its chunk position (1-based) and total, and the JWS characters it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrChunk {
    pub index: usize,
    pub total: usize,
    pub jws_part: String,
}

/// Decodes one `shc:/…` QR payload.
pub fn decode_qr(text: &str) -> Result<QrChunk, ShcError> {
    let text = text.trim();
    let rest = text.strip_prefix("shc:/").ok_or_else(|| ShcError::Prefix(text.chars().take(12).collect()))?;
    let (index, total, digits) = match rest.find(|c: char| !c.is_ascii_digit()) {
        Some(slash) if rest.as_bytes().get(slash) == Some(&b'/') => {
            let mut parts = rest.splitn(3, '/');
            let (c, n, digits) = (parts.next(), parts.next(), parts.next());
            let parse = |s: Option<&str>| s.filter(|s| s.len() <= 6).and_then(|s| s.parse::<usize>().ok());
            let (Some(c), Some(n), Some(digits)) = (parse(c), parse(n), digits) else {
                return Err(ShcError::ChunkPrefix(rest.chars().take(12).collect()));
            };
            if n < 2 || c < 1 || c > n || n > MAX_CHUNKS {
                return Err(ShcError::ChunkPrefix(format!(
                    "chunk {c} of {n} (1 ≤ ordinal ≤ count, 2 ≤ count ≤ {MAX_CHUNKS}: the prefix is there only when \
                     more than one chunk is required)"
                )));
            }
            (c, n, digits)
        }
        _ => (1, 1, rest),
    };
    if !digits.len().is_multiple_of(2) {
        return Err(ShcError::OddDigits(digits.len()));
    }
    let bytes = digits.as_bytes();
    let mut jws = String::with_capacity(digits.len() / 2);
    for (i, pair) in bytes.chunks(2).enumerate() {
        if !pair.iter().all(u8::is_ascii_digit) {
            return Err(ShcError::NonDigit(i * 2));
        }
        let value = (pair[0] - b'0') * 10 + (pair[1] - b'0');
        if value > 77 {
            return Err(ShcError::PairRange { pair: String::from_utf8_lossy(pair).into_owned(), at: i * 2 });
        }
        jws.push(char::from(value + 45));
    }
    Ok(QrChunk { index, total, jws_part: jws })
}

/// Assembles scanned chunks, in any order, into the JWS.
pub fn assemble(chunks: &[QrChunk]) -> Result<String, ShcError> {
    let Some(first) = chunks.first() else {
        return Err(ShcError::Chunks("no QR payload".into()));
    };
    let total = first.total;
    if chunks.iter().any(|c| c.total != total) {
        return Err(ShcError::Chunks("the chunks disagree on the total count".into()));
    }
    if chunks.len() != total {
        return Err(ShcError::Chunks(format!("{} of {total} chunks present", chunks.len())));
    }
    let length: usize = chunks.iter().map(|c| c.jws_part.len()).sum();
    if length > MAX_JWS_CHARS {
        return Err(ShcError::Chunks(format!(
            "{length} JWS characters, more than dialtone assembles ({MAX_JWS_CHARS})"
        )));
    }
    let mut ordered: Vec<&QrChunk> = chunks.iter().collect();
    ordered.sort_by_key(|c| c.index);
    if ordered.iter().enumerate().any(|(i, c)| c.index != i + 1) {
        return Err(ShcError::Chunks("a chunk ordinal is repeated or missing".into()));
    }
    Ok(ordered.iter().map(|c| c.jws_part.as_str()).collect())
}

/// Encodes a JWS as `shc:/` numeric QR payloads, balanced chunks when it exceeds one QR.
pub fn encode_qr(jws: &str) -> Vec<String> {
    let numeric = |s: &str| -> String { s.bytes().map(|b| format!("{:02}", b.saturating_sub(45))).collect() };
    if jws.len() <= SINGLE_QR_MAX_JWS {
        return vec![format!("shc:/{}", numeric(jws))];
    }
    let n = jws.len().div_ceil(CHUNK_MAX_JWS);
    let size = jws.len().div_ceil(n);
    let bytes = jws.as_bytes();
    bytes
        .chunks(size)
        .enumerate()
        .map(|(i, part)| format!("shc:/{}/{n}/{}", i + 1, numeric(&String::from_utf8_lossy(part))))
        .collect()
}

/// Raw DEFLATE (RFC 1951, no zlib header), as health cards are compressed.
pub fn deflate_raw(bytes: &[u8]) -> Vec<u8> {
    use flate2::write::DeflateEncoder;
    use std::io::Write;
    let mut encoder = DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// Inflates raw DEFLATE, refusing more than `limit` bytes of output.
pub fn inflate_raw(bytes: &[u8], limit: usize) -> Result<Vec<u8>, ShcError> {
    let mut out = Vec::new();
    // Read from the bytes themselves (`bufread`): the `read` decoder would first copy them through a
    // 32 KB buffer of its own, allocated per card.
    let mut decoder = DeflateDecoder::new(bytes).take(limit as u64 + 1);
    decoder.read_to_end(&mut out).map_err(|e| ShcError::Inflate(e.to_string()))?;
    if out.len() > limit {
        return Err(ShcError::InflateBound);
    }
    Ok(out)
}

/// A health card JWS split into parts, its payload inflated and parsed; the signature not yet checked.
#[derive(Debug, Clone)]
pub struct HealthCardJws {
    pub header: Map<String, Value>,
    pub payload: Map<String, Value>,
    /// The inflated payload bytes, to judge minification.
    pub payload_text: Vec<u8>,
    pub signing_input: String,
    pub signature: Vec<u8>,
}

impl HealthCardJws {
    pub fn parse(jws: &str) -> Result<Self, ShcError> {
        let parts: Vec<&str> = jws.trim().split('.').collect();
        if parts.len() != 3 {
            return Err(ShcError::Jws(format!("{} '.'-separated segments, not 3", parts.len())));
        }
        let header_bytes = b64::decode(parts[0]).map_err(|e| ShcError::Jws(format!("header: {e}")))?;
        let header = match serde_json::from_slice::<Value>(&header_bytes) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(ShcError::Jws("the header is not a JSON object".into())),
            Err(e) => return Err(ShcError::Jws(format!("header: {e}"))),
        };
        let compressed = b64::decode(parts[1]).map_err(|e| ShcError::Jws(format!("payload: {e}")))?;
        let signature = b64::decode(parts[2]).map_err(|e| ShcError::Jws(format!("signature: {e}")))?;
        let payload_text = if header.get("zip").and_then(Value::as_str) == Some("DEF") {
            inflate_raw(&compressed, MAX_INFLATED)?
        } else {
            compressed
        };
        let payload = match serde_json::from_slice::<Value>(&payload_text) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(ShcError::Json("a JSON value that is not an object".into())),
            Err(e) => return Err(ShcError::Json(e.to_string())),
        };
        Ok(Self { header, payload, payload_text, signing_input: format!("{}.{}", parts[0], parts[1]), signature })
    }
}

/// The JWS strings of a `.smart-health-card` file.
pub fn parse_file(bytes: &[u8]) -> Result<Vec<String>, ShcError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| ShcError::File(e.to_string()))?;
    let list = value
        .get("verifiableCredential")
        .and_then(Value::as_array)
        .ok_or_else(|| ShcError::File("no verifiableCredential array".into()))?;
    if list.is_empty() {
        return Err(ShcError::File("verifiableCredential is empty".into()));
    }
    list.iter()
        .map(|v| v.as_str().map(str::to_string).ok_or_else(|| ShcError::File("a non-string entry".into())))
        .collect()
}

/// The JWS strings of a `$health-cards-issue` response (§ via FHIR `$health-cards-issue` Operation):
/// a FHIR `Parameters` resource whose `verifiableCredential` parameters carry them as `valueString`;
/// other parameters (`resourceLink`) are not cards. No `parameter` at all means no results.
pub fn parse_parameters(value: &Value) -> Result<Vec<String>, ShcError> {
    if value.get("resourceType").and_then(Value::as_str) != Some("Parameters") {
        return Err(ShcError::File("not a FHIR Parameters resource".into()));
    }
    let parameters = match value.get("parameter") {
        None => return Ok(Vec::new()),
        Some(Value::Array(p)) => p,
        Some(_) => return Err(ShcError::File("parameter is not an array".into())),
    };
    parameters
        .iter()
        .enumerate()
        .filter(|(_, p)| p.get("name").and_then(Value::as_str) == Some("verifiableCredential"))
        .map(|(i, p)| {
            p.get("valueString")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| ShcError::File(format!("parameter[{i}] (verifiableCredential) has no valueString")))
        })
        .collect()
}

/// Signs a health card: minified payload, raw DEFLATE, ES256 with `kid` = the key's thumbprint.
pub fn sign(key: &crate::jose::EcKey, payload: &Value) -> String {
    let header = serde_json::json!({"alg": "ES256", "zip": "DEF", "kid": key.thumbprint()});
    sign_with_header(key, &header, &deflate_raw(payload.to_string().as_bytes()))
}

/// Signs already-prepared payload bytes under a given header (for deliberately faulty vectors).
pub fn sign_with_header(key: &crate::jose::EcKey, header: &Value, payload_bytes: &[u8]) -> String {
    key.sign_input(&format!("{}.{}", b64::encode(header.to_string()), b64::encode(payload_bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_round_trip_single_and_chunked() {
        let jws = "eyJ.abc-_.XYZ";
        let qr = encode_qr(jws);
        assert_eq!(qr.len(), 1);
        assert_eq!(assemble(&[decode_qr(&qr[0]).expect("decodes")]).expect("assembles"), jws);
        let long: String = "ab".repeat(1500);
        let qr = encode_qr(&long);
        assert_eq!(qr.len(), 3);
        assert!(qr[1].starts_with("shc:/2/3/"));
        let mut chunks: Vec<QrChunk> = qr.iter().map(|q| decode_qr(q).expect("decodes")).collect();
        chunks.reverse();
        assert_eq!(assemble(&chunks).expect("any order"), long);
        assert!(matches!(assemble(&chunks[..2]), Err(ShcError::Chunks(_))));
    }

    #[test]
    fn a_card_may_come_in_more_chunks_than_sixteen() {
        // 40 chunks of a 47,000-character JWS: a large card, within what the specification allows.
        let long: String = "ab".repeat(23_500);
        let qr = encode_qr(&long);
        assert_eq!(qr.len(), 40);
        let chunks: Vec<QrChunk> = qr.iter().map(|q| decode_qr(q).expect("decodes")).collect();
        assert_eq!(assemble(&chunks).expect("assembles"), long);
        assert_eq!(MAX_CHUNKS, 3_522);
        assert!(decode_qr(&format!("shc:/1/{MAX_CHUNKS}/5656")).is_ok());
        assert!(matches!(decode_qr(&format!("shc:/1/{}/5656", MAX_CHUNKS + 1)), Err(ShcError::ChunkPrefix(_))));
    }

    #[test]
    fn example_x_is_43() {
        assert_eq!(decode_qr("shc:/43").expect("decodes").jws_part, "X");
    }

    #[test]
    fn bad_qr_inputs() {
        assert_eq!(decode_qr("shc:/567"), Err(ShcError::OddDigits(3)));
        assert!(matches!(decode_qr("shc:/99"), Err(ShcError::PairRange { .. })));
        assert!(matches!(decode_qr("http://x"), Err(ShcError::Prefix(_))));
        assert!(matches!(decode_qr("shc:/4/3/5656"), Err(ShcError::ChunkPrefix(_))));
        assert!(matches!(decode_qr("shc:/1/1/5656"), Err(ShcError::ChunkPrefix(_))), "one chunk takes no prefix");
        assert!(matches!(decode_qr("shc:/1/99999/5656"), Err(ShcError::ChunkPrefix(_))));
        assert!(matches!(decode_qr("shc:/1/1234567/5656"), Err(ShcError::ChunkPrefix(_))));
        assert!(matches!(decode_qr("shc:/56a6"), Err(ShcError::ChunkPrefix(_)) | Err(ShcError::NonDigit(_))));
    }

    #[test]
    fn deflate_bomb_is_bounded() {
        let bomb = deflate_raw(&vec![b' '; 20 << 20]);
        assert!(bomb.len() < 64 * 1024);
        assert_eq!(inflate_raw(&bomb, MAX_INFLATED), Err(ShcError::InflateBound));
    }
}
