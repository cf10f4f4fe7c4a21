//! The report's order of norms, computed on ranks: every name is ranked once among the names of
//! the evaluation, every article among all articles, and norms are sorted on those numbers, which
//! order as the names do, instead of comparing names hundreds of thousands of times.

use crate::eval::{Evaluation, NormKey, NormRecord};
use crate::intern::number;
use crate::program::Sym;

use super::parts;

/// The rank of every name and every article of an evaluation.
pub(super) struct Ranks {
    /// By symbol: its rank among all names by name (equal names, equal ranks).
    sym: Vec<u32>,
    /// By instrument, by article: its rank among all articles, by instrument id and then by
    /// the article's number in natural order.
    article: Vec<Vec<u32>>,
}

impl Ranks {
    pub(super) fn new(eval: &Evaluation) -> Ranks {
        let syms = &eval.world.syms;
        let n = number(syms.len());
        let mut by_name: Vec<Sym> = (0..n).collect();
        by_name.sort_unstable_by(|&a, &b| syms.name(a).cmp(syms.name(b)));
        let mut sym = vec![0; by_name.len()];
        rank(&by_name, |a, b| syms.name(a) == syms.name(b), |s, r| sym[s as usize] = r);
        let program = eval.world.program;
        let mut articles: Vec<(usize, usize)> = program
            .instruments
            .iter()
            .enumerate()
            .flat_map(|(i, def)| (0..def.articles.len()).map(move |a| (i, a)))
            .collect();
        let key = |&(i, a): &(usize, usize)| (program.instrument_id(i), program.article_id(i, a));
        let cmp = |x: &(usize, usize), y: &(usize, usize)| {
            let ((ix, ax), (iy, ay)) = (key(x), key(y));
            ix.cmp(iy).then_with(|| parts(ax).cmp(parts(ay)))
        };
        articles.sort_unstable_by(cmp);
        let mut article: Vec<Vec<u32>> = program.instruments.iter().map(|d| vec![0; d.articles.len()]).collect();
        rank(&articles, |x, y| cmp(&x, &y).is_eq(), |(i, a), r| article[i][a] = r);
        Ranks { sym, article }
    }

    fn sym(&self, s: Sym) -> u32 {
        self.sym.get(s as usize).copied().unwrap_or(u32::MAX)
    }

    /// A norm's place in the report: party, instrument and article, modality, action, and the
    /// arguments by role, each pair as ranks, the lesser role first.
    fn key(&self, k: &NormKey) -> Key {
        let article =
            self.article.get(k.instrument).and_then(|a| a.get(k.article as usize)).copied().unwrap_or(u32::MAX);
        let first = (u64::from(self.sym(k.party)) << 32) | u64::from(article);
        let second = ((k.modality as u64) << 32) | u64::from(self.sym(k.action));
        let mut args: Args = k.args.iter().map(|&(r, v)| (self.sym(r), self.sym(v))).collect();
        args.sort_unstable();
        (first, second, args)
    }

    /// The norms of an evaluation in report order. Their keys are distinct, as their
    /// identities are, so the order is total. The party comes first in both orders, and the
    /// evaluation's norms of one party lie together: they are sorted party by party (see
    /// `by_group`), so that each sort, and then the writing of the report, which reads the norms
    /// in this order, stays among norms that lie together in memory.
    pub(super) fn sorted<'a>(&self, eval: &'a Evaluation) -> Vec<(&'a NormKey, &'a NormRecord)> {
        let norms: Vec<(&NormKey, &NormRecord)> = eval.norms.iter().collect();
        by_group(
            &norms,
            |(k, _)| self.sym(k.party),
            |(k, _)| self.packed(k),
            |(a, _), (b, _)| self.key(a).cmp(&self.key(b)),
            crate::halves::NORMS_ON_TWO_THREADS,
        )
    }

    /// A norm's place in the report packed into four numbers that order as `key` does, up to
    /// ties: party and article, modality and action, and the least two pairs of arguments, each
    /// pair one number (none before any). The two greatest pairs, ranks at the end of the range,
    /// pack into one number; past it the rest are left equal, and the tie to the keys.
    fn packed(&self, k: &NormKey) -> [u64; 4] {
        let (first, second, pairs) = self.key(k);
        let mut words = [first, second, 0, 0];
        crate::eval::pack_pairs(&mut words[2..], &pairs);
        words
    }
}

/// `items` in the order of `key` and then of `ties` among equal keys, the key's first part
/// ordering as `group` does: the runs of one group are put in the order of their groups, and
/// each group sorted among itself — fewer comparisons than one sort of all, each among items
/// that lie together. Runs of one group that lie apart are sorted as one, so the result is the
/// order of `key` and `ties` whatever the order of `items`.
fn by_group<T: Copy + Send + Sync, K: Ord + Send>(
    items: &[T],
    group: impl Fn(T) -> u32,
    key: impl Fn(T) -> K + Sync,
    ties: impl Fn(T, T) -> std::cmp::Ordering + Sync,
    two_threads_from: usize,
) -> Vec<T> {
    let mut runs: Vec<(u32, &[T])> =
        items.chunk_by(|&a, &b| group(a) == group(b)).filter_map(|run| Some((group(*run.first()?), run))).collect();
    runs.sort_by_key(|&(g, _)| g);
    let groups: Vec<&[(u32, &[T])]> = runs.chunk_by(|a, b| a.0 == b.0).collect();
    let sort = |groups: &[&[(u32, &[T])]]| {
        let mut keyed: Vec<(K, T)> = Vec::new();
        let mut sorted = Vec::new();
        for one_group in groups {
            keyed.clear();
            keyed.extend(one_group.iter().flat_map(|(_, run)| run.iter()).map(|&x| (key(x), x)));
            keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            for run in keyed.chunk_by_mut(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
                run.sort_unstable_by(|a, b| ties(a.1, b.1));
            }
            sorted.extend(keyed.drain(..).map(|(_, x)| x));
        }
        sorted
    };
    if items.len() < two_threads_from.max(2) {
        return sort(&groups);
    }
    // From `two_threads_from` items on, the groups are split in two where half the items lie,
    // and each half sorted on a thread of its own.
    let mut seen = 0;
    let split = groups
        .iter()
        .position(|g| {
            seen += g.iter().map(|(_, run)| run.len()).sum::<usize>();
            2 * seen > items.len()
        })
        .map_or(groups.len(), |at| at + 1);
    let (first, second) = groups.split_at(split);
    let (mut sorted, mut rest) = crate::halves::join(|| sort(first), || sort(second));
    sorted.append(&mut rest);
    sorted
}

/// A norm's place in the report, as ranks.
type Key = (u64, u64, Args);

/// A norm's arguments as ranks of role and value: mostly two, held inline.
type Args = smallvec::SmallVec<[(u32, u32); 2]>;

/// Gives each item of `sorted` its rank: the position of the first item equal to it.
fn rank<T: Copy>(sorted: &[T], equal: impl Fn(T, T) -> bool, mut set: impl FnMut(T, u32)) {
    let mut r = 0;
    for (n, &x) in sorted.iter().enumerate() {
        if n > 0 && !equal(sorted[n - 1], x) {
            r = number(n);
        }
        set(x, r);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{Ranks, by_group};
    use crate::eval::NormKey;
    use crate::program::Sym;
    use casus_syntax::ast::Modality;

    /// Two pairs of arguments at the end of the range pack into one number, which must not let
    /// the next pair decide: `(MAX, MAX - 1), (MAX, MAX)` comes before `(MAX, MAX)` alone.
    #[test]
    fn pairs_that_pack_alike_leave_the_order_to_the_keys() {
        let ranks = Ranks { sym: vec![0, u32::MAX - 1, u32::MAX], article: vec![vec![0]] };
        let key = |args: &[(Sym, Sym)]| NormKey {
            party: 0,
            modality: Modality::Must,
            action: 0,
            args: args.iter().copied().collect(),
            instrument: 0,
            article: 0,
        };
        let (two, one) = (key(&[(2, 1), (2, 2)]), key(&[(2, 2)]));
        assert!(ranks.key(&two) < ranks.key(&one));
        assert!(ranks.packed(&two) <= ranks.packed(&one));
    }

    proptest! {
        // Cases from `PROPTEST_CASES` (256 by default); no regression files.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        /// Sorted group by group, on a key that leaves ties and then on what breaks them,
        /// items come out as one sort of all would put them, whether each group's items lie
        /// together or apart, and whatever the groups' order; on one thread or two, as
        /// `two_threads_from` says.
        #[test]
        fn sorting_group_by_group_is_sorting_all(
            items in proptest::collection::vec((0..5u32, 0..50u32), 0..60),
            two_threads_from in 0..64usize,
        ) {
            let sorted = by_group(&items, |(g, _)| g, |(g, v)| (g, v / 10), |a, b| a.cmp(&b), two_threads_from);
            let mut expected = items.clone();
            expected.sort_unstable();
            prop_assert_eq!(sorted, expected);
        }

        /// Two norms whose packings differ are in the order of their packings as their keys
        /// are, so that sorting on packings and then on keys among equal packings is sorting
        /// on keys: whatever their ranks, even at the end of the range, or names the ranks do
        /// not know, and whatever the number and order of their arguments.
        #[test]
        fn packings_order_as_keys_do(
            sym in proptest::collection::vec(prop_oneof![0..4u32, Just(u32::MAX - 1), Just(u32::MAX)], 8),
            article in proptest::collection::vec(proptest::collection::vec(prop_oneof![0..3u32, Just(u32::MAX)], 2), 2),
            keys in proptest::collection::vec(
                (0..9u32, 0..3usize, 0..9u32, proptest::collection::vec((0..9u32, 0..9u32), 0..4), 0..3usize, 0..3u32),
                2..12,
            ),
        ) {
            let ranks = Ranks { sym, article };
            let modalities = [Modality::Must, Modality::MustNot, Modality::May];
            let keys: Vec<NormKey> = keys
                .into_iter()
                .map(|(party, m, action, args, instrument, article)| NormKey {
                    party, modality: modalities[m], action, args: args.into_iter().collect(), instrument, article,
                })
                .collect();
            for a in &keys {
                for b in &keys {
                    let (pa, pb) = (ranks.packed(a), ranks.packed(b));
                    if pa != pb {
                        prop_assert_eq!(pa.cmp(&pb), ranks.key(a).cmp(&ranks.key(b)), "{:?} {:?}", a, b);
                    }
                }
            }
        }
    }
}
