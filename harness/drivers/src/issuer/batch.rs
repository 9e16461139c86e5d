//! Batch issuance (OpenID4VCI 1.0 §8.2, §8.3, §12.2.4 `batch_credential_issuance`): the advertised
//! batch size, a batch of proofs each by its own key answered with credentials each bound to one of
//! those keys (and no key twice), and a batch above the limit refused.

use super::wallet::{Wallet, credentials_in, error_code, precondition};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_protocols::jose::{EcKey, thumbprint};
use dialtone_protocols::oid4vci::credential_error as ce;
use dialtone_protocols::oid4vci::proof::ProofSpec;
use dialtone_protocols::sdjwt::SdJwt;
use serde_json::Value;

driver!("oid4vci.issuer.batch.metadata", binding::ISSUER, metadata);
driver!("oid4vci.issuer.batch.issued", binding::ISSUER, issued);
driver!("oid4vci.issuer.batch.over_limit", binding::ISSUER, over_limit);

/// The most proofs the harness sends in one batch.
const MOST_PROOFS: u32 = 3;
/// Batch sizes above this are not exceeded in a test (the request would be too large to be fair).
const LARGEST_EXCEEDED: u32 = 64;

/// §12.2.4: `batch_size` is 2 or greater.
async fn metadata(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let metadata = wallet.metadata().await?;
            Ok(match &metadata.batch_credential_issuance {
                None => Outcome::fail("batch_credential_issuance in the metadata", "absent"),
                Some(b) if b.batch_size >= 2 => Outcome::pass(format!("batch_size {}", b.batch_size)),
                Some(b) => Outcome::fail("batch_size 2 or greater (§12.2.4)", format!("batch_size {}", b.batch_size)),
            })
        }
        .await,
    )
}

/// The thumbprint of the key a credential is bound to (`cnf.jwk`, SD-JWT VC §3.2.2.2).
fn bound_key(credential: &Value) -> Option<String> {
    let sd = SdJwt::parse(credential.as_str()?).ok()?;
    thumbprint(sd.issuer_jwt.payload.get("cnf")?.get("jwk")?)
}

async fn issued(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let session = wallet.session().await?;
            let n = session.batch_size().clamp(2, MOST_PROOFS);
            let keys: Vec<EcKey> = (0..n).map(|_| EcKey::generate(&wallet.ctx.entropy)).collect();
            keys.iter().for_each(|k| wallet.ctx.private_key(k));
            let request = session.batch_request(&keys, &ProofSpec::default(), &wallet.ctx.entropy);
            let response = wallet.credential_request(&session, Some(&session.access_token), &request).await?;
            let expected =
                format!("HTTP 200 with 1 to {n} credentials, each bound to a different one of the {n} proof keys");
            let Some(parsed) = credentials_in(&response)? else {
                return Ok(Outcome::fail(
                    expected,
                    format!("HTTP {}, error {:?}", response.status, error_code(&response)),
                ));
            };
            let credentials: Vec<Value> = parsed.credentials.iter().flatten().map(|c| c.credential.clone()).collect();
            for (i, c) in credentials.iter().enumerate() {
                wallet.ctx.evidence.artifact(format!("issued credential {}", i + 1), c.as_str().unwrap_or_default());
            }
            let proof_keys: Vec<String> = keys.iter().map(EcKey::thumbprint).collect();
            let bound: Vec<Option<String>> = credentials.iter().map(bound_key).collect();
            let mut problems = Vec::new();
            if credentials.is_empty() || credentials.len() > n as usize {
                problems.push(format!("{} credentials for {n} proofs", credentials.len()));
            }
            for (i, key) in bound.iter().enumerate() {
                match key {
                    None => problems.push(format!("credential {} has no readable cnf.jwk", i + 1)),
                    Some(k) if !proof_keys.contains(k) => {
                        problems.push(format!("credential {} is bound to a key no proof named", i + 1))
                    }
                    Some(k) if bound[..i].iter().flatten().any(|earlier| earlier == k) => problems.push(format!(
                        "credential {} is bound to the same key as an earlier one (§8.3: each key binds at most one)",
                        i + 1
                    )),
                    Some(_) => {}
                }
            }
            Ok(if problems.is_empty() {
                Outcome::pass(format!(
                    "{} credentials for {n} proofs, each bound to its own proof key",
                    credentials.len()
                ))
            } else {
                Outcome::fail(expected, problems.join("; "))
            })
        }
        .await,
    )
}

/// `batch_size + 1` proofs: the request exceeds the maximum array size of `proofs` (§12.2.4). The
/// text names no error code for it; `invalid_credential_request` (an unsupported parameter value)
/// and `invalid_proof` (the proofs parameter is invalid) both fit (§8.3.1.2).
async fn over_limit(ctx: Ctx) -> Outcome {
    let wallet = Wallet::new(ctx);
    flatten(
        async {
            let session = wallet.session().await?;
            let Some(limit) = session.metadata.batch_credential_issuance.as_ref().map(|b| b.batch_size) else {
                return Err(precondition("credential issuer metadata", "no batch_credential_issuance"));
            };
            if limit > LARGEST_EXCEEDED {
                return Ok(Outcome::skip(format!(
                    "batch_size {limit} is above the {LARGEST_EXCEEDED} proofs dialtone sends"
                )));
            }
            let keys: Vec<EcKey> = (0..=limit).map(|_| EcKey::generate(&wallet.ctx.entropy)).collect();
            keys.iter().for_each(|k| wallet.ctx.private_key(k));
            let request = session.batch_request(&keys, &ProofSpec::default(), &wallet.ctx.entropy);
            let response = wallet.credential_request(&session, Some(&session.access_token), &request).await?;
            let code = error_code(&response);
            let observed =
                format!("HTTP {}, error {code:?} for {} proofs (batch_size {limit})", response.status, limit + 1);
            let named = [ce::INVALID_CREDENTIAL_REQUEST, ce::INVALID_PROOF];
            Ok(if response.status == 400 && code.as_deref().is_some_and(|c| named.contains(&c)) {
                Outcome::pass(observed)
            } else {
                Outcome::fail("HTTP 400 with error invalid_credential_request or invalid_proof", observed)
            })
        }
        .await,
    )
}
