//! Policy statements in one shape, wherever they are written: policy JSON on an attribute (a known
//! string, or `jsonencode` of a partly known value) and the `statement` blocks of
//! `aws_iam_policy_document` data sources. Also what each policy is attached to — an identity (a
//! role, user or group policy, a managed policy), a resource (a key, bucket, queue, topic, secret,
//! repository, …, and a role's trust policy) or neither (a VPC endpoint policy, an SCP) — by
//! following a document's `.json` through the attributes and the other documents that use it.
//!
//! It knows what policies say and where they are attached, not what a rule forbids in them.

use super::{fields, items, GraphCtx};
use crate::model::value::format_number;
use crate::model::{Mode, Unknown, Value};
use std::collections::{BTreeMap, BTreeSet};

/// What a policy is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Attachment {
    /// Permissions of a role, user, group or managed policy.
    Identity,
    /// Who may use a resource: key, bucket, queue, topic, secret, repository, a role's trust policy.
    Resource,
    /// Neither: a VPC endpoint policy, a service control policy, an IoT policy.
    Other,
}

/// Attributes that hold an identity policy, as (resource type, attribute); `inline_policy` is a
/// list of blocks, each with its `policy`.
const IDENTITY: &[(&str, &str)] = &[
    ("aws_iam_policy", "policy"),
    ("aws_iam_role_policy", "policy"),
    ("aws_iam_user_policy", "policy"),
    ("aws_iam_group_policy", "policy"),
    ("aws_iam_role", "inline_policy"),
    ("aws_ssoadmin_permission_set_inline_policy", "inline_policy"),
];

/// Attributes that hold a resource policy.
const RESOURCE: &[(&str, &str)] = &[
    ("aws_api_gateway_rest_api", "policy"),
    ("aws_api_gateway_rest_api_policy", "policy"),
    ("aws_backup_vault_policy", "policy"),
    ("aws_cloudwatch_event_bus_policy", "policy"),
    ("aws_cloudwatch_log_destination_policy", "access_policy"),
    ("aws_cloudwatch_log_resource_policy", "policy_document"),
    ("aws_codeartifact_domain_permissions_policy", "policy_document"),
    ("aws_codeartifact_repository_permissions_policy", "policy_document"),
    ("aws_dynamodb_resource_policy", "policy"),
    ("aws_ecr_registry_policy", "policy"),
    ("aws_ecr_repository_policy", "policy"),
    ("aws_ecrpublic_repository_policy", "policy"),
    ("aws_efs_file_system_policy", "policy"),
    ("aws_elasticsearch_domain", "access_policies"),
    ("aws_elasticsearch_domain_policy", "access_policies"),
    ("aws_glacier_vault", "access_policy"),
    ("aws_glue_resource_policy", "policy"),
    ("aws_iam_role", "assume_role_policy"),
    ("aws_kinesis_resource_policy", "policy"),
    ("aws_kms_key", "policy"),
    ("aws_kms_key_policy", "policy"),
    ("aws_media_store_container_policy", "policy"),
    ("aws_networkfirewall_resource_policy", "policy"),
    ("aws_opensearch_domain", "access_policies"),
    ("aws_opensearch_domain_policy", "access_policies"),
    ("aws_organizations_resource_policy", "content"),
    ("aws_redshiftserverless_resource_policy", "policy"),
    ("aws_s3_access_point", "policy"),
    ("aws_s3_bucket", "policy"),
    ("aws_s3_bucket_policy", "policy"),
    ("aws_s3control_access_point_policy", "policy"),
    ("aws_s3control_bucket_policy", "policy"),
    ("aws_sagemaker_model_package_group_policy", "resource_policy"),
    ("aws_schemas_registry_policy", "policy"),
    ("aws_secretsmanager_secret", "policy"),
    ("aws_secretsmanager_secret_policy", "policy"),
    ("aws_sns_topic", "policy"),
    ("aws_sns_topic_policy", "policy"),
    ("aws_sqs_queue", "policy"),
    ("aws_sqs_queue_policy", "policy"),
];

/// Attributes that hold a policy that is neither: it limits what passes an endpoint or an account.
const OTHER: &[(&str, &str)] = &[
    ("aws_iot_policy", "policy"),
    ("aws_organizations_policy", "content"),
    ("aws_transfer_access", "policy"),
    ("aws_transfer_user", "policy"),
    ("aws_vpc_endpoint", "policy"),
    ("aws_vpc_endpoint_policy", "policy"),
];

const DOCUMENT: &str = "aws_iam_policy_document";
/// A document's attributes that include other documents.
const INCLUDES: &[&str] = &["source_policy_documents", "override_policy_documents"];

/// A string of a policy, or what it is made of when it is known only after apply.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Known(String),
    Unknown(Unknown),
}

impl Part {
    fn of(v: &Value) -> Option<Part> {
        match v {
            Value::String(s) => Some(Part::Known(s.clone())),
            Value::Number(n) => Some(Part::Known(format_number(*n))),
            Value::Unknown(_) | Value::Open(_) => v.as_unknown().map(Part::Unknown),
            _ => None,
        }
    }

    fn list(v: Option<&Value>) -> Vec<Part> {
        v.map(items).unwrap_or_default().iter().filter_map(Part::of).collect()
    }

    pub fn known(&self) -> Option<&str> {
        match self {
            Part::Known(s) => Some(s),
            Part::Unknown(_) => None,
        }
    }

    pub fn is(&self, s: &str) -> bool {
        self.known() == Some(s)
    }

    pub fn unknown(&self) -> Option<&Unknown> {
        match self {
            Part::Unknown(u) => Some(u),
            Part::Known(_) => None,
        }
    }
}

/// One principal of a statement: its type (`AWS`, `Service`, `Federated`, `*`) and identifier.
#[derive(Debug, Clone)]
pub struct Principal {
    pub kind: Part,
    pub id: Part,
    /// Where it is written, within the statement's resource.
    pub path: String,
}

/// Whether a statement has a condition.
#[derive(Debug, Clone)]
pub enum Condition {
    None,
    Some,
    Unknown(Unknown),
}

#[derive(Debug, Clone)]
pub struct Statement {
    /// Where the statement is, within its resource: `statement[1]`, or the policy attribute.
    pub path: String,
    /// How messages name it: `statement[1] ("Deploy")`, `Statement[0]`.
    pub label: String,
    pub effect: Part,
    pub actions: Vec<Part>,
    /// Where its actions are written (the statement's path when they are not apart).
    pub actions_path: String,
    pub resources: Vec<Part>,
    pub principals: Vec<Principal>,
    pub not_principals: bool,
    pub condition: Condition,
}

impl Statement {
    /// Allow, or not known: a Deny never grants.
    pub fn may_allow(&self) -> bool {
        match &self.effect {
            Part::Known(e) => e == "Allow",
            Part::Unknown(_) => true,
        }
    }

    pub fn allows(&self) -> bool {
        self.effect.is("Allow")
    }

    /// The effect, when it is known only after apply.
    pub fn unknown_effect(&self) -> Option<&Part> {
        Some(&self.effect).filter(|e| e.unknown().is_some())
    }

    /// An outcome about this statement of the policy held by `resource`, at its actions.
    pub fn outcome(
        &self,
        ctx: &GraphCtx,
        resource: usize,
        outcome: crate::rules::engine::Outcome,
        detail: impl Into<String>,
    ) -> super::GraphOutcome {
        super::GraphOutcome::on(ctx, resource, outcome, detail).at(self.actions_path.clone())
    }
}

/// A policy as written: the statements of a document's blocks, or of policy JSON on an attribute.
#[derive(Debug, Clone)]
pub struct Source {
    /// The resource (or document) that holds it.
    pub resource: usize,
    /// What it is attached to: the attribute's kind, or what a document reaches; empty for a
    /// document that nothing in the configuration uses.
    pub attached: BTreeSet<Attachment>,
    /// For a document: the resources whose attributes use it (directly or through other documents).
    pub used_by: Vec<usize>,
    pub is_document: bool,
    pub statements: Vec<Statement>,
    /// A part known only after apply whose statements cannot be read: where it is, and what it
    /// refers to.
    pub unreadable: Option<(String, Unknown)>,
}

impl Source {
    /// What a rule reports on the source after judging its statements (`out[before..]`): that
    /// the statements it could not read are known only after apply, and a pass when nothing else
    /// was reported and nothing was left undecided.
    pub fn finish(&self, ctx: &GraphCtx, out: &mut Vec<super::GraphOutcome>, before: usize, undecided: bool) {
        if let Some((path, u)) = &self.unreadable {
            out.push(
                super::GraphOutcome::on(
                    ctx,
                    self.resource,
                    crate::rules::engine::Outcome::Unresolved,
                    "the policy is known only after apply",
                )
                .at(path.clone())
                .refs(u.refs.clone()),
            );
        }
        if out.len() == before && !undecided {
            out.push(super::GraphOutcome::pass(ctx, self.resource));
        }
    }

    fn has_principals(&self) -> bool {
        self.statements
            .iter()
            .any(|s| !s.principals.is_empty() || s.not_principals)
    }

    /// Judged as an identity policy: attached to one, or a document nothing uses that names no
    /// principal (an identity policy cannot have one; every resource policy must).
    pub fn is_identity(&self) -> bool {
        self.attached.contains(&Attachment::Identity) || (self.attached.is_empty() && !self.has_principals())
    }

    /// Judged as a resource policy: attached to one, or a document nothing uses that names a
    /// principal.
    pub fn is_resource(&self) -> bool {
        self.attached.contains(&Attachment::Resource) || (self.attached.is_empty() && self.has_principals())
    }

    /// ` (the policy of aws_iam_role_policy.deploy)` for a document; nothing for an attribute.
    pub fn context(&self, ctx: &GraphCtx, kind: Attachment) -> String {
        if !self.is_document {
            return String::new();
        }
        let users: Vec<&str> = self
            .used_by
            .iter()
            .map(|&i| ctx.resource(i))
            .filter(|r| attachment_of(&r.resource_type, kind))
            .map(|r| r.address.as_str())
            .collect();
        match (users.as_slice(), kind) {
            ([], Attachment::Identity) => {
                " (nothing in this configuration uses the document, and it names no principal, so it is read as an identity policy)".into()
            }
            ([], _) => {
                " (nothing in this configuration uses the document, and it names a principal, so it is read as a resource policy)".into()
            }
            (u, _) => format!(" (the policy of {})", u.join(", ")),
        }
    }
}

fn attachment_of(resource_type: &str, kind: Attachment) -> bool {
    let table = match kind {
        Attachment::Identity => IDENTITY,
        Attachment::Resource => RESOURCE,
        Attachment::Other => OTHER,
    };
    table.iter().any(|(t, _)| *t == resource_type)
}

/// A value that is known only after apply and could be anything, `*` included: one that refers to
/// no resource or data source of the configuration (a variable without a value, a function known
/// at apply). Attributes AWS computes (ARNs, ids, account ids) are never `*`.
pub fn could_be_anything(ctx: &GraphCtx, u: &Unknown) -> bool {
    u.refs.is_empty() || u.refs.iter().any(|r| ctx.referenced(r).is_none())
}

/// The references of unknown parts, merged.
pub fn refs_of<'a>(parts: impl IntoIterator<Item = &'a Part>) -> Vec<String> {
    let mut refs: Vec<String> = parts
        .into_iter()
        .filter_map(Part::unknown)
        .flat_map(|u| u.refs.iter().cloned())
        .collect();
    refs.sort();
    refs.dedup();
    refs
}

/// Every policy of the project: each `aws_iam_policy_document`, and each policy attribute whose
/// value is not simply a document's JSON (that one is judged at the document, where it is written).
pub fn sources(ctx: &GraphCtx) -> Vec<Source> {
    let resources = &ctx.project.resources;
    let docs: Vec<usize> = resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.mode == Mode::Data && r.resource_type == DOCUMENT)
        .map(|(i, _)| i)
        .collect();
    let mut by_json: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &d in &docs {
        for k in ["json", "minified_json"] {
            if let Some(Value::String(s)) = resources[d].attributes.get(k) {
                by_json.entry(s.as_str()).or_default().push(d);
            }
        }
    }
    let docs_in = |v: &Value| -> Vec<usize> {
        let mut out = Vec::new();
        collect_docs(ctx, v, &by_json, &mut out);
        out.sort_unstable();
        out.dedup();
        out
    };

    // Policy attributes, by kind.
    let mut sites: Vec<(usize, String, Value, Attachment)> = Vec::new();
    for (table, kind) in [
        (IDENTITY, Attachment::Identity),
        (RESOURCE, Attachment::Resource),
        (OTHER, Attachment::Other),
    ] {
        let types: Vec<&str> = table.iter().map(|(t, _)| *t).collect();
        for i in ctx.of_types(&types) {
            let r = ctx.resource(i);
            for (_, attr) in table.iter().filter(|(t, _)| *t == r.resource_type) {
                let Some(v) = r.attributes.get(*attr) else { continue };
                if *attr == "inline_policy" && r.resource_type == "aws_iam_role" {
                    for (k, block) in items(v).iter().enumerate() {
                        if let Some(p) = fields(block).get("policy") {
                            sites.push((i, format!("inline_policy[{k}].policy"), p.clone(), kind));
                        }
                    }
                } else if !v.is_null() {
                    sites.push((i, attr.to_string(), v.clone(), kind));
                }
            }
        }
    }

    // What each document reaches: from the sites through the documents that include it.
    let mut attached: BTreeMap<usize, BTreeSet<Attachment>> = BTreeMap::new();
    let mut used_by: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    let included: BTreeMap<usize, Vec<usize>> = docs
        .iter()
        .map(|&d| {
            let inner: Vec<usize> = INCLUDES
                .iter()
                .filter_map(|k| resources[d].attributes.get(*k))
                .flat_map(&docs_in)
                .filter(|&x| x != d)
                .collect();
            (d, inner)
        })
        .collect();
    for (i, _, v, kind) in &sites {
        let mut queue = docs_in(v);
        let mut seen = BTreeSet::new();
        while let Some(d) = queue.pop() {
            if !seen.insert(d) {
                continue;
            }
            attached.entry(d).or_default().insert(*kind);
            used_by.entry(d).or_default().insert(*i);
            queue.extend(included.get(&d).into_iter().flatten().copied());
        }
    }

    let mut out = Vec::new();
    for &d in &docs {
        let r = &resources[d];
        let mut statements = Vec::new();
        let mut unreadable = None;
        match r.attributes.get("statement") {
            None | Some(Value::Null) => {}
            Some(v @ (Value::Unknown(_) | Value::Open(_))) => {
                unreadable = v.as_unknown().map(|u| ("statement".to_string(), u));
            }
            Some(v) => {
                for (k, st) in items(v).iter().enumerate() {
                    statements.push(block_statement(k, st));
                }
            }
        }
        // Included JSON that is not another document's (that one is judged where it is written).
        for attr in INCLUDES {
            for (k, v) in r
                .attributes
                .get(*attr)
                .map(items)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let path = format!("{attr}[{k}]");
                if v.is_null() || is_document_json(ctx, v, &docs_in) {
                    continue;
                }
                match json_statements(v, &path) {
                    Ok(s) => statements.extend(s),
                    Err(u) => {
                        unreadable.get_or_insert((path, u));
                    }
                }
            }
        }
        out.push(Source {
            resource: d,
            attached: attached.remove(&d).unwrap_or_default(),
            used_by: used_by.remove(&d).unwrap_or_default().into_iter().collect(),
            is_document: true,
            statements,
            unreadable,
        });
    }
    for (i, path, v, kind) in sites {
        if is_document_json(ctx, &v, &docs_in) {
            continue;
        }
        let (statements, unreadable) = match json_statements(&v, &path) {
            Ok(s) => (s, None),
            Err(u) => (Vec::new(), Some((path, u))),
        };
        if statements.is_empty() && unreadable.is_none() {
            continue;
        }
        out.push(Source {
            resource: i,
            attached: BTreeSet::from([kind]),
            used_by: Vec::new(),
            is_document: false,
            statements,
            unreadable,
        });
    }
    out
}

fn collect_docs(ctx: &GraphCtx, v: &Value, by_json: &BTreeMap<&str, Vec<usize>>, out: &mut Vec<usize>) {
    match v {
        Value::String(s) => out.extend(by_json.get(s.as_str()).into_iter().flatten()),
        Value::Unknown(u) if u.encodes.is_none() => {
            for r in &u.refs {
                if let Some(i) = ctx.referenced(r) {
                    let d = ctx.resource(i);
                    if d.mode == Mode::Data && d.resource_type == DOCUMENT {
                        out.push(i);
                    }
                }
            }
        }
        Value::List(l) | Value::Set(l) => l.iter().for_each(|x| collect_docs(ctx, x, by_json, out)),
        _ => {}
    }
}

/// Whether a policy value is a document's JSON and nothing else.
fn is_document_json(ctx: &GraphCtx, v: &Value, docs_in: &dyn Fn(&Value) -> Vec<usize>) -> bool {
    match v {
        Value::String(_) => !docs_in(v).is_empty(),
        Value::Unknown(u) if u.encodes.is_none() && !u.refs.is_empty() => u.refs.iter().all(|r| {
            ctx.referenced(r)
                .is_some_and(|i| ctx.resource(i).mode == Mode::Data && ctx.resource(i).resource_type == DOCUMENT)
        }),
        _ => false,
    }
}

fn sid_label(base: String, sid: Option<&Value>) -> String {
    match sid.and_then(Value::as_str) {
        Some(s) if !s.is_empty() => format!("{base} ({s:?})"),
        _ => base,
    }
}

/// A document's `statement` block.
fn block_statement(k: usize, st: &Value) -> Statement {
    let path = format!("statement[{k}]");
    let m = fields(st);
    let effect = match m.get("effect") {
        None | Some(Value::Null) => Part::Known("Allow".into()),
        Some(v) => Part::of(v).unwrap_or(Part::Known(String::new())),
    };
    let mut principals = Vec::new();
    if let Some(list) = m.get("principals") {
        for (j, p) in items(list).iter().enumerate() {
            let at = format!("{path}.principals[{j}]");
            if let Value::Unknown(u) = p {
                principals.push(Principal {
                    kind: Part::Unknown(u.clone()),
                    id: Part::Unknown(u.clone()),
                    path: at,
                });
                continue;
            }
            let pm = fields(p);
            let kind = pm.get("type").and_then(Part::of).unwrap_or(Part::Known(String::new()));
            for id in Part::list(pm.get("identifiers")) {
                principals.push(Principal {
                    kind: kind.clone(),
                    id,
                    path: at.clone(),
                });
            }
        }
    }
    let not_principals = m.get("not_principals").is_some_and(|v| !items(v).is_empty());
    let condition = match m.get("condition") {
        Some(v @ Value::Unknown(_)) => Condition::Unknown(v.as_unknown().unwrap_or_default()),
        Some(v) if !items(v).is_empty() => Condition::Some,
        _ => Condition::None,
    };
    let actions_path = if m.contains_key("actions") {
        format!("{path}.actions")
    } else {
        path.clone()
    };
    Statement {
        label: sid_label(path.clone(), m.get("sid")),
        path,
        effect,
        actions: Part::list(m.get("actions")),
        actions_path,
        resources: Part::list(m.get("resources")),
        principals,
        not_principals,
        condition,
    }
}

/// What is known of policy JSON: a known string parsed, or the value `jsonencode` was given.
fn json_value(v: &Value) -> Option<Result<Value, Unknown>> {
    match v {
        Value::String(s) => serde_json::from_str::<serde_json::Value>(s)
            .ok()
            .map(|j| Ok(Value::from_json(&j))),
        Value::Unknown(u) => Some(match &u.encodes {
            Some(inner) => Ok((**inner).clone()),
            None => Err(u.clone()),
        }),
        _ => None,
    }
}

/// The statements of policy JSON on attribute `path`; what is unknown when they cannot be read.
fn json_statements(v: &Value, path: &str) -> Result<Vec<Statement>, Unknown> {
    let doc = match json_value(v) {
        None => return Ok(Vec::new()),
        Some(d) => d?,
    };
    let list = match doc.get_attr("Statement") {
        Ok(s @ Value::Map(_)) => vec![s],
        Ok(Value::List(l)) => l,
        Ok(other) if other.is_unknown() => return Err(other.as_unknown().unwrap_or_default()),
        _ => return Ok(Vec::new()),
    };
    let mut out = Vec::new();
    for (k, st) in list.iter().enumerate() {
        if let Some(u) = st.as_unknown() {
            return Err(u);
        }
        let Value::Map(m) = st else { continue };
        let at = format!("{path}.Statement[{k}]");
        let mut principals = Vec::new();
        match m.get("Principal") {
            None | Some(Value::Null) => {}
            Some(Value::Map(p)) => {
                for (kind, ids) in p {
                    for id in Part::list(Some(ids)) {
                        principals.push(Principal {
                            kind: Part::Known(kind.clone()),
                            id,
                            path: at.clone(),
                        });
                    }
                }
            }
            Some(v) => {
                if let Some(p) = Part::of(v) {
                    // `"Principal": "*"` is everyone; an unknown principal may be anything.
                    principals.push(Principal {
                        kind: p.clone(),
                        id: p,
                        path: at.clone(),
                    });
                }
            }
        }
        let condition = match m.get("Condition") {
            None | Some(Value::Null) => Condition::None,
            Some(Value::Map(c)) if c.is_empty() => Condition::None,
            Some(v) if v.is_unknown() => Condition::Unknown(v.as_unknown().unwrap_or_default()),
            Some(_) => Condition::Some,
        };
        out.push(Statement {
            label: sid_label(format!("Statement[{k}]"), m.get("Sid")),
            path: at.clone(),
            effect: m.get("Effect").and_then(Part::of).unwrap_or(Part::Known(String::new())),
            actions: Part::list(m.get("Action")),
            // Statements inside JSON have no source location of their own: the path names the
            // statement (findings on two statements stay apart in baselines) and locates to the
            // attribute.
            actions_path: at.clone(),
            resources: Part::list(m.get("Resource")),
            principals,
            not_principals: m.get("NotPrincipal").is_some_and(|v| !v.is_null()),
            condition,
        });
    }
    Ok(out)
}
