//! `casus eval` and `casus explain`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use casus::calendar::Day;
use casus::report::{self, Report};

use crate::load::{self, Failed};

/// Past this many obligations the text report leaves out the one-line reasons.
const MAX_REASONS: usize = 2000;

/// How the report is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// For people.
    Text,
    /// The JSON report of docs/report.md.
    Json,
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
    /// Text or JSON.
    pub format: Format,
    /// Show every norm.
    pub all: bool,
    /// Events to add, for a what-if.
    pub with: &'a [String],
    /// Instruments to leave out, for a what-if.
    pub without: &'a [String],
}

/// Prints the report of a scenario, or, with `--with` or `--without-instrument`, what changes.
pub(crate) fn run(r: &Request) -> u8 {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = if r.with.is_empty() && r.without.is_empty() {
        report_of(r.path, r.rules, r.as_of, r.assume, r.format, r.all, &mut out)
    } else {
        what_if(r).map(|text| out.write_all(text.as_bytes()))
    };
    let written = match written {
        Ok(w) => w.and_then(|()| out.flush()),
        Err(Failed { message, .. }) => {
            eprintln!("{message}");
            return 1;
        }
    };
    match written {
        Ok(()) => 0,
        // A reader that stopped early (`| head`) wanted no more.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("error: cannot write the report: {e}");
            1
        }
    }
}

/// Writes the report of a scenario to `out`; the outer error is the scenario's, the inner one
/// the writing's.
fn report_of(
    path: &Path,
    rules: &[PathBuf],
    as_of: Option<Day>,
    assume: bool,
    format: Format,
    all: bool,
    out: &mut impl Write,
) -> Result<std::io::Result<()>, Failed> {
    // The scenario is dropped once the world is fixed, and the norms are put in the report's
    // terms one by one as they are written (a synthetic world's scenario is tens of MB, its
    // report hundreds).
    let load::Loaded { sources, scenario, file, program } = load::load(path, rules)?;
    let (world, as_of, assume) = load::prepare(&program, &scenario, &sources, as_of, assume)?;
    for w in &world.warnings {
        eprintln!("{}", casus_syntax::diagnostic::render(w, &sources));
    }
    let title = scenario.title.clone();
    drop(scenario);
    match format {
        Format::Json => {
            drop(sources);
            let eval = casus::eval::evaluate_world(world, as_of, assume);
            Ok(Report::streamed(&eval, &title).write_json(out))
        }
        Format::Text => {
            let eval = casus::eval::evaluate_world(world, as_of, assume);
            let report = Report::streamed(&eval, &title);
            // A reason re-reads the state of the day its norm arose and quotes the scenario's
            // events, so the scenario is read again; past a few thousand obligations (a
            // synthetic world) that costs more than it tells.
            let obligations: Vec<_> =
                report.norms.keys().filter(|k| k.modality == casus_syntax::ast::Modality::Must).collect();
            let reasons: BTreeMap<_, _> = if obligations.len() <= MAX_REASONS {
                let scenario = load::parse_scenario(&sources, file)?;
                obligations
                    .into_iter()
                    .filter_map(|k| casus::explain::reason(&eval, &scenario, &sources, k).map(|r| (k, r)))
                    .collect()
            } else {
                BTreeMap::new()
            };
            let written = report::write_text(&report, &reasons, all, out).and_then(|()| {
                if reasons.is_empty() && report.norms.len() > MAX_REASONS {
                    writeln!(out, "\nReasons are left out past {MAX_REASONS} obligations; `casus explain` gives them party by party.")
                } else {
                    Ok(())
                }
            });
            Ok(written)
        }
    }
}

/// Prints why a party's norms hold and why its other candidate norms do not.
pub(crate) fn explain(
    path: &Path,
    rules: &[PathBuf],
    party: &str,
    action: Option<&str>,
    as_of: Option<Day>,
    assume: bool,
) -> u8 {
    let run = || -> Result<String, Failed> {
        let loaded = load::load(path, rules)?;
        let eval = loaded.evaluate(as_of, assume)?;
        Ok(casus::explain::explain(&eval, &loaded.scenario, &loaded.sources, party, action))
    };
    match run() {
        Ok(text) => {
            print!("{text}");
            0
        }
        Err(Failed { message, .. }) => {
            eprintln!("{message}");
            1
        }
    }
}

fn what_if(r: &Request) -> Result<String, Failed> {
    let mut loaded = load::load(r.path, r.rules)?;
    let base = loaded.evaluate(r.as_of, r.assume)?;
    let before = Report::new(&base, &loaded.scenario.title);
    let mut changed = loaded.scenario.clone();
    for (n, text) in r.with.iter().enumerate() {
        let id = loaded.sources.add(format!("--with #{}", n + 1), text.clone());
        let file = loaded.sources.get(id).ok_or_else(|| Failed::from("internal error: --with vanished".to_string()))?;
        let event = casus::scenario::parse_event(id, file).map_err(|ds| load::rendered(&ds, &loaded.sources))?;
        changed.events.push(event);
    }
    for id in r.without {
        let program = &loaded.program;
        let Some(i) = program.instrument(id) else {
            let near = casus_syntax::suggest::nearest(id, program.instruments.iter().map(|i| i.id.as_str()))
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            return Err(Failed::from(format!("error: --without-instrument names an unknown instrument `{id}`{near}")));
        };
        changed.without.push(i);
    }
    let mut labels: Vec<String> = r.with.iter().map(|w| format!("with {w}")).collect();
    labels.extend(r.without.iter().map(|w| format!("without {w}")));
    changed.title = format!("{} — {}", changed.title, labels.join(", "));
    let as_of = r.as_of.unwrap_or(changed.as_of);
    let eval = casus::eval::evaluate(&loaded.program, &changed, as_of, r.assume || changed.assume_compliance)
        .map_err(|ds| load::rendered(&ds, &loaded.sources))?;
    let after = Report::new(&eval, &changed.title);
    let diff = report::Diff::new(&before, &after);
    Ok(match r.format {
        Format::Json => diff.to_json(),
        Format::Text => diff.text(&after),
    })
}

/// Prints what changes between two scenarios.
pub(crate) fn diff(a: &Path, b: &Path, rules: &[PathBuf], as_of: Option<Day>, format: Format) -> u8 {
    let run = || -> Result<String, Failed> {
        let la = load::load(a, rules)?;
        let lb = load::load(b, rules)?;
        let ea = la.evaluate(as_of, false)?;
        let eb = lb.evaluate(as_of, false)?;
        let (ra, rb) = (Report::new(&ea, &la.scenario.title), Report::new(&eb, &lb.scenario.title));
        let d = report::Diff::new(&ra, &rb);
        Ok(match format {
            Format::Json => d.to_json(),
            Format::Text => d.text(&rb),
        })
    };
    match run() {
        Ok(text) => {
            print!("{text}");
            0
        }
        Err(Failed { message, .. }) => {
            eprintln!("{message}");
            1
        }
    }
}
