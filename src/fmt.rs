//! `casus fmt`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use casus_syntax::diagnostic;
use casus_syntax::parse;
use casus_syntax::source::Sources;

use crate::files;

/// Formats the rule files under `paths` in place, or with `check` lists those that differ.
pub(crate) fn run(paths: &[PathBuf], check: bool) -> u8 {
    let list = match files::expand(paths, &["casus"]) {
        Ok(list) => list,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let mut status = 0;
    for path in &list {
        let mut sources = Sources::new();
        let (id, problem) = match files::read(&mut sources, path) {
            Ok(read) => read,
            Err(e) => {
                eprintln!("error: {e}");
                status = 1;
                continue;
            }
        };
        if let Some(d) = problem {
            eprintln!("{}", diagnostic::render(&d, &sources));
            status = 1;
            continue;
        }
        let Some(source) = sources.get(id) else {
            continue;
        };
        let parsed = parse::parse(id, &source.text);
        if !parsed.diagnostics.is_empty() {
            for d in &parsed.diagnostics {
                eprintln!("{}", diagnostic::render(d, &sources));
            }
            eprintln!("error: `{}` was left as it is: it does not parse", path.display());
            status = 1;
            continue;
        }
        let formatted = casus_syntax::format::format(&parsed.file, &parsed.comments, &source.text);
        if let Err(why) = same_meaning(&parsed, &formatted) {
            eprintln!(
                "error: `{}` was left as it is: formatting would change it ({why}); please report this",
                path.display()
            );
            status = 1;
            continue;
        }
        if formatted == source.text {
            continue;
        }
        if check {
            println!("{}", path.display());
            status = 1;
        } else if let Err(e) = write_atomically(path, &formatted) {
            eprintln!("error: cannot write `{}`: {}", path.display(), files::io_message(&e));
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
