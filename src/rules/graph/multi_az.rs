//! Spread over at least two availability zones: `of = "asg"` reads an auto scaling group's
//! subnets (or zones); `of = "vpc"` reads the subnets of each VPC.

use super::{items, subnet_az, GraphCtx, GraphOutcome};
use crate::model::Value;
use crate::rules::engine::Outcome;
use std::collections::BTreeSet;

pub fn validate(params: &toml::Table) -> Result<(), String> {
    match params.get("of").and_then(|v| v.as_str()) {
        Some("asg" | "vpc") => Ok(()),
        _ => Err("multi_az needs of = \"asg\" or \"vpc\"".into()),
    }
}

fn zones(ctx: &GraphCtx, subnets: &[usize]) -> (BTreeSet<String>, Vec<String>) {
    let mut known = BTreeSet::new();
    let mut unknown = Vec::new();
    for &s in subnets {
        match subnet_az(ctx.resource(s)) {
            Some(Value::String(z)) => {
                known.insert(z);
            }
            Some(v) => unknown.extend(super::unknown_refs(&v).unwrap_or_default()),
            None => unknown.push(format!("{}.availability_zone", ctx.resource(s).address)),
        }
    }
    (known, unknown)
}

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let mut out = Vec::new();
    let judge = |i: usize, path: &str, known: BTreeSet<String>, unknown: Vec<String>| {
        if known.len() >= 2 {
            GraphOutcome::pass(ctx, i)
        } else if !unknown.is_empty() {
            GraphOutcome::on(ctx, i, Outcome::Unresolved, "availability zones known only after apply")
                .at(path)
                .refs(unknown)
        } else {
            let list: Vec<String> = known.into_iter().collect();
            GraphOutcome::on(
                ctx,
                i,
                Outcome::Fail,
                format!(
                    "one availability zone only ({})",
                    if list.is_empty() {
                        "none known".into()
                    } else {
                        list.join(", ")
                    }
                ),
            )
            .at(path)
        }
    };
    match ctx.param_str("of") {
        Some("asg") => {
            for i in ctx.of_types(&["aws_autoscaling_group"]) {
                let r = ctx.resource(i);
                if let Some(z) = r.attributes.get("availability_zones") {
                    let known: BTreeSet<String> =
                        items(z).iter().filter_map(|v| v.as_str().map(String::from)).collect();
                    let unknown = super::unknown_refs(z).unwrap_or_default();
                    out.push(judge(i, "availability_zones", known, unknown));
                    continue;
                }
                let Some(ids) = r.attributes.get("vpc_zone_identifier") else {
                    out.push(judge(i, "vpc_zone_identifier", BTreeSet::new(), Vec::new()));
                    continue;
                };
                let subnets = ctx.targets(ids, &["aws_subnet"], "id");
                if subnets.is_empty() {
                    let refs = super::unknown_refs(ids).unwrap_or_default();
                    out.push(
                        GraphOutcome::on(ctx, i, Outcome::Unresolved, "its subnets are not declared in this code")
                            .at("vpc_zone_identifier")
                            .refs(refs),
                    );
                    continue;
                }
                let (known, unknown) = zones(ctx, &subnets);
                out.push(judge(i, "vpc_zone_identifier", known, unknown));
            }
        }
        _ => {
            let subnets = ctx.of_types(&["aws_subnet"]);
            for v in ctx.of_types(&["aws_vpc"]) {
                let mine: Vec<usize> = subnets
                    .iter()
                    .copied()
                    .filter(|&s| {
                        ctx.resource(s)
                            .attributes
                            .get("vpc_id")
                            .is_some_and(|id| ctx.targets(id, &["aws_vpc"], "id").contains(&v))
                    })
                    .collect();
                if mine.is_empty() {
                    continue;
                }
                let (known, unknown) = zones(ctx, &mine);
                out.push(judge(v, "", known, unknown));
            }
        }
    }
    out
}
