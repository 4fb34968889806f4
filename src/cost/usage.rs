//! Usage files in Infracost's format, so teams can reuse theirs:
//!
//! ```yaml
//! version: 0.1
//! resource_type_default_usage:
//!   aws_nat_gateway:
//!     monthly_data_processed_gb: 100
//! resource_usage:
//!   module.vpc.aws_nat_gateway.this[*]:
//!     monthly_data_processed_gb: 250
//!   aws_s3_bucket.logs:
//!     standard:
//!       storage_gb: 500
//! ```
//!
//! An address entry wins over a `[*]` wildcard entry, which wins over the type's default. Nested
//! keys are read with dots (`standard.storage_gb`).
//!
//! A usage file is input and gets the care HCL gets: [`USAGE_KEYS`] says which keys the
//! estimators read for each resource type, and [`UsageFile::check`] reports, at the line and
//! column of the key or value, a negative quantity (an error; the line it prices is not priced), a
//! value that is not a number, a key no estimator reads (with the closest one), a key for a type
//! that takes no usage, and an address that matches no resource. This module knows YAML and the
//! keys' names; it does not know how the estimators price them, nor any report format.

use crate::diag::Diagnostic;
use crate::source::{FileId, Span};
use rust_decimal::Decimal;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

/// A usage value: a number, a string (`operating_system: windows`) or a nested map.
#[derive(Debug, Clone, PartialEq)]
pub enum UsageValue {
    Number(Decimal),
    /// A number a `Decimal` cannot hold (`1e30`), as written: what it prices is not priced.
    TooLarge(String),
    String(String),
    Map(BTreeMap<String, UsageValue>),
}

type UsageMap = BTreeMap<String, UsageValue>;

/// What a usage key takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A monthly quantity: a number, 0 or more.
    Quantity,
    /// One of `values` (compared ignoring ASCII case when `any_case`).
    Text {
        values: &'static [&'static str],
        any_case: bool,
    },
    /// A mapping of these keys.
    Map(Keys),
}

/// The usage keys of one resource type, each with what it takes.
pub type Keys = &'static [(&'static str, Shape)];

const Q: Shape = Shape::Quantity;
const DATA_PROCESSED: Keys = &[("monthly_data_processed_gb", Q)];
const MONTHLY_REQUESTS: Keys = &[("monthly_requests", Q)];
const STORAGE: Keys = &[("storage_gb", Q)];
const CAPACITY_UNITS: Keys = &[("capacity_units_per_hr", Q)];
const SNAPSHOTS: Keys = &[("snapshot_storage_size_gb", Q)];
const OPERATING_SYSTEM: Shape = Shape::Text {
    values: &["linux", "windows", "rhel", "suse"],
    any_case: true,
};
const LOAD_BALANCER: Keys = &[
    ("new_connections", Q),
    ("active_connections", Q),
    ("processed_bytes_gb", Q),
    ("rule_evaluations", Q),
];
/// CloudFront's edge regions as Infracost's usage files name them.
const EDGES: Keys = &[
    ("us", Q),
    ("europe", Q),
    ("india", Q),
    ("south_africa", Q),
    ("south_america", Q),
    ("japan", Q),
    ("australia", Q),
    ("asia_pacific", Q),
];
const S3_STANDARD: Keys = &[
    ("storage_gb", Q),
    ("monthly_tier_1_requests", Q),
    ("monthly_tier_2_requests", Q),
];

/// The usage keys the estimators read, per resource type, sorted by type. A type not here takes
/// no usage. The tests hold this table to the estimators: every key an estimator reads (each read
/// goes through [`Usage::value`], which records it under test) is here, and every key here is read.
pub const USAGE_KEYS: &[(&str, Keys)] = &[
    ("aws_alb", LOAD_BALANCER),
    (
        "aws_autoscaling_group",
        &[
            ("instances", Q),
            ("operating_system", OPERATING_SYSTEM),
            ("monthly_cpu_credit_hrs", Q),
        ],
    ),
    (
        "aws_cloudfront_distribution",
        &[
            ("monthly_data_transfer_to_internet_gb", Shape::Map(EDGES)),
            ("monthly_http_requests", Shape::Map(EDGES)),
            ("monthly_https_requests", Shape::Map(EDGES)),
        ],
    ),
    (
        "aws_cloudtrail",
        &[
            ("monthly_additional_management_events", Q),
            ("monthly_data_events", Q),
            ("monthly_insight_events", Q),
        ],
    ),
    (
        "aws_cloudwatch_log_group",
        &[
            ("monthly_data_ingested_gb", Q),
            ("storage_gb", Q),
            ("monthly_data_scanned_gb", Q),
        ],
    ),
    ("aws_db_instance", &[("additional_backup_storage_gb", Q)]),
    (
        "aws_dynamodb_table",
        &[
            ("monthly_read_request_units", Q),
            ("monthly_write_request_units", Q),
            ("storage_gb", Q),
            ("pitr_backup_storage_gb", Q),
        ],
    ),
    ("aws_ec2_transit_gateway_connect", DATA_PROCESSED),
    ("aws_ec2_transit_gateway_peering_attachment", DATA_PROCESSED),
    ("aws_ec2_transit_gateway_vpc_attachment", DATA_PROCESSED),
    ("aws_ecr_repository", STORAGE),
    ("aws_ecs_service", &[("desired_count", Q)]),
    (
        "aws_efs_file_system",
        &[
            ("storage_gb", Q),
            ("infrequent_access_storage_gb", Q),
            ("monthly_infrequent_access_read_gb", Q),
            ("monthly_infrequent_access_write_gb", Q),
        ],
    ),
    ("aws_elasticache_cluster", SNAPSHOTS),
    ("aws_elasticache_replication_group", SNAPSHOTS),
    ("aws_elb", DATA_PROCESSED),
    (
        "aws_instance",
        &[("operating_system", OPERATING_SYSTEM), ("monthly_cpu_credit_hrs", Q)],
    ),
    ("aws_kms_key", MONTHLY_REQUESTS),
    (
        "aws_lambda_function",
        &[("monthly_requests", Q), ("request_duration_ms", Q)],
    ),
    // Read for the instances of the auto scaling groups that use the template.
    ("aws_launch_template", &[("operating_system", OPERATING_SYSTEM)]),
    ("aws_lb", LOAD_BALANCER),
    ("aws_nat_gateway", DATA_PROCESSED),
    (
        "aws_rds_cluster",
        &[
            ("storage_gb", Q),
            ("write_requests_per_sec", Q),
            ("read_requests_per_sec", Q),
            ("backup_snapshot_size_gb", Q),
            ("capacity_units_per_hr", Q),
        ],
    ),
    ("aws_rds_cluster_instance", CAPACITY_UNITS),
    (
        "aws_route53_health_check",
        &[(
            "endpoint_type",
            Shape::Text {
                values: &["aws", "non_aws"],
                any_case: false,
            },
        )],
    ),
    (
        "aws_route53_record",
        &[
            ("monthly_standard_queries", Q),
            ("monthly_latency_based_queries", Q),
            ("monthly_geo_queries", Q),
        ],
    ),
    (
        "aws_s3_bucket",
        // Infracost nests Standard-class usage under `standard:`; the flat keys are read too.
        &[
            ("standard", Shape::Map(S3_STANDARD)),
            ("storage_gb", Q),
            ("monthly_tier_1_requests", Q),
            ("monthly_tier_2_requests", Q),
        ],
    ),
    ("aws_secretsmanager_secret", MONTHLY_REQUESTS),
    ("aws_sns_topic", MONTHLY_REQUESTS),
    ("aws_sns_topic_subscription", MONTHLY_REQUESTS),
    ("aws_sqs_queue", &[("monthly_requests", Q), ("request_size_kb", Q)]),
    ("aws_vpc_endpoint", DATA_PROCESSED),
    ("aws_vpn_connection", DATA_PROCESSED),
    ("aws_wafv2_web_acl", MONTHLY_REQUESTS),
];

/// The usage keys of `resource_type`; `None` when it takes no usage.
pub fn keys_of(resource_type: &str) -> Option<Keys> {
    USAGE_KEYS
        .binary_search_by(|(t, _)| (*t).cmp(resource_type))
        .ok()
        .map(|i| USAGE_KEYS[i].1)
}

/// Every key of `keys` as a dotted path to a value (`standard.storage_gb`), with its shape.
pub fn leaf_paths(keys: Keys) -> Vec<(String, Shape)> {
    let mut out = Vec::new();
    for (k, shape) in keys {
        match shape {
            Shape::Map(inner) => out.extend(leaf_paths(inner).into_iter().map(|(p, s)| (format!("{k}.{p}"), s))),
            s => out.push((k.to_string(), *s)),
        }
    }
    out
}

/// The usage of every resource, from one or more usage files (later files win).
#[derive(Debug, Clone, Default)]
pub struct Usage {
    defaults: BTreeMap<String, UsageMap>,
    /// Address patterns in file order; exact addresses are looked up first.
    resources: Vec<(String, UsageMap)>,
    /// The files read, for the report.
    pub files: Vec<String>,
    /// Every (resource type, key) read, for the test that holds [`USAGE_KEYS`] to the estimators.
    #[cfg(test)]
    reads: Arc<std::sync::Mutex<BTreeSet<(String, String)>>>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{path}: {message}")]
#[diagnostic(
    code(usage_file),
    help("usage files follow Infracost's format: version: 0.1, resource_type_default_usage, resource_usage")
)]
pub struct UsageFileError {
    pub path: String,
    pub message: String,
    #[source_code]
    pub src: crate::diag::Snippet,
    #[label("here")]
    pub span: Option<miette::SourceSpan>,
}

/// One usage file as read: its entries, and where each key and value of it is written.
#[derive(Debug, Clone)]
pub struct UsageFile {
    /// The path as the user should see it.
    pub shown: String,
    pub text: Arc<str>,
    defaults: Vec<(String, UsageMap)>,
    resources: Vec<(String, UsageMap)>,
    /// The document as parsed, in file order, and where its parts are: what [`UsageFile::check`]
    /// walks.
    doc: serde_norway::Mapping,
    at: Arc<Located>,
}

impl UsageFile {
    /// Reads and parses a usage file.
    #[allow(clippy::result_large_err)] // reported once, then the run ends
    pub fn read(path: &Path) -> Result<UsageFile, UsageFileError> {
        let shown = crate::source::display_path(path).display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| UsageFileError {
            path: shown.clone(),
            message: format!("cannot read the usage file: {e}"),
            src: crate::diag::Snippet::empty(shown.clone()),
            span: None,
        })?;
        UsageFile::parse(&shown, &text)
    }

    /// Parses the text of a usage file; a file that is not a usage file is an error located where
    /// it goes wrong.
    #[allow(clippy::result_large_err)]
    pub fn parse(shown: &str, text: &str) -> Result<UsageFile, UsageFileError> {
        let err = |message: String, at: Option<Range<usize>>| {
            let (src, span) = match at {
                Some(r) => {
                    let (src, at) = crate::diag::Snippet::of_text(shown, text, r.start, r.end);
                    (src, Some(at))
                }
                None => (crate::diag::Snippet::empty(shown), None),
            };
            UsageFileError {
                path: shown.to_string(),
                message,
                src,
                span,
            }
        };
        let doc: serde_norway::Value = serde_norway::from_str(text).map_err(|e| {
            let at = e.location().map(|l| mark_offset(text, l.line(), l.column()));
            err(format!("not valid YAML: {e}"), at.map(|o| o..o))
        })?;
        let serde_norway::Value::Mapping(top) = &doc else {
            return Err(err("the usage file must be a mapping with `version: 0.1`".into(), None));
        };
        let located = locate(text, &doc);
        let key_at = |path: &[usize]| located.key(path).or_else(|| mark(text, path, Part::Key).map(|o| o..o));
        let mut file = UsageFile {
            shown: shown.to_string(),
            text: Arc::from(text),
            defaults: Vec::new(),
            resources: Vec::new(),
            doc: top.clone(),
            at: Arc::new(Located::Unknown),
        };
        let mut version = None;
        for (ti, (k, v)) in top.iter().enumerate() {
            let key = scalar_string(k);
            match key.as_str() {
                "version" => version = Some((scalar_string(v), ti)),
                "resource_type_default_usage" | "resource_usage" => {
                    let Some(entries) = v.as_mapping() else {
                        if v.is_null() {
                            continue;
                        }
                        return Err(err(format!("{key} must be a mapping"), key_at(&[ti])));
                    };
                    for (ei, (name, body)) in entries.iter().enumerate() {
                        let name = scalar_string(name);
                        let map = match body {
                            serde_norway::Value::Null => UsageMap::new(),
                            serde_norway::Value::Mapping(_) => match convert(body) {
                                Ok(UsageValue::Map(m)) => m,
                                Ok(_) => unreachable!("a mapping converts to a map"),
                                Err(m) => return Err(err(format!("{name}: {m}"), key_at(&[ti, ei]))),
                            },
                            _ => {
                                return Err(err(
                                    format!("{name}: expected a mapping of usage keys"),
                                    key_at(&[ti, ei]),
                                ))
                            }
                        };
                        if key == "resource_usage" {
                            file.resources.push((name, map));
                        } else {
                            file.defaults.push((name, map));
                        }
                    }
                }
                other => return Err(err(format!("unknown key {other:?}"), key_at(&[ti]))),
            }
        }
        match version {
            Some((v, _)) if v == "0.1" => {}
            Some((v, ti)) => {
                return Err(err(
                    format!("version {v:?} is not supported (expected 0.1)"),
                    key_at(&[ti]),
                ))
            }
            None => return Err(err("the usage file has no `version: 0.1`".into(), None)),
        }
        file.at = Arc::new(located);
        Ok(file)
    }

    /// The problems of this file's entries, as diagnostics in `file` (this file's text in the
    /// run's source map), given the managed resources (address, type) of the projects it applies
    /// to. A negative quantity is an error; the rest are warnings.
    pub fn check(&self, file: FileId, resources: &[(&str, &str)]) -> Vec<Diagnostic> {
        let mut c = Checker {
            file: self,
            id: file,
            resources,
            exact: resources.iter().map(|(a, _)| *a).collect(),
            marks_left: std::cell::Cell::new(MARKS_MAX),
            suggestions_left: ADDRESS_SUGGESTIONS_MAX,
            out: Vec::new(),
        };
        for (ti, (k, v)) in self.doc.iter().enumerate() {
            let section = scalar_string(k);
            let Some(entries) = v.as_mapping() else { continue };
            for (ei, (name, body)) in entries.iter().enumerate() {
                let Some(body) = untagged(body).as_mapping() else {
                    continue;
                };
                let name = scalar_string(name);
                c.entry(&section, &name, &[ti, ei], body);
            }
        }
        c.out
    }
}

impl Usage {
    /// Reads a usage file and adds it to this usage (its entries win over earlier ones).
    #[allow(clippy::result_large_err)] // reported once, then the run ends
    pub fn add_file(&mut self, path: &Path) -> Result<(), UsageFileError> {
        let file = UsageFile::read(path)?;
        self.add(&file);
        Ok(())
    }

    #[allow(clippy::result_large_err)]
    pub fn add_text(&mut self, shown: &str, text: &str) -> Result<(), UsageFileError> {
        let file = UsageFile::parse(shown, text)?;
        self.add(&file);
        Ok(())
    }

    /// Adds a file read with [`UsageFile::read`] (its entries win over earlier ones).
    pub fn add(&mut self, file: &UsageFile) {
        for (name, map) in &file.resources {
            self.resources.retain(|(p, _)| p != name);
            self.resources.push((name.clone(), map.clone()));
        }
        for (name, map) in &file.defaults {
            self.defaults.insert(name.clone(), map.clone());
        }
        self.files.push(file.shown.clone());
    }

    /// The usage value at `key` (dotted for nested maps) for a resource.
    pub fn value(&self, address: &str, resource_type: &str, key: &str) -> Option<&UsageValue> {
        #[cfg(test)]
        self.reads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert((resource_type.to_string(), key.to_string()));
        let lookup = |m| lookup_path(m, key);
        if let Some(v) = self
            .resources
            .iter()
            .rev()
            .filter(|(p, _)| p == address)
            .find_map(|(_, m)| lookup(m))
        {
            return Some(v);
        }
        if let Some(v) = self
            .resources
            .iter()
            .rev()
            .filter(|(p, _)| p != address && address_matches(p, address))
            .find_map(|(_, m)| lookup(m))
        {
            return Some(v);
        }
        self.defaults.get(resource_type).and_then(lookup)
    }

    /// A usage number, named by its key (the last part of a dotted key). A negative one is a
    /// figure with the reason it has none, so what it prices is not priced.
    pub fn number(&self, address: &str, resource_type: &str, key: &str) -> Option<super::Num> {
        let name = key.rsplit('.').next().unwrap_or(key);
        match quantity(self.value(address, resource_type, key)?) {
            Quantity::Number(n) => Some(super::Num::named(n, name)),
            Quantity::TooLarge(s) => Some(super::Num::invalid(format!("quantity too large: {name} = {s}"))),
            Quantity::Float(f) => Some(super::Num::from_f64(f, name)),
            Quantity::Negative(s) => Some(super::Num::invalid(format!("negative quantity: {name} = {s}"))),
            Quantity::NotANumber => None,
        }
    }

    pub fn string(&self, address: &str, resource_type: &str, key: &str) -> Option<String> {
        match self.value(address, resource_type, key)? {
            UsageValue::String(s) => Some(s.clone()),
            UsageValue::Number(n) => Some(n.to_string()),
            UsageValue::TooLarge(s) => Some(s.clone()),
            UsageValue::Map(_) => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.defaults.is_empty() && self.resources.is_empty()
    }
}

/// A usage value read as a quantity.
#[derive(Debug, Clone, PartialEq)]
enum Quantity {
    Number(Decimal),
    TooLarge(String),
    /// A string a `Decimal` does not parse but an `f64` does.
    Float(f64),
    /// Below zero, as written.
    Negative(String),
    NotANumber,
}

fn quantity(v: &UsageValue) -> Quantity {
    let negative = |d: Decimal| d.is_sign_negative() && !d.is_zero();
    match v {
        UsageValue::Number(n) if negative(*n) => Quantity::Negative(n.to_string()),
        UsageValue::Number(n) => Quantity::Number(*n),
        UsageValue::TooLarge(s) if s.starts_with('-') => Quantity::Negative(s.clone()),
        UsageValue::TooLarge(s) => Quantity::TooLarge(s.clone()),
        UsageValue::String(s) => match Decimal::from_str(s.trim()).or_else(|_| Decimal::from_scientific(s.trim())) {
            Ok(n) if negative(n) => Quantity::Negative(s.trim().to_string()),
            Ok(n) => Quantity::Number(n),
            Err(_) => match s.trim().parse::<f64>() {
                Ok(f) if f < 0.0 => Quantity::Negative(s.trim().to_string()),
                Ok(f) => Quantity::Float(f),
                Err(_) => Quantity::NotANumber,
            },
        },
        UsageValue::Map(_) => Quantity::NotANumber,
    }
}

/// How many positions one check may ask the YAML parser for by a parse of their own (see
/// [`mark`]): each costs a parse of the file, and what [`locate`] finds costs nothing.
const MARKS_MAX: usize = 32;
/// How many addresses that match no resource get the closest address as a suggestion: each
/// compares with every resource.
const ADDRESS_SUGGESTIONS_MAX: usize = 64;

/// Walks a file's entries against [`USAGE_KEYS`] and the resources.
struct Checker<'a> {
    file: &'a UsageFile,
    id: FileId,
    resources: &'a [(&'a str, &'a str)],
    exact: BTreeSet<&'a str>,
    marks_left: std::cell::Cell<usize>,
    suggestions_left: usize,
    out: Vec<Diagnostic>,
}

/// A part of a mapping entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Key,
    Value,
}

impl Checker<'_> {
    fn entry(&mut self, section: &str, name: &str, path: &[usize], body: &serde_norway::Mapping) {
        if section == "resource_type_default_usage" {
            let what = format!("{name} (default usage)");
            match keys_of(name) {
                Some(keys) => self.keys(&what, name, keys, path, "", body),
                None => self.no_usage(&what, name, path, body),
            }
            return;
        }
        let matched = self.exact.contains(name)
            || (name.contains("[*]") && self.resources.iter().any(|(a, _)| address_matches(name, a)));
        let ty = address_type(name);
        if !matched {
            let mut d = Diagnostic::warning(
                "usage::no-such-resource",
                format!("resource_usage names {name}, which matches no resource: its usage is not read"),
                self.span(path, Part::Key),
            )
            .with_label("no such resource");
            let close = if self.suggestions_left > 0 {
                self.suggestions_left -= 1;
                closest_address(name, ty, self.resources)
            } else {
                None
            };
            d = d.with_help(match close {
                Some(a) => format!("did you mean {a}? `infracheck resources` lists the addresses"),
                None => "give a resource's full address as `infracheck resources` lists it; [*] matches any count or \
                         for_each key"
                    .to_string(),
            });
            self.out.push(d);
        }
        match ty.and_then(|t| keys_of(t).map(|k| (t, k))) {
            Some((t, keys)) => self.keys(name, t, keys, path, "", body),
            // An address that matches nothing says so once; a misspelt type is that address.
            None if matched => {
                if let Some(t) = ty {
                    self.no_usage(name, t, path, body);
                }
            }
            None => {}
        }
    }

    /// The keys of one entry (or of a nested mapping, `prefix` its dotted path) against `keys`.
    fn keys(&mut self, what: &str, ty: &str, keys: Keys, path: &[usize], prefix: &str, body: &serde_norway::Mapping) {
        for (i, (k, v)) in body.iter().enumerate() {
            let mut at = path.to_vec();
            at.push(i);
            let own = scalar_string(k);
            let key = format!("{prefix}{own}");
            let v = untagged(v);
            let Some((_, shape)) = keys.iter().find(|(name, _)| *name == own) else {
                let candidates: Vec<String> = keys.iter().map(|(n, _)| format!("{prefix}{n}")).collect();
                let help = match closest(&key, candidates.iter().map(String::as_str)) {
                    Some(c) => format!("did you mean {c}?"),
                    None => format!("the usage keys of {ty}: {}", candidates.join(", ")),
                };
                self.out.push(
                    Diagnostic::warning(
                        "usage::unknown-key",
                        format!("{what}: {key} is not a usage key of {ty}, so it is ignored"),
                        self.span(&at, Part::Key),
                    )
                    .with_label("unknown usage key")
                    .with_help(help),
                );
                continue;
            };
            match shape {
                Shape::Quantity => self.quantity(what, &key, &at, v),
                Shape::Text { values, any_case } => self.text(what, &key, &at, v, values, *any_case),
                Shape::Map(inner) => match v {
                    serde_norway::Value::Mapping(m) => self.keys(what, ty, inner, &at, &format!("{key}."), m),
                    serde_norway::Value::Null => {}
                    _ => {
                        let inner: Vec<&str> = inner.iter().map(|(n, _)| *n).collect();
                        self.out.push(
                            Diagnostic::warning(
                                "usage::not-a-mapping",
                                format!(
                                    "{what}: {key} takes a mapping ({}), not a single value, so it is ignored",
                                    inner.join(", ")
                                ),
                                self.span(&at, Part::Value),
                            )
                            .with_label("not a mapping")
                            .with_help(format!("nest the keys under it: `{key}:` then `  {}: …`", inner[0])),
                        );
                    }
                },
            }
        }
    }

    fn quantity(&mut self, what: &str, key: &str, at: &[usize], v: &serde_norway::Value) {
        let given = match v {
            serde_norway::Value::Null => {
                self.out.push(
                    Diagnostic::warning(
                        "usage::not-a-number",
                        format!("{what}: {key} has no value, so it is ignored"),
                        self.span(at, Part::Key),
                    )
                    .with_label("no value")
                    .with_help("give the monthly amount as a number: 250, 0.5, 1e6"),
                );
                return;
            }
            serde_norway::Value::Mapping(_) => Quantity::NotANumber,
            other => match convert(other) {
                Ok(u) => quantity(&u),
                // Reported by the parse already.
                Err(_) => return,
            },
        };
        match given {
            Quantity::Negative(n) => self.out.push(
                Diagnostic::error(
                    "usage::negative-quantity",
                    format!(
                        "{what}: {key} is {n}, and a quantity cannot be negative: the line it prices is not priced"
                    ),
                    self.span(at, Part::Value),
                )
                .with_label("negative quantity")
                .with_help("give the monthly amount, 0 or more"),
            ),
            Quantity::NotANumber => self.not_a_number(what, key, at, v),
            Quantity::Float(f) if !f.is_finite() => self.not_a_number(what, key, at, v),
            Quantity::Number(_) | Quantity::TooLarge(_) | Quantity::Float(_) => {}
        }
    }

    fn not_a_number(&mut self, what: &str, key: &str, at: &[usize], v: &serde_norway::Value) {
        let shown = match v {
            serde_norway::Value::Mapping(_) => "a mapping".to_string(),
            other => format!("{:?}", scalar_string(other)),
        };
        self.out.push(
            Diagnostic::warning(
                "usage::not-a-number",
                format!("{what}: {key} is {shown}, not a number, so it is ignored"),
                self.span(at, Part::Value),
            )
            .with_label("not a number")
            .with_help("give the monthly amount as a number: 250, 0.5, 1e6"),
        );
    }

    fn text(&mut self, what: &str, key: &str, at: &[usize], v: &serde_norway::Value, values: &[&str], any_case: bool) {
        if v.is_null() {
            return;
        }
        let given = match v {
            serde_norway::Value::Mapping(_) => None,
            other => Some(scalar_string(other)),
        };
        let known = given.as_deref().is_some_and(|g| {
            values
                .iter()
                .any(|x| if any_case { x.eq_ignore_ascii_case(g) } else { *x == g })
        });
        if known {
            return;
        }
        let shown = given.as_ref().map_or("a mapping".to_string(), |g| format!("{g:?}"));
        let list = values.join(", ");
        let help = match given.as_deref().and_then(|g| closest(g, values.iter().copied())) {
            Some(c) => format!("did you mean {c}?"),
            None => format!("give one of {list}"),
        };
        self.out.push(
            Diagnostic::warning(
                "usage::unknown-value",
                format!("{what}: {key} is {shown}, not one of {list}"),
                self.span(at, Part::Value),
            )
            .with_label("unknown value")
            .with_help(help),
        );
    }

    /// Every key of an entry for a type that takes no usage.
    fn no_usage(&mut self, what: &str, ty: &str, path: &[usize], body: &serde_norway::Mapping) {
        // A type some resource has, or one AWS does not charge for, is no misspelling.
        let free = super::estimators::FREE.contains(&ty);
        let real = free || self.resources.iter().any(|(_, t)| *t == ty);
        let help = match closest(ty, USAGE_KEYS.iter().map(|(t, _)| *t)).filter(|_| !real) {
            Some(t) => format!("did you mean {t}?"),
            None if free => format!("AWS does not charge for {ty}: remove the entry"),
            None => format!("infracheck reads no usage for {ty}: remove the entry"),
        };
        for (i, (k, _)) in body.iter().enumerate() {
            let mut at = path.to_vec();
            at.push(i);
            let key = scalar_string(k);
            self.out.push(
                Diagnostic::warning(
                    "usage::no-usage",
                    format!("{what}: {ty} takes no usage, so {key} is ignored"),
                    self.span(&at, Part::Key),
                )
                .with_label("not read")
                .with_help(help.clone()),
            );
        }
    }

    /// Where the key or value at `path` is written: from [`locate`], else from the parser's mark
    /// (within [`MARKS_MAX`]), else the key of the nearest entry above that is located.
    fn span(&self, path: &[usize], part: Part) -> Option<Span> {
        let at = &self.file.at;
        let found = match part {
            Part::Key => at.key(path),
            Part::Value => at.value(path),
        };
        let found = found.or_else(|| {
            let left = self.marks_left.get();
            if left == 0 {
                return None;
            }
            self.marks_left.set(left - 1);
            mark(&self.file.text, path, part).map(|o| o..o)
        });
        let found = found.or_else(|| match part {
            Part::Value => at.key(path),
            Part::Key => (1..path.len()).rev().find_map(|n| at.key(&path[..n])),
        });
        found.map(|r| Span::new(self.id, r))
    }
}

/// The candidate closest to `given` when it is close enough to be what was meant.
fn closest<'c>(given: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    let limit = 2.max(given.chars().count() / 4);
    candidates
        .map(|c| (strsim::levenshtein(given, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// The resource address (or its `[*]` form) closest to an address that matches none; among the
/// resources of its type when it names one that has some.
fn closest_address(given: &str, ty: Option<&str>, resources: &[(&str, &str)]) -> Option<String> {
    let same_type = |t: &str| ty.is_some_and(|ty| ty == t);
    let pool: Vec<&str> = if resources.iter().any(|(_, t)| same_type(t)) {
        resources
            .iter()
            .filter(|(_, t)| same_type(t))
            .map(|(a, _)| *a)
            .collect()
    } else {
        resources.iter().map(|(a, _)| *a).collect()
    };
    let mut candidates: BTreeSet<String> = BTreeSet::new();
    for a in pool {
        let w = wildcard_form(a);
        if w != a {
            candidates.insert(w);
        }
        candidates.insert(a.to_string());
    }
    let limit = 2.max(given.chars().count() / 4);
    candidates
        .iter()
        .map(|c| (strsim::levenshtein(given, c), !c.contains("[*]"), c))
        .filter(|(d, _, _)| *d <= limit)
        .min()
        .map(|(_, _, c)| c.clone())
}

/// An address with every instance key as `[*]`: `module.a["x"].aws_eip.b[0]` →
/// `module.a[*].aws_eip.b[*]`.
fn wildcard_form(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut rest = address;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        match skip_key(&rest[i..]) {
            Some(after) => {
                out.push_str("[*]");
                rest = after;
            }
            None => {
                out.push_str(&rest[i..]);
                return out;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The resource type an address or `[*]` pattern names: `module.vpc.aws_nat_gateway.this[*]` →
/// `aws_nat_gateway`. `None` for a data source and for what is not an address.
pub fn address_type(address: &str) -> Option<&str> {
    let mut parts = Vec::new();
    let mut rest = address;
    loop {
        let end = segment_end(rest)?;
        parts.push(&rest[..end]);
        if end == rest.len() {
            break;
        }
        rest = &rest[end + 1..];
    }
    let mut i = 0;
    while parts.get(i) == Some(&"module") {
        i += 2;
    }
    match parts.get(i..)? {
        [ty, name] if !ty.is_empty() && !ty.contains('[') && *ty != "data" && !name.is_empty() => Some(ty),
        _ => None,
    }
}

/// Where the first `.`-separated segment of an address ends (instance keys may hold dots).
fn segment_end(s: &str) -> Option<usize> {
    let mut i = 0;
    while i < s.len() {
        match s.as_bytes()[i] {
            b'.' => return Some(i),
            b'[' => {
                let after = skip_key(&s[i..])?;
                i = s.len() - after.len();
            }
            _ => i += 1,
        }
    }
    Some(s.len())
}

fn lookup_path<'a>(m: &'a UsageMap, key: &str) -> Option<&'a UsageValue> {
    let mut parts = key.split('.');
    let mut cur = m.get(parts.next()?)?;
    for p in parts {
        match cur {
            UsageValue::Map(inner) => cur = inner.get(p)?,
            _ => return None,
        }
    }
    Some(cur)
}

fn untagged(v: &serde_norway::Value) -> &serde_norway::Value {
    match v {
        serde_norway::Value::Tagged(t) => untagged(&t.value),
        other => other,
    }
}

fn scalar_string(v: &serde_norway::Value) -> String {
    match v {
        serde_norway::Value::String(s) => s.clone(),
        serde_norway::Value::Number(n) => n.to_string(),
        serde_norway::Value::Bool(b) => b.to_string(),
        serde_norway::Value::Tagged(t) => scalar_string(&t.value),
        _ => String::new(),
    }
}

fn convert(v: &serde_norway::Value) -> Result<UsageValue, String> {
    Ok(match v {
        serde_norway::Value::Number(n) => {
            let s = n.to_string();
            match Decimal::from_str(&s).or_else(|_| Decimal::from_scientific(&s)) {
                Ok(d) => UsageValue::Number(d),
                // A number too large for a Decimal prices nothing, but the run goes on: the lines
                // it would price say why they are not priced.
                Err(_) => match n.as_f64() {
                    Some(f) if f.is_finite() => UsageValue::TooLarge(super::num::sci_f64(f)),
                    _ => return Err(format!("{s} is not a usable number")),
                },
            }
        }
        serde_norway::Value::String(s) => UsageValue::String(s.clone()),
        serde_norway::Value::Bool(b) => UsageValue::String(b.to_string()),
        serde_norway::Value::Mapping(m) => {
            let mut out = UsageMap::new();
            for (k, v) in m {
                if v.is_null() {
                    continue;
                }
                out.insert(scalar_string(k), convert(v)?);
            }
            UsageValue::Map(out)
        }
        serde_norway::Value::Null => return Err("a usage value is empty".into()),
        serde_norway::Value::Sequence(_) => return Err("lists are not usage values".into()),
        serde_norway::Value::Tagged(t) => convert(&t.value)?,
    })
}

/// Where the parts of a YAML document are written: the byte range of each mapping key and
/// scalar value, in document order. `Unknown` for what could not be located.
#[derive(Debug, Default)]
enum Located {
    #[default]
    Unknown,
    Scalar(Option<Range<usize>>),
    Map(Vec<(Option<Range<usize>>, Located)>),
}

impl Located {
    /// The entry at `path` (indices of mapping entries, outermost first).
    fn entry(&self, path: &[usize]) -> Option<&(Option<Range<usize>>, Located)> {
        let (last, above) = path.split_last()?;
        let mut cur = self;
        for &i in above {
            cur = match cur {
                Located::Map(entries) => &entries.get(i)?.1,
                _ => return None,
            };
        }
        match cur {
            Located::Map(entries) => entries.get(*last),
            _ => None,
        }
    }

    fn key(&self, path: &[usize]) -> Option<Range<usize>> {
        self.entry(path)?.0.clone()
    }

    fn value(&self, path: &[usize]) -> Option<Range<usize>> {
        match &self.entry(path)?.1 {
            Located::Scalar(r) => r.clone(),
            _ => None,
        }
    }
}

/// Locates the keys and scalar values of `doc` (already parsed from `text`) in one more parse.
/// The parser hands a scalar written plainly or in simple quotes to the visitor as a slice of
/// `text` itself, so where the slice starts is where it is written — exact, whatever the style
/// (flow or block, anchors). A scalar the parser rewrites (escapes, block scalars, folded lines)
/// comes as a copy and stays unlocated here; [`mark`] finds those.
fn locate(text: &str, doc: &serde_norway::Value) -> Located {
    Locate { base: text, shape: doc }
        .deserialize(serde_norway::Deserializer::from_str(text))
        .unwrap_or_default()
}

/// Reads one node as `shape` (the same node, parsed before) says it is.
struct Locate<'s> {
    base: &'s str,
    shape: &'s serde_norway::Value,
}

impl<'de> DeserializeSeed<'de> for Locate<'_> {
    type Value = Located;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Located, D::Error> {
        match self.shape {
            serde_norway::Value::Mapping(m) => d.deserialize_map(MapLocator {
                base: self.base,
                shape: m,
            }),
            serde_norway::Value::Sequence(_) | serde_norway::Value::Tagged(_) => {
                d.deserialize_ignored_any(IgnoredAny)?;
                Ok(Located::Unknown)
            }
            _ => d
                .deserialize_str(ScalarLocator { base: self.base })
                .map(Located::Scalar),
        }
    }
}

struct MapLocator<'s> {
    base: &'s str,
    shape: &'s serde_norway::Mapping,
}

impl<'de> Visitor<'de> for MapLocator<'_> {
    type Value = Located;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Located, A::Error> {
        let mut out = Vec::new();
        for (k, v) in self.shape {
            let key = match k {
                serde_norway::Value::Mapping(_) | serde_norway::Value::Sequence(_) | serde_norway::Value::Tagged(_) => {
                    map.next_key::<IgnoredAny>()?.map(|_| None)
                }
                _ => map.next_key_seed(KeyLocator { base: self.base })?,
            };
            let Some(key) = key else { break };
            let value = map.next_value_seed(Locate {
                base: self.base,
                shape: v,
            })?;
            out.push((key, value));
        }
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value::<IgnoredAny>()?;
        }
        Ok(Located::Map(out))
    }
}

struct KeyLocator<'s> {
    base: &'s str,
}

impl<'de> DeserializeSeed<'de> for KeyLocator<'_> {
    type Value = Option<Range<usize>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(ScalarLocator { base: self.base })
    }
}

struct ScalarLocator<'s> {
    base: &'s str,
}

impl<'de> Visitor<'de> for ScalarLocator<'_> {
    type Value = Option<Range<usize>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a scalar")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(range_in(self.base, v))
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// The range of `part` in `base` when it is a slice of it, with the quotes around it when it is
/// a quoted scalar.
fn range_in(base: &str, part: &str) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(base.as_ptr() as usize)?;
    let end = start.checked_add(part.len()).filter(|e| *e <= base.len())?;
    let bytes = base.as_bytes();
    match (start.checked_sub(1).map(|b| bytes[b]), bytes.get(end)) {
        (Some(q @ (b'"' | b'\'')), Some(c)) if q == *c => Some(start - 1..end + 1),
        _ => Some(start..end),
    }
}

/// Says "here" to the parser, which then reports the position of the node being read.
const MARK: &str = "infracheck usage position mark";

/// Where the key or value at `path` starts, as the YAML parser itself counts: a walk that stops
/// with an error at that node gets the error's position. One parse of the file per call, for what
/// [`locate`] cannot find.
fn mark(text: &str, path: &[usize], part: Part) -> Option<usize> {
    let e = Seek { path, part }
        .deserialize(serde_norway::Deserializer::from_str(text))
        .err()?;
    if !e.to_string().contains(MARK) {
        return None;
    }
    let l = e.location()?;
    Some(mark_offset(text, l.line(), l.column()))
}

/// The byte offset of a parser position (1-based line and column, the column in characters).
fn mark_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start = match line.checked_sub(2) {
        None => 0,
        Some(n) => text.match_indices('\n').nth(n).map_or(text.len(), |(i, _)| i + 1),
    };
    text[line_start..]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(text.len(), |(i, _)| line_start + i)
}

struct Seek<'p> {
    path: &'p [usize],
    part: Part,
}

impl<'de> DeserializeSeed<'de> for Seek<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Seek<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        use serde::de::Error;
        let not_found = || A::Error::custom("no such entry");
        let (&i, rest) = self.path.split_first().ok_or_else(not_found)?;
        for _ in 0..i {
            map.next_key::<IgnoredAny>()?.ok_or_else(not_found)?;
            map.next_value::<IgnoredAny>()?;
        }
        if rest.is_empty() && self.part == Part::Key {
            map.next_key_seed(Stop)?;
            return Err(not_found());
        }
        map.next_key::<IgnoredAny>()?.ok_or_else(not_found)?;
        if rest.is_empty() {
            map.next_value_seed(Stop)?;
        } else {
            map.next_value_seed(Seek {
                path: rest,
                part: self.part,
            })?;
        }
        Err(not_found())
    }
}

/// Fails on whatever node it is given, with [`MARK`].
struct Stop;

impl<'de> DeserializeSeed<'de> for Stop {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Stop {
    type Value = ();

    // Every visit fails with "invalid type: …, expected <this>", at the node's position.
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(MARK)
    }
}

/// `[*]` in a pattern matches any one instance key (`[0]`, `["a"]`).
pub fn address_matches(pattern: &str, address: &str) -> bool {
    let Some((head, rest)) = pattern.split_once("[*]") else {
        return pattern == address;
    };
    let Some(tail) = address.strip_prefix(head) else {
        return false;
    };
    let Some(after) = skip_key(tail) else {
        return false;
    };
    address_matches(rest, after)
}

/// Skips one `[…]` instance key at the start of `s` (quoted strings may hold `]`).
fn skip_key(s: &str) -> Option<&str> {
    let mut chars = s.char_indices();
    if chars.next()?.1 != '[' {
        return None;
    }
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in chars {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ']' if !quoted => return Some(&s[i + 1..]),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn usage(text: &str) -> Usage {
        let mut u = Usage::default();
        u.add_text("usage.yml", text).unwrap();
        u
    }

    #[test]
    fn addresses_win_over_wildcards_over_type_defaults() {
        let u = usage(
            "version: 0.1\nresource_type_default_usage:\n  aws_nat_gateway:\n    monthly_data_processed_gb: 10\nresource_usage:\n  module.vpc.aws_nat_gateway.this[*]:\n    monthly_data_processed_gb: 20\n  module.vpc.aws_nat_gateway.this[1]:\n    monthly_data_processed_gb: 30.5\n  aws_s3_bucket.logs:\n    standard:\n      storage_gb: 500\n",
        );
        let n = |a: &str| {
            u.number(a, "aws_nat_gateway", "monthly_data_processed_gb")
                .and_then(|n| n.value())
        };
        assert_eq!(n("module.vpc.aws_nat_gateway.this[0]"), Some(Decimal::from(20)));
        assert_eq!(
            n("module.vpc.aws_nat_gateway.this[1]"),
            Some(Decimal::from_str("30.5").unwrap())
        );
        assert_eq!(n("aws_nat_gateway.other"), Some(Decimal::from(10)));
        assert_eq!(
            u.number("aws_s3_bucket.logs", "aws_s3_bucket", "standard.storage_gb")
                .and_then(|n| n.value()),
            Some(Decimal::from(500))
        );
        assert_eq!(u.number("aws_s3_bucket.logs", "aws_s3_bucket", "storage_gb"), None);
    }

    #[test]
    fn wildcards_match_one_key_of_any_kind() {
        assert!(address_matches("aws_eip.nat[*]", "aws_eip.nat[0]"));
        assert!(address_matches(
            "module.a[*].aws_eip.nat[*]",
            "module.a[\"x]y\"].aws_eip.nat[2]"
        ));
        assert!(!address_matches("aws_eip.nat[*]", "aws_eip.nat"));
        assert!(!address_matches("aws_eip.nat[*]", "aws_eip.nat[0].x"));
    }

    #[test]
    fn bad_files_are_located_errors() {
        for (text, message) in [
            ("version: 0.2\n", "not supported"),
            ("resource_usage: {}\n", "no `version"),
            ("version: 0.1\nresource_usage:\n  aws_eip.x: 3\n", "expected a mapping"),
            ("version: 0.1\nresourse_usage: {}\n", "unknown key"),
            ("version: 0.1\nresource_usage:\n  a: [\n", "not valid YAML"),
            (
                "version: 0.1\nresource_usage:\n  aws_lb.x:\n    new_connections: [1]\n",
                "lists",
            ),
        ] {
            let e = Usage::default().add_text("usage.yml", text).unwrap_err();
            assert!(e.message.contains(message), "{text:?}: {}", e.message);
        }
    }

    #[test]
    fn usage_keys_are_sorted_by_type_and_each_key_is_given_once() {
        for w in USAGE_KEYS.windows(2) {
            assert!(w[0].0 < w[1].0, "{} before {}", w[0].0, w[1].0);
        }
        for (ty, keys) in USAGE_KEYS {
            let paths: Vec<String> = leaf_paths(keys).into_iter().map(|(p, _)| p).collect();
            let unique: BTreeSet<&String> = paths.iter().collect();
            assert_eq!(unique.len(), paths.len(), "{ty}: {paths:?}");
            assert_eq!(keys_of(ty), Some(*keys));
        }
        assert_eq!(keys_of("aws_vpc"), None);
    }

    /// Every (type, key) the estimators read over fixtures/usage-diagnostics/every-estimator,
    /// which has a resource of every type that reads usage (and of every branch that reads a key
    /// of its own), is in [`USAGE_KEYS`], and every key there is read: the table is what the
    /// estimators read, no more and no less.
    #[test]
    fn usage_keys_are_exactly_what_the_estimators_read() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/usage-diagnostics/every-estimator");
        let (_loader, projects) = crate::targets::load(&crate::targets::Targets {
            paths: vec![dir],
            ..Default::default()
        })
        .expect("the fixture loads");
        let usage = Usage::default();
        for p in &projects {
            crate::cost::estimate_project(p, &usage, crate::cost::catalog::Catalog::active());
        }
        let read = usage.reads.lock().unwrap().clone();
        let table: BTreeSet<(String, String)> = USAGE_KEYS
            .iter()
            .flat_map(|(ty, keys)| leaf_paths(keys).into_iter().map(|(p, _)| (ty.to_string(), p)))
            .collect();
        let unlisted: Vec<_> = read.difference(&table).collect();
        let unread: Vec<_> = table.difference(&read).collect();
        assert!(
            unlisted.is_empty(),
            "estimators read usage keys USAGE_KEYS does not list: {unlisted:?}"
        );
        assert!(
            unread.is_empty(),
            "USAGE_KEYS lists keys no estimator read over the fixture (a stale key, or a type the fixture lacks): {unread:?}"
        );
    }

    /// A read the fixture misses (a new estimator, a new branch) still has its key in the table:
    /// every key written literally in a usage read of an estimator's source is a usage key of
    /// some type.
    #[test]
    fn every_key_an_estimator_reads_by_name_is_in_the_table() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/cost/estimators");
        let call = regex::Regex::new(r#"usage(?:_str)?\(\s*ctx,\s*\w+,\s*"([^"]+)"\s*\)"#).unwrap();
        let known: BTreeSet<String> = USAGE_KEYS
            .iter()
            .flat_map(|(_, keys)| leaf_paths(keys).into_iter().map(|(p, _)| p))
            .collect();
        let mut seen = 0;
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for c in call.captures_iter(&text) {
                seen += 1;
                assert!(
                    known.contains(&c[1]),
                    "{}: usage key {} is not in USAGE_KEYS (src/cost/usage.rs)",
                    path.display(),
                    &c[1]
                );
            }
        }
        assert!(seen > 20, "the pattern finds the reads ({seen})");
    }

    #[test]
    fn a_negative_quantity_is_a_figure_not_priced() {
        let u = usage("version: 0.1\nresource_usage:\n  aws_nat_gateway.n:\n    monthly_data_processed_gb: -250\n  aws_kms_key.k:\n    monthly_requests: \"-1e3\"\n");
        let n = u
            .number("aws_nat_gateway.n", "aws_nat_gateway", "monthly_data_processed_gb")
            .unwrap();
        assert_eq!(
            n.get(),
            Err("negative quantity: monthly_data_processed_gb = -250".to_string())
        );
        let n = u.number("aws_kms_key.k", "aws_kms_key", "monthly_requests").unwrap();
        assert_eq!(n.get(), Err("negative quantity: monthly_requests = -1e3".to_string()));
    }

    #[test]
    fn addresses_name_their_type() {
        for (address, ty) in [
            ("aws_nat_gateway.this", Some("aws_nat_gateway")),
            ("module.vpc.aws_nat_gateway.this[*]", Some("aws_nat_gateway")),
            ("module.a[\"x.y\"].module.b[0].aws_eip.e[\"k.l\"]", Some("aws_eip")),
            ("data.aws_ami.ubuntu", None),
            ("module.vpc", None),
            ("aws_nat_gateway", None),
            ("aws_eip.e[\"unclosed", None),
        ] {
            assert_eq!(address_type(address), ty, "{address}");
        }
        assert_eq!(
            wildcard_form("module.a[\"x]\"].aws_eip.b[0]"),
            "module.a[*].aws_eip.b[*]"
        );
    }

    /// The text each part of `text` is located at (`key` for a key, `=value` for a value).
    fn located(text: &str, paths: &[(&[usize], Part)]) -> Vec<String> {
        let file = UsageFile::parse("usage.yml", text).unwrap();
        let c = Checker {
            file: &file,
            id: FileId(0),
            resources: &[],
            exact: BTreeSet::new(),
            marks_left: std::cell::Cell::new(MARKS_MAX),
            suggestions_left: 0,
            out: Vec::new(),
        };
        paths
            .iter()
            .map(|(p, part)| {
                let s = c.span(p, *part).unwrap_or_else(|| panic!("{p:?} {part:?} not located"));
                let end = if s.end > s.start {
                    s.end
                } else {
                    s.start + text[s.start..].find([':', '\n']).unwrap()
                };
                text[s.start..end].to_string()
            })
            .collect()
    }

    #[test]
    fn keys_and_values_are_located_as_written_in_every_style() {
        let text = "version: 0.1\n# resource_usage: in a comment\nresource_usage:\n  'module.a[\"x\"].aws_nat_gateway.n':\n    monthly_data_processed_gb: -250\n  aws_lb.l: {new_connections: 'many', \"active_connections\": 3}\n  \"aws_eip.e[\\\"k\\\"]\":\n    x: \"a\\tb\"\n    y: |\n      text\n";
        assert_eq!(
            located(
                text,
                &[
                    (&[1], Part::Key),
                    (&[1, 0], Part::Key),
                    (&[1, 0, 0], Part::Key),
                    (&[1, 0, 0], Part::Value),
                    (&[1, 1, 0], Part::Value),
                    (&[1, 1, 1], Part::Key),
                    // Escaped or block scalars: where the parser says they start.
                    (&[1, 2], Part::Key),
                    (&[1, 2, 0], Part::Value),
                    (&[1, 2, 1], Part::Value),
                ]
            ),
            [
                "resource_usage",
                "'module.a[\"x\"].aws_nat_gateway.n'",
                "monthly_data_processed_gb",
                "-250",
                "'many'",
                "\"active_connections\"",
                "\"aws_eip.e[\\\"k\\\"]\"",
                "\"a\\tb\"",
                "|",
            ]
        );
    }

    #[test]
    fn positions_past_wide_characters_are_exact() {
        let text = "version: 0.1 # версия\nresource_usage:\n  aws_kms_key.ключ:\n    \"monthly\\u0020requests\": 1\n";
        assert_eq!(
            located(text, &[(&[1, 0], Part::Key), (&[1, 0, 0], Part::Key)]),
            ["aws_kms_key.ключ", "\"monthly\\u0020requests\""]
        );
    }

    fn check(text: &str, resources: &[(&str, &str)]) -> Vec<(String, String, String)> {
        let file = UsageFile::parse("usage.yml", text).unwrap();
        file.check(FileId(0), resources)
            .into_iter()
            .map(|d| {
                let s = d.span.expect("located");
                (
                    d.code.to_string(),
                    text[s.start..s.end.max(s.start)].to_string(),
                    format!("{} | {}", d.message, d.help.unwrap_or_default()),
                )
            })
            .collect()
    }

    #[test]
    fn entries_are_checked_against_the_keys_and_the_resources() {
        let resources = [
            ("aws_nat_gateway.this[0]", "aws_nat_gateway"),
            ("aws_nat_gateway.this[1]", "aws_nat_gateway"),
            ("aws_s3_bucket.b", "aws_s3_bucket"),
            ("aws_vpc.main", "aws_vpc"),
            ("aws_eip.e", "aws_eip"),
        ];
        let got = check(
            "version: 0.1\nresource_type_default_usage:\n  aws_nat_gatway:\n    monthly_data_processed_gb: 1\n  aws_eip:\n    hours: 1\nresource_usage:\n  aws_nat_gateway.this[*]:\n    monthly_data_processed_gb: 1e3\n  aws_nat_gateway.this:\n    monthly_data_processed_gb: 1\n  aws_s3_bucket.b:\n    standard:\n      storag_gb: 1\n    monthly_tier_1_requests: lots\n  aws_vpc.main:\n    monthly_data_processed_gb: 1\n  aws_instance.gone:\n    operating_system: windwos\n",
            &resources,
        );
        let expect = [
            ("usage::no-usage", "monthly_data_processed_gb", "aws_nat_gatway (default usage): aws_nat_gatway takes no usage, so monthly_data_processed_gb is ignored | did you mean aws_nat_gateway?"),
            ("usage::no-usage", "hours", "aws_eip (default usage): aws_eip takes no usage, so hours is ignored | infracheck reads no usage for aws_eip: remove the entry"),
            ("usage::no-such-resource", "aws_nat_gateway.this", "resource_usage names aws_nat_gateway.this, which matches no resource: its usage is not read | did you mean aws_nat_gateway.this[*]? `infracheck resources` lists the addresses"),
            ("usage::unknown-key", "storag_gb", "aws_s3_bucket.b: standard.storag_gb is not a usage key of aws_s3_bucket, so it is ignored | did you mean standard.storage_gb?"),
            ("usage::not-a-number", "lots", "aws_s3_bucket.b: monthly_tier_1_requests is \"lots\", not a number, so it is ignored | give the monthly amount as a number: 250, 0.5, 1e6"),
            ("usage::no-usage", "monthly_data_processed_gb", "aws_vpc.main: aws_vpc takes no usage, so monthly_data_processed_gb is ignored | AWS does not charge for aws_vpc: remove the entry"),
            ("usage::no-such-resource", "aws_instance.gone", "resource_usage names aws_instance.gone, which matches no resource: its usage is not read | give a resource's full address as `infracheck resources` lists it; [*] matches any count or for_each key"),
            ("usage::unknown-value", "windwos", "aws_instance.gone: operating_system is \"windwos\", not one of linux, windows, rhel, suse | did you mean windows?"),
        ];
        let expect: Vec<(String, String, String)> = expect
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect();
        assert_eq!(got, expect);
    }
}
