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

/// How many bytes `text` decodes to by [`decode`], without keeping them: a short text (a digest, a
/// salt) is decoded on the stack.
pub fn decoded_len(text: &str) -> Result<usize, base64::DecodeError> {
    let mut bytes = [0u8; 96];
    // 128 characters are at most 96 bytes.
    if text.len() <= 128 {
        match URL_SAFE_NO_PAD.decode_slice(text, &mut bytes) {
            Ok(len) => return Ok(len),
            Err(base64::DecodeSliceError::DecodeError(e)) => return Err(e),
            Err(base64::DecodeSliceError::OutputSliceTooSmall) => {}
        }
    }
    decode(text).map(|bytes| bytes.len())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The length decoded on the stack is the length of what [`decode`] gives, and a text it
    /// refuses is refused alike: short and long texts, bad characters, padding, bits left over.
    #[test]
    fn the_decoded_length_is_the_length_of_the_decoded_bytes() {
        let texts = proptest::collection::vec(proptest::sample::select(b"AQgw_-=+/ .".to_vec()), 0..200);
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let checked = runner.run(&texts, |chars| {
            let text = String::from_utf8(chars).unwrap_or_default();
            let decoded = decode(&text);
            proptest::prop_assert_eq!(decoded_len(&text).ok(), decoded.as_ref().ok().map(Vec::len), "{}", text);
            proptest::prop_assert_eq!(decoded_len(&text).err(), decoded.err(), "{}", text);
            Ok(())
        });
        assert!(checked.is_ok(), "{checked:?}");
        assert_eq!(decoded_len(&encode([7u8; 96])), Ok(96));
        assert_eq!(decoded_len(&encode([7u8; 97])), Ok(97));
    }
}
