//! What the reference verifier does, as values: the default is correct; a mutant changes one thing
//! ([`super::VerifierFault::apply`]) — a rewrite of the requests it sends, how it signs them, how it
//! reads responses, or a check it makes of presentations. The handlers read these values and know
//! nothing of faults.

use dialtone_protocols::dcql::select::SetRule;
use dialtone_protocols::oid4vp::message::RequestParameters;
use dialtone_protocols::oid4vp::transaction_data::HashInput;
use dialtone_protocols::sd_jwt_vc::verify::Checks;

/// A change to a request's parameters; the verifier's public base URL and DNS name are given.
pub(crate) type RequestRewrite = fn(&mut RequestParameters, &Base);

/// Where the verifier is.
pub struct Base<'a> {
    /// `https://localhost:PORT`.
    pub public: &'a str,
    /// The DNS name of its `x509_san_dns` certificate.
    pub dns_name: &'a str,
}

crate::seam::behaviour! {
    #[derive(Debug, Clone)]
    pub struct Behaviour {
        pub request: Option<RequestRewrite>,
        pub signing: Signing as parts,
        /// How it names itself under each client identifier prefix.
        pub(crate) client_ids: super::client_id::ClientIds as parts,
        /// How its request URI answers a POST (§5.10).
        pub(crate) retrieval: super::retrieval::Retrieval as parts,
        /// Bytes of entropy in its nonces (16: 128 bits).
        pub(crate) nonce_bytes: usize,
        pub responses: Responses as parts,
        /// It verifies the issuer's signature.
        pub(crate) issuer_signature_checked: bool,
        pub checks: Checks,
        /// The KB-JWT `aud` it expects is the client identifier without its prefix.
        pub(crate) kb_aud_without_prefix: bool,
        /// It consults the status list.
        pub(crate) status_checked: bool,
        /// A suspended credential is treated as valid.
        pub(crate) suspended_accepted: bool,
        /// It asks the trust registry whether the issuer is authorized.
        pub(crate) registry_checked: bool,
        /// What it demands of the members of `cnf.jwk` beyond the key itself.
        pub(crate) cnf_members: CnfMembers,
        /// What it checks of an mdoc presentation.
        pub(crate) mdoc: dialtone_protocols::mdoc::verify::Checks,
        /// Its mdoc handover names its response encryption key's thumbprint (Appendix B.2).
        pub(crate) mdoc_handover_thumbprint: bool,
        /// Its mdoc handover names its client identifier without the prefix.
        pub(crate) mdoc_handover_without_prefix: bool,
        /// Several presentations for a credential query with `multiple: true` are taken (§6.1).
        pub(crate) multiple_honoured: bool,
        /// Over the Digital Credentials API its mdoc handover is `OpenID4VPDCAPIHandover` (its page's
        /// origin), not the redirect one (Appendix B.2).
        pub(crate) mdoc_dc_api_handover: bool,
        /// Which credential queries a response must answer (DCQL `credential_sets`, §6.4.2).
        pub(crate) credential_sets: SetRule,
        /// A presentation answers one of the query's `claim_sets` (else it must hold every claim).
        pub(crate) claim_sets_honoured: bool,
        /// It checks `transaction_data_hashes` in the key binding JWT.
        pub(crate) transaction_data_checked: bool,
        /// What it hashes to check them.
        pub(crate) transaction_data_hash_input: HashInput,
        /// Over the Digital Credentials API, a response must come through its own origin.
        pub(crate) dc_api_origin_checked: bool,
        /// Over the Digital Credentials API, the KB-JWT's aud must be `origin:` its origin (§A.4).
        pub(crate) dc_api_aud_checked: bool,
    }
}

/// What a verifier demands of a holder key's JWK members (RFC 7517 §4: `kid`, `alg`, `use`,
/// `key_ops` … are optional; SD-JWT VC §2.2.2.3 and RFC 7800 §3.2 only require the key).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum CnfMembers {
    /// The key members; the optional ones may be present or not.
    #[default]
    KeyOnly,
    /// A `kid` besides (refuses a minimal JWK).
    RequiresKid,
    /// Nothing but the key members (refuses a JWK with optional members).
    RefusesOptional,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            request: None,
            signing: Signing::default(),
            client_ids: Default::default(),
            retrieval: Default::default(),
            nonce_bytes: 16,
            responses: Responses::default(),
            issuer_signature_checked: true,
            checks: Checks::default(),
            kb_aud_without_prefix: false,
            status_checked: true,
            suspended_accepted: false,
            registry_checked: true,
            cnf_members: CnfMembers::default(),
            mdoc: Default::default(),
            mdoc_handover_thumbprint: true,
            mdoc_handover_without_prefix: false,
            mdoc_dc_api_handover: true,
            multiple_honoured: true,
            credential_sets: SetRule::AsQueried,
            claim_sets_honoured: true,
            transaction_data_checked: true,
            transaction_data_hash_input: HashInput::Encoded,
            dc_api_origin_checked: true,
            dc_api_aud_checked: true,
        }
    }
}

impl Behaviour {
    /// The other values the verifier's mutants give `checks`: what the selftest's reference run
    /// judges each presentation with as well, to note the read only where a mutant would answer
    /// otherwise.
    pub(crate) fn other_checks() -> Vec<crate::seam::OtherValue<Checks>> {
        let faulty = super::VerifierFault::ALL.iter().map(|f| (f.name(), Self::with(Some(*f))));
        crate::seam::other_values(&Self::default(), faulty, |b| &b.checks)
    }

    pub fn with(fault: Option<super::VerifierFault>) -> Self {
        let mut b = Self::default();
        if let Some(f) = fault {
            f.apply(&mut b);
        }
        b
    }
}

crate::seam::behaviour! {
    /// How request objects are signed (RFC 9101, OpenID4VP §5.9.3).
    #[derive(Debug, Clone, Copy)]
    pub struct Signing {
        /// Unsigned request objects (`alg: none`), by reference, for every client identifier.
        pub unsigned: bool,
        /// Signed with another key than the certificate's.
        pub(crate) foreign_key: bool,
        pub typ: &'static str,
    }
}

impl Default for Signing {
    fn default() -> Self {
        Self { unsigned: false, foreign_key: false, typ: dialtone_protocols::oid4vp::REQUEST_TYP }
    }
}

crate::seam::behaviour! {
    /// How responses are read (§8).
    #[derive(Debug, Clone, Copy)]
    pub struct Responses {
        /// The encrypted `response` parameter of `direct_post.jwt` is read.
        pub(crate) read_encrypted: bool,
        /// A plain response to a `direct_post.jwt` request is refused.
        pub(crate) plain_refused_for_jwt: bool,
        /// A second response to an answered request is refused.
        pub(crate) replay_refused: bool,
        /// A response is matched to its request by `state` (else by the KB-JWT's nonce).
        pub(crate) matched_by_state: bool,
    }
}

impl Default for Responses {
    fn default() -> Self {
        Self { read_encrypted: true, plain_refused_for_jwt: true, replay_refused: true, matched_by_state: true }
    }
}
