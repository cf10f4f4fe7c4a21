//! Syntax errors: what the parser reports, and the error it passes around while it backtracks.

use std::fmt;

use nom::Input as _;
use nom::error::{ErrorKind, ParseError};

use super::trivia::skip_trivia;
use super::{Input, MAX_DEPTH, MAX_LITERALS, MAX_NUMBER};
use crate::source::Span;

/// A syntax error: where it is, what is wrong, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("{kind}")]
#[diagnostic(code("casus::syntax"))]
pub struct SyntaxError {
    /// What is wrong.
    pub kind: SyntaxErrorKind,
    /// The offending token; empty at the end of the file.
    #[label]
    pub at: Span,
    /// What to do about it.
    #[help]
    pub help: Option<String>,
}

/// What is wrong with the text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxErrorKind {
    /// A token no item of the grammar starts with.
    #[error("unexpected {found}")]
    Unexpected {
        /// What is there.
        found: Found,
    },
    /// Something else was expected here.
    #[error("expected {expected}, found {found}")]
    Expected {
        /// What the grammar allows here, in words.
        expected: String,
        /// What is there.
        found: Found,
    },
    /// `text` after a rule, or twice.
    #[error("an article has at most one `text`, and it comes first")]
    SecondText,
    /// Parentheses and `not`s nested past [`MAX_DEPTH`].
    #[error("this condition nests more than {MAX_DEPTH} levels deep")]
    TooDeep,
    /// A condition of more than [`MAX_LITERALS`] literals.
    #[error("this condition joins more than {MAX_LITERALS} literals")]
    TooLong,
    /// The file ends inside `{ ... }`.
    #[error("unexpected end of file: a block is not closed")]
    Unclosed,
    /// `0th ratification`.
    #[error("the count of ratifications starts at `1st`")]
    ZerothRatification,
    /// A name with a letter outside ASCII.
    #[error("`{word}` is not an ASCII name")]
    NotAscii {
        /// The name as written.
        word: String,
    },
    /// A number past [`MAX_NUMBER`].
    #[error("`{digits}` is too large a number (at most {MAX_NUMBER})")]
    TooLarge {
        /// The digits as written.
        digits: String,
    },
    /// `\x` in a string, for an `x` that is not `"` or `\`.
    #[error("unknown escape `\\{escape}` in a string")]
    UnknownEscape {
        /// The character after the backslash.
        escape: char,
    },
    /// A quote that is never closed.
    #[error("unterminated string: this quote is never closed")]
    UnterminatedString,
    /// A variable among a group's members.
    #[error("a group holds party codes (`FRA`) or symbols (`europe`), not variables")]
    VariableInGroup,
}

/// What the parser found where it expected something else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// The end of the file.
    End,
    /// A string literal.
    String,
    /// A word, a number or a character.
    Token(String),
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::End => f.write_str("the end of the file"),
            Found::String => f.write_str("a string"),
            Found::Token(t) => write!(f, "`{t}`"),
        }
    }
}

/// The error the parser passes around: a backtrack (`error: None`), cheap to make and mostly
/// discarded by an alternative that matches, or a syntax error. The farthest one wins.
#[derive(Clone, Debug)]
pub(super) struct Failure {
    pub(super) offset: usize,
    pub(super) error: Option<SyntaxError>,
}

impl<'a> ParseError<Input<'a>> for Failure {
    fn from_error_kind(input: Input<'a>, _: ErrorKind) -> Self {
        Failure { offset: input.location_offset(), error: None }
    }

    fn append(_: Input<'a>, _: ErrorKind, other: Self) -> Self {
        other
    }

    fn or(self, other: Self) -> Self {
        if other.offset >= self.offset { other } else { self }
    }
}

impl Failure {
    /// The syntax error to report: the one found, or, for a backtrack that reached the top, the
    /// token that no rule could read.
    pub(super) fn into_error(self, text: &str) -> SyntaxError {
        self.error.unwrap_or_else(|| {
            let at = Input::new(text).take_from(self.offset.min(text.len()));
            SyntaxError { kind: SyntaxErrorKind::Unexpected { found: found(at) }, at: token_span(at), help: None }
        })
    }
}

/// A backtrack: the alternative does not match here.
pub(super) fn backtrack(i: Input) -> nom::Err<Failure> {
    nom::Err::Error(Failure::from_error_kind(i, ErrorKind::Verify))
}

/// A syntax error at `span`, that no alternative can repair.
pub(super) fn fail_at(span: Span, kind: SyntaxErrorKind, help: Option<String>) -> nom::Err<Failure> {
    nom::Err::Failure(Failure { offset: span.start, error: Some(SyntaxError { kind, at: span, help }) })
}

/// A syntax error at the next token, that no alternative can repair.
pub(super) fn fail(i: Input, kind: SyntaxErrorKind, help: Option<String>) -> nom::Err<Failure> {
    fail_at(token_span(skip_trivia(i)), kind, help)
}

/// `expected WHAT, found TOKEN` at the next token.
pub(super) fn expected(i: Input, what: &str) -> nom::Err<Failure> {
    expected_with(i, what, None)
}

/// `expected WHAT, found TOKEN` at the next token, with help.
pub(super) fn expected_with(i: Input, what: &str, help: Option<String>) -> nom::Err<Failure> {
    let i = skip_trivia(i);
    fail(i, SyntaxErrorKind::Expected { expected: what.to_string(), found: found(i) }, help)
}

/// An unknown word where a keyword was expected, with the nearest keyword as a suggestion.
pub(super) fn unknown_keyword(i: Input, what: &str, known: &[&str]) -> nom::Err<Failure> {
    let at = skip_trivia(i);
    let help = crate::suggest::did_you_mean(first_token(at.fragment()), known.iter().copied()).unwrap_or_else(|| {
        format!("expected one of {}", known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))
    });
    expected_with(at, what, Some(help))
}

/// What the next token is, for a message.
pub(super) fn found(i: Input) -> Found {
    let t = i.fragment();
    match t.chars().next() {
        None => Found::End,
        Some('"') => Found::String,
        Some(_) => Found::Token(first_token(t).to_string()),
    }
}

/// The span of the next token.
fn token_span(i: Input) -> Span {
    let start = i.location_offset();
    Span::new(start, start + first_token(i.fragment()).len())
}

/// The next token's text: a word or number, or one character.
pub(super) fn first_token(t: &str) -> &str {
    let n: usize =
        t.char_indices().take_while(|(_, c)| c.is_alphanumeric() || *c == '_').map(|(_, c)| c.len_utf8()).sum();
    let n = if n == 0 { t.chars().next().map_or(0, char::len_utf8) } else { n };
    t.get(..n).unwrap_or("")
}

impl SyntaxErrorKind {
    /// The help that goes with this kind of error, when it is always the same.
    pub(super) fn help(&self) -> Option<String> {
        let help = match self {
            SyntaxErrorKind::SecondText => "join the passages into one string, or split the article",
            SyntaxErrorKind::TooDeep => "write the condition as a flat conjunction; double negations cancel out",
            SyntaxErrorKind::TooLong => "split the rule, or name a part of the condition with a `deem` rule",
            SyntaxErrorKind::Unclosed => "add the missing `}`",
            SyntaxErrorKind::UnknownEscape { .. } => {
                "strings know two escapes: `\\\"` for a quote and `\\\\` for a backslash; line breaks are written as they are"
            }
            SyntaxErrorKind::UnterminatedString => "add the closing `\"`; a quote inside the text is written `\\\"`",
            SyntaxErrorKind::VariableInGroup => "party codes are all upper-case letters",
            _ => return None,
        };
        Some(help.to_string())
    }
}
