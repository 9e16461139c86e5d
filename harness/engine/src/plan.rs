//! The plan: the cases of the loaded suites that concern the candidate's roles, each either to run
//! or to skip with the reason the candidate's manifest gives.

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
            PlannedCase { case: Arc::new(c.clone()), skip }
        })
        .collect()
}
