//! History replay for casus: the alliances of the ATOP data (Alliance Treaty Obligations and
//! Provisions, v4.01) as rules, and the wars of the Correlates of War as scenarios
//! (docs/history.md).
//!
//! Everything here reads files already among a [`casus_syntax::source::Sources`], so that a
//! bad value is reported at its file, line and column like a problem in a rule file, and returns
//! the files to write as text: the command line checks them, writes them all or nothing.

pub mod atop;
pub mod codes;
pub mod cow;
pub mod replay;
pub mod table;
pub mod wars;
