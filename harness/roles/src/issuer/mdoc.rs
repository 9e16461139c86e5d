//! The reference issuer's mdocs (ISO/IEC 18013-5 mDL, format `mso_mdoc`): the elements it issues,
//! the document signer certificate its key gets from the run's authority (the IACA a verifier
//! trusts), and minting — correct for the reference issuer, with one [`MdocDeviation`] for the
//! harness in front of a verifier under test.

use super::minter::{Minter, Offset, subject_claims};
use ciborium::Value;
use dialtone_protocols::mdoc::encode_cbor;
use dialtone_protocols::mdoc::issue::{MdocSpec, cose_key_of_jwk, issuer_signed};
use serde_json::Value as Json;

/// The mDL docType and namespace (ISO/IEC 18013-5 §7.1).
pub const MDL_DOCTYPE: &str = "org.iso.18013.5.1.mDL";
pub const MDL_NAMESPACE: &str = "org.iso.18013.5.1";
/// The elements the reference issues, in the mDL namespace.
pub const MDL_ELEMENTS: &[&str] =
    &["family_name", "given_name", "birth_date", "issuing_country", "issuing_authority", "age_over_18"];
/// A seed for the authority no verifier is told to trust (for the unknown-IACA deviation).
const UNKNOWN_IACA_SEED: u64 = 0x1aca_0bad;

/// A deviation from a correct mdoc, as data (case params). Offsets are from now.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MdocDeviation {
    /// `validityInfo.validFrom` (and `signed`) offset; default a minute ago.
    pub valid_from: Option<Offset>,
    /// `validityInfo.validUntil` offset; default a year from now.
    pub valid_until: Option<Offset>,
    /// Another docType (in the MSO and the document) than the mDL's.
    pub doc_type: Option<String>,
    /// An element's value changed after its digest was signed.
    pub tamper_element: bool,
    /// Which authority issued the document signer certificate.
    pub iaca: IacaChoice,
    /// Bind the mdoc to another key than the holder's (the MSO's deviceKey).
    pub other_device_key: bool,
    /// Sign the MSO with another key than the document signer certificate's.
    pub foreign_signature: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IacaChoice {
    /// The run's authority, the IACA the verifier trusts.
    #[default]
    Trusted,
    /// An authority the verifier was never told of.
    Unknown,
}

/// The mDL elements for the reference subject (names as people write them).
pub fn mdl_elements() -> Vec<(String, Value)> {
    let subject = subject_claims();
    let text = |name: &str| Value::Text(subject.get(name).and_then(Json::as_str).unwrap_or_default().to_string());
    vec![
        ("family_name".into(), text("family_name")),
        ("given_name".into(), text("given_name")),
        ("birth_date".into(), Value::Tag(1004, Box::new(text("birthdate")))),
        ("issuing_country".into(), Value::Text("CA".into())),
        ("issuing_authority".into(), Value::Text("dialtone test authority".into())),
        ("age_over_18".into(), Value::Bool(true)),
    ]
}

impl Minter {
    /// An mdoc (base64url `IssuerSigned`, as OpenID4VCI Appendix A.2 returns it) bound to
    /// `device_jwk` (a P-256 public JWK), deviating as `deviation` says.
    pub fn mint_mdoc(&self, device_jwk: &Json, deviation: &MdocDeviation) -> Result<String, String> {
        let other = self.unlisted_signing_key().public_jwk();
        let device_jwk = if deviation.other_device_key { &other } else { device_jwk };
        let device_key = cose_key_of_jwk(device_jwk).ok_or("the device key is not a P-256 public JWK")?;
        let now = dialtone_protocols::now_epoch();
        let from = now + deviation.valid_from.map_or(-60, |o| o.0);
        let spec = MdocSpec {
            doc_type: deviation.doc_type.clone().unwrap_or_else(|| MDL_DOCTYPE.into()),
            namespaces: vec![(MDL_NAMESPACE.into(), mdl_elements())],
            device_key,
            signed: from,
            valid_from: from,
            valid_until: now + deviation.valid_until.map_or(365 * 86_400, |o| o.0),
            tamper_element: deviation.tamper_element,
        };
        let (key, chain) = match deviation.iaca {
            IacaChoice::Trusted if deviation.foreign_signature => {
                (self.unlisted_signing_key(), self.document_signer_chain()?)
            }
            IacaChoice::Trusted => (self.signing_key(), self.document_signer_chain()?),
            IacaChoice::Unknown => {
                let unknown = crate::tls::TestPki::seeded(UNKNOWN_IACA_SEED)?;
                let cert = unknown
                    .document_signer_certificate(&self.unlisted_signing_key().public_point(), &self.identifier)?;
                (self.unlisted_signing_key(), vec![cert])
            }
        };
        let signed = issuer_signed(&spec, key, &chain, self.entropy());
        Ok(dialtone_protocols::b64::encode(encode_cbor(&signed)))
    }
}

/// The configuration id of the reference issuer's mDL (OpenID4VCI Appendix A.2).
pub const CONFIG_MDL: &str = "mDL_mso_mdoc";

/// The mDL's credential configuration (OpenID4VCI Appendix A.2.2): `doctype`, the device key bound
/// as a COSE_Key from the proof's `jwk`, the issuer's COSE algorithm (-7, ES256), its elements.
pub(crate) fn configuration(
    proof_types: Option<Json>,
) -> dialtone_protocols::oid4vci::message::CredentialConfiguration {
    use dialtone_protocols::oid4vci::message::{
        ClaimDescription, CredentialConfiguration, CredentialMetadata, Display,
    };
    let claims = MDL_ELEMENTS.iter().map(|e| ClaimDescription::at(&[MDL_NAMESPACE, e])).collect();
    CredentialConfiguration {
        format: Some(dialtone_protocols::oid4vci::FORMAT_MSO_MDOC.into()),
        scope: Some("mdl".into()),
        doctype: Some(MDL_DOCTYPE.into()),
        cryptographic_binding_methods_supported: Some(vec!["cose_key".into()]),
        credential_signing_alg_values_supported: Some(serde_json::json!([-7])),
        proof_types_supported: proof_types,
        credential_metadata: Some(CredentialMetadata {
            display: Some(vec![Display::named("Mobile driving licence", "en-CA")]),
            claims: Some(claims),
            ..CredentialMetadata::default()
        }),
        ..CredentialConfiguration::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::TestPki;
    use dialtone_protocols::jose::EcKey;
    use dialtone_protocols::mdoc::verify;
    use dialtone_protocols::oid4vp::mdoc::issuer_signed as read;
    use dialtone_protocols::seed::Entropy;

    /// The document signer chains to the run's authority (what `counterparts export` writes as
    /// iaca.pem) and to no other; the unknown-IACA deviation chains to neither; the MSO binds the
    /// holder's key and verifies.
    #[test]
    fn an_mdoc_chains_to_the_runs_authority_only() {
        let pki = TestPki::seeded(5).unwrap();
        let minter = Minter::new("https://127.0.0.1:8701".into(), Entropy::seeded(2));
        minter.mdoc_from(&pki).unwrap();
        let holder = EcKey::generate(&Entropy::seeded(3));
        let now = dialtone_protocols::now_epoch();
        let (_, mdoc) = read(&minter.mint_mdoc(&holder.public_jwk(), &MdocDeviation::default()).unwrap()).unwrap();
        assert!(verify::issuer_chain(&mdoc, std::slice::from_ref(&pki.ca_der), now).is_ok());
        assert!(verify::issuer_chain(&mdoc, &[TestPki::seeded(6).unwrap().ca_der], now).is_err());
        let key = verify::document_signer_key(&mdoc).unwrap();
        assert!(verify::issuer_signature(&mdoc, &key).is_ok());
        assert_eq!(verify::value_digests(&mdoc), Ok(MDL_ELEMENTS.len()));
        let bound = dialtone_protocols::mdoc::device::jwk_of_cose_key(mdoc.mso.device_key.as_ref().unwrap()).unwrap();
        assert_eq!(dialtone_protocols::jose::thumbprint(&bound), Some(holder.thumbprint()));
        let unknown = MdocDeviation { iaca: IacaChoice::Unknown, ..Default::default() };
        let (_, rogue) = read(&minter.mint_mdoc(&holder.public_jwk(), &unknown).unwrap()).unwrap();
        assert!(verify::issuer_chain(&rogue, std::slice::from_ref(&pki.ca_der), now).is_err());
    }
}
