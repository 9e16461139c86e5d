//! SMART Health Card vectors: JWS, `.smart-health-card` files, `shc:/` QR payloads (single and
//! chunked) and a PNG image of a QR code.

use crate::build::{self, DAY};
use crate::sd_jwt_vc::notes;
use crate::shc_images::{self as images, Encoding};
use crate::{TestGroup, VectorFile, case, case_binary, unsupported};
use dialtone_protocols::b64;
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::shc;
use serde_json::{Value, json};

const ISS: &str = "https://shc.dialtone.example/issuer";
/// A rid the issuer's list revokes whatever the card's issuance time.
const REVOKED_ALWAYS: &str = "Rv0kdAlwys-_";
/// A rid the issuer's list revokes for cards issued before [`revoked_before_time`].
const REVOKED_BEFORE: &str = "Rv0kdB4tStmp";

/// The timestamp of the list's entry for [`REVOKED_BEFORE`]: ten days before the vectors' time.
fn revoked_before_time() -> i64 {
    build::now() - 10 * DAY
}

/// A key as a health-card issuer publishes it in its jwks.json: kid its thumbprint, use sig, alg
/// ES256 (§ Determining keys associated with an issuer); with a `crlVersion` when it keeps a
/// revocation list for the key.
fn published(key: &EcKey, crl_version: Option<u64>) -> Value {
    let mut jwk = build::public_with_kid(key);
    jwk["use"] = json!("sig");
    if let Some(v) = crl_version {
        jwk["crlVersion"] = json!(v);
    }
    jwk
}

/// The issuer's revocation list for `key` (§ Revocation), counter 1.
fn revocation_list(key: &EcKey) -> Value {
    json!({
        "kid": key.thumbprint(),
        "method": "rid",
        "ctr": 1,
        "rids": [REVOKED_ALWAYS, format!("{REVOKED_BEFORE}.{}", revoked_before_time()), "XkNHp2Iyk0Y.1664492124"]
    })
}

fn immunization(n: usize, date: &str) -> Value {
    json!({"fullUrl": format!("resource:{n}"), "resource": {
        "resourceType": "Immunization", "status": "completed",
        "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "207"}]},
        "patient": {"reference": "resource:0"}, "occurrenceDateTime": date,
        "performer": [{"actor": {"display": "Qikiqtani General Hospital"}}],
        "lotNumber": dialtone_protocols::seed::Entropy::seeded(n as u64).token(9)}})
}

fn payload(doses: usize) -> Value {
    let mut entries = vec![json!({"fullUrl": "resource:0", "resource": {
        "resourceType": "Patient", "name": [{"family": "Kʼómoks-Tremblay", "given": ["ᓄᓇᕗᑦ", "E\u{301}lodie"]}],
        "birthDate": "1990-07-01"}})];
    for n in 1..=doses {
        entries.push(immunization(n, &format!("2021-0{}-15", (n % 9) + 1)));
    }
    json!({
        "iss": ISS,
        "nbf": build::now() - 30 * DAY,
        "vc": {
            "type": ["https://smarthealth.cards#health-card", "https://smarthealth.cards#immunization", "https://smarthealth.cards#covid19"],
            "credentialSubject": {"fhirVersion": "4.0.1", "fhirBundle": {"resourceType": "Bundle", "type": "collection", "entry": entries}}
        }
    })
}

/// A small card: a health card of the patient's birth date alone, of no more specific type.
fn patient_only() -> Value {
    let mut p = payload(0);
    p["vc"]["type"] = json!(["https://smarthealth.cards#health-card"]);
    p["vc"]["credentialSubject"]["fhirBundle"]["entry"] =
        json!([{"fullUrl": "resource:0", "resource": {"resourceType": "Patient", "birthDate": "1990-07-01"}}]);
    p
}

fn with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut p = payload(2);
    edit(&mut p);
    p
}

fn sign(key: &EcKey, p: &Value) -> String {
    shc::sign(key, p)
}

fn sign_header(key: &EcKey, header: Value, bytes: &[u8]) -> String {
    shc::sign_with_header(key, &header, bytes)
}

/// A `$health-cards-issue` response with these parameters.
fn parameters(parameter: &[Value]) -> String {
    json!({"resourceType": "Parameters", "parameter": parameter}).to_string()
}

/// An SVG of ten levels, each using the one below ten times: 10^10 elements once expanded.
fn exponential_svg() -> String {
    let mut svg = String::from(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><rect id="l0" width="1" height="1"/>"#,
    );
    for level in 1..=10 {
        svg.push_str(&format!(r#"<g id="l{level}">"#));
        for _ in 0..10 {
            svg.push_str(&format!(r##"<use href="#l{}"/>"##, level - 1));
        }
        svg.push_str("</g>");
    }
    svg.push_str(r##"</defs><use href="#l10"/></svg>"##);
    svg
}

fn file_of(jws: &[&str]) -> String {
    json!({"verifiableCredential": jws}).to_string()
}

/// Cards each signed by a key its issuer publishes against § Determining keys associated with an
/// issuer (SHC-022), beside one whose certificate chain is published as it should be.
fn published_keys_group() -> TestGroup {
    let card = |key: &EcKey| vec![sign(key, &payload(2))];
    let with_member = |key: &EcKey, member: &str, value: Value| {
        let mut jwk = published(key, None);
        jwk[member] = value;
        jwk
    };
    let no_use = build::key("shc/published/no-use");
    let es384 = build::key("shc/published/alg-es384");
    let named = build::key("shc/published/kid-named");
    let private = build::key("shc/published/with-d");
    let listed = build::key("shc/published/listed-without-crl-version");
    let mismatched = build::key("shc/published/x5c-of-another-key");
    let good_chain = build::pki("shc/published/x5c");
    let url_chain = build::pki("shc/published/x5c-base64url");
    let another = build::pki("shc/published/another");
    let mut keys = vec![
        {
            let mut jwk = published(&no_use, None);
            jwk.as_object_mut().map(|o| o.remove("use"));
            jwk
        },
        with_member(&es384, "alg", json!("ES384")),
        with_member(&named, "kid", json!("key-1")),
        with_member(&private, "d", private.private_jwk()["d"].clone()),
        published(&listed, None),
        with_member(&mismatched, "x5c", json!([b64::encode_std(&another.ds_der)])),
        with_member(&good_chain.ds_key, "x5c", json!([b64::encode_std(&good_chain.ds_der)])),
        with_member(&url_chain.ds_key, "x5c", json!([b64::encode(&url_chain.ds_der)])),
    ];
    keys.retain(Value::is_object);
    let tests = vec![
        case(
            "signed by a key whose published JWK has a certificate chain holding it",
            &["Valid", "PublishedKey"],
            card(&good_chain.ds_key),
            &[],
        ),
        case("signed by a key published without use: sig", &["PublishedKey"], card(&no_use), &["SHC-022"]),
        // A JWK whose alg is not the JWS's cannot verify it (RFC 7517 §4.4): the signature fails.
        case("signed by a P-256 key published with alg ES384", &["PublishedKey"], card(&es384), &["SHC-008"]),
        case(
            "signed by a key published under kid key-1, not its thumbprint",
            &["PublishedKey"],
            card(&named),
            &["SHC-022"],
        ),
        case(
            "signed by a key whose published JWK carries its private d",
            &["PublishedKey", "Hostile"],
            card(&private),
            &["SHC-022"],
        ),
        case(
            "signed by a key the issuer keeps a revocation list for, published without crlVersion",
            &["PublishedKey", "Revocation"],
            card(&listed),
            &["SHC-022"],
        ),
        case(
            "signed by a key whose published x5c certifies another key",
            &["PublishedKey"],
            card(&mismatched),
            &["SHC-022"],
        ),
        // The key's x and y verify the signature; its published x5c does not decode (RFC 7517 §4.7:
        // base64, not base64url), which is the published key's fault, not the signature's.
        case(
            "signed by a key whose published x5c is base64url, not base64",
            &["PublishedKey"],
            card(&url_chain.ds_key),
            &["SHC-022"],
        ),
    ];
    TestGroup {
        comment: "health cards whose issuers publish their keys each with one fault (the key set as published, \
                  no trust list)"
            .into(),
        keys: json!({"keys": keys}),
        trust: None,
        roots_pem: None,
        now: crate::VECTORS_NOW.into(),
        nonce: None,
        aud: None,
        revocation_lists: vec![json!({"kid": listed.thumbprint(), "method": "rid", "ctr": 1, "rids": []})],
        tests,
    }
}

pub fn file() -> VectorFile {
    let key = build::key("shc/issuer");
    let other = build::key("shc/other-issuer");
    let unknown = build::key("shc/unknown");
    let valid = sign(&key, &payload(2));
    // The smallest card that needs three QR chunks.
    let (big, big_chunks) = (2..400)
        .map(|doses| {
            let jws = sign(&key, &payload(doses));
            let chunks = shc::encode_qr(&jws);
            (jws, chunks)
        })
        .find(|(_, c)| c.len() == 3)
        .unwrap_or_default();
    let one = |s: String| vec![s];
    let kid = key.thumbprint();
    let minified = |p: &Value| shc::deflate_raw(p.to_string().as_bytes());
    let tests = vec![
        case("a valid health card as a compact JWS", &["Valid"], one(valid.clone()), &[]),
        case(
            "a valid .smart-health-card file with two cards",
            &["Valid", "File"],
            one(file_of(&[&valid, &sign(&key, &payload(1))])),
            &[],
        ),
        case("a valid single shc:/ QR payload", &["Valid", "Qr"], shc::encode_qr(&valid), &[]),
        case(
            "a valid card in three balanced QR chunks, given out of order",
            &["Valid", "Qr", "Chunked"],
            {
                let mut c = big_chunks.clone();
                c.reverse();
                c
            },
            &[],
        ),
        case_binary(
            "a valid card as a PNG image of its QR code",
            &["Valid", "Qr", "Png"],
            vec![images::png(images::code(&shc::encode_qr(&valid)[0], Encoding::Specified, 1))],
            &[],
        ),
        case(
            "a valid card as an SVG image of its QR code",
            &["Valid", "Qr", "Svg"],
            one(images::svg(images::code(&shc::encode_qr(&valid)[0], Encoding::Specified, 1))),
            &[],
        ),
        case_binary(
            "a valid card in three chunks, each a PNG image of its QR code, given out of order",
            &["Valid", "Qr", "Png", "Chunked"],
            big_chunks.iter().rev().map(|c| images::png(images::code(c, Encoding::Specified, 1))).collect(),
            &[],
        ),
        case_binary(
            "a QR code holding the whole payload in one byte-mode segment",
            &["Qr", "Png", "Segments"],
            // A card of the patient alone: in byte mode (8 bits a digit, not 3⅓) it still fits version 22.
            vec![images::png(images::code(&shc::encode_qr(&sign(&key, &patient_only()))[0], Encoding::OneByteSegment, 1))],
            &["SHC-017"],
        ),
        case_binary(
            "a QR code of version 23, more than the 105 × 105 modules of version 22",
            &["Qr", "Png", "Version"],
            vec![images::png(images::code(&shc::encode_qr(&valid)[0], Encoding::Specified, 23))],
            &["SHC-018"],
        ),
        case(
            "an SVG whose <use> references expand to ten billion elements",
            &["Qr", "Svg", "Hostile"],
            one(exponential_svg()),
            &["SHC-001"],
        ),
        unsupported(case(
            "an SVG drawn with filter effects (dialtone renders plain vector QR codes)",
            &["Qr", "Svg", "Unsupported"],
            one(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><filter id="blur"><feGaussianBlur stdDeviation="1"/></filter><rect width="10" height="10" filter="url(#blur)"/></svg>"#.into()),
            &[],
        )),
        unsupported(case_binary(
            "a PNG image in which no QR code is found",
            &["Qr", "Png", "Unsupported"],
            vec![images::blank_png()],
            &[],
        )),
        case(
            "valid with an exp a year away",
            &["Valid"],
            one(sign(&key, &with(|p| p["exp"] = json!(build::now() + 365 * DAY)))),
            &[],
        ),
        case(
            "an odd number of digits (a truncated QR read)",
            &["Qr", "Truncated"],
            one(shc::encode_qr(&valid)[0][..102].to_string()),
            &["SHC-001"],
        ),
        case("a digit pair above 77", &["Qr"], one(format!("{}99", shc::encode_qr(&valid)[0])), &["SHC-001"]),
        case(
            "a letter among the digits",
            &["Qr"],
            one(format!("shc:/5676A9{}", &shc::encode_qr(&valid)[0][11..])),
            &["SHC-001"],
        ),
        case(
            "chunk ordinal above the count",
            &["Qr", "Chunked"],
            vec![big_chunks[0].clone(), big_chunks[1].clone(), big_chunks[2].replacen("shc:/3/3/", "shc:/4/3/", 1)],
            &["SHC-001"],
        ),
        case("two of three chunks", &["Qr", "Chunked"], big_chunks[..2].to_vec(), &["SHC-002"]),
        case(
            "a card that fits one QR code, chunked in two all the same",
            &["Qr", "Chunked"],
            {
                let half = valid.len() / 2;
                let digits = |part: &str| shc::encode_qr(part)[0].trim_start_matches("shc:/").to_string();
                vec![format!("shc:/1/2/{}", digits(&valid[..half])), format!("shc:/2/2/{}", digits(&valid[half..]))]
            },
            &["SHC-015"],
        ),
        case(
            "a single QR code with the chunk prefix 1/1/",
            &["Qr"],
            one(shc::encode_qr(&valid)[0].replacen("shc:/", "shc:/1/1/", 1)),
            &["SHC-001"],
        ),
        case(
            "chunks of 1191, 1191 and the rest, not balanced (a SHOULD: acceptable)",
            &["Qr", "Chunked", "Unbalanced"],
            {
                let digits = |part: &str| shc::encode_qr(part)[0].trim_start_matches("shc:/").to_string();
                let parts: Vec<&str> = vec![&big[..1191], &big[1191..2382], &big[2382..]];
                parts.iter().enumerate().map(|(i, p)| format!("shc:/{}/3/{}", i + 1, digits(p))).collect()
            },
            &["SHC-023"],
        ),
        case(
            "a chunk given twice instead of the third",
            &["Qr", "Chunked"],
            vec![big_chunks[0].clone(), big_chunks[1].clone(), big_chunks[1].clone()],
            &["SHC-002"],
        ),
        case(
            "chunks that disagree on the count",
            &["Qr", "Chunked"],
            vec![big_chunks[0].clone(), big_chunks[1].replacen("/3/", "/4/", 1), big_chunks[2].clone()],
            &["SHC-002"],
        ),
        case(
            "a valid $health-cards-issue response (FHIR Parameters) with two cards and a resource link",
            &["Valid", "Parameters"],
            one(parameters(&[
                json!({"name": "verifiableCredential", "valueString": valid}),
                json!({"name": "verifiableCredential", "valueString": sign(&key, &payload(1))}),
                json!({"name": "resourceLink", "part": [
                    {"name": "vcIndex", "valueInteger": 0},
                    {"name": "bundledResource", "valueUri": "resource:1"},
                    {"name": "hostedResource", "valueUri": "https://fhir.dialtone.example/Immunization/123"}]}),
            ])),
            &[],
        ),
        case(
            "a Parameters response whose verifiableCredential has a valueUri, not a valueString",
            &["Parameters"],
            one(parameters(&[json!({"name": "verifiableCredential", "valueUri": valid})])),
            &["SHC-003"],
        ),
        unsupported(case(
            "a $health-cards-issue response without results (no health card to judge)",
            &["Parameters", "Unsupported"],
            one(json!({"resourceType": "Parameters"}).to_string()),
            &[],
        )),
        unsupported(case(
            "a SMART Health Link (dialtone does not fetch its manifest)",
            &["Unsupported"],
            one("shlink:/eyJ1cmwiOiJodHRwczovL3NobC5leGFtcGxlL20iLCJmbGFnIjoiIiwia2V5IjoiYWJjIn0".into()),
            &[],
        )),
        unsupported(case_binary(
            "a GIF image (dialtone reads QR codes from PNG, JPEG and SVG images)",
            &["Unsupported"],
            vec![b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec()],
            &[],
        )),
        case(
            "a file without verifiableCredential",
            &["File"],
            one(json!({"credentials": [valid]}).to_string()),
            &["SHC-003"],
        ),
        case(
            "a file whose entry is not a string",
            &["File"],
            one(json!({"verifiableCredential": [42]}).to_string()),
            &["SHC-003"],
        ),
        case(
            "a card over 1195 characters in a single QR",
            &["Qr", "Oversize"],
            vec![format!(
                "shc:/{}",
                &shc::encode_qr(&big)
                    .iter()
                    .map(|c| c.splitn(4, '/').nth(3).unwrap_or_default().to_string())
                    .collect::<String>()
            )],
            &["SHC-015"],
        ),
        case(
            "alg ES384 in the header",
            &["Header"],
            one(sign_header(&key, json!({"alg": "ES384", "zip": "DEF", "kid": kid}), &minified(&payload(2)))),
            &["SHC-004"],
        ),
        case(
            "no zip header: the payload uncompressed",
            &["Header"],
            one(sign_header(&key, json!({"alg": "ES256", "kid": kid}), payload(2).to_string().as_bytes())),
            &["SHC-004"],
        ),
        case(
            "zip DEF over a payload that is not DEFLATE",
            &["Compression"],
            one(sign_header(&key, json!({"alg": "ES256", "zip": "DEF", "kid": kid}), b"\xff\xff\xff not deflate")),
            &["SHC-005"],
        ),
        case(
            "a DEFLATE bomb: 4 MiB of spaces",
            &["Compression", "Hostile"],
            one(sign_header(
                &key,
                json!({"alg": "ES256", "zip": "DEF", "kid": kid}),
                &shc::deflate_raw(&vec![b' '; 4 << 20]),
            )),
            &["SHC-005"],
        ),
        case(
            "a payload that inflates to a JSON array",
            &["Compression"],
            one(sign_header(&key, json!({"alg": "ES256", "zip": "DEF", "kid": kid}), &shc::deflate_raw(b"[1,2,3]"))),
            &["SHC-005"],
        ),
        case(
            "a payload that is not minified",
            &["Minified"],
            one(sign_header(
                &key,
                json!({"alg": "ES256", "zip": "DEF", "kid": kid}),
                &shc::deflate_raw(serde_json::to_string_pretty(&payload(2)).unwrap_or_default().as_bytes()),
            )),
            &["SHC-006"],
        ),
        case(
            "kid that is not the key's thumbprint",
            &["Kid"],
            one(sign_header(&key, json!({"alg": "ES256", "zip": "DEF", "kid": "key-1"}), &minified(&payload(2)))),
            &["SHC-007"],
        ),
        case(
            "signature altered in one bit",
            &["SignatureTampered"],
            one({
                let (head, sig) = valid.rsplit_once('.').unwrap_or_default();
                let mut bytes = b64::decode(sig).unwrap_or_default();
                bytes[3] ^= 1;
                format!("{head}.{}", b64::encode(bytes))
            }),
            &["SHC-008"],
        ),
        case(
            "signed by a key the verifier does not know",
            &["UnknownKey"],
            one(sign(&unknown, &payload(2))),
            &["SHC-008"],
        ),
        case(
            "signed by a real key of another issuer",
            &["WrongIssuerKey"],
            one(sign(&other, &payload(2))),
            &["SHC-009"],
        ),
        case(
            "iss with a trailing slash",
            &["Iss"],
            one(sign(&key, &with(|p| p["iss"] = json!(format!("{ISS}/"))))),
            &["SHC-010"],
        ),
        case(
            "iss over http",
            &["Iss"],
            one(sign(&key, &with(|p| p["iss"] = json!("http://shc.dialtone.example/issuer")))),
            &["SHC-010"],
        ),
        case(
            "no nbf",
            &["Time"],
            one(sign(
                &key,
                &with(|p| {
                    p.as_object_mut().map(|o| o.remove("nbf"));
                }),
            )),
            &["SHC-011"],
        ),
        case(
            "nbf a day after the verification time",
            &["Time"],
            one(sign(&key, &with(|p| p["nbf"] = json!(build::now() + DAY)))),
            &["SHC-011"],
        ),
        case(
            "exp passed",
            &["Time", "Expired"],
            one(sign(&key, &with(|p| p["exp"] = json!(build::now() - 60)))),
            &["SHC-011"],
        ),
        case(
            "vc.type without the health-card type",
            &["Type"],
            one(sign(&key, &with(|p| p["vc"]["type"] = json!(["https://smarthealth.cards#immunization"])))),
            &["SHC-012"],
        ),
        case(
            "no fhirVersion",
            &["Bundle"],
            one(sign(
                &key,
                &with(|p| {
                    p["vc"]["credentialSubject"].as_object_mut().map(|o| o.remove("fhirVersion"));
                }),
            )),
            &["SHC-013", "SHC-016"],
        ),
        case(
            "fhirBundle resourceType Parameters",
            &["Bundle"],
            one(sign(
                &key,
                &with(|p| p["vc"]["credentialSubject"]["fhirBundle"]["resourceType"] = json!("Parameters")),
            )),
            &["SHC-013", "SHC-016", "SHC-019"],
        ),
        case(
            "an entry without a resource",
            &["Bundle"],
            one(sign(
                &key,
                &with(|p| p["vc"]["credentialSubject"]["fhirBundle"]["entry"][1] = json!({"fullUrl": "resource:1"})),
            )),
            &["SHC-013", "SHC-016"],
        ),
        case(
            "a QR card whose Patient keeps its Resource.id",
            &["Qr", "QrBundle"],
            shc::encode_qr(&sign(
                &key,
                &with(|p| p["vc"]["credentialSubject"]["fhirBundle"]["entry"][0]["resource"]["id"] = json!("pat-1")),
            )),
            &["SHC-014"],
        ),
        case(
            "a QR card with a Coding.display",
            &["Qr", "QrBundle"],
            shc::encode_qr(&sign(
                &key,
                &with(|p| {
                    p["vc"]["credentialSubject"]["fhirBundle"]["entry"][1]["resource"]["vaccineCode"]["coding"][0]["display"] =
                        json!("COVID-19, mRNA")
                }),
            )),
            &["SHC-014"],
        ),
        case(
            "a QR card whose Patient keeps a Resource.meta beyond meta.security",
            &["Qr", "QrBundle"],
            shc::encode_qr(&sign(
                &key,
                &with(|p| {
                    p["vc"]["credentialSubject"]["fhirBundle"]["entry"][0]["resource"]["meta"] =
                        json!({"lastUpdated": "2021-01-15T00:00:00Z"})
                }),
            )),
            &["SHC-014"],
        ),
        case(
            "a QR card whose Patient keeps its narrative (DomainResource.text)",
            &["Qr", "QrBundle"],
            shc::encode_qr(&sign(
                &key,
                &with(|p| {
                    p["vc"]["credentialSubject"]["fhirBundle"]["entry"][0]["resource"]["text"] = json!({"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">patient</div>"})
                }),
            )),
            &["SHC-014"],
        ),
        case(
            "a QR card with a CodeableConcept.text",
            &["Qr", "QrBundle"],
            shc::encode_qr(&sign(
                &key,
                &with(|p| {
                    p["vc"]["credentialSubject"]["fhirBundle"]["entry"][1]["resource"]["vaccineCode"]["text"] =
                        json!("COVID-19 vaccine")
                }),
            )),
            &["SHC-014"],
        ),
        case(
            "a QR card whose Immunization refers to its patient as Patient/1, not resource:0",
            &["Qr", "QrBundle"],
            shc::encode_qr(&sign(
                &key,
                &with(|p| {
                    p["vc"]["credentialSubject"]["fhirBundle"]["entry"][1]["resource"]["patient"]["reference"] =
                        json!("Patient/1")
                }),
            )),
            &["SHC-014"],
        ),
        case(
            "a QR card whose entry has a full URL, not resource:N",
            &["Qr", "QrBundle"],
            shc::encode_qr(&sign(
                &key,
                &with(|p| {
                    p["vc"]["credentialSubject"]["fhirBundle"]["entry"][2]["fullUrl"] =
                        json!("https://shc.dialtone.example/fhir/Immunization/2")
                }),
            )),
            &["SHC-014"],
        ),
        case(
            "a card as a JWS whose Patient keeps its Resource.id (not bound for a QR code: allowed)",
            &["Valid"],
            one(sign(
                &key,
                &with(|p| p["vc"]["credentialSubject"]["fhirBundle"]["entry"][0]["resource"]["id"] = json!("pat-1")),
            )),
            &[],
        ),
        case(
            "an Immunization with doseNumber, a FHIR STU3 member that R4 does not have",
            &["Fhir"],
            one(sign(
                &key,
                &with(|p| p["vc"]["credentialSubject"]["fhirBundle"]["entry"][1]["resource"]["doseNumber"] = json!(1)),
            )),
            &["SHC-019"],
        ),
        case(
            "a Patient birthDate that is not a FHIR date",
            &["Fhir"],
            one(sign(
                &key,
                &with(|p| {
                    p["vc"]["credentialSubject"]["fhirBundle"]["entry"][0]["resource"]["birthDate"] =
                        json!("07/01/1990")
                }),
            )),
            &["SHC-019"],
        ),
        case(
            "an Immunization status that is not a string",
            &["Fhir"],
            one(sign(
                &key,
                &with(|p| p["vc"]["credentialSubject"]["fhirBundle"]["entry"][2]["resource"]["status"] = json!(true)),
            )),
            &["SHC-019"],
        ),
        case(
            "an immunization card without any Immunization (profile)",
            &["Profile"],
            one(sign(
                &key,
                &with(|p| {
                    for n in [1, 2] {
                        p["vc"]["credentialSubject"]["fhirBundle"]["entry"][n]["resource"] = json!({
                            "resourceType": "Observation", "status": "final",
                            "code": {"coding": [{"system": "http://loinc.org", "code": "94500-6"}]},
                            "subject": {"reference": "resource:0"}, "effectiveDateTime": "2021-01-15",
                            "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": "260385009"}]}
                        });
                    }
                }),
            )),
            &["SHC-016"],
        ),
        case("not a JWS", &["Structure"], one("eyJhbGciOiJFUzI1NiJ9.only-two-parts".into()), &["SHC-004"]),
        case(
            "a rid the issuer's list does not name",
            &["Valid", "Revocation"],
            one(sign(&key, &with(|p| p["vc"]["rid"] = json!("n0tL1sted_-Q")))),
            &[],
        ),
        case(
            "a rid the list revokes whenever issued",
            &["Revocation", "Revoked"],
            one(sign(&key, &with(|p| p["vc"]["rid"] = json!(REVOKED_ALWAYS)))),
            &["SHC-021"],
        ),
        case(
            "a rid listed with a timestamp, the card issued a day before it (revoked)",
            &["Revocation", "Revoked"],
            one(sign(
                &key,
                &with(|p| {
                    p["vc"]["rid"] = json!(REVOKED_BEFORE);
                    p["nbf"] = json!(revoked_before_time() - DAY);
                }),
            )),
            &["SHC-021"],
        ),
        case(
            "a rid listed with a timestamp, the card issued a second before it (revoked)",
            &["Revocation", "Revoked"],
            one(sign(
                &key,
                &with(|p| {
                    p["vc"]["rid"] = json!(REVOKED_BEFORE);
                    p["nbf"] = json!(revoked_before_time() - 1);
                }),
            )),
            &["SHC-021"],
        ),
        case(
            "a rid listed with a timestamp, the card issued at it (not before: not revoked)",
            &["Valid", "Revocation"],
            one(sign(
                &key,
                &with(|p| {
                    p["vc"]["rid"] = json!(REVOKED_BEFORE);
                    p["nbf"] = json!(revoked_before_time());
                }),
            )),
            &[],
        ),
        case(
            "a rid listed with a timestamp, the card reissued a day after it (not revoked)",
            &["Valid", "Revocation"],
            one(sign(
                &key,
                &with(|p| {
                    p["vc"]["rid"] = json!(REVOKED_BEFORE);
                    p["nbf"] = json!(revoked_before_time() + DAY);
                }),
            )),
            &[],
        ),
        case(
            "a rid with a character outside the base64url alphabet",
            &["Revocation", "Rid"],
            one(sign(&key, &with(|p| p["vc"]["rid"] = json!("abc+def/123")))),
            &["SHC-020"],
        ),
        case(
            "a rid of 25 characters",
            &["Revocation", "Rid"],
            one(sign(&key, &with(|p| p["vc"]["rid"] = json!("A".repeat(25))))),
            &["SHC-020"],
        ),
    ];
    let issuer_jwk = published(&key, Some(1));
    let mut trust_keys = vec![(ISS, vec![issuer_jwk.clone()])];
    let slash = format!("{ISS}/");
    trust_keys.push((slash.as_str(), vec![issuer_jwk.clone()]));
    trust_keys.push(("http://shc.dialtone.example/issuer", vec![issuer_jwk.clone()]));
    trust_keys.push(("https://other.dialtone.example/shc", vec![published(&other, None)]));
    let group = TestGroup {
        comment: "health cards judged with the issuer's jwks.json, a trust list (which also lists the malformed iss values, so each test breaks one rule) and the issuer's revocation list".into(),
        keys: json!({"keys": [issuer_jwk, published(&other, None)]}),
        trust: Some(build::trust(&trust_keys)),
        roots_pem: None,
        now: crate::VECTORS_NOW.into(),
        nonce: None,
        aud: None,
        revocation_lists: vec![revocation_list(&key)],
        tests,
    };
    VectorFile {
        algorithm: "SMART Health Cards (compact JWS, ES256, raw DEFLATE, shc:/ numeric QR)".into(),
        format: "shc".into(),
        generator_version: String::new(),
        number_of_tests: 0,
        header: vec![
            "Generated by `dialtone vectors generate` from dialtone's seeded keys; do not edit by hand.".into(),
        ],
        notes: notes(&[
            ("Valid", "a conforming artifact"),
            ("File", "a .smart-health-card file"),
            ("Parameters", "a $health-cards-issue response: a FHIR Parameters resource"),
            ("Unsupported", "a form dialtone recognizes but does not read: verdict unsupported"),
            ("Qr", "shc:/ numeric QR payloads, one per part"),
            ("Chunked", "a card split over several QR codes (deprecated, still read)"),
            ("Unbalanced", "chunks of unbalanced sizes (a SHOULD: acceptable)"),
            ("Png", "a PNG image of the QR code"),
            ("Svg", "an SVG image of the QR code"),
            ("Segments", "a QR code whose data segments are not the specification's"),
            ("Version", "a QR code larger than version 22"),
            ("Truncated", "a QR read that lost digits"),
            ("Oversize", "more characters than one QR code may hold"),
            ("Header", "alg or zip wrong"),
            ("Compression", "a payload that does not inflate to a JSON object within bounds"),
            ("Hostile", "input built to exhaust a parser"),
            ("Minified", "whitespace in the payload"),
            ("Kid", "kid not the RFC 7638 thumbprint"),
            ("SignatureTampered", "the signature altered after signing"),
            ("UnknownKey", "signed by a key the verifier was not given"),
            ("WrongIssuerKey", "a real key of another issuer"),
            ("Iss", "iss not an https URL without trailing slash"),
            ("Time", "nbf or exp wrong"),
            ("Expired", "past exp"),
            ("Type", "vc.type without the health-card type"),
            ("Bundle", "a FHIR bundle of the wrong shape"),
            ("QrBundle", "a QR-bound bundle keeping ids, meta, text or display, or with other than resource: URIs"),
            ("Profile", "claims that break the proof-of-vaccination profile"),
            ("Fhir", "a bundle that the FHIR R4 JSON schema rejects"),
            ("Revocation", "a card with a rid, judged against its issuer's revocation list"),
            ("Revoked", "a card the issuer's revocation list revokes"),
            ("Rid", "a rid that is not at most 24 base64url characters"),
            ("PublishedKey", "the issuer's key as published in its jwks.json"),
            ("Structure", "not a compact JWS"),
        ]),
        test_groups: vec![group, published_keys_group()],
    }
}
