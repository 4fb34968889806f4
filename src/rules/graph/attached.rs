//! Resources that exist to be attached to something (a security group, an Elastic IP) are attached:
//! another resource of the configuration refers to them, or the root outputs them for another
//! configuration to use, or one of their own attributes (`or_set`, e.g. an Elastic IP's
//! `instance`) attaches them. Resources whose types begin with one of `except` (the group's own
//! rules) do not count as attachments. With `by`, only resources whose types begin with one of
//! those count (an AWS Backup selection that lists the file system), and root outputs do not.
//! `key` is the attribute a literal string names the resource by (default `id`, as plans and
//! accounts name security groups; `name` for IAM group memberships). When a module call was not
//! read, what it would attach is unknown, so an unattached resource is unresolved rather than
//! failed.

use super::{GraphCtx, GraphOutcome};
use crate::model::{Mode, Value};
use crate::rules::engine::Outcome;
use std::collections::{BTreeMap, BTreeSet};

fn walk(ctx: &GraphCtx, v: &Value, types: &[&str], key: Option<&str>, out: &mut BTreeSet<usize>) {
    match v {
        Value::Map(m) => m.values().for_each(|x| walk(ctx, x, types, key, out)),
        Value::Open(o) => o.attrs.values().for_each(|x| walk(ctx, x, types, key, out)),
        Value::List(items) | Value::Set(items) => items.iter().for_each(|x| walk(ctx, x, types, key, out)),
        Value::Unknown(_) => out.extend(ctx.targets(v, types, "id")),
        // A literal id (a plan's or an account's `vpc_security_group_ids = ["sg-…"]`), or the
        // `key` attribute a membership names its group by.
        Value::String(_) => out.extend(ctx.targets(v, types, key.unwrap_or("id"))),
        _ => {}
    }
}

/// What uses each resource of `types`, by index: every managed resource whose attributes refer to
/// it, except resources whose types begin with one of `except` (a group's own rules).
pub fn users(ctx: &GraphCtx, types: &[&str], except: &[&str]) -> BTreeMap<usize, Vec<usize>> {
    users_by(ctx, types, except, &[], None)
}

/// [`users`], counting only referrers whose types begin with one of `by` (all when empty), and
/// literal strings equal to the subject's `key` attribute as references too.
pub fn users_by(
    ctx: &GraphCtx,
    types: &[&str],
    except: &[&str],
    by: &[&str],
    key: Option<&str>,
) -> BTreeMap<usize, Vec<usize>> {
    let mut by_subject: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, r) in ctx.project.resources.iter().enumerate() {
        if r.mode != Mode::Managed
            || except.iter().any(|p| r.resource_type.starts_with(p))
            || (!by.is_empty() && !by.iter().any(|p| r.resource_type.starts_with(p)))
        {
            continue;
        }
        let mut used = BTreeSet::new();
        for v in r.attributes.values() {
            walk(ctx, v, types, key, &mut used);
        }
        for s in used {
            by_subject.entry(s).or_default().push(i);
        }
    }
    by_subject
}

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let types: Vec<&str> = ctx.policy.resource_types.iter().map(String::as_str).collect();
    let except = ctx.param_strings("except");
    let or_set = ctx.param_strings("or_set");
    let subjects = ctx.of_types(&types);
    if subjects.is_empty() {
        return Vec::new();
    }
    let except: Vec<&str> = except.iter().map(String::as_str).collect();
    let by = ctx.param_strings("by");
    let by: Vec<&str> = by.iter().map(String::as_str).collect();
    let key = ctx.param_str("key");
    let attached = users_by(ctx, &types, &except, &by, key);
    let mut exported = BTreeSet::new();
    if by.is_empty() {
        for v in ctx.project.outputs.values() {
            walk(ctx, v, &types, key, &mut exported);
        }
    }
    let unread: Vec<String> = ctx.project.external_modules.iter().map(|m| m.address.clone()).collect();
    let mut out = Vec::new();
    for i in subjects {
        let r = ctx.resource(i);
        let set_by_itself = or_set
            .iter()
            .any(|a| r.attributes.get(a).is_some_and(|v| !matches!(v, Value::Null)));
        if attached.contains_key(&i) || exported.contains(&i) || set_by_itself {
            out.push(GraphOutcome::pass(ctx, i));
        } else if !unread.is_empty() {
            out.push(
                GraphOutcome::on(
                    ctx,
                    i,
                    Outcome::Unresolved,
                    format!(
                        "nothing in the configuration that was read uses it; the module calls that were not read ({}) may",
                        unread.join(", ")
                    ),
                )
                .refs(unread.clone()),
            );
        } else {
            let message = if by.is_empty() {
                "nothing in the configuration uses it, and the root does not output it".to_string()
            } else {
                format!("no {} in the configuration refers to it", by.join(" or "))
            };
            out.push(GraphOutcome::on(ctx, i, Outcome::Fail, message));
        }
    }
    out
}
