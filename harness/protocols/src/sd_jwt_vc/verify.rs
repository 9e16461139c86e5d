//! Verifying an SD-JWT VC, once: the issuer's signature by the key discovery mechanism the
//! credential uses (§2.5), and a presentation's disclosures, key binding, type, requested claims and
//! validity (RFC 9901 §7.1–§7.3, OpenID4VP §6.4, §8.6). `dialtone check`'s rules, the reference
//! verifier and the plans' judging call these; a test verifier can be told to skip a step
//! ([`Checks`]).

use super::{X5cError, verify_x5c};
use crate::dcql::CredentialQuery;
use crate::jose::{CompactJws, thumbprint};
use crate::public_key::{KeySet, SetKey};
use crate::sdjwt::{KbError, Processed, SdJwt, SdJwtError, verify_key_binding};
use serde_json::{Map, Value};

/// The key that verified an issuer signature, and how it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedKey {
    pub jwk: Value,
    pub via: KeySource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// A key of the issuer's published JWK Set (JWT VC Issuer Metadata, or given to `check`).
    Published,
    /// The end-entity certificate of the `x5c` header, its chain of this length leading to a root.
    X5c { chain: usize },
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SignatureError {
    #[error("no keys array in the issuer's JWK Set")]
    NoKeys,
    #[error("{published} published keys, none with kid {kid:?}")]
    NoKidMatch { kid: Option<String>, published: usize },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    X5c(#[from] X5cError),
}

/// The issuer-signed JWT's signature (SD-JWT VC §2.5; RFC 9901 §7.1 step 2): by the `x5c` header
/// when there is one (its chain to one of `x5c_roots`), else by a key of `jwks` (with the header's
/// `kid`, when it names one).
pub fn issuer_signature(
    jwt: &CompactJws,
    jwks: Option<&Value>,
    x5c_roots: &[Vec<u8>],
    now: i64,
) -> Result<VerifiedKey, SignatureError> {
    if jwt.header.contains_key("x5c") {
        let (jwk, chain) = verify_x5c(jwt, x5c_roots, now)?;
        return Ok(VerifiedKey { jwk, via: KeySource::X5c { chain } });
    }
    let keys = jwks.and_then(KeySet::of_jwks).ok_or(SignatureError::NoKeys)?;
    let key = published_signature(jwt, &keys)?;
    Ok(VerifiedKey { jwk: key.jwk.clone(), via: KeySource::Published })
}

/// The issuer-signed JWT's signature by a key of a JWK Set read once (the `x5c` header not
/// consulted): the keys with the header's `kid` when it names one, each tried once.
pub fn published_signature<'k>(jwt: &CompactJws, keys: &'k KeySet) -> Result<&'k SetKey, SignatureError> {
    let kid = jwt.header.get("kid").and_then(Value::as_str);
    let mut candidates = keys.keys().iter().filter(|k| kid.is_none() || k.kid.as_deref() == kid).peekable();
    if candidates.peek().is_none() {
        return Err(SignatureError::NoKidMatch { kid: kid.map(str::to_string), published: keys.keys().len() });
    }
    let alg = jwt.alg().unwrap_or("<absent>");
    let mut last = String::new();
    for key in candidates {
        match key.verify(alg, jwt.signing_input.as_bytes(), &jwt.signature) {
            Ok(()) => return Ok(key),
            Err(e) => last = e.to_string(),
        }
    }
    Err(SignatureError::Invalid(last))
}

impl VerifiedKey {
    pub fn thumbprint(&self) -> String {
        thumbprint(&self.jwk).unwrap_or_default()
    }
}

/// What a verifier checks of a presentation; everything unless a test verifier is told otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checks {
    /// Claims come from disclosures whose digests the issuer signed (RFC 9901 §7.1).
    pub digests: bool,
    /// A disclosure no digest references is refused (§7.1 step 4).
    pub unreferenced_refused: bool,
    pub kb: KbChecks,
    /// The type is one the query asks for.
    pub vct: bool,
    /// Every requested claim is disclosed.
    pub requested_claims: bool,
    pub expiry: bool,
    pub not_before: bool,
}

/// The key binding JWT's checks (RFC 9901 §7.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KbChecks {
    pub required: bool,
    pub nonce: bool,
    pub aud: bool,
    pub iat: bool,
    pub sd_hash: bool,
    pub signature: bool,
}

impl Default for Checks {
    fn default() -> Self {
        Self {
            digests: true,
            unreferenced_refused: true,
            kb: KbChecks { required: true, nonce: true, aud: true, iat: true, sd_hash: true, signature: true },
            vct: true,
            requested_claims: true,
            expiry: true,
            not_before: true,
        }
    }
}

/// What the presentation must answer.
#[derive(Debug, Clone, Copy)]
pub struct Expectation<'a> {
    pub query: &'a CredentialQuery,
    pub nonce: &'a str,
    /// The full client identifier (OpenID4VP §B.3.6).
    pub aud: &'a str,
    pub now: i64,
    /// Clock skew and key binding freshness window, in seconds.
    pub skew: i64,
}

/// The presented claims, once the disclosures, key binding, type, requested claims and validity
/// hold (the issuer signature is judged apart, with [`issuer_signature`]); `Err` says why not.
pub fn presented_claims(sd: &mut SdJwt, e: &Expectation<'_>, checks: &Checks) -> Result<Map<String, Value>, String> {
    // Disclosures (RFC 9901 §7.1 steps 3–5).
    let processed = if !checks.digests {
        // Claims straight from the disclosures, by name, with no digest matching.
        let mut claims = sd.issuer_jwt.payload.clone();
        claims.remove("_sd");
        claims.remove("_sd_alg");
        for d in &sd.disclosures {
            if let Some(name) = &d.name {
                claims.insert(name.clone(), d.value.clone());
            }
        }
        Processed { claims, disclosed: Vec::new(), embedded_digests: 0 }
    } else {
        match sd.process() {
            Ok(p) => p,
            Err(SdJwtError::UnreferencedDisclosure { digest }) if !checks.unreferenced_refused => {
                let alg = sd.hash_alg().map_err(|e| e.to_string())?;
                sd.disclosures.retain(|d| alg.digest(&d.encoded) != digest);
                sd.process().map_err(|e| e.to_string())?
            }
            Err(e) => return Err(format!("disclosures: {e}")),
        }
    };
    let claims = processed.claims;
    // Key binding (RFC 9901 §7.3).
    if e.query.require_holder_binding {
        let kb = checks.kb;
        match verify_key_binding(sd, e.nonce, e.aud, e.now, e.skew) {
            Ok(()) => {}
            Err(KbError::Missing) if !kb.required => {}
            Err(KbError::Nonce(_)) if !kb.nonce => {}
            Err(KbError::Audience(_)) if !kb.aud => {}
            Err(KbError::Iat { .. }) if !kb.iat => {}
            Err(KbError::SdHash { .. }) if !kb.sd_hash => {}
            Err(KbError::Signature(_)) if !kb.signature => {}
            Err(err) => return Err(format!("key binding: {err}")),
        }
    }
    // The type asked for, and every requested claim (OpenID4VP §6.4).
    let vct = claims.get("vct").and_then(Value::as_str).unwrap_or_default().to_string();
    if let Some(values) = &e.query.vct_values
        && !values.contains(&vct)
        && checks.vct
    {
        return Err(format!("vct {vct:?} is not one of {values:?}"));
    }
    if !e.query.matches(&claims) && checks.requested_claims && checks.vct {
        return Err("the presentation does not disclose every requested claim".into());
    }
    // Validity period (SD-JWT VC §2.2.2.3).
    let time = |name: &str| claims.get(name).and_then(Value::as_i64);
    if let Some(exp) = time("exp")
        && exp <= e.now
        && checks.expiry
    {
        return Err(format!("the credential expired at {exp}"));
    }
    if let Some(nbf) = time("nbf")
        && nbf > e.now + e.skew
        && checks.not_before
    {
        return Err(format!("the credential is not valid before {nbf}"));
    }
    Ok(claims)
}
