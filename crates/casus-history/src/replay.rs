//! The replay: every war's scenario evaluated against the alliances, and each obligation that
//! fell due set against what its bearer did (docs/history.md, "The replay").
//!
//! A war is evaluated with the existing evaluator, once as its scenario says and, for the
//! conditions the data cannot check, once more with every such condition asserted for every
//! attack: a norm found only then would have fallen due but for that condition
//! (`unverified`), or, under `--conditions assume-met`, is taken as due.

use std::collections::{BTreeMap, BTreeSet};

use casus::calendar::Day;
use casus::program::Program;
use casus::report::{NormReport, Report};
use casus::scenario::{Event, EventKind, Scenario, Spanned};
use casus_syntax::ast::Modality;
use casus_syntax::source::Span;
use serde::Serialize;

/// How to treat the conditions the data cannot check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Conditions {
    /// Not met unless a scenario says so: such norms are `unverified`.
    Unverified,
    /// Met for every attack that would otherwise trigger the provision.
    AssumeMet,
}

/// What a verdict is counted for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// War, alliance, ally, bearer.
    Pair,
    /// War, alliance, ally.
    Ally,
    /// War, alliance.
    Alliance,
}

/// How an alliance's members are judged together, for `--unit alliance`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Multilateral {
    /// Honoured only if every judged pair honoured it.
    Strict,
    /// Honoured if one member did and none fought an ally.
    Lenient,
}

/// The replay's settings.
#[derive(Clone, Debug, Serialize)]
pub struct Settings {
    /// The conditions policy.
    pub conditions: Conditions,
    /// The unit.
    pub unit: UnitKind,
    /// The multilateral policy.
    pub multilateral: Multilateral,
    /// Wars starting on or after.
    pub from: Option<Day>,
    /// Wars starting on or before.
    pub to: Option<Day>,
    /// The day that divides the summary into before and after.
    pub split: Option<Day>,
}

/// A war's scenario, read.
pub struct War {
    /// The file, as shown.
    pub file: String,
    /// The scenario.
    pub scenario: Scenario,
    /// Each event's line in the file.
    pub lines: Vec<usize>,
}

impl War {
    /// COW's number: from the title, `COW war 58: ...`, else the file name `cow_058.ron`.
    pub fn number(&self) -> u32 {
        let from_title =
            self.scenario.title.strip_prefix("COW war ").and_then(|t| t.split(':').next()).and_then(|n| n.parse().ok());
        from_title.unwrap_or_else(|| {
            let name = self.file.rsplit('/').next().unwrap_or(&self.file);
            name.trim_start_matches("cow_").trim_end_matches(".ron").parse().unwrap_or(0)
        })
    }

    /// Its name: the title's, between `COW war N: ` and the dates.
    pub fn name(&self) -> String {
        let t = &self.scenario.title;
        let t = t.split_once(": ").map_or(t.as_str(), |(_, rest)| rest);
        t.rsplit_once(" (").map_or(t, |(name, _)| name).to_string()
    }

    /// The first day anything of it holds.
    pub fn start(&self) -> Day {
        self.scenario
            .events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Fact { from, .. } | EventKind::Act { from, .. } => Some(*from),
                _ => None,
            })
            .min()
            .unwrap_or(self.scenario.as_of)
    }
}

/// What a bearer did towards the ally in the war.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Conduct {
    /// Assisted it militarily.
    FoughtBeside,
    /// Used force against it.
    FoughtAgainst,
    /// Neither.
    StayedOut,
}

impl Conduct {
    /// As the table writes it.
    pub fn name(self) -> &'static str {
        match self {
            Conduct::FoughtBeside => "fought_beside",
            Conduct::FoughtAgainst => "fought_against",
            Conduct::StayedOut => "stayed_out",
        }
    }
}

/// A row's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Did what it promised.
    Honoured,
    /// Did not.
    NotHonoured,
    /// A non-aggression promise that no fighting between the two put to the test.
    NotACase,
    /// A non-aggression promise kept by a member that fought back an ally that attacked it.
    Responded,
    /// A consultation, which no event records.
    Unobservable,
    /// It would have fallen due but for a condition no event supplied.
    Unverified,
}

/// Every verdict, in the order of the summary's columns.
pub const VERDICTS: [Verdict; 6] = [
    Verdict::Honoured,
    Verdict::NotHonoured,
    Verdict::NotACase,
    Verdict::Responded,
    Verdict::Unobservable,
    Verdict::Unverified,
];

impl Verdict {
    /// As the table writes it.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Honoured => "honoured",
            Verdict::NotHonoured => "not_honoured",
            Verdict::NotACase => "not_a_case",
            Verdict::Responded => "responded",
            Verdict::Unobservable => "unobservable",
            Verdict::Unverified => "unverified",
        }
    }

    fn judged(self) -> bool {
        matches!(self, Verdict::Honoured | Verdict::NotHonoured)
    }
}

/// The provisions, strongest first: what a row is judged under.
pub const PROVISIONS: [&str; 5] = ["offense", "defense", "neutrality", "nonaggression", "consultation"];

fn strength(provision: &str) -> usize {
    match provision {
        "offense" | "defense" => 0,
        "neutrality" => 1,
        "nonaggression" => 2,
        _ => 3,
    }
}

/// One obligation or prohibition that fell due in a war: a row of the invocation table.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Row {
    /// COW's number.
    pub war: u32,
    /// Its name.
    pub war_name: String,
    /// Its first day.
    pub war_start: Day,
    /// Its last day.
    pub war_end: Day,
    /// The ATOP alliance.
    pub atopid: u32,
    /// The instrument: `atop_<id>[_p<phase>]`, or the library's for a curated alliance.
    pub instrument: String,
    /// The ATOP phase (0 for a curated alliance).
    pub phase: u32,
    /// The article.
    pub article: String,
    /// `defense`, `offense`, `neutrality`, `nonaggression` or `consultation`.
    pub provision: String,
    /// The ally the norm is owed to.
    pub ally: String,
    /// The state it is owed against.
    pub adversary: String,
    /// Who bears it.
    pub bearer: String,
    /// The ally's COW code, when the codes are known.
    pub ally_ccode: Option<u32>,
    /// The bearer's.
    pub bearer_ccode: Option<u32>,
    /// `must` or `must not`.
    pub modality: String,
    /// The action.
    pub action: String,
    /// Its arguments, `role: value` in the report's order.
    pub args: String,
    /// The engine's status at the war's end (none for an unverified row: the engine found no
    /// norm).
    pub engine_status: Option<String>,
    /// The first day it held.
    pub due_since: Day,
    /// The attack that triggered it, and where the scenario gives it.
    pub trigger: String,
    /// Whether only an attack the rules derive (co-belligerency) triggered it.
    pub derived: bool,
    /// Conditions the rules checked.
    pub conditions_checked: Vec<String>,
    /// Conditions the data cannot check, not met.
    pub conditions_unverified: Vec<String>,
    /// Conditions the data cannot check, assumed met.
    pub conditions_assumed: Vec<String>,
    /// The bearer's conduct towards the ally.
    pub conduct: Conduct,
    /// Its first day.
    pub conduct_since: Option<Day>,
    /// The verdict.
    pub verdict: Verdict,
}

/// The conditions an imported article names, from its text of ATOP codes: checked, and not
/// checkable (as `atop_condition_met` names them).
fn article_conditions(article: &str, text: &str) -> (Vec<String>, Vec<String>) {
    let Some(prefix) = crate::atop::Provision::of_article(article).map(|p| p.prefix()).filter(|p| !p.is_empty()) else {
        return (Vec::new(), Vec::new());
    };
    let (mut checked, mut unverifiable) = (Vec::new(), Vec::new());
    for part in text.trim_end_matches('.').split("; ").skip(1) {
        let flag = part.split(' ').next().unwrap_or_default().to_lowercase();
        let Some(which) = flag.strip_prefix(prefix) else { continue };
        let can = match which {
            "coadv" => part.contains("STATTHR"),
            "cocon" => part.contains("COWWAR"),
            "conum" | "conpr" | "coatt" => true,
            _ => false,
        };
        if can { checked.push(flag) } else { unverifiable.push(flag) }
    }
    (checked, unverifiable)
}

/// What the program says of the alliances: each instrument's ATOP id and phase, and each
/// imported article's conditions.
pub struct Alliances {
    /// Instrument → (atopid, phase).
    pub ids: BTreeMap<String, (u32, u32)>,
    /// (instrument, article) → (checked, unverifiable).
    conditions: BTreeMap<(String, String), (Vec<String>, Vec<String>)>,
    /// Instrument → its parties.
    parties: BTreeMap<String, BTreeSet<String>>,
    /// Instrument → the provisions of its articles.
    pub provisions: BTreeMap<String, BTreeSet<String>>,
}

impl Alliances {
    /// The imported instruments (`atop_*`) of the program, and the curated ones (`instrument →
    /// atopid`).
    pub fn new(
        program: &Program,
        curated: &BTreeMap<String, u32>,
        party_name: impl Fn(casus::program::Sym) -> String,
    ) -> Alliances {
        let mut a = Alliances {
            ids: BTreeMap::new(),
            conditions: BTreeMap::new(),
            parties: BTreeMap::new(),
            provisions: BTreeMap::new(),
        };
        for inst in &program.instruments {
            let id = inst.id.clone();
            let parsed = id.strip_prefix("atop_").map(|rest| match rest.split_once("_p") {
                Some((n, p)) => (n.parse().unwrap_or(0), p.parse().unwrap_or(0)),
                None => (rest.parse().unwrap_or(0), 0),
            });
            let Some((atopid, phase)) = parsed.or_else(|| curated.get(&id).map(|&n| (n, 0))) else { continue };
            a.ids.insert(id.clone(), (atopid, phase));
            a.parties.insert(id.clone(), inst.records.keys().map(|&s| party_name(s)).collect());
            for art in &inst.articles {
                if parsed.is_some() {
                    a.conditions.insert(
                        (id.clone(), art.id.clone()),
                        article_conditions(&art.id, art.text.as_deref().unwrap_or("")),
                    );
                    a.provisions.entry(id.clone()).or_default().insert(art.id.clone());
                }
            }
        }
        a
    }

    /// The unverifiable conditions of every article, by instrument.
    fn unverifiable(&self) -> BTreeMap<&str, BTreeSet<&str>> {
        let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for ((inst, _), (_, u)) in &self.conditions {
            for c in u {
                out.entry(inst.as_str()).or_default().insert(c.as_str());
            }
        }
        out
    }
}

/// The provision of a curated instrument's norm, from its action.
fn curated_provision(modality: Modality, action: &str) -> Option<&'static str> {
    match (modality, action) {
        (Modality::Must, "assist_militarily" | "assist" | "meet_common_danger") => Some("defense"),
        (Modality::Must, "remain_neutral") | (Modality::MustNot, "use_force") => Some("neutrality"),
        (Modality::Must, "consult") => Some("consultation"),
        _ => None,
    }
}

/// The ally and (from the norm alone) the adversary of a norm.
fn parties_of(n: &NormReport) -> (Option<String>, Option<String>) {
    let get = |r: &str| n.args.get(r).map(str::to_string);
    match &*n.action {
        "assist_militarily" | "assist" | "meet_common_danger" => (get("ally"), get("against")),
        "consult" => (get("with"), get("about")),
        "use_force" => (get("against"), None),
        "remain_neutral" => (get("towards"), None),
        _ => (None, None),
    }
}

/// The war's scenario with `atop_condition_met` asserted for every unverifiable condition of
/// every instrument the attacked (or attacking) state is a party of, over each attack.
fn with_conditions_met(war: &War, alliances: &Alliances) -> Scenario {
    let unverifiable = alliances.unverifiable();
    let spanned = |s: &str| Spanned { value: s.to_string(), span: Span::default() };
    let mut scenario = war.scenario.clone();
    let mut extra = Vec::new();
    for e in &war.scenario.events {
        let EventKind::Fact { kind, args, from, until, .. } = &e.kind else { continue };
        if kind.value != "armed_attack" {
            continue;
        }
        let arg = |r: &str| args.iter().find(|(k, _)| k.value == r).map(|(_, v)| v.value.clone());
        let (Some(by), Some(on)) = (arg("by"), arg("on")) else { continue };
        for (ally, against) in [(&on, &by), (&by, &on)] {
            for (inst, conditions) in &unverifiable {
                if !alliances.parties.get(*inst).is_some_and(|p| p.contains(ally)) {
                    continue;
                }
                for c in conditions {
                    extra.push(Event {
                        kind: EventKind::Fact {
                            kind: spanned("atop_condition_met"),
                            args: vec![
                                (spanned("alliance"), spanned(inst)),
                                (spanned("condition"), spanned(c)),
                                (spanned("ally"), spanned(ally)),
                                (spanned("against"), spanned(against)),
                            ],
                            from: *from,
                            until: *until,
                            source: None,
                        },
                        span: Span::default(),
                    });
                }
            }
        }
    }
    scenario.events.extend(extra);
    scenario
}

/// The norms of an evaluation, or why it failed.
fn norms(program: &Program, scenario: &Scenario) -> Result<Vec<NormReport>, String> {
    let eval = casus::eval::evaluate(program, scenario, scenario.as_of, false)
        .map_err(|ds| ds.iter().map(|d| d.message()).collect::<Vec<_>>().join("; "))?;
    if let Some(p) = eval.problems().first() {
        return Err(p.message());
    }
    Ok(Report::new(&eval, &scenario.title).norms)
}

/// A norm's identity across the two evaluations of a war.
fn identity(n: &NormReport) -> (String, String, String, String, String, String) {
    let args: Vec<String> = n.args.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    (
        n.instrument.to_string(),
        n.article.to_string(),
        n.party.to_string(),
        n.modality.words().to_string(),
        n.action.to_string(),
        args.join(", "),
    )
}

/// A war's two evaluations: as its scenario says, and with every condition the data cannot check
/// met for every attack. Both policies' rows come from them.
pub struct Evaluated {
    plain: Vec<NormReport>,
    met: Vec<NormReport>,
}

/// Evaluates a war twice (once, if no instrument has a condition the data cannot check).
pub fn evaluate(program: &Program, war: &War, alliances: &Alliances) -> Result<Evaluated, String> {
    let plain = norms(program, &war.scenario)?;
    let with_met = with_conditions_met(war, alliances);
    // No attack on (or by) a party of an instrument with such a condition: nothing to assume.
    let met =
        if with_met.events.len() == war.scenario.events.len() { plain.clone() } else { norms(program, &with_met)? };
    Ok(Evaluated { plain, met })
}

/// The norms of a war as its scenario gives it: one evaluation.
pub fn evaluate_as_given(program: &Program, war: &War) -> Result<usize, String> {
    norms(program, &war.scenario).map(|n| n.len())
}

/// A war's rows, per policy.
type PerPolicy = Vec<Vec<Row>>;

/// Every war's rows under each of `policies`, the wars evaluated in parallel, each once (twice
/// with conditions the data cannot check) whatever the number of policies: per policy, the rows
/// sorted by war, alliance, phase, ally, bearer and provision. The first war that cannot be
/// evaluated is the error, with its file.
pub fn replay_all(
    program: &Program,
    wars: &[War],
    alliances: &Alliances,
    policies: &[Settings],
    ccode: &(dyn Fn(&str, Day) -> Option<u32> + Sync),
) -> Result<Vec<Vec<Row>>, (String, String)> {
    use rayon::prelude::*;
    let per_war: Vec<Result<PerPolicy, (String, String)>> = wars
        .par_iter()
        .map(|w| {
            let evaluated = evaluate(program, w, alliances).map_err(|e| (w.file.clone(), e))?;
            Ok(policies.iter().map(|s| rows_of(w, &evaluated, alliances, s, ccode)).collect())
        })
        .collect();
    let mut out: Vec<Vec<Row>> = vec![Vec::new(); policies.len()];
    for result in per_war {
        for (all, mut rows) in out.iter_mut().zip(result?) {
            all.append(&mut rows);
        }
    }
    for rows in &mut out {
        rows.sort_by(|a, b| {
            (a.war, a.atopid, a.phase, &a.ally, &a.bearer, &a.provision)
                .cmp(&(b.war, b.atopid, b.phase, &b.ally, &b.bearer, &b.provision))
                .then_with(|| a.cmp(b))
        });
    }
    Ok(out)
}

/// The rows of one war under `settings`.
pub fn war_rows(
    program: &Program,
    war: &War,
    alliances: &Alliances,
    settings: &Settings,
    ccode: &dyn Fn(&str, Day) -> Option<u32>,
) -> Result<Vec<Row>, String> {
    Ok(rows_of(war, &evaluate(program, war, alliances)?, alliances, settings, ccode))
}

/// The rows of one war's evaluations under `settings`.
pub fn rows_of(
    war: &War,
    evaluated: &Evaluated,
    alliances: &Alliances,
    settings: &Settings,
    ccode: &dyn Fn(&str, Day) -> Option<u32>,
) -> Vec<Row> {
    let Evaluated { plain, met } = evaluated;
    let plain_ids: BTreeSet<_> = plain.iter().map(identity).collect();
    // Under `unverified`, the norms as the scenario gives them, and those the unverifiable
    // conditions alone kept from falling due; under `assume-met`, the norms with them met.
    let chosen: Vec<(&NormReport, bool)> = match settings.conditions {
        Conditions::AssumeMet => met.iter().map(|n| (n, plain_ids.contains(&identity(n)))).collect(),
        Conditions::Unverified => plain
            .iter()
            .map(|n| (n, true))
            .chain(met.iter().filter(|n| !plain_ids.contains(&identity(n))).map(|n| (n, false)))
            .collect(),
    };
    let (number, name, start, end) = (war.number(), war.name(), war.start(), war.scenario.as_of);
    let mut rows = Vec::new();
    for (n, found_plainly) in chosen {
        let Some(&(atopid, phase)) = alliances.ids.get(&*n.instrument) else { continue };
        if n.modality == Modality::May {
            continue;
        }
        let imported = n.instrument.starts_with("atop_");
        let provision = if imported {
            n.article.to_string()
        } else {
            match curated_provision(n.modality, &n.action) {
                Some(p) => p.to_string(),
                None => continue,
            }
        };
        let Some(first) = n.episodes.first() else { continue };
        if first.from > end {
            continue;
        }
        if !found_plainly && !imported {
            continue;
        }
        let (ally, adversary) = parties_of(n);
        let Some(ally) = ally else { continue };
        let (trigger, attacker) = trigger(war, &provision, &ally, adversary.as_deref(), first.from);
        let adversary = adversary.or(attacker).unwrap_or_default();
        let (checked, unverifiable) =
            alliances.conditions.get(&(n.instrument.to_string(), n.article.to_string())).cloned().unwrap_or_default();
        let unverified = settings.conditions == Conditions::Unverified && !found_plainly;
        let active = matches!(provision.as_str(), "defense" | "offense");
        // The engine's status is that of the last run of days the norm held.
        let due: Vec<(Day, Option<Day>)> = n.episodes.last().map(|e| (e.from, e.until)).into_iter().collect();
        let (conduct, conduct_since) =
            conduct(war, &n.party, &ally, active.then_some(adversary.as_str()).filter(|a| !a.is_empty()), &due);
        let verdict = if unverified { Verdict::Unverified } else { verdict(war, &provision, &n.party, &ally, conduct) };
        let args: Vec<String> = n.args.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        rows.push(Row {
            war: number,
            war_name: name.clone(),
            war_start: start,
            war_end: end,
            atopid,
            instrument: n.instrument.to_string(),
            phase,
            article: n.article.to_string(),
            provision,
            ally_ccode: ccode(&ally, first.from),
            bearer_ccode: ccode(&n.party, first.from),
            ally,
            adversary,
            bearer: n.party.to_string(),
            modality: n.modality.words().to_string(),
            action: n.action.to_string(),
            args: args.join(", "),
            engine_status: (!unverified).then(|| n.status.name().to_string()),
            due_since: first.from,
            derived: trigger.is_none(),
            trigger: trigger.unwrap_or_else(|| "an attack the rules derive (co-belligerency)".into()),
            conditions_checked: checked,
            conditions_assumed: if settings.conditions == Conditions::AssumeMet && !found_plainly {
                unverifiable.clone()
            } else {
                Vec::new()
            },
            conditions_unverified: if unverified { unverifiable } else { Vec::new() },
            conduct,
            conduct_since,
            verdict,
        });
    }
    rows.sort();
    rows
}

/// The given attack that triggered a provision on `day`: by the adversary on the ally (by the
/// ally, for offence; either way, for neutrality), with its place in the scenario, and the
/// attacker when the norm does not name the adversary.
fn trigger(
    war: &War,
    provision: &str,
    ally: &str,
    adversary: Option<&str>,
    day: Day,
) -> (Option<String>, Option<String>) {
    let mut found: Vec<(Day, String, String, usize)> = Vec::new();
    for (e, line) in war.scenario.events.iter().zip(&war.lines) {
        let EventKind::Fact { kind, args, from, until, .. } = &e.kind else { continue };
        if kind.value != "armed_attack" || *from > day || until.is_some_and(|u| u <= day) {
            continue;
        }
        let arg = |r: &str| args.iter().find(|(k, _)| k.value == r).map(|(_, v)| v.value.as_str()).unwrap_or("");
        let (by, on) = (arg("by"), arg("on"));
        let fits = |attacker: &str, attacked: &str| attacked == ally && adversary.is_none_or(|a| a == attacker);
        let ok = match provision {
            "offense" => fits(on, by),
            "neutrality" => fits(by, on) || (by == ally && adversary.is_none_or(|a| a == on)),
            "nonaggression" => on == ally,
            _ => fits(by, on),
        };
        if ok {
            let other = if on == ally { by } else { on };
            found.push((*from, by.to_string(), other.to_string(), *line));
        }
    }
    found.sort();
    found.first().map_or((None, None), |(_, by, other, line)| {
        let on = if by == ally { other.as_str() } else { ally };
        (Some(format!("armed_attack(by: {by}, on: {on}) at {}:{line}", war.file)), Some(other.clone()))
    })
}

/// What `bearer` did towards `ally` in the war, with its first day.
///
/// For a duty to assist against `against` (with its last run of days, `due`), assisting the
/// ally against that adversary on one of those days is fighting beside it (what the engine counts
/// as performing the duty); else force against the ally, else nothing. For the other provisions,
/// what the bearer did first in the war: force against the ally, or assistance to it against
/// anyone (force, if both began the same day); else nothing.
fn conduct(
    war: &War,
    bearer: &str,
    ally: &str,
    against: Option<&str>,
    due: &[(Day, Option<Day>)],
) -> (Conduct, Option<Day>) {
    let mut beside: Option<Day> = None;
    let mut force: Option<Day> = None;
    let earliest = |slot: &mut Option<Day>, d: Day| *slot = Some(slot.map_or(d, |x| x.min(d)));
    for e in &war.scenario.events {
        let EventKind::Act { party, action, args, from, until, .. } = &e.kind else { continue };
        if party.value != bearer {
            continue;
        }
        let arg = |r: &str| args.iter().find(|(k, _)| k.value == r).map(|(_, v)| v.value.as_str());
        let while_due = due.iter().any(|&(f, u)| u.is_none_or(|u| *from < u) && until.is_none_or(|x| f < x));
        if action.value == "assist_militarily"
            && arg("ally") == Some(ally)
            && against.is_none_or(|a| arg("against") == Some(a) && while_due)
        {
            earliest(&mut beside, *from);
        }
        if action.value == "use_force" && arg("against") == Some(ally) {
            earliest(&mut force, *from);
        }
    }
    match (force, beside) {
        (_, Some(b)) if against.is_some() => (Conduct::FoughtBeside, Some(b)),
        (Some(a), Some(b)) if b < a => (Conduct::FoughtBeside, Some(b)),
        (Some(a), _) => (Conduct::FoughtAgainst, Some(a)),
        (None, Some(b)) => (Conduct::FoughtBeside, Some(b)),
        (None, None) => (Conduct::StayedOut, None),
    }
}

/// The verdict of a provision, given the conduct (docs/history.md, "Verdicts").
fn verdict(war: &War, provision: &str, bearer: &str, ally: &str, conduct: Conduct) -> Verdict {
    match provision {
        "offense" | "defense" => {
            if conduct == Conduct::FoughtBeside {
                Verdict::Honoured
            } else {
                Verdict::NotHonoured
            }
        }
        "neutrality" => {
            if conduct == Conduct::FoughtAgainst {
                Verdict::NotHonoured
            } else {
                Verdict::Honoured
            }
        }
        "nonaggression" => {
            let first_force = |p: &str, q: &str| -> Option<Day> {
                war.scenario
                    .events
                    .iter()
                    .filter_map(|e| match &e.kind {
                        EventKind::Act { party, action, args, from, .. }
                            if party.value == p
                                && action.value == "use_force"
                                && args.iter().any(|(k, v)| k.value == "against" && v.value == q) =>
                        {
                            Some(*from)
                        }
                        _ => None,
                    })
                    .min()
            };
            let attacked = |p: &str, q: &str| -> Option<Day> {
                war.scenario
                    .events
                    .iter()
                    .filter_map(|e| match &e.kind {
                        EventKind::Fact { kind, args, from, .. }
                            if kind.value == "armed_attack"
                                && args.iter().any(|(k, v)| k.value == "by" && v.value == p)
                                && args.iter().any(|(k, v)| k.value == "on" && v.value == q) =>
                        {
                            Some(*from)
                        }
                        _ => None,
                    })
                    .min()
            };
            let Some(m_force) = first_force(bearer, ally) else { return Verdict::NotACase };
            let m_first = attacked(bearer, ally).or(Some(m_force));
            let v_first = attacked(ally, bearer).or_else(|| first_force(ally, bearer));
            match (m_first, v_first) {
                (Some(m), Some(v)) if v < m => Verdict::Responded,
                (Some(m), Some(v))
                    if v == m && attacked(bearer, ally).is_none() && attacked(ally, bearer).is_some() =>
                {
                    Verdict::Responded
                }
                _ => Verdict::NotHonoured,
            }
        }
        _ => Verdict::Unobservable,
    }
}

/// One unit's verdict, and the provisions counted for it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Judged {
    /// The war.
    pub war: u32,
    /// The war's first day, for the period.
    pub start: Day,
    /// The alliance.
    pub atopid: u32,
    /// The ally, for `pair` and `ally`.
    pub ally: Option<String>,
    /// The bearer, for `pair`.
    pub bearer: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// The provision it was judged under.
    pub provision: String,
    /// Every provision of the alliance's instruments that fell due in the war.
    pub provisions: BTreeSet<String>,
}

/// A pair judged, and whether its bearer fought its ally.
type JudgedPair = (Judged, bool);

/// The verdict of a group of verdicts none of which was judged: the most telling.
fn unjudged(verdicts: impl Iterator<Item = Verdict>) -> Verdict {
    let all: BTreeSet<Verdict> = verdicts.collect();
    [Verdict::Responded, Verdict::NotACase, Verdict::Unobservable, Verdict::Unverified]
        .into_iter()
        .find(|v| all.contains(v))
        .unwrap_or(Verdict::Unverified)
}

/// The units of the rows, judged.
pub fn judge(rows: &[Row], settings: &Settings) -> Vec<Judged> {
    // Pairs first: each by the strongest provision judged for it.
    let mut pairs: BTreeMap<(u32, u32, String, String), Vec<&Row>> = BTreeMap::new();
    for r in rows {
        pairs.entry((r.war, r.atopid, r.ally.clone(), r.bearer.clone())).or_default().push(r);
    }
    let mut provisions_of: BTreeMap<(u32, u32), BTreeSet<String>> = BTreeMap::new();
    for r in rows {
        provisions_of.entry((r.war, r.atopid)).or_default().insert(r.provision.clone());
    }
    let mut judged_pairs = Vec::new();
    for ((war, atopid, ally, bearer), list) in &pairs {
        let mut sorted = list.clone();
        sorted.sort_by_key(|r| (strength(&r.provision), r.verdict == Verdict::Unverified, r.due_since));
        let verified: Vec<&&Row> = sorted.iter().filter(|r| r.verdict != Verdict::Unverified).collect();
        let (verdict, provision) = match verified.first() {
            Some(r) => (r.verdict, r.provision.clone()),
            None => (Verdict::Unverified, sorted.first().map(|r| r.provision.clone()).unwrap_or_default()),
        };
        let start = list.first().map_or(Day(0), |r| r.war_start);
        judged_pairs.push((
            Judged {
                war: *war,
                start,
                atopid: *atopid,
                ally: Some(ally.clone()),
                bearer: Some(bearer.clone()),
                verdict,
                provision,
                provisions: provisions_of.get(&(*war, *atopid)).cloned().unwrap_or_default(),
            },
            list.iter().any(|r| r.conduct == Conduct::FoughtAgainst),
        ));
    }
    match settings.unit {
        UnitKind::Pair => judged_pairs.into_iter().map(|(j, _)| j).collect(),
        UnitKind::Ally | UnitKind::Alliance => {
            let mut groups: BTreeMap<(u32, u32, Option<String>), Vec<JudgedPair>> = BTreeMap::new();
            for (j, fought) in judged_pairs {
                let ally = (settings.unit == UnitKind::Ally).then(|| j.ally.clone()).flatten();
                groups.entry((j.war, j.atopid, ally)).or_default().push((j, fought));
            }
            groups
                .into_iter()
                .map(|((war, atopid, ally), members)| {
                    let judged: Vec<&Judged> = members.iter().map(|(j, _)| j).filter(|j| j.verdict.judged()).collect();
                    let verdict = if judged.is_empty() {
                        unjudged(members.iter().map(|(j, _)| j.verdict))
                    } else if settings.unit == UnitKind::Alliance && settings.multilateral == Multilateral::Lenient {
                        let one = judged.iter().any(|j| j.verdict == Verdict::Honoured);
                        let betrayed = members.iter().any(|(_, fought)| *fought);
                        if one && !betrayed { Verdict::Honoured } else { Verdict::NotHonoured }
                    } else if judged.iter().all(|j| j.verdict == Verdict::Honoured) {
                        Verdict::Honoured
                    } else {
                        Verdict::NotHonoured
                    };
                    let strongest = members
                        .iter()
                        .map(|(j, _)| j.provision.clone())
                        .min_by_key(|p| strength(p))
                        .unwrap_or_default();
                    let first = members.first().map(|(j, _)| j.clone());
                    Judged {
                        war,
                        start: first.as_ref().map_or(Day(0), |j| j.start),
                        atopid,
                        ally,
                        bearer: None,
                        verdict,
                        provision: strongest,
                        provisions: first.map(|j| j.provisions).unwrap_or_default(),
                    }
                })
                .collect()
        }
    }
}

/// Counts of each verdict and the share honoured.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Per verdict.
    pub counts: BTreeMap<&'static str, usize>,
    /// Honoured / (honoured + not honoured), as a string with three decimals; none when no
    /// unit was judged.
    pub share: Option<String>,
}

impl Tally {
    fn of<'a>(units: impl Iterator<Item = &'a Judged>) -> Tally {
        let mut counts: BTreeMap<&'static str, usize> = VERDICTS.iter().map(|v| (v.name(), 0)).collect();
        for u in units {
            *counts.entry(u.verdict.name()).or_default() += 1;
        }
        let h = counts.get("honoured").copied().unwrap_or(0);
        let n = counts.get("not_honoured").copied().unwrap_or(0);
        // Three decimals, rounded half up, computed in whole numbers.
        let share = (h + n > 0).then(|| {
            let thousandths = (h * 1000 * 2 + (h + n)) / (2 * (h + n));
            format!("{}.{:03}", thousandths / 1000, thousandths % 1000)
        });
        Tally { counts, share }
    }
}

/// The summary: per period, the units' tally overall, by judged provision, and by every
/// provision of the alliance.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// The unit counted.
    pub unit: String,
    /// Wars evaluated.
    pub wars: usize,
    /// Alliances with a row.
    pub alliances: usize,
    /// Instruments of the alliances in the program.
    pub instruments: usize,
    /// Rows of the table.
    pub rows: usize,
    /// Period name → tallies.
    pub periods: BTreeMap<String, PeriodTally>,
    /// The instruments with the most unverified rows, most first (ties by name; ten at most):
    /// what a maintainer should curate first.
    pub curate_first: Vec<(String, usize)>,
}

/// The tallies of one period.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PeriodTally {
    /// All units.
    pub all: Tally,
    /// Units by the provision they were judged under.
    pub judged_provision: BTreeMap<String, Tally>,
    /// Units counted under every provision of their alliance that fell due in the war.
    pub every_provision: BTreeMap<String, Tally>,
}

/// The summary of the judged units.
pub fn summarise(units: &[Judged], rows: &[Row], wars: usize, instruments: usize, settings: &Settings) -> Summary {
    let mut periods: BTreeMap<String, Vec<&Judged>> = BTreeMap::new();
    for u in units {
        periods.entry("all".into()).or_default().push(u);
        if let Some(split) = settings.split {
            let p = if u.start < split { format!("before {split}") } else { format!("from {split}") };
            periods.entry(p).or_default().push(u);
        }
    }
    let alliances: BTreeSet<u32> = rows.iter().map(|r| r.atopid).collect();
    let mut unverified: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.verdict == Verdict::Unverified) {
        *unverified.entry(r.instrument.as_str()).or_default() += 1;
    }
    let mut curate_first: Vec<(String, usize)> = unverified.into_iter().map(|(i, n)| (i.to_string(), n)).collect();
    curate_first.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    curate_first.truncate(10);
    Summary {
        curate_first,
        unit: match settings.unit {
            UnitKind::Pair => "pair",
            UnitKind::Ally => "ally",
            UnitKind::Alliance => "alliance",
        }
        .into(),
        wars,
        alliances: alliances.len(),
        instruments,
        rows: rows.len(),
        periods: periods
            .into_iter()
            .map(|(name, list)| {
                let mut judged_provision = BTreeMap::new();
                let mut every_provision = BTreeMap::new();
                for p in PROVISIONS {
                    let by_judged: Vec<&Judged> = list.iter().copied().filter(|u| u.provision == p).collect();
                    if !by_judged.is_empty() {
                        judged_provision.insert(p.to_string(), Tally::of(by_judged.into_iter()));
                    }
                    let by_every: Vec<&Judged> = list.iter().copied().filter(|u| u.provisions.contains(p)).collect();
                    if !by_every.is_empty() {
                        every_provision.insert(p.to_string(), Tally::of(by_every.into_iter()));
                    }
                }
                (name, PeriodTally { all: Tally::of(list.into_iter()), judged_provision, every_provision })
            })
            .collect(),
    }
}

/// The invocation table's columns, in order.
pub const COLUMNS: [&str; 27] = [
    "war",
    "war_name",
    "war_start",
    "war_end",
    "atopid",
    "instrument",
    "phase",
    "article",
    "provision",
    "ally",
    "adversary",
    "bearer",
    "ally_ccode",
    "bearer_ccode",
    "modality",
    "action",
    "args",
    "engine_status",
    "due_since",
    "trigger",
    "derived",
    "conditions_checked",
    "conditions_unverified",
    "conditions_assumed",
    "conduct",
    "conduct_since",
    "verdict",
];

/// The one-line reason of a row, for people.
pub fn reason(r: &Row) -> String {
    let owed = if r.verdict == Verdict::Unverified { "would have owed" } else { "owed" };
    let what = match r.provision.as_str() {
        "offense" | "defense" => format!("assistance against {}", r.adversary),
        "neutrality" => format!("neutrality in its war with {}", r.adversary),
        "nonaggression" => "non-aggression".to_string(),
        _ => format!("consultation about {}", r.adversary),
    };
    let owed = format!("{} {owed} {} {what}", r.bearer, r.ally);
    let since = if r.verdict == Verdict::Unverified {
        format!("from {} ({} {}) but for {}", r.due_since, r.instrument, r.article, r.conditions_unverified.join(", "))
    } else {
        format!("from {} ({} {})", r.due_since, r.instrument, r.article)
    };
    let did = match (r.conduct, r.conduct_since) {
        (Conduct::FoughtBeside, Some(d)) => format!("it fought beside {} from {d}", r.ally),
        (Conduct::FoughtAgainst, Some(d)) => format!("it fought against {} from {d}", r.ally),
        _ => format!("it stayed out of the war on {}'s side", r.ally),
    };
    format!("{owed} {since}; {did}: {}", r.verdict.name().replace('_', " "))
}
