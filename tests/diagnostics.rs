//! Golden tests for diagnostics: one file per bad input in `tests/diagnostics/`.
//!
//! Each case starts with one `# expect: SEVERITY CODE at LINE:COL` line per diagnostic it must
//! produce, written by hand from the language's rules. The harness checks those, then compares
//! the full rendering with the `.stderr` file beside the case. `CASUS_BLESS=1 cargo test` rewrites
//! the `.stderr` files (never the expectations); review the diff before committing it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::fs;
use std::path::Path;

use casus_syntax::diagnostic::{self, Severity};
use casus_syntax::source::Sources;

const VOCABULARY: &str = "tests/fixtures/vocabulary.casus";

#[test]
fn every_bad_input_gets_its_diagnostic() {
    let mut cases: Vec<_> = fs::read_dir("tests/diagnostics")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "casus"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 25, "only {} cases", cases.len());
    let failures: Vec<String> = cases.iter().filter_map(|c| run_case(c).err()).collect();
    assert!(failures.is_empty(), "{} of {} cases failed:\n\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

fn run_case(path: &Path) -> Result<(), String> {
    let name = path.to_str().unwrap().to_string();
    let text = fs::read_to_string(path).unwrap();
    let expected: Vec<String> = text.lines().filter_map(|l| l.strip_prefix("# expect: ")).map(str::to_string).collect();
    if expected.is_empty() {
        return Err(format!("{name}: no `# expect:` line"));
    }
    let mut sources = Sources::new();
    let vocabulary = sources.add(VOCABULARY, fs::read_to_string(VOCABULARY).unwrap());
    let case = sources.add(name.clone(), text);
    let set = casus::load_rules(&sources);
    let mine: Vec<_> = set.diagnostics.iter().filter(|d| d.file() == case).collect();
    if let Some(d) = set.diagnostics.iter().find(|d| d.file() == vocabulary) {
        return Err(format!("the vocabulary itself has a diagnostic: {}", d.message()));
    }
    let found: Vec<String> = mine
        .iter()
        .map(|d| {
            let severity = if d.severity() == Severity::Error { "error" } else { "warning" };
            format!("{severity} {} at {}", d.code(), d.line_col(&sources))
        })
        .collect();
    if found != expected {
        return Err(format!("{name}:\n  expected {expected:#?}\n  found {found:#?}"));
    }
    let rendered: String = mine.iter().map(|d| diagnostic::render(d, &sources)).collect::<Vec<_>>().join("\n");
    let golden = path.with_extension("stderr");
    if std::env::var_os("CASUS_BLESS").is_some() {
        fs::write(&golden, &rendered).unwrap();
        return Ok(());
    }
    let want =
        fs::read_to_string(&golden).map_err(|_| format!("{name}: no {}; run with CASUS_BLESS=1", golden.display()))?;
    if want != rendered {
        return Err(format!(
            "{name}: rendering differs from {}:\n--- expected\n{want}\n--- found\n{rendered}",
            golden.display()
        ));
    }
    Ok(())
}
