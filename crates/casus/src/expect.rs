//! Expectations: checking a scenario's `expect` list against what the rules conclude.
//!
//! Each expectation is checked against the report as of its own date (`on`, or the scenario's
//! `as_of`), so one scenario can pin a whole history. A failed expectation says what was
//! expected and what was found instead: the nearest norms of that party, so the fix is plain.

use std::collections::BTreeMap;

use crate::calendar::Day;
use crate::eval::{self, Evaluation, Fired};
use crate::program::Program;
use crate::report::{NormReport, Report};
use crate::scenario::{ExpectKind, Expectation, NormQuery, Scenario};
use casus_syntax::diagnostic::Diagnostic;

/// The result of one expectation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Its index in the scenario's `expect` list.
    pub index: usize,
    /// Whether it held.
    pub passed: bool,
    /// What was expected, in words.
    pub expected: String,
    /// What was found instead, when it failed.
    pub found: String,
}

/// Checks every expectation of a scenario against the report as of its date.
pub fn check(program: &Program, scenario: &Scenario) -> Result<Vec<Outcome>, Vec<Diagnostic>> {
    checked(program, scenario, false).map(|(outcomes, _)| outcomes)
}

/// Checks every expectation of a scenario, as [`check`] does, and says which rules fired on
/// some day up to the scenario's `as_of` or its latest expectation, whichever is later: what a
/// test suite's coverage counts.
pub fn check_covering(program: &Program, scenario: &Scenario) -> Result<(Vec<Outcome>, Fired), Vec<Diagnostic>> {
    checked(program, scenario, true)
}

fn checked(program: &Program, scenario: &Scenario, covering: bool) -> Result<(Vec<Outcome>, Fired), Vec<Diagnostic>> {
    let mut by_date: BTreeMap<Day, Vec<(usize, &Expectation)>> = BTreeMap::new();
    for (i, e) in scenario.expect.iter().enumerate() {
        by_date.entry(e.on.unwrap_or(scenario.as_of)).or_default().push((i, e));
    }
    // The coverage's horizon is the later of `as_of` and the last expectation's date: evaluated
    // with no expectation of its own when no expectation is as late.
    if covering && by_date.keys().next_back().is_none_or(|last| *last < scenario.as_of) {
        by_date.insert(scenario.as_of, Vec::new());
    }
    let last = by_date.keys().next_back().copied();
    let mut out = Vec::new();
    let mut fired = Fired::default();
    for (day, list) in by_date {
        let eval = eval::evaluate(program, scenario, day, scenario.assume_compliance)?;
        let report = Report::new(&eval, &scenario.title);
        for (index, e) in list {
            let (passed, expected, found) = one(&eval, &report, &e.kind, day);
            out.push(Outcome { index, passed, expected, found });
        }
        if Some(day) == last {
            fired = eval.fired;
        }
    }
    out.sort_by_key(|o| o.index);
    Ok((out, fired))
}

fn one(eval: &Evaluation, report: &Report, kind: &ExpectKind, day: Day) -> (bool, String, String) {
    let program = eval.world.program;
    let instrument = |id: &str| program.instrument(id);
    match kind {
        ExpectKind::Norm(q) => norm(report, q, day),
        ExpectKind::InForce(id) | ExpectKind::NotInForce(id) => {
            let want = matches!(kind, ExpectKind::InForce(_));
            let expected = format!("`{id}` {} in force on {day}", if want { "is" } else { "is not" });
            let Some(i) = instrument(id) else { return (false, expected, format!("there is no instrument `{id}`")) };
            let is = eval.world.in_force(i, day);
            let periods: Vec<String> = eval.world.timeline(i).in_force.iter().map(ToString::to_string).collect();
            let found = if periods.is_empty() {
                "it never enters into force".into()
            } else {
                format!("it is in force {}", periods.join(" and "))
            };
            (is == want, expected, found)
        }
        ExpectKind::Bound { party, instrument: id } | ExpectKind::NotBound { party, instrument: id } => {
            let want = matches!(kind, ExpectKind::Bound { .. });
            let expected = format!("`{id}` {} `{party}` on {day}", if want { "binds" } else { "does not bind" });
            let Some(i) = instrument(id) else { return (false, expected, format!("there is no instrument `{id}`")) };
            let p = eval.world.syms.get(party);
            let is = p.is_some_and(|p| eval.world.is_bound(i, p, day));
            let spans: Vec<String> = p
                .and_then(|p| eval.world.timeline(i).bound.get(&p))
                .map(Vec::as_slice)
                .unwrap_or(&[])
                .iter()
                .map(|b| b.when.to_string())
                .collect();
            let found = if spans.is_empty() {
                format!("it never binds {party}")
            } else {
                format!("it binds {party} {}", spans.join(", "))
            };
            (is == want, expected, found)
        }
        ExpectKind::Conflict { party, kind, instrument: inst, prevails, included, absent } => {
            let hits: Vec<String> = report
                .conflicts
                .iter()
                .filter(|c| &c.party == party)
                .filter(|c| kind.is_none_or(|k| c.kind == k))
                .filter(|c| {
                    inst.as_deref().is_none_or(|i| c.obligation.instrument == i || c.prohibition.instrument == i)
                })
                .filter(|c| prevails.as_deref().is_none_or(|p| c.prevails.as_deref() == Some(p)))
                .filter(|c| included.as_deref().is_none_or(|a| c.included.as_ref().is_some_and(|x| x.action == a)))
                .map(|c| {
                    let prevails = c.prevails.as_ref().map(|p| format!(", {p} prevails")).unwrap_or_default();
                    format!(
                        "{} conflict from {}: must {} ({} art. {}) vs must not {} ({} art. {}){prevails}",
                        c.kind,
                        c.from,
                        c.obligation.action,
                        c.obligation.instrument,
                        c.obligation.article,
                        c.prohibition.action,
                        c.prohibition.instrument,
                        c.prohibition.article
                    )
                })
                .collect();
            let what = format!(
                "{}{} conflict for `{party}`{}{}{} by {day}",
                if *absent { "no " } else { "a " },
                kind.map(|k| k.name()).unwrap_or(""),
                inst.as_ref().map(|i| format!(" involving `{i}`")).unwrap_or_default(),
                included.as_ref().map(|a| format!(" over an included `{a}`")).unwrap_or_default(),
                prevails.as_ref().map(|p| format!(" that `{p}` prevails in")).unwrap_or_default(),
            );
            let all: Vec<String> = report
                .conflicts
                .iter()
                .filter(|c| &c.party == party)
                .map(|c| format!("{} conflict from {}", c.kind, c.from))
                .collect();
            let found = if hits.is_empty() { nothing_or(&all, "no conflict for that party") } else { hits.join("; ") };
            (hits.is_empty() == *absent, what, found)
        }
        e @ ExpectKind::BeyondCap { .. } => beyond_cap(report, e, day),
        ExpectKind::Violation { party, instrument: inst, article, action, absent } => {
            let hits: Vec<String> = report
                .violations
                .iter()
                .filter(|v| &v.party == party)
                .filter(|v| inst.as_deref().is_none_or(|i| v.instrument == i))
                .filter(|v| article.as_deref().is_none_or(|a| v.article == a))
                .filter(|v| action.as_deref().is_none_or(|a| v.action == a))
                .map(|v| {
                    format!(
                        "{} under {} art. {} from {}",
                        report.action(&v.action, &v.args),
                        v.instrument,
                        v.article,
                        v.on
                    )
                })
                .collect();
            let what = format!(
                "{} violation by `{party}`{}{}{} by {day}",
                if *absent { "no" } else { "a" },
                action.as_ref().map(|a| format!(" of `{a}`")).unwrap_or_default(),
                inst.as_ref().map(|i| format!(" under `{i}`")).unwrap_or_default(),
                article.as_ref().map(|a| format!(" art. {a}")).unwrap_or_default(),
            );
            let all: Vec<String> = report
                .violations
                .iter()
                .filter(|v| &v.party == party)
                .map(|v| format!("{} under {} art. {}", v.action, v.instrument, v.article))
                .collect();
            let found = if hits.is_empty() { nothing_or(&all, "no violation by that party") } else { hits.join("; ") };
            (hits.is_empty() == *absent, what, found)
        }
    }
}

/// `BeyondCap`: the acts of the party that went beyond a capped prohibition's cap, matched on
/// the fields given.
fn beyond_cap(report: &Report, e: &ExpectKind, day: Day) -> (bool, String, String) {
    let ExpectKind::BeyondCap { party, instrument: inst, article, shipped, excess, total, absent } = e else {
        return (false, String::new(), String::new());
    };
    let capped = || {
        report
            .norms
            .iter()
            .filter(|n| *n.party == **party)
            .filter(|n| inst.as_deref().is_none_or(|i| *n.instrument == *i))
            .filter(|n| article.as_deref().is_none_or(|a| *n.article == *a))
            .filter_map(|n| n.cap.as_ref().map(|c| (n, c)))
    };
    let over = |d: &&crate::report::DeliveryReport| d.excess != Some(0);
    let hits: Vec<String> = capped()
        .flat_map(|(n, c)| c.deliveries.iter().filter(over).map(move |d| (n, c, d)))
        .filter(|(_, _, d)| shipped.is_none_or(|s| d.on == s))
        .filter(|(_, _, d)| excess.is_none_or(|x| d.excess == Some(x)))
        .filter(|(_, _, d)| total.is_none_or(|t| d.total == t))
        .map(|(n, c, d)| {
            let excess = d.excess.map_or("an unknown amount".to_string(), |x| format!("{x} {}", c.unit));
            format!("{} art. {}: shipped {}, total {}, {excess} beyond the cap", n.instrument, n.article, d.on, d.total)
        })
        .collect();
    let what = format!(
        "{} act of `{party}` beyond a cap{}{}{}{}{} by {day}",
        if *absent { "no" } else { "an" },
        inst.as_ref().map(|i| format!(" under `{i}`")).unwrap_or_default(),
        article.as_ref().map(|a| format!(" art. {a}")).unwrap_or_default(),
        shipped.map(|s| format!(", shipped {s}")).unwrap_or_default(),
        excess.map(|x| format!(", {x} beyond it")).unwrap_or_default(),
        total.map(|t| format!(", total {t}")).unwrap_or_default(),
    );
    let all: Vec<String> = capped()
        .flat_map(|(n, c)| c.deliveries.iter().filter(over).map(move |d| (n, d)))
        .map(|(n, d)| format!("{} art. {} shipped {}, total {}", n.instrument, n.article, d.on, d.total))
        .collect();
    let found = if hits.is_empty() { nothing_or(&all, "no act of that party beyond a cap") } else { hits.join("; ") };
    (hits.is_empty() == *absent, what, found)
}

fn nothing_or(list: &[String], nothing: &str) -> String {
    if list.is_empty() { nothing.to_string() } else { format!("only: {}", list.join("; ")) }
}

fn norm(report: &Report, q: &NormQuery, day: Day) -> (bool, String, String) {
    let expected = describe_query(q, day);
    let fields = |n: &NormReport| -> (usize, usize) {
        let checks = [
            Some(*n.party == *q.party),
            q.modality.map(|m| n.modality == m),
            q.action.as_ref().map(|a| *n.action == **a),
            (!q.args.is_empty()).then(|| q.args.iter().all(|(k, v)| n.args.get(k) == Some(v.as_str()))),
            q.instrument.as_ref().map(|i| *n.instrument == **i),
            q.article.as_ref().map(|a| *n.article == **a),
            q.status.map(|s| n.status == s),
            q.due.map(|d| n.episodes.last().and_then(|e| e.due) == Some(d)),
            q.assumed.map(|a| n.assumed == a),
        ];
        let given = checks.iter().flatten().count();
        (checks.iter().flatten().filter(|ok| **ok).count(), given)
    };
    let matching: Vec<&NormReport> = report
        .norms
        .iter()
        .filter(|n| {
            let (ok, given) = fields(n);
            ok == given
        })
        .collect();
    if q.absent {
        let found = matching.iter().take(3).map(|n| describe_norm(report, n)).collect::<Vec<_>>().join("; ");
        return (
            matching.is_empty(),
            expected,
            if found.is_empty() { String::new() } else { format!("found {found}") },
        );
    }
    if !matching.is_empty() {
        return (true, expected, String::new());
    }
    // The nearest norms of that party: those that match the most of the fields given.
    let mut near: Vec<(usize, &NormReport)> =
        report.norms.iter().filter(|n| *n.party == *q.party).map(|n| (fields(n).0, n)).collect();
    near.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
    let found = if near.is_empty() {
        format!("`{}` bears no norm on {day}", q.party)
    } else {
        let shown: Vec<String> = near.iter().take(3).map(|(_, n)| describe_norm(report, n)).collect();
        format!("nearest: {}", shown.join("; "))
    };
    (false, expected, found)
}

fn describe_query(q: &NormQuery, day: Day) -> String {
    let mut s = format!("{}`{}`", if q.absent { "no norm of " } else { "" }, q.party);
    if let Some(m) = q.modality {
        s.push_str(&format!(" {}", m.words()));
    }
    let args: Vec<String> = q.args.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    match (&q.action, args.is_empty()) {
        (Some(a), true) => s.push_str(&format!(" {a}")),
        (Some(a), false) => s.push_str(&format!(" {a}({})", args.join(", "))),
        (None, false) => s.push_str(&format!(" ({})", args.join(", "))),
        (None, true) => {}
    }
    if let Some(i) = &q.instrument {
        s.push_str(&format!(" under {i}"));
    }
    if let Some(a) = &q.article {
        s.push_str(&format!(" art. {a}"));
    }
    if let Some(d) = q.due {
        s.push_str(&format!(" due {d}"));
    }
    if let Some(st) = &q.status {
        s.push_str(&format!(", {st}"));
    }
    if let Some(a) = q.assumed {
        s.push_str(if a { " by an assumed act" } else { " not by an assumed act" });
    }
    s.push_str(&format!(", on {day}"));
    s
}

fn describe_norm(report: &Report, n: &NormReport) -> String {
    let due = n.episodes.last().and_then(|e| e.due).map(|d| format!(" due {d}")).unwrap_or_default();
    format!(
        "{} {} {} under {} art. {}{due}, {}",
        n.party,
        n.modality.words(),
        report.action(&n.action, &n.args),
        n.instrument,
        n.article,
        n.status
    )
}
