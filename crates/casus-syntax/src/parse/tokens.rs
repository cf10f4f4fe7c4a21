//! Tokens: words, keywords, punctuation, numbers, dates and strings, with the white space and
//! comments before them; and the combinators the grammar is written with.

use nom::Input as _;

use super::error::{Failure, SyntaxErrorKind, backtrack, expected, expected_with, fail, fail_at, first_token};
use super::trivia::skip_trivia;
use super::{Input, MAX_AMOUNT, MAX_NUMBER, PResult};
use crate::ast::*;
use crate::source::Span;

/// Parses a block body `item* "}"` after its `{`, reporting a missing `}` at the block's end.
pub(super) fn block<'a, T>(
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
            return Err(fail(at, SyntaxErrorKind::Unclosed, SyntaxErrorKind::Unclosed.help()));
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
pub(super) fn list<'a, T>(
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
pub(super) fn ident(i: Input) -> PResult<Ident> {
    let (i, w) = word(i)?;
    if w.name.starts_with(|c: char| c.is_ascii_lowercase()) {
        Ok((i, w))
    } else {
        let kind = SyntaxErrorKind::Expected {
            expected: "a lower-case name".to_string(),
            found: super::error::Found::Token(w.name.clone()),
        };
        Err(nom::Err::Error(Failure {
            offset: w.span.start,
            error: Some(super::error::SyntaxError { kind, at: w.span, help: None }),
        }))
    }
}

/// VAR
pub(super) fn variable(i: Input) -> PResult<Ident> {
    let (rest, w) = word(i)?;
    match classify(w) {
        Term::Var(v) => Ok((rest, v)),
        _ => Err(backtrack(skip_trivia(i))),
    }
}

/// PARTY = [A-Z][A-Z]+
pub(super) fn party_code(i: Input) -> PResult<Ident> {
    let at = skip_trivia(i);
    let bad = |help: &str| expected_with(at, "a party code such as `PRK`", Some(help.to_string()));
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
pub(super) fn article_id(i: Input) -> PResult<Ident> {
    let i = skip_trivia(i);
    if i.fragment().starts_with('"') {
        let (i, s) = string(i)?;
        return Ok((i, Ident { name: s.value, span: s.span }));
    }
    let n = i.fragment().bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.').count();
    if n == 0 {
        return Err(backtrack(i));
    }
    take_ident(i, n)
}

/// A word: `[A-Za-z][A-Za-z0-9_]*` or `_`. Letters outside ASCII are refused with a precise error.
pub(super) fn word(i: Input) -> PResult<Ident> {
    let at = skip_trivia(i).location_offset();
    let (rest, w) = word_slice(i)?;
    Ok((rest, Ident { name: w.to_string(), span: Span::new(at, at + w.len()) }))
}

/// The text of the next word, without allocating; the same checks as `word`.
pub(super) fn word_slice<'a>(i: Input<'a>) -> PResult<'a, &'a str> {
    let i = skip_trivia(i);
    let text: &str = i.fragment();
    match text.chars().next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        Some(c) if c.is_alphabetic() => {
            let help = format!(
                "names, codes and keywords use ASCII letters only (`{c}` is not one); party codes are ISO 3166-1 alpha-3 codes such as `DEU`, and other text belongs in a string"
            );
            return Err(fail(i, SyntaxErrorKind::NotAscii { word: first_token(text).to_string() }, Some(help)));
        }
        _ => return Err(backtrack(i)),
    }
    let n = text.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
    if let Some(c) = text.get(n..).and_then(|t| t.chars().next())
        && c.is_alphabetic()
    {
        let help = format!("names, codes and keywords use ASCII letters only (`{c}` is not one)");
        return Err(fail(i, SyntaxErrorKind::NotAscii { word: first_token(text).to_string() }, Some(help)));
    }
    let (rest, w) = i.take_split(n);
    Ok((rest, *w.fragment()))
}

pub(super) fn take_ident(i: Input, n: usize) -> PResult<Ident> {
    let (rest, w) = i.take_split(n);
    let span = Span::new(w.location_offset(), w.location_offset() + n);
    Ok((rest, Ident { name: w.fragment().to_string(), span }))
}

/// The next word, without consuming it.
pub(super) fn peek_word<'a>(i: Input<'a>) -> PResult<'a, &'a str> {
    let (_, w) = word_slice(i)?;
    Ok((i, w))
}

/// A keyword: the word `kw` and not a longer one.
pub(super) fn keyword(kw: &'static str) -> impl Fn(Input) -> PResult<Span> {
    move |i| {
        let at = skip_trivia(i);
        let (rest, w) = word_slice(at)?;
        if w == kw {
            Ok((rest, Span::new(at.location_offset(), at.location_offset() + w.len())))
        } else {
            Err(backtrack(at))
        }
    }
}

/// Several keywords in a row.
pub(super) fn keywords<'k>(kws: &'k [&'static str]) -> impl Fn(Input) -> PResult<()> + 'k {
    move |mut i| {
        for kw in kws {
            let (rest, _) = keyword(kw)(i)?;
            i = rest;
        }
        Ok((i, ()))
    }
}

/// An optional keyword, as a flag.
pub(super) fn flag<'a>(i: Input<'a>, kw: &'static str) -> (Input<'a>, bool) {
    match keyword(kw)(i) {
        Ok((rest, _)) => (rest, true),
        Err(_) => (i, false),
    }
}

/// Punctuation.
pub(super) fn punct(p: &'static str) -> impl Fn(Input) -> PResult<Span> {
    move |i| {
        let i = skip_trivia(i);
        if !i.fragment().starts_with(p) || (p == "=" && i.fragment().starts_with("==")) {
            return Err(backtrack(i));
        }
        let (rest, t) = i.take_split(p.len());
        Ok((rest, Span::new(t.location_offset(), t.location_offset() + p.len())))
    }
}

/// NUMBER = [0-9]+
pub(super) fn number(i: Input) -> PResult<u32> {
    let i = skip_trivia(i);
    let n = i.fragment().bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return Err(backtrack(i));
    }
    let (rest, digits) = i.take_split(n);
    match digits.fragment().parse::<u32>() {
        Ok(v) if v <= MAX_NUMBER => Ok((rest, v)),
        _ => {
            let at = Span::new(digits.location_offset(), digits.location_offset() + n);
            Err(fail_at(at, SyntaxErrorKind::TooLarge { digits: digits.fragment().to_string() }, None))
        }
    }
}

/// AMOUNT = [0-9] [0-9_]*, at most [`MAX_AMOUNT`]: `500_000`.
pub(super) fn amount(i: Input) -> PResult<Amount> {
    let i = skip_trivia(i);
    let bytes = i.fragment().as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_digit) {
        return Err(backtrack(i));
    }
    let n = bytes.iter().take_while(|b| b.is_ascii_digit() || **b == b'_').count();
    let (rest, digits) = i.take_split(n);
    let at = Span::new(digits.location_offset(), digits.location_offset() + n);
    match digits.fragment().replace('_', "").parse::<u64>() {
        Ok(value) if value <= MAX_AMOUNT => Ok((rest, Amount { value, span: at })),
        _ => Err(fail_at(at, SyntaxErrorKind::TooLarge { digits: digits.fragment().to_string() }, None)),
    }
}

/// ORDINAL = [0-9]+ ("st" | "nd" | "rd" | "th")
pub(super) fn ordinal(i: Input) -> PResult<u32> {
    let (rest, n) = number(i)?;
    for suffix in ["st", "nd", "rd", "th"] {
        if rest.fragment().starts_with(suffix) {
            let (rest, _) = rest.take_split(2);
            if n == 0 {
                return Err(fail(i, SyntaxErrorKind::ZerothRatification, None));
            }
            return Ok((rest, n));
        }
    }
    Err(expected(rest, "`st`, `nd`, `rd` or `th` after the number"))
}

/// DATE = [0-9]{4} "-" [0-9]{2} "-" [0-9]{2}. Whether the day exists is for the checker.
pub(super) fn date(i: Input) -> PResult<Date> {
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
        return Err(backtrack(i));
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
pub(super) fn string(i: Input) -> PResult<Str> {
    let i = skip_trivia(i);
    if !i.fragment().starts_with('"') {
        return Err(backtrack(i));
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
                    let kind = SyntaxErrorKind::UnknownEscape { escape: e };
                    let help = kind.help();
                    return Err(fail_at(Span::new(start + at, start + at2 + e.len_utf8()), kind, help));
                }
                None => break,
            },
            c => value.push(c),
        }
    }
    let kind = SyntaxErrorKind::UnterminatedString;
    let help = kind.help();
    Err(fail_at(Span::new(start, start + 1), kind, help))
}

pub(super) fn opt_string(i: Input) -> PResult<Option<Str>> {
    match string(i) {
        Ok((i, s)) => Ok((i, Some(s))),
        Err(nom::Err::Error(_)) => Ok((i, None)),
        Err(e) => Err(e),
    }
}

/// The span of the next token's start, after trivia.
pub(super) fn position(i: Input) -> PResult<Span> {
    let i = skip_trivia(i);
    let at = i.location_offset();
    Ok((i, Span::new(at, at)))
}

/// An empty span at the end of what has been consumed.
pub(super) fn end_of(i: &Input) -> Span {
    Span::new(i.location_offset(), i.location_offset())
}

pub(super) fn body_end(i: &Input) -> Span {
    end_of(i)
}

pub(super) fn map<'a, T, U>(
    p: impl Fn(Input<'a>) -> PResult<'a, T>,
    f: impl Fn(T) -> U,
) -> impl Fn(Input<'a>) -> PResult<'a, U> {
    move |i| p(i).map(|(rest, t)| (rest, f(t)))
}

/// Commits: a backtrack from `p` becomes a failure saying what was expected here.
pub(super) fn cut<'a, 'w, T, P>(p: P, what: &'w str) -> impl Fn(Input<'a>) -> PResult<'a, T> + 'w
where
    P: Fn(Input<'a>) -> PResult<'a, T> + 'w,
{
    move |i| match p(i) {
        Err(nom::Err::Error(_)) => Err(expected(skip_trivia(i), what)),
        other => other,
    }
}

// ---------------------------------------------------------------------------------------------

/// A word as a term: `_`, a symbol (lower case), a variable (one capital, or capitals with a
/// lower-case letter or a digit), or a party code (capitals).
pub(super) fn classify(w: Ident) -> Term {
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
