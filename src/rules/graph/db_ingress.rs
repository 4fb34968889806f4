//! Databases and caches are reachable only from security groups: follows each database's
//! security groups to their ingress (inline, `aws_security_group_rule`,
//! `aws_vpc_security_group_ingress_rule`) and fails any source CIDR that is not private.

use super::sg_ingress::ingress_of;
use super::{GraphCtx, GraphOutcome};
use crate::rules::engine::Outcome;

const DATABASES: &[(&str, &str)] = &[
    ("aws_db_instance", "vpc_security_group_ids"),
    ("aws_rds_cluster", "vpc_security_group_ids"),
    ("aws_elasticache_cluster", "security_group_ids"),
    ("aws_elasticache_replication_group", "security_group_ids"),
    ("aws_docdb_cluster", "vpc_security_group_ids"),
    ("aws_redshift_cluster", "vpc_security_group_ids"),
];

/// Whether an IPv4 or IPv6 CIDR lies inside private address space (RFC 1918, RFC 6598, ULA).
pub fn is_private(cidr: &str) -> bool {
    let Some((addr, len)) = cidr.split_once('/') else {
        return false;
    };
    let Ok(len) = len.parse::<u32>() else {
        return false;
    };
    if let Ok(ip) = addr.parse::<std::net::Ipv4Addr>() {
        let o = ip.octets();
        return (o[0] == 10 && len >= 8)
            || (o[0] == 172 && (16..32).contains(&o[1]) && len >= 12)
            || (o[0] == 192 && o[1] == 168 && len >= 16)
            || (o[0] == 100 && (64..128).contains(&o[1]) && len >= 10);
    }
    if let Ok(ip) = addr.parse::<std::net::Ipv6Addr>() {
        return (ip.segments()[0] & 0xfe00) == 0xfc00 && len >= 7;
    }
    false
}

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let mut out = Vec::new();
    // (security group, ingress path) -> (ports, sources, databases)
    let mut offending: std::collections::BTreeMap<(usize, String), (String, String, Vec<String>)> = Default::default();
    for (ty, attr) in DATABASES {
        for i in ctx.of_types(&[ty]) {
            let r = ctx.resource(i);
            // A read replica in the same region shares its source's network settings.
            if r.attributes.contains_key("replicate_source_db") && !r.attributes.contains_key(*attr) {
                continue;
            }
            let Some(ids) = r.attributes.get(*attr) else {
                out.push(
                    GraphOutcome::on(
                        ctx,
                        i,
                        Outcome::Unresolved,
                        format!(
                            "no `{attr}`: it gets the VPC's default security group, whose rules are not in this code"
                        ),
                    )
                    .refs(vec!["the VPC's default security group".into()]),
                );
                continue;
            };
            let groups = ctx.targets(ids, &["aws_security_group"], "id");
            if groups.is_empty() {
                let refs = super::unknown_refs(ids).unwrap_or_else(|| vec![crate::model::value::to_hcl(ids)]);
                out.push(
                    GraphOutcome::on(
                        ctx,
                        i,
                        Outcome::Unresolved,
                        format!(
                            "its security groups are not declared in this code ({})",
                            refs.join(", ")
                        ),
                    )
                    .at(*attr)
                    .refs(refs),
                );
                continue;
            }
            let mut open = false;
            for g in groups {
                let sg = ctx.resource(g);
                for e in ingress_of(sg) {
                    let wide: Vec<&str> = e
                        .cidrs
                        .iter()
                        .filter_map(|c| c.as_str())
                        .filter(|c| !is_private(c))
                        .collect();
                    if wide.is_empty() {
                        continue;
                    }
                    open = true;
                    let ports = match e.ports {
                        Some((a, b)) if a == b => format!("port {a}"),
                        Some((a, b)) => format!("ports {a}-{b}"),
                        None => "its ports".into(),
                    };
                    let entry = offending
                        .entry((g, e.path.clone()))
                        .or_insert_with(|| (ports, wide.join(", "), Vec::new()));
                    entry.2.push(r.address.clone());
                }
            }
            if !open {
                out.push(GraphOutcome::pass(ctx, i));
            }
        }
    }
    // One finding per offending ingress block or rule resource, naming the databases behind it.
    for ((g, path), (ports, cidrs, dbs)) in offending {
        out.push(
            GraphOutcome::on(
                ctx,
                g,
                Outcome::Fail,
                format!("allows {ports} from {cidrs} to {}", dbs.join(", ")),
            )
            .at(path),
        );
    }
    out
}
