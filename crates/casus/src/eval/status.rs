//! What acts make of norms, once the walk is done: each norm's status as of the horizon, the
//! violations of prohibitions, and the acts assumed performed under the compliance assumption.

use std::collections::BTreeMap;

use super::acts::{ActsByActor, DatedAct, Numbered};
use super::identity::NormKey;
use super::norms::NormId;
use super::order::sorted_order;
use super::walk::Walk;
use super::world::Act;
use super::{ConflictRecord, Episode, Evaluation, NormRecord, Norms, Status, ViolationRecord};
use crate::calendar::{Day, Interval};
use casus_syntax::ast::Modality;

impl<'p> Walk<'p> {
    pub(super) fn finish(mut self) -> Evaluation<'p> {
        let program = self.world.program;
        let as_of = self.as_of;
        // What only the walk needed is dropped before the records are built.
        drop((std::mem::take(&mut self.cache), std::mem::take(&mut self.fact_ids), std::mem::take(&mut self.act_ids)));
        drop(std::mem::take(&mut self.norms.producers));
        drop(std::mem::take(&mut self.today));
        drop((std::mem::take(&mut self.given_facts), std::mem::take(&mut self.given_acts)));
        drop((std::mem::take(&mut self.musts), std::mem::take(&mut self.must_nots)));
        drop((std::mem::take(&mut self.in_conflict), std::mem::take(&mut self.live)));
        let mut conflicts: Vec<ConflictRecord> = self
            .conflicts
            .iter()
            .flat_map(|((kind, obligation, prohibition, prevails), runs)| {
                let (obligation, prohibition) = (self.norms.key(*obligation), self.norms.key(*prohibition));
                runs.all().map(|when| ConflictRecord {
                    party: obligation.party,
                    kind: *kind,
                    obligation: obligation.clone(),
                    prohibition: prohibition.clone(),
                    when,
                    prevails: *prevails,
                })
            })
            .collect();
        conflicts.sort();
        // The identities move into the evaluation's norms, a record beside each.
        let keys = std::mem::take(&mut self.norms.keys).into_values();
        let order = sorted_order(&keys, &self.norms.runs);
        let mut records: Vec<NormRecord> = Vec::with_capacity(keys.len());
        for (id, runs) in self.norms.runs.iter().enumerate() {
            let id = NormId::try_from(id).unwrap_or(NormId::MAX);
            let episodes: smallvec::SmallVec<[Episode; 1]> =
                runs.all().map(|when| Episode { when, due: runs.due(program, when.from) }).collect();
            let overridden = self.overridden.get(&id).map(|r| r.all().collect()).unwrap_or_default();
            records.push(NormRecord { episodes, overridden, status: Status::Pending, assumed: false, rule: runs.rule });
        }
        drop(std::mem::take(&mut self.norms.runs));
        let mut norms = Norms { keys, records, order };
        let mut acts: Vec<DatedAct> =
            self.world.acts.iter().map(|a| DatedAct { act: a.item.clone(), when: a.when, assumed: false }).collect();
        let mut assumed_acts = Vec::new();
        if self.assume {
            for (key, record) in norms.iter() {
                if key.modality != Modality::Must {
                    continue;
                }
                for e in &record.episodes {
                    let Some(due) = e.due else { continue };
                    let start = due.max(e.when.from);
                    if e.when.until.is_some_and(|u| u <= start) || start > as_of {
                        continue;
                    }
                    for when in (Interval { from: start, until: e.when.until }).subtract(&record.overridden) {
                        let act = Act { party: key.party, action: key.action, args: key.args.clone() };
                        acts.push(DatedAct { act: act.clone(), when, assumed: true });
                        assumed_acts.push((act, when, key.clone()));
                    }
                }
            }
        }
        let by_actor = ActsByActor::new(&acts);
        let mut violations = Vec::new();
        let mut matching: Vec<Numbered> = Vec::new();
        for &i in &norms.order {
            let (Some(key), Some(record)) = (norms.keys.get(i as usize), norms.records.get_mut(i as usize)) else {
                continue;
            };
            by_actor.matching(key, &mut matching);
            let matching: Vec<&DatedAct> = matching.drain(..).map(|(_, a)| a).collect();
            let (status, assumed) = status_of(key, record, &matching, as_of);
            record.status = status;
            record.assumed = assumed;
            if key.modality == Modality::MustNot {
                violations.extend(violations_of(key, record, &matching, as_of));
            }
        }
        violations.sort();
        assumed_acts.sort();
        Evaluation {
            world: self.world,
            as_of,
            assume_compliance: self.assume,
            norms,
            conflicts,
            violations,
            assumed_acts,
            change_points: self.visited,
            delayed: self.delayed,
        }
    }
}

/// The status of a norm as of `as_of`, from its latest episode, and whether an assumed act
/// alone fulfilled it.
pub(super) fn status_of(key: &NormKey, record: &NormRecord, acts: &[&DatedAct], as_of: Day) -> (Status, bool) {
    let Some(e) = record.episodes.last() else {
        return (Status::Pending, false);
    };
    let last_active = e.when.until.map_or(as_of, |u| Day(u.0 - 1)).min(as_of);
    let overridden_now = record.overridden.iter().any(|o| o.contains(last_active));
    match key.modality {
        Modality::May => (Status::Permitted, false),
        Modality::MustNot => {
            let window = Interval { from: e.when.from, until: Some(last_active.next()) };
            if !acts.is_empty()
                && window.subtract(&record.overridden).iter().any(|w| acts.iter().any(|a| w.overlaps(&a.when)))
            {
                (Status::Violated, false)
            } else if overridden_now {
                (Status::Overridden, false)
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
            let ended = e.when.until.is_some_and(|u| u <= as_of);
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
