//! SD-JWT VC rules (draft-ietf-oauth-sd-jwt-vc over RFC 9901). Each takes the parsed credential and
//! what the judging party knows, and says pass or fail with expected and observed.

use dialtone_engine::model::Outcome;
use dialtone_protocols::b64;
use dialtone_protocols::jose::{is_asymmetric_alg, thumbprint};
use dialtone_protocols::public_key::{KeySet, SetKey};
use dialtone_protocols::sd_jwt_vc::verify::SignatureError;
use dialtone_protocols::sd_jwt_vc::{NEVER_DISCLOSABLE, TYP};
use dialtone_protocols::sdjwt::{Processed, SdJwt, SdJwtError};
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
        // SD-JWT VC §2.2.2.3: iss is OPTIONAL when the issuer is conveyed by other means, such as the
        // subject of the x5c end-entity certificate (§2.5).
        (None, None) if sd.issuer_jwt.header.contains_key("x5c") => {
            Outcome::pass("no iss: the issuer is the subject of the x5c end-entity certificate")
        }
        (None, None) => Outcome::fail("an iss claim, or an x5c header whose certificate names the issuer", "absent"),
    }
}

/// An absolute URI's shape (RFC 3986 §4.3): a scheme, a colon, something after it, and no whitespace.
pub(crate) fn is_uri(text: &str) -> bool {
    text.split_once(':').is_some_and(|(scheme, rest)| {
        !rest.is_empty()
            && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            && !text.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

/// A Collision-Resistant Name (RFC 7515 §2) as a credential type can carry one: a URI with a scheme
/// (domain names and URNs), an OID in dotted form, or a UUID. A bare word belongs to no namespace.
pub fn collision_resistant(name: &str) -> bool {
    let uri = is_uri(name);
    let oid = name.split('.').count() >= 2
        && name.split('.').all(|arc| !arc.is_empty() && arc.bytes().all(|b| b.is_ascii_digit()));
    let uuid = {
        let groups: Vec<&str> = name.split('-').collect();
        groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
            && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    uri || oid || uuid
}

pub fn vct(sd: &SdJwt, ctx: &Context) -> Outcome {
    let observed = claim(sd, "vct").and_then(Value::as_str);
    if let Some(v) = observed
        && !collision_resistant(v)
    {
        return Outcome::fail(
            "a vct that is a Collision-Resistant Name: a URI, an OID or a UUID (SD-JWT VC §2.2.2.1, RFC 7515 §2)",
            format!("vct {v:?}"),
        );
    }
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
    disclosures_of(sd, sd.process().as_ref())
}

/// [`disclosures`] of an SD-JWT processed once for all the rules that read it.
pub(crate) fn disclosures_of(sd: &SdJwt, processed: Result<&Processed, &SdJwtError>) -> Outcome {
    match processed {
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
        return sd_claims_not_in_clear_of(&Processed::default(), ctx);
    }
    match sd.process() {
        Ok(p) => sd_claims_not_in_clear_of(&p, ctx),
        Err(e) => Outcome::fail("an SD-JWT that processes (RFC 9901 §7.1)", e.to_string()),
    }
}

/// [`sd_claims_not_in_clear`] of an SD-JWT processed once for all the rules that read it.
pub(crate) fn sd_claims_not_in_clear_of(processed: &Processed, ctx: &Context) -> Outcome {
    if ctx.sd_claims.is_empty() {
        return Outcome::skip("the conformance statement names no claims that must be selectively disclosable");
    }
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
    match sd.process() {
        Ok(p) => registered_claims_not_disclosable_of(&p),
        Err(e) => Outcome::fail("an SD-JWT that processes (RFC 9901 §7.1)", e.to_string()),
    }
}

/// [`registered_claims_not_disclosable`] of an SD-JWT processed once for all the rules that read it.
pub(crate) fn registered_claims_not_disclosable_of(processed: &Processed) -> Outcome {
    // The claim itself or any of its sub-claims (SD-JWT VC §2.2.2.3).
    let hidden: Vec<String> = processed
        .disclosed
        .iter()
        .filter(|(path, _)| path.first().is_some_and(|c| NEVER_DISCLOSABLE.contains(&c.as_str())))
        .map(|(path, _)| path.join("."))
        .collect();
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
    profile_with(sd, profiles, || sd.process().map(|p| Value::Object(p.claims)))
}

/// [`profile`] with the processed claims from `claims`, asked for only when a profile judges them.
pub(crate) fn profile_with(
    sd: &SdJwt,
    profiles: &crate::Profiles,
    claims: impl FnOnce() -> Result<Value, SdJwtError>,
) -> Outcome {
    let vct = claim(sd, "vct").and_then(Value::as_str).unwrap_or("<absent>");
    let Some(p) = profiles.by_vct(vct) else {
        return Outcome::skip(format!("no credential profile has vct {vct:?} (suites/profiles/ or --profiles)"));
    };
    match claims() {
        Ok(claims) => {
            let problems = p.problems(&claims);
            if problems.is_empty() {
                Outcome::pass(format!("the disclosed claims satisfy profile {:?}", p.id))
            } else {
                Outcome::fail(format!("claims satisfying profile {:?}", p.id), problems.join("; "))
            }
        }
        Err(e) => Outcome::fail("an SD-JWT that processes (RFC 9901 §7.1)", e.to_string()),
    }
}

/// SDJWTVC-016: `aka_vcts`, when present, is a non-empty array of Collision-Resistant Names that
/// does not hold the `vct` (SD-JWT VC §2.2.2.2).
pub fn aka_vcts(sd: &SdJwt) -> Outcome {
    let Some(aka) = claim(sd, "aka_vcts") else {
        return Outcome::pass("no aka_vcts claim");
    };
    let expected =
        "aka_vcts: a non-empty array of Collision-Resistant Names, none of them the vct (SD-JWT VC §2.2.2.2)";
    let names: Option<Vec<&str>> =
        aka.as_array().filter(|a| !a.is_empty()).and_then(|a| a.iter().map(Value::as_str).collect());
    let Some(names) = names else {
        return Outcome::fail(expected, format!("aka_vcts = {aka}"));
    };
    if let Some(bad) = names.iter().find(|n| !collision_resistant(n)) {
        return Outcome::fail(expected, format!("{bad:?} is not a Collision-Resistant Name"));
    }
    let vct = claim(sd, "vct").and_then(Value::as_str);
    if let Some(v) = vct.filter(|v| names.contains(v)) {
        return Outcome::fail(expected, format!("aka_vcts holds the vct {v:?}"));
    }
    Outcome::pass(format!("aka_vcts {names:?}"))
}

/// SDJWTVC-017: `vct#integrity`, when present, is W3C SRI integrity metadata: hash expressions
/// `sha256-`, `sha384-` or `sha512-` followed by the base64 digest of that length (SD-JWT VC §6).
pub fn vct_integrity(sd: &SdJwt) -> Outcome {
    let Some(value) = claim(sd, "vct#integrity") else {
        return Outcome::pass("no vct#integrity claim");
    };
    let expected =
        "vct#integrity as integrity metadata: sha256-, sha384- or sha512- and the base64 digest (W3C SRI §3.5)";
    let Some(text) = value.as_str().filter(|t| !t.trim().is_empty()) else {
        return Outcome::fail(expected, format!("vct#integrity = {value}"));
    };
    for expression in text.split_whitespace() {
        let hash = expression.split('?').next().unwrap_or_default();
        let ok = hash.split_once('-').is_some_and(|(alg, digest)| {
            let len = match alg {
                "sha256" => 32,
                "sha384" => 48,
                "sha512" => 64,
                _ => return false,
            };
            b64::decode_std_any(digest).is_ok_and(|d| d.len() == len)
                && digest.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
        });
        if !ok {
            return Outcome::fail(expected, format!("hash expression {expression:?}"));
        }
    }
    Outcome::pass(format!("vct#integrity {text:?}"))
}

/// SDJWTVC-018: an SD-JWT VC without selectively disclosable claims (no digest anywhere, no
/// Disclosure) has no `_sd` claim (SD-JWT VC §2.2.2.5).
pub fn no_empty_sd(sd: &SdJwt) -> Outcome {
    fn digests(value: &Value) -> bool {
        match value {
            Value::Object(map) => object_digests(map),
            Value::Array(items) => items.iter().any(digests),
            _ => false,
        }
    }
    fn object_digests(map: &serde_json::Map<String, Value>) -> bool {
        map.get("_sd").and_then(Value::as_array).is_some_and(|a| !a.is_empty())
            || (map.len() == 1 && map.contains_key("..."))
            || map.values().any(digests)
    }
    let selective = !sd.disclosures.is_empty() || object_digests(&sd.issuer_jwt.payload);
    match (selective, claim(sd, "_sd")) {
        (true, _) => Outcome::pass("selectively disclosable claims (digests in the payload)"),
        (false, None) => Outcome::pass("no selectively disclosable claims and no _sd claim"),
        (false, Some(v)) => Outcome::fail(
            "no _sd claim in an SD-JWT VC without selectively disclosable claims (SD-JWT VC §2.2.2.5)",
            format!("_sd = {v} with no digest anywhere and no Disclosure"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dialtone_protocols::jose::EcKey;
    use dialtone_protocols::seed::Entropy;
    use serde_json::json;

    fn sd(header: Value, payload: Value) -> SdJwt {
        let jwt = EcKey::generate(&Entropy::seeded(2)).sign_jws(&header, &payload);
        SdJwt::parse(&format!("{jwt}~")).unwrap()
    }

    #[test]
    fn iss_may_be_conveyed_by_the_x5c_certificate_instead() {
        let ctx = Context::default();
        let x5c = sd(json!({"typ": TYP, "x5c": ["MIIB"]}), json!({"vct": "urn:example:1"}));
        assert!(matches!(iss(&x5c, &ctx), Outcome::Pass { .. }));
        let neither = sd(json!({"typ": TYP}), json!({"vct": "urn:example:1"}));
        assert!(matches!(iss(&neither, &ctx), Outcome::Fail { .. }));
    }

    #[test]
    fn collision_resistant_names() {
        for ok in [
            "urn:eudi:pid:1",
            "https://credentials.example.com/identity_credential",
            "1.2.840.113549",
            "0c07c1ce-57cb-41af-bef2-1b932b986873",
        ] {
            assert!(collision_resistant(ok), "{ok}");
        }
        for bad in ["IdentityCredential", "", "pid 1", "1", ":x"] {
            assert!(!collision_resistant(bad), "{bad}");
        }
    }
}
