//! The Correlates of War inter-state wars as scenarios: one per war, whose attacks and conduct
//! are read off the sides and dates of its participations (docs/history.md, "From a war to
//! events").
//!
//! COW says who fought on which side and when, and who began the war; not who attacked whom.
//! The side heuristic therefore has every participation on the initiators' side attack every
//! participation on the other side while both fight (`--joiners side`), or only the initiators
//! attack (`--joiners initiators`), and a maintainer's `--attacks` file replaces it for a war
//! where it misstates what happened.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use casus::calendar::Day;
use casus_syntax::diagnostic::Diagnostic;
// A RON string escapes `"` and `\\` as the rule language's strings do.
use casus_syntax::format::quoted;
use casus_syntax::source::{FileId, Sources, Span};
use serde::Serialize;

use crate::codes::{Codes, ccode_of, uncovered};
use crate::cow::{FilledDate, Participation, Wars};
use crate::table::{DataError, Table};

/// Who attacks under the side heuristic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Joiners {
    /// Everyone on the initiators' side attacks everyone on the other side.
    Side,
    /// Only the initiators attack; joiners enter through their acts and the co-belligerency
    /// `deem` of the library.
    Initiators,
}

/// An attack a maintainer states for a war (`--attacks`).
#[derive(Clone, Debug)]
pub struct Attack {
    /// The file it is stated in.
    pub file: FileId,
    /// The war.
    pub war: u32,
    /// Where the war is written.
    pub war_at: Span,
    /// Attacker and target, as ccodes, with their fields.
    pub attacker: (u32, Span),
    /// The target.
    pub target: (u32, Span),
    /// The first day.
    pub from: Day,
    /// The first day it no longer holds, if it ended.
    pub until: Option<Day>,
    /// `provoked: yes` or `no`, if the file says.
    pub provoked: Option<bool>,
    /// The row.
    pub row: usize,
}

/// Reads an `--attacks` file: `war,attacker,target,from,until,provoked`.
pub fn read_attacks(sources: &Sources, file: FileId) -> Result<Vec<Attack>, Diagnostic> {
    let t = Table::parse(sources, file, &["war", "attacker", "target", "from", "until", "provoked"])?;
    let mut out = Vec::new();
    for r in t.rows() {
        let need = |column: &str| {
            ccode_of(&t, r, column)?
                .map(|c| (c, t.span(r, column)))
                .ok_or_else(|| t.error(t.span(r, column), format!("`{column}` is missing"), "empty", None))
        };
        let (war, war_at) = need("war")?;
        let day = |column: &str| -> Result<Option<Day>, Diagnostic> {
            let text = t.text(r, column);
            if text.is_empty() {
                return Ok(None);
            }
            Day::parse(text).map(Some).map_err(|e| t.error(t.span(r, column), e, "not a day", None))
        };
        let from = day("from")?.ok_or_else(|| t.error(t.span(r, "from"), "`from` is missing".into(), "empty", None))?;
        let until = day("until")?;
        if until.is_some_and(|u| u <= from) {
            return Err(t.error(t.span(r, "until"), "`until` is not after `from`".into(), "here", None));
        }
        let provoked = match t.text(r, "provoked") {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            other => {
                return Err(t.error(
                    t.span(r, "provoked"),
                    format!("`provoked` is `yes`, `no` or empty, not `{other}`"),
                    "here",
                    None,
                ));
            }
        };
        out.push(Attack {
            file,
            war,
            war_at,
            attacker: need("attacker")?,
            target: need("target")?,
            from,
            until,
            provoked,
            row: r.number,
        });
    }
    Ok(out)
}

/// What the war import did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct WarReport {
    /// Wars written.
    pub wars: usize,
    /// Participation rows read.
    pub rows: usize,
    /// Events written: attacks and acts.
    pub attacks: usize,
    /// Acts written.
    pub acts: usize,
    /// Dates read from incomplete ones.
    pub filled_dates: Vec<FilledDate>,
    /// Wars whose attacks the `--attacks` file gave.
    pub replaced: Vec<u32>,
    /// Wars whose first days are written by hand (`--by-hand`), with the file and the last such
    /// day.
    pub by_hand: Vec<(u32, String, Day)>,
}

/// The scenarios, by file name, and the report.
#[derive(Clone, Debug, Default)]
pub struct WarImport {
    /// File name → RON text.
    pub files: BTreeMap<String, String>,
    /// The report.
    pub report: WarReport,
}

/// How to write the scenarios.
pub struct Settings<'a> {
    /// The war file's name, for the events' sources.
    pub file_name: &'a str,
    /// The rule paths each scenario names, relative to its folder.
    pub rules: &'a [String],
    /// Who attacks.
    pub joiners: Joiners,
    /// Wars whose first days are written by hand.
    pub by_hand: &'a BTreeMap<u32, ByHand>,
}

/// One spell of one participation, under one party code.
#[derive(Clone, Debug)]
struct Unit<'w> {
    p: &'w Participation,
    code: String,
    from: Day,
    until: Option<Day>,
}

/// The days both `a` and `b` cover.
fn overlap(a: (Day, Option<Day>), b: (Day, Option<Day>)) -> Option<(Day, Option<Day>)> {
    let from = a.0.max(b.0);
    let until = match (a.1, b.1) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    };
    until.is_none_or(|u| u > from).then_some((from, until))
}

/// An event before it is written: its sort key is its text without the days and the source.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Event {
    /// Facts before acts.
    act: bool,
    /// The event up to its days: `Fact(kind: ..., args: {...}`.
    text: String,
    /// Its first day.
    from: Day,
    /// The first day it no longer holds.
    until: Option<Day>,
    /// The data rows it comes from.
    rows: BTreeSet<usize>,
    /// Where fought, COW's codes.
    regions: BTreeSet<i64>,
}

/// The first days of a war written by hand (`--by-hand`): its events, as RON, and its last day;
/// the data's events take over from the day after.
#[derive(Clone, Debug)]
pub struct ByHand {
    /// The scenario's file, as shown.
    pub file: String,
    /// Its events, each one line of RON.
    pub events: Vec<String>,
    /// Its `as_of`.
    pub until: Day,
}

/// The events of a scenario written by hand, as lines of RON: facts and acts only.
pub fn hand_events(scenario: &casus::scenario::Scenario, file: &str) -> Result<Vec<String>, String> {
    use casus::scenario::EventKind;
    let args_text = |args: &casus::scenario::Args| {
        let parts: Vec<String> =
            args.iter().map(|(k, v)| format!("{}: {}", quoted(&k.value), quoted(&v.value))).collect();
        format!("{{{}}}", parts.join(", "))
    };
    let days = |from: Day, until: Option<Day>| match until {
        Some(u) => format!("from: \"{from}\", until: \"{u}\""),
        None => format!("from: \"{from}\""),
    };
    let source = |s: &Option<String>| {
        let by_hand = format!("by hand in {file}");
        quoted(&s.as_ref().map_or(by_hand.clone(), |s| format!("{s} ({by_hand})")))
    };
    let mut out = Vec::new();
    for e in &scenario.events {
        match &e.kind {
            EventKind::Fact { kind, args, from, until, source: s } => out.push(format!(
                "Fact(kind: {}, args: {}, {}, source: {})",
                quoted(&kind.value),
                args_text(args),
                days(*from, *until),
                source(s)
            )),
            EventKind::Act { party, action, args, amount, from, until, source: s } if amount.is_empty() => {
                out.push(format!(
                    "Act(party: {}, action: {}, args: {}, {}, source: {})",
                    quoted(&party.value),
                    quoted(&action.value),
                    args_text(args),
                    days(*from, *until),
                    source(s)
                ));
            }
            _ => return Err(format!("`{file}` has an event other than a fact or an act without amounts")),
        }
    }
    Ok(out)
}

/// Writes one scenario per war.
pub fn scenarios(wars: &Wars, codes: &Codes, attacks: &[Attack], settings: &Settings) -> Result<WarImport, Diagnostic> {
    let mut import = WarImport::default();
    import.report.rows = wars.rows.len();
    import.report.filled_dates = wars.filled.clone();
    let mut by_war: BTreeMap<u32, Vec<&Participation>> = BTreeMap::new();
    for p in &wars.rows {
        by_war.entry(p.war).or_default().push(p);
    }
    // Every attack stated for a war that the file does not have, or between states not in it, is
    // refused at its field.
    for a in attacks {
        let problem = |at: Span, message: String, label: &str, help: Option<String>| {
            Diagnostic::new(a.file, DataError { message, at, label: label.to_string(), help })
        };
        let Some(rows) = by_war.get(&a.war) else {
            return Err(problem(a.war_at, format!("there is no war {} in the war file", a.war), "no such war", None));
        };
        for (ccode, at) in [a.attacker, a.target] {
            if !rows.iter().any(|p| p.ccode == ccode) {
                return Err(problem(
                    at,
                    format!("ccode {ccode} did not fight in war {}", a.war),
                    "not in the war",
                    Some("an attack is between two of the war's participants".into()),
                ));
            }
        }
    }
    for (&war, rows) in &by_war {
        let mut units = Vec::new();
        for p in rows {
            for &(from, until) in &p.spells {
                let mut cuts: Vec<Day> =
                    codes.changes(p.ccode).into_iter().filter(|&d| d > from && until.is_none_or(|u| d < u)).collect();
                cuts.push(until.unwrap_or(Day(i32::MAX)));
                let mut start = from;
                for cut in cuts {
                    let Some(code) = codes.code(p.ccode, start) else {
                        return Err(uncovered(p.ccode_at.0, p.ccode_at.1, p.ccode, start));
                    };
                    let end = (cut != Day(i32::MAX)).then_some(cut);
                    units.push(Unit { p, code: code.code, from: start, until: end });
                    start = cut;
                }
            }
        }
        let stated: Vec<&Attack> = attacks.iter().filter(|a| a.war == war).collect();
        let text = scenario(war, wars, &units, &stated, codes, settings, &mut import.report);
        import.files.insert(format!("cow_{war:03}.ron"), text);
        if !stated.is_empty() {
            import.report.replaced.push(war);
        }
        if let Some(h) = settings.by_hand.get(&war) {
            import.report.by_hand.push((war, h.file.clone(), h.until));
        }
        import.report.wars += 1;
    }
    Ok(import)
}

fn scenario(
    war: u32,
    wars: &Wars,
    units: &[Unit],
    stated: &[&Attack],
    codes: &Codes,
    settings: &Settings,
    report: &mut WarReport,
) -> String {
    let name = wars.names.get(&war).cloned().unwrap_or_default();
    let tag = format!("cow_{war}");
    let initiators: BTreeSet<u8> = units.iter().filter(|u| u.p.initiator).map(|u| u.p.side).collect();
    // The initiators' side (the first, should COW name initiators on both or neither).
    let attacking = initiators.first().copied().unwrap_or(1);
    let mut events: BTreeMap<(String, Day, Option<Day>), Event> = BTreeMap::new();
    // Where the first days are written by hand, the data's events start the day after.
    let hand = settings.by_hand.get(&war);
    let after = hand.map(|h| h.until.next());
    let mut add = |act: bool, text: String, (from, until): (Day, Option<Day>), rows: &[usize], regions: &[i64]| {
        let from = after.map_or(from, |a| from.max(a));
        if until.is_some_and(|u| u <= from) {
            return;
        }
        let e = events.entry((text.clone(), from, until)).or_insert_with(|| Event {
            act,
            text,
            from,
            until,
            rows: BTreeSet::new(),
            regions: BTreeSet::new(),
        });
        e.rows.extend(rows.iter().copied());
        e.regions.extend(regions.iter().copied());
    };
    let days = |from: Day, until: Option<Day>| match until {
        Some(u) => format!("from: \"{from}\", until: \"{u}\""),
        None => format!("from: \"{from}\""),
    };
    if stated.is_empty() {
        for i in units.iter().filter(|u| u.p.side == attacking) {
            if settings.joiners == Joiners::Initiators && !i.p.initiator {
                continue;
            }
            for t in units.iter().filter(|u| u.p.side != attacking && u.code != i.code) {
                let Some((from, until)) = overlap((i.from, i.until), (t.from, t.until)) else { continue };
                let provoked = if i.p.initiator { ", \"provoked\": \"no\"" } else { "" };
                let text = format!(
                    "Fact(kind: \"armed_attack\", args: {{\"by\": \"{}\", \"on\": \"{}\"{provoked}, \"war\": \"{tag}\"}}",
                    i.code, t.code,
                );
                add(false, text, (from, until), &[i.p.row, t.p.row], &[i.p.where_fought]);
            }
        }
    } else {
        for a in stated {
            let code = |ccode: u32| codes.code(ccode, a.from).map_or_else(|| format!("ccode {ccode}"), |c| c.code);
            let provoked = match a.provoked {
                Some(true) => ", \"provoked\": \"yes\"",
                Some(false) => ", \"provoked\": \"no\"",
                None => "",
            };
            let text = format!(
                "Fact(kind: \"armed_attack\", args: {{\"by\": \"{}\", \"on\": \"{}\"{provoked}, \"war\": \"{tag}\"}}",
                code(a.attacker.0),
                code(a.target.0),
            );
            add(false, text, (a.from, a.until), &[], &[]);
        }
    }
    // Conduct: force against every enemy fought at the same time, and assistance to every state
    // on the same side against an enemy both fought at the same time.
    for p in units {
        for e in units.iter().filter(|e| e.p.side != p.p.side && e.code != p.code) {
            let Some((from, until)) = overlap((p.from, p.until), (e.from, e.until)) else { continue };
            let text =
                format!("Act(party: \"{}\", action: \"use_force\", args: {{\"against\": \"{}\"}}", p.code, e.code);
            add(true, text, (from, until), &[p.p.row, e.p.row], &[p.p.where_fought]);
            for q in units.iter().filter(|q| q.p.side == p.p.side && q.code != p.code && q.code != e.code) {
                let Some((from, until)) = overlap((from, until), (q.from, q.until)) else { continue };
                let text = format!(
                    "Act(party: \"{}\", action: \"assist_militarily\", args: {{\"ally\": \"{}\", \"against\": \"{}\"}}",
                    p.code, q.code, e.code,
                );
                add(true, text, (from, until), &[p.p.row, q.p.row, e.p.row], &[p.p.where_fought]);
            }
        }
    }
    let mut list: Vec<Event> = events.into_values().collect();
    list.sort();
    let start = units.iter().map(|u| u.from).min().unwrap_or(Day(0));
    let end = units.iter().filter_map(|u| u.until).max().map_or(start, |u| Day(u.0 - 1));
    let mut rows: Vec<usize> = units.iter().map(|u| u.p.row).collect();
    rows.sort_unstable();
    rows.dedup();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// COW war {war}, {name}: written by `casus import cow-wars` from the Correlates of War inter-state"
    );
    let _ = writeln!(out, "// war data, v4.0 ({}, rows {}; docs/history.md).", settings.file_name, list_rows(&rows));
    out.push_str("Scenario(\n");
    let _ = writeln!(out, "    title: {},", quoted(&format!("COW war {war}: {name} ({start} to {end})")));
    let rules: Vec<String> = settings.rules.iter().map(|r| quoted(r)).collect();
    let _ = writeln!(out, "    rules: [{}],", rules.join(", "));
    let _ = writeln!(out, "    as_of: \"{end}\",");
    out.push_str("    events: [\n");
    if let Some(h) = hand {
        for line in &h.events {
            let _ = writeln!(out, "        {line},");
        }
    }
    for e in &list {
        if e.act {
            report.acts += 1;
        } else {
            report.attacks += 1;
        }
        let mut source = format!("{}, war {war}", settings.file_name);
        if e.rows.is_empty() {
            source.push_str(", --attacks");
        } else {
            let rows: Vec<usize> = e.rows.iter().copied().collect();
            let _ = write!(source, ", rows {}", list_rows(&rows));
        }
        if !e.regions.is_empty() {
            let regions: Vec<String> = e.regions.iter().map(i64::to_string).collect();
            let _ = write!(source, "; WhereFought {}", regions.join(", "));
        }
        let _ = writeln!(out, "        {}, {}, source: {}),", e.text, days(e.from, e.until), quoted(&source));
    }
    out.push_str("    ],\n    expect: [],\n)\n");
    out
}

/// Rows as a list, runs of three or more as ranges: `3`, `3 and 5`, `3, 5 and 9`, `48 to 58`.
fn list_rows(rows: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &r in rows {
        match runs.last_mut() {
            Some(last) if last.1 + 1 == r => last.1 = r,
            _ => runs.push((r, r)),
        }
    }
    let mut words: Vec<String> = Vec::new();
    for (a, b) in runs {
        match b - a {
            0 => words.push(a.to_string()),
            1 => words.extend([a.to_string(), b.to_string()]),
            _ => words.push(format!("{a} to {b}")),
        }
    }
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => words.join(""),
    }
}
