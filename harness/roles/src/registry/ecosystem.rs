//! The ecosystem file (TOML): the governing authority and its authorization and recognition
//! statements.

use serde::Deserialize;

pub const EXAMPLE: &str = include_str!("../../../../suites/ecosystems/pan-canadian-example.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ecosystem {
    pub authority_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub authorization: Vec<Statement>,
    #[serde(default)]
    pub recognition: Vec<Statement>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    pub entity_id: String,
    pub action: String,
    pub resource: String,
    /// ISO 3166-2 subdivision codes where the statement holds; empty: everywhere.
    #[serde(default)]
    pub jurisdictions: Vec<String>,
    /// RFC 3339 bounds of validity (inclusive start, exclusive end).
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
}

impl Ecosystem {
    /// Parses an ecosystem file, replacing `{reference_issuer}` with the given identifier.
    pub fn parse(text: &str, reference_issuer: &str) -> Result<Self, String> {
        Self::parse_with(text, &[("{reference_issuer}", reference_issuer)])
    }

    /// Parses an ecosystem file, replacing each placeholder with its value.
    pub fn parse_with(text: &str, replacements: &[(&str, &str)]) -> Result<Self, String> {
        let text = replacements.iter().fold(text.to_string(), |t, (from, to)| t.replace(from, to));
        toml::from_str(&text).map_err(|e| format!("ecosystem file: {e}"))
    }

    pub(crate) fn knows_entity(&self, entity_id: &str) -> bool {
        self.authorization.iter().chain(&self.recognition).any(|s| s.entity_id == entity_id)
    }
}

impl Statement {
    /// Whether this statement answers the query at `time` (RFC 3339, compared as UTC instants)
    /// within `jurisdiction` (if the query names one).
    pub fn holds(&self, entity_id: &str, action: &str, resource: &str, time: &str, jurisdiction: Option<&str>) -> bool {
        self.entity_id == entity_id
            && self.action == action
            && self.resource == resource
            && self.valid_from.as_deref().is_none_or(|from| rfc3339_cmp(from, time).is_some_and(|o| o.is_le()))
            && self.valid_until.as_deref().is_none_or(|until| rfc3339_cmp(time, until).is_some_and(|o| o.is_lt()))
            && jurisdiction.is_none_or(|j| self.jurisdictions.is_empty() || self.jurisdictions.iter().any(|x| x == j))
    }
}

/// Compares two RFC 3339 UTC times (`…Z`); `None` if either is not of that form.
pub(crate) fn rfc3339_cmp(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    Some(parse_utc(a)?.cmp(&parse_utc(b)?))
}

pub use dialtone_protocols::time::parse_rfc3339_utc as parse_utc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_ecosystem_parses() {
        let e = Ecosystem::parse(EXAMPLE, "https://127.0.0.1:1").unwrap();
        assert_eq!(e.authorization[0].entity_id, "https://127.0.0.1:1");
        assert!(e.knows_entity("https://verifier.bank.example.ca"));
    }

    #[test]
    fn times_and_jurisdictions_bound_statements() {
        let e = Ecosystem::parse(EXAMPLE, "x").unwrap();
        let vax = &e.authorization[1];
        let r = "urn:dialtone:vct:proof-of-vaccination:1";
        let holds = |t, j| vax.holds("https://issuer.health.example.ca", "issue", r, t, j);
        assert!(holds("2022-01-01T00:00:00Z", Some("CA-ON")));
        assert!(!holds("2022-01-01T00:00:00Z", Some("CA-QC")));
        assert!(!holds("2024-01-01T00:00:00Z", None));
        assert!(!holds("2021-08-31T23:59:59Z", None));
    }
}
