//! No bucket grants everyone access: no public canned ACL, and no bucket policy statement that
//! allows `Principal: "*"` without a condition narrowing it.

use super::{fields, items, json_view, str_of, GraphCtx, GraphOutcome};
use crate::model::Value;
use crate::rules::engine::Outcome;

const PUBLIC_ACLS: &[&str] = &["public-read", "public-read-write", "authenticated-read"];

fn json_public(doc: &serde_json::Value) -> bool {
    let statements = match doc.get("Statement") {
        Some(serde_json::Value::Array(a)) => a.clone(),
        Some(s) => vec![s.clone()],
        None => Vec::new(),
    };
    statements.iter().any(|s| {
        let allow = s.get("Effect").and_then(|e| e.as_str()) == Some("Allow");
        let everyone = match s.get("Principal") {
            Some(serde_json::Value::String(p)) => p == "*",
            Some(serde_json::Value::Object(o)) => o.get("AWS").is_some_and(|a| match a {
                serde_json::Value::String(p) => p == "*",
                serde_json::Value::Array(ps) => ps.iter().any(|p| p.as_str() == Some("*")),
                _ => false,
            }),
            _ => false,
        };
        allow && everyone && s.get("Condition").is_none()
    })
}

/// Whether a rendered `aws_iam_policy_document` allows everyone without a condition.
fn document_public(doc: &crate::model::Resource) -> Option<String> {
    for (k, st) in doc
        .get("statement")
        .map(|v| items(&v))
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let m = fields(st);
        if str_of(&m, "effect").unwrap_or("Allow") != "Allow"
            || m.get("condition").is_some_and(|c| !items(c).is_empty())
        {
            continue;
        }
        let everyone = m.get("principals").map(items).unwrap_or_default().iter().any(|p| {
            let p = fields(p);
            let ids = p.get("identifiers").map(items).unwrap_or_default();
            matches!(str_of(&p, "type"), Some("*") | Some("AWS")) && ids.iter().any(|i| i.as_str() == Some("*"))
        });
        if everyone {
            return Some(format!("statement[{k}]"));
        }
    }
    None
}

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let mut out = Vec::new();
    for i in ctx.of_types(&["aws_s3_bucket"]) {
        let r = ctx.resource(i);
        let mut acls: Vec<(String, Value)> = Vec::new();
        if let Some(v) = r.attributes.get("acl") {
            acls.push(("acl".into(), v.clone()));
        }
        for (k, a) in r
            .joined
            .get("bucket_acl")
            .cloned()
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if let Some(v) = fields(a).get("acl") {
                acls.push((format!("bucket_acl[{k}].acl"), v.clone()));
            }
        }
        if let Some((path, v)) = acls
            .iter()
            .find(|(_, v)| v.as_str().is_some_and(|s| PUBLIC_ACLS.contains(&s)))
        {
            out.push(
                GraphOutcome::on(
                    ctx,
                    i,
                    Outcome::Fail,
                    format!("canned ACL {}", v.as_str().unwrap_or("")),
                )
                .at(path.clone()),
            );
            continue;
        }
        let mut verdict = GraphOutcome::pass(ctx, i);
        for (k, p) in r
            .joined
            .get("bucket_policy")
            .cloned()
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let m = fields(p);
            match m.get("policy") {
                Some(v @ (Value::String(_) | Value::Unknown(_))) if json_view(v).is_some_and(|d| json_public(&d)) => {
                    verdict = GraphOutcome::on(
                        ctx,
                        i,
                        Outcome::Fail,
                        "its bucket policy allows Principal \"*\" without a condition",
                    )
                    .at(format!("bucket_policy[{k}].policy"));
                }
                Some(Value::Unknown(u)) if u.encodes.is_none() => {
                    let docs: Vec<usize> =
                        ctx.targets(&Value::Unknown(u.clone()), &["aws_iam_policy_document"], "json");
                    let data_docs: Vec<usize> = ctx
                        .project
                        .resources
                        .iter()
                        .enumerate()
                        .filter(|(_, d)| {
                            d.resource_type == "aws_iam_policy_document"
                                && u.refs.iter().any(|r| r.starts_with(&format!("{}.", d.address)))
                        })
                        .map(|(j, _)| j)
                        .collect();
                    let all: Vec<usize> = docs.into_iter().chain(data_docs).collect();
                    if all.is_empty() {
                        verdict = GraphOutcome::on(
                            ctx,
                            i,
                            Outcome::Unresolved,
                            "its bucket policy is known only after apply",
                        )
                        .at(format!("bucket_policy[{k}].policy"))
                        .refs(u.refs.clone());
                    } else if let Some((j, st)) = all
                        .iter()
                        .find_map(|&j| document_public(ctx.resource(j)).map(|s| (j, s)))
                    {
                        verdict = GraphOutcome::on(
                            ctx,
                            j,
                            Outcome::Fail,
                            format!("the policy of {} allows everyone without a condition", r.address),
                        )
                        .at(st);
                    }
                }
                _ => {}
            }
        }
        out.push(verdict);
    }
    out
}
