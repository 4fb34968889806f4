//! Data sources whose results Terraform computes locally, without calling AWS:
//! `aws_iam_policy_document` (rendered to its policy JSON), `aws_region` and `aws_partition`
//! (from the provider's region). Every other data source's computed attributes stay unknown.

use crate::model::Map;
use crate::model::Value;
use serde_json::{json, Map as JMap, Value as J};

pub fn compute(resource_type: &str, address: &str, attrs: &mut Map, region: &Value) {
    match resource_type {
        "aws_region" => {
            let written = ["region", "name"]
                .iter()
                .filter_map(|k| attrs.get(*k))
                .find(|v| !v.is_null())
                .cloned();
            let name = written.unwrap_or_else(|| region.clone());
            for k in ["name", "region", "id"] {
                attrs.insert(k.to_string(), name.clone());
            }
        }
        "aws_partition" => {
            let (partition, suffix) = match region {
                Value::String(r) if r.starts_with("cn-") => ("aws-cn", "amazonaws.com.cn"),
                Value::String(r) if r.starts_with("us-gov-") => ("aws-us-gov", "amazonaws.com"),
                Value::String(_) => ("aws", "amazonaws.com"),
                _ => return,
            };
            attrs.insert("partition".into(), Value::string(partition));
            attrs.insert("id".into(), Value::string(partition));
            attrs.insert("dns_suffix".into(), Value::string(suffix));
            let reverse: Vec<&str> = suffix.split('.').rev().collect();
            attrs.insert("reverse_dns_prefix".into(), Value::string(reverse.join(".")));
        }
        "aws_iam_policy_document" => {
            let value = match render_policy(attrs) {
                Some(doc) => {
                    let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default();
                    let minified = serde_json::to_string(&doc).unwrap_or_default();
                    attrs.insert("minified_json".into(), Value::String(minified));
                    Value::String(pretty)
                }
                None => {
                    attrs.insert(
                        "minified_json".into(),
                        Value::unknown(format!("{address}.minified_json")),
                    );
                    Value::unknown(format!("{address}.json"))
                }
            };
            attrs.insert("json".into(), value);
        }
        _ => {}
    }
}

fn obj_attrs(v: &Value) -> Option<&Map> {
    match v {
        Value::Open(o) => Some(&o.attrs),
        Value::Map(m) => Some(m),
        _ => None,
    }
}

/// A set of strings renders as one string when it has one element, as the provider does.
fn string_or_list(v: &Value) -> Option<J> {
    let items: Vec<String> = match v {
        Value::String(s) => vec![s.clone()],
        Value::List(l) | Value::Set(l) => l
            .iter()
            .map(|x| x.as_str().map(str::to_string))
            .collect::<Option<_>>()?,
        _ => return None,
    };
    let mut items = items;
    items.dedup();
    Some(if items.len() == 1 {
        J::String(items.remove(0))
    } else {
        json!(items)
    })
}

fn principals(list: &Value) -> Option<J> {
    let mut out = JMap::new();
    let Value::List(items) = list else {
        return None;
    };
    for p in items {
        let a = obj_attrs(p)?;
        let ty = a.get("type")?.as_str()?.to_string();
        let ids = string_or_list(a.get("identifiers")?)?;
        if ty == "*" {
            return Some(J::String("*".into()));
        }
        out.insert(ty, ids);
    }
    Some(J::Object(out))
}

fn conditions(list: &Value) -> Option<J> {
    let mut out: JMap<String, J> = JMap::new();
    let Value::List(items) = list else {
        return None;
    };
    for c in items {
        let a = obj_attrs(c)?;
        let test = a.get("test")?.as_str()?.to_string();
        let var = a.get("variable")?.as_str()?.to_string();
        let values = string_or_list(a.get("values")?)?;
        let entry = out.entry(test).or_insert_with(|| J::Object(JMap::new()));
        if let J::Object(m) = entry {
            m.insert(var, values);
        }
    }
    Some(J::Object(out))
}

fn statement(v: &Value) -> Option<J> {
    if !v.is_wholly_known() && !matches!(v, Value::Open(_)) {
        return None;
    }
    let a = obj_attrs(v)?;
    if a.values().any(|x| !x.is_wholly_known() && !matches!(x, Value::List(l) if l.iter().all(|e| matches!(e, Value::Open(o) if o.attrs.values().all(Value::is_wholly_known))))) {
        return None;
    }
    let mut s = JMap::new();
    if let Some(sid) = a.get("sid").and_then(Value::as_str) {
        s.insert("Sid".into(), J::String(sid.into()));
    }
    let effect = a.get("effect").and_then(Value::as_str).unwrap_or("Allow");
    s.insert("Effect".into(), J::String(effect.into()));
    for (attr, key) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        if let Some(x) = a.get(attr) {
            if !x.is_null() {
                s.insert(key.into(), string_or_list(x)?);
            }
        }
    }
    for (attr, key) in [("principals", "Principal"), ("not_principals", "NotPrincipal")] {
        if let Some(x) = a.get(attr) {
            s.insert(key.into(), principals(x)?);
        }
    }
    if let Some(x) = a.get("condition") {
        s.insert("Condition".into(), conditions(x)?);
    }
    Some(J::Object(s))
}

fn sid_of(s: &J) -> Option<String> {
    s.get("Sid")
        .and_then(J::as_str)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
}

/// Adds `new` statements to `list`, replacing statements with the same Sid.
fn merge_statements(list: &mut Vec<J>, new: Vec<J>) {
    for s in new {
        match sid_of(&s).and_then(|sid| list.iter().position(|x| sid_of(x).as_deref() == Some(&sid))) {
            Some(i) => list[i] = s,
            None => list.push(s),
        }
    }
}

fn doc_statements(v: &Value) -> Option<Vec<Vec<J>>> {
    let docs = match v {
        Value::List(l) | Value::Set(l) => l.clone(),
        Value::Null => return Some(Vec::new()),
        _ => return None,
    };
    docs.iter()
        .map(|d| {
            let text = d.as_str()?;
            let j: J = serde_json::from_str(text).ok()?;
            Some(match j.get("Statement") {
                Some(J::Array(a)) => a.clone(),
                Some(one @ J::Object(_)) => vec![one.clone()],
                _ => Vec::new(),
            })
        })
        .collect()
}

fn render_policy(attrs: &Map) -> Option<J> {
    let mut statements: Vec<J> = Vec::new();
    if let Some(src) = attrs.get("source_policy_documents") {
        for doc in doc_statements(src)? {
            merge_statements(&mut statements, doc);
        }
    }
    if let Some(Value::List(items)) = attrs.get("statement") {
        let own: Vec<J> = items.iter().map(statement).collect::<Option<_>>()?;
        merge_statements(&mut statements, own);
    } else if attrs.get("statement").is_some_and(|s| !s.is_wholly_known()) {
        return None;
    }
    if let Some(ov) = attrs.get("override_policy_documents") {
        for doc in doc_statements(ov)? {
            merge_statements(&mut statements, doc);
        }
    }
    let mut doc = JMap::new();
    let version = match attrs.get("version") {
        Some(Value::String(v)) => v.clone(),
        Some(Value::Null) | None => "2012-10-17".into(),
        Some(_) => return None,
    };
    doc.insert("Version".into(), J::String(version));
    if let Some(Value::String(id)) = attrs.get("policy_id") {
        doc.insert("Id".into(), J::String(id.clone()));
    }
    doc.insert("Statement".into(), J::Array(statements));
    Some(J::Object(doc))
}
