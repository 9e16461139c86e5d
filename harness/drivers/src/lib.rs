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
use wallet::issuance as wiss;
use wallet::presentation as wpres;

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
driver!("oid4vp.wallet.encrypted_response", binding::WALLET, wpres::encrypted_response);
driver!("oid4vp.wallet.answers_redirect_uri", binding::WALLET, wpres::answers_redirect_uri);
driver!("oid4vp.wallet.refuses_redirect_uri_mismatch", binding::WALLET, wpres::refuses_redirect_uri_mismatch);
driver!("oid4vci.wallet.stores_credential", binding::WALLET, wiss::stores_credential);
driver!("oid4vci.wallet.sends_tx_code", binding::WALLET, wiss::sends_tx_code);
driver!("oid4vci.wallet.proof_typ", binding::WALLET, wiss::proof_typ);
driver!("oid4vci.wallet.proof_aud", binding::WALLET, wiss::proof_aud);
driver!("oid4vci.wallet.proof_nonce", binding::WALLET, wiss::proof_nonce);
driver!("oid4vci.wallet.proof_key", binding::WALLET, wiss::proof_key);
driver!("oid4vci.wallet.names_byte_exact", binding::WALLET, wiss::names_byte_exact);
driver!("oid4vci.wallet.proof_nonce_fresh", binding::WALLET, wiss::proof_nonce_fresh);
driver!("oid4vp.wallet.state_returned", binding::WALLET, wpres::state_returned);
driver!("oid4vp.wallet.vp_token_shape", binding::WALLET, wpres::vp_token_shape);
driver!("oid4vp.wallet.refuses_client_id_mismatch", binding::WALLET, wpres::refuses_client_id_mismatch);
driver!("oid4vp.wallet.names_presented_exact", binding::WALLET, wpres::names_presented_exact);
driver!("oid4vp.wallet.accepted_presentation", binding::WALLET, wpres::accepted_presentation);
driver!("oid4vp.wallet.kb_audience", binding::WALLET, wpres::kb_audience);
driver!("oid4vp.wallet.kb_sd_hash", binding::WALLET, wpres::kb_sd_hash);
driver!("oid4vp.wallet.kb_key", binding::WALLET, wpres::kb_key);
driver!("oid4vp.wallet.discloses_only_requested", binding::WALLET, wpres::discloses_only_requested);
driver!("oid4vp.wallet.refuses_unsigned_request", binding::WALLET, wpres::refuses_unsigned_request);
driver!("oid4vp.wallet.refuses_bad_signature", binding::WALLET, wpres::refuses_bad_signature);
driver!("oid4vp.wallet.refuses_response_uri_mismatch", binding::WALLET, wpres::refuses_response_uri_mismatch);
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
