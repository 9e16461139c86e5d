//! The checks suites name. Each is an async function from a case context to an outcome; the
//! registry below maps suite names to them. Protocol checks live under their protocol
//! (`oid4vci::…`); format rules shared by every role live under `formats::…`.

pub mod binding;
pub mod chain;
pub mod counterparts;
pub mod driver;
pub mod issuer;
pub mod manifest;
pub mod registry;
pub mod vc_api;
pub mod verifier;
pub mod wallet;

pub use driver::{Ctx, Driver, Drivers};

use registry::queries as reg;

// The registry of drivers; each line names the binding it drives.
driver!("vc_api.issue.secured", binding::VC_API, vc_api::issue_returns_secured);
driver!("vc_api.issue.keeps_claims", binding::VC_API, vc_api::issue_keeps_claims);
driver!("vc_api.issue.data_model", binding::VC_API, vc_api::issue_data_model);
driver!("vc_api.issue.proof_shape", binding::VC_API, vc_api::proof_shape);
driver!("vc_api.issue.proof_verifies", binding::VC_API, vc_api::proof_verifies);
driver!("vc_api.issue.refuses_non_credential", binding::VC_API, vc_api::issue_refuses_non_credential);
driver!("vc_api.verify.accepts_own", binding::VC_API, vc_api::verify_accepts_own);
driver!("vc_api.verify.refuses_altered_claim", binding::VC_API, vc_api::verify_refuses_altered_claim);
driver!("vc_api.verify.refuses_unproved", binding::VC_API, vc_api::verify_refuses_unproved);
driver!("vc_api.verify.refuses_bad_signature", binding::VC_API, vc_api::verify_refuses_bad_signature);
driver!("vc_api.verify.refuses_expired", binding::VC_API, vc_api::verify_refuses_expired);
driver!("chain.issue_hold_present_verify", binding::CHAIN, chain::issue_hold_present_verify);
driver!("trqp.registry.authorized", binding::REGISTRY, reg::authorized);
driver!("trqp.registry.unauthorized", binding::REGISTRY, reg::unauthorized);
driver!("trqp.registry.outside_validity", binding::REGISTRY, reg::outside_validity);
driver!("trqp.registry.historical", binding::REGISTRY, reg::historical);
driver!("trqp.registry.outside_jurisdiction", binding::REGISTRY, reg::outside_jurisdiction);
driver!("trqp.registry.recognized", binding::REGISTRY, reg::recognized);
driver!("trqp.registry.echoes_query", binding::REGISTRY, reg::echoes_query);
driver!("trqp.registry.response_schema", binding::REGISTRY, reg::response_schema);
driver!("trqp.registry.malformed_json", binding::REGISTRY, reg::malformed_json);
driver!("trqp.registry.missing_member", binding::REGISTRY, reg::missing_member);
driver!("trqp.registry.unknown_authority", binding::REGISTRY, reg::unknown_authority);
