//! The vocabulary a rule set declares: groups, kinds of fact and their roles, actions and what
//! they include, parties with names.

use std::collections::{BTreeMap, BTreeSet};

use fixedbitset::FixedBitSet;
use rustc_hash::FxHashMap as HashMap;

use casus_syntax::ast::{self, File, Item, Term};
use casus_syntax::source::FileId;

use super::rules::{Scope, Use};
use super::{
    CategoryMember, Checker, Duplicate, IncludesItself, IncludesTooMany, ListedTwice, PartyProblem, PlaceRelationError,
    RoleProblem, Twice, UnknownParty, UnknownRole, VariableError, VariableProblem, capitalised, list,
};
use crate::calendar::Interval;
use crate::program::{ActionDef, FactDef, GroupDef, PartyDef, PlaceDef, Relation, Sym};
use casus_syntax::suggest::{did_you_mean, nearest};

impl Checker<'_> {
    /// The units amounts are given in, each numbered, with what it measures.
    pub(super) fn units(&mut self) -> BTreeMap<crate::program::Sym, Option<String>> {
        let declared: Vec<(&str, Option<String>)> =
            self.decls.units.iter().map(|(name, d)| (*name, d.item.title.as_ref().map(|t| t.value.clone()))).collect();
        declared.into_iter().map(|(name, title)| (self.sym(name), title)).collect()
    }

    /// Every group, in the order of their names, with its members over time: those listed, those
    /// of the groups listed (a group listed in a group stands for its members), and the places
    /// that say they lie in it. Members listed twice are reported, and groups that contain
    /// themselves.
    pub(super) fn groups(&mut self, files: &[(FileId, &File)]) -> Vec<GroupDef> {
        // The members each group lists, and the places that lie in it, each with its period.
        let mut direct: BTreeMap<String, Vec<(String, Interval)>> = BTreeMap::new();
        for (file, item) in Checker::items(files) {
            self.file = file;
            match item {
                Item::Group(g) => {
                    let mut seen: Vec<(&str, Interval)> = Vec::new();
                    let first = self.decls.groups.get(g.name.name.as_str()).is_some_and(|d| std::ptr::eq(d.item, g));
                    for m in &g.members {
                        let name = match &m.term {
                            Term::Party(c) if g.category => {
                                self.report(CategoryMember::party(&c.name, &g.name.name, c.span));
                                continue;
                            }
                            Term::Party(c) => {
                                self.party_ref(c);
                                c.name.as_str()
                            }
                            Term::Symbol(s) => s.name.as_str(),
                            Term::Var(_) | Term::Wildcard(_) => continue,
                        };
                        if g.category {
                            let at = m.term.span();
                            if m.period.is_dated() {
                                self.report(CategoryMember::dated(name, &g.name.name, at));
                                continue;
                            }
                            if self.decls.groups.get(name).is_some_and(|d| !d.item.category) {
                                self.report(CategoryMember::group(name, &g.name.name, at));
                                continue;
                            }
                        }
                        let Some(when) = self.period(&m.period, m.term.span()) else { continue };
                        if seen.iter().any(|(n, w)| *n == name && w.overlaps(&when)) {
                            let at = m.term.span();
                            self.report(ListedTwice { member: name.to_string(), group: g.name.name.clone(), at });
                        }
                        seen.push((name, when));
                        if first {
                            direct.entry(g.name.name.clone()).or_default().push((name.to_string(), when));
                        }
                    }
                }
                Item::Place(p) => {
                    let first = self.decls.places.get(p.name.name.as_str()).is_some_and(|d| std::ptr::eq(d.item, p));
                    for line in &p.lines {
                        let ast::PlaceLineKind::In(areas) = &line.kind else { continue };
                        let when = self.period(&line.period, line.span);
                        for a in areas {
                            if self.group_ref(a).is_some()
                                && first
                                && let Some(when) = when
                            {
                                direct.entry(a.name.clone()).or_default().push((p.name.name.clone(), when));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        let order = self.group_order(&direct);
        let mut expanded: BTreeMap<&str, BTreeMap<String, Vec<Interval>>> = BTreeMap::new();
        for name in &order {
            let mut members: BTreeMap<String, Vec<Interval>> = BTreeMap::new();
            for (m, when) in direct.get(name.as_str()).into_iter().flatten() {
                match expanded.get(m.as_str()) {
                    Some(inner) => {
                        for (x, runs) in inner {
                            let runs = runs.iter().filter_map(|r| r.intersect(when));
                            members.entry(x.clone()).or_default().extend(runs);
                        }
                        // A category listed in a category is one of its items, as well as
                        // standing for its own: a shipment of `ammunition` is one of `arms`.
                        if self.decls.groups.get(m.as_str()).is_some_and(|d| d.item.category) {
                            members.entry(m.clone()).or_default().push(*when);
                        }
                    }
                    None => members.entry(m.clone()).or_default().push(*when),
                }
            }
            expanded.insert(name.as_str(), members);
        }
        let names: Vec<&str> = self.decls.groups.keys().copied().collect();
        names
            .into_iter()
            .map(|name| {
                let listed = expanded.remove(name).unwrap_or_default();
                let mut dated = BTreeMap::new();
                let mut ids = Vec::new();
                for (m, runs) in listed {
                    let runs = Interval::merge(runs);
                    if runs.is_empty() {
                        continue;
                    }
                    let sym = self.sym(&m);
                    ids.push(sym as usize);
                    if runs != [Interval::always()] {
                        dated.insert(sym, runs);
                    }
                }
                let mut members = FixedBitSet::with_capacity(ids.iter().max().map_or(0, |m| m + 1));
                ids.into_iter().for_each(|i| members.insert(i));
                let category = self.decls.groups.get(name).is_some_and(|d| d.item.category);
                if category {
                    // A category's name is a value acts may give, whether or not a rule names it.
                    self.sym(name);
                }
                GroupDef { name: name.to_string(), category, members, dated }
            })
            .collect()
    }

    /// The groups in an order in which every group comes after the groups it lists; a group
    /// that contains itself is reported, and left out.
    fn group_order(&mut self, direct: &BTreeMap<String, Vec<(String, Interval)>>) -> Vec<String> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            Open,
            Done,
        }
        let mut marks: BTreeMap<&str, Mark> = BTreeMap::new();
        let mut order = Vec::new();
        let mut cyclic: BTreeSet<String> = BTreeSet::new();
        let lists = |g: &str| -> Vec<&str> {
            direct.get(g).into_iter().flatten().map(|(m, _)| m.as_str()).filter(|m| direct.contains_key(*m)).collect()
        };
        for root in direct.keys() {
            if marks.contains_key(root.as_str()) {
                continue;
            }
            // Depth first without recursion: each frame is a group and the groups it lists
            // still to visit.
            let mut stack: Vec<(&str, Vec<&str>)> = vec![(root.as_str(), lists(root))];
            marks.insert(root.as_str(), Mark::Open);
            while let Some((g, pending)) = stack.last_mut() {
                let g = *g;
                match pending.pop() {
                    Some(next) => match marks.get(next) {
                        None => {
                            marks.insert(next, Mark::Open);
                            stack.push((next, lists(next)));
                        }
                        Some(Mark::Open) => {
                            let from = stack.iter().position(|(x, _)| *x == next).unwrap_or(0);
                            let mut chain: Vec<&str> =
                                stack.get(from..).unwrap_or(&[]).iter().map(|(x, _)| *x).collect();
                            chain.push(next);
                            if cyclic.insert(next.to_string())
                                && let Some(d) = self.decls.groups.get(next)
                            {
                                let chain = chain.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(" → ");
                                let at = d.item.name.span;
                                let what = if d.item.category { "category" } else { "group" };
                                self.diags.push(casus_syntax::diagnostic::Diagnostic::new(
                                    d.file,
                                    super::CheckError::from(super::GroupCycle {
                                        what,
                                        group: next.to_string(),
                                        chain,
                                        at,
                                    }),
                                ));
                            }
                        }
                        Some(Mark::Done) => {}
                    },
                    None => {
                        marks.insert(g, Mark::Done);
                        order.push(g.to_string());
                        stack.pop();
                    }
                }
            }
        }
        order.retain(|g| !cyclic.contains(g));
        order
    }

    /// The days a declaration's period gives, if its dates exist and it is not empty.
    pub(super) fn period(&mut self, p: &ast::Period, at: casus_syntax::source::Span) -> Option<Interval> {
        let from = match &p.from {
            Some(d) => Some(self.date(d)?),
            None => None,
        };
        let until = match &p.until {
            Some(d) => Some(self.date(d)?),
            None => None,
        };
        if let (Some(f), Some(u)) = (from, until)
            && u <= f
        {
            let end = p.until.map_or(at, |d| d.span);
            self.report(super::EmptyPeriod { at: p.from.map_or(at, |d| d.span).to(end) });
            return None;
        }
        Some(Interval::between(from, until))
    }

    /// Every place, by name: whose territory it is and who administers it, over time.
    pub(super) fn places(&mut self, files: &[(FileId, &File)]) -> BTreeMap<Sym, PlaceDef> {
        let mut out = BTreeMap::new();
        for (file, item) in Checker::items(files) {
            let Item::Place(p) = item else { continue };
            self.file = file;
            let mut def = PlaceDef {
                name: p.name.name.clone(),
                title: p.title.as_ref().map(|t| t.value.clone()),
                territory: Vec::new(),
                administered: Vec::new(),
                file,
                span: p.span,
            };
            for line in &p.lines {
                let (state, list) = match &line.kind {
                    ast::PlaceLineKind::Territory(s) => (s, &mut def.territory),
                    ast::PlaceLineKind::Administered(s) => (s, &mut def.administered),
                    ast::PlaceLineKind::In(_) => continue,
                };
                self.party_ref(state);
                if let Some(when) = self.period(&line.period, line.span) {
                    list.push((self.symbols.intern_ref(state.name.as_str()), when));
                }
            }
            if self.decls.places.get(p.name.name.as_str()).is_some_and(|d| std::ptr::eq(d.item, p)) {
                out.insert(self.sym(&p.name.name), def);
            }
        }
        out
    }

    /// Every party the rules declare, by code, with its period, successors and predecessors.
    pub(super) fn parties(&mut self, files: &[(FileId, &File)]) -> BTreeMap<String, PartyDef> {
        let mut out: BTreeMap<String, PartyDef> = BTreeMap::new();
        for (file, item) in Checker::items(files) {
            let Item::Party(p) = item else { continue };
            self.file = file;
            let period = if p.period.is_dated() { self.period(&p.period, p.code.span) } else { None };
            for s in &p.successors {
                self.party_ref(s);
            }
            if let Some(a) = &p.alias {
                self.party_ref(a);
            }
            if !self.decls.parties.get(p.code.name.as_str()).is_some_and(|d| std::ptr::eq(d.item, p)) {
                continue;
            }
            out.insert(
                p.code.name.clone(),
                PartyDef {
                    name: p.name.value.clone(),
                    period,
                    successors: p.successors.iter().map(|s| s.name.clone()).collect(),
                    predecessors: Vec::new(),
                    alias: p.alias.as_ref().map(|a| a.name.clone()),
                },
            );
        }
        let links: Vec<(String, String)> =
            out.iter().flat_map(|(c, d)| d.successors.iter().map(move |s| (s.clone(), c.clone()))).collect();
        for (successor, predecessor) in links {
            if let Some(d) = out.get_mut(&successor) {
                d.predecessors.push(predecessor);
            }
        }
        out
    }

    /// Checks a party code: declared, unless the rules declare none, and not a code the rules
    /// write otherwise. Returns whether it is good.
    pub(super) fn party_ref(&mut self, code: &ast::Ident) -> bool {
        if self.decls.parties.is_empty() {
            return true;
        }
        match self.decls.parties.get(code.name.as_str()) {
            Some(d) => match &d.item.alias {
                None => true,
                Some(write) => {
                    let what = PartyProblem::Alias { code: code.name.clone(), write: write.name.clone() };
                    let help = Some(format!("`{}` is {}; write `{}`", code.name, d.item.name.value, write.name));
                    self.report(UnknownParty { what, at: code.span, help });
                    false
                }
            },
            None => {
                let codes = self.decls.parties.iter().filter(|(_, d)| d.item.alias.is_none()).map(|(c, _)| *c);
                let help = did_you_mean(&code.name, codes)
                    .or_else(|| Some(format!("declare it with `party {} \"its name\"`", code.name)));
                self.report(UnknownParty { what: PartyProblem::Unknown(code.name.clone()), at: code.span, help });
                false
            }
        }
    }

    /// Kinds of fact and actions.
    pub(super) fn declarations(
        &mut self,
        files: &[(FileId, &File)],
    ) -> (HashMap<Sym, FactDef>, HashMap<Sym, ActionDef>) {
        let (mut facts, mut actions) = (HashMap::default(), HashMap::default());
        for (file, item) in Checker::items(files) {
            self.file = file;
            match item {
                Item::Fact(f) => {
                    if Relation::named(&f.name.name).is_some() {
                        let name = f.name.name.clone();
                        self.report(PlaceRelationError { name, why: "it cannot be declared", at: f.name.span });
                    }
                    let def = self.fact_decl(f);
                    if self.decls.facts.get(f.name.name.as_str()).is_some_and(|d| std::ptr::eq(d.item, f)) {
                        let name = self.sym(&f.name.name);
                        facts.insert(name, def);
                    }
                }
                Item::Action(a) => {
                    let def = self.action_decl(a);
                    if let Some(def) = def
                        && self.decls.actions.get(a.name.name.as_str()).is_some_and(|d| std::ptr::eq(d.item, a))
                    {
                        let name = self.sym(&a.name.name);
                        actions.insert(name, def);
                    }
                }
                _ => {}
            }
        }
        (facts, actions)
    }

    /// `fact KIND(role, role = default)`: each role once; a default names another role, whose
    /// value it takes, or is a constant (`target = territory`).
    fn fact_decl(&mut self, f: &ast::FactDecl) -> FactDef {
        let roles: Vec<&str> = f.roles.iter().map(|r| r.name.name.as_str()).collect();
        let mut seen = BTreeSet::new();
        for r in &f.roles {
            if !seen.insert(r.name.name.as_str()) {
                self.report(Duplicate::new(Twice::RoleDeclared { role: r.name.name.clone() }, r.name.span, None));
            }
            let Some(d) = &r.default else { continue };
            // A default that names no role is a constant; one a letter or two from another role's
            // name is a misspelt role, not a constant.
            let other_roles = roles.iter().copied().filter(|x| *x != r.name.name);
            let near = if roles.contains(&d.name.as_str()) { None } else { nearest(&d.name, other_roles) };
            if d.name == r.name.name || near.is_some() {
                let what = RoleProblem::BadDefault { role: r.name.name.clone(), fact: f.name.name.clone() };
                let help = match near {
                    Some(n) => format!("did you mean `{n}`? a default that names no role is a constant"),
                    None => format!("its roles are {}", list(&roles)),
                };
                self.report(UnknownRole { what, at: d.span, help });
            }
        }
        let mut def = FactDef { roles: f.roles.iter().map(|r| self.sym(&r.name.name)).collect(), ..FactDef::default() };
        for r in &f.roles {
            let Some(d) = &r.default else { continue };
            let pair = (self.sym(&r.name.name), self.sym(&d.name));
            if roles.contains(&d.name.as_str()) {
                def.defaults.push(pair);
            } else {
                def.fixed.push(pair);
            }
        }
        def
    }

    /// `action NAME(role, ...) includes ...`: each role once; what it includes, known, with
    /// variables that name its roles; and not itself, directly or through others.
    fn action_decl(&mut self, a: &ast::ActionDecl) -> Option<ActionDef> {
        let mut seen = BTreeSet::new();
        for r in &a.roles {
            if !seen.insert(r.name.as_str()) {
                self.report(Duplicate::new(Twice::RoleDeclared { role: r.name.clone() }, r.span, None));
            }
        }
        let includes = self.role_patterns(a, &a.includes);
        let fulfilled_by = self.role_patterns(a, &a.fulfilled_by);
        match self.included(a) {
            Reach::Itself => self.report(IncludesItself { action: a.name.name.clone(), at: a.name.span }),
            Reach::TooMany => self.report(IncludesTooMany {
                action: a.name.name.clone(),
                limit: super::MAX_INCLUDED,
                at: a.name.span,
            }),
            Reach::Fine => {}
        }
        let roles = a.roles.iter().map(|r| self.sym(&r.name)).collect();
        Some(ActionDef { roles, includes: includes?, fulfilled_by: fulfilled_by? })
    }

    /// The actions of an `includes` or `fulfilled by` clause: known, with variables that name
    /// the declared action's roles.
    fn role_patterns(
        &mut self,
        a: &ast::ActionDecl,
        patterns: &[ast::Pattern],
    ) -> Option<Vec<crate::program::Pattern>> {
        // A variable names a role of the declared action, capitalised: in
        // `assist(ally, against) includes use_force(against: Against)` the force is used against
        // whoever the assistance is against. The variables' slots are the roles' positions.
        let mut scope = Scope::of_names(a.roles.iter().map(|r| capitalised(&r.name)).collect());
        let mut out = Some(Vec::new());
        for inc in patterns {
            for arg in &inc.args {
                if let Term::Var(v) = &arg.value
                    && !a.roles.iter().any(|r| capitalised(&r.name) == v.name)
                {
                    let roles: Vec<String> = a.roles.iter().map(|r| format!("`{}`", capitalised(&r.name))).collect();
                    let help = if roles.is_empty() {
                        format!("`{}` has no roles; write a constant such as `{}: arms`", a.name.name, arg.role.name)
                    } else {
                        format!("a variable here stands for a role of `{}`: {}", a.name.name, roles.join(", "))
                    };
                    let what = VariableProblem::NotARole { var: v.name.clone(), action: a.name.name.clone() };
                    self.report(VariableError { what, at: v.span, help });
                    out = None;
                }
            }
            let lowered = self.pattern(inc, Use::Action, &mut scope);
            match (&mut out, lowered) {
                (Some(list), Some(p)) => list.push(p),
                _ => out = None,
            }
        }
        out
    }

    /// Whether an action includes itself, directly or through others, or more than
    /// [`MAX_INCLUDED`](super::MAX_INCLUDED) actions: the search stops there, so that a long
    /// chain costs no more than a short one.
    fn included(&self, a: &ast::ActionDecl) -> Reach {
        let mut stack: Vec<&str> = a.includes.iter().map(|p| p.name.name.as_str()).collect();
        let mut visited = BTreeSet::new();
        while let Some(next) = stack.pop() {
            if next == a.name.name {
                return Reach::Itself;
            }
            if visited.insert(next) {
                if visited.len() > super::MAX_INCLUDED {
                    return Reach::TooMany;
                }
                if let Some(decl) = self.decls.actions.get(next) {
                    stack.extend(decl.item.includes.iter().map(|p| p.name.name.as_str()));
                }
            }
        }
        Reach::Fine
    }
}

/// What an action includes, directly or through others.
enum Reach {
    /// Itself.
    Itself,
    /// More than the limit.
    TooMany,
    /// Neither.
    Fine,
}
