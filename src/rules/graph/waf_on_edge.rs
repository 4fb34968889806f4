//! Internet-facing application load balancers are behind a WAF web ACL: associated with the ALB
//! itself, or on a CloudFront distribution whose origin is the ALB (by reference, or through a
//! Route 53 alias record whose name the origin uses).

use super::{fields, items, str_of, GraphCtx, GraphOutcome};
use crate::model::Value;
use crate::rules::engine::Outcome;

fn refers_to(v: &Value, address: &str) -> bool {
    v.unknown_refs()
        .is_some_and(|u| u.refs.iter().any(|r| r.starts_with(&format!("{address}."))))
}

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let distributions = ctx.of_types(&["aws_cloudfront_distribution"]);
    let records = ctx.of_types(&["aws_route53_record"]);
    let mut out = Vec::new();
    for i in ctx.of_types(&["aws_lb", "aws_alb"]) {
        let lb = ctx.resource(i);
        let a = &lb.attributes;
        if a.get("internal").and_then(|v| v.as_bool()) == Some(true)
            || a.get("load_balancer_type")
                .and_then(|v| v.as_str())
                .is_some_and(|t| t != "application")
        {
            continue;
        }
        if lb.get("web_acl_association").is_some() {
            out.push(GraphOutcome::pass(ctx, i));
            continue;
        }
        // Names that resolve to this load balancer.
        let aliases: Vec<Value> = records
            .iter()
            .filter(|&&r| {
                ctx.resource(r)
                    .get("alias")
                    .map(|v| items(&v))
                    .unwrap_or_default()
                    .iter()
                    .any(|al| fields(al).get("name").is_some_and(|n| refers_to(n, &lb.address)))
            })
            .filter_map(|&r| ctx.resource(r).attributes.get("name").cloned())
            .collect();
        let fronted = distributions.iter().find(|&&d| {
            let dist = ctx.resource(d);
            dist.get("origin")
                .map(|v| items(&v))
                .unwrap_or_default()
                .iter()
                .any(|o| {
                    fields(o).get("domain_name").is_some_and(|n| {
                        refers_to(n, &lb.address)
                            || aliases.iter().any(|al| match (al.as_str(), n.as_str()) {
                                (Some(x), Some(y)) => x.trim_end_matches('.') == y.trim_end_matches('.'),
                                _ => false,
                            })
                    })
                })
        });
        match fronted {
            Some(&d) => {
                let acl = ctx.resource(d).attributes.get("web_acl_id");
                if acl.is_some_and(|v| !v.is_null()) {
                    out.push(GraphOutcome::pass(ctx, i));
                } else {
                    out.push(
                        GraphOutcome::on(
                            ctx,
                            d,
                            Outcome::Fail,
                            format!(
                                "{} fronts {} without a web ACL (web_acl_id)",
                                ctx.resource(d).address,
                                lb.address
                            ),
                        )
                        .at("web_acl_id"),
                    );
                }
            }
            None => out.push(GraphOutcome::on(
                ctx,
                i,
                Outcome::Fail,
                "no aws_wafv2_web_acl_association and no CloudFront distribution with a web ACL in front of it",
            )),
        }
    }
    // Distributions not in front of a load balancer still need their own ACL.
    for d in distributions {
        let dist = ctx.resource(d);
        let has_lb_origin = dist
            .get("origin")
            .map(|v| items(&v))
            .unwrap_or_default()
            .iter()
            .any(|o| {
                fields(o).get("domain_name").is_some_and(|n| {
                    n.unknown_refs()
                        .is_some_and(|u| u.refs.iter().any(|r| r.contains("aws_lb.")))
                })
            });
        if has_lb_origin {
            continue;
        }
        if dist.attributes.get("web_acl_id").is_some_and(|v| !v.is_null()) {
            out.push(GraphOutcome::pass(ctx, d));
        } else if str_of(&dist.attributes, "web_acl_id").is_none() {
            out.push(GraphOutcome::on(ctx, d, Outcome::Fail, "no web ACL (web_acl_id)"));
        }
    }
    out
}
