//! `casus import cow-wars` on small hand-made war files: one test per quirk of the data and per
//! rule of docs/history.md, "From a war to events". Expectations are what the rules make of the
//! rows, written out by hand.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use casus_history::codes::{self, Codes};
use casus_history::cow::Wars;
use casus_history::table::decode;
use casus_history::wars::{self, Joiners, Settings, WarImport};
use casus_syntax::diagnostic::render;
use casus_syntax::source::Sources;

mod common;
use common::{COUNTRY_CODES, STATES};

const HEADER: &str = "WarNum,WarName,WarType,ccode,StateName,Side,StartMonth1,StartDay1,StartYear1,EndMonth1,EndDay1,EndYear1,StartMonth2,StartDay2,StartYear2,EndMonth2,EndDay2,EndYear2,TransFrom,WhereFought,Initiator,Outcome,TransTo,BatDeath,Version";

/// A participation row of war 9: `ccode`, side, spell 1 (m, d, y, m, d, y), spell 2, initiator,
/// outcome.
fn row(ccode: u32, side: u8, one: [i32; 6], two: [i32; 6], initiator: u8, outcome: u8) -> String {
    let join = |s: [i32; 6]| s.iter().map(i32::to_string).collect::<Vec<_>>().join(",");
    format!("9,Test War,1,{ccode},A State,{side},{},{},-8,2,{initiator},{outcome},-8,100,4", join(one), join(two))
}

const NONE: [i32; 6] = [-8; 6];

/// The import of `rows` (with old-Mac line endings, as COW ships it), or the rendered problem.
fn import(rows: &[String], attacks: Option<&str>, joiners: Joiners) -> Result<WarImport, String> {
    import_with(rows, attacks, joiners, &std::collections::BTreeMap::new())
}

/// The same, with some wars' first days by hand.
fn import_with(
    rows: &[String],
    attacks: Option<&str>,
    joiners: Joiners,
    by_hand: &std::collections::BTreeMap<u32, wars::ByHand>,
) -> Result<WarImport, String> {
    let mut sources = Sources::new();
    let text = std::iter::once(HEADER.to_string()).chain(rows.iter().cloned()).collect::<Vec<_>>().join("\r") + "\r";
    let file = sources.add("wars.csv", decode(text.as_bytes()));
    let s = sources.add("states.csv", STATES);
    let c = sources.add("codes.csv", COUNTRY_CODES);
    let o = sources.add("overrides.csv", codes::OVERRIDES);
    let codes = Codes::read(&mut sources, o, s, c).map_err(|d| render(&d, &sources))?;
    let wars = Wars::read(&sources, file).map_err(|d| render(&d, &sources))?;
    let stated = match attacks {
        Some(text) => {
            let f = sources.add("attacks.csv", text);
            wars::read_attacks(&sources, f).map_err(|d| render(&d, &sources))?
        }
        None => Vec::new(),
    };
    let rules = ["../../rules".to_string()];
    let settings = Settings { file_name: "wars.csv", rules: &rules, joiners, by_hand };
    wars::scenarios(&wars, &codes, &stated, &settings).map_err(|d| render(&d, &sources))
}

/// The events of the one scenario, without their sources.
fn events(i: &WarImport) -> Vec<String> {
    let text = i.files.get("cow_009.ron").expect("the scenario of war 9");
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("Fact(") || l.starts_with("Act("))
        .map(|l| l.split(", source: ").next().unwrap_or(l).to_string() + ")")
        .collect()
}

fn attack(by: &str, on: &str, provoked: bool, from: &str, until: &str) -> String {
    let p = if provoked { ", \"provoked\": \"no\"" } else { "" };
    format!(
        "Fact(kind: \"armed_attack\", args: {{\"by\": \"{by}\", \"on\": \"{on}\"{p}, \"war\": \"cow_9\"}}, from: \"{from}\", until: \"{until}\")"
    )
}

fn force(p: &str, e: &str, from: &str, until: &str) -> String {
    format!(
        "Act(party: \"{p}\", action: \"use_force\", args: {{\"against\": \"{e}\"}}, from: \"{from}\", until: \"{until}\")"
    )
}

fn assist(p: &str, q: &str, e: &str, from: &str, until: &str) -> String {
    format!(
        "Act(party: \"{p}\", action: \"assist_militarily\", args: {{\"ally\": \"{q}\", \"against\": \"{e}\"}}, from: \"{from}\", until: \"{until}\")"
    )
}

#[test]
fn the_initiators_side_attacks_the_other_while_both_fight_and_initiators_unprovoked() {
    // France (side 2) begins the war; Britain joins it a month later; Russia (side 1) fights
    // throughout. COW dates are inclusive: the attack on Russia by Britain holds to 1901-06-30,
    // until the first day after.
    let i = import(
        &[
            row(220, 2, [1, 1, 1901, 6, 30, 1901], NONE, 1, 1),
            row(200, 2, [2, 1, 1901, 6, 30, 1901], NONE, 2, 1),
            row(365, 1, [1, 1, 1901, 6, 30, 1901], NONE, 2, 2),
        ],
        None,
        Joiners::Side,
    )
    .unwrap();
    let e = events(&i);
    let attacks: Vec<&String> = e.iter().filter(|x| x.starts_with("Fact(")).collect();
    assert_eq!(
        attacks,
        [
            &attack("FRA", "RUS", true, "1901-01-01", "1901-07-01"),
            &attack("GBR", "RUS", false, "1901-02-01", "1901-07-01")
        ]
    );
    // Russia uses force against both, each against Russia; the allies assist each other while
    // both fight Russia.
    for x in [
        force("RUS", "FRA", "1901-01-01", "1901-07-01"),
        force("RUS", "GBR", "1901-02-01", "1901-07-01"),
        force("FRA", "RUS", "1901-01-01", "1901-07-01"),
        force("GBR", "RUS", "1901-02-01", "1901-07-01"),
        assist("FRA", "GBR", "RUS", "1901-02-01", "1901-07-01"),
        assist("GBR", "FRA", "RUS", "1901-02-01", "1901-07-01"),
    ] {
        assert!(e.contains(&x), "{x} in {e:#?}");
    }
    assert_eq!(e.len(), 8, "{e:#?}");
    let text = i.files.get("cow_009.ron").unwrap();
    assert!(text.contains("as_of: \"1901-06-30\""), "the war's last day: {text}");
    assert!(text.contains("rules: [\"../../rules\"]"), "{text}");
    assert!(text.contains("expect: [],"), "{text}");
    assert!(text.contains("source: \"wars.csv, war 9, rows 1 and 3; WhereFought 2\""), "{text}");
}

#[test]
fn with_initiators_only_a_joiner_attacks_no_one() {
    let i = import(
        &[
            row(220, 2, [1, 1, 1901, 6, 30, 1901], NONE, 1, 1),
            row(200, 2, [2, 1, 1901, 6, 30, 1901], NONE, 2, 1),
            row(365, 1, [1, 1, 1901, 6, 30, 1901], NONE, 2, 2),
        ],
        None,
        Joiners::Initiators,
    )
    .unwrap();
    let attacks: Vec<String> = events(&i).into_iter().filter(|x| x.starts_with("Fact(")).collect();
    assert_eq!(attacks, [attack("FRA", "RUS", true, "1901-01-01", "1901-07-01")]);
}

#[test]
fn a_second_spell_is_a_participation_of_its_own() {
    // Britain fights January, stops, and comes back in May.
    let i = import(
        &[
            row(200, 1, [1, 1, 1901, 1, 31, 1901], [5, 1, 1901, 6, 30, 1901], 1, 1),
            row(365, 2, [1, 1, 1901, 6, 30, 1901], NONE, 2, 2),
        ],
        None,
        Joiners::Side,
    )
    .unwrap();
    let attacks: Vec<String> = events(&i).into_iter().filter(|x| x.starts_with("Fact(")).collect();
    assert_eq!(
        attacks,
        [
            attack("GBR", "RUS", true, "1901-01-01", "1901-02-01"),
            attack("GBR", "RUS", true, "1901-05-01", "1901-07-01")
        ]
    );
}

#[test]
fn a_state_that_changes_sides_fights_each_side_in_its_turn() {
    // Italy fights with Russia against France until March, then with France against Russia.
    let i = import(
        &[
            row(220, 1, [1, 1, 1901, 6, 30, 1901], NONE, 1, 1),
            row(365, 2, [1, 1, 1901, 6, 30, 1901], NONE, 2, 2),
            row(325, 2, [1, 1, 1901, 3, 31, 1901], NONE, 2, 8),
            row(325, 1, [4, 1, 1901, 6, 30, 1901], NONE, 2, 8),
        ],
        None,
        Joiners::Side,
    )
    .unwrap();
    let e = events(&i);
    for x in [
        attack("FRA", "ITA", true, "1901-01-01", "1901-04-01"),
        attack("ITA", "RUS", false, "1901-04-01", "1901-07-01"),
        force("ITA", "FRA", "1901-01-01", "1901-04-01"),
        force("ITA", "RUS", "1901-04-01", "1901-07-01"),
        assist("ITA", "RUS", "FRA", "1901-01-01", "1901-04-01"),
        assist("ITA", "FRA", "RUS", "1901-04-01", "1901-07-01"),
    ] {
        assert!(e.contains(&x), "{x} in {e:#?}");
    }
    // Never against itself.
    assert!(!e.iter().any(|x| x.contains("\"by\": \"ITA\", \"on\": \"ITA\"")
        || x.contains("party: \"ITA\", action: \"use_force\", args: {\"against\": \"ITA\"}")));
}

#[test]
fn unknown_days_are_filled_and_ongoing_ends_are_open() {
    let i = import(
        &[row(220, 1, [3, -9, 1901, -9, -9, -7], NONE, 1, 1), row(365, 2, [3, 15, 1901, 5, -9, 1901], NONE, 2, 2)],
        None,
        Joiners::Side,
    )
    .unwrap();
    let attacks: Vec<String> = events(&i).into_iter().filter(|x| x.starts_with("Fact(")).collect();
    // France from 1901-03-01 (start of the month), ongoing; Russia to 1901-05-31 (end of May).
    assert_eq!(attacks, [attack("FRA", "RUS", true, "1901-03-15", "1901-06-01")]);
    let filled: Vec<(&str, &str, &str)> =
        i.report.filled_dates.iter().map(|f| (f.which.as_str(), f.given.as_str(), f.read.as_str())).collect();
    assert_eq!(filled, [("start 1", "1901-03-?", "1901-03-01"), ("end 1", "1901-05-?", "1901-05-31")]);
}

#[test]
fn stated_attacks_replace_the_heuristic_for_their_war() {
    // COW makes Turkey the initiator; the maintainer states that Russia attacked Turkey.
    let rows =
        [row(640, 1, [10, 23, 1853, 3, 1, 1856], NONE, 1, 1), row(365, 2, [10, 23, 1853, 3, 1, 1856], NONE, 2, 2)];
    let i = import(&rows, Some("war,attacker,target,from,until,provoked\n9,365,640,1853-10-23,,no\n"), Joiners::Side)
        .unwrap();
    let attacks: Vec<String> = events(&i).into_iter().filter(|x| x.starts_with("Fact(")).collect();
    assert_eq!(
        attacks,
        [
            "Fact(kind: \"armed_attack\", args: {\"by\": \"RUS\", \"on\": \"TUR\", \"provoked\": \"no\", \"war\": \"cow_9\"}, from: \"1853-10-23\")"
        ]
    );
    assert_eq!(i.report.replaced, [9]);
    // The conduct is still the data's.
    assert!(events(&i).contains(&force("TUR", "RUS", "1853-10-23", "1856-03-02")));
}

#[test]
fn a_stated_attack_must_be_between_states_of_the_war() {
    let rows =
        [row(640, 1, [10, 23, 1853, 3, 1, 1856], NONE, 1, 1), row(365, 2, [10, 23, 1853, 3, 1, 1856], NONE, 2, 2)];
    let e = import(&rows, Some("war,attacker,target,from,until,provoked\n9,365,220,1853-10-23,,no\n"), Joiners::Side)
        .err()
        .unwrap_or_default();
    assert!(e.contains("ccode 220 did not fight in war 9"), "{e}");
    assert!(e.contains("attacks.csv:2:7"), "{e}");
    let e = import(&rows, Some("war,attacker,target,from,until,provoked\n9,365,640,1853-02-30,,no\n"), Joiners::Side)
        .err()
        .unwrap_or_default();
    assert!(e.contains("attacks.csv:2:11"), "{e}");
    let e = import(&rows, Some("war,attacker,target,from,until,provoked\n10,365,640,1853-10-23,,no\n"), Joiners::Side)
        .err()
        .unwrap_or_default();
    assert!(e.contains("there is no war 10"), "{e}");
}

#[test]
fn bad_rows_are_reported_where_they_are() {
    let e =
        import(&[row(220, 3, [1, 1, 1901, 6, 30, 1901], NONE, 1, 1)], None, Joiners::Side).err().unwrap_or_default();
    assert!(e.contains("`Side` should be 1 or 2, not 3"), "{e}");
    assert!(e.contains("wars.csv:2:"), "{e}");
    let e =
        import(&[row(220, 1, [2, 30, 1901, 6, 30, 1901], NONE, 1, 1)], None, Joiners::Side).err().unwrap_or_default();
    assert!(e.contains("1901-02-30 is not a day that exists"), "{e}");
    let e = import(&[row(220, 1, [6, 1, 1901, 1, 1, 1901], NONE, 1, 1)], None, Joiners::Side).err().unwrap_or_default();
    assert!(e.contains("the spell ends before it starts"), "{e}");
}

#[test]
fn a_war_s_first_days_by_hand_come_first_and_the_data_takes_over_the_day_after() {
    let mut sources = Sources::new();
    let text = r#"Scenario(title: "By hand", as_of: "1901-01-31", events: [
        Fact(kind: "armed_attack", args: {"by": "RUS", "on": "FRA"}, from: "1901-01-10", source: "a declaration"),
        Act(party: "GBR", action: "assist_militarily", args: {"ally": "FRA", "against": "RUS"}, from: "1901-01-20"),
    ])"#;
    let id = sources.add("hand.ron", text);
    let scenario = casus::scenario::parse(id, sources.get(id).unwrap()).unwrap();
    let hand = wars::hand_events(&scenario, "hand.ron").unwrap();
    assert_eq!(
        hand,
        [
            "Fact(kind: \"armed_attack\", args: {\"by\": \"RUS\", \"on\": \"FRA\"}, from: \"1901-01-10\", source: \"a declaration (by hand in hand.ron)\")",
            // The arguments in the order the scenario reader keeps them: by role name.
            "Act(party: \"GBR\", action: \"assist_militarily\", args: {\"against\": \"RUS\", \"ally\": \"FRA\"}, from: \"1901-01-20\", source: \"by hand in hand.ron\")",
        ]
    );
    // The same war from the data: France (initiator, side 1) and Britain against Russia, all of
    // the first half of 1901. By hand to 31 January, the data's events start on 1 February.
    let rows = [
        row(220, 1, [1, 1, 1901, 6, 30, 1901], NONE, 1, 1),
        row(200, 1, [1, 1, 1901, 6, 30, 1901], NONE, 2, 1),
        row(365, 2, [1, 1, 1901, 6, 30, 1901], NONE, 2, 2),
    ];
    let mut by_hand = std::collections::BTreeMap::new();
    by_hand.insert(9, wars::ByHand { file: "hand.ron".into(), events: hand, until: scenario.as_of });
    let import = import_with(&rows, None, Joiners::Side, &by_hand).unwrap();
    let e = events(&import);
    assert!(e[0].starts_with("Fact(kind: \"armed_attack\", args: {\"by\": \"RUS\", \"on\": \"FRA\"}"), "{e:#?}");
    assert!(e.contains(&attack("FRA", "RUS", true, "1901-02-01", "1901-07-01")), "{e:#?}");
    assert!(e.contains(&force("GBR", "RUS", "1901-02-01", "1901-07-01")), "{e:#?}");
    assert!(!e.iter().skip(2).any(|x| x.contains("\"1901-01-")), "nothing of the data before February: {e:#?}");
    assert_eq!(import.report.by_hand.len(), 1);
}
