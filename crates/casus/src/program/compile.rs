//! Compiling: a resolved rule set planned for evaluation.
//!
//! Nothing here looks a name up or reports a problem: the checker resolved every name and found
//! every error. What is left is the plan — the order in which each condition is solved, the
//! tests of the bearer set apart, what triggers each rule, the `includes` relation closed.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap as HashMap;

use super::{
    ActionDef, Bearers, Categories, DeemRule, GroupDef, InstId, Lit, LitKind, NormRule, Pattern, PlaceDef, Program,
    Sym, Term, Trigger,
};
use super::{DeemDef, Resolved, RuleDef};
use crate::calendar::Day;

/// Compiles a resolved rule set: the only way to a [`Program`].
pub fn compile(resolved: Resolved<'_>) -> Program {
    let Resolved {
        symbols,
        instruments,
        groups,
        facts,
        mut actions,
        parties,
        places,
        units,
        rules,
        deems,
        strata,
        prevails,
        ..
    } = resolved;
    close_includes(&mut actions);
    let world_changes = world_changes(&groups, &places);
    let groups_dated: Vec<bool> = groups.iter().map(|g| !g.dated.is_empty()).collect();
    let rules: Vec<NormRule> = rules.into_iter().map(|r| norm_rule(r, &groups_dated)).collect();
    let deems: Vec<DeemRule> = deems.into_iter().map(|d| deem_rule(d, &groups_dated)).collect();
    let rules_by_instrument = rules_by_instrument(&rules, instruments.len());
    let categories = Categories::new(&groups, &symbols);
    Program {
        categories,
        units,
        symbols,
        instruments,
        groups,
        facts,
        actions,
        parties,
        places,
        world_changes,
        rules,
        deems,
        strata,
        prevails,
        rules_by_instrument,
        ..Program::default()
    }
}

/// A norm rule planned: its condition ordered, its variables numbered in the order the solver
/// binds them, the tests of the bearer set apart, and its trigger.
fn norm_rule(r: RuleDef<'_>, groups_dated: &[bool]) -> NormRule {
    let RuleDef {
        instrument,
        article,
        reservation,
        excluded,
        condition,
        vars,
        bearers,
        modality,
        action,
        deadline,
        cap,
        written,
        file,
    } = r;
    let condition = order(condition, &[]);
    let mut slots = Slots::new(vars.len());
    condition.iter().for_each(|l| slots.literal(l));
    match &bearers {
        Bearers::Every { var, except } => {
            except.iter().for_each(|t| slots.term(*t));
            slots.term(Term::Var(*var));
        }
        Bearers::Members { except, .. } => except.iter().for_each(|t| slots.term(*t)),
        Bearers::One(t) => slots.term(*t),
    }
    action.args.iter().for_each(|(_, t)| slots.term(*t));
    let condition: Vec<Lit> = condition.iter().map(|l| slots.renumber_lit(l)).collect();
    let bearers = slots.renumber_bearers(&bearers);
    let action = slots.renumber_pattern(&action);
    let (condition, bearer_tests) = match &bearers {
        Bearers::Every { var, .. } => condition.into_iter().partition(|l| !l.mentions(*var)),
        _ => (condition, Vec::new()),
    };
    let trigger = trigger(&condition, &bearer_tests);
    let dated_bearers =
        matches!(&bearers, Bearers::Members { group, .. } if groups_dated.get(*group).copied().unwrap_or(false));
    let reads_world = dated_bearers || reads_world(condition.iter().chain(&bearer_tests), groups_dated);
    NormRule {
        instrument,
        article,
        reservation,
        excluded,
        condition,
        bearer_tests,
        vars: slots.names(&vars),
        bearers,
        modality,
        action,
        deadline,
        cap,
        trigger,
        reads_world,
        text: written.to_string(),
        bearers_text: written.conclusion.bearers.to_string(),
        file,
        span: written.span,
    }
}

/// A `deem` rule planned: its condition ordered and, for solving from one new fact or act (a
/// semi-naive step), the condition again with each pattern first.
fn deem_rule(d: DeemDef<'_>, groups_dated: &[bool]) -> DeemRule {
    let DeemDef { head, delay, condition, vars, written, file } = d;
    let condition = order(condition, &[]);
    let mut slots = Slots::new(vars.len());
    condition.iter().for_each(|l| slots.literal(l));
    head.args.iter().for_each(|(_, t)| slots.term(*t));
    let condition: Vec<Lit> = condition.iter().map(|l| slots.renumber_lit(l)).collect();
    let head = slots.renumber_pattern(&head);
    // The pinned pattern binds its variables before the other patterns are searched. Only
    // rules without negation are solved so (the evaluator takes that path only then), so
    // moving a pattern first cannot change which variables are local to a `not`.
    let pinned = (0..condition.len())
        .map(|at| match condition.get(at).map(|l| &l.kind) {
            Some(LitKind::Fact(_) | LitKind::Act { .. }) => {
                let first = condition.get(at).cloned().into_iter();
                let rest = condition.iter().enumerate().filter(|(i, _)| *i != at).map(|(_, l)| l.clone());
                first.chain(rest).collect()
            }
            _ => Vec::new(),
        })
        .collect();
    let text = format!(
        "deem {}{} if {}",
        written.head,
        written.delay.map(|x| format!(" after {x}")).unwrap_or_default(),
        casus_syntax::format::conjunction(&written.condition)
    );
    let reads_world = reads_world(&condition, groups_dated);
    DeemRule { head, delay, condition, pinned, reads_world, vars: slots.names(&vars), text, file, span: written.span }
}

/// A conjunction in an order in which every test and negation comes after the patterns that
/// bind its variables, keeping the written order otherwise. `bound` holds the variables bound
/// before it (outside a `not`); a variable no pattern of this level binds does not hold a test
/// back.
fn order(lits: Vec<Lit>, bound: &[usize]) -> Vec<Lit> {
    let binds = |l: &Lit| matches!(l.kind, LitKind::Fact(_) | LitKind::Act { .. } | LitKind::Place { .. });
    // Each literal with its variables, found once: sorted, without repeats.
    let with_vars: Vec<(Lit, Vec<usize>)> = lits
        .into_iter()
        .map(|l| {
            let mut vars = Vec::new();
            l.visit(false, &mut |l, _| {
                vars.extend(l.terms().filter_map(|t| match t {
                    Term::Var(v) => Some(v),
                    _ => None,
                }))
            });
            vars.sort_unstable();
            vars.dedup();
            (l, vars)
        })
        .collect();
    let mut outer: Vec<usize> =
        with_vars.iter().filter(|(l, _)| binds(l)).flat_map(|(_, v)| v.iter().copied()).collect();
    outer.sort_unstable();
    outer.dedup();
    let mut bound = bound.to_vec();
    let mut pending: Vec<(Lit, Vec<usize>)> = Vec::new();
    let mut out = Vec::new();
    let place = |lit: Lit, bound: &[usize]| match lit.kind {
        LitKind::Not(inner) => Lit { kind: LitKind::Not(order(inner, bound)), ..lit },
        _ => lit,
    };
    for l in with_vars {
        pending.push(l);
        loop {
            let ready = pending.iter().position(|(p, vars)| {
                binds(p)
                    || vars
                        .iter()
                        .filter(|v| outer.binary_search(v).is_ok() || bound.contains(v))
                        .all(|v| bound.contains(v))
            });
            let Some(at) = ready else { break };
            let (lit, vars) = pending.remove(at);
            let lit = place(lit, &bound);
            if binds(&lit) {
                bound.extend(vars.into_iter().filter(|v| !bound.contains(v)).collect::<Vec<_>>());
            }
            out.push(lit);
        }
    }
    // The checker has made sure every test's variables are bound somewhere.
    out.extend(pending.into_iter().map(|(lit, _)| place(lit, &bound)));
    out
}

/// Variable slots renumbered in the order they are first met, which is the order the solver
/// binds them and the order an explanation lists them in.
struct Slots {
    new: Vec<Option<usize>>,
    next: usize,
}

impl Slots {
    fn new(n: usize) -> Slots {
        Slots { new: vec![None; n], next: 0 }
    }

    fn term(&mut self, t: Term) {
        if let Term::Var(v) = t
            && let Some(slot @ None) = self.new.get_mut(v)
        {
            *slot = Some(self.next);
            self.next += 1;
        }
    }

    fn literal(&mut self, l: &Lit) {
        l.visit(false, &mut |l, _| l.terms().for_each(|t| self.term(t)));
    }

    fn map(&self, t: Term) -> Term {
        match t {
            // PANIC SAFETY: a slot is made only for a variable written in the rule, and every
            // term of the rule is met before any is renumbered.
            #[expect(clippy::expect_used, reason = "every variable of a rule is met")]
            Term::Var(v) => Term::Var(self.new[v].expect("a variable met before it is renumbered")),
            other => other,
        }
    }

    fn renumber_pattern(&self, p: &Pattern) -> Pattern {
        Pattern { name: p.name, args: p.args.iter().map(|(r, t)| (*r, self.map(*t))).collect() }
    }

    fn renumber_lit(&self, l: &Lit) -> Lit {
        let kind = match &l.kind {
            LitKind::Fact(p) => LitKind::Fact(self.renumber_pattern(p)),
            LitKind::Act { actor, action } => {
                LitKind::Act { actor: self.map(*actor), action: self.renumber_pattern(action) }
            }
            LitKind::IsParty { term, negated, instrument, named } => {
                LitKind::IsParty { term: self.map(*term), negated: *negated, instrument: *instrument, named: *named }
            }
            LitKind::InGroup { term, negated, group } => {
                LitKind::InGroup { term: self.map(*term), negated: *negated, group: *group }
            }
            LitKind::Compare { left, negated, right } => {
                LitKind::Compare { left: self.map(*left), negated: *negated, right: self.map(*right) }
            }
            LitKind::Place { relation, place, state } => {
                LitKind::Place { relation: *relation, place: self.map(*place), state: self.map(*state) }
            }
            LitKind::Not(inner) => LitKind::Not(inner.iter().map(|l| self.renumber_lit(l)).collect()),
        };
        Lit { kind, span: l.span }
    }

    fn renumber_bearers(&self, b: &Bearers) -> Bearers {
        let except = |e: &[Term]| e.iter().map(|t| self.map(*t)).collect();
        match b {
            Bearers::Every { var, except: e } => {
                let Term::Var(var) = self.map(Term::Var(*var)) else { return b.clone() };
                Bearers::Every { var, except: except(e) }
            }
            Bearers::Members { group, except: e } => Bearers::Members { group: *group, except: except(e) },
            Bearers::One(t) => Bearers::One(self.map(*t)),
        }
    }

    /// The names of the new slots, from the names of the old.
    fn names(&self, old: &[String]) -> Vec<String> {
        let mut names = vec![String::new(); self.next];
        for (o, n) in self.new.iter().enumerate() {
            if let (Some(n), Some(name)) = (n, old.get(o)) {
                names[*n] = name.clone();
            }
        }
        names
    }
}

/// What a compiled condition's output depends on, besides the days of places and groups
/// (`reads_world`).
fn trigger(condition: &[Lit], bearer_tests: &[Lit]) -> Trigger {
    let negates = |ls: &[Lit]| ls.iter().any(|l| matches!(l.kind, LitKind::Not(_)));
    if negates(condition) || negates(bearer_tests) {
        return Trigger::Complex;
    }
    let patterns: Vec<(usize, &Lit)> = condition
        .iter()
        .enumerate()
        .filter(|(_, l)| matches!(l.kind, LitKind::Fact(_) | LitKind::Act { .. }))
        .collect();
    match patterns.as_slice() {
        [] => Trigger::Nothing,
        [(i, l)] => match &l.kind {
            LitKind::Fact(p) => Trigger::Fact(*i, p.name),
            LitKind::Act { action, .. } => Trigger::Act(*i, action.name),
            _ => Trigger::Complex,
        },
        _ => Trigger::Complex,
    }
}

/// Whether literals read what changes on days of its own: a place relation, or a group whose
/// members change (`dated[g]`).
fn reads_world<'a>(lits: impl IntoIterator<Item = &'a Lit>, dated: &[bool]) -> bool {
    let mut reads = false;
    for l in lits {
        l.visit(false, &mut |l, _| match &l.kind {
            LitKind::Place { .. } => reads = true,
            LitKind::InGroup { group, .. } => reads |= dated.get(*group).copied().unwrap_or(false),
            _ => {}
        });
    }
    reads
}

/// The days on which a place changes hands or a group changes members: the evaluator visits them.
fn world_changes(groups: &[GroupDef], places: &BTreeMap<Sym, PlaceDef>) -> Vec<Day> {
    let runs = groups.iter().flat_map(|g| g.dated.values().flatten());
    let held = places.values().flat_map(|p| p.territory.iter().chain(&p.administered).map(|(_, w)| w));
    let mut days: Vec<Day> =
        runs.chain(held).flat_map(|w| [Some(w.from).filter(|d| d.0 != i32::MIN), w.until]).flatten().collect();
    days.sort_unstable();
    days.dedup();
    days
}

/// Closes `includes` transitively, so that a partial conflict is found at any depth. The
/// variables of a nested clause, which name the intermediate action's roles, are replaced by
/// what the outer clause gives those roles.
fn close_includes(actions: &mut HashMap<Sym, ActionDef>) {
    let mut names: Vec<Sym> = actions.keys().copied().collect();
    names.sort_unstable();
    for name in names {
        let mut out: Vec<Pattern> = Vec::new();
        let mut stack: Vec<Pattern> = actions.get(&name).map(|a| a.includes.clone()).unwrap_or_default();
        let mut seen = BTreeSet::new();
        while let Some(p) = stack.pop() {
            if !seen.insert(p.name) {
                continue;
            }
            if let Some(def) = actions.get(&p.name) {
                for inner in &def.includes {
                    let args = inner
                        .args
                        .iter()
                        .map(|(role, t)| {
                            let t = match t {
                                Term::Var(i) => def
                                    .roles
                                    .get(*i)
                                    .and_then(|r| p.args.iter().find(|(pr, _)| pr == r))
                                    .map_or(Term::Any, |(_, pt)| *pt),
                                other => *other,
                            };
                            (*role, t)
                        })
                        .collect();
                    stack.push(Pattern { name: inner.name, args });
                }
            }
            out.push(p);
        }
        if let Some(def) = actions.get_mut(&name) {
            def.includes = out;
        }
    }
}

/// For each instrument, the rules whose output depends on its status: its own, and those that
/// test `is party to` it.
fn rules_by_instrument(rules: &[NormRule], n: usize) -> Vec<Vec<usize>> {
    let mut by_inst = vec![Vec::new(); n];
    for (r, rule) in rules.iter().enumerate() {
        let mut insts: Vec<InstId> = vec![rule.instrument];
        for lit in rule.condition.iter().chain(&rule.bearer_tests) {
            lit.visit(false, &mut |l, _| {
                if let LitKind::IsParty { instrument, .. } = &l.kind {
                    insts.push(*instrument);
                }
            });
        }
        insts.sort_unstable();
        insts.dedup();
        for i in insts {
            if let Some(list) = by_inst.get_mut(i) {
                list.push(r);
            }
        }
    }
    by_inst
}
