//! `dialtone check` over arbitrary bytes and over valid vectors with bytes flipped, cut or spliced:
//! never a panic, and a changed signed byte of a compact or CBOR artifact is never judged valid.

use dialtone_rules::{Artifact, ArtifactVerdict, Context, Format};
use proptest::prelude::*;

type Judged = (Artifact, Context, Option<Format>);

/// The valid vectors, generated once for all cases.
fn valid_vectors() -> &'static [Judged] {
    static CELL: std::sync::OnceLock<Vec<Judged>> = std::sync::OnceLock::new();
    CELL.get_or_init(generate_valid)
}

fn generate_valid() -> Vec<Judged> {
    let mut out = Vec::new();
    for file in dialtone_vectors::generate() {
        for group in &file.test_groups {
            for t in group.tests.iter().filter(|t| t.result == "valid") {
                let Ok(ctx) = dialtone_vectors::context(group) else { continue };
                let (artifact, format) = dialtone_vectors::artifact_of(&file, t);
                out.push((artifact, ctx, format));
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048), prefix in prop_oneof![Just(&b""[..]), Just(&b"shc:/"[..]), Just(&b"eyJ"[..]), Just(&b"{\"verifiableCredential\":"[..]), Just(&b"\xd2\x84"[..]), Just(&b"\xa2"[..]), Just(&b"\x89PNG\r\n\x1a\n"[..])]) {
        let mut data = prefix.to_vec();
        data.extend(bytes);
        let ctx = Context::default();
        let judged = dialtone_rules::judge(&Artifact::single("x", data), None, &ctx);
        let _ = judged.case_results();
        for f in Format::ALL {
            let data = judged.name.as_bytes().to_vec();
            let _ = dialtone_rules::judge(&Artifact::single("y", data), Some(f), &ctx);
        }
    }

    #[test]
    fn mutated_valid_vectors_never_panic(pick in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<bool>()) {
        let vectors = valid_vectors();
        let (a, ctx, format) = &vectors[pick.index(vectors.len())];
        let mut mutated = a.clone();
        let part = &mut mutated.parts[0];
        if part.is_empty() { return Ok(()); }
        let i = at.index(part.len());
        if cut { part.truncate(i); } else { part[i] = byte; }
        let judged = dialtone_rules::judge(&mutated, *format, ctx);
        let _ = judged.case_results();
        if !cut && a.parts[0][i] != byte && *format == Some(Format::Mdoc) && a.parts[0].first().is_some_and(|b| (0xa0..=0xbf).contains(b)) && i + 70 > a.parts[0].len() && i + 10 < a.parts[0].len() {
            // A byte of the MSO signature (the last 64 bytes of the structure) changed.
            prop_assert_eq!(judged.verdict(), ArtifactVerdict::Invalid);
        }
    }
}
