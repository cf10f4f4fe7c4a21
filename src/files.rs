//! Finding and reading input files.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use casus_syntax::diagnostic::Diagnostic;
use casus_syntax::input::MAX_FILE_BYTES;
use casus_syntax::source::{FileId, Sources};

/// Expands files and folders into a sorted list of files. Folders are searched recursively for
/// files ending in one of `extensions`; files named directly are taken whatever their name.
pub(crate) fn expand(paths: &[PathBuf], extensions: &[&str]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for path in paths {
        let meta = fs::metadata(path).map_err(|e| format!("cannot read `{}`: {}", path.display(), io_message(&e)))?;
        if meta.is_dir() {
            walk(path, extensions, &mut out)?;
        } else {
            out.push(path.clone());
        }
    }
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read `{}`: {}", dir.display(), io_message(&e)))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, extensions, out)?;
        } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| extensions.contains(&e)) {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads one file into `sources`. A file too large, not UTF-8 or binary is still added (so that
/// its diagnostic can be rendered) and comes back with that diagnostic.
pub(crate) fn read(sources: &mut Sources, path: &Path) -> Result<(FileId, Option<Diagnostic>), String> {
    let name = path.display().to_string();
    let fail = |e: std::io::Error| format!("cannot read `{name}`: {}", io_message(&e));
    let file = fs::File::open(path).map_err(fail)?;
    let size = file.metadata().map_err(fail)?.len();
    if size > MAX_FILE_BYTES {
        let (id, d) = sources.add_too_large(name, size);
        return Ok((id, Some(d)));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(fail)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let (id, d) = sources.add_too_large(name, bytes.len() as u64);
        return Ok((id, Some(d)));
    }
    Ok(sources.add_bytes(name, bytes))
}

/// An I/O error in lower case, without the OS error number.
pub(crate) fn io_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    let s = s.split(" (os error").next().unwrap_or(&s).to_string();
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => s,
    }
}
