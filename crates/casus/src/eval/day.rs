//! One day: the facts and acts that hold, the `deem` fixpoint, and the norms that follow.

use rustc_hash::FxHashMap as HashMap;

use crate::calendar::Day;
use crate::program::{Bearers, InstId, Lit, LitKind, NormRule, Program, Sym, Term, Trigger};
use casus_syntax::ast::Modality;

use super::world::{Act, Args, Fact, World, with_defaults};

/// Where a fact or act of the day comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Scenario event number `n`.
    Event(usize),
    /// Derived today by `deem` rule `rule` from these facts and acts of the day.
    Derived {
        /// The rule.
        rule: usize,
        /// What it matched.
        support: Vec<Support>,
    },
    /// Derived by a delayed `deem` rule whose condition held on an earlier day.
    Delayed {
        /// The rule.
        rule: usize,
        /// The day the condition held.
        on: Day,
    },
    /// Assumed performed, under the compliance assumption, on the day before.
    Assumed {
        /// The obligation performed.
        norm: NormKey,
        /// The day it was performed.
        on: Day,
    },
}

/// A fact or act of the day that a rule matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// `facts[i]`.
    Fact(usize),
    /// `acts[i]`.
    Act(usize),
}

/// The identity of a norm: (party, modality, action, arguments, instrument, article).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NormKey {
    /// The bearer.
    pub party: Sym,
    /// Must, must not, may.
    pub modality: Modality,
    /// The action.
    pub action: Sym,
    /// `(role, value)`, sorted by role.
    pub args: Args,
    /// The instrument.
    pub instrument: InstId,
    /// The article's index in the instrument.
    pub article: usize,
}

/// A norm's arguments under a rule's variables, sorted by role; `None` if one is unbound.
pub fn norm_args(rule: &NormRule, env: &[Option<Sym>]) -> Option<Args> {
    let mut args: Args =
        rule.action.args.iter().map(|(role, t)| value(*t, env).map(|v| (*role, v))).collect::<Option<_>>()?;
    args.sort();
    Some(args)
}

/// The facts and acts that hold on one day.
#[derive(Clone, Debug, Default)]
pub struct DayState {
    /// The day.
    pub day: Day,
    /// Facts, each once, with where it comes from.
    pub facts: Vec<(Fact, Origin)>,
    /// Acts under way, each once, with where it comes from.
    pub acts: Vec<(Act, Origin)>,
    /// Where each fact is, and facts by kind and by kind, role and value, so that a pattern
    /// with a known argument looks at its candidates only.
    fact_index: Index<Fact>,
    /// Where each act is, and acts by action and by action, role and value (the actor under
    /// the role `Sym::MAX`).
    act_index: Index<Act>,
}

/// One of the index lists a fact or act is in: those of its kind or action, or those of its
/// kind or action with a value in a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum List {
    Name(Sym),
    Arg(Sym, Sym, Sym),
}

/// A fact or an act, as it is listed in an `Index`.
trait Listed {
    /// The index lists it is in, in a fixed order.
    fn lists(&self) -> Lists;

    /// Where list `l`, one of its lists, is in that order.
    fn place(&self, l: List) -> Option<usize> {
        self.lists().iter().position(|x| *x == l)
    }
}

/// A fact is listed by kind, then by each argument.
impl Listed for Fact {
    fn lists(&self) -> Lists {
        std::iter::once(List::Name(self.kind))
            .chain(self.args.iter().map(|&(r, v)| List::Arg(self.kind, r, v)))
            .collect()
    }
}

/// An act is listed by action, by actor (the role `Sym::MAX`), then by each argument.
impl Listed for Act {
    fn lists(&self) -> Lists {
        [List::Name(self.action), List::Arg(self.action, Sym::MAX, self.party)]
            .into_iter()
            .chain(self.args.iter().map(|&(r, v)| List::Arg(self.action, r, v)))
            .collect()
    }
}

type Lists = smallvec::SmallVec<[List; 6]>;

/// The positions of the facts or acts of a day in their list, and index lists of those
/// positions, with each position's slot in each of its lists, so that taking one away searches
/// nothing.
#[derive(Clone, Debug)]
struct Index<T> {
    positions: HashMap<T, usize>,
    by_name: HashMap<Sym, Vec<usize>>,
    by_arg: HashMap<(Sym, Sym, Sym), Vec<usize>>,
    /// Per position, its slot in each of its lists, in the order its lists are named.
    slots: Vec<smallvec::SmallVec<[u32; 6]>>,
}

impl<T> Default for Index<T> {
    fn default() -> Self {
        Index {
            positions: HashMap::default(),
            by_name: HashMap::default(),
            by_arg: HashMap::default(),
            slots: Vec::new(),
        }
    }
}

impl<T> Index<T> {
    fn list(&mut self, l: List) -> &mut Vec<usize> {
        match l {
            List::Name(n) => self.by_name.entry(n).or_default(),
            List::Arg(n, r, v) => self.by_arg.entry((n, r, v)).or_default(),
        }
    }

    /// The positions in list `l`.
    fn get(&self, l: List) -> &[usize] {
        let list = match l {
            List::Name(n) => self.by_name.get(&n),
            List::Arg(n, r, v) => self.by_arg.get(&(n, r, v)),
        };
        list.map_or(&[], Vec::as_slice)
    }
}

impl<T: Listed + Clone + Eq + std::hash::Hash> Index<T> {
    /// Adds `item` to `items` unless it is there.
    fn insert(&mut self, items: &mut Vec<(T, Origin)>, item: T, origin: Origin) -> bool {
        if self.positions.contains_key(&item) {
            return false;
        }
        let at = items.len();
        self.positions.insert(item.clone(), at);
        self.add(at, &item);
        items.push((item, origin));
        true
    }

    /// Takes `item` out of `items`, if it is there. The last item takes its place, so
    /// positions change: a walk that keeps one state from day to day uses it, a single day's
    /// state never does.
    fn take(&mut self, items: &mut Vec<(T, Origin)>, item: &T) -> bool {
        let Some(at) = self.positions.remove(item) else { return false };
        self.remove(at, items);
        items.swap_remove(at);
        if let Some(i) = items.get(at).and_then(|(moved, _)| self.positions.get_mut(moved)) {
            *i = at;
        }
        true
    }

    fn position(&self, item: &T) -> Option<usize> {
        self.positions.get(item).copied()
    }

    /// Lists `item` at position `at`, the last.
    fn add(&mut self, at: usize, item: &T) {
        let slots = item
            .lists()
            .iter()
            .map(|&l| {
                let list = self.list(l);
                list.push(at);
                u32::try_from(list.len() - 1).unwrap_or(u32::MAX)
            })
            .collect();
        self.slots.push(slots);
    }

    /// Takes position `at` of `items` out of its lists, the last position taking its place, as
    /// `swap_remove` does to the items, which the caller does after.
    fn remove(&mut self, at: usize, items: &[(T, Origin)]) {
        let (Some(slots), Some((item, _))) = (self.slots.get(at).cloned(), items.get(at)) else { return };
        for (&l, &slot) in item.lists().iter().zip(&slots) {
            // The last entry of the list fills the slot, and notes where it now is.
            let list = self.list(l);
            let slot_at = slot as usize;
            if slot_at >= list.len() {
                continue;
            }
            list.swap_remove(slot_at);
            let Some(&q) = list.get(slot_at) else { continue };
            let place = items.get(q).and_then(|(other, _)| other.place(l));
            if let Some(s) = place.and_then(|m| self.slots.get_mut(q).and_then(|s| s.get_mut(m))) {
                *s = slot;
            }
        }
        let last = self.slots.len() - 1;
        self.slots.swap_remove(at);
        if let (Some(slots), Some((moved, _))) = (self.slots.get(at).cloned(), items.get(last))
            && at < last
        {
            for (&l, &slot) in moved.lists().iter().zip(&slots) {
                if let Some(x) = self.list(l).get_mut(slot as usize) {
                    *x = at;
                }
            }
        }
    }
}

/// The parties who bear a norm for one solution: mostly one or a few.
pub type Parties = smallvec::SmallVec<[Sym; 4]>;

/// The values of a rule's variables while its condition is solved: most rules have a few.
pub type Env = smallvec::SmallVec<[Option<Sym>; 8]>;

/// What a solution matched, pattern by pattern.
pub type Trail = smallvec::SmallVec<[Support; 4]>;

/// The variables one match bound, to unbind after.
type Bound = smallvec::SmallVec<[usize; 8]>;

/// Called with each way a condition holds: the variable values and what was matched. Returns
/// false to stop the search.
pub type Visit<'a> = dyn FnMut(&[Option<Sym>], &[Support]) -> bool + 'a;

/// Matches one candidate fact or act (by index) against a pattern, binding variables and
/// noting which; the support to record when it matches.
type TryOne<'a> = dyn Fn(&mut Env, &mut Bound, usize) -> Option<Support> + 'a;

impl DayState {
    /// An empty day.
    pub fn new(day: Day) -> DayState {
        DayState { day, ..DayState::default() }
    }

    /// Adds a fact unless it already holds.
    pub fn add_fact(&mut self, fact: Fact, origin: Origin) -> bool {
        self.fact_index.insert(&mut self.facts, fact, origin)
    }

    /// Takes a fact away, if it holds. The last fact takes its place, so positions change:
    /// a walk that keeps one state from day to day uses it, a single day's state never does.
    /// Each fact knows its slot in each index list, so nothing is searched.
    pub fn remove_fact(&mut self, fact: &Fact) -> bool {
        self.fact_index.take(&mut self.facts, fact)
    }

    /// Takes an act away, if it is under way; positions change as for `remove_fact`.
    pub fn remove_act(&mut self, act: &Act) -> bool {
        self.act_index.take(&mut self.acts, act)
    }

    /// The position of a fact that holds.
    pub fn fact_position(&self, fact: &Fact) -> Option<usize> {
        self.fact_index.position(fact)
    }

    /// The position of an act under way.
    pub fn act_position(&self, act: &Act) -> Option<usize> {
        self.act_index.position(act)
    }

    /// The positions of the facts of a kind.
    pub fn of_kind(&self, kind: Sym) -> &[usize] {
        self.fact_index.get(List::Name(kind))
    }

    /// The positions of the facts of a kind with `value` in `role`.
    pub fn with_arg(&self, kind: Sym, role: Sym, value: Sym) -> &[usize] {
        self.fact_index.get(List::Arg(kind, role, value))
    }

    /// The positions of the acts of an action.
    pub fn of_action(&self, action: Sym) -> &[usize] {
        self.act_index.get(List::Name(action))
    }

    /// Adds an act under way, unless it already is.
    pub fn add_act(&mut self, act: Act, origin: Origin) -> bool {
        self.act_index.insert(&mut self.acts, act, origin)
    }

    /// Applies the `deem` rules that take effect the same day, stratum by stratum, until
    /// nothing new follows; notes in `added` each fact that did not hold before. Each stratum's
    /// rules are solved once over the whole state; after that, only with a pattern pinned to a
    /// fact the stratum added (semi-naive): a stratum negates only kinds that earlier strata
    /// complete, so nothing it adds can take away what it derived.
    pub fn fixpoint(&mut self, world: &World, added: &mut Vec<Fact>) {
        for stratum in &world.program.strata {
            let mut new = Vec::new();
            for &r in stratum {
                let Some(rule) = world.program.deems.get(r) else {
                    continue;
                };
                self.derive(world, r, &rule.condition, None, &mut new);
            }
            let mut pending = Vec::new();
            for (fact, origin) in new {
                if self.add_fact(fact.clone(), origin) {
                    pending.push(Support::Fact(self.facts.len() - 1));
                    added.push(fact);
                }
            }
            self.propagate(world, std::slice::from_ref(stratum), pending, added);
        }
    }

    /// Extends the facts the same-day `deem` rules derive after `new_facts` and `new_acts`
    /// were added to a state where nothing else changed (and the rules have no negation, so that
    /// nothing derived before stops holding). Notes in `added` each fact that did not hold
    /// before.
    pub fn fixpoint_from(&mut self, world: &World, new_facts: &[Fact], new_acts: &[Act], added: &mut Vec<Fact>) {
        let pending: Vec<Support> = new_facts
            .iter()
            .filter_map(|f| self.fact_position(f).map(Support::Fact))
            .chain(new_acts.iter().filter_map(|a| self.act_position(a).map(Support::Act)))
            .collect();
        self.propagate(world, &world.program.strata, pending, added);
    }

    /// Solves the rules of `strata` with one of their patterns pinned to each pending fact or
    /// act, and what that derives is pending in its turn, until nothing is new. Notes in `added`
    /// each fact that did not hold before.
    fn propagate(&mut self, world: &World, strata: &[Vec<usize>], mut pending: Vec<Support>, added: &mut Vec<Fact>) {
        while let Some(item) = pending.pop() {
            let (name, is_fact) = match item {
                Support::Fact(i) => (self.facts.get(i).map(|(f, _)| f.kind), true),
                Support::Act(i) => (self.acts.get(i).map(|(a, _)| a.action), false),
            };
            let Some(name) = name else { continue };
            let mut new = Vec::new();
            for &r in strata.iter().flatten() {
                let Some(rule) = world.program.deems.get(r) else { continue };
                for (at, lit) in rule.condition.iter().enumerate() {
                    let reads = match &lit.kind {
                        LitKind::Fact(p) => is_fact && p.name == name,
                        LitKind::Act { action, .. } => !is_fact && action.name == name,
                        _ => false,
                    };
                    if reads && let Some(condition) = rule.pinned.get(at) {
                        self.derive(world, r, condition, Some((0, item)), &mut new);
                    }
                }
            }
            for (fact, origin) in new {
                if self.add_fact(fact.clone(), origin) {
                    pending.push(Support::Fact(self.facts.len() - 1));
                    added.push(fact);
                }
            }
        }
    }

    /// The facts `deem` rule `r` derives today from `condition` (its own, or the same with one
    /// pattern moved first), with their support; some may already hold. With `pin`, as for
    /// `solve_pinned`, only those from that fact or act.
    pub fn derive(
        &self,
        world: &World,
        r: usize,
        condition: &[Lit],
        pin: Option<(usize, Support)>,
        out: &mut Vec<(Fact, Origin)>,
    ) {
        let Some(rule) = world.program.deems.get(r) else { return };
        let head = &rule.head;
        let defaults = world.program.facts.get(&head.name).map(|f| f.defaults.clone()).unwrap_or_default();
        let mut env = Env::from_elem(None, rule.vars.len());
        let mut trail = Trail::new();
        self.solve_pinned(world, condition, pin, &mut env, &mut trail, &mut |env, trail| {
            let args: Option<Args> = head.args.iter().map(|(role, t)| value(*t, env).map(|v| (*role, v))).collect();
            // Every instance, even one that already holds: a delayed rule records all of them.
            if let Some(args) = args {
                let fact = Fact { kind: head.name, args: with_defaults(args, &defaults) };
                out.push((fact, Origin::Derived { rule: r, support: trail.to_vec() }));
            }
            true
        });
    }

    /// The norms one rule gives today, added to `out`; with `pin`, only those whose trigger
    /// pattern matched that fact or act.
    pub fn rule_norms(&self, world: &World, r: usize, pin: Option<Support>, out: &mut Vec<NormKey>) {
        let Some(rule) = world.program.rules.get(r) else { return };
        if !world.in_force(rule.instrument, self.day) {
            return;
        }
        let pin = match (pin, rule.trigger) {
            (Some(s), Trigger::Fact(at, _) | Trigger::Act(at, _)) => Some((at, s)),
            _ => None,
        };
        let mut env = Env::from_elem(None, rule.vars.len());
        let mut trail = Trail::new();
        let mut scratch = Env::new();
        // Without bearer tests, and with arguments that do not name the bearer, every bearer's
        // norm has the same arguments: they are found once per solution.
        let uniform = rule.bearer_tests.is_empty()
            && match rule.bearers {
                Bearers::Every { var, .. } => !rule.action.args.iter().any(|(_, t)| *t == Term::Var(var)),
                Bearers::Members { .. } | Bearers::One(_) => true,
            };
        self.solve_pinned(world, &rule.condition, pin, &mut env, &mut trail, &mut |env, _| {
            let shared = match uniform.then(|| norm_args(rule, env)) {
                Some(None) => return true,
                Some(args) => args,
                None => None,
            };
            for party in self.bearers(world, rule.instrument, &rule.bearers, env) {
                let args = match &shared {
                    Some(args) => args.clone(),
                    None => {
                        scratch.clear();
                        scratch.extend_from_slice(env);
                        if !self.bears(world, rule, party, &mut scratch) {
                            continue;
                        }
                        let Some(args) = norm_args(rule, &scratch) else { continue };
                        args
                    }
                };
                out.push(NormKey {
                    party,
                    modality: rule.modality,
                    action: rule.action.name,
                    args,
                    instrument: rule.instrument,
                    article: rule.article,
                });
            }
            true
        });
    }

    /// Whether `party` bears a rule's norm for one solution of its condition: the bearer
    /// variable bound to it in `env`, the bearer tests pass.
    fn bears(&self, world: &World, rule: &NormRule, party: Sym, env: &mut Env) -> bool {
        if let Bearers::Every { var, .. } = rule.bearers
            && let Some(slot) = env.get_mut(var)
        {
            *slot = Some(party);
        }
        rule.bearer_tests.iter().all(|t| self.test(world, t, env))
    }

    /// The parties who bear a rule's norm today, for one solution of its condition, each with
    /// the variables as they are for it (the bearer variable bound, its tests passed).
    pub fn bearers_of(&self, world: &World, rule: &NormRule, env: &[Option<Sym>]) -> Vec<(Sym, Vec<Option<Sym>>)> {
        let mut out = Vec::new();
        for party in self.bearers(world, rule.instrument, &rule.bearers, env) {
            let mut env = Env::from_slice(env);
            if self.bears(world, rule, party, &mut env) {
                out.push((party, env.to_vec()));
            }
        }
        out
    }

    /// The parties who bear a norm today, for one solution of its condition.
    pub fn bearers(&self, world: &World, inst: InstId, bearers: &Bearers, env: &[Option<Sym>]) -> Parties {
        let bound = |p: Sym| world.is_bound(inst, p, self.day);
        let excluded = |except: &[Term], p: Sym| except.iter().any(|t| value(*t, env) == Some(p));
        match bearers {
            Bearers::Every { except, .. } => {
                let day = self.day;
                let parties = world.timelines.get(inst).into_iter().flat_map(|t| t.bound.iter());
                parties
                    .filter(|(_, bs)| bs.iter().any(|b| b.when.contains(day)))
                    .map(|(p, _)| *p)
                    .filter(|&p| !excluded(except, p))
                    .collect()
            }
            Bearers::Members { group, except } => {
                let Some(g) = world.program.groups.get(*group) else { return Parties::new() };
                g.iter().filter(|&p| bound(p) && !excluded(except, p)).collect()
            }
            Bearers::One(t) => value(*t, env).filter(|&p| bound(p)).into_iter().collect(),
        }
    }

    /// Enumerates the ways a condition holds today, extending `env`; `f` returns false to
    /// stop. Returns false when stopped.
    pub fn solve(&self, world: &World, lits: &[Lit], env: &mut Env, trail: &mut Trail, f: &mut Visit) -> bool {
        self.solve_pinned(world, lits, None, env, trail, f)
    }

    /// `solve`, with the pattern at position `pin.0` of the condition matching only the fact or
    /// act `pin.1`.
    fn solve_pinned(
        &self,
        world: &World,
        lits: &[Lit],
        pin: Option<(usize, Support)>,
        env: &mut Env,
        trail: &mut Trail,
        f: &mut Visit,
    ) -> bool {
        Search { state: self, world, lits, pin }.from(0, env, trail, f)
    }

    /// Whether a literal that binds nothing holds, with `env` as it is.
    pub fn test(&self, world: &World, lit: &Lit, env: &mut Env) -> bool {
        match &lit.kind {
            LitKind::IsParty { term, negated, instrument } => {
                value(*term, env).is_some_and(|p| world.is_bound(*instrument, p, self.day)) != *negated
            }
            LitKind::InGroup { term, negated, group } => {
                let member =
                    value(*term, env).is_some_and(|v| world.program.groups.get(*group).is_some_and(|g| g.contains(v)));
                member != *negated
            }
            LitKind::Compare { left, negated, right } => match (value(*left, env), value(*right, env)) {
                (Some(a), Some(b)) => (a == b) != *negated,
                _ => *left == Term::Any || *right == Term::Any,
            },
            LitKind::Not(inner) => {
                let mut found = false;
                let mut trail = Trail::new();
                self.solve(world, inner, env, &mut trail, &mut |_, _| {
                    found = true;
                    false
                });
                !found
            }
            LitKind::Fact(_) | LitKind::Act { .. } => {
                let mut found = false;
                let mut trail = Trail::new();
                self.solve(world, std::slice::from_ref(lit), env, &mut trail, &mut |_, _| {
                    found = true;
                    false
                });
                found
            }
        }
    }
}

/// The fixed parts of one search for the ways a condition holds: the day, the condition, and
/// the pattern pinned to one fact or act, if any.
#[derive(Clone, Copy)]
struct Search<'a, 'p> {
    state: &'a DayState,
    world: &'a World<'p>,
    lits: &'a [Lit],
    pin: Option<(usize, Support)>,
}

impl Search<'_, '_> {
    /// The ways the condition holds from position `at` on, with `env` as it is.
    fn from(self, at: usize, env: &mut Env, trail: &mut Trail, f: &mut Visit) -> bool {
        let Some(lit) = self.lits.get(at) else { return f(env, trail) };
        let pinned = self.pin.filter(|(p, _)| *p == at).map(|(_, s)| s);
        match &lit.kind {
            LitKind::Fact(p) => {
                let one = [match pinned {
                    Some(Support::Fact(i)) => i,
                    _ => usize::MAX,
                }];
                let candidates = pick(&one, pinned.is_some(), &self.state.fact_index, p.name, &p.args, env);
                let try_one = |env: &mut Env, bound: &mut Bound, i: usize| {
                    let (fact, _) = self.state.facts.get(i)?;
                    (fact.kind == p.name && unify(&p.args, &fact.args, env, bound)).then_some(Support::Fact(i))
                };
                self.each_match(at, env, trail, f, candidates, &try_one)
            }
            LitKind::Act { actor, action } => {
                let with_actor: smallvec::SmallVec<[(Sym, Term); 4]> =
                    std::iter::once((Sym::MAX, *actor)).chain(action.args.iter().copied()).collect();
                let one = [match pinned {
                    Some(Support::Act(i)) => i,
                    _ => usize::MAX,
                }];
                let candidates = pick(&one, pinned.is_some(), &self.state.act_index, action.name, &with_actor, env);
                let try_one = |env: &mut Env, bound: &mut Bound, i: usize| {
                    let (act, _) = self.state.acts.get(i)?;
                    let party = [(Sym::MAX, act.party)];
                    (act.action == action.name
                        && unify(&[(Sym::MAX, *actor)], &party, env, bound)
                        && unify(&action.args, &act.args, env, bound))
                    .then_some(Support::Act(i))
                };
                self.each_match(at, env, trail, f, candidates, &try_one)
            }
            _ => {
                if self.state.test(self.world, lit, env) {
                    self.from(at + 1, env, trail, f)
                } else {
                    true
                }
            }
        }
    }

    /// Goes on with the rest of the condition for each candidate fact or act that `try_one`
    /// matches (binding variables, which are unbound again after).
    fn each_match(
        self,
        at: usize,
        env: &mut Env,
        trail: &mut Trail,
        f: &mut Visit,
        candidates: &[usize],
        try_one: &TryOne,
    ) -> bool {
        for &i in candidates {
            let mut bound = Bound::new();
            let hit = try_one(env, &mut bound, i);
            if let Some(support) = hit {
                trail.push(support);
                let go_on = self.from(at + 1, env, trail, f);
                trail.pop();
                undo(env, &bound);
                if !go_on {
                    return false;
                }
            } else {
                undo(env, &bound);
            }
        }
        true
    }
}

/// The facts or acts a pattern is tried against: the pinned one; else the fewest of those with
/// one of the pattern's known arguments (a constant or a bound variable: an ally assisted by
/// many, against one attacker, is found by the attacker); else every one of its kind or action.
fn pick<'a, T>(
    one: &'a [usize; 1],
    pinned: bool,
    index: &'a Index<T>,
    name: Sym,
    args: &[(Sym, Term)],
    env: &[Option<Sym>],
) -> &'a [usize] {
    if pinned {
        return one;
    }
    let mut fewest: Option<&[usize]> = None;
    for (role, t) in args {
        let Some(v) = value(*t, env) else { continue };
        let list = index.get(List::Arg(name, *role, v));
        if fewest.is_none_or(|f| list.len() < f.len()) {
            fewest = Some(list);
            if list.len() <= 1 {
                break;
            }
        }
    }
    fewest.unwrap_or_else(|| index.get(List::Name(name)))
}

/// The value of a term under `env`: a constant, a bound variable, or none.
pub fn value(t: Term, env: &[Option<Sym>]) -> Option<Sym> {
    match t {
        Term::Const(c) => Some(c),
        Term::Var(v) => env.get(v).copied().flatten(),
        Term::Any => None,
    }
}

/// Matches pattern arguments against the arguments of a fact or act, binding variables.
/// `_` matches any value and an absent role alike; any other term needs the role present.
fn unify(pattern: &[(Sym, Term)], args: &[(Sym, Sym)], env: &mut [Option<Sym>], bound: &mut Bound) -> bool {
    for &(role, term) in pattern {
        if term == Term::Any {
            continue;
        }
        let Some(&(_, v)) = args.iter().find(|(r, _)| *r == role) else {
            return false;
        };
        match term {
            Term::Const(c) if c != v => return false,
            Term::Var(slot) => match env.get(slot).copied().flatten() {
                Some(b) if b != v => return false,
                Some(_) => {}
                None => {
                    if let Some(s) = env.get_mut(slot) {
                        *s = Some(v);
                        bound.push(slot);
                    }
                }
            },
            _ => {}
        }
    }
    true
}

fn undo(env: &mut [Option<Sym>], bound: &[usize]) {
    for &slot in bound {
        if let Some(s) = env.get_mut(slot) {
            *s = None;
        }
    }
}

/// Whether an act matches a norm: same party and action, and every argument the act gives
/// agrees with the norm's (an act may leave roles out).
pub fn act_matches(act: &Act, norm: &NormKey) -> bool {
    act.party == norm.party
        && act.action == norm.action
        && act.args.iter().all(|(role, v)| norm.args.iter().find(|(r, _)| r == role).is_none_or(|(_, w)| w == v))
}

/// Whether two argument lists agree on every role they share.
pub fn args_unify(a: &[(Sym, Sym)], b: &[(Sym, Sym)]) -> bool {
    a.iter().all(|(role, v)| b.iter().find(|(r, _)| r == role).is_none_or(|(_, w)| w == v))
}

/// Whether obligation `must` includes an action that `must_not` forbids (a partial conflict).
/// The included action's arguments are its constants and, for a variable, the value the
/// obligation gives that role; a role the obligation leaves open matches anything.
pub fn includes_forbidden(program: &Program, must: &NormKey, must_not: &NormKey) -> bool {
    let Some(def) = program.actions.get(&must.action) else { return false };
    def.includes.iter().any(|inc| {
        inc.name == must_not.action && {
            let args: Vec<(Sym, Sym)> = inc
                .args
                .iter()
                .filter_map(|(r, t)| match t {
                    Term::Const(c) => Some((*r, *c)),
                    Term::Var(i) => {
                        let role = def.roles.get(*i)?;
                        must.args.iter().find(|(mr, _)| mr == role).map(|(_, v)| (*r, *v))
                    }
                    Term::Any => None,
                })
                .collect();
            args_unify(&args, &must_not.args)
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    /// A small fact or act: the kind or action, the actor, and up to three arguments over a few
    /// roles and values, so that index lists are shared.
    fn item() -> impl Strategy<Value = (bool, Sym, Sym, Vec<(Sym, Sym)>)> {
        (any::<bool>(), 0..3u32, 0..4u32, proptest::collection::btree_map(0..3u32, 0..3u32, 0..=3))
            .prop_map(|(is_fact, name, party, args)| (is_fact, name, party, args.into_iter().collect()))
    }

    /// Every index list, each sorted, without the empty ones: what two states with the same
    /// facts and acts at the same positions must agree on.
    fn lists(s: &DayState) -> Vec<String> {
        let mut out = Vec::new();
        let indexes =
            [("fact", &s.fact_index.by_name, &s.fact_index.by_arg), ("act", &s.act_index.by_name, &s.act_index.by_arg)];
        for (what, by_name, by_arg) in indexes {
            for (k, l) in by_name {
                out.push(format!("{what} name {k:?} {:?}", sorted(l)));
            }
            for (k, l) in by_arg {
                out.push(format!("{what} arg {k:?} {:?}", sorted(l)));
            }
        }
        out.retain(|x| !x.ends_with("[]"));
        out.sort();
        out
    }

    fn sorted(l: &[usize]) -> Vec<usize> {
        let mut l = l.to_vec();
        l.sort_unstable();
        l
    }

    proptest! {
        // Cases from `PROPTEST_CASES` (256 by default); no regression files.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        /// Facts and acts taken away in any order leave the indexes as if the state had been
        /// built from what remains, and each slot names the list entry that holds its position.
        #[test]
        fn removal_leaves_the_indexes_as_a_fresh_build(
            items in proptest::collection::vec(item(), 0..24),
            removals in proptest::collection::vec(any::<prop::sample::Index>(), 0..24),
        ) {
            let mut state = DayState::new(Day(0));
            let mut facts = Vec::new();
            let mut acts = Vec::new();
            for (is_fact, name, party, args) in items {
                let args: Args = args.into_iter().collect();
                if is_fact {
                    let f = Fact { kind: name, args };
                    state.add_fact(f.clone(), Origin::Event(0));
                    facts.push(f);
                } else {
                    let a = Act { party, action: name, args };
                    state.add_act(a.clone(), Origin::Event(0));
                    acts.push(a);
                }
            }
            for r in removals {
                if facts.is_empty() || acts.is_empty() {
                    break;
                }
                let f = facts.swap_remove(r.index(facts.len()));
                let a = acts.swap_remove(r.index(acts.len()));
                state.remove_fact(&f);
                state.remove_act(&a);
                prop_assert!(!state.remove_fact(&f), "a fact taken away is gone");
            }
            let mut fresh = DayState::new(Day(0));
            for (f, o) in &state.facts {
                fresh.add_fact(f.clone(), o.clone());
            }
            for (a, o) in &state.acts {
                fresh.add_act(a.clone(), o.clone());
            }
            prop_assert_eq!(lists(&state), lists(&fresh));
            prop_assert_eq!(state.fact_index.slots.len(), state.facts.len());
            prop_assert_eq!(state.act_index.slots.len(), state.acts.len());
            for (p, (f, _)) in state.facts.iter().enumerate() {
                prop_assert_eq!(state.fact_position(f), Some(p));
                prop_assert_eq!(state.fact_index.slots[p].len(), f.lists().len());
                for (&l, &slot) in f.lists().iter().zip(&state.fact_index.slots[p]) {
                    prop_assert_eq!(state.fact_index.get(l)[slot as usize], p);
                }
            }
            for (p, (a, _)) in state.acts.iter().enumerate() {
                prop_assert_eq!(state.act_position(a), Some(p));
                prop_assert_eq!(state.act_index.slots[p].len(), a.lists().len());
                for (&l, &slot) in a.lists().iter().zip(&state.act_index.slots[p]) {
                    prop_assert_eq!(state.act_index.get(l)[slot as usize], p);
                }
            }
        }
    }
}
