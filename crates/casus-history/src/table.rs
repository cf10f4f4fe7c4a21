//! CSV tables read with the place of every field, so that a bad value is reported at its file,
//! line and column.
//!
//! The datasets come as they were published: the Correlates of War war file has old-Mac line
//! endings (a lone carriage return) and is Latin-1; the others are UTF-8 with `\n` or `\r\n`.
//! [`decode`] turns any of them into text of the same length in bytes per character of the
//! file's encoding, with each line ending a `\n`, so that lines and columns count as an editor
//! counts them.

use std::collections::HashMap;

use casus_syntax::diagnostic::Diagnostic;
use casus_syntax::source::{FileId, Sources, Span};

/// A problem in a data file, at the field (or the line) that is wrong.
#[derive(Clone, Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code("casus::data"))]
pub struct DataError {
    /// What is wrong.
    pub message: String,
    /// Where.
    #[label("{label}")]
    pub at: Span,
    /// What the label says.
    pub label: String,
    /// What to do about it.
    #[help]
    pub help: Option<String>,
}

/// The text of a data file: UTF-8 if it is, else Latin-1 (each byte the character of that
/// number), with lone carriage returns made line feeds.
pub fn decode(bytes: &[u8]) -> String {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    };
    if !text.contains('\r') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

/// A table: its header and its rows, each field with its place.
#[derive(Clone, Debug)]
pub struct Table {
    /// The file among the sources.
    pub file: FileId,
    columns: HashMap<String, usize>,
    rows: Vec<Row>,
    /// Where the header ends, for problems with the header.
    header_end: usize,
}

/// One data row.
#[derive(Clone, Debug)]
pub struct Row {
    /// Its number among the data rows, from 1 (the header is not counted).
    pub number: usize,
    fields: Vec<(String, Span)>,
}

impl Row {
    fn field(&self, column: usize) -> Option<&(String, Span)> {
        self.fields.get(column)
    }
}

impl Table {
    /// Reads the CSV text of `file`, which must have every column of `required` (others are kept
    /// too), and a field for every column on every row.
    pub fn parse(sources: &Sources, file: FileId, required: &[&str]) -> Result<Table, Diagnostic> {
        let text = sources.get(file).map_or("", |f| f.text.as_str());
        let error = |at: Span, message: String, label: &str, help: Option<String>| {
            Diagnostic::new(file, DataError { message, at, label: label.to_string(), help })
        };
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut records = reader.byte_records();
        let Some(header) = records.next() else {
            return Err(error(Span::new(0, 0), "the file is empty: it has no header".into(), "here", None));
        };
        let header = header.map_err(|e| csv_error(file, text, &e))?;
        let header_fields = fields(text, &header);
        let header_end = header_fields.last().map_or(0, |(_, s)| s.end);
        let mut columns = HashMap::new();
        for (i, (name, _)) in header_fields.iter().enumerate() {
            columns.entry(name.trim().to_string()).or_insert(i);
        }
        for want in required {
            if !columns.contains_key(*want) {
                return Err(error(
                    Span::new(header_end, header_end),
                    format!("the header has no column `{want}`"),
                    "the header ends here",
                    Some(format!("the columns read are: {}", required.join(", "))),
                ));
            }
        }
        let width = header_fields.len();
        let mut rows = Vec::new();
        for record in records {
            let record = record.map_err(|e| csv_error(file, text, &e))?;
            let fields = fields(text, &record);
            // A blank line at the end (or anywhere) is not a row.
            if fields.len() == 1 && fields.first().is_some_and(|(f, _)| f.is_empty()) {
                continue;
            }
            if fields.len() != width {
                let end = fields.last().map_or(0, |(_, s)| s.end);
                let (message, label) = if fields.len() < width {
                    (
                        format!("this row has {} fields, the header {width}: it is cut short", fields.len()),
                        "it ends here",
                    )
                } else {
                    (format!("this row has {} fields, the header only {width}", fields.len()), "the row")
                };
                return Err(error(Span::new(end, end), message, label, None));
            }
            rows.push(Row { number: rows.len() + 1, fields });
        }
        Ok(Table { file, columns, rows, header_end })
    }

    /// The rows, in the file's order.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Whether the table has a column.
    pub fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    fn at<'r>(&self, row: &'r Row, column: &str) -> (&'r str, Span) {
        let field = self.columns.get(column).and_then(|&i| row.field(i));
        field.map_or(("", Span::new(self.header_end, self.header_end)), |(t, s)| (t.as_str(), *s))
    }

    /// The text of a field, trimmed.
    pub fn text<'r>(&self, row: &'r Row, column: &str) -> &'r str {
        self.at(row, column).0.trim()
    }

    /// The place of a field.
    pub fn span(&self, row: &Row, column: &str) -> Span {
        self.at(row, column).1
    }

    /// A whole number; an empty field is `None`.
    pub fn int(&self, row: &Row, column: &str) -> Result<Option<i64>, Diagnostic> {
        let (text, span) = self.at(row, column);
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<i64>().map(Some).map_err(|_| {
            self.error(span, format!("`{column}` should be a whole number, not `{text}`"), "not a whole number", None)
        })
    }

    /// A positive whole number that names something (`what`: "a country code"), or nothing.
    pub fn positive(&self, row: &Row, column: &str, what: &str) -> Result<Option<u32>, Diagnostic> {
        match self.int(row, column)? {
            None => Ok(None),
            Some(n) => u32::try_from(n).ok().filter(|&c| c > 0).map(Some).ok_or_else(|| {
                let at = self.span(row, column);
                self.error(at, format!("`{column}` should be {what}, not {n}"), &format!("not {what}"), None)
            }),
        }
    }

    /// A whole number, with an empty field read as 0 (the datasets' "none").
    pub fn int_or_zero(&self, row: &Row, column: &str) -> Result<i64, Diagnostic> {
        Ok(self.int(row, column)?.unwrap_or(0))
    }

    /// A flag: 1 is set, 0 or an empty field is not; anything else is an error.
    pub fn flag(&self, row: &Row, column: &str) -> Result<bool, Diagnostic> {
        match self.int(row, column)? {
            None | Some(0) => Ok(false),
            Some(1) => Ok(true),
            Some(n) => Err(self.error(
                self.span(row, column),
                format!("`{column}` should be 0 or 1, not {n}"),
                "not a flag",
                None,
            )),
        }
    }

    /// A problem at a place in this table's file.
    pub fn error(&self, at: Span, message: String, label: &str, help: Option<String>) -> Diagnostic {
        Diagnostic::new(self.file, DataError { message, at, label: label.to_string(), help })
    }
}

/// The fields of a record with their places in `text`. csv gives each record's start; a field
/// starts after the fields before it and their separators (a quoted field's place counts its
/// opening quote).
fn fields(text: &str, record: &csv::ByteRecord) -> Vec<(String, Span)> {
    let start = record.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
    let raw = text.as_bytes();
    let mut at = start;
    let mut out = Vec::with_capacity(record.len());
    for field in record {
        let value = String::from_utf8_lossy(field).into_owned();
        let quoted = raw.get(at) == Some(&b'"');
        let len = if quoted { field.len() + 2 } else { field.len() };
        let end = (at + len).min(text.len());
        out.push((value, Span::new(at, end)));
        at = end + 1;
    }
    out
}

fn csv_error(file: FileId, text: &str, e: &csv::Error) -> Diagnostic {
    let at = e.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0)).min(text.len());
    Diagnostic::new(
        file,
        DataError { message: format!("this is not CSV: {e}"), at: Span::new(at, at), label: "here".into(), help: None },
    )
}

/// A day from a row's year, month and day columns, where a month or a day may be given as
/// `unknown` (ATOP's 0 or empty, COW's −9): it is read as the start of its span, or with `end` as
/// its end (the month's last day, December). Returns the date and, when a part was filled in,
/// how the row gave it (`1844-06-?`).
pub fn partial_date(
    t: &Table,
    r: &Row,
    [y, m, d]: [&str; 3],
    end: bool,
    unknown: i64,
) -> Result<(jiff::civil::Date, Option<String>), Diagnostic> {
    let year = t.int_or_zero(r, y)?;
    let Some(year16) = i16::try_from(year).ok().filter(|y| *y > 0) else {
        return Err(t.error(t.span(r, y), format!("`{y}` should be a year, not {year}"), "not a year", None));
    };
    let month = t.int_or_zero(r, m)?;
    let month_read = match month {
        _ if month == unknown => {
            if end {
                12
            } else {
                1
            }
        }
        1..=12 => i8::try_from(month).unwrap_or(1),
        _ => return Err(t.error(t.span(r, m), format!("`{m}` should be a month, not {month}"), "not a month", None)),
    };
    let first = jiff::civil::Date::new(year16, month_read, 1)
        .map_err(|e| t.error(t.span(r, y), format!("not a date: {e}"), "here", None))?;
    let day = t.int_or_zero(r, d)?;
    let day_read = match day {
        _ if day == unknown => {
            if end {
                first.days_in_month()
            } else {
                1
            }
        }
        1..=31 => i8::try_from(day).unwrap_or(1),
        _ => return Err(t.error(t.span(r, d), format!("`{d}` should be a day, not {day}"), "not a day", None)),
    };
    let date = jiff::civil::Date::new(year16, month_read, day_read).map_err(|_| {
        t.error(
            t.span(r, d),
            format!("{year}-{month:02}-{day:02} is not a day that exists"),
            "no such day in that month",
            None,
        )
    })?;
    let part = |v: i64| if v == unknown { "?".to_string() } else { format!("{v:02}") };
    let given = (month == unknown || day == unknown).then(|| format!("{year}-{}-{}", part(month), part(day)));
    Ok((date, given))
}
