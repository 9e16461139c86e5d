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

fn sign_jose(key: &EcKey, header: &Value, doc: &Value) -> String {
    let input = format!("{}.{}", b64::encode(header.to_string()), b64::encode(doc.to_string()));
    key.sign_input(&input)
}

fn jose_vc(key: &EcKey, doc: &Value) -> String {
    sign_jose(key, &jose_header(key, "vc+jwt"), doc)
}

fn cose_vc(key: &EcKey, doc: &Value, typ: &str, cty: &str) -> String {
    let spec = Sign1Spec {
        content_type: Some(cty.into()),
        typ: Some(typ.into()),
        kid: Some(key.thumbprint().into_bytes()),
        x5chain: Vec::new(),
        tagged: true,
    };
    b64::encode_std(cose::sign1_es256(key, &spec, doc.to_string().into_bytes()))
}

fn sd_vc(key: &EcKey, doc: &Value, typ: &str) -> String {
    let rules = ConcealRules::new(&[&["credentialSubject", "given_name"], &["credentialSubject", "birthdate"]]);
    let concealed =
        sdjwt::conceal(doc.as_object().unwrap_or(&Default::default()), &rules, HashAlg::Sha256, &Entropy::seeded(13));
    let header = json!({"alg": "ES256", "typ": typ, "cty": "vc", "kid": key.thumbprint()});
    let jwt = sign_jose(key, &header, &Value::Object(concealed.payload));
    sdjwt::serialize(&jwt, &concealed.disclosures)
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
        "holder": "did:example:elodie",
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
                &jose_header(&holder, "vp+jwt"),
                &presentation(vec![envelope("application/vc+jwt", &valid)]),
            )),
            &[],
        ),
        case(
            "a presentation with a credential object that is not enveloped",
            &["jose", "Presentation"],
            one(sign_jose(&holder, &jose_header(&holder, "vp+jwt"), &presentation(vec![credential()]))),
            &["VC-015"],
        ),
        case(
            "an envelope of media type text/plain",
            &["jose", "Presentation"],
            one(sign_jose(
                &holder,
                &jose_header(&holder, "vp+jwt"),
                &presentation(vec![envelope("text/plain", &valid)]),
            )),
            &["VC-015"],
        ),
        case(
            "an enveloped credential whose signature was altered",
            &["jose", "Presentation", "SignatureTampered"],
            one(sign_jose(
                &holder,
                &jose_header(&holder, "vp+jwt"),
                &presentation(vec![envelope("application/vc+jwt", &flip_last_segment(&valid))]),
            )),
            &["VC-016"],
        ),
        case(
            "an enveloped credential that is not a JWS",
            &["jose", "Presentation"],
            one(sign_jose(
                &holder,
                &jose_header(&holder, "vp+jwt"),
                &presentation(vec![envelope("application/vc+jwt", "not-a-credential")]),
            )),
            &["VC-021"],
        ),
        case(
            "a presentation with typ vc+jwt",
            &["jose", "Presentation", "MediaType"],
            one(sign_jose(
                &holder,
                &jose_header(&holder, "vc+jwt"),
                &presentation(vec![envelope("application/vc+jwt", &valid)]),
            )),
            &["VC-002", "VC-003"],
        ),
    ];
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
            cose_vc(
                &holder,
                &presentation(vec![envelope("application/vc+cose;base64", &cose_valid)]),
                "application/vp+cose",
                "application/vp",
            ),
            &[],
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
    ]);
    let group = TestGroup {
        comment: "W3C VC 2.0 credentials and presentations, judged with the issuer's keys and a trust list".into(),
        keys: json!({"keys": [build::public_with_kid(&key), build::public_with_kid(&other), build::public_with_kid(&holder), build::public_of(&ed)]}),
        trust: Some(build::trust(&[
            (ISSUER, vec![build::public_with_kid(&key), build::public_of(&ed)]),
            ("https://other.dialtone.example", vec![build::public_with_kid(&other)]),
            ("did:example:elodie", vec![build::public_with_kid(&holder)]),
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
            ("TimeClaims", "JWT time claims that are not NumericDates (a SHOULD: acceptable)"),
            ("Presentation", "a verifiable presentation"),
            ("Encoding", "not the encoding the media type requires"),
            ("Structure", "an envelope whose payload is not a document"),
            ("Hostile", "input built to exhaust a parser"),
            ("UnreferencedDisclosure", "a disclosure whose digest is nowhere in the payload"),
        ]),
        test_groups: vec![group],
    }
}
