//! The reference VC-API service (issue and verify W3C VC 2.0 credentials with Data Integrity
//! `eddsa-jcs-2022`) and its mutants.

pub mod mutants;
pub mod reference;

pub use mutants::VcApiFault;
pub use reference::{VcApiConfig, VcApiHandle, start};
