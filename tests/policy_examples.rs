//! Every policy's examples are tests: a bad example must fail its rule, a good one must neither fail
//! nor be unresolved. The text a user sees for each bad example is a snapshot. policies/README.md
//! is generated from the registry and must be current.

use infracheck::hcl::eval::module::evaluate_root;
use infracheck::hcl::{Loader, RootSpec};
use infracheck::model::Project;
use infracheck::report;
use infracheck::rules::engine::{run, run_one, Finding, Outcome};
use infracheck::rules::{suppress, Check, Policy, Registry};
use std::path::Path;

/// Evaluates one example, written to a stable place, `target/tmp/` of the checkout, so snapshots
/// name the same path on every machine — also when CARGO_TARGET_DIR points elsewhere (the path
/// is part of the text, and its length decides where miette wraps it).
fn evaluate(policy: &Policy, kind: &str, n: usize, hcl: &str) -> (Loader, Project) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/tmp/policy-examples")
        .join(&policy.id)
        .join(format!("{kind}-{n}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.tf"), hcl).unwrap();
    let loader = Loader::new(dir.clone());
    let spec = RootSpec {
        name: format!("{kind}-{n}"),
        dir: infracheck::source::display_path(&dir),
        var_files: Vec::new(),
        vars: Vec::new(),
        workspace: "default".into(),
        profile: policy.example_profile().to_string(),
        example: None,
        deployment: false,
    };
    let mut project = evaluate_root(&loader, &spec);
    // The budget rule's examples are checked against a budget of $50 (its text says so).
    if policy.id == "IC-COST-001" {
        let catalog = infracheck::cost::catalog::Catalog::active();
        let estimate = infracheck::cost::estimate_project(&project, &Default::default(), catalog);
        project.budget = Some(infracheck::model::Budget {
            monthly_usd: 50.into(),
            estimate: estimate.budget_estimate(),
        });
    }
    (loader, project)
}

fn describe(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("{:?} {} {}", f.outcome, f.address, f.message))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_example_of_every_policy() {
    let registry = Registry::builtin().unwrap_or_else(|e| panic!("{e:#?}"));
    assert!(
        registry.policies.len() >= 50,
        "the catalog has {} policies",
        registry.policies.len()
    );
    let mut problems = Vec::new();
    for (index, policy) in registry.policies.iter().enumerate() {
        for (kind, examples) in [("bad", &policy.examples().bad), ("good", &policy.examples().good)] {
            for (n, hcl) in examples.iter().enumerate() {
                let (loader, project) = evaluate(policy, kind, n, hcl);
                let errors: Vec<String> = project
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| d.message.clone())
                    .collect();
                if !errors.is_empty() {
                    problems.push(format!(
                        "{} {kind} example {n} does not evaluate: {errors:?}",
                        policy.id
                    ));
                    continue;
                }
                let findings = match &policy.check {
                    // The suppressions' own rules report after every rule has run.
                    Check::Builtin(_) => {
                        let mut all = run(&registry, std::slice::from_ref(&project));
                        suppress::apply(
                            &registry,
                            std::slice::from_ref(&project),
                            &mut all,
                            &loader.sources,
                            &[],
                            None,
                            true,
                            chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
                        );
                        // Passes of this rule: the suppressions that were fine.
                        let mine: Vec<Finding> = all.into_iter().filter(|f| f.rule == index).collect();
                        if mine.is_empty() {
                            vec![Finding {
                                rule: index,
                                rule_id: policy.id.as_str().into(),
                                severity: policy.severity,
                                outcome: Outcome::Pass,
                                env: project.env.as_str().into(),
                                address: "suppression".into(),
                                resource: None,
                                span: None,
                                via: Vec::new(),
                                message: String::new(),
                                refers_to: Vec::new(),
                                path: None,
                                suppressed: None,
                                undecided: Default::default(),
                            }]
                        } else {
                            mine
                        }
                    }
                    _ => run_one(index, policy, &project),
                };
                let failed = findings.iter().any(|f| f.outcome == Outcome::Fail);
                let unresolved = findings.iter().any(|f| f.outcome == Outcome::Unresolved);
                let ran = !findings.is_empty();
                match kind {
                    "bad" if !failed => problems.push(format!(
                        "{} bad example {n} does not fail:\n{}",
                        policy.id,
                        describe(&findings)
                    )),
                    "good" if failed || unresolved || !ran => problems.push(format!(
                        "{} good example {n} {}:\n{}",
                        policy.id,
                        if ran { "does not pass" } else { "checks nothing" },
                        describe(&findings)
                    )),
                    _ => {}
                }
                if kind == "bad" {
                    let shown: Vec<Finding> = findings.into_iter().filter(|f| f.outcome != Outcome::Pass).collect();
                    let text = report::check::text(
                        &registry,
                        std::slice::from_ref(&project),
                        &shown,
                        &loader.sources,
                        &report::check::Options::default(),
                    );
                    insta::with_settings!({ snapshot_path => "snapshots/policies", prepend_module_to_snapshot => false }, {
                        insta::assert_snapshot!(format!("{}-bad-{n}", policy.id), text);
                    });
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn ids_and_names_are_unique_and_files_are_named_after_them() {
    let registry = Registry::builtin().unwrap();
    for p in &registry.policies {
        assert!(p.id.starts_with("IC-"), "built-in ids start with IC-: {}", p.id);
        let file = p.file.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(file, format!("{}-{}.toml", p.id, p.name), "{}", p.file.display());
        let service = p.file.parent().unwrap();
        assert!(
            service.starts_with(Path::new("policies/aws")),
            "{} is not under policies/aws/<service>/",
            p.file.display()
        );
    }
}

/// The rationale is the risk, for a user who has none of the project's design documents; where the
/// requirement comes from is the policy's `source`, which every built-in policy gives.
#[test]
fn rationales_name_no_design_document_and_every_builtin_policy_has_a_source() {
    let registry = Registry::builtin().unwrap();
    let mut problems = Vec::new();
    for p in &registry.policies {
        let lower = p.rationale.to_lowercase();
        for reference in ["document 0", "documents 0", "design document", "ecia"] {
            if lower.contains(reference) {
                problems.push(format!("{}: rationale cites {reference:?}: {}", p.id, p.rationale));
            }
        }
        match &p.source {
            Some(source) if !source.trim().is_empty() => {}
            _ => problems.push(format!("{}: no source (where the requirement comes from)", p.id)),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn policies_readme_is_generated_from_the_registry() {
    let registry = Registry::builtin().unwrap();
    let expected = report::rules::markdown(&registry);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/README.md");
    if std::env::var_os("INFRACHECK_UPDATE_POLICIES_README").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "policies/README.md is stale: run `cargo run -- rules --format markdown > policies/README.md` \
         (or INFRACHECK_UPDATE_POLICIES_README=1 cargo test --test policy_examples)"
    );
}

/// Every snapshot of a bad example belongs to an example that exists: a rule split or an example
/// removed leaves no stale snapshot behind.
#[test]
fn every_policy_snapshot_belongs_to_a_bad_example() {
    let registry = Registry::builtin().unwrap_or_else(|e| panic!("{e:#?}"));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/policies");
    let mut stale = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".snap") else {
            continue;
        };
        let known = stem.rsplit_once("-bad-").is_some_and(|(id, n)| {
            registry
                .policies
                .iter()
                .find(|p| p.id == id)
                .zip(n.parse::<usize>().ok())
                .is_some_and(|(p, n)| n < p.examples().bad.len())
        });
        if !known {
            stale.push(name);
        }
    }
    stale.sort();
    assert!(stale.is_empty(), "snapshots of no bad example: {stale:?}");
}
