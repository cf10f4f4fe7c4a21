//! The Correlates of War inter-state wars, version 4.0: one row per state's participation in a
//! war, with up to two spells of fighting.
//!
//! Codes the file uses: −8 not applicable (no second spell), −9 unknown, −7 ongoing at the end of
//! the data. A state that changed sides (`Outcome` 8) has a row for each side.

use std::collections::BTreeMap;

use casus::calendar::Day;
use casus_syntax::diagnostic::Diagnostic;
use casus_syntax::source::{FileId, Sources, Span};

use crate::codes::ccode_of;
use crate::table::{Row, Table};

/// The columns read.
const COLUMNS: [&str; 21] = [
    "WarNum",
    "WarName",
    "ccode",
    "StateName",
    "Side",
    "Initiator",
    "Outcome",
    "WhereFought",
    "StartMonth1",
    "StartDay1",
    "StartYear1",
    "EndMonth1",
    "EndDay1",
    "EndYear1",
    "StartMonth2",
    "StartDay2",
    "StartYear2",
    "EndMonth2",
    "EndDay2",
    "EndYear2",
    "BatDeath",
];

/// A run of days a state fought: its first day, and the first day it no longer did (`None`:
/// ongoing at the end of the data, COW's −7).
pub type Spell = (Day, Option<Day>);

/// A date COW gives in part (−9, unknown), and the day it was read as.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FilledDate {
    /// The war.
    pub war: u32,
    /// The state.
    pub ccode: u32,
    /// The data row.
    pub row: usize,
    /// `start` or `end`, of spell 1 or 2.
    pub which: String,
    /// As COW gives it, `?` for what is unknown.
    pub given: String,
    /// As read.
    pub read: String,
}

/// One row: a state on one side of one war.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participation {
    /// The data row's number.
    pub row: usize,
    /// The war.
    pub war: u32,
    /// The state.
    pub ccode: u32,
    /// Where its ccode is written, and in which file.
    pub ccode_at: (FileId, Span),
    /// Its name in the file.
    pub state: String,
    /// 1 or 2.
    pub side: u8,
    /// Whether it is one of the war's initiators.
    pub initiator: bool,
    /// COW's outcome code (8: changed sides).
    pub outcome: i64,
    /// COW's code of the region fought in.
    pub where_fought: i64,
    /// One or two spells of fighting.
    pub spells: Vec<Spell>,
}

/// The wars, by number.
#[derive(Clone, Debug, Default)]
pub struct Wars {
    /// Each war's name.
    pub names: BTreeMap<u32, String>,
    /// Every participation, in the file's order.
    pub rows: Vec<Participation>,
    /// Every date read from an incomplete one.
    pub filled: Vec<FilledDate>,
}

impl Wars {
    /// Reads the war file.
    pub fn read(sources: &Sources, file: FileId) -> Result<Wars, Diagnostic> {
        let t = Table::parse(sources, file, &COLUMNS)?;
        let mut wars = Wars::default();
        for r in t.rows() {
            let need = |column: &str| {
                ccode_of(&t, r, column)?
                    .ok_or_else(|| t.error(t.span(r, column), format!("`{column}` is missing"), "empty", None))
            };
            let war = need("WarNum")?;
            let ccode = need("ccode")?;
            let side = match t.int(r, "Side")? {
                Some(1) => 1,
                Some(2) => 2,
                other => {
                    return Err(t.error(
                        t.span(r, "Side"),
                        format!(
                            "`Side` should be 1 or 2, not {}",
                            other.map_or_else(|| "empty".into(), |n| n.to_string())
                        ),
                        "not a side",
                        None,
                    ));
                }
            };
            wars.names.entry(war).or_insert_with(|| t.text(r, "WarName").to_string());
            let mut spells = Vec::new();
            for n in [1, 2] {
                let start = [format!("StartYear{n}"), format!("StartMonth{n}"), format!("StartDay{n}")];
                let end = [format!("EndYear{n}"), format!("EndMonth{n}"), format!("EndDay{n}")];
                if n == 2 && t.int(r, &start[0])? == Some(-8) {
                    break;
                }
                let from = day(&t, r, [&start[0], &start[1], &start[2]], false, (war, ccode), &mut wars.filled)?
                    .ok_or_else(|| {
                        t.error(t.span(r, &start[0]), "a spell cannot start \"ongoing\"".into(), "here", None)
                    })?;
                let until =
                    day(&t, r, [&end[0], &end[1], &end[2]], true, (war, ccode), &mut wars.filled)?.map(Day::next);
                if let Some(u) = until
                    && u <= from
                {
                    return Err(t.error(t.span(r, &end[0]), "the spell ends before it starts".into(), "here", None));
                }
                spells.push((from, until));
            }
            wars.rows.push(Participation {
                row: r.number,
                war,
                ccode,
                ccode_at: (file, t.span(r, "ccode")),
                state: t.text(r, "StateName").to_string(),
                side,
                initiator: t.int(r, "Initiator")? == Some(1),
                outcome: t.int_or_zero(r, "Outcome")?,
                where_fought: t.int_or_zero(r, "WhereFought")?,
                spells,
            });
        }
        Ok(wars)
    }

    /// The states of war `war`, each with its side.
    pub fn sides(&self, war: u32) -> Vec<(u32, u8)> {
        self.rows.iter().filter(|p| p.war == war).map(|p| (p.ccode, p.side)).collect()
    }
}

/// A day from year, month and day columns: −9 (unknown) for a month or day is the start of its
/// span for a start and its end for an end, and noted; −7 for an end is "ongoing" (`None`).
fn day(
    t: &Table,
    r: &Row,
    [y, m, d]: [&str; 3],
    end: bool,
    (war, ccode): (u32, u32),
    filled: &mut Vec<FilledDate>,
) -> Result<Option<Day>, Diagnostic> {
    let year = t.int_or_zero(r, y)?;
    if end && year == -7 {
        return Ok(None);
    }
    let (date, given) = crate::table::partial_date(t, r, [y, m, d], end, -9)?;
    if let Some(given) = given {
        filled.push(FilledDate {
            war,
            ccode,
            row: r.number,
            which: y.replace("Year", " ").to_lowercase().trim().to_string(),
            given,
            read: date.to_string(),
        });
    }
    Ok(Some(Day::from_date(date)))
}
