//! The public view of a report: every verdict, spec clause, PCTF criterion and the overall
//! verdict, without the evidence bodies (the HTTP exchanges and notes, and the candidate's own
//! error answers). What was expected and observed stays: it is the finding itself, already
//! redacted of the run's secrets.

use dialtone_engine::model::Report;

pub fn view(report: &Report) -> Report {
    let mut public = report.clone();
    for r in &mut public.results {
        r.evidence.clear();
        r.candidate_said = None;
    }
    public
}
