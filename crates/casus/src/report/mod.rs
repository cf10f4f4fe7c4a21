//! Reports: what an evaluation found, as JSON (docs/report.md) for programs and as text for people.
//!
//! Everything is sorted by name, never by the order in which names were first met, so the same
//! inputs give byte-identical output whatever the order of files, rules or events.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::calendar::Day;
use crate::eval::{ConflictKind, ConflictRecord, Evaluation, Interval, NormKey, NormRecord, Status, ViolationRecord};
use crate::intern::Interner;
use crate::program::{CapPeriod, Sym};
use casus_syntax::ast::{InstrumentKind, Modality};

mod diff;
mod json;
mod text;

pub use crate::program::action_text;
pub use crate::program::natural::{Part, natural, parts};
pub use diff::{
    Change, ChangeKind, ConflictChange, ConflictRun, Diff, InstrumentChange, NormState, Periods, ViolationChange,
    ViolationRun,
};
pub use text::{NormSource, grouped, write_text};

/// The report of docs/report.md. `N` holds its norms: a list (the default), or, for writing a large
/// report out, a view of the evaluation that builds each norm's entry as it is serialised.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Report<N = Vec<NormReport>> {
    /// The scenario's title.
    pub scenario: String,
    /// The date of the report.
    pub as_of: Day,
    /// Every instrument, with when it is in force and whom it binds.
    pub instruments: Vec<InstrumentReport>,
    /// Every norm with at least one episode up to `as_of`.
    pub norms: N,
    /// Conflicts, one per run of days.
    pub conflicts: Vec<ConflictReport>,
    /// Prohibitions broken, one per run of days.
    pub violations: Vec<ViolationReport>,
    /// The identity of each entry of `norms`, in the same order (empty in a streamed report).
    #[serde(skip)]
    pub keys: Vec<NormKey>,
    /// The declared roles of each action and kind of fact, for showing arguments in that order.
    #[serde(skip)]
    pub roles: BTreeMap<String, Vec<String>>,
}

/// An instrument in the report.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct InstrumentReport {
    /// Its id.
    pub id: String,
    /// `treaty`, `resolution` or `regime`.
    #[serde(serialize_with = "keyword")]
    pub kind: InstrumentKind,
    /// When it is in force: `until` is the first day after, or `null` when it lasts past `as_of`.
    pub in_force: Vec<Interval>,
    /// Whom it binds, and when.
    pub bound: BTreeMap<String, Vec<Interval>>,
}

/// The arguments of an action or fact, by role: a JSON object with its keys in order. A sorted
/// list rather than a map, since a report may hold hundreds of thousands of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Args(Vec<(Name, Name)>);

/// A name in a report: shared, since hundreds of thousands of norms name the same few hundred
/// parties, actions, roles, instruments and articles.
pub type Name = std::sync::Arc<str>;

impl Args {
    /// The value of a role.
    pub fn get(&self, role: &str) -> Option<&str> {
        self.0.binary_search_by(|(r, _)| (**r).cmp(role)).ok().and_then(|i| self.0.get(i)).map(|(_, v)| &**v)
    }

    /// The roles and values, by role.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(r, v)| (&**r, &**v))
    }
}

impl FromIterator<(Name, Name)> for Args {
    fn from_iter<I: IntoIterator<Item = (Name, Name)>>(pairs: I) -> Args {
        let mut pairs: Vec<(Name, Name)> = pairs.into_iter().collect();
        pairs.sort();
        Args(pairs)
    }
}

impl From<BTreeMap<String, String>> for Args {
    fn from(map: BTreeMap<String, String>) -> Args {
        Args(map.into_iter().map(|(r, v)| (r.into(), v.into())).collect())
    }
}

impl Serialize for Args {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

/// A norm in the report.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct NormReport {
    /// The bearer.
    pub party: Name,
    /// `must`, `must not` or `may`.
    #[serde(serialize_with = "words")]
    pub modality: Modality,
    /// The action.
    pub action: Name,
    /// Its arguments.
    pub args: Args,
    /// The instrument.
    pub instrument: Name,
    /// The article.
    pub article: Name,
    /// Its episodes, oldest first.
    pub episodes: Vec<EpisodeReport>,
    /// Its status as of `as_of`.
    pub status: Status,
    /// The first day of that status: when the act that fulfilled or broke it began, the day
    /// after a missed due date, the day it was overridden or ended, or else the day it began.
    pub since: Day,
    /// Whether only an assumed act fulfilled it.
    pub assumed: bool,
    /// Whether it is a duty to act `forthwith`, by means the party chooses: it has no due date,
    /// and time alone never breaks it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub forthwith: bool,
    /// For a capped prohibition, its cap and the party's acts it counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap: Option<CapReport>,
}

impl NormReport {
    /// Whether a report lists it without being asked for every norm: an obligation, or a norm
    /// broken or overridden. Prohibitions that merely stand and permissions are only counted.
    pub fn listed_by_default(&self) -> bool {
        self.modality == Modality::Must || matches!(self.status, Status::Violated | Status::Overridden)
    }
}

/// A prohibition's cap in the report, with what it counted.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CapReport {
    /// The amount allowed.
    pub amount: u64,
    /// Its unit.
    pub unit: String,
    /// The same cap in another unit, when the text gives one: amounts given only in it count by
    /// the ratio of the two.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub or: Option<OtherUnit>,
    /// Over which periods amounts are summed: `fixed` (consecutive periods of `length` from
    /// `from`), `rolling` (every period of `length` ending on a day), or `total` (all time).
    pub period: &'static str,
    /// The length of each period, in words: `12 months`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<String>,
    /// The first fixed period's first day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Day>,
    /// Whether every bearer's acts count towards one total.
    pub aggregate: bool,
    /// The party's acts the cap counted, in the order counted.
    pub deliveries: Vec<DeliveryReport>,
}

/// A cap's amount in its other unit.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct OtherUnit {
    /// The amount.
    pub amount: u64,
    /// The unit.
    pub unit: String,
}

/// An act a cap counted.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub struct DeliveryReport {
    /// The day it counts on: its first.
    pub on: Day,
    /// Its amount in the cap's unit, or `null` when it gives none; converted and rounded down
    /// when it gives its amount only in the cap's other unit.
    pub amount: Option<u64>,
    /// Its amount as given in the cap's other unit, when it gives none in the cap's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given: Option<u64>,
    /// The total of its period with it (rounded down).
    pub total: u64,
    /// How much of it lies beyond the cap: 0 within it, `null` when its amount is unknown
    /// (which breaks the prohibition); rounded up, so that it is 0 only within the cap.
    pub excess: Option<u64>,
}

impl CapReport {
    /// The report of a cap's outcome.
    pub fn new(program: &crate::program::Program, outcome: &crate::eval::CapOutcome) -> CapReport {
        let cap = &outcome.cap;
        let (period, length, from) = match cap.period {
            CapPeriod::Fixed { length, from } => ("fixed", Some(length.to_string()), Some(from)),
            CapPeriod::Rolling(length) => ("rolling", Some(length.to_string()), None),
            CapPeriod::Total => ("total", None, None),
        };
        CapReport {
            amount: cap.amount,
            unit: program.name(cap.unit).to_string(),
            or: cap.or.map(|(amount, unit)| OtherUnit { amount, unit: program.name(unit).to_string() }),
            period,
            length,
            from,
            aggregate: cap.aggregate,
            deliveries: outcome
                .deliveries
                .iter()
                .map(|d| DeliveryReport {
                    on: d.on,
                    amount: d.amount,
                    given: d.given,
                    total: d.total,
                    excess: d.excess,
                })
                .collect(),
        }
    }
}

impl CapReport {
    /// The cap in words: `beyond 500,000 barrels per 12 months from 2018-01-01, in aggregate`.
    pub fn words(&self) -> String {
        let period = match (self.period, &self.length, self.from) {
            ("fixed", Some(length), Some(from)) => format!("per {length} from {from}"),
            ("rolling", Some(length), _) => format!("in any {length}"),
            _ => "in total".to_string(),
        };
        let aggregate = if self.aggregate { ", in aggregate" } else { "" };
        let or = self.or.as_ref().map(|o| format!(" or {} {}", grouped(o.amount), o.unit)).unwrap_or_default();
        format!("beyond {} {}{or} {period}{aggregate}", grouped(self.amount), self.unit)
    }

    /// One of its deliveries in words: `2024-04-02: 150,000 barrels, total 535,000 — 35,000
    /// beyond the cap`, or `… — within the cap`; an amount given in the cap's other unit is shown
    /// as given too.
    pub fn delivery_words(&self, d: &DeliveryReport) -> String {
        let given = match (d.given, &self.or) {
            (Some(g), Some(o)) => format!(" (given as {} {})", grouped(g), o.unit),
            _ => String::new(),
        };
        let Some(amount) = d.amount else {
            let units = match &self.or {
                Some(o) => format!("{} or {}", self.unit, o.unit),
                None => self.unit.clone(),
            };
            return format!("{}: no amount in {units} given, so not shown within the cap", d.on);
        };
        let amount = format!("{} {}{given}", grouped(amount), self.unit);
        match (self.from.filter(|f| d.on < *f), d.excess) {
            (Some(from), _) => {
                format!("{}: {amount}, before the first period (from {from}), when nothing is allowed", d.on)
            }
            (None, Some(0)) => format!("{}: {amount}, total {} — within the cap", d.on, grouped(d.total)),
            (None, excess) => format!(
                "{}: {amount}, total {} — {} beyond the cap",
                d.on,
                grouped(d.total),
                excess.map_or_else(|| "an unknown amount".to_string(), grouped)
            ),
        }
    }
}

/// A cap's periods in words: `per 12 months from 2018-01-01`, `in any 30 days`, `in total`.
pub fn cap_period_words(period: &CapPeriod) -> String {
    match period {
        CapPeriod::Fixed { length, from } => format!("per {length} from {from}"),
        CapPeriod::Rolling(length) => format!("in any {length}"),
        CapPeriod::Total => "in total".to_string(),
    }
}

/// An episode in the report.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub struct EpisodeReport {
    /// The first day.
    pub from: Day,
    /// The first day after, or `null` while active on `as_of`.
    pub until: Option<Day>,
    /// When it falls due, if it has a deadline.
    pub due: Option<Day>,
}

/// A conflict in the report.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConflictReport {
    /// The party.
    pub party: String,
    /// `direct` or `partial`.
    pub kind: ConflictKind,
    /// The obligation.
    pub obligation: Side,
    /// The prohibition.
    pub prohibition: Side,
    /// The first day.
    pub from: Day,
    /// The first day after, or `null` while it lasts on `as_of`.
    pub until: Option<Day>,
    /// The instrument that prevails, when precedence ranks one side's over the other's: in a
    /// direct conflict the other side is overridden; in a partial one that the prohibition wins,
    /// only the included action is, and the obligation stands.
    pub prevails: Option<String>,
    /// For a partial conflict, the action the obligation includes that the prohibition forbids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub included: Option<Included>,
}

/// The action an obligation includes that a prohibition forbids.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Included {
    /// The action.
    pub action: String,
    /// Its arguments.
    pub args: Args,
}

/// One side of a conflict.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Side {
    /// The instrument.
    pub instrument: String,
    /// The article.
    pub article: String,
    /// The action.
    pub action: String,
    /// Its arguments.
    pub args: Args,
}

impl Side {
    /// Whether this side is the norm `n`: the same instrument, article, action and arguments (a
    /// conflict's sides are its party's).
    pub fn is(&self, n: &NormReport) -> bool {
        self.instrument == *n.instrument
            && self.article == *n.article
            && self.action == *n.action
            && self.args == n.args
    }
}

/// A violation in the report.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ViolationReport {
    /// Who acted.
    pub party: String,
    /// The instrument whose prohibition was broken.
    pub instrument: String,
    /// The article.
    pub article: String,
    /// The action.
    pub action: String,
    /// The act's arguments.
    pub args: Args,
    /// The first day.
    pub on: Day,
    /// The first day after, or `null` while it goes on on `as_of`.
    pub until: Option<Day>,
    /// Whether the act was assumed under the compliance assumption.
    pub assumed: bool,
}

/// The norms of an evaluation in report order, each put in a report's terms only as it is
/// serialised: a report of hundreds of thousands of norms is never held whole.
pub struct NormsView<'a, 'p> {
    order: Vec<(&'a NormKey, &'a NormRecord)>,
    names: Namer<'a, 'p>,
}

impl NormsView<'_, '_> {
    /// How many norms there are.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The identities of the norms, in order.
    pub fn keys(&self) -> impl Iterator<Item = &NormKey> {
        self.order.iter().map(|(k, _)| *k)
    }

    /// The norms' entries, in order.
    pub fn entries(&self) -> impl Iterator<Item = NormReport> {
        self.order.iter().map(|(k, r)| self.names.norm(k, r))
    }

    /// Keeps the norms whose party, instrument and action, by the names the report gives them,
    /// `keep` accepts: a filtered report never builds the entries it leaves out.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &str, &str) -> bool) {
        let world = &self.names.eval.world;
        self.order.retain(|(k, _)| {
            keep(world.name(k.party), world.program.instrument_id(k.instrument), world.name(k.action))
        });
    }
}

/// Each norm is serialised as its [`NormReport`]; [`Report::write_json`] writes the same text
/// faster.
impl Serialize for NormsView<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.entries())
    }
}

impl Report {
    /// The report of an evaluation.
    pub fn new(eval: &Evaluation, title: &str) -> Report {
        Report::streamed(eval, title).owned()
    }
}

impl<'a, 'p> Report<NormsView<'a, 'p>> {
    /// The report of an evaluation, its norms a view of it, for writing out; `keys` is empty.
    pub fn streamed(eval: &'a Evaluation<'p>, title: &str) -> Report<NormsView<'a, 'p>> {
        let names = Namer { eval, shared: std::cell::RefCell::default() };
        let mut instruments: Vec<InstrumentReport> = eval
            .world
            .program
            .instruments
            .iter()
            .zip(eval.world.timelines())
            .map(|(def, t)| InstrumentReport {
                id: def.id.clone(),
                kind: def.kind,
                in_force: t.in_force.iter().filter_map(|i| names.span(i)).collect(),
                bound: t
                    .bound
                    .iter()
                    .map(|(p, bs)| (names.sym(*p), bs.iter().filter_map(|b| names.span(&b.when)).collect::<Vec<_>>()))
                    .filter(|(_, spans)| !spans.is_empty())
                    .collect(),
            })
            .collect();
        instruments.sort_by(|a, b| a.id.cmp(&b.id));
        // The norms in order of names, by reference (a large evaluation keeps each party's in
        // that order already), and their reports built in that order, so that the list is never
        // held twice.
        let order = eval.norms.by_names(&eval.world);
        let mut conflicts: Vec<ConflictReport> = eval.conflicts.iter().map(|c| names.conflict(c)).collect();
        conflicts.sort_by(|a, b| {
            (&a.party, a.from, a.kind, &a.obligation, &a.prohibition).cmp(&(
                &b.party,
                b.from,
                b.kind,
                &b.obligation,
                &b.prohibition,
            ))
        });
        let mut violations: Vec<ViolationReport> = eval.violations.iter().map(|v| names.violation(v)).collect();
        violations.sort_by(|a, b| {
            (&a.party, a.on, &a.instrument, &a.article, &a.action, &a.args).cmp(&(
                &b.party,
                b.on,
                &b.instrument,
                &b.article,
                &b.action,
                &b.args,
            ))
        });
        violations.dedup();
        let program = eval.world.program;
        let roles = program
            .actions
            .iter()
            .map(|(a, def)| (a, &def.roles))
            .chain(program.facts.iter().map(|(f, def)| (f, &def.roles)))
            .map(|(name, roles)| {
                (program.name(*name).to_string(), roles.iter().map(|r| program.name(*r).to_string()).collect())
            })
            .collect();
        Report {
            scenario: title.to_string(),
            as_of: eval.as_of,
            instruments,
            norms: NormsView { order, names },
            conflicts,
            violations,
            keys: Vec::new(),
            roles,
        }
    }
}

impl<N> Report<N> {
    /// An action with its arguments in the order its declaration gives the roles:
    /// `assist(ally: RUS, against: UKR)`.
    pub fn action(&self, action: &str, args: &Args) -> String {
        action_text(action, self.in_role_order(action, args))
    }

    /// A side of a conflict in words: `assist(ally: RUS, against: UKR) — kp_ru_2024 art. 4`.
    pub fn side_words(&self, s: &Side) -> String {
        format!("{} — {} art. {}", self.action(&s.action, &s.args), s.instrument, s.article)
    }

    /// The arguments of an action, by role, in the order its declaration gives the roles.
    pub fn in_role_order<'a>(&self, action: &str, args: &'a Args) -> Vec<(&'a str, &'a str)> {
        let order = self.roles.get(action).map(Vec::as_slice).unwrap_or(&[]);
        let mut pairs: Vec<(&str, &str)> = args.iter().collect();
        pairs.sort_by_key(|(r, _)| order.iter().position(|o| o == r).unwrap_or(usize::MAX));
        pairs
    }
}

impl Report {
    /// The report as pretty-printed JSON, with a final line break.
    pub fn to_json(&self) -> String {
        json_text(|out| self.write_json(out))
    }

    /// Writes the report as pretty-printed JSON, with a final line break.
    pub fn write_json(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        // The serialiser writes a token at a time: they are gathered here into large writes.
        use std::io::Write as _;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        serde_json::to_writer_pretty(&mut out, self)?;
        out.write_all(b"\n")?;
        out.flush()
    }
}

impl Report<NormsView<'_, '_>> {
    /// The report with each norm the view keeps built in the report's terms, and its identity.
    pub fn owned(self) -> Report {
        let Report { scenario, as_of, instruments, norms, conflicts, violations, keys: _, roles } = self;
        let keys = norms.keys().cloned().collect();
        Report { scenario, as_of, instruments, norms: norms.entries().collect(), conflicts, violations, keys, roles }
    }

    /// The report as pretty-printed JSON, with a final line break: the same text as
    /// [`Report::new`]'s.
    pub fn to_json(&self) -> String {
        json_text(|out| self.write_json(out))
    }

    /// Writes the report as pretty-printed JSON, with a final line break, byte for byte as
    /// serde_json writes [`Report::new`]'s: its norms, hundreds of thousands in a large world,
    /// are written by hand from names escaped once.
    pub fn write_json(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        use std::io::Write as _;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        // The fields before and after the norms, as serde_json writes them at the same depth.
        let head = serde_json::to_string_pretty(&Head {
            scenario: &self.scenario,
            as_of: self.as_of,
            instruments: &self.instruments,
        })?;
        let tail = serde_json::to_string_pretty(&Tail { conflicts: &self.conflicts, violations: &self.violations })?;
        out.write_all(head.strip_suffix("\n}").unwrap_or(&head).as_bytes())?;
        out.write_all(b",\n  \"norms\": ")?;
        json::norms(&self.norms, &mut out)?;
        out.write_all(b",\n")?;
        out.write_all(tail.strip_prefix("{\n").unwrap_or(&tail).as_bytes())?;
        out.write_all(b"\n")?;
        out.flush()
    }
}

/// The fields of a report before its norms.
#[derive(Serialize)]
struct Head<'a> {
    scenario: &'a str,
    as_of: Day,
    instruments: &'a [InstrumentReport],
}

/// The fields of a report after its norms.
#[derive(Serialize)]
struct Tail<'a> {
    conflicts: &'a [ConflictReport],
    violations: &'a [ViolationReport],
}

/// The text `write` writes.
fn json_text(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    match write(&mut out) {
        Ok(()) => String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}

/// A modality as the report writes it: `must`, `must not`, `may`.
pub(super) fn words<S: serde::Serializer>(m: &Modality, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(m.words())
}

/// An instrument's kind as the report writes it: `treaty`, `resolution`, `regime`.
fn keyword<S: serde::Serializer>(k: &InstrumentKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(k.keyword())
}

/// Turns ids back into names.
struct Namer<'a, 'p> {
    eval: &'a Evaluation<'p>,
    /// Each name given out so far, to give out again.
    shared: std::cell::RefCell<Interner<Name>>,
}

impl<'a> Namer<'a, '_> {
    fn sym(&self, s: Sym) -> String {
        self.eval.world.name(s).to_string()
    }

    /// A name, shared with every other use of it in the report.
    fn share(&self, text: &'a str) -> Name {
        let mut shared = self.shared.borrow_mut();
        let n = shared.intern_ref(text);
        shared.resolve(n).clone()
    }

    fn name(&self, s: Sym) -> Name {
        self.share(self.eval.world.name(s))
    }

    fn args(&self, args: &[(Sym, Sym)]) -> Args {
        args.iter().map(|(r, v)| (self.name(*r), self.name(*v))).collect()
    }

    /// A norm in the report's terms.
    fn norm(&self, key: &NormKey, record: &NormRecord) -> NormReport {
        let program = self.eval.world.program;
        NormReport {
            party: self.name(key.party),
            modality: key.modality,
            action: self.name(key.action),
            args: self.args(&key.args),
            instrument: self.share(program.instrument_id(key.instrument)),
            article: self.share(key.article_id(program)),
            episodes: record
                .episodes
                .iter()
                .map(|e| EpisodeReport { from: e.when.from, until: self.until(e.when.until), due: e.due })
                .collect(),
            status: record.status,
            since: record.since,
            assumed: record.assumed,
            forthwith: key.modality == Modality::Must
                && matches!(program.rule(record.rule).deadline, Some(crate::program::Deadline::Forthwith)),
            cap: self.cap(key),
        }
    }

    /// The cap of a capped prohibition, with what it counted.
    fn cap(&self, key: &NormKey) -> Option<CapReport> {
        if self.eval.caps.is_empty() {
            return None;
        }
        self.eval.caps.get(key).map(|o| CapReport::new(self.eval.world.program, o))
    }

    fn instrument(&self, key: &NormKey) -> String {
        self.eval.world.program.instrument_id(key.instrument).to_string()
    }

    fn article(&self, key: &NormKey) -> String {
        key.article_id(self.eval.world.program).to_string()
    }

    /// A run of days as reported: `None` when it starts after `as_of`.
    fn span(&self, i: &Interval) -> Option<Interval> {
        (i.from <= self.eval.as_of).then(|| Interval { from: i.from, until: self.until(i.until) })
    }

    fn until(&self, until: Option<Day>) -> Option<Day> {
        until.filter(|u| *u <= self.eval.as_of)
    }

    fn side(&self, key: &NormKey) -> Side {
        Side {
            instrument: self.instrument(key),
            article: self.article(key),
            action: self.sym(key.action),
            args: self.args(&key.args),
        }
    }

    fn conflict(&self, c: &ConflictRecord) -> ConflictReport {
        ConflictReport {
            party: self.sym(c.party),
            kind: c.kind,
            obligation: self.side(&c.obligation),
            prohibition: self.side(&c.prohibition),
            from: c.when.from,
            until: self.until(c.when.until),
            prevails: c.prevails.map(|i| self.eval.world.program.instrument_id(i).to_string()),
            included: c.included.as_ref().map(|(a, args)| Included { action: self.sym(*a), args: self.args(args) }),
        }
    }

    fn violation(&self, v: &ViolationRecord) -> ViolationReport {
        ViolationReport {
            party: self.sym(v.act.party),
            instrument: self.instrument(&v.prohibition),
            article: self.article(&v.prohibition),
            action: self.sym(v.act.action),
            args: self.args(&v.act.args),
            on: v.when.from,
            until: self.until(v.when.until),
            assumed: v.assumed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::natural;

    #[test]
    fn article_numbers_sort_as_a_reader_expects() {
        let mut ids = vec!["16", "3", "II", "8(b)", "8(a)(ii)", "103", "2(4)"];
        ids.sort_by_key(|id| natural(id));
        assert_eq!(ids, ["2(4)", "3", "8(a)(ii)", "8(b)", "16", "103", "II"]);
    }
}
