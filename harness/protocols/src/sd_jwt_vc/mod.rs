//! SD-JWT-based Verifiable Credentials (draft-ietf-oauth-sd-jwt-vc): media type, `typ`, the claims
//! that must never be selectively disclosable, and JWT VC Issuer Metadata (§4).

pub mod verify;

/// §2.2.1: `typ` of the issuer-signed JWT.
pub const TYP: &str = "dc+sd-jwt";
/// The pre-2024 value, still seen in the wild; not conformant.
pub const LEGACY_TYP: &str = "vc+sd-jwt";
/// §4.1: JWT VC Issuer Metadata well-known segment.
pub const WELL_KNOWN_JWT_VC_ISSUER: &str = "/.well-known/jwt-vc-issuer";

/// §2.2.2.3: registered claims that MUST NOT be selectively disclosed.
pub const NEVER_DISCLOSABLE: &[&str] = &["iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "aka_vcts", "status"];

/// What §2.5's Inline X.509 mechanism found wrong, each with the words a report shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum X5cError {
    #[error("x5c is not a non-empty array of base64 DER certificates (RFC 7515 §4.1.6)")]
    Malformed,
    #[error("the x5c end-entity certificate: {0}")]
    Certificate(String),
    #[error("the signature does not verify with the x5c end-entity certificate's key: {0}")]
    Signature(String),
    #[error("iss {iss:?} names neither a SAN URI ({uris:?}) nor a SAN DNS name ({dns:?}) of the certificate")]
    IssuerNotSubject { iss: String, uris: Vec<String>, dns: Vec<String> },
    #[error("no root to validate the x5c chain against")]
    NoRoots,
    #[error("{0}")]
    Chain(String),
}

/// SD-JWT VC §2.5, Inline X.509 Certificates: the Issuer-signed JWT verifies with the end-entity
/// certificate of its `x5c` header, whose chain leads to one of `roots` (DER) at `now`; when `iss`
/// is present it names the certificate's subject (a SAN URI equal to it, or a SAN DNS name of its
/// host). Returns the end-entity key and the chain's length.
pub(crate) fn verify_x5c(
    jwt: &crate::jose::CompactJws,
    roots: &[Vec<u8>],
    now: i64,
) -> Result<(serde_json::Value, usize), X5cError> {
    use serde_json::Value;
    let chain: Option<Vec<Vec<u8>>> = jwt
        .header
        .get("x5c")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(|c| c.as_str().and_then(|c| crate::b64::decode_std(c).ok())).collect());
    let chain = chain.filter(|c| !c.is_empty()).ok_or(X5cError::Malformed)?;
    let jwk = crate::jose::jwk_from_certificate(&chain[0]).map_err(|e| X5cError::Certificate(e.to_string()))?;
    jwt.verify_with_jwk(&jwk).map_err(|e| X5cError::Signature(e.to_string()))?;
    if let Some(iss) = jwt.payload.get("iss").and_then(Value::as_str) {
        let (dns, uris) = crate::x509::san_names(&chain[0]);
        let host = crate::oid4vp::url_host(iss).unwrap_or_default();
        if !uris.iter().any(|u| u == iss) && !dns.iter().any(|d| d == host) {
            return Err(X5cError::IssuerNotSubject { iss: iss.to_string(), uris, dns });
        }
    }
    if roots.is_empty() {
        return Err(X5cError::NoRoots);
    }
    crate::x509::verify_chain(&chain, roots, now, None).map_err(X5cError::Chain)?;
    Ok((jwk, chain.len()))
}

/// JWT VC Issuer Metadata (§4.2): the issuer and its keys, by value or by reference.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct JwtVcIssuerMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl crate::message::Message for JwtVcIssuerMetadata {
    const NAME: &'static str = "JWT VC issuer metadata";
    const CLAUSE: &'static str = "SD-JWT-VC §4.2";
}

impl JwtVcIssuerMetadata {
    /// The keys given by value, when they are a JWK Set with keys.
    pub fn keys(&self) -> Option<&Vec<serde_json::Value>> {
        self.jwks.as_ref()?.get("keys")?.as_array()
    }
}
