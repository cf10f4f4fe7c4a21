//! `casus replay`: every war's scenario evaluated against the alliances, in parallel, from one
//! compiled program; the invocation table and its summary (docs/history.md).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use casus::calendar::Day;
use casus_history::atop;
use casus_history::replay::{self, Alliances, Judged, Row, Settings, Summary, War};
use casus_syntax::source::Sources;
use sha2::{Digest, Sha256};

use crate::files;
use crate::load::{self, Failed};
use crate::term::{Term, errln};

/// How the replay is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// The summary and, war by war, the reason of every row not honoured or unverified.
    Text,
    /// The invocation table; the summary in `<out>.summary.csv`.
    Csv,
    /// One object: settings, inputs, summary, rows.
    Json,
}

/// What the command line asks of `casus replay`.
pub(crate) struct Request {
    /// The rule files and folders: the library and the ATOP import.
    pub rules: Vec<PathBuf>,
    /// The folder of war scenarios.
    pub scenarios: PathBuf,
    /// `atopid,instrument`: the library's instruments that stand for ATOP alliances.
    pub curated: Option<PathBuf>,
    /// The folder of the COW state list and the country codes, for the ccode columns.
    pub data: Option<PathBuf>,
    /// The replay's settings.
    pub settings: Settings,
    /// How to write it.
    pub format: Format,
    /// Where to write it.
    pub out: Option<PathBuf>,
    /// Only the summary.
    pub summary_only: bool,
}

/// Runs `casus replay`; the exit code.
pub(crate) fn run(term: &mut Term, r: &Request) -> u8 {
    match replay(term, r) {
        Ok(()) => 0,
        Err(f) => crate::eval::failed(term, &f),
    }
}

fn error(message: impl Into<String>) -> Failed {
    Failed::error("casus::replay", message, None)
}

fn replay(term: &mut Term, r: &Request) -> Result<(), Failed> {
    let style = term.err_style;
    let mut sources = Sources::new();
    let program = match load::program(&mut sources, &r.rules)? {
        Ok(p) => p,
        Err(ds) => return Err(load::rendered(&ds, &sources, style)),
    };
    let unread = |u: crate::import::Unread, sources: &Sources| match u {
        crate::import::Unread::Io(e) => error(e),
        crate::import::Unread::Data(d) => load::rendered(&[*d], sources, style),
    };
    // The crosswalk, as instrument → atopid.
    let mut curated = BTreeMap::new();
    if let Some(path) = &r.curated {
        let file = crate::import::read_data(&mut sources, path).map_err(|u| unread(u, &sources))?;
        let library: BTreeSet<String> = program.instruments.iter().map(|i| i.id.clone()).collect();
        let by_id = atop::crosswalk(&sources, file, &library).map_err(|d| load::rendered(&[d], &sources, style))?;
        curated.extend(by_id.into_iter().map(|(id, instrument)| (instrument, id)));
    }
    let codes = match &r.data {
        Some(dir) => {
            let shipped = crate::import::CodeSources::default();
            Some(crate::import::read_codes(&mut sources, dir, &shipped).map_err(|u| unread(u, &sources))?)
        }
        None => None,
    };
    let list = files::expand(std::slice::from_ref(&r.scenarios), &["ron"]).map_err(error)?;
    if let Some(e) = list.unreadable.first() {
        return Err(error(e.clone()));
    }
    let mut wars = Vec::new();
    let mut inputs: Vec<(String, String)> = Vec::new();
    for input in &list.files {
        let (id, problem) = files::read(&mut sources, input).map_err(error)?;
        if let Some(d) = problem {
            return Err(load::rendered(&[d], &sources, style));
        }
        let Some(source) = sources.get(id) else { continue };
        inputs.push((input.name().to_string(), sha256(source.text.as_bytes())));
        let scenario = casus::scenario::parse(id, source)
            .map_err(|rejected| load::rendered(&rejected.diagnostics, &sources, style))?;
        let lines = scenario.events.iter().map(|e| source.line_col(e.span.start).line).collect();
        let war = War { file: input.name().to_string(), scenario, lines };
        let start = war.start();
        if r.settings.from.is_some_and(|f| start < f) || r.settings.to.is_some_and(|t| start > t) {
            continue;
        }
        wars.push(war);
    }
    for (_, file) in sources.iter() {
        if file.name.ends_with(".casus") {
            inputs.push((file.name.clone(), sha256(file.text.as_bytes())));
        }
    }
    inputs.sort();
    let alliances = Alliances::new(&program, &curated, |s| program.name(s).to_string());
    let ccode = |code: &str, day: Day| codes.as_ref().and_then(|c| c.ccode(code, day));
    let rows = replay::replay_all(&program, &wars, &alliances, std::slice::from_ref(&r.settings), &ccode)
        .map_err(|(file, e)| error(format!("`{file}` cannot be evaluated: {e}")))?
        .pop()
        .unwrap_or_default();
    let units = replay::judge(&rows, &r.settings);
    let summary = replay::summarise(&units, &rows, wars.len(), alliances.ids.len(), &r.settings);
    let text = match r.format {
        Format::Text => text(&summary, &rows, &units, &r.settings, r.summary_only),
        Format::Json => json(&summary, &rows, &inputs, &r.settings, r.summary_only)?,
        Format::Csv => {
            if let Some(out) = &r.out {
                let mut name = out.as_os_str().to_owned();
                name.push(".summary.csv");
                files::write_atomically(Path::new(&name), &summary_csv(&summary)).map_err(error)?;
            } else {
                errln!(term, "note: the summary CSV is written beside --out, which is not given");
            }
            if r.summary_only { summary_csv(&summary) } else { csv(&rows)? }
        }
    };
    match &r.out {
        Some(path) => files::write_atomically(path, &text).map_err(error),
        None => {
            crate::draw::write(term, Ok(text));
            Ok(())
        }
    }
}

fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A CSV field.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// The invocation table as CSV.
fn csv(rows: &[Row]) -> Result<String, Failed> {
    let mut out = replay::COLUMNS.join(",") + "\n";
    for row in rows {
        let value = serde_json::to_value(row).map_err(|e| error(e.to_string()))?;
        let cells: Vec<String> = replay::COLUMNS
            .iter()
            .map(|c| match &value[*c] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => field(s),
                serde_json::Value::Array(list) => {
                    field(&list.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(" "))
                }
                other => field(&other.to_string()),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    Ok(out)
}

/// The summary as CSV: one line per period, basis and provision.
fn summary_csv(summary: &Summary) -> String {
    let mut out = String::from("period,unit,basis,provision");
    for v in replay::VERDICTS {
        let _ = write!(out, ",{}", v.name());
    }
    out.push_str(",share\n");
    for (period, tally) in &summary.periods {
        let mut line = |basis: &str, provision: &str, t: &replay::Tally| {
            let _ = write!(out, "{},{},{basis},{provision}", field(period), summary.unit);
            for v in replay::VERDICTS {
                let _ = write!(out, ",{}", t.counts.get(v.name()).copied().unwrap_or(0));
            }
            let _ = writeln!(out, ",{}", t.share.clone().unwrap_or_default());
        };
        line("all", "", &tally.all);
        for (p, t) in &tally.judged_provision {
            line("judged", p, t);
        }
        for (p, t) in &tally.every_provision {
            line("every", p, t);
        }
    }
    out
}

fn json(
    summary: &Summary,
    rows: &[Row],
    inputs: &[(String, String)],
    settings: &Settings,
    summary_only: bool,
) -> Result<String, Failed> {
    let inputs: Vec<serde_json::Value> =
        inputs.iter().map(|(path, sha)| serde_json::json!({ "path": path, "sha256": sha })).collect();
    let mut value = serde_json::json!({
        "settings": settings,
        "inputs": inputs,
        "summary": summary,
    });
    if !summary_only {
        value["rows"] = serde_json::to_value(rows).map_err(|e| error(e.to_string()))?;
    }
    Ok(serde_json::to_string_pretty(&value).map_err(|e| error(e.to_string()))? + "\n")
}

/// A tally in words: `honoured 3, not honoured 1, ...; share 0.750`.
fn tally_words(t: &replay::Tally) -> String {
    let counts: Vec<String> = replay::VERDICTS
        .iter()
        .filter_map(|v| {
            let n = t.counts.get(v.name()).copied().unwrap_or(0);
            (n > 0).then(|| format!("{} {n}", v.name().replace('_', " ")))
        })
        .collect();
    let share = t.share.as_ref().map_or_else(|| "no unit judged".to_string(), |s| format!("share honoured {s}"));
    format!("{}; {share}", if counts.is_empty() { "none".to_string() } else { counts.join(", ") })
}

/// For people: the summary, then war by war the rows not honoured or unverified with their
/// reasons.
fn text(summary: &Summary, rows: &[Row], units: &[Judged], settings: &Settings, summary_only: bool) -> String {
    let mut out = String::new();
    let policy = match settings.conditions {
        replay::Conditions::Unverified => "unverified",
        replay::Conditions::AssumeMet => "assume-met",
    };
    let wars = if summary.wars == 1 { "1 war".to_string() } else { format!("{} wars", summary.wars) };
    let _ = writeln!(
        out,
        "Replay of {wars} against {} alliance instruments: {} rows, {} units ({}); conditions the data cannot check: {policy}.",
        summary.instruments,
        summary.rows,
        units.len(),
        summary.unit
    );
    for (period, t) in &summary.periods {
        let _ = writeln!(out, "\n{period}: {}", tally_words(&t.all));
        for (p, tally) in &t.judged_provision {
            let _ = writeln!(out, "  judged under {p}: {}", tally_words(tally));
        }
        for (p, tally) in &t.every_provision {
            let _ = writeln!(out, "  alliances with {p}: {}", tally_words(tally));
        }
    }
    if !summary.curate_first.is_empty() {
        let list: Vec<String> = summary.curate_first.iter().map(|(i, n)| format!("{i} {n}")).collect();
        let _ = writeln!(out, "\nunverified rows by instrument, most first (curate these first): {}", list.join(", "));
    }
    if summary_only {
        return out;
    }
    let mut by_war: BTreeMap<u32, Vec<&Row>> = BTreeMap::new();
    for r in rows {
        by_war.entry(r.war).or_default().push(r);
    }
    for (war, list) in by_war {
        let Some(first) = list.first() else { continue };
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &list {
            *counts.entry(r.verdict.name()).or_default() += 1;
        }
        let counted: Vec<String> = counts.iter().map(|(v, n)| format!("{} {n}", v.replace('_', " "))).collect();
        let _ = writeln!(
            out,
            "\nWar {war}, {} ({} to {}): {} rows: {}",
            first.war_name,
            first.war_start,
            first.war_end,
            list.len(),
            counted.join(", ")
        );
        for r in list.iter().filter(|r| matches!(r.verdict, replay::Verdict::NotHonoured | replay::Verdict::Unverified))
        {
            let _ = writeln!(out, "  {}", replay::reason(r));
        }
    }
    out
}
