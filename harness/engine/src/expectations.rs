//! Known failures (`--expectations FILE`, like BoGo's configuration of tests a shim is known to
//! fail): cases a candidate is expected to fail, each with the reason. The report shows them apart
//! and flags entries that now pass; the exit code ignores them, so a vendor's CI catches
//! regressions while a known gap is being fixed. The overall verdict still counts them: a known
//! failure is a failure.
//!
//! ```toml
//! [[expected]]
//! case = "OID4VP-VER-PRES-015"
//! reason = "the verifier does not query a trust registry yet"
//! ```

use serde::Deserialize;
use serde_spanned::Spanned;
use std::path::Path;

/// One expected failure.
#[derive(Debug, Clone)]
pub struct Expected {
    pub case: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Expectations {
    /// The file, as given.
    pub file: String,
    pub entries: Vec<Expected>,
}

#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ExpectationsError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    expected: Vec<RawExpected>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpected {
    case: Spanned<String>,
    reason: String,
}

impl Expectations {
    /// Reads an expectations file; every case it names must be a case of the suites
    /// (`known_case`), or the file is a configuration error naming the line.
    pub fn load(path: &Path, known_case: impl Fn(&str) -> bool) -> Result<Self, ExpectationsError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ExpectationsError {
            file: file.clone(),
            line: 0,
            message: format!("cannot read: {e}"),
        })?;
        Self::parse(&file, &text, known_case)
    }

    pub fn parse(file: &str, text: &str, known_case: impl Fn(&str) -> bool) -> Result<Self, ExpectationsError> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let error = |line: usize, message: String| ExpectationsError { file: file.to_string(), line, message };
        let raw: RawFile = toml::from_str(text)
            .map_err(|e| error(e.span().map(|s| line_of(s.start)).unwrap_or(0), e.message().trim().to_string()))?;
        let mut entries: Vec<Expected> = Vec::new();
        for e in raw.expected {
            let line = line_of(e.case.span().start);
            let case = e.case.into_inner();
            if !known_case(&case) {
                return Err(error(line, format!("no suite has a case {case:?}")));
            }
            if e.reason.trim().is_empty() {
                return Err(error(line, format!("{case}: give the reason it is expected to fail")));
            }
            if entries.iter().any(|x| x.case == case) {
                return Err(error(line, format!("{case} is listed twice")));
            }
            entries.push(Expected { case, reason: e.reason });
        }
        Ok(Self { file: file.to_string(), entries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_name_known_cases_with_a_reason_once() {
        let known = |c: &str| c.starts_with("A-");
        let ok = Expectations::parse("e.toml", "[[expected]]\ncase = \"A-1\"\nreason = \"gap\"\n", known).unwrap();
        assert_eq!(ok.entries[0].case, "A-1");
        let e = Expectations::parse(
            "e.toml",
            "[[expected]]\ncase = \"A-1\"\nreason = \"x\"\n\n[[expected]]\ncase = \"B-1\"\nreason = \"x\"\n",
            known,
        )
        .unwrap_err();
        assert_eq!((e.line, e.to_string()), (6, "e.toml:6: no suite has a case \"B-1\"".to_string()));
        let e = Expectations::parse("e.toml", "[[expected]]\ncase = \"A-1\"\nreason = \" \"\n", known).unwrap_err();
        assert!(e.message.contains("reason"), "{e}");
        let e = Expectations::parse("e.toml", "[[expected]]\ncase = \"A-1\"\nwhy = \"x\"\n", known).unwrap_err();
        assert_eq!(e.line, 3, "{e}");
    }
}
