//! Graph checks: rules that read several resources (who can reach the database, a NAT gateway per
//! AZ, the state backend). Each lives in its own file; a policy switches one on by name with
//! `check.graph` and configures it with `check.params`.

mod alarms_cover;
mod attached;
mod backend;
mod db_ingress;
mod ecs_containers;
mod iam_actions;
mod iam_statements;
mod iam_wildcards;
mod module_pinned;
mod monthly_budget;
mod multi_az;
mod nat_per_az;
mod private_db_subnets;
mod provider_credentials;
mod provider_versions;
mod resource_policy_cross_account;
mod resource_policy_public;
mod route53_health_check;
mod routes;
mod s3_public_grants;
mod sg_ingress;
mod state_store;
mod statements;
mod waf_on_edge;

use super::engine::Outcome;
use super::Policy;
use crate::model::join::{link_targets, Index};
use crate::model::Map;
use crate::model::{Mode, Project, Resource, Value};
use crate::source::Span;
use std::collections::BTreeMap;

/// What a graph check found about one resource (or the project).
#[derive(Debug, Clone)]
pub struct GraphOutcome {
    /// The resource it is about, by index into the project's resources.
    pub resource: Option<usize>,
    pub address: String,
    pub outcome: Outcome,
    /// What was found (failures) or what is unknown (unresolved).
    pub detail: String,
    /// The attribute to point at, within `resource`.
    pub path: Option<String>,
    /// Where to point when it is not a resource attribute (the backend block, a provider).
    pub span: Option<Span>,
    pub refs: Vec<String>,
}

impl GraphOutcome {
    pub fn on(ctx: &GraphCtx, i: usize, outcome: Outcome, detail: impl Into<String>) -> GraphOutcome {
        GraphOutcome {
            resource: Some(i),
            address: ctx.project.resources[i].address.clone(),
            outcome,
            detail: detail.into(),
            path: None,
            span: None,
            refs: Vec::new(),
        }
    }

    pub fn pass(ctx: &GraphCtx, i: usize) -> GraphOutcome {
        GraphOutcome::on(ctx, i, Outcome::Pass, "")
    }

    pub fn at(mut self, path: impl Into<String>) -> GraphOutcome {
        self.path = Some(path.into());
        self
    }

    pub fn refs(mut self, refs: Vec<String>) -> GraphOutcome {
        self.refs = refs;
        self
    }
}

pub type GraphFn = fn(&GraphCtx) -> Vec<GraphOutcome>;

const CHECKS: &[(&str, GraphFn, &[&str])] = &[
    ("alarms_cover", alarms_cover::check, &["metrics", "require"]),
    ("attached", attached::check, &["except", "or_set", "by", "key"]),
    ("backend", backend::check, &["require"]),
    ("db_ingress", db_ingress::check, &[]),
    ("ecs_containers", ecs_containers::check, &["require"]),
    ("iam_statements", iam_statements::check, &["forbid"]),
    ("iam_wildcards", iam_wildcards::check, &[]),
    ("module_pinned", module_pinned::check, &[]),
    ("monthly_budget", monthly_budget::check, &[]),
    ("multi_az", multi_az::check, &["of"]),
    ("nat_per_az", nat_per_az::check, &[]),
    ("private_db_subnets", private_db_subnets::check, &[]),
    ("provider_credentials", provider_credentials::check, &[]),
    ("provider_versions", provider_versions::check, &[]),
    (
        "resource_policy_cross_account",
        resource_policy_cross_account::check,
        &[],
    ),
    ("resource_policy_public", resource_policy_public::check, &[]),
    ("route53_health_check", route53_health_check::check, &[]),
    ("s3_public_grants", s3_public_grants::check, &[]),
    ("sg_ingress", sg_ingress::check, &["forbid"]),
    ("state_store", state_store::check, &["require"]),
    ("waf_on_edge", waf_on_edge::check, &[]),
];

/// Names of every graph check.
pub const NAMES: &[&str] = &[
    "alarms_cover",
    "attached",
    "backend",
    "db_ingress",
    "ecs_containers",
    "iam_statements",
    "iam_wildcards",
    "module_pinned",
    "monthly_budget",
    "multi_az",
    "nat_per_az",
    "private_db_subnets",
    "provider_credentials",
    "provider_versions",
    "resource_policy_cross_account",
    "resource_policy_public",
    "route53_health_check",
    "s3_public_grants",
    "sg_ingress",
    "state_store",
    "waf_on_edge",
];

pub fn lookup(name: &str) -> Option<GraphFn> {
    CHECKS.iter().find(|(n, _, _)| *n == name).map(|(_, f, _)| *f)
}

/// Checks a graph check's parameters: only those it reads, each of the right shape.
pub fn validate(name: &str, params: &toml::Table) -> Result<(), String> {
    let (_, _, known) = CHECKS
        .iter()
        .find(|(n, _, _)| *n == name)
        .ok_or("unknown graph check")?;
    for k in params.keys() {
        if !known.contains(&k.as_str()) {
            return Err(format!(
                "graph check {name} takes no parameter {k:?} (it takes: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ));
        }
    }
    match name {
        "backend" => backend::validate(params),
        "sg_ingress" => sg_ingress::validate(params),
        "multi_az" => multi_az::validate(params),
        "alarms_cover" => alarms_cover::validate(params),
        "ecs_containers" => ecs_containers::validate(params),
        "state_store" => state_store::validate(params),
        "iam_statements" => iam_statements::validate(params),
        _ => Ok(()),
    }
}

/// What a graph check reads: the project, with an address index, and its parameters.
pub struct GraphCtx<'a> {
    pub project: &'a Project,
    pub params: &'a toml::Table,
    pub policy: &'a Policy,
    shared: Held<'a>,
}

/// What every graph check of a project reads alike, built once: the address index, and the
/// project's policies and their statements (on first use).
pub struct Shared<'a> {
    index: Index<'a>,
    sources: std::sync::OnceLock<Vec<statements::Source>>,
    /// Resources by type, managed ones under their type and data sources as `data.<type>`.
    by_type: BTreeMap<String, Vec<usize>>,
}

impl<'a> Shared<'a> {
    pub fn new(project: &'a Project) -> Shared<'a> {
        let mut by_type: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, r) in project.resources.iter().enumerate() {
            let key = match r.mode {
                Mode::Managed => r.resource_type.clone(),
                Mode::Data => format!("data.{}", r.resource_type),
            };
            by_type.entry(key).or_default().push(i);
        }
        Shared {
            index: Index::new(&project.resources),
            sources: std::sync::OnceLock::new(),
            by_type,
        }
    }

    /// The resources a condition rule reads ([`Policy::reads`]), by index, in the project's order.
    pub fn read_by(&self, policy: &Policy) -> Vec<usize> {
        let mut out: Vec<usize> = policy
            .resource_types
            .iter()
            .filter_map(|t| self.by_type.get(t))
            .flatten()
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// A check's [`Shared`]: its own, or the one every check of the project shares in a run.
enum Held<'a> {
    Own(Box<Shared<'a>>),
    Borrowed(&'a Shared<'a>),
}

impl<'a> GraphCtx<'a> {
    pub fn new(project: &'a Project, params: &'a toml::Table, policy: &'a Policy) -> GraphCtx<'a> {
        GraphCtx {
            project,
            params,
            policy,
            shared: Held::Own(Box::new(Shared::new(project))),
        }
    }

    /// With what the project's checks share, built once for all of them.
    pub fn with_shared(
        project: &'a Project,
        params: &'a toml::Table,
        policy: &'a Policy,
        shared: &'a Shared<'a>,
    ) -> GraphCtx<'a> {
        GraphCtx {
            project,
            params,
            policy,
            shared: Held::Borrowed(shared),
        }
    }

    fn shared(&self) -> &Shared<'a> {
        match &self.shared {
            Held::Own(s) => s,
            Held::Borrowed(s) => s,
        }
    }

    fn index(&self) -> &Index<'a> {
        &self.shared().index
    }

    /// Every policy of the project with its statements ([`statements::sources`]), read once.
    pub fn sources(&self) -> &[statements::Source] {
        self.shared().sources.get_or_init(|| statements::sources(self))
    }

    pub fn resource(&self, i: usize) -> &'a Resource {
        &self.project.resources[i]
    }

    /// Managed resources of the given types, by index.
    pub fn of_types(&self, types: &[&str]) -> Vec<usize> {
        self.project
            .resources
            .iter()
            .enumerate()
            .filter(|(_, r)| r.mode == Mode::Managed && types.contains(&r.resource_type.as_str()))
            .map(|(i, _)| i)
            .collect()
    }

    /// The resources of `types` that `value` refers to, or whose `key` attribute equals it.
    pub fn targets(&self, value: &Value, types: &[&str], key: &str) -> Vec<usize> {
        link_targets(value, self.index(), types, key)
    }

    /// The resource or data source a reference (`aws_iam_role.app.arn`, `module.a.data.x.y.json`)
    /// names, if it is one of the project's.
    pub fn referenced(&self, reference: &str) -> Option<usize> {
        let mut addr = reference;
        loop {
            if let Some(i) = self.index().lookup(addr) {
                return Some(i);
            }
            let next = crate::model::join::referenced_address(addr);
            if next == addr {
                return None;
            }
            addr = next;
        }
    }

    pub fn param_str(&self, name: &str) -> Option<&'a str> {
        self.params.get(name).and_then(|v| v.as_str())
    }

    pub fn param_strings(&self, name: &str) -> Vec<String> {
        self.params
            .get(name)
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
            .unwrap_or_default()
    }
}

/// The elements of a list value (a single value counts as one).
pub fn items(v: &Value) -> Vec<Value> {
    match v {
        Value::List(x) | Value::Set(x) => x.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

/// An object's attributes (a block or a map).
pub fn fields(v: &Value) -> Map {
    super::condition::object(v).unwrap_or_default()
}

/// A string attribute of an object, when known.
pub fn str_of<'v>(m: &'v Map, k: &str) -> Option<&'v str> {
    m.get(k).and_then(|v| v.as_str())
}

/// A number attribute of an object, when known (numbers written as strings count).
pub fn num_of(m: &Map, k: &str) -> Option<f64> {
    match m.get(k) {
        Some(Value::Number(n)) => Some(*n),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    }
}

/// The references of an unknown value, or nothing.
pub fn unknown_refs(v: &Value) -> Option<Vec<String>> {
    v.unknown_refs().map(|u| u.refs)
}

/// The availability zone of a subnet resource, when known.
pub fn subnet_az(r: &Resource) -> Option<Value> {
    r.attributes
        .get("availability_zone")
        .or_else(|| r.attributes.get("availability_zone_id"))
        .cloned()
}

/// What stands for a value known only after apply inside [`json_view`].
pub const UNKNOWN_JSON: &str = "\u{1}(known after apply)";

/// A JSON document attribute as JSON: parsed from a known string, or, for `jsonencode` of a partly
/// known value, that value with [`UNKNOWN_JSON`] where parts are unknown. `None` when nothing of it
/// is known (or it is not JSON).
pub fn json_view(v: &Value) -> Option<serde_json::Value> {
    match v {
        Value::String(s) => serde_json::from_str(s).ok(),
        Value::Unknown(u) => u
            .encodes
            .as_ref()
            .map(|inner| inner.to_json_with(&|_| serde_json::Value::String(UNKNOWN_JSON.into()))),
        _ => None,
    }
}
