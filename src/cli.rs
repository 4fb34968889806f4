//! The command line: parses arguments (clap), resolves what to scan, runs the front ends in
//! parallel and hands the results to a reporter. Knows no input or output format itself.

use crate::config::{self, Settings};
use crate::diag::{self, Diagnostic};
use crate::exit;
use crate::hcl::eval::module::evaluate_root;
use crate::hcl::{Loader, RootSpec};
use crate::model::Project;
use crate::plan::{self, PlanSpec};
use crate::report;
use crate::rules::engine::{self, Outcome};
use crate::rules::{Registry, Severity};
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
    /// Check Terraform against the policies: every finding with its source location and fix.
    Check(CheckArgs),
    /// Estimate the monthly cost of each environment: per resource and cost component, from the
    /// embedded price catalog (offline).
    Cost(CostArgs),
    /// Check what is deployed: AWS Config's configuration items, mapped into the model and checked
    /// against the same policies (AWS Config needs the `aws` feature; `--items FILE` does not).
    Live(LiveArgs),
    /// The price catalog: which one is in use (`show`), and refreshing it from the AWS Price List
    /// (`update`, with the `aws` feature).
    #[command(subcommand)]
    Prices(PricesCommand),
    /// List every resource instance after evaluation: address, type, region, source location.
    Resources(ResourcesArgs),
    /// List the policies.
    Rules(RulesArgs),
    /// Explain one policy: what it checks, why it matters, bad and good examples.
    Explain(ExplainArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning (`check` and `live`).
    Sarif,
    /// A pull-request comment (`check`, `cost` and `live`).
    Markdown,
    /// JUnit XML, one test case per rule and resource (`check` and `live`).
    Junit,
    /// One row per cost component (`cost` only).
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Exit 1 only for failures at or above this severity (all are still reported).
    #[arg(long, value_enum, default_value_t = Severity::Low)]
    pub severity: Severity,
    /// Report failures but exit 0 (input errors still exit 2).
    #[arg(long)]
    pub soft_fail: bool,
    /// Also list the checks that passed.
    #[arg(long)]
    pub show_passed: bool,
    /// A folder of your own policies, in the format of policies/ (repeatable).
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Ignore inline suppression comments (infracheck:ignore, checkov:skip, tfsec/trivy:ignore);
    /// the configuration's [[ignore]] entries still apply.
    #[arg(long)]
    pub no_inline_ignores: bool,
    /// Record today's failures and unresolved findings in FILE.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Report only findings not recorded in FILE (see --write-baseline); lists stale entries.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CostArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// A usage file in Infracost's format (version 0.1), read after the environment's
    /// `usage_files` (repeatable; later files win).
    #[arg(long = "usage-file", value_name = "FILE")]
    pub usage_files: Vec<PathBuf>,
    /// Exit 1 when a component has no price in the catalog.
    #[arg(long)]
    pub fail_on_missing_price: bool,
    /// Report the difference from OLD instead: a git ref (the same environments or paths at that
    /// commit), a directory, a plan, or an earlier `cost --format json` report.
    #[arg(long, value_name = "OLD")]
    pub compare_to: Option<String>,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct LiveArgs {
    /// Read configuration items from FILE instead of AWS Config: the JSON of `aws configservice
    /// batch-get-resource-config` or `get-resource-config-history`, or an array of items (repeatable).
    #[arg(long = "items", value_name = "FILE")]
    pub items: Vec<PathBuf>,
    /// The regions whose AWS Config to read (repeatable; default: the SDK's configured region).
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// The AWS profile (default: the standard credential chain).
    #[arg(long)]
    pub profile: Option<String>,
    /// The AWS Config endpoint (a local emulator, a VPC endpoint).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// The policy profile whose rules apply (dev, staging, prod, …; default: `default`), as
    /// `--profile` of `check` (here `--profile` is the AWS profile).
    #[arg(long, value_name = "NAME")]
    pub rules_profile: Option<String>,
    /// The resource types to read (`AWS::S3::Bucket,AWS::IAM::Role`; default: every type infracheck maps).
    #[arg(long = "resource-types", value_name = "TYPES", value_delimiter = ',')]
    pub resource_types: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 1 only for failures at or above this severity (all are still reported).
    #[arg(long, value_enum, default_value_t = Severity::Low)]
    pub severity: Severity,
    /// Report failures but exit 0 (input errors still exit 2).
    #[arg(long)]
    pub soft_fail: bool,
    /// Also list the checks that passed.
    #[arg(long)]
    pub show_passed: bool,
    /// A folder of your own policies (repeatable).
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The configuration file whose [[ignore]] entries apply (default: the nearest .infracheck.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Also report drift against the code: a Terraform directory or a plan. Resources in the
    /// account the code does not declare, resources the code declares that are missing, and
    /// attributes whose known values differ (text, JSON and markdown reports).
    #[arg(long, value_name = "DIR|PLAN")]
    pub compare_to: Option<PathBuf>,
    /// Exit 1 when there is drift.
    #[arg(long, requires = "compare_to")]
    pub fail_on_drift: bool,
    /// Report each mapped resource's outcome to this AWS Config rule (PutEvaluations): a failure
    /// at or above --severity is NON_COMPLIANT, an undecided check INSUFFICIENT_DATA, otherwise
    /// COMPLIANT (NOT_APPLICABLE when no policy applies). Needs one region and --result-token.
    #[arg(long, value_name = "RULE_NAME")]
    pub put_evaluations: Option<String>,
    /// The `resultToken` of the rule's invocation event (a custom rule's Lambda receives it).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "INFRACHECK_RESULT_TOKEN",
        hide_env_values = true,
        requires = "put_evaluations"
    )]
    pub result_token: Option<String>,
    /// With --put-evaluations: AWS Config validates the evaluations without recording them.
    #[arg(long, requires = "put_evaluations")]
    pub test_mode: bool,
    /// Never colour the output.
    #[arg(long)]
    pub no_color: bool,
}

#[derive(Debug, Subcommand)]
pub enum PricesCommand {
    /// Say which catalog is in use (embedded, or a local one from `prices update`) and its dates;
    /// list its prices, optionally of some regions or services.
    Show {
        /// Only these regions (repeatable).
        #[arg(long = "region", value_name = "REGION")]
        regions: Vec<String>,
        /// Only this service (EC2, RDS, VPC/NAT Gateway, …).
        #[arg(long)]
        service: Option<String>,
        /// Only the summary, not the prices.
        #[arg(long)]
        summary: bool,
    },
    /// Refresh the prices of EC2 instances, RDS instances, ElastiCache nodes and EBS storage from
    /// the AWS Price List (GetProducts, standard AWS credentials) into the local catalog, which then
    /// takes precedence over the embedded one.
    Update {
        /// The regions to refresh (repeatable; default: ap-south-1, eu-central-1, eu-west-1,
        /// eu-north-1, us-east-1, us-east-2).
        #[arg(long = "region", value_name = "REGION")]
        regions: Vec<String>,
        /// The Price List API endpoint (default: AWS's, in us-east-1).
        #[arg(long, value_name = "URL")]
        endpoint_url: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
    /// A folder of your own policies, in the format of policies/ (repeatable).
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A policy id (IC-RDS-001), name (rds-storage-encrypted), or checkov / trivy alias.
    pub id: String,
    /// A folder of your own policies, in the format of policies/ (repeatable).
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TargetArgs {
    /// What to scan: a root module directory, a tree whose root modules are found (each directory
    /// with Terraform files that no scanned directory calls as a module), or a plan file
    /// (`terraform show -json tfplan > plan.json`), recognised by its content.
    pub paths: Vec<PathBuf>,
    /// A plan of the environment given with --env (`terraform show -json` output); its
    /// configuration is the environment's root.
    #[arg(long, value_name = "FILE", requires = "env")]
    pub plan: Option<PathBuf>,
    /// The configuration a plan was made from, for locations (default: the plan's directory,
    /// then the working directory).
    #[arg(long, value_name = "DIR")]
    pub source_dir: Option<PathBuf>,
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
    /// The policy profile (dev, staging, prod, …) for paths; environments use their own.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Never colour the output.
    #[arg(long)]
    pub no_color: bool,
    /// Treat evaluation errors that Terraform reports only at plan time (a null where a value is
    /// needed, a count that depends on apply-time values) as errors: exit 2. Without it they are
    /// warnings, the value is unknown, and every finding is still reported.
    #[arg(long)]
    pub strict: bool,
    /// Download remote modules (registry, git, HTTP archives) that are not in the module cache
    /// or .terraform/modules yet. Without it, infracheck reads only what is already on disk.
    #[arg(long)]
    pub download_modules: bool,
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
    load_with_settings(target).map(|(l, p, _)| (l, p))
}

/// Loads and evaluates what the arguments name, with the configuration that was used.
pub fn load_with_settings(target: &TargetArgs) -> miette::Result<(Loader, Vec<Project>, Settings)> {
    let cwd = std::env::current_dir().map_err(|e| usage(format!("cannot read the working directory: {e}"), None))?;
    let settings = match &target.config {
        Some(p) => config::load(p)?,
        None => match config::find(&cwd) {
            Some(p) => config::load(&p)?,
            None => Settings::default(),
        },
    };
    let (mut specs, discovery) = resolve_targets(target, &settings, &cwd)?;
    // Plan files among the paths, and --plan for an environment.
    let mut plans: Vec<PlanSpec> = Vec::new();
    if let Some(plan) = &target.plan {
        if !plan.is_file() {
            return Err(usage(format!("{}: no such plan file", plan.display()), None));
        }
        let env = specs
            .first()
            .cloned()
            .ok_or_else(|| usage("--plan needs --env NAME", None))?;
        if specs.len() != 1 {
            return Err(usage(
                "--plan reads the plan of one environment: give --env NAME, not all",
                None,
            ));
        }
        plans.push(PlanSpec {
            path: plan.clone(),
            name: env.name.clone(),
            source_dir: Some(target.source_dir.clone().unwrap_or_else(|| cwd.join(&env.dir))),
            profile: env.profile.clone(),
            workspace: env.workspace.clone(),
        });
        specs.clear();
    }
    for p in target.paths.iter().filter(|p| p.is_file() && !is_terraform_file(p)) {
        let shown = crate::source::display_path(p);
        plans.push(PlanSpec {
            path: p.clone(),
            name: shown.display().to_string(),
            source_dir: plan::find_source_dir(p, target.source_dir.as_deref()),
            profile: target.profile.clone().unwrap_or_else(|| "default".into()),
            workspace: "default".into(),
        });
    }
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
    let scan_root = crate::source::normalize(&cwd.join(scan_root));
    // The files parsed to find the roots are the ones to evaluate: keep them.
    let loader = match discovery {
        Some(l) => l.rescoped(scan_root),
        None => Loader::new(scan_root),
    }
    .with_remote(crate::modules::Resolver::new(
        crate::modules::default_cache_dir(),
        target.download_modules,
    ));
    let mut projects: Vec<Project> = specs.par_iter().map(|s| evaluate_root(&loader, s)).collect();
    if target.strict {
        for p in &mut projects {
            p.diagnostics = std::mem::take(&mut p.diagnostics)
                .into_iter()
                .map(Diagnostic::strict)
                .collect();
        }
    }
    for spec in &plans {
        projects.push(plan::read(&loader, spec).unwrap_or_else(|d| Project {
            env: spec.name.clone(),
            root: crate::source::display_path(&spec.path),
            resources: Vec::new(),
            backend: None,
            providers: Vec::new(),
            variables: Default::default(),
            outputs: Default::default(),
            external_modules: Vec::new(),
            diagnostics: vec![*d],
            profile: spec.profile.clone(),
            backend_known: false,
            budget: None,
        }));
    }
    for p in &mut projects {
        let Some(env) = settings.envs.get(&p.env) else {
            continue;
        };
        let Some(budget) = env.monthly_budget_usd else {
            continue;
        };
        let monthly_usd = rust_decimal::Decimal::try_from(budget)
            .map_err(|_| usage(format!("monthly_budget_usd of {} is not a number", p.env), None))?;
        let mut u = crate::cost::usage::Usage::default();
        for f in &env.usage_files {
            u.add_file(f).map_err(miette::Report::new)?;
        }
        p.budget = Some(crate::cost::Budget {
            monthly_usd,
            usage: std::sync::Arc::new(u),
        });
    }
    Ok((loader, projects, settings))
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

/// A Terraform source or variables file, as a pre-commit hook passes changed files.
fn is_terraform_file(p: &std::path::Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    p.is_file()
        && [".tf", ".tf.json", ".tfvars", ".tfvars.json"]
            .iter()
            .any(|e| name.ends_with(e))
}

/// Every module directory a root uses: itself and, transitively, its local module calls.
fn module_dirs(loader: &Loader, root: &std::path::Path) -> std::collections::BTreeSet<PathBuf> {
    let mut seen = std::collections::BTreeSet::new();
    let mut todo = vec![crate::source::normalize(root)];
    while let Some(dir) = todo.pop() {
        if !seen.insert(dir.clone()) {
            continue;
        }
        for call in loader.module(&dir).module_calls.values().filter(|c| c.is_local()) {
            todo.push(crate::source::normalize(&dir.join(&call.source)));
        }
    }
    seen
}

/// The root modules that changed files belong to: the configured environments (or, without a
/// configuration, the roots found below the working directory) that use their directories; a
/// directory no root uses is checked on its own.
fn roots_for_changed(
    changed: &[PathBuf],
    t: &TargetArgs,
    settings: &Settings,
    cwd: &std::path::Path,
    loader: &Loader,
    env_spec: &dyn Fn(&config::Env) -> RootSpec,
) -> Vec<RootSpec> {
    let dirs: std::collections::BTreeSet<PathBuf> = changed
        .iter()
        .filter_map(|f| crate::source::normalize(&cwd.join(f)).parent().map(PathBuf::from))
        .collect();
    let path_spec = |dir: &std::path::Path| {
        let shown = crate::source::display_path(dir);
        RootSpec {
            name: shown.display().to_string(),
            dir: shown,
            var_files: t.var_files.clone(),
            vars: t.vars.clone(),
            workspace: "default".into(),
            profile: t.profile.clone().unwrap_or_else(|| "default".into()),
        }
    };
    let candidates: Vec<(RootSpec, PathBuf)> = if settings.envs.is_empty() {
        loader
            .discover_roots(cwd)
            .into_iter()
            .map(|d| (path_spec(&d), crate::source::normalize(&cwd.join(&d))))
            .collect()
    } else {
        settings.envs.values().map(|e| (env_spec(e), e.root.clone())).collect()
    };
    let mut out = Vec::new();
    let mut covered = std::collections::BTreeSet::new();
    for (spec, root) in candidates {
        let used = module_dirs(loader, &root);
        let hits: Vec<&PathBuf> = dirs.iter().filter(|d| used.contains(*d)).collect();
        if !hits.is_empty() {
            covered.extend(hits.into_iter().cloned());
            out.push(spec);
        }
    }
    for d in dirs.difference(&covered) {
        if !crate::hcl::discover::module_files(d).is_empty() {
            out.push(path_spec(d));
        }
    }
    out
}

/// The root modules to evaluate, and the loader that parsed the files while finding them.
fn resolve_targets(
    t: &TargetArgs,
    settings: &Settings,
    cwd: &std::path::Path,
) -> miette::Result<(Vec<RootSpec>, Option<Loader>)> {
    let env_spec = |e: &config::Env| RootSpec {
        name: e.name.clone(),
        dir: crate::source::display_path(&e.root),
        var_files: e.var_files.iter().chain(&t.var_files).cloned().collect(),
        vars: t.vars.clone(),
        workspace: e.workspace.clone(),
        profile: t.profile.clone().unwrap_or_else(|| e.profile.clone()),
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
            return Ok((settings.envs.values().map(env_spec).collect(), None));
        }
        return match settings.envs.get(name) {
            Some(e) => Ok((vec![env_spec(e)], None)),
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
        return Ok((settings.envs.values().map(env_spec).collect(), None));
    }
    let paths = if t.paths.is_empty() {
        vec![cwd.to_path_buf()]
    } else {
        t.paths.clone()
    };
    let loader = Loader::new(cwd.to_path_buf());
    let mut specs = Vec::new();
    // Changed files (a pre-commit hook passes them): the root modules that use them.
    let (changed, paths): (Vec<PathBuf>, Vec<PathBuf>) = paths.into_iter().partition(|p| is_terraform_file(p));
    if !changed.is_empty() {
        specs.extend(roots_for_changed(&changed, t, settings, cwd, &loader, &env_spec));
        if paths.is_empty() {
            specs.sort_by(|a, b| a.name.cmp(&b.name));
            specs.dedup_by(|a, b| a.name == b.name);
            return Ok((specs, Some(loader)));
        }
    }
    for p in paths {
        if !p.exists() {
            return Err(usage(format!("{}: no such file or directory", p.display()), None));
        }
        if p.is_file() {
            let head = std::fs::read(&p).map(|b| plan::looks_like_json(&b)).unwrap_or(false);
            if !head {
                return Err(usage(
                    format!("{}: not a directory or a plan (JSON) file", p.display()),
                    Some("give a directory of Terraform files, or `terraform show -json tfplan` output".into()),
                ));
            }
            continue;
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
                profile: t.profile.clone().unwrap_or_else(|| "default".into()),
            });
        }
    }
    specs.sort_by(|a, b| a.name.cmp(&b.name));
    specs.dedup_by(|a, b| a.name == b.name);
    Ok((specs, Some(loader)))
}

fn registry(dirs: &[PathBuf]) -> miette::Result<Registry> {
    Registry::load(dirs).map_err(|errors| {
        let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        usage(
            format!(
                "{} policy file(s) could not be loaded:\n  {}",
                errors.len(),
                list.join("\n  ")
            ),
            Some("see policies/README.md for the format".into()),
        )
    })
}

fn write_out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
}

fn execute(cli: Cli) -> miette::Result<u8> {
    match &cli.command {
        Command::Resources(r) => resources(&r.target, r.values),
        Command::Check(c) => check(c),
        Command::Cost(c) => cost(c),
        Command::Prices(p) => prices(p),
        Command::Live(l) => live(l),
        Command::Rules(r) => {
            let reg = registry(&r.policies)?;
            write_out(&match r.format {
                RulesFormat::Text => report::rules::text(&reg),
                RulesFormat::Json => report::rules::json(&reg),
                RulesFormat::Markdown => report::rules::markdown(&reg),
            });
            Ok(exit::CLEAN)
        }
        Command::Explain(e) => {
            let reg = registry(&e.policies)?;
            match reg.get(&e.id) {
                Some(p) => {
                    write_out(&report::rules::explain(p));
                    Ok(exit::CLEAN)
                }
                None => Err(usage(
                    format!("no policy {:?}", e.id),
                    Some("`infracheck rules` lists them".into()),
                )),
            }
        }
    }
}

fn color_wanted(target: &TargetArgs) -> bool {
    !target.no_color && std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn input_diagnostics(projects: &[Project], loader: &Loader) -> Vec<Diagnostic> {
    let mut diags: Vec<Diagnostic> = projects.iter().flat_map(|p| p.diagnostics.iter().cloned()).collect();
    diag::sort(&mut diags, &loader.sources);
    diags
}

fn resources(target: &TargetArgs, values: bool) -> miette::Result<u8> {
    if matches!(
        target.format,
        Format::Sarif | Format::Csv | Format::Junit | Format::Markdown
    ) {
        return Err(usage(
            "resources has only text and JSON output",
            Some("use --format text or json".into()),
        ));
    }
    let (loader, projects) = load(target)?;
    let color = color_wanted(target);
    let diags = input_diagnostics(&projects, &loader);
    let out = match target.format {
        Format::Text => report::resources::text(&projects, &loader.sources, values),
        _ => report::resources::json(&projects, &loader.sources),
    };
    write_out(&out);
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
    // As in `check`: the OS frees it faster.
    std::mem::forget((loader, projects));
    Ok(if errors > 0 { exit::BAD_INPUT } else { exit::CLEAN })
}

/// The usage of each environment: its configured usage files, then those given on the command line.
fn usages(
    projects: &[Project],
    settings: &Settings,
    extra: &[PathBuf],
) -> miette::Result<std::collections::BTreeMap<String, crate::cost::usage::Usage>> {
    let mut out = std::collections::BTreeMap::new();
    for p in projects {
        let mut u = crate::cost::usage::Usage::default();
        let configured = settings
            .envs
            .get(&p.env)
            .map(|e| e.usage_files.as_slice())
            .unwrap_or_default();
        for f in configured.iter().chain(extra) {
            u.add_file(f).map_err(miette::Report::new)?;
        }
        out.insert(p.env.clone(), u);
    }
    Ok(out)
}

/// The estimates of what `--compare-to` names: an earlier JSON report is read; a directory, a plan
/// or a git ref is estimated by running this program on it (for a git ref, on the tree of that
/// commit, with the same arguments), so both sides are estimated the same way.
fn old_estimates(old: &str, args: &CostArgs) -> miette::Result<Vec<crate::cost::diff::Snapshot>> {
    use std::process::{Command as Proc, Stdio};
    let cwd = std::env::current_dir().map_err(|e| usage(format!("cannot read the working directory: {e}"), None))?;
    let usage_args: Vec<String> = args
        .usage_files
        .iter()
        .flat_map(|f| ["--usage-file".to_string(), cwd.join(f).display().to_string()])
        .collect();
    let path = std::path::Path::new(old);
    let (dir, cmd_args, _tmp): (PathBuf, Vec<String>, Option<tempfile::TempDir>) = if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| usage(format!("cannot read {old}: {e}"), None))?;
        if text.contains("\"environments\"") {
            return crate::cost::diff::Snapshot::from_json(&text).map_err(|m| usage(format!("{old}: {m}"), None));
        }
        let mut a = vec!["cost".to_string(), old.to_string()];
        a.extend(usage_args);
        (cwd.clone(), a, None)
    } else if path.is_dir() {
        let mut a = vec!["cost".to_string(), old.to_string()];
        a.extend(usage_args);
        (cwd.clone(), a, None)
    } else {
        let git = |a: &[&str]| Proc::new("git").args(a).current_dir(&cwd).output();
        let commit = git(&["rev-parse", "--verify", "--quiet", &format!("{old}^{{commit}}")]);
        if !commit.as_ref().is_ok_and(|o| o.status.success()) {
            return Err(usage(
                format!("--compare-to {old}: not a file, a directory or a git ref"),
                Some("give a git ref (HEAD, origin/main), a directory, a plan or a `cost --format json` report".into()),
            ));
        }
        let prefix = git(&["rev-parse", "--show-prefix"])
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        let tmp = tempfile::tempdir().map_err(|e| usage(format!("cannot create a temporary directory: {e}"), None))?;
        let mut archive = Proc::new("git")
            .args(["archive", "--format=tar", old])
            .current_dir(&cwd)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| usage(format!("cannot run git archive: {e}"), None))?;
        let untar = Proc::new("tar")
            .args(["-x", "-C"])
            .arg(tmp.path())
            .stdin(archive.stdout.take().expect("piped"))
            .status()
            .map_err(|e| usage(format!("cannot run tar: {e}"), None))?;
        let archived = archive.wait().map_err(|e| usage(format!("git archive: {e}"), None))?;
        if !archived.success() || !untar.success() {
            return Err(usage(
                format!("--compare-to {old}: cannot read the tree of {old}"),
                None,
            ));
        }
        // The same arguments, without the ones that shape this run's output.
        let mut a = Vec::new();
        let mut kept_path = false;
        let mut raw = std::env::args().skip(1).peekable();
        while let Some(x) = raw.next() {
            match x.as_str() {
                "--compare-to" | "--format" | "--output" | "-o" => {
                    raw.next();
                }
                "--usage-file" => {
                    raw.next();
                }
                "--fail-on-missing-price" => {}
                _ if x.starts_with("--compare-to=")
                    || x.starts_with("--format=")
                    || x.starts_with("--output=")
                    || x.starts_with("--usage-file=") => {}
                // A changed file (a pre-commit hook passes them) that the old tree does not have
                // yet: its directory, when that existed.
                _ if args.target.paths.iter().any(|p| p.as_os_str() == x.as_str()) => {
                    let old_path = tmp.path().join(&prefix).join(&x);
                    if old_path.exists() {
                        a.push(x);
                        kept_path = true;
                    } else if let Some(parent) = std::path::Path::new(&x)
                        .parent()
                        .filter(|d| !d.as_os_str().is_empty() && tmp.path().join(&prefix).join(d).is_dir())
                    {
                        a.push(parent.display().to_string());
                        kept_path = true;
                    }
                }
                _ => a.push(x),
            }
        }
        if !args.target.paths.is_empty() && !kept_path {
            // Nothing of what changed existed before: everything is new.
            return Ok(Vec::new());
        }
        a.extend(usage_args);
        (tmp.path().join(prefix), a, Some(tmp))
    };
    let exe = std::env::current_exe().map_err(|e| usage(format!("cannot find this program: {e}"), None))?;
    let out = Proc::new(exe)
        .args(&cmd_args)
        .args(["--format", "json"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| usage(format!("cannot estimate {old}: {e}"), None))?;
    if out.status.code() == Some(i32::from(exit::BAD_INPUT)) && out.stdout.is_empty() {
        return Err(usage(
            format!("--compare-to {old}: its estimate failed"),
            Some(String::from_utf8_lossy(&out.stderr).trim().to_string()),
        ));
    }
    crate::cost::diff::Snapshot::from_json(&String::from_utf8_lossy(&out.stdout))
        .map_err(|m| usage(format!("--compare-to {old}: {m}"), None))
}

/// One project's worth of configuration items: its name, the items, and the resource types AWS
/// Config discovered with their counts.
type LiveGroup = (String, Vec<serde_json::Value>, Vec<(String, i64)>);

/// Configuration items by account (from files) or by region (from AWS Config), each a project.
fn live_items(args: &LiveArgs) -> miette::Result<Vec<LiveGroup>> {
    if !args.items.is_empty() {
        let mut by_account: std::collections::BTreeMap<String, Vec<serde_json::Value>> = Default::default();
        for f in &args.items {
            let text =
                std::fs::read_to_string(f).map_err(|e| usage(format!("cannot read {}: {e}", f.display()), None))?;
            let items =
                crate::live::items_from_json(&text).map_err(|m| usage(format!("{}: {m}", f.display()), None))?;
            for i in items {
                let account = i
                    .get("accountId")
                    .and_then(|a| a.as_str())
                    .unwrap_or("unknown")
                    .to_string();
                by_account.entry(format!("aws:{account}")).or_default().push(i);
            }
        }
        return Ok(by_account.into_iter().map(|(k, v)| (k, v, Vec::new())).collect());
    }
    live_fetch(args)
}

#[cfg(not(feature = "aws"))]
fn live_fetch(_args: &LiveArgs) -> miette::Result<Vec<LiveGroup>> {
    Err(usage(
        "this infracheck was built without the `aws` feature, which reading AWS Config needs",
        Some("build with --features aws, or give the items with --items FILE".into()),
    ))
}

#[cfg(feature = "aws")]
fn live_fetch(args: &LiveArgs) -> miette::Result<Vec<LiveGroup>> {
    let types: Vec<String> = if args.resource_types.is_empty() {
        crate::live::map::MAPPED_TYPES.iter().map(|t| t.to_string()).collect()
    } else {
        args.resource_types.clone()
    };
    let regions: Vec<String> = if args.regions.is_empty() {
        match std::env::var("AWS_REGION").or_else(|_| std::env::var("AWS_DEFAULT_REGION")) {
            Ok(r) => vec![r],
            Err(_) => return Err(usage("no region: give --region or set AWS_REGION", None)),
        }
    } else {
        args.regions.clone()
    };
    let fetched = crate::live::fetch::fetch(&regions, args.profile.as_deref(), args.endpoint_url.as_deref(), &types)
        .map_err(|m| usage(format!("AWS Config could not be read: {m}"), None))?;
    Ok(fetched
        .into_iter()
        .map(|f| {
            let account = f
                .items
                .iter()
                .find_map(|i| i.get("accountId").and_then(|a| a.as_str()))
                .unwrap_or("unknown")
                .to_string();
            (format!("aws:{account}/{}", f.region), f.items, f.counts)
        })
        .collect())
}

/// The one region --put-evaluations reports to (a result token belongs to one rule in one region).
fn put_evaluations_region(args: &LiveArgs) -> miette::Result<String> {
    if !cfg!(feature = "aws") {
        return Err(no_aws_for_put());
    }
    if args.result_token.is_none() && !args.test_mode {
        return Err(usage(
            "--put-evaluations needs the result token of the rule's invocation",
            Some(
                "pass --result-token (or INFRACHECK_RESULT_TOKEN) with the event's resultToken, or --test-mode to validate without recording"
                    .into(),
            ),
        ));
    }
    match args.regions.as_slice() {
        [one] => Ok(one.clone()),
        [] => std::env::var("AWS_REGION")
            .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
            .map_err(|_| {
                usage(
                    "--put-evaluations needs the rule's region: give --region or set AWS_REGION",
                    None,
                )
            }),
        _ => Err(usage(
            "--put-evaluations reports to one rule in one region; give one --region",
            None,
        )),
    }
}

fn no_aws_for_put() -> miette::Report {
    usage(
        "this infracheck was built without the `aws` feature, which --put-evaluations needs",
        Some("build with --features aws".into()),
    )
}

#[cfg(not(feature = "aws"))]
fn put_evaluations(
    _args: &LiveArgs,
    _rule: &str,
    _region: &str,
    _evaluations: &[crate::live::evaluations::Evaluation],
) -> miette::Result<()> {
    Err(no_aws_for_put())
}

#[cfg(feature = "aws")]
fn put_evaluations(
    args: &LiveArgs,
    rule: &str,
    region: &str,
    evaluations: &[crate::live::evaluations::Evaluation],
) -> miette::Result<()> {
    let token = args.result_token.as_deref().unwrap_or("TESTMODE");
    let put = crate::live::fetch::put_evaluations(
        region,
        args.profile.as_deref(),
        args.endpoint_url.as_deref(),
        rule,
        token,
        args.test_mode,
        evaluations,
        chrono::Utc::now(),
    )
    .map_err(|m| usage(format!("AWS Config evaluations were not put: {m}"), None))?;
    eprintln!(
        "{} {} to AWS Config rule {rule} in {region}{}",
        if args.test_mode {
            "validated (test mode, not recorded)"
        } else {
            "put"
        },
        crate::live::evaluations::summary(evaluations),
        if put.sent == evaluations.len() {
            ""
        } else {
            " (not all sent)"
        },
    );
    if !put.failed.is_empty() {
        let list: Vec<String> = put.failed.iter().map(|(t, id, c)| format!("{t} {id} {c}")).collect();
        return Err(usage(
            format!(
                "AWS Config refused {} evaluation(s): {}",
                put.failed.len(),
                list.join("; ")
            ),
            None,
        ));
    }
    Ok(())
}

fn live(args: &LiveArgs) -> miette::Result<u8> {
    if args.format == Format::Csv {
        return Err(usage(
            "live has no CSV output",
            Some("use text, json, sarif, markdown or junit".into()),
        ));
    }
    let put_region = match &args.put_evaluations {
        Some(_) => Some(put_evaluations_region(args)?),
        None => None,
    };
    let reg = registry(&args.policies)?;
    let cwd = std::env::current_dir().map_err(|e| usage(format!("cannot read the working directory: {e}"), None))?;
    let settings = match &args.config {
        Some(p) => config::load(p)?,
        None => match config::find(&cwd) {
            Some(p) => config::load(&p)?,
            None => Settings::default(),
        },
    };
    let groups = live_items(args)?;
    let sources = crate::source::SourceMap::default();
    let mut projects = Vec::new();
    let mut unmapped: std::collections::BTreeMap<String, i64> = Default::default();
    let mut skipped = 0;
    let mut items = Vec::new();
    for (name, group, counts) in &groups {
        let mut lp = crate::live::project(name, group, &sources);
        if let Some(p) = &args.rules_profile {
            lp.project.profile = p.clone();
        }
        for (t, n) in lp.unmapped {
            *unmapped.entry(t).or_default() += n as i64;
        }
        // Types AWS Config discovered that were not read, because infracheck cannot map them.
        for (t, n) in counts {
            if !crate::live::map::MAPPED_TYPES.contains(&t.as_str()) && !args.resource_types.contains(t) {
                *unmapped.entry(t.clone()).or_default() += n;
            }
        }
        skipped += lp.skipped.len();
        items.extend(lp.items);
        projects.push(lp.project);
    }
    let mut findings = crate::live::check(&reg, &projects);
    crate::rules::suppress::apply(
        &reg,
        &projects,
        &mut findings,
        &sources,
        &settings.ignores,
        settings.path.as_deref().and_then(|p| p.parent()),
        false,
        chrono::Utc::now().date_naive(),
    );
    let color = !args.no_color && std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let opts = report::check::Options {
        color,
        show_passed: args.show_passed,
    };
    let drift = match &args.compare_to {
        Some(dir) => {
            let target = TargetArgs {
                paths: vec![dir.clone()],
                plan: None,
                source_dir: None,
                env: None,
                var_files: Vec::new(),
                vars: Vec::new(),
                config: args.config.clone(),
                profile: None,
                format: Format::Text,
                no_color: true,
                strict: false,
                download_modules: false,
            };
            let (code_loader, code, _) = load_with_settings(&target)?;
            let errors: Vec<Diagnostic> = input_diagnostics(&code, &code_loader)
                .into_iter()
                .filter(|d| d.is_error())
                .collect();
            if !errors.is_empty() {
                eprint!("{}", diag::render_text(&errors, &code_loader.sources, color));
                return Ok(exit::BAD_INPUT);
            }
            let accounts: Vec<&Project> = projects.iter().collect();
            let arn_of = |r: &crate::model::Resource| {
                r.attributes
                    .get("arn")
                    .and_then(crate::model::Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            Some(crate::live::drift::drift(&accounts, &code, &arn_of))
        }
        None => None,
    };
    let against = args
        .compare_to
        .as_ref()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    let mut report = match args.format {
        Format::Json => report::check::json(&reg, &projects, &findings, &[], &sources),
        Format::Sarif => report::sarif::sarif(&reg, &projects, &findings, &[], &sources),
        Format::Markdown => report::markdown::markdown(&reg, &projects, &findings, &[], &sources),
        Format::Junit => report::junit::junit(&reg, &projects, &findings, &[], &sources),
        _ => report::check::text(&reg, &projects, &findings, &sources, &opts),
    };
    if let Some(d) = &drift {
        match args.format {
            Format::Json => {
                let mut v: serde_json::Value = serde_json::from_str(&report).unwrap_or_default();
                v["drift"] = serde_json::json!({
                    "compared_to": against,
                    "not_in_code": d.not_in_code.iter().map(|(t, k, arn)| serde_json::json!({"type": t, "name": k, "arn": arn})).collect::<Vec<_>>(),
                    "not_in_account": d.not_in_account.iter().map(|(t, k, a)| serde_json::json!({"type": t, "name": k, "address": a})).collect::<Vec<_>>(),
                    "changed": d.changed,
                    "not_compared": d.unmatched_unknown_names,
                });
                report = serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
            }
            Format::Text => report.push_str(&d.text(&against)),
            Format::Markdown => report.push_str(&format!("\n### Drift\n\n```\n{}```\n", d.text(&against).trim_start())),
            _ => eprint!("{}", d.text(&against)),
        }
    }
    match &args.output {
        Some(path) => {
            std::fs::write(path, &report).map_err(|e| usage(format!("cannot write {}: {e}", path.display()), None))?
        }
        None => write_out(&report),
    }
    let resources: usize = projects.iter().map(|p| p.resources.len()).sum();
    eprintln!(
        "read {} configuration item(s) into {resources} resource(s){}",
        groups.iter().map(|g| g.1.len()).sum::<usize>(),
        if skipped > 0 {
            format!("; {skipped} skipped (AWS-managed keys, deleted resources)")
        } else {
            String::new()
        }
    );
    if !unmapped.is_empty() {
        let list: Vec<String> = unmapped.iter().map(|(t, n)| format!("{t} ({n})")).collect();
        eprintln!("not mapped, so not checked: {}", list.join(", "));
    }
    let failing = findings
        .iter()
        .any(|f| f.outcome == Outcome::Fail && f.suppressed.is_none() && f.severity >= args.severity);
    if let (Some(rule), Some(region)) = (&args.put_evaluations, &put_region) {
        let evaluations = crate::live::evaluations::evaluations(&items, &projects, &findings, args.severity);
        put_evaluations(args, rule, region, &evaluations)?;
    }
    let drifted = args.fail_on_drift && drift.as_ref().is_some_and(|d| !d.is_empty());
    Ok(if (failing && !args.soft_fail) || drifted {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}

fn prices(cmd: &PricesCommand) -> miette::Result<u8> {
    use crate::cost::catalog::{Catalog, Source};
    match cmd {
        PricesCommand::Show {
            regions,
            service,
            summary,
        } => {
            let (catalog, source) =
                Catalog::load().map_err(|m| usage(format!("the local price catalog does not read: {m}"), None))?;
            let embedded = Catalog::embedded();
            let mut out = match &source {
                Source::Embedded => format!(
                    "catalog: embedded ({} prices, dated {})\n",
                    embedded.len(),
                    embedded.date_label()
                ),
                Source::Local { path, prices } => format!(
                    "catalog: local {} ({prices} prices from `prices update`) over the embedded one ({} prices, dated {}); in use: {} prices, dated {}\n",
                    path.display(),
                    embedded.len(),
                    embedded.date_label(),
                    catalog.len(),
                    catalog.date_label()
                ),
            };
            if !*summary {
                let rows: Vec<&crate::cost::catalog::Price> = catalog
                    .iter()
                    .filter(|p| regions.is_empty() || regions.contains(&p.region))
                    .filter(|p| service.as_ref().is_none_or(|s| s.eq_ignore_ascii_case(&p.service)))
                    .collect();
                let w =
                    |f: &dyn Fn(&crate::cost::catalog::Price) -> usize| rows.iter().map(|p| f(p)).max().unwrap_or(0);
                let (ws, wk, wr, wu) = (
                    w(&|p| p.service.len()),
                    w(&|p| p.sku.chars().count()),
                    w(&|p| p.region.len()),
                    w(&|p| p.unit.len()),
                );
                for p in rows {
                    out.push_str(&format!(
                        "{:<ws$}  {:<wk$}  {:<wr$}  {:>10}  per {:<wu$}  {}\n",
                        p.service,
                        p.sku,
                        p.region,
                        crate::cost::unit_usd(p.usd),
                        p.unit,
                        p.as_of
                    ));
                }
            }
            write_out(&out);
            Ok(exit::CLEAN)
        }
        PricesCommand::Update { regions, endpoint_url } => prices_update(regions, endpoint_url.as_deref()),
    }
}

#[cfg(not(feature = "aws"))]
fn prices_update(_regions: &[String], _endpoint_url: Option<&str>) -> miette::Result<u8> {
    Err(usage(
        "this infracheck was built without the `aws` feature, which `prices update` needs",
        Some("cargo install --path . --features aws (or cargo run --features aws -- prices update)".into()),
    ))
}

#[cfg(feature = "aws")]
fn prices_update(regions: &[String], endpoint_url: Option<&str>) -> miette::Result<u8> {
    use crate::cost::catalog::Catalog;
    use crate::cost::refresh::{self, Answer};
    let regions: Vec<String> = if regions.is_empty() {
        refresh::DEFAULT_REGIONS.iter().map(|r| r.to_string()).collect()
    } else {
        regions.to_vec()
    };
    let path = crate::cost::catalog::local_path()
        .ok_or_else(|| usage("no place for the local catalog: set INFRACHECK_PRICES or HOME", None))?;
    let queries = refresh::queries(&Catalog::embedded(), &regions);
    let today = chrono::Utc::now().date_naive().to_string();
    let tty = std::io::stderr().is_terminal();
    let results = refresh::fetch(&queries, endpoint_url, &today, &|done, all| {
        if tty {
            eprint!("\rGetProducts {done}/{all}");
        }
    })
    .map_err(|m| usage(format!("the AWS Price List could not be read: {m}"), None))?;
    if tty {
        eprintln!();
    }
    // Keep what an earlier update found for other regions.
    let mut kept: Vec<crate::cost::catalog::Price> = match std::fs::read_to_string(&path) {
        Ok(text) => Catalog::parse(&text)
            .map(|c| c.iter().filter(|p| !regions.contains(&p.region)).cloned().collect())
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let (mut found, mut missing, mut errors) = (0, Vec::new(), Vec::new());
    for (q, answer) in results {
        match answer {
            Ok(Answer::Price(p)) => {
                kept.push(p);
                found += 1;
            }
            Ok(Answer::NotFound) => missing.push(format!("{} / {} / {}", q.service, q.sku, q.region)),
            Ok(Answer::Ambiguous(prices)) => errors.push(format!(
                "{} / {} / {}: several products with different prices ({}); kept the embedded price",
                q.service,
                q.sku,
                q.region,
                prices.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")
            )),
            Err(e) => errors.push(format!("{} / {} / {}: {e}", q.service, q.sku, q.region)),
        }
    }
    if found == 0 {
        for e in &errors {
            eprintln!("  {e}");
        }
        return Err(usage(
            format!(
                "no price was refreshed ({} queries); the local catalog is unchanged",
                queries.len()
            ),
            None,
        ));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| usage(format!("cannot create {}: {e}", dir.display()), None))?;
    }
    std::fs::write(&path, refresh::to_tsv(&kept))
        .map_err(|e| usage(format!("cannot write {}: {e}", path.display()), None))?;
    eprintln!(
        "refreshed {found} of {} prices ({}) into {}, dated {today}",
        queries.len(),
        regions.join(", "),
        path.display()
    );
    if !missing.is_empty() {
        eprintln!(
            "{} not offered by AWS in these regions (no product matched):",
            missing.len()
        );
        for m in &missing {
            eprintln!("  {m}");
        }
    }
    for e in &errors {
        eprintln!("  {e}");
    }
    Ok(exit::CLEAN)
}

fn cost(args: &CostArgs) -> miette::Result<u8> {
    if matches!(args.target.format, Format::Sarif | Format::Junit) {
        return Err(usage(
            "cost has no SARIF or JUnit output",
            Some("use --format text, json, markdown or csv".into()),
        ));
    }
    let (loader, projects, settings) = load_with_settings(&args.target)?;
    let usage_by_env = usages(&projects, &settings, &args.usage_files)?;
    let (catalog, _) = crate::cost::catalog::Catalog::load().map_err(|m| {
        usage(
            format!("the local price catalog does not read: {m}"),
            Some("run `infracheck prices update` again, or delete the file".into()),
        )
    })?;
    let none = crate::cost::usage::Usage::default();
    let envs: Vec<(crate::cost::EnvCost, String)> = projects
        .par_iter()
        .map(|p| {
            let u = usage_by_env.get(&p.env).unwrap_or(&none);
            (
                crate::cost::estimate_project(p, u, &catalog),
                p.root.display().to_string(),
            )
        })
        .collect();
    let diags = input_diagnostics(&projects, &loader);
    if let Some(old) = &args.compare_to {
        let before = old_estimates(old, args)?;
        let after: Vec<crate::cost::diff::Snapshot> =
            envs.iter().map(|(e, _)| crate::cost::diff::Snapshot::of(e)).collect();
        let diffs = crate::cost::diff::diff(&before, &after);
        let report = match args.target.format {
            Format::Json => report::cost::diff_json(&diffs, old),
            Format::Markdown => report::cost::diff_markdown(&diffs, old),
            _ => report::cost::diff_text(&diffs, old),
        };
        match &args.output {
            Some(path) => std::fs::write(path, &report)
                .map_err(|e| usage(format!("cannot write {}: {e}", path.display()), None))?,
            None => write_out(&report),
        }
        if !diags.is_empty() {
            eprint!(
                "{}",
                diag::render_text(&diags, &loader.sources, color_wanted(&args.target))
            );
        }
        let errors = diags.iter().filter(|d| d.is_error()).count();
        std::mem::forget((loader, projects));
        return Ok(if errors > 0 { exit::BAD_INPUT } else { exit::CLEAN });
    }
    let report = match args.target.format {
        Format::Json => report::cost::json(&envs, &loader.sources),
        Format::Markdown => report::cost::markdown(&envs, &loader.sources),
        Format::Csv => report::cost::csv(&envs, &loader.sources),
        _ => report::cost::text(&envs, &loader.sources),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, &report).map_err(|e| usage(format!("cannot write {}: {e}", path.display()), None))?
        }
        None => write_out(&report),
    }
    if !diags.is_empty() {
        eprint!(
            "{}",
            diag::render_text(&diags, &loader.sources, color_wanted(&args.target))
        );
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let missing = envs.iter().any(|(e, _)| e.missing_prices().next().is_some());
    std::mem::forget((loader, projects));
    Ok(if errors > 0 {
        exit::BAD_INPUT
    } else if missing && args.fail_on_missing_price {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}

fn check(args: &CheckArgs) -> miette::Result<u8> {
    if args.target.format == Format::Csv {
        return Err(usage(
            "check has no CSV output",
            Some("use --format text, json, sarif, markdown or junit".into()),
        ));
    }
    let reg = registry(&args.policies)?;
    let (loader, projects, settings) = load_with_settings(&args.target)?;
    let mut findings = engine::run(&reg, &projects);
    crate::rules::suppress::apply(
        &reg,
        &projects,
        &mut findings,
        &loader.sources,
        &settings.ignores,
        settings.path.as_deref().and_then(|p| p.parent()),
        !args.no_inline_ignores,
        chrono::Utc::now().date_naive(),
    );
    let mut stale = Vec::new();
    if let Some(path) = &args.baseline {
        stale = crate::rules::baseline::apply(path, &mut findings, &loader.sources).map_err(|m| usage(m, None))?;
    }
    if let Some(path) = &args.write_baseline {
        let n = crate::rules::baseline::write(path, &findings, &loader.sources)
            .map_err(|e| usage(format!("cannot write {}: {e}", path.display()), None))?;
        eprintln!("recorded {n} finding(s) in the baseline {}", path.display());
    }
    let diags = input_diagnostics(&projects, &loader);
    let color = color_wanted(&args.target);
    let opts = report::check::Options {
        color,
        show_passed: args.show_passed,
    };
    let report = match args.target.format {
        Format::Text => report::check::text(&reg, &projects, &findings, &loader.sources, &opts),
        Format::Json => report::check::json(&reg, &projects, &findings, &diags, &loader.sources),
        Format::Sarif => report::sarif::sarif(&reg, &projects, &findings, &diags, &loader.sources),
        Format::Markdown => report::markdown::markdown(&reg, &projects, &findings, &diags, &loader.sources),
        Format::Junit | Format::Csv => report::junit::junit(&reg, &projects, &findings, &diags, &loader.sources),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, &report).map_err(|e| usage(format!("cannot write {}: {e}", path.display()), None))?
        }
        None => write_out(&report),
    }
    if args.target.format != Format::Json && !diags.is_empty() {
        eprint!("{}", diag::render_text(&diags, &loader.sources, color));
    }
    if !stale.is_empty() {
        eprintln!(
            "{} baseline entr{} no longer found (fixed, moved or renamed; rewrite it with --write-baseline):",
            stale.len(),
            if stale.len() == 1 { "y is" } else { "ies are" }
        );
        for e in &stale {
            let path = if e.path.is_empty() {
                String::new()
            } else {
                format!(" {}", e.path)
            };
            eprintln!("  {} {} {}{path}", e.rule, e.file, e.address);
        }
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let failing = findings
        .iter()
        .any(|f| f.outcome == Outcome::Fail && f.suppressed.is_none() && f.severity >= args.severity);
    // The process ends here: freeing every syntax tree and value would take longer than the
    // check on large trees, and the OS reclaims it all at once.
    std::mem::forget((loader, projects, findings));
    Ok(if errors > 0 {
        exit::BAD_INPUT
    } else if failing && !args.soft_fail {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}
