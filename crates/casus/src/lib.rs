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

/// How many bytes of rule files it takes for them to be parsed on two threads.
const PARSED_ON_TWO_THREADS: usize = 1 << 18;

fn read_rule_files(sources: &Sources, ids: &[FileId], compile: bool) -> RuleSet {
    let mut set = RuleSet::default();
    let files: Vec<(FileId, &str)> =
        ids.iter().filter_map(|&id| sources.get(id).map(|file| (id, file.text.as_str()))).collect();
    let parse = |files: &[(FileId, &str)]| -> Vec<(FileId, syntax::Parsed)> {
        files.iter().map(|&(id, text)| (id, syntax::parse(id, text))).collect()
    };
    // Files of many treaties (a synthetic world's, thousands of them) are parsed in two halves
    // at once, each about half the text.
    let bytes: usize = files.iter().map(|(_, text)| text.len()).sum();
    let parsed = if bytes < PARSED_ON_TWO_THREADS || files.len() < 2 {
        parse(&files)
    } else {
        let mut seen = 0;
        let split = files.iter().take_while(|(_, text)| {
            seen += text.len();
            2 * seen <= bytes
        });
        let (first, second) = files.split_at(split.count().clamp(1, files.len() - 1));
        let (mut parsed, more) = halves::join(|| parse(first), || parse(second));
        parsed.extend(more);
        parsed
    };
    for (id, mut parsed) in parsed {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// Rule files of more text than is parsed on one thread come back in the order given, each
    /// as parsing it alone gives it, syntax errors and all, however their sizes split them.
    #[test]
    fn rule_files_parsed_on_two_threads_come_back_as_each_alone() {
        let treaty = |n: usize| {
            format!(
                "treaty pact_{n} \"Pact {n}\" {{\n  parties {{\n    AAA signed 1990-01-01 ratified 1990-01-01\n  }}\n  \
                 in force on 1990-01-01\n\n  article 1 \"Defence\" {{\n    text \"If a party is attacked.\"\n    \
                 if armed_attack(by: A, on: V) and V is party\n    then every party P other than V must \
                 assist(ally: V, against: A) without delay\n  }}\n}}\n\n"
            )
        };
        let mut sources = Sources::new();
        let mut texts = Vec::new();
        // Files of unequal sizes, two with a syntax error in them.
        for (file, treaties) in [40, 700, 300, 90, 1200].into_iter().enumerate() {
            let mut text: String = (0..treaties).map(|n| treaty(file * 10_000 + n)).collect();
            if file % 2 == 1 {
                text.insert_str(text.len() / 2, "treaty broken {\n  parties { ]\n}\n");
            }
            texts.push(text);
        }
        sources.add(
            "vocabulary.casus".to_string(),
            "fact armed_attack(by, on)\naction assist(ally, against)\n".to_string(),
        );
        let mut ids: Vec<FileId> = sources.iter().map(|(id, _)| id).collect();
        for (n, text) in texts.iter().enumerate() {
            ids.push(sources.add(format!("pacts_{n}.casus"), text.clone()));
        }
        let bytes: usize = ids.iter().map(|&id| sources.get(id).unwrap().text.len()).sum();
        assert!(bytes >= PARSED_ON_TWO_THREADS);
        for from in [0, 2, 4] {
            let set = check_rule_files(&sources, &ids[from..]);
            assert_eq!(set.files.iter().map(|(id, _)| *id).collect::<Vec<_>>(), ids[from..]);
            // Each file's syntax errors are among the set's diagnostics, once.
            let all: Vec<String> = set.diagnostics.iter().map(|d| format!("{d:?}")).collect();
            let mut errors = 0;
            for (id, parsed) in &set.files {
                let alone = syntax::parse(*id, &sources.get(*id).unwrap().text);
                assert_eq!(parsed.file, alone.file);
                for d in &alone.diagnostics {
                    assert_eq!(all.iter().filter(|x| **x == format!("{d:?}")).count(), 1, "{d:?}");
                    errors += 1;
                }
            }
            assert_eq!(
                errors,
                ids[from..].iter().filter(|&&id| sources.get(id).unwrap().text.contains("broken")).count()
            );
        }
    }
}
