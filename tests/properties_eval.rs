//! The evaluator against the day-by-day reference of docs/semantics.md, and the invariances a meaning
//! defined day by day must have, over random small worlds.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;
mod reference;
mod worlds;

use std::collections::BTreeMap;

use casus::calendar::Day;
use casus::program::Program;
use casus::report::Report;
use casus::scenario::{self, Scenario};
use casus_syntax::source::Sources;
use proptest::prelude::*;
use serde_json::Value;
use worlds::{Shape, World, same_names};

/// 2024-01-01.
const BASE: i64 = 19723;

struct Run {
    json: String,
    reference: String,
    change_points: usize,
    assumed_days: i64,
}

/// The rule set of generated rule files, loaded as the command line loads it: generated worlds
/// are valid by construction, so a problem fails the test.
fn load(rule_files: &[String]) -> (Sources, casus::RuleSet) {
    let mut sources = Sources::new();
    for (n, text) in rule_files.iter().enumerate() {
        sources.add(format!("rules{n}.casus"), text.clone());
    }
    let set = casus::load_rules(&sources);
    if let Some(d) = set.diagnostics.iter().find(|d| d.is_error()) {
        panic!("generated rules do not check: {}\n{}", d.message(), rule_files.join("\n---\n"));
    }
    (sources, set)
}

/// Evaluates a generated scenario: generated scenarios fit their rules by construction, so a
/// problem fails the test rather than skipping the case.
fn evaluate<'p>(program: &'p Program, sources: &mut Sources, text: &str) -> (Scenario, casus::eval::Evaluation<'p>) {
    let id = sources.add("scenario.ron", text);
    let scenario = scenario::parse(id, sources.get(id).unwrap()).unwrap_or_else(|r| {
        panic!("{}\n{text}", r.diagnostics.iter().map(|d| d.message()).collect::<Vec<_>>().join("\n"))
    });
    let eval = casus::eval::evaluate(program, &scenario, scenario.as_of, scenario.assume_compliance)
        .unwrap_or_else(|ds| panic!("{}\n{text}", ds.iter().map(|d| d.message()).collect::<Vec<_>>().join("\n")));
    (scenario, eval)
}

/// Evaluates rule files and a scenario with the evaluator and with the reference.
fn run(rule_files: &[String], scenario_text: &str) -> Run {
    let (mut sources, set) = load(rule_files);
    let files: Vec<&casus_syntax::ast::File> = set.files.iter().map(|(_, p)| &p.file).collect();
    let program = set.program.clone().unwrap();
    let (scenario, eval) = evaluate(&program, &mut sources, scenario_text);
    let json = Report::new(&eval, &scenario.title).to_json();
    // The command line writes streamed reports: they must be the same text.
    assert_eq!(Report::streamed(&eval, &scenario.title).to_json(), json, "a streamed report differs");
    let built = Report::new(&eval, &scenario.title);
    let reasons = BTreeMap::new();
    for all in [false, true] {
        let (mut streamed, mut whole) = (Vec::new(), Vec::new());
        casus::report::write_text(&Report::streamed(&eval, &scenario.title), &reasons, all, &mut streamed).unwrap();
        casus::report::write_text(&built, &reasons, all, &mut whole).unwrap();
        assert_eq!(String::from_utf8(streamed).unwrap(), String::from_utf8(whole).unwrap());
    }
    let reference = reference::report(&files, &scenario, scenario.as_of, scenario.assume_compliance).to_json();
    let assumed_days = eval
        .assumed_acts()
        .map(|(_, w, _)| {
            i64::from(w.until.map_or(scenario.as_of.next(), |u| u.min(scenario.as_of.next())).0 - w.from.0)
        })
        .sum();
    Run { json, reference, change_points: eval.change_points, assumed_days }
}

/// A hand-written case: one rule file and a scenario, whose report must be the reference's; the
/// run, and its report read as JSON.
fn agreed(rules: &str, scenario: &str) -> (Run, Value) {
    let r = run(&[rules.to_string()], scenario);
    assert_eq!(r.json, r.reference);
    let report = serde_json::from_str(&r.json).unwrap();
    (r, report)
}

/// A report's only norm, as who is bound to do what, on which days; `why` says why there is one.
fn only_norm(report: &Value, why: &str) -> Value {
    let norms = report["norms"].as_array().unwrap();
    assert_eq!(norms.len(), 1, "{why}");
    let n = &norms[0];
    let fields = ["party", "modality", "action", "args", "episodes"];
    Value::Object(fields.iter().map(|&f| (f.to_string(), n[f].clone())).collect())
}

/// Evaluates `first` and then `second` with one compiled program, and `second` alone with a
/// fresh one: the reports of `second`.
fn one_program_then_fresh(rule_files: &[String], first: &str, second: &str) -> (String, String) {
    let (mut sources, set) = load(rule_files);
    let shared = set.program.unwrap();
    let (_, fresh) = load(rule_files);
    let fresh = fresh.program.unwrap();
    let mut report = |program: &Program, text: &str| {
        let (scenario, eval) = evaluate(program, &mut sources, text);
        Report::new(&eval, &scenario.title).to_json()
    };
    report(&shared, first);
    (report(&shared, second), report(&fresh, second))
}

fn texts(w: &World) -> (Vec<String>, String) {
    let names = same_names();
    (vec![w.rules(BASE, &names)], w.scenario(BASE, &names, &w.events))
}

proptest! {
    #![proptest_config(common::proptest_config(128))]

    #[test]
    fn the_evaluator_agrees_with_the_reference(w in worlds::world(Shape::FULL)) {
        let (rules, scenario) = texts(&w);
        let r = run(&rules, &scenario);
        prop_assert_eq!(&r.json, &r.reference, "rules:\n{}\nscenario:\n{}", rules[0], scenario);
    }

    #[test]
    fn caps_agree_with_the_reference(w in worlds::capped()) {
        let (rules, scenario) = texts(&w);
        let r = run(&rules, &scenario);
        prop_assert_eq!(&r.json, &r.reference, "rules:\n{}\nscenario:\n{}", rules[0], scenario);
    }

    #[test]
    fn shuffling_events_files_and_items_changes_nothing(w in worlds::world(Shape::FULL), seed in any::<u64>()) {
        let (rules, scenario) = texts(&w);
        let a = run(&rules, &scenario);
        let names = same_names();
        let mut rng = seed;
        let mut next = || { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; rng };
        let mut events = w.events.clone();
        shuffle(&mut events, &mut next);
        let mut items: Vec<String> = w.items.iter().map(|i| worlds_fill(&w, i, &names)).collect();
        shuffle(&mut items, &mut next);
        // Split the items over two files, in either order.
        let cut = (next() as usize) % (items.len() + 1);
        let files = vec![items[cut..].join("\n\n"), items[..cut].join("\n\n")];
        let b = run(&files, &w.scenario(BASE, &names, &events));
        prop_assert_eq!(a.json, b.json);
    }

    #[test]
    fn shifting_every_date_shifts_the_report(w in worlds::world(Shape::FULL), k in -4000i64..4000) {
        let names = same_names();
        let a = run(&[w.rules(BASE, &names)], &w.scenario(BASE, &names, &w.events));
        let b = run(&[w.rules(BASE + k, &names)], &w.scenario(BASE + k, &names, &w.events));
        let mut shifted: Value = serde_json::from_str(&a.json).unwrap();
        map_strings(&mut shifted, &|s| shift_date(s, k));
        prop_assert_eq!(shifted, serde_json::from_str::<Value>(&b.json).unwrap());
    }

    #[test]
    fn renaming_parties_renames_the_report(w in worlds::world(Shape::FULL)) {
        let names = same_names();
        let renamed: BTreeMap<&str, &str> = [("AAA", "ZUL"), ("BBB", "ALF"), ("CCC", "MOR"), ("DDD", "BRA")].into_iter().collect();
        let a = run(&[w.rules(BASE, &names)], &w.scenario(BASE, &names, &w.events));
        let b = run(&[w.rules(BASE, &renamed)], &w.scenario(BASE, &renamed, &w.events));
        let mut expected: Value = serde_json::from_str(&a.json).unwrap();
        map_strings(&mut expected, &|s| renamed.get(s).map_or_else(|| s.to_string(), |n| n.to_string()));
        prop_assert_eq!(canonical(expected), canonical(serde_json::from_str(&b.json).unwrap()));
    }

    #[test]
    fn without_negation_more_facts_never_remove_a_norm(w in worlds::world(Shape::MONOTONE), extra in prop::collection::vec(worlds_event(), 1..3)) {
        let names = same_names();
        let a = run(&[w.rules(BASE, &names)], &w.scenario(BASE, &names, &w.events));
        let mut events = w.events.clone();
        events.extend(extra);
        let b = run(&[w.rules(BASE, &names)], &w.scenario(BASE, &names, &events));
        let before = norm_identities(&a.json);
        let after = norm_identities(&b.json);
        for n in &before {
            prop_assert!(after.contains(n), "{n} disappeared");
        }
    }

    #[test]
    fn the_past_does_not_depend_on_the_horizon(w in worlds::world(Shape::FULL), back in 1i64..20) {
        let names = same_names();
        let late = run(&[w.rules(BASE, &names)], &w.scenario(BASE, &names, &w.events));
        let mut early_world = w.clone();
        early_world.as_of = (w.as_of - back).max(0);
        let early = run(&[early_world.rules(BASE, &names)], &early_world.scenario(BASE, &names, &w.events));
        let cut = Day((BASE + early_world.as_of) as i32);
        prop_assert_eq!(history(&early.json, cut), history(&late.json, cut));
    }

    #[test]
    fn a_program_evaluates_each_scenario_as_if_it_were_the_first(w in worlds::world(Shape::FULL), keep in 0usize..8) {
        // The program keeps what the rule files alone fix (the instruments' timelines) for
        // later evaluations; a scenario that ratifies or withdraws must not leave a trace in it.
        let (rules, second) = texts(&w);
        let some: Vec<String> = w.events.iter().take(keep).cloned().collect();
        let first = w.scenario(BASE, &same_names(), &some);
        let (after, alone) = one_program_then_fresh(&rules, &first, &second);
        prop_assert_eq!(after, alone);
        let (after, alone) = one_program_then_fresh(&rules, &second, &first);
        prop_assert_eq!(after, alone);
    }

    #[test]
    fn cascades_terminate_within_their_bound(w in worlds::world(Shape::FULL)) {
        let mut w = w;
        w.assume = true;
        let (rules, scenario) = texts(&w);
        let r = run(&rules, &scenario);
        let days = w.as_of + 80;
        // Change points are days; assumed acts are at most one per party, action and
        // arguments (four parties as ally and enemy) and day.
        prop_assert!(r.change_points as i64 <= days, "{} change points over {days} days", r.change_points);
        let bound = 4 * 4 * 16 * days;
        prop_assert!(r.assumed_days <= bound, "{} assumed act-days, bound {bound}", r.assumed_days);
    }
}

/// docs/semantics.md: an episode falls due on its first day plus the deadline; when two rules of an
/// article give the same obligation, the deadline is that of the rule that first gave it, for
/// the report and for the compliance assumption alike. Here the attack gives BBB's duty to help
/// AAA against DDD "without delay" on 1 January, and from 2 January the tension the attack leaves
/// gives the same duty again by a rule without a deadline, written first. The duty stays due on
/// 1 January and is assumed performed every day from then; from the day after the first, BBB's
/// help makes it a co-belligerent attacking DDD, which article 2 answers for as long as the help
/// goes on. (The compliance assumption once took the deadline of the lowest-numbered rule giving
/// the duty on the day, stopped performing it, and ended BBB's war on 3 January.)
#[test]
fn a_duty_two_rules_give_keeps_the_deadline_of_the_rule_that_first_gave_it() {
    let rules = "fact attack(by, on)
fact tension(by, on)
action help(ally, against)
deem tension(by: A, on: V) after 1 day if attack(by: A, on: V)
deem attack(by: P, on: A) if P performs help(ally: V, against: A) and attack(by: A, on: V)
treaty t_2024 \"Treaty\" {
  parties {
    AAA signed 2024-01-01 ratified 2024-01-01
    BBB signed 2024-01-01 ratified 2024-01-01
  }
  in force on 2024-01-01
  article 1 {
    if tension(by: A, on: V) and V is party
    then every party P other than V must help(ally: V, against: A)
    if attack(by: A, on: V) and V is party and A is not party
    then every party P other than V must help(ally: V, against: A) without delay
  }
  article 2 {
    if attack(by: A, on: V) and A is party and V is not party
    then every party P other than A must not help(ally: A, against: V)
  }
}
";
    let scenario = "Scenario(
    title: \"two rules, one duty\",
    as_of: \"2024-01-10\",
    assume_compliance: true,
    events: [
        Fact(kind: \"attack\", args: {\"by\": \"DDD\", \"on\": \"AAA\"}, from: \"2024-01-01\"),
    ],
)
";
    let (r, report) = agreed(rules, scenario);
    let norm = |party: &str, modality: &str| {
        report["norms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["party"] == party && n["modality"] == modality && n["action"] == "help")
            .unwrap()
            .clone()
    };
    let duty = norm("BBB", "must");
    assert_eq!(duty["episodes"], serde_json::json!([{ "from": "2024-01-01", "until": null, "due": "2024-01-01" }]));
    assert_eq!((duty["status"].as_str(), duty["assumed"].as_bool()), (Some("fulfilled"), Some(true)));
    // Performed every day from 1 to 10 January.
    assert_eq!(r.assumed_days, 10);
    let prohibition = norm("AAA", "must not");
    assert_eq!(prohibition["args"], serde_json::json!({ "against": "DDD", "ally": "BBB" }));
    assert_eq!(prohibition["episodes"], serde_json::json!([{ "from": "2024-01-02", "until": null, "due": null }]));
}

/// A duty that only an act by a third party sets off, as in article 2 of the Dual Alliance of
/// 1879: "Should, however, the attacking party in such a case be supported by Russia ... the
/// obligation stipulated in Article 1 ... becomes equally operative". No other rule reads the
/// act, so the rule is computed again on the days it comes and goes only because its condition
/// names an act: the duty holds from the day Russia's support starts until the day it stops.
#[test]
fn a_duty_set_off_by_a_third_party_act_holds_while_the_act_goes_on() {
    let rules = "fact armed_attack(by, on)
action assist_militarily(ally, against)
treaty dual_2024 \"Alliance\" {
  parties {
    AUH signed 2024-01-01 ratified 2024-01-01
    GMY signed 2024-01-01 ratified 2024-01-01
  }
  in force on 2024-01-01
  article 2 {
    if armed_attack(by: A, on: V) and V is party and A is not party
      and RUS performs assist_militarily(ally: A, against: V)
    then every party P other than V must assist_militarily(ally: V, against: A)
  }
}
";
    let scenario = "Scenario(
    title: \"supported by Russia\",
    as_of: \"2024-01-10\",
    events: [
        Fact(kind: \"armed_attack\", args: {\"by\": \"FRA\", \"on\": \"GMY\"}, from: \"2024-01-01\"),
        Act(party: \"RUS\", action: \"assist_militarily\", args: {\"ally\": \"FRA\", \"against\": \"GMY\"},
            from: \"2024-01-04\", until: \"2024-01-07\"),
    ],
)
";
    let (_, report) = agreed(rules, scenario);
    assert_eq!(
        only_norm(&report, "only Austria-Hungary is bound, and only to assist Germany"),
        serde_json::json!({
            "party": "AUH", "modality": "must", "action": "assist_militarily",
            "args": { "against": "FRA", "ally": "GMY" },
            "episodes": [{ "from": "2024-01-04", "until": "2024-01-07", "due": null }],
        })
    );
}

/// Co-belligerency, as the dense cascade's vocabulary has it: a state that assists V against an
/// attacker A is itself at war with A, on the days it assists. Germany attacks Russia; while
/// France assists Russia, France is at war with Germany, and Austria-Hungary, Germany's ally,
/// must assist Germany against France; when France's assistance stops, so does that duty. No norm
/// rule reads the act, so only the `deem` rule sees it go: what it derived from the act must go
/// too, though no norm rule was told of the act.
#[test]
fn a_co_belligerent_stops_being_one_when_its_assistance_stops() {
    let rules = "fact armed_attack(by, on)
action assist_militarily(ally, against)
deem armed_attack(by: P, on: A)
  if P performs assist_militarily(ally: V, against: A) and armed_attack(by: A, on: V)
treaty dual_2024 \"Alliance\" {
  parties {
    AUH signed 2024-01-01 ratified 2024-01-01
    GMY signed 2024-01-01 ratified 2024-01-01
  }
  in force on 2024-01-01
  article 1 {
    if armed_attack(by: A, on: V) and V is party and A is not party
    then every party P other than V must assist_militarily(ally: V, against: A)
  }
}
";
    let scenario = "Scenario(
    title: \"assistance that stops\",
    as_of: \"2024-01-10\",
    events: [
        Fact(kind: \"armed_attack\", args: {\"by\": \"GMY\", \"on\": \"RUS\"}, from: \"2024-01-01\"),
        Act(party: \"FRA\", action: \"assist_militarily\", args: {\"ally\": \"RUS\", \"against\": \"GMY\"},
            from: \"2024-01-03\", until: \"2024-01-06\"),
    ],
)
";
    let (_, report) = agreed(rules, scenario);
    assert_eq!(
        only_norm(&report, "Russia is no party: only Germany's ally is bound, and only against France"),
        serde_json::json!({
            "party": "AUH", "modality": "must", "action": "assist_militarily",
            "args": { "against": "FRA", "ally": "GMY" },
            "episodes": [{ "from": "2024-01-03", "until": "2024-01-06", "due": null }],
        })
    );
}

fn worlds_fill(w: &World, item: &str, names: &BTreeMap<&str, &str>) -> String {
    World { items: vec![item.to_string()], ..w.clone() }.rules(BASE, names)
}

/// One more fact or act (never a status event, which may rightly end a binding).
fn worlds_event() -> impl Strategy<Value = String> {
    worlds::fact_or_act()
}

fn shuffle<T>(v: &mut [T], next: &mut impl FnMut() -> u64) {
    for i in (1..v.len()).rev() {
        let j = (next() as usize) % (i + 1);
        v.swap(i, j);
    }
}

fn map_strings(v: &mut Value, f: &dyn Fn(&str) -> String) {
    match v {
        Value::String(s) => *s = f(s),
        Value::Array(a) => a.iter_mut().for_each(|x| map_strings(x, f)),
        Value::Object(o) => {
            let old = std::mem::take(o);
            for (k, mut x) in old {
                map_strings(&mut x, f);
                o.insert(f(&k), x);
            }
        }
        _ => {}
    }
}

fn shift_date(s: &str, k: i64) -> String {
    match Day::parse(s) {
        Ok(d) => Day(d.0 + k as i32).to_string(),
        Err(_) => s.to_string(),
    }
}

/// Sorts every array, so that reports compare as sets where a renaming reorders them.
fn canonical(v: Value) -> Value {
    match v {
        Value::Array(a) => {
            let mut items: Vec<Value> = a.into_iter().map(canonical).collect();
            items.sort_by_key(|x| x.to_string());
            Value::Array(items)
        }
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, x)| (k, canonical(x))).collect()),
        other => other,
    }
}

fn norm_identities(json: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(json).unwrap();
    v["norms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            format!(
                "{} {} {} {} {} {}",
                n["party"], n["modality"], n["action"], n["args"], n["instrument"], n["article"]
            )
        })
        .collect()
}

/// Everything in a report up to `cut`: episodes, intervals, conflicts and violations, with runs
/// still going on at `cut` left open. Statuses are left out: they are as of the horizon.
fn history(json: &str, cut: Day) -> Value {
    let mut v: Value = serde_json::from_str(json).unwrap();
    let clip = |x: &mut Value, from: &str, until: &str| -> bool {
        let Some(f) = x[from].as_str().and_then(|s| Day::parse(s).ok()) else { return true };
        if f > cut {
            return false;
        }
        if let Some(u) = x[until].as_str().and_then(|s| Day::parse(s).ok())
            && u > cut
        {
            x[until] = Value::Null;
        }
        true
    };
    if let Some(obj) = v.as_object_mut() {
        obj.remove("as_of");
    }
    for inst in v["instruments"].as_array_mut().unwrap() {
        inst["in_force"].as_array_mut().unwrap().retain_mut(|i| clip(i, "from", "until"));
        let bound = inst["bound"].as_object_mut().unwrap();
        for runs in bound.values_mut() {
            runs.as_array_mut().unwrap().retain_mut(|i| clip(i, "from", "until"));
        }
        bound.retain(|_, runs| !runs.as_array().unwrap().is_empty());
    }
    let norms = v["norms"].as_array_mut().unwrap();
    for n in norms.iter_mut() {
        n.as_object_mut().unwrap().remove("status");
        n.as_object_mut().unwrap().remove("since");
        n.as_object_mut().unwrap().remove("assumed");
        n["episodes"].as_array_mut().unwrap().retain_mut(|e| clip(e, "from", "until"));
        // A cap's deliveries up to the cut are the same; later ones are later history.
        if let Some(deliveries) = n["cap"]["deliveries"].as_array_mut() {
            deliveries.retain(|d| d["on"].as_str().and_then(|s| Day::parse(s).ok()).is_some_and(|on| on <= cut));
        }
    }
    norms.retain(|n| !n["episodes"].as_array().unwrap().is_empty());
    v["conflicts"].as_array_mut().unwrap().retain_mut(|c| clip(c, "from", "until"));
    v["violations"].as_array_mut().unwrap().retain_mut(|x| clip(x, "on", "until"));
    v
}
