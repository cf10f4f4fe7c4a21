//! The checker: names, variables, dates, status records and strata, over a whole rule set.
//!
//! It reports every problem it finds, each with a span and a message a treaty lawyer can act on,
//! and never stops at the first. A rule set with no error diagnostic can be compiled.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use casus_syntax::ast::*;
use casus_syntax::diagnostic::Diagnostic;
use casus_syntax::source::{FileId, Span};
use casus_syntax::suggest::nearest;

/// Checks a rule set: every parsed file, together, since names cross files.
pub fn check(files: &[(FileId, &File)]) -> Vec<Diagnostic> {
    let mut c = Checker { diags: Vec::new(), names: Names::default() };
    for (file, ast) in files {
        c.collect(*file, ast);
    }
    for (file, ast) in files {
        for item in &ast.items {
            c.item(*file, item);
        }
    }
    c.strata(files);
    c.diags
}

/// Everything a rule set declares, by name.
#[derive(Default)]
struct Names<'a> {
    instruments: BTreeMap<&'a str, (FileId, &'a Instrument)>,
    groups: BTreeMap<&'a str, (FileId, &'a Group)>,
    facts: BTreeMap<&'a str, (FileId, &'a FactDecl)>,
    actions: BTreeMap<&'a str, (FileId, &'a ActionDecl)>,
    parties: BTreeMap<&'a str, (FileId, &'a PartyDecl)>,
}

struct Checker<'a> {
    diags: Vec<Diagnostic>,
    names: Names<'a>,
}

/// Where a pattern is used: as a fact or as an action.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    Fact,
    Action,
}

impl<'a> Checker<'a> {
    /// First pass: record every declaration, reporting duplicates.
    fn collect(&mut self, file: FileId, ast: &'a File) {
        for item in &ast.items {
            let (what, name, first) = match item {
                Item::Instrument(i) => ("instrument", &i.id, insert(&mut self.names.instruments, &i.id, file, i)),
                Item::Group(g) => ("group", &g.name, insert(&mut self.names.groups, &g.name, file, g)),
                Item::Fact(f) => ("kind of fact", &f.name, insert(&mut self.names.facts, &f.name, file, f)),
                Item::Action(a) => ("action", &a.name, insert(&mut self.names.actions, &a.name, file, a)),
                Item::Party(p) => ("party", &p.code, insert(&mut self.names.parties, &p.code, file, p)),
                Item::Deem(_) | Item::Precedence(_) => continue,
            };
            if let Some((first_file, first_span)) = first {
                self.diags.push(
                    Diagnostic::error(
                        "casus::duplicate",
                        file,
                        name.span,
                        format!("the {what} `{}` is defined twice", name.name),
                    )
                    .with_label("defined again here")
                    .with_secondary(first_file, first_span, "first defined here"),
                );
            }
        }
    }

    fn item(&mut self, file: FileId, item: &'a Item) {
        match item {
            Item::Instrument(i) => self.instrument(file, i),
            Item::Group(g) => self.group(file, g),
            Item::Fact(f) => self.fact_decl(file, f),
            Item::Action(a) => self.action_decl(file, a),
            Item::Party(_) => {}
            Item::Deem(d) => self.deem(file, d),
            Item::Precedence(p) => self.precedence(file, p),
        }
    }

    fn instrument(&mut self, file: FileId, inst: &'a Instrument) {
        let mut seen_clauses: HashMap<&str, Span> = HashMap::new();
        let mut articles: HashMap<&str, Span> = HashMap::new();
        for clause in &inst.body {
            let key = match clause {
                Clause::InForce(..) => Some("entry-into-force clause"),
                Clause::Withdrawal(..) => Some("withdrawal clause"),
                Clause::Dated(k, ..) => Some(k.keyword()),
                Clause::Binds(..) => Some("binds clause"),
                Clause::Parties(_) | Clause::Article(_) => None,
            };
            if let Some(key) = key
                && let Some(first) = seen_clauses.insert(key, clause.span())
            {
                self.diags.push(
                    Diagnostic::error(
                        "casus::duplicate",
                        file,
                        clause.span(),
                        format!("`{}` has a second {key}", inst.id.name),
                    )
                    .with_secondary(file, first, "the first is here"),
                );
            }
            match clause {
                Clause::Dated(_, d, _) => self.date(file, d),
                Clause::InForce(EntryIntoForce::OnDate(d), _) => self.date(file, d),
                Clause::Binds(g, _) => self.group_ref(file, g),
                Clause::Article(a) => {
                    if let Some(first) = articles.insert(a.id.name.as_str(), a.id.span) {
                        self.diags.push(
                            Diagnostic::error(
                                "casus::duplicate",
                                file,
                                a.id.span,
                                format!("article `{}` of `{}` is defined twice", a.id.name, inst.id.name),
                            )
                            .with_label("defined again here")
                            .with_secondary(file, first, "first defined here"),
                        );
                    }
                    for rule in &a.rules {
                        self.rule(file, inst, rule);
                    }
                }
                _ => {}
            }
        }
        self.party_records(file, inst);
    }

    /// Status records: real dates, no contradictions, in an order that can have happened.
    fn party_records(&mut self, file: FileId, inst: &'a Instrument) {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for record in inst.party_records() {
            if let Some(first) = seen.insert(record.party.name.as_str(), record.party.span) {
                self.diags.push(
                    Diagnostic::error(
                        "casus::duplicate",
                        file,
                        record.party.span,
                        format!("`{}` has two status records in `{}`", record.party.name, inst.id.name),
                    )
                    .with_secondary(file, first, "the first is here")
                    .with_help("put every step of one party on one line"),
                );
            }
            let mut by_kind: HashMap<StatusKind, &Status> = HashMap::new();
            for s in &record.statuses {
                self.date(file, &s.date);
                if let Some(first) = by_kind.insert(s.kind, s) {
                    self.diags.push(
                        Diagnostic::error(
                            "casus::status",
                            file,
                            s.span,
                            format!("`{}` is recorded as {} twice", record.party.name, s.kind.keyword()),
                        )
                        .with_secondary(file, first.span, "first recorded here"),
                    );
                }
            }
            let when = |k| by_kind.get(&k).and_then(|s| s.date.civil().map(|d| (d, s.span)));
            let party = &record.party.name;
            if let (Some((signed, ss)), Some((ratified, rs))) = (when(StatusKind::Signed), when(StatusKind::Ratified))
                && ratified < signed
            {
                self.diags.push(
                    Diagnostic::error(
                        "casus::status",
                        file,
                        rs,
                        format!("`{party}` ratified `{}` on {ratified}, before signing it on {signed}", inst.id.name),
                    )
                    .with_secondary(file, ss, "signed here")
                    .with_help(
                        "a state ratifies what it has signed; check both dates against the depositary's records",
                    ),
                );
            }
            let left_between = |a: jiff::civil::Date, b: jiff::civil::Date| {
                [StatusKind::Left, StatusKind::Withdrew]
                    .iter()
                    .filter_map(|k| when(*k))
                    .any(|(d, _)| a.min(b) < d && d < a.max(b))
            };
            if let (Some((r, _)), Some((a, acs))) = (when(StatusKind::Ratified), when(StatusKind::Acceded))
                && !left_between(r, a)
            {
                self.diags.push(
                    Diagnostic::error(
                        "casus::status",
                        file,
                        acs,
                        format!("`{party}` both ratified and acceded to `{}`", inst.id.name),
                    )
                    .with_help("signatories ratify; states that did not sign accede — keep the one that happened"),
                );
            }
            // A party joins by ratifying or acceding; by signing only where nothing else is recorded.
            let joined = [StatusKind::Ratified, StatusKind::Acceded]
                .iter()
                .filter_map(|k| when(*k))
                .min_by_key(|(d, _)| *d)
                .or(when(StatusKind::Signed));
            for (withdrew, ws) in [StatusKind::Withdrew, StatusKind::Left].iter().filter_map(|k| when(*k)) {
                match joined {
                    Some((joined, js)) if withdrew < joined => self.diags.push(
                        Diagnostic::error(
                            "casus::status",
                            file,
                            ws,
                            format!("`{party}` leaves `{}` on {withdrew}, before joining it on {joined}", inst.id.name),
                        )
                        .with_secondary(file, js, "joined here"),
                    ),
                    None => self.diags.push(Diagnostic::error(
                        "casus::status",
                        file,
                        ws,
                        format!("`{party}` leaves `{}` without having signed, ratified or acceded to it", inst.id.name),
                    )),
                    _ => {}
                }
            }
        }
        self.exchange_order(file, inst);
    }

    /// Ratifications cannot be exchanged before they exist.
    fn exchange_order(&mut self, file: FileId, inst: &'a Instrument) {
        let exchanged = inst.body.iter().find_map(|c| match c {
            Clause::Dated(DatedKind::Exchanged, d, s) => d.civil().map(|d| (d, *s)),
            _ => None,
        });
        let Some((exchanged, es)) = exchanged else {
            return;
        };
        for record in inst.party_records() {
            for s in &record.statuses {
                if s.kind == StatusKind::Ratified
                    && let Some(r) = s.date.civil()
                    && r > exchanged
                {
                    self.diags.push(
                        Diagnostic::error(
                            "casus::status",
                            file,
                            es,
                            format!("instruments of ratification of `{}` are exchanged on {exchanged}, before `{}` ratified on {r}", inst.id.name, record.party.name),
                        )
                        .with_secondary(file, s.span, "ratified here"),
                    );
                }
            }
        }
    }

    fn date(&mut self, file: FileId, d: &Date) {
        if d.civil().is_some() {
            return;
        }
        let why = match jiff::civil::Date::new(d.year, d.month, 1) {
            Ok(first) => format!("{} {} has {} days", month_name(d.month), d.year, first.days_in_month()),
            Err(_) if !(1..=12).contains(&d.month) => "months run from 01 to 12".to_string(),
            Err(_) => "the year is out of range".to_string(),
        };
        self.diags.push(
            Diagnostic::error("casus::date", file, d.span, format!("`{d}` is not a date that exists"))
                .with_label(why)
                .with_help("dates are written YYYY-MM-DD in the proleptic Gregorian calendar"),
        );
    }

    fn group_ref(&mut self, file: FileId, g: &Ident) {
        if !self.names.groups.contains_key(g.name.as_str()) {
            let help = nearest(&g.name, self.names.groups.keys().copied());
            let mut d = Diagnostic::error("casus::unknown-group", file, g.span, format!("unknown group `{}`", g.name))
                .with_label("no group of this name is defined");
            d = d.with_help(match help {
                Some(n) => format!("did you mean `{n}`?"),
                None => format!("define it with `group {} = [...]`", g.name),
            });
            self.diags.push(d);
        }
    }

    fn instrument_ref(&mut self, file: FileId, id: &Ident) {
        if !self.names.instruments.contains_key(id.name.as_str()) {
            let mut d = Diagnostic::error(
                "casus::unknown-instrument",
                file,
                id.span,
                format!("unknown instrument `{}`", id.name),
            )
            .with_label("no treaty, resolution or regime has this id");
            if let Some(n) = nearest(&id.name, self.names.instruments.keys().copied()) {
                d = d.with_help(format!("did you mean `{n}`?"));
            }
            self.diags.push(d);
        }
    }

    /// A fact or action pattern: a known name, known roles, each role once.
    fn pattern(&mut self, file: FileId, p: &Pattern, usage: Use) {
        let roles: Option<Vec<&str>> = match usage {
            Use::Fact => self
                .names
                .facts
                .get(p.name.name.as_str())
                .map(|(_, f)| f.roles.iter().map(|r| r.name.name.as_str()).collect()),
            Use::Action => self
                .names
                .actions
                .get(p.name.name.as_str())
                .map(|(_, a)| a.roles.iter().map(|r| r.name.as_str()).collect()),
        };
        let Some(roles) = roles else {
            let (code, what, table): (_, _, Vec<&str>) = match usage {
                Use::Fact => ("casus::unknown-fact", "kind of fact", self.names.facts.keys().copied().collect()),
                Use::Action => ("casus::unknown-action", "action", self.names.actions.keys().copied().collect()),
            };
            let mut d = Diagnostic::error(code, file, p.name.span, format!("unknown {what} `{}`", p.name.name));
            if usage == Use::Fact && self.names.actions.contains_key(p.name.name.as_str()) {
                d = d.with_help(format!("`{}` is an action: write `P performs {}`", p.name.name, p));
            } else if let Some(n) = nearest(&p.name.name, table) {
                d = d.with_help(format!("did you mean `{n}`?"));
            } else {
                let decl = if usage == Use::Fact { "fact" } else { "action" };
                d = d.with_help(format!("declare it with `{decl} {}(role, ...)`", p.name.name));
            }
            self.diags.push(d);
            return;
        };
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for a in &p.args {
            if !roles.contains(&a.role.name.as_str()) {
                let mut d = Diagnostic::error(
                    "casus::unknown-role",
                    file,
                    a.role.span,
                    format!("`{}` has no role `{}`", p.name.name, a.role.name),
                );
                d = d.with_help(match nearest(&a.role.name, roles.iter().copied()) {
                    Some(n) => format!("did you mean `{n}`? its roles are {}", list(&roles)),
                    None if roles.is_empty() => format!("`{}` takes no roles", p.name.name),
                    None => format!("its roles are {}", list(&roles)),
                });
                self.diags.push(d);
            }
            if let Some(first) = seen.insert(a.role.name.as_str(), a.role.span) {
                self.diags.push(
                    Diagnostic::error(
                        "casus::duplicate",
                        file,
                        a.role.span,
                        format!("the role `{}` is given twice", a.role.name),
                    )
                    .with_secondary(file, first, "first given here"),
                );
            }
        }
    }

    /// A norm rule: names, bound variables, and whether it can fire at all.
    fn rule(&mut self, file: FileId, inst: &'a Instrument, rule: &'a Rule) {
        let cond = rule.condition.as_deref().unwrap_or(&[]);
        let mut bound = Bound::default();
        // The bearer variable of `every party P` may be tested in the condition (`P in G`,
        // `not (P = X and ...)`), one bearer at a time; it may not be bound by a pattern.
        let bearer_name = match &rule.conclusion.bearers {
            Bearers::EveryParty { var, .. } | Bearers::EveryState { var, .. } => Some(var),
            _ => None,
        };
        let mut by_patterns = BTreeSet::new();
        for lit in cond {
            if let LiteralKind::Fact(p) | LiteralKind::Act { action: p, .. } = &lit.kind {
                p.args.iter().filter_map(|a| a.value.var()).for_each(|v| {
                    by_patterns.insert(v.name.as_str());
                });
            }
            if let LiteralKind::Act { actor: Term::Var(v), .. } = &lit.kind {
                by_patterns.insert(v.name.as_str());
            }
        }
        if let Some(v) = bearer_name
            && !by_patterns.contains(v.name.as_str())
        {
            bound.vars.insert(v.name.as_str(), v.span);
        }
        self.condition(file, Some(inst), cond, &mut bound);
        let c = &rule.conclusion;
        let (bearer_var, except, group) = match &c.bearers {
            Bearers::EveryParty { var, except } | Bearers::EveryState { var, except } => {
                (Some(var), except.as_slice(), None)
            }
            Bearers::EveryMember { group, except } => (None, except.as_slice(), Some(group)),
            Bearers::One(t) => {
                self.need_bound(file, t, &bound, "names the bearer");
                (None, &[][..], None)
            }
        };
        if let Some(g) = group {
            self.group_ref(file, g);
        }
        for t in except {
            self.need_bound(file, t, &bound, "is left out of the bearers");
        }
        if let Some(v) = bearer_var {
            if by_patterns.contains(v.name.as_str()) {
                self.diags.push(
                    Diagnostic::error(
                        "casus::variable",
                        file,
                        v.span,
                        format!("`{}` is already bound by the condition", v.name),
                    )
                    .with_help("the bearers need a variable of their own, such as `every party P`"),
                );
            }
            bound.vars.insert(v.name.as_str(), v.span);
            bound.bearer = Some(v.name.as_str());
        }
        self.pattern(file, &c.action, Use::Action);
        for a in &c.action.args {
            match &a.value {
                Term::Wildcard(s) => self.diags.push(
                    Diagnostic::error("casus::variable", file, *s, "a norm's action cannot take `_`").with_help(
                        format!("leave the role `{}` out: a norm without it covers every value", a.role.name),
                    ),
                ),
                t => self.need_bound(file, t, &bound, "is an argument of the norm"),
            }
        }
        if let Some(Deadline::By(d)) = &c.deadline {
            self.date(file, d);
        }
        self.singletons(file, rule, bound.bearer);
        self.dead_rule(file, inst, rule);
    }

    /// Checks a conjunction left to right, recording what it binds.
    fn condition(&mut self, file: FileId, inst: Option<&'a Instrument>, cond: &'a [Literal], bound: &mut Bound<'a>) {
        // Positive patterns bind wherever they stand; the tests that need bound values are
        // checked after every binder has been seen.
        for lit in cond {
            match &lit.kind {
                LiteralKind::Fact(p) => {
                    self.pattern(file, p, Use::Fact);
                    bound.bind_pattern(p);
                }
                LiteralKind::Act { actor, action } => {
                    self.pattern(file, action, Use::Action);
                    bound.bind_term(actor);
                    bound.bind_pattern(action);
                }
                _ => {}
            }
        }
        for lit in cond {
            match &lit.kind {
                LiteralKind::Fact(_) | LiteralKind::Act { .. } => {}
                LiteralKind::IsParty { term, instrument, .. } => {
                    self.need_bound(file, term, bound, "is tested for being a party");
                    if let Some(id) = instrument {
                        self.instrument_ref(file, id);
                    } else if inst.is_none() {
                        self.diags.push(
                            Diagnostic::error(
                                "casus::syntax",
                                file,
                                lit.span,
                                "`is party` outside an instrument must say which one",
                            )
                            .with_help("write `X is party to INSTRUMENT`"),
                        );
                    }
                }
                LiteralKind::InGroup { term, group, .. } => {
                    self.need_bound(file, term, bound, "is tested for membership");
                    self.group_ref(file, group);
                }
                LiteralKind::Compare { left, right, .. } => {
                    self.need_bound(file, left, bound, "is compared");
                    self.need_bound(file, right, bound, "is compared");
                }
                LiteralKind::Not(inner) => {
                    // Variables first bound inside `not` are local to it: "there is no X such that".
                    let mut local = bound.clone();
                    self.condition(file, inst, inner, &mut local);
                }
            }
        }
    }

    fn need_bound(&mut self, file: FileId, t: &Term, bound: &Bound, role: &str) {
        if let Term::Var(v) = t
            && !bound.vars.contains_key(v.name.as_str())
        {
            self.diags.push(
                Diagnostic::error(
                    "casus::unbound",
                    file,
                    v.span,
                    format!("variable `{}` {role} but is bound nowhere", v.name),
                )
                .with_label("not bound by any fact or act in the condition")
                .with_help(format!(
                    "bind `{}` in a fact or act pattern of the condition, such as `armed_attack(on: {})`",
                    v.name, v.name
                )),
            );
        }
    }

    /// Warns about variables written once: usually a typo for another variable.
    /// Only the condition is looked at for the single use: a variable used once in the
    /// conclusion is unbound, which is an error of its own.
    fn singletons<'r>(&mut self, file: FileId, rule: &'r Rule, bearer: Option<&str>) {
        let mut count: BTreeMap<&'r str, (usize, Span)> = BTreeMap::new();
        let mut note = |t: &'r Term| {
            if let Term::Var(v) = t {
                let e = count.entry(v.name.as_str()).or_insert((0, v.span));
                e.0 += 1;
            }
        };
        visit_terms(rule, &mut note);
        let mut in_condition: BTreeSet<&'r str> = BTreeSet::new();
        condition_terms(rule.condition.as_deref().unwrap_or(&[]), &mut |t: &'r Term| {
            if let Term::Var(v) = t {
                in_condition.insert(v.name.as_str());
            }
        });
        for (name, (n, span)) in count {
            if n == 1 && Some(name) != bearer && in_condition.contains(name) {
                self.diags.push(
                    Diagnostic::warning("casus::singleton", file, span, format!("variable `{name}` is used only once"))
                        .with_help("write `_` if any value will do, or check the spelling against the other variables"),
                );
            }
        }
    }

    /// Warns about rules whose condition can never hold, or whose bearer can never be bound.
    fn dead_rule(&mut self, file: FileId, inst: &Instrument, rule: &Rule) {
        let cond = rule.condition.as_deref().unwrap_or(&[]);
        for lit in cond {
            if let Some(why) = self.never_holds(inst, lit, cond) {
                self.diags.push(
                    Diagnostic::warning("casus::dead-rule", file, lit.span, "this rule can never fire").with_label(why),
                );
                return;
            }
        }
        if let Bearers::One(Term::Party(p)) = &rule.conclusion.bearers
            && !self.can_be_bound(inst, &p.name)
        {
            self.diags.push(
                Diagnostic::warning(
                    "casus::dead-rule",
                    file,
                    p.span,
                    format!("`{}` is not a party to `{}`: this norm never binds anyone", p.name, inst.id.name),
                )
                .with_help("norms bind only the parties the instrument binds; add a status record for this party"),
            );
        }
    }

    fn never_holds(&self, inst: &Instrument, lit: &Literal, cond: &[Literal]) -> Option<String> {
        match &lit.kind {
            LiteralKind::Compare { left, negated, right } => {
                let same = left == right && !matches!(left, Term::Wildcard(_));
                let constants = !matches!(left, Term::Var(_) | Term::Wildcard(_))
                    && !matches!(right, Term::Var(_) | Term::Wildcard(_));
                if *negated && same {
                    return Some(format!("`{left}` always equals itself"));
                }
                if !negated && constants && !same {
                    return Some(format!("`{left}` and `{right}` are different constants"));
                }
                None
            }
            LiteralKind::InGroup { term: t @ (Term::Party(_) | Term::Symbol(_)), negated, group } => {
                let (_, g) = self.names.groups.get(group.name.as_str())?;
                let member = g.members.contains(t);
                (member == *negated)
                    .then(|| format!("`{t}` is {}in `{}`", if member { "" } else { "not " }, group.name))
            }
            LiteralKind::IsParty { term: Term::Party(p), negated: false, instrument } => {
                let target = match instrument {
                    Some(id) => self.names.instruments.get(id.name.as_str()).map(|(_, i)| *i)?,
                    None => inst,
                };
                (!self.can_be_bound(target, &p.name))
                    .then(|| format!("`{}` has no status record in `{}`", p.name, target.id.name))
            }
            LiteralKind::IsParty { term, negated, instrument } => {
                let opposite = cond.iter().any(|o| {
                    matches!(&o.kind, LiteralKind::IsParty { term: t2, negated: n2, instrument: i2 }
                        if t2 == term && n2 != negated && i2 == instrument)
                });
                (opposite && !negated).then(|| format!("`{term}` cannot both be and not be a party"))
            }
            _ => None,
        }
    }

    /// Whether a party could ever be bound: it has a status record, or the instrument binds a group.
    fn can_be_bound(&self, inst: &Instrument, party: &str) -> bool {
        let binds_group = inst.body.iter().any(|c| matches!(c, Clause::Binds(..)));
        binds_group || inst.party_records().any(|r| r.party.name == party)
    }

    fn group(&mut self, file: FileId, g: &Group) {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for m in &g.members {
            if !seen.insert(m.to_string()) {
                self.diags.push(Diagnostic::warning(
                    "casus::duplicate",
                    file,
                    m.span(),
                    format!("`{m}` is listed twice in `{}`", g.name.name),
                ));
            }
        }
    }

    fn fact_decl(&mut self, file: FileId, f: &FactDecl) {
        let roles: Vec<&str> = f.roles.iter().map(|r| r.name.name.as_str()).collect();
        let mut seen = BTreeSet::new();
        for r in &f.roles {
            if !seen.insert(r.name.name.as_str()) {
                self.diags.push(Diagnostic::error(
                    "casus::duplicate",
                    file,
                    r.name.span,
                    format!("the role `{}` is declared twice", r.name.name),
                ));
            }
            if let Some(d) = &r.default
                && (!roles.contains(&d.name.as_str()) || d.name == r.name.name)
            {
                self.diags.push(
                    Diagnostic::error(
                        "casus::unknown-role",
                        file,
                        d.span,
                        format!("the default of `{}` must be another role of `{}`", r.name.name, f.name.name),
                    )
                    .with_help(format!("its roles are {}", list(&roles))),
                );
            }
        }
    }

    fn action_decl(&mut self, file: FileId, a: &'a ActionDecl) {
        let mut seen = BTreeSet::new();
        for r in &a.roles {
            if !seen.insert(r.name.as_str()) {
                self.diags.push(Diagnostic::error(
                    "casus::duplicate",
                    file,
                    r.span,
                    format!("the role `{}` is declared twice", r.name),
                ));
            }
        }
        for inc in &a.includes {
            self.pattern(file, inc, Use::Action);
            // A variable names a role of the including action, capitalised: in
            // `assist(ally, against) includes use_force(against: Against)` the force is used
            // against whoever the assistance is against.
            for arg in &inc.args {
                if let Term::Var(v) = &arg.value
                    && !a.roles.iter().any(|r| capitalised(&r.name) == v.name)
                {
                    let roles: Vec<String> = a.roles.iter().map(|r| format!("`{}`", capitalised(&r.name))).collect();
                    self.diags.push(
                        Diagnostic::error(
                            "casus::variable",
                            file,
                            v.span,
                            format!("`{}` names no role of `{}`", v.name, a.name.name),
                        )
                        .with_help(if roles.is_empty() {
                            format!(
                                "`{}` has no roles; write a constant such as `{}: arms`",
                                a.name.name, arg.role.name
                            )
                        } else {
                            format!("a variable here stands for a role of `{}`: {}", a.name.name, roles.join(", "))
                        }),
                    );
                }
            }
        }
        // An action that includes itself, directly or through others, has no meaning.
        let mut stack: Vec<&str> = a.includes.iter().map(|p| p.name.name.as_str()).collect();
        let mut visited = BTreeSet::new();
        while let Some(next) = stack.pop() {
            if next == a.name.name {
                self.diags.push(Diagnostic::error(
                    "casus::cycle",
                    file,
                    a.name.span,
                    format!("`{}` includes itself", a.name.name),
                ));
                break;
            }
            if visited.insert(next)
                && let Some((_, decl)) = self.names.actions.get(next)
            {
                stack.extend(decl.includes.iter().map(|p| p.name.name.as_str()));
            }
        }
    }

    fn deem(&mut self, file: FileId, d: &'a Deem) {
        let mut bound = Bound::default();
        self.condition(file, None, &d.condition, &mut bound);
        self.pattern(file, &d.head, Use::Fact);
        for a in &d.head.args {
            match &a.value {
                Term::Wildcard(s) => self.diags.push(
                    Diagnostic::error("casus::variable", file, *s, "a derived fact cannot take `_`")
                        .with_help(format!("leave the role `{}` out", a.role.name)),
                ),
                t => self.need_bound(file, t, &bound, "is an argument of the derived fact"),
            }
        }
    }

    fn precedence(&mut self, file: FileId, p: &Precedence) {
        for g in p.winners.iter().chain(&p.losers) {
            if !g.name.contains('*') {
                self.instrument_ref(file, g);
            } else if !self.names.instruments.keys().any(|id| glob_match(&g.name, id)) {
                self.diags.push(Diagnostic::warning(
                    "casus::unknown-instrument",
                    file,
                    g.span,
                    format!("`{}` matches no instrument", g.name),
                ));
            }
        }
    }

    /// Negation must be stratified: no kind may depend, on the same day, on its own negation.
    fn strata(&mut self, files: &[(FileId, &'a File)]) {
        // Edges head <- body kind, for same-day `deem` rules; `after N days` reads the past.
        let mut edges: Vec<(&str, &str, bool, FileId, Span)> = Vec::new();
        for (file, ast) in files {
            for item in &ast.items {
                let Item::Deem(d) = item else { continue };
                if d.delay.is_some_and(|x| x.amount > 0) {
                    continue;
                }
                let mut kinds = Vec::new();
                body_kinds(&d.condition, None, &mut kinds);
                for (kind, negative, span) in kinds {
                    edges.push((d.head.name.name.as_str(), kind, negative, *file, span));
                }
            }
        }
        let mut reach: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (head, body, ..) in &edges {
            reach.entry(body).or_default().insert(head);
        }
        // `depends(a, b)`: facts of kind `b` are derived, on the same day, from facts of kind `a`.
        let depends = |from: &str, to: &str| {
            let mut stack = vec![from];
            let mut seen = BTreeSet::new();
            while let Some(k) = stack.pop() {
                if k == to {
                    return true;
                }
                if seen.insert(k) {
                    stack.extend(reach.get(k).into_iter().flatten().copied());
                }
            }
            false
        };
        for (head, body, negative, file, span) in &edges {
            if *negative && depends(head, body) {
                self.diags.push(
                    Diagnostic::error("casus::stratification", *file, *span, format!("`not {body}` depends on `{head}`, which this rule derives from it"))
                        .with_label("negation through a cycle")
                        .with_help("such a rule has no single meaning; add `after 1 day` to read the day before, or drop the negation"),
                );
            }
        }
    }
}

/// Variables bound so far in a condition.
#[derive(Clone, Default)]
struct Bound<'a> {
    vars: BTreeMap<&'a str, Span>,
    bearer: Option<&'a str>,
}

impl<'a> Bound<'a> {
    fn bind_term(&mut self, t: &'a Term) {
        if let Term::Var(v) = t {
            self.vars.entry(v.name.as_str()).or_insert(v.span);
        }
    }

    fn bind_pattern(&mut self, p: &'a Pattern) {
        for a in &p.args {
            self.bind_term(&a.value);
        }
    }
}

/// The kinds of fact a condition reads, each with whether it is read under `not` and where
/// (the `not` itself, for a negated kind).
fn body_kinds<'a>(cond: &'a [Literal], negation: Option<Span>, out: &mut Vec<(&'a str, bool, Span)>) {
    for lit in cond {
        match &lit.kind {
            LiteralKind::Fact(p) => out.push((p.name.name.as_str(), negation.is_some(), negation.unwrap_or(lit.span))),
            LiteralKind::Not(inner) => body_kinds(inner, Some(negation.unwrap_or(lit.span)), out),
            _ => {}
        }
    }
}

/// Calls `f` on every term of a condition, inside `not` too.
fn condition_terms<'a>(ls: &'a [Literal], f: &mut impl FnMut(&'a Term)) {
    for l in ls {
        match &l.kind {
            LiteralKind::Fact(p) => p.args.iter().for_each(|a| f(&a.value)),
            LiteralKind::Act { actor, action } => {
                f(actor);
                action.args.iter().for_each(|a| f(&a.value));
            }
            LiteralKind::IsParty { term, .. } | LiteralKind::InGroup { term, .. } => f(term),
            LiteralKind::Compare { left, right, .. } => {
                f(left);
                f(right);
            }
            LiteralKind::Not(inner) => condition_terms(inner, f),
        }
    }
}

/// Calls `f` on every term of a rule.
fn visit_terms<'a>(rule: &'a Rule, f: &mut impl FnMut(&'a Term)) {
    condition_terms(rule.condition.as_deref().unwrap_or(&[]), f);
    match &rule.conclusion.bearers {
        Bearers::EveryParty { except, .. }
        | Bearers::EveryState { except, .. }
        | Bearers::EveryMember { except, .. } => except.iter().for_each(&mut *f),
        Bearers::One(t) => f(t),
    }
    rule.conclusion.action.args.iter().for_each(|a| f(&a.value));
}

fn insert<'a, T>(
    table: &mut BTreeMap<&'a str, (FileId, &'a T)>,
    name: &'a Ident,
    file: FileId,
    value: &'a T,
) -> Option<(FileId, Span)>
where
    T: HasSpanName,
{
    match table.get(name.name.as_str()) {
        Some((f, first)) => Some((*f, first.name_span())),
        None => {
            table.insert(name.name.as_str(), (file, value));
            None
        }
    }
}

trait HasSpanName {
    fn name_span(&self) -> Span;
}

impl HasSpanName for Instrument {
    fn name_span(&self) -> Span {
        self.id.span
    }
}
impl HasSpanName for Group {
    fn name_span(&self) -> Span {
        self.name.span
    }
}
impl HasSpanName for FactDecl {
    fn name_span(&self) -> Span {
        self.name.span
    }
}
impl HasSpanName for ActionDecl {
    fn name_span(&self) -> Span {
        self.name.span
    }
}
impl HasSpanName for PartyDecl {
    fn name_span(&self) -> Span {
        self.code.span
    }
}

/// Whether an instrument id matches a precedence pattern, where `*` stands for any run of
/// characters.
pub fn glob_match(pattern: &str, id: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == id,
        Some((head, tail)) => {
            let Some(rest) = id.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len()).any(|n| rest.get(n..).is_some_and(|r| glob_match(tail, r)))
        }
    }
}

fn list(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

fn month_name(m: i8) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    usize::try_from(m - 1).ok().and_then(|i| NAMES.get(i)).copied().unwrap_or("month")
}

/// A role name as the variable that stands for it in an `includes` clause: `against` → `Against`.
pub fn capitalised(role: &str) -> String {
    let mut c = role.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs_match_runs_of_characters() {
        assert!(glob_match("unsc_*", "unsc_1718"));
        assert!(glob_match("*", "kp_ru_2024"));
        assert!(glob_match("*_1949", "nato_1949"));
        assert!(!glob_match("unsc_*", "un_charter"));
        assert!(glob_match("un_charter", "un_charter"));
    }
}
