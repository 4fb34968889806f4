//! Module sources are pinned to one version of the module: a registry source to an exact
//! `version`, a git source (`git::…`, `github.com/…`, `git@…`, `bitbucket.org/…`) to a commit or a
//! tag with `?ref=`. Other remote sources (archives, buckets) and local directories are not judged.

use super::{GraphCtx, GraphOutcome};
use crate::model::ModuleSource;
use crate::rules::engine::Outcome;

/// How a source names its module.
enum Kind {
    Registry,
    Git,
    Other,
}

fn kind(source: &str) -> Kind {
    let s = source.trim();
    if s.starts_with("git::")
        || s.starts_with("git@")
        || s.starts_with("github.com/")
        || s.starts_with("bitbucket.org/")
    {
        return Kind::Git;
    }
    if s.contains("::") || s.contains("://") || s.starts_with('.') || s.starts_with('/') {
        return Kind::Other;
    }
    // `[host/]namespace/name/provider[//subdir]`.
    let address = s.split("//").next().unwrap_or(s);
    let parts = address.split('/').count();
    if parts == 3 || parts == 4 {
        Kind::Registry
    } else {
        Kind::Other
    }
}

/// Whether a version constraint allows exactly one version: `1.2.3`, `= 1.2.3`, `v1.2.3`.
pub fn exact_version(constraint: &str) -> bool {
    let v = constraint.trim();
    let v = v.strip_prefix('=').unwrap_or(v).trim();
    let v = v.strip_prefix('v').unwrap_or(v);
    let core = v.split(['-', '+']).next().unwrap_or(v);
    let nums: Vec<&str> = core.split('.').collect();
    nums.len() == 3
        && nums
            .iter()
            .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// The `ref` of a git source's query, when it has one.
fn git_ref(source: &str) -> Option<&str> {
    let query = source.split_once('?')?.1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("ref="))
        .map(|r| r.split("//").next().unwrap_or(r))
}

/// Whether a git ref names a commit (a full or abbreviated hash of 7 or more hex digits) or a
/// tag that carries a version (`v1.2.3`, `1.2`, `tags/0.1.0`), rather than a branch.
pub fn pinned_ref(r: &str) -> bool {
    let r = r
        .strip_prefix("refs/tags/")
        .or_else(|| r.strip_prefix("tags/"))
        .unwrap_or(r);
    let hex = r.len() >= 7 && r.len() <= 40 && r.chars().all(|c| c.is_ascii_hexdigit());
    let tag = r
        .strip_prefix('v')
        .unwrap_or(r)
        .split(['.', '-'])
        .next()
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        && r.contains(|c: char| c.is_ascii_digit());
    hex || tag
}

fn outcome(m: &ModuleSource, o: Outcome, detail: String, span: crate::source::Span) -> GraphOutcome {
    GraphOutcome {
        resource: None,
        address: m.address.clone(),
        outcome: o,
        detail,
        path: None,
        span: Some(span),
        refs: Vec::new(),
    }
}

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let mut out = Vec::new();
    for m in &ctx.project.module_sources {
        match kind(&m.source) {
            Kind::Registry => out.push(match (&m.version, m.version_span) {
                (None, _) => outcome(
                    m,
                    Outcome::Fail,
                    format!(
                        "{:?} has no version: each `terraform init -upgrade` may take a new release",
                        m.source
                    ),
                    m.span,
                ),
                (Some(v), span) if !exact_version(v) => outcome(
                    m,
                    Outcome::Fail,
                    format!("version {v:?} allows more than one release of {:?}", m.source),
                    span.unwrap_or(m.span),
                ),
                (Some(_), span) => outcome(m, Outcome::Pass, String::new(), span.unwrap_or(m.span)),
            }),
            Kind::Git => out.push(match git_ref(&m.source) {
                None => outcome(
                    m,
                    Outcome::Fail,
                    format!(
                        "{:?} has no ?ref=: it follows the repository's default branch",
                        m.source
                    ),
                    m.source_span,
                ),
                Some(r) if !pinned_ref(r) => outcome(
                    m,
                    Outcome::Fail,
                    format!("ref {r:?} looks like a branch, which moves: pin a tag or a commit"),
                    m.source_span,
                ),
                Some(_) => outcome(m, Outcome::Pass, String::new(), m.source_span),
            }),
            Kind::Other => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_versions_and_pinned_refs() {
        for (v, want) in [
            ("5.1.2", true),
            ("= 5.1.2", true),
            ("v5.1.2", true),
            ("5.1.2-beta.1", true),
            ("~> 5.0", false),
            (">= 5.1.2", false),
            ("5.1", false),
            ("5.1.2, < 6", false),
        ] {
            assert_eq!(exact_version(v), want, "{v}");
        }
        for (r, want) in [
            ("v1.2.3", true),
            ("1.2.3", true),
            ("tags/0.1.0", true),
            ("0a1b2c3", true),
            ("82d1929e669efef4e2ad00611b8a68e7a56e049c", true),
            ("main", false),
            ("master", false),
            ("develop", false),
            ("feature/x", false),
        ] {
            assert_eq!(pinned_ref(r), want, "{r}");
        }
    }
}
