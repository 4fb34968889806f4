//! Routing, as the graph checks need it: each route table's default route (0.0.0.0/0), inline or
//! an `aws_route`, and the subnets associated with it.

use super::{fields, items, str_of, GraphCtx};
use crate::model::Map;
use crate::model::Value;

pub enum Target {
    Nat(Value),
    Internet(Value),
    Other,
}

pub struct DefaultRoute {
    /// The resource that writes the route (the route table or the `aws_route`).
    pub resource: usize,
    /// The attribute to point at.
    pub path: String,
    pub route_table: usize,
    pub target: Target,
    pub subnets: Vec<usize>,
}

fn target_of(m: &Map) -> (Target, &'static str) {
    if let Some(v) = m.get("nat_gateway_id") {
        return (Target::Nat(v.clone()), "nat_gateway_id");
    }
    if let Some(v) = m.get("gateway_id") {
        let internet = match v {
            Value::String(s) => s.starts_with("igw-"),
            Value::Unknown(u) => u.refs.iter().any(|r| r.contains("aws_internet_gateway.")),
            _ => false,
        };
        if internet {
            return (Target::Internet(v.clone()), "gateway_id");
        }
    }
    (Target::Other, "")
}

/// The subnets associated with each route table.
pub fn associations(ctx: &GraphCtx, table: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for a in ctx.of_types(&["aws_route_table_association"]) {
        let r = ctx.resource(a);
        let Some(rt) = r.attributes.get("route_table_id") else {
            continue;
        };
        if !ctx.targets(rt, &["aws_route_table"], "id").contains(&table) {
            continue;
        }
        if let Some(s) = r.attributes.get("subnet_id") {
            out.extend(ctx.targets(s, &["aws_subnet"], "id"));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The route table each subnet is associated with.
pub fn table_of(ctx: &GraphCtx, subnet: usize) -> Option<usize> {
    ctx.of_types(&["aws_route_table"])
        .into_iter()
        .find(|&t| associations(ctx, t).contains(&subnet))
}

/// Every default route of every route table.
pub fn default_routes(ctx: &GraphCtx) -> Vec<DefaultRoute> {
    let mut out = Vec::new();
    for t in ctx.of_types(&["aws_route_table"]) {
        let rt = ctx.resource(t);
        let subnets = associations(ctx, t);
        for (k, route) in rt
            .get("route")
            .map(|v| items(&v))
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let m = fields(route);
            if str_of(&m, "cidr_block") != Some("0.0.0.0/0") {
                continue;
            }
            let (target, attr) = target_of(&m);
            out.push(DefaultRoute {
                resource: t,
                path: format!("route[{k}].{attr}"),
                route_table: t,
                target,
                subnets: subnets.clone(),
            });
        }
    }
    for i in ctx.of_types(&["aws_route"]) {
        let r = ctx.resource(i);
        if r.attributes.get("destination_cidr_block").and_then(|v| v.as_str()) != Some("0.0.0.0/0") {
            continue;
        }
        let Some(rt) = r.attributes.get("route_table_id") else {
            continue;
        };
        let (target, attr) = target_of(&r.attributes);
        for t in ctx.targets(rt, &["aws_route_table"], "id") {
            out.push(DefaultRoute {
                resource: i,
                path: attr.to_string(),
                route_table: t,
                target: match &target {
                    Target::Nat(v) => Target::Nat(v.clone()),
                    Target::Internet(v) => Target::Internet(v.clone()),
                    Target::Other => Target::Other,
                },
                subnets: associations(ctx, t),
            });
        }
    }
    out
}
