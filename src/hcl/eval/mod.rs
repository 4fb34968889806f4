//! Evaluation of HCL expressions and of the module tree. Expressions are evaluated against a
//! [`Scope`] that the module evaluator fills in topological order of the reference graph.

pub mod data;
pub mod expr;
pub mod functions;
pub mod graph;
pub mod module;
pub mod types;

use crate::model::Map;
use crate::model::Value;
use crate::source::{FileId, Span};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// An error while evaluating an expression, located at the sub-expression that caused it.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    pub message: String,
    pub span: Option<Span>,
    /// An error whatever the values (an undeclared reference, an unknown function): `terraform
    /// validate` rejects it. Other errors depend on values and Terraform meets them only at plan.
    pub invalid: bool,
    /// The diagnostic code when the error is of its own kind (`eval::nesting`); else the caller's.
    pub code: Option<&'static str>,
}

impl EvalError {
    /// An error that depends on the values at hand.
    pub fn new(message: impl Into<String>, span: Option<Span>) -> Self {
        EvalError {
            message: message.into(),
            span,
            invalid: false,
            code: None,
        }
    }

    /// An error whatever the values: the configuration is invalid.
    pub fn invalid(message: impl Into<String>, span: Option<Span>) -> Self {
        EvalError {
            invalid: true,
            ..EvalError::new(message, span)
        }
    }
}

pub type EvalResult = Result<Value, EvalError>;

/// Where filesystem functions may read: the module's directory for relative paths, and never
/// outside the scanned tree.
#[derive(Debug, Clone, Default)]
pub struct FsAccess {
    pub module_dir: PathBuf,
    pub allowed_root: PathBuf,
}

/// The named values of one module instance, filled in as the graph is evaluated.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub vars: Map,
    pub locals: Map,
    /// Managed resources: type -> name -> value (an object, a list for count, a map for for_each).
    pub resources: BTreeMap<String, Map>,
    /// Data sources: type -> name -> value.
    pub data: BTreeMap<String, Map>,
    /// Ephemeral resources: `type.name` -> their (unknown) value.
    pub ephemeral: Map,
    pub modules: Map,
    pub path_module: String,
    pub path_root: String,
    pub path_cwd: String,
    pub workspace: String,
    pub fs: FsAccess,
}

/// What an expression is evaluated with: the module's scope plus the iteration variables in force.
#[derive(Debug, Clone)]
pub struct Ctx<'a> {
    pub scope: &'a Scope,
    pub file: FileId,
    /// Iterator bindings of `for` expressions, `dynamic` blocks and template `for` directives;
    /// later bindings shadow earlier ones.
    pub bindings: Vec<(String, Value)>,
    pub count_index: Option<Value>,
    pub each: Option<(Value, Value)>,
    /// `self` inside the resource it belongs to.
    pub self_value: Option<Value>,
}

impl<'a> Ctx<'a> {
    pub fn new(scope: &'a Scope, file: FileId) -> Self {
        Ctx {
            scope,
            file,
            bindings: Vec::new(),
            count_index: None,
            each: None,
            self_value: None,
        }
    }

    pub fn with_binding(&self, name: &str, value: Value) -> Ctx<'a> {
        let mut c = self.clone();
        c.bindings.push((name.to_string(), value));
        c
    }
}

/// Evaluates one expression with no variables in scope, as `terraform console` does in an empty
/// configuration. Filesystem functions read relative to `fs.module_dir`.
pub fn eval_expression(text: &str, fs: FsAccess) -> Result<Value, String> {
    let expr = hcl_edit::parser::parse_expr(text).map_err(|e| e.to_string())?;
    let scope = Scope {
        fs,
        path_module: ".".into(),
        path_root: ".".into(),
        workspace: "default".into(),
        ..Scope::default()
    };
    let ctx = Ctx::new(&scope, FileId(u32::MAX));
    expr::eval(&expr, &ctx).map_err(|e| e.message)
}
