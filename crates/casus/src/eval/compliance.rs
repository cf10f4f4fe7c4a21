//! The compliance assumption's bookkeeping: the obligations waiting for their due dates, those
//! performed, and the acts they perform.

use std::collections::BTreeMap;

use super::identity::NormId;
use crate::calendar::Day;

/// Under the compliance assumption, an obligation is performed on each day it holds, is due and
/// is not overridden, and its act counts from the day after. Its due date is its episode's first
/// day plus the deadline of the rule that first produced it (as the report gives it), so the
/// obligations wait for their due dates in a queue and change place only when they appear, go,
/// or are overridden or no longer, never by going over all that hold. The queue holds a list per
/// due date, where an obligation whose due date changed is left and passed over when read (most
/// obligations of a day share a few due dates).
#[derive(Default)]
pub(super) struct Compliance {
    /// The obligations performed on the day before the last change point, by number.
    pub(super) performing: fixedbitset::FixedBitSet,
    /// The obligations that hold, are not overridden and have a due date, not yet performed, by
    /// due date; with some whose due date is no longer the one they are listed under (`due`
    /// tells), and some listed twice.
    pub(super) waiting: BTreeMap<Day, Vec<NormId>>,
    /// Obligations performed that have stopped, or whose due date changed, since.
    pub(super) stopping: Vec<NormId>,
    /// The due date each obligation waits for or is performed under, by number.
    pub(super) due: Vec<Option<Day>>,
}

impl Compliance {
    /// Gives obligation `k` its due date now, `None` if it is not to be performed (it went, has
    /// no deadline or is overridden). Returns the due date if it is new.
    pub(super) fn set_due(&mut self, k: NormId, due: Option<Day>) -> Option<Day> {
        let at = k as usize;
        let before = self.due.get(at).copied().flatten();
        if before == due {
            return None;
        }
        // One waiting is left in the list of its old due date, and passed over there.
        if before.is_some() && self.performing.contains(at) {
            self.stopping.push(k);
        }
        if self.due.len() <= at {
            self.due.resize(at + 1, None);
        }
        self.due[at] = due;
        if let Some(u) = due {
            self.waiting.entry(u).or_default().push(k);
        }
        due
    }

    /// Whether `k` waits for `due`, where the queue lists it.
    fn waits(&self, k: NormId, due: Day) -> bool {
        self.due.get(k as usize).copied().flatten() == Some(due)
    }

    /// The obligations that start and stop being performed as of `day`, sorted: those due by
    /// then start, those that stopped since the last call stop, and one whose due date changed
    /// and is due by then either way does neither.
    pub(super) fn performed_by(&mut self, day: Day) -> (Vec<NormId>, Vec<NormId>) {
        let mut started: Vec<NormId> = Vec::new();
        while let Some(entry) = self.waiting.first_entry()
            && *entry.key() <= day
        {
            let (due, listed) = entry.remove_entry();
            started.extend(listed.into_iter().filter(|&k| self.waits(k, due)));
        }
        let mut stopped = std::mem::take(&mut self.stopping);
        started.sort_unstable();
        started.dedup();
        stopped.sort_unstable();
        stopped.dedup();
        let (started, stopped) = difference(&started, &stopped);
        for &k in &stopped {
            if (k as usize) < self.performing.len() {
                self.performing.set(k as usize, false);
            }
        }
        for &k in &started {
            self.performing.grow_and_insert(k as usize);
        }
        (started, stopped)
    }

    /// Whether the obligations performed on day `d` differ from those performed the day before:
    /// unless those that stopped are exactly those due by `d` again, they do.
    pub(super) fn changes_after(&self, d: Day) -> bool {
        let mut ready: Vec<NormId> = self
            .waiting
            .range(..=d)
            .flat_map(|(&u, listed)| listed.iter().copied().filter(move |&k| self.waits(k, u)))
            .collect();
        ready.sort_unstable();
        ready.dedup();
        let mut stopping = self.stopping.clone();
        stopping.sort_unstable();
        stopping.dedup();
        ready != stopping
    }
}

/// What is in sorted list `a` and not in sorted list `b`, and what is in `b` and not in `a`.
pub(super) fn difference(a: &[NormId], b: &[NormId]) -> (Vec<NormId>, Vec<NormId>) {
    let (mut only_a, mut only_b) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    loop {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                i += 1;
                j += 1;
            }
            (Some(&x), y) if y.is_none_or(|&y| x < y) => {
                only_a.push(x);
                i += 1;
            }
            (_, Some(&y)) => {
                only_b.push(y);
                j += 1;
            }
            _ => return (only_a, only_b),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    /// The queue as a set of `(due date, obligation)`, each taken out when its due date changes:
    /// what the lists per due date, passed over when stale, must agree with.
    #[derive(Default)]
    struct Model {
        performing: BTreeSet<NormId>,
        waiting: BTreeSet<(Day, NormId)>,
        stopping: Vec<NormId>,
        due: Vec<Option<Day>>,
    }

    impl Model {
        fn set_due(&mut self, k: NormId, due: Option<Day>) -> Option<Day> {
            let at = k as usize;
            let before = self.due.get(at).copied().flatten();
            if before == due {
                return None;
            }
            if let Some(u) = before {
                if self.performing.contains(&k) {
                    self.stopping.push(k);
                }
                self.waiting.remove(&(u, k));
            }
            if self.due.len() <= at {
                self.due.resize(at + 1, None);
            }
            self.due[at] = due;
            if let Some(u) = due {
                self.waiting.insert((u, k));
            }
            due
        }

        fn performed_by(&mut self, day: Day) -> (Vec<NormId>, Vec<NormId>) {
            let mut started = Vec::new();
            while let Some(&(due, k)) = self.waiting.first()
                && due <= day
            {
                self.waiting.pop_first();
                started.push(k);
            }
            let mut stopped = std::mem::take(&mut self.stopping);
            started.sort_unstable();
            stopped.sort_unstable();
            stopped.dedup();
            let (started, stopped) = difference(&started, &stopped);
            for k in &stopped {
                self.performing.remove(k);
            }
            self.performing.extend(started.iter().copied());
            (started, stopped)
        }

        fn changes_after(&self, d: Day) -> bool {
            let mut ready: Vec<NormId> = self.waiting.iter().take_while(|(u, _)| *u <= d).map(|&(_, k)| k).collect();
            ready.sort_unstable();
            let mut stopping = self.stopping.clone();
            stopping.sort_unstable();
            stopping.dedup();
            ready != stopping
        }
    }

    /// A step: a due date set (or taken away) for an obligation, or the day moving on.
    fn step() -> impl Strategy<Value = Result<(NormId, Option<i32>), i32>> {
        prop_oneof![
            3 => (0..6u32, proptest::option::of(0..8i32)).prop_map(Ok),
            1 => (0..8i32).prop_map(Err),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        /// Whatever the order in which due dates are set, changed and taken away, and the days
        /// move on, the obligations that start and stop being performed are those of a queue that
        /// takes an obligation out whenever its due date changes.
        #[test]
        fn the_queue_agrees_with_one_that_takes_out_what_changed(steps in proptest::collection::vec(step(), 0..60)) {
            let (mut queue, mut model) = (Compliance::default(), Model::default());
            let mut today = 0;
            for s in steps {
                match s {
                    Ok((k, due)) => {
                        let due = due.map(|d| Day(today + d));
                        prop_assert_eq!(queue.set_due(k, due), model.set_due(k, due));
                    }
                    Err(ahead) => {
                        today += ahead;
                        prop_assert_eq!(queue.changes_after(Day(today)), model.changes_after(Day(today)));
                        prop_assert_eq!(queue.performed_by(Day(today)), model.performed_by(Day(today)));
                    }
                }
            }
        }
    }
}
