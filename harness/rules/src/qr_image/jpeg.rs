//! JPEG to greyscale (zune-jpeg, its output in the luma colour space), the frame's dimensions
//! checked before its pixels are allocated.

use super::{Grey, ImageError, within_bounds};
use zune_jpeg::JpegDecoder;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

/// The longest side zune-jpeg is told to accept (its own check, beside [`within_bounds`]).
const MAX_SIDE: usize = 16_384;

/// The pixels of a JPEG image, one byte of grey each.
pub(super) fn grey(bytes: &[u8]) -> Result<Grey, ImageError> {
    let options = DecoderOptions::default()
        .set_max_width(MAX_SIDE)
        .set_max_height(MAX_SIDE)
        .jpeg_set_out_colorspace(ColorSpace::Luma);
    let mut decoder = JpegDecoder::new_with_options(std::io::Cursor::new(bytes), options);
    let refused = |e: String| ImageError::Refused(e);
    decoder.decode_headers().map_err(|e| refused(format!("not a readable JPEG: {e:?}")))?;
    let info = decoder.info().ok_or_else(|| refused("the JPEG headers did not decode".into()))?;
    let (width, height) = (usize::from(info.width), usize::from(info.height));
    within_bounds("JPEG", width as u64, height as u64, 1)?;
    let size = decoder.output_buffer_size().ok_or_else(|| refused("the JPEG's dimensions overflow".into()))?;
    if size != width * height {
        return Err(refused(format!("the JPEG decodes to {size} bytes, not one per pixel")));
    }
    let mut pixels = vec![0; size];
    decoder.decode_into(&mut pixels).map_err(|e| refused(format!("JPEG data: {e:?}")))?;
    Ok(Grey { width, height, pixels })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_claiming_more_than_the_bound_is_refused_before_decoding() {
        // SOI, then a baseline frame header (SOF0) claiming 65535 × 65535, one component.
        let mut jpeg = vec![0xff, 0xd8, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0xff, 0xff, 0xff, 0xff, 0x01, 0x01, 0x11, 0x00];
        jpeg.extend([0xff, 0xd9]);
        match grey(&jpeg) {
            Err(ImageError::Refused(e)) => assert!(e.contains("JPEG"), "{e}"),
            other => panic!("refused, not {:?}", other.map(|g| (g.width, g.height))),
        }
    }

    #[test]
    fn truncated_data_is_refused_not_a_panic() {
        for cut in [2, 3, 10, 20] {
            let jpeg = [0xffu8, 0xd8, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00];
            assert!(matches!(grey(&jpeg[..cut.min(jpeg.len())]), Err(ImageError::Refused(_))));
        }
    }
}
