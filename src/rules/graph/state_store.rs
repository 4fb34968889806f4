//! The state's own storage, when it is in the scanned code, one requirement a rule (`require`):
//! the backend's bucket is versioned (`bucket_versioning`) and blocks public access
//! (`bucket_public_access`); its DynamoDB lock table is keyed `LockID` (`lock_key`) and has
//! point-in-time recovery (`lock_recovery`).

use super::{fields, items, GraphCtx, GraphOutcome};
use crate::model::Map;
use crate::model::Value;
use crate::rules::condition::loose_eq;
use crate::rules::engine::Outcome;

pub const REQUIRES: &[&str] = &["bucket_versioning", "bucket_public_access", "lock_key", "lock_recovery"];

pub fn validate(params: &toml::Table) -> Result<(), String> {
    match params.get("require").and_then(|v| v.as_str()) {
        Some(r) if REQUIRES.contains(&r) => Ok(()),
        _ => Err(format!("state_store needs require = one of {}", REQUIRES.join(", "))),
    }
}

fn is_true(m: &Map, key: &str) -> bool {
    m.get(key).is_some_and(|x| loose_eq(x, &Value::Bool(true)))
}

/// The first block of `attr` (inline or a companion) that fails `ok`, as a path; `attr` itself
/// when there is none at all; `None` when one passes.
fn failing(v: Option<Value>, attr: &str, ok: impl Fn(&Map) -> bool) -> Option<String> {
    let blocks = v.map(|v| items(&v)).unwrap_or_default();
    if blocks.iter().any(|b| ok(&fields(b))) {
        return None;
    }
    Some(if blocks.is_empty() {
        attr.to_string()
    } else {
        format!("{attr}[0]")
    })
}

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let Some(b) = ctx.project.backend.as_ref().filter(|b| b.kind == "s3") else {
        return Vec::new();
    };
    if ctx.project.example.is_some() {
        return Vec::new();
    }
    let require = ctx.param_str("require").unwrap_or("bucket_versioning");
    let mut out = Vec::new();
    if require.starts_with("bucket_") {
        let Some(name) = b.attributes.get("bucket").filter(|v| v.as_str().is_some()) else {
            return out;
        };
        for i in ctx.targets(name, &["aws_s3_bucket"], "bucket") {
            let r = ctx.resource(i);
            let (missing, detail) = if require == "bucket_versioning" {
                (
                    failing(r.get("versioning"), "versioning", |m| is_true(m, "enabled")),
                    "the state bucket is not versioned: a corrupted or deleted state cannot be restored",
                )
            } else {
                (
                    failing(r.get("public_access_block"), "public_access_block", |m| {
                        [
                            "block_public_acls",
                            "block_public_policy",
                            "ignore_public_acls",
                            "restrict_public_buckets",
                        ]
                        .iter()
                        .all(|k| is_true(m, k))
                    }),
                    "the state bucket does not block public access (all four settings)",
                )
            };
            out.push(match missing {
                None => GraphOutcome::pass(ctx, i),
                Some(path) => GraphOutcome::on(ctx, i, Outcome::Fail, detail).at(path),
            });
        }
        return out;
    }
    let Some(name) = b.attributes.get("dynamodb_table").filter(|v| v.as_str().is_some()) else {
        return out;
    };
    for i in ctx.targets(name, &["aws_dynamodb_table"], "name") {
        let r = ctx.resource(i);
        let missing = if require == "lock_key" {
            let key = r.attributes.get("hash_key").and_then(|v| v.as_str());
            (key != Some("LockID")).then(|| {
                (
                    "hash_key".to_string(),
                    format!(
                        "the lock table's hash key is {}, not LockID: Terraform cannot take the lock",
                        key.map_or("not set".to_string(), |k| format!("{k:?}"))
                    ),
                )
            })
        } else {
            failing(r.get("point_in_time_recovery"), "point_in_time_recovery", |m| {
                is_true(m, "enabled")
            })
            .map(|p| (p, "the lock table has no point-in-time recovery".to_string()))
        };
        out.push(match missing {
            None => GraphOutcome::pass(ctx, i),
            Some((path, detail)) => GraphOutcome::on(ctx, i, Outcome::Fail, detail).at(path),
        });
    }
    out
}
