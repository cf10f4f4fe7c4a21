//! Source files, byte spans and line/column positions.
//!
//! Every stage reports places as a [`Span`] (byte offsets) inside a file named by a [`FileId`];
//! only rendering turns them into lines and columns.

use std::fmt;
use std::hash::{Hash, Hasher};

/// A half-open range of byte offsets `[start, end)` inside one source text.
///
/// Two spans always compare equal and hash alike, so that syntax trees compare by structure
/// alone: a rule parsed from two differently laid-out files is the same rule.
#[derive(Clone, Copy, Debug, Default)]
pub struct Span {
    /// The offset of the first byte.
    pub start: usize,
    /// The offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// The span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span that covers both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The number of bytes covered.
    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span covers no byte.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl Eq for Span {}

impl Hash for Span {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

/// The index of a file in a [`Sources`] set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub usize);

/// A source text with the name it is shown under.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The name shown in diagnostics, usually the path as the user gave it.
    pub name: String,
    /// The whole text. Read from bytes, it has no byte-order mark and no lone carriage
    /// return (each is a line break, `\n`, at the same offset).
    pub text: String,
    /// The line breaks the file was written with, by majority.
    pub line_ending: LineEnding,
    line_starts: Vec<usize>,
}

/// How a file breaks its lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LineEnding {
    /// `\n`, as on Unix.
    #[default]
    Lf,
    /// `\r\n`, as on Windows.
    CrLf,
    /// `\r` alone, as on the classic Mac OS.
    Cr,
}

impl LineEnding {
    /// The line breaks most lines of `text` end with (`\n` when there are none, or a tie).
    pub fn of(text: &[u8]) -> LineEnding {
        let (mut lf, mut crlf, mut cr) = (0usize, 0usize, 0usize);
        let mut bytes = text.iter().peekable();
        while let Some(&b) = bytes.next() {
            match b {
                b'\r' if bytes.peek() == Some(&&b'\n') => {
                    bytes.next();
                    crlf += 1;
                }
                b'\r' => cr += 1,
                b'\n' => lf += 1,
                _ => {}
            }
        }
        if crlf > lf && crlf >= cr {
            LineEnding::CrLf
        } else if cr > lf && cr > crlf {
            LineEnding::Cr
        } else {
            LineEnding::Lf
        }
    }

    /// Text written with `\n` line breaks, written with these instead.
    pub fn apply(self, text: &str) -> String {
        match self {
            LineEnding::Lf => text.to_string(),
            LineEnding::CrLf => text.replace('\n', "\r\n"),
            LineEnding::Cr => text.replace('\n', "\r"),
        }
    }
}

/// A one-based line and column; the column counts characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, in characters.
    pub column: usize,
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

impl SourceFile {
    /// A file called `name` holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        SourceFile { name: name.into(), text, line_ending: LineEnding::Lf, line_starts }
    }

    /// Where each line starts, in bytes: 0, and one past each `\n`.
    pub(crate) fn line_starts(&self) -> &[usize] {
        &self.line_starts
    }

    /// The line and column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1) - 1;
        let line_start = self.line_starts.get(line).copied().unwrap_or(0);
        let column = self.text.get(line_start..offset).map_or(offset - line_start, |s| s.chars().count());
        LineCol { line: line + 1, column: column + 1 }
    }

    /// The text a span covers, or `""` when it lies outside the text.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

/// The files of one run, addressed by [`FileId`].
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// An empty set.
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(SourceFile::new(name, text));
        FileId(self.files.len() - 1)
    }

    /// Records how a file breaks its lines.
    pub(crate) fn set_line_ending(&mut self, id: FileId, ending: LineEnding) {
        if let Some(f) = self.files.get_mut(id.0) {
            f.line_ending = ending;
        }
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0)
    }

    /// Every file with its id, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i), f))
    }

    /// The number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there is no file.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let f = SourceFile::new("t", "ab\nçd\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // `ç` is two bytes but one column.
        assert_eq!(f.line_col(5), LineCol { line: 2, column: 2 });
        assert_eq!(f.line_col(99), LineCol { line: 3, column: 1 });
    }
}
