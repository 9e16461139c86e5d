//! Signed result bundles. `dialtone run --sign` and `dialtone check --sign` seal their reports in a
//! bundle; `dialtone verify` and a review service check one with one call ([`verify`]).
//!
//! A bundle is a gzip-compressed tar archive (or the folder it unpacks to) of:
//!
//! | file | what |
//! |---|---|
//! | `attestation.dsse.json` | a DSSE envelope signing an in-toto Statement v1 ([`statement`]) whose subjects are every other file with its SHA-256 |
//! | `signer.pub.pem` | the public key that signed (SubjectPublicKeyInfo PEM): integrity for anyone; whom to trust is the verifier's choice |
//! | `report.json`, `report.html`, `junit.xml` | the reports, with the evidence |
//! | `public/report.json`, `public/report.html` | the public view: verdicts, clauses, PCTF criteria, no evidence bodies |
//!
//! `dialtone publish` keeps the envelope, the key and `public/`: the same signature verifies it,
//! the withheld files named.

mod archive;
pub mod digest;
pub mod dsse;
mod error;
mod evidence;
pub mod public;
mod seal;
pub mod signing;
pub mod statement;
mod verify;

pub use archive::{pack, read_dir, unpack};
pub use error::BundleError;
pub use seal::{Seal, Sealed, build_commit, seal, this_build};
pub use signing::{KeyError, PublicKey, SigningKey};
pub use verify::{VerifiedBundle, View, publish, verify, verify_files, verify_with_key};

/// A bundle's files by name (`/`-separated, relative).
pub type Files = std::collections::BTreeMap<String, Vec<u8>>;

/// The DSSE envelope.
pub const ENVELOPE: &str = "attestation.dsse.json";
/// The public key that signed.
pub const SIGNER_KEY: &str = "signer.pub.pem";
pub const REPORT_JSON: &str = "report.json";
pub const REPORT_HTML: &str = "report.html";
pub const JUNIT_XML: &str = "junit.xml";
pub const PUBLIC_REPORT_JSON: &str = "public/report.json";
pub const PUBLIC_REPORT_HTML: &str = "public/report.html";

/// Bounds on reading a bundle from someone else.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The archive as received (compressed).
    pub archive_bytes: u64,
    /// All files together, unpacked.
    pub unpacked_bytes: u64,
    /// One file.
    pub file_bytes: u64,
    /// The envelope (the statement lists every result; 289 results make about 80 KB).
    pub envelope_bytes: u64,
    pub files: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            archive_bytes: 64 << 20,
            unpacked_bytes: 128 << 20,
            file_bytes: 96 << 20,
            envelope_bytes: 16 << 20,
            files: 64,
        }
    }
}
