//! The sessions shown in the documentation are real: every `$ casus ...` block in README.md and
//! docs/ is run, and its whole output compared with what the page shows. A line that is only `…`
//! marks whole lines the page leaves out (one or more); every other line must be there, in order,
//! and nothing else.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use assert_cmd::Command;

/// The console blocks of a page: the command line after `$ `, and the lines shown after it.
fn sessions(page: &str) -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(page).unwrap();
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line != "```console" {
            continue;
        }
        let mut block: Vec<String> = Vec::new();
        for l in lines.by_ref() {
            if l == "```" {
                break;
            }
            block.push(l.to_string());
        }
        if let Some(cmd) = block.first().and_then(|c| c.strip_prefix("$ casus ")) {
            out.push((cmd.to_string(), block[1..].to_vec()));
        }
    }
    out
}

/// Splits a command line as a shell would, for the quoting the pages use.
fn words(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    for c in cmd.chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ' ') => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            (_, c) => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Whether `real` is what `shown` shows: the same lines, where each `…` line of `shown` stands
/// for one or more whole lines of `real`.
fn shows(shown: &[&str], real: &[&str]) -> bool {
    match shown.split_first() {
        None => real.is_empty(),
        Some((&"…", rest)) => (1..=real.len()).any(|n| shows(rest, &real[n..])),
        Some((line, rest)) => real.first() == Some(line) && shows(rest, &real[1..]),
    }
}

fn check_page(page: &str) {
    let all = sessions(page);
    assert!(!all.is_empty(), "{page} shows no session");
    for (cmd, shown) in all {
        let output = Command::cargo_bin("casus").unwrap().args(words(&cmd)).output().unwrap();
        let mut real = String::from_utf8(output.stdout).unwrap();
        real.push_str(&String::from_utf8(output.stderr).unwrap());
        let real: Vec<&str> = real.lines().collect();
        let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
        assert!(
            shows(&shown, &real),
            "{page}: `casus {cmd}` shows other output\n--- the page shows\n{}\n--- casus prints\n{}",
            shown.join("\n"),
            real.join("\n")
        );
    }
}

#[test]
fn an_ellipsis_stands_for_whole_lines_only() {
    let real = ["a", "b", "c", "d"];
    assert!(shows(&["a", "…", "d"], &real));
    assert!(shows(&["a", "…"], &real));
    assert!(!shows(&["a", "…", "c"], &real), "the lines after an ellipsis are compared too");
    assert!(!shows(&["a", "b"], &real), "a page without an ellipsis shows all of it");
    assert!(!shows(&["a", "…", "b", "c", "d"], &real), "an ellipsis stands for at least one line");
}

#[test]
fn the_readme_sessions_are_real() {
    check_page("README.md");
}

#[test]
fn the_tour_sessions_are_real() {
    check_page("docs/tour.md");
}

#[test]
fn the_reference_pages_sessions_are_real() {
    check_page("docs/scenarios.md");
    check_page("docs/report.md");
    check_page("docs/pictures.md");
}

#[test]
fn the_ci_guide_sessions_are_real() {
    check_page("docs/ci.md");
}

/// The history page's sessions run on the datasets beside the project, in order: the imports
/// write `target/history/`, which the replays read. Without the datasets there they are
/// skipped, unless `CASUS_SHARED_DATA_REQUIRED` is set and `CASUS_SHARED_DATA` does not name
/// another place.
#[test]
fn the_history_sessions_are_real() {
    let data = std::path::Path::new("../shared/data/raw/atop_v4.01/atop-member-level.csv");
    if !data.is_file() {
        // CI that keeps the datasets elsewhere names them with CASUS_SHARED_DATA; the page's
        // commands name them where a clone beside them finds them.
        let elsewhere = std::env::var_os("CASUS_SHARED_DATA").is_some();
        assert!(
            elsewhere || std::env::var_os("CASUS_SHARED_DATA_REQUIRED").is_none(),
            "docs/history.md reads the datasets at ../shared/data/raw, which are not there"
        );
        eprintln!("the datasets are not at ../shared/data/raw: docs/history.md's sessions are skipped");
        return;
    }
    let _ = std::fs::remove_dir_all("target/history");
    check_page("docs/history.md");
}
