//! The state's own storage, when it is in the scanned code: the backend's bucket versioned with
//! public access blocked, and its DynamoDB lock table keyed `LockID` with point-in-time recovery.

use super::{fields, items, GraphCtx, GraphOutcome};
use crate::model::Value;
use crate::rules::condition::loose_eq;
use crate::rules::engine::Outcome;

fn first_true(v: Option<Value>, key: &str) -> bool {
    v.map(|v| items(&v))
        .unwrap_or_default()
        .iter()
        .any(|b| fields(b).get(key).is_some_and(|x| loose_eq(x, &Value::Bool(true))))
}

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let Some(b) = ctx.project.backend.as_ref().filter(|b| b.kind == "s3") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(name) = b.attributes.get("bucket").filter(|v| v.as_str().is_some()) {
        for i in ctx.targets(name, &["aws_s3_bucket"], "bucket") {
            let r = ctx.resource(i);
            let mut missing = Vec::new();
            if !first_true(r.get("versioning"), "enabled") {
                missing.push("versioning is not enabled");
            }
            let pab = r.get("public_access_block").map(|v| items(&v)).unwrap_or_default();
            let blocked = pab.iter().any(|p| {
                let m = fields(p);
                [
                    "block_public_acls",
                    "block_public_policy",
                    "ignore_public_acls",
                    "restrict_public_buckets",
                ]
                .iter()
                .all(|k| m.get(*k).is_some_and(|x| loose_eq(x, &Value::Bool(true))))
            });
            if !blocked {
                missing.push("public access is not blocked (all four settings)");
            }
            out.push(if missing.is_empty() {
                GraphOutcome::pass(ctx, i)
            } else {
                GraphOutcome::on(
                    ctx,
                    i,
                    Outcome::Fail,
                    format!("the state bucket: {}", missing.join("; ")),
                )
            });
        }
    }
    if let Some(name) = b.attributes.get("dynamodb_table").filter(|v| v.as_str().is_some()) {
        for i in ctx.targets(name, &["aws_dynamodb_table"], "name") {
            let r = ctx.resource(i);
            let mut missing = Vec::new();
            let mut path = None;
            if r.attributes.get("hash_key").and_then(|v| v.as_str()) != Some("LockID") {
                missing.push("its hash key is not LockID");
                path = Some("hash_key");
            }
            if !first_true(r.get("point_in_time_recovery"), "enabled") {
                missing.push("point-in-time recovery is off");
                path = path.or(Some("point_in_time_recovery"));
            }
            out.push(if missing.is_empty() {
                GraphOutcome::pass(ctx, i)
            } else {
                GraphOutcome::on(ctx, i, Outcome::Fail, format!("the lock table: {}", missing.join("; ")))
                    .at(path.unwrap_or(""))
            });
        }
    }
    out
}
