//! How the evaluator finds the rules a fact, an act or a change of status concerns: what the
//! rule files alone fix, computed once per program (`Program::index`), and the parts that depend
//! on an instrument's timeline, which an evaluation computes again for the instruments its
//! scenario changes.

use std::collections::HashMap;

use super::timeline::Timeline;
use super::{InstId, Lit, LitKind, NormRule, Program, Sym, Term, Trigger};
use crate::calendar::Day;

/// The rule index of a program.
#[derive(Clone, Debug, Default)]
pub(crate) struct RuleIndex {
    /// Rules by the kind of fact that triggers them, but for those found by party.
    pub by_fact: HashMap<Sym, Vec<usize>>,
    /// Rules by the action that triggers them.
    pub by_act: HashMap<Sym, Vec<usize>>,
    /// Per rule, the role of its trigger whose value its condition tests with `is party` (of the
    /// rule's own instrument, not negated): such a rule can only fire for facts whose value in
    /// that role is one of the instrument's parties, and is found by kind, role and party.
    pub party_role: Vec<Option<Sym>>,
    /// The rules with negation or several patterns, computed afresh on a day on which what they
    /// read changed: each with the kinds of fact its conditions name (negated ones too), and
    /// whether they name an act.
    pub complex: Vec<ComplexRule>,
    /// Whether one of them names an act: then every act that comes or goes counts.
    pub complex_acts: bool,
    /// Whether no same-day `deem` rule has negation, so that what they derive only grows while
    /// the facts only grow.
    pub monotone: bool,
    /// The rules that read places or groups whose members change, computed afresh on the days
    /// those change.
    pub world_readers: Vec<usize>,
    /// Whether a same-day `deem` rule reads them, so that what it derives is derived afresh then.
    pub deems_read_world: bool,
    /// What the timelines the rule files fix give: rules by party, days of status changes.
    pub parties: PartyIndex,
    /// The pairs of roles whose values a pattern may know together while it is solved: the
    /// day's state counts its facts and acts by the values in them, so that a pattern finds
    /// none at once where none has both.
    pub joins: Joins,
}

impl RuleIndex {
    /// Whether a norm rule reads acts of `action`: one triggered by them, or one computed
    /// afresh when any act comes or goes. An act no norm rule reads changes no norm by coming
    /// or going (the `deem` rules find the acts of the day's state themselves).
    pub(crate) fn reads_act(&self, action: Sym) -> bool {
        self.complex_acts || self.by_act.get(&action).is_some_and(|rules| !rules.is_empty())
    }
}

/// Pairs of roles that patterns of the rules know together: `(name, role, role)`, the roles in
/// order, an act's actor as the role `Sym::MAX`; sorted, without repeats.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Joins {
    /// Of facts, by kind.
    pub facts: Vec<(Sym, Sym, Sym)>,
    /// Of acts, by action.
    pub acts: Vec<(Sym, Sym, Sym)>,
}

impl Joins {
    /// The pairs of `program`'s rules: for each fact or act pattern of a condition (or of a
    /// norm's bearer tests), the roles it gives a constant or a variable that another literal
    /// names, which may be known when the pattern is solved, in whichever order the condition
    /// is solved. A fact pattern that may know every role of its kind is left out: it is looked
    /// up whole.
    pub(crate) fn of(program: &Program) -> Joins {
        let mut joins = Joins::default();
        for rule in &program.deems {
            joins.add(program, &rule.condition, None);
        }
        for rule in &program.rules {
            let bearer = match rule.bearers {
                super::Bearers::Every { var, .. } => Some(var),
                _ => None,
            };
            joins.add(program, rule.condition.iter().chain(&rule.bearer_tests), bearer);
        }
        for list in [&mut joins.facts, &mut joins.acts] {
            list.sort_unstable();
            list.dedup();
        }
        joins
    }

    /// The pairs of the patterns of `lits` (those under `not` too), whose variables may also be
    /// bound by `bearer`.
    fn add<'a>(&mut self, program: &Program, lits: impl IntoIterator<Item = &'a Lit>, bearer: Option<usize>) {
        let mut all: Vec<&Lit> = Vec::new();
        lits.into_iter().for_each(|l| l.visit(false, &mut |l, _| all.push(l)));
        for (at, lit) in all.iter().enumerate() {
            let (name, actor, args, list) = match &lit.kind {
                LitKind::Fact(p) => (p.name, None, &p.args, &mut self.facts),
                LitKind::Act { actor, action } => (action.name, Some(*actor), &action.args, &mut self.acts),
                _ => continue,
            };
            let elsewhere = |v: usize| {
                bearer == Some(v)
                    || all.iter().enumerate().any(|(k, l)| k != at && l.terms().any(|t| t == Term::Var(v)))
            };
            let known = |t: Term| match t {
                Term::Const(_) => true,
                Term::Var(v) => elsewhere(v),
                Term::Any | Term::Within(_) => false,
            };
            let mut roles: Vec<Sym> = actor
                .map(|a| (Sym::MAX, a))
                .into_iter()
                .chain(args.iter().copied())
                .filter(|&(_, t)| known(t))
                .map(|(r, _)| r)
                .collect();
            roles.sort_unstable();
            roles.dedup();
            if actor.is_none()
                && program.facts.get(&name).is_some_and(|def| def.roles.iter().all(|r| roles.contains(r)))
            {
                continue;
            }
            for (i, &a) in roles.iter().enumerate() {
                for &b in roles.iter().skip(i + 1) {
                    list.push((name, a, b));
                }
            }
        }
    }
}

/// A rule computed afresh whenever a fact of a kind it reads (or, if it reads acts, any act)
/// appears or goes away; the days its instruments' status changes, and the world's for the rules
/// that read the world, are found as for the other rules.
#[derive(Clone, Debug, Default)]
pub(crate) struct ComplexRule {
    /// The rule.
    pub rule: usize,
    /// The kinds of fact its condition and bearer tests name, sorted.
    pub kinds: Vec<Sym>,
    /// Whether they name an act (acts are matched through what actions include, so any act
    /// counts).
    pub acts: bool,
}

/// What depends on whom the instruments bind, and when.
#[derive(Clone, Debug, Default)]
pub(crate) struct PartyIndex {
    /// `((kind, role, party), rule)` for the rules found by party; sorted.
    pub by_fact_party: Vec<((Sym, Sym, Sym), usize)>,
    /// `(day, instrument)` for each day on which an instrument's force or a party's binding
    /// starts or ends; sorted, without repeats.
    pub status_changes: Vec<(Day, InstId)>,
}

impl RuleIndex {
    /// The index of `program`, with the timelines its rule files fix.
    pub(crate) fn new(program: &Program, timelines: &[Timeline]) -> RuleIndex {
        let mut index = RuleIndex {
            party_role: program.rules.iter().map(indexed_role).collect(),
            monotone: program
                .strata
                .iter()
                .flatten()
                .map(|&r| program.deem(r))
                .all(|d| d.condition.iter().all(|l| !matches!(l.kind, LitKind::Not(_)))),
            world_readers: program.rules.iter().enumerate().filter(|(_, r)| r.reads_world).map(|(n, _)| n).collect(),
            deems_read_world: program.strata.iter().flatten().any(|&r| program.deem(r).reads_world),
            joins: Joins::of(program),
            ..RuleIndex::default()
        };
        for (r, rule) in program.rules.iter().enumerate() {
            match (rule.trigger, index.party_role.get(r).copied().flatten()) {
                (Trigger::Fact(..), Some(_)) => {}
                (Trigger::Fact(_, kind), None) => index.by_fact.entry(kind).or_default().push(r),
                (Trigger::Act(_, action), _) => index.by_act.entry(action).or_default().push(r),
                (Trigger::Complex, _) => {
                    let mut kinds = Vec::new();
                    let mut acts = false;
                    for lit in rule.condition.iter().chain(&rule.bearer_tests) {
                        lit.visit(false, &mut |l, _| match &l.kind {
                            LitKind::Fact(p) => kinds.push(p.name),
                            LitKind::Act { .. } => acts = true,
                            _ => {}
                        });
                    }
                    kinds.sort_unstable();
                    kinds.dedup();
                    index.complex_acts |= acts;
                    index.complex.push(ComplexRule { rule: r, kinds, acts });
                }
                (Trigger::Nothing, _) => {}
            }
        }
        let mut parties = PartyIndex::default();
        for (i, t) in timelines.iter().enumerate() {
            parties.add(program, &index.party_role, i, t);
        }
        parties.sort();
        index.parties = parties;
        index
    }

    /// The party index with the timelines of the instruments in `changed` (sorted) read from
    /// `timelines`, where a scenario changed them, instead of from the rule files.
    pub(crate) fn parties_with(&self, program: &Program, changed: &[InstId], timelines: &[&Timeline]) -> PartyIndex {
        let kept = |i: InstId| changed.binary_search(&i).is_err();
        let b = &self.parties;
        let mut parties = PartyIndex {
            by_fact_party: b.by_fact_party.iter().filter(|(_, r)| kept(program.rule(*r).instrument)).copied().collect(),
            status_changes: b.status_changes.iter().filter(|(_, i)| kept(*i)).copied().collect(),
        };
        for &i in changed {
            if let Some(t) = timelines.get(i) {
                parties.add(program, &self.party_role, i, t);
            }
        }
        parties.sort();
        parties
    }
}

impl PartyIndex {
    /// The rules found by party for a fact of `kind` with `value` in `role`.
    pub(crate) fn rules(&self, kind: Sym, role: Sym, value: Sym) -> impl Iterator<Item = usize> + '_ {
        let key = (kind, role, value);
        let from = self.by_fact_party.partition_point(|(k, _)| *k < key);
        let rest = self.by_fact_party.get(from..).unwrap_or_default();
        rest.iter().take_while(move |(k, _)| *k == key).map(|&(_, r)| r)
    }

    /// The status changes from day `from` to day `to`, both included.
    pub(crate) fn status_changes_between(&self, from: Day, to: Day) -> &[(Day, InstId)] {
        let start = self.status_changes.partition_point(|&(d, _)| d < from);
        let end = self.status_changes.partition_point(|&(d, _)| d <= to);
        self.status_changes.get(start..end.max(start)).unwrap_or_default()
    }

    /// Adds what instrument `i`'s timeline `t` gives.
    fn add(&mut self, program: &Program, party_role: &[Option<Sym>], i: InstId, t: &Timeline) {
        for r in program.rules_by_instrument.get(i).into_iter().flatten().copied() {
            let rule = program.rule(r);
            if rule.instrument != i {
                continue;
            }
            if let (Trigger::Fact(_, kind), Some(role)) = (rule.trigger, party_role.get(r).copied().flatten()) {
                self.by_fact_party.extend(t.bound.keys().map(|&p| ((kind, role, p), r)));
            }
        }
        for w in t.in_force.iter().chain(t.bound.values().flatten().map(|b| &b.when)) {
            self.status_changes.extend(std::iter::once(w.from).chain(w.until).map(|d| (d, i)));
        }
    }

    fn sort(&mut self) {
        self.by_fact_party.sort_unstable();
        self.status_changes.sort_unstable();
        self.status_changes.dedup();
    }
}

/// The role of a rule's trigger pattern whose variable the condition tests with `X is party`
/// (of the rule's own instrument, not negated), if there is one.
fn indexed_role(rule: &NormRule) -> Option<Sym> {
    let Trigger::Fact(at, _) = rule.trigger else { return None };
    let Some(LitKind::Fact(p)) = rule.condition.get(at).map(|l| &l.kind) else { return None };
    rule.condition.iter().find_map(|l| match &l.kind {
        LitKind::IsParty { term: Term::Var(v), negated: false, instrument, .. } if *instrument == rule.instrument => {
            p.args.iter().find(|(_, t)| *t == Term::Var(*v)).map(|(role, _)| *role)
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::Joins;
    use crate::program::{Program, Sym};
    use crate::test_program as program;

    fn sym(p: &Program, name: &str) -> Sym {
        p.symbols.get(name).unwrap()
    }

    /// Co-belligerency: solved from a new attack, the act pattern knows the ally and the
    /// attacker together (not the actor, which only the head names), so the acts are counted by
    /// that pair; the attack pattern, solved from an act, knows every role of its kind and is
    /// looked up whole.
    #[test]
    fn a_join_counts_the_pair_of_roles_the_other_pattern_binds() {
        let p = program(
            "fact armed_attack(by, on)\naction assist(ally, against)\n\
             deem armed_attack(by: P, on: A) if P performs assist(ally: V, against: A) and armed_attack(by: A, on: V)\n",
        );
        let joins = Joins::of(&p);
        let (ally, against) = (sym(&p, "ally"), sym(&p, "against"));
        let pair = if ally < against { (ally, against) } else { (against, ally) };
        assert_eq!(joins.acts, vec![(sym(&p, "assist"), pair.0, pair.1)]);
        assert_eq!(joins.facts, vec![]);
    }

    /// A constant is known whatever the order, and so is a variable another pattern names; a
    /// variable only the head names is not, nor `_`.
    #[test]
    fn constants_and_shared_variables_are_known_and_others_not() {
        let p = program(
            "fact embargo(on, by)\naction supply(item, to)\n\
             deem embargo(on: T, by: S) if S performs supply(item: arms, to: T) and embargo(on: T, by: _)\n\
             deem embargo(on: S, by: T) if S performs supply(item: _, to: T) and embargo(on: T, by: S)\n",
        );
        let joins = Joins::of(&p);
        let (supply, item, to) = (sym(&p, "supply"), sym(&p, "item"), sym(&p, "to"));
        // The actor's role, `Sym::MAX`, comes after every other.
        let mut acts = vec![(supply, item.min(to), item.max(to)), (supply, to, Sym::MAX)];
        acts.sort_unstable();
        assert_eq!(joins.acts, acts);
        assert_eq!(joins.facts, vec![], "one role known in the first rule, every role in the second");
    }
}
