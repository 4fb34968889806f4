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
