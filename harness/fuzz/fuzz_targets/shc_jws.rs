#![no_main]
//! Health card JWS (raw DEFLATE payload, bounded inflation) and `.smart-health-card` files.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = dialtone_protocols::shc::parse_file(data);
    let _ = dialtone_protocols::shc::inflate_raw(data, dialtone_protocols::shc::MAX_INFLATED);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = dialtone_protocols::shc::HealthCardJws::parse(text);
    }
});
