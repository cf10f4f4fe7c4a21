//! Golden reports: the JSON report of every bundled scenario, as `casus eval --format json`
//! writes it, pinned in `tests/golden/reports/`.
//!
//! The contract of the report is in docs/report.md; these files pin what the bundled rules and
//! scenarios make of it, so that a change to the engine that changes any answer shows up as a
//! diff to review. `CASUS_BLESS=1 cargo test --test reports` rewrites them after a deliberate
//! change; read the diff before committing it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::fs;
use std::path::Path;

use assert_cmd::Command;

#[test]
fn every_bundled_scenario_reports_as_pinned() {
    let mut scenarios: Vec<_> = fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    scenarios.sort();
    assert!(scenarios.len() >= 13, "only {} scenarios", scenarios.len());
    let bless = std::env::var_os("CASUS_BLESS").is_some();
    let mut failures = Vec::new();
    for s in &scenarios {
        let out = Command::cargo_bin("casus")
            .unwrap()
            .args(["eval", s.to_str().unwrap(), "--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}: {}", s.display(), String::from_utf8_lossy(&out.stderr));
        let json = String::from_utf8(out.stdout).unwrap();
        let golden = Path::new("tests/golden/reports").join(s.file_stem().unwrap()).with_extension("json");
        if bless {
            fs::write(&golden, &json).unwrap();
            continue;
        }
        match fs::read_to_string(&golden) {
            Ok(want) if want == json => {}
            Ok(want) => failures.push(format!(
                "{}: the report differs from {}\n{}",
                s.display(),
                golden.display(),
                first_difference(&want, &json)
            )),
            Err(_) => failures.push(format!("{}: no {}; run with CASUS_BLESS=1", s.display(), golden.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The first line that differs, with its number.
fn first_difference(want: &str, found: &str) -> String {
    let (w, f): (Vec<&str>, Vec<&str>) = (want.lines().collect(), found.lines().collect());
    let n = w.iter().zip(&f).position(|(a, b)| a != b).unwrap_or(w.len().min(f.len()));
    format!("line {}:\n- {}\n+ {}", n + 1, w.get(n).unwrap_or(&"(end)"), f.get(n).unwrap_or(&"(end)"))
}
