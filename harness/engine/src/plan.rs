//! The plan: the cases of the loaded suites that concern the candidate's roles, each either to run
//! or to skip with the reason the candidate's manifest gives.

use crate::model::Level;
use crate::role::Role;
use crate::suite::{Case, Suite};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct PlannedCase {
    pub case: Arc<Case>,
    /// `Some(reason)` when the candidate's manifest rules the case out.
    pub skip: Option<String>,
}

/// What the plan needs to know of a candidate.
pub trait Candidate {
    /// The roles it plays.
    fn roles(&self) -> &[Role];
    /// What its conformance statement claims, as cases `require` it (`format:…`, `feature:…`, `role:…`).
    fn claims(&self) -> Vec<String>;
    /// Why the candidate offers no interface for a binding, when it does not.
    fn unexposed(&self, binding: &str) -> Option<String>;
    /// What a claim means (`feature:trust_registry` → what the candidate does and needs), for the
    /// reason of a case skipped for want of it.
    fn explain(&self, _claim: &str) -> Option<String> {
        None
    }
}

/// The case at the level the candidate's claims give it: a MUST when it claims a profile the case
/// is a MUST under (`must_under`), with that profile named; else as written.
fn leveled(case: &Case, claims: &[String]) -> Case {
    let mut case = case.clone();
    if case.level != Level::Must
        && let Some(profile) = case.must_under.iter().find(|p| claims.contains(&format!("profile:{p}")))
    {
        case.level_by = Some(profile.clone());
        case.level = Level::Must;
    }
    case
}

/// The cases that concern the candidate's roles (and `only`, when given: id prefixes).
pub fn build(suites: &[Suite], candidate: &dyn Candidate, only: &[String]) -> Vec<PlannedCase> {
    let claims = candidate.claims();
    suites
        .iter()
        .flat_map(|s| s.cases.iter())
        .filter(|c| candidate.roles().contains(&c.role))
        .filter(|c| only.is_empty() || only.iter().any(|o| c.id.starts_with(o.as_str())))
        .map(|c| {
            let missing: Vec<&str> = c.requires.iter().filter(|r| !claims.contains(r)).map(String::as_str).collect();
            let skip = candidate.unexposed(&c.binding).or_else(|| {
                (!missing.is_empty()).then(|| {
                    let named: Vec<String> = missing
                        .iter()
                        .map(|m| match candidate.explain(m) {
                            Some(about) => format!("{m} ({about})"),
                            None => m.to_string(),
                        })
                        .collect();
                    format!("not applicable: the candidate's conformance statement does not claim {}", named.join(", "))
                })
            });
            PlannedCase { case: Arc::new(leveled(c, &claims)), skip }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    struct Claiming(Vec<String>);

    impl Candidate for Claiming {
        fn roles(&self) -> &[Role] {
            &[Role::Issuer]
        }
        fn claims(&self) -> Vec<String> {
            self.0.clone()
        }
        fn unexposed(&self, _binding: &str) -> Option<String> {
            None
        }
    }

    fn case(id: &str, level: Level, requires: &[&str], must_under: &[&str]) -> Case {
        Case {
            id: id.into(),
            title: id.into(),
            role: Role::Issuer,
            binding: "oid4vci-issuer".into(),
            level,
            driver: "d".into(),
            spec: Vec::new(),
            pctf: Vec::new(),
            requires: requires.iter().map(|s| s.to_string()).collect(),
            caught_by: Vec::new(),
            depends_on: Vec::new(),
            root_of: Vec::new(),
            must_under: must_under.iter().map(|s| s.to_string()).collect(),
            level_by: None,
            params: toml::Table::new(),
            suite: "s".into(),
            file: PathBuf::from("s.toml"),
            line: 1,
        }
    }

    /// Under a claimed profile a case it makes mandatory is a MUST, and says which profile made it
    /// so; without the claim it keeps the level of its base specification.
    #[test]
    fn a_claimed_profile_raises_the_cases_it_makes_mandatory() {
        let suite = Suite {
            id: "s".into(),
            title: "s".into(),
            role: Role::Issuer,
            binding: "oid4vci-issuer".into(),
            file: PathBuf::from("s.toml"),
            cases: vec![
                case("A", Level::Should, &[], &["haip-1.0"]),
                case("B", Level::Should, &[], &[]),
                case("C", Level::Must, &["feature:par"], &[]),
            ],
        };
        let plain = build(std::slice::from_ref(&suite), &Claiming(vec![]), &[]);
        assert_eq!(plain[0].case.level, Level::Should);
        assert!(plain[0].case.level_by.is_none());
        assert!(plain[2].skip.as_deref().is_some_and(|s| s.contains("feature:par")));

        let haip = Claiming(vec!["profile:haip-1.0".into(), "feature:par".into()]);
        let planned = build(std::slice::from_ref(&suite), &haip, &[]);
        assert_eq!(planned[0].case.level, Level::Must);
        assert_eq!(planned[0].case.level_by.as_deref(), Some("haip-1.0"));
        assert_eq!(planned[1].case.level, Level::Should, "a case the profile does not name keeps its level");
        assert!(planned[2].skip.is_none(), "a feature the profile implies is planned, not skipped");
    }
}
