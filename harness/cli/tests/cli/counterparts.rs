//! A verifier configured before the run, as a real one is: `dialtone counterparts export` writes
//! what it must trust, the same bytes on every run with the same seed (or persistent authority) and
//! manifest; a standalone reference verifier configured only from that folder passes the verifier
//! plan, and fails it when the run's counterparts are others. The standalone reference wallet passes
//! its plan too.

use crate::common;

use common::free_port;
use std::path::{Path, PathBuf};
use std::process::Command;

fn dialtone(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dialtone"));
    c.current_dir(dir).env_remove("DIALTONE_TEST_CA_DIR");
    c
}

fn tempdir(name: &str) -> PathBuf {
    common::tempdir(&format!("counterparts-{name}"))
}

/// The reference verifier's manifest, its counterparts on `ports` (trusted issuer, untrusted issuer,
/// registry), the verifier at `verifier`, its CA in `verifier-ca.pem` beside the manifest.
fn manifest(dir: &Path, name: &str, verifier: u16, ports: [u16; 3], features: &str) -> PathBuf {
    let text = std::fs::read_to_string(common::workspace().join("candidates/reference-verifier.toml"))
        .unwrap()
        .replace("127.0.0.1:8500", &format!("127.0.0.1:{verifier}"))
        .replace("= 8501", &format!("= {}", ports[0]))
        .replace("= 8502", &format!("= {}", ports[1]))
        .replace("= 8503", &format!("= {}", ports[2]))
        .replace("\"../reports/out/reference-ca.pem\"", "\"verifier-ca.pem\"")
        .replace("\"trust_registry\", ", "")
        .replace("features = [", &format!("features = [{features}"));
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Every file under `dir`, by relative path, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                out.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn export(dir: &Path, out: &str, candidate: &Path, seed: Option<u64>) -> std::process::Output {
    export_with(dir, out, candidate, seed, None)
}

/// An export, under the persistent test authority in `ca` when given.
fn export_with(dir: &Path, out: &str, candidate: &Path, seed: Option<u64>, ca: Option<&Path>) -> std::process::Output {
    let mut c = dialtone(dir);
    if let Some(ca) = ca {
        c.env("DIALTONE_TEST_CA_DIR", ca);
    }
    c.args(["counterparts", "export", out, "--candidate"]).arg(candidate);
    if let Some(seed) = seed {
        c.args(["--seed", &seed.to_string()]);
    }
    c.output().unwrap()
}

/// An issuer under test is told the harness's wallet provider: its key follows from the seed, and is
/// the one the run's attestations are signed with (the reference issuer started with that seed
/// trusts it).
#[test]
fn an_issuer_manifest_exports_the_wallet_provider_of_the_seed() {
    let dir = tempdir("wallet-provider");
    let issuer = common::workspace().join("candidates/reference-issuer.toml");
    let o = export(&dir, "wp", &issuer, Some(7));
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let jwk: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("wp/wallet-provider/jwk.json")).unwrap()).unwrap();
    let setup = dialtone_drivers::counterparts::Setup { seed: Some(7), ports: None };
    assert_eq!(jwk, setup.wallet_provider().public_jwk());
    assert!(jwk.get("d").is_none(), "the public key only");
    let readme = std::fs::read_to_string(dir.join("wp/README.txt")).unwrap();
    assert!(readme.contains("--seed 7") && readme.contains("Client Attester"), "{readme}");
    let o = export(&dir, "unseeded", &issuer, None);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let default: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("unseeded/wallet-provider/jwk.json")).unwrap()).unwrap();
    let unseeded = dialtone_drivers::counterparts::Setup { seed: None, ports: None };
    assert_eq!(default, unseeded.wallet_provider().public_jwk(), "the default test wallet provider");
    assert_ne!(default, jwk, "another than the seed's");
}

#[test]
fn two_exports_with_the_same_seed_or_authority_are_byte_identical() {
    let dir = tempdir("export");
    let m = manifest(&dir, "verifier.toml", free_port(), [18501, 18502, 18503], "");
    for out in ["a", "b", "c"] {
        let seed = if out == "c" { 4 } else { 3 };
        let o = export(&dir, out, &m, Some(seed));
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let (a, b, c) = (files(&dir.join("a")), files(&dir.join("b")), files(&dir.join("c")));
    let names: Vec<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "README.txt",
        "anchor.pem",
        "iaca.pem",
        "counterparts.json",
        "registry.json",
        "trusted-issuer/certificate.pem",
        "trusted-issuer/identifier.txt",
        "trusted-issuer/jwks.json",
        "untrusted-issuer/jwks.json",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    assert_eq!(a, b, "the same seed and manifest: the same bytes");
    let anchor = |f: &[(String, Vec<u8>)]| f.iter().find(|(n, _)| n == "anchor.pem").unwrap().1.clone();
    assert_ne!(anchor(&a), anchor(&c), "another seed: another authority");
    let iaca = a.iter().find(|(n, _)| n == "iaca.pem").unwrap().1.clone();
    assert_eq!(iaca, anchor(&a), "the mdocs' IACA is the run's authority");
    let identifier = String::from_utf8(a.iter().find(|(n, _)| n == "trusted-issuer/identifier.txt").unwrap().1.clone());
    assert_eq!(identifier.unwrap(), "https://127.0.0.1:18501\n");
    let registry: serde_json::Value =
        serde_json::from_slice(&a.iter().find(|(n, _)| n == "registry.json").unwrap().1).unwrap();
    assert_eq!(registry["url"], "https://127.0.0.1:18503");
    assert_eq!(registry["does_not_authorize"][0], "https://127.0.0.1:18502");
    assert!(registry["authorizes"].as_array().unwrap().iter().all(|s| s["entity_id"] == "https://127.0.0.1:18501"));

    // A persistent test authority, no seed: the same bytes too.
    let ca = dir.join("ca");
    for out in ["p", "q"] {
        let o = export_with(&dir, out, &m, None, Some(&ca));
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(files(&dir.join("p")), files(&dir.join("q")));
    assert_eq!(std::fs::read(dir.join("p/anchor.pem")).unwrap(), std::fs::read(ca.join("ca.pem")).unwrap());

    // Neither: nothing to configure in advance.
    let o = export(&dir, "none", &m, None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--seed"), "{}", String::from_utf8_lossy(&o.stderr));
    let loose = dir.join("loose.toml");
    let text = std::fs::read_to_string(&m).unwrap();
    std::fs::write(&loose, &text[..text.find("[counterparts]").unwrap()]).unwrap();
    let o = export(&dir, "loose", &loose, Some(3));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no [counterparts] section"));
    let _ = std::fs::remove_dir_all(&dir);
}

fn run(dir: &Path, candidate: &Path, seed: u64, out: &str) -> (i32, serde_json::Value) {
    let o = dialtone(dir)
        .args(["run", "--suites"])
        .arg(common::suites_dir())
        .arg("--candidate")
        .arg(candidate)
        .args(["--seed", &seed.to_string(), "--out", out])
        .output()
        .unwrap();
    let report = std::fs::read_to_string(dir.join(out).join("report.json"))
        .unwrap_or_else(|_| panic!("{}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)));
    (o.status.code().unwrap_or(-1), serde_json::from_str(&report).unwrap())
}

fn verdict<'a>(report: &'a serde_json::Value, id: &str) -> &'a str {
    report["results"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap()["verdict"].as_str().unwrap()
}

#[test]
fn a_verifier_configured_from_the_export_passes_the_plan_and_only_for_those_counterparts() {
    let dir = tempdir("configured");
    let (verifier, ports) = (free_port(), [free_port(), free_port(), free_port()]);
    let by_metadata = manifest(&dir, "verifier.toml", verifier, ports, "\"trust_registry\", ");
    let by_x5c = manifest(&dir, "verifier-x5c.toml", verifier, ports, "\"trust_registry\", \"issuer_keys:x5c\", ");
    let o = export(&dir, "trust", &by_metadata, Some(9));
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));

    // The verifier knows only the folder (its own authority is another: no --seed).
    let mut command = dialtone(&dir);
    command.args(["reference", "verifier", "--port", &verifier.to_string(), "--counterparts", "trust"]);
    command.args(["--ca-out", "verifier-ca.pem"]);
    let (_running, base) = common::serve_reference(command);
    assert_eq!(base, format!("https://127.0.0.1:{verifier}"));

    let (code, report) = run(&dir, &by_metadata, 9, "out-metadata");
    assert_eq!(code, 0, "{}", report["summary"]);
    assert_eq!(verdict(&report, "OID4VP-VER-PRES-001"), "pass");
    assert_eq!(verdict(&report, "OID4VP-VER-PRES-015"), "pass");
    let (code, report) = run(&dir, &by_x5c, 9, "out-x5c");
    assert_eq!(code, 0, "x5c chains without the anchor validate to the exported anchor: {}", report["summary"]);
    assert_eq!(verdict(&report, "OID4VP-VER-PRES-001"), "pass");

    // A statement that claims no trust registry: the registry case says what it would need, and skips.
    let no_registry = manifest(&dir, "verifier-no-registry.toml", verifier, ports, "");
    let (code, report) = run(&dir, &no_registry, 9, "out-no-registry");
    assert_eq!(code, 0, "{}", report["summary"]);
    let pres015 = report["results"].as_array().unwrap().iter().find(|r| r["id"] == "OID4VP-VER-PRES-015").unwrap();
    assert_eq!(pres015["verdict"], "skip");
    let reason =
        pres015["observed"].as_str().unwrap_or_default().to_string() + pres015["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("feature:trust_registry") && reason.contains("dialtone counterparts export"), "{pres015}");

    // Another seed: other counterparts, which the verifier was not configured with.
    let (code, report) = run(&dir, &by_metadata, 10, "out-other");
    assert_eq!(code, 1);
    assert_eq!(verdict(&report, "OID4VP-VER-PRES-001"), "fail");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `dialtone reference wallet` runs standalone; with the run's --seed it shares the run's test
/// authority, so it trusts the issuers and verifiers each wallet case starts, and passes the plan.
#[test]
fn the_standalone_reference_wallet_passes_the_wallet_plan() {
    let dir = tempdir("wallet");
    let port = free_port();
    let text = std::fs::read_to_string(common::workspace().join("candidates/reference-wallet.toml"))
        .unwrap()
        .replace("127.0.0.1:8600", &format!("127.0.0.1:{port}"))
        .replace("\"../reports/out/reference-ca.pem\"", "\"wallet-ca.pem\"");
    std::fs::write(dir.join("wallet.toml"), text).unwrap();
    let mut command = dialtone(&dir);
    command.args(["reference", "wallet", "--port", &port.to_string(), "--seed", "6", "--ca-out", "wallet-ca.pem"]);
    let (_running, base) = common::serve_reference(command);
    assert_eq!(base, format!("https://127.0.0.1:{port}"));
    let (code, report) = run(&dir, &dir.join("wallet.toml"), 6, "out");
    assert_eq!(code, 0, "{}", report["summary"]);
    assert!(report["results"].as_array().unwrap().len() >= 20);
    let _ = std::fs::remove_dir_all(&dir);
}
