//! Module trees: the root modules below a scanned directory (the directories with Terraform files
//! that no scanned directory calls as a local module), and the module directories a root uses.

use crate::hcl::config::ModuleConfig;
use crate::hcl::discover::{is_tf, is_tf_json, skip_dir};
use crate::hcl::Loader;
use crate::source::normalize;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Directories left out of root discovery: `--skip-path` globs (matched against a directory's
/// path relative to the scanned directory, and to the working directory) and the configuration's
/// `skip_paths` (relative to the configuration file's directory).
#[derive(Debug, Default)]
pub struct SkipPaths {
    /// Each glob with the directory its matches are relative to (`None`: the scanned one).
    globs: Vec<(globset::GlobMatcher, Option<PathBuf>)>,
}

impl SkipPaths {
    /// `cli` globs relative to the scan and `cwd`; `configured` ones relative to `config_dir`.
    pub fn new(
        cli: &[String],
        configured: &[String],
        cwd: &Path,
        config_dir: Option<&Path>,
    ) -> Result<SkipPaths, String> {
        let compile = |g: &str| {
            globset::GlobBuilder::new(g.trim_end_matches('/'))
                .literal_separator(true)
                .build()
                .map(|g| g.compile_matcher())
                .map_err(|e| format!("--skip-path {g:?}: {e}"))
        };
        let mut globs = Vec::new();
        for g in cli {
            let m = compile(g)?;
            globs.push((m.clone(), None));
            globs.push((m, Some(normalize(cwd))));
        }
        for g in configured {
            let base = config_dir
                .map(|d| normalize(&cwd.join(d)))
                .unwrap_or_else(|| normalize(cwd));
            globs.push((compile(g)?, Some(base)));
        }
        Ok(SkipPaths { globs })
    }

    /// Whether the directory `dir` (absolute) below the scanned `scan` (absolute) is left out.
    fn skips(&self, scan: &Path, dir: &Path) -> bool {
        self.globs.iter().any(|(g, base)| {
            let base = base.as_deref().unwrap_or(scan);
            dir.strip_prefix(base)
                .ok()
                .filter(|rel| !rel.as_os_str().is_empty())
                .is_some_and(|rel| g.is_match(rel))
        })
    }
}

/// The root modules at or below `path` (`path` included): every directory with Terraform files
/// that no scanned directory calls as a local module. A reusable module at the top of its
/// repository is thus checked through its examples, which call it. Hidden directories
/// (`.terraform`, `.git`), `node_modules`, `target` and what `skip` names are not scanned.
pub fn discover_roots(loader: &Loader, path: &Path, skip: &SkipPaths) -> Vec<PathBuf> {
    // Absolute paths throughout, as evaluation reads them: each file is parsed once.
    let cwd = std::env::current_dir().unwrap_or_default();
    let abs_scan = normalize(&cwd.join(path));
    let mut dirs = BTreeSet::new();
    let walker = walkdir::WalkDir::new(&abs_scan)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !e.file_type().is_dir()
                || !(skip_dir(&e.file_name().to_string_lossy()) || skip.skips(&abs_scan, e.path()))
        });
    for entry in walker.flatten() {
        let p = entry.path();
        if entry.file_type().is_file() && (is_tf(p) || is_tf_json(p)) {
            if let Some(parent) = p.parent() {
                dirs.insert(normalize(parent));
            }
        }
    }
    // Every directory's configuration once, in parallel, before looking at module calls: each is
    // built from its files' syntax trees, which are dropped then, so they never coexist.
    let configs: Vec<(PathBuf, Arc<ModuleConfig>)> = dirs.par_iter().map(|d| (d.clone(), loader.module(d))).collect();
    let mut called = BTreeSet::new();
    for (dir, cfg) in &configs {
        for call in cfg.module_calls.values() {
            if call.is_local() {
                let target = normalize(&dir.join(&call.source));
                // A directory calling itself (`source = "./"`) is a recursion error of that root,
                // not a reason to skip it.
                if target != *dir {
                    called.insert(target);
                }
            }
        }
    }
    dirs.into_iter().filter(|d| !called.contains(d)).collect()
}

/// Every module directory a root uses: itself and, transitively, its local module calls.
pub fn module_dirs(loader: &Loader, root: &Path) -> BTreeSet<PathBuf> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![normalize(root)];
    while let Some(dir) = todo.pop() {
        if !seen.insert(dir.clone()) {
            continue;
        }
        for call in loader.module(&dir).module_calls.values().filter(|c| c.is_local()) {
            todo.push(normalize(&dir.join(&call.source)));
        }
    }
    seen
}
