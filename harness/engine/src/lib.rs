//! The dialtone engine: loads suites and candidate manifests, builds the plan, runs cases
//! concurrently with deadlines, and collects results with evidence. It knows nothing of any one
//! protocol: checks and counterparts register themselves through [`check::CheckRegistry`].

pub mod check;
pub mod manifest;
pub mod model;
pub mod pctf;
pub mod plan;
pub mod report;
pub mod runner;
pub mod spec;
pub mod suite;
