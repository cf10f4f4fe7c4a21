//! `casus check`.

use std::path::PathBuf;

use casus_syntax::diagnostic::{self, Diagnostic};
use casus_syntax::source::Sources;

use crate::{files, github};

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// rustc-style, with the offending line and a caret.
    Human,
    /// One line each: `file:line:col: severity: message`.
    Short,
    /// GitHub Actions workflow commands, shown as annotations on the lines.
    Github,
}

/// Checks the rule files under `paths` as one rule set, and each scenario (`*.ron`) with the
/// rules it names. Exit 0 when there is no error.
pub(crate) fn run(paths: &[PathBuf], format: Format) -> u8 {
    let list = match files::expand(paths, &["casus", "ron"]) {
        Ok(list) => list,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let mut sources = Sources::new();
    let mut diagnostics = Vec::new();
    let mut readable = Vec::new();
    let (scenarios, list): (Vec<PathBuf>, Vec<PathBuf>) =
        list.into_iter().partition(|p| p.extension().is_some_and(|e| e == "ron"));
    let mut scenario_errors = 0;
    let mut scenario_warnings = 0;
    for path in &scenarios {
        let problem = match crate::load::load(path, &[]) {
            Ok(loaded) => {
                let warnings = loaded.warnings();
                scenario_warnings += warnings.len();
                print(&warnings, &loaded.sources, format);
                loaded.evaluate(None, false).err()
            }
            Err(e) => Some(e),
        };
        if let Some(failed) = problem {
            match format {
                Format::Github if !failed.annotations.is_empty() => {
                    failed.annotations.iter().for_each(|a| println!("{a}"))
                }
                Format::Github => println!(
                    "{}",
                    github::annotation(
                        "error",
                        &path.display().to_string(),
                        None,
                        "scenario not evaluated",
                        &failed.message
                    )
                ),
                _ => eprintln!("{}", failed.message),
            }
            scenario_errors += 1;
        }
    }
    for path in &list {
        match files::read(&mut sources, path) {
            // A file that cannot be read as text is left out of the rule set, so that its
            // bytes do not turn into a cascade of syntax errors.
            Ok((_, Some(d))) => diagnostics.push(d),
            Ok((id, None)) => readable.push(id),
            Err(e) => {
                eprintln!("error: {e}");
                return 1;
            }
        }
    }
    diagnostics.extend(casus::check_rule_files(&sources, &readable).diagnostics);
    diagnostic::sort(&mut diagnostics);
    print(&diagnostics, &sources, format);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count() + scenario_errors;
    let warnings = diagnostics.iter().filter(|d| !d.is_error()).count() + scenario_warnings;
    if format != Format::Github {
        let files = plural(list.len() + scenarios.len(), "file");
        eprintln!("{files} checked: {}, {}", plural(errors, "error"), plural(warnings, "warning"));
    }
    u8::from(errors > 0)
}

/// Prints diagnostics to standard error in the chosen format.
pub(crate) fn print(diagnostics: &[Diagnostic], sources: &Sources, format: Format) {
    for d in diagnostics {
        match format {
            Format::Human => eprintln!("{}", diagnostic::render(d, sources)),
            Format::Short => eprintln!("{}", diagnostic::render_short(d, sources)),
            Format::Github => println!("{}", github::diagnostic(d, sources)),
        }
    }
}

/// `1 file`, `2 files`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}
