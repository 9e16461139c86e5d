//! W3C VC Data Model 2.0 secured with JOSE (`vc+jwt`), SD-JWT (`vc+sd-jwt`) or COSE
//! (`application/vc+cose`), per VC-JOSE-COSE; presentations (`vp+…`) with enveloped credentials.

use crate::data_model::{self as dm, is_url};
use crate::jws::{self, Part};
use crate::{Artifact, Context, Findings, Format, now_note, sd_jwt, table as rules};
use dialtone_engine::model::Outcome;
use dialtone_protocols::cose::{HEADER_TYP, Sign1};
use dialtone_protocols::jose::{CompactJws, is_asymmetric_alg};
use dialtone_protocols::public_key::SetKey;
use dialtone_protocols::sdjwt::{Processed, SdJwt, SdJwtError};
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
    Jws(Box<CompactJws>),
    SdJwt(Box<SdJwtBody>),
    Cose(Box<Sign1>),
}

/// An SD-JWT and its processing (RFC 9901 §7.1), done once for every rule that reads it; the
/// processed claims are the [`Secured::document`], not kept here a second time.
struct SdJwtBody {
    sd: SdJwt,
    processed: Result<Processed, SdJwtError>,
}

/// Opens the securing envelope. The error says what the bytes were instead.
pub fn open(bytes: &[u8], format: Format) -> Result<Secured, Outcome> {
    let text = crate::text_of(bytes).trim().to_string();
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
                body: Body::Jws(Box::new(jws)),
            })
        }
        Format::VcSdJwt => {
            let sd = SdJwt::parse(&text).map_err(|e| Outcome::fail("an SD-JWT (RFC 9901 §4)", e.to_string()))?;
            let claims = sd.issuer_jwt.payload.clone();
            let mut processed = sd.process();
            let document = match &mut processed {
                Ok(p) => Value::Object(std::mem::take(&mut p.claims)),
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
                body: Body::SdJwt(Box::new(SdJwtBody { sd, processed })),
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
            Body::SdJwt(b) => ctx.keys.verify(
                alg,
                self.kid.as_deref(),
                b.sd.issuer_jwt.signing_input.as_bytes(),
                &b.sd.issuer_jwt.signature,
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
    let secured = judge_opened(&mut f, artifact, format, ctx);
    // The evidence goes with the rows that need attention: none, none is written.
    if f.needs_evidence() {
        f.artifact("artifact (as received)", &String::from_utf8_lossy(artifact.first()));
        if let Some(secured) = &secured {
            f.artifact("document", &secured.document.to_string());
        }
    }
    f
}

/// Every rule over the artifact; its envelope when it opens.
fn judge_opened(f: &mut Findings, artifact: &Artifact, format: Format, ctx: &Context) -> Option<Secured> {
    let secured = match open(artifact.first(), format) {
        Ok(s) => s,
        Err(o) => {
            f.set(&rules::VC_001, o);
            return None;
        }
    };
    f.set(
        &rules::VC_001,
        Outcome::pass(format!("{} envelope opened; typ {:?}, alg {:?}", format.name(), secured.typ, secured.alg)),
    );
    judge(f, &secured, ctx, 0);
    Some(secured)
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
    let sd_broken = matches!(&s.body, Body::SdJwt(b) if b.processed.is_err());
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
        f.set(&rules::VC_026, Outcome::skip(why));
    }
    f.set(
        &rules::VC_017,
        match &s.body {
            Body::SdJwt(b) => match &b.processed {
                Ok(p) => Outcome::pass(format!(
                    "{} disclosures match {} digests",
                    b.sd.disclosures.len(),
                    p.embedded_digests
                )),
                Err(e) => Outcome::fail("disclosures that process (RFC 9901 §7.1)", e.to_string()),
            },
            _ => Outcome::skip("not secured with SD-JWT"),
        },
    );
    f.set(
        &rules::VC_018,
        match s.securing {
            Format::VcCose => Outcome::skip("COSE: no JWT time claims"),
            _ => jwt_times(&s.claims, ctx),
        },
    );
    document_values(f, s, presentation);
    securing_rules(f, s, ctx);
}

/// VC-018: `iat`, `exp` and `nbf` are NumericDates (RFC 7519 §4.1.4–§4.1.6); the current time is
/// before `exp` and not before `nbf` (with the clock skew SD-JWT VC's rules allow).
fn jwt_times(claims: &Map<String, Value>, ctx: &Context) -> Outcome {
    let bad: Vec<String> = ["iat", "exp", "nbf"]
        .into_iter()
        .filter_map(|c| claims.get(c).filter(|v| !v.is_i64()).map(|v| format!("{c} = {v}")))
        .collect();
    if !bad.is_empty() {
        return Outcome::fail("iat, exp and nbf as NumericDate (seconds since the epoch)", bad.join(", "));
    }
    let time = |c: &str| claims.get(c).and_then(Value::as_i64);
    let observed = format!("iat={:?} exp={:?} nbf={:?}; {}", time("iat"), time("exp"), time("nbf"), now_note(ctx));
    if time("exp").is_some_and(|exp| exp <= ctx.now) {
        return Outcome::fail("a JWT whose exp has not passed (RFC 7519 §4.1.4)", observed);
    }
    if time("nbf").is_some_and(|nbf| nbf > ctx.now + crate::sd_jwt_vc::rule::CLOCK_SKEW) {
        return Outcome::fail("a JWT whose nbf has come (RFC 7519 §4.1.5)", observed);
    }
    Outcome::pass(observed)
}

/// The data model's value rules, for credentials and presentations alike.
fn document_values(f: &mut Findings, s: &Secured, presentation: bool) {
    let doc = &s.document;
    f.set(
        &rules::VC_022,
        listed(
            dm::url_values(doc),
            "every id a single URL; holder and @context entries URLs (VC-DM-2.0 §4.4)",
            "every id, holder and @context entry a URL",
        ),
    );
    f.set(
        &rules::VC_023,
        listed(
            dm::type_values(doc),
            "type values that are terms or absolute URLs (VC-DM-2.0 §4.5)",
            "every type value a term or an absolute URL",
        ),
    );
    f.set(
        &rules::VC_024,
        listed(
            dm::language_values(doc),
            "name and description as strings or language value objects holding only @value, @language and @direction (VC-DM-2.0 §4.6, §11.1)",
            "name, description and language value objects as §11.1 defines them",
        ),
    );
    let tags = dm::ill_formed_languages(doc);
    f.set(
        &rules::VC_025,
        if tags.is_empty() {
            Outcome::pass("every @language a well-formed BCP 47 tag")
        } else {
            Outcome::fail("@language values that are well-formed BCP 47 language tags", format!("{tags:?}"))
        },
    );
    f.set(&rules::VC_027, did_kid(s, presentation));
    f.set(
        &rules::VC_029,
        listed(
            dm::related_resources(doc),
            "relatedResource objects with a unique id and a digestSRI or digestMultibase (VC-DM-2.0 §5.3)",
            "relatedResource absent or as §5.3 defines it",
        ),
    );
}

/// VC-027: when the issuer (a presentation's holder) is a DID, its key is a DID URL, so `kid` is
/// present (VC-JOSE-COSE §4.1.1); without `iss`, a `kid` that names a verification method of a
/// controlled identifier document (a URL reference: it has a `#` or a scheme) is an absolute URL
/// (§4.3). A `kid` of another kind (a JWK thumbprint) says the key was not found through such a
/// document, to which §4.3 then does not apply.
fn did_kid(s: &Secured, presentation: bool) -> Outcome {
    let who = if presentation { holder_id(&s.document) } else { s.issuer_id() };
    let Some(did) = who.filter(|w| w.starts_with("did:")) else {
        return Outcome::skip(format!("the {} is not a DID ({who:?})", if presentation { "holder" } else { "issuer" }));
    };
    let iss = s.securing != Format::VcCose && s.claims.contains_key("iss");
    match s.kid.as_deref() {
        None => Outcome::fail(format!("a kid: the key of {did} is a DID URL (VC-JOSE-COSE §4.1.1)"), "no kid"),
        Some(kid) if !iss && (kid.contains('#') || kid.contains(':')) && !is_url(kid) => Outcome::fail(
            "without iss, a kid that is an absolute URL to the verification method (VC-JOSE-COSE §4.3)",
            format!("kid {kid:?}"),
        ),
        Some(kid) => Outcome::pass(format!("kid {kid:?} for {did}")),
    }
}

/// The JOSE header and JWT claims rules (JWS and SD-JWT), the SD-JWT rules, and VC-028.
fn securing_rules(f: &mut Findings, s: &Secured, ctx: &Context) {
    let parts: Vec<Part<'_>> = match &s.body {
        Body::Jws(jws) => vec![Part { label: "JWS", jws }],
        Body::SdJwt(b) => {
            let mut p = vec![Part { label: "Issuer-signed JWT", jws: &b.sd.issuer_jwt }];
            if let Some(kb) = &b.sd.kb_jwt {
                p.push(Part { label: "Key Binding JWT", jws: kb });
            }
            p
        }
        Body::Cose(_) => Vec::new(),
    };
    match &s.body {
        Body::Cose(sign1) => f.set(&rules::COSE_HDR_001, crate::cose_header::critical(sign1)),
        _ => f.set(&rules::COSE_HDR_001, Outcome::skip("secured with JOSE: JOSE-HDR-001 judges its crit")),
    }
    if parts.is_empty() {
        for rule in
            [&rules::JOSE_HDR_001, &rules::JOSE_HDR_002, &rules::JOSE_HDR_003, &rules::JWT_CLM_001, &rules::JWT_CLM_002]
        {
            f.set(rule, Outcome::skip("COSE: no JOSE header or JWT claims set"));
        }
    } else {
        f.set(&rules::JOSE_HDR_001, jws::critical(&parts));
        f.set(&rules::JOSE_HDR_002, jws::unique_header_names(&parts));
        let known = |j: &CompactJws| {
            ctx.keys.verify(j.alg().unwrap_or_default(), None, j.signing_input.as_bytes(), &j.signature).is_ok()
        };
        f.set(&rules::JOSE_HDR_003, jws::registered_values(&parts, &known));
        f.set(&rules::JWT_CLM_001, jws::unique_claim_names(&parts));
        f.set(&rules::JWT_CLM_002, jws::audience(&parts[..1], ctx.aud.as_deref()));
    }
    match &s.body {
        Body::SdJwt(b) => {
            f.set(&rules::SDJWT_001, sd_jwt::reserved_names(&b.sd));
            f.set(&rules::SDJWT_002, sd_jwt::salts_unique(&b.sd));
            f.set(&rules::SDJWT_003, sd_jwt::disclosures_once(&b.sd));
            f.set(&rules::VC_028, validation_properties_in_clear(&b.processed));
        }
        _ => {
            for rule in [&rules::SDJWT_001, &rules::SDJWT_002, &rules::SDJWT_003, &rules::VC_028] {
                f.set(rule, Outcome::skip("not secured with SD-JWT"));
            }
        }
    }
}

/// Properties VC-JOSE-COSE §3.2.1 names as needed to validate a credential.
const VALIDATION_PROPERTIES: &[&str] = &["@context", "type", "credentialStatus", "credentialSchema", "relatedResource"];

/// VC-028: the properties a verifier needs to validate the credential are disclosed, not
/// selectively disclosable (VC-JOSE-COSE §3.2.1, §3.2.2: SHOULD).
fn validation_properties_in_clear(processed: &Result<Processed, SdJwtError>) -> Outcome {
    let Ok(processed) = processed else {
        return Outcome::skip("not reached: the disclosures do not process (VC-017)");
    };
    let hidden: Vec<&str> = VALIDATION_PROPERTIES.iter().copied().filter(|p| processed.is_disclosed(&[p])).collect();
    if hidden.is_empty() {
        Outcome::pass(format!("none of {VALIDATION_PROPERTIES:?} selectively disclosable"))
    } else {
        Outcome::fail(format!("{VALIDATION_PROPERTIES:?} in clear"), format!("selectively disclosable: {hidden:?}"))
    }
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
    if !ok {
        return Outcome::fail(
            "a non-empty credentialSubject object (or array of them)",
            format!("{:?}", doc.get("credentialSubject")),
        );
    }
    let idle = dm::subjects_without_claims(doc);
    if idle.is_empty() {
        Outcome::pass("credentialSubject holds claims")
    } else {
        Outcome::fail(
            "each credentialSubject object the subject of one or more claims (VC-DM-2.0 §4.8)",
            idle.join("; "),
        )
    }
}

/// The data model's value rules (VC-022 to VC-024, VC-029) for one document: their problems.
pub fn value_problems(doc: &Value) -> Vec<String> {
    let mut problems = dm::url_values(doc);
    problems.extend(dm::type_values(doc));
    problems.extend(dm::language_values(doc));
    problems.extend(dm::related_resources(doc));
    problems
}

fn listed(problems: Vec<String>, expected: &str, passed: &str) -> Outcome {
    if problems.is_empty() { Outcome::pass(passed) } else { Outcome::fail(expected, problems.join("; ")) }
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

/// Whether an envelope's `@context` includes the base context, which defines `id`, `type` and
/// `EnvelopedVerifiableCredential` (VC-DM-2.0 §4.13.1).
fn has_base_context(envelope: &Value) -> bool {
    match envelope.get("@context") {
        Some(Value::String(c)) => c == V2_CONTEXT,
        Some(Value::Array(a)) => a.iter().any(|c| c.as_str() == Some(V2_CONTEXT)),
        _ => false,
    }
}

/// VC-026: each opened credential judged as a credential of its own (the data model and its
/// securing rules); its signature is VC-016's, so the signature and key rules are left out here.
fn inner_data_model(opened: &[(usize, Option<Secured>)], ctx: &Context, depth: usize) -> Outcome {
    let mut judged = Vec::new();
    let mut problems = Vec::new();
    for (i, inner) in opened {
        let Some(inner) = inner else { continue };
        let mut inner_f = Findings::new(rules::VC);
        judge(&mut inner_f, inner, ctx, depth + 1);
        let failed: Vec<String> = inner_f
            .finish()
            .0
            .into_iter()
            .filter(|(r, o)| {
                r.level == dialtone_engine::model::Level::Must
                    && r.id != rules::VC_005.id
                    && r.id != rules::VC_006.id
                    && matches!(o, Outcome::Fail { .. })
            })
            .map(|(r, o)| match o {
                Outcome::Fail { observed, .. } => format!("{} ({observed})", r.id),
                _ => r.id.to_string(),
            })
            .collect();
        if failed.is_empty() {
            judged.push(format!("[{i}]"));
        } else {
            problems.push(format!("verifiableCredential[{i}]: {}", failed.join("; ")));
        }
    }
    if !problems.is_empty() {
        Outcome::fail("enveloped credentials that pass every MUST rule for a credential", problems.join(" | "))
    } else if judged.is_empty() {
        Outcome::skip("no enveloped credential dialtone opens as a W3C VC (an SD-JWT VC is checked on its own)")
    } else {
        Outcome::pass(format!("the credentials {} pass every MUST rule for a credential", judged.join(", ")))
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
            f.set(&rules::VC_026, Outcome::skip("the presentation carries no credentials"));
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
        if !has_base_context(e) {
            f.set(
                &rules::VC_015,
                Outcome::fail(
                    format!(
                        "an EnvelopedVerifiableCredential whose @context includes {V2_CONTEXT} (VC-DM-2.0 §4.13.1)"
                    ),
                    format!("verifiableCredential[{i}].@context {:?}", e.get("@context")),
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
        if format == Format::VcCose && !base64 {
            f.set(
                &rules::VC_015,
                Outcome::fail(
                    "a COSE credential in a data: URL encoded with base64 (;base64, RFC 2397; VC-JOSE-COSE §3.3.1)",
                    format!("verifiableCredential[{i}] media type {media:?} without ;base64"),
                ),
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
        f.set(&rules::VC_026, Outcome::skip("envelopes nested too deep to judge"));
        return;
    }
    f.set(&rules::VC_026, inner_data_model(&opened, ctx, depth));
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
