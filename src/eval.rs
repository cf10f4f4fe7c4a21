//! `casus eval`, `casus explain` and `casus diff`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use casus::calendar::Day;
use casus::eval::Evaluation;
use casus::program::Program;
use casus::report::{self, NormsView, Report};

use crate::files::Input;
use crate::load::{self, Failed, Loaded};
use crate::problem::{self, Problem};
use crate::term::{Term, Wrapped};

/// Past this many obligations the text report leaves out the one-line reasons.
const MAX_REASONS: usize = 2000;

/// How the report is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// For people.
    Text,
    /// JSON (the report of docs/report.md, for `eval`).
    Json,
}

/// How `casus eval` prints its report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ReportFormat {
    /// For people.
    Text,
    /// The JSON report of docs/report.md.
    Json,
    /// One self-contained HTML page (docs/pictures.md).
    Html,
}

/// Which parties, instruments and actions a report or explanation is about (all, when empty).
#[derive(Clone, Debug, Default, clap::Args)]
pub(crate) struct Filters {
    /// Only this party's norms, conflicts and violations, such as `PRK`. May be given several
    /// times.
    #[arg(long, value_name = "CODE")]
    pub party: Vec<String>,
    /// Only norms under this instrument, such as `kp_ru_2024`. May be given several times.
    #[arg(long, value_name = "ID")]
    pub instrument: Vec<String>,
    /// Only norms of this action, such as `assist_militarily`. May be given several times.
    #[arg(long, value_name = "ACTION")]
    pub action: Vec<String>,
}

impl Filters {
    fn is_empty(&self) -> bool {
        self.party.is_empty() && self.instrument.is_empty() && self.action.is_empty()
    }

    /// Every value names something the rules know, or the error says what it may have meant.
    pub(crate) fn check(&self, program: &Program) -> Result<(), Failed> {
        let parties = known_parties(program);
        let instruments: Vec<&str> = program.instruments.iter().map(|i| i.id.as_str()).collect();
        let actions: Vec<&str> = program.actions.keys().map(|a| program.name(*a)).collect();
        let mut problems = Vec::new();
        for party in &self.party {
            if let Some(write) = program.parties.get(party.as_str()).and_then(|d| d.alias.as_deref()) {
                let p = Problem::error(
                    "casus::usage",
                    format!("--party `{party}` is written `{write}` in these rules"),
                    None,
                );
                problems.push(p.with_help(format!("give `--party {write}`")));
            } else if !parties.contains(&party.as_str()) {
                problems.push(unknown("party", "parties", "--party", party, &parties));
            }
        }
        for id in self.instrument.iter().filter(|id| !instruments.contains(&id.as_str())) {
            problems.push(unknown("instrument", "instruments", "--instrument", id, &instruments));
        }
        for action in self.action.iter().filter(|a| !actions.contains(&a.as_str())) {
            problems.push(unknown("action", "actions", "--action", action, &actions));
        }
        if problems.is_empty() { Ok(()) } else { Err(Failed { problems }) }
    }

    fn party(&self, p: &str) -> bool {
        self.party.is_empty() || self.party.iter().any(|x| x == p)
    }

    fn instrument(&self, i: &str) -> bool {
        self.instrument.is_empty() || self.instrument.iter().any(|x| x == i)
    }

    fn action(&self, a: &str) -> bool {
        self.action.is_empty() || self.action.iter().any(|x| x == a)
    }

    /// The report of an evaluation, with what the filters ask for.
    pub(crate) fn report(&self, eval: &Evaluation, title: &str) -> Report {
        let mut report = Report::streamed(eval, title);
        self.apply(&mut report);
        report.owned()
    }

    /// Keeps what the filters ask for in a report, before its norms are built.
    fn apply(&self, report: &mut Report<NormsView>) {
        if self.is_empty() {
            return;
        }
        report.norms.retain(|p, i, a| self.party(p) && self.instrument(i) && self.action(a));
        report.conflicts.retain(|c| {
            let sides = [&c.obligation, &c.prohibition];
            self.party(&c.party)
                && sides.iter().any(|s| self.instrument(&s.instrument))
                && sides.iter().any(|s| self.action(&s.action))
        });
        report.violations.retain(|v| self.party(&v.party) && self.instrument(&v.instrument) && self.action(&v.action));
        report.instruments.retain(|i| self.instrument(&i.id));
        if !self.party.is_empty() {
            for i in &mut report.instruments {
                i.bound.retain(|p, _| self.party(p));
            }
        }
    }
}

/// The parties the rules know: those they declare, or, in a rule set that declares none (a small
/// test, a synthetic world), those its instruments name.
fn known_parties(program: &Program) -> Vec<&str> {
    let mut known: Vec<&str> = if program.parties.is_empty() {
        program.instruments.iter().flat_map(|i| i.records.keys()).map(|p| program.name(*p)).collect()
    } else {
        program.parties.keys().map(String::as_str).collect()
    };
    known.sort_unstable();
    known.dedup();
    known
}

/// `FLAG names no WHAT `VALUE``, with the name it may have meant, or else the first names the
/// rules know.
pub(crate) fn unknown(what: &str, plural: &str, flag: &str, value: &str, known: &[&str]) -> Problem {
    let p = Problem::error("casus::usage", format!("{flag} names no {what} `{value}`"), None);
    if let Some(near) = casus_syntax::suggest::did_you_mean(value, known.iter().copied()) {
        return p.with_help(near);
    }
    let mut sorted = known.to_vec();
    sorted.sort_unstable();
    let shown: Vec<String> = sorted.iter().take(10).map(|k| format!("`{k}`")).collect();
    let more = if sorted.len() > shown.len() { format!(", … ({} in all)", sorted.len()) } else { String::new() };
    p.with_help(format!("the rules' {plural} are {}{more}", shown.join(", ")))
}

/// What the command line asks of `casus eval`.
pub(crate) struct Request<'a> {
    /// The scenario.
    pub path: &'a Path,
    /// Rules instead of the scenario's.
    pub rules: &'a [PathBuf],
    /// The date instead of the scenario's.
    pub as_of: Option<Day>,
    /// The compliance assumption.
    pub assume: bool,
    /// Text, JSON or HTML.
    pub format: ReportFormat,
    /// Show every norm.
    pub all: bool,
    /// Events to add, for a what-if.
    pub with: &'a [String],
    /// Instruments to leave out, for a what-if.
    pub without: &'a [String],
    /// What to show.
    pub filters: &'a Filters,
}

/// Prints problems that stopped a command; exit 1.
pub(crate) fn failed(term: &mut Term, f: &Failed) -> u8 {
    problem::print(term, &f.problems, problem::Format::Human, &mut Vec::new());
    1
}

/// Prints the report of a scenario, or, with `--with` or `--without-instrument`, what changes.
pub(crate) fn run(term: &mut Term, r: &Request) -> u8 {
    let done = if r.with.is_empty() && r.without.is_empty() {
        report_of(term, r)
    } else if r.format == ReportFormat::Html {
        Err(Failed::error(
            "casus::usage",
            "`--format html` draws a report, and `--with` and `--without-instrument` print what changes",
            None,
        )
        .with_help(
            "leave out `--format html` to see the changes, or add the event to a copy of the scenario to draw it",
        ))
    } else {
        what_if(term, r)
    };
    match done {
        Ok(()) => 0,
        Err(f) => failed(term, &f),
    }
}

/// Writes the report of a scenario.
fn report_of(term: &mut Term, r: &Request) -> Result<(), Failed> {
    // The scenario is dropped once the world is fixed, and the norms are put in the report's
    // terms one by one as they are written (a synthetic world's scenario is tens of MB, its
    // report hundreds).
    let Loaded { sources, scenario, file, program, style } = load::load(&Input::of(r.path), r.rules, term.err_style)?;
    r.filters.check(&program)?;
    let (world, as_of, assume) = load::prepare(&program, &scenario, &sources, r.as_of, r.assume, style)?;
    for w in &world.warnings {
        let p = Problem::of(w, &sources, style);
        problem::print(term, &[p], problem::Format::Human, &mut Vec::new());
    }
    let title = scenario.title.clone();
    drop(scenario);
    let eval = casus::eval::evaluate_world(world, as_of, assume);
    let problems = eval.problems();
    if !problems.is_empty() {
        return Err(load::rendered(&problems, &sources, style));
    }
    if r.format == ReportFormat::Json {
        drop(sources);
        term.plain();
        let mut report = Report::streamed(&eval, &title);
        r.filters.apply(&mut report);
        let _ = report.write_json(&mut term.out);
        return Ok(());
    }
    let report = r.filters.report(&eval, &title);
    // A reason re-reads the state of the day its norm arose and quotes the scenario's events,
    // so the scenario is read again; past a few thousand obligations (a synthetic world) that
    // costs more than it tells.
    let obligations: Vec<_> = report
        .keys
        .iter()
        .zip(&report.norms)
        .filter(|(_, n)| n.modality == casus_syntax::ast::Modality::Must)
        .map(|(k, _)| k)
        .collect();
    let reasons: BTreeMap<_, _> = if obligations.len() <= MAX_REASONS {
        let scenario = load::parse_scenario(&sources, file, style)?;
        obligations
            .into_iter()
            .filter_map(|k| casus::explain::reason(&eval, &scenario, &sources, k).map(|r| (k, r)))
            .collect()
    } else {
        BTreeMap::new()
    };
    let (width, color) = (term.out_width, term.out_color);
    let mut out = Wrapped::new(&mut term.out, width, color);
    let _ = report::write_text(&report, &reasons, r.all, &mut out);
    if reasons.is_empty() && report.norms.len() > MAX_REASONS {
        let _ = writeln!(
            out,
            "\nReasons are left out past {MAX_REASONS} obligations; `casus explain` gives them party by party."
        );
    }
    let _ = out.flush();
    Ok(())
}

/// What the command line asks of `casus explain`.
pub(crate) struct Explain<'a> {
    /// The scenario.
    pub path: &'a Path,
    /// Rules instead of the scenario's.
    pub rules: &'a [PathBuf],
    /// The party.
    pub party: &'a str,
    /// What to explain of it.
    pub filters: &'a Filters,
    /// The date instead of the scenario's.
    pub as_of: Option<Day>,
    /// The compliance assumption.
    pub assume: bool,
    /// Text or JSON.
    pub format: Format,
}

/// Prints why a party's norms hold and why its other candidate norms do not.
pub(crate) fn explain(term: &mut Term, r: &Explain) -> u8 {
    let mut run = || -> Result<(), Failed> {
        let loaded = load::load(&Input::of(r.path), r.rules, term.err_style)?;
        let filters = Filters { party: vec![r.party.to_string()], ..r.filters.clone() };
        filters.check(&loaded.program)?;
        let eval = loaded.evaluate(r.as_of, r.assume)?;
        let focus =
            casus::explain::Focus { actions: r.filters.action.clone(), instruments: r.filters.instrument.clone() };
        let explanation = casus::explain::explanation(&eval, &loaded.scenario, &loaded.sources, r.party, &focus);
        match r.format {
            Format::Json => {
                let _ = serde_json::to_writer_pretty(&mut term.out, &explanation);
                let _ = term.out.write_all(b"\n");
            }
            Format::Text => {
                let (width, color) = (term.out_width, term.out_color);
                let mut out = Wrapped::new(&mut term.out, width, color);
                let _ = out.write_all(explanation.text().as_bytes());
                let _ = out.flush();
            }
        }
        Ok(())
    };
    match run() {
        Ok(()) => 0,
        Err(f) => failed(term, &f),
    }
}

fn what_if(term: &mut Term, r: &Request) -> Result<(), Failed> {
    let mut loaded = load::load(&Input::of(r.path), r.rules, term.err_style)?;
    r.filters.check(&loaded.program)?;
    let base = loaded.evaluate(r.as_of, r.assume)?;
    let before = r.filters.report(&base, &loaded.scenario.title);
    let mut changed = loaded.scenario.clone();
    let mut problems = Vec::new();
    for (n, text) in r.with.iter().enumerate() {
        let id = loaded.sources.add(format!("--with #{}", n + 1), text.clone());
        let Some(file) = loaded.sources.get(id) else { continue };
        match casus::scenario::parse_event(id, file) {
            Ok(event) => changed.events.push(event),
            Err(ds) => problems.extend(load::rendered(&ds, &loaded.sources, loaded.style).problems),
        }
    }
    for id in r.without {
        let program = &loaded.program;
        match program.instrument(id) {
            Some(i) => changed.without.push(i),
            None => {
                let known: Vec<&str> = program.instruments.iter().map(|i| i.id.as_str()).collect();
                problems.push(unknown("instrument", "instruments", "--without-instrument", id, &known));
            }
        }
    }
    if !problems.is_empty() {
        return Err(Failed { problems });
    }
    let mut labels: Vec<String> = r.with.iter().map(|w| format!("with {w}")).collect();
    labels.extend(r.without.iter().map(|w| format!("without {w}")));
    changed.title = format!("{} — {}", changed.title, labels.join(", "));
    let as_of = r.as_of.unwrap_or(changed.as_of);
    let eval = casus::eval::evaluate(&loaded.program, &changed, as_of, r.assume || changed.assume_compliance)
        .map_err(|ds| loaded.failed(&ds))?;
    let after = r.filters.report(&eval, &changed.title);
    let format = if r.format == ReportFormat::Json { Format::Json } else { Format::Text };
    write_diff(term, &report::Diff::new(&before, &after), &after, format);
    Ok(())
}

fn write_diff(term: &mut Term, diff: &report::Diff, after: &Report, format: Format) {
    match format {
        Format::Json => {
            let _ = term.out.write_all(diff.to_json().as_bytes());
        }
        Format::Text => {
            let (width, color) = (term.out_width, term.out_color);
            let mut out = Wrapped::new(&mut term.out, width, color);
            let _ = out.write_all(diff.text(after).as_bytes());
            let _ = out.flush();
        }
    }
}

/// What the command line asks of `casus diff`.
pub(crate) struct DiffRequest<'a> {
    /// The first scenario.
    pub a: &'a Path,
    /// The second.
    pub b: &'a Path,
    /// Rules instead of the scenarios'.
    pub rules: &'a [PathBuf],
    /// The date of both reports.
    pub as_of: Option<Day>,
    /// Text or JSON.
    pub format: Format,
    /// What to show.
    pub filters: &'a Filters,
}

/// Prints what changes between two scenarios.
pub(crate) fn diff(term: &mut Term, r: &DiffRequest) -> u8 {
    let mut run = || -> Result<(), Failed> {
        if r.a == Path::new("-") && r.b == Path::new("-") {
            return Err(Failed::error(
                "casus::usage",
                "only one of the two scenarios can be read from standard input",
                None,
            ));
        }
        let la = load::load(&Input::of(r.a), r.rules, term.err_style)?;
        let lb = load::load(&Input::of(r.b), r.rules, term.err_style)?;
        r.filters.check(&la.program)?;
        r.filters.check(&lb.program)?;
        let ea = la.evaluate(r.as_of, false)?;
        let eb = lb.evaluate(r.as_of, false)?;
        let (ra, rb) = (r.filters.report(&ea, &la.scenario.title), r.filters.report(&eb, &lb.scenario.title));
        write_diff(term, &report::Diff::new(&ra, &rb), &rb, r.format);
        Ok(())
    };
    match run() {
        Ok(()) => 0,
        Err(f) => failed(term, &f),
    }
}
