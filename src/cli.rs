//! The command line: parses arguments (clap), resolves what to scan, runs the front ends in
//! parallel and hands the results to a reporter. Knows no input or output format itself.

use crate::config::{self, Settings};
use crate::diag::{self, Diagnostic};
use crate::exit;
use crate::hcl::eval::module::evaluate_root;
use crate::hcl::{Loader, RootSpec};
use crate::model::Project;
use crate::report;
use clap::{Args, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "infracheck", version, about = "Policy checks and monthly cost estimates for Terraform on AWS", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Terraform against the policies (until the rule catalog lands: evaluate it and list
    /// the resources found, with every problem in the input).
    Check(TargetArgs),
    /// List every resource instance after evaluation: address, type, region, source location.
    Resources(ResourcesArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Directories to scan: a root module, or a tree whose root modules are found (each directory
    /// with Terraform files that no scanned directory calls as a module).
    pub paths: Vec<PathBuf>,
    /// An environment from .infracheck.toml, or `all`.
    #[arg(long, short = 'e')]
    pub env: Option<String>,
    /// A variables file, read after terraform.tfvars and *.auto.tfvars (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// A variable value, `NAME=VALUE`, read last (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// The configuration file (default: the nearest .infracheck.toml at or above the working directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Never colour the output.
    #[arg(long)]
    pub no_color: bool,
}

#[derive(Debug, Args)]
pub struct ResourcesArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Show every resource's attributes (values known only after apply are shown as such).
    #[arg(long)]
    pub values: bool,
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected NAME=VALUE, got {s:?}")),
    }
}

/// A usage problem: reported and the run exits 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(usage))]
pub struct UsageError {
    message: String,
    #[help]
    help: Option<String>,
}

fn usage(message: impl Into<String>, help: Option<String>) -> miette::Report {
    miette::Report::new(UsageError {
        message: message.into(),
        help,
    })
}

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::BAD_INPUT } else { exit::CLEAN });
        }
    };
    match execute(cli) {
        Ok(code) => ExitCode::from(code),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(exit::BAD_INPUT)
        }
    }
}

/// Loads and evaluates what the arguments name.
pub fn load(target: &TargetArgs) -> miette::Result<(Loader, Vec<Project>)> {
    let cwd = std::env::current_dir().map_err(|e| usage(format!("cannot read the working directory: {e}"), None))?;
    let settings = match &target.config {
        Some(p) => config::load(p)?,
        None => match config::find(&cwd) {
            Some(p) => config::load(&p)?,
            None => Settings::default(),
        },
    };
    let specs = resolve_targets(target, &settings, &cwd)?;
    let scan_root = settings
        .path
        .as_ref()
        .and_then(|p| p.parent().map(PathBuf::from))
        .filter(|d| {
            specs.iter().all(|s| {
                crate::source::normalize(&cwd.join(&s.dir)).starts_with(crate::source::normalize(&cwd.join(d)))
            })
        })
        .unwrap_or_else(|| common_root(&specs, &cwd));
    let loader = Loader::new(crate::source::normalize(&cwd.join(scan_root)));
    let projects: Vec<Project> = specs.par_iter().map(|s| evaluate_root(&loader, s)).collect();
    Ok((loader, projects))
}

fn common_root(specs: &[RootSpec], cwd: &std::path::Path) -> PathBuf {
    let dirs: Vec<PathBuf> = specs
        .iter()
        .map(|s| crate::source::normalize(&cwd.join(&s.dir)))
        .collect();
    let mut root = dirs.first().cloned().unwrap_or_else(|| cwd.to_path_buf());
    for d in &dirs {
        while !d.starts_with(&root) {
            if !root.pop() {
                break;
            }
        }
    }
    // Modules are usually called from beside or above the roots: allow the working directory too.
    if cwd.starts_with(&root) {
        root
    } else if root.starts_with(cwd) {
        cwd.to_path_buf()
    } else {
        root
    }
}

fn resolve_targets(t: &TargetArgs, settings: &Settings, cwd: &std::path::Path) -> miette::Result<Vec<RootSpec>> {
    let env_spec = |e: &config::Env| RootSpec {
        name: e.name.clone(),
        dir: crate::source::display_path(&e.root),
        var_files: e.var_files.iter().chain(&t.var_files).cloned().collect(),
        vars: t.vars.clone(),
        workspace: e.workspace.clone(),
    };
    if let Some(name) = &t.env {
        if !t.paths.is_empty() {
            return Err(usage("give either --env or paths, not both", None));
        }
        if settings.envs.is_empty() {
            return Err(usage(
                format!("--env {name}: no environments are configured"),
                Some(format!(
                    "create {} with [env.<name>] root = \"path/to/root\"",
                    config::FILE_NAME
                )),
            ));
        }
        if name == "all" {
            return Ok(settings.envs.values().map(env_spec).collect());
        }
        return match settings.envs.get(name) {
            Some(e) => Ok(vec![env_spec(e)]),
            None => Err(usage(
                format!("unknown environment {name:?}"),
                Some(format!(
                    "environments in {}: {}",
                    settings
                        .path
                        .as_ref()
                        .map(|p| crate::source::display_path(p).display().to_string())
                        .unwrap_or_default(),
                    settings.envs.keys().cloned().collect::<Vec<_>>().join(", ")
                )),
            )),
        };
    }
    if t.paths.is_empty() && !settings.envs.is_empty() {
        return Ok(settings.envs.values().map(env_spec).collect());
    }
    let paths = if t.paths.is_empty() {
        vec![cwd.to_path_buf()]
    } else {
        t.paths.clone()
    };
    let loader = Loader::new(cwd.to_path_buf());
    let mut specs = Vec::new();
    for p in paths {
        if !p.exists() {
            return Err(usage(format!("{}: no such file or directory", p.display()), None));
        }
        if !p.is_dir() {
            return Err(usage(
                format!("{}: not a directory", p.display()),
                Some("give a directory of Terraform files".into()),
            ));
        }
        let roots = loader.discover_roots(&p);
        if roots.is_empty() {
            return Err(usage(
                format!("{}: no Terraform files (*.tf, *.tf.json) found", p.display()),
                None,
            ));
        }
        for dir in roots {
            let shown = crate::source::display_path(&dir);
            specs.push(RootSpec {
                name: shown.display().to_string(),
                dir: shown,
                var_files: t.var_files.clone(),
                vars: t.vars.clone(),
                workspace: "default".into(),
            });
        }
    }
    specs.sort_by(|a, b| a.name.cmp(&b.name));
    specs.dedup_by(|a, b| a.name == b.name);
    Ok(specs)
}

fn execute(cli: Cli) -> miette::Result<u8> {
    let (target, values) = match &cli.command {
        Command::Check(t) => (t, false),
        Command::Resources(r) => (&r.target, r.values),
    };
    let (loader, projects) = load(target)?;
    let color = !target.no_color && std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut diags: Vec<Diagnostic> = projects.iter().flat_map(|p| p.diagnostics.iter().cloned()).collect();
    diag::sort(&mut diags, &loader.sources);
    let out = match target.format {
        Format::Text => report::resources::text(&projects, &loader.sources, values),
        Format::Json => report::resources::json(&projects, &loader.sources),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    if target.format == Format::Text && !diags.is_empty() {
        eprint!("{}", diag::render_text(&diags, &loader.sources, color));
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if target.format == Format::Text {
        let warnings = diags.len() - errors;
        if errors + warnings > 0 {
            eprintln!("{errors} error(s), {warnings} warning(s) in the input");
        }
    }
    Ok(if errors > 0 { exit::BAD_INPUT } else { exit::CLEAN })
}
