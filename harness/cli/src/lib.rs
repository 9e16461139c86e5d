//! The `dialtone` command. `main.rs` only parses arguments; the commands live here so that tests
//! drive them exactly as a user does.

#[macro_use]
pub mod out;

pub mod bench;
pub mod catalogue;
pub mod check;
pub mod counterparts;
pub mod interop;
pub mod reference;
pub mod run;
pub mod selftest;

use std::path::PathBuf;

/// Exit codes (README): 0 every MUST case passed, 1 some failed, 2 usage or configuration error,
/// 3 harness or environment error.
pub mod exit {
    pub const OK: i32 = 0;
    pub const FAILED: i32 = 1;
    pub(crate) const CONFIG: i32 = 2;
    pub const HARNESS: i32 = 3;
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
