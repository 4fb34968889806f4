//! Values as Terraform sees them before apply: known, null, or unknown. An unknown value remembers
//! which references it came from (`aws_nat_gateway.this[1].id`) so rules can follow them.

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::sync::Arc;

/// What an unknown value refers to: sorted, without duplicates. Empty for values that are unknown
/// without a reference (`timestamp()`, `uuid()`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Unknown {
    pub refs: Vec<String>,
    /// For a string that is the JSON encoding (`jsonencode`) of a partly known value: that value,
    /// with its unknown parts, so checks can read what is known of it.
    pub encodes: Option<Arc<Value>>,
}

impl Unknown {
    pub fn of(reference: impl Into<String>) -> Unknown {
        Unknown {
            refs: vec![reference.into()],
            encodes: None,
        }
    }

    pub fn merge(&mut self, other: &Unknown) {
        self.refs.extend(other.refs.iter().cloned());
        self.refs.sort();
        self.refs.dedup();
        self.encodes = None;
    }

    /// The value, not yet known, of `<refers>.<attr>` (or of the whole when it refers to several).
    fn get_attr(&self, attr: &str) -> Unknown {
        match self.refs.as_slice() {
            [one] => Unknown::of(format!("{one}.{attr}")),
            _ => self.clone(),
        }
    }

    fn index(&self, key: &Value) -> Unknown {
        match (self.refs.as_slice(), key) {
            ([one], Value::Number(n)) => Unknown::of(format!("{one}[{}]", format_number(*n))),
            ([one], Value::String(s)) => Unknown::of(format!("{one}[{s:?}]")),
            _ => self.clone(),
        }
    }
}

/// An object whose attributes are only partly written in configuration: a resource instance, a data
/// source or one of their nested blocks. Any attribute not written is computed by the provider at
/// apply time, so reading it yields an unknown value that refers to `<address>.<attr>`.
/// The attributes of an object, or the elements of a map, by name: a vector sorted by name. Most
/// objects have a few attributes, for which a B-tree's nodes would be mostly empty space.
pub type Map<V = Value> = litemap::LiteMap<String, V>;

#[derive(Debug, Clone, PartialEq)]
pub struct OpenObject {
    pub address: String,
    pub attrs: Map,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    /// A list or tuple.
    List(Vec<Value>),
    /// A set: elements sorted and unique.
    Set(Vec<Value>),
    /// A map or object.
    Map(Map),
    Open(Arc<OpenObject>),
    Unknown(Unknown),
}

impl Value {
    pub fn unknown(reference: impl Into<String>) -> Value {
        Value::Unknown(Unknown::of(reference))
    }

    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn set(mut items: Vec<Value>) -> Value {
        items.sort_by(total_cmp);
        items.dedup();
        Value::Set(items)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_) | Value::Open(_))
    }

    /// The value as an unknown, when it is one (an open object counts as not known as a whole).
    pub fn as_unknown(&self) -> Option<Unknown> {
        match self {
            Value::Unknown(u) => Some(u.clone()),
            Value::Open(o) => Some(Unknown::of(o.address.clone())),
            _ => None,
        }
    }

    /// True when no part of the value is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) | Value::Open(_) => false,
            Value::List(v) | Value::Set(v) => v.iter().all(Value::is_wholly_known),
            Value::Map(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    /// Every unknown reference inside the value, merged.
    pub fn unknown_refs(&self) -> Option<Unknown> {
        let mut acc: Option<Unknown> = None;
        self.walk_unknown(&mut |u| match &mut acc {
            Some(a) => a.merge(u),
            None => acc = Some(u.clone()),
        });
        acc
    }

    fn walk_unknown(&self, f: &mut dyn FnMut(&Unknown)) {
        match self {
            Value::Unknown(u) => f(u),
            Value::Open(o) => f(&Unknown::of(o.address.clone())),
            Value::List(v) | Value::Set(v) => v.iter().for_each(|x| x.walk_unknown(f)),
            Value::Map(m) => m.values().for_each(|x| x.walk_unknown(f)),
            _ => {}
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "tuple",
            Value::Set(_) => "set",
            Value::Map(_) => "object",
            Value::Open(_) => "object",
            Value::Unknown(_) => "unknown",
        }
    }

    /// Reads attribute `name`: of a map, or of an open object (unknown when not written), or of an
    /// unknown value (unknown, referring one level deeper).
    pub fn get_attr(&self, name: &str) -> Result<Value, String> {
        match self {
            Value::Map(m) => m
                .get(name)
                .cloned()
                .ok_or_else(|| format!("This object does not have an attribute named {name:?}.")),
            // An attribute not written, or written as null, is the provider's to compute.
            Value::Open(o) => Ok(match o.attrs.get(name) {
                Some(v) if !v.is_null() => v.clone(),
                _ => Value::unknown(format!("{}.{name}", o.address)),
            }),
            Value::Unknown(u) => Ok(Value::Unknown(u.get_attr(name))),
            Value::Null => Err("Attempt to get an attribute from a null value.".into()),
            other => Err(format!(
                "Can't access attributes on a primitive-typed value ({}).",
                other.type_name()
            )),
        }
    }

    /// Indexes a list, tuple or map.
    pub fn index(&self, key: &Value) -> Result<Value, String> {
        if let Some(u) = key.as_unknown() {
            let mut u = u;
            if let Some(mine) = self.as_unknown() {
                u.merge(&mine);
            }
            return Ok(Value::Unknown(u));
        }
        match self {
            Value::List(items) => {
                let i = match key {
                    Value::Number(n) if n.fract() == 0.0 => *n,
                    Value::String(s) => s
                        .parse::<f64>()
                        .map_err(|_| "The given key does not identify an element in this collection value: a number is required.".to_string())?,
                    _ => return Err("The given key does not identify an element in this collection value: a number is required.".into()),
                };
                if i < 0.0 || i as usize >= items.len() {
                    return Err(format!(
                        "The given key does not identify an element in this collection value: the collection has {} elements and the index is {}.",
                        items.len(),
                        format_number(i)
                    ));
                }
                Ok(items[i as usize].clone())
            }
            Value::Map(m) => {
                let k = match key {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => format_number(*n),
                    Value::Bool(b) => b.to_string(),
                    _ => return Err("A string key is required to index a map.".into()),
                };
                m.get(&k).cloned().ok_or_else(|| {
                    format!("The given key does not identify an element in this collection value: {k:?}.")
                })
            }
            Value::Open(o) => match key {
                Value::String(s) => self.get_attr(s).or_else(|_| Ok(Value::unknown(format!("{}[{s:?}]", o.address)))),
                _ => Ok(Value::Unknown(Unknown::of(o.address.clone()).index(key))),
            },
            Value::Unknown(u) => Ok(Value::Unknown(u.index(key))),
            Value::Set(_) => Err("Elements of a set are identified only by their value and don't have any separate index or key to select with, so it's only possible to perform operations across all elements of the set.".into()),
            Value::Null => Err("Cannot index a null value.".into()),
            other => Err(format!("This value does not have any indices ({}).", other.type_name())),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// Converts to JSON, with unknown parts rendered by `unknown`.
    pub fn to_json_with(&self, unknown: &dyn Fn(&Unknown) -> serde_json::Value) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => J::String(s.clone()),
            Value::List(v) | Value::Set(v) => J::Array(v.iter().map(|x| x.to_json_with(unknown)).collect()),
            Value::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json_with(unknown))).collect()),
            Value::Open(o) => J::Object(
                o.attrs
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json_with(unknown)))
                    .collect(),
            ),
            Value::Unknown(u) => unknown(u),
        }
    }

    /// Builds a value from JSON (numbers as f64, objects as maps).
    pub fn from_json(j: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match j {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            J::String(s) => Value::String(s.clone()),
            J::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
            J::Object(o) => Value::Map(o.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect()),
        }
    }

    /// Paths (`a.b[0].c`) of every unknown part, in order.
    pub fn unknown_paths(&self, prefix: &str, out: &mut Vec<(String, Unknown)>) {
        match self {
            Value::Unknown(u) => out.push((prefix.to_string(), u.clone())),
            Value::List(v) | Value::Set(v) => {
                for (i, x) in v.iter().enumerate() {
                    x.unknown_paths(&format!("{prefix}[{i}]"), out);
                }
            }
            Value::Map(m) => {
                for (k, x) in m {
                    x.unknown_paths(&join_path(prefix, k), out);
                }
            }
            Value::Open(o) => {
                for (k, x) in &o.attrs {
                    x.unknown_paths(&join_path(prefix, k), out);
                }
            }
            _ => {}
        }
    }
}

fn join_path(prefix: &str, key: &str) -> String {
    let simple = key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') && !key.is_empty();
    match (prefix.is_empty(), simple) {
        (true, true) => key.to_string(),
        (false, true) => format!("{prefix}.{key}"),
        (_, false) => format!("{prefix}[{key:?}]"),
    }
}

pub fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)
    }
}

/// Formats a number as Terraform prints it: integers without a fraction, others in shortest form.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e21 {
        format!("{}", n as i128)
    } else if n.is_infinite() {
        if n > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        let s = format!("{n}");
        s
    }
}

/// A total order over values, used to sort sets and to make output deterministic.
pub fn total_cmp(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::List(_) => 4,
            Value::Set(_) => 5,
            Value::Map(_) => 6,
            Value::Open(_) => 7,
            Value::Unknown(_) => 8,
        }
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x.total_cmp(y),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => {
            for (p, q) in x.iter().zip(y) {
                let o = total_cmp(p, q);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Map(x), Value::Map(y)) => {
            for ((k1, v1), (k2, v2)) in x.iter().zip(y) {
                let o = k1.cmp(k2).then_with(|| total_cmp(v1, v2));
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Open(x), Value::Open(y)) => x.address.cmp(&y.address),
        (Value::Unknown(x), Value::Unknown(y)) => x.refs.cmp(&y.refs),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Renders a value in Terraform's own syntax (as `terraform console` would, without type wrappers).
pub fn to_hcl(v: &Value) -> String {
    let mut s = String::new();
    write_hcl(v, &mut s);
    s
}

fn write_hcl(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Number(n) => out.push_str(&format_number(*n)),
        Value::String(s) => {
            let _ = write!(out, "{}", serde_json::Value::String(s.clone()));
        }
        Value::List(items) | Value::Set(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_hcl(x, out);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{} = ", serde_json::Value::String(k.clone()));
                write_hcl(x, out);
            }
            out.push('}');
        }
        Value::Open(o) => write_hcl(&Value::Map(o.attrs.clone()), out),
        Value::Unknown(u) => {
            if u.refs.is_empty() {
                out.push_str("(known after apply)");
            } else {
                let _ = write!(out, "(known after apply: {})", u.refs.join(", "));
            }
        }
    }
}
