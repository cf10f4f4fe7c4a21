//! The norms of a walk: numbered once, counted by the rules that produce them, with their runs of
//! active days, and the conflicts and overrides that follow from what appears and goes.

use super::identity::{NormId, NormKey, args_unify, included_forbidden};
use super::world::Fact;
use super::{ConflictKind, due_date, performed_on};
use crate::calendar::{Day, Interval};
use crate::intern::Interner;
use crate::program::index::{PartyIndex, RuleIndex};
use crate::program::{InstId, Program};

/// The rules producing each norm on a day, each with how many times. Mostly one rule produces a
/// norm: its `(rule, times)` is kept in eight bytes per norm, and the other rules of the few
/// norms several produce in a table beside.
#[derive(Default)]
pub(super) struct Producers {
    /// Per norm: a rule producing it and how many times, or no times if none does.
    first: Vec<(u32, u32)>,
    /// The other rules producing a norm, and how many times each.
    more: rustc_hash::FxHashMap<NormId, smallvec::SmallVec<[(u32, u32); 2]>>,
}

impl Producers {
    /// Counts rule `rule` once more as producing norm `k`; true if no rule did before.
    pub(super) fn add(&mut self, k: NormId, rule: u32) -> bool {
        let Some(first) = self.first.get_mut(k as usize) else { return false };
        match *first {
            (_, 0) => {
                *first = (rule, 1);
                true
            }
            (r, n) if r == rule => {
                *first = (r, n + 1);
                false
            }
            _ => {
                let more = self.more.entry(k).or_default();
                match more.iter_mut().find(|(r, _)| *r == rule) {
                    Some((_, n)) => *n += 1,
                    None => more.push((rule, 1)),
                }
                false
            }
        }
    }

    /// Counts rule `rule` once less as producing norm `k`.
    pub(super) fn remove(&mut self, k: NormId, rule: u32) {
        let Some(first) = self.first.get_mut(k as usize) else { return };
        if first.0 == rule && first.1 > 0 {
            first.1 -= 1;
            if first.1 == 0
                && let Some(more) = self.more.get_mut(&k)
            {
                // Another rule takes the first place, so that a norm without one has none.
                if let Some(next) = more.pop() {
                    *first = next;
                }
                if more.is_empty() {
                    self.more.remove(&k);
                }
            }
        } else if let Some(more) = self.more.get_mut(&k)
            && let Some(at) = more.iter().position(|(r, _)| *r == rule)
        {
            more[at].1 -= 1;
            if more[at].1 == 0 {
                more.swap_remove(at);
            }
            if more.is_empty() {
                self.more.remove(&k);
            }
        }
    }

    /// Whether no rule produces norm `k`.
    pub(super) fn none(&self, k: NormId) -> bool {
        self.first.get(k as usize).is_none_or(|&(_, n)| n == 0)
    }

    /// The lowest-numbered rule producing norm `k`.
    fn lowest(&self, k: NormId) -> Option<u32> {
        let first = self.first.get(k as usize).filter(|&&(_, n)| n > 0).map(|&(r, _)| r);
        let more = self.more.get(&k).into_iter().flatten().map(|&(r, _)| r);
        first.into_iter().chain(more).min()
    }
}

/// Every norm a walk has produced, by number, with what the walk keeps of each.
#[derive(Default)]
pub(super) struct NormTable {
    /// The identities, numbered.
    pub(super) keys: Interner<NormKey>,
    /// The rules producing it today, and how many times each.
    pub(super) producers: Producers,
    /// Its runs of active days.
    pub(super) runs: Vec<Runs>,
    /// How many live conflicts override it.
    pub(super) overrides: Vec<u32>,
    /// While it holds, an obligation's or prohibition's position in its party's list of them
    /// (`Walk::musts`, `Walk::must_nots`), so that taking it away searches nothing.
    pub(super) place: Vec<u32>,
}

impl NormTable {
    /// The numbers of `keys`, in order, into `ids`, numbering those that are new, as numbering
    /// them one by one would: the identities are first numbered together
    /// ([`crate::intern::Interner::intern_all`], part by part of the table for a large batch),
    /// and what the walk keeps beside each new norm (no producer, no run, no override) is made
    /// after, for all of them at once.
    pub(super) fn intern_all(&mut self, keys: impl IntoIterator<Item = NormKey>, ids: &mut impl Extend<NormId>) {
        self.keys.intern_all(keys, ids);
        let n = self.keys.len();
        if n > self.runs.len() {
            self.producers.first.resize(n, (0, 0));
            self.runs.resize(n, Runs::default());
            self.overrides.resize(n, 0);
            self.place.resize(n, 0);
        }
    }

    pub(super) fn key(&self, id: NormId) -> &NormKey {
        self.keys.resolve(id)
    }

    /// The lowest-numbered rule producing it today, the one its records name: asked of a norm
    /// that appeared today, which some rule produces.
    pub(super) fn first_producer(&self, id: NormId) -> Option<u32> {
        self.producers.lowest(id)
    }

    pub(super) fn overridden(&self, id: NormId) -> bool {
        self.overrides[id as usize] > 0
    }
}

/// What triggered a cached rule output: a fact or act by its number in the walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Trig {
    /// A rule without a pattern, or one computed afresh.
    Whole,
    Fact(u32),
    Act(u32),
}

/// A conflict's identity: its kind, the obligation, the prohibition, and what prevails.
pub(super) type ConflictKey = (ConflictKind, NormId, NormId, Option<InstId>);

/// Runs of change points on which something holds, closed when it stops: 32 bytes, kept for
/// every norm a walk meets.
#[derive(Clone, Debug)]
pub(super) struct Runs {
    /// Most norms hold for one run, kept inline.
    pub(super) done: smallvec::SmallVec<[Interval; 1]>,
    /// The first day of the open run, or `NOT_OPEN`: a day in four bytes rather than an
    /// option in eight.
    open: Day,
    /// For a norm, the rule that first gave it, whose deadline its episodes fall due by.
    pub(super) rule: u32,
}

// A day before any a walk visits (`Day::FIRST` is the first it can).
const NOT_OPEN: Day = Day(i32::MIN);
const _: () = assert!(std::mem::size_of::<Runs>() == 32);

impl Default for Runs {
    fn default() -> Self {
        Runs { done: smallvec::SmallVec::new(), open: NOT_OPEN, rule: 0 }
    }
}

impl Runs {
    /// The first day of the open run, if one is open.
    pub(super) fn open(&self) -> Option<Day> {
        (self.open != NOT_OPEN).then_some(self.open)
    }

    /// Opens a run from `d`, unless one is open.
    pub(super) fn open_from(&mut self, d: Day) {
        if self.open == NOT_OPEN {
            self.open = d;
        }
    }

    /// The first day of the open run, which is closed without a record, if one was open.
    pub(super) fn take_open(&mut self) -> Option<Day> {
        let open = self.open();
        self.open = NOT_OPEN;
        open
    }

    /// Closes the open run, from `from` until `until`. A norm that recurs tends to recur
    /// often: past the inline run, room is made for several.
    pub(super) fn close(&mut self, from: Day, until: Day) {
        if self.done.len() == self.done.inline_size() {
            self.done.reserve_exact(4);
        }
        self.done.push(Interval { from, until: Some(until) });
    }

    pub(super) fn all(&self) -> impl Iterator<Item = Interval> + '_ {
        self.done.iter().copied().chain(self.open().map(|from| Interval { from, until: None }))
    }

    /// The due date of a norm's episode that starts on `start`, in the report and under the
    /// compliance assumption alike.
    pub(super) fn due(&self, program: &Program, start: Day) -> Option<Day> {
        due_date(program, self.rule as usize, start)
    }

    /// The day the compliance assumption takes that episode as performed.
    pub(super) fn performed(&self, program: &Program, start: Day) -> Option<Day> {
        performed_on(program, self.rule as usize, start)
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

/// The conflict between obligation `mi` and prohibition `fi` of the same party, if there is one,
/// with the instrument that prevails, if precedence ranks one over the other.
pub(super) fn conflict_of(program: &Program, norms: &NormTable, mi: NormId, fi: NormId) -> Option<ConflictKey> {
    let (m, f) = (norms.key(mi), norms.key(fi));
    let kind = if m.action == f.action && args_unify(&program.categories, &m.args, &f.args) {
        ConflictKind::Direct
    } else if included_forbidden(program, m, f).is_some() {
        ConflictKind::Partial
    } else {
        return None;
    };
    let prevails = if program.prevails(m.instrument, f.instrument) {
        Some(m.instrument)
    } else if program.prevails(f.instrument, m.instrument) {
        Some(f.instrument)
    } else {
        None
    };
    Some((kind, mi, fi, prevails))
}

/// The norm a conflict overrides: the one whose instrument does not prevail. In a partial
/// conflict that the prohibition wins, none: the obligation stands, and only the included
/// action it forbids is overridden (the party must perform the obligation otherwise).
pub(super) fn loser(norms: &NormTable, c: &ConflictKey) -> Option<NormId> {
    let &(kind, m, f, prevails) = c;
    match prevails {
        Some(i) if i == norms.key(m).instrument => Some(f),
        Some(_) if kind == ConflictKind::Partial => None,
        Some(_) => Some(m),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    proptest! {
        // Cases from `PROPTEST_CASES` (256 by default); no regression files.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        /// Norms numbered a batch at a time are numbered in the order each identity first came,
        /// those numbered before keeping their numbers and what the walk kept beside them; each
        /// new norm gets no producer, no run and no override. Batches of one give the same.
        #[test]
        fn norms_numbered_in_a_batch_are_numbered_in_order_of_first_coming(
            before in proptest::collection::vec((0..3u32, 0..3u32), 0..8),
            batch in proptest::collection::vec((0..3u32, 0..3u32), 0..16),
        ) {
            let key = |(party, v): (u32, u32)| NormKey {
                party,
                modality: casus_syntax::ast::Modality::Must,
                action: 0,
                args: crate::eval::Args::from_slice(&[(1, v)]),
                instrument: 0,
                article: 0,
            };
            // The model: identities in the order they first came.
            let mut first_come: Vec<(u32, u32)> = Vec::new();
            for &k in before.iter().chain(&batch) {
                if !first_come.contains(&k) {
                    first_come.push(k);
                }
            }
            let number_of = |k: &(u32, u32)| first_come.iter().position(|x| x == k).map(crate::intern::number);
            // Those numbered before come first.
            let known = first_come.iter().filter(|k| before.contains(k)).count();
            let table = || {
                let mut table = NormTable::default();
                let mut ids = Vec::new();
                table.intern_all(before.iter().copied().map(key), &mut ids);
                for id in ids {
                    table.producers.add(id, 7);
                    table.overrides[id as usize] = 1;
                    table.place[id as usize] = 2;
                }
                table
            };
            let (mut one, mut batched) = (table(), table());
            let mut ids = Vec::new();
            batched.intern_all(batch.iter().copied().map(key), &mut ids);
            let expected: Vec<NormId> = batch.iter().filter_map(number_of).collect();
            prop_assert_eq!(&ids, &expected);
            let n = first_come.len();
            let keys: Vec<NormKey> = first_come.iter().copied().map(key).collect();
            prop_assert_eq!(batched.keys.values(), keys.as_slice());
            prop_assert_eq!(batched.producers.first.len(), n);
            prop_assert_eq!(batched.runs.len(), n);
            prop_assert_eq!(batched.overrides.len(), n);
            prop_assert_eq!(batched.place.len(), n);
            for (id, k) in first_come.iter().enumerate() {
                let old = id < known;
                // Rule 7 was counted once for each time the identity came before.
                let times = crate::intern::number(before.iter().filter(|b| *b == k).count());
                prop_assert_eq!(batched.producers.first[id], if old { (7, times) } else { (0, 0) });
                prop_assert_eq!(batched.overrides[id], u32::from(old));
                prop_assert_eq!(batched.place[id], if old { 2 } else { 0 });
                prop_assert!(batched.runs[id].all().next().is_none() && batched.runs[id].rule == 0);
            }
            let mut ids_one: Vec<NormId> = Vec::new();
            for k in &batch {
                one.intern_all([key(*k)], &mut ids_one);
            }
            prop_assert_eq!(ids_one, expected);
            prop_assert_eq!(one.keys.values(), batched.keys.values());
            prop_assert_eq!(&one.producers.first, &batched.producers.first);
            prop_assert_eq!(&one.overrides, &batched.overrides);
            prop_assert_eq!(&one.place, &batched.place);
            prop_assert_eq!(one.runs.len(), batched.runs.len());
        }

        /// The producers of each norm, one in its slot and the others beside, count as a table
        /// of (norm, rule) → times would: whether a norm had none before one is added, whether
        /// it has none, and its lowest-numbered rule.
        #[test]
        fn producers_count_as_a_table_of_norm_and_rule(
            ops in proptest::collection::vec((any::<bool>(), 0..3u32, 0..4u32), 0..80),
        ) {
            let mut producers = Producers { first: vec![(0, 0); 3], ..Producers::default() };
            let mut model: BTreeMap<(NormId, u32), u32> = BTreeMap::new();
            for (add, k, rule) in ops {
                let had_none = !model.keys().any(|&(n, _)| n == k);
                if add {
                    prop_assert_eq!(producers.add(k, rule), had_none);
                    *model.entry((k, rule)).or_insert(0) += 1;
                } else {
                    producers.remove(k, rule);
                    if let Some(n) = model.get_mut(&(k, rule)) {
                        *n -= 1;
                        if *n == 0 {
                            model.remove(&(k, rule));
                        }
                    }
                }
                for n in 0..3 {
                    let rules: Vec<u32> = model.keys().filter(|&&(m, _)| m == n).map(|&(_, r)| r).collect();
                    prop_assert_eq!(producers.none(n), rules.is_empty());
                    prop_assert_eq!(producers.lowest(n), rules.iter().min().copied());
                }
            }
        }
    }
}
