//! What a conformance statement may claim: the credential formats and optional features dialtone's
//! cases are planned by. A claim outside this vocabulary would silently skip the cases that need
//! the right spelling, so it is an error at load, naming the line and the closest known value.
//! The values themselves are data: `suites/conformance/vocabulary.toml`.

/// One value a statement may claim, and what it means.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    pub name: String,
    pub about: String,
    /// For a profile: the claims it makes (`feature:par`, `format:dc+sd-jwt`), so that a candidate
    /// claiming the profile is tested on each of them instead of having their cases skipped.
    #[serde(default)]
    pub implies: Vec<String>,
}

/// The vocabulary, kept as data beside the suites that require it (`suites/conformance/vocabulary.toml`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Vocabulary {
    #[serde(default)]
    format: Vec<Claim>,
    #[serde(default)]
    feature: Vec<Claim>,
    #[serde(default)]
    profile: Vec<Claim>,
}

const VOCABULARY_TOML: &str = include_str!("../../../suites/conformance/vocabulary.toml");
/// The vocabulary as built in (its path in the repository, its text): what a signed bundle names
/// among its inputs.
pub const SOURCE: (&str, &str) = ("suites/conformance/vocabulary.toml", VOCABULARY_TOML);

fn vocabulary() -> &'static Vocabulary {
    static V: std::sync::OnceLock<Vocabulary> = std::sync::OnceLock::new();
    // The file is part of the build; a test proves it parses.
    V.get_or_init(|| toml::from_str(VOCABULARY_TOML).unwrap_or_default())
}

/// Credential format identifiers (OpenID4VCI 1.0 Appendix A).
pub fn formats() -> &'static [Claim] {
    &vocabulary().format
}

/// Optional features a candidate may claim.
pub fn features() -> &'static [Claim] {
    &vocabulary().feature
}

/// Interoperability profiles a candidate may claim.
pub fn profiles() -> &'static [Claim] {
    &vocabulary().profile
}

/// The claims a claimed profile makes, as cases require them (`feature:…`, `format:…`); none for
/// an unknown profile.
pub fn implied_by(profile: &str) -> &'static [String] {
    profiles().iter().find(|p| p.name == profile).map(|p| p.implies.as_slice()).unwrap_or(&[])
}

/// The known values of one kind of claim.
fn known(kind: &str) -> &'static [Claim] {
    match kind {
        "formats" => formats(),
        "features" => features(),
        _ => profiles(),
    }
}

/// What a claim as cases require it (`format:dc+sd-jwt`, `feature:tx_code`) means, when known.
pub fn about(claim: &str) -> Option<String> {
    let (kind, name) = claim.split_once(':')?;
    let list = match kind {
        "format" => formats(),
        "feature" => features(),
        "profile" => profiles(),
        _ => return None,
    };
    list.iter().find(|c| c.name == name).map(|c| c.about.clone())
}

/// Checks a statement's claims; `Err((line, message))` for the first unknown one.
pub(crate) fn check(kind: &str, claims: &[String], text: &str) -> Result<(), (usize, String)> {
    let known = known(kind);
    for claim in claims {
        if known.iter().any(|k| k.name == *claim) {
            continue;
        }
        let names: Vec<&str> = known.iter().map(|k| k.name.as_str()).collect();
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
    fn the_vocabulary_file_parses_and_names_each_value_once() {
        let v: Vocabulary = toml::from_str(VOCABULARY_TOML).expect("suites/conformance/vocabulary.toml parses");
        assert!(!v.format.is_empty() && !v.feature.is_empty());
        let mut names: Vec<&str> =
            v.format.iter().chain(&v.feature).chain(&v.profile).map(|c| c.name.as_str()).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "a value is listed twice");
    }

    #[test]
    fn a_profile_implies_only_claims_of_the_vocabulary() {
        let haip = implied_by("haip-1.0");
        for needed in ["feature:authorization_code", "feature:par", "feature:dpop", "feature:wallet_attestation"] {
            assert!(haip.iter().any(|c| c == needed), "haip-1.0 does not imply {needed}");
        }
        for profile in profiles() {
            for claim in &profile.implies {
                assert!(
                    about(claim).is_some(),
                    "profile {} implies {claim:?}, which is not in the vocabulary",
                    profile.name
                );
            }
        }
        for claim in formats().iter().chain(features()) {
            assert!(claim.implies.is_empty(), "{}: only a profile implies other claims", claim.name);
        }
        assert!(implied_by("no-such-profile").is_empty());
    }

    #[test]
    fn misspelt_claims_are_named_with_their_line_and_the_closest_value() {
        let text = "[conformance]\nformats = [\"dc+sd-jwt\"]\nfeatures = [\"tx-code\"]\n";
        let (line, message) = check("features", &["tx-code".into()], text).unwrap_err();
        assert_eq!(line, 3);
        assert!(message.contains("unknown value \"tx-code\" — did you mean \"tx_code\"?"), "{message}");
        let (_, message) = check("formats", &["sd-jwt-vc".into()], "").unwrap_err();
        assert!(message.contains("did you mean \"dc+sd-jwt\""), "{message}");
        assert!(check("features", &["tx_code".into(), "status_list".into()], text).is_ok());
        assert!(check("profiles", &["haip-1.0".into()], "").is_ok());
        let (_, message) = check("profiles", &["haip-1".into()], "").unwrap_err();
        assert!(message.contains("did you mean \"haip-1.0\""), "{message}");
        assert!(closest("utterly-else", &["tx_code"]).is_none());
    }
}
