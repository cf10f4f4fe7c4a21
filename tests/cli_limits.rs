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
fn a_deadline_past_the_last_day_is_an_error_at_the_rule_that_gives_it() {
    // The treaty binds AAA from its signature on 15 December 9999; a month later is past
    // 9999-12-31, the last day a date can be written, and a report's dates are all
    // `YYYY-MM-DD`: the evaluation says so at the rule, whatever the command.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("late.casus"), LATE_RULES).unwrap();
    let scenario = r#"Scenario(title: "late", rules: ["late.casus"], as_of: "9999-12-20",
  events: [Sign(party: "AAA", instrument: "t_2020", on: "9999-12-15")])"#;
    fs::write(dir.path().join("late.ron"), scenario).unwrap();
    let late = dir.path().join("late.ron");
    let said = "late.casus:9:5: error: the deadline of `AAA must act`, arising on 9999-12-15, falls after 9999-12-31";
    casus().arg("check").arg(&late).args(["--format", "short"]).assert().code(1).stderr(predicate::str::contains(said));
    for args in [&["eval"][..], &["eval", "--format", "json"], &["explain", "--party", "AAA"]] {
        casus()
            .arg(args[0])
            .arg(&late)
            .args(&args[1..])
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("arising on 9999-12-15, falls after 9999-12-31"));
    }
    // Before the signature nothing falls due, and the same rules report as usual.
    casus().arg("eval").arg(&late).args(["--as-of", "9999-12-14"]).assert().success();
}

#[test]
fn a_deadline_past_the_last_day_names_the_duty_that_arose_first() {
    // Every party must act within a month of its signature: both duties fall due after the
    // calendar's end. ZZZ is met first, in the treaty's parties and in the scenario, but MMM
    // signed first: the error names MMM's duty, the first to arise, whatever order the names
    // were met in.
    let dir = tempfile::tempdir().unwrap();
    let rules = "action act(with)
treaty t_2020 {
  parties {
    ZZZ signed 2020-01-01
    MMM signed 2020-01-01
  }
  in force on signature
  article 1 {
    if P is party
    then every party P must act(with: P) within 1 month
  }
}
";
    fs::write(dir.path().join("late.casus"), rules).unwrap();
    let scenario = r#"Scenario(title: "late", rules: ["late.casus"], as_of: "9999-12-20",
  events: [Sign(party: "ZZZ", instrument: "t_2020", on: "9999-12-15"), Sign(party: "MMM", instrument: "t_2020", on: "9999-12-10")])"#;
    fs::write(dir.path().join("late.ron"), scenario).unwrap();
    let said = "the deadline of `MMM must act`, arising on 9999-12-10, falls after 9999-12-31";
    casus()
        .arg("eval")
        .arg(dir.path().join("late.ron"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(said))
        .stderr(predicate::str::contains("ZZZ must act").not());
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

/// The rule library copied into a temporary folder, to add odd files to.
fn library() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("rules")).unwrap();
    for e in fs::read_dir("rules").unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), dir.path().join("rules").join(e.file_name())).unwrap();
    }
    dir
}

#[cfg(unix)]
#[test]
fn a_fifo_is_never_opened_and_a_broken_link_does_not_stop_the_others() {
    let dir = library();
    let rules = dir.path().join("rules");
    let fifo = rules.join("pipe.casus");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    std::os::unix::fs::symlink("nowhere.casus", rules.join("broken.casus")).unwrap();
    let files = fs::read_dir("rules").unwrap().count();
    // The folder: the FIFO is skipped with a warning, the broken link is an error, and every
    // other file is still checked.
    casus()
        .arg("check")
        .arg(&rules)
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("pipe.casus`: it is not a regular file"))
        .stderr(predicate::str::contains("broken.casus"))
        .stderr(predicate::str::contains(format!("{files} files checked: 1 error, 0 warnings")));
    // Named directly, the FIFO is refused, not read.
    casus()
        .arg("check")
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("it is not a regular file"));
}

#[test]
fn files_written_with_any_line_breaks_or_a_byte_order_mark_read_alike() {
    let dir = library();
    let rules = dir.path().join("rules");
    let nato = fs::read_to_string("rules/nato_1949.casus").unwrap();
    let variants = [
        ("crlf", nato.replace('\n', "\r\n").into_bytes()),
        ("cr", nato.replace('\n', "\r").into_bytes()),
        ("bom", [b"\xEF\xBB\xBF".as_slice(), nato.as_bytes()].concat()),
    ];
    let lf = casus().arg("eval").arg("scenarios/nato_area_2025.ron").args(["--format", "json"]).output().unwrap();
    for (name, bytes) in &variants {
        fs::write(rules.join("nato_1949.casus"), bytes).unwrap();
        casus().arg("check").arg(&rules).assert().success();
        // Formatting keeps the file byte for byte: it is in the canonical layout already.
        casus().arg("fmt").arg("--check").arg(rules.join("nato_1949.casus")).assert().success();
        let out = casus()
            .arg("eval")
            .arg("scenarios/nato_area_2025.ron")
            .arg("--rules")
            .arg(&rules)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert_eq!(out.stdout, lf.stdout, "{name}: the rules mean something else");
        // An untidy file is tidied in its own line breaks.
        let untidy = String::from_utf8(bytes.clone()).unwrap().replace("  article 5", "     article 5");
        fs::write(rules.join("nato_1949.casus"), &untidy).unwrap();
        casus().arg("fmt").arg(rules.join("nato_1949.casus")).assert().success();
        assert_eq!(&fs::read(rules.join("nato_1949.casus")).unwrap(), bytes, "{name}");
    }
    // A file that mixes them is written with those most of its lines have.
    let mixed = nato.replacen('\n', "\r\n", 3).replace("  article 5", "     article 5");
    fs::write(rules.join("nato_1949.casus"), mixed).unwrap();
    casus().arg("fmt").arg(rules.join("nato_1949.casus")).assert().success();
    assert_eq!(fs::read_to_string(rules.join("nato_1949.casus")).unwrap(), nato);
}

#[cfg(unix)]
#[test]
fn fmt_writes_through_links_and_keeps_hard_links() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let nato = fs::read_to_string("rules/nato_1949.casus").unwrap();
    let untidy = nato.replace("  article 5", "     article 5");
    let target = dir.path().join("nato.casus");
    fs::write(&target, &untidy).unwrap();
    let link = dir.path().join("link.casus");
    std::os::unix::fs::symlink("nato.casus", &link).unwrap();
    let hard = dir.path().join("hard.casus");
    fs::hard_link(&target, &hard).unwrap();
    casus().arg("fmt").arg(&link).assert().success();
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is still a link");
    assert_eq!(fs::read_to_string(&target).unwrap(), nato);
    assert_eq!(fs::metadata(&target).unwrap().nlink(), 2, "the hard link still shares the file");
    assert_eq!(fs::read_to_string(&hard).unwrap(), nato);
}

#[test]
fn a_party_code_a_rule_file_could_not_write_is_refused_in_a_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = "Scenario(title: \"t\", as_of: \"2020-06-15\",\n  events: [Act(party: \"ÄAA\", action: \"assist\", args: {\"ally\": \"AAA\", \"against\": \"CCC\"}, on: \"2020-06-01\")])\n";
    fs::write(dir.path().join("s.ron"), scenario).unwrap();
    casus()
        .arg("eval")
        .arg(dir.path().join("s.ron"))
        .args(["--rules", "tests/fixtures/pact/rules"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("s.ron:2:23"))
        .stderr(predicate::str::contains("`ÄAA` is not a party code"));
}

#[test]
fn rules_that_go_on_for_ever_spend_the_budget_and_say_which_they_are() {
    // Two rules that feed each other a day later never stop: from one fact on 1 January 0001 to
    // the end of 9999 they would add a fact on each of 3.65 million days.
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("alt.casus"),
        "fact p(x)\nfact q(x)\ndeem q(x: X) after 1 day if p(x: X)\ndeem p(x: X) after 1 day if q(x: X)\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("alt.ron"),
        r#"Scenario(title: "alt", rules: ["alt.casus"], as_of: "9999-12-31", events: [Fact(kind: "p", args: {"x": "a"}, from: "0001-01-01", until: "0001-01-02")])"#,
    )
    .unwrap();
    let scenario = dir.path().join("alt.ron");
    let out = casus().arg("check").arg(&scenario).args(["--format", "short"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("alt.casus:3:1: error: the evaluation stops at"), "{err}");
    assert!(err.contains("it has spent its budget of 200000 steps"), "{err}");
    assert!(err.contains("`deem q(x: X) after 1 day if p(x: X)`, `deem p(x: X) after 1 day if q(x: X)`"), "{err}");
    // A smaller budget stops it sooner; a budget that covers the scenario lets it finish.
    casus()
        .arg("eval")
        .arg(&scenario)
        .args(["--budget", "100"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("it has spent its budget of 100 steps"));
    casus().arg("eval").arg(&scenario).args(["--as-of", "0001-02-01", "--budget", "100"]).assert().success();
    // Twenty facts carried from day to day spend it twenty times as fast: the budget bounds the
    // memory the walk keeps, not only the days.
    let events: Vec<String> = (0..20)
        .map(|i| {
            format!(
                r#"Fact(kind: "p", args: {{"x": "a{i}"}}, from: "0001-01-{:02}", until: "0001-01-{:02}")"#,
                i + 1,
                i + 2
            )
        })
        .collect();
    fs::write(
        dir.path().join("alt20.ron"),
        format!(
            r#"Scenario(title: "alt", rules: ["alt.casus"], as_of: "9999-12-31", events: [{}])"#,
            events.join(", ")
        ),
    )
    .unwrap();
    let out = casus().arg("eval").arg(dir.path().join("alt20.ron")).args(["--budget", "1000"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    let stop = err.split("stops at ").nth(1).unwrap().get(..10).unwrap();
    assert!(stop < "0001-03-01", "twenty facts a day spend 1000 steps within two months, not at {stop}");
}

#[cfg(unix)]
#[test]
fn fmt_keeps_a_file_owned_by_someone_else_theirs() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nato.casus");
    let nato = fs::read_to_string("rules/nato_1949.casus").unwrap();
    fs::write(&file, nato.replace("  article 5", "     article 5")).unwrap();
    // Only the superuser can give a file away; elsewhere there is nothing to keep.
    let given = std::process::Command::new("chown").arg("65534:65534").arg(&file).status();
    if !given.is_ok_and(|s| s.success()) {
        return;
    }
    casus().arg("fmt").arg(&file).assert().success();
    assert_eq!(fs::read_to_string(&file).unwrap(), nato);
    let meta = fs::metadata(&file).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534), "the owner is kept");
}

/// A scenario larger than the default limit is refused unread, with a help that names the flag;
/// `--max-file-size` raises the limit, and the same scenario then evaluates as a small one does.
#[test]
fn a_scenario_past_the_default_limit_is_read_once_the_limit_is_raised() {
    let dir = tempfile::tempdir().unwrap();
    let small = fs::read_to_string("tests/fixtures/pact/scenarios/attack.ron").unwrap();
    // Seventeen MiB of comment lines before the scenario.
    let line = "// a line of commentary that makes the scenario large without changing what it says\n";
    let padding = line.repeat(17 * 1024 * 1024 / line.len() + 1);
    let big = dir.path().join("big.ron");
    fs::write(&big, format!("{padding}{small}")).unwrap();
    let path = big.to_str().unwrap();
    let rules = ["--rules", "tests/fixtures/pact/rules"];
    casus()
        .args(["eval", path])
        .args(rules)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("this file is 17.0 MiB; casus reads files of at most 16 MiB"))
        .stderr(predicate::str::contains("--max-file-size MIB"));
    let want = casus().args(["eval", "tests/fixtures/pact/scenarios/attack.ron", "--format", "json"]).output().unwrap();
    assert!(want.status.success());
    let got = casus().args(["--max-file-size", "20", "eval", path, "--format", "json"]).args(rules).output().unwrap();
    assert!(got.status.success(), "{}", String::from_utf8_lossy(&got.stderr));
    assert_eq!(String::from_utf8(got.stdout).unwrap(), String::from_utf8(want.stdout).unwrap());
    casus().args(["--max-file-size", "0", "check", path]).assert().code(2);
}
