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
    if !mode.check {
        // Interrupted (Ctrl-C, `kill`), the temporary file being written is removed first.
        let _ = ctrlc::set_handler(|| {
            remove_pending();
            std::process::exit(130);
        });
    }
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
    for e in &list.unreadable {
        errln!(term, "error: {e}");
        status = 1;
    }
    for input in &list.files {
        if let Err(e) = format_one(term, input, mode) {
            if !e.is_empty() {
                errln!(term, "{e}");
            }
            status = 1;
        }
    }
    status
}

/// Formats one file; `Err` holds what to say (empty when it was said already, or when the file
/// only differs under `--check`).
fn format_one(term: &mut Term, input: &Input, mode: Mode) -> Result<(), String> {
    let name = input.name().to_string();
    let raw = match files::read_bytes(input).map_err(|e| format!("error: {e}"))? {
        files::Bytes::Read(bytes) => bytes,
        files::Bytes::TooLarge(size) => {
            let mut sources = Sources::new();
            let (_, d) = sources.add_too_large(name, size, files::max_file_size());
            return Err(diagnostic::render_styled(&d, &sources, term.err_style));
        }
    };
    let mut sources = Sources::new();
    let (id, problem) = sources.add_bytes(name.clone(), raw.clone());
    if let Some(d) = problem {
        return Err(diagnostic::render_styled(&d, &sources, term.err_style));
    }
    let Some(source) = sources.get(id) else {
        return Ok(());
    };
    // The formatter writes `\n`; the file gets its own line breaks back, and its byte-order
    // mark if it had one.
    let text = source.text.replace("\r\n", "\n");
    let parsed = parse::parse(id, &text);
    if !parsed.diagnostics.is_empty() {
        let mut said: Vec<String> =
            parsed.diagnostics.iter().map(|d| diagnostic::render_styled(d, &sources, term.err_style)).collect();
        said.push(format!("error: `{name}` was left as it is: it does not parse"));
        return Err(said.join("\n"));
    }
    let formatted = casus_syntax::format::format(&parsed.file, &parsed.comments, &text);
    same_meaning(&parsed, &formatted).map_err(|why| {
        format!("error: `{name}` was left as it is: formatting would change it ({why}); please report this")
    })?;
    let bom: &[u8] = if raw.starts_with(b"\xEF\xBB\xBF") { b"\xEF\xBB\xBF" } else { b"" };
    let out = [bom, source.line_ending.apply(&formatted).as_bytes()].concat();
    let path = match input {
        // Standard input is formatted to standard output, changed or not, as `rustfmt` and
        // `gofmt` do; with `--check` it is only compared.
        Input::Stdin if !mode.check => {
            let _ = term.out.write_all(&out);
            return Ok(());
        }
        Input::Stdin => None,
        Input::File { path, .. } => Some(path),
    };
    if out == raw {
        return Ok(());
    }
    if mode.check {
        if mode.diff {
            let old = String::from_utf8_lossy(&raw);
            let new = String::from_utf8_lossy(&out);
            let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
            let header = (format!("{name} (as it is)"), format!("{name} (formatted)"));
            let _ = write!(term.out, "{}", diff.unified_diff().context_radius(3).header(&header.0, &header.1));
        } else {
            outln!(term, "{name}");
        }
        return Err(String::new());
    }
    if let Some(path) = path {
        write_back(path, &raw, &out).map_err(|e| format!("error: `{name}` was left as it is: {e}"))?;
    }
    Ok(())
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

/// Writes the formatted text over the file `path` names, which held `before` when it was read.
///
/// A link is followed and its target written. A file with other hard links, or owned by
/// someone else, is written in place, so that it stays the same file with the same owner;
/// otherwise the text goes to a temporary file beside it, which is renamed over it, so that a
/// crash leaves either the old file or the new one, never half of one. Either way, a file that
/// changed since it was read is left as it is: an edit made meanwhile is never lost.
fn write_back(path: &Path, before: &[u8], text: &[u8]) -> Result<(), String> {
    let io = |e: std::io::Error| files::io_message(&e);
    let target = fs::canonicalize(path).map_err(io)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    let _pending = Pending::new(tmp.path());
    tmp.write_all(text).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    let meta = fs::metadata(&target).map_err(io)?;
    if fs::read(&target).map_err(io)? != before {
        return Err("it changed while it was being formatted".to_string());
    }
    if shared(&meta, &tmp) {
        let mut file = fs::OpenOptions::new().write(true).truncate(true).open(&target).map_err(io)?;
        file.write_all(text).map_err(io)?;
        return file.sync_all().map_err(io);
    }
    fs::set_permissions(tmp.path(), meta.permissions()).map_err(io)?;
    tmp.persist(&target).map_err(|e| io(e.error))?;
    Ok(())
}

/// The temporary file being written, if any, for the interrupt handler to remove.
static PENDING: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);

/// Removes the temporary file being written, if there is one.
fn remove_pending() {
    if let Ok(mut pending) = PENDING.lock()
        && let Some(path) = pending.take()
    {
        let _ = fs::remove_file(path);
    }
}

/// Registers a temporary file as being written, while it lives.
struct Pending;

impl Pending {
    fn new(path: &Path) -> Pending {
        if let Ok(mut pending) = PENDING.lock() {
            *pending = Some(path.to_path_buf());
        }
        Pending
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Ok(mut pending) = PENDING.lock() {
            *pending = None;
        }
    }
}

/// Whether renaming a new file over this one would lose something: another hard link to it,
/// or its owner (a file made now is ours).
#[cfg(unix)]
fn shared(meta: &fs::Metadata, ours: &tempfile::NamedTempFile) -> bool {
    use std::os::unix::fs::MetadataExt;
    let owner = ours.as_file().metadata().map(|m| (m.uid(), m.gid())).ok();
    meta.nlink() > 1 || owner != Some((meta.uid(), meta.gid()))
}

#[cfg(not(unix))]
fn shared(_: &fs::Metadata, _: &tempfile::NamedTempFile) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::write_back;

    #[test]
    fn a_file_edited_while_it_was_formatted_is_left_as_the_edit_left_it() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("x.casus");
        std::fs::write(&file, "edited meanwhile\n").unwrap_or_else(|e| panic!("{e}"));
        let refused = write_back(&file, b"as it was read\n", b"formatted\n");
        assert_eq!(refused, Err("it changed while it was being formatted".to_string()));
        assert_eq!(std::fs::read_to_string(&file).ok().as_deref(), Some("edited meanwhile\n"));
        // Nothing is left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).map(Iterator::count).ok(), Some(1));
        assert_eq!(write_back(&file, b"edited meanwhile\n", b"formatted\n"), Ok(()));
        assert_eq!(std::fs::read_to_string(&file).ok().as_deref(), Some("formatted\n"));
    }

    #[test]
    fn an_interrupt_removes_the_temporary_file_being_written() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let tmp = dir.path().join(".tmp-being-written");
        std::fs::write(&tmp, "half of a file").unwrap_or_else(|e| panic!("{e}"));
        let pending = super::Pending::new(&tmp);
        // What the interrupt handler does before it exits.
        super::remove_pending();
        assert!(!tmp.exists());
        drop(pending);
        // Once written and renamed, nothing is pending.
        std::fs::write(&tmp, "a file").unwrap_or_else(|e| panic!("{e}"));
        drop(super::Pending::new(&tmp));
        super::remove_pending();
        assert!(tmp.exists());
    }
}
