//! The terminal: standard output and standard error, with colour and width as the user's
//! environment asks (`--color`, `NO_COLOR`, `CLICOLOR`, `CLICOLOR_FORCE`, and the width of a
//! terminal or `COLUMNS`).
//!
//! Every command writes through [`Term`], never with `print!`: a reader that closes the pipe
//! early (`casus explain … | head -1`) stops the output and nothing else, and any other write
//! error is reported once, at the end, with exit 1.

use std::io::{self, IsTerminal, Write};

use anstream::{AutoStream, ColorChoice};
use casus_syntax::diagnostic::Style;

use crate::background::Background;

/// Whether to colour: `auto` follows the environment and whether the stream is a terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Color {
    /// Colour on a terminal, unless `NO_COLOR` or `CLICOLOR=0` says otherwise.
    Auto,
    /// Always, even into a file or a pipe.
    Always,
    /// Never.
    Never,
}

/// The width text is wrapped at when the stream is not a terminal: fixed, so that the same
/// inputs give the same bytes into a file or a pipe whatever the environment.
pub(crate) const DEFAULT_WIDTH: usize = 100;

/// Standard output and standard error of one run.
pub(crate) struct Term {
    /// Standard output, buffered.
    pub out: Sink<Out>,
    /// Standard error.
    pub err: Sink<AutoStream<io::Stderr>>,
    /// Whether standard output shows colour.
    pub out_color: bool,
    /// How wide standard output is.
    pub out_width: usize,
    /// How diagnostics are drawn on standard error.
    pub err_style: Style,
}

impl Term {
    /// The terminal of this process, as `color` and the environment ask.
    pub(crate) fn new(color: Color) -> Term {
        let choice = match color {
            Color::Auto => ColorChoice::Auto,
            Color::Always => ColorChoice::Always,
            Color::Never => ColorChoice::Never,
        };
        let out = AutoStream::new(io::stdout(), choice);
        let err = AutoStream::new(io::stderr(), choice);
        let out_color = out.current_choice() != ColorChoice::Never;
        let err_color = err.current_choice() != ColorChoice::Never;
        let out = Out { styled: io::BufWriter::new(out), plain: None };
        Term {
            out_width: width(io::stdout().is_terminal()),
            err_style: Style { drawn: true, color: err_color, width: width(io::stderr().is_terminal()) },
            out: Sink::new(out),
            err: Sink::new(err),
            out_color,
        }
    }

    /// Sends what follows on standard output straight to it, past the colour adapter, in large
    /// blocks: for output that never holds an escape sequence, such as JSON (which escapes
    /// control characters), and may be hundreds of megabytes.
    pub(crate) fn plain(&mut self) {
        let _ = self.out.flush();
        self.out.inner.plain.get_or_insert_with(|| Background::new(io::stdout()));
    }

    /// Flushes standard output; the first write error other than a closed pipe, if any.
    pub(crate) fn finish(mut self) -> Option<io::Error> {
        let _ = self.out.flush();
        let _ = self.err.flush();
        self.out.failed.take().or_else(|| self.err.failed.take())
    }
}

/// The width of a stream: on a terminal, its width as measured or as `COLUMNS` says; else
/// [`DEFAULT_WIDTH`]. Narrower than 40 columns is taken as 40.
fn width(terminal: bool) -> usize {
    if !terminal {
        return DEFAULT_WIDTH;
    }
    let columns = || std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok());
    let measured = terminal_size::terminal_size().map(|(w, _)| usize::from(w.0));
    measured.or_else(columns).unwrap_or(DEFAULT_WIDTH).max(40)
}

/// Standard output: through the colour adapter, or, once [`Term::plain`] is called, straight,
/// written by a thread of its own while the output is made.
pub(crate) struct Out {
    styled: io::BufWriter<AutoStream<io::Stdout>>,
    plain: Option<Background>,
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.plain {
            Some(plain) => plain.write(buf),
            None => self.styled.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.plain {
            Some(plain) => plain.write_all(buf),
            None => self.styled.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.styled.flush()?;
        match &mut self.plain {
            Some(plain) => plain.flush(),
            None => Ok(()),
        }
    }
}

/// A stream that never fails a write: once the reader has gone (a broken pipe) it takes and
/// drops everything; any other error is kept, for [`Term::finish`] to report.
pub(crate) struct Sink<W: Write> {
    inner: W,
    closed: bool,
    failed: Option<io::Error>,
}

impl<W: Write> Sink<W> {
    fn new(inner: W) -> Sink<W> {
        Sink { inner, closed: false, failed: None }
    }

    fn absorb(&mut self, result: io::Result<()>) {
        match result {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => self.closed = true,
            Err(e) => {
                self.closed = true;
                self.failed.get_or_insert(e);
            }
        }
    }
}

impl<W: Write> Write for Sink<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.closed {
            let written = self.inner.write_all(buf);
            self.absorb(written);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.closed {
            let flushed = self.inner.flush();
            self.absorb(flushed);
        }
        Ok(())
    }
}

/// Writes a line to standard output.
macro_rules! outln {
    ($term:expr) => {{
        let _ = ::std::io::Write::write_all(&mut $term.out, b"\n");
    }};
    ($term:expr, $($arg:tt)*) => {{
        let _ = ::std::io::Write::write_fmt(&mut $term.out, format_args!($($arg)*));
        let _ = ::std::io::Write::write_all(&mut $term.out, b"\n");
    }};
}

/// Writes a line to standard error.
macro_rules! errln {
    ($term:expr, $($arg:tt)*) => {{
        let _ = ::std::io::Write::write_fmt(&mut $term.err, format_args!($($arg)*));
        let _ = ::std::io::Write::write_all(&mut $term.err, b"\n");
    }};
}

pub(crate) use {errln, outln};

/// A writer that wraps each line at a width, the continuation indented two columns past the
/// line's own indentation, and, in colour, marks the statuses of norms.
pub(crate) struct Wrapped<'a, W: Write> {
    inner: &'a mut W,
    width: usize,
    color: bool,
    line: Vec<u8>,
}

impl<'a, W: Write> Wrapped<'a, W> {
    pub(crate) fn new(inner: &'a mut W, width: usize, color: bool) -> Wrapped<'a, W> {
        Wrapped { inner, width, color, line: Vec::new() }
    }

    fn emit(&mut self) -> io::Result<()> {
        let line = String::from_utf8_lossy(&self.line).into_owned();
        self.line.clear();
        let line = if self.color { paint(&line) } else { line };
        if textwrap::core::display_width(&line) <= self.width {
            return self.inner.write_all(line.as_bytes());
        }
        let body = line.trim_start_matches(' ');
        let indent = " ".repeat(line.len() - body.len());
        let rest = format!("{indent}  ");
        let options = textwrap::Options::new(self.width)
            .initial_indent(&indent)
            .subsequent_indent(&rest)
            .word_separator(textwrap::WordSeparator::AsciiSpace)
            .word_splitter(textwrap::WordSplitter::NoHyphenation)
            .break_words(false);
        let wrapped = textwrap::wrap(body, options);
        for (n, part) in wrapped.iter().enumerate() {
            if n > 0 {
                self.inner.write_all(b"\n")?;
            }
            self.inner.write_all(part.trim_end().as_bytes())?;
        }
        Ok(())
    }
}

impl<W: Write> Write for Wrapped<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(at) = rest.iter().position(|b| *b == b'\n') {
            self.line.extend_from_slice(&rest[..at]);
            self.emit()?;
            self.inner.write_all(b"\n")?;
            rest = &rest[at + 1..];
        }
        self.line.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.line.is_empty() {
            self.emit()?;
        }
        self.inner.flush()
    }
}

/// A line of a report in colour: the status a norm line ends with, and section headings.
fn paint(line: &str) -> String {
    use anstyle::{AnsiColor, Style};
    const HEADINGS: &[&str] =
        &["Obligations", "Norms", "Conflicts", "Violations", "Why not", "Instruments", "No obligations."];
    if HEADINGS.contains(&line) {
        let bold = Style::new().bold();
        return format!("{bold}{line}{bold:#}");
    }
    const STATUSES: &[(&str, AnsiColor)] = &[
        ("violated", AnsiColor::Red),
        ("fulfilled", AnsiColor::Green),
        ("pending", AnsiColor::Yellow),
        ("overridden", AnsiColor::Magenta),
        ("discharged", AnsiColor::Cyan),
        ("in effect", AnsiColor::Blue),
        ("permitted", AnsiColor::Blue),
    ];
    let is_norm = ["must ", "may "].iter().any(|m| line.trim_start().starts_with(m));
    if !is_norm {
        return line.to_string();
    }
    for (word, color) in STATUSES {
        for end in ["", " (assumed)", " (by an assumed act)"] {
            let tail = format!("{word}{end}");
            if let Some(head) = line.strip_suffix(tail.as_str())
                && (head.ends_with(", ") || head.ends_with("— "))
            {
                let style = Style::new().fg_color(Some((*color).into())).bold();
                return format!("{head}{style}{word}{style:#}{end}");
            }
        }
    }
    line.to_string()
}

#[cfg(test)]
mod tests {
    use super::Sink;
    use std::io::{self, Write};

    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("no space left on device"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_is_no_error_and_any_other_failure_is_kept() {
        let mut closed = Sink::new(Closed);
        assert!(writeln!(closed, "a").is_ok());
        assert!(closed.closed && closed.failed.is_none());
        let mut full = Sink::new(Full);
        assert!(writeln!(full, "a").is_ok());
        assert_eq!(full.failed.map(|e| e.to_string()).as_deref(), Some("no space left on device"));
    }
}
