#![no_main]
//! The whole of `dialtone check` over arbitrary bytes, format recognized from the bytes.
use dialtone_rules::{Artifact, Context};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ctx = Context::default();
    let _ = dialtone_rules::judge(&Artifact::single("fuzz", data.to_vec()), None, &ctx);
});
