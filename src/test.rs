//! `casus test`: every scenario's `expect` list, as a regression suite.

use std::path::{Path, PathBuf};

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
use rayon::prelude::*;

use crate::check::Format;
use crate::load::{self, Failed};
use crate::{files, github};

/// One scenario's results.
struct ScenarioRun {
    path: PathBuf,
    /// The expectations, in order, with their place.
    outcomes: Vec<Checked>,
    /// Why the scenario could not be evaluated at all.
    error: Option<Failed>,
}

struct Checked {
    line: usize,
    column: usize,
    passed: bool,
    expected: String,
    found: String,
}

/// Runs the scenarios under `paths`; exit 0 only when every expectation holds.
pub(crate) fn run(paths: &[PathBuf], junit: Option<&Path>, format: Format) -> u8 {
    let default = [PathBuf::from("scenarios")];
    let paths = if paths.is_empty() { &default[..] } else { paths };
    let list = match files::expand(paths, &["ron"]) {
        Ok(list) => list,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    // In parallel, collected in the order of the paths, so the output never depends on timing.
    let runs: Vec<ScenarioRun> = list.par_iter().map(|p| run_one(p)).collect();
    let mut passed = 0;
    let mut failed = 0;
    for r in &runs {
        let name = r.path.display();
        if let Some(e) = &r.error {
            failed += 1;
            match format {
                Format::Github if !e.annotations.is_empty() => e.annotations.iter().for_each(|a| println!("{a}")),
                Format::Github => println!(
                    "{}",
                    github::annotation("error", &name.to_string(), None, "scenario not evaluated", &e.message)
                ),
                _ => println!("{name}: error: the scenario could not be evaluated\n{}", indent(&e.message)),
            }
        }
        for c in &r.outcomes {
            if c.passed {
                passed += 1;
                continue;
            }
            failed += 1;
            let found = if c.found.is_empty() { String::new() } else { format!("; found {}", c.found) };
            match format {
                Format::Github => println!(
                    "{}",
                    github::annotation(
                        "error",
                        &name.to_string(),
                        Some((c.line, c.column)),
                        "expectation failed",
                        &format!("expected {}{found}", c.expected)
                    )
                ),
                _ => println!("{name}:{}:{}: expected {}{found}", c.line, c.column, c.expected),
            }
        }
    }
    if let Some(path) = junit
        && let Err(e) = write_junit(path, &runs)
    {
        eprintln!("error: cannot write `{}`: {e}", path.display());
        return 1;
    }
    println!("{passed} passed, {failed} failed");
    u8::from(failed > 0)
}

fn run_one(path: &Path) -> ScenarioRun {
    let mut run = ScenarioRun { path: path.to_path_buf(), outcomes: Vec::new(), error: None };
    let loaded = match load::load(path, &[]) {
        Ok(l) => l,
        Err(e) => {
            run.error = Some(e);
            return run;
        }
    };
    let outcomes = match casus::expect::check(&loaded.program, &loaded.scenario) {
        Ok(o) => o,
        Err(ds) => {
            run.error = Some(load::rendered(&ds, &loaded.sources));
            return run;
        }
    };
    let file = loaded.sources.get(loaded.scenario.file);
    for o in outcomes {
        let at = loaded.scenario.expect.get(o.index).map_or(0, |e| e.span.start);
        let lc = file.map(|f| f.line_col(at));
        run.outcomes.push(Checked {
            line: lc.map_or(1, |l| l.line),
            column: lc.map_or(1, |l| l.column),
            passed: o.passed,
            expected: o.expected,
            found: o.found,
        });
    }
    run
}

fn write_junit(path: &Path, runs: &[ScenarioRun]) -> Result<(), String> {
    let mut report = quick_junit::Report::new("casus");
    for r in runs {
        let name = r.path.display().to_string();
        let mut suite = TestSuite::new(name.clone());
        if let Some(e) = &r.error {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message("the scenario could not be evaluated").set_description(e.message.clone());
            let mut case = TestCase::new("evaluate", status);
            case.set_classname(name.clone());
            suite.add_test_case(case);
        }
        for c in &r.outcomes {
            let status = if c.passed {
                TestCaseStatus::success()
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(format!("expected {}", c.expected)).set_description(format!("found {}", c.found));
                s
            };
            let mut case = TestCase::new(format!("line {}: {}", c.line, c.expected), status);
            case.set_classname(name.clone());
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    let xml = report.to_string().map_err(|e| e.to_string())?;
    std::fs::write(path, xml).map_err(|e| files::io_message(&e))
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}
