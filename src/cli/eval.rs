//! `casus eval` and `casus explain`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use casus::day::Day;
use casus::report::{self, Report};

use super::load::{self, Failed};

/// How the report is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// DESIGN §5.
    Json,
}

/// Prints the report of a scenario.
pub fn run(path: &Path, rules: &[PathBuf], as_of: Option<Day>, assume: bool, format: Format, all: bool) -> u8 {
    match report_of(path, rules, as_of, assume, format, all) {
        Ok(text) => {
            print!("{text}");
            0
        }
        Err(Failed(message)) => {
            eprintln!("{message}");
            1
        }
    }
}

fn report_of(
    path: &Path,
    rules: &[PathBuf],
    as_of: Option<Day>,
    assume: bool,
    format: Format,
    all: bool,
) -> Result<String, Failed> {
    let loaded = load::load(path, rules)?;
    let eval = loaded.evaluate(as_of, assume)?;
    let report = Report::new(&eval, &loaded.scenario.title);
    Ok(match format {
        Format::Json => report.to_json(),
        Format::Text => {
            let reasons: BTreeMap<_, _> = report
                .keys
                .iter()
                .filter(|k| k.modality == casus::ast::Modality::Must)
                .filter_map(|k| casus::explain::reason(&eval, &loaded.scenario, &loaded.sources, k).map(|r| (k, r)))
                .collect();
            report::text(&report, &reasons, all)
        }
    })
}

/// Prints why a party's norms hold and why its other candidate norms do not.
pub fn explain(
    path: &Path,
    rules: &[PathBuf],
    party: &str,
    action: Option<&str>,
    as_of: Option<Day>,
    assume: bool,
) -> u8 {
    let run = || -> Result<String, Failed> {
        let loaded = load::load(path, rules)?;
        let eval = loaded.evaluate(as_of, assume)?;
        Ok(casus::explain::explain(&eval, &loaded.scenario, &loaded.sources, party, action))
    };
    match run() {
        Ok(text) => {
            print!("{text}");
            0
        }
        Err(Failed(message)) => {
            eprintln!("{message}");
            1
        }
    }
}
