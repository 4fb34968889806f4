//! One file per command, each its whole orchestration: resolve the targets, run the front ends
//! and engines, hand the results to a reporter, and decide the exit code (ruff's `commands/`).
//! Below: the few helpers every command shares.

pub mod check;
pub mod cost;
pub mod live;
pub mod prices;
pub mod resources;
pub mod rules;

use crate::cli::args::{ColorArgs, ColorChoice, TargetArgs};
use crate::cli::error::usage;
use crate::config::Settings;
use crate::diag::{self, Diagnostic};
use crate::hcl::Loader;
use crate::model::Project;
use crate::rules::engine::Finding;
use crate::rules::Registry;
use crate::source::SourceMap;
use crate::targets::Targets;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// The bundled policies and those of `dirs`.
pub fn registry(dirs: &[PathBuf]) -> miette::Result<Registry> {
    Registry::load(dirs).map_err(|errors| {
        let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        usage(
            format!(
                "{} policy file(s) could not be loaded:\n  {}",
                errors.len(),
                list.join("\n  ")
            ),
            Some(format!(
                "the format of a policy file is described under \"Writing policies\" in {}#writing-policies; \
                 `infracheck explain ID` shows a bundled policy in full, and `infracheck rules` lists them",
                crate::report::INFORMATION_URI
            )),
        )
    })
}

pub fn write_out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
}

/// Writes the report to `--output FILE`, or to standard output.
pub fn write_report(output: Option<&Path>, report: &str) -> miette::Result<()> {
    write_report_with(output, &|w| w.write_all(report.as_bytes()))
}

/// Writes a report to `--output FILE`, or to standard output, as `write` produces it (buffered),
/// for reports too large to build in memory first. Standard output's errors (a closed pipe) are
/// ignored, as [`write_out`] ignores them.
pub fn write_report_with(
    output: Option<&Path>,
    write: &dyn Fn(&mut dyn Write) -> std::io::Result<()>,
) -> miette::Result<()> {
    match output {
        Some(path) => {
            let failed = |e: std::io::Error| usage(format!("cannot write {}: {e}", path.display()), None);
            let file = std::fs::File::create(path).map_err(failed)?;
            let mut w = std::io::BufWriter::new(file);
            write(&mut w).and_then(|()| w.flush()).map_err(failed)
        }
        None => {
            let mut w = std::io::BufWriter::new(std::io::stdout().lock());
            let _ = write(&mut w).and_then(|()| w.flush());
            Ok(())
        }
    }
}

/// Whether to colour the output: `--color always|never`, or under `auto` not when NO_COLOR is
/// set (non-empty), yes when CLICOLOR_FORCE is set (non-empty, not `0`), else on a terminal.
pub fn color(args: &ColorArgs) -> bool {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    match args.choice() {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if set("NO_COLOR").is_some() => false,
        ColorChoice::Auto if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") => true,
        ColorChoice::Auto => std::io::stderr().is_terminal(),
    }
}

/// The input problems of every project, in source order.
pub fn input_diagnostics(projects: &[Project], loader: &Loader) -> Vec<Diagnostic> {
    // A module several roots use reports its problems once (a remote source not followed, a
    // syntax error), not once per root; one that several instances of a module call meet is one
    // problem naming the instances.
    let mut seen = std::collections::HashSet::new();
    let diags: Vec<Diagnostic> = projects
        .iter()
        .flat_map(|p| p.diagnostics.iter())
        .filter(|d| seen.insert((d.code, d.span, d.message.clone())))
        .cloned()
        .collect();
    let mut diags = diag::group_instances(diags);
    diag::sort(&mut diags, &loader.sources);
    diags
}

/// Prints the input's problems on stderr, rendered with their snippets as the text report renders
/// them, then how many there are. Whatever the report's format: a JSON or SARIF report on stdout
/// or in `--output` is read by a program, and the person watching the run reads stderr.
pub fn print_diagnostics(diags: &[Diagnostic], sources: &SourceMap, color: bool) {
    if diags.is_empty() {
        return;
    }
    let mut out = diag::render_text(diags, sources, color);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let _ = write!(
        out,
        "{errors} error(s), {} warning(s) in the input",
        diags.len() - errors
    );
    if errors > 0 {
        let files = diag::files_with_errors(diags).len();
        let _ = write!(
            out,
            ": the result is incomplete, {files} file(s) could not be read or evaluated"
        );
    }
    out.push('\n');
    let _ = std::io::stderr().lock().write_all(out.as_bytes());
}

/// What to scan, as target resolution reads it.
pub fn targets(args: &TargetArgs) -> Targets {
    Targets {
        paths: args.paths.clone(),
        plan: args.plan.clone(),
        source_dir: args.source_dir.clone(),
        env: args.env.clone(),
        var_files: args.var_files.clone(),
        vars: args.vars.clone(),
        config: args.config.clone(),
        profile: args.profile.clone(),
        strict: args.strict,
        download_modules: args.download_modules,
        skip_paths: args.skip_paths.clone(),
    }
}

/// The rules a run reports: only those of `--check` (or the configuration's `check`) when given,
/// without those of `--skip-check` (or `skip_check`). The command line's list wins over the
/// configuration's of the same kind.
pub struct Selection {
    only: Option<BTreeSet<usize>>,
    skip: BTreeSet<usize>,
}

impl Selection {
    pub fn resolve(
        reg: &Registry,
        settings: &Settings,
        check: &[String],
        skip_check: &[String],
    ) -> miette::Result<Selection> {
        let check = if check.is_empty() { &settings.check } else { check };
        let skip_check = if skip_check.is_empty() {
            &settings.skip_check
        } else {
            skip_check
        };
        let only = if check.is_empty() {
            None
        } else {
            Some(rule_indices(reg, check, "--check")?)
        };
        Ok(Selection {
            only,
            skip: rule_indices(reg, skip_check, "--skip-check")?,
        })
    }

    pub fn keeps(&self, rule: usize) -> bool {
        self.only.as_ref().is_none_or(|o| o.contains(&rule)) && !self.skip.contains(&rule)
    }

    /// Drops the findings of the rules left out.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        findings.retain(|f| self.keeps(f.rule));
    }
}

/// The registry indices of `ids` (ids, names or aliases); an unknown one is a usage error that
/// suggests the closest id or name.
fn rule_indices(reg: &Registry, ids: &[String], flag: &str) -> miette::Result<BTreeSet<usize>> {
    let mut out = BTreeSet::new();
    for id in ids.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        match reg.get(id).and_then(|p| reg.policies.iter().position(|q| q.id == p.id)) {
            Some(i) => {
                out.insert(i);
            }
            None => {
                let names = reg.policies.iter().flat_map(|p| {
                    [p.id.as_str(), p.name.as_str()]
                        .into_iter()
                        .chain(p.aliases.checkov.iter().map(String::as_str))
                        .chain(p.aliases.trivy.iter().map(String::as_str))
                });
                return Err(usage(
                    format!("{flag} {id}: no such check"),
                    Some(suggestion(id, names, "`infracheck rules` lists them")),
                ));
            }
        }
    }
    Ok(out)
}

/// `did you mean X?` for the candidate closest to `given`, then `rest`.
fn suggestion<'a>(given: &str, candidates: impl Iterator<Item = &'a str>, rest: &str) -> String {
    let given_lower = given.to_lowercase();
    let closest = candidates
        .map(|c| (strsim::levenshtein(&given_lower, &c.to_lowercase()), c))
        .min_by_key(|(d, _)| *d);
    match closest {
        Some((_, c)) => format!("did you mean {c}? {rest}"),
        None => rest.to_string(),
    }
}

/// Checks that `profile` is a policy profile some policy or environment names (or `default`):
/// a typo would otherwise apply no profile's rules, silently.
pub fn known_profile(reg: &Registry, settings: &Settings, profile: &str, flag: &str) -> miette::Result<()> {
    let mut known: BTreeSet<&str> = BTreeSet::from(["default"]);
    for p in &reg.policies {
        known.extend(p.environments.iter().map(String::as_str));
        known.extend(p.severity_by_profile.keys().map(String::as_str));
    }
    known.extend(settings.envs.values().map(|e| e.profile.as_str()));
    if known.contains(profile) {
        return Ok(());
    }
    let list = known.iter().copied().collect::<Vec<_>>().join(", ");
    Err(usage(
        format!("{flag} {profile}: no policy or environment uses this profile"),
        Some(suggestion(
            profile,
            known.iter().copied(),
            &format!("the profiles: {list}"),
        )),
    ))
}
