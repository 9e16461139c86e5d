//! The plan: the cases of the loaded suites that concern the candidate's roles, each either to run
//! or to skip with the reason its conformance statement gives.

use crate::manifest::Manifest;
use crate::suite::{Case, Suite};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct PlannedCase {
    pub case: Arc<Case>,
    /// `Some(reason)` when the conformance statement rules the case out.
    pub skip: Option<String>,
}

pub fn build(suites: &[Suite], manifest: &Manifest, only: &[String]) -> Vec<PlannedCase> {
    let claims = manifest.claims();
    suites
        .iter()
        .flat_map(|s| s.cases.iter())
        .filter(|c| manifest.candidate.roles.contains(&c.role))
        .filter(|c| only.is_empty() || only.iter().any(|o| c.id.starts_with(o.as_str())))
        .map(|c| {
            let missing: Vec<&str> = c.requires.iter().filter(|r| !claims.contains(r)).map(String::as_str).collect();
            let vc_api_case = c.requires.iter().any(|r| r == "feature:vc_api");
            // A candidate under test through the VC-API binding only has no OpenID4VC interface.
            let no_interface = match c.role.as_str() {
                "issuer" => !vc_api_case && manifest.issuer.is_none(),
                "verifier" => !vc_api_case && manifest.verifier.is_none(),
                _ => false,
            };
            let skip = if no_interface {
                Some(format!(
                    "not applicable: the manifest has no [{}] section (that interface is not under test)",
                    c.role
                ))
            } else {
                (!missing.is_empty()).then(|| {
                    format!(
                        "not applicable: the candidate's conformance statement does not claim {}",
                        missing.join(", ")
                    )
                })
            };
            PlannedCase { case: Arc::new(c.clone()), skip }
        })
        .collect()
}
