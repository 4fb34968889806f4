//! `infracheck check`: Terraform against the policies. Resolves the targets, estimates the
//! environments that have a budget (the budget rule reads the estimate), runs the policy engine,
//! applies suppressions and the baseline, and hands the findings to the reporter of `--format`.

use super::{
    color, input_diagnostics, known_profile, print_diagnostics, registry, write_report, write_report_with, Selection,
};
use crate::cli::args::{CheckArgs, CheckFormat};
use crate::cli::error::usage;
use crate::cost::catalog::Catalog;
use crate::exit;
use crate::model::{Budget, Project};
use crate::report;
use crate::rules::engine::{self, Outcome};
use crate::targets::{self, BudgetInput, Loaded};

/// `infracheck check`: the policies over every project, suppressions and the baseline applied.
pub fn check(args: &CheckArgs) -> miette::Result<u8> {
    let reg = registry(&args.report.policies)?;
    // The selection and the profile are checked before anything is evaluated.
    let cwd = std::env::current_dir().map_err(|e| usage(format!("cannot read the working directory: {e}"), None))?;
    let configured = targets::settings(args.target.config.as_deref(), &cwd)?;
    let selection = Selection::resolve(&reg, &configured, &args.report.check, &args.report.skip_check)?;
    if let Some(profile) = &args.target.profile {
        known_profile(&reg, &configured, profile, "--profile")?;
    }
    // Each root is estimated (when it has a budget) and checked as soon as it is evaluated, and
    // then keeps only what suppressions and the report read: memory follows the roots in flight.
    let checked = std::sync::Mutex::new(Vec::new());
    let Loaded {
        loader,
        projects,
        settings,
        ..
    } = targets::load_each(&super::targets(&args.target), &|p, budget| {
        if let Some(b) = budget {
            estimate_budget(p, b);
        }
        let found = engine::run(&reg, std::slice::from_ref(p));
        p.keep_for_report();
        let mut checked = checked.lock().unwrap_or_else(|e| e.into_inner());
        // The first root's findings are taken as they are: one root (a large plan) is never
        // copied into a second vector of the same size.
        if checked.is_empty() {
            *checked = found;
        } else {
            checked.extend(found);
        }
    })?;
    let mut findings = checked.into_inner().unwrap_or_else(|e| e.into_inner());
    engine::sort(&mut findings);
    crate::rules::suppress::apply(
        &reg,
        &projects,
        &mut findings,
        &loader.sources,
        &settings.ignores,
        settings.path.as_deref().and_then(|p| p.parent()),
        !args.no_inline_ignores,
        chrono::Utc::now().date_naive(),
    );
    let mut stale = Vec::new();
    if let Some(path) = &args.baseline {
        stale = crate::rules::baseline::apply(path, &mut findings, &loader.sources).map_err(|m| usage(m, None))?;
    }
    let diags = input_diagnostics(&projects, &loader);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if let Some(path) = &args.write_baseline {
        let n = crate::rules::baseline::write(path, &findings, &loader.sources)
            .map_err(|e| usage(format!("cannot write {}: {e}", path.display()), None))?;
        eprintln!("recorded {n} finding(s) in the baseline {}", path.display());
        if errors > 0 {
            eprintln!(
                "the input has errors (below): what could not be read has no entries in the baseline, and its findings will be new once it reads"
            );
        }
    }
    // After suppressions and the baseline, which account for every rule's findings.
    selection.apply(&mut findings);
    let color = color(&args.target.color);
    let opts = report::check::Options {
        color,
        show_passed: args.report.show_passed,
        quiet: args.report.quiet,
        compact: args.report.compact,
    };
    let report = match args.format {
        CheckFormat::Json => {
            write_report_with(args.report.output.as_deref(), &|w| {
                report::check::json_to(w, &reg, &projects, &findings, &diags, &loader.sources)
            })?;
            None
        }
        CheckFormat::Text => {
            let mut text = report::check::text(&reg, &projects, &findings, &loader.sources, &opts);
            // The errors themselves go to stderr, below; the report says the run is not clean.
            if let Some(line) = report::check::incomplete(&diags) {
                text.push_str(&format!("{line}; the errors are printed on stderr\n"));
            }
            Some(text)
        }
        CheckFormat::Sarif => Some(report::sarif::sarif(
            &reg,
            &projects,
            &findings,
            &diags,
            &loader.sources,
        )),
        CheckFormat::Markdown => Some(report::markdown::markdown_with(
            &reg,
            &projects,
            &findings,
            &diags,
            &loader.sources,
            args.report.quiet,
        )),
        CheckFormat::Junit => Some(report::junit::junit(
            &reg,
            &projects,
            &findings,
            &diags,
            &loader.sources,
        )),
    };
    if let Some(report) = report {
        write_report(args.report.output.as_deref(), &report)?;
    }
    print_diagnostics(&diags, &loader.sources, color);
    if !stale.is_empty() {
        eprintln!(
            "{} baseline entr{} no longer found (fixed, moved or renamed; rewrite it with --write-baseline):",
            stale.len(),
            if stale.len() == 1 { "y is" } else { "ies are" }
        );
        for e in &stale {
            let path = if e.path.is_empty() {
                String::new()
            } else {
                format!(" {}", e.path)
            };
            eprintln!("  {} {} {}{path}", e.rule, e.file, e.address);
        }
    }
    let failing = findings
        .iter()
        .any(|f| f.outcome == Outcome::Fail && f.suppressed.is_none() && f.severity >= args.report.severity);
    // The process ends here: freeing every syntax tree and value would take longer than the
    // check on large trees, and the OS reclaims it all at once.
    std::mem::forget((loader, projects, findings));
    Ok(if errors > 0 {
        exit::BAD_INPUT
    } else if args.write_baseline.is_some() {
        // The run asked to record today's findings, and it did: that is a success. The findings
        // are still reported, and a later run with --baseline reports only new ones.
        exit::CLEAN
    } else if failing && !args.report.soft_fail {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}

/// Gives the project its estimate against its budget, priced as `infracheck cost` prices it, for
/// the budget rule to hold against the budget.
fn estimate_budget(p: &mut Project, b: &BudgetInput) {
    let estimate = crate::cost::estimate_project(p, &b.usage, Catalog::active()).budget_estimate();
    p.budget = Some(Budget {
        monthly_usd: b.monthly_usd,
        estimate,
    });
}
