//! Security group ingress, inline or as separate rule resources (joined into the group by the
//! model): `forbid = "ssh_wide"` fails SSH (22) from anything wider than one address (/32, /128);
//! `forbid = "world"` fails 0.0.0.0/0 and ::/0 except HTTP and HTTPS on a load balancer's group.

use super::{fields, items, num_of, str_of, GraphCtx, GraphOutcome};
use crate::model::Value;
use crate::rules::engine::Outcome;

pub fn validate(params: &toml::Table) -> Result<(), String> {
    match params.get("forbid").and_then(|v| v.as_str()) {
        Some("ssh_wide" | "world") => Ok(()),
        _ => Err("sg_ingress needs forbid = \"ssh_wide\" or \"world\"".into()),
    }
}

/// One ingress entry: its ports (inclusive; all for protocol -1) and sources.
pub struct Ingress {
    pub path: String,
    pub ports: Option<(f64, f64)>,
    pub cidrs: Vec<Value>,
}

/// Every ingress entry of a security group, inline and joined.
pub fn ingress_of(r: &crate::model::Resource) -> Vec<Ingress> {
    let mut out = Vec::new();
    for (k, e) in r
        .get("ingress")
        .map(|v| items(&v))
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let m = fields(e);
        let protocol = str_of(&m, "protocol").unwrap_or("tcp");
        let ports = if protocol == "-1" || protocol == "all" {
            Some((0.0, 65535.0))
        } else {
            match (num_of(&m, "from_port"), num_of(&m, "to_port")) {
                (Some(a), Some(b)) => Some((a, b)),
                _ => None,
            }
        };
        let mut cidrs = Vec::new();
        for key in ["cidr_blocks", "ipv6_cidr_blocks"] {
            if let Some(v) = m.get(key) {
                match v {
                    Value::Unknown(_) => cidrs.push(v.clone()),
                    other => cidrs.extend(items(other)),
                }
            }
        }
        out.push(Ingress {
            path: format!("ingress[{k}]"),
            ports,
            cidrs,
        });
    }
    out
}

/// The prefix length of an IPv4 or IPv6 CIDR block, and whether it is IPv6.
pub fn prefix(cidr: &str) -> Option<(u32, bool)> {
    let (addr, len) = cidr.split_once('/')?;
    Some((len.parse().ok()?, addr.contains(':')))
}

pub fn is_world(cidr: &str) -> bool {
    cidr == "0.0.0.0/0" || cidr == "::/0"
}

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let forbid = ctx.param_str("forbid").unwrap_or("world");
    let lb_groups: Vec<usize> = ctx
        .of_types(&["aws_lb", "aws_alb", "aws_elb"])
        .into_iter()
        .flat_map(|i| {
            let r = ctx.resource(i);
            r.attributes
                .get("security_groups")
                .map(|v| ctx.targets(v, &["aws_security_group"], "id"))
                .unwrap_or_default()
        })
        .collect();
    let mut out = Vec::new();
    for i in ctx.of_types(&["aws_security_group"]) {
        let r = ctx.resource(i);
        let mut failed = Vec::new();
        let mut unknown = Vec::new();
        for e in ingress_of(r) {
            let ssh = e.ports.map(|(a, b)| a <= 22.0 && 22.0 <= b);
            for c in &e.cidrs {
                let Some(cidr) = c.as_str() else {
                    if let Some(u) = c.unknown_refs() {
                        unknown.push((format!("{}.cidr_blocks", e.path), u.refs));
                    }
                    continue;
                };
                match forbid {
                    "ssh_wide" => {
                        let wide = prefix(cidr).is_some_and(|(len, v6)| len < if v6 { 128 } else { 32 });
                        match ssh {
                            Some(true) if wide => failed.push((e.path.clone(), format!("SSH (22) is open to {cidr}"))),
                            None if wide => unknown.push((e.path.clone(), vec![format!("{}.from_port", r.address)])),
                            _ => {}
                        }
                    }
                    _ => {
                        if !is_world(cidr) {
                            continue;
                        }
                        let web = e.ports.is_some_and(|(a, b)| a == b && (a == 80.0 || a == 443.0));
                        if !(web && lb_groups.contains(&i)) {
                            let ports = match e.ports {
                                Some((a, b)) if a == b => format!("port {a}"),
                                Some((0.0, 65535.0)) => "every port".to_string(),
                                Some((a, b)) => format!("ports {a}-{b}"),
                                None => "ports known only after apply".to_string(),
                            };
                            let why = if web { " on a group no load balancer uses" } else { "" };
                            failed.push((e.path.clone(), format!("{ports} is open to {cidr}{why}")));
                        }
                    }
                }
            }
        }
        if let Some((path, _)) = failed.first() {
            let all: Vec<String> = failed.iter().map(|(_, d)| d.clone()).collect();
            out.push(GraphOutcome::on(ctx, i, Outcome::Fail, all.join("; ")).at(path.clone()));
        } else if let Some((path, refs)) = unknown.first() {
            out.push(
                GraphOutcome::on(
                    ctx,
                    i,
                    Outcome::Unresolved,
                    format!("a source of {path} is known only after apply"),
                )
                .at(path.clone())
                .refs(refs.clone()),
            );
        } else {
            out.push(GraphOutcome::pass(ctx, i));
        }
    }
    out
}
