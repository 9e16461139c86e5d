//! `dialtone check` reads a SMART Health Card in the forms a holder has it: a card chunked over
//! several QR codes given as one PNG file each (assembled like text chunks, in any order), and a
//! form it does not read, which is `unsupported` (exit 4), not invalid.

use crate::common;

use dialtone_protocols::jose::EcKey;
use dialtone_protocols::seed::Entropy;
use dialtone_protocols::shc;
use qrcode::bits::Bits;
use qrcode::types::{EcLevel, Version};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};

fn dialtone() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dialtone"))
}

/// A card with enough immunizations to need three QR codes.
fn big_card(key: &EcKey) -> String {
    (10..1000).step_by(10).map(|doses| card(key, doses)).find(|jws| shc::encode_qr(jws).len() == 3).expect("a size")
}

fn card(key: &EcKey, doses: usize) -> String {
    let entropy = Entropy::seeded(3);
    let mut entries =
        vec![json!({"fullUrl": "resource:0", "resource": {"resourceType": "Patient", "birthDate": "1990-07-01"}})];
    for n in 1..=doses {
        entries.push(json!({"fullUrl": format!("resource:{n}"), "resource": {
            "resourceType": "Immunization", "status": "completed",
            "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "207"}]},
            "patient": {"reference": "resource:0"}, "occurrenceDateTime": "2021-01-15",
            "lotNumber": entropy.derive(&n.to_string()).token(12)}}));
    }
    shc::sign(
        key,
        &json!({
            "iss": "https://shc.dialtone.example/issuer", "nbf": dialtone_protocols::now_epoch() - 60,
            "vc": {"type": ["https://smarthealth.cards#health-card"], "credentialSubject": {
                "fhirVersion": "4.0.1", "fhirBundle": {"resourceType": "Bundle", "type": "collection", "entry": entries}}}
        }),
    )
}

/// A PNG of the QR code of `payload` in the specification's two segments.
fn png_of(payload: &str) -> Vec<u8> {
    let digits_at = payload.rfind('/').map_or(0, |s| s + 1);
    let code = (1..=40)
        .find_map(|v| {
            let mut bits = Bits::new(Version::Normal(v));
            bits.push_byte_data(&payload.as_bytes()[..digits_at]).ok()?;
            bits.push_numeric_data(&payload.as_bytes()[digits_at..]).ok()?;
            bits.push_terminator(EcLevel::L).ok()?;
            qrcode::QrCode::with_bits(bits, EcLevel::L).ok()
        })
        .expect("fits a QR code");
    let (width, scale, quiet) = (code.width(), 4, 4);
    let side = (width + 2 * quiet) * scale;
    let colors = code.to_colors();
    let pixels: Vec<u8> = (0..side * side)
        .map(|at| {
            let (x, y) = ((at % side) / scale, (at / side) / scale);
            let inside = (quiet..quiet + width).contains(&x) && (quiet..quiet + width).contains(&y);
            if inside && colors[(y - quiet) * width + (x - quiet)] == qrcode::Color::Dark { 0 } else { 255 }
        })
        .collect();
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.write_header().expect("header").write_image_data(&pixels).expect("pixels");
    }
    out
}

fn check(dir: &Path, args: &[&std::ffi::OsStr]) -> Output {
    dialtone().arg("check").arg("--out").arg(dir.join("out")).args(args).output().expect("runs")
}

#[test]
fn a_card_chunked_over_three_png_files_is_assembled_in_any_order() {
    let dir = common::tempdir("check-png-chunks");
    let key = EcKey::generate(&Entropy::seeded(9));
    let mut jwk = key.public_jwk();
    jwk["kid"] = json!(key.thumbprint());
    jwk["use"] = json!("sig");
    jwk["alg"] = json!("ES256");
    std::fs::write(dir.join("jwks.json"), json!({"keys": [jwk]}).to_string()).expect("write");
    let chunks = shc::encode_qr(&big_card(&key));
    assert_eq!(chunks.len(), 3, "the card needs three QR codes");
    let mut files = Vec::new();
    for (i, chunk) in chunks.iter().enumerate().rev() {
        let path = dir.join(format!("chunk-{}.png", i + 1));
        std::fs::write(&path, png_of(chunk)).expect("write");
        files.push(path);
    }
    let keys = dir.join("jwks.json");
    let mut args: Vec<&std::ffi::OsStr> = vec!["--keys".as_ref(), keys.as_os_str()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    let out = check(&dir, &args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&out.stderr));
    let verdicts: Vec<&str> = text.lines().filter(|l| l.starts_with("valid ") || l.starts_with("invalid ")).collect();
    assert_eq!(verdicts.len(), 1, "one card: {verdicts:?}");
    assert!(
        verdicts[0].starts_with("valid ") && verdicts[0].ends_with("chunk-3.png+chunk-2.png+chunk-1.png"),
        "{}",
        verdicts[0]
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/report.json")).expect("report")).expect("JSON");
    let assembled = report["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["id"].as_str().is_some_and(|i| i.starts_with("SHC-002")))
        .expect("SHC-002");
    assert_eq!(assembled["verdict"], "pass", "{assembled}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_form_dialtone_does_not_read_is_unsupported_not_invalid() {
    let dir = common::tempdir("check-unsupported");
    let gif = dir.join("card.gif");
    std::fs::write(&gif, b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
        .expect("write");
    let out = check(&dir, &[gif.as_os_str()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(4), "{text}");
    let line = text.lines().position(|l| l.starts_with("unsupported ") && l.contains("card.gif")).expect("verdict");
    assert!(text.lines().nth(line + 1).is_some_and(|why| why.contains("a GIF image")), "{text}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/report.json")).expect("report")).expect("JSON");
    assert_eq!(report["artifacts"][0]["verdict"], "unsupported");
    assert_eq!(report["verdict"]["status"], "incomplete");
    let _ = std::fs::remove_dir_all(dir);
}
