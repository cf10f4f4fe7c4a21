//! The replay's verdicts on small hand-made worlds, one per cell of docs/history.md's table of
//! verdicts: the expectations follow from the table and the world, not from a run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::collections::BTreeMap;

use casus::calendar::Day;
use casus_history::replay::{
    self, Alliances, Conditions, Conduct, Multilateral, Row, Settings, UnitKind, Verdict, War,
};
use casus_syntax::source::Sources;

const VOCABULARY: &str = "
fact armed_attack(by, on, provoked, war)
fact atop_condition_met(alliance, condition, ally, against)
action assist_militarily(ally, against) includes use_force(against: Against)
action use_force(against)
action consult(with, about)
deem armed_attack(by: P, on: A) if P performs assist_militarily(ally: V, against: A) and armed_attack(by: A, on: V)
deem armed_attack(by: P, on: A) if P performs assist_militarily(ally: V, against: A) and armed_attack(by: V, on: A)
";

/// An alliance of AAA, BBB and CCC from 1900 (or `from`), with `articles`.
fn alliance(id: &str, from: &str, articles: &str) -> String {
    format!(
        "treaty {id} \"ATOP\" {{
  parties {{
    AAA signed {from} ratified {from}
    BBB signed {from} ratified {from}
    CCC signed {from} ratified {from}
  }}
  in force on {from}
{articles}
}}
"
    )
}

const DEFENSE: &str = "
  article defense \"Defence (DEFENSE)\" {
    text \"ATOP: DEFENSE = 1.\"
    if armed_attack(by: A, on: V) and V is party and A is not party
    then every party P other than V must assist_militarily(ally: V, against: A)
  }";

const OFFENSE: &str = "
  article offense \"Offence (OFFENSE)\" {
    text \"ATOP: OFFENSE = 1.\"
    if armed_attack(by: V, on: A) and V is party and A is not party
    then every party P other than V must assist_militarily(ally: V, against: A)
  }";

const NEUTRALITY: &str = "
  article neutrality \"Neutrality (NEUTRAL)\" {
    text \"ATOP: NEUTRAL = 1; NEUCOATT = 1.\"
    if armed_attack(by: A, on: V) and V is party and A is not party
    then every party P other than V must not use_force(against: V)
  }";

const NONAGG: &str = "
  article nonaggression \"Non-aggression (NONAGG)\" {
    text \"ATOP: NONAGG = 1.\"
    if armed_attack(by: _, on: V) and V is party
    then every party P other than V must not use_force(against: V)
  }";

const CONSUL: &str = "
  article consultation \"Consultation (CONSUL)\" {
    text \"ATOP: CONSUL = 1.\"
    if armed_attack(by: A, on: V) and V is party and A is not party
    then every party P other than V must consult(with: V, about: A)
  }";

const DEFENSE_LOC: &str = "
  article defense \"Defence (DEFENSE)\" {
    text \"ATOP: DEFENSE = 1; DEFCOLOC = 1.\"
    if armed_attack(by: A, on: V) and V is party and A is not party
      and atop_condition_met(alliance: atop_1, condition: defcoloc, ally: V, against: A)
    then every party P other than V must assist_militarily(ally: V, against: A)
  }";

fn settings() -> Settings {
    Settings {
        conditions: Conditions::Unverified,
        unit: UnitKind::Pair,
        multilateral: Multilateral::Strict,
        from: None,
        to: None,
        split: None,
    }
}

/// The rows of war 1 (`events`, RON) against `rules`, as of 1901-12-31.
fn rows(rules: &str, events: &str, settings: &Settings) -> Vec<Row> {
    let mut sources = Sources::new();
    sources.add("vocabulary.casus", VOCABULARY);
    sources.add("alliances.casus", rules);
    let program = casus::load_rules(&sources).into_program().unwrap_or_else(|ds| {
        panic!("{}", ds.iter().map(|d| casus_syntax::diagnostic::render(d, &sources)).collect::<String>())
    });
    let text = format!("Scenario(title: \"COW war 1: A War (1901)\", as_of: \"1901-12-31\", events: [{events}])");
    let id = sources.add("cow_001.ron", text);
    let source = sources.get(id).unwrap();
    let scenario = casus::scenario::parse(id, source).unwrap_or_else(|r| {
        panic!("{}", r.diagnostics.iter().map(|d| casus_syntax::diagnostic::render(d, &sources)).collect::<String>())
    });
    let lines = scenario.events.iter().map(|e| source.line_col(e.span.start).line).collect();
    let war = War { file: "cow_001.ron".into(), scenario, lines };
    let alliances = Alliances::new(&program, &BTreeMap::new(), |s| program.name(s).to_string());
    replay::war_rows(&program, &war, &alliances, settings, &|_, _| None).unwrap()
}

fn attack(by: &str, on: &str, from: &str) -> String {
    format!("Fact(kind: \"armed_attack\", args: {{\"by\": \"{by}\", \"on\": \"{on}\"}}, from: \"{from}\"),")
}

fn beside(p: &str, ally: &str, against: &str, from: &str) -> String {
    format!(
        "Act(party: \"{p}\", action: \"assist_militarily\", args: {{\"ally\": \"{ally}\", \"against\": \"{against}\"}}, from: \"{from}\"),"
    )
}

fn force(p: &str, against: &str, from: &str) -> String {
    format!("Act(party: \"{p}\", action: \"use_force\", args: {{\"against\": \"{against}\"}}, from: \"{from}\"),")
}

/// The verdict of each (provision, ally, bearer).
fn verdicts(rows: &[Row]) -> BTreeMap<(String, String, String), Verdict> {
    rows.iter().map(|r| ((r.provision.clone(), r.ally.clone(), r.bearer.clone()), r.verdict)).collect()
}

fn key(p: &str, ally: &str, bearer: &str) -> (String, String, String) {
    (p.to_string(), ally.to_string(), bearer.to_string())
}

#[test]
fn defence_is_honoured_by_fighting_beside_the_ally_and_not_otherwise() {
    // XXX attacks AAA; BBB fights beside it, CCC stays out.
    let events = [attack("XXX", "AAA", "1901-03-01"), beside("BBB", "AAA", "XXX", "1901-03-05")].concat();
    let rows = rows(&alliance("atop_1", "1900-01-01", DEFENSE), &events, &settings());
    let v = verdicts(&rows);
    assert_eq!(v.get(&key("defense", "AAA", "BBB")), Some(&Verdict::Honoured));
    assert_eq!(v.get(&key("defense", "AAA", "CCC")), Some(&Verdict::NotHonoured));
    // The engine agrees: BBB's duty is fulfilled, CCC's pending.
    for r in &rows {
        let fulfilled = r.engine_status.as_deref() == Some("fulfilled");
        assert_eq!(r.verdict == Verdict::Honoured, fulfilled, "{r:?}");
    }
    let bbb = rows.iter().find(|r| r.bearer == "BBB" && r.ally == "AAA").unwrap();
    assert_eq!((bbb.conduct, bbb.conduct_since), (Conduct::FoughtBeside, Some(Day::parse("1901-03-05").unwrap())));
    assert_eq!(bbb.due_since, Day::parse("1901-03-01").unwrap());
    assert_eq!(bbb.trigger, "armed_attack(by: XXX, on: AAA) at cow_001.ron:1");
    assert_eq!((bbb.adversary.as_str(), bbb.derived), ("XXX", false));
    // Fighting against the ally is not honouring it either.
    let events = [attack("XXX", "AAA", "1901-03-01"), force("CCC", "AAA", "1901-03-02")].concat();
    let v = verdicts(&rows_of(DEFENSE, &events));
    assert_eq!(v.get(&key("defense", "AAA", "CCC")), Some(&Verdict::NotHonoured));
}

fn rows_of(articles: &str, events: &str) -> Vec<Row> {
    rows(&alliance("atop_1", "1900-01-01", articles), events, &settings())
}

#[test]
fn offence_falls_due_when_the_ally_attacks() {
    let events = [attack("AAA", "XXX", "1901-03-01"), beside("BBB", "AAA", "XXX", "1901-03-01")].concat();
    let v = verdicts(&rows_of(OFFENSE, &events));
    assert_eq!(v.get(&key("offense", "AAA", "BBB")), Some(&Verdict::Honoured));
    assert_eq!(v.get(&key("offense", "AAA", "CCC")), Some(&Verdict::NotHonoured));
    // An attack on the ally gives no offence duty.
    assert!(rows_of(OFFENSE, &attack("XXX", "AAA", "1901-03-01")).is_empty());
}

#[test]
fn neutrality_is_kept_by_staying_out_or_doing_more_and_broken_by_fighting_the_ally() {
    let events = [
        attack("XXX", "AAA", "1901-03-01"),
        beside("BBB", "AAA", "XXX", "1901-03-05"),
        force("CCC", "AAA", "1901-04-01"),
    ]
    .concat();
    let rows = rows_of(NEUTRALITY, &events);
    let v = verdicts(&rows);
    assert_eq!(v.get(&key("neutrality", "AAA", "BBB")), Some(&Verdict::Honoured), "exceeded");
    assert_eq!(v.get(&key("neutrality", "AAA", "CCC")), Some(&Verdict::NotHonoured), "broken");
    let ccc = rows.iter().find(|r| r.bearer == "CCC" && r.ally == "AAA").unwrap();
    assert_eq!(ccc.engine_status.as_deref(), Some("violated"));
    // The attacker is found from the trigger, since the norm does not name it.
    assert_eq!(ccc.adversary, "XXX");
    let v = verdicts(&rows_of(NEUTRALITY, &attack("XXX", "AAA", "1901-03-01")));
    assert_eq!(v.get(&key("neutrality", "AAA", "CCC")), Some(&Verdict::Honoured), "kept");
}

#[test]
fn non_aggression_is_a_case_only_when_members_fight_and_the_first_to_attack_breaks_it() {
    // Nobody fights a member: not a case.
    let v = verdicts(&rows_of(NONAGG, &attack("XXX", "AAA", "1901-03-01")));
    assert_eq!(v.get(&key("nonaggression", "AAA", "BBB")), Some(&Verdict::NotACase));
    // BBB attacks AAA, which fights back (and BBB is at war with XXX too, so that AAA owes it
    // non-aggression).
    let events = [
        attack("BBB", "AAA", "1901-03-01"),
        attack("XXX", "BBB", "1901-03-01"),
        force("BBB", "AAA", "1901-03-01"),
        force("AAA", "BBB", "1901-03-02"),
    ]
    .concat();
    let v = verdicts(&rows_of(NONAGG, &events));
    assert_eq!(v.get(&key("nonaggression", "AAA", "BBB")), Some(&Verdict::NotHonoured), "the attacker");
    assert_eq!(v.get(&key("nonaggression", "BBB", "AAA")), Some(&Verdict::Responded), "the attacked, fighting back");
    assert_eq!(v.get(&key("nonaggression", "AAA", "CCC")), Some(&Verdict::NotACase));
}

#[test]
fn consultation_is_unobservable() {
    let v = verdicts(&rows_of(CONSUL, &attack("XXX", "AAA", "1901-03-01")));
    assert_eq!(v.get(&key("consultation", "AAA", "BBB")), Some(&Verdict::Unobservable));
}

#[test]
fn an_unverifiable_condition_is_unverified_unless_assumed_met() {
    let events = [attack("XXX", "AAA", "1901-03-01"), beside("BBB", "AAA", "XXX", "1901-03-05")].concat();
    let rules = alliance("atop_1", "1900-01-01", DEFENSE_LOC);
    let plain = rows(&rules, &events, &settings());
    let v = verdicts(&plain);
    assert_eq!(v.get(&key("defense", "AAA", "BBB")), Some(&Verdict::Unverified));
    assert_eq!(v.get(&key("defense", "AAA", "CCC")), Some(&Verdict::Unverified));
    let bbb = plain.iter().find(|r| r.bearer == "BBB").unwrap();
    assert_eq!(bbb.conditions_unverified, ["defcoloc"]);
    assert_eq!(bbb.engine_status, None, "the engine found no norm");
    let assumed = rows(&rules, &events, &Settings { conditions: Conditions::AssumeMet, ..settings() });
    let v = verdicts(&assumed);
    assert_eq!(v.get(&key("defense", "AAA", "BBB")), Some(&Verdict::Honoured));
    assert_eq!(v.get(&key("defense", "AAA", "CCC")), Some(&Verdict::NotHonoured));
    let bbb = assumed.iter().find(|r| r.bearer == "BBB").unwrap();
    assert_eq!(
        (bbb.conditions_assumed.as_slice(), bbb.conditions_unverified.len()),
        (&["defcoloc".to_string()][..], 0)
    );
    // A scenario that asserts the condition makes it due under either policy.
    let stated = events
        + "Fact(kind: \"atop_condition_met\", args: {\"alliance\": \"atop_1\", \"condition\": \"defcoloc\", \"ally\": \"AAA\", \"against\": \"XXX\"}, from: \"1901-03-01\"),";
    let v = verdicts(&rows(&rules, &stated, &settings()));
    assert_eq!(v.get(&key("defense", "AAA", "BBB")), Some(&Verdict::Honoured));
}

#[test]
fn an_alliance_concluded_during_a_war_falls_due_on_its_entry_into_force() {
    let events = [attack("XXX", "AAA", "1901-03-01"), beside("BBB", "AAA", "XXX", "1901-03-05")].concat();
    let rows = rows(&alliance("atop_1", "1901-06-01", DEFENSE), &events, &settings());
    let bbb = rows.iter().find(|r| r.bearer == "BBB").unwrap();
    assert_eq!(bbb.due_since, Day::parse("1901-06-01").unwrap());
    assert_eq!(bbb.verdict, Verdict::Honoured);
}

#[test]
fn a_pair_is_judged_by_its_strongest_provision_and_units_group_pairs() {
    // Defence and consultation fall due for the same pairs: each pair is judged under defence.
    let events = [attack("XXX", "AAA", "1901-03-01"), beside("BBB", "AAA", "XXX", "1901-03-05")].concat();
    let both = [DEFENSE, CONSUL].concat();
    let rows = rows_of(&both, &events);
    let units = replay::judge(&rows, &settings());
    let by: BTreeMap<(String, String), (Verdict, String)> = units
        .iter()
        .map(|u| ((u.ally.clone().unwrap(), u.bearer.clone().unwrap()), (u.verdict, u.provision.clone())))
        .collect();
    assert_eq!(by.get(&("AAA".into(), "BBB".into())), Some(&(Verdict::Honoured, "defense".to_string())));
    assert_eq!(by.get(&("AAA".into(), "CCC".into())), Some(&(Verdict::NotHonoured, "defense".to_string())));
    // The alliance, strict: not every member honoured it. Lenient: one did and none fought AAA.
    let strict = replay::judge(&rows, &Settings { unit: UnitKind::Alliance, ..settings() });
    assert_eq!(strict.iter().map(|u| u.verdict).collect::<Vec<_>>(), [Verdict::NotHonoured]);
    let lenient =
        replay::judge(&rows, &Settings { unit: UnitKind::Alliance, multilateral: Multilateral::Lenient, ..settings() });
    assert_eq!(lenient.iter().map(|u| u.verdict).collect::<Vec<_>>(), [Verdict::Honoured]);
    // By ally: AAA is one unit, not honoured since CCC did not.
    let ally = replay::judge(&rows, &Settings { unit: UnitKind::Ally, ..settings() });
    assert_eq!(ally.iter().map(|u| u.verdict).collect::<Vec<_>>(), [Verdict::NotHonoured]);
    // The summary's share: one honoured of two judged pairs; consultation is counted under
    // every provision of the alliance, not as a judged provision.
    let summary = replay::summarise(&units, &rows, 1, 1, &settings());
    let all = summary.periods.get("all").unwrap();
    assert_eq!(all.all.share.as_deref(), Some("0.500"));
    assert!(all.judged_provision.contains_key("defense") && !all.judged_provision.contains_key("consultation"));
    assert_eq!(all.every_provision.get("consultation").map(|t| t.counts.get("honoured").copied()), Some(Some(1)));
}

#[test]
fn the_split_divides_wars_by_their_first_day() {
    let events = [attack("XXX", "AAA", "1901-03-01"), beside("BBB", "AAA", "XXX", "1901-03-05")].concat();
    let rows = rows_of(DEFENSE, &events);
    let units = replay::judge(&rows, &settings());
    for (split, period) in [("1901-06-01", "before 1901-06-01"), ("1901-01-01", "from 1901-01-01")] {
        let s = Settings { split: Some(Day::parse(split).unwrap()), ..settings() };
        let summary = replay::summarise(&units, &rows, 1, 1, &s);
        let names: Vec<&String> = summary.periods.keys().collect();
        assert_eq!(names, ["all", period]);
        assert_eq!(summary.periods.get(period).unwrap().all.counts.get("honoured"), Some(&1));
    }
}

#[test]
fn a_norm_only_a_derived_attack_triggers_is_marked_derived() {
    // YYY assists XXX against AAA, which XXX attacked: the co-belligerency rule makes YYY attack
    // AAA too, and the defence against YYY is owed on that derived attack alone.
    let events = [attack("XXX", "AAA", "1901-03-01"), beside("YYY", "XXX", "AAA", "1901-04-01")].concat();
    let rows = rows_of(DEFENSE, &events);
    let against_yyy = rows.iter().find(|r| r.bearer == "BBB" && r.adversary == "YYY").unwrap();
    assert!(against_yyy.derived, "{against_yyy:?}");
    let against_xxx = rows.iter().find(|r| r.bearer == "BBB" && r.adversary == "XXX").unwrap();
    assert!(!against_xxx.derived);
}
