//! The `casus` command line: argument parsing and dispatch. Only this part of casus touches files,
//! the terminal and exit codes.

mod check;
mod eval;
mod files;
mod fmt;
mod github;
mod load;
mod synth;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

use casus::calendar::Day;
use clap::{Parser, Subcommand};

/// casus: a rule engine for treaty obligations.
#[derive(Parser, Debug)]
#[command(name = "casus", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Parse and check rule files (and folders of them) as one rule set.
    Check {
        /// Rule files, or folders searched for `*.casus` files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = check::Format::Human)]
        format: check::Format,
    },
    /// Rewrite rule files in the canonical layout.
    Fmt {
        /// Rule files, or folders searched for `*.casus` files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// List the files that are not in the canonical layout, and change nothing.
        #[arg(long)]
        check: bool,
    },
    /// Evaluate a scenario: who is obliged, forbidden or permitted to do what, since when.
    Eval {
        #[command(flatten)]
        on: ScenarioArgs,
        /// Text for people, or the JSON report.
        #[arg(long, value_enum, default_value_t = eval::Format::Text)]
        format: eval::Format,
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
    /// What changes between two scenarios: norms that appear, disappear or change.
    Diff {
        /// The first scenario.
        a: PathBuf,
        /// The second scenario.
        b: PathBuf,
        /// Rule files or folders, instead of those the scenarios name.
        #[arg(long = "rules", value_name = "PATH")]
        rules: Vec<PathBuf>,
        /// The date of both reports, instead of each scenario's `as_of`.
        #[arg(long, value_name = "DATE", value_parser = Day::parse)]
        as_of: Option<Day>,
        /// Text for people, or JSON.
        #[arg(long, value_enum, default_value_t = eval::Format::Text)]
        format: eval::Format,
    },
    /// Check every scenario's `expect` list; the last line is `N passed, N failed`.
    Test {
        /// Scenario files, or folders searched for `*.ron` files (default: `scenarios/`).
        paths: Vec<PathBuf>,
        /// Also write a JUnit XML report to this file.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// How to print failures: `human`, or `github` for GitHub Actions annotations.
        #[arg(long, value_enum, default_value_t = check::Format::Human)]
        format: check::Format,
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
        /// The folder to write `rules/` and `scenario.ron` into.
        #[arg(long)]
        out: PathBuf,
    },
    /// Explain why a party's norms hold, and why its other candidate norms do not.
    Explain {
        #[command(flatten)]
        on: ScenarioArgs,
        /// The party, such as `PRK`.
        #[arg(long)]
        party: String,
        /// Only norms of this action.
        #[arg(long)]
        action: Option<String>,
    },
}

/// What `eval` and `explain` are asked about: a scenario, and what to change in it.
#[derive(clap::Args, Debug)]
struct ScenarioArgs {
    /// The scenario (RON).
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check { paths, format } => check::run(&paths, format),
        Command::Fmt { paths, check } => fmt::run(&paths, check),
        Command::Eval { on, format, all, with, without_instrument } => eval::run(&eval::Request {
            path: &on.scenario,
            rules: &on.rules,
            as_of: on.as_of,
            assume: on.assume_compliance,
            format,
            all,
            with: &with,
            without: &without_instrument,
        }),
        Command::Diff { a, b, rules, as_of, format } => eval::diff(&a, &b, &rules, as_of, format),
        Command::Synth { states, treaties, events, seed, assume_compliance, out } => {
            synth::run(&casus_synth::Config { states, treaties, events, seed, assume_compliance }, &out)
        }
        Command::Test { paths, junit, format } => test::run(&paths, junit.as_deref(), format),
        Command::Explain { on, party, action } => {
            eval::explain(&on.scenario, &on.rules, &party, action.as_deref(), on.as_of, on.assume_compliance)
        }
    };
    ExitCode::from(code)
}
