//! Synthetic worlds for benchmarks and load tests: many states, many treaties, many events,
//! written as ordinary rule files and a scenario.
//!
//! The shapes are those of the real world, not uniform noise: a few large alliances and many
//! bilateral pacts; states that ally mostly within their region; defence articles with and
//! without regional limits, provocation clauses and deadlines; withdrawals; and events that come
//! in bursts around crises. The same configuration and seed always give the same files.

use std::fmt::Write as _;

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use casus::calendar::Day;

mod dense;
pub use dense::{Cascade, Dense, cascade};

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// How many states.
    pub states: usize,
    /// How many treaties.
    pub treaties: usize,
    /// How many scenario events.
    pub events: usize,
    /// The seed: the same seed gives the same world.
    pub seed: u64,
    /// Whether the scenario assumes compliance (for cascades).
    pub assume_compliance: bool,
}

/// A generated world: rule files and a scenario, as text.
#[derive(Clone, Debug)]
pub struct World {
    /// Rule files: a relative path and its text.
    pub rules: Vec<(String, String)>,
    /// The scenario, naming `rules` as its rule folder.
    pub scenario: String,
}

/// The first and last years over which treaties and events are spread.
const FIRST_YEAR: i16 = 1950;
const YEARS: i32 = 70;
const REGIONS: [&str; 10] = [
    "europe",
    "north_america",
    "north_atlantic",
    "mediterranean",
    "pacific",
    "south_atlantic",
    "asia",
    "middle_east",
    "africa",
    "south_america",
];
/// Treaties per rule file.
const PER_FILE: usize = 250;

/// Generates a world.
pub fn generate(config: &Config) -> World {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let states: Vec<String> = (0..config.states.max(2)).map(code).collect();
    let home: Vec<usize> = (0..states.len()).map(|_| rng.random_range(0..REGIONS.len())).collect();
    let start = Day::from_date(jiff::civil::date(FIRST_YEAR, 1, 1));
    let span = YEARS * 365;
    let mut rules = vec![("rules/vocabulary.casus".to_string(), vocabulary())];
    let mut file = String::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for t in 0..config.treaties {
        let (text, parties) = treaty(&mut rng, t, &states, &home, start, span);
        file.push_str(&text);
        members.push(parties);
        if (t + 1) % PER_FILE == 0 {
            rules.push((format!("rules/treaties_{:03}.casus", t / PER_FILE), std::mem::take(&mut file)));
        }
    }
    if !file.is_empty() {
        rules.push((format!("rules/treaties_{:03}.casus", config.treaties / PER_FILE), file));
    }
    let scenario = scenario(&mut rng, config, &states, &home, &members, start, span);
    World { rules, scenario }
}

/// The code of state number `n`: `AAA`, `AAB`, ... (little-endian base 26), upper-case codes of
/// three letters or more.
pub fn code(n: usize) -> String {
    let mut s = Vec::new();
    let mut n = n;
    for _ in 0..3 {
        s.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    while n > 0 {
        s.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn vocabulary() -> String {
    let mut v = String::from(
        "# Vocabulary of a synthetic world.\n\
         fact armed_attack(by, on, territory = on, region, provoked)\n\
         fact sanctions(by, on, kind)\n\
         fact threat(by, on)\n\
         action assist_militarily(ally, against) includes supply(item: arms, to: Ally)\n\
         action assist(ally, against)\n\
         action consult(with, about)\n\
         action supply(item, to)\n\
         action oppose_sanctions(on, by)\n\n",
    );
    for (n, r) in REGIONS.iter().enumerate() {
        let near: Vec<&str> = (0..3).map(|k| REGIONS[(n + k) % REGIONS.len()]).collect();
        let _ = writeln!(v, "group area_{r} = [{}]", near.join(", "));
    }
    v.push_str("\ndeem armed_attack(by: P, on: A, territory: T, region: R)\n  if P performs assist_militarily(ally: V, against: A) and armed_attack(by: A, on: V, territory: T, region: R)\n");
    v
}

/// One treaty: a few large alliances, many bilateral pacts, mostly within a region.
fn treaty(
    rng: &mut ChaCha8Rng,
    t: usize,
    states: &[String],
    home: &[usize],
    start: Day,
    span: i32,
) -> (String, Vec<usize>) {
    let large = rng.random_bool(0.02);
    let size = if large { rng.random_range(8..=(states.len() / 5).clamp(9, 40)) } else { 2 };
    let region = rng.random_range(0..REGIONS.len());
    let mut parties: Vec<usize> = Vec::new();
    while parties.len() < size.min(states.len()) {
        // Allies come mostly from the treaty's region.
        let candidate = if rng.random_bool(0.7) {
            let local: Vec<usize> = (0..states.len()).filter(|&s| home[s] == region).collect();
            local.choose(rng).copied().unwrap_or_else(|| rng.random_range(0..states.len()))
        } else {
            rng.random_range(0..states.len())
        };
        if !parties.contains(&candidate) {
            parties.push(candidate);
        }
    }
    let signed = Day(start.0 + rng.random_range(0..span * 3 / 4));
    let mut text = format!("treaty pact_{t:05} \"Synthetic pact {t}\" {{\n  parties {{\n");
    let mut ratified = Vec::new();
    for &p in &parties {
        let r = Day(signed.0 + rng.random_range(10..400));
        ratified.push(r);
        let _ = write!(text, "    {} signed {signed} ratified {r}", states[p]);
        if rng.random_bool(0.05) {
            let _ = write!(text, " withdrew {}", Day(r.0 + rng.random_range(365..365 * 20)));
        }
        text.push('\n');
    }
    text.push_str("  }\n");
    let last = ratified.iter().max().copied().unwrap_or(signed);
    match rng.random_range(0..3) {
        0 => {
            let _ = writeln!(
                text,
                "  in force on exchange of ratifications\n  exchanged {}",
                Day(last.0 + rng.random_range(1..60))
            );
        }
        1 => {
            let _ = writeln!(
                text,
                "  in force {} days after the {} ratification",
                rng.random_range(0..90),
                casus_syntax::format::ordinal(parties.len().min(2) as u32)
            );
        }
        _ => {
            let _ = writeln!(text, "  in force on {}", Day(last.0 + rng.random_range(0..30)));
        }
    }
    let _ = writeln!(text, "  withdrawal takes effect {} year after notice", 1);
    let deadline = *["without delay", "within 30 days", "", "immediately"].choose(rng).unwrap_or(&"");
    let action = if rng.random_bool(0.5) { "assist_militarily" } else { "assist" };
    let regional = rng.random_bool(0.6);
    let provocation = rng.random_bool(0.3);
    let mut condition = String::from("armed_attack(by: A, on: V");
    if regional {
        condition.push_str(", region: R");
    }
    if provocation {
        condition.push_str(", provoked: no");
    }
    condition.push_str(") and V is party and A is not party");
    if regional {
        let _ = write!(condition, " and R in area_{}", REGIONS[region]);
    }
    let _ = write!(
        text,
        "\n  article 1 \"Defence\" {{\n    text \"If a party is attacked, the others shall assist it.\"\n    if {condition}\n    then every party P other than V must {action}(ally: V, against: A){}\n  }}\n",
        if deadline.is_empty() { String::new() } else { format!(" {deadline}") }
    );
    text.push_str("\n  article 2 \"Consultation\" {\n    if threat(by: A, on: V) and V is party\n    then every party P other than V must consult(with: V, about: A)\n  }\n");
    if rng.random_bool(0.2) {
        text.push_str("\n  article 3 \"Sanctions\" {\n    if sanctions(by: S, on: V, kind: unilateral) and V is party and S is not party\n    then every party P other than V must oppose_sanctions(on: V, by: S)\n  }\n");
    }
    text.push_str("}\n\n");
    (text, parties)
}

/// Events in bursts around crises: each crisis is a few days, a region, and the states in it.
fn scenario(
    rng: &mut ChaCha8Rng,
    config: &Config,
    states: &[String],
    home: &[usize],
    members: &[Vec<usize>],
    start: Day,
    span: i32,
) -> String {
    let mut events = String::new();
    let mut made = 0;
    while made < config.events {
        let center = Day(start.0 + rng.random_range(0..span));
        let region = rng.random_range(0..REGIONS.len());
        let burst = rng.random_range(1..=40).min(config.events - made);
        let local: Vec<usize> = (0..states.len()).filter(|&s| home[s] == region).collect();
        for _ in 0..burst {
            let pick =
                |rng: &mut ChaCha8Rng| local.choose(rng).copied().unwrap_or_else(|| rng.random_range(0..states.len()));
            let (a, b) = (pick(rng), pick(rng));
            let from = Day(center.0 + rng.random_range(0..30));
            let until = Day(from.0 + rng.random_range(1..120));
            let (sa, sb) = (&states[a], &states[b]);
            let line = match rng.random_range(0..100) {
                0..70 => {
                    let provoked = if rng.random_bool(0.5) { ", \"provoked\": \"no\"" } else { "" };
                    format!(
                        "Fact(kind: \"armed_attack\", args: {{\"by\": \"{sa}\", \"on\": \"{sb}\", \"region\": \"{}\"{provoked}}}, from: \"{from}\", until: \"{until}\"),",
                        REGIONS[region]
                    )
                }
                70..80 => format!(
                    "Fact(kind: \"sanctions\", args: {{\"by\": \"{sa}\", \"on\": \"{sb}\", \"kind\": \"unilateral\"}}, from: \"{from}\", until: \"{until}\"),"
                ),
                80..85 => format!(
                    "Fact(kind: \"threat\", args: {{\"by\": \"{sa}\", \"on\": \"{sb}\"}}, from: \"{from}\", until: \"{until}\"),"
                ),
                85..95 => format!(
                    "Act(party: \"{sa}\", action: \"supply\", args: {{\"item\": \"arms\", \"to\": \"{sb}\"}}, from: \"{from}\", until: \"{until}\"),"
                ),
                _ => match members.choose(rng) {
                    Some(m) if !m.is_empty() => {
                        let p = m[rng.random_range(0..m.len())];
                        format!(
                            "Act(party: \"{}\", action: \"assist\", args: {{\"ally\": \"{sb}\"}}, on: \"{from}\"),",
                            states[p]
                        )
                    }
                    _ => format!(
                        "Fact(kind: \"threat\", args: {{\"by\": \"{sa}\", \"on\": \"{sb}\"}}, from: \"{from}\", until: \"{until}\"),"
                    ),
                },
            };
            let _ = writeln!(events, "        {line}");
            made += 1;
        }
    }
    let as_of = Day(start.0 + span);
    format!(
        "// A synthetic world: {} states, {} treaties, {} events, seed {}.\nScenario(\n    title: \"Synthetic world (seed {})\",\n    rules: [\"rules\"],\n    as_of: \"{as_of}\",\n    assume_compliance: {},\n    events: [\n{events}    ],\n)\n",
        config.states, config.treaties, config.events, config.seed, config.seed, config.assume_compliance
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_world_and_another_seed_another() {
        let c = Config { states: 30, treaties: 40, events: 200, seed: 7, assume_compliance: false };
        let (a, b) = (generate(&c), generate(&c));
        assert_eq!(a.rules, b.rules);
        assert_eq!(a.scenario, b.scenario);
        let other = generate(&Config { seed: 8, ..c });
        assert_ne!(a.scenario, other.scenario);
    }

    #[test]
    fn codes_are_distinct_upper_case_letters() {
        let codes: std::collections::BTreeSet<String> = (0..20_000).map(code).collect();
        assert_eq!(codes.len(), 20_000);
        assert!(codes.iter().all(|c| c.len() >= 3 && c.bytes().all(|b| b.is_ascii_uppercase())));
    }
}
