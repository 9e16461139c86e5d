//! The verdict in one sentence, in a language: `report.json`'s `statement` (English) and the top
//! of every rendering (in the reader's language), from the one set of messages
//! (`i18n/<lang>/report.ftl`, `statement-*`, `scope-*`, `why-*`).

use crate::model::{Conformance, OverallVerdict};
use crate::role::Role;
use dialtone_i18n::{FluentValue, Lang};

/// The sentence that states `verdict` in `lang`.
pub fn statement(lang: Lang, verdict: &OverallVerdict) -> String {
    let m = dialtone_i18n::report();
    let n = |v: usize| FluentValue::from(v as i64);
    let covers = &verdict.covers;
    let artifacts = verdict.artifacts.unwrap_or_default();
    let scope = if artifacts.total == 0 {
        let roles: Vec<String> = covers.roles.iter().map(|r| role(lang, *r)).collect();
        let mut scope = m.text(
            lang,
            "scope-run",
            &[
                ("judged", n(covers.cases_judged)),
                ("not_applicable", n(covers.cases_not_applicable)),
                ("plans", n(covers.suites.len())),
                ("roles", roles.join(", ").into()),
                ("role_count", n(roles.len())),
            ],
        );
        if !covers.profiles.is_empty() {
            scope.push_str(&m.text(lang, "scope-profiles", &[("profiles", covers.profiles.join(", ").into())]));
        }
        scope
    } else {
        m.text(lang, "scope-check", &[("artifacts", n(artifacts.total)), ("judged", n(covers.cases_judged))])
    };
    match verdict.status {
        Conformance::Conforms => {
            m.text(lang, "statement-conforms", &[("warnings", n(verdict.should_warnings)), ("scope", scope.into())])
        }
        Conformance::DoesNotConform if artifacts.total > 0 => m.text(
            lang,
            "statement-invalid-artifacts",
            &[("invalid", n(artifacts.invalid)), ("artifacts", n(artifacts.total)), ("scope", scope.into())],
        ),
        Conformance::DoesNotConform => m.text(
            lang,
            "statement-does-not-conform",
            &[
                ("failures", n(verdict.must_failures)),
                ("known", n(verdict.known_failures)),
                ("blocked", n(verdict.blocked)),
                ("scope", scope.into()),
            ],
        ),
        Conformance::Incomplete => {
            let why: Vec<String> = [
                ("why-errors", verdict.errors),
                ("why-inconclusive", verdict.inconclusive),
                ("why-unverified", artifacts.unverified),
                ("why-unsupported", artifacts.unsupported),
            ]
            .into_iter()
            .filter(|(_, count)| *count > 0)
            .map(|(id, count)| m.text(lang, id, &[("count", n(count))]))
            .collect();
            m.text(lang, "statement-incomplete", &[("why", why.join(", ").into()), ("scope", scope.into())])
        }
    }
}

/// A role's name in `lang`.
pub fn role(lang: Lang, role: Role) -> String {
    dialtone_i18n::report().text(lang, &format!("role-{}", role.as_str()), &[])
}
