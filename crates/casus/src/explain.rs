//! Explanations: why a party's norms hold, and why its other candidate norms do not.
//!
//! Everything here reads an [`Evaluation`] and the state of single days again; nothing is
//! decided anew, so an explanation never disagrees with the report it explains.

use std::fmt::Write as _;

use serde::Serialize;

use crate::calendar::{Day, Interval};
use crate::eval::Status;
use crate::eval::{DayState, Env, Evaluation, NormKey, NormRecord, Origin, Support, Trail, norm_args, value};
use crate::program::show::Show;
use crate::program::{Bearers, InstId, Lit, LitKind, NormRule, Relation, Sym};
use crate::report::EpisodeReport;
use crate::scenario::{EventKind, Scenario};
use casus_syntax::ast::Modality;
use casus_syntax::source::Sources;

/// How deep derived facts are traced back before the explanation says "and so on".
const MAX_DEPTH: usize = 6;

/// Explains the norms of `party` (of the actions and instruments `focus` keeps) as of the
/// evaluation's date, as text.
pub fn explain(eval: &Evaluation, scenario: &Scenario, sources: &Sources, party: &str, focus: &Focus) -> String {
    explanation(eval, scenario, sources, party, focus).text()
}

/// Which norms an explanation is about: those of these actions and instruments (all, when a
/// list is empty).
#[derive(Clone, Debug, Default)]
pub struct Focus {
    /// Actions.
    pub actions: Vec<String>,
    /// Instruments.
    pub instruments: Vec<String>,
}

impl Focus {
    fn keeps(&self, action: &str, instrument: &str) -> bool {
        (self.actions.is_empty() || self.actions.iter().any(|a| a == action))
            && (self.instruments.is_empty() || self.instruments.iter().any(|i| i == instrument))
    }
}

/// Why a party's norms hold and why its other candidate norms do not, as data: what
/// `casus explain --format json` writes, and what the text is made from.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Explanation {
    /// The party.
    pub party: String,
    /// The date.
    pub as_of: Day,
    /// The scenario's title.
    pub scenario: String,
    /// Whether the party appears in the rules or the scenario at all.
    pub known: bool,
    /// Its norms, by instrument and article.
    pub norms: Vec<NormExplanation>,
    /// The rules that could give it an obligation and do not, with the first reason.
    pub why_not: Vec<WhyNot>,
}

/// Why one norm holds.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct NormExplanation {
    /// The bearer.
    pub party: String,
    /// `must`, `must not` or `may`.
    pub modality: &'static str,
    /// For a capped prohibition, its cap and what it counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap: Option<crate::report::CapReport>,
    /// The action with its arguments, as text: `assist_militarily(ally: RUS, against: UKR)`.
    pub action: String,
    /// Its status as of the date.
    pub status: Status,
    /// The first day of that status.
    pub since: Day,
    /// Whether only an assumed act fulfilled it.
    pub assumed: bool,
    /// The instrument.
    pub instrument: String,
    /// The article.
    pub article: String,
    /// The article's heading.
    pub heading: Option<String>,
    /// The article's text, as one paragraph.
    pub text: Option<String>,
    /// The party's reservation that gives the rule, if one does: its title, and its text.
    pub reservation: Option<(String, Option<String>)>,
    /// The rule, as written.
    pub rule: String,
    /// When it is active, with due dates.
    pub episodes: Vec<EpisodeReport>,
    /// The values of the rule's variables when its latest episode began, in the rule's order.
    pub bindings: Vec<(String, String)>,
    /// Whether the rule has no condition.
    pub unconditional: bool,
    /// The day the facts below are read on: the first of the latest episode.
    pub on: Option<Day>,
    /// The facts and acts the condition matched, each with where it comes from, and what a
    /// derived one was derived from, one level deeper each.
    pub because: Vec<Because>,
    /// The tests of the condition, with the values they saw.
    pub tests: Vec<String>,
    /// Why the instrument binds the party.
    pub binding: Option<String>,
    /// Acts that perform an obligation, or break a prohibition.
    pub acts: Vec<String>,
    /// The conflicts it is in, and what precedence makes of them.
    pub conflicts: Vec<String>,
}

/// A fact or act a condition matched: `depth` 0 for the condition's own, 1 for what that was
/// derived from, and so on.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Because {
    /// How far down the derivation.
    pub depth: usize,
    /// The fact or act and where it comes from.
    pub line: String,
}

/// Why a rule that could give the party an obligation does not.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct WhyNot {
    /// The instrument.
    pub instrument: String,
    /// The article.
    pub article: String,
    /// The rule, in words: `kp_ru_2024 art. 4 (must assist_militarily)`.
    pub rule: String,
    /// The first thing that keeps the party out.
    pub reason: String,
}

/// Explains the norms of `party` as data.
pub fn explanation(
    eval: &Evaluation,
    scenario: &Scenario,
    sources: &Sources,
    party: &str,
    focus: &Focus,
) -> Explanation {
    let x = Explainer { eval, scenario, sources };
    let mut out = Explanation {
        party: party.to_string(),
        as_of: eval.as_of,
        scenario: scenario.title.clone(),
        known: false,
        norms: Vec::new(),
        why_not: Vec::new(),
    };
    let Some(p) = eval.world.syms.get(party) else {
        return out;
    };
    out.known = true;
    let program = eval.world.program;
    let wanted = |a: Sym, i: InstId| focus.keeps(eval.world.name(a), program.instrument_id(i));
    let mut sorted: Vec<(&NormKey, &NormRecord)> =
        eval.norms.iter().filter(|(k, _)| k.party == p && wanted(k.action, k.instrument)).collect();
    sorted.sort_by_key(|(k, _)| {
        (
            x.inst_id(k.instrument),
            crate::report::natural(k.article_id(program)),
            k.modality,
            eval.world.name(k.action).to_string(),
        )
    });
    out.norms = sorted.iter().map(|(key, record)| x.norm(key, record)).collect();
    out.why_not = x.why_not(p, &wanted);
    out
}

impl Explanation {
    /// The explanation for people.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} — as of {} — {}", self.party, self.as_of, self.scenario);
        if !self.known {
            let _ = writeln!(out, "\n`{}` appears nowhere in the rules or the scenario.", self.party);
            return out;
        }
        if self.norms.is_empty() {
            out.push_str("\nNo norm binds it.\n");
        }
        for n in &self.norms {
            out.push('\n');
            n.write(&mut out);
        }
        if !self.why_not.is_empty() {
            let _ = writeln!(out, "\nWhy not");
            for w in &self.why_not {
                let _ = writeln!(out, "  {}: {}", w.rule, w.reason);
            }
        }
        out
    }
}

impl NormExplanation {
    fn write(&self, out: &mut String) {
        let assumed = if self.assumed { " (by an assumed act)" } else { "" };
        let _ = writeln!(out, "{} {} — {}{assumed}", self.modality, self.action, self.status.words());
        let heading = self.heading.as_ref().map(|h| format!(" \"{h}\"")).unwrap_or_default();
        let _ = writeln!(out, "  {} art. {}{heading}", self.instrument, self.article);
        if let Some(text) = &self.text {
            let _ = writeln!(out, "    \"{text}\"");
        }
        if let Some((title, text)) = &self.reservation {
            let _ = writeln!(out, "  as {title}");
            if let Some(text) = text {
                let _ = writeln!(out, "    \"{text}\"");
            }
        }
        for (n, line) in self.rule.lines().enumerate() {
            let _ = writeln!(out, "  {} {line}", if n == 0 { "rule" } else { "    " });
        }
        for e in &self.episodes {
            let due = e.due.map(|d| format!(", due {d}")).unwrap_or_default();
            let _ = writeln!(out, "  active {}{due}", Interval { from: e.from, until: e.until });
        }
        if let Some(day) = self.on {
            if !self.bindings.is_empty() {
                let b: Vec<String> = self.bindings.iter().map(|(n, v)| format!("{n} = {v}")).collect();
                let _ = writeln!(out, "  with {}", b.join(", "));
            }
            if self.unconditional {
                let _ = writeln!(out, "  unconditional: the rule holds whenever the instrument binds {}", self.party);
            } else {
                let _ = writeln!(out, "  because, on {day}:");
            }
            for b in &self.because {
                let _ = writeln!(out, "{}{}", "  ".repeat(b.depth + 2), b.line);
            }
            for t in &self.tests {
                let _ = writeln!(out, "    {t}");
            }
        }
        if let Some(b) = &self.binding {
            let _ = writeln!(out, "  {b}");
        }
        if !self.acts.is_empty() {
            let label = match (self.modality, self.cap.is_some()) {
                ("must", _) => "performed",
                (_, true) => "acts the cap counts",
                _ => "forbidden acts",
            };
            let _ = writeln!(out, "  {label}:");
            for l in &self.acts {
                let _ = writeln!(out, "    {l}");
            }
        }
        for c in &self.conflicts {
            let _ = writeln!(out, "  {c}");
        }
    }
}

/// A one-line reason for a norm, for the text report: the facts that made it hold when its
/// latest episode began.
pub fn reason(eval: &Evaluation, scenario: &Scenario, sources: &Sources, key: &NormKey) -> Option<String> {
    let x = Explainer { eval, scenario, sources };
    let record = eval.norms.get(key)?;
    let day = record.episodes.last()?.when.from;
    let state = eval.state_at(day);
    let (_, trail) = x.solution(&state, key, record.rule)?;
    let facts: Vec<String> = trail.iter().map(|s| x.support_line(&state, *s)).collect();
    let since = format!("since {day}");
    Some(if facts.is_empty() { format!("{since}: unconditional") } else { format!("{since}: {}", facts.join("; ")) })
}

struct Explainer<'a, 'p> {
    eval: &'a Evaluation<'p>,
    scenario: &'a Scenario,
    sources: &'a Sources,
}

impl Explainer<'_, '_> {
    fn name(&self, s: Sym) -> &str {
        self.eval.world.name(s)
    }

    fn inst_id(&self, i: InstId) -> String {
        self.eval.world.program.instrument_id(i).to_string()
    }

    fn article_id(&self, key: &NormKey) -> String {
        key.article_id(self.eval.world.program).to_string()
    }

    fn norm(&self, key: &NormKey, record: &NormRecord) -> NormExplanation {
        let program = self.eval.world.program;
        let inst = program.instrument_def(key.instrument);
        let article = &inst.articles[key.article as usize];
        let rule = program.rule(record.rule);
        let mut n = NormExplanation {
            party: self.name(key.party).to_string(),
            modality: key.modality.words(),
            cap: self.eval.caps.get(key).map(|c| crate::report::CapReport::new(program, c)),
            action: self.eval.world.pattern_text(key.action, &key.args),
            status: record.status,
            since: record.since,
            assumed: record.assumed,
            instrument: inst.id.clone(),
            article: article.id.clone(),
            heading: article.heading.clone(),
            text: article.text.as_deref().map(squeeze),
            // A party's reservation to the article gives its norms under it.
            reservation: rule
                .reservation
                .and_then(|r| inst.reservations.get(r))
                .map(|r| (self.reservation_title(r), r.text.as_deref().map(squeeze))),
            rule: rule.text.clone(),
            episodes: record
                .episodes
                .iter()
                .map(|e| EpisodeReport { from: e.when.from, until: e.when.until, due: e.due })
                .collect(),
            bindings: Vec::new(),
            unconditional: rule.condition.is_empty(),
            on: None,
            because: Vec::new(),
            tests: Vec::new(),
            binding: None,
            acts: Vec::new(),
            conflicts: Vec::new(),
        };
        let Some(day) = record.episodes.last().map(|e| e.when.from) else {
            return n;
        };
        let state = self.eval.state_at(day);
        if let Some((env, trail)) = self.solution(&state, key, record.rule) {
            n.on = Some(day);
            n.bindings = rule
                .vars
                .iter()
                .zip(&env)
                .filter_map(|(name, v)| v.map(|v| (name.clone(), self.name(v).to_string())))
                .collect();
            for s in &trail {
                self.support(&mut n.because, &state, *s, 0);
            }
            n.tests = self.tests(rule, &env, day);
        }
        n.binding = Some(self.binding(key.instrument, key.party, day));
        (n.acts, n.conflicts) = self.outcome(key);
        n
    }

    /// The first way the rule's condition held on the state's day that gives this very norm.
    fn solution(&self, state: &DayState, key: &NormKey, rule: usize) -> Option<(Vec<Option<Sym>>, Vec<Support>)> {
        let world = &self.eval.world;
        let r = world.program.rule(rule);
        let mut found = None;
        let mut env = Env::from_elem(None, r.vars.len());
        let mut trail = Trail::new();
        state.solve(world, &r.condition, &mut env, &mut trail, &mut |env, trail| {
            for (party, env) in state.bearers_of(world, r, env) {
                if party == key.party && norm_args(r, &env).is_some_and(|args| args == key.args) {
                    found = Some((env, trail.to_vec()));
                    return false;
                }
            }
            true
        });
        found
    }

    /// One matched fact or act, and where it comes from, traced back through derivations.
    fn support(&self, out: &mut Vec<Because>, state: &DayState, s: Support, depth: usize) {
        out.push(Because { depth, line: self.support_line(state, s) });
        if depth + 2 > MAX_DEPTH {
            return;
        }
        let origin = match s {
            Support::Fact(i) => state.facts.get(i).map(|(_, o)| o),
            Support::Act(i) => state.acts.get(i).map(|(_, o)| o),
            Support::Place { .. } => None,
        };
        if let Some(Origin::Derived { support, .. }) = origin {
            for inner in support.iter() {
                self.support(out, state, *inner, depth + 1);
            }
        }
    }

    /// `armed_attack(by: UKR, on: RUS) — kursk.ron:12 (news reports)`.
    fn support_line(&self, state: &DayState, s: Support) -> String {
        let (what, origin) = match s {
            Support::Fact(i) => match state.facts.get(i) {
                Some((f, o)) => (self.eval.world.pattern_text(f.kind, &f.args), o),
                None => return String::new(),
            },
            Support::Act(i) => match state.acts.get(i) {
                Some((a, o)) => {
                    (format!("{} performs {}", self.name(a.party), self.eval.world.pattern_text(a.action, &a.args)), o)
                }
                None => return String::new(),
            },
            Support::Place { place, relation, state: holder } => {
                return self.place_line(place, relation, holder, state.day);
            }
        };
        format!("{what} — {}", self.origin(origin))
    }

    /// `okinawa (Okinawa) is administered by USA on 1965-03-01 — rules/places.casus:40 (from
    /// 1945-06-22 to 1972-05-14)`, or, for a state's own territory, that it is one.
    fn place_line(&self, place: Sym, relation: Relation, holder: Sym, day: Day) -> String {
        let program = self.eval.world.program;
        let Some(def) = program.places.get(&place) else {
            let name = self.name(place);
            return format!(
                "{name} is {} {} on {day} — {name}'s metropolitan territory, which it holds and administers",
                relation.words(),
                self.name(holder)
            );
        };
        let title = def.title.as_ref().map(|t| format!(", {t},")).unwrap_or_default();
        let when = def.related(relation).iter().find(|(s, w)| *s == holder && w.contains(day)).map(|(_, w)| *w);
        let at = self
            .sources
            .get(def.file)
            .map(|f| format!("{}:{}", f.name, f.line_col(def.span.start).line))
            .unwrap_or_default();
        let when = when.map(|w| format!(" ({})", held(w))).unwrap_or_default();
        format!("{}{title} is {} {} on {day} — {at}{when}", def.name, relation.words(), self.name(holder))
    }

    fn origin(&self, origin: &Origin) -> String {
        let program = self.eval.world.program;
        match origin {
            Origin::Event(n) => {
                let Some(event) = self.scenario.events.get(*n) else {
                    return "the scenario".into();
                };
                let place = self
                    .sources
                    .get(self.scenario.file)
                    .map(|f| format!("{}:{}", f.name, f.line_col(event.span.start).line))
                    .unwrap_or_default();
                let (source, when) = match &event.kind {
                    EventKind::Fact { source, from, until, .. } | EventKind::Act { source, from, until, .. } => {
                        (source.clone(), Interval { from: *from, until: *until }.to_string())
                    }
                    _ => (None, String::new()),
                };
                let source = source.map(|s| format!(", {s}")).unwrap_or_default();
                format!("{place} ({when}{source})")
            }
            Origin::Derived { rule, .. } => {
                format!("derived by `{}`", first_line(&program.deem(*rule as usize).text))
            }
            Origin::Delayed { rule, on } => {
                format!("derived by `{}` from what held on {on}", first_line(&program.deem(*rule as usize).text))
            }
            Origin::Performed { on } => format!("assumed performed on {on}, under the compliance assumption"),
            Origin::Assumed { norm, on } => format!(
                "assumed performed on {on}, under the compliance assumption, as {}'s duty under {} art. {}",
                self.name(norm.party),
                self.inst_id(norm.instrument),
                self.article_id(norm)
            ),
        }
    }

    /// The tests of the condition (`is party`, `in`, comparisons, `not`), with the values they saw.
    fn tests(&self, rule: &NormRule, env: &[Option<Sym>], day: Day) -> Vec<String> {
        let mut out = Vec::new();
        for lit in rule.condition.iter().chain(&rule.bearer_tests) {
            match &lit.kind {
                LitKind::IsParty { term, negated, instrument, .. } => {
                    let Some(p) = value(*term, env) else { continue };
                    let line = if *negated {
                        format!("{} is not bound by {} on {day}", self.name(p), self.inst_id(*instrument))
                    } else {
                        self.binding(*instrument, p, day)
                    };
                    out.push(format!("{} — {line}", self.written(rule, lit)));
                }
                // Matched, and listed with what was matched.
                LitKind::Fact(_) | LitKind::Act { .. } | LitKind::Place { .. } => {}
                _ => out.push(format!("{} — holds with {}", self.written(rule, lit), self.bindings_of(rule, lit, env))),
            }
        }
        out
    }

    fn bindings_of(&self, rule: &NormRule, lit: &Lit, env: &[Option<Sym>]) -> String {
        let names: Vec<String> = rule
            .vars
            .iter()
            .zip(env)
            .enumerate()
            .filter(|(slot, _)| lit.mentions(*slot))
            .filter_map(|(_, (n, v))| v.map(|v| format!("{n} = {}", self.name(v))))
            .collect();
        if names.is_empty() { "no variables".into() } else { names.join(", ") }
    }

    /// Why an instrument binds a party on a day, or why it does not.
    fn binding(&self, inst: InstId, party: Sym, day: Day) -> String {
        let world = &self.eval.world;
        let id = self.inst_id(inst);
        let p = self.name(party);
        let t = world.timeline(inst);
        let Some(first) = t.in_force.first() else {
            return format!("{id} never entered into force ({} did not happen)", t.entry_reason);
        };
        // The period of force the day falls in, and the gap before it, when it follows one.
        let period = t.in_force.iter().position(|i| i.contains(day));
        let gap_before = |n: usize| t.in_force.get(n.checked_sub(1)?).and_then(|prev| prev.until);
        let Some(n) = period else {
            return if day < first.from {
                format!("{id} is not in force on {day}: it enters into force on {} ({})", first.from, t.entry_reason)
            } else if let Some(again) = t.in_force.iter().find(|i| day < i.from) {
                let ended = t.in_force.iter().rev().find_map(|i| i.until.filter(|u| *u <= day)).unwrap_or(first.from);
                format!("{id} is not in force on {day}: it was terminated on {ended}, and re-applied on {}", again.from)
            } else {
                format!("{id} is no longer in force on {day}: {}", t.end_reason.clone().unwrap_or_default())
            };
        };
        let bindings = t.bound.get(&party).map(Vec::as_slice).unwrap_or(&[]);
        let now = bindings.iter().find(|b| b.when.contains(day));
        let next = bindings.iter().find(|b| day < b.when.from);
        let last = bindings.iter().rev().find(|b| b.when.until.is_some_and(|u| u <= day));
        match (now, last, next) {
            (Some(b), _, _) => match (gap_before(n), t.in_force.get(n)) {
                (Some(ended), Some(again)) => format!(
                    "{id} binds {p} on {day}: in force since {}, when it was re-applied after its termination on {ended} (first in force from {} ({})); {p} {}",
                    again.from, first.from, t.entry_reason, b.joined
                ),
                _ => format!(
                    "{id} binds {p} on {day}: in force since {} ({}); {p} {}",
                    first.from, t.entry_reason, b.joined
                ),
            },
            (None, Some(b), _) => format!(
                "{id} no longer binds {p} on {day}: {}",
                b.ends.as_ref().map(ToString::to_string).unwrap_or_default()
            ),
            (None, None, Some(b)) => {
                format!("{id} does not bind {p} on {day}: {p} {}, so it is bound only from {}", b.joined, b.when.from)
            }
            (None, None, None) => format!("{id} does not bind {p}: {p} has not ratified or acceded to it"),
        }
    }

    /// What a cap made of one act: its running total and whether it lies beyond the cap.
    fn counted(&self, outcome: &crate::eval::CapOutcome, act: usize) -> String {
        let cap = &outcome.cap;
        let unit = self.name(cap.unit);
        let grouped = crate::report::grouped;
        let Some(d) = outcome.deliveries.iter().find(|d| d.act == act) else {
            return "not counted: not on a day the prohibition held, or after the date asked for".to_string();
        };
        let aggregate = if cap.aggregate { ", every bearer's shipments counted together" } else { "" };
        let or = cap.or.map(|(n, u)| format!(" or {} {}", grouped(n), self.name(u))).unwrap_or_default();
        let of = format!(
            "against the cap of {} {unit}{or} {}{aggregate}",
            grouped(cap.amount),
            crate::report::cap_period_words(&cap.period)
        );
        // An amount given in the cap's other unit counts by the ratio of the cap's two amounts.
        let given = match (d.given, cap.or) {
            (Some(g), Some((n, u))) => format!(
                " ({} {} as given, at {} {unit} to {} {})",
                grouped(g),
                self.name(u),
                grouped(cap.amount),
                grouped(n),
                self.name(u)
            ),
            _ => String::new(),
        };
        match (d.amount, d.excess) {
            (None, _) | (_, None) => {
                let units = match cap.or {
                    Some((_, u)) => format!("{unit} or {}", self.name(u)),
                    None => unit.to_string(),
                };
                format!(
                    "no amount in {units} given, so it is not shown to lie within the cap ({of}): it breaks the prohibition"
                )
            }
            (Some(a), Some(0)) => format!(
                "counted {} {unit}{given} on {}, total {} {of}: within the cap",
                grouped(a),
                d.on,
                grouped(d.total)
            ),
            (Some(a), Some(e)) => format!(
                "counted {} {unit}{given} on {}, total {} {of}: {} beyond the cap, which breaks the prohibition",
                grouped(a),
                d.on,
                grouped(d.total),
                grouped(e)
            ),
        }
    }

    /// The acts that perform or break a norm, and the conflicts it is in.
    fn outcome(&self, key: &NormKey) -> (Vec<String>, Vec<String>) {
        if key.modality == Modality::May {
            return (Vec::new(), Vec::new());
        }
        let fulfilling = crate::eval::fulfilling(self.eval.world.program, key);
        let cap = self.eval.caps.get(key);
        // Only the acts under way on a day the norm was active, up to the horizon: an act
        // before the norm arose or after it ended neither performs nor breaks it.
        let horizon = Some(self.eval.as_of.next());
        let active: Vec<Interval> = self.eval.norms.get(key).map_or_else(Vec::new, |r| {
            r.episodes
                .iter()
                .filter_map(|e| e.when.intersect(&Interval { from: e.when.from, until: horizon }))
                .collect()
        });
        let during = |when: &Interval| active.iter().any(|e| when.intersect(e).is_some());
        let mine: Vec<String> = self
            .eval
            .world
            .acts
            .iter()
            .enumerate()
            .filter(|(_, a)| during(&a.when))
            .filter(|(_, a)| {
                fulfilling.iter().any(|k| crate::eval::act_matches(&self.eval.world.program.categories, &a.item, k))
            })
            .map(|(i, a)| {
                let act = format!(
                    "{} performs {} — {}",
                    self.name(a.item.party),
                    self.eval.world.pattern_text(a.item.action, &a.item.args),
                    self.origin(&Origin::Event(a.event))
                );
                // An item matched through a category: say which.
                let categories = &self.eval.world.program.categories;
                let matched = fulfilling.iter().find(|k| crate::eval::act_matches(categories, &a.item, k));
                let within: Vec<String> = a
                    .item
                    .args
                    .iter()
                    .filter_map(|(role, v)| {
                        let (_, w) = matched?.args.iter().find(|(r, _)| r == role)?;
                        (w != v).then(|| {
                            if categories.within(*v, *w) {
                                format!("{} is within the category {}", self.name(*v), self.name(*w))
                            } else {
                                format!("{} may be {}: not shown to lie outside it", self.name(*v), self.name(*w))
                            }
                        })
                    })
                    .collect();
                let act = if within.is_empty() { act } else { format!("{act}; {}", within.join(", ")) };
                match cap {
                    Some(c) => format!("{act}; {}", self.counted(c, i)),
                    None => act,
                }
            })
            .collect();
        let assumed = self
            .eval
            .assumed_acts()
            .filter(|(_, _, k)| *k == key)
            .map(|(_, when, _)| format!("assumed performed from {} under the compliance assumption", when.from));
        let acts: Vec<String> = mine.into_iter().chain(assumed).collect();
        let mut conflicts = Vec::new();
        for c in self.eval.conflicts.iter().filter(|c| &c.obligation == key || &c.prohibition == key) {
            let other = if &c.obligation == key { &c.prohibition } else { &c.obligation };
            let outcome = self.conflict_outcome(c);
            conflicts.push(format!(
                "conflict ({}) from {} with {} {} under {} art. {}: {outcome}",
                c.kind.name(),
                c.when.from,
                other.modality.words(),
                self.eval.world.pattern_text(other.action, &other.args),
                self.inst_id(other.instrument),
                self.article_id(other)
            ));
        }
        (acts, conflicts)
    }

    /// What precedence makes of a conflict: which side prevails, and, in a partial conflict,
    /// that only the included action gives way when the prohibition prevails.
    fn conflict_outcome(&self, c: &crate::eval::ConflictRecord) -> String {
        let included = c.included.as_ref().map(|(a, args)| self.eval.world.pattern_text(*a, args));
        match (c.prevails, c.kind, included) {
            (Some(i), crate::eval::ConflictKind::Partial, Some(inc)) if i == c.prohibition.instrument => format!(
                "{} prevails (precedence): the duty stands, but not by {inc}, which it overrides",
                self.inst_id(i)
            ),
            (Some(i), crate::eval::ConflictKind::Partial, Some(inc)) => format!(
                "{} prevails (precedence): the prohibition gives way, and {inc} in performing the duty breaks nothing",
                self.inst_id(i)
            ),
            (Some(i), _, _) => format!("{} prevails", self.inst_id(i)),
            (None, crate::eval::ConflictKind::Partial, inc) => format!(
                "no precedence ranks the two: the duty stands, and performing it by {} would break the prohibition",
                inc.unwrap_or_else(|| "the forbidden means".into())
            ),
            (None, _, _) => "no precedence resolves it".into(),
        }
    }

    /// Why each rule that could make the party a bearer does not, as of the date.
    fn why_not(&self, party: Sym, wanted: &dyn Fn(Sym, InstId) -> bool) -> Vec<WhyNot> {
        let world = &self.eval.world;
        let day = self.eval.as_of;
        let state = self.eval.state_at(day);
        // The rules that give the party a norm that day: each other rule of an article may still
        // leave it out (an article of several rules covers several cases).
        let active: Vec<usize> = self
            .eval
            .norms
            .iter()
            .filter(|(k, r)| k.party == party && r.episodes.last().is_some_and(|e| e.when.contains(day)))
            .map(|(_, r)| r.rule)
            .collect();
        // By instrument and article number, then the article, the rule in words and the reason.
        type Line<'a> = ((String, Vec<crate::report::Part<'a>>), String, String, String);
        let mut lines: Vec<Line> = Vec::new();
        for (r, rule) in world.program.rules.iter().enumerate() {
            if !wanted(rule.action.name, rule.instrument) || rule.modality != Modality::Must {
                continue;
            }
            // A candidate instrument is one the party is bound by that day, or has taken a step
            // towards by then (signed, say, before it entered into force).
            let bound_now = world.is_bound(rule.instrument, party, day);
            let stepped = world
                .program
                .instruments
                .get(rule.instrument)
                .and_then(|i| i.records.get(&party))
                .is_some_and(|s| [s.signed, s.ratified, s.acceded].iter().flatten().any(|d| *d <= day));
            let in_force = world.in_force(rule.instrument, day);
            let member = world.timeline(rule.instrument).bound.contains_key(&party);
            let involved = bound_now || stepped || (in_force && member);
            // An article's own rule that a reservation of the party replaces answers nothing for it:
            // the reservation's rules do.
            if !involved || !can_bear(world.program, rule, party) || rule.excluded.contains(&party) {
                continue;
            }
            if active.contains(&r) {
                continue;
            }
            let reservation = rule
                .reservation
                .and_then(|n| world.program.instrument_def(rule.instrument).reservations.get(n))
                .map(|r| format!(", as {}", self.reservation_title(r)))
                .unwrap_or_default();
            let head = format!(
                "{} art. {}{reservation} ({} {})",
                self.inst_id(rule.instrument),
                self.rule_article(rule),
                rule.modality.words(),
                self.name(rule.action.name)
            );
            let program = self.eval.world.program;
            let order = (
                self.inst_id(rule.instrument),
                crate::report::natural(program.article_id(rule.instrument, rule.article)),
            );
            let article = self.rule_article(rule);
            lines.push((order, article, head, self.first_failure(&state, rule, party, day)));
        }
        lines.sort();
        lines.dedup();
        lines
            .into_iter()
            .map(|((instrument, _), article, rule, reason)| WhyNot { instrument, article, rule, reason })
            .collect()
    }

    /// `USA's understanding "Understanding of the United States, 1954"`.
    fn reservation_title(&self, r: &crate::program::ReservationDef) -> String {
        let title = r.title.as_ref().map(|t| format!(" \"{t}\"")).unwrap_or_default();
        format!("{}'s {}{title}", self.name(r.party), r.kind.keyword())
    }

    fn rule_article(&self, rule: &NormRule) -> String {
        self.eval.world.program.article_id(rule.instrument, rule.article).to_string()
    }

    /// The first thing that keeps a rule from making `party` a bearer on `day`.
    fn first_failure(&self, state: &DayState, rule: &NormRule, party: Sym, day: Day) -> String {
        let world = &self.eval.world;
        if !world.in_force(rule.instrument, day) || !world.is_bound(rule.instrument, party, day) {
            return self.binding(rule.instrument, party, day);
        }
        let lits = &rule.condition;
        // The longest prefix of the condition that still holds some way.
        let holds = |k: usize| -> Option<Env> {
            let mut env = Env::from_elem(None, rule.vars.len());
            let mut trail = Trail::new();
            let mut first = None;
            state.solve(world, lits.get(..k).unwrap_or(&[]), &mut env, &mut trail, &mut |env, _| {
                first = Some(Env::from_slice(env));
                false
            });
            first
        };
        for k in 0..lits.len() {
            if holds(k + 1).is_none() {
                let Some(lit) = lits.get(k) else { break };
                let env = holds(k).unwrap_or_default();
                return self.failed(state, rule, lit, &env, day);
            }
        }
        // The condition holds: the bearer's own tests, or `other than`, leave the party out.
        let mut env = holds(lits.len()).unwrap_or_default();
        if let Bearers::Every { var, .. } = rule.bearers
            && let Some(slot) = env.get_mut(var)
        {
            *slot = Some(party);
        }
        for t in &rule.bearer_tests {
            if !state.test(world, t, &mut env) {
                let context = self.context(state, rule, &env);
                return format!(
                    "the condition holds on {day}, but `{}` fails for {}{context}",
                    self.written(rule, t),
                    self.name(party)
                );
            }
        }
        format!(
            "the condition holds on {day}, but {} is left out of the bearers (`{}`)",
            self.name(party),
            rule.bearers_text
        )
    }

    fn failed(&self, state: &DayState, rule: &NormRule, lit: &Lit, env: &[Option<Sym>], day: Day) -> String {
        let shown = self.substitute(rule, lit, env);
        let context = self.context(state, rule, env);
        match &lit.kind {
            LitKind::Fact(_) | LitKind::Act { .. } => {
                format!("no `{shown}` holds on {day}{context}")
            }
            LitKind::IsParty { term, negated, instrument, .. } => {
                let who = value(*term, env).map(|p| self.name(p).to_string()).unwrap_or_default();
                if *negated {
                    format!(
                        "`{}` fails: {who} is bound by {} on {day}{context}",
                        self.written(rule, lit),
                        self.inst_id(*instrument)
                    )
                } else {
                    format!(
                        "`{}` fails: {who} is not bound by {} on {day}{context}",
                        self.written(rule, lit),
                        self.inst_id(*instrument)
                    )
                }
            }
            LitKind::Place { relation, place, .. } => {
                let Some(p) = value(*place, env) else {
                    return format!("no `{shown}` holds on {day}{context}");
                };
                let program = self.eval.world.program;
                let holders: Vec<Sym> = program.related(p, *relation, day).collect();
                let held = if holders.is_empty() {
                    format!("{} on {day}", relation.none_words())
                } else {
                    holders.iter().map(|h| self.place_line(p, *relation, *h, day)).collect::<Vec<_>>().join("; ")
                };
                format!("`{}` fails: {held}{context}", self.written(rule, lit))
            }
            LitKind::InGroup { term, negated: false, group } => {
                let Some(v) = value(*term, env) else {
                    return format!("`{}` fails{context}", self.written(rule, lit));
                };
                let program = self.eval.world.program;
                let within: Vec<&str> =
                    program.groups.iter().filter(|g| g.contains_on(v, day)).map(|g| g.name.as_str()).collect();
                let name = &program.group_def(*group).name;
                let lies = if within.is_empty() {
                    format!("{} is in no group on {day}", self.name(v))
                } else {
                    format!("{} is in {} on {day}, not in {name}", self.name(v), within.join(", "))
                };
                format!("`{}` fails: {lies}{context}", self.written(rule, lit))
            }
            _ => format!("`{}` fails, with {}{context}", self.written(rule, lit), self.bindings_of(rule, lit, env)),
        }
    }

    /// The facts behind the variables bound so far: "(from armed_attack(by: ARG, on: GBR, ...))".
    fn context(&self, state: &DayState, rule: &NormRule, env: &[Option<Sym>]) -> String {
        if env.iter().all(Option::is_none) {
            return String::new();
        }
        let world = &self.eval.world;
        let prefix: Vec<Lit> = rule
            .condition
            .iter()
            .take_while(|l| matches!(l.kind, LitKind::Fact(_) | LitKind::Act { .. }))
            .cloned()
            .collect();
        let mut e = Env::from_elem(None, rule.vars.len());
        let mut trail_out = Vec::new();
        let mut trail = Trail::new();
        state.solve(world, &prefix, &mut e, &mut trail, &mut |found, t| {
            if found.iter().zip(env).all(|(a, b)| b.is_none() || a == b) {
                trail_out = t.to_vec();
                return false;
            }
            true
        });
        if trail_out.is_empty() {
            return String::new();
        }
        let facts: Vec<String> = trail_out.iter().map(|s| self.support_line(state, *s)).collect();
        format!(" (given {})", facts.join("; "))
    }

    /// The literal as written, with the values its variables have.
    fn substitute(&self, rule: &NormRule, lit: &Lit, env: &[Option<Sym>]) -> String {
        let name = |s: Sym| self.name(s);
        Show { program: self.eval.world.program, name: &name, vars: &rule.vars, env }.literal(lit)
    }

    /// The literal as written.
    fn written(&self, rule: &NormRule, lit: &Lit) -> String {
        self.substitute(rule, lit, &[])
    }
}

/// Whether a rule's bearers could ever include `party`.
fn can_bear(program: &crate::program::Program, rule: &NormRule, party: Sym) -> bool {
    match &rule.bearers {
        Bearers::Every { .. } => true,
        Bearers::Members { group, .. } => program.group_def(*group).contains(party),
        Bearers::One(crate::program::Term::Const(c)) => *c == party,
        Bearers::One(_) => true,
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// Article text as one paragraph: runs of white space become one space.
pub fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// When a place is held, in words: `at all times`, `to 1972-05-14`, `from 1972-05-15`.
fn held(w: Interval) -> String {
    match (w.from.0 == i32::MIN, w.last()) {
        (true, None) => "at all times".into(),
        (true, Some(last)) => format!("to {last}"),
        (false, _) => w.to_string(),
    }
}
