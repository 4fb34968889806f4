//! The environment's estimated monthly cost against its budget (`monthly_budget_usd` of the
//! environment in .infracheck.toml). The estimate is `infracheck cost`'s, with the environment's
//! usage files, made by `check` before the rules run (the model's `Budget`); usage-based lines
//! without usage count as nothing. A finding points at the most expensive resource. When the
//! estimate is under the budget but some lines have no catalog price or are known only after
//! apply, the outcome is unresolved: the estimate is only a lower bound.

use super::{GraphCtx, GraphOutcome};
use crate::model::money::usd;
use crate::rules::engine::Outcome;

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let Some(budget) = &ctx.project.budget else {
        return Vec::new();
    };
    let estimate = &budget.estimate;
    let total = estimate.monthly_usd;
    let Some((top, _)) = estimate.by_cost.first() else {
        return Vec::new();
    };
    let index = ctx
        .project
        .resources
        .iter()
        .position(|r| &r.address == top)
        .expect("the estimate's resources are the project's");
    let largest: Vec<String> = estimate
        .by_cost
        .iter()
        .take(3)
        .map(|(address, monthly)| format!("{address} {}", usd(*monthly)))
        .collect();
    let refs = estimate.left_out.clone();
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
