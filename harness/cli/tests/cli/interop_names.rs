//! `dialtone interop` with candidates whose names a terminal must not interpret, and whose names
//! share a long beginning: each chain keeps its own report, and the terminal shows the names
//! neutralised.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn tempdir(name: &str) -> PathBuf {
    common::tempdir(&format!("interop-{name}"))
}

/// An issuer that accepts connections and closes each at once: reachable when the run starts, its
/// chains fail at their first step, quickly, each with a report.
fn dead_issuer(dir: &Path, file: &str, name: &str) -> PathBuf {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for connection in listener.incoming() {
            drop(connection);
        }
    });
    let path = dir.join(file);
    std::fs::write(
        &path,
        format!(
            r#"[candidate]
name = "{name}"
version = "1"
roles = ["issuer"]
[issuer]
credential_issuer = "http://127.0.0.1:{port}"
allow_http = true
[trigger]
kind = "control"
url = "http://127.0.0.1:{port}/control"
[conformance]
formats = ["dc+sd-jwt"]
features = ["pre-authorized_code"]
[limits]
request_timeout_ms = 2000
case_deadline_ms = 5000
"#
        ),
    )
    .expect("write");
    path
}

#[test]
fn candidates_whose_names_share_forty_characters_keep_their_own_cells_and_names_are_neutralised() {
    let dir = tempdir("names");
    let common = "Province of Example credential service, issuance division";
    let first = dead_issuer(&dir, "a.toml", &format!("{common} \\u001b[2J\\u202e A"));
    let second = dead_issuer(&dir, "b.toml", &format!("{common} \\u2066\\u200b B"));
    let candidates = format!("reference,{},{}", first.display(), second.display());
    let out = Command::new(env!("CARGO_BIN_EXE_dialtone"))
        .args(["interop", "--candidates", &candidates, "--out"])
        .arg(dir.join("out"))
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}{}", String::from_utf8_lossy(&out.stderr));
    for c in ['\u{1b}', '\u{202e}', '\u{2066}', '\u{200b}'] {
        assert!(!text.contains(c), "U+{:04X} reached the terminal:\n{text}", c as u32);
    }
    assert!(text.contains("·[2J‹U+202E› A (issuer)") && text.contains("‹U+2066›‹U+200B› B (issuer)"), "{text}");

    let matrix: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/matrix.json")).expect("matrix")).expect("JSON");
    let cells = matrix["cells"].as_array().expect("cells");
    assert_eq!(cells.len(), 3, "{matrix}");
    let mut links: Vec<&str> = cells.iter().map(|c| c["report"].as_str().expect("link")).collect();
    links.sort();
    links.dedup();
    assert_eq!(links.len(), 3, "every cell has a folder of its own: {links:?}");
    // Each link leads to the report of that cell's own chain.
    for cell in cells {
        let html = dir.join("out").join(cell["report"].as_str().expect("a report: the run started"));
        let json = html.with_file_name("report.json");
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).expect("the cell's report")).expect("JSON");
        let chain = report["candidate"]["name"].as_str().expect("name");
        let issuer = cell["issuer"].as_str().expect("issuer");
        assert!(chain.starts_with(&format!("{issuer} → ")), "{} links to the chain of {chain}", issuer);
    }
    let _ = std::fs::remove_dir_all(dir);
}
