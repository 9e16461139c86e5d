//! PNG to greyscale, the header's dimensions checked before the decoder allocates the frame.

use super::{Grey, ImageError, within_bounds};

/// The pixels of a PNG image, one byte of grey each.
pub(super) fn grey(bytes: &[u8]) -> Result<Grey, ImageError> {
    if let Some(header) = Header::read(bytes) {
        within_bounds("PNG", header.width.into(), header.height.into(), header.channels)?;
    }
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    // Bounds what the decoder allocates besides the frame (rows, text and ICC chunks).
    decoder.set_limits(png::Limits { bytes: 64 << 20 });
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let refused = |e: String| ImageError::Refused(e);
    let mut reader = decoder.read_info().map_err(|e| refused(format!("not a readable PNG: {e}")))?;
    let channels = match reader.output_color_type().0 {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err(refused("an indexed PNG after expansion (unexpected)".into())),
    };
    // What the decoder read, checked again: the buffer below is sized from it.
    within_bounds("PNG", reader.info().width.into(), reader.info().height.into(), channels as u64)?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).map_err(|e| refused(format!("PNG frame: {e}")))?;
    let (w, h, line) = (info.width as usize, info.height as usize, info.line_size);
    let mut pixels = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            let at = y * line + x * channels;
            let px = |o: usize| u32::from(buf.get(at + o).copied().unwrap_or(255));
            let (luma, alpha) = match channels {
                1 => (px(0), 255),
                2 => (px(0), px(1)),
                3 => ((px(0) * 299 + px(1) * 587 + px(2) * 114) / 1000, 255),
                _ => ((px(0) * 299 + px(1) * 587 + px(2) * 114) / 1000, px(3)),
            };
            // Transparent pixels show the white page behind them.
            pixels.push(((luma * alpha + 255 * (255 - alpha)) / 255) as u8);
        }
    }
    Ok(Grey { width: w, height: h, pixels })
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

    fn refused(bytes: &[u8]) -> String {
        match grey(bytes) {
            Err(ImageError::Refused(e)) => e,
            Err(ImageError::Unreadable(e)) => panic!("unreadable, not refused: {e}"),
            Ok(g) => panic!("decoded {} × {}", g.width, g.height),
        }
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
            let e = refused(&png_claiming(w, h, color, depth));
            assert!(e.contains(&format!("claims {w} × {h} pixels")) && e.contains("at most"), "{e}");
        }
    }

    #[test]
    fn an_image_within_the_bounds_is_decoded() {
        // Within the bound, the lying header gets the decoder's own error, not the bound's.
        let e = refused(&png_claiming(2_000, 2_000, png::ColorType::Grayscale, png::BitDepth::One));
        assert!(e.starts_with("PNG frame"), "{e}");
    }
}
