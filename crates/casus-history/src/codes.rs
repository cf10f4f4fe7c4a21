//! Party codes over time: which code of the rule language a Correlates of War country code
//! (`ccode`) is written as on a day, and what the state was called then.
//!
//! The rule language wants codes of two or more capital letters. A ccode's code comes, in this
//! order, from the overrides (a CSV shipped with casus, `data/codes.csv`, one reason per row,
//! which keeps the library's own codes: `GMY` for Prussia and the German Reich, `AUH`,
//! `DEU` for both Germanys' successor); from ISO 3166-1 alpha-3 (the `countrycode` list's
//! `iso3c` for the ccode); else from the COW abbreviation (`BAV`, `SAX`, `WRT`, ...). Two
//! ccodes that would get the same code are refused, unless the overrides give both that code,
//! which says they are one state (West Germany, then Germany).

use std::collections::{BTreeMap, BTreeSet};

use casus::calendar::Day;
use casus_syntax::diagnostic::Diagnostic;
use casus_syntax::source::{FileId, Sources, Span};

use crate::table::{DataError, Table};

/// The overrides shipped with casus.
pub const OVERRIDES: &str = include_str!("../data/codes.csv");
/// The names shipped with casus, where a state's name then was not COW's.
pub const NAMES: &str = include_str!("../data/names.csv");

/// Where a ccode's code came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// An override row.
    Override,
    /// ISO 3166-1 alpha-3.
    Iso,
    /// The COW abbreviation.
    Cow,
}

/// A row of the overrides or the names: a value for a ccode over a run of days.
#[derive(Clone, Debug)]
struct Dated {
    ccode: u32,
    from: Option<Day>,
    until: Option<Day>,
    value: String,
    /// The row, for the import report.
    row: usize,
    /// Where its ccode and its value are written, for problems with them.
    ccode_at: Span,
    value_at: Span,
}

impl Dated {
    fn covers(&self, ccode: u32, day: Day) -> bool {
        self.ccode == ccode && self.from.is_none_or(|f| f <= day) && self.until.is_none_or(|u| day < u)
    }
}

/// The mapping from ccodes and days to party codes and names.
#[derive(Clone, Debug)]
pub struct Codes {
    overrides: Vec<Dated>,
    names: Vec<Dated>,
    iso: BTreeMap<u32, String>,
    cow: BTreeMap<u32, (String, String)>,
}

/// A ccode's code on a day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Code {
    /// The code.
    pub code: String,
    /// Where it came from.
    pub origin: Origin,
    /// The override row, when it came from one.
    pub row: Option<usize>,
}

impl Codes {
    /// Reads the overrides (`overrides`, a file among the sources), the names, the COW state
    /// list and the `countrycode` list.
    pub fn read(
        sources: &mut Sources,
        overrides: FileId,
        states: FileId,
        country_codes: FileId,
    ) -> Result<Codes, Diagnostic> {
        let names = sources.add("casus: data/names.csv", NAMES);
        let problem = |at: Span, message: String, label: &str, help: Option<String>| {
            Diagnostic::new(overrides, DataError { message, at, label: label.to_string(), help })
        };
        let overrides_rows = dated(sources, overrides, "code")?;
        for o in &overrides_rows {
            if !(o.value.len() >= 2 && o.value.bytes().all(|b| b.is_ascii_uppercase())) {
                let message = format!("`{}` is not a party code: two or more capital letters", o.value);
                return Err(problem(o.value_at, message, "not a code", None));
            }
        }
        let names_rows = dated(sources, names, "name")?;
        let st = Table::parse(sources, states, &["stateabb", "ccode", "statenme"])?;
        let mut cow = BTreeMap::new();
        for r in st.rows() {
            let Some(ccode) = ccode_of(&st, r, "ccode")? else { continue };
            cow.entry(ccode).or_insert((st.text(r, "stateabb").to_string(), st.text(r, "statenme").to_string()));
        }
        let cc = Table::parse(sources, country_codes, &["cown", "iso3c"])?;
        let mut iso = BTreeMap::new();
        for r in cc.rows() {
            let Some(ccode) = ccode_of(&cc, r, "cown")? else { continue };
            let code = cc.text(r, "iso3c");
            if !code.is_empty() {
                iso.entry(ccode).or_insert(code.to_string());
            }
        }
        let codes = Codes { overrides: overrides_rows, names: names_rows, iso, cow };
        // An override for a ccode that no list knows is a mistake in the overrides.
        for o in &codes.overrides {
            if !codes.cow.contains_key(&o.ccode) && !codes.iso.contains_key(&o.ccode) && !codes.named(o.ccode) {
                return Err(problem(
                    o.ccode_at,
                    format!("ccode {} is in neither the COW state list nor the country codes", o.ccode),
                    "unknown ccode",
                    Some("an override is for a state the datasets name; give it a name in data/names.csv if COW lists it nowhere".into()),
                ));
            }
        }
        Ok(codes)
    }

    fn named(&self, ccode: u32) -> bool {
        self.names.iter().any(|n| n.ccode == ccode)
    }

    /// The code of `ccode` on `day`, if any source gives one.
    pub fn code(&self, ccode: u32, day: Day) -> Option<Code> {
        if let Some(o) = self.overrides.iter().find(|o| o.covers(ccode, day)) {
            return Some(Code { code: o.value.clone(), origin: Origin::Override, row: Some(o.row) });
        }
        if self.overrides.iter().any(|o| o.ccode == ccode) {
            // Overridden on other days: on this one, the override says nothing, and the lists
            // would give a code the overrides meant to replace.
            return None;
        }
        if let Some(code) = self.iso.get(&ccode) {
            return Some(Code { code: code.clone(), origin: Origin::Iso, row: None });
        }
        self.cow.get(&ccode).map(|(abb, _)| Code { code: abb.clone(), origin: Origin::Cow, row: None })
    }

    /// The ccode written `code` on `day`, if one is.
    pub fn ccode(&self, code: &str, day: Day) -> Option<u32> {
        let written = |c: u32| self.code(c, day).is_some_and(|x| x.code == code);
        let overridden = self.overrides.iter().filter(|o| o.value == code).map(|o| o.ccode);
        let listed = self.iso.iter().chain(self.cow.iter().map(|(c, (abb, _))| (c, abb))).filter(|(_, v)| *v == code);
        overridden.chain(listed.map(|(c, _)| *c)).find(|&c| written(c))
    }

    /// The days on which `ccode`'s code changes: the bounds of its overrides.
    pub fn changes(&self, ccode: u32) -> Vec<Day> {
        let mut days: Vec<Day> = self
            .overrides
            .iter()
            .filter(|o| o.ccode == ccode)
            .flat_map(|o| o.from.into_iter().chain(o.until))
            .collect();
        days.sort();
        days.dedup();
        days
    }

    /// What the state was called on `day`: the shipped names, else COW's.
    pub fn name(&self, ccode: u32, day: Day) -> String {
        if let Some(n) = self.names.iter().find(|n| n.covers(ccode, day)) {
            return n.value.clone();
        }
        self.cow.get(&ccode).map_or_else(|| format!("ccode {ccode}"), |(_, name)| name.clone())
    }

    /// The COW name of the state, whatever the day: for declarations.
    pub fn cow_name(&self, ccode: u32) -> Option<&str> {
        self.cow.get(&ccode).map(|(_, n)| n.as_str())
    }

    /// Every ccode some source knows: the COW state list's, the overrides' and the names'.
    pub fn ccodes(&self) -> BTreeSet<u32> {
        self.cow
            .keys()
            .copied()
            .chain(self.overrides.iter().map(|o| o.ccode))
            .chain(self.names.iter().map(|n| n.ccode))
            .collect()
    }

    /// Every code a ccode of [`Codes::ccodes`] is written as on some day, with the first ccode
    /// written so.
    pub fn every_code(&self) -> BTreeMap<String, u32> {
        let mut out = BTreeMap::new();
        for c in self.ccodes() {
            let overridden: Vec<&Dated> = self.overrides.iter().filter(|o| o.ccode == c).collect();
            if overridden.is_empty() {
                if let Some(code) = self.iso.get(&c).or_else(|| self.cow.get(&c).map(|x| &x.0)) {
                    out.entry(code.clone()).or_insert(c);
                }
            } else {
                for o in overridden {
                    out.entry(o.value.clone()).or_insert(c);
                }
            }
        }
        out
    }

    /// Two ccodes of `ccodes` that get the same code, unless the overrides give both that code.
    pub fn collision(&self, ccodes: &BTreeSet<u32>) -> Option<(u32, u32, String)> {
        let mut by_code: BTreeMap<String, Vec<(u32, Origin)>> = BTreeMap::new();
        for &c in ccodes {
            let mut seen = BTreeSet::new();
            for o in self.overrides.iter().filter(|o| o.ccode == c) {
                seen.insert((o.value.clone(), Origin::Override));
            }
            if seen.is_empty() {
                if let Some(code) = self.iso.get(&c) {
                    seen.insert((code.clone(), Origin::Iso));
                } else if let Some((abb, _)) = self.cow.get(&c) {
                    seen.insert((abb.clone(), Origin::Cow));
                }
            }
            for (code, origin) in seen {
                by_code.entry(code).or_default().push((c, origin));
            }
        }
        by_code.into_iter().find_map(|(code, owners)| {
            let first = owners.first()?;
            owners
                .iter()
                .skip(1)
                .find(|o| !(o.1 == Origin::Override && first.1 == Origin::Override))
                .map(|o| (first.0, o.0, code.clone()))
        })
    }
}

/// The dated rows of an overrides or names file: `ccode,from,until,<value>,why`.
fn dated(sources: &Sources, file: FileId, value: &str) -> Result<Vec<Dated>, Diagnostic> {
    let t = Table::parse(sources, file, &["ccode", "from", "until", value, "why"])?;
    let mut out = Vec::new();
    for r in t.rows() {
        let Some(ccode) = ccode_of(&t, r, "ccode")? else {
            return Err(t.error(t.span(r, "ccode"), "the ccode is missing".into(), "empty", None));
        };
        let day = |column: &str| -> Result<Option<Day>, Diagnostic> {
            let text = t.text(r, column);
            if text.is_empty() {
                return Ok(None);
            }
            Day::parse(text).map(Some).map_err(|e| t.error(t.span(r, column), e, "not a day", None))
        };
        let (from, until) = (day("from")?, day("until")?);
        if let (Some(f), Some(u)) = (from, until)
            && u <= f
        {
            return Err(t.error(t.span(r, "until"), "`until` is not after `from`".into(), "here", None));
        }
        if t.text(r, "why").is_empty() {
            return Err(t.error(t.span(r, "why"), "every row says why it is there".into(), "empty", None));
        }
        out.push(Dated {
            ccode,
            from,
            until,
            value: t.text(r, value).to_string(),
            row: r.number,
            ccode_at: t.span(r, "ccode"),
            value_at: t.span(r, value),
        });
    }
    Ok(out)
}

/// A ccode: a positive whole number, or nothing.
pub(crate) fn ccode_of(t: &Table, r: &crate::table::Row, column: &str) -> Result<Option<u32>, Diagnostic> {
    t.positive(r, column, "a country code")
}

/// A problem with a ccode, at a field.
pub(crate) fn uncovered(file: FileId, at: Span, ccode: u32, day: Day) -> Diagnostic {
    Diagnostic::new(
        file,
        DataError {
            message: format!("no party code for ccode {ccode} on {day}"),
            at,
            label: "this ccode".into(),
            help: Some(
                "add an override (--codes) for it: the COW state list and the country codes give it none on that day"
                    .into(),
            ),
        },
    )
}
