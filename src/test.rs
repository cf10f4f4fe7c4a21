//! `casus test`: every scenario's `expect` list, as a regression suite.

use std::path::{Path, PathBuf};

use casus_syntax::diagnostic::Style;
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
use rayon::prelude::*;
use serde::Serialize;

use crate::coverage::Coverage;
use crate::files::{self, Input};
use crate::load::{self, Failed};
use crate::problem::{self, Format, Problem};
use crate::term::{Term, errln, outln};

/// What the command line asks of `casus test`.
pub(crate) struct Request<'a> {
    /// Scenario files and folders.
    pub paths: &'a [PathBuf],
    /// Rules for every scenario instead of its own.
    pub rules: &'a [PathBuf],
    /// Only the scenarios whose path or title this matches.
    pub filter: Option<&'a regex::Regex>,
    /// Also list each expectation that holds.
    pub verbose: bool,
    /// Also say which rules no scenario triggered.
    pub coverage: bool,
    /// A JUnit XML report to write.
    pub junit: Option<&'a Path>,
    /// How to print.
    pub format: Format,
}

/// One scenario's results.
#[derive(Serialize)]
struct ScenarioRun {
    /// The scenario, as shown.
    scenario: String,
    /// Its title, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    /// The expectations, in order, with their place.
    expectations: Vec<Checked>,
    /// Why the scenario could not be evaluated at all.
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "messages")]
    errors: Vec<Problem>,
    /// The rules it made fire, for the coverage.
    #[serde(skip)]
    coverage: Option<Coverage>,
}

#[derive(Serialize)]
struct Checked {
    line: usize,
    column: usize,
    passed: bool,
    expected: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    found: String,
}

fn messages<S: serde::Serializer>(problems: &[Problem], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(problems.iter().map(Problem::short))
}

/// The whole run, as `--format json` writes it.
#[derive(Serialize)]
struct Results<'a> {
    scenarios: &'a [ScenarioRun],
    passed: usize,
    failed: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<crate::coverage::Summary<'a>>,
}

/// Runs the scenarios under the paths; exit 0 only when every expectation holds.
pub(crate) fn run(term: &mut Term, r: &Request) -> u8 {
    let default = [PathBuf::from("scenarios")];
    let paths = if r.paths.is_empty() { &default[..] } else { r.paths };
    let mut sarif = Vec::new();
    let list = match files::expand(paths, &["ron"]) {
        Ok(list) => list,
        Err(e) => return fail(term, r.format, Problem::error("casus::io", e, None)),
    };
    for skipped in &list.skipped {
        errln!(term, "warning: {skipped}");
    }
    let style = r.format.style(term.err_style);
    // In parallel, collected in the order of the paths, so the output never depends on timing.
    let runs: Vec<ScenarioRun> =
        list.files.par_iter().map(|input| run_one(input, r.rules, r.coverage, style)).collect();
    let runs: Vec<ScenarioRun> = match r.filter {
        Some(re) => runs
            .into_iter()
            .filter(|s| re.is_match(&s.scenario) || s.title.as_deref().is_some_and(|t| re.is_match(t)))
            .collect(),
        None => runs,
    };
    if runs.is_empty() {
        let pattern = r.filter.map(|f| f.as_str()).unwrap_or_default();
        return fail(term, r.format, Problem::error("casus::usage", format!("no scenario matches `{pattern}`"), None));
    }
    let mut passed = 0;
    let mut failed = list.unreadable.len();
    let mut annotations: Vec<Problem> =
        list.unreadable.iter().map(|e| Problem::error("casus::io", e.clone(), None)).collect();
    if matches!(r.format, Format::Human | Format::Short) {
        for p in annotations.drain(..) {
            outln!(term, "{}", p.short());
        }
    }
    for s in &runs {
        let name = &s.scenario;
        if !s.errors.is_empty() {
            failed += 1;
            match r.format {
                Format::Human => {
                    outln!(term, "{name}: error: the scenario could not be evaluated");
                    for p in &s.errors {
                        outln!(term, "{}", indent(&p.human));
                    }
                }
                Format::Short => s.errors.iter().for_each(|p| outln!(term, "{}", p.short())),
                _ => annotations.extend(s.errors.iter().cloned()),
            }
        }
        for c in &s.expectations {
            let found = if c.found.is_empty() { String::new() } else { format!("; found {}", c.found) };
            if c.passed {
                passed += 1;
                if r.verbose && matches!(r.format, Format::Human | Format::Short) {
                    outln!(term, "{name}:{}:{}: ok: {}", c.line, c.column, c.expected);
                }
                continue;
            }
            failed += 1;
            let problem = Problem {
                severity: casus_syntax::diagnostic::Severity::Error,
                place: Some(problem::Place { file: name.clone(), at: Some((c.line, c.column)), end: None }),
                code: "casus::expectation".to_string(),
                message: format!("expected {}{found}", c.expected),
                help: None,
                human: format!("{name}:{}:{}: expected {}{found}", c.line, c.column, c.expected),
            };
            match r.format {
                Format::Human => outln!(term, "{}", problem.human),
                Format::Short => outln!(term, "{}", problem.short()),
                _ => annotations.push(problem),
            }
        }
    }
    let mut coverage = Coverage::default();
    for s in &runs {
        if let Some(c) = &s.coverage {
            coverage.merge(c);
        }
    }
    if let Some(path) = r.junit
        && let Err(e) = write_junit(path, &runs)
    {
        errln!(term, "error: cannot write `{}`: {e}", path.display());
        return 1;
    }
    match r.format {
        Format::Json => {
            let results =
                Results { scenarios: &runs, passed, failed, coverage: r.coverage.then(|| coverage.summary()) };
            let mut text = serde_json::to_string_pretty(&results).unwrap_or_default();
            text.push('\n');
            let _ = std::io::Write::write_all(&mut term.out, text.as_bytes());
        }
        Format::Sarif => {
            problem::print(term, &annotations, Format::Sarif, &mut sarif);
            let _ = std::io::Write::write_all(&mut term.out, problem::sarif_log(sarif).as_bytes());
        }
        format => {
            problem::print(term, &annotations, format, &mut sarif);
            if r.coverage {
                let _ = std::io::Write::write_all(&mut term.out, coverage.summary().text().as_bytes());
            }
            outln!(term, "{passed} passed, {failed} failed");
        }
    }
    u8::from(failed > 0)
}

/// Prints one problem that stops the run, in the format asked for; exit 1.
fn fail(term: &mut Term, format: Format, p: Problem) -> u8 {
    let mut sarif = Vec::new();
    match format {
        Format::Json => {
            let _ = std::io::Write::write_all(&mut term.out, b"{\"error\": ");
            let _ = serde_json::to_writer(&mut term.out, &p.short());
            let _ = std::io::Write::write_all(&mut term.out, b"}\n");
            errln!(term, "{}", p.human);
        }
        Format::Sarif => {
            problem::print(term, std::slice::from_ref(&p), format, &mut sarif);
            let _ = std::io::Write::write_all(&mut term.out, problem::sarif_log(sarif).as_bytes());
            errln!(term, "{}", p.human);
        }
        Format::Github => {
            problem::print(term, std::slice::from_ref(&p), format, &mut sarif);
            errln!(term, "{}", p.human);
        }
        _ => problem::print(term, std::slice::from_ref(&p), format, &mut sarif),
    }
    1
}

fn run_one(input: &Input, rules: &[PathBuf], covering: bool, style: Style) -> ScenarioRun {
    let mut run = ScenarioRun {
        scenario: input.name().to_string(),
        title: None,
        expectations: Vec::new(),
        errors: Vec::new(),
        coverage: None,
    };
    let loaded = match load::load(input, rules, style) {
        Ok(l) => l,
        Err(Failed { problems }) => {
            run.errors = problems;
            return run;
        }
    };
    run.title = Some(loaded.scenario.title.clone());
    let checked = if covering {
        casus::expect::check_covering(&loaded.program, &loaded.scenario)
    } else {
        casus::expect::check(&loaded.program, &loaded.scenario).map(|o| (o, casus::eval::Fired::default()))
    };
    let (outcomes, fired) = match checked {
        Ok(o) => o,
        Err(ds) => {
            run.errors = loaded.failed(&ds).problems;
            return run;
        }
    };
    if covering {
        let mut c = Coverage::default();
        c.add(&loaded.program, &loaded.sources, &fired);
        run.coverage = Some(c);
    }
    let file = loaded.sources.get(loaded.scenario.file);
    for o in outcomes {
        let at = loaded.scenario.expect.get(o.index).map_or(0, |e| e.span.start);
        let lc = file.map(|f| f.line_col(at));
        run.expectations.push(Checked {
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
        let name = r.scenario.clone();
        let mut suite = TestSuite::new(name.clone());
        if !r.errors.is_empty() {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            let description: Vec<&str> = r.errors.iter().map(|p| p.human.as_str()).collect();
            status.set_message("the scenario could not be evaluated").set_description(description.join("\n"));
            let mut case = TestCase::new("evaluate", status);
            case.set_classname(name.clone());
            suite.add_test_case(case);
        }
        for c in &r.expectations {
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
