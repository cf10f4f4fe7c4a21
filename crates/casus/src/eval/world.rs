//! What a scenario fixes before any day is evaluated: the timeline of every instrument, and
//! the facts and acts with their intervals.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::calendar::{Day, Interval};
use crate::intern::Interner;
use crate::program::timeline::timeline;
pub use crate::program::timeline::{Binding, Timeline, Why};
use crate::program::{InstId, PartyStatus, Program, Sym, Symbols};
use crate::scenario::{EventKind, Scenario};
use casus_syntax::ast::DatedKind;
use casus_syntax::diagnostic::Diagnostic;
use casus_syntax::suggest::nearest;

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
    /// The program's names and the scenario's.
    pub syms: ScenarioSymbols<'p>,
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
            syms: ScenarioSymbols::new(&program.symbols),
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
        let mut steps: BTreeMap<(String, String, String), casus_syntax::source::Span> = BTreeMap::new();
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
                    casus_syntax::source::Span::new(0, 0),
                    unknown_instrument(program, id),
                )),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let shared = program.timelines();
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
                        Cow::Owned(timeline(program, &|p| w.syms.name(p).to_string(), i, r, d))
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
        let program = self.program;
        let Some((kind_sym, def)) = program.symbols.get(kind).and_then(|k| program.facts.get(&k).map(|d| (k, d)))
        else {
            return Err(format!("unknown kind of fact `{kind}`"));
        };
        let mut out = Args::new();
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
        let program = self.program;
        let Some((action_sym, def)) = program.symbols.get(action).and_then(|a| program.actions.get(&a).map(|d| (a, d)))
        else {
            return Err(format!("unknown action `{action}`"));
        };
        let roles = &def.roles;
        let mut out = Args::new();
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
pub fn with_defaults(mut args: Args, defaults: &[(Sym, Sym)]) -> Args {
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
    let near = nearest(id, program.instruments.iter().map(|i| i.id.as_str()))
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default();
    format!("unknown instrument `{id}`{near}")
}
