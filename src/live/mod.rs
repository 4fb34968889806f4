//! The AWS Config front end (`infracheck live`): configuration items of deployed resources mapped
//! into the same model the HCL and plan front ends build — Terraform's resource types and attribute
//! names, split resources as their Terraform companions (a bucket's encryption as
//! `aws_s3_bucket_server_side_encryption_configuration`, joined as usual) — so every policy reads
//! code, plans and accounts alike. Each item is a source of its own, named by its ARN, holding the
//! item as JSON: findings point at the ARN.
//!
//! The mapping is plain code over the documented configuration item format (tested offline with
//! fixtures); fetching the items with aws-sdk-config is behind the `aws` feature.

pub mod drift;
pub mod evaluations;
#[cfg(feature = "aws")]
pub mod fetch;
pub mod map;

use crate::model::Map;
use crate::model::{ModulePath, Project, Resource, Value};
use crate::source::SourceMap;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Configuration items read into a project: the resources, and what could not be mapped.
pub struct LiveProject {
    pub project: Project,
    /// Resource types with no mapping, with how many items of each were read.
    pub unmapped: BTreeMap<String, usize>,
    /// Items that were skipped on purpose (AWS-managed keys, deleted resources), with why.
    pub skipped: Vec<(String, String)>,
    /// The items that were mapped, each with the source its resources point at.
    pub items: Vec<Item>,
}

/// A configuration item that was mapped into the model: what AWS Config calls it, and the source
/// (named by its ARN) that its resources' findings point at.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub file: crate::source::FileId,
    /// `AWS::S3::Bucket`
    pub resource_type: String,
    /// AWS Config's resource ID (a bucket's name, a role's ID, `sg-…`).
    pub resource_id: String,
    pub arn: String,
}

/// Configuration items by account (`aws:ACCOUNT`), each group one project.
pub fn by_account(items: Vec<serde_json::Value>) -> std::collections::BTreeMap<String, Vec<serde_json::Value>> {
    let mut out: std::collections::BTreeMap<String, Vec<serde_json::Value>> = Default::default();
    for i in items {
        let account = i
            .get("accountId")
            .and_then(|a| a.as_str())
            .unwrap_or("unknown")
            .to_string();
        out.entry(format!("aws:{account}")).or_default().push(i);
    }
    out
}

/// Builds a project named `name` from configuration items (JSON objects as BatchGetResourceConfig
/// returns them, or as `aws configservice batch-get-resource-config` prints them).
pub fn project(name: &str, items: &[serde_json::Value], sources: &SourceMap) -> LiveProject {
    let mut resources: Vec<Resource> = Vec::new();
    let mut unmapped: BTreeMap<String, usize> = BTreeMap::new();
    let mut skipped = Vec::new();
    let mut mapped_items = Vec::new();
    let (latest, older) = latest_items(items);
    for (arn, captured) in older {
        skipped.push((
            arn,
            format!("duplicate: a later configuration item of the same resource (captured {captured}) is read"),
        ));
    }
    let mut sorted: Vec<&serde_json::Value> = latest;
    sorted.sort_by_key(|i| {
        (
            str_field(i, "resourceType"),
            str_field(i, "arn"),
            str_field(i, "resourceId"),
        )
    });
    for item in sorted {
        let ty = str_field(item, "resourceType");
        let arn = match str_field(item, "arn") {
            a if a.is_empty() => format!("{ty}/{}", str_field(item, "resourceId")),
            a => a,
        };
        let status = str_field(item, "configurationItemStatus");
        if matches!(status.as_str(), "ResourceDeleted" | "ResourceDeletedNotRecorded") {
            skipped.push((arn, "deleted".into()));
            continue;
        }
        let text = serde_json::to_string_pretty(item).unwrap_or_default();
        let file = sources.add(PathBuf::from(&arn), text.clone());
        let span = crate::source::Span::new(file, 0..text.len().min(1));
        match map::map_item(item, span) {
            map::Mapped::Resources(rs) => {
                resources.extend(rs);
                mapped_items.push(Item {
                    file,
                    resource_type: ty,
                    resource_id: str_field(item, "resourceId"),
                    arn,
                });
            }
            map::Mapped::Skipped(why) => skipped.push((arn, why)),
            map::Mapped::Unmapped => *unmapped.entry(ty).or_default() += 1,
        }
    }
    attach_volumes(&mut resources);
    let mut project = Project {
        env: name.to_string(),
        root: PathBuf::from(name),
        resources,
        backend: None,
        providers: Vec::new(),
        variables: Map::new(),
        outputs: Map::new(),
        external_modules: Vec::new(),
        diagnostics: Vec::new(),
        profile: "default".into(),
        // An account has no Terraform backend: state rules do not apply.
        backend_known: false,
        budget: None,
        module_dirs: Vec::new(),
        remote_modules: Vec::new(),
        ..Default::default()
    };
    crate::model::join::join(&mut project);
    LiveProject {
        project,
        unmapped,
        skipped,
        items: mapped_items,
    }
}

/// When an item was captured: parsed (to order items), and as written (to show).
type Captured = (Option<chrono::DateTime<chrono::Utc>>, String);

/// One item per resource: of items with the same resource type and ID (or ARN, without an ID),
/// the one with the latest `configurationItemCaptureTime` (the last given, on a tie). Returns
/// those, and the ARN of each older item with when the one kept was captured.
fn latest_items(items: &[serde_json::Value]) -> (Vec<&serde_json::Value>, Vec<(String, String)>) {
    let captured = |i: &serde_json::Value| {
        let t = str_field(i, "configurationItemCaptureTime");
        let parsed = chrono::DateTime::parse_from_rfc3339(&t).ok().map(|d| d.to_utc());
        (parsed, t)
    };
    let mut by_resource: BTreeMap<(String, String), (usize, Captured)> = BTreeMap::new();
    let mut older = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let id = match str_field(item, "resourceId") {
            id if id.is_empty() => str_field(item, "arn"),
            id => id,
        };
        let key = (str_field(item, "resourceType"), id);
        let at = captured(item);
        match by_resource.get_mut(&key) {
            None => {
                by_resource.insert(key, (n, at));
            }
            Some(kept) => {
                let (old, new) = if at >= kept.1 { (kept.0, n) } else { (n, kept.0) };
                if new == n {
                    *kept = (n, at);
                }
                older.push((old, new));
            }
        }
    }
    let arn = |i: &serde_json::Value| match str_field(i, "arn") {
        a if a.is_empty() => format!("{}/{}", str_field(i, "resourceType"), str_field(i, "resourceId")),
        a => a,
    };
    let mut kept: Vec<usize> = by_resource.values().map(|(n, _)| *n).collect();
    kept.sort_unstable();
    // Each older item names the item finally kept for its resource.
    let final_of = |n: usize| {
        let i = &items[n];
        let id = match str_field(i, "resourceId") {
            id if id.is_empty() => str_field(i, "arn"),
            id => id,
        };
        by_resource[&(str_field(i, "resourceType"), id)].1 .1.clone()
    };
    let older = older
        .into_iter()
        .map(|(old, _)| (arn(&items[old]), final_of(old)))
        .collect();
    (kept.into_iter().map(|n| &items[n]).collect(), older)
}

/// Configuration items from a file: the JSON of `aws configservice batch-get-resource-config`
/// (`baseConfigurationItems`), of `get-resource-config-history` (`configurationItems`), an array of
/// items, or one item.
pub fn items_from_json(text: &str) -> Result<Vec<serde_json::Value>, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let items = match &v {
        serde_json::Value::Array(a) => a.clone(),
        serde_json::Value::Object(o) => {
            match o.get("baseConfigurationItems").or_else(|| o.get("configurationItems")) {
                Some(serde_json::Value::Array(a)) => a.clone(),
                _ if o.contains_key("resourceType") => vec![v.clone()],
                _ => return Err(
                    "expected configuration items (baseConfigurationItems, configurationItems, an array, or one item)"
                        .into(),
                ),
            }
        }
        _ => return Err("expected configuration items".into()),
    };
    if let Some(bad) = items
        .iter()
        .position(|i| i.get("resourceType").and_then(|t| t.as_str()).is_none())
    {
        return Err(format!("item {bad} has no resourceType"));
    }
    Ok(items)
}

/// Copies each attached volume's settings (encryption, key, size, type) into the instance's
/// `root_block_device` / `ebs_block_device` entries, as Terraform shows them; a volume that was not
/// read leaves its entry's settings unknown.
fn attach_volumes(resources: &mut [Resource]) {
    let volumes: BTreeMap<String, Map> = resources
        .iter()
        .filter(|r| r.resource_type == "aws_ebs_volume")
        .filter_map(|r| match &r.key {
            crate::model::InstanceKey::Str(id) => Some((id.clone(), r.attributes.clone())),
            _ => None,
        })
        .collect();
    for r in resources.iter_mut().filter(|r| r.resource_type == "aws_instance") {
        let address = r.address.clone();
        for block in ["root_block_device", "ebs_block_device"] {
            let Some(Value::List(entries)) = r.attributes.get_mut(block) else {
                continue;
            };
            for e in entries.iter_mut() {
                let Value::Map(m) = e else { continue };
                let id = m
                    .get("volume_id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                for (tf, from) in [
                    ("encrypted", "encrypted"),
                    ("kms_key_id", "kms_key_id"),
                    ("volume_size", "size"),
                    ("volume_type", "type"),
                ] {
                    let v = match volumes.get(&id) {
                        Some(vol) => vol.get(from).cloned(),
                        None => Some(Value::Unknown(crate::model::Unknown::of(format!(
                            "{address} {block} {id} (volume not read from AWS Config)"
                        )))),
                    };
                    if let Some(v) = v {
                        m.insert(tf.to_string(), v);
                    }
                }
            }
        }
    }
}

fn str_field(v: &serde_json::Value, k: &str) -> String {
    v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_string()
}

/// A managed resource of the live model: `aws_s3_bucket["my-bucket"]`.
pub(crate) fn resource(
    resource_type: &str,
    id: &str,
    region: &str,
    span: crate::source::Span,
    attributes: Map,
) -> Resource {
    let key = crate::model::InstanceKey::Str(id.to_string());
    Resource {
        address: format!("{resource_type}{key}"),
        module: ModulePath::default(),
        mode: crate::model::Mode::Managed,
        resource_type: resource_type.to_string(),
        name: resource_type.to_string(),
        key,
        region: if region.is_empty() || region == "global" {
            Value::Null
        } else {
            Value::string(region)
        },
        provider: "aws".into(),
        span,
        extent: span,
        attributes,
        provenance: Map::new(),
        sensitive: Default::default(),
        meta: Map::new(),
        joined: BTreeMap::new(),
        module_calls: Vec::new(),
    }
}
