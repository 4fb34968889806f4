//! No credentials in provider configurations: `access_key`, `secret_key` and `token` belong in the
//! environment or a profile, never in code.

use super::{GraphCtx, GraphOutcome};
use crate::rules::engine::Outcome;

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let mut out = Vec::new();
    for p in &ctx.project.providers {
        if !p.name.starts_with("aws") {
            continue;
        }
        let written: Vec<&str> = ["access_key", "secret_key", "token"]
            .into_iter()
            .filter(|k| p.attributes.get(*k).is_some_and(|v| !v.is_null()))
            .collect();
        let address = if p.module.is_root() {
            format!("provider.{}", p.name)
        } else {
            format!("{}.provider.{}", p.module, p.name)
        };
        out.push(GraphOutcome {
            resource: None,
            address,
            outcome: if written.is_empty() {
                Outcome::Pass
            } else {
                Outcome::Fail
            },
            detail: format!("{} written in the provider block", written.join(", ")),
            path: None,
            span: p.span,
            refs: Vec::new(),
        });
    }
    out
}
