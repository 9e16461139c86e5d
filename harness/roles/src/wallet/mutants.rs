//! Mutants of the reference wallet, one fault each.

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
}
