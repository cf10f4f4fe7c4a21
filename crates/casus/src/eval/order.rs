//! The order of norms by identity, computed on identities packed into numbers.

use super::identity::NormId;
use super::identity::NormKey;
use super::norms::Runs;

/// The numbers of the norms that were ever active, in order of identity. They are sorted on the
/// identity packed into numbers that order as it does — party, modality and action in one, and
/// each of the first two arguments in one (none before any) — so that most comparisons do not
/// reach the identities, which lie apart in memory; equal packings compare the identities (past
/// two arguments, or with an action numbered from 2^30 - 1 or an argument near the end of the
/// range, which pack into one value with their neighbours).
pub(super) fn sorted_order(keys: &[NormKey], runs: &[Runs]) -> Vec<NormId> {
    let packed = |k: &NormKey| {
        // Past the first number that packs two values into one, the rest are left equal.
        let action = u64::from(k.action).min((1 << 30) - 1);
        let mut words = [(u64::from(k.party) << 32) | ((k.modality as u64) << 30) | action, 0, 0];
        if action < (1 << 30) - 1 {
            for (word, &(role, value)) in words[1..].iter_mut().zip(&k.args) {
                *word = ((u64::from(role) << 32) | u64::from(value)).saturating_add(1);
                if *word == u64::MAX {
                    break;
                }
            }
        }
        words
    };
    let mut by_packed: Vec<([u64; 3], NormId)> = Vec::with_capacity(keys.len());
    by_packed.extend(
        keys.iter()
            .zip(runs)
            .enumerate()
            .filter(|(_, (_, r))| r.open().is_some() || !r.done.is_empty())
            .map(|(id, (k, _))| (packed(k), NormId::try_from(id).unwrap_or(NormId::MAX))),
    );
    // Sorted on the numbers alone, then each run of equal packings by the identities.
    by_packed.sort_unstable();
    for run in by_packed.chunk_by_mut(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        run.sort_unstable_by(|a, b| keys[a.1 as usize].cmp(&keys[b.1 as usize]));
    }
    by_packed.into_iter().map(|(_, id)| id).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;
    use crate::calendar::Day;
    use casus_syntax::ast::Modality;

    proptest! {
        // Cases from `PROPTEST_CASES` (256 by default); no regression files.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        /// Norms come out of `sorted_order` in the order of their identities, whatever the
        /// packing leaves to the identities themselves: more than two arguments, an action past
        /// 2^30, roles at the end of the range. Norms never active are left out.
        #[test]
        fn sorted_order_is_the_order_of_identities(
            keys in proptest::collection::btree_set(
                (0..3u32, 0..3usize, prop_oneof![0..3u32, Just(u32::MAX - 1), Just(u32::MAX)],
                 proptest::collection::vec((prop_oneof![0..3u32, Just(u32::MAX - 1), Just(u32::MAX)], prop_oneof![0..3u32, Just(u32::MAX - 1), Just(u32::MAX)]), 0..4),
                 0..2usize, 0..2u32, any::<bool>()),
                0..40,
            ),
        ) {
            let modalities = [Modality::Must, Modality::MustNot, Modality::May];
            let (keys, runs): (Vec<NormKey>, Vec<Runs>) = keys
                .into_iter()
                .map(|(party, m, action, args, instrument, article, active)| {
                    let key = NormKey { party, modality: modalities[m], action, args: args.into_iter().collect(), instrument, article };
                    let mut runs = Runs::default();
                    if active {
                        runs.open_from(Day(0));
                    }
                    (key, runs)
                })
                .collect();
            let sorted: Vec<&NormKey> = sorted_order(&keys, &runs).into_iter().map(|i| &keys[i as usize]).collect();
            let mut expected: Vec<&NormKey> = keys.iter().zip(&runs).filter(|(_, r)| r.open().is_some()).map(|(k, _)| k).collect();
            expected.sort();
            expected.dedup();
            prop_assert_eq!(sorted.len(), expected.len());
            prop_assert_eq!(sorted, expected);
        }
    }
}
