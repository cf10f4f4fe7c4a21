//! The order of norms by identity: the norms put in order where they lie, party by party,
//! sorted on identities packed into numbers.

use super::identity::NormId;
use super::identity::NormKey;
use super::norms::Runs;

/// The identities of the norms that were ever active, put into order of identity where they lie,
/// and what `record` makes of each from its number and runs, in the same order in two lists: the
/// second empty below a threshold, and past it each made on a thread of its own.
///
/// A world may have hundreds of thousands of norms, numbered as the walk met them, and a sort
/// that fetched each identity from where its number puts it would fetch each from a different
/// place in memory, as would one that wrote each to its place in new memory. The norms are
/// first swapped, in place, into one bucket per party (the first part of an identity), a digit
/// of the party's number at a time (`by_party`), and each bucket is then sorted where it lies,
/// and its records made: a party's norms fit in the processor's caches. A bucket is sorted on
/// the identities packed into numbers that order as they do — party, modality and action in
/// one, and each of the first two arguments in one (none before any) — and equal packings
/// compare the identities (past two arguments, or with an action numbered from 2^30 - 1 or an
/// argument near the end of the range, which pack into one value with their neighbours).
/// Parties are numbers of the evaluation's names, so a table by party is as long as they are few.
pub(super) fn into_order<R: Send>(
    keys: Vec<NormKey>,
    runs: Vec<Runs>,
    record: impl Fn(NormId, &Runs) -> R + Sync,
) -> (Vec<NormKey>, [Vec<R>; 2]) {
    in_order(keys, runs, record, crate::halves::NORMS_ON_TWO_THREADS)
}

/// `into_order`, on two threads from `two_threads_from` norms on.
fn in_order<R: Send>(
    mut keys: Vec<NormKey>,
    mut runs: Vec<Runs>,
    record: impl Fn(NormId, &Runs) -> R + Sync,
    two_threads_from: usize,
) -> (Vec<NormKey>, [Vec<R>; 2]) {
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
    // Each norm swapped into one of sixteen buckets by the first digit of its party: `tops`
    // are the parties where they begin, and the last where they end.
    let shift = party_bits(parties).saturating_sub(DIGIT);
    by_digit(&mut keys, &mut runs, &mut ids, shift);
    let tops: Vec<usize> = (0..=1usize << DIGIT).map(|d| (d << shift).min(parties)).collect();
    // Then each of those buckets into order of party by the other digits, each party's norms
    // sorted where they lie and their records made, on one thread or, from `two_threads_from`
    // norms on, two: each takes the parties on its side of the boundary of a first digit's
    // bucket nearest the middle.
    let finish = |keys: &mut [NormKey], runs: &mut [Runs], ids: &mut [NormId], from: usize, to: usize| -> Vec<R> {
        let base = start.get(from).copied().unwrap_or(0);
        let at = |p: usize| start.get(p).map_or(0, |&s| s - base);
        for w in tops.windows(2).filter(|w| from <= w[0] && w[1] <= to) {
            let (lo, hi) = (at(w[0]), at(w[1]));
            if let (Some(k), Some(r), Some(i)) = (keys.get_mut(lo..hi), runs.get_mut(lo..hi), ids.get_mut(lo..hi)) {
                by_party(k, r, i, shift);
            }
        }
        let starts: Vec<usize> = (from..=to).map(at).collect();
        sort_each(&starts, keys, runs, ids, &record)
    };
    if kept < two_threads_from.max(2) {
        let records = finish(&mut keys, &mut runs, &mut ids, 0, parties);
        return (keys, [records, Vec::new()]);
    }
    let split = tops
        .iter()
        .copied()
        .min_by_key(|&p| start.get(p).map_or(usize::MAX, |&s| s.abs_diff(kept / 2)))
        .unwrap_or(parties);
    let mid = start.get(split).copied().unwrap_or(kept).min(kept);
    let (keys_a, keys_b) = keys.split_at_mut(mid);
    let (runs_a, runs_b) = runs.split_at_mut(mid);
    let (ids_a, ids_b) = ids.split_at_mut(mid);
    let (first, second) = crate::halves::join(
        || finish(keys_a, runs_a, ids_a, 0, split),
        || finish(keys_b, runs_b, ids_b, split, parties),
    );
    (keys, [first, second])
}

/// How many bits the party numbers below `parties` take, rounded up to whole digits.
fn party_bits(parties: usize) -> u32 {
    let bits = usize::BITS - parties.saturating_sub(1).leading_zeros();
    bits.div_ceil(DIGIT) * DIGIT
}

/// The bits of a party number taken at a time when norms are swapped into order of party.
const DIGIT: u32 = 4;

/// Swaps norms `keys` (with `runs` and `ids`) into order of party where they lie, a digit of
/// the party's number at a time from the highest, of the `bits` it takes: sixteen buckets by the
/// digit, then each bucket by the next. Each swap takes the next norm from where one of sixteen
/// buckets is being filled, a place in memory fetched a moment before, rather than from one of
/// as many places as there are parties.
fn by_party<T>(keys: &mut [NormKey], runs: &mut [T], ids: &mut [NormId], bits: u32) {
    let Some(shift) = bits.checked_sub(DIGIT) else { return };
    let start = by_digit(keys, runs, ids, shift);
    for w in start.windows(2) {
        let (lo, hi) = (w[0], w[1]);
        if let (Some(k), Some(r), Some(i)) = (keys.get_mut(lo..hi), runs.get_mut(lo..hi), ids.get_mut(lo..hi)) {
            by_party(k, r, i, shift);
        }
    }
}

/// Swaps norms `keys` (with `runs` and `ids`) into sixteen buckets where they lie, by the digit
/// of their party's number from bit `shift`, and returns where each bucket starts (and the last
/// ends).
fn by_digit<T>(keys: &mut [NormKey], runs: &mut [T], ids: &mut [NormId], shift: u32) -> [usize; (1 << DIGIT) + 1] {
    let digit = |k: &NormKey| (k.party >> shift) as usize % (1 << DIGIT);
    let mut start = [0usize; (1 << DIGIT) + 1];
    for k in keys.iter() {
        start[digit(k) + 1] += 1;
    }
    for d in 1..start.len() {
        start[d] += start[d - 1];
    }
    let mut next = start;
    for d in 0..1 << DIGIT {
        while next[d] < start[d + 1] {
            let at = next[d];
            let Some(q) = keys.get(at).map(digit) else { break };
            if q != d {
                keys.swap(at, next[q]);
                runs.swap(at, next[q]);
                ids.swap(at, next[q]);
            }
            next[q] += 1;
        }
    }
    start
}

/// Sorts each bucket where it lies, `starts` giving where each begins and the next ends: its order
/// found on the packed identities, then the bucket permuted into it by following cycles. Returns
/// the record of each norm in the new order, made as its bucket is sorted, while its runs are
/// at hand.
fn sort_each<R>(
    starts: &[usize],
    keys: &mut [NormKey],
    runs: &mut [Runs],
    ids: &mut [NormId],
    record: impl Fn(NormId, &Runs) -> R,
) -> Vec<R> {
    let mut records = Vec::with_capacity(keys.len());
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
        if let (Some(ids), Some(runs)) = (ids.get(lo..hi), runs.get(lo..hi)) {
            records.extend(ids.iter().zip(runs).map(|(&id, r)| record(id, r)));
        }
    }
    records
}

/// A norm's identity packed into three numbers that order as it does, up to ties. Past the first
/// number that packs two values into one, the rest are left equal.
fn packed(k: &NormKey) -> [u64; 3] {
    let action = u64::from(k.action).min((1 << 30) - 1);
    let mut words = [(u64::from(k.party) << 32) | ((k.modality as u64) << 30) | action, 0, 0];
    if action < (1 << 30) - 1 {
        pack_pairs(&mut words[1..], &k.args);
    }
    words
}

/// Packs the first of `pairs` into `words`, one number each that orders as the pair does, one
/// more than the pair so that none comes before any; past a pair at the end of the range, which
/// packs into the same number as its neighbour, the rest are left as they are (zero) and the tie
/// to the caller.
pub(crate) fn pack_pairs(words: &mut [u64], pairs: &[(u32, u32)]) {
    for (word, &(a, b)) in words.iter_mut().zip(pairs) {
        *word = ((u64::from(a) << 32) | u64::from(b)).saturating_add(1);
        if *word == u64::MAX {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;
    use crate::calendar::Day;
    use casus_syntax::ast::Modality;

    /// The bits the party numbers below a count take, in whole digits of four.
    #[test]
    fn party_numbers_take_whole_digits() {
        for (parties, bits) in [(0, 0), (1, 0), (2, 4), (16, 4), (17, 8), (256, 8), (257, 12)] {
            assert_eq!(party_bits(parties), bits, "{parties} parties");
        }
    }

    proptest! {
        // Cases from `PROPTEST_CASES` (256 by default); no regression files.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        /// Norms come out of `into_order` in the order of their identities, whatever the
        /// packing leaves to the identities themselves: more than two arguments, an action past
        /// 2^30, roles at the end of the range; each beside the record made from its own number
        /// and runs. Norms never active are left out. The norms come in any order, of a few
        /// parties (one digit of a party's number) or of hundreds (three), and their buckets are
        /// sorted on one thread or two, as `two_threads_from` says.
        #[test]
        fn into_order_is_the_order_of_identities(
            two_threads_from in 0..48usize,
            keys in proptest::collection::btree_set(
                (prop_oneof![0..6u32, 0..300u32], 0..3usize, prop_oneof![0..3u32, Just(u32::MAX - 1), Just(u32::MAX)],
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
            let (sorted, [first, second]) = in_order(keys.clone(), runs.clone(), |id, r| (id, r.all().collect::<Vec<_>>()), two_threads_from);
            // Below the threshold, one list of records.
            prop_assert!(second.is_empty() || sorted.len() >= two_threads_from.max(2));
            let records: Vec<_> = first.into_iter().chain(second).collect();
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
