//! `casus fmt`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use casus_syntax::diagnostic;
use casus_syntax::parse;
use casus_syntax::source::Sources;

use crate::files::{self, Input};
use crate::term::{Term, errln, outln};

/// What the command line asks of `casus fmt`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mode {
    /// Change nothing; list the files that differ.
    pub check: bool,
    /// With `check`, show the differences as a unified diff.
    pub diff: bool,
}

/// Formats the rule files under `paths` in place; with `check`, lists those that differ (and
/// with `diff`, how). `-` formats standard input to standard output.
pub(crate) fn run(term: &mut Term, paths: &[PathBuf], mode: Mode) -> u8 {
    let list = match files::expand(paths, &["casus"]) {
        Ok(list) => list,
        Err(e) => {
            errln!(term, "error: {e}");
            return 1;
        }
    };
    for skipped in &list.skipped {
        errln!(term, "warning: {skipped}");
    }
    let mut status = 0;
    for input in &list.files {
        let mut sources = Sources::new();
        let (id, problem) = match files::read(&mut sources, input) {
            Ok(read) => read,
            Err(e) => {
                errln!(term, "error: {e}");
                status = 1;
                continue;
            }
        };
        if let Some(d) = problem {
            errln!(term, "{}", diagnostic::render_styled(&d, &sources, term.err_style));
            status = 1;
            continue;
        }
        let Some(source) = sources.get(id) else {
            continue;
        };
        let name = input.name();
        let parsed = parse::parse(id, &source.text);
        if !parsed.diagnostics.is_empty() {
            for d in &parsed.diagnostics {
                errln!(term, "{}", diagnostic::render_styled(d, &sources, term.err_style));
            }
            errln!(term, "error: `{name}` was left as it is: it does not parse");
            status = 1;
            continue;
        }
        let formatted = casus_syntax::format::format(&parsed.file, &parsed.comments, &source.text);
        if let Err(why) = same_meaning(&parsed, &formatted) {
            errln!(term, "error: `{name}` was left as it is: formatting would change it ({why}); please report this");
            status = 1;
            continue;
        }
        let path = match input {
            // Standard input is formatted to standard output, changed or not, as `rustfmt`
            // and `gofmt` do; with `--check` it is only compared.
            Input::Stdin if !mode.check => {
                let _ = term.out.write_all(formatted.as_bytes());
                continue;
            }
            Input::Stdin => None,
            Input::File { path, .. } => Some(path),
        };
        if formatted == source.text {
            continue;
        }
        if mode.check {
            if mode.diff {
                let diff = similar::TextDiff::from_lines(source.text.as_str(), formatted.as_str());
                let header = (format!("{name} (as it is)"), format!("{name} (formatted)"));
                let _ = write!(term.out, "{}", diff.unified_diff().context_radius(3).header(&header.0, &header.1));
            } else {
                outln!(term, "{name}");
            }
            status = 1;
        } else if let Some(path) = path
            && let Err(e) = write_atomically(path, &formatted)
        {
            errln!(term, "error: cannot write `{name}`: {}", files::io_message(&e));
            status = 1;
        }
    }
    status
}

/// The formatter's safety net: the new text must parse to the same tree with the same comments.
fn same_meaning(before: &parse::Parsed, formatted: &str) -> Result<(), &'static str> {
    let after = parse::parse(casus_syntax::source::FileId(0), formatted);
    if !after.diagnostics.is_empty() {
        return Err("the result does not parse");
    }
    if after.file != before.file {
        return Err("the result parses to different rules");
    }
    let texts = |p: &parse::Parsed| p.comments.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
    if texts(&after) != texts(before) {
        return Err("comments would be lost");
    }
    Ok(())
}

/// Writes to a temporary file beside `path`, then renames it over `path`, so that a crash
/// leaves either the old file or the new one, never half of one.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = fs::metadata(path) {
        fs::set_permissions(tmp.path(), meta.permissions())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
