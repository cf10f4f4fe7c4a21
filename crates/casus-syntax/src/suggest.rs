//! "Did you mean …?": the one way casus guesses what a misspelt name was meant to be.

/// The candidate nearest to `name`, if it is near enough to be a likely misspelling: at most two
/// edits away (a quarter of the name, for long names), and fewer edits than the candidate has
/// characters. A difference of case alone counts as the nearest of all (`prk` for `PRK`). Ties go
/// to the candidate first in alphabetical order, so the guess never depends on the order given.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = 2.max(name.chars().count() / 4);
    candidates
        .into_iter()
        .map(|c| {
            let d = if c.eq_ignore_ascii_case(name) { 0 } else { strsim::damerau_levenshtein(name, c) };
            (d, c)
        })
        .filter(|&(d, c)| d <= limit && d < c.chars().count())
        .min()
        .map(|(_, c)| c)
}

/// `did you mean `X`?`, when a candidate is near enough to `name`: the help line of every
/// diagnostic about a name that is not known.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    nearest(name, candidates).map(|n| format!("did you mean `{n}`?"))
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn near_names_are_suggested_and_far_ones_not() {
        let kinds = ["armed_attack", "threat", "sanctions"];
        assert_eq!(nearest("armed_atack", kinds), Some("armed_attack"));
        assert_eq!(nearest("treat", kinds), Some("threat"));
        assert_eq!(nearest("mobilization", kinds), None);
        assert_eq!(nearest("prk", ["PRK", "PER"]), Some("PRK"));
        assert_eq!(nearest("RUZ", ["RUS", "RWA"]), Some("RUS"));
        assert_eq!(nearest("ab", ["a"]), None, "a one-letter name is never a guess");
    }
}
