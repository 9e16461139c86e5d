//! TLS for the reference candidates: a certificate authority made for the run (rcgen) and a leaf
//! certificate for the loopback names, served with rustls. The harness trusts the authority, so
//! the references speak `https` as the specifications require, with no system-wide trust change.

use axum::serve::Listener;
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::seed::Entropy;
use dialtone_protocols::x509::CertSigner;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::net::SocketAddr;
use std::sync::Arc;

/// The country of the run's IACA and its document signers (the same, as ISO/IEC 18013-5 Annex B
/// requires of a document signer and its IACA).
const MDOC_COUNTRY: &str = "CA";
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A run's private PKI: the authority (to trust) and a server configuration for loopback.
#[derive(Clone)]
pub struct TestPki {
    pub ca_der: Vec<u8>,
    pub ca_pem: String,
    pub server_config: Arc<rustls::ServerConfig>,
    /// The loopback leaf (dNSName `localhost`, IP 127.0.0.1), also the reference verifier's
    /// request-signing certificate for `x509_san_dns:localhost`.
    pub leaf_der: Vec<u8>,
    pub(crate) leaf_key_pkcs8: Vec<u8>,
    /// That key, as the reference verifier signs its requests with it: the key made with the PKI,
    /// signing with ring in an unseeded run and deterministically in a seeded one, not read again
    /// from its PKCS#8 (for p256's deterministic signatures) at every start of a verifier (a
    /// wallet case starts one).
    pub(crate) leaf_key: EcKey,
    /// The authority's key and name, to issue more certificates (issuers' x5c).
    ca_key: EcKey,
    ca_common_name: &'static str,
    /// For a persistent authority: the seed its folder keeps for the harness's counterparts (their
    /// keys), so that they too are the same on every run that gives no `--seed`.
    pub counterpart_seed: Option<u64>,
}

/// Where an authority's key comes from.
enum Authority {
    /// A new key, for this run only.
    Fresh,
    /// Derived from `--seed`: the same authority on every run with that seed.
    Seeded(u64),
    /// Kept in a folder across runs.
    Persistent(EcKey),
}

/// The DER of the first certificate of a PEM text.
fn first_pem_der(pem: &str) -> Option<Vec<u8>> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem.as_bytes()).next()?.ok().map(|c| c.to_vec())
}

/// A P-256 public key (uncompressed SEC1 point) for rcgen.
struct P256Public(Vec<u8>);

impl rcgen::PublicKeyData for P256Public {
    fn der_bytes(&self) -> &[u8] {
        &self.0
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

impl std::fmt::Debug for TestPki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TestPki")
    }
}

impl TestPki {
    /// An authority made for this run.
    pub fn generate() -> Result<Self, String> {
        Self::make(Authority::Fresh)
    }

    /// An authority derived from `seed`: its key, its certificate and every certificate it issues
    /// for the same keys and names are the same bytes on every run (deterministic ECDSA). Its key
    /// follows from the seed, so it is for tests only: a candidate trusting it trusts anyone who
    /// knows the seed.
    pub fn seeded(seed: u64) -> Result<Self, String> {
        Self::make(Authority::Seeded(seed))
    }

    /// A PKI whose authority key persists in `dir` (`ca-key.pem`, made on first use), so that a
    /// candidate started before the run (a wallet, a verifier) can trust `dir/ca.pem`: the authority
    /// certificate is remade each run from the same key and name, which is all chain validation uses.
    /// The folder also keeps the seed of the harness's counterparts (`counterparts.seed`).
    pub fn persistent(dir: &std::path::Path) -> Result<Self, String> {
        let err = |what: &str, e: &dyn std::fmt::Display| format!("test CA in {} ({what}): {e}", dir.display());
        std::fs::create_dir_all(dir).map_err(|e| err("create", &e))?;
        let key_path = dir.join("ca-key.pem");
        let key = match std::fs::read_to_string(&key_path) {
            Ok(pem) => KeyPair::from_pem(&pem).map_err(|e| err("read ca-key.pem", &e))?,
            Err(_) => {
                let key = KeyPair::generate().map_err(|e| err("key", &e))?;
                std::fs::write(&key_path, key.serialize_pem()).map_err(|e| err("write ca-key.pem", &e))?;
                key
            }
        };
        let key = EcKey::from_pkcs8_der(&key.serialize_der()).map_err(|e| err("ca-key.pem is not a P-256 key", &e))?;
        let mut pki = Self::make(Authority::Persistent(key))?;
        // Keep the authority certificate a candidate already trusts, byte for byte (some validators
        // compare trusted certificates by their bytes); certificates issued now chain to it, since
        // they name the same subject and key.
        let ca_path = dir.join("ca.pem");
        let stored = std::fs::read_to_string(&ca_path).ok().and_then(|pem| first_pem_der(&pem).map(|der| (pem, der)));
        // One made by an older dialtone under another name is remade (its candidates must then be
        // restarted to trust the new one, as `dialtone test-ca` says).
        match stored.filter(|(_, der)| pki.issues_under(der)) {
            Some((pem, der)) => {
                pki.ca_pem = pem;
                pki.ca_der = der;
                pki.server_config = pki.server_config_with_chain()?;
            }
            None => std::fs::write(&ca_path, &pki.ca_pem).map_err(|e| err("write ca.pem", &e))?,
        }
        let seed_path = dir.join("counterparts.seed");
        let seed = match std::fs::read_to_string(&seed_path).ok().and_then(|t| t.trim().parse::<u64>().ok()) {
            Some(seed) => seed,
            None => {
                let mut bytes = [0u8; 8];
                Entropy::from_os().fill(&mut bytes);
                let seed = u64::from_be_bytes(bytes);
                std::fs::write(&seed_path, format!("{seed}\n")).map_err(|e| err("write counterparts.seed", &e))?;
                seed
            }
        };
        pki.counterpart_seed = Some(seed);
        Ok(pki)
    }

    /// Whether the certificates this PKI issues chain to `anchor` (DER): its loopback leaf validates
    /// up to it and signs as its key.
    fn issues_under(&self, anchor: &[u8]) -> bool {
        let key = &self.leaf_key;
        let input = "dialtone test authority";
        let signature = key.sign_bytes(input.as_bytes());
        let x5c = [dialtone_protocols::b64::encode_std(&self.leaf_der)];
        dialtone_protocols::x509::verify_x5c_signature(&x5c, &[anchor.to_vec()], "localhost", input, &signature).is_ok()
    }

    /// The server configuration for the loopback leaf, its chain ending at `ca_der`.
    fn server_config_with_chain(&self) -> Result<Arc<rustls::ServerConfig>, String> {
        server_config(&self.leaf_der, &self.ca_der, &self.leaf_key_pkcs8)
    }

    /// The authority's certificate parameters (its name; for a lasting authority a fixed serial).
    fn authority_params(common_name: &'static str, fixed_serial: bool) -> Result<CertificateParams, String> {
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|e| format!("CA params: {e}"))?;
        // The authority is also the mdocs' IACA, whose subject names its country (ISO/IEC 18013-5
        // Annex B: countryName is mandatory in IACA and document signer certificates).
        params.distinguished_name.push(DnType::CountryName, MDOC_COUNTRY);
        params.distinguished_name.push(DnType::CommonName, common_name);
        if fixed_serial {
            params.serial_number = Some(rcgen::SerialNumber::from(1u64.to_be_bytes().to_vec()));
        }
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        Ok(params)
    }

    fn make(authority: Authority) -> Result<Self, String> {
        let err = |what: &str, e: &dyn std::fmt::Display| format!("cannot make the test PKI ({what}): {e}");
        let (ca_key, leaf_key, ca_common_name, fixed_serial) = match authority {
            Authority::Fresh => {
                let entropy = Entropy::from_os();
                (EcKey::generate(&entropy), EcKey::generate(&entropy), "dialtone test CA (this run only)", false)
            }
            Authority::Seeded(seed) => {
                let entropy = Entropy::seeded(seed).derive("dialtone test CA");
                let ca_key = EcKey::generate(&entropy.derive("authority"));
                let leaf_key = EcKey::generate(&entropy.derive("loopback leaf"));
                (ca_key, leaf_key, "dialtone test CA (seeded, test use only)", true)
            }
            Authority::Persistent(key) => {
                (key, EcKey::generate(&Entropy::from_os()), "dialtone test CA (persistent, test use only)", true)
            }
        };
        let ca_params = Self::authority_params(ca_common_name, fixed_serial)?;
        let signer = CertSigner::new(ca_key.clone());
        let ca_cert = ca_params.self_signed(&signer).map_err(|e| err("CA certificate", &e))?;
        let ca_issuer = rcgen::Issuer::new(ca_params, &signer);

        let mut leaf_params =
            CertificateParams::new(vec!["localhost".to_string()]).map_err(|e| err("leaf params", &e))?;
        leaf_params.subject_alt_names.push(SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1])));
        leaf_params.distinguished_name.push(DnType::CommonName, "dialtone reference candidate");
        let leaf_cert = leaf_params
            .signed_by(&P256Public(leaf_key.public_point()), &ca_issuer)
            .map_err(|e| err("leaf certificate", &e))?;
        let leaf_key_pkcs8 = leaf_key.to_pkcs8_der().map_err(|e| err("leaf key", &e))?;
        let server_config = server_config(leaf_cert.der(), ca_cert.der(), &leaf_key_pkcs8)?;
        Ok(Self {
            ca_der: ca_cert.der().to_vec(),
            ca_pem: ca_cert.pem(),
            server_config,
            leaf_der: leaf_cert.der().to_vec(),
            leaf_key_pkcs8,
            leaf_key,
            ca_key,
            ca_common_name,
            counterpart_seed: None,
        })
    }

    /// A certificate from this authority for a P-256 public key (uncompressed SEC1 point) naming a
    /// credential issuer: SAN URI `uri` and DNS `localhost` (SD-JWT VC §2.5, the issuer is the
    /// subject of the end-entity certificate). The same key, name and authority give the same bytes.
    pub(crate) fn issuer_certificate(&self, public_point: &[u8], uri: &str) -> Result<Vec<u8>, String> {
        let err = |what: &str, e: &dyn std::fmt::Display| format!("cannot issue an issuer certificate ({what}): {e}");
        let ca_params = Self::authority_params(self.ca_common_name, false)?;
        let signer = CertSigner::new(self.ca_key.clone());
        let issuer = rcgen::Issuer::new(ca_params, &signer);
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).map_err(|e| err("params", &e))?;
        let san = uri.to_string().try_into().map_err(|e| err("SAN URI", &e))?;
        params.subject_alt_names.push(SanType::URI(san));
        params.distinguished_name.push(DnType::CommonName, "dialtone counterpart issuer");
        params
            .signed_by(&P256Public(public_point.to_vec()), &issuer)
            .map(|c| c.der().to_vec())
            .map_err(|e| err("sign", &e))
    }
}

impl TestPki {
    /// A document signer certificate (ISO/IEC 18013-5 Annex B.1.4: key usage digitalSignature,
    /// extended key usage 1.0.18013.5.1.2) from this authority, which is then the IACA a verifier
    /// trusts for mdocs, for a P-256 public key (uncompressed SEC1 point).
    pub(crate) fn document_signer_certificate(&self, public_point: &[u8], name: &str) -> Result<Vec<u8>, String> {
        let err =
            |what: &str, e: &dyn std::fmt::Display| format!("cannot issue a document signer certificate ({what}): {e}");
        let ca_params = Self::authority_params(self.ca_common_name, false)?;
        let signer = CertSigner::new(self.ca_key.clone());
        let issuer = rcgen::Issuer::new(ca_params, &signer);
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|e| err("params", &e))?;
        params.distinguished_name.push(DnType::CountryName, MDOC_COUNTRY);
        params.distinguished_name.push(DnType::CommonName, format!("dialtone document signer {name}"));
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::Other(vec![1, 0, 18013, 5, 1, 2])];
        params
            .signed_by(&P256Public(public_point.to_vec()), &issuer)
            .map(|c| c.der().to_vec())
            .map_err(|e| err("sign", &e))
    }
}

/// A server configuration serving `leaf` (then `ca`, which a client may use or ignore) with its key.
///
/// Of the suites a client offers it chooses TLS_AES_128_GCM_SHA256 first, the suite every TLS 1.3
/// implementation must have (RFC 8446 §9.1): its key schedule hashes with SHA-256, which processors
/// compute in hardware, where SHA-384's (TLS_AES_256_GCM_SHA384, a client's usual first choice) is
/// computed in software: the selftest's references and their clients make thousands of connections,
/// and this takes about 4 % off its CPU time.
fn server_config(leaf: &[u8], ca: &[u8], leaf_key_pkcs8: &[u8]) -> Result<Arc<rustls::ServerConfig>, String> {
    let mut provider = rustls::crypto::ring::default_provider();
    provider.cipher_suites.sort_by_key(|suite| suite.suite() != rustls::CipherSuite::TLS13_AES_128_GCM_SHA256);
    let provider = Arc::new(provider);
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("server config: {e}"))?
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf.to_vec()), CertificateDer::from(ca.to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key_pkcs8.to_vec())),
        )
        .map_err(|e| format!("server config: {e}"))?;
    config.ignore_client_order = true;
    Ok(Arc::new(config))
}

/// A TCP listener that hands axum only connections whose TLS handshake completed. Handshakes run
/// concurrently, each bounded in time, so a slow or hostile client cannot hold up the others.
pub(crate) struct TlsListener {
    local: SocketAddr,
    ready: tokio::sync::mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    acceptor_task: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, config: Arc<rustls::ServerConfig>) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let acceptor = TlsAcceptor::from(config);
        let (tx, ready) = tokio::sync::mpsc::channel(64);
        let acceptor_task = tokio::spawn(async move {
            loop {
                let (stream, addr) = match tcp.accept().await {
                    Ok(pair) => pair,
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        continue;
                    }
                };
                // TLS frames each write as a record: without this, Nagle's algorithm holds back
                // small records while it waits for acknowledgements.
                let _ = stream.set_nodelay(true);
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    if let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(5), acceptor.accept(stream)).await {
                        let _ = tx.send((tls, addr)).await;
                    }
                });
            }
        });
        Ok(Self { local, ready, acceptor_task })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.acceptor_task.abort();
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The acceptor task only ends when this listener is dropped; wait for shutdown.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issuer::minter::Minter;
    use dialtone_protocols::jose::CompactJws;
    use dialtone_protocols::sd_jwt_vc::verify::{KeySource, issuer_signature};

    fn x5c_credential(pki: &TestPki, seed: u64) -> (CompactJws, Vec<String>) {
        let minter = Minter::new("https://127.0.0.1:8701".into(), Entropy::seeded(seed));
        minter.x5c_from(pki).unwrap();
        let mut spec = minter.spec(None);
        spec.x5c = true;
        let text = minter.mint(&spec);
        let jwt = CompactJws::parse(text.split('~').next().unwrap()).unwrap();
        let chain = jwt.header["x5c"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
        (jwt, chain)
    }

    /// An issuer's x5c carries its own certificate, not the trust anchor (HAIP 1.0), and still
    /// validates to the anchor a verifier is configured with — and to no other.
    #[test]
    fn x5c_leaves_the_anchor_out_and_validates_to_it() {
        let pki = TestPki::generate().unwrap();
        let (jwt, chain) = x5c_credential(&pki, 1);
        let anchor = dialtone_protocols::b64::encode_std(&pki.ca_der);
        assert_eq!(chain.len(), 1, "the issuer's certificate only");
        assert!(!chain.contains(&anchor), "the anchor is not in x5c");
        let now = dialtone_protocols::now_epoch();
        let key = issuer_signature(&jwt, None, std::slice::from_ref(&pki.ca_der), now).unwrap();
        assert_eq!(key.via, KeySource::X5c { chain: 1 });
        let other = TestPki::generate().unwrap();
        assert!(issuer_signature(&jwt, None, std::slice::from_ref(&other.ca_der), now).is_err());
        assert!(issuer_signature(&jwt, None, &[], now).is_err());
    }

    /// A seeded authority is the same bytes on every run, and so is every certificate it issues for
    /// the same key and name (what a candidate configured in advance trusts).
    #[test]
    fn a_seeded_authority_issues_the_same_bytes_every_time() {
        let (a, b) = (TestPki::seeded(7).unwrap(), TestPki::seeded(7).unwrap());
        assert_eq!(a.ca_pem, b.ca_pem);
        assert_eq!(a.leaf_der, b.leaf_der);
        assert_eq!(x5c_credential(&a, 3).1, x5c_credential(&b, 3).1);
        assert_ne!(TestPki::seeded(8).unwrap().ca_pem, a.ca_pem);
        assert_ne!(TestPki::generate().unwrap().ca_pem, TestPki::generate().unwrap().ca_pem);
    }

    /// A persistent authority keeps its certificate and a seed for the counterparts across runs.
    #[test]
    fn a_persistent_authority_keeps_its_certificate_and_counterpart_seed() {
        let dir = std::env::temp_dir().join(format!("dialtone-persistent-ca-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (a, b) = (TestPki::persistent(&dir).unwrap(), TestPki::persistent(&dir).unwrap());
        assert_eq!(a.ca_pem, b.ca_pem);
        assert!(a.counterpart_seed.is_some() && a.counterpart_seed == b.counterpart_seed);
        assert_eq!(x5c_credential(&a, 3).1, x5c_credential(&b, 3).1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A stored authority certificate its key no longer issues under (another name: an older
    /// dialtone's) is remade, not kept: kept, nothing issued now would chain to it.
    #[test]
    fn a_stored_authority_of_another_name_is_remade() {
        let dir = std::env::temp_dir().join(format!("dialtone-stale-ca-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = TestPki::persistent(&dir).unwrap();
        let stale = TestPki::generate().unwrap();
        std::fs::write(dir.join("ca.pem"), &stale.ca_pem).unwrap();
        assert!(!first.issues_under(&stale.ca_der));
        let again = TestPki::persistent(&dir).unwrap();
        assert_eq!(again.ca_pem, first.ca_pem);
        assert_eq!(std::fs::read_to_string(dir.join("ca.pem")).unwrap(), first.ca_pem);
        assert!(again.issues_under(&again.ca_der));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
