//! The SMART Health Cards specification's examples (`../shared/vectors-public/shc-examples`, read in
//! place under their own licence) judged at their issuance time, and the example issuer's revocation
//! list (`shc-issuer-keys/…/.well-known/crl/<kid>.json`) judged on both sides of its timestamp.

use dialtone_cli::check::{self, CheckArgs};
use dialtone_engine::model::Outcome;
use dialtone_protocols::jose::EcKey;
use dialtone_protocols::seed::Entropy;
use dialtone_protocols::shc;
use dialtone_rules::{ArtifactReport, ArtifactVerdict};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors-public")
}

fn examples() -> PathBuf {
    shared().join("shc-examples")
}

fn issuer() -> PathBuf {
    shared().join("shc-issuer-keys/generate-examples/issuer/.well-known")
}

/// The example issuer's key that signs the examples, and its revocation list.
const KID: &str = "3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s";
/// The timestamp of the list's entry for example 03's rid (`vwAjHdarZuc.1664492124`).
const LIST_TIMESTAMP: i64 = 1_664_492_124;
/// The examples' issuance time: their `nbf` is 1715107763.677..678 (2024-05-07T18:49:23Z).
const ISSUANCE_TIME: &str = "1715107764";

fn args(files: Vec<PathBuf>, crl: bool, now: Option<&str>) -> CheckArgs {
    CheckArgs {
        keys: vec![issuer().join("jwks.json")],
        crl: if crl { vec![issuer().join(format!("crl/{KID}.json"))] } else { Vec::new() },
        now: now.map(str::to_string),
        ..CheckArgs::for_files(files)
    }
}

/// Every form of every example: the JWS, the .smart-health-card file, the QR codes as text and as
/// SVG images (example 02 in three chunks of each).
fn every_form() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for n in 0..4 {
        files.push(examples().join(format!("example-0{n}-d-jws.txt")));
        files.push(examples().join(format!("example-0{n}-e-file.smart-health-card")));
        for form in ["f-qr-code-numeric-value-{c}.txt", "g-qr-code-{c}.svg"] {
            let mut chunk = 0;
            loop {
                let path = examples().join(format!("example-0{n}-{}", form.replace("{c}", &chunk.to_string())));
                if !path.is_file() {
                    break;
                }
                files.push(path);
                chunk += 1;
            }
        }
    }
    files
}

fn judge(a: &CheckArgs) -> Vec<ArtifactReport> {
    let artifacts = check::read_artifacts(&a.files, a.special_files()).expect("artifacts read");
    let ctx = check::context(a).expect("context");
    check::judge_all(&artifacts, a.format, &std::sync::Arc::new(ctx), a.deadline)
}

fn outcome<'a>(report: &'a ArtifactReport, rule: &str) -> &'a Outcome {
    report.outcomes.iter().find(|(r, _)| r.id == rule).map(|(_, o)| o).expect("the rule is judged")
}

fn text_of(outcome: &Outcome) -> String {
    format!("{outcome:?}")
}

#[test]
fn every_example_in_every_form_judges_at_its_issuance_time() {
    let judged = judge(&args(every_form(), true, Some(ISSUANCE_TIME)));
    let names: Vec<&str> = judged.iter().map(|j| j.name.rsplit('/').next().unwrap_or_default()).collect();
    assert_eq!(
        judged.len(),
        16,
        "4 JWS, 4 files, 4 QR text sets, 4 SVG sets (example 02 in three chunks each): {names:?}"
    );
    for card in &judged {
        let failed = card.failed();
        // Example 02 is the chunked one: bound for QR codes, its Composition refers to its entries
        // as `Practitioner/…`, where a QR-bound bundle SHALL use `resource:` URIs (SHC-014). As a
        // JWS or a file it is not bound for a QR code and is valid.
        let qr_bound = card.name.contains("example-02-f-qr") || card.name.contains("example-02-g-qr");
        if qr_bound {
            assert_eq!(
                (card.verdict(), failed.as_slice()),
                (ArtifactVerdict::Invalid, &["SHC-014"][..]),
                "{}",
                card.name
            );
            let said = text_of(outcome(card, "SHC-014"));
            assert!(said.contains("Practitioner/"), "{said}");
        } else {
            assert_eq!(card.verdict(), ArtifactVerdict::Valid, "{}: {failed:?}", card.name);
        }
        if card.name.ends_with(".svg") {
            for rule in ["SHC-017", "SHC-018"] {
                assert!(
                    matches!(outcome(card, rule), Outcome::Pass { .. }),
                    "{} {rule}: {:?}",
                    card.name,
                    outcome(card, rule)
                );
            }
        }
    }
    let svg_chunks = judged.iter().find(|j| j.name.contains("example-02-g-qr-code-0.svg")).expect("example 02 as SVG");
    assert!(svg_chunks.name.ends_with("example-02-g-qr-code-1.svg+example-02-g-qr-code-2.svg"), "{}", svg_chunks.name);
}

#[test]
fn example_03_is_issued_after_its_rids_revocation_timestamp_and_is_not_revoked() {
    let judged = judge(&args(vec![examples().join("example-03-d-jws.txt")], true, Some(ISSUANCE_TIME)));
    let card = &judged[0];
    assert_eq!(card.verdict(), ArtifactVerdict::Valid, "{:?}", card.failed());
    let revocation = outcome(card, "SHC-021");
    assert!(matches!(revocation, Outcome::Pass { .. }), "{revocation:?}");
    let said = text_of(revocation);
    assert!(said.contains("vwAjHdarZuc.1664492124") && said.contains("issued before"), "{said}");
}

#[test]
fn without_the_list_the_revocation_rule_says_where_the_issuer_publishes_it() {
    let judged = judge(&args(vec![examples().join("example-03-d-jws.txt")], false, Some(ISSUANCE_TIME)));
    let revocation = outcome(&judged[0], "SHC-021");
    let said = text_of(revocation);
    assert!(matches!(revocation, Outcome::Skip { .. }), "{said}");
    assert!(
        said.contains("crlVersion 1")
            && said.contains(&format!("https://spec.smarthealth.cards/examples/issuer/.well-known/crl/{KID}.json"))
            && said.contains("--crl"),
        "{said}"
    );
}

/// Example 03's payload with its `nbf` set before the list's timestamp, under the example issuer's
/// header and `kid`. The example issuer's private key is not the project's to hold, so a key of the
/// test signs it (`SHC-008` and `SHC-007` fail with the published keys); the revocation rule judges
/// the card's `rid`, `kid` and `nbf` against the example list all the same.
fn example_03_issued_at(nbf: i64) -> PathBuf {
    let jws = std::fs::read_to_string(examples().join("example-03-d-jws.txt")).expect("example");
    let card = shc::HealthCardJws::parse(&jws).expect("parses");
    let mut payload = Value::Object(card.payload.clone());
    payload["nbf"] = json!(nbf);
    payload.as_object_mut().map(|p| p.remove("exp"));
    let key = EcKey::generate(&Entropy::seeded(11).derive("not the example issuer"));
    let header = json!({"zip": "DEF", "alg": "ES256", "kid": KID});
    let resigned = shc::sign_with_header(&key, &header, &shc::deflate_raw(payload.to_string().as_bytes()));
    let dir = std::env::temp_dir().join(format!("dialtone-shc-examples-{}-{nbf}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let path = dir.join("example-03-reissued.txt");
    std::fs::write(&path, resigned).expect("write");
    path
}

#[test]
fn the_example_list_revokes_example_03s_rid_only_for_cards_issued_before_its_timestamp() {
    for (nbf, revoked) in [
        (LIST_TIMESTAMP - 86_400, true),
        (LIST_TIMESTAMP - 1, true),
        (LIST_TIMESTAMP, false),
        (LIST_TIMESTAMP + 86_400, false),
    ] {
        let file = example_03_issued_at(nbf);
        let judged = judge(&args(vec![file.clone()], true, Some(&(nbf + 60).to_string())));
        let revocation = outcome(&judged[0], "SHC-021");
        let said = text_of(revocation);
        if revoked {
            assert!(matches!(revocation, Outcome::Fail { .. }), "nbf {nbf}: {said}");
            assert!(said.contains("vwAjHdarZuc.1664492124") && said.contains("issued before its timestamp"), "{said}");
        } else {
            assert!(matches!(revocation, Outcome::Pass { .. }), "nbf {nbf}: {said}");
        }
        // Re-signed by another key: the signature fails with the published keys, and nothing else.
        let mut failed = judged[0].failed();
        failed.retain(|id| *id != "SHC-021");
        assert_eq!(failed, vec!["SHC-008"], "nbf {nbf}");
        let _ = std::fs::remove_dir_all(file.parent().expect("dir"));
    }
}
