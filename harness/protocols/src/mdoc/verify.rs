//! Verifying an mdoc, once, for `dialtone check` (its rules run each step and report each) and for
//! the live verifier (the reference verifier runs them all over a presented `DeviceResponse`):
//! issuer authentication (the MSO's COSE_Sign1 by the document signer certificate in `x5chain`,
//! chained to a trusted IACA root), the MSO (the value digest of every presented element, its
//! validity, its docType), and device authentication (the device signature over
//! `DeviceAuthentication` with the session transcript the verifier expects, by the MSO's device
//! key). ISO/IEC 18013-5 §9.1.2–§9.1.4, §9.3; OpenID4VP 1.0 Appendix B.2.

use super::device::{device_authentication_bytes, jwk_of_cose_key};
use super::{Document, IssuerSigned, MdocArtifact, MdocError, Mso};
use crate::jose;
use crate::public_key::SetKey;
use ciborium::Value;
use serde_json::Map;

/// The document signer's extended key usage, 1.0.18013.5.1.2 (DER of the OID's arcs).
pub const DS_EKU: &[u8] = &[0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 0x02];

/// What a step expected and what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub expected: String,
    pub observed: String,
}

impl Failure {
    pub fn new(expected: impl Into<String>, observed: impl Into<String>) -> Self {
        Self { expected: expected.into(), observed: observed.into() }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expected {}, found {}", self.expected, self.observed)
    }
}

pub type Step<T> = Result<T, Failure>;

/// The document signer's key (a public JWK) from the first `x5chain` certificate.
pub fn document_signer_key(is: &IssuerSigned) -> Step<serde_json::Value> {
    let ds = document_signer(is)?;
    jose::jwk_from_certificate(ds).map_err(|e| Failure::new("a readable document signer certificate", e.to_string()))
}

/// The first `x5chain` certificate.
fn document_signer(is: &IssuerSigned) -> Step<&[u8]> {
    is.issuer_auth
        .x5chain_first()
        .ok_or_else(|| Failure::new("x5chain (label 33) with the document signer certificate", "absent"))
}

/// [`document_signer_key`], read into a key by `read` (a [`crate::x509::SignerKeyCache`]'s, for
/// the many mdocs of one document signer).
pub fn document_signer_key_with(is: &IssuerSigned, read: impl FnOnce(&[u8]) -> Result<SetKey, String>) -> Step<SetKey> {
    read(document_signer(is)?).map_err(|e| Failure::new("a readable document signer certificate", e))
}

/// The MSO's signature (issuerAuth) verifies with the document signer certificate's key.
pub fn issuer_signature(is: &IssuerSigned, ds_key: &serde_json::Value) -> Step<String> {
    issuer_signature_with_key(is, &SetKey::new(ds_key.clone()))
}

/// [`issuer_signature`] with the key read once ([`document_signer_key_with`]).
pub fn issuer_signature_with_key(is: &IssuerSigned, ds_key: &SetKey) -> Step<String> {
    is.issuer_auth
        .verify_with_key(ds_key)
        .map(|()| format!("the MSO signature verifies with the document signer key {}", ds_key.thumbprint))
        .map_err(|e| Failure::new("an MSO signature that verifies with the document signer certificate", e.to_string()))
}

/// The document signer certificate chains (through `x5chain`) to one of `roots` (IACA, DER) at `now`.
pub fn issuer_chain(is: &IssuerSigned, roots: &[Vec<u8>], now: i64) -> Step<String> {
    let chain = is.issuer_auth.x5chain();
    chained(crate::x509::verify_chain(&chain, roots, now, Some(DS_EKU)), roots)
}

/// [`issuer_chain`], validating a chain the `cache` has seen (with the same roots and time) once.
pub fn issuer_chain_cached(
    is: &IssuerSigned,
    roots: &[Vec<u8>],
    now: i64,
    cache: &crate::x509::ChainCache,
) -> Step<String> {
    let chain = is.issuer_auth.x5chain();
    chained(cache.verify_chain(&chain, roots, now, Some(DS_EKU)), roots)
}

fn chained(validated: Result<(), String>, roots: &[Vec<u8>]) -> Step<String> {
    validated
        .map(|()| format!("the document signer chains to one of {} trusted roots", roots.len()))
        .map_err(|e| Failure::new("a document signer certificate issued by a trusted authority", e))
}

/// The document signer certificate names its country (countryName) in its subject, and its issuer
/// — the IACA's subject — names one too (ISO/IEC 18013-5 Annex B: countryName is mandatory in the
/// IACA and document signer certificates).
pub fn certificate_countries(is: &IssuerSigned) -> Step<String> {
    certificate_countries_with(is, crate::x509::countries)
}

/// [`certificate_countries`], the certificate read by `read` (a [`crate::x509::CountryCache`]'s,
/// for the many mdocs of one document signer).
pub fn certificate_countries_with(
    is: &IssuerSigned,
    read: impl FnOnce(&[u8]) -> crate::x509::Countries,
) -> Step<String> {
    let chain = is.issuer_auth.x5chain();
    let ds = chain
        .first()
        .ok_or_else(|| Failure::new("x5chain (label 33) with the document signer certificate", "absent"))?;
    let expected = "countryName in the document signer certificate's subject and issuer (the IACA)";
    match read(ds) {
        Err(e) => Err(Failure::new(expected, e)),
        Ok((Some(subject), Some(issuer))) => {
            Ok(format!("document signer in {subject:?}, issued by an IACA in {issuer:?}"))
        }
        Ok((subject, issuer)) => Err(Failure::new(
            expected,
            format!(
                "subject countryName {}, issuer countryName {}",
                subject.as_deref().unwrap_or("absent"),
                issuer.as_deref().unwrap_or("absent")
            ),
        )),
    }
}

/// Every presented element's `IssuerSignedItemBytes` digests to the MSO's value digest (§9.3.1);
/// digest IDs are unique per namespace. Returns how many elements were checked.
pub fn value_digests(is: &IssuerSigned) -> Step<usize> {
    let alg = is.mso.digest_algorithm.as_deref().ok_or_else(|| Failure::new("a digestAlgorithm", "absent"))?;
    let mut checked = 0;
    for (ns, items) in &is.namespaces {
        let mut seen = std::collections::HashSet::new();
        for item in items {
            if !seen.insert(item.digest_id) {
                return Err(Failure::new(
                    "unique digestIDs per namespace",
                    format!("{ns}: digestID {} repeats", item.digest_id),
                ));
            }
            let Some(expected) = is.mso.value_digests.get(ns).and_then(|d| d.get(&item.digest_id)) else {
                return Err(Failure::new(
                    "a value digest in the MSO for every item",
                    format!("{ns}/{}: digestID {} is not in the MSO", item.element_identifier, item.digest_id),
                ));
            };
            let actual =
                super::digest(alg, &item.item_bytes).ok_or_else(|| Failure::new("a supported digestAlgorithm", alg))?;
            if &actual != expected {
                return Err(Failure::new(
                    "the digest of IssuerSignedItemBytes equal to the MSO's",
                    format!("{ns}/{} (digestID {}) does not match", item.element_identifier, item.digest_id),
                ));
            }
            checked += 1;
        }
    }
    if checked == 0 {
        return Err(Failure::new("at least one issuer-signed element", "no nameSpaces items"));
    }
    Ok(checked)
}

/// `signed ≤ validFrom < validUntil`, and `now` within `validFrom..validUntil` (§9.3.1). The
/// observation names the three dates.
pub fn validity(mso: &Mso, now: i64) -> Step<String> {
    let v = &mso.validity;
    let parse = |name: &str, t: &Option<String>| -> Step<i64> {
        t.as_deref()
            .and_then(crate::time::parse_datetime_stamp)
            .ok_or_else(|| Failure::new(format!("validityInfo.{name} as a tdate (#6.0)"), format!("{t:?}")))
    };
    let (signed, from, until) =
        (parse("signed", &v.signed)?, parse("validFrom", &v.valid_from)?, parse("validUntil", &v.valid_until)?);
    let observed = format!("signed {:?}, validFrom {:?}, validUntil {:?}", v.signed, v.valid_from, v.valid_until);
    if signed > from || from >= until {
        return Err(Failure::new("signed ≤ validFrom < validUntil", observed));
    }
    if now < from || now > until {
        return Err(Failure::new("the verification time within validFrom..validUntil", observed));
    }
    Ok(observed)
}

/// The MSO has a docType, the same as the document's, and (when one is asked for) the one asked for.
pub fn doc_type(document: Option<&str>, mso: &Mso, asked: Option<&str>) -> Step<String> {
    let m = mso.doc_type.as_deref().ok_or_else(|| Failure::new("an MSO docType", "absent"))?;
    if let Some(d) = document.filter(|d| *d != m) {
        return Err(Failure::new(format!("MSO docType {d:?} as the document says"), format!("MSO docType {m:?}")));
    }
    if let Some(a) = asked.filter(|a| *a != m) {
        return Err(Failure::new(
            format!("docType {a:?} as the query asks (meta.doctype_value)"),
            format!("docType {m:?}"),
        ));
    }
    Ok(format!("docType {m:?}"))
}

/// The device signature (`deviceAuth.deviceSignature`) verifies over `DeviceAuthenticationBytes`
/// for `session_transcript` with the MSO's device key (§9.1.3.6).
pub fn device_authentication(doc: &Document, session_transcript: &Value) -> Step<String> {
    let device = doc.device_signed.as_ref().ok_or_else(|| Failure::new("deviceSigned with deviceAuth", "absent"))?;
    let Some(signature) = &device.signature else {
        let found = if device.mac { "a deviceMac, which dialtone does not verify" } else { "neither" };
        return Err(Failure::new("deviceAuth.deviceSignature", found));
    };
    let mso = &doc.issuer_signed.mso;
    let key = mso.device_key.as_ref().ok_or_else(|| Failure::new("deviceKeyInfo.deviceKey in the MSO", "absent"))?;
    let jwk = jwk_of_cose_key(key).map_err(|e| Failure::new("a usable deviceKey", e.to_string()))?;
    let doc_type = doc.doc_type.as_deref().or(mso.doc_type.as_deref()).unwrap_or_default();
    let detached = device_authentication_bytes(session_transcript, doc_type, &device.namespaces);
    signature.verify_detached_with_jwk(&detached, &jwk).map(|()| "the device signature verifies over DeviceAuthentication with the MSO's device key".to_string()).map_err(|e| {
        Failure::new(
            "a device signature over DeviceAuthentication with the expected SessionTranscript, by the MSO's device key",
            e.to_string(),
        )
    })
}

/// Which checks a verifier makes; all of them unless a test verifier is told otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checks {
    pub issuer_signature: bool,
    pub issuer_chain: bool,
    pub digests: bool,
    pub validity: bool,
    pub doc_type: bool,
    pub device_authentication: bool,
}

impl Default for Checks {
    fn default() -> Self {
        Self {
            issuer_signature: true,
            issuer_chain: true,
            digests: true,
            validity: true,
            doc_type: true,
            device_authentication: true,
        }
    }
}

/// What a presentation must be for this verifier.
#[derive(Debug, Clone, Copy)]
pub struct Expectation<'a> {
    /// The docType the query asks for (`meta.doctype_value`).
    pub doc_type: Option<&'a str>,
    /// The session transcript of the verifier's own request (its handover).
    pub session_transcript: &'a Value,
    /// Trusted IACA roots (DER).
    pub iaca_roots: &'a [Vec<u8>],
    pub now: i64,
}

/// A verified document: its docType and the released elements, as JSON, by namespace.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    pub doc_type: String,
    pub namespaces: Map<String, serde_json::Value>,
}

/// Verifies one presented document as `checks` say; `Err` says the first thing that failed.
pub fn document(doc: &Document, expect: &Expectation<'_>, checks: &Checks) -> Result<Verified, String> {
    let is = &doc.issuer_signed;
    let fail = |what: &str, f: Failure| format!("{what}: {f}");
    let ds_key = document_signer_key(is).map_err(|f| fail("issuer authentication", f))?;
    if checks.issuer_signature {
        issuer_signature(is, &ds_key).map_err(|f| fail("issuer authentication", f))?;
    }
    if checks.issuer_chain {
        issuer_chain(is, expect.iaca_roots, expect.now).map_err(|f| fail("issuer authentication", f))?;
    }
    if checks.digests {
        value_digests(is).map_err(|f| fail("MSO value digests", f))?;
    }
    if checks.validity {
        validity(&is.mso, expect.now).map_err(|f| fail("MSO validity", f))?;
    }
    if checks.doc_type {
        doc_type(doc.doc_type.as_deref(), &is.mso, expect.doc_type).map_err(|f| fail("docType", f))?;
    }
    if checks.device_authentication {
        device_authentication(doc, expect.session_transcript).map_err(|f| fail("device authentication", f))?;
    }
    let mut namespaces = Map::new();
    for (ns, items) in &is.namespaces {
        let elements: Map<String, serde_json::Value> =
            items.iter().map(|i| (i.element_identifier.clone(), json_of(&i.element_value))).collect();
        namespaces.insert(ns.clone(), serde_json::Value::Object(elements));
    }
    Ok(Verified { doc_type: doc.doc_type.clone().or(is.mso.doc_type.clone()).unwrap_or_default(), namespaces })
}

/// Verifies a presented `DeviceResponse` (CBOR): version 1.0, status 0, exactly one document,
/// verified by [`document`].
pub fn device_response(bytes: &[u8], expect: &Expectation<'_>, checks: &Checks) -> Result<Verified, String> {
    let parsed = MdocArtifact::parse(bytes).map_err(|e: MdocError| format!("not a DeviceResponse: {e}"))?;
    let MdocArtifact::DeviceResponse { version, status, documents } = parsed else {
        return Err("an IssuerSigned structure, not a DeviceResponse".into());
    };
    if version.as_deref() != Some("1.0") || status != Some(0) {
        return Err(format!("DeviceResponse version {version:?}, status {status:?} (expected \"1.0\", 0)"));
    }
    match documents.as_slice() {
        [one] => document(one, expect, checks),
        other => Err(format!("{} documents in the DeviceResponse, expected one", other.len())),
    }
}

/// An element value as JSON (text, numbers, booleans, tagged dates as their text, bytes base64url).
pub fn json_of(value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::Text(t) => J::String(t.clone()),
        Value::Integer(i) => i64::try_from(*i).map(J::from).unwrap_or(J::Null),
        Value::Bool(b) => J::Bool(*b),
        Value::Float(x) => serde_json::Number::from_f64(*x).map(J::Number).unwrap_or(J::Null),
        Value::Tag(_, inner) => json_of(inner),
        Value::Array(a) => J::Array(a.iter().map(json_of).collect()),
        Value::Map(m) => {
            J::Object(m.iter().filter_map(|(k, v)| k.as_text().map(|k| (k.to_string(), json_of(v)))).collect())
        }
        Value::Bytes(b) => J::String(crate::b64::encode(b)),
        _ => J::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::EcKey;
    use crate::mdoc::device::{Release, device_response as build_response};
    use crate::mdoc::issue::{MdocSpec, cose_key, issuer_signed};
    use crate::mdoc::session_transcript::Handover;
    use crate::seed::Entropy;
    use crate::x509::CertSigner;

    const MDL: &str = "org.iso.18013.5.1.mDL";
    const NS: &str = "org.iso.18013.5.1";

    /// An IACA root and a document signer certificate it issued (DER), with the signer's key.
    fn iaca(label: &str) -> (Vec<u8>, Vec<u8>, EcKey) {
        let entropy = Entropy::seeded(3).derive(label);
        let params = |cn: &str, ca: bool| {
            let mut p = rcgen::CertificateParams::default();
            p.distinguished_name.push(rcgen::DnType::CommonName, cn);
            if ca {
                p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
                p.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign];
            } else {
                p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::Other(vec![1, 0, 18013, 5, 1, 2])];
            }
            p
        };
        let root_signer = CertSigner::new(EcKey::generate(&entropy));
        let root_params = params("test IACA", true);
        let root = root_params.self_signed(&root_signer).unwrap();
        let ds_key = EcKey::generate(&entropy);
        let issuer = rcgen::Issuer::new(root_params, &root_signer);
        let ds = params("test DS", false).signed_by(&CertSigner::new(ds_key.clone()), &issuer).unwrap();
        (root.der().to_vec(), ds.der().to_vec(), ds_key)
    }

    /// A chain validated once per chain, roots and time: the cached result is the uncached one,
    /// valid or not, and the cache keeps at most its bound whatever the number of chains.
    #[test]
    fn a_chain_is_validated_once_and_the_cache_stays_bounded() {
        let (root, ds, _) = iaca("cached");
        let (other_root, _, _) = iaca("other");
        let now = crate::now_epoch();
        let cache = crate::x509::ChainCache::default();
        let chain = vec![ds.clone()];
        for _ in 0..3 {
            assert!(cache.verify_chain(&chain, std::slice::from_ref(&root), now, Some(DS_EKU)).is_ok());
        }
        assert_eq!(cache.len(), 1);
        let refused = crate::x509::verify_chain(&chain, std::slice::from_ref(&other_root), now, Some(DS_EKU));
        for _ in 0..2 {
            let cached = cache.verify_chain(&chain, std::slice::from_ref(&other_root), now, Some(DS_EKU));
            assert!(cached.is_err());
            assert_eq!(cached, refused);
        }
        assert_eq!(cache.len(), 2);
        // Another time is another validation (the certificate may not be valid then).
        assert!(cache.verify_chain(&chain, std::slice::from_ref(&root), 0, Some(DS_EKU)).is_err());
        assert_eq!(cache.len(), 3);
        for n in 0..crate::x509::ChainCache::ENTRIES + 10 {
            let _ = cache.verify_chain(&[vec![n as u8; 8]], std::slice::from_ref(&root), now, Some(DS_EKU));
        }
        assert_eq!(cache.len(), crate::x509::ChainCache::ENTRIES);
        let large = vec![vec![0u8; crate::x509::ChainCache::MAX_BYTES + 1]];
        let fresh = crate::x509::ChainCache::default();
        assert!(fresh.verify_chain(&large, std::slice::from_ref(&root), now, Some(DS_EKU)).is_err());
        assert!(fresh.is_empty());
    }

    fn spec(device: &EcKey, now: i64) -> MdocSpec {
        MdocSpec {
            doc_type: MDL.into(),
            namespaces: vec![(
                NS.into(),
                vec![
                    ("given_name".into(), Value::Text("Élodie".into())),
                    ("family_name".into(), Value::Text("Tremblay".into())),
                    ("birth_date".into(), Value::Tag(1004, Box::new(Value::Text("1990-07-01".into())))),
                ],
            )],
            device_key: cose_key(device),
            signed: now - 60,
            valid_from: now - 60,
            valid_until: now + 86_400,
            tamper_element: false,
        }
    }

    fn transcript(nonce: &str) -> Value {
        Handover::Redirect {
            client_id: "x509_san_dns:localhost".into(),
            nonce: nonce.into(),
            jwk_thumbprint: None,
            response_uri: "https://localhost/response".into(),
        }
        .session_transcript()
    }

    /// An IACA root, its document signer's certificate, and the signer's key.
    type Signer = (Vec<u8>, Vec<u8>, EcKey);
    /// What a case changes before issuing and presenting: the spec, the device key that signs, the
    /// transcript signed over, the signer.
    type Change = Box<dyn FnOnce(&mut MdocSpec, &mut EcKey, &mut Value, &mut Signer)>;

    /// A presentation of given_name and family_name made with `change` applied, verified against
    /// the verifier's own transcript (nonce `n`) and the first IACA.
    fn verified(change: impl FnOnce(&mut MdocSpec, &mut EcKey, &mut Value, &mut Signer)) -> Result<Verified, String> {
        let now = crate::now_epoch();
        let entropy = Entropy::seeded(9);
        let device = EcKey::generate(&entropy);
        let (root, _, _) = iaca("trusted");
        let mut signer = iaca("trusted");
        let mut s = spec(&device, now);
        let mut signing = device.clone();
        let mut session = transcript("n");
        change(&mut s, &mut signing, &mut session, &mut signer);
        let issued = issuer_signed(&s, &signer.2, std::slice::from_ref(&signer.1), &entropy);
        let keep = |_: &str, e: &str| e != "birth_date";
        let release = Release { keep: &keep, device_key: &signing, session_transcript: &session };
        let bytes = build_response(&issued, &release).unwrap();
        let own = transcript("n");
        let expect =
            Expectation { doc_type: Some(MDL), session_transcript: &own, iaca_roots: std::slice::from_ref(&root), now };
        device_response(&bytes, &expect, &Checks::default())
    }

    #[test]
    fn a_correct_presentation_verifies_and_releases_only_what_was_kept() {
        let v = verified(|_, _, _, _| {}).unwrap();
        assert_eq!(v.doc_type, MDL);
        let elements = v.namespaces[NS].as_object().unwrap();
        assert_eq!(elements.keys().collect::<Vec<_>>(), ["given_name", "family_name"]);
        assert_eq!(elements["given_name"], "Élodie");
    }

    #[test]
    fn each_deviation_is_refused_by_its_step() {
        let cases: Vec<(&str, Change)> = vec![
            ("device authentication", Box::new(|_, _, t, _| *t = transcript("other"))),
            ("device authentication", Box::new(|_, k, _, _| *k = EcKey::generate(&Entropy::seeded(11)))),
            ("MSO value digests", Box::new(|s, _, _, _| s.tamper_element = true)),
            (
                "MSO validity",
                Box::new(|s, _, _, _| {
                    s.signed -= 10 * 86_400;
                    s.valid_from -= 10 * 86_400;
                    s.valid_until = s.valid_from + 86_400;
                }),
            ),
            ("issuer authentication", Box::new(|_, _, _, p| *p = iaca("unknown"))),
            ("docType", Box::new(|s, _, _, _| s.doc_type = "org.iso.23220.photoid.1".into())),
        ];
        for (step, change) in cases {
            let err = verified(change).unwrap_err();
            assert!(err.starts_with(step), "{step}: {err}");
        }
    }
}
