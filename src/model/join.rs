//! Joins split resources into the resource they configure, so rules read one shape whichever way the
//! user wrote it: a bucket and its `aws_s3_bucket_server_side_encryption_configuration`, a security
//! group and its `aws_security_group_rule`s or `aws_vpc_security_group_ingress_rule`s, a VPC and its
//! flow logs. Every front end runs this after building a [`Project`].
//!
//! A companion names its subject in a link attribute (`bucket`, `security_group_id`, `vpc_id`, …):
//! either by reference (unknown, referring to `<subject address>.<attr>`) or by a known value equal to
//! the subject's own (`bucket = "my-bucket"`). Joined values keep their provenance, under the joined
//! path, so findings point at the companion's source.

use super::{Project, Provenance, Resource, Value};
use crate::model::Map;
use std::collections::BTreeMap;

/// How one companion type is joined into its subject.
struct Join {
    companion: &'static str,
    /// The companion's attribute that names the subject.
    link: &'static str,
    subjects: &'static [&'static str],
    /// The subject attribute a known link value is compared with.
    subject_key: &'static str,
    /// The subject attribute the companion is appended to (as a list of objects); `ingress` or
    /// `egress` by the rule's direction for security group rules.
    into: &'static str,
    shape: fn(&Resource) -> Option<Map>,
}

/// `into` for `aws_security_group_rule`: `ingress` or `egress` by its `type`.
const DIRECTION: &str = "";

const JOINS: &[Join] = &[
    Join {
        companion: "aws_s3_bucket_server_side_encryption_configuration",
        link: "bucket",
        subjects: &["aws_s3_bucket"],
        subject_key: "bucket",
        into: "server_side_encryption_configuration",
        shape: same,
    },
    Join {
        companion: "aws_s3_bucket_public_access_block",
        link: "bucket",
        subjects: &["aws_s3_bucket"],
        subject_key: "bucket",
        into: "public_access_block",
        shape: same,
    },
    Join {
        companion: "aws_s3_bucket_versioning",
        link: "bucket",
        subjects: &["aws_s3_bucket"],
        subject_key: "bucket",
        into: "versioning",
        shape: versioning,
    },
    Join {
        companion: "aws_s3_bucket_logging",
        link: "bucket",
        subjects: &["aws_s3_bucket"],
        subject_key: "bucket",
        into: "logging",
        shape: same,
    },
    Join {
        companion: "aws_s3_bucket_lifecycle_configuration",
        link: "bucket",
        subjects: &["aws_s3_bucket"],
        subject_key: "bucket",
        into: "lifecycle_configuration",
        shape: same,
    },
    Join {
        companion: "aws_s3_bucket_policy",
        link: "bucket",
        subjects: &["aws_s3_bucket"],
        subject_key: "bucket",
        into: "bucket_policy",
        shape: same,
    },
    Join {
        companion: "aws_s3_bucket_acl",
        link: "bucket",
        subjects: &["aws_s3_bucket"],
        subject_key: "bucket",
        into: "bucket_acl",
        shape: same,
    },
    Join {
        companion: "aws_s3_bucket_notification",
        link: "bucket",
        subjects: &["aws_s3_bucket"],
        subject_key: "bucket",
        into: "notification",
        shape: same,
    },
    Join {
        companion: "aws_s3_bucket_replication_configuration",
        link: "bucket",
        subjects: &["aws_s3_bucket"],
        subject_key: "bucket",
        into: "replication_configuration",
        shape: same,
    },
    Join {
        companion: "aws_s3_bucket_ownership_controls",
        link: "bucket",
        subjects: &["aws_s3_bucket"],
        subject_key: "bucket",
        into: "ownership_controls",
        shape: same,
    },
    Join {
        companion: "aws_s3_bucket_object_lock_configuration",
        link: "bucket",
        subjects: &["aws_s3_bucket"],
        subject_key: "bucket",
        into: "object_lock_configuration",
        shape: same,
    },
    Join {
        companion: "aws_route53_hosted_zone_dnssec",
        link: "hosted_zone_id",
        subjects: &["aws_route53_zone"],
        subject_key: "zone_id",
        into: "dnssec",
        shape: same,
    },
    Join {
        companion: "aws_route53_query_log",
        link: "zone_id",
        subjects: &["aws_route53_zone"],
        subject_key: "zone_id",
        into: "query_log",
        shape: same,
    },
    Join {
        companion: "aws_default_security_group",
        link: "vpc_id",
        subjects: &["aws_vpc"],
        subject_key: "id",
        into: "default_security_group",
        shape: same,
    },
    Join {
        companion: "aws_iam_user_policy_attachment",
        link: "user",
        subjects: &["aws_iam_user"],
        subject_key: "name",
        into: "policy_attachments",
        shape: same,
    },
    Join {
        companion: "aws_iam_user_policy",
        link: "user",
        subjects: &["aws_iam_user"],
        subject_key: "name",
        into: "inline_policies",
        shape: same,
    },
    Join {
        companion: "aws_iam_user_login_profile",
        link: "user",
        subjects: &["aws_iam_user"],
        subject_key: "name",
        into: "login_profile",
        shape: same,
    },
    Join {
        companion: "aws_kms_key_policy",
        link: "key_id",
        subjects: &["aws_kms_key"],
        subject_key: "key_id",
        into: "key_policy",
        shape: same,
    },
    Join {
        companion: "aws_wafv2_web_acl_logging_configuration",
        link: "resource_arn",
        subjects: &["aws_wafv2_web_acl"],
        subject_key: "arn",
        into: "logging_configuration",
        shape: same,
    },
    Join {
        companion: "aws_ecr_lifecycle_policy",
        link: "repository",
        subjects: &["aws_ecr_repository"],
        subject_key: "name",
        into: "lifecycle_policy",
        shape: same,
    },
    Join {
        companion: "aws_security_group_rule",
        link: "security_group_id",
        subjects: &["aws_security_group"],
        subject_key: "id",
        into: DIRECTION,
        shape: sg_rule,
    },
    Join {
        companion: "aws_vpc_security_group_ingress_rule",
        link: "security_group_id",
        subjects: &["aws_security_group"],
        subject_key: "id",
        into: "ingress",
        shape: vpc_sg_ingress,
    },
    Join {
        companion: "aws_vpc_security_group_egress_rule",
        link: "security_group_id",
        subjects: &["aws_security_group"],
        subject_key: "id",
        into: "egress",
        shape: vpc_sg_egress,
    },
    Join {
        companion: "aws_flow_log",
        link: "vpc_id",
        subjects: &["aws_vpc"],
        subject_key: "id",
        into: "flow_logs",
        shape: same,
    },
    Join {
        companion: "aws_secretsmanager_secret_rotation",
        link: "secret_id",
        subjects: &["aws_secretsmanager_secret"],
        subject_key: "id",
        into: "rotation",
        shape: same,
    },
    Join {
        companion: "aws_wafv2_web_acl_association",
        link: "resource_arn",
        subjects: &["aws_lb", "aws_alb"],
        subject_key: "arn",
        into: "web_acl_association",
        shape: same,
    },
    Join {
        companion: "aws_lb_listener",
        link: "load_balancer_arn",
        subjects: &["aws_lb", "aws_alb"],
        subject_key: "arn",
        into: "listeners",
        shape: same,
    },
];

fn same(r: &Resource) -> Option<Map> {
    Some(r.attributes.clone())
}

/// `aws_s3_bucket_versioning` in the inline block's shape: `{enabled = true|false}`.
fn versioning(r: &Resource) -> Option<Map> {
    let status = r
        .attributes
        .get("versioning_configuration")
        .and_then(first)
        .and_then(|c| c.get("status").cloned());
    let enabled = match status {
        Some(Value::String(s)) => Value::Bool(s == "Enabled"),
        Some(Value::Unknown(u)) => Value::Unknown(u),
        _ => Value::Bool(false),
    };
    Some(Map::from_iter([("enabled".to_string(), enabled)]))
}

fn first(v: &Value) -> Option<&Map> {
    match v {
        Value::List(items) | Value::Set(items) => items.first().and_then(object),
        other => object(other),
    }
}

fn object(v: &Value) -> Option<&Map> {
    match v {
        Value::Map(m) => Some(m),
        Value::Open(o) => Some(&o.attrs),
        _ => None,
    }
}

/// A rule in the shape of an inline `ingress`/`egress` block, with its direction.
fn sg_rule(r: &Resource) -> Option<Map> {
    let a = &r.attributes;
    let mut m = Map::new();
    m.insert("direction".into(), a.get("type").cloned().unwrap_or(Value::Null));
    for k in [
        "from_port",
        "to_port",
        "protocol",
        "cidr_blocks",
        "ipv6_cidr_blocks",
        "self",
        "description",
    ] {
        if let Some(v) = a.get(k) {
            m.insert(k.into(), v.clone());
        }
    }
    if let Some(src) = a.get("source_security_group_id") {
        m.insert("security_groups".into(), Value::List(vec![src.clone()]));
    }
    Some(m)
}

fn vpc_sg_ingress(r: &Resource) -> Option<Map> {
    Some(vpc_sg(r, "ingress"))
}

fn vpc_sg_egress(r: &Resource) -> Option<Map> {
    Some(vpc_sg(r, "egress"))
}

fn vpc_sg(r: &Resource, direction: &str) -> Map {
    let a = &r.attributes;
    let mut m = Map::new();
    m.insert("direction".into(), Value::string(direction));
    let protocol = a.get("ip_protocol").cloned().unwrap_or(Value::Null);
    let all = matches!(&protocol, Value::String(p) if p == "-1" || p == "all");
    m.insert("protocol".into(), protocol);
    for (to, from) in [("from_port", "from_port"), ("to_port", "to_port")] {
        let v = a
            .get(from)
            .cloned()
            .unwrap_or(if all { Value::Number(0.0) } else { Value::Null });
        m.insert(to.into(), v);
    }
    if all {
        m.insert("to_port".into(), Value::Number(65535.0));
    }
    let list = |k: &str| a.get(k).map(|v| Value::List(vec![v.clone()]));
    if let Some(v) = list("cidr_ipv4") {
        m.insert("cidr_blocks".into(), v);
    }
    if let Some(v) = list("cidr_ipv6") {
        m.insert("ipv6_cidr_blocks".into(), v);
    }
    if let Some(v) = list("referenced_security_group_id") {
        m.insert("security_groups".into(), v);
    }
    if let Some(v) = list("prefix_list_id") {
        m.insert("prefix_list_ids".into(), v);
    }
    if let Some(v) = a.get("description") {
        m.insert("description".into(), v.clone());
    }
    m
}

/// The address a reference names: `module.x.aws_s3_bucket.this.id` → `module.x.aws_s3_bucket.this`.
pub fn referenced_address(reference: &str) -> &str {
    reference.rsplit_once('.').map_or(reference, |(head, _)| head)
}

/// The resources of a project indexed for [`link_targets`]: by address, and by the string value
/// of a key attribute (built on first use of each key), so linking N resources to M candidates is
/// not N × M comparisons.
pub struct Index<'a> {
    pub resources: &'a [Resource],
    pub by_address: BTreeMap<&'a str, usize>,
    /// Representative instances `x.y[*]`, by `x.y`.
    by_star: BTreeMap<&'a str, usize>,
    /// Owned keys, so the index stays covariant in `'a` (one index is shared by many checks).
    by_key: std::sync::Mutex<BTreeMap<String, BTreeMap<String, Vec<usize>>>>,
}

impl<'a> Index<'a> {
    pub fn new(resources: &'a [Resource]) -> Index<'a> {
        Index {
            resources,
            by_address: resources
                .iter()
                .enumerate()
                .map(|(i, r)| (r.address.as_str(), i))
                .collect(),
            by_star: resources
                .iter()
                .enumerate()
                .filter_map(|(i, r)| Some((r.address.strip_suffix("[*]")?, i)))
                .collect(),
            by_key: std::sync::Mutex::new(BTreeMap::new()),
        }
    }

    /// The resource an address names: itself, or — for a resource whose `count` or `for_each` is
    /// known only after apply, checked as one representative instance `x.y[*]` — that instance
    /// (`aws_eip.nat` in `element(aws_eip.nat[*].id, count.index)`).
    pub fn lookup(&self, addr: &str) -> Option<usize> {
        self.by_address.get(addr).copied().or_else(|| {
            if addr.ends_with(']') {
                return None;
            }
            self.by_star.get(addr).copied()
        })
    }

    /// The resources whose attribute `key` is the string `value`, in order.
    fn with_key(&self, key: &str, value: &str) -> Vec<usize> {
        let mut cache = self.by_key.lock().unwrap_or_else(|e| e.into_inner());
        let index = cache.entry(key.to_string()).or_insert_with(|| {
            let mut m: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for (i, r) in self.resources.iter().enumerate() {
                if let Some(Value::String(v)) = r.attributes.get(key) {
                    m.entry(v.clone()).or_default().push(i);
                }
            }
            m
        });
        index.get(value).cloned().unwrap_or_default()
    }
}

/// The resources `value` refers to, by index into the project's resources: through unknown
/// references, or a known value equal to a candidate's `key` attribute.
pub fn link_targets(value: &Value, index: &Index, candidates: &[&str], key: &str) -> Vec<usize> {
    let resources = index.resources;
    let mut out = Vec::new();
    let fits = |i: &usize| candidates.contains(&resources[*i].resource_type.as_str());
    match value {
        Value::Unknown(u) => {
            for r in &u.refs {
                let mut addr = r.as_str();
                // `aws_s3_bucket.this.id` names the bucket; `aws_s3_bucket.this[0].id` too.
                loop {
                    if let Some(i) = index.lookup(addr).filter(fits) {
                        out.push(i);
                        break;
                    }
                    let next = referenced_address(addr);
                    if next == addr {
                        break;
                    }
                    addr = next;
                }
            }
        }
        Value::List(items) | Value::Set(items) => {
            for v in items {
                out.extend(link_targets(v, index, candidates, key));
            }
        }
        Value::String(s) => out.extend(index.with_key(key, s).into_iter().filter(fits)),
        known => {
            for (i, r) in resources.iter().enumerate() {
                if candidates.contains(&r.resource_type.as_str()) && r.attributes.get(key) == Some(known) {
                    out.push(i);
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A companion to append to a subject: (subject index, attribute, object, provenance by path).
type Addition = (usize, &'static str, Map, Map<Provenance>);

/// Joins every companion into its subject (see the module docs).
pub fn join(project: &mut Project) {
    let mut additions: Vec<Addition> = Vec::new();
    {
        let resources = &project.resources;
        let index = Index::new(resources);
        for r in resources {
            let Some(j) = JOINS.iter().find(|j| j.companion == r.resource_type) else {
                continue;
            };
            let Some(link) = r.attributes.get(j.link) else {
                continue;
            };
            let Some(shape) = (j.shape)(r) else {
                continue;
            };
            for target in link_targets(link, &index, j.subjects, j.subject_key) {
                let mut prov = Map::new();
                prov.insert(
                    String::new(),
                    Provenance {
                        span: r.span,
                        via: Vec::new(),
                    },
                );
                for (path, p) in &r.provenance {
                    prov.insert(path.clone(), p.clone());
                }
                let mut shape = shape.clone();
                shape.insert("_address".into(), Value::string(r.address.clone()));
                additions.push((target, j.into, shape, prov));
            }
        }
    }
    for (target, into, shape, prov) in additions {
        let into = if into.is_empty() {
            match shape.get("direction") {
                Some(Value::String(d)) if d == "egress" => "egress",
                _ => "ingress",
            }
        } else {
            into
        };
        let subject = &mut project.resources[target];
        let inline = match subject.attributes.get(into) {
            Some(Value::List(items)) | Some(Value::Set(items)) => items.len(),
            _ => 0,
        };
        let list = subject.joined.entry(into.to_string()).or_default();
        list.push(Value::Map(shape));
        let idx = inline + list.len() - 1;
        for (path, p) in prov {
            let joined = if path.is_empty() {
                format!("{into}[{idx}]")
            } else {
                format!("{into}[{idx}].{path}")
            };
            subject.provenance.insert(joined, p);
        }
    }
}
