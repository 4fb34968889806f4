//! Alarms that notify someone: for every metric listed (`"AWS/RDS:FreeStorageSpace"`), an alarm
//! on it with an SNS action, wherever the resource it watches exists.

use super::{items, GraphCtx, GraphOutcome};
use crate::model::Value;
use crate::rules::engine::Outcome;

pub fn validate(params: &toml::Table) -> Result<(), String> {
    let list = params
        .get("metrics")
        .and_then(|v| v.as_array())
        .ok_or("alarms_cover needs metrics = [\"Namespace:MetricName\", …]")?;
    for m in list {
        let s = m.as_str().ok_or("metrics are strings")?;
        let (ns, _) = s
            .split_once(':')
            .ok_or_else(|| format!("{s:?} is not Namespace:MetricName"))?;
        if watched(ns).is_empty() {
            return Err(format!("no resource type is known to publish namespace {ns}"));
        }
    }
    Ok(())
}

/// The resource types whose metrics a namespace holds.
fn watched(namespace: &str) -> &'static [&'static str] {
    match namespace {
        "AWS/EC2" => &["aws_autoscaling_group", "aws_instance"],
        "AWS/ApplicationELB" => &["aws_lb", "aws_alb"],
        "AWS/RDS" => &["aws_db_instance", "aws_rds_cluster"],
        "AWS/ElastiCache" => &["aws_elasticache_cluster", "aws_elasticache_replication_group"],
        "AWS/ECS" => &["aws_ecs_service"],
        _ => &[],
    }
}

fn notifies(v: Option<&Value>) -> bool {
    v.is_some_and(|v| {
        items(v).iter().any(|a| match a {
            Value::String(s) => s.contains(":sns:"),
            Value::Unknown(u) => u.refs.iter().any(|r| r.contains("aws_sns_topic.")),
            _ => false,
        }) || v
            .unknown_refs()
            .is_some_and(|u| u.refs.iter().any(|r| r.contains("aws_sns_topic.")))
    })
}

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let alarms: Vec<(String, String, bool)> = ctx
        .of_types(&["aws_cloudwatch_metric_alarm"])
        .into_iter()
        .map(|i| {
            let a = &ctx.resource(i).attributes;
            let s = |k: &str| a.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            (s("namespace"), s("metric_name"), notifies(a.get("alarm_actions")))
        })
        .collect();
    let mut out = Vec::new();
    for metric in ctx.param_strings("metrics") {
        let (ns, name) = metric.split_once(':').expect("validated");
        let subjects = ctx.of_types(watched(ns));
        let Some(&first) = subjects.first() else {
            continue;
        };
        let covered = alarms.iter().any(|(n, m, sns)| n == ns && m == name && *sns);
        out.push(if covered {
            GraphOutcome::pass(ctx, first)
        } else {
            GraphOutcome::on(
                ctx,
                first,
                Outcome::Fail,
                format!("no alarm on {ns} {name} notifies an SNS topic"),
            )
        });
    }
    out
}
