//! Runs policies over projects: every applicable rule on every resource of its types (conditions)
//! or once per project (graph checks), in parallel, then sorted so output is deterministic.

use super::condition::Truth;
use super::graph::{self, GraphCtx, GraphOutcome, Shared};
use super::{Check, Policy, Registry, Severity};
use crate::model::{Block, Project, Resource};
use crate::source::Span;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Fail,
    Unresolved,
    Pass,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Fail => "fail",
            Outcome::Unresolved => "unresolved",
            Outcome::Pass => "pass",
        }
    }
}

/// The outcome of one rule on one resource (or on the project, for project-wide checks).
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: usize,
    /// The policy's id, shared by the findings of one run of it.
    pub rule_id: Arc<str>,
    pub severity: Severity,
    pub outcome: Outcome,
    /// The environment's name, shared like `rule_id`.
    pub env: Arc<str>,
    /// The address of the block the user edits to fix it: the resource, a companion resource
    /// joined into it (`aws_vpc_security_group_ingress_rule.ssh`), or what the check is about
    /// (`terraform`, `backend "s3"`, `provider.aws`).
    pub address: String,
    /// The resource the finding is about, when it is one: `address` itself, or the resource a
    /// companion at `address` configures (`aws_security_group.bastion`).
    pub resource: Option<String>,
    /// Where the user wrote what the finding is about.
    pub span: Option<Span>,
    /// Where the value came from on its way there (module arguments, tfvars), outermost last.
    pub via: Vec<Span>,
    pub message: String,
    /// For unresolved outcomes: the references whose values are known only after apply.
    pub refers_to: Vec<String>,
    /// The attribute the finding is about, when it is one (`root_block_device[0].encrypted`).
    pub path: Option<String>,
    /// Set when a suppression covers the failure: it is still reported, but does not fail the run.
    pub suppressed: Option<Box<super::suppress::Suppressed>>,
    /// For unresolved outcomes: why the value is not known (code: until apply; an account: AWS
    /// Config does not record it).
    pub undecided: Undecided,
}

/// Why an unresolved finding's values are not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Undecided {
    /// Terraform knows them only after apply (code and plans).
    #[default]
    UntilApply,
    /// The deployed account's records (AWS Config) do not hold them.
    NotRecorded,
}

impl Undecided {
    /// The short label at the finding's location.
    pub fn label(self) -> &'static str {
        match self {
            Undecided::UntilApply => "decided only after apply",
            Undecided::NotRecorded => "not recorded by AWS Config",
        }
    }

    /// The heading of the list of references.
    pub fn refs_heading(self) -> &'static str {
        match self {
            Undecided::UntilApply => "Known only after apply",
            Undecided::NotRecorded => "Not known from AWS Config",
        }
    }
}

/// Runs every policy in `registry` that applies to each project's profile.
pub fn run(registry: &Registry, projects: &[Project]) -> Vec<Finding> {
    let jobs: Vec<(usize, usize)> = projects
        .iter()
        .enumerate()
        .flat_map(|(pi, p)| {
            registry
                .policies
                .iter()
                .enumerate()
                .filter(|(_, r)| r.applies_to(&p.profile))
                .map(move |(ri, _)| (pi, ri))
        })
        .collect();
    // What all the graph checks of a project read alike, built once per project.
    let shared: Vec<Shared> = projects.iter().map(Shared::new).collect();
    let mut parts: Vec<Vec<Finding>> = jobs
        .par_iter()
        .map(|&(pi, ri)| run_indexed(ri, &registry.policies[ri], &projects[pi], Some(&shared[pi])))
        .collect();
    // The largest part grows into the whole and each other part is moved in and freed in turn,
    // so that the findings of a large root are never held twice over (as a fresh vector of them
    // all, or rayon's concatenation of its chunks, would hold them).
    let total: usize = parts.iter().map(Vec::len).sum();
    let largest = (0..parts.len()).max_by_key(|&i| parts[i].len());
    let mut findings = largest.map(|i| std::mem::take(&mut parts[i])).unwrap_or_default();
    findings.reserve_exact(total - findings.len());
    for part in parts {
        findings.extend(part);
    }
    sort(&mut findings);
    findings
}

/// The engine's order of findings: by environment, then place, rule, address, outcome, message.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (
            &a.env,
            a.span.map(|s| (s.file, s.start)),
            &a.rule_id,
            &a.address,
            a.outcome,
            &a.message,
        )
            .cmp(&(
                &b.env,
                b.span.map(|s| (s.file, s.start)),
                &b.rule_id,
                &b.address,
                b.outcome,
                &b.message,
            ))
    });
}

/// Runs one policy on one project.
pub fn run_one(index: usize, policy: &Policy, project: &Project) -> Vec<Finding> {
    run_indexed(index, policy, project, None)
}

/// [`run_one`], with what the project's graph checks share when the caller has built it.
fn run_indexed<'a>(
    index: usize,
    policy: &'a Policy,
    project: &'a Project,
    shared: Option<&'a Shared<'a>>,
) -> Vec<Finding> {
    let severity = policy.severity_for(&project.profile);
    // One copy of the names for all the findings of this run, however many there are.
    let rule_id: Arc<str> = Arc::from(policy.id.as_str());
    let env: Arc<str> = Arc::from(project.env.as_str());
    let finding = |address: String, outcome, span, via, message, refers_to, path: Option<String>| Finding {
        rule: index,
        rule_id: Arc::clone(&rule_id),
        severity,
        outcome,
        env: Arc::clone(&env),
        address,
        resource: None,
        span,
        via,
        message,
        refers_to,
        path,
        suppressed: None,
        undecided: Undecided::UntilApply,
    };
    // A finding on resource `r` about `path`: addressed to the companion resource the path lies
    // in, when it lies in one, with the path within it; else to `r`.
    let on = |r: &Resource, outcome, path: Option<&str>, message: String, refers_to: Vec<String>| {
        let (span, via) = match path {
            Some(p) => locate(r, p),
            None => (head(r), Vec::new()),
        };
        let mut f = match path.map(|p| r.block_at(p)) {
            Some(Block::Companion { address, path, .. }) => finding(
                address,
                outcome,
                Some(span),
                via,
                if message.is_empty() {
                    message
                } else {
                    format!("{message} (configures {})", r.address)
                },
                refers_to,
                (!path.is_empty()).then_some(path),
            ),
            _ => finding(
                r.address.clone(),
                outcome,
                Some(span),
                via,
                message,
                refers_to,
                path.map(String::from),
            ),
        };
        f.resource = Some(r.address.clone());
        f
    };
    // A condition that depends on values known only after apply, located at the first of them.
    let unresolved = |r: &Resource, u: &[(String, crate::model::Unknown)]| {
        on(
            r,
            Outcome::Unresolved,
            Some(&u[0].0),
            unresolved_message(policy, u),
            refs_of(u),
        )
    };
    let mut out = Vec::new();
    match &policy.check {
        Check::Condition { when, assert } => {
            let read: Vec<&Resource> = match shared {
                Some(s) => s.read_by(policy).into_iter().map(|i| &project.resources[i]).collect(),
                None => project.resources.iter().filter(|r| policy.reads(r)).collect(),
            };
            for r in read {
                if let Some(w) = when {
                    match w.eval(r, "") {
                        Truth::True => {}
                        Truth::False(_) => continue,
                        Truth::Unknown(u) => {
                            out.push(unresolved(r, &u));
                            continue;
                        }
                    }
                }
                match assert.eval(r, "") {
                    Truth::True => out.push(on(r, Outcome::Pass, None, String::new(), Vec::new())),
                    Truth::False(failures) => {
                        // One finding per block the user edits: the resource, each inline nested
                        // block, each companion resource.
                        let mut blocks: Vec<(Block, Vec<&super::condition::Failure>)> = Vec::new();
                        for f in &failures {
                            // Alternatives in different blocks are met by editing the resource.
                            let b = r.block_at(&f.path);
                            let b = if f.or.iter().all(|o| r.block_at(&o.path) == b) {
                                b
                            } else {
                                Block::Whole
                            };
                            match blocks.iter_mut().find(|(k, _)| *k == b) {
                                Some((_, fs)) => fs.push(f),
                                None => blocks.push((b, vec![f])),
                            }
                        }
                        for (block, fs) in blocks {
                            // Point at what the user wrote, when one of the failing values is written.
                            // Point at what the user wrote, when one of the failing values (or
                            // of their alternatives) is written in the block; else at the block.
                            let every: Vec<&super::condition::Failure> =
                                fs.iter().flat_map(|f| std::iter::once(*f).chain(&f.or)).collect();
                            let f = every
                                .iter()
                                .find(|f| r.provenance.contains_key(&f.path) && r.block_at(&f.path) == block)
                                .unwrap_or(&every[0]);
                            let at = (r.block_at(&f.path) == block).then_some(f.path.as_str());
                            let shown = |p: &'_ str| -> String {
                                match &block {
                                    Block::Companion { at, .. } => p
                                        .strip_prefix(at.as_str())
                                        .map(|rest| rest.trim_start_matches('.').to_string())
                                        .unwrap_or_else(|| p.to_string()),
                                    _ => p.to_string(),
                                }
                            };
                            let one = |f: &super::condition::Failure| {
                                let found = if r.is_sensitive(&f.path) {
                                    "a sensitive value"
                                } else {
                                    &f.found
                                };
                                // An alternative in a companion is named as written there.
                                let what = match r.block_at(&f.path) {
                                    Block::Companion { address, path, .. } if block != r.block_at(&f.path) => {
                                        format!("`{path}` in {address}")
                                    }
                                    _ => format!("`{}`", shown(&f.path)),
                                };
                                format!("{what} is {found}, expected {}", f.expected)
                            };
                            let detail = fs
                                .iter()
                                .map(|f| {
                                    std::iter::once(one(f))
                                        .chain(f.or.iter().map(one))
                                        .collect::<Vec<_>>()
                                        .join(", or ")
                                })
                                .collect::<Vec<_>>()
                                .join("; ");
                            out.push(on(r, Outcome::Fail, at, fail_message(policy, &detail), Vec::new()));
                        }
                    }
                    Truth::Unknown(u) => out.push(unresolved(r, &u)),
                }
            }
        }
        // Findings about suppressions come from `suppress::apply`, after every rule has run.
        Check::Builtin(_) => {}
        Check::Graph { name, params } => {
            let check = graph::lookup(name).expect("validated when the policy was loaded");
            let ctx = match shared {
                Some(s) => GraphCtx::with_shared(project, params, policy, s),
                None => GraphCtx::new(project, params, policy),
            };
            for GraphOutcome {
                resource,
                address,
                outcome,
                detail,
                path,
                span,
                refs,
            } in check(&ctx)
            {
                let message = match outcome {
                    Outcome::Fail => fail_message(policy, &detail),
                    Outcome::Unresolved => format!("cannot tell before apply whether \"{}\": {detail}", policy.title),
                    Outcome::Pass => String::new(),
                };
                match (resource, span) {
                    // About a resource, at an attribute or block of it (maybe a companion's).
                    (Some(i), None) if project.resources[i].address == address => {
                        let r = &project.resources[i];
                        out.push(on(r, outcome, path.as_deref(), message, refs));
                    }
                    (Some(i), span) => {
                        let r = &project.resources[i];
                        let (span, via) = match (span, &path) {
                            (Some(s), _) => (s, Vec::new()),
                            (None, Some(p)) => locate(r, p),
                            (None, None) => (head(r), Vec::new()),
                        };
                        let mut f = finding(address, outcome, Some(span), via, message, refs, path);
                        f.resource = Some(r.address.clone());
                        out.push(f);
                    }
                    (None, span) => out.push(finding(address, outcome, span, Vec::new(), message, refs, path)),
                }
            }
        }
    }
    out
}

fn refs_of(u: &[(String, crate::model::Unknown)]) -> Vec<String> {
    let mut refs: Vec<String> = u.iter().flat_map(|(_, u)| u.refs.iter().cloned()).collect();
    refs.sort();
    refs.dedup();
    refs
}

/// `fails "<title>": <what was found>` (the address is shown beside it).
fn fail_message(policy: &Policy, detail: &str) -> String {
    let detail = match &policy.message {
        Some(m) => m.replace("{detail}", detail),
        None => detail.to_string(),
    };
    format!("fails \"{}\": {detail}", policy.title)
}

fn unresolved_message(policy: &Policy, u: &[(String, crate::model::Unknown)]) -> String {
    let parts: Vec<String> = u
        .iter()
        .map(|(path, u)| format!("`{path}` is known only after apply ({})", u.refs.join(", ")))
        .collect();
    format!(
        "cannot tell before apply whether \"{}\": {}",
        policy.title,
        parts.join("; ")
    )
}

/// The resource block: what a finding about the whole resource points at (reporters show its
/// first line).
pub fn head(r: &Resource) -> Span {
    r.span
}

/// Where `path` of `r` is written: the attribute, else the nearest block that contains it, else
/// the resource block; with the places its value passed through.
pub fn locate(r: &Resource, path: &str) -> (Span, Vec<Span>) {
    let mut p = path;
    loop {
        if let Some(prov) = r.provenance.get(p) {
            return (prov.span, prov.via.clone());
        }
        let cut = p.rfind(['.', '[']);
        match cut {
            Some(i) if i > 0 => p = &p[..i],
            _ => return (head(r), Vec::new()),
        }
    }
}
