//! The canonical layout of rule files, as `casus fmt` writes it.
//!
//! Layout depends only on the tree, the comments and where the source had blank lines, so
//! formatting is idempotent. Every comment is kept (a comment in the middle of a rule moves to
//! the nearest line break), and article text is printed byte for byte as it was written.
//!
//! The `Display` impls here print single nodes in the same syntax; reports use them to quote
//! rules.

use std::fmt::{self, Display, Write as _};

use crate::ast::*;
use crate::source::Span;

/// Lines longer than this are broken where the layout allows.
pub const WIDTH: usize = 100;

const INDENT: &str = "  ";

/// Formats a parsed file. `source` is the text it was parsed from, for blank lines.
pub fn format(file: &File, comments: &[Comment], source: &str) -> String {
    let mut p = Printer {
        out: String::new(),
        comments,
        next: 0,
        source,
        depth: 0,
        last_end: 0,
        fresh: true,
        last_block: false,
    };
    for item in &file.items {
        p.item(item);
    }
    p.flush_before(usize::MAX);
    p.out
}

struct Printer<'a> {
    out: String,
    comments: &'a [Comment],
    next: usize,
    source: &'a str,
    depth: usize,
    /// The end of the last source text printed, for blank lines and trailing comments.
    last_end: usize,
    /// At the start of a block (or the file): no blank line goes here.
    fresh: bool,
    /// The last thing printed was a multi-line block.
    last_block: bool,
}

impl Printer<'_> {
    fn item(&mut self, item: &Item) {
        match item {
            Item::Instrument(i) => self.instrument(i),
            Item::Group(g) => self.group(g),
            Item::Fact(f) => self.simple(f.span, &f.to_string()),
            Item::Action(a) => self.simple(a.span, &a.to_string()),
            Item::Party(p) => self.simple(p.span, &p.to_string()),
            Item::Place(p) => self.place(p),
            Item::Unit(u) => self.simple(u.span, &u.to_string()),
            Item::Deem(d) => self.deem(d),
            Item::Precedence(x) => self.simple(x.span, &x.to_string()),
        }
    }

    fn instrument(&mut self, i: &Instrument) {
        self.begin(i.span.start, true);
        let title = i.title.as_ref().map(|t| format!(" {}", quoted(&t.value))).unwrap_or_default();
        self.open(&format!("{} {}{title} {{", i.kind.keyword(), i.id.name), i.id.span.end);
        for clause in &i.body {
            match clause {
                Clause::Parties(ps) => {
                    self.begin(ps.span.start, false);
                    self.open("parties {", ps.span.start);
                    for r in &ps.records {
                        self.simple(r.span, &r.to_string());
                    }
                    self.close(ps.span, false);
                }
                Clause::Article(a) => self.article(a),
                Clause::Reservation(r) => self.reservation(r),
                other => self.simple(other.span(), &clause_line(other)),
            }
        }
        self.close(i.span, true);
    }

    fn article(&mut self, a: &Article) {
        self.begin(a.span.start, true);
        let heading = a.heading.as_ref().map(|h| format!(" {}", quoted(&h.value))).unwrap_or_default();
        let end = a.heading.as_ref().map_or(a.id.span.end, |h| h.span.end);
        self.open(&format!("article {}{heading} {{", article_id(&a.id.name)), end);
        if let Some(text) = &a.text {
            self.simple(text.span, &format!("text {}", quoted(&text.value)));
        }
        for rule in &a.rules {
            self.rule(rule);
        }
        self.close(a.span, true);
    }

    fn reservation(&mut self, r: &Reservation) {
        self.begin(r.span.start, true);
        let title = r.title.as_ref().map(|h| format!(" {}", quoted(&h.value))).unwrap_or_default();
        let end = r.title.as_ref().map_or(r.article.span.end, |h| h.span.end);
        let head =
            format!("{} {} to article {}{title} {{", r.kind.keyword(), r.party.name, article_id(&r.article.name));
        self.open(&head, end);
        if let Some(text) = &r.text {
            self.simple(text.span, &format!("text {}", quoted(&text.value)));
        }
        for rule in &r.rules {
            self.rule(rule);
        }
        self.close(r.span, true);
    }

    fn place(&mut self, p: &PlaceDecl) {
        self.begin(p.span.start, true);
        let title = p.title.as_ref().map(|t| format!(" {}", quoted(&t.value))).unwrap_or_default();
        let end = p.title.as_ref().map_or(p.name.span.end, |t| t.span.end);
        self.open(&format!("place {}{title} {{", p.name.name), end);
        for line in &p.lines {
            self.simple(line.span, &line.to_string());
        }
        self.close(p.span, true);
    }

    fn rule(&mut self, r: &Rule) {
        self.begin(r.span.start, false);
        let keyword = match &r.condition {
            None => "always",
            Some(cond) => {
                self.condition("if", cond, r.span);
                self.begin(r.conclusion.span.start, false);
                "then"
            }
        };
        let whole = format!("{keyword} {}", r.conclusion);
        match &r.conclusion.cap {
            // A cap that does not fit goes on a line of its own, below the conclusion.
            Some(cap) if !self.fits(&whole) => {
                let head = Conclusion { cap: None, ..r.conclusion.clone() };
                self.line(&format!("{keyword} {head}"), cap.span.start);
                self.depth += 1;
                self.line(&cap.to_string(), cap.span.end);
                self.depth -= 1;
            }
            _ => self.line(&whole, r.conclusion.span.end),
        }
    }

    fn deem(&mut self, d: &Deem) {
        self.begin(d.span.start, false);
        let delay = d.delay.map(|x| format!(" after {x}")).unwrap_or_default();
        let head = format!("deem {}{delay}", d.head);
        let one_line = format!("{head} if {}", conjunction(&d.condition));
        if self.fits(&one_line) && !self.has_comment_within(d.span) {
            self.line(&one_line, d.span.end);
            return;
        }
        self.line(&head, d.head.span.end);
        self.depth += 1;
        self.condition("if", &d.condition, d.span);
        self.depth -= 1;
    }

    /// `if a and b` on one line when it fits and holds no comment, else one literal a line.
    fn condition(&mut self, keyword: &str, cond: &[Literal], whole: Span) {
        let one_line = format!("{keyword} {}", conjunction(cond));
        let inner = Span::new(whole.start, cond.last().map_or(whole.start, |l| l.span.end));
        if self.fits(&one_line) && !self.has_comment_within(inner) {
            let end = cond.last().map_or(whole.start, |l| l.span.end);
            self.line(&one_line, end);
            return;
        }
        for (n, lit) in cond.iter().enumerate() {
            self.begin(lit.span.start, false);
            if n == 0 {
                self.line(&format!("{keyword} {lit}"), lit.span.end);
            } else {
                self.line(&format!("{INDENT}and {lit}"), lit.span.end);
            }
        }
    }

    fn group(&mut self, g: &Group) {
        self.begin(g.span.start, false);
        let members: Vec<String> = g.members.iter().map(ToString::to_string).collect();
        let member_end = |m: &Member| m.period.until.or(m.period.from).map_or(m.term.span().end, |d| d.span.end);
        let title = g.title.as_ref().map(|t| format!(" {}", quoted(&t.value))).unwrap_or_default();
        let keyword = if g.category { "category" } else { "group" };
        let head = format!("{keyword} {}{title} = [", g.name.name);
        let one_line = format!("{head}{}]", members.join(", "));
        let comments_inside = self.has_comment_within(g.span);
        if self.fits(&one_line) && !comments_inside {
            self.line(&one_line, g.span.end);
            return;
        }
        self.open(&head, g.title.as_ref().map_or(g.name.span.end, |t| t.span.end));
        if comments_inside {
            for m in &g.members {
                self.begin(m.term.span().start, false);
                self.line(&format!("{m},"), member_end(m));
            }
        } else {
            // Fill rows: each member is followed by a comma, the last one too.
            let width = WIDTH - INDENT.len() * self.depth;
            let mut row = String::new();
            for m in &members {
                if !row.is_empty() && row.len() + m.len() + 1 > width {
                    self.line(row.trim_end(), g.span.start);
                    row.clear();
                }
                let _ = write!(row, "{m}, ");
            }
            if !row.is_empty() {
                let end = g.members.last().map_or(g.span.start, member_end);
                self.line(row.trim_end(), end);
            }
        }
        self.depth -= 1;
        self.flush_before(g.span.end);
        self.line("]", g.span.end);
        self.last_block = true;
    }

    /// A node printed on one line.
    fn simple(&mut self, span: Span, text: &str) {
        self.begin(span.start, false);
        self.line(text, span.end);
    }

    /// Prints the comments before `start` and the blank line the source had, if any.
    fn begin(&mut self, start: usize, block: bool) {
        // A block is set apart by a blank line, above its leading comments, which belong to it.
        if (block || self.last_block) && !self.fresh {
            self.blank();
        }
        self.flush_before(start);
        self.gap(start);
        self.last_block = false;
    }

    /// Prints a line that opens a block.
    fn open(&mut self, text: &str, end: usize) {
        self.line(text, end);
        self.depth += 1;
        self.fresh = true;
    }

    /// Prints the comments left inside a block, then its closing brace.
    fn close(&mut self, span: Span, block: bool) {
        self.flush_before(span.end);
        self.depth -= 1;
        self.line("}", span.end);
        self.last_block = block;
    }

    fn flush_before(&mut self, pos: usize) {
        while let Some(c) = self.comments.get(self.next) {
            if c.span.start >= pos {
                break;
            }
            self.next += 1;
            self.gap(c.span.start);
            let text = c.text.clone();
            self.line_raw(&text, c.span.end);
            self.last_block = false;
        }
    }

    /// A blank line if the source has one between the last thing printed and `start`.
    fn gap(&mut self, start: usize) {
        if self.fresh {
            return;
        }
        let between = self.source.get(self.last_end.min(start)..start).unwrap_or("");
        if between.matches('\n').count() >= 2 {
            self.blank();
        }
    }

    fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// Prints a line, then the comment that followed `end` on the same source line, if any.
    fn line(&mut self, text: &str, end: usize) {
        self.line_raw(text, end);
        if let Some(c) = self.comments.get(self.next) {
            let between = self.source.get(end.min(c.span.start)..c.span.start);
            if c.span.start >= end && between.is_some_and(|b| !b.contains('\n')) {
                self.out.pop();
                let _ = writeln!(self.out, "  {}", c.text);
                self.last_end = c.span.end;
                self.next += 1;
            }
        }
    }

    fn line_raw(&mut self, text: &str, end: usize) {
        for _ in 0..self.depth {
            self.out.push_str(INDENT);
        }
        self.out.push_str(text);
        self.out.push('\n');
        self.last_end = self.last_end.max(end);
        self.fresh = false;
    }

    fn fits(&self, text: &str) -> bool {
        INDENT.len() * self.depth + text.chars().count() <= WIDTH && !text.contains('\n')
    }

    fn has_comment_within(&self, span: Span) -> bool {
        self.comments
            .get(self.next..)
            .unwrap_or(&[])
            .iter()
            .take_while(|c| c.span.start < span.end)
            .any(|c| c.span.start >= span.start)
    }
}

fn clause_line(c: &Clause) -> String {
    match c {
        Clause::Binds(g, _) => format!("binds every member of {}", g.name),
        Clause::InForce(e, _) => format!("in force {e}"),
        Clause::Withdrawal(d, _) => format!("withdrawal takes effect {d} after notice"),
        Clause::NoWithdrawal(_) => "withdrawal by agreement only".to_string(),
        Clause::Dated(k, d, _) => format!("{} {d}", k.keyword()),
        Clause::Parties(_) | Clause::Article(_) | Clause::Reservation(_) => String::new(),
    }
}

/// A string literal: the value in double quotes, with `"` and `\` escaped.
pub fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// An article id, bare when it can be and quoted otherwise.
pub fn article_id(id: &str) -> String {
    let bare = !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
    if bare { id.to_string() } else { quoted(id) }
}

/// Literals joined by `and`.
pub fn conjunction(lits: &[Literal]) -> String {
    lits.iter().map(ToString::to_string).collect::<Vec<_>>().join(" and ")
}

/// `1st`, `2nd`, `3rd`, `11th`, `22nd`.
pub fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, r) if r != 11 => "st",
        (2, r) if r != 12 => "nd",
        (3, r) if r != 13 => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn comma_list<T: Display>(xs: &[T]) -> String {
    xs.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

impl Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.unit.word(self.amount))
    }
}

impl Display for EntryIntoForce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryIntoForce::OnSignature => f.write_str("on signature"),
            EntryIntoForce::OnExchange => f.write_str("on exchange of ratifications"),
            EntryIntoForce::OnAdoption => f.write_str("on adoption"),
            EntryIntoForce::OnDate(d) => write!(f, "on {d}"),
            EntryIntoForce::AfterRatifications { delay, count } => {
                write!(f, "{delay} after the {} ratification", ordinal(*count))
            }
        }
    }
}

impl Display for PartyRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.party.name)?;
        for s in &self.statuses {
            write!(f, " {} {}", s.kind.keyword(), s.date)?;
        }
        Ok(())
    }
}

impl Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Var(i) | Term::Party(i) | Term::Symbol(i) => f.write_str(&i.name),
            Term::Wildcard(_) => f.write_str("_"),
        }
    }
}

impl Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name.name)?;
        if self.args.is_empty() {
            return Ok(());
        }
        let args: Vec<String> = self.args.iter().map(|a| format!("{}: {}", a.role.name, a.value)).collect();
        write!(f, "({})", args.join(", "))
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            LiteralKind::Fact(p) => write!(f, "{p}"),
            LiteralKind::Act { actor, action } => write!(f, "{actor} performs {action}"),
            LiteralKind::IsParty { term, negated, instrument } => {
                let not = if *negated { "not " } else { "" };
                write!(f, "{term} is {not}party")?;
                match instrument {
                    Some(i) => write!(f, " to {}", i.name),
                    None => Ok(()),
                }
            }
            LiteralKind::InGroup { term, negated, group } => {
                let not = if *negated { "not " } else { "" };
                write!(f, "{term} {not}in {}", group.name)
            }
            LiteralKind::Compare { left, negated, right } => {
                write!(f, "{left} {} {right}", if *negated { "!=" } else { "=" })
            }
            LiteralKind::Not(inner) => match inner.as_slice() {
                [one] if !needs_parens(one) => write!(f, "not {one}"),
                many => write!(f, "not ({})", conjunction(many)),
            },
        }
    }
}

/// Whether a literal under `not` needs parentheses to read back as the same tree.
fn needs_parens(l: &Literal) -> bool {
    !matches!(l.kind, LiteralKind::Fact(_) | LiteralKind::Act { .. } | LiteralKind::Not(_))
}

impl Display for Bearers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (head, except) = match self {
            Bearers::EveryParty { var, except } => (format!("every party {}", var.name), except),
            Bearers::EveryState { var, except } => (format!("every state {}", var.name), except),
            Bearers::EveryMember { group, except } => (format!("every member of {}", group.name), except),
            Bearers::One(t) => return write!(f, "{t}"),
        };
        f.write_str(&head)?;
        if !except.is_empty() {
            write!(f, " other than {}", comma_list(except))?;
        }
        Ok(())
    }
}

impl Display for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Deadline::WithoutDelay => f.write_str("without delay"),
            Deadline::Immediately => f.write_str("immediately"),
            Deadline::Within(d) => write!(f, "within {d}"),
            Deadline::By(d) => write!(f, "by {d}"),
            Deadline::Forthwith => f.write_str("forthwith"),
        }
    }
}

impl Display for Conclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.bearers, self.modality.words(), self.action)?;
        if let Some(d) = &self.deadline {
            write!(f, " {d}")?;
        }
        match &self.cap {
            Some(c) => write!(f, " {c}"),
            None => Ok(()),
        }
    }
}

impl Display for Cap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "beyond {} {}", self.amount, self.unit.name)?;
        if let Some((amount, unit)) = &self.or {
            write!(f, " or {amount} {}", unit.name)?;
        }
        match &self.period {
            CapPeriod::Fixed { length, from } => write!(f, " per {length} from {from}")?,
            CapPeriod::Rolling(length) => write!(f, " in any {length}")?,
            CapPeriod::Total => f.write_str(" in total")?,
        }
        if self.aggregate {
            f.write_str(" in aggregate")?;
        }
        Ok(())
    }
}

/// An amount with its thousands set apart from 10 000 on: `500_000`.
impl Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.value.to_string();
        if self.value < 10_000 {
            return f.write_str(&digits);
        }
        let mut out = String::new();
        for (n, c) in digits.chars().enumerate() {
            if n > 0 && (digits.len() - n).is_multiple_of(3) {
                out.push('_');
            }
            out.push(c);
        }
        f.write_str(&out)
    }
}

impl Display for UnitDecl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unit {}", self.name.name)?;
        match &self.title {
            Some(t) => write!(f, " {}", quoted(&t.value)),
            None => Ok(()),
        }
    }
}

impl Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.condition {
            Some(c) => write!(f, "if {}\nthen {}", conjunction(c), self.conclusion),
            None => write!(f, "always {}", self.conclusion),
        }
    }
}

impl Display for FactDecl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let roles: Vec<String> = self
            .roles
            .iter()
            .map(|r| match &r.default {
                Some(d) => format!("{} = {}", r.name.name, d.name),
                None => r.name.name.clone(),
            })
            .collect();
        write!(f, "fact {}({})", self.name.name, roles.join(", "))
    }
}

impl Display for ActionDecl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "action {}", self.name.name)?;
        if !self.roles.is_empty() {
            let roles: Vec<&str> = self.roles.iter().map(|r| r.name.as_str()).collect();
            write!(f, "({})", roles.join(", "))?;
        }
        if !self.includes.is_empty() {
            write!(f, " includes {}", comma_list(&self.includes))?;
        }
        if !self.fulfilled_by.is_empty() {
            write!(f, " fulfilled by {}", comma_list(&self.fulfilled_by))?;
        }
        Ok(())
    }
}

impl Display for PartyDecl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "party {} {}", self.code.name, quoted(&self.name.value))?;
        if let Some(a) = &self.alias {
            return write!(f, " alias of {}", a.name);
        }
        write!(f, "{}", self.period)?;
        if !self.successors.is_empty() {
            let codes: Vec<&str> = self.successors.iter().map(|s| s.name.as_str()).collect();
            write!(f, " successors {}", codes.join(", "))?;
        }
        Ok(())
    }
}

/// A period as it follows what it dates: ` from D`, ` until D`, both or nothing.
impl Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = self.from {
            write!(f, " from {d}")?;
        }
        if let Some(d) = self.until {
            write!(f, " until {d}")?;
        }
        Ok(())
    }
}

impl Display for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.term, self.period)
    }
}

impl Display for PlaceLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            PlaceLineKind::Territory(s) => write!(f, "territory of {}", s.name)?,
            PlaceLineKind::Administered(s) => write!(f, "administered by {}", s.name)?,
            PlaceLineKind::In(areas) => {
                let names: Vec<&str> = areas.iter().map(|a| a.name.as_str()).collect();
                write!(f, "in {}", names.join(", "))?;
            }
        }
        write!(f, "{}", self.period)
    }
}

impl Display for Precedence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |xs: &[Ident]| xs.iter().map(|x| x.name.as_str()).collect::<Vec<_>>().join(", ");
        write!(f, "precedence {} over {}", names(&self.winners), names(&self.losers))
    }
}
