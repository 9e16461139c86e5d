//! The reference wallet's mdocs: which of its keys an issued mdoc is bound to (the MSO's
//! `deviceKey`), what it reports holding, and presenting one for an `mso_mdoc` query through the
//! shared OpenID4VP holder (`oid4vp::mdoc`: the base64url `DeviceResponse` over the request's
//! handover — the redirect one, or over the Digital Credentials API the one naming the calling
//! origin — OpenID4VP Appendix B.2).

use super::{Stored, Wallet, lock};
use dialtone_protocols::control::HeldCredential;
use dialtone_protocols::dcql::CredentialQuery;
use dialtone_protocols::jose::{EcKey, thumbprint};
use dialtone_protocols::mdoc::device::jwk_of_cose_key;
use dialtone_protocols::mdoc::verify::json_of;
use dialtone_protocols::oid4vp::{holder, mdoc};
use serde_json::{Map, Value};

/// Which of `keys` an mdoc (as issued: base64url `IssuerSigned`) is bound to.
pub(super) fn holder_key(credential: &str, keys: &[EcKey]) -> Option<EcKey> {
    let (_, parsed) = mdoc::issuer_signed(credential).ok()?;
    let bound = thumbprint(&jwk_of_cose_key(parsed.mso.device_key.as_ref()?).ok()?)?;
    keys.iter().find(|k| k.thumbprint() == bound).cloned()
}

/// What the wallet reports of a stored mdoc (`None`: it is not one).
pub(super) fn held(stored: &Stored) -> Option<HeldCredential> {
    let (_, parsed) = mdoc::issuer_signed(&stored.credential).ok()?;
    let mut claims = Map::new();
    for (ns, items) in &parsed.namespaces {
        let elements: Map<String, Value> =
            items.iter().map(|i| (i.element_identifier.clone(), json_of(&i.element_value))).collect();
        claims.insert(ns.clone(), Value::Object(elements));
    }
    Some(HeldCredential {
        format: dialtone_protocols::oid4vci::FORMAT_MSO_MDOC.into(),
        claims: Some(claims),
        error: None,
    })
}

impl Wallet {
    /// The `vp_token` answering `query` with the newest stored mdoc that satisfies it, device-signed
    /// over the request's handover.
    pub(super) fn mdoc_vp_token(&self, request: &holder::Request, query: &CredentialQuery) -> Result<Value, String> {
        let (credential, key) = {
            let store = lock(&self.credentials);
            store
                .iter()
                .rev()
                .find(|s| mdoc::issuer_signed(&s.credential).is_ok_and(|(_, m)| mdoc::matches(query, &m)))
                .map(|s| (s.credential.clone(), s.key.clone()))
                .ok_or("no stored mdoc matches the query")?
        };
        let spec = self.behaviour.presentation();
        let handover = mdoc::handover(request, spec);
        let presentation = mdoc::presentation(&credential, &key, query, &handover, spec, &self.entropy)?;
        Ok(holder::vp_token(query, presentation, spec.vp_token))
    }
}
