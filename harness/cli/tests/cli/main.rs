//! The `dialtone` command's integration tests, one binary (`cargo test -p dialtone-cli --test cli
//! <filter>`, a test named by its module: `check_command::`, `readme::`, ...): each test file linked
//! all of dialtone into a binary of its own, and linking them took most of an incremental test build.
//! Tests here share one process: a test's temporary folder names what it is for (`common::tempdir`).

// The allocator the `dialtone` binary uses, so that what runs in process here runs as it does there.
#[global_allocator]
static ALLOCATOR: dialtone_cli::allocator::Allocator = dialtone_cli::allocator::Allocator;

mod common;

mod announced_waits;
mod bundle;
mod campaign;
mod check_command;
mod check_hostile;
mod cli;
mod counterparts;
mod interop_names;
mod lang;
mod manual_issuer;
mod manual_verifier;
mod oidf_modules;
mod public_vectors;
mod readme;
mod report;
mod secrets;
mod selftest;
mod serve;
mod shc_examples;
mod shc_forms;
mod shc_revocation;
mod titles;
mod untrusted;
mod verdicts;
mod vocabulary;
