//! What is wrong with a scenario: in its shape, its dates, or what it names in the rules.

use std::fmt;

use miette::LabeledSpan;

use super::de::DeErrorKind;
use casus_syntax::source::Span;

/// A problem in a scenario, at the value that is wrong.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("{kind}")]
#[diagnostic(code("casus::scenario"))]
pub struct ScenarioError {
    /// What is wrong.
    pub kind: ScenarioErrorKind,
    /// The value, and the one it contradicts.
    #[label(collection)]
    pub places: Vec<LabeledSpan>,
    /// What to do about it.
    #[help]
    pub help: Option<String>,
}

/// What is wrong with a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioErrorKind {
    /// The text is not RON.
    Syntax(String),
    /// A value of the wrong shape, an unknown event or field, a missing field.
    Shape(DeErrorKind),
    /// A date that is not `YYYY-MM-DD`, or not a day that exists.
    Date(String),
    /// `until` on or before `from`.
    EndsBeforeStart {
        /// The first day.
        from: String,
        /// The first day it no longer holds.
        until: String,
    },
    /// An act with both `on` and `from`, or neither.
    ActDays,
    /// `direct` or `partial`, misspelt.
    ConflictKind(String),
    /// A role given twice in `args`.
    RoleTwice(String),
    /// A unit given twice in an act's `amount`.
    UnitTwice(String),
    /// An amount past the largest casus sums.
    AmountTooLarge(u64),
    /// A unit the rules do not declare.
    UnknownUnit(String),
    /// The same step of a party (or of the instrument) given twice.
    StepTwice {
        /// The party, for a party's step.
        party: Option<String>,
        /// `ratified`, `exchanged`, ...
        step: &'static str,
        /// The instrument.
        instrument: String,
    },
    /// An instrument the rules do not have.
    UnknownInstrument(String),
    /// A kind of fact the rules do not declare.
    UnknownFact(String),
    /// An action the rules do not declare.
    UnknownAction(String),
    /// A role the kind of fact or action does not have.
    NoSuchRole {
        /// The kind of fact or action.
        name: String,
        /// The role.
        role: String,
    },
    /// A party code the rules do not declare.
    UnknownParty(String),
    /// A code the rules write otherwise.
    PartyAlias {
        /// The code as written.
        code: String,
        /// The code to write.
        write: String,
    },
    /// A party named on a day on which the state it names does not exist under that code.
    PartyNotThen {
        /// The code.
        code: String,
        /// The day.
        on: String,
    },
    /// `territory` or `administered` given as a fact: the rules' places say that.
    PlaceRelation(String),
    /// A value in a `place` role that names no place the rules declare and no party.
    UnknownPlace(String),
    /// A party code with a character a rule file could not write.
    NotAscii(String),
    /// A rule file or folder the scenario names that cannot be read.
    UnreadableRules {
        /// The path as the scenario writes it.
        entry: String,
        /// The path it was read at, relative to the scenario's folder.
        resolved: String,
        /// Why it cannot be read.
        why: String,
    },
}

impl fmt::Display for ScenarioErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioErrorKind::Syntax(m) | ScenarioErrorKind::Date(m) => f.write_str(m),
            ScenarioErrorKind::Shape(k) => k.fmt(f),
            ScenarioErrorKind::EndsBeforeStart { from, until } => write!(
                f,
                "this interval ends ({until}) before it starts ({from}); `until` is the first day it no longer holds"
            ),
            ScenarioErrorKind::ActDays => {
                f.write_str("an act takes either `on` (one day) or `from` with an optional `until`")
            }
            ScenarioErrorKind::ConflictKind(k) => write!(f, "unknown kind of conflict `{k}`"),
            ScenarioErrorKind::RoleTwice(r) => write!(f, "the role `{r}` is given twice"),
            ScenarioErrorKind::UnitTwice(u) => write!(f, "the amount in `{u}` is given twice"),
            ScenarioErrorKind::AmountTooLarge(n) => {
                write!(f, "{n} is more than casus sums: amounts run to a million billion (10^15)")
            }
            ScenarioErrorKind::UnknownUnit(u) => write!(f, "unknown unit `{u}`"),
            ScenarioErrorKind::StepTwice { party: Some(p), step, instrument } => {
                write!(f, "`{p}` `{step}` on `{instrument}` is given twice in this scenario")
            }
            ScenarioErrorKind::StepTwice { party: None, step, instrument } => {
                write!(f, "`{step}` on `{instrument}` is given twice in this scenario")
            }
            ScenarioErrorKind::UnknownInstrument(id) => write!(f, "unknown instrument `{id}`"),
            ScenarioErrorKind::UnknownFact(k) => write!(f, "unknown kind of fact `{k}`"),
            ScenarioErrorKind::UnknownAction(a) => write!(f, "unknown action `{a}`"),
            ScenarioErrorKind::NoSuchRole { name, role } => write!(f, "`{name}` has no role `{role}`"),
            ScenarioErrorKind::UnknownParty(code) => write!(f, "unknown party `{code}`"),
            ScenarioErrorKind::PartyAlias { code, write } => write!(f, "`{code}` is written `{write}` in these rules"),
            ScenarioErrorKind::PartyNotThen { code, on } => write!(f, "`{code}` names no state on {on}"),
            ScenarioErrorKind::UnknownPlace(place) => write!(f, "unknown place `{place}`"),
            ScenarioErrorKind::NotAscii(code) => write!(
                f,
                "`{code}` is not a party code: codes are written in ASCII letters, digits and `_`, as in the rule files"
            ),
            ScenarioErrorKind::UnreadableRules { entry, resolved, why } => {
                write!(f, "cannot read the rules `{entry}` at `{resolved}`: {why}")
            }
            ScenarioErrorKind::PlaceRelation(kind) => {
                write!(f, "`{kind}` is fixed by the place declarations of the rules, not by a scenario")
            }
        }
    }
}

impl ScenarioError {
    /// `kind` at `at`, with `help`.
    pub fn new(kind: ScenarioErrorKind, at: Span, help: Option<String>) -> ScenarioError {
        ScenarioError { kind, places: vec![LabeledSpan::new_primary_with_span(None, at)], help }
    }

    /// Adds a second place that explains the first.
    pub fn also(mut self, at: Span, note: &str) -> ScenarioError {
        self.places.push(LabeledSpan::new_with_span(Some(note.to_string()), at));
        self
    }
}

/// A party that acts while no instrument binds it: its act can perform or break no norm (a
/// warning).
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("no instrument binds `{party}` {when}")]
#[diagnostic(
    code("casus::unbound-party"),
    severity(Warning),
    help("its act can perform or break no norm; check the code, the dates, or the instruments' records")
)]
pub struct UnboundParty {
    /// The party.
    pub party: String,
    /// The days, in words.
    pub when: String,
    /// Where it is named.
    #[label]
    pub at: Span,
}

/// An act's value that no rule names, a letter or two from an item a category lists (a
/// warning): a shipment of `artilery_shells` falls under no ban on `register_arms`.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("no rule or category names `{value}`")]
#[diagnostic(code("casus::unknown-item"), severity(Warning))]
pub struct UnknownItem {
    /// The value as written.
    pub value: String,
    /// Where.
    #[label("no ban on a category can match it")]
    pub at: Span,
    /// The item it may have been meant to be.
    #[help]
    pub help: String,
}
