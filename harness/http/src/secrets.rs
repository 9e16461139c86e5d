//! The secrets of a run, by value: every code, token and private key the run sent or received. The
//! evidence recorder learns them as they pass (where the protocols put them: [`SecretMembers`],
//! `Authorization` headers, query strings, offers inside URLs, JWT payloads), drivers register the
//! ones they make, and every text a report keeps has each of them replaced, in each encoding, by a
//! label. A label carries a digest keyed for this run only: within the run the same secret reads the
//! same in every exchange, and no one holding a report can recover a six-digit code by trying them
//! all.

use crate::redact::Matcher;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Secrets shorter than this are redacted only where they stand (by member name): replaced by
/// value, a two-letter secret would erase every word it occurs in.
pub(crate) const MIN_VALUE_CHARS: usize = 4;

/// Which members carry secrets, as the protocols name them (`dialtone_protocols` owns the names).
#[derive(Debug, Clone, Copy)]
pub struct SecretMembers {
    /// Members whose values are secrets wherever they appear: JSON, forms, query strings.
    pub anywhere: &'static [&'static str],
    /// Members that are secrets in forms and query strings, where OAuth puts them; in JSON the same
    /// name is an ordinary word, so a JSON value is redacted where it stands but not learned.
    pub in_forms: &'static [&'static str],
    /// Private members of a JSON Web Key (an object with `kty`); elsewhere redacted where they
    /// stand but not learned.
    pub in_keys: &'static [&'static str],
}

impl SecretMembers {
    /// No member is secret (a recorder that keeps nothing).
    pub const NONE: Self = Self { anywhere: &[], in_forms: &[], in_keys: &[] };

    /// Whether a member's value is redacted where it stands, in any JSON or form.
    pub(crate) fn hides(&self, name: &str) -> bool {
        [self.anywhere, self.in_forms, self.in_keys].iter().any(|list| list.contains(&name))
    }
}

/// The run's registry of secrets; clones share it.
#[derive(Clone)]
pub struct Secrets {
    inner: Arc<Inner>,
}

struct Inner {
    labeller: Arc<Labeller>,
    members: SecretMembers,
    known: Mutex<Known>,
}

#[derive(Default)]
struct Known {
    /// Each secret, and what it was first seen as (a member name, `authorization`, …).
    values: BTreeMap<String, String>,
    /// The matcher for `values`, made again when they change.
    matcher: Option<Arc<Matcher>>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the values.
        write!(f, "Secrets({} known)", self.lock().values.len())
    }
}

impl Secrets {
    /// A registry for one run, with a fresh random key for its labels.
    pub fn new(members: SecretMembers) -> Self {
        let key = ring::hmac::Key::generate(ring::hmac::HMAC_SHA256, &ring::rand::SystemRandom::new()).ok();
        Self { inner: Arc::new(Inner { labeller: Arc::new(Labeller { key }), members, known: Mutex::default() }) }
    }

    pub fn members(&self) -> SecretMembers {
        self.inner.members
    }

    /// Registers a secret the run made or was given (`what` says what it is, for audits). Values
    /// shorter than four characters are not taken: they are redacted by member name only.
    pub fn register(&self, what: &str, value: &str) {
        if !is_learnable(value) {
            return;
        }
        let mut known = self.lock();
        if !known.values.contains_key(value) {
            known.values.insert(value.to_string(), what.to_string());
            known.matcher = None;
        }
    }

    /// Registers every secret `text` carries where the protocols put them (an offer URI, a form,
    /// JSON, a JWT).
    pub fn learn_from(&self, text: &str) {
        let mut found = crate::learn::Found::new();
        crate::learn::in_text(&self.inner.members, text, 0, &mut found);
        for (what, value) in found {
            self.register(&what, &value);
        }
    }

    /// Every secret the run knows, with what it was first seen as: what a test scans the outputs for.
    pub fn values(&self) -> Vec<(String, String)> {
        self.lock().values.iter().map(|(v, what)| (what.clone(), v.clone())).collect()
    }

    /// What a report shows in place of `secret`: its length and a digest keyed for this run.
    pub fn label(&self, secret: &str) -> String {
        self.inner.labeller.label(secret)
    }

    /// `text` with every secret the run knows replaced, in every encoding, by its label.
    pub fn redact_text(&self, text: &str) -> String {
        self.matcher().redact(text)
    }

    /// Every secret the run knows replaced in every text of `items`.
    pub fn redact_evidence(&self, items: &mut [crate::EvidenceItem]) {
        let matcher = self.matcher();
        items.iter_mut().for_each(|item| crate::evidence::redact_known(item, &matcher));
    }

    /// The matcher of every known secret (made once per change of the set).
    pub(crate) fn matcher(&self) -> Arc<Matcher> {
        let mut known = self.lock();
        if let Some(m) = &known.matcher {
            return m.clone();
        }
        let secrets: Vec<&str> = known.values.keys().map(String::as_str).collect();
        let matcher = Arc::new(self.matcher_for(&secrets));
        known.matcher = Some(matcher.clone());
        matcher
    }

    /// A matcher of the given secrets, labelled with this run's key.
    pub(crate) fn matcher_for(&self, secrets: &[&str]) -> Matcher {
        Matcher::new(secrets, self.inner.members, self.inner.labeller.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Known> {
        self.inner.known.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Labels secrets with a key drawn from the operating system for one run and never written
/// anywhere; without randomness (`key` is `None`) labels carry no digest at all.
pub(crate) struct Labeller {
    key: Option<ring::hmac::Key>,
}

impl Labeller {
    pub(crate) fn label(&self, secret: &str) -> String {
        let chars = secret.chars().count();
        match &self.key {
            Some(key) => {
                let tag = ring::hmac::sign(key, secret.as_bytes());
                let digest: String = tag.as_ref().iter().take(4).map(|b| format!("{b:02x}")).collect();
                format!("‹redacted {chars} chars #{digest}›")
            }
            None => format!("‹redacted {chars} chars›"),
        }
    }
}

/// Long enough to replace by value, and not a label already.
pub(crate) fn is_learnable(value: &str) -> bool {
    value.chars().count() >= MIN_VALUE_CHARS && !value.starts_with("‹redacted")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMBERS: SecretMembers = SecretMembers { anywhere: &["tx_code"], in_forms: &["code"], in_keys: &["d"] };

    #[test]
    fn labels_are_keyed_per_run() {
        let (one, two) = (Secrets::new(MEMBERS), Secrets::new(MEMBERS));
        // The same run labels a secret the same way every time (exchanges can be correlated) …
        assert_eq!(one.label("493817"), one.label("493817"));
        assert!(one.label("493817").starts_with("‹redacted 6 chars #"));
        // … another run, with its own key, differently: the label is no function of the value alone.
        assert_ne!(one.label("493817"), two.label("493817"));
    }

    #[test]
    fn short_values_and_labels_are_not_registered() {
        let s = Secrets::new(MEMBERS);
        s.register("tx_code", "12");
        s.register("tx_code", &s.label("493817"));
        s.register("tx_code", "493817");
        assert_eq!(s.values(), vec![("tx_code".to_string(), "493817".to_string())]);
        assert!(!format!("{s:?}").contains("493817"));
    }
}
