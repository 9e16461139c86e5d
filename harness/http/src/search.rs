//! Finding the encoded secrets a [`crate::redact::Matcher`] replaces: leftmost-longest, without
//! overlaps (of the matches that start first, the longest; then on after it), as `aho_corasick`'s
//! `MatchKind::LeftmostLongest` finds them.
//!
//! A case makes a matcher whenever it learns a secret, several times per case, and searches short
//! texts with it: building an automaton for its few patterns costs more than looking for each of them
//! in turn (about 50 µs for five patterns and 110 µs for twenty, against 2 and 7 µs for a searcher
//! per pattern, which then look through 2 KB in about 2 µs). So a few patterns are looked for in turn,
//! and the automaton is built, once, for many patterns (the run's matcher) or a long text.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use memchr::memmem::Finder;
use std::sync::OnceLock;

/// Up to this many patterns are looked for in turn in a text of up to [`SCAN_BUDGET`] / patterns bytes.
const FEW: usize = 48;
/// Bytes scanned (text length × patterns) past which the automaton is worth building.
const SCAN_BUDGET: usize = 256 * 1024;

/// A match: the pattern's index and its byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) pattern: usize,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// A set of non-empty, distinct patterns.
pub(crate) struct Patterns {
    texts: Vec<String>,
    /// A searcher per pattern, for looking for them in turn.
    finders: Vec<Finder<'static>>,
    /// Built on the first search that needs it; `None` if it could not be built.
    automaton: OnceLock<Option<AhoCorasick>>,
}

impl Patterns {
    /// The patterns, empty ones dropped (a caller keeps them distinct).
    pub(crate) fn new(texts: Vec<String>) -> Self {
        let texts: Vec<String> = texts.into_iter().filter(|t| !t.is_empty()).collect();
        let finders = if texts.len() > FEW {
            Vec::new()
        } else {
            texts.iter().map(|t| Finder::new(t.as_bytes()).into_owned()).collect()
        };
        Self { texts, finders, automaton: OnceLock::new() }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// Every match in `text`, leftmost-longest, without overlaps.
    pub(crate) fn find_all(&self, text: &str) -> Vec<Found> {
        if self.texts.is_empty() {
            return Vec::new();
        }
        if self.wants_automaton(text) {
            return match self.automaton() {
                Some(a) => a
                    .try_find_iter(text)
                    .map(|matches| {
                        matches
                            .map(|m| Found { pattern: m.pattern().as_usize(), start: m.start(), end: m.end() })
                            .collect()
                    })
                    .unwrap_or_default(),
                None => Vec::new(),
            };
        }
        // Each pattern's first occurrence at or after `at`, looked for again once a match passed it.
        let bytes = text.as_bytes();
        let mut next: Vec<Option<usize>> = self.finders.iter().map(|f| f.find(bytes)).collect();
        let mut found = Vec::new();
        let mut at = 0;
        loop {
            let mut best: Option<Found> = None;
            for (pattern, (finder, next)) in self.finders.iter().zip(next.iter_mut()).enumerate() {
                if next.is_some_and(|start| start < at) {
                    *next = bytes.get(at..).and_then(|rest| finder.find(rest)).map(|i| i + at);
                }
                let Some(start) = *next else { continue };
                let end = start + finder.needle().len();
                if best.is_none_or(|b| start < b.start || (start == b.start && end > b.end)) {
                    best = Some(Found { pattern, start, end });
                }
            }
            let Some(m) = best else { break };
            found.push(m);
            at = m.end;
        }
        found
    }

    /// Whether any pattern occurs in `text`.
    pub(crate) fn occurs_in(&self, text: &str) -> bool {
        if self.texts.is_empty() {
            return false;
        }
        if self.wants_automaton(text) {
            return self.automaton().is_some_and(|a| a.try_find(text).ok().flatten().is_some());
        }
        self.finders.iter().any(|f| f.find(text.as_bytes()).is_some())
    }

    fn wants_automaton(&self, text: &str) -> bool {
        self.texts.len() > FEW || text.len().saturating_mul(self.texts.len()) > SCAN_BUDGET
    }

    fn automaton(&self) -> Option<&AhoCorasick> {
        self.automaton
            .get_or_init(|| {
                AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&self.texts)
                    .ok()
            })
            .as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the automaton finds, for comparison.
    fn by_automaton(patterns: &[&str], text: &str) -> Vec<Found> {
        let p = Patterns::new(patterns.iter().map(|s| s.to_string()).collect());
        let a = p.automaton().unwrap();
        a.find_iter(text).map(|m| Found { pattern: m.pattern().as_usize(), start: m.start(), end: m.end() }).collect()
    }

    fn in_turn(patterns: &[&str], text: &str) -> Vec<Found> {
        Patterns::new(patterns.iter().map(|s| s.to_string()).collect()).find_all(text)
    }

    #[test]
    fn patterns_in_turn_find_what_the_automaton_finds() {
        let cases: &[(&[&str], &str)] = &[
            (&["abc", "abcd", "bcd", "cd"], "xxabcdabcxbcdcdabcd"),
            (&["aa", "aaa"], "aaaaaaa"),
            (&["ab", "b", "abb"], "abbbabab"),
            (&["é%C3", "%C3%A9", "é"], "é%C3%A9é%C3%A9"),
            (&["secret", "c3VjcmV0", "secret-code"], "a secret-code, secret, c3VjcmV0secret"),
            (&["x"], ""),
            (&["long pattern"], "short"),
        ];
        for (patterns, text) in cases {
            assert_eq!(in_turn(patterns, text), by_automaton(patterns, text), "{patterns:?} in {text:?}");
        }
        // Pseudo-random texts over a small alphabet, where patterns overlap and nest often.
        let mut state = 0x2545_f491_u32;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        };
        let alphabet = ['a', 'b', 'c', 'é'];
        let word = |next: &mut dyn FnMut() -> u32, len: u32| -> String {
            (0..len).map(|_| alphabet[(next() % 4) as usize]).collect()
        };
        for _ in 0..500 {
            let mut patterns: Vec<String> = Vec::new();
            for _ in 0..1 + next() % 6 {
                let len = 1 + next() % 4;
                let w = word(&mut next, len);
                if !patterns.contains(&w) {
                    patterns.push(w);
                }
            }
            let len = next() % 40;
            let text = word(&mut next, len);
            let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
            assert_eq!(in_turn(&patterns, &text), by_automaton(&patterns, &text), "{patterns:?} in {text:?}");
        }
    }

    #[test]
    fn many_patterns_or_a_long_text_go_to_the_automaton_with_the_same_answer() {
        let many: Vec<String> = (0..FEW + 1).map(|i| format!("p{i:03}")).collect();
        let text = "p001 p048 p000p049";
        let p = Patterns::new(many.clone());
        assert!(p.wants_automaton(text));
        let found: Vec<usize> = p.find_all(text).iter().map(|m| m.pattern).collect();
        assert_eq!(found, [1, 48, 0]);
        assert!(p.occurs_in(text) && !p.occurs_in("q"));
        let long = format!("{}p002", "-".repeat(SCAN_BUDGET));
        let few = Patterns::new(vec!["p002".into(), "p0".into()]);
        assert!(few.wants_automaton(&long));
        assert_eq!(few.find_all(&long), [Found { pattern: 0, start: SCAN_BUDGET, end: SCAN_BUDGET + 4 }]);
    }
}
