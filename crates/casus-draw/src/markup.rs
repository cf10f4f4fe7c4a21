//! Escaping text for HTML, SVG and DOT, and the colours and patterns of each status.

use std::borrow::Cow;

use casus::outcome::Status;

/// Text escaped for an HTML or SVG element's content or a quoted attribute.
pub(crate) fn esc(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Text escaped for a quoted DOT string.
pub(crate) fn dot_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// How a status is drawn: a colour, and a dash pattern and a word so that colour is not the
/// only carrier of its meaning.
pub(crate) struct Look {
    /// The colour of its lines and bars.
    pub colour: &'static str,
    /// An SVG `stroke-dasharray`, empty for a solid line.
    pub dash: &'static str,
    /// The DOT style.
    pub dot_style: &'static str,
    /// The character of a text timeline.
    pub glyph: char,
    /// The word shown beside it.
    pub word: &'static str,
}

/// The look of each status.
pub(crate) fn look(status: Status) -> Look {
    match status {
        Status::Pending => Look { colour: "#b35806", dash: "6 3", dot_style: "dashed", glyph: '-', word: "pending" },
        Status::Fulfilled => Look { colour: "#1b7837", dash: "", dot_style: "solid", glyph: '=', word: "fulfilled" },
        Status::Violated => Look { colour: "#c51b7d", dash: "", dot_style: "bold", glyph: 'X', word: "violated" },
        Status::Discharged => {
            Look { colour: "#6f6f6f", dash: "2 3", dot_style: "dotted", glyph: '.', word: "discharged" }
        }
        Status::Overridden => {
            Look { colour: "#542788", dash: "10 4", dot_style: "dashed", glyph: '/', word: "overridden" }
        }
        Status::InEffect => Look { colour: "#2166ac", dash: "1 4", dot_style: "dotted", glyph: '~', word: "in effect" },
        Status::Permitted => {
            Look { colour: "#4d9221", dash: "4 4", dot_style: "dotted", glyph: '+', word: "permitted" }
        }
    }
}

/// Every status, in the order a legend lists them.
pub(crate) const STATUSES: [Status; 7] = [
    Status::Pending,
    Status::Fulfilled,
    Status::Violated,
    Status::Discharged,
    Status::Overridden,
    Status::InEffect,
    Status::Permitted,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_markup_reads() {
        assert_eq!(esc("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
        assert!(matches!(esc("plain"), Cow::Borrowed(_)));
        assert_eq!(dot_quote("say \"hi\"\\\n"), "\"say \\\"hi\\\"\\\\\\n\"");
    }
}
