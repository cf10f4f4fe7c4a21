//! Reading a scenario: the RON tree's top level by hand, each event and expectation with serde,
//! then the checks serde cannot make (dates, intervals), every problem collected.

use std::cell::RefCell;

use serde::Deserialize;

use super::de::{DeError, Node, Spanned};
use super::error::{ScenarioError, ScenarioErrorKind as Kind};
use super::ron::{self, Value, ValueKind};
use super::{Amounts, Args, Event, EventKind, ExpectKind, Expectation, NormQuery, Scenario};
use crate::calendar::Day;
use crate::outcome::{ConflictKind, Status};
use casus_syntax::ast::{DatedKind, Modality, StatusKind};
use casus_syntax::parse::MAX_AMOUNT;
use casus_syntax::source::{FileId, Span};
use casus_syntax::suggest::nearest;

/// The fields of `Scenario(...)`.
const FIELDS: &[&str] = &["title", "description", "rules", "as_of", "assume_compliance", "events", "expect"];

/// What could be read of a scenario with problems: the problems, its rules and its events.
type Partial = (Vec<ScenarioError>, Vec<Spanned<String>>, Vec<Event>);

/// Reads a whole scenario, or every problem found in it.
pub(super) fn scenario(text: &str) -> Result<Scenario, Partial> {
    let mut r = Reader::default();
    // The events are read one at a time as the text is, each into an event at once: a scenario
    // of a million events is never held whole as a tree.
    let mut streamed = Vec::new();
    let mut each = |v: Value| {
        if let Some(e) = r.one_event(&v) {
            streamed.push(e);
        }
    };
    let (tree, streamed_at) = ron::read_streaming(text, Some(("events", &mut each)))
        .map_err(|e| (vec![syntax(e)], Vec::new(), Vec::new()))?;
    let fields: &[(ron::Name, Value)] = match &tree.kind {
        ValueKind::Struct { name, fields } if name.as_ref().is_none_or(|n| n.text == "Scenario") => fields,
        _ => {
            let found = tree.kind.describe();
            let message =
                format!("expected `Scenario(title: ..., as_of: ..., events: [...], expect: [...])`, found {found}");
            return Err((vec![ScenarioError::new(Kind::Syntax(message), tree.span, None)], Vec::new(), Vec::new()));
        }
    };
    let mut title = None;
    let mut description = String::new();
    let mut rules = Vec::new();
    let mut as_of = None;
    let mut assume_compliance = false;
    let mut events = Vec::new();
    let mut expect = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in fields {
        if seen.contains(&name.text) {
            r.error(Kind::Shape(super::de::DeErrorKind::DuplicateField { field: name.text.to_string() }), name.span);
            continue;
        }
        seen.push(name.text);
        match name.text {
            "title" => title = r.read::<String>(value),
            "description" => description = r.read::<String>(value).unwrap_or_default(),
            "rules" => rules = r.read::<Vec<Spanned<String>>>(value).unwrap_or_default(),
            "as_of" => as_of = r.read::<Spanned<String>>(value).and_then(|d| r.date(&d)),
            "assume_compliance" => assume_compliance = r.read::<bool>(value).unwrap_or_default(),
            "events" if streamed_at == Some(value.span) => events = std::mem::take(&mut streamed),
            "events" => events = r.list(value, Reader::one_event),
            "expect" => expect = r.list(value, |r, v| r.read::<RawExpect>(v).and_then(|e| r.expectation(e, v.span))),
            other => {
                let kind = super::de::DeErrorKind::UnknownField {
                    field: other.to_string(),
                    of: Some("Scenario".to_string()),
                    nearest: nearest(other, FIELDS.iter().copied()),
                    known: FIELDS,
                };
                r.error(Kind::Shape(kind), name.span);
            }
        }
    }
    let whole = match &tree.kind {
        ValueKind::Struct { name: Some(n), .. } => n.span,
        _ => Span::new(tree.span.start, tree.span.start + 1),
    };
    for (field, given) in
        [("title", title.is_some() || seen.contains(&"title")), ("as_of", as_of.is_some() || seen.contains(&"as_of"))]
    {
        if !given {
            let kind = super::de::DeErrorKind::MissingField { field, of: Some("Scenario".to_string()) };
            r.error(Kind::Shape(kind), whole);
        }
    }
    let (Some(title), Some(as_of)) = (title, as_of) else { return Err((r.errors, rules, events)) };
    if !r.errors.is_empty() {
        return Err((r.errors, rules, events));
    }
    Ok(Scenario {
        file: FileId(0),
        title,
        description,
        rules,
        as_of,
        assume_compliance,
        events,
        expect,
        without: Vec::new(),
        budget: super::DEFAULT_BUDGET,
    })
}

/// Reads one event alone.
pub(super) fn event(text: &str) -> Result<Event, Vec<ScenarioError>> {
    let tree = ron::read(text).map_err(|e| vec![syntax(e)])?;
    let mut r = Reader::default();
    let event = r.one_event(&tree);
    match event {
        Some(e) if r.errors.is_empty() => Ok(e),
        _ => Err(r.errors),
    }
}

fn syntax(e: ron::RonError) -> ScenarioError {
    let help = "scenarios are RON files: `Scenario(title: ..., as_of: ..., events: [...], expect: [...])`, as docs/scenarios.md shows";
    ScenarioError::new(Kind::Syntax(e.message), e.at, Some(help.to_string()))
}

/// What reading has found wrong so far.
#[derive(Default)]
struct Reader {
    errors: Vec<ScenarioError>,
}

impl Reader {
    fn error(&mut self, kind: Kind, at: Span) {
        let help = match &kind {
            Kind::Shape(k) => k.help(),
            _ => None,
        };
        self.errors.push(ScenarioError::new(kind, at, help));
    }

    fn de_error(&mut self, e: DeError, whole: Span) {
        self.error(Kind::Shape(e.kind), e.at.unwrap_or(whole));
    }

    /// Reads a value with serde: the value, or `None` with the problems noted.
    fn read<T: serde::de::DeserializeOwned>(&mut self, value: &Value) -> Option<T> {
        let skipped = RefCell::new(Vec::new());
        let read = T::deserialize(Node::new(value, &skipped));
        for e in skipped.into_inner() {
            self.de_error(e, value.span);
        }
        match read {
            Ok(v) => Some(v),
            Err(e) => {
                self.de_error(e, value.span);
                None
            }
        }
    }

    /// Each element of a list, read alone, so that one bad element does not hide the others.
    fn list<T>(&mut self, value: &Value, mut each: impl FnMut(&mut Reader, &Value) -> Option<T>) -> Vec<T> {
        let ValueKind::List(items) = &value.kind else {
            let found = value.kind.describe();
            self.error(
                Kind::Shape(super::de::DeErrorKind::Expected { expected: "a list `[...]`".into(), found }),
                value.span,
            );
            return Vec::new();
        };
        items.iter().filter_map(|v| each(self, v)).collect()
    }

    fn date(&mut self, d: &Spanned<String>) -> Option<Day> {
        match Day::parse(d) {
            Ok(day) => Some(day),
            Err(m) => {
                self.error(Kind::Date(m), d.span);
                None
            }
        }
    }

    fn dates(&mut self, d: Option<Spanned<String>>) -> Option<Option<Day>> {
        match d {
            None => Some(None),
            Some(d) => self.date(&d).map(Some),
        }
    }

    /// `until` after `from`.
    fn interval(&mut self, from: Day, until: Option<(Day, Span)>) -> Option<Option<Day>> {
        match until {
            Some((u, at)) if u <= from => {
                self.error(Kind::EndsBeforeStart { from: from.to_string(), until: u.to_string() }, at);
                None
            }
            _ => Some(until.map(|(u, _)| u)),
        }
    }

    fn args(&mut self, args: Args) -> Option<Args> {
        let (args, ok) = self.sorted_once(args, Kind::RoleTwice);
        ok.then_some(args)
    }

    /// A map's entries sorted by name, each name once: a name given twice is reported with
    /// `twice`. Whether none was.
    fn sorted_once<V>(
        &mut self,
        mut entries: Vec<(Spanned<String>, V)>,
        twice: fn(String) -> Kind,
    ) -> (Vec<(Spanned<String>, V)>, bool) {
        entries.sort_by(|a, b| a.0.value.cmp(&b.0.value));
        let mut ok = true;
        for pair in entries.windows(2) {
            if let [(a, _), (b, _)] = pair
                && a.value == b.value
            {
                self.error(twice(b.value.clone()), b.span);
                ok = false;
            }
        }
        (entries, ok)
    }

    /// An act's amounts: each unit once, each amount at most [`MAX_AMOUNT`], sorted by unit.
    fn amounts(&mut self, amounts: Vec<(Spanned<String>, Spanned<u64>)>) -> Option<Amounts> {
        let (amounts, mut ok) = self.sorted_once(amounts, Kind::UnitTwice);
        for (_, n) in &amounts {
            if n.value > MAX_AMOUNT {
                self.error(Kind::AmountTooLarge(n.value), n.span);
                ok = false;
            }
        }
        ok.then(|| amounts.into_iter().map(|(unit, n)| (unit, n.value)).collect())
    }

    /// A party code, written as a rule file would write it: ASCII letters, digits and `_`.
    fn code(&mut self, party: &Spanned<String>) -> bool {
        let ascii = !party.is_empty() && party.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ascii {
            self.error(Kind::NotAscii(party.value.clone()), party.span);
        }
        ascii
    }

    /// An event written as `value`, or `None` with its problems noted.
    fn one_event(&mut self, value: &Value) -> Option<Event> {
        self.read::<RawEvent>(value).and_then(|e| self.event(e, value.span))
    }

    fn event(&mut self, raw: RawEvent, span: Span) -> Option<Event> {
        let status = |r: &mut Reader, party: Spanned<String>, instrument, step, on: Spanned<String>| {
            let code = r.code(&party);
            let on = r.date(&on)?;
            code.then_some(EventKind::Status { party, instrument, step, on })
        };
        let dated = |r: &mut Reader, instrument, step, on: Spanned<String>| {
            Some(EventKind::Dated { instrument, step, on: r.date(&on)? })
        };
        let kind = match raw {
            RawEvent::Fact { kind, args, from, until, source } => {
                let args = self.args(args.0);
                let from = self.date(&from);
                let until_span = until.as_ref().map(|u| u.span);
                let until = self.dates(until);
                let (from, until) = (from?, until?);
                let until = self.interval(from, until.zip(until_span))?;
                EventKind::Fact { kind, args: args?, from, until, source }
            }
            RawEvent::Act { party, action, args, amount, on, from, until, source } => {
                let code = self.code(&party);
                let args = self.args(args.0);
                let amount = self.amounts(amount.0);
                let (from, until) = match (on, from) {
                    (Some(on), None) if until.is_none() => {
                        let on = self.date(&on)?;
                        (on, Some(on.next()))
                    }
                    (None, Some(from)) => {
                        let from = self.date(&from);
                        let until_span = until.as_ref().map(|u| u.span);
                        let until = self.dates(until);
                        let (from, until) = (from?, until?);
                        (from, self.interval(from, until.zip(until_span))?)
                    }
                    _ => {
                        self.error(Kind::ActDays, span);
                        return None;
                    }
                };
                if !code {
                    return None;
                }
                EventKind::Act { party, action, args: args?, amount: amount?, from, until, source }
            }
            RawEvent::Sign { party, instrument, on } => status(self, party, instrument, StatusKind::Signed, on)?,
            RawEvent::Ratify { party, instrument, on } => status(self, party, instrument, StatusKind::Ratified, on)?,
            RawEvent::Accede { party, instrument, on } => status(self, party, instrument, StatusKind::Acceded, on)?,
            RawEvent::Withdraw { party, instrument, on } => status(self, party, instrument, StatusKind::Withdrew, on)?,
            RawEvent::Suspend { party, instrument, on } => status(self, party, instrument, StatusKind::Suspended, on)?,
            RawEvent::Leave { party, instrument, on } => status(self, party, instrument, StatusKind::Left, on)?,
            RawEvent::Exchange { instrument, on } => dated(self, instrument, DatedKind::Exchanged, on)?,
            RawEvent::Adopt { instrument, on } => dated(self, instrument, DatedKind::Adopted, on)?,
            RawEvent::Terminate { instrument, on } => dated(self, instrument, DatedKind::Terminated, on)?,
        };
        Some(Event { kind, span })
    }

    fn expectation(&mut self, raw: RawExpect, span: Span) -> Option<Expectation> {
        let (kind, on) = match raw {
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
                let due = self.dates(due);
                let on = self.dates(on);
                let query = NormQuery {
                    party,
                    modality: modality.map(RawModality::into_modality),
                    action,
                    args,
                    instrument,
                    article,
                    status,
                    due: due?,
                    assumed,
                    absent,
                };
                (ExpectKind::Norm(query), on?)
            }
            RawExpect::InForce { instrument, on } => (ExpectKind::InForce(instrument), self.dates(on)?),
            RawExpect::NotInForce { instrument, on } => (ExpectKind::NotInForce(instrument), self.dates(on)?),
            RawExpect::Bound { party, instrument, on } => (ExpectKind::Bound { party, instrument }, self.dates(on)?),
            RawExpect::NotBound { party, instrument, on } => {
                (ExpectKind::NotBound { party, instrument }, self.dates(on)?)
            }
            RawExpect::Conflict { party, kind, instrument, prevails, included, on, absent } => {
                let kind = match kind {
                    None => Some(None),
                    Some(k) => match k.as_str() {
                        "direct" => Some(Some(ConflictKind::Direct)),
                        "partial" => Some(Some(ConflictKind::Partial)),
                        other => {
                            let help = "a conflict is `direct` or `partial`".to_string();
                            self.errors.push(ScenarioError::new(
                                Kind::ConflictKind(other.to_string()),
                                k.span,
                                Some(help),
                            ));
                            None
                        }
                    },
                };
                let on = self.dates(on);
                (ExpectKind::Conflict { party, kind: kind?, instrument, prevails, included, absent }, on?)
            }
            RawExpect::Violation { party, instrument, article, action, on, absent } => {
                (ExpectKind::Violation { party, instrument, article, action, absent }, self.dates(on)?)
            }
            RawExpect::BeyondCap { party, instrument, article, shipped, excess, total, on, absent } => {
                let shipped = self.dates(shipped);
                let on = self.dates(on);
                (ExpectKind::BeyondCap { party, instrument, article, shipped: shipped?, excess, total, absent }, on?)
            }
        };
        Some(Expectation { kind, on, span })
    }
}

/// A map written `{"name": value, ...}`, each name and value with its place: the arguments of
/// a fact or act (values are strings) and an act's amounts (whole numbers).
struct RawMap<V>(Vec<(Spanned<String>, Spanned<V>)>);

impl<V> Default for RawMap<V> {
    fn default() -> Self {
        RawMap(Vec::new())
    }
}

/// What a map of these values is, for a message.
trait MapOf {
    const WHAT: &'static str;
}

impl MapOf for String {
    const WHAT: &'static str = "a map of roles to values";
}

impl MapOf for u64 {
    const WHAT: &'static str = "a map of units to whole numbers, such as {\"barrels\": 150000}";
}

impl<'de, V: Deserialize<'de> + MapOf> Deserialize<'de> for RawMap<V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de> + MapOf> serde::de::Visitor<'de> for MapVisitor<V> {
            type Value = RawMap<V>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(V::WHAT)
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<RawMap<V>, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<Spanned<String>, Spanned<V>>()? {
                    out.push((k, v));
                }
                Ok(RawMap(out))
            }
        }
        d.deserialize_map(MapVisitor(std::marker::PhantomData))
    }
}

/// The arguments of a fact or act: `{"role": "value", ...}`.
type RawArgs = RawMap<String>;

/// An act's amounts: `{"barrels": 150000, ...}`.
type RawAmounts = RawMap<u64>;

/// An event as written.
#[derive(Deserialize)]
enum RawEvent {
    Fact {
        kind: Spanned<String>,
        #[serde(default)]
        args: RawArgs,
        from: Spanned<String>,
        #[serde(default)]
        until: Option<Spanned<String>>,
        #[serde(default)]
        source: Option<String>,
    },
    Act {
        party: Spanned<String>,
        action: Spanned<String>,
        #[serde(default)]
        args: RawArgs,
        #[serde(default)]
        amount: RawAmounts,
        #[serde(default)]
        on: Option<Spanned<String>>,
        #[serde(default)]
        from: Option<Spanned<String>>,
        #[serde(default)]
        until: Option<Spanned<String>>,
        #[serde(default)]
        source: Option<String>,
    },
    Sign {
        party: Spanned<String>,
        instrument: Spanned<String>,
        on: Spanned<String>,
    },
    Ratify {
        party: Spanned<String>,
        instrument: Spanned<String>,
        on: Spanned<String>,
    },
    Accede {
        party: Spanned<String>,
        instrument: Spanned<String>,
        on: Spanned<String>,
    },
    Withdraw {
        party: Spanned<String>,
        instrument: Spanned<String>,
        on: Spanned<String>,
    },
    Suspend {
        party: Spanned<String>,
        instrument: Spanned<String>,
        on: Spanned<String>,
    },
    Leave {
        party: Spanned<String>,
        instrument: Spanned<String>,
        on: Spanned<String>,
    },
    Exchange {
        instrument: Spanned<String>,
        on: Spanned<String>,
    },
    Adopt {
        instrument: Spanned<String>,
        on: Spanned<String>,
    },
    Terminate {
        instrument: Spanned<String>,
        on: Spanned<String>,
    },
}

/// A modality as an expectation names it.
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

/// An expectation as written.
#[derive(Deserialize)]
enum RawExpect {
    Norm {
        party: String,
        #[serde(default)]
        modality: Option<RawModality>,
        #[serde(default)]
        action: Option<String>,
        #[serde(default)]
        args: std::collections::BTreeMap<String, String>,
        #[serde(default)]
        instrument: Option<String>,
        #[serde(default)]
        article: Option<String>,
        #[serde(default)]
        status: Option<Status>,
        #[serde(default)]
        due: Option<Spanned<String>>,
        #[serde(default)]
        assumed: Option<bool>,
        #[serde(default)]
        on: Option<Spanned<String>>,
        #[serde(default)]
        absent: bool,
    },
    InForce {
        instrument: String,
        #[serde(default)]
        on: Option<Spanned<String>>,
    },
    NotInForce {
        instrument: String,
        #[serde(default)]
        on: Option<Spanned<String>>,
    },
    Bound {
        party: String,
        instrument: String,
        #[serde(default)]
        on: Option<Spanned<String>>,
    },
    NotBound {
        party: String,
        instrument: String,
        #[serde(default)]
        on: Option<Spanned<String>>,
    },
    Conflict {
        party: String,
        #[serde(default)]
        kind: Option<Spanned<String>>,
        #[serde(default)]
        instrument: Option<String>,
        #[serde(default)]
        prevails: Option<String>,
        #[serde(default)]
        included: Option<String>,
        #[serde(default)]
        on: Option<Spanned<String>>,
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
        on: Option<Spanned<String>>,
        #[serde(default)]
        absent: bool,
    },
    BeyondCap {
        party: String,
        #[serde(default)]
        instrument: Option<String>,
        #[serde(default)]
        article: Option<String>,
        #[serde(default)]
        shipped: Option<Spanned<String>>,
        #[serde(default)]
        excess: Option<u64>,
        #[serde(default)]
        total: Option<u64>,
        #[serde(default)]
        on: Option<Spanned<String>>,
        #[serde(default)]
        absent: bool,
    },
}
