//! Golden tests for diagnostics: one file per bad input, rule files in `tests/diagnostics/` and
//! scenarios in `tests/diagnostics/scenarios/`.
//!
//! Each case starts with one `# expect: SEVERITY CODE at LINE:COL` line (`// expect: ...` in a
//! scenario) per diagnostic it must produce, written by hand from the language's rules. The
//! harness checks those, then compares the full rendering with the `.stderr` file beside the case.
//! `CASUS_BLESS=1 cargo test` rewrites the `.stderr` files (never the expectations); review the
//! diff before committing it. Scenarios are read against the rules of `tests/fixtures/pact`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::fs;
use std::path::Path;

use casus::eval::World;
use casus::scenario;
use casus_syntax::diagnostic::{self, Diagnostic, Severity};
use casus_syntax::source::{FileId, Sources};

const VOCABULARY: &str = "tests/fixtures/vocabulary.casus";
const PACT: &str = "tests/fixtures/pact/rules/pact.casus";

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

#[test]
fn every_bad_scenario_gets_its_diagnostics() {
    let mut cases: Vec<_> = fs::read_dir("tests/diagnostics/scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 9, "only {} cases", cases.len());
    let failures: Vec<String> = cases.iter().filter_map(|c| run_scenario_case(c).err()).collect();
    assert!(failures.is_empty(), "{} of {} cases failed:\n\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

fn run_case(path: &Path) -> Result<(), String> {
    let name = path.to_str().unwrap().to_string();
    let text = fs::read_to_string(path).unwrap();
    let mut sources = Sources::new();
    let vocabulary = sources.add(VOCABULARY, fs::read_to_string(VOCABULARY).unwrap());
    let case = sources.add(name.clone(), text.clone());
    let set = casus::load_rules(&sources);
    if let Some(d) = set.diagnostics.iter().find(|d| d.file() == vocabulary) {
        return Err(format!("the vocabulary itself has a diagnostic: {}", d.message()));
    }
    let mine: Vec<&Diagnostic> = set.diagnostics.iter().filter(|d| d.file() == case).collect();
    compare(path, &text, "# expect: ", &mine, &sources)
}

/// A scenario read against the pact's rules: every problem of its reading, and those its events
/// have against the rules.
fn run_scenario_case(path: &Path) -> Result<(), String> {
    let name = path.to_str().unwrap().to_string();
    let text = fs::read_to_string(path).unwrap();
    let mut sources = Sources::new();
    sources.add(PACT, fs::read_to_string(PACT).unwrap());
    let program = casus::load_rules(&sources).into_program().unwrap();
    let case = sources.add(name, text.clone());
    let problems = match scenario::parse(case, sources.get(case).unwrap()) {
        Ok(s) => World::new(&program, &s).err().unwrap_or_default(),
        Err(rejected) => rejected.against(&program),
    };
    assert!(problems.iter().all(|d| d.file() == case || d.file() == FileId(0)));
    compare(path, &text, "// expect: ", &problems.iter().collect::<Vec<_>>(), &sources)
}

/// The diagnostics of a case against its `expect` lines, then their rendering against the golden
/// file beside it.
fn compare(path: &Path, text: &str, marker: &str, mine: &[&Diagnostic], sources: &Sources) -> Result<(), String> {
    let name = path.display().to_string();
    let expected: Vec<String> = text.lines().filter_map(|l| l.strip_prefix(marker)).map(str::to_string).collect();
    if expected.is_empty() {
        return Err(format!("{name}: no `{marker}` line"));
    }
    let found: Vec<String> = mine
        .iter()
        .map(|d| {
            let severity = if d.severity() == Severity::Error { "error" } else { "warning" };
            format!("{severity} {} at {}", d.code(), d.line_col(sources))
        })
        .collect();
    if found != expected {
        return Err(format!("{name}:\n  expected {expected:#?}\n  found {found:#?}"));
    }
    let rendered: String = mine.iter().map(|d| diagnostic::render(d, sources)).collect::<Vec<_>>().join("\n");
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
