//! The evaluator: the meaning of docs/semantics.md, computed only on the days where something
//! changes.
//!
//! The state of the world is constant between *change points*: days on which a fact or act
//! starts or ends, an instrument enters into force or binds a party or stops, a delayed fact
//! falls, or (under the compliance assumption) an assumed act first counts. The evaluator visits
//! those days in order, computes the state once for each, and takes it to hold until the next.
//! Change points that depend on the evaluation itself (due dates, delayed facts) are added as
//! they become known, always later than the day being evaluated, so the walk ends at the
//! horizon. The day-by-day reference in the test suite checks this against §3 literally.

mod acts;
mod caps;
mod compliance;
mod identity;
mod norms;
mod order;
mod ranks;
mod solve;
mod state;
mod status;
mod walk;
mod world;

use crate::calendar::Day;
use crate::program::Deadline;
use crate::program::{InstId, Program, Sym};
use crate::scenario::Scenario;
use casus_syntax::ast::Modality;
use casus_syntax::diagnostic::Diagnostic;

pub use crate::calendar::Interval;
pub use crate::outcome::{ConflictKind, Status};
pub use caps::{CapOutcome, Delivery};
pub use identity::NormKey;
pub(crate) use identity::{act_matches, fulfilling, included_forbidden, norm_args, value};
pub(crate) use order::pack_pairs;
pub(crate) use solve::{Env, Trail};
pub(crate) use state::{DayState, Origin, Support};
use walk::Walk;
pub use world::{Act, Args, Binding, Fact, Timed, Timeline, Why, World};

/// The rules that fired in an evaluation: what a test suite's coverage counts.
#[derive(Clone, Debug, Default)]
pub struct Fired {
    /// The norm rules that produced a norm on some day up to the horizon, by number.
    pub norm_rules: fixedbitset::FixedBitSet,
    /// The `deem` rules that derived a fact on some day up to the horizon, by number.
    pub deem_rules: fixedbitset::FixedBitSet,
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
    /// What each capped prohibition counted, by its identity.
    pub caps: std::collections::BTreeMap<NormKey, CapOutcome>,
    /// Acts assumed performed under the compliance assumption: the obligation performed, by
    /// its place in `norms`, and the days ([`Evaluation::assumed_acts`] gives them in full).
    assumed: Vec<(u32, Interval)>,
    /// How many change points the walk visited.
    pub change_points: usize,
    /// The rules that fired.
    pub fired: Fired,
    /// The change point the walk stopped at when it spent its budget (the world's `budget` of
    /// steps: a change point, or a fact a delayed rule carries to a later day):
    /// the evaluation is then incomplete, and [`Evaluation::problems`] says why.
    pub exhausted: Option<Day>,
    /// Per delayed `deem` rule: the facts its condition gave, from each day it changed.
    delayed: Vec<Vec<(Day, Vec<Fact>)>>,
}

impl Evaluation<'_> {
    /// Acts assumed performed under the compliance assumption, each with its days and the
    /// obligation performed, in order of obligation and days.
    pub fn assumed_acts(&self) -> impl Iterator<Item = (Act, Interval, &NormKey)> {
        self.assumed.iter().filter_map(|&(n, when)| {
            let key = self.norms.keys.get(n as usize)?;
            Some((key.act().owned(), when, key))
        })
    }

    /// The state of day `day` as the evaluation saw it: facts and acts with their origins. An
    /// act that several obligations perform is assumed from the first by act, days and
    /// obligation.
    pub(crate) fn state_at(&self, day: Day) -> DayState {
        let yesterday = Day(day.0 - 1);
        let mut assumed: Vec<(Act, Interval, &NormKey)> =
            self.assumed_acts().filter(|(_, when, _)| when.contains(yesterday)).collect();
        assumed.sort();
        day_state(&self.world, day, &self.delayed, assumed.into_iter().map(|(a, _, k)| (a, k.clone())))
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
        state.add_act(act, Origin::Assumed { norm: Box::new(norm), on: Day(d.0 - 1) });
    }
    state.fixpoint(world, &mut Vec::new());
    state
}

/// The facts of delayed `deem` rules that fall on day `d`: those their conditions gave on the
/// day as many days before, as recorded in `delayed`.
fn delayed_facts(world: &World, d: Day, delayed: &[Vec<(Day, Vec<Fact>)>]) -> Vec<(Fact, Origin)> {
    let mut out = Vec::new();
    for (r, history) in delayed.iter().enumerate() {
        let Some(delay) = world.program.deem(r).delay else {
            continue;
        };
        let source = Day(d.0 - i32::try_from(delay.amount).unwrap_or(i32::MAX));
        if let Some((_, facts)) = history.iter().rev().find(|(day, _)| *day <= source) {
            let rule = crate::intern::number(r);
            out.extend(facts.iter().map(|f| (f.clone(), Origin::Delayed { rule, on: source })));
        }
    }
    out
}

/// Every norm with at least one episode, each with its record, party by party in order of the
/// parties' numbers: each party's norms in order of identity, or, in a large evaluation, in order
/// of names (the report's), so that a report of millions reads them where they lie instead of
/// fetching each from wherever a sort by names would send it. A norm is found by binary search.
#[derive(Clone, Debug, Default)]
pub struct Norms {
    /// The identities.
    keys: Vec<NormKey>,
    /// The record of each, in the same order, in two lists: the first norms' and the rest's (a
    /// large evaluation's are made on two threads at once, each list on its own).
    records: [Vec<NormRecord>; 2],
    /// Where each party's norms lie in order of names, the ranks of the names that order them;
    /// `None` where they lie in order of identity.
    names: Option<ranks::Ranks>,
}

impl Norms {
    /// The history of a norm.
    pub fn get(&self, key: &NormKey) -> Option<&NormRecord> {
        let Some(ranks) = &self.names else {
            return self.record(self.keys.binary_search(key).ok()?);
        };
        let from = self.keys.partition_point(|k| k.party < key.party);
        let party = self.keys.get(from..)?;
        let party = party.get(..party.partition_point(|k| k.party == key.party))?;
        let at = party.binary_search_by(|k| ranks.cmp(k, key)).ok()?;
        self.record(from + at)
    }

    /// The history of the norm at `at`.
    fn record(&self, at: usize) -> Option<&NormRecord> {
        let [first, rest] = &self.records;
        first.get(at).or_else(|| rest.get(at.checked_sub(first.len())?))
    }

    /// The norms and their histories, party by party (see [`Norms`]).
    pub fn iter(&self) -> impl Iterator<Item = (&NormKey, &NormRecord)> {
        let [first, rest] = &self.records;
        self.keys.iter().zip(first.iter().chain(rest))
    }

    /// The norms and their histories in order of names, the report's: the names of `world`,
    /// the evaluation's.
    pub(crate) fn by_names(&self, world: &World) -> Vec<(&NormKey, &NormRecord)> {
        match &self.names {
            Some(ranks) => self.parties_by_names(ranks),
            None => ranks::sorted(&ranks::Ranks::new(world), self.iter()),
        }
    }

    /// The norms, each party's lying in order of names, in order of names: the parties put in
    /// order of theirs, each party's norms as they lie.
    fn parties_by_names(&self, ranks: &ranks::Ranks) -> Vec<(&NormKey, &NormRecord)> {
        let mut parties: Vec<(u32, std::ops::Range<usize>)> = Vec::new();
        let mut from = 0;
        for run in self.keys.chunk_by(|a, b| a.party == b.party) {
            let party = run.first().map_or(0, |k| ranks.sym(k.party));
            parties.push((party, from..from + run.len()));
            from += run.len();
        }
        parties.sort_by_key(|(rank, at)| (*rank, at.start));
        let mut out = Vec::with_capacity(self.keys.len());
        for (_, at) in parties {
            out.extend(at.filter_map(|n| Some((self.keys.get(n)?, self.record(n)?))));
        }
        out
    }

    /// Puts each party's norms, which lie together in order of identity, into order of names,
    /// each list of records on a thread of its own if `two_threads`. Returns where the norm at
    /// each place went, if `moved` (else nothing).
    fn put_in_order_of_names(&mut self, ranks: ranks::Ranks, two_threads: bool, moved: bool) -> Vec<u32> {
        let [first, rest] = &mut self.records;
        // The lists are made party by party; should a party ever lie across both, it is one list.
        let split = first.len().min(self.keys.len());
        if split > 0 && self.keys.get(split - 1).zip(self.keys.get(split)).is_some_and(|(a, b)| a.party == b.party) {
            first.append(rest);
        }
        let split = first.len().min(self.keys.len());
        let mut places = if moved { vec![0; self.keys.len()] } else { Vec::new() };
        let (keys_a, keys_b) = self.keys.split_at_mut(split);
        let at = split.min(places.len());
        let (moved_a, moved_b) = places.split_at_mut(at);
        let both = two_threads && !rest.is_empty();
        let ranks_here = &ranks;
        let mut a = || ranks::within_parties(ranks_here, keys_a, first, moved_a, 0);
        let mut b = || ranks::within_parties(ranks_here, keys_b, rest, moved_b, split);
        if both {
            crate::halves::join(a, b);
        } else {
            a();
            b();
        }
        self.names = Some(ranks);
        places
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
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
    /// The first day of that status: when the act that fulfilled or broke it began, the day
    /// after a missed due date, the day it was overridden or ended, or else the day it began.
    pub since: Day,
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
    /// The instrument that prevails, when precedence ranks one side's over the other's.
    pub prevails: Option<InstId>,
    /// For a partial conflict, the action the obligation includes that the prohibition forbids,
    /// with its arguments.
    pub included: Option<(Sym, Args)>,
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
    let eval = evaluate_world(World::new(program, scenario)?, as_of, assume_compliance);
    let problems = eval.problems();
    if problems.is_empty() { Ok(eval) } else { Err(problems) }
}

impl Evaluation<'_> {
    /// Why the evaluation cannot be reported: it spent its budget, or a deadline ran past the
    /// calendar's last day (every date of a report is a `YYYY-MM-DD`). Empty when it can.
    pub fn problems(&self) -> Vec<Diagnostic> {
        match self.budget_problem() {
            Some(d) => vec![d],
            None => self.past_the_calendar(),
        }
    }
}

impl Evaluation<'_> {
    /// When the walk spent its budget: an error at the `deem` rule that keeps making change
    /// points (a delayed rule that derived a fact on the last of them), or else at the scenario.
    fn budget_problem(&self) -> Option<Diagnostic> {
        let day = self.exhausted?;
        let program = self.world.program;
        // The delayed rules whose latest facts fall due on the day the walk stopped, or later:
        // those keep adding change points.
        let delay = |r: usize| program.deem(r).delay.map_or(0, |d| i32::try_from(d.amount).unwrap_or(i32::MAX));
        let longest = (0..self.delayed.len()).map(delay).max().unwrap_or(0);
        let culprits: Vec<usize> = self
            .delayed
            .iter()
            .enumerate()
            .filter(|(r, history)| {
                // Its output may have just gone empty for a day, as two rules that feed each other
                // take turns: its latest facts count.
                history.iter().rev().find(|(_, facts)| !facts.is_empty()).is_some_and(|(on, _)| {
                    on.0.saturating_add(delay(*r)) >= day.0.saturating_sub(longest).saturating_sub(1)
                })
            })
            .map(|(r, _)| r)
            .collect();
        let rules: Vec<String> =
            culprits.iter().map(|r| format!("`{}`", program.deem(*r).text.lines().next().unwrap_or(""))).collect();
        let (file, at) = match culprits.first() {
            Some(r) => (program.deem(*r).file, program.deem(*r).span),
            None => (self.world.file, casus_syntax::source::Span::new(0, 0)),
        };
        Some(Diagnostic::new(
            file,
            crate::eval::BudgetSpent { budget: self.world.budget, day: day.to_string(), rules: rules.join(", "), at },
        ))
    }
}

impl Evaluation<'_> {
    /// Where a deadline ran past the calendar's last day: an error at each rule that gave such
    /// a due date, naming the duty of that rule that arose first (of those that arose on one day,
    /// the first in order of names, as the report lists them), whatever order names were met in.
    fn past_the_calendar(&self) -> Vec<Diagnostic> {
        let program = self.world.program;
        // Each such duty, with the day it arose and its rule: few, if any.
        let mut late: Vec<(usize, Day, &NormKey)> = self
            .norms
            .iter()
            .filter_map(|(key, record)| {
                let e = record.episodes.iter().find(|e| e.due.is_some_and(|d| d > Day::LAST))?;
                Some((record.rule, e.when.from, key))
            })
            .collect();
        if late.is_empty() {
            return Vec::new();
        }
        let fresh;
        let ranks = match &self.norms.names {
            Some(ranks) => ranks,
            None => {
                fresh = ranks::Ranks::new(&self.world);
                &fresh
            }
        };
        // The duties in the order they arose, ties by name; each rule's first is the one named.
        late.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| ranks.cmp(a.2, b.2)));
        let mut seen = std::collections::BTreeSet::new();
        late.into_iter()
            .filter(|&(r, _, _)| seen.insert(r))
            .map(|(r, from, key)| {
                let rule = program.rule(r);
                Diagnostic::new(
                    rule.file,
                    PastTheCalendar {
                        duty: format!("{} must {}", self.world.name(key.party), self.world.name(key.action)),
                        from: from.to_string(),
                        at: rule.span,
                    },
                )
            })
            .collect()
    }
}

/// A deadline that runs past 9999-12-31.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("the deadline of `{duty}`, arising on {from}, falls after 9999-12-31, the last day casus counts")]
#[diagnostic(
    code("casus::calendar"),
    help(
        "a due date is written YYYY-MM-DD, and none can be written after 9999-12-31; an earlier `as_of` or a shorter deadline keeps it within the calendar"
    )
)]
pub struct PastTheCalendar {
    /// The duty, in words.
    pub duty: String,
    /// The day it arose.
    pub from: String,
    /// The rule.
    #[label("this rule's deadline")]
    pub at: casus_syntax::source::Span,
}

/// An evaluation that would take more steps than its budget.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("the evaluation stops at {day}: it has spent its budget of {budget} steps{}", if rules.is_empty() { String::new() } else { format!("; these rules keep adding days: {rules}") })]
#[diagnostic(
    code("casus::budget"),
    help(
        "a step is a day on which something changes, or a fact a delayed rule carries to a later day; a rule that derives a fact `after N days` from a fact it derives itself goes on for ever; if the scenario really needs more steps, raise the budget with `--budget N`"
    )
)]
pub struct BudgetSpent {
    /// The budget.
    pub budget: usize,
    /// The day the walk stopped at.
    pub day: String,
    /// The delayed rules that kept adding days, as written.
    pub rules: String,
    /// The first of them, or the scenario's start.
    #[label("this rule derives a fact that makes it fire again")]
    pub at: casus_syntax::source::Span,
}

/// Evaluates a world already fixed from its scenario (which is then no longer needed) up to
/// `as_of`.
pub fn evaluate_world(world: World<'_>, as_of: Day, assume_compliance: bool) -> Evaluation<'_> {
    Walk::new(world, as_of, assume_compliance).run()
}

/// The due date of an episode of an obligation of rule `rule` that starts on `start`: the day
/// after which, with no act, it is violated. None for prohibitions, permissions, obligations
/// without a deadline and discretionary (`forthwith`) ones.
pub fn due_date(program: &Program, rule: usize, start: Day) -> Option<Day> {
    let rule = program.rule(rule);
    if rule.modality != Modality::Must {
        return None;
    }
    Some(match rule.deadline? {
        Deadline::Immediately => start,
        Deadline::Within(d) => start.plus(d),
        Deadline::By(date) => date,
        Deadline::Forthwith => return None,
    })
}

/// The day on which, under the compliance assumption, an episode of an obligation of rule `rule`
/// that starts on `start` is taken as performed: its due date, or its first day for a
/// `forthwith` duty, which a compliant party performs at once.
pub fn performed_on(program: &Program, rule: usize, start: Day) -> Option<Day> {
    let r = program.rule(rule);
    match r.deadline {
        Some(Deadline::Forthwith) if r.modality == Modality::Must => Some(start),
        _ => due_date(program, rule, start),
    }
}
