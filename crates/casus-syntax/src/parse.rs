//! The parser: text to [`ast`](crate::ast), written with `nom` over `nom_locate` spans.
//!
//! Parsing never panics and never fails outright: it returns the items it could read, the
//! comments (for the formatter), and a diagnostic for each syntax error. After an error it skips
//! to the next line that starts a top-level item, so one run reports every broken item.
//!
//! The grammar, one rule above each function below:
//!
//! ```text
//! file         = item*
//! item         = instrument | group | fact_decl | action_decl | party_decl | deem | precedence
//! instrument   = ("treaty" | "resolution" | "regime") ID STRING? "{" clause* "}"
//! clause       = parties | binds | in_force | withdrawal | dated | article
//! parties      = "parties" "{" party_record* "}"
//! party_record = PARTY (status_kw DATE)*
//! status_kw    = "signed" | "ratified" | "acceded" | "withdrew" | "suspended" | "left"
//! binds        = "binds" "every" "member" "of" ID
//! in_force     = "in" "force" ( "on" "signature" | "on" "exchange" "of" "ratifications"
//!                             | "on" "adoption" | "on" DATE
//!                             | duration "after" "the" ORDINAL "ratification" )
//! withdrawal   = "withdrawal" "takes" "effect" duration "after" "notice"
//! dated        = ("exchanged" | "adopted" | "terminated" | "expires") DATE
//! article      = "article" (ARTICLE_ID | STRING) STRING? "{" ("text" STRING)? rule* "}"
//! rule         = "if" condition "then" conclusion | "always" conclusion
//! conclusion   = bearers modality pattern deadline?
//! bearers      = "every" ("party" | "state") VAR except? | "every" "member" "of" ID except? | term
//! except       = "other" "than" term ("," term)*
//! modality     = "must" "not" | "must" | "may"
//! deadline     = "without" "delay" | "immediately" | "within" duration | "by" DATE
//! duration     = NUMBER ("day" | "days" | "month" | "months" | "year" | "years")
//! condition    = literal ("and" literal)*
//! literal      = "not" literal | "(" condition ")" | term "performs" pattern
//!              | term "is" "not"? "party" ("to" ID)? | term "not"? "in" ID
//!              | term ("=" | "!=") term | pattern
//! pattern      = ID ("(" (arg ("," arg)* ","?)? ")")?
//! arg          = ID ":" term
//! term         = VAR | PARTY | SYMBOL | "_"
//! group        = "group" ID "=" "[" (term ("," term)* ","?)? "]"
//! fact_decl    = "fact" ID "(" (role ("," role)* ","?)? ")"
//! role         = ID ("=" ID)?
//! action_decl  = "action" ID ("(" (ID ("," ID)* ","?)? ")")? ("includes" pattern ("," pattern)*)?
//! party_decl   = "party" PARTY STRING
//! deem         = "deem" pattern ("after" duration)? "if" condition
//! precedence   = "precedence" GLOB ("," GLOB)* "over" GLOB ("," GLOB)*
//!
//! ID      = [a-z][a-z0-9_]*          SYMBOL = ID
//! PARTY   = [A-Z][A-Z]+              VAR    = [A-Z] | [A-Z][A-Za-z0-9]* with a lower-case letter or digit
//! DATE    = [0-9]{4} "-" [0-9]{2} "-" [0-9]{2}
//! STRING  = '"' ([^"\\] | '\"' | '\\')* '"'      (may span lines)
//! ARTICLE_ID = [A-Za-z0-9_.]+        GLOB = [a-z0-9_*]+        ORDINAL = [0-9]+ ("st"|"nd"|"rd"|"th")
//! comment = "#" [^\n]*
//! ```

use nom::error::{ErrorKind, ParseError};
use nom::{IResult, Input as _};
use nom_locate::LocatedSpan;

use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

/// Conditions deeper than this (parentheses and `not`s) are refused rather than risk the stack.
pub const MAX_DEPTH: usize = 128;

/// The result of parsing one file.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    /// The items that parsed.
    pub file: File,
    /// Every comment, in source order.
    pub comments: Vec<Comment>,
    /// One diagnostic per syntax error.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses a rule file. Never panics; syntax errors come back as diagnostics.
pub fn parse(file: FileId, text: &str) -> Parsed {
    let mut parsed = Parsed { comments: comments(text), ..Parsed::default() };
    let mut input = Input::new(text);
    loop {
        input = skip_trivia(input);
        if input.fragment().is_empty() {
            break;
        }
        match item(input) {
            Ok((rest, item)) => {
                parsed.file.items.push(item);
                input = rest;
            }
            Err(nom::Err::Error(mut e) | nom::Err::Failure(mut e)) => {
                let offset = e.offset;
                if e.message.is_empty() {
                    let at = Input::new(text).take_from(offset.min(text.len()));
                    e.len = token_len(at.fragment());
                    e.message = format!("unexpected {}", describe(at));
                }
                parsed.diagnostics.push(e.into_diagnostic(file));
                input = recover(input, offset);
            }
            Err(nom::Err::Incomplete(_)) => break,
        }
    }
    parsed
}

/// The parser's input: text with its offset, line and column.
pub type Input<'a> = LocatedSpan<&'a str>;

type PResult<'a, T> = IResult<Input<'a>, T, SyntaxError>;

/// A syntax error: where, what was expected, and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// The byte offset of the offending token.
    pub offset: usize,
    /// Its length in bytes (0 at the end of the file).
    pub len: usize,
    /// The message.
    pub message: String,
    /// A suggestion.
    pub help: Option<String>,
}

impl SyntaxError {
    fn into_diagnostic(self, file: FileId) -> Diagnostic {
        let d = Diagnostic::error("casus::syntax", file, Span::new(self.offset, self.offset + self.len), self.message);
        match self.help {
            Some(help) => d.with_help(help),
            None => d,
        }
    }
}

impl<'a> ParseError<Input<'a>> for SyntaxError {
    /// A backtracking error costs nothing: most are discarded by an alternative that matches. The
    /// message of one that is reported is written then (see `parse`).
    fn from_error_kind(input: Input<'a>, _: ErrorKind) -> Self {
        SyntaxError { offset: input.location_offset(), len: 0, message: String::new(), help: None }
    }

    fn append(_: Input<'a>, _: ErrorKind, other: Self) -> Self {
        other
    }

    fn or(self, other: Self) -> Self {
        if other.offset >= self.offset { other } else { self }
    }
}

// ---------------------------------------------------------------------------------------------
// Items

/// item = instrument | group | fact_decl | action_decl | party_decl | deem | precedence
fn item(i: Input) -> PResult<Item> {
    let (_, word) = peek_word(i)?;
    match word {
        "treaty" | "resolution" | "regime" => map(instrument, Item::Instrument)(i),
        "group" => map(group, Item::Group)(i),
        "fact" => map(fact_decl, Item::Fact)(i),
        "action" => map(action_decl, Item::Action)(i),
        "party" => map(party_decl, Item::Party)(i),
        "deem" => map(deem, Item::Deem)(i),
        "precedence" => map(precedence, Item::Precedence)(i),
        _ => Err(unknown_keyword(i, "an item", TOP_KEYWORDS)),
    }
}

const TOP_KEYWORDS: &[&str] =
    &["treaty", "resolution", "regime", "group", "fact", "action", "party", "deem", "precedence"];

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

/// clause = parties | binds | in_force | withdrawal | dated | article
fn clause(i: Input) -> PResult<Clause> {
    let (_, w) = peek_word(i)?;
    match w {
        "parties" => map(parties, Clause::Parties)(i),
        "binds" => binds(i),
        "in" => in_force(i),
        "withdrawal" => withdrawal(i),
        "exchanged" | "adopted" | "terminated" | "expires" => dated(i),
        "article" => map(article, Clause::Article)(i),
        _ => Err(unknown_keyword(i, "a clause of the instrument", CLAUSE_KEYWORDS)),
    }
}

const CLAUSE_KEYWORDS: &[&str] =
    &["parties", "binds", "in", "withdrawal", "exchanged", "adopted", "terminated", "expires", "article"];

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

/// withdrawal = "withdrawal" "takes" "effect" duration "after" "notice"
fn withdrawal(i: Input) -> PResult<Clause> {
    let (i, start) = position(i)?;
    let (i, _) = keyword("withdrawal")(i)?;
    let (i, _) = cut(keywords(&["takes", "effect"]), "`takes effect`")(i)?;
    let (i, d) = cut(duration, "a period such as `1 year`")(i)?;
    let (i, _) = cut(keywords(&["after", "notice"]), "`after notice`")(i)?;
    Ok((i, Clause::Withdrawal(d, start.to(end_of(&i)))))
}

/// dated = ("exchanged" | "adopted" | "terminated" | "expires") DATE
fn dated(i: Input) -> PResult<Clause> {
    let (i, start) = position(i)?;
    let (i, w) = word(i)?;
    let kind = match w.name.as_str() {
        "exchanged" => DatedKind::Exchanged,
        "adopted" => DatedKind::Adopted,
        "terminated" => DatedKind::Terminated,
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
    let (i, text) = match keyword("text")(i) {
        Ok((i, _)) => {
            let (i, s) = cut(string, "the article's text in double quotes")(i)?;
            (i, Some(s))
        }
        Err(_) => (i, None),
    };
    let (i, rules) = block(i, rule, "a rule (`if ... then ...` or `always ...`), or `}`")?;
    Ok((i, Article { id, heading, text, rules, span: start.to(body_end(&i)) }))
}

/// rule = "if" condition "then" conclusion | "always" conclusion
fn rule(i: Input) -> PResult<Rule> {
    let (i, start) = position(i)?;
    let (_, w) = peek_word(i)?;
    match w {
        "if" => {
            let (i, _) = word(i)?;
            let (i, cond) = condition(i, 0)?;
            let (i, _) = cut(keyword("then"), "`and` or `then`")(i)?;
            let (i, conclusion) = conclusion(i)?;
            Ok((i, Rule { span: start.to(conclusion.span), condition: Some(cond), conclusion }))
        }
        "always" => {
            let (i, _) = word(i)?;
            let (i, conclusion) = conclusion(i)?;
            Ok((i, Rule { span: start.to(conclusion.span), condition: None, conclusion }))
        }
        "text" => Err(failure(
            i,
            "an article has at most one `text`, and it comes first",
            Some("join the passages into one string, or split the article"),
        )),
        _ => Err(unknown_keyword(i, "a rule", &["if", "always", "text"])),
    }
}

/// conclusion = bearers modality pattern deadline?
fn conclusion(i: Input) -> PResult<Conclusion> {
    let (i, start) = position(i)?;
    let (i, bearers) = bearers(i)?;
    let (i, modality) = modality(i)?;
    let (i, action) = cut(pattern, "an action such as `assist(ally: V)`")(i)?;
    let (i, deadline) = deadline(i)?;
    let end = match &deadline {
        Some(_) => end_of(&i),
        None => action.span,
    };
    Ok((i, Conclusion { bearers, modality, action, deadline, span: start.to(end) }))
}

/// bearers = "every" ("party" | "state") VAR except? | "every" "member" "of" ID except? | term
fn bearers(i: Input) -> PResult<Bearers> {
    let Ok((i, _)) = keyword("every")(i) else {
        let (i, t) = cut(term, "who bears the norm: `every party P`, a party code or a variable")(i)?;
        return Ok((i, Bearers::One(t)));
    };
    let (_, w) = cut(peek_word, "`party`, `state` or `member of`")(i)?;
    match w {
        "party" | "state" => {
            let (i, _) = word(i)?;
            let (i, var) = cut(variable, "a variable naming each bearer, such as `P`")(i)?;
            let (i, except) = except(i)?;
            Ok((
                i,
                if w == "party" { Bearers::EveryParty { var, except } } else { Bearers::EveryState { var, except } },
            ))
        }
        "member" => {
            let (i, _) = word(i)?;
            let (i, _) = cut(keyword("of"), "`of`")(i)?;
            let (i, group) = cut(ident, "a group name")(i)?;
            let (i, except) = except(i)?;
            Ok((i, Bearers::EveryMember { group, except }))
        }
        _ => Err(unknown_keyword(i, "who bears the norm after `every`", &["party", "state", "member"])),
    }
}

/// except = "other" "than" term ("," term)*
fn except(i: Input) -> PResult<Vec<Term>> {
    let Ok((i, _)) = keyword("other")(i) else {
        return Ok((i, Vec::new()));
    };
    let (mut i, _) = cut(keyword("than"), "`than`")(i)?;
    let mut terms = Vec::new();
    loop {
        let (rest, t) = cut(term, "a party or variable")(i)?;
        terms.push(t);
        match punct(",")(rest) {
            Ok((rest, _)) => i = rest,
            Err(_) => return Ok((rest, terms)),
        }
    }
}

/// modality = "must" "not" | "must" | "may"
fn modality(i: Input) -> PResult<Modality> {
    if let Ok((i, _)) = keyword("must")(i) {
        return Ok(match keyword("not")(i) {
            Ok((i, _)) => (i, Modality::MustNot),
            Err(_) => (i, Modality::Must),
        });
    }
    if let Ok((i, _)) = keyword("may")(i) {
        return Ok((i, Modality::May));
    }
    Err(unknown_keyword(i, "`must`, `must not` or `may`", &["must", "may"]))
}

/// deadline = "without" "delay" | "immediately" | "within" duration | "by" DATE
fn deadline(i: Input) -> PResult<Option<Deadline>> {
    if let Ok((i, _)) = keyword("without")(i) {
        let (i, _) = cut(keyword("delay"), "`delay`")(i)?;
        return Ok((i, Some(Deadline::WithoutDelay)));
    }
    if let Ok((i, _)) = keyword("immediately")(i) {
        return Ok((i, Some(Deadline::Immediately)));
    }
    if let Ok((i, _)) = keyword("within")(i) {
        let (i, d) = cut(duration, "a period such as `30 days`")(i)?;
        return Ok((i, Some(Deadline::Within(d))));
    }
    if let Ok((i, _)) = keyword("by")(i) {
        let (i, d) = cut(date, "a date")(i)?;
        return Ok((i, Some(Deadline::By(d))));
    }
    Ok((i, None))
}

/// duration = NUMBER ("day" | "days" | "month" | "months" | "year" | "years")
fn duration(i: Input) -> PResult<Duration> {
    let (i, amount) = number(i)?;
    let (i, unit) = cut(word, "`days`, `months` or `years`")(i)?;
    let unit = match unit.name.as_str() {
        "day" | "days" => Unit::Days,
        "month" | "months" => Unit::Months,
        "year" | "years" => Unit::Years,
        _ => {
            return Err(nom::Err::Failure(SyntaxError {
                offset: unit.span.start,
                len: unit.span.len(),
                message: format!("expected `days`, `months` or `years`, found `{}`", unit.name),
                help: None,
            }));
        }
    };
    Ok((i, Duration { amount, unit }))
}

// ---------------------------------------------------------------------------------------------
// Conditions

/// condition = literal ("and" literal)*
fn condition(i: Input, depth: usize) -> PResult<Vec<Literal>> {
    let mut lits = Vec::new();
    let (mut i, first) = literal(i, depth)?;
    push_flat(&mut lits, first);
    while let Ok((rest, _)) = keyword("and")(i) {
        let (rest, lit) = literal(rest, depth)?;
        push_flat(&mut lits, lit);
        i = rest;
    }
    Ok((i, lits))
}

/// A parenthesised conjunction inside a conjunction is the same conjunction.
fn push_flat(lits: &mut Vec<Literal>, lit: Grouped) {
    match lit {
        Grouped::One(l) => lits.push(l),
        Grouped::Many(ls) => lits.extend(ls),
    }
}

enum Grouped {
    One(Literal),
    Many(Vec<Literal>),
}

/// literal = "not" literal | "(" condition ")" | term "performs" pattern
///         | term "is" "not"? "party" ("to" ID)? | term "not"? "in" ID | term ("=" | "!=") term
///         | pattern
fn literal(i: Input, depth: usize) -> PResult<Grouped> {
    let (i, start) = position(i)?;
    if depth >= MAX_DEPTH {
        return Err(failure(
            i,
            &format!("this condition nests more than {MAX_DEPTH} levels deep"),
            Some("write the condition as a flat conjunction; double negations cancel out"),
        ));
    }
    if let Ok((i, _)) = keyword("not")(i) {
        let (i, inner) = literal(i, depth + 1)?;
        let inner = match inner {
            Grouped::One(l) => vec![l],
            Grouped::Many(ls) => ls,
        };
        let span = start.to(end_of(&i));
        return Ok((i, Grouped::One(Literal { kind: LiteralKind::Not(inner), span })));
    }
    if let Ok((i, _)) = punct("(")(i) {
        let (i, inner) = condition(i, depth + 1)?;
        let (i, _) = cut(punct(")"), "`and` or `)`")(i)?;
        return Ok((i, Grouped::Many(inner)));
    }
    let (_, w) = cut(peek_word, "a condition such as `armed_attack(on: V)` or `V is party`")(i)?;
    let lower = w.starts_with(|c: char| c.is_ascii_lowercase());
    if lower && is_pattern_start(i) {
        let (i, p) = pattern(i)?;
        let span = p.span;
        return Ok((i, Grouped::One(Literal { kind: LiteralKind::Fact(p), span })));
    }
    let (i, t) = term(i)?;
    let (i, kind) = literal_tail(i, t)?;
    let span = start.to(end_of(&i));
    Ok((i, Grouped::One(Literal { kind, span })))
}

/// Whether a lower-case word here starts a fact pattern rather than a symbol term.
fn is_pattern_start(i: Input) -> bool {
    let Ok((rest, _)) = word(i) else { return false };
    if punct("(")(rest).is_ok() {
        return true;
    }
    let Ok((_, next)) = peek_word(rest) else {
        return !(punct("=")(rest).is_ok() || punct("!=")(rest).is_ok());
    };
    !matches!(next, "is" | "in" | "not" | "performs")
}

/// What follows the term of a literal.
fn literal_tail(i: Input, t: Term) -> PResult<LiteralKind> {
    if let Ok((i, _)) = keyword("performs")(i) {
        let (i, action) = cut(pattern, "an action such as `supply(item: arms)`")(i)?;
        return Ok((i, LiteralKind::Act { actor: t, action }));
    }
    if let Ok((i, _)) = keyword("is")(i) {
        let (i, negated) = flag(i, "not");
        let (i, _) = cut(keyword("party"), "`party` (as in `V is party`)")(i)?;
        let (i, instrument) = match keyword("to")(i) {
            Ok((i, _)) => {
                let (i, id) = cut(ident, "an instrument id")(i)?;
                (i, Some(id))
            }
            Err(_) => (i, None),
        };
        return Ok((i, LiteralKind::IsParty { term: t, negated, instrument }));
    }
    let (j, negated) = flag(i, "not");
    if let Ok((j, _)) = keyword("in")(j) {
        let (j, group) = cut(ident, "a group name")(j)?;
        return Ok((j, LiteralKind::InGroup { term: t, negated, group }));
    }
    if negated {
        return Err(expected(j, "`in` after `not`"));
    }
    for (op, negated) in [("!=", true), ("=", false)] {
        if let Ok((i, _)) = punct(op)(i) {
            let (i, right) = cut(term, "a term to compare with")(i)?;
            return Ok((i, LiteralKind::Compare { left: t, negated, right }));
        }
    }
    Err(expected(i, "`performs`, `is party`, `in`, `=` or `!=` after the term"))
}

/// pattern = ID ("(" (arg ("," arg)* ","?)? ")")?
fn pattern(i: Input) -> PResult<Pattern> {
    let (i, name) = ident(i)?;
    let Ok((mut i, _)) = punct("(")(i) else {
        let span = name.span;
        return Ok((i, Pattern { name, args: Vec::new(), span }));
    };
    let mut args = Vec::new();
    loop {
        if let Ok((rest, _)) = punct(")")(i) {
            return Ok((rest, Pattern { span: name.span.to(end_of(&rest)), name, args }));
        }
        let (rest, arg) = cut(arg, "an argument `role: value`, or `)`")(i)?;
        args.push(arg);
        i = match punct(",")(rest) {
            Ok((rest, _)) => rest,
            Err(_) => {
                let (rest, _) = cut(punct(")"), "`,` or `)`")(rest)?;
                return Ok((rest, Pattern { span: name.span.to(end_of(&rest)), name, args }));
            }
        };
    }
}

/// arg = ID ":" term
fn arg(i: Input) -> PResult<Arg> {
    let (i, role) = ident(i)?;
    let (i, _) = cut(punct(":"), "`:` after the role")(i)?;
    let (i, value) = cut(term, "a value: a party code, a symbol, a variable or `_`")(i)?;
    Ok((i, Arg { role, value }))
}

/// term = VAR | PARTY | SYMBOL | "_"
fn term(i: Input) -> PResult<Term> {
    let (i, w) = word(i)?;
    Ok((i, classify(w)))
}

fn classify(w: Ident) -> Term {
    let name = w.name.as_str();
    if name == "_" {
        return Term::Wildcard(w.span);
    }
    if name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Term::Symbol(w);
    }
    let single = name.len() == 1;
    let has_lower_or_digit = name.chars().any(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if single || has_lower_or_digit { Term::Var(w) } else { Term::Party(w) }
}

// ---------------------------------------------------------------------------------------------
// Other items

/// group = "group" ID "=" "[" (term ("," term)* ","?)? "]"
fn group(i: Input) -> PResult<Group> {
    let (i, start) = position(i)?;
    let (i, _) = keyword("group")(i)?;
    let (i, name) = cut(ident, "a group name such as `un_members`")(i)?;
    let (i, _) = cut(punct("="), "`=`")(i)?;
    let (i, _) = cut(punct("["), "`[`")(i)?;
    let (i, members) = list(i, "]", constant, "a party code or a symbol")?;
    Ok((i, Group { name, members, span: start.to(end_of(&i)) }))
}

/// A group member: a party code or a symbol, never a variable.
fn constant(i: Input) -> PResult<Term> {
    let (i, w) = word(i)?;
    match classify(w) {
        t @ (Term::Party(_) | Term::Symbol(_)) => Ok((i, t)),
        t => Err(nom::Err::Failure(SyntaxError {
            offset: t.span().start,
            len: t.span().len(),
            message: "a group holds party codes (`FRA`) or symbols (`europe`), not variables".into(),
            help: Some("party codes are all upper-case letters".into()),
        })),
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
fn action_decl(i: Input) -> PResult<ActionDecl> {
    let (i, start) = position(i)?;
    let (i, _) = keyword("action")(i)?;
    let (i, name) = cut(ident, "the name of an action")(i)?;
    let (i, roles) = match punct("(")(i) {
        Ok((i, _)) => list(i, ")", ident, "a role name")?,
        Err(_) => (i, Vec::new()),
    };
    let mut includes = Vec::new();
    let mut i = i;
    if let Ok((rest, _)) = keyword("includes")(i) {
        i = rest;
        loop {
            let (rest, p) = cut(pattern, "an action")(i)?;
            includes.push(p);
            match punct(",")(rest) {
                Ok((rest, _)) => i = rest,
                Err(_) => {
                    i = rest;
                    break;
                }
            }
        }
    }
    Ok((i, ActionDecl { name, roles, includes, span: start.to(end_of(&i)) }))
}

/// party_decl = "party" PARTY STRING
fn party_decl(i: Input) -> PResult<PartyDecl> {
    let (i, start) = position(i)?;
    let (i, _) = keyword("party")(i)?;
    let (i, code) = party_code(i)?;
    let (i, name) = cut(string, "the party's name in double quotes")(i)?;
    Ok((i, PartyDecl { code, span: start.to(name.span), name }))
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
    let (i, condition) = condition(i, 0)?;
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
        return Err(error(i));
    }
    take_ident(i, n)
}

// ---------------------------------------------------------------------------------------------
// Tokens

/// Parses a block body `item* "}"` after its `{`, reporting a missing `}` at the block's end.
fn block<'a, T>(
    mut i: Input<'a>,
    mut item: impl FnMut(Input<'a>) -> PResult<'a, T>,
    what: &str,
) -> PResult<'a, Vec<T>> {
    let mut out = Vec::new();
    loop {
        if let Ok((rest, _)) = punct("}")(i) {
            return Ok((rest, out));
        }
        let at = skip_trivia(i);
        if at.fragment().is_empty() {
            return Err(failure(at, "unexpected end of file: a block is not closed", Some("add the missing `}`")));
        }
        match item(at) {
            Ok((rest, x)) => {
                out.push(x);
                i = rest;
            }
            Err(nom::Err::Error(_)) => return Err(expected(at, what)),
            Err(e) => return Err(e),
        }
    }
}

/// Parses `x ("," x)* ","? CLOSE` after the opening bracket.
fn list<'a, T>(
    mut i: Input<'a>,
    close: &'static str,
    mut item: impl FnMut(Input<'a>) -> PResult<'a, T>,
    what: &str,
) -> PResult<'a, Vec<T>> {
    let mut out = Vec::new();
    loop {
        if let Ok((rest, _)) = punct(close)(i) {
            return Ok((rest, out));
        }
        let (rest, x) = match item(i) {
            Ok(ok) => ok,
            Err(nom::Err::Error(_)) => return Err(expected(i, what)),
            Err(e) => return Err(e),
        };
        out.push(x);
        i = match punct(",")(rest) {
            Ok((rest, _)) => rest,
            Err(_) => {
                let (rest, _) = match punct(close)(rest) {
                    Ok(ok) => ok,
                    Err(_) => return Err(expected(skip_trivia(rest), &format!("`,` or `{close}`"))),
                };
                return Ok((rest, out));
            }
        };
    }
}

/// ID = [a-z][a-z0-9_]*
fn ident(i: Input) -> PResult<Ident> {
    let (i, w) = word(i)?;
    if w.name.starts_with(|c: char| c.is_ascii_lowercase()) {
        Ok((i, w))
    } else {
        Err(nom::Err::Error(SyntaxError {
            offset: w.span.start,
            len: w.span.len(),
            message: format!("expected a lower-case name, found `{}`", w.name),
            help: None,
        }))
    }
}

/// VAR
fn variable(i: Input) -> PResult<Ident> {
    let (rest, w) = word(i)?;
    match classify(w) {
        Term::Var(v) => Ok((rest, v)),
        _ => Err(error(skip_trivia(i))),
    }
}

/// PARTY = [A-Z][A-Z]+
fn party_code(i: Input) -> PResult<Ident> {
    let at = skip_trivia(i);
    let bad = |help: &str| {
        nom::Err::Failure(SyntaxError {
            offset: at.location_offset(),
            len: token_len(at.fragment()),
            message: format!("expected a party code such as `PRK`, found {}", describe(at)),
            help: Some(help.into()),
        })
    };
    let Ok((rest, w)) = word(i) else {
        return Err(bad(
            "party codes are ISO 3166-1 alpha-3 codes in upper-case ASCII letters, or a code declared with `party CODE \"name\"`",
        ));
    };
    match classify(w) {
        Term::Party(p) => Ok((rest, p)),
        _ => Err(bad("party codes are all upper-case letters: `PRK`, `AUH`")),
    }
}

/// ARTICLE_ID = [A-Za-z0-9_.]+ | STRING
fn article_id(i: Input) -> PResult<Ident> {
    let i = skip_trivia(i);
    if i.fragment().starts_with('"') {
        let (i, s) = string(i)?;
        return Ok((i, Ident { name: s.value, span: s.span }));
    }
    let n = i.fragment().bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.').count();
    if n == 0 {
        return Err(error(i));
    }
    take_ident(i, n)
}

/// A word: `[A-Za-z][A-Za-z0-9_]*` or `_`. Letters outside ASCII are refused with a precise error.
fn word(i: Input) -> PResult<Ident> {
    let at = skip_trivia(i).location_offset();
    let (rest, w) = word_slice(i)?;
    Ok((rest, Ident { name: w.to_string(), span: Span::new(at, at + w.len()) }))
}

/// The text of the next word, without allocating; the same checks as `word`.
fn word_slice<'a>(i: Input<'a>) -> PResult<'a, &'a str> {
    let i = skip_trivia(i);
    let text: &str = i.fragment();
    match text.chars().next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        Some(c) if c.is_alphabetic() => {
            return Err(nom::Err::Failure(SyntaxError {
                offset: i.location_offset(),
                len: token_len(text),
                message: format!("`{}` is not an ASCII name", first_token(text)),
                help: Some(format!(
                    "names, codes and keywords use ASCII letters only (`{c}` is not one); party codes are ISO 3166-1 alpha-3 codes such as `DEU`, and other text belongs in a string"
                )),
            }));
        }
        _ => return Err(error(i)),
    }
    let n = text.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
    if let Some(c) = text.get(n..).and_then(|t| t.chars().next())
        && c.is_alphabetic()
    {
        return Err(nom::Err::Failure(SyntaxError {
            offset: i.location_offset(),
            len: token_len(text),
            message: format!("`{}` is not an ASCII name", first_token(text)),
            help: Some(format!("names, codes and keywords use ASCII letters only (`{c}` is not one)")),
        }));
    }
    let (rest, w) = i.take_split(n);
    Ok((rest, *w.fragment()))
}

fn take_ident(i: Input, n: usize) -> PResult<Ident> {
    let (rest, w) = i.take_split(n);
    let span = Span::new(w.location_offset(), w.location_offset() + n);
    Ok((rest, Ident { name: w.fragment().to_string(), span }))
}

/// The next word, without consuming it.
fn peek_word<'a>(i: Input<'a>) -> PResult<'a, &'a str> {
    let (_, w) = word_slice(i)?;
    Ok((i, w))
}

/// A keyword: the word `kw` and not a longer one.
fn keyword(kw: &'static str) -> impl Fn(Input) -> PResult<Span> {
    move |i| {
        let at = skip_trivia(i);
        let (rest, w) = word_slice(at)?;
        if w == kw {
            Ok((rest, Span::new(at.location_offset(), at.location_offset() + w.len())))
        } else {
            Err(error(at))
        }
    }
}

/// Several keywords in a row.
fn keywords<'k>(kws: &'k [&'static str]) -> impl Fn(Input) -> PResult<()> + 'k {
    move |mut i| {
        for kw in kws {
            let (rest, _) = keyword(kw)(i)?;
            i = rest;
        }
        Ok((i, ()))
    }
}

/// An optional keyword, as a flag.
fn flag<'a>(i: Input<'a>, kw: &'static str) -> (Input<'a>, bool) {
    match keyword(kw)(i) {
        Ok((rest, _)) => (rest, true),
        Err(_) => (i, false),
    }
}

/// Punctuation.
fn punct(p: &'static str) -> impl Fn(Input) -> PResult<Span> {
    move |i| {
        let i = skip_trivia(i);
        if !i.fragment().starts_with(p) || (p == "=" && i.fragment().starts_with("==")) {
            return Err(error(i));
        }
        let (rest, t) = i.take_split(p.len());
        Ok((rest, Span::new(t.location_offset(), t.location_offset() + p.len())))
    }
}

/// NUMBER = [0-9]+
fn number(i: Input) -> PResult<u32> {
    let i = skip_trivia(i);
    let n = i.fragment().bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return Err(error(i));
    }
    let (rest, digits) = i.take_split(n);
    match digits.fragment().parse::<u32>() {
        Ok(v) if v <= 1_000_000 => Ok((rest, v)),
        _ => Err(nom::Err::Failure(SyntaxError {
            offset: digits.location_offset(),
            len: n,
            message: format!("`{}` is too large a number (at most 1000000)", digits.fragment()),
            help: None,
        })),
    }
}

/// ORDINAL = [0-9]+ ("st" | "nd" | "rd" | "th")
fn ordinal(i: Input) -> PResult<u32> {
    let (rest, n) = number(i)?;
    for suffix in ["st", "nd", "rd", "th"] {
        if rest.fragment().starts_with(suffix) {
            let (rest, _) = rest.take_split(2);
            if n == 0 {
                return Err(failure(i, "the count of ratifications starts at `1st`", None));
            }
            return Ok((rest, n));
        }
    }
    Err(expected(rest, "`st`, `nd`, `rd` or `th` after the number"))
}

/// DATE = [0-9]{4} "-" [0-9]{2} "-" [0-9]{2}. Whether the day exists is for the checker.
fn date(i: Input) -> PResult<Date> {
    let i = skip_trivia(i);
    let t = i.fragment().as_bytes();
    let shape = [4usize, 2, 2];
    let ok = t.len() >= 10
        && t.get(..4).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && t.get(4) == Some(&b'-')
        && t.get(5..7).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && t.get(7) == Some(&b'-')
        && t.get(8..10).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && !t.get(10).is_some_and(|b| b.is_ascii_alphanumeric());
    if !ok {
        return Err(error(i));
    }
    let _ = shape;
    let (rest, d) = i.take_split(10);
    let s = d.fragment();
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<i16>().ok()).unwrap_or(0);
    let date = Date {
        year: num(0..4),
        month: num(5..7) as i8,
        day: num(8..10) as i8,
        span: Span::new(d.location_offset(), d.location_offset() + 10),
    };
    Ok((rest, date))
}

/// STRING = '"' ([^"\\] | '\"' | '\\')* '"'
fn string(i: Input) -> PResult<Str> {
    let i = skip_trivia(i);
    if !i.fragment().starts_with('"') {
        return Err(error(i));
    }
    let start = i.location_offset();
    let mut value = String::new();
    let mut chars = i.fragment().char_indices().skip(1);
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => {
                let (rest, _) = i.take_split(at + 1);
                return Ok((rest, Str { value, span: Span::new(start, start + at + 1) }));
            }
            '\\' => match chars.next() {
                Some((_, e @ ('"' | '\\'))) => value.push(e),
                Some((at2, e)) => {
                    return Err(nom::Err::Failure(SyntaxError {
                        offset: start + at,
                        len: at2 + e.len_utf8() - at,
                        message: format!("unknown escape `\\{e}` in a string"),
                        help: Some("strings know two escapes: `\\\"` for a quote and `\\\\` for a backslash; line breaks are written as they are".into()),
                    }));
                }
                None => break,
            },
            c => value.push(c),
        }
    }
    Err(nom::Err::Failure(SyntaxError {
        offset: start,
        len: 1,
        message: "unterminated string: this quote is never closed".into(),
        help: Some("add the closing `\"`; a quote inside the text is written `\\\"`".into()),
    }))
}

fn opt_string(i: Input) -> PResult<Option<Str>> {
    match string(i) {
        Ok((i, s)) => Ok((i, Some(s))),
        Err(nom::Err::Error(_)) => Ok((i, None)),
        Err(e) => Err(e),
    }
}

/// Skips white space and comments.
fn skip_trivia(i: Input) -> Input {
    let text = i.fragment();
    let mut n = 0;
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(n) {
        if b.is_ascii_whitespace() {
            n += 1;
        } else if b == b'#' {
            n += bytes.get(n..).map_or(0, |r| r.iter().position(|&c| c == b'\n').unwrap_or(r.len()));
        } else {
            break;
        }
    }
    i.take_from(n)
}

/// The span of the next token's start, after trivia.
fn position(i: Input) -> PResult<Span> {
    let i = skip_trivia(i);
    let at = i.location_offset();
    Ok((i, Span::new(at, at)))
}

/// An empty span at the end of what has been consumed.
fn end_of(i: &Input) -> Span {
    Span::new(i.location_offset(), i.location_offset())
}

fn body_end(i: &Input) -> Span {
    end_of(i)
}

fn map<'a, T, U>(p: impl Fn(Input<'a>) -> PResult<'a, T>, f: impl Fn(T) -> U) -> impl Fn(Input<'a>) -> PResult<'a, U> {
    move |i| p(i).map(|(rest, t)| (rest, f(t)))
}

/// Commits: a backtrack from `p` becomes a failure saying what was expected here.
fn cut<'a, 'w, T, P>(p: P, what: &'w str) -> impl Fn(Input<'a>) -> PResult<'a, T> + 'w
where
    P: Fn(Input<'a>) -> PResult<'a, T> + 'w,
{
    move |i| match p(i) {
        Err(nom::Err::Error(_)) => Err(expected(skip_trivia(i), what)),
        other => other,
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

fn error(i: Input) -> nom::Err<SyntaxError> {
    nom::Err::Error(SyntaxError::from_error_kind(i, ErrorKind::Verify))
}

fn failure(i: Input, message: &str, help: Option<&str>) -> nom::Err<SyntaxError> {
    let i = skip_trivia(i);
    nom::Err::Failure(SyntaxError {
        offset: i.location_offset(),
        len: token_len(i.fragment()),
        message: message.to_string(),
        help: help.map(str::to_string),
    })
}

fn expected(i: Input, what: &str) -> nom::Err<SyntaxError> {
    let i = skip_trivia(i);
    nom::Err::Failure(SyntaxError {
        offset: i.location_offset(),
        len: token_len(i.fragment()),
        message: format!("expected {what}, found {}", describe(i)),
        help: None,
    })
}

/// An unknown word where a keyword was expected, with the nearest keyword as a suggestion.
fn unknown_keyword(i: Input, what: &str, known: &[&str]) -> nom::Err<SyntaxError> {
    let i = skip_trivia(i);
    let found = first_token(i.fragment());
    let help = match crate::suggest::nearest(found, known.iter().copied()) {
        Some(k) => format!("did you mean `{k}`?"),
        None => format!("expected one of {}", known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")),
    };
    nom::Err::Failure(SyntaxError {
        offset: i.location_offset(),
        len: token_len(i.fragment()),
        message: format!("expected {what}, found {}", describe(i)),
        help: Some(help),
    })
}

/// How the next token is shown in a message.
fn describe(i: Input) -> String {
    let t = i.fragment();
    match t.chars().next() {
        None => "the end of the file".into(),
        Some('"') => "a string".into(),
        Some(_) => format!("`{}`", first_token(t)),
    }
}

/// The next token's text: a word or number, or one character.
fn first_token(t: &str) -> &str {
    let n: usize =
        t.char_indices().take_while(|(_, c)| c.is_alphanumeric() || *c == '_').map(|(_, c)| c.len_utf8()).sum();
    let n = if n == 0 { t.chars().next().map_or(0, char::len_utf8) } else { n };
    t.get(..n).unwrap_or("")
}

fn token_len(t: &str) -> usize {
    first_token(t).len()
}

/// After an error, where to resume: the next line that starts with a top-level keyword, in the
/// first column, after the error's offset.
fn recover(i: Input, error_offset: usize) -> Input {
    let base = i.location_offset();
    let text = i.fragment();
    let from = error_offset.saturating_sub(base).max(1).min(text.len());
    let mut pos = from;
    while let Some(nl) = text.get(pos..).and_then(|r| r.find('\n')) {
        let line_start = pos + nl + 1;
        let line = text.get(line_start..).unwrap_or("");
        let w = first_token(line);
        if TOP_KEYWORDS.contains(&w) && line.get(w.len()..).is_some_and(|r| r.starts_with([' ', '\t'])) {
            return i.take_from(line_start);
        }
        pos = line_start;
    }
    i.take_from(text.len())
}

/// Finds every comment: `#` to the end of the line, outside strings.
pub fn comments(text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut n = 0;
    while let Some(&b) = bytes.get(n) {
        match b {
            b'"' => {
                n += 1;
                while let Some(&c) = bytes.get(n) {
                    n += 1;
                    if c == b'\\' {
                        n += 1;
                    } else if c == b'"' {
                        break;
                    }
                }
            }
            b'#' => {
                let len = bytes.get(n..).map_or(0, |r| r.iter().position(|&c| c == b'\n').unwrap_or(r.len()));
                let end = n + len;
                let body = text.get(n..end).unwrap_or("").trim_end();
                out.push(Comment { text: body.to_string(), span: Span::new(n, n + body.len()) });
                n = end;
            }
            _ => n += 1,
        }
    }
    out
}
