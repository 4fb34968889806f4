//! Changed files, as a pre-commit hook passes them: the root modules that use them.

use super::tree::{discover_roots, module_dirs, SkipPaths};
use super::{root_spec, Targets};
use crate::config::{self, Settings};
use crate::hcl::{Loader, RootSpec};
use crate::source::normalize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A Terraform source or variables file, as a pre-commit hook passes changed files.
pub fn is_terraform_file(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    p.is_file()
        && [".tf", ".tf.json", ".tfvars", ".tfvars.json"]
            .iter()
            .any(|e| name.ends_with(e))
}

/// The root modules that changed files belong to: every root found below the working directory
/// (a configured environment's root as that environment) whose module tree (itself and the
/// local modules it calls, transitively) holds a changed file's directory, and every environment
/// that reads a changed variables file. A changed directory no root uses (outside the working
/// directory, or left out by `--skip-path`) is checked on its own.
#[allow(clippy::too_many_arguments)]
pub fn roots_for_changed(
    changed: &[PathBuf],
    t: &Targets,
    settings: &Settings,
    cwd: &Path,
    loader: &Loader,
    skip: &SkipPaths,
    env_spec: &dyn Fn(&config::Env) -> RootSpec,
) -> Vec<RootSpec> {
    let files: BTreeSet<PathBuf> = changed.iter().map(|f| normalize(&cwd.join(f))).collect();
    let dirs: BTreeSet<PathBuf> = files.iter().filter_map(|f| f.parent().map(PathBuf::from)).collect();
    // Configured environments first, then the roots below the working directory.
    let mut candidates: Vec<(RootSpec, PathBuf)> = settings
        .envs
        .values()
        .map(|e| (env_spec(e), normalize(&cwd.join(&e.root))))
        .collect();
    for d in discover_roots(loader, cwd, skip) {
        let abs = normalize(&cwd.join(&d));
        if !candidates.iter().any(|(_, r)| *r == abs) {
            candidates.push((root_spec(&d, t, settings, cwd, env_spec), abs));
        }
    }
    let mut out = Vec::new();
    let mut covered = BTreeSet::new();
    for (spec, root) in candidates {
        let used = module_dirs(loader, &root);
        let hits: Vec<&PathBuf> = dirs.iter().filter(|d| used.contains(*d)).collect();
        let var_file = settings
            .envs
            .get(&spec.name)
            .is_some_and(|e| e.var_files.iter().any(|v| files.contains(&normalize(&cwd.join(v)))));
        if !hits.is_empty() || var_file {
            covered.extend(hits.into_iter().cloned());
            out.push(spec);
        }
    }
    for d in dirs.difference(&covered) {
        if !crate::hcl::discover::module_files(d).is_empty() {
            out.push(root_spec(d, t, settings, cwd, env_spec));
        }
    }
    out
}
