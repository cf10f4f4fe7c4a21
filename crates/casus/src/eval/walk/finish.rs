//! The end of a walk: the records of every norm, its status as of the horizon, the violations,
//! and the acts assumed performed.

use std::mem::take;

use super::Walk;
use crate::calendar::{Day, Interval};
use crate::eval::acts::{Acts, ActsByActor, ByArgs, DatedAct, Numbered};
use crate::eval::identity::NormKey;
use crate::eval::norms::NormTable;
use crate::eval::order::into_order;
use crate::eval::ranks::Ranks;
use crate::eval::status::{status_of, violations_of};
use crate::eval::{CapOutcome, ConflictRecord, Episode, Evaluation, Fired, NormRecord, Norms, Status, ViolationRecord};
use crate::program::Program;
use casus_syntax::ast::Modality;

impl<'p> Walk<'p> {
    pub(super) fn finish(mut self) -> Evaluation<'p> {
        let program = self.world.program;
        let as_of = self.as_of;
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
        // What only the walk needed is dropped while the norms are put in order: on a second
        // thread for a large walk (a cascade's day holds millions of acts).
        let NormTable { keys, producers, runs, overrides, place } = take(&mut self.norms);
        let mut today = take(&mut self.today);
        let deems_fired = take(&mut today.deems_fired);
        let walk_only = (
            (today, producers, overrides, place),
            (take(&mut self.given), take(&mut self.fact_ids), take(&mut self.act_ids), take(&mut self.given_facts)),
            (take(&mut self.musts), take(&mut self.must_nots), take(&mut self.in_conflict), take(&mut self.live)),
            take(&mut self.compliance),
        );
        let large = keys.len() >= crate::halves::NORMS_ON_TWO_THREADS;
        let keys = keys.into_values();
        // The identities move into the evaluation's norms in order, a record beside each.
        let overridden = &self.overridden;
        let (keys, records) = crate::halves::dropping(walk_only, large, || {
            into_order(keys, runs, |id, runs| {
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
            })
        });
        let mut norms = Norms { keys, records, names: None };
        let (mut assumed, by_args) = if self.assume {
            assumed_acts(program, as_of, (&norms.keys, &norms.records), self.world.acts.len(), large)
        } else {
            (Vec::new(), Vec::new())
        };
        let acts = Acts::new(&self.world.acts, &norms.keys, &assumed);
        let by_actor = ActsByActor::new(acts, &program.categories, by_args);
        let caps = if program.rules.iter().any(|r| r.cap.is_some()) {
            let cursor = std::cell::Cell::new(0);
            let matching = |key: &NormKey| {
                let (mut found, mut at) = (Vec::new(), cursor.get());
                by_actor.matching(key, &mut at, &mut found);
                cursor.set(at);
                found.into_iter().map(|(i, _)| i).collect()
            };
            crate::eval::caps::caps(program, &self.world, &norms, &acts, as_of, &matching)
        } else {
            std::collections::BTreeMap::new()
        };
        // The statuses, in the records' two halves at once past a threshold (below it, the
        // first half is every norm); the violations in order.
        let [records_a, records_b] = &mut norms.records;
        let (keys_a, keys_b) = norms.keys.split_at(records_a.len().min(norms.keys.len()));
        let finder = Statuses { program, by_actor: &by_actor, caps: &caps, as_of };
        let (mut violations, more) = if records_b.is_empty() {
            (finder.of(keys_a, records_a), Vec::new())
        } else {
            crate::halves::join(|| finder.of(keys_a, records_a), || finder.of(keys_b, records_b))
        };
        violations.extend(more);
        violations.sort();
        // A large evaluation's norms are put in order of names party by party, where a report
        // reads them; the acts assumed follow the obligations they perform. A small one's are
        // left in order of identity, and a report sorts them (`Norms::by_names`): that costs
        // less than this where no report is made (`casus sweep`, an evaluation alone).
        if large {
            let moved = norms.put_in_order_of_names(Ranks::new(&self.world), true, !assumed.is_empty());
            for (n, _) in &mut assumed {
                if let Some(&to) = moved.get(*n as usize) {
                    *n = to;
                }
            }
        }
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

/// The acts that the obligations among the norms `keys` are assumed to perform, from their due
/// dates: each obligation's number with the days, in order of obligation; and each act's entry
/// for finding it by actor (`ActsByActor`), numbered after the `given` acts, made in the same
/// pass. The act is the obligation's party, action and arguments. With `two_threads`, each list
/// of records is read on a thread of its own, and the second list's acts follow the first's.
fn assumed_acts<'k>(
    program: &Program,
    as_of: Day,
    (keys, [first, rest]): (&'k [NormKey], &[Vec<NormRecord>; 2]),
    given: usize,
    two_threads: bool,
) -> (Vec<(u32, Interval)>, Vec<ByArgs<'k>>) {
    let split = first.len().min(keys.len());
    let (keys_a, keys_b) = keys.split_at(split);
    let half = |keys: &'k [NormKey], records: &[NormRecord], from: usize| {
        let (mut assumed, mut by_args) = (Vec::new(), Vec::new());
        for (n, (key, record)) in keys.iter().zip(records).enumerate() {
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
                    by_args.push(crate::eval::acts::by_args(key, given + assumed.len()));
                    assumed.push((crate::intern::number(from + n), when));
                }
            }
        }
        (assumed, by_args)
    };
    let ((mut assumed, mut by_args), (more, more_by_args)) = if two_threads && !rest.is_empty() {
        crate::halves::join(|| half(keys_a, first, 0), || half(keys_b, rest, split))
    } else {
        (half(keys_a, first, 0), half(keys_b, rest, split))
    };
    let before = crate::intern::number(assumed.len());
    assumed.extend(more);
    by_args.extend(more_by_args.into_iter().map(|(actor, args, i)| (actor, args, i + before)));
    (assumed, by_args)
}

/// What the statuses of norms are found from: the acts by actor, the caps' outcomes and the
/// horizon.
struct Statuses<'s, 'a> {
    program: &'s Program,
    by_actor: &'s ActsByActor<'a>,
    caps: &'s std::collections::BTreeMap<NormKey, CapOutcome>,
    as_of: Day,
}

impl Statuses<'_, '_> {
    /// Gives each of norms `keys` its status in `records`, from the acts that match it, and
    /// returns the violations of the prohibitions among them, in order.
    fn of(&self, keys: &[NormKey], records: &mut [NormRecord]) -> Vec<ViolationRecord> {
        let Statuses { program, by_actor, caps, as_of } = *self;
        let mut violations = Vec::new();
        let (mut cursor, mut found, mut more): (usize, Vec<Numbered>, Vec<Numbered>) = (0, Vec::new(), Vec::new());
        let mut matching: Vec<DatedAct> = Vec::new();
        for (key, record) in keys.iter().zip(records.iter_mut()) {
            by_actor.matching(key, &mut cursor, &mut found);
            // A capped prohibition is broken only by the acts beyond its cap, and by assumed
            // acts, whose amounts are unknown.
            if let Some(outcome) = caps.get(key) {
                found.retain(|(i, a)| a.assumed || outcome.deliveries.iter().any(|d| d.act == *i && d.breaks()));
            }
            let others = program.actions.get(&key.action).is_some_and(|a| !a.fulfilled_by.is_empty());
            if key.modality == Modality::Must && others {
                for k in crate::eval::fulfilling(program, key).iter().skip(1) {
                    by_actor.matching(k, &mut cursor, &mut more);
                    found.append(&mut more);
                }
                found.sort_unstable_by_key(|(i, _)| *i);
                found.dedup_by_key(|(i, _)| *i);
            }
            matching.clear();
            matching.extend(found.iter().map(|&(_, a)| a));
            let (status, since, assumed) = status_of(key, record, &matching, as_of);
            record.status = status;
            record.since = since;
            record.assumed = assumed;
            if key.modality == Modality::MustNot {
                violations.extend(violations_of(key, record, &matching, as_of));
            }
        }
        violations
    }
}
