//! Terraform's own plan as the evaluator's oracle: every root under fixtures/oracle/ is planned by
//! Terraform with stand-in providers and read by `infracheck resources`; both must give the same
//! instances and the same value for everything both know (benches/oracle/harness.rs).
//!
//! Needs Terraform ≥ 1.8 on PATH (or INFRACHECK_ORACLE_TERRAFORM) and a Python that imports PyPI's
//! `tf` (or INFRACHECK_ORACLE_PYTHON). Without them the test is skipped with a note, unless
//! INFRACHECK_REQUIRE_ORACLE=1 (CI), which makes a missing prerequisite a failure.

#[path = "../benches/oracle/harness.rs"]
mod harness;

use harness::compare::{parse_path, Step};
use harness::prepare::{normalize, registry_key, relative};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Each fixture root, its managed instances, and the fewest values that must be compared (so a
/// comparison that silently reads nothing cannot pass).
const FIXTURES: &[(&str, usize, usize)] = &[
    ("functions", 3, 40),
    ("network", 21, 55),
    ("values", 5, 35),
    ("web_tier", 12, 90),
];

fn tools() -> Option<harness::Tools> {
    match harness::Tools::find(PathBuf::from(env!("CARGO_BIN_EXE_infracheck"))) {
        Ok(t) => Some(t),
        Err(why) if harness::required() => panic!("the oracle cannot run: {why} ({} is set)", harness::REQUIRE_ENV),
        Err(why) => {
            eprintln!(
                "note: tests/oracle.rs skipped: {why} (set {}=1 to make this a failure)",
                harness::REQUIRE_ENV
            );
            None
        }
    }
}

#[test]
fn terraform_and_infracheck_agree_on_every_oracle_fixture() {
    let Some(tools) = tools() else { return };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/oracle");
    let spec = harness::TreeSpec { dir, only: Vec::new() };
    let report = harness::run(&[spec], &tools, &harness::Options::default()).expect("the harness runs");
    let text = harness::to_text(&report, 50);
    let roots: Vec<&str> = report.roots.iter().map(|r| r.root.as_str()).collect();
    assert_eq!(
        roots,
        FIXTURES.iter().map(|f| f.0).collect::<Vec<_>>(),
        "fixture roots\n{text}"
    );
    for (r, (name, instances, min_values)) in report.roots.iter().zip(FIXTURES) {
        let c = &r.comparison;
        assert_eq!(
            r.status,
            harness::Status::Planned,
            "{name} was not planned by both\n{text}"
        );
        assert!(
            r.infracheck_errors.is_empty(),
            "{name}: infracheck errors {:?}",
            r.infracheck_errors
        );
        assert!(
            c.missing_in_infracheck.is_empty() && c.extra_in_infracheck.is_empty(),
            "{name}: instances differ\n{text}"
        );
        assert!(c.differences.is_empty(), "{name}: values differ\n{text}");
        assert_eq!(c.terraform_instances, *instances, "{name}: instances planned\n{text}");
        assert!(
            c.values_compared >= *min_values,
            "{name}: only {} values compared\n{text}",
            c.values_compared
        );
        assert_eq!(c.values_equal, c.values_compared);
    }
}

#[test]
fn standin_provider_codec_round_trips_without_terraform() {
    let Some(tools) = tools() else { return };
    let out = Command::new(&tools.python)
        .arg(&tools.provider_script)
        .arg("--self-test")
        .output()
        .expect("python runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn infracheck_paths_parse_into_steps() {
    assert_eq!(
        parse_path(r#"a.b[0]["k x"].c"#),
        vec![
            Step::Key("a".into()),
            Step::Key("b".into()),
            Step::Index(0),
            Step::Key("k x".into()),
            Step::Key("c".into())
        ]
    );
}

#[test]
fn remote_sources_map_to_module_cache_keys() {
    assert_eq!(
        registry_key("cloudposse/label/null").0.as_deref(),
        Some("cloudposse/label/null")
    );
    let (k, sub) = registry_key("terraform-aws-modules/vpc/aws//modules/vpc-endpoints");
    assert_eq!(k.as_deref(), Some("terraform-aws-modules/vpc/aws"));
    assert_eq!(sub, Some(PathBuf::from("modules/vpc-endpoints")));
    let (k, _) = registry_key("git::https://github.com/cloudposse/terraform-null-label.git?ref=tags/0.21.0");
    assert_eq!(k.as_deref(), Some("cloudposse/label/null"));
}

#[test]
fn rewritten_sources_lead_from_caller_to_target() {
    assert_eq!(
        relative(Path::new("a/b"), Path::new("_m/x")),
        PathBuf::from("../../_m/x")
    );
    assert_eq!(relative(Path::new(""), Path::new("_m/x")), PathBuf::from("./_m/x"));
    assert_eq!(normalize(Path::new("examples/x/../..")), PathBuf::new());
}

/// The regression fixtures of fixtures/hcl/ that Terraform plans (the others hold errors on
/// purpose, or `&&` short-circuits that Terraform 1.11 does not make): each class of difference
/// fixed on real code agrees with Terraform's plan.
const HCL_FIXTURES: &[&str] = &[
    "null_arguments",
    "provider_reads_module_output/root",
    "resource_prefix_reference",
    "type_unification",
];

#[test]
fn terraform_agrees_with_the_regression_fixtures() {
    let Some(tools) = tools() else { return };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hcl");
    let spec = harness::TreeSpec {
        dir,
        only: HCL_FIXTURES.iter().map(|s| s.to_string()).collect(),
    };
    let report = harness::run(&[spec], &tools, &harness::Options::default()).expect("the harness runs");
    let text = harness::to_text(&report, 50);
    let mut roots: Vec<&str> = report.roots.iter().map(|r| r.root.as_str()).collect();
    roots.sort();
    assert_eq!(roots, HCL_FIXTURES, "fixture roots\n{text}");
    for r in &report.roots {
        let c = &r.comparison;
        assert_eq!(r.status, harness::Status::Planned, "{} was not planned\n{text}", r.root);
        assert!(
            c.missing_in_infracheck.is_empty() && c.extra_in_infracheck.is_empty(),
            "{}: instances differ\n{text}",
            r.root
        );
        assert!(c.differences.is_empty(), "{}: values differ\n{text}", r.root);
        assert!(
            c.terraform_instances > 0 && c.values_compared > 0,
            "{}: nothing compared\n{text}",
            r.root
        );
    }
}
