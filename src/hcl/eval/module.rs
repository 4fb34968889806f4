//! Evaluates a root module and every module it calls, as Terraform plans them before apply: each
//! module's declarations are evaluated in topological order of its reference graph; module calls
//! evaluate their child modules in turn. Values computed at apply time stay unknown.

use super::expr::{self, eval};
use super::graph::{declaration_refs, topo_order, Deps, ModuleGraph, Node, Refs};
use super::types::{convert, parse_type, Type};
use super::{Ctx, EvalError, FsAccess, Scope};
use crate::diag::Diagnostic;
use crate::hcl::config::{static_traversal, Expr, ModuleCall, ModuleConfig, ResourceDecl, ResourceMode};
use crate::hcl::discover::{Loader, RootSpec};
use crate::hcl::vars::{root_values, Raw};
use crate::model::Map;
use crate::model::{
    Backend, ExternalModule, InstanceKey, Mode, ModulePath, OpenObject, Project, Provenance, ProviderConfig, Resource,
    Unknown, Value,
};
use crate::source::{normalize, Span};
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::Span as _;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A value given to a module's variable: by a module call argument, or for the root by tfvars,
/// `--var` or the environment.
#[derive(Debug, Clone)]
struct Input {
    raw: Raw,
    sensitive: bool,
    span: Option<Span>,
    /// Where the value came from before that (outer module arguments, tfvars), innermost first.
    via: Vec<Span>,
}

/// A provider configuration as a module sees it.
#[derive(Debug, Clone)]
struct ProviderRef {
    /// The configuration's name where it is declared, e.g. `aws.west` or `module.a.aws`.
    display: String,
    region: Value,
    /// Set when the configuration is evaluated after the module that uses it (it reads that
    /// module's outputs): the module where it is declared and its name there. Resources take
    /// its region once the whole root has been evaluated.
    late: Option<(ModulePath, String)>,
}

type ProviderMap = BTreeMap<String, ProviderRef>;

/// What a module instance knows about its own values while its body is evaluated.
#[derive(Default)]
struct ModCtx {
    /// Where each variable's value came from (module argument, tfvars), innermost first.
    var_via: BTreeMap<String, Vec<Span>>,
    /// Variables and locals whose values are sensitive, directly or through what they refer to.
    sensitive: BTreeSet<Node>,
}

impl ModCtx {
    fn is_sensitive(&self, expr: &Expression) -> bool {
        let mut r = Refs::default();
        r.expr(expr);
        r.0.iter().any(|n| self.sensitive.contains(n)) || calls_sensitive(expr)
    }
}

/// Arguments the AWS provider's schemas mark sensitive: never printed.
const SENSITIVE_ARGUMENTS: &[&str] = &[
    "password",
    "master_password",
    "secret_string",
    "secret_binary",
    "auth_token",
    "private_key",
    "secret_key",
    "access_key",
    "token",
    "client_secret",
];

fn calls_sensitive(expr: &Expression) -> bool {
    struct Finder(bool);
    impl hcl_edit::visit::Visit for Finder {
        fn visit_func_call(&mut self, node: &hcl_edit::expr::FuncCall) {
            if node.name.name.as_str() == "sensitive" {
                self.0 = true;
            }
            hcl_edit::visit::visit_func_call(self, node);
        }
    }
    let mut f = Finder(false);
    hcl_edit::visit::Visit::visit_expr(&mut f, expr);
    f.0
}

enum Expansion {
    Single,
    Count(usize),
    ForEach(Vec<(String, Value)>),
    /// Not known before apply: one representative instance whose `count.index` or `each` is
    /// unknown, referring to what the expansion depends on.
    Unknown {
        for_each: bool,
        refs: Unknown,
    },
}

/// One instance of a resource or module call: its key and the `count.index` or `each` it sees.
struct Instance {
    key: InstanceKey,
    count_index: Option<Value>,
    each: Option<(Value, Value)>,
}

impl Expansion {
    fn instances(self) -> Vec<Instance> {
        match self {
            Expansion::Single => vec![Instance {
                key: InstanceKey::None,
                count_index: None,
                each: None,
            }],
            Expansion::Count(n) => (0..n)
                .map(|i| Instance {
                    key: InstanceKey::Int(i as i64),
                    count_index: Some(Value::Number(i as f64)),
                    each: None,
                })
                .collect(),
            Expansion::ForEach(items) => items
                .into_iter()
                .map(|(k, v)| Instance {
                    key: InstanceKey::Str(k.clone()),
                    count_index: None,
                    each: Some((Value::String(k), v)),
                })
                .collect(),
            Expansion::Unknown { for_each, refs } => {
                let u = Value::Unknown(refs);
                vec![Instance {
                    key: InstanceKey::Unknown,
                    count_index: (!for_each).then(|| u.clone()),
                    each: for_each.then(|| (u.clone(), u)),
                }]
            }
        }
    }
}

struct RootEval<'l> {
    loader: &'l Loader,
    root_dir: PathBuf,
    /// `.terraform/modules/modules.json`: module key -> (directory, version installed).
    modules_json: BTreeMap<String, (PathBuf, Option<String>)>,
    workspace: String,
    resources: Vec<Resource>,
    diagnostics: Vec<Diagnostic>,
    external: Vec<ExternalModule>,
    remote: Vec<crate::model::RemoteModule>,
    module_sources: Vec<crate::model::ModuleSource>,
    providers: Vec<ProviderConfig>,
    seen_dirs: BTreeSet<PathBuf>,
    /// The evaluation graph of each module directory at each call path.
    graphs: BTreeMap<(PathBuf, Vec<String>), Arc<ModuleGraph>>,
    /// How many module calls were cut as recursive: a graph built without any does not depend on
    /// where its module is called from.
    recursion_cuts: std::cell::Cell<usize>,
    /// Resources (index into `resources`) whose provider configuration is bound late, with the
    /// module that declares it and its name.
    late_regions: Vec<(usize, ModulePath, String)>,
    /// Above zero while the representative instance (`[*]`) of an unknown expansion is evaluated.
    representative: usize,
    /// The repository being scanned (found once: filesystem functions may read anywhere in it).
    repository: Option<PathBuf>,
}

/// Evaluates the root module described by `spec` into a [`Project`].
pub fn evaluate_root(loader: &Loader, spec: &RootSpec) -> Project {
    let root_dir = normalize(&absolute(&spec.dir));
    let cfg = loader.module(&root_dir);
    let mut ev = RootEval {
        loader,
        modules_json: read_modules_json(&root_dir),
        root_dir: root_dir.clone(),
        workspace: spec.workspace.clone(),
        resources: Vec::new(),
        diagnostics: Vec::new(),
        external: Vec::new(),
        remote: Vec::new(),
        module_sources: Vec::new(),
        providers: Vec::new(),
        seen_dirs: BTreeSet::new(),
        graphs: BTreeMap::new(),
        recursion_cuts: std::cell::Cell::new(0),
        late_regions: Vec::new(),
        representative: 0,
        repository: repository_root(&loader.scan_root),
    };
    let mut diags = Vec::new();
    if crate::hcl::discover::module_files(&root_dir).is_empty() {
        diags.push(Diagnostic::error(
            "io::no-terraform",
            format!(
                "{} holds no Terraform files (*.tf, *.tf.json)",
                crate::source::display_path(&spec.dir).display()
            ),
            None,
        ));
    }
    let given = root_values(spec, &cfg, &loader.sources, &mut diags);
    ev.diagnostics.extend(diags);
    let inputs = given
        .into_iter()
        .map(|(k, g)| {
            (
                k,
                Input {
                    raw: g.raw,
                    sensitive: false,
                    span: g.span,
                    via: Vec::new(),
                },
            )
        })
        .collect();
    let mut run = ModuleRun::new(
        &mut ev,
        Arc::clone(&cfg),
        ModulePath::default(),
        Vec::new(),
        None,
        Vec::new(),
        ProviderMap::new(),
        &BTreeSet::new(),
        inputs,
    );
    run.advance(&mut ev);
    run.finish(&mut ev);
    let outputs = std::mem::take(&mut run.outputs);
    let root_vars = std::mem::take(&mut run.vars_out);
    let backend = cfg.backend.as_ref().and_then(|b| {
        let scope = Scope::default();
        let ctx = Ctx::new(&scope, b.body.file);
        let mut prov = Map::new();
        match ev.eval_body(
            &b.body.body,
            &ctx,
            "terraform.backend",
            "",
            false,
            &mut prov,
            &mut BTreeSet::new(),
            &ModCtx::default(),
        ) {
            Ok(attrs) => Some(Backend {
                kind: b.kind.clone(),
                attributes: attrs,
                provenance: prov,
                span: b.span,
            }),
            Err(e) => {
                ev.diagnostics.push(
                    located("eval::backend", e).with_help("a backend block may not refer to variables or other values"),
                );
                None
            }
        }
    });
    let mut resources = ev.resources;
    for (i, module, name) in std::mem::take(&mut ev.late_regions) {
        if let Some(p) = ev.providers.iter().find(|p| p.module == module && p.name == name) {
            resources[i].region = p.region.clone();
        }
    }
    resources.sort_by(|a, b| a.address.cmp(&b.address));
    let mut providers = ev.providers;
    providers.sort_by(|a, b| (a.module.to_string(), &a.name).cmp(&(b.module.to_string(), &b.name)));
    let mut external = ev.external;
    external.sort_by(|a, b| a.address.cmp(&b.address));
    let mut remote_modules = ev.remote;
    remote_modules.sort_by(|a, b| a.address.cmp(&b.address));
    remote_modules.dedup_by(|a, b| a.address == b.address);
    let mut diagnostics = ev.diagnostics;
    crate::diag::sort(&mut diagnostics, &loader.sources);
    let module_dirs: Vec<PathBuf> = ev
        .seen_dirs
        .iter()
        .filter(|d| loader.remote.package_of(d).is_none() && !d.components().any(|c| c.as_os_str() == ".terraform"))
        .cloned()
        .collect();
    let ignored_backends: Vec<Span> = ev
        .seen_dirs
        .iter()
        .filter(|d| **d != root_dir)
        .filter_map(|d| loader.module(d).backend.as_ref().map(|b| b.span))
        .collect();
    let module_providers = module_dirs
        .iter()
        .map(|d| {
            let m = loader.module(d);
            let mut used = std::collections::BTreeMap::new();
            for r in m.resources.values() {
                let key = r.provider_key();
                let local = key.split('.').next().unwrap_or_default().to_string();
                // `terraform_data` and `terraform_remote_state` belong to Terraform itself.
                if local == "terraform" || local.is_empty() {
                    continue;
                }
                let e = used.entry(local).or_insert(r.span);
                if (r.span.file, r.span.start) < (e.file, e.start) {
                    *e = r.span;
                }
            }
            crate::model::ModuleProviders {
                dir: d.clone(),
                settings: m.terraform_blocks.first().copied(),
                required: m
                    .required_providers
                    .iter()
                    .map(|p| (p.name.clone(), p.has_version, p.span))
                    .collect(),
                used,
            }
        })
        .collect::<Vec<_>>();
    // A root that calls a module at an ancestor directory (`source = "../.."`) is an example of
    // the module its repository publishes.
    let calls_ancestor = module_dirs
        .iter()
        .find(|d| **d != root_dir && root_dir.starts_with(d))
        .map(|d| {
            let up = root_dir.strip_prefix(d).map(|r| r.components().count()).unwrap_or(0);
            let rel = vec![".."; up].join("/");
            format!("it calls the module at {rel}")
        });
    let mut project = Project {
        env: spec.name.clone(),
        root: spec.dir.clone(),
        resources,
        backend,
        providers,
        variables: root_vars,
        outputs,
        external_modules: external,
        diagnostics,
        profile: spec.profile.clone(),
        backend_known: true,
        budget: None,
        module_dirs,
        remote_modules,
        module_sources: {
            let mut m = std::mem::take(&mut ev.module_sources);
            m.sort_by_key(|s| (s.span.file, s.span.start));
            m.dedup_by_key(|s| (s.span.file, s.span.start));
            m
        },
        settings_span: settings_span(loader, &cfg),
        ignored_backends,
        module_providers,
        example: if spec.deployment {
            None
        } else {
            spec.example.clone().or(calls_ancestor)
        },
    };
    crate::model::join::join(&mut project);
    project
}

/// The root's first `terraform {}` block, else the first line of its first file.
fn settings_span(loader: &Loader, cfg: &ModuleConfig) -> Option<Span> {
    if let Some(s) = cfg.terraform_blocks.first() {
        return Some(*s);
    }
    let file = *cfg.files.first()?;
    let text = &loader.sources.get(file).text;
    let end = text.find('\n').unwrap_or(text.len());
    Some(Span::new(file, 0..end))
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

/// `.terraform/modules/modules.json`, written by `terraform init`: module key -> directory.
fn read_modules_json(root: &Path) -> BTreeMap<String, (PathBuf, Option<String>)> {
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(rename = "Key")]
        key: String,
        #[serde(rename = "Dir")]
        dir: String,
        #[serde(rename = "Version", default)]
        version: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct File {
        #[serde(rename = "Modules")]
        modules: Vec<Entry>,
    }
    let path = root.join(".terraform/modules/modules.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return BTreeMap::new();
    };
    match serde_json::from_str::<File>(&text) {
        Ok(f) => f
            .modules
            .into_iter()
            .filter(|e| !e.key.is_empty())
            .map(|e| {
                (
                    e.key,
                    (normalize(&root.join(e.dir)), e.version.filter(|v| !v.is_empty())),
                )
            })
            .collect(),
        Err(_) => BTreeMap::new(),
    }
}

/// For each output of the module in `cfg`, the variables it depends on in `deps`.
fn output_needs(cfg: &ModuleConfig, deps: &Deps) -> BTreeMap<String, BTreeSet<String>> {
    let mut needs = BTreeMap::new();
    for o in cfg.outputs.keys() {
        let start = Node::Output(o.clone());
        let mut vars = BTreeSet::new();
        let mut seen: BTreeSet<&Node> = BTreeSet::new();
        let mut todo = vec![&start];
        while let Some(n) = todo.pop() {
            if !seen.insert(n) {
                continue;
            }
            if let Node::Var(v) = n {
                vars.insert(v.clone());
            }
            todo.extend(deps.get(n).into_iter().flatten());
        }
        needs.insert(o.clone(), vars);
    }
    needs
}

/// The path from `from` to `to`, both absolute and normalized, as Terraform shows `path.module`.
fn relative_path(from: &Path, to: &Path) -> String {
    let f: Vec<_> = from.components().collect();
    let t: Vec<_> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_string(), f.len() - common).collect();
    parts.extend(t[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// The repository being scanned: the nearest directory at or above the scan root with a `.git`.
fn repository_root(scan_root: &Path) -> Option<PathBuf> {
    let scan_root = normalize(&absolute(scan_root));
    scan_root
        .ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Where filesystem functions may read: anywhere in the repository being scanned, else below the
/// scan root and the calling module's own directory (a module read from `../..` reads its own
/// templates).
fn readable_root(repository: Option<&Path>, scan_root: &Path, module_dir: &Path) -> PathBuf {
    if let Some(repo) = repository {
        return repo.to_path_buf();
    }
    let mut root = normalize(&absolute(scan_root));
    let dir = normalize(&absolute(module_dir));
    while !dir.starts_with(&root) {
        if !root.pop() {
            break;
        }
    }
    root
}

/// The expansion of a `count`/`for_each` whose value failed: one representative instance.
fn failed(for_each: bool, reference: String) -> Expansion {
    Expansion::Unknown {
        for_each,
        refs: Unknown::of(reference),
    }
}

/// An evaluation error as a diagnostic: an error when the configuration is invalid whatever the
/// values, else a plan-time warning (an error under `--strict`).
/// The most instances one resource or module call may have through `count`: 100,000, beyond
/// any real configuration (64,000 of one resource still evaluate) and far below what would
/// exhaust memory (`count = 1e9` would otherwise allocate a billion instances).
pub const MAX_INSTANCES: usize = 100_000;

fn located(code: &'static str, e: EvalError) -> Diagnostic {
    let code = e.code.unwrap_or(code);
    if e.invalid {
        Diagnostic::error(code, e.message, e.span)
    } else {
        Diagnostic::plan_time(code, e.message, e.span)
    }
}

/// The variable a direct reference `var.X` names.
fn direct_var(expr: &Expression) -> Option<&str> {
    if let Expression::Traversal(t) = expr {
        if let (Expression::Variable(root), [op]) = (&t.expr, t.operators.as_slice()) {
            if root.as_str() == "var" {
                if let TraversalOperator::GetAttr(n) = op.value() {
                    return Some(n.as_str());
                }
            }
        }
    }
    None
}

fn merge_unknown(acc: &mut Option<Unknown>, u: &Unknown) {
    match acc {
        Some(a) => a.merge(u),
        None => *acc = Some(u.clone()),
    }
}

impl RootEval<'_> {
    fn err(&mut self, code: &'static str, e: EvalError) {
        // Terraform never evaluates the body of an instance whose key it does not know yet: an
        // error that depends on values is not one there.
        if self.representative > 0 && !e.invalid {
            return;
        }
        self.diagnostics.push(located(code, e));
    }

    /// The resolved directory of a module call: a local source; one `terraform init` listed in
    /// modules.json; else a remote source from the module cache (downloaded into it with
    /// `--download-modules`).
    fn call_dir(
        &self,
        cfg: &ModuleConfig,
        call: &ModuleCall,
        key_path: &[String],
    ) -> Result<PathBuf, crate::modules::NotFollowed> {
        if call.is_local() {
            return Ok(normalize(&cfg.dir.join(&call.source)));
        }
        let mut key = key_path.to_vec();
        key.push(call.name.clone());
        if let Some((d, _)) = self.modules_json.get(&key.join(".")) {
            return Ok(d.clone());
        }
        self.loader
            .remote
            .resolve(&call.source, call.version.as_deref())
            .map(|r| r.dir)
    }

    /// The configuration a module call evaluates, when it can be read and is not a recursion.
    fn call_config(
        &self,
        cfg: &ModuleConfig,
        call: &ModuleCall,
        key_path: &[String],
        stack: &[PathBuf],
    ) -> Option<Arc<ModuleConfig>> {
        let dir = self.call_dir(cfg, call, key_path).ok()?;
        if stack.contains(&dir) || dir == cfg.dir {
            self.recursion_cuts.set(self.recursion_cuts.get() + 1);
            return None;
        }
        if crate::hcl::discover::module_files(&dir).is_empty() {
            return None;
        }
        Some(self.loader.module(&dir))
    }

    /// The evaluation graph of the module in `cfg` called at `key_path` (which also fixes the
    /// stack of calls above it), built once per root.
    fn module_graph(&mut self, cfg: &Arc<ModuleConfig>, key_path: &[String], stack: &[PathBuf]) -> Arc<ModuleGraph> {
        // Without modules.json every call resolves by its source alone: a graph that cut no
        // recursive call is the same wherever the module is called from, in every root.
        let shareable = self.modules_json.is_empty();
        if shareable {
            if let Some(g) = cfg.graph.get() {
                return Arc::clone(g);
            }
        }
        let key = (cfg.dir.clone(), key_path.to_vec());
        if let Some(g) = self.graphs.get(&key) {
            return Arc::clone(g);
        }
        let cuts = self.recursion_cuts.get();
        let mut deps = self.build_deps(cfg, key_path, stack);
        let late_providers = Self::cut_provider_waits(&mut deps);
        let (_, cyclic) = topo_order(&deps);
        let mut indegree: BTreeMap<Node, usize> = deps.keys().map(|n| (n.clone(), 0)).collect();
        let mut dependents: BTreeMap<Node, Vec<Node>> = BTreeMap::new();
        for (n, ds) in &deps {
            for d in ds.iter().filter(|d| deps.contains_key(*d)) {
                *indegree.get_mut(n).expect("every node has an entry") += 1;
                dependents.entry(d.clone()).or_default().push(n.clone());
            }
        }
        let needs = output_needs(cfg, &deps);
        let graph = Arc::new(ModuleGraph {
            needs,
            late_providers,
            cyclic,
            indegree,
            dependents,
        });
        if shareable && self.recursion_cuts.get() == cuts {
            let _ = cfg.graph.set(Arc::clone(&graph));
        }
        self.graphs.insert(key, Arc::clone(&graph));
        graph
    }

    /// The reference graph of a module: every declaration and what it refers to.
    fn build_deps(
        &mut self,
        cfg: &Arc<ModuleConfig>,
        key_path: &[String],
        stack: &[PathBuf],
    ) -> BTreeMap<Node, BTreeSet<Node>> {
        let mut deps: Deps = (**cfg.refs.get_or_init(|| Arc::new(declaration_refs(cfg)))).clone();
        let mut child_stack = stack.to_vec();
        child_stack.push(cfg.dir.clone());
        for (m, c) in &cfg.module_calls {
            if let Some(child) = self.call_config(cfg, c, key_path, stack) {
                let mut child_key = key_path.to_vec();
                child_key.push(m.clone());
                let graph = self.module_graph(&child, &child_key, &child_stack);
                for (o, vars) in &graph.needs {
                    let mut d: BTreeSet<Node> = vars
                        .iter()
                        .filter(|v| c.args.contains_key(*v))
                        .map(|v| Node::ModArg(m.clone(), v.clone()))
                        .collect();
                    d.insert(Node::ModExpand(m.clone()));
                    deps.insert(Node::ModOut(m.clone(), o.clone()), d);
                }
            }
        }
        // A reference to a whole module waits for all its outputs; one to a module infracheck
        // does not read (or to an output it does not declare) waits for the call itself.
        let mut outs: BTreeMap<String, Vec<Node>> = BTreeMap::new();
        for n in deps.keys() {
            if let Node::ModOut(m, _) = n {
                outs.entry(m.clone()).or_default().push(n.clone());
            }
        }
        let keys: BTreeSet<Node> = deps.keys().cloned().collect();
        for set in deps.values_mut() {
            let refs: Vec<Node> = set
                .iter()
                .filter(|n| matches!(n, Node::ModAll(_) | Node::ModOut(..)))
                .cloned()
                .collect();
            for n in refs {
                match &n {
                    Node::ModAll(m) => {
                        set.remove(&n);
                        set.insert(Node::ModExpand(m.clone()));
                        set.extend(outs.get(m).into_iter().flatten().cloned());
                    }
                    Node::ModOut(m, _) if !keys.contains(&n) => {
                        set.remove(&n);
                        set.insert(Node::ModExpand(m.clone()));
                    }
                    _ => {}
                }
            }
        }
        deps
    }

    /// A module call's expansion waits for the provider configurations its resources inherit. In
    /// Terraform only resources depend on providers, so a configuration that reads the call's own
    /// outputs (cloudposse's `provider "aws" { profile = module.iam_roles.… }`) is no cycle: that
    /// wait is dropped and the call binds the configuration late. Returns the (call, provider)
    /// pairs cut.
    fn cut_provider_waits(deps: &mut Deps) -> BTreeSet<(String, String)> {
        let mut cut = BTreeSet::new();
        let waits: Vec<(String, String)> = deps
            .iter()
            .filter_map(|(n, ds)| match n {
                Node::ModExpand(m) => Some(ds.iter().filter_map(move |d| match d {
                    Node::Provider(p) => Some((m.clone(), p.clone())),
                    _ => None,
                })),
                _ => None,
            })
            .flatten()
            .collect();
        for (m, p) in waits {
            let start = Node::Provider(p.clone());
            let of_call =
                |n: &Node| matches!(n, Node::ModExpand(x) | Node::ModArg(x, _) | Node::ModOut(x, _) if x == &m);
            let mut stack: Vec<&Node> = deps.get(&start).into_iter().flatten().collect();
            let mut seen = BTreeSet::new();
            let mut cyclic = false;
            while let Some(n) = stack.pop() {
                if of_call(n) {
                    cyclic = true;
                    break;
                }
                if seen.insert(n) {
                    stack.extend(deps.get(n).into_iter().flatten());
                }
            }
            if cyclic {
                cut.insert((m, p));
            }
        }
        for (m, p) in &cut {
            if let Some(ds) = deps.get_mut(&Node::ModExpand(m.clone())) {
                ds.remove(&Node::Provider(p.clone()));
            }
        }
        cut
    }

    /// Evaluates a module call's expansion: resolves its source, expands `count`/`for_each`, and
    /// starts one [`ModuleRun`] per instance, which then waits for the call's arguments.
    fn expand_call(&mut self, run: &ModuleRun, call: &ModuleCall) -> CallTarget {
        let address = format!("{}module.{}", run.path.prefix(), call.name);
        if !call.is_local() {
            self.module_sources.push(crate::model::ModuleSource {
                address: address.clone(),
                source: call.source.clone(),
                version: call.version.clone(),
                span: call.span,
                extent: call.extent,
                source_span: call.source_span,
                version_span: call.version_span,
            });
        }
        let dir = match self.call_dir(&run.cfg, call, &run.key_path) {
            Ok(dir) => dir,
            Err(nf) => {
                self.external.push(ExternalModule {
                    address: address.clone(),
                    source: call.source.clone(),
                    span: call.source_span,
                });
                let version = call
                    .version
                    .as_deref()
                    .map(|v| format!(" (version {v:?})"))
                    .unwrap_or_default();
                let d = if nf.invalid {
                    Diagnostic::error(
                        "eval::module-source",
                        format!("{address}: {}", nf.reason),
                        Some(call.source_span),
                    )
                    .with_label("module source")
                } else if nf.offline {
                    Diagnostic::warning(
                        "eval::module-not-followed",
                        format!(
                            "{address} comes from {:?}{version}, which is not followed: its resources are not checked and its outputs are unknown",
                            call.source
                        ),
                        Some(call.source_span),
                    )
                    .with_label("remote module source")
                } else {
                    Diagnostic::warning(
                        "eval::module-download",
                        format!(
                            "{address} comes from {:?}{version}, which could not be read: {}; its resources are not checked and its outputs are unknown",
                            call.source, nf.reason
                        ),
                        Some(call.source_span),
                    )
                    .with_label("remote module source")
                };
                self.diagnostics.push(match nf.help {
                    Some(h) => d.with_help(h),
                    None => d,
                });
                return CallTarget::Opaque;
            }
        };
        if !call.is_local() {
            let mut key = run.key_path.clone();
            key.push(call.name.clone());
            let (version, origin) = if let Some((_, v)) = self.modules_json.get(&key.join(".")) {
                (v.clone(), "terraform init")
            } else {
                match self.loader.remote.resolve(&call.source, call.version.as_deref()) {
                    Ok(r) => (r.version, if r.downloaded { "downloaded" } else { "cache" }),
                    Err(_) => (None, "cache"),
                }
            };
            self.remote.push(crate::model::RemoteModule {
                address: address.clone(),
                source: call.source.clone(),
                version,
                dir: dir.clone(),
                origin,
                span: call.source_span,
            });
        }
        if crate::hcl::discover::module_files(&dir).is_empty() {
            self.diagnostics.push(
                Diagnostic::error(
                    "eval::module-source",
                    format!(
                        "{address}: no Terraform files in {}",
                        crate::source::display_path(&dir).display()
                    ),
                    Some(call.source_span),
                )
                .with_label("module source not found"),
            );
            return CallTarget::Opaque;
        }
        if run.stack.contains(&dir) || dir == run.cfg.dir {
            self.diagnostics.push(
                Diagnostic::error(
                    "eval::module-recursion",
                    format!(
                        "{address} calls a module that is already being evaluated: modules may not call themselves"
                    ),
                    Some(call.span),
                )
                .with_label("recursive module call"),
            );
            return CallTarget::Opaque;
        }
        let Some(expansion) = self.expand(call.count.as_ref(), call.for_each.as_ref(), &run.scope, &address) else {
            return CallTarget::Opaque;
        };
        let child = self.loader.module(&dir);
        // Providers: default configurations pass down implicitly; the providers map passes others.
        let mut child_providers: ProviderMap = run
            .providers
            .iter()
            .filter(|(k, _)| !k.contains('.'))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        // Configurations that read this call's outputs are evaluated after it: bind them late.
        for (m, p) in &run.graph.late_providers {
            if m == &call.name && !run.providers.contains_key(p) {
                let late = ProviderRef {
                    display: format!("{}{p}", run.path.prefix()),
                    region: Value::unknown(format!("{}provider.{p}.region", run.path.prefix())),
                    late: Some((run.path.clone(), p.clone())),
                };
                if !p.contains('.') {
                    child_providers.insert(p.clone(), late.clone());
                }
                for (child_name, parent_name) in &call.providers {
                    if parent_name == p {
                        child_providers.insert(child_name.clone(), late.clone());
                    }
                }
            }
        }
        for (child_name, parent_name) in &call.providers {
            match run.providers.get(parent_name) {
                Some(p) => {
                    child_providers.insert(child_name.clone(), p.clone());
                }
                None if !parent_name.contains('.') => {
                    child_providers.insert(
                        child_name.clone(),
                        ProviderRef {
                            display: parent_name.clone(),
                            region: Value::unknown(format!("provider.{parent_name}.region")),
                            late: None,
                        },
                    );
                }
                None => self.diagnostics.push(Diagnostic::error(
                    "eval::provider-missing",
                    format!("{address} is given provider configuration {parent_name}, which is not declared"),
                    Some(call.span),
                )),
            }
        }
        for (name, e) in &call.args {
            if !child.variables.contains_key(name) {
                self.diagnostics.push(
                    Diagnostic::error(
                        "eval::unsupported-argument",
                        format!("{address} has no variable named {name:?}"),
                        Some(e.span()),
                    )
                    .with_label("not declared by the module")
                    .with_help(format!(
                        "declare it in {} or remove the argument",
                        crate::source::display_path(&dir).display()
                    )),
                );
            }
        }
        let mut stack = run.stack.clone();
        stack.push(run.cfg.dir.clone());
        let mut child_key = run.key_path.clone();
        child_key.push(call.name.clone());
        let awaited: BTreeSet<String> = call
            .args
            .keys()
            .filter(|a| child.variables.contains_key(*a))
            .cloned()
            .collect();
        let mut instances = Vec::new();
        for Instance { key, count_index, each } in expansion.instances() {
            let mut child_run = ModuleRun::new(
                self,
                Arc::clone(&child),
                run.path.child(&call.name, key.clone()),
                child_key.clone(),
                Some(call.span),
                stack.clone(),
                child_providers.clone(),
                &awaited,
                BTreeMap::new(),
            );
            child_run.call_chain = run.call_chain.iter().copied().chain([call.extent]).collect();
            child_run.advance(self);
            instances.push(ChildInstance {
                key,
                count_index,
                each,
                run: child_run,
            });
        }
        CallTarget::Instances {
            instances,
            counted: call.count.is_some(),
            for_each: call.for_each.is_some(),
            address,
        }
    }

    fn eval_variable(
        &mut self,
        cfg: &ModuleConfig,
        name: &str,
        input: Option<Input>,
        is_root: bool,
        call_span: Option<Span>,
        path: &ModulePath,
    ) -> Value {
        let decl = &cfg.variables[name];
        let unknown = || Value::unknown(format!("{}var.{name}", path.prefix()));
        let ty = match &decl.type_expr {
            Some(t) => match parse_type(&t.expr) {
                Ok(ty) => Some(ty),
                Err(m) => {
                    self.diagnostics.push(Diagnostic::error(
                        "eval::type",
                        format!("invalid type for variable {name:?}: {m}"),
                        Some(t.span()),
                    ));
                    None
                }
            },
            None => None,
        };
        let empty = Scope::default();
        let default = decl.default.as_ref().and_then(|d| {
            let ctx = Ctx::new(&empty, d.file);
            match eval(&d.expr, &ctx) {
                Ok(v) => Some((v, d.span())),
                Err(e) => {
                    self.diagnostics.push(
                        located("eval::variable-default", e)
                            .with_help("a variable default must be a literal value: no references"),
                    );
                    None
                }
            }
        });
        let nullable = decl
            .nullable
            .as_ref()
            .map(|n| !matches!(&n.expr, Expression::Bool(b) if !*b.value()))
            .unwrap_or(true);
        let (value, span) = match input {
            Some(i) => {
                let v = match i.raw {
                    Raw::Value(v) => v,
                    Raw::Text(t) => {
                        let literal = matches!(ty, None | Some(Type::String | Type::Number | Type::Bool));
                        if literal {
                            Value::String(t)
                        } else {
                            match hcl_edit::parser::parse_expr(&t) {
                                Ok(e) => {
                                    let ctx = Ctx::new(&empty, crate::source::FileId(0));
                                    match eval(&e, &ctx) {
                                        Ok(v) => v,
                                        Err(err) => {
                                            self.diagnostics.push(Diagnostic::error(
                                                "vars::value",
                                                format!("invalid value for variable {name:?}: {}", err.message),
                                                None,
                                            ));
                                            return unknown();
                                        }
                                    }
                                }
                                Err(err) => {
                                    self.diagnostics.push(Diagnostic::error(
                                        "vars::value",
                                        format!("invalid value for variable {name:?}: {}", err.message()),
                                        None,
                                    ));
                                    return unknown();
                                }
                            }
                        }
                    }
                };
                if v.is_null() && !nullable {
                    match &default {
                        Some((d, s)) => (d.clone(), Some(*s)),
                        None => {
                            self.diagnostics.push(Diagnostic::plan_time(
                                "eval::null-variable",
                                format!("variable {name:?} may not be null"),
                                i.span,
                            ));
                            return unknown();
                        }
                    }
                } else {
                    (v, i.span)
                }
            }
            None => match &default {
                Some((d, s)) => (d.clone(), Some(*s)),
                None if is_root => {
                    self.diagnostics.push(
                        Diagnostic::warning(
                            "vars::unset",
                            format!("no value for the root module's variable {name:?}: it is treated as unknown"),
                            Some(decl.span),
                        )
                        .with_label("required variable without a default")
                        .with_help(
                            "give it a value in terraform.tfvars, with --var-file or --var, or through TF_VAR_"
                                .to_string()
                                + name,
                        ),
                    );
                    return unknown();
                }
                None => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            "eval::missing-argument",
                            format!("module {path} requires the argument {name:?}"),
                            call_span,
                        )
                        .with_help(format!("set {name} in the module block; the variable has no default")),
                    );
                    return unknown();
                }
            },
        };
        match &ty {
            Some(ty) => match convert(&value, ty) {
                Ok(v) => v,
                Err(m) => {
                    self.diagnostics.push(
                        Diagnostic::plan_time(
                            "eval::variable-type",
                            format!("invalid value for variable {name:?}: {m}"),
                            span.or(Some(decl.span)),
                        )
                        .with_label(format!("the variable's type is {ty}")),
                    );
                    unknown()
                }
            },
            None => value,
        }
    }

    /// Evaluates a variable's validation blocks; a failed condition is an error at the value.
    fn validate(&mut self, decl: &crate::hcl::config::VariableDecl, value: &Value, at: Option<Span>, scope: &Scope) {
        if decl.validations.is_empty() || !value.is_wholly_known() {
            return;
        }
        let mut vscope = Scope {
            fs: scope.fs.clone(),
            ..Scope::default()
        };
        vscope.vars.insert(decl.name.clone(), value.clone());
        // Terraform ≥1.9 lets conditions refer to other variables: they are known by now.
        for (k, v) in &scope.vars {
            vscope.vars.entry(k.clone()).or_insert_with(|| v.clone());
        }
        for val in &decl.validations {
            let ctx = Ctx::new(&vscope, val.condition.file);
            match eval(&val.condition.expr, &ctx) {
                Ok(Value::Bool(true)) => {}
                Ok(Value::Bool(false)) => {
                    let msg = val
                        .error_message
                        .as_ref()
                        .and_then(|m| eval(&m.expr, &Ctx::new(&vscope, m.file)).ok())
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_else(|| "the validation condition is false".into());
                    self.diagnostics.push(
                        Diagnostic::plan_time(
                            "vars::validation",
                            format!("invalid value for variable {:?}: {msg}", decl.name),
                            at.or(Some(decl.span)),
                        )
                        .with_label("this value fails the variable's validation")
                        .with_help(format!(
                            "the condition is at {}",
                            describe_span(self.loader, val.condition.span())
                        )),
                    );
                }
                Ok(v) if v.is_unknown() => {}
                Ok(v) => self.diagnostics.push(Diagnostic::plan_time(
                    "vars::validation",
                    format!("a validation condition must be a bool, not {}", v.type_name()),
                    Some(val.condition.span()),
                )),
                Err(e) => self.err("vars::validation", e),
            }
        }
    }

    /// The instances of `count`/`for_each`. A value Terraform would reject at plan time (null, a
    /// negative count) gives one representative instance, as an unknown one does, so the block
    /// is still checked; `None` only when the configuration is invalid.
    fn expand(
        &mut self,
        count: Option<&Expr>,
        for_each: Option<&Expr>,
        scope: &Scope,
        what: &str,
    ) -> Option<Expansion> {
        if let Some(c) = count {
            let ctx = Ctx::new(scope, c.file);
            return match eval(&c.expr, &ctx) {
                Ok(Value::Number(n)) if n > MAX_INSTANCES as f64 => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            "eval::count",
                            format!(
                                "count for {what} is too large ({}; at most {MAX_INSTANCES} instances)",
                                crate::model::value::format_number(n)
                            ),
                            Some(c.span()),
                        )
                        .with_label("too many instances")
                        .with_help("infracheck reads at most 100,000 instances of one resource or module call"),
                    );
                    Some(failed(false, format!("{what}.count")))
                }
                Ok(Value::Number(n)) if n >= 0.0 && n.fract() == 0.0 => Some(Expansion::Count(n as usize)),
                Ok(v) if v.is_unknown() => {
                    let refs = v.unknown_refs().unwrap_or_default();
                    self.unknown_expansion("count", what, &refs, c.span());
                    Some(Expansion::Unknown { for_each: false, refs })
                }
                Ok(v) => match expr::to_number(&v) {
                    Some(n) if (0.0..=MAX_INSTANCES as f64).contains(&n) && n.fract() == 0.0 => {
                        Some(Expansion::Count(n as usize))
                    }
                    _ => {
                        self.diagnostics.push(Diagnostic::plan_time(
                            "eval::count",
                            format!(
                                "invalid count for {what}: a whole number ≥ 0 is required, not {}",
                                crate::model::value::to_hcl(&v)
                            ),
                            Some(c.span()),
                        ));
                        Some(failed(false, format!("{what}.count")))
                    }
                },
                Err(e) => {
                    let invalid = e.invalid;
                    self.err("eval::count", e);
                    (!invalid).then(|| failed(false, format!("{what}.count")))
                }
            };
        }
        if let Some(f) = for_each {
            let ctx = Ctx::new(scope, f.file);
            let v = match eval(&f.expr, &ctx) {
                Ok(v) => v,
                Err(e) => {
                    let invalid = e.invalid;
                    self.err("eval::for-each", e);
                    return (!invalid).then(|| failed(true, format!("{what}.for_each")));
                }
            };
            if let Some(u) = v.as_unknown() {
                self.unknown_expansion("for_each", what, &u, f.span());
                return Some(Expansion::Unknown {
                    for_each: true,
                    refs: u,
                });
            }
            return match v {
                Value::Map(m) => Some(Expansion::ForEach(m.into_iter().collect())),
                Value::Set(items) => {
                    let mut out = Vec::new();
                    for i in items {
                        match i {
                            Value::String(s) => out.push((s.clone(), Value::String(s))),
                            x if x.is_unknown() => {
                                let refs = x.as_unknown().unwrap_or_default();
                                self.unknown_expansion("for_each", what, &refs, f.span());
                                return Some(Expansion::Unknown { for_each: true, refs });
                            }
                            other => {
                                self.diagnostics.push(Diagnostic::plan_time(
                                    "eval::for-each",
                                    format!(
                                        "invalid for_each for {what}: a set of strings is required, and it holds a {}",
                                        other.type_name()
                                    ),
                                    Some(f.span()),
                                ));
                                return Some(failed(true, format!("{what}.for_each")));
                            }
                        }
                    }
                    Some(Expansion::ForEach(out))
                }
                Value::Null => {
                    self.diagnostics.push(Diagnostic::plan_time(
                        "eval::for-each",
                        format!("invalid for_each for {what}: the value is null"),
                        Some(f.span()),
                    ));
                    Some(failed(true, format!("{what}.for_each")))
                }
                other => {
                    self.diagnostics.push(
                        Diagnostic::plan_time(
                            "eval::for-each",
                            format!(
                                "invalid for_each for {what}: a map or a set of strings is required, not a {}",
                                other.type_name()
                            ),
                            Some(f.span()),
                        )
                        .with_help("convert a list with toset(...)"),
                    );
                    Some(failed(true, format!("{what}.for_each")))
                }
            };
        }
        Some(Expansion::Single)
    }

    /// Reports a `count` or `for_each` that is not known before apply. When it depends only on
    /// values Terraform knows at plan time but infracheck does not read (data sources, modules not
    /// followed, root variables without a value), that is infracheck's limit: a warning. Otherwise
    /// Terraform rejects the configuration too: an error. Either way one representative instance
    /// (`[*]`) is kept, so checks still see the resource.
    fn unknown_expansion(&mut self, arg: &str, what: &str, u: &Unknown, span: Span) {
        let plan_time = |r: &String| {
            r.starts_with("data.")
                || r.contains(".data.")
                // A root variable, or an attribute of one (`var.bucket.create`): root variables
                // are known at plan.
                || r.starts_with("var.")
                || r.starts_with("provider.")
                || self.external.iter().any(|m| r.starts_with(&m.address))
        };
        let known_at_plan = !u.refs.is_empty() && u.refs.iter().all(plan_time);
        let refs = if u.refs.is_empty() {
            "a function whose value changes on every run".to_string()
        } else {
            u.refs.join(", ")
        };
        let d = if known_at_plan && u.refs.iter().all(|r| r.starts_with("var.")) {
            Diagnostic::warning(
                "eval::unknown-expansion",
                format!("the {arg} of {what} depends on {refs}, a root variable with no value here: it is checked as one representative instance, {what}[*]"),
                Some(span),
            )
            .with_help("give the variable a value (a tfvars file, --var-file, --var) to check every instance")
        } else if known_at_plan {
            Diagnostic::warning(
                "eval::unknown-expansion",
                format!("the {arg} of {what} depends on {refs}, which Terraform reads during plan and infracheck does not: it is checked as one representative instance, {what}[*]"),
                Some(span),
            )
            .with_help("give the value in configuration (for example the availability zones as a variable) to check every instance")
        } else {
            Diagnostic::plan_time(
                "eval::unknown-expansion",
                format!(
                    "the {arg} of {what} depends on values known only after apply ({refs}): Terraform cannot plan it"
                ),
                Some(span),
            )
            .with_help(format!("make {arg} depend only on values known before apply"))
        };
        self.diagnostics.push(d);
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_resource(
        &mut self,
        d: &ResourceDecl,
        scope: &Scope,
        path: &ModulePath,
        calls: &[Span],
        providers: &ProviderMap,
        mc: &ModCtx,
    ) -> Value {
        let base = format!("{}{}", path.prefix(), d.key());
        let Some(expansion) = self.expand(d.count.as_ref(), d.for_each.as_ref(), scope, &base) else {
            return Value::unknown(base);
        };
        let pkey = d.provider_key();
        let late = providers.get(&pkey).and_then(|p| p.late.clone());
        let (provider, region) = match providers.get(&pkey) {
            Some(p) => (p.display.clone(), p.region.clone()),
            None if pkey.contains('.') => {
                self.diagnostics.push(
                    Diagnostic::error(
                        "eval::provider-missing",
                        format!("{base} uses provider configuration {pkey}, which is not present in this module"),
                        Some(d.span),
                    )
                    .with_help(format!(
                        "declare provider \"{}\" with alias {:?}, or pass it in the module call's providers map",
                        pkey.split('.').next().unwrap_or(""),
                        pkey.split('.').nth(1).unwrap_or("")
                    )),
                );
                (pkey.clone(), Value::unknown(format!("provider.{pkey}.region")))
            }
            None => (pkey.clone(), Value::unknown(format!("provider.{pkey}.region"))),
        };
        // Regions are AWS's: a resource of another provider (random, tls, kubernetes) has none.
        let region = if pkey.split('.').next() == Some("aws") {
            region
        } else {
            Value::Null
        };
        let instances = expansion.instances();
        let mut values = Vec::new();
        for Instance { key, count_index, each } in instances {
            let address = format!("{base}{key}");
            let mut ctx = Ctx::new(scope, d.body.file);
            ctx.count_index = count_index;
            ctx.each = each;
            let mut prov = Map::new();
            let mut sensitive = BTreeSet::new();
            let representative = usize::from(key == InstanceKey::Unknown);
            self.representative += representative;
            let mut attrs = match self.eval_body(&d.body.body, &ctx, &address, "", true, &mut prov, &mut sensitive, mc)
            {
                Ok(a) => a,
                Err(e) => {
                    self.err("eval::resource", e);
                    Map::new()
                }
            };
            self.representative -= representative;
            if d.mode == ResourceMode::Data {
                super::data::compute(&d.resource_type, &address, &mut attrs, &region);
            }
            let meta = self.eval_meta(&d.body.body, &ctx);
            values.push((
                key.clone(),
                Value::Open(Arc::new(OpenObject {
                    address: address.clone(),
                    attrs: attrs.clone(),
                })),
            ));
            if let (Some((module, name)), false) = (&late, region.is_null()) {
                self.late_regions
                    .push((self.resources.len(), module.clone(), name.clone()));
            }
            self.resources.push(Resource {
                address,
                module: path.clone(),
                mode: if d.mode == ResourceMode::Data {
                    Mode::Data
                } else {
                    Mode::Managed
                },
                resource_type: d.resource_type.clone(),
                name: d.name.clone(),
                key,
                region: region.clone(),
                provider: provider.clone(),
                span: d.span,
                extent: d.extent,
                attributes: attrs,
                provenance: prov,
                sensitive: sensitive.clone(),
                meta,
                joined: BTreeMap::new(),
                module_calls: calls.to_vec(),
            });
        }
        collect_instances(values, d.count.is_some(), d.for_each.is_some(), &base)
    }

    /// Meta-arguments that matter to checks: `lifecycle` settings and `depends_on` (as written).
    fn eval_meta(&mut self, body: &Body, ctx: &Ctx) -> Map {
        let mut meta = Map::new();
        for block in body.get_blocks("lifecycle") {
            for attr in block.body.attributes() {
                let key = attr.key.as_str();
                if matches!(key, "prevent_destroy" | "create_before_destroy") {
                    if let Ok(v) = eval(&attr.value, ctx) {
                        meta.insert(format!("lifecycle.{key}"), v);
                    }
                }
            }
        }
        if let Some(dep) = body.get_attribute("depends_on") {
            if let Expression::Array(a) = &dep.value {
                let refs = a
                    .iter()
                    .filter_map(static_traversal)
                    .map(|p| Value::String(p.join(".")))
                    .collect();
                meta.insert("depends_on".into(), Value::List(refs));
            }
        }
        meta
    }

    /// Evaluates a block body into attributes, nested blocks becoming lists of objects. Meta
    /// arguments are skipped at the top level of a resource.
    #[allow(clippy::too_many_arguments)]
    fn eval_body(
        &mut self,
        body: &Body,
        ctx: &Ctx,
        address: &str,
        prefix: &str,
        top: bool,
        prov: &mut Map<Provenance>,
        sensitive: &mut BTreeSet<String>,
        mc: &ModCtx,
    ) -> Result<Map, EvalError> {
        let mut attrs = Map::new();
        let mut blocks: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut unknown_blocks: BTreeMap<String, Option<Unknown>> = BTreeMap::new();
        let join = |k: &str| {
            if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            }
        };
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let key = a.key.as_str();
                    if top && matches!(key, "count" | "for_each" | "provider" | "depends_on") {
                        continue;
                    }
                    let path = join(key);
                    let span = Span::new(ctx.file, a.value.span().unwrap_or(0..0));
                    let via = direct_var(&a.value)
                        .and_then(|v| mc.var_via.get(v))
                        .cloned()
                        .unwrap_or_default();
                    if mc.is_sensitive(&a.value) || SENSITIVE_ARGUMENTS.contains(&key) {
                        sensitive.insert(path.clone());
                    }
                    prov.insert(path.clone(), Provenance { span, via });
                    let v = match eval(&a.value, ctx) {
                        Ok(v) => v,
                        Err(e) => {
                            self.err("eval::attribute", e);
                            Value::unknown(format!("{address}.{path}"))
                        }
                    };
                    attrs.insert(key.to_string(), v);
                }
                Structure::Block(b) => {
                    let kind = b.ident.as_str();
                    if top && matches!(kind, "lifecycle" | "provisioner" | "connection") {
                        continue;
                    }
                    if kind == "dynamic" {
                        self.eval_dynamic(
                            b,
                            ctx,
                            address,
                            prefix,
                            &mut blocks,
                            &mut unknown_blocks,
                            prov,
                            sensitive,
                            mc,
                        )?;
                        continue;
                    }
                    let list = blocks.entry(kind.to_string()).or_default();
                    let idx = list.len();
                    let sub = format!("{}[{idx}]", join(kind));
                    prov.insert(
                        sub.clone(),
                        Provenance {
                            span: crate::hcl::config::block_head_span(ctx.file, b),
                            via: Vec::new(),
                        },
                    );
                    let inner = self.eval_body(&b.body, ctx, address, &sub, false, prov, sensitive, mc)?;
                    blocks
                        .get_mut(kind)
                        .expect("inserted above")
                        .push(Value::Open(Arc::new(OpenObject {
                            address: format!("{address}.{sub}"),
                            attrs: inner,
                        })));
                }
            }
        }
        for (k, v) in blocks {
            attrs.insert(k, Value::List(v));
        }
        for (k, u) in unknown_blocks {
            attrs.insert(k, Value::Unknown(u.unwrap_or_default()));
        }
        Ok(attrs)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_dynamic(
        &mut self,
        b: &hcl_edit::structure::Block,
        ctx: &Ctx,
        address: &str,
        prefix: &str,
        blocks: &mut BTreeMap<String, Vec<Value>>,
        unknown_blocks: &mut BTreeMap<String, Option<Unknown>>,
        prov: &mut Map<Provenance>,
        sensitive: &mut BTreeSet<String>,
        mc: &ModCtx,
    ) -> Result<(), EvalError> {
        let head = crate::hcl::config::block_head_span(ctx.file, b);
        let kind = match b.labels.first() {
            Some(hcl_edit::structure::BlockLabel::Ident(i)) => i.as_str().to_string(),
            Some(hcl_edit::structure::BlockLabel::String(s)) => s.as_str().to_string(),
            None => {
                return Err(EvalError::new(
                    "a dynamic block needs a label: the type of block to generate",
                    Some(head),
                ))
            }
        };
        let fe = b
            .body
            .get_attribute("for_each")
            .ok_or_else(|| EvalError::new(format!("dynamic {kind:?} block has no for_each argument"), Some(head)))?;
        let iterator = b
            .body
            .get_attribute("iterator")
            .and_then(|a| static_traversal(&a.value))
            .and_then(|p| p.into_iter().next())
            .unwrap_or_else(|| kind.clone());
        let content = b
            .body
            .get_blocks("content")
            .next()
            .ok_or_else(|| EvalError::new(format!("dynamic {kind:?} block has no content block"), Some(head)))?;
        let coll = eval(&fe.value, ctx)?;
        let join = |k: &str| {
            if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            }
        };
        if let Some(u) = coll.as_unknown() {
            // How many blocks there are is not known before apply: the whole attribute is unknown.
            prov.insert(
                join(&kind),
                Provenance {
                    span: head,
                    via: Vec::new(),
                },
            );
            merge_unknown(unknown_blocks.entry(kind).or_default(), &u);
            return Ok(());
        }
        let items: Vec<(Value, Value)> = match coll {
            Value::List(v) => v
                .into_iter()
                .enumerate()
                .map(|(i, x)| (Value::Number(i as f64), x))
                .collect(),
            Value::Set(v) => v.into_iter().map(|x| (x.clone(), x)).collect(),
            Value::Map(m) => m.into_iter().map(|(k, x)| (Value::String(k), x)).collect(),
            Value::Null => Vec::new(),
            other => {
                return Err(EvalError::new(
                    format!(
                        "invalid dynamic for_each value: a collection is required, not {}",
                        other.type_name()
                    ),
                    Some(Span::new(ctx.file, fe.value.span().unwrap_or(0..0))),
                ))
            }
        };
        for (k, v) in items {
            let mut it = Map::new();
            it.insert("key".to_string(), k);
            it.insert("value".to_string(), v);
            let c = ctx.with_binding(&iterator, Value::Map(it));
            let idx = blocks.get(&kind).map(Vec::len).unwrap_or(0);
            let sub = format!("{}[{idx}]", join(&kind));
            prov.insert(
                sub.clone(),
                Provenance {
                    span: head,
                    via: Vec::new(),
                },
            );
            let inner = self.eval_body(&content.body, &c, address, &sub, false, prov, sensitive, mc)?;
            blocks
                .entry(kind.clone())
                .or_default()
                .push(Value::Open(Arc::new(OpenObject {
                    address: format!("{address}.{sub}"),
                    attrs: inner,
                })));
        }
        Ok(())
    }
}

/// One instance of a called module.
struct ChildInstance {
    key: InstanceKey,
    count_index: Option<Value>,
    each: Option<(Value, Value)>,
    run: ModuleRun,
}

/// What a module call's expansion produced.
enum CallTarget {
    /// A module infracheck does not read (remote, missing, recursive, or not expandable): its
    /// value is unknown.
    Opaque,
    Instances {
        instances: Vec<ChildInstance>,
        counted: bool,
        for_each: bool,
        address: String,
    },
}

/// A module instance under evaluation. Its reference graph is walked in topological order, one
/// ready node at a time (Kahn's algorithm), so a calling module can give it an argument and read an
/// output as soon as the graph allows, as Terraform's single graph does. Cycles are found from the
/// graph before the walk; nothing is evaluated twice.
struct ModuleRun {
    cfg: Arc<ModuleConfig>,
    path: ModulePath,
    key_path: Vec<String>,
    /// The module block that calls this instance (for "missing argument" errors).
    call_span: Option<Span>,
    /// The module blocks that lead to this instance, outermost first.
    call_chain: Vec<Span>,
    /// Directories of the calling modules, to refuse recursion.
    stack: Vec<PathBuf>,
    scope: Scope,
    mc: ModCtx,
    providers: ProviderMap,
    indegree: BTreeMap<Node, usize>,
    graph: Arc<ModuleGraph>,
    ready: BTreeSet<Node>,
    /// Arguments given so far and not yet consumed by their variable.
    inputs: BTreeMap<String, Input>,
    /// Variables still waiting for the caller's argument.
    awaiting: BTreeSet<String>,
    outputs: Map,
    calls: BTreeMap<String, CallTarget>,
    /// The root module's variables as evaluated (sensitive ones hidden).
    vars_out: Map,
}

impl ModuleRun {
    #[allow(clippy::too_many_arguments)]
    fn new(
        ev: &mut RootEval,
        cfg: Arc<ModuleConfig>,
        path: ModulePath,
        key_path: Vec<String>,
        call_span: Option<Span>,
        stack: Vec<PathBuf>,
        providers: ProviderMap,
        awaited: &BTreeSet<String>,
        inputs: BTreeMap<String, Input>,
    ) -> ModuleRun {
        if ev.seen_dirs.insert(cfg.dir.clone()) {
            ev.diagnostics.extend(cfg.diagnostics.iter().cloned());
        }
        let scope = Scope {
            path_module: relative_path(&ev.root_dir, &cfg.dir),
            path_root: ".".into(),
            path_cwd: ev.root_dir.display().to_string(),
            workspace: ev.workspace.clone(),
            fs: FsAccess {
                module_dir: ev.root_dir.clone(),
                // A downloaded module reads its own package.
                allowed_root: ev
                    .loader
                    .remote
                    .package_of(&cfg.dir)
                    .unwrap_or_else(|| readable_root(ev.repository.as_deref(), &ev.loader.scan_root, &cfg.dir)),
            },
            ..Scope::default()
        };
        let mut scope = scope;
        for e in cfg.ephemerals.keys() {
            scope
                .ephemeral
                .insert(e.clone(), Value::unknown(format!("{}ephemeral.{e}", path.prefix())));
        }
        let graph = ev.module_graph(&cfg, &key_path, &stack);
        let mut indegree = graph.indegree.clone();
        let awaiting: BTreeSet<String> = awaited
            .iter()
            .filter(|a| cfg.variables.contains_key(*a))
            .cloned()
            .collect();
        for a in &awaiting {
            *indegree.get_mut(&Node::Var(a.clone())).expect("declared variable") += 1;
        }
        let mut run = ModuleRun {
            ready: BTreeSet::new(),
            cfg,
            path,
            key_path,
            call_span,
            call_chain: Vec::new(),
            stack,
            scope,
            mc: ModCtx::default(),
            providers,
            indegree,
            graph: Arc::clone(&graph),
            inputs,
            awaiting,
            outputs: Map::new(),
            calls: BTreeMap::new(),
            vars_out: Map::new(),
        };
        let cyclic = &graph.cyclic;
        if !cyclic.is_empty() {
            // Name the first few: a cycle of thousands is one sentence, not a page.
            const NAMED: usize = 12;
            let mut names: Vec<String> = cyclic.iter().take(NAMED).map(|n| n.to_string()).collect();
            if cyclic.len() > NAMED {
                names.push(format!("and {} more", cyclic.len() - NAMED));
            }
            let span = cyclic.first().and_then(|n| run.node_span(n));
            ev.diagnostics.push(
                Diagnostic::error(
                    "eval::cycle",
                    format!(
                        "these declarations refer to each other in a cycle: {}",
                        names.join(", ")
                    ),
                    span,
                )
                .with_label("part of the cycle")
                .with_help("Terraform cannot order a cycle; break it by removing one of the references"),
            );
            for n in cyclic {
                run.set_unknown(n);
                run.indegree.remove(n);
            }
            for n in cyclic {
                run.release(n);
            }
        }
        run.ready = run
            .indegree
            .iter()
            .filter(|(_, d)| **d == 0)
            .map(|(n, _)| n.clone())
            .collect();
        run
    }

    /// Marks `n` evaluated: its dependents may become ready.
    fn release(&mut self, n: &Node) {
        for d in self.graph.dependents.get(n).into_iter().flatten() {
            if let Some(e) = self.indegree.get_mut(d) {
                *e -= 1;
                if *e == 0 {
                    self.ready.insert(d.clone());
                }
            }
        }
    }

    /// Evaluates every node that is ready, in order, until none is.
    fn advance(&mut self, ev: &mut RootEval) {
        while let Some(n) = self.ready.pop_first() {
            self.indegree.remove(&n);
            self.step(ev, &n);
            self.release(&n);
        }
    }

    /// Gives the value of an argument of the module call to its variable.
    fn provide(&mut self, name: &str, input: Input) {
        if !self.awaiting.remove(name) {
            return;
        }
        self.inputs.insert(name.to_string(), input);
        let node = Node::Var(name.to_string());
        if let Some(e) = self.indegree.get_mut(&node) {
            *e -= 1;
            if *e == 0 {
                self.ready.insert(node);
            }
        }
    }

    /// Completes the walk: arguments never given (they were part of a cycle in the caller) become
    /// unknown; the called modules are completed too.
    fn finish(&mut self, ev: &mut RootEval) {
        for a in std::mem::take(&mut self.awaiting) {
            let input = Input {
                raw: Raw::Value(Value::unknown(format!("{}var.{a}", self.path.prefix()))),
                sensitive: false,
                span: None,
                via: Vec::new(),
            };
            self.awaiting.insert(a.clone());
            self.provide(&a, input);
        }
        self.advance(ev);
        for target in self.calls.values_mut() {
            if let CallTarget::Instances { instances, .. } = target {
                for i in instances {
                    i.run.finish(ev);
                }
            }
        }
    }

    fn node_span(&self, n: &Node) -> Option<Span> {
        let cfg = &self.cfg;
        match n {
            Node::Var(x) => cfg.variables.get(x).map(|d| d.span),
            Node::Local(x) => cfg.locals.get(x).map(|d| d.span),
            Node::Resource(x) => cfg.resources.get(x).map(|d| d.span),
            Node::ModExpand(x) | Node::ModAll(x) | Node::ModOut(x, _) => cfg.module_calls.get(x).map(|d| d.span),
            Node::ModArg(x, a) => cfg.module_calls.get(x).and_then(|d| d.args.get(a)).map(|e| e.span()),
            Node::Output(x) => cfg.outputs.get(x).map(|d| d.span),
            Node::Provider(x) => cfg.providers.iter().find(|p| &p.name == x).map(|p| p.span),
        }
    }

    /// Gives a node in a cycle an unknown value, so what depends on it is still evaluated.
    fn set_unknown(&mut self, n: &Node) {
        let u = Value::unknown(format!("{}{n}", self.path.prefix()));
        let scope = &mut self.scope;
        match n {
            Node::Var(x) => {
                scope.vars.insert(x.clone(), u);
            }
            Node::Local(x) => {
                scope.locals.insert(x.clone(), u);
            }
            Node::ModExpand(x) | Node::ModAll(x) | Node::ModOut(x, _) | Node::ModArg(x, _) => {
                scope
                    .modules
                    .insert(x.clone(), Value::unknown(format!("{}module.{x}", self.path.prefix())));
            }
            Node::Resource(x) => {
                let parts: Vec<&str> = x.split('.').collect();
                match parts.as_slice() {
                    ["data", t, name] => {
                        scope.data.entry(t.to_string()).or_default().insert(name.to_string(), u);
                    }
                    [t, name] => {
                        scope
                            .resources
                            .entry(t.to_string())
                            .or_default()
                            .insert(name.to_string(), u);
                    }
                    _ => {}
                }
            }
            Node::Output(x) => {
                self.outputs.insert(x.clone(), u);
            }
            Node::Provider(_) => {}
        }
    }

    /// Evaluates one node; inside a representative instance, errors that depend on values are
    /// not reported.
    fn step(&mut self, ev: &mut RootEval, node: &Node) {
        let representative = self.path.0.iter().any(|(_, k)| *k == InstanceKey::Unknown);
        ev.representative += usize::from(representative);
        self.step_node(ev, node);
        ev.representative -= usize::from(representative);
    }

    fn step_node(&mut self, ev: &mut RootEval, node: &Node) {
        let path = self.path.clone();
        let cfg = Arc::clone(&self.cfg);
        match node {
            Node::Var(n) => {
                let decl = &cfg.variables[n];
                let input = self.inputs.remove(n);
                if let Some(i) = &input {
                    let mut via: Vec<Span> = i.span.into_iter().collect();
                    via.extend(i.via.iter().copied());
                    self.mc.var_via.insert(n.clone(), via);
                }
                if decl.sensitive || input.as_ref().is_some_and(|i| i.sensitive) {
                    self.mc.sensitive.insert(node.clone());
                }
                let v = ev.eval_variable(&cfg, n, input, path.is_root(), self.call_span, &path);
                ev.validate(
                    decl,
                    &v,
                    self.mc.var_via.get(n).and_then(|v| v.first().copied()),
                    &self.scope,
                );
                if path.is_root() {
                    let shown = if self.mc.sensitive.contains(node) {
                        Value::unknown("(sensitive)")
                    } else {
                        v.clone()
                    };
                    self.vars_out.insert(n.clone(), shown);
                }
                self.scope.vars.insert(n.clone(), v);
            }
            Node::Local(n) => {
                let l = &cfg.locals[n];
                if self.mc.is_sensitive(&l.value.expr) {
                    self.mc.sensitive.insert(node.clone());
                }
                let ctx = Ctx::new(&self.scope, l.value.file);
                let v = match eval(&l.value.expr, &ctx) {
                    Ok(v) => v,
                    Err(e) => {
                        ev.err("eval::local", e);
                        Value::unknown(format!("{}local.{n}", path.prefix()))
                    }
                };
                self.scope.locals.insert(n.clone(), v);
            }
            Node::Provider(n) => {
                let p = cfg
                    .providers
                    .iter()
                    .find(|p| &p.name == n)
                    .expect("provider node comes from a declaration");
                let ctx = Ctx::new(&self.scope, p.body.file);
                let mut prov = Map::new();
                let addr = format!("{}provider.{n}", path.prefix());
                let attrs = match ev.eval_body(
                    &p.body.body,
                    &ctx,
                    &addr,
                    "",
                    false,
                    &mut prov,
                    &mut BTreeSet::new(),
                    &self.mc,
                ) {
                    Ok(a) => a,
                    Err(e) => {
                        ev.err("eval::provider", e);
                        Map::new()
                    }
                };
                let region = match attrs.get("region") {
                    Some(r) if !r.is_null() => r.clone(),
                    _ if n.split('.').next() != Some("aws") => Value::Null,
                    _ => Value::unknown(format!("{addr}.region")),
                };
                let display = format!("{}{n}", path.prefix());
                self.providers.insert(
                    n.clone(),
                    ProviderRef {
                        display,
                        region: region.clone(),
                        late: None,
                    },
                );
                let mut shown = attrs;
                for secret in ["access_key", "secret_key", "token"] {
                    if shown.contains_key(secret) {
                        shown.insert(secret.to_string(), Value::unknown("(sensitive)"));
                    }
                }
                ev.providers.push(ProviderConfig {
                    name: n.clone(),
                    module: path.clone(),
                    region,
                    attributes: shown,
                    span: Some(p.span),
                });
            }
            Node::Resource(k) => {
                let d = &cfg.resources[k];
                let v = ev.eval_resource(d, &self.scope, &path, &self.call_chain, &self.providers, &self.mc);
                let map = match d.mode {
                    ResourceMode::Managed => &mut self.scope.resources,
                    ResourceMode::Data => &mut self.scope.data,
                };
                map.entry(d.resource_type.clone())
                    .or_default()
                    .insert(d.name.clone(), v);
            }
            Node::ModExpand(m) => {
                let call = &cfg.module_calls[m];
                let target = ev.expand_call(self, call);
                let value = match &target {
                    CallTarget::Opaque => Value::unknown(format!("{}module.{m}", path.prefix())),
                    CallTarget::Instances {
                        instances,
                        counted,
                        for_each,
                        address,
                    } => collect_instances(
                        instances
                            .iter()
                            .map(|i| (i.key.clone(), Value::Map(Map::new())))
                            .collect(),
                        *counted,
                        *for_each,
                        address,
                    ),
                };
                self.scope.modules.insert(m.clone(), value);
                self.calls.insert(m.clone(), target);
            }
            Node::ModArg(m, a) => {
                let call = &cfg.module_calls[m];
                let e = &call.args[a];
                let Some(CallTarget::Instances {
                    mut instances,
                    counted,
                    for_each,
                    address,
                }) = self.calls.remove(m)
                else {
                    return;
                };
                let sensitive = self.mc.is_sensitive(&e.expr);
                let via = direct_var(&e.expr)
                    .and_then(|v| self.mc.var_via.get(v))
                    .cloned()
                    .unwrap_or_default();
                for i in &mut instances {
                    let mut ctx = Ctx::new(&self.scope, e.file);
                    ctx.count_index = i.count_index.clone();
                    ctx.each = i.each.clone();
                    let value = match eval(&e.expr, &ctx) {
                        Ok(v) => v,
                        Err(err) => {
                            ev.err("eval::module-argument", err);
                            Value::unknown(format!("{address}{}.var.{a}", i.key))
                        }
                    };
                    let input = Input {
                        raw: Raw::Value(value),
                        sensitive,
                        span: Some(e.span()),
                        via: via.clone(),
                    };
                    i.run.provide(a, input);
                    i.run.advance(ev);
                }
                self.calls.insert(
                    m.clone(),
                    CallTarget::Instances {
                        instances,
                        counted,
                        for_each,
                        address,
                    },
                );
            }
            Node::ModOut(m, o) => {
                let Some(CallTarget::Instances { instances, .. }) = self.calls.get(m) else {
                    return;
                };
                let values: Vec<(InstanceKey, Value)> = instances
                    .iter()
                    .map(|i| {
                        let v = i
                            .run
                            .outputs
                            .get(o)
                            .cloned()
                            .unwrap_or_else(|| Value::unknown(format!("{}.{o}", i.run.path)));
                        (i.key.clone(), v)
                    })
                    .collect();
                if let Some(module_value) = self.scope.modules.get_mut(m) {
                    set_output(module_value, &values, o);
                }
            }
            Node::ModAll(_) => {}
            Node::Output(n) => {
                let o = &cfg.outputs[n];
                let v = match &o.value {
                    Some(e) => {
                        let ctx = Ctx::new(&self.scope, e.file);
                        match eval(&e.expr, &ctx) {
                            Ok(v) => v,
                            Err(err) => {
                                ev.err("eval::output", err);
                                Value::unknown(format!("{}output.{n}", path.prefix()))
                            }
                        }
                    }
                    None => {
                        ev.diagnostics.push(Diagnostic::error(
                            "hcl::output-value",
                            format!("output {n:?} has no value argument"),
                            Some(o.span),
                        ));
                        Value::Null
                    }
                };
                self.outputs.insert(n.clone(), v);
            }
        }
    }
}

/// Puts output `name` of each instance into the module's value (one object, a list for count, a
/// map for for_each).
fn set_output(module_value: &mut Value, values: &[(InstanceKey, Value)], name: &str) {
    match module_value {
        Value::Map(m) if values.len() == 1 && values[0].0 == InstanceKey::None => {
            m.insert(name.to_string(), values[0].1.clone());
        }
        Value::List(items) => {
            for (item, (_, v)) in items.iter_mut().zip(values) {
                if let Value::Map(m) = item {
                    m.insert(name.to_string(), v.clone());
                }
            }
        }
        Value::Map(by_key) => {
            for (k, v) in values {
                if let InstanceKey::Str(k) = k {
                    if let Some(Value::Map(m)) = by_key.get_mut(k) {
                        m.insert(name.to_string(), v.clone());
                    }
                }
            }
        }
        _ => {}
    }
}

fn describe_span(loader: &Loader, span: Span) -> String {
    let lc = loader.sources.start(span);
    format!("{}:{}:{}", loader.sources.path(span.file).display(), lc.line, lc.column)
}

/// `aws` or `aws.<alias>`: the provider configuration a resource uses in its module.
/// The value by which other declarations see a resource or module: one object, a list (count) or
/// a map (for_each) of them.
fn collect_instances(values: Vec<(InstanceKey, Value)>, counted: bool, for_each: bool, address: &str) -> Value {
    if values.iter().any(|(k, _)| *k == InstanceKey::Unknown) {
        // How many instances there are is not known: so is the collection, which still names them.
        return Value::unknown(address);
    }
    if for_each {
        Value::Map(
            values
                .into_iter()
                .map(|(k, v)| match k {
                    InstanceKey::Str(s) => (s, v),
                    other => (other.to_string(), v),
                })
                .collect(),
        )
    } else if counted {
        Value::List(values.into_iter().map(|(_, v)| v).collect())
    } else {
        values.into_iter().next().map(|(_, v)| v).unwrap_or(Value::Null)
    }
}
