//! The cascade graph: parties as nodes, each norm as an edge from the party it is owed to (the
//! first party its action names, such as the `ally` of `assist_militarily`) to the party that
//! bears it, and the attacks that started the cascade. Written as DOT for Graphviz, or as SVG
//! laid out in rounds, left to right: the first attacker, then the parties its attacks and the
//! norms owed to it lead to, and so on.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use casus::calendar::Day;
use casus::outcome::Status;
use casus::report::{NormReport, Report};
use casus::scenario::{EventKind, Scenario};
use casus_syntax::ast::Modality;

use crate::markup::{STATUSES, dot_quote, esc, look};

/// The kind of fact whose scenario events are drawn as the attacks that start a cascade.
pub const ATTACK: &str = "armed_attack";

/// The cascade graph of a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Graph {
    /// The scenario's title.
    pub title: String,
    /// The date of the report.
    pub as_of: Day,
    /// The parties, by round and then by name.
    pub nodes: Vec<Node>,
    /// The norms drawn, sorted by owed party, bearer, instrument, article and action.
    pub edges: Vec<Edge>,
    /// The attacks of the scenario up to the date.
    pub attacks: Vec<Attack>,
    /// The norms of the kinds drawn that name no other party, so have no edge.
    pub undrawn: usize,
}

/// A party in the graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Its code.
    pub party: String,
    /// Its round: how many attacks and norms lead to it from the first attacker (or from the
    /// party that starts its part of the graph).
    pub round: usize,
    /// Whether it was attacked.
    pub attacked: bool,
    /// Whether it attacked.
    pub attacker: bool,
}

/// A norm drawn as an edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// The party it is owed to.
    pub owed: String,
    /// The party that bears it.
    pub party: String,
    /// Must, must not or may.
    pub modality: Modality,
    /// The action.
    pub action: String,
    /// The action with its arguments, as the text report writes it.
    pub act: String,
    /// The instrument.
    pub instrument: String,
    /// The article.
    pub article: String,
    /// Its status on the date.
    pub status: Status,
    /// The first day of that status.
    pub since: Day,
    /// The due date of its latest episode, if it has one.
    pub due: Option<Day>,
}

/// An attack of the scenario.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Attack {
    /// The first day.
    pub from: Day,
    /// The attacker.
    pub by: String,
    /// The party attacked.
    pub on: String,
}

/// Which norms a picture draws: the graph's edges, a timeline's rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// What a report lists by default: obligations, and norms broken or overridden — the
    /// cascade and what stood in its way.
    #[default]
    Duties,
    /// Every norm, prohibitions that merely stand and permissions included.
    All,
}

impl Scope {
    /// Whether a norm of the report is of a kind this scope draws.
    pub fn draws(self, norm: &NormReport) -> bool {
        self == Scope::All || norm.listed_by_default()
    }
}

/// The attacks of a scenario that began by `as_of`.
pub fn attacks(scenario: &Scenario, as_of: Day) -> Vec<Attack> {
    let mut out: Vec<Attack> = scenario
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Fact { kind, args, from, .. } if kind.value == ATTACK && *from <= as_of => {
                let role = |r: &str| args.iter().find(|(k, _)| k.value == r).map(|(_, v)| v.value.clone());
                Some(Attack { from: *from, by: role("by")?, on: role("on")? })
            }
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

impl Graph {
    /// The graph of a report's norms of `scope`, with the scenario's attacks.
    pub fn new(report: &Report, attacks: Vec<Attack>, scope: Scope) -> Graph {
        let parties = parties(report, &attacks);
        let mut edges = Vec::new();
        let mut undrawn = 0;
        for norm in report.norms.iter().filter(|n| scope.draws(n)) {
            match owed(report, norm, &parties) {
                Some(owed) => edges.push(edge(report, norm, owed)),
                None => undrawn += 1,
            }
        }
        edges.sort_by(|a, b| {
            (&a.owed, &a.party, &a.instrument, &a.article, &a.act, a.modality).cmp(&(
                &b.owed,
                &b.party,
                &b.instrument,
                &b.article,
                &b.act,
                b.modality,
            ))
        });
        let nodes = rounds(&edges, &attacks);
        Graph { title: report.scenario.clone(), as_of: report.as_of, nodes, edges, attacks, undrawn }
    }

    /// The graph in Graphviz's DOT language.
    pub fn dot(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "digraph cascade {{");
        let label = format!("{} — as of {}", self.title, self.as_of);
        let _ =
            writeln!(out, "  graph [rankdir=LR, labelloc=t, fontname=\"sans-serif\", label={}];", dot_quote(&label));
        let _ = writeln!(out, "  node [shape=box, style=rounded, fontname=\"sans-serif\"];");
        let _ = writeln!(out, "  edge [fontname=\"sans-serif\", fontsize=10];");
        for n in &self.nodes {
            let fill = if n.attacked { ", style=\"rounded,filled\", fillcolor=\"#fde0dd\"" } else { "" };
            let _ = writeln!(out, "  {} [label={}{fill}];", dot_quote(&n.party), dot_quote(&node_label(n)));
        }
        for a in &self.attacks {
            let label = format!("armed attack\n{}", a.from);
            let _ = writeln!(
                out,
                "  {} -> {} [label={}, color=\"#b2182b\", penwidth=3, style=bold, arrowhead=normal];",
                dot_quote(&a.by),
                dot_quote(&a.on),
                dot_quote(&label)
            );
        }
        for e in &self.edges {
            let l = look(e.status);
            let head = if e.modality == Modality::MustNot { "tee" } else { "normal" };
            let _ = writeln!(
                out,
                "  {} -> {} [label={}, color=\"{}\", fontcolor=\"{}\", style={}, arrowhead={head}, tooltip={}];",
                dot_quote(&e.owed),
                dot_quote(&e.party),
                dot_quote(&edge_label(e)),
                l.colour,
                l.colour,
                l.dot_style,
                dot_quote(&edge_title(e)),
            );
        }
        if self.undrawn > 0 {
            let _ = writeln!(out, "  // {} norm(s) name no other party and are not drawn", self.undrawn);
        }
        out.push_str("}\n");
        out
    }

    /// The graph as a standalone SVG picture, laid out in rounds.
    pub fn svg(&self) -> String {
        Layout::new(self).svg(self)
    }
}

/// The parties a value of a norm's arguments may name: every party an instrument binds, every
/// bearer, every party of an attack.
fn parties<'r>(report: &'r Report, attacks: &'r [Attack]) -> BTreeSet<&'r str> {
    let mut out: BTreeSet<&str> = report.instruments.iter().flat_map(|i| i.bound.keys()).map(String::as_str).collect();
    out.extend(report.norms.iter().map(|n| &*n.party));
    out.extend(attacks.iter().flat_map(|a| [a.by.as_str(), a.on.as_str()]));
    out
}

/// The party a norm is owed to: the first party its arguments name, in the order the action
/// declares its roles, other than the bearer.
fn owed<'n>(report: &Report, norm: &'n NormReport, parties: &BTreeSet<&str>) -> Option<&'n str> {
    report
        .in_role_order(&norm.action, &norm.args)
        .into_iter()
        .map(|(_, v)| v)
        .find(|v| *v != &*norm.party && parties.contains(v))
}

fn edge(report: &Report, norm: &NormReport, owed: &str) -> Edge {
    Edge {
        owed: owed.to_string(),
        party: norm.party.to_string(),
        modality: norm.modality,
        action: norm.action.to_string(),
        act: report.action(&norm.action, &norm.args),
        instrument: norm.instrument.to_string(),
        article: norm.article.to_string(),
        status: norm.status,
        since: norm.since,
        due: norm.episodes.last().and_then(|e| e.due),
    }
}

/// The nodes with their rounds: a search outwards from the first attacker, along attacks (from
/// attacker to victim) and norms (from the party owed to the party bound); a party it does not
/// reach starts a search of its own, the next attacker first, then by name.
fn rounds(edges: &[Edge], attacks: &[Attack]) -> Vec<Node> {
    let mut next: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for a in attacks {
        next.entry(a.by.as_str()).or_default().insert(a.on.as_str());
    }
    for e in edges {
        next.entry(e.owed.as_str()).or_default().insert(e.party.as_str());
    }
    let mut names: BTreeSet<&str> = next.keys().copied().collect();
    names.extend(next.values().flatten().copied());
    let seeds = attacks.iter().map(|a| a.by.as_str()).chain(names.iter().copied());
    let mut round: BTreeMap<&str, usize> = BTreeMap::new();
    for seed in seeds {
        if round.contains_key(seed) {
            continue;
        }
        round.insert(seed, 0);
        let mut queue = std::collections::VecDeque::from([seed]);
        while let Some(p) = queue.pop_front() {
            let r = round.get(p).copied().unwrap_or(0);
            for q in next.get(p).into_iter().flatten() {
                if !round.contains_key(q) {
                    round.insert(q, r + 1);
                    queue.push_back(q);
                }
            }
        }
    }
    let mut nodes: Vec<Node> = round
        .into_iter()
        .map(|(p, r)| Node {
            party: p.to_string(),
            round: r,
            attacked: attacks.iter().any(|a| a.on == p),
            attacker: attacks.iter().any(|a| a.by == p),
        })
        .collect();
    nodes.sort_by(|a, b| (a.round, &a.party).cmp(&(b.round, &b.party)));
    nodes
}

/// What a party did in the attacks, if anything: `attacker`, `attacked` or both.
fn role(n: &Node) -> Option<&'static str> {
    match (n.attacker, n.attacked) {
        (true, true) => Some("attacker, attacked"),
        (true, false) => Some("attacker"),
        (false, true) => Some("attacked"),
        (false, false) => None,
    }
}

fn node_label(n: &Node) -> String {
    match role(n) {
        Some(role) => format!("{}\n({role})", n.party),
        None => n.party.clone(),
    }
}

/// An edge's label: the instrument and article, and the status in words.
fn edge_label(e: &Edge) -> String {
    format!("{} art. {}\n{} {}", e.instrument, e.article, e.modality.words(), look(e.status).word)
}

/// An edge's full description, for a tooltip or a screen reader.
fn edge_title(e: &Edge) -> String {
    let due = e.due.map(|d| format!(", due {d}")).unwrap_or_default();
    format!(
        "{} {} {} — {} art. {} — {} since {}{due}",
        e.party,
        e.modality.words(),
        e.act,
        e.instrument,
        e.article,
        look(e.status).word,
        e.since
    )
}

/// Where each node is drawn.
struct Layout {
    /// The top-left corner of each node, by party.
    at: BTreeMap<String, (i64, i64)>,
    width: i64,
    height: i64,
    /// The height of the key below the legend: none past [`MAX_LABELLED`] edges.
    key: i64,
}

const NODE_W: i64 = 150;
const NODE_H: i64 = 44;
const COL_GAP: i64 = 230;
const ROW_GAP: i64 = 30;
const MARGIN: i64 = 24;
const TOP: i64 = 64;
/// Past this many edges, edges are not numbered and have no key: the tooltips describe them.
const MAX_LABELLED: usize = 60;
const KEY_LINE: i64 = 16;

impl Layout {
    fn new(g: &Graph) -> Layout {
        // Within a round, parties follow the average row of the parties they are obliged towards
        // (a barycentre pass, which uncrosses most edges), then their names.
        let mut rows: BTreeMap<&str, f64> = BTreeMap::new();
        let mut columns: BTreeMap<usize, Vec<&Node>> = BTreeMap::new();
        for n in &g.nodes {
            columns.entry(n.round).or_default().push(n);
        }
        let mut at = BTreeMap::new();
        let mut tallest = 0;
        for (c, nodes) in &mut columns {
            let key = |n: &Node| -> f64 {
                let owed: Vec<f64> = g
                    .edges
                    .iter()
                    .filter(|e| e.party == n.party)
                    .filter_map(|e| rows.get(e.owed.as_str()).copied())
                    .collect();
                if owed.is_empty() { f64::MAX } else { owed.iter().sum::<f64>() / owed.len() as f64 }
            };
            let mut keyed: Vec<(f64, &Node)> = nodes.iter().map(|n| (key(n), *n)).collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.party.cmp(&b.1.party)));
            for (row, (_, n)) in keyed.iter().enumerate() {
                rows.insert(&n.party, row as f64);
                let x = MARGIN + *c as i64 * (NODE_W + COL_GAP);
                let y = TOP + row as i64 * (NODE_H + ROW_GAP);
                at.insert(n.party.clone(), (x, y));
            }
            tallest = tallest.max(keyed.len() as i64);
        }
        let cols = columns.keys().next_back().map_or(1, |c| *c as i64 + 1);
        let width = (2 * MARGIN + cols * NODE_W + (cols - 1) * COL_GAP).max(760);
        let key =
            if g.edges.len() <= MAX_LABELLED { (g.attacks.len() + g.edges.len()) as i64 * KEY_LINE + 20 } else { 0 };
        let height = TOP + tallest * (NODE_H + ROW_GAP) + 70 + key;
        Layout { at, width, height, key }
    }

    fn svg(&self, g: &Graph) -> String {
        let mut out = String::new();
        let title = format!("The cascade of {} as of {}", g.title, g.as_of);
        let _ = writeln!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"cascade\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"cascade-title\" font-family=\"sans-serif\">",
            w = self.width,
            h = self.height
        );
        let _ = writeln!(out, "<title id=\"cascade-title\">{}</title>", esc(&title));
        out.push_str(&markers());
        let _ =
            writeln!(out, "<text x=\"{MARGIN}\" y=\"26\" font-size=\"16\" font-weight=\"bold\">{}</text>", esc(&title));
        let rounds = g.nodes.iter().map(|n| n.round).max().map_or(0, |r| r + 1);
        for r in 0..rounds {
            let x = MARGIN + r as i64 * (NODE_W + COL_GAP);
            let word = if r == 0 { "attack".to_string() } else { format!("round {r}") };
            let _ = writeln!(out, "<text x=\"{x}\" y=\"50\" font-size=\"12\" fill=\"#555\">{word}</text>");
        }
        for (i, a) in g.attacks.iter().enumerate() {
            self.arrow(&mut out, &a.by, &a.on, &AttackLine(a, i));
        }
        let labelled = g.edges.len() <= MAX_LABELLED;
        for (i, e) in g.edges.iter().enumerate() {
            self.arrow(&mut out, &e.owed, &e.party, &EdgeLine { edge: e, labelled, index: i });
        }
        for n in &g.nodes {
            self.node(&mut out, n);
        }
        self.legend(&mut out, g);
        out.push_str("</svg>\n");
        out
    }

    fn node(&self, out: &mut String, n: &Node) {
        let Some(&(x, y)) = self.at.get(&n.party) else { return };
        let (fill, stroke) = if n.attacked { ("#fde0dd", "#b2182b") } else { ("#f7f7f7", "#333") };
        let label = node_label(n).replace('\n', " ");
        let _ = writeln!(
            out,
            "<g class=\"node\" data-party=\"{p}\"><title>{t}</title><rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"8\" fill=\"{fill}\" stroke=\"{stroke}\"/><text x=\"{tx}\" y=\"{ty}\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{p}</text>{sub}</g>",
            p = esc(&n.party),
            t = esc(&label),
            tx = x + NODE_W / 2,
            ty = y + if role(n).is_some() { 19 } else { 27 },
            sub = role(n)
                .map(|role| format!(
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{role}</text>",
                    x + NODE_W / 2,
                    y + 35
                ))
                .unwrap_or_default()
        );
    }

    /// A line from one node to another: a curve ahead when the second is in a later round, a bow
    /// to the right in the same round, a curve below both back to an earlier one. Its label goes
    /// at the curve's middle.
    fn arrow(&self, out: &mut String, from: &str, to: &str, line: &dyn Line) {
        let (Some(&(fx, fy)), Some(&(tx, ty))) = (self.at.get(from), self.at.get(to)) else { return };
        let (fy, ty) = (fy + NODE_H / 2, ty + NODE_H / 2);
        let points = if tx > fx {
            let (x0, x1) = (fx + NODE_W, tx);
            let mid = (x0 + x1) / 2;
            [(x0, fy), (mid, fy), (mid, ty), (x1, ty)]
        } else if tx == fx {
            let x = fx + NODE_W;
            let bow = x + 40 + (fy - ty).abs() / 4;
            [(x, fy), (bow, fy), (bow, ty), (x, ty)]
        } else {
            let (x0, x1) = (fx, tx + NODE_W);
            let low = fy.max(ty) + NODE_H;
            [(x0, fy), (x0, low), (x1, low), (x1, ty)]
        };
        let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = points;
        let path = format!("M{x0},{y0} C{x1},{y1} {x2},{y2} {x3},{y3}");
        // The point of a cubic Bézier curve at its middle: (P0 + 3 P1 + 3 P2 + P3) / 8.
        let mid = ((x0 + 3 * x1 + 3 * x2 + x3) / 8, (y0 + 3 * y1 + 3 * y2 + y3) / 8);
        line.draw(out, &path, mid.0, mid.1);
    }

    fn legend(&self, out: &mut String, g: &Graph) {
        let y = self.height - 36 - self.key;
        let _ = write!(out, "<g class=\"legend\" font-size=\"11\">");
        let mut x = MARGIN;
        let _ = write!(
            out,
            "<line x1=\"{x}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#b2182b\" stroke-width=\"3\"/><text x=\"{}\" y=\"{}\">armed attack</text>",
            x + 24,
            x + 28,
            y + 4
        );
        x += 110;
        let shown: BTreeSet<Status> = g.edges.iter().map(|e| e.status).collect();
        for s in STATUSES.iter().filter(|s| shown.contains(s)) {
            let l = look(*s);
            let _ = write!(
                out,
                "<line x1=\"{x}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{}\" stroke-width=\"2\" stroke-dasharray=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>",
                x + 24,
                l.colour,
                l.dash,
                x + 28,
                y + 4,
                l.word
            );
            x += 100;
        }
        out.push_str("</g>\n");
        let note = match g.undrawn {
            0 => "Arrows run from the party owed to the party bound; a bar ends a prohibition.".to_string(),
            n => format!(
                "Arrows run from the party owed to the party bound; a bar ends a prohibition. {n} norm(s) name no other party and are not drawn."
            ),
        };
        let _ =
            writeln!(out, "<text x=\"{MARGIN}\" y=\"{}\" font-size=\"11\" fill=\"#555\">{}</text>", y + 22, esc(&note));
        if self.key == 0 {
            return;
        }
        out.push_str("<g class=\"key\" font-size=\"11\">");
        for (i, a) in g.attacks.iter().enumerate() {
            let _ = write!(
                out,
                "<text x=\"{MARGIN}\" y=\"{}\"><tspan font-weight=\"bold\" fill=\"#b2182b\">{}</tspan>  {} → {}: armed attack by {} on {}, {}</text>",
                y + 46 + i as i64 * KEY_LINE,
                attack_mark(i),
                esc(&a.by),
                esc(&a.on),
                esc(&a.by),
                esc(&a.on),
                a.from
            );
        }
        let y = y + g.attacks.len() as i64 * KEY_LINE;
        for (i, e) in g.edges.iter().enumerate() {
            let _ = write!(
                out,
                "<text x=\"{MARGIN}\" y=\"{}\"><tspan font-weight=\"bold\">{}</tspan>  {} → {}: {}</text>",
                y + 46 + i as i64 * KEY_LINE,
                i + 1,
                esc(&e.owed),
                esc(&e.party),
                esc(&edge_title(e))
            );
        }
        out.push_str("</g>\n");
    }
}

/// The arrowheads, and the bars that end a prohibition, one of each colour: a marker takes its
/// colour from its own definition, not from the line it ends.
fn markers() -> String {
    let mut out = String::from("<defs>");
    let mut add = |id: &str, colour: &str| {
        let _ = write!(
            out,
            "<marker id=\"arrow-{id}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"11\" markerHeight=\"11\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{colour}\"/></marker><marker id=\"bar-{id}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"12\" markerHeight=\"12\" orient=\"auto\"><path d=\"M8,0 L8,10\" stroke=\"{colour}\" stroke-width=\"3\"/></marker>"
        );
    };
    add("attack", "#b2182b");
    for s in STATUSES {
        add(s.name(), look(s).colour);
    }
    out.push_str("</defs>\n");
    out
}

/// The mark of the `i`th attack: A, B, … Z, then A2, B2, …
fn attack_mark(i: usize) -> String {
    let letter = char::from(b'A' + (i % 26) as u8);
    if i < 26 { letter.to_string() } else { format!("{letter}{}", i / 26 + 1) }
}

/// Something drawn along a path between two nodes.
trait Line {
    fn draw(&self, out: &mut String, path: &str, lx: i64, ly: i64);
}

struct AttackLine<'a>(&'a Attack, usize);

impl Line for AttackLine<'_> {
    fn draw(&self, out: &mut String, path: &str, lx: i64, ly: i64) {
        let a = self.0;
        let _ = writeln!(
            out,
            "<g class=\"attack\" data-by=\"{by}\" data-on=\"{on}\" data-from=\"{from}\"><title>armed attack by {by} on {on}, {from}</title><path d=\"{path}\" fill=\"none\" stroke=\"#b2182b\" stroke-width=\"4\" marker-end=\"url(#arrow-attack)\"/><rect x=\"{}\" y=\"{}\" width=\"18\" height=\"16\" fill=\"#b2182b\"/><text x=\"{lx}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#fff\">{}</text></g>",
            lx - 9,
            ly - 8,
            ly + 4,
            attack_mark(self.1),
            by = esc(&a.by),
            on = esc(&a.on),
            from = a.from,
        );
    }
}

struct EdgeLine<'a> {
    edge: &'a Edge,
    labelled: bool,
    index: usize,
}

impl Line for EdgeLine<'_> {
    fn draw(&self, out: &mut String, path: &str, lx: i64, ly: i64) {
        let e = self.edge;
        let l = look(e.status);
        let marker = if e.modality == Modality::MustNot { "bar" } else { "arrow" };
        let status = e.status.name();
        let width = if e.status == Status::Violated { 3 } else { 2 };
        let label = if self.labelled {
            format!(
                "<circle cx=\"{lx}\" cy=\"{ly}\" r=\"8\" fill=\"#fff\" stroke=\"{}\"/><text x=\"{lx}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\">{}</text>",
                l.colour,
                ly + 3,
                self.index + 1
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "<g class=\"edge\" data-owed=\"{}\" data-party=\"{}\" data-modality=\"{}\" data-action=\"{}\" data-instrument=\"{}\" data-article=\"{}\" data-status=\"{}\"><title>{}</title><path d=\"{path}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\" stroke-dasharray=\"{}\" marker-end=\"url(#{marker}-{status})\"/>{label}</g>",
            esc(&e.owed),
            esc(&e.party),
            e.modality.words(),
            esc(&e.action),
            esc(&e.instrument),
            esc(&e.article),
            e.status.name(),
            esc(&edge_title(e)),
            l.colour,
            l.dash,
        );
    }
}
