//! The drivers crate's integration tests, one binary (`cargo test -p dialtone-drivers --test drivers`).

mod member_names;
mod precondition_steps;
