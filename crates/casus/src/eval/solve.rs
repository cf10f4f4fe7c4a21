//! Solving conditions against one day: the ways a condition holds, the `deem` fixpoint, and the
//! norms a rule gives.

use super::identity::{NormKey, norm_args, value};
use super::state::{DayState, Facts, Index, List, Origin, Support};
use super::world::{ActRef, Args, Fact, World, with_defaults};
use crate::intern::number;
use crate::program::{
    Bearers, FactDef, InstId, Lit, LitKind, NormRule, Pattern, Program, Relation, Sym, Term, Trigger,
};

/// The parties who bear a norm for one solution: mostly one or a few.
pub(super) type Parties = smallvec::SmallVec<[Sym; 4]>;

/// The values of a rule's variables while its condition is solved: most rules have a few.
pub(crate) type Env = smallvec::SmallVec<[Option<Sym>; 8]>;

/// What a solution matched, pattern by pattern.
pub(crate) type Trail = smallvec::SmallVec<[Support; 4]>;

/// The variables one match bound, to unbind after.
pub(super) type Bound = smallvec::SmallVec<[usize; 8]>;

/// Called with each way a condition holds: the variable values and what was matched. Returns
/// false to stop the search.
pub(super) type Visit<'a> = dyn FnMut(&[Option<Sym>], &[Support]) -> bool + 'a;

/// Matches one candidate fact or act (by index) against a pattern, binding variables and
/// noting which; the support to record when it matches.
pub(super) type TryOne<'a> = dyn Fn(&mut Env, &mut Bound, usize) -> Option<Support> + 'a;

impl DayState {
    /// Applies the `deem` rules that take effect the same day, stratum by stratum, until
    /// nothing new follows; notes in `added` each fact that did not hold before. Each stratum's
    /// rules are solved once over the whole state; after that, only with a pattern pinned to a
    /// fact the stratum added (semi-naive): a stratum negates only kinds that earlier strata
    /// complete, so nothing it adds can take away what it derived.
    pub(crate) fn fixpoint(&mut self, world: &World, added: &mut Vec<Fact>) {
        for stratum in &world.program.strata {
            let mut new = Vec::new();
            for &r in stratum {
                let rule = world.program.deem(r);
                if self.derive(world, r, &rule.condition, None, &mut new, true) {
                    self.deems_fired.grow_and_insert(r);
                }
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

    /// Extends the facts the same-day `deem` rules derive after the facts and acts at `pending`
    /// were added to a state where nothing else changed (and the rules have no negation, so that
    /// nothing derived before stops holding). Notes in `added` each fact that did not hold
    /// before.
    pub(crate) fn fixpoint_from(&mut self, world: &World, pending: Vec<Support>, added: &mut Vec<Fact>) {
        self.propagate(world, &world.program.strata, pending, added);
    }

    /// Solves the rules of `strata` with one of their patterns pinned to each pending fact or
    /// act, and what that derives is pending in its turn, until nothing is new. Notes in `added`
    /// each fact that did not hold before.
    pub(super) fn propagate(
        &mut self,
        world: &World,
        strata: &[Vec<usize>],
        mut pending: Vec<Support>,
        added: &mut Vec<Fact>,
    ) {
        while let Some(item) = pending.pop() {
            let (name, is_fact) = match item {
                Support::Fact(i) => (self.facts.get(i).map(|(f, _)| f.kind), true),
                Support::Act(i) => (self.acts.get(i).map(|(a, _)| a.action), false),
                Support::Place { .. } => continue,
            };
            let Some(name) = name else { continue };
            let mut new = Vec::new();
            for (r, condition) in readers(world.program, strata, name, is_fact) {
                if self.derive(world, r, condition, Some((0, item)), &mut new, true) {
                    self.deems_fired.grow_and_insert(r);
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
    /// pattern moved first), with their support; some may already hold, unless `new_only`
    /// leaves those out (a fact keeps the first origin it was given). With `pin`, as for
    /// `solve_pinned`, only those from that fact or act. Returns whether it derived a fact that
    /// was left out: the rule fired all the same (which a rule that has fired may leave unsaid).
    pub(crate) fn derive(
        &self,
        world: &World,
        r: usize,
        condition: &[Lit],
        pin: Option<(usize, Support)>,
        out: &mut Vec<(Fact, Origin)>,
        new_only: bool,
    ) -> bool {
        let mut held = false;
        let rule = world.program.deem(r);
        let head_of = |env: &[Option<Sym>]| head_fact(world.program, r, env);
        let mut env = Env::from_elem(None, rule.vars.len());
        let mut trail = Trail::new();
        // A rule that has fired, with its first pattern pinned to a fact or act that gives every
        // variable of its head, derives nothing new when that head holds: the rest of its
        // condition is not solved. (A cascade performs millions of acts, each deriving a war
        // that mostly holds already.)
        if new_only && pin.is_some_and(|(at, _)| at == 0) && self.deems_fired.contains(r) {
            let mut holds = false;
            let first = condition.get(..1).unwrap_or(&[]);
            self.solve_pinned(world, first, pin, &mut env, &mut trail, &mut |env, _| {
                holds = head_of(env).is_some_and(|fact| self.fact_position(&fact).is_some());
                false
            });
            if holds {
                return false;
            }
            env.iter_mut().for_each(|v| *v = None);
            trail.clear();
        }
        self.solve_pinned(world, condition, pin, &mut env, &mut trail, &mut |env, trail| {
            // Every instance, even one that already holds, unless asked: a delayed rule records
            // all of them.
            if let Some(fact) = head_of(env) {
                if new_only && self.fact_position(&fact).is_some() {
                    held = true;
                } else {
                    let rule = number(r);
                    out.push((fact, Origin::Derived { rule, support: Box::new(trail.to_vec()) }));
                }
            }
            true
        });
        held
    }

    /// The norms one rule gives today, added to `out`; with `pin`, only those whose trigger
    /// pattern matched that fact or act.
    pub(crate) fn rule_norms(&self, world: &World, r: usize, pin: Option<Support>, out: &mut Vec<NormKey>) {
        let rule = world.program.rule(r);
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
                if rule.excluded.contains(&party) {
                    continue;
                }
                let args = match &shared {
                    Some(args) => Args::from_slice(args),
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
                    article: number(rule.article),
                });
            }
            true
        });
    }

    /// Whether `party` bears a rule's norm for one solution of its condition: the bearer
    /// variable bound to it in `env`, the bearer tests pass.
    pub(super) fn bears(&self, world: &World, rule: &NormRule, party: Sym, env: &mut Env) -> bool {
        if let Bearers::Every { var, .. } = rule.bearers
            && let Some(slot) = env.get_mut(var)
        {
            *slot = Some(party);
        }
        rule.bearer_tests.iter().all(|t| self.test(world, t, env))
    }

    /// The parties who bear a rule's norm today, for one solution of its condition, each with
    /// the variables as they are for it (the bearer variable bound, its tests passed).
    pub(crate) fn bearers_of(
        &self,
        world: &World,
        rule: &NormRule,
        env: &[Option<Sym>],
    ) -> Vec<(Sym, Vec<Option<Sym>>)> {
        let mut out = Vec::new();
        for party in self.bearers(world, rule.instrument, &rule.bearers, env) {
            if rule.excluded.contains(&party) {
                continue;
            }
            let mut env = Env::from_slice(env);
            if self.bears(world, rule, party, &mut env) {
                out.push((party, env.to_vec()));
            }
        }
        out
    }

    /// The parties who bear a norm today, for one solution of its condition.
    pub(crate) fn bearers(&self, world: &World, inst: InstId, bearers: &Bearers, env: &[Option<Sym>]) -> Parties {
        let bound = |p: Sym| world.is_bound(inst, p, self.day);
        let excluded = |except: &[Term], p: Sym| except.iter().any(|t| value(*t, env) == Some(p));
        match bearers {
            Bearers::Every { except, .. } => world.bound_on(inst, self.day).filter(|&p| !excluded(except, p)).collect(),
            Bearers::Members { group, except } => {
                let g = world.program.group_def(*group);
                g.iter().filter(|&p| g.contains_on(p, self.day) && bound(p) && !excluded(except, p)).collect()
            }
            Bearers::One(t) => value(*t, env).filter(|&p| bound(p)).into_iter().collect(),
        }
    }

    /// Enumerates the ways a condition holds today, extending `env`; `f` returns false to
    /// stop. Returns false when stopped.
    pub(crate) fn solve(&self, world: &World, lits: &[Lit], env: &mut Env, trail: &mut Trail, f: &mut Visit) -> bool {
        self.solve_pinned(world, lits, None, env, trail, f)
    }

    /// `solve`, with the pattern at position `pin.0` of the condition matching only the fact or
    /// act `pin.1`.
    pub(super) fn solve_pinned(
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
    pub(crate) fn test(&self, world: &World, lit: &Lit, env: &mut Env) -> bool {
        match &lit.kind {
            LitKind::IsParty { term, negated, instrument, .. } => {
                value(*term, env).is_some_and(|p| world.is_bound(*instrument, p, self.day)) != *negated
            }
            LitKind::InGroup { term, negated, group } => {
                let member =
                    value(*term, env).is_some_and(|v| world.program.group_def(*group).contains_on(v, self.day));
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
            LitKind::Fact(_) | LitKind::Act { .. } | LitKind::Place { .. } => {
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
pub(super) struct Search<'a, 'p> {
    pub(super) state: &'a DayState,
    pub(super) world: &'a World<'p>,
    pub(super) lits: &'a [Lit],
    pub(super) pin: Option<(usize, Support)>,
}

impl Search<'_, '_> {
    /// The ways the condition holds from position `at` on, with `env` as it is.
    pub(super) fn from(self, at: usize, env: &mut Env, trail: &mut Trail, f: &mut Visit) -> bool {
        let Some(lit) = self.lits.get(at) else { return f(env, trail) };
        let pinned = self.pin.filter(|(p, _)| *p == at).map(|(_, s)| s);
        match &lit.kind {
            LitKind::Fact(p) => {
                let one;
                let candidates = match pinned {
                    Some(Support::Fact(i)) => {
                        one = [number(i)];
                        &one[..]
                    }
                    _ => match self.whole_fact(p, env) {
                        // Every role known: the one fact it can be, looked up whole.
                        Some(fact) => {
                            one = [self.state.fact_position(&fact).map_or(u32::MAX, number)];
                            &one[..]
                        }
                        None => pick(&self.state.fact_index, p.name, &p.args, env),
                    },
                };
                let try_one = |env: &mut Env, bound: &mut Bound, i: usize| {
                    let (fact, _) = self.state.facts.get(i)?;
                    (fact.kind == p.name && unify(self.world.program, &p.args, &fact.args, env, bound))
                        .then_some(Support::Fact(i))
                };
                self.each_match(at, env, trail, f, candidates, &try_one)
            }
            LitKind::Act { actor, action } => {
                let one;
                let candidates = match pinned {
                    Some(Support::Act(i)) => {
                        one = [number(i)];
                        &one[..]
                    }
                    _ => {
                        let with_actor: smallvec::SmallVec<[(Sym, Term); 4]> =
                            std::iter::once((Sym::MAX, *actor)).chain(action.args.iter().copied()).collect();
                        pick(&self.state.act_index, action.name, &with_actor, env)
                    }
                };
                let program = self.world.program;
                let try_one = |env: &mut Env, bound: &mut Bound, i: usize| {
                    let (act, _) = self.state.acts.get(i)?;
                    unify_act(program, actor, action, act.into(), env, bound).then_some(Support::Act(i))
                };
                self.each_match(at, env, trail, f, candidates, &try_one)
            }
            LitKind::Place { relation, place, state } => self.places(at, (*relation, *place, *state), env, trail, f),
            _ => {
                if self.state.test(self.world, lit, env) {
                    self.from(at + 1, env, trail, f)
                } else {
                    true
                }
            }
        }
    }

    /// The fact a pattern stands for when it gives every role its kind declares, each a constant
    /// or a bound variable: the only fact it can match (a fact has only declared roles).
    fn whole_fact(self, p: &Pattern, env: &[Option<Sym>]) -> Option<Fact> {
        let def = self.world.program.facts.get(&p.name)?;
        if p.args.len() != def.roles.len() {
            return None;
        }
        let mut args: Args = p.args.iter().map(|&(r, t)| value(t, env).map(|v| (r, v))).collect::<Option<Args>>()?;
        args.sort_unstable();
        // A role given twice leaves another out.
        if args.windows(2).any(|w| w[0].0 == w[1].0) {
            return None;
        }
        Some(Fact { kind: p.name, args })
    }

    /// `territory(place: L, of: S)` or `administered(place: L, by: S)` today: the pairs of place
    /// and state it holds for, from the place when it is known, else over the declared places
    /// and, when the state is known, its metropolitan territory; each tried as a candidate.
    fn places(
        self,
        at: usize,
        (relation, place, state): (Relation, Term, Term),
        env: &mut Env,
        trail: &mut Trail,
        f: &mut Visit,
    ) -> bool {
        let program = self.world.program;
        let day = self.state.day;
        let places: smallvec::SmallVec<[Sym; 8]> = match value(place, env) {
            Some(p) => smallvec::smallvec![p],
            None => {
                let own = value(state, env).filter(|s| program.is_party_code(self.world.name(*s)));
                own.into_iter().chain(program.places.keys().copied()).collect()
            }
        };
        let pairs: Vec<(Sym, Sym)> =
            places.iter().flat_map(|&p| program.related(p, relation, day).map(move |s| (p, s))).collect();
        let candidates: Vec<u32> = (0..number(pairs.len())).collect();
        let try_one = |env: &mut Env, bound: &mut Bound, i: usize| {
            let &(p, s) = pairs.get(i)?;
            unify(program, &[(0, place), (1, state)], &[(0, p), (1, s)], env, bound).then_some(Support::Place {
                place: p,
                relation,
                state: s,
            })
        };
        self.each_match(at, env, trail, f, &candidates, &try_one)
    }

    /// Goes on with the rest of the condition for each candidate fact or act that `try_one`
    /// matches (binding variables, which are unbound again after).
    pub(super) fn each_match(
        self,
        at: usize,
        env: &mut Env,
        trail: &mut Trail,
        f: &mut Visit,
        candidates: &[u32],
        try_one: &TryOne,
    ) -> bool {
        for &i in candidates {
            let mut bound = Bound::new();
            let hit = try_one(env, &mut bound, i as usize);
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

/// The facts or acts a pattern not pinned to one is tried against: none when the state counts a
/// pair of roles whose values the pattern knows and no item has both; else the fewest of those
/// with one of the pattern's known arguments (a constant or a bound variable: an ally assisted by
/// many, against one attacker, is found by the attacker); else every one of its kind or action.
pub(super) fn pick<'a, T>(index: &'a Index<T>, name: Sym, args: &[(Sym, Term)], env: &[Option<Sym>]) -> &'a [u32] {
    if index.pairs.none(name, args, env) {
        return &[];
    }
    let mut fewest: Option<&[u32]> = None;
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

/// Matches pattern arguments against the arguments of a fact or act, binding variables.
/// `_` matches any value and an absent role alike; any other term needs the role present, and a
/// category's name matches the values within it.
// Inlined into the candidates' closures: out of line it cost the dense cascade 7% (farm-bench).
#[inline(always)]
pub(super) fn unify(
    program: &Program,
    pattern: &[(Sym, Term)],
    args: &[(Sym, Sym)],
    env: &mut [Option<Sym>],
    bound: &mut Bound,
) -> bool {
    for &(role, term) in pattern {
        if term == Term::Any {
            continue;
        }
        let Some(&(_, v)) = args.iter().find(|(r, _)| *r == role) else {
            return false;
        };
        match term {
            Term::Const(c) if c != v => return false,
            Term::Within(name) if !program.categories.within(v, name) => return false,
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

pub(super) fn undo(env: &mut [Option<Sym>], bound: &[usize]) {
    for &slot in bound {
        if let Some(s) = env.get_mut(slot) {
            *s = None;
        }
    }
}
/// Whether `act`, held today, is sure to derive nothing new by the same-day `deem` rules: each
/// rule with a pattern that reads its action has fired, and gives, from that pattern matched to
/// the act alone, a fact that holds in `facts`. So [`DayState::derive`] finds it before solving
/// the rest of the condition; and since the fixpoint only adds facts, what holds now holds when
/// the act comes up.
pub(crate) fn derives_nothing(program: &Program, facts: &Facts<'_>, act: ActRef<'_>) -> bool {
    readers(program, &program.strata, act.action, false)
        .all(|(r, condition)| facts.deems_fired.contains(r) && head_holds_for(program, r, condition, facts, act))
}

/// Whether `deem` rule `r`'s `condition`, its first pattern an act's matched to `act`, gives from
/// that pattern alone a fact that holds.
fn head_holds_for(program: &Program, r: usize, condition: &[Lit], facts: &Facts<'_>, act: ActRef<'_>) -> bool {
    let Some(LitKind::Act { actor, action }) = condition.first().map(|lit| &lit.kind) else { return false };
    let (mut env, mut bound) = (Env::from_elem(None, program.deem(r).vars.len()), Bound::new());
    unify_act(program, actor, action, act, &mut env, &mut bound)
        && head_fact(program, r, &env).is_some_and(|fact| facts.holds(&fact))
}

/// The `deem` rules of `strata` with a pattern that reads a fact of kind `name` (when `is_fact`)
/// or an act of action `name`: each rule's number, with its condition that pattern moved first.
fn readers<'a>(
    program: &'a Program,
    strata: &'a [Vec<usize>],
    name: Sym,
    is_fact: bool,
) -> impl Iterator<Item = (usize, &'a [Lit])> + 'a {
    strata.iter().flatten().flat_map(move |&r| {
        let rule = program.deem(r);
        let reading = rule.condition.iter().enumerate().filter(move |(_, lit)| match &lit.kind {
            LitKind::Fact(p) => is_fact && p.name == name,
            LitKind::Act { action, .. } => !is_fact && action.name == name,
            _ => false,
        });
        reading.filter_map(move |(at, _)| rule.pinned.get(at).map(|c| (r, c.as_slice())))
    })
}

/// Whether `act` matches the pattern `actor` performs `action`, binding variables in `env` (each
/// noted in `bound`).
fn unify_act(
    program: &Program,
    actor: &Term,
    action: &Pattern,
    act: ActRef<'_>,
    env: &mut Env,
    bound: &mut Bound,
) -> bool {
    act.action == action.name
        && unify(program, &[(Sym::MAX, *actor)], &[(Sym::MAX, act.party)], env, bound)
        && unify(program, &action.args, act.args, env, bound)
}

/// The fact `deem` rule `r` derives with its variables as in `env`, if they give every role of
/// its head.
fn head_fact(program: &Program, r: usize, env: &[Option<Sym>]) -> Option<Fact> {
    static UNDECLARED: FactDef = FactDef { roles: Vec::new(), defaults: Vec::new(), fixed: Vec::new() };
    let head = &program.deem(r).head;
    let def = program.facts.get(&head.name).unwrap_or(&UNDECLARED);
    let args: Option<Args> = head.args.iter().map(|(role, t)| value(*t, env).map(|v| (*role, v))).collect();
    args.map(|args| Fact { kind: head.name, args: with_defaults(args, def) })
}
