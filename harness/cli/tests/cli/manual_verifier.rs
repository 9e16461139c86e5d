//! A verifier without a control API, driven by hand: for each case dialtone asks the tester to start
//! a request in the verifier's own interface and hand over its link (a local page or the terminal),
//! then answers it as the wallet. Here a thread plays the tester in front of dialtone's reference
//! verifier: it reads the page's address from dialtone's terminal output, starts a request as the
//! verifier's interface would, and posts the link into the page's form — or types it on dialtone's
//! terminal.

use crate::common;

use common::free_port;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn dialtone(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dialtone"));
    c.current_dir(dir).env_remove("DIALTONE_TEST_CA_DIR");
    c
}

fn tempdir(name: &str) -> PathBuf {
    common::tempdir(&format!("manual-{name}"))
}

/// A form body (`application/x-www-form-urlencoded`).
fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let enc: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[test]
fn a_verifier_without_a_control_api_is_driven_through_the_manual_page() {
    let dir = tempdir("verifier");
    let (verifier_port, ports) = (free_port(), [free_port(), free_port(), free_port()]);
    // The reference verifier's manifest without its control API: manual mode.
    let text = std::fs::read_to_string(common::workspace().join("candidates/reference-verifier.toml"))
        .unwrap()
        .replace("control = \"https://127.0.0.1:8500/control\"", "manual_wait_seconds = 30")
        .replace("= 8501", &format!("= {}", ports[0]))
        .replace("= 8502", &format!("= {}", ports[1]))
        .replace("= 8503", &format!("= {}", ports[2]))
        .replace("\"../reports/out/reference-ca.pem\"", "\"verifier-ca.pem\"");
    std::fs::write(dir.join("manual.toml"), text).unwrap();
    let o = dialtone(&dir)
        .args(["counterparts", "export", "trust", "--candidate", "manual.toml", "--seed", "4"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));

    let mut command = dialtone(&dir);
    command.args(["reference", "verifier", "--port", &verifier_port.to_string(), "--counterparts", "trust"]);
    command.args(["--ca-out", "verifier-ca.pem"]);
    let (_verifier, verifier) = common::serve_reference(command);

    let mut run = dialtone(&dir)
        .args(["run", "--suites"])
        .arg(common::suites_dir())
        .args(["--candidate", "manual.toml", "--seed", "4", "--out", "out"])
        .args(["--only", "OID4VP-VER-REQ-001", "--only", "OID4VP-VER-PRES-001", "--only", "OID4VP-VER-PRES-015"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = run.stderr.take().unwrap();
    let mut terminal = run.stdin.take().unwrap();
    let ca = std::fs::read(dir.join("verifier-ca.pem")).unwrap();
    // The tester: for every page dialtone shows, a request from the verifier's interface; the second
    // link is typed on the terminal (first a line that is no link), the others posted into the page.
    let tester = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let roots = dialtone_rules::keys::pem_certificates(&String::from_utf8_lossy(&ca));
        let http = dialtone_http::build_client(dialtone_http::HttpLimits::default(), &roots).unwrap().client().clone();
        let mut handed = Vec::new();
        let mut shown = String::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            shown.push_str(&line);
            shown.push('\n');
            let Some(at) = line.find("page: http://") else { continue };
            let page = line[at + 6..].split_whitespace().next().unwrap().to_string();
            // Start a request as the verifier's interface would, read the form's token, post the link.
            let typed = handed.len() == 1;
            let status = runtime.block_on(async {
                let started: serde_json::Value = http
                    .post(format!("{verifier}/control/requests"))
                    .header("Content-Type", "application/json")
                    .body("{}")
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let link = started["authorization_request"].as_str().unwrap().to_string();
                if typed {
                    use std::io::Write;
                    writeln!(terminal, "not a link\n{link}").unwrap();
                    return 0;
                }
                let html = http.get(&page).send().await.unwrap().text().await.unwrap();
                let token =
                    html.split("name=\"token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
                let answer = http
                    .post(&page)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(form(&[("token", &token), ("link", &link)]))
                    .send()
                    .await
                    .unwrap();
                answer.status().as_u16()
            });
            handed.push(status);
        }
        (handed, shown)
    });
    let status = run.wait().unwrap();
    let (handed, shown) = tester.join().unwrap();
    assert_eq!(status.code(), Some(0), "{shown}");
    assert_eq!(handed, vec![200, 0, 200], "one page per case, each link taken:\n{shown}");
    assert!(shown.contains("not taken: "), "the line that is no link is refused:\n{shown}");
    assert!(shown.contains("start a presentation request at the verifier under test"), "{shown}");

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/report.json")).unwrap()).unwrap();
    let result = |id: &str| report["results"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap().clone();
    // The request's own properties are judged as with a control API.
    let req = result("OID4VP-VER-REQ-001");
    assert_eq!(req["verdict"], "pass", "{req}");
    assert!(req["evidence"].to_string().contains("manual mode: the person handed over openid4vp://"), "{req}");
    // A correct presentation answered HTTP 200: without a control API that is no verdict.
    let accepted = result("OID4VP-VER-PRES-001");
    assert_eq!(accepted["verdict"], "skip", "{accepted}");
    assert!(accepted["observed"].as_str().unwrap().contains("no control API to report its verdict"), "{accepted}");
    // The untrusted issuer's credential was refused over the protocol (HTTP 400), which dialtone
    // reads; it stays inconclusive because the acceptance case could not be confirmed.
    let refused = result("OID4VP-VER-PRES-015");
    assert_eq!(refused["verdict"], "inconclusive", "{refused}");
    let observed = refused["observed"].as_str().unwrap();
    assert!(observed.contains("did not pass") && observed.contains("the verifier refused the response"), "{observed}");
    let _ = std::fs::remove_dir_all(&dir);
}
