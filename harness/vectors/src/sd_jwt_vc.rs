//! SD-JWT VC vectors: issued credentials (no key binding expected) and presentations (a verifier's
//! nonce and audience given).

use crate::build::{self, DAY};
use crate::{TestGroup, VectorFile, case};
use dialtone_protocols::b64;
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::sdjwt::{self, ConcealRules, Disclosure, HashAlg, SdJwt};
use dialtone_protocols::seed::Entropy;
use serde_json::{Map, Value, json};

const ISS: &str = "https://issuer.dialtone.example";
const VCT: &str = "urn:dialtone:vct:verified-person:1";
const NONCE: &str = "n-0S6_WzA2Mj";
const AUD: &str = "x509_san_dns:verifier.dialtone.example";

struct Spec {
    header: Value,
    claims: Map<String, Value>,
    sd_paths: Vec<Vec<&'static str>>,
    salt_bytes: usize,
    key: EcKey,
}

fn base() -> Spec {
    let now = build::now();
    let holder = build::key("sd-jwt-vc/holder");
    let claims = json!({
        "iss": ISS,
        "vct": VCT,
        "iat": now - DAY,
        "exp": now + 365 * DAY,
        "cnf": {"jwk": holder.public_jwk()},
        "status": {"status_list": {"idx": 7, "uri": "https://issuer.dialtone.example/status/1"}},
        "given_name": "ᓄᓇᕗᑦ E\u{301}lodie",
        "family_name": "Kʼómoks-Tremblay",
        "birthdate": "1990-07-01",
        "email": "elodie@example.ca",
        "address": {"locality": "Iqaluit", "region": "NU", "country": "CA"},
        "nationalities": ["CA", "FR"],
    });
    let key = build::key("sd-jwt-vc/issuer");
    Spec {
        header: json!({"typ": "dc+sd-jwt", "kid": key.thumbprint()}),
        claims: claims.as_object().cloned().unwrap_or_default(),
        sd_paths: vec![
            vec!["given_name"],
            vec!["family_name"],
            vec!["birthdate"],
            vec!["email"],
            vec!["address"],
            vec!["address", "locality"],
            vec!["nationalities", "*"],
        ],
        salt_bytes: 16,
        key,
    }
}

/// Issues: conceal, sign; returns the SD-JWT text and its disclosures.
fn issue(spec: &Spec) -> (String, String, Vec<Disclosure>) {
    let paths: Vec<&[&str]> = spec.sd_paths.iter().map(Vec::as_slice).collect();
    let mut rules = ConcealRules::new(&paths);
    rules.salt_bytes = spec.salt_bytes;
    let concealed = sdjwt::conceal(&spec.claims, &rules, HashAlg::Sha256, &Entropy::seeded(11));
    let jwt = spec.key.sign_jws(&spec.header, &Value::Object(concealed.payload));
    (sdjwt::serialize(&jwt, &concealed.disclosures), jwt, concealed.disclosures)
}

fn issued(spec: &Spec) -> String {
    issue(spec).0
}

fn with(f: impl FnOnce(&mut Spec)) -> String {
    let mut s = base();
    f(&mut s);
    issued(&s)
}

/// Re-signs an issuer-signed JWT after editing its payload (digests stay as they were).
fn edit_payload(text: &str, key: &EcKey, edit: impl FnOnce(&mut Map<String, Value>)) -> String {
    let sd = SdJwt::parse(text).expect("own vector parses");
    let mut payload = sd.issuer_jwt.payload.clone();
    edit(&mut payload);
    let jwt = key.sign_jws(&Value::Object(sd.issuer_jwt.header.clone()), &Value::Object(payload));
    format!("{jwt}{}", &text[sd.issuer_jwt_text.len()..])
}

/// Re-signs an issuer-signed JWT after editing its header (payload and disclosures as they were).
fn edit_header(text: &str, key: &EcKey, edit: impl FnOnce(&mut Map<String, Value>)) -> String {
    let sd = SdJwt::parse(text).expect("own vector parses");
    let mut header = sd.issuer_jwt.header.clone();
    edit(&mut header);
    let jwt = key.sign_jws(&Value::Object(header), &Value::Object(sd.issuer_jwt.payload.clone()));
    format!("{jwt}{}", &text[sd.issuer_jwt_text.len()..])
}

/// Re-signs an issuer-signed JWT whose header and payload JSON are given as text (for members a
/// JSON object cannot hold twice), the disclosures as they were.
fn resign_raw(text: &str, key: &EcKey, header: &str, payload: &str) -> String {
    let sd = SdJwt::parse(text).expect("own vector parses");
    let jwt = key.sign_input(&format!("{}.{}", b64::encode(header), b64::encode(payload)));
    format!("{jwt}{}", &text[sd.issuer_jwt_text.len()..])
}

/// A JSON object's text with `member` (`"name":value`) written once more at its start.
fn with_repeated(object: &Value, member: &str) -> String {
    let text = object.to_string();
    format!("{{{member},{}", &text[1..])
}

/// An SD-JWT whose payload's `_sd` holds the digests of `disclosures`, signed by the issuer.
fn with_disclosures(spec: &Spec, disclosures: &[Disclosure]) -> String {
    let mut payload = spec.claims.clone();
    for d in disclosures {
        if let Some(name) = &d.name {
            payload.remove(name);
        }
    }
    let digests: Vec<String> = disclosures.iter().map(|d| HashAlg::Sha256.digest(&d.encoded)).collect();
    payload.insert("_sd".into(), json!(digests));
    payload.insert("_sd_alg".into(), json!("sha-256"));
    let jwt = spec.key.sign_jws(&spec.header, &Value::Object(payload));
    sdjwt::serialize(&jwt, disclosures)
}

/// A presentation whose Key Binding JWT carries `claims` as given (signed by the holder's key).
fn present_kb(text: &str, key: &EcKey, claims: Value) -> String {
    let sd = SdJwt::parse(text).expect("own vector parses");
    let sd_part = sdjwt::serialize(&sd.issuer_jwt_text, &sd.disclosures);
    let mut claims = claims;
    claims["sd_hash"] = json!(sdjwt::sd_hash(&sd_part, HashAlg::Sha256));
    format!("{sd_part}{}", key.sign_jws(&json!({"typ": "kb+jwt"}), &claims))
}

fn present(text: &str, nonce: &str, aud: &str, iat: i64, key: &EcKey, keep: &dyn Fn(&Disclosure) -> bool) -> String {
    let sd = SdJwt::parse(text).expect("own vector parses");
    sdjwt::present(&sd, keep, Some((key, nonce, aud, iat))).expect("presents")
}

fn flip_signature(jwt_text: &str) -> String {
    let (head, sig) = jwt_text.rsplit_once('.').unwrap_or((jwt_text, ""));
    let mut bytes = b64::decode(sig).unwrap_or_default();
    if let Some(b) = bytes.get_mut(10) {
        *b ^= 0x01;
    }
    format!("{head}.{}", b64::encode(bytes))
}

pub fn file() -> VectorFile {
    let now = build::now();
    let b = base();
    let issuer_key = b.key.clone();
    let other_issuer = build::key("sd-jwt-vc/other-issuer");
    let unknown = build::key("sd-jwt-vc/unknown");
    let holder = build::key("sd-jwt-vc/holder");
    let valid = issued(&b);
    let one = |s: &str| vec![s.to_string()];
    let mut tests = vec![
        case(
            "a valid SD-JWT VC: flat, nested (address.locality) and array element disclosures, decoys",
            &["Valid"],
            one(&valid),
            &[],
        ),
        case(
            "valid without a status claim",
            &["Valid"],
            one(&with(|s| {
                s.claims.remove("status");
            })),
            &[],
        ),
        case(
            "valid: only the profile's claims, all selectively disclosable",
            &["Valid"],
            one(&with(|s| {
                for c in ["email", "address", "nationalities"] {
                    s.claims.remove(c);
                }
                s.sd_paths.truncate(3);
            })),
            &[],
        ),
        case(
            "typ vc+sd-jwt (the media type before SD-JWT VC draft 06)",
            &["MediaType"],
            one(&with(|s| s.header["typ"] = json!("vc+sd-jwt"))),
            &["SDJWTVC-002"],
        ),
        case(
            "no typ header",
            &["MediaType"],
            one(&with(|s| {
                s.header.as_object_mut().map(|h| h.remove("typ"));
            })),
            &["SDJWTVC-002"],
        ),
        case("typ JWT", &["MediaType"], one(&with(|s| s.header["typ"] = json!("JWT"))), &["SDJWTVC-002"]),
        case(
            "signature altered in one bit",
            &["SignatureTampered"],
            one(&{
                let (_, jwt, d) = issue(&b);
                sdjwt::serialize(&flip_signature(&jwt), &d)
            }),
            &["SDJWTVC-004"],
        ),
        case(
            "signed by a key the verifier does not know",
            &["UnknownKey"],
            one(&with(|s| s.key = unknown.clone())),
            &["SDJWTVC-004"],
        ),
        case(
            "signed by a real key of another issuer (the trust list gives it to that issuer)",
            &["WrongIssuerKey"],
            one(&with(|s| {
                s.key = other_issuer.clone();
                s.header["kid"] = json!(other_issuer.thumbprint());
            })),
            &["SDJWTVC-005"],
        ),
        case(
            "iss names another issuer than the one owning the key",
            &["WrongIssuerKey"],
            one(&with(|s| {
                s.claims.insert("iss".into(), json!("https://elsewhere.dialtone.example"));
            })),
            &["SDJWTVC-005"],
        ),
        case(
            "no iss",
            &["MissingClaim"],
            one(&with(|s| {
                s.claims.remove("iss");
            })),
            &["SDJWTVC-005", "SDJWTVC-006"],
        ),
        case(
            "no vct",
            &["MissingClaim"],
            one(&with(|s| {
                s.claims.remove("vct");
            })),
            &["SDJWTVC-007"],
        ),
        case(
            "vct is a number",
            &["WrongType"],
            one(&with(|s| {
                s.claims.insert("vct".into(), json!(42));
            })),
            &["SDJWTVC-007"],
        ),
        case(
            "expired a second before the verification time",
            &["Expired"],
            one(&with(|s| {
                s.claims.insert("exp".into(), json!(now - 1));
            })),
            &["SDJWTVC-008"],
        ),
        case(
            "nbf an hour after the verification time",
            &["NotYetValid"],
            one(&with(|s| {
                s.claims.insert("nbf".into(), json!(now + 3600));
            })),
            &["SDJWTVC-008"],
        ),
        case(
            "iat a day after the verification time",
            &["NotYetValid"],
            one(&with(|s| {
                s.claims.insert("iat".into(), json!(now + DAY));
            })),
            &["SDJWTVC-008"],
        ),
        case(
            "exp as an RFC 3339 string",
            &["WrongType"],
            one(&with(|s| {
                s.claims.insert("exp".into(), json!(build::rfc3339(now + DAY)));
            })),
            &["SDJWTVC-008"],
        ),
        case(
            "exp before iat (both within clock skew of now)",
            &["Inconsistent"],
            one(&with(|s| {
                s.claims.insert("iat".into(), json!(now + 200));
                s.claims.insert("exp".into(), json!(now + 100));
            })),
            &["SDJWTVC-008"],
        ),
        case(
            "a disclosure no digest references (appended)",
            &["UnreferencedDisclosure"],
            one(&{
                let extra = Disclosure::new("c2FsdHNhbHRzYWx0c2FsdA", Some("over_18"), &json!(true));
                format!("{valid}{}~", extra.encoded)
            }),
            &["SDJWTVC-009"],
        ),
        case(
            "an _sd digest altered (its disclosure no longer matches)",
            &["DigestTampered"],
            one(&edit_payload(&valid, &issuer_key, |p| {
                if let Some(Value::Array(sd)) = p.get_mut("_sd")
                    && let Some(Value::String(d)) = sd.first_mut()
                {
                    d.replace_range(0..2, if d.starts_with("AA") { "BB" } else { "AA" });
                }
            })),
            &["SDJWTVC-009"],
        ),
        case(
            "a digest repeated in _sd",
            &["DuplicateDigest"],
            one(&edit_payload(&valid, &issuer_key, |p| {
                if let Some(Value::Array(sd)) = p.get_mut("_sd")
                    && let Some(first) = sd.first().cloned()
                {
                    sd.push(first);
                }
            })),
            &["SDJWTVC-009"],
        ),
        case(
            "_sd_alg names an unsupported hash (md5)",
            &["UnsupportedHash"],
            one(&edit_payload(&valid, &issuer_key, |p| {
                p.insert("_sd_alg".into(), json!("md5"));
            })),
            &["SDJWTVC-009"],
        ),
        case(
            "a disclosure that is not base64url JSON",
            &["MalformedDisclosure"],
            one(&format!("{valid}!!notbase64!!~")),
            &["SDJWTVC-001"],
        ),
        case(
            "no trailing '~' after the last disclosure",
            &["Structure"],
            one(valid.trim_end_matches('~')),
            &["SDJWTVC-001"],
        ),
        case(
            "a JWT without any '~'",
            &["Structure"],
            one(valid.split('~').next().unwrap_or_default()),
            &["SDJWTVC-001"],
        ),
        case(
            "an issuer-signed JWT payload of 10,000 nested arrays",
            &["Hostile"],
            one(&{
                let payload = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
                format!(
                    "{}.{}.{}~",
                    b64::encode(r#"{"alg":"ES256","typ":"dc+sd-jwt"}"#),
                    b64::encode(payload),
                    b64::encode([0u8; 64])
                )
            }),
            &["SDJWTVC-001"],
        ),
        case(
            "vct selectively disclosable (a registered claim)",
            &["RegisteredClaimDisclosable"],
            one(&with(|s| s.sd_paths.push(vec!["vct"]))),
            &["SDJWTVC-007", "SDJWTVC-010"],
        ),
        case(
            "cnf selectively disclosable",
            &["RegisteredClaimDisclosable"],
            one(&with(|s| s.sd_paths.push(vec!["cnf"]))),
            &["SDJWTVC-010"],
        ),
        case(
            "status selectively disclosable",
            &["RegisteredClaimDisclosable"],
            one(&with(|s| s.sd_paths.push(vec!["status"]))),
            &["SDJWTVC-010"],
        ),
        case("salts of 8 bytes", &["WeakSalt"], one(&with(|s| s.salt_bytes = 8)), &["SDJWTVC-011"]),
        case(
            "status_list idx is a string",
            &["Status"],
            one(&with(|s| {
                s.claims.insert(
                    "status".into(),
                    json!({"status_list": {"idx": "7", "uri": "https://issuer.dialtone.example/status/1"}}),
                );
            })),
            &["SDJWTVC-013"],
        ),
        case(
            "status_list uri that is not a URI",
            &["Status"],
            one(&with(|s| {
                s.claims.insert("status".into(), json!({"status_list": {"idx": 7, "uri": "status list 1"}}));
            })),
            &["SDJWTVC-013"],
        ),
        case(
            "status is an empty object",
            &["Status"],
            one(&with(|s| {
                s.claims.insert("status".into(), json!({}));
            })),
            &["SDJWTVC-013"],
        ),
        case(
            "the profile's birthdate missing",
            &["Profile"],
            one(&with(|s| {
                s.claims.remove("birthdate");
                s.sd_paths.retain(|p| p != &vec!["birthdate"]);
            })),
            &["SDJWTVC-014"],
        ),
        case(
            "birthdate not a full-date",
            &["Profile"],
            one(&with(|s| {
                s.claims.insert("birthdate".into(), json!("01/07/1990"));
            })),
            &["SDJWTVC-014"],
        ),
        case(
            "given_name in clear although the profile makes it selectively disclosable",
            &["Profile"],
            one(&with(|s| {
                s.sd_paths.retain(|p| p != &vec!["given_name"]);
            })),
            &["SDJWTVC-015"],
        ),
        case(
            "alg HS256 (a MAC, not a signature)",
            &["WeakAlgorithm"],
            one(&{
                let jwt = valid.split('~').next().unwrap_or_default();
                let (_, payload) = jwt.split_once('.').unwrap_or_default();
                let payload = payload.split('.').next().unwrap_or_default();
                let header = b64::encode(json!({"alg": "HS256", "typ": "dc+sd-jwt"}).to_string());
                format!("{header}.{payload}.{}{}", b64::encode([7u8; 32]), &valid[jwt.len()..])
            }),
            &["SDJWTVC-003", "SDJWTVC-004"],
        ),
        case(
            "a key binding JWT on an issued credential judged without a nonce is checked all the same",
            &["KeyBinding"],
            one(&present(&valid, NONCE, AUD, now, &build::key("sd-jwt-vc/not-holder"), &|_| true)),
            &["SDJWTVC-012"],
        ),
        case(
            "valid: an SD-JWT VC without selectively disclosable claims, no _sd and no Disclosures",
            &["Valid"],
            one(&with(|s| {
                s.claims.insert("vct".into(), json!("urn:dialtone:vct:no-profile:1"));
                s.sd_paths.clear();
            })),
            &[],
        ),
        case(
            "valid: aka_vcts naming a more general type, and vct#integrity",
            &["Valid"],
            one(&with(|s| {
                s.claims.insert("aka_vcts".into(), json!(["urn:dialtone:vct:person"]));
                s.claims.insert("vct#integrity".into(), json!(format!("sha256-{}", b64::encode_std([7u8; 32]))));
            })),
            &[],
        ),
        case(
            "crit lists an extension parameter dialtone does not understand",
            &["CriticalHeader"],
            one(&edit_header(&valid, &issuer_key, |h| {
                h.insert("ext".into(), json!(true));
                h.insert("crit".into(), json!(["ext"]));
            })),
            &["JOSE-HDR-001"],
        ),
        case(
            "crit is the empty list",
            &["CriticalHeader"],
            one(&edit_header(&valid, &issuer_key, |h| {
                h.insert("crit".into(), json!([]));
            })),
            &["JOSE-HDR-001"],
        ),
        case(
            "the header names typ twice",
            &["DuplicateName"],
            one(&{
                let sd = SdJwt::parse(&valid).expect("parses");
                let header = with_repeated(&Value::Object(sd.issuer_jwt.header.clone()), r#""typ":"dc+sd-jwt""#);
                resign_raw(&valid, &issuer_key, &header, &Value::Object(sd.issuer_jwt.payload.clone()).to_string())
            }),
            &["JOSE-HDR-002"],
        ),
        case(
            "kid is a number",
            &["HeaderValue"],
            one(&edit_header(&valid, &issuer_key, |h| {
                h.insert("kid".into(), json!(7));
            })),
            &["JOSE-HDR-003"],
        ),
        case(
            "the payload names iss twice",
            &["DuplicateName"],
            one(&{
                let sd = SdJwt::parse(&valid).expect("parses");
                let payload =
                    with_repeated(&Value::Object(sd.issuer_jwt.payload.clone()), &format!("\"iss\":\"{ISS}\""));
                resign_raw(&valid, &issuer_key, &Value::Object(sd.issuer_jwt.header.clone()).to_string(), &payload)
            }),
            &["JWT-CLM-001"],
        ),
        case(
            "\"...\" as a key of an object that is no array element",
            &["ReservedName"],
            one(&edit_payload(&valid, &issuer_key, |p| {
                p.insert("note".into(), json!({"...": HashAlg::Sha256.digest("decoy")}));
            })),
            &["SDJWT-001"],
        ),
        case(
            "an array element digest with a second key",
            &["ReservedName"],
            one(&edit_payload(&valid, &issuer_key, |p| {
                if let Some(Value::Array(items)) = p.get_mut("nationalities") {
                    items.push(json!({"...": HashAlg::Sha256.digest("decoy"), "note": "x"}));
                }
            })),
            &["SDJWT-001"],
        ),
        case(
            "_sd_alg repeated inside address",
            &["ReservedName"],
            one(&with(|s| {
                s.claims["address"]["_sd_alg"] = json!("sha-256");
            })),
            &["SDJWT-001"],
        ),
        case(
            "a decoy digest of 16 bytes where SHA-256 gives 32",
            &["ReservedName"],
            one(&edit_payload(&valid, &issuer_key, |p| {
                if let Some(Value::Array(sd)) = p.get_mut("_sd") {
                    sd.push(json!(b64::encode([9u8; 16])));
                }
            })),
            &["SDJWT-001"],
        ),
        case(
            "two Disclosures with one salt",
            &["SaltReused"],
            one(&with_disclosures(
                &b,
                &[
                    Disclosure::new("c2FsdHNhbHRzYWx0c2FsdA", Some("given_name"), &b.claims["given_name"]),
                    Disclosure::new("c2FsdHNhbHRzYWx0c2FsdA", Some("family_name"), &b.claims["family_name"]),
                    Disclosure::new("b3RoZXJzYWx0b3RoZXJzYQ", Some("birthdate"), &b.claims["birthdate"]),
                    Disclosure::new("dGhpcmRzYWx0dGhpcmRzYQ", Some("address"), &b.claims["address"]),
                    Disclosure::new("Zm91cnRoc2FsdGZvdXJ0aA", Some("email"), &b.claims["email"]),
                ],
            )),
            &["SDJWT-002"],
        ),
        case(
            "a Disclosure sent twice",
            &["RepeatedDisclosure"],
            one(&{
                let sd = SdJwt::parse(&valid).expect("parses");
                format!("{valid}{}~", sd.disclosures[0].encoded)
            }),
            &["SDJWT-003"],
        ),
        case(
            "vct a bare word, in no collision-resistant namespace",
            &["WrongType"],
            one(&with(|s| {
                s.claims.insert("vct".into(), json!("VerifiedPerson"));
            })),
            &["SDJWTVC-007"],
        ),
        case(
            "cnf.jwk selectively disclosable (a sub-claim of a registered claim)",
            &["RegisteredClaimDisclosable"],
            one(&with(|s| s.sd_paths.push(vec!["cnf", "jwk"]))),
            &["SDJWTVC-010"],
        ),
        case(
            "a Key Binding JWT whose nonce is a number (judged without a verifier's nonce)",
            &["KeyBinding"],
            one(&present_kb(&valid, &holder, json!({"iat": now, "aud": AUD, "nonce": 42}))),
            &["SDJWTVC-012"],
        ),
        case(
            "a Key Binding JWT whose aud is an array",
            &["KeyBinding"],
            one(&present_kb(&valid, &holder, json!({"iat": now, "aud": [AUD], "nonce": NONCE}))),
            &["SDJWTVC-012"],
        ),
        case(
            "aka_vcts holds the vct",
            &["AkaVcts"],
            one(&with(|s| {
                s.claims.insert("aka_vcts".into(), json!([VCT]));
            })),
            &["SDJWTVC-016"],
        ),
        case(
            "aka_vcts is an empty array",
            &["AkaVcts"],
            one(&with(|s| {
                s.claims.insert("aka_vcts".into(), json!([]));
            })),
            &["SDJWTVC-016"],
        ),
        case(
            "vct#integrity a hex MD5 digest",
            &["Integrity"],
            one(&with(|s| {
                s.claims.insert("vct#integrity".into(), json!("md5-d41d8cd98f00b204e9800998ecf8427e"));
            })),
            &["SDJWTVC-017"],
        ),
        case(
            "_sd: [] in an SD-JWT VC without selectively disclosable claims",
            &["EmptySd"],
            one(&with(|s| {
                s.claims.insert("vct".into(), json!("urn:dialtone:vct:no-profile:1"));
                s.claims.insert("_sd".into(), json!([]));
                s.sd_paths.clear();
            })),
            &["SDJWTVC-018"],
        ),
    ];
    let keys_pub = vec![build::public_with_kid(&issuer_key)];
    let issued_group = TestGroup {
        comment: "issued SD-JWT VCs judged at the verification time with the issuer's keys and a trust list".into(),
        keys: build::jwks(&[&issuer_key, &other_issuer]),
        trust: Some(build::trust(&[
            (ISS, keys_pub.clone()),
            ("https://other.dialtone.example", vec![build::public_with_kid(&other_issuer)]),
        ])),
        roots_pem: None,
        now: crate::VECTORS_NOW.into(),
        nonce: None,
        aud: None,
        revocation_lists: Vec::new(),
        tests: std::mem::take(&mut tests),
    };
    let all = |_: &Disclosure| true;
    let minimal = |d: &Disclosure| matches!(d.name.as_deref(), Some("given_name" | "family_name" | "birthdate"));
    let presentations = vec![
        case(
            "a presentation with every disclosure and a key binding JWT",
            &["Valid"],
            one(&present(&valid, NONCE, AUD, now, &holder, &all)),
            &[],
        ),
        case(
            "a presentation of given_name, family_name and birthdate only",
            &["Valid"],
            one(&present(&valid, NONCE, AUD, now, &holder, &minimal)),
            &[],
        ),
        case("no key binding JWT where the verifier requires one", &["KeyBinding"], one(&valid), &["SDJWTVC-012"]),
        case(
            "KB-JWT with another nonce",
            &["KeyBinding"],
            one(&present(&valid, "another-nonce", AUD, now, &holder, &all)),
            &["SDJWTVC-012"],
        ),
        case(
            "KB-JWT for another audience",
            &["KeyBinding"],
            one(&present(&valid, NONCE, "x509_san_dns:other.example", now, &holder, &all)),
            &["SDJWTVC-012"],
        ),
        case(
            "KB-JWT signed by a key other than cnf",
            &["KeyBinding"],
            one(&present(&valid, NONCE, AUD, now, &build::key("sd-jwt-vc/not-holder"), &all)),
            &["SDJWTVC-012"],
        ),
        case(
            "KB-JWT issued an hour before the verification time",
            &["KeyBinding"],
            one(&present(&valid, NONCE, AUD, now - 3600, &holder, &all)),
            &["SDJWTVC-012"],
        ),
        case(
            "KB-JWT whose sd_hash covers other disclosures",
            &["KeyBinding"],
            one(&{
                let p = present(&valid, NONCE, AUD, now, &holder, &minimal);
                let kb = p.rsplit('~').next().unwrap_or_default().to_string();
                let full = present(&valid, NONCE, AUD, now, &holder, &all);
                format!("{}{kb}", &full[..full.rfind('~').map(|i| i + 1).unwrap_or(0)])
            }),
            &["SDJWTVC-012"],
        ),
        case(
            "KB-JWT with typ JWT",
            &["KeyBinding"],
            one(&{
                let sd = SdJwt::parse(&valid).expect("parses");
                let sd_part = sdjwt::serialize(&sd.issuer_jwt_text, &sd.disclosures);
                let kb = holder.sign_jws(
                &json!({"typ": "JWT"}),
                &json!({"iat": now, "aud": AUD, "nonce": NONCE, "sd_hash": sdjwt::sd_hash(&sd_part, HashAlg::Sha256)}),
            );
                format!("{sd_part}{kb}")
            }),
            &["SDJWTVC-012"],
        ),
    ];
    let mut presentations = presentations;
    presentations.push(case(
        "the Issuer-signed JWT has an aud naming another verifier",
        &["Audience"],
        one(&present(
            &with(|s| {
                s.claims.insert("aud".into(), json!("x509_san_dns:other.example"));
            }),
            NONCE,
            AUD,
            now,
            &holder,
            &all,
        )),
        &["JWT-CLM-002"],
    ));
    let presented_group = TestGroup {
        comment: "presentations judged with the verifier's nonce and audience".into(),
        keys: build::jwks(&[&issuer_key]),
        trust: Some(build::trust(&[(ISS, keys_pub)])),
        roots_pem: None,
        now: crate::VECTORS_NOW.into(),
        nonce: Some(NONCE.into()),
        aud: Some(AUD.into()),
        revocation_lists: Vec::new(),
        tests: presentations,
    };
    VectorFile {
        algorithm: "SD-JWT VC (RFC 9901, draft-ietf-oauth-sd-jwt-vc), ES256".into(),
        format: "sd-jwt-vc".into(),
        generator_version: String::new(),
        number_of_tests: 0,
        header: vec![
            "Generated by `dialtone vectors generate` from dialtone's seeded keys; do not edit by hand.".into(),
            "Each invalid test breaks one rule where it can; failedRules lists every rule dialtone check fails.".into(),
        ],
        notes: notes(&[
            ("Valid", "a conforming artifact"),
            ("MediaType", "a wrong or missing typ"),
            ("SignatureTampered", "the signature altered after signing"),
            ("UnknownKey", "signed by a key the verifier was not given"),
            ("WrongIssuerKey", "a real key, of another issuer than the credential names"),
            ("MissingClaim", "a required claim absent"),
            ("WrongType", "a claim of the wrong JSON type"),
            ("Expired", "past exp"),
            ("NotYetValid", "nbf or iat after the verification time"),
            ("Inconsistent", "time claims that contradict each other"),
            ("UnreferencedDisclosure", "a disclosure whose digest is nowhere in the payload"),
            ("DigestTampered", "a digest altered in the signed payload"),
            ("DuplicateDigest", "a digest that appears twice"),
            ("UnsupportedHash", "an _sd_alg dialtone refuses"),
            ("MalformedDisclosure", "a disclosure that does not decode"),
            ("Structure", "the '~' structure broken"),
            ("Hostile", "input built to exhaust a parser"),
            ("RegisteredClaimDisclosable", "a claim SD-JWT VC keeps in clear made disclosable"),
            ("WeakSalt", "salts below 128 bits (a SHOULD: acceptable)"),
            ("Status", "a malformed status reference"),
            ("Profile", "claims that break the verified-person profile"),
            ("WeakAlgorithm", "a MAC or none instead of a signature"),
            ("KeyBinding", "a key binding JWT that does not verify as the verifier requires"),
            ("CriticalHeader", "a crit header parameter naming what the verifier does not understand"),
            ("DuplicateName", "a header parameter or claim named twice"),
            ("HeaderValue", "a registered header parameter of the wrong kind"),
            ("ReservedName", "_sd, ... or _sd_alg where RFC 9901 does not put them, or a digest of the wrong length"),
            ("SaltReused", "two Disclosures sharing a salt"),
            ("RepeatedDisclosure", "a Disclosure sent more than once"),
            ("AkaVcts", "a malformed aka_vcts claim"),
            ("Integrity", "a vct#integrity that is not integrity metadata"),
            ("EmptySd", "an _sd claim where no claim is selectively disclosable"),
            ("Audience", "an aud that does not name the verifier"),
        ]),
        test_groups: vec![issued_group, presented_group],
    }
}

pub fn notes(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}
