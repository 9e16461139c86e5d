//! The counts a report's verdict, summary and PCTF section are made of, kept as results arrive:
//! `run` tallies its results at the end, `check` one artifact at a time, so that its memory does
//! not grow with the number of artifacts.

use crate::model::{CaseResult, CaseVerdict, Level, Summary, Verdict};
use crate::role::Role;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Results counted by verdict.
#[derive(Debug, Clone, Default)]
pub(crate) struct Counts {
    by_verdict: [usize; 8],
    pub(crate) total: usize,
    pub(crate) must_failed: usize,
    pub(crate) known: usize,
    /// Failures the expectations file lists.
    pub(crate) known_failures: usize,
}

fn slot(v: Verdict) -> usize {
    match v {
        Verdict::Pass => 0,
        Verdict::Fail => 1,
        Verdict::Warn => 2,
        Verdict::Info => 3,
        Verdict::Blocked => 4,
        Verdict::Inconclusive => 5,
        Verdict::Skip => 6,
        Verdict::Error => 7,
    }
}

impl Counts {
    fn add(&mut self, r: &CaseResult) {
        self.count(r.verdict, r.level, r.known_failure.is_some());
    }

    fn count(&mut self, verdict: Verdict, level: Level, known: bool) {
        self.by_verdict[slot(verdict)] += 1;
        self.total += 1;
        if verdict == Verdict::Fail && level == Level::Must {
            self.must_failed += 1;
        }
        if known {
            self.known += 1;
        }
        if verdict == Verdict::Fail && known {
            self.known_failures += 1;
        }
    }

    pub(crate) fn of(&self, v: Verdict) -> usize {
        self.by_verdict[slot(v)]
    }
}

/// The results that cite one PCTF criterion: their verdicts, and the cases behind them — for an
/// artifact's rule rows, the rule (once per verdict), not each artifact's row.
#[derive(Debug, Clone, Default)]
pub(crate) struct CriterionTally {
    pub(crate) verdicts: HashSet<Verdict>,
    pub(crate) cases: Vec<CaseVerdict>,
    /// The rules (with a verdict) already listed for artifact rows: a few per criterion, looked up
    /// without building a key for each of the many rows.
    listed: Vec<(String, Verdict)>,
}

impl CriterionTally {
    /// An artifact's rule row: the rule is listed once per verdict.
    fn add_rule(&mut self, rule: &str, verdict: Verdict) {
        self.verdicts.insert(verdict);
        if !self.listed.iter().any(|(r, v)| r == rule && *v == verdict) {
            self.listed.push((rule.to_string(), verdict));
            self.cases.push(CaseVerdict { id: rule.to_string(), verdict });
        }
    }
}

/// Everything a report's verdict is made of, result by result.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub(crate) all: Counts,
    pub(crate) roles: BTreeMap<Role, Counts>,
    pub(crate) plans: BTreeMap<String, Counts>,
    pub(crate) criteria: HashMap<String, CriterionTally>,
}

impl Tally {
    pub fn of(results: &[CaseResult]) -> Self {
        let mut tally = Self::default();
        for r in results {
            tally.add(r);
        }
        tally
    }

    pub fn add(&mut self, r: &CaseResult) {
        self.all.add(r);
        self.roles.entry(r.role).or_default().add(r);
        match self.plans.get_mut(&r.plan) {
            Some(counts) => counts.add(r),
            None => self.plans.entry(r.plan.clone()).or_default().add(r),
        }
        for id in &r.pctf {
            let criterion = match self.criteria.get_mut(id) {
                Some(c) => c,
                None => self.criteria.entry(id.clone()).or_default(),
            };
            if r.role == Role::Artifact {
                // An artifact's row id is "<rule> <artifact>": the rule stands for all its rows.
                criterion.add_rule(r.id.split(' ').next().unwrap_or(&r.id), r.verdict);
            } else {
                criterion.verdicts.insert(r.verdict);
                criterion.cases.push(CaseVerdict { id: r.id.clone(), verdict: r.verdict });
            }
        }
    }

    /// An artifact's rule row, counted as [`Self::add`] counts the row it stands for (role
    /// `artifact`, no known failure), from the rule's own data: `check` tallies every row of every
    /// artifact this way without building it.
    pub fn add_rule_row(&mut self, plan: &str, rule: &str, level: Level, verdict: Verdict, pctf: &[&str]) {
        self.all.count(verdict, level, false);
        self.roles.entry(Role::Artifact).or_default().count(verdict, level, false);
        match self.plans.get_mut(plan) {
            Some(counts) => counts.count(verdict, level, false),
            None => self.plans.entry(plan.to_string()).or_default().count(verdict, level, false),
        }
        for id in pctf {
            match self.criteria.get_mut(*id) {
                Some(c) => c.add_rule(rule, verdict),
                None => self.criteria.entry(id.to_string()).or_default().add_rule(rule, verdict),
            }
        }
    }

    pub fn summary(&self) -> Summary {
        let c = &self.all;
        Summary {
            total: c.total,
            pass: c.of(Verdict::Pass),
            fail: c.of(Verdict::Fail),
            warn: c.of(Verdict::Warn),
            info: c.of(Verdict::Info),
            blocked: c.of(Verdict::Blocked),
            inconclusive: c.of(Verdict::Inconclusive),
            skip: c.of(Verdict::Skip),
            error: c.of(Verdict::Error),
            must_failed: c.must_failed,
            known: c.known,
        }
    }

    /// The exit code of `run` and `check` before unverified artifacts are considered: 3 when
    /// something could not be judged, 1 when a MUST failure is not a known one, else 0.
    pub fn exit_code(&self) -> i32 {
        if self.all.of(Verdict::Error) > 0 {
            3
        } else if self.all.of(Verdict::Fail) > self.all.known_failures {
            1
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, role: Role, verdict: Verdict) -> CaseResult {
        CaseResult {
            id: id.into(),
            plan: "p".into(),
            title: String::new(),
            role,
            level: Level::Must,
            verdict,
            driver: String::new(),
            spec: Vec::new(),
            pctf: vec!["CRVA.01".into()],
            expected: String::new(),
            observed: String::new(),
            precondition: None,
            blocked_by: None,
            candidate_said: None,
            known_failure: None,
            level_by: None,
            evidence: Vec::new(),
            duration_ms: 0.0,
            candidate_ms: 0.0,
        }
    }

    #[test]
    fn artifact_rows_cite_a_criterion_once_per_rule_and_verdict_and_cases_each_time() {
        let mut tally = Tally::default();
        for n in 0..1000 {
            tally.add(&row(&format!("SHC-008 card-{n}.txt"), Role::Artifact, Verdict::Pass));
        }
        tally.add(&row("SHC-008 bad.txt", Role::Artifact, Verdict::Fail));
        let c = &tally.criteria["CRVA.01"];
        let cases: Vec<(&str, Verdict)> = c.cases.iter().map(|c| (c.id.as_str(), c.verdict)).collect();
        assert_eq!(cases, [("SHC-008", Verdict::Pass), ("SHC-008", Verdict::Fail)]);
        assert_eq!(tally.summary().total, 1001);
        assert_eq!(tally.exit_code(), 1);
        // The same rows from the rule's data, as `check` counts them.
        let mut direct = Tally::default();
        for _ in 0..1000 {
            direct.add_rule_row("p", "SHC-008", Level::Must, Verdict::Pass, &["CRVA.01"]);
        }
        direct.add_rule_row("p", "SHC-008", Level::Must, Verdict::Fail, &["CRVA.01"]);
        let direct_cases: Vec<(&str, Verdict)> =
            direct.criteria["CRVA.01"].cases.iter().map(|c| (c.id.as_str(), c.verdict)).collect();
        assert_eq!(direct_cases, cases);
        assert_eq!(direct.criteria["CRVA.01"].verdicts, c.verdicts);
        assert_eq!(format!("{:?}", direct.summary()), format!("{:?}", tally.summary()));
        assert_eq!(format!("{:?}", direct.roles), format!("{:?}", tally.roles));
        assert_eq!(format!("{:?}", direct.plans), format!("{:?}", tally.plans));
        assert_eq!(direct.exit_code(), tally.exit_code());
        let mut run = Tally::default();
        run.add(&row("A-1", Role::Issuer, Verdict::Pass));
        run.add(&row("A-2", Role::Issuer, Verdict::Pass));
        assert_eq!(run.criteria["CRVA.01"].cases.len(), 2);
        assert_eq!(run.exit_code(), 0);
    }
}
