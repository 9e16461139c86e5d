//! The `dialtone` command. `main.rs` only parses arguments; the commands live here so that tests
//! drive them exactly as a user does.

#[macro_use]
pub mod out;

pub mod allocator;
pub mod bench;
pub mod bench_formats;
pub mod catalogue;
pub mod check;
pub mod counterparts;
pub mod input_file;
pub mod interop;
pub mod interop_bench;
pub mod interop_report;
pub mod interop_shard;
pub mod qr_child;
pub mod reference;
pub mod run;
pub mod selftest;
pub mod serve;
pub mod shard;
pub mod sign;
pub mod verify;
pub mod words;

use std::path::PathBuf;

/// Text for the terminal. Every terminal write of text that a candidate, an artifact or a user's file
/// controls (names, titles, paths, messages) goes through it, or through
/// `dialtone_reports::terminal::sanitize_lines` for messages of several lines: the one sanitizer,
/// `dialtone_engine::safe_text`, neutralises escape sequences and invisible characters.
pub fn shown(text: impl std::fmt::Display) -> String {
    dialtone_reports::terminal::sanitize(&text.to_string(), 1000)
}

/// Exit codes (README): 0 every MUST case passed, 1 some failed, 2 usage or configuration error,
/// 3 harness or environment error.
pub mod exit {
    pub const OK: i32 = 0;
    pub const FAILED: i32 = 1;
    pub(crate) const CONFIG: i32 = 2;
    pub const HARNESS: i32 = 3;
    /// `check`: nothing invalid, but some artifact's signature was not verified with a trusted key.
    pub const UNVERIFIED: i32 = dialtone_engine::model::EXIT_UNVERIFIED;
}

/// A command failure with the exit code it maps to and a message for the user.
#[derive(Debug)]
pub struct CliError {
    pub code: i32,
    pub message: String,
}

impl CliError {
    pub fn config(message: impl Into<String>) -> Self {
        Self { code: exit::CONFIG, message: message.into() }
    }
    pub fn harness(message: impl Into<String>) -> Self {
        Self { code: exit::HARNESS, message: message.into() }
    }
}

/// Where suites come from: a folder given by the user, `./suites` when present, else the copies
/// built into the binary.
#[derive(Debug, Clone)]
pub enum SuiteSource {
    Dir(PathBuf),
    Embedded,
}

impl SuiteSource {
    pub fn resolve(dir: Option<PathBuf>) -> Self {
        match dir {
            Some(d) => Self::Dir(d),
            None if std::path::Path::new("suites").join("oid4vci-issuer.toml").is_file() => Self::Dir("suites".into()),
            None => Self::Embedded,
        }
    }
}
