//! A wallet under test receiving a credential: the harness is the issuer and judges the wallet's
//! token request, proof JWT and credential request (OID4VCI §6, §8, Appendix F.1), and what it stores.

use super::stack::{Driver, Stack, precondition, stack};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_protocols::control::WalletAnswer;
use dialtone_protocols::jose::{CompactJws, verifying_key_from_jwk};
use dialtone_protocols::message::Message;
use dialtone_protocols::oid4vci;
use dialtone_protocols::oid4vci::message::{ProofClaims, ProofHeader};
use dialtone_roles::issuer::minter::subject_claims;
use serde_json::Value;

driver!("oid4vci.wallet.stores_credential", binding::WALLET, stores_credential);
driver!("oid4vci.wallet.sends_tx_code", binding::WALLET, sends_tx_code);
driver!("oid4vci.wallet.proof_typ", binding::WALLET, proof_typ);
driver!("oid4vci.wallet.proof_aud", binding::WALLET, proof_aud);
driver!("oid4vci.wallet.proof_nonce", binding::WALLET, proof_nonce);
driver!("oid4vci.wallet.proof_key", binding::WALLET, proof_key);
driver!("oid4vci.wallet.names_byte_exact", binding::WALLET, names_byte_exact);
driver!("oid4vci.wallet.proof_nonce_fresh", binding::WALLET, proof_nonce_fresh);

/// A proof JWT the wallet sent: the JWS, its header and claims.
struct Proof {
    jws: CompactJws,
    header: ProofHeader,
    claims: ProofClaims,
}

fn read_proof(text: &str) -> Result<Proof, Outcome> {
    let jws = CompactJws::parse(text).map_err(|e| Outcome::fail("a proof JWT", e.to_string()))?;
    let header = ProofHeader::parse(&Value::Object(jws.header.clone()))
        .map_err(|e| Outcome::fail("a proof JWT header (Appendix F.1)", e.to_string()))?
        .value;
    let claims = ProofClaims::parse(&Value::Object(jws.payload.clone()))
        .map_err(|e| Outcome::fail("proof JWT claims (Appendix F.1)", e.to_string()))?
        .value;
    Ok(Proof { jws, header, claims })
}

/// The proof of the wallet's `n`th credential request.
fn nth_proof(stack: &Stack, n: usize) -> Result<Proof, Outcome> {
    let requests = stack.issuer.log.credential_requests.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let request = requests.get(n).ok_or_else(|| {
        precondition(
            if n == 0 { "credential request from the wallet" } else { "two credential requests" },
            format!("{} arrived", requests.len()),
        )
    })?;
    let jwt = request.jwt_proofs().and_then(|p| p.first().map(|s| s.to_string())).ok_or_else(|| {
        Outcome::fail("proofs.jwt[0] in the credential request (§8.2)", request.to_json().to_string())
    })?;
    read_proof(&jwt)
}

async fn issued(ctx: &Ctx, tx_code: bool) -> Result<(Stack, WalletAnswer), Outcome> {
    let stack = stack(ctx, None).await?;
    let answer = Driver { ctx }.receive_offer(&stack, tx_code).await?;
    Ok((stack, answer))
}

fn proof(stack: &Stack) -> Result<Proof, Outcome> {
    nth_proof(stack, 0)
}

async fn stores_credential(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (_, answer) = issued(&ctx, false).await?;
            let held = Driver { ctx: &ctx }.credentials().await?;
            Ok(if answer.status == "stored" && !held.is_empty() {
                Outcome::pass(format!("stored; the wallet reports {} credential(s)", held.len()))
            } else {
                Outcome::fail(
                    "the offered credential obtained and stored",
                    format!("answer {answer:?}, {} held", held.len()),
                )
            })
        }
        .await,
    )
}

async fn sends_tx_code(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (stack, answer) = issued(&ctx, true).await?;
            let forms = stack.issuer.log.token_requests.lock().unwrap_or_else(|p| p.into_inner()).clone();
            let sent = forms.iter().any(|f| f.tx_code.as_deref().is_some_and(|c| !c.is_empty()));
            Ok(if sent && answer.status == "stored" {
                Outcome::pass("tx_code sent with the pre-authorized code; credential stored")
            } else {
                Outcome::fail(
                    "a token request carrying the tx_code the offer asked for (§6.1)",
                    format!("tx_code sent: {sent}; wallet answer {answer:?}"),
                )
            })
        }
        .await,
    )
}

async fn proof_typ(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (stack, _) = issued(&ctx, false).await?;
            let p = proof(&stack)?;
            Ok(match p.header.typ.as_deref() {
                Some(t) if t == oid4vci::PROOF_TYP => Outcome::pass(format!("typ {t:?}")),
                other => {
                    Outcome::fail(format!("typ {:?} (Appendix F.1)", oid4vci::PROOF_TYP), format!("typ {other:?}"))
                }
            })
        }
        .await,
    )
}

async fn proof_aud(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (stack, _) = issued(&ctx, false).await?;
            let p = proof(&stack)?;
            let aud = p.claims.aud.clone();
            Ok(if p.claims.audience_is(&stack.issuer_url) && aud.as_ref().is_some_and(Value::is_string) {
                Outcome::pass(format!("aud {aud:?}"))
            } else {
                Outcome::fail(
                    format!("aud equal to the Credential Issuer Identifier {:?}", stack.issuer_url),
                    format!("aud {aud:?}"),
                )
            })
        }
        .await,
    )
}

async fn proof_nonce(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (stack, _) = issued(&ctx, false).await?;
            let p = proof(&stack)?;
            let given = stack.issuer.log.nonces.lock().unwrap_or_else(|pp| pp.into_inner()).clone();
            let nonce = p.claims.nonce.clone();
            Ok(match nonce {
                Some(n) if given.contains(&n) => Outcome::pass("nonce is a c_nonce this issuer gave"),
                other => Outcome::fail(
                    "the c_nonce from this issuer's nonce endpoint in the proof (Appendix F.1)",
                    format!("nonce {other:?}; issued {given:?}"),
                ),
            })
        }
        .await,
    )
}

async fn proof_key(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (stack, _) = issued(&ctx, false).await?;
            let p = proof(&stack)?;
            let jwk = p.header.jwk.clone().ok_or_else(|| Outcome::fail("a jwk in the proof header", "none"))?;
            if jwk.get("d").is_some() {
                return Ok(Outcome::fail("a public jwk", "the jwk holds a private key (d)"));
            }
            let key = verifying_key_from_jwk(&jwk).map_err(|e| Outcome::fail("a usable P-256 jwk", e.to_string()))?;
            Ok(match p.jws.verify_es256(&key) {
                Ok(()) => Outcome::pass("the proof verifies with the key in its header"),
                Err(e) => Outcome::fail("a proof signed by the key it names (Appendix F.1)", e.to_string()),
            })
        }
        .await,
    )
}

/// Names as people write them: the claims the wallet holds equal, byte for byte, what was issued.
async fn names_byte_exact(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let _ = issued(&ctx, false).await?;
            let held = Driver { ctx: &ctx }.credentials().await?;
            let claims = held
                .first()
                .and_then(|c| c.claims.clone())
                .ok_or_else(|| precondition("stored credential", "none listed"))?;
            let issued_subject = subject_claims();
            let mut differing = Vec::new();
            for name in ["given_name", "family_name"] {
                let want = issued_subject.get(name).and_then(Value::as_str).unwrap_or_default();
                let got = claims.get(name).and_then(Value::as_str).unwrap_or_default();
                if want.as_bytes() != got.as_bytes() {
                    differing.push(format!("{name}: issued {want:?} ({}), held {got:?} ({})", hex(want), hex(got)));
                }
            }
            Ok(if differing.is_empty() {
                Outcome::pass("syllabics, combining forms and U+02BC kept byte for byte")
            } else {
                Outcome::fail(
                    "the names exactly as issued (no normalization, folding or replacement)",
                    differing.join("; "),
                )
            })
        }
        .await,
    )
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}

/// Two issuances in a row: the second proof carries the second c_nonce, not a remembered one.
async fn proof_nonce_fresh(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let stack = stack(&ctx, None).await?;
            let driver = Driver { ctx: &ctx };
            driver.receive_offer(&stack, false).await?;
            driver.receive_offer(&stack, false).await?;
            let nonces = stack.issuer.log.nonces.lock().unwrap_or_else(|p| p.into_inner()).clone();
            let second = nth_proof(&stack, 1)?;
            let used = second.claims.nonce.as_deref();
            Ok(match (used, nonces.last()) {
                (Some(u), Some(latest)) if u == latest => Outcome::pass("the second proof carries the latest c_nonce"),
                _ => Outcome::fail(
                    "the second proof to carry the c_nonce fetched for it",
                    format!("nonce {used:?}; issued {nonces:?}"),
                ),
            })
        }
        .await,
    )
}
