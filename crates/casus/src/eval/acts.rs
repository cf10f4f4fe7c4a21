//! The acts of an evaluation, found for a norm by party, action and first argument.

use rustc_hash::FxHashMap as HashMap;

use super::identity::{NormKey, act_matches};
use super::world::{Act, Args};
use crate::calendar::Interval;
use crate::program::{Categories, Sym};
use casus_syntax::ast::Modality;

/// An act over a run of days, given by the scenario or assumed.
#[derive(Clone, Debug)]
pub(super) struct DatedAct {
    pub(super) act: Act,
    pub(super) when: Interval,
    pub(super) assumed: bool,
}

/// The acts of each party and action, grouped by the roles they give (their shape) and found
/// for a norm by its values for those roles: a party assumed to perform hundreds of obligations
/// of one action (an ally of many, in a cascade) would otherwise have each obligation compared
/// with every act of that action.
pub(super) struct ActsByActor<'a> {
    /// By party and action: the shapes of its acts, each the roles given, sorted.
    shapes: HashMap<Actor, Vec<Shape>>,
    /// Every act by party, action and arguments, then position: an act whose shape a norm
    /// gives whole is found by binary search, and a world's hundreds of thousands of assumed
    /// acts (made in this order, so that sorting them costs one pass) need no table of lists.
    by_args: Vec<(Actor, &'a Args, usize)>,
    acts: &'a [DatedAct],
    /// By party, action and shape (its place in `shapes`): each act with its position.
    by_shape: HashMap<(Actor, usize), Vec<Numbered<'a>>>,
    /// The categories of items: a norm on a category matches acts on the items within it,
    /// which are not found by its own values.
    categories: &'a Categories,
}

/// The roles an act gives, sorted.
type Shape = smallvec::SmallVec<[Sym; 2]>;

/// A party and an action.
pub(super) type Actor = (Sym, Sym);

/// An act with its position in the list of acts.
pub(super) type Numbered<'a> = (usize, &'a DatedAct);

impl<'a> ActsByActor<'a> {
    pub(super) fn new(acts: &'a [DatedAct], categories: &'a Categories) -> ActsByActor<'a> {
        let mut index = ActsByActor {
            categories,
            shapes: HashMap::default(),
            by_args: Vec::new(),
            by_shape: HashMap::default(),
            acts,
        };
        for (i, a) in acts.iter().enumerate() {
            let actor = (a.act.party, a.act.action);
            let shape: Shape = a.act.args.iter().map(|&(r, _)| r).collect();
            let shapes = index.shapes.entry(actor).or_default();
            let at = shapes.iter().position(|s| *s == shape).unwrap_or_else(|| {
                shapes.push(shape);
                shapes.len() - 1
            });
            index.by_shape.entry((actor, at)).or_default().push((i, a));
            index.by_args.push((actor, &a.act.args, i));
        }
        index.by_args.sort_unstable();
        index.acts = acts;
        index
    }

    /// The position of the first act of `by_args` not before `(actor, args)`: from `cursor`, where
    /// the last search ended, by steps that double, when it lies ahead; else by binary search.
    fn first_at_least(&self, actor: Actor, args: &Args, cursor: &mut usize) -> usize {
        let before = |(a, g, _): &(Actor, &Args, usize)| (*a, g.as_slice()) < (actor, args.as_slice());
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
        for (at, shape) in shapes.iter().enumerate() {
            // A prohibition on a value may be broken by acts on categories that overlap it, and
            // a norm on a category by acts on what lies within it: those are compared one by one.
            let by_value = self.categories.is_empty() || key.modality != Modality::MustNot;
            let given: Option<Args> = shape
                .iter()
                .map(|role| key.args.iter().find(|(r, _)| r == role).copied())
                .map(|a| a.filter(|(_, v)| by_value && !self.categories.is_category(*v)))
                .collect::<Option<Args>>();
            let found = match given {
                Some(args) => {
                    let from = self.first_at_least(actor, &args, cursor);
                    let same = self.by_args[from..].iter().take_while(|(a, g, _)| *a == actor && **g == args);
                    let mut any = false;
                    for &(_, _, i) in same {
                        if let Some(a) = self.acts.get(i) {
                            out.push((i, a));
                            any = true;
                        }
                    }
                    any.then_some(())
                }
                None => self
                    .by_shape
                    .get(&(actor, at))
                    .map(|l| out.extend(l.iter().filter(|(_, a)| act_matches(self.categories, &a.act, key)))),
            };
            lists += usize::from(found.is_some());
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
        /// and value 2 may be a category of value 0.
        #[test]
        fn acts_by_actor_find_what_a_scan_finds(
            acts in proptest::collection::vec((0..2u32, 0..2u32, args()), 0..40),
            norms in proptest::collection::vec((0..2u32, 0..2u32, args(), any::<bool>()), 1..10),
            category in any::<bool>(),
        ) {
            let categories = if category { Categories::from_lists([(2, vec![0])]) } else { Categories::default() };
            let when = Interval { from: Day(0), until: None };
            let acts: Vec<DatedAct> = acts
                .into_iter()
                .map(|(party, action, args)| DatedAct { act: Act { party, action, args }, when, assumed: false })
                .collect();
            let index = ActsByActor::new(&acts, &categories);
            let (mut found, mut cursor) = (Vec::new(), 0);
            for (party, action, args, forbids) in norms {
                let modality = if forbids { Modality::MustNot } else { Modality::Must };
                let key = NormKey { party, modality, action, args, instrument: 0, article: 0 };
                index.matching(&key, &mut cursor, &mut found);
                let found: Vec<usize> = found.iter().map(|(i, _)| *i).collect();
                let scanned: Vec<usize> =
                    acts.iter().enumerate().filter(|(_, a)| act_matches(&categories, &a.act, &key)).map(|(i, _)| i).collect();
                prop_assert_eq!(found, scanned);
            }
        }
    }
}
