//! `check` evaluates, checks and slims each root as soon as it is evaluated, and drops a module's
//! configuration once no root still to evaluate uses it (issue 19). Its reports must be what
//! checking every fully evaluated root at once gives, byte for byte: here the library's steps run
//! on whole projects, kept until the end, against the binary, on every tree the repository has.

use assert_cmd::Command;
use infracheck::commands::{input_diagnostics, registry};
use infracheck::cost::catalog::Catalog;
use infracheck::model::Budget;
use infracheck::targets::{self, Targets};
use std::path::PathBuf;

const CACHE: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/no-module-cache");

/// The JSON report of `check PATHS` as the binary writes it.
fn streamed(paths: &[&str]) -> (String, Option<i32>) {
    let out = Command::cargo_bin("infracheck")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("INFRACHECK_CACHE_DIR", CACHE)
        .arg("check")
        .args(paths)
        .args(["--format", "json"])
        .output()
        .unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.code())
}

/// The same report from every project evaluated in full first, then checked all together.
fn all_at_once(paths: &[&str]) -> String {
    let reg = registry(&[]).unwrap();
    let t = Targets {
        paths: paths.iter().map(PathBuf::from).collect(),
        ..Default::default()
    };
    let loaded = targets::load_with_settings(&t).unwrap();
    let mut projects = loaded.projects;
    for p in &mut projects {
        if let Some(b) = loaded.budgets.get(&p.env) {
            let estimate = infracheck::cost::estimate_project(p, &b.usage, Catalog::active()).budget_estimate();
            p.budget = Some(Budget {
                monthly_usd: b.monthly_usd,
                estimate,
            });
        }
    }
    // Nothing is slimmed here: every resource keeps its values for the reports.
    assert!(projects
        .iter()
        .any(|p| p.resources.iter().any(|r| !r.attributes.is_empty())));
    let mut findings = infracheck::rules::engine::run(&reg, &projects);
    infracheck::rules::suppress::apply(
        &reg,
        &projects,
        &mut findings,
        &loaded.loader.sources,
        &loaded.settings.ignores,
        loaded.settings.path.as_deref().and_then(|p| p.parent()),
        true,
        chrono::Utc::now().date_naive(),
    );
    let diags = input_diagnostics(&projects, &loaded.loader);
    infracheck::report::check::json(&reg, &projects, &findings, &diags, &loaded.loader.sources)
}

#[test]
fn streamed_check_reports_what_checking_every_root_at_once_reports() {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    std::env::set_var("INFRACHECK_CACHE_DIR", CACHE);
    // The configured environments (with their budgets), the fixtures (bad input among them, and
    // trees whose roots share modules) and the bundled Terraform, apart and together.
    for paths in [
        &[][..],
        &["fixtures"][..],
        &["terraform"][..],
        &["fixtures", "terraform"][..],
    ] {
        let (streamed, code) = streamed(paths);
        let whole = all_at_once(paths);
        assert!(
            streamed.len() > 1000 && streamed.contains("\"findings\""),
            "{paths:?}: {code:?}"
        );
        if streamed != whole {
            let at = streamed
                .bytes()
                .zip(whole.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(streamed.len().min(whole.len()));
            panic!(
                "check {paths:?} differs at byte {at}:\nstreamed: {}\nat once:  {}",
                &streamed[at.saturating_sub(200)..(at + 200).min(streamed.len())],
                &whole[at.saturating_sub(200)..(at + 200).min(whole.len())]
            );
        }
    }
}
