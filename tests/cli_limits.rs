//! Inputs at the edges of what casus counts: days past the calendar's end, conditions too long to
//! solve, lines too long to draw. Each ends at once with a located message or a correct answer,
//! never a panic or a stack overflow.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::fs;

use assert_cmd::Command;
use predicates::prelude::*;

fn casus() -> Command {
    Command::cargo_bin("casus").unwrap()
}

const LATE_RULES: &str = "action act(with)
treaty t_2020 {
  parties {
    AAA signed 2020-01-01
    BBB signed 2020-01-01
  }
  in force on signature
  article 1 {
    if AAA is party
    then AAA must act(with: BBB) within 1 month
  }
}
";

#[test]
fn a_deadline_past_the_last_day_is_said_to_fall_after_it() {
    // The treaty binds AAA from its signature on 15 December 9999; a month later is past
    // 9999-12-31, the last day a date can be written.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("late.casus"), LATE_RULES).unwrap();
    let scenario = r#"Scenario(title: "late", rules: ["late.casus"], as_of: "9999-12-20",
  events: [Sign(party: "AAA", instrument: "t_2020", on: "9999-12-15")])"#;
    fs::write(dir.path().join("late.ron"), scenario).unwrap();
    let late = dir.path().join("late.ron");
    casus()
        .arg("eval")
        .arg(&late)
        .assert()
        .success()
        .stdout(predicate::str::contains("must act(with: BBB)  — t_2020 art. 1 — due after 9999-12-31, pending"));
    let json: serde_json::Value =
        serde_json::from_slice(&casus().arg("eval").arg(&late).args(["--format", "json"]).output().unwrap().stdout)
            .unwrap();
    assert_eq!(json["norms"][0]["episodes"][0]["due"], "after 9999-12-31");
    casus().arg("explain").arg(&late).args(["--party", "AAA"]).assert().success();
}

#[test]
fn a_withdrawal_that_would_take_effect_past_the_calendar_changes_nothing_within_it() {
    // The DPRK–Russia treaty's withdrawal takes effect a year after notice: notice given on
    // 1 January 9999 takes effect after the last day casus counts.
    casus()
        .args(["eval", "scenarios/kursk_2024.ron", "--as-of", "9999-06-01", "--with"])
        .arg(r#"Withdraw(party: "PRK", instrument: "kp_ru_2024", on: "9999-01-01")"#)
        .assert()
        .success()
        .stdout(predicate::str::contains("Nothing changes."));
}

#[test]
fn a_condition_of_too_many_literals_is_refused_where_the_limit_is_passed() {
    let lits: Vec<String> = (0..15_000).map(|i| format!("f(x: A{i})")).collect();
    let rules = format!(
        "fact f(x)\naction act(with)\ntreaty t_2020 {{\n  parties {{\n    AAA signed 2020-01-01\n  }}\n  in force on signature\n  article 1 {{\n    if {}\n    then AAA must act(with: AAA)\n  }}\n}}\n",
        lits.join(" and ")
    );
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("long.casus"), &rules).unwrap();
    fs::write(
        dir.path().join("long.ron"),
        r#"Scenario(title: "long", rules: ["long.casus"], as_of: "2020-06-01", events: [Fact(kind: "f", args: {"x": "AAA"}, from: "2020-01-01")])"#,
    )
    .unwrap();
    // The 257th literal starts after 256 of `f(x: An) and `: column 3738 of line 9.
    for cmd in ["check", "eval"] {
        let path = dir.path().join(if cmd == "check" { "long.casus" } else { "long.ron" });
        let out = casus().arg(cmd).arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "casus {cmd}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("long.casus:9:3738: error: this condition joins more than 256 literals"), "{err}");
        assert!(err.contains("the line is too long to show"), "{err}");
        assert!(err.len() < 1000, "the line is not drawn: {} bytes", err.len());
    }
}
