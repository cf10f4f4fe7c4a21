//! Benchmarks: parsing and checking, and evaluation from the Kursk scenario to synthetic worlds
//! of hundreds of states, thousands of treaties and a hundred thousand events.
//!
//! `cargo bench` runs them all; `cargo bench -- kursk` one group. Figures are in BENCHMARKS.md.
//! `CASUS_BENCH_MILLION=1 cargo bench -- "scaling events"` takes the series in events to a
//! million; `CASUS_BENCH_DENSE_LARGE=1 cargo bench -- "dense cascade"` adds the dense cascade
//! of 10 000 pacts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "benchmarks fail loudly")]

use std::hint::black_box;
use std::time::Duration;

use casus::program::Program;
use casus::scenario::{self, Scenario};
use casus_syntax::source::{FileId, Sources};
use casus_synth::Config;
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

/// Rule files and a scenario, compiled and read, ready to evaluate.
struct Loaded {
    program: Program,
    scenario: Scenario,
}

fn load(rules: &[(String, String)], scenario_text: &str) -> Loaded {
    let mut sources = Sources::new();
    for (name, text) in rules {
        sources.add(name.clone(), text.clone());
    }
    let program = casus::load_rules(&sources).into_program().unwrap();
    let id = sources.add("scenario.ron", scenario_text);
    let scenario = scenario::parse(id, sources.get(id).unwrap()).unwrap();
    Loaded { program, scenario }
}

fn world(states: usize, treaties: usize, events: usize, assume_compliance: bool) -> Loaded {
    let w = casus_synth::generate(&Config { states, treaties, events, seed: 1, assume_compliance });
    load(&w.rules, &w.scenario)
}

fn evaluate(l: &Loaded) -> usize {
    let e = casus::eval::evaluate(&l.program, &l.scenario, l.scenario.as_of, l.scenario.assume_compliance).unwrap();
    e.norms.len()
}

fn bundled() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("rules").unwrap() {
        let p = e.unwrap().path();
        out.push((p.display().to_string(), std::fs::read_to_string(&p).unwrap()));
    }
    out.sort();
    out
}

fn parse_and_check(c: &mut Criterion) {
    let w =
        casus_synth::generate(&Config { states: 200, treaties: 1000, events: 0, seed: 1, assume_compliance: false });
    let text: String = w.rules.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join("\n");
    let mut g = c.benchmark_group("language");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("parse 1000 treaties", |b| b.iter(|| casus_syntax::parse::parse(FileId(0), black_box(&text))));
    g.bench_function("parse and check 1000 treaties", |b| {
        b.iter(|| {
            let mut sources = Sources::new();
            let id = sources.add("world.casus", text.clone());
            casus::check_rule_files(black_box(&sources), &[id])
        })
    });
    g.bench_function("parse, check and compile 1000 treaties", |b| {
        b.iter(|| {
            let mut sources = Sources::new();
            sources.add("world.casus", text.clone());
            casus::load_rules(black_box(&sources))
        })
    });
    g.finish();
}

fn kursk(c: &mut Criterion) {
    let scenario = std::fs::read_to_string("scenarios/kursk_2024.ron").unwrap();
    let l = load(&bundled(), &scenario);
    c.bench_function("evaluate kursk (loaded)", |b| b.iter(|| evaluate(black_box(&l))));
}

fn big_world(c: &mut Criterion) {
    let l = world(200, 1000, 100_000, false);
    let mut g = c.benchmark_group("world");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("200 states, 1000 treaties, 100000 events", |b| b.iter(|| evaluate(black_box(&l))));
    g.finish();
}

fn cascade(c: &mut Criterion) {
    // A sparse alliance graph (average degree 2): cascades spread, and die out at regional and
    // provocation clauses, instead of turning every attack into a world war.
    let l = world(10_000, 10_000, 50, true);
    let mut g = c.benchmark_group("cascade");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("10000 pacts, compliance assumed", |b| b.iter(|| evaluate(black_box(&l))));
    g.finish();
}

/// The dense cascade of 200 states and 10 000 pacts (about four million obligations) is added
/// when this is set: ten evaluations of some seconds each.
const DENSE_LARGE: &str = "CASUS_BENCH_DENSE_LARGE";

fn dense_world(states: usize, pacts: usize) -> Loaded {
    let w = casus_synth::cascade(&casus_synth::Dense { states, pacts, seed: 1 });
    load(&w.rules, &w.scenario)
}

fn dense(c: &mut Criterion) {
    // Every pact bilateral, every party drawn in: the closure the peers in benches/peers/
    // compute, with the evaluation alone and with the JSON report written (into nothing).
    let mut g = c.benchmark_group("dense cascade");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    let mut sizes = vec![1_000];
    if std::env::var_os(DENSE_LARGE).is_some() {
        sizes.push(10_000);
    }
    for pacts in sizes {
        let l = dense_world(200, pacts);
        if pacts >= 10_000 {
            g.sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(300));
        }
        g.bench_with_input(BenchmarkId::new("evaluate, 200 states", pacts), &l, |b, l| {
            b.iter(|| evaluate(black_box(l)))
        });
        g.bench_with_input(BenchmarkId::new("evaluate and write the JSON report, 200 states", pacts), &l, |b, l| {
            b.iter(|| {
                let e = casus::eval::evaluate(&l.program, &l.scenario, l.scenario.as_of, true).unwrap();
                casus::report::Report::streamed(&e, "dense").write_json(&mut std::io::sink()).unwrap();
                e.norms.len()
            })
        });
    }
    g.finish();
}

/// An event of a scenario as JSON would carry it: what serde_json reads for the yardstick of
/// reading a scenario.
#[derive(serde::Serialize, serde::Deserialize)]
enum JsonEvent {
    Fact { kind: String, args: Vec<(String, String)>, from: String, until: Option<String> },
    Act { party: String, action: String, args: Vec<(String, String)>, from: String, until: Option<String> },
}

/// The events of a scenario as JSON: the facts and acts a synthetic world has.
fn as_json(scenario: &Scenario) -> String {
    use casus::scenario::EventKind;
    let args = |a: &casus::scenario::Args| a.iter().map(|(r, v)| (r.value.clone(), v.value.clone())).collect();
    let events: Vec<JsonEvent> = scenario
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Fact { kind, args: a, from, until, .. } => Some(JsonEvent::Fact {
                kind: kind.value.clone(),
                args: args(a),
                from: from.to_string(),
                until: until.map(|u| u.to_string()),
            }),
            EventKind::Act { party, action, args: a, from, until, .. } => Some(JsonEvent::Act {
                party: party.value.clone(),
                action: action.value.clone(),
                args: args(a),
                from: from.to_string(),
                until: until.map(|u| u.to_string()),
            }),
            _ => None,
        })
        .collect();
    serde_json::to_string(&events).unwrap()
}

/// Reading a scenario of 100 000 events, against serde_json reading the same events from JSON
/// into owned strings: the loader's yardstick.
fn reading(c: &mut Criterion) {
    let w = casus_synth::generate(&Config {
        states: 200,
        treaties: 1000,
        events: 100_000,
        seed: 1,
        assume_compliance: false,
    });
    let mut sources = Sources::new();
    let id = sources.add("scenario.ron", w.scenario.clone());
    let file = sources.get(id).unwrap();
    let json = as_json(&scenario::parse(id, file).unwrap());
    let mut g = c.benchmark_group("reading scenarios");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Bytes(w.scenario.len() as u64));
    g.bench_function("RON, 100000 events", |b| b.iter(|| scenario::parse(id, black_box(file)).unwrap().events.len()));
    g.throughput(Throughput::Bytes(json.len() as u64));
    g.bench_function("the same events as JSON, serde_json", |b| {
        b.iter(|| serde_json::from_str::<Vec<JsonEvent>>(black_box(&json)).unwrap().len())
    });
    g.finish();
}

/// The scaling series in events goes on to a million when this is set: ten samples of about
/// fifteen seconds each, and a world that takes a minute to make and read.
const MILLION: &str = "CASUS_BENCH_MILLION";

fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("scaling events");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    let mut series = vec![1_000, 10_000, 100_000];
    if std::env::var_os(MILLION).is_some() {
        series.push(1_000_000);
    }
    for events in series {
        let l = world(200, 1000, events, false);
        if events >= 1_000_000 {
            // One evaluation per sample, and time enough for ten.
            g.sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(200));
        }
        g.throughput(Throughput::Elements(events as u64));
        g.bench_with_input(BenchmarkId::from_parameter(events), &l, |b, l| b.iter(|| evaluate(black_box(l))));
    }
    g.finish();
    let mut g = c.benchmark_group("scaling treaties");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for treaties in [100, 1_000, 10_000] {
        let l = world(200, treaties, 10_000, false);
        g.throughput(Throughput::Elements(treaties as u64));
        g.bench_with_input(BenchmarkId::from_parameter(treaties), &l, |b, l| b.iter(|| evaluate(black_box(l))));
    }
    g.finish();
}

/// The what-if matrix on the bundled rules: one cell (an attack on Poland, which NATO and the
/// European Union answer), and the first 20 members of the United Nations against the first 20,
/// in parallel as `casus sweep` computes them.
fn sweep(c: &mut Criterion) {
    use rayon::prelude::*;
    let l = load(&bundled(), "Scenario(title: \"none\", as_of: \"2025-06-01\", events: [])");
    let on = casus::calendar::Day::parse("2025-06-01").unwrap();
    let ask = casus_draw::heatmap::Ask { on, assume_compliance: false, actions: &[] };
    let baseline = ask.baseline(&l.program).unwrap();
    let mut group = c.benchmark_group("sweep");
    group.bench_function("one cell (RUS attacks POL)", |b| {
        b.iter(|| ask.cell(black_box(&l.program), &baseline, "RUS", "POL").unwrap().obliged.len())
    });
    let un = l.program.group_def(l.program.group("un_members").unwrap());
    let members: Vec<&str> = un.iter().filter(|s| un.contains_on(*s, on)).map(|s| l.program.name(s)).take(20).collect();
    let pairs: Vec<(&str, &str)> =
        members.iter().flat_map(|a| members.iter().filter(move |v| *v != a).map(move |v| (*a, *v))).collect();
    group.sample_size(10);
    group.bench_function("20 x 20 UN members, parallel", |b| {
        b.iter(|| {
            pairs.par_iter().map(|(a, v)| ask.cell(&l.program, &baseline, a, v).unwrap().obliged.len()).sum::<usize>()
        })
    });
    group.finish();
}

/// The datasets of the history replay, if they are here (`CASUS_SHARED_DATA`, or
/// `../shared/data/raw`).
fn shared_data() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("CASUS_SHARED_DATA")
        .map_or_else(|| std::path::PathBuf::from("../shared/data/raw"), std::path::PathBuf::from);
    dir.join("atop_v4.01/atop-member-level.csv").is_file().then_some(dir)
}

/// The history replay's data, read into sources: members, alliances, states, country codes,
/// overrides, wars.
struct HistoryFiles {
    sources: Sources,
    ids: [FileId; 6],
}

fn history_files(dir: &std::path::Path) -> HistoryFiles {
    let mut sources = Sources::new();
    let mut add = |rel: &str| {
        let bytes = std::fs::read(dir.join(rel)).unwrap();
        sources.add(rel.to_string(), casus_history::table::decode(&bytes))
    };
    let ids = [
        add("atop_v4.01/atop-member-level.csv"),
        add("atop_v4.01/atop-alliance-level.csv"),
        add("cow_states/states2016.csv"),
        add("country_codes/codelist_without_cldr.csv"),
        add("cow_interstate_war_v4.0/Inter-StateWarData_v4.0.csv"),
        FileId(0),
    ];
    let overrides = sources.add("codes.csv", casus_history::codes::OVERRIDES);
    HistoryFiles { sources, ids: [ids[0], ids[1], ids[2], ids[3], ids[4], overrides] }
}

fn history(c: &mut Criterion) {
    use casus_history::{atop, codes::Codes, cow::Wars, replay, wars};
    let Some(dir) = shared_data() else {
        eprintln!("the datasets of the history replay are not here: the `history` group is skipped");
        return;
    };
    let HistoryFiles { sources, ids: [members, alliances, states, country_codes, war_file, overrides] } =
        history_files(&dir);
    // The library's declared parties, which the import does not declare again.
    let library = bundled();
    let known: std::collections::BTreeSet<String> = {
        let mut s = Sources::new();
        for (n, t) in &library {
            s.add(n.clone(), t.clone());
        }
        let set = casus::load_rules(&s);
        set.files
            .iter()
            .flat_map(|(_, p)| p.file.items.iter())
            .filter_map(|i| match i {
                casus_syntax::ast::Item::Party(p) => Some(p.code.name.clone()),
                _ => None,
            })
            .collect()
    };
    let curated = {
        let mut s = Sources::new();
        let id = s.add("history/curated.csv", std::fs::read_to_string("history/curated.csv").unwrap());
        let mut lib = Sources::new();
        for (n, t) in &library {
            lib.add(n.clone(), t.clone());
        }
        let program = casus::load_rules(&lib).into_program().unwrap();
        let instruments = program.instruments.iter().map(|i| i.id.clone()).collect();
        atop::crosswalk(&s, id, &instruments).unwrap()
    };
    let mut g = c.benchmark_group("history");
    g.sample_size(10);
    let mut s = sources.clone();
    let codes = Codes::read(&mut s, overrides, states, country_codes).unwrap();
    let war_data = Wars::read(&s, war_file).unwrap();
    let inputs = atop::Inputs {
        members,
        alliances,
        codes: &codes,
        wars: Some(&war_data),
        curated: &curated,
        known_parties: &known,
    };
    g.bench_function("import atop (745 alliances)", |b| {
        b.iter(|| atop::import(black_box(&s), &inputs).unwrap().files.len())
    });
    let imported = atop::import(&s, &inputs).unwrap();
    let rules = ["rules".to_string()];
    let by_hand = std::collections::BTreeMap::new();
    let settings =
        wars::Settings { file_name: "wars.csv", rules: &rules, joiners: wars::Joiners::Side, by_hand: &by_hand };
    g.bench_function("import cow-wars (95 wars)", |b| {
        b.iter(|| wars::scenarios(black_box(&war_data), &codes, &[], &settings).unwrap().files.len())
    });
    let scenarios = wars::scenarios(&war_data, &codes, &[], &settings).unwrap();
    // The library and the import as one program, as `casus check rules/ atop/` reads them.
    let mut rule_sources = Sources::new();
    for (n, t) in library.iter().cloned().chain(imported.files.clone()) {
        rule_sources.add(n, t);
    }
    g.bench_function("check the library with the import", |b| {
        b.iter(|| casus::load_rules(black_box(&rule_sources)).diagnostics.len())
    });
    let program = casus::load_rules(&rule_sources).into_program().unwrap();
    let mut war_sources = Sources::new();
    let wars_read: Vec<replay::War> = scenarios
        .files
        .iter()
        .map(|(name, text)| {
            let id = war_sources.add(name.clone(), text.clone());
            let source = war_sources.get(id).unwrap();
            let scenario = scenario::parse(id, source).unwrap();
            let lines = scenario.events.iter().map(|e| source.line_col(e.span.start).line).collect();
            replay::War { file: name.clone(), scenario, lines }
        })
        .collect();
    let by_instrument: std::collections::BTreeMap<String, u32> = curated.iter().map(|(k, v)| (v.clone(), *k)).collect();
    let alliance_set = replay::Alliances::new(&program, &by_instrument, |p| program.name(p).to_string());
    let policy = |conditions, unit| replay::Settings {
        conditions,
        unit,
        multilateral: replay::Multilateral::Strict,
        from: None,
        to: None,
        split: None,
    };
    let one = [policy(replay::Conditions::Unverified, replay::UnitKind::Pair)];
    g.bench_function("replay all wars, one policy", |b| {
        b.iter(|| {
            let rows = replay::replay_all(&program, black_box(&wars_read), &alliance_set, &one, &|_, _| None).unwrap();
            let units = replay::judge(&rows[0], &one[0]);
            replay::summarise(&units, &rows[0], wars_read.len(), alliance_set.ids.len(), &one[0]).rows
        })
    });
    let both = [
        policy(replay::Conditions::Unverified, replay::UnitKind::Pair),
        policy(replay::Conditions::AssumeMet, replay::UnitKind::Pair),
    ];
    g.bench_function("replay all wars, both policies, three units", |b| {
        b.iter(|| {
            let rows = replay::replay_all(&program, black_box(&wars_read), &alliance_set, &both, &|_, _| None).unwrap();
            let mut n = 0;
            for (rows, s) in rows.iter().zip(&both) {
                for unit in [replay::UnitKind::Pair, replay::UnitKind::Ally, replay::UnitKind::Alliance] {
                    let s = replay::Settings { unit, ..s.clone() };
                    n += replay::summarise(&replay::judge(rows, &s), rows, wars_read.len(), alliance_set.ids.len(), &s)
                        .rows;
                }
            }
            n
        })
    });
    let ww2 = wars_read.iter().find(|w| w.number() == 139).unwrap();
    g.bench_function("evaluate World War II (war 139), as given", |b| {
        b.iter(|| replay::evaluate_as_given(&program, black_box(ww2)).unwrap())
    });
    g.bench_function("evaluate World War II (war 139), both evaluations", |b| {
        b.iter(|| replay::evaluate(&program, black_box(ww2), &alliance_set).is_ok())
    });
    g.finish();
}

criterion_group!(benches, parse_and_check, reading, kursk, big_world, cascade, dense, scaling, sweep, history);
criterion_main!(benches);
