//! The dense cascade: N states, M bilateral defence pacts drawn by preferential attachment, one
//! attack, the compliance assumption and co-belligerency — the same closure written for casus,
//! for a tabled Prolog and for an answer-set grounder, so that the three can be timed side by
//! side and their counts compared.
//!
//! In the peers' words the closure is
//!
//! ```text
//! oblig(P, V, A) :- war(A, V), ally(P, V), P != A.
//! war(P, A)      :- oblig(P, V, A).
//! ```
//!
//! and in casus one treaty per pact, whose article 1 obliges the party other than the victim to
//! assist it against an attacker that is not a party (in a pact of two, exactly `P != A`), and a
//! `deem` that makes a party assisting V against A itself at war with A.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::code;

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dense {
    /// How many states.
    pub states: usize,
    /// How many pacts: at most one per pair of states, so at most `states * (states - 1) / 2`.
    pub pacts: usize,
    /// The seed: the same seed gives the same world.
    pub seed: u64,
}

/// A dense cascade in three languages.
#[derive(Clone, Debug)]
pub struct Cascade {
    /// How many states: at least two.
    pub states: usize,
    /// The pacts, as pairs of state numbers (the smaller first).
    pub pacts: Vec<(usize, usize)>,
    /// The attack: state 0 on state 1.
    pub attack: (usize, usize),
    /// casus rule files: a relative path and its text.
    pub rules: Vec<(String, String)>,
    /// The casus scenario, naming `rules` as its rule folder.
    pub scenario: String,
    /// The same closure for SWI-Prolog, with tabling.
    pub prolog: String,
    /// The same closure for clingo.
    pub asp: String,
}

/// Pacts per rule file.
const PER_FILE: usize = 250;
/// The day both parties sign and ratify a pact, and it enters into force.
const SIGNED: &str = "1990-01-01";
/// The day of the attack, and the report's date: late enough for any cascade to complete, as
/// it spreads one step a day (an assumed act counts from the day after its due date).
const ATTACK: &str = "2000-01-01";
const AS_OF: &str = "2099-12-31";

/// The vocabulary: the fact, the action and the co-belligerency rule.
const VOCABULARY: &str = "\
# The vocabulary of a dense cascade.
fact armed_attack(by, on)
action assist_militarily(ally, against)

# Co-belligerency: a party that assists V against A is itself at war with A.
deem armed_attack(by: P, on: A)
  if P performs assist_militarily(ally: V, against: A) and armed_attack(by: A, on: V)
";

/// Generates a dense cascade.
pub fn cascade(config: &Dense) -> Cascade {
    let n = config.states.max(2);
    let pacts = attach(n, config.pacts, config.seed);
    let codes: Vec<String> = (0..n).map(code).collect();
    let mut rules = vec![("rules/vocabulary.casus".to_string(), VOCABULARY.to_string())];
    for (f, chunk) in pacts.chunks(PER_FILE).enumerate() {
        let mut text = String::new();
        for (k, &(a, b)) in chunk.iter().enumerate() {
            let t = f * PER_FILE + k;
            if k > 0 {
                text.push('\n');
            }
            let _ = write!(
                text,
                "treaty pact_{t:05} \"Pact {t}\" {{\n  parties {{\n    {a} signed {SIGNED} ratified {SIGNED}\n    {b} signed {SIGNED} ratified {SIGNED}\n  }}\n  in force on {SIGNED}\n\n  article 1 \"Defence\" {{\n    text \"If a party is attacked, the other shall assist it.\"\n    if armed_attack(by: A, on: V) and V is party and A is not party\n    then every party P other than V must assist_militarily(ally: V, against: A) without delay\n  }}\n}}\n",
                a = codes[a],
                b = codes[b]
            );
        }
        rules.push((format!("rules/pacts_{f:03}.casus"), text));
    }
    let attack = (0, 1);
    let scenario = format!(
        "// A dense cascade: {n} states, {m} pacts (seed {seed}), one attack.\nScenario(\n    title: \"Dense cascade ({n} states, {m} pacts)\",\n    rules: [\"rules\"],\n    as_of: \"{AS_OF}\",\n    assume_compliance: true,\n    events: [\n        Fact(kind: \"armed_attack\", args: {{\"by\": \"{by}\", \"on\": \"{on}\"}}, from: \"{ATTACK}\"),\n    ],\n)\n",
        m = pacts.len(),
        seed = config.seed,
        by = codes[attack.0],
        on = codes[attack.1],
    );
    let mut allies = String::new();
    for &(a, b) in &pacts {
        let _ = writeln!(allies, "ally({a}, {b}).\nally({b}, {a}).");
    }
    let prolog = format!(
        ":- table war/2, oblig/3.\n{allies}attack({}, {}).\nwar(A, V) :- attack(A, V).\nwar(P, A) :- oblig(P, _, A).\noblig(P, V, A) :- war(A, V), ally(P, V), P \\== A.\n",
        attack.0, attack.1
    );
    let asp = format!(
        "{allies}attack({}, {}).\nwar(A, V) :- attack(A, V).\nwar(P, A) :- oblig(P, _, A).\noblig(P, V, A) :- war(A, V), ally(P, V), P != A.\n",
        attack.0, attack.1
    );
    Cascade { states: n, pacts, attack, rules, scenario, prolog, asp }
}

/// `m` distinct pairs of `0..n` by preferential attachment: each pact's two states are drawn
/// with a weight of one more than the pacts they have, so that a few states gather many allies,
/// as in the real alliance network.
fn attach(n: usize, m: usize, seed: u64) -> Vec<(usize, usize)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let m = m.min(n * (n - 1) / 2);
    // One entry per state, and one more per end of each pact: a uniform draw from it is the
    // weighted draw.
    let mut urn: Vec<usize> = (0..n).collect();
    let mut seen: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut out = Vec::with_capacity(m);
    let mut misses = 0usize;
    while out.len() < m {
        let (a, b) = if misses < 64 {
            (urn[rng.random_range(0..urn.len())], urn[rng.random_range(0..urn.len())])
        } else {
            // A dense world leaves few free pairs to the weighted draw: take any free one.
            (rng.random_range(0..n), rng.random_range(0..n))
        };
        let pair = (a.min(b), a.max(b));
        if a == b || !seen.insert(pair) {
            misses += 1;
            continue;
        }
        misses = 0;
        urn.push(a);
        urn.push(b);
        out.push(pair);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacts_are_distinct_pairs_of_distinct_states() {
        let c = cascade(&Dense { states: 20, pacts: 150, seed: 3 });
        assert_eq!(c.pacts.len(), 150);
        let set: BTreeSet<_> = c.pacts.iter().copied().collect();
        assert_eq!(set.len(), 150);
        assert!(c.pacts.iter().all(|&(a, b)| a < b && b < 20));
        // More pacts than pairs gives every pair once.
        assert_eq!(cascade(&Dense { states: 5, pacts: 100, seed: 3 }).pacts.len(), 10);
    }
}
