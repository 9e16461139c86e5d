//! The built-in reference candidates, as servers and as candidate manifests.

use dialtone_engine::manifest::Manifest;
use dialtone_roles::issuer::{self, Fault, IssuerConfig};
use dialtone_roles::server::RunningServer;
use dialtone_roles::tls::TestPki;
use std::sync::OnceLock;

/// The reference issuer's manifest (`candidates/reference-issuer.toml`), pointed at `base_url`.
pub const REFERENCE_ISSUER_MANIFEST: &str = include_str!("../../../candidates/reference-issuer.toml");
const EXAMPLE_BASE: &str = "https://127.0.0.1:8300";
const EXAMPLE_CA_LINE: &str = "ca_file = \"reports/out/reference-ca.pem\"";

/// The PKI of this process's runs: one authority the harness trusts, one loopback certificate.
pub fn run_pki() -> Result<&'static TestPki, String> {
    static PKI: OnceLock<Result<TestPki, String>> = OnceLock::new();
    PKI.get_or_init(TestPki::generate).as_ref().map_err(Clone::clone)
}

/// The example manifest, pointed at a running reference issuer that the run's CA vouches for.
pub fn issuer_manifest(base_url: &str, name_suffix: Option<&str>, ca_der: Option<&[u8]>) -> Result<Manifest, String> {
    let mut text = REFERENCE_ISSUER_MANIFEST.replace(EXAMPLE_BASE, base_url).replace(EXAMPLE_CA_LINE, "");
    if base_url.starts_with("http://") {
        text = text.replace("[issuer]\n", "[issuer]\nallow_http = true\n");
    }
    if let Some(suffix) = name_suffix {
        text = text.replace(
            "name = \"dialtone reference issuer\"",
            &format!("name = \"dialtone reference issuer ({suffix})\""),
        );
    }
    let mut manifest = Manifest::parse(&text, "candidates/reference-issuer.toml").map_err(|e| e.to_string())?;
    if let Some(der) = ca_der {
        manifest.tls.ca_der.push(der.to_vec());
    }
    Ok(manifest)
}

/// Starts the reference issuer (or one mutant) on loopback over TLS, and returns it with its manifest.
pub async fn start_issuer(
    fault: Option<Fault>,
    seed: Option<u64>,
    port: u16,
) -> Result<(RunningServer, Manifest), String> {
    let pki = run_pki()?;
    let server = issuer::start(IssuerConfig { fault, seed }, port, Some(pki.server_config.clone()))
        .await
        .map_err(|e| format!("cannot start the reference issuer on port {port}: {e}"))?;
    let manifest = issuer_manifest(&server.base_url, fault.map(|f| f.name()), Some(&pki.ca_der))?;
    Ok((server, manifest))
}
