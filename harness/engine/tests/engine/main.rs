//! The engine's integration tests, one binary (`cargo test -p dialtone-engine --test engine`).

mod suite_loader;
mod verdicts;
