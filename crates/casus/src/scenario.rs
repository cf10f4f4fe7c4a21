//! Scenario files: RON per DESIGN §4, read with serde.
//!
//! A scenario names its rules, a date, events and expectations. Reading one never panics: a
//! malformed file is one diagnostic with the file, line and column. Every event and expectation
//! keeps the place it was written, so that test failures and explanations can point at it.

use std::collections::BTreeMap;

use serde::Deserialize;

use casus_syntax::ast::{DatedKind, Modality, StatusKind};

use crate::calendar::Day;
use crate::eval::Status as NormStatus;
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
    /// Rule files or folders, relative to the scenario file.
    pub rules: Vec<String>,
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
    pub without: Vec<String>,
}

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
        kind: String,
        /// Its arguments.
        args: BTreeMap<String, String>,
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
        party: String,
        /// What.
        action: String,
        /// With which arguments.
        args: BTreeMap<String, String>,
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
        party: String,
        /// Which instrument.
        instrument: String,
        /// Which step.
        step: StatusKind,
        /// When.
        on: Day,
    },
    /// Ratifications are exchanged, a resolution adopted, an instrument terminated.
    Dated {
        /// Which instrument.
        instrument: String,
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
        /// `direct` or `partial`.
        kind: Option<String>,
        /// An instrument on either side.
        instrument: Option<String>,
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
    pub status: Option<String>,
    /// The due date of the latest episode.
    pub due: Option<Day>,
    /// Whether it was fulfilled by an assumed act.
    pub assumed: Option<bool>,
    /// No such norm.
    pub absent: bool,
}

/// Reads a scenario from its text.
pub fn parse(file: FileId, source: &SourceFile) -> Result<Scenario, Diagnostic> {
    let options = ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let raw: RawScenario = options.from_str(&source.text).map_err(|e| ron_error(file, source, &e))?;
    let outline = outline(&source.text);
    let at = |list: &[usize], n: usize| {
        let start = list.get(n).copied().unwrap_or(0);
        Span::new(start, start + 1)
    };
    let cx = Cx { file };
    let whole = Span::new(0, 0);
    let mut events = Vec::new();
    for (n, e) in raw.events.into_iter().enumerate() {
        let span = at(&outline.events, n);
        events.push(Event { kind: e.into_kind(&cx, span)?, span });
    }
    let mut expect = Vec::new();
    for (n, e) in raw.expect.into_iter().enumerate() {
        let span = at(&outline.expect, n);
        expect.push(e.into_expectation(&cx, span)?);
    }
    Ok(Scenario {
        file,
        title: raw.title,
        description: raw.description,
        rules: raw.rules,
        as_of: cx.date(&raw.as_of, whole)?,
        assume_compliance: raw.assume_compliance,
        events,
        expect,
        without: Vec::new(),
    })
}

/// Reads one event, as written in a scenario's `events` list (for `casus eval --with`).
pub fn parse_event(file: FileId, source: &SourceFile) -> Result<Event, Diagnostic> {
    let options = ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let raw: RawEvent = options.from_str(&source.text).map_err(|e| ron_error(file, source, &e))?;
    let span = Span::new(0, source.text.len());
    Ok(Event { kind: raw.into_kind(&Cx { file }, span)?, span })
}

fn ron_error(file: FileId, source: &SourceFile, e: &ron::error::SpannedError) -> Diagnostic {
    let offset = offset_of(source, e.span.start.line, e.span.start.col);
    let message = e.code.to_string();
    let mut chars = message.chars();
    let message: String = match chars.next() {
        Some(f) => f.to_lowercase().chain(chars).collect(),
        None => message,
    };
    let message = message.trim_end_matches('.').to_string();
    Diagnostic::error("casus::scenario", file, Span::new(offset, offset + 1), message)
        .with_help("scenarios are RON files laid out as in DESIGN §4: `Scenario(title: ..., as_of: ..., events: [...], expect: [...])`")
}

/// The byte offset of a one-based line and character column.
fn offset_of(source: &SourceFile, line: usize, col: usize) -> usize {
    let text = &source.text;
    let line_start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let rest = text.get(line_start..).unwrap_or("");
    let within: usize = rest.chars().take(col.saturating_sub(1)).take_while(|c| *c != '\n').map(char::len_utf8).sum();
    (line_start + within).min(text.len().saturating_sub(1))
}

#[derive(Deserialize)]
#[serde(rename = "Scenario", deny_unknown_fields)]
struct RawScenario {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    rules: Vec<String>,
    as_of: String,
    #[serde(default)]
    assume_compliance: bool,
    #[serde(default)]
    events: Vec<RawEvent>,
    #[serde(default)]
    expect: Vec<RawExpect>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
enum RawEvent {
    Fact {
        kind: String,
        #[serde(default)]
        args: BTreeMap<String, String>,
        from: String,
        #[serde(default)]
        until: Option<String>,
        #[serde(default)]
        source: Option<String>,
    },
    Act {
        party: String,
        action: String,
        #[serde(default)]
        args: BTreeMap<String, String>,
        #[serde(default)]
        on: Option<String>,
        #[serde(default)]
        from: Option<String>,
        #[serde(default)]
        until: Option<String>,
        #[serde(default)]
        source: Option<String>,
    },
    Sign {
        party: String,
        instrument: String,
        on: String,
    },
    Ratify {
        party: String,
        instrument: String,
        on: String,
    },
    Accede {
        party: String,
        instrument: String,
        on: String,
    },
    Withdraw {
        party: String,
        instrument: String,
        on: String,
    },
    Suspend {
        party: String,
        instrument: String,
        on: String,
    },
    Leave {
        party: String,
        instrument: String,
        on: String,
    },
    Exchange {
        instrument: String,
        on: String,
    },
    Adopt {
        instrument: String,
        on: String,
    },
    Terminate {
        instrument: String,
        on: String,
    },
}

/// What reading a scenario's items needs: the file, for diagnostics.
struct Cx {
    file: FileId,
}

impl Cx {
    fn error(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error("casus::scenario", self.file, span, message)
    }

    fn date(&self, text: &str, span: Span) -> Result<Day, Diagnostic> {
        Day::parse(text).map_err(|m| self.error(span, m))
    }

    fn dates(&self, text: Option<String>, span: Span) -> Result<Option<Day>, Diagnostic> {
        text.map(|t| self.date(&t, span)).transpose()
    }

    fn interval(&self, from: Day, until: Option<Day>, span: Span) -> Result<(), Diagnostic> {
        match until {
            Some(u) if u <= from => Err(self.error(
                span,
                format!(
                    "this interval ends ({u}) before it starts ({from}); `until` is the first day it no longer holds"
                ),
            )),
            _ => Ok(()),
        }
    }
}

impl RawEvent {
    fn into_kind(self, cx: &Cx, span: Span) -> Result<EventKind, Diagnostic> {
        let status = |party: String, instrument: String, step, on: &str| -> Result<EventKind, Diagnostic> {
            Ok(EventKind::Status { party, instrument, step, on: cx.date(on, span)? })
        };
        let dated = |instrument: String, step, on: &str| -> Result<EventKind, Diagnostic> {
            Ok(EventKind::Dated { instrument, step, on: cx.date(on, span)? })
        };
        Ok(match self {
            RawEvent::Fact { kind, args, from, until, source } => {
                let from = cx.date(&from, span)?;
                let until = cx.dates(until, span)?;
                cx.interval(from, until, span)?;
                EventKind::Fact { kind, args, from, until, source }
            }
            RawEvent::Act { party, action, args, on, from, until, source } => {
                let (from, until) = match (on, from) {
                    (Some(on), None) if until.is_none() => {
                        let on = cx.date(&on, span)?;
                        (on, Some(on.next()))
                    }
                    (None, Some(from)) => (cx.date(&from, span)?, cx.dates(until, span)?),
                    _ => {
                        return Err(
                            cx.error(span, "an act takes either `on` (one day) or `from` with an optional `until`")
                        );
                    }
                };
                cx.interval(from, until, span)?;
                EventKind::Act { party, action, args, from, until, source }
            }
            RawEvent::Sign { party, instrument, on } => status(party, instrument, StatusKind::Signed, &on)?,
            RawEvent::Ratify { party, instrument, on } => status(party, instrument, StatusKind::Ratified, &on)?,
            RawEvent::Accede { party, instrument, on } => status(party, instrument, StatusKind::Acceded, &on)?,
            RawEvent::Withdraw { party, instrument, on } => status(party, instrument, StatusKind::Withdrew, &on)?,
            RawEvent::Suspend { party, instrument, on } => status(party, instrument, StatusKind::Suspended, &on)?,
            RawEvent::Leave { party, instrument, on } => status(party, instrument, StatusKind::Left, &on)?,
            RawEvent::Exchange { instrument, on } => dated(instrument, DatedKind::Exchanged, &on)?,
            RawEvent::Adopt { instrument, on } => dated(instrument, DatedKind::Adopted, &on)?,
            RawEvent::Terminate { instrument, on } => dated(instrument, DatedKind::Terminated, &on)?,
        })
    }
}

/// A modality as an expectation names it: `Must`, `MustNot`, `May`.
#[derive(Deserialize)]
enum RawModality {
    Must,
    MustNot,
    May,
}

impl RawModality {
    fn into_modality(self) -> Modality {
        match self {
            RawModality::Must => Modality::Must,
            RawModality::MustNot => Modality::MustNot,
            RawModality::May => Modality::May,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
enum RawExpect {
    Norm {
        party: String,
        #[serde(default)]
        modality: Option<RawModality>,
        #[serde(default)]
        action: Option<String>,
        #[serde(default)]
        args: BTreeMap<String, String>,
        #[serde(default)]
        instrument: Option<String>,
        #[serde(default)]
        article: Option<String>,
        #[serde(default)]
        status: Option<NormStatus>,
        #[serde(default)]
        due: Option<String>,
        #[serde(default)]
        assumed: Option<bool>,
        #[serde(default)]
        on: Option<String>,
        #[serde(default)]
        absent: bool,
    },
    InForce {
        instrument: String,
        #[serde(default)]
        on: Option<String>,
    },
    NotInForce {
        instrument: String,
        #[serde(default)]
        on: Option<String>,
    },
    Bound {
        party: String,
        instrument: String,
        #[serde(default)]
        on: Option<String>,
    },
    NotBound {
        party: String,
        instrument: String,
        #[serde(default)]
        on: Option<String>,
    },
    Conflict {
        party: String,
        #[serde(default)]
        kind: Option<String>,
        #[serde(default)]
        instrument: Option<String>,
        #[serde(default)]
        on: Option<String>,
        #[serde(default)]
        absent: bool,
    },
    Violation {
        party: String,
        #[serde(default)]
        instrument: Option<String>,
        #[serde(default)]
        article: Option<String>,
        #[serde(default)]
        action: Option<String>,
        #[serde(default)]
        on: Option<String>,
        #[serde(default)]
        absent: bool,
    },
}

impl RawExpect {
    fn into_expectation(self, cx: &Cx, span: Span) -> Result<Expectation, Diagnostic> {
        let on_of = |on: Option<String>| cx.dates(on, span);
        let (kind, on) = match self {
            RawExpect::Norm {
                party,
                modality,
                action,
                args,
                instrument,
                article,
                status,
                due,
                assumed,
                on,
                absent,
            } => {
                let due = cx.dates(due, span)?;
                let status = status.map(|s| s.name().to_string());
                (
                    ExpectKind::Norm(NormQuery {
                        party,
                        modality: modality.map(RawModality::into_modality),
                        action,
                        args,
                        instrument,
                        article,
                        status,
                        due,
                        assumed,
                        absent,
                    }),
                    on_of(on)?,
                )
            }
            RawExpect::InForce { instrument, on } => (ExpectKind::InForce(instrument), on_of(on)?),
            RawExpect::NotInForce { instrument, on } => (ExpectKind::NotInForce(instrument), on_of(on)?),
            RawExpect::Bound { party, instrument, on } => (ExpectKind::Bound { party, instrument }, on_of(on)?),
            RawExpect::NotBound { party, instrument, on } => (ExpectKind::NotBound { party, instrument }, on_of(on)?),
            RawExpect::Conflict { party, kind, instrument, on, absent } => {
                (ExpectKind::Conflict { party, kind, instrument, absent }, on_of(on)?)
            }
            RawExpect::Violation { party, instrument, article, action, on, absent } => {
                (ExpectKind::Violation { party, instrument, article, action, absent }, on_of(on)?)
            }
        };
        Ok(Expectation { kind, on, span })
    }
}

/// Where the elements of the `events` and `expect` lists start.
#[derive(Debug, Default)]
struct Outline {
    events: Vec<usize>,
    expect: Vec<usize>,
}

/// Scans RON text for the start of each element of the top-level `events` and `expect` lists,
/// skipping strings and comments. Only called on text serde has already accepted.
fn outline(text: &str) -> Outline {
    let bytes = text.as_bytes();
    let mut out = Outline::default();
    let mut depth = 0usize;
    let mut field: Option<&str> = None;
    let mut list: Option<&str> = None;
    let mut expecting_element = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i += bytes.get(i..).map_or(0, |r| r.iter().position(|&c| c == b'\n').unwrap_or(r.len()));
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                let mut nest = 1;
                while nest > 0 && i < bytes.len() {
                    if bytes.get(i..i + 2) == Some(b"/*") {
                        nest += 1;
                        i += 2;
                    } else if bytes.get(i..i + 2) == Some(b"*/") {
                        nest -= 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            c if c.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => {}
        }
        if expecting_element && depth == 2 && b != b']' {
            match list {
                Some("events") => out.events.push(i),
                Some("expect") => out.expect.push(i),
                _ => {}
            }
            expecting_element = false;
        }
        match b {
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    i += 1;
                    if c == b'\\' {
                        i += 1;
                    } else if c == b'"' {
                        break;
                    }
                }
                continue;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth == 2 && b == b'[' {
                    list = field;
                    expecting_element = true;
                }
            }
            b')' | b']' | b'}' => {
                if depth == 2 {
                    list = None;
                    expecting_element = false;
                }
                depth = depth.saturating_sub(1);
            }
            b',' if depth == 2 && list.is_some() => expecting_element = true,
            c if depth == 1 && (c.is_ascii_alphabetic() || c == b'_') => {
                let n = bytes
                    .get(i..)
                    .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count());
                field = text.get(i..i + n);
                i += n;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outline_finds_each_element_past_strings_and_comments() {
        let text = r#"Scenario( // a ( comment
    title: "a [ title",
    events: [
        Fact(kind: "x", from: "2024-01-01"), /* ] */
        Act(party: "A", action: "y", on: "2024-01-02"),
    ],
    expect: [InForce(instrument: "t")],
)"#;
        let o = outline(text);
        let starts: Vec<&str> = o.events.iter().map(|&i| &text[i..i + 4]).collect();
        assert_eq!(starts, ["Fact", "Act("]);
        assert_eq!(o.expect.len(), 1);
        assert_eq!(&text[o.expect[0]..o.expect[0] + 7], "InForce");
    }
}
