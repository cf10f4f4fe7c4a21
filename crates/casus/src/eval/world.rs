//! What a scenario fixes before any day is evaluated: the timeline of every instrument, and
//! the facts and acts with their intervals.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::calendar::{Day, Interval};
use crate::intern::Interner;
pub use crate::program::timeline::{Binding, Timeline, Why};
use crate::program::timeline::{Bounds, timeline};
use crate::program::{FactDef, InstId, PartyStatus, Program, Sym, Symbols, looks_like_code};
use crate::scenario::{
    Amounts, Args as GivenArgs, Event, EventKind, Rejected, Scenario, ScenarioError, ScenarioErrorKind, Spanned,
};
use casus_syntax::ast::DatedKind;
use casus_syntax::diagnostic::Diagnostic;
use casus_syntax::source::FileId;
use casus_syntax::source::Span;
use casus_syntax::suggest::did_you_mean;

/// The arguments of a fact, an act or a norm: `(role, value)`, sorted by role. Most have one
/// or two, held inline; more spill to the heap.
pub type Args = smallvec::SmallVec<[(Sym, Sym); 2]>;

/// A fact: a kind with its arguments, sorted by role.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fact {
    /// The kind.
    pub kind: Sym,
    /// `(role, value)`, sorted by role.
    pub args: Args,
}

/// An act: a party, an action and its arguments, sorted by role.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Act {
    /// Who acts.
    pub party: Sym,
    /// The action.
    pub action: Sym,
    /// `(role, value)`, sorted by role.
    pub args: Args,
}

/// An act, read where it lies: a scenario's act, or the identity of an obligation assumed
/// performed, whose party, action and arguments are the act's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ActRef<'a> {
    pub(crate) party: Sym,
    pub(crate) action: Sym,
    pub(crate) args: &'a [(Sym, Sym)],
}

impl<'a> ActRef<'a> {
    /// The act, owned.
    pub(crate) fn owned(self) -> Act {
        Act { party: self.party, action: self.action, args: Args::from_slice(self.args) }
    }
}

impl<'a> From<&'a Act> for ActRef<'a> {
    fn from(a: &'a Act) -> ActRef<'a> {
        ActRef { party: a.party, action: a.action, args: &a.args }
    }
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

/// The program's names and, numbered after them, those only a scenario uses; the program's
/// are borrowed, not copied, for each evaluation.
#[derive(Clone, Debug)]
pub struct ScenarioSymbols<'p> {
    program: &'p Symbols,
    own: Interner<Box<str>>,
}

impl<'p> ScenarioSymbols<'p> {
    fn new(program: &'p Symbols) -> ScenarioSymbols<'p> {
        ScenarioSymbols { program, own: Interner::default() }
    }

    /// The number of `name`, numbering it if it is new.
    pub fn intern(&mut self, name: &str) -> Sym {
        match self.program.get(name) {
            Some(id) => id,
            None => {
                let n = self.own.intern_ref(name);
                self.offset(n)
            }
        }
    }

    /// The number of `name`, if it has one.
    pub fn get(&self, name: &str) -> Option<Sym> {
        self.program.get(name).or_else(|| self.own.get(name).map(|n| self.offset(n)))
    }

    /// The name numbered `id`, a number these symbols gave out.
    pub fn name(&self, id: Sym) -> &str {
        match id.checked_sub(self.base()) {
            None => self.program.resolve(id),
            Some(n) => self.own.resolve(n),
        }
    }

    /// How many names there are: the program's and the scenario's own, numbered `0..len`.
    pub fn len(&self) -> usize {
        self.program.len() + self.own.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn base(&self) -> Sym {
        Sym::try_from(self.program.len()).unwrap_or(Sym::MAX)
    }

    fn offset(&self, n: u32) -> Sym {
        self.base().saturating_add(n)
    }
}

/// The fixed part of an evaluation.
#[derive(Clone, Debug)]
pub struct World<'p> {
    /// The rules.
    pub program: &'p Program,
    /// The scenario's file.
    pub file: FileId,
    /// How many steps the evaluation may take: change points, and facts delayed rules carry.
    pub budget: usize,
    /// The program's names and the scenario's.
    pub syms: ScenarioSymbols<'p>,
    /// One timeline per instrument: the program's own, shared by every evaluation, unless the
    /// scenario changes the instrument's records.
    pub(crate) timelines: Vec<Cow<'p, Timeline>>,
    /// The same, laid out flat for look-ups: the program's, unless the scenario changes an
    /// instrument's records.
    bounds: Cow<'p, Bounds>,
    /// Facts given by the scenario.
    pub facts: Vec<Timed<Fact>>,
    /// Acts given by the scenario.
    pub acts: Vec<Timed<Act>>,
    /// The amounts of each act of `acts`, in the same order: each unit with its number.
    pub amounts: Vec<Vec<(Sym, u64)>>,
    /// What the scenario says that is doubtful, though not wrong: a party no instrument binds.
    pub warnings: Vec<Diagnostic>,
}

impl<'p> World<'p> {
    /// Fixes the timelines, facts and acts of a scenario, or says what in it does not fit the
    /// rules (an unknown instrument, kind of fact, action or role).
    pub fn new(program: &'p Program, scenario: &Scenario) -> Result<World<'p>, Vec<Diagnostic>> {
        let mut w = World::of_events(program, scenario.file, &scenario.events, &scenario.without)?;
        w.budget = scenario.budget;
        Ok(w)
    }

    /// Fixes the timelines, facts and acts of a scenario's events (in `file`), leaving out the
    /// instruments `without`; or says what in the events does not fit the rules.
    pub fn of_events(
        program: &'p Program,
        file: FileId,
        events: &[Event],
        without: &[InstId],
    ) -> Result<World<'p>, Vec<Diagnostic>> {
        let mut w = World {
            program,
            file,
            syms: ScenarioSymbols::new(&program.symbols),
            timelines: Vec::new(),
            bounds: Cow::Borrowed(program.bounds()),
            facts: Vec::new(),
            acts: Vec::new(),
            amounts: Vec::new(),
            warnings: Vec::new(),
            budget: crate::scenario::DEFAULT_BUDGET,
        };
        let mut problems: Vec<ScenarioError> = Vec::new();
        // Every party that acts, with the days of its act, for the warnings.
        let mut named: Vec<(&Spanned<String>, Interval)> = Vec::new();
        // The records of the instruments the scenario changes, copied from the program's.
        let mut records: BTreeMap<InstId, BTreeMap<Sym, PartyStatus>> = BTreeMap::new();
        let mut dated: BTreeMap<InstId, BTreeMap<DatedKind, Day>> = BTreeMap::new();
        // A step may be given once per scenario: two different dates for it would leave the
        // answer to the order of the events.
        let mut steps: BTreeMap<(&str, Option<&str>, &'static str), Span> = BTreeMap::new();
        for (n, event) in events.iter().enumerate() {
            let step = match &event.kind {
                EventKind::Status { party, instrument, step, .. } => {
                    Some((instrument.as_str(), Some(party.as_str()), step.keyword()))
                }
                EventKind::Dated { instrument, step, .. } => Some((instrument.as_str(), None, step.keyword())),
                _ => None,
            };
            if let Some(key) = step {
                if let Some(first) = steps.get(&key) {
                    let (instrument, party, step) = key;
                    let kind = ScenarioErrorKind::StepTwice {
                        party: party.map(str::to_string),
                        step,
                        instrument: instrument.to_string(),
                    };
                    let help = Some("keep the one that happened".to_string());
                    problems.push(ScenarioError::new(kind, event.span, help).also(*first, "first given here"));
                    continue;
                }
                steps.insert(key, event.span);
            }
            let when = |from: Day, until: Option<Day>| Interval { from, until };
            let (day, parties) = event_parties(&event.kind);
            for (p, forced) in parties {
                if let Some(e) = party_problem(program, p, day, forced) {
                    problems.push(e);
                }
            }
            // A party that acts is one whose norms the scenario is about.
            if let EventKind::Act { party, .. } = &event.kind
                && program.parties.contains_key(party.as_str())
            {
                named.push((party, event_days(&event.kind)));
            }
            match &event.kind {
                EventKind::Fact { kind, args, from, until, .. } => match w.fact(kind, args) {
                    Ok(item) => w.facts.push(Timed { item, when: when(*from, *until), event: n }),
                    Err(e) => problems.push(e),
                },
                EventKind::Act { party, action, args, amount, from, until, .. } => {
                    match (w.act(party, action, args), w.amounts(amount)) {
                        (Ok(item), Ok(amounts)) => {
                            w.acts.push(Timed { item, when: when(*from, *until), event: n });
                            w.amounts.push(amounts);
                        }
                        (Err(e), _) | (_, Err(e)) => problems.push(e),
                    }
                }
                EventKind::Status { party, instrument, step, on } => match w.instrument(instrument) {
                    Ok(i) => {
                        let party = w.syms.intern(party);
                        let r = records.entry(i).or_insert_with(|| program.instruments[i].records.clone());
                        r.entry(party).or_default().set(*step, *on);
                    }
                    Err(e) => problems.push(e),
                },
                EventKind::Dated { instrument, step, on } => match w.instrument(instrument) {
                    Ok(i) => {
                        dated.entry(i).or_insert_with(|| program.instruments[i].dated.clone()).insert(*step, *on);
                    }
                    Err(e) => problems.push(e),
                },
            }
        }
        if !problems.is_empty() {
            let mut ds: Vec<Diagnostic> = problems.into_iter().map(|e| Diagnostic::new(file, e)).collect();
            casus_syntax::diagnostic::sort(&mut ds);
            return Err(ds);
        }
        let left_out = without;
        let shared = program.timelines();
        w.timelines = (0..program.instruments.len())
            .map(|i| {
                if left_out.contains(&i) {
                    return Cow::Owned(Timeline {
                        entry_reason: "left out of this what-if".into(),
                        ..Timeline::default()
                    });
                }
                let def = &program.instruments[i];
                match (records.get(&i), dated.get(&i)) {
                    // PANIC SAFETY: the program has a timeline for each of its instruments.
                    (None, None) => Cow::Borrowed(&shared[i]),
                    (r, d) => {
                        let (r, d) = (r.unwrap_or(&def.records), d.unwrap_or(&def.dated));
                        Cow::Owned(timeline(program, &|p| w.syms.name(p).to_string(), i, r, d))
                    }
                }
            })
            .collect();
        if w.timelines.iter().any(|t| matches!(t, Cow::Owned(_))) {
            w.bounds = Cow::Owned(Bounds::of(w.timelines.iter().map(|t| &**t)));
        }
        // A party that acts while no instrument binds it, named once.
        // A value of an act that the rules never name, close to an item a category lists, is
        // most likely that item misspelt.
        let items = program.categories.names(&program.symbols);
        if !items.is_empty() {
            let mut seen: Vec<&str> = Vec::new();
            for e in events {
                let EventKind::Act { args, .. } = &e.kind else { continue };
                for (_, v) in args {
                    if program.symbols.get(v.as_str()).is_some() || seen.contains(&v.as_str()) {
                        continue;
                    }
                    if let Some(near) = casus_syntax::suggest::nearest(v, items.iter().copied()) {
                        seen.push(v.as_str());
                        let help = format!("did you mean `{near}`? it is an item of the rules' categories");
                        let warning = crate::scenario::UnknownItem { value: v.value.clone(), at: v.span, help };
                        w.warnings.push(Diagnostic::new(file, warning));
                    }
                }
            }
        }
        let mut warned: Vec<&str> = Vec::new();
        for (p, days) in named {
            if warned.contains(&p.as_str()) {
                continue;
            }
            let Some(sym) = w.syms.get(p) else { continue };
            let bound = w
                .timelines
                .iter()
                .any(|t| t.bound.get(&sym).is_some_and(|bs| bs.iter().any(|b| b.when.overlaps(&days))));
            if !bound {
                warned.push(p.as_str());
                let when = match days.until {
                    None => format!("from {}", days.from),
                    Some(_) => days.to_string(),
                };
                let warning = crate::scenario::UnboundParty { party: p.value.clone(), when, at: p.span };
                w.warnings.push(Diagnostic::new(file, warning));
            }
        }
        Ok(w)
    }

    /// The timeline of instrument `inst`.
    pub fn timeline(&self, inst: InstId) -> &Timeline {
        // PANIC SAFETY: a world has a timeline for each instrument of its program.
        &self.timelines[inst]
    }

    /// The timelines of the instruments, in the order of their numbers.
    pub fn timelines(&self) -> &[Cow<'p, Timeline>] {
        &self.timelines
    }

    /// Whether `party` is bound by instrument `inst` on `day`.
    pub fn is_bound(&self, inst: InstId, party: Sym, day: Day) -> bool {
        self.bounds.is_bound(inst, party, day)
    }

    /// The parties instrument `inst` binds on `day`, in order.
    pub fn bound_on(&self, inst: InstId, day: Day) -> impl Iterator<Item = Sym> + '_ {
        self.bounds.bound_on(inst, day)
    }

    /// Whether instrument `inst` is in force on `day`.
    pub fn in_force(&self, inst: InstId, day: Day) -> bool {
        self.bounds.in_force(inst, day)
    }

    /// The name of a symbol.
    pub fn name(&self, s: Sym) -> &str {
        self.syms.name(s)
    }

    /// An action or a fact with its arguments in words, the roles in the order of their
    /// declaration: `assist(ally: RUS, against: UKR)`.
    pub fn pattern_text(&self, name: Sym, args: &[(Sym, Sym)]) -> String {
        let program = self.program;
        let order: &[Sym] = program
            .actions
            .get(&name)
            .map(|a| a.roles.as_slice())
            .or_else(|| program.facts.get(&name).map(|f| f.roles.as_slice()))
            .unwrap_or(&[]);
        let mut args = args.to_vec();
        args.sort_by_key(|(r, _)| order.iter().position(|o| o == r).unwrap_or(usize::MAX));
        crate::program::action_text(self.name(name), args.iter().map(|(r, v)| (self.name(*r), self.name(*v))))
    }

    /// The instrument a scenario names.
    fn instrument(&self, id: &Spanned<String>) -> Result<InstId, ScenarioError> {
        self.program.instrument(id).ok_or_else(|| {
            let help = did_you_mean(id, self.program.instruments.iter().map(|i| i.id.as_str()));
            ScenarioError::new(ScenarioErrorKind::UnknownInstrument(id.value.clone()), id.span, help)
        })
    }

    fn fact(&mut self, kind: &Spanned<String>, args: &GivenArgs) -> Result<Fact, ScenarioError> {
        let program = self.program;
        if crate::program::Relation::named(kind).is_some()
            && program.symbols.get(kind.as_str()).is_none_or(|k| !program.facts.contains_key(&k))
        {
            let help =
                Some("declare the place in the rules with `place NAME \"title\" { ... }`, or name one that is".into());
            return Err(ScenarioError::new(ScenarioErrorKind::PlaceRelation(kind.value.clone()), kind.span, help));
        }
        let Some((kind_sym, def)) =
            program.symbols.get(kind.as_str()).and_then(|k| program.facts.get(&k).map(|d| (k, d)))
        else {
            let kinds: Vec<&str> = program.facts.keys().map(|k| program.name(*k)).collect();
            let help = did_you_mean(kind, kinds);
            return Err(ScenarioError::new(ScenarioErrorKind::UnknownFact(kind.value.clone()), kind.span, help));
        };
        let checked = self.args(kind, &def.roles, args)?;
        // A role named `place` holds a place: one the rules declare, or a party's code.
        if let Some(e) = args.iter().find(|(r, _)| r.as_str() == "place").and_then(|(_, v)| place_problem(program, v)) {
            return Err(e);
        }
        Ok(Fact { kind: kind_sym, args: with_defaults(checked, def) })
    }

    fn act(&mut self, party: &str, action: &Spanned<String>, args: &GivenArgs) -> Result<Act, ScenarioError> {
        let program = self.program;
        let Some((action_sym, def)) =
            program.symbols.get(action.as_str()).and_then(|a| program.actions.get(&a).map(|d| (a, d)))
        else {
            let actions: Vec<&str> = program.actions.keys().map(|k| program.name(*k)).collect();
            let help = did_you_mean(action, actions);
            return Err(ScenarioError::new(ScenarioErrorKind::UnknownAction(action.value.clone()), action.span, help));
        };
        let mut args = self.args(action, &def.roles, args)?;
        args.sort();
        Ok(Act { party: self.syms.intern(party), action: action_sym, args })
    }

    /// An act's amounts, each in a unit the rules declare.
    fn amounts(&mut self, amounts: &Amounts) -> Result<Vec<(Sym, u64)>, ScenarioError> {
        let program = self.program;
        amounts
            .iter()
            .map(|(unit, n)| match program.symbols.get(unit.as_str()).filter(|u| program.units.contains_key(u)) {
                Some(u) => Ok((u, *n)),
                None => {
                    let units: Vec<&str> = program.units.keys().map(|u| program.name(*u)).collect();
                    let help = did_you_mean(unit, units.iter().copied()).unwrap_or_else(|| {
                        if units.is_empty() {
                            "the rules declare no unit: declare it with `unit NAME \"what it measures\"`".to_string()
                        } else {
                            format!(
                                "the units are {}",
                                units.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ")
                            )
                        }
                    });
                    Err(ScenarioError::new(ScenarioErrorKind::UnknownUnit(unit.value.clone()), unit.span, Some(help)))
                }
            })
            .collect()
    }

    /// The arguments of a fact or act, each role one that `name` has.
    fn args(&mut self, name: &Spanned<String>, roles: &[Sym], args: &GivenArgs) -> Result<Args, ScenarioError> {
        let mut out = Args::new();
        for (role, value) in args {
            let r = self.syms.intern(role);
            if !roles.contains(&r) {
                let names: Vec<&str> = roles.iter().map(|r| self.program.name(*r)).collect();
                let help = did_you_mean(role, names.iter().copied()).unwrap_or_else(|| {
                    format!("its roles are {}", names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "))
                });
                let kind = ScenarioErrorKind::NoSuchRole { name: name.value.clone(), role: role.value.clone() };
                return Err(ScenarioError::new(kind, role.span, Some(help)));
            }
            out.push((r, self.syms.intern(value)));
        }
        Ok(out)
    }
}

/// A scenario that could not be read is checked against the rules for the events that were.
impl Rejected {
    /// Every problem of the scenario: those found reading it, and those the events that were
    /// read have against `program` (an unknown instrument, kind of fact, action or role).
    pub fn against(self, program: &Program) -> Vec<Diagnostic> {
        let mut problems = self.diagnostics;
        if let Err(more) = World::of_events(program, self.file, &self.events, &[]) {
            problems.extend(more);
            casus_syntax::diagnostic::sort(&mut problems);
        }
        problems
    }
}

/// Sorts arguments by role and fills the roles left out that have a default: another role's
/// value, or a constant.
pub(super) fn with_defaults(mut args: Args, def: &FactDef) -> Args {
    for &(role, from) in &def.defaults {
        if !args.iter().any(|(r, _)| *r == role)
            && let Some(&(_, v)) = args.iter().find(|(r, _)| *r == from)
        {
            args.push((role, v));
        }
    }
    for &(role, value) in &def.fixed {
        if !args.iter().any(|(r, _)| *r == role) {
            args.push((role, value));
        }
    }
    args.sort();
    args
}

/// The day an event happens or starts, and the party codes it names, each with whether it must
/// be a party (an actor, or the party of a step) rather than any value that looks like a code.
fn event_parties(kind: &EventKind) -> (Day, Vec<(&Spanned<String>, bool)>) {
    fn values(args: &GivenArgs) -> Vec<(&Spanned<String>, bool)> {
        args.iter().filter(|(_, v)| looks_like_code(v)).map(|(_, v)| (v, false)).collect()
    }
    match kind {
        EventKind::Fact { args, from, .. } => (*from, values(args)),
        EventKind::Act { party, args, from, .. } => {
            let mut v = vec![(party, true)];
            v.extend(values(args));
            (*from, v)
        }
        EventKind::Status { party, on, .. } => (*on, vec![(party, true)]),
        EventKind::Dated { on, .. } => (*on, Vec::new()),
    }
}

/// The days an event holds: one day for a step.
fn event_days(kind: &EventKind) -> Interval {
    match kind {
        EventKind::Fact { from, until, .. } | EventKind::Act { from, until, .. } => {
            Interval { from: *from, until: *until }
        }
        EventKind::Status { on, .. } | EventKind::Dated { on, .. } => Interval { from: *on, until: Some(on.next()) },
    }
}

/// What is wrong with a party code a scenario names on `day`, if anything: a code the rules do
/// not declare (when they declare any), one they write otherwise, or one that names no state
/// that day. A value that does not look like a code is a party's only where it `must` be one.
fn party_problem(program: &Program, code: &Spanned<String>, day: Day, must: bool) -> Option<ScenarioError> {
    if program.parties.is_empty() {
        return None;
    }
    let Some(def) = program.parties.get(code.as_str()) else {
        let codes = program.parties.iter().filter(|(_, d)| d.alias.is_none()).map(|(c, _)| c.as_str());
        let help = did_you_mean(code, codes);
        if !looks_like_code(code) && (!must || help.is_none()) {
            return None;
        }
        return Some(ScenarioError::new(ScenarioErrorKind::UnknownParty(code.value.clone()), code.span, help));
    };
    if let Some(write) = &def.alias {
        let kind = ScenarioErrorKind::PartyAlias { code: code.value.clone(), write: write.clone() };
        let help = Some(format!("`{}` is {}; write `{write}`", code.value, def.name));
        return Some(ScenarioError::new(kind, code.span, help));
    }
    let period = def.period?;
    if period.contains(day) {
        return None;
    }
    let (which, others) = if day < period.from { ("before", &def.predecessors) } else { ("from", &def.successors) };
    let edge = if day < period.from { period.from } else { period.until.unwrap_or(day) };
    let help = if others.is_empty() {
        let exists = match (period.from.0 == i32::MIN, period.until) {
            (true, Some(u)) => format!("until {u}"),
            (_, None) => format!("from {}", period.from),
            (false, Some(u)) => format!("from {} until {u}", period.from),
        };
        format!("`{}` is {}, which exists under this code {exists}", code.value, def.name)
    } else {
        let codes = others.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(" or ");
        format!("{which} {edge} write {codes}: `{}` is {}", code.value, def.name)
    };
    let kind = ScenarioErrorKind::PartyNotThen { code: code.value.clone(), on: day.to_string() };
    Some(ScenarioError::new(kind, code.span, Some(help)))
}

/// What is wrong with a value given as a place, if anything: it must be a place the rules declare
/// or a party's code. The help names a misspelt place, a code in lower case, or the longer name
/// of a short form (`senkakus` → `senkaku_islands`).
fn place_problem(program: &Program, value: &Spanned<String>) -> Option<ScenarioError> {
    let declared = program.symbols.get(value.as_str()).is_some_and(|s| program.places.contains_key(&s));
    if declared || program.is_party_code(value) {
        return None;
    }
    let places = || program.places.values().map(|p| p.name.as_str());
    let codes = program.parties.keys().map(String::as_str);
    let stem: String = value.chars().take(5).collect();
    let longer = || places().filter(|p| value.len() >= 4 && p.starts_with(&stem)).min();
    let help = did_you_mean(value, places().chain(codes))
        .or_else(|| longer().map(|p| format!("did you mean `{p}`?")))
        .unwrap_or_else(|| {
            "a place is one the rules declare with `place`, or a state's code for its metropolitan territory".into()
        });
    Some(ScenarioError::new(ScenarioErrorKind::UnknownPlace(value.value.clone()), value.span, Some(help)))
}
