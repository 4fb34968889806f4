//! Changed files, as a pre-commit hook passes them: the root modules that use them.

use super::tree::{discover_roots, module_dirs};
use super::Targets;
use crate::config::{self, Settings};
use crate::hcl::{Loader, RootSpec};
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

/// The root modules that changed files belong to: the configured environments (or, without a
/// configuration, the roots found below the working directory) that use their directories; a
/// directory no root uses is checked on its own.
pub fn roots_for_changed(
    changed: &[PathBuf],
    t: &Targets,
    settings: &Settings,
    cwd: &Path,
    loader: &Loader,
    env_spec: &dyn Fn(&config::Env) -> RootSpec,
) -> Vec<RootSpec> {
    let dirs: BTreeSet<PathBuf> = changed
        .iter()
        .filter_map(|f| crate::source::normalize(&cwd.join(f)).parent().map(PathBuf::from))
        .collect();
    let path_spec = |dir: &Path| {
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
        discover_roots(loader, cwd)
            .into_iter()
            .map(|d| (path_spec(&d), crate::source::normalize(&cwd.join(&d))))
            .collect()
    } else {
        settings.envs.values().map(|e| (env_spec(e), e.root.clone())).collect()
    };
    let mut out = Vec::new();
    let mut covered = BTreeSet::new();
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
