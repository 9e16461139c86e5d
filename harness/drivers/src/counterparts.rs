//! The counterparts the harness runs for a verifier under test, handed to every driver through
//! [`crate::Ctx`]: two issuers whose credentials it presents (one the trust registry authorizes, one
//! it does not; the harness owns their keys, so it can mint any credential), the trust registry the
//! verifier asks, and the run's PKI (which the counterparts a wallet case starts for itself use too).
//!
//! A real verifier is configured with its trust before a run: the anchor, the issuers, the registry.
//! So what the counterparts are follows from the run's seed (`--seed`, or the seed a persistent test
//! authority keeps) and the ports a manifest fixes, never from a random port; [`TrustMaterial`] is
//! what a verifier must trust, as `dialtone counterparts export` writes it.

use crate::manifest::CounterpartsSection;
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::oauth::client_attestation::Attester;
use dialtone_protocols::seed::Entropy;
use dialtone_protocols::x509::certificate_pem;
use dialtone_roles::issuer::{self, IssuerConfig, IssuerHandle, Minter};
use dialtone_roles::registry::ecosystem::Statement;
use dialtone_roles::registry::{self, Ecosystem, RegistryConfig};
use dialtone_roles::server::RunningServer;
use dialtone_roles::tls::TestPki;
use serde_json::{Value, json};
use std::sync::Arc;

/// The counterparts of a run.
pub struct Counterparts {
    /// The issuer the registry authorizes.
    pub trusted: IssuerHandle,
    /// The issuer it does not.
    pub untrusted: IssuerHandle,
    pub registry: RegistryRef,
    pub pki: TestPki,
    /// The wallet provider whose client and key attestations the harness, as a wallet, presents to
    /// an issuer under test (which must trust its key).
    pub wallet_provider: Attester,
}

/// The trust registry a verifier under test asks (TRQP v2): the harness's own — or, in a run of the
/// references, the reference registry — with what it says about the counterpart issuers.
#[derive(Debug, Clone)]
pub struct RegistryRef {
    pub url: String,
    pub authority_id: String,
    /// Its authorization statements about the trusted issuer (none is about the untrusted one).
    pub authorizations: Vec<Statement>,
}

impl RegistryRef {
    /// The registry at `url` answering from `ecosystem`, as it concerns the `trusted` issuer.
    pub fn new(url: String, ecosystem: &Ecosystem, trusted: &str) -> Self {
        Self {
            url,
            authority_id: ecosystem.authority_id.clone(),
            authorizations: ecosystem.authorization.iter().filter(|s| s.entity_id == trusted).cloned().collect(),
        }
    }
}

/// How a run makes its counterparts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Setup {
    /// The seed of their keys (`None`: new keys for this run).
    pub seed: Option<u64>,
    /// Fixed ports (`None`: free ports, so identifiers differ from run to run).
    pub ports: Option<CounterpartsSection>,
}

const TRUSTED: u64 = 1;
const UNTRUSTED: u64 = 2;
const REGISTRY: u64 = 0;
const WALLET_PROVIDER: u64 = 3;
/// The harness's wallet provider's identifier (`iss` of its attestations).
pub const WALLET_PROVIDER_ID: &str = "https://wallet-provider.dialtone.invalid";
/// The `client_id` (attestations' `sub`) of the harness's wallet.
pub const WALLET_CLIENT_ID: &str = "https://wallet.dialtone.invalid";

impl Setup {
    /// The run's `--seed`, else the seed a persistent test authority keeps; the manifest's ports.
    pub fn new(seed: Option<u64>, ports: Option<CounterpartsSection>, pki: &TestPki) -> Self {
        Self { seed: seed.or(pki.counterpart_seed), ports }
    }

    /// Whether a verifier can be configured with these counterparts before the run: their keys and
    /// their identifiers are known in advance.
    pub fn reproducible(&self) -> bool {
        self.seed.is_some() && self.ports.is_some()
    }

    /// The harness's wallet provider: its key follows from the seed, and without one it is dialtone's
    /// default test wallet provider (the same key for every unseeded run, so that an issuer
    /// configured once — the standalone reference issuer too — trusts it). A test key, public by
    /// construction: trust it only in a test deployment.
    pub fn wallet_provider(&self) -> Attester {
        let entropy = match self.seed {
            Some(s) => Entropy::seeded(s.wrapping_mul(31).wrapping_add(WALLET_PROVIDER)),
            None => Entropy::seeded(WALLET_PROVIDER).derive("dialtone default test wallet provider"),
        };
        Attester { id: WALLET_PROVIDER_ID.into(), key: EcKey::generate(&entropy) }
    }

    fn issuer_config(&self, label: u64) -> IssuerConfig {
        IssuerConfig { seed: self.seed.map(|s| s.wrapping_mul(31).wrapping_add(label)), ..IssuerConfig::default() }
    }

    fn port(&self, label: u64) -> u16 {
        match (self.ports, label) {
            (Some(p), TRUSTED) => p.trusted_issuer_port,
            (Some(p), UNTRUSTED) => p.untrusted_issuer_port,
            (Some(p), REGISTRY) => p.registry_port,
            (Some(_), _) => 0,
            (None, _) => 0,
        }
    }

    /// The issuing core of a counterpart issuer at `identifier`, with its certificate from `pki`'s
    /// authority (for x5c-signed credentials).
    fn minter(&self, label: u64, identifier: String, pki: &TestPki) -> Result<Arc<Minter>, String> {
        let minter = issuer::minter(&self.issuer_config(label), identifier);
        minter.x5c_from(pki)?;
        minter.mdoc_from(pki)?;
        Ok(Arc::new(minter))
    }
}

fn loopback(port: u16) -> String {
    format!("https://127.0.0.1:{port}")
}

/// The ecosystem of the harness's registry: dialtone's example, its counterpart issuer the trusted
/// one (no reference issuer runs beside a verifier under test).
fn ecosystem(trusted: &str) -> Result<Ecosystem, String> {
    Ecosystem::parse_with(
        registry::ecosystem::EXAMPLE,
        &[("{reference_issuer}", "https://reference-issuer.dialtone.invalid"), ("{counterpart_issuer}", trusted)],
    )
}

/// Starts the two counterpart issuers (trusted, untrusted), over https under `pki`.
pub async fn start_issuers(
    setup: &Setup,
    pki: &TestPki,
) -> Result<(Vec<RunningServer>, IssuerHandle, IssuerHandle), String> {
    let mut servers = Vec::new();
    let mut handles = Vec::new();
    for label in [TRUSTED, UNTRUSTED] {
        let port = setup.port(label);
        let err = |e: std::io::Error| format!("cannot start a counterpart issuer on 127.0.0.1:{port}: {e}");
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.map_err(err)?;
        let identifier = loopback(listener.local_addr().map_err(err)?.port());
        let minter = setup.minter(label, identifier, pki)?;
        let tls = Some(pki.server_config.clone());
        let (server, handle) = issuer::serve(setup.issuer_config(label), listener, minter, tls).map_err(err)?;
        servers.push(server);
        handles.push(handle);
    }
    let (Some(untrusted), Some(trusted)) = (handles.pop(), handles.pop()) else {
        return Err("the counterpart issuers did not start".into());
    };
    Ok((servers, trusted, untrusted))
}

/// Starts the counterparts of a verifier under test: the two issuers and the harness's registry.
pub async fn start(setup: &Setup, pki: &TestPki) -> Result<(Vec<RunningServer>, Arc<Counterparts>), String> {
    let (mut servers, trusted, untrusted) = start_issuers(setup, pki).await?;
    let ecosystem = ecosystem(&trusted.minter.identifier)?;
    let port = setup.port(REGISTRY);
    let config = RegistryConfig { fault: None, ecosystem: ecosystem.clone(), seams: None };
    let server = registry::start(config, port, Some(pki.server_config.clone()))
        .await
        .map_err(|e| format!("cannot start the counterpart trust registry on 127.0.0.1:{port}: {e}"))?;
    let registry = RegistryRef::new(server.base_url.clone(), &ecosystem, &trusted.minter.identifier);
    servers.push(server);
    let wallet_provider = setup.wallet_provider();
    Ok((servers, Arc::new(Counterparts { trusted, untrusted, registry, pki: pki.clone(), wallet_provider })))
}

/// One counterpart issuer as a verifier trusts it.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuerMaterial {
    pub identifier: String,
    /// Its JWK Set, as its JWT VC Issuer Metadata publishes it.
    pub jwks: Value,
    /// Its certificate (PEM), issued by the anchor: the `x5c` of its x5c-signed credentials.
    pub certificate_pem: String,
}

impl IssuerMaterial {
    fn of(minter: &Minter) -> Self {
        let certificate_pem = minter
            .x5c()
            .unwrap_or_default()
            .iter()
            .filter_map(|c| dialtone_protocols::b64::decode_std(c).ok())
            .map(|der| certificate_pem(&der))
            .collect();
        Self { identifier: minter.identifier.clone(), jwks: minter.jwks(), certificate_pem }
    }

    fn json(&self) -> Value {
        json!({
            "identifier": self.identifier,
            "jwt_vc_issuer_metadata": format!("{}{}", self.identifier, dialtone_protocols::sd_jwt_vc::WELL_KNOWN_JWT_VC_ISSUER),
            "jwks": self.jwks,
            "certificate_pem": self.certificate_pem,
        })
    }
}

/// The wallet provider as an issuer under test trusts it: its identifier and public JWK.
pub fn wallet_provider_json(provider: &Attester) -> Value {
    json!({
        "identifier": provider.id,
        "jwk": provider.public_jwk(),
        "client_id": WALLET_CLIENT_ID,
    })
}

/// The files that tell an issuer under test which wallet provider to trust.
pub fn wallet_provider_files(provider: &Value) -> Vec<(String, Vec<u8>)> {
    let pretty = |v: &Value| format!("{}\n", serde_json::to_string_pretty(v).unwrap_or_default()).into_bytes();
    vec![
        ("wallet-provider/jwk.json".into(), pretty(&provider["jwk"])),
        ("wallet-provider/wallet-provider.json".into(), pretty(provider)),
    ]
}

/// What a verifier under test must be configured with before a run: the authority to trust (for
/// https to the counterparts and as the root of the issuers' `x5c` chains), the two issuers, and the
/// trust registry to ask.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustMaterial {
    pub anchor_pem: String,
    pub trusted: IssuerMaterial,
    pub untrusted: IssuerMaterial,
    pub registry: Value,
    /// The wallet provider's public key, which an issuer under test trusts for attestations.
    pub wallet_provider: Value,
}

impl TrustMaterial {
    /// Of running counterparts.
    pub fn of(counterparts: &Counterparts) -> Self {
        Self::from_parts(
            &counterparts.pki,
            &counterparts.trusted.minter,
            &counterparts.untrusted.minter,
            &counterparts.registry,
            &counterparts.wallet_provider,
        )
    }

    /// Of the counterparts a run with `setup` starts under `pki`, without starting them: their
    /// ports must be fixed.
    pub fn expected(setup: &Setup, pki: &TestPki) -> Result<Self, String> {
        if setup.ports.is_none() {
            return Err(
                "the counterparts' ports are not fixed, so their identifiers are not known before the run".into()
            );
        }
        let trusted = setup.minter(TRUSTED, loopback(setup.port(TRUSTED)), pki)?;
        let untrusted = setup.minter(UNTRUSTED, loopback(setup.port(UNTRUSTED)), pki)?;
        let ecosystem = ecosystem(&trusted.identifier)?;
        let registry = RegistryRef::new(loopback(setup.port(REGISTRY)), &ecosystem, &trusted.identifier);
        Ok(Self::from_parts(pki, &trusted, &untrusted, &registry, &setup.wallet_provider()))
    }

    fn from_parts(
        pki: &TestPki,
        trusted: &Minter,
        untrusted: &Minter,
        registry: &RegistryRef,
        wallet_provider: &Attester,
    ) -> Self {
        let authorizations: Vec<Value> = registry
            .authorizations
            .iter()
            .map(|s| {
                json!({
                    "entity_id": s.entity_id,
                    "action": s.action,
                    "resource": s.resource,
                    "jurisdictions": s.jurisdictions,
                    "valid_from": s.valid_from,
                    "valid_until": s.valid_until,
                })
            })
            .collect();
        Self {
            anchor_pem: pki.ca_pem.clone(),
            trusted: IssuerMaterial::of(trusted),
            untrusted: IssuerMaterial::of(untrusted),
            registry: json!({
                "protocol": "TRQP v2, HTTPS binding (POST {url}/authorization)",
                "url": registry.url,
                "authority_id": registry.authority_id,
                "authorizes": authorizations,
                "does_not_authorize": [untrusted.identifier],
            }),
            wallet_provider: wallet_provider_json(wallet_provider),
        }
    }

    /// Everything as one JSON document (`counterparts.json`).
    pub fn json(&self) -> Value {
        json!({
            "anchor_pem": self.anchor_pem,
            "trusted_issuer": self.trusted.json(),
            "untrusted_issuer": self.untrusted.json(),
            "registry": self.registry,
            "wallet_provider": self.wallet_provider,
        })
    }

    /// The files `dialtone counterparts export` writes (relative name, contents); `how` says how the
    /// run that uses them is started (the command line, the seed).
    pub fn files(&self, how: &str) -> Vec<(String, Vec<u8>)> {
        let pretty = |v: &Value| format!("{}\n", serde_json::to_string_pretty(v).unwrap_or_default()).into_bytes();
        let mut files = vec![("anchor.pem".to_string(), self.anchor_pem.clone().into_bytes())];
        // The issuing authority (IACA) of the counterparts' mdocs is the same authority.
        files.push(("iaca.pem".to_string(), self.anchor_pem.clone().into_bytes()));
        for (name, issuer) in [("trusted-issuer", &self.trusted), ("untrusted-issuer", &self.untrusted)] {
            files.push((format!("{name}/identifier.txt"), format!("{}\n", issuer.identifier).into_bytes()));
            files.push((format!("{name}/jwks.json"), pretty(&issuer.jwks)));
            files.push((format!("{name}/certificate.pem"), issuer.certificate_pem.clone().into_bytes()));
        }
        files.push(("registry.json".into(), pretty(&self.registry)));
        files.extend(wallet_provider_files(&self.wallet_provider));
        files.push(("counterparts.json".into(), pretty(&self.json())));
        files.push(("README.txt".into(), self.readme(how).into_bytes()));
        files
    }

    fn readme(&self, how: &str) -> String {
        let registry_url = self.registry["url"].as_str().unwrap_or_default();
        let authority = self.registry["authority_id"].as_str().unwrap_or_default();
        let authorizes: Vec<String> = self.registry["authorizes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| {
                let within: Vec<&str> =
                    s["jurisdictions"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                format!(
                    "     - {} may {} {}{}",
                    s["entity_id"].as_str().unwrap_or_default(),
                    s["action"].as_str().unwrap_or_default(),
                    s["resource"].as_str().unwrap_or_default(),
                    if within.is_empty() { String::new() } else { format!(" (in {})", within.join(", ")) }
                )
            })
            .collect();
        format!(
            "What a verifier under test must trust before a dialtone run
============================================================

dialtone plays the wallet in front of your verifier and presents SD-JWT VCs from two issuers it
runs itself, on this machine. Configure your verifier with what follows, then start the run:

    {how}

(the same seed, or the same persistent test authority, and the same manifest: the keys,
certificates and identifiers below are those of that run, and of every such run).

1. Trust anchor: anchor.pem
   dialtone's test certificate authority (for tests only). Trust it
   - for https to the counterparts below (their TLS certificates come from it), and
   - as the root of SD-JWT VC issuer certificates: a credential's x5c carries the issuer's
     certificate only, never the anchor (HAIP 1.0); validate the chain up to this anchor.

2. The issuer to accept: {trusted}
   trusted-issuer/identifier.txt   its Credential Issuer Identifier (the credentials' iss)
   trusted-issuer/jwks.json        its keys, as {trusted}/.well-known/jwt-vc-issuer publishes them
   trusted-issuer/certificate.pem  its certificate, the x5c of its x5c-signed credentials

3. The issuer to refuse: {untrusted}
   untrusted-issuer/ has the same files. Its certificate also chains to the anchor: what makes it
   untrusted is that the trust registry does not authorize it. A verifier that trusts issuers by
   anchor alone accepts it (case OID4VP-VER-PRES-015 then fails, or is skipped when the conformance
   statement does not claim feature \"trust_registry\").

4. The trust registry to ask: {registry_url}
   TRQP v2, HTTPS binding: POST {registry_url}/authorization with
   {{\"entity_id\": <iss>, \"authority_id\": \"{authority}\", \"action\": \"issue\", \"resource\": <vct>}}
   It answers for the authority {authority}. It authorizes:
{authorizes}
   and does not authorize {untrusted}.
   registry.json has the same, for tools; counterparts.json has everything in one document.

5. For mdoc presentations (mso_mdoc, OpenID4VP Appendix B.2): the IACA root, iaca.pem
   The same authority as anchor.pem issues the document signer certificate in each mdoc's
   issuerAuth x5chain (the trusted issuer's key; its credentials carry only that certificate).
   Trust it as an IACA for the docType org.iso.18013.5.1.mDL.

6. For an issuer under test: the wallet provider to trust, {wallet_provider}
   wallet-provider/jwk.json  the public key that signs the client attestations (OAuth-Client-
   Attestation, `sub` {client_id}) and the key attestations (key-attestation+jwt) that dialtone, as
   a wallet, presents. Trust it as a Client Attester and as a key attester.
",
            trusted = self.trusted.identifier,
            untrusted = self.untrusted.identifier,
            authorizes = authorizes.join("\n"),
            wallet_provider = self.wallet_provider["identifier"].as_str().unwrap_or_default(),
            client_id = WALLET_CLIENT_ID,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0)
    }

    /// Under a seed, the counterparts' keys do not depend on the (free, random) ports they get.
    #[tokio::test]
    async fn seeded_counterparts_keep_their_keys_whatever_their_ports() {
        let pki = TestPki::seeded(5).unwrap();
        let setup = Setup { seed: Some(5), ports: None };
        let (a_servers, a) = start(&setup, &pki).await.unwrap();
        let (b_servers, b) = start(&setup, &pki).await.unwrap();
        assert_ne!(a.trusted.minter.identifier, b.trusted.minter.identifier, "other ports");
        assert_eq!(a.trusted.minter.jwks(), b.trusted.minter.jwks());
        assert_eq!(a.untrusted.minter.jwks(), b.untrusted.minter.jwks());
        assert_ne!(a.trusted.minter.jwks(), a.untrusted.minter.jwks());
        for s in a_servers.into_iter().chain(b_servers) {
            s.stop().await;
        }
    }

    /// What `dialtone counterparts export` computes without starting anything is what a run with the
    /// same seed and ports starts: keys, certificates, identifiers, registry.
    #[tokio::test]
    async fn the_exported_material_is_what_the_run_starts() {
        let pki = TestPki::seeded(6).unwrap();
        let ports = CounterpartsSection {
            trusted_issuer_port: free_port(),
            untrusted_issuer_port: free_port(),
            registry_port: free_port(),
        };
        let setup = Setup { seed: Some(6), ports: Some(ports) };
        let expected = TrustMaterial::expected(&setup, &pki).unwrap();
        let (servers, running) = start(&setup, &pki).await.unwrap();
        assert_eq!(TrustMaterial::of(&running), expected);
        assert_eq!(expected.trusted.identifier, format!("https://127.0.0.1:{}", ports.trusted_issuer_port));
        assert!(expected.trusted.certificate_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(!expected.trusted.certificate_pem.contains(&expected.anchor_pem), "the anchor is exported on its own");
        assert!(TrustMaterial::expected(&Setup { seed: Some(6), ports: None }, &pki).is_err());
        for s in servers {
            s.stop().await;
        }
    }
}
