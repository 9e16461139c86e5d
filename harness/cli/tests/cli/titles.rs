//! Every case of every suite and every artifact rule has a French title (`i18n/fr/titles.ftl`),
//! and no French title names an id that no longer exists: the English stays in the suites and the
//! rule table, the one source of the English, and this test keeps the French in step with it.

use crate::common;

use dialtone_cli::SuiteSource;
use dialtone_engine::pctf::Catalogue;
use std::collections::BTreeSet;

#[test]
fn every_case_and_rule_has_a_french_title_and_every_french_title_a_case_or_rule() {
    let titles = dialtone_i18n::titles_fr();
    let suites =
        dialtone_cli::catalogue::load(&SuiteSource::Dir(common::workspace().join("suites")), &Catalogue::embedded())
            .expect("the suites load");
    let mut ids = BTreeSet::new();
    let mut missing = Vec::new();
    let cases = suites.iter().flat_map(|s| s.cases.iter().map(|c| (c.id.as_str(), c.title.as_str())));
    let rules = dialtone_rules::table::all().map(|r| (r.id, r.title));
    for (id, english) in cases.chain(rules) {
        ids.insert(id.to_string());
        match titles.get(id) {
            Some(fr) if !fr.trim().is_empty() && fr != english => {}
            _ => missing.push(id.to_string()),
        }
    }
    assert!(ids.len() > 350, "{} cases and rules", ids.len());
    assert!(missing.is_empty(), "no French title in i18n/fr/titles.ftl for: {}", missing.join(", "));
    let stale: Vec<&String> = titles.ids().iter().filter(|id| !ids.contains(*id)).collect();
    assert!(stale.is_empty(), "i18n/fr/titles.ftl titles ids that no case or rule has: {stale:?}");
    let twice = titles.ids().len() - titles.ids().iter().collect::<BTreeSet<_>>().len();
    assert_eq!(twice, 0, "an id is titled twice in i18n/fr/titles.ftl");
}
