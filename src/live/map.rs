//! Configuration items → Terraform-shaped resources, one function per AWS Config resource type.
//! Field names are those of AWS Config's documented items (the service APIs' shapes, camelCase);
//! attribute names are the AWS provider's. What an item does not record stays unknown, naming the
//! item, so rules report it unresolved rather than guessing.

use super::resource;
use crate::model::Map;
use crate::model::{Resource, Unknown, Value};
use crate::source::Span;
use serde_json::Value as J;
use std::collections::BTreeMap;

pub enum Mapped {
    Resources(Vec<Resource>),
    /// Read, and deliberately not a resource of the model (an AWS-managed key).
    Skipped(String),
    Unmapped,
}

/// The resource types with a mapping.
pub const MAPPED_TYPES: &[&str] = &[
    "AWS::S3::Bucket",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Volume",
    "AWS::EC2::Instance",
    "AWS::RDS::DBInstance",
    "AWS::KMS::Key",
    "AWS::RDS::DBCluster",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::EC2::VPC",
    "AWS::EC2::FlowLog",
    "AWS::EC2::Subnet",
    "AWS::EC2::NatGateway",
    "AWS::EC2::RouteTable",
    "AWS::CloudTrail::Trail",
];

/// The graph checks that conclude from resources `live` does not map, and what those are.
pub fn unread_by(graph_check: &str, params: &toml::Table) -> Option<String> {
    let what = match graph_check {
        "alarms_cover" => "CloudWatch alarms",
        "waf_on_edge" => "WAF web ACL associations and CloudFront distributions",
        "route53_health_check" => "Route 53 records and health checks",
        "ecs_containers" => "ECS task definitions",
        // Attached only by resources of some types (`by`): `live` maps none of them.
        "attached" => {
            let by: Vec<&str> = params
                .get("by")
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
                .unwrap_or_default();
            return (!by.is_empty()).then(|| format!("{} resources", by.join(" and ")));
        }
        _ => return None,
    };
    Some(what.to_string())
}

/// A JSON field that AWS Config may give as an object or as a JSON string (configuration,
/// supplementary configuration; moto even encodes some twice).
fn decoded(v: Option<&J>) -> J {
    let mut v = v.cloned().unwrap_or(J::Null);
    for _ in 0..2 {
        if let J::String(s) = &v {
            match serde_json::from_str::<J>(s) {
                Ok(inner) => v = inner,
                Err(_) => break,
            }
        }
    }
    v
}

fn s(v: &J, k: &str) -> Option<String> {
    v.get(k).and_then(|x| x.as_str()).map(str::to_string)
}

fn put(attrs: &mut Map, k: &str, v: Option<Value>) {
    if let Some(v) = v {
        attrs.insert(k.to_string(), v);
    }
}

/// Reads one configuration field as a value of the model.
type Getter = fn(&J, &str) -> Option<Value>;

/// Copies configuration fields into attributes: (Terraform attribute, how to read it, AWS field).
fn copy(attrs: &mut Map, config: &J, fields: &[(&str, Getter, &str)]) {
    for (tf, get, aws) in fields {
        put(attrs, tf, get(config, aws));
    }
}

fn jbool(v: &J, k: &str) -> Option<Value> {
    match v.get(k)? {
        J::Bool(b) => Some(Value::Bool(*b)),
        J::String(s) => s.parse().ok().map(Value::Bool),
        _ => None,
    }
}

fn jnum(v: &J, k: &str) -> Option<Value> {
    match v.get(k)? {
        J::Number(n) => n.as_f64().map(Value::Number),
        J::String(s) => s.parse().ok().map(Value::Number),
        _ => None,
    }
}

fn jstr(v: &J, k: &str) -> Option<Value> {
    s(v, k).map(Value::String)
}

/// A value AWS Config does not record: unknown, naming the item's attribute.
fn not_recorded(arn: &str, attr: &str) -> Value {
    Value::Unknown(Unknown::of(format!("{arn} {attr} (not recorded by AWS Config)")))
}

/// One rule of `BucketLifecycleConfiguration`, in the shape of a lifecycle configuration's `rule`
/// block: its status, prefix, filter (from AWS Config's predicates) and multipart-upload abort.
fn lifecycle_rule(r: &J) -> Value {
    let mut m = Map::new();
    put(&mut m, "id", jstr(r, "id"));
    put(&mut m, "status", jstr(r, "status"));
    put(&mut m, "prefix", jstr(r, "prefix"));
    if let Some(days) = r.get("abortIncompleteMultipartUpload").filter(|v| v.is_object()) {
        let mut d = Map::new();
        put(&mut d, "days_after_initiation", jnum(days, "daysAfterInitiation"));
        m.insert(
            "abort_incomplete_multipart_upload".into(),
            Value::List(vec![Value::Map(d)]),
        );
    }
    if let Some(days) = jnum(r, "expirationInDays") {
        m.insert(
            "expiration".into(),
            Value::List(vec![Value::Map(Map::from_iter([("days".to_string(), days)]))]),
        );
    }
    let tag = |t: &J| {
        let mut m = Map::new();
        put(&mut m, "key", jstr(t, "key"));
        put(&mut m, "value", jstr(t, "value"));
        Value::List(vec![Value::Map(m)])
    };
    // A filter with no predicate is the whole bucket, as no filter is.
    if let Some(p) = r
        .get("filter")
        .and_then(|f| f.get("predicate"))
        .filter(|p| p.is_object())
    {
        let mut f = Map::new();
        match s(p, "type").as_deref() {
            Some("LifecyclePrefixPredicate") => put(&mut f, "prefix", jstr(p, "prefix")),
            Some("LifecycleTagPredicate") => {
                if let Some(t) = p.get("tag") {
                    f.insert("tag".into(), tag(t));
                }
            }
            _ => {
                let mut and = Map::new();
                for o in p.get("operands").and_then(|o| o.as_array()).into_iter().flatten() {
                    match s(o, "type").as_deref() {
                        Some("LifecyclePrefixPredicate") => put(&mut and, "prefix", jstr(o, "prefix")),
                        Some("LifecycleTagPredicate") => {
                            let t = o.get("tag").cloned().unwrap_or(J::Null);
                            if let (Some(k), Some(v)) = (s(&t, "key"), jstr(&t, "value")) {
                                if let Value::Map(tags) =
                                    and.entry("tags".to_string()).or_insert_with(|| Value::Map(Map::new()))
                                {
                                    tags.insert(k, v);
                                }
                            }
                        }
                        _ => {}
                    }
                }
                f.insert("and".into(), Value::List(vec![Value::Map(and)]));
            }
        }
        m.insert("filter".into(), Value::List(vec![Value::Map(f)]));
    }
    Value::Map(m)
}

/// IAM policy documents arrive URL-encoded (RFC 3986) in configuration items.
fn policy_document(v: &J, k: &str) -> Option<Value> {
    let raw = s(v, k)?;
    let text = if raw.trim_start().starts_with('{') {
        raw
    } else {
        percent_encoding::percent_decode_str(&raw)
            .decode_utf8()
            .ok()?
            .into_owned()
    };
    Some(Value::String(text))
}

pub fn map_item(item: &J, span: Span) -> Mapped {
    let ty = item.get("resourceType").and_then(|t| t.as_str()).unwrap_or_default();
    let arn = item.get("arn").and_then(|t| t.as_str()).unwrap_or_default().to_string();
    let id = item
        .get("resourceName")
        .and_then(|t| t.as_str())
        .filter(|n| !n.is_empty())
        .or_else(|| item.get("resourceId").and_then(|t| t.as_str()))
        .unwrap_or_default()
        .to_string();
    let region = item
        .get("awsRegion")
        .and_then(|t| t.as_str())
        .unwrap_or_default()
        .to_string();
    let config = decoded(item.get("configuration"));
    let supplementary = item.get("supplementaryConfiguration").cloned().unwrap_or(J::Null);
    let sup = |k: &str| decoded(supplementary.get(k));
    let resource_id = item
        .get("resourceId")
        .and_then(|t| t.as_str())
        .unwrap_or_default()
        .to_string();
    // The primary resource carries `id` and `arn` as Terraform's would (what others refer to).
    let primary = |t: &str, mut a: Map| {
        a.entry("id".into()).or_insert_with(|| Value::string(&resource_id));
        if !arn.is_empty() {
            a.entry("arn".into()).or_insert_with(|| Value::string(&arn));
        }
        resource(t, &id, &region, span, a)
    };
    let one = |t: &str, a: Map| resource(t, &id, &region, span, a);
    let block = |m: Map| Value::List(vec![Value::Map(m)]);
    match ty {
        "AWS::S3::Bucket" => {
            let name = s(&config, "name").unwrap_or_else(|| id.clone());
            let mut out = vec![primary(
                "aws_s3_bucket",
                Map::from_iter([("bucket".into(), Value::string(&name))]),
            )];
            let link = || Map::from_iter([("bucket".to_string(), Value::string(&name))]);
            // Encryption: `ServerSideEncryptionConfiguration.rules[].applyServerSideEncryptionByDefault`.
            let sse = sup("ServerSideEncryptionConfiguration");
            if let Some(rules) = sse.get("rules").and_then(|r| r.as_array()) {
                let mut a = link();
                let rules: Vec<Value> = rules
                    .iter()
                    .map(|r| {
                        let d = r.get("applyServerSideEncryptionByDefault").cloned().unwrap_or(J::Null);
                        let mut m = Map::new();
                        put(&mut m, "sse_algorithm", jstr(&d, "sseAlgorithm"));
                        put(&mut m, "kms_master_key_id", jstr(&d, "kmsMasterKeyID"));
                        let mut rule =
                            Map::from_iter([("apply_server_side_encryption_by_default".to_string(), block(m))]);
                        put(&mut rule, "bucket_key_enabled", jbool(r, "bucketKeyEnabled"));
                        Value::Map(rule)
                    })
                    .collect();
                a.insert("rule".into(), Value::List(rules));
                out.push(one("aws_s3_bucket_server_side_encryption_configuration", a));
            }
            let pab = sup("PublicAccessBlockConfiguration");
            if pab.is_object() {
                let mut a = link();
                for (k, tf) in [
                    ("blockPublicAcls", "block_public_acls"),
                    ("blockPublicPolicy", "block_public_policy"),
                    ("ignorePublicAcls", "ignore_public_acls"),
                    ("restrictPublicBuckets", "restrict_public_buckets"),
                ] {
                    put(&mut a, tf, jbool(&pab, k));
                }
                out.push(one("aws_s3_bucket_public_access_block", a));
            }
            let versioning = sup("BucketVersioningConfiguration");
            if !versioning.is_object() {
                // AWS records it for every bucket; an item without it says nothing either way.
                out[0]
                    .attributes
                    .insert("versioning".into(), not_recorded(&arn, "versioning"));
            }
            if let Some(status) = s(&versioning, "status") {
                let mut a = link();
                a.insert(
                    "versioning_configuration".into(),
                    block(Map::from_iter([("status".to_string(), Value::String(status))])),
                );
                out.push(one("aws_s3_bucket_versioning", a));
            }
            let logging = sup("BucketLoggingConfiguration");
            if let Some(target) = s(&logging, "destinationBucketName") {
                let mut a = link();
                a.insert("target_bucket".into(), Value::String(target));
                put(&mut a, "target_prefix", jstr(&logging, "logFilePrefix"));
                out.push(one("aws_s3_bucket_logging", a));
            }
            // Recorded only when the bucket has rules.
            let lifecycle = sup("BucketLifecycleConfiguration");
            if let Some(rules) = lifecycle
                .get("rules")
                .and_then(|r| r.as_array())
                .filter(|r| !r.is_empty())
            {
                let mut a = link();
                a.insert("rule".into(), Value::List(rules.iter().map(lifecycle_rule).collect()));
                out.push(one("aws_s3_bucket_lifecycle_configuration", a));
            }
            // `configurations` maps each notification's id to its target.
            let notification = sup("BucketNotificationConfiguration");
            if let Some(targets) = notification
                .get("configurations")
                .and_then(|c| c.as_object())
                .filter(|c| !c.is_empty())
            {
                let mut a = link();
                for (kind, tf, arn_key, key) in [
                    ("TopicConfiguration", "topic", "topicARN", "topic_arn"),
                    ("QueueConfiguration", "queue", "queueARN", "queue_arn"),
                    (
                        "LambdaConfiguration",
                        "lambda_function",
                        "functionARN",
                        "lambda_function_arn",
                    ),
                ] {
                    let blocks: Vec<Value> = targets
                        .values()
                        .filter(|t| s(t, "type").as_deref() == Some(kind))
                        .map(|t| {
                            let mut m = Map::new();
                            put(&mut m, key, jstr(t, arn_key));
                            Value::Map(m)
                        })
                        .collect();
                    if !blocks.is_empty() {
                        a.insert(tf.into(), Value::List(blocks));
                    }
                }
                out.push(one("aws_s3_bucket_notification", a));
            }
            let policy = sup("BucketPolicy");
            if let Some(text) = s(&policy, "policyText") {
                let mut a = link();
                a.insert("policy".into(), Value::String(text));
                out.push(one("aws_s3_bucket_policy", a));
            }
            let acl = sup("AccessControlList");
            if let Some(grants) = acl.get("grantList").and_then(|g| g.as_array()) {
                // Grants to everyone or to any authenticated AWS user, as canned ACL names.
                let uri = |g: &J| {
                    g.get("grantee")
                        .and_then(|x| s(x, "uri").or_else(|| x.as_str().map(str::to_string)))
                };
                let public = grants
                    .iter()
                    .filter_map(uri)
                    .find(|u| u.ends_with("/global/AllUsers") || u.ends_with("/global/AuthenticatedUsers"));
                let canned = match public.as_deref() {
                    Some(u) if u.ends_with("AllUsers") => "public-read",
                    Some(_) => "authenticated-read",
                    None => "private",
                };
                let mut a = link();
                a.insert("acl".into(), Value::string(canned));
                out.push(one("aws_s3_bucket_acl", a));
            }
            Mapped::Resources(out)
        }
        "AWS::IAM::Role" => {
            let name = s(&config, "roleName").unwrap_or_else(|| id.clone());
            let mut a = Map::from_iter([("name".to_string(), Value::string(&name))]);
            put(
                &mut a,
                "assume_role_policy",
                policy_document(&config, "assumeRolePolicyDocument"),
            );
            put(&mut a, "path", jstr(&config, "path"));
            let mut out = vec![resource("aws_iam_role", &name, &region, span, a)];
            for p in config
                .get("rolePolicyList")
                .and_then(|l| l.as_array())
                .into_iter()
                .flatten()
            {
                let policy_name = s(p, "policyName").unwrap_or_default();
                let mut a = Map::from_iter([
                    ("role".to_string(), Value::string(&name)),
                    ("name".to_string(), Value::string(&policy_name)),
                ]);
                put(&mut a, "policy", policy_document(p, "policyDocument"));
                out.push(resource(
                    "aws_iam_role_policy",
                    &format!("{name}/{policy_name}"),
                    &region,
                    span,
                    a,
                ));
            }
            for p in config
                .get("attachedManagedPolicies")
                .and_then(|l| l.as_array())
                .into_iter()
                .flatten()
            {
                let policy_arn = s(p, "policyArn").unwrap_or_default();
                let a = Map::from_iter([
                    ("role".to_string(), Value::string(&name)),
                    ("policy_arn".to_string(), Value::string(&policy_arn)),
                ]);
                out.push(resource(
                    "aws_iam_role_policy_attachment",
                    &format!("{name}/{policy_arn}"),
                    &region,
                    span,
                    a,
                ));
            }
            Mapped::Resources(out)
        }
        "AWS::IAM::Policy" => {
            let name = s(&config, "policyName").unwrap_or_else(|| id.clone());
            // The default version's document.
            let doc = config
                .get("policyVersionList")
                .and_then(|l| l.as_array())
                .and_then(|l| {
                    l.iter()
                        .find(|v| v.get("isDefaultVersion").and_then(|d| d.as_bool()) == Some(true))
                })
                .and_then(|v| policy_document(v, "document"));
            let mut a = Map::from_iter([("name".to_string(), Value::string(&name))]);
            a.insert("policy".into(), doc.unwrap_or_else(|| not_recorded(&arn, "policy")));
            Mapped::Resources(vec![resource("aws_iam_policy", &name, &region, span, a)])
        }
        "AWS::EC2::SecurityGroup" => {
            let rules = |k: &str| -> Value {
                let list = config.get(k).and_then(|l| l.as_array()).cloned().unwrap_or_default();
                Value::List(
                    list.iter()
                        .map(|p| {
                            let protocol = s(p, "ipProtocol").unwrap_or_else(|| "-1".into());
                            let cidrs = |field: &str, inner: &str| -> Value {
                                Value::List(
                                    p.get(field)
                                        .and_then(|l| l.as_array())
                                        .into_iter()
                                        .flatten()
                                        .filter_map(|r| s(r, inner).or_else(|| r.as_str().map(str::to_string)))
                                        .map(Value::String)
                                        .collect(),
                                )
                            };
                            let mut m = Map::from_iter([
                                ("protocol".to_string(), Value::String(protocol.clone())),
                                (
                                    "from_port".to_string(),
                                    jnum(p, "fromPort").unwrap_or(Value::Number(0.0)),
                                ),
                                ("to_port".to_string(), jnum(p, "toPort").unwrap_or(Value::Number(0.0))),
                            ]);
                            let v4 = match cidrs("ipv4Ranges", "cidrIp") {
                                Value::List(l) if l.is_empty() => cidrs("ipRanges", "cidrIp"),
                                other => other,
                            };
                            m.insert("cidr_blocks".into(), v4);
                            m.insert("ipv6_cidr_blocks".into(), cidrs("ipv6Ranges", "cidrIpv6"));
                            m.insert("security_groups".into(), cidrs("userIdGroupPairs", "groupId"));
                            Value::Map(m)
                        })
                        .collect(),
                )
            };
            let mut a = Map::new();
            copy(
                &mut a,
                &config,
                &[
                    ("name", jstr, "groupName"),
                    ("description", jstr, "description"),
                    ("vpc_id", jstr, "vpcId"),
                ],
            );
            a.insert("ingress".into(), rules("ipPermissions"));
            a.insert("egress".into(), rules("ipPermissionsEgress"));
            Mapped::Resources(vec![primary("aws_security_group", a)])
        }
        "AWS::EC2::Volume" => {
            let mut a = Map::new();
            copy(
                &mut a,
                &config,
                &[
                    ("encrypted", jbool, "encrypted"),
                    ("kms_key_id", jstr, "kmsKeyId"),
                    ("size", jnum, "size"),
                    ("type", jstr, "volumeType"),
                    ("iops", jnum, "iops"),
                    ("availability_zone", jstr, "availabilityZone"),
                ],
            );
            Mapped::Resources(vec![primary("aws_ebs_volume", a)])
        }
        "AWS::EC2::Instance" => {
            let mut a = Map::new();
            put(&mut a, "instance_type", jstr(&config, "instanceType"));
            put(&mut a, "subnet_id", jstr(&config, "subnetId"));
            if let Some(m) = config.get("metadataOptions") {
                let mut mo = Map::new();
                copy(
                    &mut mo,
                    m,
                    &[
                        ("http_tokens", jstr, "httpTokens"),
                        ("http_endpoint", jstr, "httpEndpoint"),
                        ("http_put_response_hop_limit", jnum, "httpPutResponseHopLimit"),
                    ],
                );
                a.insert("metadata_options".into(), block(mo));
            } else {
                a.insert("metadata_options".into(), not_recorded(&arn, "metadata_options"));
            }
            if let Some(state) = config.get("monitoring").and_then(|m| s(m, "state")) {
                a.insert("monitoring".into(), Value::Bool(state == "enabled"));
            }
            a.insert(
                "associate_public_ip_address".into(),
                Value::Bool(s(&config, "publicIpAddress").is_some_and(|ip| !ip.is_empty())),
            );
            // Root and EBS volumes are AWS::EC2::Volume items of their own: their ids are kept
            // here and their settings copied in once every item is read (see `super::project`).
            let root_device = s(&config, "rootDeviceName").unwrap_or_default();
            let mut root = Vec::new();
            let mut ebs = Vec::new();
            for m in config
                .get("blockDeviceMappings")
                .and_then(|l| l.as_array())
                .into_iter()
                .flatten()
            {
                let Some(id) = m.get("ebs").and_then(|e| s(e, "volumeId")) else {
                    continue;
                };
                let device = s(m, "deviceName").unwrap_or_default();
                let entry = Value::Map(Map::from_iter([
                    ("volume_id".to_string(), Value::String(id)),
                    ("device_name".to_string(), Value::String(device.clone())),
                ]));
                if device == root_device {
                    root.push(entry);
                } else {
                    ebs.push(entry);
                }
            }
            a.insert(
                "root_block_device".into(),
                if root.is_empty() {
                    not_recorded(&arn, "root_block_device")
                } else {
                    Value::List(root)
                },
            );
            if !ebs.is_empty() {
                a.insert("ebs_block_device".into(), Value::List(ebs));
            }
            Mapped::Resources(vec![primary("aws_instance", a)])
        }
        "AWS::RDS::DBInstance" => {
            let mut a = Map::new();
            copy(
                &mut a,
                &config,
                &[
                    ("identifier", jstr, "dBInstanceIdentifier"),
                    ("instance_class", jstr, "dBInstanceClass"),
                    ("engine", jstr, "engine"),
                    ("engine_version", jstr, "engineVersion"),
                    ("storage_encrypted", jbool, "storageEncrypted"),
                    ("kms_key_id", jstr, "kmsKeyId"),
                    ("publicly_accessible", jbool, "publiclyAccessible"),
                    ("multi_az", jbool, "multiAZ"),
                    ("backup_retention_period", jnum, "backupRetentionPeriod"),
                    ("deletion_protection", jbool, "deletionProtection"),
                    (
                        "iam_database_authentication_enabled",
                        jbool,
                        "iAMDatabaseAuthenticationEnabled",
                    ),
                    ("allocated_storage", jnum, "allocatedStorage"),
                    ("storage_type", jstr, "storageType"),
                    ("auto_minor_version_upgrade", jbool, "autoMinorVersionUpgrade"),
                    ("performance_insights_enabled", jbool, "performanceInsightsEnabled"),
                    ("monitoring_interval", jnum, "monitoringInterval"),
                ],
            );
            put(
                &mut a,
                "db_subnet_group_name",
                config.get("dBSubnetGroup").and_then(|g| jstr(g, "dBSubnetGroupName")),
            );
            if let Some(groups) = config.get("vpcSecurityGroups").and_then(|l| l.as_array()) {
                a.insert(
                    "vpc_security_group_ids".into(),
                    Value::List(
                        groups
                            .iter()
                            .filter_map(|g| s(g, "vpcSecurityGroupId"))
                            .map(Value::String)
                            .collect(),
                    ),
                );
            }
            if let Some(logs) = config.get("enabledCloudwatchLogsExports").and_then(|l| l.as_array()) {
                a.insert(
                    "enabled_cloudwatch_logs_exports".into(),
                    Value::List(logs.iter().filter_map(|l| l.as_str()).map(Value::string).collect()),
                );
            }
            Mapped::Resources(vec![primary("aws_db_instance", a)])
        }
        "AWS::KMS::Key" => {
            if s(&config, "keyManager").as_deref() == Some("AWS") {
                return Mapped::Skipped("an AWS-managed key".into());
            }
            let mut a = Map::new();
            put(&mut a, "description", jstr(&config, "description"));
            put(&mut a, "key_usage", jstr(&config, "keyUsage"));
            put(
                &mut a,
                "customer_master_key_spec",
                jstr(&config, "keySpec").or_else(|| jstr(&config, "customerMasterKeySpec")),
            );
            put(&mut a, "is_enabled", jbool(&config, "enabled"));
            // Rotation is not part of the KMS key's configuration item.
            a.insert("enable_key_rotation".into(), not_recorded(&arn, "enable_key_rotation"));
            // Nor is the key policy.
            a.insert("policy".into(), not_recorded(&arn, "policy"));
            Mapped::Resources(vec![primary("aws_kms_key", a)])
        }
        "AWS::RDS::DBCluster" => {
            let mut a = Map::new();
            copy(
                &mut a,
                &config,
                &[
                    ("cluster_identifier", jstr, "dBClusterIdentifier"),
                    ("engine", jstr, "engine"),
                    ("engine_version", jstr, "engineVersion"),
                    ("storage_encrypted", jbool, "storageEncrypted"),
                    ("kms_key_id", jstr, "kmsKeyId"),
                    ("backup_retention_period", jnum, "backupRetentionPeriod"),
                    ("deletion_protection", jbool, "deletionProtection"),
                    (
                        "iam_database_authentication_enabled",
                        jbool,
                        "iAMDatabaseAuthenticationEnabled",
                    ),
                ],
            );
            if let Some(logs) = config.get("enabledCloudwatchLogsExports").and_then(|l| l.as_array()) {
                a.insert(
                    "enabled_cloudwatch_logs_exports".into(),
                    Value::List(logs.iter().filter_map(|l| l.as_str()).map(Value::string).collect()),
                );
            }
            if let Some(groups) = config.get("vpcSecurityGroups").and_then(|l| l.as_array()) {
                a.insert(
                    "vpc_security_group_ids".into(),
                    Value::List(
                        groups
                            .iter()
                            .filter_map(|g| s(g, "vpcSecurityGroupId"))
                            .map(Value::String)
                            .collect(),
                    ),
                );
            }
            Mapped::Resources(vec![primary("aws_rds_cluster", a)])
        }
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
            let mut a = Map::new();
            put(&mut a, "name", jstr(&config, "loadBalancerName"));
            put(&mut a, "load_balancer_type", jstr(&config, "type"));
            if let Some(scheme) = s(&config, "scheme") {
                a.insert("internal".into(), Value::Bool(scheme == "internal"));
            }
            let subnets: Vec<Value> = config
                .get("availabilityZones")
                .and_then(|l| l.as_array())
                .into_iter()
                .flatten()
                .filter_map(|z| s(z, "subnetId"))
                .map(Value::String)
                .collect();
            a.insert("subnets".into(), Value::List(subnets));
            if let Some(groups) = config.get("securityGroups").and_then(|l| l.as_array()) {
                a.insert(
                    "security_groups".into(),
                    Value::List(groups.iter().filter_map(|g| g.as_str()).map(Value::string).collect()),
                );
            }
            // Attributes (`deletion_protection.enabled`, `access_logs.s3.enabled`, …) are a
            // supplementary configuration of key/value pairs.
            let attrs: BTreeMap<String, String> = sup("LoadBalancerAttributes")
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|kv| Some((s(kv, "key")?, s(kv, "value")?)))
                .collect();
            let flag = |k: &str| attrs.get(k).map(|v| Value::Bool(v == "true"));
            match flag("deletion_protection.enabled") {
                Some(v) => {
                    a.insert("enable_deletion_protection".into(), v);
                }
                None => {
                    a.insert(
                        "enable_deletion_protection".into(),
                        not_recorded(&arn, "enable_deletion_protection"),
                    );
                }
            }
            match flag("access_logs.s3.enabled") {
                Some(enabled) => {
                    let mut logs = Map::from_iter([("enabled".to_string(), enabled)]);
                    if let Some(b) = attrs.get("access_logs.s3.bucket").filter(|b| !b.is_empty()) {
                        logs.insert("bucket".into(), Value::string(b));
                    }
                    a.insert("access_logs".into(), block(logs));
                }
                None => {
                    a.insert("access_logs".into(), not_recorded(&arn, "access_logs"));
                }
            }
            match flag("routing.http.drop_invalid_header_fields.enabled") {
                Some(v) => {
                    a.insert("drop_invalid_header_fields".into(), v);
                }
                None => {
                    a.insert(
                        "drop_invalid_header_fields".into(),
                        not_recorded(&arn, "drop_invalid_header_fields"),
                    );
                }
            }
            Mapped::Resources(vec![primary("aws_lb", a)])
        }
        "AWS::ElasticLoadBalancingV2::Listener" => {
            let mut a = Map::new();
            copy(
                &mut a,
                &config,
                &[
                    ("load_balancer_arn", jstr, "loadBalancerArn"),
                    ("port", jnum, "port"),
                    ("protocol", jstr, "protocol"),
                    ("ssl_policy", jstr, "sslPolicy"),
                ],
            );
            let actions: Vec<Value> = config
                .get("defaultActions")
                .and_then(|l| l.as_array())
                .into_iter()
                .flatten()
                .map(|act| {
                    let mut m = Map::new();
                    put(&mut m, "type", jstr(act, "type"));
                    put(&mut m, "target_group_arn", jstr(act, "targetGroupArn"));
                    if let Some(r) = act.get("redirectConfig") {
                        let mut red = Map::new();
                        copy(
                            &mut red,
                            r,
                            &[
                                ("protocol", jstr, "protocol"),
                                ("port", jstr, "port"),
                                ("status_code", jstr, "statusCode"),
                            ],
                        );
                        m.insert("redirect".into(), block(red));
                    }
                    Value::Map(m)
                })
                .collect();
            a.insert("default_action".into(), Value::List(actions));
            Mapped::Resources(vec![primary("aws_lb_listener", a)])
        }
        "AWS::EC2::VPC" => {
            let mut a = Map::new();
            copy(
                &mut a,
                &config,
                &[
                    ("cidr_block", jstr, "cidrBlock"),
                    ("enable_dns_support", jbool, "enableDnsSupport"),
                    ("enable_dns_hostnames", jbool, "enableDnsHostnames"),
                ],
            );
            // The VPC's item does not say which security group is its default, nor its rules.
            a.insert(
                "default_security_group".into(),
                not_recorded(&arn, "default_security_group"),
            );
            Mapped::Resources(vec![primary("aws_vpc", a)])
        }
        "AWS::EC2::FlowLog" => {
            let mut a = Map::new();
            // Flow logs of a VPC name it as their resource.
            if s(&config, "resourceId").is_some_and(|r| r.starts_with("vpc-")) {
                put(&mut a, "vpc_id", jstr(&config, "resourceId"));
            } else {
                put(&mut a, "subnet_id", jstr(&config, "resourceId"));
            }
            copy(
                &mut a,
                &config,
                &[
                    ("traffic_type", jstr, "trafficType"),
                    ("log_destination_type", jstr, "logDestinationType"),
                    ("log_destination", jstr, "logDestination"),
                ],
            );
            Mapped::Resources(vec![primary("aws_flow_log", a)])
        }
        "AWS::EC2::Subnet" => {
            let mut a = Map::new();
            copy(
                &mut a,
                &config,
                &[
                    ("vpc_id", jstr, "vpcId"),
                    ("cidr_block", jstr, "cidrBlock"),
                    ("availability_zone", jstr, "availabilityZone"),
                    ("map_public_ip_on_launch", jbool, "mapPublicIpOnLaunch"),
                ],
            );
            Mapped::Resources(vec![primary("aws_subnet", a)])
        }
        "AWS::EC2::NatGateway" => {
            let mut a = Map::new();
            put(&mut a, "subnet_id", jstr(&config, "subnetId"));
            put(&mut a, "connectivity_type", jstr(&config, "connectivityType"));
            Mapped::Resources(vec![primary("aws_nat_gateway", a)])
        }
        "AWS::EC2::RouteTable" => {
            let table_id = s(&config, "routeTableId").unwrap_or_else(|| resource_id.clone());
            let mut a = Map::new();
            put(&mut a, "vpc_id", jstr(&config, "vpcId"));
            let routes: Vec<Value> = config
                .get("routes")
                .and_then(|l| l.as_array())
                .into_iter()
                .flatten()
                .filter(|r| s(r, "gatewayId").as_deref() != Some("local"))
                .map(|r| {
                    let mut m = Map::new();
                    copy(
                        &mut m,
                        r,
                        &[
                            ("cidr_block", jstr, "destinationCidrBlock"),
                            ("ipv6_cidr_block", jstr, "destinationIpv6CidrBlock"),
                            ("gateway_id", jstr, "gatewayId"),
                            ("nat_gateway_id", jstr, "natGatewayId"),
                            ("transit_gateway_id", jstr, "transitGatewayId"),
                        ],
                    );
                    Value::Map(m)
                })
                .collect();
            a.insert("route".into(), Value::List(routes));
            let mut out = vec![primary("aws_route_table", a)];
            for assoc in config
                .get("associations")
                .and_then(|l| l.as_array())
                .into_iter()
                .flatten()
            {
                let Some(subnet) = s(assoc, "subnetId") else { continue };
                let a = Map::from_iter([
                    ("route_table_id".to_string(), Value::string(&table_id)),
                    ("subnet_id".to_string(), Value::String(subnet.clone())),
                ]);
                out.push(resource(
                    "aws_route_table_association",
                    &format!("{table_id}/{subnet}"),
                    &region,
                    span,
                    a,
                ));
            }
            Mapped::Resources(out)
        }
        "AWS::CloudTrail::Trail" => {
            let mut a = Map::new();
            copy(
                &mut a,
                &config,
                &[
                    ("name", jstr, "name"),
                    ("s3_bucket_name", jstr, "s3BucketName"),
                    ("is_multi_region_trail", jbool, "isMultiRegionTrail"),
                    ("enable_log_file_validation", jbool, "logFileValidationEnabled"),
                    ("include_global_service_events", jbool, "includeGlobalServiceEvents"),
                    ("kms_key_id", jstr, "kmsKeyId"),
                    ("cloud_watch_logs_group_arn", jstr, "cloudWatchLogsLogGroupArn"),
                ],
            );
            Mapped::Resources(vec![primary("aws_cloudtrail", a)])
        }
        _ => Mapped::Unmapped,
    }
}
