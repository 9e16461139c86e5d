//! dialtone's test vectors, Wycheproof-style: one file per format under `vectors/`, groups that
//! carry the judging context (keys, trust list, roots, time, nonce, audience) and tests with an id,
//! a comment, flags, the artifact, the expected result (`valid | invalid | acceptable`) and the rules
//! an invalid artifact breaks. `generate` is deterministic: the same bytes on every run, from
//! dialtone's own seeded keys; `run` judges every test with `dialtone check`'s code.

pub mod build;
mod mdoc;
mod sd_jwt_vc;
mod shc;
mod shc_images;
mod vc;

use dialtone_protocols::shc::revocation::RevocationList;
use dialtone_rules::keys::{self, KeyRing};
use dialtone_rules::{Artifact, ArtifactVerdict, Context, Format, Profiles};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The instant every vector is judged at (generated artifacts are valid around it).
pub(crate) const VECTORS_NOW: &str = "2026-06-01T00:00:00Z";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VectorFile {
    pub algorithm: String,
    pub format: String,
    pub(crate) generator_version: String,
    pub number_of_tests: usize,
    pub header: Vec<String>,
    /// Flag → what it means.
    pub notes: std::collections::BTreeMap<String, String>,
    pub test_groups: Vec<TestGroup>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TestGroup {
    pub comment: String,
    /// Public keys (a JWK Set) the verifier knows.
    pub keys: Value,
    /// Trust list (`--trust` form), or null.
    pub trust: Option<Value>,
    /// Trusted root certificates, PEM, or null.
    pub roots_pem: Option<String>,
    pub now: String,
    pub nonce: Option<String>,
    pub aud: Option<String>,
    /// SMART Health Card revocation lists (`--crl` form), one per issuer key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revocation_lists: Vec<Value>,
    pub tests: Vec<TestCase>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TestCase {
    pub tc_id: usize,
    pub comment: String,
    pub flags: Vec<String>,
    /// Text artifacts, one per part (QR chunks are several).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub artifact: Vec<String>,
    /// Binary artifacts (CBOR, PNG), standard base64.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) artifact_base64: Vec<String>,
    pub result: String,
    /// The rules an invalid (or acceptable) artifact fails; empty for valid ones.
    pub failed_rules: Vec<String>,
}

/// Every vector file, generated.
pub fn generate() -> Vec<VectorFile> {
    let mut files = vec![sd_jwt_vc::file(), vc::file(), shc::file(), mdoc::file()];
    for f in &mut files {
        let mut id = 0;
        for g in &mut f.test_groups {
            for t in &mut g.tests {
                id += 1;
                t.tc_id = id;
            }
        }
        f.number_of_tests = id;
        f.generator_version = format!("dialtone {}", env!("CARGO_PKG_VERSION"));
    }
    files
}

/// The file name of a vector file under `vectors/`.
pub fn file_name(f: &VectorFile) -> String {
    format!("{}.json", f.format)
}

pub fn to_json(f: &VectorFile) -> String {
    serde_json::to_string_pretty(f).map(|s| s + "\n").unwrap_or_default()
}

/// The context a group states, as `dialtone check` would build it from its options.
pub fn context(group: &TestGroup) -> Result<Context, String> {
    let mut ring = KeyRing {
        keys: keys::jwks_of(&group.keys).unwrap_or_default(),
        published: keys::published_of(&group.keys),
        ..Default::default()
    };
    if let Some(trust) = &group.trust {
        ring.trust = Some(keys::load_trust_file(trust.to_string().as_bytes()).map_err(|e| e.to_string())?);
        ring.published.extend(keys::published_in_trust_file(trust.to_string().as_bytes()));
    }
    if let Some(pem) = &group.roots_pem {
        ring.roots = keys::pem_certificates(pem);
    }
    let now = dialtone_protocols::time::parse_datetime_stamp(&group.now).ok_or("group time")?;
    let revocation = group
        .revocation_lists
        .iter()
        .map(|l| RevocationList::parse(l.to_string().as_bytes()).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Context {
        keys: ring,
        now,
        now_given: true,
        nonce: group.nonce.clone(),
        aud: group.aud.clone(),
        profiles: Profiles::embedded(),
        qr_images: Default::default(),
        revocation,
    })
}

/// A test's artifact and the format `check` is told, as `run` judges it (the vc file holds three
/// securings; a test's flag says which). Base64 that does not decode becomes an empty part.
pub fn artifact_of(file: &VectorFile, t: &TestCase) -> (Artifact, Option<Format>) {
    let parts: Vec<Vec<u8>> = if t.artifact_base64.is_empty() {
        t.artifact.iter().map(|a| a.as_bytes().to_vec()).collect()
    } else {
        t.artifact_base64.iter().map(|a| dialtone_protocols::b64::decode_std_any(a).unwrap_or_default()).collect()
    };
    let format = match Format::from_name(&file.format) {
        Some(Format::VcJose) => vc::format_of(&t.flags),
        other => other,
    };
    (Artifact { name: format!("tc{}", t.tc_id), parts }, format)
}

/// One test's outcome against its expectation.
#[derive(Debug)]
pub struct Mismatch {
    pub tc_id: usize,
    pub comment: String,
    pub expected: (String, Vec<String>),
    pub got: (String, Vec<String>),
}

/// Judges every test of a file; returns the tests whose verdict or failed rules differ.
pub fn run(file: &VectorFile) -> Result<Vec<Mismatch>, String> {
    let mut out = Vec::new();
    for group in &file.test_groups {
        let ctx = context(group)?;
        for t in &group.tests {
            let (a, format) = artifact_of(file, t);
            let judged = dialtone_rules::judge(&a, format, &ctx);
            let verdict = judged.verdict();
            let mut failed: Vec<String> = judged.failed().iter().map(|s| s.to_string()).collect();
            failed.sort();
            let mut expected_rules = t.failed_rules.clone();
            expected_rules.sort();
            if verdict.as_str() != t.result || failed != expected_rules {
                out.push(Mismatch {
                    tc_id: t.tc_id,
                    comment: t.comment.clone(),
                    expected: (t.result.clone(), expected_rules),
                    got: (verdict.as_str().to_string(), failed),
                });
            }
        }
    }
    Ok(out)
}

/// A test, its result derived from the failed rules' levels.
pub fn case(comment: &str, flags: &[&str], artifact: Vec<String>, failed: &[&str]) -> TestCase {
    TestCase {
        tc_id: 0,
        comment: comment.into(),
        flags: flags.iter().map(|s| s.to_string()).collect(),
        artifact,
        artifact_base64: Vec::new(),
        result: result_of(failed).as_str().into(),
        failed_rules: failed.iter().map(|s| s.to_string()).collect(),
    }
}

pub(crate) fn case_binary(comment: &str, flags: &[&str], bytes: Vec<Vec<u8>>, failed: &[&str]) -> TestCase {
    let mut t = case(comment, flags, Vec::new(), failed);
    t.artifact_base64 = bytes.iter().map(dialtone_protocols::b64::encode_std).collect();
    t
}

/// A test whose artifact is in a form dialtone recognizes but does not read: `unsupported`.
pub(crate) fn unsupported(mut t: TestCase) -> TestCase {
    t.result = ArtifactVerdict::Unsupported.as_str().into();
    t
}

fn result_of(failed: &[&str]) -> ArtifactVerdict {
    use dialtone_engine::model::Level;
    let level = |id: &&str| dialtone_rules::table::find(id).map(|r| r.level);
    if failed.is_empty() {
        ArtifactVerdict::Valid
    } else if failed.iter().any(|id| level(id) == Some(Level::Must) || level(id).is_none()) {
        ArtifactVerdict::Invalid
    } else {
        ArtifactVerdict::Acceptable
    }
}
