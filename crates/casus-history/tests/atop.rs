//! `casus import atop` on small hand-made tables: one test per quirk of the data and per rule of
//! the mapping (docs/history.md, "From ATOP rows to rules"). The expectations are what the
//! mapping says the rows mean, written out by hand.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::collections::{BTreeMap, BTreeSet};

use casus_history::atop::{self, Import, Inputs, member_columns};
use casus_history::codes::{self, Codes};
use casus_history::cow::Wars;
use casus_history::table::decode;
use casus_syntax::diagnostic::render;
use casus_syntax::source::Sources;

mod common;
use common::{COUNTRY_CODES, STATES};

const ALLIANCES: &str = "atopid,begyr\n1,1900\n2,1900\n3,1900\n";

/// A member-level table: every column the importer reads, 0 unless `rows` says otherwise.
fn members(rows: &[&[(&str, &str)]]) -> String {
    let columns = member_columns();
    let mut out = columns.join(",") + "\n";
    for row in rows {
        let values: Vec<String> = columns
            .iter()
            .map(|c| row.iter().find(|(k, _)| k == c).map_or_else(|| "0".to_string(), |(_, v)| (*v).to_string()))
            .collect();
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out
}

/// A member of alliance 1 from `from` (y, m, d) to `to` (0 0 0: in force), with more fields.
fn row<'a>(
    atopid: &'a str,
    member: &'a str,
    from: [&'a str; 3],
    to: [&'a str; 3],
    more: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut r = vec![
        ("atopid", atopid),
        ("member", member),
        ("yrent", from[0]),
        ("moent", from[1]),
        ("dayent", from[2]),
        ("yrexit", to[0]),
        ("moexit", to[1]),
        ("dayexit", to[2]),
    ];
    r.extend_from_slice(more);
    r
}

struct Run {
    members: String,
    overrides: Option<String>,
    wars: Option<String>,
    curated: BTreeMap<u32, String>,
}

impl Run {
    fn new(rows: &[Vec<(&str, &str)>]) -> Run {
        let refs: Vec<&[(&str, &str)]> = rows.iter().map(Vec::as_slice).collect();
        Run { members: members(&refs), overrides: None, wars: None, curated: BTreeMap::new() }
    }

    /// The import, or the rendered diagnostic.
    fn go(&self) -> Result<Import, String> {
        let mut sources = Sources::new();
        let m = sources.add("members.csv", decode(self.members.as_bytes()));
        let a = sources.add("alliances.csv", ALLIANCES);
        let s = sources.add("states.csv", STATES);
        let c = sources.add("codes.csv", COUNTRY_CODES);
        let o = sources.add("overrides.csv", self.overrides.clone().unwrap_or_else(|| codes::OVERRIDES.to_string()));
        let codes = Codes::read(&mut sources, o, s, c).map_err(|d| render(&d, &sources))?;
        let wars = match &self.wars {
            Some(text) => {
                let w = sources.add("wars.csv", decode(text.as_bytes()));
                Some(Wars::read(&sources, w).map_err(|d| render(&d, &sources))?)
            }
            None => None,
        };
        let known: BTreeSet<String> = ["USA", "GBR", "FRA", "DEU", "GMY", "AUH", "ITA", "RUS", "TUR", "KOR"]
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        let inputs = Inputs {
            members: m,
            alliances: a,
            codes: &codes,
            wars: wars.as_ref(),
            curated: &self.curated,
            known_parties: &known,
        };
        atop::import(&sources, &inputs).map_err(|d| render(&d, &sources))
    }
}

fn file<'i>(import: &'i Import, name: &str) -> &'i str {
    import.files.get(name).map_or_else(|| panic!("no {name} among {:?}", import.files.keys()), String::as_str)
}

/// The text without the header comment and blank lines, each line trimmed: what the rules say.
fn body(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string).collect()
}

fn has(text: &str, line: &str) -> bool {
    body(text).iter().any(|l| l == line)
}

const DEF: (&str, &str) = ("defense", "1");

#[test]
fn a_file_with_lone_carriage_returns_and_latin_1_is_read_line_by_line() {
    let text = decode(b"a,b\rS\xe3o Tom\xe9,2\r\r");
    assert_eq!(text, "a,b\nS\u{e3}o Tom\u{e9},2\n\n");
    // A table with lone carriage returns: a bad field on its third line is reported there.
    let good = members(&[&row("1", "2", ["1900", "1", "1"], ["0", "0", "0"], &[DEF])]);
    let bad = members(&[&row("1", "x20", ["1900", "1", "1"], ["0", "0", "0"], &[])]);
    let members = good.replace('\n', "\r") + bad.lines().nth(1).unwrap_or_default();
    let run = Run { members, overrides: None, wars: None, curated: BTreeMap::new() };
    let e = run.go().err().unwrap_or_default();
    assert!(e.contains("`member` should be a whole number, not `x20`"), "{e}");
    assert!(e.contains("members.csv:3:"), "{e}");
}

#[test]
fn a_missing_entry_day_is_the_first_of_the_month_and_a_missing_exit_day_the_last() {
    let run = Run::new(&[
        row("1", "2", ["1900", "2", ""], ["1900", "2", "0"], &[DEF]),
        row("1", "200", ["1900", "2", "3"], ["1900", "2", "0"], &[DEF]),
    ]);
    let i = run.go().unwrap_or_else(|e| panic!("{e}"));
    let text = file(&i, "atop_1.casus");
    // 1900 is not a leap year: the last day bound is 1900-02-28, the first not bound 03-01.
    assert!(has(text, "USA signed 1900-02-01 ratified 1900-02-01"), "{text}");
    assert!(has(text, "in force on 1900-02-01"), "{text}");
    assert!(has(text, "terminated 1900-03-01"), "{text}");
    let filled: Vec<(&str, &str, &str)> =
        i.report.filled_dates.iter().map(|f| (f.which, f.given.as_str(), f.read.as_str())).collect();
    assert_eq!(
        filled,
        [
            ("entry", "1900-02-?", "1900-02-01"),
            ("exit", "1900-02-?", "1900-02-28"),
            ("exit", "1900-02-?", "1900-02-28")
        ]
    );
}

#[test]
fn an_exit_year_of_zero_is_in_force_at_the_end_of_the_data() {
    let i = Run::new(&[
        row("1", "2", ["1900", "1", "1"], ["0", "0", "0"], &[DEF]),
        row("1", "200", ["1900", "1", "1"], ["1910", "5", "6"], &[DEF]),
    ])
    .go()
    .unwrap_or_else(|e| panic!("{e}"));
    let text = file(&i, "atop_1.casus");
    assert!(!text.contains("terminated"), "{text}");
    // The member that leaves is bound to its exit day, and is no longer the day after.
    assert!(has(text, "GBR signed 1900-01-01 ratified 1900-01-01 left 1910-05-07"), "{text}");
    assert!(has(text, "USA signed 1900-01-01 ratified 1900-01-01"), "{text}");
}

#[test]
fn each_phase_is_an_instrument_of_its_own() {
    let i = Run::new(&[
        row("1", "2", ["1900", "1", "1"], ["1905", "1", "1"], &[DEF, ("phase", "1")]),
        row("1", "200", ["1900", "1", "1"], ["1905", "1", "1"], &[DEF, ("phase", "1")]),
        row("1", "2", ["1905", "1", "2"], ["0", "0", "0"], &[("consul", "1"), ("phase", "2")]),
        row("1", "200", ["1905", "1", "2"], ["0", "0", "0"], &[("consul", "1"), ("phase", "2")]),
    ])
    .go()
    .unwrap_or_else(|e| panic!("{e}"));
    let text = file(&i, "atop_1.casus");
    assert!(text.contains("treaty atop_1_p1 \"ATOP 1: Great Britain, United States of America (1900)\""), "{text}");
    assert!(text.contains("treaty atop_1_p2 "), "{text}");
    assert_eq!(i.report.instruments, 2);
    // The first phase defends, the second only consults.
    let p2 = text.split("treaty atop_1_p2").nth(1).unwrap_or_default();
    assert!(p2.contains("article consultation") && !p2.contains("article defense"), "{p2}");
    assert!(has(text, "terminated 1905-01-02"), "{text}");
}

#[test]
fn a_member_that_leaves_and_comes_back_has_one_record() {
    let i = Run::new(&[
        row("1", "2", ["1900", "1", "1"], ["0", "0", "0"], &[DEF]),
        row("1", "200", ["1900", "1", "1"], ["1910", "1", "1"], &[DEF]),
        row("1", "200", ["1920", "6", "1"], ["0", "0", "0"], &[DEF]),
    ])
    .go()
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(has(
        file(&i, "atop_1.casus"),
        "GBR signed 1900-01-01 ratified 1900-01-01 left 1910-01-02 acceded 1920-06-01"
    ));
    assert_eq!(i.report.members, 2);
}

#[test]
fn a_member_that_leaves_twice_is_refused_at_its_row() {
    let e = Run::new(&[
        row("1", "2", ["1900", "1", "1"], ["0", "0", "0"], &[DEF]),
        row("1", "200", ["1900", "1", "1"], ["1910", "1", "1"], &[DEF]),
        row("1", "200", ["1920", "6", "1"], ["1930", "1", "1"], &[DEF]),
    ])
    .go()
    .err()
    .unwrap_or_default();
    assert!(e.contains("GBR leaves ATOP 1 (phase 0) twice"), "{e}");
    assert!(e.contains("members.csv:4:"), "{e}");
}

#[test]
fn west_germany_then_germany_is_one_continuous_membership() {
    // NATO's rows: 260 to 1990-10-03, then 255 from the same day.
    let i = Run::new(&[
        row("1", "2", ["1949", "4", "4"], ["0", "0", "0"], &[DEF]),
        row("1", "260", ["1955", "5", "6"], ["1990", "10", "3"], &[DEF]),
        row("1", "255", ["1990", "10", "3"], ["0", "0", "0"], &[DEF]),
    ])
    .go()
    .unwrap_or_else(|e| panic!("{e}"));
    let text = file(&i, "atop_1.casus");
    assert!(has(text, "DEU signed 1955-05-06 ratified 1955-05-06"), "{text}");
    assert_eq!(body(text).iter().filter(|l| l.starts_with("DEU ")).count(), 1, "{text}");
    let used: Vec<(u32, &str)> = i.report.overrides_used.iter().map(|o| (o.ccode, o.code.as_str())).collect();
    assert_eq!(used, [(255, "DEU"), (260, "DEU")]);
}

#[test]
fn a_ccode_whose_code_changes_during_a_membership_is_cut_there() {
    // Prussia's membership from 1900 runs into 1990's united Germany only through the overrides'
    // days: 255 is GMY to 1945-05-08, DEU from 1945-05-09.
    let i = Run::new(&[
        row("1", "2", ["1900", "1", "1"], ["0", "0", "0"], &[DEF]),
        row("1", "255", ["1940", "1", "1"], ["1950", "1", "1"], &[DEF]),
    ])
    .go()
    .unwrap_or_else(|e| panic!("{e}"));
    let text = file(&i, "atop_1.casus");
    assert!(has(text, "GMY signed 1940-01-01 ratified 1940-01-01 left 1945-05-09"), "{text}");
    assert!(has(text, "DEU signed 1945-05-09 ratified 1945-05-09 left 1950-01-02"), "{text}");
}

#[test]
fn a_state_outside_the_cow_list_gets_its_override_and_a_declaration() {
    let i = Run::new(&[
        row("1", "8152", ["1900", "1", "1"], ["0", "0", "0"], &[DEF]),
        row("1", "245", ["1900", "1", "1"], ["0", "0", "0"], &[DEF]),
    ])
    .go()
    .unwrap_or_else(|e| panic!("{e}"));
    let parties = file(&i, "atop_parties.casus");
    assert!(has(parties, "party ANM \"Annam (COW 8152)\""), "{parties}");
    // Bavaria has no ISO code: its COW abbreviation.
    assert!(has(parties, "party BAV \"Bavaria (COW 245)\""), "{parties}");
    assert!(file(&i, "atop_1.casus").contains("ATOP 1: Annam, Bavaria (1900)"));
    // Every state of the lists that the library lacks is declared, whether it is in an alliance
    // or not (the war scenarios name them too): here the library knows ten.
    assert_eq!(i.report.declared_parties, ["ANM", "BAV", "CSK", "DDR", "KEM", "SRB"]);
}

#[test]
fn two_ccodes_that_would_share_a_code_are_refused() {
    // Without the override that makes 730 the Korean Empire's KEM, COW's KOR for it collides
    // with ISO's KOR for the Republic of Korea (732).
    let mut run = Run::new(&[
        row("1", "730", ["1900", "1", "1"], ["0", "0", "0"], &[DEF]),
        row("1", "2", ["1900", "1", "1"], ["0", "0", "0"], &[DEF]),
        row("2", "732", ["1960", "1", "1"], ["0", "0", "0"], &[DEF]),
        row("2", "2", ["1960", "1", "1"], ["0", "0", "0"], &[DEF]),
    ]);
    assert!(run.go().is_ok(), "with the shipped overrides, 730 is KEM");
    run.overrides = Some(codes::OVERRIDES.lines().filter(|l| !l.starts_with("730,")).collect::<Vec<_>>().join("\n"));
    let e = run.go().err().unwrap_or_default();
    assert!(e.contains("ccodes 730 and 732 would both be written `KOR`"), "{e}");
}

#[test]
fn an_unknown_ccode_in_the_overrides_is_refused_at_its_field() {
    let mut run = Run::new(&[row("1", "2", ["1900", "1", "1"], ["0", "0", "0"], &[DEF])]);
    run.overrides = Some("ccode,from,until,code,why\n9999,,,ZZZ,a state no list has\n".into());
    let e = run.go().err().unwrap_or_default();
    assert!(e.contains("ccode 9999 is in neither the COW state list nor the country codes"), "{e}");
    assert!(e.contains("overrides.csv:2:1"), "{e}");
}

#[test]
fn a_provision_not_everyone_holds_gets_one_rule_per_bearer() {
    let i = Run::new(&[
        row("1", "2", ["1900", "1", "1"], ["0", "0", "0"], &[DEF, ("consul", "1")]),
        row("1", "200", ["1900", "1", "1"], ["0", "0", "0"], &[DEF, ("consul", "1")]),
        row("1", "220", ["1900", "1", "1"], ["0", "0", "0"], &[("consul", "1")]),
    ])
    .go()
    .unwrap_or_else(|e| panic!("{e}"));
    let text = file(&i, "atop_1.casus");
    let lines = body(text);
    let line = |s: &str| lines.iter().any(|l| l == s);
    assert!(line("text \"ATOP: DEFENSE = 1 for 2 and 200.\""), "{text}");
    assert!(line("text \"ATOP: CONSUL = 1 for all members.\""), "{text}");
    for bearer in ["GBR", "USA"] {
        assert!(line(&format!("and V != {bearer}")) || text.contains(&format!("and V != {bearer}\n")), "{text}");
        assert!(line(&format!("then {bearer} must assist_militarily(ally: V, against: A)")), "{text}");
    }
    assert!(!text.contains("then FRA must assist"), "France holds no defence: {text}");
    assert!(line("then every party P other than V must consult(with: V, about: A)"), "{text}");
}

#[test]
fn a_bearer_with_one_possible_ally_names_it() {
    // A bilateral neutrality only France holds: France owes it to the other member.
    let i = Run::new(&[
        row("1", "220", ["1900", "1", "1"], ["0", "0", "0"], &[("neutral", "1"), ("neucoatt", "1")]),
        row("1", "300", ["1900", "1", "1"], ["0", "0", "0"], &[]),
    ])
    .go()
    .unwrap_or_else(|e| panic!("{e}"));
    let text = file(&i, "atop_1.casus");
    assert!(text.contains("if armed_attack(by: A, on: AUH) and A is not party\n"), "{text}");
    assert!(has(text, "then FRA must not use_force(against: AUH)"), "{text}");
    // The title names the member bound by more provisions first.
    assert!(text.contains("\"ATOP 1: France, Austria-Hungary (1900)\""), "{text}");
}

/// The one article of a provision held by two members with `flags` set, and what the import
/// reported unverifiable.
fn article_with(provision: &str, flags: &[(&str, &str)]) -> (String, Vec<String>) {
    let mut more = vec![(provision, "1")];
    more.extend_from_slice(flags);
    let i = Run::new(&[
        row("1", "2", ["1900", "1", "1"], ["0", "0", "0"], &more),
        row("1", "200", ["1900", "1", "1"], ["0", "0", "0"], &more),
    ])
    .go()
    .unwrap_or_else(|e| panic!("{e}"));
    let unverifiable = i.report.unverifiable.iter().map(|u| u.condition.clone()).collect();
    (file(&i, "atop_1.casus").to_string(), unverifiable)
}

#[test]
fn each_condition_flag_has_its_encoding() {
    // Named adversaries: a group of them.
    let (t, u) = article_with("defense", &[("defcoadv", "1"), ("statthr1", "365"), ("statthr2", "640")]);
    assert!(t.contains("and A in atop_1_adversaries"), "{t}");
    assert!(has(&t, "group atop_1_adversaries = [RUS, TUR]"), "{t}");
    assert!(t.contains("DEFCOADV = 1, STATTHR1 = 365, STATTHR2 = 640"), "{t}");
    assert!(u.is_empty());
    // Adversaries, none named: unverifiable.
    let (t, u) = article_with("defense", &[("defcoadv", "1")]);
    assert!(t.contains("atop_condition_met(alliance: atop_1, condition: defcoadv, ally: V, against: A)"), "{t}");
    assert_eq!(u, ["defcoadv"]);
    // A number of attackers: a second attack by another non-member.
    let (t, _) = article_with("defense", &[("defconum", "1")]);
    assert!(t.contains("armed_attack(by: B, on: V) and B != A and B is not party"), "{t}");
    // Unprovoked attacks only.
    let (t, _) = article_with("defense", &[("defconpr", "1")]);
    assert!(t.contains("armed_attack(by: A, on: V, provoked: no)"), "{t}");
    // Place, regime, request: unverifiable, each named after its column.
    for (p, flag) in [("defense", "defcoloc"), ("offense", "offcodem"), ("consul", "concoreq"), ("neutral", "neucoloc")]
    {
        let (t, u) = article_with(p, &[(flag, "1")]);
        assert!(t.contains(&format!("condition: {flag}, ally: V, against: A)")), "{t}");
        assert_eq!(u, [flag]);
    }
    // Offence: the ally attacks.
    let (t, _) = article_with("offense", &[]);
    assert!(t.contains("if armed_attack(by: V, on: A) and V is party and A is not party"), "{t}");
    // Neutrality, conditional on an attack on the ally: one trigger; else both directions.
    let (t, _) = article_with("neutral", &[("neucoatt", "1")]);
    assert_eq!(t.matches("then every party P other than V must not use_force(against: V)").count(), 1, "{t}");
    let (t, _) = article_with("neutral", &[]);
    assert!(t.contains("armed_attack(by: A, on: V)") && t.contains("armed_attack(by: V, on: A)"), "{t}");
    assert_eq!(t.matches("then every party P other than V must not use_force(against: V)").count(), 2, "{t}");
    // Non-aggression: any attack on a member, members included.
    let (t, _) = article_with("nonagg", &[]);
    assert!(has(&t, "if armed_attack(by: _, on: V) and V is party"), "{t}");
}

/// A COW war file with old-Mac line endings: war 7 in 1901, each state `(ccode, side, initiator)`.
fn wars(states: &[(u32, u8, u8)]) -> String {
    let mut out = String::from(
        "WarNum,WarName,WarType,ccode,StateName,Side,StartMonth1,StartDay1,StartYear1,EndMonth1,EndDay1,EndYear1,\
         StartMonth2,StartDay2,StartYear2,EndMonth2,EndDay2,EndYear2,TransFrom,WhereFought,Initiator,Outcome,TransTo,BatDeath,Version\r",
    );
    for (ccode, side, initiator) in states {
        out.push_str(&format!(
            "7,A War,1,{ccode},A State,{side},1,1,1901,6,30,1901,-8,-8,-8,-8,-8,-8,-8,2,{initiator},1,-8,1000,4\r"
        ));
    }
    out
}

#[test]
fn a_conflict_condition_names_its_war_only_when_the_wars_show_it() {
    let rows = [
        row(
            "1",
            "2",
            ["1900", "1", "1"],
            ["0", "0", "0"],
            &[DEF, ("defcocon", "1"), ("wartime", "1"), ("cowwar", "7")],
        ),
        row("1", "200", ["1900", "1", "1"], ["0", "0", "0"], &[DEF, ("defcocon", "1"), ("wartime", "1")]),
    ];
    let mut run = Run::new(&rows);
    // Without the wars, the condition cannot be checked.
    let i = run.go().unwrap_or_else(|e| panic!("{e}"));
    assert!(file(&i, "atop_1.casus").contains("condition: defcocon"));
    // War 7: the United States fought Russia, a state outside the alliance.
    run.wars = Some(wars(&[(2, 1, 1), (365, 2, 2)]));
    let i = run.go().unwrap_or_else(|e| panic!("{e}"));
    let t = file(&i, "atop_1.casus");
    assert!(t.contains("armed_attack(by: A, on: V, war: cow_7)"), "{t}");
    assert!(t.contains("DEFCOCON = 1, COWWAR = 7."), "{t}");
    assert!(!t.contains("condition: defcocon"), "{t}");
    // A war in which the members fought only each other ties nothing.
    run.wars = Some(wars(&[(2, 1, 1), (200, 2, 2)]));
    let i = run.go().unwrap_or_else(|e| panic!("{e}"));
    assert!(file(&i, "atop_1.casus").contains("condition: defcocon"));
}

#[test]
fn adversaries_named_for_several_provisions_are_flagged_for_a_maintainer() {
    let flags = [DEF, ("neutral", "1"), ("neucoatt", "1"), ("defcoadv", "1"), ("neucoadv", "1"), ("statthr1", "365")];
    let i = Run::new(&[
        row("1", "2", ["1900", "1", "1"], ["0", "0", "0"], &flags),
        row("1", "200", ["1900", "1", "1"], ["0", "0", "0"], &flags),
    ])
    .go()
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(i.report.adversary_names_shared, ["atop_1"]);
    let t = file(&i, "atop_1.casus");
    assert_eq!(t.matches("and A in atop_1_adversaries").count(), 2, "both provisions get the names: {t}");
}

#[test]
fn a_curated_alliance_is_not_imported_and_its_rows_are_counted() {
    let mut run = Run::new(&[
        row("1", "2", ["1900", "1", "1"], ["0", "0", "0"], &[DEF]),
        row("1", "200", ["1900", "1", "1"], ["0", "0", "0"], &[DEF]),
        row("2", "2", ["1900", "1", "1"], ["0", "0", "0"], &[DEF]),
        row("2", "220", ["1900", "1", "1"], ["0", "0", "0"], &[DEF]),
    ]);
    run.curated.insert(1, "by_hand".into());
    let i = run.go().unwrap_or_else(|e| panic!("{e}"));
    assert!(!i.files.contains_key("atop_1.casus"));
    assert!(i.files.contains_key("atop_2.casus"));
    assert_eq!((i.report.rows.read, i.report.rows.imported, i.report.rows.curated), (4, 2, 2));
}

#[test]
fn bad_values_are_reported_at_their_field() {
    let bad = |field: &'static str, value: &'static str| {
        let mut r = row("1", "2", ["1866", "2", "3"], ["0", "0", "0"], &[DEF]);
        r.retain(|(k, _)| *k != field);
        r.push((field, value));
        Run::new(&[r]).go().err().unwrap_or_default()
    };
    let e = bad("dayent", "30");
    assert!(e.contains("1866-02-30 is not a day that exists"), "{e}");
    assert!(e.contains("members.csv:2:"), "{e}");
    let e = bad("member", "abc");
    assert!(e.contains("`member` should be a whole number, not `abc`"), "{e}");
    let e = bad("defense", "2");
    assert!(e.contains("`defense` should be 0 or 1, not 2"), "{e}");
    // A row cut short.
    let text = members(&[&row("1", "2", ["1900", "1", "1"], ["0", "0", "0"], &[DEF])]);
    let cut = text.get(..text.len() - 20).unwrap_or_default().to_string();
    let e = Run { members: cut, overrides: None, wars: None, curated: BTreeMap::new() }.go().err().unwrap_or_default();
    assert!(e.contains("it is cut short"), "{e}");
    assert!(e.contains("members.csv:2:"), "{e}");
    // A header without a column the importer reads.
    let text = members(&[]).replace(",neucoatt", "");
    let e = Run { members: text, overrides: None, wars: None, curated: BTreeMap::new() }.go().err().unwrap_or_default();
    assert!(e.contains("the header has no column `neucoatt`"), "{e}");
    assert!(e.contains("members.csv:1:"), "{e}");
}

#[test]
fn a_crosswalk_names_alliances_by_number_and_instruments_of_the_library() {
    let library: BTreeSet<String> = ["nato_1949", "rio_1947"].into_iter().map(String::from).collect();
    let read = |text: &str| {
        let mut sources = Sources::new();
        let file = sources.add("curated.csv", text);
        atop::crosswalk(&sources, file, &library).map_err(|d| render(&d, &sources))
    };
    let ok = read("atopid,instrument,note\n3180,nato_1949,\n2065,rio_1947,the Rio treaty\n").unwrap();
    assert_eq!(ok, BTreeMap::from([(2065, "rio_1947".to_string()), (3180, "nato_1949".to_string())]));
    // An atopid is an alliance's number, not a country code.
    let e = read("atopid,instrument\n-3,nato_1949\n").unwrap_err();
    assert!(e.contains("`atopid` should be an ATOP alliance number, not -3") && e.contains("curated.csv:2:1"), "{e}");
    let e = read("atopid,instrument\n3180,nato_1949\n3180,rio_1947\n").unwrap_err();
    assert!(e.contains("ATOP 3180 is in the crosswalk twice") && e.contains("curated.csv:3:1"), "{e}");
    let e = read("atopid,instrument\n3180,seato_1954\n").unwrap_err();
    assert!(e.contains("the library has no instrument `seato_1954`") && e.contains("curated.csv:2:6"), "{e}");
}
