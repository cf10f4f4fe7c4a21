//! RON, read into a tree that remembers where each value is written.
//!
//! Scenarios are RON files; reading them through this tree lets every problem be reported at
//! the value that is wrong, and every problem of a file in one run. It reads the RON a scenario
//! uses: named and anonymous structs, tuples, lists, maps, strings (with escapes, and raw
//! strings), numbers, booleans, unit names (`Must`, `None`), comments (`//`, nested `/* */`) and
//! a leading `#![enable(...)]`. Values nest at most [`MAX_DEPTH`] deep.

use std::borrow::Cow;

use casus_syntax::source::Span;

/// How deep values may nest; deeper is refused rather than risk the stack.
pub(super) const MAX_DEPTH: usize = 64;

/// A value and where it is written; its names and strings are read from the text, not copied
/// (a string is copied only when it has escapes).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Value<'t> {
    /// What it is.
    pub kind: ValueKind<'t>,
    /// Where.
    pub span: Span,
}

/// What a value is.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum ValueKind<'t> {
    /// `Name(field: value, ...)` or `(field: value, ...)`.
    Struct {
        /// The name, when written.
        name: Option<Name<'t>>,
        /// The fields, in the order written.
        fields: Vec<(Name<'t>, Value<'t>)>,
    },
    /// `Name(value, ...)` (such as `Some(x)`) or `(value, ...)`.
    Tuple {
        /// The name, when written.
        name: Option<Name<'t>>,
        /// The values.
        items: Vec<Value<'t>>,
    },
    /// A name alone: `Must`, `None`.
    Unit(&'t str),
    /// `[value, ...]`.
    List(Vec<Value<'t>>),
    /// `{key: value, ...}`.
    Map(Vec<(Value<'t>, Value<'t>)>),
    /// A string, its escapes resolved.
    Str(Cow<'t, str>),
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(&'t str),
}

/// A name and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Name<'t> {
    /// The name.
    pub text: &'t str,
    /// Where.
    pub span: Span,
}

impl ValueKind<'_> {
    /// What a value is, for a message: `a string`, `a list`, `` `Fakt(...)` ``.
    pub(super) fn describe(&self) -> String {
        match self {
            ValueKind::Struct { name: Some(n), .. } | ValueKind::Tuple { name: Some(n), .. } => {
                format!("`{}(...)`", n.text)
            }
            ValueKind::Struct { name: None, .. } => "a struct `(...)`".to_string(),
            ValueKind::Tuple { name: None, .. } => "a tuple `(...)`".to_string(),
            ValueKind::Unit(n) => format!("`{n}`"),
            ValueKind::List(_) => "a list `[...]`".to_string(),
            ValueKind::Map(_) => "a map `{...}`".to_string(),
            ValueKind::Str(s) => format!("the string \"{s}\""),
            ValueKind::Bool(b) => format!("`{b}`"),
            ValueKind::Number(n) => format!("the number `{n}`"),
        }
    }
}

/// Why text is not RON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct RonError {
    /// What was expected, or what is wrong.
    pub message: String,
    /// Where.
    pub at: Span,
}

/// Reads one RON value, the whole text.
pub(super) fn read(text: &str) -> Result<Value<'_>, RonError> {
    read_streaming(text, None).map(|(value, _)| value)
}

/// A list handed out an item at a time as it is read: the name of the top-level struct's field
/// it is the value of, and what takes each item.
pub(super) type Stream<'s, 't> = (&'s str, &'s mut dyn FnMut(Value<'t>));

/// Reads one RON value, the whole text; with a stream, the items of the list that is the first
/// value of the named field of the top-level struct go to it as each is read, and the tree
/// keeps that list empty, so that a long list (a scenario's events) is never held whole as a
/// tree. Also gives where that list is written, if there is one.
pub(super) fn read_streaming<'t>(
    text: &'t str,
    stream: Option<Stream<'_, 't>>,
) -> Result<(Value<'t>, Option<Span>), RonError> {
    let mut r = Reader { text, at: 0, stream, streamed: None };
    r.skip();
    if r.rest().starts_with("#!") {
        r.attribute()?;
        r.skip();
    }
    let value = r.value(0)?;
    r.skip();
    if r.at < text.len() {
        return Err(r.error_here("the end of the file after the value"));
    }
    Ok((value, r.streamed))
}

struct Reader<'s, 't> {
    text: &'t str,
    at: usize,
    /// The list to hand out an item at a time, until it has been.
    stream: Option<Stream<'s, 't>>,
    /// Where the list handed out is written.
    streamed: Option<Span>,
}

impl<'t> Reader<'_, 't> {
    fn rest(&self) -> &'t str {
        self.text.get(self.at..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        match self.text.as_bytes().get(self.at) {
            Some(&b) if b.is_ascii() => Some(char::from(b)),
            _ => self.rest().chars().next(),
        }
    }

    /// Skips white space and comments.
    fn skip(&mut self) {
        loop {
            // ASCII blanks a byte at a time; any other white space as Unicode defines it.
            let bytes = self.text.as_bytes();
            while bytes.get(self.at).is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
                self.at += 1;
            }
            if bytes.get(self.at).is_some_and(|b| !b.is_ascii()) {
                let rest = self.rest();
                self.at += rest.len() - rest.trim_start().len();
            }
            let trimmed = self.rest();
            if trimmed.starts_with("//") {
                let n = trimmed.find('\n').unwrap_or(trimmed.len());
                self.at += n;
            } else if trimmed.starts_with("/*") {
                let mut depth = 0usize;
                let bytes = trimmed.as_bytes();
                let mut i = 0;
                loop {
                    match (bytes.get(i), bytes.get(i + 1)) {
                        (Some(b'/'), Some(b'*')) => {
                            depth += 1;
                            i += 2;
                        }
                        (Some(b'*'), Some(b'/')) => {
                            depth -= 1;
                            i += 2;
                            if depth == 0 {
                                break;
                            }
                        }
                        (Some(_), _) => i += 1,
                        (None, _) => break,
                    }
                }
                self.at += i;
            } else {
                return;
            }
        }
    }

    fn error_here(&self, expected: &str) -> RonError {
        let found = match self.peek() {
            None => "the end of the file".to_string(),
            Some(c) => format!("`{c}`"),
        };
        let len = self.peek().map_or(0, char::len_utf8);
        RonError { message: format!("expected {expected}, found {found}"), at: Span::new(self.at, self.at + len) }
    }

    /// `#![enable(...)]`: RON's extensions, which change nothing here.
    fn attribute(&mut self) -> Result<(), RonError> {
        let Some(end) = self.rest().find(']') else {
            return Err(self.error_here("`]` to close the attribute"));
        };
        self.at += end + 1;
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<Value<'t>, RonError> {
        self.skip();
        let start = self.at;
        if depth >= MAX_DEPTH {
            return Err(RonError {
                message: format!("values nest more than {MAX_DEPTH} deep here"),
                at: Span::new(start, start + 1),
            });
        }
        let kind = match self.peek() {
            Some('"') => ValueKind::Str(self.string()?),
            Some('r') if self.rest().starts_with("r\"") || self.rest().starts_with("r#") => {
                ValueKind::Str(Cow::Borrowed(self.raw_string()?))
            }
            Some('[') => {
                self.at += 1;
                ValueKind::List(self.items(']', depth)?)
            }
            Some('{') => {
                self.at += 1;
                ValueKind::Map(self.map(depth)?)
            }
            Some('(') => self.parenthesised(None, depth)?,
            Some(c) if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' => ValueKind::Number(self.number()),
            Some(c) if c.is_alphabetic() || c == '_' => {
                let name = self.name();
                self.skip();
                match name.text {
                    "true" => ValueKind::Bool(true),
                    "false" => ValueKind::Bool(false),
                    _ if self.peek() == Some('(') => self.parenthesised(Some(name), depth)?,
                    _ => ValueKind::Unit(name.text),
                }
            }
            _ => return Err(self.error_here("a value")),
        };
        Ok(Value { kind, span: Span::new(start, self.at) })
    }

    fn name(&mut self) -> Name<'t> {
        let start = self.at;
        // ASCII letters, digits and `_` a byte at a time; from the first other byte, as Unicode
        // defines letters and digits.
        let ascii = self.rest().bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
        self.at += ascii;
        if self.text.as_bytes().get(self.at).is_some_and(|b| !b.is_ascii()) {
            let n = self.rest().find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(self.rest().len());
            self.at += n;
        }
        Name { text: self.text.get(start..self.at).unwrap_or(""), span: Span::new(start, self.at) }
    }

    /// `( ... )` after an optional name: named fields when the first item is `name:`, or a
    /// lower-case name (a field whose `:` is missing), else values.
    fn parenthesised(&mut self, name: Option<Name<'t>>, depth: usize) -> Result<ValueKind<'t>, RonError> {
        self.at += 1;
        self.skip();
        let save = self.at;
        let fields = self.peek().is_some_and(|c| c.is_alphabetic() || c == '_') && {
            let first = self.name();
            self.skip();
            let colon = self.rest().starts_with(':') && !self.rest().starts_with("::");
            let lower = first.text.starts_with(|c: char| c.is_lowercase() || c == '_')
                && !matches!(first.text, "true" | "false")
                && self.peek() != Some('(');
            self.at = save;
            colon || lower
        };
        if !fields {
            return Ok(ValueKind::Tuple { name, items: self.items(')', depth)? });
        }
        let mut out = Vec::new();
        loop {
            self.skip();
            if self.peek() == Some(')') {
                self.at += 1;
                return Ok(ValueKind::Struct { name, fields: out });
            }
            if !self.peek().is_some_and(|c| c.is_alphabetic() || c == '_') {
                return Err(self.error_here("a field name or `)`"));
            }
            let field = self.name();
            self.skip();
            if self.peek() != Some(':') {
                return Err(self.error_here(&format!("`:` after the field name `{}`", field.text)));
            }
            self.at += 1;
            let value = match self.stream.take() {
                Some(stream) if depth == 0 && stream.0 == field.text && self.list_next() => {
                    self.streamed(stream, depth + 1)?
                }
                other => {
                    self.stream = other;
                    self.value(depth + 1)?
                }
            };
            out.push((field, value));
            if !self.comma(')')? {
                self.at += 1;
                return Ok(ValueKind::Struct { name, fields: out });
            }
        }
    }

    /// Whether a list `[` comes next.
    fn list_next(&mut self) -> bool {
        self.skip();
        self.peek() == Some('[')
    }

    /// The list at the top-level struct's field that is streamed, its `[` next: each item
    /// handed out as it is read, the list left empty.
    fn streamed(&mut self, (_, each): Stream<'_, 't>, depth: usize) -> Result<Value<'t>, RonError> {
        let start = self.at;
        self.at += 1;
        self.each_item(']', depth, each)?;
        let span = Span::new(start, self.at);
        self.streamed = Some(span);
        Ok(Value { kind: ValueKind::List(Vec::new()), span })
    }

    /// Values up to `close`, separated by commas, a trailing comma allowed.
    fn items(&mut self, close: char, depth: usize) -> Result<Vec<Value<'t>>, RonError> {
        let mut out = Vec::new();
        self.each_item(close, depth, &mut |v| out.push(v))?;
        Ok(out)
    }

    /// Each value up to `close`, separated by commas, a trailing comma allowed, given to `each`
    /// as it is read.
    fn each_item(&mut self, close: char, depth: usize, each: &mut dyn FnMut(Value<'t>)) -> Result<(), RonError> {
        loop {
            self.skip();
            if self.peek() == Some(close) {
                self.at += 1;
                return Ok(());
            }
            each(self.value(depth + 1)?);
            if !self.comma(close)? {
                self.at += 1;
                return Ok(());
            }
        }
    }

    /// `key: value` pairs up to `}`.
    fn map(&mut self, depth: usize) -> Result<Vec<(Value<'t>, Value<'t>)>, RonError> {
        let mut out = Vec::new();
        loop {
            self.skip();
            if self.peek() == Some('}') {
                self.at += 1;
                return Ok(out);
            }
            let key = self.value(depth + 1)?;
            self.skip();
            if self.peek() != Some(':') {
                return Err(self.error_here("`:` after the key"));
            }
            self.at += 1;
            let value = self.value(depth + 1)?;
            out.push((key, value));
            if !self.comma('}')? {
                self.at += 1;
                return Ok(out);
            }
        }
    }

    /// After an item: a comma (true), or the closing bracket, not consumed (false).
    fn comma(&mut self, close: char) -> Result<bool, RonError> {
        self.skip();
        match self.peek() {
            Some(',') => {
                self.at += 1;
                Ok(true)
            }
            Some(c) if c == close => Ok(false),
            _ => Err(self.error_here(&format!("`,` or `{close}`"))),
        }
    }

    fn number(&mut self) -> &'t str {
        let start = self.at;
        let n = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_')))
            .unwrap_or(self.rest().len());
        self.at += n;
        self.text.get(start..self.at).unwrap_or("")
    }

    /// `"..."`, with RON's escapes: borrowed from the text unless it has some.
    fn string(&mut self) -> Result<Cow<'t, str>, RonError> {
        let start = self.at;
        self.at += 1;
        let body = self.rest();
        match body.find(['"', '\\']) {
            Some(end) if body.as_bytes().get(end) == Some(&b'"') => {
                self.at += end + 1;
                return Ok(Cow::Borrowed(body.get(..end).unwrap_or("")));
            }
            None => return Err(never_closed(start)),
            Some(_) => {}
        }
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else { return Err(never_closed(start)) };
            self.at += c.len_utf8();
            match c {
                '"' => return Ok(Cow::Owned(out)),
                '\\' => out.push(self.escape()?),
                c => out.push(c),
            }
        }
    }

    fn escape(&mut self) -> Result<char, RonError> {
        let at = self.at - 1;
        let bad = |len: usize| RonError {
            message: "this escape is not one RON knows: write `\\\"`, `\\\\`, `\\n`, `\\t` or `\\u{...}`".to_string(),
            at: Span::new(at, at + len),
        };
        let Some(c) = self.peek() else { return Err(bad(1)) };
        self.at += c.len_utf8();
        Ok(match c {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            '\'' => '\'',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            '0' => '\0',
            'u' if self.peek() == Some('{') => {
                let Some(close) = self.rest().find('}') else { return Err(bad(2)) };
                let hex = self.rest().get(1..close).unwrap_or("");
                let code = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                self.at += close + 1;
                code.ok_or_else(|| bad(close + 3))?
            }
            _ => return Err(bad(1 + c.len_utf8())),
        })
    }

    /// `r"..."`, `r#"..."#`: no escapes.
    fn raw_string(&mut self) -> Result<&'t str, RonError> {
        let start = self.at;
        self.at += 1;
        let hashes = self.rest().chars().take_while(|c| *c == '#').count();
        self.at += hashes;
        if self.peek() != Some('"') {
            return Err(self.error_here("`\"` to open the raw string"));
        }
        self.at += 1;
        let close = format!("\"{}", "#".repeat(hashes));
        let Some(end) = self.rest().find(&close) else { return Err(never_closed(start)) };
        let value = self.rest().get(..end).unwrap_or("");
        self.at += end + close.len();
        Ok(value)
    }
}

/// A string opened at `start` and never closed.
fn never_closed(start: usize) -> RonError {
    RonError { message: "this string is never closed".to_string(), at: Span::new(start, start + 1) }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;

    #[test]
    fn values_keep_their_places() {
        let text = r##"#![enable(implicit_some)]
Scenario( // a comment
    title: "a \"quoted\" title",
    events: [Fact(kind: "x", args: {"by": "A"}), Sign(party: r#"P"#)],
    expect: [Norm(modality: MustNot, on: None, due: Some("2024-01-01")), (1, -2.5, true)],
)"##;
        let v = read(text).unwrap();
        let ValueKind::Struct { name: Some(name), fields } = &v.kind else { panic!("{v:?}") };
        assert_eq!(name.text, "Scenario");
        let (title, value) = &fields[0];
        assert_eq!(title.text, "title");
        assert_eq!(value.kind, ValueKind::Str("a \"quoted\" title".into()));
        assert_eq!(&text[value.span.start..value.span.end], r#""a \"quoted\" title""#);
        let ValueKind::List(events) = &fields[1].1.kind else { panic!() };
        assert_eq!(&text[events[1].span.start..events[1].span.end], r##"Sign(party: r#"P"#)"##);
        let ValueKind::List(expect) = &fields[2].1.kind else { panic!() };
        let ValueKind::Tuple { name: None, items } = &expect[1].kind else { panic!() };
        assert_eq!(items[2].kind, ValueKind::Bool(true));
    }

    #[test]
    fn names_blanks_and_strings_beyond_ascii_read_as_before() {
        // An em space and a no-break space are white space; `é` is a letter of a name; a string
        // is taken from the text as written unless an escape must be resolved.
        let text = "Scenario(\u{2003}title: \"plain\",\u{a0}r\u{e9}sum\u{e9}_2: \"caf\u{e9}\\n\", n: -1.5)";
        let v = read(text).unwrap();
        let ValueKind::Struct { fields, .. } = &v.kind else { panic!("{v:?}") };
        let names: Vec<&str> = fields.iter().map(|(n, _)| n.text).collect();
        assert_eq!(names, ["title", "r\u{e9}sum\u{e9}_2", "n"]);
        assert!(matches!(&fields[0].1.kind, ValueKind::Str(Cow::Borrowed("plain"))));
        assert!(matches!(&fields[1].1.kind, ValueKind::Str(Cow::Owned(s)) if s == "caf\u{e9}\n"));
        assert_eq!(fields[2].1.kind, ValueKind::Number("-1.5"));
        let (name, _) = &fields[1];
        assert_eq!(&text[name.span.start..name.span.end], "r\u{e9}sum\u{e9}_2");
    }

    #[test]
    fn a_streamed_list_is_handed_out_item_by_item_and_left_empty() {
        let text = "Scenario(expect: [(events: [0])], events: [A(n: 1), [2], \"three\",], events: [4])";
        let mut seen: Vec<(String, Span)> = Vec::new();
        let mut each = |v: Value| seen.push((v.kind.describe(), v.span));
        let (v, at) = read_streaming(text, Some(("events", &mut each))).unwrap();
        let described: Vec<&str> = seen.iter().map(|(d, _)| d.as_str()).collect();
        assert_eq!(described, ["`A(...)`", "a list `[...]`", "the string \"three\""]);
        assert_eq!(&text[seen[1].1.start..seen[1].1.end], "[2]");
        // The first list of the top-level field alone: the list of the same name nested in
        // another value, and the field given again, stay in the tree.
        let ValueKind::Struct { fields, .. } = &v.kind else { panic!("{v:?}") };
        let ValueKind::List(expect) = &fields[0].1.kind else { panic!() };
        assert_eq!(expect.len(), 1);
        assert_eq!(fields[1].1.kind, ValueKind::List(Vec::new()));
        assert_eq!(at, Some(fields[1].1.span));
        assert_eq!(&text[fields[1].1.span.start..fields[1].1.span.end], "[A(n: 1), [2], \"three\",]");
        assert!(matches!(&fields[2].1.kind, ValueKind::List(items) if items.len() == 1));
        // A field whose value is no list is not streamed.
        let mut none = |_: Value| panic!("nothing to stream");
        let (_, at) = read_streaming("(events: 5)", Some(("events", &mut none))).unwrap();
        assert_eq!(at, None);
    }

    #[test]
    fn bad_text_is_refused_where_it_goes_wrong() {
        let cases = [
            ("Scenario(title: \"x\"", 19, "expected `,` or `)`, found the end of the file"),
            ("Scenario(title \"x\")", 15, "expected `:` after the field name `title`, found `\"`"),
            ("[1, 2] 3", 7, "expected the end of the file after the value, found `3`"),
            ("\"open", 0, "this string is never closed"),
            ("[\"an escaped quote \\\" is no end", 1, "this string is never closed"),
        ];
        for (text, at, message) in cases {
            let e = read(text).unwrap_err();
            assert_eq!((e.at.start, e.message.as_str()), (at, message), "{text}");
        }
        let deep = "[".repeat(100_000);
        assert!(read(&deep).unwrap_err().message.contains("nest more than"));
    }
}
