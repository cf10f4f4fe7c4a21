//! `casus synth`.

use std::fs;
use std::path::Path;

use casus_synth::Config;

use crate::files;
use crate::term::{Term, errln};

/// Writes a synthetic world into `out`: `rules/*.casus` and `scenario.ron`.
pub(crate) fn run(term: &mut Term, config: &Config, out: &Path) -> u8 {
    let world = casus_synth::generate(config);
    let write = |rel: &str, text: &str| -> Result<(), String> {
        let path = out.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create `{}`: {}", dir.display(), files::io_message(&e)))?;
        }
        fs::write(&path, text).map_err(|e| format!("cannot write `{}`: {}", path.display(), files::io_message(&e)))
    };
    let result = world
        .rules
        .iter()
        .try_for_each(|(rel, text)| write(rel, text))
        .and_then(|()| write("scenario.ron", &world.scenario));
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
