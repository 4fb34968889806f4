//! Prepares a copy of a Terraform tree so that `terraform plan` runs offline on it, and derives
//! what the stand-in provider needs from it.
//!
//! It owns: copying the tree (without `.git`, `.terraform`), reading every `.tf`/`.tf.json` file
//! once (hcl-edit, serde_json), finding root modules, the edits that make Terraform see what
//! infracheck sees (every data source read at apply time; remote module calls replaced by local
//! copies or stubs with unknown outputs; `required_version` and `import` blocks dropped), and per
//! root: the provider schemas, provider versions and dummy values for required variables.
//! It must not know how Terraform or infracheck are run, nor how their output is compared.

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block, BlockLabel, Body, Structure};
use hcl_edit::visit::{self, Visit};
use hcl_edit::Span as _;
use serde_json::{json, Map, Value as J};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

/// The resource every data source is made to depend on (written into each module that reads one).
pub const DEFER_ADDRESS: &str = "terraform_data.oracle_defer";
/// The file that declares it.
pub const DEFER_FILE: &str = "zz_oracle_defer.tf";
/// Where copies of cached remote modules and stubs go, inside the prepared tree.
pub const MODULES_DIR: &str = "_oracle_modules";

const DEFER_TF: &str = "# Written by the infracheck oracle harness: a resource with a pending create that every data
# source of this module depends on, so Terraform reads them at apply time and they are unknown at
# plan, as infracheck treats them.
resource \"terraform_data\" \"oracle_defer\" {}
";

/// Arguments of a `resource` block that are Terraform's, not the provider's.
const RESOURCE_META: &[&str] = &["count", "for_each", "provider", "depends_on"];
const RESOURCE_META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection"];
const PROVIDER_META: &[&str] = &["alias", "version"];
const MODULE_META: &[&str] = &["source", "version", "count", "for_each", "providers", "depends_on"];
/// Resource types of Terraform's builtin provider (never installed from a mirror).
const BUILTIN_TYPES: &[&str] = &["terraform_data", "terraform_remote_state"];
/// The versions every provider is offered in, besides those the configuration names.
const DEFAULT_VERSIONS: &[&str] = &["1.99.0", "2.99.0", "3.99.0", "4.99.0", "5.99.0", "6.99.0"];

/// What an attribute's expressions look like, for the few places a schema needs a concrete type.
/// Ordered: merging keeps the largest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shape {
    #[default]
    Unknown,
    Scalar,
    Map,
    List,
}

/// A block's shape as the configuration uses it: attribute names and nested blocks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BlockSchema {
    pub attributes: BTreeMap<String, Shape>,
    pub blocks: BTreeMap<String, BlockSchema>,
}

impl BlockSchema {
    fn add(&mut self, name: &str, shape: Shape) {
        let e = self.attributes.entry(name.to_string()).or_default();
        *e = (*e).max(shape);
    }

    fn merge(&mut self, other: &BlockSchema) {
        for (k, s) in &other.attributes {
            self.add(k, *s);
        }
        for (k, b) in &other.blocks {
            self.blocks.entry(k.clone()).or_default().merge(b);
        }
    }

    /// Adds `names` as attributes here and (when `deep`) in every nested block, except where a
    /// name is a nested block; an attribute that is also a block keeps the block (the more common
    /// form in real code).
    fn finish(&mut self, names: &BTreeSet<String>, deep: bool) {
        for n in names {
            if !self.blocks.contains_key(n) {
                self.add(n, Shape::Unknown);
            }
        }
        let blocks: Vec<String> = self.blocks.keys().cloned().collect();
        self.attributes.retain(|a, _| !blocks.contains(a));
        let none = BTreeSet::new();
        for b in self.blocks.values_mut() {
            b.finish(if deep { names } else { &none }, deep);
        }
    }

    /// Every attribute DynamicPseudoType, or (`typed`) concrete types in nested blocks: Terraform
    /// cannot plan a deferred data source whose nested list blocks hold dynamic attributes (the
    /// block becomes a tuple and objchange.PlannedDataResourceObject panics), so data sources'
    /// nested blocks take a type guessed from how the configuration writes each attribute.
    pub fn to_json(&self, typed: bool) -> J {
        let ty = |name: &str, shape: Shape| -> J {
            if !typed {
                return json!("dynamic");
            }
            match shape {
                Shape::List => json!(["list", "string"]),
                Shape::Map => json!(["map", "string"]),
                Shape::Scalar => json!("string"),
                Shape::Unknown if plural(name) => json!(["list", "string"]),
                Shape::Unknown => json!("string"),
            }
        };
        json!({
            "attributes": self.attributes.iter().map(|(k, s)| (k.clone(), ty(k, *s))).collect::<Map<_, _>>(),
            "write_only": self.attributes.keys().filter(|k| is_write_only(k)).collect::<Vec<_>>(),
            "blocks": self.blocks.iter().map(|(k, b)| (k.clone(), b.to_json(typed))).collect::<Map<_, _>>(),
        })
    }

    /// As a resource or data source: top-level attributes dynamic, nested blocks typed for data.
    fn to_top_json(&self, data: bool) -> J {
        json!({
            "attributes": self.attributes.keys().map(|k| (k.clone(), json!("dynamic"))).collect::<Map<_, _>>(),
            "write_only": self.attributes.keys().filter(|k| is_write_only(k)).collect::<Vec<_>>(),
            "blocks": self.blocks.iter().map(|(k, b)| (k.clone(), b.to_json(data))).collect::<Map<_, _>>(),
        })
    }
}

/// Write-only arguments (Terraform 1.11; `password_wo`): they take ephemeral values, are never in
/// a plan, and the AWS provider names every one `*_wo`. The schema says so, the comparison skips them.
pub fn is_write_only(name: &str) -> bool {
    name.ends_with("_wo")
}

/// `values`, `identifiers`, `actions`: names of list arguments when nothing else says.
fn plural(name: &str) -> bool {
    name.ends_with('s')
        && !["status", "address", "alias", "class", "access", "process"]
            .iter()
            .any(|w| name.ends_with(w))
}

/// The shape of an expression as written (not evaluated).
fn shape_of(e: &Expression) -> Shape {
    const LISTS: &[&str] = &[
        "concat",
        "compact",
        "distinct",
        "flatten",
        "tolist",
        "toset",
        "sort",
        "keys",
        "values",
        "split",
        "slice",
        "reverse",
        "setunion",
        "setsubtract",
        "setintersection",
        "setproduct",
        "matchkeys",
        "range",
        "chunklist",
        "formatlist",
        "coalescelist",
        "list",
        "regexall",
    ];
    const MAPS: &[&str] = &["merge", "tomap", "zipmap", "map", "transpose"];
    const ELEMENTS: &[&str] = &["element", "one", "index", "lookup"];
    const SCALARS: &[&str] = &[
        "format",
        "join",
        "lower",
        "upper",
        "title",
        "replace",
        "jsonencode",
        "yamlencode",
        "tostring",
        "tonumber",
        "tobool",
        "trimspace",
        "trim",
        "trimprefix",
        "trimsuffix",
        "substr",
        "length",
        "base64encode",
        "md5",
        "sha256",
        "sha1",
        "cidrsubnet",
        "cidrhost",
        "regex",
        "templatefile",
        "file",
        "abs",
        "ceil",
        "floor",
        "max",
        "min",
        "sum",
        "timestamp",
        "uuid",
        "can",
        "contains",
        "startswith",
        "endswith",
        "strrev",
        "chomp",
    ];
    match e {
        Expression::Array(_) => Shape::List,
        Expression::ForExpr(f) => {
            if f.key_expr.is_some() {
                Shape::Map
            } else {
                Shape::List
            }
        }
        Expression::Object(_) => Shape::Map,
        Expression::String(_)
        | Expression::StringTemplate(_)
        | Expression::HeredocTemplate(_)
        | Expression::Number(_)
        | Expression::Bool(_)
        | Expression::BinaryOp(_)
        | Expression::UnaryOp(_) => Shape::Scalar,
        Expression::Parenthesis(p) => shape_of(p.inner()),
        Expression::Conditional(c) => shape_of(&c.true_expr).max(shape_of(&c.false_expr)),
        Expression::FuncCall(f) => {
            let n = f.name.name.as_str();
            if LISTS.contains(&n) {
                Shape::List
            } else if MAPS.contains(&n) {
                Shape::Map
            } else if SCALARS.contains(&n) {
                Shape::Scalar
            } else if ELEMENTS.contains(&n) {
                // One element of a collection: its shape is not the collection's.
                Shape::Unknown
            } else {
                // try(), coalesce(): the largest shape among the arguments.
                f.args.iter().map(shape_of).max().unwrap_or_default()
            }
        }
        Expression::Traversal(t)
            if t.operators.iter().any(|o| {
                matches!(
                    o.value(),
                    TraversalOperator::FullSplat(_) | TraversalOperator::AttrSplat(_)
                )
            }) =>
        {
            Shape::List
        }
        _ => Shape::Unknown,
    }
}

/// One provider's schema for one root, as the stand-in provider reads it.
#[derive(Debug, Clone, Default)]
pub struct ProviderSchema {
    pub provider: BlockSchema,
    /// `terraform { provider_meta "aws" { … } }` (terraform-aws-modules' user_agent).
    pub provider_meta: BlockSchema,
    pub resources: BTreeMap<String, BlockSchema>,
    pub data_sources: BTreeMap<String, BlockSchema>,
    pub versions: BTreeSet<String>,
}

impl ProviderSchema {
    pub fn to_json(&self) -> J {
        json!({
            "provider": self.provider.to_json(false),
            "provider_meta": self.provider_meta.to_json(false),
            "resources": self.resources.iter().map(|(k, b)| (k.clone(), b.to_top_json(false))).collect::<Map<_, _>>(),
            "data_sources": self.data_sources.iter().map(|(k, b)| (k.clone(), b.to_top_json(true))).collect::<Map<_, _>>(),
        })
    }
}

#[derive(Debug, Clone)]
struct ModuleCall {
    name: String,
    source: String,
    args: BTreeSet<String>,
    provider_keys: Vec<String>,
    file: PathBuf,
    source_span: Option<Range<usize>>,
    version_span: Option<Range<usize>>,
    /// The directory (relative to the prepared tree) the call reads, once resolved.
    target: Option<PathBuf>,
}

#[derive(Debug, Clone)]
struct Variable {
    name: String,
    type_expr: Option<Expression>,
    required: bool,
}

#[derive(Debug, Clone)]
struct Typed {
    type_name: String,
    provider_local: String,
    schema: BlockSchema,
}

/// What one module directory declares, uses and needs edited.
#[derive(Debug, Default, Clone)]
struct ModuleDir {
    required_providers: BTreeMap<String, (String, Vec<String>)>,
    resources: Vec<Typed>,
    data: Vec<Typed>,
    providers: Vec<(String, BlockSchema)>,
    provider_metas: Vec<(String, BlockSchema)>,
    calls: Vec<ModuleCall>,
    variables: Vec<Variable>,
    /// Every identifier read as `.NAME` anywhere in the module.
    names: BTreeSet<String>,
    /// `module.CALL.OUTPUT` references, by call.
    module_refs: BTreeMap<String, BTreeSet<String>>,
    /// Calls read as a whole (`module.CALL` iterated or passed on).
    whole_module_refs: BTreeSet<String>,
    has_data: bool,
    parse_errors: Vec<String>,
}

type Edit = (Range<usize>, String);

/// A prepared tree: the copy, what each module declares, and its root modules.
pub struct Prepared {
    pub src: PathBuf,
    modules: BTreeMap<PathBuf, ModuleDir>,
    pub roots: Vec<PathBuf>,
    /// Remote module sources that were replaced by a stub with unknown outputs (source -> calls).
    pub stubbed: BTreeMap<String, usize>,
    /// Remote module sources read from the module cache.
    pub cached: BTreeSet<String>,
    /// Remote module calls stubbed because the cached version does not declare their arguments.
    pub cache_mismatches: BTreeMap<String, usize>,
    pub parse_errors: Vec<String>,
}

/// What one root needs to be planned: provider schemas (by full source address) and variables.
pub struct RootInputs {
    pub providers: BTreeMap<String, ProviderSchema>,
    pub variables: Map<String, J>,
    pub filled: Vec<String>,
    pub stubbed_modules: Vec<String>,
    pub parse_errors: Vec<String>,
}

/// Copies `dir` into `work/src` and prepares it. `cache` holds remote modules by registry address
/// (`NS/NAME/PROVIDER/`); calls to other remote sources get stubs.
pub fn prepare(dir: &Path, work: &Path, cache: Option<&Path>, stub_values: &StubValues) -> Result<Prepared, String> {
    let src = work.join("src");
    copy_tree(dir, &src)?;
    // The copy leaves `.git` out; infracheck lets filesystem functions read anywhere in the
    // repository (the nearest `.git` above the root), so the copy is marked as one when the tree is.
    if dir.ancestors().any(|d| d.join(".git").exists()) {
        fs::create_dir_all(src.join(".git")).map_err(|e| e.to_string())?;
    }
    let mut p = Prepared {
        src: src.clone(),
        modules: BTreeMap::new(),
        roots: Vec::new(),
        stubbed: BTreeMap::new(),
        cached: BTreeSet::new(),
        cache_mismatches: BTreeMap::new(),
        parse_errors: Vec::new(),
    };
    let mut edits: BTreeMap<PathBuf, Vec<Edit>> = BTreeMap::new();
    for rel in module_dirs(&src) {
        scan_module(&src, &rel, &mut p, &mut edits);
    }
    // Roots: directories with Terraform files that no other directory calls with a local source.
    let called: BTreeSet<PathBuf> = p
        .modules
        .values()
        .flat_map(|m| m.calls.iter().filter_map(|c| c.target.clone()))
        .collect();
    p.roots = p.modules.keys().filter(|d| !called.contains(*d)).cloned().collect();

    // Remote module calls: a local copy from the cache, or a stub. New directories are scanned in
    // turn (a cached module calls others).
    let mut queue: VecDeque<PathBuf> = p.modules.keys().cloned().collect();
    let mut stub_seq = 0usize;
    while let Some(rel) = queue.pop_front() {
        let calls = p.modules[&rel].calls.clone();
        let mut resolved = Vec::new();
        for (i, call) in calls.iter().enumerate() {
            if call.target.is_some() || is_local_source(&call.source) || call.source_span.is_none() {
                continue;
            }
            let (key, subdir) = registry_key(&call.source);
            let cached_dir = key
                .as_ref()
                .and_then(|k| cache.map(|c| c.join(k)))
                .filter(|d| d.is_dir());
            let mut target = None;
            if let (Some(k), Some(cdir)) = (key.as_ref(), cached_dir) {
                let dest_rel = PathBuf::from(MODULES_DIR).join(k.replace('/', "__"));
                if !src.join(&dest_rel).exists() {
                    copy_tree(&cdir, &src.join(&dest_rel))?;
                    for sub in module_dirs(&src.join(&dest_rel)) {
                        let r = dest_rel.join(sub);
                        scan_module(&src, &r, &mut p, &mut edits);
                        queue.push_back(r);
                    }
                }
                // A subdirectory the cached version lacks (renamed since): stubbed below.
                // A call passing an argument the cached module does not declare was written for
                // another version of it (renamed inputs): stubbed too, rather than failing on it.
                let t = normalize(&dest_rel.join(subdir.unwrap_or_default()));
                if let Some(cm) = p.modules.get(&t) {
                    let declared: BTreeSet<&str> = cm.variables.iter().map(|v| v.name.as_str()).collect();
                    if call.args.iter().all(|a| declared.contains(a.as_str())) {
                        p.cached.insert(k.clone());
                        target = Some(t);
                    } else {
                        *p.cache_mismatches.entry(call.source.clone()).or_default() += 1;
                    }
                }
            }
            let target = match target {
                Some(t) => t,
                None => {
                    stub_seq += 1;
                    let dest_rel = PathBuf::from(MODULES_DIR).join(format!("stub{stub_seq:04}_{}", call.name));
                    write_stub(&src.join(&dest_rel), call, &p.modules[&rel], stub_values)?;
                    scan_module(&src, &dest_rel, &mut p, &mut edits);
                    *p.stubbed.entry(call.source.clone()).or_default() += 1;
                    dest_rel
                }
            };
            let file = rel.join(&call.file);
            let e = edits.entry(file).or_default();
            if let Some(s) = &call.source_span {
                e.push((s.clone(), format!("{:?}", relative(&rel, &target).to_string_lossy())));
            }
            if let Some(v) = &call.version_span {
                e.push((v.clone(), String::new()));
            }
            resolved.push((i, target));
        }
        let m = p.modules.get_mut(&rel).expect("scanned");
        for (i, t) in resolved {
            m.calls[i].target = Some(t);
        }
    }

    for (file, mut es) in edits {
        let path = src.join(&file);
        let mut text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        es.sort_by(|a, b| b.0.start.cmp(&a.0.start).then(b.0.end.cmp(&a.0.end)));
        for (r, s) in es {
            text.replace_range(r, &s);
        }
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    for (rel, m) in &p.modules {
        if m.has_data {
            fs::write(src.join(rel).join(DEFER_FILE), DEFER_TF).map_err(|e| e.to_string())?;
        }
    }
    Ok(p)
}

impl Prepared {
    /// The module directories a root reads (itself first), following local calls.
    fn closure(&self, root: &Path) -> Vec<PathBuf> {
        let mut seen = BTreeSet::new();
        let mut order = Vec::new();
        let mut queue = VecDeque::from([root.to_path_buf()]);
        while let Some(d) = queue.pop_front() {
            if !seen.insert(d.clone()) {
                continue;
            }
            if let Some(m) = self.modules.get(&d) {
                queue.extend(m.calls.iter().filter_map(|c| c.target.clone()));
                order.push(d);
            }
        }
        order
    }

    pub fn root_inputs(&self, root: &Path) -> RootInputs {
        let dirs = self.closure(root);
        let mut names = BTreeSet::new();
        let mut providers: BTreeMap<String, ProviderSchema> = BTreeMap::new();
        let mut stubbed_modules = Vec::new();
        let mut parse_errors = Vec::new();
        for d in &dirs {
            let m = &self.modules[d];
            names.extend(m.names.iter().cloned());
            parse_errors.extend(m.parse_errors.iter().cloned());
            let source_of = |local: &str| -> String {
                m.required_providers
                    .get(local)
                    .map(|(s, _)| full_source(s))
                    .unwrap_or_else(|| full_source(local))
            };
            for (local, (_, versions)) in &m.required_providers {
                if local == "terraform" {
                    continue;
                }
                let p = providers.entry(source_of(local)).or_default();
                for v in versions {
                    p.versions.extend(candidate_versions(v));
                }
            }
            for (local, b) in &m.providers {
                providers.entry(source_of(local)).or_default().provider.merge(b);
            }
            for (local, b) in &m.provider_metas {
                providers.entry(source_of(local)).or_default().provider_meta.merge(b);
            }
            for r in &m.resources {
                let p = providers.entry(source_of(&r.provider_local)).or_default();
                p.resources.entry(r.type_name.clone()).or_default().merge(&r.schema);
            }
            for r in &m.data {
                let p = providers.entry(source_of(&r.provider_local)).or_default();
                p.data_sources.entry(r.type_name.clone()).or_default().merge(&r.schema);
            }
            for c in &m.calls {
                if let Some(t) = &c.target {
                    if t.starts_with(MODULES_DIR) && t.to_string_lossy().contains("/stub") {
                        stubbed_modules.push(format!("module.{} ({})", c.name, c.source));
                    }
                }
            }
        }
        providers.remove("terraform.io/builtin/terraform");
        for p in providers.values_mut() {
            for b in p.resources.values_mut() {
                b.finish(&names, true);
            }
            for b in p.data_sources.values_mut() {
                b.finish(&names, false);
            }
            p.provider.finish(&BTreeSet::new(), false);
            p.provider_meta.finish(&BTreeSet::new(), false);
            p.versions.extend(DEFAULT_VERSIONS.iter().map(|s| s.to_string()));
        }
        let (variables, filled) = self.dummy_variables(root);
        RootInputs {
            providers,
            variables,
            filled,
            stubbed_modules,
            parse_errors,
        }
    }

    /// A value for every root variable with no default that no tfvars file of the root sets.
    fn dummy_variables(&self, root: &Path) -> (Map<String, J>, Vec<String>) {
        let Some(m) = self.modules.get(root) else {
            return (Map::new(), Vec::new());
        };
        let set = tfvars_names(&self.src.join(root));
        let mut vars = Map::new();
        let mut filled = Vec::new();
        for v in m.variables.iter().filter(|v| v.required && !set.contains(&v.name)) {
            vars.insert(v.name.clone(), named_dummy(&v.name, dummy(v.type_expr.as_ref())));
            filled.push(v.name.clone());
        }
        (vars, filled)
    }
}

/// Dummy value for a type constraint: string "oracle", number 1, bool false, empty collections,
/// objects with each non-optional attribute's dummy.
pub fn dummy(t: Option<&Expression>) -> J {
    match t {
        None => json!("oracle"),
        Some(Expression::Parenthesis(p)) => dummy(Some(p.inner())),
        Some(Expression::Variable(v)) => match v.as_str() {
            "number" => json!(1),
            "bool" => json!(false),
            _ => json!("oracle"),
        },
        Some(Expression::FuncCall(f)) => {
            let args: Vec<&Expression> = f.args.iter().collect();
            match f.name.name.as_str() {
                "list" | "set" => json!([]),
                "map" => json!({}),
                "optional" => dummy(args.first().copied()),
                "tuple" => match args.first() {
                    Some(Expression::Array(a)) => J::Array(a.iter().map(|e| dummy(Some(e))).collect()),
                    _ => json!([]),
                },
                "object" => {
                    let mut out = Map::new();
                    if let Some(Expression::Object(o)) = args.first() {
                        for (k, v) in o.iter() {
                            let optional =
                                matches!(v.expr(), Expression::FuncCall(f) if f.name.name.as_str() == "optional");
                            if !optional {
                                out.insert(object_key(k), dummy(Some(v.expr())));
                            }
                        }
                    }
                    J::Object(out)
                }
                _ => json!("oracle"),
            }
        }
        Some(_) => json!("oracle"),
    }
}

/// A string dummy that a few well-known names need to be usable: an AWS region (lookup tables
/// keyed by region), a CIDR block, an account id. Anything else keeps the type's dummy.
fn named_dummy(name: &str, by_type: J) -> J {
    if by_type != json!("oracle") {
        return by_type;
    }
    let n = name.to_ascii_lowercase();
    if n == "region" || n.ends_with("_region") {
        json!("us-east-1")
    } else if n.contains("cidr") {
        json!("10.0.0.0/16")
    } else if n == "account_id" || n.ends_with("_account_id") {
        json!("123456789012")
    } else {
        by_type
    }
}

fn object_key(k: &ObjectKey) -> String {
    match k {
        ObjectKey::Ident(i) => i.as_str().to_string(),
        ObjectKey::Expression(Expression::String(s)) => s.as_str().to_string(),
        ObjectKey::Expression(Expression::Variable(v)) => v.as_str().to_string(),
        ObjectKey::Expression(e) => e.to_string().trim().to_string(),
    }
}

/// `registry.terraform.io/hashicorp/aws` from `aws`, `hashicorp/aws`, or a full address.
pub fn full_source(s: &str) -> String {
    let parts: Vec<&str> = s.split('/').collect();
    let full = match parts.len() {
        1 => format!("registry.terraform.io/hashicorp/{}", parts[0]),
        2 => format!("registry.terraform.io/{}/{}", parts[0], parts[1]),
        _ => s.to_string(),
    };
    full.to_ascii_lowercase()
}

/// Versions to offer for one constraint string: each version it names, its patch line's end and
/// its minor line's end (so `~> 5.46.0`, `>= 5.0, < 6.0` and `= 2.3.1` all resolve).
fn candidate_versions(constraint: &str) -> Vec<String> {
    let re = regex::Regex::new(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?").expect("static");
    let mut out = Vec::new();
    for c in re.captures_iter(constraint) {
        let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u64>().ok()).unwrap_or(0);
        let (a, b, p) = (n(1), n(2), n(3));
        out.push(format!("{a}.{b}.{p}"));
        out.push(format!("{a}.{b}.99"));
        out.push(format!("{a}.99.0"));
    }
    out
}

fn is_local_source(s: &str) -> bool {
    s.starts_with("./") || s.starts_with("../") || s == "." || s == ".."
}

/// The module cache key (`NS/NAME/PROVIDER`) and subdirectory of a remote source: registry
/// addresses, and GitHub repositories named `terraform-PROVIDER-NAME`.
pub fn registry_key(source: &str) -> (Option<String>, Option<PathBuf>) {
    let no_query = source.split('?').next().unwrap_or(source);
    let (main, sub) = match no_query.find("//").filter(|_| !no_query.contains("://")) {
        Some(i) => (&no_query[..i], Some(&no_query[i + 2..])),
        None => {
            // git::https://host/x/y.git//sub: the subdirectory follows the second `//`.
            match no_query.match_indices("//").nth(1) {
                Some((i, _)) => (&no_query[..i], Some(&no_query[i + 2..])),
                None => (no_query, None),
            }
        }
    };
    let sub = sub.map(PathBuf::from);
    let main = main
        .trim_start_matches("git::")
        .trim_start_matches("https://")
        .trim_start_matches("ssh://");
    let main = main.trim_start_matches("git@").replace("github.com:", "github.com/");
    let parts: Vec<&str> = main
        .trim_end_matches(".git")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    if parts.first() == Some(&"github.com") && parts.len() >= 3 {
        let repo = parts[2];
        if let Some(rest) = repo.strip_prefix("terraform-") {
            if let Some((provider, name)) = rest.split_once('-') {
                return (Some(format!("{}/{name}/{provider}", parts[1])), sub);
            }
        }
        return (None, sub);
    }
    if main.contains("::") || main.contains(':') {
        return (None, sub);
    }
    match parts.as_slice() {
        [ns, name, provider] => (Some(format!("{ns}/{name}/{provider}")), sub),
        [host, ns, name, provider] if host.contains('.') => (Some(format!("{ns}/{name}/{provider}")), sub),
        _ => (None, sub),
    }
}

/// Known values for some outputs of stubbed remote modules: source -> output -> value (an object
/// value sets those attributes and leaves every other one the caller reads unknown).
pub type StubValues = BTreeMap<String, Map<String, J>>;

fn write_stub(dir: &Path, call: &ModuleCall, caller: &ModuleDir, stub_values: &StubValues) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut outputs: BTreeSet<String> = caller.module_refs.get(&call.name).cloned().unwrap_or_default();
    if caller.whole_module_refs.contains(&call.name) {
        outputs.extend(caller.names.iter().cloned());
    }
    let mut s = format!(
        "# Written by the infracheck oracle harness: stands in for the module {:?}, which cannot be\n\
         # downloaded offline. Every output is unknown, as infracheck treats a module it does not follow.\n",
        call.source
    );
    let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for k in &call.provider_keys {
        let (local, alias) = k
            .split_once('.')
            .map(|(a, b)| (a, Some(b)))
            .unwrap_or((k.as_str(), None));
        let e = aliases.entry(local.to_string()).or_default();
        if let Some(a) = alias {
            e.push(format!("{local}.{a}"));
        }
    }
    if !aliases.is_empty() {
        s.push_str("terraform {\n  required_providers {\n");
        for (local, al) in &aliases {
            let source = caller
                .required_providers
                .get(local)
                .map(|(s, _)| s.clone())
                .unwrap_or_else(|| format!("hashicorp/{local}"));
            s.push_str(&format!("    {local} = {{\n      source = {source:?}\n"));
            if !al.is_empty() {
                s.push_str(&format!("      configuration_aliases = [{}]\n", al.join(", ")));
            }
            s.push_str("    }\n");
        }
        s.push_str("  }\n}\n");
    }
    for a in &call.args {
        s.push_str(&format!("variable {a:?} {{\n  default = null\n}}\n"));
    }
    // Read at apply time like every data source (the harness adds its depends_on), so its
    // `outputs` is an unknown of any type: each output can be indexed and traversed.
    s.push_str("data \"terraform_remote_state\" \"oracle_stub\" {\n  backend = \"local\"\n}\n");
    let overrides = stub_values.get(&call.source);
    for o in &outputs {
        let value = match overrides.and_then(|ov| ov.get(o)) {
            // Known where the override says, unknown for every other attribute the caller reads.
            Some(J::Object(known)) => {
                let names: Vec<String> = caller.names.iter().map(|n| format!("{n:?}")).collect();
                format!(
                    "merge({{ for n in [{}] : n => data.terraform_remote_state.oracle_stub.outputs }}, jsondecode({}))",
                    names.join(", "),
                    hcl_string(&J::Object(known.clone()).to_string())
                )
            }
            Some(other) => format!("jsondecode({})", hcl_string(&other.to_string())),
            None => "data.terraform_remote_state.oracle_stub.outputs".to_string(),
        };
        s.push_str(&format!("output {o:?} {{\n  value = {value}\n}}\n"));
    }
    fs::write(dir.join("main.tf"), s).map_err(|e| e.to_string())
}

/// A quoted HCL string holding `s` literally (no template sequences).
fn hcl_string(s: &str) -> String {
    format!("{s:?}").replace("${", "$${").replace("%{", "%%{")
}

/// Names set by the root's own tfvars files (which both tools read).
fn tfvars_names(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Ok(rd) = fs::read_dir(dir) else { return out };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Ok(text) = fs::read_to_string(e.path()) else {
            continue;
        };
        if name == "terraform.tfvars" || name.ends_with(".auto.tfvars") {
            if let Ok(body) = hcl_edit::parser::parse_body(&text) {
                out.extend(body.attributes().map(|a| a.key.as_str().to_string()));
            }
        } else if name == "terraform.tfvars.json" || name.ends_with(".auto.tfvars.json") {
            if let Ok(J::Object(o)) = serde_json::from_str::<J>(&text) {
                out.extend(o.keys().cloned());
            }
        }
    }
    out
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    let walker = walkdir::WalkDir::new(from)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| {
            let n = e.file_name().to_string_lossy();
            !(e.depth() > 0 && e.file_type().is_dir() && (n == ".git" || n == ".terraform"))
        });
    for e in walker.flatten() {
        let rel = e.path().strip_prefix(from).map_err(|e| e.to_string())?;
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            fs::create_dir_all(&dest).map_err(|e| format!("{}: {e}", dest.display()))?;
        } else if e.file_type().is_file() {
            let n = e.file_name().to_string_lossy();
            if n == ".terraform.lock.hcl" || n.ends_with(".tfstate") {
                continue;
            }
            fs::copy(e.path(), &dest).map_err(|er| format!("{}: {er}", e.path().display()))?;
        }
    }
    Ok(())
}

/// Directories (relative) below `src` holding `.tf` or `.tf.json` files, hidden ones excluded.
fn module_dirs(src: &Path) -> Vec<PathBuf> {
    let mut out = BTreeSet::new();
    let walker = walkdir::WalkDir::new(src)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for e in walker.flatten() {
        let n = e.file_name().to_string_lossy();
        if e.file_type().is_file() && (n.ends_with(".tf") || n.ends_with(".tf.json")) {
            if let Some(parent) = e.path().parent() {
                if let Ok(rel) = parent.strip_prefix(src) {
                    out.insert(rel.to_path_buf());
                }
            }
        }
    }
    out.into_iter().collect()
}

/// `a/b/../c` -> `a/c`, lexically.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if out.last().is_some_and(|l| l != "..") {
                    out.pop();
                } else {
                    out.push("..".into());
                }
            }
            Component::Normal(s) => out.push(s.to_string_lossy().to_string()),
            _ => {}
        }
    }
    out.iter().collect()
}

/// The local module source that leads from `from` to `to` (both relative to the tree).
pub fn relative(from: &Path, to: &Path) -> PathBuf {
    let f: Vec<_> = from.components().collect();
    let t: Vec<_> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else if out.starts_with("..") {
        out
    } else {
        PathBuf::from(".").join(out)
    }
}

fn scan_module(src: &Path, rel: &Path, p: &mut Prepared, edits: &mut BTreeMap<PathBuf, Vec<Edit>>) {
    // A cached module is not the version its caller pinned, so its provider constraints are not
    // the caller's either: they are dropped (`>= 0`) rather than left to conflict.
    let relax_versions = rel.starts_with(MODULES_DIR);
    let dir = src.join(rel);
    let mut m = ModuleDir::default();
    let Ok(rd) = fs::read_dir(&dir) else { return };
    let mut files: Vec<PathBuf> = rd.flatten().map(|e| e.path()).filter(|f| f.is_file()).collect();
    files.sort();
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let file_rel = PathBuf::from(&name);
        let Ok(text) = fs::read_to_string(&f) else { continue };
        if name.ends_with(".tf") {
            match hcl_edit::parser::parse_body(&text) {
                Ok(body) => {
                    let es = scan_hcl(&body, &text, &file_rel, rel, relax_versions, &mut m);
                    if !es.is_empty() {
                        edits.entry(rel.join(&file_rel)).or_default().extend(es);
                    }
                }
                Err(e) => m.parse_errors.push(format!("{}: {e}", rel.join(&name).display())),
            }
        } else if name.ends_with(".tf.json") {
            match serde_json::from_str::<J>(&text) {
                Ok(doc) => {
                    if let Some(new) = scan_json(doc, &file_rel, rel, &mut m) {
                        let _ = fs::write(&f, serde_json::to_string_pretty(&new).unwrap_or_default());
                    }
                }
                Err(e) => m.parse_errors.push(format!("{}: {e}", rel.join(&name).display())),
            }
        }
    }
    p.parse_errors.extend(m.parse_errors.iter().cloned());
    p.modules.insert(rel.to_path_buf(), m);
}

fn label(b: &Block, i: usize) -> Option<String> {
    b.labels.get(i).map(|l| match l {
        BlockLabel::Ident(i) => i.as_str().to_string(),
        BlockLabel::String(s) => s.as_str().to_string(),
    })
}

fn string_value(e: &Expression) -> Option<String> {
    match e {
        Expression::String(s) => Some(s.as_str().to_string()),
        Expression::StringTemplate(t) => Some(t.to_string().trim().trim_matches('"').to_string()),
        _ => None,
    }
}

/// Reads one parsed `.tf` file into `m`; returns the text edits it needs.
fn scan_hcl(body: &Body, text: &str, file: &Path, rel: &Path, relax_versions: bool, m: &mut ModuleDir) -> Vec<Edit> {
    let mut edits = Vec::new();
    let mut v = Names::default();
    visit::visit_body(&mut v, body);
    m.names.extend(v.names);
    for (k, outs) in v.module_refs {
        m.module_refs.entry(k).or_default().extend(outs);
    }
    m.whole_module_refs.extend(v.whole);

    for block in body.blocks() {
        match block.ident.as_str() {
            "resource" | "data" => {
                let (Some(ty), Some(_name)) = (label(block, 0), label(block, 1)) else {
                    continue;
                };
                let is_data = block.ident.as_str() == "data";
                if is_data {
                    m.has_data = true;
                    edits.extend(defer_edits(block, text));
                }
                if BUILTIN_TYPES.contains(&ty.as_str()) {
                    continue;
                }
                let provider_local = block
                    .body
                    .get_attribute("provider")
                    .map(|a| {
                        a.value
                            .to_string()
                            .trim()
                            .split('.')
                            .next()
                            .unwrap_or_default()
                            .to_string()
                    })
                    .unwrap_or_else(|| ty.split('_').next().unwrap_or_default().to_string());
                let mut schema = BlockSchema::default();
                collect_block(&block.body, RESOURCE_META, RESOURCE_META_BLOCKS, &mut schema);
                // `lifecycle { ignore_changes = [x, y.z] }` names attributes of the resource itself.
                for lc in block.body.get_blocks("lifecycle") {
                    if let Some(a) = lc.body.get_attribute("ignore_changes") {
                        if let Expression::Array(arr) = &a.value {
                            for e in arr.iter() {
                                if let Some(root) = traversal_root(e) {
                                    schema.add(&root, Shape::Unknown);
                                }
                            }
                        }
                    }
                }
                let t = Typed {
                    type_name: ty,
                    provider_local,
                    schema,
                };
                if is_data {
                    m.data.push(t);
                } else {
                    m.resources.push(t);
                }
            }
            "provider" => {
                let Some(name) = label(block, 0) else { continue };
                let mut schema = BlockSchema::default();
                collect_block(&block.body, PROVIDER_META, &[], &mut schema);
                m.providers.push((name, schema));
            }
            "module" => {
                let Some(name) = label(block, 0) else { continue };
                let source_attr = block.body.get_attribute("source");
                let source = source_attr.and_then(|a| string_value(&a.value)).unwrap_or_default();
                let args = block
                    .body
                    .attributes()
                    .map(|a| a.key.as_str().to_string())
                    .filter(|k| !MODULE_META.contains(&k.as_str()))
                    .collect();
                let provider_keys = match block.body.get_attribute("providers").map(|a| &a.value) {
                    Some(Expression::Object(o)) => o.iter().map(|(k, _)| object_key(k)).collect(),
                    _ => Vec::new(),
                };
                let target = if is_local_source(&source) {
                    Some(normalize(&rel.join(&source))).filter(|t| !t.starts_with(".."))
                } else {
                    None
                };
                m.calls.push(ModuleCall {
                    name,
                    source,
                    args,
                    provider_keys,
                    file: file.to_path_buf(),
                    source_span: source_attr.and_then(|a| a.value.span()),
                    version_span: block.body.get_attribute("version").and_then(|a| a.span()),
                    target,
                });
            }
            "variable" => {
                let Some(name) = label(block, 0) else { continue };
                m.variables.push(Variable {
                    name,
                    type_expr: block.body.get_attribute("type").map(|a| a.value.clone()),
                    required: !block.body.has_attribute("default"),
                });
            }
            "terraform" => {
                if let Some(span) = block.body.get_attribute("required_version").and_then(|a| a.span()) {
                    edits.push((span, String::new()));
                }
                // No backend: `init -backend=false` leaves a declared one uninitialised, and plan
                // then refuses to run; state is never read anyway.
                for b in block
                    .body
                    .blocks()
                    .filter(|b| matches!(b.ident.as_str(), "backend" | "cloud"))
                {
                    if let Some(span) = b.span() {
                        edits.push((span, String::new()));
                    }
                }
                for pm in block.body.get_blocks("provider_meta") {
                    if let Some(name) = label(pm, 0) {
                        let mut schema = BlockSchema::default();
                        collect_block(&pm.body, &[], &[], &mut schema);
                        m.provider_metas.push((name, schema));
                    }
                }
                for rp in block.body.get_blocks("required_providers") {
                    for a in rp.body.attributes() {
                        let local = a.key.as_str().to_string();
                        let (source, versions) = match &a.value {
                            Expression::Object(o) => {
                                let mut source = local.clone();
                                let mut versions = Vec::new();
                                for (k, v) in o.iter() {
                                    match object_key(k).as_str() {
                                        "source" => source = string_value(v.expr()).unwrap_or(source),
                                        "version" if relax_versions => {
                                            if let Some(span) = v.expr().span() {
                                                edits.push((span, "\">= 0\"".into()));
                                            }
                                        }
                                        "version" => versions.extend(string_value(v.expr())),
                                        _ => {}
                                    }
                                }
                                (source, versions)
                            }
                            other if relax_versions => {
                                if let Some(span) = other.span() {
                                    edits.push((span, "\">= 0\"".into()));
                                }
                                (local.clone(), Vec::new())
                            }
                            other => (local.clone(), string_value(other).into_iter().collect()),
                        };
                        let e = m
                            .required_providers
                            .entry(local)
                            .or_insert((source.clone(), Vec::new()));
                        e.0 = source;
                        e.1.extend(versions);
                    }
                }
            }
            "import" => {
                if let Some(span) = block.span() {
                    edits.push((span, String::new()));
                }
            }
            _ => {}
        }
    }
    edits
}

/// `depends_on = [terraform_data.oracle_defer]` in a data block, appended to one already there.
fn defer_edits(block: &Block, text: &str) -> Vec<Edit> {
    if let Some(a) = block.body.get_attribute("depends_on") {
        if let (Expression::Array(_), Some(span)) = (&a.value, a.value.span()) {
            return vec![(span.start + 1..span.start + 1, format!("{DEFER_ADDRESS}, "))];
        }
    }
    let Some(span) = block.span() else { return Vec::new() };
    let after_labels = block
        .labels
        .last()
        .and_then(|l| l.span())
        .map(|s| s.end)
        .unwrap_or(span.start);
    let Some(open) = text[after_labels..span.end].find('{').map(|i| i + after_labels) else {
        return Vec::new();
    };
    let close = span.end - 1;
    if text.as_bytes().get(close) != Some(&b'}') {
        return Vec::new();
    }
    vec![
        (open + 1..open + 1, format!("\n  depends_on = [{DEFER_ADDRESS}]\n")),
        (close..close, "\n".to_string()),
    ]
}

/// Attributes and nested blocks of a body (`dynamic "x" { content {…} }` is block x).
fn collect_block(body: &Body, skip_attrs: &[&str], skip_blocks: &[&str], out: &mut BlockSchema) {
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let k = a.key.as_str();
                if !skip_attrs.contains(&k) {
                    out.add(k, shape_of(&a.value));
                }
            }
            Structure::Block(b) => {
                let ident = b.ident.as_str();
                if skip_blocks.contains(&ident) {
                    continue;
                }
                if ident == "dynamic" {
                    let Some(name) = label(b, 0) else { continue };
                    let entry = out.blocks.entry(name).or_default();
                    for c in b.body.get_blocks("content") {
                        collect_block(&c.body, &[], &[], entry);
                    }
                } else {
                    collect_block(&b.body, &[], &[], out.blocks.entry(ident.to_string()).or_default());
                }
            }
        }
    }
}

fn traversal_root(e: &Expression) -> Option<String> {
    match e {
        Expression::Variable(v) => Some(v.as_str().to_string()),
        Expression::Traversal(t) => traversal_root(&t.expr),
        _ => None,
    }
}

/// Every `.NAME` read, and `module.CALL.OUTPUT` references.
#[derive(Default)]
struct Names {
    names: BTreeSet<String>,
    module_refs: BTreeMap<String, BTreeSet<String>>,
    whole: BTreeSet<String>,
    in_depends_on: bool,
}

impl Visit for Names {
    fn visit_attr(&mut self, node: &hcl_edit::structure::Attribute) {
        let was = self.in_depends_on;
        self.in_depends_on = node.key.as_str() == "depends_on";
        visit::visit_attr(self, node);
        self.in_depends_on = was;
    }

    fn visit_traversal(&mut self, node: &hcl_edit::expr::Traversal) {
        if let Expression::Variable(v) = &node.expr {
            if v.as_str() == "module" && !self.in_depends_on {
                let mut ops = node.operators.iter().map(|o| o.value());
                if let Some(TraversalOperator::GetAttr(call)) = ops.next() {
                    let call = call.as_str().to_string();
                    let output = ops.find_map(|o| match o {
                        TraversalOperator::GetAttr(i) => Some(i.as_str().to_string()),
                        _ => None,
                    });
                    match output {
                        Some(o) => {
                            self.module_refs.entry(call).or_default().insert(o);
                        }
                        None => {
                            self.whole.insert(call);
                        }
                    }
                }
            }
        }
        visit::visit_traversal(self, node);
    }

    fn visit_traversal_operator(&mut self, node: &TraversalOperator) {
        if let TraversalOperator::GetAttr(i) = node {
            self.names.insert(i.as_str().to_string());
        }
        visit::visit_traversal_operator(self, node);
    }
}

/// The JSON syntax, read as far as the schema and the edits need: resource and data attributes
/// (objects and arrays of objects inside are nested blocks, except map-like arguments), provider
/// blocks, required_providers, module calls; data blocks get their `depends_on`. Returns the
/// document when it was changed.
fn scan_json(mut doc: J, file: &Path, rel: &Path, m: &mut ModuleDir) -> Option<J> {
    let mut changed = false;
    collect_json_names(&doc, &mut m.names);
    fn schema_of(body: &Map<String, J>, skip: &[&str]) -> BlockSchema {
        let mut s = BlockSchema::default();
        for (k, v) in body {
            if skip.contains(&k.as_str()) || (RESOURCE_META_BLOCKS.contains(&k.as_str()) && !skip.is_empty()) {
                continue;
            }
            let maplike =
                k == "tags" || k.ends_with("_tags") || k == "labels" || k == "variables" || k == "environment";
            match v {
                J::Object(o) if !maplike => s.blocks.entry(k.clone()).or_default().merge(&schema_of(o, &[])),
                J::Array(a) if !maplike && !a.is_empty() && a.iter().all(J::is_object) => {
                    let e = s.blocks.entry(k.clone()).or_default();
                    for x in a {
                        if let J::Object(o) = x {
                            e.merge(&schema_of(o, &[]));
                        }
                    }
                }
                J::Array(_) => s.add(k, Shape::List),
                J::Object(_) => s.add(k, Shape::Map),
                _ => s.add(k, Shape::Scalar),
            }
        }
        s
    }
    fn bodies(v: &mut J) -> Vec<&mut Map<String, J>> {
        match v {
            J::Object(o) => vec![o],
            J::Array(a) => a.iter_mut().filter_map(|x| x.as_object_mut()).collect(),
            _ => Vec::new(),
        }
    }
    for kind in ["resource", "data"] {
        let Some(types) = doc.get_mut(kind).and_then(J::as_object_mut) else {
            continue;
        };
        for (ty, names) in types.iter_mut() {
            let Some(names) = names.as_object_mut() else { continue };
            for (_, b) in names.iter_mut() {
                for body in bodies(b) {
                    if kind == "data" {
                        m.has_data = true;
                        let deps = body.entry("depends_on").or_insert_with(|| json!([]));
                        if let Some(a) = deps.as_array_mut() {
                            a.push(json!(DEFER_ADDRESS));
                            changed = true;
                        }
                    }
                    if BUILTIN_TYPES.contains(&ty.as_str()) {
                        continue;
                    }
                    let provider_local = body
                        .get("provider")
                        .and_then(J::as_str)
                        .map(|s| s.split('.').next().unwrap_or_default().to_string())
                        .unwrap_or_else(|| ty.split('_').next().unwrap_or_default().to_string());
                    let t = Typed {
                        type_name: ty.clone(),
                        provider_local,
                        schema: schema_of(body, RESOURCE_META),
                    };
                    if kind == "data" {
                        m.data.push(t);
                    } else {
                        m.resources.push(t);
                    }
                }
            }
        }
    }
    if let Some(ps) = doc.get_mut("provider").and_then(J::as_object_mut) {
        for (name, b) in ps.iter_mut() {
            for body in bodies(b) {
                m.providers.push((name.clone(), schema_of(body, PROVIDER_META)));
            }
        }
    }
    if let Some(t) = doc.get_mut("terraform") {
        for body in bodies(t) {
            if body.remove("required_version").is_some() {
                changed = true;
            }
            if let Some(J::Object(rp)) = body.get("required_providers") {
                for (local, v) in rp {
                    let (source, version) = match v {
                        J::Object(o) => (
                            o.get("source").and_then(J::as_str).unwrap_or(local).to_string(),
                            o.get("version").and_then(J::as_str).map(str::to_string),
                        ),
                        J::String(s) => (local.clone(), Some(s.clone())),
                        _ => (local.clone(), None),
                    };
                    let e = m
                        .required_providers
                        .entry(local.clone())
                        .or_insert((source.clone(), Vec::new()));
                    e.0 = source;
                    e.1.extend(version);
                }
            }
        }
    }
    if let Some(J::Object(vars)) = doc.get("variable") {
        for (name, b) in vars {
            let required = b.get("default").is_none();
            let type_expr = b
                .get("type")
                .and_then(J::as_str)
                .and_then(|t| hcl_edit::parser::parse_expr(t).ok());
            m.variables.push(Variable {
                name: name.clone(),
                type_expr,
                required,
            });
        }
    }
    if let Some(J::Object(mods)) = doc.get("module") {
        for (name, b) in mods {
            let Some(body) = b.as_object() else { continue };
            let source = body.get("source").and_then(J::as_str).unwrap_or_default().to_string();
            // A remote source in JSON is left as written (only HCL sources are rewritten).
            let target = is_local_source(&source).then(|| normalize(&rel.join(&source)));
            m.calls.push(ModuleCall {
                name: name.clone(),
                source,
                args: body
                    .keys()
                    .filter(|k| !MODULE_META.contains(&k.as_str()))
                    .cloned()
                    .collect(),
                provider_keys: Vec::new(),
                file: file.to_path_buf(),
                source_span: None,
                version_span: None,
                target,
            });
        }
    }
    changed.then_some(doc)
}

fn collect_json_names(v: &J, out: &mut BTreeSet<String>) {
    let re = regex::Regex::new(r"\.([A-Za-z_][A-Za-z0-9_-]*)").expect("static");
    match v {
        J::String(s) if s.contains("${") => {
            for c in re.captures_iter(s) {
                out.insert(c[1].to_string());
            }
        }
        J::Array(a) => a.iter().for_each(|x| collect_json_names(x, out)),
        J::Object(o) => o.values().for_each(|x| collect_json_names(x, out)),
        _ => {}
    }
}
