//! The harness as a TRQP v2 consumer in front of a trust registry under test.

pub mod consumer;
pub mod queries;

use crate::binding::Binding;
use crate::manifest::{Manifest, Problem, check_allow_http};
use dialtone_engine::role::Role;

/// The trust registry under test through the TRQP v2 HTTPS binding: the `[registry]` section.
pub(crate) struct TrqpRegistry;

impl Binding for TrqpRegistry {
    fn id(&self) -> &'static str {
        crate::binding::REGISTRY
    }
    fn roles(&self) -> &'static [Role] {
        &[Role::Registry]
    }
    fn section(&self) -> &'static str {
        "registry"
    }
    fn exposed(&self, manifest: &Manifest) -> bool {
        manifest.registry.is_some()
    }
    fn validate(&self, manifest: &Manifest) -> Result<(), Problem> {
        let Some(registry) = &manifest.registry else { return Ok(()) };
        let split =
            dialtone_protocols::oid4vci::split_url(&registry.url).map_err(|e| format!("[registry] url: {e}"))?;
        if split.origin.starts_with("http://") && !registry.allow_http {
            return Err(Problem::at(
                "registry",
                "url",
                format!("[registry] url {:?} uses http: set allow_http = true for a local candidate", registry.url),
            ));
        }
        check_allow_http("registry", registry.allow_http, &registry.url)?;
        Ok(())
    }
    fn mutants(&self) -> Option<&'static str> {
        Some("registry.")
    }
}
