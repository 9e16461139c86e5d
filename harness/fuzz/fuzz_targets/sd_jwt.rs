#![no_main]
//! SD-JWT parsing and RFC 9901 §7.1 processing.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(sd) = dialtone_protocols::sdjwt::SdJwt::parse(text)
    {
        let _ = sd.process();
    }
});
