//! Random small worlds for property tests: rule files and a scenario, as text.
//!
//! Worlds use four parties, a few actions and kinds of fact, two to three instruments with
//! every kind of entry into force, rules with negation, deadlines and conflicts, `deem` rules
//! with and without delays, places that change hands and areas whose members change, a
//! reservation, and facts and acts spread over a few weeks.

#![allow(dead_code)]

use std::collections::BTreeMap;

use proptest::prelude::*;

/// What kinds of rule a world may use.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape {
    /// Rules and `deem`s with `not`.
    pub negation: bool,
    /// `precedence` declarations.
    pub precedence: bool,
    /// The compliance assumption.
    pub compliance: bool,
}

impl Shape {
    /// Everything.
    pub(crate) const FULL: Shape = Shape { negation: true, precedence: true, compliance: true };
    /// Monotone worlds: no negation, precedence or compliance assumption.
    pub(crate) const MONOTONE: Shape = Shape { negation: false, precedence: false, compliance: false };
}

/// A generated world: its pieces, with dates as day offsets from a base date.
#[derive(Clone, Debug)]
pub(crate) struct World {
    /// Top-level items of the rule files, each as text with `{d:N}` date holes and `{p:X}`
    /// party holes.
    pub items: Vec<String>,
    /// Scenario events, same holes.
    pub events: Vec<String>,
    /// The horizon, as a day offset.
    pub as_of: i64,
    /// Whether the scenario assumes compliance.
    pub assume: bool,
}

pub(crate) const PARTIES: [&str; 4] = ["AAA", "BBB", "CCC", "DDD"];

const VOCABULARY: &str = "fact attack(by, on, region, front = on, kind = land)
fact tension(by, on)
action help(ally, against) includes arm(item: arms, to: Ally), strike(against: Against) fulfilled by strike(against: Against)
action arm(item, to)
action strike(against)
action talk(with)
group zone = [north, south]
category arms \"Arms\" = [guns, heavy]
category heavy = [tanks, shells]
category dual = [shells, tools]
unit tonnes
unit crates";

/// Places that change hands, areas whose members change, and a group of parties that gains and
/// loses members: each on generated days.
fn geography() -> impl Strategy<Value = String> {
    (0i64..40, 1i64..20, 0i64..40, 0i64..40, 0i64..40, any::<bool>()).prop_map(|(handover, gap, joins, leaves, far, claim)| {
        let territory = if claim { "" } else { "  territory of {p:AAA}\n" };
        format!(
            "place isle \"Isle\" {{\n{territory}  administered by {{p:AAA}} until {{d:{handover}}}\n  administered by {{p:BBB}} from {{d:{handover}}}\n  in zone from {{d:{gap}}}\n}}\n\n\
             place sea \"Sea\" {{\n  in far\n}}\n\n\
             group far = []\n\
             group wide = [zone, far from {{d:{far}}}, {{p:DDD}}]\n\
             group club = [{{p:AAA}}, {{p:BBB}} from {{d:{joins}}}, {{p:CCC}} until {{d:{}}}]",
            joins + leaves + 1
        )
    })
}

fn party() -> impl Strategy<Value = String> {
    prop::sample::select(&PARTIES[..]).prop_map(|p| format!("{{p:{p}}}"))
}

fn deadline() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" without delay".to_string()),
        Just(" forthwith".to_string()),
        (1u32..6).prop_map(|n| format!(" within {n} days")),
        (0i64..50).prop_map(|d| format!(" by {{d:{d}}}")),
    ]
}

fn rule(shape: Shape) -> impl Strategy<Value = String> {
    let mut options: Vec<BoxedStrategy<String>> = vec![
        deadline().prop_map(|d| format!("if attack(by: A, on: V) and V is party and A is not party\nthen every party P other than V must help(ally: V, against: A){d}")).boxed(),
        deadline().prop_map(|d| format!("if attack(by: A, on: V, region: R) and R in zone and V is party\nthen every party P other than V, A must help(ally: V, against: A){d}")).boxed(),
        Just("always every party P must not arm(item: arms)".to_string()).boxed(),
        // Categories: a ban on a part of `arms`, one on a category that shares an item with it,
        // and a condition on shipments within a category.
        Just("always every party P must not arm(item: heavy)".to_string()).boxed(),
        Just("always every party P must not arm(item: dual, to: {p:DDD})".to_string()).boxed(),
        Just("if Q performs arm(item: heavy, to: V) and V is party\nthen every party P other than V, Q must talk(with: Q) within 3 days".to_string()).boxed(),
        // Caps: each bearer's own, over fixed periods from a day; in aggregate over a rolling
        // period; in aggregate for all time.
        (0i64..30, 1u32..15).prop_map(|(from, days)| format!("always every party P must not arm(item: dual) beyond 40 tonnes per {days} days from {{d:{from}}}")).boxed(),
        (0i64..30).prop_map(|from| format!("always every party P must not arm(item: guns) beyond 40 tonnes per 1 month from {{d:{from}}} in aggregate")).boxed(),
        (1u32..8).prop_map(|days| format!("always every party P must not arm(item: heavy, to: {{p:DDD}}) beyond 30 tonnes in any {days} days in aggregate")).boxed(),
        Just("always every party P must not arm(item: arms) beyond 50 tonnes in any 1 month".to_string()).boxed(),
        Just("if attack(by: A, on: V) and V is party\nthen every party P other than V must not arm(item: arms, to: A) beyond 60 tonnes in total in aggregate".to_string()).boxed(),
        Just("if attack(by: A, on: V) and V is party\nthen every party P other than A must not strike(against: V)".to_string()).boxed(),
        deadline().prop_map(|d| format!("if attack(by: A, on: V) and V is party\nthen every party P other than V, A must strike(against: A){d}")).boxed(),
        Just("if Q performs arm(item: arms, to: V) and V is party\nthen every party P other than V may talk(with: V)".to_string()).boxed(),
        (party(), party(), deadline()).prop_map(|(a, b, d)| format!("always {a} must strike(against: {b}){d}")).boxed(),
        Just("always every member of club must not arm(item: arms, to: {p:DDD})".to_string()).boxed(),
        party().prop_map(|b| format!("always every party P must not strike(against: {b})")).boxed(),
        (party(), deadline()).prop_map(|(x, d)| format!("if attack(by: A, on: V) and V is party and not (P = {x} and V = {{p:BBB}})\nthen every party P other than V must help(ally: V, against: A){d}")).boxed(),
        Just("if attack(by: A, on: V) and P in club and V is party\nthen every party P other than V may talk(with: A)".to_string()).boxed(),
        // The same obligations as the first two give, from another kind of fact: beside them in
        // an article, a norm gains and loses the rules that produce it while it holds.
        deadline().prop_map(|d| format!("if tension(by: A, on: V) and V is party\nthen every party P other than V must help(ally: V, against: A){d}")).boxed(),
        // Where the attack happened, and who held the place that day.
        deadline().prop_map(|d| format!("if attack(by: A, on: V, front: L) and administered(place: L, by: V) and V is party\nthen every party P other than V must help(ally: V, against: A){d}")).boxed(),
        deadline().prop_map(|d| format!("if attack(by: A, on: V, front: L, kind: K) and K != land and territory(place: L, of: S) and S is party and L in wide\nthen every party P other than V, A must help(ally: V, against: A){d}")).boxed(),
        Just("if attack(by: A, on: V, front: L) and L in far\nthen every party P other than V may talk(with: V)".to_string()).boxed(),
        Just("if administered(place: L, by: S) and L in zone\nthen S must not strike(against: S)".to_string()).boxed(),
    ];
    if shape.negation {
        options.push(deadline().prop_map(|d| format!("if tension(by: A, on: V) and V is party and not attack(by: A, on: V)\nthen every party P other than V must talk(with: V){d}")).boxed());
        options.push(Just("if attack(by: A, on: V) and not (V is party and A is party)\nthen every party P must not help(ally: A, against: V)".to_string()).boxed());
        options.push(Just("if attack(by: A, on: V, front: L) and not administered(place: L, by: V)\nthen every party P other than V must talk(with: V)".to_string()).boxed());
    }
    proptest::strategy::Union::new(options)
}

type Record = (usize, i64, Option<i64>, Option<i64>, Option<(i64, i64)>);

fn records() -> impl Strategy<Value = Vec<Record>> {
    // (party, signed, ratified, withdrew, (left, acceded again))
    let one = (
        0i64..20,
        prop::option::weighted(0.85, 0i64..10),
        prop::option::weighted(0.2, 1i64..25),
        prop::option::weighted(0.15, (1i64..15, 1i64..15)),
    );
    // Two to four of the four parties, each once: drawn as a subset, never by rejecting a
    // party drawn twice, so that deep runs do not run out of local rejects.
    prop::sample::subsequence(vec![0usize, 1, 2, 3], 2..=4)
        .prop_flat_map(move |parties| {
            let n = parties.len();
            (Just(parties), prop::collection::vec(one.clone(), n))
        })
        .prop_map(|(parties, records)| {
            parties
                .into_iter()
                .zip(records)
                .map(|(p, (s, r, w, back))| {
                    (p, s, r.map(|r| s + r), w.map(|w| s + w), back.map(|(l, a)| (s + l, s + l + a)))
                })
                .collect()
        })
}

fn entry() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("in force on signature".to_string()),
        (0i64..10).prop_map(|d| format!("in force on exchange of ratifications\nexchanged +{d}")),
        (0i64..30).prop_map(|d| format!("in force on {{d:{d}}}")),
        (0u32..5, 1u32..3).prop_map(|(n, k)| format!(
            "in force {n} days after the {}{} ratification",
            k,
            if k == 1 { "st" } else { "nd" }
        )),
        Just(String::new()),
    ]
}

fn treaty(n: usize, shape: Shape) -> impl Strategy<Value = String> {
    (
        records(),
        entry(),
        1u32..15,
        prop::collection::vec(prop::collection::vec(rule(shape), 1..3), 1..3),
        // Terminated, and perhaps re-applied some days later.
        prop::option::weighted(0.15, (10i64..45, prop::option::of(1i64..20))),
        prop::option::weighted(0.3, (0usize..4, 0usize..4, rule(shape))),
        prop::option::weighted(0.2, Just(())),
    )
        .prop_map(move |(records, entry, notice, articles, terminated, reservation, by_agreement)| {
            // Ratifications are exchanged once every party has ratified.
            let last = records.iter().map(|(_, s, r, _, _)| r.unwrap_or(*s)).max().unwrap_or(0);
            let entry = match entry.split_once("exchanged +") {
                Some((head, d)) => format!("{head}exchanged {{d:{}}}", last + d.parse::<i64>().unwrap_or(0)),
                None => entry,
            };
            let mut t = format!("treaty t{n}_2024 \"Treaty {n}\" {{\n  parties {{\n");
            for (p, s, r, w, back) in records {
                let mut line = format!("    {{p:{}}} signed {{d:{s}}}", PARTIES[p]);
                if let Some(r) = r {
                    line.push_str(&format!(" ratified {{d:{r}}}"));
                }
                if let Some(w) = w.filter(|w| *w >= r.unwrap_or(s)) {
                    line.push_str(&format!(" withdrew {{d:{w}}}"));
                }
                // Leaving, then joining again by accession.
                if let (Some(r), Some((l, a))) = (r, back)
                    && l > r
                {
                    line.push_str(&format!(" left {{d:{l}}} acceded {{d:{a}}}"));
                }
                t.push_str(&line);
                t.push('\n');
            }
            t.push_str("  }\n");
            for l in entry.lines() {
                t.push_str(&format!("  {l}\n"));
            }
            if by_agreement.is_some() {
                t.push_str("  withdrawal by agreement only\n");
            } else {
                t.push_str(&format!("  withdrawal takes effect {notice} days after notice\n"));
            }
            if let Some((x, again)) = terminated {
                t.push_str(&format!("  terminated {{d:{x}}}\n"));
                if let Some(k) = again {
                    t.push_str(&format!("  reapplied {{d:{}}}\n", x + k));
                }
            }
            for (a, rules) in articles.iter().enumerate() {
                t.push_str(&format!("  article {} {{\n", a + 1));
                for r in rules {
                    for l in r.lines() {
                        t.push_str(&format!("    {l}\n"));
                    }
                }
                t.push_str("  }\n");
            }
            // A party's reservation to the first article: its own rule, given to it alone.
            if let Some((who, whom, r)) = reservation {
                let party = format!("{{p:{}}}", PARTIES[who]);
                // A rule whose condition tests its bearer variable keeps it: it is replaced by a
                // rule of the party's own.
                let body = match r.split_once("\nthen ") {
                    Some((cond, concl)) if !cond.contains("P ") => {
                        format!("{cond}\nthen {}", own_bearer(concl, &party))
                    }
                    _ => format!("always {party} must talk(with: {{p:{}}})", PARTIES[whom]),
                };
                t.push_str(&format!("  reservation {party} to article 1 {{\n"));
                for l in body.lines() {
                    t.push_str(&format!("    {l}\n"));
                }
                t.push_str("  }\n");
            }
            t.push_str("}\n");
            t
        })
}

/// A rule's conclusion given to one party: its bearers replaced by the party.
fn own_bearer(conclusion: &str, party: &str) -> String {
    for modality in [" must not ", " must ", " may "] {
        if let Some((_, rest)) = conclusion.split_once(modality) {
            return format!("{party}{modality}{rest}");
        }
    }
    conclusion.to_string()
}

fn deems(shape: Shape) -> impl Strategy<Value = Vec<String>> {
    let negated = shape.negation;
    (any::<bool>(), prop::option::of(1u32..4), any::<bool>(), any::<bool>()).prop_map(move |(cobel, delay, neg, held)| {
        let mut v = Vec::new();
        // A fact derived from who holds a place, on the days the place changes hands.
        if held {
            v.push("deem tension(by: S, on: V)\n  if attack(by: V, on: S, front: L) and administered(place: L, by: S) and L in zone".to_string());
        }
        if cobel {
            v.push("deem attack(by: P, on: A, region: R)\n  if P performs help(ally: V, against: A) and attack(by: A, on: V, region: R)".to_string());
        }
        if let Some(n) = delay {
            v.push(format!("deem tension(by: A, on: V) after {n} days if attack(by: A, on: V)"));
        }
        if neg && negated {
            v.push("deem tension(by: V, on: A) if attack(by: A, on: V) and not attack(by: V, on: A)".to_string());
        }
        v
    })
}

fn event() -> impl Strategy<Value = String> {
    let day = 0i64..50;
    prop_oneof![
        8 => fact_or_act(),
        1 => (party(), 0usize..2, day.clone()).prop_map(|(p, t, d)| format!("Withdraw(party: \"{p}\", instrument: \"t{t}_2024\", on: \"{{d:{d}}}\")")),
        1 => (party(), 0usize..2, day).prop_map(|(p, t, d)| format!("Ratify(party: \"{p}\", instrument: \"t{t}_2024\", on: \"{{d:{d}}}\")")),
    ]
}

/// One fact or act of a scenario (never a status event).
pub(crate) fn fact_or_act() -> impl Strategy<Value = String> {
    let day = 0i64..50;
    let region = prop::sample::select(&["north", "south", "east"][..]);
    let item = prop::sample::select(&["arms", "guns", "heavy", "tanks", "shells", "tools", "dual"][..]);
    let front = prop_oneof![
        Just(String::new()),
        Just(", \"front\": \"isle\"".to_string()),
        Just(", \"front\": \"sea\", \"kind\": \"ships\"".to_string()),
        party().prop_map(|p| format!(", \"front\": \"{p}\", \"kind\": \"troops\""))
    ];
    prop_oneof![
        3 => (party(), party(), region, day.clone(), prop::option::of(1i64..20), front).prop_map(|(a, b, r, f, len, front)| {
            let until = len.map(|l| format!(", until: \"{{d:{}}}\"", f + l)).unwrap_or_default();
            format!("Fact(kind: \"attack\", args: {{\"by\": \"{a}\", \"on\": \"{b}\", \"region\": \"{r}\"{front}}}, from: \"{{d:{f}}}\"{until})")
        }),
        1 => (party(), party(), day.clone(), 1i64..15).prop_map(|(a, b, f, l)| format!("Fact(kind: \"tension\", args: {{\"by\": \"{a}\", \"on\": \"{b}\"}}, from: \"{{d:{f}}}\", until: \"{{d:{}}}\")", f + l)),
        2 => (party(), party(), party(), day.clone()).prop_map(|(p, a, b, d)| format!("Act(party: \"{p}\", action: \"help\", args: {{\"ally\": \"{a}\", \"against\": \"{b}\"}}, on: \"{{d:{d}}}\")")),
        3 => (party(), party(), item, day.clone(), prop::option::of(1i64..10), prop::option::weighted(0.8, 0u64..40)).prop_map(|(p, to, item, d, len, tonnes)| {
            let amount = tonnes.map(|t| format!(", amount: {{\"tonnes\": {t}}}")).unwrap_or_default();
            match len {
                Some(l) => format!("Act(party: \"{p}\", action: \"arm\", args: {{\"item\": \"{item}\", \"to\": \"{to}\"}}{amount}, from: \"{{d:{d}}}\", until: \"{{d:{}}}\")", d + l),
                None => format!("Act(party: \"{p}\", action: \"arm\", args: {{\"item\": \"{item}\"}}{amount}, on: \"{{d:{d}}}\")"),
            }
        }),
        1 => (party(), party(), day).prop_map(|(p, a, d)| format!("Act(party: \"{p}\", action: \"strike\", args: {{\"against\": \"{a}\"}}, on: \"{{d:{d}}}\")")),
    ]
}

/// A world made to exercise caps: every party bound by a treaty whose articles cap shipments of
/// arms, and many shipments, most with amounts.
pub(crate) fn capped() -> impl Strategy<Value = World> {
    let cap = prop_oneof![
        (0i64..20, 1u32..12, any::<bool>()).prop_map(|(from, days, agg)| format!(
            "beyond 40 tonnes per {days} days from {{d:{from}}}{}",
            if agg { " in aggregate" } else { "" }
        )),
        (0i64..20, any::<bool>()).prop_map(|(from, agg)| format!(
            "beyond 40 tonnes per 1 month from {{d:{from}}}{}",
            if agg { " in aggregate" } else { "" }
        )),
        (1u32..10, any::<bool>()).prop_map(|(days, agg)| format!(
            "beyond 30 tonnes in any {days} days{}",
            if agg { " in aggregate" } else { "" }
        )),
        any::<bool>().prop_map(|agg| format!("beyond 50 tonnes in total{}", if agg { " in aggregate" } else { "" })),
    ];
    // Some caps give the same amount in crates too, so that shipments counted in crates convert.
    let cap =
        (cap, prop::option::weighted(0.4, prop::sample::select(&[3u64, 7, 40, 90][..]))).prop_map(
            |(cap, or)| match or {
                Some(n) => cap.replacen(" tonnes", &format!(" tonnes or {n} crates"), 1),
                None => cap,
            },
        );
    let item = prop::sample::select(&["arms", "heavy", "dual", "guns"][..]);
    // An amount in tonnes, in crates, in both, or none.
    let amount = prop_oneof![
        6 => (0u64..35).prop_map(|t| format!(", amount: {{\"tonnes\": {t}}}")),
        3 => (0u64..60).prop_map(|c| format!(", amount: {{\"crates\": {c}}}")),
        1 => (0u64..35, 0u64..60).prop_map(|(t, c)| format!(", amount: {{\"crates\": {c}, \"tonnes\": {t}}}")),
        1 => Just(String::new()),
    ];
    let act = (
        party(),
        party(),
        prop::sample::select(&["guns", "tanks", "shells", "tools", "heavy", "arms"][..]),
        0i64..40,
        prop::option::of(1i64..4),
        amount,
    )
        .prop_map(|(p, to, item, d, len, amount)| {
            let days = match len {
                Some(l) => format!("from: \"{{d:{d}}}\", until: \"{{d:{}}}\"", d + l),
                None => format!("on: \"{{d:{d}}}\""),
            };
            format!(
                "Act(party: \"{p}\", action: \"arm\", args: {{\"item\": \"{item}\", \"to\": \"{to}\"}}{amount}, {days})"
            )
        });
    (
        prop::collection::vec((item, cap), 1..3),
        0i64..10,
        prop::collection::vec(act, 0..14),
        10i64..60,
    )
        .prop_map(|(articles, joins, events, as_of)| {
            let articles: Vec<String> = articles
                .iter()
                .enumerate()
                .map(|(n, (item, cap))| format!("  article {} {{\n    always every party P must not arm(item: {item}) {cap}\n  }}\n", n + 1))
                .collect();
            let treaty = format!(
                "treaty t0_2024 \"Treaty 0\" {{\n  parties {{\n    {{p:AAA}} ratified {{d:0}}\n    {{p:BBB}} ratified {{d:0}}\n    {{p:CCC}} ratified {{d:{joins}}}\n  }}\n{}}}\n",
                articles.concat()
            );
            World { items: vec![VOCABULARY.to_string(), treaty], events, as_of, assume: false }
        })
}

/// A random world of the given shape.
pub(crate) fn world(shape: Shape) -> impl Strategy<Value = World> {
    let precedence = shape.precedence;
    let compliance = shape.compliance;
    (
        treaty(0, shape),
        treaty(1, shape),
        any::<bool>(),
        deems(shape),
        geography(),
        prop::option::of(any::<bool>()),
        prop::collection::vec(event(), 0..8),
        10i64..60,
        any::<bool>(),
        0i64..30,
    )
        .prop_map(move |(t0, t1, resolution, deems, geography, prec, events, as_of, assume, adopted)| {
            let mut items = vec![VOCABULARY.to_string(), geography, t0, t1];
            if resolution {
                items.push(format!("resolution r_2024 \"Resolution\" {{\n  binds every member of club\n  in force on adoption\n  adopted {{d:{adopted}}}\n  article 1 {{\n    always every member of club other than {{p:AAA}} must not strike(against: {{p:DDD}})\n  }}\n}}\n"));
            }
            items.extend(deems);
            if precedence && let Some(first) = prec {
                items.push(if first { "precedence t0_2024 over t1_2024".into() } else { "precedence r_*, t1_2024 over *".into() });
            }
            World { items, events: valid(events), as_of, assume: assume && compliance }
        })
}

/// Events as a scenario may give them: a party's step towards an instrument once (a scenario
/// that gives one twice is refused, so that the answer never depends on the order of events).
/// Later repetitions are dropped, so that every generated world is valid and no case is skipped.
pub(crate) fn valid(events: Vec<String>) -> Vec<String> {
    let mut steps = std::collections::BTreeSet::new();
    events
        .into_iter()
        .filter(|e| {
            let is_step = e.starts_with("Withdraw(") || e.starts_with("Ratify(");
            !is_step || steps.insert(e.split(", on:").next().unwrap_or(e).to_string())
        })
        .collect()
}

impl World {
    /// The rule text, dates from `base` (days since 1970) and parties renamed by `names`.
    pub(crate) fn rules(&self, base: i64, names: &BTreeMap<&str, &str>) -> String {
        fill(&self.items.join("\n\n"), base, names)
    }

    /// The scenario text.
    pub(crate) fn scenario(&self, base: i64, names: &BTreeMap<&str, &str>, events: &[String]) -> String {
        let events: Vec<String> = events.iter().map(|e| format!("        {},", fill(e, base, names))).collect();
        format!(
            "Scenario(\n    title: \"generated\",\n    as_of: \"{}\",\n    assume_compliance: {},\n    events: [\n{}\n    ],\n)\n",
            date(base + self.as_of),
            self.assume,
            events.join("\n")
        )
    }
}

/// The identity renaming.
pub(crate) fn same_names() -> BTreeMap<&'static str, &'static str> {
    PARTIES.iter().map(|p| (*p, *p)).collect()
}

fn date(days: i64) -> String {
    casus::calendar::Day(days as i32).to_string()
}

/// Fills `{d:N}` with the date `base + N` and `{p:X}` with `names[X]`.
fn fill(text: &str, base: i64, names: &BTreeMap<&str, &str>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        if let Some(body) = tail.strip_prefix("{d:").and_then(|t| t.split_once('}')) {
            out.push_str(&date(base + body.0.parse::<i64>().unwrap()));
            rest = body.1;
        } else if let Some(body) = tail.strip_prefix("{p:").and_then(|t| t.split_once('}')) {
            out.push_str(names[body.0]);
            rest = body.1;
        } else {
            out.push('{');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}
