//! TLS for the reference candidates: a certificate authority made for the run (rcgen) and a leaf
//! certificate for the loopback names, served with rustls. The harness trusts the authority, so
//! the references speak `https` as the specifications require, with no system-wide trust change.

use axum::serve::Listener;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::net::SocketAddr;
use std::sync::Arc;
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
    /// The authority's key and name, to issue more certificates (issuers' x5c).
    ca_key_pem: String,
    ca_common_name: &'static str,
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
    pub fn generate() -> Result<Self, String> {
        Self::generate_with(None)
    }

    /// A PKI whose authority key persists in `dir` (`ca-key.pem`, made on first use), so that a
    /// candidate started before the run (a wallet, a verifier) can trust `dir/ca.pem`: the authority
    /// certificate is remade each run from the same key and name, which is all chain validation uses.
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
        let mut pki = Self::generate_with(Some(key))?;
        // Keep the authority certificate a candidate already trusts, byte for byte (some validators
        // compare trusted certificates by their bytes); certificates issued now chain to it, since
        // they name the same subject and key.
        let ca_path = dir.join("ca.pem");
        match std::fs::read_to_string(&ca_path).ok().and_then(|pem| first_pem_der(&pem).map(|der| (pem, der))) {
            Some((pem, der)) => {
                pki.ca_pem = pem;
                pki.ca_der = der;
                pki.server_config = pki.server_config_with_chain()?;
            }
            None => std::fs::write(&ca_path, &pki.ca_pem).map_err(|e| err("write ca.pem", &e))?,
        }
        Ok(pki)
    }

    /// The server configuration for the loopback leaf, its chain ending at `ca_der`.
    fn server_config_with_chain(&self) -> Result<Arc<rustls::ServerConfig>, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("server config: {e}"))?
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(self.leaf_der.clone()), CertificateDer::from(self.ca_der.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.leaf_key_pkcs8.clone())),
            )
            .map_err(|e| format!("server config: {e}"))?;
        Ok(Arc::new(config))
    }

    fn generate_with(ca_key: Option<KeyPair>) -> Result<Self, String> {
        let err = |what: &str, e: &dyn std::fmt::Display| format!("cannot make the test PKI ({what}): {e}");
        let persistent = ca_key.is_some();
        let ca_key = match ca_key {
            Some(k) => k,
            None => KeyPair::generate().map_err(|e| err("CA key", &e))?,
        };
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(|e| err("CA params", &e))?;
        let ca_common_name = if persistent {
            "dialtone test CA (persistent, test use only)"
        } else {
            "dialtone test CA (this run only)"
        };
        ca_params.distinguished_name.push(DnType::CommonName, ca_common_name);
        if persistent {
            ca_params.serial_number = Some(rcgen::SerialNumber::from(1u64.to_be_bytes().to_vec()));
        }
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca_params.self_signed(&ca_key).map_err(|e| err("CA certificate", &e))?;
        let ca_key_pem = ca_key.serialize_pem();
        let ca_issuer = rcgen::Issuer::new(ca_params, ca_key);

        let leaf_key = KeyPair::generate().map_err(|e| err("leaf key", &e))?;
        let mut leaf_params =
            CertificateParams::new(vec!["localhost".to_string()]).map_err(|e| err("leaf params", &e))?;
        leaf_params.subject_alt_names.push(SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1])));
        leaf_params.distinguished_name.push(DnType::CommonName, "dialtone reference candidate");
        let leaf_cert = leaf_params.signed_by(&leaf_key, &ca_issuer).map_err(|e| err("leaf certificate", &e))?;

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server_config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| err("protocol versions", &e))?
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(leaf_cert.der().to_vec()), CertificateDer::from(ca_cert.der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
            )
            .map_err(|e| err("server config", &e))?;
        Ok(Self {
            ca_der: ca_cert.der().to_vec(),
            ca_pem: ca_cert.pem(),
            server_config: Arc::new(server_config),
            leaf_der: leaf_cert.der().to_vec(),
            leaf_key_pkcs8: leaf_key.serialize_der(),
            ca_key_pem,
            ca_common_name,
        })
    }

    /// A certificate from this authority for a P-256 public key (uncompressed SEC1 point) naming a
    /// credential issuer: SAN URI `uri` and DNS `localhost` (SD-JWT VC §2.5, the issuer is the
    /// subject of the end-entity certificate).
    pub(crate) fn issuer_certificate(&self, public_point: &[u8], uri: &str) -> Result<Vec<u8>, String> {
        let err = |what: &str, e: &dyn std::fmt::Display| format!("cannot issue an issuer certificate ({what}): {e}");
        let ca_key = KeyPair::from_pem(&self.ca_key_pem).map_err(|e| err("CA key", &e))?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(|e| err("CA params", &e))?;
        ca_params.distinguished_name.push(DnType::CommonName, self.ca_common_name);
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        let issuer = rcgen::Issuer::new(ca_params, ca_key);
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
