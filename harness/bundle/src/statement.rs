//! What a bundle's signature binds: an in-toto Statement (v1) whose subjects are every file of the
//! bundle with its SHA-256, and whose predicate is dialtone's conformance result: the build of
//! dialtone that ran, the digest of every input (suites, vocabulary, PCTF catalogue, profiles,
//! vectors, the candidate's manifest, artifacts and keys for `check`), the candidate as its
//! manifest describes it, the overall verdict, every result (with the digest of its evidence),
//! the digest of the full evidence, and which files make the public view.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// in-toto Statement v1.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// dialtone's predicate: the result of a conformance run or check (this version of its shape).
pub const PREDICATE_TYPE: &str = "urn:dialtone:predicate:conformance-result:1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// Every file of the bundle but the envelope, with its digest.
    pub subject: Vec<ResourceDescriptor>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: Predicate,
}

/// An in-toto ResourceDescriptor: a name and its digests (here always `sha256`), with
/// annotations saying what it is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ResourceDescriptor {
    pub name: String,
    pub digest: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<InputKind>,
}

impl ResourceDescriptor {
    pub fn of(name: impl Into<String>, bytes: &[u8]) -> Self {
        Self::with_digest(name, crate::digest::sha256(bytes))
    }

    pub fn with_digest(name: impl Into<String>, sha256: String) -> Self {
        Self { name: name.into(), digest: BTreeMap::from([("sha256".to_string(), sha256)]), annotations: None }
    }

    /// An input of the run: what kind of file, and whether it is the copy built into dialtone.
    pub fn input(kind: &str, name: impl Into<String>, bytes: &[u8], built_in: bool) -> Self {
        let mut d = Self::of(name, bytes);
        d.annotations = Some(InputKind { kind: kind.into(), built_in });
        d
    }

    pub fn sha256(&self) -> Option<&str> {
        self.digest.get("sha256").map(String::as_str)
    }
}

/// What an input is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InputKind {
    /// `suite`, `vocabulary`, `catalogue`, `profile`, `vector`, `manifest`, `expectations`,
    /// `artifact`, `keys`, `trust`, `tls-ca`.
    pub kind: String,
    /// The copy built into this dialtone (`true`), or a file given on the command line or found
    /// in the working folder.
    pub built_in: bool,
}

/// dialtone's conformance result.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Predicate {
    pub dialtone: Build,
    /// `run` or `check` (a merged campaign of shards is a `run`).
    pub command: String,
    /// The options that shaped what was judged.
    pub invocation: BTreeMap<String, serde_json::Value>,
    /// When the report was made (RFC 3339).
    pub generated_at: String,
    /// Every suite, vocabulary, catalogue, profile, vector, manifest and other file the run read.
    pub inputs: Vec<ResourceDescriptor>,
    pub candidate: Candidate,
    pub verdict: OverallVerdict,
    pub results: Vec<ResultEntry>,
    /// `check`: the verdict on each stored artifact.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<ArtifactEntry>,
    pub evidence: EvidenceDigest,
    /// Which files make the full bundle, and which the public view (`dialtone publish`).
    pub views: Views,
}

/// The dialtone that ran.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Build {
    /// The crate version.
    pub version: String,
    /// The git commit checked out when the binary was built, when it was built in a git checkout
    /// (uncommitted changes are not told apart: `executable_sha256` names the build exactly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The SHA-256 of the program that signed: it names this build exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executable_sha256: Option<String>,
}

/// The candidate, as its manifest describes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    pub vendor: String,
    pub version: String,
    pub roles: Vec<String>,
    pub base_url: String,
    /// Its conformance statement: the formats, features and profiles it claims.
    pub conformance: Vec<String>,
    /// Interoperability profiles claimed.
    pub profiles: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OverallVerdict {
    /// `conforms`, `incomplete` or `does_not_conform`.
    pub status: String,
    pub statement: String,
    pub must_failures: usize,
    pub known_failures: usize,
    pub blocked: usize,
    pub should_warnings: usize,
    pub errors: usize,
    pub inconclusive: usize,
    pub unverified: usize,
    pub cases_judged: usize,
    pub cases_not_applicable: usize,
}

/// One case's (or rule's) result.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ResultEntry {
    pub id: String,
    pub plan: String,
    pub level: String,
    pub verdict: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<String>,
    /// A failure the expectations file lists.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub known_failure: bool,
    /// The SHA-256 of this result's evidence (its `evidence` array in `report.json`, in its RFC 8785
    /// canonical form): the public view withholds the evidence and still commits to it.
    pub evidence_sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ArtifactEntry {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    pub verdict: String,
}

/// The digest of the full evidence: of `[{"id", "evidence"}, …]` over every result of the file's
/// `results`, in order, in RFC 8785 canonical form.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct EvidenceDigest {
    pub file: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Views {
    /// The public view's files (no evidence bodies).
    pub public: Vec<String>,
    /// The public view's report (`public/report.json`), whose results the statement's must be.
    pub public_report: String,
}
