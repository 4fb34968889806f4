//! OpenSearch Service domains: data nodes, dedicated master nodes, UltraWarm nodes (instance
//! hours from the bulk OpenSearch table) and the data nodes' EBS storage.

use super::*;
use crate::cost::{hours, region_of, Component, Ctx, Num};

#[derive(Debug, Clone, PartialEq)]
pub struct OpenSearchInput {
    pub region: String,
    pub instance_type: Attr<String>,
    pub instance_count: Attr<Num>,
    /// Dedicated masters, when enabled: (type, count).
    pub masters: Option<(Attr<String>, Attr<Num>)>,
    /// UltraWarm nodes, when enabled: (type, count).
    pub warm: Option<(Attr<String>, Attr<Num>)>,
    /// EBS storage per data node, when EBS is enabled: (volume type, GB).
    pub ebs: Option<(Attr<String>, Attr<Num>)>,
}

pub fn opensearch_input(r: &Resource, _ctx: &Ctx) -> OpenSearchInput {
    // On when set true, or set from a value known only after apply; an unset switch that the
    // model leaves to the provider (unknown, naming the resource itself) is the provider's
    // default, off.
    let enabled = |path: &str| match bool_attr(r, path) {
        Attr::Known(on) => on,
        Attr::Unset => false,
        Attr::Unknown(u) => u.refs.iter().any(|x| !x.starts_with(&r.address)),
    };
    let pair = |on: &str, kind: &str, count: &str| enabled(on).then(|| (str_attr(r, kind), count_attr(r, count)));
    OpenSearchInput {
        region: region_of(r),
        // The provider's defaults for an unset `cluster_config`: one m4.large.search data node.
        instance_type: str_attr(r, "cluster_config.instance_type").or("m4.large.search".into()),
        instance_count: count_attr(r, "cluster_config.instance_count").or(Num::ONE),
        masters: pair(
            "cluster_config.dedicated_master_enabled",
            "cluster_config.dedicated_master_type",
            "cluster_config.dedicated_master_count",
        ),
        warm: pair(
            "cluster_config.warm_enabled",
            "cluster_config.warm_type",
            "cluster_config.warm_count",
        ),
        ebs: enabled("ebs_options.ebs_enabled").then(|| {
            (
                str_attr(r, "ebs_options.volume_type"),
                num_attr(r, "ebs_options.volume_size"),
            )
        }),
    }
}

pub fn opensearch(i: &OpenSearchInput, r: &Resource) -> Vec<Component> {
    let name = |t: &Attr<String>| t.clone().known().unwrap_or_else(|| "instance type unknown".into());
    // An unset type or count where one is needed is decided by AWS at creation: not guessed.
    let unset = |a: &str| Some(unknown_attr(r, a));
    let nodes = |label: &str, t: &Attr<String>, n: &Attr<Num>, type_attr: &str, count_attr: &str| {
        let ty = name(t);
        Component::fixed(
            format!("{label} ({ty})"),
            "hours",
            hours() * n.clone().known().unwrap_or_default(),
            sku("OpenSearch", format!("{ty} on-demand instance"), &i.region),
        )
        .unresolved_if(first_unknown(&[
            t.unknown()
                .or_else(|| matches!(t, Attr::Unset).then(|| unset(type_attr)).flatten()),
            n.unknown()
                .or_else(|| matches!(n, Attr::Unset).then(|| unset(count_attr)).flatten()),
        ]))
    };
    let mut out = vec![nodes(
        "Data nodes",
        &i.instance_type,
        &i.instance_count,
        "cluster_config.instance_type",
        "cluster_config.instance_count",
    )];
    if let Some((t, n)) = &i.masters {
        out.push(nodes(
            "Dedicated master nodes",
            t,
            n,
            "cluster_config.dedicated_master_type",
            "cluster_config.dedicated_master_count",
        ));
    }
    if let Some((t, n)) = &i.warm {
        out.push(nodes(
            "UltraWarm nodes",
            t,
            n,
            "cluster_config.warm_type",
            "cluster_config.warm_count",
        ));
    }
    if let Some((volume_type, gb)) = &i.ebs {
        let vt = volume_type
            .clone()
            .known()
            .unwrap_or_else(|| "volume type unknown".into());
        let per_node = gb.clone().known().unwrap_or_default();
        let data_nodes = i.instance_count.clone().known().unwrap_or_default();
        out.push(
            Component::fixed(
                format!("EBS storage ({vt}, per data node)"),
                "GB-months",
                per_node * data_nodes,
                sku("OpenSearch", format!("{vt} storage"), &i.region),
            )
            .unresolved_if(first_unknown(&[
                volume_type.unknown().or_else(|| {
                    matches!(volume_type, Attr::Unset)
                        .then(|| unset("ebs_options.volume_type"))
                        .flatten()
                }),
                gb.unknown().or_else(|| {
                    matches!(gb, Attr::Unset)
                        .then(|| unset("ebs_options.volume_size"))
                        .flatten()
                }),
                i.instance_count.unknown(),
            ])),
        );
    }
    out
}
