#![no_main]
//! COSE_Sign1, tagged or not, and its header accessors.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = dialtone_protocols::cose::Sign1::parse(data) {
        let _ = s.alg();
        let _ = s.content_type();
        let _ = s.x5chain();
        let _ = s.payload();
    }
});
