//! IAM policies grant no `*` or `service:*` action on every resource (`*`): in
//! `aws_iam_policy_document` statements and in policy JSON written on roles, users, groups and
//! policies.

use super::{fields, items, json_view, str_of, GraphCtx, GraphOutcome, UNKNOWN_JSON};
use crate::model::Value;
use crate::rules::engine::Outcome;

const POLICY_TYPES: &[&str] = &[
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
];

fn is_wild_action(a: &str) -> bool {
    a == "*" || a.ends_with(":*")
}

/// Wildcard actions of Allow statements on `*`, from JSON; and whether a statement's actions or
/// resources are known only after apply where it matters.
fn json_findings(doc: &serde_json::Value) -> (Vec<String>, bool) {
    let statements = match doc.get("Statement") {
        Some(serde_json::Value::Array(a)) => a.clone(),
        Some(s) => vec![s.clone()],
        None => Vec::new(),
    };
    let strings = |v: Option<&serde_json::Value>| -> Vec<String> {
        match v {
            Some(serde_json::Value::String(s)) => vec![s.clone()],
            Some(serde_json::Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(String::from)).collect(),
            _ => Vec::new(),
        }
    };
    let mut out = Vec::new();
    let mut unknown = false;
    for s in statements {
        if s.get("Effect").and_then(|e| e.as_str()) != Some("Allow") {
            continue;
        }
        let actions = strings(s.get("Action"));
        let wild: Vec<String> = actions.iter().filter(|a| is_wild_action(a)).cloned().collect();
        if wild.is_empty() {
            unknown |= actions.iter().any(|a| a == UNKNOWN_JSON);
            continue;
        }
        let resources = strings(s.get("Resource"));
        if resources.iter().any(|r| r == "*") {
            out.push(wild.join(", "));
        } else if resources.iter().any(|r| r == UNKNOWN_JSON) {
            unknown = true;
        }
    }
    (out, unknown)
}

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let mut out = Vec::new();
    // Policy documents rendered by Terraform: judged on their statements, where the user wrote them.
    for (i, r) in ctx.project.resources.iter().enumerate() {
        if r.resource_type != "aws_iam_policy_document" {
            continue;
        }
        let mut failed = Vec::new();
        let mut unknown = Vec::new();
        for (k, st) in r
            .get("statement")
            .map(|v| items(&v))
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let m = fields(st);
            if str_of(&m, "effect").unwrap_or("Allow") != "Allow" {
                continue;
            }
            let actions = m.get("actions").map(items).unwrap_or_default();
            let wild: Vec<String> = actions
                .iter()
                .filter_map(|a| a.as_str())
                .filter(|a| is_wild_action(a))
                .map(String::from)
                .collect();
            if wild.is_empty() {
                continue;
            }
            match m.get("resources") {
                Some(v @ Value::Unknown(_)) => unknown.push((format!("statement[{k}].resources"), v.clone())),
                Some(v) => {
                    let list = items(v);
                    if list.iter().any(|x| x.as_str() == Some("*")) {
                        failed.push((format!("statement[{k}].actions"), wild.join(", ")));
                    } else if let Some(u) = list.iter().find(|x| x.is_unknown()) {
                        unknown.push((format!("statement[{k}].resources"), u.clone()));
                    }
                }
                None => {}
            }
        }
        if let Some((path, _)) = failed.first() {
            let all: Vec<String> = failed.iter().map(|(_, w)| w.clone()).collect();
            out.push(
                GraphOutcome::on(
                    ctx,
                    i,
                    Outcome::Fail,
                    format!("allows {} on every resource (*)", all.join("; ")),
                )
                .at(path.clone()),
            );
        } else if let Some((path, v)) = unknown.first() {
            out.push(
                GraphOutcome::on(
                    ctx,
                    i,
                    Outcome::Unresolved,
                    "wildcard actions on resources known only after apply",
                )
                .at(path.clone())
                .refs(super::unknown_refs(v).unwrap_or_default()),
            );
        } else {
            out.push(GraphOutcome::pass(ctx, i));
        }
    }
    // Policy JSON written directly (jsonencode or heredoc); a document rendered above is judged there.
    let rendered: Vec<&str> = ctx
        .project
        .resources
        .iter()
        .filter(|r| r.resource_type == "aws_iam_policy_document")
        .filter_map(|r| r.attributes.get("json").and_then(|v| v.as_str()))
        .collect();
    for i in ctx.of_types(POLICY_TYPES) {
        let r = ctx.resource(i);
        let Some(policy) = r.attributes.get("policy") else {
            continue;
        };
        if let Value::String(s) = policy {
            if rendered.contains(&s.as_str()) {
                continue;
            }
        }
        if let Value::Unknown(u) = policy {
            if u.encodes.is_none() && u.refs.iter().all(|r| r.contains("aws_iam_policy_document.")) {
                continue;
            }
        }
        let refs = super::unknown_refs(policy).unwrap_or_default();
        match json_view(policy) {
            Some(doc) => {
                let (wild, unknown) = json_findings(&doc);
                out.push(if !wild.is_empty() {
                    GraphOutcome::on(
                        ctx,
                        i,
                        Outcome::Fail,
                        format!("allows {} on every resource (*)", wild.join("; ")),
                    )
                    .at("policy")
                } else if unknown {
                    GraphOutcome::on(
                        ctx,
                        i,
                        Outcome::Unresolved,
                        "actions or resources known only after apply",
                    )
                    .at("policy")
                    .refs(refs)
                } else {
                    GraphOutcome::pass(ctx, i)
                });
            }
            None if !refs.is_empty() => out.push(
                GraphOutcome::on(ctx, i, Outcome::Unresolved, "the policy is known only after apply")
                    .at("policy")
                    .refs(refs),
            ),
            None => {}
        }
    }
    out
}
