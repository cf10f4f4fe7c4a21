//! GitHub Actions workflow commands, which the runner shows as annotations on the lines of a pull
//! request: the one place their escaping is written.

/// One annotation: `::error file=F,line=L,col=C,title=T::message`, or without `file=` when the
/// problem is in no file. The file and the title are escaped as properties (`%`, line breaks,
/// `:` and `,`), the message as data (`%` and line breaks), as the runner reads them.
pub(crate) fn annotation(
    level: &str,
    file: Option<(&str, Option<(usize, usize)>)>,
    title: &str,
    message: &str,
) -> String {
    let place = match file {
        Some((f, Some((line, col)))) => format!("file={},line={line},col={col},", property(f)),
        Some((f, None)) => format!("file={},", property(f)),
        None => String::new(),
    };
    format!("::{level} {place}title={}::{}", property(title), data(message))
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
            annotation("error", Some(("a,b:c.ron", Some((3, 4)))), "casus::date", "50% off\nnext"),
            "::error file=a%2Cb%3Ac.ron,line=3,col=4,title=casus%3A%3Adate::50%25 off%0Anext"
        );
        assert_eq!(annotation("warning", Some(("x.casus", None)), "t", "m"), "::warning file=x.casus,title=t::m");
        assert_eq!(annotation("error", None, "casus::usage", "a: b"), "::error title=casus%3A%3Ausage::a: b");
        assert_eq!(
            annotation("error", Some(("50%\r\n.ron", None)), "t", "m"),
            "::error file=50%25%0D%0A.ron,title=t::m"
        );
    }
}
