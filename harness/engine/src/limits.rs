//! The bounds every run keeps with a candidate: per request, per body, per case, and how many cases
//! are in flight at once. A manifest's `[limits]` sets them.

use dialtone_http::HttpLimits;
use serde::Deserialize;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    #[serde(default = "default_timeout")]
    pub request_timeout_ms: u64,
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
    #[serde(default = "default_deadline")]
    pub case_deadline_ms: u64,
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
}

fn default_timeout() -> u64 {
    5_000
}
fn default_max_body() -> usize {
    1024 * 1024
}
fn default_deadline() -> u64 {
    20_000
}
fn default_concurrency() -> usize {
    8
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            request_timeout_ms: default_timeout(),
            max_body_bytes: default_max_body(),
            case_deadline_ms: default_deadline(),
            concurrency: default_concurrency(),
        }
    }
}

impl Limits {
    pub fn http(&self) -> HttpLimits {
        HttpLimits { timeout: Duration::from_millis(self.request_timeout_ms), max_body_bytes: self.max_body_bytes }
    }

    /// Every bound is greater than zero.
    pub fn validate(&self) -> Result<(), String> {
        if self.concurrency == 0
            || self.request_timeout_ms == 0
            || self.max_body_bytes == 0
            || self.case_deadline_ms == 0
        {
            return Err("[limits] values must be greater than zero".into());
        }
        Ok(())
    }
}
