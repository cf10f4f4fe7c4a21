//! Command-line parsing and dispatch. Only this part of casus touches files, the terminal and
//! exit codes.

mod check;
mod files;
mod fmt;

use std::path::PathBuf;
use std::process::ExitCode;

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
}

/// Runs the command line and returns the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check { paths, format } => check::run(&paths, format),
        Command::Fmt { paths, check } => fmt::run(&paths, check),
    };
    ExitCode::from(code)
}
