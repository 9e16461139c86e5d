//! Evidence: what the harness saw. HTTP exchanges with bounded bodies and redacted secrets, and
//! decoded artifacts. Collected per case by a cheap, cloneable recorder.

use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

/// Largest body kept in a report, per exchange; the rest is cut with a note.
pub(crate) const MAX_EVIDENCE_BODY: usize = 16 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvidenceItem {
    Http(HttpExchange),
    Artifact { label: String, content: String },
    Note { text: String },
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HttpExchange {
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    /// `None` when no response arrived (connection refused, timeout): see `error`.
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<String>,
    pub response_bytes: usize,
    pub error: Option<String>,
    pub duration_ms: f64,
}

/// A case's record of what it saw. Clones share one record.
#[derive(Debug, Clone)]
pub struct Evidence {
    items: Arc<Mutex<Vec<EvidenceItem>>>,
    /// Form parameters and JSON members whose values are secrets (the protocols say which).
    secret_fields: &'static [&'static str],
    /// A recorder that keeps nothing (a reference candidate's own outbound calls).
    discard: bool,
}

impl Evidence {
    /// A recorder that redacts the values of `secret_fields` wherever they appear.
    pub fn new(secret_fields: &'static [&'static str]) -> Self {
        Self { items: Arc::default(), secret_fields, discard: false }
    }

    /// A recorder that keeps nothing.
    pub fn discard() -> Self {
        Self { items: Arc::default(), secret_fields: &[], discard: true }
    }

    /// Whether it keeps what it is given (a discarding recorder needs no rendering of bodies).
    pub(crate) fn keeps(&self) -> bool {
        !self.discard
    }

    pub(crate) fn secret_fields(&self) -> &'static [&'static str] {
        self.secret_fields
    }

    pub fn push(&self, item: EvidenceItem) {
        if !self.discard {
            self.lock().push(item);
        }
    }

    pub fn artifact(&self, label: impl Into<String>, content: impl Into<String>) {
        self.push(EvidenceItem::Artifact { label: label.into(), content: bound_text(&content.into()) });
    }

    pub fn note(&self, text: impl Into<String>) {
        self.push(EvidenceItem::Note { text: text.into() });
    }

    pub fn take(&self) -> Vec<EvidenceItem> {
        std::mem::take(&mut *self.lock())
    }

    /// Total time spent in HTTP exchanges so far, in milliseconds.
    pub fn http_ms(&self) -> f64 {
        self.lock()
            .iter()
            .map(|i| match i {
                EvidenceItem::Http(h) => h.duration_ms,
                _ => 0.0,
            })
            .sum()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<EvidenceItem>> {
        self.items.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Renders candidate bytes for a report: UTF-8 text cut at [`MAX_EVIDENCE_BODY`], or a note with a
/// hex prefix when the bytes are not UTF-8.
pub(crate) fn bound_bytes(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => bound_text(text),
        Err(e) => {
            let prefix: String = bytes.iter().take(64).map(|b| format!("{b:02x}")).collect();
            format!("<{} bytes, not UTF-8 ({e}); first bytes in hex: {prefix}>", bytes.len())
        }
    }
}

pub fn bound_text(text: &str) -> String {
    if text.len() <= MAX_EVIDENCE_BODY {
        return text.to_string();
    }
    let mut cut = MAX_EVIDENCE_BODY;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…<cut: {} of {} bytes shown>", &text[..cut], cut, text.len())
}

/// Replaces a secret with a stable, non-reversible label so exchanges can still be correlated.
pub(crate) fn redact(secret: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    secret.hash(&mut h);
    format!("‹redacted {} chars #{:08x}›", secret.chars().count(), h.finish() as u32)
}

/// Redacts the `secret_fields` of a JSON text (top level and nested), or of a form.
pub(crate) fn redact_body(body: &str, content_type: Option<&str>, secret_fields: &[&str]) -> String {
    let is_form = content_type.is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        return body
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) if secret_fields.contains(&k) => format!("{k}={}", redact(v)),
                _ => pair.to_string(),
            })
            .collect::<Vec<_>>()
            .join("&");
    }
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(mut value) if value.is_object() || value.is_array() => {
            redact_json(&mut value, secret_fields, 0);
            value.to_string()
        }
        _ => body.to_string(),
    }
}

fn redact_json(value: &mut serde_json::Value, secret_fields: &[&str], depth: usize) {
    if depth > 32 {
        return;
    }
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if secret_fields.contains(&k.as_str())
                    && let Some(s) = v.as_str()
                {
                    *v = serde_json::Value::String(redact(s));
                    continue;
                }
                redact_json(v, secret_fields, depth + 1);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| redact_json(v, secret_fields, depth + 1)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_in_forms_and_json() {
        const FIELDS: &[&str] = &["pre-authorized_code", "tx_code", "access_token"];
        let form = redact_body(
            "grant_type=x&pre-authorized_code=SECRET&tx_code=1234",
            Some("application/x-www-form-urlencoded"),
            FIELDS,
        );
        assert!(!form.contains("SECRET") && !form.contains("1234") && form.contains("grant_type=x"));
        let json = redact_body(
            r#"{"access_token":"TOKEN","token_type":"Bearer","grants":{"g":{"pre-authorized_code":"C"}}}"#,
            None,
            FIELDS,
        );
        assert!(!json.contains("TOKEN") && !json.contains("\"C\"") && json.contains("Bearer"));
    }

    #[test]
    fn bodies_are_bounded_and_non_utf8_is_described() {
        let big = "é".repeat(MAX_EVIDENCE_BODY);
        assert!(bound_text(&big).len() < MAX_EVIDENCE_BODY + 100);
        assert!(bound_bytes(&[0xff, 0xfe, 0x00]).starts_with("<3 bytes, not UTF-8"));
    }
}
