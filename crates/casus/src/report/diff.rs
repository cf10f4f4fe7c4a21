//! The what-if view: the norms that appear, disappear or change between two reports.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::{Args, Name, NormReport, Report, words};
use crate::calendar::Day;
use crate::eval::Status;
use casus_syntax::ast::Modality;

/// The what-if view: the norms that appear, disappear or change between two reports.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Diff {
    /// The first scenario's title.
    pub before: String,
    /// The second scenario's title.
    pub after: String,
    /// Every change, grouped by party.
    pub changes: Vec<Change>,
}

/// One norm that differs.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Change {
    /// The bearer.
    pub party: Name,
    /// Whether it appears, disappears or changes.
    pub change: ChangeKind,
    /// `must`, `must not` or `may`.
    #[serde(serialize_with = "words")]
    pub modality: Modality,
    /// The action.
    pub action: Name,
    /// Its arguments.
    pub args: Args,
    /// The instrument.
    pub instrument: Name,
    /// The article.
    pub article: Name,
    /// Its state in the first report.
    pub before: Option<NormState>,
    /// Its state in the second.
    pub after: Option<NormState>,
}

/// How a norm differs between two reports.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Only in the second.
    Appears,
    /// Only in the first.
    Disappears,
    /// In both, with a different status, start or due date.
    Changes,
}

/// What a diff compares of a norm.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct NormState {
    /// Its status.
    pub status: Status,
    /// The first day of its latest episode.
    pub since: Day,
    /// The due date of its latest episode.
    pub due: Option<Day>,
}

impl Diff {
    /// The differences between two reports.
    pub fn new(a: &Report, b: &Report) -> Diff {
        // Modalities in the order of their words, as diffs have always listed them.
        type Id = (Name, &'static str, Name, Args, Name, Name);
        let id = |n: &NormReport| -> Id {
            (
                n.party.clone(),
                n.modality.words(),
                n.action.clone(),
                n.args.clone(),
                n.instrument.clone(),
                n.article.clone(),
            )
        };
        let state = |n: &NormReport| {
            let last = n.episodes.last();
            NormState { status: n.status, since: last.map_or(Day(0), |e| e.from), due: last.and_then(|e| e.due) }
        };
        let before: BTreeMap<Id, &NormReport> = a.norms.iter().map(|n| (id(n), n)).collect();
        let after: BTreeMap<Id, &NormReport> = b.norms.iter().map(|n| (id(n), n)).collect();
        let keys: std::collections::BTreeSet<&Id> = before.keys().chain(after.keys()).collect();
        let mut changes = Vec::new();
        for k in keys {
            let (b, c) = (before.get(k), after.get(k));
            let Some(modality) = b.or(c).map(|n| n.modality) else { continue };
            let (x, y) = (b.map(|n| state(n)), c.map(|n| state(n)));
            let change = match (&x, &y) {
                (None, Some(_)) => ChangeKind::Appears,
                (Some(_), None) => ChangeKind::Disappears,
                (Some(p), Some(q)) if p != q => ChangeKind::Changes,
                _ => continue,
            };
            changes.push(Change {
                party: k.0.clone(),
                change,
                modality,
                action: k.2.clone(),
                args: k.3.clone(),
                instrument: k.4.clone(),
                article: k.5.clone(),
                before: x,
                after: y,
            });
        }
        Diff { before: a.scenario.clone(), after: b.scenario.clone(), changes }
    }

    /// The diff as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        s.push('\n');
        s
    }

    /// The diff for people, grouped by party: `+` appears, `-` disappears, `~` changes.
    pub fn text(&self, report: &Report) -> String {
        let mut out = format!("From \"{}\" to \"{}\"\n", self.before, self.after);
        if self.changes.is_empty() {
            out.push_str("\nNo norm changes.\n");
            return out;
        }
        let mut party = "";
        for c in &self.changes {
            if *c.party != *party {
                party = &c.party;
                let _ = writeln!(out, "\n  {party}");
            }
            let what = format!(
                "{} {} — {} art. {}",
                c.modality.words(),
                report.action(&c.action, &c.args),
                c.instrument,
                c.article
            );
            let show = |s: &NormState| {
                let due = s.due.map(|d| format!(", due {d}")).unwrap_or_default();
                format!("{} since {}{due}", s.status, s.since)
            };
            let _ = match (&c.before, &c.after) {
                (None, Some(s)) => writeln!(out, "    + {what} — {}", show(s)),
                (Some(s), None) => writeln!(out, "    - {what} — was {}", show(s)),
                (Some(p), Some(q)) => writeln!(out, "    ~ {what} — {} → {}", show(p), show(q)),
                (None, None) => Ok(()),
            };
        }
        out
    }
}
