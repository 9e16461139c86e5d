//! OpenID4VCI 1.0 checks, with the harness as the wallet in front of an issuer under test.

pub mod issuer_credential;
pub mod issuer_issued;
pub mod issuer_metadata;
pub mod issuer_nonce;
pub mod issuer_status;
pub mod issuer_token;
pub mod wallet;
pub mod wallet_issuance;
