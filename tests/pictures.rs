//! The pictures: the cascade graph, timelines, the HTML report and the sweep's matrix.
//!
//! The pictures in `docs/pictures/` are golden files: each is regenerated here from the bundled
//! rules and scenarios, and the test fails when one is stale (`CASUS_BLESS=1` rewrites them; look
//! at them before committing). The structure tests parse the SVG and HTML as XML and hold them
//! against the JSON report of the same scenario: every norm of the report is in the HTML, and
//! the edges of the graph are exactly the report's obligations and broken prohibitions that name
//! another party.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use quick_xml::events::Event;

fn casus() -> Command {
    Command::cargo_bin("casus").unwrap()
}

/// What `casus ARGS` prints; the command must succeed.
fn run(args: &[&str]) -> String {
    let out = casus().args(args).output().unwrap();
    assert!(out.status.success(), "casus {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The pictures of docs/, and the command that draws each.
const PICTURES: &[(&str, &[&str])] = &[
    ("july_1914.dot", &["graph", "scenarios/july_1914.ron", "--format", "dot"]),
    ("july_1914.svg", &["graph", "scenarios/july_1914.ron", "--format", "svg"]),
    ("july_1914.html", &["eval", "scenarios/july_1914.ron", "--format", "html"]),
    ("july_1914_timeline.txt", &["timeline", "scenarios/july_1914.ron", "--width", "100"]),
    ("kursk_2024.dot", &["graph", "scenarios/kursk_2024.ron", "--format", "dot"]),
    ("kursk_2024.svg", &["graph", "scenarios/kursk_2024.ron", "--format", "svg"]),
    (
        "kursk_2024_prk_rus_ukr.html",
        &["eval", "scenarios/kursk_2024.ron", "--format", "html", "--party", "PRK", "--party", "RUS", "--party", "UKR"],
    ),
    (
        "kursk_2024_prk_timeline.svg",
        &["timeline", "scenarios/kursk_2024.ron", "--party", "PRK", "--all", "--format", "svg"],
    ),
    (
        "sweep_2025.html",
        &[
            "sweep",
            "--rules",
            "rules",
            "--attackers",
            "CHN,PRK,RUS",
            "--victims",
            "JPN,POL,UKR,USA",
            "--on",
            "2025-06-01",
            "--format",
            "html",
        ],
    ),
];

#[test]
fn the_pictures_in_docs_are_current() {
    let bless = std::env::var_os("CASUS_BLESS").is_some();
    let dir = Path::new("docs/pictures");
    let mut stale = Vec::new();
    for (name, args) in PICTURES {
        let drawn = run(args);
        let path = dir.join(name);
        if bless {
            fs::create_dir_all(dir).unwrap();
            fs::write(&path, &drawn).unwrap();
        } else if fs::read_to_string(&path).ok().as_deref() != Some(drawn.as_str()) {
            stale.push(format!("{} (casus {})", path.display(), args.join(" ")));
        }
    }
    assert!(stale.is_empty(), "stale pictures; run `CASUS_BLESS=1 cargo test --test pictures`:\n{}", stale.join("\n"));
}

#[test]
fn every_picture_is_well_formed_xml() {
    for (name, args) in PICTURES.iter().filter(|(n, _)| n.ends_with(".svg") || n.ends_with(".html")) {
        let text = run(args);
        elements(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn the_same_scenario_draws_the_same_bytes() {
    for args in [&["eval", "scenarios/july_1914.ron", "--format", "html"][..], &["graph", "scenarios/ukraine_2022.ron"]]
    {
        assert_eq!(run(args), run(args), "casus {}", args.join(" "));
    }
}

/// An element: its name and attributes.
type Element = (String, BTreeMap<String, String>);

/// Every element of an XML document, in order; an error if it is not well formed.
fn elements(text: &str) -> Result<Vec<Element>, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut out = Vec::new();
    loop {
        match reader.read_event().map_err(|e| format!("at byte {}: {e}", reader.buffer_position()))? {
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.map_err(|e| e.to_string())?;
                        let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                        let value = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map_err(|e| e.to_string())?
                            .into_owned();
                        Ok((key, value))
                    })
                    .collect::<Result<_, String>>()?;
                out.push((name, attrs));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The elements of a class.
fn with_class<'a>(elements: &'a [Element], name: &str, class: &str) -> Vec<&'a BTreeMap<String, String>> {
    elements
        .iter()
        .filter(|(n, a)| n == name && a.get("class").is_some_and(|c| c.split(' ').any(|c| c == class)))
        .map(|(_, a)| a)
        .collect()
}

/// The JSON report of a scenario.
fn report(scenario: &str, more: &[&str]) -> serde_json::Value {
    let mut args = vec!["eval", scenario, "--format", "json"];
    args.extend(more);
    serde_json::from_str(&run(&args)).unwrap()
}

fn text(v: &serde_json::Value) -> String {
    v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())
}

/// A norm's arguments as `role=value`, sorted and joined by commas.
fn args_of(norm: &serde_json::Value) -> String {
    let mut pairs: Vec<String> =
        norm["args"].as_object().unwrap().iter().map(|(k, v)| format!("{k}={}", text(v))).collect();
    pairs.sort();
    pairs.join(",")
}

const SCENARIOS: &[&str] = &[
    "scenarios/july_1914.ron",
    "scenarios/kursk_2024.ron",
    "scenarios/dprk_petroleum_2024.ron",
    "scenarios/nato_area_2025.ron",
    "scenarios/ukraine_2022.ron",
];

#[test]
fn the_html_report_holds_every_norm_of_the_json_report() {
    for scenario in SCENARIOS {
        let json = report(scenario, &[]);
        let mut want: Vec<[String; 8]> = json["norms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                [
                    text(&n["party"]),
                    text(&n["modality"]),
                    text(&n["action"]),
                    args_of(n),
                    text(&n["instrument"]),
                    text(&n["article"]),
                    text(&n["status"]),
                    text(&n["since"]),
                ]
            })
            .collect();
        let html = run(&["eval", scenario, "--format", "html"]);
        let elements = elements(&html).unwrap();
        let field = |a: &BTreeMap<String, String>, k: &str| a.get(k).cloned().unwrap_or_default();
        let mut found: Vec<[String; 8]> = with_class(&elements, "li", "norm")
            .into_iter()
            .map(|a| {
                ["party", "modality", "action", "args", "instrument", "article", "status", "since"]
                    .map(|k| field(a, &format!("data-{k}")))
            })
            .collect();
        want.sort();
        found.sort();
        assert!(!want.is_empty(), "{scenario}: no norms");
        assert_eq!(found, want, "{scenario}: the HTML's norms are not the report's");
        // Each norm opens on an explanation quoting its article, where the rules give a text; past
        // 5 000 norms the page leaves the explanations out and says so (docs/pictures.md).
        let explained = with_class(&elements, "div", "explanation").len();
        if want.len() <= 5000 {
            assert_eq!(explained, want.len(), "{scenario}: explanations");
        } else {
            assert_eq!(explained, 0, "{scenario}: explanations past 5 000 norms");
            assert!(html.contains("their explanations are left out"), "{scenario}: the page does not say so");
        }
    }
}

#[test]
fn the_graphs_edges_are_the_reports_duties_that_name_another_party() {
    for scenario in SCENARIOS {
        let json = report(scenario, &[]);
        let svg = run(&["graph", scenario, "--format", "svg"]);
        let elements = elements(&svg).unwrap();
        let attacks = with_class(&elements, "g", "attack");
        let mut parties: BTreeSet<String> = json["instruments"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|i| i["bound"].as_object().unwrap().keys().cloned())
            .collect();
        parties.extend(json["norms"].as_array().unwrap().iter().map(|n| text(&n["party"])));
        parties.extend(attacks.iter().flat_map(|a| [a["data-by"].clone(), a["data-on"].clone()]));
        // Each drawn norm — what a report lists by default: obligations, and norms broken or
        // overridden — with the parties it could be drawn from: those its arguments name.
        let mut want: Vec<([String; 6], BTreeSet<String>)> = Vec::new();
        for n in json["norms"].as_array().unwrap() {
            let (modality, status, party) = (text(&n["modality"]), text(&n["status"]), text(&n["party"]));
            if modality != "must" && status != "violated" && status != "overridden" {
                continue;
            }
            let owed: BTreeSet<String> = n["args"]
                .as_object()
                .unwrap()
                .values()
                .map(text)
                .filter(|v| *v != party && parties.contains(v))
                .collect();
            if !owed.is_empty() {
                let key = [party, modality, text(&n["action"]), text(&n["instrument"]), text(&n["article"]), status];
                want.push((key, owed));
            }
        }
        let mut found: Vec<([String; 6], String)> = with_class(&elements, "g", "edge")
            .into_iter()
            .map(|a| {
                let key =
                    ["data-party", "data-modality", "data-action", "data-instrument", "data-article", "data-status"]
                        .map(|k| a[k].clone());
                (key, a["data-owed"].clone())
            })
            .collect();
        want.sort();
        found.sort();
        let found_keys: Vec<&[String; 6]> = found.iter().map(|(k, _)| k).collect();
        let want_keys: Vec<&[String; 6]> = want.iter().map(|(k, _)| k).collect();
        assert_eq!(found_keys, want_keys, "{scenario}: the edges are not the report's duties");
        for ((key, owed), (_, allowed)) in found.iter().zip(&want) {
            assert!(allowed.contains(owed), "{scenario}: {key:?} drawn from {owed}, which it does not name");
        }
        // Every edge and attack of the SVG is one of the DOT's, and every node a party.
        let dot = run(&["graph", scenario, "--format", "dot"]);
        let arrows = dot.lines().filter(|l| l.contains(" -> ")).count();
        assert_eq!(arrows, found.len() + attacks.len(), "{scenario}: DOT and SVG differ");
        for node in with_class(&elements, "g", "node") {
            assert!(parties.contains(&node["data-party"]), "{scenario}: node {} is no party", node["data-party"]);
        }
    }
}

#[test]
fn a_text_timeline_fits_its_width() {
    for width in ["40", "80", "132"] {
        let out = run(&["timeline", "scenarios/july_1914.ron", "--width", width]);
        let w: usize = width.parse().unwrap();
        let longest = out.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(longest <= w, "a line of {longest} columns at --width {w}:\n{out}");
        // From 80 columns on, the article of a duty is not cut.
        assert!(w < 80 || out.contains("dual_alliance_1879 art. 1"), "{out}");
    }
    let out = run(&["timeline", "scenarios/july_1914.ron", "--width", "100", "--party", "GMY"]);
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("  ") && !l.starts_with("   ")).collect();
    assert_eq!(rows.len(), 1, "GMY bears one duty or broken prohibition in July 1914:\n{out}");
    // Its prohibition to use force against Belgium stood, then was broken on 4 August.
    let bars = rows[0].split("  ").last().unwrap();
    assert!(bars.starts_with("<~") && bars.ends_with('X'), "{out}");
    assert!(
        !bars.trim_start_matches(['<', '~']).trim_start_matches('X').contains(' '),
        "a gap between the bars: {out}"
    );
}

/// The parties under a duty on `on` in the report of `scenario`, with the duties as
/// `(party, instrument, article, action)`.
fn duties_on(dir: &Path, name: &str, events: &str, on: &str) -> BTreeSet<(String, String, String, String, String)> {
    let path = dir.join(format!("{name}.ron"));
    let rules = fs::canonicalize("rules").unwrap();
    fs::write(
        &path,
        format!("Scenario(title: \"{name}\", rules: [{:?}], as_of: \"{on}\", events: [{events}])", rules.display()),
    )
    .unwrap();
    let json = report(path.to_str().unwrap(), &[]);
    json["norms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| text(&n["modality"]) == "must")
        .filter(|n| n["episodes"].as_array().unwrap().last().is_some_and(|e| e["until"].is_null()))
        .map(|n| (text(&n["party"]), text(&n["instrument"]), text(&n["article"]), text(&n["action"]), args_of(n)))
        .collect()
}

#[test]
fn the_sweep_agrees_with_evaluating_each_cell_alone() {
    let (attackers, victims, on) = (["CHN", "RUS"], ["JPN", "POL", "UKR"], "2025-06-01");
    let json: serde_json::Value = serde_json::from_str(&run(&[
        "sweep",
        "--rules",
        "rules",
        "--attackers",
        &attackers.join(","),
        "--victims",
        &victims.join(","),
        "--on",
        on,
        "--format",
        "json",
    ]))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let baseline = duties_on(dir.path(), "baseline", "", on);
    let cells = json["cells"].as_array().unwrap();
    assert_eq!(cells.len(), attackers.len() * victims.len());
    let mut drawn_in = 0;
    for a in attackers {
        for v in victims {
            let events =
                format!("Fact(kind: \"armed_attack\", args: {{\"by\": \"{a}\", \"on\": \"{v}\"}}, from: \"{on}\")");
            let alone = duties_on(dir.path(), &format!("{a}_{v}"), &events, on);
            let obliged: BTreeSet<String> = alone.difference(&baseline).map(|d| d.0.clone()).collect();
            let cell = cells.iter().find(|c| c["attacker"] == a && c["victim"] == v).unwrap();
            let swept: BTreeSet<String> = cell["obliged"].as_array().unwrap().iter().map(text).collect();
            assert_eq!(swept, obliged, "{a} attacks {v}");
            drawn_in += obliged.len();
        }
    }
    // An attack on Poland, a member of NATO and of the European Union, draws in both alliances.
    let poland = cells.iter().find(|c| c["attacker"] == "RUS" && c["victim"] == "POL").unwrap();
    let instruments: Vec<String> = poland["instruments"].as_array().unwrap().iter().map(text).collect();
    assert!(instruments.contains(&"nato_1949".to_string()) && instruments.contains(&"teu_2009".to_string()));
    assert!(drawn_in > 0);
    // CSV: a header and one line per cell, the same counts.
    let csv = run(&["sweep", "--rules", "rules", "--attackers", "CHN,RUS", "--victims", "JPN,POL,UKR", "--on", on]);
    assert_eq!(csv.lines().count(), 1 + cells.len());
    for (line, cell) in csv.lines().skip(1).zip(cells) {
        let count: usize = line.split(',').nth(2).unwrap().parse().unwrap();
        assert_eq!(count, cell["obliged"].as_array().unwrap().len(), "{line}");
    }
}

#[test]
fn bad_requests_are_refused_with_a_reason() {
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["sweep", "--rules", "rules", "--attackers", "NOWHERE", "--victims", "POL", "--on", "2025-06-01"],
            1,
            "`NOWHERE` is neither a group nor a party",
        ),
        (
            &["sweep", "--rules", "rules", "--attackers", "RUS", "--victims", "POL", "--on", "2025-13-01"],
            2,
            "2025-13-01",
        ),
        (
            &[
                "sweep",
                "--rules",
                "rules",
                "--attackers",
                "RUS",
                "--victims",
                "POL",
                "--on",
                "2025-06-01",
                "--action",
                "fly",
            ],
            1,
            "no action `fly`",
        ),
        (
            &["sweep", "--rules", "rules", "--attackers", "AUH", "--victims", "POL", "--on", "2025-06-01"],
            1,
            "--attackers `AUH` names no state on 2025-06-01",
        ),
        (&["graph", "scenarios/no_such.ron"], 1, "no_such.ron"),
        (&["graph", "scenarios/july_1914.ron", "--party", "GERMANY"], 1, "--party names no party `GERMANY`"),
        (&["timeline", "scenarios/july_1914.ron", "--width", "10"], 2, "10"),
        (
            &[
                "eval",
                "scenarios/july_1914.ron",
                "--format",
                "html",
                "--with",
                "Fact(kind: \"armed_attack\", args: {\"by\": \"ITA\", \"on\": \"FRA\"}, from: \"1914-08-10\")",
            ],
            1,
            "print what changes",
        ),
    ];
    for (args, code, says) in cases {
        let out = casus().args(*args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(*code), "casus {}: {err}", args.join(" "));
        assert!(err.contains(says), "casus {}: {err}", args.join(" "));
        assert!(out.stdout.is_empty(), "casus {} wrote output", args.join(" "));
    }
}

#[test]
fn a_timeline_outlines_each_conflict_on_both_its_sides() {
    let json = report("scenarios/kursk_2024.ron", &["--party", "PRK"]);
    let conflicts = json["conflicts"].as_array().unwrap();
    assert!(!conflicts.is_empty(), "the DPRK's duty under the 2024 treaty meets prohibitions that prevail");
    let svg = run(&["timeline", "scenarios/kursk_2024.ron", "--party", "PRK", "--all", "--format", "svg"]);
    let outlined = with_class(&elements(&svg).unwrap(), "rect", "conflict").len();
    assert_eq!(outlined, 2 * conflicts.len(), "each conflict has an obligation and a prohibition, both the DPRK's");
    let text = run(&["timeline", "scenarios/kursk_2024.ron", "--party", "PRK", "--width", "100"]);
    let duty = text.lines().find(|l| l.contains("kp_ru_2024 art. 4")).unwrap();
    assert!(duty.contains('!'), "{text}");
}

#[test]
fn a_group_attacks_with_the_states_it_has_on_the_day() {
    // `europe` lists Austria-Hungary, which no longer exists in 2025; the sweep leaves it out.
    let csv = run(&["sweep", "--rules", "rules", "--attackers", "europe", "--victims", "POL", "--on", "2025-06-01"]);
    let attackers: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert!(attackers.contains(&"DEU") && !attackers.contains(&"AUH") && !attackers.contains(&"POL"), "{csv}");
    let in_1914 =
        run(&["sweep", "--rules", "rules", "--attackers", "europe", "--victims", "BEL", "--on", "1914-08-01"]);
    assert!(in_1914.lines().any(|l| l.starts_with("AUH,BEL,")), "{in_1914}");
}

#[test]
fn a_large_report_keeps_every_norm_and_leaves_out_what_no_one_could_read() {
    // A dense cascade of 40 states and 100 pacts gives thousands of obligations.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    run(&["synth", "--dense", "--states", "40", "--treaties", "100", "--out", out]);
    let scenario = dir.path().join("scenario.ron");
    let scenario = scenario.to_str().unwrap();
    let norms = report(scenario, &[])["norms"].as_array().unwrap().len();
    assert!(norms > 5000, "{norms} norms");
    let html = run(&["eval", scenario, "--format", "html"]);
    let elements = elements(&html).unwrap();
    assert_eq!(with_class(&elements, "li", "norm").len(), norms);
    assert!(with_class(&elements, "div", "explanation").is_empty());
    assert!(with_class(&elements, "svg", "cascade").is_empty());
    assert!(html.contains("their explanations are left out") && html.contains("too many to draw legibly"));
}
