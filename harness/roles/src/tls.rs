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
    pub leaf_key_pkcs8: Vec<u8>,
}

impl std::fmt::Debug for TestPki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TestPki")
    }
}

impl TestPki {
    pub fn generate() -> Result<Self, String> {
        let err = |what: &str, e: &dyn std::fmt::Display| format!("cannot make the test PKI ({what}): {e}");
        let ca_key = KeyPair::generate().map_err(|e| err("CA key", &e))?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(|e| err("CA params", &e))?;
        ca_params.distinguished_name.push(DnType::CommonName, "dialtone test CA (this run only)");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca_params.self_signed(&ca_key).map_err(|e| err("CA certificate", &e))?;
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
        })
    }
}

/// A TCP listener that hands axum only connections whose TLS handshake completed. Handshakes run
/// concurrently, each bounded in time, so a slow or hostile client cannot hold up the others.
pub struct TlsListener {
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

/// An outbound https client for a reference candidate: Mozilla's roots plus the given authorities
/// (DER), no redirects, every request bounded in time.
pub fn outbound_client(extra_roots: &[Vec<u8>]) -> Result<reqwest::Client, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for der in extra_roots {
        roots.add(CertificateDer::from(der.clone())).map_err(|e| e.to_string())?;
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| e.to_string())
}
