//! `casus import atop` and `casus import cow-wars`: the ATOP alliances as rule files and the
//! Correlates of War wars as scenarios, checked with the library and written all at once or not
//! at all.
//!
//! Exit codes: 0 written; 1 bad input (a data file, the overrides, the crosswalk, the attacks),
//! with a located diagnostic; 2 what it would write does not check clean with the library (a
//! fault of the importer or of the library), and nothing is written.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use casus_history::atop::{self, Import, Inputs};
use casus_history::codes::{self, Codes};
use casus_history::cow::Wars;
use casus_history::table;
use casus_history::wars::{self, Joiners, Settings};
use casus_syntax::diagnostic::{self, Diagnostic};
use casus_syntax::source::{FileId, Sources};

use crate::files::{self, Input};
use crate::term::{Term, errln};

/// Where the importers find party codes: the overrides, the COW state list and the country codes.
#[derive(clap::Args, Clone, Debug, Default)]
pub(crate) struct CodeSources {
    /// Party-code overrides (`ccode,from,until,code,why`) instead of those casus ships.
    #[arg(long, value_name = "FILE")]
    pub codes: Option<PathBuf>,
    /// The COW state list (default: `cow_states/states2016.csv` in the datasets' folder, the
    /// parent of the ATOP folder or of the war file's folder).
    #[arg(long, value_name = "FILE")]
    pub states: Option<PathBuf>,
    /// The `countrycode` list (default: `country_codes/codelist_without_cldr.csv` there).
    #[arg(long, value_name = "FILE")]
    pub country_codes: Option<PathBuf>,
}

/// What the command line asks of `casus import atop`.
#[derive(Clone, Debug)]
pub(crate) struct AtopArgs {
    /// The folder of `atop-member-level.csv` and `atop-alliance-level.csv`.
    pub dir: PathBuf,
    /// Where the rule files go.
    pub out: PathBuf,
    /// The COW war file, for conditions tied to a war.
    pub wars: Option<PathBuf>,
    /// `atopid,instrument`: alliances the library has by hand.
    pub curated: Option<PathBuf>,
    /// Where the JSON import report goes.
    pub report: Option<PathBuf>,
    /// Where party codes come from.
    pub code_sources: CodeSources,
    /// The library the output is checked with.
    pub rules: Vec<PathBuf>,
}

/// What the command line asks of `casus import cow-wars`.
#[derive(Clone, Debug)]
pub(crate) struct WarArgs {
    /// The war file.
    pub file: PathBuf,
    /// Where the scenarios go.
    pub out: PathBuf,
    /// The rules the scenarios name and are checked with.
    pub rules: Vec<PathBuf>,
    /// Attacks that replace the side heuristic's, by war.
    pub attacks: Option<PathBuf>,
    /// Who attacks under the side heuristic.
    pub joiners: Joiners,
    /// Where the JSON import report goes.
    pub report: Option<PathBuf>,
    /// Where party codes come from.
    pub code_sources: CodeSources,
    /// `WAR=FILE`: scenarios that give a war's first days by hand.
    pub by_hand: Vec<String>,
}

/// Why the import stopped: the exit code and what to print.
struct Stop {
    code: u8,
    message: String,
}

impl Stop {
    fn input(message: impl Into<String>) -> Stop {
        Stop { code: 1, message: message.into() }
    }
}

/// Runs `casus import atop`; the exit code.
pub(crate) fn atop(term: &mut Term, args: &AtopArgs) -> u8 {
    let done = run_atop(term, args);
    exit(term, done)
}

/// Says why an import stopped, if it did; the exit code.
fn exit(term: &mut Term, done: Result<(), Stop>) -> u8 {
    match done {
        Ok(()) => 0,
        Err(stop) => {
            if !stop.message.is_empty() {
                errln!(term, "{}", stop.message.trim_end());
            }
            stop.code
        }
    }
}

fn run_atop(term: &mut Term, args: &AtopArgs) -> Result<(), Stop> {
    let style = term.err_style;
    let mut sources = Sources::new();
    let render = |d: &Diagnostic, sources: &Sources| Stop::input(diagnostic::render_styled(d, sources, style));
    let raw = args.dir.parent().map_or_else(|| PathBuf::from(".."), Path::to_path_buf);
    let read = |sources: &mut Sources, path: &Path| read_data(sources, path).map_err(|u| u.stop(sources, style));
    let members = read(&mut sources, &args.dir.join("atop-member-level.csv"))?;
    let alliances = read(&mut sources, &args.dir.join("atop-alliance-level.csv"))?;
    let codes = read_codes(&mut sources, &raw, &args.code_sources).map_err(|u| u.stop(&sources, style))?;
    let wars = match &args.wars {
        Some(path) => {
            let file = read(&mut sources, path)?;
            Some(Wars::read(&sources, file).map_err(|d| render(&d, &sources))?)
        }
        None => None,
    };
    // The library: its parties are not declared again, and the output must check with it.
    let library = read_library(&mut sources, &args.rules)?;
    let set = casus::check_rule_files(&sources, &library);
    if set.has_errors() {
        let shown: Vec<String> = set
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| diagnostic::render_styled(d, &sources, style))
            .collect();
        return Err(Stop::input(format!("{}error: the library does not check clean", shown.join(""))));
    }
    let known = declared_parties(&set);
    let instruments = declared_instruments(&set);
    let curated = match &args.curated {
        Some(path) => {
            let file = read(&mut sources, path)?;
            atop::crosswalk(&sources, file, &instruments).map_err(|d| render(&d, &sources))?
        }
        None => BTreeMap::new(),
    };
    let inputs =
        Inputs { members, alliances, codes: &codes, wars: wars.as_ref(), curated: &curated, known_parties: &known };
    let Import { files: generated, report } = atop::import(&sources, &inputs).map_err(|d| render(&d, &sources))?;
    let mut written = BTreeMap::new();
    let mut out_ids = Vec::new();
    for (name, text) in &generated {
        let formatted = layout(name, text).map_err(|message| Stop { code: 2, message })?;
        out_ids.push(sources.add(args.out.join(name).display().to_string(), formatted.clone()));
        written.insert(name.clone(), formatted);
    }
    if !report.curated.is_empty() {
        let mut text = String::from(
            "# ATOP alliances that the library's hand-written instruments stand for (--curated): no\n\
             # instrument is imported for them, and `casus replay` counts the library's norms for them.\n",
        );
        for c in &report.curated {
            text.push_str(&format!("{},{}\n", c.atopid, c.instrument));
        }
        written.insert("curated.txt".into(), text);
    }
    let all: Vec<FileId> = library.iter().chain(&out_ids).copied().collect();
    let checked = casus::check_rule_files(&sources, &all);
    if !checked.diagnostics.is_empty() {
        let shown: Vec<String> =
            checked.diagnostics.iter().take(20).map(|d| diagnostic::render_styled(d, &sources, style)).collect();
        return Err(Stop {
            code: 2,
            message: format!(
                "{}error: the imported rules would not check clean with the library ({} problems); nothing was written",
                shown.join(""),
                checked.diagnostics.len()
            ),
        });
    }
    let report_json = serde_json::to_string_pretty(&report).map_err(|e| Stop::input(e.to_string()))? + "\n";
    replace_folder(&args.out, &written, |name| {
        (name.starts_with("atop_") && name.ends_with(".casus")) || name == "curated.txt"
    })
    .map_err(Stop::input)?;
    if let Some(path) = &args.report {
        files::write_atomically(path, &report_json).map_err(Stop::input)?;
    }
    errln!(
        term,
        "imported {} alliances: {} instruments, {} party records, {} articles; {} member rows ({} imported, {} curated); {} dates filled in, {} unverifiable conditions; wrote {} files to `{}`",
        report.alliances,
        report.instruments,
        report.members,
        report.provisions,
        report.rows.read,
        report.rows.imported,
        report.rows.curated,
        report.filled_dates.len(),
        report.unverifiable.len(),
        written.len(),
        args.out.display()
    );
    Ok(())
}

/// The party codes: the overrides (shipped, or `codes`), the COW state list and the country
/// codes (by default in the data folder `raw`).
pub(crate) fn read_codes(sources: &mut Sources, raw: &Path, given: &CodeSources) -> Result<Codes, Unread> {
    let (codes, states, country_codes) =
        (given.codes.as_deref(), given.states.as_deref(), given.country_codes.as_deref());
    let states = read_data(sources, &states.map_or_else(|| raw.join("cow_states/states2016.csv"), Path::to_path_buf))?;
    let country_codes = read_data(
        sources,
        &country_codes.map_or_else(|| raw.join("country_codes/codelist_without_cldr.csv"), Path::to_path_buf),
    )?;
    let overrides = match codes {
        Some(path) => read_data(sources, path)?,
        None => sources.add("casus: data/codes.csv", codes::OVERRIDES),
    };
    Codes::read(sources, overrides, states, country_codes).map_err(|d| Unread::Data(Box::new(d)))
}

/// Runs `casus import cow-wars`; the exit code.
pub(crate) fn cow_wars(term: &mut Term, args: &WarArgs) -> u8 {
    let done = run_wars(term, args);
    exit(term, done)
}

fn run_wars(term: &mut Term, args: &WarArgs) -> Result<(), Stop> {
    let style = term.err_style;
    let mut sources = Sources::new();
    let render = |d: &Diagnostic, sources: &Sources| Stop::input(diagnostic::render_styled(d, sources, style));
    let raw = args.file.parent().and_then(Path::parent).map_or_else(|| PathBuf::from(".."), Path::to_path_buf);
    let read = |sources: &mut Sources, path: &Path| read_data(sources, path).map_err(|u| u.stop(sources, style));
    let file = read(&mut sources, &args.file)?;
    let codes = read_codes(&mut sources, &raw, &args.code_sources).map_err(|u| u.stop(&sources, style))?;
    let wars = Wars::read(&sources, file).map_err(|d| render(&d, &sources))?;
    let attacks = match &args.attacks {
        Some(path) => {
            let f = read(&mut sources, path)?;
            wars::read_attacks(&sources, f).map_err(|d| render(&d, &sources))?
        }
        None => Vec::new(),
    };
    // The scenarios name their rules relative to their own folder.
    let rules: Vec<String> = args.rules.iter().map(|r| relative(&args.out, r)).collect();
    let name = args.file.file_name().map_or_else(|| files::shown(&args.file), |n| n.to_string_lossy().into_owned());
    let mut by_hand = BTreeMap::new();
    for given in &args.by_hand {
        let bad = || {
            Stop::input(format!("error: --by-hand takes WAR=FILE, such as 106=scenarios/july_1914.ron, not `{given}`"))
        };
        let (war, path) = given.split_once('=').ok_or_else(bad)?;
        let war: u32 = war.parse().map_err(|_| bad())?;
        if !wars.names.contains_key(&war) {
            return Err(Stop::input(format!("error: --by-hand names war {war}, which the war file does not have")));
        }
        let input = Input::of(Path::new(path));
        let (id, problem) = files::read(&mut sources, &input).map_err(|e| Stop::input(format!("error: {e}")))?;
        if let Some(d) = problem {
            return Err(render(&d, &sources));
        }
        let Some(source) = sources.get(id) else { continue };
        let scenario = casus::scenario::parse(id, source).map_err(|rejected| {
            Stop::input(
                rejected.diagnostics.iter().map(|d| diagnostic::render_styled(d, &sources, style)).collect::<String>(),
            )
        })?;
        let events = wars::hand_events(&scenario, path).map_err(|e| Stop::input(format!("error: {e}")))?;
        by_hand.insert(war, wars::ByHand { file: path.to_string(), events, until: scenario.as_of });
    }
    let settings = Settings { file_name: &name, rules: &rules, joiners: args.joiners, by_hand: &by_hand };
    let import = wars::scenarios(&wars, &codes, &attacks, &settings).map_err(|d| render(&d, &sources))?;
    // Every scenario must read, and name only what the rules declare, on the days they exist.
    let program = match crate::load::program(&mut sources, &args.rules) {
        Ok(Ok(program)) => program,
        Ok(Err(problems)) => {
            let shown: Vec<String> =
                problems.iter().take(20).map(|d| diagnostic::render_styled(d, &sources, style)).collect();
            return Err(Stop::input(format!("{}error: the rules do not check clean", shown.join(""))));
        }
        Err(failed) => {
            return Err(Stop::input(failed.problems.iter().map(|p| p.short()).collect::<Vec<_>>().join("\n")));
        }
    };
    let mut problems = Vec::new();
    for (file_name, text) in &import.files {
        let id = sources.add(args.out.join(file_name).display().to_string(), text.clone());
        let Some(source) = sources.get(id) else { continue };
        match casus::scenario::parse(id, source) {
            Ok(scenario) => {
                if let Err(ds) = casus::eval::World::new(&program, &scenario) {
                    problems.extend(ds);
                }
            }
            Err(rejected) => problems.extend(rejected.diagnostics),
        }
    }
    if !problems.is_empty() {
        let shown: Vec<String> =
            problems.iter().take(20).map(|d| diagnostic::render_styled(d, &sources, style)).collect();
        return Err(Stop {
            code: 2,
            message: format!(
                "{}error: the scenarios would not check with the rules ({} problems; the war scenarios name states the ATOP import declares: give its folder with --rules); nothing was written",
                shown.join(""),
                problems.len()
            ),
        });
    }
    let report_json = serde_json::to_string_pretty(&import.report).map_err(|e| Stop::input(e.to_string()))? + "\n";
    replace_folder(&args.out, &import.files, |name| name.starts_with("cow_") && name.ends_with(".ron"))
        .map_err(Stop::input)?;
    if let Some(path) = &args.report {
        files::write_atomically(path, &report_json).map_err(Stop::input)?;
    }
    let r = &import.report;
    errln!(
        term,
        "imported {} wars: {} participation rows, {} attacks and {} acts{}; {} dates filled in; wrote {} scenarios to `{}`",
        r.wars,
        r.rows,
        r.attacks,
        r.acts,
        {
            let mut notes = Vec::new();
            match r.replaced.len() {
                0 => {}
                1 => notes.push("the attacks of 1 war from --attacks".to_string()),
                n => notes.push(format!("the attacks of {n} wars from --attacks")),
            }
            match r.by_hand.len() {
                0 => {}
                1 => notes.push("the first days of 1 war by hand".to_string()),
                n => notes.push(format!("the first days of {n} wars by hand")),
            }
            if notes.is_empty() { String::new() } else { format!(" ({})", notes.join("; ")) }
        },
        r.filled_dates.len(),
        import.files.len(),
        args.out.display()
    );
    Ok(())
}

/// `path` (relative to the folder casus runs in, or absolute) as seen from the folder `from`.
fn relative(from: &Path, path: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let absolute = |p: &Path| -> Vec<String> {
        let mut parts: Vec<String> = Vec::new();
        for c in cwd.join(p).components() {
            match c {
                std::path::Component::ParentDir => {
                    parts.pop();
                }
                std::path::Component::CurDir => {}
                std::path::Component::RootDir | std::path::Component::Prefix(_) => parts.clear(),
                std::path::Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            }
        }
        parts
    };
    let (from, to) = (absolute(from), absolute(path));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out: Vec<String> = vec!["..".to_string(); from.len() - common];
    out.extend(to.into_iter().skip(common));
    if out.is_empty() { ".".into() } else { out.join("/") }
}

/// Reads a data file as text, whatever its encoding and line endings.
pub(crate) fn read_data(sources: &mut Sources, path: &Path) -> Result<FileId, Unread> {
    let input = Input::of(path);
    match files::read_bytes(&input).map_err(Unread::Io)? {
        files::Bytes::Read(bytes) => Ok(sources.add(files::shown(path), table::decode(&bytes))),
        files::Bytes::TooLarge(size) => {
            let (_, d) = sources.add_too_large(files::shown(path), size, files::max_file_size());
            Err(Unread::Data(Box::new(d)))
        }
    }
}

/// Why a data file could not be used: it could not be read, or what it holds is wrong (at a
/// place, among the sources).
pub(crate) enum Unread {
    /// The reason, from the file system.
    Io(String),
    /// The problem, at its place.
    Data(Box<Diagnostic>),
}

impl Unread {
    /// For people: the message, or the diagnostic drawn.
    fn stop(self, sources: &Sources, style: diagnostic::Style) -> Stop {
        match self {
            Unread::Io(e) => Stop::input(format!("error: {e}")),
            Unread::Data(d) => Stop::input(diagnostic::render_styled(&d, sources, style)),
        }
    }
}

/// The library's rule files.
fn read_library(sources: &mut Sources, paths: &[PathBuf]) -> Result<Vec<FileId>, Stop> {
    let list = files::expand(paths, &["casus"]).map_err(|e| Stop::input(format!("error: {e}")))?;
    if let Some(e) = list.unreadable.first() {
        return Err(Stop::input(format!("error: {e}")));
    }
    let mut ids = Vec::new();
    for input in &list.files {
        match files::read(sources, input) {
            Ok((id, None)) => ids.push(id),
            Ok((_, Some(d))) => return Err(Stop::input(diagnostic::render(&d, sources))),
            Err(e) => return Err(Stop::input(format!("error: {e}"))),
        }
    }
    Ok(ids)
}

fn declared_parties(set: &casus::RuleSet) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, parsed) in &set.files {
        for item in &parsed.file.items {
            if let casus_syntax::ast::Item::Party(p) = item {
                out.insert(p.code.name.clone());
            }
        }
    }
    out
}

fn declared_instruments(set: &casus::RuleSet) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, parsed) in &set.files {
        for item in &parsed.file.items {
            if let casus_syntax::ast::Item::Instrument(i) = item {
                out.insert(i.id.name.clone());
            }
        }
    }
    out
}

/// A generated file in the canonical layout.
fn layout(name: &str, text: &str) -> Result<String, String> {
    let mut sources = Sources::new();
    let id = sources.add(name, text);
    let parsed = casus_syntax::parse::parse(id, text);
    if let Some(d) = parsed.diagnostics.first() {
        return Err(format!(
            "{}error: the importer wrote a rule file that does not parse; nothing was written",
            diagnostic::render(d, &sources)
        ));
    }
    Ok(casus_syntax::format::format(&parsed.file, &parsed.comments, text))
}

/// Makes `out` hold exactly `written`: all of it is written into a new folder beside `out`,
/// which then takes `out`'s place. A folder holding anything but an earlier import's files is
/// refused, so that nothing of the user's is removed.
fn replace_folder(out: &Path, written: &BTreeMap<String, String>, ours: impl Fn(&str) -> bool) -> Result<(), String> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)
        .map_err(|e| format!("error: cannot create `{}`: {}", parent.display(), files::io_message(&e)))?;
    if out.exists() {
        let entries = fs::read_dir(out)
            .map_err(|e| format!("error: cannot read `{}`: {}", out.display(), files::io_message(&e)))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !ours(&name) {
                return Err(format!(
                    "error: `{}` holds `{name}`, which an import does not write: give --out a folder of its own",
                    out.display()
                ));
            }
        }
    }
    let fail = |what: &str, e: std::io::Error| format!("error: cannot {what}: {}", files::io_message(&e));
    let fresh = tempfile::Builder::new()
        .prefix(".casus-import-")
        .tempdir_in(&parent)
        .map_err(|e| fail("create a folder", e))?;
    for (name, text) in written {
        fs::write(fresh.path().join(name), text).map_err(|e| fail(&format!("write `{name}`"), e))?;
    }
    let old = parent.join(format!(".casus-import-old-{}", std::process::id()));
    if out.exists() {
        fs::rename(out, &old).map_err(|e| fail(&format!("move `{}` aside", out.display()), e))?;
    }
    let fresh = fresh.keep();
    if let Err(e) = fs::rename(&fresh, out) {
        // Put the old output back.
        let _ = fs::rename(&old, out);
        let _ = fs::remove_dir_all(&fresh);
        return Err(fail(&format!("move the new files into `{}`", out.display()), e));
    }
    let _ = fs::remove_dir_all(&old);
    Ok(())
}
