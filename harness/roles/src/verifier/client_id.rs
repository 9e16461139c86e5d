//! The reference verifier's client identifier under each prefix it supports (OpenID4VP §5.9.3):
//! `x509_san_dns` (its certificate's DNS name, the default), `x509_hash` (the hash of the
//! certificate that signs its requests; HAIP 1.0), `redirect_uri` (its response URI). What its
//! [`ClientIds`] behaviour says changes the identifier a request names.

use dialtone_protocols::oid4vp::client_id::x509_hash;

/// How it names itself; the default is correct.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientIds {
    /// Its `x509_hash` identifier is the hash of another certificate than the one that signs.
    pub(crate) hash_of_other_certificate: bool,
    /// It names itself with a prefix no specification defines.
    pub(crate) unknown_prefix: bool,
}

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
        let me = Identity {
            public_base: "https://localhost:1",
            dns_name: "localhost",
            signing_chain: &chain,
            other_certificate: Some(b"ca"),
        };
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
