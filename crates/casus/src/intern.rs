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

    fn insert(&mut self, hash: u64, value: T) -> u32 {
        let n = number(self.values.len());
        note(&mut self.numbers, &self.values, |v| FxBuildHasher.hash_one(v), hash, n);
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
/// one built by reading the values in order, with room for as many again: growing it in place
/// would read them in the table's order, one cache miss each once they outgrow the cache.
pub(crate) fn note<T>(table: &mut hashbrown::HashTable<u32>, values: &[T], hash: impl Fn(&T) -> u64, h: u64, n: u32) {
    let rehash = |&m: &u32| values.get(m as usize).map_or(0, &hash);
    if table.len() == table.capacity() {
        let mut grown = hashbrown::HashTable::with_capacity((2 * values.len()).max(4));
        for (m, v) in values.iter().enumerate() {
            grown.insert_unique(hash(v), number(m), rehash);
        }
        *table = grown;
    }
    table.insert_unique(h, n, rehash);
}

/// A count, position or index as the 32-bit number casus keeps it: more than 2^32 of anything
/// (values, facts of a day, norms, rules) does not fit in memory long before it overflows.
pub(crate) fn number(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::Interner;

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
}
