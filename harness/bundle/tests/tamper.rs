//! A sealed bundle verifies; any changed byte of any of its files is refused, naming the file; the
//! public view verifies against the same signature; hostile bytes never panic.

use dialtone_bundle::statement::ResourceDescriptor;
use dialtone_bundle::{BundleError, Files, Seal, SigningKey, View};
use dialtone_engine::model::{CandidateInfo, CaseResult, Level, Report, SpecRef, Verdict};
use dialtone_engine::pctf::Catalogue;
use dialtone_engine::report::{Assembly, Subject, assemble};
use dialtone_engine::role::Role;
use dialtone_http::EvidenceItem;
use std::collections::BTreeMap;

fn result(id: &str, verdict: Verdict, note: &str) -> CaseResult {
    CaseResult {
        id: id.into(),
        plan: "oid4vci-issuer".into(),
        title: format!("case {id}"),
        role: Role::Issuer,
        level: Level::Must,
        verdict,
        driver: "d".into(),
        spec: vec![SpecRef { doc: "OID4VCI-1.0".into(), section: "8.3".into() }],
        pctf: vec!["CRIS.07".into()],
        expected: "an answer".into(),
        observed: "one".into(),
        precondition: None,
        blocked_by: None,
        candidate_said: None,
        known_failure: None,
        level_by: None,
        evidence: vec![EvidenceItem::Note { text: note.into() }],
        duration_ms: 1.5,
        candidate_ms: 0.5,
    }
}

fn report() -> Report {
    let subject = Subject {
        candidate: CandidateInfo {
            name: "Example issuer".into(),
            vendor: "Example Inc.".into(),
            version: "2.4.1".into(),
            roles: vec![Role::Issuer],
            base_url: "https://issuer.example.ca".into(),
            conformance: vec!["format:dc+sd-jwt".into()],
        },
        suites: vec!["oid4vci-issuer".into()],
        profiles: Vec::new(),
        seed: Some(1),
    };
    let results = vec![
        result("VCI-ISS-META-001", Verdict::Pass, "GET /.well-known/openid-credential-issuer: 200"),
        result("VCI-ISS-CRED-001", Verdict::Fail, "POST /credential: 200 {\"credential\": \"…\"}"),
    ];
    let assembly =
        Assembly { subject, results, cases: &[], artifacts: Vec::new(), expectations: None, duration_ms: 3.0 };
    assemble(assembly, &Catalogue::embedded())
}

fn sealed(key: &SigningKey) -> Vec<u8> {
    let inputs = vec![ResourceDescriptor::input("suite", "suites/oid4vci-issuer.toml", b"[suite]", true)];
    let seal = Seal {
        report: &report(),
        command: "run",
        invocation: BTreeMap::from([("seed".to_string(), serde_json::json!(1))]),
        inputs,
        build: dialtone_bundle::this_build(),
    };
    dialtone_bundle::seal(seal, key).expect("sealed").archive
}

#[test]
fn a_sealed_bundle_verifies_with_its_key_and_says_what_it_binds() {
    let key = SigningKey::generate();
    let archive = sealed(&key);
    let verified = dialtone_bundle::verify_with_key(&archive, &key.public()).expect("verifies");
    assert!(verified.signer_trusted);
    assert_eq!(verified.view, View::Full);
    let p = &verified.statement.predicate;
    assert_eq!(p.candidate.vendor, "Example Inc.");
    assert_eq!(p.verdict.status, "does_not_conform");
    assert_eq!(p.results.len(), 2);
    assert_eq!(p.results[1].verdict, "fail");
    assert_eq!(p.dialtone.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(p.inputs[0].name, "suites/oid4vci-issuer.toml");
    let names: Vec<&str> = verified.statement.subject.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["junit.xml", "public/report.html", "public/report.json", "report.html", "report.json", "signer.pub.pem"]
    );
    // Without a key of one's own: intact, signed by the key it carries, not trusted.
    let carried = dialtone_bundle::verify(&archive).expect("intact");
    assert!(!carried.signer_trusted);
    assert_eq!(carried.key_id(), key.public().key_id());
    // Another key than the signer's is refused, naming both.
    let other = SigningKey::generate().public();
    let err = dialtone_bundle::verify_with_key(&archive, &other).unwrap_err();
    assert!(matches!(err, BundleError::OtherSigner { .. }), "{err}");
}

/// The review service's worry: any byte of any file changed — by a vendor turning failures into
/// passes, or by a damaged upload — is refused, and the error names the file.
#[test]
fn flipping_any_byte_of_any_bundled_file_is_refused_naming_the_file() {
    let key = SigningKey::generate();
    let files = dialtone_bundle::unpack(&sealed(&key), &dialtone_bundle::Limits::default()).unwrap();
    assert_eq!(files.len(), 7, "{:?}", files.keys().collect::<Vec<_>>());
    // Every byte of the signature and the key; of the reports, 64 bytes spread over the file, the
    // first and the last; each with several bit patterns (a bit, a whole byte, a space made a tab).
    let mut changes: Vec<(&str, usize, u8)> = Vec::new();
    for (name, bytes) in &files {
        let step = if name.ends_with(".pem") || name.ends_with(".dsse.json") { 1 } else { bytes.len() / 64 + 1 };
        let positions = (0..bytes.len()).step_by(step).chain([bytes.len() - 1]);
        for at in positions {
            let masks: &[u8] = if step == 1 { &[0x01, b' ' ^ b'\t'] } else { &[0x01, 0x80, 0xff, b' ' ^ b'\t'] };
            changes.extend(masks.iter().map(|&mask| (name.as_str(), at, mask)));
        }
    }
    let tried = changes.len();
    // Each change is verified on its own copy of the files: the changes are shared among the cores.
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let public = key.public();
    std::thread::scope(|scope| {
        for share in changes.chunks(tried.div_ceil(threads).max(1)) {
            let (files, public) = (&files, &public);
            scope.spawn(move || {
                for &(name, at, mask) in share {
                    let mut changed: Files = files.clone();
                    if let Some(b) = changed.get_mut(name).and_then(|f| f.get_mut(at)) {
                        *b ^= mask;
                    }
                    for trusted in [None, Some(public)] {
                        let err = dialtone_bundle::verify_files(changed.clone(), trusted)
                            .err()
                            .unwrap_or_else(|| panic!("{name} byte {at} ^ {mask:#x} went unnoticed"));
                        assert_eq!(err.file(), Some(name), "{name} byte {at} ^ {mask:#x}: {err}");
                    }
                }
            });
        }
    });
    assert!(tried > 5_000, "{tried}");
}

#[test]
fn a_file_added_or_removed_is_named() {
    let key = SigningKey::generate();
    let files = dialtone_bundle::unpack(&sealed(&key), &dialtone_bundle::Limits::default()).unwrap();
    let mut added = files.clone();
    added.insert("notes.txt".into(), b"trust me".to_vec());
    let err = dialtone_bundle::verify_files(added, None).unwrap_err();
    assert_eq!(err, BundleError::Unexpected { file: "notes.txt".into() });
    let mut removed = files.clone();
    removed.remove("public/report.json");
    let err = dialtone_bundle::verify_files(removed, None).unwrap_err();
    assert_eq!(err, BundleError::Missing { file: "public/report.json".into() });
}

#[test]
fn the_public_view_verifies_against_the_same_signature_without_the_evidence() {
    let key = SigningKey::generate();
    let verified = dialtone_bundle::verify(&sealed(&key)).unwrap();
    let public = dialtone_bundle::publish(&verified);
    let names: Vec<&str> = public.keys().map(String::as_str).collect();
    assert_eq!(names, ["attestation.dsse.json", "public/report.html", "public/report.json", "signer.pub.pem"]);
    let archive = dialtone_bundle::pack(&public).unwrap();
    let again = dialtone_bundle::verify_with_key(&archive, &key.public()).expect("the public view verifies");
    assert_eq!(
        again.view,
        View::Public { withheld: vec!["junit.xml".into(), "report.html".into(), "report.json".into()] }
    );
    let text = String::from_utf8(again.public_report().to_vec()).unwrap();
    assert!(text.contains("VCI-ISS-CRED-001") && text.contains("\"verdict\""), "verdicts are public");
    assert!(!text.contains("POST /credential"), "the evidence is not");
    let html = String::from_utf8(again.files["public/report.html"].clone()).unwrap();
    assert!(!html.contains("POST /credential"));
    // The public report is a report.json like any other.
    let schema: serde_json::Value = serde_json::from_str(dialtone_reports::SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let problems: Vec<String> =
        validator.iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(problems.is_empty(), "{problems:?}");
}

/// A signer's statement that disagrees with its own reports (a forged statement signed with a
/// real key) is refused too.
#[test]
fn a_statement_that_disagrees_with_the_reports_it_signs_is_refused() {
    let key = SigningKey::generate();
    let files = dialtone_bundle::unpack(&sealed(&key), &dialtone_bundle::Limits::default()).unwrap();
    let envelope: dialtone_bundle::dsse::Envelope = serde_json::from_slice(&files["attestation.dsse.json"]).unwrap();
    use base64::Engine;
    let payload = base64::engine::general_purpose::STANDARD.decode(&envelope.payload).unwrap();
    let mut statement: dialtone_bundle::statement::Statement = serde_json::from_slice(&payload).unwrap();
    statement.predicate.results[1].verdict = "pass".into();
    statement.predicate.verdict.status = "conforms".into();
    let forged = dialtone_bundle::dsse::Envelope::sign(&serde_json::to_vec_pretty(&statement).unwrap(), &key);
    let mut files = files.clone();
    files.insert("attestation.dsse.json".into(), forged.to_bytes());
    let err = dialtone_bundle::verify_files(files, Some(&key.public())).unwrap_err();
    assert_eq!(err.file(), Some("public/report.json"), "{err}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Bytes from anyone: a damaged archive is an error, never a panic.
    #[test]
    fn damaged_archives_are_errors_not_panics(at in 0usize..100_000, mask in 1u8..=255, cut in 0usize..100_000) {
        static ARCHIVE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let archive = ARCHIVE.get_or_init(|| sealed(&SigningKey::generate()));
        let mut bytes = archive.clone();
        let at = at % bytes.len();
        bytes[at] ^= mask;
        let _ = dialtone_bundle::verify(&bytes);
        bytes.truncate(cut % bytes.len());
        let _ = dialtone_bundle::verify(&bytes);
    }
}
