//! base64url without padding (RFC 7515 §2), the encoding JOSE and SD-JWT use everywhere.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Strict decoding: padding, whitespace and the standard alphabet are rejected.
pub fn decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    URL_SAFE_NO_PAD.decode(text)
}

/// Standard base64 with padding (RFC 4648 §4), as `x5c` uses (RFC 7515 §4.1.6).
pub fn encode_std(bytes: impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn decode_std(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    base64::engine::general_purpose::STANDARD.decode(text)
}

/// Standard base64 with or without padding (files written by different tools differ).
pub fn decode_std_any(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    base64::engine::general_purpose::STANDARD_NO_PAD.decode(text.trim().trim_end_matches('='))
}
