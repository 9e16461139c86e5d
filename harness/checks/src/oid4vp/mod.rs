//! OpenID4VP 1.0 checks, with the harness as the wallet in front of a verifier under test.

pub mod holder;
pub mod verifier_presentation;
pub mod verifier_request;
pub mod wallet_presentation;
