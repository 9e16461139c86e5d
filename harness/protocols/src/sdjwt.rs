//! SD-JWT (RFC 9901): the compact serialization, Disclosures, digests, decoys, and the verification
//! and processing algorithm of §7.1. Written from the RFC text and cross-checked against the
//! specification's own examples (see the tests).

use crate::b64;
use crate::jose::{CompactJws, JoseError, kind};
use crate::seed::Entropy;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::collections::{HashMap, HashSet};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SdJwtError {
    #[error("not an SD-JWT: no '~' separator (RFC 9901 §4)")]
    NoSeparator,
    #[error("disclosure {index} is empty (two '~' in a row)")]
    EmptyDisclosure { index: usize },
    #[error("issuer-signed JWT: {0}")]
    IssuerJwt(JoseError),
    #[error("key binding JWT: {0}")]
    KbJwt(JoseError),
    #[error("disclosure {index}: {detail}")]
    Disclosure { index: usize, detail: String },
    #[error("unsupported _sd_alg {0:?}")]
    HashAlgorithm(String),
    #[error("`_sd` must be an array of strings (RFC 9901 §4.2.4.1), found {0}")]
    SdNotArray(String),
    #[error("digest {0} appears more than once (RFC 9901 §7.1 step 4)")]
    DuplicateDigest(String),
    #[error(
        "disclosure for claim {name:?} collides with a claim already present at that level (RFC 9901 §7.1 step 3.3.2.3)"
    )]
    DuplicateClaim { name: String },
    #[error("disclosure {digest} has the wrong shape for where its digest is embedded: {detail}")]
    DisclosureShape { digest: String, detail: String },
    #[error("disclosure {digest} is referenced by no digest in the issuer-signed JWT (RFC 9901 §7.1 step 5)")]
    UnreferencedDisclosure { digest: String },
}

/// Hash algorithms from the IANA "Named Information Hash Algorithm" registry that dialtone accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlg {
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlg {
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha-256" => Some(Self::Sha256),
            "sha-384" => Some(Self::Sha384),
            "sha-512" => Some(Self::Sha512),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha-256",
            Self::Sha384 => "sha-384",
            Self::Sha512 => "sha-512",
        }
    }

    /// base64url(hash(ASCII bytes of `input`)), RFC 9901 §4.2.3.
    pub fn digest(self, input: &str) -> String {
        match self {
            Self::Sha256 => b64::encode(Sha256::digest(input.as_bytes())),
            Self::Sha384 => b64::encode(Sha384::digest(input.as_bytes())),
            Self::Sha512 => b64::encode(Sha512::digest(input.as_bytes())),
        }
    }
}

/// One decoded Disclosure.
#[derive(Debug, Clone, PartialEq)]
pub struct Disclosure {
    /// The base64url string exactly as received.
    pub encoded: String,
    pub salt: String,
    /// `Some` for an object property (three elements), `None` for an array element (two).
    pub name: Option<String>,
    pub value: Value,
}

impl Disclosure {
    pub fn decode(encoded: &str) -> Result<Self, String> {
        let bytes = b64::decode(encoded).map_err(|e| format!("not base64url: {e}"))?;
        let array = match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Array(array)) => array,
            Ok(other) => return Err(format!("not a JSON array but {}", kind(&other))),
            Err(e) => return Err(format!("not JSON: {e}")),
        };
        // The elements moved out of the array, not copied.
        let len = array.len();
        let mut elements = array.into_iter();
        let Some(Value::String(salt)) = elements.next() else {
            return Err("the salt (first element) is not a string".into());
        };
        match (len, elements.next(), elements.next()) {
            (2, Some(value), None) => Ok(Self { encoded: encoded.into(), salt, name: None, value }),
            (3, Some(Value::String(name)), Some(value)) => {
                Ok(Self { encoded: encoded.into(), salt, name: Some(name), value })
            }
            (3, _, _) => Err("the claim name (second element) is not a string".into()),
            (n, _, _) => Err(format!("array of {n} elements, expected 2 or 3")),
        }
    }

    /// Creates a Disclosure for an object property (`name` given) or an array element.
    pub fn new(salt: &str, name: Option<&str>, value: &Value) -> Self {
        let array = match name {
            Some(name) => json!([salt, name, value]),
            None => json!([salt, value]),
        };
        Self {
            encoded: b64::encode(array.to_string()),
            salt: salt.into(),
            name: name.map(str::to_string),
            value: value.clone(),
        }
    }
}

/// An SD-JWT or SD-JWT+KB split into its parts (RFC 9901 §4). Nothing is verified yet.
#[derive(Debug, Clone)]
pub struct SdJwt {
    pub issuer_jwt: CompactJws,
    pub issuer_jwt_text: String,
    pub disclosures: Vec<Disclosure>,
    pub kb_jwt: Option<CompactJws>,
    /// The SD-JWT part (everything up to and including the last '~'), the input of `sd_hash`.
    pub sd_jwt_text: String,
}

impl SdJwt {
    pub fn parse(text: &str) -> Result<Self, SdJwtError> {
        let last_tilde = text.rfind('~').ok_or(SdJwtError::NoSeparator)?;
        let (sd_part, kb_part) = (&text[..=last_tilde], &text[last_tilde + 1..]);
        let mut pieces = sd_part[..sd_part.len() - 1].split('~');
        let issuer_jwt_text = pieces.next().unwrap_or_default().to_string();
        let issuer_jwt = CompactJws::parse(&issuer_jwt_text).map_err(SdJwtError::IssuerJwt)?;
        let mut disclosures = Vec::new();
        for (index, piece) in pieces.enumerate() {
            if piece.is_empty() {
                return Err(SdJwtError::EmptyDisclosure { index });
            }
            let disclosure = Disclosure::decode(piece).map_err(|detail| SdJwtError::Disclosure { index, detail })?;
            disclosures.push(disclosure);
        }
        let kb_jwt =
            if kb_part.is_empty() { None } else { Some(CompactJws::parse(kb_part).map_err(SdJwtError::KbJwt)?) };
        Ok(Self { issuer_jwt, issuer_jwt_text, disclosures, kb_jwt, sd_jwt_text: sd_part.into() })
    }

    /// The hash algorithm named by `_sd_alg`, SHA-256 if absent (RFC 9901 §4.1.1).
    pub(crate) fn hash_alg(&self) -> Result<HashAlg, SdJwtError> {
        match self.issuer_jwt.payload.get("_sd_alg") {
            None => Ok(HashAlg::Sha256),
            Some(Value::String(name)) => {
                HashAlg::from_name(name).ok_or_else(|| SdJwtError::HashAlgorithm(name.clone()))
            }
            Some(other) => Err(SdJwtError::HashAlgorithm(other.to_string())),
        }
    }

    /// Runs step 3 to 5 of RFC 9901 §7.1 over the issuer-signed JWT's payload and the Disclosures.
    pub fn process(&self) -> Result<Processed, SdJwtError> {
        let alg = self.hash_alg()?;
        let by_digest: HashMap<String, &Disclosure> =
            self.disclosures.iter().map(|d| (alg.digest(&d.encoded), d)).collect();
        let mut state = ProcessState { by_digest: &by_digest, seen: HashSet::new(), disclosed: Vec::new() };
        let mut payload = Value::Object(self.issuer_jwt.payload.clone());
        state.walk(&mut payload, &mut Vec::new())?;
        for digest in by_digest.keys() {
            if !state.seen.contains(digest) {
                return Err(SdJwtError::UnreferencedDisclosure { digest: digest.clone() });
            }
        }
        let mut claims = match payload {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        claims.remove("_sd_alg");
        Ok(Processed { claims, disclosed: state.disclosed, embedded_digests: state.seen.len() })
    }
}

/// The Processed SD-JWT Payload and where each Disclosure landed.
#[derive(Debug, Clone, Default)]
pub struct Processed {
    pub claims: Map<String, Value>,
    /// For each disclosure used: the claim path (object keys, or array indices as strings) and the digest.
    pub disclosed: Vec<(Vec<String>, String)>,
    /// Number of digests embedded in the payload, decoys included.
    pub embedded_digests: usize,
}

impl Processed {
    /// Whether the claim at `path` was selectively disclosable (its value came from a Disclosure).
    pub fn is_disclosed(&self, path: &[&str]) -> bool {
        self.disclosed.iter().any(|(p, _)| p.iter().map(String::as_str).eq(path.iter().copied()))
    }
}

struct ProcessState<'a> {
    by_digest: &'a HashMap<String, &'a Disclosure>,
    seen: HashSet<String>,
    disclosed: Vec<(Vec<String>, String)>,
}

impl ProcessState<'_> {
    fn note_digest(&mut self, digest: &str) -> Result<(), SdJwtError> {
        if !self.seen.insert(digest.to_string()) {
            return Err(SdJwtError::DuplicateDigest(digest.to_string()));
        }
        Ok(())
    }

    fn walk(&mut self, value: &mut Value, path: &mut Vec<String>) -> Result<(), SdJwtError> {
        match value {
            Value::Object(map) => self.walk_object(map, path),
            Value::Array(items) => self.walk_array(items, path),
            _ => Ok(()),
        }
    }

    fn walk_object(&mut self, map: &mut Map<String, Value>, path: &mut Vec<String>) -> Result<(), SdJwtError> {
        let digests = match map.remove("_sd") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s),
                    other => Err(SdJwtError::SdNotArray(format!("an array holding {}", kind(&other)))),
                })
                .collect::<Result<Vec<_>, _>>()?,
            Some(other) => return Err(SdJwtError::SdNotArray(kind(&other).into())),
        };
        // Plain claims first (their own nested digests), then the disclosed ones.
        let keys: Vec<String> = map.keys().cloned().collect();
        for key in keys {
            if let Some(child) = map.get_mut(&key) {
                path.push(key.clone());
                let result = self.walk(child, path);
                path.pop();
                result?;
            }
        }
        for digest in digests {
            self.note_digest(&digest)?;
            let Some(disclosure) = self.by_digest.get(&digest).copied() else {
                continue;
            };
            let Some(name) = &disclosure.name else {
                return Err(SdJwtError::DisclosureShape {
                    digest,
                    detail: "an array-element disclosure is referenced from an `_sd` array".into(),
                });
            };
            if name == "_sd" || name == "..." {
                return Err(SdJwtError::DisclosureShape { digest, detail: format!("claim name {name:?} is reserved") });
            }
            if map.contains_key(name) {
                return Err(SdJwtError::DuplicateClaim { name: name.clone() });
            }
            let mut value = disclosure.value.clone();
            path.push(name.clone());
            let result = self.walk(&mut value, path);
            self.disclosed.push((path.clone(), digest));
            path.pop();
            result?;
            map.insert(name.clone(), value);
        }
        Ok(())
    }

    fn walk_array(&mut self, items: &mut Vec<Value>, path: &mut Vec<String>) -> Result<(), SdJwtError> {
        let mut out = Vec::with_capacity(items.len());
        for item in items.drain(..) {
            let digest = match &item {
                Value::Object(obj) if obj.len() == 1 => obj.get("...").and_then(Value::as_str).map(str::to_string),
                _ => None,
            };
            let index = out.len().to_string();
            match digest {
                Some(digest) => {
                    self.note_digest(&digest)?;
                    let Some(disclosure) = self.by_digest.get(&digest).copied() else {
                        continue;
                    };
                    if disclosure.name.is_some() {
                        return Err(SdJwtError::DisclosureShape {
                            digest,
                            detail: "an object-property disclosure is referenced from an array element".into(),
                        });
                    }
                    let mut value = disclosure.value.clone();
                    path.push(index);
                    let result = self.walk(&mut value, path);
                    self.disclosed.push((path.clone(), digest));
                    path.pop();
                    result?;
                    out.push(value);
                }
                None => {
                    let mut item = item;
                    path.push(index);
                    let result = self.walk(&mut item, path);
                    path.pop();
                    result?;
                    out.push(item);
                }
            }
        }
        *items = out;
        Ok(())
    }
}

/// What to make selectively disclosable when issuing: paths of object keys; a path whose last
/// element is `"*"` makes every element of that array selectively disclosable.
#[derive(Debug, Clone, Default)]
pub struct ConcealRules {
    pub paths: Vec<Vec<String>>,
    /// Decoy digests added to every `_sd` array that holds at least one real digest.
    pub decoys_per_object: usize,
    /// Salt length in random bytes (RFC 9901 §9.3 recommends 128 bits).
    pub salt_bytes: usize,
}

impl ConcealRules {
    pub fn new(paths: &[&[&str]]) -> Self {
        Self {
            paths: paths.iter().map(|p| p.iter().map(|s| s.to_string()).collect()).collect(),
            decoys_per_object: 1,
            salt_bytes: 16,
        }
    }

    fn conceals(&self, path: &[String]) -> bool {
        self.paths.iter().any(|p| p == path)
    }
}

/// The payload with digests in place of concealed claims, and the Disclosures, in creation order.
#[derive(Debug, Clone)]
pub struct Concealed {
    pub payload: Map<String, Value>,
    pub disclosures: Vec<Disclosure>,
}

/// Issuer side: replaces the claims `rules` names with digests (RFC 9901 §4.2), adds decoys, sorts
/// each `_sd` array so its order reveals nothing, and sets `_sd_alg`. The claims must not use the
/// reserved names `_sd` and `...` (§4.2.1); the reference issuer's never do.
pub fn conceal(claims: &Map<String, Value>, rules: &ConcealRules, alg: HashAlg, entropy: &Entropy) -> Concealed {
    let mut disclosures = Vec::new();
    let mut value = Value::Object(claims.clone());
    conceal_value(&mut value, &mut Vec::new(), rules, alg, entropy, &mut disclosures);
    let mut payload = match value {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    payload.insert("_sd_alg".into(), json!(alg.name()));
    Concealed { payload, disclosures }
}

fn conceal_value(
    value: &mut Value,
    path: &mut Vec<String>,
    rules: &ConcealRules,
    alg: HashAlg,
    entropy: &Entropy,
    out: &mut Vec<Disclosure>,
) {
    match value {
        Value::Object(map) => {
            let mut digests = Vec::new();
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                path.push(key.clone());
                if let Some(child) = map.get_mut(&key) {
                    conceal_value(child, path, rules, alg, entropy, out);
                }
                if rules.conceals(path)
                    && let Some(child) = map.remove(&key)
                {
                    let disclosure = Disclosure::new(&entropy.token(rules.salt_bytes), Some(&key), &child);
                    digests.push(alg.digest(&disclosure.encoded));
                    out.push(disclosure);
                }
                path.pop();
            }
            if !digests.is_empty() {
                for _ in 0..rules.decoys_per_object {
                    digests.push(alg.digest(&entropy.token(16)));
                }
                digests.sort();
                map.insert("_sd".into(), json!(digests));
            }
        }
        Value::Array(items) => {
            path.push("*".into());
            let all = rules.conceals(path);
            path.pop();
            for (index, item) in items.iter_mut().enumerate() {
                path.push(index.to_string());
                conceal_value(item, path, rules, alg, entropy, out);
                path.pop();
                if all {
                    let disclosure = Disclosure::new(&entropy.token(rules.salt_bytes), None, item);
                    *item = json!({ "...": alg.digest(&disclosure.encoded) });
                    out.push(disclosure);
                }
            }
        }
        _ => {}
    }
}

/// `sd_hash` of a presentation (RFC 9901 §4.3.1): the digest of the SD-JWT part, up to and
/// including the last '~', with the `_sd_alg` hash.
pub fn sd_hash(sd_jwt_text: &str, alg: HashAlg) -> String {
    alg.digest(sd_jwt_text)
}

/// Joins an issuer-signed JWT and Disclosures into the compact SD-JWT form (trailing '~').
pub fn serialize(issuer_jwt: &str, disclosures: &[Disclosure]) -> String {
    let mut text = String::with_capacity(issuer_jwt.len() + disclosures.len() * 64);
    text.push_str(issuer_jwt);
    text.push('~');
    for disclosure in disclosures {
        text.push_str(&disclosure.encoded);
        text.push('~');
    }
    text
}

/// `typ` of a Key Binding JWT (RFC 9901 §4.3).
pub(crate) const KB_TYP: &str = "kb+jwt";

/// Holder side: a presentation of `issued` with only the Disclosures that `keep` selects, and (when
/// `holder` is given) a Key Binding JWT over it (RFC 9901 §4.3, §7.2).
pub fn present(
    issued: &SdJwt,
    keep: &dyn Fn(&Disclosure) -> bool,
    holder: Option<(&crate::jose::EcKey, &str, &str, i64)>,
) -> Result<String, SdJwtError> {
    let selected: Vec<Disclosure> = issued.disclosures.iter().filter(|d| keep(d)).cloned().collect();
    let sd_part = serialize(&issued.issuer_jwt_text, &selected);
    match holder {
        None => Ok(sd_part),
        Some((key, nonce, aud, iat)) => {
            let alg = issued.hash_alg()?;
            let kb = key.sign_jws(
                &json!({ "typ": KB_TYP }),
                &json!({ "iat": iat, "aud": aud, "nonce": nonce, "sd_hash": sd_hash(&sd_part, alg) }),
            );
            Ok(format!("{sd_part}{kb}"))
        }
    }
}

/// The Disclosures a holder must send so that every claim at `paths` is disclosed: each claim's own
/// Disclosure, the Disclosures of the objects that contain it, and those nested under it.
pub fn disclosures_for(issued: &SdJwt, paths: &[Vec<String>]) -> Result<Vec<String>, SdJwtError> {
    let processed = issued.process()?;
    let alg = issued.hash_alg()?;
    let mut digests = Vec::new();
    for (path, digest) in &processed.disclosed {
        let wanted = paths.iter().any(|p| {
            let n = p.len().min(path.len());
            p[..n] == path[..n]
        });
        if wanted {
            digests.push(digest.clone());
        }
    }
    Ok(issued
        .disclosures
        .iter()
        .filter(|d| digests.contains(&alg.digest(&d.encoded)))
        .map(|d| d.encoded.clone())
        .collect())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KbError {
    #[error("no key binding JWT (the presentation ends with '~')")]
    Missing,
    #[error("KB-JWT typ is {0:?}, not \"kb+jwt\"")]
    Typ(Option<String>),
    #[error("the SD-JWT has no cnf.jwk to verify the KB-JWT with")]
    NoHolderKey,
    #[error("KB-JWT signature: {0}")]
    Signature(JoseError),
    #[error("KB-JWT nonce {0:?} is not the request's")]
    Nonce(Option<String>),
    #[error("KB-JWT aud {0:?} is not the verifier's client_id")]
    Audience(Option<String>),
    #[error("KB-JWT iat {iat:?} is not within {window} s of now ({now})")]
    Iat { iat: Option<i64>, now: i64, window: i64 },
    #[error("sd_hash {observed:?} does not match the presented SD-JWT ({expected})")]
    SdHash { observed: Option<String>, expected: String },
}

/// Verifier side: RFC 9901 §7.3 step 5 for a presentation that must carry key binding.
pub fn verify_key_binding(sd: &SdJwt, nonce: &str, aud: &str, now: i64, window: i64) -> Result<(), KbError> {
    verify_key_binding_with(sd, Some(nonce), Some(aud), now, window)
}

/// As [`verify_key_binding`]; `nonce` or `aud` `None` means the caller does not know them and they
/// are not compared (the rest — typ, signature by the cnf key, iat, sd_hash — is).
pub fn verify_key_binding_with(
    sd: &SdJwt,
    nonce: Option<&str>,
    aud: Option<&str>,
    now: i64,
    window: i64,
) -> Result<(), KbError> {
    let kb = sd.kb_jwt.as_ref().ok_or(KbError::Missing)?;
    if kb.typ() != Some(KB_TYP) {
        return Err(KbError::Typ(kb.typ().map(str::to_string)));
    }
    let jwk = sd.issuer_jwt.payload.get("cnf").and_then(|c| c.get("jwk")).ok_or(KbError::NoHolderKey)?;
    kb.verify_with_jwk(jwk).map_err(KbError::Signature)?;
    let text = |name: &str| kb.payload.get(name).and_then(Value::as_str).map(str::to_string);
    if let Some(nonce) = nonce
        && text("nonce").as_deref() != Some(nonce)
    {
        return Err(KbError::Nonce(text("nonce")));
    }
    if let Some(aud) = aud
        && text("aud").as_deref() != Some(aud)
    {
        return Err(KbError::Audience(text("aud")));
    }
    let iat = kb.payload.get("iat").and_then(Value::as_i64);
    if iat.is_none_or(|t| (t - now).abs() > window) {
        return Err(KbError::Iat { iat, now, window });
    }
    let alg = sd.hash_alg().unwrap_or(HashAlg::Sha256);
    let expected = sd_hash(&sd.sd_jwt_text, alg);
    if text("sd_hash").as_deref() != Some(expected.as_str()) {
        return Err(KbError::SdHash { observed: text("sd_hash"), expected });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Disclosure's parts, or what is wrong with it: salt first, then the number of elements,
    /// then the claim name.
    #[test]
    fn a_disclosure_decodes_to_its_parts_or_says_what_is_wrong() {
        let decode = |json: &str| Disclosure::decode(&b64::encode(json));
        let Ok(d) = decode(r#"["s", "address", {"locality": "Iqaluit"}]"#) else { panic!() };
        assert_eq!(
            (d.salt.as_str(), d.name.as_deref(), d.value),
            ("s", Some("address"), json!({"locality": "Iqaluit"}))
        );
        let Ok(d) = decode(r#"["s", [1, 2]]"#) else { panic!() };
        assert_eq!((d.salt.as_str(), d.name, d.value), ("s", None, json!([1, 2])));
        for (json, error) in [
            ("[]", "the salt (first element) is not a string"),
            ("[1, \"n\", 2]", "the salt (first element) is not a string"),
            ("[\"s\"]", "array of 1 elements, expected 2 or 3"),
            ("[\"s\", 1, 2, 3]", "array of 4 elements, expected 2 or 3"),
            ("[\"s\", 1, 2]", "the claim name (second element) is not a string"),
            ("{\"s\": 1}", "not a JSON array but object"),
        ] {
            assert_eq!(decode(json).err().as_deref(), Some(error), "{json}");
        }
    }

    #[test]
    fn rfc_example_disclosure_and_digest() {
        // RFC 9901 §4.2.1 and §4.2.3.
        let encoded = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0";
        let disclosure = Disclosure::decode(encoded).unwrap();
        assert_eq!(disclosure.name.as_deref(), Some("family_name"));
        assert_eq!(disclosure.value, json!("Möbius"));
        assert_eq!(HashAlg::Sha256.digest(encoded), "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0");
        // §4.2.2: array element disclosure.
        let element = Disclosure::decode("WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0").unwrap();
        assert_eq!(element.name, None);
        assert_eq!(element.value, json!("FR"));
        // §4.2.4.2 names this digest for it.
        assert_eq!(
            HashAlg::Sha256.digest("WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0"),
            "w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs"
        );
    }

    fn issue(claims: Value, rules: &ConcealRules) -> SdJwt {
        let entropy = Entropy::seeded(7);
        let key = crate::jose::EcKey::generate(&entropy);
        let claims = claims.as_object().unwrap().clone();
        let concealed = conceal(&claims, rules, HashAlg::Sha256, &entropy);
        let jwt = key.sign_jws(&json!({"typ": "dc+sd-jwt"}), &Value::Object(concealed.payload));
        SdJwt::parse(&serialize(&jwt, &concealed.disclosures)).unwrap()
    }

    #[test]
    fn conceal_then_process_restores_claims() {
        let claims = json!({
            "iss": "https://issuer.example",
            "given_name": "ᐊᓂᔅ", "family_name": "Nuʼukʼ",
            "address": {"locality": "Iqaluit", "region": "NU"},
            "nationalities": ["CA", "FR"],
        });
        let rules = ConcealRules::new(&[
            &["given_name"],
            &["family_name"],
            &["address", "locality"],
            &["address"],
            &["nationalities", "*"],
        ]);
        let sd = issue(claims.clone(), &rules);
        assert_eq!(sd.disclosures.len(), 6);
        assert!(!sd.issuer_jwt.payload.contains_key("given_name"));
        let processed = sd.process().unwrap();
        assert_eq!(Value::Object(processed.claims.clone()), claims);
        assert!(processed.is_disclosed(&["address", "locality"]));
        assert!(processed.is_disclosed(&["nationalities", "1"]));
        assert!(!processed.is_disclosed(&["iss"]));
    }

    #[test]
    fn unreferenced_and_duplicate_disclosures_are_rejected() {
        let rules = ConcealRules::new(&[&["given_name"]]);
        let sd = issue(json!({"given_name": "A", "x": 1}), &rules);
        let stray = Disclosure::new("salt-salt-salt-salt", Some("extra"), &json!(1));
        let text = format!("{}{}~", sd.sd_jwt_text, stray.encoded);
        let err = SdJwt::parse(&text).unwrap().process().unwrap_err();
        assert!(matches!(err, SdJwtError::UnreferencedDisclosure { .. }));
        // The same disclosure twice maps to one digest: referenced once, but sent twice.
        let twice = format!("{}{}~", sd.sd_jwt_text, sd.disclosures[0].encoded);
        assert_eq!(SdJwt::parse(&twice).unwrap().disclosures.len(), 2);
    }

    #[test]
    fn claim_collision_is_rejected() {
        let d = Disclosure::new("abcdefghijklmnopqrstuv", Some("x"), &json!(2));
        let payload = json!({"x": 1, "_sd": [HashAlg::Sha256.digest(&d.encoded)]});
        let key = crate::jose::EcKey::generate(&Entropy::seeded(1));
        let jwt = key.sign_jws(&json!({}), &payload);
        let sd = SdJwt::parse(&serialize(&jwt, &[d])).unwrap();
        assert_eq!(sd.process().unwrap_err(), SdJwtError::DuplicateClaim { name: "x".into() });
    }

    #[test]
    fn kb_jwt_and_missing_tilde() {
        assert_eq!(SdJwt::parse("a.b.c").unwrap_err(), SdJwtError::NoSeparator);
        let sd = issue(json!({"a": 1}), &ConcealRules::new(&[&["a"]]));
        let key = crate::jose::EcKey::generate(&Entropy::seeded(9));
        let kb = key.sign_jws(&json!({"typ": "kb+jwt"}), &json!({"nonce": "n"}));
        let parsed = SdJwt::parse(&format!("{}{}", sd.sd_jwt_text, kb)).unwrap();
        assert!(parsed.kb_jwt.is_some());
        assert_eq!(parsed.sd_jwt_text, sd.sd_jwt_text);
    }
}
