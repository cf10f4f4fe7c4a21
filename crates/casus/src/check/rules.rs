//! Rules: their patterns and roles, their variables, their bearers — each checked and resolved
//! in one pass.

use std::collections::{BTreeMap, BTreeSet};

use casus_syntax::ast::{self, File, Item, LiteralKind};
use casus_syntax::source::{FileId, Span};
use casus_syntax::suggest::{did_you_mean, nearest};

use super::{
    CapError, Checker, DeemDef, Duplicate, MissingInstrument, PlaceRelationError, RuleDef, Twice, Unbound,
    UnknownAction, UnknownFact, UnknownRole, VariableError, VariableProblem, list,
};
use super::{RoleProblem, declarations::Declared};
use crate::program::{Bearers, Cap, CapPeriod, Deadline, InstId, Lit, LitKind, Pattern, Relation, Term};

/// Where a pattern is used: as a fact or as an action.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Use {
    Fact,
    Action,
}

/// The roles a kind of fact or an action declares.
#[derive(Clone, Copy)]
enum Roles<'a> {
    Fact(&'a ast::FactDecl),
    Action(&'a ast::ActionDecl),
}

impl<'a> Roles<'a> {
    fn has(self, role: &str) -> bool {
        match self {
            Roles::Fact(f) => f.roles.iter().any(|r| r.name.name == role),
            Roles::Action(a) => a.roles.iter().any(|r| r.name == role),
        }
    }

    fn names(self) -> Vec<&'a str> {
        match self {
            Roles::Fact(f) => f.roles.iter().map(|r| r.name.name.as_str()).collect(),
            Roles::Action(a) => a.roles.iter().map(|r| r.name.as_str()).collect(),
        }
    }
}

/// The variables of one rule, each given a slot when first met.
#[derive(Default)]
pub(super) struct Scope {
    names: Vec<String>,
}

impl Scope {
    /// A scope whose first slots are these names.
    pub(super) fn of_names(names: Vec<String>) -> Scope {
        Scope { names }
    }

    fn slot(&mut self, name: &str) -> usize {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return i;
        }
        self.names.push(name.to_string());
        self.names.len() - 1
    }
}

/// Variables bound so far in a condition.
#[derive(Clone, Default)]
struct Bound<'a> {
    vars: BTreeMap<&'a str, Span>,
}

impl<'a> Bound<'a> {
    fn bind_term(&mut self, t: &'a ast::Term) {
        if let ast::Term::Var(v) = t {
            self.vars.entry(v.name.as_str()).or_insert(v.span);
        }
    }
}

impl<'a> Checker<'a> {
    /// Every article's rules of every instrument, resolved, the instrument of each given.
    pub(super) fn rules_of(
        &mut self,
        inst: InstId,
        decl: &'a ast::Instrument,
        article: usize,
        a: &'a ast::Article,
    ) -> Option<Vec<RuleDef<'a>>> {
        let rules: Vec<Option<RuleDef>> = a.rules.iter().map(|r| self.rule(inst, decl, article, r)).collect();
        rules.into_iter().collect()
    }

    /// A norm rule: names, bound variables, and whether it can fire at all.
    pub(super) fn rule(
        &mut self,
        inst: InstId,
        decl: &'a ast::Instrument,
        article: usize,
        rule: &'a ast::Rule,
    ) -> Option<RuleDef<'a>> {
        let cond = rule.condition.as_deref().unwrap_or(&[]);
        self.rule_variables(rule);
        self.singletons(rule);
        self.dead_rule(decl, rule);
        let mut scope = Scope::default();
        let condition = self.literals(cond, Some(inst), &mut scope);
        let c = &rule.conclusion;
        let bearers = match &c.bearers {
            ast::Bearers::EveryParty { var, except } | ast::Bearers::EveryState { var, except } => {
                let except = except.iter().map(|t| self.term(t, &mut scope)).collect();
                Some(Bearers::Every { var: scope.slot(&var.name), except })
            }
            ast::Bearers::EveryMember { group, except } => {
                let except = except.iter().map(|t| self.term(t, &mut scope)).collect();
                self.group_ref(group).map(|group| Bearers::Members { group, except })
            }
            ast::Bearers::One(t) => Some(Bearers::One(self.term(t, &mut scope))),
        };
        let action = self.pattern(&c.action, Use::Action, &mut scope);
        let deadline = match &c.deadline {
            None => Some(None),
            Some(ast::Deadline::WithoutDelay | ast::Deadline::Immediately) => Some(Some(Deadline::Immediately)),
            Some(ast::Deadline::Forthwith) => Some(Some(Deadline::Forthwith)),
            Some(ast::Deadline::Within(d)) => Some(Some(Deadline::Within(*d))),
            Some(ast::Deadline::By(d)) => self.date(d).map(|d| Some(Deadline::By(d))),
        };
        let cap = match &c.cap {
            None => Some(None),
            Some(cap) => self.cap(c.modality, cap).map(Some),
        };
        Some(RuleDef {
            instrument: inst,
            article,
            reservation: None,
            excluded: Vec::new(),
            condition: condition?,
            vars: scope.names,
            bearers: bearers?,
            modality: c.modality,
            action: action?,
            deadline: deadline?,
            cap: cap?,
            written: rule,
            file: self.file,
        })
    }

    /// A prohibition's cap: on a `must not` only, in a declared unit, from a real date.
    fn cap(&mut self, modality: ast::Modality, cap: &ast::Cap) -> Option<Cap> {
        if modality != ast::Modality::MustNot {
            self.report(CapError {
                message: format!("a cap limits a prohibition, not a `{}`", modality.words()),
                at: cap.span,
                help: "write `must not ... beyond AMOUNT UNIT ...`: what is supplied beyond the amount breaks the prohibition".into(),
                });
            return None;
        }
        let name = cap.unit.name.as_str();
        let units = std::iter::once(&cap.unit).chain(cap.or.as_ref().map(|(_, u)| u));
        let mut known = true;
        for unit in units {
            let name = unit.name.as_str();
            if !self.decls.units.contains_key(name) {
                let help = did_you_mean(name, self.decls.units.keys().copied())
                    .unwrap_or_else(|| format!("declare it with `unit {name} \"what it measures\"`"));
                self.report(CapError { message: format!("unknown unit `{name}`"), at: unit.span, help });
                known = false;
            }
        }
        if !known {
            return None;
        }
        if let Some((other, unit)) = &cap.or {
            if unit.name == name {
                self.report(CapError {
                    message: format!("the cap gives its amount in `{name}` twice"),
                    at: unit.span,
                    help:
                        "`or` gives the same cap in another unit, such as `beyond 4_000_000 barrels or 525_000 tonnes`"
                            .into(),
                });
                return None;
            }
            if cap.amount.value == 0 || other.value == 0 {
                let at = if cap.amount.value == 0 { cap.amount.span } else { other.span };
                self.report(CapError {
                    message: "a cap given in two units needs both amounts above zero".into(),
                    at,
                    help: "the two amounts say how many of one unit make one of the other; a cap of nothing needs no second unit".into(),
                });
                return None;
            }
        }
        let period = match cap.period {
            ast::CapPeriod::Fixed { length, from } => CapPeriod::Fixed { length, from: self.date(&from)? },
            ast::CapPeriod::Rolling(length) => CapPeriod::Rolling(length),
            ast::CapPeriod::Total => CapPeriod::Total,
        };
        let or = cap.or.as_ref().map(|(other, unit)| (other.value, self.sym(&unit.name)));
        Some(Cap { amount: cap.amount.value, unit: self.sym(name), or, period, aggregate: cap.aggregate })
    }

    /// Every `deem` rule of the rule set, resolved.
    pub(super) fn deems(&mut self, files: &[(FileId, &'a File)]) -> Vec<DeemDef<'a>> {
        let mut out = Vec::new();
        for (file, item) in Checker::items(files) {
            if let Item::Deem(d) = item {
                self.file = file;
                out.extend(self.deem(d));
            }
        }
        out
    }

    /// `deem FACT [after N days] if CONDITION`.
    fn deem(&mut self, d: &'a ast::Deem) -> Option<DeemDef<'a>> {
        if Relation::named(&d.head.name.name).is_some() && !self.decls.facts.contains_key(d.head.name.name.as_str()) {
            let name = d.head.name.name.clone();
            self.report(PlaceRelationError { name, why: "a rule cannot derive it", at: d.head.name.span });
            return None;
        }
        let mut bound = Bound::default();
        self.condition_variables(&d.condition, &mut bound);
        self.concluded_args(
            &d.head.args,
            &bound,
            VariableProblem::WildcardInHead,
            "",
            "is an argument of the derived fact",
        );
        let mut scope = Scope::default();
        let condition = self.literals(&d.condition, None, &mut scope);
        let head = self.pattern(&d.head, Use::Fact, &mut scope);
        Some(DeemDef {
            head: head?,
            delay: d.delay.filter(|x| x.amount > 0),
            condition: condition?,
            vars: scope.names,
            written: d,
            file: self.file,
        })
    }

    /// A conjunction, each literal resolved; `inst` is the instrument `is party` means when it
    /// names none.
    fn literals(&mut self, lits: &[ast::Literal], inst: Option<InstId>, scope: &mut Scope) -> Option<Vec<Lit>> {
        let lits: Vec<Option<Lit>> = lits.iter().map(|l| self.literal(l, inst, scope)).collect();
        lits.into_iter().collect()
    }

    fn literal(&mut self, l: &ast::Literal, inst: Option<InstId>, scope: &mut Scope) -> Option<Lit> {
        let kind = match &l.kind {
            LiteralKind::Fact(p)
                if !self.decls.facts.contains_key(p.name.name.as_str())
                    && let Some(relation) = Relation::named(&p.name.name) =>
            {
                self.relation(relation, p, scope)?
            }
            LiteralKind::Fact(p) => {
                let p = self.pattern(p, Use::Fact, scope)?;
                LitKind::Fact(self.within(p))
            }
            LiteralKind::Act { actor, action } => {
                let actor = self.term(actor, scope);
                let action = self.pattern(action, Use::Action, scope)?;
                LitKind::Act { actor, action: self.within(action) }
            }
            LiteralKind::IsParty { term: t, negated, instrument } => {
                let t = self.term(t, scope);
                let named = instrument.is_some();
                let instrument = match instrument {
                    Some(id) => self.instrument_ref(id),
                    None if inst.is_none() => {
                        self.report(MissingInstrument { at: l.span });
                        None
                    }
                    None => inst,
                };
                LitKind::IsParty { term: t, negated: *negated, instrument: instrument?, named }
            }
            LiteralKind::InGroup { term: t, negated, group } => {
                let t = self.term(t, scope);
                LitKind::InGroup { term: t, negated: *negated, group: self.group_ref(group)? }
            }
            LiteralKind::Compare { left, negated, right } => {
                LitKind::Compare { left: self.term(left, scope), negated: *negated, right: self.term(right, scope) }
            }
            LiteralKind::Not(inner) => LitKind::Not(self.literals(inner, inst, scope)?),
        };
        Some(Lit { kind, span: l.span })
    }

    /// A fact or action pattern: a known name, known roles, each role once.
    pub(super) fn pattern(&mut self, p: &ast::Pattern, usage: Use, scope: &mut Scope) -> Option<Pattern> {
        let name = p.name.name.as_str();
        let roles = match usage {
            Use::Fact => self.decls.facts.get(name).map(|d| Roles::Fact(d.item)),
            Use::Action => self.decls.actions.get(name).map(|d| Roles::Action(d.item)),
        };
        let Some(roles) = roles else {
            self.unknown_name(p, usage);
            return None;
        };
        let mut ok = true;
        for (n, a) in p.args.iter().enumerate() {
            if !roles.has(&a.role.name) {
                let names = roles.names();
                let help = match nearest(&a.role.name, names.iter().copied()) {
                    Some(n) => format!("did you mean `{n}`? its roles are {}", list(&names)),
                    None if names.is_empty() => format!("`{name}` takes no roles"),
                    None => format!("its roles are {}", list(&names)),
                };
                let what = RoleProblem::NoSuchRole { name: name.to_string(), role: a.role.name.clone() };
                self.report(UnknownRole { what, at: a.role.span, help });
                ok = false;
            }
            if let Some(first) = p.args.get(..n).and_then(|before| before.iter().find(|b| b.role.name == a.role.name)) {
                let twice = Twice::RoleGiven { role: a.role.name.clone() };
                self.report(Duplicate::new(twice, a.role.span, Some(first.role.span)));
                ok = false;
            }
        }
        let name = self.sym(name);
        let args = p.args.iter().map(|a| (self.sym(&a.role.name), self.term(&a.value, scope))).collect();
        ok.then_some(Pattern { name, args })
    }

    /// A condition's pattern with each constant that names a category made to match the items
    /// within it: `supply(item: arms)` holds for a shipment of `artillery_shells`.
    fn within(&self, mut p: Pattern) -> Pattern {
        for (_, t) in &mut p.args {
            if let Term::Const(c) = *t
                && let Some(d) = self.symbols.value(c).and_then(|name| self.decls.groups.get(&**name))
                && d.item.category
            {
                *t = Term::Within(c);
            }
        }
        p
    }

    /// `territory(place: L, of: S)` or `administered(place: L, by: S)`: its two roles, each
    /// at most once; a role left out matches anything.
    fn relation(&mut self, relation: Relation, p: &ast::Pattern, scope: &mut Scope) -> Option<LitKind> {
        let roles = relation.roles();
        let mut ok = true;
        for (n, a) in p.args.iter().enumerate() {
            if !roles.contains(&a.role.name.as_str()) {
                let help = match nearest(&a.role.name, roles) {
                    Some(n) => format!("did you mean `{n}`? its roles are {}", list(&roles)),
                    None => format!("its roles are {}", list(&roles)),
                };
                let what = RoleProblem::NoSuchRole { name: relation.name().to_string(), role: a.role.name.clone() };
                self.report(UnknownRole { what, at: a.role.span, help });
                ok = false;
            }
            if let Some(first) = p.args.get(..n).and_then(|before| before.iter().find(|b| b.role.name == a.role.name)) {
                let twice = Twice::RoleGiven { role: a.role.name.clone() };
                self.report(Duplicate::new(twice, a.role.span, Some(first.role.span)));
                ok = false;
            }
        }
        let mut role = |name: &str, scope: &mut Scope| {
            p.args.iter().find(|a| a.role.name == name).map_or(Term::Any, |a| self.term(&a.value, scope))
        };
        let place = role(roles[0], scope);
        let state = role(roles[1], scope);
        ok.then_some(LitKind::Place { relation, place, state })
    }

    /// A term resolved: a constant's name numbered, a variable given its slot; a party code
    /// checked against the declared parties.
    fn term(&mut self, t: &ast::Term, scope: &mut Scope) -> Term {
        match t {
            ast::Term::Var(v) => Term::Var(scope.slot(&v.name)),
            ast::Term::Party(c) => {
                self.party_ref(c);
                Term::Const(self.sym(&c.name))
            }
            ast::Term::Symbol(c) => Term::Const(self.sym(&c.name)),
            ast::Term::Wildcard(_) => Term::Any,
        }
    }

    /// An unknown kind of fact or action, with what it might have been meant to be.
    fn unknown_name(&mut self, p: &ast::Pattern, usage: Use) {
        let name = p.name.name.as_str();
        let (table, decl) = match usage {
            Use::Fact => (keys(&self.decls.facts), "fact"),
            Use::Action => (keys(&self.decls.actions), "action"),
        };
        let help = if usage == Use::Fact && self.decls.actions.contains_key(name) {
            format!("`{name}` is an action: write `P performs {p}`")
        } else if let Some(help) = did_you_mean(name, table.iter().copied()) {
            help
        } else {
            format!("declare it with `{decl} {name}(role, ...)`")
        };
        match usage {
            Use::Fact => self.report(UnknownFact { name: name.to_string(), at: p.name.span, help }),
            Use::Action => self.report(UnknownAction { name: name.to_string(), at: p.name.span, help }),
        }
    }

    /// The variables of a norm rule: each test's, bearer's and argument's bound by a pattern;
    /// the bearers' own not bound by the condition; no `_` in the norm.
    fn rule_variables(&mut self, rule: &ast::Rule) {
        let cond = rule.condition.as_deref().unwrap_or(&[]);
        let mut bound = Bound::default();
        // The bearer variable of `every party P` may be tested in the condition (`P in G`,
        // `not (P = X and ...)`), one bearer at a time; it may not be bound by a pattern.
        let bearer_name = match &rule.conclusion.bearers {
            ast::Bearers::EveryParty { var, .. } | ast::Bearers::EveryState { var, .. } => Some(var),
            _ => None,
        };
        let by_patterns: BTreeSet<&str> = cond
            .iter()
            .filter(|l| l.binds())
            .flat_map(|l| l.terms())
            .filter_map(|t| t.var().map(|v| v.name.as_str()))
            .collect();
        if let Some(v) = bearer_name
            && !by_patterns.contains(v.name.as_str())
        {
            bound.vars.insert(v.name.as_str(), v.span);
        }
        self.condition_variables(cond, &mut bound);
        let c = &rule.conclusion;
        let except = match &c.bearers {
            ast::Bearers::EveryParty { except, .. }
            | ast::Bearers::EveryState { except, .. }
            | ast::Bearers::EveryMember { except, .. } => except.as_slice(),
            ast::Bearers::One(t) => {
                self.need_bound(t, &bound, "names the bearer");
                &[]
            }
        };
        for t in except {
            self.need_bound(t, &bound, "is left out of the bearers");
        }
        if let Some(v) = bearer_name {
            if by_patterns.contains(v.name.as_str()) {
                self.report(VariableError {
                    what: VariableProblem::BearerAlreadyBound { var: v.name.clone() },
                    at: v.span,
                    help: "the bearers need a variable of their own, such as `every party P`".to_string(),
                });
            }
            bound.vars.insert(v.name.as_str(), v.span);
        }
        self.concluded_args(
            &c.action.args,
            &bound,
            VariableProblem::WildcardInNorm,
            ": a norm without it covers every value",
            "is an argument of the norm",
        );
    }

    /// Checks that every test of a conjunction finds its variables bound: positive patterns bind
    /// wherever they stand; variables first bound inside `not` are local to it ("there is no X
    /// such that").
    fn condition_variables<'c>(&mut self, cond: &'c [ast::Literal], bound: &mut Bound<'c>) {
        for lit in cond.iter().filter(|l| l.binds()) {
            lit.terms().for_each(|t| bound.bind_term(t));
        }
        for lit in cond {
            match &lit.kind {
                LiteralKind::Fact(_) | LiteralKind::Act { .. } => {}
                LiteralKind::IsParty { term, .. } => self.need_bound(term, bound, "is tested for being a party"),
                LiteralKind::InGroup { term, .. } => self.need_bound(term, bound, "is tested for membership"),
                LiteralKind::Compare { left, right, .. } => {
                    self.need_bound(left, bound, "is compared");
                    self.need_bound(right, bound, "is compared");
                }
                LiteralKind::Not(inner) => {
                    let mut local = bound.clone();
                    self.condition_variables(inner, &mut local);
                }
            }
        }
    }

    /// The arguments of what a rule concludes (a derived fact, a norm's action): no `_`, which
    /// would leave the value open (`wildcard`, with `why` after the advice to leave the role
    /// out), and every variable bound by the condition.
    fn concluded_args(
        &mut self,
        args: &[ast::Arg],
        bound: &Bound,
        wildcard: VariableProblem,
        why: &str,
        used: &'static str,
    ) {
        for a in args {
            match &a.value {
                ast::Term::Wildcard(s) => self.report(VariableError {
                    what: wildcard.clone(),
                    at: *s,
                    help: format!("leave the role `{}` out{why}", a.role.name),
                }),
                t => self.need_bound(t, bound, used),
            }
        }
    }

    fn need_bound(&mut self, t: &ast::Term, bound: &Bound, role: &'static str) {
        if let ast::Term::Var(v) = t
            && !bound.vars.contains_key(v.name.as_str())
        {
            self.report(Unbound { var: v.name.clone(), role, at: v.span });
        }
    }
}

fn keys<'a, T>(table: &BTreeMap<&'a str, Declared<'a, T>>) -> Vec<&'a str> {
    table.keys().copied().collect()
}
