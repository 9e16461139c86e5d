//! Mutants of the reference trust registry: each fault is one value of its [`Behaviour`].

crate::seam::behaviour! {
    /// What the reference registry does; the default is correct.
    #[derive(Debug, Clone, Copy)]
    pub struct Behaviour {
        /// Errors are Problem Details (RFC 7807; else text/plain).
        pub(crate) problem_details: bool,
        /// A query lacking a required member is refused.
        pub(crate) complete_queries_only: bool,
        /// An authority it does not serve is answered 404.
        pub(crate) unknown_authority_refused: bool,
        /// `context.time` and the statements' validity periods are honoured.
        pub(crate) honours_time: bool,
        /// The jurisdiction a query names is honoured.
        pub(crate) honours_jurisdiction: bool,
        pub answer: Answer,
        /// The answer names the entity asked about (else another).
        pub(crate) echoes_entity: bool,
        /// The answer carries `time_evaluated`.
        pub time_evaluated: bool,
    }
}

/// How it answers `authorized` / `recognized`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// As its ecosystem's statements say.
    Statements,
    Always,
    Never,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            problem_details: true,
            complete_queries_only: true,
            unknown_authority_refused: true,
            honours_time: true,
            honours_jurisdiction: true,
            answer: Answer::Statements,
            echoes_entity: true,
            time_evaluated: true,
        }
    }
}

impl Behaviour {
    pub fn with(fault: Option<RegistryFault>) -> Self {
        let mut b = Self::default();
        if let Some(f) = fault {
            f.apply(&mut b);
        }
        b
    }
}

crate::mutant::faults! {
    RegistryFault, "registry.",
    AlwaysAuthorized => "always_authorized": "answers authorized: true to every query",
    DeniesEverything => "denies_everything": "answers authorized: false to every query (stuck in deny mode)",
    IgnoresTime => "ignores_time": "ignores context.time and the statements' validity periods",
    IgnoresJurisdiction => "ignores_jurisdiction": "ignores the jurisdiction a query names",
    EchoesOtherEntity => "echoes_other_entity": "answers about a different entity_id than the one asked",
    NoTimeEvaluated => "no_time_evaluated": "omits the required time_evaluated",
    PlainErrors => "plain_errors": "errors are text/plain rather than Problem Details",
    AcceptsIncompleteQuery => "accepts_incomplete_query": "answers a query that lacks required members",
    UnknownAuthorityAnswered => "unknown_authority_answered": "answers authorized: false for an authority it does not serve, instead of 404",
}

impl RegistryFault {
    /// The registry's behaviour with this one fault.
    pub fn apply(self, b: &mut Behaviour) {
        match self {
            Self::AlwaysAuthorized => b.answer = Answer::Always,
            Self::DeniesEverything => b.answer = Answer::Never,
            Self::IgnoresTime => b.honours_time = false,
            Self::IgnoresJurisdiction => b.honours_jurisdiction = false,
            Self::EchoesOtherEntity => b.echoes_entity = false,
            Self::NoTimeEvaluated => b.time_evaluated = false,
            Self::PlainErrors => b.problem_details = false,
            Self::AcceptsIncompleteQuery => b.complete_queries_only = false,
            Self::UnknownAuthorityAnswered => b.unknown_authority_refused = false,
        }
    }
}
