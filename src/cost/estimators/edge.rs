//! The edge: Route 53 zones, records and health checks; WAF web ACLs; CloudFront distributions.

use super::*;
use crate::cost::{region_of, Component, Ctx, Num};
use rust_decimal::Decimal;

pub fn hosted_zone(_r: &Resource) -> Vec<Component> {
    vec![Component::fixed(
        "Hosted zone",
        "months",
        Decimal::ONE,
        sku("Route 53", "hosted zone (first 25)", "global"),
    )]
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordInput {
    /// standard, latency or geo (by the routing policy).
    pub policy: &'static str,
    pub queries: Option<Num>,
}

/// `None` for alias records to AWS resources, whose queries are free.
pub fn record_input(r: &Resource, ctx: &Ctx) -> Option<RecordInput> {
    if blocks(r, "alias").known().is_some_and(|a| !a.is_empty()) {
        return None;
    }
    let has = |b: &str| blocks(r, b).known().is_some_and(|v| !v.is_empty());
    let (policy, key) = if has("latency_routing_policy") {
        ("latency", "monthly_latency_based_queries")
    } else if has("geolocation_routing_policy") || has("geoproximity_routing_policy") {
        ("geo", "monthly_geo_queries")
    } else {
        ("standard", "monthly_standard_queries")
    };
    Some(RecordInput {
        policy,
        queries: usage(ctx, r, key),
    })
}

pub fn record(i: &RecordInput) -> Vec<Component> {
    let (name, key, sku_name) = match i.policy {
        "latency" => (
            "Latency-based queries",
            "monthly_latency_based_queries",
            "latency-based queries (first 1B)",
        ),
        "geo" => ("Geo DNS queries", "monthly_geo_queries", "geo DNS queries (first 1B)"),
        _ => (
            "Standard queries",
            "monthly_standard_queries",
            "standard queries (first 1B)",
        ),
    };
    vec![Component::usage(
        name,
        "queries",
        key,
        i.queries.clone(),
        d(1_000_000),
        sku("Route 53", sku_name, "global"),
    )]
}

#[derive(Debug, Clone, PartialEq)]
pub struct HealthCheckInput {
    /// The endpoint is an AWS resource (`endpoint_type` usage: aws or non_aws; default aws).
    pub aws_endpoint: bool,
    pub https: bool,
    pub string_matching: bool,
    pub fast_interval: bool,
    pub latency_measurement: bool,
}

pub fn health_check_input(r: &Resource, ctx: &Ctx) -> HealthCheckInput {
    let ty = str_attr(r, "type").known().unwrap_or_default();
    HealthCheckInput {
        aws_endpoint: usage_str(ctx, r, "endpoint_type").as_deref() != Some("non_aws"),
        https: ty.starts_with("HTTPS"),
        string_matching: ty.ends_with("_STR_MATCH"),
        fast_interval: num_attr(r, "request_interval").known() == Some(d(10).into()),
        latency_measurement: bool_attr(r, "measure_latency").known() == Some(true),
    }
}

pub fn health_check(i: &HealthCheckInput) -> Vec<Component> {
    let endpoint = if i.aws_endpoint {
        "AWS endpoint"
    } else {
        "non-AWS endpoint"
    };
    let mut out = vec![Component::fixed(
        format!("Health check ({endpoint})"),
        "months",
        Decimal::ONE,
        sku("Route 53", format!("health check, {endpoint}, basic"), "global"),
    )];
    for (on, feature) in [
        (i.https, "HTTPS"),
        (i.string_matching, "string matching"),
        (i.fast_interval, "fast interval"),
        (i.latency_measurement, "latency measurement"),
    ] {
        if on {
            out.push(Component::fixed(
                format!("Optional feature: {feature} ({endpoint})"),
                "months",
                Decimal::ONE,
                sku(
                    "Route 53",
                    format!("health check optional feature, {endpoint}"),
                    "global",
                ),
            ));
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
pub struct WebAclInput {
    pub region: String,
    pub rules: Attr<Num>,
    pub requests: Option<Num>,
}

pub fn web_acl_input(r: &Resource, ctx: &Ctx) -> WebAclInput {
    WebAclInput {
        region: region_of(r),
        rules: match blocks(r, "rule") {
            Attr::Known(b) => Attr::Known(d(b.len() as i64).into()),
            Attr::Unset => Attr::Known(Num::ZERO),
            Attr::Unknown(u) => Attr::Unknown(u),
        },
        requests: usage(ctx, r, "monthly_requests"),
    }
}

pub fn web_acl(i: &WebAclInput, _r: &Resource) -> Vec<Component> {
    vec![
        Component::fixed("Web ACL", "months", Decimal::ONE, sku("WAF", "web ACL", &i.region)),
        Component::fixed(
            "Rules and rule groups",
            "rule-months",
            i.rules.clone().known().unwrap_or_default(),
            sku("WAF", "rule (each rule, rule group or managed rule group)", &i.region),
        )
        .unresolved_if(i.rules.unknown()),
        Component::usage(
            "Requests",
            "requests",
            "monthly_requests",
            i.requests.clone(),
            d(1_000_000),
            sku("WAF", "requests", &i.region),
        ),
    ]
}

/// CloudFront's edge regions as the usage file names them, with the catalog's names.
const EDGES: &[(&str, &str, &str)] = &[
    ("us", "US, Mexico, Canada", "US"),
    ("europe", "Europe", "Europe"),
    ("india", "India", "India"),
    ("south_africa", "South Africa", "South Africa"),
    ("south_america", "South America", "South America"),
    ("japan", "Japan", "Japan"),
    ("australia", "Australia", "Australia"),
    ("asia_pacific", "Asia Pacific", "Asia Pacific"),
];

#[derive(Debug, Clone, PartialEq)]
pub struct CloudFrontInput {
    pub price_class: String,
    /// Per edge key: GB out to the internet, HTTP and HTTPS requests.
    pub transfer_gb: BTreeMap<&'static str, Num>,
    pub http: BTreeMap<&'static str, Num>,
    pub https: BTreeMap<&'static str, Num>,
}

pub fn cloudfront_input(r: &Resource, ctx: &Ctx) -> CloudFrontInput {
    let read = |key: &str| -> BTreeMap<&'static str, Num> {
        EDGES
            .iter()
            .filter_map(|(k, _, _)| usage(ctx, r, &format!("{key}.{k}")).map(|v| (*k, v)))
            .collect()
    };
    CloudFrontInput {
        price_class: str_attr(r, "price_class")
            .known()
            .unwrap_or_else(|| "PriceClass_All".into()),
        transfer_gb: read("monthly_data_transfer_to_internet_gb"),
        http: read("monthly_http_requests"),
        https: read("monthly_https_requests"),
    }
}

/// Usage-based: without usage, the lines of the edges the price class serves most (US, Europe,
/// India) say what a GB or 10,000 requests cost.
pub fn cloudfront(i: &CloudFrontInput) -> Vec<Component> {
    let mut out = Vec::new();
    let served = |k: &str| match i.price_class.as_str() {
        "PriceClass_100" => matches!(k, "us" | "europe"),
        "PriceClass_200" => !matches!(k, "south_america" | "australia"),
        _ => true,
    };
    for (k, transfer_name, request_name) in EDGES {
        if !served(k) {
            continue;
        }
        let shown = matches!(*k, "us" | "europe" | "india");
        let region = format!("global (edge: {request_name})");
        if shown || i.transfer_gb.contains_key(k) {
            out.push(Component::usage(
                format!("Data transfer out to the internet ({transfer_name})"),
                "GB",
                "monthly_data_transfer_to_internet_gb",
                i.transfer_gb.get(k).cloned(),
                Decimal::ONE,
                sku(
                    "CloudFront",
                    format!("data transfer out to internet, first 10 TB ({transfer_name} edges)"),
                    &region,
                ),
            ));
        }
        for (proto, map, key) in [
            ("HTTPS", &i.https, "monthly_https_requests"),
            ("HTTP", &i.http, "monthly_http_requests"),
        ] {
            if *k == "us" || map.contains_key(k) {
                out.push(Component::usage(
                    format!("{proto} requests ({request_name})"),
                    "requests",
                    key,
                    map.get(k).cloned(),
                    d(10_000),
                    sku(
                        "CloudFront",
                        format!("{proto} requests ({request_name} edges)"),
                        &region,
                    ),
                ));
            }
        }
    }
    out
}
