//! A rule set resolved: what the checker makes of the syntax trees, every name a number and every
//! variable a slot, and what only compiling reads. Only the checker builds one.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap as HashMap;

use casus_syntax::ast;
use casus_syntax::diagnostic::Diagnostic;
use casus_syntax::source::FileId;

use super::{
    ActionDef, Bearers, Cap, Deadline, FactDef, GroupDef, InstId, InstrumentDef, Lit, PartyDef, Pattern, PlaceDef, Sym,
    Symbols,
};

/// A rule set that checked without errors, every name resolved: what compiling reads.
#[derive(Debug)]
pub struct Resolved<'a> {
    pub(crate) symbols: Symbols,
    pub(crate) instruments: Vec<InstrumentDef>,
    pub(crate) groups: Vec<GroupDef>,
    pub(crate) facts: HashMap<Sym, FactDef>,
    pub(crate) actions: HashMap<Sym, ActionDef>,
    pub(crate) parties: BTreeMap<String, PartyDef>,
    pub(crate) places: BTreeMap<Sym, PlaceDef>,
    pub(crate) units: BTreeMap<Sym, Option<String>>,
    pub(crate) rules: Vec<RuleDef<'a>>,
    pub(crate) deems: Vec<DeemDef<'a>>,
    pub(crate) strata: Vec<Vec<usize>>,
    pub(crate) prevails: BTreeSet<(InstId, InstId)>,
    pub(crate) warnings: Vec<Diagnostic>,
}

impl Resolved<'_> {
    /// What the checker found doubtful, though not wrong.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }
}

/// A norm rule, resolved: its condition in the order written, and the rule as written, to be put
/// in words only when compiled.
#[derive(Clone, Debug)]
pub(crate) struct RuleDef<'a> {
    pub(crate) instrument: InstId,
    pub(crate) article: usize,
    pub(crate) reservation: Option<usize>,
    pub(crate) excluded: Vec<Sym>,
    pub(crate) condition: Vec<Lit>,
    pub(crate) vars: Vec<String>,
    pub(crate) bearers: Bearers,
    pub(crate) modality: ast::Modality,
    pub(crate) action: Pattern,
    pub(crate) deadline: Option<Deadline>,
    pub(crate) cap: Option<Cap>,
    pub(crate) written: &'a ast::Rule,
    pub(crate) file: FileId,
}

/// A `deem` rule, resolved, with the rule as written.
#[derive(Clone, Debug)]
pub(crate) struct DeemDef<'a> {
    pub(crate) head: Pattern,
    pub(crate) delay: Option<ast::Duration>,
    pub(crate) condition: Vec<Lit>,
    pub(crate) vars: Vec<String>,
    pub(crate) written: &'a ast::Deem,
    pub(crate) file: FileId,
}
