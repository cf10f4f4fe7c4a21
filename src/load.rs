//! Loading a scenario with its rules, for the commands that evaluate.

use std::path::{Path, PathBuf};

use casus::calendar::Day;
use casus::program::Program;
use casus::scenario::{self, Scenario};
use casus_syntax::diagnostic::{self, Diagnostic};
use casus_syntax::source::{FileId, Sources};

use crate::files;

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
}

/// Why loading failed: the diagnostics, rendered for the terminal and as GitHub annotations, or
/// an I/O message.
pub(crate) struct Failed {
    /// For the terminal.
    pub message: String,
    /// One GitHub Actions workflow command per diagnostic (none for an I/O message).
    pub annotations: Vec<String>,
}

impl From<String> for Failed {
    fn from(message: String) -> Failed {
        Failed { message, annotations: Vec::new() }
    }
}

/// Reads a scenario and the rules it names (or `rules`, when given), checks and compiles them.
/// A scenario that cannot be read is still checked against its rules for the events that could
/// be read, so that every problem of the file is reported in one run.
pub(crate) fn load(path: &Path, rules: &[PathBuf]) -> Result<Loaded, Failed> {
    let mut sources = Sources::new();
    let (id, problem) = files::read(&mut sources, path).map_err(Failed::from)?;
    if let Some(d) = problem {
        return Err(rendered(&[d], &sources));
    }
    let text = sources.get(id).ok_or_else(|| Failed::from("internal error: the scenario vanished".to_string()))?;
    let read = scenario::parse(id, text);
    let named = match &read {
        Ok(s) => &s.rules,
        Err(rejected) => &rejected.rules,
    };
    let rule_paths: Vec<PathBuf> = if rules.is_empty() {
        let base = path.parent().unwrap_or(Path::new(""));
        named.iter().map(|r| base.join(r)).collect()
    } else {
        rules.to_vec()
    };
    if rule_paths.is_empty() {
        return match read {
            Err(rejected) => Err(rendered(&rejected.diagnostics, &sources)),
            Ok(_) => Err(Failed::from(format!(
                "error: `{}` names no rules: add `rules: [\"../rules\"]` to the scenario, or pass `--rules PATH`",
                path.display()
            ))),
        };
    }
    let program = program(&mut sources, &rule_paths)?;
    match (read, program) {
        (Ok(scenario), Ok(program)) => Ok(Loaded { sources, scenario, file: id, program }),
        (Ok(_), Err(problems)) => Err(rendered(&problems, &sources)),
        (Err(rejected), Ok(program)) => Err(rendered(&rejected.against(&program), &sources)),
        (Err(rejected), Err(more)) => Err(rendered(&[rejected.diagnostics, more].concat(), &sources)),
    }
}

/// The program of the rule files under `paths`, or every problem in them.
fn program(sources: &mut Sources, paths: &[PathBuf]) -> Result<Result<Program, Vec<Diagnostic>>, Failed> {
    let list = files::expand(paths, &["casus"]).map_err(|e| Failed::from(format!("error: {e}")))?;
    let mut ids: Vec<FileId> = Vec::new();
    let mut problems = Vec::new();
    for p in &list {
        match files::read(sources, p).map_err(Failed::from)? {
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
        let (world, as_of, assume) = prepare(&self.program, &self.scenario, &self.sources, as_of, assume)?;
        Ok(casus::eval::evaluate_world(world, as_of, assume))
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
) -> Result<(casus::eval::World<'p>, Day, bool), Failed> {
    let world = casus::eval::World::new(program, scenario).map_err(|ds| rendered(&ds, sources))?;
    Ok((world, as_of.unwrap_or(scenario.as_of), assume || scenario.assume_compliance))
}

impl Loaded {
    /// What the scenario says that is doubtful, rendered: a party no instrument binds.
    pub(crate) fn warnings(&self) -> Vec<Diagnostic> {
        casus::eval::World::new(&self.program, &self.scenario).map(|w| w.warnings).unwrap_or_default()
    }
}

/// Parses the scenario in `file` among the sources: on loading, and again for a caller that
/// dropped it while it evaluated.
pub(crate) fn parse_scenario(sources: &Sources, file: FileId) -> Result<Scenario, Failed> {
    let text = sources.get(file).ok_or_else(|| Failed::from("internal error: the scenario vanished".to_string()))?;
    scenario::parse(file, text).map_err(|rejected| rendered(&rejected.diagnostics, sources))
}

/// Diagnostics rendered for the terminal.
pub(crate) fn rendered(ds: &[Diagnostic], sources: &Sources) -> Failed {
    Failed {
        message: ds.iter().map(|d| diagnostic::render(d, sources)).collect::<Vec<_>>().join("\n"),
        annotations: ds.iter().map(|d| crate::github::diagnostic(d, sources)).collect(),
    }
}
