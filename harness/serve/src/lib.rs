//! dialtone's review service: vendors submit signed result bundles (`dialtone submit`, or an
//! upload in the browser), each verified on arrival with [`dialtone_bundle::verify`] and refused
//! with the reason — the file and the digest — when it does not hold. Evaluators see every
//! submission; a vendor sees and submits its own; anyone sees what is published (the public
//! view). Pages: submissions per vendor, candidate and version; one submission's report; the
//! difference between two runs of a candidate; readiness per jurisdiction or program (the PCTF
//! criteria its candidates meet); a candidate's history as a chart. In English and French.
//!
//! The database is SQLite in a data folder by default, PostgreSQL with a `postgres://` URL: the
//! same migrations and queries ([`store`]).

mod arrival;
mod artifacts;
mod chart;
mod clock;
mod compare;
mod password;
mod service;
pub mod store;
mod submit;
mod web;

pub use service::{FirstEvaluator, ServeError, ServeOptions, Service, data_dir, default_database};
pub use submit::{SubmitError, SubmitOutcome, submit};
