//! ElastiCache clusters and replication groups.

use super::*;
use crate::cost::{hours, region_of, Component, Ctx, Num};
use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq)]
pub struct ElastiCacheInput {
    pub region: String,
    pub engine: Attr<String>,
    pub node_type: Attr<String>,
    pub nodes: Attr<Num>,
    pub snapshot_gb: Option<Num>,
    /// Days of snapshots kept; the first snapshot of each cluster is free.
    pub snapshot_retention: Num,
}

/// `None` for a cluster that joins a replication group (priced on the group).
pub fn elasticache_input(r: &Resource, ctx: &Ctx) -> Option<ElastiCacheInput> {
    let group = r.resource_type == "aws_elasticache_replication_group";
    if !group && !matches!(str_attr(r, "replication_group_id"), Attr::Unset) {
        return None;
    }
    let nodes = if group {
        // Nodes = node groups × (1 + replicas), or the number of cache clusters.
        match (
            count_attr(r, "num_node_groups"),
            count_attr(r, "replicas_per_node_group"),
        ) {
            (Attr::Unset, Attr::Unset) => count_attr(r, "num_cache_clusters").or(Num::ONE),
            (groups, replicas) => match (groups.or(Num::ONE), replicas.or(Num::ZERO)) {
                (Attr::Known(g), Attr::Known(rep)) => Attr::Known(g * (Decimal::ONE + rep)),
                (Attr::Unknown(u), _) | (_, Attr::Unknown(u)) => Attr::Unknown(u),
                _ => Attr::Known(Num::ONE),
            },
        }
    } else {
        count_attr(r, "num_cache_nodes").or(Num::ONE)
    };
    Some(ElastiCacheInput {
        region: region_of(r),
        engine: str_attr(r, "engine").or("redis".into()),
        node_type: str_attr(r, "node_type"),
        nodes,
        snapshot_gb: usage(ctx, r, "snapshot_storage_size_gb"),
        snapshot_retention: num_attr(r, "snapshot_retention_limit").known().unwrap_or_default(),
    })
}

pub fn elasticache(i: &ElastiCacheInput, _r: &Resource) -> Vec<Component> {
    let node = i
        .node_type
        .clone()
        .known()
        .unwrap_or_else(|| "node type unknown".into());
    let engine = match i.engine.clone().known().as_deref() {
        Some("redis") => "Redis OSS".to_string(),
        Some("valkey") => "Valkey".to_string(),
        Some("memcached") => "Memcached".to_string(),
        Some(other) => other.to_string(),
        None => "engine unknown".to_string(),
    };
    let n = i.nodes.clone().known().unwrap_or_default();
    let mut out = vec![Component::fixed(
        format!("Cache nodes (on-demand, {engine}, {node})"),
        "hours",
        hours() * n,
        sku("ElastiCache", format!("{node} {engine} on-demand node"), &i.region),
    )
    .unresolved_if(first_unknown(&[
        i.node_type.unknown(),
        i.engine.unknown(),
        i.nodes.unknown(),
    ]))];
    if i.snapshot_retention > Num::ONE {
        out.push(Component::usage(
            "Snapshot storage beyond the first snapshot",
            "GB-months",
            "snapshot_storage_size_gb",
            i.snapshot_gb
                .clone()
                .map(|gb| gb * (i.snapshot_retention.clone() - Decimal::ONE)),
            Decimal::ONE,
            sku("ElastiCache", "backup storage", &i.region),
        ));
    }
    out
}
