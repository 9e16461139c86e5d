//! What a health-card artifact holds, by form: `shc:/` QR payloads (text, or QR codes in PNG, JPEG
//! or SVG images), a `.smart-health-card` file, a `$health-cards-issue` response (a FHIR `Parameters`), or
//! a bare JWS. A form dialtone recognizes but does not read (another image format, an image in
//! which no QR code is found, a SMART Health Link) makes the artifact `unsupported`, with the reason.

use crate::qr_image::{self, ImageError, ScannedQr};
use crate::{Artifact, Context, Findings, table as rules};
use dialtone_engine::model::Outcome;
use dialtone_protocols::shc::{self, QrChunk};
use serde_json::Value;

/// How the JWS arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    Qr,
    File,
    Parameters,
    Jws,
}

/// What an artifact holds: its form, its JWS strings, the chunks they came from (QR form) and the
/// QR codes scanned from its images.
pub(super) struct Held {
    pub(super) form: Form,
    pub(super) jws: Vec<String>,
    pub(super) chunks: Vec<QrChunk>,
    pub(super) scanned: Vec<ScannedQr>,
}

impl Held {
    fn of(form: Form, jws: Vec<String>) -> Self {
        Self { form, jws, chunks: Vec::new(), scanned: Vec::new() }
    }
}

/// What the artifact holds; `None` when it holds nothing that can be judged (a rule failed, or
/// the artifact is unsupported).
pub(super) fn collect(artifact: &Artifact, ctx: &Context, f: &mut Findings) -> Option<Held> {
    let mut qr_texts = Vec::new();
    let mut scanned = Vec::new();
    let mut json_text = None;
    for part in &artifact.parts {
        if let Some(kind) = qr_image::sniff(part) {
            match ctx.qr_images.decode(part) {
                Ok(codes) => {
                    qr_texts.extend(codes.iter().map(|c| c.text.clone()));
                    scanned.extend(codes);
                }
                Err(ImageError::Unreadable(why)) => {
                    f.unsupported(why);
                    return None;
                }
                Err(ImageError::Refused(why)) => {
                    f.set(
                        &rules::SHC_001,
                        Outcome::fail(format!("a {} image holding shc:/ QR codes", kind.name()), why),
                    );
                    return None;
                }
            }
            continue;
        }
        let text = String::from_utf8_lossy(part);
        let trimmed = text.trim();
        if trimmed.starts_with("shc:/") {
            qr_texts.extend(trimmed.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string));
        } else if is_smart_health_link(trimmed) {
            f.unsupported(
                "a SMART Health Link (shlink:/): dialtone does not fetch and decrypt the manifest it points to; give \
                 the health cards it leads to",
            );
            return None;
        } else if trimmed.starts_with('{') {
            json_text = Some(trimmed.to_string());
        } else {
            f.artifact("JWS (as received)", trimmed);
            return Some(Held::of(Form::Jws, vec![trimmed.to_string()]));
        }
    }
    if let Some(text) = json_text {
        return container(&text, f);
    }
    let mut held = qr_payloads(qr_texts, f)?;
    held.scanned = scanned;
    Some(held)
}

/// Whether `text` is a SMART Health Link: `shlink:/…`, or a viewer URL ending in `#shlink:/…`.
pub(crate) fn is_smart_health_link(text: &str) -> bool {
    text.starts_with("shlink:/") || (text.starts_with("https://") && text.contains("#shlink:/"))
}

/// A `.smart-health-card` file or a `$health-cards-issue` response (SHC-003).
fn container(text: &str, f: &mut Findings) -> Option<Held> {
    let value: Option<Value> = serde_json::from_str(text).ok();
    if let Some(value) = value.filter(|v| v.get("resourceType").is_some()) {
        f.artifact("$health-cards-issue response (FHIR Parameters)", text);
        return match shc::parse_parameters(&value) {
            Ok(list) if list.is_empty() => {
                f.set(
                    &rules::SHC_003,
                    Outcome::pass("a Parameters resource without verifiableCredential (no results)"),
                );
                f.unsupported(
                    "the $health-cards-issue response holds no verifiableCredential: no health card to judge",
                );
                None
            }
            Ok(list) => {
                f.set(&rules::SHC_003, Outcome::pass(format!("{} verifiableCredential parameters", list.len())));
                Some(Held::of(Form::Parameters, list))
            }
            Err(e) => {
                f.set(
                    &rules::SHC_003,
                    Outcome::fail(
                        "{\"resourceType\": \"Parameters\", \"parameter\": [{\"name\": \"verifiableCredential\", \
                         \"valueString\": \"<JWS>\"}, …]}",
                        e.to_string(),
                    ),
                );
                None
            }
        };
    }
    f.artifact(".smart-health-card file", text);
    match shc::parse_file(text.as_bytes()) {
        Ok(list) => {
            f.set(&rules::SHC_003, Outcome::pass(format!("verifiableCredential holds {} JWS", list.len())));
            Some(Held::of(Form::File, list))
        }
        Err(e) => {
            f.set(&rules::SHC_003, Outcome::fail("{\"verifiableCredential\": [\"<JWS>\", …]}", e.to_string()));
            None
        }
    }
}

/// `shc:/` payloads (SHC-001), assembled when chunked (SHC-002).
fn qr_payloads(qr_texts: Vec<String>, f: &mut Findings) -> Option<Held> {
    f.artifact("QR payloads", &qr_texts.join("\n"));
    let mut chunks = Vec::new();
    for (i, text) in qr_texts.iter().enumerate() {
        match shc::decode_qr(text) {
            Ok(c) => chunks.push(c),
            Err(e) => {
                f.set(
                    &rules::SHC_001,
                    Outcome::fail("shc:/[C/N/] followed by digit pairs 00..77", format!("QR {}: {e}", i + 1)),
                );
                return None;
            }
        }
    }
    if chunks.is_empty() {
        f.set(&rules::SHC_001, Outcome::fail("at least one shc:/ QR payload", "none"));
        return None;
    }
    f.set(&rules::SHC_001, Outcome::pass(format!("{} QR payloads decode", chunks.len())));
    // Several single QR codes are several cards; chunks of one card assemble.
    let jws_list = if chunks.iter().all(|c| c.total == 1) {
        f.set(&rules::SHC_002, Outcome::skip("no chunked QR payloads"));
        chunks.iter().map(|c| c.jws_part.clone()).collect()
    } else {
        match shc::assemble(&chunks) {
            Ok(jws) => {
                f.set(&rules::SHC_002, Outcome::pass(format!("{} chunks assemble", chunks.len())));
                vec![jws]
            }
            Err(e) => {
                f.set(&rules::SHC_002, Outcome::fail("chunks 1..N of one card, each once", e.to_string()));
                return None;
            }
        }
    };
    Some(Held { form: Form::Qr, jws: jws_list, chunks, scanned: Vec::new() })
}
