//! What the checker reports: one type per code, each with typed fields, its message, labels and
//! help derived; [`CheckError`] gathers them.

use std::fmt;

use miette::LabeledSpan;

use casus_syntax::source::Span;

/// A problem the checker finds in a rule set.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
pub enum CheckError {
    /// A name declared twice, a clause given twice.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Duplicate(#[from] Duplicate),
    /// A group name that nothing declares.
    #[error(transparent)]
    #[diagnostic(transparent)]
    UnknownGroup(#[from] UnknownGroup),
    /// An instrument id that nothing declares.
    #[error(transparent)]
    #[diagnostic(transparent)]
    UnknownInstrument(#[from] UnknownInstrument),
    /// `is party` outside an instrument, without saying to which.
    #[error(transparent)]
    #[diagnostic(transparent)]
    MissingInstrument(#[from] MissingInstrument),
    /// A kind of fact that nothing declares.
    #[error(transparent)]
    #[diagnostic(transparent)]
    UnknownFact(#[from] UnknownFact),
    /// An action that nothing declares.
    #[error(transparent)]
    #[diagnostic(transparent)]
    UnknownAction(#[from] UnknownAction),
    /// A role the fact or action does not have.
    #[error(transparent)]
    #[diagnostic(transparent)]
    UnknownRole(#[from] UnknownRole),
    /// A date that does not exist.
    #[error(transparent)]
    #[diagnostic(transparent)]
    NoSuchDate(#[from] NoSuchDate),
    /// Status records that contradict each other.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Status(#[from] StatusError),
    /// A variable used where it cannot be.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Variable(#[from] VariableError),
    /// A variable bound by no pattern.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Unbound(#[from] Unbound),
    /// An action that includes itself.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Cycle(#[from] IncludesItself),
    /// An action that includes too many others.
    #[error(transparent)]
    #[diagnostic(transparent)]
    IncludesTooMany(#[from] IncludesTooMany),
    /// Negation through a cycle of `deem` rules.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Stratification(#[from] Unstratifiable),
    /// A file that defines nothing (a warning).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Empty(#[from] Empty),
    /// A member listed twice in a group (a warning).
    #[error(transparent)]
    #[diagnostic(transparent)]
    ListedTwice(#[from] ListedTwice),
    /// A precedence pattern that matches no instrument (a warning).
    #[error(transparent)]
    #[diagnostic(transparent)]
    NoMatch(#[from] NoMatch),
    /// A variable written once (a warning).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Singleton(#[from] Singleton),
    /// A rule that can never fire (a warning).
    #[error(transparent)]
    #[diagnostic(transparent)]
    DeadRule(#[from] DeadRule),
    /// A party code that nothing declares, or one written otherwise in the rules.
    #[error(transparent)]
    #[diagnostic(transparent)]
    UnknownParty(#[from] UnknownParty),
    /// A group that contains itself.
    #[error(transparent)]
    #[diagnostic(transparent)]
    GroupCycle(#[from] GroupCycle),
    /// A period that ends before it starts.
    #[error(transparent)]
    #[diagnostic(transparent)]
    EmptyPeriod(#[from] EmptyPeriod),
    /// A reservation that does not fit its instrument.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Reservation(#[from] ReservationError),
    /// `territory` or `administered` used as an ordinary kind of fact.
    #[error(transparent)]
    #[diagnostic(transparent)]
    PlaceRelation(#[from] PlaceRelationError),
    /// A cap on what is not a prohibition, or in an unknown unit.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Cap(#[from] CapError),
    /// A category that lists a party, a group, or a member with a period.
    #[error(transparent)]
    #[diagnostic(transparent)]
    CategoryMember(#[from] CategoryMember),
}

/// `unknown party `RUZ``, or a code the rules write otherwise.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("{what}")]
#[diagnostic(code("casus::unknown-party"))]
pub struct UnknownParty {
    /// What is wrong.
    pub what: PartyProblem,
    /// Where.
    #[label]
    pub at: Span,
    /// Did you mean, which code to write, or how to declare it.
    #[help]
    pub help: Option<String>,
}

/// What is wrong with a party code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartyProblem {
    /// No `party` declaration has this code.
    Unknown(String),
    /// The code is declared as another way of writing a code.
    Alias {
        /// The code as written.
        code: String,
        /// The code to write.
        write: String,
    },
}

impl fmt::Display for PartyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartyProblem::Unknown(code) => write!(f, "unknown party `{code}`"),
            PartyProblem::Alias { code, write } => write!(f, "`{code}` is written `{write}` in these rules"),
        }
    }
}

/// `group a = [b]`, `group b = [a]`.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("the {what} `{group}` contains itself")]
#[diagnostic(code("casus::cycle"), help("a {what} listed in a {what} stands for its members; the chain is {chain}"))]
pub struct GroupCycle {
    /// `group` or `category`.
    pub what: &'static str,
    /// The group.
    pub group: String,
    /// The chain of groups back to it: `a` → `b` → `a`.
    pub chain: String,
    /// Its declaration's name.
    #[label]
    pub at: Span,
}

/// `from 2000-01-01 until 1990-01-01`.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("this period ends before it starts")]
#[diagnostic(code("casus::date"), help("`until` is the first day on which it no longer holds, after `from`"))]
pub struct EmptyPeriod {
    /// The period.
    #[label]
    pub at: Span,
}

/// A reservation to an article the instrument does not have, or one that gives norms to others.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("{what}")]
#[diagnostic(code("casus::reservation"))]
pub struct ReservationError {
    /// What is wrong.
    pub what: ReservationProblem,
    /// Where.
    #[label]
    pub at: Span,
    /// What to do.
    #[help]
    pub help: String,
}

/// What is wrong with a reservation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReservationProblem {
    /// `to article 9` when the instrument has no article 9.
    NoArticle {
        /// The article as written.
        article: String,
        /// The instrument.
        instrument: String,
    },
    /// A rule of the reservation gives a norm to someone else.
    Bearer {
        /// The party that made it.
        party: String,
    },
}

impl fmt::Display for ReservationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReservationProblem::NoArticle { article, instrument } => {
                write!(f, "`{instrument}` has no article {article}")
            }
            ReservationProblem::Bearer { party } => {
                write!(f, "a rule of `{party}`'s reservation must give its norm to `{party}`")
            }
        }
    }
}

/// `fact territory(...)`, or a `deem` rule that derives `administered`.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("`{name}` is fixed by the place declarations: {why}")]
#[diagnostic(
    code("casus::place-relation"),
    help("declare a place with `place NAME \"title\" {{ territory of STATE  administered by STATE }}`")
)]
pub struct PlaceRelationError {
    /// `territory` or `administered`.
    pub name: String,
    /// `it cannot be declared`, `a rule cannot derive it`.
    pub why: &'static str,
    /// Where.
    #[label]
    pub at: Span,
}

/// Something declared or given twice.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("{what}")]
#[diagnostic(code("casus::duplicate"))]
pub struct Duplicate {
    /// What is given twice.
    pub what: Twice,
    /// The second one, and the first when it is in the same file.
    #[label(collection)]
    pub places: Vec<LabeledSpan>,
    /// What to do.
    #[help]
    pub help: Option<&'static str>,
}

/// What is given twice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Twice {
    /// A top-level name: `the instrument `x` is defined twice`.
    Declaration {
        /// `instrument`, `group`, `kind of fact`, `action`, `party`.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// A clause an instrument has once.
    Clause {
        /// The instrument.
        instrument: String,
        /// `entry-into-force clause`, `exchanged`, ...
        clause: &'static str,
    },
    /// An article number.
    Article {
        /// The article.
        article: String,
        /// The instrument.
        instrument: String,
    },
    /// A party's status record.
    Record {
        /// The party.
        party: String,
        /// The instrument.
        instrument: String,
    },
    /// A role in a declaration.
    RoleDeclared {
        /// The role.
        role: String,
    },
    /// A role in a pattern.
    RoleGiven {
        /// The role.
        role: String,
    },
}

impl fmt::Display for Twice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Twice::Declaration { what, name } => write!(f, "the {what} `{name}` is defined twice"),
            Twice::Clause { instrument, clause } => write!(f, "`{instrument}` has a second {clause}"),
            Twice::Article { article, instrument } => {
                write!(f, "article `{article}` of `{instrument}` is defined twice")
            }
            Twice::Record { party, instrument } => write!(f, "`{party}` has two status records in `{instrument}`"),
            Twice::RoleDeclared { role } => write!(f, "the role `{role}` is declared twice"),
            Twice::RoleGiven { role } => write!(f, "the role `{role}` is given twice"),
        }
    }
}

impl Twice {
    /// The notes beside the second and the first.
    pub fn labels(&self) -> (Option<&'static str>, &'static str) {
        match self {
            Twice::Declaration { .. } | Twice::Article { .. } => (Some("defined again here"), "first defined here"),
            Twice::Clause { .. } | Twice::Record { .. } => (None, "the first is here"),
            Twice::RoleDeclared { .. } => (None, "first declared here"),
            Twice::RoleGiven { .. } => (None, "first given here"),
        }
    }
}

impl Duplicate {
    /// `what` given again at `at`; `first`, when it is in the same file, is labelled too.
    pub fn new(what: Twice, at: Span, first: Option<Span>) -> Duplicate {
        let (again, first_note) = what.labels();
        let mut places = vec![LabeledSpan::new_primary_with_span(again.map(str::to_string), at)];
        places.extend(first.map(|s| LabeledSpan::new_with_span(Some(first_note.to_string()), s)));
        let help = matches!(what, Twice::Record { .. }).then_some("put every step of one party on one line");
        Duplicate { what, places, help }
    }
}

/// `must supply(...) beyond 10 barrels ...`, or a cap in a unit no `unit` declares.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code("casus::cap"))]
pub struct CapError {
    /// What is wrong.
    pub message: String,
    /// Where.
    #[label]
    pub at: Span,
    /// What to write.
    #[help]
    pub help: String,
}

/// `unknown group `x``.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("unknown group `{name}`")]
#[diagnostic(code("casus::unknown-group"))]
pub struct UnknownGroup {
    /// The name as written.
    pub name: String,
    /// Where.
    #[label("no group of this name is defined")]
    pub at: Span,
    /// Did you mean, or how to declare it.
    #[help]
    pub help: String,
}

impl UnknownGroup {
    /// `name` at `at`, with the help: did you mean a declared group, or how to declare it.
    pub fn new(name: &str, at: Span, did_you_mean: Option<String>) -> UnknownGroup {
        let help = did_you_mean.unwrap_or_else(|| format!("define it with `group {name} = [...]`"));
        UnknownGroup { name: name.to_string(), at, help }
    }
}

/// `unknown instrument `x``.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("unknown instrument `{id}`")]
#[diagnostic(code("casus::unknown-instrument"))]
pub struct UnknownInstrument {
    /// The id as written.
    pub id: String,
    /// Where.
    #[label("no treaty, resolution or regime has this id")]
    pub at: Span,
    /// `did you mean`, with a declared instrument of a near id.
    #[help]
    pub help: Option<String>,
}

impl UnknownInstrument {
    /// `id` at `at`, with `did you mean` a declared instrument, if one is near.
    pub fn new(id: &str, at: Span, did_you_mean: Option<String>) -> UnknownInstrument {
        UnknownInstrument { id: id.to_string(), at, help: did_you_mean }
    }
}

/// `X is party` in a `deem` rule, which belongs to no instrument.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("`is party` outside an instrument must say which one")]
#[diagnostic(code("casus::missing-instrument"), help("write `X is party to INSTRUMENT`"))]
pub struct MissingInstrument {
    /// The literal.
    #[label]
    pub at: Span,
}

/// `unknown kind of fact `x``.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("unknown kind of fact `{name}`")]
#[diagnostic(code("casus::unknown-fact"))]
pub struct UnknownFact {
    /// The name as written.
    pub name: String,
    /// Where.
    #[label]
    pub at: Span,
    /// Did you mean; or that it is an action; or how to declare it.
    #[help]
    pub help: String,
}

/// `unknown action `x``.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("unknown action `{name}`")]
#[diagnostic(code("casus::unknown-action"))]
pub struct UnknownAction {
    /// The name as written.
    pub name: String,
    /// Where.
    #[label]
    pub at: Span,
    /// Did you mean, or how to declare it.
    #[help]
    pub help: String,
}

/// A role that a fact or action does not have.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("{what}")]
#[diagnostic(code("casus::unknown-role"))]
pub struct UnknownRole {
    /// What is wrong.
    pub what: RoleProblem,
    /// Where.
    #[label]
    pub at: Span,
    /// The roles there are, and the nearest.
    #[help]
    pub help: String,
}

/// What is wrong with a role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoleProblem {
    /// `armed_attack` has no role `onn`.
    NoSuchRole {
        /// The kind of fact or action.
        name: String,
        /// The role as written.
        role: String,
    },
    /// `territory = on` names no other role.
    BadDefault {
        /// The role whose default it is.
        role: String,
        /// The kind of fact.
        fact: String,
    },
}

impl fmt::Display for RoleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoleProblem::NoSuchRole { name, role } => write!(f, "`{name}` has no role `{role}`"),
            RoleProblem::BadDefault { role, fact } => {
                write!(f, "the default of `{role}` must be another role of `{fact}`, or a constant")
            }
        }
    }
}

/// `2024-02-30`.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("`{date}` is not a date that exists")]
#[diagnostic(code("casus::date"), help("dates are written YYYY-MM-DD in the proleptic Gregorian calendar"))]
pub struct NoSuchDate {
    /// The date as written.
    pub date: String,
    /// Where, and why: `February 2024 has 29 days`.
    #[label("{why}")]
    pub at: Span,
    /// Why the day does not exist.
    pub why: String,
}

/// Status records that contradict each other or the instrument.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("{what}")]
#[diagnostic(code("casus::status"))]
pub struct StatusError {
    /// What is wrong.
    pub what: StatusProblem,
    /// The offending step, and the one it contradicts.
    #[label(collection)]
    pub places: Vec<LabeledSpan>,
    /// What to do.
    #[help]
    pub help: Option<&'static str>,
}

/// What is wrong with a party's status records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusProblem {
    /// The same step twice.
    RecordedTwice {
        /// The party.
        party: String,
        /// `ratified`, ...
        step: &'static str,
    },
    /// Ratified before signing.
    RatifiedBeforeSigned {
        /// The party.
        party: String,
        /// The instrument.
        instrument: String,
        /// When it ratified.
        ratified: String,
        /// When it signed.
        signed: String,
    },
    /// Both ratified and acceded, without leaving in between.
    RatifiedAndAcceded {
        /// The party.
        party: String,
        /// The instrument.
        instrument: String,
    },
    /// Leaves before joining.
    LeavesBeforeJoining {
        /// The party.
        party: String,
        /// The instrument.
        instrument: String,
        /// When it leaves.
        leaves: String,
        /// When it joined.
        joined: String,
    },
    /// Leaves without having joined.
    LeavesWithoutJoining {
        /// The party.
        party: String,
        /// The instrument.
        instrument: String,
    },
    /// Ratifications exchanged before one of them.
    ExchangedBeforeRatified {
        /// The instrument.
        instrument: String,
        /// When they were exchanged.
        exchanged: String,
        /// The party that ratified later.
        party: String,
        /// When it ratified.
        ratified: String,
    },
    /// Re-applied without having been terminated.
    ReappliedWithoutTermination {
        /// The instrument.
        instrument: String,
    },
    /// Re-applied on or before the day it was terminated.
    ReappliedBeforeTermination {
        /// The instrument.
        instrument: String,
        /// When it was re-applied.
        reapplied: String,
        /// When it was terminated.
        terminated: String,
    },
}

impl fmt::Display for StatusProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusProblem::RecordedTwice { party, step } => write!(f, "`{party}` is recorded as {step} twice"),
            StatusProblem::RatifiedBeforeSigned { party, instrument, ratified, signed } => {
                write!(f, "`{party}` ratified `{instrument}` on {ratified}, before signing it on {signed}")
            }
            StatusProblem::RatifiedAndAcceded { party, instrument } => {
                write!(f, "`{party}` both ratified and acceded to `{instrument}`")
            }
            StatusProblem::LeavesBeforeJoining { party, instrument, leaves, joined } => {
                write!(f, "`{party}` leaves `{instrument}` on {leaves}, before joining it on {joined}")
            }
            StatusProblem::LeavesWithoutJoining { party, instrument } => {
                write!(f, "`{party}` leaves `{instrument}` without having signed, ratified or acceded to it")
            }
            StatusProblem::ExchangedBeforeRatified { instrument, exchanged, party, ratified } => write!(
                f,
                "instruments of ratification of `{instrument}` are exchanged on {exchanged}, before `{party}` ratified on {ratified}"
            ),
            StatusProblem::ReappliedWithoutTermination { instrument } => {
                write!(f, "`{instrument}` is re-applied but never terminated")
            }
            StatusProblem::ReappliedBeforeTermination { instrument, reapplied, terminated } => {
                write!(f, "`{instrument}` is re-applied on {reapplied}, not after its termination on {terminated}")
            }
        }
    }
}

impl StatusProblem {
    /// The note beside the step it contradicts, and the help.
    fn notes(&self) -> (&'static str, Option<&'static str>) {
        match self {
            StatusProblem::RecordedTwice { .. } => ("first recorded here", None),
            StatusProblem::RatifiedBeforeSigned { .. } => (
                "signed here",
                Some("a state ratifies what it has signed; check both dates against the depositary's records"),
            ),
            StatusProblem::RatifiedAndAcceded { .. } => {
                ("", Some("signatories ratify; states that did not sign accede — keep the one that happened"))
            }
            StatusProblem::LeavesBeforeJoining { .. } => ("joined here", None),
            StatusProblem::LeavesWithoutJoining { .. } => ("", None),
            StatusProblem::ExchangedBeforeRatified { .. } => ("ratified here", None),
            StatusProblem::ReappliedWithoutTermination { .. } => {
                ("", Some("`reapplied` gives the day a terminated instrument applies again; add its `terminated` day"))
            }
            StatusProblem::ReappliedBeforeTermination { .. } => ("terminated here", None),
        }
    }
}

impl StatusError {
    /// `what` at `at`, against the step at `other`.
    pub fn new(what: StatusProblem, at: Span, other: Option<Span>) -> StatusError {
        let (note, help) = what.notes();
        let mut places = vec![LabeledSpan::new_primary_with_span(None, at)];
        places.extend(other.map(|s| LabeledSpan::new_with_span(Some(note.to_string()), s)));
        StatusError { what, places, help }
    }
}

/// A variable used where it cannot be.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("{what}")]
#[diagnostic(code("casus::variable"))]
pub struct VariableError {
    /// What is wrong.
    pub what: VariableProblem,
    /// Where.
    #[label]
    pub at: Span,
    /// What to do.
    #[help]
    pub help: String,
}

/// What is wrong with a variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VariableProblem {
    /// In `includes`, a variable that is no role of the including action.
    NotARole {
        /// The variable.
        var: String,
        /// The including action.
        action: String,
    },
    /// `_` in a derived fact.
    WildcardInHead,
    /// `_` in a norm's action.
    WildcardInNorm,
    /// The bearers' variable bound by the condition.
    BearerAlreadyBound {
        /// The variable.
        var: String,
    },
}

impl fmt::Display for VariableProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VariableProblem::NotARole { var, action } => write!(f, "`{var}` names no role of `{action}`"),
            VariableProblem::WildcardInHead => f.write_str("a derived fact cannot take `_`"),
            VariableProblem::WildcardInNorm => f.write_str("a norm's action cannot take `_`"),
            VariableProblem::BearerAlreadyBound { var } => write!(f, "`{var}` is already bound by the condition"),
        }
    }
}

/// `variable `X` names the bearer but is bound nowhere`.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("variable `{var}` {role} but is bound nowhere")]
#[diagnostic(
    code("casus::unbound"),
    help("bind `{var}` in a fact or act pattern of the condition, such as `armed_attack(on: {var})`")
)]
pub struct Unbound {
    /// The variable.
    pub var: String,
    /// What it is used for: `names the bearer`, `is compared`, ...
    pub role: &'static str,
    /// Where.
    #[label("not bound by any fact or act in the condition")]
    pub at: Span,
}

/// `action a includes b`, `b includes a`.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("`{action}` includes itself")]
#[diagnostic(code("casus::cycle"))]
pub struct IncludesItself {
    /// The action.
    pub action: String,
    /// Its declaration's name.
    #[label]
    pub at: Span,
}

/// An action that includes more than [`MAX_INCLUDED`](super::MAX_INCLUDED) others, directly or
/// through them.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("`{action}` includes more than {limit} actions, directly or through others")]
#[diagnostic(
    code("casus::includes"),
    help(
        "an action includes the few it is performed by, such as `supply` and `use_force`; a longer chain is likely a mistake"
    )
)]
pub struct IncludesTooMany {
    /// The action.
    pub action: String,
    /// The limit.
    pub limit: usize,
    /// Its declaration's name.
    #[label]
    pub at: Span,
}

/// A `deem` rule that negates a kind derived, the same day, from what it derives.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("`not {negated}` depends on `{derived}`, which this rule derives from it")]
#[diagnostic(
    code("casus::stratification"),
    help("such a rule has no single meaning; add `after 1 day` to read the day before, or drop the negation")
)]
pub struct Unstratifiable {
    /// The kind read under `not`.
    pub negated: String,
    /// The kind the rule derives.
    pub derived: String,
    /// The `not`.
    #[label("negation through a cycle")]
    pub at: Span,
}

/// A file with no item.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("this file defines nothing")]
#[diagnostic(
    code("casus::empty"),
    severity(Warning),
    help("a rule file holds instruments, groups, actions, kinds of fact or rules")
)]
pub struct Empty {
    /// The start of the file.
    #[label]
    pub at: Span,
}

/// `group g = [FRA, FRA]`.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("`{member}` is listed twice in `{group}`")]
#[diagnostic(code("casus::listed-twice"), severity(Warning))]
pub struct ListedTwice {
    /// The member.
    pub member: String,
    /// The group.
    pub group: String,
    /// The second listing.
    #[label]
    pub at: Span,
}

/// `category arms = [RUS]`, `category arms = [tanks from 2020-01-01]`, or a category that lists
/// a group: a category's members are items and categories, and always its members.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("`{member}` cannot be listed in category `{category}`: {why}")]
#[diagnostic(code("casus::category-member"), help("{help}"))]
pub struct CategoryMember {
    /// What is listed.
    pub member: String,
    /// The category.
    pub category: String,
    /// Why it cannot be.
    pub why: &'static str,
    /// What to write.
    pub help: &'static str,
    /// Where.
    #[label]
    pub at: Span,
}

impl CategoryMember {
    /// A party code listed in a category.
    pub fn party(member: &str, category: &str, at: Span) -> CategoryMember {
        CategoryMember {
            member: member.to_string(),
            category: category.to_string(),
            why: "it is a party",
            help: "a category lists items (lower-case names such as `battle_tanks`) and other categories; parties belong in a `group`",
            at,
        }
    }

    /// A member listed with a period.
    pub fn dated(member: &str, category: &str, at: Span) -> CategoryMember {
        CategoryMember {
            member: member.to_string(),
            category: category.to_string(),
            why: "its members are not dated",
            help: "what an item is does not change; items added to a list on a date belong in a category of their own",
            at,
        }
    }

    /// A group listed in a category.
    pub fn group(member: &str, category: &str, at: Span) -> CategoryMember {
        CategoryMember {
            member: member.to_string(),
            category: category.to_string(),
            why: "it is a group, not a category",
            help: "a category lists items and other categories; declare the listed set with `category`",
            at,
        }
    }
}

/// `precedence unsc_* over *` where no id matches `unsc_*`.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("`{pattern}` matches no instrument")]
#[diagnostic(code("casus::no-match"), severity(Warning))]
pub struct NoMatch {
    /// The pattern.
    pub pattern: String,
    /// Where.
    #[label]
    pub at: Span,
}

/// A variable written once in a condition.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("variable `{var}` is used only once")]
#[diagnostic(
    code("casus::singleton"),
    severity(Warning),
    help("write `_` if any value will do, or check the spelling against the other variables")
)]
pub struct Singleton {
    /// The variable.
    pub var: String,
    /// Where.
    #[label]
    pub at: Span,
}

/// A rule that can never fire.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("{what}")]
#[diagnostic(code("casus::dead-rule"), severity(Warning))]
pub struct DeadRule {
    /// Why it never fires.
    pub what: DeadBecause,
    /// The literal or bearer that makes it so.
    #[label(collection)]
    pub places: Vec<LabeledSpan>,
    /// What to do.
    #[help]
    pub help: Option<&'static str>,
}

/// Why a rule never fires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeadBecause {
    /// A literal of the condition never holds, for this reason.
    Never(String),
    /// The one bearer is no party to the instrument.
    NotAParty {
        /// The bearer.
        party: String,
        /// The instrument.
        instrument: String,
    },
}

impl fmt::Display for DeadBecause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeadBecause::Never(_) => f.write_str("this rule can never fire"),
            DeadBecause::NotAParty { party, instrument } => {
                write!(f, "`{party}` is not a party to `{instrument}`: this norm never binds anyone")
            }
        }
    }
}

impl DeadRule {
    /// A rule dead for `what`, at `at`.
    pub fn new(what: DeadBecause, at: Span) -> DeadRule {
        let (label, help) = match &what {
            DeadBecause::Never(why) => (Some(why.clone()), None),
            DeadBecause::NotAParty { .. } => {
                (None, Some("norms bind only the parties the instrument binds; add a status record for this party"))
            }
        };
        DeadRule { what, places: vec![LabeledSpan::new_primary_with_span(label, at)], help }
    }
}
