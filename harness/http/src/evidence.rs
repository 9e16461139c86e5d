//! Evidence: what the harness saw. HTTP exchanges with bounded bodies and redacted secrets, and
//! decoded artifacts. Collected per case by a cheap, cloneable recorder, which redacts everything
//! before it keeps it.

use crate::learn::{self, Found};
use crate::redact::Matcher;
use crate::secrets::{SecretMembers, Secrets, is_learnable};
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

/// A case's record of what it saw. Clones share one record. Everything it is given is redacted
/// before it is kept: the secrets it carries are learned (and registered with the run's
/// [`Secrets`]), secret members are labelled where they stand, and every secret this case has seen
/// is replaced by value, in every encoding.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// What was kept, each with how many secrets the case knew when it was redacted.
    items: Arc<Mutex<Vec<(EvidenceItem, usize)>>>,
    secrets: Secrets,
    /// The secrets this case saw or made, and their matcher (made again when they change).
    seen: Arc<Mutex<Seen>>,
    /// A recorder that keeps nothing (a reference candidate's own outbound calls).
    discard: bool,
    /// Microseconds the case waited on the candidate's word ([`Evidence::wait_on_candidate`]).
    waited_us: Arc<std::sync::atomic::AtomicU64>,
}

impl Evidence {
    /// A recorder for one case of the run whose secrets `secrets` gathers.
    pub fn new(secrets: Secrets) -> Self {
        Self { items: Arc::default(), secrets, seen: Arc::default(), discard: false, waited_us: Arc::default() }
    }

    /// A recorder that keeps nothing.
    pub fn discard() -> Self {
        Self {
            items: Arc::default(),
            secrets: Secrets::new(SecretMembers::NONE),
            seen: Arc::default(),
            discard: true,
            waited_us: Arc::default(),
        }
    }

    /// Whether it keeps what it is given (a discarding recorder needs no rendering of bodies).
    pub(crate) fn keeps(&self) -> bool {
        !self.discard
    }

    /// The run's secrets.
    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// A secret this case made or was given out of band (a private key, a transaction code): it is
    /// replaced wherever the case's evidence would show it, in every encoding.
    pub fn secret(&self, what: &str, value: &str) {
        if self.discard || !is_learnable(value) {
            return;
        }
        self.secrets.register(what, value);
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if !seen.values.iter().any(|s| s == value) {
            seen.values.push(value.to_string());
            seen.matcher = None;
        }
    }

    pub fn push(&self, item: EvidenceItem) {
        if self.discard {
            return;
        }
        let bodies = json_bodies(&item);
        let mut found = Found::new();
        learn_item(&self.secrets.members(), &item, &bodies, &mut found);
        for (what, value) in found {
            self.secret(&what, &value);
        }
        let (matcher, known) = self.matcher();
        let item = sanitize(item, &matcher, bodies);
        self.lock().push((item, known));
    }

    pub fn artifact(&self, label: impl Into<String>, content: impl Into<String>) {
        self.push(EvidenceItem::Artifact { label: label.into(), content: content.into() });
    }

    pub fn note(&self, text: impl Into<String>) {
        self.push(EvidenceItem::Note { text: text.into() });
    }

    /// What the case kept, with every secret it saw replaced once more (those learned after an
    /// item was kept too).
    pub fn take(&self) -> Vec<EvidenceItem> {
        let items = std::mem::take(&mut *self.lock());
        let (matcher, known) = self.matcher();
        items
            .into_iter()
            .map(|(mut item, known_then)| {
                if known_then < known {
                    redact_known(&mut item, &matcher);
                }
                item
            })
            .collect()
    }

    /// Total time spent in HTTP exchanges so far, in milliseconds.
    /// Waits `duration` because the candidate said so (a request URI's `expires_in` to outlive, a
    /// deferred `interval` to honour): time spent waiting on the candidate, like its answers.
    pub async fn wait_on_candidate(&self, duration: std::time::Duration) {
        let started = std::time::Instant::now();
        tokio::time::sleep(duration).await;
        let waited = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.waited_us.fetch_add(waited, std::sync::atomic::Ordering::Relaxed);
    }

    /// Time spent waiting on the candidate, in ms: its HTTP exchanges and the waits it asked for.
    pub fn candidate_ms(&self) -> f64 {
        self.http_ms() + self.waited_us.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1000.0
    }

    pub fn http_ms(&self) -> f64 {
        self.lock()
            .iter()
            .map(|(i, _)| match i {
                EvidenceItem::Http(h) => h.duration_ms,
                _ => 0.0,
            })
            .sum()
    }

    /// The matcher of the secrets this case saw, and how many they are.
    fn matcher(&self) -> (Arc<Matcher>, usize) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let known = seen.values.len();
        if let Some(m) = &seen.matcher {
            return (m.clone(), known);
        }
        let secrets: Vec<&str> = seen.values.iter().map(String::as_str).collect();
        let matcher = Arc::new(self.secrets.matcher_for(&secrets));
        seen.matcher = Some(matcher.clone());
        (matcher, known)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(EvidenceItem, usize)>> {
        self.items.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Default)]
struct Seen {
    values: Vec<String>,
    matcher: Option<Arc<Matcher>>,
}

impl std::fmt::Debug for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the values.
        write!(f, "Seen({})", self.values.len())
    }
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// The bodies of an item that are JSON ([`learn::json_body`]), read once for learning their secrets
/// and redacting them: an exchange's request and response bodies, or an artifact's content.
type JsonBodies = [Option<(serde_json::Value, bool)>; 2];

fn json_bodies(item: &EvidenceItem) -> JsonBodies {
    match item {
        EvidenceItem::Http(x) => [
            x.request_body.as_deref().and_then(|b| learn::json_body(b, header(&x.request_headers, "content-type"))),
            x.response_body.as_deref().and_then(|b| learn::json_body(b, header(&x.response_headers, "content-type"))),
        ],
        EvidenceItem::Artifact { content, .. } => [learn::json_body(content, None), None],
        EvidenceItem::Note { .. } => [None, None],
    }
}

/// The secrets of a body, from its JSON when [`json_bodies`] read it.
fn learn_body(
    members: &SecretMembers,
    body: &str,
    json: &Option<(serde_json::Value, bool)>,
    content_type: Option<&str>,
    found: &mut Found,
) {
    match json {
        Some((value, _)) => learn::in_json_body(members, value, found),
        None => learn::in_body(members, body, content_type, found),
    }
}

/// A body redacted, from its JSON when [`json_bodies`] read it and nothing but JSON whitespace
/// surrounds it.
fn redact_body(m: &Matcher, body: &str, json: Option<(serde_json::Value, bool)>, content_type: Option<&str>) -> String {
    match json {
        Some((value, true)) => m.redact_json(value),
        _ => m.redact_body(body, content_type),
    }
}

/// The secrets an item carries, before anything of it is kept.
fn learn_item(members: &SecretMembers, item: &EvidenceItem, bodies: &JsonBodies, found: &mut Found) {
    match item {
        EvidenceItem::Http(x) => {
            learn::in_text(members, &x.url, 0, found);
            for (name, value) in &x.request_headers {
                if name.eq_ignore_ascii_case("authorization") {
                    learn::in_authorization(value, found);
                }
            }
            // A redirect may carry a code in its query.
            if let Some(location) = header(&x.response_headers, "location") {
                learn::in_text(members, location, 0, found);
            }
            if let Some(body) = &x.request_body {
                learn_body(members, body, &bodies[0], header(&x.request_headers, "content-type"), found);
            }
            if let Some(body) = &x.response_body {
                learn_body(members, body, &bodies[1], header(&x.response_headers, "content-type"), found);
            }
        }
        EvidenceItem::Artifact { content, .. } => match &bodies[0] {
            Some((value, _)) => learn::in_json_body(members, value, found),
            None => learn::in_text(members, content, 0, found),
        },
        EvidenceItem::Note { text } => learn::in_text(members, text, 0, found),
    }
}

/// An item as a report keeps it: secret members labelled where they stand, known secrets replaced
/// by value, bodies bounded.
fn sanitize(item: EvidenceItem, m: &Matcher, bodies: JsonBodies) -> EvidenceItem {
    let [first, second] = bodies;
    match item {
        EvidenceItem::Http(mut x) => {
            let request_type = header(&x.request_headers, "content-type").map(str::to_string);
            let response_type = header(&x.response_headers, "content-type").map(str::to_string);
            x.url = m.redact_url(&x.url);
            for (name, value) in x.request_headers.iter_mut() {
                *value = if name.eq_ignore_ascii_case("authorization") {
                    m.redact_authorization(value)
                } else {
                    m.redact(value)
                };
            }
            for (_, value) in x.response_headers.iter_mut() {
                *value = m.redact(value);
            }
            x.request_body = x.request_body.map(|b| bound_text(&redact_body(m, &b, first, request_type.as_deref())));
            x.response_body =
                x.response_body.map(|b| bound_text(&redact_body(m, &b, second, response_type.as_deref())));
            x.error = x.error.map(|e| m.redact(&e));
            EvidenceItem::Http(x)
        }
        EvidenceItem::Artifact { label, content } => {
            let content = bound_text(&redact_body(m, &content, first, None));
            EvidenceItem::Artifact { label: m.redact(&label), content }
        }
        EvidenceItem::Note { text } => EvidenceItem::Note { text: bound_text(&m.redact(&text)) },
    }
}

/// Every text of an item with the matcher's secrets replaced by value.
pub(crate) fn redact_known(item: &mut EvidenceItem, m: &Matcher) {
    let redact = |s: &mut String| *s = m.redact(s);
    match item {
        EvidenceItem::Http(x) => {
            redact(&mut x.url);
            x.request_headers.iter_mut().chain(x.response_headers.iter_mut()).for_each(|(_, v)| redact(v));
            x.request_body.iter_mut().chain(x.response_body.iter_mut()).chain(x.error.iter_mut()).for_each(redact);
        }
        EvidenceItem::Artifact { label, content } => {
            redact(label);
            redact(content);
        }
        EvidenceItem::Note { text } => redact(text),
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

#[cfg(test)]
mod tests {
    use super::*;

    const MEMBERS: SecretMembers = SecretMembers {
        anywhere: &["pre-authorized_code", "tx_code", "access_token"],
        in_forms: &["code"],
        in_keys: &["d"],
    };

    fn exchange(url: &str, request: Option<(&str, &str)>, response: &str) -> EvidenceItem {
        EvidenceItem::Http(HttpExchange {
            method: "POST".into(),
            url: url.into(),
            request_headers: request
                .map(|(ct, _)| vec![("Content-Type".to_string(), ct.to_string())])
                .unwrap_or_default(),
            request_body: request.map(|(_, b)| b.to_string()),
            status: Some(200),
            response_headers: vec![("content-type".into(), "application/json".into())],
            response_body: Some(response.into()),
            response_bytes: response.len(),
            error: None,
            duration_ms: 1.0,
        })
    }

    #[test]
    fn a_secret_is_redacted_in_every_item_of_the_case_whatever_carries_it() {
        let evidence = Evidence::new(Secrets::new(MEMBERS));
        // A note made before the secret was seen.
        evidence.note("the wallet will be given the code 7QFp2yq0zZ1aLr9xWm4KbT");
        // An offer by value inside a URL inside JSON: the code only percent-encoded.
        let offer = r#"{"grants":{"g":{"pre-authorized_code":"7QFp2yq0zZ1aLr9xWm4KbT"}}}"#;
        let uri = format!(
            "openid-credential-offer://?credential_offer={}",
            form_urlencoded::byte_serialize(offer.as_bytes()).collect::<String>()
        );
        evidence.push(exchange(
            "https://i.example/control/offers",
            None,
            &serde_json::json!({"credential_offer_uri": uri, "tx_code": "493817"}).to_string(),
        ));
        evidence.push(exchange(
            "https://i.example/token",
            Some((
                "application/x-www-form-urlencoded",
                "grant_type=g&pre-authorized_code=7QFp2yq0zZ1aLr9xWm4KbT&tx_code=493817",
            )),
            r#"{"access_token":"at-5be0c7a2e1f94d6b","token_type":"Bearer"}"#,
        ));
        evidence.push(exchange("https://i.example/credential?access_token=at-5be0c7a2e1f94d6b", None, "{}"));
        let kept = serde_json::to_string(&evidence.take()).unwrap();
        for secret in ["7QFp2yq0zZ1aLr9xWm4KbT", "493817", "at-5be0c7a2e1f94d6b"] {
            assert!(!kept.contains(secret), "{secret} in {kept}");
        }
        let label = evidence.secrets().label("7QFp2yq0zZ1aLr9xWm4KbT");
        assert_eq!(kept.matches(&label).count(), 3, "{kept}");
        let mut known: Vec<String> = evidence.secrets().values().into_iter().map(|(_, v)| v).collect();
        known.sort();
        assert_eq!(known, ["493817", "7QFp2yq0zZ1aLr9xWm4KbT", "at-5be0c7a2e1f94d6b"]);
    }

    #[test]
    fn bodies_are_bounded_and_non_utf8_is_described() {
        let big = "é".repeat(MAX_EVIDENCE_BODY);
        assert!(bound_text(&big).len() < MAX_EVIDENCE_BODY + 100);
        assert!(bound_bytes(&[0xff, 0xfe, 0x00]).starts_with("<3 bytes, not UTF-8"));
    }
}
