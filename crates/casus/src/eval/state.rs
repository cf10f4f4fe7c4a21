//! One day's state: the facts and acts that hold, each with where it comes from, indexed so that
//! a pattern looks only at its candidates and taking one away searches nothing.

use std::hash::{BuildHasher, Hash};
use std::marker::PhantomData;

use rustc_hash::{FxBuildHasher, FxHashMap as HashMap};

use crate::calendar::Day;
use crate::intern::number;
use crate::program::index::Joins;
use crate::program::{Relation, Sym, Term};

use super::identity::{NormKey, value};
use super::world::{Act, Args, Fact};

/// Where a fact or act of the day comes from: sixteen bytes, beside each fact and act a day holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Scenario event number `n`.
    Event(usize),
    /// Derived today by `deem` rule `rule` from these facts and acts of the day.
    Derived {
        /// The rule, by number.
        rule: u32,
        /// What it matched (boxed, so that every origin stays small).
        #[expect(
            clippy::box_collection,
            reason = "one pointer keeps the origin at sixteen bytes; a vector's three words would not"
        )]
        support: Box<Vec<Support>>,
    },
    /// Derived by a delayed `deem` rule whose condition held on an earlier day.
    Delayed {
        /// The rule, by number.
        rule: u32,
        /// The day the condition held.
        on: Day,
    },
    /// Assumed performed, under the compliance assumption, on the day before, by an obligation
    /// the walk keeps no copy of: its own state of the day, which no explanation reads.
    Performed {
        /// The day it was performed.
        on: Day,
    },
    /// Assumed performed, under the compliance assumption, on the day before.
    Assumed {
        /// The obligation performed (boxed, so that every origin stays small).
        norm: Box<NormKey>,
        /// The day it was performed.
        on: Day,
    },
}

// Every fact and act of a day carries its origin: a larger one would grow the day's lists.
const _: () = assert!(std::mem::size_of::<Origin>() == 16);

/// A fact or act of the day that a rule matched, or what the place declarations say of a place
/// that day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Support {
    /// `facts[i]`.
    Fact(usize),
    /// `acts[i]`.
    Act(usize),
    /// The place is in this relation with the state that day.
    Place {
        /// The place.
        place: Sym,
        /// Territory or administration.
        relation: Relation,
        /// The state.
        state: Sym,
    },
}

/// The facts and acts that hold on one day.
#[derive(Clone, Debug, Default)]
pub(crate) struct DayState {
    /// The day.
    pub day: Day,
    /// Facts, each once, with where it comes from.
    pub facts: Vec<(Fact, Origin)>,
    /// Acts under way, each once, with where it comes from.
    pub acts: Vec<(Act, Origin)>,
    /// Where each fact is, and facts by kind and by kind, role and value, so that a pattern
    /// with a known argument looks at its candidates only.
    pub(super) fact_index: Index<Fact>,
    /// Where each act is, and acts by action and by action, role and value (the actor under
    /// the role `Sym::MAX`).
    pub(super) act_index: Index<Act>,
    /// The `deem` rules that have derived a fact in this state, by number: what a test suite's
    /// coverage counts.
    pub(crate) deems_fired: fixedbitset::FixedBitSet,
}

/// A day's facts, read while its acts change: where a fact is, and the `deem` rules that have
/// fired.
pub(crate) struct Facts<'a> {
    facts: &'a [(Fact, Origin)],
    index: &'a Index<Fact>,
    pub(crate) deems_fired: &'a fixedbitset::FixedBitSet,
}

impl Facts<'_> {
    /// Whether `fact` holds.
    pub(crate) fn holds(&self, fact: &Fact) -> bool {
        self.index.position(self.facts, fact).is_some()
    }
}

/// One of the index lists a fact or act is in: those of its kind or action, or those of its
/// kind or action with a value in a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum List {
    Name(Sym),
    Arg(Sym, Sym, Sym),
}

/// A fact or an act, as it is listed in an `Index`.
pub(super) trait Listed {
    /// Calls `f` with each index list it is in, in a fixed order: with no list gathered first,
    /// as adding an item to the day, done millions of times in a cascade, would otherwise.
    fn each_list(&self, f: impl FnMut(List));

    /// Its kind or action.
    fn name(&self) -> Sym;

    /// Its value in `role` (an act's actor in the role `Sym::MAX`).
    fn value_in(&self, role: Sym) -> Option<Sym>;

    /// The index lists it is in, in the order of `each_list`.
    fn lists(&self) -> Lists {
        let mut lists = Lists::new();
        self.each_list(|l| lists.push(l));
        lists
    }

    /// Where list `l`, one of its lists, is in that order.
    fn place(&self, l: List) -> Option<usize> {
        self.lists().iter().position(|x| *x == l)
    }
}

/// A fact is listed by kind, then by each argument.
impl Listed for Fact {
    fn each_list(&self, mut f: impl FnMut(List)) {
        f(List::Name(self.kind));
        for &(r, v) in &self.args {
            f(List::Arg(self.kind, r, v));
        }
    }

    fn name(&self) -> Sym {
        self.kind
    }

    fn value_in(&self, role: Sym) -> Option<Sym> {
        value_in(&self.args, role)
    }
}

/// An act is listed by action, by actor (the role `Sym::MAX`), then by each argument.
impl Listed for Act {
    fn each_list(&self, mut f: impl FnMut(List)) {
        f(List::Name(self.action));
        f(List::Arg(self.action, Sym::MAX, self.party));
        for &(r, v) in &self.args {
            f(List::Arg(self.action, r, v));
        }
    }

    fn name(&self) -> Sym {
        self.action
    }

    fn value_in(&self, role: Sym) -> Option<Sym> {
        if role == Sym::MAX {
            return Some(self.party);
        }
        value_in(&self.args, role)
    }
}

/// The value of arguments sorted by role in `role`.
fn value_in(args: &Args, role: Sym) -> Option<Sym> {
    args.binary_search_by_key(&role, |&(r, _)| r).ok().and_then(|at| args.get(at)).map(|&(_, v)| v)
}

pub(super) type Lists = smallvec::SmallVec<[List; 6]>;

/// The positions of the facts or acts of a day in their list, and index lists of those
/// positions, with each position's slot in each of its lists, so that taking one away searches
/// nothing.
#[derive(Clone, Debug)]
pub(super) struct Index<T> {
    /// Where each item is in the day's list, found by the item's hash: the table holds only
    /// positions, and each item is held once, in the list.
    positions: hashbrown::HashTable<u32>,
    pub(super) by_name: HashMap<Sym, Vec<u32>>,
    pub(super) by_arg: HashMap<(Sym, Sym, Sym), Vec<u32>>,
    /// Per position, its slot in each of its lists, in the order its lists are named.
    pub(super) slots: Vec<smallvec::SmallVec<[u32; 4]>>,
    /// Per position, how many sources give it (events, obligations performing an act), for a
    /// state that counts them ([`DayState::hold_act`]); one for an item simply added.
    pub(super) sources: Vec<u32>,
    /// The items counted by their values in pairs of roles, for the pairs the rules ask for.
    pub(super) pairs: Pairs,
    /// The kind of item indexed: the index holds none of them, only their positions.
    kind: PhantomData<fn() -> T>,
}

impl<T> Default for Index<T> {
    fn default() -> Self {
        Index {
            positions: hashbrown::HashTable::new(),
            by_name: HashMap::default(),
            by_arg: HashMap::default(),
            slots: Vec::new(),
            sources: Vec::new(),
            pairs: Pairs::default(),
            kind: PhantomData,
        }
    }
}

/// `(name, role, value, role, value)`: a kind or action with values in two roles.
pub(super) type PairKey = (Sym, Sym, Sym, Sym, Sym);

/// Facts or acts counted by their values in pairs of roles: a pattern that knows the values of
/// both roles of a pair matches nothing where the count is zero, and looks at no candidate.
/// Which pairs are counted changes only what is looked at, never what matches.
#[derive(Clone, Debug, Default)]
pub(super) struct Pairs {
    /// The pairs of roles counted, by kind or action.
    wanted: HashMap<Sym, smallvec::SmallVec<[(Sym, Sym); 2]>>,
    /// How many items have both values of each pair of roles; none is zero.
    counts: HashMap<PairKey, u32>,
}

impl Pairs {
    /// Counts pairs `(name, role, role)`; only while nothing is counted.
    pub(super) fn want(&mut self, pairs: &[(Sym, Sym, Sym)]) {
        debug_assert!(self.counts.is_empty(), "pairs are chosen before items are counted");
        for &(name, a, b) in pairs {
            self.wanted.entry(name).or_default().push((a, b));
        }
    }

    /// Counts `item` in, or out with `up` false.
    fn count<T: Listed>(&mut self, item: &T, up: bool) {
        if self.wanted.is_empty() {
            return;
        }
        let name = item.name();
        let Some(wanted) = self.wanted.get(&name) else { return };
        for &(a, b) in wanted {
            let (Some(x), Some(y)) = (item.value_in(a), item.value_in(b)) else { continue };
            let key = (name, a, x, b, y);
            if up {
                *self.counts.entry(key).or_insert(0) += 1;
            } else if let Some(n) = self.counts.get_mut(&key) {
                *n -= 1;
                if *n == 0 {
                    self.counts.remove(&key);
                }
            }
        }
    }

    /// Whether no item of `name` can match a pattern with `args` as `env` binds them: some
    /// counted pair of its roles has both values known, and no item has both.
    pub(super) fn none(&self, name: Sym, args: &[(Sym, Term)], env: &[Option<Sym>]) -> bool {
        if self.wanted.is_empty() {
            return false;
        }
        let Some(wanted) = self.wanted.get(&name) else { return false };
        let known = |role: Sym| args.iter().find(|(r, _)| *r == role).and_then(|&(_, t)| value(t, env));
        wanted.iter().any(|&(a, b)| match (known(a), known(b)) {
            (Some(x), Some(y)) => !self.counts.contains_key(&(name, a, x, b, y)),
            _ => false,
        })
    }
}

impl<T> Index<T> {
    pub(super) fn list(&mut self, l: List) -> &mut Vec<u32> {
        match l {
            List::Name(n) => self.by_name.entry(n).or_default(),
            List::Arg(n, r, v) => self.by_arg.entry((n, r, v)).or_default(),
        }
    }

    /// The positions in list `l`.
    pub(super) fn get(&self, l: List) -> &[u32] {
        let list = match l {
            List::Name(n) => self.by_name.get(&n),
            List::Arg(n, r, v) => self.by_arg.get(&(n, r, v)),
        };
        list.map_or(&[], Vec::as_slice)
    }
}

/// An item's hash, by which the table of positions finds it.
fn hashed<T: Hash>(item: &T) -> u64 {
    FxBuildHasher.hash_one(item)
}

impl<T: Listed + Clone + Eq + Hash> Index<T> {
    /// Where `item` is in `items`, found through the table of positions.
    pub(super) fn position(&self, items: &[(T, Origin)], item: &T) -> Option<usize> {
        let found = self.positions.find(hashed(item), |&i| items.get(i as usize).is_some_and(|(x, _)| x == item));
        found.map(|&i| i as usize)
    }

    /// Notes that `item` is at `at`, the position after the last.
    fn note(&mut self, items: &[(T, Origin)], item: &T, at: usize) {
        crate::intern::note(&mut self.positions, items, &|(x, _): &(T, Origin)| hashed(x), hashed(item), number(at));
    }

    /// Adds `item` to `items` unless it is there.
    pub(super) fn insert(&mut self, items: &mut Vec<(T, Origin)>, item: T, origin: Origin) -> bool {
        if self.position(items, &item).is_some() {
            return false;
        }
        self.note(items, &item, items.len());
        self.push(items, item, origin);
        true
    }

    /// Counts one more source of `item`, adding it with `origin` if it is the first; true if
    /// it was added.
    pub(super) fn hold(&mut self, items: &mut Vec<(T, Origin)>, item: &T, origin: Origin) -> bool {
        !self.hold_all(items, std::iter::once(item.clone()), &origin).is_empty()
    }

    /// Counts one more source of each item of `batch`, in order, adding each that is new with
    /// `origin`; returns the positions of those added, the last ones.
    ///
    /// The items are first found or put in place, all of them together, then those added are
    /// listed: a cascade holds millions of acts a day, and the table of positions is read and
    /// written part by part of it ([`crate::intern::number_batch`]), not at random, nor between
    /// the lists' writes, which pushed it out of the processor's cache. The state is the same as
    /// after holding them one by one.
    pub(super) fn hold_all(
        &mut self,
        items: &mut Vec<(T, Origin)>,
        batch: impl IntoIterator<Item = T>,
        origin: &Origin,
    ) -> std::ops::Range<usize> {
        self.hold_all_noting(items, batch, origin, None)
    }

    /// `hold_all`, noting in `added`, when given, whether each item of the batch, in order, was
    /// added.
    fn hold_all_noting(
        &mut self,
        items: &mut Vec<(T, Origin)>,
        batch: impl IntoIterator<Item = T>,
        origin: &Origin,
        added: Option<&mut Vec<bool>>,
    ) -> std::ops::Range<usize> {
        let first = items.len();
        items.extend(batch.into_iter().map(|item| (item, origin.clone())));
        let mut placed = Vec::new();
        crate::intern::number_batch(
            &mut self.positions,
            items,
            first,
            |(x, _)| hashed(x),
            |(a, _), (b, _)| a == b,
            &mut placed,
        );
        for at in first..items.len() {
            if let Some((item, _)) = items.get(at) {
                self.add(at, item);
            }
        }
        if let Some(added) = added {
            added.extend(placed.iter().map(|&(_, new)| new));
        }
        for (at, new) in placed {
            if let Some(n) = self.sources.get_mut(at as usize).filter(|_| !new) {
                *n += 1;
            }
        }
        first..items.len()
    }

    /// Puts a new item last, its position already noted, and lists it.
    fn push(&mut self, items: &mut Vec<(T, Origin)>, item: T, origin: Origin) {
        self.add(items.len(), &item);
        items.push((item, origin));
    }

    /// Counts one source of `item` less, taking it away when it was the last; true if it was
    /// taken away.
    pub(super) fn release(&mut self, items: &mut Vec<(T, Origin)>, item: &T) -> bool {
        let Some(at) = self.position(items, item) else { return false };
        match self.sources.get_mut(at) {
            Some(n) if *n > 1 => {
                *n -= 1;
                false
            }
            _ => self.take(items, item),
        }
    }

    /// Takes `item` out of `items`, if it is there. The last item takes its place, so
    /// positions change: a walk that keeps one state from day to day uses it, a single day's
    /// state never does.
    pub(super) fn take(&mut self, items: &mut Vec<(T, Origin)>, item: &T) -> bool {
        let eq = |&i: &u32| items.get(i as usize).is_some_and(|(x, _)| x == item);
        let Ok(entry) = self.positions.find_entry(hashed(item), eq) else { return false };
        let at = entry.remove().0 as usize;
        let last = items.len() - 1;
        self.remove(at, items);
        items.swap_remove(at);
        if at < self.sources.len() {
            self.sources.swap_remove(at);
        }
        // The last item moved into the place taken: its position changes with it.
        if let Some((moved, _)) = items.get(at)
            && at < last
            && let Some(p) = self.positions.find_mut(hashed(moved), |&i| i as usize == last)
        {
            *p = number(at);
        }
        true
    }

    /// Lists `item` at position `at`, the last.
    pub(super) fn add(&mut self, at: usize, item: &T) {
        let mut slots = smallvec::SmallVec::new();
        item.each_list(|l| {
            let list = self.list(l);
            list.push(number(at));
            slots.push(number(list.len() - 1));
        });
        self.slots.push(slots);
        self.sources.push(1);
        self.pairs.count(item, true);
    }

    /// Takes position `at` of `items` out of its lists, the last position taking its place, as
    /// `swap_remove` does to the items, which the caller does after.
    pub(super) fn remove(&mut self, at: usize, items: &[(T, Origin)]) {
        let (Some(slots), Some((item, _))) = (self.slots.get(at).cloned(), items.get(at)) else { return };
        self.pairs.count(item, false);
        for (&l, &slot) in item.lists().iter().zip(&slots) {
            // The last entry of the list fills the slot, and notes where it now is.
            let list = self.list(l);
            let slot_at = slot as usize;
            if slot_at >= list.len() {
                continue;
            }
            list.swap_remove(slot_at);
            let Some(q) = list.get(slot_at).map(|&q| q as usize) else { continue };
            let place = items.get(q).and_then(|(other, _)| other.place(l));
            if let Some(s) = place.and_then(|m| self.slots.get_mut(q).and_then(|s| s.get_mut(m))) {
                *s = slot;
            }
        }
        let last = self.slots.len() - 1;
        self.slots.swap_remove(at);
        if let (Some(slots), Some((moved, _))) = (self.slots.get(at).cloned(), items.get(last))
            && at < last
        {
            for (&l, &slot) in moved.lists().iter().zip(&slots) {
                if let Some(x) = self.list(l).get_mut(slot as usize) {
                    *x = number(at);
                }
            }
        }
    }
}

impl DayState {
    /// An empty day.
    pub(crate) fn new(day: Day) -> DayState {
        DayState { day, ..DayState::default() }
    }

    /// An empty state that counts its facts and acts by the pairs of roles in `joins`, so that
    /// a pattern that knows both values of a pair and matches nothing looks at no candidate.
    pub(crate) fn joined(joins: &Joins) -> DayState {
        let mut state = DayState::default();
        state.fact_index.pairs.want(&joins.facts);
        state.act_index.pairs.want(&joins.acts);
        state
    }

    /// Adds a fact unless it already holds.
    pub(crate) fn add_fact(&mut self, fact: Fact, origin: Origin) -> bool {
        if let Origin::Derived { rule, .. } | Origin::Delayed { rule, .. } = &origin {
            self.deems_fired.grow_and_insert(*rule as usize);
        }
        self.fact_index.insert(&mut self.facts, fact, origin)
    }

    /// Takes a fact away, if it holds. The last fact takes its place, so positions change:
    /// a walk that keeps one state from day to day uses it, a single day's state never does.
    /// Each fact knows its slot in each index list, so nothing is searched.
    pub(crate) fn remove_fact(&mut self, fact: &Fact) -> bool {
        self.fact_index.take(&mut self.facts, fact)
    }

    /// The position of a fact that holds.
    pub(crate) fn fact_position(&self, fact: &Fact) -> Option<usize> {
        self.fact_index.position(&self.facts, fact)
    }

    /// The position of an act under way.
    pub(crate) fn act_position(&self, act: &Act) -> Option<usize> {
        self.act_index.position(&self.acts, act)
    }

    /// The positions of the facts of a kind.
    pub(crate) fn of_kind(&self, kind: Sym) -> &[u32] {
        self.fact_index.get(List::Name(kind))
    }

    /// The positions of the facts of a kind with `value` in `role`.
    pub(crate) fn with_arg(&self, kind: Sym, role: Sym, value: Sym) -> &[u32] {
        self.fact_index.get(List::Arg(kind, role, value))
    }

    /// The positions of the acts of an action.
    pub(crate) fn of_action(&self, action: Sym) -> &[u32] {
        self.act_index.get(List::Name(action))
    }

    /// Adds an act under way, unless it already is.
    pub(crate) fn add_act(&mut self, act: Act, origin: Origin) -> bool {
        self.act_index.insert(&mut self.acts, act, origin)
    }

    /// Counts one more source of an act (an event, or an obligation performed), adding it with
    /// `origin` if it is the first; true if it was added.
    pub(crate) fn hold_act(&mut self, act: &Act, origin: Origin) -> bool {
        self.act_index.hold(&mut self.acts, act, origin)
    }

    /// Counts one more source of each act of `acts`, in order, as [`DayState::hold_act`] would
    /// one by one, adding each that is new with `origin`; returns the positions of those added.
    pub(crate) fn hold_acts(&mut self, acts: impl IntoIterator<Item = Act>, origin: &Origin) -> std::ops::Range<usize> {
        self.act_index.hold_all(&mut self.acts, acts, origin)
    }

    /// Holds `acts` as [`DayState::hold_acts`] does, while `beside` reads the day's facts on a
    /// second thread (holding acts leaves them as they are). Returns the positions of the acts
    /// added, whether each act of `acts` was, and what `beside` gave.
    pub(crate) fn hold_acts_beside<R: Send>(
        &mut self,
        acts: impl IntoIterator<Item = Act>,
        origin: &Origin,
        beside: impl FnOnce(&Facts<'_>) -> R + Send,
    ) -> (std::ops::Range<usize>, Vec<bool>, R) {
        let DayState { facts, fact_index, acts: held, act_index, deems_fired, .. } = self;
        let view = Facts { facts, index: fact_index, deems_fired };
        let mut added = Vec::new();
        let (range, aside) =
            crate::halves::join(|| act_index.hold_all_noting(held, acts, origin, Some(&mut added)), || beside(&view));
        (range, added, aside)
    }

    /// Counts one source of an act less, taking it away when it was the last; true if it was
    /// taken away. Positions change as for `remove_fact`.
    pub(crate) fn release_act(&mut self, act: &Act) -> bool {
        self.act_index.release(&mut self.acts, act)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;
    use crate::eval::Args;

    /// A small fact or act: the kind or action, the actor, and up to three arguments over a few
    /// roles and values, so that index lists are shared.
    pub(super) fn item() -> impl Strategy<Value = (bool, Sym, Sym, Vec<(Sym, Sym)>)> {
        (any::<bool>(), 0..3u32, 0..4u32, proptest::collection::btree_map(0..3u32, 0..3u32, 0..=3))
            .prop_map(|(is_fact, name, party, args)| (is_fact, name, party, args.into_iter().collect()))
    }

    /// Every index list, each sorted, without the empty ones: what two states with the same
    /// facts and acts at the same positions must agree on.
    pub(super) fn lists(s: &DayState) -> Vec<String> {
        let mut out = Vec::new();
        let indexes =
            [("fact", &s.fact_index.by_name, &s.fact_index.by_arg), ("act", &s.act_index.by_name, &s.act_index.by_arg)];
        for (what, by_name, by_arg) in indexes {
            for (k, l) in by_name {
                out.push(format!("{what} name {k:?} {:?}", sorted(l)));
            }
            for (k, l) in by_arg {
                out.push(format!("{what} arg {k:?} {:?}", sorted(l)));
            }
        }
        out.retain(|x| !x.ends_with("[]"));
        out.sort();
        out
    }

    /// Every pair of the roles and names `item` draws from, the actor's role among them.
    pub(super) fn every_pair() -> Joins {
        const ROLES: [Sym; 4] = [0, 1, 2, Sym::MAX];
        let mut pairs: Vec<(Sym, Sym, Sym)> = Vec::new();
        for n in 0..3 {
            for (i, &a) in ROLES.iter().enumerate() {
                pairs.extend(ROLES.iter().skip(i + 1).map(|&b| (n, a, b)));
            }
        }
        Joins { facts: pairs.clone(), acts: pairs }
    }

    /// What the index counts, sorted.
    pub(super) fn pair_counts(p: &Pairs) -> Vec<(PairKey, u32)> {
        let mut counts: Vec<_> = p.counts.iter().map(|(k, n)| (*k, *n)).collect();
        counts.sort_unstable();
        counts
    }

    /// The counts of `pairs`, counted afresh from the items.
    pub(super) fn recount<T: Listed>(pairs: &[(Sym, Sym, Sym)], items: &[(T, Origin)]) -> Vec<(PairKey, u32)> {
        let mut counts: std::collections::BTreeMap<PairKey, u32> = Default::default();
        for &(name, a, b) in pairs {
            for (item, _) in items.iter().filter(|(x, _)| x.name() == name) {
                if let (Some(x), Some(y)) = (item.value_in(a), item.value_in(b)) {
                    *counts.entry((name, a, x, b, y)).or_default() += 1;
                }
            }
        }
        counts.into_iter().collect()
    }

    pub(super) fn sorted(l: &[u32]) -> Vec<u32> {
        let mut l = l.to_vec();
        l.sort_unstable();
        l
    }

    #[test]
    fn an_act_held_by_several_sources_stays_until_the_last_lets_go() {
        let mut state = DayState::new(Day(0));
        let a = Act { party: 1, action: 2, args: Args::from_slice(&[(3, 4)]) };
        let b = Act { party: 1, action: 2, args: Args::from_slice(&[(3, 5)]) };
        assert!(state.hold_act(&a, Origin::Event(0)));
        assert!(!state.hold_act(&a, Origin::Event(1)), "a second source adds nothing");
        assert!(state.hold_act(&b, Origin::Event(2)));
        assert!(!state.release_act(&a), "one source of two is left");
        assert_eq!(state.act_position(&a), Some(0));
        assert_eq!(state.acts[0].1, Origin::Event(0), "the first source's origin stays");
        assert!(state.release_act(&a), "the last source lets go");
        assert_eq!(state.act_position(&a), None);
        assert_eq!(state.act_position(&b), Some(0), "the last act takes the place of the one gone");
        assert!(!state.release_act(&a), "an act gone is not taken away twice");
        assert_eq!(state.act_index.sources, vec![1]);
        assert_eq!(
            lists(&state),
            lists(&{
                let mut fresh = DayState::new(Day(0));
                fresh.add_act(b.clone(), Origin::Event(2));
                fresh
            })
        );
    }

    proptest! {
        // Cases from `PROPTEST_CASES` (256 by default); no regression files.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        /// Facts and acts taken away in any order leave the indexes as if the state had been
        /// built from what remains, and each slot names the list entry that holds its position.
        #[test]
        fn removal_leaves_the_indexes_as_a_fresh_build(
            items in proptest::collection::vec(item(), 0..24),
            removals in proptest::collection::vec(any::<prop::sample::Index>(), 0..24),
        ) {
            let mut state = DayState::joined(&every_pair());
            let mut facts = Vec::new();
            let mut acts = Vec::new();
            for (is_fact, name, party, args) in items {
                let args: Args = args.into_iter().collect();
                if is_fact {
                    let f = Fact { kind: name, args };
                    state.add_fact(f.clone(), Origin::Event(0));
                    facts.push(f);
                } else {
                    let a = Act { party, action: name, args };
                    state.add_act(a.clone(), Origin::Event(0));
                    acts.push(a);
                }
            }
            for r in removals {
                if facts.is_empty() || acts.is_empty() {
                    break;
                }
                let f = facts.swap_remove(r.index(facts.len()));
                let a = acts.swap_remove(r.index(acts.len()));
                state.remove_fact(&f);
                state.release_act(&a);
                prop_assert!(!state.remove_fact(&f), "a fact taken away is gone");
            }
            let mut fresh = DayState::joined(&every_pair());
            for (f, o) in &state.facts {
                fresh.add_fact(f.clone(), o.clone());
            }
            for (a, o) in &state.acts {
                fresh.add_act(a.clone(), o.clone());
            }
            prop_assert_eq!(lists(&state), lists(&fresh));
            prop_assert_eq!(pair_counts(&state.fact_index.pairs), recount(&every_pair().facts, &state.facts));
            prop_assert_eq!(pair_counts(&state.act_index.pairs), recount(&every_pair().acts, &state.acts));
            prop_assert_eq!(state.fact_index.slots.len(), state.facts.len());
            prop_assert_eq!(state.act_index.slots.len(), state.acts.len());
            prop_assert_eq!(state.act_index.sources.len(), state.acts.len());
            for (p, (f, _)) in state.facts.iter().enumerate() {
                prop_assert_eq!(state.fact_position(f), Some(p));
                prop_assert_eq!(state.fact_index.slots[p].len(), f.lists().len());
                for (&l, &slot) in f.lists().iter().zip(&state.fact_index.slots[p]) {
                    prop_assert_eq!(state.fact_index.get(l)[slot as usize] as usize, p);
                }
            }
            for (p, (a, _)) in state.acts.iter().enumerate() {
                prop_assert_eq!(state.act_position(a), Some(p));
                prop_assert_eq!(state.act_index.slots[p].len(), a.lists().len());
                for (&l, &slot) in a.lists().iter().zip(&state.act_index.slots[p]) {
                    prop_assert_eq!(state.act_index.get(l)[slot as usize] as usize, p);
                }
            }
        }

        /// Acts held a batch at a time leave the state as holding them one by one does: the
        /// same acts at the same positions with the same origins and counts of sources, the same
        /// index lists and slots, and the same positions added, whether an act held before,
        /// comes twice in the batch or is new.
        #[test]
        fn acts_held_in_a_batch_are_held_as_one_by_one(
            before in proptest::collection::vec(item(), 0..12),
            batch in proptest::collection::vec(item(), 0..24),
        ) {
            let act = |(_, name, party, args): (bool, Sym, Sym, Vec<(Sym, Sym)>)| Act {
                party,
                action: name,
                args: args.into_iter().collect(),
            };
            let mut one = DayState::joined(&every_pair());
            for (n, a) in before.into_iter().map(act).enumerate() {
                one.hold_act(&a, Origin::Event(n));
            }
            let mut batched = one.clone();
            let batch: Vec<Act> = batch.into_iter().map(act).collect();
            let origin = Origin::Performed { on: Day(1) };
            let mut added_one = Vec::new();
            for a in &batch {
                if one.hold_act(a, origin.clone()) {
                    added_one.push(one.acts.len() - 1);
                }
            }
            let added: Vec<usize> = batched.hold_acts(batch, &origin).collect();
            prop_assert_eq!(added, added_one);
            prop_assert_eq!(&batched.acts, &one.acts);
            prop_assert_eq!(&batched.act_index.sources, &one.act_index.sources);
            prop_assert_eq!(&batched.act_index.slots, &one.act_index.slots);
            prop_assert_eq!(lists(&batched), lists(&one));
            prop_assert_eq!(pair_counts(&batched.act_index.pairs), pair_counts(&one.act_index.pairs));
            for (p, (a, _)) in one.acts.iter().enumerate() {
                prop_assert_eq!(batched.act_position(a), Some(p));
            }
        }

        /// A pattern is told that nothing can match it exactly when a counted pair of its roles
        /// has both values known and no act has both: never when an act matches, and always
        /// when the count says none could.
        #[test]
        fn a_pattern_finds_nothing_only_where_no_act_has_both_values(
            items in proptest::collection::vec(item(), 0..24),
            pattern in (0..3u32, proptest::collection::btree_map(prop_oneof![Just(Sym::MAX), 0..3u32], 0..3u32, 0..=3)),
        ) {
            let mut state = DayState::joined(&every_pair());
            for (_, name, party, args) in items {
                state.add_act(Act { party, action: name, args: args.into_iter().collect() }, Origin::Event(0));
            }
            let (name, known) = pattern;
            let args: Vec<(Sym, Term)> = known.iter().map(|(&r, &v)| (r, Term::Const(v))).collect();
            let none = state.act_index.pairs.none(name, &args, &[]);
            let matches = |a: &Act| a.action == name && known.iter().all(|(&r, &v)| a.value_in(r) == Some(v));
            if none {
                prop_assert!(!state.acts.iter().any(|(a, _)| matches(a)), "an act matches");
            }
            let pair_missing = every_pair().acts.iter().any(|&(n, a, b)| {
                n == name
                    && match (known.get(&a), known.get(&b)) {
                        (Some(&x), Some(&y)) => !state.acts.iter().any(|(act, _)| {
                            act.action == name && act.value_in(a) == Some(x) && act.value_in(b) == Some(y)
                        }),
                        _ => false,
                    }
            });
            prop_assert_eq!(none, pair_missing);
        }
    }
}
