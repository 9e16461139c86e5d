//! Trust Registry Query Protocol v2 checks, with the harness as the TRQP consumer in front of a
//! registry under test.

pub mod consumer;
pub mod registry;
