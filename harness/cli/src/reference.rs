//! The built-in reference candidates, as servers and as candidate manifests.

use dialtone_engine::manifest::Manifest;
use dialtone_roles::issuer::{self, Fault, IssuerConfig};
use dialtone_roles::server::RunningServer;

/// The reference issuer's manifest (`candidates/reference-issuer.toml`), pointed at `base_url`.
pub const REFERENCE_ISSUER_MANIFEST: &str = include_str!("../../../candidates/reference-issuer.toml");

pub fn issuer_manifest(base_url: &str, name_suffix: Option<&str>) -> Result<Manifest, String> {
    let mut text = REFERENCE_ISSUER_MANIFEST.replace("http://127.0.0.1:8300", base_url);
    if let Some(suffix) = name_suffix {
        text = text.replace(
            "name = \"dialtone reference issuer\"",
            &format!("name = \"dialtone reference issuer ({suffix})\""),
        );
    }
    Manifest::parse(&text, "candidates/reference-issuer.toml").map_err(|e| e.to_string())
}

/// Starts the reference issuer (or one mutant) on loopback and returns it with its manifest.
pub async fn start_issuer(
    fault: Option<Fault>,
    seed: Option<u64>,
    port: u16,
) -> Result<(RunningServer, Manifest), String> {
    let server = issuer::start(IssuerConfig { fault, seed }, port)
        .await
        .map_err(|e| format!("cannot start the reference issuer: {e}"))?;
    let manifest = issuer_manifest(&server.base_url, fault.map(|f| f.name()))?;
    Ok((server, manifest))
}
