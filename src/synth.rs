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

/// Writes a synthetic world into `out`: `rules/*.casus` and `scenario.ron`.
pub(crate) fn run(term: &mut Term, config: &Config, out: &Path) -> u8 {
    let world = casus_synth::generate(config);
    let result = world
        .rules
        .iter()
        .try_for_each(|(rel, text)| write(out, rel, text))
        .and_then(|()| write(out, "scenario.ron", &world.scenario));
    match result {
        Ok(()) => {
            errln!(
                term,
                "wrote {} rule files and scenario.ron to `{}`: {} states, {} treaties, {} events",
                world.rules.len(),
                out.display(),
                config.states,
                config.treaties,
                config.events
            );
            0
        }
        Err(e) => {
            errln!(term, "error: {e}");
            1
        }
    }
}

/// Writes a dense cascade into `out`: `rules/*.casus` and `scenario.ron`, and the same closure
/// for the peers in `peers/world.pl` (SWI-Prolog, tabled) and `peers/world.lp` (clingo).
pub(crate) fn dense(term: &mut Term, config: &casus_synth::Dense, out: &Path) -> u8 {
    let world = casus_synth::cascade(config);
    let result = world
        .rules
        .iter()
        .try_for_each(|(rel, text)| write(out, rel, text))
        .and_then(|()| write(out, "scenario.ron", &world.scenario))
        .and_then(|()| write(out, "peers/world.pl", &world.prolog))
        .and_then(|()| write(out, "peers/world.lp", &world.asp));
    match result {
        Ok(()) => {
            errln!(
                term,
                "wrote {} rule files, scenario.ron and peers/world.{{pl,lp}} to `{}`: {} states, {} pacts, one attack",
                world.rules.len(),
                out.display(),
                config.states,
                world.pacts.len()
            );
            0
        }
        Err(e) => {
            errln!(term, "error: {e}");
            1
        }
    }
}
