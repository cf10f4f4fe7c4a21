//! How the evaluator finds the rules a fact, an act or a change of status concerns: what the
//! rule files alone fix, computed once per program (`Program::index`), and the parts that depend
//! on an instrument's timeline, which an evaluation computes again for the instruments its
//! scenario changes.

use std::collections::HashMap;

use super::timeline::Timeline;
use super::{InstId, LitKind, NormRule, Program, Sym, Term, Trigger};
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
