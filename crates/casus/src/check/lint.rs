//! Warnings: rules that can never fire, variables written once.

use std::collections::{BTreeMap, BTreeSet};

use casus_syntax::ast::{self, Bearers, Literal, LiteralKind, Term};
use casus_syntax::source::Span;

use super::declarations::Declarations;
use super::{Checker, DeadBecause, DeadRule, Singleton};

impl Checker<'_> {
    /// Warns about variables written once: usually a typo for another variable. Only the
    /// condition is looked at for the single use: a variable used once in the conclusion is
    /// unbound, which is an error of its own.
    pub(super) fn singletons(&mut self, rule: &ast::Rule) {
        let bearer = match &rule.conclusion.bearers {
            Bearers::EveryParty { var, .. } | Bearers::EveryState { var, .. } => Some(var.name.as_str()),
            _ => None,
        };
        let mut count: BTreeMap<&str, (usize, Span)> = BTreeMap::new();
        rule.visit_terms(&mut |t| {
            if let Term::Var(v) = t {
                count.entry(v.name.as_str()).or_insert((0, v.span)).0 += 1;
            }
        });
        let mut in_condition: BTreeSet<&str> = BTreeSet::new();
        for lit in rule.condition.iter().flatten() {
            lit.visit(None, &mut |l, _| {
                in_condition.extend(l.terms().filter_map(|t| t.var()).map(|v| v.name.as_str()))
            });
        }
        for (name, (n, span)) in count {
            if n == 1 && Some(name) != bearer && in_condition.contains(name) {
                self.report(Singleton { var: name.to_string(), at: span });
            }
        }
    }

    /// Warns about rules whose condition can never hold, or whose bearer can never be bound.
    pub(super) fn dead_rule(&mut self, inst: &ast::Instrument, rule: &ast::Rule) {
        let cond = rule.condition.as_deref().unwrap_or(&[]);
        for lit in cond {
            if let Some(why) = never_holds(&self.decls, inst, lit, cond) {
                self.report(DeadRule::new(DeadBecause::Never(why), lit.span));
                return;
            }
        }
        if let Bearers::One(Term::Party(p)) = &rule.conclusion.bearers
            && !Declarations::can_be_bound(inst, &p.name)
        {
            let what = DeadBecause::NotAParty { party: p.name.clone(), instrument: inst.id.name.clone() };
            self.report(DeadRule::new(what, p.span));
        }
    }
}

/// Why a literal can never hold, if it cannot.
fn never_holds(decls: &Declarations, inst: &ast::Instrument, lit: &Literal, cond: &[Literal]) -> Option<String> {
    match &lit.kind {
        LiteralKind::Compare { left, negated, right } => {
            let same = left == right && !matches!(left, Term::Wildcard(_));
            let constants =
                !matches!(left, Term::Var(_) | Term::Wildcard(_)) && !matches!(right, Term::Var(_) | Term::Wildcard(_));
            if *negated && same {
                return Some(format!("`{left}` always equals itself"));
            }
            if !negated && constants && !same {
                return Some(format!("`{left}` and `{right}` are different constants"));
            }
            None
        }
        LiteralKind::InGroup { term: t @ (Term::Party(_) | Term::Symbol(_)), negated, group } => {
            let g = decls.groups.get(group.name.as_str())?.item;
            // A group that lists groups, or lists this member only for a time, is left alone.
            let nested = g.members.iter().any(|m| decls.groups.contains_key(m.term.to_string().as_str()));
            let listed: Vec<_> = g.members.iter().filter(|m| &m.term == t).collect();
            let always = listed.iter().any(|m| !m.period.is_dated());
            if nested || (!listed.is_empty() && !always) {
                return None;
            }
            let member = always;
            (member == *negated).then(|| format!("`{t}` is {}in `{}`", if member { "" } else { "not " }, group.name))
        }
        LiteralKind::IsParty { term: Term::Party(p), negated: false, instrument } => {
            let target = match instrument {
                Some(id) => decls.instruments.get(id.name.as_str())?.item,
                None => inst,
            };
            (!Declarations::can_be_bound(target, &p.name))
                .then(|| format!("`{}` has no status record in `{}`", p.name, target.id.name))
        }
        LiteralKind::IsParty { term, negated, instrument } => {
            let opposite = cond.iter().any(|o| {
                matches!(&o.kind, LiteralKind::IsParty { term: t2, negated: n2, instrument: i2 }
                    if t2 == term && n2 != negated && i2 == instrument)
            });
            (opposite && !negated).then(|| format!("`{term}` cannot both be and not be a party"))
        }
        _ => None,
    }
}
