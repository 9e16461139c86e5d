//! dialtone's reference candidates: real servers on loopback that implement the specifications
//! correctly, and their mutants (the same server with exactly one deliberate fault), which prove
//! that every test case can fail.

pub mod issuer;
pub mod mutant;
pub mod registry;
pub mod seam;
pub mod server;
pub mod tls;
pub mod vc_api;
pub mod verifier;
pub mod wallet;
