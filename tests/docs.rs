//! The sessions shown in the documentation are real: every `$ casus ...` block in README.md and
//! docs/ is run, and its whole output compared with what the page shows. A line that is only `…`
//! marks whole lines the page leaves out (one or more); every other line must be there, in order,
//! and nothing else. `CASUS_BLESS=1 cargo test --test docs` rewrites the sessions without an
//! ellipsis after a deliberate change; review the diff.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use assert_cmd::Command;

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

/// What `casus CMD` prints, standard output then standard error, line by line.
fn run(cmd: &str) -> Vec<String> {
    let output = Command::cargo_bin("casus").unwrap().args(words(cmd)).output().unwrap();
    let mut real = String::from_utf8(output.stdout).unwrap();
    real.push_str(&String::from_utf8(output.stderr).unwrap());
    real.lines().map(str::to_string).collect()
}

/// Runs every `$ casus ...` console block of a page and compares its whole output with what the
/// page shows. With `CASUS_BLESS` set, a block without an ellipsis that shows other output is
/// rewritten with what casus prints (review the diff); a block with one still fails.
fn check_page(page: &str) {
    let bless = std::env::var_os("CASUS_BLESS").is_some();
    let text = std::fs::read_to_string(page).unwrap();
    let mut out: Vec<String> = Vec::new();
    let (mut sessions, mut rewritten) = (0, false);
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        out.push(line.to_string());
        if line != "```console" {
            continue;
        }
        let mut block: Vec<String> = lines.by_ref().take_while(|l| *l != "```").map(str::to_string).collect();
        if let Some(cmd) = block.first().and_then(|c| c.strip_prefix("$ casus ")).map(str::to_string) {
            sessions += 1;
            let real = run(&cmd);
            let shown: Vec<&str> = block[1..].iter().map(String::as_str).collect();
            let real_lines: Vec<&str> = real.iter().map(String::as_str).collect();
            if !shows(&shown, &real_lines) {
                if bless && !shown.contains(&"…") {
                    block.truncate(1);
                    block.extend(real);
                    rewritten = true;
                } else {
                    panic!(
                        "{page}: `casus {cmd}` shows other output\n--- the page shows\n{}\n--- casus prints\n{}",
                        shown.join("\n"),
                        real_lines.join("\n")
                    );
                }
            }
        }
        out.extend(block);
        out.push("```".to_string());
    }
    assert!(sessions > 0, "{page} shows no session");
    if rewritten {
        let mut new = out.join("\n");
        if text.ends_with('\n') {
            new.push('\n');
        }
        std::fs::write(page, new).unwrap();
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
