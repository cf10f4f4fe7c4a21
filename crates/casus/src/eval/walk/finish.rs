//! The end of a walk: the records of every norm, its status as of the horizon, the violations,
//! and the acts assumed performed.

use super::Walk;
use crate::calendar::Interval;
use crate::eval::acts::{ActsByActor, DatedAct, Numbered};
use crate::eval::identity::NormKey;
use crate::eval::order::into_order;
use crate::eval::status::{status_of, violations_of};
use crate::eval::{ConflictRecord, Episode, Evaluation, Fired, NormRecord, Norms, Status};
use casus_syntax::ast::Modality;

impl<'p> Walk<'p> {
    pub(super) fn finish(mut self) -> Evaluation<'p> {
        let program = self.world.program;
        let as_of = self.as_of;
        // What only the walk needed is dropped before the records are built.
        drop((std::mem::take(&mut self.given), std::mem::take(&mut self.fact_ids), std::mem::take(&mut self.act_ids)));
        drop(std::mem::take(&mut self.norms.producers));
        let deems_fired = std::mem::take(&mut self.today).deems_fired;
        drop(std::mem::take(&mut self.given_facts));
        drop((std::mem::take(&mut self.musts), std::mem::take(&mut self.must_nots)));
        drop((std::mem::take(&mut self.in_conflict), std::mem::take(&mut self.live)));
        drop(std::mem::take(&mut self.compliance));
        let mut conflicts: Vec<ConflictRecord> = self
            .conflicts
            .iter()
            .flat_map(|((kind, obligation, prohibition, prevails), runs)| {
                let (obligation, prohibition) = (self.norms.key(*obligation), self.norms.key(*prohibition));
                let included = crate::eval::included_forbidden(program, obligation, prohibition)
                    .filter(|_| *kind == crate::eval::ConflictKind::Partial);
                runs.all().map(move |when| ConflictRecord {
                    party: obligation.party,
                    kind: *kind,
                    obligation: obligation.clone(),
                    prohibition: prohibition.clone(),
                    when,
                    prevails: *prevails,
                    included: included.clone(),
                })
            })
            .collect();
        conflicts.sort();
        // The identities move into the evaluation's norms in order, a record beside each.
        let runs = std::mem::take(&mut self.norms.runs);
        let overridden = &self.overridden;
        let (keys, records) = into_order(std::mem::take(&mut self.norms.keys).into_values(), runs, |id, runs| {
            let episodes: smallvec::SmallVec<[Episode; 1]> =
                runs.all().map(|when| Episode { when, due: runs.due(program, when.from) }).collect();
            let overridden = if overridden.is_empty() {
                Vec::new()
            } else {
                overridden.get(&id).map(|r| r.all().collect()).unwrap_or_default()
            };
            NormRecord {
                episodes,
                overridden,
                status: Status::Pending,
                since: crate::calendar::Day(0),
                assumed: false,
                rule: runs.rule as usize,
            }
        });
        let mut norms = Norms { keys, records };
        let mut acts: Vec<DatedAct> =
            self.world.acts.iter().map(|a| DatedAct { act: a.item.clone(), when: a.when, assumed: false }).collect();
        let mut assumed = Vec::new();
        if self.assume {
            for (n, (key, record)) in norms.iter().enumerate() {
                if key.modality != Modality::Must {
                    continue;
                }
                for e in &record.episodes {
                    let Some(due) = crate::eval::performed_on(program, record.rule, e.when.from) else { continue };
                    let start = due.max(e.when.from);
                    if e.when.until.is_some_and(|u| u <= start) || start > as_of {
                        continue;
                    }
                    for when in (Interval { from: start, until: e.when.until }).subtract(&record.overridden) {
                        acts.push(DatedAct { act: super::act_of(key), when, assumed: true });
                        assumed.push((crate::intern::number(n), when));
                    }
                }
            }
        }
        let by_actor = ActsByActor::new(&acts, &program.categories);
        let caps = if program.rules.iter().any(|r| r.cap.is_some()) {
            let matching = |key: &NormKey| {
                let mut found = Vec::new();
                by_actor.matching(key, &mut found);
                found.into_iter().map(|(i, _)| i).collect()
            };
            crate::eval::caps::caps(program, &self.world, &norms, &acts, as_of, &matching)
        } else {
            std::collections::BTreeMap::new()
        };
        let mut violations = Vec::new();
        let mut matching: Vec<Numbered> = Vec::new();
        for (key, record) in norms.keys.iter().zip(norms.records.iter_mut()) {
            by_actor.matching(key, &mut matching);
            let mut found: Vec<Numbered> = std::mem::take(&mut matching);
            // A capped prohibition is broken only by the acts beyond its cap, and by assumed
            // acts, whose amounts are unknown.
            if let Some(outcome) = caps.get(key) {
                found.retain(|(i, a)| a.assumed || outcome.deliveries.iter().any(|d| d.act == *i && d.breaks()));
            }
            let others = program.actions.get(&key.action).is_some_and(|a| !a.fulfilled_by.is_empty());
            if key.modality == Modality::Must && others {
                for k in crate::eval::fulfilling(program, key).iter().skip(1) {
                    by_actor.matching(k, &mut matching);
                    found.append(&mut matching);
                }
                found.sort_unstable_by_key(|(i, _)| *i);
                found.dedup_by_key(|(i, _)| *i);
            }
            let matching: Vec<&DatedAct> = found.into_iter().map(|(_, a)| a).collect();
            let (status, since, assumed) = status_of(key, record, &matching, as_of);
            record.status = status;
            record.since = since;
            record.assumed = assumed;
            if key.modality == Modality::MustNot {
                violations.extend(violations_of(key, record, &matching, as_of));
            }
        }
        violations.sort();
        Evaluation {
            world: self.world,
            as_of,
            assume_compliance: self.assume,
            norms,
            conflicts,
            violations,
            caps,
            assumed,
            change_points: self.visited,
            fired: Fired { norm_rules: self.fired, deem_rules: deems_fired },
            exhausted: self.exhausted,
            delayed: self.delayed,
        }
    }
}
