//! The casus rule language as text: source files and places in them, diagnostics, the parser,
//! the syntax tree and the formatter.
//!
//! ```
//! use casus_syntax::{parse, source::FileId};
//!
//! let parsed = parse::parse(FileId(0), "group allies = [FRA, GBR]\n");
//! assert!(parsed.diagnostics.is_empty());
//! assert_eq!(parsed.file.items.len(), 1);
//! ```

pub mod ast;
pub mod diagnostic;
pub mod format;
pub mod input;
pub mod parse;
pub mod source;
pub mod suggest;
