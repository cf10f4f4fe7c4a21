//! Instruments: their clauses, status records and articles; and precedence between them.

use std::collections::{BTreeMap, BTreeSet};

use casus_syntax::ast::{self, Clause, DatedKind, EntryIntoForce, File, Item, StatusKind};
use casus_syntax::source::{FileId, Span};

use super::{
    Checker, Duplicate, NoMatch, ReservationError, ReservationProblem, RuleDef, StatusError, StatusProblem, Twice,
    glob_match,
};
use crate::calendar::Day;
use crate::program::{ArticleDef, Entry, InstId, InstrumentDef, PartyStatus, ReservationDef};
use casus_syntax::suggest::did_you_mean;

impl<'a> Checker<'a> {
    /// Every instrument, in the order of their ids, and the rules of their articles.
    pub(super) fn instruments(&mut self, files: &[(FileId, &'a File)]) -> (Vec<InstrumentDef>, Vec<RuleDef<'a>>) {
        let mut defs: BTreeMap<InstId, (InstrumentDef, Vec<RuleDef<'a>>)> = BTreeMap::new();
        for (file, item) in Checker::items(files) {
            let Item::Instrument(i) = item else { continue };
            self.file = file;
            let Some(declared) = self.decls.instruments.get(i.id.name.as_str()).copied() else { continue };
            let checked = self.instrument(declared.id, i);
            // A second instrument of the same id is checked, and reported; only the first is kept.
            if std::ptr::eq(declared.item, i)
                && let Some(checked) = checked
            {
                defs.insert(declared.id, checked);
            }
        }
        let (instruments, rules): (Vec<InstrumentDef>, Vec<Vec<RuleDef<'a>>>) = defs.into_values().unzip();
        (instruments, rules.into_iter().flatten().collect())
    }

    /// One instrument, numbered `inst`: each clause once, real dates, articles numbered once,
    /// status records that can have happened.
    fn instrument(&mut self, inst: InstId, i: &'a ast::Instrument) -> Option<(InstrumentDef, Vec<RuleDef<'a>>)> {
        let mut def = InstrumentDef {
            id: i.id.name.clone(),
            kind: i.kind,
            title: i.title.as_ref().map(|t| t.value.clone()),
            entry: None,
            withdrawal: None,
            no_withdrawal: false,
            dated: BTreeMap::new(),
            records: BTreeMap::new(),
            binds: None,
            articles: Vec::new(),
            reservations: Vec::new(),
            file: self.file,
            span: i.span,
        };
        let mut ok = true;
        let mut rules = Vec::new();
        let mut seen_clauses: BTreeMap<&str, Span> = BTreeMap::new();
        let mut articles: BTreeMap<&str, Span> = BTreeMap::new();
        for clause in &i.body {
            let key = match clause {
                Clause::InForce(..) => Some("entry-into-force clause"),
                Clause::Withdrawal(..) | Clause::NoWithdrawal(_) => Some("withdrawal clause"),
                Clause::Dated(k, ..) => Some(k.keyword()),
                Clause::Binds(..) => Some("binds clause"),
                Clause::Parties(_) | Clause::Article(_) | Clause::Reservation(_) => None,
            };
            if let Some(key) = key {
                if let Some(first) = seen_clauses.get(key) {
                    let twice = Twice::Clause { instrument: i.id.name.clone(), clause: key };
                    self.report(Duplicate::new(twice, clause.span(), Some(*first)));
                } else {
                    seen_clauses.insert(key, clause.span());
                }
            }
            match clause {
                Clause::Parties(_) | Clause::Reservation(_) => {}
                Clause::Binds(g, _) => {
                    def.binds = self.group_ref(g);
                    ok &= def.binds.is_some();
                }
                Clause::InForce(e, _) => {
                    def.entry = self.entry(e);
                    ok &= def.entry.is_some();
                }
                Clause::Withdrawal(d, _) => def.withdrawal = Some(*d),
                Clause::NoWithdrawal(_) => def.no_withdrawal = true,
                Clause::Dated(k, d, _) => match self.date(d) {
                    Some(d) => {
                        def.dated.insert(*k, d);
                    }
                    None => ok = false,
                },
                Clause::Article(a) => {
                    if let Some(first) = articles.get(a.id.name.as_str()) {
                        let twice = Twice::Article { article: a.id.name.clone(), instrument: i.id.name.clone() };
                        self.report(Duplicate::new(twice, a.id.span, Some(*first)));
                    } else {
                        articles.insert(a.id.name.as_str(), a.id.span);
                    }
                    let n = def.articles.len();
                    def.articles.push(ArticleDef {
                        id: a.id.name.clone(),
                        heading: a.heading.as_ref().map(|h| h.value.clone()),
                        text: a.text.as_ref().map(|t| t.value.clone()),
                        span: a.span,
                    });
                    match self.rules_of(inst, i, n, a) {
                        Some(r) => rules.extend(r),
                        None => ok = false,
                    }
                }
            }
        }
        for clause in &i.body {
            if let Clause::Reservation(r) = clause {
                ok &= self.reservation(inst, i, r, &mut def, &mut rules);
            }
        }
        match self.party_records(i) {
            Some(records) => def.records = records,
            None => ok = false,
        }
        self.exchange_order(i);
        self.reapplication_order(i);
        ok.then_some((def, rules))
    }

    /// A party's reservation, understanding or declaration to an article: the article exists,
    /// each of its rules gives its norm to that party alone, and for that party they take the
    /// place of the article's own rules.
    fn reservation(
        &mut self,
        inst: InstId,
        i: &'a ast::Instrument,
        r: &'a ast::Reservation,
        def: &mut InstrumentDef,
        rules: &mut Vec<RuleDef<'a>>,
    ) -> bool {
        let party_ok = self.party_ref(&r.party);
        let Some(article) = def.articles.iter().position(|a| a.id == r.article.name) else {
            let what = ReservationProblem::NoArticle { article: r.article.name.clone(), instrument: i.id.name.clone() };
            let ids: Vec<&str> = def.articles.iter().map(|a| a.id.as_str()).collect();
            let help = did_you_mean(&r.article.name, ids.iter().copied())
                .unwrap_or_else(|| format!("its articles are {}", ids.join(", ")));
            self.report(ReservationError { what, at: r.article.span, help });
            return false;
        };
        let n = def.reservations.len();
        let party = self.sym(&r.party.name);
        def.reservations.push(ReservationDef {
            kind: r.kind,
            party,
            article,
            title: r.title.as_ref().map(|t| t.value.clone()),
            text: r.text.as_ref().map(|t| t.value.clone()),
            span: r.span,
        });
        let mut ok = party_ok;
        for rule in &r.rules {
            let own =
                matches!(&rule.conclusion.bearers, ast::Bearers::One(ast::Term::Party(p)) if p.name == r.party.name);
            if !own {
                let what = ReservationProblem::Bearer { party: r.party.name.clone() };
                let help = format!("write `then {} must ...`", r.party.name);
                self.report(ReservationError { what, at: rule.conclusion.span, help });
                ok = false;
            }
            match self.rule(inst, i, article, rule) {
                Some(mut rd) => {
                    rd.reservation = Some(n);
                    rules.push(rd);
                }
                None => ok = false,
            }
        }
        for rd in rules.iter_mut().filter(|rd| rd.article == article && rd.reservation.is_none()) {
            rd.excluded.push(party);
        }
        ok
    }

    /// How the instrument enters into force.
    fn entry(&mut self, e: &EntryIntoForce) -> Option<Entry> {
        Some(match e {
            EntryIntoForce::OnSignature => Entry::OnSignature,
            EntryIntoForce::OnExchange => Entry::OnExchange,
            EntryIntoForce::OnAdoption => Entry::OnAdoption,
            EntryIntoForce::OnDate(d) => Entry::OnDate(self.date(d)?),
            EntryIntoForce::AfterRatifications { delay, count } => {
                Entry::AfterRatifications { delay: *delay, count: *count }
            }
        })
    }

    /// Status records: real dates, no contradictions, in an order that can have happened.
    fn party_records(&mut self, inst: &ast::Instrument) -> Option<BTreeMap<u32, PartyStatus>> {
        let mut ok = true;
        let mut records: BTreeMap<u32, PartyStatus> = BTreeMap::new();
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        let name = &inst.id.name;
        for record in inst.party_records() {
            let party = &record.party.name;
            if let Some(first) = seen.get(party.as_str()) {
                let twice = Twice::Record { party: party.clone(), instrument: name.clone() };
                self.report(Duplicate::new(twice, record.party.span, Some(*first)));
            } else {
                seen.insert(party.as_str(), record.party.span);
            }
            let mut by_kind: BTreeMap<StatusKind, (Day, Span)> = BTreeMap::new();
            ok &= self.party_ref(&record.party);
            let sym = self.sym(party);
            for s in &record.statuses {
                let Some(day) = self.date(&s.date) else {
                    ok = false;
                    continue;
                };
                if let Some((_, first)) = by_kind.get(&s.kind) {
                    let what = StatusProblem::RecordedTwice { party: party.clone(), step: s.kind.keyword() };
                    self.report(StatusError::new(what, s.span, Some(*first)));
                } else {
                    by_kind.insert(s.kind, (day, s.span));
                }
                records.entry(sym).or_default().set(s.kind, day);
            }
            let when = |k| by_kind.get(&k).copied();
            if let (Some((signed, ss)), Some((ratified, rs))) = (when(StatusKind::Signed), when(StatusKind::Ratified))
                && ratified < signed
            {
                let what = StatusProblem::RatifiedBeforeSigned {
                    party: party.clone(),
                    instrument: name.clone(),
                    ratified: ratified.to_string(),
                    signed: signed.to_string(),
                };
                self.report(StatusError::new(what, rs, Some(ss)));
            }
            let left_between = |a: Day, b: Day| {
                [StatusKind::Left, StatusKind::Withdrew]
                    .iter()
                    .filter_map(|k| when(*k))
                    .any(|(d, _)| a.min(b) < d && d < a.max(b))
            };
            if let (Some((r, _)), Some((a, acs))) = (when(StatusKind::Ratified), when(StatusKind::Acceded))
                && !left_between(r, a)
            {
                let what = StatusProblem::RatifiedAndAcceded { party: party.clone(), instrument: name.clone() };
                self.report(StatusError::new(what, acs, None));
            }
            // A party joins by ratifying or acceding; by signing only where nothing else is recorded.
            let joined = [StatusKind::Ratified, StatusKind::Acceded]
                .iter()
                .filter_map(|k| when(*k))
                .min_by_key(|(d, _)| *d)
                .or(when(StatusKind::Signed));
            for (leaves, ls) in [StatusKind::Withdrew, StatusKind::Left].iter().filter_map(|k| when(*k)) {
                match joined {
                    Some((joined, js)) if leaves < joined => {
                        let what = StatusProblem::LeavesBeforeJoining {
                            party: party.clone(),
                            instrument: name.clone(),
                            leaves: leaves.to_string(),
                            joined: joined.to_string(),
                        };
                        self.report(StatusError::new(what, ls, Some(js)));
                    }
                    None => {
                        let what =
                            StatusProblem::LeavesWithoutJoining { party: party.clone(), instrument: name.clone() };
                        self.report(StatusError::new(what, ls, None));
                    }
                    _ => {}
                }
            }
        }
        ok.then_some(records)
    }

    /// An instrument applies again only after it was terminated.
    fn reapplication_order(&mut self, inst: &ast::Instrument) {
        let Some((reapplied, rs)) = dated(inst, DatedKind::Reapplied) else { return };
        let instrument = inst.id.name.clone();
        match dated(inst, DatedKind::Terminated) {
            None => {
                let what = StatusProblem::ReappliedWithoutTermination { instrument };
                self.report(StatusError::new(what, rs, None));
            }
            Some((terminated, ts)) if reapplied <= terminated => {
                let what = StatusProblem::ReappliedBeforeTermination {
                    instrument,
                    reapplied: reapplied.to_string(),
                    terminated: terminated.to_string(),
                };
                self.report(StatusError::new(what, rs, Some(ts)));
            }
            Some(_) => {}
        }
    }

    /// Ratifications cannot be exchanged before they exist.
    fn exchange_order(&mut self, inst: &ast::Instrument) {
        let Some((exchanged, es)) = dated(inst, DatedKind::Exchanged) else { return };
        for record in inst.party_records() {
            for s in &record.statuses {
                if s.kind == StatusKind::Ratified
                    && let Some(r) = s.date.civil().map(Day::from_date)
                    && r > exchanged
                {
                    let what = StatusProblem::ExchangedBeforeRatified {
                        instrument: inst.id.name.clone(),
                        exchanged: exchanged.to_string(),
                        party: record.party.name.clone(),
                        ratified: r.to_string(),
                    };
                    self.report(StatusError::new(what, es, Some(s.span)));
                }
            }
        }
    }

    /// `precedence X, Y over Z`: the pairs of instruments that rank, `(winner, loser)`.
    pub(super) fn precedence(&mut self, files: &[(FileId, &File)]) -> BTreeSet<(InstId, InstId)> {
        let mut prevails = BTreeSet::new();
        for (file, item) in Checker::items(files) {
            let Item::Precedence(p) = item else { continue };
            self.file = file;
            let winners = self.matching(&p.winners);
            let losers = self.matching(&p.losers);
            for &w in &winners {
                for &l in &losers {
                    // `un_charter, unsc_* over *` does not make an instrument prevail over itself
                    // or over the other winners.
                    if w != l && !winners.contains(&l) {
                        prevails.insert((w, l));
                    }
                }
            }
        }
        prevails
    }

    /// The instruments a list of ids and `*` patterns names.
    fn matching(&mut self, globs: &[ast::Ident]) -> Vec<InstId> {
        let mut out = BTreeSet::new();
        for g in globs {
            if !g.name.contains('*') {
                out.extend(self.instrument_ref(g));
                continue;
            }
            let found: Vec<InstId> =
                self.decls.instruments.iter().filter(|(id, _)| glob_match(&g.name, id)).map(|(_, d)| d.id).collect();
            if found.is_empty() {
                self.report(NoMatch { pattern: g.name.clone(), at: g.span });
            }
            out.extend(found);
        }
        out.into_iter().collect()
    }
}

/// The day an instrument's dated clause of `kind` gives, and where the clause is written.
fn dated(inst: &ast::Instrument, kind: DatedKind) -> Option<(Day, Span)> {
    inst.body.iter().find_map(|c| match c {
        Clause::Dated(k, d, s) if *k == kind => d.civil().map(|d| (Day::from_date(d), *s)),
        _ => None,
    })
}
