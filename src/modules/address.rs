//! Module source addresses, read as Terraform reads them (`addrs.ParseModuleSource`): a local
//! path, else a registry address when it parses as one, else a remote (go-getter) address: a
//! forced getter (`git::…`), a shorthand Terraform expands (`github.com/org/repo`,
//! `git@github.com:org/repo.git`, `bitbucket.org/org/repo`), or a plain URL.

use std::fmt;

/// What a module `source` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `./x`, `../x`: read from disk relative to the calling module.
    Local(String),
    Registry(RegistryAddress),
    Remote(Remote),
}

/// `[HOST/]NAMESPACE/NAME/SYSTEM[//SUBDIR]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryAddress {
    pub host: String,
    pub namespace: String,
    pub name: String,
    pub system: String,
    pub subdir: String,
}

/// A package fetched from a URL, with the directory inside it (`//subdir`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub kind: RemoteKind,
    /// The URL without the subdirectory (and, for git, without `ref`, `depth`, `sshkey`).
    pub url: String,
    /// git: the `ref` query argument.
    pub git_ref: Option<String>,
    /// git: the `depth` query argument.
    pub depth: Option<u32>,
    pub subdir: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteKind {
    Git,
    /// An archive over HTTP(S): `tar.gz`/`tgz`, `tar` or `zip`.
    Archive(ArchiveKind),
    /// A plain HTTP(S) URL: Terraform asks it where the module is (`X-Terraform-Get`).
    Http,
    /// A getter infracheck does not implement (`s3::`, `gcs::`, `hg::`, …), with its name.
    Unsupported(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    TarGz,
    Tar,
    Zip,
}

pub const DEFAULT_REGISTRY: &str = "registry.terraform.io";

impl fmt::Display for RegistryAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host != DEFAULT_REGISTRY {
            write!(f, "{}/", self.host)?;
        }
        write!(f, "{}/{}/{}", self.namespace, self.name, self.system)?;
        if !self.subdir.is_empty() {
            write!(f, "//{}", self.subdir)?;
        }
        Ok(())
    }
}

/// Terraform's local prefixes (`./`, `../`, and their Windows spellings), plus `.` and `..`,
/// which infracheck has always read as the directory itself.
pub fn is_local(raw: &str) -> bool {
    ["./", "../", ".\\", "..\\"].iter().any(|p| raw.starts_with(p)) || raw == "." || raw == ".."
}

pub fn parse(raw: &str) -> Result<Source, String> {
    if is_local(raw) {
        return Ok(Source::Local(raw.to_string()));
    }
    if let Some(r) = parse_registry(raw) {
        return Ok(Source::Registry(r));
    }
    parse_remote(raw).map(Source::Remote)
}

/// go-getter's `SourceDirSubdir`: the package address and the directory inside it. A query
/// after the subdirectory belongs to the package address.
pub fn split_subdir(src: &str) -> (String, String) {
    let stop = src.find('?').unwrap_or(src.len());
    let offset = src[..stop].find("://").map(|i| i + 3).unwrap_or(0);
    let Some(i) = src[offset..stop].find("//") else {
        return (src.to_string(), String::new());
    };
    let idx = offset + i;
    let mut subdir = src[idx + 2..].to_string();
    let mut pkg = src[..idx].to_string();
    if let Some(q) = subdir.find('?') {
        pkg.push_str(&subdir[q..]);
        subdir.truncate(q);
    }
    (pkg, subdir)
}

fn namespace_ok(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
}

fn system_ok(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

fn host_ok(h: &str) -> bool {
    let (name, port) = match h.rsplit_once(':') {
        Some((n, p)) => (n, Some(p)),
        None => (h, None),
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit())) {
        return false;
    }
    !name.is_empty()
        && name
            .split('.')
            .all(|l| !l.is_empty() && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
}

fn parse_registry(raw: &str) -> Option<RegistryAddress> {
    let (pkg, subdir) = split_subdir(raw);
    let parts: Vec<&str> = pkg.split('/').collect();
    let (host, rest) = match parts.len() {
        3 => (DEFAULT_REGISTRY.to_string(), &parts[..]),
        4 => {
            let host = parts[0].to_ascii_lowercase();
            // Terraform reads these as go-getter shorthands, never as registries.
            if !host_ok(&host) || host == "github.com" || host == "bitbucket.org" {
                return None;
            }
            (host, &parts[1..])
        }
        _ => return None,
    };
    if !namespace_ok(rest[0]) || !namespace_ok(rest[1]) || !system_ok(rest[2]) {
        return None;
    }
    Some(RegistryAddress {
        host,
        namespace: rest[0].to_string(),
        name: rest[1].to_string(),
        system: rest[2].to_string(),
        subdir,
    })
}

fn archive_of(url: &str) -> Option<ArchiveKind> {
    let path = url.split('?').next().unwrap_or(url).to_ascii_lowercase();
    if path.ends_with(".tar.gz") || path.ends_with(".tgz") {
        Some(ArchiveKind::TarGz)
    } else if path.ends_with(".zip") {
        Some(ArchiveKind::Zip)
    } else if path.ends_with(".tar") {
        Some(ArchiveKind::Tar)
    } else {
        None
    }
}

/// Splits a query string off `url`, returning the URL without the named arguments and their values.
fn take_query(url: &str, names: &[&str]) -> (String, Vec<(String, String)>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), Vec::new());
    };
    let mut kept = Vec::new();
    let mut taken = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_encoding::percent_decode_str(v).decode_utf8_lossy().into_owned();
        if names.contains(&k) {
            taken.push((k.to_string(), v));
        } else {
            kept.push(pair.to_string());
        }
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, taken)
}

/// Terraform's go-getter detectors: shorthands to full addresses.
fn detect(src: &str) -> Option<String> {
    if let Some(rest) = src.strip_prefix("github.com/") {
        // github.com/org/repo[/sub…]: git over HTTPS, the rest is a subdirectory.
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, format!("?{q}")),
            None => (rest, String::new()),
        };
        let parts: Vec<&str> = path.splitn(3, '/').collect();
        if parts.len() < 2 {
            return None;
        }
        let repo = parts[1].trim_end_matches(".git");
        let mut url = format!("git::https://github.com/{}/{repo}.git", parts[0]);
        if let Some(sub) = parts
            .get(2)
            .map(|s| s.trim_start_matches('/'))
            .filter(|s| !s.is_empty())
        {
            url.push_str("//");
            url.push_str(sub);
        }
        url.push_str(&query);
        return Some(url);
    }
    if let Some(rest) = src.strip_prefix("bitbucket.org/") {
        return Some(format!("git::https://bitbucket.org/{rest}"));
    }
    // scp-like git: git@github.com:org/repo.git
    if let Some((userhost, path)) = src.split_once(':') {
        if userhost.contains('@') && !userhost.contains('/') && !path.starts_with("//") {
            return Some(format!("git::ssh://{userhost}/{path}"));
        }
    }
    None
}

fn parse_remote(raw: &str) -> Result<Remote, String> {
    let detected = if raw.contains("::") { None } else { detect(raw) };
    let full = detected.as_deref().unwrap_or(raw);
    let (forced, rest) = match full.split_once("::") {
        Some((f, r)) if !f.contains('/') && !f.contains(':') => (Some(f.to_ascii_lowercase()), r),
        _ => (None, full),
    };
    let (pkg, subdir) = split_subdir(rest);
    let scheme = pkg.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    let git = forced.as_deref() == Some("git") || (forced.is_none() && scheme.as_deref() == Some("git"));
    if git || (forced.is_none() && scheme.as_deref() == Some("ssh")) {
        let (url, taken) = take_query(&pkg, &["ref", "depth", "sshkey"]);
        let mut git_ref = None;
        let mut depth = None;
        for (k, v) in taken {
            match k.as_str() {
                "ref" => git_ref = Some(v).filter(|v| !v.is_empty()),
                "depth" => {
                    depth = Some(v.parse().map_err(|_| format!("depth={v:?} is not a number"))?);
                }
                _ => return Err("git sources with `sshkey` are not supported; use an SSH agent instead".into()),
            }
        }
        return Ok(Remote {
            kind: RemoteKind::Git,
            url,
            git_ref,
            depth,
            subdir,
        });
    }
    match forced.as_deref() {
        Some("http") | Some("https") | None if matches!(scheme.as_deref(), Some("http") | Some("https")) => {
            let (url, taken) = take_query(&pkg, &["archive"]);
            let kind = match taken.first().map(|(_, v)| v.as_str()) {
                Some("zip") => RemoteKind::Archive(ArchiveKind::Zip),
                Some("tar.gz") | Some("tgz") => RemoteKind::Archive(ArchiveKind::TarGz),
                Some("tar") => RemoteKind::Archive(ArchiveKind::Tar),
                Some("false") => RemoteKind::Http,
                Some(other) => RemoteKind::Unsupported(format!("{other} archives")),
                None => archive_of(&url).map(RemoteKind::Archive).unwrap_or(RemoteKind::Http),
            };
            Ok(Remote {
                kind,
                url,
                git_ref: None,
                depth: None,
                subdir,
            })
        }
        Some(f) => Ok(Remote {
            kind: RemoteKind::Unsupported(format!("{f}::")),
            url: pkg,
            git_ref: None,
            depth: None,
            subdir,
        }),
        None => match scheme {
            Some(s) => Ok(Remote {
                kind: RemoteKind::Unsupported(format!("{s}://")),
                url: pkg,
                git_ref: None,
                depth: None,
                subdir,
            }),
            None => Err(format!(
                "Terraform cannot detect a supported external module source type for {raw:?}"
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(raw: &str) -> RegistryAddress {
        match parse(raw).unwrap() {
            Source::Registry(r) => r,
            other => panic!("{raw}: {other:?}"),
        }
    }

    fn remote(raw: &str) -> Remote {
        match parse(raw).unwrap() {
            Source::Remote(r) => r,
            other => panic!("{raw}: {other:?}"),
        }
    }

    #[test]
    fn registry_addresses() {
        let r = reg("cloudposse/vpc/aws");
        assert_eq!(
            (
                r.host.as_str(),
                r.namespace.as_str(),
                r.name.as_str(),
                r.system.as_str()
            ),
            ("registry.terraform.io", "cloudposse", "vpc", "aws")
        );
        let r = reg("terraform-aws-modules/iam/aws//modules/iam-assumable-role");
        assert_eq!(r.subdir, "modules/iam-assumable-role");
        let r = reg("app.terraform.io/Acme/vpc/aws");
        assert_eq!(r.host, "app.terraform.io");
        assert_eq!(reg("localhost:8443/acme/vpc/aws").host, "localhost:8443");
        // github.com is a go-getter shorthand, never a registry host.
        assert_eq!(remote("github.com/acme/vpc/aws").kind, RemoteKind::Git);
        // The system is lowercase letters and digits.
        assert!(parse("acme/vpc/AWS").is_err());
    }

    #[test]
    fn git_addresses() {
        let r = remote("git::https://example.com/vpc.git//modules/vpc?ref=v1.2.0");
        assert_eq!(r.url, "https://example.com/vpc.git");
        assert_eq!(r.git_ref.as_deref(), Some("v1.2.0"));
        assert_eq!(r.subdir, "modules/vpc");
        let r = remote("git::ssh://git@example.com/vpc.git?ref=3f2a&depth=1");
        assert_eq!((r.url.as_str(), r.depth), ("ssh://git@example.com/vpc.git", Some(1)));
        let r = remote("github.com/acme/terraform-aws-vpc//modules/x?ref=v2");
        assert_eq!(r.url, "https://github.com/acme/terraform-aws-vpc.git");
        assert_eq!((r.subdir.as_str(), r.git_ref.as_deref()), ("modules/x", Some("v2")));
        let r = remote("git@github.com:acme/vpc.git?ref=main");
        assert_eq!(r.url, "ssh://git@github.com/acme/vpc.git");
        assert_eq!(r.git_ref.as_deref(), Some("main"));
    }

    #[test]
    fn http_addresses() {
        let r = remote("https://example.com/vpc-1.0.tar.gz//sub");
        assert_eq!(r.kind, RemoteKind::Archive(ArchiveKind::TarGz));
        assert_eq!(
            (r.url.as_str(), r.subdir.as_str()),
            ("https://example.com/vpc-1.0.tar.gz", "sub")
        );
        let r = remote("https://example.com/get?archive=zip");
        assert_eq!(
            (r.kind, r.url.as_str()),
            (RemoteKind::Archive(ArchiveKind::Zip), "https://example.com/get")
        );
        assert_eq!(remote("https://example.com/vpc").kind, RemoteKind::Http);
        assert_eq!(
            remote("s3::https://s3.amazonaws.com/bucket/vpc.zip").kind,
            RemoteKind::Unsupported("s3::".into())
        );
        assert!(parse("vpc").is_err());
    }
}
