//! What each rule gave, per triggering fact or act: kept by the fact or act, since a fact comes
//! and goes for every rule it triggers at once, with each rule's list of the facts and acts it
//! gave for, to take back all it gave when it is computed afresh.

use crate::eval::identity::{NormId, NormIds};
use crate::eval::norms::Trig;

/// The rules one fact or act triggered, with the norms each gave: a pair per norm, so that a
/// rule that gave one norm costs eight bytes.
type Pairs = smallvec::SmallVec<[(u32, NormId); 2]>;

/// What the rules gave, per triggering fact or act, and per rule as a whole.
#[derive(Default)]
pub(super) struct Given {
    /// Per fact, by its number in the walk: `(rule, norm)` for each norm a rule gave for it.
    by_fact: Vec<Pairs>,
    /// The same per act.
    by_act: Vec<Pairs>,
    /// Per rule: what it gave as a whole (a rule without a pattern, or with several).
    whole: Vec<NormIds>,
    /// Per rule: the facts and acts it gave for. One it no longer gives for may stay listed (it
    /// is passed over), and is cleared out once such ones are half the list.
    triggers: Vec<Vec<Trig>>,
    /// Per rule: how many facts and acts it gives for now.
    live: Vec<u32>,
}

impl Given {
    pub(super) fn new(rules: usize) -> Given {
        Given {
            by_fact: Vec::new(),
            by_act: Vec::new(),
            whole: vec![NormIds::new(); rules],
            triggers: vec![Vec::new(); rules],
            live: vec![0; rules],
        }
    }

    fn pairs(&mut self, trig: Trig) -> Option<&mut Pairs> {
        let (list, n) = match trig {
            Trig::Fact(n) => (&mut self.by_fact, n),
            Trig::Act(n) => (&mut self.by_act, n),
            Trig::Whole => return None,
        };
        let at = n as usize;
        if list.len() <= at {
            list.resize_with(at + 1, Pairs::new);
        }
        list.get_mut(at)
    }

    /// Whether rule `r` has given anything it still gives.
    pub(super) fn any(&self, r: usize) -> bool {
        self.live.get(r).is_some_and(|&n| n > 0) || self.whole.get(r).is_some_and(|w| !w.is_empty())
    }

    /// Notes that rule `r` gave `ids` for `trig`, which it gave nothing for before.
    pub(super) fn put(&mut self, r: usize, trig: Trig, ids: &[NormId]) {
        if ids.is_empty() {
            return;
        }
        let rule = crate::intern::number(r);
        let Some(pairs) = self.pairs(trig) else {
            if let Some(w) = self.whole.get_mut(r) {
                w.extend_from_slice(ids);
            }
            return;
        };
        pairs.extend(ids.iter().map(|&k| (rule, k)));
        if let (Some(list), Some(live)) = (self.triggers.get_mut(r), self.live.get_mut(r)) {
            list.push(trig);
            *live += 1;
        }
    }

    /// Takes back what rule `r` gave for fact or act `trig`, appending it to `out`.
    fn take(&mut self, r: usize, trig: Trig, out: &mut Vec<NormId>) {
        let rule = crate::intern::number(r);
        let Some(pairs) = self.pairs(trig) else { return };
        let before = out.len();
        pairs.retain(|&mut (q, k)| {
            let mine = q == rule;
            if mine {
                out.push(k);
            }
            !mine
        });
        if out.len() > before {
            self.forget(r);
        }
    }

    /// Takes back what every rule gave for `trig`, as `(rule, norm)`.
    pub(super) fn take_all(&mut self, trig: Trig) -> Pairs {
        let pairs = self.pairs(trig).map(std::mem::take).unwrap_or_default();
        let mut rules: smallvec::SmallVec<[u32; 8]> = pairs.iter().map(|&(r, _)| r).collect();
        rules.sort_unstable();
        rules.dedup();
        for r in rules {
            self.forget(r as usize);
        }
        pairs
    }

    /// Takes back all that rule `r` gave, appending it to `out`. The rule's list keeps its room.
    pub(super) fn take_rule(&mut self, r: usize, out: &mut Vec<NormId>) {
        let Some(mut list) = self.triggers.get_mut(r).map(std::mem::take) else { return };
        for trig in list.drain(..) {
            self.take(r, trig, out);
        }
        if let Some(w) = self.whole.get_mut(r) {
            out.extend(w.drain(..));
        }
        if let (Some(slot), Some(live)) = (self.triggers.get_mut(r), self.live.get_mut(r)) {
            *slot = list;
            *live = 0;
        }
    }

    /// Counts one fact or act less that rule `r` gives for; clears its list out once those it
    /// no longer gives for are half of it.
    fn forget(&mut self, r: usize) {
        let Some(live) = self.live.get_mut(r) else { return };
        *live = live.saturating_sub(1);
        let live = *live as usize;
        let Some(list) = self.triggers.get_mut(r) else { return };
        if list.len() <= 2 * live + 8 {
            return;
        }
        let mut list = std::mem::take(list);
        let rule = crate::intern::number(r);
        list.sort_unstable();
        list.dedup();
        list.retain(|&t| self.pairs(t).is_some_and(|p| p.iter().any(|&(q, _)| q == rule)));
        if let Some(slot) = self.triggers.get_mut(r) {
            *slot = list;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    /// One operation on what the rules gave: a rule gives norms for a fact or act that it gave
    /// nothing for, takes back what it gave for one, or for all; or a fact or act goes for all.
    #[derive(Clone, Debug)]
    enum Op {
        Put(usize, u8, Vec<NormId>),
        Take(usize, u8),
        TakeRule(usize),
        TakeAll(u8),
    }

    fn trig(t: u8) -> Trig {
        match t % 3 {
            0 => Trig::Fact(u32::from(t / 3)),
            1 => Trig::Act(u32::from(t / 3)),
            _ => Trig::Whole,
        }
    }

    fn op() -> impl Strategy<Value = Op> {
        // A rule is taken back whole rarely, so that the facts and acts it no longer gives for
        // pile up in its list and are cleared out.
        prop_oneof![
            12 => (0..4usize, 0..9u8, proptest::collection::vec(0..20u32, 0..4)).prop_map(|(r, t, ids)| Op::Put(r, t, ids)),
            8 => (0..4usize, 0..9u8).prop_map(|(r, t)| Op::Take(r, t)),
            1 => (0..4usize).prop_map(Op::TakeRule),
            8 => (0..9u8).prop_map(Op::TakeAll),
        ]
    }

    fn sorted(mut v: Vec<NormId>) -> Vec<NormId> {
        v.sort_unstable();
        v
    }

    proptest! {
        // Cases from `PROPTEST_CASES` (256 by default); no regression files.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        /// Kept by fact or act, what each rule gave is given back as a table by rule and
        /// trigger would give it back, whatever the order of the operations.
        #[test]
        fn it_gives_back_what_a_table_by_rule_and_trigger_would(ops in proptest::collection::vec(op(), 0..200)) {
            let mut given = Given::new(4);
            let mut model: BTreeMap<(usize, u8), Vec<NormId>> = BTreeMap::new();
            // The same trigger is numbered once: `t` and its `Trig` name one fact or act.
            let key = |t: u8| if t % 3 == 2 { 2 } else { t };
            for op in ops {
                match op {
                    Op::Put(r, t, ids) => {
                        // A rule gives for a fact or act only what it did not give already.
                        if model.get(&(r, key(t))).is_some_and(|v| !v.is_empty()) {
                            continue;
                        }
                        given.put(r, trig(t), &ids);
                        model.insert((r, key(t)), ids);
                    }
                    Op::Take(r, t) => {
                        // What a rule gave as a whole goes back only with the whole rule.
                        if key(t) == 2 {
                            continue;
                        }
                        let mut out = Vec::new();
                        given.take(r, trig(t), &mut out);
                        let expected = model.remove(&(r, key(t))).unwrap_or_default();
                        prop_assert_eq!(sorted(out), sorted(expected));
                    }
                    Op::TakeRule(r) => {
                        let mut out = Vec::new();
                        given.take_rule(r, &mut out);
                        let mut expected = Vec::new();
                        model.retain(|&(q, _), v| {
                            if q == r {
                                expected.append(v);
                            }
                            q != r
                        });
                        prop_assert_eq!(sorted(out), sorted(expected));
                        prop_assert!(!given.any(r));
                    }
                    Op::TakeAll(t) => {
                        if key(t) == 2 {
                            continue;
                        }
                        let out: Vec<(u32, NormId)> = given.take_all(trig(t)).into_iter().collect();
                        let mut expected = Vec::new();
                        model.retain(|&(r, u), v| {
                            if u == key(t) {
                                expected.extend(v.iter().map(|&k| (crate::intern::number(r), k)));
                            }
                            u != key(t)
                        });
                        let mut out = out;
                        out.sort_unstable();
                        expected.sort_unstable();
                        prop_assert_eq!(out, expected);
                    }
                }
                for r in 0..4 {
                    prop_assert_eq!(given.any(r), model.iter().any(|(&(q, _), v)| q == r && !v.is_empty()));
                }
            }
            // At the end each rule gives back all it still gives, its list cleared out or not.
            for r in 0..4 {
                let mut out = Vec::new();
                given.take_rule(r, &mut out);
                let expected: Vec<NormId> =
                    model.iter().filter(|&(&(q, _), _)| q == r).flat_map(|(_, v)| v.iter().copied()).collect();
                prop_assert_eq!(sorted(out), sorted(expected));
            }
        }
    }
}
