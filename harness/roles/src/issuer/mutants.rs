//! Mutants of the reference issuer: each is the reference with exactly one fault. Suites name the
//! mutants that must fail each case (`caught_by`); `dialtone selftest` proves they do.

macro_rules! faults {
    ($($variant:ident => $name:literal : $doc:literal,)*) => {
        /// One deliberate fault of the reference issuer.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Fault { $($variant,)* }

        impl Fault {
            pub const ALL: &'static [Fault] = &[$(Fault::$variant,)*];

            /// The mutant's name as suites write it (`issuer.<name>`).
            pub fn name(self) -> &'static str {
                match self { $(Fault::$variant => concat!("issuer.", $name),)* }
            }

            pub fn description(self) -> &'static str {
                match self { $(Fault::$variant => $doc,)* }
            }

            pub fn from_name(name: &str) -> Option<Fault> {
                Self::ALL.iter().copied().find(|f| f.name() == name)
            }
        }
    };
}

faults! {
    MetadataWrongContentType => "metadata_wrong_content_type": "serves issuer metadata as text/plain",
    MetadataIssuerTrailingSlash => "metadata_issuer_trailing_slash": "credential_issuer in metadata has a trailing slash the identifier lacks",
    MetadataMissingCredentialEndpoint => "metadata_missing_credential_endpoint": "metadata omits credential_endpoint",
    MetadataHttpEndpoint => "metadata_http_endpoint": "advertises a deferred credential endpoint over plain http",
    MetadataConfigWithoutVct => "metadata_config_without_vct": "the dc+sd-jwt configuration has no vct",
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut names: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Fault::ALL.len());
        for f in Fault::ALL {
            assert_eq!(Fault::from_name(f.name()), Some(*f));
        }
    }
}
