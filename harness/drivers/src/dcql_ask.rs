//! The DCQL queries the harness asks a verifier for (OpenID4VP 1.0 §6): through the counterpart
//! verifier's control API in front of a wallet under test (`StartRequest.dcql_query`), and through
//! a verifier under test's control API in front of the harness as wallet. Each is named in the
//! cases' `params` (`request = { dcql = "…" }`) and built here, from the credential the counterpart
//! issuers mint (a verified person, `dc+sd-jwt`).

use dialtone_protocols::dcql;
use dialtone_protocols::oid4vci::FORMAT_SD_JWT_VC;
use dialtone_roles::issuer::minter::VCT_VERIFIED_PERSON;
use serde::Deserialize;
use serde_json::Value;

/// A type no counterpart issues: a credential query for it matches nothing the wallet holds.
pub(crate) const VCT_NOT_HELD: &str = "urn:dialtone:vct:driving-licence:1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DcqlAsk {
    /// A credential query without `claims`: only what is mandatory to present (§6.4.1).
    NoClaims,
    /// A required credential set (the person, given_name) and an optional one (the person again,
    /// family_name) (§6.2).
    OptionalSet,
    /// A required credential set (the person) and an optional one for a type nobody issues.
    OptionalSetNotHeld,
    /// A required credential set for a type nobody issues, and an optional one the wallet holds:
    /// the wallet must present nothing (§6.4.2).
    RequiredNotHeld,
    /// Claim sets whose first option asks for a claim the credential lacks (§6.4.1): the second,
    /// given_name and family_name, is the one to present; the third (birthdate) is not.
    ClaimSets,
    /// The person with given_name (one credential query; `multiple` not set).
    Single,
    /// The person with given_name, `multiple: true`: every matching credential (§6.1).
    Multiple,
}

impl DcqlAsk {
    /// The query; `issuer` (the credential issuer identifier a wallet's credential must come from,
    /// as `iss` value matching, §6.3) pins the person credential where the query names claims.
    pub(crate) fn query(self, issuer: Option<&str>) -> Value {
        let iss = |id: &str| match issuer {
            Some(i) => dcql::claim(id, &["iss"], Some(vec![Value::String(i.to_string())])),
            None => dcql::claim(id, &["vct"], None),
        };
        let named = |id: &str, name: &str| dcql::claim(id, &[name], None);
        let person =
            |id: &str, claims: Vec<Value>| dcql::credential_query(id, FORMAT_SD_JWT_VC, &[VCT_VERIFIED_PERSON], claims);
        let not_held = |id: &str| dcql::credential_query(id, FORMAT_SD_JWT_VC, &[VCT_NOT_HELD], Vec::new());
        let given = |id: &str| person(id, vec![iss("issuer"), named("given", "given_name")]);
        match self {
            Self::NoClaims => dcql::query_of(vec![person("person", Vec::new())], &[]),
            Self::OptionalSet => dcql::query_of(
                vec![given("person"), person("extra", vec![iss("issuer"), named("family", "family_name")])],
                &[(true, &[&["person"]]), (false, &[&["extra"]])],
            ),
            Self::OptionalSetNotHeld => dcql::query_of(
                vec![given("person"), not_held("licence")],
                &[(true, &[&["person"]]), (false, &[&["licence"]])],
            ),
            Self::RequiredNotHeld => dcql::query_of(
                vec![not_held("licence"), given("person")],
                &[(true, &[&["licence"]]), (false, &[&["person"]])],
            ),
            Self::ClaimSets => {
                let claims = vec![
                    iss("issuer"),
                    named("nickname", "nickname"),
                    named("given", "given_name"),
                    named("family", "family_name"),
                    named("birth", "birthdate"),
                ];
                let sets: &[&[&str]] = &[&["issuer", "nickname"], &["issuer", "given", "family"], &["issuer", "birth"]];
                dcql::query_of(vec![dcql::with_claim_sets(person("person", claims), sets)], &[])
            }
            Self::Single => dcql::query_of(vec![given("person")], &[]),
            Self::Multiple => {
                let mut person = given("person");
                person["multiple"] = Value::Bool(true);
                dcql::query_of(vec![person], &[])
            }
        }
    }

    /// Whether a wallet's answer cannot be pinned to this case's issuer (no claims to match `iss`
    /// by): the case must then be the only one handing the wallet credentials while it runs.
    pub(crate) fn unpinned(self) -> bool {
        self == Self::NoClaims
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_is_well_formed_dcql() {
        for ask in [
            DcqlAsk::NoClaims,
            DcqlAsk::OptionalSet,
            DcqlAsk::OptionalSetNotHeld,
            DcqlAsk::RequiredNotHeld,
            DcqlAsk::ClaimSets,
            DcqlAsk::Single,
            DcqlAsk::Multiple,
        ] {
            for issuer in [None, Some("https://issuer.example")] {
                let q = ask.query(issuer);
                dialtone_protocols::dcql::Query::parse(&q).unwrap_or_else(|e| panic!("{ask:?}: {e}"));
            }
        }
    }
}
