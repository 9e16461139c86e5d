//! W3C VC Data Model 2.0 secured with JOSE (`vc+jwt`), SD-JWT (`vc+sd-jwt`) or COSE
//! (`application/vc+cose`), per VC-JOSE-COSE; presentations (`vp+…`) with enveloped credentials.

use crate::{Artifact, Context, Findings, Format, now_note, table as rules};
use dialtone_engine::model::Outcome;
use dialtone_protocols::cose::{HEADER_TYP, Sign1};
use dialtone_protocols::jose::{CompactJws, is_asymmetric_alg};
use dialtone_protocols::public_key::SetKey;
use dialtone_protocols::sdjwt::SdJwt;
use dialtone_protocols::{b64, time};
use serde_json::{Map, Value};
use std::sync::OnceLock;

pub const V2_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
const SCHEMA: &str = include_str!("../../../suites/schemas/vc-data-model-2.0.schema.json");
/// Enveloped credentials inside a presentation are judged to this depth.
const MAX_ENVELOPE_DEPTH: usize = 2;

fn validator() -> Option<&'static jsonschema::Validator> {
    static CELL: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    CELL.get_or_init(|| serde_json::from_str(SCHEMA).ok().and_then(|s: Value| jsonschema::validator_for(&s).ok()))
        .as_ref()
}

/// Schema problems of a VC/VP document, empty when it conforms.
pub fn schema_problems(document: &Value) -> Vec<String> {
    match validator() {
        Some(v) => v
            .iter_errors(document)
            .map(|e| {
                let at = e.instance_path().to_string();
                if at.is_empty() { e.to_string() } else { format!("{e} (at {at})") }
            })
            .collect(),
        None => vec!["dialtone's VC data model schema did not compile (a harness defect)".into()],
    }
}

/// A secured VC or VP, opened but not yet verified.
pub struct Secured {
    pub securing: Format,
    pub typ: Option<String>,
    pub cty: Option<String>,
    pub alg: Option<String>,
    pub kid: Option<String>,
    /// The JWT claims set / COSE payload as signed (before SD-JWT processing).
    pub claims: Map<String, Value>,
    /// The VC/VP document (after SD-JWT processing).
    pub document: Value,
    body: Body,
}

enum Body {
    Jws(CompactJws),
    SdJwt(Box<SdJwt>),
    Cose(Box<Sign1>),
}

/// Opens the securing envelope. The error says what the bytes were instead.
pub fn open(bytes: &[u8], format: Format) -> Result<Secured, Outcome> {
    let text = String::from_utf8_lossy(bytes).trim().to_string();
    if text.starts_with('{') {
        return Err(Outcome::fail(
            "a secured credential (VC-JOSE-COSE: compact JWS, SD-JWT or COSE_Sign1)",
            "an unsecured JSON document: verifiers must ignore claims without integrity protection (VC-JOSE-COSE §1.1.1)",
        ));
    }
    match format {
        Format::VcJose => {
            let jws =
                CompactJws::parse(&text).map_err(|e| Outcome::fail("a compact JWS (RFC 7515 §7.1)", e.to_string()))?;
            let claims = jws.payload.clone();
            Ok(Secured {
                securing: format,
                typ: header_text(&jws.header, "typ"),
                cty: header_text(&jws.header, "cty"),
                alg: header_text(&jws.header, "alg"),
                kid: header_text(&jws.header, "kid"),
                document: Value::Object(claims.clone()),
                claims,
                body: Body::Jws(jws),
            })
        }
        Format::VcSdJwt => {
            let sd = SdJwt::parse(&text).map_err(|e| Outcome::fail("an SD-JWT (RFC 9901 §4)", e.to_string()))?;
            let claims = sd.issuer_jwt.payload.clone();
            let document = match sd.process() {
                Ok(p) => Value::Object(p.claims),
                Err(_) => Value::Object(claims.clone()),
            };
            let h = &sd.issuer_jwt.header;
            Ok(Secured {
                securing: format,
                typ: header_text(h, "typ"),
                cty: header_text(h, "cty"),
                alg: header_text(h, "alg"),
                kid: header_text(h, "kid"),
                document,
                claims,
                body: Body::SdJwt(Box::new(sd)),
            })
        }
        _ => {
            let cbor = if matches!(bytes.first(), Some(0xd2 | 0x84)) {
                bytes.to_vec()
            } else {
                b64::decode_std_any(&text).map_err(|e| {
                    Outcome::fail("a COSE_Sign1 encoded with base64 (VC-JOSE-COSE §3.3)", format!("not base64: {e}"))
                })?
            };
            let sign1 =
                Sign1::parse(&cbor).map_err(|e| Outcome::fail("a COSE_Sign1 (RFC 9052 §4.2)", e.to_string()))?;
            let payload = sign1.payload().map_err(|e| Outcome::fail("a COSE_Sign1 with its payload", e.to_string()))?;
            let claims = match serde_json::from_slice::<Value>(payload) {
                Ok(Value::Object(m)) => m,
                Ok(_) => return Err(Outcome::fail("a JSON object payload", "JSON that is not an object")),
                Err(e) => return Err(Outcome::fail("a JSON payload (application/vc)", e.to_string())),
            };
            Ok(Secured {
                securing: format,
                typ: sign1.protected_text(HEADER_TYP).map(str::to_string),
                cty: sign1.content_type(),
                alg: sign1.alg().ok().map(str::to_string),
                kid: sign1.kid().map(|k| String::from_utf8_lossy(k).into_owned()),
                document: Value::Object(claims.clone()),
                claims,
                body: Body::Cose(Box::new(sign1)),
            })
        }
    }
}

fn header_text(header: &Map<String, Value>, name: &str) -> Option<String> {
    header.get(name).and_then(Value::as_str).map(str::to_string)
}

/// The `type` values of a document (string or array).
pub fn types(document: &Value) -> Vec<&str> {
    match document.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn is_presentation(document: &Value) -> bool {
    types(document).contains(&"VerifiablePresentation")
}

/// Media types (typ) and content types (cty) VC-JOSE-COSE §7.1 registers.
fn media_types(securing: Format, presentation: bool) -> (&'static [&'static str], &'static [&'static str]) {
    match (securing, presentation) {
        (Format::VcJose, false) => (&["vc+jwt", "application/vc+jwt"], &["vc", "application/vc"]),
        (Format::VcJose, true) => (&["vp+jwt", "application/vp+jwt"], &["vp", "application/vp"]),
        (Format::VcSdJwt, false) => (&["vc+sd-jwt", "application/vc+sd-jwt"], &["vc", "application/vc"]),
        (Format::VcSdJwt, true) => (&["vp+sd-jwt", "application/vp+sd-jwt"], &["vp", "application/vp"]),
        (_, false) => (&["application/vc+cose"], &["application/vc"]),
        (_, true) => (&["application/vp+cose"], &["application/vp"]),
    }
}

impl Secured {
    /// The known key that verifies the signature, or why none does.
    pub fn verifying_key<'c>(&self, ctx: &'c Context) -> Result<&'c SetKey, String> {
        let alg = self.alg.as_deref().unwrap_or("<absent>");
        match &self.body {
            Body::Jws(jws) => ctx.keys.verify(alg, self.kid.as_deref(), jws.signing_input.as_bytes(), &jws.signature),
            Body::SdJwt(sd) => ctx.keys.verify(
                alg,
                self.kid.as_deref(),
                sd.issuer_jwt.signing_input.as_bytes(),
                &sd.issuer_jwt.signature,
            ),
            Body::Cose(sign1) => {
                ctx.keys.verify_with(self.kid.as_deref(), |key| sign1.verify_with_key(key)).map_err(|(n, last)| {
                    let last = if n == 0 { "no keys".to_string() } else { last };
                    format!("no known key verifies the COSE_Sign1 (last: {last})")
                })
            }
        }
    }

    fn issuer_id(&self) -> Option<&str> {
        match self.document.get("issuer") {
            Some(Value::String(s)) => Some(s),
            Some(Value::Object(o)) => o.get("id").and_then(Value::as_str),
            _ => None,
        }
    }
}

pub(crate) fn judge_artifact(artifact: &Artifact, format: Format, ctx: &Context) -> Findings {
    let mut f = Findings::new(rules::VC);
    f.artifact("artifact (as received)", &String::from_utf8_lossy(artifact.first()));
    let secured = match open(artifact.first(), format) {
        Ok(s) => s,
        Err(o) => {
            f.set(&rules::VC_001, o);
            return f;
        }
    };
    f.artifact("document", &secured.document.to_string());
    f.set(
        &rules::VC_001,
        Outcome::pass(format!("{} envelope opened; typ {:?}, alg {:?}", format.name(), secured.typ, secured.alg)),
    );
    judge(&mut f, &secured, ctx, 0);
    f
}

fn judge(f: &mut Findings, s: &Secured, ctx: &Context, depth: usize) {
    let doc = &s.document;
    let presentation = is_presentation(doc);
    let (typs, ctys) = media_types(s.securing, presentation);
    f.set(
        &rules::VC_002,
        match &s.typ {
            Some(t) if typs.contains(&t.as_str()) => Outcome::pass(format!("typ {t:?}")),
            other => Outcome::fail(format!("typ one of {typs:?}"), format!("typ {other:?}")),
        },
    );
    f.set(
        &rules::VC_003,
        match &s.cty {
            None => Outcome::pass("no cty"),
            Some(c) if ctys.contains(&c.as_str()) => Outcome::pass(format!("cty {c:?}")),
            Some(c) => Outcome::fail(format!("cty absent or one of {ctys:?}"), format!("cty {c:?}")),
        },
    );
    let alg = s.alg.as_deref().unwrap_or("<absent>");
    f.set(
        &rules::VC_004,
        if is_asymmetric_alg(alg) {
            Outcome::pass(format!("alg {alg}"))
        } else {
            Outcome::fail("an asymmetric signature algorithm", format!("alg {alg:?}"))
        },
    );
    let issuer = s.issuer_id().or_else(|| s.claims.get("iss").and_then(Value::as_str));
    if ctx.keys.is_empty() {
        let why = "no keys given (--keys, --trust or --fetch-keys): the signature cannot be checked";
        f.set(&rules::VC_005, Outcome::skip(why));
        f.set(&rules::VC_006, Outcome::skip(why));
    } else {
        match s.verifying_key(ctx) {
            Ok(key) => {
                f.set(&rules::VC_005, Outcome::pass(format!("{alg} signature verifies with key {}", key.thumbprint)));
                let owner = if presentation {
                    ctx.keys.owner_of(holder_id(doc).or(s.claims.get("iss").and_then(Value::as_str)), &key.thumbprint)
                } else {
                    ctx.keys.owner_of(issuer, &key.thumbprint)
                };
                f.set(&rules::VC_006, owner);
            }
            Err(e) => {
                f.set(&rules::VC_005, Outcome::fail("a signature that verifies with a key of the issuer", e));
                f.set(&rules::VC_006, Outcome::skip("no known key verifies the signature (VC-005)"));
            }
        }
    }
    let problems = schema_problems(doc);
    f.set(
        &rules::VC_007,
        if problems.is_empty() {
            Outcome::pass("the document satisfies dialtone's VC Data Model 2.0 schema")
        } else {
            Outcome::fail("a document satisfying the VC Data Model 2.0 schema", problems.join("; "))
        },
    );
    f.set(&rules::VC_008, context(doc));
    let want = if presentation { "VerifiablePresentation" } else { "VerifiableCredential" };
    f.set(
        &rules::VC_009,
        if types(doc).contains(&want) {
            Outcome::pass(format!("type {:?}", types(doc)))
        } else {
            Outcome::fail(format!("type including {want}"), format!("type {:?}", doc.get("type")))
        },
    );
    let sd_broken = matches!(&s.body, Body::SdJwt(sd) if sd.process().is_err());
    if sd_broken {
        f.set(&rules::VC_020, Outcome::skip("not reached: the disclosures do not process (VC-017)"));
    }
    if presentation {
        let why = "a presentation: its credentials are judged through their envelopes (VC-015, VC-016)";
        for id in [&rules::VC_010, &rules::VC_011, &rules::VC_014, &rules::VC_019, &rules::VC_020] {
            f.set(id, Outcome::skip(why));
        }
    } else {
        f.set(&rules::VC_010, issuer_rule(doc));
        f.set(&rules::VC_011, validity(doc, ctx));
        f.set(&rules::VC_014, status(doc));
        f.set(&rules::VC_019, subject(doc));
        if !sd_broken {
            f.set(&rules::VC_020, profile(doc, ctx));
        }
    }
    f.set(&rules::VC_012, iss_matches(s, presentation));
    f.set(
        &rules::VC_013,
        match s.securing {
            Format::VcCose => Outcome::skip("COSE: the payload is the document, not a JWT claims set"),
            _ => {
                let present: Vec<&str> = ["vc", "vp"].into_iter().filter(|c| s.claims.contains_key(*c)).collect();
                if present.is_empty() {
                    Outcome::pass("no vc or vp claim")
                } else {
                    Outcome::fail("no vc or vp claim in the JWT claims set", format!("present: {present:?}"))
                }
            }
        },
    );
    if presentation {
        envelopes(f, doc, ctx, depth);
    } else {
        let why = "a credential, not a presentation";
        f.set(&rules::VC_015, Outcome::skip(why));
        f.set(&rules::VC_016, Outcome::skip(why));
    }
    f.set(
        &rules::VC_017,
        match &s.body {
            Body::SdJwt(sd) => match sd.process() {
                Ok(p) => {
                    Outcome::pass(format!("{} disclosures match {} digests", sd.disclosures.len(), p.embedded_digests))
                }
                Err(e) => Outcome::fail("disclosures that process (RFC 9901 §7.1)", e.to_string()),
            },
            _ => Outcome::skip("not secured with SD-JWT"),
        },
    );
    f.set(
        &rules::VC_018,
        match s.securing {
            Format::VcCose => Outcome::skip("COSE: no JWT time claims"),
            _ => {
                let bad: Vec<String> = ["iat", "exp", "nbf"]
                    .into_iter()
                    .filter_map(|c| s.claims.get(c).filter(|v| !v.is_i64()).map(|v| format!("{c} = {v}")))
                    .collect();
                if bad.is_empty() {
                    Outcome::pass("time claims, where present, are NumericDates")
                } else {
                    Outcome::fail("iat, exp and nbf as NumericDate (seconds since the epoch)", bad.join(", "))
                }
            }
        },
    );
}

fn holder_id(doc: &Value) -> Option<&str> {
    match doc.get("holder") {
        Some(Value::String(s)) => Some(s),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

pub fn context(doc: &Value) -> Outcome {
    let first = match doc.get("@context") {
        Some(Value::Array(a)) => a.first().and_then(Value::as_str),
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    };
    if first == Some(V2_CONTEXT) {
        Outcome::pass(format!("@context starts with {V2_CONTEXT}"))
    } else {
        Outcome::fail(
            format!("@context whose first item is {V2_CONTEXT}"),
            format!("@context {:?}", doc.get("@context")),
        )
    }
}

fn is_url(s: &str) -> bool {
    match s.split_once(':') {
        Some((scheme, rest)) => {
            !rest.is_empty()
                && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

pub fn issuer_rule(doc: &Value) -> Outcome {
    let id = match doc.get("issuer") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str),
        _ => None,
    };
    match id {
        Some(id) if is_url(id) => Outcome::pass(format!("issuer {id:?}")),
        _ => Outcome::fail("issuer: a URL, or an object whose id is a URL", format!("issuer {:?}", doc.get("issuer"))),
    }
}

fn validity(doc: &Value, ctx: &Context) -> Outcome {
    let parse = |name: &str| -> Result<Option<i64>, Outcome> {
        match doc.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => time::parse_datetime_stamp(s).map(Some).ok_or_else(|| {
                Outcome::fail(format!("{name} as a dateTimeStamp (with a timezone)"), format!("{name} {s:?}"))
            }),
            Some(v) => Err(Outcome::fail(format!("{name} as a dateTimeStamp string"), format!("{name} = {v}"))),
        }
    };
    let (from, until) = match (parse("validFrom"), parse("validUntil")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(o), _) | (_, Err(o)) => return o,
    };
    let observed = format!(
        "validFrom {:?}, validUntil {:?}; {}",
        doc.get("validFrom").and_then(Value::as_str),
        doc.get("validUntil").and_then(Value::as_str),
        now_note(ctx)
    );
    if let (Some(a), Some(b)) = (from, until)
        && a > b
    {
        return Outcome::fail("validFrom not after validUntil", observed);
    }
    if from.is_some_and(|a| a > ctx.now) {
        return Outcome::fail("a credential valid at the verification time (validFrom not in the future)", observed);
    }
    if until.is_some_and(|b| b < ctx.now) {
        return Outcome::fail("a credential valid at the verification time (validUntil not passed)", observed);
    }
    Outcome::pass(observed)
}

fn status(doc: &Value) -> Outcome {
    let entries: Vec<&Value> = match doc.get("credentialStatus") {
        None => return Outcome::skip("no credentialStatus: the credential cannot be revoked or suspended"),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
    };
    for e in &entries {
        let ok_type = e.get("type").is_some_and(|t| t.is_string() || t.is_array());
        let ok_id = e.get("id").is_none_or(|i| i.as_str().is_some_and(is_url));
        if !ok_type || !ok_id {
            return Outcome::fail("credentialStatus entries with a type and, if present, an id URL", e.to_string());
        }
    }
    Outcome::pass(format!("{} credentialStatus entries with a type", entries.len()))
}

pub fn subject(doc: &Value) -> Outcome {
    let ok = match doc.get("credentialSubject") {
        Some(Value::Object(o)) => !o.is_empty(),
        Some(Value::Array(a)) => !a.is_empty() && a.iter().all(|s| s.as_object().is_some_and(|o| !o.is_empty())),
        _ => false,
    };
    if ok {
        Outcome::pass("credentialSubject holds claims")
    } else {
        Outcome::fail(
            "a non-empty credentialSubject object (or array of them)",
            format!("{:?}", doc.get("credentialSubject")),
        )
    }
}

fn profile(doc: &Value, ctx: &Context) -> Outcome {
    let types = types(doc);
    let Some(p) = ctx.profiles.by_vc_type(&types) else {
        return Outcome::skip(format!("no credential profile has one of the types {types:?}"));
    };
    let subject = match doc.get("credentialSubject") {
        Some(Value::Array(a)) => a.first().cloned().unwrap_or(Value::Null),
        Some(v) => v.clone(),
        None => Value::Null,
    };
    let problems = p.problems(&subject);
    if problems.is_empty() {
        Outcome::pass(format!("credentialSubject satisfies profile {:?}", p.id))
    } else {
        Outcome::fail(format!("credentialSubject satisfying profile {:?}", p.id), problems.join("; "))
    }
}

fn iss_matches(s: &Secured, presentation: bool) -> Outcome {
    let Some(iss) = s.claims.get("iss") else {
        return Outcome::pass("no iss claim");
    };
    let target = if presentation { holder_id(&s.document) } else { s.issuer_id() };
    match (iss.as_str(), target) {
        (Some(i), Some(t)) if i == t => Outcome::pass(format!("iss {i:?} matches")),
        (_, None) if presentation => Outcome::pass("a presentation without holder"),
        (i, t) => Outcome::fail(
            format!("iss equal to {}", if presentation { "holder" } else { "issuer (or issuer.id)" }),
            format!("iss {i:?}, {} {t:?}", if presentation { "holder" } else { "issuer" }),
        ),
    }
}

/// Media types a `data:` URL of an enveloped credential may carry.
fn envelope_format(media: &str) -> Option<Format> {
    match media {
        "application/vc+jwt" => Some(Format::VcJose),
        "application/vc+sd-jwt" => Some(Format::VcSdJwt),
        "application/vc+cose" => Some(Format::VcCose),
        "application/dc+sd-jwt" => Some(Format::SdJwtVc),
        _ => None,
    }
}

fn envelopes(f: &mut Findings, doc: &Value, ctx: &Context, depth: usize) {
    let entries: Vec<&Value> = match doc.get("verifiableCredential") {
        None => {
            f.set(&rules::VC_015, Outcome::skip("the presentation carries no credentials"));
            f.set(&rules::VC_016, Outcome::skip("the presentation carries no credentials"));
            return;
        }
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
    };
    let mut opened = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let ty = types(e);
        let id = e.get("id").and_then(Value::as_str).unwrap_or("");
        if !ty.contains(&"EnvelopedVerifiableCredential") {
            f.set(
                &rules::VC_015,
                Outcome::fail(
                    "each credential as an EnvelopedVerifiableCredential",
                    format!("verifiableCredential[{i}] type {ty:?}"),
                ),
            );
            return;
        }
        let Some((media, data)) = id.strip_prefix("data:").and_then(|r| r.split_once(',')) else {
            f.set(
                &rules::VC_015,
                Outcome::fail("an id that is a data: URL", format!("verifiableCredential[{i}].id {id:?}")),
            );
            return;
        };
        let (media, base64) = match media.strip_suffix(";base64") {
            Some(m) => (m, true),
            None => (media, false),
        };
        let Some(format) = envelope_format(media) else {
            f.set(
                &rules::VC_015,
                Outcome::fail(
                    "a data: URL of a secured VC media type",
                    format!("verifiableCredential[{i}] media type {media:?}"),
                ),
            );
            return;
        };
        let bytes = data.as_bytes().to_vec();
        if format == Format::VcCose && !base64 && b64::decode_std_any(data).is_err() {
            f.set(
                &rules::VC_015,
                Outcome::fail("a COSE credential encoded with base64", format!("verifiableCredential[{i}]")),
            );
            return;
        }
        if format == Format::SdJwtVc {
            opened.push((i, None));
            continue;
        }
        match open(&bytes, format) {
            Ok(inner) => opened.push((i, Some(inner))),
            Err(Outcome::Fail { observed, .. }) => {
                f.set(
                    &rules::VC_021,
                    Outcome::fail(
                        "enveloped credentials that open as secured credentials",
                        format!("verifiableCredential[{i}] ({media}): {observed}"),
                    ),
                );
            }
            Err(other) => f.set(&rules::VC_021, other),
        }
    }
    f.set(
        &rules::VC_015,
        Outcome::pass(format!("{} EnvelopedVerifiableCredential data: URLs of VC media types", entries.len())),
    );
    f.set(&rules::VC_021, Outcome::pass(format!("{} enveloped credentials open", opened.len())));
    if depth >= MAX_ENVELOPE_DEPTH {
        f.set(&rules::VC_016, Outcome::skip("envelopes nested too deep to judge"));
        return;
    }
    let mut verified = Vec::new();
    let mut unknown = Vec::new();
    for (i, inner) in opened {
        let Some(inner) = inner else {
            unknown.push(format!("[{i}] (an SD-JWT VC: check it on its own)"));
            continue;
        };
        match inner.verifying_key(ctx) {
            Ok(key) => verified.push(format!("[{i}] by {}", key.thumbprint)),
            Err(e) => {
                let kid_known = inner
                    .kid
                    .as_deref()
                    .is_some_and(|kid| ctx.keys.key_set().keys().iter().any(|k| k.kid.as_deref() == Some(kid)));
                if kid_known {
                    f.set(
                        &rules::VC_016,
                        Outcome::fail(
                            "enveloped credentials whose signature verifies",
                            format!("verifiableCredential[{i}]: {e}"),
                        ),
                    );
                    return;
                }
                unknown.push(format!("[{i}] (kid {:?} unknown)", inner.kid));
            }
        }
    }
    f.set(
        &rules::VC_016,
        if unknown.is_empty() {
            Outcome::pass(format!("verified: {}", verified.join(", ")))
        } else if verified.is_empty() {
            Outcome::skip(format!("no key given for the enveloped credentials: {}", unknown.join(", ")))
        } else {
            Outcome::pass(format!(
                "verified: {}; not verifiable without their keys: {}",
                verified.join(", "),
                unknown.join(", ")
            ))
        },
    );
}
