//! `casus eval --format html`, `casus graph` and `casus timeline`: the pictures of a scenario.

use std::io::Write;
use std::path::{Path, PathBuf};

use casus::calendar::Day;
use casus::report::Report;
use casus_draw::graph::{self, Graph, Scope};
use casus_draw::timeline::Timeline;

use crate::eval::Filters;
use crate::files::Input;
use crate::load::{self, Failed, Loaded};
use crate::term::Term;

/// Past this many norms the HTML report leaves out the explanations.
const MAX_EXPLAINED: usize = 5000;

/// A scenario to draw, and what to change in it.
pub(crate) struct Scenario<'a> {
    /// The scenario.
    pub path: &'a Path,
    /// Rules instead of the scenario's.
    pub rules: &'a [PathBuf],
    /// The date instead of the scenario's.
    pub as_of: Option<Day>,
    /// The compliance assumption.
    pub assume: bool,
}

/// How the cascade graph is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum GraphFormat {
    /// Graphviz's DOT language, for `dot -Tsvg` and other tools.
    Dot,
    /// An SVG picture, laid out by casus.
    Svg,
}

/// How a timeline is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum TimelineFormat {
    /// A text chart as wide as the terminal.
    Text,
    /// An SVG picture.
    Svg,
}

/// Loads, evaluates and reports a scenario, filtered as asked, and draws the report.
fn drawn(
    term: &Term,
    s: &Scenario,
    filters: &Filters,
    draw: impl FnOnce(&Loaded, &casus::eval::Evaluation, Report) -> String,
) -> Result<String, Failed> {
    let loaded = load::load(&Input::of(s.path), s.rules, term.err_style)?;
    filters.check(&loaded.program)?;
    let eval = loaded.evaluate(s.as_of, s.assume)?;
    let report = filters.report(&eval, &loaded.scenario.title);
    Ok(draw(&loaded, &eval, report))
}

/// Writes the HTML report of a scenario.
pub(crate) fn html(term: &mut Term, s: &Scenario, filters: &Filters) -> u8 {
    let page = drawn(term, s, filters, |loaded, eval, report| {
        let mut parties: Vec<&str> = report.norms.iter().map(|n| &*n.party).collect();
        parties.sort_unstable();
        parties.dedup();
        // An explanation traces each norm's facts back through the day it arose; past some
        // thousands of norms (a synthetic world) that costs more than a reader can use, and the
        // page says where to find them instead.
        let focus = casus::explain::Focus::default();
        let explanations: Vec<_> = if report.norms.len() <= MAX_EXPLAINED {
            parties
                .iter()
                .map(|p| casus::explain::explanation(eval, &loaded.scenario, &loaded.sources, p, &focus))
                .collect()
        } else {
            Vec::new()
        };
        casus_draw::html::page(&casus_draw::html::Page {
            report: &report,
            scenario: &loaded.scenario,
            explanations: &explanations,
            assumed: eval.assume_compliance,
        })
    });
    write(term, page)
}

/// Writes the cascade graph of a scenario.
pub(crate) fn graph(term: &mut Term, s: &Scenario, filters: &Filters, format: GraphFormat, all: bool) -> u8 {
    let text = drawn(term, s, filters, |loaded, _, report| {
        let scope = if all { Scope::All } else { Scope::Duties };
        let g = Graph::new(&report, graph::attacks(&loaded.scenario, report.as_of), scope);
        match format {
            GraphFormat::Dot => g.dot(),
            GraphFormat::Svg => g.svg(),
        }
    });
    write(term, text)
}

/// Writes the timelines of a scenario's parties.
pub(crate) fn timeline(
    term: &mut Term,
    s: &Scenario,
    filters: &Filters,
    format: TimelineFormat,
    all: bool,
    width: Option<usize>,
    from: Option<Day>,
) -> u8 {
    let width = width.unwrap_or(term.out_width);
    let text = drawn(term, s, filters, |loaded, _, report| {
        let scope = if all { Scope::All } else { Scope::Duties };
        let from = from.or_else(|| casus_draw::timeline::first_event(&loaded.scenario));
        let t = Timeline::new(&report, &filters.party, scope, from);
        match format {
            TimelineFormat::Text => t.text(width),
            TimelineFormat::Svg => t.svg(),
        }
    });
    write(term, text)
}

/// Writes a picture, or the problems that kept it from being drawn.
pub(crate) fn write(term: &mut Term, drawn: Result<String, Failed>) -> u8 {
    match drawn {
        Ok(text) => {
            term.plain();
            let _ = term.out.write_all(text.as_bytes());
            0
        }
        Err(f) => crate::eval::failed(term, &f),
    }
}
