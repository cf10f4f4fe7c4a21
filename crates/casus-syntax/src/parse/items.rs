//! Items: instruments and their clauses, groups, declarations, `deem` rules, precedence.

use super::error::{SyntaxErrorKind, backtrack, expected, fail_at, unknown_keyword};
use super::rules::{duration, pattern, rule, whole_condition};
use super::tokens::*;
use super::trivia::skip_trivia;
use super::{Input, PResult};
use crate::ast::*;
use crate::source::Span;

/// item = instrument | group | fact_decl | action_decl | party_decl | place | deem | precedence
pub(super) fn item(i: Input) -> PResult<Item> {
    let (_, word) = peek_word(i)?;
    match word {
        "treaty" | "resolution" | "regime" => map(instrument, Item::Instrument)(i),
        "group" | "category" => map(group, Item::Group)(i),
        "fact" => map(fact_decl, Item::Fact)(i),
        "action" => map(action_decl, Item::Action)(i),
        "party" => map(party_decl, Item::Party)(i),
        "place" => map(place, Item::Place)(i),
        "unit" => map(unit, Item::Unit)(i),
        "deem" => map(deem, Item::Deem)(i),
        "precedence" => map(precedence, Item::Precedence)(i),
        _ => Err(unknown_keyword(i, "an item", TOP_KEYWORDS)),
    }
}

pub(super) const TOP_KEYWORDS: &[&str] = &[
    "treaty",
    "resolution",
    "regime",
    "group",
    "category",
    "unit",
    "fact",
    "action",
    "party",
    "place",
    "deem",
    "precedence",
];

/// instrument = ("treaty" | "resolution" | "regime") ID STRING? "{" clause* "}"
fn instrument(i: Input) -> PResult<Instrument> {
    let (i, start) = position(i)?;
    let (i, kw) = word(i)?;
    let kind = match kw.name.as_str() {
        "treaty" => InstrumentKind::Treaty,
        "resolution" => InstrumentKind::Resolution,
        _ => InstrumentKind::Regime,
    };
    let (i, id) = cut(ident, "an instrument id such as `nato_1949`")(i)?;
    let (i, title) = opt_string(i)?;
    let (i, _) = cut(punct("{"), "`{` to open the instrument")(i)?;
    let (i, body) = block(i, clause, "a clause (`parties`, `in force`, `article`, ...)")?;
    Ok((i, Instrument { kind, id, title, body, span: start.to(body_end(&i)) }))
}

/// clause = parties | binds | in_force | withdrawal | dated | article | reservation
fn clause(i: Input) -> PResult<Clause> {
    let (_, w) = peek_word(i)?;
    match w {
        "parties" => map(parties, Clause::Parties)(i),
        "binds" => binds(i),
        "in" => in_force(i),
        "withdrawal" => withdrawal(i),
        "exchanged" | "adopted" | "terminated" | "expires" | "reapplied" => dated(i),
        "article" => map(article, Clause::Article)(i),
        "reservation" | "understanding" | "declaration" => map(reservation, Clause::Reservation)(i),
        _ => Err(unknown_keyword(i, "a clause of the instrument", CLAUSE_KEYWORDS)),
    }
}

const CLAUSE_KEYWORDS: &[&str] = &[
    "parties",
    "binds",
    "in",
    "withdrawal",
    "exchanged",
    "adopted",
    "terminated",
    "expires",
    "reapplied",
    "article",
    "reservation",
    "understanding",
    "declaration",
];

/// parties = "parties" "{" party_record* "}"
fn parties(i: Input) -> PResult<Parties> {
    let (i, start) = position(i)?;
    let (i, _) = keyword("parties")(i)?;
    let (i, _) = cut(punct("{"), "`{` to open the list of parties")(i)?;
    let (i, records) = block(i, party_record, "a party code such as `PRK`, or `}`")?;
    Ok((i, Parties { records, span: start.to(body_end(&i)) }))
}

/// party_record = PARTY (status_kw DATE)*
fn party_record(i: Input) -> PResult<PartyRecord> {
    let (i, start) = position(i)?;
    let (mut i, party) = party_code(i)?;
    let mut statuses = Vec::new();
    loop {
        let (rest, s) = position(i)?;
        let kind = match peek_word(rest).map(|(_, w)| w) {
            Ok(w) => match w {
                "signed" => StatusKind::Signed,
                "ratified" => StatusKind::Ratified,
                "acceded" => StatusKind::Acceded,
                "withdrew" => StatusKind::Withdrew,
                "suspended" => StatusKind::Suspended,
                "left" => StatusKind::Left,
                _ => break,
            },
            Err(_) => break,
        };
        let (rest, _) = word(rest)?;
        let (rest, date) = cut(date, "a date such as `2024-06-19`")(rest)?;
        statuses.push(Status { kind, date, span: s.to(date.span) });
        i = rest;
    }
    let end = statuses.last().map_or(party.span, |s| s.span);
    Ok((i, PartyRecord { span: start.to(end), party, statuses }))
}

/// binds = "binds" "every" "member" "of" ID
fn binds(i: Input) -> PResult<Clause> {
    let (i, start) = position(i)?;
    let (i, _) = keyword("binds")(i)?;
    let (i, _) = cut(keywords(&["every", "member", "of"]), "`every member of GROUP`")(i)?;
    let (i, group) = cut(ident, "a group name")(i)?;
    let span = start.to(group.span);
    Ok((i, Clause::Binds(group, span)))
}

/// in_force = "in" "force" ("on" ... | duration "after" "the" ORDINAL "ratification")
fn in_force(i: Input) -> PResult<Clause> {
    let (i, start) = position(i)?;
    let (i, _) = keyword("in")(i)?;
    let (i, _) = cut(keyword("force"), "`force` (as in `in force on signature`)")(i)?;
    let (_, next) = position(i)?;
    if let Ok((i, _)) = keyword("on")(i) {
        if let Ok((i, d)) = date(i) {
            return Ok((i, Clause::InForce(EntryIntoForce::OnDate(d), start.to(d.span))));
        }
        let options: &[(&[&str], EntryIntoForce)] = &[
            (&["signature"], EntryIntoForce::OnSignature),
            (&["exchange", "of", "ratifications"], EntryIntoForce::OnExchange),
            (&["adoption"], EntryIntoForce::OnAdoption),
        ];
        for (words, eif) in options {
            if let Ok((i, _)) = keywords(words)(i) {
                return Ok((i, Clause::InForce(*eif, start.to(end_of(&i)))));
            }
        }
        return Err(expected(i, "`signature`, `exchange of ratifications`, `adoption` or a date after `in force on`"));
    }
    let (i, delay) = cut(duration, "`on ...` or a delay such as `30 days` after `in force`")(i)?;
    let (i, _) = cut(keywords(&["after", "the"]), "`after the` (as in `after the 2nd ratification`)")(i)?;
    let (i, count) = cut(ordinal, "an ordinal such as `2nd`")(i)?;
    let (i, _) = cut(keyword("ratification"), "`ratification`")(i)?;
    let _ = next;
    Ok((i, Clause::InForce(EntryIntoForce::AfterRatifications { delay, count }, start.to(end_of(&i)))))
}

/// withdrawal = "withdrawal" ("takes" "effect" duration "after" "notice" | "by" "agreement" "only")
fn withdrawal(i: Input) -> PResult<Clause> {
    let (i, start) = position(i)?;
    let (i, _) = keyword("withdrawal")(i)?;
    if let Ok((i, _)) = keyword("by")(i) {
        let (i, _) = cut(keywords(&["agreement", "only"]), "`agreement only`")(i)?;
        return Ok((i, Clause::NoWithdrawal(start.to(end_of(&i)))));
    }
    let (i, _) = cut(keywords(&["takes", "effect"]), "`takes effect`")(i)?;
    let (i, d) = cut(duration, "a period such as `1 year`")(i)?;
    let (i, _) = cut(keywords(&["after", "notice"]), "`after notice`")(i)?;
    Ok((i, Clause::Withdrawal(d, start.to(end_of(&i)))))
}

/// dated = ("exchanged" | "adopted" | "terminated" | "expires" | "reapplied") DATE
fn dated(i: Input) -> PResult<Clause> {
    let (i, start) = position(i)?;
    let (i, w) = word(i)?;
    let kind = match w.name.as_str() {
        "exchanged" => DatedKind::Exchanged,
        "adopted" => DatedKind::Adopted,
        "terminated" => DatedKind::Terminated,
        "reapplied" => DatedKind::Reapplied,
        _ => DatedKind::Expires,
    };
    let (i, d) = cut(date, "a date such as `2024-12-04`")(i)?;
    Ok((i, Clause::Dated(kind, d, start.to(d.span))))
}

/// article = "article" (ARTICLE_ID | STRING) STRING? "{" ("text" STRING)? rule* "}"
fn article(i: Input) -> PResult<Article> {
    let (i, start) = position(i)?;
    let (i, _) = keyword("article")(i)?;
    let (i, id) = cut(article_id, "an article number such as `5` or `\"8(b)\"`")(i)?;
    let (i, heading) = opt_string(i)?;
    let (i, _) = cut(punct("{"), "`{` to open the article")(i)?;
    let (i, text) = opt_text(i)?;
    let (i, rules) = block(i, rule, "a rule (`if ... then ...` or `always ...`), or `}`")?;
    Ok((i, Article { id, heading, text, rules, span: start.to(body_end(&i)) }))
}

/// `("text" STRING)?`
fn opt_text(i: Input) -> PResult<Option<Str>> {
    match keyword("text")(i) {
        Ok((i, _)) => {
            let (i, s) = cut(string, "the text in double quotes")(i)?;
            Ok((i, Some(s)))
        }
        Err(_) => Ok((i, None)),
    }
}

/// reservation = ("reservation" | "understanding" | "declaration") PARTY "to" "article"
///               (ARTICLE_ID | STRING) STRING? "{" ("text" STRING)? rule* "}"
fn reservation(i: Input) -> PResult<Reservation> {
    let (i, start) = position(i)?;
    let (i, kw) = word(i)?;
    let kind = match kw.name.as_str() {
        "reservation" => ReservationKind::Reservation,
        "understanding" => ReservationKind::Understanding,
        _ => ReservationKind::Declaration,
    };
    let (i, party) = cut(party_code, "the code of the party that made it, such as `USA`")(i)?;
    let (i, _) = cut(keywords(&["to", "article"]), "`to article` and the article's number")(i)?;
    let (i, article) = cut(article_id, "an article number such as `III` or `\"8(b)\"`")(i)?;
    let (i, title) = opt_string(i)?;
    let (i, _) = cut(punct("{"), "`{` to open it")(i)?;
    let (i, text) = opt_text(i)?;
    let (i, rules) = block(i, rule, "a rule (`if ... then ...` or `always ...`), or `}`")?;
    Ok((i, Reservation { kind, party, article, title, text, rules, span: start.to(body_end(&i)) }))
}

// ---------------------------------------------------------------------------------------------
// Other items

/// group    = "group" ID "=" "[" (member ("," member)* ","?)? "]"
/// category = "category" ID STRING? "=" "[" (member ("," member)* ","?)? "]"
fn group(i: Input) -> PResult<Group> {
    let (i, start) = position(i)?;
    let (_, w) = peek_word(i)?;
    let category = w == "category";
    let (i, _) = keyword(if category { "category" } else { "group" })(i)?;
    let (i, name, title) = if category {
        let (i, name) = cut(ident, "a category name such as `arms`")(i)?;
        let (i, title) = opt_string(i)?;
        (i, name, title)
    } else {
        let (i, name) = cut(ident, "a group name such as `un_members`")(i)?;
        (i, name, None)
    };
    let (i, _) = cut(punct("="), "`=`")(i)?;
    let (i, _) = cut(punct("["), "`[`")(i)?;
    let what = if category { "an item or a category" } else { "a party code or a symbol" };
    let (i, members) = list(i, "]", member, what)?;
    Ok((i, Group { name, category, title, members, span: start.to(end_of(&i)) }))
}

/// member = (PARTY | SYMBOL) period
fn member(i: Input) -> PResult<Member> {
    let (i, term) = constant(i)?;
    let (i, period) = period(i)?;
    Ok((i, Member { term, period }))
}

/// period = ("from" DATE)? ("until" DATE)?
fn period(i: Input) -> PResult<Period> {
    let (i, from) = match keyword("from")(i) {
        Ok((i, _)) => {
            let (i, d) = cut(date, "a date such as `1972-05-15`")(i)?;
            (i, Some(d))
        }
        Err(_) => (i, None),
    };
    let (i, until) = match keyword("until")(i) {
        Ok((i, _)) => {
            let (i, d) = cut(date, "a date such as `1972-05-15`")(i)?;
            (i, Some(d))
        }
        Err(_) => (i, None),
    };
    Ok((i, Period { from, until }))
}

/// The end of a period's span, or of what comes before it.
fn period_end(p: &Period, before: Span) -> Span {
    p.until.or(p.from).map_or(before, |d| d.span)
}

/// place = "place" ID STRING? "{" place_line* "}"
fn place(i: Input) -> PResult<PlaceDecl> {
    let (i, start) = position(i)?;
    let (i, _) = keyword("place")(i)?;
    let (i, name) = cut(ident, "a place name such as `okinawa`")(i)?;
    let (i, title) = opt_string(i)?;
    let (i, _) = cut(punct("{"), "`{` to open the place")(i)?;
    let (i, lines) = block(i, place_line, "`territory of`, `administered by`, `in`, or `}`")?;
    Ok((i, PlaceDecl { name, title, lines, span: start.to(body_end(&i)) }))
}

/// unit = "unit" ID STRING?
fn unit(i: Input) -> PResult<UnitDecl> {
    let (i, start) = position(i)?;
    let (i, _) = keyword("unit")(i)?;
    let (i, name) = cut(ident, "a unit name such as `barrels`")(i)?;
    let (i, title) = opt_string(i)?;
    let end = title.as_ref().map_or(name.span, |t| t.span);
    Ok((i, UnitDecl { name, title, span: start.to(end) }))
}

/// place_line = ("territory" "of" PARTY | "administered" "by" PARTY | "in" ID ("," ID)*) period
fn place_line(i: Input) -> PResult<PlaceLine> {
    let (i, start) = position(i)?;
    let (_, w) = peek_word(i)?;
    let (i, kind, end) = match w {
        "territory" => {
            let (i, _) = keyword("territory")(i)?;
            let (i, _) = cut(keyword("of"), "`of` and the state whose territory it is")(i)?;
            let (i, s) = cut(party_code, "a state's code such as `JPN`")(i)?;
            let end = s.span;
            (i, PlaceLineKind::Territory(s), end)
        }
        "administered" => {
            let (i, _) = keyword("administered")(i)?;
            let (i, _) = cut(keyword("by"), "`by` and the state that administers it")(i)?;
            let (i, s) = cut(party_code, "a state's code such as `JPN`")(i)?;
            let end = s.span;
            (i, PlaceLineKind::Administered(s), end)
        }
        "in" => {
            let (mut i, _) = keyword("in")(i)?;
            let mut areas = Vec::new();
            loop {
                let (rest, a) = cut(ident, "an area (a group) such as `europe`")(i)?;
                areas.push(a);
                match punct(",")(rest) {
                    Ok((rest, _)) => i = rest,
                    Err(_) => {
                        i = rest;
                        break;
                    }
                }
            }
            let end = areas.last().map_or(start, |a| a.span);
            (i, PlaceLineKind::In(areas), end)
        }
        _ => return Err(unknown_keyword(i, "a line of the place", &["territory", "administered", "in"])),
    };
    let (i, period) = period(i)?;
    Ok((i, PlaceLine { kind, period, span: start.to(period_end(&period, end)) }))
}

/// A group member: a party code or a symbol, never a variable.
fn constant(i: Input) -> PResult<Term> {
    let (i, w) = word(i)?;
    match classify(w) {
        t @ (Term::Party(_) | Term::Symbol(_)) => Ok((i, t)),
        t => Err(fail_at(t.span(), SyntaxErrorKind::VariableInGroup, SyntaxErrorKind::VariableInGroup.help())),
    }
}

/// fact_decl = "fact" ID "(" (role ("," role)* ","?)? ")"
fn fact_decl(i: Input) -> PResult<FactDecl> {
    let (i, start) = position(i)?;
    let (i, _) = keyword("fact")(i)?;
    let (i, name) = cut(ident, "the name of a kind of fact")(i)?;
    let (i, _) = cut(punct("("), "`(` and the roles of the fact")(i)?;
    let (i, roles) = list(i, ")", role_decl, "a role name")?;
    Ok((i, FactDecl { name, roles, span: start.to(end_of(&i)) }))
}

/// role = ID ("=" ID)?
fn role_decl(i: Input) -> PResult<RoleDecl> {
    let (i, name) = ident(i)?;
    match punct("=")(i) {
        Ok((i, _)) => {
            let (i, d) = cut(ident, "the role whose value is the default")(i)?;
            Ok((i, RoleDecl { name, default: Some(d) }))
        }
        Err(_) => Ok((i, RoleDecl { name, default: None })),
    }
}

/// action_decl = "action" ID ("(" (ID ("," ID)* ","?)? ")")? ("includes" pattern ("," pattern)*)?
///               ("fulfilled" "by" pattern ("," pattern)*)?
fn action_decl(i: Input) -> PResult<ActionDecl> {
    let (i, start) = position(i)?;
    let (i, _) = keyword("action")(i)?;
    let (i, name) = cut(ident, "the name of an action")(i)?;
    let (i, roles) = match punct("(")(i) {
        Ok((i, _)) => list(i, ")", ident, "a role name")?,
        Err(_) => (i, Vec::new()),
    };
    let (i, includes) = match keyword("includes")(i) {
        Ok((i, _)) => patterns(i)?,
        Err(_) => (i, Vec::new()),
    };
    let (i, fulfilled_by) = match keyword("fulfilled")(i) {
        Ok((i, _)) => {
            let (i, _) = cut(keyword("by"), "`by` and the actions that fulfil it")(i)?;
            patterns(i)?
        }
        Err(_) => (i, Vec::new()),
    };
    Ok((i, ActionDecl { name, roles, includes, fulfilled_by, span: start.to(end_of(&i)) }))
}

/// PARTY ("," PARTY)*
fn codes(mut i: Input) -> PResult<Vec<Ident>> {
    let mut out = Vec::new();
    loop {
        let (rest, c) = cut(party_code, "a state's code, such as `DEU`")(i)?;
        out.push(c);
        match punct(",")(rest) {
            Ok((rest, _)) => i = rest,
            Err(_) => return Ok((rest, out)),
        }
    }
}

/// pattern ("," pattern)*
fn patterns(mut i: Input) -> PResult<Vec<Pattern>> {
    let mut out = Vec::new();
    loop {
        let (rest, p) = cut(pattern, "an action")(i)?;
        out.push(p);
        match punct(",")(rest) {
            Ok((rest, _)) => i = rest,
            Err(_) => return Ok((rest, out)),
        }
    }
}

/// party_decl = "party" PARTY STRING ("alias" "of" PARTY | period ("successors" PARTY ("," PARTY)*)?)
fn party_decl(i: Input) -> PResult<PartyDecl> {
    let (i, start) = position(i)?;
    let (i, _) = keyword("party")(i)?;
    let (i, code) = party_code(i)?;
    let (i, name) = cut(string, "the party's name in double quotes")(i)?;
    if let Ok((i, _)) = keyword("alias")(i) {
        let (i, _) = cut(keyword("of"), "`of` and the code to write instead")(i)?;
        let (i, alias) = cut(party_code, "the code to write instead, such as `RUS`")(i)?;
        let span = start.to(alias.span);
        return Ok((
            i,
            PartyDecl { code, name, period: Period::default(), successors: Vec::new(), alias: Some(alias), span },
        ));
    }
    let (i, period) = period(i)?;
    let mut end = period_end(&period, name.span);
    let (i, successors) = match keyword("successors")(i) {
        Ok((i, _)) => codes(i)?,
        Err(_) => (i, Vec::new()),
    };
    if let Some(last) = successors.last() {
        end = last.span;
    }
    Ok((i, PartyDecl { code, name, period, successors, alias: None, span: start.to(end) }))
}

/// deem = "deem" pattern ("after" duration)? "if" condition
fn deem(i: Input) -> PResult<Deem> {
    let (i, start) = position(i)?;
    let (i, _) = keyword("deem")(i)?;
    let (i, head) = cut(pattern, "the fact to derive, such as `armed_attack(by: P, on: A)`")(i)?;
    let (i, delay) = match keyword("after")(i) {
        Ok((i, _)) => {
            let (i, d) = cut(duration, "a delay such as `1 day`")(i)?;
            (i, Some(d))
        }
        Err(_) => (i, None),
    };
    let (i, _) = cut(keyword("if"), "`if` and the condition")(i)?;
    let (i, condition) = whole_condition(i)?;
    Ok((i, Deem { head, delay, condition, span: start.to(end_of(&i)) }))
}

/// precedence = "precedence" GLOB ("," GLOB)* "over" GLOB ("," GLOB)*
fn precedence(i: Input) -> PResult<Precedence> {
    let (i, start) = position(i)?;
    let (i, _) = keyword("precedence")(i)?;
    let (i, winners) = globs(i)?;
    let (i, _) = cut(keyword("over"), "`,` or `over`")(i)?;
    let (i, losers) = globs(i)?;
    Ok((i, Precedence { winners, losers, span: start.to(end_of(&i)) }))
}

fn globs(mut i: Input) -> PResult<Vec<Ident>> {
    let mut out = Vec::new();
    loop {
        let (rest, g) = cut(glob, "an instrument id or pattern such as `unsc_*`")(i)?;
        out.push(g);
        match punct(",")(rest) {
            Ok((rest, _)) => i = rest,
            Err(_) => return Ok((rest, out)),
        }
    }
}

/// GLOB = [a-z0-9_*]+
fn glob(i: Input) -> PResult<Ident> {
    let i = skip_trivia(i);
    let n = i
        .fragment()
        .bytes()
        .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_' || *b == b'*')
        .count();
    if n == 0 {
        return Err(backtrack(i));
    }
    take_ident(i, n)
}

// ---------------------------------------------------------------------------------------------
// Tokens
