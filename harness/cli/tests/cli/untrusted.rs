//! Candidates that are down or hostile: nothing panics, every exchange is bounded in size and time,
//! and the results say `fail` or `error` with evidence.

use crate::common;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use dialtone_cli::run::run_plan;
use dialtone_drivers::manifest::Manifest;
use dialtone_engine::model::{Report, Verdict};
use dialtone_engine::pctf::Catalogue;
use dialtone_http::EvidenceItem;
use dialtone_roles::server::RunningServer;
use serde_json::json;
use std::time::Duration;

fn manifest(base: &str, timeout_ms: u64) -> Manifest {
    let text = format!(
        r#"
[candidate]
name = "hostile <script>alert(1)</script>"
version = "0"
roles = ["issuer"]
[issuer]
credential_issuer = "{base}"
allow_http = true
[trigger]
kind = "control"
url = "{base}/control"
[conformance]
formats = ["dc+sd-jwt"]
features = ["pre-authorized_code", "tx_code", "nonce_endpoint", "c_nonce_single_use", "status_list"]
[limits]
request_timeout_ms = {timeout_ms}
max_body_bytes = 65536
case_deadline_ms = 5000
concurrency = 16
"#
    );
    Manifest::parse(&text, "test").unwrap()
}

async fn run_against(base: &str, timeout_ms: u64) -> Report {
    run_plan(&common::suites(), manifest(base, timeout_ms), Some(3), &[], &Catalogue::embedded(), None, None)
        .await
        .unwrap()
}

fn assert_no_panic_and_evidence(report: &Report) {
    for r in &report.results {
        assert!(!r.observed.contains("panicked"), "{}: {}", r.id, r.observed);
        if matches!(r.verdict, Verdict::Fail | Verdict::Error) {
            assert!(!r.evidence.is_empty(), "{} has no evidence", r.id);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_listening_is_one_clear_message_at_once_and_exit_code_3() {
    // Bind then drop: a loopback port where nothing listens.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let started = std::time::Instant::now();
    let result =
        run_plan(&common::suites(), manifest(&base, 10_000), Some(3), &[], &Catalogue::embedded(), None, None).await;
    let error = result.expect_err("no report: nothing was tested");
    assert_eq!(error.code, dialtone_cli::exit::HARNESS);
    assert_eq!(error.message, format!("cannot reach the candidate at {base}: connection refused — is it running?"));
    assert!(started.elapsed() < Duration::from_secs(2), "at once, not after the timeouts: {:?}", started.elapsed());
}

/// A server that answers every request the same hostile way.
async fn hostile(make: fn() -> Response) -> RunningServer {
    let router = Router::new().fallback(any(move || async move { make() }));
    RunningServer::start(router, 0).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_candidate_fails_within_the_timeouts() {
    let server = hostile(|| {
        let stream = futures::stream::once(async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok::<Bytes, std::io::Error>(Bytes::from_static(b"{}"))
        });
        (axum::http::StatusCode::OK, Body::from_stream(stream)).into_response()
    })
    .await;
    let started = std::time::Instant::now();
    let report = run_against(&server.base_url, 300).await;
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    assert_candidate_failed(&report, "no complete answer from");
    assert!(report.results[0].expected.contains("within the request timeout"), "{}", report.results[0].expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_megabyte_answer_is_cut_at_the_bound_and_fails() {
    let server = hostile(|| {
        let chunk = Bytes::from(vec![b'A'; 1024 * 1024]);
        let stream = futures::stream::iter((0..50).map(move |_| Ok::<Bytes, std::io::Error>(chunk.clone())));
        ([(header::CONTENT_TYPE, "application/json")], Body::from_stream(stream)).into_response()
    })
    .await;
    let report = run_against(&server.base_url, 2000).await;
    assert_no_panic_and_evidence(&report);
    let meta = report.results.iter().find(|r| r.id == "VCI-ISS-META-001").unwrap();
    assert_eq!(meta.verdict, Verdict::Fail);
    assert!(meta.observed.contains("exceeds the 65536-byte bound"), "{}", meta.observed);
    let report_json = serde_json::to_string(&report).unwrap();
    assert!(report_json.len() < 8 * 1024 * 1024, "evidence must stay bounded: {} bytes", report_json.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_and_invalid_json_fail_with_evidence() {
    for make in [
        (|| ([(header::CONTENT_TYPE, "application/json")], vec![0xff, 0xfe, b'{', 0x80]).into_response())
            as fn() -> Response,
        || ([(header::CONTENT_TYPE, "application/json")], "{\"credential_issuer\": ").into_response(),
        || ([(header::CONTENT_TYPE, "application/json")], "[".repeat(10_000)).into_response(),
    ] {
        let server = hostile(make).await;
        let report = run_against(&server.base_url, 2000).await;
        assert_no_panic_and_evidence(&report);
        assert!(
            report.results.iter().all(|r| r.verdict != Verdict::Pass || r.id.starts_with("VCI-ISS-NONCE")),
            "{:?}",
            report.summary
        );
        let meta = report.results.iter().find(|r| r.id == "VCI-ISS-META-001").unwrap();
        assert_eq!(meta.verdict, Verdict::Fail, "{}", meta.observed);
        server.stop().await;
    }
}

/// A candidate whose flow works but whose credential is garbage of several kinds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_credentials_fail_every_credential_rule() {
    for garbage in ["not-a-jwt", "a.b.c~", "e30.e30.AA~WyJ~", "~~~~", "eyJhbGciOiJub25lIn0.eyJfc2QiOjF9.~"] {
        let router = Router::new().fallback(any(move |req: axum::extract::Request| async move {
            let path = req.uri().path().to_string();
            let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default().to_string();
            let base = format!("http://{host}");
            let body = match path.as_str() {
                "/.well-known/openid-credential-issuer" => json!({
                    "credential_issuer": base, "credential_endpoint": format!("{base}/credential"), "nonce_endpoint": format!("{base}/nonce"),
                    "credential_configurations_supported": {"X": {"format": "dc+sd-jwt", "vct": "urn:x"}}
                }),
                "/.well-known/oauth-authorization-server" => json!({"issuer": base, "token_endpoint": format!("{base}/token")}),
                "/.well-known/jwt-vc-issuer" => json!({"issuer": base, "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "!!", "y": "??"}]}}),
                "/control/offers" => json!({"credential_offer": {"credential_issuer": base, "credential_configuration_ids": ["X"],
                    "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {"pre-authorized_code": "c"}}}}),
                "/token" => json!({"access_token": "t", "token_type": "Bearer"}),
                "/nonce" => json!({"c_nonce": "n"}),
                _ => json!({"credentials": [{"credential": garbage}]}),
            };
            ([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
        }));
        let server = RunningServer::start(router, 0).await.unwrap();
        let report = run_against(&server.base_url, 2000).await;
        assert_no_panic_and_evidence(&report);
        // The alg-none one is well formed (structure passes); its signature and its `_sd` are not.
        let well_formed = garbage.starts_with("eyJhbGciOiJub25lIn0");
        for r in report.results.iter().filter(|r| r.id.starts_with("VCI-ISS-SDJWT")) {
            let must_fail = !well_formed || ["VCI-ISS-SDJWT-003", "VCI-ISS-SDJWT-010"].contains(&r.id.as_str());
            if must_fail {
                assert!(
                    matches!(r.verdict, Verdict::Fail | Verdict::Warn),
                    "{garbage:?} {}: {:?} {}",
                    r.id,
                    r.verdict,
                    r.observed
                );
            }
            assert_ne!(r.verdict, Verdict::Error, "{garbage:?} {}: {}", r.id, r.observed);
        }
        server.stop().await;
    }
}

/// The candidate is to blame: no case is `error` (exit 1, not 3), a good many fail, and every case
/// that did not pass or skip says `what` and shows the exchange.
fn assert_candidate_failed(report: &Report, what: &str) {
    assert_no_panic_and_evidence(report);
    let errors: Vec<String> = report
        .results
        .iter()
        .filter(|r| r.verdict == Verdict::Error)
        .map(|r| format!("{}: {}", r.id, r.observed))
        .collect();
    assert!(errors.is_empty(), "blamed on the environment: {errors:#?}");
    assert!(report.summary.fail >= 10, "{:?}", report.summary);
    assert_eq!(report.exit_code(), 1);
    let others: Vec<String> = report
        .results
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Fail | Verdict::Warn) && !r.observed.contains(what))
        .map(|r| format!("{}: {}", r.id, r.observed))
        .collect();
    assert!(others.is_empty(), "failed without saying {what:?}: {others:#?}");
}

/// Each case's verdict, in plan order: what must be the same from run to run.
fn verdicts(report: &Report) -> Vec<(String, Verdict)> {
    report.results.iter().map(|r| (r.id.clone(), r.verdict)).collect()
}

/// A loopback server speaking raw bytes: after reading a request head, `answer` says what to do.
async fn raw_server(answer: fn() -> Option<Vec<u8>>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                if let Some(bytes) = answer() {
                    let _ = socket.write_all(&bytes).await;
                }
                // Dropped: the connection closes, whatever was (not) said.
            });
        }
    });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_candidate_closing_the_connection_after_the_request_fails_with_the_retry_in_evidence() {
    let base = raw_server(|| None).await;
    let first = run_against(&base, 2000).await;
    assert_candidate_failed(&first, "closed the connection after receiving the request, before any answer");
    // Sent once more on a fresh connection, and both attempts shown.
    let meta = first.results.iter().find(|r| r.id == "VCI-ISS-META-001").unwrap();
    let errors: Vec<&str> = meta
        .evidence
        .iter()
        .filter_map(|e| match e {
            EvidenceItem::Http(h) => h.error.as_deref(),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].ends_with("sent once more on a fresh connection"), "{}", errors[0]);
    assert!(errors[1].contains("twice: the second time on a fresh connection"), "{}", errors[1]);
    let second = run_against(&base, 2000).await;
    assert_eq!(verdicts(&first), verdicts(&second));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_body_fails_saying_how_much_came() {
    let base = raw_server(|| {
        Some(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"a\":".to_vec())
    })
    .await;
    let first = run_against(&base, 2000).await;
    assert_candidate_failed(
        &first,
        "closed the connection before the end of the body (5 bytes received of the 100 its Content-Length announced)",
    );
    assert_eq!(verdicts(&first), verdicts(&run_against(&base, 2000).await));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_header_fields_fail_as_an_unreadable_answer() {
    let base = raw_server(|| {
        let mut head = String::from("HTTP/1.1 200 OK\r\n");
        for i in 0..10_000 {
            head.push_str(&format!("x-field-{i}: v\r\n"));
        }
        head.push_str("content-length: 2\r\n\r\n{}");
        Some(head.into_bytes())
    })
    .await;
    let first = run_against(&base, 2000).await;
    assert_candidate_failed(&first, "its head is past dialtone's bound (too many or too long header fields)");
    assert_eq!(verdicts(&first), verdicts(&run_against(&base, 2000).await));
}

/// A candidate whose flow works, except that its credential endpoint's handler crashes (the
/// connection it came on closes).
fn crashing_credential_endpoint() -> Router {
    Router::new().fallback(any(|req: axum::extract::Request| async move {
        let path = req.uri().path().to_string();
        let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default().to_string();
        let base = format!("http://{host}");
        let body = match path.as_str() {
            "/.well-known/openid-credential-issuer" => json!({
                "credential_issuer": base, "credential_endpoint": format!("{base}/credential"), "nonce_endpoint": format!("{base}/nonce"),
                "credential_configurations_supported": {"X": {"format": "dc+sd-jwt", "vct": "urn:x"}}
            }),
            "/.well-known/oauth-authorization-server" => json!({"issuer": base, "token_endpoint": format!("{base}/token")}),
            "/control/offers" => json!({"credential_offer": {"credential_issuer": base, "credential_configuration_ids": ["X"],
                "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {"pre-authorized_code": "code-0123456789"}}}}),
            "/token" => json!({"access_token": "token-0123456789", "token_type": "Bearer"}),
            "/nonce" => json!({"c_nonce": "nonce-0123456789"}),
            "/credential" => panic!("the candidate's credential handler crashed"),
            _ => json!({}),
        };
        ([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashing_handler_fails_its_own_cases_and_the_same_ones_every_run() {
    let server = RunningServer::start(crashing_credential_endpoint(), 0).await.unwrap();
    let runs = [run_against(&server.base_url, 2000).await, run_against(&server.base_url, 2000).await];
    for report in &runs {
        assert_no_panic_and_evidence(report);
        let errors: Vec<String> = report
            .results
            .iter()
            .filter(|r| r.verdict == Verdict::Error)
            .map(|r| format!("{}: {}", r.id, r.observed))
            .collect();
        assert!(errors.is_empty(), "blamed on the environment: {errors:#?}");
        let crashed =
            report.results.iter().filter(|r| r.observed.contains("/credential closed the connection")).count();
        assert!(crashed >= 5, "{crashed}");
        // A case that never asked for a credential is untouched by the crash.
        let metadata = report.results.iter().find(|r| r.id == "VCI-ISS-META-001").unwrap();
        assert_eq!(metadata.verdict, Verdict::Pass, "{}", metadata.observed);
    }
    assert_eq!(verdicts(&runs[0]), verdicts(&runs[1]));
    server.stop().await;
}

/// How a hostile candidate's TLS is wrong.
#[derive(Clone, Copy, Debug)]
enum BadTls {
    Expired,
    WrongName,
    SelfSigned,
}

/// A candidate serving `crashing_credential_endpoint`'s flow over TLS with a bad certificate; the
/// manifest trusts the authority that issued the good ones.
async fn bad_tls_candidate(bad: BadTls) -> (RunningServer, Vec<u8>) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType, date_time_ymd};
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name.push(DnType::CommonName, "hostile test authority");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let ca_issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let names = match bad {
        BadTls::WrongName => vec!["other.example".to_string()],
        _ => vec!["localhost".to_string()],
    };
    let mut leaf = CertificateParams::new(names).unwrap();
    if !matches!(bad, BadTls::WrongName) {
        leaf.subject_alt_names.push(SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1])));
    }
    if matches!(bad, BadTls::Expired) {
        leaf.not_before = date_time_ymd(2000, 1, 1);
        leaf.not_after = date_time_ymd(2001, 1, 1);
    }
    let cert = match bad {
        BadTls::SelfSigned => leaf.self_signed(&key).unwrap(),
        _ => leaf.signed_by(&key, &ca_issuer).unwrap(),
    };
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server =
        RunningServer::serve_tls(listener, std::sync::Arc::new(config), crashing_credential_endpoint()).unwrap();
    (server, ca_cert.der().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_certificates_fail_saying_what_is_wrong_with_them() {
    for (bad, says) in [
        (BadTls::Expired, "its certificate has expired"),
        (BadTls::WrongName, "its certificate is not valid for"),
        (BadTls::SelfSigned, "its certificate is not issued by an authority dialtone trusts"),
    ] {
        let (server, ca) = bad_tls_candidate(bad).await;
        let (suites, catalogue) = (common::suites(), Catalogue::embedded());
        let run = || {
            let mut m = manifest(&server.base_url, 2000);
            m.tls.ca_der.push(ca.clone());
            run_plan(&suites, m, Some(3), &[], &catalogue, None, None)
        };
        let first = run().await.unwrap();
        assert_candidate_failed(&first, says);
        assert!(first.results[0].expected.contains("TLS with a certificate valid now"), "{bad:?}");
        assert_eq!(verdicts(&first), verdicts(&run().await.unwrap()), "{bad:?}");
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_on_an_https_url_says_so() {
    let server = RunningServer::start(crashing_credential_endpoint(), 0).await.unwrap();
    let https = server.base_url.replace("http://", "https://");
    let report = run_against(&https, 2000).await;
    assert_candidate_failed(
        &report,
        "the candidate answered plain HTTP on an https URL (is the manifest's base URL http://?)",
    );
    assert!(!serde_json::to_string(&report).unwrap().contains("InvalidContentType"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_where_nothing_listens_is_the_candidates_failure_once_it_answered() {
    // The metadata names a credential endpoint on a port where nothing listens.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let router = Router::new().fallback(any(move |req: axum::extract::Request| async move {
        let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default().to_string();
        let base = format!("http://{host}");
        let body = match req.uri().path() {
            "/.well-known/openid-credential-issuer" => json!({
                "credential_issuer": base, "credential_endpoint": format!("http://127.0.0.1:{dead}/credential"),
                "credential_configurations_supported": {"X": {"format": "dc+sd-jwt", "vct": "urn:x"}}
            }),
            "/.well-known/oauth-authorization-server" => json!({"issuer": base, "token_endpoint": format!("{base}/token")}),
            "/control/offers" => json!({"credential_offer": {"credential_issuer": base, "credential_configuration_ids": ["X"],
                "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {"pre-authorized_code": "code-0123456789"}}}}),
            "/token" => json!({"access_token": "token-0123456789", "token_type": "Bearer"}),
            _ => json!({}),
        };
        ([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
    }));
    let server = RunningServer::start(router, 0).await.unwrap();
    let report = run_against(&server.base_url, 2000).await;
    assert_no_panic_and_evidence(&report);
    let errors: Vec<String> = report
        .results
        .iter()
        .filter(|r| r.verdict == Verdict::Error)
        .map(|r| format!("{}: {}", r.id, r.observed))
        .collect();
    assert!(errors.is_empty(), "blamed on the environment: {errors:#?}");
    let dead_url = format!("could not connect to http://127.0.0.1:{dead}/credential");
    let refused =
        report.results.iter().filter(|r| r.verdict == Verdict::Fail && r.observed.contains(&dead_url)).count();
    assert!(refused >= 5, "{refused}");
    server.stop().await;
}

/// The answer of a small working issuer to `path` (no credential: its endpoint refuses).
fn issuer_answer(path: &str, base: &str) -> serde_json::Value {
    match path {
        "/.well-known/openid-credential-issuer" => json!({
            "credential_issuer": base, "credential_endpoint": format!("{base}/credential"), "nonce_endpoint": format!("{base}/nonce"),
            "credential_configurations_supported": {"X": {"format": "dc+sd-jwt", "vct": "urn:x"}}
        }),
        "/.well-known/oauth-authorization-server" => json!({"issuer": base, "token_endpoint": format!("{base}/token")}),
        "/control/offers" => {
            json!({"credential_offer": {"credential_issuer": base, "credential_configuration_ids": ["X"],
            "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {"pre-authorized_code": "code-0123456789"}}}})
        }
        "/token" => json!({"access_token": "token-0123456789", "token_type": "Bearer"}),
        "/nonce" => json!({"c_nonce": "nonce-0123456789"}),
        _ => json!({"error": "invalid_request"}),
    }
}

/// A server that answers one request per connection and closes the connection, without a word,
/// when a second request comes on it: as a server may (RFC 9112 §9.5), and as a pooled connection
/// the server has closed looks to a client.
async fn one_request_per_connection() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = base.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let base = served.clone();
            tokio::spawn(async move {
                let mut got = Vec::new();
                let mut buf = [0u8; 4096];
                let head_end = loop {
                    if let Some(i) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&got[..head_end]).to_string();
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0))
                    })
                    .unwrap_or(0);
                while got.len() < head_end + length {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                let body = issuer_answer(&path, &base).to_string();
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                if socket.write_all(answer.as_bytes()).await.is_err() {
                    return;
                }
                // The next request on this connection: read, then the connection is closed.
                let _ = socket.read(&mut buf).await;
            });
        }
    });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_on_a_connection_the_server_closed_is_sent_again_on_a_fresh_one() {
    let base = one_request_per_connection().await;
    let runs = [run_against(&base, 2000).await, run_against(&base, 2000).await];
    for report in &runs {
        assert_no_panic_and_evidence(report);
        let blamed: Vec<String> = report
            .results
            .iter()
            .filter(|r| r.verdict == Verdict::Error || r.observed.contains("closed the connection"))
            .map(|r| format!("{}: {:?} {}", r.id, r.verdict, r.observed))
            .collect();
        assert!(blamed.is_empty(), "{blamed:#?}");
        let metadata = report.results.iter().find(|r| r.id == "VCI-ISS-META-001").unwrap();
        assert_eq!(metadata.verdict, Verdict::Pass, "{}", metadata.observed);
    }
    assert_eq!(verdicts(&runs[0]), verdicts(&runs[1]));
}
