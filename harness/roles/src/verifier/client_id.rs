//! The reference verifier's client identifier under each prefix it supports (OpenID4VP §5.9.3):
//! `x509_san_dns` (its certificate's DNS name, the default), `x509_hash` (the hash of the
//! certificate that signs its requests; HAIP 1.0), `redirect_uri` (its response URI),
//! `decentralized_identifier` (its `did:web`, whose document it serves, or its signing key's
//! `did:jwk`). What its [`ClientIds`] behaviour says changes the identifier a request names.

use dialtone_protocols::jose::EcKey;
use dialtone_protocols::oid4vp::client_id::x509_hash;
use dialtone_protocols::oid4vp::did::did_jwk;
use dialtone_protocols::oid4vp::verifier_attestation;
use serde_json::{Value, json};

crate::seam::behaviour! {
    /// How it names itself; the default is correct.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct ClientIds {
        /// Its `x509_hash` identifier is the hash of another certificate than the one that signs.
        pub(crate) hash_of_other_certificate: bool,
        /// It names itself with a prefix no specification defines.
        pub(crate) unknown_prefix: bool,
        /// Its DID requests' `kid` names a verification method of another DID.
        pub(crate) kid_of_other_did: bool,
        /// Its verifier attestation's `sub` is another verifier's identifier.
        pub(crate) attestation_of_other: bool,
    }
}

/// The prefix of attested clients.
const ATTESTATION_PREFIX: &str = "verifier_attestation";

/// The prefix of DID clients.
const DID_PREFIX: &str = "decentralized_identifier";

/// A prefix no specification defines (OpenID4VP §5.9.2: a wallet may refuse it).
const UNKNOWN_PREFIX: &str = "invalid_scheme";

/// Where the verifier is and what signs its requests.
pub(super) struct Identity<'a> {
    /// `https://localhost:PORT`.
    pub public_base: &'a str,
    pub dns_name: &'a str,
    /// The request-signing certificate chain (DER, leaf first).
    pub signing_chain: &'a [Vec<u8>],
    /// Another certificate (DER) it knows of: its trust anchor.
    pub other_certificate: Option<&'a [u8]>,
    /// The public JWK of its signing key.
    pub signing_jwk: Value,
    /// Its DID is the `did:jwk` of its signing key (else its `did:web`).
    pub did_jwk: bool,
    /// Its attester (its certificate's key: the chain leads to the wallet's trust anchor) and the
    /// key attested to it (`cnf`), which signs its `verifier_attestation` requests.
    pub attester: &'a EcKey,
    pub attested: &'a EcKey,
}

impl Identity<'_> {
    /// `did:web:localhost%3APORT`, whose document is at `/.well-known/did.json`.
    fn did_web(&self) -> String {
        let host = self.public_base.trim_start_matches("https://").trim_start_matches("http://");
        format!("did:web:{}", host.replace(':', "%3A"))
    }

    fn did(&self) -> String {
        if self.did_jwk { did_jwk(&self.signing_jwk) } else { self.did_web() }
    }

    /// The verification method that signs its requests.
    fn method(&self) -> String {
        format!("{}{}", self.did(), if self.did_jwk { "#0" } else { "#key-1" })
    }
}

/// Its `did:web` document (DID Core): the signing key as its one verification method.
pub(super) fn did_web_document(me: &Identity) -> Value {
    let did = me.did_web();
    let method = format!("{did}#key-1");
    json!({
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "verificationMethod": [{ "id": method, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": me.signing_jwk }],
        "assertionMethod": [method],
        "authentication": [method],
    })
}

/// The key that signs a request of `client_id`: the attested key for an attested client, else the
/// certificate's (which is also its DID's).
pub(super) fn signing_key<'a>(client_id: &str, me: &Identity<'a>) -> &'a EcKey {
    if client_id.starts_with(&format!("{ATTESTATION_PREFIX}:")) { me.attested } else { me.attester }
}

/// The JOSE header of a signed request object: `kid` for a DID client, the Verifier Attestation
/// JWT (`jwt`) for an attested one (§5.9.3, §12), else the certificate chain (`x5c`).
pub(super) fn signing_header(client_id: &str, typ: &str, me: &Identity, ids: ClientIds) -> Value {
    if client_id.starts_with(&format!("{ATTESTATION_PREFIX}:")) {
        let sub = if ids.attestation_of_other { "other-verifier.dialtone.invalid" } else { me.dns_name };
        let attestation =
            verifier_attestation::attest(me.attester, me.signing_chain, me.public_base, sub, &me.attested.public_jwk());
        return json!({ "typ": typ, verifier_attestation::HEADER: attestation });
    }
    if client_id.starts_with(&format!("{DID_PREFIX}:")) {
        let kid =
            if ids.kid_of_other_did { "did:web:other-verifier.dialtone.invalid#key-1".into() } else { me.method() };
        return json!({ "typ": typ, "kid": kid });
    }
    let x5c: Vec<String> = me.signing_chain.iter().map(dialtone_protocols::b64::encode_std).collect();
    json!({ "typ": typ, "x5c": x5c })
}

/// The client identifier of a request the harness asked for with `prefix` (none: `x509_san_dns`).
pub(super) fn client_id(prefix: Option<&str>, me: &Identity, ids: ClientIds) -> String {
    let (prefix, identifier) = match prefix {
        Some("redirect_uri") => ("redirect_uri", format!("{}/response", me.public_base)),
        Some("x509_hash") => {
            let leaf = me.signing_chain.first().map(Vec::as_slice).unwrap_or_default();
            let hashed = match me.other_certificate {
                Some(other) if ids.hash_of_other_certificate => other,
                _ if ids.hash_of_other_certificate => b"another certificate",
                _ => leaf,
            };
            ("x509_hash", x509_hash(hashed))
        }
        Some(DID_PREFIX) => (DID_PREFIX, me.did()),
        Some(ATTESTATION_PREFIX) => (ATTESTATION_PREFIX, me.dns_name.to_string()),
        _ => ("x509_san_dns", me.dns_name.to_string()),
    };
    let prefix = if ids.unknown_prefix { UNKNOWN_PREFIX } else { prefix };
    format!("{prefix}:{identifier}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_prefix_names_the_verifier_as_its_text_says() {
        let chain = vec![b"leaf".to_vec()];
        let key = EcKey::generate(&dialtone_protocols::seed::Entropy::new(Some(1)));
        let me = Identity {
            public_base: "https://localhost:1",
            dns_name: "localhost",
            signing_chain: &chain,
            other_certificate: Some(b"ca"),
            signing_jwk: json!({ "kty": "EC" }),
            did_jwk: false,
            attester: &key,
            attested: &key,
        };
        assert_eq!(
            client_id(Some(DID_PREFIX), &me, ClientIds::default()),
            "decentralized_identifier:did:web:localhost%3A1"
        );
        let header = signing_header("decentralized_identifier:did:web:localhost%3A1", "t", &me, ClientIds::default());
        assert_eq!(header["kid"], "did:web:localhost%3A1#key-1");
        assert_eq!(did_web_document(&me)["verificationMethod"][0]["id"], "did:web:localhost%3A1#key-1");
        let ok = ClientIds::default();
        assert_eq!(client_id(None, &me, ok), "x509_san_dns:localhost");
        assert_eq!(client_id(Some("redirect_uri"), &me, ok), "redirect_uri:https://localhost:1/response");
        assert_eq!(client_id(Some("x509_hash"), &me, ok), format!("x509_hash:{}", x509_hash(b"leaf")));
        let other = ClientIds { hash_of_other_certificate: true, ..ok };
        assert_eq!(client_id(Some("x509_hash"), &me, other), format!("x509_hash:{}", x509_hash(b"ca")));
        let unknown = ClientIds { unknown_prefix: true, ..ok };
        assert_eq!(client_id(None, &me, unknown), "invalid_scheme:localhost");
    }
}
