//! Arbitrary input to every parser of candidate data: errors, never panics. And round trips of
//! Disclosures and of conceal → process.

use dialtone_protocols::b64;
use dialtone_protocols::jose::{CompactJws, EcKey, thumbprint, verifying_key_from_jwk};
use dialtone_protocols::oid4vci::{split_url, well_known_url};
use dialtone_protocols::sdjwt::{ConcealRules, Disclosure, HashAlg, SdJwt, conceal, serialize};
use dialtone_protocols::seed::Entropy;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        ".*".prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            // `_sd` is reserved (RFC 9901 §4.2.1): an issuer never uses it as a claim name.
            prop::collection::btree_map("[a-z_]{1,6}".prop_filter("reserved", |k| k != "_sd"), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn sd_jwt_parse_and_process_never_panic(text in ".*") {
        if let Ok(sd) = SdJwt::parse(&text) { let _ = sd.process(); }
    }

    #[test]
    fn sd_jwt_of_base64_json_pieces_never_panics(pieces in prop::collection::vec(json_value(), 1..5), sep in prop::collection::vec(prop_oneof![Just("~"), Just("."), Just("~~")], 1..5)) {
        let mut text = String::new();
        for (p, s) in pieces.iter().zip(sep.iter().cycle()) {
            text.push_str(&b64::encode(p.to_string()));
            text.push_str(s);
        }
        if let Ok(sd) = SdJwt::parse(&text) { let _ = sd.process(); }
    }

    #[test]
    fn compact_jws_parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(jws) = CompactJws::parse(&text) {
            let key = EcKey::generate(&Entropy::seeded(1));
            let _ = jws.verify_es256(&key.verifying_key());
        }
    }

    #[test]
    fn disclosure_decode_never_panics(text in ".*") {
        let _ = Disclosure::decode(&text);
        let _ = Disclosure::decode(&b64::encode(text.as_bytes()));
    }

    #[test]
    fn jwk_readers_never_panic(value in json_value()) {
        let _ = verifying_key_from_jwk(&value);
        let _ = thumbprint(&value);
    }

    #[test]
    fn url_rules_never_panic(text in ".*") {
        let _ = split_url(&text);
        let _ = well_known_url(&text, "/.well-known/x");
    }

    #[test]
    fn disclosure_round_trip(salt in "[A-Za-z0-9_-]{1,30}", name in proptest::option::of("[^\u{0}]{0,12}"), value in json_value()) {
        let d = Disclosure::new(&salt, name.as_deref(), &value);
        let back = Disclosure::decode(&d.encoded).unwrap();
        prop_assert_eq!(back, d);
    }

    #[test]
    fn conceal_then_process_restores_the_claims(claims in prop::collection::btree_map("[a-z]{1,8}", json_value(), 1..8), pick in prop::collection::vec(any::<bool>(), 8), decoys in 0usize..3, seed in any::<u64>()) {
        let claims: Map<String, Value> = claims.into_iter().filter(|(k, _)| k != "_sd").collect();
        let chosen: Vec<Vec<String>> = claims.keys().zip(pick.iter()).filter(|(_, p)| **p).map(|(k, _)| vec![k.clone()]).collect();
        let rules = ConcealRules { paths: chosen.clone(), decoys_per_object: decoys, salt_bytes: 16 };
        let entropy = Entropy::seeded(seed);
        let concealed = conceal(&claims, &rules, HashAlg::Sha256, &entropy);
        let key = EcKey::generate(&entropy);
        let jwt = key.sign_jws(&json!({"typ": "dc+sd-jwt"}), &Value::Object(concealed.payload));
        let sd = SdJwt::parse(&serialize(&jwt, &concealed.disclosures)).unwrap();
        let processed = sd.process().unwrap();
        prop_assert_eq!(&processed.claims, &claims);
        for path in &chosen {
            prop_assert!(processed.is_disclosed(&[path[0].as_str()]));
            prop_assert!(!sd.issuer_jwt.payload.contains_key(&path[0]));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn dcql_and_status_list_parsers_never_panic(value in json_value(), bits in any::<u8>(), lst in ".*") {
        let _ = dialtone_protocols::dcql::parse(&value);
        let _ = dialtone_protocols::dcql::parse(&json!({"credentials": [value.clone()]}));
        let _ = dialtone_protocols::status_list::StatusList::from_json(&value);
        let _ = dialtone_protocols::status_list::StatusList::from_json(&json!({"bits": bits, "lst": lst}));
        if let Some(o) = value.as_object() { let _ = dialtone_protocols::status_list::StatusReference::from_claims(o); }
    }

    #[test]
    fn presentations_verify_only_as_made(claims in prop::collection::btree_map("[a-z]{1,8}", json_value(), 1..6), seed in any::<u64>()) {
        use dialtone_protocols::sdjwt::{present, verify_key_binding, disclosures_for};
        let claims: Map<String, Value> = claims.into_iter().filter(|(k, _)| k != "_sd").collect();
        let entropy = Entropy::seeded(seed);
        let (issuer, holder) = (EcKey::generate(&entropy), EcKey::generate(&entropy));
        let mut full = claims.clone();
        full.insert("cnf".into(), json!({"jwk": holder.public_jwk()}));
        let paths: Vec<Vec<String>> = claims.keys().map(|k| vec![k.clone()]).collect();
        let concealed = conceal(&full, &ConcealRules { paths: paths.clone(), decoys_per_object: 1, salt_bytes: 16 }, HashAlg::Sha256, &entropy);
        let jwt = issuer.sign_jws(&json!({"typ": "dc+sd-jwt"}), &Value::Object(concealed.payload));
        let issued = SdJwt::parse(&serialize(&jwt, &concealed.disclosures)).unwrap();
        let first = vec![paths[0].clone()];
        let keep = disclosures_for(&issued, &first).unwrap();
        let text = present(&issued, &|d| keep.contains(&d.encoded), Some((&holder, "n-1", "x509_san_dns:v.example", 1000))).unwrap();
        let presented = SdJwt::parse(&text).unwrap();
        prop_assert!(verify_key_binding(&presented, "n-1", "x509_san_dns:v.example", 1000, 60).is_ok());
        let processed = presented.process().unwrap();
        prop_assert!(processed.claims.contains_key(&paths[0][0]));
        prop_assert_eq!(processed.claims.len(), 2); // the disclosed claim and cnf
        // A presentation with one more disclosure than the KB-JWT covers fails sd_hash.
        if issued.disclosures.len() > 1 {
            let extra = issued.disclosures.iter().find(|d| !keep.contains(&d.encoded)).unwrap();
            let (sd_part, kb) = text.rsplit_once('~').unwrap();
            let tampered = format!("{sd_part}~{}~{kb}", extra.encoded);
            let tampered = SdJwt::parse(&tampered).unwrap();
            prop_assert!(verify_key_binding(&tampered, "n-1", "x509_san_dns:v.example", 1000, 60).is_err());
        }
    }
}

/// CBOR data items of any shape, nested a few levels.
fn cbor_value() -> impl Strategy<Value = ciborium::Value> {
    use ciborium::Value as C;
    let leaf = prop_oneof![
        any::<i64>().prop_map(|i| C::Integer(i.into())),
        ".{0,12}".prop_map(C::Text),
        prop::collection::vec(any::<u8>(), 0..40).prop_map(C::Bytes),
        any::<bool>().prop_map(C::Bool),
        Just(C::Null),
        prop_oneof![Just("issuerAuth"), Just("documents"), Just("nameSpaces"), Just("version"), Just("status")]
            .prop_map(|s| C::Text(s.into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(C::Array),
            prop::collection::vec((inner.clone(), inner.clone()), 0..6).prop_map(C::Map),
            (prop_oneof![Just(0u64), Just(18), Just(24), Just(1004)], inner.clone())
                .prop_map(|(t, v)| C::Tag(t, Box::new(v))),
            inner.prop_map(|v| C::Tag(24, Box::new(C::Bytes(dialtone_protocols::mdoc::encode_cbor(&v))))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn shc_qr_and_jws_parsers_never_panic(text in ".*", digits in "shc:/([0-9]{1,3}/[0-9]{1,3}/)?[0-9]{0,80}") {
        let _ = dialtone_protocols::shc::decode_qr(&text);
        if let Ok(c) = dialtone_protocols::shc::decode_qr(&digits) {
            let _ = dialtone_protocols::shc::assemble(&[c.clone(), c]);
        }
        let _ = dialtone_protocols::shc::HealthCardJws::parse(&text);
        let _ = dialtone_protocols::shc::parse_file(text.as_bytes());
    }

    #[test]
    fn shc_numeric_encoding_round_trips(jws in "[A-Za-z0-9_.-]{0,3000}") {
        let chunks: Vec<_> = dialtone_protocols::shc::encode_qr(&jws)
            .iter()
            .map(|q| dialtone_protocols::shc::decode_qr(q))
            .collect::<Result<_, _>>()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(dialtone_protocols::shc::assemble(&chunks).map_err(|e| TestCaseError::fail(e.to_string()))?, jws);
    }

    #[test]
    fn raw_deflate_round_trips_and_inflation_is_bounded(bytes in prop::collection::vec(any::<u8>(), 0..4096), limit in 0usize..2048) {
        let packed = dialtone_protocols::shc::deflate_raw(&bytes);
        prop_assert_eq!(dialtone_protocols::shc::inflate_raw(&packed, 1 << 20).ok(), Some(bytes.clone()));
        match dialtone_protocols::shc::inflate_raw(&packed, limit) {
            Ok(out) => prop_assert!(out.len() <= limit),
            Err(_) => prop_assert!(bytes.len() > limit),
        }
        let _ = dialtone_protocols::shc::inflate_raw(&bytes, limit);
    }

    #[test]
    fn cbor_parsers_never_panic(value in cbor_value(), noise in prop::collection::vec(any::<u8>(), 0..200)) {
        let bytes = dialtone_protocols::mdoc::encode_cbor(&value);
        let _ = dialtone_protocols::mdoc::MdocArtifact::parse(&bytes);
        let _ = dialtone_protocols::mdoc::Mso::from_payload(&bytes);
        let _ = dialtone_protocols::cose::Sign1::parse(&bytes);
        let _ = dialtone_protocols::mdoc::MdocArtifact::parse(&noise);
        let _ = dialtone_protocols::cose::Sign1::parse(&noise);
        let wrapped = dialtone_protocols::mdoc::encode_cbor(&ciborium::Value::Map(vec![
            (ciborium::Value::Text("issuerAuth".into()), value.clone()),
            (ciborium::Value::Text("nameSpaces".into()), value),
        ]));
        let _ = dialtone_protocols::mdoc::MdocArtifact::parse(&wrapped);
    }

    #[test]
    fn datetime_stamps_never_panic(text in ".{0,40}") {
        let _ = dialtone_protocols::time::parse_datetime_stamp(&text);
    }
}
