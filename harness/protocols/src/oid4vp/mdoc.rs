//! The wallet side of an mdoc presentation over OpenID4VP (Appendix B.2): which stored mdoc answers
//! an `mso_mdoc` credential query (`meta.doctype_value`, claims paths `[namespace, element]`), the
//! handover of the request, and the `vp_token` value — the base64url `DeviceResponse` releasing only
//! the requested elements, device-signed over the session transcript. The deviations a case needs
//! are the key binding's, as [`PresentationSpec`] spells them for SD-JWT: `kb.nonce` and `kb.aud`
//! change the handover's nonce and client identifier, `kb.key` the signing key, `disclosures` what
//! is released; `mdoc.omit_thumbprint` leaves the encryption key's thumbprint out of the handover.
//!
//! [`handover`] is the request's: over the Digital Credentials API (the request has an origin) the
//! `OpenID4VPDCAPIHandover` (its origin, nonce, encryption key thumbprint for `dc_api.jwt`), else
//! the redirect `OpenID4VPHandover`; `mdoc.redirect_handover` is a wallet's fault that uses the
//! redirect one over the API too.

use super::dc_api::{DC_API_JWT, ORIGIN_PREFIX};
use super::holder::{DisclosureChoice, KbAudience, KbKey, KbNonce, PresentationSpec, Request};
use super::{DIRECT_POST_JWT, split_client_id};
use crate::dcql::{CredentialQuery, PathElement};
use crate::jose::EcKey;
use crate::mdoc::device::{Release, device_response};
use crate::mdoc::session_transcript::{Handover, jwk_thumbprint_bytes};
use crate::mdoc::{IssuerSigned, decode_cbor};
use crate::seed::Entropy;
use ciborium::Value;
use serde::Deserialize;

/// mdoc-only deviations of a presentation; the default is correct.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MdocSpec {
    /// The handover's third element is `null` even when the response is encrypted.
    pub omit_thumbprint: bool,
    /// Over the Digital Credentials API, the handover is the redirect one (`OpenID4VPHandover`,
    /// without the origin) instead of `OpenID4VPDCAPIHandover`.
    pub redirect_handover: bool,
}

/// The `IssuerSigned` of a credential as OpenID4VCI issues it (base64url CBOR, Appendix A.2).
pub fn issuer_signed(credential: &str) -> Result<(Value, IssuerSigned), String> {
    let bytes = crate::b64::decode(credential.trim().trim_end_matches('='))
        .map_err(|e| format!("an mso_mdoc credential is base64url: {e}"))?;
    let value = decode_cbor(&bytes).map_err(|e| e.to_string())?;
    let parsed = IssuerSigned::from_value(&value).map_err(|e| e.to_string())?;
    Ok((value, parsed))
}

/// `[namespace, element]` of each claims path pointer of an mdoc query (Appendix B.2, §7).
fn requested(query: &CredentialQuery) -> Vec<(String, String)> {
    query
        .claims
        .iter()
        .filter_map(|p| match p.as_slice() {
            [PathElement::Key(ns), PathElement::Key(element)] => Some((ns.clone(), element.clone())),
            _ => None,
        })
        .collect()
}

/// Whether a stored mdoc satisfies an `mso_mdoc` query: its docType, and every requested element.
pub fn matches(query: &CredentialQuery, mdoc: &IssuerSigned) -> bool {
    let doc_type_ok = query.doctype_value.as_deref().is_none_or(|d| mdoc.mso.doc_type.as_deref() == Some(d));
    let has = |ns: &str, element: &str| {
        mdoc.namespaces.get(ns).is_some_and(|items| items.iter().any(|i| i.element_identifier == element))
    };
    doc_type_ok && query.format == crate::oid4vci::FORMAT_MSO_MDOC && requested(query).iter().all(|(n, e)| has(n, e))
}

/// The JWK thumbprint of the key the request asks the response to be encrypted to, if it does.
fn encryption_thumbprint(request: &Request, spec: &PresentationSpec) -> Option<Vec<u8>> {
    let encrypted = matches!(request.response_mode(), Some(DIRECT_POST_JWT | DC_API_JWT));
    if spec.mdoc.omit_thumbprint || !encrypted {
        return None;
    }
    let (key, _) = request.params.client_metadata.as_ref()?.encryption_key()?;
    jwk_thumbprint_bytes(&key)
}

/// The handover of a request as `spec` says: over the Digital Credentials API (the request came
/// with an origin) the `OpenID4VPDCAPIHandover` — the calling origin (or, as a case's `kb.aud`
/// deviation says, another: its value without the `origin:` prefix), the nonce, the encryption key's
/// thumbprint for `dc_api.jwt` (Appendix B.2, invocation via the API) — else the redirect handover.
pub fn handover(request: &Request, spec: &PresentationSpec) -> Handover {
    let Some(origin) = request.origin.as_deref().filter(|_| !spec.mdoc.redirect_handover) else {
        return redirect_handover(request, spec);
    };
    let nonce = request.params.nonce.clone().unwrap_or_default();
    Handover::DcApi {
        origin: match &spec.kb.aud {
            KbAudience::Value(v) => v.strip_prefix(ORIGIN_PREFIX).unwrap_or(v).to_string(),
            KbAudience::ClientId | KbAudience::WithoutPrefix => origin.to_string(),
        },
        nonce: match spec.kb.nonce {
            KbNonce::Request => nonce,
            KbNonce::Other => format!("{nonce}-other"),
        },
        jwk_thumbprint: encryption_thumbprint(request, spec),
    }
}

/// The redirect handover (`OpenID4VPHandover`) of a request — the client identifier with its prefix,
/// the nonce, the encryption key's thumbprint for `direct_post.jwt`, the response URI — as `spec`
/// says (a case's deviation in `kb.nonce` / `kb.aud`).
pub fn redirect_handover(request: &Request, spec: &PresentationSpec) -> Handover {
    let client_id = request.effective_client_id();
    let nonce = request.params.nonce.clone().unwrap_or_default();
    Handover::Redirect {
        client_id: match &spec.kb.aud {
            KbAudience::ClientId => client_id.to_string(),
            KbAudience::WithoutPrefix => split_client_id(client_id).1.to_string(),
            KbAudience::Value(v) => v.clone(),
        },
        nonce: match spec.kb.nonce {
            KbNonce::Request => nonce,
            KbNonce::Other => format!("{nonce}-other"),
        },
        jwk_thumbprint: encryption_thumbprint(request, spec),
        response_uri: request
            .params
            .response_uri
            .clone()
            .or_else(|| request.params.redirect_uri.clone())
            .unwrap_or_default(),
    }
}

/// The Digital Credentials API handover (`OpenID4VPDCAPIHandover`) of a request received from
/// `origin` (without an `origin:` prefix), with the thumbprint of `encryption_jwk` for `dc_api.jwt`.
pub fn dc_api_handover(request: &Request, origin: &str, encryption_jwk: Option<&serde_json::Value>) -> Handover {
    Handover::DcApi {
        origin: origin.to_string(),
        nonce: request.params.nonce.clone().unwrap_or_default(),
        jwk_thumbprint: encryption_jwk.and_then(jwk_thumbprint_bytes),
    }
}

/// The `vp_token` value for `query`: the base64url `DeviceResponse` of the stored mdoc
/// (`credential`, as issued), releasing what `spec.disclosures` says, device-signed with `holder`
/// (or another key, `kb.key`) over `handover`'s session transcript.
pub fn presentation(
    credential: &str,
    holder: &EcKey,
    query: &CredentialQuery,
    handover: &Handover,
    spec: &PresentationSpec,
    entropy: &Entropy,
) -> Result<String, String> {
    let (value, _) = issuer_signed(credential)?;
    let wanted = requested(query);
    let keep = |ns: &str, element: &str| match spec.disclosures {
        DisclosureChoice::Requested => wanted.iter().any(|(n, e)| n == ns && e == element),
        DisclosureChoice::All => true,
        DisclosureChoice::None => false,
    };
    let other;
    let device_key = match spec.kb.key {
        KbKey::Holder => holder,
        KbKey::Other => {
            other = EcKey::generate(entropy);
            &other
        }
    };
    let transcript = handover.session_transcript();
    let release = Release { keep: &keep, device_key, session_transcript: &transcript };
    let bytes = device_response(&value, &release).map_err(|e| e.to_string())?;
    Ok(crate::b64::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oid4vp::dc_api;
    use crate::oid4vp::message::{ClientMetadata, RequestParameters};
    use serde_json::json;

    fn received(mode: &str) -> (Request, serde_json::Value) {
        let key = EcKey::generate(&Entropy::seeded(7)).public_jwk();
        let params = RequestParameters {
            response_type: Some("vp_token".into()),
            response_mode: Some(mode.into()),
            nonce: Some("n-0S6_WzA2Mj".into()),
            client_metadata: Some(ClientMetadata {
                jwks: Some(json!({ "keys": [key.clone()] })),
                ..Default::default()
            }),
            dcql_query: Some(json!({"credentials": [{"id": "mdl", "format": "mso_mdoc"}]})),
            ..Default::default()
        };
        let request = dc_api::receive(&dc_api::request_data(&params, None), "https://verifier.example").unwrap();
        (request, key)
    }

    #[test]
    fn over_the_dc_api_the_handover_names_the_origin_and_for_dc_api_jwt_the_key() {
        let spec = PresentationSpec::default();
        let (encrypted, key) = received(dc_api::DC_API_JWT);
        let expected = Handover::DcApi {
            origin: "https://verifier.example".into(),
            nonce: "n-0S6_WzA2Mj".into(),
            jwk_thumbprint: jwk_thumbprint_bytes(&key),
        };
        assert!(jwk_thumbprint_bytes(&key).is_some());
        assert_eq!(handover(&encrypted, &spec), expected);
        let (plain, _) = received(dc_api::DC_API);
        assert!(matches!(handover(&plain, &spec), Handover::DcApi { jwk_thumbprint: None, .. }));
        // A case's deviation names another origin (its value without `origin:`); a faulty wallet
        // uses the redirect handover.
        let mut other = spec.clone();
        other.kb.aud = KbAudience::Value("origin:https://attacker.example".into());
        assert!(
            matches!(handover(&plain, &other), Handover::DcApi { origin, .. } if origin == "https://attacker.example")
        );
        let mut faulty = spec;
        faulty.mdoc.redirect_handover = true;
        assert!(matches!(handover(&plain, &faulty), Handover::Redirect { .. }));
    }
}
