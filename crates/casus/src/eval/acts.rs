//! The acts of an evaluation, the assumed ones read from the obligations they perform, and found
//! for a norm by party, action and arguments.

use rustc_hash::FxHashMap as HashMap;

use super::identity::{NormKey, act_matches};
use super::world::{Act, ActRef, Args, Timed};
use crate::calendar::Interval;
use crate::program::{Categories, Sym};
use casus_syntax::ast::Modality;

/// An act over a run of days, given by the scenario or assumed.
#[derive(Clone, Copy, Debug)]
pub(super) struct DatedAct<'a> {
    pub(super) act: ActRef<'a>,
    pub(super) when: Interval,
    pub(super) assumed: bool,
}

/// The acts of an evaluation, numbered: the scenario's, then those assumed performed, each
/// read from the identity of the obligation it performs. A cascade assumes millions, which are
/// not copied.
#[derive(Clone, Copy)]
pub(super) struct Acts<'a> {
    given: &'a [Timed<Act>],
    /// The identities of the evaluation's norms, which `assumed` numbers.
    keys: &'a [NormKey],
    /// The acts assumed performed: the obligation, by its number among `keys`, and the days.
    assumed: &'a [(u32, Interval)],
}

impl<'a> Acts<'a> {
    pub(super) fn new(given: &'a [Timed<Act>], keys: &'a [NormKey], assumed: &'a [(u32, Interval)]) -> Acts<'a> {
        Acts { given, keys, assumed }
    }

    /// Act `i`: the scenario's acts come first.
    pub(super) fn get(&self, i: usize) -> Option<DatedAct<'a>> {
        match self.given.get(i) {
            Some(a) => Some(DatedAct { act: (&a.item).into(), when: a.when, assumed: false }),
            None => {
                let &(n, when) = self.assumed.get(i - self.given.len())?;
                let k = self.keys.get(n as usize)?;
                Some(DatedAct { act: k.act(), when, assumed: true })
            }
        }
    }

    /// Whether act `i` is the scenario's.
    pub(super) fn is_given(&self, i: usize) -> bool {
        i < self.given.len()
    }
}

/// The acts of each party and action, found for a norm by its values for the roles they give:
/// a party assumed to perform hundreds of obligations of one action (an ally of many, in a
/// cascade) would otherwise have each obligation compared with every act of that action.
pub(super) struct ActsByActor<'a> {
    /// Every act by party, action and arguments, then number: an act whose shape (the roles it
    /// gives) a norm gives whole is found by binary search, and a world's hundreds of thousands
    /// of assumed acts (made in this order, so that sorting them costs one pass) need no table
    /// of lists.
    by_args: Vec<ByArgs<'a>>,
    /// By party and action: the shapes of its acts, each the roles given, sorted, with where
    /// its acts lie in `by_args`.
    shapes: HashMap<Actor, Shapes>,
    acts: Acts<'a>,
    /// The categories of items: a norm on a category matches acts on the items within it,
    /// which are not found by its own values.
    categories: &'a Categories,
}

/// An act's party and action, its arguments, and its number.
pub(super) type ByArgs<'a> = (Actor, &'a [(Sym, Sym)], u32);

/// The entry of act number `n`, assumed performed by obligation `key`, among the acts by actor.
pub(super) fn by_args(key: &NormKey, n: usize) -> ByArgs<'_> {
    ((key.party, key.action), &key.args[..], crate::intern::number(n))
}

/// The shapes of a party's acts of an action, and where they lie in `by_args`.
struct Shapes {
    shapes: Vec<Shape>,
    from: usize,
    to: usize,
}

/// The roles an act gives, sorted.
type Shape = smallvec::SmallVec<[Sym; 2]>;

/// Whether arguments sorted by role give exactly the roles of `shape`.
fn has_shape(args: &[(Sym, Sym)], shape: &Shape) -> bool {
    args.iter().map(|(r, _)| r).eq(shape.iter())
}

/// A party and an action.
pub(super) type Actor = (Sym, Sym);

/// An act with its number among the acts.
pub(super) type Numbered<'a> = (usize, DatedAct<'a>);

impl<'a> ActsByActor<'a> {
    /// The acts `acts` by actor, the assumed ones' entries made already, in `assumed`.
    pub(super) fn new(acts: Acts<'a>, categories: &'a Categories, assumed: Vec<ByArgs<'a>>) -> ActsByActor<'a> {
        let mut by_args: Vec<ByArgs<'a>> = acts
            .given
            .iter()
            .enumerate()
            .map(|(i, a)| ((a.item.party, a.item.action), &a.item.args[..], crate::intern::number(i)))
            .collect();
        if by_args.is_empty() {
            by_args = assumed;
        } else {
            by_args.extend(assumed);
        }
        by_args.sort_unstable();
        // The shapes of each actor's acts, read off its run of `by_args`.
        let mut shapes: HashMap<Actor, Shapes> = HashMap::default();
        let mut from = 0;
        for run in by_args.chunk_by(|a, b| a.0 == b.0) {
            let mut found: Vec<Shape> = Vec::new();
            for (_, args, _) in run {
                if !found.iter().any(|s| has_shape(args, s)) {
                    found.push(args.iter().map(|&(r, _)| r).collect());
                }
            }
            if let Some(&(actor, _, _)) = run.first() {
                shapes.insert(actor, Shapes { shapes: found, from, to: from + run.len() });
            }
            from += run.len();
        }
        ActsByActor { by_args, shapes, acts, categories }
    }

    /// The position of the first act of `by_args` not before `(actor, args)`: from `cursor`, where
    /// the last search ended, by steps that double, when it lies ahead; else by binary search.
    fn first_at_least(&self, actor: Actor, args: &Args, cursor: &mut usize) -> usize {
        let before = |(a, g, _): &ByArgs| (*a, *g) < (actor, args.as_slice());
        let list = &self.by_args;
        let start = (*cursor).min(list.len());
        let found = if start > 0 && list.get(start - 1).is_some_and(|e| !before(e)) {
            list.partition_point(before)
        } else {
            // Every entry before `low` is before the target; `high` is the next to look at.
            let (mut low, mut high, mut step) = (start, start, 1);
            while list.get(high).is_some_and(before) {
                low = high + 1;
                high = low + step;
                step *= 2;
            }
            let high = high.min(list.len());
            low + list.get(low..high).map_or(0, |l| l.partition_point(before))
        };
        *cursor = found;
        found
    }

    /// The acts that match norm `key` (docs/semantics.md: same party and action, every argument
    /// the act gives agreeing), in the order given, into `out`. Acts of a shape whose every role
    /// the norm gives are looked up by the norm's values; those of a shape with a role the norm
    /// leaves open or gives a category, and those a prohibition may find through categories,
    /// are compared one by one. `cursor` is where the last search of the caller's ended: norms
    /// mostly come in the order of `by_args`, so the next search starts there and gallops forward
    /// instead of jumping about memory (each thread asking keeps its own).
    pub(super) fn matching(&self, key: &NormKey, cursor: &mut usize, out: &mut Vec<Numbered<'a>>) {
        out.clear();
        let actor = (key.party, key.action);
        let Some(shapes) = self.shapes.get(&actor) else { return };
        let mut lists = 0;
        for shape in &shapes.shapes {
            // A prohibition on a value may be broken by acts on categories that overlap it, and
            // a norm on a category by acts on what lies within it: those are compared one by one.
            let by_value = self.categories.is_empty() || key.modality != Modality::MustNot;
            let given: Option<Args> = shape
                .iter()
                .map(|role| key.args.iter().find(|(r, _)| r == role).copied())
                .map(|a| a.filter(|(_, v)| by_value && !self.categories.is_category(*v)))
                .collect::<Option<Args>>();
            let before = out.len();
            match given {
                Some(args) => {
                    let from = self.first_at_least(actor, &args, cursor);
                    let same = self.by_args[from..].iter().take_while(|(a, g, _)| *a == actor && *g == args.as_slice());
                    out.extend(same.filter_map(|&(_, _, i)| Some((i as usize, self.acts.get(i as usize)?))));
                }
                None => {
                    // The actor's acts of this shape, compared one by one, in the order given.
                    let run = self.by_args.get(shapes.from..shapes.to).unwrap_or(&[]);
                    let of_shape = run.iter().filter(|(_, g, _)| has_shape(g, shape));
                    out.extend(
                        of_shape
                            .filter_map(|&(_, _, i)| Some((i as usize, self.acts.get(i as usize)?)))
                            .filter(|(_, a)| act_matches(self.categories, a.act, key)),
                    );
                    out[before..].sort_unstable_by_key(|(i, _)| *i);
                }
            }
            lists += usize::from(out.len() > before);
        }
        // Each list is in the order given; several are merged.
        if lists > 1 {
            out.sort_unstable_by_key(|(i, _)| *i);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;
    use crate::calendar::Day;
    use crate::eval::Args;
    use casus_syntax::ast::Modality;

    /// Arguments over a few roles and values, any of them left out.
    pub(super) fn args() -> impl Strategy<Value = Args> {
        proptest::collection::btree_map(0..3u32, 0..3u32, 0..=3).prop_map(|m| m.into_iter().collect())
    }

    proptest! {
        // Cases from `PROPTEST_CASES` (256 by default); no regression files.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        /// The index of acts by actor finds, for any norm, exactly the acts a scan of all acts
        /// with `act_matches` finds, in the same order: acts and norms may leave any role out,
        /// and value 2 may be a category of value 0. Some acts are the scenario's and the
        /// others assumed, read from the identities of the obligations they perform, numbered
        /// after the scenario's; each is found with its own days and origin.
        #[test]
        fn acts_by_actor_find_what_a_scan_finds(
            acts in proptest::collection::vec((0..2u32, 0..2u32, args(), any::<bool>()), 0..40),
            norms in proptest::collection::vec((0..2u32, 0..2u32, args(), any::<bool>()), 1..10),
            category in any::<bool>(),
        ) {
            let categories = if category { Categories::from_lists([(2, vec![0])]) } else { Categories::default() };
            // Each act's days begin on a day of its own, so that an act read as another shows.
            let days = |n: usize| Interval { from: Day(i32::try_from(n).unwrap()), until: None };
            let (assumed, given): (Vec<_>, Vec<_>) = acts.into_iter().partition(|a| a.3);
            let in_order: Vec<Act> =
                given.iter().chain(&assumed).map(|(party, action, args, _)| Act { party: *party, action: *action, args: args.clone() }).collect();
            let timed: Vec<Timed<Act>> =
                in_order.iter().take(given.len()).enumerate().map(|(n, a)| Timed { item: a.clone(), when: days(n), event: n }).collect();
            // The obligations assumed performed, in the opposite order to their acts.
            let keys: Vec<NormKey> = in_order[given.len()..]
                .iter()
                .rev()
                .map(|a| NormKey { party: a.party, modality: Modality::Must, action: a.action, args: a.args.clone(), instrument: 0, article: 0 })
                .collect();
            let performed: Vec<(u32, Interval)> =
                (0..keys.len()).map(|n| (crate::intern::number(keys.len() - 1 - n), days(given.len() + n))).collect();
            let all = Acts::new(&timed, &keys, &performed);
            let entries = performed.iter().enumerate().map(|(j, &(n, _))| by_args(&keys[n as usize], given.len() + j)).collect();
            let index = ActsByActor::new(all, &categories, entries);
            let (mut found, mut cursor) = (Vec::new(), 0);
            for (party, action, args, forbids) in norms {
                let modality = if forbids { Modality::MustNot } else { Modality::Must };
                let key = NormKey { party, modality, action, args, instrument: 0, article: 0 };
                index.matching(&key, &mut cursor, &mut found);
                for (i, a) in &found {
                    prop_assert_eq!(a.act.owned(), in_order[*i].clone());
                    prop_assert_eq!(a.when, days(*i));
                    prop_assert_eq!(a.assumed, *i >= given.len());
                }
                let found: Vec<usize> = found.iter().map(|(i, _)| *i).collect();
                let scanned: Vec<usize> =
                    in_order.iter().enumerate().filter(|(_, a)| act_matches(&categories, *a, &key)).map(|(i, _)| i).collect();
                prop_assert_eq!(found, scanned);
            }
        }
    }
}
