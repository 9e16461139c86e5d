//! `dialtone check --fetch-keys` reads a health-card issuer's revocation list from
//! `<iss>/.well-known/crl/<kid>.json` when the issuer's key publishes a `crlVersion`, and judges the
//! card's `rid` against it (§ Revocation).

use crate::common;

use dialtone_protocols::jose::EcKey;
use dialtone_protocols::seed::Entropy;
use serde_json::json;
use std::process::Command;

fn dialtone() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dialtone"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_keys_reads_the_issuers_revocation_list_and_judges_the_rid() {
    let pki = dialtone_roles::tls::TestPki::generate().expect("pki");
    let key = EcKey::generate(&Entropy::seeded(6));
    let kid = key.thumbprint();
    let mut jwk = key.public_jwk();
    jwk["kid"] = json!(kid);
    jwk["use"] = json!("sig");
    jwk["alg"] = json!("ES256");
    jwk["crlVersion"] = json!(2);
    let jwks = json!({ "keys": [jwk] }).to_string();
    let now = dialtone_protocols::now_epoch();
    let list = json!({"kid": kid, "method": "rid", "ctr": 2, "rids": ["rEvoked", format!("b4Stamp.{}", now - 3600)]})
        .to_string();
    let router = axum::Router::new()
        .route(
            "/.well-known/jwks.json",
            axum::routing::get(move || {
                let body = jwks.clone();
                async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], body) }
            }),
        )
        .route(
            &format!("/.well-known/crl/{kid}.json"),
            axum::routing::get(move || {
                let body = list.clone();
                async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], body) }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let server =
        dialtone_roles::server::RunningServer::serve_tls(listener, pki.server_config.clone(), router).expect("serve");
    let card = |rid: &str, nbf: i64| {
        dialtone_protocols::shc::sign(
            &key,
            &json!({
                "iss": server.base_url, "nbf": nbf,
                "vc": { "type": ["https://smarthealth.cards#health-card"], "rid": rid, "credentialSubject": {
                    "fhirVersion": "4.0.1", "fhirBundle": { "resourceType": "Bundle", "type": "collection",
                        "entry": [{ "fullUrl": "resource:0", "resource": { "resourceType": "Patient" } }] } } }
            }),
        )
    };
    let dir = common::tempdir("check-crl-fetch");
    std::fs::write(dir.join("ca.pem"), &pki.ca_pem).expect("write");
    for (name, rid, nbf, revoked) in [
        ("always.txt", "rEvoked", now - 60, true),
        ("before.txt", "b4Stamp", now - 7200, true),
        ("after.txt", "b4Stamp", now - 60, false),
        ("unlisted.txt", "n0tListed", now - 60, false),
    ] {
        std::fs::write(dir.join(name), card(rid, nbf)).expect("write");
        let dir = dir.clone();
        let out = tokio::task::spawn_blocking(move || {
            dialtone()
                .args(["check", "--all", "--fetch-keys", "--tls-ca"])
                .arg(dir.join("ca.pem"))
                .arg("--out")
                .arg(dir.join("out"))
                .arg(dir.join(name))
                .output()
                .expect("runs")
        })
        .await
        .expect("joins");
        let text = String::from_utf8_lossy(&out.stdout);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("/.well-known/crl/{kid}.json: revocation list ctr 2, 2 rids")), "{err}");
        let row = text.lines().find(|l| l.contains("SHC-021")).unwrap_or_default();
        if revoked {
            assert_eq!(out.status.code(), Some(1), "{name}: {text}");
            assert!(row.contains("FAIL"), "{name}: {row}");
        } else {
            assert_eq!(out.status.code(), Some(0), "{name}: {text}{err}");
            assert!(row.contains("PASS"), "{name}: {row}");
        }
    }
    server.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}
