//! W3C VC 2.0 vectors secured with JOSE, COSE and SD-JWT (one file; the flag `jose`, `cose` or
//! `sd-jwt` says which).

use crate::build::{self, DAY};
use crate::sd_jwt_vc::notes;
use crate::{TestGroup, VectorFile, case};
use dialtone_protocols::b64;
use dialtone_protocols::cose::{self, Sign1Spec};
use dialtone_protocols::jose::{self, EcKey};
use dialtone_protocols::sdjwt::{self, ConcealRules, HashAlg};
use dialtone_protocols::seed::Entropy;
use dialtone_rules::Format;
use serde_json::{Value, json};

const ISSUER: &str = "https://issuer.dialtone.example";
/// The holder of the presentations: a DID, so its key is named by a DID URL (VC-JOSE-COSE §4.1.1).
const HOLDER: &str = "did:example:elodie";
/// An issuer identified by a DID (VC-JOSE-COSE §4.1.1, §4.3).
const DID_ISSUER: &str = "did:example:dialtone-issuer";

pub fn format_of(flags: &[String]) -> Option<Format> {
    if flags.iter().any(|f| f == "cose") {
        Some(Format::VcCose)
    } else if flags.iter().any(|f| f == "sd-jwt") {
        Some(Format::VcSdJwt)
    } else {
        Some(Format::VcJose)
    }
}

fn credential() -> Value {
    let now = build::now();
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
        "id": "urn:uuid:7f1d1f52-3a3e-4a4b-9a55-2d0b8a0c0001",
        "type": ["VerifiableCredential", "VerifiedPersonCredential"],
        "issuer": ISSUER,
        "validFrom": build::rfc3339(now - DAY),
        "validUntil": build::rfc3339(now + 365 * DAY),
        "credentialSubject": {
            "id": "did:example:elodie",
            "given_name": "ᓄᓇᕗᑦ E\u{301}lodie",
            "family_name": "Kʼómoks-Tremblay",
            "birthdate": "1990-07-01"
        },
        "credentialStatus": {
            "id": "https://issuer.dialtone.example/status/1#7",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "7",
            "statusListCredential": "https://issuer.dialtone.example/status/1"
        }
    })
}

fn jose_header(key: &EcKey, typ: &str) -> Value {
    json!({"alg": "ES256", "typ": typ, "cty": if typ.starts_with("vp") { "vp" } else { "vc" }, "kid": key.thumbprint()})
}

/// A presentation's header: the holder's key named by a DID URL.
fn holder_header(key: &EcKey, typ: &str) -> Value {
    let mut header = jose_header(key, typ);
    header["kid"] = json!(format!("{HOLDER}#{}", key.thumbprint()));
    header
}

fn sign_jose(key: &EcKey, header: &Value, doc: &Value) -> String {
    let input = format!("{}.{}", b64::encode(header.to_string()), b64::encode(doc.to_string()));
    key.sign_input(&input)
}

fn jose_vc(key: &EcKey, doc: &Value) -> String {
    sign_jose(key, &jose_header(key, "vc+jwt"), doc)
}

fn cose_vc(key: &EcKey, doc: &Value, typ: &str, cty: &str) -> String {
    cose_with_kid(key, doc, typ, cty, &key.thumbprint())
}

fn cose_with_kid(key: &EcKey, doc: &Value, typ: &str, cty: &str, kid: &str) -> String {
    let spec = Sign1Spec {
        content_type: Some(cty.into()),
        typ: Some(typ.into()),
        kid: Some(kid.as_bytes().to_vec()),
        tagged: true,
        ..Default::default()
    };
    b64::encode_std(cose::sign1_es256(key, &spec, doc.to_string().into_bytes()))
}

fn sd_vc_with(key: &EcKey, doc: &Value, paths: &[&[&str]]) -> String {
    let concealed = sdjwt::conceal(
        doc.as_object().unwrap_or(&Default::default()),
        &ConcealRules::new(paths),
        HashAlg::Sha256,
        &Entropy::seeded(13),
    );
    let header = json!({"alg": "ES256", "typ": "vc+sd-jwt", "cty": "vc", "kid": key.thumbprint()});
    let jwt = sign_jose(key, &header, &Value::Object(concealed.payload));
    sdjwt::serialize(&jwt, &concealed.disclosures)
}

fn sd_vc(key: &EcKey, doc: &Value, typ: &str) -> String {
    let rules = ConcealRules::new(&[&["credentialSubject", "given_name"], &["credentialSubject", "birthdate"]]);
    let concealed =
        sdjwt::conceal(doc.as_object().unwrap_or(&Default::default()), &rules, HashAlg::Sha256, &Entropy::seeded(13));
    let header = json!({"alg": "ES256", "typ": typ, "cty": "vc", "kid": key.thumbprint()});
    let jwt = sign_jose(key, &header, &Value::Object(concealed.payload));
    sdjwt::serialize(&jwt, &concealed.disclosures)
}

fn cose_vp(holder: &EcKey, doc: &Value) -> String {
    cose_with_kid(holder, doc, "application/vp+cose", "application/vp", &format!("{HOLDER}#{}", holder.thumbprint()))
}

fn with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut c = credential();
    edit(&mut c);
    c
}

fn presentation(entries: Vec<Value>) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER,
        "verifiableCredential": entries
    })
}

fn envelope(media: &str, data: &str) -> Value {
    json!({"@context": "https://www.w3.org/ns/credentials/v2", "type": "EnvelopedVerifiableCredential", "id": format!("data:{media},{data}")})
}

fn flip_last_segment(jws: &str) -> String {
    let (head, sig) = jws.rsplit_once('.').unwrap_or((jws, ""));
    let mut bytes = b64::decode(sig).unwrap_or_default();
    if let Some(b) = bytes.get_mut(5) {
        *b ^= 0x01;
    }
    format!("{head}.{}", b64::encode(bytes))
}

pub fn file() -> VectorFile {
    let key = build::key("vc/issuer");
    let other = build::key("vc/other-issuer");
    let unknown = build::key("vc/unknown");
    let holder = build::key("vc/holder");
    let ed = build::ed25519_private("vc/issuer-ed25519");
    let one = |s: String| vec![s];
    let valid = jose_vc(&key, &credential());
    let jose = |c: &str, f: &[&str], doc: Value, failed: &[&str]| {
        let mut flags = vec!["jose"];
        flags.extend_from_slice(f);
        case(c, &flags, one(jose_vc(&key, &doc)), failed)
    };
    let mut tests = vec![
        case("a valid vc+jwt (ES256)", &["jose", "Valid"], one(valid.clone()), &[]),
        case(
            "a valid vc+jwt signed with Ed25519 (EdDSA)",
            &["jose", "Valid"],
            one({
                let header = json!({"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": ed["kid"]});
                jose::sign_compact("EdDSA", &ed, &header, credential().to_string().as_bytes()).unwrap_or_default()
            }),
            &[],
        ),
        jose("valid: iss equal to issuer", &["Valid"], with(|c| c["iss"] = json!(ISSUER)), &[]),
        jose(
            "valid: issuer as an object with an id",
            &["Valid"],
            with(|c| c["issuer"] = json!({"id": ISSUER, "name": "Nunavut"})),
            &[],
        ),
        jose(
            "valid: validFrom with a -05:00 offset and fractional seconds",
            &["Valid"],
            with(|c| c["validFrom"] = json!("2026-05-30T19:00:00.250-05:00")),
            &[],
        ),
        case(
            "an unsecured credential (no integrity protection)",
            &["jose", "Unsecured"],
            one(credential().to_string()),
            &["VC-001"],
        ),
        case(
            "typ JWT",
            &["jose", "MediaType"],
            one(sign_jose(&key, &json!({"alg": "ES256", "typ": "JWT", "kid": key.thumbprint()}), &credential())),
            &["VC-002"],
        ),
        case(
            "no typ",
            &["jose", "MediaType"],
            one(sign_jose(&key, &json!({"alg": "ES256", "kid": key.thumbprint()}), &credential())),
            &["VC-002"],
        ),
        case(
            "cty ld+json",
            &["jose", "MediaType"],
            one(sign_jose(&key, &json!({"alg": "ES256", "typ": "vc+jwt", "cty": "ld+json"}), &credential())),
            &["VC-003"],
        ),
        case(
            "alg none, empty signature",
            &["jose", "WeakAlgorithm"],
            one(format!(
                "{}.{}.",
                b64::encode(json!({"alg": "none", "typ": "vc+jwt"}).to_string()),
                b64::encode(credential().to_string())
            )),
            &["VC-004", "VC-005"],
        ),
        case(
            "signature altered in one bit",
            &["jose", "SignatureTampered"],
            one(flip_last_segment(&valid)),
            &["VC-005"],
        ),
        case(
            "signed by a key the verifier does not know",
            &["jose", "UnknownKey"],
            one(jose_vc(&unknown, &credential())),
            &["VC-005"],
        ),
        case(
            "signed by a real key of another issuer",
            &["jose", "WrongIssuerKey"],
            one(jose_vc(&other, &credential())),
            &["VC-006"],
        ),
        jose(
            "no @context",
            &["DataModel"],
            with(|c| {
                c.as_object_mut().map(|o| o.remove("@context"));
            }),
            &["VC-007", "VC-008"],
        ),
        jose(
            "the VC 1.1 context first",
            &["DataModel"],
            with(|c| {
                c["@context"] =
                    json!(["https://www.w3.org/2018/credentials/v1", "https://www.w3.org/ns/credentials/v2"])
            }),
            &["VC-008"],
        ),
        jose(
            "type without VerifiableCredential",
            &["DataModel"],
            with(|c| c["type"] = json!(["VerifiedPersonCredential"])),
            &["VC-009"],
        ),
        jose(
            "issuer is not a URL",
            &["DataModel"],
            with(|c| c["issuer"] = json!("Government of Nunavut")),
            &["VC-010", "VC-006"],
        ),
        jose(
            "validFrom after validUntil",
            &["Validity"],
            with(|c| {
                c["validFrom"] = json!(build::rfc3339(build::now() + 2 * DAY));
                c["validUntil"] = json!(build::rfc3339(build::now() + DAY));
            }),
            &["VC-011"],
        ),
        jose(
            "validUntil passed",
            &["Validity"],
            with(|c| c["validUntil"] = json!(build::rfc3339(build::now() - 1))),
            &["VC-011"],
        ),
        jose(
            "validFrom in the future",
            &["Validity"],
            with(|c| c["validFrom"] = json!(build::rfc3339(build::now() + DAY))),
            &["VC-011"],
        ),
        jose(
            "validFrom without a timezone",
            &["Validity"],
            with(|c| c["validFrom"] = json!("2026-05-31T00:00:00")),
            &["VC-007", "VC-011"],
        ),
        jose(
            "iss differs from issuer",
            &["IssuerMismatch"],
            with(|c| c["iss"] = json!("https://elsewhere.dialtone.example")),
            &["VC-012"],
        ),
        jose("a vc claim in the claims set", &["VcVpClaims"], with(|c| c["vc"] = json!({"legacy": true})), &["VC-013"]),
        jose(
            "credentialStatus without a type",
            &["Status"],
            with(|c| {
                c["credentialStatus"].as_object_mut().map(|o| o.remove("type"));
            }),
            &["VC-007", "VC-014"],
        ),
        jose(
            "credentialStatus id that is not a URL",
            &["Status"],
            with(|c| c["credentialStatus"]["id"] = json!("status 7")),
            &["VC-014"],
        ),
        jose(
            "an empty credentialSubject",
            &["DataModel"],
            with(|c| c["credentialSubject"] = json!({})),
            &["VC-007", "VC-019", "VC-020"],
        ),
        jose(
            "the profile's birthdate missing",
            &["Profile"],
            with(|c| {
                c["credentialSubject"].as_object_mut().map(|o| o.remove("birthdate"));
            }),
            &["VC-020"],
        ),
        jose(
            "iat as an RFC 3339 string",
            &["TimeClaims"],
            with(|c| c["iat"] = json!("2026-05-31T00:00:00Z")),
            &["VC-018"],
        ),
        case(
            "a valid vp+jwt enveloping a vc+jwt",
            &["jose", "Valid", "Presentation"],
            one(sign_jose(
                &holder,
                &holder_header(&holder, "vp+jwt"),
                &presentation(vec![envelope("application/vc+jwt", &valid)]),
            )),
            &[],
        ),
        case(
            "a presentation with a credential object that is not enveloped",
            &["jose", "Presentation"],
            one(sign_jose(&holder, &holder_header(&holder, "vp+jwt"), &presentation(vec![credential()]))),
            &["VC-015"],
        ),
        case(
            "an envelope of media type text/plain",
            &["jose", "Presentation"],
            one(sign_jose(
                &holder,
                &holder_header(&holder, "vp+jwt"),
                &presentation(vec![envelope("text/plain", &valid)]),
            )),
            &["VC-015"],
        ),
        case(
            "an enveloped credential whose signature was altered",
            &["jose", "Presentation", "SignatureTampered"],
            one(sign_jose(
                &holder,
                &holder_header(&holder, "vp+jwt"),
                &presentation(vec![envelope("application/vc+jwt", &flip_last_segment(&valid))]),
            )),
            &["VC-016"],
        ),
        case(
            "an enveloped credential that is not a JWS",
            &["jose", "Presentation"],
            one(sign_jose(
                &holder,
                &holder_header(&holder, "vp+jwt"),
                &presentation(vec![envelope("application/vc+jwt", "not-a-credential")]),
            )),
            &["VC-021"],
        ),
        case(
            "a presentation with typ vc+jwt",
            &["jose", "Presentation", "MediaType"],
            one(sign_jose(
                &holder,
                &holder_header(&holder, "vc+jwt"),
                &presentation(vec![envelope("application/vc+jwt", &valid)]),
            )),
            &["VC-002", "VC-003"],
        ),
    ];
    let vp = |entries: Vec<Value>| sign_jose(&holder, &holder_header(&holder, "vp+jwt"), &presentation(entries));
    tests.extend([
        jose(
            "valid: a name in two languages, a description, a subject with a type",
            &["Valid"],
            with(|c| {
                c["name"] = json!([{"@value": "Personne vérifiée", "@language": "fr-CA", "@direction": "ltr"}, {"@value": "ᐃᓄᒃ", "@language": "iu-Cans-CA"}]);
                c["description"] = json!("A verified person");
                c["credentialSubject"]["type"] = json!("Person");
            }),
            &[],
        ),
        case(
            "valid: an issuer identified by a DID, its key named by a DID URL",
            &["jose", "Valid"],
            one(sign_jose(
                &key,
                &json!({"alg": "ES256", "typ": "vc+jwt", "kid": format!("{DID_ISSUER}#key-1")}),
                &with(|c| c["issuer"] = json!(DID_ISSUER)),
            )),
            &[],
        ),
        jose("exp passed a second ago", &["TimeClaims"], with(|c| c["exp"] = json!(build::now() - 1)), &["VC-018"]),
        jose(
            "a subject stating no claim, only its id",
            &["DataModel"],
            with(|c| c["credentialSubject"] = json!({"id": "did:example:elodie"})),
            &["VC-019", "VC-020"],
        ),
        jose(
            "credentialSubject.id is an array of two DIDs",
            &["UrlValue"],
            with(|c| c["credentialSubject"]["id"] = json!(["did:example:elodie", "did:example:other"])),
            &["VC-022"],
        ),
        jose("the credential's id is not a URL", &["UrlValue"], with(|c| c["id"] = json!("credential 1")), &["VC-022"]),
        jose(
            "credentialSchema.id is not a URL",
            &["UrlValue"],
            with(|c| c["credentialSchema"] = json!({"id": "verified-person.json", "type": "JsonSchema"})),
            &["VC-022"],
        ),
        jose(
            "a second @context entry that is not a URL",
            &["UrlValue"],
            with(|c| c["@context"] = json!(["https://www.w3.org/ns/credentials/v2", "examples v2"])),
            &["VC-022"],
        ),
        jose(
            "a type value with a space",
            &["TypeValue"],
            with(|c| c["type"] = json!(["VerifiableCredential", "VerifiedPersonCredential", "Verified Person"])),
            &["VC-023"],
        ),
        jose(
            "a language value object with a member besides @value, @language and @direction",
            &["ValueObject"],
            with(|c| c["name"] = json!({"@value": "Verified person", "@language": "en", "tooltip": "shown on hover"})),
            &["VC-024"],
        ),
        jose(
            "@direction down",
            &["ValueObject"],
            with(|c| c["description"] = json!({"@value": "A verified person", "@direction": "down"})),
            &["VC-024"],
        ),
        jose(
            "@language en_CA (an underscore: not a BCP 47 tag)",
            &["ValueObject"],
            with(|c| c["name"] = json!({"@value": "Verified person", "@language": "en_CA"})),
            &["VC-025"],
        ),
        jose(
            "a relatedResource without a digest",
            &["DataModel"],
            with(|c| c["relatedResource"] = json!([{"id": "https://www.w3.org/ns/credentials/v2"}])),
            &["VC-029"],
        ),
        jose(
            "valid: a relatedResource pinning the base context with digestSRI",
            &["Valid"],
            with(|c| {
                c["relatedResource"] = json!([{
                    "id": "https://www.w3.org/ns/credentials/v2",
                    "digestSRI": "sha384-Ml/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU",
                }])
            }),
            &[],
        ),
        case(
            "an issuer identified by a DID and no kid",
            &["jose", "KeyId"],
            one(sign_jose(
                &key,
                &json!({"alg": "ES256", "typ": "vc+jwt"}),
                &with(|c| c["issuer"] = json!(DID_ISSUER)),
            )),
            &["VC-027"],
        ),
        case(
            "an issuer identified by a DID, no iss, and a kid that is a relative reference",
            &["jose", "KeyId"],
            one(sign_jose(
                &key,
                &json!({"alg": "ES256", "typ": "vc+jwt", "kid": "#key-1"}),
                &with(|c| c["issuer"] = json!(DID_ISSUER)),
            )),
            &["VC-027"],
        ),
        case(
            "crit lists an extension parameter dialtone does not understand",
            &["jose", "CriticalHeader"],
            one(sign_jose(
                &key,
                &json!({"alg": "ES256", "typ": "vc+jwt", "kid": key.thumbprint(), "ext": 1, "crit": ["ext"]}),
                &credential(),
            )),
            &["JOSE-HDR-001"],
        ),
        case(
            "the header names alg twice",
            &["jose", "DuplicateName"],
            one(key.sign_input(&format!(
                "{}.{}",
                b64::encode(format!(r#"{{"alg":"ES256","typ":"vc+jwt","kid":"{}","alg":"ES256"}}"#, key.thumbprint())),
                b64::encode(credential().to_string())
            ))),
            &["JOSE-HDR-002"],
        ),
        case(
            "x5c holds a certificate of another key than the signer's",
            &["jose", "HeaderValue"],
            one(sign_jose(
                &key,
                &json!({"alg": "ES256", "typ": "vc+jwt", "kid": key.thumbprint(), "x5c": [b64::encode_std(build::pki("vc/x5c").ds_der)]}),
                &credential(),
            )),
            &["JOSE-HDR-003"],
        ),
        case(
            "the claims set names issuer twice",
            &["jose", "DuplicateName"],
            one(key.sign_input(&format!(
                "{}.{}",
                b64::encode(jose_header(&key, "vc+jwt").to_string()),
                b64::encode(format!(r#"{{"issuer":"{ISSUER}",{}"#, &credential().to_string()[1..]))
            ))),
            &["JWT-CLM-001"],
        ),
        case(
            "an EnvelopedVerifiableCredential without @context",
            &["jose", "Presentation"],
            one(vp(vec![json!({"type": "EnvelopedVerifiableCredential", "id": format!("data:application/vc+jwt,{valid}")})])),
            &["VC-015"],
        ),
        case(
            "a presentation whose enveloped credential has a subject id that is not a URL",
            &["jose", "Presentation", "UrlValue"],
            one(vp(vec![envelope(
                "application/vc+jwt",
                &jose_vc(&key, &with(|c| c["credentialSubject"]["id"] = json!("Élodie"))),
            )])),
            &["VC-026"],
        ),
        case(
            "a presentation whose enveloped credential has expired (validUntil passed)",
            &["jose", "Presentation", "Validity"],
            one(vp(vec![envelope(
                "application/vc+jwt",
                &jose_vc(&key, &with(|c| c["validUntil"] = json!(build::rfc3339(build::now() - 1)))),
            )])),
            &["VC-026"],
        ),
        case(
            "a presentation whose holder is not a URL",
            &["jose", "Presentation", "UrlValue"],
            one(sign_jose(&holder, &holder_header(&holder, "vp+jwt"), &{
                let mut p = presentation(vec![envelope("application/vc+jwt", &valid)]);
                p["holder"] = json!("Élodie K.");
                p
            })),
            &["VC-022", "VC-006"],
        ),
    ]);
    let cose_valid = cose_vc(&key, &credential(), "application/vc+cose", "application/vc");
    let cose = |c: &str, f: &[&str], s: String, failed: &[&str]| {
        let mut flags = vec!["cose"];
        flags.extend_from_slice(f);
        case(c, &flags, one(s), failed)
    };
    tests.extend([
        cose("a valid application/vc+cose, base64", &["Valid"], cose_valid.clone(), &[]),
        cose(
            "valid: an untagged COSE_Sign1",
            &["Valid"],
            {
                let spec = Sign1Spec {
                    content_type: Some("application/vc".into()),
                    typ: Some("application/vc+cose".into()),
                    tagged: false,
                    ..Default::default()
                };
                b64::encode_std(cose::sign1_es256(&key, &spec, credential().to_string().into_bytes()))
            },
            &[],
        ),
        cose(
            "typ application/cose",
            &["MediaType"],
            cose_vc(&key, &credential(), "application/cose", "application/vc"),
            &["VC-002"],
        ),
        cose(
            "content type application/json",
            &["MediaType"],
            cose_vc(&key, &credential(), "application/vc+cose", "application/json"),
            &["VC-003"],
        ),
        cose(
            "signature altered in one bit",
            &["SignatureTampered"],
            {
                let mut bytes = b64::decode_std_any(&cose_valid).unwrap_or_default();
                let n = bytes.len();
                if let Some(b) = bytes.get_mut(n - 5) {
                    *b ^= 1;
                }
                b64::encode_std(bytes)
            },
            &["VC-005"],
        ),
        cose(
            "signed by a key the verifier does not know",
            &["UnknownKey"],
            cose_vc(&unknown, &credential(), "application/vc+cose", "application/vc"),
            &["VC-005"],
        ),
        cose(
            "hex instead of base64",
            &["Encoding"],
            b64::decode_std_any(&cose_valid).unwrap_or_default().iter().map(|b| format!("{b:02x}")).collect(),
            &["VC-001"],
        ),
        cose(
            "a payload that is not JSON",
            &["Structure"],
            {
                let spec = Sign1Spec {
                    content_type: Some("application/vc".into()),
                    typ: Some("application/vc+cose".into()),
                    tagged: true,
                    ..Default::default()
                };
                b64::encode_std(cose::sign1_es256(&key, &spec, b"not json".to_vec()))
            },
            &["VC-001"],
        ),
        cose("CBOR of 100,000 nested arrays", &["Hostile"], b64::encode_std(vec![0x81u8; 100_000]), &["VC-001"]),
        cose(
            "validUntil passed",
            &["Validity"],
            cose_vc(
                &key,
                &with(|c| c["validUntil"] = json!(build::rfc3339(build::now() - 1))),
                "application/vc+cose",
                "application/vc",
            ),
            &["VC-011"],
        ),
        cose(
            "a valid application/vp+cose enveloping a base64 vc+cose",
            &["Valid", "Presentation"],
            cose_vp(&holder, &presentation(vec![envelope("application/vc+cose;base64", &cose_valid)])),
            &[],
        ),
        cose(
            "crit lists an extension parameter dialtone does not understand",
            &["CriticalHeader"],
            {
                let spec = Sign1Spec {
                    content_type: Some("application/vc".into()),
                    typ: Some("application/vc+cose".into()),
                    kid: Some(key.thumbprint().into_bytes()),
                    tagged: true,
                    critical: vec!["ext".into()],
                    ..Default::default()
                };
                b64::encode_std(cose::sign1_es256(&key, &spec, credential().to_string().into_bytes()))
            },
            &["COSE-HDR-001"],
        ),
        cose(
            "a vp+cose whose enveloped vc+cose is not marked ;base64",
            &["Presentation", "Encoding"],
            cose_vp(&holder, &presentation(vec![envelope("application/vc+cose", &cose_valid)])),
            &["VC-015"],
        ),
    ]);
    let sd_valid = sd_vc(&key, &credential(), "vc+sd-jwt");
    let sd = |c: &str, f: &[&str], s: String, failed: &[&str]| {
        let mut flags = vec!["sd-jwt"];
        flags.extend_from_slice(f);
        case(c, &flags, one(s), failed)
    };
    tests.extend([
        sd("a valid vc+sd-jwt with selectively disclosable subject claims", &["Valid"], sd_valid.clone(), &[]),
        sd("typ dc+sd-jwt on a W3C VC", &["MediaType"], sd_vc(&key, &credential(), "dc+sd-jwt"), &["VC-002"]),
        sd(
            "a disclosure no digest references",
            &["UnreferencedDisclosure"],
            {
                let extra = sdjwt::Disclosure::new("c2FsdHNhbHRzYWx0c2FsdA", Some("over_18"), &json!(true));
                format!("{sd_valid}{}~", extra.encoded)
            },
            &["VC-017"],
        ),
        sd(
            "issuer-signed JWT signature altered",
            &["SignatureTampered"],
            {
                let jwt = sd_valid.split('~').next().unwrap_or_default();
                sd_valid.replacen(jwt, &flip_last_segment(jwt), 1)
            },
            &["VC-005"],
        ),
        sd(
            "signed by a real key of another issuer",
            &["WrongIssuerKey"],
            sd_vc(&other, &credential(), "vc+sd-jwt"),
            &["VC-006"],
        ),
        sd(
            "type selectively disclosable",
            &["SelectiveValidation"],
            sd_vc_with(&key, &credential(), &[&["credentialSubject", "given_name"], &["type"]]),
            &["VC-028"],
        ),
        sd(
            "a Disclosure sent twice",
            &["RepeatedDisclosure"],
            {
                let first = sd_valid.split('~').nth(1).unwrap_or_default();
                format!("{sd_valid}{first}~")
            },
            &["SDJWT-003"],
        ),
    ]);
    let group = TestGroup {
        comment: "W3C VC 2.0 credentials and presentations, judged with the issuer's keys and a trust list".into(),
        keys: json!({"keys": [build::public_with_kid(&key), build::public_with_kid(&other), build::public_with_kid(&holder), build::public_of(&ed)]}),
        trust: Some(build::trust(&[
            (ISSUER, vec![build::public_with_kid(&key), build::public_of(&ed)]),
            ("https://other.dialtone.example", vec![build::public_with_kid(&other)]),
            (HOLDER, vec![build::public_with_kid(&holder)]),
            (DID_ISSUER, vec![build::public_with_kid(&key)]),
        ])),
        roots_pem: None,
        now: crate::VECTORS_NOW.into(),
        nonce: None,
        aud: None,
        revocation_lists: Vec::new(),
        tests,
    };
    VectorFile {
        algorithm: "W3C VC Data Model 2.0 secured with JOSE, COSE and SD-JWT (VC-JOSE-COSE)".into(),
        format: "vc-jose".into(),
        generator_version: String::new(),
        number_of_tests: 0,
        header: vec![
            "Generated by `dialtone vectors generate` from dialtone's seeded keys; do not edit by hand.".into(),
            "The flag jose, cose or sd-jwt names the securing mechanism (dialtone check --format vc-jose|vc-cose|vc-sd-jwt).".into(),
        ],
        notes: notes(&[
            ("jose", "secured as vc+jwt / vp+jwt"),
            ("cose", "secured as application/vc+cose (base64)"),
            ("sd-jwt", "secured as vc+sd-jwt"),
            ("Valid", "a conforming artifact"),
            ("Unsecured", "no securing mechanism"),
            ("MediaType", "a wrong typ or cty"),
            ("WeakAlgorithm", "alg none"),
            ("SignatureTampered", "the signature altered after signing"),
            ("UnknownKey", "signed by a key the verifier was not given"),
            ("WrongIssuerKey", "a real key of another issuer"),
            ("DataModel", "a data model MUST broken"),
            ("Validity", "validFrom/validUntil wrong or outside the verification time"),
            ("IssuerMismatch", "iss differs from issuer"),
            ("VcVpClaims", "a vc or vp claim"),
            ("Status", "a malformed credentialStatus"),
            ("Profile", "claims that break the verified-person profile"),
            ("TimeClaims", "JWT time claims that are not NumericDates, or an exp that has passed"),
            ("Presentation", "a verifiable presentation"),
            ("Encoding", "not the encoding the media type requires"),
            ("Structure", "an envelope whose payload is not a document"),
            ("Hostile", "input built to exhaust a parser"),
            ("UnreferencedDisclosure", "a disclosure whose digest is nowhere in the payload"),
            ("UrlValue", "a property whose value must be a URL and is not"),
            ("TypeValue", "a type value that is neither a term nor an absolute URL"),
            ("ValueObject", "a language value object as VC-DM-2.0 §11.1 does not allow"),
            ("KeyId", "a kid missing or relative where VC-JOSE-COSE requires one"),
            ("CriticalHeader", "a crit header parameter naming what the verifier does not understand"),
            ("DuplicateName", "a header parameter or claim named twice"),
            ("HeaderValue", "a registered header parameter that says something false"),
            ("SelectiveValidation", "a property needed for validation made selectively disclosable (a SHOULD: acceptable)"),
            ("RepeatedDisclosure", "a Disclosure sent more than once"),
        ]),
        test_groups: vec![group],
    }
}
