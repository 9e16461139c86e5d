//! The built-in reference candidates, as servers and as candidate manifests. Together they are the
//! embedded default candidate: one manifest playing every role the references implement.

use dialtone_engine::manifest::Manifest;
use dialtone_roles::issuer::{self, Fault, IssuerConfig};
use dialtone_roles::registry::{self, Ecosystem, RegistryConfig, RegistryFault};
use dialtone_roles::server::RunningServer;
use dialtone_roles::tls::TestPki;
use std::sync::OnceLock;

pub const REFERENCE_ISSUER_MANIFEST: &str = include_str!("../../../candidates/reference-issuer.toml");
pub const REFERENCE_REGISTRY_MANIFEST: &str = include_str!("../../../candidates/reference-registry.toml");
const EXAMPLE_ISSUER: &str = "https://127.0.0.1:8300";
const EXAMPLE_REGISTRY: &str = "https://127.0.0.1:8400";
const EXAMPLE_CA_LINE: &str = "ca_file = \"reports/out/reference-ca.pem\"";

/// The PKI of this process's runs: one authority the harness trusts, one loopback certificate.
pub fn run_pki() -> Result<&'static TestPki, String> {
    static PKI: OnceLock<Result<TestPki, String>> = OnceLock::new();
    PKI.get_or_init(TestPki::generate).as_ref().map_err(Clone::clone)
}

/// Points an example manifest at running servers and at the run's CA.
fn example_manifest(text: &str, issuer: &str, registry: &str, origin: &str) -> Result<Manifest, String> {
    let mut text =
        text.replace(EXAMPLE_ISSUER, issuer).replace(EXAMPLE_REGISTRY, registry).replace(EXAMPLE_CA_LINE, "");
    for (section, base) in [("[issuer]\n", issuer), ("[registry]\n", registry)] {
        if base.starts_with("http://") {
            text = text.replace(section, &format!("{section}allow_http = true\n"));
        }
    }
    Manifest::parse(&text, origin).map_err(|e| e.to_string())
}

/// Which reference a mutant belongs to.
#[derive(Debug, Clone, Copy)]
pub enum Mutant {
    Issuer(Fault),
    Registry(RegistryFault),
}

impl Mutant {
    pub fn from_name(name: &str) -> Option<Self> {
        Fault::from_name(name).map(Self::Issuer).or_else(|| RegistryFault::from_name(name).map(Self::Registry))
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Issuer(f) => f.name(),
            Self::Registry(f) => f.name(),
        }
    }
}

/// The reference servers of one run and the manifest that describes them as one candidate.
pub struct References {
    pub servers: Vec<RunningServer>,
    pub manifest: Manifest,
}

impl References {
    pub async fn stop(self) {
        for s in self.servers {
            s.stop().await;
        }
    }
}

/// Starts every reference candidate on free loopback ports over TLS, `mutant` (if any) in place of
/// its reference.
pub async fn start_references(mutant: Option<Mutant>, seed: Option<u64>) -> Result<References, String> {
    let pki = run_pki()?;
    let tls = Some(pki.server_config.clone());
    let issuer_fault = match mutant {
        Some(Mutant::Issuer(f)) => Some(f),
        _ => None,
    };
    let registry_fault = match mutant {
        Some(Mutant::Registry(f)) => Some(f),
        _ => None,
    };
    let issuer = issuer::start(IssuerConfig { fault: issuer_fault, seed }, 0, tls.clone())
        .await
        .map_err(|e| format!("cannot start the reference issuer: {e}"))?;
    let ecosystem = Ecosystem::parse(registry::ecosystem::EXAMPLE, &issuer.base_url)?;
    let registry = registry::start(RegistryConfig { fault: registry_fault, ecosystem }, 0, tls)
        .await
        .map_err(|e| format!("cannot start the reference registry: {e}"))?;
    let mut manifest = example_manifest(
        REFERENCE_ISSUER_MANIFEST,
        &issuer.base_url,
        &registry.base_url,
        "candidates/reference-issuer.toml",
    )?;
    let registry_manifest = example_manifest(
        REFERENCE_REGISTRY_MANIFEST,
        &issuer.base_url,
        &registry.base_url,
        "candidates/reference-registry.toml",
    )?;
    manifest.candidate.name = match mutant {
        Some(m) => format!("dialtone reference candidates (mutant {})", m.name()),
        None => "dialtone reference candidates".into(),
    };
    manifest.candidate.roles.push("registry".into());
    manifest.registry = registry_manifest.registry;
    manifest.conformance.features.extend(registry_manifest.conformance.features);
    manifest.tls.ca_der.push(pki.ca_der.clone());
    Ok(References { servers: vec![issuer, registry], manifest })
}
