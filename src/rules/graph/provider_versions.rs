//! Every provider a module of the configuration uses has a version constraint in that module's
//! `required_providers`: without one, `terraform init` takes whatever version is newest, and a
//! major release can change what the same code does. Judged in each of the root's own modules
//! (not downloaded ones, which their authors pin), one outcome per provider used.

use super::{GraphCtx, GraphOutcome};
use crate::rules::engine::Outcome;

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let mut out = Vec::new();
    for m in &ctx.project.module_providers {
        let dir = crate::source::display_path(&m.dir).display().to_string();
        for (name, first_use) in &m.used {
            let entry = m.required.iter().find(|(n, _, _)| n == name);
            let (outcome, detail, span) = match entry {
                Some((_, true, span)) => (Outcome::Pass, String::new(), *span),
                Some((_, false, span)) => (
                    Outcome::Fail,
                    format!("required_providers.{name} sets no version constraint"),
                    *span,
                ),
                None => (
                    Outcome::Fail,
                    format!(
                        "the module uses provider {name:?}, and its required_providers does not list it with a version constraint"
                    ),
                    m.settings.unwrap_or(*first_use),
                ),
            };
            out.push(GraphOutcome {
                resource: None,
                address: format!("terraform.required_providers.{name} ({dir})"),
                outcome,
                detail,
                path: None,
                span: Some(span),
                refs: Vec::new(),
            });
        }
    }
    out
}
