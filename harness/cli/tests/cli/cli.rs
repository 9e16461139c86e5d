//! The `dialtone` binary as a user runs it: exit codes and messages.

use crate::common;

use std::process::Command;

fn dialtone() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dialtone"));
    c.current_dir(std::env::temp_dir());
    c
}

#[test]
fn suites_check_and_list_work_on_the_projects_suites() {
    let out = dialtone().args(["suites", "check", "--suites"]).arg(common::suites_dir()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = dialtone().args(["suites", "list", "--suites"]).arg(common::suites_dir()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().count() >= 30 && text.contains("VCI-ISS-CRED-006") && text.contains("MUST"));
}

#[test]
fn a_broken_suite_exits_2_naming_file_and_line() {
    let dir = tempdir("broken-suite");
    let good = std::fs::read_to_string(common::suites_dir().join("oid4vci-issuer.toml")).unwrap();
    std::fs::write(
        dir.join("broken.toml"),
        good.replacen("oid4vci.issuer.metadata.retrievable", "oid4vci.issuer.metadata.retrivable", 1),
    )
    .unwrap();
    let out = dialtone().args(["suites", "check", "--suites"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken.toml:15: case VCI-ISS-META-001: unknown driver \"oid4vci.issuer.metadata.retrivable\""),
        "{err}"
    );
}

#[test]
fn a_bad_manifest_exits_2() {
    let dir = tempdir("bad-manifest");
    let path = dir.join("m.toml");
    std::fs::write(&path, "[candidate]\nname = \"x\"\nversion = \"1\"\nroles = [\"issuer\"]\n[trigger]\nkind = \"control\"\nurl = \"http://127.0.0.1:1\"\n").unwrap();
    let out =
        dialtone().args(["run", "--suites"]).arg(common::suites_dir()).arg("--candidate").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("plays issuer but has no [issuer] or [vc_api] section"));
}

#[test]
fn a_missing_ca_file_is_a_configuration_error() {
    let dir = tempdir("missing-ca");
    std::fs::copy(common::workspace().join("candidates/reference-issuer.toml"), dir.join("m.toml")).unwrap();
    let out = dialtone()
        .args(["run", "--suites"])
        .arg(common::suites_dir())
        .arg("--candidate")
        .arg(dir.join("m.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[tls] ca_file \"../reports/out/reference-ca.pem\""));
}

/// `allow_http` is for a candidate on this machine: for another host the run stops before it starts,
/// exit 2, naming the file and the line.
#[test]
fn allow_http_for_a_remote_host_exits_2_naming_its_line() {
    let dir = tempdir("remote-http");
    let manifest = std::fs::read_to_string(common::workspace().join("candidates/reference-issuer.toml"))
        .unwrap()
        .replace("https://127.0.0.1:8300", "http://issuer.example.ca")
        .replace(
            "credential_issuer = \"http://issuer.example.ca\"",
            "credential_issuer = \"http://issuer.example.ca\"\nallow_http = true",
        );
    std::fs::write(dir.join("remote.toml"), &manifest).unwrap();
    let line = manifest.lines().position(|l| l.starts_with("allow_http")).unwrap() + 1;
    let out = dialtone()
        .args(["run", "--suites"])
        .arg(common::suites_dir())
        .arg("--candidate")
        .arg(dir.join("remote.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "remote.toml:{line}: [issuer] allow_http = true is only for a candidate on this machine"
        )),
        "{err}"
    );
}

#[test]
fn a_candidate_where_nothing_listens_exits_3_at_once_with_one_message() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempdir("dead-port");
    let manifest = std::fs::read_to_string(common::workspace().join("candidates/reference-issuer.toml"))
        .unwrap()
        .replace("127.0.0.1:8300", &format!("127.0.0.1:{port}"))
        .replace("ca_file = \"../reports/out/reference-ca.pem\"", "");
    std::fs::write(dir.join("dead.toml"), manifest).unwrap();
    let started = std::time::Instant::now();
    let out = dialtone()
        .args(["run", "--suites"])
        .arg(common::suites_dir())
        .arg("--candidate")
        .arg(dir.join("dead.toml"))
        .arg("--out")
        .arg(dir.join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_eq!(
        stderr.trim(),
        format!(
            "dialtone: cannot reach the candidate at https://127.0.0.1:{port}: connection refused — is it running?"
        )
    );
    // Nothing was tested: no rows, no reports.
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(!dir.join("out/report.json").exists());
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
}

#[test]
fn run_with_no_candidate_tests_the_reference_and_exits_0() {
    let dir = tempdir("reference-run");
    let out = dialtone()
        .args(["run", "--seed", "5", "--suites"])
        .arg(common::suites_dir())
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("0 fail"), "{stdout}");
    let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    assert!(junit.contains("<testsuite") && junit.contains("VCI-ISS-TOKEN-003"));
}

fn tempdir(name: &str) -> std::path::PathBuf {
    common::tempdir(&format!("test-{name}"))
}

/// `dialtone mutants | head`: a reader that goes away ends the output quietly — no panic message,
/// the command's own exit code — rather than "failed printing to stdout: Broken pipe".
#[test]
fn a_closed_stdout_ends_the_output_quietly() {
    let dir = tempdir("closed-pipe");
    let (err, code) = (dir.join("stderr"), dir.join("code"));
    // The reader (`true`) is gone before dialtone writes its first line: every write meets EPIPE.
    let script = r#"{ sleep 0.3; "$0" mutants 2>"$1"; echo $? >"$2"; } | true"#;
    let status =
        Command::new("sh").args(["-c", script, env!("CARGO_BIN_EXE_dialtone")]).arg(&err).arg(&code).status().unwrap();
    assert!(status.success());
    let stderr = std::fs::read_to_string(&err).unwrap();
    assert_eq!(std::fs::read_to_string(&code).unwrap().trim(), "0", "{stderr}");
    assert!(!stderr.contains("panicked") && stderr.is_empty(), "{stderr}");
}
