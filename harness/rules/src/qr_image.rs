//! The QR codes in a PNG image, decoded within bounds: the image header's dimensions are checked
//! before any pixel buffer is allocated, so a file of a few bytes cannot claim gigabytes. The QR
//! detector's own cost grows faster than the image (an image tiled with finder patterns keeps it
//! busy for minutes and gigabytes), so a caller may run it elsewhere: [`QrImageDecoder`].

use std::sync::Arc;

/// Most pixels an image may have (width × height): the QR decoder keeps one byte per pixel. A
/// 48-megapixel phone photo of a QR code fits; a header claiming 400000 × 400000 does not.
pub(crate) const MAX_PNG_PIXELS: u64 = 50_000_000;
/// Most bytes the decoded image may take (width × height × channels, eight bits each).
pub(crate) const MAX_PNG_DECODED_BYTES: u64 = 160 << 20;

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
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    (text.starts_with('<') && text.contains("<svg")).then_some(ImageKind::Svg)
}

/// The function that decodes a PNG image's QR codes for a judgement.
type DecodeFn = dyn Fn(&[u8]) -> Result<Vec<String>, String> + Send + Sync;

/// How PNG images of QR codes are decoded: by [`decode_png_qr`] in this process (the default), or
/// by a function the caller gives (`dialtone check` runs it in a child process bounded in memory
/// and time).
#[derive(Clone, Default)]
pub struct QrImageDecoder(Option<Arc<DecodeFn>>);

impl QrImageDecoder {
    pub fn with(decode: impl Fn(&[u8]) -> Result<Vec<String>, String> + Send + Sync + 'static) -> Self {
        Self(Some(Arc::new(decode)))
    }

    pub(crate) fn decode(&self, bytes: &[u8]) -> Result<Vec<String>, String> {
        match &self.0 {
            Some(decode) => decode(bytes),
            None => decode_png_qr(bytes),
        }
    }
}

impl std::fmt::Debug for QrImageDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "QrImageDecoder(given)" } else { "QrImageDecoder(in process)" })
    }
}

/// The texts of the QR codes in a PNG image (rqrr over the decoded greyscale pixels).
pub fn decode_png_qr(bytes: &[u8]) -> Result<Vec<String>, String> {
    if let Some(header) = Header::read(bytes) {
        header.within_bounds()?;
    }
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    // Bounds what the decoder allocates besides the frame (rows, text and ICC chunks).
    decoder.set_limits(png::Limits { bytes: 64 << 20 });
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(|e| format!("not a readable PNG: {e}"))?;
    let channels = match reader.output_color_type().0 {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err("an indexed PNG after expansion (unexpected)".into()),
    };
    // What the decoder read, checked again: the buffer below is sized from it.
    Header { width: reader.info().width, height: reader.info().height, channels: channels as u64 }.within_bounds()?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).map_err(|e| format!("PNG frame: {e}"))?;
    let (w, h, line) = (info.width as usize, info.height as usize, info.line_size);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        let at = y * line + x * channels;
        match channels {
            1 | 2 => buf.get(at).copied().unwrap_or(255),
            _ => {
                let px = |o: usize| u32::from(buf.get(at + o).copied().unwrap_or(255));
                ((px(0) * 299 + px(1) * 587 + px(2) * 114) / 1000) as u8
            }
        }
    });
    let grids = img.detect_grids();
    if grids.is_empty() {
        return Err("no QR code found in the image".into());
    }
    grids
        .iter()
        .map(|g| g.decode().map(|(_, text)| text).map_err(|e| format!("a QR code does not decode: {e}")))
        .collect()
}

/// The dimensions an image header (IHDR, the first chunk) claims, and the channels of eight bits
/// each that its pixels take once expanded (a palette may expand to RGBA).
struct Header {
    width: u32,
    height: u32,
    channels: u64,
}

impl Header {
    fn read(bytes: &[u8]) -> Option<Self> {
        let ihdr = bytes.get(12..26).filter(|h| h.starts_with(b"IHDR"))?;
        let be = |at: usize| Some(u32::from_be_bytes(ihdr.get(at..at + 4)?.try_into().ok()?));
        let channels = match ihdr.get(13)? {
            0 => 1,
            2 => 3,
            4 => 2,
            _ => 4,
        };
        Some(Self { width: be(4)?, height: be(8)?, channels })
    }

    fn within_bounds(&self) -> Result<(), String> {
        let pixels = u64::from(self.width) * u64::from(self.height);
        let decoded = pixels.saturating_mul(self.channels);
        if pixels > MAX_PNG_PIXELS || decoded > MAX_PNG_DECODED_BYTES {
            return Err(format!(
                "the PNG header claims {} × {} pixels ({decoded} bytes decoded); dialtone decodes at most \
                 {MAX_PNG_PIXELS} pixels and {MAX_PNG_DECODED_BYTES} bytes",
                self.width, self.height
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-pixel PNG whose header is rewritten to claim `width` × `height` (its CRC fixed).
    fn png_claiming(width: u32, height: u32, color: png::ColorType, depth: png::BitDepth) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, 1, 1);
            encoder.set_color(color);
            encoder.set_depth(depth);
            let mut writer = encoder.write_header().expect("header");
            let bytes = color.samples() * usize::from(depth as u8).div_ceil(8);
            writer.write_image_data(&vec![0; bytes]).expect("pixel");
        }
        out[16..20].copy_from_slice(&width.to_be_bytes());
        out[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32fast::hash(&out[12..29]);
        out[29..33].copy_from_slice(&crc.to_be_bytes());
        out
    }

    #[test]
    fn a_header_claiming_more_pixels_than_the_bound_is_refused_before_decoding() {
        use png::{BitDepth, ColorType};
        for (w, h, color, depth) in [
            (400_000, 400_000, ColorType::Grayscale, BitDepth::One),
            (40_000, 40_000, ColorType::Grayscale, BitDepth::One),
            (u32::MAX >> 1, u32::MAX >> 1, ColorType::Rgba, BitDepth::Sixteen),
            // Few enough pixels, but four channels of them are more bytes than the bound.
            (7_000, 7_000, ColorType::Rgba, BitDepth::Eight),
        ] {
            let e = decode_png_qr(&png_claiming(w, h, color, depth)).expect_err("refused");
            assert!(e.contains(&format!("claims {w} × {h} pixels")) && e.contains("at most"), "{e}");
        }
    }

    #[test]
    fn an_image_within_the_bounds_is_decoded() {
        // Within the bound, the lying header gets the decoder's own error, not the bound's.
        let e = decode_png_qr(&png_claiming(2_000, 2_000, png::ColorType::Grayscale, png::BitDepth::One))
            .expect_err("one pixel of data for four million");
        assert!(e.starts_with("PNG frame"), "{e}");
    }
}
