//! The dialtone engine, protocol-agnostic: suites of cases as data, the plan for a candidate, the
//! runner (a task per case, deadlines, panics caught), outcomes and verdicts, the report document
//! and the PCTF catalogue. What a case does is a driver's business ([`runner::Harness`]).

pub mod compact;
pub mod expectations;
pub mod limits;
pub mod model;
pub mod pctf;
pub mod pctf_french;
pub mod plan;
pub mod report;
pub mod role;
pub mod runner;
pub mod safe_text;
pub mod spec;
pub mod statement;
pub mod suite;
pub mod tally;
