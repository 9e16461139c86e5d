//! SD-JWT VC artifacts: the rules of [`rule`] (the ones the issuer, wallet and verifier plans use) plus what a stored artifact needs besides: key ownership, key binding with
//! the verifier's nonce and audience, status reference, and the credential profile.

pub mod rule;

use crate::jws::{self, Part};
use crate::{Artifact, Context, Findings, now_note, sd_jwt, table as rules};
use dialtone_engine::model::Outcome;
use dialtone_protocols::sdjwt::{self, KbError, SdJwt};
use serde_json::Value;

/// How far a KB-JWT's iat may be from the verification time.
pub(crate) const KB_IAT_WINDOW: i64 = 300;

pub(crate) fn judge_artifact(artifact: &Artifact, ctx: &Context) -> Findings {
    let mut f = Findings::new(rules::SD_JWT_VC);
    let text = artifact.first_text();
    let text = text.trim();
    let sd = judge_text(&mut f, text, ctx);
    // The evidence goes with the rows that need attention: none, none is written.
    if f.needs_evidence() {
        f.artifact("SD-JWT (as received)", text);
        if let Some(sd) = &sd {
            f.artifact("issuer-signed JWT header", &Value::Object(sd.issuer_jwt.header.clone()).to_string());
            f.artifact("issuer-signed JWT payload", &Value::Object(sd.issuer_jwt.payload.clone()).to_string());
        }
    }
    f
}

/// Every rule over the artifact's text; the SD-JWT when it parses.
fn judge_text(f: &mut Findings, text: &str, ctx: &Context) -> Option<SdJwt> {
    let sd = match SdJwt::parse(text) {
        Ok(sd) => sd,
        Err(e) => {
            f.set(
                &rules::SDJWTVC_001,
                Outcome::fail("an SD-JWT: <issuer-signed JWT>~<disclosure>~…~[KB-JWT] (RFC 9901 §4)", e.to_string()),
            );
            return None;
        }
    };
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
    // Processed once (RFC 9901 §7.1) for every rule that reads the processed claims.
    let processed = sd.process();
    f.set(&rules::SDJWTVC_009, rule::disclosures_of(&sd, processed.as_ref()));
    let processes = processed.is_ok();
    if !processes {
        // The rules that read the processed claims; the fault is SDJWTVC-009's.
        for id in [&rules::SDJWTVC_010, &rules::SDJWTVC_014, &rules::SDJWTVC_015] {
            f.set(id, Outcome::skip("not reached: the disclosures do not process (SDJWTVC-009)"));
        }
    }
    if let Ok(p) = &processed {
        f.set(&rules::SDJWTVC_010, rule::registered_claims_not_disclosable_of(p));
    }
    f.set(&rules::SDJWTVC_011, rule::salt_entropy(&sd));
    f.set(&rules::SDJWTVC_012, key_binding(&sd, ctx));
    f.set(&rules::SDJWTVC_016, rule::aka_vcts(&sd));
    f.set(&rules::SDJWTVC_017, rule::vct_integrity(&sd));
    f.set(&rules::SDJWTVC_018, rule::no_empty_sd(&sd));
    jose_rules(f, &sd, ctx);
    f.set(&rules::SDJWT_001, sd_jwt::reserved_names(&sd));
    f.set(&rules::SDJWT_002, sd_jwt::salts_unique(&sd));
    f.set(&rules::SDJWT_003, sd_jwt::disclosures_once(&sd));
    f.set(&rules::SDJWTVC_013, status_reference(&sd));
    if let Ok(p) = processed {
        let sd_claims = match profile {
            None => Outcome::skip("no credential profile for this vct names selectively disclosable claims"),
            Some(_) => rule::sd_claims_not_in_clear_of(&p, &fctx),
        };
        f.set(&rules::SDJWTVC_014, rule::profile_with(&sd, &ctx.profiles, || Ok(Value::Object(p.claims))));
        f.set(&rules::SDJWTVC_015, sd_claims);
    }
    Some(sd)
}

/// The JOSE header and JWT claims rules over the Issuer-signed JWT and the Key Binding JWT; `aud`
/// of the Issuer-signed JWT only (the Key Binding JWT's is SDJWTVC-012's).
fn jose_rules(f: &mut Findings, sd: &SdJwt, ctx: &Context) {
    let mut parts = vec![Part { label: "Issuer-signed JWT", jws: &sd.issuer_jwt }];
    if let Some(kb) = &sd.kb_jwt {
        parts.push(Part { label: "Key Binding JWT", jws: kb });
    }
    f.set(&rules::JOSE_HDR_001, jws::critical(&parts));
    f.set(&rules::JOSE_HDR_002, jws::unique_header_names(&parts));
    let known = |j: &dialtone_protocols::jose::CompactJws| {
        let alg = j.alg().unwrap_or_default();
        ctx.keys.verify(alg, None, j.signing_input.as_bytes(), &j.signature).is_ok()
            || sd.issuer_jwt.payload.get("cnf").and_then(|c| c.get("jwk")).is_some_and(|k| j.verify_with_jwk(k).is_ok())
    };
    f.set(&rules::JOSE_HDR_003, jws::registered_values(&parts, &known));
    f.set(&rules::JWT_CLM_001, jws::unique_claim_names(&parts));
    f.set(&rules::JWT_CLM_002, jws::audience(&parts[..1], ctx.aud.as_deref()));
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
    // RFC 9901 §4.3: the nonce is a string and aud a single string, whether or not the verifier's
    // values are known to compare them with.
    if let Some(kb) = &sd.kb_jwt {
        let nonce = kb.payload.get("nonce");
        let aud = kb.payload.get("aud");
        if !nonce.is_some_and(Value::is_string) || !aud.is_some_and(Value::is_string) {
            return Outcome::fail(
                "a KB-JWT with a string nonce and a single-string aud (RFC 9901 §4.3)",
                format!("nonce {nonce:?}, aud {aud:?}"),
            );
        }
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
    // Token Status List §6.2: an object naming at least one status mechanism; status_list, when
    // that mechanism is used, with a non-negative integer idx and a uri that is a URI (RFC 3986).
    let Some(mechanisms) = status.as_object().filter(|m| !m.is_empty()) else {
        return Outcome::fail(
            "status: a JSON object with at least one status mechanism (Token Status List §6.2)",
            format!("status = {status}"),
        );
    };
    let Some(list) = mechanisms.get("status_list") else {
        let names: Vec<&String> = mechanisms.keys().collect();
        return Outcome::skip(format!("status mechanisms {names:?}: none of them status_list, which dialtone knows"));
    };
    let idx = list.get("idx").and_then(Value::as_u64);
    let uri = list.get("uri").and_then(Value::as_str);
    match (idx, uri) {
        (Some(idx), Some(uri)) if rule::is_uri(uri) => Outcome::pass(format!("status_list entry {idx} of {uri}")),
        _ => Outcome::fail(
            "status.status_list with a non-negative integer idx and a uri that is a URI (Token Status List §6.2)",
            format!("status = {status}"),
        ),
    }
}
