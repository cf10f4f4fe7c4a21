//! Loading a scenario with its rules, for the commands that evaluate.

use std::path::PathBuf;

use casus::calendar::Day;
use casus::program::Program;
use casus::scenario::{self, Scenario, ScenarioError, ScenarioErrorKind};
use casus_syntax::diagnostic::{Diagnostic, Style};
use casus_syntax::source::{FileId, Sources};

use crate::files::{self, Input};
use crate::problem::Problem;

/// A scenario, its sources and its compiled rules.
pub(crate) struct Loaded {
    /// Every file read, for rendering diagnostics and places.
    pub sources: Sources,
    /// The scenario.
    pub scenario: Scenario,
    /// The scenario's file among the sources.
    pub file: FileId,
    /// The rules.
    pub program: Program,
    /// How diagnostics are drawn.
    pub style: Style,
}

/// Why a command could not go on: every problem found, ready to print.
#[derive(Debug)]
pub(crate) struct Failed {
    /// The problems.
    pub problems: Vec<Problem>,
}

impl Failed {
    /// One error about no place in a file, or about a whole file.
    pub(crate) fn error(code: &str, message: impl Into<String>, file: Option<&str>) -> Failed {
        Failed { problems: vec![Problem::error(code, message, file)] }
    }

    /// Adds what to do about its last problem.
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Failed {
        if let Some(p) = self.problems.pop() {
            self.problems.push(p.with_help(help));
        }
        self
    }
}

/// How many steps an evaluation may take (`--budget`), for the whole run.
static BUDGET: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

/// Sets the budget of every evaluation of this run.
pub(crate) fn set_budget(budget: usize) {
    let _ = BUDGET.set(budget);
}

/// Reads a scenario and the rules it names (or `rules`, when given), checks and compiles them.
/// A scenario that cannot be read is still checked against its rules for the events that could
/// be read, so that every problem of the file is reported in one run.
pub(crate) fn load(input: &Input, rules: &[PathBuf], style: Style) -> Result<Loaded, Failed> {
    let mut sources = Sources::new();
    let (id, problem) = files::read(&mut sources, input).map_err(|e| Failed::error("casus::io", e, None))?;
    if let Some(d) = problem {
        return Err(rendered(&[d], &sources, style));
    }
    let text = sources.get(id).ok_or_else(|| Failed::error("casus::internal", "the scenario vanished", None))?;
    let read = scenario::parse(id, text);
    let named = match &read {
        Ok(s) => &s.rules,
        Err(rejected) => &rejected.rules,
    };
    let mut unreadable = Vec::new();
    let rule_paths: Vec<PathBuf> = if rules.is_empty() {
        let folder = input.folder();
        for entry in named {
            let resolved = folder.join(&**entry);
            if let Err(e) = std::fs::metadata(&resolved) {
                let shown_folder = if folder.as_os_str().is_empty() { "." } else { &files::shown(folder) };
                let help = match input {
                    Input::Stdin => "a scenario read from standard input names its rules relative to the folder casus runs in; give `--rules PATH` to read them from elsewhere".to_string(),
                    Input::File { .. } => format!("a scenario's `rules` are read relative to the scenario's own folder, `{shown_folder}`; give `--rules PATH` to read them from elsewhere"),
                };
                let kind = ScenarioErrorKind::UnreadableRules {
                    entry: entry.value.clone(),
                    resolved: files::shown(&resolved),
                    why: files::io_message(&e),
                };
                unreadable.push(Diagnostic::new(id, ScenarioError::new(kind, entry.span, Some(help))));
            }
        }
        named.iter().map(|r| folder.join(&**r)).collect()
    } else {
        rules.to_vec()
    };
    if !unreadable.is_empty() {
        let mut all = match read {
            Err(rejected) => rejected.diagnostics,
            Ok(_) => Vec::new(),
        };
        all.extend(unreadable);
        casus_syntax::diagnostic::sort(&mut all);
        return Err(rendered(&all, &sources, style));
    }
    if rule_paths.is_empty() {
        return match read {
            Err(rejected) => Err(rendered(&rejected.diagnostics, &sources, style)),
            Ok(_) => {
                Err(Failed::error("casus::no-rules", format!("`{}` names no rules", input.name()), Some(input.name()))
                    .with_help("add `rules: [\"../rules\"]` to the scenario, or pass `--rules PATH`"))
            }
        };
    }
    let program = program(&mut sources, &rule_paths)?;
    match (read, program) {
        (Ok(mut scenario), Ok(program)) => {
            scenario.budget = BUDGET.get().copied().unwrap_or(casus::scenario::DEFAULT_BUDGET);
            Ok(Loaded { sources, scenario, file: id, program, style })
        }
        (Ok(_), Err(problems)) => Err(rendered(&problems, &sources, style)),
        (Err(rejected), Ok(program)) => Err(rendered(&rejected.against(&program), &sources, style)),
        (Err(rejected), Err(more)) => Err(rendered(&[rejected.diagnostics, more].concat(), &sources, style)),
    }
}

/// The program of the rule files under `paths`, or every problem in them.
pub(crate) fn program(sources: &mut Sources, paths: &[PathBuf]) -> Result<Result<Program, Vec<Diagnostic>>, Failed> {
    let list = files::expand(paths, &["casus"]).map_err(|e| Failed::error("casus::io", e, None))?;
    if !list.unreadable.is_empty() {
        let problems = list.unreadable.iter().map(|e| Problem::error("casus::io", e.clone(), None)).collect();
        return Err(Failed { problems });
    }
    let mut ids: Vec<FileId> = Vec::new();
    let mut problems = Vec::new();
    for input in &list.files {
        match files::read(sources, input).map_err(|e| Failed::error("casus::io", e, Some(input.name())))? {
            (_, Some(d)) => problems.push(d),
            (id, None) => ids.push(id),
        }
    }
    Ok(match casus::load_rule_files(sources, &ids).into_program() {
        Ok(program) if problems.is_empty() => Ok(program),
        Ok(_) => Err(problems),
        Err(errors) => Err([problems, errors].concat()),
    })
}

impl Loaded {
    /// Evaluates the scenario, with the command line's overrides.
    pub(crate) fn evaluate(&self, as_of: Option<Day>, assume: bool) -> Result<casus::eval::Evaluation<'_>, Failed> {
        let (world, as_of, assume) = prepare(&self.program, &self.scenario, &self.sources, as_of, assume, self.style)?;
        let eval = casus::eval::evaluate_world(world, as_of, assume);
        let problems = eval.problems();
        if problems.is_empty() { Ok(eval) } else { Err(self.failed(&problems)) }
    }

    /// What the scenario says that is doubtful: a party no instrument binds.
    pub(crate) fn warnings(&self) -> Vec<Problem> {
        casus::eval::World::new(&self.program, &self.scenario)
            .map(|w| w.warnings.iter().map(|d| Problem::of(d, &self.sources, self.style)).collect())
            .unwrap_or_default()
    }

    /// Diagnostics about this scenario and its rules, ready to print.
    pub(crate) fn failed(&self, ds: &[Diagnostic]) -> Failed {
        rendered(ds, &self.sources, self.style)
    }
}

/// A scenario's world, with the date and the compliance assumption to evaluate it with: after
/// this the scenario and the sources are no longer needed.
pub(crate) fn prepare<'p>(
    program: &'p Program,
    scenario: &Scenario,
    sources: &Sources,
    as_of: Option<Day>,
    assume: bool,
    style: Style,
) -> Result<(casus::eval::World<'p>, Day, bool), Failed> {
    let world = casus::eval::World::new(program, scenario).map_err(|ds| rendered(&ds, sources, style))?;
    Ok((world, as_of.unwrap_or(scenario.as_of), assume || scenario.assume_compliance))
}

/// Parses the scenario in `file` among the sources: on loading, and again for a caller that
/// dropped it while it evaluated.
pub(crate) fn parse_scenario(sources: &Sources, file: FileId, style: Style) -> Result<Scenario, Failed> {
    let text = sources.get(file).ok_or_else(|| Failed::error("casus::internal", "the scenario vanished", None))?;
    scenario::parse(file, text).map_err(|rejected| rendered(&rejected.diagnostics, sources, style))
}

/// Diagnostics, ready to print.
pub(crate) fn rendered(ds: &[Diagnostic], sources: &Sources, style: Style) -> Failed {
    Failed { problems: ds.iter().map(|d| Problem::of(d, sources, style)).collect() }
}
