//! The reference graph of one module: which declarations each declaration's expressions refer to,
//! and an order to evaluate them in (Kahn's algorithm; cycles are reported, never looped on).

use crate::hcl::config::ModuleConfig;
use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::structure::Body;
use hcl_edit::visit::{self, Visit};
use std::collections::{BTreeMap, BTreeSet};

/// Each declaration and the declarations it refers to.
pub type Deps = BTreeMap<Node, BTreeSet<Node>>;

/// A module's reference graph, ready for Kahn's walk.
#[derive(Debug)]
pub struct ModuleGraph {
    /// For each output, the variables it depends on, through locals, resources and nested
    /// module calls.
    pub needs: BTreeMap<String, BTreeSet<String>>,
    /// (module call, provider configuration) pairs where the configuration reads the call's
    /// outputs: the call's children bind that configuration late.
    pub late_providers: BTreeSet<(String, String)>,
    /// Declarations in cycles, in the graph's order.
    pub cyclic: Vec<Node>,
    /// How many declared nodes each node waits for.
    pub indegree: BTreeMap<Node, usize>,
    /// The nodes that wait for each node.
    pub dependents: BTreeMap<Node, Vec<Node>>,
}

/// A declaration in a module. A module call is several nodes, as in Terraform's graph: its
/// expansion (`count`/`for_each`), each argument, and each output of the module it calls, so an
/// output is ready as soon as the arguments it needs are.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    Var(String),
    Local(String),
    /// `aws_vpc.main` or `data.aws_region.current`.
    Resource(String),
    /// The module call's `count`/`for_each`, and the child instances it creates.
    ModExpand(String),
    /// One argument of a module call.
    ModArg(String, String),
    /// One output of a called module.
    ModOut(String, String),
    /// A reference to a whole module (`module.x`, `module.x[0]`): every output. Only in [`Refs`].
    ModAll(String),
    Output(String),
    /// `aws` or `aws.<alias>`.
    Provider(String),
}

/// What each declaration of a module refers to, as written: everything of the module's graph but
/// the outputs of the modules it calls (those depend on where the child is read from). Computed
/// once per module configuration.
pub fn declaration_refs(cfg: &ModuleConfig) -> Deps {
    let mut deps = Deps::new();
    let refs = |exprs: &mut dyn Iterator<Item = &Expression>| {
        let mut r = Refs::default();
        for e in exprs {
            r.expr(e);
        }
        r.0
    };
    for n in cfg.variables.keys() {
        deps.insert(Node::Var(n.clone()), BTreeSet::new());
    }
    for (n, l) in &cfg.locals {
        deps.insert(Node::Local(n.clone()), refs(&mut std::iter::once(&l.value.expr)));
    }
    let own_providers: BTreeSet<String> = cfg.providers.iter().map(|p| p.name.clone()).collect();
    for p in &cfg.providers {
        let mut r = Refs::default();
        r.body(&p.body.body);
        deps.insert(Node::Provider(p.name.clone()), r.0);
    }
    for (k, d) in &cfg.resources {
        let mut r = Refs::default();
        for e in d.count.iter().chain(d.for_each.iter()) {
            r.expr(&e.expr);
        }
        r.body(&d.body.body);
        let pname = d.provider_key();
        if own_providers.contains(&pname) {
            r.0.insert(Node::Provider(pname));
        }
        deps.insert(Node::Resource(k.clone()), r.0);
    }
    for (m, c) in &cfg.module_calls {
        let mut r = refs(&mut c.count.iter().chain(c.for_each.iter()).map(|e| &e.expr));
        // A child inherits the default configurations and receives those its providers map
        // names. Regions matter for AWS only, so the call waits for this module's `aws`
        // configurations and the ones it passes; other providers (helm, kubernetes) often refer
        // to module outputs and must not make a cycle.
        r.extend(
            own_providers
                .iter()
                .filter(|p| *p == "aws" || c.providers.iter().any(|(_, parent)| parent == *p))
                .cloned()
                .map(Node::Provider),
        );
        deps.insert(Node::ModExpand(m.clone()), r);
        for (a, e) in &c.args {
            let mut r = refs(&mut std::iter::once(&e.expr));
            r.insert(Node::ModExpand(m.clone()));
            deps.insert(Node::ModArg(m.clone(), a.clone()), r);
        }
    }
    for (n, o) in &cfg.outputs {
        deps.insert(Node::Output(n.clone()), refs(&mut o.value.iter().map(|v| &v.expr)));
    }
    deps
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Node::Var(n) => write!(f, "var.{n}"),
            Node::Local(n) => write!(f, "local.{n}"),
            Node::Resource(n) => f.write_str(n),
            Node::ModExpand(m) | Node::ModAll(m) => write!(f, "module.{m}"),
            Node::ModArg(m, a) => write!(f, "module.{m} (argument {a})"),
            Node::ModOut(m, o) => write!(f, "module.{m}.{o}"),
            Node::Output(n) => write!(f, "output.{n}"),
            Node::Provider(n) => write!(f, "provider.{n}"),
        }
    }
}

/// Collects the declarations an expression or body refers to.
#[derive(Default)]
pub struct Refs(pub BTreeSet<Node>);

fn get_attr(op: Option<&hcl_edit::Decorated<TraversalOperator>>) -> Option<String> {
    match op.map(|o| o.value()) {
        Some(TraversalOperator::GetAttr(i)) => Some(i.as_str().to_string()),
        _ => None,
    }
}

impl Visit for Refs {
    fn visit_traversal(&mut self, node: &Traversal) {
        if let Expression::Variable(root) = &node.expr {
            let first = get_attr(node.operators.first());
            let root = root.as_str();
            match (root, first) {
                ("var", Some(n)) => {
                    self.0.insert(Node::Var(n));
                }
                ("local", Some(n)) => {
                    self.0.insert(Node::Local(n));
                }
                ("module", Some(m)) => {
                    // `module.m.o` or `module.m[k].o` names one output; anything else all of them.
                    let rest = &node.operators[1..];
                    let skip = match rest.first().map(|o| o.value()) {
                        Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_)) => 1,
                        Some(TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_)) => 1,
                        _ => 0,
                    };
                    match get_attr(rest.get(skip)) {
                        Some(o) => self.0.insert(Node::ModOut(m, o)),
                        None => self.0.insert(Node::ModAll(m)),
                    };
                }
                ("data", Some(t)) => {
                    if let Some(n) = get_attr(node.operators.get(1)) {
                        self.0.insert(Node::Resource(format!("data.{t}.{n}")));
                    }
                }
                ("resource", Some(t)) => {
                    if let Some(n) = get_attr(node.operators.get(1)) {
                        self.0.insert(Node::Resource(format!("{t}.{n}")));
                    }
                }
                ("count" | "each" | "path" | "terraform" | "self" | "ephemeral", _) => {}
                (t, Some(n)) => {
                    self.0.insert(Node::Resource(format!("{t}.{n}")));
                }
                _ => {}
            }
        }
        visit::visit_traversal(self, node);
    }

    // hcl-edit 0.9.7's default walk skips the collection of a template `for` directive.
    fn visit_for_template_expr(&mut self, node: &hcl_edit::template::ForTemplateExpr) {
        self.visit_expr(&node.collection_expr);
        visit::visit_for_template_expr(self, node);
    }
}

impl Refs {
    pub fn expr(&mut self, e: &Expression) {
        self.visit_expr(e);
    }

    pub fn body(&mut self, b: &Body) {
        self.visit_body(b);
    }
}

/// The evaluation order of `deps` (node -> the nodes it refers to), and the nodes that are part of
/// a cycle. Nodes that merely depend on a cycle are still ordered (after it): the evaluator gives
/// the cycle's members unknown values, so their dependents are evaluated rather than dropped.
/// References to nodes that are not declared are ignored here; the evaluator reports them where
/// they are written.
pub fn topo_order(deps: &BTreeMap<Node, BTreeSet<Node>>) -> (Vec<Node>, Vec<Node>) {
    let mut indegree: BTreeMap<&Node, usize> = deps.keys().map(|n| (n, 0)).collect();
    let mut dependents: BTreeMap<&Node, Vec<&Node>> = BTreeMap::new();
    for (n, ds) in deps {
        for d in ds.iter().filter(|d| deps.contains_key(*d)) {
            *indegree.get_mut(n).expect("every node has an entry") += 1;
            dependents.entry(d).or_default().push(n);
        }
    }
    let mut ready: BTreeSet<&Node> = indegree.iter().filter(|(_, &d)| d == 0).map(|(n, _)| *n).collect();
    let mut done: BTreeSet<&Node> = BTreeSet::new();
    let mut order = Vec::with_capacity(deps.len());
    let mut cyclic = Vec::new();
    loop {
        while let Some(n) = ready.pop_first() {
            order.push(n.clone());
            release(n, &dependents, &mut indegree, &mut ready, &mut done);
        }
        if done.len() == deps.len() {
            break;
        }
        // Everything left waits on a cycle: take out the nodes that reach themselves.
        let left: BTreeSet<&Node> = deps.keys().filter(|n| !done.contains(n)).collect();
        let members: Vec<&Node> = on_cycles(deps, &left);
        if members.is_empty() {
            break;
        }
        for m in members {
            if done.contains(m) {
                continue;
            }
            cyclic.push(m.clone());
            release(m, &dependents, &mut indegree, &mut ready, &mut done);
        }
        ready.retain(|n| !done.contains(n));
    }
    (order, cyclic)
}

fn release<'a>(
    n: &'a Node,
    dependents: &BTreeMap<&'a Node, Vec<&'a Node>>,
    indegree: &mut BTreeMap<&'a Node, usize>,
    ready: &mut BTreeSet<&'a Node>,
    done: &mut BTreeSet<&'a Node>,
) {
    done.insert(n);
    for d in dependents.get(n).into_iter().flatten() {
        let e = indegree.get_mut(d).expect("every node has an entry");
        *e -= 1;
        if *e == 0 && !done.contains(d) {
            ready.insert(d);
        }
    }
}

/// The nodes of `within` that reach themselves through references among `within`: the members
/// of its strongly connected components of more than one node, and nodes that refer to
/// themselves. Tarjan's algorithm with an explicit stack, so linear in the references and
/// independent of the thread's stack size.
fn on_cycles<'a>(deps: &'a BTreeMap<Node, BTreeSet<Node>>, within: &BTreeSet<&'a Node>) -> Vec<&'a Node> {
    let nodes: Vec<&'a Node> = within.iter().copied().collect();
    let idx: std::collections::HashMap<&Node, usize> = nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let succ: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            deps.get(*n)
                .into_iter()
                .flatten()
                .filter_map(|d| idx.get(d).copied())
                .collect()
        })
        .collect();
    const UNSEEN: usize = usize::MAX;
    let n = nodes.len();
    let (mut index, mut low, mut on_stack, mut cyclic) = (vec![UNSEEN; n], vec![0; n], vec![false; n], vec![false; n]);
    let mut stack: Vec<usize> = Vec::new();
    let mut next = 0;
    for start in 0..n {
        if index[start] != UNSEEN {
            continue;
        }
        // (node, position of the next successor to visit)
        let mut calls: Vec<(usize, usize)> = vec![(start, 0)];
        index[start] = next;
        low[start] = next;
        next += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(&(v, pos)) = calls.last() {
            if pos < succ[v].len() {
                calls.last_mut().expect("non-empty").1 += 1;
                let w = succ[v][pos];
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    calls.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(u, _)) = calls.last() {
                low[u] = low[u].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 || succ[v].contains(&v) {
                    for w in component {
                        cyclic[w] = true;
                    }
                }
            }
        }
    }
    nodes
        .into_iter()
        .zip(cyclic)
        .filter(|(_, c)| *c)
        .map(|(n, _)| n)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deps(pairs: &[(&str, &[&str])]) -> BTreeMap<Node, BTreeSet<Node>> {
        pairs
            .iter()
            .map(|(n, ds)| {
                (
                    Node::Local(n.to_string()),
                    ds.iter().map(|d| Node::Local(d.to_string())).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn finds_references_inside_template_directives() {
        let e = hcl_edit::parser::parse_expr(r#""%{for n in local.names}${n}%{endfor}%{if var.on}x%{endif}""#)
            .expect("parses");
        let mut r = Refs::default();
        r.expr(&e);
        assert_eq!(
            r.0.into_iter().collect::<Vec<_>>(),
            vec![Node::Var("on".into()), Node::Local("names".into())]
        );
    }

    #[test]
    fn orders_dependencies_first() {
        let (order, cyc) = topo_order(&deps(&[("a", &["b"]), ("b", &["c"]), ("c", &[])]));
        assert_eq!(
            order,
            vec![
                Node::Local("c".into()),
                Node::Local("b".into()),
                Node::Local("a".into())
            ]
        );
        assert!(cyc.is_empty());
    }

    #[test]
    fn reports_cycle_members_and_still_orders_the_rest() {
        let (order, cyc) = topo_order(&deps(&[("a", &["b"]), ("b", &["a"]), ("c", &[]), ("d", &["d"])]));
        assert_eq!(order, vec![Node::Local("c".into())]);
        assert_eq!(
            cyc,
            vec![
                Node::Local("a".into()),
                Node::Local("b".into()),
                Node::Local("d".into())
            ]
        );
    }
}
