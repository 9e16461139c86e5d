//! The DCQL queries the harness asks a verifier for (OpenID4VP 1.0 §6): through the counterpart
//! verifier's control API in front of a wallet under test (`StartRequest.dcql_query`), and through
//! a verifier under test's control API in front of the harness as wallet. Each is named in the
//! cases' `params` (`request = { dcql = "…" }`) and built here, from the credential the counterpart
//! issuers mint (a verified person, `dc+sd-jwt`).

use dialtone_protocols::oid4vci::FORMAT_SD_JWT_VC;
use dialtone_roles::issuer::minter::VCT_VERIFIED_PERSON;
use serde::Deserialize;
use serde_json::{Value, json};

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
}

impl DcqlAsk {
    /// The query; `issuer` (the credential issuer identifier a wallet's credential must come from,
    /// as `iss` value matching, §6.3) pins the person credential where the query names claims.
    pub(crate) fn query(self, issuer: Option<&str>) -> Value {
        let iss = |id: &str| match issuer {
            Some(i) => json!({ "id": id, "path": ["iss"], "values": [i] }),
            None => json!({ "id": id, "path": ["vct"] }),
        };
        let claim = |id: &str, name: &str| json!({ "id": id, "path": [name] });
        let person = |id: &str, claims: Vec<Value>| json!({ "id": id, "format": FORMAT_SD_JWT_VC, "meta": { "vct_values": [VCT_VERIFIED_PERSON] }, "claims": claims });
        let not_held =
            |id: &str| json!({ "id": id, "format": FORMAT_SD_JWT_VC, "meta": { "vct_values": [VCT_NOT_HELD] } });
        match self {
            Self::NoClaims => json!({ "credentials": [
                { "id": "person", "format": FORMAT_SD_JWT_VC, "meta": { "vct_values": [VCT_VERIFIED_PERSON] } }
            ] }),
            Self::OptionalSet => json!({
                "credentials": [
                    person("person", vec![iss("issuer"), claim("given", "given_name")]),
                    person("extra", vec![iss("issuer"), claim("family", "family_name")]),
                ],
                "credential_sets": [{ "options": [["person"]] }, { "required": false, "options": [["extra"]] }]
            }),
            Self::OptionalSetNotHeld => json!({
                "credentials": [person("person", vec![iss("issuer"), claim("given", "given_name")]), not_held("licence")],
                "credential_sets": [{ "options": [["person"]] }, { "required": false, "options": [["licence"]] }]
            }),
            Self::RequiredNotHeld => json!({
                "credentials": [not_held("licence"), person("person", vec![iss("issuer"), claim("given", "given_name")])],
                "credential_sets": [{ "options": [["licence"]] }, { "required": false, "options": [["person"]] }]
            }),
            Self::ClaimSets => {
                let mut q = person(
                    "person",
                    vec![
                        iss("issuer"),
                        claim("nickname", "nickname"),
                        claim("given", "given_name"),
                        claim("family", "family_name"),
                        claim("birth", "birthdate"),
                    ],
                );
                q["claim_sets"] = json!([["issuer", "nickname"], ["issuer", "given", "family"], ["issuer", "birth"]]);
                json!({ "credentials": [q] })
            }
            Self::Single => {
                json!({ "credentials": [person("person", vec![iss("issuer"), claim("given", "given_name")])] })
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
        ] {
            for issuer in [None, Some("https://issuer.example")] {
                let q = ask.query(issuer);
                dialtone_protocols::dcql::Query::parse(&q).unwrap_or_else(|e| panic!("{ask:?}: {e}"));
            }
        }
    }
}
