//! The text report, for people: obligations by party, each with its article, due date, status
//! and a one-line reason; then conflicts and violations.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::{Name, NormReport, NormsView, Report, Side};
use crate::calendar::Interval;
use crate::eval::{ConflictKind, NormKey, Status};
use casus_syntax::ast::Modality;

/// A report's norms in order, each with its identity where the report keeps it: held in a list,
/// or built one by one from a view of the evaluation.
pub trait NormSource {
    /// The norms, in report order.
    fn norms_in_order(&self) -> Box<dyn Iterator<Item = (Cow<'_, NormReport>, Option<&NormKey>)> + '_>;
}

impl NormSource for Report {
    fn norms_in_order(&self) -> Box<dyn Iterator<Item = (Cow<'_, NormReport>, Option<&NormKey>)> + '_> {
        Box::new(self.norms.iter().enumerate().map(|(i, n)| (Cow::Borrowed(n), self.keys.get(i))))
    }
}

impl NormSource for Report<NormsView<'_, '_>> {
    fn norms_in_order(&self) -> Box<dyn Iterator<Item = (Cow<'_, NormReport>, Option<&NormKey>)> + '_> {
        Box::new(self.norms.order.iter().map(|(k, r)| (Cow::Owned(self.norms.names.norm(k, r)), Some(*k))))
    }
}

/// Writes the text report to `out`, one norm at a time: obligations grouped by party, each with
/// its article, due date, status and a one-line reason; then conflicts and violations.
/// Prohibitions that merely stand and permissions are counted, and listed with `all`.
pub fn write_text<N>(
    report: &Report<N>,
    reasons: &BTreeMap<&NormKey, String>,
    all: bool,
    out: &mut impl std::io::Write,
) -> std::io::Result<()>
where
    Report<N>: NormSource,
{
    writeln!(out, "{} — as of {}", report.scenario, report.as_of)?;
    out.write_all(b"\n")?;
    let (mut total, mut shown, mut ended) = (0usize, 0usize, 0usize);
    let mut party: Option<Name> = None;
    for (n, key) in report.norms_in_order() {
        total += 1;
        if !(all || n.listed_by_default()) {
            ended += usize::from(n.status == Status::Discharged);
            continue;
        }
        if shown == 0 {
            out.write_all(if all { b"Norms\n" } else { b"Obligations\n" })?;
        }
        shown += 1;
        if party.as_deref() != Some(&*n.party) {
            writeln!(out, "  {}", n.party)?;
            party = Some(n.party.clone());
        }
        let due = match n.episodes.last().and_then(|e| e.due) {
            Some(d) => format!("due {d}"),
            None if n.forthwith => "forthwith, by means of its choosing".to_string(),
            None if n.modality == Modality::Must => "no deadline".to_string(),
            None => String::new(),
        };
        let assumed = if n.assumed { " (assumed)" } else { "" };
        let due = if due.is_empty() { String::new() } else { format!("{due}, ") };
        writeln!(
            out,
            "    {} {}  — {} art. {} — {due}{}{assumed}",
            n.modality.words(),
            report.action(&n.action, &n.args),
            n.instrument,
            n.article,
            n.status
        )?;
        if let Some(reason) = key.and_then(|k| reasons.get(k)) {
            writeln!(out, "      {reason}")?;
        }
        if let Some(cap) = &n.cap {
            write_cap(cap, out)?;
        }
    }
    if shown == 0 {
        out.write_all(b"No obligations.\n")?;
    }
    // Those that no longer hold are told apart from those that stand.
    let standing = total - shown - ended;
    let stand = if standing == 1 { "stands" } else { "stand" };
    match (standing, ended) {
        (0, 0) => {}
        (_, 0) => writeln!(out, "\n{} {stand} unbroken (shown with --all).", hidden(standing))?,
        (0, _) => writeln!(out, "\n{} ended unbroken (shown with --all).", hidden(ended))?,
        _ => writeln!(out, "\n{} {stand} unbroken, and {ended} ended unbroken (shown with --all).", hidden(standing))?,
    }
    if !report.conflicts.is_empty() {
        out.write_all(b"\nConflicts\n")?;
        for c in &report.conflicts {
            let outcome = match (&c.prevails, c.kind, &c.included) {
                (Some(p), ConflictKind::Partial, Some(inc)) if *p == c.prohibition.instrument => format!(
                    "{p} prevails: {} is overridden, the duty stands otherwise",
                    report.action(&inc.action, &inc.args)
                ),
                (Some(p), _, _) => format!("{p} prevails"),
                (None, ConflictKind::Partial, _) => "partial: no precedence resolves it".to_string(),
                (None, _, _) => "unresolved".to_string(),
            };
            writeln!(
                out,
                "  {}  {}: {}  {}  — {outcome}",
                c.party,
                c.kind,
                sides(report, &c.obligation, &c.prohibition),
                Interval { from: c.from, until: c.until },
            )?;
        }
    }
    if !report.violations.is_empty() {
        out.write_all(b"\nViolations\n")?;
        for v in &report.violations {
            let assumed = if v.assumed { " (assumed)" } else { "" };
            writeln!(
                out,
                "  {}  {}  — {} art. {}  {}{assumed}",
                v.party,
                report.action(&v.action, &v.args),
                v.instrument,
                v.article,
                Interval { from: v.on, until: v.until }
            )?;
        }
    }
    Ok(())
}

/// The prohibitions and permissions the text leaves out, counted: "1 prohibition or permission".
fn hidden(n: usize) -> String {
    if n == 1 { "1 prohibition or permission".into() } else { format!("{n} prohibitions and permissions") }
}

/// A capped prohibition's cap, and the deliveries that broke it: `beyond 500,000 barrels per 12
/// months from 2018-01-01, in aggregate` and, a line each, `2018-05-01: 250,000 barrels, total
/// 550,000 — 50,000 beyond the cap`.
fn write_cap(cap: &super::CapReport, out: &mut impl std::io::Write) -> std::io::Result<()> {
    writeln!(out, "      {}", cap.words())?;
    for d in cap.deliveries.iter().filter(|d| d.excess != Some(0)) {
        writeln!(out, "        {}", cap.delivery_words(d))?;
    }
    Ok(())
}

/// A whole number with its thousands set apart: `550,000`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The two sides of a conflict: `must assist(…) (kp_ru_2024 art. 4) vs must not supply(…)
/// (unsc_1718 art. 8(b))`.
pub(super) fn sides<N>(report: &Report<N>, obligation: &Side, prohibition: &Side) -> String {
    format!(
        "must {} ({} art. {}) vs must not {} ({} art. {})",
        report.action(&obligation.action, &obligation.args),
        obligation.instrument,
        obligation.article,
        report.action(&prohibition.action, &prohibition.args),
        prohibition.instrument,
        prohibition.article,
    )
}
