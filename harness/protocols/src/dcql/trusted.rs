//! Trusted Authorities Queries (OpenID4VP 1.0 §6.1.1): which authorities a verifier accepts
//! issuers from. dialtone evaluates `aki` (the AuthorityKeyIdentifier of a certificate in the
//! credential's chain); `etsi_tl` and `openid_federation` need a trusted list or a federation it
//! does not resolve, so they are reported as not evaluable, never as a match or a mismatch.

use serde_json::Value;

/// One entry of `trusted_authorities`: its `type` and `values`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedAuthority {
    pub kind: String,
    pub values: Vec<String>,
}

/// The `type` whose values are base64url AuthorityKeyIdentifier key identifiers (§6.1.1.1).
pub const AKI: &str = "aki";

/// Parses a `trusted_authorities` array; the error says what is malformed.
pub(crate) fn parse(list: &Value) -> Result<Vec<TrustedAuthority>, String> {
    let list = list.as_array().filter(|a| !a.is_empty()).ok_or("must be a non-empty array (§6.1)")?;
    list.iter()
        .enumerate()
        .map(|(i, entry)| {
            let kind = entry.get("type").and_then(Value::as_str).ok_or(format!("[{i}].type is not a string"))?;
            let values = entry
                .get("values")
                .and_then(Value::as_array)
                .filter(|a| !a.is_empty() && a.iter().all(Value::is_string))
                .ok_or(format!("[{i}].values must be a non-empty array of strings (§6.1.1)"))?;
            Ok(TrustedAuthority {
                kind: kind.to_string(),
                values: values.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            })
        })
        .collect()
}

impl TrustedAuthority {
    /// Whether a credential whose issuer chain is `chain` (DER certificates, as in its `x5c`)
    /// matches: `Some(true)` or `Some(false)` for a type dialtone evaluates, `None` for one it
    /// cannot (the reason is [`TrustedAuthority::not_evaluable`]).
    pub fn matches(&self, chain: &[Vec<u8>]) -> Option<bool> {
        if self.kind != AKI {
            return None;
        }
        let identifiers: Vec<String> = chain.iter().filter_map(|der| authority_key_id(der)).collect();
        Some(self.values.iter().any(|v| identifiers.contains(v)))
    }

    /// Why this entry cannot be evaluated, if it cannot.
    pub fn not_evaluable(&self) -> Option<String> {
        (self.kind != AKI).then(|| {
            format!("trusted_authorities of type {:?} are not evaluated by dialtone (only \"aki\" is)", self.kind)
        })
    }
}

/// Whether a credential with issuer chain `chain` is acceptable under `authorities` (§6.1: it
/// SHOULD match one of them): no authorities, or one evaluable entry matching, or none evaluable.
pub fn acceptable(authorities: &[TrustedAuthority], chain: &[Vec<u8>]) -> bool {
    let judged: Vec<bool> = authorities.iter().filter_map(|a| a.matches(chain)).collect();
    judged.is_empty() || judged.contains(&true)
}

/// The KeyIdentifier of a certificate's AuthorityKeyIdentifier, base64url (RFC 5280 §4.2.1.1).
pub fn authority_key_id(der: &[u8]) -> Option<String> {
    let oid = x509_cert::der::oid::db::rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER;
    let aki = crate::x509::extension::<x509_cert::ext::pkix::AuthorityKeyIdentifier>(der, oid)?;
    Some(crate::b64::encode(aki.key_identifier?.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Pki {
        leaf: Vec<u8>,
    }

    #[test]
    fn aki_matches_the_issuing_authority_and_other_types_are_not_evaluable() {
        let entropy = crate::seed::Entropy::seeded(7);
        let ca = crate::x509::CertSigner::new(crate::jose::EcKey::generate(&entropy));
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let issuer = rcgen::Issuer::new(ca_params, &ca);
        let holder = crate::x509::CertSigner::new(crate::jose::EcKey::generate(&entropy));
        let mut leaf_params = rcgen::CertificateParams::new(vec!["issuer.example".to_string()]).unwrap();
        leaf_params.use_authority_key_identifier_extension = true;
        let leaf = leaf_params.signed_by(&holder, &issuer).unwrap().der().to_vec();
        let pki = Pki { leaf };
        let aki = authority_key_id(&pki.leaf).expect("the leaf names its authority's key");
        let parsed =
            parse(&json!([{"type": "aki", "values": [aki]}, {"type": "etsi_tl", "values": ["https://lotl.example"]}]))
                .unwrap();
        assert_eq!(parsed[0].matches(std::slice::from_ref(&pki.leaf)), Some(true));
        assert_eq!(parsed[1].matches(std::slice::from_ref(&pki.leaf)), None);
        assert!(parsed[1].not_evaluable().unwrap().contains("etsi_tl"));
        assert!(acceptable(&parsed, std::slice::from_ref(&pki.leaf)));
        let other = parse(&json!([{"type": "aki", "values": ["s9tIpPmhxdiuNkHMEWNpYim8S8Y"]}])).unwrap();
        assert!(!acceptable(&other, std::slice::from_ref(&pki.leaf)));
        assert!(!acceptable(&other, &[]), "a credential without a chain matches no aki");
        let only_unknown = parse(&json!([{"type": "openid_federation", "values": ["https://ta.example"]}])).unwrap();
        assert!(acceptable(&only_unknown, &[]));
        assert!(parse(&json!([])).is_err());
        assert!(parse(&json!([{"type": "aki", "values": []}])).is_err());
    }
}
