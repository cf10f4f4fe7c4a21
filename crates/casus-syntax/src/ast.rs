//! The syntax tree of a `.casus` file.
//!
//! Every node carries the [`Span`] it was parsed from; spans compare equal, so two trees are
//! equal when they say the same thing, however they were laid out.

use crate::source::Span;

/// A parsed rule file: its items in source order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct File {
    /// The top-level items.
    pub items: Vec<Item>,
}

/// A top-level item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// `treaty`, `resolution` or `regime`.
    Instrument(Instrument),
    /// `group NAME = [...]`.
    Group(Group),
    /// `fact KIND(role, ...)`: a kind of fact and its roles.
    Fact(FactDecl),
    /// `action NAME(role, ...) [includes ...]`.
    Action(ActionDecl),
    /// `party CODE "name" ...`: a state or other party, its period and its successors.
    Party(PartyDecl),
    /// `place NAME "name" { ... }`: a place, whose territory it is, who administers it and the
    /// areas it lies in, over time.
    Place(PlaceDecl),
    /// `unit NAME "title"`.
    Unit(UnitDecl),
    /// `deem FACT [after N days] if CONDITION`.
    Deem(Deem),
    /// `precedence X, Y over Z`.
    Precedence(Precedence),
}

impl Item {
    /// Where the item is.
    pub fn span(&self) -> Span {
        match self {
            Item::Instrument(i) => i.span,
            Item::Group(g) => g.span,
            Item::Fact(f) => f.span,
            Item::Action(a) => a.span,
            Item::Party(p) => p.span,
            Item::Place(p) => p.span,
            Item::Unit(u) => u.span,
            Item::Deem(d) => d.span,
            Item::Precedence(p) => p.span,
        }
    }
}

/// A name as written, with its place.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A string literal, unescaped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Str {
    /// The value, with escapes resolved; line breaks and indentation inside are kept.
    pub value: String,
    /// Where the literal is, quotes included.
    pub span: Span,
}

/// A calendar date as written: `YYYY-MM-DD`. It may name a day that does not exist; the checker
/// says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date {
    /// The year.
    pub year: i16,
    /// The month, 1–12 when valid.
    pub month: i8,
    /// The day of the month, 1–31 when valid.
    pub day: i8,
    /// Where it is written.
    pub span: Span,
}

impl Date {
    /// The day this date names, or `None` when there is no such day.
    pub fn civil(&self) -> Option<jiff::civil::Date> {
        jiff::civil::Date::new(self.year, self.month, self.day).ok()
    }
}

/// The label of an instrument: all three kinds share one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InstrumentKind {
    /// A treaty between states.
    Treaty,
    /// A Security Council resolution.
    Resolution,
    /// A unilateral sanctions regime.
    Regime,
}

impl InstrumentKind {
    /// The keyword that introduces it.
    pub fn keyword(self) -> &'static str {
        match self {
            InstrumentKind::Treaty => "treaty",
            InstrumentKind::Resolution => "resolution",
            InstrumentKind::Regime => "regime",
        }
    }
}

/// A treaty, resolution or regime.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instrument {
    /// Which kind.
    pub kind: InstrumentKind,
    /// Its id, such as `kp_ru_2024`.
    pub id: Ident,
    /// Its full title.
    pub title: Option<Str>,
    /// The clauses and articles, in source order.
    pub body: Vec<Clause>,
    /// The whole block.
    pub span: Span,
}

impl Instrument {
    /// The articles, in source order.
    pub fn articles(&self) -> impl Iterator<Item = &Article> {
        self.body.iter().filter_map(|c| match c {
            Clause::Article(a) => Some(a),
            _ => None,
        })
    }

    /// The party records, in source order.
    pub fn party_records(&self) -> impl Iterator<Item = &PartyRecord> {
        self.body.iter().flat_map(|c| match c {
            Clause::Parties(p) => p.records.as_slice(),
            _ => &[],
        })
    }
}

/// One item of an instrument's body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Clause {
    /// `parties { ... }`.
    Parties(Parties),
    /// `binds every member of GROUP`.
    Binds(Ident, Span),
    /// `in force ...`.
    InForce(EntryIntoForce, Span),
    /// `withdrawal takes effect N UNIT after notice`.
    Withdrawal(Duration, Span),
    /// `withdrawal by agreement only`: no party can leave alone; a notice has no effect.
    NoWithdrawal(Span),
    /// A dated event of the whole instrument: `exchanged`, `adopted`, `terminated`, `expires`.
    Dated(DatedKind, Date, Span),
    /// `article ID "heading" { ... }`.
    Article(Article),
    /// `reservation PARTY to article ID "title" { ... }`: one party's reservation,
    /// understanding or declaration to an article.
    Reservation(Reservation),
}

impl Clause {
    /// Where the clause is.
    pub fn span(&self) -> Span {
        match self {
            Clause::Parties(p) => p.span,
            Clause::Binds(_, s) | Clause::InForce(_, s) | Clause::Withdrawal(_, s) | Clause::NoWithdrawal(s) => *s,
            Clause::Dated(_, _, s) => *s,
            Clause::Article(a) => a.span,
            Clause::Reservation(r) => r.span,
        }
    }
}

/// The `parties { ... }` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parties {
    /// One record per line.
    pub records: Vec<PartyRecord>,
    /// The whole block.
    pub span: Span,
}

/// A dated event that concerns an instrument as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DatedKind {
    /// Instruments of ratification were exchanged.
    Exchanged,
    /// The resolution was adopted.
    Adopted,
    /// The instrument was terminated by its parties.
    Terminated,
    /// The instrument expires by its own terms.
    Expires,
    /// The terminated instrument applies again, from this day, as it applied before: what
    /// resolution 2231 (2015), para. 12, provides for the Iran resolutions it terminated.
    Reapplied,
}

impl DatedKind {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            DatedKind::Exchanged => "exchanged",
            DatedKind::Adopted => "adopted",
            DatedKind::Terminated => "terminated",
            DatedKind::Expires => "expires",
            DatedKind::Reapplied => "reapplied",
        }
    }
}

/// One party's line in `parties { ... }`: `PRK signed 2024-06-19 ratified 2024-11-11`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyRecord {
    /// The party.
    pub party: Ident,
    /// What it did, and when.
    pub statuses: Vec<Status>,
    /// The whole line.
    pub span: Span,
}

/// One dated step of a party towards (or away from) an instrument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status {
    /// Which step.
    pub kind: StatusKind,
    /// When.
    pub date: Date,
    /// The keyword and date.
    pub span: Span,
}

/// The steps a party takes towards or away from an instrument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatusKind {
    /// Signed.
    Signed,
    /// Ratified (deposited or exchanged its instrument of ratification).
    Ratified,
    /// Acceded without having signed.
    Acceded,
    /// Gave notice of withdrawal (denunciation); it takes effect per the withdrawal clause.
    Withdrew,
    /// Suspended its obligations under the instrument.
    Suspended,
    /// Stopped being a party on that day, without a notice period (as when a party does not
    /// join the prolongation of a treaty whose term ends).
    Left,
}

impl StatusKind {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            StatusKind::Signed => "signed",
            StatusKind::Ratified => "ratified",
            StatusKind::Acceded => "acceded",
            StatusKind::Withdrew => "withdrew",
            StatusKind::Suspended => "suspended",
            StatusKind::Left => "left",
        }
    }
}

/// How an instrument enters into force.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryIntoForce {
    /// `on signature`: for each party, from its signature.
    OnSignature,
    /// `on exchange of ratifications`: on the date of `exchanged`.
    OnExchange,
    /// `on adoption`: on the date of `adopted`.
    OnAdoption,
    /// `on DATE`.
    OnDate(Date),
    /// `N days after the Kth ratification` (or accession).
    AfterRatifications {
        /// The delay after the Kth ratification.
        delay: Duration,
        /// K.
        count: u32,
    },
}

/// A length of time: `30 days`, `1 year`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Duration {
    /// How many units.
    pub amount: u32,
    /// Which unit.
    pub unit: Unit,
}

/// A unit of calendar time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unit {
    /// Days.
    Days,
    /// Calendar months.
    Months,
    /// Calendar years.
    Years,
}

impl Unit {
    /// The word for `amount` of this unit: `1 day`, `2 days`.
    pub fn word(self, amount: u32) -> &'static str {
        match (self, amount == 1) {
            (Unit::Days, true) => "day",
            (Unit::Days, false) => "days",
            (Unit::Months, true) => "month",
            (Unit::Months, false) => "months",
            (Unit::Years, true) => "year",
            (Unit::Years, false) => "years",
        }
    }
}

/// An article: its verbatim text and the rules that encode it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Article {
    /// Its number as the instrument gives it: `4`, `8(b)`, `III`.
    pub id: Ident,
    /// Its heading, if it has one.
    pub heading: Option<Str>,
    /// The verbatim clause.
    pub text: Option<Str>,
    /// The rules, in source order.
    pub rules: Vec<Rule>,
    /// The whole block.
    pub span: Span,
}

/// What a party attached to its consent: the kinds are told apart in the report, and mean the
/// same to the evaluator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReservationKind {
    /// A reservation: excludes or modifies the legal effect of a provision for that party.
    Reservation,
    /// An understanding: says how the party reads the provision.
    Understanding,
    /// A declaration.
    Declaration,
}

impl ReservationKind {
    /// The keyword that introduces it.
    pub fn keyword(self) -> &'static str {
        match self {
            ReservationKind::Reservation => "reservation",
            ReservationKind::Understanding => "understanding",
            ReservationKind::Declaration => "declaration",
        }
    }
}

/// `understanding USA to article III "title" { text "..." rule* }`: for that party, the rules
/// here take the place of the article's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reservation {
    /// Reservation, understanding or declaration.
    pub kind: ReservationKind,
    /// The party that made it.
    pub party: Ident,
    /// The article it concerns.
    pub article: Ident,
    /// Its title.
    pub title: Option<Str>,
    /// Its verbatim text.
    pub text: Option<Str>,
    /// The rules that give the party's norms under the article instead of the article's own.
    pub rules: Vec<Rule>,
    /// The whole block.
    pub span: Span,
}

/// A norm rule: `if CONDITION then CONCLUSION` or `always CONCLUSION`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The condition; `None` for `always`.
    pub condition: Option<Vec<Literal>>,
    /// Who must, must not or may do what, by when.
    pub conclusion: Conclusion,
    /// The whole rule.
    pub span: Span,
}

/// The consequent of a norm rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conclusion {
    /// Who bears the norm.
    pub bearers: Bearers,
    /// Must, must not, may.
    pub modality: Modality,
    /// What they must, must not or may do.
    pub action: Pattern,
    /// By when an obligation falls due.
    pub deadline: Option<Deadline>,
    /// For a prohibition, the amount allowed before it is broken.
    pub cap: Option<Cap>,
    /// The whole conclusion.
    pub span: Span,
}

/// `beyond 500000 barrels per 12 months from 2018-01-01 [in aggregate]`: a prohibition broken
/// only by what is supplied beyond an amount over a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cap {
    /// The amount allowed.
    pub amount: Amount,
    /// Its unit: a declared `unit`.
    pub unit: Ident,
    /// `or AMOUNT UNIT`: the same cap in another unit, as a text gives it ("4 million barrels or
    /// 525,000 tons"); an amount given only in that unit counts by the ratio of the two.
    pub or: Option<(Amount, Ident)>,
    /// Over which period the amounts are summed.
    pub period: CapPeriod,
    /// `in aggregate`: every bearer's acts count towards one total, not each bearer's its own.
    pub aggregate: bool,
    /// The whole clause.
    pub span: Span,
}

/// A whole number of units, as written: `500000`, `500_000`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Amount {
    /// The number.
    pub value: u64,
    /// Where it is written.
    pub span: Span,
}

/// The periods over which a cap sums amounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapPeriod {
    /// `per N UNIT from DATE`: consecutive periods of that length, the first starting on the
    /// date; before it, nothing is allowed.
    Fixed {
        /// Each period's length.
        length: Duration,
        /// The first period's first day.
        from: Date,
    },
    /// `in any N UNIT`: every period of that length, ending on each day.
    Rolling(Duration),
    /// `in total`: all time.
    Total,
}

/// Who bears a norm. Bearers are always filtered to the parties the instrument binds that day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bearers {
    /// `every party P [other than X, ...]`.
    EveryParty {
        /// The variable that names each bearer.
        var: Ident,
        /// Those left out.
        except: Vec<Term>,
    },
    /// `every state S [other than X, ...]`: every state the instrument binds; reads better in
    /// resolutions that bind all members.
    EveryState {
        /// The variable that names each bearer.
        var: Ident,
        /// Those left out.
        except: Vec<Term>,
    },
    /// `every member of GROUP [other than X, ...]`.
    EveryMember {
        /// The group.
        group: Ident,
        /// Those left out.
        except: Vec<Term>,
    },
    /// One party: a constant or a bound variable.
    One(Term),
}

/// Must, must not, may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Modality {
    /// An obligation.
    Must,
    /// A prohibition.
    MustNot,
    /// A permission.
    May,
}

impl Modality {
    /// The words, as written in rules and in the report.
    pub fn words(self) -> &'static str {
        match self {
            Modality::Must => "must",
            Modality::MustNot => "must not",
            Modality::May => "may",
        }
    }
}

/// By when an obligation falls due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deadline {
    /// `without delay`: due on the day it arises.
    WithoutDelay,
    /// `immediately`: the same as `without delay`.
    Immediately,
    /// `within N UNIT`.
    Within(Duration),
    /// `by DATE`.
    By(Date),
    /// `forthwith`: at once, by such means as the party chooses. The duty counts as performed
    /// the day it arises under the compliance assumption, and is never broken by time alone.
    Forthwith,
}

/// `name(role: term, ...)`: a fact or an action with its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// The kind of fact or the action.
    pub name: Ident,
    /// The arguments, in the order written.
    pub args: Vec<Arg>,
    /// The whole pattern.
    pub span: Span,
}

/// `role: term`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    /// The role.
    pub role: Ident,
    /// Its value.
    pub value: Term,
}

/// A value in a pattern.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Term {
    /// A variable: `A`, `Victim`.
    Var(Ident),
    /// A party code: `RUS`.
    Party(Ident),
    /// A symbol: `europe`, `arms`, `al_qaeda`.
    Symbol(Ident),
    /// `_`: anything.
    Wildcard(Span),
}

impl Term {
    /// Where the term is.
    pub fn span(&self) -> Span {
        match self {
            Term::Var(i) | Term::Party(i) | Term::Symbol(i) => i.span,
            Term::Wildcard(s) => *s,
        }
    }

    /// The variable this term is, if it is one.
    pub fn var(&self) -> Option<&Ident> {
        match self {
            Term::Var(v) => Some(v),
            _ => None,
        }
    }
}

/// One conjunct of a condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Literal {
    /// What it says.
    pub kind: LiteralKind,
    /// Where it is.
    pub span: Span,
}

impl Literal {
    /// Calls `f` with this literal and, inside a `not`, every literal it holds, each with the
    /// `not` it is read under, if any (the outermost).
    pub fn visit<'a>(&'a self, negation: Option<&'a Literal>, f: &mut impl FnMut(&'a Literal, Option<&'a Literal>)) {
        f(self, negation);
        if let LiteralKind::Not(inner) = &self.kind {
            inner.iter().for_each(|l| l.visit(Some(negation.unwrap_or(self)), f));
        }
    }

    /// The terms this literal itself matches or tests, in the order written; those inside a
    /// `not` are its inner literals' own.
    pub fn terms(&self) -> impl Iterator<Item = &Term> {
        let (first, second, args): (Option<&Term>, Option<&Term>, &[Arg]) = match &self.kind {
            LiteralKind::Fact(p) => (None, None, &p.args),
            LiteralKind::Act { actor, action } => (Some(actor), None, &action.args),
            LiteralKind::IsParty { term, .. } | LiteralKind::InGroup { term, .. } => (Some(term), None, &[]),
            LiteralKind::Compare { left, right, .. } => (Some(left), Some(right), &[]),
            LiteralKind::Not(_) => (None, None, &[]),
        };
        first.into_iter().chain(second).chain(args.iter().map(|a| &a.value))
    }

    /// Whether the literal binds variables: a fact or act pattern.
    pub fn binds(&self) -> bool {
        matches!(self.kind, LiteralKind::Fact(_) | LiteralKind::Act { .. })
    }
}

impl Rule {
    /// Calls `f` with every term of the rule, in the order written: the condition's (inside
    /// `not` too), those its bearers leave out or name, and its action's.
    pub fn visit_terms<'a>(&'a self, f: &mut impl FnMut(&'a Term)) {
        for lit in self.condition.iter().flatten() {
            lit.visit(None, &mut |l, _| l.terms().for_each(&mut *f));
        }
        match &self.conclusion.bearers {
            Bearers::EveryParty { except, .. }
            | Bearers::EveryState { except, .. }
            | Bearers::EveryMember { except, .. } => except.iter().for_each(&mut *f),
            Bearers::One(t) => f(t),
        }
        self.conclusion.action.args.iter().for_each(|a| f(&a.value));
    }
}

/// What a literal says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiteralKind {
    /// A fact holds: `armed_attack(by: A, on: V)`.
    Fact(Pattern),
    /// A party acts: `P performs supply(item: arms)`.
    Act {
        /// Who acts.
        actor: Term,
        /// What they do.
        action: Pattern,
    },
    /// `X is [not] party [to INSTRUMENT]`: bound by this (or another) instrument that day.
    IsParty {
        /// The party.
        term: Term,
        /// `is not party`.
        negated: bool,
        /// Another instrument; this one when absent.
        instrument: Option<Ident>,
    },
    /// `X [not] in GROUP`.
    InGroup {
        /// The member.
        term: Term,
        /// `not in`.
        negated: bool,
        /// The group.
        group: Ident,
    },
    /// `X = Y` or `X != Y`.
    Compare {
        /// Left side.
        left: Term,
        /// `!=`.
        negated: bool,
        /// Right side.
        right: Term,
    },
    /// `not LITERAL` or `not (A and B)`: no way of making the inner condition hold.
    Not(Vec<Literal>),
}

/// `group NAME = [A, B from DATE, ...]`, or `category NAME "title" = [a, b, ...]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// The name.
    pub name: Ident,
    /// A category of items (`category`), rather than a group.
    pub category: bool,
    /// What a category is called (groups have no title).
    pub title: Option<Str>,
    /// The members: party codes or symbols (another group's name stands for its members).
    pub members: Vec<Member>,
    /// The whole declaration.
    pub span: Span,
}

/// A member of a group, and when it is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// A party code or a symbol.
    pub term: Term,
    /// When it is a member: always, unless dated.
    pub period: Period,
}

/// `from DATE`, `until DATE`, both or neither: when something holds. `until` is the first day
/// on which it no longer does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Period {
    /// The first day.
    pub from: Option<Date>,
    /// The first day after.
    pub until: Option<Date>,
}

impl Period {
    /// Whether it is dated at all.
    pub fn is_dated(&self) -> bool {
        self.from.is_some() || self.until.is_some()
    }
}

/// `place okinawa "Okinawa" { territory of JPN  administered by USA until 1972-05-15 ... }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlaceDecl {
    /// Its name.
    pub name: Ident,
    /// What it is called.
    pub title: Option<Str>,
    /// Whose territory it is, who administers it and where it lies, each over a period.
    pub lines: Vec<PlaceLine>,
    /// The whole declaration.
    pub span: Span,
}

/// One line of a place declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlaceLine {
    /// What it says.
    pub kind: PlaceLineKind,
    /// When.
    pub period: Period,
    /// The whole line.
    pub span: Span,
}

/// What a line of a place declaration says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlaceLineKind {
    /// `territory of STATE`: the state whose territory it is (its sovereign).
    Territory(Ident),
    /// `administered by STATE`: the state that administers it.
    Administered(Ident),
    /// `in AREA, AREA`: the areas (groups) it lies in.
    In(Vec<Ident>),
}

/// `unit barrels "barrels of 42 US gallons"`: a unit in which amounts are given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitDecl {
    /// Its name.
    pub name: Ident,
    /// What it is.
    pub title: Option<Str>,
    /// The whole declaration.
    pub span: Span,
}

/// `fact KIND(role, role = default, ...)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FactDecl {
    /// The kind.
    pub name: Ident,
    /// The roles.
    pub roles: Vec<RoleDecl>,
    /// The whole declaration.
    pub span: Span,
}

/// A role of a fact kind, optionally defaulting to the value of another role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleDecl {
    /// The role.
    pub name: Ident,
    /// `territory = on`: when a fact leaves this role out, it takes the value of `on`.
    pub default: Option<Ident>,
}

/// `action NAME(role, ...) [includes A, B(role: x)] [fulfilled by C(role: X)]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionDecl {
    /// The action.
    pub name: Ident,
    /// Its roles.
    pub roles: Vec<Ident>,
    /// The actions that performing it includes.
    pub includes: Vec<Pattern>,
    /// The other actions whose performance fulfils a duty to perform it.
    pub fulfilled_by: Vec<Pattern>,
    /// The whole declaration.
    pub span: Span,
}

/// `party CODE "name" [from DATE] [until DATE] [successors CODE, ...]`, or
/// `party CODE "name" alias of CODE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyDecl {
    /// The code.
    pub code: Ident,
    /// The name.
    pub name: Str,
    /// When the state exists under this code.
    pub period: Period,
    /// The codes of the states that follow it.
    pub successors: Vec<Ident>,
    /// The code to write instead, for a code that names a state the library writes otherwise.
    pub alias: Option<Ident>,
    /// The whole declaration.
    pub span: Span,
}

/// `deem FACT [after N days] if CONDITION`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deem {
    /// The fact derived.
    pub head: Pattern,
    /// How many days after the condition holds the fact does.
    pub delay: Option<Duration>,
    /// The condition.
    pub condition: Vec<Literal>,
    /// The whole rule.
    pub span: Span,
}

/// `precedence X, Y over Z`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Precedence {
    /// The instruments that prevail (ids, `*` globs allowed).
    pub winners: Vec<Ident>,
    /// The instruments they prevail over.
    pub losers: Vec<Ident>,
    /// The whole declaration.
    pub span: Span,
}

/// A comment, kept beside the tree so that the formatter can put it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The text from `#` to the end of the line, without the line break.
    pub text: String,
    /// Where it is.
    pub span: Span,
}
