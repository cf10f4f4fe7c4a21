//! The sessions shown in the documentation are real: every `$ casus ...` block in README.md and
//! docs/ is run, and its output compared with what the page shows (up to a `…` where the page
//! cuts it short).

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

fn check_page(page: &str) {
    let all = sessions(page);
    assert!(!all.is_empty(), "{page} shows no session");
    for (cmd, shown) in all {
        let output = Command::cargo_bin("casus").unwrap().args(words(&cmd)).output().unwrap();
        let mut real = String::from_utf8(output.stdout).unwrap();
        real.push_str(&String::from_utf8(output.stderr).unwrap());
        let real: Vec<&str> = real.lines().collect();
        // A page may cut a long output short with `…`; otherwise it shows all of it.
        let cut = shown.iter().position(|l| l == "…");
        let shown: Vec<&str> = shown[..cut.unwrap_or(shown.len())].iter().map(String::as_str).collect();
        let real = if cut.is_some() { &real[..shown.len().min(real.len())] } else { &real[..] };
        assert_eq!(shown, real, "{page}: `casus {cmd}` shows other output");
    }
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
}
