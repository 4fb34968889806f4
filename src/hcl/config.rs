//! A module's declarations, gathered from its parsed files: variables, locals, resources, data
//! sources, module calls, outputs, providers and the backend. Nothing is evaluated here.

use crate::diag::Diagnostic;
use crate::hcl::eval::graph::{Deps, ModuleGraph};
use crate::hcl::parse::ParsedFile;
use crate::source::{FileId, Span};
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, BlockLabel, Body, Structure};
use hcl_edit::Span as _;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// An expression and the file it is written in.
#[derive(Debug, Clone)]
pub struct Expr {
    pub file: FileId,
    pub expr: Expression,
}

impl Expr {
    pub fn span(&self) -> Span {
        Span::new(self.file, self.expr.span().unwrap_or(0..0))
    }
}

/// A block body and the file it is written in.
#[derive(Debug, Clone)]
pub struct BodyIn {
    pub file: FileId,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub struct VariableDecl {
    pub name: String,
    pub type_expr: Option<Expr>,
    pub default: Option<Expr>,
    pub nullable: Option<Expr>,
    pub sensitive: bool,
    pub validations: Vec<Validation>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Validation {
    pub condition: Expr,
    pub error_message: Option<Expr>,
}

#[derive(Debug, Clone)]
pub struct Local {
    pub name: String,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct OutputDecl {
    pub name: String,
    pub value: Option<Expr>,
    pub sensitive: bool,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ResourceMode {
    Managed,
    Data,
}

#[derive(Debug, Clone)]
pub struct ResourceDecl {
    pub mode: ResourceMode,
    pub resource_type: String,
    pub name: String,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    /// `provider = aws.west` as written (local name and alias).
    pub provider: Option<(String, Option<String>)>,
    pub body: BodyIn,
    pub span: Span,
    /// The whole block, for comments inside it.
    pub extent: Span,
}

impl ResourceDecl {
    /// `aws_vpc.main` or `data.aws_region.current`.
    /// The provider configuration the resource uses: `aws`, `aws.<alias>`, or the provider its
    /// type names.
    pub fn provider_key(&self) -> String {
        match &self.provider {
            Some((local, Some(alias))) => format!("{local}.{alias}"),
            Some((local, None)) => local.clone(),
            None => self
                .resource_type
                .split('_')
                .next()
                .unwrap_or(&self.resource_type)
                .to_string(),
        }
    }

    pub fn key(&self) -> String {
        match self.mode {
            ResourceMode::Managed => format!("{}.{}", self.resource_type, self.name),
            ResourceMode::Data => format!("data.{}.{}", self.resource_type, self.name),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ModuleCall {
    pub name: String,
    pub source: String,
    pub source_span: Span,
    pub version: Option<String>,
    /// Where `version` is written.
    pub version_span: Option<Span>,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    /// `providers = { aws = aws.west, "aws.east" = aws.east }`: child name -> parent name.
    pub providers: Vec<(String, String)>,
    /// Input arguments, by name.
    pub args: BTreeMap<String, Expr>,
    pub depends_on: Option<Expr>,
    pub span: Span,
    /// The whole block, for comments inside it.
    pub extent: Span,
}

impl ModuleCall {
    /// A source infracheck reads from disk: `./x` or `../x`.
    pub fn is_local(&self) -> bool {
        self.source.starts_with("./") || self.source.starts_with("../") || self.source == "." || self.source == ".."
    }
}

#[derive(Debug, Clone)]
pub struct ProviderDecl {
    /// `aws` or `aws.<alias>`.
    pub name: String,
    pub body: BodyIn,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct BackendDecl {
    pub kind: String,
    pub body: BodyIn,
    pub span: Span,
}

/// One entry of a `required_providers` block: `aws = { source = "hashicorp/aws", version = "~> 5.0" }`
/// (or the old form, `aws = "~> 5.0"`).
#[derive(Debug, Clone)]
pub struct RequiredProvider {
    /// The local name (`aws`).
    pub name: String,
    /// The version constraint when it is written as a literal string; `Some("")` never occurs.
    pub version: Option<String>,
    /// Whether a `version` is written at all (a literal or an expression).
    pub has_version: bool,
    pub span: Span,
}

/// Everything a module directory declares.
#[derive(Debug, Default)]
pub struct ModuleConfig {
    pub dir: PathBuf,
    pub files: Vec<FileId>,
    pub variables: BTreeMap<String, VariableDecl>,
    pub locals: BTreeMap<String, Local>,
    pub outputs: BTreeMap<String, OutputDecl>,
    pub resources: BTreeMap<String, ResourceDecl>,
    pub module_calls: BTreeMap<String, ModuleCall>,
    pub providers: Vec<ProviderDecl>,
    pub backend: Option<BackendDecl>,
    /// The heads of its `terraform {}` blocks, in file order.
    pub terraform_blocks: Vec<Span>,
    /// The entries of its `required_providers` blocks, in file order.
    pub required_providers: Vec<RequiredProvider>,
    /// Ephemeral resources (`ephemeral "random_password" "x"`, Terraform >= 1.10): `type.name`.
    /// They are never in a plan or the state; their values are unknown here.
    pub ephemerals: BTreeMap<String, Span>,
    pub diagnostics: Vec<Diagnostic>,
    /// What each declaration refers to, computed once however many roots and instances use the
    /// module (see [`crate::hcl::eval::graph::declaration_refs`]).
    pub refs: OnceLock<Arc<Deps>>,
    /// Its evaluation graph, when that does not depend on where the module is called from (no
    /// modules.json, no recursive call cut), shared by every root that calls it.
    pub graph: OnceLock<Arc<ModuleGraph>>,
}

fn label(l: &BlockLabel) -> &str {
    match l {
        BlockLabel::Ident(i) => i.as_str(),
        BlockLabel::String(s) => s.as_str(),
    }
}

pub fn block_span(file: FileId, block: &Block) -> Span {
    Span::new(file, block.span().unwrap_or(0..0))
}

/// The span of a block's first line (`resource "aws_vpc" "main" {`): where findings about the
/// block as a whole point.
pub fn block_head_span(file: FileId, block: &Block) -> Span {
    let start = block.ident.span().or_else(|| block.span()).unwrap_or(0..0).start;
    let end = block
        .labels
        .last()
        .and_then(|l| match l {
            BlockLabel::Ident(i) => i.span(),
            BlockLabel::String(s) => s.span(),
        })
        .map(|r| r.end)
        .or_else(|| block.ident.span().map(|r| r.end))
        .unwrap_or(start);
    Span::new(file, start..end)
}

fn attr_expr(body: &Body, file: FileId, name: &str) -> Option<Expr> {
    body.get_attribute(name).map(|a| Expr {
        file,
        expr: a.value.clone(),
    })
}

fn literal_bool(body: &Body, name: &str) -> bool {
    matches!(body.get_attribute(name).map(|a| &a.value), Some(Expression::Bool(b)) if *b.value())
}

/// A static string (a plain literal or a template without interpolation).
pub fn static_string(expr: &Expression) -> Option<String> {
    match expr {
        Expression::String(s) => Some(s.value().to_string()),
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            for el in t.iter() {
                out.push_str(el.as_literal()?.as_str());
            }
            Some(out)
        }
        _ => None,
    }
}

/// A static reference such as `aws.west` as (root, attribute names).
pub fn static_traversal(expr: &Expression) -> Option<Vec<String>> {
    use hcl_edit::expr::TraversalOperator;
    match expr {
        Expression::Variable(v) => Some(vec![v.as_str().to_string()]),
        Expression::Traversal(t) => {
            let mut parts = static_traversal(&t.expr)?;
            for op in &t.operators {
                match op.value() {
                    TraversalOperator::GetAttr(i) => parts.push(i.as_str().to_string()),
                    _ => return None,
                }
            }
            Some(parts)
        }
        Expression::String(s) => Some(s.value().split('.').map(str::to_string).collect()),
        _ => None,
    }
}

impl ModuleConfig {
    /// Gathers the declarations of `files`, which all belong to the module in `dir`.
    pub fn build(dir: PathBuf, files: &[Arc<ParsedFile>]) -> ModuleConfig {
        let mut cfg = ModuleConfig {
            dir,
            files: files.iter().map(|f| f.file).collect(),
            ..Default::default()
        };
        // Terraform reads override files last; they merge into the base declarations.
        for f in files {
            for structure in f.body.iter() {
                match structure {
                    Structure::Block(block) => cfg.add_block(f.file, block),
                    Structure::Attribute(attr) => cfg.diagnostics.push(
                        Diagnostic::error(
                            "hcl::unexpected-attribute",
                            format!("an argument named {:?} is not expected here", attr.key.as_str()),
                            Some(Span::new(f.file, attr.span().unwrap_or(0..0))),
                        )
                        .with_help("top-level blocks are resource, data, module, variable, locals, output, provider and terraform"),
                    ),
                }
            }
            cfg.note_provider_functions(f.file, &f.body);
        }
        cfg
    }

    /// Provider-defined functions (`provider::aws::arn_parse(…)`, Terraform >= 1.8) are computed
    /// by their provider: their values are unknown here, and each call says so once.
    fn note_provider_functions(&mut self, file: FileId, body: &Body) {
        struct Calls(Vec<(String, Option<std::ops::Range<usize>>)>);
        impl hcl_edit::visit::Visit for Calls {
            fn visit_func_call(&mut self, node: &hcl_edit::expr::FuncCall) {
                if node.name.is_namespaced() {
                    let ns: Vec<&str> = node.name.namespace.iter().map(|n| n.as_str()).collect();
                    let span = hcl_edit::Span::span(&node.name.name);
                    self.0
                        .push((format!("{}::{}", ns.join("::"), node.name.name.as_str()), span));
                }
                hcl_edit::visit::visit_func_call(self, node);
            }
        }
        let mut calls = Calls(Vec::new());
        hcl_edit::visit::Visit::visit_body(&mut calls, body);
        for (name, span) in calls.0 {
            self.diagnostics.push(
                Diagnostic::warning(
                    "eval::provider-function",
                    format!(
                        "{name} is a provider-defined function, computed by its provider: its value is unknown here"
                    ),
                    Some(Span::new(file, span.unwrap_or(0..0))),
                )
                .with_label("provider-defined function"),
            );
        }
    }

    fn duplicate(&mut self, what: &str, name: &str, span: Span) {
        self.diagnostics.push(
            Diagnostic::error(
                "hcl::duplicate",
                format!("duplicate {what} {name:?}: it is already declared in this module"),
                Some(span),
            )
            .with_label("declared again here"),
        );
    }

    fn add_block(&mut self, file: FileId, block: &Block) {
        let kind = block.ident.as_str();
        let labels: Vec<&str> = block.labels.iter().map(label).collect();
        let head = block_head_span(file, block);
        let want = |n: usize, this: &mut ModuleConfig| -> bool {
            if labels.len() != n {
                this.diagnostics.push(Diagnostic::error(
                    "hcl::labels",
                    format!("a {kind} block takes {n} label(s), this one has {}", labels.len()),
                    Some(head),
                ));
                return false;
            }
            true
        };
        let body = &block.body;
        match kind {
            "variable" => {
                if !want(1, self) {
                    return;
                }
                let name = labels[0].to_string();
                let validations = body
                    .get_blocks("validation")
                    .filter_map(|v| {
                        Some(Validation {
                            condition: attr_expr(&v.body, file, "condition")?,
                            error_message: attr_expr(&v.body, file, "error_message"),
                        })
                    })
                    .collect();
                let decl = VariableDecl {
                    name: name.clone(),
                    type_expr: attr_expr(body, file, "type"),
                    default: attr_expr(body, file, "default"),
                    nullable: attr_expr(body, file, "nullable"),
                    sensitive: literal_bool(body, "sensitive"),
                    validations,
                    span: head,
                };
                match self.variables.entry(name) {
                    std::collections::btree_map::Entry::Occupied(e) => {
                        let name = e.key().clone();
                        self.duplicate("variable", &name, head);
                    }
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert(decl);
                    }
                }
            }
            "locals" => {
                for attr in body.attributes() {
                    let name = attr.key.as_str().to_string();
                    let span = Span::new(file, attr.span().unwrap_or(0..0));
                    if self.locals.contains_key(&name) {
                        self.duplicate("local value", &name, span);
                        continue;
                    }
                    self.locals.insert(
                        name.clone(),
                        Local {
                            name,
                            value: Expr {
                                file,
                                expr: attr.value.clone(),
                            },
                            span,
                        },
                    );
                }
            }
            "output" => {
                if !want(1, self) {
                    return;
                }
                let name = labels[0].to_string();
                let decl = OutputDecl {
                    name: name.clone(),
                    value: attr_expr(body, file, "value"),
                    sensitive: literal_bool(body, "sensitive"),
                    span: head,
                };
                match self.outputs.entry(name) {
                    std::collections::btree_map::Entry::Occupied(e) => {
                        let name = e.key().clone();
                        self.duplicate("output", &name, head);
                    }
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert(decl);
                    }
                }
            }
            "ephemeral" => {
                if !want(2, self) {
                    return;
                }
                let key = format!("{}.{}", labels[0], labels[1]);
                match self.ephemerals.entry(key) {
                    std::collections::btree_map::Entry::Occupied(e) => {
                        let key = e.key().clone();
                        self.duplicate("ephemeral resource", &key, head);
                    }
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert(head);
                    }
                }
            }
            "resource" | "data" => {
                if !want(2, self) {
                    return;
                }
                let provider = body
                    .get_attribute("provider")
                    .and_then(|a| static_traversal(&a.value))
                    .map(|mut parts| {
                        let local = parts.remove(0);
                        (local, parts.into_iter().next())
                    });
                let decl = ResourceDecl {
                    mode: if kind == "data" {
                        ResourceMode::Data
                    } else {
                        ResourceMode::Managed
                    },
                    resource_type: labels[0].to_string(),
                    name: labels[1].to_string(),
                    count: attr_expr(body, file, "count"),
                    for_each: attr_expr(body, file, "for_each"),
                    provider,
                    body: BodyIn {
                        file,
                        body: body.clone(),
                    },
                    span: head,
                    extent: block_span(file, block),
                };
                if decl.count.is_some() && decl.for_each.is_some() {
                    self.diagnostics.push(Diagnostic::error(
                        "hcl::count-and-for-each",
                        "a block may have count or for_each, not both",
                        Some(head),
                    ));
                }
                let key = decl.key();
                match self.resources.entry(key) {
                    std::collections::btree_map::Entry::Occupied(e) => {
                        let key = e.key().clone();
                        self.duplicate(if kind == "data" { "data source" } else { "resource" }, &key, head);
                    }
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert(decl);
                    }
                }
            }
            "module" => {
                if !want(1, self) {
                    return;
                }
                let name = labels[0].to_string();
                let Some(source_attr) = body.get_attribute("source") else {
                    self.diagnostics.push(Diagnostic::error(
                        "hcl::module-source",
                        format!("module {name:?} has no source argument"),
                        Some(head),
                    ));
                    return;
                };
                let source_span = Span::new(file, source_attr.value.span().unwrap_or(0..0));
                let Some(source) = static_string(&source_attr.value) else {
                    self.diagnostics.push(Diagnostic::error(
                        "hcl::module-source",
                        "a module source must be a literal string: Terraform does not evaluate it",
                        Some(source_span),
                    ));
                    return;
                };
                let mut providers = Vec::new();
                if let Some(p) = body.get_attribute("providers") {
                    if let Expression::Object(obj) = &p.value {
                        for (k, v) in obj.iter() {
                            let child = match k {
                                hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
                                hcl_edit::expr::ObjectKey::Expression(e) => static_traversal(e).map(|p| p.join(".")).unwrap_or_default(),
                            };
                            if let Some(parent) = static_traversal(v.expr()) {
                                providers.push((child, parent.join(".")));
                            }
                        }
                    }
                }
                const META: [&str; 6] = ["source", "version", "count", "for_each", "providers", "depends_on"];
                let args = body
                    .attributes()
                    .filter(|a| !META.contains(&a.key.as_str()))
                    .map(|a| {
                        (
                            a.key.as_str().to_string(),
                            Expr {
                                file,
                                expr: a.value.clone(),
                            },
                        )
                    })
                    .collect();
                let call = ModuleCall {
                    name: name.clone(),
                    source,
                    source_span,
                    version: body.get_attribute("version").and_then(|a| static_string(&a.value)),
                    version_span: body
                        .get_attribute("version")
                        .map(|a| Span::new(file, a.value.span().unwrap_or(0..0))),
                    count: attr_expr(body, file, "count"),
                    for_each: attr_expr(body, file, "for_each"),
                    providers,
                    args,
                    depends_on: attr_expr(body, file, "depends_on"),
                    span: head,
                    extent: block_span(file, block),
                };
                match self.module_calls.entry(name) {
                    std::collections::btree_map::Entry::Occupied(e) => {
                        let name = e.key().clone();
                        self.duplicate("module call", &name, head);
                    }
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert(call);
                    }
                }
            }
            "provider" => {
                if !want(1, self) {
                    return;
                }
                let alias = body.get_attribute("alias").and_then(|a| static_string(&a.value));
                let name = match alias {
                    Some(a) => format!("{}.{a}", labels[0]),
                    None => labels[0].to_string(),
                };
                if self.providers.iter().any(|p| p.name == name) {
                    self.duplicate("provider configuration", &name, head);
                    return;
                }
                self.providers.push(ProviderDecl {
                    name,
                    body: BodyIn {
                        file,
                        body: body.clone(),
                    },
                    span: head,
                });
            }
            "terraform" => {
                self.terraform_blocks.push(head);
                for inner in body.blocks().filter(|b| b.ident.as_str() == "required_providers") {
                    for a in inner.body.attributes() {
                        let span = Span::new(file, a.span().unwrap_or(0..0));
                        let (version, has_version) = match &a.value {
                            Expression::Object(o) => {
                                let v = o.iter().find(|(k, _)| match k {
                                    hcl_edit::expr::ObjectKey::Ident(i) => i.as_str() == "version",
                                    hcl_edit::expr::ObjectKey::Expression(e) => {
                                        static_string(e).as_deref() == Some("version")
                                    }
                                });
                                match v {
                                    Some((_, val)) => (static_string(val.expr()), true),
                                    None => (None, false),
                                }
                            }
                            other => (static_string(other), true),
                        };
                        self.required_providers.push(RequiredProvider {
                            name: a.key.as_str().to_string(),
                            version,
                            has_version,
                            span,
                        });
                    }
                }
                for inner in body.blocks() {
                    let ik = inner.ident.as_str();
                    if ik == "backend" || ik == "cloud" {
                        let kind = if ik == "cloud" {
                            "cloud".to_string()
                        } else {
                            inner.labels.first().map(label).unwrap_or("").to_string()
                        };
                        self.backend = Some(BackendDecl {
                            kind,
                            body: BodyIn {
                                file,
                                body: inner.body.clone(),
                            },
                            span: block_head_span(file, inner),
                        });
                    }
                }
            }
            // Blocks that change no resource's configuration.
            "moved" | "import" | "removed" | "check" => {}
            other => self.diagnostics.push(
                Diagnostic::warning(
                    "hcl::unknown-block",
                    format!("unsupported block type {other:?} is ignored"),
                    Some(head),
                )
                .with_help("Terraform's top-level blocks are resource, data, ephemeral, module, variable, locals, output, provider, terraform, moved, import, removed and check"),
            ),
        }
    }
}
