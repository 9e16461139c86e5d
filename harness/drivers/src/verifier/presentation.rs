//! What a verifier accepts: one correct presentation, and none of the faulty ones. One driver; each
//! case names the request it starts, the credential (which issuer, what deviation), how it is
//! presented, and whether the verifier must accept it.

use super::holder::{Holder, IssuerChoice, RequestAsk, expect_accepted, expect_rejected, precondition};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_protocols::oid4vp::holder::PresentationSpec;
use dialtone_roles::issuer::{Deviation, MdocDeviation, mdoc};
use serde::Deserialize;

driver!("oid4vp.verifier.presentation", binding::VERIFIER, present, PresentationCase);

/// One presentation and the verdict it must get.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PresentationCase {
    /// What the harness asks the verifier's control API for (a response mode, a client
    /// identifier prefix); the case skips when the verifier does not honour it.
    #[serde(default)]
    request: RequestAsk,
    #[serde(default)]
    issuer: IssuerChoice,
    #[serde(default)]
    credential: Deviation,
    #[serde(default)]
    presentation: PresentationSpec,
    /// Present an mdoc (`mso_mdoc`, an mDL) instead of an SD-JWT VC, deviating as this says: the
    /// harness asks for it with a DCQL query, and the `presentation` deviations apply to its device
    /// authentication (`kb`) and released elements (`disclosures`).
    #[serde(default)]
    mdoc: Option<MdocDeviation>,
    /// Send the correct response twice; the first must be taken, the second refused.
    #[serde(default)]
    replay: bool,
    /// How many credentials the harness holds (each minted alike) and presents where the query's
    /// `multiple` allows (§6.1).
    #[serde(default = "one")]
    held: usize,
    expect: Expect,
}

fn one() -> usize {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Expect {
    Accepted,
    Rejected,
}

/// The DCQL query for an mDL's names (OpenID4VP Appendix B.2: `meta.doctype_value`, claims paths
/// `[namespace, element]`).
pub(crate) fn mdl_query() -> serde_json::Value {
    serde_json::json!({ "credentials": [{
        "id": "mdl",
        "format": dialtone_protocols::oid4vci::FORMAT_MSO_MDOC,
        "meta": { "doctype_value": mdoc::MDL_DOCTYPE },
        "claims": [
            { "path": [mdoc::MDL_NAMESPACE, "given_name"] },
            { "path": [mdoc::MDL_NAMESPACE, "family_name"] },
        ],
    }]})
}

async fn present(ctx: Ctx, case: PresentationCase) -> Outcome {
    let holder = Holder::new(ctx);
    flatten(
        async {
            let started = match &case.mdoc {
                Some(_) => {
                    let mut start = case.request.start();
                    start.dcql_query = Some(mdl_query());
                    holder.request_with(start).await?
                }
                None => case.request.start_at(&holder).await?,
            };
            let vp = match &case.mdoc {
                Some(deviation) => {
                    let credential = holder.mdoc_credential(deviation)?;
                    holder.mdoc_vp_token(&started.request, &credential, &case.presentation)?
                }
                None => {
                    let held = (0..case.held.clamp(1, 4))
                        .map(|_| holder.credential(case.issuer, &case.credential))
                        .collect::<Result<Vec<_>, _>>()?;
                    holder.vp_token_of(&started.request, &held, &case.presentation)?
                }
            };
            let response = holder.respond_started(&started, &vp, &case.presentation).await?;
            if case.replay {
                if !(200..300).contains(&response.status) {
                    return Err(precondition("first response accepted", format!("HTTP {}", response.status)));
                }
                let second = holder.respond_started(&started, &vp, &case.presentation).await?;
                return Ok(if (200..300).contains(&second.status) {
                    Outcome::fail("the replayed response refused (HTTP 4xx)", format!("HTTP {}", second.status))
                } else {
                    Outcome::pass(format!("replay refused with HTTP {}", second.status))
                });
            }
            let verdict = holder.verdict_after(&started, &response).await?;
            let outcome = match case.expect {
                Expect::Accepted => expect_accepted(&response, verdict.as_ref()),
                Expect::Rejected => expect_rejected(&response, verdict.as_ref()),
            };
            if case.issuer == IssuerChoice::Untrusted {
                // Say what the verifier must be configured with for this case to mean anything.
                let configuration = holder.registry_configuration()?;
                holder.ctx.evidence.note(configuration.clone());
                if let Outcome::Fail { expected, observed } = outcome {
                    return Ok(Outcome::fail(format!("{expected}: {configuration}"), observed));
                }
            }
            Ok(outcome)
        }
        .await,
    )
}
