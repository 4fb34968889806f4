//! Storage: S3 buckets, DynamoDB tables, ECR repositories, EFS file systems.

use super::*;
use crate::cost::{hours, region_of, Component, Ctx, Num};
use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq)]
pub struct S3Input {
    pub region: String,
    pub storage_gb: Option<Num>,
    /// PUT, COPY, POST, LIST requests.
    pub tier1: Option<Num>,
    /// GET, SELECT and the rest.
    pub tier2: Option<Num>,
}

pub fn s3_bucket_input(r: &Resource, ctx: &Ctx) -> S3Input {
    // Infracost nests Standard-class usage under `standard:`; a flat key is read too.
    let get = |k: &str| usage(ctx, r, &format!("standard.{k}")).or_else(|| usage(ctx, r, k));
    S3Input {
        region: region_of(r),
        storage_gb: get("storage_gb"),
        tier1: get("monthly_tier_1_requests"),
        tier2: get("monthly_tier_2_requests"),
    }
}

pub fn s3_bucket(i: &S3Input, _r: &Resource) -> Vec<Component> {
    vec![
        Component::usage(
            "Storage (Standard)",
            "GB-months",
            "standard.storage_gb",
            i.storage_gb.clone(),
            Decimal::ONE,
            sku("S3", "Standard storage (first 50 TB)", &i.region),
        ),
        Component::usage(
            "PUT, COPY, POST, LIST requests (Standard)",
            "requests",
            "standard.monthly_tier_1_requests",
            i.tier1.clone(),
            d(1000),
            sku("S3", "Standard PUT/COPY/POST/LIST", &i.region),
        ),
        Component::usage(
            "GET, SELECT and all other requests (Standard)",
            "requests",
            "standard.monthly_tier_2_requests",
            i.tier2.clone(),
            d(1000),
            sku("S3", "Standard GET/SELECT/other", &i.region),
        ),
    ]
}

#[derive(Debug, Clone, PartialEq)]
pub struct DynamoDbInput {
    pub region: String,
    pub on_demand: Attr<bool>,
    pub read_capacity: Attr<Num>,
    pub write_capacity: Attr<Num>,
    pub reads: Option<Num>,
    pub writes: Option<Num>,
    pub storage_gb: Option<Num>,
    pub pitr: bool,
    pub pitr_gb: Option<Num>,
}

pub fn dynamodb_input(r: &Resource, ctx: &Ctx) -> DynamoDbInput {
    DynamoDbInput {
        region: region_of(r),
        on_demand: str_attr(r, "billing_mode")
            .or("PROVISIONED".into())
            .map(|m| m == "PAY_PER_REQUEST"),
        read_capacity: num_attr(r, "read_capacity").or(Num::ZERO),
        write_capacity: num_attr(r, "write_capacity").or(Num::ZERO),
        reads: usage(ctx, r, "monthly_read_request_units"),
        writes: usage(ctx, r, "monthly_write_request_units"),
        storage_gb: usage(ctx, r, "storage_gb"),
        pitr: bool_attr(r, "point_in_time_recovery.enabled").known() == Some(true),
        pitr_gb: usage(ctx, r, "pitr_backup_storage_gb"),
    }
}

pub fn dynamodb_table(i: &DynamoDbInput, _r: &Resource) -> Vec<Component> {
    let mut out = Vec::new();
    match &i.on_demand {
        Attr::Known(true) => {
            out.push(Component::usage(
                "Write request units (on-demand)",
                "WRUs",
                "monthly_write_request_units",
                i.writes.clone(),
                d(1_000_000),
                sku("DynamoDB", "on-demand write request units (Standard table)", &i.region),
            ));
            out.push(Component::usage(
                "Read request units (on-demand)",
                "RRUs",
                "monthly_read_request_units",
                i.reads.clone(),
                d(1_000_000),
                sku("DynamoDB", "on-demand read request units (Standard table)", &i.region),
            ));
        }
        mode => {
            let u = mode.unknown();
            out.push(
                Component::fixed(
                    "Write capacity (provisioned)",
                    "WCU-hours",
                    hours() * i.write_capacity.clone().known().unwrap_or_default(),
                    sku("DynamoDB", "provisioned WCU", &i.region),
                )
                .unresolved_if(first_unknown(&[u.clone(), i.write_capacity.unknown()])),
            );
            out.push(
                Component::fixed(
                    "Read capacity (provisioned)",
                    "RCU-hours",
                    hours() * i.read_capacity.clone().known().unwrap_or_default(),
                    sku("DynamoDB", "provisioned RCU", &i.region),
                )
                .unresolved_if(first_unknown(&[u, i.read_capacity.unknown()])),
            );
        }
    }
    out.push(Component::usage(
        "Data storage",
        "GB-months",
        "storage_gb",
        i.storage_gb.clone(),
        Decimal::ONE,
        sku("DynamoDB", "data storage (Standard table)", &i.region),
    ));
    if i.pitr {
        out.push(Component::usage(
            "Point-in-time recovery backup storage",
            "GB-months",
            "pitr_backup_storage_gb",
            i.pitr_gb.clone(),
            Decimal::ONE,
            sku("DynamoDB", "continuous backups (PITR)", &i.region),
        ));
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
pub struct EcrInput {
    pub region: String,
    pub storage_gb: Option<Num>,
}

pub fn ecr_input(r: &Resource, ctx: &Ctx) -> EcrInput {
    EcrInput {
        region: region_of(r),
        storage_gb: usage(ctx, r, "storage_gb"),
    }
}

pub fn ecr(i: &EcrInput, _r: &Resource) -> Vec<Component> {
    vec![Component::usage(
        "Storage",
        "GB-months",
        "storage_gb",
        i.storage_gb.clone(),
        Decimal::ONE,
        sku("ECR", "storage", &i.region),
    )]
}

#[derive(Debug, Clone, PartialEq)]
pub struct EfsInput {
    pub region: String,
    /// One Zone storage (`availability_zone_name` set) rather than Regional.
    pub one_zone: Attr<bool>,
    /// A lifecycle policy moves files to Infrequent Access.
    pub infrequent_access: bool,
    /// Provisioned throughput (MiB/s) when `throughput_mode = "provisioned"`.
    pub provisioned_mibps: Option<Attr<Num>>,
    pub storage_gb: Option<Num>,
    pub ia_storage_gb: Option<Num>,
    pub ia_read_gb: Option<Num>,
    pub ia_write_gb: Option<Num>,
}

pub fn efs_input(r: &Resource, ctx: &Ctx) -> EfsInput {
    let az = attr_value(r, "availability_zone_name");
    let one_zone = match az.as_unknown() {
        Some(u) => Attr::Unknown(u),
        None => Attr::Known(!matches!(az, Value::Null)),
    };
    let infrequent_access = match blocks(r, "lifecycle_policy") {
        Attr::Known(policies) => policies
            .iter()
            .any(|p| !matches!(p.get("transition_to_ia").unwrap_or(&Value::Null), Value::Null)),
        _ => false,
    };
    let provisioned = str_attr(r, "throughput_mode").known().as_deref() == Some("provisioned");
    EfsInput {
        region: region_of(r),
        one_zone,
        infrequent_access,
        provisioned_mibps: provisioned.then(|| num_attr(r, "provisioned_throughput_in_mibps")),
        storage_gb: usage(ctx, r, "storage_gb"),
        ia_storage_gb: usage(ctx, r, "infrequent_access_storage_gb"),
        ia_read_gb: usage(ctx, r, "monthly_infrequent_access_read_gb"),
        ia_write_gb: usage(ctx, r, "monthly_infrequent_access_write_gb"),
    }
}

/// An EFS file system: storage (Regional or One Zone) from usage; with a lifecycle policy,
/// Infrequent Access storage and its reads and writes from usage; provisioned throughput beyond
/// what the stored data earns (50 KiB/s per GiB of storage), per MiB/s-month. Elastic
/// throughput (billed per GB transferred) is not priced.
pub fn efs(i: &EfsInput, _r: &Resource) -> Vec<Component> {
    let one_zone = i.one_zone.clone().known().unwrap_or(false);
    let class = if one_zone { "One Zone" } else { "Standard" };
    let mut out = vec![Component::usage(
        format!("Storage ({class})"),
        "GB-months",
        "storage_gb",
        i.storage_gb.clone(),
        Decimal::ONE,
        sku("EFS", format!("{class} storage"), &i.region),
    )
    .unresolved_if(i.one_zone.unknown())];
    if i.infrequent_access {
        let ia = if one_zone { "One Zone-IA" } else { "Standard-IA" };
        for (name, unit, key, q, sku_name) in [
            (
                "storage",
                "GB-months",
                "infrequent_access_storage_gb",
                &i.ia_storage_gb,
                "storage",
            ),
            (
                "reads",
                "GB",
                "monthly_infrequent_access_read_gb",
                &i.ia_read_gb,
                "read access",
            ),
            (
                "writes",
                "GB",
                "monthly_infrequent_access_write_gb",
                &i.ia_write_gb,
                "write access",
            ),
        ] {
            out.push(
                Component::usage(
                    format!("Infrequent Access {name} ({ia})"),
                    unit,
                    key,
                    q.clone(),
                    Decimal::ONE,
                    sku("EFS", format!("{ia} {sku_name}"), &i.region),
                )
                .unresolved_if(i.one_zone.unknown()),
            );
        }
    }
    if let Some(mibps) = &i.provisioned_mibps {
        let sku = sku("EFS", "provisioned throughput", &i.region);
        let name = "Provisioned throughput (beyond the storage's baseline)";
        match (mibps, &i.storage_gb) {
            (Attr::Unknown(u), _) => {
                out.push(Component::fixed(name, "MiBps-months", Num::ZERO, sku).unresolved_if(Some(u.clone())))
            }
            // Not set: the provider rejects provisioned mode without it; nothing to price.
            (Attr::Unset, _) => {}
            // The baseline the stored data earns depends on how much is stored.
            (Attr::Known(_), None) => out.push(Component::usage(
                name,
                "MiBps-months",
                "storage_gb",
                None,
                Decimal::ONE,
                sku,
            )),
            (Attr::Known(p), Some(gb)) => {
                let billed = p.clone() - gb.clone() * Decimal::new(5, 2);
                let billed = match billed {
                    Num::Ok(d, _) if d.is_sign_negative() => Num::ZERO,
                    other => other,
                };
                out.push(Component::usage(
                    name,
                    "MiBps-months",
                    "storage_gb",
                    Some(billed),
                    Decimal::ONE,
                    sku,
                ))
            }
        }
    }
    out
}
