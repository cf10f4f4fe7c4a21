//! `casus check`.

use std::path::PathBuf;

use casus_syntax::diagnostic;
use casus_syntax::source::Sources;

use crate::files::{self, Input};
use crate::problem::{self, Format, Problem};
use crate::term::{Term, errln};

/// Checks the rule files under `paths` as one rule set, and each scenario (`*.ron`) with the
/// rules it names. Exit 0 when there is no error.
pub(crate) fn run(term: &mut Term, paths: &[PathBuf], format: Format) -> u8 {
    let style = format.style(term.err_style);
    let mut sarif = Vec::new();
    let list = match files::expand(paths, &["casus", "ron"]) {
        Ok(list) => list,
        Err(e) => {
            let problems = [Problem::error("casus::io", e, None)];
            return finish(term, &problems, format, sarif, 1);
        }
    };
    for skipped in &list.skipped {
        errln!(term, "warning: {skipped}");
    }
    let (scenarios, rules): (Vec<Input>, Vec<Input>) = list.files.into_iter().partition(|i| i.has_extension("ron"));
    let mut errors = 0;
    let mut warnings = 0;
    for input in &scenarios {
        let problems = match crate::load::load(input, &[], style) {
            Ok(loaded) => {
                let mut found = loaded.warnings();
                if let Err(failed) = loaded.evaluate(None, false) {
                    found.extend(failed.problems);
                }
                found
            }
            Err(failed) => failed.problems,
        };
        errors += problems.iter().filter(|p| p.is_error()).count();
        warnings += problems.iter().filter(|p| !p.is_error()).count();
        problem::print(term, &problems, format, &mut sarif);
    }
    let mut sources = Sources::new();
    let mut diagnostics = Vec::new();
    let mut readable = Vec::new();
    let mut unreadable: Vec<Problem> =
        list.unreadable.iter().map(|e| Problem::error("casus::io", e.clone(), None)).collect();
    for input in &rules {
        match files::read(&mut sources, input) {
            // A file that cannot be read as text is left out of the rule set, so that its
            // bytes do not turn into a cascade of syntax errors.
            Ok((_, Some(d))) => diagnostics.push(d),
            Ok((id, None)) => readable.push(id),
            Err(e) => unreadable.push(Problem::error("casus::io", e, Some(input.name()))),
        }
    }
    diagnostics.extend(casus::check_rule_files(&sources, &readable).diagnostics);
    diagnostic::sort(&mut diagnostics);
    let mut problems: Vec<Problem> = diagnostics.iter().map(|d| Problem::of(d, &sources, style)).collect();
    problems.extend(unreadable);
    errors += problems.iter().filter(|p| p.is_error()).count();
    warnings += problems.iter().filter(|p| !p.is_error()).count();
    if matches!(format, Format::Human | Format::Short) {
        problem::print(term, &problems, format, &mut sarif);
        let files = plural(rules.len() + scenarios.len(), "file");
        errln!(term, "{files} checked: {}, {}", plural(errors, "error"), plural(warnings, "warning"));
        return u8::from(errors > 0);
    }
    finish(term, &problems, format, sarif, u8::from(errors > 0))
}

/// Prints the last problems, and the SARIF log or JSON document when that is the format;
/// returns `code`.
fn finish(
    term: &mut Term,
    problems: &[Problem],
    format: Format,
    mut collected: Vec<serde_json::Value>,
    code: u8,
) -> u8 {
    problem::print(term, problems, format, &mut collected);
    let document = match format {
        Format::Sarif => problem::sarif_log(collected),
        Format::Json => {
            let errors = collected.iter().filter(|p| p["severity"] == "error").count();
            let warnings = collected.len() - errors;
            let doc = serde_json::json!({ "problems": collected, "errors": errors, "warnings": warnings });
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        }
        _ => return code,
    };
    let _ = std::io::Write::write_all(&mut term.out, document.as_bytes());
    code
}

/// `1 file`, `2 files`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}
