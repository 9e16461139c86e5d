//! Signed results as a user meets them: `run --sign` makes a key in the configuration folder and a
//! bundle that `verify` accepts; any changed byte of any bundled file is refused, naming the file;
//! `publish` writes a public view the same signature verifies; `check --sign` signs too.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dialtone(config: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dialtone"));
    c.current_dir(common::workspace()).env("XDG_CONFIG_HOME", config).env_remove("DIALTONE_TEST_CA_DIR");
    c
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Unpacks a bundle with the system's `tar`, as a person would.
fn untar(bundle: &Path, into: &Path) {
    std::fs::create_dir_all(into).unwrap();
    let out = Command::new("tar").arg("-xzf").arg(bundle).arg("-C").arg(into).output().expect("tar");
    assert!(out.status.success(), "{}", text(&out));
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() { out.extend(files_under(&p)) } else { out.push(p) }
    }
    out.sort();
    out
}

#[test]
fn a_signed_run_verifies_and_any_changed_byte_of_any_bundled_file_is_named() {
    let dir = common::tempdir("bundle-run");
    let config = dir.join("config");
    let out = dialtone(&config)
        .args(["run", "--seed", "3", "--only", "VCI-ISS-META", "--sign", "--out"])
        .arg(dir.join("out"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("made your signing key"), "{}", text(&out));
    let key = config.join("dialtone/signing-key.pem");
    assert!(key.is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600, "the key is its owner's");
    }
    let bundle = dir.join("out/bundle.tar.gz");

    // Yours: verified with your own key. Someone else's: intact, but not a key they named (exit 4)
    // until they name it.
    let out = dialtone(&config).arg("verify").arg(&bundle).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stranger = dir.join("stranger");
    let out = dialtone(&stranger).arg("verify").arg(&bundle).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    assert!(text(&out).contains("which you did not name"), "{}", text(&out));
    let public_key = dir.join("vendor.pub.pem");
    let out = dialtone(&config).args(["key", "public"]).output().unwrap();
    std::fs::write(&public_key, &out.stdout).unwrap();
    let out = dialtone(&stranger).arg("verify").arg(&bundle).arg("--key").arg(&public_key).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let other_key = dir.join("other.pem");
    assert!(dialtone(&config).args(["key", "new"]).arg(&other_key).output().unwrap().status.success());
    let out = dialtone(&config).arg("verify").arg(&bundle).arg("--key").arg(&other_key).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("not by the key you trust"), "{}", text(&out));

    // Unpacked, it verifies as a folder; then one byte of each file in turn changed.
    let unpacked = dir.join("unpacked");
    untar(&bundle, &unpacked);
    let out = dialtone(&config).arg("verify").arg(&unpacked).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let files = files_under(&unpacked);
    assert_eq!(files.len(), 7, "{files:?}");
    for file in files {
        let name = file.strip_prefix(&unpacked).unwrap().to_string_lossy().replace('\\', "/");
        let original = std::fs::read(&file).unwrap();
        for at in [0, original.len() / 2, original.len() - 1] {
            let mut changed = original.clone();
            changed[at] ^= 0x01;
            std::fs::write(&file, &changed).unwrap();
            let out = dialtone(&config).arg("verify").arg(&unpacked).output().unwrap();
            assert_eq!(out.status.code(), Some(1), "{name} byte {at}: {}", text(&out));
            assert!(text(&out).contains(&format!("{name} is the file")), "{name} byte {at}: {}", text(&out));
        }
        std::fs::write(&file, &original).unwrap();
    }

    // The public view: written beside the bundle, verified by the same signature.
    let out = dialtone(&config).arg("publish").arg(&bundle).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let public = dir.join("out/bundle.public.tar.gz");
    let out = dialtone(&stranger).arg("verify").arg(&public).arg("--key").arg(&public_key).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("withheld (junit.xml, report.html, report.json)"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_signed_check_binds_the_artifacts_it_judged() {
    let dir = common::tempdir("bundle-check");
    let key = dir.join("ci-key.pem");
    let config = dir.join("config");
    assert!(dialtone(&config).args(["key", "new"]).arg(&key).output().unwrap().status.success());
    let vectors: serde_json::Value =
        serde_json::from_slice(&std::fs::read(common::workspace().join("vectors/sd-jwt-vc.json")).unwrap()).unwrap();
    let artifact = vectors["testGroups"][0]["tests"][0]["artifact"][0].as_str().expect("an artifact").to_string();
    let file = dir.join("credential.txt");
    std::fs::write(&file, &artifact).unwrap();
    let out = dialtone(&config)
        .arg("check")
        .arg(&file)
        .arg(format!("--sign={}", key.display()))
        .arg("--out")
        .arg(dir.join("out"))
        .output()
        .unwrap();
    assert!(dir.join("out/bundle.tar.gz").is_file(), "{}", text(&out));
    let unpacked = dir.join("unpacked");
    untar(&dir.join("out/bundle.tar.gz"), &unpacked);
    let out = dialtone(&config).arg("verify").arg(&unpacked).arg("--key").arg(&key).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("`check`"), "{}", text(&out));
    let bytes = std::fs::read(dir.join("out/bundle.tar.gz")).unwrap();
    let verified = dialtone_bundle::verify(&bytes).unwrap();
    let bound = verified.statement.predicate.inputs.iter().find(|i| i.name == file.display().to_string());
    assert_eq!(bound.and_then(|i| i.sha256()), Some(dialtone_bundle::digest::sha256(artifact.as_bytes()).as_str()));
    // A key file that is not there is a usage error before anything runs.
    let out = dialtone(&config).arg("check").arg(&file).arg("--sign=no-such-key.pem").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let _ = std::fs::remove_dir_all(dir);
}
