//! An instrument's life: when it is in force and whom it binds, from its status records and
//! dated steps, with the reasons in a form an explanation can put in words. The rule files fix
//! most of it (a program keeps their timelines); a scenario may add steps.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use crate::calendar::{Day, Interval};
use casus_syntax::ast::{self, DatedKind, Unit};

use super::{Entry, InstId, PartyStatus, Program, Sym};

/// Why an instrument is in force, in words, and from when to when.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    /// In force over these intervals, in order: none if it never entered into force, one, or two
    /// where it was terminated and later re-applied (`reapplied`).
    pub in_force: Vec<Interval>,
    /// Why it entered into force then: "instruments of ratification exchanged".
    pub entry_reason: String,
    /// Why it stopped being in force, if it did.
    pub end_reason: Option<String>,
    /// Each party it binds, with when and why: one binding per run of days (a party may leave
    /// and join again).
    pub bound: BTreeMap<Sym, Vec<Binding>>,
}

/// Whom each instrument binds on which days, and when it is in force, read off the timelines
/// and laid out flat for the look-ups an evaluation makes, millions in a cascade: an instrument's
/// parties lie together, in order, each with its days, where a map per instrument would be a
/// node or two away from each party's list of bindings.
#[derive(Clone, Debug, Default)]
pub(crate) struct Bounds {
    /// By instrument: where its parties begin in `bound`, and after the last, where they end.
    at: Vec<u32>,
    /// Each instrument's parties in order, one entry per run of days it binds them.
    bound: Vec<(Sym, Interval)>,
    /// By instrument: where its runs in force begin in `in_force`, and after the last, where
    /// they end.
    force_at: Vec<u32>,
    /// Each instrument's runs in force, in order.
    in_force: Vec<Interval>,
}

impl Bounds {
    /// The bounds of instruments with these timelines, in the order of their numbers.
    pub(crate) fn of<'t>(timelines: impl IntoIterator<Item = &'t Timeline>) -> Bounds {
        let mut b = Bounds { at: vec![0], force_at: vec![0], ..Bounds::default() };
        for t in timelines {
            b.bound.extend(t.bound.iter().flat_map(|(&p, bs)| bs.iter().map(move |x| (p, x.when))));
            b.in_force.extend(&t.in_force);
            b.at.push(crate::intern::number(b.bound.len()));
            b.force_at.push(crate::intern::number(b.in_force.len()));
        }
        b
    }

    /// The parties of instrument `inst`, in order, each with a run of days it binds them.
    fn parties(&self, inst: InstId) -> &[(Sym, Interval)] {
        of_instrument(&self.at, &self.bound, inst)
    }

    /// Whether instrument `inst` binds `party` on `day`.
    pub(crate) fn is_bound(&self, inst: InstId, party: Sym, day: Day) -> bool {
        let parties = self.parties(inst);
        let first = parties.partition_point(|&(p, _)| p < party);
        parties.get(first..).unwrap_or(&[]).iter().take_while(|&&(p, _)| p == party).any(|(_, when)| when.contains(day))
    }

    /// The parties instrument `inst` binds on `day`, in order, each once.
    pub(crate) fn bound_on(&self, inst: InstId, day: Day) -> impl Iterator<Item = Sym> + '_ {
        let mut last = None;
        self.parties(inst)
            .iter()
            .filter(move |(_, when)| when.contains(day))
            .map(|&(p, _)| p)
            .filter(move |&p| last.replace(p) != Some(p))
    }

    /// Whether instrument `inst` is in force on `day`.
    pub(crate) fn in_force(&self, inst: InstId, day: Day) -> bool {
        of_instrument(&self.force_at, &self.in_force, inst).iter().any(|when| when.contains(day))
    }
}

/// Instrument `inst`'s part of `items`, which `at` says where each instrument's begins and,
/// after the last, where they end.
fn of_instrument<'a, T>(at: &[u32], items: &'a [T], inst: InstId) -> &'a [T] {
    let (from, to) = (at.get(inst), at.get(inst + 1));
    from.zip(to).and_then(|(&f, &t)| items.get(f as usize..t as usize)).unwrap_or(&[])
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
    /// Stopped being a member of the group the instrument binds.
    LeftGroup(Arc<str>, Day),
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
            Why::LeftGroup(group, d) => write!(f, "stopped being a member of `{group}` on {d}"),
            Why::Instrument(why) => f.write_str(why),
        }
    }
}

/// A day with the reason something happened on it.
type Dated = (Day, Why);

/// When a withdrawal takes effect without a clause that says: twelve months after notice, per
/// art. 56(2) of the Vienna Convention on the Law of Treaties.
const DEFAULT_NOTICE: ast::Duration = ast::Duration { amount: 12, unit: Unit::Months };

pub fn timeline(
    program: &Program,
    name: &dyn Fn(Sym) -> String,
    i: InstId,
    records: &BTreeMap<Sym, PartyStatus>,
    dated: &BTreeMap<DatedKind, Day>,
) -> Timeline {
    let def = program.instrument_def(i);
    let on_signature = matches!(def.entry, Some(Entry::OnSignature));
    let joined = |s: &PartyStatus| -> Option<Day> {
        [s.ratified, s.acceded, s.signed.filter(|_| on_signature)].into_iter().flatten().min()
    };
    let mut joins: Vec<Day> = records.values().filter_map(joined).collect();
    joins.sort();
    let (entry, entry_reason) = match def.entry {
        Some(Entry::OnSignature) => (joins.first().copied(), "on signature".to_string()),
        Some(Entry::OnExchange) => {
            let d = dated.get(&DatedKind::Exchanged).copied();
            (d, "on the exchange of instruments of ratification".to_string())
        }
        Some(Entry::OnAdoption) => (dated.get(&DatedKind::Adopted).copied(), "on adoption".to_string()),
        Some(Entry::OnDate(d)) => (Some(d), "on the date it fixes".to_string()),
        Some(Entry::AfterRatifications { delay, count }) => {
            let nth = joins.get(count.saturating_sub(1) as usize).copied();
            let which = format!("the {} ratification", casus_syntax::format::ordinal(count));
            let why = if delay.amount == 0 { format!("on {which}") } else { format!("{delay} after {which}") };
            (nth.map(|d| d.plus(delay)), why)
        }
        None => (joins.first().copied(), "for each party on its ratification or accession".to_string()),
    };
    let bilateral = def.binds.is_none() && records.len() == 2;
    let notice = def.withdrawal.unwrap_or(DEFAULT_NOTICE);
    let mut ends: Vec<Dated> = Vec::new();
    // A termination followed by a re-application is a gap in the instrument's force, not its end.
    let termination: Option<Dated> =
        dated.get(&DatedKind::Terminated).map(|&d| (d, Why::Instrument(format!("terminated on {d}").into())));
    let reapplied = match (termination, dated.get(&DatedKind::Reapplied)) {
        (Some(t), Some(&r)) if r > t.0 => Some((t, r)),
        (t, _) => {
            ends.extend(t);
            None
        }
    };
    if let Some(&d) = dated.get(&DatedKind::Expires) {
        ends.push((d, Why::Instrument(format!("expired on {d}").into())));
    }
    if bilateral && !def.no_withdrawal {
        for (p, s) in records {
            if let Some(w) = s.withdrew {
                let effect = w.plus(notice);
                let why = format!(
                    "{} withdrew (notice given {w}, effective {effect}), which ends a bilateral treaty",
                    name(*p)
                );
                ends.push((effect, Why::Instrument(why.into())));
            }
        }
    }
    let end = ends.iter().min_by_key(|(d, why)| (*d, why.to_string())).cloned();
    let mut t = Timeline {
        in_force: Vec::new(),
        entry_reason,
        end_reason: end.as_ref().map(|(_, r)| r.to_string()),
        bound: BTreeMap::new(),
    };
    let Some(entry) = entry else { return t };
    let periods = periods(entry, end, reapplied);
    t.in_force = periods.iter().map(|(p, _)| *p).collect();
    let members: BTreeSet<Sym> = def.binds.map(|g| program.group_def(g).iter().collect()).unwrap_or_default();
    let group_name: Arc<str> = def.binds.map_or("", |g| program.group_def(g).name.as_str()).into();
    let parties: BTreeSet<Sym> = records.keys().copied().chain(members.iter().copied()).collect();
    for p in parties {
        let status = records.get(&p).copied().unwrap_or_default();
        let mut steps = party_steps(&status, on_signature, (!def.no_withdrawal).then_some(notice));
        if !steps.iter().any(|s| s.joins) {
            if !members.contains(&p) {
                continue;
            }
            // A member for a time is bound for that time.
            let runs = def.binds.map(|g| program.group_def(g).membership(p)).unwrap_or_default();
            for r in runs.into_iter().filter(|r| r.until.is_none_or(|u| u > entry)) {
                steps.push(Step { day: r.from.max(entry), joins: true, why: Why::Member(group_name.clone()) });
                if let Some(u) = r.until {
                    steps.push(Step { day: u, joins: false, why: Why::LeftGroup(group_name.clone(), u) });
                }
            }
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
        // Each run is clipped to each period of the instrument's force: a run that spans a gap
        // ends with the termination and starts again with the re-application.
        let mut bindings = Vec::new();
        for (from, joined, stop) in runs {
            for (period, period_end) in &periods {
                let from = from.max(period.from);
                let stop = match (&stop, period_end) {
                    (Some(s), Some(e)) => Some(if s.0 <= e.0 { s.clone() } else { e.clone() }),
                    (s, e) => s.clone().or(e.clone()),
                };
                if stop.as_ref().is_some_and(|(s, _)| *s <= from) {
                    continue;
                }
                bindings.push(Binding {
                    when: Interval { from, until: stop.as_ref().map(|(s, _)| *s) },
                    joined: joined.clone(),
                    ends: stop.map(|(_, r)| r),
                });
            }
        }
        if !bindings.is_empty() {
            t.bound.insert(p, bindings);
        }
    }
    t
}

/// The periods an instrument is in force, each with the day and reason it ends: from its entry
/// into force to its end, or, terminated and re-applied, the run before the termination and the
/// run from the re-application. None when it ends before it enters into force.
fn periods(entry: Day, end: Option<Dated>, reapplied: Option<(Dated, Day)>) -> Vec<(Interval, Option<Dated>)> {
    let period = |from: Day, stop: Option<Dated>| {
        (stop.as_ref().is_none_or(|(s, _)| *s > from))
            .then(|| (Interval { from, until: stop.as_ref().map(|(s, _)| *s) }, stop))
    };
    let Some((termination, again)) = reapplied else { return period(entry, end).into_iter().collect() };
    let before = match &end {
        Some(e) if e.0 <= termination.0 => end.clone(),
        _ => Some(termination),
    };
    [period(entry, before), period(again.max(entry), end)].into_iter().flatten().collect()
}

/// A dated step of a party: joining (ratifying, acceding, or signing where signature binds) or
/// leaving (leaving outright, a withdrawal taking effect, a suspension).
struct Step {
    day: Day,
    joins: bool,
    why: Why,
}

/// A party's steps in date order; on one day, leaving comes before joining. Without a `notice`
/// period (a treaty left only by agreement), a notice of withdrawal is no step at all.
fn party_steps(s: &PartyStatus, on_signature: bool, notice: Option<ast::Duration>) -> Vec<Step> {
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
    if let (Some(w), Some(notice)) = (s.withdrew, notice) {
        let effective = w.plus(notice);
        steps.push(Step { day: effective, joins: false, why: Why::Withdrew { notice: w, effective } });
    }
    if let Some(d) = s.suspended {
        steps.push(Step { day: d, joins: false, why: Why::Suspended(d) });
    }
    steps.sort_by_key(|s| (s.day, s.joins));
    steps
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    /// A run of days from `from`, for `len` days or, with none, past the horizon.
    fn run(from: i32, len: Option<i32>) -> Interval {
        Interval { from: Day(from), until: len.map(|l| Day(from + l)) }
    }

    proptest! {
        // Cases from `PROPTEST_CASES` (256 by default); no regression files.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        /// The flat bounds say what the timelines say: whom each instrument binds on each day
        /// (a party bound over several runs, even runs that overlap, or none), the parties it
        /// binds in order and each once, and whether it is in force; for instruments of no
        /// party, of one, and of many.
        #[test]
        fn bounds_read_as_the_timelines(
            instruments in proptest::collection::vec(
                (
                    proptest::collection::btree_map(0..40u32, proptest::collection::vec((0..30i32, proptest::option::of(1..10i32)), 1..3), 0..12),
                    proptest::collection::vec((0..30i32, proptest::option::of(1..20i32)), 0..3),
                ),
                0..5,
            ),
        ) {
            let timelines: Vec<Timeline> = instruments
                .into_iter()
                .map(|(bound, in_force)| Timeline {
                    in_force: in_force.into_iter().map(|(f, l)| run(f, l)).collect(),
                    bound: bound
                        .into_iter()
                        .map(|(p, runs)| {
                            let runs = runs.into_iter().map(|(f, l)| Binding { when: run(f, l), joined: Why::Ratified(Day(f)), ends: None });
                            (p, runs.collect())
                        })
                        .collect(),
                    ..Timeline::default()
                })
                .collect();
            let bounds = Bounds::of(&timelines);
            for (inst, t) in timelines.iter().enumerate() {
                for day in (-1..45).map(Day) {
                    let bound: Vec<Sym> =
                        t.bound.iter().filter(|(_, bs)| bs.iter().any(|b| b.when.contains(day))).map(|(&p, _)| p).collect();
                    let on: Vec<Sym> = bounds.bound_on(inst, day).collect();
                    prop_assert_eq!(&on, &bound, "instrument {}, day {:?}", inst, day);
                    for p in 0..41 {
                        prop_assert_eq!(bounds.is_bound(inst, p, day), bound.contains(&p));
                    }
                    prop_assert_eq!(bounds.in_force(inst, day), t.in_force.iter().any(|i| i.contains(day)));
                }
            }
            // An instrument past the last binds no one and is never in force.
            prop_assert!(!bounds.in_force(timelines.len(), Day(0)) && bounds.bound_on(timelines.len(), Day(0)).next().is_none());
        }
    }
}
