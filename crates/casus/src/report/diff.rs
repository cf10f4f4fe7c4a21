//! The what-if view: what appears, disappears or changes between two reports — norms,
//! conflicts, violations, and when instruments are in force and whom they bind.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use super::{Args, ConflictReport, Name, NormReport, Report, Side, ViolationReport, words};
use crate::calendar::{Day, Interval};
use crate::eval::{ConflictKind, Status};
use casus_syntax::ast::Modality;

/// The what-if view: everything that differs between two reports.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Diff {
    /// The first scenario's title.
    pub before: String,
    /// The second scenario's title.
    pub after: String,
    /// The norms that differ, grouped by party.
    pub changes: Vec<Change>,
    /// The conflicts that differ.
    pub conflicts: Vec<ConflictChange>,
    /// The violations that differ.
    pub violations: Vec<ViolationChange>,
    /// The instruments whose force or bindings differ.
    pub instruments: Vec<InstrumentChange>,
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

/// How something differs between two reports.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Only in the second.
    Appears,
    /// Only in the first.
    Disappears,
    /// In both, otherwise.
    Changes,
}

impl ChangeKind {
    fn of<T>(before: &[T], after: &[T]) -> ChangeKind {
        match (before.is_empty(), after.is_empty()) {
            (true, _) => ChangeKind::Appears,
            (_, true) => ChangeKind::Disappears,
            _ => ChangeKind::Changes,
        }
    }

    fn sign(self) -> char {
        match self {
            ChangeKind::Appears => '+',
            ChangeKind::Disappears => '-',
            ChangeKind::Changes => '~',
        }
    }
}

/// What a diff compares of a norm.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct NormState {
    /// Its status.
    pub status: Status,
    /// The first day of that status.
    pub since: Day,
    /// The due date of its latest episode.
    pub due: Option<Day>,
    /// Its episodes.
    pub episodes: Vec<Interval>,
}

/// A conflict that differs: its runs of days in each report.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ConflictChange {
    /// Whether it appears, disappears or changes.
    pub change: ChangeKind,
    /// The party.
    pub party: String,
    /// `direct` or `partial`.
    pub kind: ConflictKind,
    /// The obligation.
    pub obligation: Side,
    /// The prohibition.
    pub prohibition: Side,
    /// Its runs of days in the first report, with the instrument that prevails.
    pub before: Vec<ConflictRun>,
    /// And in the second.
    pub after: Vec<ConflictRun>,
}

/// A run of days of a conflict.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ConflictRun {
    /// The first day.
    pub from: Day,
    /// The first day after, or `null` while it lasts.
    pub until: Option<Day>,
    /// The instrument that prevails, if precedence ranks one.
    pub prevails: Option<String>,
}

/// A violation that differs: its runs of days in each report.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ViolationChange {
    /// Whether it appears, disappears or changes.
    pub change: ChangeKind,
    /// Who acted.
    pub party: String,
    /// The instrument.
    pub instrument: String,
    /// The article.
    pub article: String,
    /// The action.
    pub action: String,
    /// The act's arguments.
    pub args: Args,
    /// Its runs of days in the first report.
    pub before: Vec<ViolationRun>,
    /// And in the second.
    pub after: Vec<ViolationRun>,
}

/// A run of days of a violation.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ViolationRun {
    /// The first day.
    pub on: Day,
    /// The first day after, or `null` while it goes on.
    pub until: Option<Day>,
    /// Whether the act was assumed.
    pub assumed: bool,
}

/// An instrument whose force or bindings differ.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct InstrumentChange {
    /// Its id.
    pub id: String,
    /// When it is in force, in each report, when that differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_force: Option<Periods>,
    /// Whom it binds and when, for each party for whom that differs.
    pub bound: BTreeMap<String, Periods>,
}

/// Runs of days in each report.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Periods {
    /// In the first.
    pub before: Vec<Interval>,
    /// In the second.
    pub after: Vec<Interval>,
}

impl Diff {
    /// The differences between two reports.
    pub fn new(a: &Report, b: &Report) -> Diff {
        Diff {
            before: a.scenario.clone(),
            after: b.scenario.clone(),
            changes: norm_changes(a, b),
            conflicts: conflict_changes(a, b),
            violations: violation_changes(a, b),
            instruments: instrument_changes(a, b),
        }
    }

    /// Whether nothing differs.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
            && self.conflicts.is_empty()
            && self.violations.is_empty()
            && self.instruments.is_empty()
    }

    /// The diff as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        s.push('\n');
        s
    }

    /// The diff for people: `+` appears, `-` disappears, `~` changes; norms grouped by party,
    /// then conflicts, violations and instruments.
    pub fn text(&self, report: &Report) -> String {
        let mut out = format!("From \"{}\" to \"{}\"\n", self.before, self.after);
        if self.is_empty() {
            out.push_str("\nNothing changes.\n");
            return out;
        }
        if !self.changes.is_empty() {
            out.push_str("\nNorms\n");
        }
        let mut party = "";
        for c in &self.changes {
            if *c.party != *party {
                party = &c.party;
                let _ = writeln!(out, "  {party}");
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
                (Some(p), Some(q)) if p.status == q.status && p.since == q.since && p.due == q.due => {
                    writeln!(out, "    ~ {what} — holds {} → {}", runs(&p.episodes), runs(&q.episodes))
                }
                (Some(p), Some(q)) => writeln!(out, "    ~ {what} — {} → {}", show(p), show(q)),
                (None, None) => Ok(()),
            };
        }
        if !self.conflicts.is_empty() {
            out.push_str("\nConflicts\n");
        }
        for c in &self.conflicts {
            let days = |rs: &[ConflictRun]| {
                let spans: Vec<Interval> = rs.iter().map(|r| Interval { from: r.from, until: r.until }).collect();
                let prevails: BTreeSet<&str> = rs.iter().filter_map(|r| r.prevails.as_deref()).collect();
                let prevails: Vec<&str> = prevails.into_iter().collect();
                let prevails =
                    if prevails.is_empty() { String::new() } else { format!(" ({} prevails)", prevails.join(", ")) };
                format!("{}{prevails}", runs(&spans))
            };
            let _ = writeln!(
                out,
                "  {} {}  {}: {} — {}",
                c.change.sign(),
                c.party,
                c.kind,
                super::text::sides(report, &c.obligation, &c.prohibition),
                before_after(c.change, &days(&c.before), &days(&c.after)),
            );
        }
        if !self.violations.is_empty() {
            out.push_str("\nViolations\n");
        }
        for v in &self.violations {
            let days = |rs: &[ViolationRun]| {
                let spans: Vec<Interval> = rs.iter().map(|r| Interval { from: r.on, until: r.until }).collect();
                let assumed = if rs.iter().any(|r| r.assumed) { " (assumed)" } else { "" };
                format!("{}{assumed}", runs(&spans))
            };
            let _ = writeln!(
                out,
                "  {} {}  {} — {} art. {} — {}",
                v.change.sign(),
                v.party,
                report.action(&v.action, &v.args),
                v.instrument,
                v.article,
                before_after(v.change, &days(&v.before), &days(&v.after)),
            );
        }
        if !self.instruments.is_empty() {
            out.push_str("\nInstruments\n");
        }
        for i in &self.instruments {
            if let Some(p) = &i.in_force {
                let _ = writeln!(out, "  ~ {} in force: {} → {}", i.id, runs(&p.before), runs(&p.after));
            }
            for (party, p) in &i.bound {
                let _ = writeln!(out, "  ~ {} binds {party}: {} → {}", i.id, runs(&p.before), runs(&p.after));
            }
        }
        out
    }
}

/// `since 2024-12-04`, `from 2024-12-04 to 2025-01-01, since 2025-03-01`, or `never`.
fn runs(spans: &[Interval]) -> String {
    if spans.is_empty() {
        return "never".to_string();
    }
    spans.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// What a conflict or violation was and is, in words.
fn before_after(change: ChangeKind, before: &str, after: &str) -> String {
    match change {
        ChangeKind::Appears => after.to_string(),
        ChangeKind::Disappears => format!("no longer: it held {before}"),
        ChangeKind::Changes => format!("{before} → {after}"),
    }
}

fn norm_changes(a: &Report, b: &Report) -> Vec<Change> {
    // Modalities in the order of their words, as diffs have always listed them.
    type Id = (Name, &'static str, Name, Args, Name, Name);
    let id = |n: &NormReport| -> Id {
        (n.party.clone(), n.modality.words(), n.action.clone(), n.args.clone(), n.instrument.clone(), n.article.clone())
    };
    let state = |n: &NormReport| NormState {
        status: n.status,
        since: n.since,
        due: n.episodes.last().and_then(|e| e.due),
        episodes: n.episodes.iter().map(|e| Interval { from: e.from, until: e.until }).collect(),
    };
    let before: BTreeMap<Id, &NormReport> = a.norms.iter().map(|n| (id(n), n)).collect();
    let after: BTreeMap<Id, &NormReport> = b.norms.iter().map(|n| (id(n), n)).collect();
    let keys: BTreeSet<&Id> = before.keys().chain(after.keys()).collect();
    let mut changes = Vec::new();
    for k in keys {
        let (p, q) = (before.get(k), after.get(k));
        let Some(modality) = p.or(q).map(|n| n.modality) else { continue };
        let (x, y) = (p.map(|n| state(n)), q.map(|n| state(n)));
        let change = match (&x, &y) {
            (None, Some(_)) => ChangeKind::Appears,
            (Some(_), None) => ChangeKind::Disappears,
            (Some(s), Some(t)) if s != t => ChangeKind::Changes,
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
    changes
}

/// Items of two reports grouped by identity, each with its runs in each report; those whose
/// runs differ.
fn paired<I: Ord + Clone, R: PartialEq>(
    a: impl Iterator<Item = (I, R)>,
    b: impl Iterator<Item = (I, R)>,
) -> Vec<(I, Vec<R>, Vec<R>)> {
    let mut all: BTreeMap<I, (Vec<R>, Vec<R>)> = BTreeMap::new();
    for (i, r) in a {
        all.entry(i).or_default().0.push(r);
    }
    for (i, r) in b {
        all.entry(i).or_default().1.push(r);
    }
    all.into_iter().filter(|(_, (x, y))| x != y).map(|(i, (x, y))| (i, x, y)).collect()
}

fn conflict_changes(a: &Report, b: &Report) -> Vec<ConflictChange> {
    type Id = (String, ConflictKind, Side, Side);
    let split = |c: &ConflictReport| -> (Id, ConflictRun) {
        (
            (c.party.clone(), c.kind, c.obligation.clone(), c.prohibition.clone()),
            ConflictRun { from: c.from, until: c.until, prevails: c.prevails.clone() },
        )
    };
    paired(a.conflicts.iter().map(split), b.conflicts.iter().map(split))
        .into_iter()
        .map(|((party, kind, obligation, prohibition), before, after)| ConflictChange {
            change: ChangeKind::of(&before, &after),
            party,
            kind,
            obligation,
            prohibition,
            before,
            after,
        })
        .collect()
}

fn violation_changes(a: &Report, b: &Report) -> Vec<ViolationChange> {
    type Id = (String, String, String, String, Args);
    let split = |v: &ViolationReport| -> (Id, ViolationRun) {
        (
            (v.party.clone(), v.instrument.clone(), v.article.clone(), v.action.clone(), v.args.clone()),
            ViolationRun { on: v.on, until: v.until, assumed: v.assumed },
        )
    };
    paired(a.violations.iter().map(split), b.violations.iter().map(split))
        .into_iter()
        .map(|((party, instrument, article, action, args), before, after)| ViolationChange {
            change: ChangeKind::of(&before, &after),
            party,
            instrument,
            article,
            action,
            args,
            before,
            after,
        })
        .collect()
}

fn instrument_changes(a: &Report, b: &Report) -> Vec<InstrumentChange> {
    let before: BTreeMap<&str, _> = a.instruments.iter().map(|i| (i.id.as_str(), i)).collect();
    let after: BTreeMap<&str, _> = b.instruments.iter().map(|i| (i.id.as_str(), i)).collect();
    let ids: BTreeSet<&str> = before.keys().chain(after.keys()).copied().collect();
    let none = BTreeMap::new();
    let mut out = Vec::new();
    for id in ids {
        let (p, q) = (before.get(id), after.get(id));
        let force = |i: Option<&&super::InstrumentReport>| i.map(|i| i.in_force.clone()).unwrap_or_default();
        let (fp, fq) = (force(p), force(q));
        let in_force = (fp != fq).then_some(Periods { before: fp, after: fq });
        let (bp, bq) = (p.map_or(&none, |i| &i.bound), q.map_or(&none, |i| &i.bound));
        let parties: BTreeSet<&String> = bp.keys().chain(bq.keys()).collect();
        let bound: BTreeMap<String, Periods> = parties
            .into_iter()
            .filter_map(|party| {
                let (x, y) = (bp.get(party).cloned().unwrap_or_default(), bq.get(party).cloned().unwrap_or_default());
                (x != y).then(|| (party.clone(), Periods { before: x, after: y }))
            })
            .collect();
        if in_force.is_some() || !bound.is_empty() {
            out.push(InstrumentChange { id: id.to_string(), in_force, bound });
        }
    }
    out
}
