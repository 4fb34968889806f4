//! Suppressions: inline comments (`# infracheck:ignore ID reason="…" until=YYYY-MM-DD`, and the
//! `#checkov:skip=`, `#tfsec:ignore:` and `#trivy:ignore:` annotations of migrating teams, matched
//! through the rules' aliases) on the line above a resource, data or module block or inside it;
//! and `[[ignore]]` entries of `.infracheck.toml`. A suppressed failure is still reported, marked
//! suppressed with its justification. Suppressions that match nothing, have expired, or give no
//! reason are findings of their own rules (IC-SUP-001, IC-SUP-002, IC-SUP-003).

use super::engine::{Finding, Outcome};
use super::{Policy, Registry};
use crate::model::Project;
use crate::source::{FileId, SourceMap, Span};
use regex::Regex;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// A config-level suppression: `[[ignore]]` with the rule, where it applies, and why.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ignore {
    /// A policy id or name, or a checkov/trivy alias.
    pub rule: String,
    /// Environments it applies to (default: all).
    #[serde(default)]
    pub env: Vec<String>,
    /// A glob on the finding's file, relative to the config file's directory.
    pub path: Option<String>,
    /// A glob on the resource address (`module.iam.*`).
    pub address: Option<String>,
    pub reason: String,
    /// The last day it applies (`2027-01-31`).
    pub until: Option<toml::value::Datetime>,
}

pub const UNUSED: &str = "IC-SUP-001";
pub const EXPIRED: &str = "IC-SUP-002";
pub const NO_REASON: &str = "IC-SUP-003";

/// How a finding was suppressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    /// `inSource` (a comment) or `external` (the configuration file).
    pub kind: &'static str,
    pub justification: String,
}

/// An inline suppression comment.
#[derive(Debug, Clone)]
struct Comment {
    span: Span,
    line: usize,
    /// The rule references as written.
    rules: Vec<String>,
    reason: Option<String>,
    until: Option<chrono::NaiveDate>,
    /// What wrote it: infracheck, checkov, tfsec or trivy.
    tool: &'static str,
}

fn comment_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?:#|//)[ \t]*(infracheck:ignore|checkov:skip=|tfsec:ignore:|trivy:ignore:)(.*)$").expect("valid")
    })
}

/// The `reason="…"` and `until=YYYY-MM-DD` options of an infracheck comment.
fn option_res() -> (&'static Regex, &'static Regex) {
    static REASON: OnceLock<Regex> = OnceLock::new();
    static UNTIL: OnceLock<Regex> = OnceLock::new();
    (
        REASON.get_or_init(|| Regex::new(r#"reason[ \t]*=[ \t]*"([^"]*)""#).expect("valid")),
        UNTIL.get_or_init(|| Regex::new(r"until[ \t]*=[ \t]*([0-9]{4}-[0-9]{2}-[0-9]{2})").expect("valid")),
    )
}

fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// The suppression comments of one file.
fn comments(file: FileId, text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if let Some(c) = comment_re().captures(line.trim_end()) {
            let all = c.get(0).expect("match");
            let span = Span::new(file, offset + all.start()..offset + all.end());
            let rest = c[2].trim();
            let (tool, rules, reason, until) = match &c[1] {
                "infracheck:ignore" => {
                    let (reason_re, until_re) = option_res();
                    let ids = rest.split_whitespace().next().unwrap_or("");
                    (
                        "infracheck",
                        ids.split(',')
                            .filter(|s| !s.is_empty() && !s.contains('='))
                            .map(String::from)
                            .collect(),
                        reason_re
                            .captures(rest)
                            .map(|r| r[1].trim().to_string())
                            .filter(|r| !r.is_empty()),
                        until_re.captures(rest).and_then(|u| parse_date(&u[1])),
                    )
                }
                "checkov:skip=" => {
                    let (id, reason) = rest.split_once(':').unwrap_or((rest, ""));
                    (
                        "checkov",
                        vec![id.trim().to_string()],
                        Some(reason.trim().to_string()).filter(|r| !r.is_empty()),
                        None,
                    )
                }
                other => {
                    // tfsec:ignore:ID[:exp:YYYY-MM-DD], trivy:ignore:ID[:exp:YYYY-MM-DD]
                    let mut parts = rest.split_whitespace().next().unwrap_or("").split(":exp:");
                    let id = parts.next().unwrap_or("").to_string();
                    let until = parts.next().and_then(parse_date);
                    let tool = if other.starts_with("tfsec") { "tfsec" } else { "trivy" };
                    (tool, vec![id], Some(format!("{tool}:ignore annotation")), until)
                }
            };
            out.push(Comment {
                span,
                line: i + 1,
                rules,
                reason,
                until,
                tool,
            });
        }
        offset += line.len();
    }
    out
}

/// Whether the reference `r` (an id, a name, or an alias in the annotation's tool) names `p`.
fn names(r: &str, p: &Policy, tool: &str) -> bool {
    let alias = |list: &[String], r: &str| list.iter().any(|a| a.eq_ignore_ascii_case(r));
    r.eq_ignore_ascii_case(&p.id)
        || r == p.name
        || (tool == "infracheck" || tool == "config") && alias(&p.aliases.former, r)
        || match tool {
            "checkov" => alias(&p.aliases.checkov, r),
            "tfsec" | "trivy" => alias(
                &p.aliases.trivy,
                r.trim_start_matches("AVD-").trim_start_matches("avd-"),
            ),
            _ => alias(&p.aliases.checkov, r) || alias(&p.aliases.trivy, r.trim_start_matches("AVD-")),
        }
}

/// Whether a comment on `line` applies to the block `block`: on a line above it with only
/// comments or blank lines between, or inside it.
fn covers(sources: &SourceMap, text: &str, line: usize, block: Span) -> bool {
    let start = sources.start(block).line;
    let end = sources.end(block).line;
    if (start..=end).contains(&line) {
        return true;
    }
    if line >= start {
        return false;
    }
    text.lines().skip(line).take(start - line - 1).all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t.starts_with("//")
    })
}

fn glob(pattern: &str) -> Option<globset::GlobMatcher> {
    globset::Glob::new(pattern).ok().map(|g| g.compile_matcher())
}

#[allow(clippy::too_many_arguments)]
/// Applies suppressions to `findings` and adds the findings about the suppressions themselves.
/// `inline` is false under `--no-inline-ignores`; `config_dir` anchors the ignores' path globs.
pub fn apply(
    registry: &Registry,
    projects: &[Project],
    findings: &mut Vec<Finding>,
    sources: &SourceMap,
    ignores: &[Ignore],
    config_dir: Option<&Path>,
    inline: bool,
    today: chrono::NaiveDate,
) {
    // Each ignore's globs, compiled once (`None` inside: not a valid glob, which matches nothing).
    type Globs = (
        Option<Option<globset::GlobMatcher>>,
        Option<Option<globset::GlobMatcher>>,
    );
    let globs: Vec<Globs> = ignores
        .iter()
        .map(|ig| (ig.address.as_deref().map(glob), ig.path.as_deref().map(glob)))
        .collect();
    // Inline comments of every file read, by file.
    let mut by_file: BTreeMap<FileId, (std::sync::Arc<str>, Vec<Comment>)> = BTreeMap::new();
    if inline {
        for i in 0..sources.len() {
            let id = FileId(i as u32);
            let path = sources.path(id);
            let name = path.to_string_lossy();
            if !(name.ends_with(".tf") || name.ends_with(".tf.json")) {
                continue;
            }
            let file = sources.get(id);
            let cs = comments(id, &file.text);
            if !cs.is_empty() {
                by_file.insert(id, (file.text.clone(), cs));
            }
        }
    }
    let mut used: BTreeMap<(FileId, usize), bool> = BTreeMap::new();
    let mut config_used = vec![false; ignores.len()];
    // Each finding's resource, found in a map: one lookup per finding, however many instances.
    let by_address: std::collections::HashMap<(&str, &str), &crate::model::Resource> = projects
        .iter()
        .flat_map(|p| {
            p.resources
                .iter()
                .map(move |r| ((p.env.as_str(), r.address.as_str()), r))
        })
        .collect();
    let resource_of = |env: &str, address: &str| by_address.get(&(env, address)).copied();
    let module_blocks: std::collections::HashMap<(&str, &str), Span> = projects
        .iter()
        .flat_map(|p| {
            p.module_sources
                .iter()
                .map(move |m| ((p.env.as_str(), m.address.as_str()), m.extent))
        })
        .collect();
    let module_of = |env: &str, address: &str| module_blocks.get(&(env, address)).copied();
    for f in findings.iter_mut() {
        if f.outcome == Outcome::Pass {
            continue;
        }
        let policy = &registry.policies[f.rule];
        // The blocks the finding belongs to: its resource and the module blocks above it.
        let mut blocks: Vec<Span> = Vec::new();
        if let Some(r) = resource_of(&f.env, &f.address) {
            blocks.push(r.extent);
            blocks.extend(r.module_calls.iter().copied());
        } else if let Some(m) = module_of(&f.env, &f.address) {
            // A finding about a module call (its source): the module block.
            blocks.push(m);
        } else if let Some(s) = f.span {
            blocks.push(s);
        }
        // A finding on a companion (a security group's rule resource) is also covered by a
        // suppression on the resource it configures.
        if let Some(r) = f
            .resource
            .as_deref()
            .filter(|a| *a != f.address)
            .and_then(|a| resource_of(&f.env, a))
        {
            blocks.push(r.extent);
            blocks.extend(r.module_calls.iter().copied());
        }
        blocks.sort_by_key(|b| (b.file, b.start, b.end));
        blocks.dedup();
        for block in &blocks {
            let Some((text, cs)) = by_file.get(&block.file) else {
                continue;
            };
            for (k, c) in cs.iter().enumerate() {
                if !c.rules.iter().any(|r| names(r, policy, c.tool)) || !covers(sources, text, c.line, *block) {
                    continue;
                }
                used.insert((block.file, k), true);
                let expired = c.until.is_some_and(|u| u < today);
                if c.reason.is_none() || expired {
                    continue;
                }
                f.suppressed = Some(Box::new(Suppressed {
                    kind: "inSource",
                    justification: c.reason.clone().unwrap_or_default(),
                }));
            }
        }
        if f.suppressed.is_some() {
            continue;
        }
        let file = f.span.map(|s| sources.path(s.file));
        for (k, (ig, (address_glob, path_glob))) in ignores.iter().zip(&globs).enumerate() {
            if !names(&ig.rule, policy, "config") {
                continue;
            }
            if !ig.env.is_empty() && !ig.env.iter().any(|e| **e == *f.env) {
                continue;
            }
            if let Some(g) = address_glob {
                if !g.as_ref().is_some_and(|g| g.is_match(&f.address)) {
                    continue;
                }
            }
            if let Some(g) = path_glob {
                let rel = file.as_ref().map(|p| config_relative(p, config_dir));
                if !rel.is_some_and(|p| g.as_ref().is_some_and(|g| g.is_match(&p))) {
                    continue;
                }
            }
            config_used[k] = true;
            let expired = ig
                .until
                .and_then(|d| d.date)
                .and_then(|d| chrono::NaiveDate::from_ymd_opt(d.year as i32, d.month as u32, d.day as u32))
                .is_some_and(|u| u < today);
            if !expired {
                f.suppressed = Some(Box::new(Suppressed {
                    kind: "external",
                    justification: ig.reason.clone(),
                }));
                break;
            }
        }
    }
    // Findings about the suppressions themselves, in the files of the checked roots' own modules
    // only: a suppression in a root that was not checked (another environment, when a hook checks
    // one) or in a downloaded module is not these roots' to use.
    let meta = |id: &str| registry.policies.iter().position(|p| p.id == id);
    let env = projects.first().map(|p| p.env.clone()).unwrap_or_default();
    let scope: std::collections::BTreeSet<&Path> = projects
        .iter()
        .flat_map(|p| p.module_dirs.iter().map(|d| d.as_path()))
        .collect();
    let cwd = std::env::current_dir().unwrap_or_default();
    let in_scope = |file: FileId| {
        let abs = crate::source::normalize(&cwd.join(sources.path(file)));
        abs.parent().is_some_and(|d| scope.contains(d))
    };
    let mut extra = Vec::new();
    for (file, (_, cs)) in by_file.iter().filter(|(f, _)| in_scope(**f)) {
        for (k, c) in cs.iter().enumerate() {
            let unused = !used.contains_key(&(*file, k));
            let expired = c.until.is_some_and(|u| u < today);
            let (id, message) = if c.reason.is_none() {
                (
                    NO_REASON,
                    format!(
                        "{}:ignore of {} gives no reason, so it suppresses nothing",
                        c.tool,
                        c.rules.join(",")
                    ),
                )
            } else if expired {
                (
                    EXPIRED,
                    format!(
                        "the suppression of {} expired on {}: the findings it covered are reported again",
                        c.rules.join(","),
                        c.until.map(|u| u.to_string()).unwrap_or_default()
                    ),
                )
            } else if unused {
                (
                    UNUSED,
                    format!("the suppression of {} matches no finding here", c.rules.join(",")),
                )
            } else {
                continue;
            };
            if let Some(rule) = meta(id) {
                extra.push(meta_finding(registry, rule, &env, "suppression", Some(c.span), message));
            }
        }
    }
    // The checked roots' own files, relative to the configuration's directory (as `path` globs
    // name them).
    let checked_files: Vec<PathBuf> = (0..sources.len() as u32)
        .map(FileId)
        .filter(|f| in_scope(*f))
        .map(|f| config_relative(&sources.path(f), config_dir))
        .collect();
    for (k, (ig, (_, path_glob))) in ignores.iter().zip(&globs).enumerate() {
        // An ignore scoped to environments none of which was checked (a hook checking one), or to
        // paths none of whose files was checked (a check of another directory), has had no chance
        // to match.
        let env_in_scope = ig.env.is_empty() || projects.iter().any(|p| ig.env.contains(&p.env));
        let path_in_scope = path_glob
            .as_ref()
            .is_none_or(|g| g.as_ref().is_some_and(|g| checked_files.iter().any(|f| g.is_match(f))));
        if !config_used[k] && env_in_scope && path_in_scope {
            if let Some(rule) = meta(UNUSED) {
                extra.push(meta_finding(
                    registry,
                    rule,
                    &env,
                    &format!("ignore[{k}]"),
                    None,
                    format!("the [[ignore]] of {} in the configuration matches no finding", ig.rule),
                ));
            }
        }
    }
    findings.extend(extra);
}

/// A source file's path as an `[[ignore]]`'s `path` glob names it: relative to the configuration
/// file's directory (absolute when it lies outside).
fn config_relative(file: &Path, config_dir: Option<&Path>) -> PathBuf {
    let abs = crate::source::normalize(&std::env::current_dir().unwrap_or_default().join(file));
    config_dir
        .and_then(|d| abs.strip_prefix(d).ok().map(Path::to_path_buf))
        .unwrap_or(abs)
}

fn meta_finding(
    registry: &Registry,
    rule: usize,
    env: &str,
    address: &str,
    span: Option<Span>,
    message: String,
) -> Finding {
    let p = &registry.policies[rule];
    Finding {
        rule,
        rule_id: Arc::from(p.id.as_str()),
        severity: p.severity_for(env),
        outcome: Outcome::Fail,
        env: Arc::from(env),
        address: address.to_string(),
        resource: None,
        span,
        via: Vec::new(),
        message: format!("fails \"{}\": {message}", p.title),
        refers_to: Vec::new(),
        path: None,
        suppressed: None,
        undecided: Default::default(),
    }
}
