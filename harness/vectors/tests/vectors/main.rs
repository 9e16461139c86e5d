//! The vector runner's integration tests, one binary (`cargo test -p dialtone-vectors --test vectors`).

mod mutations_proptest;
mod vectors;
