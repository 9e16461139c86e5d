//! The mdoc an issuer issues (`mso_mdoc`, OpenID4VCI Appendix A.2), judged with the same
//! verification steps the live verifier and `dialtone check` run (`dialtone_protocols::mdoc::verify`):
//! the harness asks the control API for an offer of the issuer's first `mso_mdoc` configuration,
//! redeems it with a proof of its key, and applies the one step the case names.

use super::wallet::Wallet;
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_protocols::mdoc::verify;
use dialtone_protocols::oid4vci::FORMAT_MSO_MDOC;
use dialtone_protocols::oid4vp::mdoc::issuer_signed;

driver!("mdoc.issued", binding::ISSUER, judge, MdocIssuedParams);

/// The step of the shared mdoc verification a case applies to the issued mdoc.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Step {
    /// The MSO's COSE_Sign1 verifies with the document signer certificate in `x5chain`.
    IssuerSignature,
    /// Every element's digest is the MSO's.
    Digests,
    /// Now is within the MSO's validity.
    Validity,
    /// The MSO's docType is the configuration's `doctype`.
    DocType,
    /// The MSO's deviceKey is the key the proof proved.
    DeviceKey,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MdocIssuedParams {
    step: Step,
}

fn judged(step: verify::Step<String>) -> Outcome {
    step.map_or_else(|f| Outcome::fail(f.expected, f.observed), Outcome::pass)
}

async fn judge(ctx: Ctx, MdocIssuedParams { step }: MdocIssuedParams) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let metadata = wallet.metadata().await?;
            let configurations = metadata.configurations();
            let found = configurations
                .iter()
                .find(|(_, c)| c.as_ref().is_ok_and(|c| c.format.as_deref() == Some(FORMAT_MSO_MDOC)));
            let Some((id, Ok(configuration))) = found else {
                return Ok(Outcome::skip("the issuer's metadata has no mso_mdoc credential configuration"));
            };
            let doctype = configuration.doctype.clone();
            let wallet = wallet.for_configuration(id.to_string());
            let issued = wallet.issue().await?;
            let (_, mdoc) = match issuer_signed(&issued.credential) {
                Ok(m) => m,
                Err(e) => {
                    return Ok(Outcome::fail("a base64url-encoded IssuerSigned (OpenID4VCI Appendix A.2.4)", e));
                }
            };
            wallet.ctx.evidence.artifact(
                "MSO",
                format!(
                    "docType {:?}, validity {:?}, namespaces {:?}",
                    mdoc.mso.doc_type,
                    mdoc.mso.validity,
                    mdoc.namespaces.keys().collect::<Vec<_>>()
                ),
            );
            let now = dialtone_protocols::now_epoch();
            Ok(match step {
                Step::IssuerSignature => {
                    judged(verify::document_signer_key(&mdoc).and_then(|key| verify::issuer_signature(&mdoc, &key)))
                }
                Step::Digests => {
                    judged(verify::value_digests(&mdoc).map(|n| format!("{n} elements match their MSO digests")))
                }
                Step::Validity => judged(verify::validity(&mdoc.mso, now)),
                Step::DocType => judged(verify::doc_type(None, &mdoc.mso, doctype.as_deref())),
                Step::DeviceKey => {
                    let bound = mdoc
                        .mso
                        .device_key
                        .as_ref()
                        .and_then(|k| dialtone_protocols::mdoc::device::jwk_of_cose_key(k).ok())
                        .and_then(|jwk| dialtone_protocols::jose::thumbprint(&jwk));
                    if bound.as_deref() == Some(wallet.key.thumbprint().as_str()) {
                        Outcome::pass("the MSO's deviceKey is the key the proof proved")
                    } else {
                        Outcome::fail(
                            "the MSO's deviceKeyInfo.deviceKey the proof's key (OpenID4VCI Appendix A.2)",
                            format!("device key thumbprint {bound:?}"),
                        )
                    }
                }
            })
        }
        .await,
    )
}
