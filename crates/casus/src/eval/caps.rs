//! Caps: a prohibition broken only by what is supplied beyond an amount over a period
//! (docs/semantics.md, "Caps").
//!
//! The acts a capped prohibition counts are the given acts that match it, on a day it is active;
//! each counts its amount in the cap's unit on its first day. In the order of their first days
//! (and on one day by party, arguments and amount), each adds to the total of its period: the acts that take
//! the total beyond the cap, and those that give no amount in its unit, break the prohibition.
//! A cap `in aggregate` counts the acts of every bearer of the norm's article, action and
//! arguments towards one total; each act still breaks only its own party's prohibition.

use std::collections::BTreeMap;

use super::acts::Acts;
use super::identity::NormKey;
use super::world::World;
use super::{NormRecord, Norms};
use crate::calendar::Day;
use crate::program::{Cap, CapPeriod, Program, Sym};
use casus_syntax::ast::{Duration, Modality, Unit};

/// What a capped prohibition counted: its cap, and its party's acts with the totals they made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapOutcome {
    /// The cap.
    pub cap: Cap,
    /// The party's counted acts, in the order counted.
    pub deliveries: Vec<Delivery>,
}

/// One act a cap counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The act: its place among the world's acts.
    pub act: usize,
    /// The day it counts on: its first.
    pub on: Day,
    /// Its amount in the cap's unit, if it gives one (rounded down, when given only in the
    /// cap's other unit).
    pub amount: Option<u64>,
    /// Its amount as given in the cap's other unit (`or`), when it gives none in the cap's own.
    pub given: Option<u64>,
    /// The total of its period with it, in the cap's unit (rounded down).
    pub total: u64,
    /// How much of it lies beyond the cap (`None`: its amount is unknown, and it breaks the
    /// prohibition); zero for an act within the cap (rounded up, so that it is zero only then).
    pub excess: Option<u64>,
}

impl Delivery {
    /// Whether it breaks the prohibition.
    pub fn breaks(&self) -> bool {
        self.excess != Some(0)
    }
}

/// The outcome of every capped prohibition, by its identity; `matching` gives the acts that
/// match a norm (given and assumed, by their place in `acts`). Acts after `as_of` do not count.
pub(super) fn caps(
    program: &Program,
    world: &World<'_>,
    norms: &Norms,
    acts: &Acts,
    as_of: Day,
    matching: &dyn Fn(&NormKey) -> Vec<usize>,
) -> BTreeMap<NormKey, CapOutcome> {
    // Capped prohibitions, grouped: one group per norm, or per article, action and arguments
    // for a cap in aggregate.
    type GroupKey = (Option<Sym>, Sym, crate::eval::Args, usize, u32);
    let mut groups: BTreeMap<GroupKey, (Cap, Vec<u32>)> = BTreeMap::new();
    for (n, (key, record)) in norms.iter().enumerate() {
        let Some(cap) = capped(program, key, record) else { continue };
        let party = (!cap.aggregate).then_some(key.party);
        let group = (party, key.action, key.args.clone(), key.instrument, key.article);
        groups.entry(group).or_insert_with(|| (cap, Vec::new())).1.push(crate::intern::number(n));
    }
    let mut out = BTreeMap::new();
    for (cap, members) in groups.into_values() {
        // Every act any member counts, with the norm it counts for: an act is its party's, so
        // only its party's norm counts it.
        let mut counted: Vec<(Day, usize, u32)> = Vec::new();
        for &n in &members {
            let (Some(key), Some(record)) = (norms.keys.get(n as usize), norms.record(n as usize)) else {
                continue;
            };
            for i in matching(key) {
                let Some(a) = acts.get(i).filter(|_| acts.is_given(i)) else { continue };
                if a.when.from <= as_of && active_on(record, a.when.from) {
                    counted.push((a.when.from, i, n));
                }
            }
        }
        // On one day, acts count in an order of their own, not the scenario's: by party, then
        // arguments (by role name), then amount, so that the order of the events changes nothing.
        let scale = Scale::of(&cap);
        let key = |i: usize| {
            let a = acts.get(i).map(|d| d.act);
            let party = a.map_or("", |a| world.name(a.party));
            let mut args: Vec<(&str, &str)> =
                a.map(|a| a.args.iter().map(|(r, v)| (world.name(*r), world.name(*v))).collect()).unwrap_or_default();
            args.sort_unstable();
            (party, args, measure(world, i, &cap, scale).map(|m| m.0))
        };
        counted.sort_by(|x, y| x.0.cmp(&y.0).then_with(|| key(x.1).cmp(&key(y.1))).then(x.1.cmp(&y.1)));
        let deliveries = count(&cap, &counted, world);
        for &n in &members {
            let own: Vec<Delivery> =
                counted.iter().zip(&deliveries).filter(|((_, _, m), _)| *m == n).map(|(_, d)| *d).collect();
            if let Some(key) = norms.keys.get(n as usize) {
                out.insert(key.clone(), CapOutcome { cap, deliveries: own });
            }
        }
    }
    out
}

/// The cap of a prohibition, if the rule that first gave it has one.
fn capped(program: &Program, key: &NormKey, record: &NormRecord) -> Option<Cap> {
    (key.modality == Modality::MustNot).then_some(())?;
    program.rules.get(record.rule)?.cap
}

/// Whether the norm is active on `day`.
fn active_on(record: &NormRecord, day: Day) -> bool {
    record.episodes.iter().any(|e| e.when.contains(day))
}

/// The amount act `i` of the world gives in `unit`, if it gives one.
fn amount_in(world: &World<'_>, i: usize, unit: Sym) -> Option<u64> {
    world.amounts.get(i)?.iter().find(|(u, _)| *u == unit).map(|(_, n)| *n)
}

/// How amounts count towards a cap, in parts: with a second unit (`or`), one of the cap's unit is
/// `or / g` parts and one of the other `amount / g` (`g` their greatest common divisor), so that
/// sums mixing the two are exact; without, a part is one of the cap's unit.
#[derive(Clone, Copy, Debug)]
struct Scale {
    /// Parts in one of the cap's unit.
    unit: u128,
    /// Parts in one of its other unit.
    other: u128,
}

impl Scale {
    fn of(cap: &Cap) -> Scale {
        match cap.or {
            Some((other, _)) => {
                let g = gcd(cap.amount, other).max(1);
                Scale { unit: u128::from(other / g), other: u128::from(cap.amount / g) }
            }
            None => Scale { unit: 1, other: 1 },
        }
    }

    /// Parts in the cap's unit, rounded down.
    fn down(self, parts: u128) -> u64 {
        u64::try_from(parts / self.unit.max(1)).unwrap_or(u64::MAX)
    }

    /// Parts in the cap's unit, rounded up.
    fn up(self, parts: u128) -> u64 {
        u64::try_from(parts.div_ceil(self.unit.max(1))).unwrap_or(u64::MAX)
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// What act `i` gives towards a cap, in parts: its amount in the cap's unit, or else in the cap's
/// other unit (with that amount, as given).
fn measure(world: &World<'_>, i: usize, cap: &Cap, scale: Scale) -> Option<(u128, Option<u64>)> {
    if let Some(n) = amount_in(world, i, cap.unit) {
        return Some((u128::from(n) * scale.unit, None));
    }
    let n = amount_in(world, i, cap.or?.1)?;
    Some((u128::from(n) * scale.other, Some(n)))
}

/// Each counted act with the total of its period and its excess, in the order given.
fn count(cap: &Cap, counted: &[(Day, usize, u32)], world: &World<'_>) -> Vec<Delivery> {
    let scale = Scale::of(cap);
    let mut out: Vec<Delivery> = Vec::with_capacity(counted.len());
    // The parts each counted act gave, beside `out`.
    let mut parts: Vec<u128> = Vec::with_capacity(counted.len());
    let mut period_total: BTreeMap<usize, u128> = BTreeMap::new();
    for (k, &(on, act, _)) in counted.iter().enumerate() {
        let measured = measure(world, act, cap, scale);
        let period = period_of(&cap.period, on);
        let before: u128 = match cap.period {
            CapPeriod::Rolling(length) => counted[..k]
                .iter()
                .zip(&parts)
                .filter(|((earlier, _, _), _)| earlier.plus(length) > on)
                .map(|(_, p)| *p)
                .sum(),
            CapPeriod::Total | CapPeriod::Fixed { .. } => {
                period.map_or(0, |p| period_total.get(&p).copied().unwrap_or(0))
            }
        };
        let mine = measured.map_or(0, |m| m.0);
        let total = before.saturating_add(mine);
        // Before the first of fixed periods nothing is allowed.
        let allowed = match cap.period {
            CapPeriod::Fixed { .. } if period.is_none() => 0,
            _ => u128::from(cap.amount) * scale.unit,
        };
        if let Some(p) = period {
            period_total.insert(p, total);
        }
        let excess = measured.map(|_| scale.up(total.saturating_sub(before.max(allowed))));
        parts.push(mine);
        out.push(Delivery {
            act,
            on,
            amount: measured.map(|m| scale.down(m.0)),
            given: measured.and_then(|m| m.1),
            total: scale.down(total),
            excess,
        });
    }
    out
}

/// The period a day falls in: `Some(0)` for all time, the number of the fixed period from its
/// first day, or `None` before the first period (or for a rolling cap, which has no numbered
/// periods).
fn period_of(period: &CapPeriod, day: Day) -> Option<usize> {
    match *period {
        CapPeriod::Total => Some(0),
        CapPeriod::Rolling(_) => None,
        CapPeriod::Fixed { length, from } => {
            if day < from {
                return None;
            }
            if length.unit == Unit::Days {
                let days = i64::from(day.0) - i64::from(from.0);
                return usize::try_from(days / i64::from(length.amount.max(1))).ok();
            }
            let mut k: u32 = 0;
            loop {
                let next = from.plus(Duration { amount: length.amount.saturating_mul(k + 1), unit: length.unit });
                if next > day || next > Day::LAST {
                    return Some(k as usize);
                }
                k += 1;
            }
        }
    }
}
