//! What acts make of norms, once the walk is done: each norm's status as of the horizon, the
//! violations of prohibitions, and the acts assumed performed under the compliance assumption.

use std::collections::BTreeMap;

use super::acts::DatedAct;
use super::identity::NormKey;
use super::world::Act;
use super::{NormRecord, Status, ViolationRecord};
use crate::calendar::{Day, Interval};
use casus_syntax::ast::Modality;

/// The status of a norm as of `as_of`, from its latest episode, and whether an assumed act
/// alone fulfilled it.
pub(super) fn status_of(key: &NormKey, record: &NormRecord, acts: &[&DatedAct], as_of: Day) -> (Status, bool) {
    let Some(e) = record.episodes.last() else {
        return (Status::Pending, false);
    };
    let last_active = e.when.until.map_or(as_of, |u| Day(u.0 - 1)).min(as_of);
    let overridden_now = record.overridden.iter().any(|o| o.contains(last_active));
    let ended = e.when.until.is_some_and(|u| u <= as_of);
    match key.modality {
        // A permission, or an unbroken prohibition, that no longer holds is discharged.
        Modality::May if ended => (Status::Discharged, false),
        Modality::May => (Status::Permitted, false),
        Modality::MustNot => {
            let window = Interval { from: e.when.from, until: Some(last_active.next()) };
            if !acts.is_empty()
                && window.subtract(&record.overridden).iter().any(|w| acts.iter().any(|a| w.overlaps(&a.when)))
            {
                (Status::Violated, false)
            } else if overridden_now {
                (Status::Overridden, false)
            } else if ended {
                (Status::Discharged, false)
            } else {
                (Status::InEffect, false)
            }
        }
        Modality::Must => {
            let end = match e.due {
                Some(due) => due.min(last_active),
                None => last_active,
            };
            let window = Interval { from: e.when.from, until: Some(end.next()) };
            let given = acts.iter().any(|a| !a.assumed && window.overlaps(&a.when));
            let assumed = acts.iter().any(|a| a.assumed && window.overlaps(&a.when));
            if given || assumed {
                return (Status::Fulfilled, !given);
            }
            if overridden_now {
                return (Status::Overridden, false);
            }
            match e.due {
                Some(due) if e.when.contains(due) && as_of > due => (Status::Violated, false),
                _ if ended => (Status::Discharged, false),
                _ => (Status::Pending, false),
            }
        }
    }
}

/// The runs of days on which matching acts broke a prohibition while it was active and not
/// overridden.
pub(super) fn violations_of(
    key: &NormKey,
    record: &NormRecord,
    acts: &[&DatedAct],
    as_of: Day,
) -> Vec<ViolationRecord> {
    // The days each act broke the prohibition; the same act may come from several sources
    // (two obligations assumed performed alike), and is one violation over its days.
    if acts.is_empty() {
        return Vec::new();
    }
    let mut days: BTreeMap<(&Act, bool), Vec<Interval>> = BTreeMap::new();
    let horizon = Some(as_of.next());
    for e in &record.episodes {
        let window = Interval { from: e.when.from, until: e.when.until.map_or(horizon, |u| Some(u.min(as_of.next()))) };
        for allowed in window.subtract(&record.overridden) {
            for a in acts {
                if let Some(both) = allowed.intersect(&a.when) {
                    days.entry((&a.act, a.assumed)).or_default().push(both);
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
                act: act.clone(),
                when: Interval { from: when.from, until },
                assumed,
            });
        }
    }
    out
}
