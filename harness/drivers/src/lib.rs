//! The checks suites name. Each is an async function from a case context to an outcome; the
//! registry below maps suite names to them. Protocol checks live under their protocol
//! (`oid4vci::…`); format rules shared by every role live under `formats::…`.

pub mod binding;
pub mod chain;
pub mod counterparts;
pub mod driver;
pub mod issuer;
pub mod manifest;
pub mod registry;
pub mod vc_api;
pub mod verifier;
pub mod wallet;

pub use driver::{Ctx, Driver, Drivers};
