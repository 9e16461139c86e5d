//! Candidates that are down or hostile: nothing panics, every exchange is bounded in size and time,
//! and the results say `fail` or `error` with evidence.

mod common;

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
async fn nothing_listening_gives_error_results_and_exit_code_3() {
    // Bind then drop: a loopback port where nothing listens.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let report = run_against(&format!("http://127.0.0.1:{port}"), 1000).await;
    // Every case that runs (not those the conformance statement rules out) is an error.
    assert!(
        report.results.iter().filter(|r| r.verdict != Verdict::Skip).all(|r| r.verdict == Verdict::Error),
        "{:?}",
        report.summary
    );
    assert!(report.summary.error >= 50, "{:?}", report.summary);
    assert_eq!(report.exit_code(), 3);
    let first = &report.results[0];
    assert!(first.observed.contains("could not connect"), "{}", first.observed);
    assert!(matches!(first.evidence[0], EvidenceItem::Http(ref h) if h.status.is_none() && h.error.is_some()));
}

/// A server that answers every request the same hostile way.
async fn hostile(make: fn() -> Response) -> RunningServer {
    let router = Router::new().fallback(any(move || async move { make() }));
    RunningServer::start(router, 0).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_candidate_gives_errors_within_the_timeouts() {
    let server = hostile(|| {
        let stream = futures::stream::once(async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok::<Bytes, std::io::Error>(Bytes::from_static(b"{}"))
        });
        (axum::http::StatusCode::OK, Body::from_stream(stream)).into_response()
    })
    .await;
    let report = run_against(&server.base_url, 300).await;
    assert!(report.results.iter().filter(|r| r.verdict != Verdict::Skip).all(|r| r.verdict == Verdict::Error));
    assert!(report.summary.error >= 50, "{:?}", report.summary);
    assert!(report.results[0].observed.contains("no complete answer"), "{}", report.results[0].observed);
    assert_no_panic_and_evidence(&report);
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
