//! The dense cascade (`casus synth --dense`) against the closure it stands for, computed here
//! independently, as the peers in `benches/peers/` compute it:
//!
//! ```text
//! oblig(P, V, A) :- war(A, V), ally(P, V), P != A.
//! war(P, A)      :- oblig(P, V, A).
//! ```
//!
//! with `war(0, 1)` the attack. casus must find exactly these obligations, each under the pact of
//! its bearer and the ally, and each fulfilled (the compliance assumption) from the day after the
//! one that drew its bearer in.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::collections::{BTreeMap, BTreeSet};

use casus::eval::Status;
use casus::program::Program;
use casus::report::Report;
use casus::scenario::{self, Scenario};
use casus_syntax::source::Sources;
use casus_synth::{Cascade, Dense, cascade, code};

/// The closure, by naive iteration to a fixpoint: the obligations `(P, V, A)`.
fn closure(pacts: &[(usize, usize)], attack: (usize, usize)) -> BTreeSet<(usize, usize, usize)> {
    let mut allies: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &(a, b) in pacts {
        allies.entry(a).or_default().push(b);
        allies.entry(b).or_default().push(a);
    }
    let mut war: BTreeSet<(usize, usize)> = BTreeSet::from([attack]);
    let mut oblig = BTreeSet::new();
    loop {
        let mut grown = false;
        for &(a, v) in &war.clone() {
            for &p in allies.get(&v).into_iter().flatten() {
                if p != a && oblig.insert((p, v, a)) {
                    grown = true;
                    war.insert((p, a));
                }
            }
        }
        if !grown {
            break;
        }
    }
    oblig
}

/// A dense cascade's rules and scenario, read as casus reads them.
fn loaded(world: &Cascade) -> (Program, Scenario) {
    let mut sources = Sources::new();
    for (name, text) in &world.rules {
        sources.add(name.clone(), text.clone());
    }
    let program = casus::load_rules(&sources).into_program().unwrap();
    let id = sources.add("scenario.ron", world.scenario.clone());
    let scenario = scenario::parse(id, sources.get(id).unwrap()).unwrap();
    (program, scenario)
}

#[test]
fn casus_finds_the_obligations_of_the_closure_and_no_others() {
    // The last world is large enough for a day's rules to be computed on a second thread, in
    // more than one batch, and for a day's acts and norms to be looked up part by part.
    for (states, pacts, seed) in [(12, 20, 1), (30, 60, 2), (40, 300, 3), (8, 28, 4), (60, 900, 5)] {
        let world = cascade(&Dense { states, pacts, seed });
        let (program, scenario) = loaded(&world);
        let eval = casus::eval::evaluate(&program, &scenario, scenario.as_of, true).unwrap();
        let mut found = BTreeSet::new();
        for (key, record) in eval.norms.iter() {
            let arg = |role: &str| {
                let r = eval.world.syms.get(role).unwrap();
                eval.world.name(key.args.iter().find(|(x, _)| *x == r).unwrap().1).to_string()
            };
            assert_eq!(eval.world.name(key.action), "assist_militarily");
            assert_eq!(record.status, Status::Fulfilled, "{key:?}");
            assert!(record.assumed);
            // Each obligation comes from the pact of its bearer and the ally it must assist.
            let program = &eval.world.program;
            let pact: usize = program.instrument_id(key.instrument).strip_prefix("pact_").unwrap().parse().unwrap();
            let (a, b) = world.pacts[pact];
            let (party, ally) = (eval.world.name(key.party).to_string(), arg("ally"));
            assert_eq!(BTreeSet::from([code(a), code(b)]), BTreeSet::from([party.clone(), ally.clone()]), "{key:?}");
            found.insert((party, ally, arg("against")));
        }
        // Each obligation is assumed performed once, from the day it arose: without delay, it is
        // due that day.
        let mut performed = BTreeSet::new();
        for (_, when, key) in eval.assumed_acts() {
            let record = eval.norms.get(key).unwrap();
            assert_eq!(when.from, record.episodes[0].when.from, "{key:?}");
            assert!(performed.insert(key), "{key:?} is performed twice");
        }
        assert_eq!(performed.len(), eval.norms.len());
        // The report written by hand (on two threads, past some thousands of norms) is the
        // one serde_json writes.
        let title = &scenario.title;
        assert_eq!(Report::streamed(&eval, title).to_json(), Report::new(&eval, title).to_json());
        let want: BTreeSet<(String, String, String)> =
            closure(&world.pacts, world.attack).into_iter().map(|(p, v, a)| (code(p), code(v), code(a))).collect();
        assert!(!want.is_empty());
        assert_eq!(found, want, "{states} states, {pacts} pacts, seed {seed}");
    }
}

/// Every pact made twice over, under another name: each obligation's act is performed under
/// both, so a day's batch of acts holds each twice, the second time as another source of the
/// first. The closure is the same, and each of its obligations is found under both pacts.
#[test]
fn pacts_made_twice_over_give_each_obligation_twice() {
    let mut world = cascade(&Dense { states: 60, pacts: 900, seed: 5 });
    let again: Vec<(String, String)> = world
        .rules
        .iter()
        .filter(|(name, _)| name.contains("pacts_"))
        .map(|(name, text)| (name.replace("pacts_", "again_"), text.replace("treaty pact_", "treaty again_")))
        .collect();
    world.rules.extend(again);
    let (program, scenario) = loaded(&world);
    let eval = casus::eval::evaluate(&program, &scenario, scenario.as_of, true).unwrap();
    let mut found: BTreeMap<&str, BTreeSet<(String, String, String)>> = BTreeMap::new();
    for (key, record) in eval.norms.iter() {
        assert_eq!(record.status, Status::Fulfilled, "{key:?}");
        let arg = |role: &str| {
            let r = eval.world.syms.get(role).unwrap();
            eval.world.name(key.args.iter().find(|(x, _)| *x == r).unwrap().1).to_string()
        };
        let id = eval.world.program.instrument_id(key.instrument);
        let under = if id.starts_with("again_") { "again" } else { "pact" };
        found.entry(under).or_default().insert((eval.world.name(key.party).to_string(), arg("ally"), arg("against")));
    }
    let want: BTreeSet<(String, String, String)> =
        closure(&world.pacts, world.attack).into_iter().map(|(p, v, a)| (code(p), code(v), code(a))).collect();
    assert_eq!(found.get("pact"), Some(&want));
    assert_eq!(found.get("again"), Some(&want));
    assert_eq!(eval.norms.len(), 2 * want.len());
}

#[test]
fn the_peers_are_given_the_same_pacts_and_attack() {
    let world = cascade(&Dense { states: 15, pacts: 30, seed: 5 });
    let rules: String = world.rules.iter().map(|(_, text)| text.as_str()).collect();
    assert_eq!(rules.matches("treaty pact_").count(), 30);
    for &(a, b) in &world.pacts {
        for text in [&world.prolog, &world.asp] {
            assert!(text.contains(&format!("ally({a}, {b}).\nally({b}, {a}).\n")));
        }
        let parties = format!("    {} signed 1990-01-01 ratified 1990-01-01\n    {} signed", code(a), code(b));
        assert!(rules.contains(&parties), "the pact of {a} and {b}");
    }
    assert!(world.prolog.contains("attack(0, 1).") && world.asp.contains("attack(0, 1)."));
    assert!(world.prolog.contains("oblig(P, V, A) :- war(A, V), ally(P, V), P \\== A."));
    assert!(world.asp.contains("oblig(P, V, A) :- war(A, V), ally(P, V), P != A."));
    assert_eq!(world.attack, (0, 1));
}

/// `casus synth --dense` writes rule files that check clean and are formatted, a scenario whose
/// report counts the obligations of the closure, and the peers' two programs.
#[test]
fn the_command_line_writes_the_three_versions() {
    let dir = tempfile::tempdir().unwrap();
    let casus = || assert_cmd::Command::cargo_bin("casus").unwrap();
    let out = casus()
        .args(["synth", "--dense", "--states", "25", "--treaties", "40", "--seed", "7", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("25 states, 40 pacts, one attack"));
    for peer in ["peers/world.pl", "peers/world.lp"] {
        assert!(dir.path().join(peer).is_file(), "{peer}");
    }
    let rules = dir.path().join("rules");
    casus().arg("check").arg(&rules).assert().success();
    casus().args(["fmt", "--check"]).arg(&rules).assert().success();
    let report = casus().arg("eval").arg(dir.path().join("scenario.ron")).args(["--format", "json"]).output().unwrap();
    assert!(report.status.success());
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let world = cascade(&Dense { states: 25, pacts: 40, seed: 7 });
    let want = closure(&world.pacts, world.attack).len();
    assert_eq!(report["norms"].as_array().unwrap().len(), want);
    // A dense cascade has no events to ask for, and assumes compliance of itself.
    casus().args(["synth", "--dense", "--events", "5", "--out"]).arg(dir.path()).assert().code(2);
}

/// A stream that takes `room` bytes, then fails every write.
struct FillsUp {
    room: usize,
}

impl std::io::Write for FillsUp {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.room == 0 {
            return Err(std::io::Error::from(std::io::ErrorKind::StorageFull));
        }
        let n = buf.len().min(self.room);
        self.room -= n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A report too large for one thread to put in words, written to a stream that fills up at its
/// start, after a few of its chunks, or near its end, stops with the stream's error: the second
/// thread, which may be waiting to hand over a chunk, is not left waiting for ever. The writing
/// is done on a thread of the test's own, so that a hang fails the test rather than stalling it.
#[test]
fn a_large_report_to_a_stream_that_fills_up_stops_with_its_error() {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let world = cascade(&Dense { states: 60, pacts: 900, seed: 5 });
        let (program, scenario) = loaded(&world);
        let eval = casus::eval::evaluate(&program, &scenario, scenario.as_of, true).unwrap();
        assert!(eval.norms.len() > 50_000, "{} norms", eval.norms.len());
        let size = Report::streamed(&eval, "t").to_json().len();
        for room in [0, 10_000_000, size - 1000] {
            let written = Report::streamed(&eval, "t").write_json(&mut FillsUp { room });
            let _ = done.send((room, written.map_err(|e| e.kind())));
        }
    });
    for _ in 0..3 {
        let (room, written) = finished
            .recv_timeout(std::time::Duration::from_secs(120))
            .expect("each report is written, or fails, in time");
        assert_eq!(written, Err(std::io::ErrorKind::StorageFull), "room for {room} bytes");
    }
}
