//! Reading bytes into text: a file that is not UTF-8, binary or too large is still added to the
//! sources, with the diagnostic that says what is wrong with it, so that it can be shown.

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Sources, Span};

/// The largest rule or scenario file casus reads. Larger inputs are refused with a diagnostic
/// rather than read into memory; a rule set that large is split into several files.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

impl Sources {
    /// Adds a file read as bytes. Text that is not UTF-8, or holds a NUL byte (a binary file),
    /// is added lossily and comes back with a diagnostic pointing at the first bad byte.
    pub fn add_bytes(&mut self, name: impl Into<String>, bytes: Vec<u8>) -> (FileId, Option<Diagnostic>) {
        if let Some(at) = bytes.iter().position(|&b| b == 0) {
            let id = self.add(name, String::from_utf8_lossy(&bytes).into_owned());
            let at = lossy_len(&bytes[..at]);
            let d = Diagnostic::error("casus::binary", id, Span::new(at, at + 1), "this is a binary file, not text")
                .with_label("a NUL byte")
                .with_help("rule files and scenarios are UTF-8 text");
            return (id, Some(d));
        }
        match String::from_utf8(bytes) {
            Ok(text) => (self.add(name, text), None),
            Err(e) => {
                // The valid prefix is copied unchanged, so `at` is also the offset of the
                // replacement character in the lossy text.
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let id = self.add(name, text);
                let d = Diagnostic::error("casus::binary", id, Span::new(at, at + 1), "this file is not UTF-8 text")
                    .with_label("invalid byte")
                    .with_help(
                        "rule files and scenarios are UTF-8 text; convert it, or check that this is the right file",
                    );
                (id, Some(d))
            }
        }
    }

    /// Adds a file that is too large to read, with the diagnostic that says so.
    pub fn add_too_large(&mut self, name: impl Into<String>, size: u64) -> (FileId, Diagnostic) {
        let id = self.add(name, String::new());
        let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
        let d = Diagnostic::error(
            "casus::too-large",
            id,
            Span::new(0, 0),
            format!("this file is {:.1} MiB; casus reads files of at most {:.0} MiB", mib(size), mib(MAX_FILE_BYTES)),
        )
        .with_help("split a large rule set into several files in one folder");
        (id, d)
    }
}

/// The length of `bytes` once decoded lossily, so that an offset into the bytes can be found in
/// the decoded text.
fn lossy_len(bytes: &[u8]) -> usize {
    String::from_utf8_lossy(bytes).len()
}
