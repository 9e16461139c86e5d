//! The harness as a wallet in front of a verifier under test (OpenID4VP 1.0), with counterpart issuers.

pub mod holder;
pub mod presentation;
pub mod request;
