//! SD-JWT VC rules (draft-ietf-oauth-sd-jwt-vc over RFC 9901). Each takes the parsed credential and
//! what the judging party knows, and says pass or fail with expected and observed.

use dialtone_engine::model::Outcome;
use dialtone_protocols::b64;
use dialtone_protocols::jose::{is_asymmetric_alg, thumbprint};
use dialtone_protocols::public_key::{KeySet, SetKey};
use dialtone_protocols::sd_jwt_vc::verify::SignatureError;
use dialtone_protocols::sd_jwt_vc::{NEVER_DISCLOSABLE, TYP};
use dialtone_protocols::sdjwt::{SdJwt, SdJwtError};
use serde_json::Value;

/// Clock skew tolerated on `iat` and `nbf`, in seconds.
pub(crate) const CLOCK_SKEW: i64 = 300;

/// What the judging party knows besides the credential.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub expected_iss: Option<String>,
    pub expected_vct: Option<String>,
    /// The issuer's published JWK Set.
    pub jwks: Option<Value>,
    /// The key the credential must be bound to.
    pub holder_jwk: Option<Value>,
    /// Claims (dotted paths) that must be selectively disclosable.
    pub sd_claims: Vec<String>,
    /// `credential_signing_alg_values_supported` for this configuration.
    pub advertised_algs: Option<Vec<String>>,
    /// Roots (DER) an `x5c` chain must lead to (SD-JWT VC §2.5, Inline X.509 Certificates).
    pub x5c_roots: Vec<Vec<u8>>,
    pub now: i64,
}

/// Parses an issued SD-JWT (no key binding expected): the last '~'-separated part must be empty.
pub fn parse_issued(text: &str) -> Result<SdJwt, Outcome> {
    let expected = "an SD-JWT: <issuer-signed JWT>~<disclosure>~…~ ending with '~' (RFC 9901 §4)";
    let sd = SdJwt::parse(text).map_err(|e| Outcome::fail(expected, e.to_string()))?;
    if sd.kb_jwt.is_some() {
        return Err(Outcome::fail(
            expected,
            "the last '~'-separated component is not empty (a key binding JWT where none belongs, or a missing final '~')",
        ));
    }
    Ok(sd)
}

pub fn structure(text: &str) -> Outcome {
    match parse_issued(text) {
        Ok(sd) => {
            Outcome::pass(format!("issuer-signed JWT and {} disclosures, trailing '~' present", sd.disclosures.len()))
        }
        Err(o) => o,
    }
}

pub fn typ(sd: &SdJwt) -> Outcome {
    match sd.issuer_jwt.typ() {
        Some(t) if t == TYP => Outcome::pass(format!("typ {t:?}")),
        other => Outcome::fail(format!("typ {TYP:?}"), format!("typ {other:?}")),
    }
}

/// The Issuer-signed JWT's signature, by the key discovery mechanism the credential uses (SD-JWT VC
/// §2.5): the `x5c` header (the end-entity certificate's key, its chain to a trusted root, `iss`
/// naming the certificate's subject), else the issuer's published JWK Set (JWT VC Issuer Metadata).
pub fn signature(sd: &SdJwt, ctx: &Context) -> Outcome {
    use dialtone_protocols::sd_jwt_vc::verify::{KeySource, issuer_signature};
    let verified = issuer_signature(&sd.issuer_jwt, ctx.jwks.as_ref(), &ctx.x5c_roots, ctx.now);
    signature_outcome(
        sd,
        verified.map(|key| {
            let print = key.thumbprint();
            match key.via {
                KeySource::Published => (print, None),
                KeySource::X5c { chain } => (print, Some(chain)),
            }
        }),
    )
}

/// [`signature`] with the issuer's keys read once (`dialtone check`): the outcome, and the key that
/// verified when one of `keys` did (not an `x5c` certificate's).
pub(crate) fn signature_with<'k>(
    sd: &SdJwt,
    keys: &'k KeySet,
    x5c_roots: &[Vec<u8>],
    now: i64,
) -> (Outcome, Option<&'k SetKey>) {
    use dialtone_protocols::sd_jwt_vc::verify::{KeySource, issuer_signature, published_signature};
    if sd.issuer_jwt.header.contains_key("x5c") {
        let verified = issuer_signature(&sd.issuer_jwt, None, x5c_roots, now).map(|key| {
            let chain = match key.via {
                KeySource::X5c { chain } => Some(chain),
                KeySource::Published => None,
            };
            (key.thumbprint(), chain)
        });
        return (signature_outcome(sd, verified), None);
    }
    match published_signature(&sd.issuer_jwt, keys) {
        Ok(key) => (signature_outcome(sd, Ok((key.thumbprint.clone(), None))), Some(key)),
        Err(e) => (signature_outcome(sd, Err(e)), None),
    }
}

/// What [`signature`] says of a verification: the key's thumbprint and, for an `x5c` key, the
/// length of its chain.
fn signature_outcome(sd: &SdJwt, verified: Result<(String, Option<usize>), SignatureError>) -> Outcome {
    use dialtone_protocols::sd_jwt_vc::X5cError;
    let alg = sd.issuer_jwt.alg().unwrap_or_default();
    match verified {
        Ok((print, None)) => Outcome::pass(format!("{alg} signature verifies with published key {print}")),
        Ok((print, Some(chain))) => Outcome::pass(format!(
            "{alg} signature verifies with the x5c end-entity key {print}; the chain of {chain} leads to a trusted root"
        )),
        Err(SignatureError::NoKeys) => Outcome::fail("the issuer's published JWK Set", "no keys array"),
        Err(e @ SignatureError::NoKidMatch { .. }) => Outcome::fail(
            format!("a published key with kid {:?}", sd.issuer_jwt.header.get("kid").and_then(Value::as_str)),
            e.to_string(),
        ),
        Err(SignatureError::Invalid(e)) => {
            Outcome::fail("a signature that verifies with a key the issuer publishes", e)
        }
        Err(SignatureError::X5c(X5cError::NoRoots)) => Outcome::fail(
            "an x5c chain validated to a trusted root (SD-JWT VC §2.5); the manifest names none ([issuer] x5c_ca_file)",
            "no root to validate the chain against",
        ),
        Err(SignatureError::X5c(e)) => Outcome::fail(
            "a signature and x5c chain that verify (SD-JWT VC §2.5, Inline X.509 Certificates)",
            e.to_string(),
        ),
    }
}

pub fn alg_advertised(sd: &SdJwt, ctx: &Context) -> Outcome {
    let alg = sd.issuer_jwt.alg().unwrap_or("<absent>");
    if !is_asymmetric_alg(alg) {
        return Outcome::fail("an asymmetric signature algorithm", format!("alg {alg:?}"));
    }
    match &ctx.advertised_algs {
        Some(list) if list.iter().any(|a| a == alg) => Outcome::pass(format!("alg {alg} is listed in {list:?}")),
        Some(list) => Outcome::fail(
            format!("alg listed in credential_signing_alg_values_supported {list:?}"),
            format!("alg {alg}"),
        ),
        None => Outcome::pass(format!("alg {alg}; the configuration lists no signing algorithms")),
    }
}

fn claim<'a>(sd: &'a SdJwt, name: &str) -> Option<&'a Value> {
    sd.issuer_jwt.payload.get(name)
}

pub fn iss(sd: &SdJwt, ctx: &Context) -> Outcome {
    let observed = claim(sd, "iss");
    match (observed.and_then(Value::as_str), &ctx.expected_iss) {
        (Some(i), Some(expected)) if i == expected => Outcome::pass(format!("iss {i:?}")),
        (_, Some(expected)) => Outcome::fail(
            format!("iss identical to {expected:?} (simple string comparison)"),
            format!("iss {observed:?}"),
        ),
        (Some(i), None) => Outcome::pass(format!("iss {i:?} (no expected issuer given)")),
        (None, None) => Outcome::fail("an iss claim", "absent"),
    }
}

pub fn vct(sd: &SdJwt, ctx: &Context) -> Outcome {
    let observed = claim(sd, "vct").and_then(Value::as_str);
    match (observed, &ctx.expected_vct) {
        (Some(v), Some(expected)) if v == expected => Outcome::pass(format!("vct {v:?}")),
        (_, Some(expected)) => {
            Outcome::fail(format!("vct {expected:?} as the configuration says"), format!("vct {observed:?}"))
        }
        (Some(v), None) => Outcome::pass(format!("vct {v:?}")),
        (None, None) => Outcome::fail("a vct string claim (SD-JWT VC §2.2.2.1)", "absent"),
    }
}

/// `iat`, `nbf`, `exp` are numbers, consistent with each other and with `now`.
pub fn validity(sd: &SdJwt, ctx: &Context) -> Outcome {
    let num = |name: &str| -> Result<Option<i64>, Outcome> {
        match claim(sd, name) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| Outcome::fail(format!("{name} as a NumericDate"), format!("{name} = {v}"))),
        }
    };
    let (iat, nbf, exp) = match (num("iat"), num("nbf"), num("exp")) {
        (Ok(a), Ok(b), Ok(c)) => (a, b, c),
        (Err(o), _, _) | (_, Err(o), _) | (_, _, Err(o)) => return o,
    };
    let now = ctx.now;
    let observed = format!("iat={iat:?} nbf={nbf:?} exp={exp:?} now={now}");
    if let Some(iat) = iat
        && iat > now + CLOCK_SKEW
    {
        return Outcome::fail("iat not in the future", observed);
    }
    if let Some(nbf) = nbf
        && nbf > now + CLOCK_SKEW
    {
        return Outcome::fail("a credential valid now (nbf not in the future)", observed);
    }
    if let Some(exp) = exp {
        if exp <= now {
            return Outcome::fail("a credential that has not expired (exp in the future)", observed);
        }
        if iat.is_some_and(|iat| exp <= iat) || nbf.is_some_and(|nbf| exp <= nbf) {
            return Outcome::fail("exp later than iat and nbf", observed);
        }
    }
    Outcome::pass(observed)
}

pub fn exp_present(sd: &SdJwt) -> Outcome {
    match claim(sd, "exp") {
        Some(v) if v.is_i64() => Outcome::pass(format!("exp = {v}")),
        other => Outcome::fail("an exp claim giving the end of the validity period", format!("exp {other:?}")),
    }
}

pub fn cnf(sd: &SdJwt, ctx: &Context) -> Outcome {
    let Some(expected) = &ctx.holder_jwk else {
        return Outcome::skip("no holder key known to compare with");
    };
    let observed = claim(sd, "cnf").and_then(|c| c.get("jwk"));
    match observed {
        Some(jwk) if thumbprint(jwk).is_some() && thumbprint(jwk) == thumbprint(expected) => {
            Outcome::pass(format!("cnf.jwk thumbprint {} equals the proof key's", thumbprint(jwk).unwrap_or_default()))
        }
        Some(jwk) => Outcome::fail(
            format!("cnf.jwk equal to the proof key (thumbprint {})", thumbprint(expected).unwrap_or_default()),
            format!("cnf.jwk thumbprint {}", thumbprint(jwk).unwrap_or_else(|| "unreadable".into())),
        ),
        None => Outcome::fail("a cnf claim with the holder's jwk", "no cnf.jwk"),
    }
}

pub fn disclosures(sd: &SdJwt) -> Outcome {
    match sd.process() {
        Ok(p) => Outcome::pass(format!(
            "{} disclosures, each matching one of {} embedded digests ({} decoys)",
            sd.disclosures.len(),
            p.embedded_digests,
            p.embedded_digests.saturating_sub(sd.disclosures.len())
        )),
        Err(e @ SdJwtError::UnreferencedDisclosure { .. }) => {
            Outcome::fail("every disclosure's digest embedded in the issuer-signed JWT", e.to_string())
        }
        Err(e) => Outcome::fail("disclosures and digests that process per RFC 9901 §7.1", e.to_string()),
    }
}

pub fn sd_claims_not_in_clear(sd: &SdJwt, ctx: &Context) -> Outcome {
    if ctx.sd_claims.is_empty() {
        return Outcome::skip("the conformance statement names no claims that must be selectively disclosable");
    }
    let processed = match sd.process() {
        Ok(p) => p,
        Err(e) => return Outcome::fail("an SD-JWT that processes (RFC 9901 §7.1)", e.to_string()),
    };
    let mut in_clear = Vec::new();
    let mut missing = Vec::new();
    for name in &ctx.sd_claims {
        let path: Vec<&str> = name.split('.').collect();
        let present = v_get(&processed.claims, &path).is_some();
        if !present {
            missing.push(name.clone());
        } else if !processed.is_disclosed(&path) {
            in_clear.push(name.clone());
        }
    }
    if !in_clear.is_empty() {
        return Outcome::fail(
            format!("{:?} only in disclosures", ctx.sd_claims),
            format!("in clear in the issuer-signed JWT: {in_clear:?}"),
        );
    }
    Outcome::pass(format!("selectively disclosable: {:?}; not issued: {missing:?}", ctx.sd_claims))
}

fn v_get<'a>(claims: &'a serde_json::Map<String, Value>, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut value = claims.get(*first)?;
    for p in rest {
        value = value.get(*p)?;
    }
    Some(value)
}

pub fn registered_claims_not_disclosable(sd: &SdJwt) -> Outcome {
    let processed = match sd.process() {
        Ok(p) => p,
        Err(e) => return Outcome::fail("an SD-JWT that processes (RFC 9901 §7.1)", e.to_string()),
    };
    let hidden: Vec<&str> = NEVER_DISCLOSABLE.iter().copied().filter(|c| processed.is_disclosed(&[c])).collect();
    if hidden.is_empty() {
        Outcome::pass(format!("none of {NEVER_DISCLOSABLE:?} is selectively disclosable"))
    } else {
        Outcome::fail(format!("{NEVER_DISCLOSABLE:?} in clear"), format!("selectively disclosable: {hidden:?}"))
    }
}

pub fn salt_entropy(sd: &SdJwt) -> Outcome {
    let weak: Vec<&str> = sd
        .disclosures
        .iter()
        .map(|d| d.salt.as_str())
        .filter(|s| match b64::decode(s) {
            Ok(bytes) => bytes.len() < 16,
            Err(_) => s.len() < 22,
        })
        .collect();
    if weak.is_empty() {
        Outcome::pass(format!("{} salts, each of at least 128 bits", sd.disclosures.len()))
    } else {
        Outcome::fail(
            "salts of at least 128 bits (RFC 9901 §9.3)",
            format!("{} short salts, e.g. {:?}", weak.len(), weak[0]),
        )
    }
}

/// The processed claims satisfy the credential profile of the `vct` (`suites/profiles/`); a `vct`
/// no profile names skips.
pub fn profile(sd: &SdJwt, profiles: &crate::Profiles) -> Outcome {
    let vct = claim(sd, "vct").and_then(Value::as_str).unwrap_or("<absent>");
    let Some(p) = profiles.by_vct(vct) else {
        return Outcome::skip(format!("no credential profile has vct {vct:?} (suites/profiles/ or --profiles)"));
    };
    match sd.process() {
        Ok(processed) => {
            let problems = p.problems(&Value::Object(processed.claims));
            if problems.is_empty() {
                Outcome::pass(format!("the disclosed claims satisfy profile {:?}", p.id))
            } else {
                Outcome::fail(format!("claims satisfying profile {:?}", p.id), problems.join("; "))
            }
        }
        Err(e) => Outcome::fail("an SD-JWT that processes (RFC 9901 §7.1)", e.to_string()),
    }
}
