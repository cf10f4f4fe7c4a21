//! Compiled literals in words again, as the rule files write them, each variable shown by its
//! name or, where it has one, by its value. Explanations print from this, never by reading
//! printed text back.

use super::{InstId, Lit, LitKind, Pattern, Program, Sym, Term};

/// How to show the literals of one rule: the names of symbols, the rule's variables, and the
/// values they have (none, to show the literals as written).
pub(crate) struct Show<'a> {
    /// The program, for the names of instruments and groups.
    pub program: &'a Program,
    /// The name of a symbol (a scenario may name symbols the program does not).
    pub name: &'a dyn Fn(Sym) -> &'a str,
    /// The names of the rule's variable slots.
    pub vars: &'a [String],
    /// The values of the slots, as far as they are bound.
    pub env: &'a [Option<Sym>],
}

impl Show<'_> {
    /// A literal: `armed_attack(by: UKR, on: V)`, `V is party`, `not (P = A and X in g)`.
    pub(crate) fn literal(&self, lit: &Lit) -> String {
        match &lit.kind {
            LitKind::Fact(p) => self.pattern(p),
            LitKind::Act { actor, action } => format!("{} performs {}", self.term(*actor), self.pattern(action)),
            LitKind::IsParty { term, negated, instrument, named } => {
                let not = if *negated { "not " } else { "" };
                let to = if *named { format!(" to {}", self.instrument(*instrument)) } else { String::new() };
                format!("{} is {not}party{to}", self.term(*term))
            }
            LitKind::InGroup { term, negated, group } => {
                let not = if *negated { "not " } else { "" };
                format!("{} {not}in {}", self.term(*term), self.program.group_def(*group).name)
            }
            LitKind::Compare { left, negated, right } => {
                format!("{} {} {}", self.term(*left), if *negated { "!=" } else { "=" }, self.term(*right))
            }
            LitKind::Place { relation, place, state } => {
                let [p, s] = relation.roles();
                format!("{}({p}: {}, {s}: {})", relation.name(), self.term(*place), self.term(*state))
            }
            LitKind::Not(inner) => {
                // In the order written: compiling may have put a test after the pattern binding it.
                let mut inner: Vec<&Lit> = inner.iter().collect();
                inner.sort_by_key(|l| l.span.start);
                match inner.as_slice() {
                    [one] if matches!(one.kind, LitKind::Fact(_) | LitKind::Act { .. } | LitKind::Not(_)) => {
                        format!("not {}", self.literal(one))
                    }
                    many => {
                        let parts: Vec<String> = many.iter().map(|l| self.literal(l)).collect();
                        format!("not ({})", parts.join(" and "))
                    }
                }
            }
        }
    }

    /// `name(role: term, ...)`.
    pub(crate) fn pattern(&self, p: &Pattern) -> String {
        let args: Vec<String> = p.args.iter().map(|(r, t)| format!("{}: {}", (self.name)(*r), self.term(*t))).collect();
        let name = (self.name)(p.name);
        if args.is_empty() { name.to_string() } else { format!("{name}({})", args.join(", ")) }
    }

    /// A term: a constant's name, a variable's value if it has one, else its name; `_`.
    pub(crate) fn term(&self, t: Term) -> String {
        match t {
            Term::Const(c) | Term::Within(c) => (self.name)(c).to_string(),
            Term::Var(v) => match self.env.get(v).copied().flatten() {
                Some(value) => (self.name)(value).to_string(),
                // PANIC SAFETY: a rule's terms name only its own slots.
                None => self.vars[v].clone(),
            },
            Term::Any => "_".to_string(),
        }
    }

    fn instrument(&self, i: InstId) -> &str {
        self.program.instrument_id(i)
    }
}
