//! What a scenario fixes before any day is evaluated: the timeline of every instrument, and
//! the facts and acts with their intervals.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use crate::ast::{self, DatedKind, EntryIntoForce, Unit};
use crate::day::Day;
use crate::diagnostic::Diagnostic;
use crate::program::{InstId, Interner, PartyStatus, Program, Sym};
use crate::scenario::{EventKind, Scenario};

/// A half-open run of days `[from, until)`; `until: None` runs past the horizon.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    /// The first day.
    pub from: Day,
    /// The first day after, if any.
    pub until: Option<Day>,
}

impl Interval {
    /// Whether the interval holds on `day`.
    pub fn contains(&self, day: Day) -> bool {
        self.from <= day && self.until.is_none_or(|u| day < u)
    }
}

/// A fact: a kind with its arguments, sorted by role.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fact {
    /// The kind.
    pub kind: Sym,
    /// `(role, value)`, sorted by role.
    pub args: Vec<(Sym, Sym)>,
}

/// An act: a party, an action and its arguments, sorted by role.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Act {
    /// Who acts.
    pub party: Sym,
    /// The action.
    pub action: Sym,
    /// `(role, value)`, sorted by role.
    pub args: Vec<(Sym, Sym)>,
}

/// Something that holds over an interval, with the scenario event it comes from.
#[derive(Clone, Debug)]
pub struct Timed<T> {
    /// What holds.
    pub item: T,
    /// When.
    pub when: Interval,
    /// The index of the scenario event.
    pub event: usize,
}

/// Why an instrument is in force, in words, and from when to when.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    /// In force over this interval, if ever.
    pub in_force: Option<Interval>,
    /// Why it entered into force then: "instruments of ratification exchanged".
    pub entry_reason: String,
    /// Why it stopped being in force, if it did.
    pub end_reason: Option<String>,
    /// Each party it binds, with when and why: one binding per run of days (a party may leave
    /// and join again).
    pub bound: BTreeMap<Sym, Vec<Binding>>,
}

/// One party's binding by an instrument.
#[derive(Clone, Debug)]
pub struct Binding {
    /// When it is bound.
    pub when: Interval,
    /// How it joined: "ratified on 2024-11-11", "is a member of `un_members`".
    pub joined: Why,
    /// Why the binding ends, if it does.
    pub ends: Option<Why>,
}

/// Why a party's binding starts or ends. Kept as data and put in words only when an
/// explanation asks: an evaluation fixes thousands of bindings and explains a few.
#[derive(Clone, Debug)]
pub enum Why {
    /// Ratified on a day.
    Ratified(Day),
    /// Acceded on a day.
    Acceded(Day),
    /// Signed on a day, where signature binds.
    Signed(Day),
    /// A member of the group the instrument binds.
    Member(Arc<str>),
    /// Left on a day.
    Left(Day),
    /// Gave notice of withdrawal, effective later.
    Withdrew {
        /// The day of the notice.
        notice: Day,
        /// The day it takes effect.
        effective: Day,
    },
    /// Suspended its obligations on a day.
    Suspended(Day),
    /// The instrument itself stopped, for this reason.
    Instrument(Arc<str>),
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::Ratified(d) => write!(f, "ratified on {d}"),
            Why::Acceded(d) => write!(f, "acceded on {d}"),
            Why::Signed(d) => write!(f, "signed on {d}"),
            Why::Member(group) => write!(f, "is a member of `{group}`"),
            Why::Left(d) => write!(f, "left on {d}"),
            Why::Withdrew { notice, effective } => write!(f, "withdrawal notified {notice}, effective {effective}"),
            Why::Suspended(d) => write!(f, "suspended its obligations on {d}"),
            Why::Instrument(why) => f.write_str(why),
        }
    }
}

/// The program's names and, numbered after them, those only a scenario uses; the program's
/// are borrowed, not copied, for each evaluation.
#[derive(Clone, Debug)]
pub struct Names<'p> {
    base: &'p Interner,
    ids: BTreeMap<String, Sym>,
    names: Vec<String>,
}

impl<'p> Names<'p> {
    fn new(base: &'p Interner) -> Names<'p> {
        Names { base, ids: BTreeMap::new(), names: Vec::new() }
    }

    /// The id of `name`, adding it if new.
    pub fn intern(&mut self, name: &str) -> Sym {
        if let Some(id) = self.get(name) {
            return id;
        }
        let id = Sym::try_from(self.base.len() + self.names.len()).unwrap_or(Sym::MAX);
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }

    /// The id of `name`, if it has one.
    pub fn get(&self, name: &str) -> Option<Sym> {
        self.base.get(name).or_else(|| self.ids.get(name).copied())
    }

    /// The name of an id.
    pub fn name(&self, id: Sym) -> &str {
        match (id as usize).checked_sub(self.base.len()) {
            None => self.base.name(id),
            Some(i) => self.names.get(i).map_or("?", String::as_str),
        }
    }
}

/// The fixed part of an evaluation.
#[derive(Clone, Debug)]
pub struct World<'p> {
    /// The rules.
    pub program: &'p Program,
    /// The program's names and the scenario's.
    pub syms: Names<'p>,
    /// One timeline per instrument: the program's own, shared by every evaluation, unless the
    /// scenario changes the instrument's records.
    pub timelines: Vec<Cow<'p, Timeline>>,
    /// Facts given by the scenario.
    pub facts: Vec<Timed<Fact>>,
    /// Acts given by the scenario.
    pub acts: Vec<Timed<Act>>,
}

impl<'p> World<'p> {
    /// Fixes the timelines, facts and acts of a scenario, or says what in it does not fit the
    /// rules (an unknown instrument, kind of fact, action or role).
    pub fn new(program: &'p Program, scenario: &Scenario) -> Result<World<'p>, Vec<Diagnostic>> {
        let mut w = World {
            program,
            syms: Names::new(&program.symbols),
            timelines: Vec::new(),
            facts: Vec::new(),
            acts: Vec::new(),
        };
        let mut problems = Vec::new();
        // The records of the instruments the scenario changes, copied from the program's.
        let mut records: BTreeMap<InstId, BTreeMap<Sym, PartyStatus>> = BTreeMap::new();
        let mut dated: BTreeMap<InstId, BTreeMap<DatedKind, Day>> = BTreeMap::new();
        // A step may be given once per scenario: two different dates for it would leave the
        // answer to the order of the events.
        let mut steps: BTreeMap<(String, String, String), crate::source::Span> = BTreeMap::new();
        for (n, event) in scenario.events.iter().enumerate() {
            let step_key = match &event.kind {
                EventKind::Status { party, instrument, step, .. } => {
                    Some((instrument.clone(), party.clone(), step.keyword().to_string()))
                }
                EventKind::Dated { instrument, step, .. } => {
                    Some((instrument.clone(), String::new(), step.keyword().to_string()))
                }
                _ => None,
            };
            if let Some(key) = step_key {
                if let Some(first) = steps.get(&key) {
                    let who = if key.1.is_empty() { String::new() } else { format!("`{}` ", key.1) };
                    problems.push(
                        Diagnostic::error(
                            "casus::scenario",
                            scenario.file,
                            event.span,
                            format!("{who}`{}` on `{}` is given twice in this scenario", key.2, key.0),
                        )
                        .with_secondary(scenario.file, *first, "first given here")
                        .with_help("keep the one that happened"),
                    );
                    continue;
                }
                steps.insert(key, event.span);
            }
            let error = |m: String| Diagnostic::error("casus::scenario", scenario.file, event.span, m);
            match &event.kind {
                EventKind::Fact { kind, args, from, until, .. } => match w.fact(kind, args) {
                    Ok(item) => w.facts.push(Timed { item, when: Interval { from: *from, until: *until }, event: n }),
                    Err(m) => problems.push(error(m)),
                },
                EventKind::Act { party, action, args, from, until, .. } => match w.act(party, action, args) {
                    Ok(item) => w.acts.push(Timed { item, when: Interval { from: *from, until: *until }, event: n }),
                    Err(m) => problems.push(error(m)),
                },
                EventKind::Status { party, instrument, step, on } => match program.instrument(instrument) {
                    Some(i) => {
                        let party = w.syms.intern(party);
                        let r = records.entry(i).or_insert_with(|| {
                            program.instruments.get(i).map(|d| d.records.clone()).unwrap_or_default()
                        });
                        r.entry(party).or_default().set(*step, *on);
                    }
                    None => problems.push(error(unknown_instrument(program, instrument))),
                },
                EventKind::Dated { instrument, step, on } => match program.instrument(instrument) {
                    Some(i) => {
                        let d = dated
                            .entry(i)
                            .or_insert_with(|| program.instruments.get(i).map(|d| d.dated.clone()).unwrap_or_default());
                        d.insert(*step, *on);
                    }
                    None => problems.push(error(unknown_instrument(program, instrument))),
                },
            }
        }
        let mut left_out = Vec::new();
        for id in &scenario.without {
            match program.instrument(id) {
                Some(i) => left_out.push(i),
                None => problems.push(Diagnostic::error(
                    "casus::scenario",
                    scenario.file,
                    crate::source::Span::new(0, 0),
                    unknown_instrument(program, id),
                )),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let shared = program.timelines.get_or_init(|| {
            let names = Names::new(&program.symbols);
            program
                .instruments
                .iter()
                .enumerate()
                .map(|(i, d)| timeline(program, &names, i, &d.records, &d.dated))
                .collect()
        });
        w.timelines = (0..program.instruments.len())
            .map(|i| {
                if left_out.contains(&i) {
                    return Cow::Owned(Timeline {
                        entry_reason: "left out of this what-if".into(),
                        ..Timeline::default()
                    });
                }
                let def = program.instruments.get(i);
                match (records.get(&i), dated.get(&i), shared.get(i)) {
                    (None, None, Some(t)) => Cow::Borrowed(t),
                    (r, d, _) => {
                        let empty = (BTreeMap::new(), BTreeMap::new());
                        let r = r.or(def.map(|d| &d.records)).unwrap_or(&empty.0);
                        let d = d.or(def.map(|d| &d.dated)).unwrap_or(&empty.1);
                        Cow::Owned(timeline(program, &w.syms, i, r, d))
                    }
                }
            })
            .collect();
        Ok(w)
    }

    /// Whether `party` is bound by instrument `inst` on `day`.
    pub fn is_bound(&self, inst: InstId, party: Sym, day: Day) -> bool {
        self.timelines
            .get(inst)
            .and_then(|t| t.bound.get(&party))
            .is_some_and(|bs| bs.iter().any(|b| b.when.contains(day)))
    }

    /// Whether instrument `inst` is in force on `day`.
    pub fn in_force(&self, inst: InstId, day: Day) -> bool {
        self.timelines.get(inst).and_then(|t| t.in_force).is_some_and(|i| i.contains(day))
    }

    /// The name of a symbol.
    pub fn name(&self, s: Sym) -> &str {
        self.syms.name(s)
    }

    fn fact(&mut self, kind: &str, args: &BTreeMap<String, String>) -> Result<Fact, String> {
        let Some(kind_sym) = self.program.symbols.get(kind).filter(|k| self.program.facts.contains_key(k)) else {
            return Err(format!("unknown kind of fact `{kind}`"));
        };
        let def = self.program.facts.get(&kind_sym).cloned().unwrap_or_default();
        let mut out = Vec::new();
        for (role, value) in args {
            let r = self.syms.intern(role);
            if !def.roles.contains(&r) {
                return Err(format!("`{kind}` has no role `{role}`"));
            }
            out.push((r, self.syms.intern(value)));
        }
        Ok(Fact { kind: kind_sym, args: with_defaults(out, &def.defaults) })
    }

    fn act(&mut self, party: &str, action: &str, args: &BTreeMap<String, String>) -> Result<Act, String> {
        let Some(action_sym) = self.program.symbols.get(action).filter(|a| self.program.actions.contains_key(a)) else {
            return Err(format!("unknown action `{action}`"));
        };
        let roles = self.program.actions.get(&action_sym).map(|a| a.roles.clone()).unwrap_or_default();
        let mut out = Vec::new();
        for (role, value) in args {
            let r = self.syms.intern(role);
            if !roles.contains(&r) {
                return Err(format!("`{action}` has no role `{role}`"));
            }
            out.push((r, self.syms.intern(value)));
        }
        out.sort();
        Ok(Act { party: self.syms.intern(party), action: action_sym, args: out })
    }
}

/// Sorts arguments by role and fills the roles that default to another role's value.
pub fn with_defaults(mut args: Vec<(Sym, Sym)>, defaults: &[(Sym, Sym)]) -> Vec<(Sym, Sym)> {
    for &(role, from) in defaults {
        if !args.iter().any(|(r, _)| *r == role)
            && let Some(&(_, v)) = args.iter().find(|(r, _)| *r == from)
        {
            args.push((role, v));
        }
    }
    args.sort();
    args
}

fn unknown_instrument(program: &Program, id: &str) -> String {
    let near = program
        .instruments
        .iter()
        .map(|i| (strsim::damerau_levenshtein(id, &i.id), &i.id))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, n)| format!("; did you mean `{n}`?"))
        .unwrap_or_default();
    format!("unknown instrument `{id}`{near}")
}

/// A day with the reason something happened on it.
type Dated = (Day, Why);

/// When a withdrawal takes effect without a clause that says: twelve months after notice, per
/// art. 56(2) of the Vienna Convention on the Law of Treaties.
const DEFAULT_NOTICE: ast::Duration = ast::Duration { amount: 12, unit: Unit::Months };

fn timeline(
    program: &Program,
    syms: &Names,
    i: InstId,
    records: &BTreeMap<Sym, PartyStatus>,
    dated: &BTreeMap<DatedKind, Day>,
) -> Timeline {
    let Some(def) = program.instruments.get(i) else {
        return Timeline::default();
    };
    let on_signature = matches!(def.entry, Some(EntryIntoForce::OnSignature));
    let joined = |s: &PartyStatus| -> Option<Day> {
        [s.ratified, s.acceded, s.signed.filter(|_| on_signature)].into_iter().flatten().min()
    };
    let mut joins: Vec<Day> = records.values().filter_map(joined).collect();
    joins.sort();
    let (entry, entry_reason) = match def.entry {
        Some(EntryIntoForce::OnSignature) => (joins.first().copied(), "on signature".to_string()),
        Some(EntryIntoForce::OnExchange) => {
            let d = dated.get(&DatedKind::Exchanged).copied();
            (d, "on the exchange of instruments of ratification".to_string())
        }
        Some(EntryIntoForce::OnAdoption) => (dated.get(&DatedKind::Adopted).copied(), "on adoption".to_string()),
        Some(EntryIntoForce::OnDate(d)) => (d.civil().map(Day::from_date), "on the date it fixes".to_string()),
        Some(EntryIntoForce::AfterRatifications { delay, count }) => {
            let nth = joins.get(count.saturating_sub(1) as usize).copied();
            let which = format!("the {} ratification", crate::format::ordinal(count));
            let why = if delay.amount == 0 { format!("on {which}") } else { format!("{delay} after {which}") };
            (nth.map(|d| d.plus(delay)), why)
        }
        None => (joins.first().copied(), "for each party on its ratification or accession".to_string()),
    };
    let bilateral = def.binds.is_none() && records.len() == 2;
    let notice = def.withdrawal.unwrap_or(DEFAULT_NOTICE);
    let mut ends: Vec<Dated> = Vec::new();
    if let Some(&d) = dated.get(&DatedKind::Terminated) {
        ends.push((d, Why::Instrument(format!("terminated on {d}").into())));
    }
    if let Some(&d) = dated.get(&DatedKind::Expires) {
        ends.push((d, Why::Instrument(format!("expired on {d}").into())));
    }
    if bilateral {
        for (p, s) in records {
            if let Some(w) = s.withdrew {
                let effect = w.plus(notice);
                let why = format!(
                    "{} withdrew (notice given {w}, effective {effect}), which ends a bilateral treaty",
                    syms.name(*p)
                );
                ends.push((effect, Why::Instrument(why.into())));
            }
        }
    }
    let end = ends.iter().min_by_key(|(d, why)| (*d, why.to_string())).cloned();
    let mut t = Timeline {
        in_force: None,
        entry_reason,
        end_reason: end.as_ref().map(|(_, r)| r.to_string()),
        bound: BTreeMap::new(),
    };
    let Some(entry) = entry else { return t };
    if end.as_ref().is_some_and(|(e, _)| *e <= entry) {
        return t;
    }
    t.in_force = Some(Interval { from: entry, until: end.as_ref().map(|(e, _)| *e) });
    let members: BTreeSet<Sym> =
        def.binds.and_then(|g| program.groups.get(g)).map(|g| g.iter().collect()).unwrap_or_default();
    let group_name: Arc<str> =
        def.binds.and_then(|g| program.groups.get(g)).map(|g| g.name.as_str()).unwrap_or_default().into();
    let parties: BTreeSet<Sym> = records.keys().copied().chain(members.iter().copied()).collect();
    for p in parties {
        let status = records.get(&p).copied().unwrap_or_default();
        let mut steps = party_steps(&status, on_signature, notice);
        if !steps.iter().any(|s| s.joins) {
            if !members.contains(&p) {
                continue;
            }
            steps.push(Step { day: entry, joins: true, why: Why::Member(group_name.clone()) });
            steps.sort_by_key(|s| (s.day, s.joins));
        }
        // Joining opens a binding, leaving closes it; each is clipped to the instrument's force.
        let mut open: Option<Dated> = None;
        // (first day, how it joined, and the day and reason it stopped, if it did)
        let mut runs: Vec<(Day, Why, Option<Dated>)> = Vec::new();
        for step in steps {
            match (&open, step.joins) {
                // Joining again on the day of leaving continues the same run of days.
                (None, true)
                    if runs.last().is_some_and(|(_, _, stop)| stop.as_ref().is_some_and(|(d, _)| *d == step.day)) =>
                {
                    open = runs.pop().map(|(from, how, _)| (from, how));
                }
                (None, true) => open = Some((step.day, step.why)),
                (Some(_), false) => {
                    if let Some((from, how)) = open.take() {
                        runs.push((from, how, Some((step.day, step.why))));
                    }
                }
                _ => {}
            }
        }
        if let Some((from, how)) = open {
            runs.push((from, how, None));
        }
        let mut bindings = Vec::new();
        for (from, joined, stop) in runs {
            let from = from.max(entry);
            let stop = match (stop, &end) {
                (Some(s), Some(e)) => Some(if s.0 <= e.0 { s } else { e.clone() }),
                (s, e) => s.or(e.clone()),
            };
            if stop.as_ref().is_some_and(|(s, _)| *s <= from) {
                continue;
            }
            bindings.push(Binding {
                when: Interval { from, until: stop.as_ref().map(|(s, _)| *s) },
                joined,
                ends: stop.map(|(_, r)| r),
            });
        }
        if !bindings.is_empty() {
            t.bound.insert(p, bindings);
        }
    }
    t
}

/// A dated step of a party: joining (ratifying, acceding, or signing where signature binds) or
/// leaving (leaving outright, a withdrawal taking effect, a suspension).
struct Step {
    day: Day,
    joins: bool,
    why: Why,
}

/// A party's steps in date order; on one day, leaving comes before joining.
fn party_steps(s: &PartyStatus, on_signature: bool, notice: ast::Duration) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut join = |d: Option<Day>, why: fn(Day) -> Why| {
        if let Some(d) = d {
            steps.push(Step { day: d, joins: true, why: why(d) });
        }
    };
    join(s.ratified, Why::Ratified);
    join(s.acceded, Why::Acceded);
    if on_signature {
        join(s.signed, Why::Signed);
    }
    if let Some(d) = s.left {
        steps.push(Step { day: d, joins: false, why: Why::Left(d) });
    }
    if let Some(w) = s.withdrew {
        let effective = w.plus(notice);
        steps.push(Step { day: effective, joins: false, why: Why::Withdrew { notice: w, effective } });
    }
    if let Some(d) = s.suspended {
        steps.push(Step { day: d, joins: false, why: Why::Suspended(d) });
    }
    steps.sort_by_key(|s| (s.day, s.joins));
    steps
}
