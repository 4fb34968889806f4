//! Networking: NAT gateways, Elastic IPs and every other public IPv4 address, load balancers, VPC
//! endpoints, transit gateway attachments.

use super::*;
use crate::cost::{hours, region_of, Component, Ctx, Num};
use rust_decimal::Decimal;

const IPV4: &str = "public IPv4 address, in-use or idle (incl. EIP)";

fn ipv4(name: impl Into<String>, count: Attr<Num>, region: &str) -> Component {
    Component::fixed(
        name,
        "hours",
        hours() * count.clone().known().unwrap_or_default(),
        sku("VPC/Public IPv4", IPV4, region),
    )
    .unresolved_if(count.unknown())
}

#[derive(Debug, Clone, PartialEq)]
pub struct NatGatewayInput {
    pub region: String,
    pub data_processed_gb: Option<Num>,
    /// A public NAT gateway's address when it is not an `aws_eip` of the configuration (which is
    /// priced on its own).
    pub unpriced_public_ip: bool,
}

pub fn nat_gateway_input(r: &Resource, ctx: &Ctx) -> NatGatewayInput {
    let private = str_attr(r, "connectivity_type").known().as_deref() == Some("private");
    let alloc = attr_value(r, "allocation_id");
    let eip_in_config = !ctx.targets(&alloc, &["aws_eip"]).is_empty();
    NatGatewayInput {
        region: region_of(r),
        data_processed_gb: usage(ctx, r, "monthly_data_processed_gb"),
        unpriced_public_ip: !private && !eip_in_config,
    }
}

pub fn nat_gateway(i: &NatGatewayInput, _r: &Resource) -> Vec<Component> {
    let mut out = vec![
        Component::fixed(
            "NAT gateway",
            "hours",
            hours(),
            sku("VPC/NAT Gateway", "NAT gateway (zonal) hour", &i.region),
        ),
        Component::usage(
            "Data processed",
            "GB",
            "monthly_data_processed_gb",
            i.data_processed_gb.clone(),
            Decimal::ONE,
            sku("VPC/NAT Gateway", "NAT gateway data processed", &i.region),
        ),
    ];
    if i.unpriced_public_ip {
        out.push(ipv4(
            "Public IPv4 address (allocation outside this configuration)",
            Attr::Known(Num::ONE),
            &i.region,
        ));
    }
    out
}

/// Every Elastic IP is charged by the hour since February 2024, attached or not.
pub fn eip(r: &Resource) -> Vec<Component> {
    let region = region_of(r);
    match str_attr(r, "public_ipv4_pool").known().as_deref() {
        // Addresses you bring (BYOIP) are not charged.
        Some(pool) if pool != "amazon" => Vec::new(),
        _ => vec![ipv4("Public IPv4 address (Elastic IP)", Attr::Known(Num::ONE), &region)],
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoadBalancerInput {
    pub region: String,
    /// application, network or gateway.
    pub lb_type: Attr<String>,
    pub internet_facing: Attr<bool>,
    /// Subnets (one public address per AZ when internet-facing).
    pub azs: Attr<Num>,
    /// Usage: new connections per second, active connections per minute, processed GB per hour,
    /// rule evaluations per second.
    pub new_connections: Option<Num>,
    pub active_connections: Option<Num>,
    pub processed_gb: Option<Num>,
    pub rule_evaluations: Option<Num>,
}

pub fn load_balancer_input(r: &Resource, ctx: &Ctx) -> LoadBalancerInput {
    let azs = zone_count(r, "subnets", "subnet_mapping");
    LoadBalancerInput {
        region: region_of(r),
        lb_type: str_attr(r, "load_balancer_type").or("application".into()),
        internet_facing: bool_attr(r, "internal").or(false).map(|internal| !internal),
        azs,
        new_connections: usage(ctx, r, "new_connections"),
        active_connections: usage(ctx, r, "active_connections"),
        processed_gb: usage(ctx, r, "processed_bytes_gb"),
        rule_evaluations: usage(ctx, r, "rule_evaluations"),
    }
}

pub fn load_balancer(i: &LoadBalancerInput, _r: &Resource) -> Vec<Component> {
    let ty = i.lb_type.clone().known().unwrap_or_else(|| "application".into());
    let (name, hour_sku, lcu_name, lcu_sku) = match ty.as_str() {
        "network" => (
            "Network load balancer",
            "Network Load Balancer hour",
            "Load balancer capacity units (NLCU)",
            "Network Load Balancer NLCU",
        ),
        "gateway" => (
            "Gateway load balancer",
            "Gateway Load Balancer hour",
            "Load balancer capacity units (GLCU)",
            "Gateway Load Balancer GLCU",
        ),
        _ => (
            "Application load balancer",
            "Application Load Balancer hour",
            "Load balancer capacity units (LCU)",
            "Application Load Balancer LCU",
        ),
    };
    // An LCU is the largest of: 25 new connections/s, 3,000 active connections/min, 1 GB/h
    // processed, 1,000 rule evaluations/s (ALB); an NLCU: 800 new TCP flows/s, 100,000 active
    // flows/min, 1 GB/h.
    let dims: Vec<Num> = match ty.as_str() {
        "network" => [
            i.new_connections.clone().map(|n| n / d(800)),
            i.active_connections.clone().map(|n| n / d(100_000)),
            i.processed_gb.clone(),
        ]
        .into_iter()
        .flatten()
        .collect(),
        _ => [
            i.new_connections.clone().map(|n| n / d(25)),
            i.active_connections.clone().map(|n| n / d(3000)),
            i.processed_gb.clone(),
            i.rule_evaluations.clone().map(|n| n / d(1000)),
        ]
        .into_iter()
        .flatten()
        .collect(),
    };
    let lcu = dims.into_iter().max().map(|m| m * hours());
    let mut out = vec![
        Component::fixed(name, "hours", hours(), sku("ELB", hour_sku, &i.region)).unresolved_if(i.lb_type.unknown()),
        Component::usage(
            lcu_name,
            "LCU-hours",
            "processed_bytes_gb",
            lcu,
            Decimal::ONE,
            sku("ELB", lcu_sku, &i.region),
        ),
    ];
    match (&i.internet_facing, ty.as_str()) {
        (Attr::Known(true), "application" | "network") => {
            out.push(ipv4("Public IPv4 addresses (one per AZ)", i.azs.clone(), &i.region))
        }
        (Attr::Unknown(u), _) => out.push(
            ipv4("Public IPv4 addresses (one per AZ)", Attr::Known(Num::ZERO), &i.region)
                .unresolved_if(Some(u.clone())),
        ),
        _ => {}
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClassicElbInput {
    pub region: String,
    pub internet_facing: Attr<bool>,
    pub azs: Attr<Num>,
    pub data_processed_gb: Option<Num>,
}

/// A load balancer's zones: the length of the first of two list attributes that has elements
/// (`subnets`, then `subnet_mapping` or `availability_zones`); unknown when neither says.
fn zone_count(r: &Resource, first: &str, second: &str) -> Attr<Num> {
    match (list_len(r, first), list_len(r, second)) {
        (Attr::Known(n), _) if n > 0 => Attr::Known(d(n as i64).into()),
        (_, Attr::Known(n)) if n > 0 => Attr::Known(d(n as i64).into()),
        (Attr::Unknown(u), _) | (_, Attr::Unknown(u)) => Attr::Unknown(u),
        _ => Attr::Unknown(unknown_attr(r, first)),
    }
}

pub fn classic_elb_input(r: &Resource, ctx: &Ctx) -> ClassicElbInput {
    let azs = zone_count(r, "subnets", "availability_zones");
    ClassicElbInput {
        region: region_of(r),
        internet_facing: bool_attr(r, "internal").or(false).map(|internal| !internal),
        azs,
        data_processed_gb: usage(ctx, r, "monthly_data_processed_gb"),
    }
}

pub fn classic_elb(i: &ClassicElbInput, _r: &Resource) -> Vec<Component> {
    let mut out = vec![
        Component::fixed(
            "Classic load balancer",
            "hours",
            hours(),
            sku("ELB", "Classic Load Balancer hour", &i.region),
        ),
        Component::usage(
            "Data processed",
            "GB",
            "monthly_data_processed_gb",
            i.data_processed_gb.clone(),
            Decimal::ONE,
            sku("ELB", "Classic Load Balancer data processed", &i.region),
        ),
    ];
    if i.internet_facing.clone().known() == Some(true) {
        out.push(ipv4("Public IPv4 addresses (one per AZ)", i.azs.clone(), &i.region));
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
pub struct VpcEndpointInput {
    pub region: String,
    pub endpoint_type: String,
    pub azs: Attr<Num>,
    pub data_processed_gb: Option<Num>,
}

/// `None` for gateway endpoints (S3, DynamoDB), which are free.
pub fn vpc_endpoint_input(r: &Resource, ctx: &Ctx) -> Option<VpcEndpointInput> {
    let ty = str_attr(r, "vpc_endpoint_type")
        .known()
        .unwrap_or_else(|| "Gateway".into());
    if ty == "Gateway" {
        return None;
    }
    Some(VpcEndpointInput {
        region: region_of(r),
        azs: match list_len(r, "subnet_ids") {
            Attr::Known(n) => Attr::Known(d(n.max(1) as i64).into()),
            Attr::Unset => Attr::Known(Num::ONE),
            Attr::Unknown(u) => Attr::Unknown(u),
        },
        endpoint_type: ty,
        data_processed_gb: usage(ctx, r, "monthly_data_processed_gb"),
    })
}

pub fn vpc_endpoint(i: &VpcEndpointInput, _r: &Resource) -> Vec<Component> {
    let kind = if i.endpoint_type == "Interface" {
        "interface".to_string()
    } else {
        i.endpoint_type.to_ascii_lowercase()
    };
    vec![
        Component::fixed(
            format!("Endpoint ({kind}, per AZ)"),
            "hours",
            hours() * i.azs.clone().known().unwrap_or_default(),
            sku("VPC Endpoint", format!("{kind} endpoint, per AZ"), &i.region),
        )
        .unresolved_if(i.azs.unknown()),
        Component::usage(
            "Data processed",
            "GB",
            "monthly_data_processed_gb",
            i.data_processed_gb.clone(),
            Decimal::ONE,
            sku(
                "VPC Endpoint",
                format!("{kind} endpoint data processed (first 1 PB)"),
                &i.region,
            ),
        ),
    ]
}

#[derive(Debug, Clone, PartialEq)]
pub struct TransitAttachmentInput {
    pub region: String,
    pub kind: String,
    pub data_processed_gb: Option<Num>,
}

pub fn transit_attachment_input(r: &Resource, ctx: &Ctx) -> TransitAttachmentInput {
    TransitAttachmentInput {
        region: region_of(r),
        kind: match r.resource_type.as_str() {
            "aws_vpn_connection" => "VPN connection",
            "aws_ec2_transit_gateway_peering_attachment" => "peering attachment",
            "aws_ec2_transit_gateway_connect" => "Connect attachment",
            _ => "VPC attachment",
        }
        .into(),
        data_processed_gb: usage(ctx, r, "monthly_data_processed_gb"),
    }
}

pub fn transit_attachment(i: &TransitAttachmentInput, _r: &Resource) -> Vec<Component> {
    let service = if i.kind == "VPN connection" {
        "VPN"
    } else {
        "Transit Gateway"
    };
    let mut out = vec![Component::fixed(
        format!("Transit gateway {}", i.kind),
        "hours",
        hours(),
        sku(service, format!("{} hour", i.kind), &i.region),
    )];
    if service == "Transit Gateway" && i.kind != "peering attachment" {
        out.push(Component::usage(
            "Data processed",
            "GB",
            "monthly_data_processed_gb",
            i.data_processed_gb.clone(),
            Decimal::ONE,
            sku(service, "data processed", &i.region),
        ));
    }
    out
}
