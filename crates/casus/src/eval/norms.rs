//! The norms of a walk: numbered once, counted by the rules that produce them, with their runs of
//! active days, and the conflicts and overrides that follow from what appears and goes.

use std::collections::BTreeSet;

use super::identity::{NormKey, args_unify, includes_forbidden};
use super::state::{DayState, Support};
use super::walk::{Changes, Walk};
use super::world::Fact;
use super::{ConflictKind, due_date};
use crate::calendar::{Day, Interval};
use crate::intern::Interner;
use crate::program::index::{PartyIndex, RuleIndex};
use crate::program::{InstId, Program, Trigger};
use casus_syntax::ast::Modality;

/// A norm's number in a walk: its identity, interned when first produced, so that the walk's
/// maps and caches hold integers rather than copies of the identity.
pub(super) type NormId = u32;

/// The norms one rule gave for one fact or act: most give a few.
pub(super) type NormIds = smallvec::SmallVec<[NormId; 4]>;

/// The rules producing a norm on a day, each with how many times: mostly one rule.
pub(super) type Producers = smallvec::SmallVec<[(u32, u32); 2]>;

/// Every norm a walk has produced, by number, with what the walk keeps of each.
#[derive(Default)]
pub(super) struct NormTable {
    /// The identities, numbered.
    pub(super) keys: Interner<NormKey>,
    /// The rules producing it today, and how many times each.
    pub(super) producers: Vec<Producers>,
    /// Its runs of active days.
    pub(super) runs: Vec<Runs>,
    /// How many live conflicts override it.
    pub(super) overrides: Vec<u32>,
    /// While it holds, an obligation's or prohibition's position in its party's list of them
    /// (`Walk::musts`, `Walk::must_nots`), so that taking it away searches nothing.
    pub(super) place: Vec<u32>,
}

impl NormTable {
    /// The number of a norm, numbering it if it is new.
    pub(super) fn intern(&mut self, key: NormKey) -> NormId {
        let id = self.keys.intern(key);
        if id as usize == self.producers.len() {
            self.producers.push(Producers::new());
            self.runs.push(Runs::default());
            self.overrides.push(0);
            self.place.push(0);
        }
        id
    }

    pub(super) fn key(&self, id: NormId) -> &NormKey {
        self.keys.resolve(id)
    }

    /// The lowest-numbered rule producing it today, the one its records name: asked of a norm
    /// that appeared today, which some rule produces.
    pub(super) fn first_producer(&self, id: NormId) -> Option<usize> {
        self.producers[id as usize].iter().map(|&(r, _)| r as usize).min()
    }

    pub(super) fn overridden(&self, id: NormId) -> bool {
        self.overrides[id as usize] > 0
    }
}

/// What triggered a cached rule output: a fact or act by its number in the walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Trig {
    /// A rule without a pattern, or one computed afresh.
    Whole,
    Fact(u32),
    Act(u32),
}

/// A conflict's identity: its kind, the obligation, the prohibition, and what prevails.
pub(super) type ConflictKey = (ConflictKind, NormId, NormId, Option<InstId>);

/// Runs of change points on which something holds, closed when it stops.
#[derive(Clone, Debug, Default)]
pub(super) struct Runs {
    /// Most norms hold for one run, kept inline.
    pub(super) done: smallvec::SmallVec<[Interval; 1]>,
    pub(super) open: Option<Day>,
    /// For a norm, the rule that first gave it, whose deadline its episodes fall due by.
    pub(super) rule: usize,
}

impl Runs {
    /// Closes the open run, from `from` until `until`. A norm that recurs tends to recur
    /// often: past the inline run, room is made for several.
    pub(super) fn close(&mut self, from: Day, until: Day) {
        if self.done.len() == self.done.inline_size() {
            self.done.reserve_exact(4);
        }
        self.done.push(Interval { from, until: Some(until) });
    }

    pub(super) fn all(&self) -> impl Iterator<Item = Interval> + '_ {
        self.done.iter().copied().chain(self.open.map(|from| Interval { from, until: None }))
    }

    /// The due date of a norm's episode that starts on `start`, in the report and under the
    /// compliance assumption alike.
    pub(super) fn due(&self, program: &Program, start: Day) -> Option<Day> {
        due_date(program, self.rule, start)
    }
}

impl Walk<'_> {
    /// Updates the rule caches for today and returns the norms that appeared and those that
    /// went away.
    pub(super) fn norm_changes(&mut self, state: &DayState, changes: &Changes) -> Delta {
        let program = self.world.program;
        // Rules to compute afresh: those of instruments whose status changed since the last
        // change point (all of them on the first), and those computed afresh every day.
        let mut fresh: Vec<usize> = Vec::new();
        match self.previous_day {
            None => fresh.extend(0..program.rules.len()),
            Some(prev) => {
                for &(_, i) in self.parties.status_changes_between(prev.next(), state.day) {
                    fresh.extend(program.rules_by_instrument.get(i).into_iter().flatten().copied());
                }
            }
        }
        fresh.extend(self.index.complex.iter().copied());
        fresh.sort_unstable();
        fresh.dedup();
        let mut delta = Delta::default();
        for &r in &fresh {
            // The rule's cache is swapped with an empty one and drained, so that neither gives
            // up its room: rules computed afresh every day would otherwise allocate it anew.
            let mut old = std::mem::take(&mut self.spare);
            if let Some(c) = self.cache.get_mut(r) {
                std::mem::swap(c, &mut old);
            }
            for (_, keys) in old.drain() {
                self.unproduce(r, keys, &mut delta);
            }
            self.spare = old;
        }
        // What the facts and acts that went away gave is taken away.
        let mut lost: Vec<(usize, NormIds)> = Vec::new();
        for f in &changes.lost_facts {
            let Some(id) = self.fact_ids.get(f) else { continue };
            for r in rules_for(self.index, &self.parties, f) {
                if fresh.binary_search(&r).is_err()
                    && let Some(keys) = self.cache.get_mut(r).and_then(|c| c.remove(&Trig::Fact(id)))
                {
                    lost.push((r, keys));
                }
            }
        }
        for a in &changes.lost_acts {
            let Some(id) = self.act_ids.get(a) else { continue };
            for &r in self.index.by_act.get(&a.action).into_iter().flatten() {
                if fresh.binary_search(&r).is_err()
                    && let Some(keys) = self.cache.get_mut(r).and_then(|c| c.remove(&Trig::Act(id)))
                {
                    lost.push((r, keys));
                }
            }
        }
        for (r, keys) in lost {
            self.unproduce(r, keys, &mut delta);
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
                            parties.keys().flat_map(|&p| state.with_arg(kind, role, p)).copied().collect()
                        }
                        Some(role) => of_kind
                            .iter()
                            .copied()
                            .filter(|&i| {
                                state.facts.get(i).is_some_and(|(f, _)| {
                                    f.args.iter().any(|&(r, v)| r == role && parties.contains_key(&v))
                                })
                            })
                            .collect(),
                        None => of_kind.to_vec(),
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
                    for &i in state.of_action(action) {
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
        let mut rules: Vec<usize> = Vec::new();
        for f in &changes.new_facts {
            let Some(i) = state.fact_position(f) else { continue };
            rules.clear();
            rules.extend(rules_for(self.index, &self.parties, f));
            let id = self.fact_ids.intern_ref(f);
            for &r in &rules {
                if fresh.binary_search(&r).is_err() {
                    state.rule_norms(&self.world, r, Some(Support::Fact(i)), &mut keys);
                    self.produce(r, Trig::Fact(id), &mut keys, &mut delta);
                }
            }
        }
        for a in &changes.new_acts {
            let Some(i) = state.act_position(a) else { continue };
            let id = self.act_ids.intern_ref(a);
            let index = self.index;
            for &r in index.by_act.get(&a.action).into_iter().flatten() {
                if fresh.binary_search(&r).is_err() {
                    state.rule_norms(&self.world, r, Some(Support::Act(i)), &mut keys);
                    self.produce(r, Trig::Act(id), &mut keys, &mut delta);
                }
            }
        }
        // A norm whose last producer went away is gone, unless produced again today.
        let mut gone = std::mem::take(&mut delta.maybe_gone);
        gone.retain(|&k| self.norms.producers[k as usize].is_empty());
        gone.sort_unstable();
        gone.dedup();
        delta.gone = gone;
        // A norm that lost its producers and gained one again today did not appear.
        delta.appeared.retain(|&k| self.norms.runs[k as usize].open.is_none());
        delta.appeared.sort_unstable();
        delta.appeared.dedup();
        delta
    }

    /// Counts rule `r` as a producer of the norms in `keys` (which it empties), and caches them
    /// as what `trig` gave.
    pub(super) fn produce(&mut self, r: usize, trig: Trig, keys: &mut Vec<NormKey>, delta: &mut Delta) {
        let ids: NormIds = keys.drain(..).map(|k| self.norms.intern(k)).collect();
        let rule = u32::try_from(r).unwrap_or(u32::MAX);
        for &k in &ids {
            let producers = &mut self.norms.producers[k as usize];
            if producers.is_empty() {
                delta.appeared.push(k);
            }
            match producers.iter_mut().find(|(p, _)| *p == rule) {
                Some((_, n)) => *n += 1,
                None => producers.push((rule, 1)),
            }
        }
        if let Some(c) = self.cache.get_mut(r) {
            c.insert(trig, ids);
        }
    }

    /// Takes away what rule `r` produced, noting the norms that may be gone.
    pub(super) fn unproduce(&mut self, r: usize, keys: NormIds, delta: &mut Delta) {
        let rule = u32::try_from(r).unwrap_or(u32::MAX);
        for k in keys {
            let p = &mut self.norms.producers[k as usize];
            if let Some(at) = p.iter().position(|(q, _)| *q == rule) {
                p[at].1 -= 1;
                if p[at].1 == 0 {
                    p.swap_remove(at);
                }
            }
            delta.maybe_gone.push(k);
        }
    }

    /// Takes today's changes into the runs, conflicts and overrides, and schedules the days
    /// on which assumed acts will first count.
    pub(super) fn step(&mut self, d: Day, delta: Delta) {
        let program = self.world.program;
        let Delta { appeared, gone, .. } = delta;
        let mut override_changed: BTreeSet<NormId> = BTreeSet::new();
        for &k in &gone {
            let runs = &mut self.norms.runs[k as usize];
            if let Some(from) = runs.open.take() {
                runs.close(from, d);
            }
            let key = self.norms.key(k);
            let set = if key.modality == Modality::Must { &mut self.musts } else { &mut self.must_nots };
            let at = self.norms.place[k as usize] as usize;
            if let Some(s) = set.get_mut(&key.party)
                && s.get(at) == Some(&k)
            {
                s.swap_remove(at);
                if let Some(&moved) = s.get(at) {
                    self.norms.place[moved as usize] = self.norms.place[k as usize];
                }
            }
            for c in self.in_conflict.remove(&k).unwrap_or_default() {
                self.close_conflict(&c, d, &mut override_changed);
            }
        }
        for &k in &appeared {
            // PANIC SAFETY: a norm appears on a day only when some rule produces it that day.
            #[expect(clippy::expect_used, reason = "an invariant of the walk")]
            let rule = self.norms.first_producer(k).expect("a norm that appears has a producer");
            let runs = &mut self.norms.runs[k as usize];
            if runs.open.is_none() && runs.done.is_empty() {
                runs.rule = rule;
            }
            runs.open.get_or_insert(d);
            let key = self.norms.key(k);
            let set = match key.modality {
                Modality::Must => self.musts.entry(key.party).or_default(),
                Modality::MustNot => self.must_nots.entry(key.party).or_default(),
                Modality::May => continue,
            };
            self.norms.place[k as usize] = u32::try_from(set.len()).unwrap_or(u32::MAX);
            set.push(k);
        }
        for &k in &appeared {
            let key = self.norms.key(k);
            let others = match key.modality {
                Modality::Must => self.must_nots.get(&key.party),
                Modality::MustNot => self.musts.get(&key.party),
                Modality::May => None,
            };
            let mut found: Vec<ConflictKey> = Vec::new();
            for &o in others.into_iter().flatten() {
                let (m, f) = if key.modality == Modality::Must { (k, o) } else { (o, k) };
                if let Some(c) = conflict_of(program, &self.norms, m, f)
                    && !self.live.contains(&c)
                {
                    found.push(c);
                }
            }
            found.sort_unstable();
            for c in found {
                if !self.live.insert(c) {
                    continue;
                }
                self.conflicts.entry(c).or_default().open.get_or_insert(d);
                for side in [c.1, c.2] {
                    self.in_conflict.entry(side).or_default().push(c);
                }
                if let Some(loser) = loser(&self.norms, &c) {
                    self.norms.overrides[loser as usize] += 1;
                    override_changed.insert(loser);
                }
            }
        }
        for &k in &override_changed {
            let now = self.norms.overridden(k);
            let runs = self.overridden.entry(k).or_default();
            match (now, runs.open) {
                (true, None) => runs.open = Some(d),
                (false, Some(from)) => {
                    runs.open = None;
                    runs.close(from, d);
                }
                _ => {}
            }
        }
        if self.assume {
            let mut changed: Vec<NormId> = gone
                .iter()
                .chain(&appeared)
                .chain(&override_changed)
                .copied()
                .filter(|&k| self.norms.key(k).modality == Modality::Must)
                .collect();
            changed.sort_unstable();
            changed.dedup();
            for k in changed {
                let runs = &self.norms.runs[k as usize];
                let due = runs.open.filter(|_| !self.norms.overridden(k)).and_then(|start| runs.due(program, start));
                // A due date after `d` is a change point.
                if let Some(u) = self.compliance.set_due(k, due).filter(|u| *u > d) {
                    self.schedule(u.next());
                }
            }
            if self.compliance.changes_after(d) {
                self.schedule(d.next());
            }
        }
    }

    pub(super) fn close_conflict(&mut self, c: &ConflictKey, d: Day, override_changed: &mut BTreeSet<NormId>) {
        if !self.live.remove(c) {
            return;
        }
        if let Some(runs) = self.conflicts.get_mut(c)
            && let Some(from) = runs.open.take()
        {
            runs.close(from, d);
        }
        for side in [c.1, c.2] {
            if let Some(list) = self.in_conflict.get_mut(&side) {
                list.retain(|x| x != c);
            }
        }
        if let Some(l) = loser(&self.norms, c) {
            let n = &mut self.norms.overrides[l as usize];
            *n = n.saturating_sub(1);
            override_changed.insert(l);
        }
    }
}

/// The rules a fact may trigger: those indexed by its kind, and those indexed by its kind, a
/// role and the party in it.
pub(super) fn rules_for<'a>(
    index: &'a RuleIndex,
    parties: &'a PartyIndex,
    f: &'a Fact,
) -> impl Iterator<Item = usize> + 'a {
    let by_kind = index.by_fact.get(&f.kind).into_iter().flatten().copied();
    by_kind.chain(f.args.iter().flat_map(move |&(role, value)| parties.rules(f.kind, role, value)))
}

/// What changed in the norms from one change point to the next.
///
/// A day takes producers away before it adds any, so a norm that lost its last producer and
/// gained one again is not gone, and one that appeared still has a producer at the end.
#[derive(Default)]
pub(super) struct Delta {
    /// Norms that were not active and gained a producer, sorted once the day is done.
    pub(super) appeared: Vec<NormId>,
    /// Norms with no producer left, sorted.
    pub(super) gone: Vec<NormId>,
    /// Norms that lost a producer; gone unless another still produces them.
    pub(super) maybe_gone: Vec<NormId>,
}

/// The conflict between obligation `mi` and prohibition `fi` of the same party, if there is one.
pub(super) fn conflict_of(program: &Program, norms: &NormTable, mi: NormId, fi: NormId) -> Option<ConflictKey> {
    let (m, f) = (norms.key(mi), norms.key(fi));
    if m.action == f.action && args_unify(&m.args, &f.args) {
        let prevails = if program.prevails(m.instrument, f.instrument) {
            Some(m.instrument)
        } else if program.prevails(f.instrument, m.instrument) {
            Some(f.instrument)
        } else {
            None
        };
        Some((ConflictKind::Direct, mi, fi, prevails))
    } else if includes_forbidden(program, m, f) {
        Some((ConflictKind::Partial, mi, fi, None))
    } else {
        None
    }
}

/// The norm a conflict overrides: the one whose instrument does not prevail.
pub(super) fn loser(norms: &NormTable, c: &ConflictKey) -> Option<NormId> {
    let &(_, m, f, prevails) = c;
    match prevails {
        Some(i) if i == norms.key(m).instrument => Some(f),
        Some(_) => Some(m),
        None => None,
    }
}
