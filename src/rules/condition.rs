//! The condition language of policy files: a few operators over attribute paths, in three-valued
//! logic so a value known only after apply is never taken for true or false.
//!
//! A condition is a TOML table:
//!
//! - a test: `{ path = "storage_encrypted", eq = true, default = false }` with exactly one operator
//!   (`eq`, `ne`, `in`, `not_in`, `matches`, `not_matches`, `gte`, `lte`, `contains`, `not_contains`,
//!   `exists`). `path` walks attributes and nested blocks: `metadata_options[0].http_tokens`,
//!   `ingress[*].cidr_blocks[*]` (`[*]` tests every element; a block that is not written stands for
//!   one element with every attribute missing). A missing or null value takes `default` (the
//!   provider's default) when one is given; otherwise the operator sees null. A value known only
//!   after apply makes the test unresolved, unless `unknown = "pass"` or `unknown = "fail"` says
//!   what such a value means for this rule.
//! - `{ all = [ … ] }`, `{ any = [ … ] }`: every / at least one.
//! - `{ for_each = "listener[*]", assert = { … } }`: the inner condition holds for every element,
//!   with paths relative to the element; `{ for_some = "parameter[*]", assert = { … } }`: for at
//!   least one (none written fails).
//! - `name:json` in a path reads a JSON string attribute (`jsonencode(…)`, a heredoc) as the value
//!   it encodes: `container_definitions:json[*].readonlyRootFilesystem`.

use crate::model::Map;
use crate::model::{Unknown, Value};
use regex::Regex;

/// A parsed condition.
#[derive(Debug, Clone)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    ForEach { path: Path, assert: Box<Condition> },
    ForSome { path: Path, assert: Box<Condition> },
    Test(Test),
}

#[derive(Debug, Clone)]
pub struct Test {
    pub path: Path,
    pub op: Op,
    pub default: Option<Value>,
    pub unknown: UnknownMeans,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownMeans {
    Unresolved,
    Pass,
    Fail,
}

#[derive(Debug, Clone)]
pub enum Op {
    Eq(Value),
    Ne(Value),
    In(Vec<Value>),
    NotIn(Vec<Value>),
    Matches(LazyRegex),
    NotMatches(LazyRegex),
    Gte(f64),
    Lte(f64),
    Contains(Value),
    NotContains(Value),
    Exists(bool),
}

/// A policy's regular expression: checked when the policy loads, compiled the first time a
/// resource needs it (most rules of a large catalog never meet a resource of their type).
#[derive(Debug, Clone)]
pub struct LazyRegex {
    source: String,
    compiled: std::sync::OnceLock<Regex>,
}

impl LazyRegex {
    pub fn new(source: &str) -> Result<LazyRegex, String> {
        regex_syntax::Parser::new().parse(source).map_err(|e| e.to_string())?;
        Ok(LazyRegex {
            source: source.to_string(),
            compiled: std::sync::OnceLock::new(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.compiled
            // Its syntax was checked when the policy loaded; a pattern the engine still refuses
            // (over its size limit) matches nothing.
            .get_or_init(|| {
                Regex::new(&self.source).unwrap_or_else(|_| Regex::new("[^\\s\\S]").expect("a valid regex"))
            })
            .is_match(text)
    }
}

const OPS: &[&str] = &[
    "eq",
    "ne",
    "in",
    "not_in",
    "matches",
    "not_matches",
    "gte",
    "lte",
    "contains",
    "not_contains",
    "exists",
];

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
    Each,
    /// The JSON document a string attribute encodes.
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub text: String,
    pub steps: Vec<Step>,
}

impl Path {
    pub fn parse(text: &str) -> Result<Path, String> {
        let mut steps = Vec::new();
        for part in text.split('.') {
            let (name, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            let (name, json) = match name.strip_suffix(":json") {
                Some(name) => (name, true),
                None => (name, false),
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("bad path {text:?}: {part:?} is not an attribute name"));
            }
            steps.push(Step::Key(name.to_string()));
            if json {
                steps.push(Step::Json);
            }
            while !rest.is_empty() {
                let close = rest.find(']').ok_or_else(|| format!("bad path {text:?}: unclosed ["))?;
                let inner = &rest[1..close];
                steps.push(if inner == "*" {
                    Step::Each
                } else {
                    Step::Index(
                        inner
                            .parse()
                            .map_err(|_| format!("bad path {text:?}: [{inner}] is not an index or *"))?,
                    )
                });
                rest = &rest[close + 1..];
                if !rest.is_empty() && !rest.starts_with('[') {
                    return Err(format!("bad path {text:?}"));
                }
            }
        }
        Ok(Path {
            text: text.to_string(),
            steps,
        })
    }
}

/// What a condition found.
#[derive(Debug, Clone, PartialEq)]
pub enum Truth {
    True,
    /// The paths that failed, each with what was found and what was expected.
    False(Vec<Failure>),
    /// The values known only after apply that decide it.
    Unknown(Vec<(String, Unknown)>),
}

impl Truth {
    /// Every part holds: false when any failed, else unknown when any is unknown, else true.
    fn all(failures: Vec<Failure>, unknown: Vec<(String, Unknown)>) -> Truth {
        if !failures.is_empty() {
            Truth::False(failures)
        } else if !unknown.is_empty() {
            Truth::Unknown(unknown)
        } else {
            Truth::True
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The concrete path, e.g. `root_block_device[0].encrypted`.
    pub path: String,
    /// What the value is, for the message.
    pub found: String,
    /// What the rule expects, for the message.
    pub expected: String,
    /// The other ways the requirement could have been met, when it is an `any`: they fail
    /// together, as one requirement, so they make one finding.
    pub or: Vec<Failure>,
}

/// Something a condition can read attributes of: a resource, or one element of a list.
pub trait Subject {
    fn attr(&self, name: &str) -> Option<Value>;
}

impl Subject for Map {
    fn attr(&self, name: &str) -> Option<Value> {
        self.get(name).cloned()
    }
}

impl Subject for crate::model::Resource {
    fn attr(&self, name: &str) -> Option<Value> {
        self.get(name)
    }
}

/// A value at a concrete path, or nothing (missing or null).
#[derive(Debug, Clone)]
pub enum Found {
    Value(Value),
    /// A value above the path is known only after apply, so whether the path is written at all
    /// is not known either.
    UnknownAbove(Unknown),
    Missing,
}

impl Condition {
    /// Parses a condition from its TOML table.
    pub fn parse(v: &toml::Value) -> Result<Condition, String> {
        let t = v.as_table().ok_or_else(|| format!("a condition is a table, not {v}"))?;
        if let Some(list) = t.get("all").or_else(|| t.get("any")) {
            if t.len() != 1 {
                return Err("`all` and `any` take no other keys".into());
            }
            let items = list
                .as_array()
                .ok_or("`all` and `any` take an array of conditions")?
                .iter()
                .map(Condition::parse)
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(if t.contains_key("all") {
                Condition::All(items)
            } else {
                Condition::Any(items)
            });
        }
        for quantifier in ["for_each", "for_some"] {
            let Some(each) = t.get(quantifier) else {
                continue;
            };
            let keys: Vec<&String> = t.keys().filter(|k| *k != quantifier && *k != "assert").collect();
            if !keys.is_empty() {
                return Err(format!("`{quantifier}` takes only `assert`, not {keys:?}"));
            }
            let path = Path::parse(each.as_str().ok_or_else(|| format!("`{quantifier}` takes a path"))?)?;
            let assert = t
                .get("assert")
                .ok_or_else(|| format!("`{quantifier}` needs an `assert` condition"))?;
            let assert = Box::new(Condition::parse(assert)?);
            return Ok(if quantifier == "for_each" {
                Condition::ForEach { path, assert }
            } else {
                Condition::ForSome { path, assert }
            });
        }
        let path = Path::parse(
            t.get("path")
                .and_then(|p| p.as_str())
                .ok_or("a test needs `path` (or use all / any / for_each / for_some)")?,
        )?;
        let ops: Vec<&String> = t.keys().filter(|k| OPS.contains(&k.as_str())).collect();
        if ops.len() != 1 {
            return Err(format!(
                "a test on {:?} needs exactly one operator of {}",
                path.text,
                OPS.join(", ")
            ));
        }
        for k in t.keys() {
            if !OPS.contains(&k.as_str()) && !matches!(k.as_str(), "path" | "default" | "unknown") {
                return Err(format!("unknown key {k:?} in the test on {:?}", path.text));
            }
        }
        let name = ops[0].as_str();
        let arg = &t[name];
        let list = || -> Result<Vec<Value>, String> {
            Ok(arg
                .as_array()
                .ok_or_else(|| format!("`{name}` takes an array"))?
                .iter()
                .map(from_toml)
                .collect())
        };
        let regex = || -> Result<LazyRegex, String> {
            LazyRegex::new(
                arg.as_str()
                    .ok_or_else(|| format!("`{name}` takes a regular expression"))?,
            )
            .map_err(|e| format!("`{name}`: {e}"))
        };
        let number = || -> Result<f64, String> {
            arg.as_float()
                .or_else(|| arg.as_integer().map(|i| i as f64))
                .ok_or_else(|| format!("`{name}` takes a number"))
        };
        let op = match name {
            "eq" => Op::Eq(from_toml(arg)),
            "ne" => Op::Ne(from_toml(arg)),
            "in" => Op::In(list()?),
            "not_in" => Op::NotIn(list()?),
            "matches" => Op::Matches(regex()?),
            "not_matches" => Op::NotMatches(regex()?),
            "gte" => Op::Gte(number()?),
            "lte" => Op::Lte(number()?),
            "contains" => Op::Contains(from_toml(arg)),
            "not_contains" => Op::NotContains(from_toml(arg)),
            "exists" => Op::Exists(arg.as_bool().ok_or("`exists` takes true or false")?),
            _ => unreachable!("listed in OPS"),
        };
        let unknown = match t.get("unknown").map(|u| u.as_str()) {
            None => UnknownMeans::Unresolved,
            Some(Some("pass")) => UnknownMeans::Pass,
            Some(Some("fail")) => UnknownMeans::Fail,
            Some(Some("unresolved")) => UnknownMeans::Unresolved,
            Some(_) => return Err("`unknown` is \"pass\", \"fail\" or \"unresolved\"".into()),
        };
        Ok(Condition::Test(Test {
            path,
            op,
            default: t.get("default").map(from_toml),
            unknown,
        }))
    }

    /// Evaluates the condition on `subject`; `prefix` is the concrete path of the subject inside
    /// the resource (empty for the resource itself).
    pub fn eval(&self, subject: &dyn Subject, prefix: &str) -> Truth {
        match self {
            Condition::All(items) => {
                let mut failures = Vec::new();
                let mut unknown = Vec::new();
                for c in items {
                    match c.eval(subject, prefix) {
                        Truth::True => {}
                        Truth::False(f) => failures.extend(f),
                        Truth::Unknown(u) => unknown.extend(u),
                    }
                }
                Truth::all(failures, unknown)
            }
            Condition::Any(items) => {
                let mut failures = Vec::new();
                let mut unknown = Vec::new();
                for c in items {
                    match c.eval(subject, prefix) {
                        Truth::True => return Truth::True,
                        Truth::False(f) => failures.extend(f),
                        Truth::Unknown(u) => unknown.extend(u),
                    }
                }
                if !unknown.is_empty() {
                    return Truth::Unknown(unknown);
                }
                // Alternatives fail as one: the first, with the others it could have been.
                let mut all = failures.into_iter().flat_map(|f| {
                    let rest = f.or.clone();
                    std::iter::once(Failure { or: Vec::new(), ..f }).chain(rest)
                });
                match all.next() {
                    Some(first) => Truth::False(vec![Failure {
                        or: all.collect(),
                        ..first
                    }]),
                    None => Truth::False(Vec::new()),
                }
            }
            Condition::ForEach { path, assert } => {
                let mut failures = Vec::new();
                let mut unknown = Vec::new();
                for (p, found) in resolve(subject, &path.steps, prefix) {
                    match found {
                        Found::Missing => {}
                        Found::Value(Value::Unknown(u)) | Found::UnknownAbove(u) => unknown.push((p, u)),
                        Found::Value(v) => match object(&v) {
                            Some(obj) => match assert.eval(&obj, &p) {
                                Truth::True => {}
                                Truth::False(f) => failures.extend(f),
                                Truth::Unknown(u) => unknown.extend(u),
                            },
                            None => failures.push(Failure {
                                path: p,
                                found: crate::model::value::to_hcl(&v),
                                expected: "a block".into(),
                                or: Vec::new(),
                            }),
                        },
                    }
                }
                Truth::all(failures, unknown)
            }
            Condition::ForSome { path, assert } => {
                let mut unknown = Vec::new();
                let mut failures = Vec::new();
                let mut elements = 0;
                for (p, found) in resolve(subject, &path.steps, prefix) {
                    match found {
                        Found::Missing => {}
                        Found::Value(Value::Unknown(u)) | Found::UnknownAbove(u) => unknown.push((p, u)),
                        Found::Value(v) => {
                            elements += 1;
                            if let Some(obj) = object(&v) {
                                match assert.eval(&obj, &p) {
                                    Truth::True => return Truth::True,
                                    Truth::False(f) => failures.extend(f),
                                    Truth::Unknown(u) => unknown.extend(u),
                                }
                            }
                        }
                    }
                }
                if !unknown.is_empty() {
                    return Truth::Unknown(unknown);
                }
                let wanted = failures
                    .iter()
                    .map(|f| {
                        let own = f.path.rsplit('.').next().unwrap_or(&f.path);
                        format!("{own} {}", f.expected)
                    })
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect::<Vec<_>>()
                    .join(" and ");
                let text = path.text.strip_suffix("[*]").unwrap_or(&path.text);
                Truth::False(vec![Failure {
                    path: join(prefix, text),
                    found: match elements {
                        0 => "none written".into(),
                        1 => "1 element, which does not match".into(),
                        n => format!("{n} elements, none of which match"),
                    },
                    expected: if wanted.is_empty() {
                        "at least one element".into()
                    } else {
                        format!("at least one element with {wanted}")
                    },
                    or: Vec::new(),
                }])
            }
            Condition::Test(t) => t.eval(subject, prefix),
        }
    }
}

impl Test {
    fn eval(&self, subject: &dyn Subject, prefix: &str) -> Truth {
        let mut failures = Vec::new();
        let mut unknown = Vec::new();
        for (path, found) in resolve(subject, &self.path.steps, prefix) {
            // `above`: a value above the path is unknown, so not even whether it is written is.
            let (value, above) = match found {
                Found::Missing => (self.default.clone().unwrap_or(Value::Null), false),
                Found::Value(Value::Null) => (self.default.clone().unwrap_or(Value::Null), false),
                Found::Value(v) => (v, false),
                Found::UnknownAbove(u) => (Value::Unknown(u), true),
            };
            if let Some(u) = value.unknown_refs() {
                match self.unknown {
                    UnknownMeans::Pass => continue,
                    UnknownMeans::Fail => {
                        failures.push(Failure {
                            path,
                            found: "known only after apply".into(),
                            expected: self.expected(),
                            or: Vec::new(),
                        });
                        continue;
                    }
                    UnknownMeans::Unresolved => {
                        // `exists` is decided by whether the value is written, not by what it is.
                        if above || !matches!(self.op, Op::Exists(_)) {
                            unknown.push((path, u));
                            continue;
                        }
                    }
                }
            }
            if !self.holds(&value) {
                failures.push(Failure {
                    path,
                    found: if value.is_null() {
                        "not set".into()
                    } else {
                        crate::model::value::to_hcl(&value)
                    },
                    expected: self.expected(),
                    or: Vec::new(),
                });
            }
        }
        Truth::all(failures, unknown)
    }

    fn holds(&self, v: &Value) -> bool {
        match &self.op {
            Op::Eq(x) => loose_eq(v, x),
            Op::Ne(x) => !loose_eq(v, x),
            Op::In(xs) => xs.iter().any(|x| loose_eq(v, x)),
            Op::NotIn(xs) => !xs.iter().any(|x| loose_eq(v, x)),
            Op::Matches(r) => v.as_str().is_some_and(|s| r.is_match(s)),
            Op::NotMatches(r) => !v.as_str().is_some_and(|s| r.is_match(s)),
            Op::Gte(n) => number(v).is_some_and(|x| x >= *n),
            Op::Lte(n) => number(v).is_some_and(|x| x <= *n),
            Op::Contains(x) => elements(v).iter().any(|e| loose_eq(e, x)),
            Op::NotContains(x) => !elements(v).iter().any(|e| loose_eq(e, x)),
            Op::Exists(want) => v.is_null() != *want,
        }
    }

    /// What the test expects, in words.
    pub fn expected(&self) -> String {
        let show = crate::model::value::to_hcl;
        let list = |xs: &[Value]| xs.iter().map(show).collect::<Vec<_>>().join(", ");
        match &self.op {
            Op::Eq(x) => show(x),
            Op::Ne(x) => format!("anything but {}", show(x)),
            Op::In(xs) => format!("one of {}", list(xs)),
            Op::NotIn(xs) => format!("none of {}", list(xs)),
            Op::Matches(r) => format!("a value matching /{}/", r.as_str()),
            Op::NotMatches(r) => format!("a value not matching /{}/", r.as_str()),
            Op::Gte(n) => format!("at least {}", crate::model::value::format_number(*n)),
            Op::Lte(n) => format!("at most {}", crate::model::value::format_number(*n)),
            Op::Contains(x) => format!("a list containing {}", show(x)),
            Op::NotContains(x) => format!("a list without {}", show(x)),
            Op::Exists(true) => "a value".into(),
            Op::Exists(false) => "no value".into(),
        }
    }
}

fn elements(v: &Value) -> Vec<Value> {
    match v {
        Value::List(items) | Value::Set(items) => items.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => Some(*n),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Equality as Terraform's type conversion would see it without a schema: `"true"` is true and
/// `"8080"` is 8080.
pub fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Bool(x), Value::String(s)) | (Value::String(s), Value::Bool(x)) => {
            s == if *x { "true" } else { "false" }
        }
        (Value::Number(x), Value::String(s)) | (Value::String(s), Value::Number(x)) => {
            s.trim().parse::<f64>().is_ok_and(|y| y == *x)
        }
        _ => a == b,
    }
}

pub fn object(v: &Value) -> Option<Map> {
    match v {
        Value::Map(m) => Some(m.clone()),
        Value::Open(o) => Some(o.attrs.clone()),
        _ => None,
    }
}

/// Every concrete path `steps` reaches from `subject`, with what is there. A `[*]` over a list
/// that is missing or empty reaches one missing element, so defaults apply to blocks not written.
pub fn resolve(subject: &dyn Subject, steps: &[Step], prefix: &str) -> Vec<(String, Found)> {
    let Some((Step::Key(first), rest)) = steps.split_first() else {
        return Vec::new();
    };
    let path = join(prefix, first);
    match subject.attr(first) {
        None => walk(Found::Missing, rest, path),
        Some(v) => walk(Found::Value(v), rest, path),
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn walk(found: Found, steps: &[Step], path: String) -> Vec<(String, Found)> {
    let Some((step, rest)) = steps.split_first() else {
        return vec![(path, found)];
    };
    let value = match found {
        Found::Missing | Found::Value(Value::Null) => {
            let next = match step {
                Step::Key(k) => format!("{path}.{k}"),
                Step::Index(i) => format!("{path}[{i}]"),
                Step::Each => format!("{path}[0]"),
                Step::Json => path,
            };
            return walk(Found::Missing, rest, next);
        }
        // `jsonencode` of a partly known value: read what is known of it.
        Found::Value(Value::Unknown(u)) if *step == Step::Json && u.encodes.is_some() => {
            let encoded = u.encodes.as_deref().cloned().unwrap_or(Value::Null);
            return walk(Found::Value(encoded), rest, path);
        }
        Found::Value(Value::Unknown(u)) | Found::UnknownAbove(u) => return vec![(path, Found::UnknownAbove(u))],
        Found::Value(v) => v,
    };
    match step {
        Step::Key(k) => {
            let next = format!("{path}.{k}");
            match object(&value) {
                Some(m) => match m.get(k) {
                    Some(v) => walk(Found::Value(v.clone()), rest, next),
                    None => walk(Found::Missing, rest, next),
                },
                None => walk(Found::Missing, rest, next),
            }
        }
        Step::Index(i) => {
            let next = format!("{path}[{i}]");
            match &value {
                Value::List(items) | Value::Set(items) => match items.get(*i) {
                    Some(v) => walk(Found::Value(v.clone()), rest, next),
                    None => walk(Found::Missing, rest, next),
                },
                _ => walk(Found::Missing, rest, next),
            }
        }
        Step::Each => match &value {
            Value::List(items) | Value::Set(items) if !items.is_empty() => items
                .iter()
                .enumerate()
                .flat_map(|(i, v)| walk(Found::Value(v.clone()), rest, format!("{path}[{i}]")))
                .collect(),
            Value::List(_) | Value::Set(_) => walk(Found::Missing, rest, format!("{path}[0]")),
            // A single object where a list is expected: Terraform's nested attribute as a map.
            other => walk(Found::Value(other.clone()), rest, format!("{path}[0]")),
        },
        Step::Json => match &value {
            Value::String(text) => match serde_json::from_str::<serde_json::Value>(text) {
                Ok(json) => walk(Found::Value(Value::from_json(&json)), rest, path),
                // Not JSON: nothing of what the path asks for is there.
                Err(_) => walk(Found::Missing, rest, path),
            },
            // Already a structure (a plan's decoded value): read it as it is.
            other => walk(Found::Value(other.clone()), rest, path),
        },
    }
}

/// A TOML value as a model value.
pub fn from_toml(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::Number(*i as f64),
        toml::Value::Float(f) => Value::Number(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::List(a.iter().map(from_toml).collect()),
        toml::Value::Table(t) => Value::Map(t.iter().map(|(k, v)| (k.clone(), from_toml(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(src: &str) -> Condition {
        let v: toml::Value = toml::from_str(&format!("c = {src}")).unwrap();
        Condition::parse(&v["c"]).unwrap()
    }

    fn obj(pairs: &[(&str, Value)]) -> Map {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    #[test]
    fn missing_values_take_the_default_and_unknown_values_are_unresolved() {
        let c = cond(r#"{ path = "storage_encrypted", eq = true, default = false }"#);
        assert!(matches!(c.eval(&obj(&[]), ""), Truth::False(f) if f[0].found == "false"));
        assert_eq!(
            c.eval(&obj(&[("storage_encrypted", Value::Bool(true))]), ""),
            Truth::True
        );
        let u = obj(&[("storage_encrypted", Value::unknown("var.x"))]);
        assert!(matches!(c.eval(&u, ""), Truth::Unknown(r) if r[0].1.refs == ["var.x"]));
    }

    #[test]
    fn wildcards_test_every_element_and_a_missing_block_stands_for_defaults() {
        let c = cond(r#"{ path = "root_block_device[*].encrypted", eq = true, default = false }"#);
        let block = |e: bool| Value::Map(obj(&[("encrypted", Value::Bool(e))]));
        assert_eq!(
            c.eval(&obj(&[("root_block_device", Value::List(vec![block(true)]))]), ""),
            Truth::True
        );
        let two = obj(&[("root_block_device", Value::List(vec![block(true), block(false)]))]);
        assert!(matches!(c.eval(&two, ""), Truth::False(f) if f[0].path == "root_block_device[1].encrypted"));
        assert!(matches!(c.eval(&obj(&[]), ""), Truth::False(f) if f[0].path == "root_block_device[0].encrypted"));
    }

    #[test]
    fn for_some_needs_one_matching_element_and_is_unresolved_before_it_fails() {
        let c = cond(
            r#"{ for_some = "parameter[*]", assert = { all = [ { path = "name", eq = "require_ssl" }, { path = "value", eq = "true" } ] } }"#,
        );
        let param = |n: &str, v: Value| Value::Map(obj(&[("name", Value::string(n)), ("value", v)]));
        let group = |ps: Vec<Value>| obj(&[("parameter", Value::List(ps))]);
        let good = group(vec![
            param("a", Value::string("1")),
            param("require_ssl", Value::string("true")),
        ]);
        assert_eq!(c.eval(&good, ""), Truth::True);
        let bad = group(vec![
            param("a", Value::string("1")),
            param("require_ssl", Value::string("false")),
        ]);
        match c.eval(&bad, "") {
            Truth::False(f) => {
                assert_eq!(f.len(), 1, "one failure for the collection: {f:?}");
                assert_eq!(f[0].path, "parameter");
                assert_eq!(f[0].found, "2 elements, none of which match");
                assert!(f[0].expected.contains("\"require_ssl\""), "{}", f[0].expected);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(c.eval(&obj(&[]), ""), Truth::False(f) if f[0].found == "none written"));
        let pending = group(vec![
            param("a", Value::string("1")),
            param("require_ssl", Value::unknown("var.ssl")),
        ]);
        assert!(matches!(c.eval(&pending, ""), Truth::Unknown(u) if u[0].1.refs == ["var.ssl"]));
    }

    #[test]
    fn json_in_a_path_reads_the_document_a_string_encodes() {
        let c =
            cond(r#"{ path = "container_definitions:json[*].readonlyRootFilesystem", eq = true, default = false }"#);
        let defs = |s: &str| obj(&[("container_definitions", Value::string(s))]);
        assert_eq!(
            c.eval(&defs(r#"[{"name":"a","readonlyRootFilesystem":true}]"#), ""),
            Truth::True
        );
        let two = defs(r#"[{"name":"a","readonlyRootFilesystem":true},{"name":"b"}]"#);
        assert!(
            matches!(c.eval(&two, ""), Truth::False(f) if f[0].path == "container_definitions[1].readonlyRootFilesystem")
        );
        let pending = obj(&[("container_definitions", Value::unknown("var.defs"))]);
        assert!(matches!(c.eval(&pending, ""), Truth::Unknown(_)));
        // `jsonencode` of a partly known value: the known parts decide.
        let container = |ro: bool| {
            Value::Map(obj(&[
                ("image", Value::unknown("aws_ecr_repository.app.repository_url")),
                ("readonlyRootFilesystem", Value::Bool(ro)),
            ]))
        };
        let encoded = |ro: bool| {
            let mut u = Unknown::of("aws_ecr_repository.app.repository_url");
            u.encodes = Some(std::sync::Arc::new(Value::List(vec![container(ro)])));
            obj(&[("container_definitions", Value::Unknown(u))])
        };
        assert_eq!(c.eval(&encoded(true), ""), Truth::True);
        assert!(matches!(c.eval(&encoded(false), ""), Truth::False(_)));
        assert!(Path::parse("a:jsn.b").is_err());
    }

    #[test]
    fn three_valued_logic() {
        let any = cond(r#"{ any = [ { path = "a", eq = 1 }, { path = "b", eq = 1 } ] }"#);
        let all = cond(r#"{ all = [ { path = "a", eq = 1 }, { path = "b", eq = 1 } ] }"#);
        let s = obj(&[("a", Value::unknown("x.id")), ("b", Value::Number(2.0))]);
        assert!(matches!(any.eval(&s, ""), Truth::Unknown(_)));
        assert!(matches!(all.eval(&s, ""), Truth::False(_)));
        let s = obj(&[("a", Value::unknown("x.id")), ("b", Value::Number(1.0))]);
        assert_eq!(any.eval(&s, ""), Truth::True);
        assert!(matches!(all.eval(&s, ""), Truth::Unknown(_)));
    }

    #[test]
    fn strings_compare_with_booleans_and_numbers_as_terraform_converts_them() {
        let c = cond(r#"{ path = "port", eq = 443 }"#);
        assert_eq!(c.eval(&obj(&[("port", Value::string("443"))]), ""), Truth::True);
        let c = cond(r#"{ path = "on", eq = true }"#);
        assert_eq!(c.eval(&obj(&[("on", Value::string("true"))]), ""), Truth::True);
    }

    #[test]
    fn bad_conditions_are_reported() {
        for (src, msg) in [
            (r#"{ path = "a" }"#, "exactly one operator"),
            (r#"{ path = "a", eq = 1, ne = 2 }"#, "exactly one operator"),
            (r#"{ path = "a", eq = 1, dflt = 2 }"#, "unknown key"),
            (r#"{ path = "a[", eq = 1 }"#, "unclosed"),
            (r#"{ path = "a", matches = "(" }"#, "matches"),
        ] {
            let v: toml::Value = toml::from_str(&format!("c = {src}")).unwrap();
            let e = Condition::parse(&v["c"]).unwrap_err();
            assert!(e.contains(msg), "{src}: {e}");
        }
    }
}
