//! Strata: the order in which same-day `deem` rules are applied, so that a rule negating a kind
//! runs after every rule deriving it; and the rules that negate a kind derived from themselves,
//! which have no single meaning.
//!
//! The kinds and the rules between them form a graph (body kind → head kind, marked when the body
//! is read under `not`). Its strongly connected components are found once (Tarjan's algorithm,
//! without recursion), so the work is linear in the rule set: a negative edge inside a component
//! is an error; otherwise each component's level is the highest level of its predecessors, plus
//! one across a negative edge.

use std::collections::BTreeMap;

use casus_syntax::diagnostic::Diagnostic;

use super::{Checker, DeemDef, Unstratifiable};
use crate::program::{LitKind, Sym};

/// An edge of the graph: the rule, the kind it reads, whether under `not`, and the literal to
/// point at (the `not`, for a negated kind).
struct Edge {
    rule: usize,
    body: Sym,
    negative: bool,
}

impl Checker<'_> {
    /// The strata of the same-day `deem` rules, each a list of rule numbers; the rules that
    /// cannot be stratified are reported.
    pub(super) fn strata(&mut self, deems: &[DeemDef<'_>]) -> Vec<Vec<usize>> {
        let same_day: Vec<usize> = (0..deems.len()).filter(|&r| deems[r].delay.is_none()).collect();
        let mut edges: Vec<Edge> = Vec::new();
        let mut nots: Vec<Option<casus_syntax::source::Span>> = Vec::new();
        for &r in &same_day {
            for lit in &deems[r].condition {
                let not_span = matches!(lit.kind, LitKind::Not(_)).then_some(lit.span);
                lit.visit(false, &mut |l, negative| {
                    if let LitKind::Fact(p) = &l.kind {
                        edges.push(Edge { rule: r, body: p.name, negative });
                        nots.push(if negative { not_span } else { Some(l.span) });
                    }
                });
            }
        }
        // Every kind a same-day rule derives is a node; a kind none derives is complete before
        // any stratum and orders nothing.
        let mut nodes: BTreeMap<Sym, usize> = BTreeMap::new();
        for &r in &same_day {
            let n = nodes.len();
            nodes.entry(deems[r].head.name).or_insert(n);
        }
        let mut succ: Vec<Vec<(usize, bool)>> = vec![Vec::new(); nodes.len()];
        for e in &edges {
            if let (Some(&from), Some(&to)) = (nodes.get(&e.body), nodes.get(&deems[e.rule].head.name)) {
                succ[from].push((to, e.negative));
            }
        }
        let component = components(&succ);
        for (e, span) in edges.iter().zip(&nots) {
            let head = deems[e.rule].head.name;
            if let (true, Some(&from), Some(&to)) = (e.negative, nodes.get(&e.body), nodes.get(&head))
                && component[from] == component[to]
            {
                let d = &deems[e.rule];
                let problem = Unstratifiable {
                    negated: self.symbols.resolve(e.body).to_string(),
                    derived: self.symbols.resolve(head).to_string(),
                    at: span.unwrap_or(d.written.span),
                };
                self.diags.push(Diagnostic::new(d.file, problem));
            }
        }
        let levels = levels(&succ, &component);
        let mut strata: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &r in &same_day {
            let level = nodes.get(&deems[r].head.name).map_or(0, |&n| levels[component[n]]);
            strata.entry(level).or_default().push(r);
        }
        strata.into_values().collect()
    }
}

/// The strongly connected component of each node (Tarjan's algorithm, with an explicit stack),
/// numbered in reverse topological order: a component's successors have lower numbers.
fn components(succ: &[Vec<(usize, bool)>]) -> Vec<usize> {
    const NONE: usize = usize::MAX;
    let n = succ.len();
    let (mut index, mut low, mut on_stack) = (vec![NONE; n], vec![0; n], vec![false; n]);
    let mut component = vec![NONE; n];
    let (mut next, mut count) = (0, 0);
    let mut stack: Vec<usize> = Vec::new();
    for root in 0..n {
        if index[root] != NONE {
            continue;
        }
        // (node, position among its successors)
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut at)) = work.last_mut() {
            if *at == 0 && index[v] == NONE {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&(w, _)) = succ[v].get(*at) {
                *at += 1;
                if index[w] == NONE {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = count;
                    if w == v {
                        break;
                    }
                }
                count += 1;
            }
        }
    }
    component
}

/// Each component's level: the highest of its predecessors' levels, plus one across a negative
/// edge; 0 for a component with none.
fn levels(succ: &[Vec<(usize, bool)>], component: &[usize]) -> Vec<usize> {
    let count = component.iter().map(|c| c + 1).max().unwrap_or(0);
    let mut level = vec![0; count];
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (v, &c) in component.iter().enumerate() {
        members[c].push(v);
    }
    // Components are numbered in reverse topological order: the highest number has no
    // predecessor, so going down visits every predecessor before its successors.
    for c in (0..count).rev() {
        for &v in &members[c] {
            for &(w, negative) in &succ[v] {
                let to = component[w];
                if to != c {
                    level[to] = level[to].max(level[c] + usize::from(negative));
                }
            }
        }
    }
    level
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::{components, levels};
    use crate::program::Program;
    use crate::test_program as program;

    /// The stratum of the same-day rule deriving `kind`.
    fn stratum(p: &Program, kind: &str) -> usize {
        let kind = p.symbols.get(kind).unwrap();
        let rule = p.deems.iter().position(|d| d.head.name == kind && d.delay.is_none()).unwrap();
        p.strata.iter().position(|s| s.contains(&rule)).unwrap()
    }

    /// A `deem` that negates a kind is applied after every rule deriving that kind, wherever the
    /// rules are written (docs/semantics.md); written first, it was once put in the same stratum.
    #[test]
    fn a_rule_negating_a_kind_comes_after_the_rules_deriving_it_in_either_order() {
        let vocabulary = "fact attack(by, on)\nfact tension(by, on)\naction help(ally, against)\n";
        let attack = "deem attack(by: P, on: A) if P performs help(ally: V, against: A) and attack(by: A, on: V)\n";
        let tension = "deem tension(by: V, on: A) if attack(by: A, on: V) and not attack(by: V, on: A)\n";
        let delayed = "deem tension(by: A, on: V) after 1 day if attack(by: A, on: V)\n";
        for text in [
            format!("{vocabulary}{attack}{delayed}{tension}"),
            format!("{vocabulary}{delayed}{tension}{attack}"),
            format!("{vocabulary}{tension}{attack}"),
        ] {
            let p = program(&text);
            assert!(stratum(&p, "tension") > stratum(&p, "attack"), "{:?} for\n{text}", p.strata);
        }
    }

    #[test]
    fn cycles_share_a_component_and_negation_raises_the_level() {
        // 0 -> 1 -> 0 is a cycle; 1 -not-> 2; 2 -> 3.
        let succ = vec![vec![(1, false)], vec![(0, false), (2, true)], vec![(3, false)], vec![]];
        let c = components(&succ);
        assert_eq!(c[0], c[1]);
        assert_ne!(c[1], c[2]);
        let l = levels(&succ, &c);
        assert_eq!(l[c[0]], 0);
        assert_eq!(l[c[2]], 1);
        assert_eq!(l[c[3]], 1);
    }
}
