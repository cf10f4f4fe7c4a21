//! Reading bytes into text: a file that is not UTF-8, binary or too large is still added to the
//! sources, with the diagnostic that says what is wrong with it, so that it can be shown.

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, LineEnding, Sources, Span};

/// Why a file could not be read as text.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
pub enum InputError {
    /// The file is binary, or not UTF-8.
    #[error("{reason}")]
    #[diagnostic(code("casus::binary"), help("{}", reason.help()))]
    NotText {
        /// What is wrong with it.
        reason: NotText,
        /// The first bad byte.
        #[label("{}", reason.label())]
        at: Span,
    },
    /// The file is larger than casus reads.
    #[error("this file is {:.1} MiB; casus reads files of at most {} MiB", mib(*size), limit / (1024 * 1024))]
    #[diagnostic(
        code("casus::too-large"),
        help(
            "split a large rule set into several files in one folder; for a scenario this large, raise the limit with `--max-file-size MIB`"
        )
    )]
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The largest size read, in bytes.
        limit: u64,
        /// The start of the file.
        #[label]
        at: Span,
    },
}

/// Why bytes are not text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotText {
    /// A NUL byte: an image, an archive, a compiled file.
    #[error("this is a binary file, not text")]
    Binary,
    /// Bytes that are not UTF-8.
    #[error("this file is not UTF-8 text")]
    NotUtf8,
}

impl NotText {
    fn label(self) -> &'static str {
        match self {
            NotText::Binary => "a NUL byte",
            NotText::NotUtf8 => "invalid byte",
        }
    }

    fn help(self) -> &'static str {
        match self {
            NotText::Binary => "rule files and scenarios are UTF-8 text",
            NotText::NotUtf8 => {
                "rule files and scenarios are UTF-8 text; convert it, or check that this is the right file"
            }
        }
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// The largest rule or scenario file casus reads by default. Larger inputs are refused with a
/// diagnostic rather than read into memory; a rule set that large is split into several files,
/// and the command line's `--max-file-size` raises the limit for a large scenario.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

impl Sources {
    /// Adds a file read as bytes. Text that is not UTF-8, or holds a NUL byte (a binary file),
    /// is added lossily and comes back with a diagnostic pointing at the first bad byte.
    ///
    /// A leading UTF-8 byte-order mark is dropped, and a carriage return not followed by a line
    /// feed becomes a line feed (at the same offset), so that a file written on any system reads
    /// the same; the file's own line breaks are kept in [`SourceFile::line_ending`].
    pub fn add_bytes(&mut self, name: impl Into<String>, mut bytes: Vec<u8>) -> (FileId, Option<Diagnostic>) {
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        let ending = LineEnding::of(&bytes);
        let mut from = 0;
        while let Some(n) = bytes.get(from..).and_then(|rest| rest.iter().position(|&b| b == b'\r')) {
            let at = from + n;
            if bytes.get(at + 1) != Some(&b'\n')
                && let Some(b) = bytes.get_mut(at)
            {
                *b = b'\n';
            }
            from = at + 1;
        }
        let (id, problem) = self.add_text_bytes(name, bytes);
        self.set_line_ending(id, ending);
        (id, problem)
    }

    fn add_text_bytes(&mut self, name: impl Into<String>, bytes: Vec<u8>) -> (FileId, Option<Diagnostic>) {
        if let Some(at) = bytes.iter().position(|&b| b == 0) {
            let id = self.add(name, String::from_utf8_lossy(&bytes).into_owned());
            let at = lossy_len(&bytes[..at]);
            return (
                id,
                Some(Diagnostic::new(id, InputError::NotText { reason: NotText::Binary, at: Span::new(at, at + 1) })),
            );
        }
        match String::from_utf8(bytes) {
            Ok(text) => (self.add(name, text), None),
            Err(e) => {
                // The valid prefix is copied unchanged, so `at` is also the offset of the
                // replacement character in the lossy text.
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let id = self.add(name, text);
                (
                    id,
                    Some(Diagnostic::new(
                        id,
                        InputError::NotText { reason: NotText::NotUtf8, at: Span::new(at, at + 1) },
                    )),
                )
            }
        }
    }

    /// Adds a file that is too large to read, with the diagnostic that says so.
    pub fn add_too_large(&mut self, name: impl Into<String>, size: u64, limit: u64) -> (FileId, Diagnostic) {
        let id = self.add(name, String::new());
        (id, Diagnostic::new(id, InputError::TooLarge { size, limit, at: Span::new(0, 0) }))
    }
}

/// The length of `bytes` once decoded lossily, so that an offset into the bytes can be found in
/// the decoded text.
fn lossy_len(bytes: &[u8]) -> usize {
    String::from_utf8_lossy(bytes).len()
}
