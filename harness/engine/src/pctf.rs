//! The PSP PCTF v1.5 criteria catalogue (embedded from `suites/pctf/`) and the per-criterion status
//! a report carries.

use crate::model::{CaseResult, CriterionResult, CriterionStatus, PctfSection, Verdict};
use crate::tally::{CriterionTally, Tally};
use std::collections::BTreeMap;

const CATALOGUE_CSV: &str = include_str!("../../../suites/pctf/psp_pctf_v1_5_criteria.csv");
const APPLICABILITY_TOML: &str = include_str!("../../../suites/pctf/applicability.toml");
/// The catalogue's files as built in (their path in the repository, their text): what a signed
/// bundle names among its inputs.
pub const SOURCES: &[(&str, &str)] = &[
    ("suites/pctf/psp_pctf_v1_5_criteria.csv", CATALOGUE_CSV),
    ("suites/pctf/applicability.toml", APPLICABILITY_TOML),
    // The French names and texts that report.html shows under `--lang fr`.
    crate::pctf_french::SOURCE,
];
pub(crate) const CATALOGUE_NAME: &str = "PSP PCTF (Public Sector Profile of the Pan-Canadian Trust Framework)";
pub(crate) const CATALOGUE_VERSION: &str = "1.5 (assessment workbook 2024-08-22, consultation draft)";

#[derive(Debug, Clone)]
pub struct Criterion {
    pub(crate) process_id: String,
    pub process: String,
    pub(crate) qualifiers: String,
    pub id: String,
    pub text: String,
}

pub struct Catalogue {
    pub criteria: Vec<Criterion>,
    applicability: Applicability,
}

#[derive(serde::Deserialize)]
struct Applicability {
    domains: BTreeMap<String, Vec<String>>,
    processes: BTreeMap<String, Vec<String>>,
}

impl Catalogue {
    /// The embedded catalogue. It is part of the binary, so a parse failure is a build defect,
    /// caught by this crate's tests.
    pub fn embedded() -> Self {
        let rows = parse_csv(CATALOGUE_CSV);
        let criteria = rows
            .into_iter()
            .skip(1)
            .filter(|r| r.len() >= 5)
            .map(|r| Criterion {
                process_id: r[0].clone(),
                process: r[1].clone(),
                qualifiers: r[2].clone(),
                id: r[3].clone(),
                text: r[4].trim().to_string(),
            })
            .collect();
        let applicability = toml::from_str(APPLICABILITY_TOML)
            .unwrap_or(Applicability { domains: BTreeMap::new(), processes: BTreeMap::new() });
        Self { criteria, applicability }
    }

    pub fn contains(&self, id: &str) -> bool {
        self.criteria.iter().any(|c| c.id == id)
    }

    pub fn get(&self, id: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.id == id)
    }

    fn applies(&self, process_id: &str, roles: &[String]) -> bool {
        let concerned = self
            .applicability
            .processes
            .get(process_id)
            .or_else(|| self.applicability.domains.get(process_id.get(..2).unwrap_or_default()));
        concerned.is_some_and(|list| list.iter().any(|r| roles.contains(r)))
    }

    /// For every criterion: the cases that cite it and the status they support.
    pub fn section(&self, results: &[CaseResult], roles_under_test: &[String]) -> PctfSection {
        self.section_of(&Tally::of(results), roles_under_test)
    }

    /// [`Self::section`] from a tally of the results.
    pub fn section_of(&self, tally: &Tally, roles_under_test: &[String]) -> PctfSection {
        let none = CriterionTally::default();
        let criteria = self
            .criteria
            .iter()
            .map(|c| {
                let cited = tally.criteria.get(&c.id).unwrap_or(&none);
                let verdicts = &cited.verdicts;
                let status = if cited.cases.is_empty() {
                    if self.applies(&c.process_id, roles_under_test) {
                        CriterionStatus::EvidenceRequired
                    } else {
                        CriterionStatus::NotApplicable
                    }
                } else if verdicts.contains(&Verdict::Fail) || verdicts.contains(&Verdict::Blocked) {
                    CriterionStatus::NotMet
                } else if verdicts.iter().all(|v| matches!(v, Verdict::Skip | Verdict::Error | Verdict::Inconclusive)) {
                    CriterionStatus::NotTested
                } else if verdicts.contains(&Verdict::Error) || verdicts.contains(&Verdict::Inconclusive) {
                    // Some evidence passed, but part of it could not be gathered.
                    CriterionStatus::NotTested
                } else {
                    CriterionStatus::Met
                };
                CriterionResult {
                    id: c.id.clone(),
                    process: c.process.clone(),
                    qualifiers: c.qualifiers.clone(),
                    text: c.text.clone(),
                    status,
                    cases: cited.cases.clone(),
                }
            })
            .collect();
        PctfSection { catalogue: CATALOGUE_NAME.into(), version: CATALOGUE_VERSION.into(), criteria }
    }
}

/// RFC 4180 CSV: quoted fields may hold commas, newlines and doubled quotes.
pub(crate) fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_244_criteria_with_known_ids() {
        let cat = Catalogue::embedded();
        assert_eq!(cat.criteria.len(), 244);
        assert!(cat.contains("CRIS.03") && cat.contains("CRAB.01") && cat.contains("SICH.02"));
        assert!(!cat.contains("CRIS.99"));
        assert!(cat.get("CRIS.02").unwrap().text.contains("identifies the Issuer"));
        assert!(cat.applies("CRIS", &["issuer".into()]));
        assert!(!cat.applies("CRVE", &["issuer".into()]));
        assert!(!cat.applies("SIDG", &["issuer".into()]));
    }
}
