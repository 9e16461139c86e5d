//! X.509 for `x509_san_dns` request objects (OpenID4VP §5.9.3): the `x5c` chain must lead to a
//! trusted authority, the leaf must name the client identifier's DNS name, and the request's
//! signature must verify with the leaf's key. Path validation and signatures are rustls-webpki's.
//! An `x5c` chain need not (and under HAIP 1.0 must not) carry the trust anchor: the anchor is the
//! configured root, and the chain is validated up to it. Certificates dialtone makes are signed
//! through [`CertSigner`] (deterministic ECDSA), so a seeded authority issues the same bytes on
//! every run.

use crate::jose::EcKey;

use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

/// Validates `x5c` (standard base64 DER, leaf first) for `dns_name` against `roots` (DER), and the
/// ES256 signature (JWS r||s) over `signing_input`. Returns what failed.
pub fn verify_x5c_signature(
    x5c: &[String],
    roots: &[Vec<u8>],
    dns_name: &str,
    signing_input: &str,
    signature: &[u8],
) -> Result<(), String> {
    verify_x5c(x5c, roots, Some(dns_name), signing_input, signature)
}

/// The `x5c` header (standard base64) as DER certificates, leaf first.
pub fn x5c_der(x5c: &[String]) -> Result<Vec<Vec<u8>>, String> {
    x5c.iter().map(|c| crate::b64::decode_std(c).map_err(|e| format!("x5c entry is not base64: {e}"))).collect()
}

/// As [`verify_x5c_signature`]; the leaf's names are checked only when `dns_name` is given (an
/// `x509_hash` client is named by its certificate's hash, OpenID4VP §5.9.3).
pub(crate) fn verify_x5c(
    x5c: &[String],
    roots: &[Vec<u8>],
    dns_name: Option<&str>,
    signing_input: &str,
    signature: &[u8],
) -> Result<(), String> {
    let chain: Vec<CertificateDer<'static>> = x5c_der(x5c)?.into_iter().map(CertificateDer::from).collect();
    let (leaf, intermediates) = chain.split_first().ok_or("x5c is empty")?;
    let anchors: Vec<_> = roots
        .iter()
        .filter_map(|r| {
            webpki::anchor_from_trusted_cert(&CertificateDer::from(r.as_slice())).ok().map(|a| a.to_owned())
        })
        .chain(webpki_roots::TLS_SERVER_ROOTS.iter().cloned())
        .collect();
    let cert = webpki::EndEntityCert::try_from(leaf).map_err(|e| format!("leaf certificate: {e:?}"))?;
    let algs = webpki::ALL_VERIFICATION_ALGS;
    let now = UnixTime::now();
    cert.verify_for_usage(algs, &anchors, intermediates, now, webpki::KeyUsage::server_auth(), None, None)
        .map_err(|e| format!("the certificate chain does not lead to a trusted authority: {e:?}"))?;
    if let Some(dns_name) = dns_name {
        let name =
            ServerName::try_from(dns_name.to_string()).map_err(|e| format!("{dns_name:?} is not a DNS name: {e}"))?;
        cert.verify_is_valid_for_subject_name(&name)
            .map_err(|_| format!("the leaf certificate has no dNSName {dns_name:?}"))?;
    }
    let der = p256::ecdsa::Signature::from_slice(signature)
        .map_err(|_| "the signature is not an ES256 r||s value".to_string())?
        .to_der();
    cert.verify_signature(webpki::ring::ECDSA_P256_SHA256, signing_input.as_bytes(), der.as_bytes())
        .map_err(|e| format!("the request signature does not verify with the leaf's key: {e:?}"))
}

/// Validates a certificate chain (DER, end-entity first) to one of `roots` (DER) at `now`, for any
/// extended key usage the end-entity certificate allows (SD-JWT VC §2.5 Inline X.509, mdoc).
pub(crate) fn verify_chain(
    chain: &[Vec<u8>],
    roots: &[Vec<u8>],
    now: i64,
    eku: Option<&'static [u8]>,
) -> Result<(), String> {
    let (leaf, rest) = chain.split_first().ok_or("an empty certificate chain")?;
    let anchors: Vec<_> = roots
        .iter()
        .filter_map(|r| {
            webpki::anchor_from_trusted_cert(&CertificateDer::from(r.as_slice())).ok().map(|a| a.to_owned())
        })
        .collect();
    if anchors.is_empty() {
        return Err("no usable trust anchor".into());
    }
    let leaf_der = CertificateDer::from(leaf.as_slice());
    let cert = webpki::EndEntityCert::try_from(&leaf_der).map_err(|e| format!("end-entity certificate: {e:?}"))?;
    let intermediates: Vec<CertificateDer> = rest.iter().map(|c| CertificateDer::from(c.as_slice())).collect();
    let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(now.max(0) as u64));
    let usage = match eku {
        Some(oid) => webpki::KeyUsage::required_if_present(oid),
        None => webpki::KeyUsage::required_if_present(&[]),
    };
    cert.verify_for_usage(webpki::ALL_VERIFICATION_ALGS, &anchors, &intermediates, time, usage, None, None)
        .map(|_| ())
        .map_err(|e| format!("the chain does not lead to a trusted root: {e:?}"))
}

/// Chain validations already made, so that a chain many artifacts carry (the document signer
/// certificates of an issuer's mdocs) is validated once, not once per artifact. Bounded, since the
/// chains come from the artifacts: at most [`ChainCache::ENTRIES`] results (the oldest goes first),
/// and chains or roots larger than [`ChainCache::MAX_BYTES`] are validated every time.
#[derive(Debug, Default)]
pub struct ChainCache(std::sync::Mutex<std::collections::VecDeque<Validated>>);

#[derive(Debug)]
struct Validated {
    chain: Vec<Vec<u8>>,
    roots: Vec<Vec<u8>>,
    now: i64,
    eku: Option<&'static [u8]>,
    result: Result<(), String>,
}

impl Clone for ChainCache {
    /// A new, empty cache: what one holds is only ever a saving.
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl ChainCache {
    pub const ENTRIES: usize = 64;
    pub const MAX_BYTES: usize = 64 << 10;

    /// [`verify_chain`], its result kept for the same chain, roots, time and usage.
    pub(crate) fn verify_chain(
        &self,
        chain: &[Vec<u8>],
        roots: &[Vec<u8>],
        now: i64,
        eku: Option<&'static [u8]>,
    ) -> Result<(), String> {
        let size = |certs: &[Vec<u8>]| certs.iter().map(Vec::len).sum::<usize>();
        if size(chain) > Self::MAX_BYTES || size(roots) > Self::MAX_BYTES {
            return verify_chain(chain, roots, now, eku);
        }
        let same = |v: &Validated| v.now == now && v.eku == eku && v.chain == chain && v.roots == roots;
        {
            let cached = self.0.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(v) = cached.iter().find(|v| same(v)) {
                return v.result.clone();
            }
        }
        let result = verify_chain(chain, roots, now, eku);
        let mut cached = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if cached.len() >= Self::ENTRIES {
            cached.pop_front();
        }
        cached.push_back(Validated { chain: chain.to_vec(), roots: roots.to_vec(), now, eku, result: result.clone() });
        result
    }

    /// How many results the cache holds.
    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What was read of certificates already seen, for the many mdocs one document signer signs
/// ([`CountryCache`], the countries; [`SignerKeyCache`], the key): bounded as [`ChainCache`] is, at
/// most [`ChainCache::ENTRIES`] certificates (the oldest goes first), and a certificate larger than
/// [`ChainCache::MAX_BYTES`] read every time.
#[derive(Debug)]
pub struct CertCache<T>(std::sync::Mutex<std::collections::VecDeque<(Vec<u8>, T)>>);

/// The countries of certificates already read ([`countries`]).
pub type CountryCache = CertCache<Countries>;

/// The document signer keys of certificates already read (the key, its JWK and thumbprint), or
/// why a certificate has none.
pub type SignerKeyCache = CertCache<Result<crate::public_key::SetKey, String>>;

/// The countryName of a certificate's subject and of its issuer.
pub type Countries = Result<(Option<String>, Option<String>), String>;

impl<T> Default for CertCache<T> {
    fn default() -> Self {
        Self(Default::default())
    }
}

impl<T> Clone for CertCache<T> {
    /// A new, empty cache: what one holds is only ever a saving.
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl<T: Clone> CertCache<T> {
    /// `read(der)`, kept for the same certificate.
    pub fn read(&self, der: &[u8], read: impl FnOnce(&[u8]) -> T) -> T {
        if der.len() > ChainCache::MAX_BYTES {
            return read(der);
        }
        {
            let cached = self.0.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((_, known)) = cached.iter().find(|(cert, _)| cert == der) {
                return known.clone();
            }
        }
        let known = read(der);
        let mut cached = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if cached.len() >= ChainCache::ENTRIES {
            cached.pop_front();
        }
        cached.push_back((der.to_vec(), known.clone()));
        known
    }
}

impl CountryCache {
    /// [`countries`], kept for the same certificate.
    pub fn countries(&self, der: &[u8]) -> Countries {
        self.read(der, countries)
    }
}

impl SignerKeyCache {
    /// The key of a certificate's subject ([`crate::jose::jwk_from_certificate`]), read into a
    /// [`crate::public_key::SetKey`], kept for the same certificate.
    pub fn signer_key(&self, der: &[u8]) -> Result<crate::public_key::SetKey, String> {
        self.read(der, |der| {
            crate::jose::jwk_from_certificate(der).map(crate::public_key::SetKey::new).map_err(|e| e.to_string())
        })
    }
}

/// rcgen signing through an [`EcKey`]: deterministic ECDSA P-256 (RFC 6979), so a certificate made
/// from the same key, name and contents is the same bytes every time.
pub struct CertSigner {
    key: EcKey,
    point: Vec<u8>,
}

impl CertSigner {
    pub fn new(key: EcKey) -> Self {
        let point = key.public_point();
        Self { key, point }
    }

    pub fn key(&self) -> &EcKey {
        &self.key
    }
}

impl rcgen::PublicKeyData for CertSigner {
    fn der_bytes(&self) -> &[u8] {
        &self.point
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

impl rcgen::SigningKey for CertSigner {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        Ok(self.key.sign_bytes_der(msg))
    }
}

/// A certificate (DER) as PEM text (RFC 7468).
pub fn certificate_pem(der: &[u8]) -> String {
    let text = crate::b64::encode_std(der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in text.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

/// A certificate (DER) as RustCrypto's `x509-cert` reads it, for the fields rustls-webpki does not
/// expose (names, extensions) or a certificate webpki does not parse.
fn certificate(der: &[u8]) -> Result<x509_cert::Certificate, String> {
    use x509_cert::der::Decode;
    x509_cert::Certificate::from_der(der).map_err(|e| format!("not an X.509 certificate: {e}"))
}

/// A certificate's SubjectPublicKeyInfo, DER.
pub(crate) fn subject_public_key_info(der: &[u8]) -> Result<Vec<u8>, crate::jose::JoseError> {
    use x509_cert::der::Encode;
    let cert = certificate(der).map_err(crate::jose::JoseError::Key)?;
    cert.tbs_certificate.subject_public_key_info.to_der().map_err(|e| crate::jose::JoseError::Key(e.to_string()))
}

/// The first value of an attribute of a name, as text (the directory string types RFC 5280 §4.1.2.4
/// allows, and IA5String).
fn attribute(name: &x509_cert::name::Name, oid: x509_cert::der::asn1::ObjectIdentifier) -> Option<String> {
    use x509_cert::der::asn1::{Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
    let value = name.0.iter().flat_map(|rdn| rdn.0.iter()).find(|a| a.oid == oid)?.value.clone();
    None.or_else(|| value.decode_as::<PrintableStringRef<'_>>().ok().map(|s| s.to_string()))
        .or_else(|| value.decode_as::<Utf8StringRef<'_>>().ok().map(|s| s.to_string()))
        .or_else(|| value.decode_as::<Ia5StringRef<'_>>().ok().map(|s| s.to_string()))
        .or_else(|| value.decode_as::<TeletexStringRef<'_>>().ok().map(|s| s.to_string()))
}

/// The countryName (C) of a certificate's subject and of its issuer (DER), each `None` when the name
/// has none; `Err` when the bytes are not a certificate.
pub fn countries(der: &[u8]) -> Result<(Option<String>, Option<String>), String> {
    let cert = certificate(der)?;
    let country = x509_cert::der::oid::db::rfc4519::COUNTRY_NAME;
    Ok((attribute(&cert.tbs_certificate.subject, country), attribute(&cert.tbs_certificate.issuer, country)))
}

/// The value of a certificate's extension `oid`, decoded as `T` (`None` when absent or malformed).
pub(crate) fn extension<T>(der: &[u8], oid: x509_cert::der::asn1::ObjectIdentifier) -> Option<T>
where
    T: for<'a> x509_cert::der::Decode<'a>,
{
    let cert = certificate(der).ok()?;
    let extensions = cert.tbs_certificate.extensions?;
    let found = extensions.into_iter().find(|e| e.extn_id == oid)?;
    T::from_der(found.extn_value.as_bytes()).ok()
}

/// The DNS and URI subject alternative names of a certificate (DER).
pub(crate) fn san_names(der: &[u8]) -> (Vec<String>, Vec<String>) {
    use x509_cert::ext::pkix::name::GeneralName;
    let oid = x509_cert::der::oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME;
    let Some(names) = extension::<x509_cert::ext::pkix::SubjectAltName>(der, oid) else {
        return (Vec::new(), Vec::new());
    };
    let mut dns = Vec::new();
    let mut uris = Vec::new();
    for name in names.0 {
        match name {
            GeneralName::DnsName(d) => dns.push(d.to_string()),
            GeneralName::UniformResourceIdentifier(u) => uris.push(u.to_string()),
            _ => {}
        }
    }
    (dns, uris)
}

#[cfg(test)]
mod tests {
    /// The names and key of a certificate rcgen made are read back: subject and issuer countries,
    /// DNS and URI alternative names, the SubjectPublicKeyInfo; what is not a certificate is refused.
    #[test]
    fn a_certificates_names_and_key_are_read() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["a.example".to_string()]).unwrap();
        params.subject_alt_names.push(rcgen::SanType::URI("https://b.example/x".try_into().unwrap()));
        params.distinguished_name.push(rcgen::DnType::CountryName, "FR");
        let cert = params.self_signed(&key).unwrap();
        assert_eq!(super::countries(cert.der()).unwrap(), (Some("FR".into()), Some("FR".into())));
        assert_eq!(
            super::san_names(cert.der()),
            (vec!["a.example".to_string()], vec!["https://b.example/x".to_string()])
        );
        use rcgen::PublicKeyData;
        assert_eq!(super::subject_public_key_info(cert.der()).unwrap(), key.subject_public_key_info());
        let bare = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap().self_signed(&key).unwrap();
        assert_eq!(super::countries(bare.der()).unwrap(), (None, None));
        assert_eq!(super::san_names(bare.der()), (Vec::<String>::new(), Vec::<String>::new()));
        assert!(super::countries(b"not a certificate").unwrap_err().contains("X.509"));
    }

    /// A certificate's countries read through the cache are what reading it says, each time, and
    /// the cache keeps at most its bound.
    #[test]
    fn the_country_cache_answers_as_reading_does_within_its_bound() {
        let cache = super::CountryCache::default();
        let inputs: Vec<Vec<u8>> = (0..super::ChainCache::ENTRIES + 5).map(|i| vec![0x30, i as u8]).collect();
        for der in inputs.iter().chain(inputs.iter()) {
            let read = super::countries(der);
            assert!(read.is_err());
            assert_eq!(cache.countries(der), read);
        }
        assert_eq!(cache.0.lock().map(|c| c.len()).unwrap_or_default(), super::ChainCache::ENTRIES);
    }

    /// A document signer's key read through the cache is the key of its certificate, read once:
    /// the same JWK and thumbprint each time, and a certificate without one refused as reading it
    /// refuses it.
    #[test]
    fn the_signer_key_cache_answers_as_reading_does() {
        let cache = super::SignerKeyCache::default();
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["ds.example".into()]).unwrap().self_signed(&key).unwrap();
        let jwk = crate::jose::jwk_from_certificate(cert.der()).unwrap();
        for _ in 0..2 {
            let read = cache.signer_key(cert.der()).unwrap();
            assert_eq!(read.jwk, jwk);
            assert_eq!(Some(read.thumbprint), crate::jose::thumbprint(&jwk));
        }
        let refused = crate::jose::jwk_from_certificate(b"not a certificate").unwrap_err().to_string();
        assert_eq!(cache.signer_key(b"not a certificate").unwrap_err(), refused);
        assert_eq!(cache.0.lock().map(|c| c.len()).unwrap_or_default(), 2);
    }

    #[test]
    fn a_certificate_as_pem_reads_back_as_the_same_der() {
        use rustls::pki_types::pem::PemObject;
        let der: Vec<u8> = (0..200u8).collect();
        let pem = super::certificate_pem(&der);
        assert!(pem.lines().all(|l| l.len() <= 64));
        let back = rustls::pki_types::CertificateDer::pem_slice_iter(pem.as_bytes()).next().unwrap().unwrap();
        assert_eq!(back.as_ref(), der.as_slice());
    }
}
