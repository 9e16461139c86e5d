//! The reference trust registry: Trust Registry Query Protocol v2 over its HTTPS binding, answering
//! from an ecosystem file, and its mutants.

pub mod ecosystem;
pub mod mutants;
pub mod reference;

pub use ecosystem::Ecosystem;
pub use mutants::RegistryFault;
pub use reference::{RegistryConfig, start};
