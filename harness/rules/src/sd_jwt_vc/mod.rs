//! SD-JWT VC artifacts: the rules of [`rule`] (the ones the issuer, wallet and verifier plans use) plus what a stored artifact needs besides: key ownership, key binding with
//! the verifier's nonce and audience, status reference, and the credential profile.

pub mod rule;

use crate::{Artifact, Context, Findings, now_note, table as rules};
use dialtone_engine::model::Outcome;
use dialtone_protocols::sdjwt::{self, KbError, SdJwt};
use serde_json::Value;

/// How far a KB-JWT's iat may be from the verification time.
pub(crate) const KB_IAT_WINDOW: i64 = 300;

pub(crate) fn judge_artifact(artifact: &Artifact, ctx: &Context) -> Findings {
    let mut f = Findings::new(rules::SD_JWT_VC);
    let text = String::from_utf8_lossy(artifact.first()).trim().to_string();
    f.artifact("SD-JWT (as received)", &text);
    let sd = match SdJwt::parse(&text) {
        Ok(sd) => sd,
        Err(e) => {
            f.set(
                &rules::SDJWTVC_001,
                Outcome::fail("an SD-JWT: <issuer-signed JWT>~<disclosure>~…~[KB-JWT] (RFC 9901 §4)", e.to_string()),
            );
            return f;
        }
    };
    f.artifact("issuer-signed JWT header", &Value::Object(sd.issuer_jwt.header.clone()).to_string());
    f.artifact("issuer-signed JWT payload", &Value::Object(sd.issuer_jwt.payload.clone()).to_string());
    f.set(
        &rules::SDJWTVC_001,
        Outcome::pass(format!(
            "issuer-signed JWT, {} disclosures, {}",
            sd.disclosures.len(),
            if sd.kb_jwt.is_some() { "a key binding JWT" } else { "no key binding JWT" }
        )),
    );
    f.set(&rules::SDJWTVC_002, rule::typ(&sd));
    let profile = sd.issuer_jwt.payload.get("vct").and_then(Value::as_str).and_then(|v| ctx.profiles.by_vct(v));
    // The keys are the ring's, read once; the rules below that take a `rule::Context` need none.
    let fctx = rule::Context {
        sd_claims: profile.map(|p| p.selectively_disclosable.clone()).unwrap_or_default(),
        now: ctx.now,
        ..Default::default()
    };
    f.set(&rules::SDJWTVC_003, rule::alg_advertised(&sd, &fctx));
    let iss = sd.issuer_jwt.payload.get("iss").and_then(Value::as_str);
    if ctx.keys.is_empty() {
        let why = "no keys given (--keys, --trust or --fetch-keys): the signature cannot be checked";
        f.set(&rules::SDJWTVC_004, Outcome::skip(why));
        f.set(&rules::SDJWTVC_005, Outcome::skip(why));
    } else {
        // One verification serves both rules when a published key verifies; otherwise the ring's
        // other keys are tried for SDJWTVC-005, as a verifier without the kid would.
        let (signature, published) = rule::signature_with(&sd, ctx.keys.key_set(), ctx.keys.all_roots(), ctx.now);
        f.set(&rules::SDJWTVC_004, signature);
        let alg = sd.issuer_jwt.alg().unwrap_or_default();
        let kid = sd.issuer_jwt.header.get("kid").and_then(Value::as_str);
        let key = published.map(Ok).unwrap_or_else(|| {
            ctx.keys.verify(alg, kid, sd.issuer_jwt.signing_input.as_bytes(), &sd.issuer_jwt.signature)
        });
        match key {
            Ok(key) => f.set(&rules::SDJWTVC_005, ctx.keys.owner_of(iss, &key.thumbprint)),
            Err(_) => f.set(&rules::SDJWTVC_005, Outcome::skip("no known key verifies the signature (SDJWTVC-004)")),
        }
    }
    f.set(&rules::SDJWTVC_006, rule::iss(&sd, &fctx));
    f.set(&rules::SDJWTVC_007, rule::vct(&sd, &fctx));
    f.set(&rules::SDJWTVC_008, with_now(rule::validity(&sd, &fctx), ctx));
    f.set(&rules::SDJWTVC_009, rule::disclosures(&sd));
    let processes = sd.process().is_ok();
    if !processes {
        // The rules that read the processed claims; the fault is SDJWTVC-009's.
        for id in [&rules::SDJWTVC_010, &rules::SDJWTVC_014, &rules::SDJWTVC_015] {
            f.set(id, Outcome::skip("not reached: the disclosures do not process (SDJWTVC-009)"));
        }
    }
    if processes {
        f.set(&rules::SDJWTVC_010, rule::registered_claims_not_disclosable(&sd));
    }
    f.set(&rules::SDJWTVC_011, rule::salt_entropy(&sd));
    f.set(&rules::SDJWTVC_012, key_binding(&sd, ctx));
    f.set(&rules::SDJWTVC_013, status_reference(&sd));
    if processes {
        f.set(&rules::SDJWTVC_014, rule::profile(&sd, &ctx.profiles));
        f.set(
            &rules::SDJWTVC_015,
            match profile {
                None => Outcome::skip("no credential profile for this vct names selectively disclosable claims"),
                Some(_) => rule::sd_claims_not_in_clear(&sd, &fctx),
            },
        );
    }
    f
}

fn with_now(outcome: Outcome, ctx: &Context) -> Outcome {
    match outcome {
        Outcome::Pass { observed } => Outcome::pass(format!("{observed}; {}", now_note(ctx))),
        Outcome::Fail { expected, observed } => Outcome::fail(expected, format!("{observed}; {}", now_note(ctx))),
        other => other,
    }
}

fn key_binding(sd: &SdJwt, ctx: &Context) -> Outcome {
    if sd.kb_jwt.is_none() {
        return if ctx.nonce.is_some() || ctx.aud.is_some() {
            Outcome::fail(
                "a key binding JWT (--nonce/--aud say a presentation is judged)",
                "none: the SD-JWT ends with '~'",
            )
        } else {
            Outcome::skip("no key binding JWT: judged as an issued credential (give --nonce and --aud to require one)")
        };
    }
    match sdjwt::verify_key_binding_with(sd, ctx.nonce.as_deref(), ctx.aud.as_deref(), ctx.now, KB_IAT_WINDOW) {
        Ok(()) if ctx.nonce.is_some() && ctx.aud.is_some() => {
            Outcome::pass("KB-JWT: typ kb+jwt, signed by the cnf key, sd_hash, iat, nonce and aud as expected")
        }
        Ok(()) => Outcome::skip(
            "KB-JWT typ, signature by the cnf key, iat and sd_hash verify, but nonce and aud were not compared: give --nonce and --aud",
        ),
        Err(e @ (KbError::Nonce(_) | KbError::Audience(_))) => {
            Outcome::fail("a KB-JWT carrying the verifier's nonce and aud", e.to_string())
        }
        Err(e) => Outcome::fail("a key binding JWT that verifies (RFC 9901 §7.3)", e.to_string()),
    }
}

fn status_reference(sd: &SdJwt) -> Outcome {
    let Some(status) = sd.issuer_jwt.payload.get("status") else {
        return Outcome::skip("no status claim: the credential cannot be revoked or suspended");
    };
    let list = status.get("status_list");
    let idx = list.and_then(|l| l.get("idx")).and_then(Value::as_u64);
    let uri = list.and_then(|l| l.get("uri")).and_then(Value::as_str);
    match (idx, uri) {
        (Some(idx), Some(uri)) if uri.starts_with("https://") => {
            Outcome::pass(format!("status_list entry {idx} of {uri}"))
        }
        _ => Outcome::fail(
            "status.status_list with a non-negative integer idx and an https uri (Token Status List §6.2)",
            format!("status = {status}"),
        ),
    }
}
