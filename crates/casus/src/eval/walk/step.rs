//! A change point's changes taken into the norms: their runs of active days, the conflicts that
//! open and close, the overrides they make, and the due dates the compliance assumption waits for.

use std::collections::BTreeSet;

use super::Walk;
use crate::calendar::Day;
use crate::eval::identity::NormId;
use crate::eval::norms::{ConflictKey, Delta, conflict_of, loser};
use casus_syntax::ast::Modality;

impl Walk<'_> {
    /// Takes today's changes into the runs, conflicts and overrides, and schedules the days
    /// on which assumed acts will first count.
    pub(super) fn step(&mut self, d: Day, delta: Delta) {
        let program = self.world.program;
        let Delta { appeared, gone, .. } = delta;
        let mut override_changed: BTreeSet<NormId> = BTreeSet::new();
        for &k in &gone {
            let runs = &mut self.norms.runs[k as usize];
            if let Some(from) = runs.take_open() {
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
            if runs.open().is_none() && runs.done.is_empty() {
                runs.rule = rule;
            }
            runs.open_from(d);
            let key = self.norms.key(k);
            let set = match key.modality {
                Modality::Must => self.musts.entry(key.party).or_default(),
                Modality::MustNot => self.must_nots.entry(key.party).or_default(),
                Modality::May => continue,
            };
            self.norms.place[k as usize] = crate::intern::number(set.len());
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
                self.conflicts.entry(c).or_default().open_from(d);
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
            match (now, runs.open()) {
                (true, None) => runs.open_from(d),
                (false, Some(from)) => {
                    runs.take_open();
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
            // A due date after `d` is a change point: the obligations of a day mostly share a few.
            let mut after: Vec<Day> = Vec::new();
            for k in changed {
                let runs = &self.norms.runs[k as usize];
                let due =
                    runs.open().filter(|_| !self.norms.overridden(k)).and_then(|start| runs.performed(program, start));
                if let Some(u) = self.compliance.set_due(k, due).filter(|u| *u > d)
                    && after.last() != Some(&u)
                {
                    after.push(u);
                }
            }
            after.sort_unstable();
            after.dedup();
            for u in after {
                self.schedule(u.next());
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
            && let Some(from) = runs.take_open()
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
