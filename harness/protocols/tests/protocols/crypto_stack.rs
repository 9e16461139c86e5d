//! One crypto stack where it pays (issue 15): OpenSSL is not linked, so a build needs no OpenSSL
//! headers and no native build of them; what it did (JWE, ES512, Ed448, certificate fields) is
//! RustCrypto's. The workspace's lock file is what every build resolves, so it is read here.

use std::path::Path;

fn repository_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn openssl_is_not_in_the_dependency_tree_and_ci_installs_no_openssl_headers() {
    let lock = repository_file("Cargo.lock");
    let packages: Vec<&str> =
        lock.lines().filter_map(|l| l.strip_prefix("name = \"")).filter_map(|l| l.strip_suffix('"')).collect();
    assert!(packages.contains(&"ring"), "the lock file lists its packages");
    for linked in ["openssl", "openssl-sys", "josekit", "aws-lc-sys", "boring-sys"] {
        assert!(!packages.contains(&linked), "{linked} is in Cargo.lock");
    }
    let ci = repository_file(".ci/run");
    assert!(!ci.contains("libssl-dev"), ".ci/run installs OpenSSL's headers");
}
