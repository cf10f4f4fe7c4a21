//! Rules: conditions, conclusions, patterns and terms.

use super::error::{SyntaxErrorKind, expected, fail, fail_at, unknown_keyword};
use super::tokens::*;
use super::{Input, MAX_DEPTH, MAX_LITERALS, PResult};
use crate::ast::*;

/// rule = "if" condition "then" conclusion | "always" conclusion
pub(super) fn rule(i: Input) -> PResult<Rule> {
    let (i, start) = position(i)?;
    let (_, w) = peek_word(i)?;
    match w {
        "if" => {
            let (i, _) = word(i)?;
            let (i, cond) = whole_condition(i)?;
            let (i, _) = cut(keyword("then"), "`and` or `then`")(i)?;
            let (i, conclusion) = conclusion(i)?;
            Ok((i, Rule { span: start.to(conclusion.span), condition: Some(cond), conclusion }))
        }
        "always" => {
            let (i, _) = word(i)?;
            let (i, conclusion) = conclusion(i)?;
            Ok((i, Rule { span: start.to(conclusion.span), condition: None, conclusion }))
        }
        "text" => Err(fail(i, SyntaxErrorKind::SecondText, SyntaxErrorKind::SecondText.help())),
        _ => Err(unknown_keyword(i, "a rule", &["if", "always", "text"])),
    }
}

/// conclusion = bearers modality pattern deadline?
pub(super) fn conclusion(i: Input) -> PResult<Conclusion> {
    let (i, start) = position(i)?;
    let (i, bearers) = bearers(i)?;
    let (i, modality) = modality(i)?;
    let (i, action) = cut(pattern, "an action such as `assist(ally: V)`")(i)?;
    let (i, deadline) = deadline(i)?;
    let (i, cap) = cap(i)?;
    let end = match (&deadline, &cap) {
        (_, Some(c)) => c.span,
        (Some(_), None) => end_of(&i),
        (None, None) => action.span,
    };
    Ok((i, Conclusion { bearers, modality, action, deadline, cap, span: start.to(end) }))
}

/// cap = "beyond" AMOUNT ID ("or" AMOUNT ID)?
///       ("per" duration "from" DATE | "in" "any" duration | "in" "total") ("in" "aggregate")?
fn cap(i: Input) -> PResult<Option<Cap>> {
    let Ok((i, start)) = keyword("beyond")(i) else { return Ok((i, None)) };
    let (i, amount) = cut(amount, "an amount such as `500000`")(i)?;
    let (i, unit) = cut(ident, "a unit such as `barrels`")(i)?;
    let (i, or) = match keyword("or")(i) {
        Ok((i, _)) => {
            let (i, other) = cut(super::tokens::amount, "the same amount in another unit, such as `525000 tonnes`")(i)?;
            let (i, other_unit) = cut(ident, "a unit such as `tonnes`")(i)?;
            (i, Some((other, other_unit)))
        }
        Err(_) => (i, None),
    };
    let (i, period) = if let Ok((i, _)) = keyword("per")(i) {
        let (i, length) = cut(duration, "a period such as `12 months`")(i)?;
        let (i, _) = cut(keyword("from"), "`from` and the first period's first day")(i)?;
        let (i, from) = cut(date, "a date")(i)?;
        (i, CapPeriod::Fixed { length, from })
    } else if let Ok((i, _)) = keyword("in")(i) {
        let (_, w) = cut(peek_word, "`any` or `total`")(i)?;
        match w {
            "any" => {
                let (i, _) = word(i)?;
                let (i, length) = cut(duration, "a period such as `12 months`")(i)?;
                (i, CapPeriod::Rolling(length))
            }
            "total" => (word(i)?.0, CapPeriod::Total),
            _ => return Err(unknown_keyword(i, "the period of the cap after `in`", &["any", "total"])),
        }
    } else {
        return Err(unknown_keyword(i, "the period of the cap", &["per", "in any", "in total"]));
    };
    let (i, aggregate) = match keyword("in")(i) {
        Ok((j, _)) => (cut(keyword("aggregate"), "`aggregate`")(j)?.0, true),
        Err(_) => (i, false),
    };
    Ok((i, Some(Cap { amount, unit, or, period, aggregate, span: start.to(end_of(&i)) })))
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
pub(super) fn modality(i: Input) -> PResult<Modality> {
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

/// deadline = "without" "delay" | "immediately" | "forthwith" | "within" duration | "by" DATE
pub(super) fn deadline(i: Input) -> PResult<Option<Deadline>> {
    if let Ok((i, _)) = keyword("forthwith")(i) {
        return Ok((i, Some(Deadline::Forthwith)));
    }
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
pub(super) fn duration(i: Input) -> PResult<Duration> {
    let (i, amount) = number(i)?;
    let (i, unit) = cut(word, "`days`, `months` or `years`")(i)?;
    let unit = match unit.name.as_str() {
        "day" | "days" => Unit::Days,
        "month" | "months" => Unit::Months,
        "year" | "years" => Unit::Years,
        _ => {
            let found = super::error::Found::Token(unit.name.clone());
            let expected = "`days`, `months` or `years`".to_string();
            return Err(fail_at(unit.span, SyntaxErrorKind::Expected { expected, found }, None));
        }
    };
    Ok((i, Duration { amount, unit }))
}

// ---------------------------------------------------------------------------------------------
// Conditions

/// The condition of a rule: at most [`MAX_LITERALS`] literals in all, those under `not`
/// counted too, so that solving it never nests deeper than that.
pub(super) fn whole_condition(i: Input) -> PResult<Vec<Literal>> {
    let (i, lits) = condition(i, 0)?;
    let mut seen = 0usize;
    if let Some(span) = past_limit(&lits, &mut seen) {
        return Err(fail_at(span, SyntaxErrorKind::TooLong, SyntaxErrorKind::TooLong.help()));
    }
    Ok((i, lits))
}

/// The place of the literal that passes [`MAX_LITERALS`], counting in the order written.
fn past_limit(lits: &[Literal], seen: &mut usize) -> Option<crate::source::Span> {
    for l in lits {
        *seen += 1;
        if *seen > MAX_LITERALS {
            return Some(l.span);
        }
        if let LiteralKind::Not(inner) = &l.kind
            && let Some(span) = past_limit(inner, seen)
        {
            return Some(span);
        }
    }
    None
}

/// condition = literal ("and" literal)*
pub(super) fn condition(i: Input, depth: usize) -> PResult<Vec<Literal>> {
    let mut lits = Vec::new();
    let (mut i, first) = literal(i, depth)?;
    push_flat(&mut lits, first);
    while let Ok((rest, _)) = keyword("and")(i) {
        if lits.len() >= MAX_LITERALS {
            return Err(fail(rest, SyntaxErrorKind::TooLong, SyntaxErrorKind::TooLong.help()));
        }
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
        return Err(fail(i, SyntaxErrorKind::TooDeep, SyntaxErrorKind::TooDeep.help()));
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
pub(super) fn pattern(i: Input) -> PResult<Pattern> {
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
pub(super) fn term(i: Input) -> PResult<Term> {
    let (i, w) = word(i)?;
    Ok((i, classify(w)))
}
