//! The state backend: `require = "remote"` (not local state), `"locking"` (a lock: S3's
//! `use_lockfile` or a DynamoDB table; other remote backends lock by themselves),
//! `"encryption"` (`encrypt = true`) or `"customer_key"` (a `kms_key_id` that is not an
//! AWS managed key).
//!
//! The state is a deployment's: roots that are examples of a reusable module (see
//! [`crate::model::Project::example`]) are skipped.

use super::{GraphCtx, GraphOutcome};
use crate::model::{Mode, Value};
use crate::rules::engine::Outcome;
use crate::source::Span;

pub fn validate(params: &toml::Table) -> Result<(), String> {
    match params.get("require").and_then(|v| v.as_str()) {
        Some("remote" | "locking" | "encryption" | "customer_key") => Ok(()),
        _ => Err("backend needs require = \"remote\", \"locking\", \"encryption\" or \"customer_key\"".into()),
    }
}

/// Whether a KMS key id, ARN or alias names an AWS managed key (`alias/aws/s3`), which every
/// principal of the account that may use the service can use: not a customer managed key.
pub fn aws_managed_key(id: &str) -> bool {
    id.starts_with("alias/aws/") || id.contains(":alias/aws/")
}

/// Where a finding about the root module points when it has no backend block: its `terraform {}`
/// block, else the first line of its first file (else, for models without files, its first
/// provider configuration or resource).
fn root_span(ctx: &GraphCtx) -> Option<Span> {
    let p = ctx.project;
    p.settings_span.or_else(|| {
        p.providers
            .iter()
            .filter(|c| c.module.is_root())
            .find_map(|c| c.span)
            .or_else(|| {
                p.resources
                    .iter()
                    .find(|r| r.module.is_root() && r.mode == Mode::Managed)
                    .map(|r| r.span)
            })
    })
}

fn outcome(address: &str, o: Outcome, detail: &str, span: Option<Span>) -> GraphOutcome {
    GraphOutcome {
        resource: None,
        address: address.to_string(),
        outcome: o,
        detail: detail.to_string(),
        path: None,
        span,
        refs: Vec::new(),
    }
}

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let require = ctx.param_str("require").unwrap_or("remote");
    if ctx.project.resources.is_empty() && ctx.project.backend.is_none() {
        // Nothing was read (or nothing is managed): no state to speak of.
        return Vec::new();
    }
    if ctx.project.example.is_some() {
        // An example of a reusable module is not deployed from here: its state is not ours.
        return Vec::new();
    }
    if !ctx.project.backend_known {
        let mut o = outcome(
            "terraform",
            Outcome::Unresolved,
            "the plan does not record the backend and its configuration was not found",
            root_span(ctx),
        );
        o.refs = vec!["the backend block (give --source-dir)".into()];
        return vec![o];
    }
    let Some(b) = &ctx.project.backend else {
        if require == "remote" {
            let detail = match ctx.project.ignored_backends.len() {
                0 => "no backend block: state is kept in a local file".to_string(),
                n => format!(
                    "no backend block in the root module: state is kept in a local file (Terraform ignores the backend {} in child module{})",
                    if n == 1 { "block" } else { "blocks" },
                    if n == 1 { "" } else { "s" },
                ),
            };
            return vec![outcome("terraform", Outcome::Fail, &detail, root_span(ctx))];
        }
        return Vec::new();
    };
    let address = format!("backend \"{}\"", b.kind);
    let at = |k: &str| b.provenance.get(k).map(|p| p.span).or(Some(b.span));
    let truthy = |k: &str| match b.attributes.get(k) {
        Some(Value::Bool(v)) => Some(*v),
        Some(Value::String(s)) => Some(s == "true"),
        Some(Value::Null) | None => Some(false),
        Some(_) => None,
    };
    match require {
        "remote" => vec![if b.kind == "local" {
            outcome(&address, Outcome::Fail, "state is kept in a local file", Some(b.span))
        } else {
            outcome(&address, Outcome::Pass, "", Some(b.span))
        }],
        "locking" => {
            if b.kind != "s3" {
                return vec![if b.kind == "local" {
                    outcome(&address, Outcome::Fail, "local state has no shared lock", Some(b.span))
                } else {
                    outcome(&address, Outcome::Pass, "", Some(b.span))
                }];
            }
            let lockfile = truthy("use_lockfile") == Some(true);
            let table = b.attributes.get("dynamodb_table").is_some_and(|v| !v.is_null());
            vec![if lockfile || table {
                outcome(&address, Outcome::Pass, "", Some(b.span))
            } else {
                outcome(
                    &address,
                    Outcome::Fail,
                    "neither use_lockfile = true nor dynamodb_table: two applies can write the state at once",
                    Some(b.span),
                )
            }]
        }
        _ => {
            if b.kind != "s3" {
                return Vec::new();
            }
            if require == "encryption" {
                return vec![if truthy("encrypt") == Some(true) {
                    outcome(&address, Outcome::Pass, "", at("encrypt"))
                } else {
                    outcome(&address, Outcome::Fail, "encrypt is not true", at("encrypt"))
                }];
            }
            // A customer managed key: `kms_key_id`, and not an AWS managed alias.
            match b.attributes.get("kms_key_id") {
                None | Some(Value::Null) => vec![outcome(
                    &address,
                    Outcome::Fail,
                    "no kms_key_id: state is encrypted with a key AWS manages, if at all",
                    Some(b.span),
                )],
                Some(Value::String(k)) if aws_managed_key(k) => vec![outcome(
                    &address,
                    Outcome::Fail,
                    &format!("kms_key_id {k:?} is an AWS managed key, not one you control"),
                    at("kms_key_id"),
                )],
                Some(_) => vec![outcome(&address, Outcome::Pass, "", at("kms_key_id"))],
            }
        }
    }
}
