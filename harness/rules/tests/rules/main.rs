//! The rules crate's integration tests, one binary (`cargo test -p dialtone-rules --test rules`).

mod requirements;
mod requirements_audit;
mod signature_work;
