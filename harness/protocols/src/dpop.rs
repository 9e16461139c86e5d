//! OAuth 2.0 Demonstrating Proof of Possession (DPoP, RFC 9449): the proof JWT (§4.2) — built as a
//! client does, correct or with the one deviation a test needs — and checked as a server does
//! (§4.3), with the server's nonces (§8, §9) and a `jti` replay window (§11.1). The names of the
//! DPoP header parameters, claims, HTTP fields, token type and error codes are spelled here.

use crate::b64;
use crate::jose::{CompactJws, EcKey, JoseError, is_asymmetric_alg, thumbprint};
use crate::seed::Entropy;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;

/// §4.2: the proof JWT's `typ`.
pub const TYP: &str = "dpop+jwt";
/// §4.1: the request header that carries the proof.
pub const HEADER: &str = "DPoP";
/// §8.1, §9: the response header that carries a server nonce.
pub const NONCE_HEADER: &str = "DPoP-Nonce";
/// §7.1: the authentication scheme of a DPoP-bound access token, and §5 its `token_type`.
pub const SCHEME: &str = "DPoP";
/// §8, §9: the server demands a nonce in the proof.
pub const USE_DPOP_NONCE: &str = "use_dpop_nonce";
/// §5, §7.1: the proof is invalid.
pub const INVALID_DPOP_PROOF: &str = "invalid_dpop_proof";
/// The algorithms dialtone signs and checks DPoP proofs with.
pub const ALGS: &[&str] = &["ES256"];

/// Seconds a proof's `iat` may lie in the future (clock skew), and in the past (§11.1).
pub const IAT_FUTURE: i64 = 60;
pub const IAT_PAST: i64 = 300;
/// Seconds a server nonce stays acceptable.
pub const NONCE_LIFETIME: i64 = 300;

/// The claims of a DPoP proof (§4.2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DpopClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub htm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub htu: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ath: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The JOSE header of a DPoP proof (§4.2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DpopHeader {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwk: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `ath` (§4.2): base64url(SHA-256(ASCII access token)).
pub fn ath(access_token: &str) -> String {
    b64::encode(Sha256::digest(access_token.as_bytes()))
}

/// The `htu` of a request URL (§4.2, §4.3): without query and fragment, with the scheme and host
/// lowercased and a default port dropped (RFC 3986 §6.2.2, §6.2.3), and an empty path as `/`.
pub fn htu(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let url = &url[..end];
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let scheme = scheme.to_ascii_lowercase();
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut authority = authority.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => ":443",
        "http" => ":80",
        _ => "",
    };
    if !default_port.is_empty()
        && let Some(stripped) = authority.strip_suffix(default_port)
    {
        authority = stripped.to_string();
    }
    format!("{scheme}://{authority}{path}")
}

/// How to build a DPoP proof. The default is correct: `typ` dpop+jwt, ES256 by the client's key
/// in `jwk`, a fresh `jti`, the request's method and URL, `iat` now, the latest server nonce, and
/// `ath` when an access token goes with it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DpopSpec {
    pub typ: String,
    /// `htm` other than the request's method, when given.
    pub htm: Option<String>,
    pub htu: HtuChoice,
    /// Seconds added to the current time for `iat`.
    pub iat_offset: i64,
    pub nonce: DpopNonce,
    pub ath: AthChoice,
    pub key: DpopKey,
}

impl Default for DpopSpec {
    fn default() -> Self {
        Self {
            typ: TYP.into(),
            htm: None,
            htu: HtuChoice::Request,
            iat_offset: 0,
            nonce: DpopNonce::Server,
            ath: AthChoice::Token,
            key: DpopKey::Client,
        }
    }
}

/// Which URL the proof names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HtuChoice {
    /// The request's URL without query and fragment (correct).
    Request,
    /// The request's URL with this path appended (another resource of the same server).
    Suffix(String),
}

/// Which nonce the proof carries.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DpopNonce {
    /// The latest nonce the server gave, none before it gave one (correct).
    Server,
    /// No `nonce` claim, whatever the server gave.
    Omit,
    /// A value the server never gave.
    Random,
}

/// What `ath` the proof carries when it goes with an access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AthChoice {
    /// The hash of the access token presented (correct).
    Token,
    /// No `ath` claim.
    Omit,
    /// The hash of another token.
    Other,
}

/// Which key signs the proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DpopKey {
    /// The client's key, in `jwk` (correct).
    Client,
    /// Another key, in `jwk` too: a proof that verifies, by a key the token is not bound to.
    Another,
    /// Another key than the one in `jwk`: a signature that does not verify.
    Mismatched,
}

/// What a proof is built for.
#[derive(Debug, Clone, Copy)]
pub struct DpopTarget<'a> {
    pub method: &'a str,
    pub url: &'a str,
    /// The latest nonce the server gave.
    pub nonce: Option<&'a str>,
    /// The access token the proof goes with (resource access, §7).
    pub access_token: Option<&'a str>,
}

/// Builds a DPoP proof by `key` as `spec` says.
pub fn build(key: &EcKey, spec: &DpopSpec, target: DpopTarget<'_>, entropy: &Entropy) -> String {
    let other = || EcKey::generate(entropy);
    let named = match spec.key {
        DpopKey::Client | DpopKey::Mismatched => key.clone(),
        DpopKey::Another => other(),
    };
    let header = DpopHeader { typ: Some(spec.typ.clone()), jwk: Some(named.public_jwk()), ..DpopHeader::default() };
    let htu = match &spec.htu {
        HtuChoice::Request => htu(target.url),
        HtuChoice::Suffix(path) => format!("{}{path}", htu(target.url)),
    };
    let nonce = match spec.nonce {
        DpopNonce::Server => target.nonce.map(str::to_string),
        DpopNonce::Omit => None,
        DpopNonce::Random => Some(entropy.token(16)),
    };
    let ath = match (spec.ath, target.access_token) {
        (AthChoice::Token, Some(token)) => Some(ath(token)),
        (AthChoice::Other, Some(token)) => Some(ath(&format!("{token}x"))),
        _ => None,
    };
    let claims = DpopClaims {
        jti: Some(entropy.token(16)),
        htm: Some(spec.htm.clone().unwrap_or_else(|| target.method.to_string())),
        htu: Some(htu),
        iat: Some(Value::from(crate::now_epoch() + spec.iat_offset)),
        nonce,
        ath,
        extra: Map::new(),
    };
    let (header, claims) = (to_json(&header), to_json(&claims));
    match spec.key {
        DpopKey::Client | DpopKey::Another => named.sign_jws(&header, &claims),
        DpopKey::Mismatched => other().sign_jws(&header, &claims),
    }
}

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// What a server checks of a proof beyond its form, signature and key; all of it unless a test
/// server is told otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DpopChecks {
    pub signature: bool,
    pub htm: bool,
    pub htu: bool,
    pub iat: bool,
    pub ath: bool,
}

impl Default for DpopChecks {
    fn default() -> Self {
        Self { signature: true, htm: true, htu: true, iat: true, ath: true }
    }
}

/// The request a proof came with.
#[derive(Debug, Clone, Copy)]
pub struct DpopRequest<'a> {
    pub method: &'a str,
    pub url: &'a str,
    /// The access token presented with it (resource access).
    pub access_token: Option<&'a str>,
    pub now: i64,
}

/// Why a proof is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DpopError {
    /// §4.3: not a valid proof (`invalid_dpop_proof`).
    #[error("{0}")]
    Invalid(String),
    /// §8, §9: the proof lacks a current server nonce (`use_dpop_nonce`).
    #[error("{0}")]
    NonceNeeded(String),
}

impl DpopError {
    /// The OAuth error code (§5, §7.1, §8).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => INVALID_DPOP_PROOF,
            Self::NonceNeeded(_) => USE_DPOP_NONCE,
        }
    }
}

/// A proof that passed the checks.
#[derive(Debug, Clone)]
pub struct CheckedDpop {
    /// The JWK thumbprint (RFC 7638) of its key: what a token is bound to (§6.1 `cnf.jkt`).
    pub jkt: String,
    pub claims: DpopClaims,
}

/// Checks the values of the `DPoP` request header (§4.3 steps 1–9, 11, and `ath` of 12); the nonce
/// (step 10) and `jti` replay are the server's state, [`DpopServer::check`] adds them.
pub fn verify(values: &[&str], request: DpopRequest<'_>, checks: DpopChecks) -> Result<CheckedDpop, DpopError> {
    let invalid = |why: String| DpopError::Invalid(why);
    let text = match values {
        [one] => *one,
        [] => return Err(invalid("no DPoP header".into())),
        _ => return Err(invalid("more than one DPoP header (§4.3 step 1)".into())),
    };
    let jws = CompactJws::parse(text).map_err(|e| invalid(format!("the DPoP proof is not a JWS: {e}")))?;
    let header: DpopHeader = serde_json::from_value(Value::Object(jws.header.clone()))
        .map_err(|e| invalid(format!("the DPoP proof header: {e}")))?;
    let claims: DpopClaims = serde_json::from_value(Value::Object(jws.payload.clone()))
        .map_err(|e| invalid(format!("the DPoP proof claims: {e}")))?;
    if header.typ.as_deref() != Some(TYP) {
        return Err(invalid(format!("typ must be {TYP}")));
    }
    let alg = header.alg.as_deref().unwrap_or_default();
    if !is_asymmetric_alg(alg) || !ALGS.contains(&alg) {
        return Err(invalid(format!("alg must be one of {ALGS:?}")));
    }
    let jwk = header.jwk.as_ref().ok_or_else(|| invalid("no jwk in the DPoP proof header".into()))?;
    if ["d", "p", "q", "dp", "dq", "qi", "k"].iter().any(|m| jwk.get(m).is_some()) {
        return Err(invalid("the DPoP proof's jwk contains a private key".into()));
    }
    if checks.signature {
        jws.verify_with_jwk(jwk).map_err(|e: JoseError| invalid(format!("DPoP proof signature: {e}")))?;
    }
    let jkt = thumbprint(jwk).ok_or_else(|| invalid("the DPoP proof's jwk has no thumbprint".into()))?;
    let (Some(_), Some(htm), Some(htu_claim), Some(iat)) =
        (claims.jti.as_deref(), claims.htm.as_deref(), claims.htu.as_deref(), claims.iat.as_ref())
    else {
        return Err(invalid("jti, htm, htu and iat are required".into()));
    };
    if checks.htm && htm != request.method {
        return Err(invalid(format!("htm {htm:?} is not the request's method {:?}", request.method)));
    }
    if checks.htu && htu(htu_claim) != htu(request.url) {
        return Err(invalid(format!("htu {htu_claim:?} is not the request's URL {:?}", htu(request.url))));
    }
    let iat = iat.as_i64().ok_or_else(|| invalid("iat is not an integer".into()))?;
    if checks.iat && !(request.now - IAT_PAST..=request.now + IAT_FUTURE).contains(&iat) {
        return Err(invalid(format!("iat {iat} is outside [now-{IAT_PAST}s, now+{IAT_FUTURE}s]")));
    }
    if checks.ath
        && let Some(token) = request.access_token
        && claims.ath.as_deref() != Some(ath(token).as_str())
    {
        return Err(invalid("ath is missing or not the hash of the access token".into()));
    }
    Ok(CheckedDpop { jkt, claims })
}

/// A server's DPoP state: the nonces it gave (§8, §9) and the `jti`s it saw (§11.1).
#[derive(Default)]
pub struct DpopServer {
    nonces: Mutex<HashMap<String, i64>>,
    seen: Mutex<HashMap<String, i64>>,
}

/// What a server does beyond [`verify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DpopPolicy {
    pub checks: DpopChecks,
    /// A proof must carry a current nonce of this server.
    pub nonce_demanded: bool,
    /// A `jti` is accepted once within the window.
    pub jti_unique: bool,
}

impl Default for DpopPolicy {
    fn default() -> Self {
        Self { checks: DpopChecks::default(), nonce_demanded: true, jti_unique: true }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl DpopServer {
    /// A fresh nonce, for a `DPoP-Nonce` header.
    pub fn nonce(&self, entropy: &Entropy, now: i64) -> String {
        let nonce = entropy.token(16);
        let mut nonces = lock(&self.nonces);
        nonces.retain(|_, issued| now - *issued <= NONCE_LIFETIME);
        nonces.insert(nonce.clone(), now);
        nonce
    }

    /// Checks a request's proof as `policy` says (§4.3, §8, §11.1).
    pub fn check(
        &self,
        values: &[&str],
        request: DpopRequest<'_>,
        policy: DpopPolicy,
    ) -> Result<CheckedDpop, DpopError> {
        self.answer(values, request, policy, true)
    }

    /// What [`DpopServer::check`] answers, leaving the seen `jti`s as they are.
    pub fn judge(
        &self,
        values: &[&str],
        request: DpopRequest<'_>,
        policy: DpopPolicy,
    ) -> Result<CheckedDpop, DpopError> {
        self.answer(values, request, policy, false)
    }

    /// The answer to a proof; its `jti` noted as seen when `record`.
    fn answer(
        &self,
        values: &[&str],
        request: DpopRequest<'_>,
        policy: DpopPolicy,
        record: bool,
    ) -> Result<CheckedDpop, DpopError> {
        let checked = self.verify_with_nonce(values, request, policy)?;
        if policy.jti_unique {
            let jti = checked.claims.jti.as_deref().unwrap_or_default();
            let mut seen = lock(&self.seen);
            let current = |at: &i64| request.now - *at <= IAT_PAST + IAT_FUTURE;
            let replayed = seen.get(jti).is_some_and(current);
            if record {
                seen.retain(|_, at| current(at));
                seen.insert(jti.to_string(), request.now);
            }
            if replayed {
                return Err(DpopError::Invalid("the DPoP proof's jti was already used (§11.1)".into()));
            }
        }
        Ok(checked)
    }

    /// [`verify`], then the server nonce when the policy demands one.
    fn verify_with_nonce(
        &self,
        values: &[&str],
        request: DpopRequest<'_>,
        policy: DpopPolicy,
    ) -> Result<CheckedDpop, DpopError> {
        let checked = verify(values, request, policy.checks)?;
        if policy.nonce_demanded {
            let current = checked.claims.nonce.as_deref().is_some_and(|n| {
                lock(&self.nonces).get(n).is_some_and(|issued| request.now - *issued <= NONCE_LIFETIME)
            });
            if !current {
                return Err(DpopError::NonceNeeded("the DPoP proof must carry a current server nonce".into()));
            }
        }
        Ok(checked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://as.example/credential";

    fn target<'a>(nonce: Option<&'a str>) -> DpopTarget<'a> {
        DpopTarget { method: "POST", url: URL, nonce, access_token: Some("tok") }
    }

    fn request(now: i64) -> DpopRequest<'static> {
        DpopRequest { method: "POST", url: "https://AS.example:443/credential?x=1", access_token: Some("tok"), now }
    }

    #[test]
    fn htu_drops_query_fragment_and_default_port() {
        assert_eq!(htu("HTTPS://A.example:443/p?q=1#f"), "https://a.example/p");
        assert_eq!(htu("http://a.example:8080"), "http://a.example:8080/");
    }

    #[test]
    fn ath_is_the_rfc_9449_example() {
        // RFC 9449 §7.1, Figure 8 and 9.
        assert_eq!(ath("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"), "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
    }

    #[test]
    fn a_built_proof_checks_and_each_deviation_is_refused_for_its_reason() {
        let entropy = Entropy::seeded(7);
        let key = EcKey::generate(&entropy);
        let server = DpopServer::default();
        let now = crate::now_epoch();
        let nonce = server.nonce(&entropy, now);
        let check = |spec: &DpopSpec| {
            let proof = build(&key, spec, target(Some(&nonce)), &entropy);
            server.check(&[&proof], request(now), DpopPolicy::default())
        };
        let ok = check(&DpopSpec::default()).expect("a correct proof");
        assert_eq!(ok.jkt, key.thumbprint());
        let refused = |spec: DpopSpec, why: &str| {
            let e = check(&spec).unwrap_err();
            assert!(e.to_string().contains(why), "{spec:?}: {e}");
            e
        };
        refused(DpopSpec { htm: Some("GET".into()), ..DpopSpec::default() }, "htm");
        refused(DpopSpec { htu: HtuChoice::Suffix("/x".into()), ..DpopSpec::default() }, "htu");
        refused(DpopSpec { iat_offset: -600, ..DpopSpec::default() }, "iat");
        refused(DpopSpec { iat_offset: 600, ..DpopSpec::default() }, "iat");
        refused(DpopSpec { ath: AthChoice::Omit, ..DpopSpec::default() }, "ath");
        refused(DpopSpec { ath: AthChoice::Other, ..DpopSpec::default() }, "ath");
        refused(DpopSpec { typ: "JWT".into(), ..DpopSpec::default() }, "typ");
        refused(DpopSpec { key: DpopKey::Mismatched, ..DpopSpec::default() }, "signature");
        let e = refused(DpopSpec { nonce: DpopNonce::Omit, ..DpopSpec::default() }, "nonce");
        assert_eq!(e.code(), USE_DPOP_NONCE);
        assert_eq!(
            refused(DpopSpec { nonce: DpopNonce::Random, ..DpopSpec::default() }, "nonce").code(),
            USE_DPOP_NONCE
        );
        let another = check(&DpopSpec { key: DpopKey::Another, ..DpopSpec::default() }).expect("verifies");
        assert_ne!(another.jkt, key.thumbprint());
    }

    #[test]
    fn a_jti_is_accepted_once_and_one_header_only() {
        let entropy = Entropy::seeded(8);
        let key = EcKey::generate(&entropy);
        let server = DpopServer::default();
        let now = crate::now_epoch();
        let proof = build(&key, &DpopSpec::default(), target(None), &entropy);
        let policy = DpopPolicy { nonce_demanded: false, ..DpopPolicy::default() };
        server.check(&[&proof], request(now), policy).expect("first use");
        let again = server.check(&[&proof], request(now), policy).unwrap_err();
        assert!(again.to_string().contains("jti"), "{again}");
        let lax = DpopPolicy { jti_unique: false, ..policy };
        server.check(&[&proof], request(now), lax).expect("replay allowed when jti is not checked");
        assert_eq!(server.check(&[&proof, &proof], request(now), lax).unwrap_err().code(), INVALID_DPOP_PROOF);
        assert_eq!(server.check(&[], request(now), lax).unwrap_err().code(), INVALID_DPOP_PROOF);
    }

    #[test]
    fn specs_read_from_suite_parameters() {
        let spec: DpopSpec = toml::from_str("htm = \"GET\"\nhtu = { suffix = \"/x\" }\nnonce = \"omit\"").unwrap();
        assert_eq!(spec.htu, HtuChoice::Suffix("/x".into()));
        assert_eq!(spec.nonce, DpopNonce::Omit);
        assert!(toml::from_str::<DpopSpec>("htx = 1").is_err());
    }
}
