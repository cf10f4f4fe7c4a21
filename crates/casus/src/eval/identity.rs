//! What a norm is — its identity — and what matches it: acts, and the norms it conflicts with.

use super::world::{Act, Args};
use crate::program::{InstId, NormRule, Program, Sym, Term};
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
    /// The article's index in the instrument.
    pub article: usize,
}

/// A norm's arguments under a rule's variables, sorted by role; `None` if one is unbound.
pub(crate) fn norm_args(rule: &NormRule, env: &[Option<Sym>]) -> Option<Args> {
    let mut args: Args =
        rule.action.args.iter().map(|(role, t)| value(*t, env).map(|v| (*role, v))).collect::<Option<_>>()?;
    args.sort();
    Some(args)
}

/// Whether an act matches a norm: same party and action, and every argument the act gives
/// agrees with the norm's (an act may leave roles out).
pub(crate) fn act_matches(act: &Act, norm: &NormKey) -> bool {
    act.party == norm.party
        && act.action == norm.action
        && act.args.iter().all(|(role, v)| norm.args.iter().find(|(r, _)| r == role).is_none_or(|(_, w)| w == v))
}

/// Whether two argument lists agree on every role they share.
pub(super) fn args_unify(a: &[(Sym, Sym)], b: &[(Sym, Sym)]) -> bool {
    a.iter().all(|(role, v)| b.iter().find(|(r, _)| r == role).is_none_or(|(_, w)| w == v))
}

/// Whether obligation `must` includes an action that `must_not` forbids (a partial conflict).
/// The included action's arguments are its constants and, for a variable, the value the
/// obligation gives that role; a role the obligation leaves open matches anything.
pub(super) fn includes_forbidden(program: &Program, must: &NormKey, must_not: &NormKey) -> bool {
    let Some(def) = program.actions.get(&must.action) else { return false };
    def.includes.iter().any(|inc| {
        inc.name == must_not.action && {
            let args: Vec<(Sym, Sym)> = inc
                .args
                .iter()
                .filter_map(|(r, t)| match t {
                    Term::Const(c) => Some((*r, *c)),
                    Term::Var(i) => {
                        let role = def.roles.get(*i)?;
                        must.args.iter().find(|(mr, _)| mr == role).map(|(_, v)| (*r, *v))
                    }
                    Term::Any => None,
                })
                .collect();
            args_unify(&args, &must_not.args)
        }
    })
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
        Term::Any => None,
    }
}
