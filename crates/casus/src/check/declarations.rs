//! The first pass: every name a rule set declares, with its place and its number, and the
//! names declared twice.

use std::collections::BTreeMap;

use casus_syntax::ast::{ActionDecl, FactDecl, File, Group, Ident, Instrument, Item, PartyDecl, PlaceDecl, UnitDecl};
use casus_syntax::diagnostic::Diagnostic;
use casus_syntax::source::{FileId, Span};

use super::error::{Duplicate, Twice};

/// A declaration and where it is.
#[derive(Debug)]
pub(super) struct Declared<'a, T> {
    /// The file.
    pub(super) file: FileId,
    /// The declaration.
    pub(super) item: &'a T,
    /// Its number among the declarations of its kind, in the order of their names.
    pub(super) id: usize,
}

impl<T> Clone for Declared<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Declared<'_, T> {}

/// Everything a rule set declares, by name. Instruments and groups are numbered in the order of
/// their names, which is the order of the program's lists of them.
#[derive(Debug, Default)]
pub(super) struct Declarations<'a> {
    pub(super) instruments: BTreeMap<&'a str, Declared<'a, Instrument>>,
    pub(super) groups: BTreeMap<&'a str, Declared<'a, Group>>,
    pub(super) facts: BTreeMap<&'a str, Declared<'a, FactDecl>>,
    pub(super) actions: BTreeMap<&'a str, Declared<'a, ActionDecl>>,
    pub(super) parties: BTreeMap<&'a str, Declared<'a, PartyDecl>>,
    pub(super) places: BTreeMap<&'a str, Declared<'a, PlaceDecl>>,
    pub(super) units: BTreeMap<&'a str, Declared<'a, UnitDecl>>,
}

impl<'a> Declarations<'a> {
    /// Records every declaration of `files`, the first of each name, and reports the others.
    pub(super) fn collect(files: &[(FileId, &'a File)], diags: &mut Vec<Diagnostic>) -> Declarations<'a> {
        let mut d = Declarations::default();
        for &(file, ast) in files {
            for item in &ast.items {
                let twice = match item {
                    Item::Instrument(i) => declare(&mut d.instruments, "instrument", &i.id, file, i),
                    Item::Group(g) => declare(&mut d.groups, "group", &g.name, file, g),
                    Item::Fact(f) => declare(&mut d.facts, "kind of fact", &f.name, file, f),
                    Item::Action(a) => declare(&mut d.actions, "action", &a.name, file, a),
                    Item::Party(p) => declare(&mut d.parties, "party", &p.code, file, p),
                    Item::Place(p) => declare(&mut d.places, "place", &p.name, file, p),
                    Item::Unit(u) => declare(&mut d.units, "unit", &u.name, file, u),
                    Item::Deem(_) | Item::Precedence(_) => None,
                };
                diags.extend(twice);
            }
        }
        number(&mut d.instruments);
        number(&mut d.groups);
        // A place and a group of one name would make `L in NAME` ambiguous.
        for (name, place) in &d.places {
            if let Some(group) = d.groups.get(name) {
                let twice = Twice::Declaration { what: "place and group", name: (*name).to_string() };
                diags.push(Diagnostic::new(place.file, Duplicate::new(twice, place.item.name.span, None)).with_note(
                    group.file,
                    group.item.name.span,
                    "the group is defined here",
                ));
            }
        }
        d
    }

    /// Whether a party could ever be bound by an instrument: it has a status record, or the
    /// instrument binds the members of a group.
    pub(super) fn can_be_bound(inst: &Instrument, party: &str) -> bool {
        let binds_group = inst.body.iter().any(|c| matches!(c, casus_syntax::ast::Clause::Binds(..)));
        binds_group || inst.party_records().any(|r| r.party.name == party)
    }
}

/// Records a declaration unless its name is taken; if it is, the diagnostic.
fn declare<'a, T: Named>(
    table: &mut BTreeMap<&'a str, Declared<'a, T>>,
    what: &'static str,
    name: &'a Ident,
    file: FileId,
    item: &'a T,
) -> Option<Diagnostic> {
    match table.get(name.name.as_str()) {
        None => {
            table.insert(name.name.as_str(), Declared { file, item, id: 0 });
            None
        }
        Some(first) => {
            let first_span = first_name_span(first);
            let twice = Twice::Declaration { what, name: name.name.clone() };
            Some(if first.file == file {
                Diagnostic::new(file, Duplicate::new(twice, name.span, Some(first_span)))
            } else {
                Diagnostic::new(file, Duplicate::new(twice, name.span, None)).with_note(
                    first.file,
                    first_span,
                    "first defined here",
                )
            })
        }
    }
}

/// Numbers the declarations of a table in the order of their names.
fn number<T>(table: &mut BTreeMap<&str, Declared<'_, T>>) {
    for (n, d) in table.values_mut().enumerate() {
        d.id = n;
    }
}

/// Where the first declaration's name is written.
fn first_name_span<T: Named>(d: &Declared<'_, T>) -> Span {
    d.item.name_span()
}

/// A declaration's name.
trait Named {
    fn name_span(&self) -> Span;
}

impl Named for Instrument {
    fn name_span(&self) -> Span {
        self.id.span
    }
}

impl Named for Group {
    fn name_span(&self) -> Span {
        self.name.span
    }
}

impl Named for FactDecl {
    fn name_span(&self) -> Span {
        self.name.span
    }
}

impl Named for ActionDecl {
    fn name_span(&self) -> Span {
        self.name.span
    }
}

impl Named for PlaceDecl {
    fn name_span(&self) -> Span {
        self.name.span
    }
}

impl Named for UnitDecl {
    fn name_span(&self) -> Span {
        self.name.span
    }
}

impl Named for PartyDecl {
    fn name_span(&self) -> Span {
        self.code.span
    }
}
