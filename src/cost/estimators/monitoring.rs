//! Monitoring and notifications: CloudWatch alarms, log groups and dashboards; SNS topics and
//! subscriptions; CloudTrail trails.

use super::*;
use crate::cost::{region_of, Component, Ctx, Num};
use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq)]
pub struct AlarmInput {
    pub region: String,
    pub high_resolution: bool,
    /// Metrics the alarm evaluates: 1, the metrics of a metric-math query, or 3 for anomaly
    /// detection (the metric and its two bands).
    pub metrics: Attr<Num>,
}

pub fn alarm_input(r: &Resource) -> AlarmInput {
    let period = num_attr(r, "period");
    let queries = blocks(r, "metric_query");
    let anomaly = !matches!(str_attr(r, "threshold_metric_id"), Attr::Unset);
    let (metrics, high) = match &queries {
        Attr::Known(q) if !q.is_empty() => {
            let with_metric: Vec<_> = q
                .iter()
                .filter_map(|m| blocks_of(m.get("metric").unwrap_or(&Value::Null)).known())
                .filter_map(|b| b.into_iter().next())
                .collect();
            let high = with_metric
                .iter()
                .any(|m| map_num(m, "period").known().is_some_and(|p| p < d(60).into()));
            (Attr::Known(d(with_metric.len().max(1) as i64).into()), high)
        }
        Attr::Unknown(u) => (Attr::Unknown(u.clone()), false),
        _ => (Attr::Known(Num::ONE), period.known().is_some_and(|p| p < d(60).into())),
    };
    AlarmInput {
        region: region_of(r),
        high_resolution: high,
        metrics: if anomaly { Attr::Known(d(3).into()) } else { metrics },
    }
}

pub fn alarm(i: &AlarmInput, _r: &Resource) -> Vec<Component> {
    let (name, sku_name) = if i.high_resolution {
        ("Alarm metrics (high resolution)", "high-resolution alarm metric")
    } else {
        (
            "Alarm metrics (standard resolution)",
            "standard-resolution alarm metric",
        )
    };
    vec![Component::fixed(
        name,
        "alarm metrics",
        i.metrics.clone().known().unwrap_or_default(),
        sku("CloudWatch", sku_name, &i.region),
    )
    .unresolved_if(i.metrics.unknown())]
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogGroupInput {
    pub region: String,
    pub infrequent_access: bool,
    pub ingested_gb: Option<Num>,
    pub storage_gb: Option<Num>,
    pub scanned_gb: Option<Num>,
}

pub fn log_group_input(r: &Resource, ctx: &Ctx) -> LogGroupInput {
    LogGroupInput {
        region: region_of(r),
        infrequent_access: str_attr(r, "log_group_class").known().as_deref() == Some("INFREQUENT_ACCESS"),
        ingested_gb: usage(ctx, r, "monthly_data_ingested_gb"),
        storage_gb: usage(ctx, r, "storage_gb"),
        scanned_gb: usage(ctx, r, "monthly_data_scanned_gb"),
    }
}

pub fn log_group(i: &LogGroupInput, _r: &Resource) -> Vec<Component> {
    let class = if i.infrequent_access {
        "Infrequent Access class"
    } else {
        "Standard class"
    };
    vec![
        Component::usage(
            format!("Data ingested ({class})"),
            "GB",
            "monthly_data_ingested_gb",
            i.ingested_gb.clone(),
            Decimal::ONE,
            sku("CloudWatch", format!("Logs ingestion ({class})"), &i.region),
        ),
        Component::usage(
            "Archival storage",
            "GB-months",
            "storage_gb",
            i.storage_gb.clone(),
            Decimal::ONE,
            sku("CloudWatch", "Logs storage/archival", &i.region),
        ),
        Component::usage(
            "Insights queries data scanned",
            "GB",
            "monthly_data_scanned_gb",
            i.scanned_gb.clone(),
            Decimal::ONE,
            sku("CloudWatch", "Logs Insights data scanned", &i.region),
        ),
    ]
}

pub fn dashboard(r: &Resource) -> Vec<Component> {
    vec![Component::fixed(
        "Dashboard",
        "months",
        Decimal::ONE,
        sku("CloudWatch", "dashboard", &region_of(r)),
    )]
}

#[derive(Debug, Clone, PartialEq)]
pub struct SnsTopicInput {
    pub region: String,
    pub fifo: bool,
    pub requests: Option<Num>,
}

pub fn sns_topic_input(r: &Resource, ctx: &Ctx) -> SnsTopicInput {
    SnsTopicInput {
        region: region_of(r),
        fifo: bool_attr(r, "fifo_topic").known().unwrap_or(false),
        requests: usage(ctx, r, "monthly_requests"),
    }
}

pub fn sns_topic(i: &SnsTopicInput, _r: &Resource) -> Vec<Component> {
    let kind = if i.fifo { "FIFO" } else { "standard" };
    vec![Component::usage(
        format!("API requests ({kind} topic)"),
        "requests",
        "monthly_requests",
        i.requests.clone(),
        d(1_000_000),
        sku(
            "SNS",
            if i.fifo {
                "FIFO topic API requests".to_string()
            } else {
                "standard topic API requests (over 1M free)".to_string()
            },
            &i.region,
        ),
    )]
}

#[derive(Debug, Clone, PartialEq)]
pub struct SnsSubscriptionInput {
    pub region: String,
    pub protocol: Attr<String>,
    pub notifications: Option<Num>,
}

pub fn sns_subscription_input(r: &Resource, ctx: &Ctx) -> SnsSubscriptionInput {
    SnsSubscriptionInput {
        region: region_of(r),
        protocol: str_attr(r, "protocol"),
        notifications: usage(ctx, r, "monthly_requests"),
    }
}

pub fn sns_subscription(i: &SnsSubscriptionInput, r: &Resource) -> Vec<Component> {
    let (name, sku_name) = match i.protocol.clone().known().as_deref() {
        Some("email" | "email-json") => ("Email notifications", "email/email-JSON notifications (over 1k free)"),
        Some("http" | "https") => ("HTTP/S notifications", "HTTP/HTTPS notifications (over 100k free)"),
        Some("sms") => ("SMS notifications", "SMS notifications"),
        Some("application") => ("Mobile push notifications", "mobile push notifications"),
        // Deliveries to SQS and Lambda are free.
        Some(_) => return Vec::new(),
        None => ("Notifications", "notifications"),
    };
    vec![Component::usage(
        name,
        "notifications",
        "monthly_requests",
        i.notifications.clone(),
        d(100_000),
        sku("SNS", sku_name, &i.region),
    )
    .unresolved_if(match &i.protocol {
        Attr::Unknown(u) => Some(u.clone()),
        Attr::Unset => Some(unknown_attr(r, "protocol")),
        _ => None,
    })]
}

#[derive(Debug, Clone, PartialEq)]
pub struct CloudTrailInput {
    pub region: String,
    pub data_events: bool,
    pub insights: bool,
    pub management_events: Option<Num>,
    pub data_event_count: Option<Num>,
    pub insight_events: Option<Num>,
}

pub fn cloudtrail_input(r: &Resource, ctx: &Ctx) -> CloudTrailInput {
    let selectors = blocks(r, "event_selector").known().unwrap_or_default();
    let advanced = blocks(r, "advanced_event_selector").known().unwrap_or_default();
    CloudTrailInput {
        region: region_of(r),
        data_events: !advanced.is_empty()
            || selectors.iter().any(|s| {
                blocks_of(s.get("data_resource").unwrap_or(&Value::Null))
                    .known()
                    .is_some_and(|d| !d.is_empty())
            }),
        insights: blocks(r, "insight_selector").known().is_some_and(|b| !b.is_empty()),
        management_events: usage(ctx, r, "monthly_additional_management_events"),
        data_event_count: usage(ctx, r, "monthly_data_events"),
        insight_events: usage(ctx, r, "monthly_insight_events"),
    }
}

/// The first copy of management events is free; further trails, data and Insights events are
/// charged per 100,000 events.
pub fn cloudtrail(i: &CloudTrailInput, _r: &Resource) -> Vec<Component> {
    let mut out = vec![Component::usage(
        "Management events (additional copies)",
        "events",
        "monthly_additional_management_events",
        i.management_events.clone(),
        d(100_000),
        sku("CloudTrail", "management events (additional copies)", &i.region),
    )];
    if i.data_events {
        out.push(Component::usage(
            "Data events",
            "events",
            "monthly_data_events",
            i.data_event_count.clone(),
            d(100_000),
            sku("CloudTrail", "data events", &i.region),
        ));
    }
    if i.insights {
        out.push(Component::usage(
            "Insights events",
            "events",
            "monthly_insight_events",
            i.insight_events.clone(),
            d(100_000),
            sku("CloudTrail", "Insights events", &i.region),
        ));
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
pub struct SqsQueueInput {
    pub region: String,
    pub fifo: bool,
    pub requests: Option<Num>,
    /// The size of a request in KB; SQS bills each 64 KB chunk of a request as one request.
    pub request_size_kb: Option<Num>,
}

pub fn sqs_queue_input(r: &Resource, ctx: &Ctx) -> SqsQueueInput {
    SqsQueueInput {
        region: region_of(r),
        fifo: bool_attr(r, "fifo_queue").known().unwrap_or(false),
        requests: usage(ctx, r, "monthly_requests"),
        request_size_kb: usage(ctx, r, "request_size_kb"),
    }
}

/// SQS requests: each 64 KB chunk of a request is billed as one request (a request of up to
/// 64 KB is one; 128 KB is two). The free tier (1M requests a month per account) is not
/// subtracted.
pub fn sqs_queue(i: &SqsQueueInput, _r: &Resource) -> Vec<Component> {
    let kind = if i.fifo { "FIFO" } else { "standard" };
    let chunks = match &i.request_size_kb {
        Some(kb) => (kb.clone() / d(64)).ceil(),
        None => Num::ONE,
    };
    // A request of 0 KB is still a request.
    let chunks = if chunks.is_zero() { Num::ONE } else { chunks };
    vec![Component::usage(
        format!("Requests ({kind} queue)"),
        "requests",
        "monthly_requests",
        i.requests.clone().map(|q| q * chunks),
        d(1_000_000),
        sku("SQS", format!("{kind} queue requests"), &i.region),
    )]
}
