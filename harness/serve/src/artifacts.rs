//! A `dialtone check` submission's stored artifacts: the verdict on each, with the rules it does
//! not meet and their clauses, read from the public report (its rule results are named
//! `RULE ARTIFACT`); and two checks compared artifact by artifact.

use dialtone_engine::model::{ArtifactResult, CaseResult, Verdict};
use std::collections::BTreeMap;

/// A rule an artifact does not meet (failed, warned, or could not be judged).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Finding {
    pub rule: String,
    pub title: String,
    pub level: String,
    pub verdict: String,
    /// The clauses the rule checks: `RFC9901 §4.1`.
    pub clauses: Vec<String>,
    pub observed: String,
}

/// One artifact's verdict and findings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct ArtifactView {
    pub name: String,
    pub format: Option<String>,
    pub verdict: String,
    pub reason: Option<String>,
    pub findings: Vec<Finding>,
}

/// The rule and the artifact a check's result is about (`SDJWTVC-002 issued/a.txt`).
fn rule_and_artifact(id: &str) -> Option<(&str, &str)> {
    id.split_once(' ')
}

fn not_met(verdict: Verdict) -> bool {
    matches!(verdict, Verdict::Fail | Verdict::Warn | Verdict::Error)
}

/// Every artifact of a check's report, with the rules it does not meet, in the report's order.
pub(crate) fn views(artifacts: &[ArtifactResult], results: &[CaseResult]) -> Vec<ArtifactView> {
    let mut findings: BTreeMap<&str, Vec<Finding>> = BTreeMap::new();
    for r in results.iter().filter(|r| not_met(r.verdict)) {
        let Some((rule, artifact)) = rule_and_artifact(&r.id) else { continue };
        findings.entry(artifact).or_default().push(Finding {
            rule: rule.to_string(),
            title: r.title.clone(),
            level: r.level.as_str().to_string(),
            verdict: r.verdict.as_str().to_string(),
            clauses: r.spec.iter().map(|s| format!("{} §{}", s.doc, s.section)).collect(),
            observed: r.observed.clone(),
        });
    }
    artifacts
        .iter()
        .map(|a| ArtifactView {
            name: a.name.clone(),
            format: a.format.clone(),
            verdict: a.verdict.as_str().to_string(),
            reason: a.reason.clone(),
            findings: findings.get(a.name.as_str()).cloned().unwrap_or_default(),
        })
        .collect()
}

/// An artifact's verdict before and after (empty: it was not in that check).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct ArtifactChange {
    pub name: String,
    pub before: String,
    pub after: String,
}

/// Two checks, artifact by artifact (matched by name: the n-th of a name to the n-th).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub(crate) struct ArtifactComparison {
    /// Invalid now, and not before (or new and invalid).
    pub newly_failing: Vec<ArtifactChange>,
    /// Valid or acceptable now, and not before.
    pub newly_passing: Vec<ArtifactChange>,
    /// Any other change (unverified, not judged, a form not read).
    pub changed: Vec<ArtifactChange>,
    /// Artifacts the earlier check did not have.
    pub new: Vec<ArtifactChange>,
    /// Artifacts the later check does not have.
    pub gone: Vec<ArtifactChange>,
    pub unchanged: usize,
}

fn passing(verdict: &str) -> bool {
    matches!(verdict, "valid" | "acceptable")
}

fn keyed(artifacts: &[ArtifactResult]) -> Vec<((String, usize), &'static str)> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    artifacts
        .iter()
        .map(|a| {
            let n = seen.entry(a.name.as_str()).or_default();
            let key = (a.name.clone(), *n);
            *n += 1;
            (key, a.verdict.as_str())
        })
        .collect()
}

pub(crate) fn compare(before: &[ArtifactResult], after: &[ArtifactResult]) -> ArtifactComparison {
    let old: BTreeMap<(String, usize), &str> = keyed(before).into_iter().collect();
    let new = keyed(after);
    let mut c = ArtifactComparison::default();
    for ((name, n), now) in &new {
        let change =
            |before: &str| ArtifactChange { name: name.clone(), before: before.into(), after: now.to_string() };
        let Some(was) = old.get(&(name.clone(), *n)) else {
            c.new.push(change(""));
            if *now == "invalid" {
                c.newly_failing.push(change(""));
            }
            continue;
        };
        if was == now {
            c.unchanged += 1;
        } else if *now == "invalid" {
            c.newly_failing.push(change(was));
        } else if passing(now) && !passing(was) {
            c.newly_passing.push(change(was));
        } else {
            c.changed.push(change(was));
        }
    }
    let kept: std::collections::BTreeSet<&(String, usize)> = new.iter().map(|(k, _)| k).collect();
    c.gone = keyed(before)
        .into_iter()
        .filter(|(k, _)| !kept.contains(k))
        .map(|((name, _), was)| ArtifactChange { name, before: was.into(), after: String::new() })
        .collect();
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use dialtone_engine::model::ArtifactStatus;

    fn a(name: &str, verdict: ArtifactStatus) -> ArtifactResult {
        ArtifactResult { name: name.into(), format: Some("sd-jwt-vc".into()), verdict, reason: None }
    }

    #[test]
    fn two_checks_are_told_apart_artifact_by_artifact() {
        use ArtifactStatus::*;
        let before = [a("a", Valid), a("b", Invalid), a("c", Valid), a("d", Unverified), a("e", Valid)];
        let after = [a("a", Invalid), a("b", Acceptable), a("c", Valid), a("d", Error), a("f", Invalid), a("g", Valid)];
        let c = compare(&before, &after);
        let names = |v: &[ArtifactChange]| v.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&c.newly_failing), ["a", "f"]);
        assert_eq!(names(&c.newly_passing), ["b"]);
        assert_eq!(names(&c.changed), ["d"]);
        assert_eq!(names(&c.new), ["f", "g"]);
        assert_eq!(names(&c.gone), ["e"]);
        assert_eq!(c.unchanged, 1);
        assert_eq!((c.newly_failing[0].before.as_str(), c.newly_failing[0].after.as_str()), ("valid", "invalid"));
    }
}
