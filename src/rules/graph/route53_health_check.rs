//! A public endpoint that Route 53 serves is watched by a Route 53 health check.

use super::{GraphCtx, GraphOutcome};
use crate::rules::engine::Outcome;

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let records = ctx.of_types(&["aws_route53_record"]);
    let Some(&first) = records.first() else {
        return Vec::new();
    };
    let checks = ctx.of_types(&["aws_route53_health_check"]);
    vec![if let Some(&c) = checks.first() {
        GraphOutcome::pass(ctx, c)
    } else {
        GraphOutcome::on(
            ctx,
            first,
            Outcome::Fail,
            format!(
                "{} record(s) and no aws_route53_health_check: nobody hears when the site stops answering",
                records.len()
            ),
        )
    }]
}
