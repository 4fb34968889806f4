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

/// Resource types that put traffic from a security group's sources behind a load balancer.
const LOAD_BALANCERS: &[&str] = &["aws_lb", "aws_alb", "aws_elb"];

/// What each security group is attached to in the code, by index: every managed resource that
/// refers to the group anywhere in its attributes (instances, launch templates, databases, load
/// balancers, ECS services, …), except other groups and rule resources, which name a group as a
/// source or a subject, not as an attachment.
pub fn attachments(ctx: &GraphCtx) -> std::collections::BTreeMap<usize, Vec<usize>> {
    super::attached::users(
        ctx,
        &["aws_security_group"],
        &["aws_security_group", "aws_vpc_security_group_"],
    )
}

/// `port 443`, `ports 1024-2048`, `every port`.
fn ports_text(ports: Option<(f64, f64)>) -> String {
    match ports {
        Some((a, b)) if a == b => format!("port {a}"),
        Some((0.0, 65535.0)) => "every port".to_string(),
        Some((a, b)) => format!("ports {a}-{b}"),
        None => "ports known only after apply".to_string(),
    }
}

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let forbid = ctx.param_str("forbid").unwrap_or("world");
    let attached = if forbid == "world" {
        attachments(ctx)
    } else {
        Default::default()
    };
    let mut out = Vec::new();
    for i in ctx.of_types(&["aws_security_group"]) {
        let r = ctx.resource(i);
        // What the group is attached to other than load balancers: web ports open to the world
        // are the ordinary front of a load balancer, and of a group whose load balancer is in
        // another module or state, but not of an instance or a database.
        let direct: Vec<&str> = attached
            .get(&i)
            .map(|a| {
                a.iter()
                    .map(|&k| ctx.resource(k))
                    .filter(|x| !LOAD_BALANCERS.contains(&x.resource_type.as_str()))
                    .map(|x| x.address.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let mut any = false;
        // One finding per ingress block or rule resource.
        for e in ingress_of(r) {
            let ssh = e.ports.map(|(a, b)| a <= 22.0 && 22.0 <= b);
            let mut failed = Vec::new();
            let mut unknown: Option<(String, Vec<String>)> = None;
            for c in &e.cidrs {
                let Some(cidr) = c.as_str() else {
                    if let Some(u) = c.unknown_refs() {
                        unknown.get_or_insert((format!("{}.cidr_blocks", e.path), u.refs));
                    }
                    continue;
                };
                match forbid {
                    "ssh_wide" => {
                        let wide = prefix(cidr).is_some_and(|(len, v6)| len < if v6 { 128 } else { 32 });
                        match ssh {
                            Some(true) if wide => failed.push(format!("SSH (22) is open to {cidr}")),
                            None if wide => {
                                unknown.get_or_insert((e.path.clone(), vec![format!("{}.from_port", r.address)]));
                            }
                            _ => {}
                        }
                    }
                    _ => {
                        if !is_world(cidr) {
                            continue;
                        }
                        let web = e.ports.is_some_and(|(a, b)| a == b && (a == 80.0 || a == 443.0));
                        let ports = ports_text(e.ports);
                        if !web {
                            failed.push(format!("{ports} is open to {cidr}"));
                        } else if !direct.is_empty() {
                            failed.push(format!(
                                "{ports} is open to {cidr} on a group attached directly to {}",
                                direct.join(", ")
                            ));
                        }
                    }
                }
            }
            if !failed.is_empty() {
                any = true;
                out.push(GraphOutcome::on(ctx, i, Outcome::Fail, failed.join("; ")).at(e.path.clone()));
            } else if let Some((_, refs)) = unknown {
                any = true;
                out.push(
                    GraphOutcome::on(
                        ctx,
                        i,
                        Outcome::Unresolved,
                        "a source CIDR block is known only after apply",
                    )
                    .at(e.path.clone())
                    .refs(refs),
                );
            }
        }
        if !any {
            out.push(GraphOutcome::pass(ctx, i));
        }
    }
    out
}
