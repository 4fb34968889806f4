//! Getting a package onto disk: `git clone` (as Terraform's go-getter does, with the `git` on
//! PATH), an HTTP(S) archive (tar.gz, tar, zip) unpacked in place, or a plain URL that says where
//! the package is (`X-Terraform-Get`).

use super::address::{self, ArchiveKind, Remote, RemoteKind};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use ureq::ResponseExt;

/// The most an archive may hold, compressed or not: a module is kilobytes.
const MAX_DOWNLOAD: u64 = 256 << 20;
/// How many `X-Terraform-Get` hops a download may take.
const MAX_HOPS: usize = 5;

/// An HTTP client with Terraform's credentials.
pub struct Http {
    agent: ureq::Agent,
}

/// A bearer token for `host` from `TF_TOKEN_<host>`, as Terraform reads it: dots are
/// underscores, hyphens double underscores (`TF_TOKEN_app_terraform_io`). A host with a port
/// takes its hostname's token.
pub fn token_for(host: &str) -> Option<String> {
    let name = |h: &str| format!("TF_TOKEN_{}", h.replace('-', "__").replace('.', "_"));
    let host = host.to_ascii_lowercase();
    let bare = host.split(':').next().unwrap_or(&host).to_string();
    std::env::vars().find_map(|(k, v)| {
        let k_lower = k.to_ascii_lowercase();
        (!v.is_empty() && (k_lower == name(&host).to_ascii_lowercase() || k_lower == name(&bare).to_ascii_lowercase()))
            .then_some(v)
    })
}

pub struct Response {
    pub status: u16,
    pub terraform_get: Option<String>,
    pub body: Vec<u8>,
    /// The URL after redirects.
    pub url: String,
}

impl Http {
    pub fn new() -> Http {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(120)))
            .http_status_as_error(false)
            .user_agent(concat!("infracheck/", env!("CARGO_PKG_VERSION")))
            .build();
        Http { agent: config.into() }
    }

    pub fn get(&self, url: &str, token: Option<&str>) -> Result<Response, String> {
        let mut req = self.agent.get(url);
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let mut resp = req.call().map_err(|e| format!("GET {url}: {e}"))?;
        let status = resp.status().as_u16();
        let terraform_get = resp
            .headers()
            .get("x-terraform-get")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let final_url = resp.get_uri().to_string();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_DOWNLOAD)
            .read_to_vec()
            .map_err(|e| format!("GET {url}: {e}"))?;
        Ok(Response {
            status,
            terraform_get,
            body,
            url: final_url,
        })
    }
}

impl Default for Http {
    fn default() -> Self {
        Http::new()
    }
}

/// `relative` read against `base`, as a browser (and go-getter) would.
pub fn join_url(base: &str, relative: &str) -> String {
    if relative.contains("::") || relative.contains("://") {
        return relative.to_string();
    }
    match url::Url::parse(base).and_then(|b| b.join(relative)) {
        Ok(u) => u.to_string(),
        Err(_) => relative.to_string(),
    }
}

fn host_of(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let host = u.host_str()?.to_string();
    Some(match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

/// Fetches `remote` into `dest` (which must not exist yet), returning the package's
/// subdirectory that `X-Terraform-Get` hops added to the address's own.
pub fn fetch(http: &Http, remote: &Remote, dest: &Path, token_host: Option<&str>) -> Result<String, String> {
    let mut remote = remote.clone();
    let mut subdir = String::new();
    for _ in 0..MAX_HOPS {
        match &remote.kind {
            RemoteKind::Git => {
                git_clone(&remote, dest)?;
                return Ok(subdir);
            }
            RemoteKind::Archive(kind) => {
                let token = token_for_url(&remote.url, token_host);
                let resp = http.get(&remote.url, token.as_deref())?;
                if !(200..300).contains(&resp.status) {
                    return Err(format!("GET {}: HTTP {}", remote.url, resp.status));
                }
                unpack(*kind, &resp.body, dest)?;
                return Ok(subdir);
            }
            RemoteKind::Http => {
                // Terraform asks the URL where the module is: `terraform-get=1`, answered by an
                // `X-Terraform-Get` header or a `<meta name="terraform-get">` tag.
                let sep = if remote.url.contains('?') { '&' } else { '?' };
                let ask = format!("{}{sep}terraform-get=1", remote.url);
                let token = token_for_url(&remote.url, token_host);
                let resp = http.get(&ask, token.as_deref())?;
                if !(200..300).contains(&resp.status) {
                    return Err(format!("GET {ask}: HTTP {}", resp.status));
                }
                let location = resp
                    .terraform_get
                    .clone()
                    .or_else(|| meta_terraform_get(&String::from_utf8_lossy(&resp.body)))
                    .ok_or_else(|| {
                        format!(
                            "{} is neither an archive nor a page that says where the module is (X-Terraform-Get)",
                            remote.url
                        )
                    })?;
                let next = match address::parse(&join_url(&resp.url, &location)) {
                    Ok(address::Source::Remote(r)) => r,
                    Ok(_) | Err(_) => return Err(format!("{}: X-Terraform-Get {location:?} is not a URL", remote.url)),
                };
                if !next.subdir.is_empty() {
                    subdir = join_subdir(&next.subdir, &subdir);
                }
                remote = next;
            }
            RemoteKind::Unsupported(what) => {
                return Err(format!(
                    "{what} sources are not supported by infracheck; run `terraform init` and infracheck reads .terraform/modules"
                ))
            }
        }
    }
    Err(format!(
        "{}: more than {MAX_HOPS} X-Terraform-Get redirections",
        remote.url
    ))
}

fn token_for_url(url: &str, registry_host: Option<&str>) -> Option<String> {
    let host = host_of(url)?;
    if registry_host.is_some_and(|h| h.eq_ignore_ascii_case(&host)) {
        token_for(&host)
    } else {
        None
    }
}

pub fn join_subdir(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{}/{}", a.trim_end_matches('/'), b.trim_start_matches('/')),
    }
}

fn meta_terraform_get(html: &str) -> Option<String> {
    let re = regex::Regex::new(r#"<meta\s+name="terraform-get"\s+content="([^"]+)""#).ok()?;
    re.captures(html).map(|c| c[1].replace("&amp;", "&"))
}

fn git(args: &[&str], cwd: Option<&Path>) -> Result<(), String> {
    let mut cmd = Command::new("git");
    cmd.args(args)
        // Never wait for a password on a terminal: fail instead.
        .env("GIT_TERMINAL_PROMPT", "0")
        .env(
            "GIT_SSH_COMMAND",
            std::env::var("GIT_SSH_COMMAND").unwrap_or_else(|_| "ssh -o BatchMode=yes -o ConnectTimeout=30".into()),
        );
    if let Some(d) = cwd {
        cmd.current_dir(d);
    }
    let out = cmd.output().map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
        Err(format!("git {}: {last}", args.first().copied().unwrap_or("")))
    }
}

fn git_clone(remote: &Remote, dest: &Path) -> Result<(), String> {
    let dest_s = dest.to_string_lossy().into_owned();
    let depth = remote.depth.map(|d| d.to_string());
    match (&remote.git_ref, &depth) {
        (None, _) => {
            let mut args = vec!["clone", "--quiet"];
            if let Some(d) = &depth {
                args.extend(["--depth", d]);
            }
            args.extend(["--", &remote.url, &dest_s]);
            git(&args, None)?;
        }
        (Some(r), _) => {
            // A branch or tag clones shallowly; a commit is fetched alone where the server allows
            // it (GitHub, GitLab, git >= 2.26 over file://), else the history is cloned and the
            // commit checked out.
            let d = depth.as_deref().unwrap_or("1");
            let shallow = git(
                &[
                    "clone",
                    "--quiet",
                    "--depth",
                    d,
                    "--branch",
                    r,
                    "--",
                    &remote.url,
                    &dest_s,
                ],
                None,
            );
            if shallow.is_err() {
                let _ = std::fs::remove_dir_all(dest);
                let by_commit = std::fs::create_dir_all(dest)
                    .map_err(|e| e.to_string())
                    .and_then(|_| git(&["init", "--quiet"], Some(dest)))
                    .and_then(|_| git(&["fetch", "--quiet", "--depth", d, "--", &remote.url, r], Some(dest)))
                    .and_then(|_| {
                        git(
                            &["-c", "advice.detachedHead=false", "checkout", "--quiet", "FETCH_HEAD"],
                            Some(dest),
                        )
                    });
                if by_commit.is_err() {
                    let _ = std::fs::remove_dir_all(dest);
                    git(&["clone", "--quiet", "--", &remote.url, &dest_s], None)?;
                    git(
                        &["-c", "advice.detachedHead=false", "checkout", "--quiet", r],
                        Some(dest),
                    )
                    .map_err(|e| format!("{e} (ref {r:?})"))?;
                }
            }
        }
    }
    // The history is not read: keep the cache small.
    let _ = std::fs::remove_dir_all(dest.join(".git"));
    Ok(())
}

fn unpack(kind: ArchiveKind, bytes: &[u8], dest: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dest).map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
    match kind {
        ArchiveKind::TarGz => untar(flate2::read::GzDecoder::new(bytes), dest),
        ArchiveKind::Tar => untar(bytes, dest),
        ArchiveKind::Zip => {
            let mut z =
                zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| format!("not a zip archive: {e}"))?;
            // extract() refuses entries that would leave `dest`.
            z.extract(dest)
                .map_err(|e| format!("cannot unpack the zip archive: {e}"))
        }
    }
}

fn untar(r: impl Read, dest: &Path) -> Result<(), String> {
    let mut a = tar::Archive::new(r.take(MAX_DOWNLOAD * 4));
    for entry in a.entries().map_err(|e| format!("not a tar archive: {e}"))? {
        let mut entry = entry.map_err(|e| format!("cannot read the archive: {e}"))?;
        // unpack_in() refuses entries that would leave `dest`; links are not followed.
        let kind = entry.header().entry_type();
        if kind.is_symlink() || kind.is_hard_link() {
            continue;
        }
        entry
            .unpack_in(dest)
            .map_err(|e| format!("cannot unpack the archive: {e}"))?;
    }
    Ok(())
}

/// The directory `subdir` names inside `pkg`: go-getter allows a glob (`*`, as GitHub archives'
/// single top-level directory is addressed), which must match exactly one directory.
pub fn subdir_in(pkg: &Path, subdir: &str) -> Result<PathBuf, String> {
    let mut dir = pkg.to_path_buf();
    for seg in subdir.split('/').filter(|s| !s.is_empty() && *s != ".") {
        if seg == ".." {
            return Err(format!("the subdirectory {subdir:?} leaves the package"));
        }
        if seg.contains(['*', '?', '[']) {
            let glob = globset::Glob::new(seg)
                .map_err(|e| format!("bad subdirectory glob {seg:?}: {e}"))?
                .compile_matcher();
            let mut hits: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
                .flatten()
                .filter(|e| e.path().is_dir() && glob.is_match(e.file_name()))
                .map(|e| e.path())
                .collect();
            hits.sort();
            match hits.len() {
                1 => dir = hits.remove(0),
                0 => return Err(format!("the subdirectory {subdir:?} matches nothing in the package")),
                n => {
                    return Err(format!(
                        "the subdirectory {subdir:?} matches {n} directories in the package"
                    ))
                }
            }
        } else {
            dir.push(seg);
        }
    }
    Ok(dir)
}
