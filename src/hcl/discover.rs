//! Finding and loading Terraform: the files of a module directory, parsed once, in parallel, into
//! its configuration, which is cached while roots use it (the syntax trees are not kept). Which
//! directories are roots is `targets::tree`'s.

use super::config::ModuleConfig;
use super::parse::{parse_file, ParsedFile};
use crate::diag::Diagnostic;
use crate::source::{normalize, SourceMap};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

type Parsed = Result<Arc<ParsedFile>, Box<Diagnostic>>;

/// One root module to evaluate.
#[derive(Debug, Clone)]
pub struct RootSpec {
    /// The environment name, or the directory as the user sees it.
    pub name: String,
    pub dir: PathBuf,
    /// `-var-file` files, in order, after the automatic ones.
    pub var_files: Vec<PathBuf>,
    /// `-var name=value`, in order, last.
    pub vars: Vec<(String, String)>,
    pub workspace: String,
    /// The policy profile that scopes rules.
    pub profile: String,
    /// Why the root is an example of a reusable module, not a deployment (`under examples/`):
    /// found by the scan of a tree; `None` for configured environments.
    pub example: Option<String>,
    /// Named as an environment in `.infracheck.toml`: a deployment, never an example.
    pub deployment: bool,
}

/// Loads and caches files and module configurations. Shared by every root of a run.
pub struct Loader {
    pub sources: SourceMap,
    /// Filesystem functions may read only below this directory.
    pub scan_root: PathBuf,
    /// One cell per module directory, so concurrent roots calling the same module wait for one
    /// load instead of parsing its files again.
    modules: Mutex<HashMap<PathBuf, Arc<OnceLock<Arc<ModuleConfig>>>>>,
    /// Remote module sources: the module cache, and downloads when they are allowed.
    pub remote: crate::modules::Resolver,
}

pub fn is_tf(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "tf")
}

pub fn is_tf_json(p: &Path) -> bool {
    p.to_string_lossy().ends_with(".tf.json")
}

/// Terraform reads `*_override.tf` and `override.tf` last.
fn is_override(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.trim_end_matches(".json").trim_end_matches(".tf");
    stem == "override" || stem.ends_with("_override")
}

/// The Terraform files directly in `dir`, in Terraform's order (lexical, overrides last).
pub fn module_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        // The entry's type comes with the listing; only a symbolic link needs a `stat`.
        Ok(rd) => rd
            .flatten()
            .filter(|e| {
                e.file_type()
                    .is_ok_and(|t| t.is_file() || (t.is_symlink() && e.path().is_file()))
            })
            .map(|e| e.path())
            .filter(|p| is_tf(p) || is_tf_json(p))
            .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort_by_key(|p| (is_override(p), p.clone()));
    files
}

/// Directories a tree walk does not enter: hidden ones, `node_modules`, `target`.
pub fn skip_dir(name: &str) -> bool {
    name.starts_with('.') || name == "node_modules" || name == "target"
}

impl Loader {
    pub fn new(scan_root: PathBuf) -> Loader {
        Loader {
            sources: SourceMap::default(),
            scan_root,
            modules: Mutex::new(HashMap::new()),
            remote: crate::modules::Resolver::default(),
        }
    }

    /// The same loader, resolving remote module sources with `remote`.
    pub fn with_remote(mut self, remote: crate::modules::Resolver) -> Loader {
        self.remote = remote;
        self
    }

    /// The same loader, limiting filesystem functions to `scan_root`.
    pub fn rescoped(mut self, scan_root: PathBuf) -> Loader {
        self.scan_root = scan_root;
        self
    }

    fn parse_one(&self, path: &Path) -> Parsed {
        if is_tf_json(path) {
            return super::json::parse_json_file(path, &self.sources).map(Arc::new);
        }
        parse_file(path, &self.sources).map(Arc::new)
    }

    /// Drops the cached configuration of the module in `dir`: no root still to evaluate uses it.
    /// (Asked for again, it is loaded again.)
    pub fn release(&self, dir: &Path) {
        self.modules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&normalize(dir));
    }

    /// The configuration of the module in `dir`, loaded once.
    pub fn module(&self, dir: &Path) -> Arc<ModuleConfig> {
        let dir = normalize(dir);
        let cell = Arc::clone(
            self.modules
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(dir.clone())
                .or_default(),
        );
        Arc::clone(cell.get_or_init(|| {
            let paths = module_files(&dir);
            let parsed: Vec<Parsed> = paths.par_iter().map(|p| self.parse_one(p)).collect();
            let mut ok = Vec::new();
            let mut diags = Vec::new();
            for r in parsed {
                match r {
                    Ok(f) => ok.push(f),
                    Err(d) => diags.push(*d),
                }
            }
            let mut cfg = ModuleConfig::build(dir.clone(), &ok);
            cfg.diagnostics.extend(diags);
            // The declarations own what they need of the syntax trees, which are dropped here:
            // a tree is several times the size of its text, and every file belongs to one module.
            drop(ok);
            Arc::new(cfg)
        }))
    }
}
