//! Images of SMART Health Card QR codes for the vectors: the QR code encoded by the qrcode crate
//! with the data segments a test wants (the specification's byte-mode prefix and numeric-mode
//! digits, or not), drawn as a PNG or an SVG.

use qrcode::bits::Bits;
use qrcode::types::{EcLevel, Version};
use qrcode::{Color, QrCode};

/// How a test encodes the payload's data.
#[derive(Clone, Copy)]
pub(crate) enum Encoding {
    /// § Encoding QRs: `shc:/` (and `C/N/`) in byte mode, then the digits in numeric mode.
    Specified,
    /// The whole payload in one byte-mode segment.
    OneByteSegment,
}

/// The QR code of `payload`, at error correction level L and the smallest version from
/// `min_version` on that holds it.
pub(crate) fn code(payload: &str, encoding: Encoding, min_version: i16) -> Option<QrCode> {
    let digits_at = payload.rfind('/').map_or(0, |slash| slash + 1);
    let (prefix, digits) = payload.split_at(digits_at);
    (min_version..=40).find_map(|v| {
        let mut bits = Bits::new(Version::Normal(v));
        match encoding {
            Encoding::Specified => {
                bits.push_byte_data(prefix.as_bytes()).ok()?;
                bits.push_numeric_data(digits.as_bytes()).ok()?;
            }
            Encoding::OneByteSegment => bits.push_byte_data(payload.as_bytes()).ok()?,
        }
        bits.push_terminator(EcLevel::L).ok()?;
        QrCode::with_bits(bits, EcLevel::L).ok()
    })
}

/// A greyscale PNG of `code`, 4 pixels per module, quiet zone of 4 modules.
pub(crate) fn png(code: Option<QrCode>) -> Vec<u8> {
    let Some(code) = code else { return Vec::new() };
    let width = code.width();
    let colors = code.to_colors();
    let (scale, quiet) = (4usize, 4usize);
    let size = (width + 2 * quiet) * scale;
    let mut pixels = vec![255u8; size * size];
    for (at, color) in colors.iter().enumerate() {
        if *color == Color::Dark {
            let (x, y) = (at % width, at / width);
            for dy in 0..scale {
                let row = ((y + quiet) * scale + dy) * size + (x + quiet) * scale;
                if let Some(run) = pixels.get_mut(row..row + scale) {
                    run.fill(0);
                }
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, size as u32, size as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        if let Ok(mut writer) = encoder.write_header() {
            let _ = writer.write_image_data(&pixels);
        }
    }
    out
}

/// An SVG of `code`, as the qrcode crate draws it (one path, quiet zone included).
pub(crate) fn svg(code: Option<QrCode>) -> String {
    code.map(|c| c.render::<qrcode::render::svg::Color>().min_dimensions(300, 300).build()).unwrap_or_default()
}

/// A white PNG without any QR code.
pub(crate) fn blank_png() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 64, 64);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        if let Ok(mut writer) = encoder.write_header() {
            let _ = writer.write_image_data(&[255u8; 64 * 64]);
        }
    }
    out
}
