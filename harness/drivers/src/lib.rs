//! The checks suites name. Each is an async function from a case context to an outcome; the
//! registry below maps suite names to them. Protocol checks live under their protocol
//! (`oid4vci::…`); format rules shared by every role live under `formats::…`.

pub mod chain;
pub mod counterparts;
pub mod issuer;
pub mod registry;
pub mod vc_api;
pub mod verifier;
pub mod wallet;

use dialtone_engine::check::{CheckDef, CheckFuture};
use issuer::issued::{Rule, judge};
use issuer::status;
use issuer::{credential as cred, metadata as meta, nonce, token};
use registry::queries as reg;
use verifier::{presentation as vpres, request as vreq};
use wallet::issuance as wiss;
use wallet::presentation as wpres;

macro_rules! check {
    ($name:literal, $f:path) => {
        CheckDef { name: $name, run: |ctx| -> CheckFuture { Box::pin($f(ctx)) } }
    };
    ($name:literal, rule $rule:ident) => {
        CheckDef { name: $name, run: |ctx| -> CheckFuture { Box::pin(judge(ctx, Rule::$rule)) } }
    };
}

/// Every check the harness implements.
pub static CHECKS: &[CheckDef] = &[
    check!("oid4vci.issuer.metadata.retrievable", meta::retrievable),
    check!("oid4vci.issuer.metadata.credential_issuer_matches", meta::credential_issuer_matches),
    check!("oid4vci.issuer.metadata.required_members", meta::required_members),
    check!("oid4vci.issuer.metadata.endpoints_https", meta::endpoints_https),
    check!("oid4vci.issuer.metadata.configuration_format", meta::configuration_format),
    check!("oid4vci.issuer.metadata.binding_and_proof_types", meta::binding_and_proof_types),
    check!("oid4vci.issuer.metadata.signing_algs", meta::signing_algs),
    check!("oid4vci.issuer.metadata.authorization_server", meta::authorization_server),
    check!("oid4vci.issuer.metadata.jwt_vc_issuer", meta::jwt_vc_issuer),
    check!("oid4vci.issuer.offer.consistent", meta::offer_consistent),
    check!("oid4vci.issuer.token.success", token::success),
    check!("oid4vci.issuer.token.wrong_code", token::wrong_code),
    check!("oid4vci.issuer.token.replayed_code", token::replayed_code),
    check!("oid4vci.issuer.token.tx_code_missing", token::tx_code_missing),
    check!("oid4vci.issuer.token.tx_code_wrong", token::tx_code_wrong),
    check!("oid4vci.issuer.token.tx_code_unexpected", token::tx_code_unexpected),
    check!("oid4vci.issuer.token.unsupported_grant_type", token::unsupported_grant_type),
    check!("oid4vci.issuer.token.missing_code", token::missing_code),
    check!("oid4vci.issuer.nonce.response", nonce::response),
    check!("oid4vci.issuer.nonce.no_store", nonce::no_store),
    check!("oid4vci.issuer.nonce.unpredictable", nonce::unpredictable),
    check!("oid4vci.issuer.credential.success", cred::success),
    check!("oid4vci.issuer.credential.no_token", cred::no_token),
    check!("oid4vci.issuer.credential.bad_token", cred::bad_token),
    check!("oid4vci.issuer.credential.auth_failure_status", cred::auth_failure_status),
    check!("oid4vci.issuer.credential.missing_proof", cred::missing_proof),
    check!("oid4vci.issuer.credential.proof_wrong_typ", cred::proof_wrong_typ),
    check!("oid4vci.issuer.credential.proof_wrong_aud", cred::proof_wrong_aud),
    check!("oid4vci.issuer.credential.proof_bad_signature", cred::proof_bad_signature),
    check!("oid4vci.issuer.credential.proof_alg_none", cred::proof_alg_none),
    check!("oid4vci.issuer.credential.proof_missing_nonce", cred::proof_missing_nonce),
    check!("oid4vci.issuer.credential.proof_foreign_nonce", cred::proof_foreign_nonce),
    check!("oid4vci.issuer.credential.proof_stale_nonce", cred::proof_stale_nonce),
    check!("oid4vci.issuer.credential.unknown_configuration", cred::unknown_configuration),
    check!("oid4vci.issuer.credential.error_format", cred::error_format),
    check!("sd_jwt_vc.issued.structure", rule Structure),
    check!("sd_jwt_vc.issued.typ", rule Typ),
    check!("sd_jwt_vc.issued.signature", rule Signature),
    check!("sd_jwt_vc.issued.alg_advertised", rule AlgAdvertised),
    check!("sd_jwt_vc.issued.iss", rule Iss),
    check!("sd_jwt_vc.issued.vct", rule Vct),
    check!("sd_jwt_vc.issued.validity", rule Validity),
    check!("sd_jwt_vc.issued.exp_present", rule ExpPresent),
    check!("sd_jwt_vc.issued.cnf_matches_proof", rule Cnf),
    check!("sd_jwt_vc.issued.disclosures_digests", rule Disclosures),
    check!("sd_jwt_vc.issued.sd_claims_not_in_clear", rule SdClaimsNotInClear),
    check!("sd_jwt_vc.issued.profile", rule Profile),
    check!("vc_api.issue.secured", vc_api::issue_returns_secured),
    check!("vc_api.issue.keeps_claims", vc_api::issue_keeps_claims),
    check!("vc_api.issue.data_model", vc_api::issue_data_model),
    check!("vc_api.issue.proof_shape", vc_api::proof_shape),
    check!("vc_api.issue.proof_verifies", vc_api::proof_verifies),
    check!("vc_api.issue.refuses_non_credential", vc_api::issue_refuses_non_credential),
    check!("vc_api.verify.accepts_own", vc_api::verify_accepts_own),
    check!("vc_api.verify.refuses_altered_claim", vc_api::verify_refuses_altered_claim),
    check!("vc_api.verify.refuses_unproved", vc_api::verify_refuses_unproved),
    check!("vc_api.verify.refuses_bad_signature", vc_api::verify_refuses_bad_signature),
    check!("vc_api.verify.refuses_expired", vc_api::verify_refuses_expired),
    check!("sd_jwt_vc.issued.registered_claims_in_clear", rule RegisteredClaimsNotDisclosable),
    check!("sd_jwt_vc.issued.salt_entropy", rule SaltEntropy),
    check!("token_status_list.issued.reference", status::reference),
    check!("token_status_list.issuer.list_valid", status::list_valid),
    check!("token_status_list.issuer.revocation", status::revocation),
    check!("token_status_list.issuer.suspension", status::suspension),
    check!("oid4vp.verifier.request.signed", vreq::signed),
    check!("oid4vp.verifier.request.typ", vreq::typ),
    check!("oid4vp.verifier.request.x509_san_dns", vreq::x509_san_dns),
    check!("oid4vp.verifier.request.client_id_consistent", vreq::client_id_consistent),
    check!("oid4vp.verifier.request.response_uri_host", vreq::response_uri_host),
    check!("oid4vp.verifier.request.nonce_present", vreq::nonce_present),
    check!("oid4vp.verifier.request.nonce_entropy", vreq::nonce_entropy),
    check!("oid4vp.verifier.request.dcql_well_formed", vreq::dcql_well_formed),
    check!("oid4vp.verifier.request.jwt_encryption_key", vreq::jwt_encryption_key),
    check!("oid4vp.verifier.presentation.jwt_response_accepted", vpres::jwt_response_accepted),
    check!("oid4vp.verifier.presentation.jwt_plain_refused", vpres::jwt_plain_refused),
    check!("oid4vp.wallet.encrypted_response", wpres::encrypted_response),
    check!("oid4vp.wallet.answers_redirect_uri", wpres::answers_redirect_uri),
    check!("oid4vp.wallet.refuses_redirect_uri_mismatch", wpres::refuses_redirect_uri_mismatch),
    check!("oid4vp.verifier.request.redirect_uri_client", vreq::redirect_uri_client),
    check!("oid4vp.verifier.presentation.redirect_uri_accepted", vpres::redirect_uri_accepted),
    check!("oid4vp.verifier.presentation.valid_accepted", vpres::valid_accepted),
    check!("oid4vp.verifier.presentation.tampered_disclosure", vpres::tampered_disclosure),
    check!("oid4vp.verifier.presentation.foreign_disclosure", vpres::foreign_disclosure),
    check!("oid4vp.verifier.presentation.sd_hash_mismatch", vpres::sd_hash_mismatch),
    check!("oid4vp.verifier.presentation.kb_missing", vpres::kb_missing),
    check!("oid4vp.verifier.presentation.kb_wrong_nonce", vpres::kb_wrong_nonce),
    check!("oid4vp.verifier.presentation.kb_wrong_aud", vpres::kb_wrong_aud),
    check!("oid4vp.verifier.presentation.kb_stale", vpres::kb_stale),
    check!("oid4vp.verifier.presentation.kb_other_key", vpres::kb_other_key),
    check!("oid4vp.verifier.presentation.expired", vpres::expired),
    check!("oid4vp.verifier.presentation.not_yet_valid", vpres::not_yet_valid),
    check!("oid4vp.verifier.presentation.unlisted_issuer_key", vpres::unlisted_issuer_key),
    check!("oid4vp.verifier.presentation.revoked", vpres::revoked),
    check!("oid4vp.verifier.presentation.suspended", vpres::suspended),
    check!("oid4vp.verifier.presentation.issuer_not_authorized", vpres::issuer_not_authorized),
    check!("oid4vp.verifier.presentation.wrong_type", vpres::wrong_type),
    check!("oid4vp.verifier.presentation.claims_withheld", vpres::claims_withheld),
    check!("oid4vp.verifier.presentation.replayed_response", vpres::replayed_response),
    check!("oid4vp.verifier.presentation.unknown_state", vpres::unknown_state),
    check!("oid4vci.wallet.stores_credential", wiss::stores_credential),
    check!("oid4vci.wallet.sends_tx_code", wiss::sends_tx_code),
    check!("oid4vci.wallet.proof_typ", wiss::proof_typ),
    check!("oid4vci.wallet.proof_aud", wiss::proof_aud),
    check!("oid4vci.wallet.proof_nonce", wiss::proof_nonce),
    check!("oid4vci.wallet.proof_key", wiss::proof_key),
    check!("oid4vci.wallet.names_byte_exact", wiss::names_byte_exact),
    check!("oid4vci.wallet.proof_nonce_fresh", wiss::proof_nonce_fresh),
    check!("oid4vp.wallet.state_returned", wpres::state_returned),
    check!("oid4vp.wallet.vp_token_shape", wpres::vp_token_shape),
    check!("oid4vp.wallet.refuses_client_id_mismatch", wpres::refuses_client_id_mismatch),
    check!("oid4vp.wallet.names_presented_exact", wpres::names_presented_exact),
    check!("oid4vp.wallet.accepted_presentation", wpres::accepted_presentation),
    check!("oid4vp.wallet.kb_audience", wpres::kb_audience),
    check!("oid4vp.wallet.kb_sd_hash", wpres::kb_sd_hash),
    check!("oid4vp.wallet.kb_key", wpres::kb_key),
    check!("oid4vp.wallet.discloses_only_requested", wpres::discloses_only_requested),
    check!("oid4vp.wallet.refuses_unsigned_request", wpres::refuses_unsigned_request),
    check!("oid4vp.wallet.refuses_bad_signature", wpres::refuses_bad_signature),
    check!("oid4vp.wallet.refuses_response_uri_mismatch", wpres::refuses_response_uri_mismatch),
    check!("interop.issue_hold_present_verify", chain::issue_hold_present_verify),
    check!("trqp.registry.authorized", reg::authorized),
    check!("trqp.registry.unauthorized", reg::unauthorized),
    check!("trqp.registry.outside_validity", reg::outside_validity),
    check!("trqp.registry.historical", reg::historical),
    check!("trqp.registry.outside_jurisdiction", reg::outside_jurisdiction),
    check!("trqp.registry.recognized", reg::recognized),
    check!("trqp.registry.echoes_query", reg::echoes_query),
    check!("trqp.registry.response_schema", reg::response_schema),
    check!("trqp.registry.malformed_json", reg::malformed_json),
    check!("trqp.registry.missing_member", reg::missing_member),
    check!("trqp.registry.unknown_authority", reg::unknown_authority),
];

pub fn names() -> Vec<&'static str> {
    CHECKS.iter().map(|c| c.name).collect()
}
