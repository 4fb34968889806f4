//! One file per command, each its whole orchestration: resolve the targets, run the front ends
//! and engines, hand the results to a reporter, and decide the exit code (ruff's `commands/`).
//! Below: the few helpers every command shares.

pub mod check;
pub mod cost;
pub mod live;
pub mod prices;
pub mod resources;
pub mod rules;

use crate::cli::args::TargetArgs;
use crate::cli::error::usage;
use crate::diag::{self, Diagnostic};
use crate::hcl::Loader;
use crate::model::Project;
use crate::rules::Registry;
use crate::targets::Targets;
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
            Some("see policies/README.md for the format".into()),
        )
    })
}

pub fn write_out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
}

/// Writes the report to `--output FILE`, or to standard output.
pub fn write_report(output: Option<&Path>, report: &str) -> miette::Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, report).map_err(|e| usage(format!("cannot write {}: {e}", path.display()), None))
        }
        None => {
            write_out(report);
            Ok(())
        }
    }
}

/// Whether to colour what goes to standard error.
pub fn color_wanted(target: &TargetArgs) -> bool {
    color(target.no_color)
}

pub fn color(no_color: bool) -> bool {
    !no_color && std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// The input problems of every project, in source order.
pub fn input_diagnostics(projects: &[Project], loader: &Loader) -> Vec<Diagnostic> {
    let mut diags: Vec<Diagnostic> = projects.iter().flat_map(|p| p.diagnostics.iter().cloned()).collect();
    diag::sort(&mut diags, &loader.sources);
    diags
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
    }
}
