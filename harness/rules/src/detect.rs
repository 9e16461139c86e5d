//! `--format auto`: recognizes a credential format from the bytes alone.

use crate::{Artifact, Format};
use dialtone_protocols::{b64, mdoc};
use serde_json::Value;

/// The format the bytes look like, or `None`.
pub fn detect(artifact: &Artifact) -> Option<Format> {
    let bytes = artifact.first();
    // An image is read for the health-card QR codes it shows (or said unsupported).
    if crate::qr_image::sniff(bytes).is_some() {
        return Some(Format::Shc);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        let text = text.trim();
        if text.starts_with("shc:/") || crate::shc::is_smart_health_link(text) {
            return Some(Format::Shc);
        }
        if text.starts_with('{') {
            let value: Value = serde_json::from_str(text).ok()?;
            if value.get("verifiableCredential").is_some_and(Value::is_array) && value.get("@context").is_none() {
                return Some(Format::Shc);
            }
            // A `$health-cards-issue` response.
            if value.get("resourceType").and_then(Value::as_str) == Some("Parameters") {
                return Some(Format::Shc);
            }
            // An unsecured VC data model document: judged as JOSE, where it fails to be secured.
            if value.get("@context").is_some() {
                return Some(Format::VcJose);
            }
            return None;
        }
        if let Some(format) = jws_format(text) {
            return Some(format);
        }
        // Base64 of CBOR: a COSE_Sign1 (VC) or an mdoc.
        let cbor = hex(text)
            .filter(|c| cbor_format(c).is_some())
            .or_else(|| b64::decode_std(text.trim_end_matches('=')).ok())
            .or_else(|| b64::decode(text.trim_end_matches('=')).ok());
        if let Some(cbor) = cbor {
            return cbor_format(&cbor);
        }
        return None;
    }
    cbor_format(bytes)
}

fn jws_format(text: &str) -> Option<Format> {
    let jwt = text.split('~').next()?;
    if jwt.split('.').count() != 3 {
        return None;
    }
    let header_b64 = jwt.split('.').next()?;
    let header: Value = serde_json::from_slice(&b64::decode(header_b64).ok()?).ok()?;
    let typ = header.get("typ").and_then(Value::as_str).unwrap_or("");
    let typ = typ.strip_prefix("application/").unwrap_or(typ);
    if header.get("zip").and_then(Value::as_str) == Some("DEF") {
        return Some(Format::Shc);
    }
    let sd = text.contains('~');
    match typ {
        "dc+sd-jwt" => Some(Format::SdJwtVc),
        "vc+sd-jwt" | "vp+sd-jwt" => {
            // Before draft 06, SD-JWT VCs used vc+sd-jwt; a vct claim tells them apart.
            let payload: Value = serde_json::from_slice(&b64::decode(jwt.split('.').nth(1)?).ok()?).ok()?;
            if payload.get("vct").is_some() { Some(Format::SdJwtVc) } else { Some(Format::VcSdJwt) }
        }
        "vc+jwt" | "vp+jwt" => Some(Format::VcJose),
        _ if sd => Some(Format::SdJwtVc),
        _ => {
            let payload: Value = serde_json::from_slice(&b64::decode(jwt.split('.').nth(1)?).ok()?).ok()?;
            if payload.get("@context").is_some() { Some(Format::VcJose) } else { None }
        }
    }
}

fn cbor_format(bytes: &[u8]) -> Option<Format> {
    match bytes.first()? {
        // tag 18 (COSE_Sign1) or a four-element array: COSE
        0xd2 | 0x84 => Some(Format::VcCose),
        // a map: IssuerSigned or DeviceResponse
        0xa0..=0xbf => {
            let value = mdoc::decode_cbor(bytes).ok()?;
            (mdoc::get(&value, "issuerAuth").is_some() || mdoc::get(&value, "documents").is_some())
                .then_some(Format::Mdoc)
        }
        _ => None,
    }
}

fn hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

/// Hex text of CBOR, as ISO/IEC 18013-5 prints its examples.
pub(crate) fn decode_hex(text: &str) -> Option<Vec<u8>> {
    hex(text.trim())
}
