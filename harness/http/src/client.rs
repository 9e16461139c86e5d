//! HTTP to candidates: every request has a timeout, every body a size bound, no redirect is followed,
//! and every exchange lands in the case's evidence, which redacts secrets before it keeps anything.

use crate::evidence::{Evidence, EvidenceItem, HttpExchange, bound_bytes};
use crate::transport::{Attempt, Failure, HttpError, Phase, Transport};
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
    transport: Transport,
    limits: HttpLimits,
    evidence: Evidence,
}

#[derive(Clone, Copy)]
pub enum Body<'a> {
    None,
    Form(&'a [(&'a str, &'a str)]),
    Json(&'a serde_json::Value),
    /// Bytes sent as they are, with the caller's own Content-Type header (malformed-input cases).
    Raw(&'a [u8]),
}

/// One request, as sent (and sent again, once, on a fresh connection if need be).
struct Request<'r> {
    method: reqwest::Method,
    url: &'r str,
    headers: Vec<(String, String)>,
    payload: Option<Vec<u8>>,
}

impl HttpClient {
    pub fn new(transport: Transport, limits: HttpLimits, evidence: Evidence) -> Self {
        Self { transport, limits, evidence }
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

    /// Sends a request and records the exchange. A request that met a connection closed before
    /// any byte of an answer (as a pooled connection the server had closed does) is sent once more
    /// on a fresh connection; both attempts are in the evidence.
    pub async fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Body<'_>,
    ) -> Result<HttpResponse, HttpError> {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|e| HttpError::Other { url: url.into(), detail: e.to_string() })?;
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
        let request = Request { method, url, headers: request_headers, payload };
        match self.attempt(self.transport.pooled(), &request, Attempt::First).await {
            Err(failure) if failure.retry => {
                self.attempt(self.transport.fresh(), &request, Attempt::Retry).await.map_err(|f| f.error)
            }
            other => other.map_err(|f| f.error),
        }
    }

    /// One attempt, recorded in the evidence as it happened (the recorder redacts before it keeps).
    async fn attempt(
        &self,
        client: &reqwest::Client,
        request: &Request<'_>,
        attempt: Attempt,
    ) -> Result<HttpResponse, Failure> {
        let started = Instant::now();
        let mut exchange = HttpExchange {
            method: request.method.to_string(),
            url: request.url.into(),
            request_headers: request.headers.clone(),
            request_body: request.payload.as_deref().filter(|_| self.evidence.keeps()).map(raw_text),
            status: None,
            response_headers: Vec::new(),
            response_body: None,
            response_bytes: 0,
            error: None,
            duration_ms: 0.0,
        };
        let result = self.exchange(client, request, attempt, &mut exchange).await;
        exchange.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        if let Err(failure) = &result {
            exchange.error = Some(if failure.retry {
                format!("{}; sent once more on a fresh connection", failure.error)
            } else {
                failure.error.to_string()
            });
        }
        self.evidence.push(EvidenceItem::Http(exchange));
        result
    }

    async fn exchange(
        &self,
        client: &reqwest::Client,
        request: &Request<'_>,
        attempt: Attempt,
        exchange: &mut HttpExchange,
    ) -> Result<HttpResponse, Failure> {
        let url = request.url;
        let mut builder = client.request(request.method.clone(), url);
        for (k, v) in &request.headers {
            builder = builder.header(k, v);
        }
        // The selftest's reference run: the case this request is for (never in the evidence).
        if let Some(case) = crate::case_tag::current() {
            builder = builder.header(crate::case_tag::HEADER, case.as_ref());
        }
        if let Some(payload) = &request.payload {
            builder = builder.body(payload.clone());
        }
        let timeout_ms = self.limits.timeout.as_millis();
        let keeps = self.evidence.keeps();
        let work = async {
            let mut response =
                builder.send().await.map_err(|e| Failure::of(&e, url, timeout_ms, Phase::Head, attempt))?;
            let status = response.status().as_u16();
            let headers: Vec<(String, String)> = response
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect();
            exchange.status = Some(status);
            exchange.response_headers = headers.clone();
            let announced = response.content_length();
            let mut body = Vec::new();
            loop {
                let chunk = match response.chunk().await {
                    Ok(Some(chunk)) => chunk,
                    Ok(None) => break,
                    Err(e) => {
                        exchange.response_bytes = body.len();
                        exchange.response_body = keeps.then(|| raw_text(&body));
                        let phase = Phase::Body { received: body.len(), announced };
                        return Err(Failure::of(&e, url, timeout_ms, phase, attempt));
                    }
                };
                if body.len() + chunk.len() > self.limits.max_body_bytes {
                    exchange.response_bytes = body.len() + chunk.len();
                    exchange.response_body =
                        keeps.then(|| format!("{}…<stopped reading past the bound>", raw_text(&body)));
                    let error = HttpError::TooLarge { url: url.into(), limit: self.limits.max_body_bytes };
                    return Err(Failure { error, retry: false });
                }
                body.extend_from_slice(&chunk);
            }
            exchange.response_bytes = body.len();
            exchange.response_body = keeps.then(|| raw_text(&body));
            Ok(HttpResponse { status, headers, body })
        };
        // reqwest's own timeout covers the whole exchange; this outer one also bounds body reading.
        match tokio::time::timeout(self.limits.timeout + Duration::from_millis(50), work).await {
            Ok(result) => result,
            Err(_) => Err(Failure { error: HttpError::Timeout { url: url.into(), ms: timeout_ms }, retry: false }),
        }
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
