//! The issuing core of the reference issuer: its keys, its status list, and minting SD-JWT VCs from
//! a [`MintSpec`]. The reference issuer mints correct credentials; the harness, as the issuer
//! counterpart of a verifier under test, mints deliberately faulty ones with the same keys.

use dialtone_protocols::jose::EcKey;
use dialtone_protocols::sd_jwt_vc;
use dialtone_protocols::sdjwt::{self, ConcealRules, HashAlg};
use dialtone_protocols::seed::Entropy;
use dialtone_protocols::status_list::{self, StatusList, StatusReference};
use serde_json::{Map, Value, json};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) const ISSUER_KID: &str = "dialtone-reference-issuer-1";
pub const VCT_VERIFIED_PERSON: &str = "urn:dialtone:vct:verified-person:1";
/// Claims the reference makes selectively disclosable (its conformance statement says so too).
pub(crate) const SD_CLAIMS: &[&str] = &["given_name", "family_name", "birthdate", "address", "email"];
/// Entries in the reference issuer's status list (2 bits each: valid, invalid, suspended).
pub(crate) const STATUS_LIST_SIZE: usize = 4096;
pub(crate) const STATUS_LIST_PATH: &str = "/status/1";

/// Everything about one credential to mint; [`Minter::spec`] gives a correct one.
#[derive(Debug, Clone)]
pub struct MintSpec {
    pub iss: String,
    pub vct: String,
    pub iat: i64,
    pub nbf: Option<i64>,
    pub exp: Option<i64>,
    pub holder_jwk: Option<Value>,
    pub subject: Map<String, Value>,
    pub sd_paths: Vec<Vec<String>>,
    pub salt_bytes: usize,
    pub typ: String,
    pub(crate) sign_with_unlisted_key: bool,
    /// Replace the first top-level `_sd` digest with a digest of itself (a mismatch).
    pub(crate) digest_off: bool,
    /// Give the credential a status list entry with this initial status; `None`: no `status` claim.
    pub status: Option<u8>,
    pub(crate) drop_trailing_tilde: bool,
    /// Sign with an `x5c` header instead of `kid` (SD-JWT VC §2.5, Inline X.509), when the minter
    /// has a certificate chain.
    pub x5c: bool,
}

/// A deviation from a correct credential, as data: what a verifier case shows a verifier under test,
/// and what a mutant of the reference issuer issues. Times are offsets from now (seconds, or a
/// number with a unit: `"-60d"`, `"7d"`, `"90s"`).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Deviation {
    pub iat: Option<Offset>,
    pub nbf: Option<Offset>,
    pub exp: Option<Offset>,
    /// No `exp` at all.
    pub(crate) no_exp: bool,
    pub vct: Option<String>,
    /// Appended to `iss` (a trailing slash the identifier lacks).
    pub(crate) iss_suffix: Option<String>,
    /// The header `typ`.
    pub typ: Option<String>,
    pub signed_by: SignedBy,
    /// The status list entry's initial status; `none`: no `status` claim.
    pub status: Option<StatusChoice>,
    pub cnf: CnfChoice,
    /// Claims (top-level names) issued in clear though they are selectively disclosable.
    pub in_clear: Vec<String>,
    /// Claims (top-level names) made selectively disclosable though they must not be.
    pub disclosable: Vec<String>,
    pub salt_bytes: Option<usize>,
    /// One `_sd` digest does not match its disclosure.
    pub(crate) digest_off: bool,
    /// The SD-JWT lacks its final `~`.
    pub(crate) drop_trailing_tilde: bool,
    /// Subject claims replaced.
    pub subject: Map<String, Value>,
}

/// Seconds from now, written as a number or as a number with a unit (s, m, h, d).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offset(pub i64);

impl<'de> serde::Deserialize<'de> for Offset {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Written {
            Seconds(i64),
            Text(String),
        }
        match Written::deserialize(d)? {
            Written::Seconds(s) => Ok(Offset(s)),
            Written::Text(t) => {
                let (number, unit) = t.split_at(t.len().saturating_sub(1));
                let scale = match unit {
                    "s" => 1,
                    "m" => 60,
                    "h" => 3_600,
                    "d" => 86_400,
                    _ => {
                        return Err(serde::de::Error::custom(format!(
                            "{t:?}: an offset like \"-60d\", \"12h\" or \"90s\""
                        )));
                    }
                };
                number.parse::<i64>().map(|n| Offset(n * scale)).map_err(|_| {
                    serde::de::Error::custom(format!("{t:?}: an offset like \"-60d\", \"12h\" or \"90s\""))
                })
            }
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignedBy {
    /// The key the issuer publishes.
    #[default]
    IssuerKey,
    /// A key the issuer does not publish.
    UnlistedKey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusChoice {
    Valid,
    Revoked,
    Suspended,
    None,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CnfChoice {
    /// The holder's key (from the proof).
    #[default]
    Holder,
    /// Another key than the holder's.
    OtherKey,
    /// The holder's key with the optional JWK members a library may add (`kid`, `alg`, `use`,
    /// `key_ops`): RFC 7517 lets a JWK carry them, and a verifier must still accept it.
    WithOptionalMembers,
}

/// The subject the reference issues for; names as people write them: Canadian Aboriginal
/// syllabics, a combining diacritic (E + U+0301, which NFC normalization would rewrite), and the
/// modifier-letter apostrophe U+02BC.
pub fn subject_claims() -> Map<String, Value> {
    json!({
        "given_name": "ᓄᓇᕗᑦ E\u{301}lodie",
        "family_name": "Kʼómoks-Tremblay",
        "birthdate": "1990-07-01",
        "email": "elodie@example.ca",
        "address": {"locality": "Iqaluit", "region": "NU", "country": "CA"},
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

pub struct Minter {
    pub identifier: String,
    key: EcKey,
    unlisted_key: EcKey,
    entropy: Entropy,
    status: Mutex<StatusList>,
    next_index: AtomicU64,
    x5c: Mutex<Option<Vec<String>>>,
    prefer_x5c: std::sync::atomic::AtomicBool,
    /// The document signer certificate (DER) of its mdocs, from the run's authority (the IACA).
    document_signer: Mutex<Option<Vec<u8>>>,
}

impl Minter {
    pub fn new(identifier: String, entropy: Entropy) -> Self {
        let key = EcKey::generate(&entropy);
        let unlisted_key = EcKey::generate(&entropy);
        let status = StatusList::new(2, STATUS_LIST_SIZE).unwrap_or(StatusList { bits: 2, bytes: Vec::new() });
        Self {
            identifier,
            key,
            unlisted_key,
            entropy,
            status: Mutex::new(status),
            next_index: AtomicU64::new(0),
            x5c: Mutex::new(None),
            prefer_x5c: std::sync::atomic::AtomicBool::new(false),
            document_signer: Mutex::new(None),
        }
    }

    pub fn entropy(&self) -> &Entropy {
        &self.entropy
    }

    /// The signing key's public point (uncompressed SEC1), for its certificate.
    pub fn public_point(&self) -> Vec<u8> {
        self.key.public_point()
    }

    /// Gives the minter an `x5c` chain for x5c-signed credentials (SD-JWT VC §2.5): the certificate
    /// from `pki`'s authority naming this issuer. The authority's own certificate is the trust anchor
    /// a verifier is configured with, so it is not in the chain (HAIP 1.0 keeps the anchor out of
    /// `x5c`; RFC 7515 §4.1.6 lists the certificates that lead to it).
    pub fn x5c_from(&self, pki: &crate::tls::TestPki) -> Result<(), String> {
        let cert = pki.issuer_certificate(&self.public_point(), &self.identifier)?;
        let chain = vec![dialtone_protocols::b64::encode_std(cert)];
        *self.x5c.lock().unwrap_or_else(|p| p.into_inner()) = Some(chain);
        Ok(())
    }

    /// Gives the minter its document signer certificate for mdocs (ISO/IEC 18013-5), from `pki`'s
    /// authority, which a verifier then trusts as the IACA. Like the `x5c` chain, it leaves the
    /// authority out (`x5chain` carries the document signer's certificate).
    pub fn mdoc_from(&self, pki: &crate::tls::TestPki) -> Result<(), String> {
        let cert = pki.document_signer_certificate(&self.public_point(), &self.identifier)?;
        *self.document_signer.lock().unwrap_or_else(|p| p.into_inner()) = Some(cert);
        Ok(())
    }

    /// The `x5chain` of its mdocs (the document signer certificate).
    pub(crate) fn document_signer_chain(&self) -> Result<Vec<Vec<u8>>, String> {
        let cert = self.document_signer.lock().unwrap_or_else(|p| p.into_inner()).clone();
        cert.map(|c| vec![c]).ok_or_else(|| "this issuer has no document signer certificate for mdocs".into())
    }

    pub(crate) fn signing_key(&self) -> &EcKey {
        &self.key
    }

    pub(crate) fn unlisted_signing_key(&self) -> &EcKey {
        &self.unlisted_key
    }

    /// Makes credentials from [`Minter::spec`] x5c-signed (for a candidate that only resolves issuer
    /// keys from x5c).
    pub fn prefer_x5c(&self, yes: bool) {
        self.prefer_x5c.store(yes, Ordering::Relaxed);
    }

    /// The `x5c` chain x5c-signed credentials carry (standard base64 DER, the issuer's certificate
    /// first), when the minter has one.
    pub fn x5c(&self) -> Option<Vec<String>> {
        self.x5c_chain()
    }

    fn x5c_chain(&self) -> Option<Vec<String>> {
        self.x5c.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn status_uri(&self) -> String {
        format!("{}{STATUS_LIST_PATH}", self.identifier)
    }

    /// The published JWK Set (JWT VC issuer metadata, SD-JWT VC §4.2).
    pub fn jwks(&self) -> Value {
        let mut jwk = self.key.public_jwk();
        jwk["kid"] = json!(ISSUER_KID);
        jwk["use"] = json!("sig");
        jwk["alg"] = json!("ES256");
        json!({ "keys": [jwk] })
    }

    /// A correct credential for `holder_jwk`, valid for a year, with a fresh status entry.
    pub fn spec(&self, holder_jwk: Option<Value>) -> MintSpec {
        let now = dialtone_protocols::now_epoch();
        let mut sd_paths: Vec<Vec<String>> = SD_CLAIMS.iter().map(|c| vec![c.to_string()]).collect();
        sd_paths.push(vec!["address".into(), "locality".into()]);
        MintSpec {
            iss: self.identifier.clone(),
            vct: VCT_VERIFIED_PERSON.into(),
            iat: now,
            nbf: Some(now),
            exp: Some(now + 86_400 * 365),
            holder_jwk,
            subject: subject_claims(),
            sd_paths,
            salt_bytes: 16,
            typ: sd_jwt_vc::TYP.into(),
            sign_with_unlisted_key: false,
            digest_off: false,
            status: Some(status_list::VALID),
            drop_trailing_tilde: false,
            x5c: self.prefer_x5c.load(Ordering::Relaxed),
        }
    }

    /// Applies a deviation to a spec (times relative to `now`).
    pub fn deviate(&self, spec: &mut MintSpec, d: &Deviation, now: i64) {
        if let Some(Offset(o)) = d.iat {
            spec.iat = now + o;
        }
        if let Some(Offset(o)) = d.nbf {
            spec.nbf = Some(now + o);
        }
        if let Some(Offset(o)) = d.exp {
            spec.exp = Some(now + o);
        }
        if d.no_exp {
            spec.exp = None;
        }
        if let Some(v) = &d.vct {
            spec.vct = v.clone();
        }
        if let Some(suffix) = &d.iss_suffix {
            spec.iss.push_str(suffix);
        }
        if let Some(t) = &d.typ {
            spec.typ = t.clone();
        }
        spec.sign_with_unlisted_key |= d.signed_by == SignedBy::UnlistedKey;
        match d.status {
            None => {}
            Some(StatusChoice::Valid) => spec.status = Some(status_list::VALID),
            Some(StatusChoice::Revoked) => spec.status = Some(status_list::INVALID),
            Some(StatusChoice::Suspended) => spec.status = Some(status_list::SUSPENDED),
            Some(StatusChoice::None) => spec.status = None,
        }
        match (d.cnf, spec.holder_jwk.as_mut()) {
            (CnfChoice::OtherKey, Some(jwk)) => *jwk = self.unlisted_key.public_jwk(),
            (CnfChoice::WithOptionalMembers, Some(Value::Object(jwk))) => {
                let kid = jwk.get("x").and_then(Value::as_str).unwrap_or_default().chars().take(8).collect::<String>();
                jwk.insert("kid".into(), json!(format!("holder-{kid}")));
                jwk.insert("alg".into(), json!("ES256"));
                jwk.insert("use".into(), json!("sig"));
                jwk.insert("key_ops".into(), json!(["verify"]));
            }
            _ => {}
        }
        spec.sd_paths.retain(|p| !(p.len() == 1 && d.in_clear.contains(&p[0])));
        spec.sd_paths.extend(d.disclosable.iter().map(|c| vec![c.clone()]));
        if let Some(n) = d.salt_bytes {
            spec.salt_bytes = n;
        }
        spec.digest_off |= d.digest_off;
        spec.drop_trailing_tilde |= d.drop_trailing_tilde;
        spec.subject.extend(d.subject.clone());
    }

    /// Sets a status list entry (revocation, suspension, reinstatement).
    pub(crate) fn set_status(&self, index: u64, status: u8) -> Result<(), String> {
        let mut list = self.status.lock().unwrap_or_else(|p| p.into_inner());
        list.set(index, status).map_err(|e| e.to_string())
    }

    pub fn mint(&self, spec: &MintSpec) -> String {
        let mut claims = Map::new();
        claims.insert("iss".into(), json!(spec.iss));
        claims.insert("vct".into(), json!(spec.vct));
        claims.insert("iat".into(), json!(spec.iat));
        if let Some(nbf) = spec.nbf {
            claims.insert("nbf".into(), json!(nbf));
        }
        if let Some(exp) = spec.exp {
            claims.insert("exp".into(), json!(exp));
        }
        if let Some(jwk) = &spec.holder_jwk {
            claims.insert("cnf".into(), json!({ "jwk": jwk }));
        }
        if let Some(initial) = spec.status {
            let index = self.next_index.fetch_add(1, Ordering::Relaxed) % STATUS_LIST_SIZE as u64;
            let _ = self.set_status(index, initial);
            claims.insert("status".into(), StatusReference { idx: index, uri: self.status_uri() }.claim());
        }
        claims.extend(spec.subject.clone());
        let rules = ConcealRules { paths: spec.sd_paths.clone(), decoys_per_object: 2, salt_bytes: spec.salt_bytes };
        let mut concealed = sdjwt::conceal(&claims, &rules, HashAlg::Sha256, &self.entropy);
        if spec.digest_off {
            // Alter the digest of a real disclosure (not a decoy), so exactly one disclosure is orphaned.
            let real: Vec<String> = concealed.disclosures.iter().map(|d| HashAlg::Sha256.digest(&d.encoded)).collect();
            if let Some(Value::Array(digests)) = concealed.payload.get_mut("_sd")
                && let Some(Value::String(d)) =
                    digests.iter_mut().find(|d| d.as_str().is_some_and(|d| real.iter().any(|r| r == d)))
            {
                *d = HashAlg::Sha256.digest(d);
            }
        }
        let key = if spec.sign_with_unlisted_key { &self.unlisted_key } else { &self.key };
        let header = match self.x5c_chain().filter(|_| spec.x5c) {
            Some(chain) => json!({ "typ": spec.typ, "x5c": chain }),
            None => json!({ "typ": spec.typ, "kid": ISSUER_KID }),
        };
        let jwt = key.sign_jws(&header, &Value::Object(concealed.payload));
        let mut text = sdjwt::serialize(&jwt, &concealed.disclosures);
        if spec.drop_trailing_tilde {
            text.pop();
        }
        text
    }

    /// How a JWT signed with [`Minter::sign`] names its key: `kid` (in the JWT VC issuer metadata),
    /// and `x5c` when the minter has a chain.
    pub(crate) fn key_reference(&self) -> Map<String, Value> {
        let mut header = Map::new();
        header.insert("kid".into(), json!(ISSUER_KID));
        if let Some(chain) = self.x5c_chain() {
            header.insert("x5c".into(), json!(chain));
        }
        header
    }

    /// Signs a JWT with the issuer's key (ES256).
    pub(crate) fn sign(&self, header: &Value, claims: &Value) -> String {
        self.key.sign_jws(header, claims)
    }

    /// The Status List Token (JWT form, §5.1), signed with the issuer's key.
    pub(crate) fn status_list_token(&self, typ: &str, sub: &str) -> String {
        let list = self.status.lock().unwrap_or_else(|p| p.into_inner()).to_json();
        let now = dialtone_protocols::now_epoch();
        // A verifier of x5c issuers finds the key in x5c; one of metadata issuers by kid.
        let header = match self.x5c_chain() {
            Some(chain) => json!({ "typ": typ, "kid": ISSUER_KID, "x5c": chain }),
            None => json!({ "typ": typ, "kid": ISSUER_KID }),
        };
        self.key
            .sign_jws(&header, &json!({ "sub": sub, "iat": now, "exp": now + 600, "ttl": 300, "status_list": list }))
    }
}
