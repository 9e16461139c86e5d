//! The difference between two runs of the same candidate: cases newly failing, newly passing,
//! otherwise changed, new, and no longer run.

use crate::store::ResultRow;
use std::collections::BTreeMap;

/// A result's verdict before and after.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Change {
    pub case_id: String,
    pub plan: String,
    pub level: String,
    pub title: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Comparison {
    /// A requirement not met now (`fail`, `warn`) that was not before (or the case is new).
    pub newly_failing: Vec<Change>,
    /// Passing now, failing before.
    pub newly_passing: Vec<Change>,
    /// Any other change of verdict (a skip that now runs, an error, a blocked case …).
    pub changed: Vec<Change>,
    /// Cases the earlier run did not have.
    pub new_cases: Vec<ResultRow>,
    /// Cases the later run does not have.
    pub gone: Vec<ResultRow>,
    pub unchanged: usize,
}

fn failing(verdict: &str) -> bool {
    matches!(verdict, "fail" | "warn")
}

/// Results are matched by plan and id (the n-th result with the same plan and id to the n-th: a
/// `check` judges one rule once per artifact).
type Key = (String, String, usize);

fn keyed(results: &[ResultRow]) -> Vec<(Key, &ResultRow)> {
    let mut seen: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut out = Vec::with_capacity(results.len());
    for r in results {
        let n = seen.entry((r.plan.as_str(), r.case_id.as_str())).or_default();
        out.push(((r.plan.clone(), r.case_id.clone(), *n), r));
        *n += 1;
    }
    out
}

pub(crate) fn compare(before: &[ResultRow], after: &[ResultRow]) -> Comparison {
    let old: BTreeMap<Key, &ResultRow> = keyed(before).into_iter().collect();
    let new = keyed(after);
    let new_keys: std::collections::BTreeSet<&Key> = new.iter().map(|(k, _)| k).collect();
    let mut c = Comparison::default();
    for (key, now) in &new {
        let Some(was) = old.get(key) else {
            c.new_cases.push((*now).clone());
            if failing(&now.verdict) {
                c.newly_failing.push(change(None, now));
            }
            continue;
        };
        if was.verdict == now.verdict {
            c.unchanged += 1;
        } else if failing(&now.verdict) && !failing(&was.verdict) {
            c.newly_failing.push(change(Some(was), now));
        } else if now.verdict == "pass" && failing(&was.verdict) {
            c.newly_passing.push(change(Some(was), now));
        } else {
            c.changed.push(change(Some(was), now));
        }
    }
    c.gone = keyed(before).into_iter().filter(|(k, _)| !new_keys.contains(k)).map(|(_, r)| r.clone()).collect();
    c
}

fn change(was: Option<&ResultRow>, now: &ResultRow) -> Change {
    Change {
        case_id: now.case_id.clone(),
        plan: now.plan.clone(),
        level: now.level.clone(),
        title: now.title.clone(),
        before: was.map(|w| w.verdict.clone()).unwrap_or_default(),
        after: now.verdict.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(id: &str, verdict: &str) -> ResultRow {
        ResultRow {
            case_id: id.into(),
            plan: "oid4vci-issuer".into(),
            level: "MUST".into(),
            verdict: verdict.into(),
            title: format!("case {id}"),
        }
    }

    #[test]
    fn a_second_run_is_told_apart_from_the_first() {
        let before = [r("A", "pass"), r("B", "fail"), r("C", "pass"), r("D", "skip"), r("E", "pass")];
        let after = [r("A", "fail"), r("B", "pass"), r("C", "pass"), r("D", "error"), r("F", "warn"), r("G", "pass")];
        let c = compare(&before, &after);
        let ids = |v: &[Change]| v.iter().map(|c| c.case_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&c.newly_failing), ["A", "F"]);
        assert_eq!(ids(&c.newly_passing), ["B"]);
        assert_eq!(ids(&c.changed), ["D"]);
        assert_eq!(c.new_cases.iter().map(|r| r.case_id.as_str()).collect::<Vec<_>>(), ["F", "G"]);
        assert_eq!(c.gone.iter().map(|r| r.case_id.as_str()).collect::<Vec<_>>(), ["E"]);
        assert_eq!(c.unchanged, 1);
        assert_eq!(c.newly_failing[0].before, "pass");
    }

    #[test]
    fn a_rule_judged_once_per_artifact_is_matched_by_its_place_among_its_namesakes() {
        let before = [r("R", "pass"), r("R", "fail")];
        let after = [r("R", "pass"), r("R", "pass"), r("R", "fail")];
        let c = compare(&before, &after);
        assert_eq!(c.newly_passing.len(), 1);
        assert_eq!(c.new_cases.len(), 1);
        assert_eq!(c.new_cases[0].verdict, "fail");
        assert_eq!(c.newly_failing.len(), 1);
    }
}
