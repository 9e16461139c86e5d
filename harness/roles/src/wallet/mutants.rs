//! Mutants of the reference wallet: each fault is one value applied to the wallet's
//! [`Behaviour`], at the seam it concerns — the issuance client's stimulus, what it checks of a
//! request, how it presents, how it stores.

use super::behaviour::Behaviour;
use dialtone_protocols::dpop::{AthChoice, HtuChoice};
use dialtone_protocols::oauth::client_attestation::PopAudience;
use dialtone_protocols::oid4vci::client::{ParChoice, PkceChoice};

/// Where the token endpoint of the reference issuer (the harness's issuer of the wallet plan) is.
const TOKEN_PATH: &str = "/token";
use dialtone_protocols::oid4vci::proof::{ProofAudience, ProofNonce, ProofSignature};
use dialtone_protocols::oid4vp::holder::{
    DisclosureChoice, EncryptionChoice, KbAudience, KbKey, SdHashOver, StateChoice, VpTokenShape,
};
use dialtone_protocols::oid4vp::transaction_data::TransactionDataChoice;

crate::mutant::faults! {
    WalletFault, "wallet.",
    NoTxCode => "no_tx_code": "never sends the transaction code the offer asks for",
    ProofWrongTyp => "proof_wrong_typ": "types its proof JWT as JWT",
    ProofWrongAud => "proof_wrong_aud": "sets the proof's aud to the token endpoint",
    ProofOmitsNonce => "proof_omits_nonce": "sends proofs without the c_nonce",
    IgnoresClientIdMismatch => "ignores_client_id_mismatch": "answers a request object whose client_id differs from the request's",
    ProofReusesNonce => "proof_reuses_nonce": "puts the first c_nonce it ever got into every proof",
    ProofForeignKey => "proof_foreign_key": "signs the proof with a key other than the one in its jwk header",
    ApostropheFolded => "apostrophe_folded": "stores names with the modifier-letter apostrophe folded to ASCII",
    OverDiscloses => "over_discloses": "discloses every claim, whatever the query asks",
    KbWrongAud => "kb_wrong_aud": "sets the KB-JWT aud to the client identifier without its prefix",
    KbWrongSdHash => "kb_wrong_sd_hash": "computes sd_hash over the issuer-signed JWT alone",
    KbOtherKey => "kb_other_key": "signs the KB-JWT with a key other than the credential's cnf key",
    AcceptsUnsignedRequest => "accepts_unsigned_request": "answers unsigned requests from x509_san_dns clients",
    SignatureUnchecked => "signature_unchecked": "checks the x5c chain but not the request's signature",
    IgnoresResponseUriHost => "ignores_response_uri_host": "sends responses to a response_uri on another host than the client identifier",
    DropsState => "drops_state": "does not return the request's state",
    IgnoresJwtResponseMode => "ignores_jwt_response_mode": "answers direct_post.jwt requests with an unencrypted direct_post",
    IgnoresRedirectUriMismatch => "ignores_redirect_uri_mismatch": "sends responses for a redirect_uri client to a response_uri other than its identifier",
    LegacyVpToken => "legacy_vp_token": "sends vp_token as the bare presentation instead of a DCQL-keyed object",
    NoPkce => "no_pkce": "sends authorization requests without a PKCE code_challenge",
    PlainPkce => "plain_pkce": "uses code_challenge_method=plain",
    SkipsPar => "skips_par": "never pushes its authorization request, even where PAR is required",
    NeedsAuthorizationDetails => "needs_authorization_details": "gives up when the token response has no authorization_details",
    DropsIssuerState => "drops_issuer_state": "leaves the offer's issuer_state out of its authorization request",
    IgnoresCredentialIdentifiers => "ignores_credential_identifiers": "names the configuration in its credential request although the token response returned credential identifiers",
    NoDpop => "no_dpop": "never uses DPoP, even when the authorization server supports it",
    IgnoresDpopNonce => "ignores_dpop_nonce": "does not answer a use_dpop_nonce challenge with the server's nonce",
    DpopWithoutAth => "dpop_without_ath": "sends DPoP proofs without ath at the credential endpoint",
    DpopWrongHtu => "dpop_wrong_htu": "names another URL than the endpoint's in its DPoP proofs' htu",
    BatchReusesKey => "batch_reuses_key": "signs every proof of a batch with the same key",
    IgnoresDeferred => "ignores_deferred": "takes a deferred credential response (202) for a failure",
    IgnoresInterval => "ignores_interval": "polls the deferred endpoint at once, without waiting the interval",
    NoNotification => "no_notification": "never sends credential_accepted for a notification_id",
    NoClientAttestation => "no_client_attestation": "never presents its client attestation, even when the authorization server asks for attest_jwt_client_auth",
    IgnoresAttestationChallenge => "ignores_attestation_challenge": "never fetches the authorization server's attestation challenge",
    AttestationPopWrongAud => "attestation_pop_wrong_aud": "sets its client attestation PoP's aud to the token endpoint, not the authorization server's issuer identifier",
    MdocHandoverWithoutThumbprint => "mdoc_handover_without_thumbprint": "leaves the verifier's encryption key thumbprint out of its mdoc handover when the response is encrypted",
    NoX509Hash => "no_x509_hash": "does not support the x509_hash client identifier prefix (refuses its requests)",
    X509HashUnchecked => "x509_hash_unchecked": "does not compare an x509_hash client identifier with the hash of the signing certificate",
    AcceptsUnknownPrefix => "accepts_unknown_prefix": "answers a request whose client identifier prefix it does not know",
    RequestUriGetOnly => "request_uri_get_only": "fetches request objects by GET even when the link asks for request_uri_method=post",
    IgnoresWalletNonce => "ignores_wallet_nonce": "answers a request object that does not echo the wallet_nonce it POSTed",
    AcceptsMissingNonce => "accepts_missing_nonce": "answers a request without a nonce",
    AcceptsRedirectUriWithDirectPost => "accepts_redirect_uri_with_direct_post": "answers a direct_post request that also carries redirect_uri",
    FirstEncryptionKey => "first_encryption_key": "encrypts a direct_post.jwt response to the first key of client_metadata.jwks, even one it cannot use",
    IssMustBeClientId => "iss_must_be_client_id": "refuses a request object whose iss is not its client_id",
    NoDecentralizedIdentifier => "no_decentralized_identifier": "does not support the decentralized_identifier client identifier prefix (refuses its requests)",
    DidKidUnchecked => "did_kid_unchecked": "does not check that a decentralized_identifier request's kid names a method of the client's DID",
    DidSignatureUnchecked => "did_signature_unchecked": "does not verify a decentralized_identifier request's signature",
    NoVerifierAttestation => "no_verifier_attestation": "does not support the verifier_attestation client identifier prefix (refuses its requests)",
    AttestationSubUnchecked => "attestation_sub_unchecked": "does not compare a verifier attestation's sub with the client identifier",
    AttestationPopUnchecked => "attestation_pop_unchecked": "does not check that the attested (cnf) key signs a verifier_attestation request",
    RefusesClaimlessQuery => "refuses_claimless_query": "takes a DCQL credential query without claims for one that matches nothing",
    OptionalSetsRequired => "optional_sets_required": "treats every DCQL credential set as required, refusing when an optional one cannot be met",
    PartialAnswer => "partial_answer": "presents what it can when a required DCQL credential set matches nothing, instead of refusing",
    IgnoresClaimSets => "ignores_claim_sets": "demands every claim of a DCQL credential query, whatever its claim_sets allow (and refuses when one is not held)",
    PresentsEveryMatch => "presents_every_match": "presents every matching credential, though the query does not allow multiple",
    AcceptsUnknownTransactionData => "accepts_unknown_transaction_data": "answers a request whose transaction data is of a type it does not know",
    OmitsTransactionDataHashes => "omits_transaction_data_hashes": "leaves transaction_data_hashes out of its KB-JWT",
    IgnoresExpectedOrigins => "ignores_expected_origins": "answers a signed Digital Credentials API request whose expected_origins omit the calling origin",
    MdocDcApiRedirectHandover => "mdoc_dc_api_redirect_handover": "over the Digital Credentials API, device-signs its mdoc over the redirect handover instead of the one naming the calling origin",
}

impl WalletFault {
    /// The wallet's behaviour with this one fault.
    pub fn apply(self, b: &mut Behaviour) {
        let (proof, presentation, checks) = (&mut b.issuance.proof, &mut b.presentation, &mut b.request_checks);
        match self {
            Self::NoTxCode => b.issuance.withhold_tx_code = true,
            Self::NoClientAttestation => b.issuance.client_attestation.withhold = true,
            Self::IgnoresAttestationChallenge => b.issuance.client_attestation.ignore_challenge = true,
            Self::AttestationPopWrongAud => {
                b.issuance.client_attestation.pop.aud = PopAudience::IssuerPath(TOKEN_PATH.into())
            }
            Self::ProofWrongTyp => proof.typ = "JWT".into(),
            Self::ProofWrongAud => proof.aud = ProofAudience::TokenEndpoint,
            Self::ProofOmitsNonce => proof.nonce = ProofNonce::Omit,
            Self::ProofReusesNonce => b.reuse_first_nonce = true,
            Self::ProofForeignKey => proof.signature = ProofSignature::OtherKey,
            Self::IgnoresClientIdMismatch => checks.client_id_matches = false,
            Self::AcceptsUnsignedRequest => checks.x509_signed = false,
            Self::SignatureUnchecked => checks.x509_signature = false,
            Self::IgnoresResponseUriHost => checks.response_uri_host = false,
            Self::IgnoresRedirectUriMismatch => checks.redirect_uri_matches = false,
            Self::ApostropheFolded => b.fold_apostrophes = true,
            Self::OverDiscloses => presentation.disclosures = DisclosureChoice::All,
            Self::KbWrongAud => presentation.kb.aud = KbAudience::WithoutPrefix,
            Self::KbWrongSdHash => presentation.kb.sd_hash = SdHashOver::IssuerJwt,
            Self::KbOtherKey => presentation.kb.key = KbKey::Other,
            Self::DropsState => presentation.state = StateChoice::Omit,
            Self::IgnoresJwtResponseMode => presentation.encryption = EncryptionChoice::Never,
            Self::LegacyVpToken => presentation.vp_token = VpTokenShape::Bare,
            Self::NoPkce => b.issuance.authorization.pkce = PkceChoice::Omit,
            Self::PlainPkce => b.issuance.authorization.pkce = PkceChoice::Plain,
            Self::SkipsPar => b.issuance.authorization.par = ParChoice::Never,
            Self::NeedsAuthorizationDetails => b.issuance.authorization.needs_authorization_details = true,
            Self::DropsIssuerState => b.issuance.authorization.drop_issuer_state = true,
            Self::IgnoresCredentialIdentifiers => b.issuance.authorization.ignore_credential_identifiers = true,
            Self::NoDpop => b.issuance.dpop.when_supported = false,
            Self::IgnoresDpopNonce => b.issuance.dpop.answers_nonce = false,
            Self::DpopWithoutAth => b.issuance.dpop.proof.ath = AthChoice::Omit,
            Self::DpopWrongHtu => b.issuance.dpop.proof.htu = HtuChoice::Suffix("/issuer".into()),
            Self::BatchReusesKey => b.followup.batch_reuses_key = true,
            Self::IgnoresDeferred => b.followup.ignores_deferred = true,
            Self::IgnoresInterval => b.followup.ignores_interval = true,
            Self::NoNotification => b.followup.notifies = false,
            Self::MdocHandoverWithoutThumbprint => presentation.mdoc.omit_thumbprint = true,
            Self::NoX509Hash => checks.x509_hash_supported = false,
            Self::X509HashUnchecked => checks.x509_hash_matches = false,
            Self::AcceptsUnknownPrefix => checks.unknown_prefix_refused = false,
            Self::RequestUriGetOnly => b.request_uri_post = false,
            Self::IgnoresWalletNonce => checks.wallet_nonce_echoed = false,
            Self::AcceptsMissingNonce => checks.nonce_required = false,
            Self::AcceptsRedirectUriWithDirectPost => checks.redirect_uri_with_direct_post_refused = false,
            Self::FirstEncryptionKey => presentation.encryption = EncryptionChoice::FirstKey,
            Self::IssMustBeClientId => checks.iss_is_client_id = true,
            Self::NoDecentralizedIdentifier => checks.did_supported = false,
            Self::DidKidUnchecked => checks.did_kid_matches = false,
            Self::DidSignatureUnchecked => checks.did_signature = false,
            Self::NoVerifierAttestation => checks.attestation_supported = false,
            Self::AttestationSubUnchecked => checks.attestation_sub_matches = false,
            Self::AttestationPopUnchecked => checks.attestation_pop = false,
            Self::RefusesClaimlessQuery => presentation.dcql.claimless_refused = true,
            Self::OptionalSetsRequired => presentation.dcql.optional_sets_required = true,
            Self::PartialAnswer => presentation.dcql.partial = true,
            Self::IgnoresClaimSets => presentation.dcql.claim_sets_ignored = true,
            Self::PresentsEveryMatch => presentation.dcql.every_match = true,
            Self::AcceptsUnknownTransactionData => b.unknown_transaction_data_accepted = true,
            Self::OmitsTransactionDataHashes => presentation.kb.transaction_data = TransactionDataChoice::Omit,
            Self::IgnoresExpectedOrigins => b.expected_origins_ignored = true,
            Self::MdocDcApiRedirectHandover => presentation.mdoc.redirect_handover = true,
        }
    }
}
