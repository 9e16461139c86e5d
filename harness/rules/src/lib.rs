//! Credential format rules: what `dialtone check` runs over stored credentials. The rule table
//! (`table.rs`) names every rule; one module per format judges an artifact; the SD-JWT VC rule
//! functions (`sd_jwt_vc::rule`) are also what the issuer, wallet and verifier plans apply.

pub(crate) mod cose_header;
pub mod data_model;
pub mod deadline;
pub mod detect;
pub(crate) mod jws;
pub mod keys;
pub mod mdoc;
pub mod profiles;
pub mod qr_image;
pub(crate) mod sd_jwt;
pub mod sd_jwt_vc;
pub mod shc;
pub mod table;
pub mod vc;

use dialtone_engine::model::{CaseResult, Level, Outcome, SpecRef, Verdict};
use dialtone_engine::role::Role;
use dialtone_http::{EvidenceItem, bound_text};
pub use keys::KeyRing;
pub use profiles::Profiles;
use std::time::Instant;
pub use table::{Format, Rule};

/// Largest artifact file `check` reads.
pub const MAX_ARTIFACT_BYTES: usize = 4 << 20;

/// What the judging party knows besides the artifact.
#[derive(Debug, Default)]
pub struct Context {
    pub keys: KeyRing,
    /// The verification time (seconds since the epoch).
    pub now: i64,
    /// Whether `now` was given (`--now`) or is the current time; said in the observations.
    pub now_given: bool,
    /// What a key binding JWT must carry.
    pub nonce: Option<String>,
    pub aud: Option<String>,
    pub profiles: Profiles,
    /// How PNG images of QR codes are decoded.
    pub qr_images: qr_image::QrImageDecoder,
    /// SMART Health Card revocation lists, one per issuer key (`--crl`, or fetched).
    pub revocation: Vec<dialtone_protocols::shc::revocation::RevocationList>,
}

/// One artifact to judge: its name (a file path) and bytes; chunked QR codes are several parts.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub name: String,
    pub parts: Vec<Vec<u8>>,
}

impl Artifact {
    pub fn single(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Self { name: name.into(), parts: vec![bytes] }
    }

    pub fn first(&self) -> &[u8] {
        self.parts.first().map(Vec::as_slice).unwrap_or_default()
    }

    /// The first part as text: [`text_of`] its bytes.
    pub fn first_text(&self) -> std::borrow::Cow<'_, str> {
        text_of(self.first())
    }
}

/// `bytes` as UTF-8 text, each invalid sequence as U+FFFD (what `String::from_utf8_lossy` makes of
/// them). Valid text, nearly every artifact, is borrowed after the standard library's validation,
/// which passes over ASCII several bytes at a time; the lossy decoder looks at every byte.
pub fn text_of(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Outcomes of the rules of one format for one artifact, with evidence shared by them.
pub struct Findings {
    rules: &'static [Rule],
    outcomes: Vec<Option<Outcome>>,
    pub evidence: Vec<EvidenceItem>,
    first_failure: Option<&'static str>,
    unsupported: Option<String>,
    /// Where the rule after the last one set is: formats mostly set their rules in the table's
    /// order, so it is looked at before the table is searched.
    next: usize,
}

impl Findings {
    pub fn new(rules: &'static [Rule]) -> Self {
        Self {
            rules,
            outcomes: vec![None; rules.len()],
            evidence: Vec::new(),
            first_failure: None,
            unsupported: None,
            next: 0,
        }
    }

    /// The artifact is in a form of its format that dialtone does not read (an image format it
    /// does not decode, a QR code its detector cannot find): no rule judges it, and its verdict is
    /// `unsupported` with `reason`, not `invalid`.
    pub fn unsupported(&mut self, reason: impl Into<String>) {
        self.unsupported.get_or_insert(reason.into());
    }

    /// Records a rule's outcome. The first recorded wins, except that a failure replaces a pass or
    /// skip (an artifact with several credentials fails a rule when any of them does). The rule is
    /// one of the table's named constants, so an unknown one cannot compile; one of another
    /// format is a defect the vectors' tests catch.
    pub fn set(&mut self, rule: &Rule, outcome: Outcome) {
        let next = self.rules.get(self.next).filter(|r| r.id == rule.id).map(|_| self.next);
        let Some(i) = next.or_else(|| self.rules.iter().position(|r| r.id == rule.id)) else {
            debug_assert!(false, "rule {} is not one of this format's", rule.id);
            return;
        };
        self.next = i + 1;
        let replace = match (&self.outcomes[i], &outcome) {
            (None, _) => true,
            (Some(Outcome::Fail { .. } | Outcome::Error { .. }), _) => false,
            (Some(_), Outcome::Fail { .. } | Outcome::Error { .. }) => true,
            _ => false,
        };
        if replace {
            if matches!(outcome, Outcome::Fail { .. })
                && self.rules[i].level == Level::Must
                && self.first_failure.is_none()
            {
                self.first_failure = Some(self.rules[i].id);
            }
            self.outcomes[i] = Some(outcome);
        }
    }

    /// Whether a rule's outcome so far needs the evidence beside it (a failure or an error, at any
    /// level): the rows of passes and skips carry none, so a format builds its evidence only then.
    pub fn needs_evidence(&self) -> bool {
        self.outcomes
            .iter()
            .flatten()
            .any(|o| matches!(o, Outcome::Fail { .. } | Outcome::Precondition { .. } | Outcome::Error { .. }))
    }

    pub fn artifact(&mut self, label: &str, content: &str) {
        self.evidence.push(EvidenceItem::Artifact { label: label.into(), content: bound_text(content) });
    }

    /// Every rule with its outcome; rules never reached skip, naming the failure that stopped them.
    /// Of an unsupported artifact every rule skips with the reason; the reason is returned.
    pub fn finish(self) -> (Vec<(&'static Rule, Outcome)>, Option<String>) {
        let stopper = self.first_failure;
        let unsupported = self.unsupported;
        let outcomes = self
            .rules
            .iter()
            .zip(self.outcomes)
            .map(|(rule, o)| {
                let o = match (&unsupported, o) {
                    (Some(why), _) => Outcome::skip(format!("not judged: unsupported ({why})")),
                    (None, Some(o)) => o,
                    (None, None) => match stopper {
                        Some(id) => Outcome::skip(format!("not reached: {id} failed first")),
                        None => Outcome::skip("not applicable to this artifact"),
                    },
                };
                (rule, o)
            })
            .collect();
        (outcomes, unsupported)
    }
}

/// The judgement of one artifact.
pub struct ArtifactReport {
    pub name: String,
    pub format: Option<Format>,
    pub outcomes: Vec<(&'static Rule, Outcome)>,
    pub evidence: Vec<EvidenceItem>,
    pub duration_ms: f64,
    /// Why the artifact's form is not one dialtone reads, when it is not (verdict `unsupported`).
    pub unsupported: Option<String>,
}

/// The verdict of an artifact (as vectors state it, and as `check` reports it).
pub use dialtone_engine::model::ArtifactStatus as ArtifactVerdict;

impl ArtifactReport {
    pub fn verdict(&self) -> ArtifactVerdict {
        if self.unsupported.is_some() {
            return ArtifactVerdict::Unsupported;
        }
        let failed =
            |level: Level| self.outcomes.iter().any(|(r, o)| r.level == level && matches!(o, Outcome::Fail { .. }));
        if failed(Level::Must) {
            ArtifactVerdict::Invalid
        } else if self.outcomes.iter().any(|(_, o)| matches!(o, Outcome::Error { .. })) {
            ArtifactVerdict::Error
        } else if self.format.is_none() {
            ArtifactVerdict::Invalid
        } else if self.unauthenticated().is_some() {
            ArtifactVerdict::Unverified
        } else if failed(Level::Should) || failed(Level::May) {
            ArtifactVerdict::Acceptable
        } else {
            ArtifactVerdict::Valid
        }
    }

    /// The signature rule that did not pass, with why (no key given, none trusted).
    pub fn unauthenticated(&self) -> Option<String> {
        self.outcomes.iter().find_map(|(r, o)| match o {
            Outcome::Pass { .. } => None,
            Outcome::Skip { reason } if r.authenticates => Some(format!("{}: {reason}", r.id)),
            _ if r.authenticates => Some(format!("{}: not verified", r.id)),
            _ => None,
        })
    }

    /// The verdict with its reason, as a report states it.
    pub fn result(&self) -> dialtone_engine::model::ArtifactResult {
        let verdict = self.verdict();
        let reason = match verdict {
            ArtifactVerdict::Invalid | ArtifactVerdict::Error => {
                Some(self.reason().unwrap_or_else(|| "format not recognized".into()))
            }
            ArtifactVerdict::Unverified => self.unauthenticated(),
            ArtifactVerdict::Unsupported => self.unsupported.clone(),
            _ => None,
        };
        dialtone_engine::model::ArtifactResult {
            name: self.name.clone(),
            format: self.format.map(|f| f.name().to_string()),
            verdict,
            reason,
        }
    }

    /// Ids of the rules that failed.
    pub fn failed(&self) -> Vec<&'static str> {
        self.outcomes.iter().filter(|(_, o)| matches!(o, Outcome::Fail { .. })).map(|(r, _)| r.id).collect()
    }

    /// The first MUST failure or harness error, as "RULE: observed".
    pub fn reason(&self) -> Option<String> {
        self.outcomes.iter().find_map(|(r, o)| match o {
            Outcome::Fail { observed, .. } if r.level == Level::Must => Some(format!("{}: {observed}", r.id)),
            Outcome::Error { reason } => Some(format!("{}: {reason}", r.id)),
            _ => None,
        })
    }

    /// Report rows: one per rule, its id suffixed with the artifact so rows stay unique.
    pub fn case_results(&self) -> Vec<CaseResult> {
        let per_rule_ms = self.duration_ms / self.outcomes.len().max(1) as f64;
        self.outcomes
            .iter()
            .map(|(rule, outcome)| {
                let judged = outcome.clone().judged(rule.level);
                let failing = matches!(judged.verdict, Verdict::Fail | Verdict::Warn | Verdict::Info | Verdict::Error);
                CaseResult {
                    id: format!("{} {}", rule.id, self.name),
                    plan: ARTIFACT_PLAN.into(),
                    title: rule.title.to_string(),
                    role: Role::Artifact,
                    level: rule.level,
                    verdict: judged.verdict,
                    driver: format!("artifact::{}", self.format.map(Format::name).unwrap_or("unknown")),
                    spec: rule.spec.iter().map(|(d, s)| SpecRef { doc: (*d).into(), section: (*s).into() }).collect(),
                    pctf: rule.pctf.iter().map(|s| s.to_string()).collect(),
                    expected: judged.expected,
                    observed: judged.observed,
                    precondition: None,
                    blocked_by: None,
                    candidate_said: None,
                    known_failure: None,
                    level_by: None,
                    evidence: if failing { self.evidence.clone() } else { Vec::new() },
                    duration_ms: per_rule_ms,
                    candidate_ms: 0.0,
                }
            })
            .collect()
    }
}

/// The plan name of artifact rule results.
pub use dialtone_engine::compact::ARTIFACT_PLAN;

/// Judges one artifact against its format's rules. `format` None means recognize it from the bytes.
pub fn judge(artifact: &Artifact, format: Option<Format>, ctx: &Context) -> ArtifactReport {
    let started = Instant::now();
    let format = format.or_else(|| detect::detect(artifact));
    let (outcomes, evidence, unsupported) = match format {
        None => {
            let head: String = String::from_utf8_lossy(&artifact.first()[..artifact.first().len().min(60)]).into();
            (
                vec![(
                    &table::FORMAT,
                    Outcome::fail(
                        "an SD-JWT VC, a W3C VC secured with JOSE, COSE or SD-JWT, a SMART Health Card (shc:/, file, JWS or QR image), or an ISO mdoc",
                        format!("unrecognized bytes beginning {head:?}"),
                    ),
                )],
                Vec::new(),
                None,
            )
        }
        Some(f) => {
            let mut findings = match f {
                Format::SdJwtVc => sd_jwt_vc::judge_artifact(artifact, ctx),
                Format::VcJose | Format::VcCose | Format::VcSdJwt => vc::judge_artifact(artifact, f, ctx),
                Format::Shc => shc::judge_artifact(artifact, ctx),
                Format::Mdoc => mdoc::judge_artifact(artifact, ctx),
            };
            let evidence = std::mem::take(&mut findings.evidence);
            let (outcomes, unsupported) = findings.finish();
            (outcomes, evidence, unsupported)
        }
    };
    ArtifactReport {
        name: artifact.name.clone(),
        format,
        outcomes,
        evidence,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        unsupported,
    }
}

/// "now=… (the current time)" or "(--now)" for observations.
pub(crate) fn now_note(ctx: &Context) -> String {
    format!(
        "verification time {} ({})",
        dialtone_protocols::time::format_rfc3339(ctx.now),
        if ctx.now_given { "--now" } else { "the current time; give --now to judge at another" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An outcome lands on its rule whatever the order rules are set in (the table's, backwards,
    /// one set twice), and a failure is not replaced.
    #[test]
    fn each_outcome_lands_on_its_rule_in_any_order() {
        use table::{SDJWTVC_001, SDJWTVC_002, SDJWTVC_003};
        let mut f = Findings::new(table::SD_JWT_VC);
        f.set(&SDJWTVC_003, Outcome::pass("three"));
        f.set(&SDJWTVC_001, Outcome::fail("one", "first"));
        f.set(&SDJWTVC_002, Outcome::pass("two"));
        f.set(&SDJWTVC_001, Outcome::pass("one again"));
        f.set(&SDJWTVC_003, Outcome::fail("three", "at last"));
        let (outcomes, _) = f.finish();
        let observed: Vec<(&str, String)> =
            outcomes.iter().take(3).map(|(rule, o)| (rule.id, format!("{o:?}"))).collect();
        assert_eq!(observed[0].0, "SDJWTVC-001");
        assert!(observed[0].1.contains("first"), "{observed:?}");
        assert!(observed[1].1.contains("two"), "{observed:?}");
        assert!(observed[2].1.contains("at last"), "{observed:?}");
    }

    #[test]
    fn text_of_bytes_is_what_the_lossy_decoder_makes_of_them() {
        let inputs: [&[u8]; 7] =
            [b"", b"eyJ.a~b~", "ᓄᓇᕗᑦ é".as_bytes(), b"a\xffb", b"\xe1\x93", b"ok\xc3", b"\xf0\x9f\x98\x80\x80x"];
        for bytes in inputs {
            assert_eq!(text_of(bytes), String::from_utf8_lossy(bytes), "{bytes:?}");
        }
        assert!(matches!(text_of(b"eyJ.a~b~"), std::borrow::Cow::Borrowed(_)));
    }
}
