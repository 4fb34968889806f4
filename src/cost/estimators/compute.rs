//! Compute: EC2 instances, auto scaling groups (with their launch template or configuration), EBS
//! volumes, ECS services on Fargate, EKS clusters, Lambda functions.

use super::*;
use crate::cost::{hours, region_of, Component, Ctx, Num};
use crate::model::Map;
use rust_decimal::Decimal;

/// An EBS volume as it is priced: type, size, provisioned IOPS and throughput.
#[derive(Debug, Clone, PartialEq)]
pub struct Volume {
    pub label: &'static str,
    pub volume_type: Attr<String>,
    pub size_gb: Attr<Num>,
    pub iops: Attr<Num>,
    pub throughput: Attr<Num>,
    /// Where the code would set what is unset, when not on the priced resource itself.
    pub written_at: Option<String>,
}

impl Volume {
    fn from_map(label: &'static str, m: &Map) -> Volume {
        Volume {
            label,
            volume_type: map_str(m, "volume_type"),
            size_gb: map_num(m, "volume_size"),
            iops: map_num(m, "iops"),
            throughput: map_num(m, "throughput"),
            written_at: None,
        }
    }
}

/// Components of `count` copies of a volume. `default_type` applies when the type is not set and
/// the API has a fixed default (gp2 for `aws_ebs_volume`); `None` means the AMI decides.
pub fn volume_components(
    v: &Volume,
    count: Attr<Num>,
    region: &str,
    default_type: Option<&str>,
    owner: &Resource,
) -> Vec<Component> {
    let vt = match (&v.volume_type, default_type) {
        (Attr::Unset, Some(d)) => Attr::Known(d.to_string()),
        (t, _) => t.clone(),
    };
    let name_type = vt.clone().known().unwrap_or_else(|| "type from the AMI".into());
    let storage_sku = match vt.clone().known().as_deref() {
        Some(t) => format!("{t} storage"),
        None => "storage".into(),
    };
    let unresolved = first_unknown(&[
        count.unknown(),
        vt.unknown(),
        v.size_gb.unknown(),
        match (&vt, default_type) {
            (Attr::Unset, None) => Some(unset_in_code(v, owner, "volume_type")),
            _ => None,
        },
        match &v.size_gb {
            Attr::Unset => Some(unset_in_code(v, owner, "volume_size")),
            _ => None,
        },
    ]);
    let n = count.clone().known().unwrap_or(Num::ONE);
    let size = v.size_gb.clone().known().unwrap_or_default();
    let mut out = vec![Component::fixed(
        format!("{} ({})", label_name(v.label), name_type),
        "GB-months",
        size * n.clone(),
        sku("EBS", storage_sku, region),
    )
    .unresolved_if(unresolved.clone())];
    match vt.known().as_deref() {
        Some("gp3") => {
            if let Attr::Known(iops) = &v.iops {
                if *iops > Num::from(d(3000)) {
                    out.push(
                        Component::fixed(
                            format!("{} IOPS above 3,000 (gp3)", label_name(v.label)),
                            "IOPS-months",
                            (iops.clone() - d(3000)) * n.clone(),
                            sku("EBS", "gp3 IOPS above 3,000", region),
                        )
                        .unresolved_if(count.unknown()),
                    );
                }
            }
            if let Attr::Known(tp) = &v.throughput {
                if *tp > Num::from(d(125)) {
                    out.push(
                        Component::fixed(
                            format!("{} throughput above 125 MiB/s (gp3)", label_name(v.label)),
                            "MiBps-months",
                            (tp.clone() - d(125)) * n.clone(),
                            sku("EBS", "gp3 throughput above 125 MiB/s", region),
                        )
                        .unresolved_if(count.unknown()),
                    );
                }
            }
            for a in [&v.iops, &v.throughput] {
                if let Attr::Unknown(u) = a {
                    out.push(
                        Component::fixed(
                            format!("{} provisioned performance (gp3)", label_name(v.label)),
                            "IOPS-months",
                            Decimal::ZERO,
                            sku("EBS", "gp3 IOPS above 3,000", region),
                        )
                        .unresolved_if(Some(u.clone())),
                    );
                }
            }
        }
        Some(t @ ("io1" | "io2")) => {
            let iops = v.iops.clone();
            out.push(
                Component::fixed(
                    format!("{} provisioned IOPS ({t})", label_name(v.label)),
                    "IOPS-months",
                    iops.clone().known().unwrap_or_default() * n,
                    sku("EBS", format!("{t} provisioned IOPS"), region),
                )
                .unresolved_if(first_unknown(&[iops.unknown(), count.unknown()])),
            );
        }
        _ => {}
    }
    out
}

/// The attribute an unknown volume setting is read from: `root_block_device.volume_size`, or
/// `size` of an `aws_ebs_volume`.
/// The attribute that would decide what the code leaves to the AMI: on the resource itself
/// (`aws_instance.app.root_block_device.volume_type`), or where the volume is written for it (a
/// group's launch template: `aws_launch_template.app.block_device_mappings.ebs.volume_type`).
fn unset_in_code(v: &Volume, owner: &Resource, attr: &str) -> crate::model::Unknown {
    match &v.written_at {
        Some(at) => crate::model::Unknown::of(format!("{at}.{attr}")),
        None => unknown_attr(owner, &attr_path(v.label, attr)),
    }
}

fn attr_path(label: &str, attr: &str) -> String {
    match (label, attr) {
        ("volume", "volume_size") => "size".into(),
        ("volume", "volume_type") => "type".into(),
        _ => format!("{label}.{attr}"),
    }
}

fn label_name(label: &str) -> &'static str {
    match label {
        "root_block_device" => "Root volume",
        "ebs_block_device" | "block_device_mappings" => "EBS volume",
        _ => "Storage",
    }
}

/// vCPUs of the burstable types, for surplus CPU credits.
fn burstable_vcpus(instance_type: &str) -> Option<i64> {
    let (family, size) = instance_type.split_once('.')?;
    if !matches!(family, "t2" | "t3" | "t3a" | "t4g") {
        return None;
    }
    Some(match (family, size) {
        ("t2", "nano" | "micro" | "small") => 1,
        ("t2", "medium" | "large") => 2,
        ("t2", "xlarge") => 4,
        ("t2", "2xlarge") => 8,
        (_, "nano" | "micro" | "small" | "medium" | "large") => 2,
        (_, "xlarge") => 4,
        (_, "2xlarge") => 8,
        _ => return None,
    })
}

/// What an instance (or each instance of a group) costs.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceInput {
    pub region: String,
    pub instance_type: Attr<String>,
    /// `linux` unless the usage says otherwise.
    pub os: String,
    pub tenancy: Attr<String>,
    /// On-demand and spot instances (a group's mixed instances policy).
    pub on_demand: Attr<Num>,
    pub spot: Num,
    pub volumes: Vec<Volume>,
    /// When no volume is written, the AMI's root volume: unresolved.
    pub ami_root: bool,
    pub detailed_monitoring: bool,
    pub public_ipv4: Attr<bool>,
    pub credits: Attr<String>,
    pub cpu_credit_hours: Option<Num>,
}

pub fn instance_input(r: &Resource, ctx: &Ctx) -> InstanceInput {
    let mut volumes: Vec<Volume> = Vec::new();
    let root = blocks(r, "root_block_device").known().unwrap_or_default();
    match root.first() {
        Some(m) => volumes.push(Volume::from_map("root_block_device", m)),
        None => volumes.push(Volume {
            label: "root_block_device",
            volume_type: Attr::Unset,
            size_gb: Attr::Unset,
            iops: Attr::Unset,
            throughput: Attr::Unset,
            written_at: None,
        }),
    }
    for m in blocks(r, "ebs_block_device").known().unwrap_or_default() {
        volumes.push(Volume::from_map("ebs_block_device", &m));
    }
    // An Elastic IP associated with the instance replaces its auto-assigned address; the EIP is
    // priced on its own resource.
    let has_eip = ctx.project.resources.iter().any(|e| {
        e.resource_type == "aws_eip"
            && e.get("instance").is_some_and(|v| {
                ctx.targets(&v, &["aws_instance"])
                    .iter()
                    .any(|t| t.address == r.address)
            })
    });
    let public = bool_attr(r, "associate_public_ip_address");
    InstanceInput {
        region: region_of(r),
        instance_type: str_attr(r, "instance_type"),
        os: usage_str(ctx, r, "operating_system").unwrap_or_else(|| "linux".into()),
        tenancy: str_attr(r, "tenancy").or("default".into()),
        on_demand: Attr::Known(Num::ONE),
        spot: Num::ZERO,
        volumes,
        ami_root: root.is_empty(),
        detailed_monitoring: bool_attr(r, "monitoring").known().unwrap_or(false),
        public_ipv4: if has_eip { Attr::Known(false) } else { public },
        credits: str_attr(r, "credit_specification.cpu_credits"),
        cpu_credit_hours: usage(ctx, r, "monthly_cpu_credit_hrs"),
    }
}

pub fn instance(i: &InstanceInput, r: &Resource) -> Vec<Component> {
    instances(i, r, "instance")
}

fn os_label(os: &str) -> (&'static str, Option<&'static str>) {
    match os.to_ascii_lowercase().as_str() {
        "linux" => ("Linux/UNIX", Some("Linux")),
        "windows" => ("Windows", None),
        "rhel" => ("RHEL", None),
        "suse" => ("SUSE", None),
        _ => ("other OS", None),
    }
}

fn instances(i: &InstanceInput, r: &Resource, what: &str) -> Vec<Component> {
    let region = i.region.as_str();
    let ty = i.instance_type.clone().known().unwrap_or_else(|| "type unknown".into());
    let tenancy = match i.tenancy.clone().known().as_deref() {
        Some("default") | None => "shared tenancy",
        Some("dedicated") => "dedicated tenancy",
        Some(_) => "dedicated host",
    };
    let (os_name, os_sku) = os_label(&i.os);
    let os_sku = os_sku.unwrap_or(os_name);
    let n = i.on_demand.clone().known().unwrap_or_default();
    let mut out = vec![Component::fixed(
        format!("Instance usage ({os_name}, on-demand, {ty})"),
        "hours",
        hours() * n,
        sku("EC2", format!("{ty} {os_sku} on-demand, {tenancy}"), region),
    )
    .unresolved_if(first_unknown(&[
        i.instance_type.unknown(),
        i.on_demand.unknown(),
        i.tenancy.unknown(),
    ]))];
    if !i.spot.is_zero() {
        out.push(
            Component::fixed(
                format!("Instance usage ({os_name}, spot, {ty})"),
                "hours",
                hours() * i.spot.clone(),
                sku("EC2", format!("{ty} {os_sku} spot, {tenancy}"), region),
            )
            .unresolved_if(i.instance_type.unknown()),
        );
    }
    let total = i.on_demand.clone().map(|n| n + i.spot.clone());
    for v in &i.volumes {
        out.extend(volume_components(v, total.clone(), region, None, r));
    }
    if i.detailed_monitoring {
        out.push(
            Component::fixed(
                "EC2 detailed monitoring (7 metrics per instance)",
                "metrics",
                d(7) * total.clone().known().unwrap_or_default(),
                sku("CloudWatch", "metrics (first 10k)", region),
            )
            .unresolved_if(total.unknown()),
        );
    }
    match &i.public_ipv4 {
        Attr::Known(true) => out.push(
            Component::fixed(
                format!("Public IPv4 address ({what})"),
                "hours",
                hours() * total.clone().known().unwrap_or_default(),
                sku(
                    "VPC/Public IPv4",
                    "public IPv4 address, in-use or idle (incl. EIP)",
                    region,
                ),
            )
            .unresolved_if(total.unknown()),
        ),
        Attr::Unknown(u) => out.push(
            Component::fixed(
                format!("Public IPv4 address ({what})"),
                "hours",
                Decimal::ZERO,
                sku(
                    "VPC/Public IPv4",
                    "public IPv4 address, in-use or idle (incl. EIP)",
                    region,
                ),
            )
            .unresolved_if(Some(u.clone())),
        ),
        _ => {}
    }
    // Burstable instances in unlimited mode (t3/t3a/t4g by default) may buy surplus CPU credits.
    if let Some(vcpus) = i.instance_type.clone().known().as_deref().and_then(burstable_vcpus) {
        let unlimited = match i.credits.clone().known() {
            Some(c) => c == "unlimited",
            None => !ty.starts_with("t2."),
        };
        if unlimited {
            out.push(Component::usage(
                format!("CPU credits (unlimited mode, {vcpus} vCPUs)"),
                "vCPU-hours",
                "monthly_cpu_credit_hrs",
                i.cpu_credit_hours
                    .clone()
                    .map(|h| h * d(vcpus) * total.clone().known().unwrap_or(Num::ONE)),
                Decimal::ONE,
                sku(
                    "EC2",
                    format!(
                        "{} unlimited-mode surplus CPU credits ({os_sku})",
                        if ty.starts_with("t2.") { "T2" } else { "T3/T4g" }
                    ),
                    region,
                ),
            ));
        }
    }
    out
}

/// An auto scaling group: its instances as its launch template (or configuration) describes them.
pub fn asg_input(r: &Resource, ctx: &Ctx) -> InstanceInput {
    let instances = match usage(ctx, r, "instances") {
        Some(n) => Attr::Known(n),
        None => match count_attr(r, "desired_capacity") {
            Attr::Unset => match count_attr(r, "min_size") {
                Attr::Unset => Attr::Known(Num::ONE),
                other => other,
            },
            other => other,
        },
    };
    let mixed = blocks(r, "mixed_instances_policy").known().unwrap_or_default();
    let (template_ref, overrides, distribution) = match mixed.first() {
        Some(m) => {
            let lt = value_at(&Value::Map(m.clone()), "launch_template.launch_template_specification");
            let ov = blocks_of(&value_at(&Value::Map(m.clone()), "launch_template"))
                .known()
                .and_then(|l| l.into_iter().next())
                .and_then(|l| blocks_of(l.get("override").unwrap_or(&Value::Null)).known())
                .unwrap_or_default();
            let dist = blocks_of(m.get("instances_distribution").unwrap_or(&Value::Null))
                .known()
                .and_then(|v| v.into_iter().next());
            (lt, ov, dist)
        }
        None => (attr_value(r, "launch_template"), Vec::new(), None),
    };
    let template_ids = [
        value_at(&template_ref, "id"),
        value_at(&template_ref, "name"),
        value_at(&template_ref, "launch_template_id"),
        value_at(&template_ref, "launch_template_name"),
    ];
    let template = template_ids
        .iter()
        .flat_map(|v| match v {
            Value::String(name) => ctx
                .project
                .resources
                .iter()
                .filter(|t| {
                    t.resource_type == "aws_launch_template"
                        && (t.attributes.get("name").and_then(Value::as_str) == Some(name.as_str()))
                })
                .collect(),
            other => ctx.targets(other, &["aws_launch_template"]),
        })
        .next();
    let config = ctx
        .targets(&attr_value(r, "launch_configuration"), &["aws_launch_configuration"])
        .into_iter()
        .next()
        .or_else(|| match attr_value(r, "launch_configuration") {
            Value::String(name) => ctx.project.resources.iter().find(|t| {
                t.resource_type == "aws_launch_configuration"
                    && t.attributes.get("name").and_then(Value::as_str) == Some(name.as_str())
            }),
            _ => None,
        });
    let mut input = match (template, config) {
        (Some(t), _) => launch_template_input(t, ctx),
        (None, Some(c)) => launch_configuration_input(c, ctx),
        (None, None) => {
            let u = template_ids
                .iter()
                .chain([&attr_value(r, "launch_configuration")])
                .find_map(Value::as_unknown)
                .unwrap_or_else(|| unknown_attr(r, "launch_template"));
            InstanceInput {
                region: region_of(r),
                instance_type: Attr::Unknown(u),
                os: "linux".into(),
                tenancy: Attr::Known("default".into()),
                on_demand: Attr::Known(Num::ONE),
                spot: Num::ZERO,
                volumes: Vec::new(),
                ami_root: false,
                detailed_monitoring: false,
                public_ipv4: Attr::Known(false),
                credits: Attr::Unset,
                cpu_credit_hours: None,
            }
        }
    };
    input.region = region_of(r);
    if let Some(os) = usage_str(ctx, r, "operating_system") {
        input.os = os;
    }
    if let Some(h) = usage(ctx, r, "monthly_cpu_credit_hrs") {
        input.cpu_credit_hours = Some(h);
    }
    if let Some(first) = overrides.first() {
        if let Attr::Known(t) = map_str(first, "instance_type") {
            input.instance_type = Attr::Known(t);
        }
    }
    // Mixed instances: the on-demand base, then the on-demand share above it; the rest is spot.
    input.on_demand = instances.clone();
    if let (Some(dist), Attr::Known(n)) = (distribution, &instances) {
        let base = map_num(&dist, "on_demand_base_capacity").known().unwrap_or_default();
        let pct = map_num(&dist, "on_demand_percentage_above_base_capacity")
            .known()
            .unwrap_or(Num::from(d(100)));
        let base = base.min(n.clone());
        let above = n.clone() - base.clone();
        let od = base + (above * pct / d(100)).ceil();
        input.on_demand = Attr::Known(od.clone());
        input.spot = n.clone() - od;
    }
    input
}

fn launch_template_input(t: &Resource, ctx: &Ctx) -> InstanceInput {
    let mut volumes = Vec::new();
    for m in blocks(t, "block_device_mappings").known().unwrap_or_default() {
        if let Some(ebs) = blocks_of(m.get("ebs").unwrap_or(&Value::Null))
            .known()
            .and_then(|v| v.into_iter().next())
        {
            volumes.push(Volume::from_map("block_device_mappings", &ebs));
        }
    }
    let ami_root = volumes.is_empty();
    if ami_root {
        volumes.push(Volume {
            label: "root_block_device",
            volume_type: Attr::Unset,
            size_gb: Attr::Unset,
            iops: Attr::Unset,
            throughput: Attr::Unset,
            written_at: Some(format!("{}.block_device_mappings.ebs", t.address)),
        });
    }
    let public = blocks(t, "network_interfaces")
        .known()
        .and_then(|v| v.into_iter().next())
        .map(|m| map_bool(&m, "associate_public_ip_address"))
        .unwrap_or(Attr::Unset);
    InstanceInput {
        region: region_of(t),
        instance_type: str_attr(t, "instance_type"),
        os: usage_str(ctx, t, "operating_system").unwrap_or_else(|| "linux".into()),
        tenancy: str_attr(t, "placement.tenancy").or("default".into()),
        on_demand: Attr::Known(Num::ONE),
        spot: Num::ZERO,
        volumes,
        ami_root,
        detailed_monitoring: bool_attr(t, "monitoring.enabled").known().unwrap_or(false),
        public_ipv4: public,
        credits: str_attr(t, "credit_specification.cpu_credits"),
        cpu_credit_hours: None,
    }
}

fn launch_configuration_input(c: &Resource, ctx: &Ctx) -> InstanceInput {
    let mut i = instance_input(c, ctx);
    i.tenancy = str_attr(c, "placement_tenancy").or("default".into());
    i.detailed_monitoring = bool_attr(c, "enable_monitoring").known().unwrap_or(true);
    i
}

pub fn asg(i: &InstanceInput, r: &Resource) -> Vec<Component> {
    instances(i, r, "per instance")
}

/// An `aws_ebs_volume`.
pub fn ebs_volume_input(r: &Resource, _ctx: &Ctx) -> (String, Volume) {
    (
        region_of(r),
        Volume {
            label: "volume",
            volume_type: str_attr(r, "type"),
            size_gb: num_attr(r, "size"),
            iops: num_attr(r, "iops"),
            throughput: num_attr(r, "throughput"),
            written_at: None,
        },
    )
}

pub fn ebs_volume(i: &(String, Volume), r: &Resource) -> Vec<Component> {
    volume_components(&i.1, Attr::Known(Num::ONE), &i.0, Some("gp2"), r)
}

/// An ECS service on Fargate: vCPU and memory of its task definition × desired count.
#[derive(Debug, Clone, PartialEq)]
pub struct FargateInput {
    pub region: String,
    pub tasks: Attr<Num>,
    pub vcpu: Attr<Num>,
    pub memory_gb: Attr<Num>,
    pub arch: String,
}

/// `None` for services on EC2 capacity.
pub fn fargate_input(r: &Resource, ctx: &Ctx) -> Option<FargateInput> {
    let launch = str_attr(r, "launch_type");
    let strategies = blocks(r, "capacity_provider_strategy").known().unwrap_or_default();
    let on_fargate = match &launch {
        Attr::Known(l) => l == "FARGATE",
        _ => strategies.iter().any(|s| {
            map_str(s, "capacity_provider")
                .known()
                .is_some_and(|p| p.starts_with("FARGATE"))
        }),
    };
    if !on_fargate {
        return None;
    }
    let td = attr_value(r, "task_definition");
    let task = ctx
        .targets(&td, &["aws_ecs_task_definition"])
        .into_iter()
        .next()
        .or_else(|| {
            td.as_str().and_then(|family| {
                ctx.project.resources.iter().find(|t| {
                    t.resource_type == "aws_ecs_task_definition"
                        && t.attributes.get("family").and_then(Value::as_str)
                            == Some(family.split(':').next().unwrap_or(family))
                })
            })
        });
    let (vcpu, memory_gb, arch) = match task {
        Some(t) => (
            num_attr(t, "cpu").map(|c| c / d(1024)),
            num_attr(t, "memory").map(|m| m / d(1024)),
            str_attr(t, "runtime_platform.cpu_architecture")
                .known()
                .unwrap_or_else(|| "X86_64".into()),
        ),
        None => {
            let u = td.as_unknown().unwrap_or_else(|| unknown_attr(r, "task_definition"));
            (Attr::Unknown(u.clone()), Attr::Unknown(u), "X86_64".into())
        }
    };
    Some(FargateInput {
        region: region_of(r),
        tasks: usage(ctx, r, "desired_count")
            .map(Attr::Known)
            .unwrap_or_else(|| count_attr(r, "desired_count").or(Num::ZERO)),
        vcpu,
        memory_gb,
        arch,
    })
}

pub fn fargate(i: &FargateInput, _r: &Resource) -> Vec<Component> {
    let arch = if i.arch == "ARM64" { "ARM" } else { "x86" };
    let tasks = i.tasks.clone().known().unwrap_or_default();
    vec![
        Component::fixed(
            format!("Fargate vCPU (Linux/{arch})"),
            "vCPU-hours",
            hours() * tasks.clone() * i.vcpu.clone().known().unwrap_or_default(),
            sku("Fargate", format!("Linux/{arch} vCPU"), &i.region),
        )
        .unresolved_if(first_unknown(&[i.tasks.unknown(), i.vcpu.unknown()])),
        Component::fixed(
            format!("Fargate memory (Linux/{arch})"),
            "GB-hours",
            hours() * tasks * i.memory_gb.clone().known().unwrap_or_default(),
            sku("Fargate", format!("Linux/{arch} memory"), &i.region),
        )
        .unresolved_if(first_unknown(&[i.tasks.unknown(), i.memory_gb.unknown()])),
    ]
}

#[derive(Debug, Clone, PartialEq)]
pub struct EksClusterInput {
    pub region: String,
}

pub fn eks_cluster_input(r: &Resource) -> EksClusterInput {
    EksClusterInput { region: region_of(r) }
}

/// An EKS cluster's control plane, billed per cluster-hour whatever its size. Its nodes (node
/// groups, Fargate profiles, instances) are priced on their own resources.
pub fn eks_cluster(i: &EksClusterInput) -> Vec<Component> {
    vec![Component::fixed(
        "EKS cluster (control plane)",
        "hours",
        hours(),
        sku("EKS", "cluster hour (standard support)", &i.region),
    )]
}

#[derive(Debug, Clone, PartialEq)]
pub struct LambdaInput {
    pub region: String,
    pub arm: Attr<bool>,
    pub memory_mb: Attr<Num>,
    pub ephemeral_mb: Attr<Num>,
    pub requests: Option<Num>,
    pub duration_ms: Option<Num>,
}

pub fn lambda_input(r: &Resource, ctx: &Ctx) -> LambdaInput {
    let arches = attr_value(r, "architectures");
    let arm = match arches.as_unknown() {
        Some(u) => Attr::Unknown(u),
        None => match &arches {
            Value::List(items) | Value::Set(items) => Attr::Known(items.iter().any(|a| a.as_str() == Some("arm64"))),
            _ => Attr::Known(false),
        },
    };
    LambdaInput {
        region: region_of(r),
        arm,
        memory_mb: num_attr(r, "memory_size").or(d(128).into()),
        ephemeral_mb: num_attr(r, "ephemeral_storage.size").or(d(512).into()),
        requests: usage(ctx, r, "monthly_requests"),
        duration_ms: usage(ctx, r, "request_duration_ms"),
    }
}

/// The GB-second tiers of Lambda duration: (component label, catalog label, tier size in
/// billion GB-seconds; `None` for the last, open tier). AWS sets the tiers per account and
/// region; a function is priced as if its own duration were the account's.
const LAMBDA_TIERS_X86: [(&str, &str, Option<i64>); 3] = [
    ("first 6B", "first 6B GB-seconds", Some(6)),
    ("next 9B", "next 9B GB-seconds", Some(9)),
    ("over 15B", "over 15B GB-seconds", None),
];
const LAMBDA_TIERS_ARM: [(&str, &str, Option<Decimal>); 3] = [
    (
        "first 7.5B",
        "first 7.5B GB-seconds",
        Some(Decimal::from_parts(75, 0, 0, false, 1)),
    ),
    (
        "next 11.25B",
        "next 11.25B GB-seconds",
        Some(Decimal::from_parts(1125, 0, 0, false, 2)),
    ),
    ("over 18.75B", "over 18.75B GB-seconds", None),
];

/// A Lambda function: requests, and duration in GB-seconds (requests × average duration ×
/// memory), split over AWS's volume tiers; ephemeral storage beyond the free 512 MB in
/// GB-seconds. The free tier (1M requests and 400,000 GB-seconds a month per account) is not
/// subtracted, and provisioned concurrency is not priced.
pub fn lambda(i: &LambdaInput, _r: &Resource) -> Vec<Component> {
    let arm = i.arm.clone().known().unwrap_or(false);
    let arch = if arm { "Arm" } else { "x86" };
    let tiers: Vec<(&str, &str, Option<Decimal>)> = if arm {
        LAMBDA_TIERS_ARM.to_vec()
    } else {
        LAMBDA_TIERS_X86.iter().map(|(a, b, n)| (*a, *b, n.map(d))).collect()
    };
    let billion = d(1_000_000_000);
    let unresolved = first_unknown(&[i.arm.unknown(), i.memory_mb.unknown()]);
    let mut out = vec![Component::usage(
        "Requests",
        "requests",
        "monthly_requests",
        i.requests.clone(),
        d(1_000_000),
        sku("Lambda", "requests", &i.region),
    )];
    // GB-seconds a month for `mb` of memory (or storage): requests × seconds × GB.
    let gb_seconds = |mb: Num| -> Option<Num> {
        match (&i.requests, &i.duration_ms) {
            (Some(req), Some(ms)) => Some(req.clone() * ms.clone() / d(1000) * mb / d(1024)),
            _ => None,
        }
    };
    let key = if i.requests.is_none() {
        "monthly_requests"
    } else {
        "request_duration_ms"
    };
    let memory = i.memory_mb.clone().known().unwrap_or_default();
    match gb_seconds(memory) {
        None => out.push(
            Component::usage(
                format!("Duration ({arch}, {})", tiers[0].0),
                "GB-seconds",
                key,
                None,
                Decimal::ONE,
                sku("Lambda", format!("duration ({arch}, {})", tiers[0].1), &i.region),
            )
            .unresolved_if(unresolved.clone()),
        ),
        Some(total) => {
            let mut left = total;
            for (n, (label, sku_label, size)) in tiers.iter().enumerate() {
                let take = match size {
                    Some(s) => std::cmp::min(left.clone(), (*s * billion).into()),
                    None => left.clone(),
                };
                if n > 0 && (take.is_zero() || matches!(take, Num::Ok(d, _) if d.is_sign_negative())) {
                    break;
                }
                left = left - take.clone();
                out.push(
                    Component::usage(
                        format!("Duration ({arch}, {label})"),
                        "GB-seconds",
                        "request_duration_ms",
                        Some(take),
                        Decimal::ONE,
                        sku("Lambda", format!("duration ({arch}, {sku_label})"), &i.region),
                    )
                    .unresolved_if(unresolved.clone()),
                );
                if matches!(left, Num::Invalid(_)) {
                    break;
                }
            }
        }
    }
    // Ephemeral storage: the first 512 MB of each function are free.
    let extra = match &i.ephemeral_mb {
        Attr::Known(mb) => Attr::Known(mb.clone() - d(512)),
        other => other.clone(),
    };
    let priced_storage = match &extra {
        Attr::Known(mb) => !(mb.is_zero() || matches!(mb, Num::Ok(d, _) if d.is_sign_negative())),
        Attr::Unknown(_) => true,
        Attr::Unset => false,
    };
    if priced_storage {
        let mb = extra.clone().known().unwrap_or_default();
        out.push(
            Component::usage(
                "Ephemeral storage (beyond 512 MB)",
                "GB-seconds",
                key,
                gb_seconds(mb),
                Decimal::ONE,
                sku("Lambda", "ephemeral storage", &i.region),
            )
            .unresolved_if(extra.unknown()),
        );
    }
    out
}
