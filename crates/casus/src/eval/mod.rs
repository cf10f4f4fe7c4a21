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

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::BuildHasher;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::calendar::Day;
use crate::program::index::{PartyIndex, RuleIndex};
use crate::program::{InstId, Program, Sym, Trigger};
use crate::scenario::Scenario;
use casus_syntax::ast::{Deadline, Modality};
use casus_syntax::diagnostic::Diagnostic;

pub use day::{
    DayState, Env, NormKey, Origin, Support, Trail, act_matches, args_unify, includes_forbidden, norm_args, value,
};
pub use world::{Act, Args, Binding, Fact, Interval, Timed, Timeline, Why, World};

/// The status of a norm as of a date (DESIGN §3): what the evaluator reports and what a
/// scenario's expectations name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
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
    pub norms: Norms,
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

/// The full state of day `d`, computed alone (as explanations read it): given facts and acts,
/// delayed facts, the acts assumed performed the day before, and what the same-day `deem` rules
/// make of them. The walk keeps its own state from day to day instead.
fn day_state(
    world: &World,
    d: Day,
    delayed: &[Vec<(Day, Vec<Fact>)>],
    assumed: impl Iterator<Item = (Act, NormKey)>,
) -> DayState {
    let facts = world.facts.iter().filter(|f| f.when.contains(d));
    let acts = world.acts.iter().filter(|a| a.when.contains(d));
    let mut state = DayState::new(d);
    for f in facts {
        state.add_fact(f.item.clone(), Origin::Event(f.event));
    }
    for a in acts {
        state.add_act(a.item.clone(), Origin::Event(a.event));
    }
    for (f, origin) in delayed_facts(world, d, delayed) {
        state.add_fact(f, origin);
    }
    for (act, norm) in assumed {
        state.add_act(act, Origin::Assumed { norm, on: Day(d.0 - 1) });
    }
    state.fixpoint(world, &mut Vec::new());
    state
}

/// The facts of delayed `deem` rules that fall on day `d`: those their conditions gave on the
/// day as many days before, as recorded in `delayed`.
fn delayed_facts(world: &World, d: Day, delayed: &[Vec<(Day, Vec<Fact>)>]) -> Vec<(Fact, Origin)> {
    let mut out = Vec::new();
    for (r, history) in delayed.iter().enumerate() {
        let Some(delay) = world.program.deems.get(r).and_then(|x| x.delay) else {
            continue;
        };
        let source = Day(d.0 - i32::try_from(delay.amount).unwrap_or(i32::MAX));
        if let Some((_, facts)) = history.iter().rev().find(|(day, _)| *day <= source) {
            out.extend(facts.iter().map(|f| (f.clone(), Origin::Delayed { rule: r, on: source })));
        }
    }
    out
}

/// Every norm with at least one episode, in order of identity. The identities stay where the
/// walk numbered them and the records beside them, with a sorted list of positions: a large
/// world has hundreds of thousands, found by binary search, and none is copied to be sorted.
#[derive(Clone, Debug, Default)]
pub struct Norms {
    keys: Vec<NormKey>,
    records: Vec<NormRecord>,
    /// Positions in `keys` and `records`, sorted by identity.
    order: Vec<NormId>,
}

impl Norms {
    /// The history of a norm.
    pub fn get(&self, key: &NormKey) -> Option<&NormRecord> {
        let at = self.order.binary_search_by(|&i| self.keys[i as usize].cmp(key)).ok()?;
        self.order.get(at).and_then(|&i| self.records.get(i as usize))
    }

    /// The norms and their histories, by identity.
    pub fn iter(&self) -> impl Iterator<Item = (&NormKey, &NormRecord)> {
        self.order.iter().filter_map(|&i| Some((self.keys.get(i as usize)?, self.records.get(i as usize)?)))
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

/// A norm's history up to the horizon.
#[derive(Clone, Debug)]
pub struct NormRecord {
    /// Maximal runs of active days, with due dates: mostly one, held inline.
    pub episodes: smallvec::SmallVec<[Episode; 1]>,
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
    Ok(evaluate_world(World::new(program, scenario)?, as_of, assume_compliance))
}

/// Evaluates a world already fixed from its scenario (which is then no longer needed) up to
/// `as_of`.
pub fn evaluate_world(world: World<'_>, as_of: Day, assume_compliance: bool) -> Evaluation<'_> {
    Walk::new(world, as_of, assume_compliance).run()
}

/// The state of a walk over change points.
///
/// Norms are kept as counts of what produces them. A rule whose condition has one fact or act
/// pattern and otherwise only tests gives, each day, the union of what each matching fact gives;
/// that is cached per fact, so a day computes only the facts that appeared, and drops what
/// those that went away gave. A rule is computed afresh, for all its facts, on a day its
/// instrument's status (or one it tests) changes; rules with negation or several patterns are
/// computed afresh every day. Episodes, overrides and conflicts follow from the changes.
struct Walk<'p> {
    world: World<'p>,
    as_of: Day,
    assume: bool,
    points: BTreeSet<Day>,
    /// Every norm met so far, by number.
    norms: NormTable,
    overridden: HashMap<NormId, Runs>,
    conflicts: HashMap<ConflictKey, Runs>,
    /// Per delayed `deem` rule: the facts its condition gave, from each day it changed.
    delayed: Vec<Vec<(Day, Vec<Fact>)>>,
    visited: usize,
    /// Sweeps over the scenario's facts and acts by their first and last days.
    fact_sweep: Sweep,
    act_sweep: Sweep,
    /// How many of the scenario's facts and acts give each one that holds now (events may
    /// repeat one another).
    given_facts: HashMap<Fact, u32>,
    given_acts: HashMap<Act, u32>,
    /// The state of the day, kept from one change point to the next.
    today: DayState,
    /// The delayed facts that hold, sorted: sources counted like events.
    delayed_now: Vec<Fact>,
    /// Under the compliance assumption, the obligations due and performed, and the acts they
    /// perform.
    compliance: Compliance,
    /// The facts only the same-day `deem` rules give: kept while the state only grows, else
    /// taken away and derived again.
    derived: Vec<Fact>,
    /// How rules are found: the program's index, and the rules by party and days of status
    /// changes with the timelines as the scenario leaves them.
    index: &'p RuleIndex,
    parties: Cow<'p, PartyIndex>,
    previous_day: Option<Day>,
    /// What each rule gave, per triggering fact or act.
    cache: Vec<HashMap<Trig, NormIds>>,
    /// An empty cache, with room, to swap for one computed afresh.
    spare: HashMap<Trig, NormIds>,
    /// The facts and acts that have triggered a rule, numbered, so that the caches are keyed
    /// by number.
    fact_ids: HashMap<Fact, u32>,
    act_ids: HashMap<Act, u32>,
    /// Norms that hold, by party: obligations and prohibitions.
    musts: HashMap<Sym, Vec<NormId>>,
    must_nots: HashMap<Sym, Vec<NormId>>,
    /// Live conflicts, and the conflicts each norm is in.
    live: HashSet<ConflictKey>,
    in_conflict: HashMap<NormId, Vec<ConflictKey>>,
}

/// A norm's number in a walk: its identity, interned when first produced, so that the walk's
/// maps and caches hold integers rather than copies of the identity.
type NormId = u32;

/// The norms one rule gave for one fact or act: most give a few.
type NormIds = smallvec::SmallVec<[NormId; 4]>;

/// The rules producing a norm on a day, each with how many times: mostly one rule.
type Producers = smallvec::SmallVec<[(u32, u32); 2]>;

/// Every norm a walk has produced, by number, with what the walk keeps of each.
#[derive(Default)]
struct NormTable {
    /// The numbers, found by the hash of the identity they number: each identity is held once,
    /// in `keys`.
    ids: hashbrown::HashTable<NormId>,
    keys: Vec<NormKey>,
    /// The rules producing it today, and how many times each.
    producers: Vec<Producers>,
    /// Its runs of active days.
    runs: Vec<Runs>,
    /// How many live conflicts override it.
    overrides: Vec<u32>,
    /// While it holds, an obligation's or prohibition's position in its party's list of them
    /// (`Walk::musts`, `Walk::must_nots`), so that taking it away searches nothing.
    place: Vec<u32>,
}

impl NormTable {
    /// The number of a norm, numbering it if it is new.
    fn intern(&mut self, key: NormKey) -> NormId {
        let hash = rustc_hash::FxBuildHasher.hash_one(&key);
        if let Some(&id) = self.ids.find(hash, |&id| self.keys.get(id as usize) == Some(&key)) {
            return id;
        }
        let id = NormId::try_from(self.keys.len()).unwrap_or(NormId::MAX);
        self.keys.push(key);
        let keys = &self.keys;
        self.ids
            .insert_unique(hash, id, |&i| keys.get(i as usize).map_or(0, |k| rustc_hash::FxBuildHasher.hash_one(k)));
        self.producers.push(Producers::new());
        self.runs.push(Runs::default());
        self.overrides.push(0);
        self.place.push(0);
        id
    }

    fn key(&self, id: NormId) -> &NormKey {
        &self.keys[id as usize]
    }

    /// The lowest-numbered rule producing it today, the one its records name.
    fn first_producer(&self, id: NormId) -> usize {
        self.producers[id as usize].iter().map(|&(r, _)| r as usize).min().unwrap_or(0)
    }

    fn overridden(&self, id: NormId) -> bool {
        self.overrides[id as usize] > 0
    }
}

/// A sweep over timed facts or acts: by first day, those that start; by last day, those that
/// stop.
#[derive(Default)]
struct Sweep {
    /// Positions by first day.
    order: Vec<usize>,
    /// How many of `order` have started.
    next: usize,
    /// Positions of those that hold, by the day they stop.
    ends: BTreeMap<Day, Vec<usize>>,
}

impl Sweep {
    fn new<T>(items: &[Timed<T>]) -> Sweep {
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by_key(|&i| items.get(i).map(|x| x.when.from));
        Sweep { order, ..Sweep::default() }
    }

    /// Those that stop by day `d`.
    fn ending<T: Clone>(&mut self, items: &[Timed<T>], d: Day) -> Vec<T> {
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
    fn starting<T: Clone>(&mut self, items: &[Timed<T>], d: Day) -> Vec<(T, Origin)> {
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

/// What triggered a cached rule output: a fact or act by its number in the walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Trig {
    /// A rule without a pattern, or one computed afresh.
    Whole,
    Fact(u32),
    Act(u32),
}

/// The number of `x` in `ids`, numbering it if it is new.
fn number<T: Clone + Eq + std::hash::Hash>(ids: &mut HashMap<T, u32>, x: &T) -> u32 {
    if let Some(&id) = ids.get(x) {
        return id;
    }
    let id = u32::try_from(ids.len()).unwrap_or(u32::MAX);
    ids.insert(x.clone(), id);
    id
}

/// A conflict's identity: its kind, the obligation, the prohibition, and what prevails.
type ConflictKey = (ConflictKind, NormId, NormId, Option<InstId>);

/// An act over a run of days, given by the scenario or assumed.
#[derive(Clone, Debug)]
struct DatedAct {
    act: Act,
    when: Interval,
    assumed: bool,
}

/// The acts of each party and action, found for a norm by the first argument each gives: a
/// party assumed to perform hundreds of obligations of one action (an ally of many, in a
/// cascade) would otherwise have each obligation compared with every act of that action.
#[derive(Default)]
struct ActsByActor<'a> {
    /// By party, action, and the act's first role with its value (`None` for an act without
    /// arguments); each act with its position.
    by_first: HashMap<(Actor, Option<Arg>), Vec<Numbered<'a>>>,
    /// By party and action: the first roles its acts give.
    roles: HashMap<Actor, FirstRoles>,
}

/// The first roles an actor's acts give (`None` for an act without arguments), each with the
/// values given it.
type FirstRoles = Vec<(Option<Sym>, Vec<Sym>)>;

/// A party and an action.
type Actor = (Sym, Sym);

/// A role and its value.
type Arg = (Sym, Sym);

/// An act with its position in the list of acts.
type Numbered<'a> = (usize, &'a DatedAct);

impl<'a> ActsByActor<'a> {
    fn new(acts: &'a [DatedAct]) -> ActsByActor<'a> {
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

    /// The acts that match norm `key` (DESIGN §3: same party and action, every argument the act
    /// gives agreeing), in the order given, into `out`. An act whose first role the norm gives
    /// is looked up by the norm's value; one whose first role the norm leaves open, by each
    /// value given.
    fn matching(&self, key: &NormKey, out: &mut Vec<Numbered<'a>>) {
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

/// Under the compliance assumption, an obligation is performed on each day it holds, is due and
/// is not overridden, and its act counts from the day after. Its due date is its episode's first
/// day plus the deadline of the rule that first produced it (as the report gives it), so the
/// obligations wait for their due dates in a queue and change place only when they appear, go,
/// or are overridden or no longer, never by going over all that hold.
#[derive(Default)]
struct Compliance {
    /// The obligations performed on the day before the last change point.
    performing: BTreeSet<NormId>,
    /// How many of them perform each act: an act is a source like an event while one does.
    acts: HashMap<Act, u32>,
    /// The obligations that hold, are not overridden and have a due date, not yet performed, by
    /// due date.
    waiting: BTreeSet<(Day, NormId)>,
    /// Obligations performed that have stopped, or whose due date changed, since.
    stopping: Vec<NormId>,
    /// The due date each obligation waits for or is performed under.
    due: HashMap<NormId, Day>,
}

impl Compliance {
    /// Gives obligation `k` its due date now, `None` if it is not to be performed (it went, has
    /// no deadline or is overridden). Returns the due date if it is new.
    fn set_due(&mut self, k: NormId, due: Option<Day>) -> Option<Day> {
        let before = self.due.get(&k).copied();
        if before == due {
            return None;
        }
        if let Some(u) = before {
            if self.performing.contains(&k) {
                self.stopping.push(k);
            } else {
                self.waiting.remove(&(u, k));
            }
        }
        match due {
            Some(u) => {
                self.due.insert(k, u);
                self.waiting.insert((u, k));
            }
            None => {
                self.due.remove(&k);
            }
        }
        due
    }

    /// The obligations that start and stop being performed as of `day`, sorted: those due by
    /// then start, those that stopped since the last call stop, and one whose due date changed
    /// and is due by then either way does neither.
    fn performed_by(&mut self, day: Day) -> (Vec<NormId>, Vec<NormId>) {
        let mut started: Vec<NormId> = Vec::new();
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

    /// Whether the obligations performed on day `d` differ from those performed the day before:
    /// unless those that stopped are exactly those due by `d` again, they do.
    fn changes_after(&self, d: Day) -> bool {
        let mut ready: Vec<NormId> = self.waiting.iter().take_while(|(u, _)| *u <= d).map(|&(_, k)| k).collect();
        ready.sort_unstable();
        let mut stopping = self.stopping.clone();
        stopping.sort_unstable();
        stopping.dedup();
        ready != stopping
    }
}

/// Runs of change points on which something holds, closed when it stops.
#[derive(Clone, Debug, Default)]
struct Runs {
    /// Most norms hold for one run, kept inline.
    done: smallvec::SmallVec<[Interval; 1]>,
    open: Option<Day>,
    /// For a norm, the rule that first gave it, whose deadline its episodes fall due by.
    rule: usize,
}

impl Runs {
    /// Closes the open run, from `from` until `until`. A norm that recurs tends to recur
    /// often: past the inline run, room is made for several.
    fn close(&mut self, from: Day, until: Day) {
        if self.done.len() == self.done.inline_size() {
            self.done.reserve_exact(4);
        }
        self.done.push(Interval { from, until: Some(until) });
    }

    fn all(&self) -> impl Iterator<Item = Interval> + '_ {
        self.done.iter().copied().chain(self.open.map(|from| Interval { from, until: None }))
    }

    /// The due date of a norm's episode that starts on `start`, in the report and under the
    /// compliance assumption alike.
    fn due(&self, program: &Program, start: Day) -> Option<Day> {
        due_date(program, self.rule, start)
    }
}

impl<'p> Walk<'p> {
    fn new(world: World<'p>, as_of: Day, assume: bool) -> Walk<'p> {
        // Sorted lists first, then the set of change points built from one in bulk.
        let mut days: Vec<Day> = Vec::new();
        let mut add = |i: &Interval| days.extend(std::iter::once(i.from).chain(i.until));
        world.facts.iter().for_each(|f| add(&f.when));
        world.acts.iter().for_each(|a| add(&a.when));
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
            given_acts: HashMap::default(),
            today: DayState::default(),
            delayed_now: Vec::new(),
            compliance: Compliance::default(),
            derived: Vec::new(),
            index,
            parties,
            previous_day: None,
            cache: vec![HashMap::default(); program.rules.len()],
            spare: HashMap::default(),
            fact_ids: HashMap::default(),
            act_ids: HashMap::default(),
            musts: HashMap::default(),
            must_nots: HashMap::default(),
            live: HashSet::default(),
            in_conflict: HashMap::default(),
            world,
        }
    }

    fn run(mut self) -> Evaluation<'p> {
        while let Some(d) = self.points.pop_first() {
            self.visited += 1;
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
    fn advance(&mut self, state: &mut DayState, d: Day) -> Changes {
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
        for a in gone_assumed.iter().chain(self.act_sweep.ending(&self.world.acts, d).iter()) {
            if release(&mut self.given_acts, a) && state.remove_act(a) {
                c.lost_acts.push(a.clone());
            }
        }
        let mut new_facts: Vec<(Fact, Origin)> = self.fact_sweep.starting(&self.world.facts, d);
        new_facts.extend(delayed.iter().filter(|(f, _)| self.delayed_now.binary_search(f).is_err()).cloned());
        let mut new_acts: Vec<(Act, Origin)> = self.act_sweep.starting(&self.world.acts, d);
        new_acts.extend(new_assumed);
        for (f, origin) in new_facts {
            if hold(&mut self.given_facts, &f) {
                if state.add_fact(f.clone(), origin) {
                    c.new_facts.push(f);
                } else {
                    // It held as derived; from now on it is given.
                    self.derived.retain(|x| *x != f);
                }
            }
        }
        for (a, origin) in new_acts {
            if hold(&mut self.given_acts, &a) && state.add_act(a.clone(), origin) {
                c.new_acts.push(a);
            }
        }
        self.delayed_now = delayed.into_iter().map(|(f, _)| f).collect();
        // The same-day `deem` rules: from what is new only, while the state only grew and no
        // status changed; else from scratch.
        let status_changed =
            self.previous_day.is_none_or(|prev| !self.parties.status_changes_between(prev.next(), d).is_empty());
        let mut derived = Vec::new();
        if self.index.monotone && !status_changed && c.lost_facts.is_empty() && c.lost_acts.is_empty() {
            state.fixpoint_from(&self.world, &c.new_facts, &c.new_acts, &mut derived);
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

    /// The acts that the obligations performed on `yesterday` (under the compliance assumption)
    /// add, and those they no longer give: work in proportion to the obligations that started or
    /// stopped being performed. Acts are counted by the obligations performing them, those that
    /// start before those that stop, so that an act passed from one obligation to another stays;
    /// an act that starts is assumed from the first obligation by identity that performs it.
    fn assumed_changes(&mut self, yesterday: Day) -> (Vec<(Act, Origin)>, Vec<Act>) {
        let (started, stopped) = self.compliance.performed_by(yesterday);
        let act_of = |k: &NormKey| Act { party: k.party, action: k.action, args: k.args.clone() };
        let mut starting: Vec<(Act, &NormKey)> = started
            .iter()
            .map(|&k| {
                let key = self.norms.key(k);
                (act_of(key), key)
            })
            .collect();
        starting.sort_unstable();
        let mut new = Vec::new();
        for (act, key) in starting {
            if hold(&mut self.compliance.acts, &act) {
                new.push((act, Origin::Assumed { norm: key.clone(), on: yesterday }));
            }
        }
        let mut gone = Vec::new();
        for &k in &stopped {
            let act = act_of(self.norms.key(k));
            if release(&mut self.compliance.acts, &act) {
                gone.push(act);
            }
        }
        gone.sort_unstable();
        (new, gone)
    }

    /// Records what the delayed `deem` rules derive today, and when that will first count.
    fn record_delayed(&mut self, state: &DayState) {
        for (r, rule) in self.world.program.deems.iter().enumerate() {
            let Some(delay) = rule.delay else { continue };
            let mut out = Vec::new();
            state.derive(&self.world, r, &rule.condition, None, &mut out);
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

    /// Updates the rule caches for today and returns the norms that appeared and those that
    /// went away.
    fn norm_changes(&mut self, state: &DayState, changes: &Changes) -> Delta {
        let program = self.world.program;
        // Rules to compute afresh: those of instruments whose status changed since the last
        // change point (all of them on the first), and those computed afresh every day.
        let mut fresh: Vec<usize> = Vec::new();
        match self.previous_day {
            None => fresh.extend(0..program.rules.len()),
            Some(prev) => {
                for &(_, i) in self.parties.status_changes_between(prev.next(), state.day) {
                    fresh.extend(program.rules_by_instrument.get(i).into_iter().flatten().copied());
                }
            }
        }
        fresh.extend(self.index.complex.iter().copied());
        fresh.sort_unstable();
        fresh.dedup();
        let mut delta = Delta::default();
        for &r in &fresh {
            // The rule's cache is swapped with an empty one and drained, so that neither gives
            // up its room: rules computed afresh every day would otherwise allocate it anew.
            let mut old = std::mem::take(&mut self.spare);
            if let Some(c) = self.cache.get_mut(r) {
                std::mem::swap(c, &mut old);
            }
            for (_, keys) in old.drain() {
                self.unproduce(r, keys, &mut delta);
            }
            self.spare = old;
        }
        // What the facts and acts that went away gave is taken away.
        let mut lost: Vec<(usize, NormIds)> = Vec::new();
        for f in &changes.lost_facts {
            let Some(&id) = self.fact_ids.get(f) else { continue };
            for r in rules_for(self.index, &self.parties, f) {
                if fresh.binary_search(&r).is_err()
                    && let Some(keys) = self.cache.get_mut(r).and_then(|c| c.remove(&Trig::Fact(id)))
                {
                    lost.push((r, keys));
                }
            }
        }
        for a in &changes.lost_acts {
            let Some(&id) = self.act_ids.get(a) else { continue };
            for &r in self.index.by_act.get(&a.action).into_iter().flatten() {
                if fresh.binary_search(&r).is_err()
                    && let Some(keys) = self.cache.get_mut(r).and_then(|c| c.remove(&Trig::Act(id)))
                {
                    lost.push((r, keys));
                }
            }
        }
        for (r, keys) in lost {
            self.unproduce(r, keys, &mut delta);
        }
        // New outputs: fresh rules for all their facts, the others for the new facts only.
        let mut keys: Vec<NormKey> = Vec::new();
        for &r in &fresh {
            match program.rules.get(r).map(|x| x.trigger) {
                Some(Trigger::Fact(_, kind)) => {
                    // Only the facts with one of the instrument's parties in the indexed role: looked
                    // up party by party, or read off the facts of the kind, whichever are fewer.
                    let of_kind = state.of_kind(kind);
                    let parties =
                        program.rules.get(r).and_then(|x| self.world.timelines.get(x.instrument)).map(|t| &t.bound);
                    let positions: Vec<usize> = match (self.index.party_role.get(r).copied().flatten(), parties) {
                        (Some(role), Some(parties)) if parties.len() < of_kind.len() => {
                            parties.keys().flat_map(|&p| state.with_arg(kind, role, p)).copied().collect()
                        }
                        (Some(role), Some(parties)) => of_kind
                            .iter()
                            .copied()
                            .filter(|&i| {
                                state.facts.get(i).is_some_and(|(f, _)| {
                                    f.args.iter().any(|&(r, v)| r == role && parties.contains_key(&v))
                                })
                            })
                            .collect(),
                        (Some(_), None) => Vec::new(),
                        (None, _) => of_kind.to_vec(),
                    };
                    for i in positions {
                        if let Some((f, _)) = state.facts.get(i) {
                            state.rule_norms(&self.world, r, Some(Support::Fact(i)), &mut keys);
                            let trig = Trig::Fact(number(&mut self.fact_ids, f));
                            self.produce(r, trig, &mut keys, &mut delta);
                        }
                    }
                }
                Some(Trigger::Act(_, action)) => {
                    for &i in state.of_action(action) {
                        if let Some((a, _)) = state.acts.get(i) {
                            state.rule_norms(&self.world, r, Some(Support::Act(i)), &mut keys);
                            let trig = Trig::Act(number(&mut self.act_ids, a));
                            self.produce(r, trig, &mut keys, &mut delta);
                        }
                    }
                }
                _ => {
                    state.rule_norms(&self.world, r, None, &mut keys);
                    self.produce(r, Trig::Whole, &mut keys, &mut delta);
                }
            }
        }
        let mut rules: Vec<usize> = Vec::new();
        for f in &changes.new_facts {
            let Some(i) = state.fact_position(f) else { continue };
            rules.clear();
            rules.extend(rules_for(self.index, &self.parties, f));
            let id = number(&mut self.fact_ids, f);
            for &r in &rules {
                if fresh.binary_search(&r).is_err() {
                    state.rule_norms(&self.world, r, Some(Support::Fact(i)), &mut keys);
                    self.produce(r, Trig::Fact(id), &mut keys, &mut delta);
                }
            }
        }
        for a in &changes.new_acts {
            let Some(i) = state.act_position(a) else { continue };
            let id = number(&mut self.act_ids, a);
            let index = self.index;
            for &r in index.by_act.get(&a.action).into_iter().flatten() {
                if fresh.binary_search(&r).is_err() {
                    state.rule_norms(&self.world, r, Some(Support::Act(i)), &mut keys);
                    self.produce(r, Trig::Act(id), &mut keys, &mut delta);
                }
            }
        }
        // A norm whose last producer went away is gone, unless produced again today.
        let mut gone = std::mem::take(&mut delta.maybe_gone);
        gone.retain(|&k| self.norms.producers[k as usize].is_empty());
        gone.sort_unstable();
        gone.dedup();
        delta.gone = gone;
        // A norm that lost its producers and gained one again today did not appear.
        delta.appeared.retain(|&k| self.norms.runs[k as usize].open.is_none());
        delta.appeared.sort_unstable();
        delta.appeared.dedup();
        delta
    }

    /// Counts rule `r` as a producer of the norms in `keys` (which it empties), and caches them
    /// as what `trig` gave.
    fn produce(&mut self, r: usize, trig: Trig, keys: &mut Vec<NormKey>, delta: &mut Delta) {
        let ids: NormIds = keys.drain(..).map(|k| self.norms.intern(k)).collect();
        let rule = u32::try_from(r).unwrap_or(u32::MAX);
        for &k in &ids {
            let producers = &mut self.norms.producers[k as usize];
            if producers.is_empty() {
                delta.appeared.push(k);
            }
            match producers.iter_mut().find(|(p, _)| *p == rule) {
                Some((_, n)) => *n += 1,
                None => producers.push((rule, 1)),
            }
        }
        if let Some(c) = self.cache.get_mut(r) {
            c.insert(trig, ids);
        }
    }

    /// Takes away what rule `r` produced, noting the norms that may be gone.
    fn unproduce(&mut self, r: usize, keys: NormIds, delta: &mut Delta) {
        let rule = u32::try_from(r).unwrap_or(u32::MAX);
        for k in keys {
            let p = &mut self.norms.producers[k as usize];
            if let Some(at) = p.iter().position(|(q, _)| *q == rule) {
                p[at].1 -= 1;
                if p[at].1 == 0 {
                    p.swap_remove(at);
                }
            }
            delta.maybe_gone.push(k);
        }
    }

    /// Takes today's changes into the runs, conflicts and overrides, and schedules the days
    /// on which assumed acts will first count.
    fn step(&mut self, d: Day, delta: Delta) {
        let program = self.world.program;
        let Delta { appeared, gone, .. } = delta;
        let mut override_changed: BTreeSet<NormId> = BTreeSet::new();
        for &k in &gone {
            let runs = &mut self.norms.runs[k as usize];
            if let Some(from) = runs.open.take() {
                runs.close(from, d);
            }
            let key = &self.norms.keys[k as usize];
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
            let rule = self.norms.first_producer(k);
            let runs = &mut self.norms.runs[k as usize];
            if runs.open.is_none() && runs.done.is_empty() {
                runs.rule = rule;
            }
            runs.open.get_or_insert(d);
            let key = &self.norms.keys[k as usize];
            let set = match key.modality {
                Modality::Must => self.musts.entry(key.party).or_default(),
                Modality::MustNot => self.must_nots.entry(key.party).or_default(),
                Modality::May => continue,
            };
            self.norms.place[k as usize] = u32::try_from(set.len()).unwrap_or(u32::MAX);
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
                self.conflicts.entry(c).or_default().open.get_or_insert(d);
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
            match (now, runs.open) {
                (true, None) => runs.open = Some(d),
                (false, Some(from)) => {
                    runs.open = None;
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
            for k in changed {
                let runs = &self.norms.runs[k as usize];
                let due = runs.open.filter(|_| !self.norms.overridden(k)).and_then(|start| runs.due(program, start));
                // A due date after `d` is a change point.
                if let Some(u) = self.compliance.set_due(k, due).filter(|u| *u > d) {
                    self.schedule(u.next());
                }
            }
            if self.compliance.changes_after(d) {
                self.schedule(d.next());
            }
        }
    }

    fn close_conflict(&mut self, c: &ConflictKey, d: Day, override_changed: &mut BTreeSet<NormId>) {
        if !self.live.remove(c) {
            return;
        }
        if let Some(runs) = self.conflicts.get_mut(c)
            && let Some(from) = runs.open.take()
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

    fn finish(mut self) -> Evaluation<'p> {
        let program = self.world.program;
        let as_of = self.as_of;
        // What only the walk needed is dropped before the records are built.
        drop((std::mem::take(&mut self.cache), std::mem::take(&mut self.fact_ids), std::mem::take(&mut self.act_ids)));
        drop(std::mem::take(&mut self.norms.ids));
        drop(std::mem::take(&mut self.norms.producers));
        drop(std::mem::take(&mut self.today));
        drop((std::mem::take(&mut self.given_facts), std::mem::take(&mut self.given_acts)));
        drop((std::mem::take(&mut self.musts), std::mem::take(&mut self.must_nots)));
        drop((std::mem::take(&mut self.in_conflict), std::mem::take(&mut self.live)));
        let mut conflicts: Vec<ConflictRecord> = self
            .conflicts
            .iter()
            .flat_map(|((kind, obligation, prohibition, prevails), runs)| {
                let (obligation, prohibition) = (self.norms.key(*obligation), self.norms.key(*prohibition));
                runs.all().map(|when| ConflictRecord {
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
        // The identities move into the evaluation's norms, a record beside each.
        let keys = std::mem::take(&mut self.norms.keys);
        let order = sorted_order(&keys, &self.norms.runs);
        let mut records: Vec<NormRecord> = Vec::with_capacity(keys.len());
        for (id, runs) in self.norms.runs.iter().enumerate() {
            let id = NormId::try_from(id).unwrap_or(NormId::MAX);
            let episodes: smallvec::SmallVec<[Episode; 1]> =
                runs.all().map(|when| Episode { when, due: runs.due(program, when.from) }).collect();
            let overridden = self.overridden.get(&id).map(|r| r.all().collect()).unwrap_or_default();
            records.push(NormRecord { episodes, overridden, status: Status::Pending, assumed: false, rule: runs.rule });
        }
        drop(std::mem::take(&mut self.norms.runs));
        let mut norms = Norms { keys, records, order };
        let mut acts: Vec<DatedAct> =
            self.world.acts.iter().map(|a| DatedAct { act: a.item.clone(), when: a.when, assumed: false }).collect();
        let mut assumed_acts = Vec::new();
        if self.assume {
            for (key, record) in norms.iter() {
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
        let by_actor = ActsByActor::new(&acts);
        let mut violations = Vec::new();
        let mut matching: Vec<Numbered> = Vec::new();
        for &i in &norms.order {
            let (Some(key), Some(record)) = (norms.keys.get(i as usize), norms.records.get_mut(i as usize)) else {
                continue;
            };
            by_actor.matching(key, &mut matching);
            let matching: Vec<&DatedAct> = matching.drain(..).map(|(_, a)| a).collect();
            let (status, assumed) = status_of(key, record, &matching, as_of);
            record.status = status;
            record.assumed = assumed;
            if key.modality == Modality::MustNot {
                violations.extend(violations_of(key, record, &matching, as_of));
            }
        }
        violations.sort();
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

/// The facts and acts that appeared from one change point to the next, and those that went away.
#[derive(Default)]
struct Changes {
    new_facts: Vec<Fact>,
    lost_facts: Vec<Fact>,
    new_acts: Vec<Act>,
    lost_acts: Vec<Act>,
}

/// What was added and what was taken away, without what was taken away and added again.
fn net<T: Clone + Eq + std::hash::Hash>(added: Vec<T>, removed: Vec<T>) -> (Vec<T>, Vec<T>) {
    if added.is_empty() || removed.is_empty() {
        return (added, removed);
    }
    let a: HashSet<&T> = added.iter().collect();
    let r: HashSet<&T> = removed.iter().collect();
    let new = added.iter().filter(|x| !r.contains(x)).cloned().collect();
    let lost = removed.iter().filter(|x| !a.contains(x)).cloned().collect();
    (new, lost)
}

/// The numbers of the norms that were ever active, in order of identity. They are sorted on the
/// identity packed into numbers that order as it does — party, modality and action in one, and
/// each of the first two arguments in one (none before any) — so that most comparisons do not
/// reach the identities, which lie apart in memory; equal packings compare the identities (past
/// two arguments, or with an action numbered from 2^30 - 1 or an argument near the end of the
/// range, which pack into one value with their neighbours).
fn sorted_order(keys: &[NormKey], runs: &[Runs]) -> Vec<NormId> {
    let packed = |k: &NormKey| {
        // Past the first number that packs two values into one, the rest are left equal.
        let action = u64::from(k.action).min((1 << 30) - 1);
        let mut words = [(u64::from(k.party) << 32) | ((k.modality as u64) << 30) | action, 0, 0];
        if action < (1 << 30) - 1 {
            for (word, &(role, value)) in words[1..].iter_mut().zip(&k.args) {
                *word = ((u64::from(role) << 32) | u64::from(value)).saturating_add(1);
                if *word == u64::MAX {
                    break;
                }
            }
        }
        words
    };
    let mut by_packed: Vec<([u64; 3], NormId)> = Vec::with_capacity(keys.len());
    by_packed.extend(
        keys.iter()
            .zip(runs)
            .enumerate()
            .filter(|(_, (_, r))| r.open.is_some() || !r.done.is_empty())
            .map(|(id, (k, _))| (packed(k), NormId::try_from(id).unwrap_or(NormId::MAX))),
    );
    // Sorted on the numbers alone, then each run of equal packings by the identities.
    by_packed.sort_unstable();
    for run in by_packed.chunk_by_mut(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        run.sort_unstable_by(|a, b| keys[a.1 as usize].cmp(&keys[b.1 as usize]));
    }
    by_packed.into_iter().map(|(_, id)| id).collect()
}

/// The rules a fact may trigger: those indexed by its kind, and those indexed by its kind, a
/// role and the party in it.
fn rules_for<'a>(index: &'a RuleIndex, parties: &'a PartyIndex, f: &'a Fact) -> impl Iterator<Item = usize> + 'a {
    let by_kind = index.by_fact.get(&f.kind).into_iter().flatten().copied();
    by_kind.chain(f.args.iter().flat_map(move |&(role, value)| parties.rules(f.kind, role, value)))
}

/// What is in sorted list `a` and not in sorted list `b`, and what is in `b` and not in `a`.
fn difference(a: &[NormId], b: &[NormId]) -> (Vec<NormId>, Vec<NormId>) {
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

/// Counts one more source of `item`; true if it is the first.
fn hold<T: Clone + Eq + std::hash::Hash>(count: &mut HashMap<T, u32>, item: &T) -> bool {
    let n = count.entry(item.clone()).or_insert(0);
    *n += 1;
    *n == 1
}

/// Counts one source of `item` less; true if it was the last.
fn release<T: Eq + std::hash::Hash>(count: &mut HashMap<T, u32>, item: &T) -> bool {
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

/// What changed in the norms from one change point to the next.
///
/// A day takes producers away before it adds any, so a norm that lost its last producer and
/// gained one again is not gone, and one that appeared still has a producer at the end.
#[derive(Default)]
struct Delta {
    /// Norms that were not active and gained a producer, sorted once the day is done.
    appeared: Vec<NormId>,
    /// Norms with no producer left, sorted.
    gone: Vec<NormId>,
    /// Norms that lost a producer; gone unless another still produces them.
    maybe_gone: Vec<NormId>,
}

/// The conflict between obligation `mi` and prohibition `fi` of the same party, if there is one.
fn conflict_of(program: &Program, norms: &NormTable, mi: NormId, fi: NormId) -> Option<ConflictKey> {
    let (m, f) = (norms.key(mi), norms.key(fi));
    if m.action == f.action && args_unify(&m.args, &f.args) {
        let prevails = if program.prevails(m.instrument, f.instrument) {
            Some(m.instrument)
        } else if program.prevails(f.instrument, m.instrument) {
            Some(f.instrument)
        } else {
            None
        };
        Some((ConflictKind::Direct, mi, fi, prevails))
    } else if includes_forbidden(program, m, f) {
        Some((ConflictKind::Partial, mi, fi, None))
    } else {
        None
    }
}

/// The norm a conflict overrides: the one whose instrument does not prevail.
fn loser(norms: &NormTable, c: &ConflictKey) -> Option<NormId> {
    let &(_, m, f, prevails) = c;
    match prevails {
        Some(i) if i == norms.key(m).instrument => Some(f),
        Some(_) => Some(m),
        None => None,
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
            if !acts.is_empty()
                && subtract(window, &record.overridden).iter().any(|w| acts.iter().any(|a| overlaps(w, &a.when)))
            {
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
    if acts.is_empty() {
        return Vec::new();
    }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    /// Arguments over a few roles and values, any of them left out.
    fn args() -> impl Strategy<Value = Args> {
        proptest::collection::btree_map(0..3u32, 0..3u32, 0..=3).prop_map(|m| m.into_iter().collect())
    }

    proptest! {
        // Cases from `PROPTEST_CASES` (256 by default); no regression files.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        /// Norms come out of `sorted_order` in the order of their identities, whatever the
        /// packing leaves to the identities themselves: more than two arguments, an action past
        /// 2^30, roles at the end of the range. Norms never active are left out.
        #[test]
        fn sorted_order_is_the_order_of_identities(
            keys in proptest::collection::btree_set(
                (0..3u32, 0..3usize, prop_oneof![0..3u32, Just(u32::MAX - 1), Just(u32::MAX)],
                 proptest::collection::vec((prop_oneof![0..3u32, Just(u32::MAX - 1), Just(u32::MAX)], prop_oneof![0..3u32, Just(u32::MAX - 1), Just(u32::MAX)]), 0..4),
                 0..2usize, 0..2usize, any::<bool>()),
                0..40,
            ),
        ) {
            let modalities = [Modality::Must, Modality::MustNot, Modality::May];
            let (keys, runs): (Vec<NormKey>, Vec<Runs>) = keys
                .into_iter()
                .map(|(party, m, action, args, instrument, article, active)| {
                    let key = NormKey { party, modality: modalities[m], action, args: args.into_iter().collect(), instrument, article };
                    let runs = Runs { open: active.then_some(Day(0)), ..Runs::default() };
                    (key, runs)
                })
                .collect();
            let sorted: Vec<&NormKey> = sorted_order(&keys, &runs).into_iter().map(|i| &keys[i as usize]).collect();
            let mut expected: Vec<&NormKey> = keys.iter().zip(&runs).filter(|(_, r)| r.open.is_some()).map(|(k, _)| k).collect();
            expected.sort();
            expected.dedup();
            prop_assert_eq!(sorted.len(), expected.len());
            prop_assert_eq!(sorted, expected);
        }

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
