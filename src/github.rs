//! GitHub Actions workflow commands, which the runner shows as annotations on the lines of a pull
//! request: the one place their escaping is written.

use casus_syntax::diagnostic::{Diagnostic, Severity};
use casus_syntax::source::Sources;

/// One annotation: `::error file=F,line=L,col=C,title=T::message`. The file, the title and the
/// message are escaped as the runner reads them (`%`, line breaks, and in properties `:` and `,`).
pub(crate) fn annotation(level: &str, file: &str, at: Option<(usize, usize)>, title: &str, message: &str) -> String {
    let place = at.map(|(line, col)| format!(",line={line},col={col}")).unwrap_or_default();
    format!("::{level} file={}{place},title={}::{}", property(file), property(title), data(message))
}

/// A GitHub Actions workflow command for one diagnostic.
pub(crate) fn diagnostic(d: &Diagnostic, sources: &Sources) -> String {
    let level = match d.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let name = sources.get(d.file()).map_or("", |f| f.name.as_str());
    let at = d.line_col(sources);
    let mut message = d.message();
    if let Some(h) = d.help() {
        message.push_str("\nhelp: ");
        message.push_str(&h);
    }
    annotation(level, name, Some((at.line, at.column)), &d.code(), &message)
}

/// The message of a command.
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property of a command (`file=`, `title=`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::annotation;

    #[test]
    fn properties_and_messages_are_escaped() {
        assert_eq!(
            annotation("error", "a,b:c.ron", Some((3, 4)), "casus::date", "50% off\nnext"),
            "::error file=a%2Cb%3Ac.ron,line=3,col=4,title=casus%3A%3Adate::50%25 off%0Anext"
        );
        assert_eq!(annotation("warning", "x.casus", None, "t", "m"), "::warning file=x.casus,title=t::m");
    }
}
