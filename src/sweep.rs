//! `casus sweep`: for every attacker and victim, who an armed attack on one day would put under a
//! duty, and through which instruments. One compiled program, the cells evaluated in parallel.

use std::io::IsTerminal;
use std::path::PathBuf;

use casus::calendar::Day;
use casus::program::Program;
use casus_draw::heatmap::{Ask, Cell, Sweep};
use casus_syntax::source::Sources;
use rayon::prelude::*;

use crate::eval::failed;
use crate::load::{self, Failed};
use crate::problem::Problem;
use crate::term::Term;

/// How the matrix is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// One line per cell.
    Csv,
    /// The matrix with every cell's duties.
    Json,
    /// A heatmap, each cell linking to its cascade.
    Html,
}

/// What the command line asks of `casus sweep`.
pub(crate) struct Request<'a> {
    /// The rule files or folders.
    pub rules: &'a [PathBuf],
    /// The attackers: a group the rules declare, or codes separated by commas.
    pub attackers: &'a str,
    /// The victims, likewise.
    pub victims: &'a str,
    /// The day of every attack.
    pub on: Day,
    /// The compliance assumption.
    pub assume: bool,
    /// Only duties of these actions (all, when empty).
    pub actions: &'a [String],
    /// How to write the matrix.
    pub format: Format,
}

/// Runs the sweep and writes the matrix.
pub(crate) fn run(term: &mut Term, r: &Request) -> u8 {
    let mut sources = Sources::new();
    let program = match load::program(&mut sources, r.rules) {
        Ok(Ok(program)) => program,
        Ok(Err(ds)) => return failed(term, &load::rendered(&ds, &sources, term.err_style)),
        Err(f) => return failed(term, &f),
    };
    let text = sweep(&program, r).and_then(|sweep| match r.format {
        Format::Csv => Ok(sweep.csv()),
        Format::Json => serde_json::to_string_pretty(&sweep)
            .map(|j| j + "\n")
            .map_err(|e| Failed::error("casus::internal", e.to_string(), None)),
        Format::Html => Ok(sweep.html()),
    });
    crate::draw::write(term, text)
}

/// The matrix: every cell evaluated against the same program, in parallel.
pub(crate) fn sweep(program: &Program, r: &Request) -> Result<Sweep, Failed> {
    let attackers = members(program, "--attackers", r.attackers, r.on)?;
    let victims = members(program, "--victims", r.victims, r.on)?;
    let actions: Vec<&str> = program.actions.keys().map(|a| program.name(*a)).collect();
    if let Some(a) = r.actions.iter().find(|a| !actions.contains(&a.as_str())) {
        return Err(Failed { problems: vec![crate::eval::unknown("action", "actions", "--action", a, &actions)] });
    }
    let ask = Ask { on: r.on, assume_compliance: r.assume, actions: r.actions };
    let baseline = ask.baseline(program).map_err(|e| Failed::error("casus::sweep", e, None))?;
    let pairs: Vec<(&String, &String)> =
        attackers.iter().flat_map(|a| victims.iter().filter(move |v| *v != a).map(move |v| (a, v))).collect();
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(pairs.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let cells: Result<Vec<Cell>, Failed> = pairs
        .par_iter()
        .map(|(a, v)| {
            let cell = ask.cell(program, &baseline, a, v).map_err(|e| Failed::error("casus::sweep", e, None));
            bar.inc(1);
            cell
        })
        .collect();
    bar.finish_and_clear();
    Ok(Sweep { on: r.on, assume_compliance: r.assume, attackers, victims, cells: cells? })
}

/// The parties of a group the rules declare that are members on the day, or the codes of a list
/// separated by commas.
fn members(program: &Program, flag: &str, text: &str, on: Day) -> Result<Vec<String>, Failed> {
    let mut out: Vec<String> = match program.group(text) {
        Some(g) => {
            let group = program.group_def(g);
            group
                .iter()
                .filter(|s| group.contains_on(*s, on))
                .map(|s| program.name(s).to_string())
                .filter(|p| program.is_party_code(p))
                .collect()
        }
        None => {
            let codes: Vec<String> = text.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
            let unknown: Vec<&String> = codes.iter().filter(|c| !program.is_party_code(c)).collect();
            if let Some(first) = unknown.first() {
                let groups: Vec<&str> =
                    program.groups.iter().filter(|g| !g.category).map(|g| g.name.as_str()).collect();
                let help = casus_syntax::suggest::did_you_mean(first, groups.iter().copied()).unwrap_or_else(|| {
                    format!(
                        "give a group the rules declare, such as `{}`, or party codes separated by commas",
                        groups.first().copied().unwrap_or("un_members")
                    )
                });
                return Err(Failed {
                    problems: vec![
                        Problem::error(
                            "casus::usage",
                            format!("{flag} `{first}` is neither a group nor a party of these rules"),
                            None,
                        )
                        .with_help(help),
                    ],
                });
            }
            let gone = codes
                .iter()
                .find(|c| program.parties.get(c.as_str()).and_then(|d| d.period).is_some_and(|i| !i.contains(on)));
            if let Some(code) = gone {
                return Err(Failed::error("casus::usage", format!("{flag} `{code}` names no state on {on}"), None)
                    .with_help("give the code of a state that exists on the day of the attacks"));
            }
            codes
        }
    };
    // A group may list states that no longer exist, or do not yet: only those that exist on the
    // day attack or are attacked (a code given by hand is kept, and refused below if it does not).
    if program.group(text).is_some() {
        out.retain(|p| program.parties.get(p.as_str()).and_then(|d| d.period).is_none_or(|i| i.contains(on)));
    }
    out.sort_unstable();
    out.dedup();
    if out.is_empty() {
        return Err(Failed::error("casus::usage", format!("{flag} `{text}` has no party on {on}"), None));
    }
    Ok(out)
}
