//! The QR codes in an image, decoded within bounds: PNG (`png`), JPEG (`jpeg`) and SVG (`svg`, rendered)
//! become greyscale pixels, whose dimensions are checked before any pixel buffer is allocated, so a
//! file of a few bytes cannot claim gigabytes; rqrr finds and decodes the QR codes in them, and
//! `segments` tells how each code's data is encoded. The QR detector's own cost grows faster than
//! the image (an image tiled with finder patterns keeps it busy for minutes and gigabytes), so a
//! caller may run it elsewhere: [`QrImageDecoder`].

mod jpeg;
mod png;
mod segments;
mod svg;

use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub use segments::Segments;

/// Most pixels an image may have (width × height): the QR decoder keeps one byte per pixel. A
/// 48-megapixel phone photo of a QR code fits; a header claiming 400000 × 400000 does not.
pub(crate) const MAX_PIXELS: u64 = 50_000_000;
/// Most bytes a decoded image may take (width × height × channels, eight bits each).
pub(crate) const MAX_DECODED_BYTES: u64 = 160 << 20;

/// An image format, recognized from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Svg,
    Gif,
    Webp,
    Bmp,
    Tiff,
    Heif,
}

impl ImageKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Png => "PNG",
            Self::Jpeg => "JPEG",
            Self::Svg => "SVG",
            Self::Gif => "GIF",
            Self::Webp => "WebP",
            Self::Bmp => "BMP",
            Self::Tiff => "TIFF",
            Self::Heif => "HEIF/AVIF",
        }
    }
}

/// The image format `bytes` begin with, if any. An SVG is XML text whose root element is `svg`
/// (looked for in its first 4 KiB, after any XML declaration, comments and doctype).
pub fn sniff(bytes: &[u8]) -> Option<ImageKind> {
    let magic: [(&[u8], ImageKind); 7] = [
        (b"\x89PNG\r\n\x1a\n", ImageKind::Png),
        (b"\xff\xd8\xff", ImageKind::Jpeg),
        (b"GIF87a", ImageKind::Gif),
        (b"GIF89a", ImageKind::Gif),
        (b"BM", ImageKind::Bmp),
        (b"II*\0", ImageKind::Tiff),
        (b"MM\0*", ImageKind::Tiff),
    ];
    if let Some((_, kind)) = magic.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Some(*kind);
    }
    if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        return Some(ImageKind::Webp);
    }
    if bytes.get(4..8) == Some(b"ftyp")
        && bytes.get(8..12).is_some_and(|brand| [&b"heic"[..], b"heix", b"mif1", b"avif", b"heif"].contains(&brand))
    {
        return Some(ImageKind::Heif);
    }
    // An SVG begins with '<' after any spaces and byte order mark: most artifacts begin with another
    // character (or with bytes that are none, as CBOR does, read as U+FFFD), and are not decoded to
    // say so. A character is at most four bytes.
    let first = bytes[..bytes.len().min(4)].utf8_chunks().next().and_then(|chunk| chunk.valid().chars().next());
    if !first.is_some_and(|c| c == '<' || c == '\u{feff}' || c.is_whitespace()) {
        return None;
    }
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    (text.starts_with('<') && text.contains("<svg")).then_some(ImageKind::Svg)
}

/// One QR code found in an image: its text, its version (1–40), and how its data is segmented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScannedQr {
    pub text: String,
    pub version: u8,
    pub segments: Segments,
}

/// Why an image's QR codes could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum ImageError {
    /// The image is broken or exceeds a bound dialtone sets (a fault of the artifact).
    #[error("{0}")]
    Refused(String),
    /// The image is fine as far as dialtone can tell, but it cannot read it: a format or feature it
    /// does not render, or no QR code its detector can find (not a fault shown of the artifact).
    #[error("{0}")]
    Unreadable(String),
}

/// The function that decodes an image's QR codes for a judgement.
type DecodeFn = dyn Fn(&[u8]) -> Result<Vec<ScannedQr>, ImageError> + Send + Sync;

/// How images of QR codes are decoded: by [`decode_image`] in this process (the default), or by a
/// function the caller gives (`dialtone check` runs it in a child process bounded in memory and
/// time).
#[derive(Clone, Default)]
pub struct QrImageDecoder(Option<Arc<DecodeFn>>);

impl QrImageDecoder {
    pub fn with(decode: impl Fn(&[u8]) -> Result<Vec<ScannedQr>, ImageError> + Send + Sync + 'static) -> Self {
        Self(Some(Arc::new(decode)))
    }

    pub fn decode(&self, bytes: &[u8]) -> Result<Vec<ScannedQr>, ImageError> {
        match &self.0 {
            Some(decode) => decode(bytes),
            None => decode_image(bytes),
        }
    }
}

impl std::fmt::Debug for QrImageDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "QrImageDecoder(given)" } else { "QrImageDecoder(in process)" })
    }
}

/// An image as one byte of grey per pixel (0 black, 255 white), row by row.
pub(crate) struct Grey {
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) pixels: Vec<u8>,
}

/// The QR codes in an image of a format dialtone reads (PNG, JPEG, SVG).
pub fn decode_image(bytes: &[u8]) -> Result<Vec<ScannedQr>, ImageError> {
    let grey = match sniff(bytes) {
        Some(ImageKind::Png) => png::grey(bytes)?,
        Some(ImageKind::Jpeg) => jpeg::grey(bytes)?,
        Some(ImageKind::Svg) => svg::grey(bytes)?,
        Some(other) => {
            return Err(ImageError::Unreadable(format!(
                "a {} image: dialtone reads QR codes from PNG, JPEG and SVG images",
                other.name()
            )));
        }
        None => return Err(ImageError::Refused("not an image dialtone recognizes".into())),
    };
    scan(&grey)
}

/// The QR codes rqrr finds in the pixels. A code found but not decoded (its error correction
/// overwhelmed) and an image without any are unreadable, not refused: a photo may need another
/// take.
fn scan(grey: &Grey) -> Result<Vec<ScannedQr>, ImageError> {
    let (w, h) = (grey.width, grey.height);
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| grey.pixels.get(y * w + x).copied().unwrap_or(255));
    let grids = img.detect_grids();
    if grids.is_empty() {
        return Err(ImageError::Unreadable("no QR code found in the image (dialtone's detector is rqrr)".into()));
    }
    grids
        .iter()
        .map(|g| {
            let (meta, text) = g
                .decode()
                .map_err(|e| ImageError::Unreadable(format!("a QR code in the image does not decode: {e}")))?;
            let segments = segments::of(&g.grid, &meta, &text);
            Ok(ScannedQr { text, version: meta.version.0 as u8, segments })
        })
        .collect()
}

/// The dimensions an image claims, checked before its pixels are allocated: at most
/// [`MAX_PIXELS`], and at most [`MAX_DECODED_BYTES`] once expanded to `channels` bytes a pixel.
pub(crate) fn within_bounds(kind: &str, width: u64, height: u64, channels: u64) -> Result<(), ImageError> {
    let pixels = width * height;
    let decoded = pixels.saturating_mul(channels);
    if pixels > MAX_PIXELS || decoded > MAX_DECODED_BYTES {
        return Err(ImageError::Refused(format!(
            "the {kind} header claims {width} × {height} pixels ({decoded} bytes decoded); dialtone decodes at most \
             {MAX_PIXELS} pixels and {MAX_DECODED_BYTES} bytes"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first byte's shortcut says what decoding the head says: an SVG after spaces of any kind
    /// (ASCII, no-break, ideographic) and a byte order mark, nothing for another first character.
    #[test]
    fn an_svg_is_found_after_any_spaces_and_nothing_else_is() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
        let decoded = |bytes: &[u8]| {
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
            let text = text.trim_start_matches('\u{feff}').trim_start();
            (text.starts_with('<') && text.contains("<svg")).then_some(ImageKind::Svg)
        };
        let binary: [&[u8]; 6] = [b"\xa3", b"\xbf\x01", b"\xc3", b"\xef\xbb", b"\xd8\x18X", b"\xe3\x80"];
        for before in binary {
            for after in [svg, "eyJhbGciOi.x.y"] {
                let bytes = [before, after.as_bytes()].concat();
                assert_eq!(sniff(&bytes), decoded(&bytes), "{before:?} {after:?}");
            }
        }
        for before in [
            "",
            " ",
            "\t\n",
            "\u{b}",
            "\u{c}\r",
            "\u{feff}",
            "\u{feff} ",
            "\u{a0}",
            "\u{3000}",
            "\u{85}",
            "x",
            "\u{1c}",
            "é",
        ] {
            for after in [svg, "<?xml version=\"1.0\"?><svg/>", "<html/>", "eyJhbGciOi.x.y"] {
                let bytes = format!("{before}{after}").into_bytes();
                assert_eq!(sniff(&bytes), decoded(&bytes), "{before:?} {after:?}");
            }
        }
        assert_eq!(sniff(format!("\u{3000}{svg}").as_bytes()), Some(ImageKind::Svg));
        assert_eq!(sniff(b"eyJhbGciOi <svg"), None);
    }
    use qrcode::bits::Bits;
    use qrcode::types::{EcLevel, Version};

    const PAYLOAD: &str = "shc:/56762909524320603460292437404460312229595326546034602925407728043360287028647167452228092861333145643765314159064022030645045908564355034142454136403706366541713724123638030437562204673740753232";

    /// The pixels of the QR code of `PAYLOAD` in the specification's segments, 6 pixels a module.
    fn qr_pixels() -> (usize, Vec<u8>) {
        let mut bits = Bits::new(Version::Normal(9));
        bits.push_byte_data(b"shc:/").expect("fits");
        bits.push_numeric_data(&PAYLOAD.as_bytes()[5..]).expect("fits");
        bits.push_terminator(EcLevel::L).expect("terminates");
        let code = qrcode::QrCode::with_bits(bits, EcLevel::L).expect("encodes");
        let (width, scale, quiet) = (code.width(), 6, 4);
        let side = (width + 2 * quiet) * scale;
        let colors = code.to_colors();
        let pixels = (0..side * side)
            .map(|at| {
                let (x, y) = ((at % side) / scale, (at / side) / scale);
                let inside = (quiet..quiet + width).contains(&x) && (quiet..quiet + width).contains(&y);
                if inside && colors[(y - quiet) * width + (x - quiet)] == qrcode::Color::Dark { 0 } else { 255 }
            })
            .collect();
        (side, pixels)
    }

    #[test]
    fn a_jpeg_of_a_qr_code_is_read_with_its_version_and_segments() {
        let (side, pixels) = qr_pixels();
        let mut jpeg = Vec::new();
        jpeg_encoder::Encoder::new(&mut jpeg, 85)
            .encode(&pixels, side as u16, side as u16, jpeg_encoder::ColorType::Luma)
            .expect("encodes");
        assert_eq!(sniff(&jpeg), Some(ImageKind::Jpeg));
        let codes = decode_image(&jpeg).expect("decodes");
        assert_eq!(codes, vec![ScannedQr { text: PAYLOAD.into(), version: 9, segments: Segments::Specified }]);
    }

    #[test]
    fn formats_dialtone_does_not_render_are_unreadable_not_refused() {
        for bytes in [&b"GIF89a\x01\x00"[..], b"RIFF\0\0\0\0WEBPVP8 ", b"\0\0\0\x18ftypheic"] {
            assert!(matches!(decode_image(bytes), Err(ImageError::Unreadable(_))), "{:?}", sniff(bytes));
        }
        let blank = Grey { width: 64, height: 64, pixels: vec![255; 64 * 64] };
        assert!(matches!(scan(&blank), Err(ImageError::Unreadable(e)) if e.contains("no QR code")));
    }
}
