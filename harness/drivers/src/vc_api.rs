//! The W3C VC-API binding (`POST /credentials/issue`, `POST /credentials/verify`), the second
//! public interface dialtone drives, as the W3C VC test suites do: the candidate issues dialtone's
//! credential, dialtone judges what comes back with the same VC Data Model rules `check` uses, then
//! asks the candidate to verify its own credential, intact and altered.

use crate::{Ctx, binding, driver};
use dialtone_engine::model::Outcome;
use dialtone_engine::model::flatten;
use dialtone_http::HttpResponse;
use dialtone_protocols::data_integrity::{self, CRYPTOSUITE, DiError};
use dialtone_protocols::time;
use dialtone_roles::issuer::minter::subject_claims;
use dialtone_rules::vc as dm;
use serde_json::{Value, json};

type Step<T> = Result<T, Outcome>;

driver!("vc_api.issue.secured", binding::VC_API, issue_returns_secured);
driver!("vc_api.issue.keeps_claims", binding::VC_API, issue_keeps_claims);
driver!("vc_api.issue.data_model", binding::VC_API, issue_data_model);
driver!("vc_api.issue.proof_shape", binding::VC_API, proof_shape);
driver!("vc_api.issue.proof_verifies", binding::VC_API, proof_verifies);
driver!("vc_api.issue.refuses_non_credential", binding::VC_API, issue_refuses_non_credential);
driver!("vc_api.verify.accepts_own", binding::VC_API, verify_accepts_own);
driver!("vc_api.verify.refuses", binding::VC_API, verify_refuses, Refusal);

/// An issuer or verifier under test through the W3C VC-API: the `[vc_api]` section.
pub(crate) struct VcApi;

impl crate::binding::Binding for VcApi {
    fn id(&self) -> &'static str {
        crate::binding::VC_API
    }
    fn roles(&self) -> &'static [dialtone_engine::role::Role] {
        &[dialtone_engine::role::Role::Issuer, dialtone_engine::role::Role::Verifier]
    }
    fn section(&self) -> &'static str {
        "vc_api"
    }
    fn exposed(&self, manifest: &crate::manifest::Manifest) -> bool {
        manifest.vc_api.is_some()
    }
    fn mutants(&self) -> Option<&'static str> {
        Some("vc_api.")
    }
}

fn section(ctx: &Ctx) -> Step<&crate::manifest::VcApiSection> {
    ctx.manifest.vc_api.as_ref().ok_or_else(|| Outcome::error("the manifest has no [vc_api] section"))
}

/// dialtone's credential: the verified-person profile's claims (names as people write them), its
/// terms defined by an inline context so that JSON-LD processors accept them.
pub fn credential(issuer: &str, valid_until: i64) -> Value {
    let now = dialtone_protocols::now_epoch();
    let subject = subject_claims();
    json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            {
                "VerifiedPersonCredential": "urn:dialtone:vocab#VerifiedPersonCredential",
                "given_name": "https://schema.org/givenName",
                "family_name": "https://schema.org/familyName",
                "birthdate": "https://schema.org/birthDate"
            }
        ],
        "type": ["VerifiableCredential", "VerifiedPersonCredential"],
        "issuer": issuer,
        "validFrom": time::format_rfc3339(now - 3600),
        "validUntil": time::format_rfc3339(valid_until),
        "credentialSubject": {
            "id": "did:example:elodie",
            "given_name": subject.get("given_name"),
            "family_name": subject.get("family_name"),
            "birthdate": subject.get("birthdate"),
        }
    })
}

async fn post(ctx: &Ctx, path: &str, body: &Value) -> Step<HttpResponse> {
    let url = format!("{}{path}", section(ctx)?.url.trim_end_matches('/'));
    Ok(ctx.http.post_json(&url, body, &[]).await?)
}

/// Issues `credential`; returns the response and the verifiable credential, if any.
async fn issue_raw(ctx: &Ctx, credential: &Value) -> Step<(HttpResponse, Option<Value>)> {
    let response = post(ctx, "/credentials/issue", &json!({ "credential": credential, "options": {} })).await?;
    let vc = response.json().ok().and_then(|b| b.get("verifiableCredential").cloned());
    Ok((response, vc))
}

/// Issues dialtone's credential and requires a secured credential back (the precondition of most
/// cases).
async fn issue(ctx: &Ctx, valid_until: i64) -> Step<(Value, Value)> {
    let input = credential(&section(ctx)?.issuer_id, valid_until);
    let (response, vc) = issue_raw(ctx, &input).await?;
    match vc {
        Some(vc) if (200..300).contains(&response.status) => {
            ctx.evidence.artifact("issued credential", vc.to_string());
            Ok((input, vc))
        }
        _ => Err(Outcome::fail(
            "HTTP 2xx with a verifiableCredential (VC-API issue)",
            format!("HTTP {}: {}", response.status, response.body_text_lossy()),
        )),
    }
}

fn year_from_now() -> i64 {
    dialtone_protocols::now_epoch() + 365 * 86_400
}

async fn issue_returns_secured(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (_, vc) = issue(&ctx, year_from_now()).await?;
            match vc.get("proof") {
                Some(p) if p.is_object() || p.as_array().is_some_and(|a| !a.is_empty()) => {
                    Ok(Outcome::pass("a verifiableCredential with a proof"))
                }
                other => Ok(Outcome::fail("a verifiableCredential secured with a proof", format!("proof {other:?}"))),
            }
        }
        .await,
    )
}

/// The issued credential is the input plus its proof: no member added, changed or dropped.
async fn issue_keeps_claims(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (input, vc) = issue(&ctx, year_from_now()).await?;
            let mut unsecured = vc.clone();
            if let Some(o) = unsecured.as_object_mut() {
                o.remove("proof");
            }
            let mut differences = Vec::new();
            let mut notes = Vec::new();
            for (k, v) in input.as_object().into_iter().flatten() {
                let got = unsecured.get(k);
                // A proof suite may need its own context, appended after the ones sent.
                if let (Some(Value::Array(sent)), Some(Value::Array(issued))) = (Some(v), got)
                    && k == "@context"
                    && issued.len() > sent.len()
                    && issued[..sent.len()] == sent[..]
                {
                    notes.push(format!("contexts appended: {}", Value::Array(issued[sent.len()..].to_vec())));
                    continue;
                }
                if got != Some(v) {
                    differences.push(format!("{k}: sent {v}, got {}", got.unwrap_or(&Value::Null)));
                }
            }
            if differences.is_empty() {
                Ok(Outcome::pass(format!(
                    "every member as sent, names byte for byte{}",
                    if notes.is_empty() { String::new() } else { format!("; {}", notes.join("; ")) }
                )))
            } else {
                Ok(Outcome::fail("the credential as sent, plus a proof", differences.join("; ")))
            }
        }
        .await,
    )
}

async fn issue_data_model(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (_, vc) = issue(&ctx, year_from_now()).await?;
            let mut unsecured = vc.clone();
            if let Some(o) = unsecured.as_object_mut() {
                o.remove("proof");
            }
            let mut problems = dm::schema_problems(&unsecured);
            // The value rules `dialtone check` applies (VC-022 to VC-024): ids and types, values.
            problems.extend(dm::value_problems(&unsecured));
            for o in [dm::context(&unsecured), dm::issuer_rule(&unsecured), dm::subject(&unsecured)] {
                if let Outcome::Fail { observed, .. } = o {
                    problems.push(observed);
                }
            }
            if !dm::types(&unsecured).contains(&"VerifiableCredential") {
                problems.push(format!("type {:?}", unsecured.get("type")));
            }
            if problems.is_empty() {
                Ok(Outcome::pass("the issued credential satisfies the VC Data Model 2.0 rules"))
            } else {
                Ok(Outcome::fail("a credential satisfying VC Data Model 2.0 (§4)", problems.join("; ")))
            }
        }
        .await,
    )
}

fn proofs(vc: &Value) -> Vec<&Value> {
    match vc.get("proof") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(p) => vec![p],
        None => Vec::new(),
    }
}

async fn proof_shape(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (_, vc) = issue(&ctx, year_from_now()).await?;
            let Some(proof) = proofs(&vc).into_iter().next() else {
                return Ok(Outcome::fail("a proof", "none"));
            };
            let text = |k: &str| proof.get(k).and_then(Value::as_str);
            let mut problems = Vec::new();
            match (text("type"), text("cryptosuite")) {
                (Some("DataIntegrityProof"), Some(_)) => {}
                (Some("DataIntegrityProof"), None) => problems.push("DataIntegrityProof without cryptosuite".to_string()),
                (Some(_), _) => {}
                (None, _) => problems.push("no type".into()),
            }
            if text("verificationMethod").is_none_or(|v| !v.contains(':')) {
                problems.push(format!("verificationMethod {:?}", proof.get("verificationMethod")));
            }
            if text("proofPurpose") != Some("assertionMethod") {
                problems.push(format!("proofPurpose {:?} (a credential's proof asserts: assertionMethod)", proof.get("proofPurpose")));
            }
            if text("proofValue").is_none_or(str::is_empty) && text("jws").is_none() {
                problems.push("no proofValue".into());
            }
            if problems.is_empty() {
                Ok(Outcome::pass(format!("{} {} by {}", text("type").unwrap_or(""), text("cryptosuite").unwrap_or(""), text("verificationMethod").unwrap_or(""))))
            } else {
                Ok(Outcome::fail("a Data Integrity proof: type, cryptosuite, verificationMethod, proofPurpose assertionMethod, proofValue", problems.join("; ")))
            }
        }
        .await,
    )
}

async fn proof_verifies(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (_, vc) = issue(&ctx, year_from_now()).await?;
            let suite = proofs(&vc).first().and_then(|p| p.get("cryptosuite").or_else(|| p.get("type"))).and_then(Value::as_str).unwrap_or("").to_string();
            if suite != CRYPTOSUITE {
                return Ok(Outcome::skip(format!(
                    "the proof uses {suite:?}; dialtone verifies {CRYPTOSUITE} (JCS) independently, not suites that need RDF canonicalization"
                )));
            }
            match data_integrity::verify_proof(&vc) {
                Ok(vm) => Ok(Outcome::pass(format!("{CRYPTOSUITE} proof verifies with {vm}"))),
                Err(e @ DiError::ContextOmitted) => Ok(Outcome::fail("an eddsa-jcs-2022 proof over the proof configuration with the document's @context", e.to_string())),
                Err(e) => Ok(Outcome::fail(format!("a {CRYPTOSUITE} proof that verifies"), e.to_string())),
            }
        }
        .await,
    )
}

async fn issue_refuses_non_credential(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let mut input = credential(&section(&ctx)?.issuer_id, year_from_now());
            if let Some(o) = input.as_object_mut() {
                o.remove("credentialSubject");
            }
            let (response, _) = issue_raw(&ctx, &input).await?;
            let observed = format!("HTTP {}", response.status);
            if (400..500).contains(&response.status) {
                Ok(Outcome::pass(observed))
            } else {
                Ok(Outcome::fail("a 4xx refusal of a credential without credentialSubject (VC DM 2.0 §4.8)", observed))
            }
        }
        .await,
    )
}

/// Whether a verify answer refuses: a 4xx, `verified: false`, or errors listed.
fn refused(response: &HttpResponse) -> bool {
    let body = response.json().unwrap_or(Value::Null);
    (400..500).contains(&response.status)
        || body.get("verified") == Some(&Value::Bool(false))
        || body.get("errors").and_then(Value::as_array).is_some_and(|e| !e.is_empty())
}

async fn verify(ctx: &Ctx, vc: &Value) -> Step<HttpResponse> {
    post(ctx, "/credentials/verify", &json!({ "verifiableCredential": vc, "options": {} })).await
}

async fn verify_accepts_own(ctx: Ctx) -> Outcome {
    flatten(
        async {
            let (_, vc) = issue(&ctx, year_from_now()).await?;
            let r = verify(&ctx, &vc).await?;
            let observed = format!("HTTP {}: {}", r.status, r.body_text_lossy());
            if (200..300).contains(&r.status) && !refused(&r) {
                Ok(Outcome::pass(observed))
            } else {
                Ok(Outcome::fail("the service's own credential verified (HTTP 2xx, no errors)", observed))
            }
        }
        .await,
    )
}

/// A credential the service issued, changed after issuance, sent to verify: it must be refused.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Refusal {
    /// What is changed after issuance.
    #[serde(default)]
    alter: Alteration,
    /// Issue it already expired (`validUntil` a minute ago).
    #[serde(default)]
    expired: bool,
}

#[derive(Debug, Clone, Copy, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Alteration {
    #[default]
    Nothing,
    /// A claim (`birthdate`).
    Claim,
    /// The proof removed.
    RemoveProof,
    /// One character of the proof's signature.
    Signature,
}

impl Alteration {
    fn apply(self, vc: &mut Value) {
        match self {
            Self::Nothing => {}
            Self::Claim => vc["credentialSubject"]["birthdate"] = json!("1970-01-01"),
            Self::RemoveProof => {
                if let Some(o) = vc.as_object_mut() {
                    o.remove("proof");
                }
            }
            Self::Signature => {
                let flip = |p: &mut Value| {
                    if let Some(Value::String(v)) = p.get_mut("proofValue") {
                        // Change one base58 character of the signature (keeping the multibase prefix).
                        let mut chars: Vec<char> = v.chars().collect();
                        if let Some(c) = chars.get_mut(10) {
                            *c = if *c == 'A' { 'B' } else { 'A' };
                        }
                        *v = chars.into_iter().collect();
                    }
                };
                match vc.get_mut("proof") {
                    Some(Value::Array(a)) => a.iter_mut().for_each(flip),
                    Some(p) => flip(p),
                    None => {}
                }
            }
        }
    }

    fn what(self, expired: bool) -> &'static str {
        match (self, expired) {
            (Self::Claim, _) => "a credential whose claim was altered after issuance",
            (Self::RemoveProof, _) => "a credential without its proof",
            (Self::Signature, _) => "a credential whose proofValue was altered",
            (Self::Nothing, true) => "a credential whose validUntil has passed",
            (Self::Nothing, false) => "an unaltered credential",
        }
    }
}

async fn verify_refuses(ctx: Ctx, Refusal { alter, expired }: Refusal) -> Outcome {
    let valid_until = if expired { dialtone_protocols::now_epoch() - 60 } else { year_from_now() };
    flatten(
        async {
            let (_, mut vc) = issue(&ctx, valid_until).await?;
            alter.apply(&mut vc);
            ctx.evidence.artifact("credential sent to verify", vc.to_string());
            let r = verify(&ctx, &vc).await?;
            let observed = format!("HTTP {}: {}", r.status, r.body_text_lossy());
            if refused(&r) && r.status < 500 {
                Ok(Outcome::pass(observed))
            } else {
                Ok(Outcome::fail(
                    format!("{} refused (HTTP 4xx, verified false, or errors)", alter.what(expired)),
                    observed,
                ))
            }
        }
        .await,
    )
}
