#![no_main]
//! `shc:/` numeric QR payloads and chunk assembly.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let chunks: Vec<_> = text.lines().filter_map(|l| dialtone_protocols::shc::decode_qr(l).ok()).collect();
        let _ = dialtone_protocols::shc::assemble(&chunks);
    }
});
