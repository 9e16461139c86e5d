#![no_main]
//! The whole of `dialtone check` over arbitrary bytes, format recognized from the bytes.
use dialtone_checks::artifact::{self, Artifact, Context};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ctx = Context::default();
    let _ = artifact::check(&Artifact::single("fuzz", data.to_vec()), None, &ctx);
});
