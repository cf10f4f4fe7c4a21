//! The compiled program: a resolved rule set, planned and indexed for evaluation.
//!
//! The checker has made every name a number (a [`Sym`], an [`InstId`], a [`GroupId`]) and every
//! variable a slot, and put the `deem` rules in strata. Compiling ([`compile`]) plans the rest:
//! every condition is put in an order in which each test finds its variables bound, the tests of
//! the bearer are set apart, each rule says what triggers it, and `includes` relations are closed
//! transitively.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap as HashMap;

use fixedbitset::FixedBitSet;

use crate::calendar::{Day, Interval};
use crate::intern::Interner;
use casus_syntax::ast::{self, DatedKind, InstrumentKind, Modality, StatusKind};
use casus_syntax::source::{FileId, Span};

mod compile;
pub(crate) mod index;
pub mod natural;
mod resolved;
pub(crate) mod show;
pub mod timeline;

pub use compile::compile;
pub use resolved::Resolved;
pub(crate) use resolved::{DeemDef, RuleDef};
use timeline::{Bounds, Timeline};

/// An interned name: a party, a symbol, a kind of fact, an action or a role.
pub type Sym = u32;

/// The index of an instrument in [`Program::instruments`].
pub type InstId = usize;

/// The index of a group in [`Program::groups`].
pub type GroupId = usize;

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
    /// In a condition's pattern, a constant that names a category: it matches the category
    /// itself and every item and category within it.
    Within(Sym),
}

/// A compiled `name(role: term, ...)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// The kind of fact or the action.
    pub name: Sym,
    /// Role and value, in source order.
    pub args: Vec<(Sym, Term)>,
}

/// A compiled literal, with where it is written.
#[derive(Clone, Debug)]
pub struct Lit {
    /// What it tests.
    pub kind: LitKind,
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
        /// Whether the literal names it (`is party to X`), rather than meaning its own.
        named: bool,
    },
    /// Member of a group.
    InGroup {
        /// The member.
        term: Term,
        /// `not in`.
        negated: bool,
        /// The group.
        group: GroupId,
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
    /// A place is a state's territory, or administered by it, that day: `territory(place: L,
    /// of: S)`, `administered(place: L, by: S)`. Binds its variables, like a pattern.
    Place {
        /// Which relation.
        relation: Relation,
        /// The place.
        place: Term,
        /// The state.
        state: Term,
    },
    /// No way of making the inner condition hold.
    Not(Vec<Lit>),
}

/// The relations between places and states that place declarations fix, over time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Relation {
    /// `territory(place, of)`: the state whose territory the place is (its sovereign).
    Territory,
    /// `administered(place, by)`: the state that administers the place.
    Administered,
}

impl Relation {
    /// The relation a kind of fact's name stands for, if it is one.
    pub fn named(name: &str) -> Option<Relation> {
        match name {
            "territory" => Some(Relation::Territory),
            "administered" => Some(Relation::Administered),
            _ => None,
        }
    }

    /// Its name, as rules write it.
    pub fn name(self) -> &'static str {
        match self {
            Relation::Territory => "territory",
            Relation::Administered => "administered",
        }
    }

    /// Its two roles: the place's, then the state's.
    pub fn roles(self) -> [&'static str; 2] {
        match self {
            Relation::Territory => ["place", "of"],
            Relation::Administered => ["place", "by"],
        }
    }

    /// What it says when no state holds a place so: `no state administers it`.
    pub fn none_words(self) -> &'static str {
        match self {
            Relation::Territory => "no state holds it as its territory",
            Relation::Administered => "no state administers it",
        }
    }

    /// In words, with a place and a state: `okinawa is territory of JPN`.
    pub fn words(self) -> &'static str {
        match self {
            Relation::Territory => "territory of",
            Relation::Administered => "administered by",
        }
    }
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
        group: GroupId,
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
    /// For a rule of a party's reservation, understanding or declaration: which, as an index
    /// into the instrument's reservations.
    pub reservation: Option<usize>,
    /// The parties whose reservations to the article take the place of this rule for them.
    pub excluded: Vec<Sym>,
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
    pub deadline: Option<Deadline>,
    /// A prohibition's cap, if it has one.
    pub cap: Option<Cap>,
    /// What makes the rule's output change, for incremental evaluation.
    pub trigger: Trigger,
    /// Whether it reads what changes on days of its own: where places lie and who holds them, or
    /// a group whose members change. Such a rule is computed afresh on those days.
    pub reads_world: bool,
    /// The rule as written, in the canonical layout.
    pub text: String,
    /// Its bearers as written: `every party P other than V`.
    pub bearers_text: String,
    /// The file it is written in.
    pub file: FileId,
    /// Where.
    pub span: Span,
}

/// A prohibition's cap: what may be supplied over a period before it is broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cap {
    /// The amount allowed.
    pub amount: u64,
    /// Its unit.
    pub unit: Sym,
    /// The same cap in another unit (`or 525_000 tonnes`), both amounts above zero: an amount
    /// given only in that unit counts as `amount / or.0` of the cap's unit for each of its own.
    pub or: Option<(u64, Sym)>,
    /// The periods over which amounts are summed.
    pub period: CapPeriod,
    /// Whether every bearer's acts count towards one total.
    pub aggregate: bool,
}

/// The periods over which a cap sums amounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapPeriod {
    /// Consecutive periods of a length, the first from a day; before it nothing is allowed.
    Fixed {
        /// Each period's length.
        length: ast::Duration,
        /// The first period's first day.
        from: Day,
    },
    /// Every period of a length ending on each day.
    Rolling(ast::Duration),
    /// All time.
    Total,
}

/// By when an obligation falls due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deadline {
    /// `without delay`, `immediately`: on the day it arises.
    Immediately,
    /// `within N UNIT` of the day it arises.
    Within(ast::Duration),
    /// `by DATE`.
    By(Day),
    /// `forthwith`: at once, by means the party chooses; never broken by time alone.
    Forthwith,
}

/// How an instrument enters into force.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// For each party, on its signature.
    OnSignature,
    /// On the date ratifications are exchanged.
    OnExchange,
    /// On the date the resolution is adopted.
    OnAdoption,
    /// On a fixed date.
    OnDate(Day),
    /// Some time after the Kth ratification or accession.
    AfterRatifications {
        /// The delay.
        delay: ast::Duration,
        /// K.
        count: u32,
    },
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
    /// Whether it reads what changes on days of its own (places, groups whose members change).
    pub reads_world: bool,
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
    pub entry: Option<Entry>,
    /// How long after notice a withdrawal takes effect.
    pub withdrawal: Option<ast::Duration>,
    /// Whether no party can leave alone (`withdrawal by agreement only`): a notice has no effect.
    pub no_withdrawal: bool,
    /// Exchanged, adopted, terminated, expires, reapplied.
    pub dated: BTreeMap<DatedKind, Day>,
    /// Status records by party.
    pub records: BTreeMap<Sym, PartyStatus>,
    /// The group whose members it binds, if any.
    pub binds: Option<GroupId>,
    /// The articles in source order.
    pub articles: Vec<ArticleDef>,
    /// The reservations, understandings and declarations of its parties, in source order.
    pub reservations: Vec<ReservationDef>,
    /// Where it is written.
    pub file: FileId,
    /// Its span.
    pub span: Span,
}

/// A party's reservation, understanding or declaration to an article.
#[derive(Clone, Debug)]
pub struct ReservationDef {
    /// Reservation, understanding or declaration.
    pub kind: ast::ReservationKind,
    /// The party that made it.
    pub party: Sym,
    /// The article, as an index into the instrument's articles.
    pub article: usize,
    /// Its title.
    pub title: Option<String>,
    /// Its verbatim text.
    pub text: Option<String>,
    /// Where it is written.
    pub span: Span,
}

/// A group: a set of parties or symbols, some of them members only for a time.
#[derive(Clone, Debug)]
pub struct GroupDef {
    /// Its name.
    pub name: String,
    /// A category of items (`category`): its members are items and the categories it lists.
    pub category: bool,
    /// Every symbol that is ever a member, as a set of symbol ids.
    pub members: FixedBitSet,
    /// The members that are members only for a time, with when, sorted: the others always are.
    pub dated: BTreeMap<Sym, Vec<Interval>>,
}

impl GroupDef {
    /// Whether `s` is ever a member.
    pub fn contains(&self, s: Sym) -> bool {
        self.members.contains(s as usize)
    }

    /// Whether `s` is a member on `day`.
    pub fn contains_on(&self, s: Sym, day: Day) -> bool {
        self.contains(s) && self.dated.get(&s).is_none_or(|runs| runs.iter().any(|r| r.contains(day)))
    }

    /// When `s` is a member: always, some runs of days, or never (empty).
    pub fn membership(&self, s: Sym) -> Vec<Interval> {
        if !self.contains(s) {
            return Vec::new();
        }
        self.dated.get(&s).cloned().unwrap_or_else(|| vec![Interval::always()])
    }

    /// The members ever, in the order of their ids.
    pub fn iter(&self) -> impl Iterator<Item = Sym> + '_ {
        self.members.ones().filter_map(|i| Sym::try_from(i).ok())
    }
}

/// The categories of items (`category arms = [...]`), each with every item and category within
/// it, for matching a value against a category's name.
#[derive(Clone, Debug, Default)]
pub struct Categories {
    within: HashMap<Sym, FixedBitSet>,
}

impl Categories {
    /// The categories among the groups.
    pub fn new(groups: &[GroupDef], symbols: &Symbols) -> Categories {
        let within = groups
            .iter()
            .filter(|g| g.category)
            .filter_map(|g| Some((symbols.get(g.name.as_str())?, g.members.clone())))
            .collect();
        Categories { within }
    }

    /// Categories from their names and the values within them.
    pub fn from_lists(lists: impl IntoIterator<Item = (Sym, Vec<Sym>)>) -> Categories {
        let within = lists
            .into_iter()
            .map(|(name, values)| {
                let mut set = FixedBitSet::with_capacity(values.iter().max().map_or(0, |m| *m as usize + 1));
                values.into_iter().for_each(|v| set.insert(v as usize));
                (name, set)
            })
            .collect();
        Categories { within }
    }

    /// The names of the categories and of every item and category within them, sorted.
    pub fn names<'a>(&self, symbols: &'a Symbols) -> Vec<&'a str> {
        let mut out: Vec<&str> = self
            .within
            .iter()
            .flat_map(|(c, m)| std::iter::once(*c as usize).chain(m.ones()))
            .filter_map(|s| symbols.value(u32::try_from(s).ok()?).map(|n| &**n))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether the rules declare no category.
    pub fn is_empty(&self) -> bool {
        self.within.is_empty()
    }

    /// Whether `name` names a category.
    #[inline]
    pub fn is_category(&self, name: Sym) -> bool {
        !self.within.is_empty() && self.within.contains_key(&name)
    }

    /// Whether value `v` is within `name`: `name` itself, or, when `name` is a category, an item
    /// or category it lists, at any depth. A shipment of `artillery_shells` is one of `arms`.
    #[inline]
    pub fn within(&self, v: Sym, name: Sym) -> bool {
        v == name || (!self.within.is_empty() && self.within.get(&name).is_some_and(|m| m.contains(v as usize)))
    }

    /// Whether two values have something within both: the same value, one within the other,
    /// or two categories that list a common item. A duty to supply `arms` and a ban on supplying
    /// `missiles` bear on the same shipments.
    pub fn overlap(&self, a: Sym, b: Sym) -> bool {
        if a == b {
            return true;
        }
        if self.within.is_empty() {
            return false;
        }
        if self.within(a, b) || self.within(b, a) {
            return true;
        }
        match (self.within.get(&a), self.within.get(&b)) {
            (Some(x), Some(y)) => !x.is_disjoint(y),
            _ => false,
        }
    }
}

/// A place declared in the rules: whose territory it is, who administers it, over time. The
/// areas it lies in are the groups it is a member of.
#[derive(Clone, Debug)]
pub struct PlaceDef {
    /// Its name.
    pub name: String,
    /// What it is called.
    pub title: Option<String>,
    /// The states whose territory it is, with when.
    pub territory: Vec<(Sym, Interval)>,
    /// The states that administer it, with when.
    pub administered: Vec<(Sym, Interval)>,
    /// Where it is declared.
    pub file: FileId,
    /// Its span.
    pub span: Span,
}

impl PlaceDef {
    /// The states a place is in `relation` with, and when.
    pub fn related(&self, relation: Relation) -> &[(Sym, Interval)] {
        match relation {
            Relation::Territory => &self.territory,
            Relation::Administered => &self.administered,
        }
    }
}

/// A party the rules declare: its name, when it exists under this code, and what follows it.
#[derive(Clone, Debug, Default)]
pub struct PartyDef {
    /// Its name.
    pub name: String,
    /// When the state exists under this code: always, unless declared.
    pub period: Option<Interval>,
    /// The codes of the states that follow it.
    pub successors: Vec<String>,
    /// The codes of the states it follows.
    pub predecessors: Vec<String>,
    /// For a code written otherwise in this library, the code to write.
    pub alias: Option<String>,
}

/// A kind of fact: its roles, and the roles that default to others.
#[derive(Clone, Debug, Default)]
pub struct FactDef {
    /// The roles.
    pub roles: Vec<Sym>,
    /// `(role, from)`: a fact without `role` takes the value of `from`.
    pub defaults: Vec<(Sym, Sym)>,
    /// `(role, value)`: a fact without `role` takes this value.
    pub fixed: Vec<(Sym, Sym)>,
}

/// An action: its roles, every action it includes, directly or not, and the actions that fulfil
/// a duty to perform it.
#[derive(Clone, Debug, Default)]
pub struct ActionDef {
    /// The roles.
    pub roles: Vec<Sym>,
    /// The included actions, transitively closed; a `Term::Var(i)` argument stands for the value
    /// of this action's `i`th role.
    pub includes: Vec<Pattern>,
    /// The other actions whose performance fulfils a duty to perform this one, with arguments
    /// as in `includes`.
    pub fulfilled_by: Vec<Pattern>,
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
    /// The parties the rules declare, by code. When there are none, every code the rules write
    /// stands for a party.
    pub parties: BTreeMap<String, PartyDef>,
    /// The places the rules declare, by name.
    pub places: BTreeMap<Sym, PlaceDef>,
    /// The days on which a place changes hands or a dated group changes members, sorted.
    pub world_changes: Vec<Day>,
    /// The categories of items, by name.
    pub categories: Categories,
    /// The units amounts are given in, with what each measures.
    pub units: BTreeMap<Sym, Option<String>>,
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
    /// The same, laid out flat for look-ups, once asked for.
    bounds: std::sync::OnceLock<Bounds>,
    /// The evaluator's index of rules, once asked for.
    index: std::sync::OnceLock<index::RuleIndex>,
}

impl Program {
    /// The instrument with this id.
    pub fn instrument(&self, id: &str) -> Option<InstId> {
        self.instruments.binary_search_by(|i| i.id.as_str().cmp(id)).ok()
    }

    /// The group with this name.
    pub fn group(&self, name: &str) -> Option<GroupId> {
        self.groups.binary_search_by(|g| g.name.as_str().cmp(name)).ok()
    }

    /// The name of a symbol.
    pub fn name(&self, s: Sym) -> &str {
        self.symbols.resolve(s)
    }

    /// Norm rule `r` of this program.
    pub fn rule(&self, r: usize) -> &NormRule {
        // PANIC SAFETY: rule numbers come from this program's own lists and indexes.
        &self.rules[r]
    }

    /// `deem` rule `r` of this program.
    pub fn deem(&self, r: usize) -> &DeemRule {
        // PANIC SAFETY: rule numbers come from this program's own lists and strata.
        &self.deems[r]
    }

    /// Instrument `i` of this program.
    pub fn instrument_def(&self, i: InstId) -> &InstrumentDef {
        // PANIC SAFETY: instrument numbers come from this program, which numbers its own.
        &self.instruments[i]
    }

    /// Group `g` of this program.
    pub fn group_def(&self, g: GroupId) -> &GroupDef {
        // PANIC SAFETY: group numbers come from the checker, which numbers the groups it keeps.
        &self.groups[g]
    }

    /// The id of an instrument of this program.
    pub fn instrument_id(&self, i: InstId) -> &str {
        // PANIC SAFETY: instrument numbers come from this program, which numbers its own.
        &self.instrument_def(i).id
    }

    /// The number of an instrument's article, as the instrument gives it (`8(b)`).
    pub fn article_id(&self, i: InstId, article: usize) -> &str {
        // PANIC SAFETY: article numbers come from this program's rules, which number their own.
        &self.instrument_def(i).articles[article].id
    }

    /// The instruments' timelines as the rule files alone fix them: computed when first asked
    /// for and kept, so that evaluations share them and compute again only the timelines of
    /// instruments a scenario changes.
    pub fn timelines(&self) -> &[Timeline] {
        self.timelines.get_or_init(|| {
            let name = |s: Sym| self.symbols.resolve(s).to_string();
            self.instruments
                .iter()
                .enumerate()
                .map(|(i, def)| timeline::timeline(self, &name, i, &def.records, &def.dated))
                .collect()
        })
    }

    /// Whom the instruments bind on which days and when they are in force, as the rule files
    /// alone fix them, laid out flat for look-ups: computed when first asked for and kept, like
    /// the timelines.
    pub(crate) fn bounds(&self) -> &Bounds {
        self.bounds.get_or_init(|| Bounds::of(self.timelines()))
    }

    /// How the evaluator finds rules, with the timelines the rule files fix: computed when
    /// first asked for and kept, like the timelines.
    pub(crate) fn index(&self) -> &index::RuleIndex {
        self.index.get_or_init(|| index::RuleIndex::new(self, self.timelines()))
    }

    /// Whether a code names a party: a declared one, or any code when the rules declare none.
    pub fn is_party_code(&self, name: &str) -> bool {
        looks_like_code(name) && (self.parties.is_empty() || self.parties.contains_key(name))
    }

    /// The states a place is in `relation` with on `day`. A party's code is a place too, its
    /// metropolitan territory, which it holds and administers at all times.
    pub fn related(&self, place: Sym, relation: Relation, day: Day) -> impl Iterator<Item = Sym> + '_ {
        // A name only a scenario uses is neither a declared place nor a declared party.
        let name = self.symbols.value(place).map_or("", |n| &**n);
        let own = self.is_party_code(name).then_some(place);
        let declared = self.places.get(&place).map(|p| p.related(relation)).unwrap_or_default();
        own.into_iter().chain(declared.iter().filter(move |(_, w)| w.contains(day)).map(|(s, _)| *s))
    }

    /// Whether instrument `a` prevails over `b`, and not the other way round.
    pub fn prevails(&self, a: InstId, b: InstId) -> bool {
        self.prevails.contains(&(a, b)) && !self.prevails.contains(&(b, a))
    }
}

impl Lit {
    /// Calls `f` with this literal and, inside a `not`, every literal it holds, each with whether
    /// it is read under `not`.
    pub fn visit<'a>(&'a self, negated: bool, f: &mut impl FnMut(&'a Lit, bool)) {
        f(self, negated);
        if let LitKind::Not(inner) = &self.kind {
            inner.iter().for_each(|l| l.visit(true, f));
        }
    }

    /// The terms this literal itself matches or tests, in the order written; those inside a
    /// `not` are its inner literals' own.
    pub fn terms(&self) -> impl Iterator<Item = Term> + '_ {
        let (first, second, args): (Option<Term>, Option<Term>, &[(Sym, Term)]) = match &self.kind {
            LitKind::Fact(p) => (None, None, &p.args),
            LitKind::Act { actor, action } => (Some(*actor), None, &action.args),
            LitKind::IsParty { term, .. } | LitKind::InGroup { term, .. } => (Some(*term), None, &[]),
            LitKind::Compare { left, right, .. } => (Some(*left), Some(*right), &[]),
            LitKind::Place { place, state, .. } => (Some(*place), Some(*state), &[]),
            LitKind::Not(_) => (None, None, &[]),
        };
        first.into_iter().chain(second).chain(args.iter().map(|(_, t)| *t))
    }

    /// Whether this literal, or one inside it, names variable slot `var`.
    pub fn mentions(&self, var: usize) -> bool {
        let mut found = false;
        self.visit(false, &mut |l, _| found |= l.terms().any(|t| t == Term::Var(var)));
        found
    }
}

/// `assist(ally: RUS, against: UKR)`, with the arguments in the order given.
pub fn action_text<'a>(action: &str, args: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let a: Vec<String> = args.into_iter().map(|(r, v)| format!("{r}: {v}")).collect();
    if a.is_empty() { action.to_string() } else { format!("{action}({})", a.join(", ")) }
}

/// Whether a name is written as a party code is: two or more capital letters (`PRK`), as the rule
/// language reads a term.
pub fn looks_like_code(name: &str) -> bool {
    name.len() >= 2 && name.bytes().all(|b| b.is_ascii_uppercase())
}

/// The kinds of fact a condition reads, with whether under `not`.
pub fn lit_kinds(lits: &[Lit]) -> Vec<(Sym, bool)> {
    let mut out = Vec::new();
    for l in lits {
        l.visit(false, &mut |l, negated| {
            if let LitKind::Fact(p) = &l.kind {
                out.push((p.name, negated));
            }
        });
    }
    out
}
