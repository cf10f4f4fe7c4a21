//! Diagnostics: problems found in rule files and scenarios, as values.
//!
//! Each stage has its own error type, whose variants carry typed fields and derive their message
//! (`thiserror`) and their code, help and labels (`miette`). A stage hands its problems on as
//! [`Diagnostic`]s — the error, the file it is in, and any place in another file that explains it
//! — and never stops at the first. The command line renders them, rustc-style, with [`render`].

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};

use crate::source::{FileId, LineCol, Sources, Span};

/// A stage's error, as miette describes it: message, code, severity, help, and labels in the
/// file it is found in.
pub trait Problem: miette::Diagnostic + Send + Sync + 'static {}

impl<T: miette::Diagnostic + Send + Sync + 'static> Problem for T {}

impl From<Span> for SourceSpan {
    fn from(span: Span) -> SourceSpan {
        SourceSpan::new(span.start.into(), span.len())
    }
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The input cannot be used as it is.
    Error,
    /// The input is usable but probably not what its author meant.
    Warning,
}

/// One problem: a stage's error, the file it is in, and the places elsewhere that explain it.
#[derive(Clone)]
pub struct Diagnostic {
    file: FileId,
    problem: Arc<dyn Problem>,
    elsewhere: Vec<Note>,
}

/// A place in another file that explains a problem: the first definition of a duplicate, say.
#[derive(Clone, Debug)]
pub struct Note {
    /// The file.
    pub file: FileId,
    /// The bytes pointed at.
    pub span: Span,
    /// What the place has to do with the problem.
    pub text: String,
}

impl Diagnostic {
    /// The problem `problem`, whose labels point into `file`.
    pub fn new(file: FileId, problem: impl Problem) -> Diagnostic {
        Diagnostic { file, problem: Arc::new(problem), elsewhere: Vec::new() }
    }

    /// Adds a place in another file that explains the problem.
    pub fn with_note(mut self, file: FileId, span: Span, text: impl Into<String>) -> Diagnostic {
        self.elsewhere.push(Note { file, span, text: text.into() });
        self
    }

    /// The file the problem is in.
    pub fn file(&self) -> FileId {
        self.file
    }

    /// The stage's error itself.
    pub fn problem(&self) -> &dyn Problem {
        &*self.problem
    }

    /// Error or warning; miette's advice counts as a warning.
    pub fn severity(&self) -> Severity {
        match self.problem.severity() {
            None | Some(miette::Severity::Error) => Severity::Error,
            Some(_) => Severity::Warning,
        }
    }

    /// Whether this is an error rather than a warning.
    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }

    /// The stable code, such as `casus::date`, for scripts and documentation.
    pub fn code(&self) -> String {
        self.problem.code().map(|c| c.to_string()).unwrap_or_default()
    }

    /// What is wrong: lower-case, without a final period, user input in backticks.
    pub fn message(&self) -> String {
        self.problem.to_string()
    }

    /// How to fix it, when there is something useful to say.
    pub fn help(&self) -> Option<String> {
        self.problem.help().map(|h| h.to_string())
    }

    /// Where the problem is: its primary label (the first label if none is marked primary).
    pub fn span(&self) -> Span {
        let labels: Vec<LabeledSpan> = self.problem.labels().map(Iterator::collect).unwrap_or_default();
        let primary = labels.iter().find(|l| l.primary()).or(labels.first());
        primary.map_or(Span::default(), |l| Span::new(l.offset(), l.offset() + l.len()))
    }

    /// The places in other files that explain it.
    pub fn notes(&self) -> &[Note] {
        &self.elsewhere
    }

    /// The line and column where the problem starts.
    pub fn line_col(&self, sources: &Sources) -> LineCol {
        sources.get(self.file).map_or(LineCol { line: 1, column: 1 }, |f| f.line_col(self.span().start))
    }
}

impl fmt::Debug for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {:?} in file {}: {}", self.code(), self.span(), self.file.0, self.message())
    }
}

/// Sorts diagnostics by file and position, so that output does not depend on the order in which
/// checks ran.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_cached_key(|d| {
        let span = d.span();
        (d.file, span.start, span.end, d.message())
    });
}

/// Lines longer than this, in bytes, are not drawn in a diagnostic.
pub const MAX_SHOWN_LINE: usize = 2000;

/// How a diagnostic is drawn: with its source lines or on one line, in colour or not, and how
/// wide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// Whether to draw the source lines; `false` gives the one line of [`render_short`], and
    /// spares the drawing when thousands of problems are printed one line each.
    pub drawn: bool,
    /// Whether to colour it for a terminal.
    pub color: bool,
    /// The width to wrap its text at.
    pub width: usize,
}

impl Style {
    /// Drawn, no colour, 100 columns: the same on every machine, as tests pin it.
    pub const PLAIN: Style = Style { drawn: true, color: false, width: 100 };
}

/// Renders one diagnostic the way rustc does: the message, the file, line and column, the
/// offending line with a caret under the place, and the help. No colour, so that the output is
/// the same on every terminal and can be pinned in tests.
pub fn render(diagnostic: &Diagnostic, sources: &Sources) -> String {
    render_styled(diagnostic, sources, Style::PLAIN)
}

/// Renders one diagnostic as [`render`] does, in the given style.
pub fn render_styled(diagnostic: &Diagnostic, sources: &Sources, style: Style) -> String {
    if !style.drawn {
        return render_short(diagnostic, sources);
    }
    // A line too long to show is not shown: the place and the help say enough, and the drawing
    // of a caret thousands of columns in is neither readable nor, past 65 535, possible.
    let too_long = sources.get(diagnostic.file).is_some_and(|f| {
        let span = diagnostic.span();
        let line = |at: usize| {
            let start = f.text.get(..at.min(f.text.len())).and_then(|t| t.rfind('\n')).map_or(0, |n| n + 1);
            let end = f.text.get(at.min(f.text.len())..).and_then(|t| t.find('\n')).map_or(f.text.len(), |n| at + n);
            end.saturating_sub(start)
        };
        line(span.start).max(line(span.end)) > MAX_SHOWN_LINE
    });
    if too_long {
        let help = diagnostic.help().map(|h| format!("\n  help: {h}")).unwrap_or_default();
        return format!("{}\n  (the line is too long to show){help}\n", render_short(diagnostic, sources));
    }
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    // Lines break at spaces only: a flag such as `--rules` or a date stays whole.
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_break_words(false);
    let mut out = String::new();
    let report = Rendered::new(diagnostic, sources);
    if handler.render_report(&mut out, &report).is_err() {
        // Rendering into a String cannot fail in practice; fall back to the plain form.
        out = render_short(diagnostic, sources);
    }
    out
}

/// Renders one diagnostic on one line: `file:line:col: error: message`.
pub fn render_short(diagnostic: &Diagnostic, sources: &Sources) -> String {
    let name = sources.get(diagnostic.file).map_or("<unknown>", |f| f.name.as_str());
    let severity = match diagnostic.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!("{name}:{}: {severity}: {}", diagnostic.line_col(sources), diagnostic.message())
}

/// A diagnostic with its file's text, in the shape miette renders: the problem's own labels in
/// place, the notes in other files as related reports with their own text.
struct Rendered<'a> {
    problem: &'a dyn Problem,
    source: Window<'a>,
    related: Vec<NoteReport<'a>>,
}

impl<'a> Rendered<'a> {
    fn new(d: &'a Diagnostic, sources: &'a Sources) -> Rendered<'a> {
        Rendered {
            problem: &*d.problem,
            source: Window::of(sources, d.file),
            related: d.elsewhere.iter().map(|n| NoteReport::new(n, sources)).collect(),
        }
    }
}

/// A file's text as miette reads it: only the lines around a span, found by the file's line
/// index. (miette would scan the text from its start for each diagnostic, and a copy of the
/// whole text would be made for each; a file with thousands of problems took seconds.)
struct Window<'a> {
    name: &'a str,
    text: &'a str,
    line_starts: &'a [usize],
}

impl<'a> Window<'a> {
    fn of(sources: &'a Sources, file: FileId) -> Window<'a> {
        match sources.get(file) {
            Some(f) => Window { name: &f.name, text: &f.text, line_starts: f.line_starts() },
            None => Window { name: "<unknown>", text: "", line_starts: &[0] },
        }
    }
}

impl miette::SourceCode for Window<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'b> + 'b>, miette::MietteError> {
        let line_of = |offset: usize| self.line_starts.partition_point(|&s| s <= offset).saturating_sub(1);
        // A line more on each side than asked, so that miette finds the same context in the
        // window as in the whole text; its lines are then numbered from the window's first.
        let first = line_of(span.offset()).saturating_sub(before + 1);
        let last = line_of(span.offset() + span.len()).saturating_add(after + 1);
        let start = self.line_starts.get(first).copied().unwrap_or(0).min(self.text.len());
        let end = self.line_starts.get(last + 1).copied().unwrap_or(self.text.len()).min(self.text.len());
        let window = self.text.as_bytes().get(start..end).unwrap_or(&[]);
        let inner = SourceSpan::new(span.offset().saturating_sub(start).into(), span.len());
        let found = miette::SourceCode::read_span(window, &inner, before, after)?;
        let at = SourceSpan::new((found.span().offset() + start).into(), found.span().len());
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.to_string(),
            found.data(),
            at,
            found.line() + first,
            found.column(),
            found.line_count() + first,
        )))
    }
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.problem, f)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.problem, f)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.problem.code()
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.problem.severity().unwrap_or(miette::Severity::Error))
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.problem.help()
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let len = self.source.text.len();
        let labels = self.problem.labels()?;
        Some(Box::new(labels.map(move |l| clamp(l, len))))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
    }
}

/// A label kept inside its text, so that a place past the end (the end of a file) renders.
fn clamp(label: LabeledSpan, len: usize) -> LabeledSpan {
    let start = label.offset().min(len);
    let span = SourceSpan::new(start.into(), label.len().min(len - start));
    let text = label.label().map(str::to_string);
    if label.primary() {
        LabeledSpan::new_primary_with_span(text, span)
    } else {
        LabeledSpan::new_with_span(text, span)
    }
}

/// A note in another file, rendered as advice with that file's text.
struct NoteReport<'a> {
    text: String,
    span: Span,
    source: Window<'a>,
}

impl<'a> NoteReport<'a> {
    fn new(note: &Note, sources: &'a Sources) -> NoteReport<'a> {
        NoteReport { text: note.text.clone(), span: note.span, source: Window::of(sources, note.file) }
    }
}

impl fmt::Debug for NoteReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Display for NoteReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for NoteReport<'_> {}

impl miette::Diagnostic for NoteReport<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = LabeledSpan::new_primary_with_span(Some(self.text.clone()), self.span);
        Some(Box::new(std::iter::once(clamp(label, self.source.text.len()))))
    }
}
