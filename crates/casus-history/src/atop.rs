//! The ATOP alliances as rules: one instrument per alliance phase, one article per provision a
//! member holds, each rule's condition from the provision's condition flags (docs/history.md,
//! "From ATOP rows to rules").

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use casus::calendar::Day;
use casus_syntax::diagnostic::Diagnostic;
use casus_syntax::source::{FileId, Sources, Span};
use serde::Serialize;

use crate::codes::{Codes, Origin, ccode_of, uncovered};
use crate::cow::Wars;
use crate::table::{Row, Table};

/// The provisions casus reads, in the order of their strength (DESIGN of the replay: offence
/// and defence before neutrality, non-aggression and consultation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Provision {
    /// DEFENSE: assist an ally that is attacked.
    Defense,
    /// OFFENSE: assist an ally that attacks.
    Offense,
    /// NEUTRAL: not use force against an ally at war.
    Neutrality,
    /// NONAGG: not use force against a member.
    Nonaggression,
    /// CONSUL: consult an ally that is attacked.
    Consultation,
}

/// Every provision, in order.
pub const PROVISIONS: [Provision; 5] =
    [Provision::Defense, Provision::Offense, Provision::Neutrality, Provision::Nonaggression, Provision::Consultation];

/// The condition flags, in the order they are written, by the suffix of their column.
const FLAGS: [&str; 8] = ["coadv", "coloc", "cocon", "conum", "codem", "conpr", "coatt", "coreq"];

impl Provision {
    /// The ATOP column.
    pub fn column(self) -> &'static str {
        match self {
            Provision::Defense => "defense",
            Provision::Offense => "offense",
            Provision::Neutrality => "neutral",
            Provision::Nonaggression => "nonagg",
            Provision::Consultation => "consul",
        }
    }

    /// The article's id.
    pub fn article(self) -> &'static str {
        match self {
            Provision::Defense => "defense",
            Provision::Offense => "offense",
            Provision::Neutrality => "neutrality",
            Provision::Nonaggression => "nonaggression",
            Provision::Consultation => "consultation",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Provision::Defense => "Defence (DEFENSE)",
            Provision::Offense => "Offence (OFFENSE)",
            Provision::Neutrality => "Neutrality (NEUTRAL)",
            Provision::Nonaggression => "Non-aggression (NONAGG)",
            Provision::Consultation => "Consultation (CONSUL)",
        }
    }

    /// The provision an imported article's id names.
    pub fn of_article(id: &str) -> Option<Provision> {
        PROVISIONS.into_iter().find(|p| p.article() == id)
    }

    /// The prefix of its condition columns (`def`, `neu`, ...; none for non-aggression).
    pub fn prefix(self) -> &'static str {
        self.flags().0
    }

    /// The condition columns of the provision: their prefix and the flags it has.
    fn flags(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Provision::Defense => ("def", &["coadv", "coloc", "cocon", "conum", "codem", "conpr"]),
            Provision::Offense => ("off", &["coadv", "coloc", "cocon", "conum", "codem"]),
            Provision::Neutrality => ("neu", &["coadv", "coloc", "cocon", "conum", "codem", "conpr", "coatt"]),
            Provision::Nonaggression => ("", &[]),
            Provision::Consultation => ("con", &["coadv", "coloc", "cocon", "coreq"]),
        }
    }
}

/// The columns of the member-level file that the importer reads.
pub fn member_columns() -> Vec<String> {
    let mut c: Vec<String> = [
        "atopid", "member", "yrent", "moent", "dayent", "yrexit", "moexit", "dayexit", "phase", "wartime", "cowwar",
        "statthr1", "statthr2",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    for p in PROVISIONS {
        c.push(p.column().to_string());
        let (prefix, flags) = p.flags();
        c.extend(flags.iter().map(|f| format!("{prefix}{f}")));
    }
    c
}

/// One member row: what one member promises in one phase of one alliance, over its days.
#[derive(Clone, Debug)]
struct Member {
    /// The data row's number.
    row: usize,
    atopid: u32,
    ccode: u32,
    member_at: Span,
    /// The first day bound.
    entry: Day,
    /// The first day no longer bound; `None` while in force at the end of the data.
    until: Option<Day>,
    phase: u32,
    wartime: bool,
    cowwar: u32,
    /// The provisions held, each with its condition flags that are set.
    holds: BTreeMap<Provision, BTreeSet<&'static str>>,
    /// The states named as threats (STATTHR1, STATTHR2), with their fields.
    threats: Vec<(u32, Span)>,
}

/// A date ATOP gives in part, and the day it was read as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FilledDate {
    /// The alliance.
    pub atopid: u32,
    /// The member.
    pub ccode: u32,
    /// The data row.
    pub row: usize,
    /// `entry` or `exit`.
    pub which: &'static str,
    /// As ATOP gives it, `?` for what is missing.
    pub given: String,
    /// As read.
    pub read: String,
}

/// A party code that an override gave.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct OverrideUse {
    /// The alliance.
    pub atopid: u32,
    /// The ccode.
    pub ccode: u32,
    /// The code written.
    pub code: String,
    /// The override's row in the overrides file.
    pub override_row: usize,
}

/// A condition the data cannot check, as the rules write it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Unverifiable {
    /// The alliance.
    pub atopid: u32,
    /// The phase.
    pub phase: u32,
    /// The provision.
    pub provision: Provision,
    /// The flag, as `atop_condition_met` names it (`defcoloc`).
    pub condition: String,
}

/// An alliance left to a hand-written instrument.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Curated {
    /// The alliance.
    pub atopid: u32,
    /// The library's instrument that stands for it.
    pub instrument: String,
    /// Its member rows, not imported.
    pub rows: usize,
}

/// Where the member rows went.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RowCounts {
    /// Read.
    pub read: usize,
    /// In an instrument written.
    pub imported: usize,
    /// Of a curated alliance.
    pub curated: usize,
}

/// What an import did, for `--report`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    /// Alliances read (curated ones included).
    pub alliances: usize,
    /// Instruments written, one per alliance phase.
    pub instruments: usize,
    /// Party records written.
    pub members: usize,
    /// Articles written, one per provision an instrument's members hold.
    pub provisions: usize,
    /// The member rows, and where they went.
    pub rows: RowCounts,
    /// Every date read from an incomplete one.
    pub filled_dates: Vec<FilledDate>,
    /// Every party code that an override gave.
    pub overrides_used: Vec<OverrideUse>,
    /// Every condition written as `atop_condition_met`.
    pub unverifiable: Vec<Unverifiable>,
    /// Instruments where several provisions name adversaries: ATOP's STATTHR columns do not
    /// say which provision the names belong to, so every such provision gets them all.
    pub adversary_names_shared: Vec<String>,
    /// Alliances left to the library's instruments.
    pub curated: Vec<Curated>,
    /// Codes the library does not declare, declared in `atop_parties.casus`.
    pub declared_parties: Vec<String>,
}

/// What the importer reads.
pub struct Inputs<'a> {
    /// `atop-member-level.csv`, among the sources.
    pub members: FileId,
    /// `atop-alliance-level.csv`, for the years of the titles.
    pub alliances: FileId,
    /// The party codes.
    pub codes: &'a Codes,
    /// The COW wars, for conditions tied to a war (`--wars`).
    pub wars: Option<&'a Wars>,
    /// `atopid → instrument` for the alliances the library has by hand (`--curated`).
    pub curated: &'a BTreeMap<u32, String>,
    /// The party codes the library declares.
    pub known_parties: &'a BTreeSet<String>,
}

/// The files an import writes, by name, and its report.
#[derive(Clone, Debug, Default)]
pub struct Import {
    /// File name → text, before the formatter's layout.
    pub files: BTreeMap<String, String>,
    /// The report.
    pub report: ImportReport,
}

/// The support file: the fact the generated rules use for conditions the data cannot check.
pub const SUPPORT: &str = "\
# The vocabulary the imported ATOP alliances add to the library's (docs/history.md).

# A condition of an ATOP provision that the data cannot check (a place, a conflict, a regime, a
# request) holds for an ally against an adversary: asserted by a scenario, or by `casus replay
# --conditions assume-met` for every attack that would otherwise trigger the provision.
fact atop_condition_met(alliance, condition, ally, against)
";

/// Imports the ATOP member rows as rule files.
pub fn import(sources: &Sources, inputs: &Inputs) -> Result<Import, Diagnostic> {
    let columns = member_columns();
    let required: Vec<&str> = columns.iter().map(String::as_str).collect();
    let t = Table::parse(sources, inputs.members, &required)?;
    let years = alliance_years(sources, inputs.alliances)?;
    let mut report = ImportReport::default();
    let mut members = Vec::new();
    for r in t.rows() {
        members.push(member(&t, r, &mut report)?);
    }
    report.rows.read = members.len();
    let mut alliances: BTreeMap<u32, BTreeMap<u32, Vec<Member>>> = BTreeMap::new();
    for m in members {
        alliances.entry(m.atopid).or_default().entry(m.phase).or_default().push(m);
    }
    report.alliances = alliances.len();
    // Every state the lists know is checked for collisions, and declared if the library does
    // not declare it, so that the war scenarios can name every state that fought.
    let ccodes = inputs.codes.ccodes();
    if let Some((a, b, code)) = inputs.codes.collision(&ccodes) {
        let at = alliances
            .values()
            .flat_map(|p| p.values().flatten())
            .find(|m| m.ccode == b || m.ccode == a)
            .map_or(Span::new(0, 0), |m| m.member_at);
        return Err(t.error(
            at,
            format!("ccodes {a} and {b} would both be written `{code}`"),
            "one of them",
            Some("give one of them another code with an override (--codes)".into()),
        ));
    }
    let mut files = BTreeMap::new();
    for (&atopid, phases) in &alliances {
        if let Some(instrument) = inputs.curated.get(&atopid) {
            let rows = phases.values().map(Vec::len).sum();
            report.rows.curated += rows;
            report.curated.push(Curated { atopid, instrument: instrument.clone(), rows });
            continue;
        }
        let mut text = String::new();
        for (&phase, rows) in phases {
            let year = years
                .get(&atopid)
                .copied()
                .unwrap_or_else(|| rows.iter().map(|m| m.entry.date().year()).min().unwrap_or(0));
            let written = Phase::new(&t, inputs, atopid, phase, rows, &mut report)?;
            if !text.is_empty() {
                text.push('\n');
            }
            written.write(&mut text, year, inputs, &mut report);
            report.rows.imported += rows.len();
        }
        files.insert(format!("atop_{atopid}.casus"), text);
    }
    files.insert("atop_support.casus".into(), SUPPORT.into());
    let undeclared: BTreeMap<String, u32> =
        inputs.codes.every_code().into_iter().filter(|(code, _)| !inputs.known_parties.contains(code)).collect();
    if !undeclared.is_empty() {
        let mut text = String::from(
            "# The states of the Correlates of War list that the library does not declare, under the codes\n\
             # docs/history.md gives them (COW abbreviations where ISO 3166 has none): the imported\n\
             # alliances and the war scenarios name them.\n\n",
        );
        for (code, ccode) in &undeclared {
            let name = inputs.codes.cow_name(*ccode).map_or_else(|| inputs.codes.name(*ccode, Day(0)), str::to_string);
            let _ = writeln!(text, "party {code} {}", casus_syntax::format::quoted(&format!("{name} (COW {ccode})")));
        }
        files.insert("atop_parties.casus".into(), text);
        report.declared_parties = undeclared.into_keys().collect();
    }
    report.overrides_used.sort();
    report.overrides_used.dedup();
    report.unverifiable.sort();
    report.unverifiable.dedup();
    Ok(Import { files, report })
}

/// A crosswalk (`atopid,instrument`, more columns allowed): the library's instruments that
/// stand for ATOP alliances, by atopid. Each must be one of `library`'s instruments.
pub fn crosswalk(
    sources: &Sources,
    file: FileId,
    library: &BTreeSet<String>,
) -> Result<BTreeMap<u32, String>, Diagnostic> {
    let t = Table::parse(sources, file, &["atopid", "instrument"])?;
    let mut out = BTreeMap::new();
    for r in t.rows() {
        let Some(id) = t.positive(r, "atopid", "an ATOP alliance number")? else {
            return Err(t.error(t.span(r, "atopid"), "the atopid is missing".into(), "empty", None));
        };
        let name = t.text(r, "instrument");
        if !library.contains(name) {
            return Err(t.error(
                t.span(r, "instrument"),
                format!("the library has no instrument `{name}`"),
                "not in the library",
                Some("--rules names the library the crosswalk refers to".into()),
            ));
        }
        if out.insert(id, name.to_string()).is_some() {
            return Err(t.error(t.span(r, "atopid"), format!("ATOP {id} is in the crosswalk twice"), "again", None));
        }
    }
    Ok(out)
}

/// The first year of each alliance, from the alliance-level file.
fn alliance_years(sources: &Sources, file: FileId) -> Result<BTreeMap<u32, i16>, Diagnostic> {
    let t = Table::parse(sources, file, &["atopid", "begyr"])?;
    let mut out = BTreeMap::new();
    for r in t.rows() {
        let (Some(id), Some(year)) = (t.positive(r, "atopid", "an ATOP alliance number")?, t.int(r, "begyr")?) else {
            continue;
        };
        out.insert(id, i16::try_from(year).unwrap_or(0));
    }
    Ok(out)
}

/// Reads one member row.
fn member(t: &Table, r: &Row, report: &mut ImportReport) -> Result<Member, Diagnostic> {
    let need = |column: &str| -> Result<u32, Diagnostic> {
        ccode_of(t, r, column)?
            .ok_or_else(|| t.error(t.span(r, column), format!("`{column}` is missing"), "empty", None))
    };
    let atopid = need("atopid")?;
    let ccode = need("member")?;
    let entry = date(t, r, ["yrent", "moent", "dayent"], false, (atopid, ccode), report)?;
    let exit = if t.int_or_zero(r, "yrexit")? == 0 {
        None
    } else {
        Some(date(t, r, ["yrexit", "moexit", "dayexit"], true, (atopid, ccode), report)?)
    };
    if let Some(last) = exit
        && last < entry
    {
        return Err(t.error(
            t.span(r, "yrexit"),
            format!("the exit ({last}) is before the entry ({entry})"),
            "here",
            None,
        ));
    }
    let phase = u32::try_from(t.int_or_zero(r, "phase")?).unwrap_or(0);
    let mut holds = BTreeMap::new();
    for p in PROVISIONS {
        if !t.flag(r, p.column())? {
            continue;
        }
        let (prefix, flags) = p.flags();
        let mut set = BTreeSet::new();
        for f in flags {
            if t.flag(r, &format!("{prefix}{f}"))? {
                set.insert(*f);
            }
        }
        holds.insert(p, set);
    }
    let mut threats = Vec::new();
    for column in ["statthr1", "statthr2"] {
        // Empty or 0: no state named.
        if t.int(r, column)?.is_some_and(|n| n != 0)
            && let Some(c) = ccode_of(t, r, column)?
        {
            threats.push((c, t.span(r, column)));
        }
    }
    Ok(Member {
        row: r.number,
        atopid,
        ccode,
        member_at: t.span(r, "member"),
        entry,
        until: exit.map(Day::next),
        phase,
        wartime: t.flag(r, "wartime")?,
        cowwar: u32::try_from(t.int_or_zero(r, "cowwar")?).unwrap_or(0),
        holds,
        threats,
    })
}

/// A day from a year, month and day column; a missing month or day (0 or empty) is the start of
/// the span for an entry and its end for an exit, and noted in the report.
fn date(
    t: &Table,
    r: &Row,
    [y, m, d]: [&str; 3],
    end: bool,
    (atopid, ccode): (u32, u32),
    report: &mut ImportReport,
) -> Result<Day, Diagnostic> {
    let (date, given) = crate::table::partial_date(t, r, [y, m, d], end, 0)?;
    if let Some(given) = given {
        report.filled_dates.push(FilledDate {
            atopid,
            ccode,
            row: r.number,
            which: if end { "exit" } else { "entry" },
            given,
            read: date.to_string(),
        });
    }
    Ok(Day::from_date(date))
}

/// A run of days a party is bound: from its first day to the first day it no longer is.
type Spell = (Day, Option<Day>);

/// One phase of an alliance, ready to write.
struct Phase<'r> {
    atopid: u32,
    phase: u32,
    name: String,
    rows: &'r [Member],
    /// Each party's spells, merged, by code.
    spells: BTreeMap<String, Vec<Spell>>,
    /// Each party's first ccode.
    ccode_of: BTreeMap<String, u32>,
    /// The provisions each party holds, with its flags (the first of its rows that holds it).
    holds: BTreeMap<String, BTreeMap<Provision, BTreeSet<&'static str>>>,
    /// The named adversaries: code, ccode, and the row that names them.
    threats: Vec<(String, u32, usize)>,
    /// The war a conflict condition is tied to, when the wars show it.
    war: Option<u32>,
    start: Day,
    end: Option<Day>,
}

impl<'r> Phase<'r> {
    fn new(
        t: &Table,
        inputs: &Inputs,
        atopid: u32,
        phase: u32,
        rows: &'r [Member],
        report: &mut ImportReport,
    ) -> Result<Phase<'r>, Diagnostic> {
        let codes = inputs.codes;
        let name = if phase == 0 { format!("atop_{atopid}") } else { format!("atop_{atopid}_p{phase}") };
        let start = rows.iter().map(|m| m.entry).min().unwrap_or(Day(0));
        let end = if rows.iter().any(|m| m.until.is_none()) { None } else { rows.iter().filter_map(|m| m.until).max() };
        let mut spells: BTreeMap<String, Vec<Spell>> = BTreeMap::new();
        let mut ccode_of = BTreeMap::new();
        let mut holds: BTreeMap<String, BTreeMap<Provision, BTreeSet<&'static str>>> = BTreeMap::new();
        let mut by_entry: Vec<&Member> = rows.iter().collect();
        by_entry.sort_by_key(|m| (m.entry, m.row));
        for m in by_entry {
            // A row whose ccode changes code during it is cut where it does.
            let mut cuts: Vec<Day> =
                codes.changes(m.ccode).into_iter().filter(|&d| d > m.entry && m.until.is_none_or(|u| d < u)).collect();
            cuts.push(m.until.unwrap_or(Day(i32::MAX)));
            let mut from = m.entry;
            for cut in cuts {
                let until = (cut != Day(i32::MAX)).then_some(cut);
                let Some(code) = codes.code(m.ccode, from) else {
                    return Err(uncovered(t.file, m.member_at, m.ccode, from));
                };
                if let (Origin::Override, Some(row)) = (code.origin, code.row) {
                    report.overrides_used.push(OverrideUse {
                        atopid,
                        ccode: m.ccode,
                        code: code.code.clone(),
                        override_row: row,
                    });
                }
                ccode_of.entry(code.code.clone()).or_insert(m.ccode);
                spells.entry(code.code.clone()).or_default().push((from, until));
                let held = holds.entry(code.code.clone()).or_default();
                for (p, flags) in &m.holds {
                    held.entry(*p).or_insert_with(|| flags.clone());
                }
                from = cut;
            }
        }
        for (code, list) in &mut spells {
            *list = merge(std::mem::take(list));
            // `signed … left … acceded …` is all one record can say: one return, for good.
            if list.len() > 2 || (list.len() == 2 && list.get(1).is_some_and(|s| s.1 != end)) {
                let at = rows
                    .iter()
                    .filter(|m| codes.code(m.ccode, m.entry).is_some_and(|c| c.code == *code))
                    .map(|m| m.member_at)
                    .next_back();
                return Err(t.error(
                    at.unwrap_or(Span::new(0, 0)),
                    format!("{code} leaves ATOP {atopid} (phase {phase}) twice, or comes back and leaves again: a party record can say only one return"),
                    "its last row",
                    None,
                ));
            }
        }
        let mut threats = Vec::new();
        for m in rows {
            for &(c, at) in &m.threats {
                let Some(code) = codes.code(c, start) else {
                    return Err(uncovered(t.file, at, c, start));
                };
                if !threats.iter().any(|(x, _, _): &(String, u32, usize)| *x == code.code) {
                    threats.push((code.code, c, m.row));
                }
            }
        }
        threats.sort();
        let war = inputs.wars.and_then(|wars| conflict_war(rows, &threats, wars));
        Ok(Phase { atopid, phase, name, rows, spells, ccode_of, holds, threats, war, start, end })
    }

    /// Whether every party holds `p` with the same flags.
    fn everyone(&self, p: Provision) -> Option<&BTreeSet<&'static str>> {
        let mut flags = self.holds.values().map(|h| h.get(&p));
        let first = flags.next().flatten()?;
        flags.all(|f| f == Some(first)).then_some(first)
    }

    fn symmetric(&self) -> bool {
        let provisions: BTreeSet<Provision> = self.holds.values().flat_map(|h| h.keys().copied()).collect();
        provisions.into_iter().all(|p| self.holds.values().all(|h| h.contains_key(&p)))
    }

    fn write(&self, out: &mut String, year: i16, inputs: &Inputs, report: &mut ImportReport) {
        self.header(out);
        let _ = writeln!(out, "treaty {} {} {{", self.name, casus_syntax::format::quoted(&self.title(year, inputs)));
        out.push_str("  parties {\n");
        for (code, spells) in &self.spells {
            let _ = writeln!(out, "    {code}{}", record(spells, self.end));
            report.members += 1;
        }
        out.push_str("  }\n");
        let _ = writeln!(out, "  in force on {}", self.start);
        if let Some(end) = self.end {
            let _ = writeln!(out, "  terminated {end}");
        }
        let provisions: BTreeSet<Provision> = self.holds.values().flat_map(|h| h.keys().copied()).collect();
        let named = provisions.iter().filter(|p| self.adversaries(**p)).count();
        if named > 1 {
            report.adversary_names_shared.push(self.name.clone());
        }
        for p in provisions {
            out.push('\n');
            self.article(out, p, report);
            report.provisions += 1;
        }
        out.push_str("}\n");
        if named > 0 {
            let list: Vec<&str> = self.threats.iter().map(|(c, _, _)| c.as_str()).collect();
            let _ = writeln!(out, "\ngroup {}_adversaries = [{}]", self.name, list.join(", "));
        }
        report.instruments += 1;
    }

    /// The header: where the instrument comes from, row by row.
    fn header(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "# ATOP {}, phase {}: written by `casus import atop` from ATOP v4.01 (docs/history.md).",
            self.atopid, self.phase
        );
        out.push_str("# Member rows (data row: ccode, entry, exit; provisions and conditions set):\n");
        let mut rows: Vec<&Member> = self.rows.iter().collect();
        rows.sort_by_key(|m| m.row);
        for m in rows {
            let exit = m.until.map_or_else(|| "in force".to_string(), |u| Day(u.0 - 1).to_string());
            let mut flags: Vec<String> = Vec::new();
            for (p, set) in &m.holds {
                let (prefix, _) = p.flags();
                let mut f = p.column().to_uppercase();
                for flag in set {
                    let _ = write!(f, " {}", format!("{prefix}{flag}").to_uppercase());
                }
                flags.push(f);
            }
            let threats: Vec<String> = m.threats.iter().map(|(c, _)| c.to_string()).collect();
            let mut line = format!("#   row {}: {}, {} to {}", m.row, m.ccode, m.entry, exit);
            if !flags.is_empty() {
                let _ = write!(line, "; {}", flags.join(", "));
            }
            if !threats.is_empty() {
                let _ = write!(line, "; STATTHR {}", threats.join(" "));
            }
            match (m.wartime, m.cowwar) {
                (true, 0) => line.push_str("; WARTIME"),
                (true, w) => {
                    let _ = write!(line, "; WARTIME, COWWAR {w}");
                }
                _ => {}
            }
            out.push_str(&line);
            out.push('\n');
        }
        out.push('\n');
    }

    /// "ATOP 1160: France, Great Britain, Turkey; Sardinia (1854)": the members bound from the
    /// first day, then those who joined later, each group with the members bound by more of the
    /// alliance's provisions first, then by code; each under its name on the day it joined.
    fn title(&self, year: i16, inputs: &Inputs) -> String {
        let mut first = Vec::new();
        let mut later = Vec::new();
        for (code, spells) in &self.spells {
            let joined = spells.first().map_or(self.start, |s| s.0);
            let held = self.holds.get(code).map_or(0, BTreeMap::len);
            let ccode = self.ccode_of.get(code).copied().unwrap_or(0);
            let entry = (std::cmp::Reverse(held), code.clone(), inputs.codes.name(ccode, joined));
            if joined == self.start { first.push(entry) } else { later.push(entry) }
        }
        first.sort();
        later.sort();
        let names = |v: &[(std::cmp::Reverse<usize>, String, String)]| {
            v.iter().map(|e| e.2.as_str()).collect::<Vec<_>>().join(", ")
        };
        let mut members = names(&first);
        if !later.is_empty() {
            let _ = write!(members, "; {}", names(&later));
        }
        format!("ATOP {}: {members} ({year})", self.atopid)
    }

    /// Whether provision `p` names adversaries for some party that holds it.
    fn adversaries(&self, p: Provision) -> bool {
        !self.threats.is_empty() && self.holds.values().any(|h| h.get(&p).is_some_and(|f| f.contains("coadv")))
    }

    fn article(&self, out: &mut String, p: Provision, report: &mut ImportReport) {
        let holders: Vec<&String> = self.holds.iter().filter(|(_, h)| h.contains_key(&p)).map(|(c, _)| c).collect();
        let flags: BTreeSet<&'static str> =
            self.holds.values().filter_map(|h| h.get(&p)).flat_map(|f| f.iter().copied()).collect();
        let _ = writeln!(out, "  article {} {} {{", p.article(), casus_syntax::format::quoted(p.title()));
        let _ = writeln!(out, "    text {}", casus_syntax::format::quoted(&self.codes_text(p, &holders, &flags)));
        out.push('\n');
        let everyone = self.everyone(p).cloned();
        if p == Provision::Neutrality {
            if flags.contains("coatt") {
                out.push_str("    # NEUCOATT: only when the ally is attacked. Kept unless a bearer fights the ally.\n");
            } else {
                let whom = if self.adversaries(p) { "the named state" } else { "a state outside the alliance" };
                comment(
                    out,
                    &format!(
                        "Not conditional on an attack (NEUCOATT = 0): the ally at war with {whom}, as attacker or attacked."
                    ),
                );
            }
        }
        let mut rules = Vec::new();
        match everyone {
            Some(f) => rules.extend(self.rules(p, None, &f, report)),
            None => {
                if holders.len() < self.spells.len() && holders.len() > 1 {
                    out.push_str("    # One rule per bearer, since the obligation is not everyone's.\n");
                } else if holders.len() > 1 {
                    out.push_str("    # One rule per bearer, since their conditions differ.\n");
                }
                for code in &holders {
                    let f = self.holds.get(*code).and_then(|h| h.get(&p)).cloned().unwrap_or_default();
                    rules.extend(self.rules(p, Some(code), &f, report));
                }
            }
        }
        out.push_str(&rules.join("\n"));
        out.push_str("  }\n");
    }

    /// The article's text: the ATOP codes it encodes.
    fn codes_text(&self, p: Provision, holders: &[&String], flags: &BTreeSet<&'static str>) -> String {
        let mut s = format!("ATOP: {} = 1", p.column().to_uppercase());
        if !self.symmetric() {
            let mut ccodes: Vec<u32> = holders.iter().filter_map(|c| self.ccode_of.get(*c).copied()).collect();
            ccodes.sort_unstable();
            let all = holders.len() == self.spells.len();
            let list: Vec<String> = ccodes.iter().map(u32::to_string).collect();
            if all && list.len() > 2 {
                s.push_str(" for all members");
            } else if list.len() == 2 {
                let _ = write!(s, " for {}", list.join(" and "));
            } else {
                let _ = write!(s, " for {}", list.join(", "));
            }
        }
        let (prefix, _) = p.flags();
        for f in FLAGS.iter().filter(|f| flags.contains(**f)) {
            let _ = write!(s, "; {}{} = 1", prefix.to_uppercase(), f.to_uppercase());
            if *f == "coadv" {
                let mut named: Vec<u32> = Vec::new();
                for m in self.rows.iter().filter(|m| m.holds.get(&p).is_some_and(|x| x.contains("coadv"))) {
                    for (c, _) in &m.threats {
                        if !named.contains(c) {
                            named.push(*c);
                        }
                    }
                }
                for (i, c) in named.iter().enumerate() {
                    let _ = write!(s, ", STATTHR{} = {c}", i + 1);
                }
            }
            if *f == "cocon"
                && let Some(w) = self.war
            {
                let _ = write!(s, ", COWWAR = {w}");
            }
        }
        s.push('.');
        s
    }

    /// The rules of provision `p`: for everyone (`bearer` is `None`), or for one bearer.
    fn rules(
        &self,
        p: Provision,
        bearer: Option<&String>,
        flags: &BTreeSet<&'static str>,
        report: &mut ImportReport,
    ) -> Vec<String> {
        // A bearer with one possible ally names it.
        let ally: Option<&String> =
            bearer.filter(|_| self.spells.len() == 2).and_then(|b| self.spells.keys().find(|c| *c != b));
        let v = ally.map_or("V", String::as_str);
        let adversaries = flags.contains("coadv") && !self.threats.is_empty();
        let mut roles = String::new();
        if flags.contains("conpr") {
            roles.push_str(", provoked: no");
        }
        let war = flags.contains("cocon").then_some(self.war).flatten();
        if let Some(w) = war {
            let _ = write!(roles, ", war: cow_{w}");
        }
        let triggers: Vec<String> = match p {
            Provision::Defense | Provision::Consultation => vec![format!("armed_attack(by: A, on: {v}{roles})")],
            Provision::Offense => vec![format!("armed_attack(by: {v}, on: A{roles})")],
            Provision::Neutrality if flags.contains("coatt") => vec![format!("armed_attack(by: A, on: {v}{roles})")],
            Provision::Neutrality => {
                vec![format!("armed_attack(by: A, on: {v}{roles})"), format!("armed_attack(by: {v}, on: A{roles})")]
            }
            Provision::Nonaggression => vec![format!("armed_attack(by: _, on: {v})")],
        };
        let mut tests: Vec<String> = Vec::new();
        if ally.is_none() {
            tests.push("V is party".into());
        }
        let members_named = self.threats.iter().any(|(c, _, _)| self.spells.contains_key(c));
        if p != Provision::Nonaggression && (ally.is_none() || !adversaries || members_named) {
            tests.push("A is not party".into());
        }
        if adversaries {
            tests.push(format!("A in {}_adversaries", self.name));
        }
        if flags.contains("conum") {
            tests.push(format!("armed_attack(by: B, on: {v}) and B != A and B is not party"));
        }
        let (prefix, _) = p.flags();
        for f in FLAGS.iter().filter(|f| flags.contains(**f)) {
            let unverifiable = match *f {
                "coadv" => !adversaries,
                "cocon" => war.is_none(),
                "coloc" | "codem" | "coreq" => true,
                _ => false,
            };
            if unverifiable {
                let condition = format!("{prefix}{f}");
                tests.push(format!(
                    "atop_condition_met(alliance: {}, condition: {condition}, ally: {v}, against: A)",
                    self.name
                ));
                report.unverifiable.push(Unverifiable {
                    atopid: self.atopid,
                    phase: self.phase,
                    provision: p,
                    condition,
                });
            }
        }
        if let (Some(b), None) = (bearer, ally) {
            tests.push(format!("V != {b}"));
        }
        let head = match (bearer, p) {
            (None, _) => format!("every party P other than {v}"),
            (Some(b), _) => b.clone(),
        };
        let norm = match p {
            Provision::Defense | Provision::Offense => format!("must assist_militarily(ally: {v}, against: A)"),
            Provision::Neutrality | Provision::Nonaggression => format!("must not use_force(against: {v})"),
            Provision::Consultation => format!("must consult(with: {v}, about: A)"),
        };
        triggers
            .into_iter()
            .map(|trigger| {
                let condition = std::iter::once(trigger).chain(tests.iter().cloned()).collect::<Vec<_>>().join(" and ");
                format!("    if {condition}\n    then {head} {norm}\n")
            })
            .collect()
    }
}

/// A comment in an article, its lines kept shorter than the formatter's width.
fn comment(out: &mut String, text: &str) {
    let indent = "    # ";
    let mut line = String::from(indent);
    for word in text.split_whitespace() {
        if line.len() > indent.len() && line.len() + 1 + word.len() >= casus_syntax::format::WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(indent);
        }
        if line.len() > indent.len() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
}

/// A party record's steps after its code: ` signed D ratified D`, ` left D` if it stops before
/// the instrument does, ` acceded D` if it comes back (for good: [`Phase::new`] refuses more).
fn record(spells: &[Spell], end: Option<Day>) -> String {
    let mut s = String::new();
    let Some(&(first, until)) = spells.first() else { return s };
    let _ = write!(s, " signed {first} ratified {first}");
    if let Some(&(again, _)) = spells.get(1) {
        if let Some(u) = until {
            let _ = write!(s, " left {u}");
        }
        let _ = write!(s, " acceded {again}");
    } else if let Some(u) = until
        && Some(u) != end
    {
        let _ = write!(s, " left {u}");
    }
    s
}

/// Spells that touch or overlap made one.
fn merge(mut spells: Vec<Spell>) -> Vec<Spell> {
    spells.sort();
    let mut out: Vec<Spell> = Vec::new();
    for (from, until) in spells {
        if let Some(last) = out.last_mut()
            && last.1.is_none_or(|u| from <= u)
        {
            last.1 = match (last.1, until) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
            continue;
        }
        out.push((from, until));
    }
    out
}

/// The war a conflict condition is tied to: the COWWAR of a wartime row, if in that war a member
/// fought a named adversary (or, none being named, a state outside the alliance).
fn conflict_war(rows: &[Member], threats: &[(String, u32, usize)], wars: &Wars) -> Option<u32> {
    let mut candidates: Vec<u32> = rows.iter().filter(|m| m.wartime && m.cowwar > 0).map(|m| m.cowwar).collect();
    candidates.sort_unstable();
    candidates.dedup();
    let members: BTreeSet<u32> = rows.iter().map(|m| m.ccode).collect();
    let named: BTreeSet<u32> = threats.iter().map(|t| t.1).collect();
    candidates.into_iter().find(|&w| {
        let sides = wars.sides(w);
        sides.iter().any(|&(c, side)| {
            members.contains(&c)
                && sides.iter().any(|&(e, other)| {
                    other != side && if named.is_empty() { !members.contains(&e) } else { named.contains(&e) }
                })
        })
    })
}
