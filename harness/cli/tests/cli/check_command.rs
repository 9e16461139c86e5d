//! `dialtone check` as a user runs it: the SMART Health Card examples, a tampered copy, the report it
//! writes (valid against the report schema), and its errors.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn dialtone() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dialtone"))
}

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors-public")
}

fn tempdir(name: &str) -> PathBuf {
    common::tempdir(&format!("check-{name}"))
}

#[test]
fn the_four_smart_health_card_examples_are_valid_and_a_tampered_copy_is_invalid() {
    let out_dir = tempdir("shc");
    let ex = shared().join("shc-examples");
    let tampered = out_dir.join("tampered-example-00.txt");
    let mut jws = std::fs::read(ex.join("example-00-d-jws.txt")).expect("example");
    let at = jws.len() - 20;
    jws[at] = if jws[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(&tampered, jws).expect("write");
    let out = dialtone()
        .args(["check", "--now", "2024-12-15T00:00:00Z", "--keys"])
        .arg(shared().join("shc-issuer-keys/generate-examples/issuer/.well-known/jwks.json"))
        .arg("--out")
        .arg(&out_dir)
        .args((0..4).map(|n| ex.join(format!("example-0{n}-d-jws.txt"))))
        .arg(&tampered)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    // The verdict lines follow the table (whose rows start with a box-drawing character).
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with(['│', '╭', '├', '╰'])).collect();
    for n in 0..4 {
        let line = lines.iter().find(|l| l.contains(&format!("example-0{n}-d-jws.txt"))).expect("a verdict line");
        assert!(line.starts_with("valid "), "{line}");
    }
    let line = lines.iter().position(|l| l.contains("tampered-example-00.txt")).expect("verdict");
    assert!(lines[line].starts_with("invalid "), "{}", lines[line]);
    assert!(lines[line + 1].contains("SHC-008") && lines[line + 1].contains("signature"), "{}", lines[line + 1]);

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("report.json")).expect("report")).expect("JSON");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reports/report.schema.json"))
            .expect("schema"),
    )
    .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("compiles");
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(report["candidate"]["roles"], serde_json::json!(["artifact"]));
    let pctf = report["pctf"]["criteria"].as_array().expect("criteria");
    let status = |id: &str| pctf.iter().find(|c| c["id"] == id).map(|c| c["status"].clone());
    assert_eq!(status("CRVA.01"), Some(serde_json::json!("not_met")), "the tampered card fails CRVA.01");
    assert!(std::fs::read_to_string(out_dir.join("report.html")).expect("html").contains("SHC-008"));
    let _ = std::fs::remove_dir_all(out_dir);
}

#[test]
fn without_keys_the_signature_rules_skip_with_the_reason() {
    let out_dir = tempdir("nokeys");
    let out = dialtone()
        .args(["check", "--all", "--now", "2024-12-15T00:00:00Z", "--out"])
        .arg(&out_dir)
        .arg(shared().join("shc-examples/example-01-e-file.smart-health-card"))
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let row = text.lines().find(|l| l.contains("SHC-008")).expect("SHC-008 row");
    assert!(row.contains("SKIP") && row.contains("no keys given"), "{row}");
    // No signature was verified: not "valid" but "unverified", in the exit code (4), the verdict
    // line, and the reports.
    assert_eq!(out.status.code(), Some(4), "{text}");
    let line = text.lines().find(|l| l.contains("example-01-e-file") && !l.starts_with('│')).expect("verdict line");
    assert!(line.starts_with("unverified "), "{line}");
    assert!(text.lines().next().unwrap_or_default().contains("Incomplete: 1 artifact unverified"), "{text}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("report.json")).expect("report")).expect("JSON");
    assert_eq!(report["artifacts"][0]["verdict"], "unverified");
    assert!(report["artifacts"][0]["reason"].as_str().unwrap_or_default().starts_with("SHC-008: no keys given"));
    assert_eq!(report["verdict"]["status"], "incomplete");
    let html = std::fs::read_to_string(out_dir.join("report.html")).expect("html");
    assert!(html.contains(r#"<span class="v unverified">unverified</span>"#), "the HTML lists the artifact's verdict");
    let _ = std::fs::remove_dir_all(out_dir);
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    let out = dialtone().args(["check", "--format", "jpeg", "x"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown format \"jpeg\""));
    let out = dialtone().args(["check", "/nonexistent/credential.txt"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/credential.txt"));
    let out = dialtone().args(["check", "--now", "yesterday", "x"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_interop_matrix_of_the_references_passes_and_links_its_report() {
    let out_dir = tempdir("interop");
    let out = dialtone().args(["interop", "--candidates", "reference", "--out"]).arg(&out_dir).output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&out.stderr));
    let matrix: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("matrix.json")).expect("matrix")).expect("JSON");
    let cells = matrix["cells"].as_array().expect("cells");
    assert_eq!(cells.len(), 1);
    assert_eq!(cells[0]["verdict"], "pass");
    let report = out_dir.join(cells[0]["report"].as_str().expect("link"));
    assert!(report.is_file(), "{}", report.display());
    assert!(std::fs::read_to_string(out_dir.join("matrix.html")).expect("html").contains("class=\"pass\""));
    let none = dialtone().args(["interop", "--candidates", "/nonexistent.toml"]).output().expect("runs");
    assert_eq!(none.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(out_dir);
}

/// `--fetch-keys` against a health-card issuer on loopback (https under a private CA given with
/// `--tls-ca`): the keys come from `<iss>/.well-known/jwks.json`, which also vouches that they are
/// the issuer's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_keys_reads_the_issuers_jwks_over_https() {
    use dialtone_protocols::jose::EcKey;
    use dialtone_protocols::seed::Entropy;
    let pki = dialtone_roles::tls::TestPki::generate().expect("pki");
    let key = EcKey::generate(&Entropy::seeded(5));
    let mut jwk = key.public_jwk();
    jwk["kid"] = serde_json::json!(key.thumbprint());
    jwk["use"] = serde_json::json!("sig");
    jwk["alg"] = serde_json::json!("ES256");
    let jwks = serde_json::json!({ "keys": [jwk] }).to_string();
    let router = axum::Router::new().route(
        "/.well-known/jwks.json",
        axum::routing::get(move || {
            let body = jwks.clone();
            async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let server =
        dialtone_roles::server::RunningServer::serve_tls(listener, pki.server_config.clone(), router).expect("serve");
    let now = dialtone_protocols::now_epoch();
    let payload = serde_json::json!({
        "iss": server.base_url, "nbf": now - 60,
        "vc": { "type": ["https://smarthealth.cards#health-card"], "credentialSubject": {
            "fhirVersion": "4.0.1", "fhirBundle": { "resourceType": "Bundle", "type": "collection",
                "entry": [{ "fullUrl": "resource:0", "resource": { "resourceType": "Patient" } }] } } }
    });
    let dir = tempdir("fetch");
    std::fs::write(dir.join("card.txt"), dialtone_protocols::shc::sign(&key, &payload)).expect("write");
    std::fs::write(dir.join("ca.pem"), &pki.ca_pem).expect("write");
    let run = |with_ca: bool| {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || {
            let mut c = dialtone();
            c.args(["check", "--all", "--fetch-keys", "--out"]).arg(dir.join("out"));
            if with_ca {
                c.arg("--tls-ca").arg(dir.join("ca.pem"));
            }
            c.arg(dir.join("card.txt")).output().expect("runs")
        })
    };
    let out = run(true).await.expect("joins");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&out.stderr));
    let row = |id: &str| text.lines().find(|l| l.contains(id)).unwrap_or_default().to_string();
    assert!(row("SHC-008").contains("PASS"), "{}", row("SHC-008"));
    assert!(row("SHC-009").contains("PASS"), "{}", row("SHC-009"));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/report.json")).expect("report")).expect("JSON");
    let owner = report["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["id"].as_str().is_some_and(|i| i.starts_with("SHC-009")))
        .expect("SHC-009");
    assert!(owner["observed"].as_str().unwrap_or_default().contains(&format!("to {:?}", server.base_url)), "{owner}");
    // Without the private CA the fetch fails (said on stderr) and the signature rules skip.
    let out = run(false).await.expect("joins");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--fetch-keys:"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).lines().any(|l| l.contains("SHC-008") && l.contains("SKIP")));
    server.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// `--fetch-keys` for an SD-JWT VC: the keys of the JWT VC Issuer Metadata are used only when its
/// `issuer` is the credential's `iss` (SD-JWT VC §4.3: otherwise the response MUST NOT be used).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_keys_uses_issuer_metadata_only_when_it_names_the_credentials_iss() {
    use dialtone_protocols::jose::EcKey;
    use dialtone_protocols::seed::Entropy;
    let pki = dialtone_roles::tls::TestPki::generate().expect("pki");
    let key = EcKey::generate(&Entropy::seeded(6));
    let mut jwk = key.public_jwk();
    jwk["kid"] = serde_json::json!(key.thumbprint());
    let issuer = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let served = issuer.clone();
    let router = axum::Router::new().route(
        "/.well-known/jwt-vc-issuer",
        axum::routing::get(move || {
            let body = serde_json::json!({
                "issuer": served.lock().map(|i| i.clone()).unwrap_or_default(),
                "jwks": { "keys": [jwk.clone()] },
            })
            .to_string();
            async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let server =
        dialtone_roles::server::RunningServer::serve_tls(listener, pki.server_config.clone(), router).expect("serve");
    let now = dialtone_protocols::now_epoch();
    let jwt = key.sign_jws(
        &serde_json::json!({"typ": "dc+sd-jwt", "kid": key.thumbprint()}),
        &serde_json::json!({"iss": server.base_url, "vct": "urn:dialtone:vct:test:1", "iat": now - 60}),
    );
    let dir = tempdir("fetch-sd-jwt-vc");
    std::fs::write(dir.join("vc.txt"), format!("{jwt}~")).expect("write");
    std::fs::write(dir.join("ca.pem"), &pki.ca_pem).expect("write");
    let run = || {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || {
            let mut c = dialtone();
            c.args(["check", "--all", "--fetch-keys", "--out"]).arg(dir.join("out"));
            c.arg("--tls-ca").arg(dir.join("ca.pem")).arg(dir.join("vc.txt")).output().expect("runs")
        })
    };
    let row = |out: &std::process::Output, id: &str| {
        String::from_utf8_lossy(&out.stdout).lines().find(|l| l.contains(id)).unwrap_or_default().to_string()
    };
    *issuer.lock().expect("lock") = server.base_url.clone();
    let out = run().await.expect("joins");
    assert!(row(&out, "SDJWTVC-004").contains("PASS"), "{}", String::from_utf8_lossy(&out.stdout));
    *issuer.lock().expect("lock") = "https://elsewhere.example".into();
    let out = run().await.expect("joins");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not the credential's iss"), "{err}");
    assert!(row(&out, "SDJWTVC-004").contains("SKIP"), "{}", String::from_utf8_lossy(&out.stdout));
    server.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// A credential whose `x5c` carries only the issuer's certificate (the trust anchor left out, as
/// HAIP 1.0 wants) is checked against the anchor given with `--keys`: its chain leads there.
#[test]
fn an_x5c_chain_without_its_anchor_validates_to_the_anchor_given() {
    let dir = tempdir("x5c-anchor");
    let pki = dialtone_roles::tls::TestPki::seeded(11).unwrap();
    let minter = dialtone_roles::issuer::minter::Minter::new(
        "https://127.0.0.1:8701".into(),
        dialtone_protocols::seed::Entropy::seeded(11),
    );
    minter.x5c_from(&pki).unwrap();
    let mut spec = minter.spec(None);
    spec.x5c = true;
    std::fs::write(dir.join("credential.txt"), minter.mint(&spec)).unwrap();
    std::fs::write(dir.join("anchor.pem"), &pki.ca_pem).unwrap();
    let out = dialtone()
        .args(["check", "--all", "--keys"])
        .arg(dir.join("anchor.pem"))
        .arg("--out")
        .arg(dir.join("out"))
        .arg(dir.join("credential.txt"))
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let row = text.lines().find(|l| l.contains("SDJWTVC-004")).expect("SDJWTVC-004 row");
    assert!(row.contains("PASS"), "{row}");
    let report = std::fs::read_to_string(dir.join("out/report.json")).unwrap();
    assert!(report.contains("the chain of 1 leads to a trusted root"), "{report}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Many artifacts: report.json and junit.xml have every one (written as they are judged), while
/// the page shows a bounded selection, the artifacts that need attention first.
#[test]
fn past_two_hundred_artifacts_the_page_shows_a_selection_and_report_json_has_every_one() {
    let out_dir = tempdir("many");
    let files_dir = out_dir.join("files");
    std::fs::create_dir_all(&files_dir).expect("folder");
    let jws = std::fs::read(shared().join("shc-examples/example-00-d-jws.txt")).expect("example");
    let mut files = Vec::new();
    for n in 0..250 {
        let path = files_dir.join(format!("card-{n:03}.txt"));
        std::fs::write(&path, &jws).expect("write");
        files.push(path);
    }
    let mut tampered = jws.clone();
    let at = tampered.len() - 20;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let last = files_dir.join("tampered-last.txt");
    std::fs::write(&last, tampered).expect("write");
    files.push(last);
    let out = dialtone()
        .args(["check", "--now", "2024-12-15T00:00:00Z", "--keys"])
        .arg(shared().join("shc-issuer-keys/generate-examples/issuer/.well-known/jwks.json"))
        .arg("--out")
        .arg(&out_dir)
        .args(&files)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(text.lines().filter(|l| l.starts_with("valid ")).count(), 250, "a line per artifact");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("report.json")).expect("report")).expect("JSON");
    assert_eq!(report["artifacts"].as_array().map(Vec::len), Some(251));
    let rows = report["results"].as_array().map(Vec::len).unwrap_or_default();
    assert!(rows >= 251 * 10, "{rows} rows");
    assert_eq!(report["summary"]["total"].as_u64(), Some(rows as u64));
    assert_eq!(report["verdict"]["status"], "does_not_conform");
    let schema: serde_json::Value = serde_json::from_str(dialtone_reports::SCHEMA).expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("compiles");
    assert!(validator.is_valid(&report));
    let junit = std::fs::read_to_string(out_dir.join("junit.xml")).expect("junit");
    assert_eq!(junit.matches("<testcase ").count(), rows);
    assert!(junit.contains(&format!("tests=\"{rows}\" failures=\"1\"")), "{}", &junit[..300]);
    let html = std::fs::read_to_string(out_dir.join("report.html")).expect("html");
    assert!(html.contains("Artifacts (251)") && html.contains("200 of 251 artifacts shown here"));
    let valid = html.matches(r#"<span class="v valid">valid</span>"#).count();
    assert_eq!(valid, 199, "199 valid artifacts beside the invalid one");
    assert!(html.contains("tampered-last.txt"), "the invalid artifact is shown");
    assert!(
        std::fs::read_dir(&out_dir).expect("out").all(|e| !e
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .ends_with(".part"))
    );
    let _ = std::fs::remove_dir_all(out_dir);
}
