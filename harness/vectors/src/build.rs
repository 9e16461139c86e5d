//! Keys, certificates and times the vectors are built from. Everything is derived from fixed seeds:
//! ES256 signatures are RFC 6979 deterministic, Ed25519 is deterministic, and certificates are
//! signed through the same deterministic ECDSA.

use dialtone_protocols::jose::EcKey;
use dialtone_protocols::seed::Entropy;
use dialtone_protocols::x509::CertSigner;
use serde_json::{Value, json};

pub const DAY: i64 = 86_400;

pub fn now() -> i64 {
    dialtone_protocols::time::parse_datetime_stamp(crate::VECTORS_NOW).unwrap_or(0)
}

pub fn rfc3339(t: i64) -> String {
    dialtone_protocols::time::format_rfc3339(t)
}

/// A P-256 key from a label (the same key for the same label, always).
pub fn key(label: &str) -> EcKey {
    EcKey::generate(&Entropy::seeded(7).derive(label))
}

/// A public JWK with its RFC 7638 thumbprint as kid.
pub(crate) fn public_with_kid(key: &EcKey) -> Value {
    let mut jwk = key.public_jwk();
    jwk["kid"] = json!(key.thumbprint());
    jwk["alg"] = json!("ES256");
    jwk
}

pub fn jwks(keys: &[&EcKey]) -> Value {
    json!({"keys": keys.iter().map(|k| public_with_kid(k)).collect::<Vec<_>>()})
}

/// An Ed25519 private JWK (OKP) from a label.
pub(crate) fn ed25519_private(label: &str) -> Value {
    let mut seed = [0u8; 32];
    Entropy::seeded(7).derive(label).fill(&mut seed);
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
    let x = dialtone_protocols::b64::encode(signing.verifying_key().as_bytes());
    let public = json!({"kty": "OKP", "crv": "Ed25519", "x": x});
    let kid = dialtone_protocols::jose::thumbprint(&public).unwrap_or_default();
    json!({"kty": "OKP", "crv": "Ed25519", "x": x, "d": dialtone_protocols::b64::encode(seed), "kid": kid})
}

pub(crate) fn public_of(private: &Value) -> Value {
    let mut p = private.clone();
    if let Some(o) = p.as_object_mut() {
        o.remove("d");
    }
    p
}

/// A trust list: issuer id → keys.
pub fn trust(entries: &[(&str, Vec<Value>)]) -> Value {
    json!({"issuers": entries.iter().map(|(id, keys)| json!({"id": id, "keys": keys})).collect::<Vec<_>>()})
}

fn params(cn: &str, serial: u64, ca: bool, country: bool) -> rcgen::CertificateParams {
    let mut p = rcgen::CertificateParams::default();
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name.push(rcgen::DnType::CommonName, cn);
    if country {
        p.distinguished_name.push(rcgen::DnType::CountryName, "CA");
    }
    p.serial_number = Some(rcgen::SerialNumber::from(serial.to_be_bytes().to_vec()));
    p.not_before =
        time::OffsetDateTime::from_unix_timestamp(now() - 365 * DAY).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    p.not_after =
        time::OffsetDateTime::from_unix_timestamp(now() + 3 * 365 * DAY).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    if ca {
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
        p.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
    } else {
        p.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        // id-kp mdlDS 1.0.18013.5.1.2
        p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::Other(vec![1, 0, 18013, 5, 1, 2])];
    }
    p
}

/// An issuing authority (IACA) root and a document signer certificate it issued (DER), with the
/// signer's key.
pub struct Pki {
    pub(crate) root_pem: String,
    pub(crate) ds_der: Vec<u8>,
    pub(crate) ds_key: EcKey,
}

pub fn pki(label: &str) -> Pki {
    pki_named(label, true, true)
}

/// As [`pki`], the IACA's and the document signer's subjects naming their country or not.
pub fn pki_named(label: &str, iaca_country: bool, ds_country: bool) -> Pki {
    let root_key = CertSigner::new(key(&format!("{label}/iaca")));
    let root_params = params(&format!("dialtone test IACA {label}"), 1, true, iaca_country);
    let root = root_params.self_signed(&root_key).ok();
    let ds_key = key(&format!("{label}/ds"));
    let ds_signer = CertSigner::new(ds_key.clone());
    let issuer = rcgen::Issuer::new(root_params, root_key);
    let ds = params(&format!("dialtone test document signer {label}"), 2, false, ds_country)
        .signed_by(&ds_signer, &issuer)
        .ok();
    Pki {
        root_pem: root.map(|c| c.pem()).unwrap_or_default(),
        ds_der: ds.map(|c| c.der().to_vec()).unwrap_or_default(),
        ds_key,
    }
}
