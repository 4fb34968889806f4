//! Target resolution: from what the command line names (paths, `--env`, plan files, changed
//! files) to the root modules to evaluate, and their evaluation into one project each. Reads the
//! configuration for environments and budgets. Knows no output format, and no policy or price.

pub mod changed;
pub mod tree;

use crate::cli::error::usage;
use crate::config::{self, Settings};
use crate::cost::usage::Usage;
use crate::diag::Diagnostic;
use crate::hcl::eval::module::evaluate_root;
use crate::hcl::{Loader, RootSpec};
use crate::model::Project;
use crate::plan::{self, PlanSpec};
use changed::{is_terraform_file, roots_for_changed};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What to scan, as the command line names it.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// Root module directories, trees of them, plan files, or changed files.
    pub paths: Vec<PathBuf>,
    /// The plan of the environment given with `env`.
    pub plan: Option<PathBuf>,
    /// The configuration a plan was made from.
    pub source_dir: Option<PathBuf>,
    /// An environment of the configuration, or `all`.
    pub env: Option<String>,
    pub var_files: Vec<PathBuf>,
    pub vars: Vec<(String, String)>,
    /// The configuration file (default: the nearest one at or above the working directory).
    pub config: Option<PathBuf>,
    /// The policy profile for paths; environments use their own.
    pub profile: Option<String>,
    /// Evaluation errors that Terraform reports only at plan time are errors.
    pub strict: bool,
    /// Remote modules missing from the cache are downloaded (else also `download_modules` in
    /// the configuration).
    pub download_modules: bool,
    /// `--skip-path` globs: directories left out of root discovery.
    pub skip_paths: Vec<String>,
}

/// What a run evaluated: the projects, the loader holding their sources, and the configuration.
pub struct Loaded {
    pub loader: Loader,
    pub projects: Vec<Project>,
    pub settings: Settings,
    /// The environments with a `monthly_budget_usd`, by name.
    pub budgets: BTreeMap<String, BudgetInput>,
}

/// An environment's budget as configured, with the usage (its `usage_files`) the estimate
/// against it reads.
pub struct BudgetInput {
    pub monthly_usd: Decimal,
    pub usage: Usage,
}

/// The configuration file `config` names, else the nearest one at or above `cwd`, else none.
pub fn settings(config: Option<&Path>, cwd: &Path) -> miette::Result<Settings> {
    Ok(match config {
        Some(p) => config::load(p)?,
        None => match config::find(cwd) {
            Some(p) => config::load(&p)?,
            None => Settings::default(),
        },
    })
}

/// Loads and evaluates what the arguments name.
pub fn load(target: &Targets) -> miette::Result<(Loader, Vec<Project>)> {
    load_with_settings(target).map(|l| (l.loader, l.projects))
}

/// Loads and evaluates what the arguments name, with the configuration that was used.
pub fn load_with_settings(target: &Targets) -> miette::Result<Loaded> {
    load_each(target, &|_, _| {})
}

/// What a command does with each project as soon as it is evaluated (with its environment's
/// budget, if it has one), on the thread that evaluated it, before that thread takes another root:
/// checking it and keeping only what the report needs keeps memory to the roots in flight.
pub type Finish<'a> = dyn Fn(&mut Project, Option<&BudgetInput>) + Sync + 'a;

/// [`load_with_settings`], finishing each project with `finish` as it is evaluated.
pub fn load_each(target: &Targets, finish: &Finish) -> miette::Result<Loaded> {
    let cwd = std::env::current_dir().map_err(|e| usage(format!("cannot read the working directory: {e}"), None))?;
    let settings = settings(target.config.as_deref(), &cwd)?;
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
        target.download_modules || settings.download_modules,
    ));
    // The budgets of the environments to evaluate, read before any is evaluated: a project is
    // finished (`finish`) as soon as it is.
    let mut budgets = BTreeMap::new();
    let names: std::collections::BTreeSet<&str> = specs
        .iter()
        .map(|s| s.name.as_str())
        .chain(plans.iter().map(|p| p.name.as_str()))
        .collect();
    for env in settings.envs.values().filter(|e| names.contains(e.name.as_str())) {
        let Some(budget) = env.monthly_budget_usd else {
            continue;
        };
        let monthly_usd = Decimal::try_from(budget)
            .map_err(|_| usage(format!("monthly_budget_usd of {} is not a number", env.name), None))?;
        let mut u = Usage::default();
        for f in &env.usage_files {
            u.add_file(f).map_err(miette::Report::new)?;
        }
        budgets.insert(env.name.clone(), BudgetInput { monthly_usd, usage: u });
    }
    // How many roots still to evaluate use each local module directory: a module's configuration
    // is dropped once the last root that uses it is evaluated, so memory follows the roots in
    // flight rather than the whole tree.
    let dirs_of: Vec<Vec<PathBuf>> = specs
        .iter()
        .map(|s| {
            tree::module_dirs(&loader, &crate::source::normalize(&cwd.join(&s.dir)))
                .into_iter()
                .collect()
        })
        .collect();
    let pending: std::sync::Mutex<std::collections::HashMap<PathBuf, usize>> = {
        let mut m = std::collections::HashMap::new();
        for d in dirs_of.iter().flatten() {
            *m.entry(d.clone()).or_insert(0) += 1;
        }
        std::sync::Mutex::new(m)
    };
    let finished = |mut p: Project| {
        if target.strict {
            p.diagnostics = std::mem::take(&mut p.diagnostics)
                .into_iter()
                .map(Diagnostic::strict)
                .collect();
        }
        let budget = budgets.get(&p.env);
        finish(&mut p, budget);
        p
    };
    let mut projects: Vec<Project> = specs
        .par_iter()
        .zip(&dirs_of)
        .map(|(s, dirs)| {
            let p = finished(evaluate_root(&loader, s));
            let mut pending = pending.lock().unwrap_or_else(|e| e.into_inner());
            for d in dirs {
                if let Some(n) = pending.get_mut(d) {
                    *n -= 1;
                    if *n == 0 {
                        loader.release(d);
                    }
                }
            }
            p
        })
        .collect();
    for spec in &plans {
        let p = plan::read(&loader, spec).unwrap_or_else(|d| Project {
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
            module_dirs: Vec::new(),
            remote_modules: Vec::new(),
            ..Default::default()
        });
        projects.push(finished(p));
    }
    Ok(Loaded {
        loader,
        projects,
        settings,
        budgets,
    })
}

/// The directory above every root (or the working directory beside them): where filesystem
/// functions may read.
fn common_root(specs: &[RootSpec], cwd: &Path) -> PathBuf {
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

/// The root module in `dir`: the configured environment whose root it is (its name, variable
/// files, profile and workspace), else the directory as the user sees it.
pub(crate) fn root_spec(
    dir: &Path,
    t: &Targets,
    settings: &Settings,
    cwd: &Path,
    env_spec: &dyn Fn(&config::Env) -> RootSpec,
) -> RootSpec {
    let abs = crate::source::normalize(&cwd.join(dir));
    if let Some(e) = settings
        .envs
        .values()
        .find(|e| crate::source::normalize(&cwd.join(&e.root)) == abs)
    {
        return env_spec(e);
    }
    let shown = crate::source::display_path(dir);
    RootSpec {
        name: shown.display().to_string(),
        dir: shown,
        var_files: t.var_files.clone(),
        vars: t.vars.clone(),
        workspace: "default".into(),
        profile: t.profile.clone().unwrap_or_else(|| "default".into()),
        example: example_dir(&abs, cwd),
        deployment: false,
    }
}

/// Directory names under which a root is an example or a test of a reusable module, not a
/// deployment.
const EXAMPLE_DIRS: &[&str] = &["examples", "example", "test", "tests"];

/// Why the root in `abs` is an example: a directory of its path below the repository (the
/// nearest directory above it with `.git`; else the working directory) is one of
/// [`EXAMPLE_DIRS`].
pub fn example_dir(abs: &Path, cwd: &Path) -> Option<String> {
    let base = abs
        .ancestors()
        .find(|d| d.join(".git").exists())
        .or_else(|| abs.starts_with(cwd).then_some(cwd))?;
    let rel = abs.strip_prefix(base).ok()?;
    rel.components()
        .filter_map(|c| c.as_os_str().to_str())
        .find(|c| EXAMPLE_DIRS.contains(c))
        .map(|c| format!("it is under {c}/"))
}

/// The root modules to evaluate, and the loader that parsed the files while finding them.
fn resolve_targets(t: &Targets, settings: &Settings, cwd: &Path) -> miette::Result<(Vec<RootSpec>, Option<Loader>)> {
    let env_spec = |e: &config::Env| RootSpec {
        name: e.name.clone(),
        dir: crate::source::display_path(&e.root),
        var_files: e.var_files.iter().chain(&t.var_files).cloned().collect(),
        vars: t.vars.clone(),
        workspace: e.workspace.clone(),
        profile: t.profile.clone().unwrap_or_else(|| e.profile.clone()),
        example: None,
        deployment: true,
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
    let skip = tree::SkipPaths::new(
        &t.skip_paths,
        &settings.skip_paths,
        cwd,
        settings.path.as_deref().and_then(Path::parent),
    )
    .map_err(|m| usage(m, Some("a glob such as 'examples/**' or '**/test'".into())))?;
    let mut specs = Vec::new();
    // Changed files (a pre-commit hook passes them): the root modules that use them.
    let (changed, paths): (Vec<PathBuf>, Vec<PathBuf>) = paths.into_iter().partition(|p| is_terraform_file(p));
    if !changed.is_empty() {
        specs.extend(roots_for_changed(&changed, t, settings, cwd, &loader, &skip, &env_spec));
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
        let roots = tree::discover_roots(&loader, &p, &skip);
        if roots.is_empty() {
            return Err(usage(
                format!("{}: no Terraform files (*.tf, *.tf.json) found", p.display()),
                None,
            ));
        }
        for dir in roots {
            specs.push(root_spec(&dir, t, settings, cwd, &env_spec));
        }
    }
    specs.sort_by(|a, b| a.name.cmp(&b.name));
    specs.dedup_by(|a, b| a.name == b.name);
    Ok((specs, Some(loader)))
}
