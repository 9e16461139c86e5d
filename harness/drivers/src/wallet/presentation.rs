//! A wallet under test presenting: the harness is the verifier — correct, or with one fault in its
//! request that the wallet must refuse — and judges what the wallet sends (OpenID4VP §5.9.3, §8,
//! RFC 9901 §7.3). One driver for acceptance and refusal; the cases name the counterpart verifier's
//! fault and what the harness asks it to request.

use super::stack::{Driver, Stack, precondition, stack_varied};
use crate::dcql_ask::DcqlAsk;
use crate::transaction_ask::TransactionDataAsk;
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_protocols::control::{OfferRequest, RequestOutcome, SignatureAsk, StartRequest, WalletAnswer};
use dialtone_roles::issuer::{IssuerConfig, mdoc};
use dialtone_roles::verifier::VerifierFault;
use dialtone_roles::verifier::variation::RequestVariation;
use serde::Deserialize;
use serde_json::Value;

driver!("oid4vp.wallet.presentation", binding::WALLET, presentation, PresentationCase);
driver!("oid4vp.wallet.discloses_only_requested", binding::WALLET, discloses_only_requested);
driver!("oid4vp.wallet.names_presented_exact", binding::WALLET, names_presented_exact);

/// One presentation request to the wallet, and what the wallet must do with it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PresentationCase {
    /// The counterpart verifier's one fault (a mutant name, `verifier.…`); none: a correct verifier.
    verifier: Option<CounterpartFault>,
    /// What the harness asks the counterpart verifier to request.
    #[serde(default)]
    request: Ask,
    /// Hold and present an mDL (`mso_mdoc`, OpenID4VP Appendix B.2) instead of an SD-JWT VC.
    mdoc: Option<MdocAsk>,
    /// How many credentials the wallet is issued before the request (each by its own offer).
    #[serde(default = "one")]
    issued: u32,
    expect: Expect,
    /// Claims (top-level names) that must not reach the verifier in an accepted presentation.
    #[serde(default)]
    withheld: Vec<String>,
    /// How the wallet must have fetched the request object.
    fetched: Option<super::retrieval::FetchExpect>,
    /// How the counterpart verifier's request varies, correctly, from the plain one.
    #[serde(default)]
    variation: RequestVariation,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MdocAsk {
    /// Also require that the verifier received only the requested elements.
    #[serde(default)]
    only_requested: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ask {
    response_mode: Option<String>,
    client_id_prefix: Option<String>,
    request_uri_method: Option<String>,
    /// The DCQL query to ask for (`dcql_ask`); none: the person with given_name and family_name.
    dcql: Option<DcqlAsk>,
    /// Transaction data for the verifier to send (`transaction_ask`).
    transaction_data: Option<TransactionDataAsk>,
    /// Over the Digital Credentials API (`response_mode` `dc_api` or `dc_api.jwt`), the origin
    /// the platform tells the wallet the request comes from, instead of the verifier's own.
    calling_origin: Option<String>,
    /// Over the Digital Credentials API with a `client_id_prefix`: a multi-signed request with
    /// these signatures, in order (`valid` / `invalid`; OpenID4VP §A.3.2.2).
    signatures: Option<Vec<SignatureAsk>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Expect {
    /// The presentation reaches the verifier, which accepts it.
    Accepted,
    /// The wallet refuses; nothing reaches the verifier.
    Refused,
}

/// A verifier mutant, by the name suites use.
#[derive(Debug, Clone, Copy)]
struct CounterpartFault(VerifierFault);

impl<'de> Deserialize<'de> for CounterpartFault {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        VerifierFault::from_name(&name)
            .map(CounterpartFault)
            .ok_or_else(|| serde::de::Error::custom(format!("{name:?} is not a verifier mutant (`dialtone mutants`)")))
    }
}

/// Issues to the wallet, has it answer a request; the wallet's answer and the verdict.
async fn presented(
    ctx: &Ctx,
    fault: Option<VerifierFault>,
    start: StartRequest,
) -> Result<(Stack, WalletAnswer, RequestOutcome), Outcome> {
    presented_after(ctx, fault, start, Setup::default()).await
}

/// What a presentation case sets up besides the request it asks for.
#[derive(Default)]
struct Setup<'a> {
    /// The credential each issuance asks the issuer for (the default: the verified person).
    offer: OfferRequest,
    /// How many credentials the wallet is issued before the request (each by its own offer).
    issued: u32,
    /// How the counterpart verifier's request varies, correctly, from the plain one.
    variation: RequestVariation,
    /// The DCQL query to ask for; none: the request's own, else the person with given_name and
    /// family_name.
    dcql: Option<DcqlAsk>,
    /// Over the Digital Credentials API, the origin the platform tells the wallet.
    calling_origin: Option<&'a str>,
}

/// [`presented`] as `setup` says. A query that cannot pin the case's issuer runs while no other
/// case hands the wallet credentials ([`super::stack::alone`]), so the newest credential the
/// wallet holds is this case's.
async fn presented_after(
    ctx: &Ctx,
    fault: Option<VerifierFault>,
    mut start: StartRequest,
    setup: Setup<'_>,
) -> Result<(Stack, WalletAnswer, RequestOutcome), Outcome> {
    let stack = stack_varied(ctx, Some(fault), IssuerConfig::default(), setup.variation).await?;
    let dcql = setup.dcql;
    let work = async {
        let driver = Driver { ctx };
        for _ in 0..setup.issued.max(1) {
            driver.holds(&stack, setup.offer.clone()).await?;
        }
        if let Some(ask) = dcql {
            start.dcql_query = Some(ask.query(Some(&stack.issuer_url)));
        }
        match setup.calling_origin {
            Some(origin) => driver.present_from(&stack, start, Some(origin)).await,
            None => driver.present_with(&stack, start).await,
        }
    };
    let (answer, verdict) = match dcql {
        Some(ask) if ask.unpinned() => super::stack::alone(ctx, work).await?,
        _ => work.await?,
    };
    Ok((stack, answer, verdict))
}

async fn presentation(ctx: Ctx, case: PresentationCase) -> Outcome {
    flatten(
        async {
            let mut start = StartRequest {
                response_mode: case.request.response_mode.clone(),
                client_id_prefix: case.request.client_id_prefix.clone(),
                request_uri_method: case.request.request_uri_method.clone(),
                transaction_data: case.request.transaction_data.map(TransactionDataAsk::objects),
                request_signatures: case.request.signatures.clone(),
                ..StartRequest::default()
            };
            let mut offer = OfferRequest::default();
            if case.mdoc.is_some() {
                start.dcql_query = Some(crate::verifier::presentation::mdl_query());
                offer.credential_configuration_id = Some(mdoc::CONFIG_MDL.into());
            }
            let setup = Setup {
                offer,
                issued: case.issued,
                variation: case.variation,
                dcql: case.request.dcql,
                calling_origin: case.request.calling_origin.as_deref(),
            };
            let (stack, answer, verdict) = presented_after(&ctx, case.verifier.map(|f| f.0), start, setup).await?;
            if let Some(expect) = case.fetched
                && let Err(mismatch) = super::retrieval::judge_fetch(&ctx, &stack, expect)
            {
                // A refusal the fetch is the premise of (the wallet checks the wallet_nonce it sent)
                // cannot be judged of a wallet that did not fetch so (§5.10: "if the Wallet passed
                // a wallet_nonce").
                return Ok(match case.expect {
                    Expect::Accepted => mismatch.into(),
                    Expect::Refused => Outcome::skip(format!(
                        "not applicable: this refusal presumes {}, and the wallet sent {} (answer {:?})",
                        mismatch.expected, mismatch.observed, answer.status
                    )),
                });
            }
            if let Some(MdocAsk { only_requested: true }) = case.mdoc {
                return Ok(only_requested_elements(&verdict));
            }
            if let Some(ask) = case.request.dcql
                && ask.unpinned()
                && answer.status == "sent"
                && verdict.status != "accepted"
                && let Some(why) = unpinned_answer_unjudgeable(&ctx, &stack, &verdict).await
            {
                return Ok(Outcome::skip(why));
            }
            let disclosed: Vec<&String> = verdict
                .claims
                .iter()
                .flat_map(|by_query| by_query.values())
                .filter_map(serde_json::Value::as_object)
                .flat_map(|claims| claims.keys())
                .filter(|name| case.withheld.contains(name))
                .collect();
            Ok(match case.expect {
                Expect::Accepted if verdict.status == "accepted" && !disclosed.is_empty() => Outcome::fail(
                    format!("an accepted presentation without {:?} (OpenID4VP §6.4.1)", case.withheld),
                    format!("the verifier received {disclosed:?}"),
                ),
                Expect::Accepted if verdict.status == "accepted" => {
                    Outcome::pass("the verifier accepted the presentation")
                }
                Expect::Accepted => Outcome::fail(
                    "a presentation the verifier accepts",
                    format!("verdict {:?} {}; wallet answer {answer:?}", verdict.status, verdict.reason),
                ),
                Expect::Refused if answer.status == "refused" && verdict.status == "pending" => {
                    Outcome::pass(format!("refused: {}", answer.reason.as_deref().unwrap_or_default()))
                }
                Expect::Refused => Outcome::fail(
                    "the request refused, nothing sent to the verifier",
                    format!("wallet status {:?}, verifier verdict {:?}", answer.status, verdict.status),
                ),
            })
        }
        .await,
    )
}

/// Why a rejected answer to a query that cannot name this case's issuer (a query without claims)
/// cannot be judged: the wallet also holds credentials of earlier cases, whose issuers have stopped,
/// and any of them answers the query (which one is the wallet's choice, OpenID4VP §6.4.2), so the
/// verifier rejecting the one it sent says nothing of the wallet. `None`: it holds only this case's.
async fn unpinned_answer_unjudgeable(ctx: &Ctx, stack: &Stack, verdict: &RequestOutcome) -> Option<String> {
    let held = Driver { ctx }.credentials().await.ok()?;
    let others = held
        .iter()
        .filter_map(|c| c.claims.as_ref()?.get("iss")?.as_str())
        .filter(|iss| *iss != stack.issuer_url)
        .count();
    (others > 0).then(|| {
        format!(
            "the wallet holds {others} credential(s) from earlier cases' issuers (now stopped) that a query without \
             claims matches as well as this case's, and the verifier rejected the one it presented ({}: {}); which \
             credential answers is the wallet's choice (OpenID4VP §6.4.2), so this run cannot judge it — run this \
             case alone against a wallet holding nothing (`dialtone run --only {}`)",
            verdict.status, verdict.reason, ctx.case.id
        )
    })
}

/// mdoc data minimization: the verifier accepted a DeviceResponse releasing exactly the requested
/// mDL elements (given_name, family_name), not every element the wallet holds.
fn only_requested_elements(verdict: &RequestOutcome) -> Outcome {
    if verdict.status != "accepted" {
        return Outcome::precondition(
            "accepted presentation",
            format!("verdict {:?} {}", verdict.status, verdict.reason),
        );
    }
    let mut released: Vec<String> = verdict
        .claims_of("mdl")
        .and_then(|c| c.get(mdoc::MDL_NAMESPACE))
        .and_then(Value::as_object)
        .map(|e| e.keys().cloned().collect())
        .unwrap_or_default();
    released.sort();
    if released == ["family_name", "given_name"] {
        Outcome::pass("released only given_name and family_name, as asked")
    } else {
        Outcome::fail(
            "only the requested elements (given_name, family_name) in the DeviceResponse (OpenID4VP §6.4.1, §15.4)",
            format!("released {released:?}"),
        )
    }
}

/// Data minimization: only the claims the DCQL query asks for are disclosed.
async fn discloses_only_requested(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (_, _, verdict) = presented(&ctx, None, StartRequest::default()).await?;
            if verdict.status != "accepted" {
                return Err(precondition("accepted presentation", verdict.status));
            }
            let claims = verdict.claims_of("person").cloned().unwrap_or_default();
            let extra: Vec<&String> = claims
                .keys()
                .filter(|k| {
                    !["given_name", "family_name", "iss", "vct", "iat", "nbf", "exp", "cnf", "status"]
                        .contains(&k.as_str())
                })
                .collect();
            Ok(if extra.is_empty() && claims.contains_key("given_name") {
                Outcome::pass("disclosed only given_name and family_name, as asked")
            } else {
                Outcome::fail(
                    "only the requested claims (given_name, family_name) disclosed (OpenID4VP §6.4.1, §15.4)",
                    format!("also disclosed: {extra:?}"),
                )
            })
        }
        .await,
    )
}

/// Names as people write them, end to end: the verifier receives the names exactly as issued.
async fn names_presented_exact(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (_, _, verdict) = presented(&ctx, None, StartRequest::default()).await?;
            let claims = verdict.claims_of("person").cloned().unwrap_or_default();
            let issued = dialtone_roles::issuer::minter::subject_claims();
            let mut differing = Vec::new();
            for name in ["given_name", "family_name"] {
                let want = issued.get(name).and_then(Value::as_str).unwrap_or_default();
                let got = claims.get(name).and_then(Value::as_str).unwrap_or_default();
                if want.as_bytes() != got.as_bytes() {
                    differing.push(format!("{name}: issued {want:?}, verified {got:?}"));
                }
            }
            Ok(if verdict.status == "accepted" && differing.is_empty() {
                Outcome::pass("the verifier received the names byte for byte as issued")
            } else {
                Outcome::fail(
                    "an accepted presentation carrying the names exactly as issued",
                    format!("verdict {:?}; {}", verdict.status, differing.join("; ")),
                )
            })
        }
        .await,
    )
}
