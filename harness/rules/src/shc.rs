//! SMART Health Cards: `shc:/` QR payloads (text, one per line or per file, chunked or not), PNG
//! images of the QR codes, `.smart-health-card` files, `$health-cards-issue` responses (a FHIR
//! `Parameters`), or a bare JWS. What each form holds is read in `read`; the cards are judged here.

mod fhir;
mod issuer_key;
mod read;
mod revocation;

use crate::qr_image::{ScannedQr, Segments};
pub(crate) use read::is_smart_health_link;
use read::{Form, collect};

use crate::{Artifact, Context, Findings, now_note, table as rules};
use dialtone_engine::model::Outcome;
use dialtone_protocols::shc::{CHUNK_MAX_JWS, HEALTH_CARD_TYPE, HealthCardJws, QrChunk, SINGLE_QR_MAX_JWS, ShcError};
use serde_json::Value;

/// The largest QR code a health card uses (§ Health Cards as QR Codes, § Chunking Larger SHCs).
const MAX_QR_VERSION: u8 = 22;
/// Clock skew tolerated on nbf, in seconds.
const CLOCK_SKEW: i64 = 300;

pub(crate) fn judge_artifact(artifact: &Artifact, ctx: &Context) -> Findings {
    let mut f = Findings::new(rules::SHC);
    let Some(held) = collect(artifact, ctx, &mut f) else {
        return f;
    };
    if held.form != Form::Qr {
        for id in [&rules::SHC_001, &rules::SHC_002, &rules::SHC_015, &rules::SHC_017, &rules::SHC_018, &rules::SHC_023]
        {
            f.set(id, Outcome::skip("not given as QR payloads"));
        }
        f.set(&rules::SHC_014, Outcome::skip("not given as a QR code: the QR-size rules for bundles do not apply"));
    } else {
        f.set(&rules::SHC_015, qr_sizes(&held.jws, &held.chunks));
        f.set(&rules::SHC_023, balanced(&held.chunks));
        if held.scanned.is_empty() {
            let why = "given as QR text: how the QR codes were encoded (segments, version) is not visible";
            f.set(&rules::SHC_017, Outcome::skip(why));
            f.set(&rules::SHC_018, Outcome::skip(why));
        } else {
            f.set(&rules::SHC_017, qr_segments(&held.scanned));
            f.set(&rules::SHC_018, qr_versions(&held.scanned));
        }
    }
    if !matches!(held.form, Form::File | Form::Parameters) {
        f.set(&rules::SHC_003, Outcome::skip("not given as a .smart-health-card file or a Parameters response"));
    }
    for jws in &held.jws {
        judge(&mut f, jws, held.form, ctx);
    }
    f
}

/// SHC-017: each scanned QR code holds the specification's two segments.
fn qr_segments(scanned: &[ScannedQr]) -> Outcome {
    for (i, code) in scanned.iter().enumerate() {
        match &code.segments {
            Segments::Specified => {}
            Segments::Other(what) => {
                return Outcome::fail(
                    "two segments: shc:/ (and C/N/) in byte mode, then the digits in numeric mode",
                    format!("QR code {}: {what}", i + 1),
                );
            }
            Segments::NotJudged(why) => return Outcome::skip(format!("QR code {}: {why}", i + 1)),
        }
    }
    Outcome::pass(format!("{} QR codes: byte-mode prefix, numeric-mode digits", scanned.len()))
}

/// SHC-018: each scanned QR code is of version 22 or lower.
fn qr_versions(scanned: &[ScannedQr]) -> Outcome {
    let versions: Vec<u8> = scanned.iter().map(|c| c.version).collect();
    match versions.iter().enumerate().find(|(_, v)| **v > MAX_QR_VERSION) {
        Some((i, version)) => Outcome::fail(
            format!("QR codes of version {MAX_QR_VERSION} or lower (105 × 105 modules)"),
            format!(
                "QR code {} is version {version} ({side} × {side} modules)",
                i + 1,
                side = 17 + 4 * usize::from(*version)
            ),
        ),
        None => Outcome::pass(format!("QR code versions {versions:?}")),
    }
}

fn qr_sizes(jws_list: &[String], chunks: &[QrChunk]) -> Outcome {
    if chunks.iter().all(|c| c.total == 1) {
        match jws_list.iter().find(|j| j.len() > SINGLE_QR_MAX_JWS) {
            Some(j) => Outcome::fail(
                format!("a JWS of at most {SINGLE_QR_MAX_JWS} characters in one QR"),
                format!("{} characters", j.len()),
            ),
            None => Outcome::pass(format!("every JWS at most {SINGLE_QR_MAX_JWS} characters")),
        }
    } else {
        let length: usize = chunks.iter().map(|c| c.jws_part.len()).sum();
        if length <= SINGLE_QR_MAX_JWS {
            return Outcome::fail(
                format!("a JWS of at most {SINGLE_QR_MAX_JWS} characters in one QR code, not chunked"),
                format!("{length} characters in {} chunks", chunks.len()),
            );
        }
        match chunks.iter().find(|c| c.jws_part.len() > CHUNK_MAX_JWS) {
            Some(c) => Outcome::fail(
                format!("chunks of at most {CHUNK_MAX_JWS} characters"),
                format!("chunk {} holds {}", c.index, c.jws_part.len()),
            ),
            None => Outcome::pass(format!("{} chunks, each at most {CHUNK_MAX_JWS} characters", chunks.len())),
        }
    }
}

/// SHC-023: a card's chunks are of balanced sizes. Split as the specification's example generator
/// splits (chunks of the length divided by their count, rounded up), no two differ by as much as
/// the count.
fn balanced(chunks: &[QrChunk]) -> Outcome {
    if chunks.iter().all(|c| c.total == 1) {
        return Outcome::skip("no chunked QR payloads");
    }
    let lengths: Vec<usize> = chunks.iter().map(|c| c.jws_part.len()).collect();
    let (Some(shortest), Some(longest)) = (lengths.iter().min(), lengths.iter().max()) else {
        return Outcome::skip("no chunks");
    };
    if longest - shortest < chunks.len().max(2) {
        Outcome::pass(format!("chunks of {lengths:?} JWS characters"))
    } else {
        Outcome::fail(
            format!(
                "{} chunks of about {} JWS characters each",
                chunks.len(),
                lengths.iter().sum::<usize>().div_ceil(chunks.len())
            ),
            format!("chunks of {lengths:?} JWS characters"),
        )
    }
}

fn judge(f: &mut Findings, jws: &str, form: Form, ctx: &Context) {
    let card = match HealthCardJws::parse(jws) {
        Ok(c) => c,
        Err(e @ ShcError::Jws(_)) => {
            f.set(&rules::SHC_004, Outcome::fail("a compact JWS (RFC 7515 §7.1)", e.to_string()));
            return;
        }
        Err(e) => {
            let header_ok = header_rule(jws);
            f.set(&rules::SHC_004, header_ok);
            f.set(
                &rules::SHC_005,
                Outcome::fail("a raw-DEFLATE payload that inflates to a JSON object", e.to_string()),
            );
            return;
        }
    };
    f.artifact("JWS header", &Value::Object(card.header.clone()).to_string());
    f.artifact("JWS payload (inflated)", &String::from_utf8_lossy(&card.payload_text));
    let alg = card.header.get("alg").and_then(Value::as_str);
    let zip = card.header.get("zip").and_then(Value::as_str);
    f.set(
        &rules::SHC_004,
        if alg == Some("ES256") && zip == Some("DEF") {
            Outcome::pass("alg ES256, zip DEF")
        } else {
            Outcome::fail("alg \"ES256\" and zip \"DEF\"", format!("alg {alg:?}, zip {zip:?}"))
        },
    );
    f.set(&rules::SHC_005, Outcome::pass(format!("payload inflates to {} bytes of JSON", card.payload_text.len())));
    f.set(
        &rules::SHC_006,
        match whitespace_outside_strings(&card.payload_text) {
            None => Outcome::pass("minified"),
            Some(at) => Outcome::fail("a minified payload", format!("whitespace outside strings at byte {at}")),
        },
    );
    let kid = card.header.get("kid").and_then(Value::as_str);
    let iss = card.payload.get("iss").and_then(Value::as_str);
    let mut verified_with = None;
    if ctx.keys.is_empty() {
        let why = "no keys given (--keys, --trust or --fetch-keys): the signature cannot be checked";
        for id in [&rules::SHC_007, &rules::SHC_008, &rules::SHC_009, &rules::SHC_022] {
            f.set(id, Outcome::skip(why));
        }
    } else {
        match ctx.keys.verify("ES256", kid, card.signing_input.as_bytes(), &card.signature) {
            Ok(key) => {
                let print = &key.thumbprint;
                f.set(&rules::SHC_008, Outcome::pass(format!("ES256 signature verifies with key {print}")));
                f.set(
                    &rules::SHC_007,
                    if kid == Some(print.as_str()) {
                        Outcome::pass(format!("kid {print} is the key's thumbprint"))
                    } else {
                        Outcome::fail(
                            format!("kid {print} (the signing key's RFC 7638 thumbprint)"),
                            format!("kid {kid:?}"),
                        )
                    },
                );
                f.set(&rules::SHC_009, ctx.keys.owner_of(iss, &key.thumbprint));
                verified_with = Some(key);
            }
            Err(e) => {
                f.set(&rules::SHC_008, Outcome::fail("an ES256 signature that verifies with a key of the issuer", e));
                f.set(&rules::SHC_007, Outcome::skip("no known key verifies the signature (SHC-008)"));
                f.set(&rules::SHC_009, Outcome::skip("no known key verifies the signature (SHC-008)"));
            }
        }
    }
    f.set(
        &rules::SHC_010,
        match iss {
            Some(i) if i.starts_with("https://") && !i.ends_with('/') => Outcome::pass(format!("iss {i:?}")),
            other => Outcome::fail("iss: an https URL without a trailing '/'", format!("iss {other:?}")),
        },
    );
    f.set(&rules::SHC_011, times(&card, ctx));
    f.set(&rules::SHC_020, revocation::rid_form(&card));
    f.set(&rules::SHC_021, revocation::not_revoked(&card, verified_with.map(|k| &k.jwk), ctx));
    f.set(&rules::SHC_022, issuer_key::as_published(verified_with, ctx));
    let vc = card.payload.get("vc");
    let types: Vec<&str> = vc
        .and_then(|v| v.get("type"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    f.set(
        &rules::SHC_012,
        if types.contains(&HEALTH_CARD_TYPE) {
            Outcome::pass(format!("vc.type {types:?}"))
        } else {
            Outcome::fail(format!("vc.type including {HEALTH_CARD_TYPE}"), format!("vc.type {types:?}"))
        },
    );
    let subject = vc.and_then(|v| v.get("credentialSubject"));
    f.set(&rules::SHC_013, bundle_shape(subject));
    f.set(&rules::SHC_019, fhir::r4_bundle(subject));
    if form == Form::Qr {
        f.set(&rules::SHC_014, qr_bundle(subject));
    }
    f.set(
        &rules::SHC_016,
        match ctx.profiles.by_shc_type(&types) {
            None => Outcome::skip(format!("no credential profile has one of the types {types:?}")),
            Some(p) => {
                let problems = p.problems(subject.unwrap_or(&Value::Null));
                if problems.is_empty() {
                    Outcome::pass(format!("credentialSubject satisfies profile {:?}", p.id))
                } else {
                    Outcome::fail(format!("credentialSubject satisfying profile {:?}", p.id), problems.join("; "))
                }
            }
        },
    );
}

/// SHC-004 judged from the header alone (when the payload does not inflate).
fn header_rule(jws: &str) -> Outcome {
    let header = jws
        .split('.')
        .next()
        .and_then(|h| dialtone_protocols::b64::decode(h).ok())
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
    let alg = header.as_ref().and_then(|h| h.get("alg")).and_then(Value::as_str);
    let zip = header.as_ref().and_then(|h| h.get("zip")).and_then(Value::as_str);
    if alg == Some("ES256") && zip == Some("DEF") {
        Outcome::pass("alg ES256, zip DEF")
    } else {
        Outcome::fail("alg \"ES256\" and zip \"DEF\"", format!("alg {alg:?}, zip {zip:?}"))
    }
}

fn times(card: &HealthCardJws, ctx: &Context) -> Outcome {
    let nbf = card.payload.get("nbf");
    let exp = card.payload.get("exp");
    let note = now_note(ctx);
    let Some(nbf_n) = nbf.and_then(Value::as_f64) else {
        return Outcome::fail("nbf as a NumericDate (issuance date)", format!("nbf {nbf:?}"));
    };
    if nbf_n as i64 > ctx.now + CLOCK_SKEW {
        return Outcome::fail("nbf not after the verification time", format!("nbf {nbf_n}; {note}"));
    }
    match exp {
        None => Outcome::pass(format!("nbf {nbf_n}, no exp; {note}")),
        Some(e) => match e.as_f64() {
            Some(e) if (e as i64) < ctx.now => {
                Outcome::fail("exp not passed (SHC: Expiration of Health Cards)", format!("exp {e}; {note}"))
            }
            Some(e) => Outcome::pass(format!("nbf {nbf_n}, exp {e}; {note}")),
            None => Outcome::fail("exp as a NumericDate", format!("exp {e}")),
        },
    }
}

fn bundle_shape(subject: Option<&Value>) -> Outcome {
    let Some(subject) = subject else {
        return Outcome::fail("vc.credentialSubject", "absent");
    };
    if !subject.get("fhirVersion").is_some_and(Value::is_string) {
        return Outcome::fail("credentialSubject.fhirVersion (a string)", format!("{:?}", subject.get("fhirVersion")));
    }
    let bundle = subject.get("fhirBundle");
    if bundle.and_then(|b| b.get("resourceType")).and_then(Value::as_str) != Some("Bundle") {
        return Outcome::fail(
            "fhirBundle.resourceType \"Bundle\"",
            format!("{:?}", bundle.and_then(|b| b.get("resourceType"))),
        );
    }
    let Some(entries) = bundle.and_then(|b| b.get("entry")).and_then(Value::as_array).filter(|e| !e.is_empty()) else {
        return Outcome::fail("fhirBundle.entry: a non-empty array", "absent or empty");
    };
    for (i, e) in entries.iter().enumerate() {
        if !e.get("resource").and_then(|r| r.get("resourceType")).is_some_and(Value::is_string) {
            return Outcome::fail("every entry with a resource and its resourceType", format!("entry[{i}] = {e}"));
        }
    }
    Outcome::pass(format!("FHIR {} Bundle with {} entries", subject["fhirVersion"], entries.len()))
}

/// SHC-014: what a bundle bound for a QR code leaves out and how it refers (§ Health Cards are Compact,
/// "For Health Cards that will be directly represented as QR codes, issuers SHALL ensure that").
fn qr_bundle(subject: Option<&Value>) -> Outcome {
    let entries = subject
        .and_then(|s| s.get("fhirBundle"))
        .and_then(|b| b.get("entry"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (i, e) in entries.iter().enumerate() {
        let full = e.get("fullUrl").and_then(Value::as_str).unwrap_or("");
        if !full.starts_with("resource:") {
            return Outcome::fail("Bundle.entry.fullUrl as resource:N", format!("entry[{i}].fullUrl {full:?}"));
        }
        let Some(r) = e.get("resource") else { continue };
        if r.get("id").is_some() {
            return Outcome::fail("no Resource.id", format!("entry[{i}].resource.id present"));
        }
        if let Some(meta) = r.get("meta") {
            let only_security =
                meta.as_object().is_some_and(|m| m.contains_key("security") && m.keys().all(|k| k == "security"));
            if !only_security {
                return Outcome::fail(
                    "no Resource.meta, or one holding only meta.security",
                    format!("entry[{i}].resource.meta {}", bound_json(meta)),
                );
            }
        }
        if r.get("text").is_some() {
            return Outcome::fail("no DomainResource.text", format!("entry[{i}].resource.text present"));
        }
        if let Some(problem) = qr_element_problem(r, &format!("entry[{i}].resource")) {
            return problem;
        }
    }
    Outcome::pass(format!(
        "{} entries with resource: fullUrls and references, without ids, meta, text or display",
        entries.len()
    ))
}

/// The first element inside a resource that a QR-bound bundle may not have: a CodeableConcept
/// (an object with `coding`) with `text`, a Coding (an object with `system` or `code`) with
/// `display`, a Reference (an object with a string `reference`) that is not a `resource:` URI.
/// Nesting is bounded by the JSON parser's depth limit.
fn qr_element_problem(value: &Value, path: &str) -> Option<Outcome> {
    element_problem(value, &mut path.to_string())
}

/// [`qr_element_problem`] below `path`, the path kept as the data model's walks keep theirs.
fn element_problem(value: &Value, path: &mut String) -> Option<Outcome> {
    use crate::data_model::{at_item, at_member};
    match value {
        Value::Object(o) => {
            if o.get("coding").is_some_and(Value::is_array) && o.contains_key("text") {
                return Some(Outcome::fail("no CodeableConcept.text", format!("{path}.text present")));
            }
            if o.contains_key("display") && (o.contains_key("system") || o.contains_key("code")) {
                return Some(Outcome::fail("no Coding.display", format!("{path}.display present")));
            }
            let reference = o.get("reference").and_then(Value::as_str);
            if let Some(reference) = reference.filter(|r| !r.starts_with("resource:")) {
                return Some(Outcome::fail(
                    "Reference.reference as a short resource: URI (resource:N)",
                    format!("{path}.reference {:?}", bound_str(reference)),
                ));
            }
            o.iter().find_map(|(name, v)| at_member(path, name, |path| element_problem(v, path)))
        }
        Value::Array(a) => a.iter().enumerate().find_map(|(i, v)| at_item(path, i, |path| element_problem(v, path))),
        _ => None,
    }
}

/// A value shown in an observation, at most 120 characters of it.
fn bound_json(value: &Value) -> String {
    bound_str(&value.to_string())
}

fn bound_str(text: &str) -> String {
    let mut out: String = text.chars().take(120).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// The byte offset of the first JSON whitespace outside a string, if any.
fn whitespace_outside_strings(json: &[u8]) -> Option<usize> {
    let (mut in_string, mut escaped) = (false, false);
    for (i, &b) in json.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The first element a QR-embedded card may not hold is named by its path from the resource,
    /// through members and items, and nothing is found in a resource without one.
    #[test]
    fn the_element_a_qr_card_may_not_hold_is_named_by_its_path() {
        let observed = |value: &Value| match qr_element_problem(value, "entry[0].resource") {
            Some(Outcome::Fail { observed, .. }) => observed,
            other => format!("{other:?}"),
        };
        let nested = json!({"status": "final", "vaccineCode": [{"x": 1}, {"coding": [], "text": "COVID-19"}]});
        assert_eq!(observed(&nested), "entry[0].resource.vaccineCode[1].text present");
        let coding = json!({"a": {"b": [[{"system": "s", "display": "d"}]]}});
        assert_eq!(observed(&coding), "entry[0].resource.a.b[0][0].display present");
        let reference = json!({"patient": {"reference": "Patient/1"}});
        assert_eq!(observed(&reference), "entry[0].resource.patient.reference \"Patient/1\"");
        assert!(qr_element_problem(&json!({"patient": {"reference": "resource:0"}, "x": [1, {}]}), "r").is_none());
    }
}
