//! Remote modules: registry, git and HTTP(S) archive sources resolved and downloaded into a
//! cache, then read like local ones. Offline by default: without `--download-modules` only what
//! the cache already holds is read (and `.terraform/modules`, which the evaluator reads first).
//!
//! The cache (`$INFRACHECK_CACHE_DIR`, else `$XDG_CACHE_HOME/infracheck`, else
//! `~/.cache/infracheck`) holds one directory per package, keyed by source and resolved version:
//! `modules/registry/HOST/NAMESPACE/NAME/SYSTEM/VERSION/` and `modules/remote/KEY/` (KEY hashes a
//! git or HTTP URL with its `ref`). Each holds `.infracheck-package.json` (what it is, where it
//! came from, when), written last, so a directory without it is incomplete and is ignored.

pub mod address;
pub mod fetch;
pub mod registry;
pub mod version;

use address::{RegistryAddress, Remote, RemoteKind, Source};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use version::{Constraints, Version};

const META: &str = ".infracheck-package.json";

/// Where a module call's source was read from.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The module's directory.
    pub dir: PathBuf,
    /// The registry version chosen, when the source is a registry address.
    pub version: Option<String>,
    /// Whether this run downloaded it (false: from the cache).
    pub downloaded: bool,
}

/// Why a module call's source was not read.
#[derive(Debug, Clone)]
pub struct NotFollowed {
    pub reason: String,
    pub help: Option<String>,
    /// The source or version itself is malformed: an error Terraform reports too.
    pub invalid: bool,
    /// Only missing because downloading is off (`--download-modules` would follow it).
    pub offline: bool,
}

type Outcome = Result<Resolved, NotFollowed>;
/// One cell per (source, version), so concurrent roots wait for one download.
type Cells = Mutex<HashMap<(String, String), Arc<OnceLock<Outcome>>>>;

/// Resolves and caches remote module sources for a run (shared by every root).
pub struct Resolver {
    cache: Option<PathBuf>,
    download: bool,
    http: OnceLock<fetch::Http>,
    results: Cells,
}

impl Default for Resolver {
    fn default() -> Self {
        Resolver::new(default_cache_dir(), false)
    }
}

/// `$INFRACHECK_CACHE_DIR`, else `$XDG_CACHE_HOME/infracheck`, else `~/.cache/infracheck`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("INFRACHECK_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("infracheck")))
        .or_else(|| var("HOME").map(|h| h.join(".cache/infracheck")))
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Meta {
    source: String,
    version: Option<String>,
    /// Where the package was downloaded from (the registry's `X-Terraform-Get`, or the source).
    location: String,
    /// The package's directory the location names (`//subdir`), before the source's own.
    subdir: String,
    fetched: String,
}

fn read_meta(dir: &Path) -> Option<Meta> {
    serde_json::from_str(&std::fs::read_to_string(dir.join(META)).ok()?).ok()
}

fn not_followed(reason: String) -> NotFollowed {
    NotFollowed {
        reason,
        help: None,
        invalid: false,
        offline: false,
    }
}

impl Resolver {
    pub fn new(cache: Option<PathBuf>, download: bool) -> Resolver {
        Resolver {
            cache,
            download,
            http: OnceLock::new(),
            results: Mutex::new(HashMap::new()),
        }
    }

    /// The package directory holding `dir`, when `dir` is inside this cache.
    pub fn package_of(&self, dir: &Path) -> Option<PathBuf> {
        let cache = self.cache.as_deref()?;
        if !dir.starts_with(cache) {
            return None;
        }
        dir.ancestors()
            .take_while(|d| d.starts_with(cache))
            .find(|d| d.join(META).is_file())
            .map(Path::to_path_buf)
    }

    /// The directory of a remote module source (`source`, `version` as the call writes them),
    /// resolved once per run.
    pub fn resolve(&self, source: &str, version: Option<&str>) -> Outcome {
        let key = (source.to_string(), version.unwrap_or_default().to_string());
        let cell = Arc::clone(
            self.results
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(key)
                .or_default(),
        );
        cell.get_or_init(|| self.resolve_uncached(source, version)).clone()
    }

    fn resolve_uncached(&self, source: &str, version: Option<&str>) -> Outcome {
        let parsed = address::parse(source).map_err(|reason| NotFollowed {
            reason,
            help: Some(
                "see Terraform's module source forms: a registry address, git::, github.com/…, https://…".into(),
            ),
            invalid: true,
            offline: false,
        })?;
        match parsed {
            Source::Local(_) => Err(not_followed(format!("{source:?} is a local path"))),
            Source::Registry(addr) => {
                let constraint = Constraints::parse(version.unwrap_or_default()).map_err(|reason| NotFollowed {
                    reason,
                    help: Some("Terraform's constraints: \"1.2.0\", \"~> 1.2\", \">= 1.0, < 2.0\"".into()),
                    invalid: true,
                    offline: false,
                })?;
                self.registry(source, &addr, &constraint)
            }
            Source::Remote(remote) => self.remote(source, &remote),
        }
    }

    fn offline(&self, source: &str) -> NotFollowed {
        let cache = match &self.cache {
            Some(_) => "",
            None => " (no cache directory: set INFRACHECK_CACHE_DIR or HOME)",
        };
        NotFollowed {
            reason: format!("{source:?} is not in the module cache{cache}"),
            help: Some(
                "not followed — run with --download-modules (or download_modules = true in .infracheck.toml), or `terraform init`".into(),
            ),
            invalid: false,
            offline: true,
        }
    }

    fn http(&self) -> &fetch::Http {
        self.http.get_or_init(fetch::Http::new)
    }

    fn registry(&self, source: &str, addr: &RegistryAddress, constraint: &Constraints) -> Outcome {
        let cache = self.cache.as_ref().ok_or_else(|| self.offline(source))?;
        let dir = cache
            .join("modules/registry")
            .join(addr.host.replace(':', "_"))
            .join(&addr.namespace)
            .join(&addr.name)
            .join(&addr.system);
        // A cached version the constraint allows is used as it is (as `terraform init` keeps an
        // installed one): a second run needs no network.
        let cached: Vec<(Version, PathBuf)> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().join(META).is_file())
            .filter_map(|e| Some((Version::parse(&e.file_name().to_string_lossy())?, e.path())))
            .collect();
        if let Some(v) = constraint.newest(cached.iter().map(|(v, _)| v)) {
            let pkg = cached
                .iter()
                .find(|(c, _)| c == v)
                .map(|(_, p)| p.clone())
                .expect("chosen from the list");
            return self.module_dir(&pkg, &addr.subdir, Some(v.to_string()), false);
        }
        if !self.download {
            return Err(self.offline(source));
        }
        let reg = registry::Registry::new(self.http());
        let (chosen, location) = reg.locate(addr, constraint).map_err(not_followed)?;
        let remote = match address::parse(&location) {
            Ok(Source::Remote(r)) => r,
            _ => {
                return Err(not_followed(format!(
                    "{addr} {chosen}: the registry's download location {location:?} is not a URL"
                )))
            }
        };
        let pkg = dir.join(chosen.to_string());
        let meta = Meta {
            source: addr.to_string(),
            version: Some(chosen.to_string()),
            location: location.clone(),
            subdir: String::new(),
            fetched: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        };
        self.download_into(&remote, &pkg, meta, &remote.subdir, Some(&addr.host))?;
        self.module_dir(&pkg, &addr.subdir, Some(chosen.to_string()), true)
    }

    fn remote(&self, source: &str, remote: &Remote) -> Outcome {
        if let RemoteKind::Unsupported(what) = &remote.kind {
            return Err(NotFollowed {
                reason: format!("{what} module sources are not supported by infracheck"),
                help: Some("run `terraform init`: infracheck then reads .terraform/modules".into()),
                invalid: false,
                offline: false,
            });
        }
        let cache = self.cache.as_ref().ok_or_else(|| self.offline(source))?;
        let mut h = Sha256::new();
        h.update(remote.url.as_bytes());
        h.update(b"\n");
        h.update(remote.git_ref.as_deref().unwrap_or_default().as_bytes());
        let key: String = h.finalize().iter().take(10).map(|b| format!("{b:02x}")).collect();
        let pkg = cache.join("modules/remote").join(key);
        if pkg.join(META).is_file() {
            return self.module_dir(&pkg, &remote.subdir, None, false);
        }
        if !self.download {
            return Err(self.offline(source));
        }
        let meta = Meta {
            source: source.to_string(),
            version: remote.git_ref.clone(),
            location: remote.url.clone(),
            subdir: String::new(),
            fetched: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        };
        self.download_into(remote, &pkg, meta, "", None)?;
        self.module_dir(&pkg, &remote.subdir, None, true)
    }

    /// Downloads into a temporary directory beside `pkg`, then renames it into place, so a
    /// concurrent run never reads half a package.
    /// `location_subdir` is the directory a registry's download location names inside the
    /// package; a source's own `//subdir` is applied when reading, not recorded.
    fn download_into(
        &self,
        remote: &Remote,
        pkg: &Path,
        mut meta: Meta,
        location_subdir: &str,
        token_host: Option<&str>,
    ) -> Result<(), NotFollowed> {
        let parent = pkg.parent().expect("a package has a parent");
        std::fs::create_dir_all(parent)
            .map_err(|e| not_followed(format!("cannot create the module cache {}: {e}", parent.display())))?;
        let tmp = tempfile::Builder::new()
            .prefix(".download-")
            .tempdir_in(parent)
            .map_err(|e| not_followed(format!("cannot write to the module cache {}: {e}", parent.display())))?;
        let dest = tmp.path().join("pkg");
        let hops = fetch::fetch(self.http(), remote, &dest, token_host).map_err(not_followed)?;
        meta.subdir = fetch::join_subdir(location_subdir, &hops);
        let text = serde_json::to_string_pretty(&meta).unwrap_or_default();
        std::fs::create_dir_all(&dest).map_err(|e| not_followed(format!("cannot write {}: {e}", dest.display())))?;
        std::fs::write(dest.join(META), text)
            .map_err(|e| not_followed(format!("cannot write the module cache: {e}")))?;
        if std::fs::rename(&dest, pkg).is_err() && !pkg.join(META).is_file() {
            return Err(not_followed(format!("cannot move the download into {}", pkg.display())));
        }
        Ok(())
    }

    /// The module directory: the package's own subdirectory (from its location), then the
    /// source's `//subdir`.
    fn module_dir(&self, pkg: &Path, subdir: &str, version: Option<String>, downloaded: bool) -> Outcome {
        let meta =
            read_meta(pkg).ok_or_else(|| not_followed(format!("{} is not a complete download", pkg.display())))?;
        let dir = fetch::subdir_in(pkg, &fetch::join_subdir(&meta.subdir, subdir)).map_err(not_followed)?;
        if !dir.is_dir() {
            return Err(not_followed(format!(
                "the package has no directory {:?}",
                fetch::join_subdir(&meta.subdir, subdir)
            )));
        }
        Ok(Resolved {
            dir: crate::source::normalize(&dir),
            version,
            downloaded,
        })
    }
}
