//! What the rules give from one change point to the next: the caches of what each rule gave per
//! fact or act, kept as the facts and acts come and go, and the norms that appear and go.

use super::given::Given;
use super::{Changes, Walk};
use crate::eval::identity::{NormId, NormIds, NormKey};
use crate::eval::norms::{Delta, NormTable, Trig, rules_for};
use crate::eval::state::{DayState, Support};
use crate::intern::number;
use crate::program::Trigger;

impl Walk<'_> {
    /// Updates the rule caches for today and returns the norms that appeared and those that
    /// went away.
    pub(super) fn norm_changes(&mut self, state: &DayState, changes: &Changes) -> Delta {
        let program = self.world.program;
        // Rules to compute afresh: those of instruments whose status changed since the last
        // change point (all of them on the first); those with negation or several patterns come below.
        let mut fresh: Vec<usize> = Vec::new();
        match self.previous_day {
            None => fresh.extend(0..program.rules.len()),
            Some(prev) => {
                for &(_, i) in self.parties.status_changes_between(prev.next(), state.day) {
                    fresh.extend(program.rules_by_instrument.get(i).into_iter().flatten().copied());
                }
            }
        }
        // A rule with negation or several patterns, when a fact or act it reads came or went
        // (all of them on the first day): otherwise what it gave still holds.
        let first = self.previous_day.is_none();
        let acts_changed = !changes.new_acts.is_empty() || !changes.lost_acts.is_empty();
        let mut kinds: Vec<_> = Vec::new();
        if !self.index.complex.is_empty() {
            kinds.extend(changes.new_facts.iter().chain(&changes.lost_facts).map(|f| f.kind));
            kinds.sort_unstable();
            kinds.dedup();
        }
        fresh.extend(
            self.index
                .complex
                .iter()
                .filter(|c| first || (c.acts && acts_changed) || c.kinds.iter().any(|k| kinds.binary_search(k).is_ok()))
                .map(|c| c.rule),
        );
        if self.previous_day.is_some() && self.world_changed(state.day) {
            fresh.extend(self.index.world_readers.iter().copied());
        }
        fresh.sort_unstable();
        fresh.dedup();
        let mut delta = Delta::default();
        let mut taken: Vec<NormId> = Vec::new();
        for &r in &fresh {
            if self.given.any(r) {
                self.given.take_rule(r, &mut taken);
                self.unproduce(r, taken.drain(..), &mut delta);
            }
        }
        // What the facts and acts that went away gave is taken away: the rules computed afresh
        // gave back theirs above, so what is left is the others'.
        let lost_facts = changes.lost_facts.iter().filter_map(|f| self.fact_ids.get(f).map(Trig::Fact));
        let lost_acts = changes.lost_acts.iter().filter_map(|a| self.act_ids.get(a).map(Trig::Act));
        let lost: Vec<Trig> = lost_facts.chain(lost_acts).collect();
        for trig in lost {
            for (r, k) in self.given.take_all(trig) {
                self.unproduce(r as usize, std::iter::once(k), &mut delta);
            }
        }
        // New outputs: fresh rules for all their facts, the others for the new facts only.
        let mut keys: Vec<NormKey> = Vec::new();
        for &r in &fresh {
            let rule = program.rule(r);
            match rule.trigger {
                Trigger::Fact(_, kind) => {
                    // Only the facts with one of the instrument's parties in the indexed role: looked
                    // up party by party, or read off the facts of the kind, whichever are fewer.
                    let of_kind = state.of_kind(kind);
                    let parties = &self.world.timeline(rule.instrument).bound;
                    let positions: Vec<usize> = match self.index.party_role.get(r).copied().flatten() {
                        Some(role) if parties.len() < of_kind.len() => {
                            parties.keys().flat_map(|&p| state.with_arg(kind, role, p)).map(|&i| i as usize).collect()
                        }
                        Some(role) => of_kind
                            .iter()
                            .map(|&i| i as usize)
                            .filter(|&i| {
                                state.facts.get(i).is_some_and(|(f, _)| {
                                    f.args.iter().any(|&(r, v)| r == role && parties.contains_key(&v))
                                })
                            })
                            .collect(),
                        None => of_kind.iter().map(|&i| i as usize).collect(),
                    };
                    for i in positions {
                        if let Some((f, _)) = state.facts.get(i) {
                            state.rule_norms(&self.world, r, Some(Support::Fact(i)), &mut keys);
                            let trig = Trig::Fact(self.fact_ids.intern_ref(f));
                            self.produce(r, trig, &mut keys, &mut delta);
                        }
                    }
                }
                Trigger::Act(_, action) => {
                    for i in state.of_action(action).iter().map(|&i| i as usize) {
                        if let Some((a, _)) = state.acts.get(i) {
                            state.rule_norms(&self.world, r, Some(Support::Act(i)), &mut keys);
                            let trig = Trig::Act(self.act_ids.intern_ref(a));
                            self.produce(r, trig, &mut keys, &mut delta);
                        }
                    }
                }
                Trigger::Nothing | Trigger::Complex => {
                    state.rule_norms(&self.world, r, None, &mut keys);
                    self.produce(r, Trig::Whole, &mut keys, &mut delta);
                }
            }
        }
        // The new facts: each rule they trigger, with the fact's position and number (twelve
        // bytes each: a cascade's day has millions).
        let mut jobs: Vec<(u32, u32, u32)> = Vec::new();
        for f in &changes.new_facts {
            let Some(i) = state.fact_position(f) else { continue };
            let id = self.fact_ids.intern_ref(f);
            jobs.extend(
                rules_for(self.index, &self.parties, f)
                    .filter(|r| fresh.binary_search(r).is_err())
                    .map(|r| (number(r), number(i), id)),
            );
        }
        self.produce_for_facts(state, &jobs, &mut delta);
        for a in &changes.new_acts {
            // Only an act that some rule reads is numbered, and looked for in the state.
            let index = self.index;
            let Some(rules) = index.by_act.get(&a.action).filter(|rules| !rules.is_empty()) else { continue };
            let Some(i) = state.act_position(a) else { continue };
            let id = self.act_ids.intern_ref(a);
            for &r in rules {
                if fresh.binary_search(&r).is_err() {
                    state.rule_norms(&self.world, r, Some(Support::Act(i)), &mut keys);
                    self.produce(r, Trig::Act(id), &mut keys, &mut delta);
                }
            }
        }
        // A norm whose last producer went away is gone, unless produced again today.
        let mut gone = std::mem::take(&mut delta.maybe_gone);
        gone.retain(|&k| self.norms.producers.none(k));
        gone.sort_unstable();
        gone.dedup();
        delta.gone = gone;
        // A norm that lost its producers and gained one again today did not appear.
        delta.appeared.retain(|&k| self.norms.runs[k as usize].open().is_none());
        delta.appeared.sort_unstable();
        delta.appeared.dedup();
        delta
    }

    /// Gives each rule of `jobs`, `(rule, position, number)`, the new fact at that position,
    /// as [`Walk::produce`] does one by one, with the same numbers. The rules' norms are computed
    /// a batch of jobs at a time, as many as give [`BATCH`] norms or more, then numbered and
    /// counted in the same order. A large day's batches are computed on a second thread, while
    /// this one numbers and counts the norms of the batch before.
    fn produce_for_facts(&mut self, state: &DayState, jobs: &[(u32, u32, u32)], delta: &mut Delta) {
        let Walk { world, norms, fired, given, .. } = self;
        let world = &*world;
        // The norms of the jobs from `from` on, until they number `BATCH` or the jobs end; returns
        // where the batch ends.
        let norms_of = |from: usize, keys: &mut Vec<NormKey>, ends: &mut Vec<usize>| {
            ends.clear();
            let mut to = from;
            while let Some(&(r, i, _)) = jobs.get(to) {
                state.rule_norms(world, r as usize, Some(Support::Fact(i as usize)), keys);
                ends.push(keys.len());
                to += 1;
                if keys.len() >= BATCH {
                    break;
                }
            }
            to
        };
        // The batch's norms numbered first, all together (`NormTable::intern_all`), then each
        // rule counted as the producer of its own, `ends` saying where they end among them.
        let mut ids: Vec<NormId> = Vec::new();
        let mut produced = |batch: &[(u32, u32, u32)], keys: &mut Vec<NormKey>, ends: &[usize]| {
            ids.clear();
            norms.intern_all(keys.drain(..), &mut ids);
            let mut from = 0;
            for (&(r, _, id), &end) in batch.iter().zip(ends) {
                let numbered = ids.get(from..end).unwrap_or(&[]);
                counted(norms, fired, given, r as usize, Trig::Fact(id), numbered, delta);
                from = end;
            }
        };
        // The batches in order, each the jobs it covers with their norms.
        let batches = || {
            let mut from = 0;
            std::iter::from_fn(move || {
                (from < jobs.len()).then(|| {
                    let (mut keys, mut ends) = (Vec::new(), Vec::new());
                    let to = norms_of(from, &mut keys, &mut ends);
                    let range = from..to;
                    from = to;
                    (range, keys, ends)
                })
            })
        };
        if jobs.len() < ON_A_HELPER {
            for (range, mut keys, ends) in batches() {
                produced(&jobs[range], &mut keys, &ends);
            }
            return;
        }
        std::thread::scope(|scope| {
            // Made inside the scope, so that they are dropped before it waits for the thread.
            type Batch = (std::ops::Range<usize>, Vec<NormKey>, Vec<usize>);
            let (sent, received) = std::sync::mpsc::sync_channel::<Batch>(2);
            scope.spawn(move || {
                for batch in batches() {
                    if sent.send(batch).is_err() {
                        break;
                    }
                }
            });
            for (range, mut keys, ends) in received {
                produced(&jobs[range], &mut keys, &ends);
            }
        });
    }

    /// Counts rule `r` as a producer of the norms in `keys` (which it empties), and keeps them
    /// as what `trig` gave.
    pub(super) fn produce(&mut self, r: usize, trig: Trig, keys: &mut Vec<NormKey>, delta: &mut Delta) {
        let mut ids = NormIds::new();
        self.norms.intern_all(keys.drain(..), &mut ids);
        counted(&mut self.norms, &mut self.fired, &mut self.given, r, trig, &ids, delta);
    }

    /// Takes away what rule `r` produced, noting the norms that may be gone.
    pub(super) fn unproduce(&mut self, r: usize, keys: impl IntoIterator<Item = NormId>, delta: &mut Delta) {
        let rule = number(r);
        for k in keys {
            self.norms.producers.remove(k, rule);
            delta.maybe_gone.push(k);
        }
    }
}

/// How many rules a day's new facts trigger before their norms are computed on a second thread.
const ON_A_HELPER: usize = 1 << 14;

/// How many norms are computed, then numbered, at a time (a batch ends with the rule that reaches
/// it): on a second thread, they are handed over together, two batches at most waiting, about
/// fifty bytes each, however many norms each rule gives (a rule giving one to every member of the
/// United Nations gives 193). On the dense cascades, batches of 2^15 norms took the same time as
/// batches of 8 192 rules; batches of 2^17 left the two threads less to do at once, and the
/// 1 000-pact cascade took 1.07 times as long.
const BATCH: usize = 1 << 15;

/// Counts rule `r` as a producer of the norms numbered `ids`, and keeps them as what `trig` gave.
fn counted(
    norms: &mut NormTable,
    fired: &mut fixedbitset::FixedBitSet,
    given: &mut Given,
    r: usize,
    trig: Trig,
    ids: &[NormId],
    delta: &mut Delta,
) {
    if !ids.is_empty() {
        fired.grow_and_insert(r);
    }
    let rule = number(r);
    for &k in ids {
        if norms.producers.add(k, rule) {
            delta.appeared.push(k);
        }
    }
    given.put(r, trig, ids);
}
