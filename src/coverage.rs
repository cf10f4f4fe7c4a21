//! Which rules the scenarios of a test run triggered, like `opa test --coverage`: a rule that no
//! scenario ever makes fire is a rule no expectation can pin.

use std::collections::BTreeMap;

use casus::eval::Fired;
use casus::program::Program;
use casus_syntax::source::Sources;
use serde::Serialize;

/// One rule of the rule sets the scenarios ran against.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub(crate) struct RuleSite {
    /// The file, as shown.
    pub file: String,
    /// Line and column of the rule, from 1.
    pub line: usize,
    /// Column.
    pub column: usize,
    /// `norm` for a rule of an article, `deem` for a rule that derives facts.
    pub kind: &'static str,
    /// The instrument, for a norm rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instrument: Option<String>,
    /// The article, for a norm rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    /// The rule's first line.
    pub text: String,
    /// Whether a scenario made it fire.
    pub triggered: bool,
}

/// The coverage of a test run, gathered scenario by scenario.
#[derive(Debug, Default)]
pub(crate) struct Coverage {
    rules: BTreeMap<(String, usize, usize), RuleSite>,
}

/// The coverage in figures and the rules never triggered, for the report.
#[derive(Debug, Serialize)]
pub(crate) struct Summary<'a> {
    /// Rules triggered, of all rules.
    pub rules_triggered: usize,
    /// All rules.
    pub rules: usize,
    /// Articles with a rule triggered.
    pub articles_triggered: usize,
    /// Articles with at least one rule.
    pub articles: usize,
    /// The articles no rule of which fired: instrument and article.
    pub untriggered_articles: Vec<(String, String)>,
    /// The rules that never fired, by place.
    pub untriggered_rules: Vec<&'a RuleSite>,
}

impl Coverage {
    /// Counts one scenario's run: every rule of its program, and those that fired.
    pub(crate) fn add(&mut self, program: &Program, sources: &Sources, fired: &Fired) {
        let place = |file, span: casus_syntax::source::Span| {
            let f = sources.get(file);
            let lc = f.map(|f| f.line_col(span.start));
            let text = f.and_then(|f| f.text.get(span.start..span.end)).unwrap_or("");
            let first = text.lines().next().unwrap_or("").trim().to_string();
            (
                f.map_or_else(String::new, |f| f.name.clone()),
                lc.map_or(1, |l| l.line),
                lc.map_or(1, |l| l.column),
                first,
            )
        };
        for (r, rule) in program.rules.iter().enumerate() {
            let (file, line, column, text) = place(rule.file, rule.span);
            let site = self.rules.entry((file.clone(), line, column)).or_insert_with(|| RuleSite {
                file,
                line,
                column,
                kind: "norm",
                instrument: Some(program.instrument_id(rule.instrument).to_string()),
                article: Some(program.article_id(rule.instrument, rule.article).to_string()),
                text,
                triggered: false,
            });
            site.triggered |= fired.norm_rules.contains(r);
        }
        for (r, rule) in program.deems.iter().enumerate() {
            let (file, line, column, text) = place(rule.file, rule.span);
            let site = self.rules.entry((file.clone(), line, column)).or_insert_with(|| RuleSite {
                file,
                line,
                column,
                kind: "deem",
                instrument: None,
                article: None,
                text,
                triggered: false,
            });
            site.triggered |= fired.deem_rules.contains(r);
        }
    }

    /// Adds another run's coverage: a rule is triggered if either run triggered it.
    pub(crate) fn merge(&mut self, other: &Coverage) {
        for (k, site) in &other.rules {
            let mine = self.rules.entry(k.clone()).or_insert_with(|| site.clone());
            mine.triggered |= site.triggered;
        }
    }

    /// The figures, and what was never triggered.
    pub(crate) fn summary(&self) -> Summary<'_> {
        let mut articles: BTreeMap<(String, String), bool> = BTreeMap::new();
        for site in self.rules.values() {
            if let (Some(i), Some(a)) = (&site.instrument, &site.article) {
                *articles.entry((i.clone(), a.clone())).or_default() |= site.triggered;
            }
        }
        let mut untriggered_articles: Vec<(String, String)> =
            articles.iter().filter(|(_, t)| !**t).map(|(k, _)| k.clone()).collect();
        untriggered_articles.sort_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| casus::report::natural(&a.1).cmp(&casus::report::natural(&b.1)))
        });
        Summary {
            rules_triggered: self.rules.values().filter(|s| s.triggered).count(),
            rules: self.rules.len(),
            articles_triggered: articles.values().filter(|t| **t).count(),
            articles: articles.len(),
            untriggered_articles,
            untriggered_rules: self.rules.values().filter(|s| !s.triggered).collect(),
        }
    }
}

impl Summary<'_> {
    /// The coverage for people.
    pub(crate) fn text(&self) -> String {
        let percent = |n: usize, of: usize| (n * 100).checked_div(of).unwrap_or(100);
        let mut out = format!(
            "Coverage: {} of {} rules ({}%) and {} of {} articles ({}%) triggered by a scenario\n",
            self.rules_triggered,
            self.rules,
            percent(self.rules_triggered, self.rules),
            self.articles_triggered,
            self.articles,
            percent(self.articles_triggered, self.articles),
        );
        if !self.untriggered_articles.is_empty() {
            out.push_str("Articles no scenario triggered:\n");
            for (i, a) in &self.untriggered_articles {
                out.push_str(&format!("  {i} art. {a}\n"));
            }
        }
        if !self.untriggered_rules.is_empty() {
            out.push_str("Rules no scenario triggered:\n");
            for s in &self.untriggered_rules {
                let at = match (&s.instrument, &s.article) {
                    (Some(i), Some(a)) => format!("{i} art. {a}: "),
                    _ => String::new(),
                };
                out.push_str(&format!("  {}:{}:{}: {at}{}\n", s.file, s.line, s.column, s.text));
            }
        }
        out
    }
}
