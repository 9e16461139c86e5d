//! Which case read which part of a reference's behaviour. A mutant changes its reference's
//! behaviour in some fields and nowhere else; a case that read none of those fields in the
//! reference's run meets, under the mutant, the same answers at every step, so its verdict cannot
//! change. The selftest therefore runs each mutant only on the cases that read what it changes.
//!
//! A reference holds its behaviour in [`Seams`]: each field is read through an accessor that notes
//! the read, for the case the request is made for ([`dialtone_http::case_tag`]), in the run's
//! [`SeamLog`] when there is one (the selftest's reference run; no other run keeps a log). A read
//! made for no case (at start-up, in a task no request began) is noted as made for every case.

use dialtone_http::case_tag;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// Whom a field's reads were made for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Read at least once for no case in particular: every case may depend on it.
    Every,
    /// Read only for these cases.
    Cases(BTreeSet<Arc<str>>),
}

impl Reach {
    fn add(&mut self, other: &Reach) {
        match (&mut *self, other) {
            (Reach::Every, _) => {}
            (_, Reach::Every) => *self = Reach::Every,
            (Reach::Cases(mine), Reach::Cases(theirs)) => mine.extend(theirs.iter().cloned()),
        }
    }
}

/// The reads of a run's references, by role (`issuer`, …) and field (`token`, or `token.tx_code`
/// for a field of a part).
#[derive(Debug, Default)]
pub struct SeamLog {
    reads: Mutex<BTreeMap<(&'static str, String), Reach>>,
}

impl SeamLog {
    fn note(&self, role: &'static str, field: String, case: Option<Arc<str>>) {
        let mut reads = self.reads.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let reach = reads.entry((role, field)).or_insert_with(|| Reach::Cases(BTreeSet::new()));
        match (reach, case) {
            (Reach::Every, _) => {}
            (reach, None) => *reach = Reach::Every,
            (Reach::Cases(cases), Some(case)) => {
                cases.insert(case);
            }
        }
    }

    /// Every field read, as `role.field`, with whom its reads were made for.
    pub fn reads(&self) -> Vec<(String, Reach)> {
        let reads = self.reads.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        reads.iter().map(|((role, field), reach)| (format!("{role}.{field}"), reach.clone())).collect()
    }

    /// Whom the reads that see `role`'s `field` under the mutant `fault` were made for: those of
    /// [`SeamLog::reach`], and the reads judged to decide an answer under that mutant's value of
    /// the field, of the part it is in, or of a field of it ([`Seams::judged_by`]). `None`: never
    /// read.
    pub fn reach_under(&self, role: &str, field: &str, fault: &str) -> Option<Reach> {
        self.reach_where(role, |read| match read.split_once('@') {
            Some((read, judged_for)) => judged_for == fault && overlaps(read, field),
            None => overlaps(read, field),
        })
    }

    /// Whom the reads that see `role`'s `field` were made for: reads of the field itself, of the
    /// part it is in as a whole, and of the fields of it when it is a part. `None`: never read.
    pub fn reach(&self, role: &str, field: &str) -> Option<Reach> {
        self.reach_where(role, |read| !read.contains('@') && overlaps(read, field))
    }

    fn reach_where(&self, role: &str, sees: impl Fn(&str) -> bool) -> Option<Reach> {
        let reads = self.reads.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut reach: Option<Reach> = None;
        for ((r, read), seen) in reads.iter() {
            if *r == role && sees(read) {
                match &mut reach {
                    Some(reach) => reach.add(seen),
                    None => reach = Some(seen.clone()),
                }
            }
        }
        reach
    }
}

/// Whether a read of `read` sees `field`: the same field, the part it is in, or a field of it.
fn overlaps(read: &str, field: &str) -> bool {
    let within = |outer: &str, inner: &str| inner.strip_prefix(outer).is_some_and(|rest| rest.starts_with('.'));
    read == field || within(read, field) || within(field, read)
}

/// A reference's behaviour `B`, read field by field through the accessors [`behaviour!`] declares.
#[derive(Debug, Clone)]
pub struct Seams<B> {
    inner: B,
    role: &'static str,
    /// The part of its reference's behaviour this is, when it is one held apart (by a component
    /// that checks one thing), its reads noted as `within.field`.
    within: Option<&'static str>,
    log: Option<Arc<SeamLog>>,
}

impl<B> Seams<B> {
    /// `behaviour` of the reference of `role`, its reads noted in `log` when given.
    pub(crate) fn new(role: &'static str, behaviour: B, log: Option<Arc<SeamLog>>) -> Self {
        Self { inner: behaviour, role, within: None, log }
    }

    /// `part`, the part `name` of the behaviour of the reference of `role`, held apart from the
    /// rest by the component that acts on it; its reads noted in `log` as `name.field`.
    pub(crate) fn part_apart(role: &'static str, name: &'static str, part: B, log: Option<Arc<SeamLog>>) -> Self {
        Self { inner: part, role, within: Some(name), log }
    }

    /// The behaviour, noting that `field` is read (the accessors' one way in).
    pub(crate) fn read(&self, field: &'static str) -> &B {
        self.note(field.to_string());
        &self.inner
    }

    fn note(&self, field: String) {
        if let Some(log) = &self.log {
            let field = match self.within {
                Some(part) => format!("{part}.{field}"),
                None => field,
            };
            log.note(self.role, field, case_tag::current());
        }
    }

    /// What `outcome` makes of the behaviour's `field` (`value` of it), noting the read only for
    /// the mutants whose value of the field (`others`) makes another outcome, as
    /// [`judged_read`] names it: a case whose answer a mutant's value would not change does not
    /// depend on the field under that mutant. For a value that is handed whole to a pure function
    /// (a set of checks judging one request): `outcome` must be all the field decides.
    pub(crate) fn judged_by<T, R: std::fmt::Debug>(
        &self,
        field: &'static str,
        value: fn(&B) -> &T,
        others: impl FnOnce() -> Vec<OtherValue<T>>,
        outcome: impl Fn(&T) -> R,
    ) -> R {
        let own = outcome(value(&self.inner));
        if self.log.is_some() {
            for fault in judged_otherwise(&own, others, &outcome) {
                self.note(judged_read(field, fault));
            }
        }
        own
    }

    /// The part `field` of the behaviour, whose own fields are noted as they are read.
    pub(crate) fn part<T>(&self, field: &'static str, of: fn(&B) -> &T) -> Part<'_, T> {
        Part { value: of(&self.inner), role: self.role, name: field, log: self.log.as_deref() }
    }
}

/// A value other than the correct one that some mutants (by name) give a field.
pub(crate) type OtherValue<T> = (T, Vec<&'static str>);

/// The values other than `correct`'s that `faulty` behaviours (each with its mutant's name) give
/// one field (`field`), each once with the mutants that give it: the `others` of
/// [`Seams::judged_by`].
pub(crate) fn other_values<B, T: PartialEq + Clone>(
    correct: &B,
    faulty: impl IntoIterator<Item = (&'static str, B)>,
    field: fn(&B) -> &T,
) -> Vec<OtherValue<T>> {
    let mut others: Vec<OtherValue<T>> = Vec::new();
    for (name, behaviour) in faulty {
        let value = field(&behaviour);
        if value == field(correct) {
            continue;
        }
        match others.iter_mut().find(|(other, _)| other == value) {
            Some((_, names)) => names.push(name),
            None => others.push((value.clone(), vec![name])),
        }
    }
    others
}

/// The mutants among `others` under whose value of a field `outcome` differs from `own`.
fn judged_otherwise<T, R: std::fmt::Debug>(
    own: &R,
    others: impl FnOnce() -> Vec<OtherValue<T>>,
    outcome: &impl Fn(&T) -> R,
) -> Vec<&'static str> {
    let seen = format!("{own:?}");
    others()
        .into_iter()
        .filter(|(other, _)| format!("{:?}", outcome(other)) != seen)
        .flat_map(|(_, faults)| faults)
        .collect()
}

/// How a read of `field` that decides an answer only under the mutant `fault` is noted
/// (`policy@issuer.dpop_htu_not_checked`): [`SeamLog::reach_under`] finds it for that mutant alone.
pub(crate) fn judged_read(field: &str, fault: &str) -> String {
    format!("{field}@{fault}")
}

/// A behaviour read by no reference under test (a component's own tests): nothing is noted.
impl<B: Default> Default for Seams<B> {
    fn default() -> Self {
        Self::new("", B::default(), None)
    }
}

/// A part of a behaviour (a policy of one endpoint), read field by field through the accessors
/// [`behaviour!`] declares, each read noted as `part.field`.
#[derive(Debug)]
pub struct Part<'a, T> {
    value: &'a T,
    role: &'static str,
    name: &'static str,
    log: Option<&'a SeamLog>,
}

impl<T> Clone for Part<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Part<'_, T> {}

impl<'a, T> Part<'a, T> {
    /// The part, noting that its `field` is read (the accessors' one way in).
    pub(crate) fn read(&self, field: &'static str) -> &'a T {
        if let Some(log) = self.log {
            log.note(self.role, format!("{}.{field}", self.name), case_tag::current());
        }
        self.value
    }

    /// What `outcome` makes of the part's `field` (`value` of it), noting the read as `part.field`
    /// only when another value the field takes under some mutant (`others`) makes another
    /// outcome, as [`Seams::judged_by`] does for a whole behaviour.
    pub(crate) fn judged_by<F, R: std::fmt::Debug>(
        &self,
        field: &'static str,
        value: fn(&T) -> &F,
        others: impl FnOnce() -> Vec<OtherValue<F>>,
        outcome: impl Fn(&F) -> R,
    ) -> R {
        let own = outcome(value(self.value));
        if let Some(log) = self.log {
            for fault in judged_otherwise(&own, others, &outcome) {
                log.note(self.role, judged_read(&format!("{}.{field}", self.name), fault), case_tag::current());
            }
        }
        own
    }

    /// Notes the read of the part's `field` (`value` of it) where another value the field takes
    /// under some mutant (`others`) makes another `outcome`, in a run that keeps a log; else does
    /// nothing. For a field acted on by code with effects (a replay cache), whose pure judgment
    /// `outcome` is: the code then reads the field with [`Part::as_judged`].
    pub(crate) fn note_where_judged_otherwise<F, R: std::fmt::Debug>(
        &self,
        field: &'static str,
        value: fn(&T) -> &F,
        others: impl FnOnce() -> Vec<OtherValue<F>>,
        outcome: impl Fn(&F) -> R,
    ) {
        if self.log.is_some() {
            self.judged_by(field, value, others, outcome);
        }
    }

    /// The part's field `value` of it without noting a read: only for acting on what
    /// [`Part::judged_by`] judged with that field, which noted the read where it decides.
    pub(crate) fn as_judged<F>(&self, value: fn(&T) -> &F) -> &'a F {
        value(self.value)
    }

    /// The whole part without noting it as a whole: for code that hands it on whole and has noted,
    /// one by one, the fields the code it hands it to consults in the case at hand.
    pub(crate) fn noted_field_by_field(&self) -> &'a T {
        self.value
    }

    /// The whole part, noting that all of it is read (for code that takes it as one value).
    pub(crate) fn whole(&self) -> &'a T {
        if let Some(log) = self.log {
            log.note(self.role, self.name.to_string(), case_tag::current());
        }
        self.value
    }
}

/// The fields in which two behaviours differ: what a fault changes (`part.field` within a part).
pub trait Differing {
    fn differing(&self, other: &Self) -> Vec<String>;
}

/// Declares a reference's behaviour, or a part of one: the struct as written; an accessor on
/// [`Seams`] and on [`Part`] for each field, named as the field, that notes the read; and
/// [`Differing`], field by field. A field written `name: Type as parts` is itself a part, declared
/// with this macro: its accessor gives a [`Part`], whose fields are noted one by one.
macro_rules! behaviour {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty $(as $parts:ident)? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name { $( $(#[$fmeta])* $fvis $field : $ty ),* }

        #[allow(dead_code)]
        impl $crate::seam::Seams<$name> {
            $( $crate::seam::accessor!(root $field : $ty $(, $parts)?); )*
        }

        #[allow(dead_code)]
        impl<'a> $crate::seam::Part<'a, $name> {
            $( $crate::seam::accessor!(part $field : $ty $(, $parts)?); )*
        }

        impl $crate::seam::Differing for $name {
            fn differing(&self, other: &Self) -> Vec<String> {
                let mut fields = Vec::new();
                $( $crate::seam::differing!(fields, self, other, $field $(, $parts)?); )*
                fields
            }
        }
    };
}
pub(crate) use behaviour;

/// Declares a type defined elsewhere (a protocol's settings a reference hands whole to the
/// protocol's code) as a part of a behaviour, field by field as [`behaviour!`] would: the accessors
/// on [`Part`] and [`Differing`]. Every field must be listed: [`Differing`] destructures the type
/// without `..`, so a field added to it and not here does not compile.
macro_rules! parts_of {
    ($name:ident { $( $field:ident : $ty:ty ),* $(,)? }) => {
        #[allow(dead_code)]
        impl<'a> $crate::seam::Part<'a, $name> {
            $( $crate::seam::accessor!(part $field : $ty); )*
        }

        impl $crate::seam::Differing for $name {
            fn differing(&self, other: &Self) -> Vec<String> {
                let $name { $( $field: _ ),* } = self;
                let mut fields = Vec::new();
                $( $crate::seam::differing!(fields, self, other, $field); )*
                fields
            }
        }
    };
}
pub(crate) use parts_of;

/// One accessor of [`behaviour!`].
macro_rules! accessor {
    (root $field:ident : $ty:ty) => {
        pub(crate) fn $field(&self) -> &$ty {
            &self.read(stringify!($field)).$field
        }
    };
    (root $field:ident : $ty:ty, parts) => {
        pub(crate) fn $field(&self) -> $crate::seam::Part<'_, $ty> {
            self.part(stringify!($field), |b| &b.$field)
        }
    };
    (part $field:ident : $ty:ty $(, parts)?) => {
        pub(crate) fn $field(&self) -> &'a $ty {
            &self.read(stringify!($field)).$field
        }
    };
}
pub(crate) use accessor;

/// One field's comparison in [`behaviour!`]'s [`Differing`].
macro_rules! differing {
    ($fields:ident, $a:ident, $b:ident, $field:ident) => {
        if format!("{:?}", $a.$field) != format!("{:?}", $b.$field) {
            $fields.push(stringify!($field).to_string());
        }
    };
    ($fields:ident, $a:ident, $b:ident, $field:ident, parts) => {
        for inner in $crate::seam::Differing::differing(&$a.$field, &$b.$field) {
            $fields.push(format!("{}.{inner}", stringify!($field)));
        }
    };
}
pub(crate) use differing;

#[cfg(test)]
mod tests {
    use super::*;

    behaviour! {
        #[derive(Debug, Clone, Default)]
        struct Example {
            /// A policy.
            checked: bool,
            pub(crate) rewrite: Option<fn(&mut str)>,
            token: Token as parts,
        }
    }

    behaviour! {
        #[derive(Debug, Clone, Copy, Default)]
        struct Token {
            single_use: bool,
            lifetime: u32,
        }
    }

    fn shout(s: &mut str) {
        s.make_ascii_uppercase();
    }

    #[tokio::test]
    async fn reads_are_noted_for_the_case_they_were_made_for() {
        let log = Arc::new(SeamLog::default());
        let seams = Seams::new("issuer", Example::default(), Some(log.clone()));
        case_tag::scope(Some(Arc::from("A")), async { seams.checked() }).await;
        case_tag::scope(Some(Arc::from("B")), async { seams.checked() }).await;
        let cases: BTreeSet<Arc<str>> = [Arc::from("A"), Arc::from("B")].into();
        assert_eq!(log.reach("issuer", "checked"), Some(Reach::Cases(cases)));
        assert_eq!(log.reach("issuer", "rewrite"), None);
        // A read for no case: every case may depend on the field.
        seams.checked();
        assert_eq!(log.reach("issuer", "checked"), Some(Reach::Every));
        case_tag::scope(Some(Arc::from("C")), async { seams.checked() }).await;
        assert_eq!(log.reach("issuer", "checked"), Some(Reach::Every));
    }

    #[test]
    fn a_fault_differs_in_the_fields_it_changes() {
        let correct = Example::default();
        let mut faulty = correct.clone();
        faulty.rewrite = Some(shout);
        assert_eq!(correct.differing(&faulty), ["rewrite"]);
        faulty.checked = true;
        assert_eq!(correct.differing(&faulty), ["checked", "rewrite"]);
        let mut faulty = correct.clone();
        faulty.token.lifetime = 9;
        assert_eq!(correct.differing(&faulty), ["token.lifetime"]);
        assert!(correct.differing(&correct.clone()).is_empty());
    }

    #[tokio::test]
    async fn the_fields_of_a_part_are_noted_one_by_one() {
        let log = Arc::new(SeamLog::default());
        let seams = Seams::new("issuer", Example::default(), Some(log.clone()));
        let a = || Reach::Cases([Arc::from("A")].into());
        case_tag::scope(Some(Arc::from("A")), async { seams.token().single_use() }).await;
        assert_eq!(log.reach("issuer", "token.single_use"), Some(a()));
        assert_eq!(log.reach("issuer", "token.lifetime"), None);
        // A change to the whole part meets the reads of its fields.
        assert_eq!(log.reach("issuer", "token"), Some(a()));
        // A read of the whole part meets a change to any of its fields.
        case_tag::scope(Some(Arc::from("B")), async { seams.token().whole().lifetime }).await;
        let both = Reach::Cases([Arc::from("A"), Arc::from("B")].into());
        assert_eq!(log.reach("issuer", "token.lifetime"), Some(Reach::Cases([Arc::from("B")].into())));
        assert_eq!(log.reach("issuer", "token.single_use"), Some(both));
        // A field whose name begins as another's is not within it.
        assert_eq!(log.reach("issuer", "tok"), None);
    }

    #[tokio::test]
    async fn a_value_judged_whole_is_noted_only_for_the_mutants_whose_value_judges_otherwise() {
        let log = Arc::new(SeamLog::default());
        // Only a lifetime under 5 is refused. Two mutants give the lifetime 9, one gives 1.
        let judge = |token: &Token| if token.lifetime < 5 { "refused" } else { "taken" };
        let others = || {
            vec![
                (Token { lifetime: 9, single_use: false }, vec!["wallet.long", "wallet.longer"]),
                (Token { lifetime: 1, single_use: false }, vec!["wallet.short"]),
            ]
        };
        let mut seen = Vec::new();
        for (case, lifetime) in [("A", 7), ("B", 3)] {
            let mut example = Example::default();
            example.token.lifetime = lifetime;
            let seams = Seams::new("wallet", example, Some(log.clone()));
            let judging = async { seams.judged_by("token", |b| &b.token, others, judge) };
            seen.push(case_tag::scope(Some(Arc::from(case)), judging).await);
        }
        assert_eq!(seen, ["taken", "refused"]);
        // 7 is judged as 9 is and not as 1 is; 3 as 1 and not as 9.
        let only = |case: &str| Some(Reach::Cases([Arc::from(case)].into()));
        assert_eq!(log.reach_under("wallet", "token", "wallet.long"), only("B"));
        assert_eq!(log.reach_under("wallet", "token", "wallet.longer"), only("B"));
        assert_eq!(log.reach_under("wallet", "token", "wallet.short"), only("A"));
        // A read judged whole sees the fields of the part.
        assert_eq!(log.reach_under("wallet", "token.lifetime", "wallet.short"), only("A"));
        // Nothing was read whole: a plain read is for every mutant that changes the field.
        assert_eq!(log.reach("wallet", "token"), None);
        let seams = Seams::new("wallet", Example::default(), Some(log.clone()));
        case_tag::scope(Some(Arc::from("C")), async { seams.token().lifetime() }).await;
        let reach = log.reach_under("wallet", "token", "wallet.short");
        assert_eq!(reach, Some(Reach::Cases([Arc::from("A"), Arc::from("C")].into())));
    }

    #[test]
    fn without_a_log_the_accessors_read_the_value() {
        let token = Token { lifetime: 7, single_use: false };
        let seams = Seams::new("issuer", Example { checked: true, token, ..Example::default() }, None);
        assert!(*seams.checked());
        assert_eq!(*seams.token().lifetime(), 7);
    }

    /// A part held apart from its behaviour (by the component that acts on it) notes its reads as
    /// the part's fields, so that they meet the changes a fault makes to that part.
    #[tokio::test]
    async fn a_part_held_apart_notes_its_reads_as_the_part_s_fields() {
        let log = Arc::new(SeamLog::default());
        let token = Seams::part_apart("issuer", "token", Token::default(), Some(log.clone()));
        case_tag::scope(Some(Arc::from("A")), async { token.single_use() }).await;
        let a = Some(Reach::Cases([Arc::from("A")].into()));
        assert_eq!(log.reach("issuer", "token.single_use"), a);
        assert_eq!(log.reach("issuer", "single_use"), None);
        let mut faulty = Example::default();
        faulty.token.single_use = true;
        let changes = Example::default().differing(&faulty);
        assert_eq!(changes, ["token.single_use"]);
        assert_eq!(log.reach("issuer", &changes[0]), a);
    }
}
