#![no_main]
//! ISO mdoc CBOR: IssuerSigned, DeviceResponse, MSO.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = dialtone_protocols::mdoc::MdocArtifact::parse(data);
    let _ = dialtone_protocols::mdoc::Mso::from_payload(data);
});
