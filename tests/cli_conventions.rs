//! The command line keeps the conventions a user of `opa` or `cedar` relies on: it never
//! crashes on a closed pipe, never accepts a name no rule knows, reads each file once, never
//! passes a run that tested nothing, says where a moved scenario's rules went, reads standard
//! input, and prints for CI systems, terminals and people alike. Each test runs the real binary.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::Stdio;

use assert_cmd::Command;
use predicates::prelude::*;

fn casus() -> Command {
    Command::cargo_bin("casus").unwrap()
}

fn stdout(cmd: &mut Command) -> String {
    String::from_utf8(cmd.output().unwrap().stdout).unwrap()
}

/// casus started with its standard output and error piped.
fn spawn(args: &[&str]) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("casus"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for casus: its exit code and standard error.
fn finish(mut child: std::process::Child) -> (Option<i32>, String) {
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    (child.wait().unwrap().code(), err)
}

/// Runs casus with its standard output a pipe whose reader has already gone, as after
/// `| head -0`, and returns the exit code and standard error.
fn into_closed_pipe(args: &[&str]) -> (Option<i32>, String) {
    let mut child = spawn(args);
    // The reader goes before casus has loaded its rules, so its first write meets a closed pipe.
    drop(child.stdout.take());
    finish(child)
}

/// Runs casus with its output read one line and then closed, as `| head -1` does.
fn into_head(args: &[&str]) -> (Option<i32>, String, String) {
    let mut child = spawn(args);
    let mut out = child.stdout.take().unwrap();
    let mut first = Vec::new();
    let mut byte = [0u8; 1];
    while out.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
        first.push(byte[0]);
    }
    drop(out);
    let (code, err) = finish(child);
    (code, String::from_utf8(first).unwrap(), err)
}

#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let untidy = dir.path().join("nato.casus");
    let nato = fs::read_to_string("rules/nato_1949.casus").unwrap();
    fs::write(&untidy, nato.replace("\n  article 5", "\n     article 5")).unwrap();
    let untidy = untidy.to_str().unwrap();
    let with = r#"Act(party: "PRK", action: "supply", args: {"item": "arms", "to": "RUS"}, from: "2024-05-01")"#;
    let commands: Vec<(Vec<&str>, i32)> = vec![
        (vec!["explain", "scenarios/kursk_2024.ron", "--party", "PRK"], 0),
        (vec!["explain", "scenarios/kursk_2024.ron", "--party", "PRK", "--format", "json"], 0),
        (vec!["test"], 0),
        (vec!["test", "-v", "--coverage"], 0),
        (vec!["test", "--format", "json"], 0),
        (vec!["diff", "scenarios/kursk_2024.ron", "scenarios/dprk_arms_2024.ron"], 0),
        (vec!["eval", "scenarios/kursk_2024.ron", "--all"], 0),
        (vec!["eval", "scenarios/kursk_2024.ron", "--format", "json"], 0),
        (vec!["eval", "scenarios/us_strike_dprk_whatif.ron", "--with", with], 0),
        (vec!["check", "rules/", "scenarios/", "--format", "sarif"], 0),
        (vec!["fmt", "--diff", untidy], 1),
        (vec!["fmt", "--check", untidy], 1),
        (vec!["completions", "bash"], 0),
        (vec!["--help"], 0),
    ];
    for (args, code) in &commands {
        let (got, err) = into_closed_pipe(args);
        assert!(!err.contains("panicked"), "casus {args:?} panicked on a closed pipe: {err}");
        assert_eq!(got, Some(*code), "casus {args:?}: {err}");
        let (got, first, err) = into_head(args);
        assert!(!err.contains("panicked"), "casus {args:?} | head -1 panicked: {err}");
        assert_eq!(got, Some(*code), "casus {args:?} | head -1: {err}");
        assert!(!first.is_empty(), "casus {args:?} printed nothing");
    }
}

#[test]
fn a_what_if_says_when_a_prohibition_is_broken_not_when_it_began() {
    // UNSCR 1718 para. 8(b) forbids the DPRK's exports of the Register's arms from 14 October
    // 2006; a shipment of artillery shells, within them, from 1 May 2024 breaks it from that day.
    let with =
        r#"Act(party: "PRK", action: "supply", args: {"item": "artillery_shells", "to": "RUS"}, from: "2024-05-01")"#;
    let text = stdout(casus().args(["eval", "scenarios/us_strike_dprk_whatif.ron", "--with", with]));
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("~ must not supply(item: register_arms) — unsc_1718 art. 8(b) — in effect since 2006-10-14 → violated since 2024-05-01"),
        "{text}"
    );
    assert!(
        flat.contains("+ PRK supply(item: artillery_shells, to: RUS) — unsc_1718 art. 8(b) — since 2024-05-01"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(casus().args([
        "eval",
        "scenarios/us_strike_dprk_whatif.ron",
        "--with",
        with,
        "--format",
        "json",
    ])))
    .unwrap();
    let norm = json["changes"].as_array().unwrap().iter().find(|c| c["action"] == "supply").unwrap();
    assert_eq!(
        (norm["before"]["status"].as_str(), norm["after"]["status"].as_str()),
        (Some("in_effect"), Some("violated"))
    );
    assert_eq!(norm["after"]["since"], "2024-05-01");
    let violation = &json["violations"][0];
    assert_eq!(
        (violation["change"].as_str(), violation["after"][0]["on"].as_str()),
        (Some("appears"), Some("2024-05-01"))
    );
}

#[test]
fn diff_reports_conflicts_violations_and_instruments_that_change() {
    // Without the attack on Kursk, the DPRK–Russia treaty's art. 4 never falls due: its three
    // conflicts — with the UN Charter, UNSCR 1718 and UNSCR 1874 — disappear with it.
    let dir = tempfile::tempdir().unwrap();
    let kursk = fs::read_to_string("scenarios/kursk_2024.ron").unwrap();
    let start = kursk.find("Fact(kind: \"armed_attack\"").unwrap();
    let end = start + kursk[start..].find("source: \"news reports\"),").unwrap() + "source: \"news reports\"),".len();
    let quiet = format!("{}{}", &kursk[..start], &kursk[end..]).replace("rules: [\"../rules\"]", "rules: [\"RULES\"]");
    let rules = fs::canonicalize("rules").unwrap();
    fs::write(dir.path().join("quiet.ron"), quiet.replace("RULES", rules.to_str().unwrap())).unwrap();
    let out = stdout(casus().args([
        "diff",
        dir.path().join("quiet.ron").to_str().unwrap(),
        "scenarios/kursk_2024.ron",
        "--format",
        "json",
    ]));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let conflicts = json["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 3, "{json:#}");
    assert!(conflicts.iter().all(|c| c["change"] == "appears" && c["after"][0]["from"] == "2024-12-04"));
    let prohibitions: Vec<&str> = conflicts.iter().map(|c| c["prohibition"]["instrument"].as_str().unwrap()).collect();
    assert_eq!(prohibitions, ["un_charter", "unsc_1718", "unsc_1874"]);
    // Withdrawing from the treaty ends its binding force for the one who withdrew: the diff
    // names the instrument and the party.
    let out = stdout(casus().args(["diff", "scenarios/kursk_2024.ron", "scenarios/kp_ru_withdrawal_whatif.ron"]));
    assert!(out.contains("Instruments\n"), "{out}");
    assert!(out.contains("~ kp_ru_2024 binds"), "{out}");
}

#[test]
fn names_no_rule_knows_are_refused_with_a_suggestion() {
    let kursk = "scenarios/kursk_2024.ron";
    let refused: [(&[&str], &str); 6] = [
        (&["explain", kursk, "--party", "QQQ"], "--party names no party `QQQ`"),
        (&["explain", kursk, "--party", "prk"], "did you mean `PRK`?"),
        (&["explain", kursk, "--party", "PRK", "--action", "fly"], "--action names no action `fly`"),
        (&["explain", kursk, "--party", "PRK", "--action", "fly"], "`assist_militarily`"),
        (&["eval", kursk, "--instrument", "kp_ru_2025"], "did you mean `kp_ru_2024`?"),
        // An old code that the rules write otherwise is named for what it is.
        (
            &["eval", "tests/fixtures/pact/scenarios/attack.ron", "--party", "ZZZ"],
            "`ZZZ` is written `AAA` in these rules",
        ),
    ];
    for (args, said) in refused {
        casus().args(args).assert().code(1).stdout("").stderr(predicate::str::contains(said));
    }
}

#[test]
fn filters_keep_the_party_instrument_and_action_asked_for() {
    let json: serde_json::Value = serde_json::from_str(&stdout(casus().args([
        "eval",
        "scenarios/kursk_2024.ron",
        "--party",
        "RUS",
        "--instrument",
        "unsc_1718",
        "--format",
        "json",
    ])))
    .unwrap();
    let norms = json["norms"].as_array().unwrap();
    assert!(!norms.is_empty());
    assert!(norms.iter().all(|n| n["party"] == "RUS" && n["instrument"] == "unsc_1718"), "{json:#}");
    let violations = json["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 1, "only Russia's procurement, not the DPRK's supply: {json:#}");
    assert_eq!(violations[0]["action"], "procure");
    assert_eq!(json["instruments"].as_array().unwrap().len(), 1);
    let explained: serde_json::Value = serde_json::from_str(&stdout(casus().args([
        "explain",
        "scenarios/kursk_2024.ron",
        "--party",
        "PRK",
        "--instrument",
        "kp_ru_2024",
        "--format",
        "json",
    ])))
    .unwrap();
    let norms = explained["norms"].as_array().unwrap();
    assert_eq!(norms.len(), 1, "{explained:#}");
    assert_eq!(norms[0]["article"], "4");
    assert_eq!(norms[0]["status"], "fulfilled");
    assert_eq!(norms[0]["bindings"], serde_json::json!([["A", "UKR"], ["V", "RUS"], ["P", "PRK"]]));
    assert!(
        norms[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("In the event that one of the sides comes under an armed attack")
    );
}

/// A filtered report is the whole report with what the filters leave out taken away, and nothing
/// else changed: the same entries, in the same order. The DPRK's norms in the Kursk scenario come
/// from several instruments (the treaty with Russia, resolutions 1718 and 2270), and its
/// conflicts and violations are among the others'.
#[test]
fn a_filtered_report_is_the_whole_report_less_what_the_filters_leave_out() {
    let report = |extra: &[&str]| -> serde_json::Value {
        let mut cmd = casus();
        cmd.args(["eval", "scenarios/kursk_2024.ron", "--format", "json"]).args(extra);
        serde_json::from_str(&stdout(&mut cmd)).unwrap()
    };
    let whole = report(&[]);
    let keep = |field: &str, by: &dyn Fn(&serde_json::Value) -> bool| -> Vec<serde_json::Value> {
        whole[field].as_array().unwrap().iter().filter(|x| by(x)).cloned().collect()
    };
    let prk = report(&["--party", "PRK"]);
    let norms = keep("norms", &|n| n["party"] == "PRK");
    let instruments: std::collections::BTreeSet<&str> =
        norms.iter().map(|n| n["instrument"].as_str().unwrap()).collect();
    assert!(instruments.len() > 1, "{instruments:?}");
    assert!(norms.len() < whole["norms"].as_array().unwrap().len());
    assert_eq!(prk["norms"], serde_json::Value::Array(norms));
    assert_eq!(prk["conflicts"], serde_json::Value::Array(keep("conflicts", &|c| c["party"] == "PRK")));
    assert_eq!(prk["violations"], serde_json::Value::Array(keep("violations", &|v| v["party"] == "PRK")));
    assert!(!prk["violations"].as_array().unwrap().is_empty());
    let by_action = report(&["--action", "assist_militarily", "--instrument", "kp_ru_2024"]);
    let norms = keep("norms", &|n| n["action"] == "assist_militarily" && n["instrument"] == "kp_ru_2024");
    assert!(!norms.is_empty());
    assert_eq!(by_action["norms"], serde_json::Value::Array(norms));
    assert_eq!(by_action["scenario"], whole["scenario"]);
}

#[test]
fn explain_as_json_gives_the_reasons_the_text_gives() {
    let args = ["explain", "scenarios/kursk_2024.ron", "--party", "PRK", "--as-of", "2024-11-01"];
    let text = stdout(casus().args(args));
    let json: serde_json::Value = serde_json::from_str(&stdout(casus().args(args).args(["--format", "json"]))).unwrap();
    let why_not = json["why_not"].as_array().unwrap();
    assert!(!why_not.is_empty());
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for w in why_not {
        let line = format!("{}: {}", w["rule"].as_str().unwrap(), w["reason"].as_str().unwrap());
        let line: String = line.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&line), "`{line}` is not in the text:\n{text}");
    }
    // Before 4 December 2024 the DPRK–Russia treaty is not in force: the first reason.
    let kp = why_not.iter().find(|w| w["instrument"] == "kp_ru_2024").unwrap();
    assert!(kp["reason"].as_str().unwrap().starts_with("kp_ru_2024 is not in force on 2024-11-01"));
}

#[test]
fn a_file_named_twice_is_read_once() {
    casus()
        .args(["check", "rules/", "rules/kp_ru_2024.casus", "rules/../rules/kp_ru_2024.casus"])
        .assert()
        .success()
        .stderr(predicate::str::contains("0 errors"))
        .stderr(predicate::str::contains("duplicate").not());
    let alone = stdout(casus().args(["test", "scenarios/"]));
    let twice = stdout(casus().args(["test", "scenarios/kursk_2024.ron", "scenarios/"]));
    assert_eq!(alone.lines().last(), twice.lines().last());
}

#[cfg(unix)]
#[test]
fn a_link_round_a_loop_is_skipped_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    fs::create_dir(&rules).unwrap();
    for e in fs::read_dir("rules").unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), rules.join(e.file_name())).unwrap();
    }
    std::os::unix::fs::symlink("..", rules.join("up")).unwrap();
    std::os::unix::fs::symlink(".", rules.join("here")).unwrap();
    let files = fs::read_dir("rules").unwrap().count();
    casus()
        .arg("check")
        .arg(&rules)
        .assert()
        .success()
        .stderr(predicate::str::contains(format!("{files} files checked: 0 errors, 0 warnings")))
        .stderr(predicate::str::contains("round a loop"));
}

#[test]
fn a_run_that_finds_nothing_to_test_fails() {
    let dir = tempfile::tempdir().unwrap();
    casus()
        .arg("test")
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("passed").not())
        .stderr(predicate::str::contains("no `*.ron` file in"));
    casus()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no `*.casus` or `*.ron` file"));
    casus()
        .args(["test", "--filter", "no such scenario"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no scenario matches"));
}

/// The pact fixture's attack scenario copied alone into a temporary folder, away from its rules.
fn moved() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::copy("tests/fixtures/pact/scenarios/attack.ron", dir.path().join("attack.ron")).unwrap();
    dir
}

#[test]
fn a_moved_scenario_says_where_its_rules_were_looked_for_and_how_to_name_them() {
    let dir = moved();
    let scenario = dir.path().join("attack.ron");
    for cmd in ["eval", "test"] {
        let out = casus().arg(cmd).arg(&scenario).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "casus {cmd}");
        // `eval` says it on standard error; `test` reports each scenario on standard output.
        let said = [out.stdout, out.stderr].concat();
        let said = String::from_utf8(said).unwrap();
        for part in [
            "cannot read the rules `../rules`",
            "attack.ron:3:13",
            "relative to the scenario's own folder",
            "--rules PATH",
        ] {
            assert!(said.contains(part), "casus {cmd}: `{part}` is not in:\n{said}");
        }
    }
    casus().arg("eval").arg(&scenario).args(["--rules", "tests/fixtures/pact/rules"]).assert().success();
    casus()
        .arg("test")
        .arg(dir.path())
        .args(["--rules", "tests/fixtures/pact/rules"])
        .assert()
        .success()
        .stdout(predicate::str::ends_with("passed, 0 failed\n"));
}

#[test]
fn a_dash_reads_standard_input() {
    let attack = fs::read("tests/fixtures/pact/scenarios/attack.ron").unwrap();
    casus()
        .args(["eval", "-", "--rules", "tests/fixtures/pact/rules"])
        .write_stdin(attack.clone())
        .assert()
        .success()
        .stdout(predicate::str::contains("must assist(ally: AAA, against: CCC)"));
    casus()
        .args(["test", "-", "--rules", "tests/fixtures/pact/rules"])
        .write_stdin(attack)
        .assert()
        .success()
        .stdout(predicate::str::contains("0 failed"));
    let rules = fs::read_to_string("rules/nato_1949.casus").unwrap();
    casus()
        .args(["fmt", "-"])
        .write_stdin(rules.replace("\n  article 5", "\n     article 5"))
        .assert()
        .success()
        .stdout(rules.clone());
    casus()
        .args(["check", "-"])
        .write_stdin("treaty t_2020 {\n  in force on 2020-02-30\n}\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("<stdin>:2:15"));
}

#[test]
fn check_short_puts_a_scenario_error_on_one_line() {
    let dir = moved();
    let out = casus().arg("check").arg(dir.path()).args(["--format", "short"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    let name = dir.path().join("attack.ron");
    assert!(err.starts_with(&format!("{}:3:13: error: cannot read the rules `../rules`", name.display())), "{err}");
    assert!(!err.contains('╭') && !err.contains("help:"), "{err}");
    assert_eq!(err.lines().count(), 2, "one line for the problem, one for the count: {err}");
}

#[test]
fn github_annotations_escape_and_normalise_their_paths() {
    let dir = tempfile::tempdir().unwrap();
    for d in ["sc2", "rules_bad"] {
        fs::create_dir(dir.path().join(d)).unwrap();
    }
    // A scenario in `sc2/` whose rules are in `rules_bad/`, next to it.
    let run = |date: &str, expect: &str| {
        fs::write(dir.path().join("rules_bad/x.casus"), format!("treaty t_2020 {{\n  in force on {date}\n}}\n"))
            .unwrap();
        let scenario =
            format!("Scenario(title: \"t\", rules: [\"../rules_bad\"], as_of: \"2020-06-15\", expect: [{expect}])\n");
        fs::write(dir.path().join("sc2/a,b.ron"), scenario).unwrap();
        stdout(casus().current_dir(dir.path()).args(["test", "sc2", "--format", "github"]))
    };
    let out = run("2020-02-30", "");
    assert!(out.contains("::error file=rules_bad/x.casus,line=2,col=15,title=casus%3A%3Adate::"), "{out}");
    assert!(!out.contains(".."), "{out}");
    let out = run("2020-02-20", "InForce(instrument: \"t_2020\", on: \"2020-01-01\")");
    assert!(out.starts_with("::error file=sc2/a%2Cb.ron,line=1,col="), "{out}");
}

#[test]
fn sarif_logs_carry_each_problem_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.casus");
    fs::write(&file, "treaty t_2020 {\n  in force on 2020-02-30\n}\n").unwrap();
    let out = casus().arg("check").arg(&file).args(["--format", "sarif"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "casus::date");
    assert_eq!(result["level"], "error");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!((region["startLine"].as_u64(), region["startColumn"].as_u64()), (Some(2), Some(15)));
    assert_eq!(log["runs"][0]["tool"]["driver"]["rules"][0]["id"], "casus::date");
    // A failed expectation of `casus test` is a result too, at its line.
    let suite = tempfile::tempdir().unwrap();
    fs::create_dir(suite.path().join("s")).unwrap();
    let rules = fs::canonicalize("tests/fixtures/pact/rules").unwrap();
    fs::write(
        suite.path().join("s/wrong.ron"),
        format!(
            "Scenario(\n  title: \"t\",\n  rules: [{:?}],\n  as_of: \"2020-06-15\",\n  expect: [\n    InForce(instrument: \"pact_2020\", on: \"2020-03-14\"),\n  ],\n)\n",
            rules.to_str().unwrap()
        ),
    )
    .unwrap();
    let out = casus().arg("test").arg(suite.path().join("s")).args(["--format", "sarif"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "casus::expectation");
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 6);
}

#[test]
fn coverage_names_the_article_no_scenario_triggers() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["rules", "scenarios"] {
        fs::create_dir(dir.path().join(sub)).unwrap();
        for e in fs::read_dir(Path::new("tests/fixtures/pact").join(sub)).unwrap() {
            let e = e.unwrap();
            fs::copy(e.path(), dir.path().join(sub).join(e.file_name())).unwrap();
        }
    }
    // A second article, on threats, which no scenario's events ever make fire.
    let pact = dir.path().join("rules/pact.casus");
    let text =
        fs::read_to_string(&pact).unwrap().replace("fact armed_attack", "fact threat(by, on)\nfact armed_attack");
    let at = text.rfind('}').unwrap();
    let text = format!(
        "{}\n  article 2 \"Consultation\" {{\n    text \"The Parties shall consult when either is threatened.\"\n    if threat(by: A, on: V) and V is party\n    then every party P other than V must consult(with: V, about: A)\n  }}\n}}\n",
        &text[..at]
    );
    fs::write(&pact, text).unwrap();
    let out = stdout(casus().arg("test").arg(dir.path().join("scenarios")).arg("--coverage"));
    assert!(out.contains("Coverage: 1 of 2 rules (50%) and 1 of 2 articles (50%) triggered by a scenario"), "{out}");
    assert!(out.contains("Articles no scenario triggered:\n  pact_2020 art. 2\n"), "{out}");
    assert!(out.contains("pact.casus:"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(casus().arg("test").arg(dir.path().join("scenarios")).args([
            "--coverage",
            "--format",
            "json",
        ])))
        .unwrap();
    assert_eq!(json["coverage"]["untriggered_articles"], serde_json::json!([["pact_2020", "2"]]));
    assert_eq!(json["coverage"]["untriggered_rules"][0]["kind"], "norm");
    assert_eq!(json["failed"], 0);
}

#[test]
fn test_filter_and_verbose_show_the_expectations_asked_for() {
    let out = stdout(casus().args(["test", "--filter", "kursk_2024", "-v"]));
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() > 2, "{out}");
    assert!(
        lines[..lines.len() - 1].iter().all(|l| l.starts_with("scenarios/kursk_2024.ron:") && l.contains(": ok: ")),
        "{out}"
    );
    let ok = lines.len() - 1;
    assert_eq!(lines.last().copied(), Some(format!("{ok} passed, 0 failed").as_str()));
}

#[test]
fn fmt_diff_shows_the_differences_as_a_unified_diff() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nato.casus");
    let rules = fs::read_to_string("rules/nato_1949.casus").unwrap();
    fs::write(&file, rules.replace("\n  article 5", "\n     article 5")).unwrap();
    let out = casus().arg("fmt").arg("--diff").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(
        diff.contains("\n-     article 5 \"Collective defence\" {\n+  article 5 \"Collective defence\" {\n"),
        "{diff}"
    );
    assert!(diff.starts_with("--- "), "{diff}");
    // `--diff` changes nothing.
    assert_ne!(fs::read_to_string(&file).unwrap(), rules);
}

#[test]
fn colour_follows_the_flag_and_the_environment() {
    let bad = tempfile::tempdir().unwrap();
    let file = bad.path().join("bad.casus");
    fs::write(&file, "treaty t_2020 {\n  in force on 2020-02-30\n}\n").unwrap();
    let err = |cmd: &mut Command| String::from_utf8(cmd.output().unwrap().stderr).unwrap();
    assert!(err(casus().arg("--color").arg("always").arg("check").arg(&file)).contains("\u{1b}["));
    assert!(!err(casus().arg("check").arg(&file)).contains("\u{1b}["), "a pipe is not coloured");
    assert!(err(casus().env("CLICOLOR_FORCE", "1").arg("check").arg(&file)).contains("\u{1b}["));
    assert!(!err(casus().env("NO_COLOR", "1").args(["--color", "auto"]).arg("check").arg(&file)).contains("\u{1b}["));
    let out = stdout(casus().args(["--color", "always", "eval", "scenarios/kursk_2024.ron"]));
    assert!(out.contains("\u{1b}["), "{out}");
}

#[test]
fn text_for_people_fits_the_width_and_names_statuses_in_words() {
    for args in [
        &["eval", "scenarios/kursk_2024.ron", "--all"][..],
        &["explain", "scenarios/kursk_2024.ron", "--party", "PRK"],
        &["eval", "scenarios/kursk_2024.ron", "--without-instrument", "kp_ru_2024"],
    ] {
        let out = stdout(casus().args(args));
        for line in out.lines() {
            // A line is wrapped at spaces; one word longer than the width stays whole.
            let longest_word = line.split(' ').map(|w| w.chars().count()).max().unwrap_or(0);
            assert!(line.chars().count() <= 100 || longest_word > 60, "casus {args:?}: {line}");
        }
        assert!(!out.contains("in_effect"), "casus {args:?}");
    }
    let out = stdout(casus().args(["eval", "scenarios/kursk_2024.ron", "--all"]));
    assert!(out.contains("— in effect\n"), "{out}");
}

#[test]
fn completions_version_and_exit_codes() {
    casus().args(["completions", "bash"]).assert().success().stdout(predicate::str::contains("_casus()"));
    casus().args(["completions", "fish"]).assert().success().stdout(predicate::str::contains("complete -c casus"));
    casus().args(["completions", "zsh"]).assert().success().stdout(predicate::str::contains("#compdef casus"));
    casus()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(format!("casus {}", env!("CARGO_PKG_VERSION"))));
    // A command line that cannot be parsed is a usage error: 2, as the README says.
    casus().args(["eval", "--bogus"]).assert().code(2);
    casus().args(["check"]).assert().code(2);
    let readme = fs::read_to_string("README.md").unwrap();
    assert!(readme.contains("| 2 | a usage error"), "the README documents exit code 2");
}

#[test]
fn a_rule_set_without_party_declarations_knows_the_parties_its_instruments_name() {
    let dir = tempfile::tempdir().unwrap();
    casus()
        .args(["synth", "--states", "20", "--treaties", "30", "--events", "50", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let scenario = dir.path().join("scenario.ron");
    casus().arg("explain").arg(&scenario).args(["--party", "AAP"]).assert().success();
    casus()
        .arg("eval")
        .arg(&scenario)
        .args(["--party", "ZZZZ"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("the rules' parties are `AAA`"));
}

/// A write that fails is exit 1 with its reason, whether the output is text, or a JSON report
/// written by a thread of its own: larger than a block (Kursk's, 4.7 MB), the error met while
/// the report is still being formatted, or smaller (July 1914's), met only at the last flush.
#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_is_an_error_not_a_success() {
    let commands: [&[&str]; 3] = [
        &["eval", "scenarios/kursk_2024.ron"],
        &["eval", "scenarios/kursk_2024.ron", "--format", "json"],
        &["eval", "scenarios/july_1914.ron", "--format", "json"],
    ];
    for args in commands {
        let full = fs::File::create("/dev/full").unwrap();
        let out =
            std::process::Command::new(assert_cmd::cargo::cargo_bin("casus")).args(args).stdout(full).output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "casus {args:?}: {err}");
        assert!(err.contains("cannot write the output: no space left on device"), "casus {args:?}: {err}");
        assert!(!err.contains("panicked"), "casus {args:?}: {err}");
    }
}
