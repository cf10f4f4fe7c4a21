//! The checker: from syntax trees to a resolved rule set.
//!
//! A rule set is checked as a whole, since names cross files. Every name is resolved as it is
//! checked — a reference to a group, an instrument, a kind of fact, an action or a role becomes
//! the thing's number, or a diagnostic — and every variable becomes a slot of its rule. Every
//! problem is reported, each at its place with a message a treaty lawyer can act on; nothing
//! stops at the first. Only a rule set without errors comes out, as a [`Resolved`] value, which
//! only [`compile`](crate::program::compile) reads.

mod declarations;
mod error;
mod instrument;
mod lint;
mod rules;
mod strata;
mod vocabulary;

use casus_syntax::ast::{self, File, Item};
use casus_syntax::diagnostic::{self, Diagnostic};
use casus_syntax::source::FileId;
use casus_syntax::suggest::did_you_mean;

pub use error::*;

/// An action includes at most this many others, directly or through them: the closure of
/// `includes` the evaluator keeps is then at most this large per action.
pub const MAX_INCLUDED: usize = 256;

use crate::calendar::Day;
use crate::program::{DeemDef, InstId, Resolved, RuleDef, Sym, Symbols};
use declarations::Declarations;

/// Checks a rule set: every parsed file, together. A rule set without errors comes back
/// resolved, with its warnings; else every diagnostic found, sorted by place.
pub fn check<'a>(files: &[(FileId, &'a File)]) -> Result<Resolved<'a>, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let decls = Declarations::collect(files, &mut diags);
    let mut c = Checker { decls, symbols: Symbols::default(), diags, file: FileId(0) };
    let parties = c.parties(files);
    let groups = c.groups(files);
    let places = c.places(files);
    let (facts, actions) = c.declarations(files);
    let (instruments, rules) = c.instruments(files);
    let deems = c.deems(files);
    let prevails = c.precedence(files);
    let strata = c.strata(&deems);
    let units = c.units();
    let Checker { symbols, mut diags, .. } = c;
    diagnostic::sort(&mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    Ok(Resolved {
        symbols,
        instruments,
        groups,
        facts,
        actions,
        parties,
        places,
        units,
        rules,
        deems,
        strata,
        prevails,
        warnings: diags,
    })
}

/// The checker's state: the declarations, the names resolved so far, what it found, and the
/// file it is reading.
struct Checker<'a> {
    decls: Declarations<'a>,
    symbols: Symbols,
    diags: Vec<Diagnostic>,
    file: FileId,
}

impl<'a> Checker<'a> {
    /// Reports a problem in the file being read.
    fn report(&mut self, problem: impl Into<CheckError>) {
        self.diags.push(Diagnostic::new(self.file, problem.into()));
    }

    /// The number of a name.
    fn sym(&mut self, name: &str) -> Sym {
        self.symbols.intern_ref(name)
    }

    /// Every item of every file, with its file, in the order read; the file being read is set
    /// for each.
    fn items(files: &[(FileId, &'a File)]) -> impl Iterator<Item = (FileId, &'a Item)> {
        files.iter().flat_map(|&(f, ast)| ast.items.iter().map(move |i| (f, i)))
    }

    /// A date, if it exists.
    fn date(&mut self, d: &ast::Date) -> Option<Day> {
        if let Some(civil) = d.civil() {
            return Some(Day::from_date(civil));
        }
        let why = match jiff::civil::Date::new(d.year, d.month, 1) {
            Ok(first) => format!("{} {} has {} days", month_name(d.month), d.year, first.days_in_month()),
            Err(_) if !(1..=12).contains(&d.month) => "months run from 01 to 12".to_string(),
            Err(_) => "the year is out of range".to_string(),
        };
        self.report(NoSuchDate { date: d.to_string(), at: d.span, why });
        None
    }

    /// The group of this name.
    fn group_ref(&mut self, g: &ast::Ident) -> Option<usize> {
        if let Some(d) = self.decls.groups.get(g.name.as_str()) {
            return Some(d.id);
        }
        let help = did_you_mean(&g.name, self.decls.groups.keys().copied());
        self.report(UnknownGroup::new(&g.name, g.span, help));
        None
    }

    /// The instrument of this id.
    fn instrument_ref(&mut self, id: &ast::Ident) -> Option<InstId> {
        if let Some(d) = self.decls.instruments.get(id.name.as_str()) {
            return Some(d.id);
        }
        let help = did_you_mean(&id.name, self.decls.instruments.keys().copied());
        self.report(UnknownInstrument::new(&id.name, id.span, help));
        None
    }
}

/// Whether an instrument id matches a precedence pattern, where `*` stands for any run of
/// characters.
pub fn glob_match(pattern: &str, id: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == id,
        Some((head, tail)) => {
            let Some(rest) = id.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len()).any(|n| rest.get(n..).is_some_and(|r| glob_match(tail, r)))
        }
    }
}

/// A role name as the variable that stands for it in an `includes` clause: `against` → `Against`.
pub fn capitalised(role: &str) -> String {
    let mut c = role.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}

fn month_name(m: i8) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    usize::try_from(m - 1).ok().and_then(|i| NAMES.get(i)).copied().unwrap_or("month")
}

/// `` `a`, `b` ``.
fn list(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs_match_runs_of_characters() {
        assert!(glob_match("unsc_*", "unsc_1718"));
        assert!(glob_match("*", "kp_ru_2024"));
        assert!(glob_match("*_1949", "nato_1949"));
        assert!(!glob_match("unsc_*", "un_charter"));
        assert!(glob_match("un_charter", "un_charter"));
    }
}
