//! Credential profiles (`suites/profiles/`): per credential type, its identifiers in each format, a
//! JSON Schema of its claims, and which claims must be selectively disclosable. dialtone ships
//! example profiles of the pan-Canadian program; a jurisdiction replaces them with its own folder.

use serde::Deserialize;
use serde_json::Value;
use std::path::Path;

/// The profiles built into dialtone (file name, TOML, schema JSON).
const EMBEDDED: &[(&str, &str, &str)] = &[
    (
        "verified-person",
        include_str!("../../../suites/profiles/verified-person.toml"),
        include_str!("../../../suites/profiles/verified-person.schema.json"),
    ),
    (
        "verified-organization",
        include_str!("../../../suites/profiles/verified-organization.toml"),
        include_str!("../../../suites/profiles/verified-organization.schema.json"),
    ),
    (
        "business-signing-officer",
        include_str!("../../../suites/profiles/business-signing-officer.toml"),
        include_str!("../../../suites/profiles/business-signing-officer.schema.json"),
    ),
    (
        "adult-of-child",
        include_str!("../../../suites/profiles/adult-of-child.toml"),
        include_str!("../../../suites/profiles/adult-of-child.schema.json"),
    ),
    (
        "proof-of-address",
        include_str!("../../../suites/profiles/proof-of-address.toml"),
        include_str!("../../../suites/profiles/proof-of-address.schema.json"),
    ),
    (
        "education-credential",
        include_str!("../../../suites/profiles/education-credential.toml"),
        include_str!("../../../suites/profiles/education-credential.schema.json"),
    ),
    (
        "proof-of-vaccination",
        include_str!("../../../suites/profiles/proof-of-vaccination.toml"),
        include_str!("../../../suites/profiles/proof-of-vaccination.schema.json"),
    ),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    id: String,
    title: String,
    #[serde(default)]
    description: String,
    vct: Option<String>,
    #[serde(default)]
    vc_types: Vec<String>,
    mdoc_doctype: Option<String>,
    shc_type: Option<String>,
    #[serde(default)]
    selectively_disclosable: Vec<String>,
    schema: String,
}

pub struct Profile {
    pub id: String,
    pub title: String,
    pub description: String,
    pub vct: Option<String>,
    pub(crate) vc_types: Vec<String>,
    pub(crate) mdoc_doctype: Option<String>,
    pub(crate) shc_type: Option<String>,
    pub(crate) selectively_disclosable: Vec<String>,
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Profile({})", self.id)
    }
}

impl Profile {
    fn build(name: &str, toml_text: &str, schema_text: &str) -> Result<Self, String> {
        let file: ProfileFile = toml::from_str(toml_text).map_err(|e| format!("{name}.toml: {e}"))?;
        let schema: Value = serde_json::from_str(schema_text).map_err(|e| format!("{}: not JSON: {e}", file.schema))?;
        let validator =
            jsonschema::validator_for(&schema).map_err(|e| format!("{}: not a JSON Schema: {e}", file.schema))?;
        Ok(Self {
            id: file.id,
            title: file.title,
            description: file.description,
            vct: file.vct,
            vc_types: file.vc_types,
            mdoc_doctype: file.mdoc_doctype,
            shc_type: file.shc_type,
            selectively_disclosable: file.selectively_disclosable,
            validator,
        })
    }

    /// Schema problems of `claims`, empty when they conform.
    pub fn problems(&self, claims: &Value) -> Vec<String> {
        self.validator
            .iter_errors(claims)
            .map(|e| {
                let at = e.instance_path().to_string();
                if at.is_empty() { e.to_string() } else { format!("{e} (at {at})") }
            })
            .collect()
    }
}

#[derive(Debug, Default)]
pub struct Profiles {
    pub profiles: Vec<Profile>,
}

impl Profiles {
    /// The example profiles built into dialtone. They are part of the binary; a test proves they load.
    pub fn embedded() -> Self {
        let profiles = EMBEDDED.iter().filter_map(|(name, t, s)| Profile::build(name, t, s).ok()).collect();
        Self { profiles }
    }

    /// The files of the profiles built in (their path in the repository, their text): what a
    /// signed bundle names among its inputs.
    pub fn embedded_sources() -> Vec<(String, &'static str)> {
        EMBEDDED
            .iter()
            .flat_map(|(name, toml, schema)| {
                [
                    (format!("suites/profiles/{name}.toml"), *toml),
                    (format!("suites/profiles/{name}.schema.json"), *schema),
                ]
            })
            .collect()
    }

    /// Every `*.toml` of a folder, each naming its schema file beside it.
    pub fn load_dir(dir: &Path) -> Result<Self, String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let mut profiles = Vec::new();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let file: ProfileFile = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            let schema_path = dir.join(&file.schema);
            let schema = std::fs::read_to_string(&schema_path)
                .map_err(|e| format!("{}: cannot read schema {}: {e}", path.display(), schema_path.display()))?;
            let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            profiles.push(Profile::build(&name, &text, &schema).map_err(|e| format!("{}: {e}", dir.display()))?);
        }
        Ok(Self { profiles })
    }

    pub(crate) fn by_vct(&self, vct: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.vct.as_deref() == Some(vct))
    }

    pub(crate) fn by_vc_type(&self, types: &[&str]) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.vc_types.iter().any(|t| types.contains(&t.as_str())))
    }

    pub(crate) fn by_doctype(&self, doctype: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.mdoc_doctype.as_deref() == Some(doctype))
    }

    pub(crate) fn by_shc_type(&self, types: &[&str]) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.shc_type.as_deref().is_some_and(|t| types.contains(&t)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_profiles_load_and_judge() {
        for (name, t, s) in EMBEDDED {
            Profile::build(name, t, s).unwrap_or_else(|e| panic!("{e}"));
        }
        let profiles = Profiles::embedded();
        assert_eq!(profiles.profiles.len(), 7);
        let person = profiles.by_vct("urn:dialtone:vct:verified-person:1").expect("verified person");
        assert!(
            person
                .problems(&serde_json::json!({"given_name": "A", "family_name": "B", "birthdate": "1990-07-01"}))
                .is_empty()
        );
        assert!(!person.problems(&serde_json::json!({"given_name": "A"})).is_empty());
        assert!(profiles.by_shc_type(&["https://smarthealth.cards#immunization"]).is_some());
    }
}
