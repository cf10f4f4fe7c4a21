//! The compiled program: a checked rule set, interned and indexed for evaluation.
//!
//! Names become [`Sym`] ids, variables become slots, every condition is put in an order in which
//! each test finds its variables bound, `deem` rules are put in strata, and `includes` relations
//! are closed transitively.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use fixedbitset::FixedBitSet;

use crate::calendar::Day;
use crate::check::glob_match;
use crate::intern::Interner;
use casus_syntax::ast::{self, DatedKind, EntryIntoForce, InstrumentKind, Modality, StatusKind};
use casus_syntax::source::{FileId, Span};

pub mod index;
pub mod timeline;

use timeline::Timeline;

/// An interned name: a party, a symbol, a kind of fact, an action or a role.
pub type Sym = u32;

/// The index of an instrument in [`Program::instruments`].
pub type InstId = usize;

/// The names of a program — parties, symbols, kinds of fact, actions, roles — numbered.
pub type Symbols = Interner<Box<str>>;

/// A value in a compiled pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Term {
    /// A constant.
    Const(Sym),
    /// A variable slot of the rule.
    Var(usize),
    /// `_`.
    Any,
}

/// A compiled `name(role: term, ...)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// The kind of fact or the action.
    pub name: Sym,
    /// Role and value, in source order.
    pub args: Vec<(Sym, Term)>,
}

/// A compiled literal, with the source it came from for explanations.
#[derive(Clone, Debug)]
pub struct Lit {
    /// What it tests.
    pub kind: LitKind,
    /// The literal as written.
    pub text: String,
    /// Where it is written.
    pub span: Span,
}

/// What a literal tests.
#[derive(Clone, Debug)]
pub enum LitKind {
    /// A fact holds.
    Fact(Pattern),
    /// A party performs an action.
    Act {
        /// Who.
        actor: Term,
        /// What.
        action: Pattern,
    },
    /// Bound by an instrument that day.
    IsParty {
        /// The party.
        term: Term,
        /// `is not party`.
        negated: bool,
        /// Which instrument.
        instrument: InstId,
    },
    /// Member of a group.
    InGroup {
        /// The member.
        term: Term,
        /// `not in`.
        negated: bool,
        /// The group.
        group: usize,
    },
    /// `=` or `!=`.
    Compare {
        /// Left.
        left: Term,
        /// `!=`.
        negated: bool,
        /// Right.
        right: Term,
    },
    /// No way of making the inner condition hold.
    Not(Vec<Lit>),
}

/// Who bears a compiled norm.
#[derive(Clone, Debug)]
pub enum Bearers {
    /// Every party the instrument binds, named by a variable slot.
    Every {
        /// The slot.
        var: usize,
        /// Those left out.
        except: Vec<Term>,
    },
    /// Every member of a group that the instrument binds.
    Members {
        /// The group.
        group: usize,
        /// Those left out.
        except: Vec<Term>,
    },
    /// One party.
    One(Term),
}

/// A compiled norm rule.
#[derive(Clone, Debug)]
pub struct NormRule {
    /// The instrument.
    pub instrument: InstId,
    /// The article, as an index into the instrument's articles.
    pub article: usize,
    /// The condition, in evaluation order (empty for `always`), without the tests of the
    /// bearer variable.
    pub condition: Vec<Lit>,
    /// The tests that name the bearer variable, checked for each bearer in turn.
    pub bearer_tests: Vec<Lit>,
    /// The names of the variable slots.
    pub vars: Vec<String>,
    /// Who bears the norm.
    pub bearers: Bearers,
    /// Must, must not, may.
    pub modality: Modality,
    /// The action.
    pub action: Pattern,
    /// By when it falls due.
    pub deadline: Option<ast::Deadline>,
    /// What makes the rule's output change, for incremental evaluation.
    pub trigger: Trigger,
    /// The rule as written.
    pub text: String,
    /// Where it is written.
    pub file: FileId,
    /// Its span.
    pub span: Span,
}

/// What a norm rule's output depends on besides the status of instruments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// Nothing: an `always` rule, or a condition of tests only.
    Nothing,
    /// One fact pattern, at this position of the condition; everything else is a test. The
    /// rule's output is the union, over the facts of that kind, of what each one gives.
    Fact(usize, Sym),
    /// One act pattern, likewise.
    Act(usize, Sym),
    /// Several patterns, or a negation: the output is recomputed whenever anything changes.
    Complex,
}

/// A compiled `deem` rule.
#[derive(Clone, Debug)]
pub struct DeemRule {
    /// The fact derived.
    pub head: Pattern,
    /// The delay, when the fact holds some time after its condition.
    pub delay: Option<ast::Duration>,
    /// The condition, in evaluation order.
    pub condition: Vec<Lit>,
    /// For each position of the condition that is a fact or act pattern, the condition with that
    /// pattern first; empty for the other positions.
    pub pinned: Vec<Vec<Lit>>,
    /// The names of the variable slots.
    pub vars: Vec<String>,
    /// The rule as written.
    pub text: String,
    /// Where it is written.
    pub file: FileId,
    /// Its span.
    pub span: Span,
}

/// An article: its number, heading and verbatim text.
#[derive(Clone, Debug)]
pub struct ArticleDef {
    /// The number as the instrument gives it.
    pub id: String,
    /// The heading.
    pub heading: Option<String>,
    /// The verbatim text.
    pub text: Option<String>,
    /// Where it is written.
    pub span: Span,
}

/// The dated steps of one party towards an instrument.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartyStatus {
    /// Signed.
    pub signed: Option<Day>,
    /// Ratified.
    pub ratified: Option<Day>,
    /// Acceded.
    pub acceded: Option<Day>,
    /// Gave notice of withdrawal.
    pub withdrew: Option<Day>,
    /// Suspended its obligations.
    pub suspended: Option<Day>,
    /// Left without notice.
    pub left: Option<Day>,
}

impl PartyStatus {
    /// The date of a step.
    pub fn get(&self, kind: StatusKind) -> Option<Day> {
        match kind {
            StatusKind::Signed => self.signed,
            StatusKind::Ratified => self.ratified,
            StatusKind::Acceded => self.acceded,
            StatusKind::Withdrew => self.withdrew,
            StatusKind::Suspended => self.suspended,
            StatusKind::Left => self.left,
        }
    }

    /// Sets the date of a step.
    pub fn set(&mut self, kind: StatusKind, day: Day) {
        let slot = match kind {
            StatusKind::Signed => &mut self.signed,
            StatusKind::Ratified => &mut self.ratified,
            StatusKind::Acceded => &mut self.acceded,
            StatusKind::Withdrew => &mut self.withdrew,
            StatusKind::Suspended => &mut self.suspended,
            StatusKind::Left => &mut self.left,
        };
        *slot = Some(day);
    }
}

/// A compiled instrument.
#[derive(Clone, Debug)]
pub struct InstrumentDef {
    /// Its id.
    pub id: String,
    /// Treaty, resolution or regime.
    pub kind: InstrumentKind,
    /// Its title.
    pub title: Option<String>,
    /// How it enters into force.
    pub entry: Option<EntryIntoForce>,
    /// How long after notice a withdrawal takes effect.
    pub withdrawal: Option<ast::Duration>,
    /// Exchanged, adopted, terminated, expires.
    pub dated: BTreeMap<DatedKind, Day>,
    /// Status records by party.
    pub records: BTreeMap<Sym, PartyStatus>,
    /// The group whose members it binds, if any.
    pub binds: Option<usize>,
    /// The articles in source order.
    pub articles: Vec<ArticleDef>,
    /// Where it is written.
    pub file: FileId,
    /// Its span.
    pub span: Span,
}

/// A group: a set of parties or symbols.
#[derive(Clone, Debug)]
pub struct GroupDef {
    /// Its name.
    pub name: String,
    /// Its members, as a set of symbol ids.
    pub members: FixedBitSet,
}

impl GroupDef {
    /// Whether `s` is a member.
    pub fn contains(&self, s: Sym) -> bool {
        self.members.contains(s as usize)
    }

    /// The members, in the order of their ids.
    pub fn iter(&self) -> impl Iterator<Item = Sym> + '_ {
        self.members.ones().filter_map(|i| Sym::try_from(i).ok())
    }
}

/// A kind of fact: its roles, and the roles that default to others.
#[derive(Clone, Debug, Default)]
pub struct FactDef {
    /// The roles.
    pub roles: Vec<Sym>,
    /// `(role, from)`: a fact without `role` takes the value of `from`.
    pub defaults: Vec<(Sym, Sym)>,
}

/// An action: its roles, and every action it includes, directly or not.
#[derive(Clone, Debug, Default)]
pub struct ActionDef {
    /// The roles.
    pub roles: Vec<Sym>,
    /// The included actions, transitively closed; a `Term::Var(i)` argument stands for the value
    /// of this action's `i`th role.
    pub includes: Vec<Pattern>,
}

/// A compiled rule set.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// Every name.
    pub symbols: Symbols,
    /// Instruments, sorted by id.
    pub instruments: Vec<InstrumentDef>,
    /// Groups, sorted by name.
    pub groups: Vec<GroupDef>,
    /// Kinds of fact.
    pub facts: HashMap<Sym, FactDef>,
    /// Actions.
    pub actions: HashMap<Sym, ActionDef>,
    /// Parties declared with a name.
    pub party_names: BTreeMap<String, String>,
    /// Norm rules.
    pub rules: Vec<NormRule>,
    /// `deem` rules.
    pub deems: Vec<DeemRule>,
    /// Same-day `deem` rules, stratum by stratum.
    pub strata: Vec<Vec<usize>>,
    /// `(a, b)`: instrument `a` prevails over `b` in a direct conflict. Few instruments rank
    /// over others, so the pairs are listed rather than held as a matrix (10 000 instruments
    /// would make one of 100 MB).
    pub prevails: BTreeSet<(InstId, InstId)>,
    /// For each instrument, the rules whose output depends on its status: its own, and those
    /// that test `is party to` it.
    pub rules_by_instrument: Vec<Vec<usize>>,
    /// The instruments' timelines as the rule files alone fix them, once asked for.
    timelines: std::sync::OnceLock<Vec<Timeline>>,
    /// The evaluator's index of rules, once asked for.
    index: std::sync::OnceLock<index::RuleIndex>,
}

impl Program {
    /// The instrument with this id.
    pub fn instrument(&self, id: &str) -> Option<InstId> {
        self.instruments.binary_search_by(|i| i.id.as_str().cmp(id)).ok()
    }

    /// The group with this name.
    pub fn group(&self, name: &str) -> Option<usize> {
        self.groups.binary_search_by(|g| g.name.as_str().cmp(name)).ok()
    }

    /// The name of a symbol.
    pub fn name(&self, s: Sym) -> &str {
        self.symbols.resolve(s)
    }

    /// The id of an instrument (`""` for an index out of range).
    pub fn instrument_id(&self, i: InstId) -> &str {
        self.instruments.get(i).map_or("", |d| d.id.as_str())
    }

    /// The number of an instrument's article, as the instrument gives it (`8(b)`).
    pub fn article_id(&self, i: InstId, article: usize) -> &str {
        self.instruments.get(i).and_then(|d| d.articles.get(article)).map_or("", |a| a.id.as_str())
    }

    /// The instruments' timelines as the rule files alone fix them: computed when first asked
    /// for and kept, so that evaluations share them and compute again only the timelines of
    /// instruments a scenario changes.
    pub fn timelines(&self) -> &[Timeline] {
        self.timelines.get_or_init(|| {
            let name = |s: Sym| self.symbols.resolve(s).to_string();
            let empty = (BTreeMap::new(), BTreeMap::new());
            (0..self.instruments.len())
                .map(|i| {
                    let def = self.instruments.get(i);
                    let records = def.map_or(&empty.0, |d| &d.records);
                    let dated = def.map_or(&empty.1, |d| &d.dated);
                    timeline::timeline(self, &name, i, records, dated)
                })
                .collect()
        })
    }

    /// How the evaluator finds rules, with the timelines the rule files fix: computed when
    /// first asked for and kept, like the timelines.
    pub fn index(&self) -> &index::RuleIndex {
        self.index.get_or_init(|| index::RuleIndex::new(self, self.timelines()))
    }

    /// Whether instrument `a` prevails over `b`, and not the other way round.
    pub fn prevails(&self, a: InstId, b: InstId) -> bool {
        self.prevails.contains(&(a, b)) && !self.prevails.contains(&(b, a))
    }
}

/// Compiles a rule set that checked without errors.
pub fn compile(files: &[(FileId, &ast::File)]) -> Program {
    let mut c = Compiler { p: Program::default() };
    c.declarations(files);
    for (file, ast) in files {
        for item in &ast.items {
            match item {
                ast::Item::Instrument(i) => c.rules_of(*file, i),
                ast::Item::Deem(d) => c.deem(*file, d),
                _ => {}
            }
        }
    }
    c.precedence(files);
    c.strata();
    c.index_rules();
    c.p
}

/// What a compiled condition's output depends on.
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

struct Compiler {
    p: Program,
}

impl Compiler {
    fn declarations(&mut self, files: &[(FileId, &ast::File)]) {
        let items = || files.iter().flat_map(|(f, a)| a.items.iter().map(move |i| (*f, i)));
        let mut groups: Vec<GroupDef> = items()
            .filter_map(|(_, i)| match i {
                ast::Item::Group(g) => Some(g),
                _ => None,
            })
            .map(|g| GroupDef {
                name: g.name.name.clone(),
                members: {
                    let ids: Vec<usize> =
                        g.members.iter().map(|m| self.p.symbols.intern_ref(m.to_string().as_str()) as usize).collect();
                    let mut set = FixedBitSet::with_capacity(ids.iter().max().map_or(0, |m| m + 1));
                    ids.into_iter().for_each(|i| set.insert(i));
                    set
                },
            })
            .collect();
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        self.p.groups = groups;
        for (_, item) in items() {
            match item {
                ast::Item::Fact(f) => {
                    let name = self.p.symbols.intern_ref(f.name.name.as_str());
                    let roles = f.roles.iter().map(|r| self.p.symbols.intern_ref(r.name.name.as_str())).collect();
                    let defaults = f
                        .roles
                        .iter()
                        .filter_map(|r| {
                            r.default.as_ref().map(|d| {
                                (
                                    self.p.symbols.intern_ref(r.name.name.as_str()),
                                    self.p.symbols.intern_ref(d.name.as_str()),
                                )
                            })
                        })
                        .collect();
                    self.p.facts.insert(name, FactDef { roles, defaults });
                }
                ast::Item::Action(a) => {
                    let name = self.p.symbols.intern_ref(a.name.name.as_str());
                    let roles = a.roles.iter().map(|r| self.p.symbols.intern_ref(r.name.as_str())).collect();
                    // Variables of an `includes` clause are the including action's roles, by position.
                    let mut vars = Vars { names: a.roles.iter().map(|r| crate::check::capitalised(&r.name)).collect() };
                    let includes = a.includes.iter().map(|p| self.pattern(p, &mut vars)).collect();
                    self.p.actions.insert(name, ActionDef { roles, includes });
                }
                ast::Item::Party(d) => {
                    self.p.party_names.insert(d.code.name.clone(), d.name.value.clone());
                }
                _ => {}
            }
        }
        self.close_includes();
        let mut instruments: Vec<InstrumentDef> = items()
            .filter_map(|(f, i)| match i {
                ast::Item::Instrument(i) => Some((f, i)),
                _ => None,
            })
            .map(|(f, i)| self.instrument(f, i))
            .collect();
        instruments.sort_by(|a, b| a.id.cmp(&b.id));
        self.p.instruments = instruments;
    }

    /// Closes `includes` transitively, so that a partial conflict is found at any depth. The
    /// variables of a nested clause, which name the intermediate action's roles, are replaced by
    /// what the outer clause gives those roles.
    fn close_includes(&mut self) {
        let names: Vec<Sym> = self.p.actions.keys().copied().collect();
        for name in names {
            let mut out: Vec<Pattern> = Vec::new();
            let mut stack: Vec<Pattern> = self.p.actions.get(&name).map(|a| a.includes.clone()).unwrap_or_default();
            let mut seen = BTreeSet::new();
            while let Some(p) = stack.pop() {
                if !seen.insert(p.name) {
                    continue;
                }
                if let Some(def) = self.p.actions.get(&p.name) {
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
            if let Some(def) = self.p.actions.get_mut(&name) {
                def.includes = out;
            }
        }
    }

    fn instrument(&mut self, file: FileId, i: &ast::Instrument) -> InstrumentDef {
        let mut def = InstrumentDef {
            id: i.id.name.clone(),
            kind: i.kind,
            title: i.title.as_ref().map(|t| t.value.clone()),
            entry: None,
            withdrawal: None,
            dated: BTreeMap::new(),
            records: BTreeMap::new(),
            binds: None,
            articles: Vec::new(),
            file,
            span: i.span,
        };
        for clause in &i.body {
            match clause {
                ast::Clause::Parties(ps) => {
                    for r in &ps.records {
                        let party = self.p.symbols.intern_ref(r.party.name.as_str());
                        let status = def.records.entry(party).or_default();
                        for s in &r.statuses {
                            if let Some(d) = s.date.civil() {
                                status.set(s.kind, Day::from_date(d));
                            }
                        }
                    }
                }
                ast::Clause::Binds(g, _) => def.binds = self.p.group(&g.name),
                ast::Clause::InForce(e, _) => def.entry = Some(*e),
                ast::Clause::Withdrawal(d, _) => def.withdrawal = Some(*d),
                ast::Clause::Dated(k, d, _) => {
                    if let Some(d) = d.civil() {
                        def.dated.insert(*k, Day::from_date(d));
                    }
                }
                ast::Clause::Article(a) => def.articles.push(ArticleDef {
                    id: a.id.name.clone(),
                    heading: a.heading.as_ref().map(|h| h.value.clone()),
                    text: a.text.as_ref().map(|t| t.value.clone()),
                    span: a.span,
                }),
            }
        }
        def
    }

    fn rules_of(&mut self, file: FileId, i: &ast::Instrument) {
        let Some(inst) = self.p.instrument(&i.id.name) else {
            return;
        };
        for (n, article) in i.articles().enumerate() {
            for rule in &article.rules {
                let mut vars = Vars::default();
                let cond = rule.condition.as_deref().unwrap_or(&[]);
                let condition = self.condition(cond, inst, &mut vars);
                let c = &rule.conclusion;
                let bearers = match &c.bearers {
                    ast::Bearers::EveryParty { var, except } | ast::Bearers::EveryState { var, except } => {
                        let except = except.iter().map(|t| self.term(t, &mut vars)).collect();
                        Bearers::Every { var: vars.slot(&var.name), except }
                    }
                    ast::Bearers::EveryMember { group, except } => Bearers::Members {
                        group: self.p.group(&group.name).unwrap_or(usize::MAX),
                        except: except.iter().map(|t| self.term(t, &mut vars)).collect(),
                    },
                    ast::Bearers::One(t) => Bearers::One(self.term(t, &mut vars)),
                };
                let action = self.pattern(&c.action, &mut vars);
                let (condition, bearer_tests) = match &bearers {
                    Bearers::Every { var, .. } => condition.into_iter().partition(|l| !mentions(l, *var)),
                    _ => (condition, Vec::new()),
                };
                let trigger = trigger(&condition, &bearer_tests);
                self.p.rules.push(NormRule {
                    instrument: inst,
                    article: n,
                    trigger,
                    condition,
                    bearer_tests,
                    vars: vars.names,
                    bearers,
                    modality: c.modality,
                    action,
                    deadline: c.deadline,
                    text: rule.to_string(),
                    file,
                    span: rule.span,
                });
            }
        }
    }

    fn deem(&mut self, file: FileId, d: &ast::Deem) {
        let mut vars = Vars::default();
        let condition = self.condition(&d.condition, usize::MAX, &mut vars);
        let head = self.pattern(&d.head, &mut vars);
        let delay = d.delay.filter(|x| x.amount > 0);
        let text = format!(
            "deem {}{} if {}",
            d.head,
            d.delay.map(|x| format!(" after {x}")).unwrap_or_default(),
            casus_syntax::format::conjunction(&d.condition)
        );
        // For each pattern, the condition with that pattern first, for solving from one new fact
        // or act (a semi-naive step): the pinned pattern then binds its variables before the
        // other patterns are searched. Only rules without negation are solved so (the evaluator
        // takes that path only then), so moving a pattern first cannot change which variables
        // are local to a `not`.
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
        self.p.deems.push(DeemRule { head, delay, condition, pinned, vars: vars.names, text, file, span: d.span });
    }

    /// Compiles a conjunction in an order in which every test and negation comes after the
    /// patterns that bind its variables, keeping the written order otherwise.
    fn condition(&mut self, lits: &[ast::Literal], inst: InstId, vars: &mut Vars) -> Vec<Lit> {
        let binds = |l: &ast::Literal| matches!(l.kind, ast::LiteralKind::Fact(_) | ast::LiteralKind::Act { .. });
        // Variables bound by patterns at this level; everything else in a test must wait for them.
        let mut outer = BTreeSet::new();
        for l in lits.iter().filter(|l| binds(l)) {
            pattern_vars(l, &mut outer);
        }
        let mut bound: BTreeSet<String> = vars.names.iter().cloned().collect();
        let mut pending: Vec<&ast::Literal> = Vec::new();
        let mut out = Vec::new();
        for l in lits {
            pending.push(l);
            loop {
                let ready = pending.iter().position(|p| {
                    binds(p) || {
                        let mut needed = BTreeSet::new();
                        literal_vars(p, &mut needed);
                        needed.iter().filter(|v| outer.contains(*v) || bound.contains(*v)).all(|v| bound.contains(v))
                    }
                });
                let Some(at) = ready else { break };
                let lit = pending.remove(at);
                if binds(lit) {
                    pattern_vars(lit, &mut bound);
                }
                out.push(self.literal(lit, inst, vars));
            }
        }
        // The checker has made sure every test's variables are bound somewhere.
        for lit in pending {
            out.push(self.literal(lit, inst, vars));
        }
        out
    }

    fn literal(&mut self, l: &ast::Literal, inst: InstId, vars: &mut Vars) -> Lit {
        let kind = match &l.kind {
            ast::LiteralKind::Fact(p) => LitKind::Fact(self.pattern(p, vars)),
            ast::LiteralKind::Act { actor, action } => {
                LitKind::Act { actor: self.term(actor, vars), action: self.pattern(action, vars) }
            }
            ast::LiteralKind::IsParty { term, negated, instrument } => LitKind::IsParty {
                term: self.term(term, vars),
                negated: *negated,
                instrument: instrument.as_ref().and_then(|i| self.p.instrument(&i.name)).unwrap_or(inst),
            },
            ast::LiteralKind::InGroup { term, negated, group } => LitKind::InGroup {
                term: self.term(term, vars),
                negated: *negated,
                group: self.p.group(&group.name).unwrap_or(usize::MAX),
            },
            ast::LiteralKind::Compare { left, negated, right } => {
                LitKind::Compare { left: self.term(left, vars), negated: *negated, right: self.term(right, vars) }
            }
            ast::LiteralKind::Not(inner) => LitKind::Not(self.condition(inner, inst, vars)),
        };
        Lit { kind, text: l.to_string(), span: l.span }
    }

    fn pattern(&mut self, p: &ast::Pattern, vars: &mut Vars) -> Pattern {
        Pattern {
            name: self.p.symbols.intern_ref(p.name.name.as_str()),
            args: p
                .args
                .iter()
                .map(|a| (self.p.symbols.intern_ref(a.role.name.as_str()), self.term(&a.value, vars)))
                .collect(),
        }
    }

    fn term(&mut self, t: &ast::Term, vars: &mut Vars) -> Term {
        match t {
            ast::Term::Var(v) => Term::Var(vars.slot(&v.name)),
            ast::Term::Party(c) | ast::Term::Symbol(c) => Term::Const(self.p.symbols.intern_ref(c.name.as_str())),
            ast::Term::Wildcard(_) => Term::Any,
        }
    }

    fn precedence(&mut self, files: &[(FileId, &ast::File)]) {
        let n = self.p.instruments.len();
        let mut prevails = BTreeSet::new();
        for (_, ast) in files {
            for item in &ast.items {
                let ast::Item::Precedence(p) = item else {
                    continue;
                };
                let matching = |globs: &[ast::Ident]| -> Vec<usize> {
                    (0..n)
                        .filter(|&i| {
                            self.p
                                .instruments
                                .get(i)
                                .is_some_and(|inst| globs.iter().any(|g| glob_match(&g.name, &inst.id)))
                        })
                        .collect()
                };
                let winners = matching(&p.winners);
                let losers = matching(&p.losers);
                for &w in &winners {
                    for &l in &losers {
                        // `un_charter, unsc_* over *` does not make an instrument prevail over
                        // itself or over the other winners.
                        if w != l && !winners.contains(&l) {
                            prevails.insert((w, l));
                        }
                    }
                }
            }
        }
        self.p.prevails = prevails;
    }

    fn index_rules(&mut self) {
        let mut by_inst = vec![Vec::new(); self.p.instruments.len()];
        for (r, rule) in self.p.rules.iter().enumerate() {
            let mut insts = vec![rule.instrument];
            for lit in rule.condition.iter().chain(&rule.bearer_tests) {
                lit_instruments(lit, &mut insts);
            }
            insts.sort_unstable();
            insts.dedup();
            for i in insts {
                if let Some(list) = by_inst.get_mut(i) {
                    list.push(r);
                }
            }
        }
        self.p.rules_by_instrument = by_inst;
    }

    /// Puts same-day `deem` rules in strata: a rule comes after every rule that derives a kind
    /// it reads, and strictly after one that derives a kind it negates.
    fn strata(&mut self) {
        let same_day: Vec<usize> =
            (0..self.p.deems.len()).filter(|&i| self.p.deems.get(i).is_some_and(|d| d.delay.is_none())).collect();
        // Every kind a same-day rule derives starts at level 0, so that a rule negating one
        // comes after it even when it is read first; a kind none derives is complete before
        // any stratum and orders nothing.
        let mut level: HashMap<Sym, usize> =
            same_day.iter().filter_map(|&i| self.p.deems.get(i)).map(|d| (d.head.name, 0)).collect();
        let limit = same_day.len() + 1;
        for _ in 0..limit {
            let mut changed = false;
            for &i in &same_day {
                let Some(d) = self.p.deems.get(i) else {
                    continue;
                };
                let mut reads = Vec::new();
                lit_kinds(&d.condition, false, &mut reads);
                let need =
                    reads.iter().map(|(k, neg)| level.get(k).map_or(0, |l| l + usize::from(*neg))).max().unwrap_or(0);
                let entry = level.entry(d.head.name).or_insert(0);
                if need > *entry && need < limit {
                    *entry = need;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let mut strata: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &i in &same_day {
            if let Some(d) = self.p.deems.get(i) {
                strata.entry(level.get(&d.head.name).copied().unwrap_or(0)).or_default().push(i);
            }
        }
        self.p.strata = strata.into_values().collect();
    }
}

/// The variable slots of one rule.
#[derive(Default)]
struct Vars {
    names: Vec<String>,
}

impl Vars {
    fn slot(&mut self, name: &str) -> usize {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return i;
        }
        self.names.push(name.to_string());
        self.names.len() - 1
    }
}

fn pattern_vars(l: &ast::Literal, out: &mut BTreeSet<String>) {
    let mut add = |t: &ast::Term| {
        if let ast::Term::Var(v) = t {
            out.insert(v.name.clone());
        }
    };
    match &l.kind {
        ast::LiteralKind::Fact(p) => p.args.iter().for_each(|a| add(&a.value)),
        ast::LiteralKind::Act { actor, action } => {
            add(actor);
            action.args.iter().for_each(|a| add(&a.value));
        }
        _ => {}
    }
}

fn literal_vars(l: &ast::Literal, out: &mut BTreeSet<String>) {
    let mut add = |t: &ast::Term| {
        if let ast::Term::Var(v) = t {
            out.insert(v.name.clone());
        }
    };
    match &l.kind {
        ast::LiteralKind::IsParty { term, .. } | ast::LiteralKind::InGroup { term, .. } => add(term),
        ast::LiteralKind::Compare { left, right, .. } => {
            add(left);
            add(right);
        }
        ast::LiteralKind::Not(inner) => inner.iter().for_each(|i| {
            literal_vars(i, out);
            pattern_vars(i, out);
        }),
        _ => pattern_vars(l, out),
    }
}

/// The kinds of fact a compiled condition reads, with whether under `not`.
pub fn lit_kinds(lits: &[Lit], negated: bool, out: &mut Vec<(Sym, bool)>) {
    for l in lits {
        match &l.kind {
            LitKind::Fact(p) => out.push((p.name, negated)),
            LitKind::Not(inner) => lit_kinds(inner, true, out),
            _ => {}
        }
    }
}

/// Whether a compiled literal names variable slot `var`.
fn mentions(lit: &Lit, var: usize) -> bool {
    let is = |t: &Term| *t == Term::Var(var);
    match &lit.kind {
        LitKind::Fact(p) => p.args.iter().any(|(_, t)| is(t)),
        LitKind::Act { actor, action } => is(actor) || action.args.iter().any(|(_, t)| is(t)),
        LitKind::IsParty { term, .. } | LitKind::InGroup { term, .. } => is(term),
        LitKind::Compare { left, right, .. } => is(left) || is(right),
        LitKind::Not(inner) => inner.iter().any(|l| mentions(l, var)),
    }
}

/// The instruments a literal tests with `is party to`.
fn lit_instruments(lit: &Lit, out: &mut Vec<InstId>) {
    match &lit.kind {
        LitKind::IsParty { instrument, .. } => out.push(*instrument),
        LitKind::Not(inner) => inner.iter().for_each(|l| lit_instruments(l, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use casus_syntax::source::Sources;

    use super::*;

    fn program(text: &str) -> Program {
        let mut sources = Sources::new();
        sources.add("rules.casus", text);
        let set = crate::load_rules(&sources);
        assert!(!set.has_errors(), "{:?}", set.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>());
        let asts: Vec<(FileId, &ast::File)> = set.files.iter().map(|(id, p)| (*id, &p.file)).collect();
        compile(&asts)
    }

    /// The stratum of the same-day rule deriving `kind`.
    fn stratum(p: &Program, kind: &str) -> usize {
        let kind = p.symbols.get(kind).unwrap();
        let rule = p.deems.iter().position(|d| d.head.name == kind && d.delay.is_none()).unwrap();
        p.strata.iter().position(|s| s.contains(&rule)).unwrap()
    }

    /// DESIGN §3: a `deem` that negates a kind is applied after every rule deriving that kind,
    /// wherever the rules are written; written first, it was once put in the same stratum.
    #[test]
    fn a_rule_negating_a_kind_comes_after_the_rules_deriving_it_in_either_order() {
        let vocabulary = "fact attack(by, on)\nfact tension(by, on)\naction help(ally, against)\n";
        let attack = "deem attack(by: P, on: A) if P performs help(ally: V, against: A) and attack(by: A, on: V)\n";
        let tension = "deem tension(by: V, on: A) if attack(by: A, on: V) and not attack(by: V, on: A)\n";
        let delayed = "deem tension(by: A, on: V) after 1 day if attack(by: A, on: V)\n";
        for text in [
            format!("{vocabulary}{attack}{delayed}{tension}"),
            format!("{vocabulary}{delayed}{tension}{attack}"),
            format!("{vocabulary}{tension}{attack}"),
        ] {
            let p = program(&text);
            assert!(stratum(&p, "tension") > stratum(&p, "attack"), "{:?} for\n{text}", p.strata);
        }
    }
}
