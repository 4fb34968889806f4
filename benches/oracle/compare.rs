//! Compares Terraform's plan (`terraform show -json`) with `infracheck resources --format json`
//! for one root: which managed instances each has, and every leaf value both know.
//!
//! It owns reading both JSON shapes into one value tree (known values, unknown, sensitive) and the
//! normalisation rules; it must not know how either tool is run.

use serde::Serialize;
use serde_json::{json, Map, Value as J};
use std::collections::{BTreeMap, BTreeSet};

/// Instances the harness adds itself, left out on both sides.
pub fn is_harness_instance(address: &str) -> bool {
    address.ends_with("terraform_data.oracle_defer") || address.contains("terraform_data.oracle_defer[")
}

/// One value as either side sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Tree {
    Unknown,
    Sensitive,
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Tree>),
    Map(BTreeMap<String, Tree>),
}

impl Tree {
    fn from_json(j: &J) -> Tree {
        match j {
            J::Null => Tree::Null,
            J::Bool(b) => Tree::Bool(*b),
            J::Number(n) => Tree::Number(n.as_f64().unwrap_or(f64::NAN)),
            J::String(s) => Tree::String(s.clone()),
            J::Array(a) => Tree::List(a.iter().map(Tree::from_json).collect()),
            J::Object(o) => Tree::Map(o.iter().map(|(k, v)| (k.clone(), Tree::from_json(v))).collect()),
        }
    }

    /// For the report: unknown and sensitive parts as strings in parentheses.
    pub fn to_json(&self) -> J {
        match self {
            Tree::Unknown => json!("(known after apply)"),
            Tree::Sensitive => json!("(sensitive)"),
            Tree::Null => J::Null,
            Tree::Bool(b) => json!(b),
            Tree::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 9e15 {
                    json!(*n as i64)
                } else {
                    json!(n)
                }
            }
            Tree::String(s) => json!(s),
            Tree::List(v) => J::Array(v.iter().map(Tree::to_json).collect()),
            Tree::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }

    fn is_void(&self) -> bool {
        match self {
            Tree::Null => true,
            Tree::List(v) => v.is_empty(),
            Tree::Map(m) => m.is_empty(),
            _ => false,
        }
    }

    fn wholly_known(&self) -> bool {
        match self {
            Tree::Unknown | Tree::Sensitive => false,
            Tree::List(v) => v.iter().all(Tree::wholly_known),
            Tree::Map(m) => m.values().all(Tree::wholly_known),
            _ => true,
        }
    }

    fn canonical(&self) -> String {
        self.to_json().to_string()
    }
}

/// Terraform's view of one instance: `values` with `after_unknown` and `after_sensitive` laid over.
fn tf_tree(values: Option<&J>, unknown: Option<&J>, sensitive: Option<&J>) -> Option<Tree> {
    if unknown == Some(&J::Bool(true)) {
        return Some(Tree::Unknown);
    }
    if sensitive == Some(&J::Bool(true)) {
        return Some(Tree::Sensitive);
    }
    match values {
        Some(J::Object(o)) => {
            let mut keys: BTreeSet<&String> = o.keys().collect();
            if let Some(J::Object(u)) = unknown {
                keys.extend(u.iter().filter(|(_, v)| **v == J::Bool(true)).map(|(k, _)| k));
            }
            Some(Tree::Map(
                keys.into_iter()
                    .filter_map(|k| {
                        let t = tf_tree(
                            o.get(k),
                            unknown.and_then(|u| u.get(k)),
                            sensitive.and_then(|s| s.get(k)),
                        );
                        t.map(|t| (k.clone(), t))
                    })
                    .collect(),
            ))
        }
        Some(J::Array(a)) => {
            let n = a.len().max(unknown.and_then(J::as_array).map_or(0, Vec::len));
            Some(Tree::List(
                (0..n)
                    .map(|i| {
                        tf_tree(
                            a.get(i),
                            unknown.and_then(|u| u.get(i)),
                            sensitive.and_then(|s| s.get(i)),
                        )
                        .unwrap_or(Tree::Null)
                    })
                    .collect(),
            ))
        }
        Some(other) => Some(Tree::from_json(other)),
        None => None,
    }
}

/// A path as infracheck writes it: `a.b[0].c`, `tags["Name x"]`.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Key(String),
    Index(usize),
}

pub fn parse_path(p: &str) -> Vec<Step> {
    let mut out = Vec::new();
    let chars: Vec<char> = p.chars().collect();
    let mut i = 0;
    let mut ident = String::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            '.' => {
                if !ident.is_empty() {
                    out.push(Step::Key(std::mem::take(&mut ident)));
                }
                i += 1;
            }
            '[' => {
                if !ident.is_empty() {
                    out.push(Step::Key(std::mem::take(&mut ident)));
                }
                i += 1;
                if chars.get(i) == Some(&'"') {
                    i += 1;
                    let mut s = String::new();
                    while i < chars.len() && chars[i] != '"' {
                        if chars[i] == '\\' && i + 1 < chars.len() {
                            i += 1;
                            match chars[i] {
                                'n' => s.push('\n'),
                                't' => s.push('\t'),
                                'r' => s.push('\r'),
                                'u' => {
                                    // \u{XXXX}
                                    let end = chars[i..].iter().position(|&c| c == '}').map(|e| e + i);
                                    if let Some(end) = end {
                                        let hex: String = chars[i + 2..end].iter().collect();
                                        if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                                            s.push(ch);
                                        }
                                        i = end;
                                    }
                                }
                                other => s.push(other),
                            }
                        } else {
                            s.push(chars[i]);
                        }
                        i += 1;
                    }
                    i += 1; // closing quote
                    out.push(Step::Key(s));
                } else {
                    let mut n = String::new();
                    while i < chars.len() && chars[i] != ']' {
                        n.push(chars[i]);
                        i += 1;
                    }
                    out.push(n.parse().map(Step::Index).unwrap_or(Step::Key(n)));
                }
                while i < chars.len() && chars[i] != ']' {
                    i += 1;
                }
                i += 1; // ]
            }
            _ => {
                ident.push(c);
                i += 1;
            }
        }
    }
    if !ident.is_empty() {
        out.push(Step::Key(ident));
    }
    out
}

fn mark(t: &mut Tree, path: &[Step], with: &Tree) {
    let Some((first, rest)) = path.split_first() else {
        *t = with.clone();
        return;
    };
    match (first, &mut *t) {
        (Step::Key(k), Tree::Map(m)) => mark(m.entry(k.clone()).or_insert(Tree::Null), rest, with),
        (Step::Index(i), Tree::List(v)) if *i < v.len() => mark(&mut v[*i], rest, with),
        (Step::Key(k), Tree::Null) => {
            let mut m = BTreeMap::new();
            let mut child = Tree::Null;
            mark(&mut child, rest, with);
            m.insert(k.clone(), child);
            *t = Tree::Map(m);
        }
        _ => *t = with.clone(),
    }
}

fn join_path(prefix: &str, key: &str) -> String {
    let simple = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (prefix.is_empty(), simple) {
        (true, true) => key.to_string(),
        (false, true) => format!("{prefix}.{key}"),
        (_, false) => format!("{prefix}[{}]", J::String(key.to_string())),
    }
}

/// What kind of disagreement a difference is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    /// Both known, both the same type, different values.
    Value,
    /// A string on one side, the number or bool it spells on the other.
    StringVsNumber,
    /// Different types (or null against a value).
    Type,
    /// Lists of different lengths.
    Length,
    /// The same elements in another order.
    Order,
    /// Terraform has a known value where infracheck has no attribute.
    OnlyInTerraform,
    /// infracheck has a known value where Terraform has no attribute.
    OnlyInInfracheck,
}

#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    pub address: String,
    pub path: String,
    pub kind: DiffKind,
    pub terraform: J,
    pub infracheck: J,
    /// Where infracheck says the resource block is.
    pub location: String,
}

/// An attribute one side knows and the other has as unknown.
#[derive(Debug, Clone, Serialize)]
pub struct Precision {
    pub address: String,
    pub path: String,
    pub value: J,
    /// For infracheck's unknowns: what it says the value refers to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refers_to: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Comparison {
    pub terraform_instances: usize,
    pub infracheck_instances: usize,
    pub matched_instances: usize,
    pub missing_in_infracheck: Vec<String>,
    pub extra_in_infracheck: Vec<String>,
    pub values_compared: usize,
    pub values_equal: usize,
    pub differences: Vec<Difference>,
    /// Known to Terraform, unknown to infracheck (infracheck is less precise: not a difference).
    pub unknown_in_infracheck_only: usize,
    /// Known to infracheck, unknown to Terraform (infracheck decides what Terraform leaves to apply).
    pub unknown_in_terraform_only: usize,
    pub sensitive_skipped: usize,
    /// A few of each, for the report.
    pub unknown_in_infracheck_only_examples: Vec<Precision>,
    pub unknown_in_terraform_only_examples: Vec<Precision>,
}

const EXAMPLES: usize = 40;

struct Cx<'a> {
    address: &'a str,
    location: &'a str,
    refers_to: &'a BTreeMap<String, Vec<String>>,
    out: &'a mut Comparison,
}

impl Cx<'_> {
    fn diff(&mut self, path: &str, kind: DiffKind, tf: Option<&Tree>, ic: Option<&Tree>) {
        self.out.values_compared += 1;
        self.out.differences.push(Difference {
            address: self.address.to_string(),
            path: path.to_string(),
            kind,
            terraform: tf.map_or(json!("(absent)"), Tree::to_json),
            infracheck: ic.map_or(json!("(absent)"), Tree::to_json),
            location: self.location.to_string(),
        });
    }

    fn equal(&mut self) {
        self.out.values_compared += 1;
        self.out.values_equal += 1;
    }
}

/// Counts a value one side knows and the other does not, keeping the first few as examples.
fn one_sided(count: &mut usize, examples: &mut Vec<Precision>, example: Precision) {
    *count += 1;
    if examples.len() < EXAMPLES {
        examples.push(example);
    }
}

fn compare(tf: Option<&Tree>, ic: Option<&Tree>, path: &str, cx: &mut Cx) {
    let void = |t: Option<&Tree>| t.is_none_or(Tree::is_void);
    if matches!(tf, Some(Tree::Sensitive)) || matches!(ic, Some(Tree::Sensitive)) {
        cx.out.sensitive_skipped += 1;
        return;
    }
    match (tf, ic) {
        (Some(Tree::Unknown), Some(Tree::Unknown)) => return,
        (Some(Tree::Unknown), other) => {
            if !void(other) {
                let example = Precision {
                    address: cx.address.to_string(),
                    path: path.to_string(),
                    value: other.map_or(J::Null, Tree::to_json),
                    refers_to: Vec::new(),
                };
                let out = &mut *cx.out;
                one_sided(
                    &mut out.unknown_in_terraform_only,
                    &mut out.unknown_in_terraform_only_examples,
                    example,
                );
            }
            return;
        }
        (other, Some(Tree::Unknown)) => {
            if !void(other) {
                let example = Precision {
                    address: cx.address.to_string(),
                    path: path.to_string(),
                    value: other.map_or(J::Null, Tree::to_json),
                    refers_to: cx.refers_to.get(path).cloned().unwrap_or_default(),
                };
                let out = &mut *cx.out;
                one_sided(
                    &mut out.unknown_in_infracheck_only,
                    &mut out.unknown_in_infracheck_only_examples,
                    example,
                );
            }
            return;
        }
        _ if !path.contains(['.', '[']) && super::prepare::is_write_only(path) => {
            // Write-only: never in Terraform's plan.
            cx.out.sensitive_skipped += 1;
            return;
        }
        (Some(Tree::Sensitive), _) | (_, Some(Tree::Sensitive)) => {
            cx.out.sensitive_skipped += 1;
            return;
        }
        _ => {}
    }
    // Absent, null and empty: compared only when both sides write the same empty value.
    match (tf, ic) {
        (None, None) => {}
        (None, Some(b)) => {
            if !b.is_void() {
                cx.diff(path, DiffKind::OnlyInInfracheck, tf, ic);
            }
        }
        (Some(a), None) => {
            if !a.is_void() {
                cx.diff(path, DiffKind::OnlyInTerraform, tf, ic);
            }
        }
        (Some(a), Some(b)) if a.is_void() && b.is_void() => {
            if std::mem::discriminant(a) == std::mem::discriminant(b) {
                cx.equal();
            }
        }
        (Some(a), Some(b)) => compare_present(a, b, path, cx),
    }
}

fn compare_present(tf: &Tree, ic: &Tree, path: &str, cx: &mut Cx) {
    match (tf, ic) {
        (Tree::Number(a), Tree::Number(b)) => {
            if (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0) {
                cx.equal();
            } else {
                cx.diff(path, DiffKind::Value, Some(tf), Some(ic));
            }
        }
        (Tree::String(a), Tree::String(b)) => {
            if a == b {
                cx.equal();
            } else {
                cx.diff(path, DiffKind::Value, Some(tf), Some(ic));
            }
        }
        (Tree::Bool(a), Tree::Bool(b)) => {
            if a == b {
                cx.equal();
            } else {
                cx.diff(path, DiffKind::Value, Some(tf), Some(ic));
            }
        }
        (Tree::String(s), Tree::Number(n)) | (Tree::Number(n), Tree::String(s)) => {
            let same = s
                .trim()
                .parse::<f64>()
                .is_ok_and(|x| (x - n).abs() <= 1e-9 * x.abs().max(1.0));
            let kind = if same {
                DiffKind::StringVsNumber
            } else {
                DiffKind::Value
            };
            cx.diff(path, kind, Some(tf), Some(ic));
        }
        (Tree::String(s), Tree::Bool(b)) | (Tree::Bool(b), Tree::String(s)) => {
            let kind = if s == &b.to_string() {
                DiffKind::StringVsNumber
            } else {
                DiffKind::Value
            };
            cx.diff(path, kind, Some(tf), Some(ic));
        }
        (Tree::List(a), Tree::List(b)) => {
            if a.len() != b.len() {
                cx.diff(path, DiffKind::Length, Some(tf), Some(ic));
                return;
            }
            let mut sub = Comparison::default();
            {
                let mut scx = Cx {
                    address: cx.address,
                    location: cx.location,
                    refers_to: cx.refers_to,
                    out: &mut sub,
                };
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    compare(Some(x), Some(y), &format!("{path}[{i}]"), &mut scx);
                }
            }
            if !sub.differences.is_empty() && tf.wholly_known() && ic.wholly_known() {
                let mut x: Vec<String> = a.iter().map(Tree::canonical).collect();
                let mut y: Vec<String> = b.iter().map(Tree::canonical).collect();
                x.sort();
                y.sort();
                if x == y {
                    cx.diff(path, DiffKind::Order, Some(tf), Some(ic));
                    return;
                }
            }
            merge(cx.out, sub);
        }
        (Tree::Map(a), Tree::Map(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                compare(a.get(k), b.get(k), &join_path(path, k), cx);
            }
        }
        _ => cx.diff(path, DiffKind::Type, Some(tf), Some(ic)),
    }
}

fn merge(into: &mut Comparison, from: Comparison) {
    into.values_compared += from.values_compared;
    into.values_equal += from.values_equal;
    into.differences.extend(from.differences);
    into.unknown_in_infracheck_only += from.unknown_in_infracheck_only;
    into.unknown_in_terraform_only += from.unknown_in_terraform_only;
    into.sensitive_skipped += from.sensitive_skipped;
    for e in from.unknown_in_infracheck_only_examples {
        if into.unknown_in_infracheck_only_examples.len() < EXAMPLES {
            into.unknown_in_infracheck_only_examples.push(e);
        }
    }
    for e in from.unknown_in_terraform_only_examples {
        if into.unknown_in_terraform_only_examples.len() < EXAMPLES {
            into.unknown_in_terraform_only_examples.push(e);
        }
    }
}

/// Managed instances of a plan, by address.
pub fn terraform_instances(plan: &J) -> BTreeMap<String, Tree> {
    let mut unknown: BTreeMap<String, (&J, &J)> = BTreeMap::new();
    for rc in plan.get("resource_changes").and_then(J::as_array).into_iter().flatten() {
        let (Some(addr), Some(change)) = (rc.get("address").and_then(J::as_str), rc.get("change")) else {
            continue;
        };
        unknown.insert(
            addr.to_string(),
            (
                change.get("after_unknown").unwrap_or(&J::Null),
                change.get("after_sensitive").unwrap_or(&J::Null),
            ),
        );
    }
    let mut out = BTreeMap::new();
    fn walk<'a>(m: &'a J, acc: &mut Vec<(&'a str, &'a J)>) {
        for r in m.get("resources").and_then(J::as_array).into_iter().flatten() {
            if r.get("mode").and_then(J::as_str) == Some("managed") {
                if let Some(a) = r.get("address").and_then(J::as_str) {
                    acc.push((a, r.get("values").unwrap_or(&J::Null)));
                }
            }
        }
        for c in m.get("child_modules").and_then(J::as_array).into_iter().flatten() {
            walk(c, acc);
        }
    }
    let mut acc = Vec::new();
    if let Some(root) = plan.get("planned_values").and_then(|p| p.get("root_module")) {
        walk(root, &mut acc);
    }
    for (addr, values) in acc {
        if is_harness_instance(addr) {
            continue;
        }
        let (u, s) = unknown.get(addr).copied().unwrap_or((&J::Null, &J::Null));
        let values = if values.is_null() {
            J::Object(Map::new())
        } else {
            values.clone()
        };
        out.insert(
            addr.to_string(),
            tf_tree(Some(&values), Some(u), Some(s)).unwrap_or(Tree::Null),
        );
    }
    out
}

/// infracheck's managed instances: attributes with unknown and sensitive paths laid over,
/// the location of the block and what each unknown refers to.
pub struct IcInstance {
    pub tree: Tree,
    pub location: String,
    pub refers_to: BTreeMap<String, Vec<String>>,
}

pub fn infracheck_instances(project: &J) -> BTreeMap<String, IcInstance> {
    let mut out = BTreeMap::new();
    for r in project.get("resources").and_then(J::as_array).into_iter().flatten() {
        if r.get("mode").and_then(J::as_str) != Some("managed") {
            continue;
        }
        let Some(addr) = r.get("address").and_then(J::as_str) else {
            continue;
        };
        if is_harness_instance(addr) {
            continue;
        }
        let mut tree = Tree::from_json(r.get("attributes").unwrap_or(&J::Null));
        if tree == Tree::Null {
            tree = Tree::Map(BTreeMap::new());
        }
        for (list, with) in [("unknown", Tree::Unknown), ("sensitive", Tree::Sensitive)] {
            for p in r
                .get(list)
                .and_then(J::as_array)
                .into_iter()
                .flatten()
                .filter_map(J::as_str)
            {
                mark(&mut tree, &parse_path(p), &with);
            }
        }
        let location = format!(
            "{}:{}",
            r.get("file").and_then(J::as_str).unwrap_or("?"),
            r.get("line").and_then(J::as_u64).unwrap_or(0)
        );
        let refers_to = r
            .get("refers_to")
            .and_then(J::as_object)
            .map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(J::as_str)
                                .map(str::to_string)
                                .collect(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.insert(
            addr.to_string(),
            IcInstance {
                tree,
                location,
                refers_to,
            },
        );
    }
    out
}

pub fn compare_root(tf: &BTreeMap<String, Tree>, ic: &BTreeMap<String, IcInstance>) -> Comparison {
    let mut out = Comparison {
        terraform_instances: tf.len(),
        infracheck_instances: ic.len(),
        ..Comparison::default()
    };
    for (addr, t) in tf {
        let Some(i) = ic.get(addr) else {
            out.missing_in_infracheck.push(addr.clone());
            continue;
        };
        out.matched_instances += 1;
        let mut cx = Cx {
            address: addr,
            location: &i.location,
            refers_to: &i.refers_to,
            out: &mut out,
        };
        compare(Some(t), Some(&i.tree), "", &mut cx);
    }
    out.extra_in_infracheck = ic.keys().filter(|a| !tf.contains_key(*a)).cloned().collect();
    out
}
