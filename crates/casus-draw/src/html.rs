//! The HTML report: one self-contained page — styles, script and pictures inline, nothing fetched
//! — that a teacher can open in any browser and walk a class through, and print.
//!
//! It holds the scenario's events on a timeline, the cascade graph, each party's norms as bars
//! over time and as a list whose entries open on their explanation (the article and its text,
//! the rule, the bindings, the facts with their sources, why the instrument binds the party),
//! the conflicts and violations, and the instruments with their periods in force and whom they
//! bind. Every norm of the JSON report is one `li.norm` element, with its identity in `data-`
//! attributes. Status is carried by words as well as colours; the entries are native
//! `<details>` elements, so they open from the keyboard; and the page is the same bytes for the
//! same report.

use std::collections::BTreeMap;
use std::fmt::Write;

use casus::calendar::{Day, Interval};
use casus::explain::{Explanation, NormExplanation};
use casus::report::{NormReport, Report};
use casus::scenario::{EventKind, Scenario};
use casus_syntax::ast::Modality;

use crate::graph::{self, Graph, Scope};
use crate::markup::{STATUSES, esc, look};
use crate::timeline::{Timeline, event_days};

/// Past this many norms, the cascade graph and a party's timeline are left out: they could not
/// be read, and the page says where to get them.
const MAX_DRAWN: usize = 2000;

/// What a page is made from.
pub struct Page<'a> {
    /// The report.
    pub report: &'a Report,
    /// The scenario, for its description and events.
    pub scenario: &'a Scenario,
    /// The explanations of the parties' norms, one per party that bears any.
    pub explanations: &'a [Explanation],
    /// Whether the evaluation assumed compliance.
    pub assumed: bool,
}

/// The page.
pub fn page(p: &Page) -> String {
    let r = p.report;
    let mut out = String::with_capacity(64 * 1024);
    let title = format!("{} — as of {}", r.scenario, r.as_of);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<meta name=\"generator\" content=\"casus\"/>\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&title)
    );
    out.push_str("<a class=\"skip\" href=\"#main\">Skip to the report</a>\n");
    header(&mut out, p);
    out.push_str("<main id=\"main\">\n");
    events(&mut out, p.scenario, r.as_of);
    let graph = Graph::new(r, graph::attacks(p.scenario, r.as_of), Scope::Duties);
    cascade(&mut out, &graph);
    norms(&mut out, p);
    conflicts(&mut out, r);
    violations(&mut out, r);
    instruments(&mut out, r);
    out.push_str("</main>\n<footer><p>Made with casus from the rule files and the scenario named above. Statuses are written out in words; colours only repeat them.</p></footer>\n");
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

fn header(out: &mut String, p: &Page) {
    let r = p.report;
    let _ = writeln!(out, "<header>\n<h1>{}</h1>", esc(&r.scenario));
    if !p.scenario.description.is_empty() {
        let _ = writeln!(out, "<p class=\"description\">{}</p>", esc(&p.scenario.description));
    }
    let duties = r.norms.iter().filter(|n| n.modality == Modality::Must).count();
    let mut counts: Vec<String> = Vec::new();
    for s in STATUSES {
        let n = r.norms.iter().filter(|n| n.modality == Modality::Must && n.status == s).count();
        if n > 0 {
            counts.push(format!("{n} {}", look(s).word));
        }
    }
    let assumed =
        if p.assumed { " Every due obligation is taken as performed (the compliance assumption)." } else { "" };
    let _ = writeln!(
        out,
        "<p class=\"summary\">As of <time datetime=\"{d}\">{d}</time>: {duties} obligation{}{}, {} violation{}, {} conflict{}, {} norm{} in all.{assumed}</p>",
        plural(duties),
        if counts.is_empty() { String::new() } else { format!(" ({})", counts.join(", ")) },
        r.violations.len(),
        plural(r.violations.len()),
        r.conflicts.len(),
        plural(r.conflicts.len()),
        r.norms.len(),
        plural(r.norms.len()),
        d = r.as_of
    );
    out.push_str("<nav aria-label=\"Sections\"><ul><li><a href=\"#events\">Events</a></li><li><a href=\"#cascade\">Cascade</a></li><li><a href=\"#norms\">Norms by party</a></li><li><a href=\"#conflicts\">Conflicts</a></li><li><a href=\"#violations\">Violations</a></li><li><a href=\"#instruments\">Instruments</a></li></ul></nav>\n</header>\n");
}

/// A run of days `[from, until)` in words, as the text report writes it: `from 2024-01-10 to
/// 2024-05-30`, `since 2024-09-10`, `on 2024-03-01`.
fn when(from: Day, until: Option<Day>) -> String {
    Interval { from, until }.to_string()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The scenario's events as a line of marks over the days, and as a table.
fn events(out: &mut String, scenario: &Scenario, as_of: Day) {
    out.push_str("<section id=\"events\" aria-labelledby=\"events-h\">\n<h2 id=\"events-h\">Events</h2>\n");
    let mut rows: Vec<(Day, Option<Day>, String, Option<&str>)> = scenario
        .events
        .iter()
        .map(|e| {
            let (from, until, source) = event_days(&e.kind);
            (from, until, event_text(&e.kind), source)
        })
        .filter(|(from, ..)| *from <= as_of)
        .collect();
    rows.sort_by(|a, b| (a.0, &a.2).cmp(&(b.0, &b.2)));
    if rows.is_empty() {
        out.push_str("<p>The scenario records no event up to this date.</p>\n</section>\n");
        return;
    }
    out.push_str(&event_line(&rows, as_of));
    out.push_str("<table>\n<caption>What happened, in order, with the sources the scenario gives</caption>\n<thead><tr><th scope=\"col\">When</th><th scope=\"col\">Event</th><th scope=\"col\">Source</th></tr></thead>\n<tbody>\n");
    for (i, (from, until, text, source)) in rows.iter().enumerate() {
        let _ = writeln!(
            out,
            "<tr id=\"event-{}\"><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            i + 1,
            when(*from, *until),
            esc(text),
            esc(source.unwrap_or(""))
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// The events as numbered marks on a line of days.
fn event_line(rows: &[(Day, Option<Day>, String, Option<&str>)], as_of: Day) -> String {
    const W: i64 = 900;
    const X0: i64 = 20;
    let start = rows.first().map_or(as_of, |r| r.0);
    let span = (i64::from(as_of.0) - i64::from(start.0)).max(1);
    let x_of = |d: Day| X0 + (i64::from(d.0) - i64::from(start.0)).clamp(0, span) * (W - 2 * X0) / span;
    let mut out = format!(
        "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" class=\"events\" width=\"{W}\" height=\"90\" viewBox=\"0 0 {W} 90\" role=\"img\" aria-label=\"The events from {start} to {as_of}, numbered as in the table\" font-family=\"sans-serif\" font-size=\"11\"><line x1=\"{X0}\" y1=\"40\" x2=\"{}\" y2=\"40\" stroke=\"#333\"/><text x=\"{X0}\" y=\"80\">{start}</text><text x=\"{}\" y=\"80\" text-anchor=\"end\">{as_of}</text>",
        W - X0,
        W - X0
    );
    // Marks on the same spot are stacked upwards.
    let mut seen: BTreeMap<i64, i64> = BTreeMap::new();
    for (i, (from, _, text, _)) in rows.iter().enumerate() {
        let x = x_of(*from);
        let level = seen.entry(x / 14).or_insert(0);
        let y = 40 - *level * 12;
        *level += 1;
        let _ = write!(
            out,
            "<a href=\"#event-{n}\"><circle cx=\"{x}\" cy=\"{y}\" r=\"5\" fill=\"#b2182b\"><title>{n}. {from}: {}</title></circle></a>",
            esc(text),
            n = i + 1
        );
    }
    out.push_str("</svg><figcaption>Each mark is an event of the table below; point at one for what it is.</figcaption></figure>\n");
    out
}

/// An event in words, as a scenario writes it.
fn event_text(kind: &EventKind) -> String {
    let args = |args: &casus::scenario::Args| -> String {
        args.iter().map(|(r, v)| format!("{}: {}", r.value, v.value)).collect::<Vec<_>>().join(", ")
    };
    match kind {
        EventKind::Fact { kind, args: a, .. } => format!("{}({})", kind.value, args(a)),
        EventKind::Act { party, action, args: a, amount, .. } => {
            let amount: Vec<String> = amount.iter().map(|(u, n)| format!("{n} {}", u.value)).collect();
            let amount = if amount.is_empty() { String::new() } else { format!(" — {}", amount.join(", ")) };
            if a.is_empty() {
                format!("{} {}{amount}", party.value, action.value)
            } else {
                format!("{} {}({}){amount}", party.value, action.value, args(a))
            }
        }
        EventKind::Status { party, instrument, step, .. } => {
            format!("{} {} {}", party.value, step.keyword(), instrument.value)
        }
        EventKind::Dated { instrument, step, .. } => format!("{} {}", instrument.value, step.keyword()),
    }
}

fn cascade(out: &mut String, graph: &Graph) {
    out.push_str("<section id=\"cascade\" aria-labelledby=\"cascade-h\">\n<h2 id=\"cascade-h\">The cascade</h2>\n");
    if graph.edges.is_empty() && graph.attacks.is_empty() {
        out.push_str("<p>No obligation, and no norm broken or overridden, names another party: there is no cascade to draw.</p>\n</section>\n");
        return;
    }
    if graph.edges.len() > MAX_DRAWN {
        let _ = writeln!(
            out,
            "<p>{} norms make the cascade: too many to draw legibly. <code>casus graph SCENARIO --format dot</code> writes them for Graphviz.</p>\n</section>",
            graph.edges.len()
        );
        return;
    }
    out.push_str("<p>Each arrow is a norm, from the party it is owed to, to the party it binds, labelled with its instrument, article and status; an arrow ending in a bar is a prohibition. Columns are rounds: the attack, the parties obliged by it, then those obliged in turn.</p>\n<figure class=\"wide\">");
    out.push_str(&graph.svg());
    let _ = writeln!(
        out,
        "<figcaption>{} norm{} drawn{}.</figcaption></figure>\n</section>",
        graph.edges.len(),
        plural(graph.edges.len()),
        if graph.undrawn > 0 {
            format!("; {} name no other party and are listed below only", graph.undrawn)
        } else {
            String::new()
        }
    );
}

/// Each party's norms: a timeline of its duties, and every norm with its explanation.
fn norms(out: &mut String, p: &Page) {
    let r = p.report;
    out.push_str("<section id=\"norms\" aria-labelledby=\"norms-h\">\n<h2 id=\"norms-h\">Norms by party</h2>\n<p>Open a norm for its explanation: the article and its text, the rule, the facts that gave it and where they come from, and why the instrument binds the party.</p>\n");
    if p.explanations.is_empty() && !r.norms.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"note\">This report has {} norms: their explanations are left out, and <code>casus explain SCENARIO --party P</code> gives them party by party.</p>",
            r.norms.len()
        );
    }
    out.push_str("<p class=\"controls\"><button type=\"button\" id=\"expand\">Open every explanation</button> <button type=\"button\" id=\"collapse\">Close them</button></p>\n");
    let explained: BTreeMap<(&str, &str, &str, &str, &str), &NormExplanation> = p
        .explanations
        .iter()
        .flat_map(|x| &x.norms)
        .map(|n| ((n.party.as_str(), n.modality, n.action.as_str(), n.instrument.as_str(), n.article.as_str()), n))
        .collect();
    let mut parties: Vec<&str> = r.norms.iter().map(|n| &*n.party).collect();
    parties.sort_unstable();
    parties.dedup();
    if parties.is_empty() {
        out.push_str("<p>No party bears a norm on this date.</p>\n");
    }
    let mut index = 0;
    for party in parties {
        let _ = writeln!(
            out,
            "<section class=\"party\" id=\"party-{p}\" aria-labelledby=\"party-{p}-h\">\n<h3 id=\"party-{p}-h\">{p}</h3>",
            p = esc(party)
        );
        let mine: Vec<&NormReport> = r.norms.iter().filter(|n| &*n.party == party).collect();
        let (duties, standing): (Vec<&NormReport>, Vec<&NormReport>) =
            mine.into_iter().partition(|n| Scope::Duties.draws(n));
        if !duties.is_empty() {
            if duties.len() <= MAX_DRAWN {
                let timeline =
                    Timeline::new(r, &[party.to_string()], Scope::Duties, crate::timeline::first_event(p.scenario));
                let _ = writeln!(out, "<figure class=\"wide\">{}</figure>", timeline.svg());
            }
            out.push_str("<ol class=\"norms\">\n");
            for n in duties {
                index += 1;
                norm(out, r, n, &explained, index);
            }
            out.push_str("</ol>\n");
        }
        if !standing.is_empty() {
            let _ = write!(
                out,
                "<details class=\"standing\"><summary>{} prohibition{} and permission{} that stand unbroken</summary>\n<ol class=\"norms\">\n",
                standing.len(),
                plural(standing.len()),
                plural(standing.len())
            );
            for n in standing {
                index += 1;
                norm(out, r, n, &explained, index);
            }
            out.push_str("</ol>\n</details>\n");
        }
        out.push_str("</section>\n");
    }
    out.push_str("</section>\n");
}

/// One norm, which opens on its explanation.
fn norm(
    out: &mut String,
    r: &Report,
    n: &NormReport,
    explained: &BTreeMap<(&str, &str, &str, &str, &str), &NormExplanation>,
    index: usize,
) {
    let act = r.action(&n.action, &n.args);
    let args: Vec<String> = n.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let due = n.episodes.last().and_then(|e| e.due).map(|d| format!(", due {d}")).unwrap_or_default();
    let assumed = if n.assumed { " (by an assumed act)" } else { "" };
    // A norm on either side of a conflict says so in its line, not only in the table below.
    let conflicted = r.conflicts.iter().any(|c| *c.party == *n.party && (c.obligation.is(n) || c.prohibition.is(n)));
    let assumed = if conflicted {
        format!("{assumed} — <strong class=\"conflicted\">in conflict</strong>")
    } else {
        assumed.to_string()
    };
    let _ = writeln!(
        out,
        "<li class=\"norm status-{s}\" id=\"norm-{index}\" data-party=\"{}\" data-modality=\"{}\" data-action=\"{}\" data-args=\"{}\" data-instrument=\"{}\" data-article=\"{}\" data-status=\"{s}\" data-since=\"{}\"><details><summary><span class=\"badge\">{}</span> {} <code>{}</code> — {} art. {}{due} — since {}{assumed}</summary>",
        esc(&n.party),
        n.modality.words(),
        esc(&n.action),
        esc(&args.join(",")),
        esc(&n.instrument),
        esc(&n.article),
        n.since,
        look(n.status).word,
        n.modality.words(),
        esc(&act),
        esc(&n.instrument),
        esc(&n.article),
        n.since,
        s = n.status.name(),
    );
    let key = (&*n.party, n.modality.words(), act.as_str(), &*n.instrument, &*n.article);
    match explained.get(&key) {
        Some(x) => explanation(out, x),
        // The page says once that explanations are left out.
        None if explained.is_empty() => {}
        None => {
            let _ = writeln!(
                out,
                "<p>Not explained here: <code>casus explain SCENARIO --party {}</code> gives its reasons.</p>",
                esc(&n.party)
            );
        }
    }
    out.push_str("</details></li>\n");
}

fn explanation(out: &mut String, x: &NormExplanation) {
    out.push_str("<div class=\"explanation\">\n");
    let heading = x.heading.as_deref().map(|h| format!(" — {}", esc(h))).unwrap_or_default();
    let _ = writeln!(out, "<h4>{} art. {}{heading}</h4>", esc(&x.instrument), esc(&x.article));
    if let Some(text) = &x.text {
        let _ = writeln!(out, "<blockquote>{}</blockquote>", esc(text));
    }
    if let Some((title, text)) = &x.reservation {
        let _ = writeln!(
            out,
            "<p>Under the reservation <em>{}</em>{}</p>",
            esc(title),
            text.as_deref().map(|t| format!(": “{}”", esc(t))).unwrap_or_default()
        );
    }
    out.push_str("<dl>\n");
    let _ = writeln!(out, "<dt>Rule</dt><dd><pre>{}</pre></dd>", esc(&x.rule));
    if !x.bindings.is_empty() {
        let b: Vec<String> = x.bindings.iter().map(|(k, v)| format!("{} = {}", esc(k), esc(v))).collect();
        let _ = writeln!(out, "<dt>Bindings</dt><dd>{}</dd>", b.join(", "));
    }
    if x.unconditional {
        out.push_str("<dt>Condition</dt><dd>none: the article binds its parties while it is in force</dd>\n");
    }
    if !x.because.is_empty() {
        let on = x.on.map(|d| format!(" on {d}")).unwrap_or_default();
        let _ = write!(out, "<dt>Because{on}</dt><dd><ul class=\"because\">");
        for b in &x.because {
            let _ = write!(out, "<li class=\"depth-{}\">{}</li>", b.depth.min(6), esc(&b.line));
        }
        out.push_str("</ul></dd>\n");
    }
    list(out, "Tests", &x.tests);
    if let Some(binding) = &x.binding {
        let _ = writeln!(out, "<dt>Why it binds {}</dt><dd>{}</dd>", esc(&x.party), esc(binding));
    }
    if !x.episodes.is_empty() {
        let e: Vec<String> = x
            .episodes
            .iter()
            .map(|e| {
                let until = e.until.map(|u| format!(" until {u}")).unwrap_or_else(|| " on".to_string());
                let due = e.due.map(|d| format!(", due {d}")).unwrap_or_default();
                format!("from {}{until}{due}", e.from)
            })
            .collect();
        list(out, "Episodes", &e);
    }
    list(out, "Acts", &x.acts);
    list(out, "Conflicts", &x.conflicts);
    if let Some(cap) = &x.cap {
        let _ = writeln!(out, "<dt>Cap</dt><dd>{}</dd>", esc(&cap.words()));
        let deliveries: Vec<String> = cap.deliveries.iter().map(|d| cap.delivery_words(d)).collect();
        list(out, "Deliveries counted", &deliveries);
    }
    out.push_str("</dl>\n</div>\n");
}

fn list(out: &mut String, term: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = write!(out, "<dt>{term}</dt><dd><ul>");
    for i in items {
        let _ = write!(out, "<li>{}</li>", esc(i));
    }
    out.push_str("</ul></dd>\n");
}

fn conflicts(out: &mut String, r: &Report) {
    out.push_str("<section id=\"conflicts\" aria-labelledby=\"conflicts-h\">\n<h2 id=\"conflicts-h\">Conflicts</h2>\n");
    if r.conflicts.is_empty() {
        out.push_str("<p>No party is under an obligation that a prohibition forbids it to perform.</p>\n</section>\n");
        return;
    }
    out.push_str("<table>\n<caption>A party obliged to do what it is forbidden to do</caption>\n<thead><tr><th scope=\"col\">Party</th><th scope=\"col\">Kind</th><th scope=\"col\">Obligation</th><th scope=\"col\">Prohibition</th><th scope=\"col\">When</th><th scope=\"col\">Prevails</th></tr></thead>\n<tbody>\n");
    for c in &r.conflicts {
        let _ = writeln!(
            out,
            "<tr class=\"conflict\" data-party=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.party),
            esc(&c.party),
            c.kind.name(),
            esc(&r.side_words(&c.obligation)),
            esc(&r.side_words(&c.prohibition)),
            when(c.from, c.until),
            esc(c.prevails.as_deref().unwrap_or("neither"))
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn violations(out: &mut String, r: &Report) {
    out.push_str(
        "<section id=\"violations\" aria-labelledby=\"violations-h\">\n<h2 id=\"violations-h\">Violations</h2>\n",
    );
    if r.violations.is_empty() {
        out.push_str("<p>No act broke a prohibition.</p>\n</section>\n");
        return;
    }
    out.push_str("<table>\n<caption>Acts that broke a prohibition</caption>\n<thead><tr><th scope=\"col\">Party</th><th scope=\"col\">Act</th><th scope=\"col\">Prohibition</th><th scope=\"col\">When</th></tr></thead>\n<tbody>\n");
    for v in &r.violations {
        let _ = writeln!(
            out,
            "<tr class=\"violation\" data-party=\"{}\"><td>{}</td><td><code>{}</code>{}</td><td>{} art. {}</td><td>{}</td></tr>",
            esc(&v.party),
            esc(&v.party),
            esc(&r.action(&v.action, &v.args)),
            if v.assumed { " (assumed)" } else { "" },
            esc(&v.instrument),
            esc(&v.article),
            when(v.on, v.until)
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn instruments(out: &mut String, r: &Report) {
    out.push_str("<section id=\"instruments\" aria-labelledby=\"instruments-h\">\n<h2 id=\"instruments-h\">Instruments</h2>\n<table>\n<caption>Each instrument, when it is in force, and whom it binds</caption>\n<thead><tr><th scope=\"col\">Instrument</th><th scope=\"col\">Kind</th><th scope=\"col\">In force</th><th scope=\"col\">Binds</th></tr></thead>\n<tbody>\n");
    let runs = |v: &[Interval]| -> String {
        if v.is_empty() {
            return "never, up to this date".to_string();
        }
        v.iter().map(Interval::to_string).collect::<Vec<_>>().join("; ")
    };
    for i in &r.instruments {
        let bound: Vec<String> = i.bound.iter().map(|(p, v)| format!("{p} ({})", runs(v))).collect();
        let binds = match bound.len() {
            0 => "no party".to_string(),
            n if n <= 12 => esc(&bound.join(", ")).into_owned(),
            n => format!("<details><summary>{n} parties</summary>{}</details>", esc(&bound.join(", "))),
        };
        let _ = writeln!(
            out,
            "<tr id=\"instrument-{id}\"><th scope=\"row\">{id}</th><td>{}</td><td>{}</td><td>{binds}</td></tr>",
            i.kind.keyword(),
            runs(&i.in_force),
            id = esc(&i.id),
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// The page's styles: readable on a screen and on paper, with a visible focus.
const STYLE: &str = r#"
:root { --ink: #1a1a1a; --muted: #555; --rule: #ddd; }
body { font: 16px/1.5 system-ui, sans-serif; color: var(--ink); max-width: 72rem; margin: 0 auto; padding: 0 1rem 3rem; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
a:focus, summary:focus, button:focus { outline: 3px solid #1f78b4; outline-offset: 2px; }
header nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 1rem; }
h2 { border-bottom: 2px solid var(--rule); padding-top: 1rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: .92rem; }
th, td { border: 1px solid var(--rule); padding: .3rem .5rem; text-align: left; vertical-align: top; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; }
figure { margin: 1rem 0; }
figure.wide { overflow-x: auto; }
figcaption { color: var(--muted); font-size: .9rem; }
ol.norms { padding-left: 1.5rem; }
li.norm { margin: .3rem 0; }
summary { cursor: pointer; }
.badge { display: inline-block; min-width: 6.5rem; font-size: .8rem; font-weight: bold; padding: 0 .4rem; border-radius: .3rem; border: 2px solid; text-align: center; }
.status-pending .badge { color: #b35806; }
.status-fulfilled .badge { color: #1b7837; }
.status-violated .badge { color: #c51b7d; background: #fde0ef; }
.status-discharged .badge { color: #6f6f6f; }
.status-overridden .badge { color: #542788; }
.status-in_effect .badge { color: #2166ac; }
.status-permitted .badge { color: #4d9221; }
.conflicted { font-weight: bold; color: #542788; margin: .2rem 0; }
.explanation { border-left: 4px solid var(--rule); margin: .5rem 0 1rem; padding: 0 1rem; }
blockquote { margin: .5rem 0; padding: .5rem 1rem; background: #f6f6f6; font-family: Georgia, serif; }
pre { white-space: pre-wrap; margin: 0; }
dt { font-weight: bold; margin-top: .4rem; }
ul.because li.depth-1 { margin-left: 1.5rem; } ul.because li.depth-2 { margin-left: 3rem; }
ul.because li.depth-3, ul.because li.depth-4, ul.because li.depth-5, ul.because li.depth-6 { margin-left: 4.5rem; }
footer { color: var(--muted); font-size: .85rem; border-top: 1px solid var(--rule); margin-top: 2rem; }
@media print {
  .skip, .controls, nav { display: none; }
  body { max-width: none; font-size: 11pt; }
  section.party { break-inside: avoid-page; }
  figure.wide { overflow: visible; }
}
"#;

/// The page's script: the buttons that open and close every explanation, and every entry opened
/// for printing. The page works without it.
const SCRIPT: &str = r#"
(function () {
  function all(open) { document.querySelectorAll('details').forEach(function (d) { d.open = open; }); }
  var e = document.getElementById('expand'), c = document.getElementById('collapse');
  if (e) e.addEventListener('click', function () { all(true); });
  if (c) c.addEventListener('click', function () { all(false); });
  window.addEventListener('beforeprint', function () { all(true); });
})();
"#;
