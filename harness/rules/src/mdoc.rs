//! ISO mdoc: `IssuerSigned` or `DeviceResponse` CBOR (raw, base64 or hex), the MSO in issuerAuth,
//! value digests, validity, docType, and the document signer certificate from x5chain.

use crate::{Artifact, Context, Findings, now_note, table as rules};
use dialtone_engine::model::Outcome;
use dialtone_protocols::jose::{self, is_asymmetric_alg};
use dialtone_protocols::mdoc::{self, IssuerSigned, MdocArtifact};
use dialtone_protocols::{b64, time};
use rustls::pki_types::{CertificateDer, UnixTime};
use serde_json::{Map, Value};

/// IssuerSignedItem random values shorter than this are weak (ISO/IEC 18013-5 §9.1.2.5).
const MIN_RANDOM: usize = 16;

fn bytes_of(artifact: &Artifact) -> Vec<u8> {
    let raw = artifact.first();
    if matches!(raw.first(), Some(0xa0..=0xbf)) {
        return raw.to_vec();
    }
    let text = String::from_utf8_lossy(raw);
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
    f
}

fn judge(f: &mut Findings, doc_type: Option<&str>, is: &IssuerSigned, ctx: &Context) {
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
    let alg = is.issuer_auth.alg();
    f.set(
        &rules::MDOC_002,
        match alg {
            Ok(a) if is_asymmetric_alg(a) => Outcome::pass(format!("COSE_Sign1, alg {a}")),
            Ok(a) => Outcome::fail("an asymmetric COSE algorithm", format!("alg {a}")),
            Err(e) => Outcome::fail("an asymmetric COSE algorithm in the protected header", e.to_string()),
        },
    );
    let chain = is.issuer_auth.x5chain();
    match chain.first() {
        None => {
            f.set(&rules::MDOC_003, Outcome::fail("x5chain (label 33) with the document signer certificate", "absent"));
        }
        Some(ds) => match jose::jwk_from_certificate(ds) {
            Err(e) => f.set(&rules::MDOC_003, Outcome::fail("a readable document signer certificate", e.to_string())),
            Ok(jwk) => {
                f.set(&rules::MDOC_003, Outcome::pass(format!("{} certificates in x5chain", chain.len())));
                f.set(
                    &rules::MDOC_004,
                    match is.issuer_auth.verify_with_jwk(&jwk) {
                        Ok(()) => Outcome::pass(format!(
                            "the MSO signature verifies with the document signer key {}",
                            jose::thumbprint(&jwk).unwrap_or_default()
                        )),
                        Err(e) => Outcome::fail(
                            "an MSO signature that verifies with the document signer certificate",
                            e.to_string(),
                        ),
                    },
                );
                f.set(&rules::MDOC_005, chain_to_root(&chain, ctx));
            }
        },
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
    f.set(&rules::MDOC_007, digests(is));
    f.set(&rules::MDOC_008, validity(is, ctx));
    f.set(
        &rules::MDOC_009,
        match (doc_type, mso.doc_type.as_deref()) {
            (_, None) => Outcome::fail("an MSO docType", "absent"),
            (Some(d), Some(m)) if d != m => {
                Outcome::fail(format!("MSO docType {d:?} as the document says"), format!("MSO docType {m:?}"))
            }
            (_, Some(m)) => Outcome::pass(format!("docType {m:?}")),
        },
    );
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

fn chain_to_root(chain: &[Vec<u8>], ctx: &Context) -> Outcome {
    let roots = ctx.keys.all_roots();
    if roots.is_empty() {
        return Outcome::skip("no issuing authority (IACA) certificate given (--keys PEM or --trust roots_pem)");
    }
    let anchors: Vec<_> = roots
        .iter()
        .filter_map(|r| {
            webpki::anchor_from_trusted_cert(&CertificateDer::from(r.as_slice())).ok().map(|a| a.to_owned())
        })
        .collect();
    let Some((leaf, rest)) = chain.split_first() else {
        return Outcome::fail("a document signer certificate", "none");
    };
    let leaf_der = CertificateDer::from(leaf.as_slice());
    let cert = match webpki::EndEntityCert::try_from(&leaf_der) {
        Ok(c) => c,
        Err(e) => return Outcome::fail("a parseable document signer certificate", format!("{e:?}")),
    };
    let intermediates: Vec<CertificateDer> = rest.iter().map(|c| CertificateDer::from(c.as_slice())).collect();
    let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(ctx.now.max(0) as u64));
    // The document signer's extended key usage is 1.0.18013.5.1.2 (DER 28 81 8c 5d 05 01 02).
    const DS_EKU: &[u8] = &[0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 0x02];
    match cert.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &anchors,
        &intermediates,
        time,
        webpki::KeyUsage::required_if_present(DS_EKU),
        None,
        None,
    ) {
        Ok(_) => Outcome::pass(format!("the document signer chains to one of {} trusted roots", anchors.len())),
        Err(e) => Outcome::fail("a document signer certificate issued by a trusted authority", format!("{e:?}")),
    }
}

fn digests(is: &IssuerSigned) -> Outcome {
    let Some(alg) = is.mso.digest_algorithm.as_deref() else {
        return Outcome::fail("a digestAlgorithm", "absent");
    };
    let mut checked = 0;
    for (ns, items) in &is.namespaces {
        let mut seen = std::collections::HashSet::new();
        for item in items {
            if !seen.insert(item.digest_id) {
                return Outcome::fail(
                    "unique digestIDs per namespace",
                    format!("{ns}: digestID {} repeats", item.digest_id),
                );
            }
            let Some(expected) = is.mso.value_digests.get(ns).and_then(|d| d.get(&item.digest_id)) else {
                return Outcome::fail(
                    "a value digest in the MSO for every item",
                    format!("{ns}/{}: digestID {} is not in the MSO", item.element_identifier, item.digest_id),
                );
            };
            let Some(actual) = mdoc::digest(alg, &item.item_bytes) else {
                return Outcome::fail("a supported digestAlgorithm", alg.to_string());
            };
            if &actual != expected {
                return Outcome::fail(
                    "the digest of IssuerSignedItemBytes equal to the MSO's",
                    format!("{ns}/{} (digestID {}) does not match", item.element_identifier, item.digest_id),
                );
            }
            checked += 1;
        }
    }
    if checked == 0 {
        return Outcome::fail("at least one issuer-signed element", "no nameSpaces items");
    }
    Outcome::pass(format!("{checked} elements match their MSO digests"))
}

fn validity(is: &IssuerSigned, ctx: &Context) -> Outcome {
    let v = &is.mso.validity;
    let parse = |name: &str, t: &Option<String>| -> Result<i64, Outcome> {
        t.as_deref()
            .and_then(time::parse_datetime_stamp)
            .ok_or_else(|| Outcome::fail(format!("validityInfo.{name} as a tdate (#6.0)"), format!("{t:?}")))
    };
    let (signed, from, until) =
        match (parse("signed", &v.signed), parse("validFrom", &v.valid_from), parse("validUntil", &v.valid_until)) {
            (Ok(a), Ok(b), Ok(c)) => (a, b, c),
            (Err(o), _, _) | (_, Err(o), _) | (_, _, Err(o)) => return o,
        };
    let observed = format!(
        "signed {:?}, validFrom {:?}, validUntil {:?}; {}",
        v.signed,
        v.valid_from,
        v.valid_until,
        now_note(ctx)
    );
    if signed > from || from >= until {
        return Outcome::fail("signed ≤ validFrom < validUntil", observed);
    }
    if ctx.now < from || ctx.now > until {
        return Outcome::fail("the verification time within validFrom..validUntil", observed);
    }
    Outcome::pass(observed)
}

/// Element values as JSON for the profile's schema (text, numbers, booleans, full-date tags).
fn json_of(value: &ciborium::Value) -> Value {
    match value {
        ciborium::Value::Text(t) => Value::String(t.clone()),
        ciborium::Value::Integer(i) => i64::try_from(*i).map(Value::from).unwrap_or(Value::Null),
        ciborium::Value::Bool(b) => Value::Bool(*b),
        ciborium::Value::Float(x) => serde_json::Number::from_f64(*x).map(Value::Number).unwrap_or(Value::Null),
        ciborium::Value::Tag(_, inner) => json_of(inner),
        ciborium::Value::Array(a) => Value::Array(a.iter().map(json_of).collect()),
        ciborium::Value::Map(m) => {
            Value::Object(m.iter().filter_map(|(k, v)| k.as_text().map(|k| (k.to_string(), json_of(v)))).collect())
        }
        ciborium::Value::Bytes(b) => Value::String(b64::encode(b)),
        _ => Value::Null,
    }
}

fn profile(is: &IssuerSigned, ctx: &Context) -> Outcome {
    let doc_type = is.mso.doc_type.as_deref().unwrap_or("");
    let Some(p) = ctx.profiles.by_doctype(doc_type) else {
        return Outcome::skip(format!("no credential profile has docType {doc_type:?}"));
    };
    let mut claims = Map::new();
    for item in is.namespaces.values().flatten() {
        claims.insert(item.element_identifier.clone(), json_of(&item.element_value));
    }
    let problems = p.problems(&Value::Object(claims));
    if problems.is_empty() {
        Outcome::pass(format!("the elements satisfy profile {:?}", p.id))
    } else {
        Outcome::fail(format!("elements satisfying profile {:?}", p.id), problems.join("; "))
    }
}
