//! The norms of a streamed report, written by hand as serde_json's pretty printer writes them:
//! names are escaped once, not once per norm, and a norm is a few copies of bytes. The property
//! tests compare the text with serde_json's for every evaluation they make.

use std::io::{self, Write};

use super::NormsView;
use crate::calendar::Day;
use crate::eval::{Episode, NormKey, NormRecord};
use casus_syntax::ast::Modality;

/// JSON strings, escaped once: every name of the evaluation, and every instrument and article.
struct Escaped {
    syms: Vec<String>,
    instruments: Vec<String>,
    articles: Vec<Vec<String>>,
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

/// Writes the norms as the value of the report's `norms` field, from `[` to `]`.
///
/// From [`ON_TWO_THREADS`] norms on, they are written a chunk of [`CHUNK`] at a time, every
/// other chunk put in words on a second thread while this one writes the chunk before: the text
/// is the same, and at most two chunks wait in memory.
pub(super) fn norms(view: &NormsView, out: &mut impl Write) -> io::Result<()> {
    if view.order.is_empty() {
        return out.write_all(b"[]");
    }
    let eval = view.names.eval;
    let world = &eval.world;
    let program = world.program;
    let count = crate::intern::number(world.syms.len());
    let escaped = Escaped {
        syms: (0..count).map(|s| quoted(world.name(s))).collect(),
        instruments: program.instruments.iter().map(|i| quoted(&i.id)).collect(),
        articles: program.instruments.iter().map(|i| i.articles.iter().map(|a| quoted(&a.id)).collect()).collect(),
    };
    let words = Words { eval, escaped };
    out.write_all(b"[\n")?;
    let order = &view.order;
    if order.len() < ON_TWO_THREADS {
        words.write(order, true, out)?;
        return out.write_all(b"\n  ]");
    }
    // Chunks 1, 3, 5 … are put in words on the second thread, each into a buffer handed back
    // once written; chunks 0, 2, 4 … here, straight into `out`. The channels are made inside the
    // scope, so that when a write fails they are dropped before the scope waits for the thread:
    // one waiting to hand over a chunk then stops.
    let words = &words;
    std::thread::scope(|scope| {
        let (sent, received) = std::sync::mpsc::sync_channel::<Vec<u8>>(1);
        let (give_back, spare) = std::sync::mpsc::channel::<Vec<u8>>();
        scope.spawn(move || {
            for chunk in order.chunks(CHUNK).skip(1).step_by(2) {
                let mut text = spare.try_recv().unwrap_or_default();
                // Writing to memory fails only for want of it, which aborts.
                let _ = words.write(chunk, false, &mut text);
                if sent.send(text).is_err() {
                    break;
                }
            }
        });
        for (n, chunk) in order.chunks(CHUNK).enumerate() {
            if n % 2 == 0 {
                words.write(chunk, n == 0, out)?;
            } else {
                let Ok(mut text) = received.recv() else {
                    return Err(io::Error::other("the report's second thread stopped"));
                };
                out.write_all(&text)?;
                text.clear();
                let _ = give_back.send(text);
            }
        }
        out.write_all(b"\n  ]")
    })
}

/// How many norms it takes for a report to be put in words on two threads.
const ON_TWO_THREADS: usize = 1 << 14;

/// How many norms a chunk holds: about two megabytes of text.
const CHUNK: usize = 1 << 12;

/// What the norms are put in words with: the evaluation, and its names escaped once.
struct Words<'a, 'p> {
    eval: &'a crate::eval::Evaluation<'p>,
    escaped: Escaped,
}

impl Words<'_, '_> {
    /// Writes `norms`, each after a comma but the very first of the report.
    fn write(&self, norms: &[(&NormKey, &NormRecord)], first: bool, out: &mut impl Write) -> io::Result<()> {
        let eval = self.eval;
        let world = &eval.world;
        let program = world.program;
        let escaped = &self.escaped;
        let name = |s: u32| escaped.syms.get(s as usize).map_or("\"\"", String::as_str);
        let mut args: smallvec::SmallVec<[(&str, &str, &str); 2]> = smallvec::SmallVec::new();
        let mut dates = Dates::default();
        for (n, (key, record)) in norms.iter().enumerate() {
            if n > 0 || !first {
                out.write_all(b",\n")?;
            }
            out.write_all(b"    {\n      \"party\": ")?;
            out.write_all(name(key.party).as_bytes())?;
            out.write_all(b",\n      \"modality\": ")?;
            out.write_all(b"\"")?;
            out.write_all(key.modality.words().as_bytes())?;
            out.write_all(b"\"")?;
            out.write_all(b",\n      \"action\": ")?;
            out.write_all(name(key.action).as_bytes())?;
            // Arguments by role name, as the report sorts them.
            args.clear();
            args.extend(key.args.iter().map(|&(r, v)| (world.name(r), name(r), name(v))));
            args.sort_unstable_by(|a, b| a.0.cmp(b.0));
            if args.is_empty() {
                out.write_all(b",\n      \"args\": {}")?;
            } else {
                out.write_all(b",\n      \"args\": {")?;
                for (k, (_, role, value)) in args.iter().enumerate() {
                    out.write_all(if k == 0 { b"\n        " } else { b",\n        " })?;
                    out.write_all(role.as_bytes())?;
                    out.write_all(b": ")?;
                    out.write_all(value.as_bytes())?;
                }
                out.write_all(b"\n      }")?;
            }
            out.write_all(b",\n      \"instrument\": ")?;
            out.write_all(escaped.instruments.get(key.instrument).map_or("\"\"", String::as_str).as_bytes())?;
            out.write_all(b",\n      \"article\": ")?;
            let article = escaped.articles.get(key.instrument).and_then(|a| a.get(key.article as usize));
            out.write_all(article.map_or("\"\"", String::as_str).as_bytes())?;
            episodes(&record.episodes, eval.as_of, &mut dates, out)?;
            out.write_all(b",\n      \"status\": \"")?;
            out.write_all(record.status.name().as_bytes())?;
            out.write_all(b"\",\n      \"since\": ")?;
            dates.write(record.since, out)?;
            out.write_all(if record.assumed { b",\n      \"assumed\": true" } else { b",\n      \"assumed\": false" })?;
            let forthwith = key.modality == Modality::Must
                && matches!(program.rule(record.rule).deadline, Some(crate::program::Deadline::Forthwith));
            if forthwith {
                out.write_all(b",\n      \"forthwith\": true")?;
            }
            if let Some(outcome) = eval.caps.get(key) {
                // Rare: written as serde writes it, each line indented to the norm's depth.
                let cap = super::CapReport::new(program, outcome);
                let text = serde_json::to_string_pretty(&cap).map_err(io::Error::other)?;
                out.write_all(b",\n      \"cap\": ")?;
                out.write_all(text.replace('\n', "\n      ").as_bytes())?;
            }
            out.write_all(b"\n    }")?;
        }
        Ok(())
    }
}

/// A norm's `episodes` field, from the comma before it; an end after `as_of` is `null`.
fn episodes(episodes: &[Episode], as_of: Day, dates: &mut Dates, out: &mut impl Write) -> io::Result<()> {
    if episodes.is_empty() {
        return out.write_all(b",\n      \"episodes\": []");
    }
    out.write_all(b",\n      \"episodes\": [")?;
    for (k, e) in episodes.iter().enumerate() {
        out.write_all(if k == 0 {
            b"\n        {\n          \"from\": "
        } else {
            b",\n        {\n          \"from\": "
        })?;
        dates.write(e.when.from, out)?;
        out.write_all(b",\n          \"until\": ")?;
        dates.optional(e.when.until.filter(|u| *u <= as_of), out)?;
        out.write_all(b",\n          \"due\": ")?;
        dates.optional(e.due, out)?;
        out.write_all(b"\n        }")?;
    }
    out.write_all(b"\n      ]")
}

/// The days a report has written lately, as JSON strings: a report's norms mostly share a few
/// days (its episodes' starts and due dates), and each is put in words once while it recurs.
#[derive(Default)]
struct Dates {
    /// Direct-mapped by the day's last bits.
    recent: [Option<(Day, [u8; 12])>; 16],
}

impl Dates {
    fn write(&mut self, d: Day, out: &mut impl Write) -> io::Result<()> {
        let slot = (d.0 & 15) as usize;
        if let Some(Some((seen, text))) = self.recent.get(slot)
            && *seen == d
        {
            return out.write_all(text);
        }
        match d.iso() {
            Some(iso) => {
                let mut text = [b'"'; 12];
                text[1..11].copy_from_slice(&iso);
                if let Some(entry) = self.recent.get_mut(slot) {
                    *entry = Some((d, text));
                }
                out.write_all(&text)
            }
            None => out.write_all(quoted(&d.to_string()).as_bytes()),
        }
    }

    fn optional(&mut self, d: Option<Day>, out: &mut impl Write) -> io::Result<()> {
        match d {
            Some(d) => self.write(d, out),
            None => out.write_all(b"null"),
        }
    }
}
