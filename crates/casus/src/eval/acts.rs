//! The acts of an evaluation, found for a norm by party, action and first argument.

use rustc_hash::FxHashMap as HashMap;

use super::identity::{NormKey, act_matches};
use super::world::Act;
use crate::calendar::Interval;
use crate::program::Sym;

/// An act over a run of days, given by the scenario or assumed.
#[derive(Clone, Debug)]
pub(super) struct DatedAct {
    pub(super) act: Act,
    pub(super) when: Interval,
    pub(super) assumed: bool,
}

/// The acts of each party and action, found for a norm by the first argument each gives: a
/// party assumed to perform hundreds of obligations of one action (an ally of many, in a
/// cascade) would otherwise have each obligation compared with every act of that action.
#[derive(Default)]
pub(super) struct ActsByActor<'a> {
    /// By party, action, and the act's first role with its value (`None` for an act without
    /// arguments); each act with its position.
    pub(super) by_first: HashMap<(Actor, Option<Arg>), Vec<Numbered<'a>>>,
    /// By party and action: the first roles its acts give.
    pub(super) roles: HashMap<Actor, FirstRoles>,
}

/// The first roles an actor's acts give (`None` for an act without arguments), each with the
/// values given it.
pub(super) type FirstRoles = Vec<(Option<Sym>, Vec<Sym>)>;

/// A party and an action.
pub(super) type Actor = (Sym, Sym);

/// A role and its value.
pub(super) type Arg = (Sym, Sym);

/// An act with its position in the list of acts.
pub(super) type Numbered<'a> = (usize, &'a DatedAct);

impl<'a> ActsByActor<'a> {
    pub(super) fn new(acts: &'a [DatedAct]) -> ActsByActor<'a> {
        let mut index = ActsByActor::default();
        for (i, a) in acts.iter().enumerate() {
            let actor = (a.act.party, a.act.action);
            let first = a.act.args.first().copied();
            let list = index.by_first.entry((actor, first)).or_default();
            list.push((i, a));
            if list.len() == 1 {
                let (role, value) = (first.map(|(r, _)| r), first.map(|(_, v)| v));
                let roles = index.roles.entry(actor).or_default();
                let at = roles.iter().position(|(r, _)| *r == role).unwrap_or_else(|| {
                    roles.push((role, Vec::new()));
                    roles.len() - 1
                });
                if let (Some(value), Some((_, values))) = (value, roles.get_mut(at)) {
                    values.push(value);
                }
            }
        }
        index
    }

    /// The acts that match norm `key` (docs/semantics.md: same party and action, every argument the act
    /// gives agreeing), in the order given, into `out`. An act whose first role the norm gives
    /// is looked up by the norm's value; one whose first role the norm leaves open, by each
    /// value given.
    pub(super) fn matching(&self, key: &NormKey, out: &mut Vec<Numbered<'a>>) {
        out.clear();
        let actor = (key.party, key.action);
        let Some(roles) = self.roles.get(&actor) else { return };
        let mut lists = 0;
        let mut add = |first: Option<Arg>| {
            if let Some(list) = self.by_first.get(&(actor, first)) {
                out.extend(list.iter().filter(|(_, a)| act_matches(&a.act, key)));
                lists += 1;
            }
        };
        for (role, values) in roles {
            let Some(role) = *role else {
                add(None);
                continue;
            };
            match key.args.iter().find(|(r, _)| *r == role) {
                Some(&(_, value)) => add(Some((role, value))),
                None => values.iter().for_each(|&v| add(Some((role, v)))),
            }
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
        /// with `act_matches` finds, in the same order: acts and norms may leave any role out.
        #[test]
        fn acts_by_actor_find_what_a_scan_finds(
            acts in proptest::collection::vec((0..2u32, 0..2u32, args()), 0..40),
            norms in proptest::collection::vec((0..2u32, 0..2u32, args()), 1..10),
        ) {
            let when = Interval { from: Day(0), until: None };
            let acts: Vec<DatedAct> = acts
                .into_iter()
                .map(|(party, action, args)| DatedAct { act: Act { party, action, args }, when, assumed: false })
                .collect();
            let index = ActsByActor::new(&acts);
            let mut found = Vec::new();
            for (party, action, args) in norms {
                let key = NormKey { party, modality: Modality::Must, action, args, instrument: 0, article: 0 };
                index.matching(&key, &mut found);
                let found: Vec<usize> = found.iter().map(|(i, _)| *i).collect();
                let scanned: Vec<usize> =
                    acts.iter().enumerate().filter(|(_, a)| act_matches(&a.act, &key)).map(|(i, _)| i).collect();
                prop_assert_eq!(found, scanned);
            }
        }
    }
}
