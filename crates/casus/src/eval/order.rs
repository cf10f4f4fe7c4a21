//! The order of norms by identity: the norms put in order where they lie, party by party,
//! sorted on identities packed into numbers.

use super::identity::NormId;
use super::identity::NormKey;
use super::norms::Runs;

/// The identities of the norms that were ever active, put into order of identity where they lie,
/// each beside what `record` makes of it from its number and runs.
///
/// A world may have hundreds of thousands of norms, numbered as the walk met them, and a sort
/// that fetched each identity from where its number puts it would fetch each from a different
/// place in memory, as would one that wrote each to its place in new memory. The norms are
/// first swapped, in place, into one bucket per party (the first part of an identity; each swap
/// writes at the end of a bucket, a few places in memory at a time), and each bucket is then
/// sorted where it lies: a party's norms fit in the processor's caches. A bucket is sorted on
/// the identities packed into numbers that order as they do — party, modality and action in
/// one, and each of the first two arguments in one (none before any) — and equal packings
/// compare the identities (past two arguments, or with an action numbered from 2^30 - 1 or an
/// argument near the end of the range, which pack into one value with their neighbours).
/// Parties are numbers of the evaluation's names, so a table by party is as long as they are few.
pub(super) fn into_order<R>(
    keys: Vec<NormKey>,
    runs: Vec<Runs>,
    record: impl FnMut(NormId, &Runs) -> R,
) -> (Vec<NormKey>, Vec<R>) {
    in_order(keys, runs, record, crate::halves::NORMS_ON_TWO_THREADS)
}

/// `into_order`, its buckets sorted on two threads from `two_threads_from` norms on.
fn in_order<R>(
    mut keys: Vec<NormKey>,
    mut runs: Vec<Runs>,
    mut record: impl FnMut(NormId, &Runs) -> R,
    two_threads_from: usize,
) -> (Vec<NormKey>, Vec<R>) {
    // The norms ever active, with their numbers, moved to the front in order.
    let mut ids: Vec<NormId> = Vec::with_capacity(keys.len());
    let mut kept = 0;
    for at in 0..keys.len().min(runs.len()) {
        if runs.get(at).is_some_and(|r| r.open().is_some() || !r.done.is_empty()) {
            keys.swap(kept, at);
            runs.swap(kept, at);
            ids.push(crate::intern::number(at));
            kept += 1;
        }
    }
    keys.truncate(kept);
    runs.truncate(kept);
    // Where each party's bucket starts and ends: `start[p]` to `start[p + 1]`.
    let parties = keys.iter().map(|k| k.party as usize + 1).max().unwrap_or(0);
    let mut start = vec![0usize; parties + 1];
    for k in &keys {
        if let Some(n) = start.get_mut(k.party as usize + 1) {
            *n += 1;
        }
    }
    for p in 1..start.len() {
        start[p] += start[p - 1];
    }
    // Each norm swapped into its party's bucket: the next place not yet filled there.
    let mut next = start.clone();
    for p in 0..parties {
        let end = start.get(p + 1).copied().unwrap_or(0);
        while let Some(&at) = next.get(p).filter(|&&at| at < end) {
            let Some(q) = keys.get(at).map(|k| k.party as usize) else { break };
            let Some(to) = next.get_mut(q) else { break };
            if q != p {
                keys.swap(at, *to);
                runs.swap(at, *to);
                ids.swap(at, *to);
            }
            *to += 1;
        }
    }
    // Each bucket sorted where it lies.
    sort_buckets(&start, &mut keys, &mut runs, &mut ids, two_threads_from);
    let records = ids.iter().zip(&runs).map(|(&id, r)| record(id, r)).collect();
    (keys, records)
}

/// Sorts each bucket where it lies, `start` giving where each begins and the next ends. From
/// `two_threads_from` norms on, the buckets are split in two at the bucket boundary nearest the
/// middle, and each half sorted on a thread of its own: a cascade's norms are millions, and the
/// walk before used one processor.
fn sort_buckets<R: Send>(
    start: &[usize],
    keys: &mut [NormKey],
    runs: &mut [R],
    ids: &mut [NormId],
    two_threads_from: usize,
) {
    if keys.len() < two_threads_from.max(2) {
        return sort_each(start, keys, runs, ids);
    }
    let split = start.partition_point(|&s| s < keys.len() / 2).min(start.len().saturating_sub(1));
    let mid = start.get(split).copied().unwrap_or(0).min(keys.len());
    let first = start.get(..=split).unwrap_or(&[]);
    let second: Vec<usize> = start.get(split..).unwrap_or(&[]).iter().map(|&s| s - mid).collect();
    let (keys_a, keys_b) = keys.split_at_mut(mid);
    let (runs_a, runs_b) = runs.split_at_mut(mid);
    let (ids_a, ids_b) = ids.split_at_mut(mid);
    crate::halves::join(|| sort_each(first, keys_a, runs_a, ids_a), || sort_each(&second, keys_b, runs_b, ids_b));
}

/// Sorts each bucket where it lies, `starts` giving where each begins and the next ends: its order
/// found on the packed identities, then the bucket permuted into it by following cycles.
fn sort_each<R>(starts: &[usize], keys: &mut [NormKey], runs: &mut [R], ids: &mut [NormId]) {
    let mut order: Vec<([u64; 3], u32)> = Vec::new();
    let mut target: Vec<u32> = Vec::new();
    for w in starts.windows(2) {
        let (lo, hi) = (w[0], w[1]);
        let Some(bucket) = keys.get(lo..hi) else { continue };
        order.clear();
        order.extend(bucket.iter().enumerate().map(|(i, k)| (packed(k), crate::intern::number(i))));
        // Sorted on the numbers alone, then each run of equal packings by the identities.
        order.sort_unstable();
        for run in order.chunk_by_mut(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
            run.sort_unstable_by(|a, b| bucket.get(a.1 as usize).cmp(&bucket.get(b.1 as usize)));
        }
        // `target[i]`: where the norm now at `i` goes.
        target.clear();
        target.resize(order.len(), 0);
        for (to, &(_, from)) in order.iter().enumerate() {
            if let Some(t) = target.get_mut(from as usize) {
                *t = crate::intern::number(to);
            }
        }
        for i in 0..target.len() {
            while let Some(&t) = target.get(i).filter(|&&t| t as usize != i) {
                let (a, b) = (lo + i, lo + t as usize);
                keys.swap(a, b);
                runs.swap(a, b);
                ids.swap(a, b);
                target.swap(i, t as usize);
            }
        }
    }
}

/// A norm's identity packed into three numbers that order as it does, up to ties. Past the first
/// number that packs two values into one, the rest are left equal.
fn packed(k: &NormKey) -> [u64; 3] {
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

        /// Norms come out of `into_order` in the order of their identities, whatever the
        /// packing leaves to the identities themselves: more than two arguments, an action past
        /// 2^30, roles at the end of the range; each beside the record made from its own number
        /// and runs. Norms never active are left out. The norms come in any order, and their
        /// buckets are sorted on one thread or two, as `two_threads_from` says.
        #[test]
        fn into_order_is_the_order_of_identities(
            two_threads_from in 0..48usize,
            keys in proptest::collection::btree_set(
                (0..6u32, 0..3usize, prop_oneof![0..3u32, Just(u32::MAX - 1), Just(u32::MAX)],
                 proptest::collection::vec((prop_oneof![0..3u32, Just(u32::MAX - 1), Just(u32::MAX)], prop_oneof![0..3u32, Just(u32::MAX - 1), Just(u32::MAX)]), 0..4),
                 0..2usize, 0..2u32, any::<bool>()),
                0..40,
            ).prop_flat_map(|set| Just(set.into_iter().collect::<Vec<_>>()).prop_shuffle()),
        ) {
            let modalities = [Modality::Must, Modality::MustNot, Modality::May];
            // Each active norm's run opens on a day of its own, so that a record made from
            // another norm's runs shows.
            let (keys, runs): (Vec<NormKey>, Vec<Runs>) = keys
                .into_iter()
                .enumerate()
                .map(|(n, (party, m, action, args, instrument, article, active))| {
                    let key = NormKey { party, modality: modalities[m], action, args: args.into_iter().collect(), instrument, article };
                    let mut runs = Runs::default();
                    if active {
                        runs.open_from(Day(i32::try_from(n).unwrap()));
                    }
                    (key, runs)
                })
                .collect();
            let (sorted, records) = in_order(keys.clone(), runs.clone(), |id, r| (id, r.all().collect::<Vec<_>>()), two_threads_from);
            for (k, (id, all)) in sorted.iter().zip(&records) {
                prop_assert_eq!(k, &keys[*id as usize]);
                prop_assert_eq!(all, &runs[*id as usize].all().collect::<Vec<_>>());
            }
            let mut expected: Vec<NormKey> =
                keys.iter().zip(&runs).filter(|(_, r)| r.open().is_some()).map(|(k, _)| k.clone()).collect();
            expected.sort();
            prop_assert_eq!(sorted.len(), records.len());
            prop_assert_eq!(sorted, expected);
        }
    }
}
