//! An issuer without a control API, its authorization code flow driven by hand: dialtone shows the
//! authorization URL, a person signs in at the issuer in a browser on the same machine, and the
//! issuer's redirect comes back to dialtone's loopback listener. Here a thread plays the person in
//! front of dialtone's reference issuer: it reads the link from dialtone's terminal output, opens it,
//! submits the issuer's sign-in page and follows the redirect — or, where the issuer shows an error
//! instead, opens the `/refused` address dialtone gave.

use crate::common;

use common::free_port;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn an_issuer_without_a_control_api_is_signed_in_to_by_a_person() {
    let dir = common::tempdir("manual-issuer");
    let port = free_port();
    let text = std::fs::read_to_string(common::workspace().join("candidates/reference-issuer.toml"))
        .unwrap()
        .replace("https://127.0.0.1:8300", &format!("https://127.0.0.1:{port}"))
        .replace("kind = \"control\"", "kind = \"manual\"\nwait_seconds = 30")
        .replace(&format!("url = \"https://127.0.0.1:{port}/control\""), "")
        .replace("\"../reports/out/reference-ca.pem\"", "\"issuer-ca.pem\"");
    std::fs::write(dir.join("manual.toml"), text).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_dialtone"));
    command.current_dir(&dir).env_remove("DIALTONE_TEST_CA_DIR");
    command.args(["reference", "issuer", "--port", &port.to_string(), "--ca-out", "issuer-ca.pem"]);
    let (_issuer, issuer) = common::serve_reference(command);

    let mut run = Command::new(env!("CARGO_BIN_EXE_dialtone"))
        .current_dir(&dir)
        .env_remove("DIALTONE_TEST_CA_DIR")
        .args(["run", "--suites"])
        .arg(common::suites_dir())
        .args(["--candidate", "manual.toml", "--out", "out"])
        .args(["--only", "VCI-ISS-AUTH-001", "--only", "VCI-ISS-PAR-002"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = run.stderr.take().unwrap();
    let ca = std::fs::read(dir.join("issuer-ca.pem")).unwrap();
    let person = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let roots = dialtone_rules::keys::pem_certificates(&String::from_utf8_lossy(&ca));
        let http = dialtone_http::build_client(dialtone_http::HttpLimits::default(), &roots).unwrap().client().clone();
        let (mut did, mut shown, mut refused_at) = (Vec::new(), String::new(), String::new());
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            shown.push_str(&line);
            shown.push('\n');
            if let Some(at) = line.find("/refused") {
                let start = line[..at].rfind("http://").unwrap();
                refused_at = line[start..at + "/refused".len()].to_string();
            }
            let Some(at) = line.find("link: ") else { continue };
            let link = line[at + 6..].trim().to_string();
            let what = runtime.block_on(async {
                let page = http.get(&link).send().await.unwrap();
                if page.status().as_u16() != 200 {
                    // The issuer shows an error: the person says so.
                    http.get(&refused_at).send().await.unwrap();
                    return "refused";
                }
                let html = page.text().await.unwrap();
                let ticket = html.split("name=\"ticket\" value=\"").nth(1).unwrap().split('"').next().unwrap();
                let signed_in = http
                    .post(format!("{issuer}/authorize/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(format!("ticket={ticket}"))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(signed_in.status().as_u16(), 303);
                let location = signed_in.headers()["location"].to_str().unwrap().to_string();
                assert!(location.starts_with("http://127.0.0.1:"), "{location}");
                http.get(&location).send().await.unwrap();
                "signed in"
            });
            did.push(what);
        }
        (did, shown)
    });
    let status = run.wait().unwrap();
    let (did, shown) = person.join().unwrap();
    assert_eq!(status.code(), Some(0), "{shown}");
    assert_eq!(did, vec!["signed in", "signed in", "refused"], "{shown}");

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/report.json")).unwrap()).unwrap();
    let result = |id: &str| report["results"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap().clone();
    let happy = result("VCI-ISS-AUTH-001");
    assert_eq!(happy["verdict"], "pass", "{happy}");
    assert!(happy["evidence"].to_string().contains("manual mode: the authorization URL shown"), "{happy}");
    let reused = result("VCI-ISS-PAR-002");
    assert_eq!(reused["verdict"], "pass", "{reused}");
    let _ = std::fs::remove_dir_all(&dir);
}
