//! The built-in Fluent files load and say the same things in both languages; a file that does
//! not is refused naming the message.

use dialtone_i18n::{I18nError, Lang, Messages, SERVE_SOURCES};

#[test]
fn the_built_in_serve_files_define_the_same_messages_with_the_same_variables() {
    let messages = Messages::load("serve", SERVE_SOURCES).expect("the built-in files load");
    assert!(messages.ids().len() > 100, "{}", messages.ids().len());
    assert!(dialtone_i18n::serve().has("service-name"));
    assert_eq!(dialtone_i18n::serve().text(Lang::Fr, "verdict-does_not_conform", &[]), "Non conforme");
}

#[test]
fn plurals_follow_each_language_s_rules() {
    let m = dialtone_i18n::serve();
    let n = |lang, count: i64| m.text(lang, "compare-new-cases", &[("count", count.into())]);
    assert_eq!(n(Lang::En, 1), "1 new case");
    assert_eq!(n(Lang::En, 0), "0 new cases");
    assert_eq!(n(Lang::Fr, 0), "0 nouveau cas");
    assert_eq!(n(Lang::Fr, 1), "1 nouveau cas");
    assert_eq!(n(Lang::Fr, 2), "2 nouveaux cas");
    // Variables are placed without invisible isolation marks.
    assert_eq!(m.text(Lang::En, "signed-in-as", &[("login", "alice".into())]), "Signed in as alice");
}

#[test]
fn a_message_in_one_language_only_is_refused_naming_it() {
    let en = "a = A\nb = B { $x }\n";
    let fr = "a = A\n";
    let e = Messages::load("t", &[(Lang::En, en), (Lang::Fr, fr)]).expect_err("refused");
    assert_eq!(e, I18nError::Mismatch { domain: "t".into(), detail: "b is in en but not in fr".into() });
    let e = Messages::load("t", &[(Lang::En, "a = A\n"), (Lang::Fr, "a = A\nc = C\n")]).expect_err("refused");
    assert!(e.to_string().contains("c is in fr but not in en"), "{e}");
}

#[test]
fn a_message_whose_variables_differ_is_refused() {
    let e = Messages::load("t", &[(Lang::En, "a = { $count } cases\n"), (Lang::Fr, "a = { $n } cas\n")])
        .expect_err("refused");
    assert!(e.to_string().contains("a takes"), "{e}");
}

#[test]
fn a_file_that_does_not_parse_or_a_missing_language_is_refused() {
    let e = Messages::load("t", &[(Lang::En, "a = A\n"), (Lang::Fr, "a = { \n")]).expect_err("refused");
    assert!(matches!(e, I18nError::File { lang: "fr", .. }), "{e:?}");
    let e = Messages::load("t", &[(Lang::En, "a = A\n")]).expect_err("refused");
    assert!(e.to_string().contains("no fr file"), "{e}");
}

#[test]
fn an_unknown_message_is_shown_as_its_id() {
    assert_eq!(dialtone_i18n::serve().text(Lang::En, "no-such-message", &[]), "no-such-message");
}

#[test]
fn the_built_in_report_and_cli_files_define_the_same_messages_and_the_french_titles_load() {
    use dialtone_i18n::{CLI_SOURCES, REPORT_SOURCES, TITLES_FR, Translations};
    let report = Messages::load("report", REPORT_SOURCES).expect("report.ftl loads in both languages");
    assert!(report.ids().len() > 100, "{}", report.ids().len());
    let cli = Messages::load("cli", CLI_SOURCES).expect("cli.ftl loads in both languages");
    assert!(cli.has("wrote"));
    let titles = Translations::load("titles", Lang::Fr, TITLES_FR).expect("titles.ftl loads");
    assert!(titles.ids().len() > 350);
    assert_eq!(titles.get("WAL-PRE-003").as_deref(), Some("Le sd_hash du KB-JWT couvre le SD-JWT présenté"));
    let m = dialtone_i18n::report();
    let totals = |lang, n: i64| m.text(lang, "count-pass", &[("count", n.into())]);
    assert_eq!((totals(Lang::Fr, 1), totals(Lang::Fr, 2)), ("1 réussi".into(), "2 réussis".into()));
}

#[test]
fn a_title_file_with_variables_is_refused() {
    let e = dialtone_i18n::Translations::load("titles", Lang::Fr, "A-1 = { $x }\n").expect_err("refused");
    assert!(e.to_string().contains("A-1 is not plain text"), "{e}");
}
