//! The protocols crate's integration tests, one binary (`cargo test -p dialtone-protocols --test
//! protocols`). Proptest keeps the seeds of past failures under `tests/proptest-regressions/`.

mod crypto_stack;
mod parsers_proptest;
mod public_vectors;
