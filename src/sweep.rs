//! `casus sweep`: for every attacker and victim, who an armed attack on one day would put under a
//! duty, and through which instruments. One compiled program, the cells evaluated in parallel.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use casus::calendar::Day;
use casus::eval::Evaluation;
use casus::program::Program;
use casus::scenario::{Event, EventKind, Scenario, Spanned};
use casus_draw::heatmap::{Cell, Obligation, Sweep};
use casus_syntax::ast::Modality;
use casus_syntax::source::{Sources, Span};
use rayon::prelude::*;

use crate::load::{self, Failed};
use crate::problem::{self, Problem};
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
    let sweep = match sweep(&program, r) {
        Ok(s) => s,
        Err(f) => return failed(term, &f),
    };
    let text = match r.format {
        Format::Csv => sweep.csv(),
        Format::Json => serde_json::to_string_pretty(&sweep).map(|j| j + "\n").unwrap_or_default(),
        Format::Html => sweep.html(),
    };
    term.plain();
    let _ = term.out.write_all(text.as_bytes());
    0
}

fn failed(term: &mut Term, f: &Failed) -> u8 {
    problem::print(term, &f.problems, problem::Format::Human, &mut Vec::new());
    1
}

/// The matrix: every cell evaluated against the same program, in parallel.
pub(crate) fn sweep(program: &Program, r: &Request) -> Result<Sweep, Failed> {
    let attackers = members(program, "--attackers", r.attackers, r.on)?;
    let victims = members(program, "--victims", r.victims, r.on)?;
    let actions: Vec<&str> = program.actions.keys().map(|a| program.name(*a)).collect();
    if let Some(a) = r.actions.iter().find(|a| !actions.contains(&a.as_str())) {
        return Err(Failed { problems: vec![crate::eval::unknown("action", "actions", "--action", a, &actions)] });
    }
    // The duties that stand without any attack are not the attack's.
    let baseline: BTreeSet<Obligation> = duties(&evaluate(program, r, None)?, r).into_iter().collect();
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
            let eval = evaluate(program, r, Some((a, v)))?;
            let obligations: Vec<Obligation> = duties(&eval, r).into_iter().filter(|o| !baseline.contains(o)).collect();
            bar.inc(1);
            Ok(cell(a, v, obligations))
        })
        .collect();
    bar.finish_and_clear();
    Ok(Sweep { on: r.on, assume_compliance: r.assume, attackers, victims, cells: cells? })
}

fn cell(attacker: &str, victim: &str, obligations: Vec<Obligation>) -> Cell {
    let obliged: BTreeSet<String> = obligations.iter().map(|o| o.party.clone()).collect();
    let instruments: BTreeSet<String> = obligations.iter().map(|o| o.instrument.clone()).collect();
    Cell {
        attacker: attacker.to_string(),
        victim: victim.to_string(),
        obliged: obliged.into_iter().collect(),
        instruments: instruments.into_iter().collect(),
        obligations,
    }
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
            codes
        }
    };
    out.sort_unstable();
    out.dedup();
    if out.is_empty() {
        return Err(Failed::error("casus::usage", format!("{flag} `{text}` has no party on {on}"), None));
    }
    Ok(out)
}

/// The evaluation on the day of a scenario with one armed attack, or none.
fn evaluate<'p>(program: &'p Program, r: &Request, attack: Option<(&str, &str)>) -> Result<Evaluation<'p>, Failed> {
    let spanned = |s: &str| Spanned { value: s.to_string(), span: Span::default() };
    let events = attack
        .map(|(by, on)| Event {
            kind: EventKind::Fact {
                kind: spanned(casus_draw::graph::ATTACK),
                args: vec![(spanned("by"), spanned(by)), (spanned("on"), spanned(on))],
                from: r.on,
                until: None,
                source: None,
            },
            span: Span::default(),
        })
        .into_iter()
        .collect();
    let scenario = Scenario {
        file: Default::default(),
        title: String::new(),
        description: String::new(),
        rules: Vec::new(),
        as_of: r.on,
        assume_compliance: r.assume,
        events,
        expect: Vec::new(),
        without: Vec::new(),
        budget: casus::scenario::DEFAULT_BUDGET,
    };
    let eval = casus::eval::evaluate(program, &scenario, r.on, r.assume).map_err(|ds| {
        let messages: Vec<String> = ds.iter().map(|d| d.message()).collect();
        Failed::error(
            "casus::sweep",
            format!("the attack {attack:?} cannot be evaluated: {}", messages.join("; ")),
            None,
        )
    })?;
    let problems = eval.problems();
    if let Some(p) = problems.first() {
        return Err(Failed::error(
            "casus::sweep",
            format!("the evaluation of {attack:?} failed: {}", p.message()),
            None,
        ));
    }
    Ok(eval)
}

/// The duties that hold on the day, of the actions asked for.
fn duties(eval: &Evaluation, r: &Request) -> Vec<Obligation> {
    let program = eval.world.program;
    let mut out: Vec<Obligation> = eval
        .norms
        .iter()
        .filter(|(k, rec)| {
            k.modality == Modality::Must
                && rec.episodes.last().is_some_and(|e| e.when.contains(r.on))
                && (r.actions.is_empty() || r.actions.iter().any(|a| a == eval.world.name(k.action)))
        })
        .map(|(k, rec)| {
            // The arguments in the order the action declares its roles, as reports write them.
            let order = program.actions.get(&k.action).map(|d| d.roles.as_slice()).unwrap_or(&[]);
            let mut args: Vec<(usize, &str, &str)> = k
                .args
                .iter()
                .map(|(role, v)| {
                    let at = order.iter().position(|o| o == role).unwrap_or(usize::MAX);
                    (at, eval.world.name(*role), eval.world.name(*v))
                })
                .collect();
            args.sort_unstable();
            Obligation {
                party: eval.world.name(k.party).to_string(),
                instrument: program.instrument_id(k.instrument).to_string(),
                article: program.article_id(k.instrument, k.article).to_string(),
                action: casus::report::action_text(eval.world.name(k.action), args.into_iter().map(|(_, r, v)| (r, v))),
                status: rec.status.name().to_string(),
            }
        })
        .collect();
    out.sort();
    out
}
