//! The Correlates of War inter-state wars, version 4.0: one row per state's participation in a
//! war, with up to two spells of fighting.
//!
//! Codes the file uses: −8 not applicable (no second spell), −9 unknown, −7 ongoing at the end of
//! the data. A state that changed sides (`Outcome` 8) has a row for each side.

use std::collections::BTreeMap;

use casus_syntax::diagnostic::Diagnostic;
use casus_syntax::source::{FileId, Sources};

use crate::codes::ccode_of;
use crate::table::Table;

/// The columns read.
const COLUMNS: [&str; 6] = ["WarNum", "WarName", "ccode", "StateName", "Side", "Initiator"];

/// One row: a state on one side of one war.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participation {
    /// The data row's number.
    pub row: usize,
    /// The war.
    pub war: u32,
    /// The state.
    pub ccode: u32,
    /// Its name in the file.
    pub state: String,
    /// 1 or 2.
    pub side: u8,
    /// Whether it is one of the war's initiators.
    pub initiator: bool,
}

/// The wars, by number.
#[derive(Clone, Debug, Default)]
pub struct Wars {
    /// Each war's name.
    pub names: BTreeMap<u32, String>,
    /// Every participation, in the file's order.
    pub rows: Vec<Participation>,
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
            wars.rows.push(Participation {
                row: r.number,
                war,
                ccode,
                state: t.text(r, "StateName").to_string(),
                side,
                initiator: t.int(r, "Initiator")? == Some(1),
            });
        }
        Ok(wars)
    }

    /// The states of war `war`, each with its side.
    pub fn sides(&self, war: u32) -> Vec<(u32, u8)> {
        self.rows.iter().filter(|p| p.war == war).map(|p| (p.ccode, p.side)).collect()
    }
}
