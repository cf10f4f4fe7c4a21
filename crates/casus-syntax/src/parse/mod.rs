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
//! item         = instrument | group | category | unit | fact_decl | action_decl | party_decl | place | deem | precedence
//! instrument   = ("treaty" | "resolution" | "regime") ID STRING? "{" clause* "}"
//! clause       = parties | binds | in_force | withdrawal | dated | article | reservation
//! parties      = "parties" "{" party_record* "}"
//! party_record = PARTY (status_kw DATE)*
//! status_kw    = "signed" | "ratified" | "acceded" | "withdrew" | "suspended" | "left"
//! binds        = "binds" "every" "member" "of" ID
//! in_force     = "in" "force" ( "on" "signature" | "on" "exchange" "of" "ratifications"
//!                             | "on" "adoption" | "on" DATE
//!                             | duration "after" "the" ORDINAL "ratification" )
//! withdrawal   = "withdrawal" ("takes" "effect" duration "after" "notice" | "by" "agreement" "only")
//! dated        = ("exchanged" | "adopted" | "terminated" | "expires" | "reapplied") DATE
//! article      = "article" (ARTICLE_ID | STRING) STRING? "{" ("text" STRING)? rule* "}"
//! reservation  = ("reservation" | "understanding" | "declaration") PARTY "to" "article"
//!                (ARTICLE_ID | STRING) STRING? "{" ("text" STRING)? rule* "}"
//! rule         = "if" condition "then" conclusion | "always" conclusion
//! conclusion   = bearers modality pattern deadline? cap?
//! bearers      = "every" ("party" | "state") VAR except? | "every" "member" "of" ID except? | term
//! except       = "other" "than" term ("," term)*
//! modality     = "must" "not" | "must" | "may"
//! deadline     = "without" "delay" | "immediately" | "forthwith" | "within" duration | "by" DATE
//! duration     = NUMBER ("day" | "days" | "month" | "months" | "year" | "years")
//! cap          = "beyond" AMOUNT ID ("or" AMOUNT ID)?
//!                ("per" duration "from" DATE | "in" "any" duration | "in" "total") ("in" "aggregate")?
//! condition    = literal ("and" literal)*
//! literal      = "not" literal | "(" condition ")" | term "performs" pattern
//!              | term "is" "not"? "party" ("to" ID)? | term "not"? "in" ID
//!              | term ("=" | "!=") term | pattern
//! pattern      = ID ("(" (arg ("," arg)* ","?)? ")")?
//! arg          = ID ":" term
//! term         = VAR | PARTY | SYMBOL | "_"
//! group        = "group" ID "=" "[" (member ("," member)* ","?)? "]"
//! category     = "category" ID STRING? "=" "[" (member ("," member)* ","?)? "]"
//! member       = (PARTY | SYMBOL) period
//! period       = ("from" DATE)? ("until" DATE)?
//! fact_decl    = "fact" ID "(" (role ("," role)* ","?)? ")"
//! role         = ID ("=" ID)?
//! action_decl  = "action" ID ("(" (ID ("," ID)* ","?)? ")")? ("includes" pattern ("," pattern)*)?
//!                ("fulfilled" "by" pattern ("," pattern)*)?
//! party_decl   = "party" PARTY STRING ("alias" "of" PARTY | period ("successors" PARTY ("," PARTY)*)?)
//! unit         = "unit" ID STRING?
//! place        = "place" ID STRING? "{" place_line* "}"
//! place_line   = ("territory" "of" PARTY | "administered" "by" PARTY | "in" ID ("," ID)*) period
//! deem         = "deem" pattern ("after" duration)? "if" condition
//! precedence   = "precedence" GLOB ("," GLOB)* "over" GLOB ("," GLOB)*
//!
//! ID      = [a-z][a-z0-9_]*          SYMBOL = ID
//! PARTY   = [A-Z][A-Z]+              VAR    = [A-Z] | [A-Z][A-Za-z0-9]* with a lower-case letter or digit
//! DATE    = [0-9]{4} "-" [0-9]{2} "-" [0-9]{2}
//! STRING  = '"' ([^"\\] | '\"' | '\\')* '"'      (may span lines)
//! AMOUNT  = [0-9][0-9_]*           (at most 10^15)
//! ARTICLE_ID = [A-Za-z0-9_.]+        GLOB = [a-z0-9_*]+        ORDINAL = [0-9]+ ("st"|"nd"|"rd"|"th")
//! comment = "#" [^\n]*
//! ```

mod error;
mod items;
mod rules;
mod tokens;
mod trivia;

use nom::{IResult, Input as _};
use nom_locate::LocatedSpan;

pub use error::{Found, SyntaxError, SyntaxErrorKind};

use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::source::FileId;
use error::{Failure, first_token};
use items::{TOP_KEYWORDS, item};
pub use trivia::comments;
use trivia::skip_trivia;

/// Conditions deeper than this (parentheses and `not`s) are refused rather than risk the stack.
pub const MAX_DEPTH: usize = 128;

/// Conditions of more literals than this, those under `not` counted too, are refused: no treaty
/// article needs them, the checker's work grows with them, and the solver's search nests once
/// per literal.
pub const MAX_LITERALS: usize = 256;

/// The largest number a rule file may write (a count of days, say).
pub const MAX_NUMBER: u32 = 1_000_000;

/// The largest amount a cap may give: a million billion, so that sums of amounts never overflow.
pub const MAX_AMOUNT: u64 = 1_000_000_000_000_000;

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
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
                let offset = e.offset;
                parsed.diagnostics.push(Diagnostic::new(file, e.into_error(text)));
                input = recover(input, offset);
            }
            Err(nom::Err::Incomplete(_)) => break,
        }
    }
    parsed
}

/// The parser's input: text with its offset, line and column.
pub type Input<'a> = LocatedSpan<&'a str>;

/// What each grammar rule returns: the rest of the input and its value, or a failure.
type PResult<'a, T> = IResult<Input<'a>, T, Failure>;

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
