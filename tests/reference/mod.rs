//! The reference semantics of docs/semantics.md, literally: every day from the earliest date mentioned
//! to the horizon, in order, with nothing carried between days but what §3 carries (delayed
//! facts, episodes and assumed acts). It works on the syntax tree with names as strings, shares
//! no code with the evaluator, and is slow on purpose: it exists to be obviously right.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};

use casus::calendar::{Day, Interval};
use casus::check::glob_match;
use casus::eval::{ConflictKind, Status};
use casus::report::{
    CapReport, ConflictReport, DeliveryReport, EpisodeReport, Included, InstrumentReport, NormReport, OtherUnit,
    Report, Side, ViolationReport,
};
use casus::scenario::{EventKind, Scenario};
use casus_syntax::ast::*;

type Args = BTreeMap<String, String>;
type Env = BTreeMap<String, String>;
/// A conflict: party, 0 direct or 1 partial, obligation, prohibition, what prevails.
type ConflictKey = (String, u8, Norm, Norm, Option<String>);

/// A group's own members and the places that lie in it, each with its period.
type Members = Vec<(String, Option<Day>, Option<Day>)>;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Fact {
    kind: String,
    args: Args,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Act {
    party: String,
    action: String,
    args: Args,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Norm {
    party: String,
    modality: u8, // 0 must, 1 must not, 2 may
    action: String,
    args: Args,
    instrument: String,
    article: String,
}

struct Inst<'a> {
    ast: &'a Instrument,
    records: BTreeMap<String, BTreeMap<StatusKind, Day>>,
    dated: BTreeMap<DatedKind, Day>,
}

struct Ref<'a> {
    files: Vec<&'a File>,
    insts: BTreeMap<String, Inst<'a>>,
    groups: BTreeMap<String, Members>,
    facts_decl: BTreeMap<String, &'a FactDecl>,
    actions: BTreeMap<String, &'a ActionDecl>,
    places: BTreeMap<String, &'a PlaceDecl>,
    /// The declared party codes; none declared, every code is a party.
    codes: BTreeSet<String>,
    /// The names of the categories of items.
    categories: BTreeSet<String>,
    /// The first day the report covers.
    start: Day,
}

/// The report that docs/semantics.md defines for a scenario, computed day by day.
pub(crate) fn report(files: &[&File], scenario: &Scenario, as_of: Day, assume: bool) -> Report {
    let r = Ref::new(files, scenario);
    r.run(scenario, as_of, assume)
}

fn day(d: &Date) -> Day {
    Day::from_date(d.civil().unwrap())
}

fn modality(m: Modality) -> u8 {
    match m {
        Modality::Must => 0,
        Modality::MustNot => 1,
        Modality::May => 2,
    }
}

impl<'a> Ref<'a> {
    fn new(files: &[&'a File], scenario: &Scenario) -> Ref<'a> {
        let mut r = Ref {
            files: files.to_vec(),
            insts: BTreeMap::new(),
            groups: BTreeMap::new(),
            facts_decl: BTreeMap::new(),
            actions: BTreeMap::new(),
            places: BTreeMap::new(),
            codes: BTreeSet::new(),
            categories: BTreeSet::new(),
            start: Day(0),
        };
        let period = |p: &Period| (p.from.as_ref().map(day), p.until.as_ref().map(day));
        for f in files {
            for item in &f.items {
                match item {
                    Item::Instrument(i) => {
                        let mut records: BTreeMap<String, BTreeMap<StatusKind, Day>> = BTreeMap::new();
                        let mut dated = BTreeMap::new();
                        for c in &i.body {
                            match c {
                                Clause::Parties(ps) => {
                                    for rec in &ps.records {
                                        let e = records.entry(rec.party.name.clone()).or_default();
                                        for s in &rec.statuses {
                                            e.insert(s.kind, day(&s.date));
                                        }
                                    }
                                }
                                Clause::Dated(k, d, _) => {
                                    dated.insert(*k, day(d));
                                }
                                _ => {}
                            }
                        }
                        r.insts.insert(i.id.name.clone(), Inst { ast: i, records, dated });
                    }
                    Item::Group(g) => {
                        if g.category {
                            r.categories.insert(g.name.name.clone());
                        }
                        let members = g.members.iter().map(|m| {
                            let (from, until) = period(&m.period);
                            (m.term.to_string(), from, until)
                        });
                        r.groups.entry(g.name.name.clone()).or_default().extend(members);
                    }
                    Item::Place(p) => {
                        r.places.insert(p.name.name.clone(), p);
                        for line in &p.lines {
                            if let PlaceLineKind::In(areas) = &line.kind {
                                let (from, until) = period(&line.period);
                                for a in areas {
                                    r.groups.entry(a.name.clone()).or_default().push((
                                        p.name.name.clone(),
                                        from,
                                        until,
                                    ));
                                }
                            }
                        }
                    }
                    Item::Party(p) => {
                        r.codes.insert(p.code.name.clone());
                    }
                    Item::Fact(d) => {
                        r.facts_decl.insert(d.name.name.clone(), d);
                    }
                    Item::Action(a) => {
                        r.actions.insert(a.name.name.clone(), a);
                    }
                    _ => {}
                }
            }
        }
        for e in &scenario.events {
            match &e.kind {
                EventKind::Status { party, instrument, step, on } => {
                    let records = &mut r.insts.get_mut(instrument.as_str()).unwrap().records;
                    records.entry(party.value.clone()).or_default().insert(*step, *on);
                }
                EventKind::Dated { instrument, step, on } => {
                    r.insts.get_mut(instrument.as_str()).unwrap().dated.insert(*step, *on);
                }
                _ => {}
            }
        }
        r.start = r.earliest(scenario);
        r
    }

    // ---- places and groups ----

    /// Whether `x` is a member of group `g` on `d`: listed with a period that holds that day,
    /// or a member that day of a group listed with a period that holds that day.
    fn member(&self, g: &str, x: &str, d: Day) -> bool {
        let within =
            |from: &Option<Day>, until: &Option<Day>| from.is_none_or(|f| f <= d) && until.is_none_or(|u| d < u);
        self.groups.get(g).into_iter().flatten().any(|(m, from, until)| {
            within(from, until)
                && if self.groups.contains_key(m) {
                    // A category listed in a category is one of its items too.
                    (self.categories.contains(m) && m == x) || self.member(m, x, d)
                } else {
                    m == x
                }
        })
    }

    /// Whether value `v` is within `c`: `c` itself, or, for a category, one of its members.
    fn within(&self, v: &str, c: &str) -> bool {
        v == c || (self.categories.contains(c) && self.member(c, v, Day(0)))
    }

    /// Whether something is within both values.
    fn overlap(&self, a: &str, b: &str) -> bool {
        let all = |c: &str| -> BTreeSet<String> {
            let mut out: BTreeSet<String> = [c.to_string()].into();
            if self.categories.contains(c) {
                let names = self.groups.values().flatten().map(|(m, _, _)| m.clone());
                out.extend(names.filter(|m| self.member(c, m, Day(0))));
            }
            out
        };
        !all(a).is_disjoint(&all(b))
    }

    /// Two argument maps agree on every role they share: their values overlap.
    fn agree(&self, a: &Args, b: &Args) -> bool {
        a.iter().all(|(r, v)| b.get(r).is_none_or(|w| self.overlap(v, w)))
    }

    /// An act matches a norm: same party and action, and every argument of the act lies within
    /// the norm's.
    /// For a prohibition, every argument of the act overlaps the norm's: an act on `arms` is not
    /// shown to lie outside a ban on `register_arms`.
    fn matches(&self, a: &Act, n: &Norm) -> bool {
        let args = if n.modality == 1 {
            a.args.iter().all(|(r, v)| n.args.get(r).is_none_or(|w| self.overlap(v, w)))
        } else {
            self.matches_args(&a.args, &n.args)
        };
        a.party == n.party && a.action == n.action && args
    }

    /// Every argument an act gives lies within the norm's for that role, if it gives one.
    fn matches_args(&self, act: &Args, norm: &Args) -> bool {
        act.iter().all(|(r, v)| norm.get(r).is_none_or(|w| self.within(v, w)))
    }

    /// Matches a condition's pattern against a fact's or act's arguments: a constant that names
    /// a category matches the values within it.
    fn unify(&self, pattern: &[Arg], args: &Args, env: &Env) -> Option<Env> {
        let mut e = env.clone();
        for a in pattern {
            e = match &a.value {
                Term::Symbol(c) if self.categories.contains(&c.name) => {
                    let v = args.get(&a.role.name)?;
                    self.within(v, &c.name).then_some(e)?
                }
                t => unify_term(t, args.get(&a.role.name), &e)?,
            };
        }
        Some(e)
    }

    /// Every name that is ever a member of `g`.
    fn ever_members(&self, g: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (m, _, _) in self.groups.get(g).into_iter().flatten() {
            if self.groups.contains_key(m) {
                out.extend(self.ever_members(m));
            } else {
                out.insert(m.clone());
            }
        }
        out
    }

    fn is_code(&self, name: &str) -> bool {
        name.len() >= 2
            && name.bytes().all(|b| b.is_ascii_uppercase())
            && (self.codes.is_empty() || self.codes.contains(name))
    }

    /// The states a place is `territory` or `administered` by on `d`: a party code is its own
    /// metropolitan territory.
    fn related(&self, place: &str, relation: &str, d: Day) -> Vec<String> {
        let mut out = Vec::new();
        if self.is_code(place) {
            out.push(place.to_string());
        }
        for line in self.places.get(place).map(|p| p.lines.as_slice()).unwrap_or(&[]) {
            let state = match (&line.kind, relation) {
                (PlaceLineKind::Territory(s), "territory") | (PlaceLineKind::Administered(s), "administered") => s,
                _ => continue,
            };
            let from = line.period.from.as_ref().map(day);
            let until = line.period.until.as_ref().map(day);
            if from.is_none_or(|f| f <= d) && until.is_none_or(|u| d < u) {
                out.push(state.name.clone());
            }
        }
        out
    }

    /// Whether a pattern is one of the relations of places, not a declared kind of fact.
    fn is_relation(&self, name: &str) -> bool {
        (name == "territory" || name == "administered") && !self.facts_decl.contains_key(name)
    }

    // ---- step 1: instruments ----

    fn entry(&self, inst: &Inst) -> Option<Day> {
        let on_sig = inst.ast.body.iter().any(|c| matches!(c, Clause::InForce(EntryIntoForce::OnSignature, _)));
        let mut joins: Vec<Day> = inst.records.keys().filter_map(|p| self.joined(inst, p, on_sig)).collect();
        joins.sort();
        let clause = inst.ast.body.iter().find_map(|c| match c {
            Clause::InForce(e, _) => Some(*e),
            _ => None,
        });
        match clause {
            Some(EntryIntoForce::OnSignature) | None => joins.first().copied(),
            Some(EntryIntoForce::OnExchange) => inst.dated.get(&DatedKind::Exchanged).copied(),
            Some(EntryIntoForce::OnAdoption) => inst.dated.get(&DatedKind::Adopted).copied(),
            Some(EntryIntoForce::OnDate(d)) => Some(day(&d)),
            Some(EntryIntoForce::AfterRatifications { delay, count }) => {
                joins.get(count as usize - 1).map(|d| d.plus(delay))
            }
        }
    }

    fn joined(&self, inst: &Inst, party: &str, on_sig: bool) -> Option<Day> {
        let rec = inst.records.get(party)?;
        let mut steps = vec![rec.get(&StatusKind::Ratified), rec.get(&StatusKind::Acceded)];
        if on_sig {
            steps.push(rec.get(&StatusKind::Signed));
        }
        steps.into_iter().flatten().min().copied()
    }

    /// How long after notice a withdrawal takes effect; none when the instrument is left only by
    /// agreement.
    fn notice(&self, inst: &Inst) -> Option<Duration> {
        if inst.ast.body.iter().any(|c| matches!(c, Clause::NoWithdrawal(_))) {
            return None;
        }
        Some(
            inst.ast
                .body
                .iter()
                .find_map(|c| match c {
                    Clause::Withdrawal(d, _) => Some(*d),
                    _ => None,
                })
                .unwrap_or(Duration { amount: 12, unit: Unit::Months }),
        )
    }

    fn binds_group<'g>(&self, inst: &'g Inst) -> Option<&'g str> {
        inst.ast.body.iter().find_map(|c| match c {
            Clause::Binds(g, _) => Some(g.name.as_str()),
            _ => None,
        })
    }

    fn in_force(&self, id: &str, d: Day) -> bool {
        let inst = &self.insts[id];
        let Some(entry) = self.entry(inst) else { return false };
        if d < entry {
            return false;
        }
        // Terminated, unless re-applied later: then not in force only from the one to the other.
        let terminated = inst.dated.get(&DatedKind::Terminated).copied();
        let reapplied = inst.dated.get(&DatedKind::Reapplied).copied().filter(|r| terminated.is_some_and(|t| *r > t));
        if terminated.is_some_and(|t| t <= d) && reapplied.is_none_or(|r| d < r) {
            return false;
        }
        if inst.dated.get(&DatedKind::Expires).is_some_and(|t| *t <= d) {
            return false;
        }
        let bilateral = self.binds_group(inst).is_none() && inst.records.len() == 2;
        if bilateral && let Some(notice) = self.notice(inst) {
            for rec in inst.records.values() {
                if let Some(w) = rec.get(&StatusKind::Withdrew)
                    && w.plus(notice) <= d
                {
                    return false;
                }
            }
        }
        true
    }

    /// Bound on `d`: in force, and the party's latest step on or before `d` joined it (on one
    /// day, leaving comes first).
    fn bound(&self, id: &str, party: &str, d: Day) -> bool {
        if !self.in_force(id, d) {
            return false;
        }
        let inst = &self.insts[id];
        let on_sig = inst.ast.body.iter().any(|c| matches!(c, Clause::InForce(EntryIntoForce::OnSignature, _)));
        let mut steps: Vec<(Day, bool)> = Vec::new();
        for (kind, day) in inst.records.get(party).into_iter().flatten() {
            match kind {
                StatusKind::Ratified | StatusKind::Acceded => steps.push((*day, true)),
                StatusKind::Signed if on_sig => steps.push((*day, true)),
                StatusKind::Left | StatusKind::Suspended => steps.push((*day, false)),
                StatusKind::Withdrew => {
                    if let Some(notice) = self.notice(inst) {
                        steps.push((day.plus(notice), false));
                    }
                }
                StatusKind::Signed => {}
            }
        }
        if !steps.iter().any(|(_, joins)| *joins) {
            // A member of the group the instrument binds joins when it becomes a member (or at
            // entry into force) and leaves when it stops being one.
            let Some(g) = self.binds_group(inst) else { return false };
            // Its runs of membership, found day by day; one that ends before the entry into force
            // binds it to nothing.
            let entry = self.entry(inst).unwrap();
            let mut runs: Vec<(Day, Option<Day>)> = Vec::new();
            let mut was = false;
            for x in (self.start.0 - 1)..=d.0 {
                let is = self.member(g, party, Day(x));
                match (was, is) {
                    (false, true) => runs.push((Day(x), None)),
                    (true, false) => {
                        if let Some(last) = runs.last_mut() {
                            last.1 = Some(Day(x));
                        }
                    }
                    _ => {}
                }
                was = is;
            }
            for (from, until) in runs.into_iter().filter(|(_, u)| u.is_none_or(|u| u > entry)) {
                steps.push((from.max(entry), true));
                if let Some(u) = until {
                    steps.push((u, false));
                }
            }
        }
        steps.sort();
        steps.iter().rev().find(|(day, _)| *day <= d).is_some_and(|(_, joins)| *joins)
    }

    fn parties(&self, id: &str) -> BTreeSet<String> {
        let inst = &self.insts[id];
        let mut out: BTreeSet<String> = inst.records.keys().cloned().collect();
        if let Some(g) = self.binds_group(inst) {
            out.extend(self.ever_members(g));
        }
        out
    }

    // ---- step 2: facts ----

    /// A role left out takes its default: first the value of the role a default names, in the
    /// order declared (a default may read one filled before it); then, where the default names
    /// no role, that constant.
    fn with_defaults(&self, kind: &str, mut args: Args) -> Args {
        if let Some(decl) = self.facts_decl.get(kind) {
            let is_role = |n: &str| decl.roles.iter().any(|x| x.name.name == n);
            for r in &decl.roles {
                if let Some(from) = r.default.as_ref().filter(|d| is_role(&d.name))
                    && !args.contains_key(&r.name.name)
                    && let Some(v) = args.get(&from.name).cloned()
                {
                    args.insert(r.name.name.clone(), v);
                }
            }
            for r in &decl.roles {
                if let Some(constant) = r.default.as_ref().filter(|d| !is_role(&d.name)) {
                    args.entry(r.name.name.clone()).or_insert_with(|| constant.name.clone());
                }
            }
        }
        args
    }

    fn deems(&self) -> Vec<&'a Deem> {
        self.files
            .iter()
            .flat_map(|f| f.items.iter())
            .filter_map(|i| if let Item::Deem(d) = i { Some(d) } else { None })
            .collect()
    }

    /// Same-day `deem` rules grouped so that each group only negates kinds finished before it.
    fn strata(&self) -> Vec<Vec<&'a Deem>> {
        let same: Vec<&Deem> = self.deems().into_iter().filter(|d| d.delay.is_none_or(|x| x.amount == 0)).collect();
        let mut level: BTreeMap<String, usize> = BTreeMap::new();
        for _ in 0..=same.len() {
            for d in &same {
                let mut need = 0;
                fn walk(lits: &[Literal], neg: bool, f: &mut dyn FnMut(&str, bool)) {
                    for l in lits {
                        match &l.kind {
                            LiteralKind::Fact(p) => f(&p.name.name, neg),
                            LiteralKind::Not(inner) => walk(inner, true, f),
                            _ => {}
                        }
                    }
                }
                walk(&d.condition, false, &mut |k, neg| {
                    need = need.max(level.get(k).copied().unwrap_or(0) + usize::from(neg))
                });
                let e = level.entry(d.head.name.name.clone()).or_insert(0);
                *e = (*e).max(need);
            }
        }
        let mut out: BTreeMap<usize, Vec<&Deem>> = BTreeMap::new();
        for d in same {
            out.entry(level[&d.head.name.name]).or_default().push(d);
        }
        out.into_values().collect()
    }

    // ---- conditions ----

    /// Every environment extending `env` under which all `lits` hold on day `d`: first every
    /// fact and act pattern, in order; then every other literal as a filter.
    fn solutions(&self, lits: &[Literal], env: &Env, w: &Day_, inst: Option<&str>) -> Vec<Env> {
        let (patterns, tests): (Vec<&Literal>, Vec<&Literal>) =
            lits.iter().partition(|l| matches!(l.kind, LiteralKind::Fact(_) | LiteralKind::Act { .. }));
        let mut envs = vec![env.clone()];
        for p in patterns {
            let mut next = Vec::new();
            for e in &envs {
                match &p.kind {
                    LiteralKind::Fact(pat) if self.is_relation(&pat.name.name) => {
                        let role = |r: &str| pat.args.iter().find(|a| a.role.name == r).map(|a| &a.value);
                        let state_role = if pat.name.name == "territory" { "of" } else { "by" };
                        let place_value = role("place").and_then(|t| term_value(t, e));
                        let candidates: Vec<String> = match place_value {
                            Some(p) => vec![p],
                            None => {
                                let own = role(state_role).and_then(|t| term_value(t, e)).filter(|s| self.is_code(s));
                                own.into_iter().chain(self.places.keys().cloned()).collect()
                            }
                        };
                        for place in candidates {
                            for state in self.related(&place, &pat.name.name, w.day) {
                                let args: Args =
                                    [("place".to_string(), place.clone()), (state_role.to_string(), state)].into();
                                if let Some(e2) = self.unify(&pat.args, &args, e) {
                                    push(&mut next, e2);
                                }
                            }
                        }
                    }
                    LiteralKind::Fact(pat) => {
                        for f in w.facts.iter().filter(|f| f.kind == pat.name.name) {
                            if let Some(e2) = self.unify(&pat.args, &f.args, e) {
                                next.push(e2);
                            }
                        }
                    }
                    LiteralKind::Act { actor, action } => {
                        for a in w.acts.iter().filter(|a| a.action == action.name.name) {
                            let Some(e1) = unify_term(actor, Some(&a.party), e) else { continue };
                            if let Some(e2) = self.unify(&action.args, &a.args, &e1) {
                                next.push(e2);
                            }
                        }
                    }
                    _ => unreachable!(),
                }
            }
            envs = next;
        }
        envs.into_iter().filter(|e| tests.iter().all(|t| self.holds(t, e, w, inst))).collect()
    }

    fn holds(&self, l: &Literal, env: &Env, w: &Day_, inst: Option<&str>) -> bool {
        let val = |t: &Term| -> Option<String> {
            match t {
                Term::Var(v) => env.get(&v.name).cloned(),
                Term::Party(c) | Term::Symbol(c) => Some(c.name.clone()),
                Term::Wildcard(_) => None,
            }
        };
        match &l.kind {
            LiteralKind::IsParty { term, negated, instrument } => {
                let id = instrument.as_ref().map(|i| i.name.as_str()).or(inst).unwrap();
                val(term).is_some_and(|p| self.bound(id, &p, w.day)) != *negated
            }
            LiteralKind::InGroup { term, negated, group } => {
                val(term).is_some_and(|v| self.member(&group.name, &v, w.day)) != *negated
            }
            LiteralKind::Compare { left, negated, right } => match (val(left), val(right)) {
                (Some(a), Some(b)) => (a == b) != *negated,
                _ => true,
            },
            LiteralKind::Not(inner) => self.solutions(inner, env, w, inst).is_empty(),
            _ => !self.solutions(std::slice::from_ref(l), env, w, inst).is_empty(),
        }
    }

    // ---- the days ----

    fn run(&self, scenario: &Scenario, as_of: Day, assume: bool) -> Report {
        let start = self.earliest(scenario).min(as_of);
        let strata = self.strata();
        let delayed: Vec<&Deem> = self.deems().into_iter().filter(|d| d.delay.is_some_and(|x| x.amount > 0)).collect();
        let mut delayed_hist: Vec<BTreeMap<Day, Vec<Fact>>> = vec![BTreeMap::new(); delayed.len()];
        let mut active: BTreeMap<Norm, Vec<Day>> = BTreeMap::new();
        let mut rule_of: BTreeMap<Norm, Option<Deadline>> = BTreeMap::new();
        let mut cap_of: BTreeMap<Norm, Option<Cap>> = BTreeMap::new();
        let mut overridden: BTreeMap<Norm, BTreeSet<Day>> = BTreeMap::new();
        let mut conflicts: BTreeMap<ConflictKey, Vec<Day>> = BTreeMap::new();
        let mut performed: BTreeMap<Day, Vec<(Act, Norm)>> = BTreeMap::new();
        let mut acts_on: BTreeMap<Day, Vec<(Act, bool)>> = BTreeMap::new();
        let mut d = start;
        while d <= as_of {
            // Step 2: facts and acts of the day.
            let mut w = Day_ { day: d, facts: Vec::new(), acts: Vec::new() };
            for e in &scenario.events {
                match &e.kind {
                    EventKind::Fact { kind, args, from, until, .. } if *from <= d && until.is_none_or(|u| d < u) => {
                        push(
                            &mut w.facts,
                            Fact { kind: kind.value.clone(), args: self.with_defaults(kind, given(args)) },
                        );
                    }
                    EventKind::Act { party, action, args, from, until, .. }
                        if *from <= d && until.is_none_or(|u| d < u) =>
                    {
                        let a = Act { party: party.value.clone(), action: action.value.clone(), args: given(args) };
                        push(&mut w.acts, a.clone());
                        acts_on.entry(d).or_default().push((a, false));
                    }
                    _ => {}
                }
            }
            if let Some(yesterday) = performed.get(&Day(d.0 - 1)) {
                for (a, _) in yesterday {
                    push(&mut w.acts, a.clone());
                }
            }
            for (i, rule) in delayed.iter().enumerate() {
                let back = Day(d.0 - rule.delay.unwrap().amount as i32);
                if let Some(fs) = delayed_hist[i].get(&back) {
                    for f in fs {
                        push(&mut w.facts, f.clone());
                    }
                }
            }
            for stratum in &strata {
                loop {
                    let mut new = Vec::new();
                    for rule in stratum {
                        for e in self.solutions(&rule.condition, &Env::new(), &w, None) {
                            new.push(self.head(&rule.head, &e));
                        }
                    }
                    let before = w.facts.len();
                    for f in new {
                        push(&mut w.facts, f);
                    }
                    if w.facts.len() == before {
                        break;
                    }
                }
            }
            for (i, rule) in delayed.iter().enumerate() {
                let mut fs: Vec<Fact> = self
                    .solutions(&rule.condition, &Env::new(), &w, None)
                    .iter()
                    .map(|e| self.head(&rule.head, e))
                    .collect();
                fs.sort();
                fs.dedup();
                delayed_hist[i].insert(d, fs);
            }
            // Step 3: norms.
            let mut today: BTreeSet<Norm> = BTreeSet::new();
            for (id, inst) in &self.insts {
                if !self.in_force(id, d) {
                    continue;
                }
                let reservations: Vec<&Reservation> = inst
                    .ast
                    .body
                    .iter()
                    .filter_map(|c| if let Clause::Reservation(r) = c { Some(r) } else { None })
                    .collect();
                for article in inst.ast.articles() {
                    // A party's reservation to the article gives its norms under it instead of the
                    // article's own rules.
                    let reserving: BTreeSet<&str> = reservations
                        .iter()
                        .filter(|r| r.article.name == article.id.name)
                        .map(|r| r.party.name.as_str())
                        .collect();
                    let own = article.rules.iter().map(|r| (r, false));
                    let theirs = reservations
                        .iter()
                        .filter(|r| r.article.name == article.id.name)
                        .flat_map(|r| r.rules.iter().map(|x| (x, true)));
                    for (rule, reserved) in own.chain(theirs) {
                        // Tests of the bearer variable are made once the bearer is known.
                        let cond = rule.condition.as_deref().unwrap_or(&[]);
                        let bearer = match &rule.conclusion.bearers {
                            Bearers::EveryParty { var, .. } | Bearers::EveryState { var, .. } => {
                                Some(var.name.as_str())
                            }
                            _ => None,
                        };
                        let (plain, per_bearer): (Vec<Literal>, Vec<Literal>) =
                            cond.iter().cloned().partition(|l| bearer.is_none_or(|b| !names_var(l, b)));
                        for env in self.solutions(&plain, &Env::new(), &w, Some(id)) {
                            for (party, env) in self.bearers(id, &rule.conclusion.bearers, &env, d) {
                                if !per_bearer.iter().all(|t| self.holds(t, &env, &w, Some(id))) {
                                    continue;
                                }
                                if !reserved && reserving.contains(party.as_str()) {
                                    continue;
                                }
                                let args: Args = rule
                                    .conclusion
                                    .action
                                    .args
                                    .iter()
                                    .map(|a| (a.role.name.clone(), term_value(&a.value, &env).unwrap()))
                                    .collect();
                                let n = Norm {
                                    party,
                                    modality: modality(rule.conclusion.modality),
                                    action: rule.conclusion.action.name.name.clone(),
                                    args,
                                    instrument: id.clone(),
                                    article: article.id.name.clone(),
                                };
                                rule_of.entry(n.clone()).or_insert(rule.conclusion.deadline);
                                cap_of.entry(n.clone()).or_insert_with(|| rule.conclusion.cap.clone());
                                today.insert(n);
                            }
                        }
                    }
                }
            }
            // Step 4: conflicts.
            let mut over_today: BTreeSet<Norm> = BTreeSet::new();
            for m in today.iter().filter(|n| n.modality == 0) {
                for f in today.iter().filter(|n| n.modality == 1 && n.party == m.party) {
                    if m.action == f.action && self.agree(&m.args, &f.args) {
                        let prevails = if self.prevails(&m.instrument, &f.instrument) {
                            over_today.insert(f.clone());
                            Some(m.instrument.clone())
                        } else if self.prevails(&f.instrument, &m.instrument) {
                            over_today.insert(m.clone());
                            Some(f.instrument.clone())
                        } else {
                            None
                        };
                        conflicts.entry((m.party.clone(), 0, m.clone(), f.clone(), prevails)).or_default().push(d);
                    } else if !self.included(m, f).is_empty() {
                        // Precedence ranks the two sides of a partial conflict too: a prevailing
                        // obligation overrides the prohibition; a prevailing prohibition overrides
                        // only the included action, and the obligation stands.
                        let prevails = if self.prevails(&m.instrument, &f.instrument) {
                            over_today.insert(f.clone());
                            Some(m.instrument.clone())
                        } else if self.prevails(&f.instrument, &m.instrument) {
                            Some(f.instrument.clone())
                        } else {
                            None
                        };
                        conflicts.entry((m.party.clone(), 1, m.clone(), f.clone(), prevails)).or_default().push(d);
                    }
                }
            }
            for n in &today {
                active.entry(n.clone()).or_default().push(d);
            }
            for n in &over_today {
                overridden.entry(n.clone()).or_default().insert(d);
            }
            // Step 5: compliance.
            if assume {
                for n in today.iter().filter(|n| n.modality == 0 && !over_today.contains(*n)) {
                    let start = episode_start(&active[n], d);
                    // A `forthwith` duty is performed on its first day.
                    let performed_on = match rule_of[n] {
                        Some(Deadline::Forthwith) => Some(start),
                        other => due(start, other),
                    };
                    if let Some(due) = performed_on
                        && due <= d
                    {
                        let a = Act { party: n.party.clone(), action: n.action.clone(), args: n.args.clone() };
                        performed.entry(d).or_default().push((a.clone(), n.clone()));
                        acts_on.entry(d).or_default().push((a, true));
                    }
                }
            }
            d = d.next();
        }
        let caps = self.caps(scenario, &active, &cap_of);
        self.report(scenario, as_of, &active, &rule_of, &overridden, &conflicts, &acts_on, &caps)
    }

    fn head(&self, head: &Pattern, env: &Env) -> Fact {
        let args: Args = head.args.iter().map(|a| (a.role.name.clone(), term_value(&a.value, env).unwrap())).collect();
        Fact { kind: head.name.name.clone(), args: self.with_defaults(&head.name.name, args) }
    }

    fn bearers(&self, id: &str, b: &Bearers, env: &Env, d: Day) -> Vec<(String, Env)> {
        let except = |ex: &[Term], p: &str| ex.iter().any(|t| term_value(t, env).as_deref() == Some(p));
        match b {
            Bearers::EveryParty { var, except: ex } | Bearers::EveryState { var, except: ex } => self
                .parties(id)
                .into_iter()
                .filter(|p| self.bound(id, p, d) && !except(ex, p))
                .map(|p| {
                    let mut e = env.clone();
                    e.insert(var.name.clone(), p.clone());
                    (p, e)
                })
                .collect(),
            Bearers::EveryMember { group, except: ex } => self
                .ever_members(&group.name)
                .into_iter()
                .filter(|p| self.member(&group.name, p, d) && self.bound(id, p, d) && !except(ex, p))
                .map(|p| (p, env.clone()))
                .collect(),
            Bearers::One(t) => {
                term_value(t, env).filter(|p| self.bound(id, p, d)).map(|p| (p, env.clone())).into_iter().collect()
            }
        }
    }

    fn prevails(&self, a: &str, b: &str) -> bool {
        let over = |x: &str, y: &str| {
            self.files.iter().flat_map(|f| f.items.iter()).any(|i| match i {
                Item::Precedence(p) => {
                    let win = |id: &str| p.winners.iter().any(|g| glob_match(&g.name, id));
                    let lose = |id: &str| p.losers.iter().any(|g| glob_match(&g.name, id));
                    x != y && win(x) && lose(y) && !win(y)
                }
                _ => false,
            })
        };
        over(a, b) && !over(b, a)
    }

    /// The actions obligation `m` includes (at any depth) that prohibition `f` forbids, with
    /// their arguments, sorted. A variable in an `includes` clause is the including action's role
    /// of that name.
    fn included(&self, m: &Norm, f: &Norm) -> Vec<(String, Args)> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(String, Args)> = vec![(m.action.clone(), m.args.clone())];
        while let Some((action, args)) = stack.pop() {
            if !seen.insert(action.clone()) {
                continue;
            }
            let Some(decl) = self.actions.get(&action) else { continue };
            for inc in &decl.includes {
                let mut resolved = Args::new();
                for g in &inc.args {
                    let value = match &g.value {
                        Term::Var(v) => args
                            .iter()
                            .find(|(role, _)| casus::check::capitalised(role) == v.name)
                            .map(|(_, x)| x.clone()),
                        other => Some(other.to_string()),
                    };
                    if let Some(x) = value {
                        resolved.insert(g.role.name.clone(), x);
                    }
                }
                if inc.name.name == f.action && self.agree(&resolved, &f.args) {
                    // What gives way is the forbidden part: a value of the prohibition within
                    // the included one replaces it.
                    let mut forbidden = resolved.clone();
                    for (role, v) in &mut forbidden {
                        if let Some(w) = f.args.get(role)
                            && self.within(w, v)
                        {
                            *v = w.clone();
                        }
                    }
                    out.push((inc.name.name.clone(), forbidden));
                }
                stack.push((inc.name.name.clone(), resolved));
            }
        }
        out.sort();
        out
    }

    /// The acts that perform obligation `n`: its own action, and those its action's `fulfilled by`
    /// clause names, with the arguments `n` gives them.
    fn fulfils(&self, a: &Act, n: &Norm) -> bool {
        if self.matches(a, n) {
            return true;
        }
        if n.modality != 0 {
            return false;
        }
        let Some(decl) = self.actions.get(&n.action) else { return false };
        decl.fulfilled_by.iter().any(|p| {
            let mut args = Args::new();
            for g in &p.args {
                let value = match &g.value {
                    Term::Var(v) => n
                        .args
                        .iter()
                        .find(|(role, _)| casus::check::capitalised(role) == v.name)
                        .map(|(_, x)| x.clone()),
                    other => Some(other.to_string()),
                };
                if let Some(x) = value {
                    args.insert(g.role.name.clone(), x);
                }
            }
            a.party == n.party && a.action == p.name.name && self.matches_args(&a.args, &args)
        })
    }

    fn earliest(&self, scenario: &Scenario) -> Day {
        let mut days = vec![scenario.as_of];
        for inst in self.insts.values() {
            days.extend(inst.records.values().flat_map(|r| r.values().copied()));
            days.extend(inst.dated.values().copied());
            if let Some(e) = self.entry(inst) {
                days.push(e);
            }
        }
        for e in &scenario.events {
            match &e.kind {
                EventKind::Fact { from, .. } | EventKind::Act { from, .. } => days.push(*from),
                EventKind::Status { on, .. } | EventKind::Dated { on, .. } => days.push(*on),
            }
        }
        days.into_iter().min().unwrap()
    }

    // ---- caps ----

    /// For each capped prohibition: its cap with the party's counted acts, and the acts that
    /// break it with their days. The acts counted are the scenario's acts that match a norm of
    /// the group (the norm alone, or for a cap in aggregate every norm of its article, action and
    /// arguments) on their first day, while that norm is active, in the order of their first
    /// days and then of the scenario.
    fn caps(
        &self,
        scenario: &Scenario,
        active: &BTreeMap<Norm, Vec<Day>>,
        cap_of: &BTreeMap<Norm, Option<Cap>>,
    ) -> Caps {
        let mut out = BTreeMap::new();
        for n in active.keys() {
            let Some(Some(cap)) = cap_of.get(n).filter(|_| n.modality == 1) else { continue };
            let group: Vec<(&Norm, &Vec<Day>)> = active
                .iter()
                .filter(|(m, _)| {
                    *m == n
                        || (cap.aggregate
                            && matches!(cap_of.get(*m), Some(Some(c)) if c.aggregate)
                            && (m.modality, &m.action, &m.args, &m.instrument, &m.article)
                                == (n.modality, &n.action, &n.args, &n.instrument, &n.article))
                })
                .collect();
            // (first day, event, the act, its days, its amount, whether it is this norm's)
            let mut counted = Vec::new();
            let k: u128 = cap.or.as_ref().map_or(1, |(other, _)| u128::from(other.value).max(1));
            for (ev, e) in scenario.events.iter().enumerate() {
                let EventKind::Act { party, action, args, amount, from, until, .. } = &e.kind else { continue };
                let a = Act { party: party.value.clone(), action: action.value.clone(), args: given(args) };
                let Some((m, _)) = group.iter().find(|(m, ds)| self.matches(&a, m) && ds.contains(from)) else {
                    continue;
                };
                // The amount in 1/k of the cap's unit, k the cap's amount in its other unit (1 when it
                // has none): an amount given only in the other unit is worth `cap.amount / k` of the
                // cap's unit for each of its own, the text's own equivalence.
                let of = |unit: &str| amount.iter().find(|(u, _)| u.value == unit).map(|(_, x)| u128::from(*x));
                let units = match of(&cap.unit.name) {
                    Some(x) => Some((x * k, None)),
                    None => cap
                        .or
                        .as_ref()
                        .and_then(|(_, other)| of(&other.name))
                        .map(|x| (x * u128::from(cap.amount.value), u64::try_from(x).ok())),
                };
                counted.push((*from, ev, a, Interval { from: *from, until: *until }, units, *m == n));
            }
            // On one day: by party, then arguments by role name, then amount; the scenario's order
            // last, among acts alike in all of these.
            counted.sort_by(|x, y| {
                (x.0, &x.2.party, &x.2.args, x.4.map(|u| u.0), x.1).cmp(&(
                    y.0,
                    &y.2.party,
                    &y.2.args,
                    y.4.map(|u| u.0),
                    y.1,
                ))
            });
            let allowed = |d: Day| match cap.period {
                CapPeriod::Fixed { from, .. } if d < day(&from) => 0,
                _ => u128::from(cap.amount.value) * k,
            };
            let whole = |x: u128| u64::try_from(x / k).unwrap_or(u64::MAX);
            let mut deliveries = Vec::new();
            let mut over = Vec::new();
            for (i, c) in counted.iter().enumerate() {
                let d = c.0;
                let mine = c.4.map_or(0, |u| u.0);
                // Before the first of fixed periods nothing is allowed: each act stands alone.
                let total: u128 = if matches!(&cap.period, CapPeriod::Fixed { from, .. } if d < day(from)) {
                    mine
                } else {
                    counted[..=i]
                        .iter()
                        .filter(|e| same_period(&cap.period, e.0, d))
                        .map(|e| e.4.map_or(0, |u| u.0))
                        .sum()
                };
                let before = total - mine;
                // The excess, rounded up to whole units of the cap: zero only within it.
                let excess = c.4.map(|_| {
                    u64::try_from(total.saturating_sub(before.max(allowed(d))).div_ceil(k)).unwrap_or(u64::MAX)
                });
                if c.5 {
                    let (amount, given) = (c.4.map(|u| whole(u.0)), c.4.and_then(|u| u.1));
                    deliveries.push(DeliveryReport { on: d, amount, given, total: whole(total), excess });
                    if excess != Some(0) {
                        over.push((c.2.clone(), c.3));
                    }
                }
            }
            let (period, length, from) = match &cap.period {
                CapPeriod::Fixed { length, from } => ("fixed", Some(length.to_string()), Some(day(from))),
                CapPeriod::Rolling(length) => ("rolling", Some(length.to_string()), None),
                CapPeriod::Total => ("total", None, None),
            };
            let report = CapReport {
                amount: cap.amount.value,
                unit: cap.unit.name.clone(),
                or: cap.or.as_ref().map(|(a, u)| OtherUnit { amount: a.value, unit: u.name.clone() }),
                period,
                length,
                from,
                aggregate: cap.aggregate,
                deliveries,
            };
            out.insert(n.clone(), (report, over));
        }
        out
    }

    // ---- the report ----

    #[allow(clippy::too_many_arguments)]
    fn report(
        &self,
        scenario: &Scenario,
        as_of: Day,
        active: &BTreeMap<Norm, Vec<Day>>,
        rule_of: &BTreeMap<Norm, Option<Deadline>>,
        overridden: &BTreeMap<Norm, BTreeSet<Day>>,
        conflicts: &BTreeMap<ConflictKey, Vec<Day>>,
        acts_on: &BTreeMap<Day, Vec<(Act, bool)>>,
        caps: &Caps,
    ) -> Report {
        let start = self.earliest(scenario).min(as_of);
        let all_days = || (start.0..=as_of.0).map(Day);
        let mut instruments = Vec::new();
        for (id, inst) in &self.insts {
            let in_force = runs(all_days().filter(|d| self.in_force(id, *d)), as_of);
            let bound: BTreeMap<String, Vec<Interval>> = self
                .parties(id)
                .into_iter()
                .map(|p| (p.clone(), runs(all_days().filter(|d| self.bound(id, &p, *d)), as_of)))
                .filter(|(_, v)| !v.is_empty())
                .collect();
            instruments.push(InstrumentReport { id: id.clone(), kind: inst.ast.kind, in_force, bound });
        }
        let mut norms = Vec::new();
        let mut violations = Vec::new();
        for (n, days) in active {
            let eps = runs(days.iter().copied(), as_of);
            let over = overridden.get(n).cloned().unwrap_or_default();
            let episodes: Vec<EpisodeReport> = eps
                .iter()
                .map(|s| EpisodeReport {
                    from: s.from,
                    until: s.until,
                    due: if n.modality == 0 { due(s.from, rule_of[n]) } else { None },
                })
                .collect();
            let last = *episodes.last().unwrap();
            let last_day = last.until.map_or(as_of, |u| Day(u.0 - 1));
            let acts_between = |from: Day, to: Day, assumed: Option<bool>| -> bool {
                (from.0..=to.0).map(Day).any(|d| {
                    acts_on.get(&d).is_some_and(|v| {
                        v.iter().any(|(a, asm)| assumed.is_none_or(|x| x == *asm) && self.fulfils(a, n))
                    })
                })
            };
            // A prohibition or permission that no longer holds is discharged, unbroken. Each
            // status comes with its first day, found day by day.
            let ended = last.until.is_some();
            let until = last.until.unwrap_or(last.from);
            let first_act = |to: Day, assumed: Option<bool>| {
                (last.from.0..=to.0).map(Day).find(|d| {
                    acts_on.get(d).is_some_and(|v| {
                        v.iter().any(|(a, asm)| assumed.is_none_or(|x| x == *asm) && self.fulfils(a, n))
                    })
                })
            };
            // The first day of the run of overridden days that ends on the last active day.
            let overridden_since = || {
                let mut d = last_day;
                while d > last.from && over.contains(&Day(d.0 - 1)) {
                    d = Day(d.0 - 1);
                }
                d
            };
            // A capped prohibition is broken only by the acts beyond its cap, and by assumed acts.
            let breaks = |a: &Act, asm: bool, d: Day| {
                self.matches(a, n)
                    && caps.get(n).is_none_or(|(_, over)| asm || over.iter().any(|(b, w)| b == a && w.contains(d)))
            };
            let (status, since, assumed) = match n.modality {
                2 if ended => (Status::Discharged, until, false),
                2 => (Status::Permitted, last.from, false),
                1 => {
                    let broken = (last.from.0..=last_day.0).map(Day).find(|d| {
                        !over.contains(d)
                            && acts_on.get(d).is_some_and(|v| v.iter().any(|(a, asm)| breaks(a, *asm, *d)))
                    });
                    if let Some(d) = broken {
                        (Status::Violated, d, false)
                    } else if over.contains(&last_day) {
                        (Status::Overridden, overridden_since(), false)
                    } else if ended {
                        (Status::Discharged, until, false)
                    } else {
                        (Status::InEffect, last.from, false)
                    }
                }
                _ => {
                    let end = last.due.map_or(last_day, |u| u.min(last_day));
                    let given = acts_between(last.from, end, Some(false));
                    let any = acts_between(last.from, end, None);
                    if any {
                        let on = if given { first_act(end, Some(false)) } else { first_act(end, None) };
                        (Status::Fulfilled, on.unwrap_or(last.from), !given)
                    } else if over.contains(&last_day) {
                        (Status::Overridden, overridden_since(), false)
                    } else if last.due.is_some_and(|u| u < last.from) {
                        // Due before it arose: overdue from its first day.
                        (Status::Violated, last.from, false)
                    } else if let Some(u) = last.due.filter(|u| {
                        *u >= last.from && *u <= last_day && last.until.is_none_or(|x| *u < x) && as_of > *u
                    }) {
                        (Status::Violated, u.next(), false)
                    } else if last.until.is_some() {
                        (Status::Discharged, until, false)
                    } else {
                        (Status::Pending, last.from, false)
                    }
                }
            };
            if n.modality == 1 {
                let mut per_act: BTreeMap<(Act, bool), BTreeSet<Day>> = BTreeMap::new();
                for d in days {
                    if over.contains(d) {
                        continue;
                    }
                    for (a, asm) in acts_on.get(d).map(Vec::as_slice).unwrap_or(&[]) {
                        if breaks(a, *asm, *d) {
                            per_act.entry((a.clone(), *asm)).or_default().insert(*d);
                        }
                    }
                }
                for ((a, asm), ds) in per_act {
                    for s in runs(ds.into_iter(), as_of) {
                        violations.push(ViolationReport {
                            party: a.party.clone(),
                            instrument: n.instrument.clone(),
                            article: n.article.clone(),
                            action: a.action.clone(),
                            args: a.args.clone().into(),
                            on: s.from,
                            until: s.until,
                            assumed: asm,
                        });
                    }
                }
            }
            norms.push(NormReport {
                party: n.party.as_str().into(),
                modality: [Modality::Must, Modality::MustNot, Modality::May][n.modality as usize],
                action: n.action.as_str().into(),
                args: n.args.clone().into(),
                instrument: n.instrument.as_str().into(),
                article: n.article.as_str().into(),
                episodes,
                status,
                since,
                assumed,
                forthwith: n.modality == 0 && matches!(rule_of[n], Some(Deadline::Forthwith)),
                cap: caps.get(n).map(|(c, _)| c.clone()),
            });
        }
        // The report's order (docs/report.md asks only that it be fixed): article numbers naturally.
        let natural = casus::report::natural;
        norms.sort_by(|a, b| {
            (&a.party, &a.instrument, natural(&a.article), a.modality, &a.action, &a.args).cmp(&(
                &b.party,
                &b.instrument,
                natural(&b.article),
                b.modality,
                &b.action,
                &b.args,
            ))
        });
        let side = |n: &Norm| Side {
            instrument: n.instrument.clone(),
            article: n.article.clone(),
            action: n.action.clone(),
            args: n.args.clone().into(),
        };
        let mut conflict_reports = Vec::new();
        for ((party, kind, m, f, prevails), days) in conflicts {
            // The included action of a partial conflict, the least if there are several.
            let included = if *kind == 1 {
                self.included(m, f).into_iter().next().map(|(action, args)| Included { action, args: args.into() })
            } else {
                None
            };
            for s in runs(days.iter().copied(), as_of) {
                conflict_reports.push(ConflictReport {
                    party: party.clone(),
                    kind: if *kind == 0 { ConflictKind::Direct } else { ConflictKind::Partial },
                    obligation: side(m),
                    prohibition: side(f),
                    from: s.from,
                    until: s.until,
                    prevails: prevails.clone(),
                    included: included.clone(),
                });
            }
        }
        conflict_reports.sort_by(|a, b| {
            (&a.party, a.from, a.kind, &a.obligation, &a.prohibition).cmp(&(
                &b.party,
                b.from,
                b.kind,
                &b.obligation,
                &b.prohibition,
            ))
        });
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
        Report {
            scenario: scenario.title.clone(),
            as_of,
            instruments,
            norms,
            conflicts: conflict_reports,
            violations,
            keys: Vec::new(),
            roles: BTreeMap::new(),
        }
    }
}

/// One day's facts and acts.
struct Day_ {
    day: Day,
    facts: Vec<Fact>,
    acts: Vec<Act>,
}

/// Whether an act on day `e`, counted before one on day `d`, is in the same period of a cap as
/// `d`: for all time, always; for fixed periods, when both fall in the same one (none before the
/// first); for a rolling period, when `e` lies within its length before `d`.
fn same_period(period: &CapPeriod, e: Day, d: Day) -> bool {
    match period {
        CapPeriod::Total => true,
        CapPeriod::Rolling(length) => e.plus(*length) > d,
        CapPeriod::Fixed { length, from } => {
            let from = day(from);
            let number = |x: Day| {
                if x < from {
                    return None;
                }
                (0u32..).find(|k| from.plus(Duration { amount: length.amount * (k + 1), unit: length.unit }) > x)
            };
            number(e).is_some() && number(e) == number(d)
        }
    }
}

/// Each capped prohibition's cap with the party's counted acts, and the acts that break it.
type Caps = BTreeMap<Norm, (CapReport, Vec<(Act, Interval)>)>;

fn push<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

fn term_value(t: &Term, env: &Env) -> Option<String> {
    match t {
        Term::Var(v) => env.get(&v.name).cloned(),
        Term::Party(c) | Term::Symbol(c) => Some(c.name.clone()),
        Term::Wildcard(_) => None,
    }
}

fn unify_term(t: &Term, v: Option<&String>, env: &Env) -> Option<Env> {
    match (t, v) {
        (Term::Wildcard(_), _) => Some(env.clone()),
        (_, None) => None,
        (Term::Party(c) | Term::Symbol(c), Some(v)) => (c.name == *v).then(|| env.clone()),
        (Term::Var(x), Some(v)) => match env.get(&x.name) {
            Some(b) => (b == v).then(|| env.clone()),
            None => {
                let mut e = env.clone();
                e.insert(x.name.clone(), v.clone());
                Some(e)
            }
        },
    }
}

/// When an episode falls due: never for a `forthwith` duty, which time alone does not break.
fn due(start: Day, deadline: Option<Deadline>) -> Option<Day> {
    Some(match deadline? {
        Deadline::WithoutDelay | Deadline::Immediately => start,
        Deadline::Within(d) => start.plus(d),
        Deadline::By(d) => day(&d),
        Deadline::Forthwith => return None,
    })
}

/// The first day of the run of consecutive days that ends with `d`.
fn episode_start(days: &[Day], d: Day) -> Day {
    let mut start = d;
    for x in days.iter().rev() {
        if x.0 == start.0 || x.0 == start.0 - 1 {
            start = *x;
        } else if x.0 < start.0 - 1 {
            break;
        }
    }
    start
}

/// Maximal runs of consecutive days, as reported: `until` is null for a run that reaches `as_of`.
fn runs(days: impl Iterator<Item = Day>, as_of: Day) -> Vec<Interval> {
    let mut out: Vec<Interval> = Vec::new();
    let mut prev: Option<Day> = None;
    for d in days {
        match (out.last_mut(), prev) {
            (Some(_), Some(p)) if p.next() == d => {}
            _ => {
                if let (Some(last), Some(p)) = (out.last_mut(), prev) {
                    last.until = Some(p.next());
                }
                out.push(Interval { from: d, until: None });
            }
        }
        prev = Some(d);
    }
    if let (Some(last), Some(p)) = (out.last_mut(), prev)
        && p < as_of
    {
        last.until = Some(p.next());
    }
    out
}

/// Whether a literal names variable `v` anywhere.
fn names_var(l: &Literal, v: &str) -> bool {
    let is = |t: &Term| matches!(t, Term::Var(x) if x.name == v);
    match &l.kind {
        LiteralKind::Fact(p) => p.args.iter().any(|a| is(&a.value)),
        LiteralKind::Act { actor, action } => is(actor) || action.args.iter().any(|a| is(&a.value)),
        LiteralKind::IsParty { term, .. } | LiteralKind::InGroup { term, .. } => is(term),
        LiteralKind::Compare { left, right, .. } => is(left) || is(right),
        LiteralKind::Not(inner) => inner.iter().any(|i| names_var(i, v)),
    }
}

/// The arguments a scenario gives a fact or act, by role.
fn given(args: &casus::scenario::Args) -> BTreeMap<String, String> {
    args.iter().map(|(r, v)| (r.value.clone(), v.value.clone())).collect()
}
