//! Plans as input: `terraform show -json` output reads into the same model as the HCL it was made
//! from, so rules find the same things, located in the `.tf` source.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn infracheck(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("infracheck").unwrap();
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

fn check_json(dir: &Path, args: &[&str]) -> Value {
    let out = infracheck(dir)
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn findings(v: &Value) -> BTreeSet<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}:{}",
                f["rule_id"].as_str().unwrap(),
                f["outcome"].as_str().unwrap(),
                f["address"].as_str().unwrap(),
                f["file"].as_str().unwrap_or("-"),
                f["line"]
            )
        })
        .collect()
}

/// The HCL and the plan made from it give the same findings at the same lines, except where the
/// plan knows more: `metadata_options` is computed by the provider when not written, so the plan
/// leaves IMDSv2 unresolved where the HCL front end applies the documented default.
#[test]
fn the_plan_and_its_configuration_give_the_same_findings() {
    let hcl = findings(&check_json(&root(), &["fixtures/plan/basic"]));
    let plan = findings(&check_json(&root(), &["fixtures/plan/basic/plan.json"]));
    let only_hcl: BTreeSet<&String> = hcl.difference(&plan).collect();
    let only_plan: BTreeSet<&String> = plan.difference(&hcl).collect();
    assert_eq!(
        only_hcl.into_iter().cloned().collect::<Vec<_>>(),
        ["IC-EC2-005 fail aws_instance.app fixtures/plan/basic/main.tf:61"]
    );
    assert_eq!(
        only_plan.into_iter().cloned().collect::<Vec<_>>(),
        ["IC-EC2-005 unresolved aws_instance.app fixtures/plan/basic/main.tf:61"]
    );
    assert!(hcl.contains(
        "IC-VPC-004 fail module.network.aws_vpc_security_group_ingress_rule.db[\"admin\"] fixtures/plan/basic/modules/network/main.tf:25"
    ));
    // A data source read during plan (only in planned_values) is checked where it is written.
    assert!(
        plan.contains("IC-IAM-002 fail data.aws_iam_policy_document.deploy fixtures/plan/basic/main.tf:86"),
        "{plan:#?}"
    );
}

#[test]
fn the_plan_model_has_every_instance_with_unknowns_sensitive_values_and_regions() {
    let out = infracheck(&root())
        .args(["resources", "fixtures/plan/basic/plan.json", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = |a: &str| {
        v["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["address"] == a)
            .unwrap_or_else(|| panic!("{a}"))
            .clone()
    };
    let addresses: Vec<&str> = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["address"].as_str().unwrap())
        .collect();
    // Deleted only: not in the model. Replaced: in it.
    assert!(!addresses.contains(&"aws_s3_bucket.old_logs"));
    assert!(addresses.contains(&"aws_instance.app"));
    // count and for_each keys, nested modules.
    assert!(addresses.contains(&"module.network.aws_subnet.private[1]"));
    assert!(addresses.contains(&"module.network.aws_vpc_security_group_ingress_rule.db[\"admin\"]"));
    assert!(addresses.contains(&"module.network.module.flow.aws_flow_log.this"));
    // Unknown values remember what they refer to, through module outputs and count.index.
    let db = r("aws_db_instance.db");
    assert_eq!(db["refers_to"]["kms_key_id"][0], "aws_kms_key.rds.arn");
    assert_eq!(
        db["refers_to"]["vpc_security_group_ids"][0],
        "module.network.aws_security_group.db.id"
    );
    let subnet = r("module.network.aws_subnet.private[0]");
    assert_eq!(subnet["refers_to"]["vpc_id"][0], "module.network.aws_vpc.this.id");
    // Unknown at a nested path.
    let app = r("aws_instance.app");
    assert!(
        app["unknown"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "root_block_device[0].volume_id"),
        "{app}"
    );
    assert_eq!(app["attributes"]["root_block_device"][0]["encrypted"], true);
    // Sensitive values never printed.
    assert_eq!(db["attributes"]["password"], Value::Null);
    assert_eq!(db["sensitive"][0], "password");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("correct-horse"));
    // Regions: the default provider from var.region, the alias, and an alias passed to a module.
    assert_eq!(db["region"], "ap-south-1");
    assert_eq!(r("aws_cloudwatch_log_group.edge")["region"], "us-east-1");
    assert_eq!(r("module.edge.aws_cloudwatch_log_group.waf")["region"], "us-east-1");
    // Located in the .tf the plan was made from.
    assert_eq!(db["file"], "fixtures/plan/basic/main.tf");
    assert_eq!(db["line"], 49);
}

#[test]
fn plans_are_read_in_utf16_and_with_a_bom() {
    let text = std::fs::read_to_string(root().join("fixtures/plan/basic/plan.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(dir.path().join("plan16.json"), utf16).unwrap();
    std::fs::write(dir.path().join("planbom.json"), format!("\u{feff}{text}")).unwrap();
    let reference = check_json(dir.path(), &["plan16.json"]);
    assert!(reference["findings"].as_array().unwrap().len() >= 10, "{reference}");
    for name in ["plan16.json", "planbom.json"] {
        let v = check_json(dir.path(), &[name]);
        assert_eq!(
            v["findings"].as_array().unwrap().len(),
            reference["findings"].as_array().unwrap().len(),
            "{name}"
        );
    }
}

#[test]
fn a_plan_without_its_configuration_points_into_the_plan_and_leaves_the_backend_unresolved() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("fixtures/plan/basic/plan.json"),
        dir.path().join("plan.json"),
    )
    .unwrap();
    let v = check_json(dir.path(), &["plan.json"]);
    let db = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "IC-RDS-011")
        .unwrap();
    assert_eq!(db["file"], "plan.json");
    let text = std::fs::read_to_string(dir.path().join("plan.json")).unwrap();
    // The resource change's object in the plan: its opening brace, its address on the next line.
    let n = db["line"].as_u64().unwrap() as usize;
    assert_eq!(text.lines().nth(n - 1).unwrap().trim(), "{");
    assert!(text
        .lines()
        .nth(n)
        .unwrap()
        .contains("\"address\": \"aws_db_instance.db\""));
    let backend: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "IC-TF-001")
        .collect();
    assert_eq!(backend.len(), 1);
    assert_eq!(backend[0]["outcome"], "unresolved");
    assert!(v["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("was not found"));
}

#[test]
fn bad_plans_are_located_errors_and_exit_2() {
    for (file, message, line) in [
        ("truncated.json", "ends early", 7),
        ("malformed.json", "is not valid", 4),
        ("future.json", "format_version", 2),
        ("state.json", "is a Terraform state", 1),
    ] {
        let path = format!("fixtures/plan/errors/{file}");
        infracheck(&root())
            .args(["check", &path])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("{path}:{line}:")))
            .stderr(predicate::str::contains(message));
    }
    // One bad plan does not hide the findings of the others.
    let out = infracheck(&root())
        .args([
            "check",
            "fixtures/plan/errors/state.json",
            "fixtures/plan/basic/plan.json",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["findings"].as_array().unwrap().len() >= 10);
    assert_eq!(v["diagnostics"][0]["code"], "plan::state-given");
}

#[test]
fn plan_option_reads_an_environments_plan_with_its_profile_and_root() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(".infracheck.toml");
    std::fs::write(
        &config,
        format!(
            "[env.basic]\nroot = \"{}\"\nprofile = \"prod\"\n",
            root().join("fixtures/plan/basic").display()
        ),
    )
    .unwrap();
    let v = check_json(
        &root(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--env",
            "basic",
            "--plan",
            "fixtures/plan/basic/plan.json",
        ],
    );
    assert!(v["summary"]["basic"].is_object(), "{v}");
    // The prod profile's rules run: Multi-AZ is a finding.
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule_id"] == "IC-RDS-004"));
    let f = &v["findings"][0];
    assert!(f["file"].as_str().unwrap().starts_with("fixtures/plan/basic/"), "{f}");
}

#[test]
fn format_0_1_plans_of_terraform_0_12_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let plan = serde_json::json!({
        "format_version": "0.1",
        "terraform_version": "0.12.31",
        "planned_values": { "root_module": { "resources": [{
            "address": "aws_db_instance.db", "mode": "managed", "type": "aws_db_instance", "name": "db",
            "provider_name": "aws", "schema_version": 1,
            "values": { "engine": "mysql", "storage_encrypted": false, "publicly_accessible": true }
        }] } },
        "resource_changes": [{
            "address": "aws_db_instance.db", "mode": "managed", "type": "aws_db_instance", "name": "db",
            "provider_name": "aws",
            "change": { "actions": ["create"], "before": null,
                        "after": { "engine": "mysql", "storage_encrypted": false, "publicly_accessible": true },
                        "after_unknown": { "id": true, "arn": true } }
        }],
        "configuration": { "root_module": { "resources": [{
            "address": "aws_db_instance.db", "mode": "managed", "type": "aws_db_instance", "name": "db",
            "provider_config_key": "aws",
            "expressions": { "engine": { "constant_value": "mysql" } }, "schema_version": 1
        }] } }
    });
    std::fs::write(dir.path().join("old.json"), plan.to_string()).unwrap();
    let v = check_json(dir.path(), &["old.json"]);
    let ids: BTreeSet<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == "fail")
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains("IC-RDS-001") && ids.contains("IC-RDS-003"), "{ids:?}");
}

/// Each estimated resource's lines: (component, status, monthly).
type CostLines = std::collections::BTreeMap<String, Vec<(String, String, Option<f64>)>>;

fn cost_lines(dir: &Path, target: &str) -> (f64, CostLines) {
    let out = infracheck(dir)
        .env("INFRACHECK_PRICES", "/nonexistent/infracheck-prices.tsv")
        .args(["cost", target, "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let env = &v["environments"][0];
    let resources = env["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let lines = r["components"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["name"].as_str().unwrap().to_string(),
                        c["status"].as_str().unwrap().to_string(),
                        c["monthly_usd"].as_f64(),
                    )
                })
                .collect();
            (r["address"].as_str().unwrap().to_string(), lines)
        })
        .collect();
    (env["monthly_usd"].as_f64().unwrap(), resources)
}

/// The plan and its configuration cost the same, line by line, except where they know different
/// things: the plan leaves `multi_az` of the database to the provider (known after apply), so the
/// database's instance hours and storage are unresolved there, where the HCL front end applies the
/// documented default (Single-AZ: 730 h × $0.025, and 20 GB of gp2 storage, which has no Mumbai
/// price in the catalog).
#[test]
fn the_plan_and_its_configuration_cost_the_same() {
    let (hcl_total, hcl) = cost_lines(&root(), "fixtures/plan/basic");
    let (plan_total, plan) = cost_lines(&root(), "fixtures/plan/basic/plan.json");
    assert_eq!(hcl.keys().collect::<Vec<_>>(), plan.keys().collect::<Vec<_>>());
    for (address, lines) in &hcl {
        if address == "aws_db_instance.db" {
            continue;
        }
        assert_eq!(lines, &plan[address], "{address}");
    }
    let statuses =
        |lines: &[(String, String, Option<f64>)]| -> Vec<String> { lines.iter().map(|l| l.1.clone()).collect() };
    assert_eq!(
        statuses(&hcl["aws_db_instance.db"]),
        ["priced", "missing_price", "depends_on_usage"]
    );
    assert_eq!(
        statuses(&plan["aws_db_instance.db"]),
        ["unresolved", "unresolved", "depends_on_usage"]
    );
    assert_eq!(hcl_total, 35.6);
    assert_eq!(plan_total, 17.35);
    assert!((hcl_total - plan_total - 18.25).abs() < 1e-9);
}
