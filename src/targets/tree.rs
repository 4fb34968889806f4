//! Module trees: the root modules below a scanned directory (the directories with Terraform files
//! that no scanned directory calls as a local module), and the module directories a root uses.

use crate::hcl::config::ModuleConfig;
use crate::hcl::discover::{is_tf, is_tf_json, module_files, skip_dir};
use crate::hcl::Loader;
use crate::source::normalize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The root modules at or below `path`: `path` itself when it holds Terraform files; otherwise
/// every directory with Terraform files that no scanned directory calls as a local module.
pub fn discover_roots(loader: &Loader, path: &Path) -> Vec<PathBuf> {
    let path = match normalize(path) {
        p if p.as_os_str().is_empty() => PathBuf::from("."),
        p => p,
    };
    if !module_files(&path).is_empty() {
        return vec![path];
    }
    let mut dirs = BTreeSet::new();
    let walker = walkdir::WalkDir::new(&path)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !(e.file_type().is_dir() && skip_dir(&e.file_name().to_string_lossy())));
    let mut all_files = Vec::new();
    for entry in walker.flatten() {
        let p = entry.path();
        if entry.file_type().is_file() && (is_tf(p) || is_tf_json(p)) {
            if let Some(parent) = p.parent() {
                dirs.insert(normalize(parent));
            }
            all_files.push(normalize(p));
        }
    }
    // Parse everything once, in parallel, before looking at module calls.
    loader.parse_all(&all_files);
    let configs: Vec<(PathBuf, Arc<ModuleConfig>)> = dirs.iter().map(|d| (d.clone(), loader.module(d))).collect();
    let mut called = BTreeSet::new();
    for (dir, cfg) in &configs {
        for call in cfg.module_calls.values() {
            if call.is_local() {
                called.insert(normalize(&dir.join(&call.source)));
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
