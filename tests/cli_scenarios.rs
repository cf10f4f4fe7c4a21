//! The command line on scenarios: `casus eval`, `explain`, `test` and `diff`, run as a user would.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

const PACT: &str = "tests/fixtures/pact";

fn casus() -> Command {
    Command::cargo_bin("casus").unwrap()
}

/// A copy of the pact fixture in a temporary folder, to add scenarios to.
fn suite() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["rules", "scenarios"] {
        fs::create_dir(dir.path().join(sub)).unwrap();
        for e in fs::read_dir(Path::new(PACT).join(sub)).unwrap() {
            let e = e.unwrap();
            fs::copy(e.path(), dir.path().join(sub).join(e.file_name())).unwrap();
        }
    }
    dir
}

/// Text for people wraps at 100 columns when piped; this joins wrapped lines back into one, so
/// that a test can look for a whole sentence.
fn flat(text: &[u8]) -> String {
    String::from_utf8_lossy(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a command that succeeds prints.
fn succeeds(args: &[&str]) -> Vec<u8> {
    casus().args(args).assert().success().get_output().stdout.clone()
}

/// Asserts that `wanted` is in the output, whatever its line breaks.
fn says(output: &[u8], wanted: &str) {
    let (all, wanted) = (flat(output), flat(wanted.as_bytes()));
    assert!(all.contains(&wanted), "`{wanted}` is not in:\n{}", String::from_utf8_lossy(output));
}

/// A bundled scenario with `from` changed to `to`, written to a temporary folder with its rules
/// named by their absolute path: the folder, and the scenario's path.
fn bundled_changed(name: &str, from: &str, to: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let rules = fs::canonicalize("rules").unwrap();
    let text = fs::read_to_string(Path::new("scenarios").join(name)).unwrap();
    assert!(text.contains(from), "{name} no longer says {from}");
    let text = text.replace("\"../rules\"", &format!("{:?}", rules.to_str().unwrap())).replace(from, to);
    let file = dir.path().join(name);
    fs::write(&file, text).unwrap();
    let file = file.to_str().unwrap().to_string();
    (dir, file)
}

fn path(dir: &tempfile::TempDir, rel: &str) -> String {
    dir.path().join(rel).to_str().unwrap().to_string()
}

#[test]
fn a_passing_suite_exits_0_and_counts_expectations() {
    casus().args(["test", "tests/fixtures/pact/scenarios"]).assert().success().stdout("7 passed, 0 failed\n");
}

#[test]
fn the_bundled_scenarios_pass() {
    casus().args(["test", "scenarios/"]).assert().success().stdout(predicate::str::ends_with(" 0 failed\n"));
}

#[test]
fn a_wrong_expectation_exits_1_and_names_its_line_and_what_was_found() {
    let dir = suite();
    // The pact gives thirty days, so the duty is due on 1 July, not on the day of the attack.
    let wrong = fs::read_to_string(dir.path().join("scenarios/attack.ron"))
        .unwrap()
        .replace("due: \"2020-07-01\"", "due: \"2020-06-01\"");
    fs::write(dir.path().join("scenarios/attack.ron"), wrong).unwrap();
    let file = path(&dir, "scenarios/attack.ron");
    casus()
        .args(["test", &path(&dir, "scenarios")])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "{file}:11:9: expected `BBB` must assist(against: CCC, ally: AAA) due 2020-06-01, pending"
        )))
        .stdout(predicate::str::contains(
            "found nearest: BBB must assist(ally: AAA, against: CCC) under pact_2020 art. 1 due 2020-07-01, pending",
        ))
        .stdout(predicate::str::ends_with("6 passed, 1 failed\n"));
}

#[test]
fn a_wrong_cap_expectation_names_the_act_beyond_the_cap_that_was_found() {
    // 2024's allowance under UNSCR 2397 para. 5 is 500,000 barrels; January to April make
    // 535,000, so April's shipment lies 35,000 barrels beyond the cap, not 30,000.
    let (_dir, file) = bundled_changed("dprk_petroleum_2024.ron", "excess: 35000, total: 535000", "excess: 30000");
    let output = casus().args(["test", &file]).assert().code(1).get_output().stdout.clone();
    says(
        &output,
        "expected an act of `RUS` beyond a cap under `unsc_2397` art. 5, shipped 2024-04-02, 30000 beyond it by \
         2024-06-30; found only: unsc_2397 art. 5 shipped 2024-04-02, total 535000",
    );
    says(&output, "1 failed");
}

#[test]
fn an_item_misspelt_in_a_scenario_is_named_with_the_item_meant() {
    // A shipment of `balistic_missiles` falls under no ban on `register_arms`: the library's
    // categories list `ballistic_missiles`, and the scenario is warned, not refused.
    let (_dir, file) =
        bundled_changed("dprk_arms_2024.ron", "\"item\": \"ballistic_missiles\"", "\"item\": \"balistic_missiles\"");
    let output = casus().args(["check", &file]).assert().success().get_output().stderr.clone();
    says(&output, "no rule or category names `balistic_missiles`");
    says(&output, "did you mean `ballistic_missiles`?");
    says(&output, "0 errors, 1 warning");
}

#[test]
fn a_scenario_that_cannot_be_parsed_fails_and_the_others_still_run() {
    let dir = suite();
    fs::write(dir.path().join("scenarios/broken.ron"), "Scenario(title: \"cut short\", as_of: \"2020-").unwrap();
    casus()
        .args(["test", &path(&dir, "scenarios")])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("broken.ron: error: the scenario could not be evaluated"))
        .stdout(predicate::str::contains("broken.ron:1:"))
        .stdout(predicate::str::ends_with("7 passed, 1 failed\n"));
}

#[test]
fn junit_is_well_formed_xml_with_the_right_counts() {
    let dir = suite();
    let wrong = fs::read_to_string(dir.path().join("scenarios/quiet.ron"))
        .unwrap()
        .replace("Norm(party: \"BBB\", absent: true)", "Norm(party: \"BBB\")");
    fs::write(dir.path().join("scenarios/quiet.ron"), wrong).unwrap();
    let xml_path = dir.path().join("junit.xml");
    casus().args(["test", &path(&dir, "scenarios"), "--junit", xml_path.to_str().unwrap()]).assert().code(1);
    let xml = fs::read_to_string(&xml_path).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut suites, mut cases, mut failures) = (0, 0, 0);
    let mut root = None;
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                match name.as_str() {
                    "testsuites" => {
                        root = Some(
                            e.attributes()
                                .map(|a| a.unwrap())
                                .find(|a| a.key.as_ref() == b"tests")
                                .map(|a| String::from_utf8(a.value.to_vec()).unwrap()),
                        )
                    }
                    "testsuite" => suites += 1,
                    "testcase" => cases += 1,
                    "failure" => failures += 1,
                    _ => {}
                }
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!((suites, cases, failures), (2, 7, 1));
    assert_eq!(root.flatten().as_deref(), Some("7"));
}

#[test]
fn github_format_annotates_the_failing_line() {
    let dir = suite();
    let wrong = fs::read_to_string(dir.path().join("scenarios/quiet.ron"))
        .unwrap()
        .replace("Bound(party: \"BBB\"", "Bound(party: \"CCC\"");
    fs::write(dir.path().join("scenarios/quiet.ron"), wrong).unwrap();
    casus().args(["test", &path(&dir, "scenarios"), "--format", "github"]).assert().code(1).stdout(
        predicate::str::contains(format!(
            "::error file={},line=7,col=9,title=casus%3A%3Aexpectation::expected `pact_2020` binds `CCC`",
            path(&dir, "scenarios/quiet.ron")
        )),
    );
}

#[test]
fn check_format_github_annotates_rule_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.casus");
    fs::write(&file, "treaty t_2020 {\n  in force on 2020-02-30\n}\n").unwrap();
    casus().args(["check", file.to_str().unwrap(), "--format", "github"]).assert().code(1).stdout(
        predicate::str::contains(format!(
            "::error file={},line=2,col=15,title=casus%3A%3Adate::`2020-02-30` is not a date that exists",
            file.display()
        )),
    );
}

#[test]
fn diff_shows_exactly_the_norms_one_attack_creates() {
    let out = casus()
        .args([
            "diff",
            "tests/fixtures/pact/scenarios/quiet.ron",
            "tests/fixtures/pact/scenarios/attack.ron",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let changes = v["changes"].as_array().unwrap();
    // The attack on AAA obliges BBB, and only BBB, to assist it.
    assert_eq!(changes.len(), 1, "{v:#}");
    let c = &changes[0];
    assert_eq!(
        (c["party"].as_str(), c["change"].as_str(), c["action"].as_str()),
        (Some("BBB"), Some("appears"), Some("assist"))
    );
    assert_eq!(c["args"], serde_json::json!({"ally": "AAA", "against": "CCC"}));
    assert_eq!(c["after"]["due"], "2020-07-01");
}

#[test]
fn eval_with_an_event_prints_what_it_changes() {
    let out = casus()
        .args([
            "eval",
            "tests/fixtures/pact/scenarios/quiet.ron",
            "--with",
            r#"Fact(kind: "armed_attack", args: {"by": "CCC", "on": "BBB"}, from: "2020-06-01")"#,
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    says(
        &out,
        "Norms\n  AAA\n    + must assist(ally: BBB, against: CCC) — pact_2020 art. 1 — pending since 2020-06-01, due 2020-07-01",
    );
}

#[test]
fn the_text_report_gives_each_obligation_its_reason_quoting_the_scenario_line() {
    // The report reads the scenario again for its reasons: BBB's duty to assist arises from the
    // attack on AAA, the event on line 6 of the scenario, on the day it began.
    let out = casus()
        .args(["eval", "tests/fixtures/pact/scenarios/attack.ron"])
        .assert()
        .success()
        .stdout(predicate::str::contains("  BBB\n    must assist(ally: AAA, against: CCC)"))
        .get_output()
        .stdout
        .clone();
    says(
        &out,
        "since 2020-06-01: armed_attack(by: CCC, on: AAA, territory: AAA) — tests/fixtures/pact/scenarios/attack.ron:6",
    );
}

#[test]
fn eval_without_an_instrument_prints_what_it_removes() {
    let out = casus()
        .args(["eval", "tests/fixtures/pact/scenarios/attack.ron", "--without-instrument", "pact_2020"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    says(
        &out,
        "    - must assist(ally: AAA, against: CCC) — pact_2020 art. 1 — was pending since 2020-06-01, due 2020-07-01",
    );
    // Without the pact it is not in force, and binds no one.
    says(&out, "Instruments\n  ~ pact_2020 in force: since 2020-03-15 → never");
}

#[test]
fn eval_json_is_byte_identical_across_runs() {
    let run = || {
        casus()
            .args(["eval", "scenarios/kursk_2024.ron", "--format", "json"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    assert_eq!(run(), run());
}

#[test]
fn a_malformed_scenario_gets_file_line_and_column() {
    let dir = suite();
    fs::write(
        dir.path().join("scenarios/typo.ron"),
        "Scenario(\n    title: \"t\",\n    as_of: \"2020-06-15\",\n    evnts: [],\n)\n",
    )
    .unwrap();
    casus()
        .args(["eval", &path(&dir, "scenarios/typo.ron")])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("typo.ron:4:"))
        .stderr(predicate::str::contains("evnts"));
}

#[test]
fn explain_says_why_and_why_not() {
    casus()
        .args(["explain", "tests/fixtures/pact/scenarios/attack.ron", "--party", "BBB"])
        .assert()
        .success()
        .stdout(predicate::str::contains("must assist(ally: AAA, against: CCC) — pending"))
        .stdout(predicate::str::contains(
            "\"If either Party is attacked, the other shall assist it within thirty days.\"",
        ))
        .stdout(predicate::str::contains("with A = CCC, V = AAA, P = BBB"))
        .stdout(predicate::str::contains("armed_attack(by: CCC, on: AAA, territory: AAA)"))
        .stdout(predicate::str::contains("pact_2020 binds BBB on 2020-06-01: in force since 2020-03-15"));
    // AAA, the victim, owes nothing: the rule leaves it out of the bearers.
    let out = casus()
        .args(["explain", "tests/fixtures/pact/scenarios/attack.ron", "--party", "AAA"])
        .assert()
        .success()
        .stdout(predicate::str::contains("No norm binds it."))
        .get_output()
        .stdout
        .clone();
    says(
        &out,
        "pact_2020 art. 1 (must assist): the condition holds on 2020-06-15, but AAA is left out of the bearers (`every party P other than V`)",
    );
}

#[test]
fn check_format_github_annotates_scenario_errors_on_their_line() {
    let dir = suite();
    let bad = "Scenario(\n    title: \"t\",\n    rules: [\"../rules\"],\n    as_of: \"2020-06-15\",\n    events: [\n        Ratify(party: \"AAA\", instrument: \"pact_2021\", on: \"2020-01-01\"),\n    ],\n)\n";
    fs::write(dir.path().join("scenarios/bad.ron"), bad).unwrap();
    let file = path(&dir, "scenarios/bad.ron");
    // The event names an instrument the rules do not define: annotated at that name, line 6,
    // column 42, with the nearest instrument as help.
    casus()
        .args(["check", &file, "--format", "github"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!("::error file={},line=6,col=42,title=casus%3A%3Ascenario::unknown instrument `pact_2021`%0Ahelp: did you mean `pact_2020`?", file.replace(':', "%3A").replace(',', "%2C"))));
}

#[test]
fn a_json_report_is_streamed_and_a_reader_may_stop_early() {
    // A synthetic world whose report (megabytes) is far larger than a pipe's buffer: a reader
    // that takes the first lines and closes the pipe ends the command quietly with 0, as
    // `casus eval … | head` expects, and the part it read is the start of the full report.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("w");
    let synth = ["synth", "--states", "60", "--treaties", "200", "--events", "4000", "--out"];
    casus().args(synth).arg(&out).assert().success();
    let scenario = out.join("scenario.ron");
    let full = casus().args(["eval", "--format", "json"]).arg(&scenario).output().unwrap();
    assert!(full.status.success());
    assert!(full.stdout.len() > 1 << 20, "the report is only {} bytes", full.stdout.len());
    let report: serde_json::Value = serde_json::from_slice(&full.stdout).unwrap();
    assert!(report["norms"].as_array().is_some_and(|n| n.len() > 1000));

    let bin = assert_cmd::cargo::cargo_bin("casus");
    let mut child = std::process::Command::new(bin)
        .args(["eval", "--format", "json"])
        .arg(&scenario)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = vec![0u8; 4096];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut head).unwrap();
    drop(child.stdout.take());
    let done = child.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&done.stderr));
    assert!(done.stderr.is_empty(), "stderr: {}", String::from_utf8_lossy(&done.stderr));
    assert_eq!(&full.stdout[..head.len()], &head[..]);
}

#[test]
fn an_explanation_lists_only_the_acts_under_way_while_the_norm_was_active() {
    // Resolution 1747's ban on procuring Iranian arms stood until Implementation Day and again
    // from 28 September 2025. Russia's purchase of September 2022 fell in the gap: it neither
    // breaks the ban nor is listed among its forbidden acts; the purchase of October 2025 is.
    let out = succeeds(&["explain", "scenarios/iran_snapback.ron", "--party", "RUS", "--instrument", "unsc_1747"]);
    says(&out, "active from 2007-03-24 to 2016-01-15");
    says(&out, "active since 2025-09-28");
    says(&out, "in force since 2025-09-28, when it was re-applied after its termination on 2016-01-16");
    says(
        &out,
        "forbidden acts: RUS performs procure(item: arms, from: IRN) — scenarios/iran_snapback.ron:16 (on 2025-10-15",
    );
    assert!(!flat(&out).contains("on 2022-09-01"), "{}", String::from_utf8_lossy(&out));
}

#[test]
fn the_text_report_counts_apart_what_ended_from_what_stands() {
    // As of 2022, Russia's prohibitions under the Iran resolutions ended on Implementation Day
    // (and Annex B's in October 2020): they are counted as ended, not as standing.
    let out = succeeds(&[
        "eval",
        "scenarios/iran_snapback.ron",
        "--as-of",
        "2022-09-01",
        "--party",
        "RUS",
        "--instrument",
        "unsc_1747",
    ]);
    says(&out, "No obligations.");
    says(&out, "1 prohibition or permission ended unbroken (shown with --all).");
}

#[test]
fn a_terminated_and_reapplied_instrument_is_in_force_and_binds_around_the_gap() {
    // docs/semantics.md: terminated on 2021-01-01 and re-applied on 2022-01-01, the pact is not
    // in force from the one to the other, and each party's binding is cut the same way.
    let dir = suite();
    let pact = dir.path().join("rules/pact.casus");
    let text = fs::read_to_string(&pact).unwrap();
    let text = text.replace(
        "  exchanged 2020-03-15\n",
        "  exchanged 2020-03-15\n  terminated 2021-01-01\n  reapplied 2022-01-01\n",
    );
    fs::write(&pact, text).unwrap();
    let report = succeeds(&["eval", &path(&dir, "scenarios/attack.ron"), "--as-of", "2022-06-01", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&report).unwrap();
    let pact = json["instruments"].as_array().unwrap().iter().find(|i| i["id"] == "pact_2020").unwrap();
    let runs = |v: &serde_json::Value| -> Vec<(String, String)> {
        v.as_array().unwrap().iter().map(|r| (r["from"].to_string(), r["until"].to_string())).collect()
    };
    let two = vec![
        ("\"2020-03-15\"".to_string(), "\"2021-01-01\"".to_string()),
        ("\"2022-01-01\"".to_string(), "null".to_string()),
    ];
    assert_eq!(runs(&pact["in_force"]), two);
    // BBB ratified on 2020-03-01, before the entry into force: bound exactly while in force.
    assert_eq!(runs(&pact["bound"]["BBB"]), two);
    // The attack of 2020-06-01 goes on: BBB's duty to assist has an episode on each side.
    let explained =
        succeeds(&["explain", &path(&dir, "scenarios/attack.ron"), "--party", "BBB", "--as-of", "2022-06-01"]);
    says(&explained, "active from 2020-06-01 to 2020-12-31");
    says(&explained, "active since 2022-01-01");
    says(&explained, "in force since 2022-01-01, when it was re-applied after its termination on 2021-01-01");
}
