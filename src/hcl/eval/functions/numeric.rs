//! Numeric functions: abs, ceil, floor, log, max, min, parseint, pow, signum.

use super::{arity, num_arg, str_arg, FnResult};
use crate::model::Value;

pub fn abs(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    Ok(Value::Number(num_arg(a, 0)?.abs()))
}

pub fn ceil(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    Ok(Value::Number(num_arg(a, 0)?.ceil()))
}

pub fn floor(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    Ok(Value::Number(num_arg(a, 0)?.floor()))
}

pub fn log(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    Ok(Value::Number(num_arg(a, 0)?.ln() / num_arg(a, 1)?.ln()))
}

pub fn pow(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    Ok(Value::Number(num_arg(a, 0)?.powf(num_arg(a, 1)?)))
}

pub fn signum(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    let n = num_arg(a, 0)?;
    Ok(Value::Number(if n > 0.0 {
        1.0
    } else if n < 0.0 {
        -1.0
    } else {
        0.0
    }))
}

fn fold(a: &[Value], pick: fn(f64, f64) -> f64) -> FnResult {
    if a.is_empty() {
        return Err("must pass at least one number".into());
    }
    let mut acc = num_arg(a, 0)?;
    for i in 1..a.len() {
        acc = pick(acc, num_arg(a, i)?);
    }
    Ok(Value::Number(acc))
}

pub fn max(a: &[Value]) -> FnResult {
    fold(a, f64::max)
}

pub fn min(a: &[Value]) -> FnResult {
    fold(a, f64::min)
}

pub fn parseint(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let s = match &a[0] {
        Value::String(s) => s.clone(),
        other => return Err(format!("first argument must be a string, not {}", other.type_name())),
    };
    let base = num_arg(a, 1)? as u32;
    if !(2..=62).contains(&base) {
        return Err(format!(
            "base must be a whole number between 2 and 62 inclusive, not {base}"
        ));
    }
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    if digits.is_empty() {
        return Err(format!("cannot parse {s:?} as a base {base} integer"));
    }
    let mut acc: f64 = 0.0;
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'a'..='z' if base <= 36 => c as u32 - 'a' as u32 + 10,
            'A'..='Z' if base <= 36 => c as u32 - 'A' as u32 + 10,
            'a'..='z' => c as u32 - 'a' as u32 + 10,
            'A'..='Z' => c as u32 - 'A' as u32 + 36,
            _ => u32::MAX,
        };
        if d >= base {
            return Err(format!("cannot parse {s:?} as a base {base} integer"));
        }
        acc = acc * base as f64 + d as f64;
    }
    let _ = str_arg;
    Ok(Value::Number(if neg { -acc } else { acc }))
}
