//! casus: a rule engine for treaty obligations.
//!
//! Treaties, Security Council resolutions and sanctions regimes are written in a small rule
//! language; the pipeline turns their text into a checked rule set:
//!
//! ```
//! use casus_syntax::source::Sources;
//!
//! let mut sources = Sources::new();
//! sources.add("pact.casus", r#"
//! fact armed_attack(by, on)
//! action assist(ally, against)
//!
//! treaty pact_2024 "A defence pact" {
//!   parties {
//!     AAA signed 2024-01-10 ratified 2024-02-01
//!     BBB signed 2024-01-10 ratified 2024-03-01
//!   }
//!   in force on exchange of ratifications
//!   exchanged 2024-03-15
//!
//!   article 1 "Mutual defence" {
//!     text "If either Party is attacked, the other shall assist it."
//!     if armed_attack(by: A, on: V) and V is party
//!     then every party P other than V must assist(ally: V, against: A) without delay
//!   }
//! }
//! "#);
//! let rules = casus::load_rules(&sources);
//! assert!(rules.diagnostics.is_empty());
//! let program = rules.into_program().unwrap();
//! assert_eq!(program.instruments.len(), 1);
//! ```

pub mod calendar;
pub mod check;
pub mod eval;
pub mod expect;
pub mod explain;
mod halves;
pub mod intern;
pub mod outcome;
pub mod program;
pub mod report;
pub mod scenario;

use casus_syntax::diagnostic::Diagnostic;
use casus_syntax::source::{self, FileId, Sources};
use casus_syntax::{ast, parse as syntax};

/// A rule set: every file parsed, what the parser and the checker found wrong, and the compiled
/// program when nothing is.
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    /// Each file with its parse.
    pub files: Vec<(FileId, syntax::Parsed)>,
    /// Every diagnostic of every stage, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The program, when no diagnostic is an error.
    pub program: Option<program::Program>,
}

impl RuleSet {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The program, or the errors that keep it from being compiled.
    pub fn into_program(self) -> Result<program::Program, Vec<Diagnostic>> {
        match self.program {
            Some(p) => Ok(p),
            None => Err(self.diagnostics.into_iter().filter(Diagnostic::is_error).collect()),
        }
    }
}

/// The program of one rule file's text, which must check without errors: for unit tests.
#[cfg(test)]
pub(crate) fn test_program(text: &str) -> program::Program {
    let mut sources = Sources::new();
    sources.add("rules.casus", text);
    let set = load_rules(&sources);
    assert!(!set.has_errors(), "{:?}", set.diagnostics);
    set.into_program().unwrap()
}

/// Parses, checks and compiles every file in `sources` as one rule set.
pub fn load_rules(sources: &Sources) -> RuleSet {
    let ids: Vec<FileId> = sources.iter().map(|(id, _)| id).collect();
    load_rule_files(sources, &ids)
}

/// Parses, checks and compiles the files `ids` of `sources` as one rule set: the one way from
/// rule files to a program.
pub fn load_rule_files(sources: &Sources, ids: &[FileId]) -> RuleSet {
    read_rule_files(sources, ids, true)
}

/// Parses and checks the files `ids` of `sources` as one rule set, for its diagnostics alone:
/// nothing is compiled.
pub fn check_rule_files(sources: &Sources, ids: &[FileId]) -> RuleSet {
    read_rule_files(sources, ids, false)
}

fn read_rule_files(sources: &Sources, ids: &[FileId], compile: bool) -> RuleSet {
    let mut set = RuleSet::default();
    for &id in ids {
        let Some(file) = sources.get(id) else {
            continue;
        };
        let mut parsed = syntax::parse(id, &file.text);
        if parsed.file.items.is_empty() && parsed.diagnostics.is_empty() {
            set.diagnostics.push(Diagnostic::new(id, check::Empty { at: source::Span::new(0, 0) }));
        }
        set.diagnostics.append(&mut parsed.diagnostics);
        set.files.push((id, parsed));
    }
    let parsed_cleanly = !set.has_errors();
    let asts: Vec<(FileId, &ast::File)> = set.files.iter().map(|(id, p)| (*id, &p.file)).collect();
    match check::check(&asts) {
        Ok(resolved) => {
            set.diagnostics.extend(resolved.warnings().iter().cloned());
            if parsed_cleanly && compile {
                set.program = Some(program::compile(resolved));
            }
        }
        Err(found) => set.diagnostics.extend(found),
    }
    casus_syntax::diagnostic::sort(&mut set.diagnostics);
    set
}
