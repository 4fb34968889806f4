//! Values of a root module's input variables, from every source Terraform reads, in Terraform's
//! precedence (later wins): `TF_VAR_*`, `terraform.tfvars`, `terraform.tfvars.json`,
//! `*.auto.tfvars` and `*.auto.tfvars.json` in lexical order, then `--var-file`, then `--var`.

use super::config::ModuleConfig;
use super::discover::RootSpec;
use super::eval::{expr, Ctx, Scope};
use super::parse::{decode_text, parse_text};
use crate::diag::Diagnostic;
use crate::model::Value;
use crate::source::{SourceMap, Span};
use hcl_edit::Span as _;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A value given for a variable, before type conversion.
#[derive(Debug, Clone)]
pub enum Raw {
    /// From a tfvars file: already a value.
    Value(Value),
    /// From `--var` or `TF_VAR_`: a string that is parsed as HCL when the variable's type is not
    /// primitive, as Terraform does.
    Text(String),
}

#[derive(Debug, Clone)]
pub struct Given {
    pub raw: Raw,
    /// Where the value was written (tfvars entry); none for the command line and environment.
    pub span: Option<Span>,
    pub source: String,
}

fn auto_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for name in ["terraform.tfvars", "terraform.tfvars.json"] {
        let p = dir.join(name);
        if p.is_file() {
            files.push(p);
        }
    }
    let mut autos: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    let n = p
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
                })
                .collect()
        })
        .unwrap_or_default();
    autos.sort();
    files.extend(autos);
    files
}

/// Reads every value given for the root module's variables. Diagnostics for unreadable files,
/// and warnings for values of undeclared variables.
pub fn root_values(
    spec: &RootSpec,
    cfg: &ModuleConfig,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Given> {
    let mut out: BTreeMap<String, Given> = BTreeMap::new();
    let mut env: Vec<(String, String)> = std::env::vars()
        .filter_map(|(k, v)| k.strip_prefix("TF_VAR_").map(|n| (n.to_string(), v)))
        .collect();
    env.sort();
    for (name, v) in env {
        if cfg.variables.contains_key(&name) {
            out.insert(
                name.clone(),
                Given {
                    raw: Raw::Text(v),
                    span: None,
                    source: format!("TF_VAR_{name}"),
                },
            );
        }
    }
    let mut files = auto_files(&spec.dir);
    files.extend(spec.var_files.iter().cloned());
    for file in files {
        for (name, given) in read_var_file(&file, sources, diags) {
            if !cfg.variables.contains_key(&name) {
                diags.push(
                    Diagnostic::warning(
                        "vars::undeclared",
                        format!(
                            "a value is given for variable {name:?}, but the root module declares no such variable"
                        ),
                        given.span,
                    )
                    .with_help("declare it with a variable block, or remove the value"),
                );
                continue;
            }
            out.insert(name, given);
        }
    }
    for (name, v) in &spec.vars {
        if !cfg.variables.contains_key(name) {
            diags.push(Diagnostic::error(
                "vars::undeclared",
                format!(
                    "--var {name}=…: the root module {} declares no variable {name:?}",
                    crate::source::display_path(&spec.dir).display()
                ),
                None,
            ));
            continue;
        }
        out.insert(
            name.clone(),
            Given {
                raw: Raw::Text(v.clone()),
                span: None,
                source: "--var".into(),
            },
        );
    }
    out
}

/// Reads one tfvars file (HCL or JSON).
pub fn read_var_file(path: &Path, sources: &SourceMap, diags: &mut Vec<Diagnostic>) -> Vec<(String, Given)> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(Diagnostic::error(
                "io::read",
                format!(
                    "cannot read variables file {}: {e}",
                    crate::source::display_path(path).display()
                ),
                None,
            ));
            return Vec::new();
        }
    };
    let text = decode_text(&bytes);
    let file = sources.add(path.to_path_buf(), text.as_str());
    let source = crate::source::display_path(path).display().to_string();
    let mut out = Vec::new();
    if path.to_string_lossy().ends_with(".json") {
        match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text.trim_start_matches('\u{feff}')) {
            Ok(obj) => {
                for (k, v) in obj {
                    let at = text.find(&format!("\"{k}\"")).unwrap_or(0);
                    out.push((
                        k.clone(),
                        Given {
                            raw: Raw::Value(Value::from_json(&v)),
                            span: Some(Span::new(file, at..at + k.len() + 2)),
                            source: source.clone(),
                        },
                    ));
                }
            }
            Err(e) => diags.push(Diagnostic::error(
                "vars::json",
                format!("invalid JSON in variables file: {e}"),
                Some(Span::new(
                    file,
                    json_error_offset(&text, e.line(), e.column())..json_error_offset(&text, e.line(), e.column()),
                )),
            )),
        }
        return out;
    }
    let parsed = match parse_text(file, &text) {
        Ok(p) => p,
        Err(d) => {
            diags.push(*d);
            return out;
        }
    };
    let scope = Scope::default();
    let ctx = Ctx::new(&scope, file);
    for structure in parsed.body.iter() {
        match structure {
            hcl_edit::structure::Structure::Attribute(attr) => {
                let span = Span::new(file, attr.value.span().unwrap_or(0..0));
                match expr::eval(&attr.value, &ctx) {
                    Ok(v) => out.push((
                        attr.key.as_str().to_string(),
                        Given {
                            raw: Raw::Value(v),
                            span: Some(span),
                            source: source.clone(),
                        },
                    )),
                    Err(e) => diags.push(
                        Diagnostic::error(
                            "vars::value",
                            format!("invalid value for variable {:?}: {}", attr.key.as_str(), e.message),
                            e.span.or(Some(span)),
                        )
                        .with_help("variables files may contain only literal values: no references to other values"),
                    ),
                }
            }
            hcl_edit::structure::Structure::Block(b) => diags.push(Diagnostic::error(
                "vars::block",
                format!(
                    "blocks are not allowed in variables files; found a {:?} block",
                    b.ident.as_str()
                ),
                Some(super::config::block_head_span(file, b)),
            )),
        }
    }
    out
}

fn json_error_offset(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return (offset + column.saturating_sub(1)).min(text.len());
        }
        offset += l.len();
    }
    text.len()
}
