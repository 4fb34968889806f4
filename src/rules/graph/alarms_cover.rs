//! Alarms on the vital signs, one requirement a rule (`require`): `"alarm"`, for every metric
//! listed (`"AWS/RDS:FreeStorageSpace"`) there is an alarm on it wherever the resource it watches
//! exists; `"notify"`, every alarm on a listed metric has an SNS action, so someone hears of it.

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
    match params.get("require").and_then(|v| v.as_str()) {
        None | Some("alarm" | "notify") => Ok(()),
        Some(other) => Err(format!(
            "alarms_cover takes require = \"alarm\" or \"notify\", not {other:?}"
        )),
    }
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
    let alarms: Vec<(usize, String, String, bool)> = ctx
        .of_types(&["aws_cloudwatch_metric_alarm"])
        .into_iter()
        .map(|i| {
            let a = &ctx.resource(i).attributes;
            let s = |k: &str| a.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            (i, s("namespace"), s("metric_name"), notifies(a.get("alarm_actions")))
        })
        .collect();
    let metrics = ctx.param_strings("metrics");
    let listed = |ns: &str, name: &str| metrics.iter().any(|m| m.split_once(':') == Some((ns, name)));
    let mut out = Vec::new();
    if ctx.param_str("require") == Some("notify") {
        for (i, ns, name, sns) in &alarms {
            if !listed(ns, name) {
                continue;
            }
            out.push(if *sns {
                GraphOutcome::pass(ctx, *i)
            } else {
                GraphOutcome::on(
                    ctx,
                    *i,
                    Outcome::Fail,
                    format!("the alarm on {ns} {name} notifies no SNS topic"),
                )
                .at("alarm_actions")
            });
        }
        return out;
    }
    for metric in &metrics {
        let (ns, name) = metric.split_once(':').expect("validated");
        let subjects = ctx.of_types(watched(ns));
        let Some(&first) = subjects.first() else {
            continue;
        };
        let covered = alarms.iter().any(|(_, n, m, _)| n == ns && m == name);
        out.push(if covered {
            GraphOutcome::pass(ctx, first)
        } else {
            GraphOutcome::on(ctx, first, Outcome::Fail, format!("no alarm watches {ns} {name}"))
        });
    }
    out
}
