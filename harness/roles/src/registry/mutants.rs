//! Mutants of the reference trust registry, one fault each.

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
