//! Timelines: each norm of a party as a row of bars over the days, one bar per phase — before its
//! status (pending, or in effect), in its status, and its earlier episodes — with its due dates
//! marked. Written as a compact text Gantt chart that fits a terminal's width, or as SVG.

use std::fmt::Write;

use casus::calendar::{Day, Interval};
use casus::outcome::Status;
use casus::report::{NormReport, Report};
use casus::scenario::EventKind;
use casus_syntax::ast::Modality;

use crate::graph::Scope;
use crate::markup::{STATUSES, esc, look};

/// The timelines of some parties' norms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeline {
    /// The scenario's title.
    pub title: String,
    /// The first day drawn.
    pub start: Day,
    /// The last day drawn: the date of the report.
    pub end: Day,
    /// One row per norm, by party and then in the report's order.
    pub rows: Vec<Row>,
}

/// One norm's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The bearer.
    pub party: String,
    /// The norm in words: `dual_1879 art. 1: must assist_militarily(ally: GMY, against: RUS)`.
    pub label: String,
    /// Its status on the date.
    pub status: Status,
    /// Its bars, oldest first.
    pub bars: Vec<Bar>,
    /// The due dates of its episodes.
    pub due: Vec<Day>,
    /// The runs of days `[from, until)` it is in a conflict, with the other side in words.
    pub conflicts: Vec<(Day, Day, String)>,
}

/// A run of days `[from, until)` in one phase of a norm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bar {
    /// The first day.
    pub from: Day,
    /// The first day after.
    pub until: Day,
    /// The phase.
    pub phase: Phase,
}

/// What a bar shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The norm in this status.
    Status(Status),
    /// An episode before the latest one.
    Earlier,
}

impl Phase {
    fn glyph(self) -> char {
        match self {
            Phase::Status(s) => look(s).glyph,
            Phase::Earlier => ':',
        }
    }

    fn colour(self) -> &'static str {
        match self {
            Phase::Status(s) => look(s).colour,
            Phase::Earlier => "#bdbdbd",
        }
    }

    fn word(self) -> &'static str {
        match self {
            Phase::Status(s) => look(s).word,
            Phase::Earlier => "earlier episode",
        }
    }
}

impl Timeline {
    /// The rows of the report's norms of `scope` borne by `parties` (every party, when empty),
    /// from the day `from` (the first day of a norm, when `None`): a norm that began earlier
    /// starts at the left edge, marked as older.
    pub fn new(report: &Report, parties: &[String], scope: Scope, from: Option<Day>) -> Timeline {
        let end = report.as_of;
        let rows: Vec<Row> = report
            .norms
            .iter()
            .filter(|n| scope.draws(n) && (parties.is_empty() || parties.iter().any(|p| **p == *n.party)))
            .map(|n| row(report, n))
            .collect();
        let first = rows.iter().flat_map(|r| r.bars.first()).map(|b| b.from).min().unwrap_or(end);
        let start = from.unwrap_or(first).min(end);
        Timeline { title: report.scenario.clone(), start, end, rows }
    }

    /// The timeline as text, at most `width` columns wide.
    pub fn text(&self, width: usize) -> String {
        let width = width.max(40);
        let label_w = (width * 2 / 5).min(60);
        let bar_w = width - label_w - 2;
        let mut out = String::new();
        let _ = writeln!(out, "{}", clip(&format!("{} — {} to {}", self.title, self.start, self.end), width));
        if self.rows.is_empty() {
            out.push_str("No norms to show.\n");
            return out;
        }
        // The axis: the first day under the bars' start, the last under their end.
        let (first, last) = (self.start.to_string(), self.end.to_string());
        let pad = bar_w.saturating_sub(first.len() + last.len());
        let _ = writeln!(out, "{:label_w$}  {first}{:pad$}{last}", "", "");
        let mut party = "";
        for r in &self.rows {
            if r.party != party {
                let _ = writeln!(out, "{}", r.party);
                party = &r.party;
            }
            let mut cells = vec![' '; bar_w];
            for b in &r.bars {
                // A bar runs up to the column where the next day's begins, so that two bars that
                // meet leave no gap when a day is wider than a column.
                let a = self.column(b.from, bar_w);
                let z =
                    if b.until > self.end { bar_w - 1 } else { self.column(b.until, bar_w).saturating_sub(1).max(a) };
                for c in cells.iter_mut().take(z + 1).skip(a) {
                    *c = b.phase.glyph();
                }
            }
            for d in r.due.iter().filter(|d| **d >= self.start && **d <= self.end) {
                if let Some(c) = cells.get_mut(self.column(*d, bar_w)) {
                    *c = '|';
                }
            }
            for (from, ..) in r.conflicts.iter().filter(|c| c.0 <= self.end) {
                if let Some(c) = cells.get_mut(self.column((*from).max(self.start), bar_w)) {
                    *c = '!';
                }
            }
            if r.bars.first().is_some_and(|b| b.from < self.start)
                && let Some(c) = cells.first_mut()
            {
                *c = '<';
            }
            let label = &r.label;
            let bars: String = cells.into_iter().collect();
            let _ = writeln!(out, "  {:label_w$}{}", clip(label, label_w - 2), bars.trim_end());
        }
        out.push('\n');
        let mut legend: Vec<String> =
            STATUSES.iter().map(|s| format!("{} {}", look(*s).glyph, look(*s).word)).collect();
        legend.extend([
            ": earlier episode".to_string(),
            "| due".to_string(),
            "! a conflict begins".to_string(),
            format!("< began before {}", self.start),
        ]);
        // The legend, wrapped to the width.
        let mut line = String::new();
        for item in legend {
            if !line.is_empty() && line.chars().count() + 2 + item.chars().count() > width {
                let _ = writeln!(out, "{line}");
                line.clear();
            }
            if !line.is_empty() {
                line.push_str("  ");
            }
            line.push_str(&item);
        }
        let _ = writeln!(out, "{line}");
        out
    }

    /// The column of a day on a bar `width` columns wide.
    fn column(&self, day: Day, width: usize) -> usize {
        let span = i64::from(self.end.0) - i64::from(self.start.0) + 1;
        let at = (i64::from(day.0) - i64::from(self.start.0)).clamp(0, span - 1);
        usize::try_from(at * width as i64 / span).unwrap_or(0).min(width.saturating_sub(1))
    }

    /// The timeline as a standalone SVG picture.
    pub fn svg(&self) -> String {
        const LABEL_W: i64 = 420;
        const BAR_W: i64 = 560;
        const ROW_H: i64 = 22;
        let party_rows = {
            let mut parties: Vec<&str> = self.rows.iter().map(|r| r.party.as_str()).collect();
            parties.dedup();
            parties.len() as i64
        };
        let height = 70 + (self.rows.len() as i64 + party_rows) * ROW_H + 50;
        let width = LABEL_W + BAR_W + 30;
        let x_of = |d: Day| -> i64 {
            let span = i64::from(self.end.0) - i64::from(self.start.0) + 1;
            LABEL_W + (i64::from(d.0) - i64::from(self.start.0)).clamp(0, span) * BAR_W / span
        };
        let mut out = String::new();
        let title = format!("Norms over time — {} — {} to {}", self.title, self.start, self.end);
        let _ = writeln!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"timeline-title\" font-family=\"sans-serif\" font-size=\"12\">"
        );
        let _ = writeln!(out, "<title id=\"timeline-title\">{}</title>", esc(&title));
        let _ = writeln!(out, "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">{}</text>", esc(&title));
        let axis_y = 44;
        let _ = writeln!(
            out,
            "<g class=\"axis\"><line x1=\"{LABEL_W}\" y1=\"{axis_y}\" x2=\"{}\" y2=\"{axis_y}\" stroke=\"#333\"/><text x=\"{LABEL_W}\" y=\"{}\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text></g>",
            LABEL_W + BAR_W,
            axis_y - 6,
            self.start,
            LABEL_W + BAR_W,
            axis_y - 6,
            self.end
        );
        let mut y = 60;
        let mut party = "";
        for r in &self.rows {
            if r.party != party {
                let _ = writeln!(out, "<text x=\"10\" y=\"{}\" font-weight=\"bold\">{}</text>", y + 15, esc(&r.party));
                party = &r.party;
                y += ROW_H;
            }
            let _ = write!(
                out,
                "<g class=\"row\" data-party=\"{}\" data-status=\"{}\"><title>{} — {}</title><text x=\"20\" y=\"{}\">{}</text>",
                esc(&r.party),
                r.status.name(),
                esc(&r.label),
                look(r.status).word,
                y + 15,
                esc(&clip(&r.label, 62))
            );
            for b in &r.bars {
                let (x0, x1) = (x_of(b.from), x_of(b.until).max(x_of(b.from) + 2));
                let _ = write!(
                    out,
                    "<rect x=\"{x0}\" y=\"{}\" width=\"{}\" height=\"14\" fill=\"{}\"><title>{} {}</title></rect>",
                    y + 4,
                    x1 - x0,
                    b.phase.colour(),
                    b.phase.word(),
                    Interval { from: b.from, until: Some(b.until) }
                );
            }
            for (from, until, other) in &r.conflicts {
                let (x0, x1) = (x_of(*from), x_of(*until).max(x_of(*from) + 2));
                let _ = write!(
                    out,
                    "<rect class=\"conflict\" x=\"{x0}\" y=\"{}\" width=\"{}\" height=\"20\" fill=\"none\" stroke=\"#542788\" stroke-width=\"2\" stroke-dasharray=\"3 2\"><title>in conflict from {from} with {}</title></rect>",
                    y + 1,
                    x1 - x0,
                    esc(other)
                );
            }
            for d in r.due.iter().filter(|d| **d >= self.start && **d <= self.end) {
                let x = x_of(*d);
                let _ = write!(
                    out,
                    "<path d=\"M{},{} L{},{} L{x},{} z\" fill=\"#000\"><title>due {d}</title></path>",
                    x - 5,
                    y,
                    x + 5,
                    y,
                    y + 8
                );
            }
            out.push_str("</g>\n");
            y += ROW_H;
        }
        let mut x = 10;
        y += 16;
        out.push_str("<g class=\"legend\" font-size=\"11\">");
        for phase in STATUSES.iter().map(|s| Phase::Status(*s)).chain([Phase::Earlier]) {
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"{}\" width=\"14\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{y}\">{}</text>",
                y - 9,
                phase.colour(),
                x + 18,
                phase.word()
            );
            x += 18 + 7 * phase.word().len() as i64 + 14;
        }
        let _ = write!(
            out,
            "<path d=\"M{},{} L{},{} L{},{} z\" fill=\"#000\"/><text x=\"{}\" y=\"{y}\">due</text>",
            x,
            y - 9,
            x + 10,
            y - 9,
            x + 5,
            y - 1,
            x + 14
        );
        out.push_str("</g>\n</svg>\n");
        out
    }
}

/// The day of a scenario's first event, where its timelines begin unless told otherwise.
pub fn first_event(scenario: &casus::scenario::Scenario) -> Option<Day> {
    scenario.events.iter().map(|e| event_days(&e.kind).0).min()
}

/// A norm's row: its earlier episodes, then the latest one before and from its status's day.
fn row(report: &Report, n: &NormReport) -> Row {
    let end = report.as_of.next();
    let mut bars = Vec::new();
    let count = n.episodes.len();
    for (i, e) in n.episodes.iter().enumerate() {
        let until = e.until.unwrap_or(end).min(end);
        if i + 1 < count {
            bars.push(Bar { from: e.from, until, phase: Phase::Earlier });
            continue;
        }
        let before = match n.modality {
            Modality::Must => Status::Pending,
            Modality::MustNot => Status::InEffect,
            Modality::May => Status::Permitted,
        };
        let turn = n.since.clamp(e.from, until);
        if turn > e.from && before != n.status {
            bars.push(Bar { from: e.from, until: turn, phase: Phase::Status(before) });
            if turn < until {
                bars.push(Bar { from: turn, until, phase: Phase::Status(n.status) });
            }
        } else if e.from < until {
            bars.push(Bar { from: e.from, until, phase: Phase::Status(n.status) });
        }
    }
    Row {
        party: n.party.to_string(),
        label: format!(
            "{} art. {}: {} {}",
            n.instrument,
            n.article,
            n.modality.words(),
            report.action(&n.action, &n.args)
        ),
        status: n.status,
        bars,
        due: n.episodes.iter().filter_map(|e| e.due).collect(),
        conflicts: conflicts(report, n),
    }
}

/// The conflicts a norm is a side of, with the other side in words.
fn conflicts(report: &Report, n: &NormReport) -> Vec<(Day, Day, String)> {
    let end = report.as_of.next();
    report
        .conflicts
        .iter()
        .filter(|c| *c.party == *n.party)
        .filter_map(|c| {
            let other = if c.obligation.is(n) {
                &c.prohibition
            } else if c.prohibition.is(n) {
                &c.obligation
            } else {
                return None;
            };
            Some((c.from, c.until.unwrap_or(end).min(end), report.side_words(other)))
        })
        .collect()
}

/// Text cut to `width` characters, with an ellipsis when cut.
fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// An event's first day, the day after its last (if it ends), and its source.
pub(crate) fn event_days(kind: &EventKind) -> (Day, Option<Day>, Option<&str>) {
    match kind {
        EventKind::Fact { from, until, source, .. } | EventKind::Act { from, until, source, .. } => {
            (*from, *until, source.as_deref())
        }
        EventKind::Status { on, .. } | EventKind::Dated { on, .. } => (*on, None, None),
    }
}
