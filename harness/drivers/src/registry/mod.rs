//! The harness as a TRQP v2 consumer in front of a trust registry under test.

pub mod consumer;
pub mod queries;
