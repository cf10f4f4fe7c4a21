//! Scenario files: RON, read with serde (`docs/scenarios.md` gives every event and expectation).
//!
//! A scenario names its rules, a date, events and expectations. Reading one never panics, and
//! finds every problem of a file in one run, each at the value that is wrong: the RON is read
//! into a tree that keeps the place of every value ([`ron`]), and serde reads the typed values
//! from it. Every event and expectation keeps the place it was written, and the names it gives
//! keep theirs, so that test failures, explanations and the checks against the rules can point
//! at them.

mod de;
mod error;
mod raw;
mod ron;

use std::collections::BTreeMap;

use casus_syntax::ast::{DatedKind, Modality, StatusKind};

pub use de::Spanned;
pub use error::{ScenarioError, ScenarioErrorKind, UnboundParty, UnknownItem};

use crate::calendar::Day;
use crate::outcome::{ConflictKind, Status};
use crate::program::InstId;
use casus_syntax::diagnostic::Diagnostic;
use casus_syntax::source::{FileId, SourceFile, Span};

/// A scenario: what happened, and what its author expects casus to conclude.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The file it was read from.
    pub file: FileId,
    /// Its title.
    pub title: String,
    /// What it is about.
    pub description: String,
    /// Rule files or folders, relative to the scenario file, each with its place.
    pub rules: Vec<Spanned<String>>,
    /// The date of the report.
    pub as_of: Day,
    /// Whether every due obligation is taken as performed.
    pub assume_compliance: bool,
    /// What happened.
    pub events: Vec<Event>,
    /// What should follow.
    pub expect: Vec<Expectation>,
    /// Instruments to leave out, as if they had never been concluded (set by
    /// `casus eval --without-instrument`; not part of the file).
    pub without: Vec<InstId>,
    /// How many steps its evaluation may take before it stops with an error (`--budget`; not
    /// part of the file): a step is a change point, or a fact a delayed `deem` rule carries to
    /// a later day.
    pub budget: usize,
}

/// How many steps an evaluation takes at most, unless told otherwise: two hundred thousand days
/// on which something changes (more than five centuries of daily events), fewer as delayed
/// rules carry more facts from day to day.
pub const DEFAULT_BUDGET: usize = 200_000;

/// Something that happened, with where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// What.
    pub kind: EventKind,
    /// Where: the start of the event in the scenario file.
    pub span: Span,
}

/// What happened.
#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// A fact holds over `[from, until)`.
    Fact {
        /// Its kind.
        kind: Spanned<String>,
        /// Its arguments, by role.
        args: Args,
        /// The first day.
        from: Day,
        /// The day it stops holding, if it does.
        until: Option<Day>,
        /// Where the scenario's author took it from.
        source: Option<String>,
    },
    /// A party acts on one day, or over `[from, until)`.
    Act {
        /// Who.
        party: Spanned<String>,
        /// What.
        action: Spanned<String>,
        /// With which arguments, by role.
        args: Args,
        /// How much, in each unit given (`amount: {"barrels": 150000}`), sorted by unit.
        amount: Amounts,
        /// The first day.
        from: Day,
        /// The day after the last, if it ends.
        until: Option<Day>,
        /// Where the scenario's author took it from.
        source: Option<String>,
    },
    /// A party signs, ratifies, accedes to, withdraws from or suspends an instrument.
    Status {
        /// Who.
        party: Spanned<String>,
        /// Which instrument.
        instrument: Spanned<String>,
        /// Which step.
        step: StatusKind,
        /// When.
        on: Day,
    },
    /// Ratifications are exchanged, a resolution adopted, an instrument terminated.
    Dated {
        /// Which instrument.
        instrument: Spanned<String>,
        /// Which step.
        step: DatedKind,
        /// When.
        on: Day,
    },
}

/// An expected conclusion, with where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    /// What is expected.
    pub kind: ExpectKind,
    /// The date it is checked as of (the scenario's `as_of` when not given).
    pub on: Option<Day>,
    /// Where it is written.
    pub span: Span,
}

/// What is expected.
#[derive(Clone, Debug, PartialEq)]
pub enum ExpectKind {
    /// A norm (or, with `absent`, no such norm) in the report.
    Norm(NormQuery),
    /// The instrument is in force that day.
    InForce(String),
    /// The instrument is not in force that day.
    NotInForce(String),
    /// The party is bound by the instrument that day.
    Bound {
        /// The party.
        party: String,
        /// The instrument.
        instrument: String,
    },
    /// The party is not bound by the instrument that day.
    NotBound {
        /// The party.
        party: String,
        /// The instrument.
        instrument: String,
    },
    /// The party faces a conflict (or, with `absent`, none).
    Conflict {
        /// The party.
        party: String,
        /// Direct or partial.
        kind: Option<ConflictKind>,
        /// An instrument on either side.
        instrument: Option<String>,
        /// The instrument that prevails.
        prevails: Option<String>,
        /// For a partial conflict, the action the obligation includes that is forbidden.
        included: Option<String>,
        /// No such conflict.
        absent: bool,
    },
    /// The party violated a prohibition (or, with `absent`, did not).
    Violation {
        /// The party.
        party: String,
        /// The instrument.
        instrument: Option<String>,
        /// The article.
        article: Option<String>,
        /// The action.
        action: Option<String>,
        /// No such violation.
        absent: bool,
    },
    /// An act of the party went beyond a capped prohibition's cap (or, with `absent`, none did).
    BeyondCap {
        /// The party.
        party: String,
        /// The instrument.
        instrument: Option<String>,
        /// The article.
        article: Option<String>,
        /// The act's first day, on which it counts.
        shipped: Option<Day>,
        /// How much of it lies beyond the cap.
        excess: Option<u64>,
        /// The total of its period with it.
        total: Option<u64>,
        /// No such act.
        absent: bool,
    },
}

/// The fields a norm expectation may give; those given must all match.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct NormQuery {
    /// The bearer.
    pub party: String,
    /// Must, must not, may.
    pub modality: Option<Modality>,
    /// The action.
    pub action: Option<String>,
    /// Arguments, matched as a subset.
    pub args: BTreeMap<String, String>,
    /// The instrument.
    pub instrument: Option<String>,
    /// The article.
    pub article: Option<String>,
    /// The status as of the date.
    pub status: Option<Status>,
    /// The due date of the latest episode.
    pub due: Option<Day>,
    /// Whether it was fulfilled by an assumed act.
    pub assumed: Option<bool>,
    /// No such norm.
    pub absent: bool,
}

/// The arguments of a fact or act: each role once, with its value, in the order of the roles.
pub type Args = Vec<(Spanned<String>, Spanned<String>)>;

/// An act's amounts: each unit with its place, and the whole number of that unit.
pub type Amounts = Vec<(Spanned<String>, u64)>;

/// A scenario that could not be read: every problem found in it, and what could be read of it,
/// so that the events that were read can still be checked against the rules.
#[derive(Clone, Debug)]
pub struct Rejected {
    /// The scenario's file.
    pub file: FileId,
    /// The problems, sorted by place.
    pub diagnostics: Vec<Diagnostic>,
    /// The rule files or folders it names, as far as they were read, each with its place.
    pub rules: Vec<Spanned<String>>,
    /// The events that were read.
    pub events: Vec<Event>,
}

/// Reads a scenario from its text: the scenario, or every problem found in it.
pub fn parse(file: FileId, source: &SourceFile) -> Result<Scenario, Box<Rejected>> {
    raw::scenario(&source.text).map(|s| Scenario { file, ..s }).map_err(|(errors, rules, events)| {
        Box::new(Rejected { file, diagnostics: diagnostics(file, errors), rules, events })
    })
}

/// Reads one event, as written in a scenario's `events` list (for `casus eval --with`).
pub fn parse_event(file: FileId, source: &SourceFile) -> Result<Event, Vec<Diagnostic>> {
    raw::event(&source.text).map_err(|es| diagnostics(file, es))
}

fn diagnostics(file: FileId, errors: Vec<ScenarioError>) -> Vec<Diagnostic> {
    let mut ds: Vec<Diagnostic> = errors.into_iter().map(|e| Diagnostic::new(file, e)).collect();
    casus_syntax::diagnostic::sort(&mut ds);
    ds
}
