//! The what-if matrix: for every attacker and victim, the parties an attack on one day would put
//! under a duty, and through which instruments — each cell computed from one program ([`Ask`]),
//! written as data (CSV and JSON) and as an HTML heatmap whose cells link to the cascade each
//! attack sets off. The cells are independent, so a caller may compute them in parallel.

use std::fmt::Write;

use std::collections::BTreeSet;

use casus::calendar::Day;
use casus::eval::Evaluation;
use casus::program::Program;
use casus::scenario::{Event, EventKind, Scenario, Spanned};
use casus_syntax::ast::Modality;
use casus_syntax::source::Span;
use serde::Serialize;

use crate::markup::esc;

/// A sweep over attackers and victims.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Sweep {
    /// The date of every attack, and of every report.
    pub on: Day,
    /// Whether every due obligation was taken as performed, so that cascades unfold.
    pub assume_compliance: bool,
    /// The attackers, the matrix's rows.
    pub attackers: Vec<String>,
    /// The victims, its columns.
    pub victims: Vec<String>,
    /// One cell per attacker and victim that differ, row by row.
    pub cells: Vec<Cell>,
}

/// What an attack by one party on another on the day puts parties under.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Cell {
    /// The attacker.
    pub attacker: String,
    /// The victim.
    pub victim: String,
    /// The parties under a duty the attack gave, sorted.
    pub obliged: Vec<String>,
    /// The instruments of those duties, sorted.
    pub instruments: Vec<String>,
    /// The duties, sorted by party, instrument and article.
    pub obligations: Vec<Obligation>,
}

/// One duty an attack gave.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Obligation {
    /// The party obliged.
    pub party: String,
    /// The instrument.
    pub instrument: String,
    /// The article.
    pub article: String,
    /// The action, with its arguments.
    pub action: String,
    /// Its status on the day.
    pub status: String,
}

/// What a sweep asks of each cell: the day, whether compliance is assumed, and the actions whose
/// duties count (all, when empty).
#[derive(Clone, Copy, Debug)]
pub struct Ask<'a> {
    /// The day of the attack and of the evaluation.
    pub on: Day,
    /// Whether every due obligation is taken as performed.
    pub assume_compliance: bool,
    /// The actions whose duties count.
    pub actions: &'a [String],
}

/// The duties that hold on the day with no attack at all, by party, instrument, article and
/// action: they are not an attack's, whatever their status with it.
#[derive(Clone, Debug, Default)]
pub struct Baseline(BTreeSet<(String, String, String, String)>);

impl Obligation {
    /// Which duty it is: its party, instrument, article and action, not its status.
    fn identity(&self) -> (String, String, String, String) {
        (self.party.clone(), self.instrument.clone(), self.article.clone(), self.action.clone())
    }
}

impl Ask<'_> {
    /// The duties of the day without an attack.
    pub fn baseline(&self, program: &Program) -> Result<Baseline, String> {
        Ok(Baseline(self.duties(&self.evaluate(program, None)?).iter().map(Obligation::identity).collect()))
    }

    /// The cell of an attack by `attacker` on `victim`: the duties on the day that are not in the
    /// baseline.
    pub fn cell(&self, program: &Program, baseline: &Baseline, attacker: &str, victim: &str) -> Result<Cell, String> {
        let eval = self.evaluate(program, Some((attacker, victim)))?;
        let obligations: Vec<Obligation> =
            self.duties(&eval).into_iter().filter(|o| !baseline.0.contains(&o.identity())).collect();
        let obliged: BTreeSet<String> = obligations.iter().map(|o| o.party.clone()).collect();
        let instruments: BTreeSet<String> = obligations.iter().map(|o| o.instrument.clone()).collect();
        Ok(Cell {
            attacker: attacker.to_string(),
            victim: victim.to_string(),
            obliged: obliged.into_iter().collect(),
            instruments: instruments.into_iter().collect(),
            obligations,
        })
    }

    /// The evaluation on the day of a scenario of one armed attack, or of none.
    fn evaluate<'p>(&self, program: &'p Program, attack: Option<(&str, &str)>) -> Result<Evaluation<'p>, String> {
        let spanned = |s: &str| Spanned { value: s.to_string(), span: Span::default() };
        let events = attack
            .map(|(by, on)| Event {
                kind: EventKind::Fact {
                    kind: spanned(crate::graph::ATTACK),
                    args: vec![(spanned("by"), spanned(by)), (spanned("on"), spanned(on))],
                    from: self.on,
                    until: None,
                    source: None,
                },
                span: Span::default(),
            })
            .into_iter()
            .collect();
        let scenario = Scenario {
            file: Default::default(),
            title: String::new(),
            description: String::new(),
            rules: Vec::new(),
            as_of: self.on,
            assume_compliance: self.assume_compliance,
            events,
            expect: Vec::new(),
            without: Vec::new(),
            budget: casus::scenario::DEFAULT_BUDGET,
        };
        let what = match attack {
            Some((by, on)) => format!("an attack by {by} on {on}"),
            None => "no attack".to_string(),
        };
        let eval = casus::eval::evaluate(program, &scenario, self.on, self.assume_compliance).map_err(|ds| {
            let messages: Vec<String> = ds.iter().map(|d| d.message()).collect();
            format!("{what} cannot be evaluated: {}", messages.join("; "))
        })?;
        if let Some(p) = eval.problems().first() {
            return Err(format!("the evaluation of {what} failed: {}", p.message()));
        }
        Ok(eval)
    }

    /// The duties that hold on the day, of the actions asked for, sorted.
    fn duties(&self, eval: &Evaluation) -> Vec<Obligation> {
        let program = eval.world.program;
        let mut out: Vec<Obligation> = eval
            .norms
            .iter()
            .filter(|(k, rec)| {
                k.modality == Modality::Must
                    && rec.episodes.last().is_some_and(|e| e.when.contains(self.on))
                    && (self.actions.is_empty() || self.actions.iter().any(|a| a == eval.world.name(k.action)))
            })
            .map(|(k, rec)| Obligation {
                party: eval.world.name(k.party).to_string(),
                instrument: program.instrument_id(k.instrument).to_string(),
                article: k.article_id(program).to_string(),
                action: eval.world.pattern_text(k.action, &k.args),
                status: rec.status.name().to_string(),
            })
            .collect();
        out.sort();
        out
    }
}

impl Sweep {
    /// The sweep as CSV: one line per cell, the obliged parties and instruments separated by
    /// spaces.
    pub fn csv(&self) -> String {
        let mut out = String::from("attacker,victim,obliged_count,obliged,instruments\n");
        for c in &self.cells {
            let _ = writeln!(
                out,
                "{},{},{},{},{}",
                csv_field(&c.attacker),
                csv_field(&c.victim),
                c.obliged.len(),
                csv_field(&c.obliged.join(" ")),
                csv_field(&c.instruments.join(" "))
            );
        }
        out
    }

    /// The sweep as an HTML page: the matrix as a heatmap, and each cell's cascade below it.
    pub fn html(&self) -> String {
        let most = self.cells.iter().map(|c| c.obliged.len()).max().unwrap_or(0).max(1);
        // Each cell by its attacker and victim, found once: a matrix of the United Nations has
        // 37 056 of them.
        let cells: std::collections::BTreeMap<(&str, &str), &Cell> =
            self.cells.iter().map(|c| ((c.attacker.as_str(), c.victim.as_str()), c)).collect();
        let mut out = String::with_capacity(64 * 1024);
        let title = format!("Who is bound to join: attacks on {}", self.on);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>{t}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{t}</h1>\n<p>Each cell counts the parties that an armed attack by the row's state on the column's state, on {on}, would put under a duty it does not bear without the attack{assumed}. Follow a cell to its cascade: every duty, with its instrument and article.</p>\n",
            t = esc(&title),
            on = self.on,
            assumed = if self.assume_compliance { ", every due obligation taken as performed" } else { "" },
        );
        out.push_str("<div class=\"matrix\"><table class=\"heatmap\">\n<caption>Attacker (rows) × victim (columns): how many parties are obliged</caption>\n<thead><tr><th scope=\"col\">attacker ↓ victim →</th>");
        for v in &self.victims {
            let _ = write!(out, "<th scope=\"col\">{}</th>", esc(v));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for a in &self.attackers {
            let _ = write!(out, "<tr><th scope=\"row\">{}</th>", esc(a));
            for v in &self.victims {
                match cells.get(&(a.as_str(), v.as_str())) {
                    None => out.push_str("<td class=\"none\">—</td>"),
                    Some(c) if c.obliged.is_empty() => {
                        let _ = write!(
                            out,
                            "<td class=\"zero\" title=\"{} on {}: no party obliged\">0</td>",
                            esc(a),
                            esc(v)
                        );
                    }
                    Some(c) => {
                        let n = c.obliged.len();
                        // Lightness falls from 95 % to 40 % as the count grows; the count is written
                        // in the cell as well.
                        let light = 95 - (55 * n / most);
                        let ink = if light < 62 { "#fff" } else { "#000" };
                        let _ = write!(
                            out,
                            "<td style=\"background:hsl(12,80%,{light}%);color:{ink}\"><a href=\"#cell-{}-{}\" title=\"{} on {}: {} obliged through {}\">{n}</a></td>",
                            esc(a),
                            esc(v),
                            esc(a),
                            esc(v),
                            esc(&c.obliged.join(", ")),
                            esc(&c.instruments.join(", ")),
                        );
                    }
                }
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table></div>\n<h2>Cascades</h2>\n");
        let mut any = false;
        for c in self.cells.iter().filter(|c| !c.obliged.is_empty()) {
            any = true;
            let _ = write!(
                out,
                "<section class=\"cell\" id=\"cell-{a}-{v}\"><h3>{a} attacks {v}: {n} part{ies} obliged</h3>\n<table><thead><tr><th scope=\"col\">Party</th><th scope=\"col\">Duty</th><th scope=\"col\">Instrument</th><th scope=\"col\">Article</th><th scope=\"col\">Status</th></tr></thead><tbody>\n",
                a = esc(&c.attacker),
                v = esc(&c.victim),
                n = c.obliged.len(),
                ies = if c.obliged.len() == 1 { "y" } else { "ies" }
            );
            for o in &c.obligations {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&o.party),
                    esc(&o.action),
                    esc(&o.instrument),
                    esc(&o.article),
                    esc(&o.status)
                );
            }
            out.push_str("</tbody></table></section>\n");
        }
        if !any {
            out.push_str("<p>No attack of the matrix puts any party under a duty.</p>\n");
        }
        out.push_str("</body>\n</html>\n");
        out
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
}

const STYLE: &str = r#"
body { font: 15px/1.45 system-ui, sans-serif; margin: 1rem; }
.matrix { overflow: auto; max-height: 80vh; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #ddd; padding: .15rem .35rem; text-align: center; font-size: .8rem; }
td a { color: inherit; display: block; }
td.zero { color: #999; } td.none { background: #eee; }
thead th { position: sticky; top: 0; background: #fff; }
tbody th { position: sticky; left: 0; background: #fff; }
section.cell td { text-align: left; }
a:focus { outline: 3px solid #1f78b4; }
"#;
