//! The norms of a walk: numbered once, counted by the rules that produce them, with their runs of
//! active days, and the conflicts and overrides that follow from what appears and goes.

use super::identity::{NormId, NormKey, args_unify, included_forbidden};
use super::world::Fact;
use super::{ConflictKind, due_date, performed_on};
use crate::calendar::{Day, Interval};
use crate::intern::Interner;
use crate::program::index::{PartyIndex, RuleIndex};
use crate::program::{InstId, Program};

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

    /// The day the compliance assumption takes that episode as performed.
    pub(super) fn performed(&self, program: &Program, start: Day) -> Option<Day> {
        performed_on(program, self.rule, start)
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
