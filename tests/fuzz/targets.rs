//! What each fuzz target does with its input: `fuzz/fuzz_targets/*.rs` run these under
//! libFuzzer (nightly, `cargo fuzz`), and `tests/fuzz_replay.rs` runs them on stable over every
//! corpus file and reproducer, so that CI guards what fuzzing found. Each must end quickly and
//! never panic on any input; the asserts are what must hold of every input.

#![allow(dead_code)]

use casus_syntax::source::{FileId, Sources};

/// The budget of change points of an evaluation under fuzzing: small, so that each input ends
/// at once.
pub(crate) const FUZZ_BUDGET: usize = 10_000;

/// Rule text: read, parsed, checked and compiled, every diagnostic rendered.
pub(crate) fn parse_and_check(data: &[u8]) {
    let mut sources = Sources::new();
    let (id, problem) = sources.add_bytes("fuzz.casus", data.to_vec());
    if let Some(d) = problem {
        let _ = casus_syntax::diagnostic::render(&d, &sources);
        return;
    }
    let set = casus::load_rule_files(&sources, &[id]);
    for d in &set.diagnostics {
        let _ = casus_syntax::diagnostic::render(d, &sources);
        let _ = casus_syntax::diagnostic::render_short(d, &sources);
    }
    let _ = set.into_program();
}

/// Rule text that parses: formatting it keeps its meaning and comments, and formatting the
/// result changes nothing.
pub(crate) fn fmt_round_trip(data: &[u8]) {
    let mut sources = Sources::new();
    let (id, problem) = sources.add_bytes("fuzz.casus", data.to_vec());
    let Some(file) = sources.get(id).filter(|_| problem.is_none()) else { return };
    let text = file.text.replace("\r\n", "\n");
    let parsed = casus_syntax::parse::parse(FileId(0), &text);
    if !parsed.diagnostics.is_empty() {
        return;
    }
    let once = casus_syntax::format::format(&parsed.file, &parsed.comments, &text);
    let again = casus_syntax::parse::parse(FileId(0), &once);
    assert!(again.diagnostics.is_empty(), "the formatted text does not parse:\n{once}");
    assert!(again.file == parsed.file, "formatting changed the rules:\n{once}");
    let comments = |p: &casus_syntax::parse::Parsed| p.comments.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
    assert_eq!(comments(&again), comments(&parsed), "formatting lost a comment");
    let twice = casus_syntax::format::format(&again.file, &again.comments, &once);
    assert_eq!(twice, once, "formatting is not idempotent");
}

/// Rule text and a scenario, separated by a line `%%`: the scenario read, checked against the
/// rules, and evaluated within [`FUZZ_BUDGET`], the report and an explanation of each party
/// written.
pub(crate) fn scenario_and_eval(data: &[u8]) {
    let Some(at) = data.windows(4).position(|w| w == b"\n%%\n") else { return };
    let (rules, scenario) = (&data[..at + 1], &data[at + 4..]);
    let mut sources = Sources::new();
    let (rules_id, problem) = sources.add_bytes("fuzz.casus", rules.to_vec());
    if problem.is_some() {
        return;
    }
    let (scenario_id, problem) = sources.add_bytes("fuzz.ron", scenario.to_vec());
    if problem.is_some() {
        return;
    }
    let Ok(program) = casus::load_rule_files(&sources, &[rules_id]).into_program() else { return };
    let Some(file) = sources.get(scenario_id) else { return };
    let mut scenario = match casus::scenario::parse(scenario_id, file) {
        Ok(s) => s,
        Err(rejected) => {
            for d in rejected.against(&program) {
                let _ = casus_syntax::diagnostic::render(&d, &sources);
            }
            return;
        }
    };
    scenario.budget = FUZZ_BUDGET;
    let eval = match casus::eval::evaluate(&program, &scenario, scenario.as_of, scenario.assume_compliance) {
        Ok(eval) => eval,
        Err(ds) => {
            for d in ds {
                let _ = casus_syntax::diagnostic::render(&d, &sources);
            }
            return;
        }
    };
    let report = casus::report::Report::new(&eval, &scenario.title);
    let _ = report.to_json();
    let mut text = Vec::new();
    let _ = casus::report::write_text(&report, &std::collections::BTreeMap::new(), true, &mut text);
    let parties: std::collections::BTreeSet<&str> = report.norms.iter().map(|n| &*n.party).collect();
    for party in parties {
        let _ = casus::explain::explain(&eval, &scenario, &sources, party, &casus::explain::Focus::default());
    }
}
