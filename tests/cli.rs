//! The command line as a user meets it: what it reads, what it prints, how it exits.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn infracheck() -> Command {
    let mut c = Command::cargo_bin("infracheck").expect("binary");
    c.current_dir(root()).env("NO_COLOR", "1");
    c
}

fn json(args: &[&str]) -> (Value, i32) {
    let out = infracheck()
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("run");
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (v, out.status.code().unwrap_or(-1))
}

fn count(project: &Value, resource_type: &str) -> usize {
    project["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter(|r| r["type"] == resource_type)
        .count()
}

fn attr<'a>(project: &'a Value, address: &str) -> &'a Value {
    project["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("no resource {address}"))
}

#[test]
fn check_without_arguments_reads_every_bundled_environment() {
    // The bundled environments record the document's own exceptions as suppressions with their
    // reasons: nothing fails, exit 0.
    infracheck()
        .arg("check")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "── dev (terraform/environments/dev, profile dev)",
        ))
        .stdout(predicate::str::contains(
            "── staging (terraform/environments/staging, profile staging)",
        ))
        .stdout(predicate::str::contains(
            "── prod (terraform/environments/prod, profile prod)",
        ))
        .stdout(predicate::str::contains("all environments: "))
        .stderr(predicate::str::is_empty());
}

#[test]
fn env_selects_one_environment_with_its_own_values() {
    let (prod, code) = json(&["resources", "--env", "prod"]);
    assert_eq!(code, 0);
    assert_eq!(prod["env"], "prod");
    assert_eq!(count(&prod, "aws_nat_gateway"), 3);
    // Three NAT addresses and the bastion's.
    assert_eq!(count(&prod, "aws_eip"), 4);
    assert_eq!(count(&prod, "aws_subnet"), 9);
    let rt = attr(&prod, "module.platform.module.vpc.aws_route.private_nat[2]");
    assert_eq!(
        rt["refers_to"]["nat_gateway_id"][0],
        "module.platform.module.vpc.aws_nat_gateway.this[2].id"
    );
    assert_eq!(rt["region"], "ap-south-1");
    assert_eq!(rt["file"], "terraform/modules/vpc/main.tf");

    let (dev, _) = json(&["resources", "--env", "dev"]);
    assert_eq!(count(&dev, "aws_nat_gateway"), 1);
    let rt = attr(&dev, "module.platform.module.vpc.aws_route.private_nat[1]");
    assert_eq!(
        rt["refers_to"]["nat_gateway_id"][0],
        "module.platform.module.vpc.aws_nat_gateway.this[0].id"
    );
    assert_eq!(
        attr(&dev, "module.platform.module.vpc.aws_vpc.this")["attributes"]["cidr_block"],
        "10.0.0.0/16"
    );
}

#[test]
fn env_all_gives_an_array_sorted_by_environment() {
    let (all, code) = json(&["resources", "--env", "all"]);
    assert_eq!(code, 0);
    let names: Vec<&str> = all
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["env"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["dev", "prod", "staging"]);
}

#[test]
fn an_unknown_environment_is_a_usage_error_that_lists_the_known_ones() {
    infracheck()
        .args(["resources", "--env", "qa"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown environment \"qa\""))
        .stderr(predicate::str::contains("dev, prod, staging"));
}

#[test]
fn a_missing_path_is_a_usage_error() {
    infracheck()
        .args(["resources", "no/such/dir"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/dir: no such file or directory"));
}

#[test]
fn a_tree_of_roots_is_scanned_root_by_root_and_a_broken_one_hides_nothing() {
    let (v, code) = json(&["resources", "fixtures/hcl_cli/monorepo"]);
    assert_eq!(code, 2, "a parse error exits 2");
    let projects = v.as_array().expect("one object per root");
    let roots: Vec<&str> = projects.iter().map(|p| p["env"].as_str().unwrap_or("")).collect();
    assert_eq!(
        roots,
        [
            "fixtures/hcl_cli/monorepo/broken",
            "fixtures/hcl_cli/monorepo/envs/dev",
            "fixtures/hcl_cli/monorepo/envs/prod",
            "fixtures/hcl_cli/monorepo/modules/bucket/examples/basic",
        ],
        "modules called by other directories are not roots"
    );
    assert_eq!(
        attr(&projects[1], "module.bucket.aws_s3_bucket.this")["attributes"]["bucket"],
        "app-dev"
    );
    assert_eq!(
        attr(&projects[2], "module.bucket.aws_s3_bucket.this")["attributes"]["bucket"],
        "app-prod"
    );
    let d = &projects[0]["diagnostics"][0];
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64(), d["column"].as_u64()),
        (Some("fixtures/hcl_cli/monorepo/broken/main.tf"), Some(2), Some(15))
    );
}

#[test]
fn parse_errors_show_file_line_column_and_a_snippet() {
    infracheck()
        .args(["resources", "fixtures/hcl/errors"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("aws_s3_bucket.still_loaded"))
        .stderr(predicate::str::contains(
            "fixtures/hcl/errors/broken.tf:3:19: invalid HCL",
        ))
        .stderr(predicate::str::contains("3 │   instance_type = "))
        .stderr(predicate::str::contains(
            "fixtures/hcl/errors/good.tf:11:12: Call to unknown function",
        ))
        .stderr(predicate::str::contains("3 error(s), 0 warning(s) in the input"));
}

#[test]
fn json_syntax_errors_point_into_the_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("main.tf.json"),
        "{\n  \"resource\": {\n    \"aws_vpc\": { \"x\": { \"cidr_block\": \"${nosuch(1)}\" } }\n  }\n}\n",
    )
    .expect("write");
    let out = infracheck().arg("resources").arg(dir.path()).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("main.tf.json:3:42: Call to unknown function"), "{err}");
}

#[test]
fn variable_values_follow_terraform_precedence() {
    let dir = "fixtures/hcl/variables";
    let tags = |extra: &[&str], env: &[(&str, &str)]| -> Value {
        let mut c = infracheck();
        c.args(["resources", dir, "--format", "json"]).args(extra);
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().expect("run");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        attr(&v, "aws_db_instance.main")["attributes"]["tags"].clone()
    };
    // terraform.tfvars < terraform.tfvars.json < a.auto.tfvars < b.auto.tfvars
    assert_eq!(tags(&[], &[])["FromAuto"], "from b.auto.tfvars");
    // TF_VAR_ is the lowest: the files win.
    assert_eq!(
        tags(&[], &[("TF_VAR_from_auto", "env")])["FromAuto"],
        "from b.auto.tfvars"
    );
    // --var-file comes after the automatic files, --var last.
    let extra = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(extra.path(), "from_auto = \"from --var-file\"\n").expect("write");
    let file = extra.path().to_str().expect("utf8");
    assert_eq!(tags(&["--var-file", file], &[])["FromAuto"], "from --var-file");
    assert_eq!(
        tags(&["--var-file", file, "--var", "from_auto=cli"], &[])["FromAuto"],
        "cli"
    );
    // A number variable given as a string on the command line is converted by its type.
    assert_eq!(tags(&["--var", "instance_count=7"], &[])["Count"], "7");
}

#[test]
fn a_failed_validation_points_at_the_value_that_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("main.tf"),
        "variable \"env\" {\n  type = string\n  validation {\n    condition     = contains([\"dev\", \"prod\"], var.env)\n    error_message = \"env must be dev or prod.\"\n  }\n}\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("terraform.tfvars"), "# the environment\nenv = \"qa\"\n").expect("write");
    // Terraform rejects the value at plan time, not `terraform validate`: a located warning,
    // and an error (exit 2) under --strict.
    for (strict, code, severity) in [(false, 0, "⚠"), (true, 2, "×")] {
        let mut cmd = infracheck();
        cmd.arg("resources").arg(dir.path());
        if strict {
            cmd.arg("--strict");
        }
        let out = cmd.output().expect("run");
        assert_eq!(out.status.code(), Some(code), "strict: {strict}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("{severity} {}", dir.path().join("terraform.tfvars").display()))
                && err.contains("terraform.tfvars:2:7: invalid value for variable \"env\": env must be dev or"),
            "{err}"
        );
        assert!(err.contains("2 │ env = \"qa\""), "{err}");
    }
}

#[test]
fn sensitive_values_are_never_printed() {
    for format in ["text", "json"] {
        infracheck()
            .args(["resources", "fixtures/hcl/variables", "--values", "--format", format])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("hunter2").not());
    }
}

#[test]
fn values_show_what_is_known_only_after_apply() {
    infracheck()
        .args(["resources", "--env", "prod", "--values"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "nat_gateway_id = (known after apply: module.platform.module.vpc.aws_nat_gateway.this[2].id)",
        ));
}

#[test]
fn each_file_is_parsed_once_however_many_roots_use_it() {
    use infracheck::hcl::eval::module::evaluate_root;
    use infracheck::hcl::{Loader, RootSpec};
    let tree = root().join("fixtures/hcl_cli/monorepo");
    let loader = Loader::new(tree.clone());
    let roots = infracheck::targets::tree::discover_roots(&loader, &tree, &Default::default());
    assert_eq!(roots.len(), 4);
    for dir in roots {
        let spec = RootSpec {
            name: dir.display().to_string(),
            dir,
            var_files: vec![],
            vars: vec![],
            workspace: "default".into(),
            profile: "default".into(),
            example: None,
            deployment: false,
        };
        evaluate_root(&loader, &spec);
    }
    // envs/dev, envs/prod, modules/bucket, modules/bucket/examples/basic, broken: five files.
    assert_eq!(loader.sources.len(), 5);
}

#[test]
fn check_json_lists_findings_with_locations_and_exits_by_threshold() {
    let out = infracheck()
        .args(["check", "fixtures/systems/redis-worker", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "IC-EC2-004")
        .expect("the public IP finding");
    assert_eq!(f["outcome"], "fail");
    assert_eq!(f["severity"], "medium");
    assert_eq!(f["address"], "aws_instance.app");
    assert_eq!(f["file"], "fixtures/systems/redis-worker/main.tf");
    let text = std::fs::read_to_string(root().join("fixtures/systems/redis-worker/main.tf")).unwrap();
    let line = text.lines().nth(f["line"].as_u64().unwrap() as usize - 1).unwrap();
    assert!(line.contains("associate_public_ip_address = true"), "{line}");
    assert_eq!(f["column"].as_u64().unwrap() as usize, line.find("true").unwrap() + 1);
    assert_eq!(f["end_line"], f["line"]);
    assert_eq!(f["aliases"]["checkov"][0], "CKV_AWS_88");
    for key in [
        "rule_name",
        "title",
        "category",
        "env",
        "message",
        "remediation",
        "refers_to",
        "via",
    ] {
        assert!(f.get(key).is_some(), "{key}");
    }
    assert_eq!(v["summary"]["fixtures/systems/redis-worker"]["failed"], 18);

    // Only failures at or above --severity decide the exit code; --soft-fail reports and exits 0.
    infracheck()
        .args(["check", "fixtures/systems/redis-worker", "--severity", "critical"])
        .assert()
        .code(0);
    infracheck()
        .args(["check", "fixtures/systems/redis-worker", "--soft-fail"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("IC-EC2-004"));
}

#[test]
fn check_text_points_at_the_line_with_a_snippet_and_help() {
    infracheck()
        .args(["check", "fixtures/systems/redis-worker"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "fixtures/systems/redis-worker/main.tf:113:33: aws_instance.app fails \"Instances get no public",
        ))
        .stdout(predicate::str::contains(
            "╭─[fixtures/systems/redis-worker/main.tf:113:33]",
        ))
        .stdout(predicate::str::contains("associate_public_ip_address = true"))
        .stdout(predicate::str::contains(
            "help: Remove `associate_public_ip_address = true`",
        ))
        .stdout(predicate::str::contains(
            "fixtures/systems/redis-worker: 26 passed, 18 failed (4 high, 5 medium, 9 low), 2 unresolved, 0 suppressed",
        ));
}

#[test]
fn profiles_scope_rules() {
    // The NAT gateway rule applies to prod only: grocerymate's single NAT is a finding under the
    // prod profile and not under the default one.
    let count = |profile: &str| {
        let out = infracheck()
            .args([
                "check",
                "fixtures/systems/grocerymate",
                "--format",
                "json",
                "--profile",
                profile,
            ])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == "IC-VPC-005")
            .count()
    };
    assert_eq!(count("prod"), 1);
    assert_eq!(count("default"), 0);
}

#[test]
fn rules_and_explain_describe_the_catalog() {
    let out = infracheck().args(["rules", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let rules: Value = serde_json::from_slice(&out.stdout).unwrap();
    let nat = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "IC-VPC-005")
        .unwrap();
    assert_eq!(nat["graph_check"], "nat_per_az");
    assert_eq!(nat["environments"][0], "prod");
    for key in ["name", "title", "severity", "category", "resource_types", "aliases"] {
        assert!(nat.get(key).is_some(), "{key}");
    }
    assert!(
        nat["source"]
            .as_str()
            .is_some_and(|s| s.contains("Design document 003")),
        "{}",
        nat["source"]
    );
    infracheck()
        .args(["explain", "CKV_AWS_16"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("IC-RDS-001 rds-storage-encrypted"))
        .stdout(predicate::str::contains("## What it checks"))
        .stdout(predicate::str::contains("## Why it matters"))
        .stdout(predicate::str::contains(
            "\nSource: Design document 003 (ECIA production architecture)",
        ))
        .stdout(predicate::str::contains("## Bad"))
        .stdout(predicate::str::contains("## Good"))
        .stdout(predicate::str::contains("## References"));
    infracheck()
        .args(["explain", "IC-NOPE-999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no policy \"IC-NOPE-999\""));
}

#[test]
fn user_policies_run_beside_the_builtin_ones_and_bad_ones_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("aws/ec2")).unwrap();
    std::fs::write(
        dir.path().join("aws/ec2/ACME-EC2-001-instance-type-allowed.toml"),
        r#"id = "ACME-EC2-001"
name = "acme-instance-types"
title = "Instances use an approved type"
severity = "low"
category = "reliability"
resource_types = ["aws_instance"]
what = "Only t3 instances."
rationale = "Our budget."
remediation = "Use a t3 type."

[check]
assert = { path = "instance_type", matches = "^t3\\." }

[examples]
bad = ['resource "aws_instance" "x" { instance_type = "m5.large" }']
good = ['resource "aws_instance" "x" { instance_type = "t3.small" }']
"#,
    )
    .unwrap();
    let out = infracheck()
        .args([
            "check",
            "fixtures/systems/redis-worker",
            "--format",
            "json",
            "--policies",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == "ACME-EC2-001"),
        "t3.small passes"
    );
    let text = String::from_utf8(
        infracheck()
            .args(["rules", "--policies"])
            .arg(dir.path())
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(text.contains("ACME-EC2-001"), "{text}");
    // A user's policy may leave out `source`: explain shows no Source line, JSON gives null.
    infracheck()
        .args(["explain", "ACME-EC2-001", "--policies"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "## Why it matters\nOur budget.\n\n## How to fix it",
        ));
    let out = infracheck()
        .args(["rules", "--format", "json", "--policies"])
        .arg(dir.path())
        .output()
        .unwrap();
    let rules: Value = serde_json::from_slice(&out.stdout).unwrap();
    let acme = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "ACME-EC2-001")
        .unwrap();
    assert!(acme["source"].is_null(), "{acme}");

    std::fs::write(
        dir.path().join("aws/ec2/broken.toml"),
        "id = \"IC-X-1\"\n[check]\nassert = { path = \"a\" }\n",
    )
    .unwrap();
    let out = infracheck()
        .args(["rules", "--policies"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // The words of the help, as miette wraps them.
    let err = String::from_utf8(out.stderr).unwrap();
    let words = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("broken.toml"), "{err}");
    // The help points where a user of the installed binary can look, not into the repository.
    assert!(
        words.contains("https://github.com/infracheck/infracheck#writing-policies"),
        "{err}"
    );
    assert!(words.contains("`infracheck explain ID`"), "{err}");
    assert!(!words.contains("see policies/README.md"), "{err}");
}

#[test]
fn changed_files_check_only_the_roots_that_use_them() {
    let envs = |args: &[&str]| -> Vec<String> {
        let (v, _) = json(&[&["check"], args].concat());
        match v {
            Value::Array(a) => a.iter().map(|p| p["summary"].to_string()).collect(),
            _ => v["summary"].as_object().unwrap().keys().cloned().collect(),
        }
    };
    // A module every environment uses (directly, or through the composition module); one
    // environment's variables; a file no environment uses.
    assert_eq!(envs(&["terraform/modules/iam/main.tf"]), ["dev", "prod", "staging"]);
    assert_eq!(
        envs(&["terraform/modules/platform/main.tf"]),
        ["dev", "prod", "staging"]
    );
    assert_eq!(envs(&["terraform/environments/prod/terraform.tfvars"]), ["prod"]);
    assert_eq!(
        envs(&["fixtures/systems/redis-worker/main.tf"]),
        ["fixtures/systems/redis-worker"]
    );
}

#[test]
fn plan_time_errors_are_warnings_and_every_finding_is_still_reported() {
    // A module called without the inputs its pipeline supplies: Terraform fails only at plan.
    let fixture = "fixtures/hcl/plan_time_errors";
    let run = |extra: &[&str]| {
        let out = infracheck()
            .args(["check", fixture, "--format", "json"])
            .args(extra)
            .output()
            .expect("run");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
        (out.status.code(), report)
    };
    let (code, report) = run(&[]);
    assert_eq!(code, Some(1), "findings, and no error");
    let diags: Vec<(String, String, u64)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["severity"].as_str().unwrap_or("").to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        diags,
        [
            ("warning".to_string(), "eval::attribute".to_string(), 16),
            ("warning".to_string(), "eval::for-each".to_string(), 20),
            ("warning".to_string(), "eval::attribute".to_string(), 25),
        ]
    );
    // The public database is still found, at its attribute.
    let public = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "IC-RDS-003")
        .expect("IC-RDS-003 is reported");
    assert_eq!(public["address"], "aws_db_instance.main");
    assert_eq!(public["outcome"], "fail");
    assert_eq!(public["line"], 29, "at publicly_accessible");
    // --soft-fail: exit 0 for findings, whatever the warnings; --strict: the warnings are errors.
    assert_eq!(run(&["--soft-fail"]).0, Some(0));
    let (code, strict) = run(&["--strict", "--soft-fail"]);
    assert_eq!(code, Some(2));
    assert!(strict["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .all(|d| d["severity"] == "error"));
}

#[test]
fn a_provider_reading_module_outputs_is_no_cycle_and_its_rules_run() {
    // cloudposse's providers.tf: the aws provider reads module.iam_roles' outputs.
    let (report, code) = json(&["check", "fixtures/hcl/provider_reads_module_output/root"]);
    assert_eq!(code, 1, "findings, no error: {report}");
    assert_eq!(report["diagnostics"], serde_json::json!([]));
    let credentials: Vec<(String, String, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "IC-IAM-001")
        .map(|f| {
            (
                f["address"].as_str().unwrap_or("").to_string(),
                f["file"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        credentials,
        [(
            "provider.aws".to_string(),
            "fixtures/hcl/provider_reads_module_output/root/providers.tf".to_string(),
            3
        )]
    );
    // The module's own resources take the provider's region once it is configured.
    let (model, code) = json(&["resources", "fixtures/hcl/provider_reads_module_output/root"]);
    assert_eq!(code, 0);
    let regions: Vec<(String, String)> = model["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| {
            (
                r["address"].as_str().unwrap_or("").to_string(),
                r["region"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        regions,
        [
            ("aws_s3_bucket.logs".to_string(), "eu-west-1".to_string()),
            (
                "module.iam_roles.aws_ssm_parameter.marker".to_string(),
                "eu-west-1".to_string()
            ),
            (
                "module.inner.aws_ssm_parameter.marker".to_string(),
                "eu-west-1".to_string()
            ),
        ]
    );
}

/// The rule ids of a JSON report's findings.
fn rule_ids(v: &Value) -> std::collections::BTreeSet<String> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn check_runs_only_the_checks_it_names_by_id_name_or_alias() {
    let (v, code) = json(&[
        "check",
        "fixtures/systems/capstone",
        "--check",
        "CKV_AWS_16,secret-rotation",
        "--check",
        "IC-R53-001",
    ]);
    assert_eq!(code, 1);
    let ids = rule_ids(&v);
    assert!(ids.contains("IC-SM-002") && ids.contains("IC-R53-001"), "{ids:?}");
    assert!(
        ids.iter()
            .all(|i| ["IC-RDS-001", "IC-SM-002", "IC-R53-001"].contains(&i.as_str())),
        "{ids:?}"
    );
}

#[test]
fn skip_check_leaves_the_checks_it_names_out() {
    let (v, _) = json(&[
        "check",
        "fixtures/systems/capstone",
        "--skip-check",
        "IC-SM-002,route53-health-check",
    ]);
    let ids = rule_ids(&v);
    assert!(!ids.contains("IC-SM-002") && !ids.contains("IC-R53-001"), "{ids:?}");
    assert!(ids.contains("IC-S3-001"), "{ids:?}");
}

#[test]
fn check_and_skip_check_come_from_the_configuration_and_the_command_line_wins() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(".infracheck.toml");
    std::fs::write(
        &config,
        "check = [\"IC-S3-001\", \"IC-SM-002\"]\nskip_check = [\"IC-SM-002\"]\n",
    )
    .unwrap();
    let config = config.display().to_string();
    let (v, _) = json(&["check", "fixtures/systems/capstone", "--config", &config]);
    assert_eq!(
        rule_ids(&v).into_iter().collect::<Vec<_>>(),
        ["IC-S3-001"],
        "the configuration's check, without its skip_check"
    );
    let (v, _) = json(&[
        "check",
        "fixtures/systems/capstone",
        "--config",
        &config,
        "--check",
        "IC-SM-002,IC-TF-005",
    ]);
    assert_eq!(rule_ids(&v).into_iter().collect::<Vec<_>>(), ["IC-TF-005"]);
    let (v, _) = json(&[
        "check",
        "fixtures/systems/capstone",
        "--config",
        &config,
        "--skip-check",
        "IC-S3-001",
    ]);
    assert_eq!(rule_ids(&v).into_iter().collect::<Vec<_>>(), ["IC-SM-002"]);
}

#[test]
fn an_unknown_check_is_a_usage_error_that_suggests_the_closest() {
    infracheck()
        .args(["check", "fixtures/systems/capstone", "--check", "IC-RDS-01"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("--check IC-RDS-01: no such check"))
        .stderr(predicate::str::contains("did you mean IC-RDS-001?"));
    infracheck()
        .args([
            "live",
            "--items",
            "fixtures/live/items.json",
            "--skip-check",
            "rds-storage-encryptd",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean rds-storage-encrypted?"));
}

#[test]
fn quiet_reports_only_failures_and_keeps_the_summary() {
    let args = ["check", "fixtures/systems/redis-worker"];
    let full = infracheck().args(args).output().unwrap();
    let full = String::from_utf8(full.stdout).unwrap();
    assert!(
        full.contains("IC-VPC-001"),
        "the unresolved finding is listed without --quiet"
    );
    let quiet = infracheck().args(args).arg("--quiet").assert().code(1);
    let quiet = String::from_utf8(quiet.get_output().stdout.clone()).unwrap();
    assert!(!quiet.contains("IC-VPC-001"), "{quiet}");
    assert!(quiet.contains("IC-ELC-003"), "{quiet}");
    assert!(quiet.contains("26 passed, 18 failed (4 high, 5 medium, 9 low), 2 unresolved, 0 suppressed"));
    let md = infracheck()
        .args(args)
        .args(["-q", "--format", "markdown"])
        .output()
        .unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(
        md.contains("| Unresolved |") && !md.contains("Decided only after apply"),
        "{md}"
    );
    infracheck()
        .args(args)
        .args(["--quiet", "--show-passed"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
}

#[test]
fn compact_text_has_no_source_snippets() {
    let args = ["check", "fixtures/systems/redis-worker"];
    let full = String::from_utf8(infracheck().args(args).output().unwrap().stdout).unwrap();
    assert!(full.contains("╭─["), "snippets without --compact");
    let compact = infracheck().args(args).arg("--compact").assert().code(1);
    let compact = String::from_utf8(compact.get_output().stdout.clone()).unwrap();
    assert!(!compact.contains("╭─["), "{compact}");
    assert!(compact.contains("help:") && compact.contains("IC-ELC-003"), "{compact}");
}

#[test]
fn color_follows_the_flag_then_no_color_then_clicolor_force() {
    let colored = |c: &mut Command, flags: &[&str]| {
        let out = c
            .args(["check", "fixtures/systems/redis-worker"])
            .args(flags)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().contains("\u{1b}[")
    };
    assert!(colored(&mut infracheck(), &["--color", "always"]));
    assert!(!colored(infracheck().env_remove("NO_COLOR"), &["--color=never"]));
    // Off a terminal, auto colours only under CLICOLOR_FORCE, and NO_COLOR wins over it.
    assert!(!colored(infracheck().env_remove("NO_COLOR"), &[]));
    assert!(colored(
        infracheck().env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1"),
        &[]
    ));
    assert!(!colored(
        infracheck().env_remove("NO_COLOR").env("CLICOLOR_FORCE", "0"),
        &[]
    ));
    assert!(!colored(infracheck().env("CLICOLOR_FORCE", "1"), &[]));
    assert!(colored(
        infracheck().env("NO_COLOR", "").env("CLICOLOR_FORCE", "1"),
        &[]
    ));
    assert!(!colored(
        infracheck().env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1"),
        &["--no-color"]
    ));
}

#[test]
fn each_command_offers_only_the_formats_it_writes() {
    for (cmd, bad, offered) in [
        ("check", "csv", "[possible values: text, json, sarif, markdown, junit]"),
        ("cost", "sarif", "[possible values: text, json, markdown, csv]"),
        ("resources", "markdown", "[possible values: text, json]"),
    ] {
        infracheck()
            .args([cmd, "fixtures/systems/redis-worker", "--format", bad])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(offered));
    }
    infracheck()
        .args(["live", "--items", "fixtures/live/items.json", "--format", "csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "[possible values: text, json, sarif, markdown, junit]",
        ));
}

#[test]
fn the_aws_profile_of_live_is_aws_profile_and_profile_warns() {
    let warning = "--profile is renamed --aws-profile for the AWS profile; the policy profile is --rules-profile";
    infracheck()
        .args(["live", "--items", "fixtures/live/items.json", "--profile", "audit"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(warning));
    infracheck()
        .args(["live", "--items", "fixtures/live/items.json", "--aws-profile", "audit"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(warning).not());
}

#[test]
fn an_unknown_policy_profile_is_a_usage_error_that_suggests_the_closest() {
    infracheck()
        .args(["check", "fixtures/systems/capstone", "--profile", "prdo"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "--profile prdo: no policy or environment uses this profile",
        ))
        .stderr(predicate::str::contains("did you mean prod?"));
    infracheck()
        .args([
            "live",
            "--items",
            "fixtures/live/items.json",
            "--rules-profile",
            "stagign",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean staging?"));
    // A profile only the configuration's environments name is known.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(".infracheck.toml");
    let root = root().join("fixtures/systems/capstone");
    std::fs::write(
        &config,
        format!("[env.qa]\nroot = {:?}\nprofile = \"qa\"\n", root.display().to_string()),
    )
    .unwrap();
    let (_, code) = json(&[
        "check",
        "fixtures/systems/capstone",
        "--profile",
        "qa",
        "--config",
        &config.display().to_string(),
    ]);
    assert_eq!(code, 1);
}

/// (env, rule, address, file, line) of each failure, sorted.
fn failures(v: &Value) -> Vec<(String, String, String, String, u64)> {
    let mut out: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == "fail")
        .map(|f| {
            (
                f["env"].as_str().unwrap().to_string(),
                f["rule_id"].as_str().unwrap().to_string(),
                f["address"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .filter(|f| f.1 == "IC-KMS-001")
        .collect();
    out.sort();
    out
}

#[test]
fn a_path_is_a_tree_whose_roots_are_the_directories_nothing_calls() {
    // A module repository: the module at the top is called by its examples and by a test
    // fixture, so those are the roots; modules/key is called by the top; .terraform is skipped.
    let repo = "fixtures/hcl_cli/module_repository";
    let (v, code) = json(&["check", repo]);
    assert_eq!(code, 1);
    let roots: Vec<&String> = v["summary"].as_object().unwrap().keys().collect();
    assert_eq!(
        roots,
        [
            "fixtures/hcl_cli/module_repository/examples/complete",
            "fixtures/hcl_cli/module_repository/examples/simple",
            "fixtures/hcl_cli/module_repository/test/fixture",
        ]
    );
    // The key that does not rotate is the simple example's, found in the module's file.
    let key = "fixtures/hcl_cli/module_repository/modules/key/main.tf";
    assert_eq!(
        failures(&v),
        [(
            "fixtures/hcl_cli/module_repository/examples/simple".to_string(),
            "IC-KMS-001".to_string(),
            "module.bucket.module.key.aws_kms_key.this".to_string(),
            key.to_string(),
            11
        )]
    );
    // The text report names the roots it checked.
    let out = infracheck().args(["check", repo]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "checked 3 root modules: fixtures/hcl_cli/module_repository/examples/complete, fixtures/hcl_cli/module_repository/examples/simple, fixtures/hcl_cli/module_repository/test/fixture"
        ),
        "{text}"
    );

    // --skip-path leaves directories out (relative to the scanned path or the working
    // directory); with every caller left out, the module at the top is a root of its own.
    let (v, _) = json(&["check", repo, "--skip-path", "examples/**", "--skip-path", "test"]);
    let roots: Vec<&String> = v["summary"].as_object().unwrap().keys().collect();
    assert_eq!(roots, [repo]);
    let (v, _) = json(&["check", repo, "--skip-path", &format!("{repo}/examples/*")]);
    let roots: Vec<&String> = v["summary"].as_object().unwrap().keys().collect();
    assert_eq!(roots, [format!("{repo}/test/fixture").as_str()]);

    // skip_paths in .infracheck.toml, relative to the file.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join(repo), dir.path());
    std::fs::write(
        dir.path().join(".infracheck.toml"),
        "skip_paths = [\"test/**\", \"test\"]\n",
    )
    .unwrap();
    let out = infracheck()
        .current_dir(dir.path())
        .args(["check", ".", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let roots: Vec<&String> = v["summary"].as_object().unwrap().keys().collect();
    assert_eq!(roots, ["examples/complete", "examples/simple"]);

    // A bad glob is a usage error.
    infracheck()
        .args(["check", repo, "--skip-path", "examples/[a"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--skip-path"));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn a_changed_file_checks_its_roots_and_only_their_suppressions() {
    // The hook on one environment's file: that environment alone, and the suppressions written in
    // the other environments' files are not reported as unused.
    let (v, code) = json(&["check", "terraform/environments/dev/main.tf"]);
    assert_eq!(code, 0, "{v:#}");
    let roots: Vec<&String> = v["summary"].as_object().unwrap().keys().collect();
    assert_eq!(roots, ["dev"]);
    let sup: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"].as_str().unwrap().starts_with("IC-SUP"))
        .collect();
    assert!(sup.is_empty(), "{sup:#?}");
    // A root outside the configured environments: none of terraform/'s suppressions either.
    let (v, _) = json(&["check", "fixtures/systems/redis-worker/main.tf"]);
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| !f["rule_id"].as_str().unwrap().starts_with("IC-SUP")));
    // A path naming an environment's root is that environment, with its profile.
    let (v, _) = json(&["check", "terraform/environments/prod"]);
    let roots: Vec<&String> = v["summary"].as_object().unwrap().keys().collect();
    assert_eq!(roots, ["prod"]);
    // A module file of the module repository: the roots whose tree holds it.
    let (v, _) = json(&["check", "fixtures/hcl_cli/module_repository/modules/key/main.tf"]);
    let roots: Vec<&String> = v["summary"].as_object().unwrap().keys().collect();
    assert_eq!(
        roots,
        [
            "fixtures/hcl_cli/module_repository/examples/complete",
            "fixtures/hcl_cli/module_repository/examples/simple",
            "fixtures/hcl_cli/module_repository/test/fixture",
        ]
    );
}

#[test]
fn the_json_report_written_to_a_file_is_what_standard_output_gets() {
    // The JSON report is written as it is serialized, to stdout or to --output.
    let stdout = infracheck()
        .args(["check", "fixtures/systems/redis-worker", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(stdout.status.code(), Some(1));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let to_file = infracheck()
        .args(["check", "fixtures/systems/redis-worker", "--format", "json", "--output"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(to_file.status.code(), Some(1));
    assert!(to_file.stdout.is_empty());
    let written = std::fs::read(&path).unwrap();
    assert!(written.ends_with(b"}\n"));
    assert_eq!(written, stdout.stdout);
    // A file that cannot be created is bad usage, said on stderr.
    let bad = infracheck()
        .args(["check", "fixtures/systems/redis-worker", "--format", "json", "--output"])
        .arg(dir.path().join("missing/report.json"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot write"));
}
