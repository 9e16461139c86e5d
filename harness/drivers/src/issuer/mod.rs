//! The harness as a wallet in front of an issuer under test (OpenID4VCI 1.0, SD-JWT VC, Token Status List).

pub mod credential;
pub mod issued;
pub mod metadata;
pub mod nonce;
pub mod status;
pub mod token;
pub mod wallet;
