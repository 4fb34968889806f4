//! One estimator per resource family. Each family file has, per resource type, a typed input, a
//! function that maps the model's attributes into it, and a function that turns it into cost
//! components — so what a resource costs is written apart from how Terraform spells it.

pub mod cache;
pub mod compute;
pub mod database;
pub mod edge;
pub mod monitoring;
pub mod network;
pub mod search;
pub mod security;
pub mod storage;

use super::{Ctx, Estimate, Num, Sku};
use crate::model::Map;
use crate::model::{Resource, Unknown, Value};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Resource types AWS does not charge for, or whose cost is priced on another resource.
pub const FREE: &[&str] = &[
    "aws_acm_certificate",
    "aws_acm_certificate_validation",
    "aws_ami_launch_permission",
    "aws_appautoscaling_policy",
    "aws_appautoscaling_scheduled_action",
    "aws_appautoscaling_target",
    "aws_autoscaling_attachment",
    "aws_autoscaling_lifecycle_hook",
    "aws_autoscaling_notification",
    "aws_autoscaling_policy",
    "aws_autoscaling_schedule",
    "aws_cloudfront_cache_policy",
    "aws_cloudfront_origin_access_control",
    "aws_cloudfront_origin_access_identity",
    "aws_cloudfront_origin_request_policy",
    "aws_cloudfront_response_headers_policy",
    "aws_cloudwatch_event_rule",
    "aws_cloudwatch_event_target",
    "aws_cloudwatch_log_resource_policy",
    "aws_cloudwatch_log_subscription_filter",
    "aws_cloudwatch_log_metric_filter",
    "aws_codestarconnections_connection",
    "aws_db_instance_role_association",
    "aws_db_option_group",
    "aws_db_parameter_group",
    "aws_db_subnet_group",
    "aws_default_network_acl",
    "aws_default_route_table",
    "aws_default_security_group",
    "aws_default_subnet",
    "aws_default_vpc",
    "aws_dynamodb_table_item",
    "aws_ebs_encryption_by_default",
    "aws_ecr_lifecycle_policy",
    "aws_ecr_repository_policy",
    "aws_ecs_cluster",
    "aws_ecs_capacity_provider",
    "aws_ecs_cluster_capacity_providers",
    "aws_ecs_task_definition",
    "aws_egress_only_internet_gateway",
    "aws_eip_association",
    "aws_elasticache_parameter_group",
    "aws_elasticache_subnet_group",
    "aws_flow_log",
    "aws_iam_access_key",
    "aws_iam_account_password_policy",
    "aws_iam_group",
    "aws_iam_group_membership",
    "aws_iam_group_policy",
    "aws_iam_group_policy_attachment",
    "aws_iam_instance_profile",
    "aws_iam_openid_connect_provider",
    "aws_iam_policy",
    "aws_iam_policy_attachment",
    "aws_iam_role",
    "aws_iam_role_policy",
    "aws_iam_role_policy_attachment",
    "aws_iam_service_linked_role",
    "aws_iam_user",
    "aws_iam_user_policy",
    "aws_iam_user_policy_attachment",
    "aws_internet_gateway",
    "aws_key_pair",
    "aws_kms_alias",
    "aws_kms_grant",
    "aws_launch_configuration",
    "aws_launch_template",
    "aws_lb_listener",
    "aws_lb_listener_certificate",
    "aws_lb_listener_rule",
    "aws_lb_target_group",
    "aws_lb_target_group_attachment",
    "aws_alb_listener",
    "aws_alb_listener_rule",
    "aws_alb_target_group",
    "aws_alb_target_group_attachment",
    "aws_main_route_table_association",
    "aws_network_acl",
    "aws_network_acl_association",
    "aws_network_acl_rule",
    "aws_placement_group",
    "aws_rds_cluster_parameter_group",
    // Its member clusters and instances are priced.
    "aws_rds_global_cluster",
    "aws_route",
    "aws_route53_zone_association",
    "aws_route_table",
    "aws_route_table_association",
    "aws_s3_bucket_accelerate_configuration",
    "aws_s3_bucket_acl",
    "aws_s3_bucket_cors_configuration",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_logging",
    "aws_s3_bucket_notification",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_website_configuration",
    "aws_s3_account_public_access_block",
    "aws_secretsmanager_secret_policy",
    "aws_secretsmanager_secret_rotation",
    "aws_secretsmanager_secret_version",
    "aws_security_group",
    "aws_security_group_rule",
    "aws_sns_topic_policy",
    "aws_ssm_parameter",
    "aws_subnet",
    "aws_volume_attachment",
    "aws_vpc",
    "aws_vpc_dhcp_options",
    "aws_vpc_dhcp_options_association",
    "aws_vpc_endpoint_route_table_association",
    "aws_vpc_ipv4_cidr_block_association",
    "aws_vpc_security_group_egress_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_wafv2_web_acl_association",
    "aws_wafv2_web_acl_logging_configuration",
];

/// Providers whose resources live only in Terraform's state (random, null, tls, time, local).
const STATE_ONLY_PROVIDERS: &[&str] = &["random_", "null_", "tls_", "time_", "local_", "terraform_data"];

/// The estimate of one resource.
pub fn estimate(r: &Resource, ctx: &Ctx) -> Estimate {
    use Estimate::Components as C;
    match r.resource_type.as_str() {
        "aws_instance" => C(compute::instance(&compute::instance_input(r, ctx), r)),
        "aws_autoscaling_group" => C(compute::asg(&compute::asg_input(r, ctx), r)),
        "aws_ebs_volume" => C(compute::ebs_volume(&compute::ebs_volume_input(r, ctx), r)),
        "aws_ecs_service" => match compute::fargate_input(r, ctx) {
            Some(i) => C(compute::fargate(&i, r)),
            // EC2 launch type: the instances are priced on their auto scaling group.
            None => Estimate::Free,
        },
        "aws_nat_gateway" => C(network::nat_gateway(&network::nat_gateway_input(r, ctx), r)),
        "aws_eip" => C(network::eip(r)),
        "aws_lb" | "aws_alb" => C(network::load_balancer(&network::load_balancer_input(r, ctx), r)),
        "aws_elb" => C(network::classic_elb(&network::classic_elb_input(r, ctx), r)),
        "aws_vpc_endpoint" => match network::vpc_endpoint_input(r, ctx) {
            Some(i) => C(network::vpc_endpoint(&i, r)),
            None => Estimate::Free,
        },
        "aws_ec2_transit_gateway" => Estimate::Free,
        "aws_ec2_transit_gateway_vpc_attachment"
        | "aws_ec2_transit_gateway_peering_attachment"
        | "aws_ec2_transit_gateway_connect"
        | "aws_vpn_connection" => C(network::transit_attachment(
            &network::transit_attachment_input(r, ctx),
            r,
        )),
        "aws_db_instance" => C(database::db_instance(&database::db_instance_input(r, ctx), r)),
        "aws_rds_cluster" => C(database::rds_cluster(&database::rds_cluster_input(r, ctx), r)),
        "aws_rds_cluster_instance" => C(database::cluster_instance(&database::cluster_instance_input(r, ctx), r)),
        "aws_elasticache_cluster" | "aws_elasticache_replication_group" => {
            match cache::elasticache_input(r, ctx) {
                Some(i) => C(cache::elasticache(&i, r)),
                // A cluster that joins a replication group is priced on the group.
                None => Estimate::Free,
            }
        }
        "aws_opensearch_domain" => C(search::opensearch(&search::opensearch_input(r, ctx), r)),
        "aws_kms_key" => C(security::kms_key(&security::kms_key_input(r, ctx), r)),
        "aws_secretsmanager_secret" => C(security::secret(&security::secret_input(r, ctx), r)),
        "aws_cloudwatch_metric_alarm" => C(monitoring::alarm(&monitoring::alarm_input(r), r)),
        "aws_cloudwatch_log_group" => C(monitoring::log_group(&monitoring::log_group_input(r, ctx), r)),
        "aws_cloudwatch_dashboard" => C(monitoring::dashboard(r)),
        "aws_sns_topic" => C(monitoring::sns_topic(&monitoring::sns_topic_input(r, ctx), r)),
        "aws_sqs_queue" => C(monitoring::sqs_queue(&monitoring::sqs_queue_input(r, ctx), r)),
        "aws_eks_cluster" => C(compute::eks_cluster(&compute::eks_cluster_input(r))),
        "aws_lambda_function" => C(compute::lambda(&compute::lambda_input(r, ctx), r)),
        "aws_efs_file_system" => C(storage::efs(&storage::efs_input(r, ctx), r)),
        "aws_sns_topic_subscription" => C(monitoring::sns_subscription(
            &monitoring::sns_subscription_input(r, ctx),
            r,
        )),
        "aws_cloudtrail" => C(monitoring::cloudtrail(&monitoring::cloudtrail_input(r, ctx), r)),
        "aws_route53_zone" => C(edge::hosted_zone(r)),
        "aws_route53_record" => match edge::record_input(r, ctx) {
            Some(i) => C(edge::record(&i)),
            // Alias queries to AWS resources are free.
            None => Estimate::Free,
        },
        "aws_route53_health_check" => C(edge::health_check(&edge::health_check_input(r, ctx))),
        "aws_wafv2_web_acl" => C(edge::web_acl(&edge::web_acl_input(r, ctx), r)),
        "aws_cloudfront_distribution" => C(edge::cloudfront(&edge::cloudfront_input(r, ctx))),
        "aws_s3_bucket" => C(storage::s3_bucket(&storage::s3_bucket_input(r, ctx), r)),
        "aws_dynamodb_table" => C(storage::dynamodb_table(&storage::dynamodb_input(r, ctx), r)),
        "aws_ecr_repository" => C(storage::ecr(&storage::ecr_input(r, ctx), r)),
        t if FREE.contains(&t) => Estimate::Free,
        t if STATE_ONLY_PROVIDERS.iter().any(|p| t.starts_with(p)) => Estimate::Free,
        _ => Estimate::NotEstimated,
    }
}

/// A typed attribute: known, not set, or known only after apply.
#[derive(Debug, Clone, PartialEq)]
pub enum Attr<T> {
    Known(T),
    Unset,
    Unknown(Unknown),
}

impl<T> Attr<T> {
    pub fn known(self) -> Option<T> {
        match self {
            Attr::Known(t) => Some(t),
            _ => None,
        }
    }

    pub fn unknown(&self) -> Option<Unknown> {
        match self {
            Attr::Unknown(u) => Some(u.clone()),
            _ => None,
        }
    }

    /// The value, or `default` when not set (unknown stays unknown).
    pub fn or(self, default: T) -> Attr<T> {
        match self {
            Attr::Unset => Attr::Known(default),
            other => other,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Attr<U> {
        match self {
            Attr::Known(t) => Attr::Known(f(t)),
            Attr::Unset => Attr::Unset,
            Attr::Unknown(u) => Attr::Unknown(u),
        }
    }
}

/// The value at a dotted path: `root_block_device.volume_size` reads the first nested block.
pub fn value_at(v: &Value, path: &str) -> Value {
    let mut cur = v.clone();
    for seg in path.split('.') {
        cur = match cur {
            Value::List(items) | Value::Set(items) => match items.into_iter().next() {
                Some(first) => first,
                None => return Value::Null,
            },
            other => other,
        };
        cur = match &cur {
            Value::Null => return Value::Null,
            _ => match cur.get_attr(seg) {
                Ok(v) => v,
                Err(_) => return Value::Null,
            },
        };
    }
    cur
}

/// The attribute at a dotted path of a resource (joined companions included).
pub fn attr_value(r: &Resource, path: &str) -> Value {
    let (head, rest) = path.split_once('.').unwrap_or((path, ""));
    let Some(top) = r.get(head) else {
        return Value::Null;
    };
    if rest.is_empty() {
        top
    } else {
        value_at(&top, rest)
    }
}

fn typed<T>(v: Value, f: impl FnOnce(&Value) -> Option<T>) -> Attr<T> {
    match &v {
        Value::Null => Attr::Unset,
        _ => match v.as_unknown() {
            Some(u) => Attr::Unknown(u),
            None => f(&v).map_or(Attr::Unset, Attr::Known),
        },
    }
}

pub fn str_attr(r: &Resource, path: &str) -> Attr<String> {
    typed(attr_value(r, path), |v| v.as_str().map(str::to_string))
}

/// A number attribute as a checked figure named by its path: one that does not fit (`1e30`) or
/// is not finite is a figure with the reason it has none, so what it prices is not priced.
pub fn num_attr(r: &Resource, path: &str) -> Attr<Num> {
    typed(attr_value(r, path), |v| number(v, path))
}

/// A count attribute (instances, nodes, capacity units): as [`num_attr`], and negative is invalid.
pub fn count_attr(r: &Resource, path: &str) -> Attr<Num> {
    num_attr(r, path).map(Num::count)
}

fn number(v: &Value, name: &str) -> Option<Num> {
    match v {
        Value::Number(n) => Some(Num::from_f64(*n, name)),
        Value::String(s) => match s.trim().parse::<f64>() {
            Ok(n) => Some(Num::from_f64(n, name)),
            Err(_) => None,
        },
        _ => None,
    }
}

pub fn bool_attr(r: &Resource, path: &str) -> Attr<bool> {
    typed(attr_value(r, path), |v| match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.parse().ok(),
        _ => None,
    })
}

/// The nested blocks (or list elements) at `path`, each as a map; unknown when the list is.
pub fn blocks(r: &Resource, path: &str) -> Attr<Vec<Map>> {
    let v = attr_value(r, path);
    blocks_of(&v)
}

pub fn blocks_of(v: &Value) -> Attr<Vec<Map>> {
    match v {
        Value::Null => Attr::Unset,
        Value::List(items) | Value::Set(items) => Attr::Known(
            items
                .iter()
                .filter_map(|i| match i {
                    Value::Map(m) => Some(m.clone()),
                    Value::Open(o) => Some(o.attrs.clone()),
                    _ => None,
                })
                .collect(),
        ),
        Value::Map(m) => Attr::Known(vec![m.clone()]),
        other => match other.as_unknown() {
            Some(u) => Attr::Unknown(u),
            None => Attr::Unset,
        },
    }
}

/// The length of a list attribute (its elements may be unknown).
pub fn list_len(r: &Resource, path: &str) -> Attr<usize> {
    match attr_value(r, path) {
        Value::Null => Attr::Unset,
        Value::List(items) | Value::Set(items) => Attr::Known(items.len()),
        other => match other.as_unknown() {
            Some(u) => Attr::Unknown(u),
            None => Attr::Unset,
        },
    }
}

/// A typed reader over a nested block's map.
pub fn map_str(m: &Map, key: &str) -> Attr<String> {
    typed(m.get(key).cloned().unwrap_or(Value::Null), |v| {
        v.as_str().map(str::to_string)
    })
}

pub fn map_num(m: &Map, key: &str) -> Attr<Num> {
    typed(m.get(key).cloned().unwrap_or(Value::Null), |v| number(v, key))
}

pub fn map_bool(m: &Map, key: &str) -> Attr<bool> {
    typed(m.get(key).cloned().unwrap_or(Value::Null), |v| match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.parse().ok(),
        _ => None,
    })
}

/// An unknown that names what is not known: `<address>.<attribute>`.
pub fn unknown_attr(r: &Resource, attr: &str) -> Unknown {
    Unknown::of(format!("{}.{attr}", r.address))
}

pub fn sku(service: &'static str, sku: impl Into<String>, region: &str) -> Sku {
    Sku {
        service,
        sku: sku.into(),
        region: region.to_string(),
    }
}

/// A usage number of a resource, named by its key (a value too large is a figure with a reason).
pub fn usage(ctx: &Ctx, r: &Resource, key: &str) -> Option<Num> {
    ctx.usage.number(&r.address, &r.resource_type, key)
}

pub fn usage_str(ctx: &Ctx, r: &Resource, key: &str) -> Option<String> {
    ctx.usage.string(&r.address, &r.resource_type, key)
}

pub fn d(n: i64) -> Decimal {
    Decimal::from(n)
}

/// The first of several unknowns.
pub fn first_unknown(attrs: &[Option<Unknown>]) -> Option<Unknown> {
    attrs.iter().flatten().next().cloned()
}
