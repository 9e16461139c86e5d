//! How a scanned QR code's data is segmented (§ Encoding QRs): a SMART Health Card's QR code SHALL
//! hold two data segments, `shc:/` (and a chunk's `C/N/`) in byte mode, then the digits in numeric
//! mode. rqrr decodes the text but does not say the segments, so the code is encoded again by the
//! qrcode crate as the specification says — at the scanned code's version, error correction level
//! and mask — and its codewords compared with the scanned ones. Reed–Solomon corrects up to half of
//! a code's error correction codewords; any other segmentation changes the data and so nearly every
//! error correction codeword. The scanned code is the specification's when at most that many of its
//! codewords differ.

use qrcode::bits::Bits;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::types::{Color, EcLevel, Version};
use rqrr::{BitGrid, MetaData};
use serde::{Deserialize, Serialize};

/// What the segments of a scanned QR code are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Segments {
    /// The specification's: byte mode for `shc:/` (and `C/N/`), numeric mode for the digits.
    Specified,
    /// Others, as far as can be told (what was found instead).
    Other(String),
    /// Not judged (why).
    NotJudged(String),
}

/// The segments of the code in `grid`, which rqrr decoded to `text` with `meta`.
pub(super) fn of(grid: &dyn BitGrid, meta: &MetaData, text: &str) -> Segments {
    let Some(digits_at) = text
        .strip_prefix("shc:/")
        .map(|rest| text.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '/').len())
    else {
        return Segments::NotJudged("the code does not hold shc:/ (SHC-001)".into());
    };
    // The prefix runs to the last '/' before the digits.
    let prefix_end = text[..digits_at].rfind('/').map_or(digits_at, |slash| slash + 1);
    let (prefix, digits) = text.split_at(prefix_end);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Segments::NotJudged("the code does not hold shc:/ followed by digits (SHC-001)".into());
    }
    let Ok(version) = u8::try_from(meta.version.0) else {
        return Segments::NotJudged(format!("version {}", meta.version.0));
    };
    let ec = match meta.ecc_level {
        0 => EcLevel::M,
        1 => EcLevel::L,
        2 => EcLevel::H,
        _ => EcLevel::Q,
    };
    let scanned = [codewords(grid), codewords(&Transposed(grid))];
    let allowed = qrcode::ec::max_allowed_errors(Version::Normal(i16::from(version)), ec).unwrap_or(0);
    let differing = |segments: &[(Mode, &str)]| -> Option<usize> {
        let expected = encoded(segments, version, ec, meta.mask)?;
        scanned.iter().map(|s| difference(s, &expected)).min()
    };
    match differing(&[(Mode::Byte, prefix), (Mode::Numeric, digits)]) {
        Some(d) if d <= allowed => return Segments::Specified,
        None => {
            return Segments::Other(format!(
                "the specification's two segments do not fit the code's version {version}; another encoding does"
            ));
        }
        Some(_) => {}
    }
    if differing(&[(Mode::Byte, text)]).is_some_and(|d| d <= allowed) {
        return Segments::Other("one byte-mode segment holds the whole payload, digits included".into());
    }
    if differing(&[(Mode::Optimal, text)]).is_some_and(|d| d <= allowed) {
        return Segments::Other(
            "the encoder's own segmentation (mixed modes), not byte mode for the prefix and numeric for the digits"
                .into(),
        );
    }
    Segments::Other(
        "not the specification's byte-mode prefix and numeric-mode digits (the codewords differ from that encoding)"
            .into(),
    )
}

#[derive(Clone, Copy)]
enum Mode {
    Byte,
    Numeric,
    Optimal,
}

/// The raw codewords of the code as drawn, masked, in the order the QR code places them.
fn codewords(grid: &dyn BitGrid) -> Vec<u8> {
    let size = grid.size();
    let simple = rqrr::SimpleGrid::from_func(size, |x, y| grid.bit(y, x));
    match rqrr::Grid::new(simple).get_raw_data() {
        Ok((_, raw)) => raw.data.get(..raw.len / 8).map(<[u8]>::to_vec).unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// Codewords of `text` in `segments`, encoded at `version`, `ec` and `mask` as a QR code draws them.
fn encoded(segments: &[(Mode, &str)], version: u8, ec: EcLevel, mask: u16) -> Option<Vec<u8>> {
    let version = Version::Normal(i16::from(version));
    let mut bits = Bits::new(version);
    for (mode, text) in segments {
        match mode {
            Mode::Byte => bits.push_byte_data(text.as_bytes()).ok()?,
            Mode::Numeric => bits.push_numeric_data(text.as_bytes()).ok()?,
            Mode::Optimal => bits.push_optimal_data(text.as_bytes()).ok()?,
        }
    }
    bits.push_terminator(ec).ok()?;
    let (data, ecc) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, ec).ok()?;
    let mut canvas = Canvas::new(version, ec);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ecc);
    canvas.apply_mask(mask_pattern(mask));
    let width = version.width() as usize;
    let colors = canvas.into_colors();
    let drawn = rqrr::SimpleGrid::from_func(width, |x, y| colors.get(y * width + x) == Some(&Color::Dark));
    Some(codewords(&drawn))
}

fn mask_pattern(mask: u16) -> MaskPattern {
    match mask {
        0 => MaskPattern::Checkerboard,
        1 => MaskPattern::HorizontalLines,
        2 => MaskPattern::VerticalLines,
        3 => MaskPattern::DiagonalLines,
        4 => MaskPattern::LargeCheckerboard,
        5 => MaskPattern::Fields,
        6 => MaskPattern::Diamonds,
        _ => MaskPattern::Meadow,
    }
}

/// Codewords that differ; a length that differs counts every missing codeword.
fn difference(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).filter(|(x, y)| x != y).count() + a.len().abs_diff(b.len())
}

/// A grid read with its rows and columns swapped (rqrr also decodes a mirrored code).
struct Transposed<'a>(&'a dyn BitGrid);

impl BitGrid for Transposed<'_> {
    fn size(&self) -> usize {
        self.0.size()
    }

    fn bit(&self, y: usize, x: usize) -> bool {
        self.0.bit(x, y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grid of a QR code the qrcode crate encodes from `bits`.
    fn grid(bits: Bits) -> (rqrr::SimpleGrid, MetaData, String) {
        let code = qrcode::QrCode::with_bits(bits, EcLevel::L).expect("encodes");
        let width = code.width();
        let colors = code.to_colors();
        let simple = rqrr::SimpleGrid::from_func(width, |x, y| colors[y * width + x] == Color::Dark);
        let (meta, text) = rqrr::Grid::new(simple.clone()).decode().expect("decodes");
        (simple, meta, text)
    }

    fn bits(version: i16, segments: &[(Mode, &str)]) -> Bits {
        let mut bits = Bits::new(Version::Normal(version));
        for (mode, text) in segments {
            match mode {
                Mode::Byte => bits.push_byte_data(text.as_bytes()).expect("fits"),
                Mode::Numeric => bits.push_numeric_data(text.as_bytes()).expect("fits"),
                Mode::Optimal => bits.push_optimal_data(text.as_bytes()).expect("fits"),
            }
        }
        bits.push_terminator(EcLevel::L).expect("terminates");
        bits
    }

    const PAYLOAD: &str = "shc:/567629095243206034602924374044603122295953265460346029254077280433602870286471674522280928613331456437653141590640220306450459085643550341424541364037063665417137241236380304375622046737407532323347";

    #[test]
    fn the_specifications_two_segments_are_recognized_and_one_byte_segment_is_not() {
        let (prefix, digits) = PAYLOAD.split_at(5);
        let (g, meta, text) = grid(bits(10, &[(Mode::Byte, prefix), (Mode::Numeric, digits)]));
        assert_eq!(text, PAYLOAD);
        assert_eq!(of(&g, &meta, &text), Segments::Specified);
        let (g, meta, text) = grid(bits(16, &[(Mode::Byte, PAYLOAD)]));
        assert!(matches!(of(&g, &meta, &text), Segments::Other(s) if s.contains("one byte-mode segment")));
        // Numeric digits split across two segments: not the specification's two.
        let (g, meta, text) =
            grid(bits(10, &[(Mode::Byte, prefix), (Mode::Numeric, &digits[..90]), (Mode::Numeric, &digits[90..])]));
        assert!(matches!(of(&g, &meta, &text), Segments::Other(_)), "{:?}", of(&g, &meta, &text));
    }

    #[test]
    fn a_chunks_prefix_is_in_the_byte_segment_and_damage_within_the_correction_is_tolerated() {
        let chunk = format!("shc:/2/3/{}", &PAYLOAD[5..]);
        let (g, meta, text) = grid(bits(10, &[(Mode::Byte, &chunk[..9]), (Mode::Numeric, &chunk[9..])]));
        assert_eq!(of(&g, &meta, &text), Segments::Specified);
        // A few modules of the data area flipped: still the specification's encoding.
        let size = g.size();
        let damaged = rqrr::SimpleGrid::from_func(size, |x, y| g.bit(y, x) ^ (y == size - 3 && (x > size - 8)));
        let (meta, text) = rqrr::Grid::new(damaged.clone()).decode().expect("corrected");
        assert_eq!(of(&damaged, &meta, &text), Segments::Specified);
    }
}
