//! Mutants of the reference verifier: each fault is one value of its [`Behaviour`].

use super::behaviour::{Base, Behaviour, CnfMembers};
use dialtone_protocols::dcql::select::SetRule;
use dialtone_protocols::oid4vp::message::RequestParameters;
use dialtone_protocols::oid4vp::transaction_data::HashInput;

crate::mutant::faults! {
    VerifierFault, "verifier.",
    RequestUnsigned => "request_unsigned": "serves the request object unsigned (alg none, no x5c)",
    RequestForeignSignature => "request_foreign_signature": "signs its request object with a key other than its certificate's",
    RedirectUriMismatch => "redirect_uri_mismatch": "with the redirect_uri prefix, names a response_uri other than its client identifier",
    RequestWrongTyp => "request_wrong_typ": "types its request object JWT instead of oauth-authz-req+jwt",
    RequestNoNonce => "request_no_nonce": "omits the nonce from its requests",
    RequestShortNonce => "request_short_nonce": "uses 6-character nonces (about 36 bits)",
    ResponseUriHostMismatch => "response_uri_host_mismatch": "its response_uri host is not its x509_san_dns client identifier",
    ClientIdMismatch => "client_id_mismatch": "the request object's client_id differs from the authorization request's",
    DcqlMalformed => "dcql_malformed": "its DCQL query repeats a credential query id",
    JwtRequestWithoutKey => "jwt_request_without_key": "asks for direct_post.jwt without an encryption key in client_metadata",
    JwtResponseIgnored => "jwt_response_ignored": "does not read the encrypted response parameter of direct_post.jwt",
    AcceptsPlainForJwt => "accepts_plain_for_jwt": "accepts an unencrypted response to a direct_post.jwt request",
    KbAudWithoutPrefix => "kb_aud_without_prefix": "expects the KB-JWT aud without the client identifier prefix (rejects valid presentations)",
    DisclosuresNotHashed => "disclosures_not_hashed": "reads claims from disclosures by name without matching their digests",
    AcceptsUnreferencedDisclosure => "accepts_unreferenced_disclosure": "ignores disclosures that no digest references",
    IgnoresSdHash => "ignores_sd_hash": "does not check the KB-JWT's sd_hash",
    KbOptional => "kb_optional": "accepts presentations without a key binding JWT",
    IgnoresNonce => "ignores_nonce": "does not check the KB-JWT's nonce",
    AcceptsAnyAud => "accepts_any_aud": "does not check the KB-JWT's aud",
    AcceptsStaleKb => "accepts_stale_kb": "does not check the KB-JWT's iat",
    KbSignatureUnchecked => "kb_signature_unchecked": "does not verify the KB-JWT signature against cnf",
    IgnoresExpiry => "ignores_expiry": "accepts expired credentials",
    IgnoresNbf => "ignores_nbf": "accepts credentials that are not yet valid",
    IssuerSignatureUnchecked => "issuer_signature_unchecked": "does not verify the issuer's signature",
    IgnoresStatus => "ignores_status": "never consults the status list",
    SuspendedAccepted => "suspended_accepted": "treats a suspended credential as valid",
    IgnoresRegistry => "ignores_registry": "does not ask the trust registry whether the issuer is authorized",
    AcceptsReplay => "accepts_replay": "accepts a second response to an answered request",
    IgnoresState => "ignores_state": "matches a response with an unknown state to a request by its KB-JWT nonce",
    IgnoresVct => "ignores_vct": "accepts a credential of a type the query did not ask for",
    AcceptsMissingClaims => "accepts_missing_claims": "accepts a presentation that withholds requested claims",
    CnfRequiresKid => "cnf_requires_kid": "refuses a holder key (cnf.jwk) without a kid",
    CnfRefusesOptionalMembers => "cnf_refuses_optional_members": "refuses a holder key (cnf.jwk) that carries optional members (kid, alg, use, key_ops)",
    MdocIacaUnchecked => "mdoc_iaca_unchecked": "accepts an mdoc whose document signer certificate leads to no trusted IACA",
    MdocDigestsUnchecked => "mdoc_digests_unchecked": "does not check presented mdoc elements against the MSO's value digests",
    MdocIgnoresValidity => "mdoc_ignores_validity": "accepts an mdoc outside its MSO's validity period",
    MdocIgnoresDoctype => "mdoc_ignores_doctype": "accepts an mdoc of another docType than its query asks for",
    MdocDeviceAuthUnchecked => "mdoc_device_auth_unchecked": "does not verify an mdoc's device signature (its session transcript, its device key)",
    MdocHandoverWithoutThumbprint => "mdoc_handover_without_thumbprint": "leaves its encryption key's thumbprint out of the mdoc handover (rejects valid encrypted presentations)",
    MdocHandoverWithoutPrefix => "mdoc_handover_without_prefix": "names its client identifier without the prefix in the mdoc handover (rejects valid presentations)",
    X509HashOtherCertificate => "x509_hash_other_certificate": "its x509_hash client identifier is the hash of another certificate than the one that signs its requests",
    UnknownClientIdPrefix => "unknown_client_id_prefix": "names itself with a client identifier prefix no specification defines (invalid_scheme:)",
    IgnoresWalletNonce => "ignores_wallet_nonce": "leaves the wallet_nonce of a POST to its request URI out of the request object",
    RefusesUnknownRetrievalParameters => "refuses_unknown_retrieval_parameters": "refuses a POST to its request URI that carries a parameter it does not know",
    RequestUriSingleUse => "request_uri_single_use": "answers a second fetch of a request URI with 404",
    RedirectUriWithDirectPost => "redirect_uri_with_direct_post": "puts a redirect_uri beside the response_uri of its direct_post requests",
    DidKidOfOtherDid => "did_kid_of_other_did": "names in its decentralized_identifier requests' kid a verification method of another DID",
    AttestationOfOther => "attestation_of_other": "presents a verifier attestation whose sub is another verifier's identifier",
    RequiresEveryQuery => "requires_every_query": "demands a presentation for every credential query, optional credential sets included",
    IgnoresCredentialSets => "ignores_credential_sets": "accepts a response that answers any credential query, though it leaves a required credential set out",
    IgnoresClaimSets => "ignores_claim_sets": "demands every claim of a credential query, whatever its claim_sets allow",
    IgnoresTransactionDataHashes => "ignores_transaction_data_hashes": "does not check transaction_data_hashes in the KB-JWT",
    HashesDecodedTransactionData => "hashes_decoded_transaction_data": "hashes the decoded transaction data JSON instead of the base64url string it sent (rejects valid presentations)",
    IgnoresDcApiOrigin => "ignores_dc_api_origin": "over the Digital Credentials API, takes a response bound to any origin (does not check the KB-JWT aud against its own origin)",
    MdocDcApiRedirectHandover => "mdoc_dc_api_redirect_handover": "over the Digital Credentials API, expects an mdoc's session transcript to carry the redirect handover, not the one naming its origin (rejects valid presentations)",
    RefusesMultiple => "refuses_multiple": "rejects more than one presentation for a credential query, even where its multiple: true allows several",
}

impl VerifierFault {
    /// The verifier's behaviour with this one fault.
    pub fn apply(self, b: &mut Behaviour) {
        let kb = &mut b.checks.kb;
        match self {
            Self::RequestUnsigned => b.signing.unsigned = true,
            Self::RequestForeignSignature => b.signing.foreign_key = true,
            Self::RequestWrongTyp => b.signing.typ = "JWT",
            Self::RequestShortNonce => b.nonce_bytes = 4,
            Self::RedirectUriMismatch => b.request = Some(redirect_uri_elsewhere),
            Self::RequestNoNonce => b.request = Some(|p, _| p.nonce = None),
            Self::ResponseUriHostMismatch => b.request = Some(response_uri_on_ip),
            Self::ClientIdMismatch => {
                b.request = Some(|p, _| p.client_id = Some("x509_san_dns:verifier.example".into()))
            }
            Self::DcqlMalformed => b.request = Some(repeat_credential_query),
            Self::JwtRequestWithoutKey => {
                b.request = Some(|p, _| {
                    if let Some(m) = p.client_metadata.as_mut() {
                        m.jwks = None;
                        m.encrypted_response_enc_values_supported = None;
                    }
                })
            }
            Self::JwtResponseIgnored => b.responses.read_encrypted = false,
            Self::AcceptsPlainForJwt => b.responses.plain_refused_for_jwt = false,
            Self::AcceptsReplay => b.responses.replay_refused = false,
            Self::IgnoresState => b.responses.matched_by_state = false,
            Self::KbAudWithoutPrefix => b.kb_aud_without_prefix = true,
            Self::DisclosuresNotHashed => b.checks.digests = false,
            Self::AcceptsUnreferencedDisclosure => b.checks.unreferenced_refused = false,
            Self::IgnoresSdHash => kb.sd_hash = false,
            Self::KbOptional => kb.required = false,
            Self::IgnoresNonce => kb.nonce = false,
            Self::AcceptsAnyAud => kb.aud = false,
            Self::AcceptsStaleKb => kb.iat = false,
            Self::KbSignatureUnchecked => kb.signature = false,
            Self::IgnoresExpiry => b.checks.expiry = false,
            Self::IgnoresNbf => b.checks.not_before = false,
            Self::IssuerSignatureUnchecked => b.issuer_signature_checked = false,
            Self::IgnoresStatus => b.status_checked = false,
            Self::SuspendedAccepted => b.suspended_accepted = true,
            Self::IgnoresRegistry => b.registry_checked = false,
            Self::IgnoresVct => b.checks.vct = false,
            Self::AcceptsMissingClaims => b.checks.requested_claims = false,
            Self::CnfRequiresKid => b.cnf_members = CnfMembers::RequiresKid,
            Self::CnfRefusesOptionalMembers => b.cnf_members = CnfMembers::RefusesOptional,
            Self::MdocIacaUnchecked => b.mdoc.issuer_chain = false,
            Self::MdocDigestsUnchecked => b.mdoc.digests = false,
            Self::MdocIgnoresValidity => b.mdoc.validity = false,
            Self::MdocIgnoresDoctype => b.mdoc.doc_type = false,
            Self::MdocDeviceAuthUnchecked => b.mdoc.device_authentication = false,
            Self::MdocHandoverWithoutThumbprint => b.mdoc_handover_thumbprint = false,
            Self::MdocHandoverWithoutPrefix => b.mdoc_handover_without_prefix = true,
            Self::X509HashOtherCertificate => b.client_ids.hash_of_other_certificate = true,
            Self::UnknownClientIdPrefix => b.client_ids.unknown_prefix = true,
            Self::IgnoresWalletNonce => b.retrieval.echoes_wallet_nonce = false,
            Self::RefusesUnknownRetrievalParameters => b.retrieval.ignores_unknown_parameters = false,
            Self::RequestUriSingleUse => b.retrieval.serves_again = false,
            Self::RedirectUriWithDirectPost => b.request = Some(|p, _| p.redirect_uri = p.response_uri.clone()),
            Self::DidKidOfOtherDid => b.client_ids.kid_of_other_did = true,
            Self::AttestationOfOther => b.client_ids.attestation_of_other = true,
            Self::RequiresEveryQuery => b.credential_sets = SetRule::EveryQuery,
            Self::IgnoresCredentialSets => b.credential_sets = SetRule::AnyAnswer,
            Self::IgnoresClaimSets => b.claim_sets_honoured = false,
            Self::IgnoresTransactionDataHashes => b.transaction_data_checked = false,
            Self::HashesDecodedTransactionData => b.transaction_data_hash_input = HashInput::Decoded,
            Self::IgnoresDcApiOrigin => b.dc_api_aud_checked = false,
            Self::MdocDcApiRedirectHandover => b.mdoc_dc_api_handover = false,
            Self::RefusesMultiple => b.multiple_honoured = false,
        }
    }
}

/// For a `redirect_uri` client, a `response_uri` other than its identifier.
fn redirect_uri_elsewhere(p: &mut RequestParameters, base: &Base) {
    if p.client_id.as_deref().is_some_and(|c| c.starts_with("redirect_uri:")) {
        p.response_uri = Some(format!("{}/response-elsewhere", base.public));
    }
}

/// The `response_uri` on the loopback address rather than the certificate's DNS name.
fn response_uri_on_ip(p: &mut RequestParameters, base: &Base) {
    p.response_uri = Some(format!("{}/response", base.public.replacen(base.dns_name, "127.0.0.1", 1)));
}

/// The DCQL query's first credential query, twice (ids must be unique, §6.1).
fn repeat_credential_query(p: &mut RequestParameters, _: &Base) {
    if let Some(q) = p.dcql_query.as_mut() {
        dialtone_protocols::dcql::repeat_first(q);
    }
}
