//! Collection functions: alltrue … zipmap.

use super::{arity, arity_range, int_arg, list_arg, map_arg, num_arg, str_arg, FnResult};
use crate::hcl::eval::expr::values_equal;
use crate::hcl::eval::types::unify_list;
use crate::model::value::total_cmp;
use crate::model::Map;
use crate::model::Value;
use std::collections::BTreeMap;

fn bools(a: &[Value]) -> Result<Vec<bool>, String> {
    arity(a, 1)?;
    list_arg(a, 0)?
        .iter()
        .map(|v| match v {
            Value::Bool(b) => Ok(*b),
            Value::String(s) if s == "true" => Ok(true),
            Value::String(s) if s == "false" => Ok(false),
            Value::Null => Ok(false),
            other => Err(format!("list of bool required, found {}", other.type_name())),
        })
        .collect()
}

pub fn alltrue(a: &[Value]) -> FnResult {
    Ok(Value::Bool(bools(a)?.iter().all(|b| *b)))
}

pub fn anytrue(a: &[Value]) -> FnResult {
    Ok(Value::Bool(bools(a)?.iter().any(|b| *b)))
}

pub fn chunklist(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let l = list_arg(a, 0)?;
    let n = int_arg(a, 1)?;
    if n < 0 {
        return Err("the size argument must be positive".into());
    }
    if n == 0 {
        return Ok(Value::List(vec![Value::List(l)]));
    }
    Ok(Value::List(
        l.chunks(n as usize).map(|c| Value::List(c.to_vec())).collect(),
    ))
}

pub fn coalesce(a: &[Value]) -> FnResult {
    let unified = unify_list(a.to_vec());
    for v in unified {
        match &v {
            Value::Null => continue,
            Value::String(s) if s.is_empty() => continue,
            _ => return Ok(v),
        }
    }
    Err("no non-null, non-empty-string arguments".into())
}

pub fn coalescelist(a: &[Value]) -> FnResult {
    if a.is_empty() {
        return Err("at least one argument is required".into());
    }
    // A null list (a `list(string)` variable left at its null default) is skipped, as cty does.
    for (i, v) in a.iter().enumerate() {
        if v.is_null() {
            continue;
        }
        let l = list_arg(a, i)?;
        if !l.is_empty() {
            return Ok(a[i].clone());
        }
    }
    Err("no non-null arguments".into())
}

pub fn compact(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    let l = list_arg(a, 0)?;
    let mut out = Vec::new();
    for v in l {
        match v {
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            Value::String(_) => out.push(v),
            other => out.push(Value::String(str_arg(std::slice::from_ref(&other), 0)?)),
        }
    }
    Ok(Value::List(out))
}

pub fn concat(a: &[Value]) -> FnResult {
    let mut out = Vec::new();
    for i in 0..a.len() {
        out.extend(list_arg(a, i)?);
    }
    Ok(Value::List(out))
}

pub fn contains(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let l = list_arg(a, 0)?;
    Ok(Value::Bool(l.iter().any(|v| values_equal(v, &a[1]))))
}

pub fn distinct(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    let mut out: Vec<Value> = Vec::new();
    for v in list_arg(a, 0)? {
        if !out.iter().any(|x| values_equal(x, &v)) {
            out.push(v);
        }
    }
    Ok(Value::List(out))
}

pub fn element(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let l = list_arg(a, 0)?;
    let i = int_arg(a, 1)?;
    if l.is_empty() {
        return Err("cannot use element function with an empty list".into());
    }
    if i < 0 {
        return Err("cannot use element function with a negative index".into());
    }
    Ok(l[(i as usize) % l.len()].clone())
}

fn flatten_into(v: Vec<Value>, out: &mut Vec<Value>) {
    for x in v {
        match x {
            Value::List(inner) | Value::Set(inner) => flatten_into(inner, out),
            other => out.push(other),
        }
    }
}

pub fn flatten(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    let mut out = Vec::new();
    flatten_into(list_arg(a, 0)?, &mut out);
    Ok(Value::List(out))
}

pub fn index(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let l = list_arg(a, 0)?;
    l.iter()
        .position(|v| values_equal(v, &a[1]))
        .map(|i| Value::Number(i as f64))
        .ok_or_else(|| "item not found".into())
}

pub fn keys(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    Ok(Value::List(
        map_arg(a, 0)?.into_iter().map(|(k, _)| Value::String(k)).collect(),
    ))
}

pub fn values(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    Ok(Value::List(map_arg(a, 0)?.into_iter().map(|(_, v)| v).collect()))
}

pub fn length(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    Ok(Value::Number(match &a[0] {
        Value::String(s) => s.chars().count() as f64,
        Value::List(l) | Value::Set(l) => l.len() as f64,
        Value::Map(m) => m.len() as f64,
        Value::Null => return Err("argument must not be null".into()),
        other => {
            return Err(format!(
                "argument must be a string, a collection type, or a structural type, not {}",
                other.type_name()
            ))
        }
    }))
}

pub fn lookup(a: &[Value]) -> FnResult {
    arity_range(a, 2, 3)?;
    let key = str_arg(a, 1)?;
    if let Value::Open(o) = &a[0] {
        return Ok(o
            .attrs
            .get(&key)
            .cloned()
            .unwrap_or_else(|| Value::unknown(format!("{}.{key}", o.address))));
    }
    let m = map_arg(a, 0)?;
    match m.get(&key) {
        Some(v) => Ok(v.clone()),
        None => {
            let default = a
                .get(2)
                .cloned()
                .ok_or_else(|| format!("lookup failed to find key {key:?}"))?;
            // The default takes a map's element type: a map of strings (a `map(string)` variable,
            // `list(map(string))` rules) gives `lookup(m, "self", true)` as "true". Values carry no
            // type here, so a map whose values are all strings is taken for a map(string).
            let strings = !m.is_empty() && m.values().all(|v| matches!(v, Value::String(_)));
            Ok(match default {
                Value::Bool(_) | Value::Number(_) if strings => {
                    crate::hcl::eval::types::convert(&default, &crate::hcl::eval::types::Type::String)
                        .unwrap_or(default)
                }
                other => other,
            })
        }
    }
}

pub fn matchkeys(a: &[Value]) -> FnResult {
    arity(a, 3)?;
    let vals = list_arg(a, 0)?;
    let keys = list_arg(a, 1)?;
    let search = list_arg(a, 2)?;
    if vals.len() != keys.len() {
        return Err("length of keys and values should be equal".into());
    }
    Ok(Value::List(
        vals.into_iter()
            .zip(keys)
            .filter(|(_, k)| search.iter().any(|s| values_equal(s, k)))
            .map(|(v, _)| v)
            .collect(),
    ))
}

pub fn merge(a: &[Value]) -> FnResult {
    let mut out = Map::new();
    for (i, v) in a.iter().enumerate() {
        if v.is_null() {
            continue;
        }
        out.extend(map_arg(a, i)?);
    }
    Ok(Value::Map(out))
}

pub fn one(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    let l = list_arg(a, 0)?;
    match l.len() {
        0 => Ok(Value::Null),
        1 => Ok(l[0].clone()),
        n => Err(format!(
            "must be a list, set, or tuple value with either zero or one elements, not {n}"
        )),
    }
}

pub fn range(a: &[Value]) -> FnResult {
    let (start, limit, step) = match a.len() {
        1 => (0.0, num_arg(a, 0)?, 1.0),
        2 => {
            let (s, l) = (num_arg(a, 0)?, num_arg(a, 1)?);
            (s, l, if l < s { -1.0 } else { 1.0 })
        }
        3 => (num_arg(a, 0)?, num_arg(a, 1)?, num_arg(a, 2)?),
        _ => return Err("must have one, two, or three arguments".into()),
    };
    if step == 0.0 {
        return Err("step must not be zero".into());
    }
    if (step > 0.0 && limit < start) || (step < 0.0 && limit > start) {
        return Err(if step > 0.0 {
            "the limit must be greater than the start when the step is positive".into()
        } else {
            "the limit must be less than the start when the step is negative".into()
        });
    }
    let mut out = Vec::new();
    let mut v = start;
    while (step > 0.0 && v < limit) || (step < 0.0 && v > limit) {
        out.push(Value::Number(v));
        if out.len() > 1024 {
            return Err("more than 1024 values were generated; either decrease the difference between start and end or use a smaller step".into());
        }
        v += step;
    }
    Ok(Value::List(out))
}

pub fn reverse(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    let mut l = list_arg(a, 0)?;
    l.reverse();
    Ok(Value::List(l))
}

fn sets(a: &[Value]) -> Result<Vec<Vec<Value>>, String> {
    if a.is_empty() {
        return Err("at least one argument is required".into());
    }
    (0..a.len()).map(|i| list_arg(a, i)).collect()
}

pub fn setintersection(a: &[Value]) -> FnResult {
    let s = sets(a)?;
    let mut out = s[0].clone();
    for other in &s[1..] {
        out.retain(|v| other.iter().any(|o| values_equal(o, v)));
    }
    Ok(Value::set(unify_list(out)))
}

pub fn setunion(a: &[Value]) -> FnResult {
    Ok(Value::set(unify_list(sets(a)?.into_iter().flatten().collect())))
}

pub fn setsubtract(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let mut l = list_arg(a, 0)?;
    let r = list_arg(a, 1)?;
    l.retain(|v| !r.iter().any(|o| values_equal(o, v)));
    Ok(Value::set(l))
}

pub fn setproduct(a: &[Value]) -> FnResult {
    let s = sets(a)?;
    if s.len() < 2 {
        return Err("at least two arguments are required".into());
    }
    let all_lists = a.iter().all(|v| matches!(v, Value::List(_)));
    let s: Vec<Vec<Value>> = if all_lists {
        s
    } else {
        s.into_iter()
            .map(|x| match Value::set(x) {
                Value::Set(v) => v,
                _ => unreachable!("Value::set makes a set"),
            })
            .collect()
    };
    let size = s.iter().fold(1usize, |n, set| n.saturating_mul(set.len()));
    if size > super::MAX_ELEMENTS {
        return Err(format!(
            "the product is too large ({size} elements; at most {})",
            super::MAX_ELEMENTS
        ));
    }
    let mut out: Vec<Vec<Value>> = vec![vec![]];
    for set in &s {
        let mut next = Vec::new();
        for prefix in &out {
            for v in set {
                let mut p = prefix.clone();
                p.push(v.clone());
                next.push(p);
            }
        }
        out = next;
    }
    let rows: Vec<Value> = out.into_iter().map(Value::List).collect();
    Ok(if all_lists { Value::List(rows) } else { Value::set(rows) })
}

pub fn slice(a: &[Value]) -> FnResult {
    arity(a, 3)?;
    let l = list_arg(a, 0)?;
    let s = int_arg(a, 1)?;
    let e = int_arg(a, 2)?;
    if s < 0 {
        return Err("the starting index must not be negative".into());
    }
    if e as usize > l.len() {
        return Err("the ending index must not exceed the list length".into());
    }
    if s > e {
        return Err("the starting index must be less than or equal to the ending index".into());
    }
    Ok(Value::List(l[s as usize..e as usize].to_vec()))
}

pub fn sort(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    let mut l: Vec<String> = Vec::new();
    for v in list_arg(a, 0)? {
        match v {
            Value::Null => return Err("given list element is null; a null value cannot be sorted".into()),
            v => l.push(str_arg(std::slice::from_ref(&v), 0)?),
        }
    }
    l.sort();
    Ok(Value::List(l.into_iter().map(Value::String).collect()))
}

pub fn sum(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    let l = list_arg(a, 0)?;
    if l.is_empty() {
        return Err("cannot sum an empty list".into());
    }
    let mut total = 0.0;
    for (i, _) in l.iter().enumerate() {
        total += num_arg(&l, i)?;
    }
    Ok(Value::Number(total))
}

pub fn transpose(a: &[Value]) -> FnResult {
    arity(a, 1)?;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in map_arg(a, 0)? {
        let l = match v {
            Value::List(l) | Value::Set(l) => l,
            other => {
                return Err(format!(
                    "input must be a map of lists of strings, found {}",
                    other.type_name()
                ))
            }
        };
        for x in l {
            out.entry(str_arg(std::slice::from_ref(&x), 0)?)
                .or_default()
                .push(k.clone());
        }
    }
    Ok(Value::Map(
        out.into_iter()
            .map(|(k, v)| (k, Value::List(v.into_iter().map(Value::String).collect())))
            .collect(),
    ))
}

pub fn zipmap(a: &[Value]) -> FnResult {
    arity(a, 2)?;
    let k = list_arg(a, 0)?;
    let v = list_arg(a, 1)?;
    if k.len() != v.len() {
        return Err(format!(
            "number of keys ({}) does not match number of values ({})",
            k.len(),
            v.len()
        ));
    }
    let mut out = Vec::with_capacity(k.len());
    for (key, val) in k.into_iter().zip(v) {
        if let Some(u) = key.as_unknown() {
            return Ok(Value::Unknown(u));
        }
        out.push((str_arg(std::slice::from_ref(&key), 0)?, val));
    }
    let _ = total_cmp;
    // Collected, not inserted one by one: sorted once, a repeated key keeping its last value.
    Ok(Value::Map(out.into_iter().collect()))
}
