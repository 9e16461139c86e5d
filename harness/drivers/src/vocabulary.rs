//! What a conformance statement may claim: the credential formats and optional features dialtone's
//! cases are planned by. A claim outside this vocabulary would silently skip the cases that need
//! the right spelling, so it is an error at load, naming the line and the closest known value.

/// Credential format identifiers (OpenID4VCI 1.0 Appendix A).
pub const FORMATS: &[(&str, &str)] = &[
    ("dc+sd-jwt", "IETF SD-JWT VC (Appendix A.3)"),
    ("mso_mdoc", "ISO mdoc (Appendix A.2)"),
    ("jwt_vc_json", "W3C VC secured as a JWT, not using JSON-LD (Appendix A.1.1)"),
    ("jwt_vc_json-ld", "W3C VC secured as a JWT, using JSON-LD (Appendix A.1.3)"),
    ("ldp_vc", "W3C VC with a Data Integrity proof (Appendix A.1.2)"),
];

/// Optional features a candidate may claim.
pub const FEATURES: &[(&str, &str)] = &[
    ("pre-authorized_code", "issuer: the pre-authorized code grant (OpenID4VCI §3.5)"),
    ("tx_code", "issuer: transaction codes with pre-authorized codes (§4.1.1); wallet: sends them"),
    ("nonce_endpoint", "issuer: a nonce endpoint (§7)"),
    ("c_nonce_single_use", "issuer: each c_nonce buys one credential"),
    ("status_list", "issuer: credentials carry a Token Status List entry"),
    ("issuer_keys:x5c", "SD-JWT VC issuer keys by x5c (SD-JWT VC §2.5)"),
    ("issuer_keys:jwt_vc_issuer_metadata", "SD-JWT VC issuer keys by JWT VC Issuer Metadata (SD-JWT VC §4)"),
    ("client_id_prefix:x509_san_dns", "verifier/wallet: the x509_san_dns client identifier prefix (OpenID4VP §5.9.3)"),
    ("client_id_prefix:redirect_uri", "verifier/wallet: the redirect_uri client identifier prefix (§5.9.3)"),
    ("response_mode:direct_post", "verifier/wallet: direct_post (§8.2)"),
    ("response_mode:direct_post.jwt", "verifier/wallet: direct_post.jwt (§8.3.1)"),
    ("jurisdiction", "registry: answers queries about a jurisdiction (TRQP context)"),
    ("recognition", "registry: answers recognition queries (TRQP)"),
];

/// Interoperability profiles a candidate may claim (none is defined yet; HAIP 1.0 is planned).
pub const PROFILES: &[(&str, &str)] = &[];

/// The name of the vocabulary a claim belongs to, and its known values.
fn known(kind: &str) -> &'static [(&'static str, &'static str)] {
    match kind {
        "formats" => FORMATS,
        "features" => FEATURES,
        _ => PROFILES,
    }
}

/// Checks a statement's claims; `Err((line, message))` for the first unknown one.
pub(crate) fn check(kind: &str, claims: &[String], text: &str) -> Result<(), (usize, String)> {
    let known = known(kind);
    for claim in claims {
        if known.iter().any(|(k, _)| k == claim) {
            continue;
        }
        let names: Vec<&str> = known.iter().map(|(k, _)| *k).collect();
        let hint = match closest(claim, &names) {
            Some(c) => format!(" — did you mean {c:?}?"),
            None => String::new(),
        };
        let list = if names.is_empty() { "none is defined yet".to_string() } else { names.join(", ") };
        return Err((
            line_of(text, claim),
            format!("[conformance] {kind}: unknown value {claim:?}{hint} (known: {list})"),
        ));
    }
    Ok(())
}

/// The line of the first quoted occurrence of `value` (0 when not found).
fn line_of(text: &str, value: &str) -> usize {
    let quoted = format!("\"{value}\"");
    text.find(&quoted).map(|at| text[..at].matches('\n').count() + 1).unwrap_or(0)
}

/// The known value nearest to `value`, when it is near enough to be a slip: a few edits away, or
/// sharing two of its words (`sd-jwt-vc` for `dc+sd-jwt`).
fn closest<'a>(value: &str, known: &[&'a str]) -> Option<&'a str> {
    let words = |s: &str| -> Vec<String> {
        s.to_ascii_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mine = words(value);
    known
        .iter()
        .map(|k| (distance(&value.to_ascii_lowercase(), &k.to_ascii_lowercase()), *k))
        .filter(|(d, k)| *d <= 3.max(k.len() / 4) || words(k).iter().filter(|w| mine.contains(w)).count() >= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb { previous } else { 1 + previous.min(row[j]).min(row[j + 1]) };
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_claims_are_named_with_their_line_and_the_closest_value() {
        let text = "[conformance]\nformats = [\"dc+sd-jwt\"]\nfeatures = [\"tx-code\"]\n";
        let (line, message) = check("features", &["tx-code".into()], text).unwrap_err();
        assert_eq!(line, 3);
        assert!(message.contains("unknown value \"tx-code\" — did you mean \"tx_code\"?"), "{message}");
        let (_, message) = check("formats", &["sd-jwt-vc".into()], "").unwrap_err();
        assert!(message.contains("did you mean \"dc+sd-jwt\""), "{message}");
        assert!(check("features", &["tx_code".into(), "status_list".into()], text).is_ok());
        let (_, message) = check("profiles", &["haip-1.0".into()], "").unwrap_err();
        assert!(message.contains("none is defined yet"), "{message}");
        assert!(closest("utterly-else", &["tx_code"]).is_none());
    }
}
