//! A candidate's history as a chart: one stacked bar per run (passed, failed, warned, the rest
//! of the cases judged), drawn by the server as SVG (no script), with a table beside it.

use crate::store::SubmissionRow;

pub(crate) const WIDTH: i64 = 720;
pub(crate) const HEIGHT: i64 = 260;
const LEFT: i64 = 48;
const BOTTOM: i64 = 40;
const TOP: i64 = 12;

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Segment {
    /// `pass`, `fail`, `warn`, `other`: the CSS class that colours it.
    pub class: &'static str,
    pub y: i64,
    pub height: i64,
    pub count: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Bar {
    pub id: String,
    pub x: i64,
    pub width: i64,
    pub label_x: i64,
    pub label: String,
    pub version: String,
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Tick {
    pub y: i64,
    pub value: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Chart {
    pub width: i64,
    pub height: i64,
    pub left: i64,
    pub baseline: i64,
    pub bars: Vec<Bar>,
    pub ticks: Vec<Tick>,
}

/// The chart of `runs`, oldest first (at most the last 40, so bars stay readable).
pub(crate) fn history(runs: &[SubmissionRow]) -> Chart {
    let runs = &runs[runs.len().saturating_sub(40)..];
    let plot_h = HEIGHT - TOP - BOTTOM;
    let baseline = HEIGHT - BOTTOM;
    let max = runs.iter().map(|r| r.cases_judged.max(r.passed + r.failed + r.warned)).max().unwrap_or(0).max(1);
    let step = (WIDTH - LEFT - 8) / i64::try_from(runs.len().max(1)).unwrap_or(1);
    let bar_w = (step * 2 / 3).clamp(4, 60);
    let scale = |n: i64| n.max(0) * plot_h / max;
    let bars = runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let x = LEFT + 4 + i64::try_from(i).unwrap_or(0) * step + (step - bar_w) / 2;
            let other = (r.cases_judged - r.passed - r.failed - r.warned).max(0);
            let mut y = baseline;
            let segments = [("pass", r.passed), ("fail", r.failed), ("warn", r.warned), ("other", other)]
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(class, count)| {
                    let height = scale(count).max(1);
                    y -= height;
                    Segment { class, y, height, count }
                })
                .collect();
            Bar {
                id: r.id.clone(),
                x,
                width: bar_w,
                label_x: x + bar_w / 2,
                label: crate::clock::utc_day(r.received_at),
                version: r.candidate_version.clone(),
                segments,
            }
        })
        .collect();
    let ticks = (0..=4).map(|i| Tick { y: baseline - plot_h * i / 4, value: max * i / 4 }).collect();
    Chart { width: WIDTH, height: HEIGHT, left: LEFT, baseline, bars, ticks }
}
