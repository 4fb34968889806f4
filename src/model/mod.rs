//! The model every engine reads: one [`Project`] per environment (or root module), with resource
//! instances, their evaluated attributes and where each came from. Front ends build it; rules and
//! estimators read it and nothing else.

pub mod join;
pub mod money;
pub mod value;

pub use value::{Map, OpenObject, Unknown, Value};

use crate::diag::Diagnostic;
use crate::source::Span;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Managed,
    Data,
}

/// The key of one instance of a resource or module with `count` or `for_each`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InstanceKey {
    None,
    Int(i64),
    Str(String),
    /// Stands for every instance when `count` or `for_each` is not known before apply: one
    /// representative instance, shown as `[*]`.
    Unknown,
}

impl std::fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InstanceKey::None => Ok(()),
            InstanceKey::Int(i) => write!(f, "[{i}]"),
            InstanceKey::Str(s) => write!(f, "[{}]", serde_json::Value::String(s.clone())),
            InstanceKey::Unknown => f.write_str("[*]"),
        }
    }
}

/// `module.a["x"].module.b` — the path of a module instance; empty for the root.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ModulePath(pub Vec<(String, InstanceKey)>);

impl ModulePath {
    pub fn child(&self, name: &str, key: InstanceKey) -> ModulePath {
        let mut v = self.0.clone();
        v.push((name.to_string(), key));
        ModulePath(v)
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The prefix used in addresses: `module.a["x"].` or nothing for the root.
    pub fn prefix(&self) -> String {
        self.0.iter().map(|(n, k)| format!("module.{n}{k}.")).collect()
    }
}

impl std::fmt::Display for ModulePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = self.prefix();
        f.write_str(p.strip_suffix('.').unwrap_or(&p))
    }
}

/// Where a value was written: the expression in the resource block, and, when it arrived through
/// variables, each place it passed (module call argument, tfvars entry), outermost last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub span: Span,
    pub via: Vec<Span>,
}

/// One instance of a resource or data source after evaluation.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Full address, e.g. `module.vpc.aws_nat_gateway.this[1]`.
    pub address: String,
    pub module: ModulePath,
    pub mode: Mode,
    pub resource_type: String,
    pub name: String,
    pub key: InstanceKey,
    /// The provider configuration's region; unknown when it is not set in configuration.
    pub region: Value,
    /// `aws` or `aws.<alias>` as resolved through module provider maps.
    pub provider: String,
    /// The resource block's head (`resource "aws_vpc" "main"`).
    pub span: Span,
    /// The whole resource block.
    pub extent: Span,
    /// Attributes and nested blocks (blocks as lists of objects) written in configuration.
    pub attributes: Map,
    /// Where each written attribute's value came from, by path (`root_block_device[0].encrypted`).
    pub provenance: Map<Provenance>,
    /// Paths of attributes whose values are sensitive (from sensitive variables, `sensitive()`, or
    /// arguments AWS marks secret): rules may read them, reporters never print them.
    pub sensitive: std::collections::BTreeSet<String>,
    /// Meta-arguments written on the block (`depends_on`, `lifecycle.prevent_destroy`, …).
    pub meta: Map,
    /// Companion resources joined in by [`join::join`], by the attribute they configure
    /// (`public_access_block`, `ingress`, `flow_logs`, …), each an object with its `_address`.
    /// Rules read them after what the block writes inline; reporters of attributes do not.
    pub joined: BTreeMap<String, Vec<Value>>,
    /// The module blocks through which this instance is created, outermost first (their
    /// suppressions apply to it).
    pub module_calls: Vec<Span>,
}

impl Resource {
    /// True when the attribute at `path`, or one that contains it, is sensitive.
    pub fn is_sensitive(&self, path: &str) -> bool {
        self.sensitive
            .iter()
            .any(|s| path == s || path.starts_with(&format!("{s}.")) || path.starts_with(&format!("{s}[")))
    }

    /// An attribute as rules see it: what the block writes, followed by the companions joined in.
    pub fn get(&self, name: &str) -> Option<Value> {
        let written = self.attributes.get(name);
        match (written, self.joined.get(name)) {
            (w, None) => w.cloned(),
            (None, Some(j)) => Some(Value::List(j.clone())),
            (Some(Value::List(items)) | Some(Value::Set(items)), Some(j)) => {
                Some(Value::List(items.iter().chain(j).cloned().collect()))
            }
            // A plan shows attributes that separate resources fill (a group's `ingress`) as known
            // only after apply; the joined resources are what is known of them.
            (Some(Value::Null | Value::Unknown(_)), Some(j)) => Some(Value::List(j.clone())),
            (Some(w), Some(_)) => Some(w.clone()),
        }
    }

    /// The block that `path` lies in, as a user edits it: a companion resource joined in at that
    /// path (`ingress[3].cidr_blocks` → the rule resource, with its own path `cidr_blocks`), an
    /// inline nested block (`ingress[0]`), or the resource itself.
    pub fn block_at(&self, path: &str) -> Block {
        let Some(open) = path.find('[') else {
            return Block::Whole;
        };
        let name = &path[..open];
        if name.contains('.') {
            return Block::Whole;
        }
        let Some(close) = path[open..].find(']').map(|c| open + c) else {
            return Block::Whole;
        };
        let Ok(idx) = path[open + 1..close].parse::<usize>() else {
            return Block::Whole;
        };
        let rest = path[close + 1..].trim_start_matches('.');
        let inline = match self.attributes.get(name) {
            Some(Value::List(items)) | Some(Value::Set(items)) => items.as_slice(),
            _ => &[],
        };
        if let Some(item) = inline.get(idx) {
            return if matches!(item, Value::Map(_) | Value::Open(_)) {
                Block::Nested(path[..=close].to_string())
            } else {
                Block::Whole
            };
        }
        let joined = self.joined.get(name).and_then(|j| j.get(idx - inline.len()));
        match joined {
            Some(Value::Map(m)) => match m.get("_address") {
                Some(Value::String(address)) => Block::Companion {
                    address: address.clone(),
                    at: path[..=close].to_string(),
                    path: rest.to_string(),
                },
                _ => Block::Whole,
            },
            _ => Block::Whole,
        }
    }

    /// Paths of attributes whose value is not known before apply, with what they refer to.
    pub fn unknown_paths(&self) -> Vec<(String, Unknown)> {
        let mut out = Vec::new();
        for (k, v) in &self.attributes {
            v.unknown_paths(k, &mut out);
        }
        out
    }
}

/// Where in a resource a path lies, as a block the user edits (see [`Resource::block_at`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Block {
    /// The resource block itself.
    Whole,
    /// An inline nested block: `ingress[0]`.
    Nested(String),
    /// A companion resource joined in at `at` (`ingress[3]`); `path` is the rest of the path,
    /// within the companion.
    Companion { address: String, at: String, path: String },
}

/// The `backend` block of the root module, as written.
#[derive(Debug, Clone)]
pub struct Backend {
    pub kind: String,
    pub attributes: Map,
    /// Where each attribute is written.
    pub provenance: Map<Provenance>,
    pub span: Span,
}

/// A provider configuration (`provider "aws" { alias = "use1" region = … }`).
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// `aws` or `aws.<alias>`.
    pub name: String,
    pub module: ModulePath,
    pub region: Value,
    pub attributes: Map,
    pub span: Option<Span>,
}

/// A module call with a remote source that was read: where from, and which version.
#[derive(Debug, Clone)]
pub struct RemoteModule {
    pub address: String,
    pub source: String,
    /// The registry version chosen for the call's constraint.
    pub version: Option<String>,
    /// The directory it was read from (in the module cache, or `.terraform/modules`).
    pub dir: std::path::PathBuf,
    /// `terraform init` (modules.json), `cache`, or `downloaded` (this run).
    pub origin: &'static str,
    pub span: Span,
}

/// A module call with a source that is not a local directory (registry, git, archive, …), as
/// written: what pins it to one version of the module.
#[derive(Debug, Clone)]
pub struct ModuleSource {
    /// The call's address, with the keys of the instances it was met in first.
    pub address: String,
    pub source: String,
    /// The `version` constraint, for registry sources.
    pub version: Option<String>,
    /// The module block's head.
    pub span: Span,
    /// The whole block, where suppressions of it are written.
    pub extent: Span,
    pub source_span: Span,
    pub version_span: Option<Span>,
}

/// A module call whose remote source was not read (not in the cache, not downloaded).
#[derive(Debug, Clone)]
pub struct ExternalModule {
    pub address: String,
    pub source: String,
    pub span: Span,
}

/// What one of the root's own modules (itself, or a local module it calls) says about providers:
/// the `required_providers` entries it writes and the providers its blocks use.
#[derive(Debug, Clone)]
pub struct ModuleProviders {
    pub dir: PathBuf,
    /// Its first `terraform {}` block, when it has one.
    pub settings: Option<Span>,
    /// `required_providers` entries: local name, whether a `version` is written, where.
    pub required: Vec<(String, bool, Span)>,
    /// The providers its resources and data sources use (by local name), with the first block
    /// that uses each.
    pub used: BTreeMap<String, Span>,
}

/// One evaluated root module: an environment, or a directory scanned as a root.
#[derive(Debug, Clone, Default)]
pub struct Project {
    /// The environment name (`dev`), or the root directory when scanned by path.
    pub env: String,
    pub root: PathBuf,
    pub resources: Vec<Resource>,
    pub backend: Option<Backend>,
    pub providers: Vec<ProviderConfig>,
    pub variables: Map,
    pub outputs: Map,
    pub external_modules: Vec<ExternalModule>,
    pub diagnostics: Vec<Diagnostic>,
    /// The policy profile that scopes rules (an environment's `profile`, or `--profile`).
    pub profile: String,
    /// Whether `backend` is known: false for a plan read without its configuration (plans do not
    /// record the backend), so state rules are unresolved rather than failed.
    pub backend_known: bool,
    /// The environment's monthly budget (`monthly_budget_usd` in .infracheck.toml) with its
    /// estimate, filled in by `check` before the rules run.
    pub budget: Option<Budget>,
    /// The directories of the root's own modules (itself and the local modules it evaluated, not
    /// downloaded ones), absolute: where suppressions it could use are written.
    pub module_dirs: Vec<std::path::PathBuf>,
    /// The remote module calls that were read, by address.
    pub remote_modules: Vec<RemoteModule>,
    /// Every module call with a non-local source, one per block, in source order.
    pub module_sources: Vec<ModuleSource>,
    /// Where the root's Terraform settings are written: its first `terraform {}` block, else the
    /// first line of its first file. Findings about the state point here when there is no backend.
    pub settings_span: Option<Span>,
    /// `backend` blocks written in child modules, which Terraform ignores.
    pub ignored_backends: Vec<Span>,
    /// The provider requirements of the root's own modules (empty for a plan read without its
    /// configuration), sorted by directory.
    pub module_providers: Vec<ModuleProviders>,
    /// Why the root is an example of a reusable module rather than a deployment (`under
    /// examples/`), when it is one: rules about deployments (the state backend) skip it.
    pub example: Option<String>,
}

impl Project {
    /// Drops what only the rules read (values, providers, variables, outputs, module
    /// requirements), keeping what suppressions and the check reports read: the root's name,
    /// place, profile and problems, its module directories and calls, and each resource's address
    /// and blocks. `check` calls it once a project's findings are in.
    pub fn keep_for_report(&mut self) {
        for r in &mut self.resources {
            r.region = Value::Null;
            r.attributes = Map::new();
            r.provenance = Map::new();
            r.sensitive = Default::default();
            r.meta = Map::new();
            r.joined = BTreeMap::new();
        }
        self.resources.shrink_to_fit();
        self.backend = None;
        self.providers = Vec::new();
        self.variables = Map::new();
        self.outputs = Map::new();
        self.external_modules = Vec::new();
        self.budget = None;
        self.remote_modules = Vec::new();
        self.ignored_backends = Vec::new();
        self.module_providers = Vec::new();
    }
}

/// An environment's monthly budget and what the cost engine estimates against it.
#[derive(Debug, Clone)]
pub struct Budget {
    pub monthly_usd: rust_decimal::Decimal,
    pub estimate: BudgetEstimate,
}

/// The part of an environment's cost estimate that a budget is held against.
#[derive(Debug, Clone, Default)]
pub struct BudgetEstimate {
    /// The priced total per month; usage-based lines without usage count as nothing.
    pub monthly_usd: rust_decimal::Decimal,
    /// The resources that cost something, most expensive first (then by address): address and
    /// monthly cost.
    pub by_cost: Vec<(String, rust_decimal::Decimal)>,
    /// What the total leaves out, so that it is only a lower bound: the lines with no catalog
    /// price (`address: no price in catalog for service / sku / region`) and the references of
    /// the lines known only after apply; sorted, without repeats.
    pub left_out: Vec<String>,
}
