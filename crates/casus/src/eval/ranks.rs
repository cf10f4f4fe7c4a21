//! The order of norms by names, the report's: every name ranked once among the names of the
//! world, every article among all articles, and norms compared on those numbers, which order as
//! the names do, instead of comparing names millions of times.
//!
//! An evaluation keeps its norms party by party, each party's in this order (`within_parties`),
//! so that a report reads them where they lie, one party after another, instead of fetching each
//! from wherever a sort by names would send it.

use std::cmp::Ordering;

use super::NormRecord;
use super::identity::NormKey;
use super::world::World;
use crate::intern::number;
use crate::program::Sym;
use crate::program::natural::parts;

/// The rank of every name and every article of a world.
#[derive(Clone, Debug, Default)]
pub(crate) struct Ranks {
    /// By symbol: its rank among all names by name (equal names, equal ranks).
    sym: Vec<u32>,
    /// By instrument, by article: its rank among all articles, by instrument id and then by
    /// the article's number in natural order.
    article: Vec<Vec<u32>>,
}

impl Ranks {
    pub(crate) fn new(world: &World) -> Ranks {
        let syms = &world.syms;
        let n = number(syms.len());
        let mut by_name: Vec<Sym> = (0..n).collect();
        by_name.sort_unstable_by(|&a, &b| syms.name(a).cmp(syms.name(b)));
        let mut sym = vec![0; by_name.len()];
        rank(&by_name, |a, b| syms.name(a) == syms.name(b), |s, r| sym[s as usize] = r);
        let program = world.program;
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

    /// The rank of a name; past every name for one the world does not know.
    pub(crate) fn sym(&self, s: Sym) -> u32 {
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

    /// The order of names between two norms: by their places in the report, and, were two
    /// places ever equal (names are unique, so they are not), by identity, so that the order is
    /// total and a norm is found by binary search.
    pub(crate) fn cmp(&self, a: &NormKey, b: &NormKey) -> Ordering {
        self.key(a).cmp(&self.key(b)).then_with(|| a.cmp(b))
    }

    /// A norm's place in the report packed into four numbers that order as `key` does, up to
    /// ties: party and article, modality and action, and the least two pairs of arguments, each
    /// pair one number (none before any). The two greatest pairs, ranks at the end of the range,
    /// pack into one number; past it the rest are left equal, and the tie to `cmp`.
    fn packed(&self, k: &NormKey) -> [u64; 4] {
        let (first, second, pairs) = self.key(k);
        let mut words = [first, second, 0, 0];
        super::pack_pairs(&mut words[2..], &pairs);
        words
    }
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

/// Sorts `order`, norms' packed places each with a number, into order of names: on the packed
/// places, and runs of equal ones on `Ranks::cmp` of the norms `key` gives by number.
fn by_names<'k>(ranks: &Ranks, order: &mut [([u64; 4], u32)], key: impl Fn(u32) -> Option<&'k NormKey>) {
    order.sort_unstable();
    for run in order.chunk_by_mut(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        run.sort_unstable_by(|a, b| match (key(a.1), key(b.1)) {
            (Some(x), Some(y)) => ranks.cmp(x, y),
            _ => a.1.cmp(&b.1),
        });
    }
}

/// `norms` in order of names (`Ranks::cmp`).
pub(crate) fn sorted<'a>(
    ranks: &Ranks,
    norms: impl Iterator<Item = (&'a NormKey, &'a NormRecord)>,
) -> Vec<(&'a NormKey, &'a NormRecord)> {
    let norms: Vec<(&NormKey, &NormRecord)> = norms.collect();
    let mut order: Vec<([u64; 4], u32)> =
        norms.iter().enumerate().map(|(i, (k, _))| (ranks.packed(k), number(i))).collect();
    by_names(ranks, &mut order, |i| norms.get(i as usize).map(|(k, _)| *k));
    order.iter().filter_map(|&(_, i)| norms.get(i as usize).copied()).collect()
}

/// Puts each party's norms, which lie together, into the order of names (`Ranks::cmp`) where
/// they lie, moving each record with its identity, and sets `moved[i]` to `first` plus the
/// place the norm at `i` went to. A party's norms are sorted (`by_names`), and the party is
/// then permuted into that order by following cycles, within the few megabytes it takes, which
/// stay in the processor's caches.
pub(crate) fn within_parties<R>(
    ranks: &Ranks,
    keys: &mut [NormKey],
    records: &mut [R],
    moved: &mut [u32],
    first: usize,
) {
    let mut order: Vec<([u64; 4], u32)> = Vec::new();
    let mut target: Vec<u32> = Vec::new();
    let mut lo = 0;
    while lo < keys.len() {
        let party = keys.get(lo).map(|k| k.party);
        let hi = lo + keys.get(lo..).map_or(0, |rest| rest.iter().take_while(|k| Some(k.party) == party).count());
        let Some(bucket) = keys.get(lo..hi) else { break };
        order.clear();
        order.extend(bucket.iter().enumerate().map(|(i, k)| (ranks.packed(k), number(i))));
        by_names(ranks, &mut order, |i| bucket.get(i as usize));
        // `target[i]`: where the norm now at `i` goes.
        target.clear();
        target.resize(order.len(), 0);
        for (to, &(_, from)) in order.iter().enumerate() {
            if let Some(t) = target.get_mut(from as usize) {
                *t = number(to);
            }
            if let Some(m) = moved.get_mut(lo + from as usize) {
                *m = number(first + lo + to);
            }
        }
        for i in 0..target.len() {
            while let Some(&t) = target.get(i).filter(|&&t| t as usize != i) {
                let (a, b) = (lo + i, lo + t as usize);
                keys.swap(a, b);
                if a < records.len() && b < records.len() {
                    records.swap(a, b);
                }
                target.swap(i, t as usize);
            }
        }
        lo = hi.max(lo + 1);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{Ranks, within_parties};
    use crate::eval::{NormKey, NormRecord, Norms, Status};
    use crate::program::Sym;
    use casus_syntax::ast::Modality;

    fn norm(party: Sym, args: &[(Sym, Sym)], instrument: usize, article: u32) -> NormKey {
        NormKey {
            party,
            modality: Modality::Must,
            action: 0,
            args: args.iter().copied().collect(),
            instrument,
            article,
        }
    }

    /// Two pairs of arguments at the end of the range pack into one number, which must not let
    /// the next pair decide: `(MAX, MAX - 1), (MAX, MAX)` comes before `(MAX, MAX)` alone.
    #[test]
    fn pairs_that_pack_alike_leave_the_order_to_the_keys() {
        let ranks = Ranks { sym: vec![0, u32::MAX - 1, u32::MAX], article: vec![vec![0]] };
        let (two, one) = (norm(0, &[(2, 1), (2, 2)], 0, 0), norm(0, &[(2, 2)], 0, 0));
        assert!(ranks.key(&two) < ranks.key(&one));
        assert!(ranks.packed(&two) <= ranks.packed(&one));
        assert!(ranks.cmp(&two, &one).is_lt());
    }

    proptest! {
        // Cases from `PROPTEST_CASES` (256 by default); no regression files.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

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

        /// Norms lying party by party come out of `within_parties` with each party's in the
        /// order of `cmp`, the parties where they were, each record beside its own identity, and
        /// `moved` saying where each went, counted from `first`.
        #[test]
        fn each_party_is_put_in_order_of_names(
            sym in proptest::collection::vec(0..6u32, 8),
            keys in proptest::collection::vec(
                (0..4u32, 0..8u32, proptest::collection::vec((0..8u32, 0..8u32), 0..3), 0..2usize, 0..2u32),
                0..40,
            ),
            first in 0..5usize,
            swaps in proptest::collection::vec((0..40usize, 0..40usize), 0..60),
        ) {
            let ranks = Ranks { sym, article: vec![vec![1, 0], vec![0, 0]] };
            let mut keys: Vec<NormKey> = keys
                .into_iter()
                .map(|(party, action, args, instrument, article)| {
                    let mut args: Vec<(Sym, Sym)> = args;
                    args.sort_unstable();
                    args.dedup_by_key(|(r, _)| *r);
                    NormKey { party, modality: Modality::Must, action, args: args.into_iter().collect(), instrument, article }
                })
                .collect();
            // Distinct identities, party by party, each party's in any order.
            keys.sort();
            keys.dedup();
            for (a, b) in swaps {
                if a < keys.len() && b < keys.len() && keys[a].party == keys[b].party {
                    keys.swap(a, b);
                }
            }
            let before = keys.clone();
            // Each record is its norm's place before.
            let mut records: Vec<usize> = (0..keys.len()).collect();
            let mut moved = vec![u32::MAX; keys.len()];
            within_parties(&ranks, &mut keys, &mut records, &mut moved, first);
            for (at, key) in keys.iter().enumerate() {
                prop_assert_eq!(key.party, before[at].party);
                prop_assert_eq!(key, &before[records[at]]);
                prop_assert_eq!(moved[records[at]] as usize, first + at);
            }
            for pair in keys.windows(2).filter(|w| w[0].party == w[1].party) {
                prop_assert!(ranks.cmp(&pair[0], &pair[1]).is_lt(), "{:?} {:?}", pair[0], pair[1]);
            }
        }

        /// An evaluation's norms, made in order of identity in one list of records or two (a
        /// party across both or not), and either left so or put in order of names on one thread
        /// or two: each is found by `get` with its own record, `moved` says where each went,
        /// and both ways list them all in the report's order.
        #[test]
        fn norms_are_found_and_listed_by_names(
            sym in Just((0..8u32).collect::<Vec<u32>>()).prop_shuffle(),
            keys in proptest::collection::btree_set(
                (0..3u32, 0..2usize, 0..3u32, proptest::collection::btree_map(0..3u32, 0..3u32, 1..4), 0..2usize, 0..2u32),
                0..80,
            ),
            split in 0..80usize,
            two_threads in any::<bool>(),
            in_place in any::<bool>(),
        ) {
            let modalities = [Modality::Must, Modality::MustNot, Modality::May];
            let mut keys: Vec<NormKey> = keys
                .into_iter()
                .map(|(party, m, action, args, instrument, article)| NormKey {
                    party, modality: modalities[m], action, args: args.into_iter().collect(), instrument, article,
                })
                .collect();
            keys.sort();
            keys.dedup();
            let record = |n: usize| NormRecord {
                episodes: smallvec::SmallVec::new(),
                overridden: Vec::new(),
                status: Status::Pending,
                since: crate::calendar::Day(n as i32),
                assumed: false,
                rule: 0,
            };
            let split = split.min(keys.len());
            let records = [(0..split).map(record).collect(), (split..keys.len()).map(record).collect()];
            let ranks = Ranks { sym, article: vec![vec![1, 0], vec![0, 1]] };
            let mut norms = Norms { keys: keys.clone(), records, names: None };
            let moved = if in_place {
                norms.put_in_order_of_names(ranks.clone(), two_threads, true)
            } else {
                (0..crate::intern::number(keys.len())).collect()
            };
            for (n, key) in keys.iter().enumerate() {
                prop_assert_eq!(norms.get(key).map(|r| r.since.0), Some(n as i32), "{:?}", key);
                prop_assert_eq!(norms.keys.get(moved[n] as usize), Some(key));
            }
            let listed = if in_place { norms.parties_by_names(&ranks) } else { super::sorted(&ranks, norms.iter()) };
            prop_assert_eq!(listed.len(), keys.len());
            for pair in listed.windows(2) {
                prop_assert!(ranks.cmp(pair[0].0, pair[1].0).is_lt(), "{:?} {:?}", pair[0].0, pair[1].0);
            }
            for (key, record) in listed {
                prop_assert_eq!(keys.get(record.since.0 as usize), Some(key));
            }
        }
    }
}
