//! The reference OpenID4VCI 1.0 issuer (pre-authorized code flow, SD-JWT VC) and its mutants.

pub(crate) mod behaviour;
pub(crate) mod client_auth;
mod dpop;
pub(crate) mod followup;
pub(crate) mod key_attestation;
pub mod mdoc;
pub mod minter;
pub mod mutants;
pub mod reference;
mod resource;
pub mod state;

pub use followup::policy::{BATCH_SIZE, DEFERRED_INTERVAL_SECS};
pub use mdoc::MdocDeviation;
pub use minter::{Deviation, MintSpec, Minter};
pub use mutants::IssuerFault;
pub use reference::{IssuerConfig, IssuerHandle, IssuerOptions, minter, serve, start, start_with_minter};
pub use state::{IssuerLog, LoggedAuthorization, SeenDpop};
