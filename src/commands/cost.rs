//! `infracheck cost`: the monthly cost of each project from the price catalog (offline), per
//! resource and cost component, or the difference from an earlier estimate (`--compare-to`).

use super::{color, input_diagnostics, print_diagnostics, write_report};
use crate::cli::args::{CostArgs, CostFormat};
use crate::cli::error::usage;
use crate::config::Settings;
use crate::cost::usage::{Usage, UsageFile};
use crate::exit;
use crate::model::Project;
use crate::report;
use crate::targets::{self, Loaded};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `infracheck cost`: the monthly estimate of every project, or its difference from `--compare-to`.
pub fn cost(args: &CostArgs) -> miette::Result<u8> {
    let Loaded {
        loader,
        projects,
        settings,
        ..
    } = targets::load_with_settings(&super::targets(&args.target))?;
    let (usage_by_env, usage_diags) = usages(&projects, &settings, &args.usage_files, &loader.sources)?;
    let (catalog, _) = crate::cost::catalog::Catalog::load().map_err(|m| {
        usage(
            format!("the local price catalog does not read: {m}"),
            Some("run `infracheck prices update` again, or delete the file".into()),
        )
    })?;
    let none = crate::cost::usage::Usage::default();
    let envs: Vec<(crate::cost::EnvCost, String)> = projects
        .par_iter()
        .map(|p| {
            let u = usage_by_env.get(&p.env).unwrap_or(&none);
            (
                crate::cost::estimate_project(p, u, &catalog),
                p.root.display().to_string(),
            )
        })
        .collect();
    let mut diags = input_diagnostics(&projects, &loader);
    // The usage files' problems are input problems like the configuration's: on stderr, in the
    // reports' diagnostics, and a negative quantity (an error) makes the run exit 2.
    diags.extend(usage_diags);
    crate::diag::sort(&mut diags, &loader.sources);
    if let Some(old) = &args.compare_to {
        let before = old_estimates(old, args)?;
        let after: Vec<crate::cost::diff::Snapshot> =
            envs.iter().map(|(e, _)| crate::cost::diff::Snapshot::of(e)).collect();
        let diffs = crate::cost::diff::diff(&before, &after);
        let report = match args.format {
            CostFormat::Json => report::cost::diff_json(&diffs, old, &diags, &loader.sources),
            CostFormat::Markdown => report::cost::diff_markdown(&diffs, old, &diags, &loader.sources),
            _ => {
                let mut text = report::cost::diff_text(&diffs, old);
                if let Some(line) = report::check::incomplete(&diags) {
                    text.push_str(&format!(
                        "{line}: what it declares is not in the change; the errors are printed on stderr\n"
                    ));
                }
                text
            }
        };
        let errors = write_and_tell(args, &report, &diags, &loader)?;
        std::mem::forget((loader, projects));
        return Ok(if errors > 0 { exit::BAD_INPUT } else { exit::CLEAN });
    }
    let report = match args.format {
        CostFormat::Json => report::cost::json(&envs, &diags, &loader.sources),
        CostFormat::Markdown => report::cost::markdown(&envs, &diags, &loader.sources),
        CostFormat::Csv => report::cost::csv(&envs, &loader.sources),
        _ => {
            let mut text = report::cost::text(&envs, &loader.sources);
            // The errors themselves go to stderr; the report says the total leaves part out.
            if let Some(line) = report::check::incomplete(&diags) {
                text.push_str(&format!(
                    "{line}: what it declares is not in the totals; the errors are printed on stderr\n"
                ));
            }
            text
        }
    };
    let errors = write_and_tell(args, &report, &diags, &loader)?;
    // A line that could not be priced (no catalog price, or a quantity too large to compute) is
    // missing from the total either way.
    let missing = envs.iter().any(|(e, _)| {
        e.resources.iter().flat_map(|r| &r.lines).any(|l| {
            matches!(
                l.status,
                crate::cost::LineStatus::MissingPrice | crate::cost::LineStatus::NotPriced { .. }
            )
        })
    });
    std::mem::forget((loader, projects));
    Ok(if errors > 0 {
        exit::BAD_INPUT
    } else if missing && args.fail_on_missing_price {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}

/// Writes the report, then the input problems to stderr; returns how many are errors.
fn write_and_tell(
    args: &CostArgs,
    report: &str,
    diags: &[crate::diag::Diagnostic],
    loader: &crate::hcl::Loader,
) -> miette::Result<usize> {
    write_report(args.output.as_deref(), report)?;
    print_diagnostics(diags, &loader.sources, color(&args.target.color));
    Ok(diags.iter().filter(|d| d.is_error()).count())
}

/// The usage of each environment: its configured usage files, then those given on the command line.
/// Each file is read once, and checked once against the resources of every environment it applies
/// to (an address need match a resource of only one of them); its problems are diagnostics in
/// `sources`.
fn usages(
    projects: &[Project],
    settings: &Settings,
    extra: &[PathBuf],
    sources: &crate::source::SourceMap,
) -> miette::Result<(BTreeMap<String, Usage>, Vec<crate::diag::Diagnostic>)> {
    let mut out = BTreeMap::new();
    // Each file, and the projects it applies to, in the order first read.
    let mut files: Vec<(PathBuf, UsageFile, Vec<usize>)> = Vec::new();
    for (i, p) in projects.iter().enumerate() {
        let mut u = Usage::default();
        let configured = settings
            .envs
            .get(&p.env)
            .map(|e| e.usage_files.as_slice())
            .unwrap_or_default();
        for f in configured.iter().chain(extra) {
            let n = match files.iter().position(|(path, _, _)| path == f) {
                Some(n) => n,
                None => {
                    files.push((f.clone(), UsageFile::read(f).map_err(miette::Report::new)?, Vec::new()));
                    files.len() - 1
                }
            };
            let (_, file, applies) = &mut files[n];
            if !applies.contains(&i) {
                applies.push(i);
            }
            u.add(file);
        }
        out.insert(p.env.clone(), u);
    }
    let mut diags = Vec::new();
    for (_, file, applies) in &files {
        let resources: Vec<(&str, &str)> = applies
            .iter()
            .flat_map(|&i| &projects[i].resources)
            .filter(|r| r.mode == crate::model::Mode::Managed)
            .map(|r| (r.address.as_str(), r.resource_type.as_str()))
            .collect();
        let id = sources.add(PathBuf::from(&file.shown), file.text.clone());
        diags.extend(file.check(id, &resources));
    }
    Ok((out, diags))
}

/// The estimates of what `--compare-to` names: an earlier JSON report is read; a directory, a plan
/// or a git ref is estimated by running this program on it (for a git ref, on the tree of that
/// commit, with the same arguments), so both sides are estimated the same way.
fn old_estimates(old: &str, args: &CostArgs) -> miette::Result<Vec<crate::cost::diff::Snapshot>> {
    use std::process::{Command as Proc, Stdio};
    let cwd = std::env::current_dir().map_err(|e| usage(format!("cannot read the working directory: {e}"), None))?;
    let usage_args: Vec<String> = args
        .usage_files
        .iter()
        .flat_map(|f| ["--usage-file".to_string(), cwd.join(f).display().to_string()])
        .collect();
    let path = std::path::Path::new(old);
    let (dir, cmd_args, _tmp): (PathBuf, Vec<String>, Option<tempfile::TempDir>) = if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| usage(format!("cannot read {old}: {e}"), None))?;
        if text.contains("\"environments\"") {
            return crate::cost::diff::Snapshot::from_json(&text).map_err(|m| usage(format!("{old}: {m}"), None));
        }
        let mut a = vec!["cost".to_string(), old.to_string()];
        a.extend(usage_args);
        (cwd.clone(), a, None)
    } else if path.is_dir() {
        let mut a = vec!["cost".to_string(), old.to_string()];
        a.extend(usage_args);
        (cwd.clone(), a, None)
    } else {
        let git = |a: &[&str]| Proc::new("git").args(a).current_dir(&cwd).output();
        let commit = git(&["rev-parse", "--verify", "--quiet", &format!("{old}^{{commit}}")]);
        if !commit.as_ref().is_ok_and(|o| o.status.success()) {
            return Err(usage(
                format!("--compare-to {old}: not a file, a directory or a git ref"),
                Some("give a git ref (HEAD, origin/main), a directory, a plan or a `cost --format json` report".into()),
            ));
        }
        let prefix = git(&["rev-parse", "--show-prefix"])
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        let tmp = tempfile::tempdir().map_err(|e| usage(format!("cannot create a temporary directory: {e}"), None))?;
        let mut archive = Proc::new("git")
            .args(["archive", "--format=tar", old])
            .current_dir(&cwd)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| usage(format!("cannot run git archive: {e}"), None))?;
        let untar = Proc::new("tar")
            .args(["-x", "-C"])
            .arg(tmp.path())
            .stdin(archive.stdout.take().expect("piped"))
            .status()
            .map_err(|e| usage(format!("cannot run tar: {e}"), None))?;
        let archived = archive.wait().map_err(|e| usage(format!("git archive: {e}"), None))?;
        if !archived.success() || !untar.success() {
            return Err(usage(
                format!("--compare-to {old}: cannot read the tree of {old}"),
                None,
            ));
        }
        // The same arguments, without the ones that shape this run's output.
        let mut a = Vec::new();
        let mut kept_path = false;
        let mut raw = std::env::args().skip(1).peekable();
        while let Some(x) = raw.next() {
            match x.as_str() {
                "--compare-to" | "--format" | "--output" | "-o" => {
                    raw.next();
                }
                "--usage-file" => {
                    raw.next();
                }
                "--fail-on-missing-price" => {}
                _ if x.starts_with("--compare-to=")
                    || x.starts_with("--format=")
                    || x.starts_with("--output=")
                    || x.starts_with("--usage-file=") => {}
                // A changed file (a pre-commit hook passes them) that the old tree does not have
                // yet: its directory, when that existed.
                _ if args.target.paths.iter().any(|p| p.as_os_str() == x.as_str()) => {
                    let old_path = tmp.path().join(&prefix).join(&x);
                    if old_path.exists() {
                        a.push(x);
                        kept_path = true;
                    } else if let Some(parent) = std::path::Path::new(&x)
                        .parent()
                        .filter(|d| !d.as_os_str().is_empty() && tmp.path().join(&prefix).join(d).is_dir())
                    {
                        a.push(parent.display().to_string());
                        kept_path = true;
                    }
                }
                _ => a.push(x),
            }
        }
        if !args.target.paths.is_empty() && !kept_path {
            // Nothing of what changed existed before: everything is new.
            return Ok(Vec::new());
        }
        a.extend(usage_args);
        (tmp.path().join(prefix), a, Some(tmp))
    };
    let exe = std::env::current_exe().map_err(|e| usage(format!("cannot find this program: {e}"), None))?;
    let out = Proc::new(exe)
        .args(&cmd_args)
        .args(["--format", "json"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| usage(format!("cannot estimate {old}: {e}"), None))?;
    if out.status.code() == Some(i32::from(exit::BAD_INPUT)) && out.stdout.is_empty() {
        return Err(usage(
            format!("--compare-to {old}: its estimate failed"),
            Some(String::from_utf8_lossy(&out.stderr).trim().to_string()),
        ));
    }
    crate::cost::diff::Snapshot::from_json(&String::from_utf8_lossy(&out.stdout))
        .map_err(|m| usage(format!("--compare-to {old}: {m}"), None))
}
