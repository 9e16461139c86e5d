//! Credential identifiers (OpenID4VCI 1.0 §6.1, §6.2, §8.2): a token request with
//! `authorization_details` is answered with the `credential_identifiers` granted, a credential
//! request naming one of them is served, and one naming an identifier never granted is refused
//! with `unknown_credential_identifier` (§8.3.1.2).

use super::wallet::{Wallet, credentials_in, error_code, expect_error, precondition};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_protocols::oid4vci::credential_error as ce;
use serde::Deserialize;

driver!("oid4vci.issuer.credential_identifier", binding::ISSUER, credential_identifier, IdentifierCase);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IdentifierCase {
    identifier: IdentifierChoice,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum IdentifierChoice {
    /// One the token response granted: the credential is issued.
    Granted,
    /// One never granted: `unknown_credential_identifier`.
    Unknown,
}

async fn credential_identifier(ctx: Ctx, case: IdentifierCase) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let session = wallet.session_with(false, true).await?;
            let Some(granted) = session.credential_identifier.clone() else {
                let observed =
                    "the token response has no authorization_details with credential_identifiers for the configuration";
                return Ok(match case.identifier {
                    IdentifierChoice::Granted => Outcome::fail(
                        "authorization_details with credential_identifiers in the token response (§6.2)",
                        observed,
                    ),
                    IdentifierChoice::Unknown => {
                        precondition("credential identifiers from the token response", observed)
                    }
                });
            };
            let mut request = session.request(vec![wallet.good_proof(&session)]);
            if let IdentifierChoice::Unknown = case.identifier {
                request.credential_identifier = Some(format!("{granted}-{}", wallet.ctx.entropy.token(6)));
            }
            let response = wallet.credential_request(&session, Some(&session.access_token), &request).await?;
            Ok(match case.identifier {
                IdentifierChoice::Unknown => expect_error(&response, 400, ce::UNKNOWN_CREDENTIAL_IDENTIFIER),
                IdentifierChoice::Granted => {
                    let issued = credentials_in(&response)?.and_then(|r| r.first_string().map(str::to_string));
                    match issued {
                        Some(credential) => {
                            wallet.ctx.evidence.artifact("issued credential", credential);
                            Outcome::pass(format!("credential issued for the granted identifier {granted:?}"))
                        }
                        None => Outcome::fail(
                            "HTTP 200 with a credential for the granted credential_identifier (§8.2)",
                            format!("HTTP {}, error {:?}", response.status, error_code(&response)),
                        ),
                    }
                }
            })
        }
        .await,
    )
}
