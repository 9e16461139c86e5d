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
    /// Fixed ports for the harness's counterparts of a verifier under test.
    pub counterparts: Option<CounterpartsSection>,
    /// How long a second lasts on the candidate's clock: set by the program only, for the reference
    /// candidates in the harness's own process, whose announced seconds (a request URI's
    /// `expires_in`, a deferred `interval`) run faster; the harness's own counterparts then keep the
    /// same clock and the cases wait on it. `None`, as for every candidate a manifest describes: a
    /// second.
    #[serde(skip)]
    pub clock_second: Option<std::time::Duration>,
}

/// Fixed ports for the counterparts the harness runs for a verifier under test: their identifiers
/// (`https://127.0.0.1:PORT`) include the port, so a verifier configured before the run (with what
/// `dialtone counterparts export` writes) needs them fixed. Without this section they take free ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterpartsSection {
    /// The issuer the harness's trust registry authorizes.
    pub trusted_issuer_port: u16,
    /// The issuer it does not.
    pub untrusted_issuer_port: u16,
    /// The harness's trust registry.
    pub registry_port: u16,
}

/// Extra trust for a candidate on a private PKI.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSection {
    /// PEM file of CA certificates to trust for this candidate (relative to the manifest's folder).
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
    /// Allows `http://` URLs for a candidate on this machine (a loopback host only); the https
    /// requirements are then reported as not met, never silently passed.
    #[serde(default)]
    pub allow_http: bool,
    /// PEM file of the roots an issuer's `x5c` chains must lead to (SD-JWT VC §2.5, Inline X.509),
    /// relative to the manifest's folder.
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
    /// As `[issuer] allow_http`: plain http for a registry on a loopback host.
    #[serde(default)]
    pub allow_http: bool,
}

/// A verifier under test (OpenID4VP 1.0). The harness plays the wallet (and, through its
/// counterpart issuer, the issuer the verifier trusts).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifierSection {
    /// The verifier's control API (`suites/control-api.yaml`): POST {control}/requests starts a
    /// presentation request, GET {control}/requests/{id} reports its outcome. Without it the
    /// verifier is driven manually: a person starts each request in the verifier's own interface
    /// and hands its request link to dialtone (a local page, or the terminal), with a deadline.
    pub control: Option<String>,
    /// How long to wait for the verifier's verdict after responding, in milliseconds.
    #[serde(default = "default_outcome_wait")]
    pub outcome_wait_ms: u64,
    /// Manual mode: how long to wait for the person, per request.
    #[serde(default = "default_manual_wait")]
    pub manual_wait_seconds: u64,
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
    /// The public key (a JWK, as an inline table) of the wallet provider that attests this wallet
    /// (OAuth attestation-based client authentication): the harness, as its authorization server,
    /// trusts it and asks for client attestations (`feature:wallet_attestation`).
    #[serde(default)]
    pub attester_jwk: Option<serde_json::Value>,
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

/// What a manifest's validation found wrong, and the key it concerns when one does (`[issuer]`
/// `allow_http`), so the error can name the key's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    /// The table (`issuer`, `tls`) and key the problem is about.
    pub at: Option<(&'static str, &'static str)>,
}

impl Problem {
    pub fn at(table: &'static str, key: &'static str, message: impl Into<String>) -> Self {
        Self { message: message.into(), at: Some((table, key)) }
    }
}

impl From<String> for Problem {
    fn from(message: String) -> Self {
        Self { message, at: None }
    }
}

impl From<&str> for Problem {
    fn from(message: &str) -> Self {
        Self { message: message.into(), at: None }
    }
}

/// The line (1-based) of `key = …` in the table `[table]` of a TOML text.
fn key_line(text: &str, table: &str, key: &str) -> Option<usize> {
    let header = format!("[{table}]");
    let mut inside = false;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line.split('#').next().is_some_and(|h| h.trim() == header);
            continue;
        }
        if inside && line.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('=')) {
            return Some(n + 1);
        }
    }
    None
}

/// Whether a URL's host is this machine (`localhost`, 127.0.0.0/8, `::1`): the only hosts plain
/// http is allowed for.
pub(crate) fn loopback_url(url: &str) -> bool {
    dialtone_protocols::oid4vp::url_host(url).is_some_and(|host| {
        host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
    })
}

/// `allow_http = true` is for a candidate on this machine: for another host it is an error (plain
/// http across a network would expose the flows the specifications protect with TLS).
pub(crate) fn check_allow_http(table: &'static str, allow_http: bool, url: &str) -> Result<(), Problem> {
    if allow_http && !loopback_url(url) {
        return Err(Problem::at(
            table,
            "allow_http",
            format!(
                "[{table}] allow_http = true is only for a candidate on this machine (localhost, 127.0.0.1, ::1), \
                 not for {url:?}: serve it over https"
            ),
        ));
    }
    Ok(())
}

impl Manifest {
    /// `seconds` on the candidate's clock ([`Manifest::clock_second`]), as a wait.
    pub fn seconds(&self, seconds: u64) -> std::time::Duration {
        let second = self.clock_second.unwrap_or(std::time::Duration::from_secs(1));
        second.saturating_mul(u32::try_from(seconds).unwrap_or(u32::MAX))
    }

    /// Reads a manifest file; the files it names are relative to its folder.
    pub fn load(path: &Path) -> Result<Self, ManifestError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ManifestError::Read { path: path.display().to_string(), source })?;
        let folder = path.parent().unwrap_or(Path::new(""));
        Self::parse_in(&text, &path.display().to_string(), folder)
    }

    /// Parses a manifest's text; the files it names are relative to the current folder.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ManifestError> {
        Self::parse_in(text, origin, Path::new(""))
    }

    /// Reads a manifest file without reading the files it names (`ca_file`, `x5c_ca_file`): for what
    /// does not talk to the candidate (`dialtone counterparts export`, written before the candidate
    /// and its certificates exist).
    pub fn load_without_files(path: &Path) -> Result<Self, ManifestError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ManifestError::Read { path: path.display().to_string(), source })?;
        Self::parse_with(&text, &path.display().to_string(), None)
    }

    /// Parses a manifest's text; the files it names are relative to `folder`.
    pub fn parse_in(text: &str, origin: &str, folder: &Path) -> Result<Self, ManifestError> {
        Self::parse_with(text, origin, Some(folder))
    }

    /// Parses and validates a manifest; reads the files it names from `folder` when given.
    fn parse_with(text: &str, origin: &str, folder: Option<&Path>) -> Result<Self, ManifestError> {
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
        let located = |problem: Problem| match problem.at.and_then(|(table, key)| key_line(text, table, key)) {
            Some(line) => ManifestError::Parse { path: origin.into(), line, message: problem.message },
            None => ManifestError::Invalid { path: origin.into(), message: problem.message },
        };
        manifest.validate().map_err(located)?;
        manifest.fit_limits_to_a_person();
        if let Some(folder) = folder {
            manifest.load_ca_file(folder).map_err(located)?;
            manifest.load_x5c_ca_file(folder).map_err(located)?;
        }
        Ok(manifest)
    }

    fn validate(&self) -> Result<(), Problem> {
        if self.candidate.roles.is_empty() {
            return Err(format!("[candidate] roles is empty: name at least one of {}", Role::played_names()).into());
        }
        for role in &self.candidate.roles {
            if !Role::PLAYED.contains(role) {
                return Err(format!(
                    "[candidate] roles: {role} is not a role a candidate plays ({})",
                    Role::played_names()
                )
                .into());
            }
            // Every role played is exposed by some binding's section.
            let through: Vec<_> = BINDINGS.iter().filter(|b| b.roles().contains(role)).collect();
            if !through.iter().any(|b| b.exposed(self)) {
                let sections: Vec<String> = through.iter().map(|b| format!("[{}]", b.section())).collect();
                return Err(format!("the candidate plays {role} but has no {} section", sections.join(" or ")).into());
            }
        }
        for binding in BINDINGS.iter().filter(|b| b.exposed(self)) {
            binding.validate(self)?;
        }
        if let Some(c) = &self.counterparts {
            if self.verifier.is_none() {
                return Err(Problem::at(
                    "counterparts",
                    "trusted_issuer_port",
                    "[counterparts] fixes the ports of the harness's counterparts of a verifier under test, but no [verifier] is under test",
                ));
            }
            let ports = [c.trusted_issuer_port, c.untrusted_issuer_port, c.registry_port];
            if ports.contains(&0) || ports[0] == ports[1] || ports[0] == ports[2] || ports[1] == ports[2] {
                return Err(Problem::at(
                    "counterparts",
                    "trusted_issuer_port",
                    format!("[counterparts] needs three different ports (not 0), got {ports:?}"),
                ));
            }
        }
        if let Trigger::Control { url } = &self.trigger
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(Problem::at("trigger", "url", format!("[trigger] url {url:?} is not an http(s) URL")));
        }
        self.limits.validate().map_err(Problem::from)
    }

    /// The longest a person is given per step, when a wallet, a verifier or an issuer (signing in at
    /// its authorization endpoint) is driven manually.
    pub fn manual_wait_seconds(&self) -> Option<u64> {
        let wallet = self.wallet.as_ref().filter(|w| w.control.is_none()).map(|w| w.manual_wait_seconds);
        let verifier = self.verifier.as_ref().filter(|v| v.control.is_none()).map(|v| v.manual_wait_seconds);
        let issuer = match self.trigger {
            Trigger::Manual { wait_seconds } if self.issuer.is_some() => Some(wait_seconds),
            _ => None,
        };
        wallet.max(verifier).max(issuer)
    }

    /// In manual mode one person drives the candidate: one case at a time, and each case given the
    /// person's time (two steps at most: an offer, then a request) beyond its own deadline.
    fn fit_limits_to_a_person(&mut self) {
        if let Some(wait) = self.manual_wait_seconds() {
            self.limits.concurrency = 1;
            self.limits.case_deadline_ms = self.limits.case_deadline_ms.saturating_add(wait.saturating_mul(2_000));
        }
    }

    /// Every extra CA the harness trusts for this candidate (DER).
    pub fn trusted_roots(&self) -> Vec<Vec<u8>> {
        self.tls.ca_der.clone()
    }

    /// Reads `[tls] ca_file` (relative to `folder`) into `tls.ca_der` (at load time, so a bad file
    /// is a configuration error).
    fn load_ca_file(&mut self, folder: &Path) -> Result<(), Problem> {
        if let Some(file) = self.tls.ca_file.clone() {
            let certs =
                read_pem_certificates(folder, &file, "[tls] ca_file").map_err(|e| Problem::at("tls", "ca_file", e))?;
            self.tls.ca_der.extend(certs);
        }
        Ok(())
    }

    /// Reads `[issuer] x5c_ca_file` (relative to `folder`) into `issuer.x5c_roots`.
    fn load_x5c_ca_file(&mut self, folder: &Path) -> Result<(), Problem> {
        if let Some(issuer) = self.issuer.as_mut()
            && let Some(file) = issuer.x5c_ca_file.clone()
        {
            issuer.x5c_roots = read_pem_certificates(folder, &file, "[issuer] x5c_ca_file")
                .map_err(|e| Problem::at("issuer", "x5c_ca_file", e))?;
        }
        Ok(())
    }

    /// Features as the plan matches them: `format:X` and `feature:Y`.
    pub fn claims(&self) -> Vec<String> {
        let mut claims: Vec<String> = self.conformance.formats.iter().map(|f| format!("format:{f}")).collect();
        claims.extend(self.conformance.features.iter().map(|f| format!("feature:{f}")));
        claims.extend(self.candidate.roles.iter().map(|r| format!("role:{r}")));
        // A profile is claimed with everything it makes mandatory: its cases run, and fail where
        // the candidate does not do what the profile requires, rather than being skipped.
        for profile in &self.conformance.profiles {
            claims.push(format!("profile:{profile}"));
            for implied in crate::vocabulary::implied_by(profile) {
                if !claims.contains(implied) {
                    claims.push(implied.clone());
                }
            }
        }
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
        urls.extend(self.verifier.as_ref().and_then(|v| v.control.as_deref()));
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

    fn explain(&self, claim: &str) -> Option<String> {
        crate::vocabulary::about(claim)
    }

    fn unexposed(&self, binding: &str) -> Option<String> {
        let b = crate::binding::find(binding)?;
        (!b.exposed(self)).then(|| {
            format!("not applicable: the manifest has no [{}] section (that interface is not under test)", b.section())
        })
    }
}

/// The certificates (DER) of a PEM file a manifest names, relative to the manifest's `folder`; none
/// is an error.
fn read_pem_certificates(folder: &Path, file: &str, what: &str) -> Result<Vec<Vec<u8>>, String> {
    use rustls::pki_types::pem::PemObject;
    let path = folder.join(file);
    let pem = std::fs::read(&path).map_err(|e| format!("{what} {file:?} ({}): {e}", path.display()))?;
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

    /// A claimed profile brings what it makes mandatory, so those cases run (and can fail)
    /// instead of being skipped; a statement without it claims only what it lists.
    #[test]
    fn a_claimed_profile_claims_what_it_makes_mandatory() {
        let plain = Manifest::parse(GOOD, "m.toml").unwrap();
        assert!(!plain.claims().iter().any(|c| c == "feature:par" || c.starts_with("profile:")));
        let haip = Manifest::parse(&format!("{GOOD}[conformance]\nprofiles = [\"haip-1.0\"]\n"), "m.toml").unwrap();
        let claims = haip.claims();
        for needed in ["profile:haip-1.0", "feature:par", "feature:dpop", "feature:authorization_code"] {
            assert!(claims.iter().any(|c| c == needed), "{needed} not claimed: {claims:?}");
        }
        let err = Manifest::parse(&format!("{GOOD}[conformance]\nprofiles = [\"haip\"]\n"), "m.toml").unwrap_err();
        assert!(err.to_string().contains("unknown value \"haip\" (known: haip-1.0)"), "{err}");
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

    /// Plain http is for a candidate on this machine; for any other host `allow_http` is an error
    /// naming its line.
    #[test]
    fn allow_http_is_only_for_loopback_hosts() {
        for local in ["http://127.0.0.1:1", "http://localhost:8080", "http://[::1]:9"] {
            let text = GOOD.replace("http://127.0.0.1:1\"\nallow_http", &format!("{local}\"\nallow_http"));
            assert!(Manifest::parse(&text, "m.toml").is_ok(), "{local}");
        }
        for remote in ["http://issuer.example.ca", "http://10.0.0.7:8300", "http://127.0.0.1.example.com"] {
            let text = GOOD.replace("http://127.0.0.1:1\"\nallow_http", &format!("{remote}\"\nallow_http"));
            let err = Manifest::parse(&text, "m.toml").unwrap_err().to_string();
            assert!(
                err.starts_with("m.toml:8: [issuer] allow_http = true is only for a candidate on this machine"),
                "{err}"
            );
        }
        let registry = "[candidate]\nname = \"r\"\nversion = \"1\"\nroles = [\"registry\"]\n[registry]\nurl = \"http://registry.example\"\nauthority_id = \"a\"\nallow_http = true\n[registry.authorized]\nentity_id = \"e\"\naction = \"issue\"\nresource = \"r\"\n[registry.unauthorized]\nentity_id = \"e\"\naction = \"issue\"\nresource = \"r\"\n";
        let err = Manifest::parse(registry, "r.toml").unwrap_err().to_string();
        assert!(err.starts_with("r.toml:8: [registry] allow_http"), "{err}");
    }

    /// `ca_file` (and `x5c_ca_file`) name files beside the manifest, wherever dialtone runs from.
    #[test]
    fn files_a_manifest_names_are_relative_to_its_folder() {
        let dir = std::env::temp_dir().join(format!("dialtone-manifest-folder-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("pki")).unwrap();
        let pki = dialtone_roles::tls::TestPki::generate().unwrap();
        std::fs::write(dir.join("pki/ca.pem"), &pki.ca_pem).unwrap();
        let text = GOOD.replace("allow_http = true\n", "allow_http = true\nx5c_ca_file = \"pki/ca.pem\"\n")
            + "[tls]\nca_file = \"pki/ca.pem\"\n";
        std::fs::write(dir.join("m.toml"), &text).unwrap();
        let m = Manifest::load(&dir.join("m.toml")).unwrap();
        assert_eq!(m.trusted_roots(), vec![pki.ca_der.clone()]);
        assert_eq!(m.issuer.as_ref().unwrap().x5c_roots, vec![pki.ca_der.clone()]);
        std::fs::remove_file(dir.join("pki/ca.pem")).unwrap();
        let err = Manifest::load(&dir.join("m.toml")).unwrap_err().to_string();
        assert!(err.contains("m.toml:14: [tls] ca_file \"pki/ca.pem\""), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// `[counterparts]` fixes three different ports, for a verifier under test.
    #[test]
    fn counterpart_ports_are_checked() {
        let verifier = "[candidate]\nname = \"v\"\nversion = \"1\"\nroles = [\"verifier\"]\n[verifier]\ncontrol = \"https://127.0.0.1:1/control\"\n[counterparts]\ntrusted_issuer_port = 8501\nuntrusted_issuer_port = 8502\nregistry_port = 8503\n";
        let m = Manifest::parse(verifier, "v.toml").unwrap();
        assert_eq!(m.counterparts.map(|c| c.registry_port), Some(8503));
        let err = Manifest::parse(&verifier.replace("8503", "8501"), "v.toml").unwrap_err().to_string();
        assert!(err.starts_with("v.toml:8: [counterparts] needs three different ports"), "{err}");
        let err = Manifest::parse(
            &format!("{GOOD}[counterparts]\ntrusted_issuer_port = 1\nuntrusted_issuer_port = 2\nregistry_port = 3\n"),
            "m.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("no [verifier] is under test"), "{err}");
    }

    /// A verifier without a control API is driven by a person: one case at a time, each given the
    /// person's time.
    #[test]
    fn manual_mode_fits_the_limits_to_a_person() {
        let verifier = "[candidate]\nname = \"v\"\nversion = \"1\"\nroles = [\"verifier\"]\n[verifier]\nmanual_wait_seconds = 60\n";
        let m = Manifest::parse(verifier, "v.toml").unwrap();
        assert!(m.verifier.as_ref().unwrap().control.is_none());
        assert_eq!(m.manual_wait_seconds(), Some(60));
        assert_eq!(m.limits.concurrency, 1);
        assert_eq!(m.limits.case_deadline_ms, 20_000 + 120_000);
        let m = Manifest::parse(
            &verifier.replace("manual_wait_seconds = 60", "control = \"https://127.0.0.1:1/c\""),
            "v.toml",
        )
        .unwrap();
        assert_eq!((m.manual_wait_seconds(), m.limits.concurrency), (None, 8));
    }
}
