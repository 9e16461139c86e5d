//! Suite files (TOML, under `suites/`): declarative test cases. Loading validates every case and
//! reports each problem with the file and line it comes from.

use crate::model::{Level, SpecRef};
use crate::pctf::Catalogue;
use crate::role::Role;
use serde::Deserialize;
use serde_spanned::Spanned;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One validated test case: metadata, and the driver that runs it with its parameters.
#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub title: String,
    pub role: Role,
    /// The binding (role × protocol interface) its suite tests, e.g. `oid4vci-issuer`.
    pub binding: String,
    pub level: Level,
    pub driver: String,
    pub spec: Vec<SpecRef>,
    pub pctf: Vec<String>,
    pub requires: Vec<String>,
    pub caught_by: Vec<String>,
    /// Cases of which one must pass for a pass of this one to mean anything (a verifier that refuses
    /// every presentation passes every "is rejected" case): otherwise its pass becomes an inconclusive
    /// skip. Several are alternatives (the same happy flow by `authorization_details` or by `scope`).
    pub depends_on: Vec<String>,
    /// The steps this case judges, whose failure other cases need as a precondition: their
    /// failures are then reported as blocked by this one.
    pub root_of: Vec<String>,
    /// Interoperability profiles under which this case is a MUST although its base specification
    /// makes it a SHOULD or a MAY (e.g. `haip-1.0`).
    pub must_under: Vec<String>,
    /// Set by the plan: the claimed profile that raised this case's level to MUST.
    pub level_by: Option<String>,
    /// What the driver varies for this case; checked against the driver's parameters at load.
    pub params: toml::Table,
    pub suite: String,
    pub file: PathBuf,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct Suite {
    pub id: String,
    pub title: String,
    pub role: Role,
    pub binding: String,
    pub file: PathBuf,
    pub cases: Vec<Case>,
}

/// One problem in a suite file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteProblem {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for SuiteProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct SuiteErrors(pub Vec<SuiteProblem>);

/// A driver as the suite loader knows it: its name, the binding it drives, and the check of the
/// parameters it reads (so a misspelt parameter is an error at load, not a silent default).
#[derive(Clone, Copy)]
pub struct DriverSpec {
    pub name: &'static str,
    pub binding: &'static str,
    pub validate: fn(&toml::Table) -> Result<(), String>,
}

/// What a suite may name: the bindings and drivers the harness implements, the mutants the
/// references have, and the PCTF criteria.
pub struct Vocabulary<'a> {
    pub bindings: &'a [&'a str],
    pub drivers: &'a [DriverSpec],
    pub mutants: &'a [&'a str],
    pub catalogue: &'a Catalogue,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    suite: Spanned<RawSuite>,
    #[serde(default)]
    case: Vec<Spanned<RawCase>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuite {
    id: String,
    title: String,
    role: String,
    binding: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    id: Spanned<String>,
    title: String,
    role: Option<String>,
    level: Spanned<String>,
    driver: Spanned<String>,
    #[serde(default)]
    spec: Vec<Spanned<RawSpecRef>>,
    #[serde(default)]
    pctf: Vec<Spanned<String>>,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    caught_by: Vec<Spanned<String>>,
    #[serde(default)]
    depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    root_of: Vec<String>,
    #[serde(default)]
    must_under: Vec<String>,
    params: Option<Spanned<toml::Table>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpecRef {
    doc: String,
    section: String,
}

/// Loads every `*.toml` suite directly under `dir` (sorted by name), validating all of them
/// together (ids must be unique across files).
pub fn load_dir(dir: &Path, vocab: &Vocabulary<'_>) -> Result<Vec<Suite>, SuiteErrors> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        SuiteErrors(vec![SuiteProblem {
            file: dir.into(),
            line: 0,
            message: format!("cannot read the suites folder: {e}"),
        }])
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    files.sort();
    let sources = files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).map_err(|e| {
                SuiteErrors(vec![SuiteProblem { file: f.clone(), line: 0, message: format!("cannot read: {e}") }])
            })?;
            Ok((f, text))
        })
        .collect::<Result<Vec<_>, SuiteErrors>>()?;
    load_sources(&sources, vocab)
}

/// Loads suites from `(file name, text)` pairs (the embedded suites use this too).
pub fn load_sources(sources: &[(PathBuf, String)], vocab: &Vocabulary<'_>) -> Result<Vec<Suite>, SuiteErrors> {
    let mut problems = Vec::new();
    let mut suites = Vec::new();
    let mut seen: HashMap<String, (PathBuf, usize)> = HashMap::new();
    let mut pending_dependencies: Vec<(PathBuf, usize, String, String)> = Vec::new();
    for (file, text) in sources {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let mut problem =
            |line: usize, message: String| problems.push(SuiteProblem { file: file.clone(), line, message });
        let raw: RawFile = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let line = e.span().map(|s| line_of(s.start)).unwrap_or(0);
                problem(line, e.message().trim().to_string());
                continue;
            }
        };
        let suite_line = line_of(raw.suite.span().start);
        let suite_raw = raw.suite.into_inner();
        let suite_role = Role::played(&suite_raw.role).unwrap_or_else(|| {
            problem(
                suite_line,
                format!("unknown role {:?} (expected one of {})", suite_raw.role, Role::played_names()),
            );
            Role::Issuer
        });
        if !vocab.bindings.contains(&suite_raw.binding.as_str()) {
            problem(
                suite_line,
                format!("unknown binding {:?} (expected one of {})", suite_raw.binding, vocab.bindings.join(", ")),
            );
        }
        let mut cases = Vec::new();
        for spanned in raw.case {
            let line = line_of(spanned.span().start);
            let rc = spanned.into_inner();
            let id_line = line_of(rc.id.span().start);
            let id = rc.id.into_inner();
            if id.trim().is_empty() {
                problem(id_line, "empty case id".into());
            }
            if let Some((other_file, other_line)) = seen.get(&id) {
                problem(
                    id_line,
                    format!("duplicate case id {id:?} (first defined at {}:{other_line})", other_file.display()),
                );
            } else {
                seen.insert(id.clone(), (file.clone(), id_line));
            }
            let level = match rc.level.get_ref().as_str() {
                "MUST" => Level::Must,
                "SHOULD" => Level::Should,
                "MAY" => Level::May,
                other => {
                    problem(
                        line_of(rc.level.span().start),
                        format!("case {id}: unknown level {other:?} (MUST, SHOULD or MAY)"),
                    );
                    Level::Must
                }
            };
            let driver = rc.driver.get_ref().clone();
            let driver_line = line_of(rc.driver.span().start);
            let (params, params_line) = match rc.params {
                Some(p) => {
                    let line = line_of(p.span().start);
                    (p.into_inner(), line)
                }
                None => (toml::Table::new(), driver_line),
            };
            match vocab.drivers.iter().find(|d| d.name == driver) {
                None => problem(driver_line, format!("case {id}: unknown driver {driver:?}")),
                Some(d) => {
                    if d.binding != suite_raw.binding {
                        problem(
                            driver_line,
                            format!(
                                "case {id}: driver {driver:?} drives the {} binding, not this suite's {}",
                                d.binding, suite_raw.binding
                            ),
                        );
                    }
                    if let Err(e) = (d.validate)(&params) {
                        problem(params_line, format!("case {id}: params for driver {driver:?}: {}", e.trim()));
                    }
                }
            }
            if rc.spec.is_empty() {
                problem(
                    line,
                    format!("case {id}: missing spec reference (spec = [{{ doc = \"…\", section = \"…\" }}])"),
                );
            }
            let mut spec = Vec::new();
            for s in rc.spec {
                let sline = line_of(s.span().start);
                let s = s.into_inner();
                if crate::spec::find(&s.doc).is_none() {
                    problem(sline, format!("case {id}: unknown spec document {:?}", s.doc));
                }
                if s.section.trim().is_empty() {
                    problem(sline, format!("case {id}: spec reference to {} has no section", s.doc));
                }
                spec.push(SpecRef { doc: s.doc, section: s.section });
            }
            let mut pctf = Vec::new();
            for p in rc.pctf {
                if !vocab.catalogue.contains(p.get_ref()) {
                    problem(
                        line_of(p.span().start),
                        format!(
                            "case {id}: unknown PCTF criterion {:?} (not in the PSP PCTF v1.5 catalogue)",
                            p.get_ref()
                        ),
                    );
                }
                pctf.push(p.into_inner());
            }
            let mut caught_by = Vec::new();
            for m in rc.caught_by {
                if !vocab.mutants.contains(&m.get_ref().as_str()) {
                    problem(line_of(m.span().start), format!("case {id}: unknown mutant {:?}", m.get_ref()));
                }
                caught_by.push(m.into_inner());
            }
            let mut depends_on = Vec::new();
            for d in rc.depends_on {
                pending_dependencies.push((file.clone(), line_of(d.span().start), id.clone(), d.get_ref().clone()));
                depends_on.push(d.into_inner());
            }
            let role = match rc.role {
                None => suite_role,
                Some(name) => Role::played(&name).unwrap_or_else(|| {
                    problem(line, format!("case {id}: unknown role {name:?}"));
                    suite_role
                }),
            };
            if level == Level::Must && !rc.must_under.is_empty() {
                problem(line, format!("case {id}: must_under names profiles, but the case is a MUST already"));
            }
            cases.push(Case {
                id,
                title: rc.title,
                role,
                binding: suite_raw.binding.clone(),
                level,
                driver,
                spec,
                pctf,
                requires: rc.requires,
                caught_by,
                depends_on,
                root_of: rc.root_of,
                must_under: rc.must_under,
                level_by: None,
                params,
                suite: suite_raw.id.clone(),
                file: file.clone(),
                line,
            });
        }
        suites.push(Suite {
            id: suite_raw.id,
            title: suite_raw.title,
            role: suite_role,
            binding: suite_raw.binding,
            file: file.clone(),
            cases,
        });
    }
    for (file, line, id, dependency) in pending_dependencies {
        if !seen.contains_key(&dependency) {
            problems.push(SuiteProblem {
                file,
                line,
                message: format!("case {id}: depends on unknown case {dependency:?}"),
            });
        }
    }
    if problems.is_empty() { Ok(suites) } else { Err(SuiteErrors(problems)) }
}

/// Cases of all suites, in file order.
pub fn all_cases(suites: &[Suite]) -> Vec<&Case> {
    suites.iter().flat_map(|s| s.cases.iter()).collect()
}
