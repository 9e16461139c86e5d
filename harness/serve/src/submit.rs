//! `dialtone submit BUNDLE --to URL`: sends a signed bundle to a review service, which verifies it
//! on arrival, and says what it answered.

use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// Verified and recorded: where to see it, and the run's verdict.
    Accepted { url: String, verdict: String },
    /// Received before.
    AlreadySubmitted { url: String },
    /// Refused: why, and the bundled file at fault.
    Refused { reason: String, file: Option<String> },
}

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("{path}: {detail}")]
    Bundle { path: PathBuf, detail: String },
    #[error("{0} is not the URL of a review service (http:// or https://)")]
    Url(String),
    #[error("cannot reach the review service at {url}: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("the review service refused the token (HTTP 401): make one on its Account page")]
    Unauthorized,
    #[error("the review service answered HTTP {status}: {detail}")]
    Answer { status: u16, detail: String },
}

/// Reads a bundle: the archive, or a folder it was unpacked to (packed again).
fn read_bundle(path: &Path) -> Result<Vec<u8>, SubmitError> {
    let limits = dialtone_bundle::Limits::default();
    let err = |detail: String| SubmitError::Bundle { path: path.to_path_buf(), detail };
    if path.is_dir() {
        let files = dialtone_bundle::read_dir(path, &limits).map_err(|e| err(e.to_string()))?;
        return dialtone_bundle::pack(&files).map_err(|e| err(e.to_string()));
    }
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limits.archive_bytes + 1).read_to_end(&mut bytes))
        .map_err(|e| err(format!("cannot read it: {e}")))?;
    if bytes.len() as u64 > limits.archive_bytes {
        return Err(err(format!("larger than a review service accepts ({} bytes)", limits.archive_bytes)));
    }
    Ok(bytes)
}

fn client(ca_pem: Option<&[u8]>) -> Result<reqwest::Client, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = ca_pem {
        for der in rustls::pki_types::pem::PemObject::pem_slice_iter(pem) {
            let der: rustls::pki_types::CertificateDer<'static> = der.map_err(|e| format!("the CA file: {e}"))?;
            roots.add(der).map_err(|e| format!("the CA file: {e}"))?;
        }
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
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(300))
        .user_agent(concat!("dialtone/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// Sends `bundle` to the service at `to` with an API token; `ca_pem` adds a private authority
/// for an https service.
pub async fn submit(bundle: &Path, to: &str, token: &str, ca_pem: Option<&[u8]>) -> Result<SubmitOutcome, SubmitError> {
    let base = to.trim_end_matches('/');
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return Err(SubmitError::Url(to.to_string()));
    }
    let bytes = read_bundle(bundle)?;
    let unreachable = |detail: String| SubmitError::Unreachable { url: base.to_string(), detail };
    let client = client(ca_pem).map_err(&unreachable)?;
    let response = client
        .post(format!("{base}/api/submissions"))
        .bearer_auth(token.trim())
        .header(reqwest::header::CONTENT_TYPE, "application/gzip")
        .body(bytes)
        .send()
        .await
        .map_err(|e| unreachable(error_chain(&e)))?;
    let status = response.status().as_u16();
    let body = read_answer(response).await;
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    let text = |key: &str| json.get(key).and_then(|v| v.as_str()).map(str::to_string);
    let at = |path: Option<String>| format!("{base}{}", path.unwrap_or_default());
    match status {
        201 => Ok(SubmitOutcome::Accepted { url: at(text("path")), verdict: text("verdict").unwrap_or_default() }),
        409 => Ok(SubmitOutcome::AlreadySubmitted { url: at(text("path")) }),
        422 => {
            Ok(SubmitOutcome::Refused { reason: text("error").unwrap_or_else(|| "refused".into()), file: text("file") })
        }
        401 => Err(SubmitError::Unauthorized),
        _ => Err(SubmitError::Answer {
            status,
            detail: text("error").unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(300).collect()),
        }),
    }
}

/// At most 64 KiB of an answer.
async fn read_answer(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() > 64 << 10 {
            body.truncate(64 << 10);
            break;
        }
    }
    body
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
