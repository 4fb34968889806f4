//! Usage files in Infracost's format, so teams can reuse theirs:
//!
//! ```yaml
//! version: 0.1
//! resource_type_default_usage:
//!   aws_nat_gateway:
//!     monthly_data_processed_gb: 100
//! resource_usage:
//!   module.vpc.aws_nat_gateway.this[*]:
//!     monthly_data_processed_gb: 250
//!   aws_s3_bucket.logs:
//!     standard:
//!       storage_gb: 500
//! ```
//!
//! An address entry wins over a `[*]` wildcard entry, which wins over the type's default. Nested
//! keys are read with dots (`standard.storage_gb`).

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

/// A usage value: a number, a string (`operating_system: windows`) or a nested map.
#[derive(Debug, Clone, PartialEq)]
pub enum UsageValue {
    Number(Decimal),
    /// A number a `Decimal` cannot hold (`1e30`), as written: what it prices is not priced.
    TooLarge(String),
    String(String),
    Map(BTreeMap<String, UsageValue>),
}

type UsageMap = BTreeMap<String, UsageValue>;

/// The usage of every resource, from one or more usage files (later files win).
#[derive(Debug, Clone, Default)]
pub struct Usage {
    defaults: BTreeMap<String, UsageMap>,
    /// Address patterns in file order; exact addresses are looked up first.
    resources: Vec<(String, UsageMap)>,
    /// The files read, for the report.
    pub files: Vec<String>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{path}: {message}")]
#[diagnostic(
    code(usage_file),
    help("usage files follow Infracost's format: version: 0.1, resource_type_default_usage, resource_usage")
)]
pub struct UsageFileError {
    pub path: String,
    pub message: String,
    #[source_code]
    pub src: crate::diag::Snippet,
    #[label("here")]
    pub span: Option<miette::SourceSpan>,
}

impl Usage {
    /// Reads a usage file and adds it to this usage (its entries win over earlier ones).
    #[allow(clippy::result_large_err)] // reported once, then the run ends
    pub fn add_file(&mut self, path: &Path) -> Result<(), UsageFileError> {
        let shown = crate::source::display_path(path).display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| UsageFileError {
            path: shown.clone(),
            message: format!("cannot read the usage file: {e}"),
            src: crate::diag::Snippet::empty(shown.clone()),
            span: None,
        })?;
        self.add_text(&shown, &text)?;
        self.files.push(shown);
        Ok(())
    }

    #[allow(clippy::result_large_err)]
    pub fn add_text(&mut self, shown: &str, text: &str) -> Result<(), UsageFileError> {
        let err = |message: String, offset: Option<usize>| {
            let (src, span) = match offset {
                Some(o) => {
                    let (src, at) = crate::diag::Snippet::of_text(shown, text, o, o);
                    (src, Some(at))
                }
                None => (crate::diag::Snippet::empty(shown), None),
            };
            UsageFileError {
                path: shown.to_string(),
                message,
                src,
                span,
            }
        };
        let doc: serde_norway::Value = serde_norway::from_str(text)
            .map_err(|e| err(format!("not valid YAML: {e}"), e.location().map(|l| l.index())))?;
        let serde_norway::Value::Mapping(top) = doc else {
            return Err(err("the usage file must be a mapping with `version: 0.1`".into(), None));
        };
        // Positions for messages: the first occurrence of a key in the text.
        let at = |key: &str| text.find(&format!("{key}:"));
        let mut version = None;
        for (k, v) in &top {
            let key = k.as_str().unwrap_or_default();
            match key {
                "version" => version = Some(scalar_string(v)),
                "resource_type_default_usage" | "resource_usage" => {
                    let Some(entries) = v.as_mapping() else {
                        if v.is_null() {
                            continue;
                        }
                        return Err(err(format!("{key} must be a mapping"), at(key)));
                    };
                    for (name, body) in entries {
                        let name = scalar_string(name);
                        let map = match body {
                            serde_norway::Value::Null => UsageMap::new(),
                            serde_norway::Value::Mapping(_) => match convert(body) {
                                Ok(UsageValue::Map(m)) => m,
                                Ok(_) => unreachable!("a mapping converts to a map"),
                                Err(m) => return Err(err(format!("{name}: {m}"), at(&name))),
                            },
                            _ => return Err(err(format!("{name}: expected a mapping of usage keys"), at(&name))),
                        };
                        if key == "resource_usage" {
                            self.resources.retain(|(p, _)| *p != name);
                            self.resources.push((name, map));
                        } else {
                            self.defaults.insert(name, map);
                        }
                    }
                }
                other => return Err(err(format!("unknown key {other:?}"), at(other))),
            }
        }
        match version.as_deref() {
            Some("0.1") => Ok(()),
            Some(v) => Err(err(
                format!("version {v:?} is not supported (expected 0.1)"),
                at("version"),
            )),
            None => Err(err("the usage file has no `version: 0.1`".into(), None)),
        }
    }

    /// The usage value at `key` (dotted for nested maps) for a resource.
    pub fn value(&self, address: &str, resource_type: &str, key: &str) -> Option<&UsageValue> {
        let lookup = |m| lookup_path(m, key);
        if let Some(v) = self
            .resources
            .iter()
            .rev()
            .filter(|(p, _)| p == address)
            .find_map(|(_, m)| lookup(m))
        {
            return Some(v);
        }
        if let Some(v) = self
            .resources
            .iter()
            .rev()
            .filter(|(p, _)| p != address && address_matches(p, address))
            .find_map(|(_, m)| lookup(m))
        {
            return Some(v);
        }
        self.defaults.get(resource_type).and_then(lookup)
    }

    /// A usage number, named by its key (the last part of a dotted key).
    pub fn number(&self, address: &str, resource_type: &str, key: &str) -> Option<super::Num> {
        let name = key.rsplit('.').next().unwrap_or(key);
        match self.value(address, resource_type, key)? {
            UsageValue::Number(n) => Some(super::Num::named(*n, name)),
            UsageValue::TooLarge(s) => Some(super::Num::invalid(format!("quantity too large: {name} = {s}"))),
            UsageValue::String(s) => match Decimal::from_str(s).or_else(|_| Decimal::from_scientific(s)) {
                Ok(n) => Some(super::Num::named(n, name)),
                Err(_) => s.trim().parse::<f64>().ok().map(|f| super::Num::from_f64(f, name)),
            },
            UsageValue::Map(_) => None,
        }
    }

    pub fn string(&self, address: &str, resource_type: &str, key: &str) -> Option<String> {
        match self.value(address, resource_type, key)? {
            UsageValue::String(s) => Some(s.clone()),
            UsageValue::Number(n) => Some(n.to_string()),
            UsageValue::TooLarge(s) => Some(s.clone()),
            UsageValue::Map(_) => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.defaults.is_empty() && self.resources.is_empty()
    }
}

fn lookup_path<'a>(m: &'a UsageMap, key: &str) -> Option<&'a UsageValue> {
    let mut parts = key.split('.');
    let mut cur = m.get(parts.next()?)?;
    for p in parts {
        match cur {
            UsageValue::Map(inner) => cur = inner.get(p)?,
            _ => return None,
        }
    }
    Some(cur)
}

fn scalar_string(v: &serde_norway::Value) -> String {
    match v {
        serde_norway::Value::String(s) => s.clone(),
        serde_norway::Value::Number(n) => n.to_string(),
        serde_norway::Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

fn convert(v: &serde_norway::Value) -> Result<UsageValue, String> {
    Ok(match v {
        serde_norway::Value::Number(n) => {
            let s = n.to_string();
            match Decimal::from_str(&s).or_else(|_| Decimal::from_scientific(&s)) {
                Ok(d) => UsageValue::Number(d),
                // A number too large for a Decimal prices nothing, but the run goes on: the lines
                // it would price say why they are not priced.
                Err(_) => match n.as_f64() {
                    Some(f) if f.is_finite() => UsageValue::TooLarge(super::num::sci_f64(f)),
                    _ => return Err(format!("{s} is not a usable number")),
                },
            }
        }
        serde_norway::Value::String(s) => UsageValue::String(s.clone()),
        serde_norway::Value::Bool(b) => UsageValue::String(b.to_string()),
        serde_norway::Value::Mapping(m) => {
            let mut out = UsageMap::new();
            for (k, v) in m {
                if v.is_null() {
                    continue;
                }
                out.insert(scalar_string(k), convert(v)?);
            }
            UsageValue::Map(out)
        }
        serde_norway::Value::Null => return Err("a usage value is empty".into()),
        serde_norway::Value::Sequence(_) => return Err("lists are not usage values".into()),
        serde_norway::Value::Tagged(t) => convert(&t.value)?,
    })
}

/// `[*]` in a pattern matches any one instance key (`[0]`, `["a"]`).
pub fn address_matches(pattern: &str, address: &str) -> bool {
    let Some((head, rest)) = pattern.split_once("[*]") else {
        return pattern == address;
    };
    let Some(tail) = address.strip_prefix(head) else {
        return false;
    };
    let Some(after) = skip_key(tail) else {
        return false;
    };
    address_matches(rest, after)
}

/// Skips one `[…]` instance key at the start of `s` (quoted strings may hold `]`).
fn skip_key(s: &str) -> Option<&str> {
    let mut chars = s.char_indices();
    if chars.next()?.1 != '[' {
        return None;
    }
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in chars {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ']' if !quoted => return Some(&s[i + 1..]),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(text: &str) -> Usage {
        let mut u = Usage::default();
        u.add_text("usage.yml", text).unwrap();
        u
    }

    #[test]
    fn addresses_win_over_wildcards_over_type_defaults() {
        let u = usage(
            "version: 0.1\nresource_type_default_usage:\n  aws_nat_gateway:\n    monthly_data_processed_gb: 10\nresource_usage:\n  module.vpc.aws_nat_gateway.this[*]:\n    monthly_data_processed_gb: 20\n  module.vpc.aws_nat_gateway.this[1]:\n    monthly_data_processed_gb: 30.5\n  aws_s3_bucket.logs:\n    standard:\n      storage_gb: 500\n",
        );
        let n = |a: &str| {
            u.number(a, "aws_nat_gateway", "monthly_data_processed_gb")
                .and_then(|n| n.value())
        };
        assert_eq!(n("module.vpc.aws_nat_gateway.this[0]"), Some(Decimal::from(20)));
        assert_eq!(
            n("module.vpc.aws_nat_gateway.this[1]"),
            Some(Decimal::from_str("30.5").unwrap())
        );
        assert_eq!(n("aws_nat_gateway.other"), Some(Decimal::from(10)));
        assert_eq!(
            u.number("aws_s3_bucket.logs", "aws_s3_bucket", "standard.storage_gb")
                .and_then(|n| n.value()),
            Some(Decimal::from(500))
        );
        assert_eq!(u.number("aws_s3_bucket.logs", "aws_s3_bucket", "storage_gb"), None);
    }

    #[test]
    fn wildcards_match_one_key_of_any_kind() {
        assert!(address_matches("aws_eip.nat[*]", "aws_eip.nat[0]"));
        assert!(address_matches(
            "module.a[*].aws_eip.nat[*]",
            "module.a[\"x]y\"].aws_eip.nat[2]"
        ));
        assert!(!address_matches("aws_eip.nat[*]", "aws_eip.nat"));
        assert!(!address_matches("aws_eip.nat[*]", "aws_eip.nat[0].x"));
    }

    #[test]
    fn bad_files_are_located_errors() {
        for (text, message) in [
            ("version: 0.2\n", "not supported"),
            ("resource_usage: {}\n", "no `version"),
            ("version: 0.1\nresource_usage:\n  aws_eip.x: 3\n", "expected a mapping"),
            ("version: 0.1\nresourse_usage: {}\n", "unknown key"),
            ("version: 0.1\nresource_usage:\n  a: [\n", "not valid YAML"),
            (
                "version: 0.1\nresource_usage:\n  aws_lb.x:\n    new_connections: [1]\n",
                "lists",
            ),
        ] {
            let e = Usage::default().add_text("usage.yml", text).unwrap_err();
            assert!(e.message.contains(message), "{text:?}: {}", e.message);
        }
    }
}
