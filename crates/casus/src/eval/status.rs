//! What acts make of norms, once the walk is done: each norm's status as of the horizon, the
//! violations of prohibitions, and the acts assumed performed under the compliance assumption.

use std::collections::BTreeMap;

use super::acts::DatedAct;
use super::identity::NormKey;
use super::world::ActRef;
use super::{NormRecord, Status, ViolationRecord};
use crate::calendar::{Day, Interval};
use casus_syntax::ast::Modality;

/// The status of a norm as of `as_of`, from its latest episode; the first day of that status
/// (the day the act that fulfilled or broke it began, the day after a missed due date, the day
/// the episode ended, or the day it began); and whether an assumed act alone fulfilled it.
pub(super) fn status_of(key: &NormKey, record: &NormRecord, acts: &[DatedAct], as_of: Day) -> (Status, Day, bool) {
    let Some(e) = record.episodes.last() else {
        return (Status::Pending, Day(0), false);
    };
    let last_active = e.when.until.map_or(as_of, |u| Day(u.0 - 1)).min(as_of);
    let overridden_now = record.overridden.iter().find(|o| o.contains(last_active));
    let overridden_since = overridden_now.map(|o| o.from.max(e.when.from));
    let ended = e.when.until.filter(|u| *u <= as_of);
    // The first day an act overlaps one of `windows`.
    let first_act = |windows: &[Interval], assumed: Option<bool>| {
        acts.iter()
            .filter(|a| assumed.is_none_or(|x| a.assumed == x))
            .flat_map(|a| windows.iter().filter(|w| w.overlaps(&a.when)).map(|w| w.from.max(a.when.from)))
            .min()
    };
    match key.modality {
        // A permission, or an unbroken prohibition, that no longer holds is discharged.
        Modality::May => match ended {
            Some(u) => (Status::Discharged, u, false),
            None => (Status::Permitted, e.when.from, false),
        },
        Modality::MustNot => {
            let window = Interval { from: e.when.from, until: Some(last_active.next()) };
            let allowed = window.subtract(&record.overridden);
            if let Some(on) = first_act(&allowed, None) {
                (Status::Violated, on, false)
            } else if let Some(since) = overridden_since {
                (Status::Overridden, since, false)
            } else if let Some(u) = ended {
                (Status::Discharged, u, false)
            } else {
                (Status::InEffect, e.when.from, false)
            }
        }
        Modality::Must => {
            let end = match e.due {
                Some(due) => due.min(last_active),
                None => last_active,
            };
            let window = [Interval { from: e.when.from, until: Some(end.next()) }];
            if let Some(on) = first_act(&window, Some(false)) {
                return (Status::Fulfilled, on, false);
            }
            if let Some(on) = first_act(&window, Some(true)) {
                return (Status::Fulfilled, on, true);
            }
            if let Some(since) = overridden_since {
                return (Status::Overridden, since, false);
            }
            match (e.due, ended) {
                // An obligation that arises after the date it is due by is overdue from its first
                // day (docs/semantics.md): no act can perform it in time.
                (Some(due), _) if due < e.when.from => (Status::Violated, e.when.from, false),
                (Some(due), _) if e.when.contains(due) && as_of > due => (Status::Violated, due.next(), false),
                (_, Some(u)) => (Status::Discharged, u, false),
                _ => (Status::Pending, e.when.from, false),
            }
        }
    }
}

/// The runs of days on which matching acts broke a prohibition while it was active and not
/// overridden.
pub(super) fn violations_of(key: &NormKey, record: &NormRecord, acts: &[DatedAct], as_of: Day) -> Vec<ViolationRecord> {
    // The days each act broke the prohibition; the same act may come from several sources
    // (two obligations assumed performed alike), and is one violation over its days.
    if acts.is_empty() {
        return Vec::new();
    }
    let mut days: BTreeMap<(ActRef, bool), Vec<Interval>> = BTreeMap::new();
    let horizon = Some(as_of.next());
    for e in &record.episodes {
        let window = Interval { from: e.when.from, until: e.when.until.map_or(horizon, |u| Some(u.min(as_of.next()))) };
        for allowed in window.subtract(&record.overridden) {
            for a in acts {
                if let Some(both) = allowed.intersect(&a.when) {
                    days.entry((a.act, a.assumed)).or_default().push(both);
                }
            }
        }
    }
    let mut out = Vec::new();
    for ((act, assumed), intervals) in days {
        for when in Interval::merge(intervals) {
            let until = when.until.filter(|u| *u <= as_of);
            out.push(ViolationRecord {
                prohibition: key.clone(),
                act: act.owned(),
                when: Interval { from: when.from, until },
                assumed,
            });
        }
    }
    out
}
