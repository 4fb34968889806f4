//! String functions: chomp, indent, join, lower, regex, regexall, replace, split, strrev, substr,
//! title, trim*, upper, startswith, endswith, strcontains.

use super::{arity, int_arg, list_arg, str_arg, FnResult};
use crate::model::Map;
use crate::model::Value;
use regex::Regex;

fn s(a: &[Value]) -> Result<String, String> {
    arity(a, 1)?;
    str_arg(a, 0)
}

pub fn chomp(a: &[Value]) -> FnResult {
    let mut v = s(a)?;
    while v.ends_with('\n') || v.ends_with('\r') {
        v.pop();
    }
    Ok(Value::String(v))
}

pub fn lower(a: &[Value]) -> FnResult {
    Ok(Value::String(s(a)?.to_lowercase()))
}

pub fn upper(a: &[Value]) -> FnResult {
    Ok(Value::String(s(a)?.to_uppercase()))
}

pub fn strrev(a: &[Value]) -> FnResult {
    Ok(Value::String(s(a)?.chars().rev().collect()))
}

pub fn trimspace(a: &[Value]) -> FnResult {
    Ok(Value::String(s(a)?.trim().to_string()))
}

/// Go's strings.Title: the first letter of each word becomes upper case.
pub fn title(a: &[Value]) -> FnResult {
    let v = s(a)?;
    let mut out = String::with_capacity(v.len());
    let mut prev_sep = true;
    for c in v.chars() {
        if prev_sep {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_sep = !(c.is_alphanumeric() || c == '_');
    }
    Ok(Value::String(out))
}

pub fn indent(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let n = int_arg(a, 0)?.max(0) as usize;
    let text = str_arg(a, 1)?;
    let lines = text.matches('\n').count();
    let size = n.saturating_mul(lines).saturating_add(text.len());
    if size > super::MAX_STRING_BYTES {
        return Err(super::too_large(size));
    }
    let pad = " ".repeat(n);
    Ok(Value::String(text.replace('\n', &format!("\n{pad}"))))
}

pub fn join(a: &[Value]) -> FnResult {
    if a.len() < 2 {
        return Err("at least one list is required".into());
    }
    let sep = str_arg(a, 0)?;
    let mut parts = Vec::new();
    for i in 1..a.len() {
        for (j, v) in list_arg(a, i)?.iter().enumerate() {
            match v {
                Value::Null => {
                    return Err(format!(
                        "element {j} of list {i} is null; cannot concatenate null values"
                    ))
                }
                v => parts.push(str_arg(std::slice::from_ref(v), 0)?),
            }
        }
    }
    Ok(Value::String(parts.join(&sep)))
}

pub fn split(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let sep = str_arg(a, 0)?;
    let text = str_arg(a, 1)?;
    let parts: Vec<Value> = if sep.is_empty() {
        text.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        text.split(sep.as_str()).map(|p| Value::String(p.to_string())).collect()
    };
    Ok(Value::List(parts))
}

pub fn substr(a: &[Value]) -> FnResult {
    arity(a, 3)?;
    let text: Vec<char> = str_arg(a, 0)?.chars().collect();
    let mut offset = int_arg(a, 1)?;
    let length = int_arg(a, 2)?;
    let len = text.len() as i64;
    if offset < 0 {
        offset += len;
        if offset < 0 {
            offset = 0;
        }
    }
    if offset > len {
        return Err("offset must be less than or equal to the length of the string".into());
    }
    let end = if length < 0 { len } else { (offset + length).min(len) };
    Ok(Value::String(
        text[offset as usize..end.max(offset) as usize].iter().collect(),
    ))
}

pub fn trim(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let text = str_arg(a, 0)?;
    let cut: Vec<char> = str_arg(a, 1)?.chars().collect();
    Ok(Value::String(text.trim_matches(|c| cut.contains(&c)).to_string()))
}

pub fn trimprefix(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let text = str_arg(a, 0)?;
    let p = str_arg(a, 1)?;
    Ok(Value::String(
        text.strip_prefix(p.as_str()).unwrap_or(&text).to_string(),
    ))
}

pub fn trimsuffix(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let text = str_arg(a, 0)?;
    let p = str_arg(a, 1)?;
    Ok(Value::String(
        text.strip_suffix(p.as_str()).unwrap_or(&text).to_string(),
    ))
}

pub fn startswith(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    Ok(Value::Bool(str_arg(a, 0)?.starts_with(&str_arg(a, 1)?)))
}

pub fn endswith(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    Ok(Value::Bool(str_arg(a, 0)?.ends_with(&str_arg(a, 1)?)))
}

pub fn strcontains(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    Ok(Value::Bool(str_arg(a, 0)?.contains(&str_arg(a, 1)?)))
}

/// Compiles a pattern once per thread: modules call `regex()` in validations and `for`
/// expressions with the same few patterns many times.
fn compile(pattern: &str) -> Result<Regex, String> {
    thread_local! {
        static CACHE: std::cell::RefCell<std::collections::HashMap<String, Regex>> = Default::default();
    }
    if let Some(re) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(re);
    }
    let re = Regex::new(pattern).map_err(|e| format!("invalid regular expression pattern: {e}"))?;
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= 1024 {
            c.clear();
        }
        c.insert(pattern.to_string(), re.clone());
    });
    Ok(re)
}

fn captures_value(re: &Regex, caps: &regex::Captures) -> Value {
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    if names.is_empty() {
        return Value::String(caps.get(0).map(|m| m.as_str()).unwrap_or("").to_string());
    }
    if names.iter().any(|n| n.is_some()) {
        let mut m = Map::new();
        for (i, n) in names.iter().enumerate() {
            if let Some(n) = n {
                let v = caps
                    .get(i + 1)
                    .map(|c| Value::String(c.as_str().to_string()))
                    .unwrap_or(Value::Null);
                m.insert(n.to_string(), v);
            }
        }
        return Value::Map(m);
    }
    Value::List(
        (1..=names.len())
            .map(|i| {
                caps.get(i)
                    .map(|c| Value::String(c.as_str().to_string()))
                    .unwrap_or(Value::Null)
            })
            .collect(),
    )
}

pub fn regex(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let re = compile(&str_arg(a, 0)?)?;
    let text = str_arg(a, 1)?;
    match re.captures(&text) {
        Some(c) => Ok(captures_value(&re, &c)),
        None => Err("pattern did not match any part of the given string".into()),
    }
}

pub fn regexall(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let re = compile(&str_arg(a, 0)?)?;
    let text = str_arg(a, 1)?;
    Ok(Value::List(
        re.captures_iter(&text).map(|c| captures_value(&re, &c)).collect(),
    ))
}

pub fn replace(a: &[Value]) -> FnResult {
    arity(a, 3)?;
    let text = str_arg(a, 0)?;
    let sub = str_arg(a, 1)?;
    let rep = str_arg(a, 2)?;
    if sub.len() > 1 && sub.starts_with('/') && sub.ends_with('/') {
        let re = compile(&sub[1..sub.len() - 1])?;
        return Ok(Value::String(re.replace_all(&text, rep.as_str()).into_owned()));
    }
    Ok(Value::String(text.replace(&sub, &rep)))
}
