//! Properties of the parser and the formatter, over generated programs and arbitrary text.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::fs;

use casus_syntax::ast::*;
use casus_syntax::source::{FileId, Span};
use casus_syntax::{format, parse as syntax};
use proptest::prelude::*;

fn id(name: &str) -> Ident {
    Ident { name: name.to_string(), span: Span::default() }
}

fn pick(pool: &'static [&'static str]) -> impl Strategy<Value = Ident> {
    proptest::sample::select(pool).prop_map(id)
}

fn var() -> impl Strategy<Value = Ident> {
    pick(&["A", "V", "P", "S", "Victim", "Ally2", "X1"])
}

fn party() -> impl Strategy<Value = Ident> {
    pick(&["RUS", "PRK", "USA", "AUH", "GBR"])
}

fn symbol() -> impl Strategy<Value = Ident> {
    pick(&["europe", "arms", "yes", "al_qaeda", "pacific"])
}

fn term() -> impl Strategy<Value = Term> {
    prop_oneof![
        var().prop_map(Term::Var),
        party().prop_map(Term::Party),
        symbol().prop_map(Term::Symbol),
        Just(Term::Wildcard(Span::default())),
    ]
}

fn constant() -> impl Strategy<Value = Term> {
    prop_oneof![party().prop_map(Term::Party), symbol().prop_map(Term::Symbol)]
}

fn pattern_with(values: BoxedStrategy<Term>) -> impl Strategy<Value = Pattern> {
    let role = pick(&["by", "on", "region", "item", "ally", "against", "to"]);
    (pick(&["armed_attack", "threat", "supply", "assist", "sanctions"]), prop::collection::vec((role, values), 0..4))
        .prop_map(|(name, args)| Pattern {
            name,
            args: args.into_iter().map(|(role, value)| Arg { role, value }).collect(),
            span: Span::default(),
        })
}

fn pattern() -> impl Strategy<Value = Pattern> {
    pattern_with(term().boxed())
}

fn lit(kind: LiteralKind) -> Literal {
    Literal { kind, span: Span::default() }
}

fn literal() -> impl Strategy<Value = Literal> {
    let leaf = prop_oneof![
        pattern().prop_map(|p| lit(LiteralKind::Fact(p))),
        (term(), pattern()).prop_map(|(actor, action)| lit(LiteralKind::Act { actor, action })),
        (term(), any::<bool>(), prop::option::of(pick(&["nato_1949", "un_charter"])))
            .prop_map(|(term, negated, instrument)| lit(LiteralKind::IsParty { term, negated, instrument })),
        (term(), any::<bool>(), pick(&["un_members", "nato_area"]))
            .prop_map(|(term, negated, group)| lit(LiteralKind::InGroup { term, negated, group })),
        (term(), any::<bool>(), term()).prop_map(|(left, negated, right)| lit(LiteralKind::Compare {
            left,
            negated,
            right
        })),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| prop::collection::vec(inner, 1..3).prop_map(|ls| lit(LiteralKind::Not(ls))))
}

fn duration() -> impl Strategy<Value = Duration> {
    (0u32..1000, prop_oneof![Just(Unit::Days), Just(Unit::Months), Just(Unit::Years)])
        .prop_map(|(amount, unit)| Duration { amount, unit })
}

fn date() -> impl Strategy<Value = Date> {
    (1000i16..3000, 1i8..13, 1i8..32).prop_map(|(year, month, day)| Date { year, month, day, span: Span::default() })
}

fn text() -> impl Strategy<Value = Str> {
    "[ -~\\n\"\\\\äç—#{}]{0,60}".prop_map(|value| Str { value, span: Span::default() })
}

fn bearers() -> impl Strategy<Value = Bearers> {
    let except = || prop::collection::vec(prop_oneof![var().prop_map(Term::Var), party().prop_map(Term::Party)], 0..3);
    prop_oneof![
        (var(), except()).prop_map(|(var, except)| Bearers::EveryParty { var, except }),
        (var(), except()).prop_map(|(var, except)| Bearers::EveryState { var, except }),
        (pick(&["un_members"]), except()).prop_map(|(group, except)| Bearers::EveryMember { group, except }),
        prop_oneof![var().prop_map(Term::Var), party().prop_map(Term::Party)].prop_map(Bearers::One),
    ]
}

fn deadline() -> impl Strategy<Value = Deadline> {
    prop_oneof![
        Just(Deadline::WithoutDelay),
        Just(Deadline::Immediately),
        duration().prop_map(Deadline::Within),
        date().prop_map(Deadline::By),
        Just(Deadline::Forthwith),
    ]
}

fn period() -> impl Strategy<Value = Period> {
    (prop::option::of(date()), prop::option::of(date())).prop_map(|(from, until)| Period { from, until })
}

fn reservation() -> impl Strategy<Value = Reservation> {
    let kind = prop_oneof![
        Just(ReservationKind::Reservation),
        Just(ReservationKind::Understanding),
        Just(ReservationKind::Declaration)
    ];
    let article_id = prop_oneof!["[0-9]{1,2}", "[IVX]{1,4}", "[0-9]\\([a-d]\\)"];
    (kind, party(), article_id, prop::option::of(text()), prop::option::of(text()), prop::collection::vec(rule(), 0..3))
        .prop_map(|(kind, party, aid, title, text, rules)| Reservation {
            kind,
            party,
            article: id(&aid),
            title,
            text,
            rules,
            span: Span::default(),
        })
}

fn place() -> impl Strategy<Value = PlaceDecl> {
    let line = prop_oneof![
        party().prop_map(PlaceLineKind::Territory),
        party().prop_map(PlaceLineKind::Administered),
        prop::collection::vec(pick(&["europe", "pacific", "nato_area"]), 1..3).prop_map(PlaceLineKind::In),
    ];
    let lines = prop::collection::vec((line, period()), 0..5);
    (pick(&["okinawa", "hawaii", "north_atlantic"]), prop::option::of(text()), lines).prop_map(
        |(name, title, lines)| {
            let lines =
                lines.into_iter().map(|(kind, period)| PlaceLine { kind, period, span: Span::default() }).collect();
            PlaceDecl { name, title, lines, span: Span::default() }
        },
    )
}

/// `beyond AMOUNT UNIT PERIOD [in aggregate]`, the amount up to the largest a cap may give.
fn cap() -> impl Strategy<Value = Cap> {
    let period = prop_oneof![
        (duration(), date()).prop_map(|(length, from)| CapPeriod::Fixed { length, from }),
        duration().prop_map(CapPeriod::Rolling),
        Just(CapPeriod::Total),
    ];
    let or = prop::option::of((0u64..=casus_syntax::parse::MAX_AMOUNT, pick(&["barrels", "tonnes", "usd"])));
    (0u64..=casus_syntax::parse::MAX_AMOUNT, pick(&["barrels", "tonnes", "usd"]), or, period, any::<bool>()).prop_map(
        |(value, unit, or, period, aggregate)| Cap {
            amount: Amount { value, span: Span::default() },
            unit,
            or: or.map(|(value, unit)| (Amount { value, span: Span::default() }, unit)),
            period,
            aggregate,
            span: Span::default(),
        },
    )
}

fn rule() -> impl Strategy<Value = Rule> {
    let modality = prop_oneof![Just(Modality::Must), Just(Modality::MustNot), Just(Modality::May)];
    (
        prop::option::of(prop::collection::vec(literal(), 1..5)),
        bearers(),
        modality,
        pattern(),
        prop::option::of(deadline()),
        prop::option::of(cap()),
    )
        .prop_map(|(condition, bearers, modality, action, deadline, cap)| Rule {
            condition,
            conclusion: Conclusion { bearers, modality, action, deadline, cap, span: Span::default() },
            span: Span::default(),
        })
}

fn article() -> impl Strategy<Value = Article> {
    let article_id = prop_oneof!["[0-9]{1,2}", "[IVX]{1,4}", "[0-9]\\([a-d]\\)", "[a-z]{1,3} [0-9]"];
    (article_id, prop::option::of(text()), prop::option::of(text()), prop::collection::vec(rule(), 0..3))
        .prop_map(|(aid, heading, text, rules)| Article { id: id(&aid), heading, text, rules, span: Span::default() })
}

fn clause() -> impl Strategy<Value = Clause> {
    let s = Span::default();
    let record = (party(), prop::collection::vec((status_kind(), date()), 0..4)).prop_map(|(party, st)| PartyRecord {
        party,
        statuses: st.into_iter().map(|(kind, date)| Status { kind, date, span: Span::default() }).collect(),
        span: Span::default(),
    });
    let eif = prop_oneof![
        Just(EntryIntoForce::OnSignature),
        Just(EntryIntoForce::OnExchange),
        Just(EntryIntoForce::OnAdoption),
        date().prop_map(EntryIntoForce::OnDate),
        (duration(), 1u32..40).prop_map(|(delay, count)| EntryIntoForce::AfterRatifications { delay, count }),
    ];
    let dated = prop_oneof![
        Just(DatedKind::Exchanged),
        Just(DatedKind::Adopted),
        Just(DatedKind::Terminated),
        Just(DatedKind::Expires),
        Just(DatedKind::Reapplied)
    ];
    prop_oneof![
        prop::collection::vec(record, 0..4).prop_map(move |records| Clause::Parties(Parties { records, span: s })),
        pick(&["un_members"]).prop_map(move |g| Clause::Binds(g, s)),
        eif.prop_map(move |e| Clause::InForce(e, s)),
        duration().prop_map(move |d| Clause::Withdrawal(d, s)),
        Just(Clause::NoWithdrawal(s)),
        reservation().prop_map(Clause::Reservation),
        (dated, date()).prop_map(move |(k, d)| Clause::Dated(k, d, s)),
        article().prop_map(Clause::Article),
    ]
}

fn status_kind() -> impl Strategy<Value = StatusKind> {
    prop_oneof![
        Just(StatusKind::Signed),
        Just(StatusKind::Ratified),
        Just(StatusKind::Acceded),
        Just(StatusKind::Withdrew),
        Just(StatusKind::Suspended),
        Just(StatusKind::Left),
    ]
}

fn item() -> impl Strategy<Value = Item> {
    let s = Span::default();
    let kind =
        prop_oneof![Just(InstrumentKind::Treaty), Just(InstrumentKind::Resolution), Just(InstrumentKind::Regime)];
    let roles = prop::collection::vec(
        (pick(&["by", "on", "territory", "region"]), prop::option::of(pick(&["on", "by"]))),
        0..4,
    );
    prop_oneof![
        (
            kind,
            pick(&["kp_ru_2024", "nato_1949", "unsc_1718"]),
            prop::option::of(text()),
            prop::collection::vec(clause(), 0..6)
        )
            .prop_map(move |(kind, id, title, body)| Item::Instrument(Instrument {
                kind,
                id,
                title,
                body,
                span: s
            })),
        (pick(&["regions", "un_members"]), prop::collection::vec((constant(), period()), 0..40)).prop_map(
            move |(name, members)| Item::Group(Group {
                name,
                category: false,
                title: None,
                members: members.into_iter().map(|(term, period)| Member { term, period }).collect(),
                span: s
            })
        ),
        (pick(&["arms", "luxury_goods"]), prop::option::of(text()), prop::collection::vec(constant(), 0..20)).prop_map(
            move |(name, title, members)| Item::Group(Group {
                name,
                category: true,
                title,
                members: members.into_iter().map(|term| Member { term, period: Period::default() }).collect(),
                span: s
            })
        ),
        place().prop_map(Item::Place),
        (pick(&["barrels", "tonnes"]), prop::option::of(text())).prop_map(move |(name, title)| Item::Unit(UnitDecl {
            name,
            title,
            span: s
        })),
        (pick(&["armed_attack", "threat"]), roles).prop_map(move |(name, roles)| Item::Fact(FactDecl {
            name,
            roles: roles.into_iter().map(|(name, default)| RoleDecl { name, default }).collect(),
            span: s,
        })),
        (
            pick(&["assist", "supply"]),
            prop::collection::vec(pick(&["ally", "against"]), 0..3),
            prop::collection::vec(pattern_with(constant().boxed()), 0..3),
            prop::collection::vec(pattern_with(constant().boxed()), 0..2)
        )
            .prop_map(move |(name, roles, includes, fulfilled_by)| Item::Action(ActionDecl {
                name,
                roles,
                includes,
                fulfilled_by,
                span: s
            })),
        (party(), text(), period(), prop::collection::vec(party(), 0..3)).prop_map(
            move |(code, name, period, successors)| {
                Item::Party(PartyDecl { code, name, period, successors, alias: None, span: s })
            }
        ),
        (party(), text(), party()).prop_map(move |(code, name, alias)| {
            Item::Party(PartyDecl {
                code,
                name,
                period: Period::default(),
                successors: Vec::new(),
                alias: Some(alias),
                span: s,
            })
        }),
        (pattern(), prop::option::of(duration()), prop::collection::vec(literal(), 1..4))
            .prop_map(move |(head, delay, condition)| Item::Deem(Deem { head, delay, condition, span: s })),
        (
            prop::collection::vec(pick(&["un_charter", "unsc_*", "*"]), 1..3),
            prop::collection::vec(pick(&["*", "kp_ru_2024"]), 1..3)
        )
            .prop_map(move |(winners, losers)| Item::Precedence(Precedence { winners, losers, span: s })),
    ]
}

fn program() -> impl Strategy<Value = File> {
    prop::collection::vec(item(), 0..6).prop_map(|items| File { items })
}

fn parse(text: &str) -> syntax::Parsed {
    syntax::parse(FileId(0), text)
}

fn fmt(text: &str) -> String {
    let p = parse(text);
    assert!(p.diagnostics.is_empty(), "does not parse: {:?}\n{text}", p.diagnostics.first().map(|d| d.message()));
    format::format(&p.file, &p.comments, text)
}

proptest! {
    #![proptest_config(common::proptest_config(96))]

    #[test]
    fn printing_then_parsing_gives_the_same_tree(file in program()) {
        let text = format::format(&file, &[], "");
        let parsed = parse(&text);
        prop_assert!(parsed.diagnostics.is_empty(), "{:?}\n{}", parsed.diagnostics.first().map(|d| d.message()), text);
        prop_assert_eq!(parsed.file, file, "{}", text);
    }

    #[test]
    fn formatting_is_idempotent_on_generated_programs(file in program(), comments in prop::collection::vec("[ -~]{0,30}", 0..6)) {
        // Comments go between the items, and after the last.
        let mut text = String::new();
        for (n, item) in file.items.iter().enumerate() {
            if let Some(c) = comments.get(n) {
                text.push_str(&format!("# {c}\n"));
            }
            text.push_str(&format::format(&File { items: vec![item.clone()] }, &[], ""));
        }
        if let Some(c) = comments.last() {
            text.push_str(&format!("#{c}\n"));
        }
        let once = fmt(&text);
        prop_assert_eq!(&fmt(&once), &once);
        let kept: Vec<_> = parse(&once).comments.into_iter().map(|c| c.text).collect();
        let given: Vec<_> = parse(&text).comments.into_iter().map(|c| c.text).collect();
        prop_assert_eq!(kept, given);
    }

    #[test]
    fn the_parser_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
        let parsed = parse(&text);
        if parsed.diagnostics.is_empty() {
            let _ = format::format(&parsed.file, &parsed.comments, &text);
        }
    }

    #[test]
    fn the_parser_never_panics_on_token_soup(tokens in prop::collection::vec(prop::sample::select(&[
        "treaty", "t_1", "{", "}", "(", ")", "[", "]", "article", "1", "text", "\"x\"", "\"", "if", "then", "and",
        "not", "every", "party", "P", "must", "may", "A", "is", "in", "=", "!=", ",", ":", "a", "by", "2024-02-30",
        "within", "days", "#", "\n", "group", "deem", "after", "precedence", "over", "*", "always", "RUS", "_",
        "in force on", "exchange", "signed", "withdrawal", "ç", "\\",
    ][..]), 0..60)) {
        let text = tokens.join(" ");
        let parsed = parse(&text);
        let _ = casus::check::check(&[(FileId(0), &parsed.file)]);
    }
}

/// Reads `text` as a scenario: a scenario refused has a problem, every problem lies within the
/// text, and so does each event read.
fn read_scenario(text: &str) -> Result<(), TestCaseError> {
    let mut sources = casus_syntax::source::Sources::new();
    let id = sources.add("scenario.ron", text);
    let (diagnostics, events) = match casus::scenario::parse(id, sources.get(id).unwrap()) {
        Ok(s) => (Vec::new(), s.events),
        Err(rejected) => {
            prop_assert!(!rejected.diagnostics.is_empty(), "refused without a problem: {:?}", text);
            (rejected.diagnostics, rejected.events)
        }
    };
    for d in &diagnostics {
        let at = d.span();
        prop_assert!(at.start <= at.end && at.end <= text.len(), "{:?} at {:?} in {:?}", d.message(), at, text);
    }
    for e in &events {
        prop_assert!(e.span.end <= text.len(), "an event at {:?} in {:?}", e.span, text);
    }
    Ok(())
}

proptest! {
    #![proptest_config(common::proptest_config(96))]

    /// Scenarios are read a byte at a time where the text is ASCII and as Unicode says beyond it:
    /// no text makes the reader panic, and every problem it finds lies within the text.
    #[test]
    fn the_scenario_reader_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
        read_scenario(&text)?;
    }

    /// The same with the words and marks of a scenario in any order, white space beyond ASCII
    /// and escapes: alone, and inside the events list, which is read an event at a time.
    #[test]
    fn the_scenario_reader_never_panics_on_ron_soup(tokens in prop::collection::vec(prop::sample::select(&[
        "Scenario", "(", ")", "[", "]", "{", "}", ",", ":", "title", "as_of", "events", "expect", "\"x\"",
        "\"2024-02-29\"", "\"2024-02-30\"", "Fact", "Act", "Sign", "kind", "args", "from", "until", "on",
        "party", "action", "\"by\"", "\"AAA\"", "\"a\\\"b\"", "\"\\u{e9}\"", "r#\"raw\"#", "\"", "\\",
        "//", "/*", "*/", "#![enable(implicit_some)]", "1", "-2.5", "true", "None", "Some", "\u{a0}",
        "\u{2003}", "é", "\n",
    ][..]), 0..60)) {
        let soup = tokens.join(" ");
        read_scenario(&soup)?;
        read_scenario(&format!("Scenario(title: \"soup\", as_of: \"2024-01-01\", events: [{soup}"))?;
    }
}

#[test]
fn formatting_is_idempotent_on_every_bundled_rule_file() {
    let mut n = 0;
    for entry in fs::read_dir("rules").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "casus") {
            let text = fs::read_to_string(&path).unwrap();
            let once = fmt(&text);
            assert_eq!(fmt(&once), once, "{}", path.display());
            assert_eq!(parse(&once).file, parse(&text).file, "{}", path.display());
            n += 1;
        }
    }
    assert!(n >= 3, "only {n} rule files");
}
