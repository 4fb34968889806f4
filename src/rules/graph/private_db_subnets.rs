//! Database and cache subnet groups hold only private subnets: none of their subnets' route
//! tables has a default route to an internet gateway.

use super::routes::{default_routes, table_of, Target};
use super::{GraphCtx, GraphOutcome};
use crate::rules::engine::Outcome;

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let routes = default_routes(ctx);
    let mut out = Vec::new();
    for g in ctx.of_types(&["aws_db_subnet_group", "aws_elasticache_subnet_group"]) {
        let r = ctx.resource(g);
        let Some(ids) = r.attributes.get("subnet_ids") else {
            continue;
        };
        let subnets = ctx.targets(ids, &["aws_subnet"], "id");
        if subnets.is_empty() {
            let refs = super::unknown_refs(ids).unwrap_or_default();
            let detail = if refs.is_empty() {
                "its subnets are not declared in this code".to_string()
            } else {
                format!("its subnets are not declared in this code ({})", refs.join(", "))
            };
            out.push(
                GraphOutcome::on(ctx, g, Outcome::Unresolved, detail)
                    .at("subnet_ids")
                    .refs(refs),
            );
            continue;
        }
        let mut public = Vec::new();
        for s in subnets {
            let Some(t) = table_of(ctx, s) else { continue };
            if routes
                .iter()
                .any(|rt| rt.route_table == t && matches!(rt.target, Target::Internet(_)))
            {
                public.push(ctx.resource(s).address.clone());
            }
        }
        if public.is_empty() {
            out.push(GraphOutcome::pass(ctx, g));
        } else {
            out.push(
                GraphOutcome::on(
                    ctx,
                    g,
                    Outcome::Fail,
                    format!("{} route to an internet gateway", public.join(", ")),
                )
                .at("subnet_ids"),
            );
        }
    }
    out
}
