//! Mutants of the reference issuer: each is the reference with exactly one fault, a value applied
//! to its [`Behaviour`] at one seam. Suites name the mutants that must fail each case
//! (`caught_by`); `dialtone selftest` proves they do.

use super::behaviour::{Behaviour, TxCodeCheck};
use super::followup::policy::SignedMetadataFault;
use super::minter::{CnfChoice, Deviation, Offset, SignedBy, StatusChoice};
use axum::http::{HeaderValue, header};
use dialtone_protocols::message::Message;
use dialtone_protocols::oid4vci::credential_error as ce;
use dialtone_protocols::oid4vci::message::{CredentialConfiguration, CredentialIssuerMetadata};
use serde_json::{Value, json};

crate::mutant::faults! {
    IssuerFault, "issuer.",
    MetadataWrongContentType => "metadata_wrong_content_type": "serves issuer metadata as text/plain",
    MetadataIssuerTrailingSlash => "metadata_issuer_trailing_slash": "credential_issuer in metadata has a trailing slash the identifier lacks",
    MetadataMissingCredentialEndpoint => "metadata_missing_credential_endpoint": "metadata omits credential_endpoint",
    MetadataHttpEndpoint => "metadata_http_endpoint": "advertises a deferred credential endpoint over plain http",
    MetadataConfigWithoutVct => "metadata_config_without_vct": "the dc+sd-jwt configuration has no vct",
    MetadataConfigWithoutScope => "metadata_config_without_scope": "its credential configurations name no scope",
    MetadataProofTypesMissing => "metadata_proof_types_missing": "cryptographic_binding_methods_supported without proof_types_supported",
    MetadataSigningAlgNone => "metadata_signing_alg_none": "credential_signing_alg_values_supported lists only \"none\"",
    AsMetadataWrongIssuer => "as_metadata_wrong_issuer": "authorization server metadata names another issuer",
    JwtVcIssuerWrongIssuer => "jwt_vc_issuer_wrong_issuer": "JWT VC issuer metadata names another issuer",
    OfferUnknownConfiguration => "offer_unknown_configuration": "offers a credential configuration its metadata does not list",
    TokenNoCacheControl => "token_no_cache_control": "token response lacks Cache-Control: no-store",
    TokenAcceptsAnyCode => "token_accepts_any_code": "issues an access token for an unknown pre-authorized code",
    TokenCodeReusable => "token_code_reusable": "pre-authorized codes can be redeemed more than once",
    TokenTxCodeIgnored => "token_tx_code_ignored": "never checks tx_code (missing, wrong or unexpected)",
    TokenTxCodePresenceOnly => "token_tx_code_presence_only": "accepts any tx_code value when one is expected",
    TokenGenericErrors => "token_generic_errors": "token errors are HTTP 500 with error=server_error",
    TokenIgnoresGrantType => "token_ignores_grant_type": "treats any grant_type as the pre-authorized code grant",
    NonceCacheable => "nonce_cacheable": "nonce response lacks Cache-Control: no-store",
    NonceConstant => "nonce_constant": "returns the same c_nonce every time",
    NonceRequiresToken => "nonce_requires_token": "the nonce endpoint demands an access token",
    CredentialLegacyResponse => "credential_legacy_response": "answers with a top-level credential (draft 13) instead of credentials[]",
    CredentialNoAuthCheck => "credential_no_auth_check": "issues without checking the access token",
    CredentialAuthFailure403 => "credential_auth_failure_403": "refuses requests without a valid access token with 403 instead of 401",
    CredentialMalformedChallenge => "credential_malformed_challenge": "sends WWW-Authenticate: Bearer error, error_description, scope (names without values)",
    CredentialGenericErrors => "credential_generic_errors": "credential request errors are text/plain without an error code",
    UnknownConfigGenericError => "unknown_config_generic_error": "an unknown configuration gets invalid_credential_request",
    ProofOptional => "proof_optional": "issues an unbound credential when proofs are missing",
    ProofTypUnchecked => "proof_typ_unchecked": "accepts a proof JWT of any typ",
    ProofAudUnchecked => "proof_aud_unchecked": "accepts a proof JWT for any audience",
    ProofNonceUnchecked => "proof_nonce_unchecked": "accepts a proof with a missing or foreign nonce",
    ProofNonceReusable => "proof_nonce_reusable": "a c_nonce stays valid after it was used",
    ProofSignatureUnchecked => "proof_signature_unchecked": "does not verify the proof JWT's signature or algorithm",
    SdJwtNoTrailingTilde => "sdjwt_no_trailing_tilde": "the SD-JWT lacks its final '~'",
    SdJwtLegacyTyp => "sdjwt_legacy_typ": "the SD-JWT header typ is vc+sd-jwt",
    SdJwtSignedByUnlistedKey => "sdjwt_signed_by_unlisted_key": "signs credentials with a key it does not publish",
    SdJwtIssTrailingSlash => "sdjwt_iss_trailing_slash": "iss in the credential has a trailing slash",
    SdJwtWrongVct => "sdjwt_wrong_vct": "vct differs from the configuration's vct",
    SdJwtExpired => "sdjwt_expired": "issues credentials that have already expired",
    SdJwtNoExp => "sdjwt_no_exp": "issues credentials without exp (no validity period)",
    SdJwtCnfOtherKey => "sdjwt_cnf_other_key": "binds the credential to a key other than the proof's",
    SdJwtDigestOff => "sdjwt_digest_off": "one _sd digest does not match its disclosure",
    SdJwtClaimInClear => "sdjwt_claim_in_clear": "a claim that must be selectively disclosable is in clear",
    SdJwtVctDisclosable => "sdjwt_vct_disclosable": "makes vct selectively disclosable",
    SdJwtShortSalt => "sdjwt_short_salt": "uses 4-byte salts",
    SdJwtBirthdateNotFullDate => "sdjwt_birthdate_not_full_date": "writes birthdate as 01/07/1990, against the verified-person profile",
    StatusMissing => "status_missing": "issues credentials without a status claim",
    StatusListWrongTyp => "status_list_wrong_typ": "serves its status list token with typ JWT",
    StatusListSubMismatch => "status_list_sub_mismatch": "the status list token's sub is not its URI",
    RevocationIgnored => "revocation_ignored": "accepts revocation and suspension requests but never changes the list",
    PkceNotChecked => "pkce_not_checked": "redeems authorization codes without checking code_verifier",
    AcceptsPlainPkce => "accepts_plain_pkce": "accepts code_challenge_method=plain",
    PkceOptional => "pkce_optional": "accepts authorization requests without code_challenge",
    CodeReusable => "code_reusable": "authorization codes can be redeemed more than once",
    CodeNotBoundToClient => "code_not_bound_to_client": "redeems an authorization code for any client_id",
    CodeNotBoundToRedirectUri => "code_not_bound_to_redirect_uri": "redeems an authorization code with any redirect_uri",
    ParNotEnforced => "par_not_enforced": "advertises require_pushed_authorization_requests but takes requests that were not pushed",
    ParAnswers200 => "par_answers_200": "answers a pushed authorization request with HTTP 200 instead of 201 Created",
    RequestUriReusable => "request_uri_reusable": "a request_uri can be used more than once",
    RequestUriNeverExpires => "request_uri_never_expires": "accepts a request_uri after its expires_in",
    RequestUriLatestPushed => "request_uri_latest_pushed": "resolves every request_uri to the most recently pushed request",
    AuthorizationDetailsNotReturned => "authorization_details_not_returned": "the token response omits the authorization_details (with credential_identifiers) asked for",
    ScopeIgnored => "scope_ignored": "grants nothing asked for by scope (authorization_details only)",
    DpopUnsupported => "dpop_unsupported": "does not support DPoP: no dpop_signing_alg_values_supported, Bearer tokens only",
    DpopSignatureNotChecked => "dpop_signature_not_checked": "does not verify the DPoP proof's signature",
    DpopHtmNotChecked => "dpop_htm_not_checked": "accepts a DPoP proof for another HTTP method",
    DpopHtuNotChecked => "dpop_htu_not_checked": "accepts a DPoP proof for another URL",
    DpopIatNotChecked => "dpop_iat_not_checked": "accepts a DPoP proof whatever its iat",
    DpopBindingNotChecked => "dpop_binding_not_checked": "takes a DPoP-bound token without a proof, or with a proof by another key",
    DpopNonceNotDemanded => "dpop_nonce_not_demanded": "never demands a server nonce in DPoP proofs",
    DpopAthNotChecked => "dpop_ath_not_checked": "does not check the DPoP proof's ath against the access token",
    AcceptsTokenInQuery => "accepts_token_in_query": "takes an access token from the access_token query parameter",
    AcceptsDpopTokenAsBearer => "accepts_dpop_token_as_bearer": "takes a DPoP-bound access token presented as a Bearer token",
    BatchSameKey => "batch_same_key": "binds every credential of a batch to the first proof's key",
    BatchSizeNotEnforced => "batch_size_not_enforced": "accepts more proofs than its batch_size",
    BatchSizeOne => "batch_size_one": "advertises batch_credential_issuance with batch_size 1",
    TokenOmitsCredentialIdentifiers => "token_omits_credential_identifiers": "answers a token request with authorization_details without authorization_details",
    UnknownCredentialIdentifierAccepted => "unknown_credential_identifier_accepted": "issues for a credential_identifier it never granted",
    DeferredPendingAsError => "deferred_pending_as_error": "answers a deferred request not ready yet with HTTP 400 issuance_pending (draft 13) instead of 202",
    DeferredWithoutInterval => "deferred_without_interval": "defers issuance with a transaction_id but no interval",
    DeferredTransactionReusable => "deferred_transaction_reusable": "a transaction_id stays valid after its credentials were obtained",
    DeferredUnknownTransactionGenericError => "deferred_unknown_transaction_generic_error": "an unknown transaction_id gets invalid_request",
    NotificationUnknownIdAccepted => "notification_unknown_id_accepted": "acknowledges notifications for any notification_id",
    NotificationNotIdempotent => "notification_not_idempotent": "refuses a repeated notification with invalid_notification_id",
    NotificationRequired => "notification_required": "refuses further credentials on a token until the last ones were notified",
    ResponseEncryptionIgnored => "response_encryption_ignored": "answers in clear when the wallet asks for an encrypted response",
    EncryptedRequestUnread => "encrypted_request_unread": "advertises credential_request_encryption but reads an encrypted request as JSON",
    AcceptsUnsupportedEncryption => "accepts_unsupported_encryption": "takes credential_response_encryption parameters it does not support",
    SignedMetadataMismatch => "signed_metadata_mismatch": "its signed metadata names another credential endpoint than its unsigned metadata",
    SignedMetadataWrongTyp => "signed_metadata_wrong_typ": "types its signed metadata JWT as JWT",
    ClientAttestationExpNotChecked => "client_attestation_exp_not_checked": "accepts a client attestation whose exp has passed",
    ClientAttestationSubNotChecked => "client_attestation_sub_not_checked": "accepts a client attestation without sub",
    ClientAttestationSignatureNotChecked => "client_attestation_signature_not_checked": "accepts a client attestation signed by an attester it does not trust",
    AttestationPopAudNotChecked => "attestation_pop_aud_not_checked": "accepts a client attestation PoP for any audience",
    AttestationPopSignatureNotChecked => "attestation_pop_signature_not_checked": "does not verify the client attestation PoP's signature",
    AttestationPopKeyNotBound => "attestation_pop_key_not_bound": "verifies the client attestation PoP with the key its header names, not the attestation's cnf",
    AttestationChallengeForgotten => "attestation_challenge_forgotten": "hands out attestation challenges it does not remember, so a PoP with one is refused",
    AttestationChallengeNotChecked => "attestation_challenge_not_checked": "gives challenges but accepts a PoP without one, or with one it never gave",
    AttestationProofUnsupported => "attestation_proof_unsupported": "advertises the attestation proof type but refuses every attestation proof",
    KeyAttestationSignatureNotChecked => "key_attestation_signature_not_checked": "accepts a key attestation signed by an attester it does not trust",
    KeyAttestationKeyNotBound => "key_attestation_key_not_bound": "accepts a jwt proof whose key is not among its key attestation's attested_keys",
    MdocTamperedElement => "mdoc_tampered_element": "issues mdocs with an element altered after its digest was signed",
    MdocExpired => "mdoc_expired": "issues mdocs whose MSO validity ended yesterday",
    MdocWrongDoctype => "mdoc_wrong_doctype": "issues mdocs of another docType than its configuration's doctype",
    MdocOtherDeviceKey => "mdoc_other_device_key": "binds its mdocs to a device key other than the proof's",
    MdocForeignSignature => "mdoc_foreign_signature": "signs its mdocs' MSO with a key other than its document signer certificate's",
}

const DAY: i64 = 86_400;

impl IssuerFault {
    /// The issuer's behaviour with this one fault.
    pub fn apply(self, b: &mut Behaviour) {
        match self {
            Self::MetadataWrongContentType => {
                b.response = Some((super::reference::METADATA_PATH, |h| {
                    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
                }))
            }
            Self::MetadataIssuerTrailingSlash => {
                b.metadata = Some(|m, id| m.credential_issuer = Some(format!("{id}/")))
            }
            Self::MetadataMissingCredentialEndpoint => b.metadata = Some(|m, _| m.credential_endpoint = None),
            Self::MetadataHttpEndpoint => {
                b.metadata = Some(|m, id| {
                    m.deferred_credential_endpoint = Some(format!("{id}/deferred").replacen("https://", "http://", 1))
                })
            }
            Self::MetadataConfigWithoutVct => b.metadata = Some(|m, _| edit_configurations(m, |c| c.vct = None)),
            Self::MetadataConfigWithoutScope => b.metadata = Some(|m, _| edit_configurations(m, |c| c.scope = None)),
            Self::MetadataProofTypesMissing => {
                b.metadata = Some(|m, _| edit_configurations(m, |c| c.proof_types_supported = None))
            }
            Self::MetadataSigningAlgNone => {
                b.metadata = Some(|m, _| {
                    edit_configurations(m, |c| c.credential_signing_alg_values_supported = Some(json!(["none"])))
                })
            }
            Self::AsMetadataWrongIssuer => b.as_metadata = Some(|m, id| m.issuer = Some(format!("{id}/"))),
            Self::JwtVcIssuerWrongIssuer => b.jwt_vc_issuer = Some(|m, id| m.issuer = Some(format!("{id}/"))),
            Self::OfferUnknownConfiguration => {
                b.offer = Some(|o, _| {
                    for id in &mut o.credential_configuration_ids {
                        id.push_str("_v2");
                    }
                })
            }
            Self::TokenNoCacheControl => b.response = Some((super::reference::TOKEN_PATH, remove_cache_control)),
            Self::TokenAcceptsAnyCode => b.token.known_codes_only = false,
            Self::TokenCodeReusable => b.token.single_use_codes = false,
            Self::TokenTxCodeIgnored => b.token.tx_code = TxCodeCheck::None,
            Self::TokenTxCodePresenceOnly => b.token.tx_code = TxCodeCheck::PresenceOnly,
            Self::TokenGenericErrors => b.token.oauth_errors = false,
            Self::TokenIgnoresGrantType => b.token.grant_type_checked = false,
            Self::NonceCacheable => b.response = Some((super::reference::NONCE_PATH, remove_cache_control)),
            // A constant nonce is handed to every wallet at once, so the issuer must accept it again.
            Self::NonceConstant => {
                b.nonce.constant = true;
                b.proof.single_use_nonces = false;
            }
            Self::NonceRequiresToken => b.nonce.requires_token = true,
            Self::CredentialLegacyResponse => b.credential.legacy_response = true,
            Self::CredentialNoAuthCheck => b.credential.auth_checked = false,
            Self::CredentialAuthFailure403 => b.credential.auth_failure_status = 403,
            Self::CredentialMalformedChallenge => b.credential.well_formed_challenge = false,
            Self::CredentialGenericErrors => b.credential.json_errors = false,
            Self::UnknownConfigGenericError => {
                b.credential.unknown_configuration_error = ce::INVALID_CREDENTIAL_REQUEST
            }
            Self::ProofOptional => b.proof.required = false,
            Self::ProofTypUnchecked => b.proof.checks.typ = false,
            Self::ProofAudUnchecked => b.proof.checks.aud = false,
            Self::ProofNonceUnchecked => b.proof.nonce_checked = false,
            Self::ProofNonceReusable => b.proof.single_use_nonces = false,
            Self::ProofSignatureUnchecked => b.proof.checks.signature = false,
            Self::SdJwtNoTrailingTilde => b.mint = Deviation { drop_trailing_tilde: true, ..Deviation::default() },
            Self::SdJwtLegacyTyp => {
                b.mint =
                    Deviation { typ: Some(dialtone_protocols::sd_jwt_vc::LEGACY_TYP.into()), ..Deviation::default() }
            }
            Self::SdJwtSignedByUnlistedKey => {
                b.mint = Deviation { signed_by: SignedBy::UnlistedKey, ..Deviation::default() }
            }
            Self::SdJwtIssTrailingSlash => b.mint = Deviation { iss_suffix: Some("/".into()), ..Deviation::default() },
            Self::SdJwtWrongVct => {
                b.mint = Deviation { vct: Some("urn:dialtone:vct:verified-persn:1".into()), ..Deviation::default() }
            }
            Self::SdJwtExpired => {
                b.mint = Deviation {
                    iat: Some(Offset(-30 * DAY)),
                    nbf: Some(Offset(-30 * DAY)),
                    exp: Some(Offset(-DAY)),
                    ..Deviation::default()
                }
            }
            Self::SdJwtNoExp => b.mint = Deviation { no_exp: true, ..Deviation::default() },
            Self::SdJwtCnfOtherKey => b.mint = Deviation { cnf: CnfChoice::OtherKey, ..Deviation::default() },
            Self::SdJwtDigestOff => b.mint = Deviation { digest_off: true, ..Deviation::default() },
            Self::SdJwtClaimInClear => {
                b.mint = Deviation { in_clear: vec!["given_name".into()], ..Deviation::default() }
            }
            Self::SdJwtVctDisclosable => b.mint = Deviation { disclosable: vec!["vct".into()], ..Deviation::default() },
            Self::SdJwtShortSalt => b.mint = Deviation { salt_bytes: Some(4), ..Deviation::default() },
            Self::SdJwtBirthdateNotFullDate => {
                let mut subject = serde_json::Map::new();
                subject.insert("birthdate".into(), Value::String("01/07/1990".into()));
                b.mint = Deviation { subject, ..Deviation::default() }
            }
            Self::StatusMissing => b.mint = Deviation { status: Some(StatusChoice::None), ..Deviation::default() },
            Self::StatusListWrongTyp => b.status_list.typ = "JWT",
            Self::StatusListSubMismatch => b.status_list.sub_elsewhere = true,
            Self::RevocationIgnored => b.status_list.honours_changes = false,
            Self::PkceNotChecked => b.authorize.pkce_checked = false,
            Self::AcceptsPlainPkce => b.authorize.plain_pkce_accepted = true,
            Self::PkceOptional => b.authorize.pkce_required = false,
            Self::CodeReusable => b.authorize.single_use_codes = false,
            Self::CodeNotBoundToClient => b.authorize.code_bound_to_client = false,
            Self::CodeNotBoundToRedirectUri => b.authorize.code_bound_to_redirect_uri = false,
            Self::ParNotEnforced => b.authorize.par_enforced = false,
            Self::ParAnswers200 => b.authorize.par_status = 200,
            Self::RequestUriReusable => b.authorize.request_uri_single_use = false,
            Self::RequestUriNeverExpires => b.authorize.request_uri_expiry_checked = false,
            Self::RequestUriLatestPushed => b.authorize.request_uri_resolved = false,
            Self::AuthorizationDetailsNotReturned => b.authorize.details_in_token_response = false,
            Self::ScopeIgnored => b.authorize.scope = false,
            Self::DpopUnsupported => b.dpop.advertised = false,
            Self::DpopSignatureNotChecked => b.dpop.policy.checks.signature = false,
            Self::DpopHtmNotChecked => b.dpop.policy.checks.htm = false,
            Self::DpopHtuNotChecked => b.dpop.policy.checks.htu = false,
            Self::DpopIatNotChecked => b.dpop.policy.checks.iat = false,
            Self::DpopBindingNotChecked => b.dpop.binding_checked = false,
            Self::DpopNonceNotDemanded => b.dpop.policy.nonce_demanded = false,
            Self::DpopAthNotChecked => b.dpop.policy.checks.ath = false,
            Self::AcceptsTokenInQuery => b.dpop.query_token_refused = false,
            Self::AcceptsDpopTokenAsBearer => b.dpop.bound_as_bearer_refused = false,
            Self::BatchSameKey => b.followup.batch_same_key = true,
            Self::BatchSizeNotEnforced => b.followup.batch_size_enforced = false,
            Self::BatchSizeOne => b.followup.batch_size = 1,
            Self::TokenOmitsCredentialIdentifiers => b.followup.grants_identifiers = false,
            Self::UnknownCredentialIdentifierAccepted => b.followup.any_identifier = true,
            Self::DeferredPendingAsError => b.followup.pending_as_error = true,
            Self::DeferredWithoutInterval => b.followup.deferred_without_interval = true,
            Self::DeferredTransactionReusable => b.followup.transactions_reusable = true,
            Self::DeferredUnknownTransactionGenericError => b.followup.unknown_transaction_error = "invalid_request",
            Self::NotificationUnknownIdAccepted => b.followup.any_notification_id = true,
            Self::NotificationNotIdempotent => b.followup.notifications_once = true,
            Self::NotificationRequired => b.followup.notification_required = true,
            Self::ResponseEncryptionIgnored => b.followup.encrypts_responses = false,
            Self::EncryptedRequestUnread => b.followup.reads_encrypted_requests = false,
            Self::AcceptsUnsupportedEncryption => b.followup.encryption_parameters_checked = false,
            Self::SignedMetadataMismatch => b.followup.signed_metadata = SignedMetadataFault::Mismatch,
            Self::SignedMetadataWrongTyp => b.followup.signed_metadata = SignedMetadataFault::WrongTyp,
            Self::ClientAttestationExpNotChecked => b.client_attestation.checks.exp = false,
            Self::ClientAttestationSubNotChecked => b.client_attestation.checks.sub = false,
            Self::ClientAttestationSignatureNotChecked => b.client_attestation.checks.attestation_signature = false,
            Self::AttestationPopAudNotChecked => b.client_attestation.checks.pop_aud = false,
            Self::AttestationPopSignatureNotChecked => b.client_attestation.checks.pop_signature = false,
            Self::AttestationPopKeyNotBound => b.client_attestation.checks.pop_key_bound = false,
            Self::AttestationChallengeForgotten => b.client_attestation.remembers_challenges = false,
            Self::AttestationProofUnsupported => b.key_attestation.attestation_proofs_taken = false,
            Self::AttestationChallengeNotChecked => b.client_attestation.challenge_checked = false,
            Self::KeyAttestationSignatureNotChecked => b.key_attestation.signature_checked = false,
            Self::KeyAttestationKeyNotBound => b.key_attestation.key_bound = false,
            Self::MdocTamperedElement => b.mint_mdoc.tamper_element = true,
            Self::MdocExpired => {
                b.mint_mdoc.valid_from = Some(Offset(-30 * 86_400));
                b.mint_mdoc.valid_until = Some(Offset(-86_400));
            }
            Self::MdocWrongDoctype => b.mint_mdoc.doc_type = Some("org.iso.23220.photoid.1".into()),
            Self::MdocOtherDeviceKey => b.mint_mdoc.other_device_key = true,
            Self::MdocForeignSignature => b.mint_mdoc.foreign_signature = true,
        }
    }
}

fn remove_cache_control(headers: &mut axum::http::HeaderMap) {
    headers.remove(header::CACHE_CONTROL);
}

/// Edits every credential configuration of the metadata.
fn edit_configurations(metadata: &mut CredentialIssuerMetadata, edit: fn(&mut CredentialConfiguration)) {
    for config in metadata.credential_configurations_supported.iter_mut().flat_map(|c| c.values_mut()) {
        if let Ok(mut typed) = CredentialConfiguration::parse(config).map(|r| r.value) {
            edit(&mut typed);
            *config = typed.to_json();
        }
    }
}
