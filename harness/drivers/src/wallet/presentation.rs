//! A wallet under test presenting: the harness is the verifier — correct, or with one fault in its
//! request that the wallet must refuse — and judges what the wallet sends (OpenID4VP §5.9.3, §8,
//! RFC 9901 §7.3). One driver for acceptance and refusal; the cases name the counterpart verifier's
//! fault and what the harness asks it to request.

use super::stack::{Driver, Stack, precondition, stack};
use crate::dcql_ask::DcqlAsk;
use crate::transaction_ask::TransactionDataAsk;
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_protocols::control::{RequestOutcome, StartRequest, WalletAnswer};
use dialtone_roles::verifier::VerifierFault;
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
    /// How many credentials the wallet is issued before the request (each by its own offer).
    #[serde(default = "one")]
    issued: u32,
    expect: Expect,
    /// Claims (top-level names) that must not reach the verifier in an accepted presentation.
    #[serde(default)]
    withheld: Vec<String>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ask {
    response_mode: Option<String>,
    client_id_prefix: Option<String>,
    /// The DCQL query to ask for (`dcql_ask`); none: the person with given_name and family_name.
    dcql: Option<DcqlAsk>,
    /// Transaction data for the verifier to send (`transaction_ask`).
    transaction_data: Option<TransactionDataAsk>,
    /// Over the Digital Credentials API (`response_mode` `dc_api` or `dc_api.jwt`), the origin
    /// the platform tells the wallet the request comes from, instead of the verifier's own.
    calling_origin: Option<String>,
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
    presented_after(ctx, fault, start, 1, None, None).await
}

/// [`presented`] after `issued` credentials, asking for the DCQL query `dcql` names. A query that
/// cannot pin the case's issuer runs while no other case hands the wallet credentials
/// ([`super::stack::alone`]), so the newest credential the wallet holds is this case's.
async fn presented_after(
    ctx: &Ctx,
    fault: Option<VerifierFault>,
    mut start: StartRequest,
    issued: u32,
    dcql: Option<DcqlAsk>,
    calling_origin: Option<&str>,
) -> Result<(Stack, WalletAnswer, RequestOutcome), Outcome> {
    let stack = stack(ctx, Some(fault)).await?;
    let work = async {
        let driver = Driver { ctx };
        for _ in 0..issued.max(1) {
            driver.holds_credential(&stack).await?;
        }
        start.dcql_query = dcql.map(|ask| ask.query(Some(&stack.issuer_url)));
        match calling_origin {
            Some(origin) => driver.present_from(&stack, start, Some(origin)).await,
            None => driver.present_with(&stack, start).await,
        }
    };
    let (answer, verdict) = match dcql {
        Some(ask) if ask.unpinned() => super::stack::alone(work).await?,
        _ => work.await?,
    };
    Ok((stack, answer, verdict))
}

async fn presentation(ctx: Ctx, case: PresentationCase) -> Outcome {
    flatten(
        async {
            let start = StartRequest {
                response_mode: case.request.response_mode.clone(),
                client_id_prefix: case.request.client_id_prefix.clone(),
                transaction_data: case.request.transaction_data.map(TransactionDataAsk::objects),
                ..StartRequest::default()
            };
            let origin = case.request.calling_origin.as_deref();
            let fault = case.verifier.map(|f| f.0);
            let (_, answer, verdict) =
                presented_after(&ctx, fault, start, case.issued, case.request.dcql, origin).await?;
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
