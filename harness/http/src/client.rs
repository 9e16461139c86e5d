//! HTTP to candidates: every request has a timeout, every body a size bound, no redirect is followed,
//! and every exchange lands in the case's evidence, which redacts secrets before it keeps anything.

use crate::evidence::{Evidence, EvidenceItem, HttpExchange, bound_bytes};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    pub timeout: Duration,
    pub max_body_bytes: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self { timeout: Duration::from_secs(10), max_body_bytes: 1024 * 1024 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("could not connect to {url}: {detail}")]
    Connect { url: String, detail: String },
    #[error("no complete answer from {url} within {ms} ms")]
    Timeout { url: String, ms: u128 },
    #[error("response body from {url} exceeds the {limit}-byte bound")]
    TooLarge { url: String, limit: usize },
    #[error("HTTP failure talking to {url}: {detail}")]
    Other { url: String, detail: String },
}

impl HttpError {
    /// Whether the candidate is to blame (a verdict of `fail`), rather than the environment (`error`).
    pub fn is_candidate_fault(&self) -> bool {
        matches!(self, Self::TooLarge { .. })
    }
}

#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// First header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The media type of `Content-Type`, lower-cased, without parameters.
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
    }

    /// The body as text for observations: lossy UTF-8, at most 300 characters.
    pub fn body_text_lossy(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let mut out: String = text.chars().take(300).collect();
        if text.chars().count() > 300 {
            out.push('…');
        }
        out
    }

    /// The body as a JSON value, or a message saying why it is not one.
    pub fn json(&self) -> Result<serde_json::Value, String> {
        let text = std::str::from_utf8(&self.body).map_err(|e| format!("body is not UTF-8: {e}"))?;
        serde_json::from_str(text).map_err(|e| format!("body is not JSON: {e}"))
    }

    /// The body as a JSON object, or a message saying why it is not one.
    pub fn json_object(&self) -> Result<serde_json::Map<String, serde_json::Value>, String> {
        match self.json()? {
            serde_json::Value::Object(map) => Ok(map),
            other => Err(format!("body is JSON {} rather than an object", json_kind(&other))),
        }
    }

    /// Whether `Cache-Control` includes `no-store` (RFC 9111 §5.2.2.5).
    pub fn no_store(&self) -> bool {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("cache-control"))
            .any(|(_, v)| v.split(',').any(|d| d.trim().eq_ignore_ascii_case("no-store")))
    }
}

/// A client bound to one case's evidence.
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    limits: HttpLimits,
    evidence: Evidence,
}

/// The client for one run. It trusts the public web PKI (Mozilla's roots, compiled in) and the
/// extra authorities given (DER): a candidate's private CA, or the run's own for the references.
pub fn build_client(limits: HttpLimits, extra_roots: &[Vec<u8>]) -> Result<reqwest::Client, String> {
    use rustls::pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for der in extra_roots {
        roots
            .add(CertificateDer::from(der.clone()))
            .map_err(|e| format!("cannot trust the given CA certificate: {e}"))?;
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS configuration: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(limits.timeout)
        .connect_timeout(limits.timeout)
        .user_agent(concat!("dialtone/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

pub enum Body<'a> {
    None,
    Form(&'a [(&'a str, &'a str)]),
    Json(&'a serde_json::Value),
    /// Bytes sent as they are, with the caller's own Content-Type header (malformed-input cases).
    Raw(&'a [u8]),
}

impl HttpClient {
    pub fn new(client: reqwest::Client, limits: HttpLimits, evidence: Evidence) -> Self {
        Self { client, limits, evidence }
    }

    pub fn limits(&self) -> HttpLimits {
        self.limits
    }

    pub async fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<HttpResponse, HttpError> {
        self.send("GET", url, headers, Body::None).await
    }

    pub async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Result<HttpResponse, HttpError> {
        self.send("POST", url, headers, Body::Form(form)).await
    }

    pub async fn post_json(
        &self,
        url: &str,
        body: &serde_json::Value,
        headers: &[(&str, &str)],
    ) -> Result<HttpResponse, HttpError> {
        self.send("POST", url, headers, Body::Json(body)).await
    }

    pub async fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Body<'_>,
    ) -> Result<HttpResponse, HttpError> {
        let started = Instant::now();
        let mut request_headers: Vec<(String, String)> =
            headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let (content_type, payload): (Option<&str>, Option<Vec<u8>>) = match body {
            Body::None => (None, None),
            Body::Form(form) => (Some("application/x-www-form-urlencoded"), Some(form_urlencode(form).into_bytes())),
            Body::Json(value) => (Some("application/json"), Some(value.to_string().into_bytes())),
            // Sent byte for byte: malformed-input cases depend on it.
            Body::Raw(bytes) => (None, Some(bytes.to_vec())),
        };
        if let Some(ct) = content_type {
            request_headers.push(("Content-Type".into(), ct.into()));
        }
        // Recorded as it happened: the evidence recorder redacts before it keeps.
        let mut exchange = HttpExchange {
            method: method.into(),
            url: url.into(),
            request_headers: request_headers.clone(),
            request_body: payload.as_deref().filter(|_| self.evidence.keeps()).map(raw_text),
            status: None,
            response_headers: Vec::new(),
            response_body: None,
            response_bytes: 0,
            error: None,
            duration_ms: 0.0,
        };
        let result = self.exchange(method, url, &request_headers, payload, &mut exchange).await;
        exchange.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        if let Err(e) = &result {
            exchange.error = Some(e.to_string());
        }
        self.evidence.push(EvidenceItem::Http(exchange));
        result
    }

    async fn exchange(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        payload: Option<Vec<u8>>,
        exchange: &mut HttpExchange,
    ) -> Result<HttpResponse, HttpError> {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|e| HttpError::Other { url: url.into(), detail: e.to_string() })?;
        let mut builder = self.client.request(method, url);
        for (k, v) in headers {
            builder = builder.header(k, v);
        }
        if let Some(payload) = payload {
            builder = builder.body(payload);
        }
        let timeout_ms = self.limits.timeout.as_millis();
        let map_err = |e: reqwest::Error| {
            if e.is_timeout() {
                HttpError::Timeout { url: url.into(), ms: timeout_ms }
            } else if e.is_connect() {
                HttpError::Connect { url: url.into(), detail: source_chain(&e) }
            } else {
                HttpError::Other { url: url.into(), detail: source_chain(&e) }
            }
        };
        let work = async {
            let mut response = builder.send().await.map_err(map_err)?;
            let status = response.status().as_u16();
            let headers: Vec<(String, String)> = response
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect();
            exchange.status = Some(status);
            exchange.response_headers = headers.clone();
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(map_err)? {
                if body.len() + chunk.len() > self.limits.max_body_bytes {
                    exchange.response_bytes = body.len() + chunk.len();
                    exchange.response_body = Some(format!("{}…<stopped reading past the bound>", raw_text(&body)));
                    return Err(HttpError::TooLarge { url: url.into(), limit: self.limits.max_body_bytes });
                }
                body.extend_from_slice(&chunk);
            }
            exchange.response_bytes = body.len();
            if self.evidence.keeps() {
                exchange.response_body = Some(raw_text(&body));
            }
            Ok(HttpResponse { status, headers, body })
        };
        // reqwest's own timeout covers the whole exchange; this outer one also bounds body reading.
        match tokio::time::timeout(self.limits.timeout + std::time::Duration::from_millis(50), work).await {
            Ok(result) => result,
            Err(_) => Err(HttpError::Timeout { url: url.into(), ms: timeout_ms }),
        }
    }
}

/// The JSON type of a value, for messages.
fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// A body as the evidence recorder takes it: the whole text (it redacts, then bounds), or a
/// description of bytes that are not UTF-8.
fn raw_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => bound_bytes(bytes),
    }
}

fn source_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// `application/x-www-form-urlencoded` serialization (WHATWG URL §5.2).
pub(crate) fn form_urlencode(pairs: &[(&str, &str)]) -> String {
    fn encode(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => out.push(b as char),
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    }
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}
