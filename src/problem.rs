//! Problems with the input, in every form the command line prints them: rustc-style for people,
//! one line each (`short`), GitHub Actions annotations (`github`) and SARIF for code-scanning
//! dashboards (`sarif`). A problem is put in these forms where it is found, so that it can
//! travel from a worker thread with its rendering done.

use casus_syntax::diagnostic::{self, Diagnostic, Severity, Style};
use casus_syntax::source::Sources;

use crate::github;
use crate::term::{Term, errln, outln};

/// How problems and failures are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// rustc-style, with the offending line and a caret.
    Human,
    /// One line each: `file:line:col: severity: message`.
    Short,
    /// GitHub Actions workflow commands, shown as annotations on the lines.
    Github,
    /// One SARIF 2.1.0 log on standard output, for code-scanning dashboards.
    Sarif,
    /// One JSON document on standard output.
    Json,
}

impl Format {
    /// The style problems are rendered in for this format: drawn only for people.
    pub(crate) fn style(self, style: Style) -> Style {
        Style { drawn: self == Format::Human, ..style }
    }
}

/// Where a problem is: a file, and a line and column in it when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Place {
    /// The file, as shown.
    pub file: String,
    /// Line and column, from 1.
    pub at: Option<(usize, usize)>,
    /// Where the marked text ends, line and column, from 1.
    pub end: Option<(usize, usize)>,
}

/// One problem, ready to print in any format.
#[derive(Clone, Debug)]
pub(crate) struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// Where, when it is about a place.
    pub place: Option<Place>,
    /// The diagnostic code, `casus::…`.
    pub code: String,
    /// One line.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The rustc-style rendering.
    pub human: String,
}

impl Problem {
    /// A diagnostic, rendered in `style` (on one line when it is not drawn).
    pub(crate) fn of(d: &Diagnostic, sources: &Sources, style: Style) -> Problem {
        let file = sources.get(d.file());
        let span = d.span();
        let place = file.map(|f| {
            let (a, b) = (f.line_col(span.start), f.line_col(span.end));
            Place { file: f.name.clone(), at: Some((a.line, a.column)), end: Some((b.line, b.column)) }
        });
        Problem {
            severity: d.severity(),
            place,
            code: d.code(),
            message: d.message(),
            help: d.help(),
            human: diagnostic::render_styled(d, sources, style),
        }
    }

    /// An error about no place in a file, or about a whole file.
    pub(crate) fn error(code: &str, message: impl Into<String>, file: Option<&str>) -> Problem {
        let message = message.into();
        Problem {
            severity: Severity::Error,
            place: file.map(|f| Place { file: f.to_string(), at: None, end: None }),
            code: code.to_string(),
            human: format!("error: {message}"),
            message,
            help: None,
        }
    }

    /// Adds what to do about it.
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Problem {
        let help = help.into();
        self.human = format!("{}\n  help: {help}", self.human);
        self.help = Some(help);
        self
    }

    /// Whether it is an error.
    pub(crate) fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn level(&self) -> &'static str {
        match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }

    /// `file:line:col: error: message`.
    pub(crate) fn short(&self) -> String {
        let place = match &self.place {
            Some(Place { file, at: Some((l, c)), .. }) => format!("{file}:{l}:{c}: "),
            Some(Place { file, at: None, .. }) => format!("{file}: "),
            None => String::new(),
        };
        format!("{place}{}: {}", self.level(), self.message)
    }

    /// A GitHub Actions workflow command.
    pub(crate) fn github(&self) -> String {
        let mut message = self.message.clone();
        if let Some(h) = &self.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        let file = self.place.as_ref().map(|p| (p.file.as_str(), p.at));
        github::annotation(self.level(), file, &self.code, &message)
    }

    /// The problem as JSON: severity, file, line, column, code, message, help.
    pub(crate) fn json(&self) -> serde_json::Value {
        let (file, at) = match &self.place {
            Some(p) => (Some(p.file.as_str()), p.at),
            None => (None, None),
        };
        serde_json::json!({
            "severity": self.level(),
            "file": file,
            "line": at.map(|a| a.0),
            "column": at.map(|a| a.1),
            "code": self.code,
            "message": self.message,
            "help": self.help,
        })
    }

    /// A SARIF result.
    pub(crate) fn sarif(&self) -> serde_json::Value {
        let mut text = self.message.clone();
        if let Some(h) = &self.help {
            text.push_str("\nhelp: ");
            text.push_str(h);
        }
        let mut result = serde_json::json!({
            "ruleId": self.code,
            "level": self.level(),
            "message": { "text": text },
        });
        if let Some(p) = &self.place {
            let mut region = serde_json::Map::new();
            if let Some((l, c)) = p.at {
                region.insert("startLine".into(), l.into());
                region.insert("startColumn".into(), c.into());
            }
            if let Some((l, c)) = p.end {
                region.insert("endLine".into(), l.into());
                region.insert("endColumn".into(), c.into());
            }
            let mut location = serde_json::json!({ "artifactLocation": { "uri": uri(&p.file) } });
            if !region.is_empty() {
                location["region"] = region.into();
            }
            result["locations"] = serde_json::json!([{ "physicalLocation": location }]);
        }
        result
    }
}

/// A path as a SARIF URI reference: relative paths stay relative (to the folder casus ran in),
/// with characters outside a URI's path escaped.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Prints problems in a format; SARIF and JSON results are kept in `collected`, for one
/// document at the end.
pub(crate) fn print(term: &mut Term, problems: &[Problem], format: Format, collected: &mut Vec<serde_json::Value>) {
    for p in problems {
        match format {
            Format::Human => errln!(term, "{}", p.human),
            Format::Short => errln!(term, "{}", p.short()),
            Format::Github => outln!(term, "{}", p.github()),
            Format::Sarif => collected.push(p.sarif()),
            Format::Json => collected.push(p.json()),
        }
    }
}

/// A SARIF 2.1.0 log of one run of casus, with the codes of its results as rules.
pub(crate) fn sarif_log(results: Vec<serde_json::Value>) -> String {
    let mut codes: Vec<&str> = results.iter().filter_map(|r| r["ruleId"].as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<serde_json::Value> = codes.iter().map(|c| serde_json::json!({ "id": c })).collect();
    let log = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "casus",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::{Problem, uri};

    #[test]
    fn sarif_uris_escape_what_a_uri_cannot_hold() {
        assert_eq!(uri("rules/kp ru.casus"), "rules/kp%20ru.casus");
        assert_eq!(uri("a%b#c"), "a%25b%23c");
    }

    #[test]
    fn a_problem_without_a_line_is_still_placed_in_its_file() {
        let p = Problem::error("casus::io", "cannot read `x.ron`: no such file", Some("x.ron"));
        assert_eq!(p.short(), "x.ron: error: cannot read `x.ron`: no such file");
        assert_eq!(p.github(), "::error file=x.ron,title=casus%3A%3Aio::cannot read `x.ron`: no such file");
    }
}
