//! Databases: RDS instances, Aurora clusters and their instances.

use super::*;
use crate::cost::{hours, region_of, Component, Ctx, Num};
use rust_decimal::Decimal;

/// The engine as the price list names it.
fn engine_name(engine: &str) -> String {
    match engine {
        "mysql" => "MySQL".into(),
        "postgres" => "PostgreSQL".into(),
        "mariadb" => "MariaDB".into(),
        "aurora" | "aurora-mysql" => "Aurora MySQL".into(),
        "aurora-postgresql" => "Aurora PostgreSQL".into(),
        "oracle-se2" => "Oracle SE2 (license included)".into(),
        "sqlserver-ex" => "SQL Server Express".into(),
        "sqlserver-web" => "SQL Server Web".into(),
        "sqlserver-se" => "SQL Server Standard (license included)".into(),
        "sqlserver-ee" => "SQL Server Enterprise (license included)".into(),
        other => other.to_string(),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DbInstanceInput {
    pub region: String,
    pub engine: Attr<String>,
    pub instance_class: Attr<String>,
    pub multi_az: Attr<bool>,
    pub storage_type: Attr<String>,
    pub storage_gb: Attr<Num>,
    pub iops: Attr<Num>,
    pub backup_gb: Option<Num>,
}

pub fn db_instance_input(r: &Resource, ctx: &Ctx) -> DbInstanceInput {
    let iops = num_attr(r, "iops");
    let storage_type = match str_attr(r, "storage_type") {
        // The provider's default: io1 when IOPS are given, gp2 otherwise.
        Attr::Unset => match &iops {
            Attr::Known(_) => Attr::Known("io1".into()),
            _ => Attr::Known("gp2".into()),
        },
        other => other,
    };
    // A read replica inherits its engine and, unless it sets it, its allocated storage from the
    // source instance (found by reference or by identifier; a source in another region or account,
    // named by ARN, is not in the project and leaves the engine unknown). Its storage type is the
    // API's default for CreateDBInstanceReadReplica when unset (io1 with IOPS, else gp2), as above.
    let source = r.attributes.get("replicate_source_db").and_then(|v| {
        crate::model::join::link_targets(v, &ctx.index, &["aws_db_instance"], "identifier")
            .into_iter()
            .next()
            .map(|i| &ctx.project.resources[i])
    });
    let inherited = |attr: &str, own: Attr<String>| match (own, source) {
        (Attr::Unset, Some(src)) => str_attr(src, attr),
        (own, _) => own,
    };
    let storage_gb = match (num_attr(r, "allocated_storage"), source) {
        (Attr::Unset, Some(src)) => num_attr(src, "allocated_storage").or(d(20).into()),
        (own, _) => own.or(d(20).into()),
    };
    DbInstanceInput {
        region: region_of(r),
        engine: inherited("engine", str_attr(r, "engine")),
        instance_class: str_attr(r, "instance_class"),
        multi_az: bool_attr(r, "multi_az").or(false),
        storage_type,
        storage_gb,
        iops,
        backup_gb: usage(ctx, r, "additional_backup_storage_gb"),
    }
}

pub fn db_instance(i: &DbInstanceInput, r: &Resource) -> Vec<Component> {
    let region = i.region.as_str();
    let class = i
        .instance_class
        .clone()
        .known()
        .unwrap_or_else(|| "class unknown".into());
    let engine = match &i.engine {
        Attr::Known(e) => engine_name(e),
        // An instance of an Aurora cluster is `aws_rds_cluster_instance`; a replica inherits.
        _ => "engine unknown".into(),
    };
    let az = match i.multi_az.clone().known() {
        Some(true) => "Multi-AZ",
        _ => "Single-AZ",
    };
    let st = i.storage_type.clone().known().unwrap_or_else(|| "gp2".into());
    let size = i.storage_gb.clone().known().unwrap_or_default();
    let engine_unknown = match &i.engine {
        Attr::Unset => Some(unknown_attr(r, "engine")),
        a => a.unknown(),
    };
    let mut out = vec![
        Component::fixed(
            format!("Database instance (on-demand, {az}, {class})"),
            "hours",
            hours(),
            sku("RDS", format!("{class} {engine} {az} on-demand"), region),
        )
        .unresolved_if(first_unknown(&[
            i.instance_class.unknown(),
            engine_unknown,
            i.multi_az.unknown(),
        ])),
        Component::fixed(
            format!("Storage ({st}, {az})"),
            "GB-months",
            size.clone(),
            sku("RDS", format!("{st} storage, {az}"), region),
        )
        .unresolved_if(first_unknown(&[
            i.storage_type.unknown(),
            i.storage_gb.unknown(),
            i.multi_az.unknown(),
        ])),
    ];
    match (st.as_str(), &i.iops) {
        // gp3 includes 3,000 IOPS below 400 GB and 12,000 from 400 GB (MySQL, PostgreSQL, MariaDB).
        ("gp3", Attr::Known(iops)) => {
            let baseline = if size >= Num::from(d(400)) {
                Num::from(d(12_000))
            } else {
                Num::from(d(3000))
            };
            if *iops > baseline {
                out.push(Component::fixed(
                    format!("Provisioned IOPS above the gp3 baseline ({az})"),
                    "IOPS-months",
                    iops.clone() - baseline,
                    sku("RDS", format!("gp3 provisioned IOPS above baseline, {az}"), region),
                ));
            }
        }
        (t @ ("io1" | "io2"), iops) => out.push(
            Component::fixed(
                format!("Provisioned IOPS ({t}, {az})"),
                "IOPS-months",
                iops.clone().known().unwrap_or_default(),
                sku("RDS", format!("{t} provisioned IOPS, {az}"), region),
            )
            .unresolved_if(iops.unknown()),
        ),
        (_, Attr::Unknown(u)) => out.push(
            Component::fixed(
                format!("Provisioned IOPS ({st}, {az})"),
                "IOPS-months",
                Decimal::ZERO,
                sku("RDS", format!("{st} provisioned IOPS above baseline, {az}"), region),
            )
            .unresolved_if(Some(u.clone())),
        ),
        _ => {}
    }
    out.push(Component::usage(
        "Backup storage beyond the free allowance",
        "GB-months",
        "additional_backup_storage_gb",
        i.backup_gb.clone(),
        Decimal::ONE,
        sku("RDS", "backup storage beyond free allowance", region),
    ));
    out
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClusterInput {
    pub region: String,
    pub engine: Attr<String>,
    pub serverless_v1: bool,
    pub storage_gb: Option<Num>,
    /// Read plus write I/O requests per second, from usage.
    pub io_per_second: Option<Num>,
    pub backup_gb: Option<Num>,
    pub capacity_units: Option<Num>,
}

pub fn rds_cluster_input(r: &Resource, ctx: &Ctx) -> ClusterInput {
    let reads = usage(ctx, r, "read_requests_per_sec");
    let writes = usage(ctx, r, "write_requests_per_sec");
    ClusterInput {
        region: region_of(r),
        engine: str_attr(r, "engine").or("aurora".into()),
        serverless_v1: str_attr(r, "engine_mode").known().as_deref() == Some("serverless"),
        storage_gb: usage(ctx, r, "storage_gb"),
        io_per_second: match (reads, writes) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or_default() + b.unwrap_or_default()),
        },
        backup_gb: usage(ctx, r, "backup_snapshot_size_gb"),
        capacity_units: usage(ctx, r, "capacity_units_per_hr"),
    }
}

pub fn rds_cluster(i: &ClusterInput, _r: &Resource) -> Vec<Component> {
    let region = i.region.as_str();
    let engine = i.engine.clone().known().map(|e| engine_name(&e)).unwrap_or_default();
    let mut out = Vec::new();
    if i.serverless_v1 {
        out.push(Component::usage(
            format!("Aurora Serverless v1 capacity ({engine})"),
            "ACU-hours",
            "capacity_units_per_hr",
            i.capacity_units.clone().map(|c| c * hours()),
            Decimal::ONE,
            sku("RDS Aurora", format!("{engine} Serverless v1 ACU"), region),
        ));
    }
    out.push(Component::usage(
        "Storage (Aurora Standard)",
        "GB-months",
        "storage_gb",
        i.storage_gb.clone(),
        Decimal::ONE,
        sku("RDS Aurora", "Aurora Standard storage", region),
    ));
    out.push(Component::usage(
        "I/O requests (Aurora Standard)",
        "requests",
        "write_requests_per_sec",
        i.io_per_second.clone().map(|s| s * hours() * d(3600)),
        d(1_000_000),
        sku("RDS Aurora", "Aurora Standard I/O requests", region),
    ));
    out.push(Component::usage(
        "Backup storage beyond the free allowance",
        "GB-months",
        "backup_snapshot_size_gb",
        i.backup_gb.clone(),
        Decimal::ONE,
        sku("RDS Aurora", "backup storage beyond free allowance", region),
    ));
    out
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClusterInstanceInput {
    pub region: String,
    pub engine: Attr<String>,
    pub instance_class: Attr<String>,
    pub capacity_units: Option<Num>,
}

pub fn cluster_instance_input(r: &Resource, ctx: &Ctx) -> ClusterInstanceInput {
    let engine = match str_attr(r, "engine") {
        Attr::Unset => ctx
            .targets(&attr_value(r, "cluster_identifier"), &["aws_rds_cluster"])
            .first()
            .map(|c| str_attr(c, "engine").or("aurora".into()))
            .unwrap_or_else(|| Attr::Unknown(unknown_attr(r, "engine"))),
        other => other,
    };
    ClusterInstanceInput {
        region: region_of(r),
        engine,
        instance_class: str_attr(r, "instance_class"),
        capacity_units: usage(ctx, r, "capacity_units_per_hr"),
    }
}

pub fn cluster_instance(i: &ClusterInstanceInput, _r: &Resource) -> Vec<Component> {
    let region = i.region.as_str();
    let class = i
        .instance_class
        .clone()
        .known()
        .unwrap_or_else(|| "class unknown".into());
    let engine = i.engine.clone().known().map(|e| engine_name(&e)).unwrap_or_default();
    if class == "db.serverless" {
        return vec![Component::usage(
            format!("Aurora Serverless v2 capacity ({engine})"),
            "ACU-hours",
            "capacity_units_per_hr",
            i.capacity_units.clone().map(|c| c * hours()),
            Decimal::ONE,
            sku(
                "RDS Aurora",
                format!("{engine} Serverless v2 ACU (Aurora Standard)"),
                region,
            ),
        )
        .unresolved_if(i.engine.unknown())];
    }
    vec![Component::fixed(
        format!("Database instance (on-demand, {class})"),
        "hours",
        hours(),
        sku(
            "RDS Aurora",
            format!("{class} {engine} instance (Aurora Standard) on-demand"),
            region,
        ),
    )
    .unresolved_if(first_unknown(&[i.instance_class.unknown(), i.engine.unknown()]))]
}
