//! Encrypted credential responses and requests (OpenID4VCI 1.0 §8.2, §8.3, §10): asked for with
//! parameters the issuer advertises, the response is an `application/jwt` JWE that decrypts with
//! the wallet's key to a credential response; asked for with an `alg` or `enc` it does not
//! support, the request is refused with `invalid_encryption_parameters` (§8.3.1.2); a request
//! encrypted to its `credential_request_encryption` key is served.

use super::wallet::{Wallet, credentials_in, error_code, expect_error, precondition};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::message::Message;
use dialtone_protocols::oid4vci::client::Step as FlowStep;
use dialtone_protocols::oid4vci::client_followup::{Answer, answer, response_encryption};
use dialtone_protocols::oid4vci::credential_error as ce;
use dialtone_protocols::oid4vci::encryption::{self, MEDIA_TYPE};
use serde::Deserialize;
use serde_json::Value;

driver!("oid4vci.issuer.encryption", binding::ISSUER, encrypted, EncryptionCase);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EncryptionCase {
    /// The JWE `alg` of the wallet's key; the issuer's first advertised when absent.
    alg: Option<String>,
    /// The `enc` asked for; the issuer's first advertised when absent.
    enc: Option<String>,
    /// Ask for an encrypted response.
    #[serde(default = "yes")]
    encrypted_response: bool,
    /// Encrypt the request to the issuer's `credential_request_encryption` key.
    #[serde(default)]
    encrypted_request: bool,
    expect: Expect,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Expect {
    /// The credentials, in a response encrypted as asked (or in clear when not asked).
    Issued,
    /// HTTP 400 `invalid_encryption_parameters`.
    Refused,
}

async fn encrypted(ctx: Ctx, case: EncryptionCase) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let session = wallet.session().await?;
            let supported = match encryption::response_metadata(&session.metadata) {
                Some(Ok(m)) => m,
                Some(Err(e)) => return Err(precondition("credential issuer metadata", e)),
                None if case.encrypted_response => {
                    return Err(precondition("credential issuer metadata", "no credential_response_encryption"));
                }
                None => Default::default(),
            };
            let ecdh_es = dialtone_protocols::jwe::ALG;
            if case.encrypted_response && case.alg.is_none() && !supported.alg_values_supported.iter().any(|a| a == ecdh_es)
            {
                return Ok(Outcome::skip(format!(
                    "dialtone decrypts {ecdh_es} only; the issuer's alg_values_supported are {:?}",
                    supported.alg_values_supported
                )));
            }
            let key = EcKey::generate(&wallet.ctx.entropy);
            wallet.ctx.private_key(&key);
            let mut request = session.request(vec![wallet.good_proof(&session)]);
            if case.encrypted_response {
                let enc = case.enc.clone().or_else(|| supported.enc_values_supported.first().cloned()).unwrap_or_default();
                let mut asked = response_encryption(&key, &enc);
                let alg = case.alg.clone().or_else(|| supported.alg_values_supported.first().cloned()).unwrap_or_default();
                asked.jwk["alg"] = Value::from(alg);
                request.credential_response_encryption = Some(asked.to_json());
            }
            let endpoint = session.credential_endpoint().map_err(|e| wallet.flow(e))?;
            let response = if case.encrypted_request {
                let to = match encryption::request_metadata(&session.metadata) {
                    Some(Ok(m)) => m,
                    Some(Err(e)) => return Err(precondition("credential issuer metadata", e)),
                    None => return Err(precondition("credential issuer metadata", "no credential_request_encryption")),
                };
                let jwe = encryption::encrypt_request(&request.to_json(), &to)
                    .map_err(|e| precondition("credential issuer metadata", e))?;
                wallet.ctx.evidence.note(format!("the credential request, before encryption: {}", request.to_json()));
                wallet.client.post_encrypted(&session, endpoint, &jwe).await.map_err(|e| wallet.flow(e))?
            } else {
                wallet.credential_request(&session, Some(&session.access_token), &request).await?
            };
            if case.expect == Expect::Refused {
                return Ok(expect_error(&response, 400, ce::INVALID_ENCRYPTION_PARAMETERS));
            }
            let expected = if case.encrypted_response {
                "HTTP 200, Content-Type application/jwt, a JWE to the wallet's key holding the credential response (§8.3, §10)"
            } else {
                "HTTP 200 with the credentials (§8.3)"
            };
            if response.status != 200 {
                return Ok(Outcome::fail(expected, format!("HTTP {}, error {:?}", response.status, error_code(&response))));
            }
            if response.media_type().as_deref() != Some(MEDIA_TYPE) {
                // In clear: without credentials it is the credential endpoint's defect (VCI-ISS-CRED-001).
                credentials_in(&response)?;
            }
            if case.encrypted_response && response.media_type().as_deref() != Some(MEDIA_TYPE) {
                return Ok(Outcome::fail(expected, format!("Content-Type {:?}", response.media_type())));
            }
            let decryption_key = case.encrypted_response.then_some(&key);
            Ok(match answer(FlowStep::Credential, &response, decryption_key) {
                Ok(Answer::Issued(parsed)) => {
                    if let Some(c) = parsed.first_string() {
                        wallet.ctx.evidence.artifact("issued credential", c);
                    }
                    Outcome::pass(if case.encrypted_response {
                        "an application/jwt response that decrypts to the credentials"
                    } else {
                        "the credentials, for an encrypted request"
                    })
                }
                Ok(Answer::Deferred { .. }) => Outcome::fail(expected, "HTTP 200 read as deferred"),
                Err(e) => Outcome::fail(expected, e.to_string()),
            })
        }
        .await,
    )
}
