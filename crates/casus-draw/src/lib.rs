//! Pictures of an evaluation, for teachers and analysts: the cascade of obligations as a graph
//! (DOT for Graphviz, or SVG laid out here), timelines of each party's norms (text for a terminal,
//! or SVG), the self-contained HTML report, and the heatmap of a what-if sweep.
//!
//! Like the rest of the library it is pure: it takes a [`Report`](casus::report::Report) and the
//! explanations of its norms and returns text. Every picture is deterministic: the same report
//! gives the same bytes, whatever the order in which the evaluation met its norms.
//!
//! The layout of the cascade graph is done here rather than by a general graph layout: a cascade
//! has a natural order — the attack, then the parties obliged by it, then those obliged in turn —
//! and drawing it in those rounds, left to right, is what a reader follows; it also keeps each
//! element of the SVG labelled for screen readers and for the tests.

pub mod graph;
pub mod heatmap;
pub mod html;
pub mod timeline;

mod markup;
