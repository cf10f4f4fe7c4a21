//! The walk over change points: it keeps one day's state and changes it from one change point
//! to the next, in proportion to what changed.

mod finish;
mod given;
mod produce;
mod step;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::compliance::Compliance;
use super::identity::NormId;
use super::norms::{ConflictKey, NormTable, Runs};
use super::solve::derives_nothing;
use super::state::{DayState, Origin, Support};
use super::world::{Act, Fact, Timed, Timeline, World};
use super::{Evaluation, delayed_facts};
use crate::calendar::{Day, Interval};
use crate::intern::Interner;
use crate::program::index::{PartyIndex, RuleIndex};
use crate::program::{InstId, Sym};

/// The state of a walk over change points.
///
/// Norms are kept as counts of what produces them. A rule whose condition has one fact or act
/// pattern and otherwise only tests gives, each day, the union of what each matching fact gives;
/// that is cached per fact, so a day computes only the facts that appeared, and drops what
/// those that went away gave. A rule is computed afresh, for all its facts, on a day its
/// instrument's status (or one it tests) changes; rules with negation or several patterns are
/// computed afresh on a day on which a fact of a kind they read, or an act if they read acts,
/// appeared or went away. Episodes, overrides and conflicts follow from the changes.
pub(super) struct Walk<'p> {
    pub(super) world: World<'p>,
    pub(super) as_of: Day,
    pub(super) assume: bool,
    pub(super) points: BTreeSet<Day>,
    /// Every norm met so far, by number.
    pub(super) norms: NormTable,
    pub(super) overridden: HashMap<NormId, Runs>,
    pub(super) conflicts: HashMap<ConflictKey, Runs>,
    /// Per delayed `deem` rule: the facts its condition gave, from each day it changed.
    pub(super) delayed: Vec<Vec<(Day, Vec<Fact>)>>,
    pub(super) visited: usize,
    /// Sweeps over the scenario's facts and acts by their first and last days.
    pub(super) fact_sweep: Sweep,
    pub(super) act_sweep: Sweep,
    /// How many of the scenario's facts give each one that holds now (events may repeat one
    /// another); acts, which no rule derives, are counted in the day's state.
    pub(super) given_facts: HashMap<Fact, u32>,
    /// The state of the day, kept from one change point to the next.
    pub(super) today: DayState,
    /// The delayed facts that hold, sorted: sources counted like events.
    pub(super) delayed_now: Vec<Fact>,
    /// Under the compliance assumption, the obligations due and performed, and the acts they
    /// perform.
    pub(super) compliance: Compliance,
    /// The facts only the same-day `deem` rules give: kept while the state only grows, else
    /// taken away and derived again.
    pub(super) derived: Vec<Fact>,
    /// How rules are found: the program's index, and the rules by party and days of status
    /// changes with the timelines as the scenario leaves them.
    pub(super) index: &'p RuleIndex,
    pub(super) parties: Cow<'p, PartyIndex>,
    pub(super) previous_day: Option<Day>,
    /// What each rule gave, per triggering fact or act.
    given: given::Given,
    /// The facts and acts that have triggered a rule, numbered, so that what the rules gave is
    /// kept by number.
    pub(super) fact_ids: Interner<Fact>,
    pub(super) act_ids: Interner<Act>,
    /// Norms that hold, by party: obligations and prohibitions.
    pub(super) musts: HashMap<Sym, Vec<NormId>>,
    pub(super) must_nots: HashMap<Sym, Vec<NormId>>,
    /// The work done: a step per change point, and one per fact a delayed rule carries to a
    /// later day (what the walk keeps, and what it grows with).
    pub(super) work: usize,
    /// The change point the walk stopped at, its budget spent.
    pub(super) exhausted: Option<Day>,
    /// The norm rules that have produced a norm, by number.
    pub(super) fired: fixedbitset::FixedBitSet,
    /// Live conflicts, and the conflicts each norm is in.
    pub(super) live: HashSet<ConflictKey>,
    pub(super) in_conflict: HashMap<NormId, Vec<ConflictKey>>,
}

/// A sweep over timed facts or acts: by first day, those that start; by last day, those that
/// stop.
#[derive(Default)]
pub(super) struct Sweep {
    /// Positions by first day.
    pub(super) order: Vec<usize>,
    /// How many of `order` have started.
    pub(super) next: usize,
    /// Positions of those that hold, by the day they stop.
    pub(super) ends: BTreeMap<Day, Vec<usize>>,
}

impl Sweep {
    pub(super) fn new<T>(items: &[Timed<T>]) -> Sweep {
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by_key(|&i| items.get(i).map(|x| x.when.from));
        Sweep { order, ..Sweep::default() }
    }

    /// Those that stop by day `d`.
    pub(super) fn ending<T: Clone>(&mut self, items: &[Timed<T>], d: Day) -> Vec<T> {
        let mut out = Vec::new();
        while let Some(ended) = self.ends.first_entry() {
            if *ended.key() > d {
                break;
            }
            out.extend(ended.remove().into_iter().filter_map(|i| items.get(i)).map(|x| x.item.clone()));
        }
        out
    }

    /// Those that start by day `d` and hold on it, with the event each comes from; each is
    /// noted to end.
    pub(super) fn starting<T: Clone>(&mut self, items: &[Timed<T>], d: Day) -> Vec<(T, Origin)> {
        let mut out = Vec::new();
        while let Some(&i) = self.order.get(self.next) {
            let Some(x) = items.get(i).filter(|x| x.when.from <= d) else { break };
            if x.when.contains(d) {
                if let Some(u) = x.when.until {
                    self.ends.entry(u).or_default().push(i);
                }
                out.push((x.item.clone(), Origin::Event(x.event)));
            }
            self.next += 1;
        }
        out
    }
}

impl<'p> Walk<'p> {
    pub(super) fn new(world: World<'p>, as_of: Day, assume: bool) -> Walk<'p> {
        // Sorted lists first, then the set of change points built from one in bulk.
        let mut days: Vec<Day> = Vec::new();
        let mut add = |i: &Interval| days.extend(std::iter::once(i.from).chain(i.until));
        world.facts.iter().for_each(|f| add(&f.when));
        world.acts.iter().for_each(|a| add(&a.when));
        // The days places change hands and groups change members.
        days.extend(world.program.world_changes.iter().copied());
        // The index the rule files fix, with the timelines the scenario changed computed again.
        let program = world.program;
        let index = program.index();
        let changed: Vec<InstId> =
            (0..world.timelines.len()).filter(|&i| matches!(world.timelines.get(i), Some(Cow::Owned(_)))).collect();
        let parties = if changed.is_empty() {
            Cow::Borrowed(&index.parties)
        } else {
            let timelines: Vec<&Timeline> = world.timelines.iter().map(|t| &**t).collect();
            Cow::Owned(index.parties_with(program, &changed, &timelines))
        };
        days.retain(|d| *d <= as_of);
        days.sort_unstable();
        days.dedup();
        let status_days = parties.status_changes.iter().map(|&(d, _)| d).filter(|d| *d <= as_of);
        let points: BTreeSet<Day> = days.into_iter().chain(status_days).collect();
        Walk {
            as_of,
            assume,
            points,
            norms: NormTable::default(),
            overridden: HashMap::default(),
            conflicts: HashMap::default(),
            delayed: vec![Vec::new(); program.deems.len()],
            visited: 0,
            fact_sweep: Sweep::new(&world.facts),
            act_sweep: Sweep::new(&world.acts),
            given_facts: HashMap::default(),
            today: DayState::joined(&index.joins),
            fired: fixedbitset::FixedBitSet::new(),
            work: 0,
            exhausted: None,
            delayed_now: Vec::new(),
            compliance: Compliance::default(),
            derived: Vec::new(),
            index,
            parties,
            previous_day: None,
            given: given::Given::new(program.rules.len()),
            fact_ids: Interner::default(),
            act_ids: Interner::default(),
            musts: HashMap::default(),
            must_nots: HashMap::default(),
            live: HashSet::default(),
            in_conflict: HashMap::default(),
            world,
        }
    }

    pub(super) fn run(mut self) -> Evaluation<'p> {
        while let Some(d) = self.points.pop_first() {
            if self.work >= self.world.budget {
                self.exhausted = Some(d);
                break;
            }
            self.visited += 1;
            self.work = self.work.saturating_add(1);
            let mut state = std::mem::take(&mut self.today);
            let changes = self.advance(&mut state, d);
            self.record_delayed(&state);
            let delta = self.norm_changes(&state, &changes);
            self.step(d, delta);
            self.today = state;
            self.previous_day = Some(d);
        }
        self.finish()
    }

    /// Brings the state to day `d`: the scenario's facts and acts that stopped are taken away
    /// and those that started added (kept by a sweep over their first and last days); delayed
    /// facts, the acts that yesterday's due obligations were assumed to be and the same-day
    /// `deem` rules' facts are computed again. The work is in proportion to what changed, not to
    /// what holds. Returns what appeared and what went away.
    pub(super) fn advance(&mut self, state: &mut DayState, d: Day) -> Changes {
        let world = &self.world;
        state.day = d;
        let mut c = Changes::default();
        // Delayed facts and assumed acts are sources like the scenario's events: each one
        // that holds is counted, and it is in the state while its count is positive.
        let mut delayed: Vec<(Fact, Origin)> = delayed_facts(world, d, &self.delayed);
        delayed.sort_by(|a, b| a.0.cmp(&b.0));
        delayed.dedup_by(|a, b| a.0 == b.0);
        let (new_assumed, gone_assumed) = self.assumed_changes(Day(d.0 - 1));
        let gone_delayed: Vec<Fact> =
            self.delayed_now.iter().filter(|f| delayed.binary_search_by(|x| x.0.cmp(f)).is_err()).cloned().collect();
        for f in gone_delayed.iter().chain(self.fact_sweep.ending(&self.world.facts, d).iter()) {
            if release(&mut self.given_facts, f) && state.remove_fact(f) {
                c.lost_facts.push(f.clone());
            }
        }
        // The acts of the obligations that start being performed are counted before any source
        // is taken away, so that an act passed from one source to another stays.
        let origin = Origin::Performed { on: Day(d.0 - 1) };
        // Where each new fact and act is put, for the `deem` rules below while nothing is taken
        // away (which moves the last into the place freed). Only the acts some norm rule reads
        // are kept among the changes: the others change no norm, and a cascade performs millions.
        let index = self.index;
        let norms = &self.norms;
        let acts = new_assumed.iter().map(|&k| norms.key(k).act().owned());
        // On a large day, the acts that can derive nothing new are found on a second thread
        // while they are held, and left out of the `deem` join below: `fruitless` says which of
        // those added (the first of `act_at`) they are.
        let (mut act_at, fruitless): (Vec<usize>, Vec<bool>) = if new_assumed.len() >= ACTS_CHECKED_BESIDE {
            let program = self.world.program;
            let (added_at, added, fruitless) = state.hold_acts_beside(acts, &origin, |facts| {
                new_assumed.iter().map(|&k| derives_nothing(program, facts, norms.key(k).act())).collect::<Vec<_>>()
            });
            let fruitless = added.into_iter().zip(fruitless).filter(|&(added, _)| added).map(|(_, f)| f).collect();
            (added_at.collect(), fruitless)
        } else {
            (state.hold_acts(acts, &origin).collect(), Vec::new())
        };
        for &at in &act_at {
            if let Some((a, _)) = state.acts.get(at).filter(|(a, _)| index.reads_act(a.action)) {
                c.new_acts.push(a.clone());
            }
        }
        let mut acts_taken = false;
        for a in gone_assumed.iter().chain(self.act_sweep.ending(&self.world.acts, d).iter()) {
            if state.release_act(a) {
                acts_taken = true;
                if index.reads_act(a.action) {
                    c.lost_acts.push(a.clone());
                }
            }
        }
        let mut new_facts: Vec<(Fact, Origin)> = self.fact_sweep.starting(&self.world.facts, d);
        new_facts.extend(delayed.iter().filter(|(f, _)| self.delayed_now.binary_search(f).is_err()).cloned());
        let new_acts: Vec<(Act, Origin)> = self.act_sweep.starting(&self.world.acts, d);
        let mut fact_at: Vec<usize> = Vec::new();
        for (f, origin) in new_facts {
            if hold(&mut self.given_facts, &f) {
                if state.add_fact(f.clone(), origin) {
                    c.new_facts.push(f);
                    fact_at.push(state.facts.len() - 1);
                } else {
                    // It held as derived; from now on it is given.
                    self.derived.retain(|x| *x != f);
                }
            }
        }
        for (a, origin) in new_acts {
            if state.hold_act(&a, origin) {
                act_at.push(state.acts.len() - 1);
                if index.reads_act(a.action) {
                    c.new_acts.push(a);
                }
            }
        }
        self.delayed_now = delayed.into_iter().map(|(f, _)| f).collect();
        // The same-day `deem` rules: from what is new only, while the state only grew and no
        // status changed; else from scratch.
        let status_changed =
            self.previous_day.is_none_or(|prev| !self.parties.status_changes_between(prev.next(), d).is_empty());
        // Derived facts that read places or groups are derived afresh on the days those change.
        let world_changed = self.index.deems_read_world && self.world_changed(d);
        let mut derived = Vec::new();
        if self.index.monotone && !status_changed && !world_changed && c.lost_facts.is_empty() && !acts_taken {
            // Nothing was taken away, so each new fact and act is where it was put.
            let acts = act_at.into_iter().enumerate().filter(|&(n, _)| !fruitless.get(n).is_some_and(|&f| f));
            let pending = fact_at.into_iter().map(Support::Fact).chain(acts.map(|(_, at)| Support::Act(at))).collect();
            state.fixpoint_from(&self.world, pending, &mut derived);
            c.new_facts.extend(derived.iter().cloned());
            self.derived.extend(derived);
        } else {
            for f in std::mem::take(&mut self.derived) {
                if state.remove_fact(&f) {
                    c.lost_facts.push(f);
                }
            }
            state.fixpoint(&self.world, &mut derived);
            c.new_facts.extend(derived.iter().cloned());
            self.derived = derived;
        }
        let (new_facts, lost_facts) = net(std::mem::take(&mut c.new_facts), std::mem::take(&mut c.lost_facts));
        let (new_acts, lost_acts) = net(std::mem::take(&mut c.new_acts), std::mem::take(&mut c.lost_acts));
        Changes { new_facts, lost_facts, new_acts, lost_acts }
    }

    /// Whether a place changed hands or a group changed members since the last change point, up
    /// to `d` (on the first change point, whether any such day has passed).
    pub(super) fn world_changed(&self, d: Day) -> bool {
        let days = &self.world.program.world_changes;
        let from = self.previous_day.map_or(0, |prev| days.partition_point(|x| *x <= prev));
        days.get(from).is_some_and(|x| *x <= d) || self.previous_day.is_none()
    }

    /// The obligations that start being performed on `yesterday` (under the compliance
    /// assumption), and the acts of those that stop: work in proportion to the obligations that
    /// started or stopped being performed. Each obligation performing an act is a source of it,
    /// counted like an event; the acts of those that start are made one by one as they are
    /// counted.
    pub(super) fn assumed_changes(&mut self, yesterday: Day) -> (Vec<NormId>, Vec<Act>) {
        let (started, stopped) = self.compliance.performed_by(yesterday);
        let gone = stopped.iter().map(|&k| self.norms.key(k).act().owned()).collect();
        (started, gone)
    }

    /// Records what the delayed `deem` rules derive today, and when that will first count.
    pub(super) fn record_delayed(&mut self, state: &DayState) {
        for (r, rule) in self.world.program.deems.iter().enumerate() {
            let Some(delay) = rule.delay else { continue };
            let mut out = Vec::new();
            state.derive(&self.world, r, &rule.condition, None, &mut out, false);
            let mut facts: Vec<Fact> = out.into_iter().map(|(f, _)| f).collect();
            facts.sort();
            facts.dedup();
            let Some(history) = self.delayed.get_mut(r) else {
                continue;
            };
            if history.last().map(|(_, f)| f) != Some(&facts) {
                self.work = self.work.saturating_add(facts.len());
                history.push((state.day, facts));
                self.schedule(Day(state.day.0.saturating_add(i32::try_from(delay.amount).unwrap_or(i32::MAX))));
            }
        }
    }

    pub(super) fn schedule(&mut self, d: Day) {
        if d <= self.as_of {
            self.points.insert(d);
        }
    }
}

/// The facts and acts that appeared from one change point to the next, and those that went away.
#[derive(Default)]
pub(super) struct Changes {
    pub(super) new_facts: Vec<Fact>,
    pub(super) lost_facts: Vec<Fact>,
    pub(super) new_acts: Vec<Act>,
    pub(super) lost_acts: Vec<Act>,
}

/// What was added and what was taken away, without what was taken away and added again.
pub(super) fn net<T: Clone + Eq + std::hash::Hash>(added: Vec<T>, removed: Vec<T>) -> (Vec<T>, Vec<T>) {
    if added.is_empty() || removed.is_empty() {
        return (added, removed);
    }
    let a: HashSet<&T> = added.iter().collect();
    let r: HashSet<&T> = removed.iter().collect();
    let new = added.iter().filter(|x| !r.contains(x)).cloned().collect();
    let lost = removed.iter().filter(|x| !a.contains(x)).cloned().collect();
    (new, lost)
}

/// Counts one more source of `item`; true if it is the first.
pub(super) fn hold<T: Clone + Eq + std::hash::Hash>(count: &mut HashMap<T, u32>, item: &T) -> bool {
    let n = count.entry(item.clone()).or_insert(0);
    *n += 1;
    *n == 1
}

/// Counts one source of `item` less; true if it was the last.
pub(super) fn release<T: Eq + std::hash::Hash>(count: &mut HashMap<T, u32>, item: &T) -> bool {
    match count.get_mut(item) {
        Some(n) if *n > 1 => {
            *n -= 1;
            false
        }
        Some(_) => {
            count.remove(item);
            true
        }
        None => false,
    }
}

/// How many acts held at once it takes for those that can derive nothing new to be looked for on
/// a second thread while they are held: fewer are looked at in less time than a thread takes to
/// start.
const ACTS_CHECKED_BESIDE: usize = 1 << 14;
