//! Finding and reading input files: folders walked once each, whatever links they hold, every
//! file taken once however often it is named, `-` read from standard input.

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use casus_syntax::diagnostic::Diagnostic;
use casus_syntax::input::MAX_FILE_BYTES;
use casus_syntax::source::{FileId, Sources};

/// The name standard input goes by in diagnostics.
pub(crate) const STDIN_NAME: &str = "<stdin>";

/// A file to read: a path, or standard input (`-`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    /// A file, with the name it is shown by.
    File {
        /// Where it is read.
        path: PathBuf,
        /// Its path as shown: relative to where casus runs when the user gave it so, without
        /// `.` and `..` parts when taking them out names the same file.
        name: String,
    },
    /// Standard input.
    Stdin,
}

impl Input {
    /// The input a command-line argument names.
    pub(crate) fn of(path: &Path) -> Input {
        if path == Path::new("-") { Input::Stdin } else { Input::File { path: path.to_path_buf(), name: shown(path) } }
    }

    /// Its name in diagnostics.
    pub(crate) fn name(&self) -> &str {
        match self {
            Input::File { name, .. } => name,
            Input::Stdin => STDIN_NAME,
        }
    }

    /// The folder paths in it are read relative to: the file's, or the working folder's for
    /// standard input.
    pub(crate) fn folder(&self) -> &Path {
        match self {
            Input::File { path, .. } => path.parent().unwrap_or(Path::new("")),
            Input::Stdin => Path::new(""),
        }
    }

    /// Whether its name ends in `.extension`.
    pub(crate) fn has_extension(&self, extension: &str) -> bool {
        matches!(self, Input::File { path, .. } if path.extension().is_some_and(|e| e == extension))
    }
}

/// What expanding paths found: the files; the links skipped because they lead back into a
/// folder being walked, and the entries that are not regular files; and what could not be read.
#[derive(Debug, Default)]
pub(crate) struct Expanded {
    /// The files, each once, in the order of the paths, each folder's sorted by name.
    pub files: Vec<Input>,
    /// One line per entry skipped (a warning).
    pub skipped: Vec<String>,
    /// One line per folder or entry that could not be read (an error; the others are read).
    pub unreadable: Vec<String>,
}

/// Expands files and folders into the files to read. Folders are searched recursively for files
/// ending in one of `extensions`, following links but never round a loop; files named directly
/// are taken whatever their name. A file reached twice (named twice, inside a folder also
/// named, through a link) is taken once. A path that does not exist, or a folder with no such
/// file, is an error: a run that reads nothing must not look like a run that found nothing wrong.
pub(crate) fn expand(paths: &[PathBuf], extensions: &[&str]) -> Result<Expanded, String> {
    let mut out = Expanded::default();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut stdin = false;
    for path in paths {
        if path == Path::new("-") {
            if !std::mem::replace(&mut stdin, true) {
                out.files.push(Input::Stdin);
            }
            continue;
        }
        let meta = fs::metadata(path).map_err(|e| format!("cannot read `{}`: {}", shown(path), io_message(&e)))?;
        if !meta.is_dir() {
            if seen.insert(identity(path)) {
                out.files.push(Input::of(path));
            }
            continue;
        }
        let before = out.files.len();
        let mut found_any = false;
        let walk = walkdir::WalkDir::new(path).follow_links(true).sort_by_file_name();
        for entry in walk {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let at = e.path().map(shown).unwrap_or_else(|| shown(path));
                    match e.loop_ancestor() {
                        Some(back) => out
                            .skipped
                            .push(format!("skipped `{at}`: it links back to `{}`, round a loop", shown(back))),
                        None => {
                            let why = e.io_error().map_or_else(|| e.to_string(), io_message);
                            out.unreadable.push(format!("cannot read `{at}`: {why}"));
                        }
                    }
                    continue;
                }
            };
            let file = entry.path();
            let named = file.extension().and_then(|e| e.to_str()).is_some_and(|e| extensions.contains(&e));
            if !named || entry.file_type().is_dir() {
                continue;
            }
            if !entry.file_type().is_file() {
                out.skipped.push(format!("skipped `{}`: it is not a regular file", shown(file)));
                continue;
            }
            found_any = true;
            if seen.insert(identity(file)) {
                out.files.push(Input::of(file));
            }
        }
        if !found_any && out.files.len() == before && out.unreadable.is_empty() {
            let wanted: Vec<String> = extensions.iter().map(|e| format!("`*.{e}`")).collect();
            return Err(format!("no {} file in `{}`", wanted.join(" or "), shown(path)));
        }
    }
    Ok(out)
}

/// What makes two paths the same file: the canonical path, or the path itself when it has none.
fn identity(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A path as shown to the user: without `.` parts, and without `x/..` pairs when taking them
/// out still names the same file (it does not when `x` is a link).
pub(crate) fn shown(path: &Path) -> String {
    let mut clean = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(clean.components().next_back(), Some(Component::Normal(_)))
                    && !fs::symlink_metadata(&clean).is_ok_and(|m| m.file_type().is_symlink()) =>
            {
                clean.pop();
            }
            other => clean.push(other.as_os_str()),
        }
    }
    if clean.as_os_str().is_empty() {
        clean.push(".");
    }
    let same = match (fs::canonicalize(&clean), fs::canonicalize(path)) {
        (Ok(a), Ok(b)) => a == b,
        (Err(_), Err(_)) => true,
        _ => false,
    };
    if same { clean.display().to_string() } else { path.display().to_string() }
}

/// The largest file read (`--max-file-size`), in bytes, for the whole run.
static MAX_FILE_SIZE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

/// Sets the largest file read in this run, in bytes.
pub(crate) fn set_max_file_size(bytes: u64) {
    let _ = MAX_FILE_SIZE.set(bytes);
}

/// The largest file read, in bytes: [`MAX_FILE_BYTES`] unless `--max-file-size` says otherwise.
pub(crate) fn max_file_size() -> u64 {
    MAX_FILE_SIZE.get().copied().unwrap_or(MAX_FILE_BYTES)
}

/// What reading an input gave: its bytes, or the size of a file too large to read.
pub(crate) enum Bytes {
    /// The bytes.
    Read(Vec<u8>),
    /// A file larger than [`max_file_size`], of this size (or more).
    TooLarge(u64),
}

/// Reads one input's bytes. Only a regular file is opened: a FIFO, a device or a socket named
/// `x.casus` is an error, never a read that blocks.
pub(crate) fn read_bytes(input: &Input) -> Result<Bytes, String> {
    let name = input.name();
    let fail = |e: std::io::Error| format!("cannot read `{name}`: {}", io_message(&e));
    let mut bytes = Vec::new();
    let max = max_file_size();
    match input {
        Input::File { path, .. } => {
            let meta = fs::metadata(path).map_err(fail)?;
            if meta.is_dir() {
                return Err(format!("cannot read `{name}`: it is a folder"));
            }
            if !meta.is_file() {
                return Err(format!("cannot read `{name}`: it is not a regular file"));
            }
            if meta.len() > max {
                return Ok(Bytes::TooLarge(meta.len()));
            }
            let file = fs::File::open(path).map_err(fail)?;
            bytes.reserve_exact(usize::try_from(meta.len()).unwrap_or(0));
            file.take(max + 1).read_to_end(&mut bytes).map_err(fail)?;
        }
        Input::Stdin => {
            std::io::stdin().lock().take(max + 1).read_to_end(&mut bytes).map_err(fail)?;
        }
    }
    if bytes.len() as u64 > max {
        return Ok(Bytes::TooLarge(bytes.len() as u64));
    }
    Ok(Bytes::Read(bytes))
}

/// Reads one input into `sources`. A file too large, not UTF-8 or binary is still added (so
/// that its diagnostic can be rendered) and comes back with that diagnostic.
pub(crate) fn read(sources: &mut Sources, input: &Input) -> Result<(FileId, Option<Diagnostic>), String> {
    let name = input.name().to_string();
    Ok(match read_bytes(input)? {
        Bytes::Read(bytes) => sources.add_bytes(name, bytes),
        Bytes::TooLarge(size) => {
            let (id, d) = sources.add_too_large(name, size, max_file_size());
            (id, Some(d))
        }
    })
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

/// Writes a file through a temporary one beside it, renamed over it: a crash leaves the old
/// file or the new one, never half of one.
pub(crate) fn write_atomically(path: &Path, text: &str) -> Result<(), String> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let fail = |e: std::io::Error| format!("cannot write `{}`: {}", path.display(), io_message(&e));
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(fail)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::shown;
    use std::path::Path;

    #[test]
    fn paths_are_shown_without_dots_when_that_names_the_same_file() {
        assert_eq!(shown(Path::new("./src/../src/main.rs")), "src/main.rs");
        assert_eq!(shown(Path::new("src/./files.rs")), "src/files.rs");
        // A path that does not exist is shown cleaned too: nothing can tell the two apart.
        assert_eq!(shown(Path::new("nowhere/../else.casus")), "else.casus");
    }
}
