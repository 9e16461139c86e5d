//! The reference verifier: OpenID4VP 1.0 requests by reference (signed request objects,
//! `x509_san_dns`, `x509_hash` and `redirect_uri` client identifiers, `request_uri_method=post`,
//! DCQL), `direct_post` responses, and verification of SD-JWT VC presentations — issuer signature,
//! disclosures, key binding, validity, Token Status List and the trust registry — and its mutants.

pub(crate) mod behaviour;
pub(crate) mod client_id;
mod dc_api;
pub mod mdoc;
pub mod mutants;
pub mod reference;
pub mod retrieval;
pub mod variation;
pub mod verify;

pub use mutants::VerifierFault;
pub use reference::{VerifierConfig, start};
