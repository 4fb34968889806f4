//! The environment's estimated monthly cost against its budget (`monthly_budget_usd` of the
//! environment in .infracheck.toml). The estimate is `infracheck cost`'s, with the environment's
//! usage files; usage-based lines without usage count as nothing. A finding points at the most
//! expensive resource. When the estimate is under the budget but some lines have no catalog price
//! or are known only after apply, the outcome is unresolved: the estimate is only a lower bound.

use super::{GraphCtx, GraphOutcome};
use crate::cost::catalog::Catalog;
use crate::cost::{estimate_project, usd, LineStatus};
use crate::rules::engine::Outcome;

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let Some(budget) = &ctx.project.budget else {
        return Vec::new();
    };
    let estimate = estimate_project(ctx.project, &budget.usage, Catalog::active());
    let total = estimate.monthly();
    let mut by_cost: Vec<_> = estimate.resources.iter().filter(|r| !r.monthly().is_zero()).collect();
    by_cost.sort_by(|a, b| b.monthly().cmp(&a.monthly()).then_with(|| a.address.cmp(&b.address)));
    let Some(top) = by_cost.first() else {
        return Vec::new();
    };
    let index = ctx
        .project
        .resources
        .iter()
        .position(|r| r.address == top.address)
        .expect("the estimate's resources are the project's");
    let largest: Vec<String> = by_cost
        .iter()
        .take(3)
        .map(|r| format!("{} {}", r.address, usd(r.monthly())))
        .collect();
    let mut refs: Vec<String> = Vec::new();
    for r in &estimate.resources {
        for l in &r.lines {
            match &l.status {
                LineStatus::MissingPrice => refs.push(format!(
                    "{}: no price in catalog for {} / {} / {}",
                    r.address, l.sku.service, l.sku.sku, l.sku.region
                )),
                LineStatus::Unresolved(u) => refs.extend(u.refs.iter().cloned()),
                _ => {}
            }
        }
    }
    refs.sort();
    refs.dedup();
    let env = &ctx.project.env;
    let outcome = if total > budget.monthly_usd {
        GraphOutcome::on(
            ctx,
            index,
            Outcome::Fail,
            format!(
                "{env} is estimated at {} per month, above its budget of {} (largest: {})",
                usd(total),
                usd(budget.monthly_usd),
                largest.join(", ")
            ),
        )
    } else if !refs.is_empty() {
        GraphOutcome::on(
            ctx,
            index,
            Outcome::Unresolved,
            format!(
                "{env} is estimated at {} per month, under its budget of {}, but {} cost line(s) have no price in the catalog or are known only after apply",
                usd(total),
                usd(budget.monthly_usd),
                refs.len()
            ),
        )
        .refs(refs)
    } else {
        GraphOutcome::pass(ctx, index)
    };
    vec![outcome]
}
