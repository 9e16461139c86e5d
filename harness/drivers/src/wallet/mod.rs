//! The harness as issuer and verifier in front of a wallet under test: each case its own counterparts.

pub mod issuance;
pub mod manual;
pub mod presentation;
pub mod stack;
