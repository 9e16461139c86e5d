//! The PSP PCTF criteria in French (`suites/pctf/psp_pctf_v1_5_criteria_fr.csv`): for each criterion
//! of the English catalogue, its process name and text in French, each marked as the official
//! French text (the PSP PCTF v1.4 *Cahier d'évaluation*, where the v1.5 English is the same as
//! v1.4's) or the project's translation. `suites/pctf/README.md` says how the file was derived.

use crate::pctf::parse_csv;
use std::collections::BTreeMap;

const CATALOGUE_FR_CSV: &str = include_str!("../../../suites/pctf/psp_pctf_v1_5_criteria_fr.csv");
/// The catalogue's name and version in French.
pub const CATALOGUE_NAME_FR: &str = "PSP CCP (Profil du secteur public du Cadre de confiance pancanadien)";
pub const CATALOGUE_VERSION_FR: &str = "1.5 (classeur d'évaluation du 2024-08-22, ébauche de consultation)";

/// Where a French text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The Government of Canada's French text (PSP PCTF v1.4, *Cahier d'évaluation*).
    Official,
    /// The dialtone project's translation.
    Project,
}

impl Source {
    fn parse(text: &str) -> Option<Source> {
        match text.trim() {
            "official-1.4" => Some(Source::Official),
            "project" => Some(Source::Project),
            _ => None,
        }
    }
}

/// One criterion in French.
#[derive(Debug, Clone)]
pub struct CriterionFr {
    pub process: String,
    pub process_source: Source,
    pub text: String,
    pub text_source: Source,
}

impl CriterionFr {
    /// Whether any of its French is the project's translation.
    pub fn project_translation(&self) -> bool {
        self.process_source == Source::Project || self.text_source == Source::Project
    }
}

/// The French catalogue, by criterion id.
pub struct CatalogueFr {
    pub criteria: BTreeMap<String, CriterionFr>,
}

impl CatalogueFr {
    /// The embedded French catalogue (part of the binary: a malformed row is a build defect,
    /// caught by this crate's tests, and left out rather than shown wrong).
    pub fn embedded() -> &'static CatalogueFr {
        static FR: std::sync::OnceLock<CatalogueFr> = std::sync::OnceLock::new();
        FR.get_or_init(|| {
            let criteria = parse_csv(CATALOGUE_FR_CSV)
                .into_iter()
                .skip(1)
                .filter_map(|r| match r.as_slice() {
                    [id, process, process_source, text, text_source] => Some((
                        id.clone(),
                        CriterionFr {
                            process: process.clone(),
                            process_source: Source::parse(process_source)?,
                            text: text.trim().to_string(),
                            text_source: Source::parse(text_source)?,
                        },
                    )),
                    _ => None,
                })
                .collect();
            CatalogueFr { criteria }
        })
    }

    pub fn get(&self, id: &str) -> Option<&CriterionFr> {
        self.criteria.get(id)
    }
}

/// The French catalogue as built in (its path, its text): what a signed bundle names among its inputs.
pub const SOURCE: (&str, &str) = ("suites/pctf/psp_pctf_v1_5_criteria_fr.csv", CATALOGUE_FR_CSV);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pctf::Catalogue;

    #[test]
    fn every_criterion_has_its_french_and_no_french_names_a_criterion_that_does_not_exist() {
        let english = Catalogue::embedded();
        let french = CatalogueFr::embedded();
        let rows = parse_csv(CATALOGUE_FR_CSV).len() - 1;
        assert_eq!(rows, french.criteria.len(), "a malformed row (or an unknown source) in the French catalogue");
        for c in &english.criteria {
            let fr = french.get(&c.id).unwrap_or_else(|| panic!("{} has no French", c.id));
            assert!(!fr.process.trim().is_empty() && !fr.text.trim().is_empty(), "{}", c.id);
        }
        for id in french.criteria.keys() {
            assert!(english.contains(id), "{id} is in the French catalogue but not in the English one");
        }
        let official = french.criteria.values().filter(|c| c.text_source == Source::Official).count();
        assert_eq!((official, french.criteria.len() - official), (171, 73));
        let cris02 = french.get("CRIS.02").expect("CRIS.02");
        assert_eq!(cris02.process, "Délivrance des justificatifs d’identité");
        assert!(french.get("CRVE.05").is_some_and(CriterionFr::project_translation));
        assert!(french.get("IDES.01").is_some_and(|c| c.text_source == Source::Official && c.project_translation()));
    }
}
