//! The state backend: `require = "remote"` (not local state), `"locking"` (a lock: S3's
//! `use_lockfile` or a DynamoDB table; other remote backends lock by themselves), or
//! `"encryption"` (`encrypt = true`, and `kms_key_id` when `kms_key = true`).

use super::{GraphCtx, GraphOutcome};
use crate::model::{Mode, Value};
use crate::rules::engine::Outcome;
use crate::source::Span;

pub fn validate(params: &toml::Table) -> Result<(), String> {
    match params.get("require").and_then(|v| v.as_str()) {
        Some("remote" | "locking" | "encryption") => {}
        _ => return Err("backend needs require = \"remote\", \"locking\" or \"encryption\"".into()),
    }
    match params.get("kms_key") {
        None | Some(toml::Value::Boolean(_)) => Ok(()),
        Some(_) => Err("kms_key is true or false".into()),
    }
}

/// Where a finding about the root module points when it has no backend block: its first provider
/// configuration or resource.
fn root_span(ctx: &GraphCtx) -> Option<Span> {
    let p = ctx.project;
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
            return vec![outcome(
                "terraform",
                Outcome::Fail,
                "no backend block: state is kept in a local file",
                root_span(ctx),
            )];
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
            if truthy("encrypt") != Some(true) {
                return vec![outcome(&address, Outcome::Fail, "encrypt is not true", at("encrypt"))];
            }
            let wants_kms = ctx.params.get("kms_key").and_then(|v| v.as_bool()) == Some(true);
            if wants_kms && b.attributes.get("kms_key_id").is_none_or(|v| v.is_null()) {
                return vec![outcome(
                    &address,
                    Outcome::Fail,
                    "no kms_key_id: state is encrypted with the S3-managed key",
                    at("encrypt"),
                )];
            }
            vec![outcome(&address, Outcome::Pass, "", at("encrypt"))]
        }
    }
}
