//! `.infracheck.toml`: environments (root module, var files, profile, workspace), found by walking
//! up from the working directory like ruff's configuration. Paths in it are relative to the file.

use crate::rules::suppress::Ignore;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = ".infracheck.toml";

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EnvOptions {
    /// The root module of the environment.
    pub root: PathBuf,
    /// Variable files read after the root's automatic ones (`terraform.tfvars`, `*.auto.tfvars`).
    #[serde(default)]
    pub var_files: Vec<PathBuf>,
    /// The policy profile (dev, staging, prod) that scopes rules; defaults to the env's name.
    pub profile: Option<String>,
    /// `terraform.workspace` for this environment; `default` unless set.
    pub workspace: Option<String>,
    /// Usage files (Infracost's format) for `infracheck cost`, read in order.
    #[serde(default)]
    pub usage_files: Vec<PathBuf>,
    /// The monthly budget in USD: `check` reports an estimate above it (rule IC-COST-001).
    pub monthly_budget_usd: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Options {
    #[serde(default)]
    pub env: BTreeMap<String, EnvOptions>,
    #[serde(default)]
    pub ignore: Vec<Ignore>,
    /// Run only these checks (ids, names or aliases), as `--check`; the command line's wins.
    #[serde(default)]
    pub check: Vec<String>,
    /// Leave these checks out, as `--skip-check`; the command line's wins.
    #[serde(default)]
    pub skip_check: Vec<String>,
    /// Directories left out when looking for root modules (globs, as `--skip-path`).
    #[serde(default)]
    pub skip_paths: Vec<String>,
    /// Download remote modules missing from the cache, as `--download-modules`.
    #[serde(default)]
    pub download_modules: bool,
}

/// An environment with its paths resolved against the config file's directory.
#[derive(Debug, Clone)]
pub struct Env {
    pub name: String,
    pub root: PathBuf,
    pub var_files: Vec<PathBuf>,
    pub profile: String,
    pub workspace: String,
    pub usage_files: Vec<PathBuf>,
    pub monthly_budget_usd: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The config file, when one was found.
    pub path: Option<PathBuf>,
    pub envs: BTreeMap<String, Env>,
    pub ignores: Vec<Ignore>,
    pub check: Vec<String>,
    pub skip_check: Vec<String>,
    /// `skip_paths` globs, relative to the configuration file's directory.
    pub skip_paths: Vec<String>,
    pub download_modules: bool,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(config::read))]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    #[diagnostic(code(config::parse), help("the format is in the README's Configuration section: https://github.com/infracheck/infracheck#configuration-infrachecktoml"))]
    Parse {
        path: String,
        message: String,
        #[source_code]
        src: crate::diag::Snippet,
        #[label("here")]
        span: Option<miette::SourceSpan>,
    },
}

/// The nearest `.infracheck.toml` at or above `start`.
pub fn find(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

#[allow(clippy::result_large_err)] // built once per run, then reported
pub fn load(path: &Path) -> Result<Settings, ConfigError> {
    let shown = crate::source::display_path(path).display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: shown.clone(),
        source,
    })?;
    let opts: Options = toml::from_str(&text).map_err(|e| {
        let (src, span) = match e.span() {
            Some(r) => {
                let (src, at) = crate::diag::Snippet::of_text(shown.clone(), &text, r.start, r.end);
                (src, Some(at))
            }
            None => (crate::diag::Snippet::empty(shown.clone()), None),
        };
        ConfigError::Parse {
            path: shown.clone(),
            message: e.message().to_string(),
            span,
            src,
        }
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let envs = opts
        .env
        .into_iter()
        .map(|(name, e)| {
            let env = Env {
                profile: e.profile.unwrap_or_else(|| name.clone()),
                workspace: e.workspace.unwrap_or_else(|| "default".into()),
                root: crate::source::normalize(&base.join(&e.root)),
                var_files: e
                    .var_files
                    .iter()
                    .map(|f| crate::source::normalize(&base.join(f)))
                    .collect(),
                usage_files: e
                    .usage_files
                    .iter()
                    .map(|f| crate::source::normalize(&base.join(f)))
                    .collect(),
                monthly_budget_usd: e.monthly_budget_usd,
                name: name.clone(),
            };
            (name, env)
        })
        .collect();
    Ok(Settings {
        path: Some(path.to_path_buf()),
        envs,
        ignores: opts.ignore,
        check: opts.check,
        skip_check: opts.skip_check,
        skip_paths: opts.skip_paths,
        download_modules: opts.download_modules,
    })
}
