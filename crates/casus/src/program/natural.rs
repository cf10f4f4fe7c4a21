//! The order of article numbers, as people number articles: numbers compare as numbers, so
//! that art. 3 comes before art. 16, and `16(2)` after `16`.

/// A part of an article number: numbers compare as numbers, so that art. 3 comes before art. 16.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part<'a> {
    /// A run of digits.
    Number(u64),
    /// Anything else.
    Text(&'a str),
}

/// The order of article numbers: `3` < `16` < `16(2)` < `II`.
pub fn natural(id: &str) -> Vec<Part<'_>> {
    parts(id).collect()
}

/// The parts of an article number, in order, for comparing without collecting them.
pub fn parts(id: &str) -> impl Iterator<Item = Part<'_>> {
    let mut rest = id;
    std::iter::from_fn(move || {
        let digits = rest.chars().next()?.is_ascii_digit();
        let n = rest.find(|x: char| x.is_ascii_digit() != digits).unwrap_or(rest.len());
        let (run, tail) = rest.split_at(n);
        rest = tail;
        Some(match run.parse::<u64>() {
            Ok(v) if digits => Part::Number(v),
            _ => Part::Text(run),
        })
    })
}
