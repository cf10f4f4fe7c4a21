//! The `casus` command line: argument parsing and dispatch. Only this part of casus touches files,
//! the terminal and exit codes.
//!
//! Exit codes, the same for every command: 0 success; 1 bad input (a file that cannot be read,
//! a rule or scenario with errors, a value no rule knows) or failed expectations; 2 a command
//! line that cannot be parsed (an unknown flag, a missing argument), or, for `casus import`,
//! output that would not check clean with the library (nothing is then written).

mod background;
mod check;
mod coverage;
mod draw;
mod eval;
mod files;
mod fmt;
mod github;
mod import;
mod load;
mod problem;
mod replay;
mod sweep;
mod synth;
mod term;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

use casus::calendar::Day;
use clap::{CommandFactory, Parser, Subcommand};

/// casus: a rule engine for treaty obligations.
#[derive(Parser, Debug)]
#[command(name = "casus", version = env!("CASUS_VERSION"), about, long_about = None)]
struct Cli {
    /// When to colour the output: `auto` colours a terminal unless `NO_COLOR` is set or
    /// `CLICOLOR=0`; `CLICOLOR_FORCE=1` colours a pipe too.
    #[arg(long, value_enum, default_value_t = term::Color::Auto, global = true)]
    color: term::Color,
    /// How many steps an evaluation may take before it stops with an error — a step is a day
    /// on which something changes, or a fact a delayed rule carries to a later day: a guard
    /// against rules that go on for ever.
    #[arg(long, value_name = "N", default_value_t = casus::scenario::DEFAULT_BUDGET, global = true)]
    budget: usize,
    /// The largest rule or scenario file read, in MiB: a file past it is refused unread. A
    /// scenario of a million events is about 130 MiB.
    #[arg(long, value_name = "MIB", default_value_t = casus_syntax::input::MAX_FILE_BYTES / (1024 * 1024), value_parser = clap::value_parser!(u64).range(1..=1 << 20), global = true)]
    max_file_size: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Parse and check rule files (and folders of them) as one rule set, and scenarios against
    /// the rules they name.
    Check {
        /// Rule files, scenarios (`*.ron`), or folders searched for both; `-` reads a rule file
        /// from standard input.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// How to print problems.
        #[arg(long, value_enum, default_value_t = problem::Format::Human)]
        format: problem::Format,
    },
    /// Rewrite rule files in the canonical layout.
    Fmt {
        /// Rule files, or folders searched for `*.casus` files; `-` formats standard input to
        /// standard output.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// List the files that are not in the canonical layout, and change nothing.
        #[arg(long)]
        check: bool,
        /// Show how each file differs from its canonical layout, as a unified diff; implies
        /// `--check`.
        #[arg(long)]
        diff: bool,
    },
    /// Evaluate a scenario: who is obliged, forbidden or permitted to do what, since when.
    Eval {
        #[command(flatten)]
        on: ScenarioArgs,
        #[command(flatten)]
        filters: eval::Filters,
        /// Text for people, the JSON report, or the HTML report: one self-contained page with the
        /// events, the cascade, each party's norms over time and every explanation.
        #[arg(long, value_enum, default_value_t = eval::ReportFormat::Text)]
        format: eval::ReportFormat,
        /// In text, also list prohibitions that merely stand, and permissions.
        #[arg(long)]
        all: bool,
        /// What if this event (one RON event, as in a scenario) had happened too? Prints what
        /// changes. May be given several times.
        #[arg(long, value_name = "EVENT")]
        with: Vec<String>,
        /// What if this instrument had never been concluded? Prints what changes.
        #[arg(long, value_name = "ID")]
        without_instrument: Vec<String>,
    },
    /// What changes between two scenarios: norms, conflicts, violations, and instruments' force
    /// and bindings that appear, disappear or change.
    Diff {
        /// The first scenario (`-` for standard input).
        a: PathBuf,
        /// The second scenario (`-` for standard input).
        b: PathBuf,
        /// Rule files or folders, instead of those the scenarios name.
        #[arg(long = "rules", value_name = "PATH")]
        rules: Vec<PathBuf>,
        /// The date of both reports, instead of each scenario's `as_of`.
        #[arg(long, value_name = "DATE", value_parser = Day::parse)]
        as_of: Option<Day>,
        #[command(flatten)]
        filters: eval::Filters,
        /// Text for people, or JSON.
        #[arg(long, value_enum, default_value_t = eval::Format::Text)]
        format: eval::Format,
    },
    /// Check every scenario's `expect` list; the last line is `N passed, N failed`.
    Test {
        /// Scenario files, or folders searched for `*.ron` files (default: `scenarios/`); `-`
        /// reads a scenario from standard input.
        paths: Vec<PathBuf>,
        /// Rule files or folders for every scenario, instead of those each names.
        #[arg(long = "rules", value_name = "PATH")]
        rules: Vec<PathBuf>,
        /// Only the scenarios whose path or title this regular expression matches.
        #[arg(long, value_name = "PATTERN")]
        filter: Option<regex::Regex>,
        /// Also list each expectation that holds.
        #[arg(short, long)]
        verbose: bool,
        /// Also say which articles and rules no scenario triggered.
        #[arg(long)]
        coverage: bool,
        /// Also write a JUnit XML report to this file.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// How to print results: for people, one line each, GitHub Actions annotations, SARIF,
        /// or JSON.
        #[arg(long, value_enum, default_value_t = problem::Format::Human)]
        format: problem::Format,
    },
    /// Generate a synthetic world — rule files and a scenario — for benchmarks and load tests.
    Synth {
        /// How many states.
        #[arg(long, default_value_t = 200)]
        states: usize,
        /// How many treaties.
        #[arg(long, default_value_t = 1000)]
        treaties: usize,
        /// How many scenario events.
        #[arg(long, default_value_t = 100_000)]
        events: usize,
        /// The seed: the same seed gives the same world.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Make the scenario assume compliance, so that alliance cascades unfold.
        #[arg(long)]
        assume_compliance: bool,
        /// Make a dense cascade instead: `--treaties` bilateral defence pacts drawn by
        /// preferential attachment, one attack, compliance assumed; the same closure is written
        /// for SWI-Prolog and clingo under `peers/` (`world.pl`, `world.lp`).
        #[arg(long, conflicts_with_all = ["events", "assume_compliance"])]
        dense: bool,
        /// The folder to write `rules/` and `scenario.ron` into.
        #[arg(long)]
        out: PathBuf,
    },
    /// Read a dataset of history as rules or scenarios (docs/history.md).
    Import {
        #[command(subcommand)]
        what: Import,
    },
    /// Evaluate every war's scenario against the alliances and set each obligation that fell
    /// due against what its bearer did: the invocation table and a summary of honoured and
    /// not-honoured commitments (docs/history.md).
    Replay {
        /// The rule files or folders: the library and the ATOP import. May be given several
        /// times.
        #[arg(long = "rules", value_name = "PATH", required = true)]
        rules: Vec<PathBuf>,
        /// The folder of war scenarios (`casus import cow-wars`).
        #[arg(long, value_name = "DIR")]
        scenarios: PathBuf,
        /// The crosswalk `atopid,instrument` of the library's instruments that stand for ATOP
        /// alliances (`history/curated.csv`), whose norms then count for those alliances.
        #[arg(long, value_name = "FILE")]
        curated: Option<PathBuf>,
        /// The folder holding `cow_states/` and `country_codes/`, for the ccode columns.
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Only the wars that start on or after this day.
        #[arg(long, value_name = "DATE", value_parser = Day::parse)]
        from: Option<Day>,
        /// Only the wars that start on or before this day.
        #[arg(long, value_name = "DATE", value_parser = Day::parse)]
        to: Option<Day>,
        /// Divide the summary into the wars that start before this day and the others.
        #[arg(long, value_name = "DATE", value_parser = Day::parse)]
        split: Option<Day>,
        /// Conditions the data cannot check: not met (their norms are `unverified`), or met for
        /// every attack.
        #[arg(long, value_enum, default_value_t = ConditionsArg::Unverified)]
        conditions: ConditionsArg,
        /// What a verdict counts for: each bearer towards each ally, each ally, or each alliance.
        #[arg(long, value_enum, default_value_t = UnitArg::Pair)]
        unit: UnitArg,
        /// For `--unit alliance`: honoured only if every judged member honoured it (`strict`), or
        /// if one did and none fought an ally (`lenient`).
        #[arg(long, value_enum, default_value_t = MultilateralArg::Strict)]
        multilateral: MultilateralArg,
        /// Text for people, the table as CSV (with the summary in `<out>.summary.csv`), or JSON.
        #[arg(long, value_enum, default_value_t = replay::Format::Text)]
        format: replay::Format,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Only the summary.
        #[arg(long)]
        summary_only: bool,
    },
    /// Explain why a party's norms hold, and why its other candidate norms do not.
    Explain {
        #[command(flatten)]
        on: ScenarioArgs,
        /// The party, such as `PRK`.
        #[arg(long, value_name = "CODE")]
        party: String,
        /// Only norms under this instrument. May be given several times.
        #[arg(long, value_name = "ID")]
        instrument: Vec<String>,
        /// Only norms of this action. May be given several times.
        #[arg(long, value_name = "ACTION")]
        action: Vec<String>,
        /// Text for people, or the same reasons as JSON.
        #[arg(long, value_enum, default_value_t = eval::Format::Text)]
        format: eval::Format,
    },
    /// Draw the cascade: parties as nodes, each obligation as an arrow from the party it is owed
    /// to to the party it binds, labelled by instrument, article and status, from the attacks on.
    Graph {
        #[command(flatten)]
        on: ScenarioArgs,
        #[command(flatten)]
        filters: eval::Filters,
        /// DOT for Graphviz, or SVG laid out by casus.
        #[arg(long, value_enum, default_value_t = draw::GraphFormat::Svg)]
        format: draw::GraphFormat,
        /// Also draw prohibitions that merely stand, and permissions.
        #[arg(long)]
        all: bool,
    },
    /// Draw each party's norms over time: a bar per phase, coloured and lettered by status, with
    /// due dates marked.
    Timeline {
        #[command(flatten)]
        on: ScenarioArgs,
        #[command(flatten)]
        filters: eval::Filters,
        /// A text chart as wide as the terminal, or SVG.
        #[arg(long, value_enum, default_value_t = draw::TimelineFormat::Text)]
        format: draw::TimelineFormat,
        /// Also show prohibitions that merely stand, and permissions.
        #[arg(long)]
        all: bool,
        /// The width of the text chart, instead of the terminal's.
        #[arg(long, value_name = "COLUMNS", value_parser = clap::value_parser!(u16).range(40..))]
        width: Option<u16>,
        /// The first day shown, instead of the scenario's first event.
        #[arg(long, value_name = "DATE", value_parser = Day::parse)]
        from: Option<Day>,
    },
    /// What if each attacker struck each victim on a day? For every pair, the parties the attack
    /// puts under a duty, and through which instruments.
    Sweep {
        /// Rule files or folders.
        #[arg(long = "rules", value_name = "PATH", required = true)]
        rules: Vec<PathBuf>,
        /// The attackers: a group the rules declare (such as `un_members`), or party codes
        /// separated by commas.
        #[arg(long, value_name = "GROUP")]
        attackers: String,
        /// The victims, likewise.
        #[arg(long, value_name = "GROUP")]
        victims: String,
        /// The day of every attack, and of the matrix.
        #[arg(long, value_name = "DATE", value_parser = Day::parse)]
        on: Day,
        /// Take every due obligation as performed, so that cascades unfold.
        #[arg(long)]
        assume_compliance: bool,
        /// Only duties of this action, such as `assist_militarily`. May be given several times.
        #[arg(long, value_name = "ACTION")]
        action: Vec<String>,
        /// CSV, JSON, or an HTML heatmap.
        #[arg(long, value_enum, default_value_t = sweep::Format::Csv)]
        format: sweep::Format,
    },
    /// Print a shell's completion script for casus, to source or install.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// The datasets `casus import` reads.
#[derive(Subcommand, Debug)]
enum Import {
    /// The ATOP alliances (v4.01) as rule files: one instrument per alliance phase, one article
    /// per provision. The output is checked with the library and written all at once, or not at
    /// all (exit 2 if it would not check clean).
    Atop {
        /// The folder of `atop-member-level.csv` and `atop-alliance-level.csv`.
        dir: PathBuf,
        /// The folder to write the rule files into: new, or one an earlier import wrote.
        #[arg(long)]
        out: PathBuf,
        /// The Correlates of War inter-state war file, to tie conditions to the war they name
        /// (without it, every such condition is unverifiable).
        #[arg(long, value_name = "FILE")]
        wars: Option<PathBuf>,
        /// A CSV `atopid,instrument` of the alliances the library has by hand, which are then
        /// not imported (`history/curated.csv` is the library's).
        #[arg(long, value_name = "FILE")]
        curated: Option<PathBuf>,
        /// Write the import report (JSON) here: counts, filled-in dates, overrides used,
        /// unverifiable conditions, curated alliances.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        #[command(flatten)]
        code_sources: import::CodeSources,
        /// The rule library the output is checked with, whose parties it does not declare again.
        #[arg(long = "rules", value_name = "PATH", default_value = "rules")]
        rules: Vec<PathBuf>,
    },
    /// The Correlates of War inter-state wars (v4.0) as scenarios, one per war: attacks from the
    /// sides and the initiators, conduct (force against enemies, assistance to co-belligerents)
    /// from the dates. Checked with the rules and written all at once, or not at all (exit 2 if
    /// a scenario would not check).
    CowWars {
        /// `Inter-StateWarData_v4.0.csv`.
        file: PathBuf,
        /// The folder to write the scenarios into: new, or one an earlier import wrote.
        #[arg(long)]
        out: PathBuf,
        /// The rules each scenario names and is checked with: the library, and the folder of an
        /// ATOP import, whose declarations name the historical states. May be given several
        /// times.
        #[arg(long = "rules", value_name = "PATH", default_value = "rules")]
        rules: Vec<PathBuf>,
        /// A CSV `war,attacker,target,from,until,provoked` (ccodes; `until` and `provoked`
        /// optional): the attacks of a war it names, instead of the side heuristic's.
        #[arg(long, value_name = "FILE")]
        attacks: Option<PathBuf>,
        /// Who attacks: everyone on the initiators' side (`side`), or the initiators alone.
        #[arg(long, value_enum, default_value_t = JoinersArg::Side)]
        joiners: JoinersArg,
        /// `WAR=FILE`: a scenario that gives the war's first days by hand (its facts and acts, to
        /// its `as_of`); the data's events take over from the day after. May be given several
        /// times.
        #[arg(long, value_name = "WAR=FILE")]
        by_hand: Vec<String>,
        /// Write the import report (JSON) here.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        #[command(flatten)]
        code_sources: import::CodeSources,
    },
}

/// How `casus replay` treats conditions the data cannot check.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum ConditionsArg {
    /// Not met: the norms they keep from falling due are listed as `unverified`.
    Unverified,
    /// Met, for every attack that would otherwise trigger the provision.
    AssumeMet,
}

/// What a verdict of `casus replay` counts for.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum UnitArg {
    /// War, alliance, ally, bearer.
    Pair,
    /// War, alliance, ally.
    Ally,
    /// War, alliance.
    Alliance,
}

/// How `casus replay --unit alliance` judges an alliance's members together.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum MultilateralArg {
    /// Honoured only if every judged member honoured it.
    Strict,
    /// Honoured if one member did and none fought an ally.
    Lenient,
}

/// Who attacks under the side heuristic of `casus import cow-wars`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum JoinersArg {
    /// Every participation on the initiators' side attacks every one on the other side.
    Side,
    /// Only the initiators attack.
    Initiators,
}

/// What `eval` and `explain` are asked about: a scenario, and what to change in it.
#[derive(clap::Args, Debug)]
struct ScenarioArgs {
    /// The scenario (RON); `-` reads it from standard input.
    scenario: PathBuf,
    /// Rule files or folders, instead of those the scenario names.
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// The date, instead of the scenario's `as_of`.
    #[arg(long, value_name = "DATE", value_parser = Day::parse)]
    as_of: Option<Day>,
    /// Take every due obligation as performed, so that alliance cascades unfold.
    #[arg(long)]
    assume_compliance: bool,
}

impl ScenarioArgs {
    /// The scenario to draw.
    fn scenario(&self) -> draw::Scenario<'_> {
        draw::Scenario { path: &self.scenario, rules: &self.rules, as_of: self.as_of, assume: self.assume_compliance }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut term = term::Term::new(cli.color);
    load::set_budget(cli.budget);
    files::set_max_file_size(cli.max_file_size * 1024 * 1024);
    let code = match cli.command {
        Command::Check { paths, format } => check::run(&mut term, &paths, format),
        Command::Fmt { paths, check, diff } => fmt::run(&mut term, &paths, fmt::Mode { check: check || diff, diff }),
        Command::Eval { on, filters, format: eval::ReportFormat::Html, with, without_instrument, .. }
            if with.is_empty() && without_instrument.is_empty() =>
        {
            draw::html(&mut term, &on.scenario(), &filters)
        }
        Command::Eval { on, filters, format, all, with, without_instrument } => eval::run(
            &mut term,
            &eval::Request {
                path: &on.scenario,
                rules: &on.rules,
                as_of: on.as_of,
                assume: on.assume_compliance,
                format,
                all,
                with: &with,
                without: &without_instrument,
                filters: &filters,
            },
        ),
        Command::Diff { a, b, rules, as_of, filters, format } => {
            eval::diff(&mut term, &eval::DiffRequest { a: &a, b: &b, rules: &rules, as_of, format, filters: &filters })
        }
        Command::Synth { states, treaties, events, seed, assume_compliance, dense, out } => {
            if dense {
                synth::dense(&mut term, &casus_synth::Dense { states, pacts: treaties, seed }, &out)
            } else {
                synth::run(&mut term, &casus_synth::Config { states, treaties, events, seed, assume_compliance }, &out)
            }
        }
        Command::Replay {
            rules,
            scenarios,
            curated,
            data,
            from,
            to,
            split,
            conditions,
            unit,
            multilateral,
            format,
            out,
            summary_only,
        } => {
            use casus_history::replay::{Conditions, Multilateral, UnitKind};
            let settings = casus_history::replay::Settings {
                conditions: match conditions {
                    ConditionsArg::Unverified => Conditions::Unverified,
                    ConditionsArg::AssumeMet => Conditions::AssumeMet,
                },
                unit: match unit {
                    UnitArg::Pair => UnitKind::Pair,
                    UnitArg::Ally => UnitKind::Ally,
                    UnitArg::Alliance => UnitKind::Alliance,
                },
                multilateral: match multilateral {
                    MultilateralArg::Strict => Multilateral::Strict,
                    MultilateralArg::Lenient => Multilateral::Lenient,
                },
                from,
                to,
                split,
            };
            replay::run(
                &mut term,
                &replay::Request { rules, scenarios, curated, data, settings, format, out, summary_only },
            )
        }
        Command::Import {
            what: Import::CowWars { file, out, rules, attacks, joiners, by_hand, report, code_sources },
        } => {
            let joiners = match joiners {
                JoinersArg::Side => casus_history::wars::Joiners::Side,
                JoinersArg::Initiators => casus_history::wars::Joiners::Initiators,
            };
            import::cow_wars(
                &mut term,
                &import::WarArgs { file, out, rules, attacks, joiners, report, code_sources, by_hand },
            )
        }
        Command::Import { what: Import::Atop { dir, out, wars, curated, report, code_sources, rules } } => {
            import::atop(&mut term, &import::AtopArgs { dir, out, wars, curated, report, code_sources, rules })
        }
        Command::Test { paths, rules, filter, verbose, coverage, junit, format } => test::run(
            &mut term,
            &test::Request {
                paths: &paths,
                rules: &rules,
                filter: filter.as_ref(),
                verbose,
                coverage,
                junit: junit.as_deref(),
                format,
            },
        ),
        Command::Explain { on, party, instrument, action, format } => eval::explain(
            &mut term,
            &eval::Explain {
                path: &on.scenario,
                rules: &on.rules,
                party: &party,
                filters: &eval::Filters { party: Vec::new(), instrument, action },
                as_of: on.as_of,
                assume: on.assume_compliance,
                format,
            },
        ),
        Command::Graph { on, filters, format, all } => draw::graph(&mut term, &on.scenario(), &filters, format, all),
        Command::Timeline { on, filters, format, all, width, from } => {
            draw::timeline(&mut term, &on.scenario(), &filters, format, all, width.map(usize::from), from)
        }
        Command::Sweep { rules, attackers, victims, on, assume_compliance, action, format } => sweep::run(
            &mut term,
            &sweep::Request {
                rules: &rules,
                attackers: &attackers,
                victims: &victims,
                on,
                assume: assume_compliance,
                actions: &action,
                format,
            },
        ),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "casus", &mut term.out);
            0
        }
    };
    match term.finish() {
        Some(e) => {
            eprintln!("error: cannot write the output: {}", files::io_message(&e));
            ExitCode::from(1)
        }
        None => ExitCode::from(code),
    }
}
