//! `casus synth`.

use std::fs;
use std::path::Path;

use casus_synth::Config;

use crate::files;
use crate::term::{Term, errln};

/// Writes `text` to `rel` under `out`, making the folders it needs.
fn write(out: &Path, rel: &str, text: &str) -> Result<(), String> {
    let path = out.join(rel);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {}", dir.display(), files::io_message(&e)))?;
    }
    fs::write(&path, text).map_err(|e| format!("cannot write `{}`: {}", path.display(), files::io_message(&e)))
}

/// Writes each file (a path under `out`, and its text), then says what was written; the
/// exit code.
fn write_all(term: &mut Term, out: &Path, files: &[(&str, &str)], what: &str) -> u8 {
    match files.iter().try_for_each(|(rel, text)| write(out, rel, text)) {
        Ok(()) => {
            errln!(term, "wrote {what}");
            0
        }
        Err(e) => {
            errln!(term, "error: {e}");
            1
        }
    }
}

/// Writes a synthetic world into `out`: `rules/*.casus` and `scenario.ron`.
pub(crate) fn run(term: &mut Term, config: &Config, out: &Path) -> u8 {
    let world = casus_synth::generate(config);
    let mut files: Vec<(&str, &str)> = world.rules.iter().map(|(r, t)| (r.as_str(), t.as_str())).collect();
    files.push(("scenario.ron", &world.scenario));
    let what = format!(
        "{} rule files and scenario.ron to `{}`: {} states, {} treaties, {} events",
        world.rules.len(),
        out.display(),
        config.states,
        config.treaties,
        config.events
    );
    write_all(term, out, &files, &what)
}

/// Writes a dense cascade into `out`: `rules/*.casus` and `scenario.ron`, and the same closure
/// for the peers in `peers/world.pl` (SWI-Prolog, tabled) and `peers/world.lp` (clingo).
pub(crate) fn dense(term: &mut Term, config: &casus_synth::Dense, out: &Path) -> u8 {
    let world = casus_synth::cascade(config);
    let mut files: Vec<(&str, &str)> = world.rules.iter().map(|(r, t)| (r.as_str(), t.as_str())).collect();
    files.extend([
        ("scenario.ron", world.scenario.as_str()),
        ("peers/world.pl", &world.prolog),
        ("peers/world.lp", &world.asp),
    ]);
    let what = format!(
        "{} rule files, scenario.ron and peers/world.{{pl,lp}} to `{}`: {} states, {} pacts, one attack",
        world.rules.len(),
        out.display(),
        world.states,
        world.pacts.len()
    );
    write_all(term, out, &files, &what)
}
