//! Trivia: the white space and comments between tokens, skipped by the parser and kept for the
//! formatter.

use super::Input;
use crate::ast::Comment;
use crate::source::Span;
use nom::Input as _;

/// Skips white space and comments.
pub(super) fn skip_trivia(i: Input) -> Input {
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
