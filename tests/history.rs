//! `casus import atop` on the real data (ATOP v4.01, the COW war and state lists), read from
//! `../shared/data/raw` (or `CASUS_SHARED_DATA`): the worked examples of docs/history.md byte for
//! byte, what their rules mean when evaluated, and properties of the whole import.
//!
//! Without the data these tests say so and pass, unless `CASUS_SHARED_DATA_REQUIRED` is set (as
//! CI sets it where the data is), when its absence fails them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn casus() -> Command {
    let mut c = Command::cargo_bin("casus").unwrap_or_else(|e| panic!("{e}"));
    c.env("NO_COLOR", "1");
    c
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The folder of the datasets, if it is here.
fn data() -> Option<PathBuf> {
    let dir = std::env::var_os("CASUS_SHARED_DATA").map_or_else(|| root().join("../shared/data/raw"), PathBuf::from);
    if dir.join("atop_v4.01/atop-member-level.csv").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CASUS_SHARED_DATA_REQUIRED").is_none(),
        "the datasets are not at {}: set CASUS_SHARED_DATA",
        dir.display()
    );
    eprintln!("the datasets are not at {}: skipped", dir.display());
    None
}

fn wars(data: &Path) -> PathBuf {
    wars_file(data)
}

/// The COW war file.
fn wars_file(data: &Path) -> PathBuf {
    data.join("cow_interstate_war_v4.0/Inter-StateWarData_v4.0.csv")
}

/// Imports `atop_dir` into `out`; the command's output.
fn import(data: &Path, atop_dir: &Path, out: &Path, more: &[&str]) -> std::process::Output {
    let mut c = casus();
    c.current_dir(root())
        .args(["import", "atop"])
        .arg(atop_dir)
        .arg("--out")
        .arg(out)
        .arg("--states")
        .arg(data.join("cow_states/states2016.csv"))
        .arg("--country-codes")
        .arg(data.join("country_codes/codelist_without_cldr.csv"))
        .args(more);
    c.output().unwrap_or_else(|e| panic!("{e}"))
}

fn text(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file of a folder, by name.
fn folder(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
        let bytes = fs::read(entry.path()).unwrap_or_else(|e| panic!("{e}"));
        out.insert(entry.file_name().to_string_lossy().into_owned(), bytes);
    }
    out
}

/// A copy of the ATOP folder with only the member rows of `ids`.
fn atop_subset(data: &Path, ids: &[&str], into: &Path) -> PathBuf {
    let dir = into.join("atop");
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let members = text(&data.join("atop_v4.01/atop-member-level.csv"));
    let mut lines = members.lines();
    let mut out = lines.next().unwrap_or_default().to_string() + "\n";
    for line in lines.filter(|l| ids.iter().any(|id| l.starts_with(&format!("{id},")))) {
        out.push_str(line);
        out.push('\n');
    }
    fs::write(dir.join("atop-member-level.csv"), out).unwrap_or_else(|e| panic!("{e}"));
    fs::copy(data.join("atop_v4.01/atop-alliance-level.csv"), dir.join("atop-alliance-level.csv"))
        .unwrap_or_else(|e| panic!("{e}"));
    dir
}

/// A generated file without its header comment.
fn without_header(text: &str) -> &str {
    text.find("treaty ").map_or(text, |at| text.get(at..).unwrap_or(text))
}

#[test]
fn the_three_worked_examples_are_written_byte_for_byte() {
    let Some(data) = data() else { return };
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let atop = atop_subset(&data, &["1335", "1160", "1270"], tmp.path());
    let out = tmp.path().join("out");
    let wars = wars(&data);
    let run = import(&data, &atop, &out, &["--wars", wars.to_str().unwrap_or_default()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    for id in ["1335", "1160", "1270"] {
        let expected = text(&root().join(format!("tests/history/atop_{id}.casus")));
        let written = text(&out.join(format!("atop_{id}.casus")));
        assert_eq!(without_header(&written), expected, "ATOP {id}");
        // The header names the alliance's data rows.
        assert!(written.starts_with(&format!("# ATOP {id}, phase 0: ")), "{written}");
    }
    // The header names the rows of the file read: here the four of the alliance.
    let header = text(&out.join("atop_1160.casus"));
    for row in ["row 1: 200,", "row 2: 220,", "row 3: 640,", "row 4: 325,"] {
        assert!(header.contains(row), "{header}");
    }
}

/// The norms of instrument `id` in `casus eval`'s JSON report: (party, action, args), sorted.
fn norms_of(report: &serde_json::Value, id: &str) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = report["norms"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|n| n["instrument"] == id)
        .map(|n| {
            let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
            let args = n["args"].as_object().map(|a| {
                a.iter().map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or_default())).collect::<Vec<_>>().join(", ")
            });
            (s(&n["party"]), format!("{} {}", s(&n["modality"]), s(&n["action"])), args.unwrap_or_default())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_crimean_alliance_falls_due_on_an_unprovoked_russian_attack_on_turkey_in_war_22() {
    let Some(data) = data() else { return };
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let atop = atop_subset(&data, &["1160"], tmp.path());
    let out = tmp.path().join("out");
    let wars = wars(&data);
    let run = import(&data, &atop, &out, &["--wars", wars.to_str().unwrap_or_default()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let eval = |attack: &str| -> serde_json::Value {
        let scenario = format!(
            "Scenario(title: \"Crimea\", rules: [{:?}, {:?}], as_of: \"1855-06-01\", events: [{attack}])",
            root().join("rules").display().to_string(),
            out.display().to_string()
        );
        let path = tmp.path().join("crimea.ron");
        fs::write(&path, scenario).unwrap_or_else(|e| panic!("{e}"));
        let run = casus().arg("eval").arg(&path).args(["--format", "json"]).output().unwrap_or_else(|e| panic!("{e}"));
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        serde_json::from_slice(&run.stdout).unwrap_or_else(|e| panic!("{e}"))
    };
    // The override of docs/history.md: Russia attacked Turkey on 1853-10-23, unprovoked.
    let report = eval(
        r#"Fact(kind: "armed_attack", args: {"by": "RUS", "on": "TUR", "war": "cow_22", "provoked": "no"}, from: "1853-10-23")"#,
    );
    let assist = |p: &str| (p.to_string(), "must assist_militarily".to_string(), "against: RUS, ally: TUR".to_string());
    let consult = |p: &str| (p.to_string(), "must consult".to_string(), "about: RUS, with: TUR".to_string());
    // Defence is held by France, Britain and Sardinia (not Turkey, the victim); every member but
    // the victim consults. Sardinia is bound from its accession, 1855-03-15.
    let mut expected =
        vec![assist("FRA"), assist("GBR"), assist("ITA"), consult("FRA"), consult("GBR"), consult("ITA")];
    expected.sort();
    assert_eq!(norms_of(&report, "atop_1160"), expected);
    // An attack in another war, or by a state the alliance does not name, gives nothing.
    let other_war =
        eval(r#"Fact(kind: "armed_attack", args: {"by": "RUS", "on": "TUR", "war": "cow_4"}, from: "1853-10-23")"#);
    assert_eq!(norms_of(&other_war, "atop_1160"), []);
    let other_attacker =
        eval(r#"Fact(kind: "armed_attack", args: {"by": "AUH", "on": "TUR", "war": "cow_22"}, from: "1853-10-23")"#);
    assert_eq!(norms_of(&other_attacker, "atop_1160"), []);
}

#[test]
fn the_whole_import_checks_clean_is_deterministic_and_accounts_for_every_row() {
    let Some(data) = data() else { return };
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let atop = data.join("atop_v4.01");
    let wars = wars(&data);
    let args = |report: &Path| {
        vec![
            "--wars".to_string(),
            wars.display().to_string(),
            "--curated".to_string(),
            "history/curated.csv".to_string(),
            "--report".to_string(),
            report.display().to_string(),
        ]
    };
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let (ra, rb) = (tmp.path().join("a.json"), tmp.path().join("b.json"));
    for (out, report) in [(&a, &ra), (&b, &rb)] {
        let more = args(report);
        let run = import(&data, &atop, out, &more.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    }
    // Two imports are byte-identical, and a third into the first's folder changes nothing.
    let first = folder(&a);
    assert_eq!(first, folder(&b));
    assert_eq!(text(&ra), text(&rb));
    let more = args(&ra);
    let run = import(&data, &atop, &a, &more.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(run.status.success());
    assert_eq!(folder(&a), first);
    // The output checks clean with the library, and is in the canonical layout.
    let check = casus().current_dir(root()).args(["check", "rules"]).arg(&a).output().unwrap_or_else(|e| panic!("{e}"));
    let said = String::from_utf8_lossy(&check.stdout).to_string() + &String::from_utf8_lossy(&check.stderr);
    assert!(check.status.success() && said.contains("0 errors, 0 warnings"), "{said}");
    let fmt = casus().args(["fmt", "--check"]).arg(&a).output().unwrap_or_else(|e| panic!("{e}"));
    assert!(fmt.status.success(), "{}", String::from_utf8_lossy(&fmt.stdout));
    // Every member row is in an instrument's header or in a curated alliance.
    let report: serde_json::Value = serde_json::from_str(&text(&ra)).unwrap_or_else(|e| panic!("{e}"));
    let members = text(&atop.join("atop-member-level.csv"));
    let rows = members.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
    assert_eq!(report["rows"]["read"], rows);
    let curated_rows: u64 = report["curated"].as_array().into_iter().flatten().filter_map(|c| c["rows"].as_u64()).sum();
    let mut in_headers = 0;
    for (name, bytes) in &first {
        let t = String::from_utf8_lossy(bytes);
        if name.starts_with("atop_") {
            in_headers += t.lines().filter(|l| l.starts_with("#   row ")).count();
        }
    }
    assert_eq!(in_headers as u64 + curated_rows, rows as u64);
    assert_eq!(report["rows"]["imported"], in_headers);
    // Headers name the data rows of the whole file: ATOP 1160's are rows 117 to 120.
    let crimea = String::from_utf8_lossy(first.get("atop_1160.casus").map_or(&[][..], Vec::as_slice)).to_string();
    for row in ["row 117: 200, 1854-03-12 to 1856-03-30;", "row 120: 325, 1855-03-15 to 1856-03-30;"] {
        assert!(crimea.contains(row), "{crimea}");
    }
    // One file per alliance not curated, and the support file.
    let alliances =
        members.lines().skip(1).filter_map(|l| l.split(',').next()).collect::<std::collections::BTreeSet<_>>();
    let curated = report["curated"].as_array().map_or(0, Vec::len);
    let instruments =
        first.keys().filter(|n| n.starts_with("atop_") && n.chars().nth(5).is_some_and(|c| c.is_ascii_digit())).count();
    assert_eq!(instruments + curated, alliances.len());
    assert!(first.contains_key("atop_support.casus"));
    // The crosswalk's alliances are the library's: none is imported.
    for id in ["1335", "1350", "1385", "3180"] {
        assert!(!first.contains_key(&format!("atop_{id}.casus")), "ATOP {id} is curated");
    }
}

#[test]
fn bad_input_is_located_and_nothing_is_written() {
    let Some(data) = data() else { return };
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let atop = atop_subset(&data, &["1335"], tmp.path());
    let members = atop.join("atop-member-level.csv");
    let good = text(&members);
    let out = tmp.path().join("out");
    let cases: Vec<(String, &str, &str)> = vec![
        // A row cut short.
        (good.get(..good.len() - 30).unwrap_or_default().to_string(), "it is cut short", "atop-member-level.csv:3:"),
        // A header without a column.
        (good.replacen("defense,", "", 1), "the header has no column `defense`", "atop-member-level.csv:1:"),
        // A ccode that is not a number.
        (
            good.replacen("1335,2065,64,255,", "1335,2065,64,25x,", 1),
            "`member` should be a whole number, not `25x`",
            "atop-member-level.csv:2:14",
        ),
        // A day that does not exist.
        (
            good.replacen(",1879,10,7,", ",1879,2,30,", 1),
            "1879-02-30 is not a day that exists",
            "atop-member-level.csv:2:",
        ),
    ];
    for (bad, message, place) in cases {
        assert_ne!(bad, good, "each case changes the file");
        fs::write(&members, bad).unwrap_or_else(|e| panic!("{e}"));
        let run = import(&data, &atop, &out, &[]);
        let said = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{said}");
        assert!(said.contains(message) && said.contains(place), "{said}");
        assert!(!out.exists(), "nothing is written");
    }
    // An override for a ccode no list knows.
    fs::write(&members, &good).unwrap();
    let codes = tmp.path().join("codes.csv");
    fs::write(&codes, "ccode,from,until,code,why\n300,,,AUH,Austria-Hungary\n9999,,,ZZZ,a state nobody lists\n")
        .unwrap();
    let run = import(&data, &atop, &out, &["--codes", codes.to_str().unwrap_or_default()]);
    let said = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{said}");
    assert!(
        said.contains("ccode 9999 is in neither the COW state list nor the country codes")
            && said.contains("codes.csv:3:1"),
        "{said}"
    );
    assert!(!out.exists());
    // A crosswalk naming an instrument the library does not have.
    fs::write(&members, &good).unwrap_or_else(|e| panic!("{e}"));
    let crosswalk = tmp.path().join("curated.csv");
    fs::write(&crosswalk, "atopid,instrument\n1335,dual_alliance_1878\n").unwrap_or_else(|e| panic!("{e}"));
    let run = import(&data, &atop, &out, &["--curated", crosswalk.to_str().unwrap_or_default()]);
    let said = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{said}");
    assert!(
        said.contains("the library has no instrument `dual_alliance_1878`") && said.contains("curated.csv:2:6"),
        "{said}"
    );
    assert!(!out.exists());
    // An output folder holding files of the user's is refused, and kept as it was.
    fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{e}"));
    fs::write(out.join("notes.txt"), "mine").unwrap_or_else(|e| panic!("{e}"));
    let run = import(&data, &atop, &out, &[]);
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("which an import does not write"));
    assert_eq!(folder(&out).keys().collect::<Vec<_>>(), ["notes.txt"]);
}

/// A folder laid out as docs/history.md lays it out: `rules` (the library), `atop` (the ATOP
/// import) and `scenarios/cow` (the war import), each import's output.
fn history_layout(data: &Path, tmp: &Path) -> (std::process::Output, std::process::Output) {
    std::os::unix::fs::symlink(root().join("rules"), tmp.join("rules")).unwrap();
    let mut atop = casus();
    atop.current_dir(tmp)
        .args(["import", "atop"])
        .arg(data.join("atop_v4.01"))
        .args(["--out", "atop", "--wars"])
        .arg(wars_file(data))
        .arg("--curated")
        .arg(root().join("history/curated.csv"));
    let atop = atop.output().unwrap();
    let mut wars = casus();
    wars.current_dir(tmp).args(["import", "cow-wars"]).arg(wars_file(data)).args([
        "--out",
        "scenarios/cow",
        "--rules",
        "rules",
        "--rules",
        "atop",
        "--report",
        "cow.json",
    ]);
    (atop, wars.output().unwrap())
}

#[test]
fn the_franco_prussian_war_is_written_byte_for_byte() {
    let Some(data) = data() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (atop, wars) = history_layout(&data, tmp.path());
    assert!(atop.status.success(), "{}", String::from_utf8_lossy(&atop.stderr));
    assert!(wars.status.success(), "{}", String::from_utf8_lossy(&wars.stderr));
    // War 58's five rows: France (side 2) the initiator; Prussia ("Germany", 255), Bavaria,
    // Baden and Württemberg on side 1, each to its own last day.
    let expected = text(&root().join("tests/history/cow_058.ron"));
    assert_eq!(text(&tmp.path().join("scenarios/cow/cow_058.ron")), expected);
}

/// The datasets, and a folder with both imports done in it (the wars' import checked to have
/// succeeded); none without the datasets.
fn imported() -> Option<(PathBuf, tempfile::TempDir)> {
    let data = data()?;
    let tmp = tempfile::tempdir().unwrap();
    let (_, wars) = history_layout(&data, tmp.path());
    assert!(wars.status.success(), "{}", String::from_utf8_lossy(&wars.stderr));
    Some((data, tmp))
}

#[test]
fn every_war_is_a_scenario_that_checks_and_imports_are_identical() {
    let Some((data, tmp)) = imported() else { return };
    let out = tmp.path().join("scenarios/cow");
    let first = folder(&out);
    // One scenario per war of the file, every participation row counted.
    let file = String::from_utf8_lossy(&fs::read(wars_file(&data)).unwrap()).replace('\r', "\n");
    let rows: Vec<&str> = file.lines().skip(1).filter(|l| !l.trim().is_empty()).collect();
    let numbers: std::collections::BTreeSet<&str> = rows.iter().filter_map(|l| l.split(',').next()).collect();
    assert_eq!(first.len(), numbers.len());
    for n in &numbers {
        let name = format!("cow_{:03}.ron", n.parse::<u32>().unwrap());
        let scenario = String::from_utf8_lossy(first.get(&name).unwrap()).to_string();
        assert!(scenario.contains(&format!("\"war\": \"cow_{n}\"")), "war {n} has an attack: {name}");
    }
    let report: serde_json::Value = serde_json::from_str(&text(&tmp.path().join("cow.json"))).unwrap();
    assert_eq!(report["rows"], rows.len());
    assert_eq!(report["wars"], numbers.len());
    // A second import changes nothing.
    let again = casus()
        .current_dir(tmp.path())
        .args(["import", "cow-wars"])
        .arg(wars_file(&data))
        .args(["--out", "scenarios/cow", "--rules", "rules", "--rules", "atop"])
        .output()
        .unwrap();
    assert!(again.status.success());
    assert_eq!(folder(&out), first);
    // Without the ATOP import's declarations the scenarios name states the library lacks
    // (Modena, Bavaria, ...): exit 2, and nothing is written.
    let bare = casus()
        .current_dir(tmp.path())
        .args(["import", "cow-wars"])
        .arg(wars_file(&data))
        .args(["--out", "bare", "--rules", "rules"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&bare.stderr);
    assert_eq!(bare.status.code(), Some(2), "{said}");
    assert!(said.contains("unknown party `MOD`") && said.contains("nothing was written"), "{said}");
    assert!(!tmp.path().join("bare").exists());
}

#[test]
fn a_stated_attack_between_states_not_in_the_war_is_refused() {
    let Some(data) = data() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let attacks = tmp.path().join("attacks.csv");
    // War 22, the Crimean War: Prussia (255) did not fight in it.
    fs::write(
        &attacks,
        "war,attacker,target,from,until,provoked\n22,365,640,1853-10-23,,no\n22,255,640,1854-01-01,,\n",
    )
    .unwrap();
    let run = casus()
        .current_dir(root())
        .args(["import", "cow-wars"])
        .arg(wars_file(&data))
        .arg("--out")
        .arg(tmp.path().join("cow"))
        .arg("--attacks")
        .arg(&attacks)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{said}");
    assert!(said.contains("ccode 255 did not fight in war 22") && said.contains("attacks.csv:3:4"), "{said}");
    assert!(!tmp.path().join("cow").exists());
}

/// The replay of the layout's wars (`scenarios/cow`) as JSON rows, with `more` options.
fn replay_rows(tmp: &Path, scenarios: &str, more: &[&str]) -> Vec<serde_json::Value> {
    let run = casus()
        .current_dir(tmp)
        .args(["replay", "--rules", "rules", "--rules", "atop", "--scenarios", scenarios, "--format", "json"])
        .args(["--curated"])
        .arg(root().join("history/curated.csv"))
        // The wars of 1848 to 1871 (a debug build replays all of them in minutes; CI replays
        // them all with a release build).
        .args(["--from", "1848-01-01", "--to", "1871-12-31"])
        .args(more)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let value: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    value["rows"].as_array().cloned().unwrap_or_default()
}

/// The rows of war `war` and alliance `atopid`: (provision, ally, bearer, verdict), sorted.
fn cells(rows: &[serde_json::Value], war: u64, atopid: u64) -> Vec<(String, String, String, String)> {
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let mut out: Vec<(String, String, String, String)> = rows
        .iter()
        .filter(|r| r["war"] == war && r["atopid"] == atopid)
        .map(|r| (s(&r["provision"]), s(&r["ally"]), s(&r["bearer"]), s(&r["verdict"])))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn cell(p: &str, ally: &str, bearer: &str, verdict: &str) -> (String, String, String, String) {
    (p.into(), ally.into(), bearer.into(), verdict.into())
}

#[test]
fn the_historical_cases_of_the_seven_weeks_and_franco_prussian_wars() {
    let Some((_, tmp)) = imported() else { return };
    let rows = replay_rows(tmp.path(), "scenarios/cow", &[]);
    // War 55, 1866. ATOP 1270 (France's neutrality towards Austria against Prussia, with a place
    // condition; consultation with a conflict condition COW cannot tie): unverified.
    let atop_1270 = cells(&rows, 55, 1270);
    assert!(!atop_1270.is_empty() && atop_1270.iter().all(|c| c.3 == "unverified"), "{atop_1270:?}");
    assert!(atop_1270.contains(&cell("neutrality", "AUH", "FRA", "unverified")), "{atop_1270:?}");
    // The German Confederation's non-aggression (ATOP 1020): Prussia attacked Austria; Austria
    // fought back.
    let atop_1020 = cells(&rows, 55, 1020);
    assert!(atop_1020.contains(&cell("nonaggression", "AUH", "GMY", "not_honoured")), "{atop_1020:?}");
    assert!(atop_1020.contains(&cell("nonaggression", "GMY", "AUH", "responded")), "{atop_1020:?}");
    // Assumed met, France's neutrality towards Austria is honoured (France stayed out), and the
    // consultation is unobservable.
    let assumed = replay_rows(tmp.path(), "scenarios/cow", &["--conditions", "assume-met"]);
    let atop_1270 = cells(&assumed, 55, 1270);
    assert!(atop_1270.contains(&cell("neutrality", "AUH", "FRA", "honoured")), "{atop_1270:?}");
    assert!(atop_1270.iter().any(|c| c.0 == "consultation" && c.3 == "unobservable"), "{atop_1270:?}");
    // Italy's attack on Austria gives no norm of ATOP 1270: Italy is not the named Prussia.
    assert!(!assumed.iter().any(|r| r["war"] == 55 && r["atopid"] == 1270 && r["adversary"] == "ITA"));
    // War 58, 1870: France attacked; Prussia's treaties of 1866 with Baden, Bavaria and
    // Württemberg (ATOP 1275, 1280, 1285) owed Prussia their defence, and each fought beside it.
    for (atopid, state) in [(1275, "BAD"), (1280, "BAV"), (1285, "WRT")] {
        let c = cells(&rows, 58, atopid);
        assert!(c.contains(&cell("defense", "GMY", state, "honoured")), "ATOP {atopid}: {c:?}");
    }
    // The engine agrees with every defence and offence verdict that is not unverified: honoured
    // exactly when it found the obligation fulfilled.
    for r in rows.iter().chain(&assumed) {
        if r["action"] == "assist_militarily" && r["verdict"] != "unverified" {
            assert_eq!(r["verdict"] == "honoured", r["engine_status"] == "fulfilled", "{r}");
        }
    }
}

#[test]
fn the_crimean_alliance_falls_due_only_with_the_attack_the_data_misstates() {
    let Some((data, tmp)) = imported() else { return };
    // COW makes Turkey the initiator: no Russian attack on Turkey, and ATOP 1160's defence and
    // consultation (both tied to war 22 and Russia) never fall due.
    let rows = replay_rows(tmp.path(), "scenarios/cow", &[]);
    assert_eq!(cells(&rows, 22, 1160), []);
    // With the library's attacks file, Russia attacks Turkey: Britain and France owed Turkey
    // their defence, and fought beside it.
    let run = casus()
        .current_dir(tmp.path())
        .args(["import", "cow-wars"])
        .arg(wars_file(&data))
        .args(["--out", "scenarios/fixed", "--rules", "rules", "--rules", "atop", "--attacks"])
        .arg(root().join("history/attacks.csv"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let rows = replay_rows(tmp.path(), "scenarios/fixed", &[]);
    let c = cells(&rows, 22, 1160);
    assert!(c.contains(&cell("defense", "TUR", "FRA", "honoured")), "{c:?}");
    assert!(c.contains(&cell("defense", "TUR", "GBR", "honoured")), "{c:?}");
    assert!(c.contains(&cell("consultation", "TUR", "FRA", "unobservable")), "{c:?}");
}

#[test]
fn the_replay_is_the_same_whatever_the_threads_and_the_order_of_files() {
    let Some((_, tmp)) = imported() else { return };
    let run = |threads: &str, scenarios: &str, format: &str| {
        let out = casus()
            .current_dir(tmp.path())
            .env("RAYON_NUM_THREADS", threads)
            .args(["replay", "--rules", "rules", "--rules", "atop", "--scenarios", scenarios, "--format", format])
            .args(["--from", "1848-01-01", "--to", "1871-12-31"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    for format in ["csv", "json"] {
        assert_eq!(run("1", "scenarios/cow", format), run("4", "scenarios/cow", format), "{format}");
    }
    // The same wars under other names, and each war's events in reverse order: the same table
    // but for the lines the triggers are quoted at.
    let shuffled = tmp.path().join("shuffled");
    fs::create_dir_all(&shuffled).unwrap();
    for (name, bytes) in folder(&tmp.path().join("scenarios/cow")) {
        let text = String::from_utf8(bytes).unwrap();
        let (head, rest) = text.split_once("    events: [\n").unwrap();
        let (events, tail) = rest.split_once("    ],\n").unwrap();
        let reversed: Vec<&str> = events.lines().rev().collect();
        let renamed = format!(
            "{}_{name}",
            999 - name.trim_start_matches("cow_").trim_end_matches(".ron").parse::<u32>().unwrap()
        );
        fs::write(shuffled.join(renamed), format!("{head}    events: [\n{}\n    ],\n{tail}", reversed.join("\n")))
            .unwrap();
    }
    let strip = |bytes: Vec<u8>| -> String {
        let text = String::from_utf8(bytes).unwrap();
        let lines = regex_lines(&text);
        lines.join("\n")
    };
    assert_eq!(strip(run("2", "shuffled", "csv")), strip(run("2", "scenarios/cow", "csv")));
}

/// The CSV with each trigger's `file:line` taken out.
fn regex_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            let mut out = String::new();
            let mut rest = l;
            while let Some(at) = rest.find(") at ") {
                out.push_str(rest.get(..at + 1).unwrap_or_default());
                let after = rest.get(at + 5..).unwrap_or_default();
                let end = after.find([',', '"']).unwrap_or(after.len());
                rest = after.get(end..).unwrap_or_default();
            }
            out.push_str(rest);
            out
        })
        .collect()
}

#[test]
fn the_first_world_war_agrees_with_the_expectations_of_july_1914() {
    let Some((data, tmp)) = imported() else { return };
    // War 106 with its first days by hand: the day-by-day scenario of July and August 1914.
    let july = root().join("scenarios/july_1914.ron");
    let run = casus()
        .current_dir(tmp.path())
        .args(["import", "cow-wars"])
        .arg(wars_file(&data))
        .args(["--out", "scenarios/ww1", "--rules", "rules", "--rules", "atop", "--by-hand"])
        .arg(format!("106={}", july.display()))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let run = casus()
        .current_dir(tmp.path())
        .args(["replay", "--rules", "rules", "--rules", "atop", "--scenarios", "scenarios/ww1", "--format", "json"])
        .arg("--curated")
        .arg(root().join("history/curated.csv"))
        .args(["--from", "1914-07-01", "--to", "1914-12-31"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let value: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let rows: Vec<&serde_json::Value> = value["rows"].as_array().unwrap().iter().filter(|r| r["war"] == 106).collect();
    // Every expectation of the July scenario about an alliance the crosswalk curates, read
    // against the table: a row is a norm that held from its `due_since`.
    let text = fs::read_to_string(&july).unwrap();
    let mut sources = casus_syntax::source::Sources::new();
    let id = sources.add("july_1914.ron", text);
    let scenario =
        casus::scenario::parse(id, sources.get(id).unwrap()).unwrap_or_else(|_| panic!("july_1914.ron reads"));
    let curated = ["dual_alliance_1879", "triple_alliance_1882", "franco_russian_1892"];
    let provisions = ["assist_militarily", "assist", "meet_common_danger", "remain_neutral", "use_force", "consult"];
    let mut checked = 0;
    for e in &scenario.expect {
        let casus::scenario::ExpectKind::Norm(q) = &e.kind else { continue };
        let Some(instrument) = q.instrument.as_deref().filter(|i| curated.contains(i)) else { continue };
        // Mobilization is a duty of the Franco-Russian convention, but not one of the provisions
        // the replay judges: the table has no row for it.
        if q.action.as_deref().is_some_and(|a| !provisions.contains(&a)) {
            continue;
        }
        let day = e.on.unwrap_or(scenario.as_of).to_string();
        let matching: Vec<&&serde_json::Value> = rows
            .iter()
            .filter(|r| {
                r["instrument"] == instrument
                    && r["bearer"] == q.party.as_str()
                    && q.action.as_deref().is_none_or(|a| r["action"] == a)
                    && q.article.as_deref().is_none_or(|a| r["article"] == a)
                    && q.modality.is_none_or(|m| r["modality"] == m.words())
                    && q.args
                        .iter()
                        .all(|(k, v)| r["args"].as_str().unwrap_or("").split(", ").any(|x| x == format!("{k}: {v}")))
                    && r["due_since"].as_str().unwrap_or("9999") <= day.as_str()
            })
            .collect();
        if q.absent {
            assert!(
                matching.is_empty(),
                "july_1914.ron expects no such norm on {day}: {q:?}, but the table has {matching:?}"
            );
        } else {
            assert!(!matching.is_empty(), "july_1914.ron expects {q:?} on {day}; the table has none");
            if q.status == Some(casus::outcome::Status::Fulfilled) {
                assert!(matching.iter().any(|r| r["engine_status"] == "fulfilled"), "{q:?}: {matching:?}");
            }
        }
        checked += 1;
    }
    assert!(checked >= 9, "only {checked} expectations of july_1914.ron were compared");
}
