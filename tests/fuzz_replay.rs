//! The fuzz targets (`tests/fuzz/targets.rs`), run on stable over every file they have been
//! given or should be: the rule library, the scenarios, the diagnostics cases, the fuzz corpora
//! and the reproducers of problems found before (`fuzz/reproducers/`). A panic here is a crash
//! the fuzzers would find; CI runs this without a nightly toolchain.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

#[path = "fuzz/targets.rs"]
mod targets;

use std::fs;
use std::path::{Path, PathBuf};

/// The files of a folder with one of these extensions, recursively, sorted.
fn files(dir: &str, extensions: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else { continue };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if extensions.is_empty()
                || p.extension().and_then(|e| e.to_str()).is_some_and(|e| extensions.contains(&e))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn run_each(paths: &[PathBuf], target: fn(&[u8])) -> usize {
    for p in paths {
        // A running fuzzer may reduce its corpus while this reads it.
        let Ok(data) = fs::read(p) else { continue };
        let outcome = std::panic::catch_unwind(|| target(&data));
        assert!(outcome.is_ok(), "{} makes the target panic", p.display());
    }
    paths.len()
}

#[test]
fn rule_files_never_crash_the_checker_or_the_formatter() {
    let mut inputs = files("rules", &["casus"]);
    inputs.extend(files("tests/diagnostics", &["casus"]));
    inputs.extend(files("fuzz/corpus/parse_and_check", &[]));
    inputs.extend(files("fuzz/reproducers", &["casus"]));
    assert!(inputs.len() > 60, "only {} inputs", inputs.len());
    run_each(&inputs, targets::parse_and_check);
    let mut fmt = inputs.clone();
    fmt.extend(files("fuzz/corpus/fmt_round_trip", &[]));
    run_each(&fmt, targets::fmt_round_trip);
}

#[test]
fn scenarios_never_crash_the_evaluator() {
    // Each bundled scenario with the rule library, as the fuzzers' seeds are made.
    let library: Vec<u8> = files("rules", &["casus"]).iter().flat_map(|p| fs::read(p).unwrap()).collect();
    let mut sources = casus_syntax::source::Sources::new();
    let (id, _) = sources.add_bytes("library.casus", library.clone());
    assert!(casus::load_rule_files(&sources, &[id]).into_program().is_ok(), "the library read as one file");
    for s in files("scenarios", &["ron"]).iter().chain(&files("tests/diagnostics", &["ron"])) {
        let data = [library.as_slice(), b"\n%%\n", &fs::read(s).unwrap()].concat();
        let outcome = std::panic::catch_unwind(|| targets::scenario_and_eval(&data));
        assert!(outcome.is_ok(), "{} makes the evaluator panic", s.display());
    }
    let mut inputs = files("fuzz/corpus/scenario_and_eval", &[]);
    inputs.extend(files("fuzz/reproducers", &["txt"]));
    assert!(!files("fuzz/reproducers", &["txt"]).is_empty());
    run_each(&inputs, targets::scenario_and_eval);
}

#[test]
fn the_reproducers_are_in_the_repository() {
    for name in ["long_condition.casus", "includes_chain.casus", "late_deadline.txt", "alternating_deems.txt"] {
        assert!(Path::new("fuzz/reproducers").join(name).is_file(), "{name}");
    }
}
