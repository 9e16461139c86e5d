//! ISO mdoc vectors: IssuerSigned and DeviceResponse CBOR, signed by a document signer certificate
//! that dialtone's test issuing authority (IACA) issued.

use crate::build::{self, DAY};
use crate::sd_jwt_vc::notes;
use crate::{TestGroup, VectorFile, case, case_binary};
use ciborium::Value;
use dialtone_protocols::cose::{self, Sign1Spec};
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::mdoc::build::{item, map, tag24, tdate, text};
use dialtone_protocols::mdoc::encode_cbor;
use sha2::{Digest, Sha256};

const DOCTYPE: &str = "ca.dialtone.verified-person.1";

#[derive(Clone)]
struct Spec {
    elements: Vec<(&'static str, Value)>,
    random_len: usize,
    version: &'static str,
    digest_alg: &'static str,
    doc_type: Option<&'static str>,
    signed: i64,
    valid_from: i64,
    valid_until: i64,
    tag_dates: bool,
    device_key: bool,
    x5chain: bool,
    /// Changes an element's value after digests were computed.
    tamper_value: bool,
    /// Leaves one element's digest out of the MSO.
    drop_digest: bool,
    duplicate_id: bool,
    cose_alg: coset::iana::Algorithm,
    /// Lists an extension parameter in issuerAuth's crit.
    critical: bool,
}

fn base() -> Spec {
    let now = build::now();
    Spec {
        elements: vec![
            ("given_name", text("ᓄᓇᕗᑦ E\u{301}lodie")),
            ("family_name", text("Kʼómoks-Tremblay")),
            ("birthdate", Value::Tag(1004, Box::new(text("1990-07-01")))),
            ("resident_region", text("NU")),
        ],
        random_len: 16,
        version: "1.0",
        digest_alg: "SHA-256",
        doc_type: Some(DOCTYPE),
        signed: now - DAY,
        valid_from: now - DAY,
        valid_until: now + 365 * DAY,
        tag_dates: true,
        device_key: true,
        x5chain: true,
        tamper_value: false,
        drop_digest: false,
        duplicate_id: false,
        cose_alg: coset::iana::Algorithm::ES256,
        critical: false,
    }
}

fn random(i: usize, len: usize) -> Vec<u8> {
    (0..len).map(|j| (i * 31 + j * 7) as u8).collect()
}

fn issuer_signed(spec: &Spec, ds_key: &EcKey, ds_der: &[u8]) -> Value {
    let items: Vec<Value> = spec
        .elements
        .iter()
        .enumerate()
        .map(|(i, (name, v))| {
            item(if spec.duplicate_id && i == 1 { 0 } else { i as u64 }, &random(i, spec.random_len), name, v.clone())
        })
        .collect();
    let mut digests = Vec::new();
    for (i, it) in items.iter().enumerate() {
        if spec.drop_digest && i == 2 {
            continue;
        }
        let id = if spec.duplicate_id && i == 1 { 0 } else { i as u64 };
        digests.push((Value::Integer(id.into()), Value::Bytes(Sha256::digest(encode_cbor(it)).to_vec())));
    }
    let date = |t: i64| if spec.tag_dates { tdate(&build::rfc3339(t)) } else { text(&build::rfc3339(t)) };
    let device_key = Value::Map(vec![
        (Value::Integer(1.into()), Value::Integer(2.into())),
        (Value::Integer((-1).into()), Value::Integer(1.into())),
        (Value::Integer((-2).into()), Value::Bytes(vec![1; 32])),
        (Value::Integer((-3).into()), Value::Bytes(vec![2; 32])),
    ]);
    let mut mso = vec![
        ("version", text(spec.version)),
        ("digestAlgorithm", text(spec.digest_alg)),
        ("valueDigests", map(vec![(DOCTYPE, Value::Map(digests))])),
    ];
    if spec.device_key {
        mso.push(("deviceKeyInfo", map(vec![("deviceKey", device_key)])));
    }
    if let Some(d) = spec.doc_type {
        mso.push(("docType", text(d)));
    }
    mso.push((
        "validityInfo",
        map(vec![
            ("signed", date(spec.signed)),
            ("validFrom", date(spec.valid_from)),
            ("validUntil", date(spec.valid_until)),
        ]),
    ));
    let payload = encode_cbor(&tag24(&map(mso)));
    let sign_spec = Sign1Spec {
        x5chain: if spec.x5chain { vec![ds_der.to_vec()] } else { Vec::new() },
        critical: if spec.critical { vec!["ext".into()] } else { Vec::new() },
        ..Default::default()
    };
    let auth_bytes = cose::sign1_with(spec.cose_alg, &sign_spec, payload, |data| ds_key.sign_bytes(data));
    let auth = dialtone_protocols::mdoc::decode_cbor(&auth_bytes).unwrap_or(Value::Null);
    let mut items = items;
    if spec.tamper_value {
        items[1] = item(1, &random(1, spec.random_len), "family_name", text("Tremblay"));
    }
    map(vec![("nameSpaces", map(vec![(DOCTYPE, Value::Array(items))])), ("issuerAuth", auth)])
}

fn device_response(doc_type: &str, issuer_signed: Value, version: &str, status: u64) -> Value {
    map(vec![
        ("version", text(version)),
        ("documents", Value::Array(vec![map(vec![("docType", text(doc_type)), ("issuerSigned", issuer_signed)])])),
        ("status", Value::Integer(status.into())),
    ])
}

pub fn file() -> VectorFile {
    let pki = build::pki("mdoc");
    let rogue = build::pki("mdoc-rogue");
    let no_ds_country = build::pki_named("mdoc-no-ds-country", true, false);
    let no_iaca_country = build::pki_named("mdoc-no-iaca-country", false, true);
    let is = |spec: &Spec| encode_cbor(&issuer_signed(spec, &pki.ds_key, &pki.ds_der));
    let with = |f: &dyn Fn(&mut Spec)| {
        let mut s = base();
        f(&mut s);
        is(&s)
    };
    let valid = is(&base());
    let bin = |c: &str, flags: &[&str], bytes: Vec<u8>, failed: &[&str]| case_binary(c, flags, vec![bytes], failed);
    let tests = vec![
        bin("a valid IssuerSigned", &["Valid"], valid.clone(), &[]),
        bin(
            "a valid DeviceResponse with one document",
            &["Valid", "DeviceResponse"],
            encode_cbor(&device_response(DOCTYPE, issuer_signed(&base(), &pki.ds_key, &pki.ds_der), "1.0", 0)),
            &[],
        ),
        case(
            "a valid IssuerSigned as hex text (as ISO/IEC 18013-5 prints examples)",
            &["Valid", "Hex"],
            vec![valid.iter().map(|b| format!("{b:02x}")).collect()],
            &[],
        ),
        case(
            "a valid IssuerSigned as base64url text",
            &["Valid", "Base64"],
            vec![dialtone_protocols::b64::encode(&valid)],
            &[],
        ),
        bin(
            "a CBOR map with neither issuerAuth nor documents",
            &["Structure"],
            encode_cbor(&map(vec![("nameSpaces", map(vec![]))])),
            &["MDOC-001"],
        ),
        bin(
            "CBOR of 100,000 nested arrays inside a map",
            &["Hostile"],
            {
                let mut b = vec![0xa1, 0x6a];
                b.extend_from_slice(b"issuerAuth");
                b.extend(vec![0x81u8; 100_000]);
                b
            },
            &["MDOC-001"],
        ),
        bin(
            "a byte string claiming 2^63 bytes",
            &["Hostile"],
            {
                let mut b = vec![0xa1, 0x6a];
                b.extend_from_slice(b"issuerAuth");
                b.extend([0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
                b
            },
            &["MDOC-001"],
        ),
        bin(
            "trailing bytes after the data item",
            &["Structure"],
            {
                let mut b = valid.clone();
                b.push(0x00);
                b
            },
            &["MDOC-001"],
        ),
        bin(
            "issuerAuth alg HMAC 256/256",
            &["WeakAlgorithm"],
            with(&|s| s.cose_alg = coset::iana::Algorithm::HMAC_256_256),
            &["MDOC-002", "MDOC-004"],
        ),
        bin("no x5chain", &["Certificate"], with(&|s| s.x5chain = false), &["MDOC-003"]),
        bin(
            "MSO signature altered in one bit",
            &["SignatureTampered"],
            {
                let mut b = valid.clone();
                let n = b.len();
                // The signature is the last 64 bytes of issuerAuth, at the end of the map.
                b[n - 10] ^= 1;
                b
            },
            &["MDOC-004"],
        ),
        bin(
            "signed by a document signer the authority did not issue",
            &["UntrustedSigner"],
            encode_cbor(&issuer_signed(&base(), &rogue.ds_key, &rogue.ds_der)),
            &["MDOC-005"],
        ),
        bin("MSO version 2.0", &["Mso"], with(&|s| s.version = "2.0"), &["MDOC-006"]),
        bin("digestAlgorithm MD5", &["Mso"], with(&|s| s.digest_alg = "MD5"), &["MDOC-006", "MDOC-007"]),
        bin(
            "an element value changed after signing",
            &["DigestMismatch"],
            with(&|s| s.tamper_value = true),
            &["MDOC-007"],
        ),
        bin(
            "an element whose digest the MSO lacks",
            &["DigestMismatch"],
            with(&|s| s.drop_digest = true),
            &["MDOC-007"],
        ),
        bin("two elements with one digestID", &["DigestMismatch"], with(&|s| s.duplicate_id = true), &["MDOC-007"]),
        bin("validUntil passed", &["Validity"], with(&|s| s.valid_until = build::now() - 60), &["MDOC-008"]),
        bin(
            "validFrom after the verification time",
            &["Validity"],
            with(&|s| {
                s.signed = build::now() + DAY;
                s.valid_from = build::now() + DAY;
            }),
            &["MDOC-008"],
        ),
        bin("signed after validFrom", &["Validity"], with(&|s| s.signed = s.valid_from + 60), &["MDOC-008"]),
        bin("validFrom after validUntil", &["Validity"], with(&|s| s.valid_until = s.valid_from - 60), &["MDOC-008"]),
        bin("validity dates as text without tag 0", &["Validity"], with(&|s| s.tag_dates = false), &["MDOC-008"]),
        bin(
            "a DeviceResponse whose document docType differs from the MSO's",
            &["DocType", "DeviceResponse"],
            encode_cbor(&device_response(
                "org.iso.18013.5.1.mDL",
                issuer_signed(&base(), &pki.ds_key, &pki.ds_der),
                "1.0",
                0,
            )),
            &["MDOC-009"],
        ),
        bin("an MSO without docType", &["DocType"], with(&|s| s.doc_type = None), &["MDOC-009"]),
        bin("no deviceKeyInfo", &["DeviceKey"], with(&|s| s.device_key = false), &["MDOC-010"]),
        bin(
            "a DeviceResponse with status 10",
            &["DeviceResponse"],
            encode_cbor(&device_response(DOCTYPE, issuer_signed(&base(), &pki.ds_key, &pki.ds_der), "1.0", 10)),
            &["MDOC-011"],
        ),
        bin(
            "a DeviceResponse version 0.9",
            &["DeviceResponse"],
            encode_cbor(&device_response(DOCTYPE, issuer_signed(&base(), &pki.ds_key, &pki.ds_der), "0.9", 0)),
            &["MDOC-011"],
        ),
        bin(
            "a DeviceResponse without documents",
            &["DeviceResponse"],
            encode_cbor(&map(vec![
                ("version", text("1.0")),
                ("documents", Value::Array(vec![])),
                ("status", Value::Integer(0.into())),
            ])),
            &["MDOC-011"],
        ),
        bin("random values of 8 bytes", &["WeakRandom"], with(&|s| s.random_len = 8), &["MDOC-012"]),
        bin(
            "a document signer certificate whose subject names no country",
            &["Certificate"],
            encode_cbor(&issuer_signed(&base(), &no_ds_country.ds_key, &no_ds_country.ds_der)),
            &["MDOC-014"],
        ),
        bin(
            "a document signer issued by an IACA whose subject names no country",
            &["Certificate"],
            encode_cbor(&issuer_signed(&base(), &no_iaca_country.ds_key, &no_iaca_country.ds_der)),
            &["MDOC-014"],
        ),
        bin(
            "issuerAuth's crit lists an extension parameter dialtone does not understand",
            &["CriticalHeader"],
            with(&|s| s.critical = true),
            &["COSE-HDR-001"],
        ),
        bin(
            "the profile's birthdate missing",
            &["Profile"],
            with(&|s| s.elements.retain(|(n, _)| *n != "birthdate")),
            &["MDOC-013"],
        ),
    ];
    let group = TestGroup {
        comment: "mdocs judged with dialtone's test IACA as the trusted authority".into(),
        keys: serde_json::json!({"keys": []}),
        trust: None,
        roots_pem: Some(format!("{}{}{}", pki.root_pem, no_ds_country.root_pem, no_iaca_country.root_pem)),
        now: crate::VECTORS_NOW.into(),
        nonce: None,
        aud: None,
        revocation_lists: Vec::new(),
        tests,
    };
    VectorFile {
        algorithm: "ISO/IEC 18013-5 mdoc: IssuerSigned, DeviceResponse, MSO in COSE_Sign1 (ES256), SHA-256 digests".into(),
        format: "mdoc".into(),
        generator_version: String::new(),
        number_of_tests: 0,
        header: vec![
            "Generated by `dialtone vectors generate` from dialtone's seeded keys and its test IACA; do not edit by hand.".into(),
            "artifactBase64 holds the CBOR; Hex and Base64 tests carry text.".into(),
        ],
        notes: notes(&[
            ("Valid", "a conforming artifact"),
            ("DeviceResponse", "a DeviceResponse rather than a bare IssuerSigned"),
            ("Hex", "hex text of the CBOR"),
            ("Base64", "base64url text of the CBOR"),
            ("Structure", "not an mdoc structure"),
            ("Hostile", "input built to exhaust a parser"),
            ("WeakAlgorithm", "a MAC instead of a signature"),
            ("Certificate", "no document signer certificate, or one that names no country"),
            ("SignatureTampered", "the MSO signature altered"),
            ("UntrustedSigner", "a document signer outside the trusted authority"),
            ("Mso", "an MSO version or digest algorithm dialtone refuses"),
            ("DigestMismatch", "an element that does not match its MSO digest"),
            ("Validity", "validityInfo wrong or outside the verification time"),
            ("DocType", "docType missing or inconsistent"),
            ("DeviceKey", "no device key"),
            ("WeakRandom", "short random values (a SHOULD: acceptable)"),
            ("CriticalHeader", "a crit header parameter naming what the verifier does not understand"),
            ("Profile", "elements that break the verified-person profile"),
        ]),
        test_groups: vec![group],
    }
}
