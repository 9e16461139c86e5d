//! `--sign`: the signing key (the user's own, made on first use in their configuration folder, or a
//! file), the inputs a bundle names, and writing the bundle beside the reports.

use crate::{CliError, SuiteSource};
use dialtone_bundle::statement::ResourceDescriptor;
use dialtone_bundle::{PublicKey, Seal, SigningKey};
use dialtone_engine::model::Report;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The bundle's file name in the output folder.
pub const BUNDLE_FILE: &str = "bundle.tar.gz";

/// Which key signs: `--sign` alone is the user's own key, `--sign=FILE` that key file.
#[derive(Debug, Clone)]
pub enum KeyChoice {
    Own,
    File(PathBuf),
}

impl KeyChoice {
    /// From `--sign [KEY]`: absent, alone, or with a key file.
    pub fn from_flag(value: Option<Option<PathBuf>>) -> Option<Self> {
        value.map(|p| p.map(Self::File).unwrap_or(Self::Own))
    }
}

/// The user's signing key: `$XDG_CONFIG_HOME/dialtone/signing-key.pem`, else
/// `$HOME/.config/dialtone/signing-key.pem` (`%APPDATA%\dialtone\…` on Windows).
pub fn own_key_path() -> Result<PathBuf, CliError> {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let config = set("XDG_CONFIG_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| set("HOME").map(|h| h.join(".config")))
        .or_else(|| set("APPDATA"))
        .ok_or_else(|| {
            CliError::config("no configuration folder (neither XDG_CONFIG_HOME nor HOME is set): give --sign=KEYFILE")
        })?;
    Ok(config.join("dialtone").join("signing-key.pem"))
}

fn read_key_file(path: &Path) -> Result<Vec<u8>, CliError> {
    crate::input_file::read(path, crate::input_file::SpecialFiles::Refused)
}

/// The key `choice` names; the user's own key is made the first time (readable by its owner only).
pub fn signing_key(choice: &KeyChoice) -> Result<(SigningKey, PathBuf), CliError> {
    let path = match choice {
        KeyChoice::File(path) => path.clone(),
        KeyChoice::Own => own_key_path()?,
    };
    if matches!(choice, KeyChoice::Own) && !path.exists() {
        let key = match make_key(&path) {
            Ok(key) => key,
            // Another run made it in the meantime: use that one.
            Err(_) if path.is_file() => return signing_key(&KeyChoice::File(path)),
            Err(e) => return Err(e),
        };
        eprintln!(
            "dialtone: made your signing key {} (key id {}); evaluators check your bundles with its public half: \
             `dialtone key public`",
            crate::shown(path.display()),
            key.public().key_id()
        );
        return Ok((key, path));
    }
    let bytes = read_key_file(&path)?;
    let key = SigningKey::from_pem(&bytes).map_err(|e| CliError::config(format!("{}: {e}", path.display())))?;
    Ok((key, path))
}

/// Makes a new key at `path`, refusing to replace one.
pub fn make_key(path: &Path) -> Result<SigningKey, CliError> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|e| CliError::config(format!("cannot create {}: {e}", dir.display())))?;
    }
    let key = SigningKey::generate();
    let pem = key.to_pem().map_err(|e| CliError::harness(e.to_string()))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file =
        options.open(path).map_err(|e| CliError::config(format!("cannot create {}: {e}", path.display())))?;
    file.write_all(pem.as_bytes()).map_err(|e| CliError::config(format!("cannot write {}: {e}", path.display())))?;
    Ok(key)
}

/// The key a bundle must be signed by: `--key FILE` (a public or a private key), else the user's
/// own key when they have one; `None`: no key trusted.
pub fn trusted_key(key: Option<&Path>) -> Result<Option<(PublicKey, String)>, CliError> {
    let (path, whose) = match key {
        Some(path) => (path.to_path_buf(), "--key"),
        None => match own_key_path() {
            Ok(own) if own.is_file() => (own, "your own key"),
            // No key of one's own (or no configuration folder): none trusted.
            _ => return Ok(None),
        },
    };
    let bytes = read_key_file(&path)?;
    let key = PublicKey::from_pem(&bytes).map_err(|e| CliError::config(format!("{}: {e}", path.display())))?;
    Ok(Some((key, format!("{whose}, {}", path.display()))))
}

/// A file the run read, with its digest.
pub fn input_file(kind: &str, path: &Path) -> Result<ResourceDescriptor, CliError> {
    let bytes = crate::input_file::read(path, crate::input_file::SpecialFiles::Refused)?;
    Ok(ResourceDescriptor::input(kind, path.display().to_string(), &bytes, false))
}

/// The suite files a run reads (a folder's `*.toml`, or the copies built in).
pub fn suite_inputs(source: &SuiteSource) -> Result<Vec<ResourceDescriptor>, CliError> {
    match source {
        SuiteSource::Embedded => Ok(crate::catalogue::EMBEDDED_SUITES
            .iter()
            .map(|(name, text)| ResourceDescriptor::input("suite", *name, text.as_bytes(), true))
            .collect()),
        SuiteSource::Dir(dir) => {
            let entries =
                std::fs::read_dir(dir).map_err(|e| CliError::config(format!("cannot read {}: {e}", dir.display())))?;
            let mut paths: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
                .collect();
            paths.sort();
            paths.iter().map(|p| input_file("suite", p)).collect()
        }
    }
}

/// What every run and check judges with, built into dialtone: the conformance vocabulary, the
/// PCTF catalogue, and (unless `profiles` names a folder) the credential profiles.
pub fn built_in_inputs(profiles: bool) -> Vec<ResourceDescriptor> {
    let (vocab_name, vocab) = dialtone_drivers::vocabulary::SOURCE;
    let mut out = vec![ResourceDescriptor::input("vocabulary", vocab_name, vocab.as_bytes(), true)];
    out.extend(
        dialtone_engine::pctf::SOURCES
            .iter()
            .map(|(name, text)| ResourceDescriptor::input("catalogue", *name, text.as_bytes(), true)),
    );
    if profiles {
        out.extend(
            dialtone_rules::Profiles::embedded_sources()
                .into_iter()
                .map(|(name, text)| ResourceDescriptor::input("profile", name, text.as_bytes(), true)),
        );
    }
    out
}

/// The profile files of a `--profiles` folder.
pub fn profile_inputs(dir: &Path) -> Result<Vec<ResourceDescriptor>, CliError> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| CliError::config(format!("cannot read {}: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    paths.sort();
    paths.iter().map(|p| input_file("profile", p)).collect()
}

/// Seals `report` into `out/bundle.tar.gz`, signed with `key`; returns the bundle's path.
pub fn write_bundle(
    report: &Report,
    command: &str,
    invocation: BTreeMap<String, serde_json::Value>,
    inputs: Vec<ResourceDescriptor>,
    key: &SigningKey,
    out: &Path,
) -> Result<PathBuf, CliError> {
    let seal = Seal { report, command, invocation, inputs, build: dialtone_bundle::this_build() };
    let sealed = dialtone_bundle::seal(seal, key).map_err(|e| CliError::harness(e.to_string()))?;
    let path = out.join(BUNDLE_FILE);
    std::fs::write(&path, &sealed.archive)
        .map_err(|e| CliError::harness(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}
