//! report.json's form of a check's rule rows (schema 4): each rule's title, level, clauses and PCTF
//! criteria once, in `rules`, and each passing row as its id, verdict and what it observed (the
//! finding: which key verified, to which root a chain leads); a row that needs attention (fail,
//! warn, info, skip, error) keeps every member. Reading a report expands the compact rows again:
//! the rule's members from `rules`, the plan `artifact-rules`, the driver from the artifact's
//! format, no evidence; a passing row's share of its artifact's time is not kept.

use crate::model::{
    ArtifactResult, CandidateInfo, CaseResult, ExpectationsResult, Level, OverallVerdict, PctfSection, Report, SpecRef,
    Summary, Verdict,
};
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The plan of `dialtone check`'s rule rows.
pub const ARTIFACT_PLAN: &str = "artifact-rules";

/// A rule of a check, as each of its rows would otherwise repeat it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleInfo {
    pub title: String,
    pub level: Level,
    pub spec: Vec<SpecRef>,
    pub pctf: Vec<String>,
}

/// The same, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleRef<'a> {
    pub title: &'a str,
    pub level: Level,
    pub spec: &'a [SpecRef],
    pub pctf: &'a [String],
}

/// A passing rule row as report.json writes it.
#[derive(Serialize)]
pub struct CompactRow<'a, I: Serialize> {
    pub id: I,
    pub verdict: Verdict,
    pub observed: &'a str,
}

/// The rule and the artifact of a check's row: `SDJWTVC-001 issued/a.txt` (rule ids have no spaces).
pub fn rule_and_artifact(id: &str) -> Option<(&str, &str)> {
    id.split_once(' ')
}

/// The driver of an artifact's rows: `artifact::<format>` (`unknown` when not recognized).
pub fn driver_of(format: Option<&str>) -> String {
    format!("artifact::{}", format.unwrap_or("unknown"))
}

/// The rule table of a report's artifact rows, and which rows it lets report.json write compact.
struct Compaction<'a> {
    rules: BTreeMap<&'a str, RuleRef<'a>>,
    formats: HashMap<&'a str, Option<&'a str>>,
}

impl<'a> Compaction<'a> {
    fn of(results: &'a [CaseResult], artifacts: &'a [ArtifactResult]) -> Self {
        let mut rules = BTreeMap::new();
        for r in results.iter().filter(|r| r.role == Role::Artifact && r.plan == ARTIFACT_PLAN) {
            if let Some((rule, _)) = rule_and_artifact(&r.id) {
                rules.entry(rule).or_insert(RuleRef { title: &r.title, level: r.level, spec: &r.spec, pctf: &r.pctf });
            }
        }
        let mut formats = HashMap::new();
        for a in artifacts {
            formats.entry(a.name.as_str()).or_insert(a.format.as_deref());
        }
        Self { rules, formats }
    }

    /// Whether `r` reads back the same from its id, verdict and observation, but for its time: a
    /// passing artifact row with nothing else of its own.
    fn compact(&self, r: &CaseResult) -> bool {
        let Some((rule, artifact)) = rule_and_artifact(&r.id) else { return false };
        r.verdict == Verdict::Pass
            && r.role == Role::Artifact
            && r.plan == ARTIFACT_PLAN
            && r.expected.is_empty()
            && r.precondition.is_none()
            && r.blocked_by.is_none()
            && r.candidate_said.is_none()
            && r.known_failure.is_none()
            && r.level_by.is_none()
            && r.evidence.is_empty()
            && r.candidate_ms == 0.0
            && self.rules.get(rule) == Some(&RuleRef { title: &r.title, level: r.level, spec: &r.spec, pctf: &r.pctf })
            && self
                .formats
                .get(artifact)
                .is_some_and(|f| r.driver.strip_prefix("artifact::") == Some(f.unwrap_or("unknown")))
    }
}

/// A compact row read back as the row it stands for.
pub(crate) fn expand(
    id: String,
    verdict: Verdict,
    observed: String,
    rules: &BTreeMap<String, RuleInfo>,
    formats: &HashMap<&str, Option<&str>>,
) -> Result<CaseResult, String> {
    if verdict != Verdict::Pass {
        let verdict = verdict.as_str();
        return Err(format!(
            "result {id:?}: a row of only an id, a verdict and an observation is a pass, not {verdict}"
        ));
    }
    let (rule, artifact) = rule_and_artifact(&id).ok_or_else(|| format!("result {id:?}: not \"RULE ARTIFACT\""))?;
    let info = rules.get(rule).ok_or_else(|| format!("result {id:?}: rule {rule} is not in rules"))?;
    let format = formats.get(artifact).copied().flatten();
    Ok(CaseResult {
        plan: ARTIFACT_PLAN.into(),
        title: info.title.clone(),
        role: Role::Artifact,
        level: info.level,
        verdict,
        driver: driver_of(format),
        spec: info.spec.clone(),
        pctf: info.pctf.clone(),
        expected: String::new(),
        observed,
        precondition: None,
        blocked_by: None,
        candidate_said: None,
        known_failure: None,
        level_by: None,
        evidence: Vec::new(),
        duration_ms: 0.0,
        candidate_ms: 0.0,
        id,
    })
}

/// A report as report.json writes it (schema 4): [`Report`]'s members, with a check's rule table
/// before its rows and its passing rule rows compact.
pub struct ReportJson<'a>(pub &'a Report);

impl Serialize for ReportJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let report = self.0;
        let compaction = Compaction::of(&report.results, &report.artifacts);
        ReportOut {
            schema_version: &report.schema_version,
            tool: &report.tool,
            tool_version: &report.tool_version,
            generated_at: &report.generated_at,
            seed: report.seed,
            candidate: &report.candidate,
            verdict: &report.verdict,
            suites: &report.suites,
            summary: &report.summary,
            duration_ms: report.duration_ms,
            rules: &compaction.rules,
            results: Rows { results: &report.results, compaction: &compaction },
            artifacts: &report.artifacts,
            expectations: &report.expectations,
            pctf: &report.pctf,
        }
        .serialize(s)
    }
}

#[derive(Serialize)]
struct ReportOut<'a> {
    schema_version: &'a str,
    tool: &'a str,
    tool_version: &'a str,
    generated_at: &'a str,
    seed: Option<u64>,
    candidate: &'a CandidateInfo,
    verdict: &'a OverallVerdict,
    suites: &'a [String],
    summary: &'a Summary,
    duration_ms: f64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    rules: &'a BTreeMap<&'a str, RuleRef<'a>>,
    results: Rows<'a>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    artifacts: &'a [ArtifactResult],
    #[serde(skip_serializing_if = "Option::is_none")]
    expectations: &'a Option<ExpectationsResult>,
    pctf: &'a PctfSection,
}

struct Rows<'a> {
    results: &'a [CaseResult],
    compaction: &'a Compaction<'a>,
}

impl Serialize for Rows<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.results.len()))?;
        for r in self.results {
            if self.compaction.compact(r) {
                let row = CompactRow { id: &r.id, verdict: r.verdict, observed: &r.observed };
                seq.serialize_element(&row)?;
            } else {
                seq.serialize_element(r)?;
            }
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ArtifactStatus, CandidateInfo, Report};
    use crate::report::{Assembly, Subject, assemble};
    use serde_json::Value;

    fn row(rule: &str, artifact: &str, verdict: Verdict, observed: &str) -> CaseResult {
        CaseResult {
            id: format!("{rule} {artifact}"),
            plan: ARTIFACT_PLAN.into(),
            title: format!("the title of {rule} & <more>"),
            role: Role::Artifact,
            level: Level::Must,
            verdict,
            driver: "artifact::sd-jwt-vc".into(),
            spec: vec![SpecRef { doc: "RFC9901".into(), section: "4".into() }],
            pctf: vec!["CRVA.01".into()],
            expected: if verdict == Verdict::Pass { String::new() } else { "a thing".into() },
            observed: observed.into(),
            precondition: None,
            blocked_by: None,
            candidate_said: None,
            known_failure: None,
            level_by: None,
            evidence: Vec::new(),
            duration_ms: 0.5,
            candidate_ms: 0.0,
        }
    }

    fn report(results: Vec<CaseResult>, names: &[&str]) -> Report {
        let artifacts = names
            .iter()
            .map(|n| ArtifactResult {
                name: n.to_string(),
                format: Some("sd-jwt-vc".into()),
                verdict: ArtifactStatus::Valid,
                reason: None,
            })
            .collect();
        let subject = Subject {
            candidate: CandidateInfo {
                name: "2 stored artifacts".into(),
                vendor: String::new(),
                version: String::new(),
                roles: vec![Role::Artifact],
                base_url: String::new(),
                conformance: vec!["sd-jwt-vc".into()],
            },
            suites: vec![ARTIFACT_PLAN.into()],
            profiles: Vec::new(),
            seed: None,
        };
        let assembly = Assembly { subject, results, cases: &[], artifacts, expectations: None, duration_ms: 1.0 };
        assemble(assembly, &crate::pctf::Catalogue::embedded())
    }

    /// A passing rule row is written as its id, verdict and observation, its rule's members once
    /// in `rules`; a row that needs attention keeps every member; read back, the report has the
    /// same rows, but for a pass's time.
    #[test]
    fn passing_rule_rows_are_written_compact_and_read_back_whole() {
        let results = vec![
            row("SDJWTVC-001", "a b.txt", Verdict::Pass, "8 disclosures"),
            row("SDJWTVC-002", "a b.txt", Verdict::Fail, "typ \"jwt\""),
            row("SDJWTVC-001", "c.txt", Verdict::Pass, "2 disclosures"),
            row("SDJWTVC-012", "c.txt", Verdict::Skip, "no key binding JWT"),
        ];
        let original = report(results.clone(), &["a b.txt", "c.txt"]);
        let written: Value = serde_json::to_value(ReportJson(&original)).unwrap_or_default();
        assert_eq!(written["schema_version"], "4.0.0");
        let rows = written["results"].as_array().cloned().unwrap_or_default();
        assert_eq!(
            rows[0],
            serde_json::json!({"id": "SDJWTVC-001 a b.txt", "verdict": "pass", "observed": "8 disclosures"})
        );
        assert_eq!(
            rows[2],
            serde_json::json!({"id": "SDJWTVC-001 c.txt", "verdict": "pass", "observed": "2 disclosures"})
        );
        assert_eq!(rows[1]["observed"], "typ \"jwt\"");
        assert_eq!(rows[3]["observed"], "no key binding JWT");
        let table = written["rules"].as_object().cloned().unwrap_or_default();
        assert_eq!(table.keys().collect::<Vec<_>>(), ["SDJWTVC-001", "SDJWTVC-002", "SDJWTVC-012"]);
        assert_eq!(
            table["SDJWTVC-001"],
            serde_json::json!({"title": "the title of SDJWTVC-001 & <more>", "level": "MUST",
                "spec": [{"doc": "RFC9901", "section": "4"}], "pctf": ["CRVA.01"]})
        );
        let keys: Vec<&String> = written.as_object().map(|o| o.keys().collect()).unwrap_or_default();
        let at = |k: &str| keys.iter().position(|x| *x == k);
        assert_eq!(at("rules").map(|i| i + 1), at("results"), "the table just before the rows: {keys:?}");

        let read: Report = match serde_json::from_value(written) {
            Ok(r) => r,
            Err(e) => panic!("reads back: {e}"),
        };
        let mut expected = results;
        for r in expected.iter_mut().filter(|r| r.verdict == Verdict::Pass) {
            r.duration_ms = 0.0;
        }
        let json = |r: &[CaseResult]| serde_json::to_string(r).unwrap_or_default();
        assert_eq!(json(&read.results), json(&expected));
        // And written again, the same (the report to compare made now, perhaps a second later:
        // given the time read back).
        let mut again = report(expected, &["a b.txt", "c.txt"]);
        again.generated_at.clone_from(&read.generated_at);
        assert_eq!(
            serde_json::to_string(&ReportJson(&read)).unwrap_or_default(),
            serde_json::to_string(&ReportJson(&again)).unwrap_or_default()
        );
    }

    /// A passing row whose rule reads otherwise than the table, or with something else of its own,
    /// is written whole.
    #[test]
    fn a_passing_row_the_table_does_not_describe_is_written_whole() {
        let mut other_title = row("R-1", "b.txt", Verdict::Pass, "");
        other_title.title = "another title".into();
        let mut evidence = row("R-2", "a.txt", Verdict::Pass, "");
        evidence.evidence = vec![dialtone_http::EvidenceItem::Note { text: "seen".into() }];
        let mut driver = row("R-1", "c.txt", Verdict::Pass, "");
        driver.driver = "artifact::mdoc".into();
        let live =
            CaseResult { role: Role::Issuer, plan: "oid4vci-issuer".into(), ..row("VCI-1", "x", Verdict::Pass, "") };
        let results = vec![row("R-1", "a.txt", Verdict::Pass, ""), other_title, evidence, driver, live];
        let written =
            serde_json::to_value(ReportJson(&report(results, &["a.txt", "b.txt", "c.txt"]))).unwrap_or_default();
        let whole: Vec<bool> = written["results"]
            .as_array()
            .map(|rows| rows.iter().map(|r| r.get("title").is_some()).collect())
            .unwrap_or_default();
        assert_eq!(whole, [false, true, true, true, true]);
    }

    /// Schema 3's reports (every row whole) still read; a compact row that is not a pass, or whose
    /// rule the table lacks, is refused with the row named.
    #[test]
    fn whole_rows_read_and_a_compact_row_without_its_rule_or_not_a_pass_is_refused() {
        let mut old = serde_json::to_value(report(vec![row("R-1", "a.txt", Verdict::Pass, "ok")], &["a.txt"]))
            .unwrap_or_default();
        assert!(old["results"][0].get("title").is_some(), "the document's own form is every row whole");
        old["results"][0] = serde_json::to_value(row("R-1", "a.txt", Verdict::Pass, "ok")).unwrap_or_default();
        old["schema_version"] = "3.2.0".into();
        let read: Result<Report, _> = serde_json::from_value(old.clone());
        assert_eq!(read.map(|r| r.results[0].observed.clone()).ok().as_deref(), Some("ok"));

        let mut failed = old.clone();
        failed["results"][0] = serde_json::json!({"id": "R-1 a.txt", "verdict": "fail", "observed": ""});
        let error = serde_json::from_value::<Report>(failed).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("\"R-1 a.txt\"") && error.contains("not fail"), "{error}");

        let mut unknown = old;
        unknown["results"][0] = serde_json::json!({"id": "R-9 a.txt", "verdict": "pass", "observed": ""});
        let error = serde_json::from_value::<Report>(unknown).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("rule R-9 is not in rules"), "{error}");
    }
}
