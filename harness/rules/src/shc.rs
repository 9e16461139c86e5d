//! SMART Health Cards: `shc:/` QR payloads (text, one per line or per file, chunked or not), PNG
//! images of the QR codes, `.smart-health-card` files, or a bare JWS.

use crate::{Artifact, Context, Findings, now_note, table as rules};
use dialtone_engine::model::Outcome;
use dialtone_protocols::shc::{
    self, CHUNK_MAX_JWS, HEALTH_CARD_TYPE, HealthCardJws, QrChunk, SINGLE_QR_MAX_JWS, ShcError,
};
use serde_json::Value;

/// Clock skew tolerated on nbf, in seconds.
const CLOCK_SKEW: i64 = 300;

/// How the JWS arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Qr,
    File,
    Jws,
}

pub(crate) fn judge_artifact(artifact: &Artifact, ctx: &Context) -> Findings {
    let mut f = Findings::new(rules::SHC);
    let (form, jws_list, chunks) = match collect(artifact, ctx, &mut f) {
        Some(x) => x,
        None => return f,
    };
    if form != Form::Qr {
        for id in [&rules::SHC_001, &rules::SHC_002, &rules::SHC_015] {
            f.set(id, Outcome::skip("not given as QR payloads"));
        }
        f.set(&rules::SHC_014, Outcome::skip("not given as a QR code: the QR-size rules for bundles do not apply"));
    } else {
        f.set(&rules::SHC_015, qr_sizes(&jws_list, &chunks));
    }
    if form != Form::File {
        f.set(&rules::SHC_003, Outcome::skip("not given as a .smart-health-card file"));
    }
    for jws in &jws_list {
        judge(&mut f, jws, form, ctx);
    }
    f
}

/// The JWS strings the artifact holds, and the chunks they came from (QR form).
fn collect(artifact: &Artifact, ctx: &Context, f: &mut Findings) -> Option<(Form, Vec<String>, Vec<QrChunk>)> {
    let mut qr_texts = Vec::new();
    let mut file_text = None;
    for part in &artifact.parts {
        if part.starts_with(b"\x89PNG") {
            match ctx.qr_images.decode(part) {
                Ok(texts) => qr_texts.extend(texts),
                Err(e) => {
                    f.set(&rules::SHC_001, Outcome::fail("a PNG image holding shc:/ QR codes", e));
                    return None;
                }
            }
            continue;
        }
        let text = String::from_utf8_lossy(part);
        let trimmed = text.trim();
        if trimmed.starts_with("shc:/") {
            qr_texts.extend(trimmed.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string));
        } else if trimmed.starts_with('{') {
            file_text = Some(trimmed.to_string());
        } else {
            f.artifact("JWS (as received)", trimmed);
            return Some((Form::Jws, vec![trimmed.to_string()], Vec::new()));
        }
    }
    if let Some(text) = file_text {
        f.artifact(".smart-health-card file", &text);
        return match shc::parse_file(text.as_bytes()) {
            Ok(list) => {
                f.set(&rules::SHC_003, Outcome::pass(format!("verifiableCredential holds {} JWS", list.len())));
                Some((Form::File, list, Vec::new()))
            }
            Err(e) => {
                f.set(&rules::SHC_003, Outcome::fail("{\"verifiableCredential\": [\"<JWS>\", …]}", e.to_string()));
                None
            }
        };
    }
    f.artifact("QR payloads", &qr_texts.join("\n"));
    let mut chunks = Vec::new();
    for (i, text) in qr_texts.iter().enumerate() {
        match shc::decode_qr(text) {
            Ok(c) => chunks.push(c),
            Err(e) => {
                f.set(
                    &rules::SHC_001,
                    Outcome::fail("shc:/[C/N/] followed by digit pairs 00..77", format!("QR {}: {e}", i + 1)),
                );
                return None;
            }
        }
    }
    if chunks.is_empty() {
        f.set(&rules::SHC_001, Outcome::fail("at least one shc:/ QR payload", "none"));
        return None;
    }
    f.set(&rules::SHC_001, Outcome::pass(format!("{} QR payloads decode", chunks.len())));
    // Several single QR codes are several cards; chunks of one card assemble.
    let jws_list = if chunks.iter().all(|c| c.total == 1) {
        f.set(&rules::SHC_002, Outcome::skip("no chunked QR payloads"));
        chunks.iter().map(|c| c.jws_part.clone()).collect()
    } else {
        match shc::assemble(&chunks) {
            Ok(jws) => {
                f.set(&rules::SHC_002, Outcome::pass(format!("{} chunks assemble", chunks.len())));
                vec![jws]
            }
            Err(e) => {
                f.set(&rules::SHC_002, Outcome::fail("chunks 1..N of one card, each once", e.to_string()));
                return None;
            }
        }
    };
    Some((Form::Qr, jws_list, chunks))
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
        match chunks.iter().find(|c| c.jws_part.len() > CHUNK_MAX_JWS) {
            Some(c) => Outcome::fail(
                format!("chunks of at most {CHUNK_MAX_JWS} characters"),
                format!("chunk {} holds {}", c.index, c.jws_part.len()),
            ),
            None => Outcome::pass(format!("{} chunks, each at most {CHUNK_MAX_JWS} characters", chunks.len())),
        }
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
    if ctx.keys.is_empty() {
        let why = "no keys given (--keys, --trust or --fetch-keys): the signature cannot be checked";
        for id in [&rules::SHC_007, &rules::SHC_008, &rules::SHC_009] {
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

fn qr_bundle(subject: Option<&Value>) -> Outcome {
    let entries = subject
        .and_then(|s| s.get("fhirBundle"))
        .and_then(|b| b.get("entry"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, e) in entries.iter().enumerate() {
        let full = e.get("fullUrl").and_then(Value::as_str).unwrap_or("");
        if !full.starts_with("resource:") {
            return Outcome::fail("fullUrl as resource:N", format!("entry[{i}].fullUrl {full:?}"));
        }
        let r = e.get("resource");
        for member in ["id", "text"] {
            if r.and_then(|r| r.get(member)).is_some() {
                return Outcome::fail(format!("no Resource.{member}"), format!("entry[{i}].resource.{member} present"));
            }
        }
        if r.is_some_and(has_coding_display) {
            return Outcome::fail("no Coding.display", format!("entry[{i}] has a Coding with a display"));
        }
    }
    Outcome::pass(format!("{} entries with resource:N fullUrls, without ids, text or display", entries.len()))
}

/// Whether a FHIR resource holds a Coding (an object with `system` or `code`) with a `display`.
fn has_coding_display(value: &Value) -> bool {
    match value {
        Value::Object(o) => {
            (o.contains_key("display") && (o.contains_key("system") || o.contains_key("code")))
                || o.values().any(has_coding_display)
        }
        Value::Array(a) => a.iter().any(has_coding_display),
        _ => false,
    }
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
