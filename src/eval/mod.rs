//! The evaluator: the meaning of DESIGN §3, computed only on the days where something changes.
//!
//! The state of the world is constant between *change points*: days on which a fact or act
//! starts or ends, an instrument enters into force or binds a party or stops, a delayed fact
//! falls, or (under the compliance assumption) an assumed act first counts. The evaluator visits
//! those days in order, computes the state once for each, and takes it to hold until the next.
//! Change points that depend on the evaluation itself (due dates, delayed facts) are added as
//! they become known, always later than the day being evaluated, so the walk ends at the
//! horizon. The day-by-day reference in the test suite checks this against §3 literally.

mod day;
mod world;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::ast::{Deadline, Modality};
use crate::day::Day;
use crate::diagnostic::Diagnostic;
use crate::program::{InstId, Program, Sym};
use crate::scenario::Scenario;

pub use day::{DayNorm, DayState, NormKey, Origin, Support, act_matches, args_unify, includes_forbidden, value};
pub use world::{Act, Binding, Fact, Interval, Timed, Timeline, World};

/// What an evaluation found, up to its horizon.
#[derive(Clone, Debug)]
pub struct Evaluation<'p> {
    /// The scenario's world.
    pub world: World<'p>,
    /// The horizon: the report's date.
    pub as_of: Day,
    /// Whether due obligations were taken as performed.
    pub assume_compliance: bool,
    /// Every norm with at least one episode, by identity.
    pub norms: BTreeMap<NormKey, NormRecord>,
    /// Conflicts, one per run of days.
    pub conflicts: Vec<ConflictRecord>,
    /// Prohibitions violated, one per run of days.
    pub violations: Vec<ViolationRecord>,
    /// Acts assumed performed under the compliance assumption, with the obligation performed.
    pub assumed_acts: Vec<(Act, Interval, NormKey)>,
    /// How many change points the walk visited.
    pub change_points: usize,
    /// Per delayed `deem` rule: the facts its condition gave, from each day it changed.
    delayed: Vec<Vec<(Day, Vec<Fact>)>>,
}

impl Evaluation<'_> {
    /// The state of day `day` as the evaluation saw it: facts and acts with their origins.
    pub fn state_at(&self, day: Day) -> DayState {
        let yesterday = Day(day.0 - 1);
        let assumed = self
            .assumed_acts
            .iter()
            .filter(|(_, when, _)| when.contains(yesterday))
            .map(|(a, _, k)| (a.clone(), k.clone()));
        day_state(&self.world, day, &self.delayed, assumed)
    }
}

/// The full state of day `d`: given facts and acts, delayed facts, the acts assumed performed
/// the day before, and what the same-day `deem` rules make of them.
fn day_state(
    world: &World,
    d: Day,
    delayed: &[Vec<(Day, Vec<Fact>)>],
    assumed: impl Iterator<Item = (Act, NormKey)>,
) -> DayState {
    let mut state = DayState::new(d);
    for f in world.facts.iter().filter(|f| f.when.contains(d)) {
        state.add_fact(f.item.clone(), Origin::Event(f.event));
    }
    for a in world.acts.iter().filter(|a| a.when.contains(d)) {
        state.add_act(a.item.clone(), Origin::Event(a.event));
    }
    for (r, history) in delayed.iter().enumerate() {
        let Some(delay) = world.program.deems.get(r).and_then(|x| x.delay) else {
            continue;
        };
        let source = Day(d.0 - i32::try_from(delay.amount).unwrap_or(i32::MAX));
        if let Some((_, facts)) = history.iter().rev().find(|(day, _)| *day <= source) {
            for f in facts {
                state.add_fact(f.clone(), Origin::Delayed { rule: r, on: source });
            }
        }
    }
    for (act, norm) in assumed {
        state.add_act(act, Origin::Assumed { norm, on: Day(d.0 - 1) });
    }
    state.fixpoint(world);
    state
}

/// A norm's history up to the horizon.
#[derive(Clone, Debug)]
pub struct NormRecord {
    /// Maximal runs of active days, with due dates.
    pub episodes: Vec<Episode>,
    /// Days on which a prevailing norm overrode it.
    pub overridden: Vec<Interval>,
    /// Its status as of the horizon.
    pub status: Status,
    /// Whether it was fulfilled only by an assumed act.
    pub assumed: bool,
    /// The rule that first produced it.
    pub rule: usize,
}

/// A maximal run of days on which a norm is active.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Episode {
    /// The days.
    pub when: Interval,
    /// Its first day plus the deadline; `None` without one.
    pub due: Option<Day>,
}

/// The status of a norm as of a date (DESIGN §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Active and not yet due, or without a deadline.
    Pending,
    /// A matching act happened in time.
    Fulfilled,
    /// Due and not performed, or a forbidden act happened.
    Violated,
    /// The episode ended before its due date.
    Discharged,
    /// A prevailing conflicting norm overrode it.
    Overridden,
    /// A prohibition that stands unbroken.
    InEffect,
    /// A permission.
    Permitted,
}

impl Status {
    /// The name used in reports: `pending`, `in_effect`, ...
    pub fn name(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Fulfilled => "fulfilled",
            Status::Violated => "violated",
            Status::Discharged => "discharged",
            Status::Overridden => "overridden",
            Status::InEffect => "in_effect",
            Status::Permitted => "permitted",
        }
    }
}

/// Direct or partial.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConflictKind {
    /// Obliged and forbidden the same act.
    Direct,
    /// Obliged to an act that includes a forbidden one.
    Partial,
}

impl ConflictKind {
    /// `direct` or `partial`.
    pub fn name(self) -> &'static str {
        match self {
            ConflictKind::Direct => "direct",
            ConflictKind::Partial => "partial",
        }
    }
}

/// One party obliged and forbidden at once, over a run of days.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConflictRecord {
    /// The party.
    pub party: Sym,
    /// Direct or partial.
    pub kind: ConflictKind,
    /// The obligation.
    pub obligation: NormKey,
    /// The prohibition.
    pub prohibition: NormKey,
    /// The days.
    pub when: Interval,
    /// The instrument that prevails, for a direct conflict that precedence resolves.
    pub prevails: Option<InstId>,
}

/// A forbidden act, over a run of days.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ViolationRecord {
    /// The prohibition broken.
    pub prohibition: NormKey,
    /// The act.
    pub act: Act,
    /// The days.
    pub when: Interval,
    /// Whether the act was assumed under the compliance assumption.
    pub assumed: bool,
}

/// Evaluates a scenario against a program up to `as_of`.
pub fn evaluate<'p>(
    program: &'p Program,
    scenario: &Scenario,
    as_of: Day,
    assume_compliance: bool,
) -> Result<Evaluation<'p>, Vec<Diagnostic>> {
    let world = World::new(program, scenario)?;
    Ok(Walk::new(world, as_of, assume_compliance).run())
}

/// The state of a walk over change points.
struct Walk<'p> {
    world: World<'p>,
    as_of: Day,
    assume: bool,
    points: BTreeSet<Day>,
    runs: HashMap<NormKey, Runs>,
    overridden: HashMap<NormKey, Runs>,
    conflicts: HashMap<ConflictKey, Runs>,
    /// Per delayed `deem` rule: the facts its condition gave, from each day it changed.
    delayed: Vec<Vec<(Day, Vec<Fact>)>>,
    /// The obligations of the previous change point.
    previous: Option<Vec<Obligation>>,
    visited: usize,
}

/// An obligation active at a change point.
#[derive(Clone, Debug)]
struct Obligation {
    key: NormKey,
    /// The due date of its current episode, if it has a deadline.
    due: Option<Day>,
    overridden: bool,
}

impl Obligation {
    /// Whether, under the compliance assumption, it is performed on `day`.
    fn performed_on(&self, day: Day) -> bool {
        !self.overridden && self.due.is_some_and(|u| u <= day)
    }
}

/// A conflict's identity: its kind, the obligation, the prohibition, and what prevails.
type ConflictKey = (ConflictKind, NormKey, NormKey, Option<InstId>);

/// An act over a run of days, given by the scenario or assumed.
#[derive(Clone, Debug)]
struct DatedAct {
    act: Act,
    when: Interval,
    assumed: bool,
}

/// Runs of change points on which something holds, closed when it stops.
#[derive(Clone, Debug, Default)]
struct Runs {
    done: Vec<Interval>,
    open: Option<Day>,
    rule: usize,
}

impl Runs {
    fn all(&self) -> Vec<Interval> {
        let mut v = self.done.clone();
        if let Some(from) = self.open {
            v.push(Interval { from, until: None });
        }
        v
    }
}

impl<'p> Walk<'p> {
    fn new(world: World<'p>, as_of: Day, assume: bool) -> Walk<'p> {
        let mut points = BTreeSet::new();
        let mut add = |i: &Interval| {
            points.insert(i.from);
            if let Some(u) = i.until {
                points.insert(u);
            }
        };
        world.facts.iter().for_each(|f| add(&f.when));
        world.acts.iter().for_each(|a| add(&a.when));
        for t in &world.timelines {
            t.in_force.iter().for_each(&mut add);
            t.bound.values().flatten().for_each(|b| add(&b.when));
        }
        points.retain(|d| *d <= as_of);
        let delayed = vec![Vec::new(); world.program.deems.len()];
        Walk {
            world,
            as_of,
            assume,
            points,
            runs: HashMap::new(),
            overridden: HashMap::new(),
            conflicts: HashMap::new(),
            delayed,
            previous: None,
            visited: 0,
        }
    }

    fn run(mut self) -> Evaluation<'p> {
        while let Some(d) = self.points.pop_first() {
            self.visited += 1;
            let state = self.state(d);
            self.record_delayed(&state);
            let norms = state.norms(&self.world);
            self.step(d, &norms);
        }
        self.finish()
    }

    /// The state of day `d`, with the acts that yesterday's due obligations were assumed to be.
    fn state(&self, d: Day) -> DayState {
        let yesterday = Day(d.0 - 1);
        let assumed: Vec<(Act, NormKey)> = match (&self.previous, self.assume) {
            (Some(obligations), true) => obligations
                .iter()
                .filter(|o| o.performed_on(yesterday))
                .map(|o| (Act { party: o.key.party, action: o.key.action, args: o.key.args.clone() }, o.key.clone()))
                .collect(),
            _ => Vec::new(),
        };
        day_state(&self.world, d, &self.delayed, assumed.into_iter())
    }

    /// Records what the delayed `deem` rules derive today, and when that will first count.
    fn record_delayed(&mut self, state: &DayState) {
        for (r, rule) in self.world.program.deems.iter().enumerate() {
            let Some(delay) = rule.delay else { continue };
            let mut out = Vec::new();
            state.derive(&self.world, r, &rule.head, &rule.condition, rule.vars.len(), &mut out);
            let mut facts: Vec<Fact> = out.into_iter().map(|(f, _)| f).collect();
            facts.sort();
            facts.dedup();
            let Some(history) = self.delayed.get_mut(r) else {
                continue;
            };
            if history.last().map(|(_, f)| f) != Some(&facts) {
                history.push((state.day, facts));
                self.schedule(Day(state.day.0.saturating_add(i32::try_from(delay.amount).unwrap_or(i32::MAX))));
            }
        }
    }

    fn schedule(&mut self, d: Day) {
        if d <= self.as_of {
            self.points.insert(d);
        }
    }

    /// Takes today's norms into the runs, finds conflicts and overrides, and schedules the days
    /// on which assumed acts will first count.
    fn step(&mut self, d: Day, norms: &[DayNorm]) {
        let program = self.world.program;
        let (conflicts, overridden) = conflicts_of(program, norms);
        let active: BTreeSet<&NormKey> = norms.iter().map(|n| &n.key).collect();
        for n in norms {
            let runs = self.runs.entry(n.key.clone()).or_insert_with(|| Runs { rule: n.rule, ..Runs::default() });
            runs.open.get_or_insert(d);
        }
        close_missing(&mut self.runs, &active, d);
        for key in &overridden {
            self.overridden.entry((*key).clone()).or_default().open.get_or_insert(d);
        }
        close_missing(&mut self.overridden, &overridden.iter().copied().collect(), d);
        let mut live = BTreeSet::new();
        for c in &conflicts {
            self.conflicts.entry(c.clone()).or_default().open.get_or_insert(d);
            live.insert(c.clone());
        }
        for (key, runs) in &mut self.conflicts {
            if !live.contains(key)
                && let Some(from) = runs.open.take()
            {
                runs.done.push(Interval { from, until: Some(d) });
            }
        }
        let obligations: Vec<Obligation> = norms
            .iter()
            .filter(|n| n.key.modality == Modality::Must)
            .map(|n| Obligation {
                key: n.key.clone(),
                due: self.runs.get(&n.key).and_then(|r| r.open).and_then(|start| due_date(program, n.rule, start)),
                overridden: overridden.contains(&&n.key),
            })
            .collect();
        if self.assume {
            self.schedule_assumed(d, &obligations);
        }
        self.previous = Some(obligations);
    }

    /// Under the compliance assumption an obligation is performed on each day it is active,
    /// due and not overridden, and counts from the day after: those are change points.
    fn schedule_assumed(&mut self, d: Day, obligations: &[Obligation]) {
        let performed = |list: &[Obligation], day: Day| -> BTreeSet<NormKey> {
            list.iter().filter(|o| o.performed_on(day)).map(|o| o.key.clone()).collect()
        };
        let today = performed(obligations, d);
        let yesterday = self.previous.as_deref().map(|prev| performed(prev, Day(d.0 - 1))).unwrap_or_default();
        if today != yesterday {
            self.schedule(d.next());
        }
        let later: Vec<Day> =
            obligations.iter().filter(|o| !o.overridden).filter_map(|o| o.due).filter(|u| *u > d).collect();
        for u in later {
            self.schedule(u.next());
        }
    }

    fn finish(self) -> Evaluation<'p> {
        let program = self.world.program;
        let as_of = self.as_of;
        let mut norms: BTreeMap<NormKey, NormRecord> = BTreeMap::new();
        for (key, runs) in &self.runs {
            let episodes: Vec<Episode> = runs
                .all()
                .into_iter()
                .map(|when| Episode { when, due: due_date(program, runs.rule, when.from) })
                .collect();
            let overridden = self.overridden.get(key).map(Runs::all).unwrap_or_default();
            norms.insert(
                key.clone(),
                NormRecord { episodes, overridden, status: Status::Pending, assumed: false, rule: runs.rule },
            );
        }
        let mut acts: Vec<DatedAct> =
            self.world.acts.iter().map(|a| DatedAct { act: a.item.clone(), when: a.when, assumed: false }).collect();
        let mut assumed_acts = Vec::new();
        if self.assume {
            for (key, record) in &norms {
                if key.modality != Modality::Must {
                    continue;
                }
                for e in &record.episodes {
                    let Some(due) = e.due else { continue };
                    let start = due.max(e.when.from);
                    if e.when.until.is_some_and(|u| u <= start) || start > as_of {
                        continue;
                    }
                    for when in subtract(Interval { from: start, until: e.when.until }, &record.overridden) {
                        let act = Act { party: key.party, action: key.action, args: key.args.clone() };
                        acts.push(DatedAct { act: act.clone(), when, assumed: true });
                        assumed_acts.push((act, when, key.clone()));
                    }
                }
            }
        }
        let mut by_actor: HashMap<(Sym, Sym), Vec<&DatedAct>> = HashMap::new();
        for a in &acts {
            by_actor.entry((a.act.party, a.act.action)).or_default().push(a);
        }
        let mut violations = Vec::new();
        for (key, record) in &mut norms {
            let mine: &[&DatedAct] = by_actor.get(&(key.party, key.action)).map_or(&[], Vec::as_slice);
            let matching: Vec<&DatedAct> = mine.iter().copied().filter(|a| act_matches(&a.act, key)).collect();
            let (status, assumed) = status_of(key, record, &matching, as_of);
            record.status = status;
            record.assumed = assumed;
            if key.modality == Modality::MustNot {
                violations.extend(violations_of(key, record, &matching, as_of));
            }
        }
        violations.sort();
        let mut conflicts: Vec<ConflictRecord> = self
            .conflicts
            .iter()
            .flat_map(|((kind, obligation, prohibition, prevails), runs)| {
                runs.all().into_iter().map(|when| ConflictRecord {
                    party: obligation.party,
                    kind: *kind,
                    obligation: obligation.clone(),
                    prohibition: prohibition.clone(),
                    when,
                    prevails: *prevails,
                })
            })
            .collect();
        conflicts.sort();
        assumed_acts.sort();
        Evaluation {
            world: self.world,
            as_of,
            assume_compliance: self.assume,
            norms,
            conflicts,
            violations,
            assumed_acts,
            change_points: self.visited,
            delayed: self.delayed,
        }
    }
}

/// Closes the open runs of the keys that are no longer active.
fn close_missing(runs: &mut HashMap<NormKey, Runs>, active: &BTreeSet<&NormKey>, d: Day) {
    for (key, r) in runs.iter_mut() {
        if !active.contains(key)
            && let Some(from) = r.open.take()
        {
            r.done.push(Interval { from, until: Some(d) });
        }
    }
}

/// The due date of an episode of an obligation of rule `rule` that starts on `start`; none for
/// prohibitions, permissions and obligations without a deadline.
pub fn due_date(program: &Program, rule: usize, start: Day) -> Option<Day> {
    let rule = program.rules.get(rule)?;
    if rule.modality != Modality::Must {
        return None;
    }
    Some(match rule.deadline? {
        Deadline::WithoutDelay | Deadline::Immediately => start,
        Deadline::Within(d) => start.plus(d),
        Deadline::By(date) => date.civil().map_or(start, Day::from_date),
    })
}

/// Today's conflicts, and the norms that a prevailing norm overrides today.
fn conflicts_of<'a>(program: &Program, norms: &'a [DayNorm]) -> (Vec<ConflictKey>, BTreeSet<&'a NormKey>) {
    let mut by_party: BTreeMap<Sym, (Vec<&NormKey>, Vec<&NormKey>)> = BTreeMap::new();
    for n in norms {
        let e = by_party.entry(n.key.party).or_default();
        match n.key.modality {
            Modality::Must => e.0.push(&n.key),
            Modality::MustNot => e.1.push(&n.key),
            Modality::May => {}
        }
    }
    let mut out = Vec::new();
    let mut overridden = BTreeSet::new();
    for (musts, must_nots) in by_party.values() {
        for &m in musts {
            for &f in must_nots {
                if m.action == f.action && args_unify(&m.args, &f.args) {
                    let prevails = if program.prevails(m.instrument, f.instrument) {
                        overridden.insert(f);
                        Some(m.instrument)
                    } else if program.prevails(f.instrument, m.instrument) {
                        overridden.insert(m);
                        Some(f.instrument)
                    } else {
                        None
                    };
                    out.push((ConflictKind::Direct, m.clone(), f.clone(), prevails));
                } else if includes_forbidden(program, m, f) {
                    out.push((ConflictKind::Partial, m.clone(), f.clone(), None));
                }
            }
        }
    }
    (out, overridden)
}

/// The status of a norm as of `as_of`, from its latest episode, and whether an assumed act
/// alone fulfilled it.
fn status_of(key: &NormKey, record: &NormRecord, acts: &[&DatedAct], as_of: Day) -> (Status, bool) {
    let Some(e) = record.episodes.last() else {
        return (Status::Pending, false);
    };
    let last_active = e.when.until.map_or(as_of, |u| Day(u.0 - 1)).min(as_of);
    let overridden_now = record.overridden.iter().any(|o| o.contains(last_active));
    match key.modality {
        Modality::May => (Status::Permitted, false),
        Modality::MustNot => {
            let window = Interval { from: e.when.from, until: Some(last_active.next()) };
            let allowed = subtract(window, &record.overridden);
            if acts.iter().any(|a| allowed.iter().any(|w| overlaps(w, &a.when))) {
                (Status::Violated, false)
            } else if overridden_now {
                (Status::Overridden, false)
            } else {
                (Status::InEffect, false)
            }
        }
        Modality::Must => {
            let end = match e.due {
                Some(due) => due.min(last_active),
                None => last_active,
            };
            let window = Interval { from: e.when.from, until: Some(end.next()) };
            let given = acts.iter().any(|a| !a.assumed && overlaps(&window, &a.when));
            let assumed = acts.iter().any(|a| a.assumed && overlaps(&window, &a.when));
            if given || assumed {
                return (Status::Fulfilled, !given);
            }
            if overridden_now {
                return (Status::Overridden, false);
            }
            let ended = e.when.until.is_some_and(|u| u <= as_of);
            match e.due {
                Some(due) if e.when.contains(due) && as_of > due => (Status::Violated, false),
                _ if ended => (Status::Discharged, false),
                _ => (Status::Pending, false),
            }
        }
    }
}

/// The runs of days on which matching acts broke a prohibition while it was active and not
/// overridden.
fn violations_of(key: &NormKey, record: &NormRecord, acts: &[&DatedAct], as_of: Day) -> Vec<ViolationRecord> {
    // The days each act broke the prohibition; the same act may come from several sources
    // (two obligations assumed performed alike), and is one violation over its days.
    let mut days: BTreeMap<(&Act, bool), Vec<Interval>> = BTreeMap::new();
    let horizon = Some(as_of.next());
    for e in &record.episodes {
        let window = Interval { from: e.when.from, until: e.when.until.map_or(horizon, |u| Some(u.min(as_of.next()))) };
        for allowed in subtract(window, &record.overridden) {
            for a in acts {
                if let Some(both) = intersect(&allowed, &a.when) {
                    days.entry((&a.act, a.assumed)).or_default().push(both);
                }
            }
        }
    }
    let mut out = Vec::new();
    for ((act, assumed), intervals) in days {
        for when in merge(intervals) {
            let until = when.until.filter(|u| *u <= as_of);
            out.push(ViolationRecord {
                prohibition: key.clone(),
                act: act.clone(),
                when: Interval { from: when.from, until },
                assumed,
            });
        }
    }
    out
}

/// Overlapping or adjacent intervals joined into maximal runs.
fn merge(mut intervals: Vec<Interval>) -> Vec<Interval> {
    intervals.sort();
    let mut out: Vec<Interval> = Vec::new();
    for i in intervals {
        match out.last_mut() {
            Some(last) if last.until.is_none_or(|u| i.from <= u) => {
                last.until = match (last.until, i.until) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
            _ => out.push(i),
        }
    }
    out
}

fn overlaps(a: &Interval, b: &Interval) -> bool {
    intersect(a, b).is_some()
}

fn intersect(a: &Interval, b: &Interval) -> Option<Interval> {
    let from = a.from.max(b.from);
    let until = match (a.until, b.until) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) | (None, x) => x,
    };
    until.is_none_or(|u| from < u).then_some(Interval { from, until })
}

/// `a` without the days of `cuts`.
fn subtract(a: Interval, cuts: &[Interval]) -> Vec<Interval> {
    let mut pieces = vec![a];
    for c in cuts {
        let mut next = Vec::new();
        for p in pieces {
            let Some(x) = intersect(&p, c) else {
                next.push(p);
                continue;
            };
            if p.from < x.from {
                next.push(Interval { from: p.from, until: Some(x.from) });
            }
            if let Some(xu) = x.until
                && p.until.is_none_or(|pu| xu < pu)
            {
                next.push(Interval { from: xu, until: p.until });
            }
        }
        pieces = next;
    }
    pieces
}
