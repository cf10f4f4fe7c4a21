//! Numbering values: each distinct value gets a number once, and the number gives the value back.
//!
//! One interner serves every table that numbers things — names (a program's symbols), the facts
//! and acts of a walk, the norms it meets — so that maps and caches hold small integers instead
//! of copies. Each value is held once, in the list the numbers index; the hash table holds only
//! numbers, found by the value's hash.

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash};

use rustc_hash::FxBuildHasher;

/// Distinct values, numbered from 0 in the order they were first given.
#[derive(Clone, Debug)]
pub struct Interner<T> {
    numbers: hashbrown::HashTable<u32>,
    values: Vec<T>,
}

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Interner { numbers: hashbrown::HashTable::new(), values: Vec::new() }
    }
}

impl<T: Hash + Eq> Interner<T> {
    /// The number of `value`, numbering it if it is new.
    pub fn intern(&mut self, value: T) -> u32 {
        let hash = FxBuildHasher.hash_one(&value);
        if let Some(&n) = self.numbers.find(hash, |&n| self.values.get(n as usize) == Some(&value)) {
            return n;
        }
        self.insert(hash, value)
    }

    /// The number of a value given by reference, numbering an owned copy of it if it is new.
    pub fn intern_ref<Q>(&mut self, value: &Q) -> u32
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized + ToOwned,
        Q::Owned: Into<T>,
    {
        let hash = FxBuildHasher.hash_one(value);
        if let Some(n) = self.find(hash, value) {
            return n;
        }
        self.insert(hash, value.to_owned().into())
    }

    /// The number of `value`, if it has one.
    pub fn get<Q>(&self, value: &Q) -> Option<u32>
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find(FxBuildHasher.hash_one(value), value)
    }

    fn find<Q>(&self, hash: u64, value: &Q) -> Option<u32>
    where
        T: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        self.numbers.find(hash, |&n| self.values.get(n as usize).is_some_and(|v| v.borrow() == value)).copied()
    }

    /// The numbers of a batch of values, in order, into `out`, numbering those that are new, as
    /// numbering them one by one would ([`number_batch`]).
    pub fn intern_all(&mut self, batch: impl IntoIterator<Item = T>, out: &mut impl Extend<u32>) {
        let first = self.values.len();
        self.values.extend(batch);
        let mut placed = Vec::new();
        number_batch(&mut self.numbers, &mut self.values, first, |v| FxBuildHasher.hash_one(v), T::eq, &mut placed);
        out.extend(placed.into_iter().map(|(n, _)| n));
    }

    fn insert(&mut self, hash: u64, value: T) -> u32 {
        let n = number(self.values.len());
        note(&mut self.numbers, &self.values, &|v: &T| FxBuildHasher.hash_one(v), hash, n);
        self.values.push(value);
        n
    }
}

impl<T> Interner<T> {
    /// The value numbered `n`, a number this interner gave out.
    pub fn resolve(&self, n: u32) -> &T {
        // PANIC SAFETY: numbers come only from `intern`, and a value once numbered stays.
        &self.values[n as usize]
    }

    /// The value numbered `n`, if there is one.
    pub fn value(&self, n: u32) -> Option<&T> {
        self.values.get(n as usize)
    }

    /// Every value, in the order of their numbers.
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// The values, in the order of their numbers, without the table that finds them.
    pub fn into_values(self) -> Vec<T> {
        self.values
    }

    /// How many values there are.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Notes `n`, the number after those of `values`, for a value whose hash is `h`, in `table`, which
/// holds the numbers of `values` alone (`hash` gives a value's hash). A full table is replaced by
/// one built from the values read in order ([`in_order`]), with room for as many again: growing
/// it in place would read them in the table's order, one cache miss each once they outgrow the
/// cache.
pub(crate) fn note<T>(table: &mut hashbrown::HashTable<u32>, values: &[T], hash: &impl Fn(&T) -> u64, h: u64, n: u32) {
    if table.len() == table.capacity() {
        *table = hashbrown::HashTable::new();
        *table = in_order(values, hash, 2 * values.len(), SLICE);
    }
    table.insert_unique(h, n, |&m| values.get(m as usize).map_or(0, hash));
}

/// How many values a batch takes to be looked up part by part of its table; fewer are looked up
/// one by one, in order.
const IN_PARTS: usize = 1 << 12;

/// Numbers a batch of values in bulk, as numbering them one by one in order would.
///
/// `values[first..]` is the batch, pushed after the values `table` numbers (`values[..first]`,
/// each once, numbered by position). A value of the batch equal to one numbered before it, or to
/// one before it in the batch, is taken out of `values` and given that one's number; the others
/// stay, in order, and are numbered by their positions from `first` on. `out` gets each batch
/// value's number, and whether it is new, in the batch's order; `hash` and `eq` are the values'.
///
/// A large batch is looked up and put in the table part by part of the table: its hashes are
/// counted into the parts they point into, and the parts done in order, so that the table is
/// read and written as it lies rather than at random. A cascade's batches hold millions of
/// values, whose table outgrows the processor's caches: at random, each look-up missed them
/// twice, once for the table's control bytes and once for its numbers.
pub(crate) fn number_batch<V>(
    table: &mut hashbrown::HashTable<u32>,
    values: &mut Vec<V>,
    first: usize,
    hash: impl Fn(&V) -> u64,
    eq: impl Fn(&V, &V) -> bool,
    out: &mut Vec<(u32, bool)>,
) {
    number_batch_from(table, values, first, (hash, eq), out, (IN_PARTS, SLICE));
}

/// [`number_batch`], a batch of `in_parts` values or more being done part by part, `slice` of
/// them at a time.
fn number_batch_from<V>(
    table: &mut hashbrown::HashTable<u32>,
    values: &mut Vec<V>,
    first: usize,
    (hash, eq): (impl Fn(&V) -> u64, impl Fn(&V, &V) -> bool),
    out: &mut Vec<(u32, bool)>,
    (in_parts, slice): (usize, usize),
) {
    out.clear();
    let n = values.len().saturating_sub(first);
    if n < in_parts {
        // One by one, in order, each new value moved down to the place after the last one kept.
        let mut kept = first;
        for at in first..values.len() {
            let h = hash(&values[at]);
            let found = table.find(h, |&x| values.get(x as usize).is_some_and(|v| eq(v, &values[at])));
            if let Some(&q) = found {
                out.push((q, false));
                continue;
            }
            values.swap(kept, at);
            note(table, &values[..kept], &hash, h, number(kept));
            out.push((number(kept), true));
            kept += 1;
        }
        values.truncate(kept);
        return;
    }
    // Room for the whole batch first, so that the table does not grow while it is walked in parts.
    if table.len() + n > table.capacity() {
        // The table is built again from the values: the old one goes first.
        *table = hashbrown::HashTable::new();
        *table = in_order(&values[..first], &hash, (2 * first).max(first + n), slice);
    }
    out.resize(n, (0, false));
    for start in (first..values.len()).step_by(slice.max(1)) {
        let slice = &values[start..values.len().min(start + slice.max(1))];
        for (h, i) in by_part(table, slice.len(), |i| hash(&slice[i])) {
            let at = start + i as usize;
            let found = table.find(h, |&x| values.get(x as usize).is_some_and(|v| eq(v, &values[at])));
            out[at - first] = match found {
                Some(&q) => (q, false),
                None => {
                    table.insert_unique(h, number(at), |&x| values.get(x as usize).map_or(0, &hash));
                    (number(at), true)
                }
            };
        }
    }
    if out.iter().all(|&(_, new)| new) {
        return;
    }
    // Values found again leave gaps: the new ones move down to close them, in order, and the
    // table follows them; one equal to a value earlier in the batch takes that one's number.
    let mut kept = first;
    let mut moved: Vec<(usize, u32)> = Vec::new();
    for i in 0..n {
        let (q, new) = out[i];
        if new {
            if kept != first + i {
                values.swap(kept, first + i);
                moved.push((i, number(kept)));
            }
            out[i].0 = number(kept);
            kept += 1;
        } else if let Some(earlier) = (q as usize).checked_sub(first) {
            out[i].0 = out[earlier].0;
        }
    }
    values.truncate(kept);
    for (i, to) in moved {
        let was = number(first + i);
        let h = values.get(to as usize).map_or(0, &hash);
        if let Some(x) = table.find_mut(h, |&x| x == was) {
            *x = to;
        }
    }
}

/// A table numbering `values`, each once, with room for `room`: built part by part, `slice`
/// values at a time, as [`number_batch`] looks a batch up.
fn in_order<V>(values: &[V], hash: &impl Fn(&V) -> u64, room: usize, slice: usize) -> hashbrown::HashTable<u32> {
    let mut table = hashbrown::HashTable::with_capacity(room.max(4));
    for start in (0..values.len()).step_by(slice.max(1)) {
        let slice = &values[start..values.len().min(start + slice.max(1))];
        for (h, i) in by_part(&table, slice.len(), |i| hash(&slice[i])) {
            table.insert_unique(h, number(start) + i, |&x| values.get(x as usize).map_or(0, hash));
        }
    }
    table
}

/// How many values are ordered by part at a time: enough for many in each part, and few enough
/// that what orders them stays small. (Once glibc's allocator has freed a block of some
/// megabytes, it serves blocks up to that size from its heap, which holds on to them: ordering a
/// whole batch of 1.6 million acts made the larger cascade's peak 40 to 60 MiB higher.)
const SLICE: usize = 1 << 19;

/// The hashes of `n` values, `hash(i)` that of the `i`th, each with its `i`, in order of the part
/// of `table` each points into (and of `i` within a part), so that they are read in that order
/// as they lie: at most 4 096 parts, each a run of the table's buckets. Each hash is computed
/// once and kept in order of `i`, read in that order to count the parts and again to place it:
/// hashing a value again (an identity of 48 bytes) cost more than reading it back. The
/// table's buckets are a power of two, each found by the hash's lowest bits; its capacity is
/// seven eighths of them, or one less when there are fewer than eight. Were that to change, the
/// order would only be slower, never wrong.
fn by_part(table: &hashbrown::HashTable<u32>, n: usize, hash: impl Fn(usize) -> u64) -> Vec<(u64, u32)> {
    let buckets = (table.capacity() + 1).next_power_of_two() as u64;
    let bits = buckets.trailing_zeros();
    let shift = bits.saturating_sub(12);
    let part = |h: u64| ((h & (buckets - 1)) >> shift) as usize;
    let mut starts = vec![0u32; (buckets >> shift) as usize + 1];
    let hashes: Vec<u64> = (0..n).map(hash).collect();
    for &h in &hashes {
        starts[part(h) + 1] += 1;
    }
    for p in 1..starts.len() {
        starts[p] += starts[p - 1];
    }
    let mut order = vec![(0u64, 0u32); n];
    for (i, &h) in hashes.iter().enumerate() {
        let slot = &mut starts[part(h)];
        order[*slot as usize] = (h, number(i));
        *slot += 1;
    }
    order
}

/// A count, position or index as the 32-bit number casus keeps it: more than 2^32 of anything
/// (values, facts of a day, norms, rules) does not fit in memory long before it overflows.
pub(crate) fn number(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use rustc_hash::FxBuildHasher;

    use super::{Interner, number};

    #[test]
    fn values_are_numbered_once_in_order() {
        let mut names: Interner<Box<str>> = Interner::default();
        assert_eq!(names.intern_ref("RUS"), 0);
        assert_eq!(names.intern_ref("PRK"), 1);
        assert_eq!(names.intern_ref("RUS"), 0);
        assert_eq!(names.get("PRK"), Some(1));
        assert_eq!(names.get("UKR"), None);
        assert_eq!(names.value(1).map(|v| &**v), Some("PRK"));
        let mut pairs: Interner<(u32, u32)> = Interner::default();
        assert_eq!(pairs.intern((1, 2)), 0);
        assert_eq!(pairs.intern((1, 2)), 0);
        assert_eq!(pairs.len(), 1);
    }

    #[test]
    fn a_table_grown_many_times_finds_every_value() {
        let mut pairs: Interner<(u32, u32)> = Interner::default();
        for i in 0..10_000u32 {
            assert_eq!(pairs.intern((i, i ^ 0x5555)), i);
        }
        for i in 0..10_000u32 {
            assert_eq!(pairs.get(&(i, i ^ 0x5555)), Some(i));
            assert_eq!(pairs.intern((i, i ^ 0x5555)), i, "numbered once");
        }
        assert_eq!(pairs.get(&(10_000, 0)), None);
        assert_eq!(pairs.len(), 10_000);
    }

    proptest::proptest! {
        // Cases from `PROPTEST_CASES` (256 by default); no regression files.
        #![proptest_config(proptest::prelude::ProptestConfig {
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// A batch is numbered as the model of first coming numbers it: each value the number of
        /// its first coming, before the batch or in it; the values kept once each, in that order;
        /// and the table finding each at its number. Done one by one and part by part (from one
        /// value, or a few, on, in slices of one value or more), with the values' own hash and with
        /// one that sends most of them to the same place, so that equal hashes meet and values
        /// found again leave gaps to close.
        #[test]
        fn a_batch_is_numbered_in_order_of_first_coming(
            before in proptest::collection::vec(0u16..200, 0..150),
            batch in proptest::collection::vec(0u16..200, 0..400),
            in_parts in proptest::prop_oneof![
                proptest::strategy::Just(0usize),
                proptest::strategy::Just(1),
                proptest::strategy::Just(5),
                proptest::strategy::Just(usize::MAX)
            ],
            slice in proptest::prop_oneof![
                proptest::strategy::Just(1usize),
                proptest::strategy::Just(3),
                proptest::strategy::Just(64),
                proptest::strategy::Just(super::SLICE)
            ],
            crowded in proptest::bool::ANY,
        ) {
            let fx = |v: &u16| FxBuildHasher.hash_one(v);
            let few = |v: &u16| u64::from(*v % 3) << 40;
            let hash = |v: &u16| if crowded { few(v) } else { fx(v) };
            let mut model: Vec<u16> = Vec::new();
            let mut number_of = |v: u16| match model.iter().position(|x| *x == v) {
                Some(n) => (number(n), false),
                None => {
                    model.push(v);
                    (number(model.len() - 1), true)
                }
            };
            let mut table = hashbrown::HashTable::new();
            let mut values: Vec<u16> = Vec::new();
            let mut out = Vec::new();
            for &v in &before {
                let first = values.len();
                values.push(v);
                let one_by_one = (usize::MAX, super::SLICE);
                super::number_batch_from(&mut table, &mut values, first, (hash, u16::eq), &mut out, one_by_one);
                proptest::prop_assert_eq!(&out, &vec![number_of(v)]);
            }
            let first = values.len();
            values.extend(&batch);
            super::number_batch_from(&mut table, &mut values, first, (hash, u16::eq), &mut out, (in_parts, slice));
            let expected: Vec<(u32, bool)> = batch.iter().map(|&v| number_of(v)).collect();
            proptest::prop_assert_eq!(out, expected);
            proptest::prop_assert_eq!(&values, &model);
            proptest::prop_assert_eq!(table.len(), model.len());
            for (n, v) in model.iter().enumerate() {
                let found = table.find(hash(v), |&x| values.get(x as usize) == Some(v)).copied();
                proptest::prop_assert_eq!(found, Some(number(n)));
            }
        }
    }
}
