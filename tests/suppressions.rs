//! Suppressions: inline comments (infracheck's, and checkov's, tfsec's and trivy's through the
//! rules' aliases) and configuration ignores; suppressed findings stay in the report; unused,
//! expired and reasonless suppressions are findings of their own.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn check(dir: &Path, args: &[&str]) -> (Value, i32) {
    let out = Command::cargo_bin("infracheck")
        .unwrap()
        .current_dir(dir)
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (v, out.status.code().unwrap())
}

fn by_rule<'a>(v: &'a Value, rule: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .collect()
}

const TF: &str = r#"
# infracheck:ignore IC-RDS-001 reason="Restored from an unencrypted snapshot; re-encryption planned in OPS-412"
resource "aws_db_instance" "legacy" {
  engine            = "mysql"
  instance_class    = "db.t3.micro"
  allocated_storage = 20
}

resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-central-1a"
  size              = 10
  #checkov:skip=CKV_AWS_3:Scratch space, wiped on every run
}

#trivy:ignore:AVD-AWS-0065
resource "aws_kms_key" "imported" {
  description = "Imported key material"
}

resource "aws_kms_key" "app" {
  description = "Application key"
}

module "legacy_bucket" {
  # infracheck:ignore IC-S3-003 reason="A public website bucket, behind CloudFront soon"
  source = "./bucket"
}

# infracheck:ignore IC-ECR-001 reason="No ECR repository here any more"
resource "aws_sns_topic" "alerts" {
  name = "alerts"
}

# infracheck:ignore IC-CW-002 reason="Kept until the audit" until=2021-06-30
resource "aws_cloudwatch_log_group" "audit" {
  name = "/audit"
}

# infracheck:ignore IC-CW-001
resource "aws_cloudwatch_log_group" "app" {
  name              = "/app"
  retention_in_days = 30
}
"#;

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), TF).unwrap();
    std::fs::create_dir_all(dir.path().join("bucket")).unwrap();
    std::fs::write(
        dir.path().join("bucket/main.tf"),
        "resource \"aws_s3_bucket\" \"this\" {\n  bucket = \"legacy-site\"\n}\n",
    )
    .unwrap();
    dir
}

#[test]
fn inline_suppressions_mark_findings_and_meta_rules_report_the_rest() {
    let dir = project();
    let (v, _) = check(dir.path(), &["."]);
    let one = |rule: &str| -> Value {
        let f = by_rule(&v, rule);
        assert_eq!(f.len(), 1, "{rule}: {f:#?}");
        f[0].clone()
    };
    // infracheck syntax on the line above the block.
    let rds = one("IC-RDS-001");
    assert_eq!(rds["suppressed"]["kind"], "inSource");
    assert!(rds["suppressed"]["justification"].as_str().unwrap().contains("OPS-412"));
    // checkov's annotation inside the block, matched through the alias CKV_AWS_3.
    assert_eq!(
        one("IC-EC2-001")["suppressed"]["justification"],
        "Scratch space, wiped on every run"
    );
    // trivy's annotation, through AWS-0065: only the block it is above.
    let kms: Vec<&Value> = by_rule(&v, "IC-KMS-001");
    let imported = kms.iter().find(|f| f["address"] == "aws_kms_key.imported").unwrap();
    let app = kms.iter().find(|f| f["address"] == "aws_kms_key.app").unwrap();
    assert_eq!(imported["suppressed"]["kind"], "inSource");
    assert_eq!(app["suppressed"], Value::Null);
    // On a module block: everything the module creates.
    let bucket = by_rule(&v, "IC-S3-003");
    assert_eq!(bucket[0]["address"], "module.legacy_bucket.aws_s3_bucket.this");
    assert_eq!(bucket[0]["suppressed"]["kind"], "inSource");
    // An unused one, an expired one (the finding comes back), one without a reason.
    let unused = one("IC-SUP-001");
    assert_eq!(unused["line"], 29);
    let expired = one("IC-SUP-002");
    assert!(expired["message"].as_str().unwrap().contains("2021-06-30"));
    assert_eq!(one("IC-CW-002")["suppressed"], Value::Null);
    assert_eq!(one("IC-SUP-003")["line"], 39);
    let app_logs = by_rule(&v, "IC-CW-001");
    let app_logs = app_logs
        .iter()
        .find(|f| f["address"] == "aws_cloudwatch_log_group.app")
        .unwrap();
    assert_eq!(
        app_logs["suppressed"],
        Value::Null,
        "a reasonless comment suppresses nothing"
    );
    // The summary counts suppressed findings apart.
    let summary = &v["summary"]["."];
    assert_eq!(summary["suppressed"], 4);
}

#[test]
fn no_inline_ignores_and_configuration_ignores() {
    let dir = project();
    let (v, _) = check(dir.path(), &[".", "--no-inline-ignores"]);
    assert_eq!(by_rule(&v, "IC-RDS-001")[0]["suppressed"], Value::Null);
    assert!(
        by_rule(&v, "IC-SUP-001").is_empty(),
        "inline comments are not read at all"
    );
    std::fs::write(
        dir.path().join(".infracheck.toml"),
        r#"
[[ignore]]
rule = "CKV_AWS_16"
address = "aws_db_instance.*"
reason = "Tracked in OPS-412"

[[ignore]]
rule = "IC-ECR-002"
path = "main.tf"
reason = "No repositories in this project"
"#,
    )
    .unwrap();
    let (v, _) = check(dir.path(), &[".", "--no-inline-ignores"]);
    let rds = &by_rule(&v, "IC-RDS-001")[0];
    assert_eq!(rds["suppressed"]["kind"], "external");
    assert_eq!(rds["suppressed"]["justification"], "Tracked in OPS-412");
    let unused = by_rule(&v, "IC-SUP-001");
    assert_eq!(unused.len(), 1);
    assert_eq!(unused[0]["address"], "ignore[1]");
}

#[test]
fn suppressed_failures_do_not_fail_the_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "terraform {\n  required_providers {\n    aws = { source = \"hashicorp/aws\", version = \"~> 5.0\" }\n  }\n  backend \"s3\" {\n    bucket       = \"b\"\n    key          = \"k\"\n    region       = \"eu-central-1\"\n    encrypt      = true\n    kms_key_id   = \"alias/state\"\n    use_lockfile = true\n  }\n}\n\n# infracheck:ignore IC-KMS-001 reason=\"Rotated by the HSM\"\nresource \"aws_kms_key\" \"k\" {\n  description = \"k\"\n  policy      = \"{}\"\n}\n",
    )
    .unwrap();
    let (v, code) = check(dir.path(), &["."]);
    assert_eq!(code, 0, "{v}");
    let (_, code) = check(dir.path(), &[".", "--no-inline-ignores"]);
    assert_eq!(code, 1);
}

#[test]
fn baselines_report_only_new_findings_and_list_stale_entries() {
    let dir = tempfile::tempdir().unwrap();
    let sys = dir.path().join("sys");
    std::fs::create_dir_all(&sys).unwrap();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for f in [
        "main.tf",
        "variables.tf",
        "versions.tf",
        "outputs.tf",
        "user_data.sh.tftpl",
    ] {
        std::fs::copy(root.join("fixtures/systems/redis-worker").join(f), sys.join(f)).unwrap();
    }
    let run = |args: &[&str]| {
        Command::cargo_bin("infracheck")
            .unwrap()
            .current_dir(dir.path())
            .args(["check", "sys", "--format", "json"])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--write-baseline", "baseline.json"]);
    // Recording the findings is what the run was asked to do: exit 0, the findings still reported.
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["summary"]["sys"]["failed"].as_u64().unwrap() > 0);
    let baseline: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("baseline.json")).unwrap()).unwrap();
    let entries = baseline["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 20);
    // Two findings of one resource are two entries: never the address alone.
    let app: Vec<&Value> = entries.iter().filter(|e| e["address"] == "aws_instance.app").collect();
    assert!(app.len() >= 3, "{app:?}");
    assert!(app.iter().all(|e| e["rule"].is_string() && e["file"] == "sys/main.tf"));

    // With the baseline: nothing new, exit 0 — even after lines move.
    let main = std::fs::read_to_string(sys.join("main.tf")).unwrap();
    std::fs::write(sys.join("main.tf"), format!("# moved\n\n{main}")).unwrap();
    let out = run(&["--baseline", "baseline.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["sys"]["failed"], 0);

    // A new finding is reported; a fixed one leaves a stale entry.
    let main = std::fs::read_to_string(sys.join("main.tf")).unwrap();
    let main = main.replace(
        "associate_public_ip_address = true",
        "associate_public_ip_address = false",
    );
    std::fs::write(sys.join("main.tf"), format!("{main}\nresource \"aws_ebs_volume\" \"data\" {{\n  availability_zone = \"us-east-1a\"\n  size              = 10\n}}\n")).unwrap();
    let out = run(&["--baseline", "baseline.json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let new: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"].is_null())
        .collect();
    // The new volume's findings only: unencrypted (IC-EC2-001), and so without a customer key.
    let rules: Vec<&str> = new.iter().map(|f| f["rule_id"].as_str().unwrap()).collect();
    assert_eq!(rules, ["IC-EC2-001", "IC-EC2-009"], "{new:#?}");
    assert!(new.iter().all(|f| f["address"] == "aws_ebs_volume.data"), "{new:#?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 baseline entry is no longer found"), "{stderr}");
    assert!(
        stderr.contains("IC-EC2-004 sys/main.tf aws_instance.app associate_public_ip_address"),
        "{stderr}"
    );
}

#[test]
fn writing_a_baseline_exits_0_and_2_when_the_input_has_errors() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let run = |fixture: &str, baseline: &str| {
        Command::cargo_bin("infracheck")
            .unwrap()
            .current_dir(&root)
            .env("NO_COLOR", "1")
            .args(["check", fixture, "--format", "json", "--write-baseline"])
            .arg(dir.path().join(baseline))
            .output()
            .unwrap()
    };
    // Findings, all recorded: the run did what it was asked.
    let out = run("fixtures/systems/redis-worker", "clean.json");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("clean.json").exists());
    // An unparsable file: the baseline is written from what reads, the errors are reported, and
    // the run exits 2 as any run on unreadable input does.
    let out = run("fixtures/reports/unreadable", "partial.json");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("fixtures/reports/unreadable/broken.tf:3:8"), "{stderr}");
    assert!(
        stderr.contains("what could not be read has no entries in the baseline"),
        "{stderr}"
    );
    let baseline: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("partial.json")).unwrap()).unwrap();
    assert!(baseline["entries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["address"] == "aws_instance.app"));
}

/// An `[[ignore]]` scoped to other environments than the ones checked (a hook checking one) is
/// not reported as unused; checked with its environment, it is.
#[test]
fn an_ignore_scoped_to_an_unchecked_environment_is_not_unused() {
    let dir = tempfile::tempdir().unwrap();
    for env in ["a", "b"] {
        let root = dir.path().join(env);
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(
            root.join("main.tf"),
            "resource \"aws_s3_bucket\" \"x\" {\n  bucket = \"x\"\n}\n",
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join(".infracheck.toml"),
        "[env.a]\nroot = \"a\"\n\n[env.b]\nroot = \"b\"\n\n[[ignore]]\nrule = \"IC-RDS-001\"\nenv = [\"b\"]\nreason = \"b's legacy database\"\n",
    )
    .unwrap();
    let (v, _) = check(dir.path(), &["--env", "a"]);
    assert!(by_rule(&v, "IC-SUP-001").is_empty(), "{v}");
    let (v, _) = check(dir.path(), &["--env", "b"]);
    assert_eq!(by_rule(&v, "IC-SUP-001").len(), 1, "{v}");
}
