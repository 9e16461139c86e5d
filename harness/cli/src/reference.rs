//! The built-in reference candidates, as servers and as candidate manifests. Together they are the
//! embedded default candidate: one manifest playing every role the references implement.

use dialtone_drivers::counterparts::{self, Counterparts, RegistryRef};
use dialtone_drivers::manifest::Manifest;
use dialtone_engine::role::Role;
use dialtone_roles::issuer::{self, IssuerConfig, IssuerFault};
use dialtone_roles::registry::{self, Ecosystem, RegistryConfig, RegistryFault};
use dialtone_roles::seam::SeamLog;
use dialtone_roles::server::RunningServer;
use dialtone_roles::tls::TestPki;
use dialtone_roles::vc_api::{self, VcApiConfig, VcApiFault};
use dialtone_roles::verifier::{self, VerifierConfig, VerifierFault};
use dialtone_roles::wallet::{self, WalletConfig, WalletFault};
use std::sync::Arc;
use std::sync::{Mutex, OnceLock};

pub(crate) const REFERENCE_ISSUER_MANIFEST: &str = include_str!("../../../candidates/reference-issuer.toml");
pub(crate) const REFERENCE_REGISTRY_MANIFEST: &str = include_str!("../../../candidates/reference-registry.toml");
pub(crate) const REFERENCE_VERIFIER_MANIFEST: &str = include_str!("../../../candidates/reference-verifier.toml");
pub(crate) const REFERENCE_WALLET_MANIFEST: &str = include_str!("../../../candidates/reference-wallet.toml");
const EXAMPLE_VERIFIER: &str = "https://127.0.0.1:8500";
const EXAMPLE_WALLET: &str = "https://127.0.0.1:8600";
const EXAMPLE_ISSUER: &str = "https://127.0.0.1:8300";
const EXAMPLE_REGISTRY: &str = "https://127.0.0.1:8400";
const EXAMPLE_CA_LINE: &str = "ca_file = \"../reports/out/reference-ca.pem\"";

/// The PKI of a run: one authority the harness trusts, one loopback certificate.
/// `DIALTONE_TEST_CA_DIR` keeps the authority's key in that folder across runs (its `ca.pem` is what a
/// candidate started beforehand — a wallet fetching from dialtone's issuers — trusts); else `--seed`
/// derives it from the seed (the same authority on every run with that seed); else every process
/// makes its own.
pub fn run_pki(seed: Option<u64>) -> Result<TestPki, String> {
    static PERSISTENT: OnceLock<Result<TestPki, String>> = OnceLock::new();
    static FRESH: OnceLock<Result<TestPki, String>> = OnceLock::new();
    static SEEDED: Mutex<Vec<(u64, TestPki)>> = Mutex::new(Vec::new());
    if let Some(dir) = std::env::var_os("DIALTONE_TEST_CA_DIR").filter(|d| !d.is_empty()) {
        return PERSISTENT.get_or_init(|| TestPki::persistent(std::path::Path::new(&dir))).clone();
    }
    let Some(seed) = seed else { return FRESH.get_or_init(TestPki::generate).clone() };
    let mut seeded = SEEDED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, pki)) = seeded.iter().find(|(s, _)| *s == seed) {
        return Ok(pki.clone());
    }
    let pki = TestPki::seeded(seed)?;
    seeded.push((seed, pki.clone()));
    Ok(pki)
}

/// Points an example manifest at running servers and at the run's CA.
fn example_manifest(text: &str, bases: &Bases, origin: &str) -> Result<Manifest, String> {
    let (issuer, registry) = (bases.issuer.as_str(), bases.registry.as_str());
    let mut text = text
        .replace(EXAMPLE_ISSUER, issuer)
        .replace(EXAMPLE_REGISTRY, registry)
        .replace(EXAMPLE_VERIFIER, &bases.verifier)
        .replace(EXAMPLE_WALLET, &bases.wallet)
        .replace(EXAMPLE_CA_LINE, "");
    for (section, base) in [("[issuer]\n", issuer), ("[registry]\n", registry)] {
        if base.starts_with("http://") {
            text = text.replace(section, &format!("{section}allow_http = true\n"));
        }
    }
    Manifest::parse(&text, origin).map_err(|e| e.to_string())
}

struct Bases {
    issuer: String,
    registry: String,
    verifier: String,
    wallet: String,
}

/// A mutant of one of the references, by the name suites use (`dialtone mutants`): each reference
/// takes the fault of its own family and ignores the others.
#[derive(Debug, Clone, Copy)]
pub struct Mutant(&'static str);

impl Mutant {
    pub fn from_name(name: &str) -> Option<Self> {
        dialtone_roles::mutant::catalog().into_iter().find(|m| m.name == name).map(|m| Mutant(m.name))
    }
    pub fn name(self) -> &'static str {
        self.0
    }
}

/// How long a second lasts on the clock of references only the harness meets (its own process):
/// the waits the plan makes on announced seconds (a request URI's 2-second `expires_in`, the
/// 1-second deferred `interval`s) take half as long, while every step between them keeps the slack
/// of a loaded machine. Candidates outside the process, and references they meet, keep real seconds.
pub(crate) const IN_PROCESS_SECOND: std::time::Duration = std::time::Duration::from_millis(500);

/// The reference servers of one run and the manifest that describes them as one candidate.
pub struct References {
    pub servers: Vec<RunningServer>,
    pub manifest: Manifest,
    pub counterparts: Arc<Counterparts>,
    /// The base URL of each reference with mutants, by the role its mutants name (`issuer`, …).
    pub(crate) by_role: Vec<(&'static str, String)>,
}

/// The references whose mutants can change the cases of a binding: the reference behind it and
/// those it asks in turn — the reference verifier asks the reference registry, and a chain meets the
/// issuer, the wallet, the verifier and its registry. A mutant of any other reference leaves those
/// cases as the reference leaves them, so the selftest runs a mutant only against the cases that
/// reach it (and checks, on the reference's run, that no case's own requests go elsewhere).
pub(crate) fn reached_by(binding: &str) -> &'static [&'static str] {
    match binding {
        "oid4vci-issuer" => &["issuer"],
        "oid4vp-verifier" => &["verifier", "registry"],
        "oid4vc-wallet" => &["wallet"],
        "trqp-registry" => &["registry"],
        "vc-api" => &["vc_api"],
        "chain" => &["issuer", "wallet", "verifier", "registry"],
        _ => &["issuer", "registry", "verifier", "wallet", "vc_api"],
    }
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
    start_references_with(mutant, seed, &InteropPeers::default()).await
}

/// [`start_references`] without a mutant, noting in `seams` which case read which part of each
/// reference's behaviour (the selftest's reference run).
pub(crate) async fn start_references_noting(seed: Option<u64>, seams: Arc<SeamLog>) -> Result<References, String> {
    start_references_on(None, seed, seed, &InteropPeers::default(), None, Some(seams)).await
}

/// Other candidates the references meet in an interop matrix: issuers their registry authorizes
/// (as the jurisdiction running the readiness check would) and the roots of those issuers' `x5c`
/// chains, which their verifier trusts.
#[derive(Debug, Clone, Default)]
pub(crate) struct InteropPeers {
    pub issuers: Vec<String>,
    pub x5c_roots: Vec<Vec<u8>>,
    /// Roots (DER) of other verifiers' request-signing certificates, which the reference wallet trusts.
    pub(crate) request_roots: Vec<Vec<u8>>,
    /// A verifier in the matrix resolves issuer keys only from x5c: the reference issuer signs so,
    /// with a chain from the run's authority.
    pub(crate) issuer_x5c: bool,
    /// Candidates outside the harness's process meet the references: their clock keeps real
    /// seconds (else [`IN_PROCESS_SECOND`]).
    pub(crate) outside: bool,
}

/// [`start_references`], also trusting `peers`.
pub(crate) async fn start_references_with(
    mutant: Option<Mutant>,
    seed: Option<u64>,
    peers: &InteropPeers,
) -> Result<References, String> {
    start_references_on(mutant, seed, seed, peers, None, None).await
}

/// `n` sets of the references, each set a simulated candidate of every role whose registry
/// authorizes every set's issuer: the participants of an interop matrix of `n` issuers, `n` wallets
/// and `n` verifiers (`dialtone bench --interop N`). All in the harness's process, and unseeded: sets
/// of one seed would be twins, whose wallets send the same nonces (which the other sets' issuers then
/// refuse as replays).
pub(crate) async fn start_reference_sets(n: usize) -> Result<Vec<References>, String> {
    start_interop_sets(&vec![None; n], None, &InteropPeers::default()).await
}

/// Sets of the references for an interop matrix, one per entry of `mutants` (that mutant in place
/// of its reference, or none), each meeting `peers` and authorizing every other set's issuer. They
/// share the run's authority (from `seed`); with a seed, set `k` makes its keys and nonces from
/// `seed + k`, so that no two sets are twins and a matrix of seeded sets is the same on every run.
pub(crate) async fn start_interop_sets(
    mutants: &[Option<Mutant>],
    seed: Option<u64>,
    peers: &InteropPeers,
) -> Result<Vec<References>, String> {
    let n = mutants.len();
    // The issuers' listeners first: their identifiers hold their ports, and every registry names them.
    let mut listeners = Vec::new();
    let mut identifiers = Vec::new();
    for _ in 0..n {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| format!("cannot listen on loopback: {e}"))?;
        let addr = listener.local_addr().map_err(|e| format!("cannot listen on loopback: {e}"))?;
        identifiers.push(format!("https://{addr}"));
        listeners.push(listener);
    }
    let mut sets = Vec::new();
    for ((k, listener), mutant) in listeners.into_iter().enumerate().zip(mutants) {
        let mut peers = peers.clone();
        peers.issuers.extend(identifiers.iter().enumerate().filter(|(j, _)| *j != k).map(|(_, id)| id.clone()));
        let own_seed = seed.map(|s| s.wrapping_add(k as u64));
        match start_references_on(*mutant, own_seed, seed, &peers, Some(listener), None).await {
            Ok(set) => sets.push(set),
            Err(e) => {
                for set in sets {
                    set.stop().await;
                }
                return Err(e);
            }
        }
    }
    Ok(sets)
}

/// [`start_references_with`], the issuer on `issuer_listener` when given (else a free port), under
/// the authority of `pki_seed` (sets of one matrix share it), noting their behaviour's reads in
/// `seams` when given.
async fn start_references_on(
    mutant: Option<Mutant>,
    seed: Option<u64>,
    pki_seed: Option<u64>,
    peers: &InteropPeers,
    issuer_listener: Option<tokio::net::TcpListener>,
    seams: Option<Arc<SeamLog>>,
) -> Result<References, String> {
    let pki = run_pki(pki_seed)?;
    let pki = &pki;
    let tls = Some(pki.server_config.clone());
    let issuer_fault = mutant.and_then(|m| IssuerFault::from_name(m.name()));
    let registry_fault = mutant.and_then(|m| RegistryFault::from_name(m.name()));
    let verifier_fault = mutant.and_then(|m| VerifierFault::from_name(m.name()));
    let clock_second = (!peers.outside).then_some(IN_PROCESS_SECOND);
    // The counterpart issuers; the verifier under test asks the reference registry about them.
    let setup = counterparts::Setup { seed, ports: None };
    let (mut servers, trusted, untrusted) = counterparts::start_issuers(&setup, pki).await?;
    // The reference issuer trusts the harness's wallet provider (for client and key attestations).
    // One wallet provider for the sets of a matrix (the harness's, of the run's seed): every set's
    // issuer trusts every set's wallet.
    let wallet_provider = counterparts::Setup { seed: pki_seed, ports: None }.wallet_provider();
    let issuer_config = IssuerConfig {
        fault: issuer_fault,
        seed,
        attesters: vec![wallet_provider.public_jwk()],
        announced_second: clock_second,
        seams: seams.clone(),
        ..IssuerConfig::default()
    };
    let (issuer, issuer_handle) = match issuer_listener {
        Some(listener) => {
            let addr = listener.local_addr().map_err(|e| format!("cannot start the reference issuer: {e}"))?;
            let minter = Arc::new(issuer::minter(&issuer_config, format!("https://{addr}")));
            issuer::serve(issuer_config, listener, minter, tls.clone())
        }
        None => issuer::start_with_minter(issuer_config, 0, tls.clone()).await,
    }
    .map_err(|e| format!("cannot start the reference issuer: {e}"))?;
    // Its mdocs' document signer certificate comes from the run's authority (the IACA).
    issuer_handle.minter.mdoc_from(pki)?;
    if peers.issuer_x5c {
        issuer_handle.minter.x5c_from(pki)?;
        issuer_handle.minter.prefer_x5c(true);
    }
    let mut ecosystem_text = registry::ecosystem::EXAMPLE.to_string();
    for peer in &peers.issuers {
        ecosystem_text.push_str(&format!(
            "\n[[authorization]]\nentity_id = {}\naction = \"issue\"\nresource = \"urn:dialtone:vct:verified-person:1\"\n",
            toml_string(peer)
        ));
    }
    let ecosystem = Ecosystem::parse_with(
        &ecosystem_text,
        &[
            ("{reference_issuer}", issuer.base_url.as_str()),
            ("{counterpart_issuer}", trusted.minter.identifier.as_str()),
        ],
    )?;
    let authority_id = ecosystem.authority_id.clone();
    let registry_ref = RegistryRef::new(String::new(), &ecosystem, &trusted.minter.identifier);
    let registry =
        registry::start(RegistryConfig { fault: registry_fault, ecosystem, seams: seams.clone() }, 0, tls.clone())
            .await
            .map_err(|e| format!("cannot start the reference registry: {e}"))?;
    let registry_ref = RegistryRef { url: registry.base_url.clone(), ..registry_ref };
    let counterparts = Arc::new(Counterparts {
        trusted,
        untrusted,
        registry: registry_ref,
        pki: pki.clone(),
        wallet_provider: wallet_provider.clone(),
    });
    let mut verifier_config =
        VerifierConfig::on_loopback(pki, registry.base_url.clone(), authority_id, verifier_fault, seed);
    verifier_config.x5c_roots = peers.x5c_roots.clone();
    verifier_config.seams = seams.clone();
    verifier_config.x5c_roots.push(pki.ca_der.clone());
    let verifier = verifier::start(verifier_config, 0, tls)
        .await
        .map_err(|e| format!("cannot start the reference verifier: {e}"))?;
    let wallet_fault = mutant.and_then(|m| WalletFault::from_name(m.name()));
    let mut trusted_roots = vec![pki.ca_der.clone()];
    trusted_roots.extend(peers.request_roots.iter().cloned());
    let wallet_config = WalletConfig {
        fault: wallet_fault,
        seed,
        trusted_roots,
        attester: Some(wallet_provider.clone()),
        clock_second,
        seams: seams.clone(),
    };
    let wallet = wallet::start(wallet_config, 0, Some(pki.server_config.clone()))
        .await
        .map_err(|e| format!("cannot start the reference wallet: {e}"))?;
    let vc_api_fault = mutant.and_then(|m| VcApiFault::from_name(m.name()));
    let vc_api_service = vc_api::start(
        VcApiConfig { fault: vc_api_fault, seed, seams: seams.clone() },
        0,
        Some(pki.server_config.clone()),
    )
    .await
    .map_err(|e| format!("cannot start the reference VC-API service: {e}"))?;
    let bases = Bases {
        issuer: issuer.base_url.clone(),
        registry: registry.base_url.clone(),
        verifier: verifier.base_url.clone(),
        wallet: wallet.base_url.clone(),
    };
    let mut manifest = example_manifest(REFERENCE_ISSUER_MANIFEST, &bases, "candidates/reference-issuer.toml")?;
    let registry_manifest =
        example_manifest(REFERENCE_REGISTRY_MANIFEST, &bases, "candidates/reference-registry.toml")?;
    let verifier_manifest =
        example_manifest(REFERENCE_VERIFIER_MANIFEST, &bases, "candidates/reference-verifier.toml")?;
    let wallet_manifest = example_manifest(REFERENCE_WALLET_MANIFEST, &bases, "candidates/reference-wallet.toml")?;
    manifest.candidate.name = match mutant {
        Some(m) => format!("dialtone reference candidates (mutant {})", m.name()),
        None => "dialtone reference candidates".into(),
    };
    manifest.candidate.roles.extend([Role::Registry, Role::Verifier, Role::Wallet]);
    manifest.wallet = wallet_manifest.wallet;
    // The reference wallet is attested by the harness's wallet provider (a seed-dependent key, so
    // named here rather than in candidates/reference-wallet.toml), and claims wallet attestation.
    if let Some(wallet) = manifest.wallet.as_mut() {
        wallet.attester_jwk = Some(wallet_provider.public_jwk());
        if !manifest.conformance.features.iter().any(|f| f == "wallet_attestation") {
            manifest.conformance.features.push("wallet_attestation".into());
        }
    }
    manifest.registry = registry_manifest.registry;
    manifest.verifier = verifier_manifest.verifier;
    manifest.conformance.features.extend(registry_manifest.conformance.features);
    manifest.conformance.features.extend(verifier_manifest.conformance.features);
    // The wallet's claims that the issuer's do not already make (one conformance statement).
    for feature in wallet_manifest.conformance.features {
        if !manifest.conformance.features.contains(&feature) {
            manifest.conformance.features.push(feature);
        }
    }
    manifest.tls.ca_der.push(pki.ca_der.clone());
    manifest.vc_api = Some(dialtone_drivers::manifest::VcApiSection {
        url: vc_api_service.server.base_url.clone(),
        issuer_id: vc_api_service.issuer_id.clone(),
    });
    manifest.clock_second = clock_second;
    let by_role = vec![
        ("issuer", issuer.base_url.clone()),
        ("registry", registry.base_url.clone()),
        ("verifier", verifier.base_url.clone()),
        ("wallet", wallet.base_url.clone()),
        ("vc_api", vc_api_service.server.base_url.clone()),
    ];
    servers.extend([issuer, registry, verifier, wallet, vc_api_service.server]);
    Ok(References { servers, manifest, counterparts, by_role })
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// How a standalone reference verifier (`dialtone reference verifier`) is configured: whom it trusts
/// and which registry it asks.
#[derive(Debug, Clone, Default)]
pub struct VerifierTrust {
    /// A folder `dialtone counterparts export` wrote: its anchor and its registry.
    pub counterparts: Option<std::path::PathBuf>,
    /// The registry to ask (overrides the folder's); default: the standalone reference registry.
    pub registry: Option<String>,
    pub authority_id: Option<String>,
    /// More trust anchors (PEM files), for https and for issuers' x5c chains.
    pub anchors: Vec<std::path::PathBuf>,
}

/// The standalone reference registry's address and the example ecosystem's authority.
const STANDALONE_REGISTRY: &str = EXAMPLE_REGISTRY;

/// Certificates (DER) of a PEM file.
fn pem_file(path: &std::path::Path) -> Result<Vec<Vec<u8>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let certs = dialtone_rules::keys::pem_certificates(&text);
    if certs.is_empty() {
        return Err(format!("{} holds no PEM certificate", path.display()));
    }
    Ok(certs)
}

/// Starts the reference verifier (or a mutant) on `port`, trusting the run's authority and `trust`'s
/// anchors, asking `trust`'s registry. Returns the server and what it was configured with.
pub async fn standalone_verifier(
    port: u16,
    mutant: Option<VerifierFault>,
    seed: Option<u64>,
    trust: &VerifierTrust,
) -> Result<(RunningServer, String), String> {
    let pki = run_pki(seed)?;
    let mut anchors = vec![pki.ca_der.clone()];
    let (mut registry_url, mut authority_id) =
        (STANDALONE_REGISTRY.to_string(), Ecosystem::parse(registry::ecosystem::EXAMPLE, "")?.authority_id);
    if let Some(dir) = &trust.counterparts {
        anchors.extend(pem_file(&dir.join("anchor.pem"))?);
        let path = dir.join("registry.json");
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let registry: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let field = |name: &str| {
            registry.get(name).and_then(serde_json::Value::as_str).map(str::to_string).ok_or_else(|| {
                format!("{}: no {name:?} (write it with `dialtone counterparts export`)", path.display())
            })
        };
        registry_url = field("url")?;
        authority_id = field("authority_id")?;
    }
    for file in &trust.anchors {
        anchors.extend(pem_file(file)?);
    }
    registry_url = trust.registry.clone().unwrap_or(registry_url);
    authority_id = trust.authority_id.clone().unwrap_or(authority_id);
    let mut config = VerifierConfig::on_loopback(&pki, registry_url.clone(), authority_id.clone(), mutant, seed);
    config.trusted_roots = anchors.clone();
    config.x5c_roots = anchors.clone();
    config.iaca_roots.extend(anchors.iter().cloned());
    let server = verifier::start(config, port, Some(pki.server_config.clone()))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let about = format!(
        "asks the trust registry {registry_url} (authority {authority_id}); trusts {} anchor(s) for https and x5c",
        anchors.len()
    );
    Ok((server, about))
}

/// Starts the reference wallet (or a mutant) on `port`, trusting the run's authority and `anchors`
/// (PEM files) for https and for verifiers' request-signing chains.
pub async fn standalone_wallet(
    port: u16,
    mutant: Option<WalletFault>,
    seed: Option<u64>,
    anchors: &[std::path::PathBuf],
) -> Result<RunningServer, String> {
    let pki = run_pki(seed)?;
    let mut trusted_roots = vec![pki.ca_der.clone()];
    for file in anchors {
        trusted_roots.extend(pem_file(file)?);
    }
    // Attested by the wallet provider of a run with the same --seed (or of every unseeded run).
    let attester = Some(counterparts::Setup { seed, ports: None }.wallet_provider());
    let config = WalletConfig { fault: mutant, seed, trusted_roots, attester, clock_second: None, seams: None };
    wallet::start(config, port, Some(pki.server_config.clone()))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))
}
