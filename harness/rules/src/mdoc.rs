//! ISO mdoc: `IssuerSigned` or `DeviceResponse` CBOR (raw, base64 or hex), the MSO in issuerAuth,
//! value digests, validity, docType, and the document signer certificate from x5chain.

use crate::{Artifact, Context, Findings, now_note, table as rules};
use dialtone_engine::model::Outcome;
use dialtone_protocols::b64;
use dialtone_protocols::jose::is_asymmetric_alg;
use dialtone_protocols::mdoc::{self, IssuerSigned, MdocArtifact, verify};
use serde_json::{Map, Value};

/// IssuerSignedItem random values shorter than this are weak (ISO/IEC 18013-5 §9.1.2.5).
const MIN_RANDOM: usize = 16;

fn bytes_of(artifact: &Artifact) -> Vec<u8> {
    let raw = artifact.first();
    if matches!(raw.first(), Some(0xa0..=0xbf)) {
        return raw.to_vec();
    }
    let text = crate::text_of(raw);
    let text = text.trim();
    crate::detect::decode_hex(text)
        .or_else(|| b64::decode(text.trim_end_matches('=')).ok())
        .or_else(|| b64::decode_std_any(text).ok())
        .unwrap_or_else(|| raw.to_vec())
}

pub(crate) fn judge_artifact(artifact: &Artifact, ctx: &Context) -> Findings {
    let mut f = Findings::new(rules::MDOC);
    let bytes = bytes_of(artifact);
    let parsed = match MdocArtifact::parse(&bytes) {
        Ok(p) => p,
        Err(e) => {
            f.set(
                &rules::MDOC_001,
                Outcome::fail("IssuerSigned or DeviceResponse CBOR (ISO/IEC 18013-5 §8.3.2.1.2.2)", e.to_string()),
            );
            return f;
        }
    };
    f.set(
        &rules::MDOC_001,
        Outcome::pass(match &parsed {
            MdocArtifact::IssuerSigned(_) => "IssuerSigned".to_string(),
            MdocArtifact::DeviceResponse { documents, .. } => {
                format!("DeviceResponse with {} documents", documents.len())
            }
        }),
    );
    match &parsed {
        MdocArtifact::IssuerSigned(_) => {
            f.set(&rules::MDOC_011, Outcome::skip("an IssuerSigned structure, not a DeviceResponse"))
        }
        MdocArtifact::DeviceResponse { version, status, documents } => f.set(
            &rules::MDOC_011,
            if version.as_deref() == Some("1.0") && *status == Some(0) && !documents.is_empty() {
                Outcome::pass(format!("version 1.0, status 0, {} documents", documents.len()))
            } else {
                Outcome::fail(
                    "version \"1.0\", status 0, at least one document",
                    format!("version {version:?}, status {status:?}, {} documents", documents.len()),
                )
            },
        ),
    }
    for (doc_type, issuer_signed) in parsed.issuer_signed() {
        judge(&mut f, doc_type, issuer_signed, ctx);
    }
    // The evidence goes with the rows that need attention: none, none is written.
    if f.needs_evidence() {
        for (_, is) in parsed.issuer_signed() {
            let mso = &is.mso;
            f.artifact(
                "MSO",
                &format!(
                    "version {:?}, digestAlgorithm {:?}, docType {:?}, validity {:?}, namespaces {:?}",
                    mso.version,
                    mso.digest_algorithm,
                    mso.doc_type,
                    mso.validity,
                    mso.value_digests.keys().collect::<Vec<_>>()
                ),
            );
        }
    }
    f
}

fn judge(f: &mut Findings, doc_type: Option<&str>, is: &IssuerSigned, ctx: &Context) {
    let mso = &is.mso;
    let alg = is.issuer_auth.alg();
    f.set(
        &rules::MDOC_002,
        match alg {
            Ok(a) if is_asymmetric_alg(a) => Outcome::pass(format!("COSE_Sign1, alg {a}")),
            Ok(a) => Outcome::fail("an asymmetric COSE algorithm", format!("alg {a}")),
            Err(e) => Outcome::fail("an asymmetric COSE algorithm in the protected header", e.to_string()),
        },
    );
    f.set(&rules::COSE_HDR_001, crate::cose_header::critical(&is.issuer_auth));
    // Issuer authentication, the MSO's digests, validity and docType: the steps the live verifier
    // runs too (`mdoc::verify`), each reported as its rule.
    match verify::document_signer_key_with(is, |der| ctx.keys.signer_keys().signer_key(der)) {
        Err(e) => f.set(&rules::MDOC_003, failed(e)),
        Ok(key) => {
            f.set(
                &rules::MDOC_003,
                Outcome::pass(format!("{} certificates in x5chain", is.issuer_auth.x5chain().len())),
            );
            f.set(&rules::MDOC_004, judged(verify::issuer_signature_with_key(is, &key)));
            f.set(&rules::MDOC_005, chain_to_root(is, ctx));
            let countries = verify::certificate_countries_with(is, |der| ctx.keys.countries().countries(der));
            f.set(&rules::MDOC_014, judged(countries));
        }
    }
    f.set(
        &rules::MDOC_006,
        match (mso.version.as_deref(), mso.digest_algorithm.as_deref()) {
            (Some("1.0"), Some(a)) if mdoc::digest(a, b"").is_some() => Outcome::pass(format!("version 1.0, {a}")),
            (v, a) => Outcome::fail(
                "version \"1.0\" and digestAlgorithm SHA-256, SHA-384 or SHA-512",
                format!("version {v:?}, digestAlgorithm {a:?}"),
            ),
        },
    );
    f.set(&rules::MDOC_007, judged(verify::value_digests(is).map(|n| format!("{n} elements match their MSO digests"))));
    f.set(
        &rules::MDOC_008,
        match verify::validity(mso, ctx.now) {
            Ok(observed) => Outcome::pass(format!("{observed}; {}", now_note(ctx))),
            Err(e) if e.observed.starts_with("signed ") => {
                Outcome::fail(e.expected, format!("{}; {}", e.observed, now_note(ctx)))
            }
            Err(e) => failed(e),
        },
    );
    f.set(&rules::MDOC_009, judged(verify::doc_type(doc_type, mso, None)));
    f.set(
        &rules::MDOC_010,
        match &mso.device_key {
            Some(ciborium::Value::Map(_)) => Outcome::pass("deviceKeyInfo.deviceKey is a COSE_Key"),
            other => Outcome::fail("deviceKeyInfo.deviceKey (a COSE_Key map)", format!("{other:?}")),
        },
    );
    let weak: Vec<String> = is
        .namespaces
        .values()
        .flatten()
        .filter(|i| i.random.len() < MIN_RANDOM)
        .map(|i| format!("{} ({} bytes)", i.element_identifier, i.random.len()))
        .collect();
    f.set(
        &rules::MDOC_012,
        if weak.is_empty() {
            Outcome::pass("every random is at least 16 bytes")
        } else {
            Outcome::fail("random values of at least 16 bytes", weak.join(", "))
        },
    );
    f.set(&rules::MDOC_013, profile(is, ctx));
}

fn failed(f: verify::Failure) -> Outcome {
    Outcome::fail(f.expected, f.observed)
}

fn judged(step: verify::Step<String>) -> Outcome {
    step.map_or_else(failed, Outcome::pass)
}

fn chain_to_root(is: &IssuerSigned, ctx: &Context) -> Outcome {
    let roots = ctx.keys.all_roots();
    if roots.is_empty() {
        return Outcome::skip("no issuing authority (IACA) certificate given (--keys PEM or --trust roots_pem)");
    }
    judged(verify::issuer_chain_cached(is, roots, ctx.now, ctx.keys.chains()))
}

fn profile(is: &IssuerSigned, ctx: &Context) -> Outcome {
    let doc_type = is.mso.doc_type.as_deref().unwrap_or("");
    let Some(p) = ctx.profiles.by_doctype(doc_type) else {
        return Outcome::skip(format!("no credential profile has docType {doc_type:?}"));
    };
    let mut claims = Map::new();
    for item in is.namespaces.values().flatten() {
        claims.insert(item.element_identifier.clone(), verify::json_of(&item.element_value));
    }
    let problems = p.problems(&Value::Object(claims));
    if problems.is_empty() {
        Outcome::pass(format!("the elements satisfy profile {:?}", p.id))
    } else {
        Outcome::fail(format!("elements satisfying profile {:?}", p.id), problems.join("; "))
    }
}
