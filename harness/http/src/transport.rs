//! The connections to candidates, and what a failure of one means: whose fault it is.
//!
//! | what happened | [`HttpError`] | whose fault |
//! |---|---|---|
//! | nothing accepts the connection (refused, no route, a name that does not resolve) | `Unreachable` | the candidate: `fail` — a run starts only once something answers at each URL of the manifest (`reachable`), so later it stopped, or names an endpoint where nothing listens |
//! | no complete answer within the request timeout | `Timeout` | the candidate |
//! | a body past the size bound | `TooLarge` | the candidate |
//! | TLS fails: plain HTTP on an https URL, a certificate expired, for another name, by an authority not trusted | `Tls` | the candidate |
//! | the connection closes after the request, before a complete answer (twice: once more on a fresh connection) | `Closed` | the candidate |
//! | the answer is not HTTP, or its head is past the bound (10,000 header fields) | `Malformed` | the candidate |
//! | a request that cannot be formed from what the candidate gave (a URL that is not http(s), a token with a line break) | `BadUrl` | the candidate |
//! | anything else (no local port or file descriptor left, a defect) | `Other` | dialtone or its machine: `error` |

use crate::client::HttpLimits;
use std::error::Error as StdError;
use std::io::ErrorKind;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// Nothing accepted the connection.
    #[error("could not connect to {url}: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("no complete answer from {url} within {ms} ms")]
    Timeout { url: String, ms: u128 },
    #[error("response body from {url} exceeds the {limit}-byte bound")]
    TooLarge { url: String, limit: usize },
    #[error("TLS with {url} failed: {detail}")]
    Tls { url: String, detail: String },
    #[error("{url} closed the connection {detail}")]
    Closed { url: String, detail: String },
    #[error("the answer from {url} is not HTTP dialtone can read: {detail}")]
    Malformed { url: String, detail: String },
    #[error("cannot request {url}: {detail}")]
    BadUrl { url: String, detail: String },
    /// A failure of dialtone's own, or of the machine it runs on.
    #[error("HTTP failure talking to {url}: {detail}")]
    Other { url: String, detail: String },
}

impl HttpError {
    /// Whether the candidate is to blame (a verdict of `fail`), rather than dialtone or its machine
    /// (`error`): the specifications require an https answer with a valid certificate, complete and
    /// in time, at the endpoints the candidate names, and HTTP requires a well-formed one. (That
    /// nothing listens at all is found before a run, and is the tester's to fix.)
    pub fn is_candidate_fault(&self) -> bool {
        !matches!(self, Self::Other { .. })
    }

    /// What the candidate was expected to do, for a failure it is to blame for.
    pub fn requirement(&self) -> &'static str {
        match self {
            Self::Timeout { .. } => "a complete response within the request timeout",
            Self::TooLarge { .. } => "a response within the body-size bound",
            Self::Tls { .. } => {
                "TLS with a certificate valid now, for the host, from a trusted authority (the specifications \
                 require https)"
            }
            Self::Closed { .. } => "a complete HTTP response on the connection the request came on (RFC 9112)",
            Self::Malformed { .. } => "an HTTP/1.1 response (RFC 9112) whose head is within dialtone's bounds",
            Self::BadUrl { .. } => "a URL (and values) dialtone can send a request with",
            Self::Unreachable { .. } => {
                "an answer at each endpoint it names (something answered at its URLs when the run started)"
            }
            Self::Other { .. } => "an answer",
        }
    }
}

/// The HTTP clients of a run: one pooling connections, one opening a fresh connection for each
/// request (for the one retry of a request whose connection closed before any answer).
#[derive(Clone)]
pub struct Transport {
    pooled: reqwest::Client,
    fresh: reqwest::Client,
}

impl Transport {
    /// The pooling client, for callers that need reqwest itself (a test fetching a page).
    pub fn client(&self) -> &reqwest::Client {
        &self.pooled
    }

    pub(crate) fn pooled(&self) -> &reqwest::Client {
        &self.pooled
    }

    pub(crate) fn fresh(&self) -> &reqwest::Client {
        &self.fresh
    }
}

/// The clients for one run. They trust the public web PKI (Mozilla's roots, compiled in) and the
/// extra authorities given (DER): a candidate's private CA, or the run's own for the references.
pub fn build_client(limits: HttpLimits, extra_roots: &[Vec<u8>]) -> Result<Transport, String> {
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
    let build = |idle_per_host: usize| {
        reqwest::Client::builder()
            .tls_backend_preconfigured(tls.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(limits.timeout)
            .connect_timeout(limits.timeout)
            .pool_max_idle_per_host(idle_per_host)
            .user_agent(concat!("dialtone/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))
    };
    Ok(Transport { pooled: build(usize::MAX)?, fresh: build(0)? })
}

/// Whether something accepts TCP connections at an http(s) URL's host and port, within `timeout`:
/// the one question asked of a candidate before a run. The answer says why not, plainly.
pub async fn reachable(url: &str, timeout: std::time::Duration) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("{url} is not a URL: {e}"))?;
    let host = parsed.host_str().ok_or_else(|| format!("{url} names no host"))?;
    let port = parsed.port_or_known_default().ok_or_else(|| format!("{url} names no port"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let connect = tokio::net::TcpStream::connect((host, port));
    match tokio::time::timeout(timeout, connect).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) if e.kind() == ErrorKind::ConnectionRefused => Err("connection refused".into()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no connection within {} ms", timeout.as_millis())),
    }
}

/// Which attempt of a request this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attempt {
    First,
    Retry,
}

/// Where in an exchange a failure came.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Phase {
    /// Before the status line and header fields were read.
    Head,
    /// While reading the body, after the head.
    Body { received: usize, announced: Option<u64> },
}

/// A failed attempt: the error, and whether to send the request once more on a fresh connection.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) error: HttpError,
    pub(crate) retry: bool,
}

impl Failure {
    /// What a reqwest error means, in this phase of this attempt.
    pub(crate) fn of(e: &reqwest::Error, url: &str, timeout_ms: u128, phase: Phase, attempt: Attempt) -> Self {
        let url = url.to_string();
        let plain = |error| Self { error, retry: false };
        if e.is_timeout() {
            return plain(HttpError::Timeout { url, ms: timeout_ms });
        }
        if e.is_builder() {
            return plain(HttpError::BadUrl { url, detail: source_chain(e) });
        }
        if let Some(tls) = find::<rustls::Error>(e) {
            return plain(HttpError::Tls { url, detail: describe_tls(tls) });
        }
        let kinds = io_kinds(e);
        let unreachable = [ErrorKind::ConnectionRefused, ErrorKind::HostUnreachable, ErrorKind::NetworkUnreachable];
        if kinds.iter().any(|k| unreachable.contains(k)) || (e.is_connect() && source_chain(e).contains("dns error")) {
            return plain(HttpError::Unreachable { url, detail: source_chain(e) });
        }
        let hyper = find::<hyper::Error>(e);
        // hyper says "message head is too large" (its `is_parse_too_large` is a server-side API).
        if let Some(h) = hyper
            && h.is_parse()
            && h.to_string().contains("too large")
        {
            let detail = "its head is past dialtone's bound (too many or too long header fields)".to_string();
            return plain(HttpError::Malformed { url, detail });
        }
        if let Some(h) = hyper
            && (h.is_parse() || h.is_parse_status())
        {
            return plain(HttpError::Malformed { url, detail: h.to_string() });
        }
        let closed = hyper.is_some_and(|h| h.is_incomplete_message() || h.is_canceled() || h.is_closed())
            || kinds.iter().any(|k| {
                matches!(
                    k,
                    ErrorKind::ConnectionReset
                        | ErrorKind::ConnectionAborted
                        | ErrorKind::BrokenPipe
                        | ErrorKind::UnexpectedEof
                )
            });
        match (closed, phase) {
            (true, Phase::Head) => {
                let detail = match attempt {
                    Attempt::First => "after receiving the request, before any answer".to_string(),
                    Attempt::Retry => {
                        "after receiving the request, before any answer (twice: the second time on a fresh \
                         connection)"
                            .to_string()
                    }
                };
                Self { error: HttpError::Closed { url, detail }, retry: attempt == Attempt::First }
            }
            (true, Phase::Body { received, announced }) => {
                let announced =
                    announced.map(|n| format!(" of the {n} its Content-Length announced")).unwrap_or_default();
                let detail = format!("before the end of the body ({received} bytes received{announced})");
                plain(HttpError::Closed { url, detail })
            }

            (false, Phase::Body { received, .. }) if e.is_body() || e.is_decode() => plain(HttpError::Closed {
                url,
                detail: format!("with the body unreadable after {received} bytes: {}", source_chain(e)),
            }),
            (false, _) => plain(HttpError::Other { url, detail: source_chain(e) }),
        }
    }
}

/// A TLS failure as a person fixing it needs to read it.
fn describe_tls(e: &rustls::Error) -> String {
    use rustls::{CertificateError as C, Error as E, InvalidMessage};
    match e {
        E::InvalidMessage(InvalidMessage::InvalidContentType) => {
            "the candidate answered plain HTTP on an https URL (is the manifest's base URL http://?)".into()
        }
        E::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => "its certificate has expired".into(),
        E::InvalidCertificate(C::NotValidYet | C::NotValidYetContext { .. }) => {
            "its certificate is not valid yet".into()
        }
        E::InvalidCertificate(C::NotValidForName) => "its certificate is not valid for this host name".into(),
        E::InvalidCertificate(C::NotValidForNameContext { expected, presented }) => {
            format!("its certificate is not valid for {expected:?} (it names {})", presented.join(", "))
        }
        E::InvalidCertificate(C::UnknownIssuer) => {
            "its certificate is not issued by an authority dialtone trusts (self-signed, or by a private CA \
             the manifest's [tls] ca_file does not give)"
                .into()
        }
        E::InvalidCertificate(other) => format!("its certificate is not acceptable: {other:?}"),
        E::AlertReceived(alert) => format!("it ended the TLS handshake with the alert {alert:?}"),
        other => other.to_string(),
    }
}

/// The first error of type `T` in a chain, looking inside `io::Error`s too (whose `source` skips
/// the error they wrap).
fn find<'e, T: StdError + 'static>(e: &'e (dyn StdError + 'static)) -> Option<&'e T> {
    let mut current = Some(e);
    let mut steps = 0;
    while let Some(err) = current {
        steps += 1;
        if steps > 32 {
            return None;
        }
        if let Some(t) = err.downcast_ref::<T>() {
            return Some(t);
        }
        current = match err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => err.source(),
        };
    }
    None
}

/// The kinds of the `io::Error`s in a chain.
fn io_kinds(e: &(dyn StdError + 'static)) -> Vec<ErrorKind> {
    let mut kinds = Vec::new();
    let mut current = Some(e);
    while let Some(err) = current {
        if kinds.len() > 32 {
            break;
        }
        match err.downcast_ref::<std::io::Error>() {
            Some(io) => {
                kinds.push(io.kind());
                current = io.get_ref().map(|inner| inner as &(dyn StdError + 'static));
            }
            None => current = err.source(),
        }
    }
    kinds
}

pub(crate) fn source_chain(e: &(dyn StdError + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    let mut steps = 0;
    while let Some(s) = source {
        steps += 1;
        if steps > 32 {
            break;
        }
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
