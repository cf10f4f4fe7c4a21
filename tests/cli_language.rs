//! The command line on rule files: `casus check` and `casus fmt`, run as a user would.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn casus() -> Command {
    Command::cargo_bin("casus").unwrap()
}

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

const PACT: &str = "\
fact armed_attack(by, on)
action assist(ally, against)

# A pact between two states.
treaty pact_1990   \"Pact\"   {   # the title
  parties { FRA signed 1990-01-01
  GBR signed 1990-01-01 }
  in force on signature
  article 1 { text \"If one is attacked,
         the other shall assist.\"
    if armed_attack(by: A, on: V) and # who attacked whom
       V is party then every party P other than V must assist(ally: V, against: A) without delay
  }
}
";

#[test]
fn the_bundled_rules_check_clean_and_are_formatted() {
    casus().args(["check", "rules/"]).assert().success().stderr(predicate::str::contains("0 errors"));
    casus().args(["fmt", "--check", "rules/"]).assert().success().stdout("");
}

#[test]
fn a_binary_file_is_refused_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "blob.casus", b"treaty x {\n\x00\x01\x02\xff\xfe");
    casus()
        .args(["check", &path])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("this is a binary file, not text"))
        .stderr(predicate::str::contains("blob.casus:2:1"));
}

#[test]
fn text_that_is_not_utf8_is_refused_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "latin1.casus", b"group g = [FRA]\n# caf\xe9\n");
    casus()
        .args(["check", &path])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("this file is not UTF-8 text"))
        .stderr(predicate::str::contains("latin1.casus:2:6"));
}

#[test]
fn a_50_mb_file_is_refused_without_being_read() {
    let dir = tempfile::tempdir().unwrap();
    let line = "group g = [FRA, GBR, USA, DEU, ITA, ESP, PRT, NLD, BEL, LUX, DNK, NOR, ISL]\n";
    let path = write(dir.path(), "huge.casus", line.repeat(50 * 1024 * 1024 / line.len() + 1));
    casus()
        .args(["check", &path])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("this file is 50.0 MiB; casus reads files of at most 16 MiB"))
        .stderr(predicate::str::contains("huge.casus:1:1"));
}

#[test]
fn one_hundred_thousand_nested_parentheses_are_refused_not_overflowed() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    let text = format!(
        "fact f(x)\naction a(x)\ntreaty t_1990 {{\n  article 1 {{\n    if {}f(x: X){} then X must a(x: X)\n  }}\n}}\n",
        "(".repeat(n),
        ")".repeat(n)
    );
    let path = write(dir.path(), "parens.casus", text);
    casus()
        .args(["check", &path])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("this condition nests more than 128 levels deep"))
        .stderr(predicate::str::contains("parens.casus:5:136"));
}

#[test]
fn one_hundred_thousand_nots_are_refused_not_overflowed() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "fact f(x)\naction a(x)\ntreaty t_1990 {{\n  article 1 {{\n    if f(x: X) and {}f(x: X) then X must a(x: X)\n  }}\n}}\n",
        "not ".repeat(100_000)
    );
    let path = write(dir.path(), "nots.casus", text);
    casus()
        .args(["check", &path])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("this condition nests more than 128 levels deep"));
}

#[test]
fn an_empty_file_is_clean_but_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "empty.casus", "");
    casus()
        .args(["check", &path])
        .assert()
        .success()
        .stderr(predicate::str::contains("this file defines nothing"))
        .stderr(predicate::str::contains("0 errors, 1 warning"));
}

#[test]
fn check_reports_every_problem_of_a_folder_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.casus", "group g = [FRA]\ntreaty t_1990 { binds every member of h }\n");
    write(dir.path(), "b.casus", "treaty u_1990 { in force on 1990-02-30 }\n");
    write(dir.path(), "notes.txt", "not a rule file");
    casus()
        .args(["check", dir.path().to_str().unwrap(), "--format", "short"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("a.casus:2:39: error: unknown group `h`"))
        .stderr(predicate::str::contains("b.casus:1:29: error: `1990-02-30` is not a date that exists"))
        .stderr(predicate::str::contains("2 files checked: 2 errors, 0 warnings"));
}

#[test]
fn check_of_a_missing_path_fails_cleanly() {
    casus()
        .args(["check", "no/such/place"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot read `no/such/place`"));
}

#[test]
fn fmt_check_lists_the_files_that_differ_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "pact.casus", PACT);
    casus().args(["fmt", "--check", &path]).assert().code(1).stdout(format!("{path}\n"));
    assert_eq!(fs::read_to_string(&path).unwrap(), PACT);
}

#[test]
fn fmt_rewrites_in_place_keeping_comments_and_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "pact.casus", PACT);
    casus().args(["fmt", &path]).assert().success();
    let formatted = fs::read_to_string(&path).unwrap();
    for comment in ["# A pact between two states.", "# the title", "# who attacked whom"] {
        assert!(formatted.contains(comment), "lost {comment:?}:\n{formatted}");
    }
    assert!(formatted.contains("text \"If one is attacked,\n         the other shall assist.\""), "{formatted}");
    assert!(formatted.contains("treaty pact_1990 \"Pact\" {  # the title\n"), "{formatted}");
    assert!(
        formatted.contains("  parties {\n    FRA signed 1990-01-01\n    GBR signed 1990-01-01\n  }\n"),
        "{formatted}"
    );
    // A comment inside the condition puts one literal on each line.
    assert!(
        formatted.contains(
            "    if armed_attack(by: A, on: V)  # who attacked whom\n      and V is party\n    then every party P"
        ),
        "{formatted}"
    );
    // Formatting again changes nothing, and the temporary file is gone.
    casus().args(["fmt", "--check", &path]).assert().success();
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn fmt_leaves_a_file_that_does_not_parse_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "treaty t_1990 {\n  artcle 1 { }\n}\n";
    let path = write(dir.path(), "broken.casus", broken);
    casus()
        .args(["fmt", &path])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("did you mean `article`?"))
        .stderr(predicate::str::contains("was left as it is"));
    assert_eq!(fs::read_to_string(&path).unwrap(), broken);
}
