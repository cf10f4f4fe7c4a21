//! The vocabulary a rule set declares: groups, kinds of fact and their roles, actions and what
//! they include, parties with names.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use fixedbitset::FixedBitSet;

use casus_syntax::ast::{self, File, Item, Term};
use casus_syntax::source::FileId;

use super::rules::{Scope, Use};
use super::{
    Checker, Duplicate, IncludesItself, ListedTwice, RoleProblem, Twice, UnknownRole, VariableError, VariableProblem,
    capitalised, list,
};
use crate::program::{ActionDef, FactDef, GroupDef, Sym};

impl Checker<'_> {
    /// Every group, in the order of their names; members listed twice are reported.
    pub(super) fn groups(&mut self, files: &[(FileId, &File)]) -> Vec<GroupDef> {
        for (file, item) in Checker::items(files) {
            if let Item::Group(g) = item {
                self.file = file;
                let mut seen: BTreeSet<String> = BTreeSet::new();
                for m in &g.members {
                    if !seen.insert(m.to_string()) {
                        self.report(ListedTwice { member: m.to_string(), group: g.name.name.clone(), at: m.span() });
                    }
                }
            }
        }
        let groups: Vec<&ast::Group> = self.decls.groups.values().map(|d| d.item).collect();
        groups
            .into_iter()
            .map(|g| {
                let ids: Vec<usize> = g.members.iter().map(|m| self.sym(&m.to_string()) as usize).collect();
                let mut members = FixedBitSet::with_capacity(ids.iter().max().map_or(0, |m| m + 1));
                ids.into_iter().for_each(|i| members.insert(i));
                GroupDef { name: g.name.name.clone(), members }
            })
            .collect()
    }

    /// Kinds of fact, actions and named parties.
    pub(super) fn declarations(
        &mut self,
        files: &[(FileId, &File)],
    ) -> (HashMap<Sym, FactDef>, HashMap<Sym, ActionDef>, BTreeMap<String, String>) {
        let (mut facts, mut actions, mut parties) = (HashMap::new(), HashMap::new(), BTreeMap::new());
        for (file, item) in Checker::items(files) {
            self.file = file;
            match item {
                Item::Fact(f) => {
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
                Item::Party(p) => {
                    parties.entry(p.code.name.clone()).or_insert_with(|| p.name.value.clone());
                }
                _ => {}
            }
        }
        (facts, actions, parties)
    }

    /// `fact KIND(role, role = default)`: each role once, each default another role.
    fn fact_decl(&mut self, f: &ast::FactDecl) -> FactDef {
        let roles: Vec<&str> = f.roles.iter().map(|r| r.name.name.as_str()).collect();
        let mut seen = BTreeSet::new();
        for r in &f.roles {
            if !seen.insert(r.name.name.as_str()) {
                self.report(Duplicate::new(Twice::RoleDeclared { role: r.name.name.clone() }, r.name.span, None));
            }
            if let Some(d) = &r.default
                && (!roles.contains(&d.name.as_str()) || d.name == r.name.name)
            {
                let what = RoleProblem::BadDefault { role: r.name.name.clone(), fact: f.name.name.clone() };
                self.report(UnknownRole { what, at: d.span, help: format!("its roles are {}", list(&roles)) });
            }
        }
        FactDef {
            roles: f.roles.iter().map(|r| self.sym(&r.name.name)).collect(),
            defaults: f
                .roles
                .iter()
                .filter_map(|r| r.default.as_ref().map(|d| (r, d)))
                .map(|(r, d)| (self.sym(&r.name.name), self.sym(&d.name)))
                .collect(),
        }
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
        // A variable names a role of the including action, capitalised: in
        // `assist(ally, against) includes use_force(against: Against)` the force is used against
        // whoever the assistance is against. The variables' slots are the roles' positions.
        let mut scope = Scope::of_names(a.roles.iter().map(|r| capitalised(&r.name)).collect());
        let mut includes = Some(Vec::new());
        for inc in &a.includes {
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
                    includes = None;
                }
            }
            let lowered = self.pattern(inc, Use::Action, &mut scope);
            match (&mut includes, lowered) {
                (Some(list), Some(p)) => list.push(p),
                _ => includes = None,
            }
        }
        if self.includes_itself(a) {
            self.report(IncludesItself { action: a.name.name.clone(), at: a.name.span });
        }
        let roles = a.roles.iter().map(|r| self.sym(&r.name)).collect();
        Some(ActionDef { roles, includes: includes? })
    }

    /// Whether an action includes itself, directly or through others.
    fn includes_itself(&self, a: &ast::ActionDecl) -> bool {
        let mut stack: Vec<&str> = a.includes.iter().map(|p| p.name.name.as_str()).collect();
        let mut visited = BTreeSet::new();
        while let Some(next) = stack.pop() {
            if next == a.name.name {
                return true;
            }
            if visited.insert(next)
                && let Some(decl) = self.decls.actions.get(next)
            {
                stack.extend(decl.item.includes.iter().map(|p| p.name.name.as_str()));
            }
        }
        false
    }
}
