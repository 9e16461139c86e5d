//! Candidate manifests (TOML): who the candidate is, which roles it plays, where its public
//! interfaces are, how the harness triggers it, and its conformance statement (ICS), which decides
//! which cases apply.

use crate::binding::BINDINGS;
use dialtone_engine::limits::Limits;
use dialtone_engine::plan::Candidate;
use dialtone_engine::role::Role;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub candidate: CandidateSection,
    pub issuer: Option<IssuerSection>,
    pub registry: Option<RegistrySection>,
    pub verifier: Option<VerifierSection>,
    pub wallet: Option<WalletSection>,
    pub vc_api: Option<VcApiSection>,
    #[serde(default = "no_trigger")]
    pub trigger: Trigger,
    #[serde(default)]
    pub conformance: Conformance,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub tls: TlsSection,
}

/// Extra trust for a candidate on a private PKI.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSection {
    /// PEM file of CA certificates to trust for this candidate (relative to the working folder).
    pub ca_file: Option<String>,
    /// CA certificates (DER) given by the program, e.g. the run's own CA for the reference candidates.
    #[serde(skip)]
    pub ca_der: Vec<Vec<u8>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateSection {
    pub name: String,
    #[serde(default)]
    pub vendor: String,
    pub version: String,
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerSection {
    /// The Credential Issuer Identifier (OID4VCI §12.2.1), compared as a plain string.
    pub credential_issuer: String,
    /// Allows `http://` URLs (a local candidate); the https requirements are then reported as
    /// not met, never silently passed.
    #[serde(default)]
    pub allow_http: bool,
    /// PEM file of the roots an issuer's `x5c` chains must lead to (SD-JWT VC §2.5, Inline X.509),
    /// relative to the current folder.
    pub x5c_ca_file: Option<String>,
    /// Read from `x5c_ca_file` at load time.
    #[serde(skip)]
    pub x5c_roots: Vec<Vec<u8>>,
}

/// A trust registry under test (TRQP v2, HTTPS binding), with the queries whose answers the
/// candidate's ecosystem fixes: the plan asks them and judges the answers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrySection {
    /// Base URL of the HTTPS binding (`{url}/authorization`, `{url}/recognition`).
    pub url: String,
    /// The governing authority the registry answers for.
    pub authority_id: String,
    /// Sent as `Authorization: Bearer …` when the registry requires it.
    pub bearer_token: Option<String>,
    /// A query the registry must answer `authorized: true`.
    pub authorized: RegistryQuery,
    /// A query about a known entity that the registry must answer `authorized: false`.
    pub unauthorized: RegistryQuery,
    /// A query whose `time` lies outside the statement's validity (answer: false).
    pub outside_validity: Option<RegistryQuery>,
    /// A query about a past time when a statement held, though it no longer does (answer: true).
    pub historical: Option<RegistryQuery>,
    /// A query whose jurisdiction the statement does not cover (answer: false).
    pub outside_jurisdiction: Option<RegistryQuery>,
    /// A recognition query the registry must answer `recognized: true`.
    pub recognized: Option<RegistryQuery>,
    #[serde(default)]
    pub allow_http: bool,
}

/// A verifier under test (OpenID4VP 1.0). The harness plays the wallet (and, through its
/// counterpart issuer, the issuer the verifier trusts).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifierSection {
    /// The verifier's control API (`suites/control-api.yaml`): POST {control}/requests starts a
    /// presentation request, GET {control}/requests/{id} reports its outcome.
    pub control: String,
    /// How long to wait for the verifier's verdict after responding, in milliseconds.
    #[serde(default = "default_outcome_wait")]
    pub outcome_wait_ms: u64,
}

/// A wallet under test. The harness plays the issuer it receives credentials from and the verifiers
/// it presents to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalletSection {
    /// The wallet's control API: POST {control}/offers, POST {control}/presentations,
    /// GET {control}/credentials. Without it the wallet is driven manually: each offer and request
    /// is shown as a QR code (terminal and a local page) for a person to scan, with a deadline.
    pub control: Option<String>,
    /// Manual mode: how long to wait for the person and the wallet, per step.
    #[serde(default = "default_manual_wait")]
    pub manual_wait_seconds: u64,
}

/// A service behind the W3C VC-API binding (`POST {url}/credentials/issue`,
/// `POST {url}/credentials/verify`), as the W3C VC test suites drive implementations.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VcApiSection {
    pub url: String,
    /// The issuer identifier the service signs as (the `issuer` of the credentials sent to issue).
    pub issuer_id: String,
}

fn default_outcome_wait() -> u64 {
    5_000
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryQuery {
    pub entity_id: String,
    pub action: String,
    pub resource: String,
    /// RFC 3339 time, sent as `context.time`.
    pub time: Option<String>,
    /// Sent as `context.jurisdiction` (ISO 3166-2 code, e.g. CA-NU).
    pub jurisdiction: Option<String>,
}

fn no_trigger() -> Trigger {
    Trigger::None
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// Nothing to trigger (a registry answers queries as they come).
    None,
    /// dialtone's control API (`suites/control-api.yaml`) at this base URL.
    Control { url: String },
    /// A fixed credential offer (`openid-credential-offer://…` or its JSON), reused for every case.
    StaticOffer { offer: String },
    /// A person starts each flow; the harness waits with a visible deadline.
    Manual {
        #[serde(default = "default_manual_wait")]
        wait_seconds: u64,
    },
}

fn default_manual_wait() -> u64 {
    120
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conformance {
    /// Credential formats claimed, e.g. `dc+sd-jwt`.
    #[serde(default)]
    pub formats: Vec<String>,
    /// Optional features claimed, e.g. `tx_code`, `nonce_endpoint`, `c_nonce_single_use`.
    #[serde(default)]
    pub features: Vec<String>,
    /// Interoperability profiles claimed (`suites/conformance/vocabulary.toml`).
    #[serde(default)]
    pub profiles: Vec<String>,
    #[serde(default)]
    pub credential: Vec<CredentialClaim>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialClaim {
    pub configuration_id: String,
    /// Claims that must be selectively disclosable (top-level names, or dotted paths).
    #[serde(default)]
    pub sd_claims: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{path}: cannot read the candidate manifest: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}:{line}: {message}")]
    Parse { path: String, line: usize, message: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl Manifest {
    pub fn load(path: &Path) -> Result<Self, ManifestError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ManifestError::Read { path: path.display().to_string(), source })?;
        Self::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, origin: &str) -> Result<Self, ManifestError> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| ManifestError::Parse {
            path: origin.into(),
            line: e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1).unwrap_or(0),
            message: e.message().trim().to_string(),
        })?;
        let mut manifest = manifest;
        for (kind, claims) in [
            ("formats", &manifest.conformance.formats),
            ("features", &manifest.conformance.features),
            ("profiles", &manifest.conformance.profiles),
        ] {
            crate::vocabulary::check(kind, claims, text).map_err(|(line, message)| ManifestError::Parse {
                path: origin.into(),
                line,
                message,
            })?;
        }
        manifest.validate().map_err(|message| ManifestError::Invalid { path: origin.into(), message })?;
        manifest.load_ca_file().map_err(|message| ManifestError::Invalid { path: origin.into(), message })?;
        manifest.load_x5c_ca_file().map_err(|message| ManifestError::Invalid { path: origin.into(), message })?;
        Ok(manifest)
    }

    fn validate(&self) -> Result<(), String> {
        if self.candidate.roles.is_empty() {
            return Err(format!("[candidate] roles is empty: name at least one of {}", Role::played_names()));
        }
        for role in &self.candidate.roles {
            if !Role::PLAYED.contains(role) {
                return Err(format!(
                    "[candidate] roles: {role} is not a role a candidate plays ({})",
                    Role::played_names()
                ));
            }
            // Every role played is exposed by some binding's section.
            let through: Vec<_> = BINDINGS.iter().filter(|b| b.roles().contains(role)).collect();
            if !through.iter().any(|b| b.exposed(self)) {
                let sections: Vec<String> = through.iter().map(|b| format!("[{}]", b.section())).collect();
                return Err(format!("the candidate plays {role} but has no {} section", sections.join(" or ")));
            }
        }
        for binding in BINDINGS.iter().filter(|b| b.exposed(self)) {
            binding.validate(self)?;
        }
        if let Trigger::Control { url } = &self.trigger
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(format!("[trigger] url {url:?} is not an http(s) URL"));
        }
        self.limits.validate()
    }

    /// Every extra CA the harness trusts for this candidate (DER).
    pub fn trusted_roots(&self) -> Vec<Vec<u8>> {
        self.tls.ca_der.clone()
    }

    /// Reads `[tls] ca_file` into `tls.ca_der` (at load time, so a bad file is a configuration error).
    fn load_ca_file(&mut self) -> Result<(), String> {
        if let Some(file) = self.tls.ca_file.clone() {
            self.tls.ca_der.extend(read_pem_certificates(&file, "[tls] ca_file")?);
        }
        Ok(())
    }

    /// Reads `[issuer] x5c_ca_file` into `issuer.x5c_roots`.
    fn load_x5c_ca_file(&mut self) -> Result<(), String> {
        if let Some(issuer) = self.issuer.as_mut()
            && let Some(file) = issuer.x5c_ca_file.clone()
        {
            issuer.x5c_roots = read_pem_certificates(&file, "[issuer] x5c_ca_file")?;
        }
        Ok(())
    }

    /// Features as the plan matches them: `format:X` and `feature:Y`.
    pub fn claims(&self) -> Vec<String> {
        let mut claims: Vec<String> = self.conformance.formats.iter().map(|f| format!("format:{f}")).collect();
        claims.extend(self.conformance.features.iter().map(|f| format!("feature:{f}")));
        claims.extend(self.candidate.roles.iter().map(|r| format!("role:{r}")));
        claims
    }

    /// Whether the candidate resolves issuer keys only from `x5c` (conformance feature
    /// `issuer_keys:x5c` without `issuer_keys:jwt_vc_issuer_metadata`): the harness's issuers then
    /// sign that way.
    pub fn x5c_only(&self) -> bool {
        let f = &self.conformance.features;
        f.iter().any(|x| x == "issuer_keys:x5c") && !f.iter().any(|x| x == "issuer_keys:jwt_vc_issuer_metadata")
    }

    pub fn plays(&self, role: Role) -> bool {
        self.candidate.roles.contains(&role)
    }

    /// The candidate's main public URL, for reports: the issuer identifier, else the registry URL.
    pub fn base_url(&self) -> String {
        self.issuer
            .as_ref()
            .map(|i| i.credential_issuer.clone())
            .or_else(|| self.registry.as_ref().map(|r| r.url.clone()))
            .unwrap_or_default()
    }

    /// Every URL of the candidate the manifest names (its public interfaces and control APIs), for
    /// the check that something answers there before a run.
    pub fn candidate_urls(&self) -> Vec<&str> {
        let mut urls: Vec<&str> = Vec::new();
        urls.extend(self.issuer.as_ref().map(|i| i.credential_issuer.as_str()));
        if let Trigger::Control { url } = &self.trigger {
            urls.push(url);
        }
        urls.extend(self.verifier.as_ref().map(|v| v.control.as_str()));
        urls.extend(self.wallet.as_ref().and_then(|w| w.control.as_deref()));
        urls.extend(self.registry.as_ref().map(|r| r.url.as_str()));
        urls.extend(self.vc_api.as_ref().map(|v| v.url.as_str()));
        urls
    }

    /// The secrets the manifest gives the run (a registry's bearer token, a static offer's code):
    /// registered before the run, so no report shows them.
    pub fn register_secrets(&self, secrets: &dialtone_http::Secrets) {
        if let Some(token) = self.registry.as_ref().and_then(|r| r.bearer_token.as_deref()) {
            secrets.register("authorization", token);
        }
        if let Trigger::StaticOffer { offer } = &self.trigger {
            secrets.learn_from(offer);
        }
    }

    pub fn sd_claims(&self, configuration_id: &str) -> Option<&[String]> {
        self.conformance
            .credential
            .iter()
            .find(|c| c.configuration_id == configuration_id)
            .map(|c| c.sd_claims.as_slice())
    }
}

impl Candidate for Manifest {
    fn roles(&self) -> &[Role] {
        &self.candidate.roles
    }

    fn claims(&self) -> Vec<String> {
        Manifest::claims(self)
    }

    fn unexposed(&self, binding: &str) -> Option<String> {
        let b = crate::binding::find(binding)?;
        (!b.exposed(self)).then(|| {
            format!("not applicable: the manifest has no [{}] section (that interface is not under test)", b.section())
        })
    }
}

/// The certificates (DER) of a PEM file a manifest names; none is an error.
fn read_pem_certificates(file: &str, what: &str) -> Result<Vec<Vec<u8>>, String> {
    use rustls::pki_types::pem::PemObject;
    let pem = std::fs::read(file).map_err(|e| format!("{what} {file:?}: {e}"))?;
    let certs = rustls::pki_types::CertificateDer::pem_slice_iter(&pem)
        .map(|c| c.map(|c| c.to_vec()).map_err(|e| format!("{what} {file:?}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    if certs.is_empty() {
        return Err(format!("{what} {file:?} holds no PEM certificate"));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[candidate]
name = "x"
version = "1"
roles = ["issuer"]
[issuer]
credential_issuer = "http://127.0.0.1:1"
allow_http = true
[trigger]
kind = "control"
url = "http://127.0.0.1:1/control"
"#;

    #[test]
    fn good_manifest_parses() {
        let m = Manifest::parse(GOOD, "m.toml").unwrap();
        assert_eq!(m.limits.concurrency, 8);
        assert!(m.claims().contains(&"role:issuer".to_string()));
        let err =
            Manifest::parse(&GOOD.replace("roles = [\"issuer\"]", "roles = [\"artifact\"]"), "m.toml").unwrap_err();
        assert!(err.to_string().contains("not a role a candidate plays"), "{err}");
    }

    #[test]
    fn bad_manifests_name_the_problem() {
        let err = Manifest::parse(&GOOD.replace("allow_http = true", ""), "m.toml").unwrap_err();
        assert!(err.to_string().contains("allow_http"), "{err}");
        let err =
            Manifest::parse(&GOOD.replace("kind = \"control\"", "kind = \"carrier-pigeon\""), "m.toml").unwrap_err();
        assert!(err.to_string().starts_with("m.toml:"), "{err}");
        let err = Manifest::parse(&GOOD.replace("roles = [\"issuer\"]", "roles = [\"oracle\"]"), "m.toml").unwrap_err();
        assert!(err.to_string().contains("oracle"), "{err}");
    }
}
