//! The verifier's authorization request: the request object (RFC 9101, OpenID4VP §5), client
//! identifier prefix rules (§5.9.3), `response_uri`, `nonce`, and the DCQL query (§6).

use super::holder::{Holder, RequestAsk};
use crate::{Ctx, binding, driver};
use dialtone_engine::model::{Outcome, flatten};
use dialtone_protocols::message::Message;
use dialtone_protocols::oid4vp::client_id::{verify_decentralized_identifier, verify_x509_hash};
use dialtone_protocols::oid4vp::holder::Request;
use dialtone_protocols::oid4vp::{REQUEST_TYP, split_client_id, url_host};
use dialtone_protocols::x509::verify_x5c_signature;
use serde::Deserialize;

driver!("oid4vp.verifier.request", binding::VERIFIER, request, RequestCase);

/// One property of the request the verifier under test sends, when asked as `request` says.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RequestCase {
    rule: RequestRule,
    #[serde(default)]
    request: RequestAsk,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RequestRule {
    Signed,
    Typ,
    X509SanDns,
    X509Hash,
    ClientIdPrefixKnown,
    NoRedirectUriWithDirectPost,
    DecentralizedIdentifier,
    VerifierAttestation,
    ClientIdConsistent,
    ResponseUriHost,
    NoncePresent,
    NonceEntropy,
    DcqlWellFormed,
    JwtEncryptionKey,
    RedirectUriClient,
}

async fn request(ctx: Ctx, case: RequestCase) -> Outcome {
    let holder = Holder::new(ctx);
    flatten(
        async {
            let r = holder.request_with(case.request.start()).await?.request;
            let roots = holder.ctx.manifest.trusted_roots();
            match case.rule {
                RequestRule::Signed => signed(&r, &roots),
                RequestRule::Typ => typ(&r, &roots),
                RequestRule::X509SanDns => x509_san_dns(&r, &roots),
                RequestRule::X509Hash => x509_hash(&r, &roots),
                RequestRule::ClientIdPrefixKnown => client_id_prefix_known(&r, &roots),
                RequestRule::NoRedirectUriWithDirectPost => no_redirect_uri_with_direct_post(&r, &roots),
                RequestRule::DecentralizedIdentifier => decentralized_identifier(&r, &roots),
                RequestRule::VerifierAttestation => verifier_attestation(&r, &roots),
                RequestRule::ClientIdConsistent => client_id_consistent(&r, &roots),
                RequestRule::ResponseUriHost => response_uri_host(&r, &roots),
                RequestRule::NoncePresent => nonce_present(&r, &roots),
                RequestRule::NonceEntropy => nonce_entropy(&r, &roots),
                RequestRule::DcqlWellFormed => dcql_well_formed(&r, &roots),
                RequestRule::JwtEncryptionKey => jwt_encryption_key(&r, &roots),
                RequestRule::RedirectUriClient => redirect_uri_client(&r, &roots),
            }
        }
        .await,
    )
}

/// The request object is signed: an asymmetric `alg`, and a signature that verifies with the key
/// its header names (the `x5c` end-entity certificate's). Whether that certificate is trusted and
/// names the client is OID4VP-VER-REQ-003's.
fn signed(r: &Request, _: &[Vec<u8>]) -> Result<Outcome, Outcome> {
    let expected = "a request object signed with an asymmetric algorithm, its signature verifying with the key of its x5c certificate (an x509_san_dns client must sign, §5.9.3)";
    let alg = r.object.alg().unwrap_or("<absent>");
    if !dialtone_protocols::jose::is_asymmetric_alg(alg) || r.object.signature.is_empty() {
        return Ok(Outcome::fail(expected, format!("alg {alg}, {} signature bytes", r.object.signature.len())));
    }
    let leaf = r.x5c().first().and_then(|c| dialtone_protocols::b64::decode_std(c).ok());
    let Some(leaf) = leaf else {
        return Ok(Outcome::fail(expected, format!("alg {alg}, but no x5c certificate whose key could verify it")));
    };
    let verified = dialtone_protocols::jose::jwk_from_certificate(&leaf)
        .map_err(|e| e.to_string())
        .and_then(|key| r.object.verify_with_jwk(&key).map_err(|e| e.to_string()));
    Ok(match verified {
        Ok(()) => Outcome::pass(format!("signed with {alg}; the signature verifies with the x5c certificate's key")),
        Err(e) => Outcome::fail(expected, format!("alg {alg}, {} signature bytes: {e}", r.object.signature.len())),
    })
}

fn typ(r: &Request, _: &[Vec<u8>]) -> Result<Outcome, Outcome> {
    Ok(match r.object.typ() {
        Some(t) if t == REQUEST_TYP => Outcome::pass(format!("typ {t:?}")),
        other => Outcome::fail(format!("typ {REQUEST_TYP:?}"), format!("typ {other:?}")),
    })
}

/// `x509_san_dns`: the x5c chain leads to a trusted CA, the leaf names the client identifier, and
/// the signature verifies with the leaf's key.
fn x509_san_dns(r: &Request, roots: &[Vec<u8>]) -> Result<Outcome, Outcome> {
    let client_id = r.effective_client_id().to_string();
    let (prefix, dns) = split_client_id(&client_id);
    if prefix != Some("x509_san_dns") {
        return Ok(Outcome::skip(format!("the client identifier {client_id:?} does not use the x509_san_dns prefix")));
    }
    let x5c = r.x5c();
    Ok(match verify_x5c_signature(&x5c, roots, dns, &r.object.signing_input, &r.object.signature) {
        Ok(()) => Outcome::pass(format!("x5c chain trusted, leaf names {dns:?}, signature verifies")),
        Err(e) => Outcome::fail(format!("a request signed by a trusted certificate whose dNSName is {dns:?}"), e),
    })
}

/// `x509_hash` (HAIP 1.0's prefix): the identifier is the hash of the x5c leaf certificate, its
/// chain leads to a trusted CA, and the signature verifies with the leaf's key.
fn x509_hash(r: &Request, roots: &[Vec<u8>]) -> Result<Outcome, Outcome> {
    let client_id = r.effective_client_id().to_string();
    let (prefix, hash) = split_client_id(&client_id);
    if prefix != Some("x509_hash") {
        return Ok(Outcome::fail(
            "a request whose client identifier uses the x509_hash prefix, as asked",
            format!("client_id {client_id:?}"),
        ));
    }
    let expected = "a request signed by a trusted certificate whose SHA-256 hash is the client identifier";
    if !r.signed() {
        return Ok(Outcome::fail(expected, format!("alg {:?}, unsigned", r.object.alg())));
    }
    Ok(match verify_x509_hash(&r.x5c(), roots, hash, &r.object.signing_input, &r.object.signature) {
        Ok(()) => {
            Outcome::pass(format!("the x5c leaf hashes to {hash:?}, its chain is trusted, the signature verifies"))
        }
        Err(e) => Outcome::fail(expected, e.to_string()),
    })
}

/// The client identifier names a prefix OpenID4VP 1.0 defines, or none (a pre-registered client):
/// a wallet may refuse one with a prefix it does not know (§5.9.2).
fn client_id_prefix_known(r: &Request, _: &[Vec<u8>]) -> Result<Outcome, Outcome> {
    let client_id = r.effective_client_id();
    Ok(match split_client_id(client_id) {
        (Some(prefix), _) => Outcome::pass(format!("client identifier prefix {prefix:?}")),
        (None, _) if !client_id.contains(':') => Outcome::pass("no prefix: a pre-registered client"),
        (None, _) => Outcome::fail(
            "a client identifier prefix OpenID4VP 1.0 defines (§5.9.3), or none",
            format!("client_id {client_id:?}: the text before its first ':' is no defined prefix"),
        ),
    })
}

/// `decentralized_identifier`: the request is signed by the key of a verification method of the
/// client's DID (did:jwk resolved locally, did:web over https), named by its `kid`.
fn decentralized_identifier(r: &Request, _: &[Vec<u8>]) -> Result<Outcome, Outcome> {
    let (prefix, did) = split_client_id(&r.client_id);
    if prefix != Some("decentralized_identifier") {
        return Ok(Outcome::fail(
            "a request whose client identifier uses the decentralized_identifier prefix, as asked",
            format!("client_id {:?}", r.client_id),
        ));
    }
    let kid = r.object.header.get("kid").and_then(serde_json::Value::as_str).unwrap_or("<none>");
    Ok(match verify_decentralized_identifier(r) {
        Ok(()) => Outcome::pass(format!("{did} resolved; signed by its verification method {kid}")),
        Err(e) => Outcome::fail(
            "a request signed by the key of the client's DID's verification method its kid names (§5.9.3)",
            format!("kid {kid:?}: {e}"),
        ),
    })
}

/// `verifier_attestation`: the request carries a Verifier Attestation JWT from an attester whose
/// chain leads to a trusted CA, its `sub` the client identifier, and is signed by its `cnf` key.
fn verifier_attestation(r: &Request, roots: &[Vec<u8>]) -> Result<Outcome, Outcome> {
    let (prefix, identifier) = split_client_id(&r.client_id);
    if prefix != Some("verifier_attestation") {
        return Ok(Outcome::fail(
            "a request whose client identifier uses the verifier_attestation prefix, as asked",
            format!("client_id {:?}", r.client_id),
        ));
    }
    Ok(match dialtone_protocols::oid4vp::verifier_attestation::verify(r, roots) {
        Ok(()) => {
            Outcome::pass(format!("attested by a trusted attester for {identifier:?}; signed by the attested key"))
        }
        Err(e) => Outcome::fail(
            "a Verifier Attestation JWT from a trusted attester whose sub is the client identifier, the request signed by its cnf key (§5.9.3, §12)",
            e,
        ),
    })
}

/// A `direct_post` request names its `response_uri` and no `redirect_uri` (§8.2).
fn no_redirect_uri_with_direct_post(r: &Request, _: &[Vec<u8>]) -> Result<Outcome, Outcome> {
    let mode = r.params.response_mode.as_deref().unwrap_or_default();
    Ok(match &r.params.redirect_uri {
        Some(uri) if mode.starts_with("direct_post") => Outcome::fail(
            "no redirect_uri in a direct_post request: its response_uri is where the response goes (§8.2)",
            format!("response_mode {mode:?}, redirect_uri {uri:?}"),
        ),
        _ => Outcome::pass(format!("response_mode {mode:?}, no redirect_uri")),
    })
}

fn client_id_consistent(r: &Request, _: &[Vec<u8>]) -> Result<Outcome, Outcome> {
    Ok(match r.params.client_id.as_deref() {
        Some(c) if c == r.client_id => Outcome::pass(format!("client_id {c:?} in both")),
        other => Outcome::fail(
            format!(
                "the request object's client_id equal to the authorization request's {:?} (RFC 9101 §5)",
                r.client_id
            ),
            format!("{other:?}"),
        ),
    })
}

fn response_uri_host(r: &Request, _: &[Vec<u8>]) -> Result<Outcome, Outcome> {
    let client_id = r.effective_client_id().to_string();
    let (prefix, dns) = split_client_id(&client_id);
    if prefix != Some("x509_san_dns") {
        return Ok(Outcome::skip("the client identifier does not use the x509_san_dns prefix"));
    }
    let mode = r.params.response_mode.as_deref().unwrap_or_default();
    let uri = r.params.response_uri.as_deref().unwrap_or_default();
    Ok(match url_host(uri) {
        Some(host) if host == dns && mode.starts_with("direct_post") => {
            Outcome::pass(format!("response_uri host {host:?}, response_mode {mode}"))
        }
        host => Outcome::fail(
            format!("response_mode direct_post(.jwt) and a response_uri whose host is {dns:?}"),
            format!("response_mode {mode:?}, response_uri host {host:?}"),
        ),
    })
}

fn nonce_present(r: &Request, _: &[Vec<u8>]) -> Result<Outcome, Outcome> {
    Ok(match r.params.nonce.as_deref() {
        Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)) => {
            Outcome::pass(format!("nonce of {} characters", n.len()))
        }
        other => Outcome::fail("a nonce of URL-safe characters (§5.2)", format!("{other:?}")),
    })
}

fn nonce_entropy(r: &Request, _: &[Vec<u8>]) -> Result<Outcome, Outcome> {
    let n = r.params.nonce.as_deref().unwrap_or_default();
    // URL-safe characters carry at most 6 bits each: 128 bits need 22 of them.
    Ok(if n.len() >= 22 {
        Outcome::pass(format!("{} characters (up to {} bits)", n.len(), n.len() * 6))
    } else {
        Outcome::fail("a nonce of at least 128 bits (22 URL-safe characters)", format!("{} characters: {n:?}", n.len()))
    })
}

fn dcql_well_formed(r: &Request, _: &[Vec<u8>]) -> Result<Outcome, Outcome> {
    let Some(q) = &r.params.dcql_query else { return Ok(Outcome::fail("a dcql_query (§5.1)", "absent")) };
    Ok(match dialtone_protocols::dcql::parse(q) {
        Ok(queries) => Outcome::pass(format!("{} credential queries", queries.len())),
        Err(e) => Outcome::fail("a well-formed DCQL query (§6)", e),
    })
}

/// A direct_post.jwt request offers a key to encrypt to (client_metadata.jwks, §8.3).
fn jwt_encryption_key(r: &Request, _: &[Vec<u8>]) -> Result<Outcome, Outcome> {
    let metadata = r.params.client_metadata.clone().unwrap_or_default();
    Ok(match metadata.encryption_key() {
        Some((key, enc)) if dialtone_protocols::jose::verifying_key_from_jwk(&key).is_ok() => Outcome::pass(format!(
            "a P-256 key{} for ECDH-ES, enc {enc}",
            key.get("kid").map(|k| format!(" ({k})")).unwrap_or_default()
        )),
        Some((key, _)) => Outcome::fail("a P-256 public key for ECDH-ES", key.to_string()),
        None => Outcome::fail("client_metadata.jwks with an encryption key (§8.3)", metadata.to_json().to_string()),
    })
}

/// `redirect_uri` prefix: the client identifier is the response URI (§5.9.3).
fn redirect_uri_client(r: &Request, _: &[Vec<u8>]) -> Result<Outcome, Outcome> {
    let (_, uri) = split_client_id(&r.client_id);
    let response_uri = r.params.response_uri.as_deref().unwrap_or_default();
    let mode = r.params.response_mode.as_deref().unwrap_or_default();
    Ok(
        if response_uri == uri
            && mode.starts_with("direct_post")
            && r.params.client_id.as_deref() == Some(r.client_id.as_str())
        {
            Outcome::pass(format!("client_id {:?}, response_uri the same URI", r.client_id))
        } else {
            Outcome::fail(
                "a response_uri equal to the redirect_uri client identifier, with direct_post",
                format!("client_id {:?}, response_uri {response_uri:?}, response_mode {mode:?}", r.client_id),
            )
        },
    )
}
