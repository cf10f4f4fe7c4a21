//! What a norm is — its identity — and what matches it: acts, and the norms it conflicts with.

use super::world::{ActRef, Args};
use crate::program::{ActionDef, Categories, InstId, NormRule, Pattern, Program, Sym, Term};
use casus_syntax::ast::Modality;

/// The identity of a norm: (party, modality, action, arguments, instrument, article).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NormKey {
    /// The bearer.
    pub party: Sym,
    /// Must, must not, may.
    pub modality: Modality,
    /// The action.
    pub action: Sym,
    /// `(role, value)`, sorted by role.
    pub args: Args,
    /// The instrument.
    pub instrument: InstId,
    /// The article's index in the instrument (32 bits, as every number a walk keeps per norm:
    /// the identity stays at 48 bytes).
    pub article: u32,
}

impl NormKey {
    /// The act that performs it, read from it: its party, action and arguments (during the walk,
    /// an obligation performed; at its end, an act assumed performed).
    pub(crate) fn act(&self) -> ActRef<'_> {
        ActRef { party: self.party, action: self.action, args: &self.args }
    }

    /// The number of its article as the instrument gives it (`8(b)`).
    pub fn article_id<'p>(&self, program: &'p Program) -> &'p str {
        program.article_id(self.instrument, self.article as usize)
    }
}

// A walk keeps one identity per norm it meets, and the report one per norm: kept at 48 bytes.
const _: () = assert!(std::mem::size_of::<NormKey>() == 48);

/// A norm's arguments under a rule's variables, sorted by role; `None` if one is unbound.
pub(crate) fn norm_args(rule: &NormRule, env: &[Option<Sym>]) -> Option<Args> {
    let mut args: Args =
        rule.action.args.iter().map(|(role, t)| value(*t, env).map(|v| (*role, v))).collect::<Option<_>>()?;
    args.sort();
    Some(args)
}

/// Whether an act matches a norm: same party and action, and every argument the act gives
/// agrees with the norm's (an act may leave roles out). An act performs an obligation when each
/// value lies within the norm's (a shipment of `artillery_shells` performs a duty to supply
/// `arms`); it breaks a prohibition when each value overlaps the norm's, since a shipment given
/// only as `arms` is not shown to lie outside a ban on `register_arms` (docs/semantics.md).
pub(crate) fn act_matches<'a>(categories: &Categories, act: impl Into<ActRef<'a>>, norm: &NormKey) -> bool {
    let act = act.into();
    let agrees = |v: Sym, w: Sym| match norm.modality {
        Modality::MustNot => categories.overlap(v, w),
        Modality::Must | Modality::May => categories.within(v, w),
    };
    act.party == norm.party
        && act.action == norm.action
        && act
            .args
            .iter()
            .all(|(role, v)| norm.args.iter().find(|(r, _)| r == role).is_none_or(|(_, w)| agrees(*v, *w)))
}

/// Whether two argument lists agree on every role they share: the values overlap, having
/// something within both.
pub(super) fn args_unify(categories: &Categories, a: &[(Sym, Sym)], b: &[(Sym, Sym)]) -> bool {
    a.iter().all(|(role, v)| b.iter().find(|(r, _)| r == role).is_none_or(|(_, w)| categories.overlap(*v, *w)))
}

/// The action obligation `must` includes that `must_not` forbids, with its arguments (a partial
/// conflict), if there is one. The included action's arguments are its constants and, for a
/// variable, the value the obligation gives that role; a role the obligation leaves open matches
/// anything.
pub(crate) fn included_forbidden(program: &Program, must: &NormKey, must_not: &NormKey) -> Option<(Sym, Args)> {
    let def = program.actions.get(&must.action)?;
    let found = def.includes.iter().filter(|inc| inc.name == must_not.action).filter_map(|inc| {
        let args = instantiate(def, inc, &must.args);
        args_unify(&program.categories, &args, &must_not.args).then(|| (inc.name, narrowed(program, args, must_not)))
    });
    // Reached by several paths, the least by name is named, as the report orders arguments.
    let named = |args: &Args| -> Vec<(&str, &str)> {
        let mut v: Vec<(&str, &str)> = args.iter().map(|(r, x)| (program.name(*r), program.name(*x))).collect();
        v.sort_unstable();
        v
    };
    found.min_by(|(_, a), (_, b)| named(a).cmp(&named(b)))
}

/// The included action's arguments narrowed to what the prohibition forbids: where the
/// prohibition's value lies within the included one (a ban on `register_arms` within a duty's
/// `arms`), the prohibition's. What gives way is the forbidden part, not the whole.
fn narrowed(program: &Program, mut args: Args, must_not: &NormKey) -> Args {
    for (role, v) in &mut args {
        if let Some(&(_, w)) = must_not.args.iter().find(|(r, _)| r == role)
            && program.categories.within(w, *v)
        {
            *v = w;
        }
    }
    args
}

/// An action of an `includes` or `fulfilled by` clause with the arguments a norm of the declaring
/// action gives it: its constants, and for a variable the value the norm gives that role; a role
/// left open is left out. Sorted by role.
fn instantiate(def: &ActionDef, p: &Pattern, given: &[(Sym, Sym)]) -> Args {
    let mut args: Args = p
        .args
        .iter()
        .filter_map(|(r, t)| match t {
            Term::Const(c) | Term::Within(c) => Some((*r, *c)),
            Term::Var(i) => {
                let role = def.roles.get(*i)?;
                given.iter().find(|(gr, _)| gr == role).map(|(_, v)| (*r, *v))
            }
            Term::Any => None,
        })
        .collect();
    args.sort();
    args
}

/// What acts fulfil obligation `must`: acts of its own action, and of each action its
/// declaration says fulfils it (`fulfilled by`), with the arguments it gives them. Each is put
/// as a norm's identity, to match acts against as the obligation itself is matched.
pub(crate) fn fulfilling(program: &Program, must: &NormKey) -> smallvec::SmallVec<[NormKey; 1]> {
    let mut out = smallvec::smallvec![must.clone()];
    if must.modality == Modality::Must
        && let Some(def) = program.actions.get(&must.action)
    {
        for p in &def.fulfilled_by {
            out.push(NormKey { action: p.name, args: instantiate(def, p, &must.args), ..must.clone() });
        }
    }
    out
}

/// A norm's number in a walk: its identity, interned when first produced, so that the walk's
/// maps and caches hold integers rather than copies of the identity.
pub(super) type NormId = u32;

/// The norms one rule gave for one fact or act: most give a few.
pub(super) type NormIds = smallvec::SmallVec<[NormId; 4]>;

/// The value of a term under `env`: a constant, a bound variable, or none.
pub(crate) fn value(t: Term, env: &[Option<Sym>]) -> Option<Sym> {
    match t {
        Term::Const(c) => Some(c),
        Term::Var(v) => env.get(v).copied().flatten(),
        Term::Any | Term::Within(_) => None,
    }
}
