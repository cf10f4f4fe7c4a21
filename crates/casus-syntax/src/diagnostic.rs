//! Diagnostics: problems found in rule files and scenarios, as values.
//!
//! Every stage returns its problems as [`Diagnostic`]s rather than stopping at the first one; the
//! command line renders them, rustc-style, with [`render`].

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use crate::source::{FileId, LineCol, Sources, Span};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The input cannot be used as it is.
    Error,
    /// The input is usable but probably not what its author meant.
    Warning,
}

/// A place in a file, with an optional note shown beside it.
#[derive(Clone, Debug)]
pub struct Label {
    /// The file.
    pub file: FileId,
    /// The bytes pointed at.
    pub span: Span,
    /// What the place has to do with the problem.
    pub text: Option<String>,
}

/// One problem, with where it is and what to do about it.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable code such as `casus::syntax`, for scripts and documentation.
    pub code: &'static str,
    /// What is wrong, lower-case, without a final period; user input in backticks.
    pub message: String,
    /// Where it is wrong.
    pub primary: Label,
    /// Other places that explain it (the first definition of a duplicate, say).
    pub secondary: Vec<Label>,
    /// How to fix it, when there is something useful to say.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `span` in `file`.
    pub fn error(code: &'static str, file: FileId, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            primary: Label { file, span, text: None },
            secondary: Vec::new(),
            help: None,
        }
    }

    /// A warning at `span` in `file`.
    pub fn warning(code: &'static str, file: FileId, span: Span, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, file, span, message) }
    }

    /// Sets the note shown under the primary place.
    pub fn with_label(mut self, text: impl Into<String>) -> Self {
        self.primary.text = Some(text.into());
        self
    }

    /// Adds a secondary place.
    pub fn with_secondary(mut self, file: FileId, span: Span, text: impl Into<String>) -> Self {
        self.secondary.push(Label { file, span, text: Some(text.into()) });
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this is an error rather than a warning.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The line and column where the problem starts.
    pub fn line_col(&self, sources: &Sources) -> LineCol {
        sources.get(self.primary.file).map_or(LineCol { line: 1, column: 1 }, |f| f.line_col(self.primary.span.start))
    }
}

/// Sorts diagnostics by file and position, so that output does not depend on the order in which
/// checks ran.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.primary.file, a.primary.span.start, a.primary.span.end, &a.message).cmp(&(
            b.primary.file,
            b.primary.span.start,
            b.primary.span.end,
            &b.message,
        ))
    });
}

/// Renders one diagnostic the way rustc does: the message, the file, line and column, the
/// offending line with a caret under the place, and the help. No colour, so that the output is
/// the same on every terminal and can be pinned in tests.
pub fn render(diagnostic: &Diagnostic, sources: &Sources) -> String {
    let handler =
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100).with_links(false);
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
    let name = sources.get(diagnostic.primary.file).map_or("<unknown>", |f| f.name.as_str());
    let severity = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!("{name}:{}: {severity}: {}", diagnostic.line_col(sources), diagnostic.message)
}

/// A diagnostic in the shape miette renders: labels in the primary file are shown in place,
/// those in other files as related notes with their own source.
struct Rendered {
    message: String,
    code: &'static str,
    severity: miette::Severity,
    help: Option<String>,
    source: NamedSource<String>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered>,
}

impl Rendered {
    fn new(d: &Diagnostic, sources: &Sources) -> Rendered {
        let file = sources.get(d.primary.file);
        let name = file.map_or(String::from("<unknown>"), |f| f.name.clone());
        let text = file.map_or(String::new(), |f| f.text.clone());
        let mut labels = vec![labeled(&d.primary, text.len(), true)];
        let mut related = Vec::new();
        for label in &d.secondary {
            if label.file == d.primary.file {
                labels.push(labeled(label, text.len(), false));
            } else {
                related.push(Rendered::note(label, sources));
            }
        }
        Rendered {
            message: d.message.clone(),
            code: d.code,
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            help: d.help.clone(),
            source: NamedSource::new(name, text),
            labels,
            related,
        }
    }

    fn note(label: &Label, sources: &Sources) -> Rendered {
        let file = sources.get(label.file);
        let name = file.map_or(String::from("<unknown>"), |f| f.name.clone());
        let text = file.map_or(String::new(), |f| f.text.clone());
        Rendered {
            message: label.text.clone().unwrap_or_default(),
            code: "",
            severity: miette::Severity::Advice,
            help: None,
            labels: vec![labeled(label, text.len(), true)],
            source: NamedSource::new(name, text),
            related: Vec::new(),
        }
    }
}

fn labeled(label: &Label, text_len: usize, primary: bool) -> LabeledSpan {
    let start = label.span.start.min(text_len);
    let len = label.span.len().min(text_len - start);
    let span = SourceSpan::new(start.into(), len);
    if primary {
        LabeledSpan::new_primary_with_span(label.text.clone(), span)
    } else {
        LabeledSpan::new_with_span(label.text.clone(), span)
    }
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl miette::Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
    }
}
