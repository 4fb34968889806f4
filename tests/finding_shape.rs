//! Findings point at the block the user edits: one finding per offending block (rule resources,
//! inline blocks, companions), state findings at the `terraform {}` block, and state rules only
//! on deployments, not on a reusable module's examples.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn infracheck(cwd: &Path) -> Command {
    let mut c = Command::cargo_bin("infracheck").expect("binary");
    c.current_dir(cwd).env("NO_COLOR", "1");
    c
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// The first finding of `rule` that `check .` reports in `dir`.
fn first_of(dir: &Path, rule: &str) -> Value {
    let out = infracheck(dir)
        .args(["check", ".", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == rule)
        .cloned()
        .unwrap_or_else(|| panic!("{rule} is not reported: {v}"))
}

/// (rule, address, resource, path, file, line) of every failure.
fn failures(cwd: &Path, args: &[&str]) -> Vec<(String, String, String, String, String, u64)> {
    let out = infracheck(cwd).args(args).args(["--format", "json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    let s = |f: &Value, k: &str| f[k].as_str().unwrap_or("").to_string();
    let mut found: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == "fail" && f["suppressed"].is_null())
        .map(|f| {
            (
                s(f, "rule_id"),
                s(f, "address"),
                s(f, "resource"),
                s(f, "path"),
                s(f, "file"),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    found.sort();
    found
}

const BACKEND: &str = r#"terraform {
  backend "s3" {
    bucket       = "state"
    key          = "app.tfstate"
    region       = "eu-west-1"
    encrypt      = true
    kms_key_id   = "alias/state"
    use_lockfile = true
  }
}
"#;

const GROUP_WITH_TWO_RULES: &str = r#"resource "aws_security_group" "bastion" {
  name   = "bastion"
  vpc_id = "vpc-0123456789abcdef0"
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  security_group_id = aws_security_group.bastion.id
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "rdp" {
  security_group_id = aws_security_group.bastion.id
  ip_protocol       = "tcp"
  from_port         = 3389
  to_port           = 3389
  cidr_ipv4         = "0.0.0.0/0"
}
"#;

fn vpc004(found: &[(String, String, String, String, String, u64)]) -> Vec<(String, String, String, u64)> {
    found
        .iter()
        .filter(|f| f.0 == "IC-VPC-004")
        .map(|f| (f.1.clone(), f.2.clone(), f.3.clone(), f.5))
        .collect()
}

#[test]
fn each_rule_resource_of_a_group_is_its_own_finding() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[("versions.tf", BACKEND), ("main.tf", GROUP_WITH_TWO_RULES)],
    );
    let found = failures(dir.path(), &["check", "."]);
    assert_eq!(
        vpc004(&found),
        [
            (
                "aws_vpc_security_group_ingress_rule.rdp".to_string(),
                "aws_security_group.bastion".to_string(),
                String::new(),
                14
            ),
            (
                "aws_vpc_security_group_ingress_rule.ssh".to_string(),
                "aws_security_group.bastion".to_string(),
                String::new(),
                6
            ),
        ]
    );
    // SARIF has a result for each, at its own line.
    let out = infracheck(dir.path())
        .args(["check", ".", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut lines: Vec<u64> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "IC-VPC-004")
        .map(|r| {
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
        })
        .collect();
    lines.sort();
    assert_eq!(lines, [6, 14]);
}

#[test]
fn a_suppression_on_one_rule_resource_covers_only_that_finding() {
    let dir = tempfile::tempdir().unwrap();
    let main = GROUP_WITH_TWO_RULES.replace(
        "resource \"aws_vpc_security_group_ingress_rule\" \"rdp\"",
        "# infracheck:ignore IC-VPC-004 reason=\"the jump host's RDP is reviewed\"\nresource \"aws_vpc_security_group_ingress_rule\" \"rdp\"",
    );
    write(dir.path(), &[("versions.tf", BACKEND), ("main.tf", &main)]);
    let found = failures(dir.path(), &["check", "."]);
    assert_eq!(
        vpc004(&found),
        [(
            "aws_vpc_security_group_ingress_rule.ssh".to_string(),
            "aws_security_group.bastion".to_string(),
            String::new(),
            6
        )]
    );
}

#[test]
fn inline_ingress_blocks_are_findings_on_the_group_at_each_block() {
    let dir = tempfile::tempdir().unwrap();
    let main = r#"resource "aws_security_group" "open" {
  name   = "open"
  vpc_id = "vpc-0123456789abcdef0"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#;
    write(dir.path(), &[("versions.tf", BACKEND), ("main.tf", main)]);
    let found = failures(dir.path(), &["check", "."]);
    let g = "aws_security_group.open".to_string();
    assert_eq!(
        vpc004(&found),
        [
            (g.clone(), g.clone(), "ingress[0]".to_string(), 4),
            (g.clone(), g.clone(), "ingress[2]".to_string(), 16),
        ]
    );
}

#[test]
fn a_bad_companion_is_the_finding_and_names_the_bucket() {
    let dir = tempfile::tempdir().unwrap();
    let main = r#"resource "aws_s3_bucket" "data" {
  bucket = "data"
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}
"#;
    write(dir.path(), &[("versions.tf", BACKEND), ("main.tf", main)]);
    let f = first_of(dir.path(), "IC-S3-003");
    assert_eq!(f["address"], "aws_s3_bucket_public_access_block.data");
    assert_eq!(f["resource"], "aws_s3_bucket.data");
    assert_eq!(f["path"], "block_public_policy");
    assert_eq!(f["line"], 8);
    assert!(f["message"].as_str().unwrap().contains("aws_s3_bucket.data"), "{f}");
}

/// A rule met in any of several ways (`any`) is one requirement: when every way fails, across the
/// resource and its companions, that is one finding, on the resource, naming each way.
#[test]
fn alternatives_that_all_fail_are_one_finding_on_the_resource() {
    let dir = tempfile::tempdir().unwrap();
    let main = r#"resource "aws_s3_bucket" "data" {
  bucket = "data"
}

resource "aws_s3_bucket_acl" "data" {
  bucket = aws_s3_bucket.data.id
  acl    = "private"
}
"#;
    write(dir.path(), &[("versions.tf", BACKEND), ("main.tf", main)]);
    let found: Vec<_> = failures(dir.path(), &["check", "."])
        .into_iter()
        .filter(|f| f.0 == "IC-S3-006")
        .map(|f| (f.1, f.2, f.3, f.5))
        .collect();
    assert_eq!(
        found,
        [(
            "aws_s3_bucket.data".to_string(),
            "aws_s3_bucket.data".to_string(),
            "logging[0].target_bucket".to_string(),
            1
        )]
    );
    let f = first_of(dir.path(), "IC-S3-006");
    assert_eq!(
        f["message"],
        "fails \"S3 buckets record server access logs\": `logging[0].target_bucket` is not set, expected a \
         value, or `acl` is not set, expected \"log-delivery-write\", or `acl` in aws_s3_bucket_acl.data is \
         \"private\", expected \"log-delivery-write\""
    );

    // When one way is written in the resource itself, the finding points at it.
    let inline = "resource \"aws_s3_bucket\" \"data\" {\n  bucket = \"data\"\n  acl    = \"private\"\n}\n";
    write(dir.path(), &[("main.tf", inline)]);
    let f = first_of(dir.path(), "IC-S3-006");
    assert_eq!(
        (f["address"].as_str(), f["path"].as_str(), f["line"].as_u64()),
        (Some("aws_s3_bucket.data"), Some("acl"), Some(3))
    );
}
/// (rule, address, line) of the state rules' failures (not the supply-chain ones, IC-TF-009 and
/// IC-TF-010, about module sources and provider versions).
fn state(found: &[(String, String, String, String, String, u64)]) -> Vec<(String, String, u64)> {
    found
        .iter()
        .filter(|f| f.0.starts_with("IC-TF-") && !["IC-TF-009", "IC-TF-010"].contains(&f.0.as_str()))
        .map(|f| (f.0.clone(), f.4.rsplit('/').next().unwrap_or("").to_string(), f.5))
        .collect()
}

const BUCKET: &str = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n";

#[test]
fn no_backend_points_at_the_terraform_block_or_the_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let versions = "\n# Providers.\nterraform {\n  required_version = \">= 1.5\"\n}\n";
    write(
        dir.path(),
        &[
            ("with/main.tf", BUCKET),
            ("with/versions.tf", versions),
            ("without/main.tf", BUCKET),
        ],
    );
    let found = failures(dir.path(), &["check", "with", "without"]);
    assert_eq!(
        state(&found),
        [
            ("IC-TF-001".to_string(), "versions.tf".to_string(), 3),
            ("IC-TF-001".to_string(), "main.tf".to_string(), 1),
        ]
    );
}

#[test]
fn a_backend_in_a_child_module_does_not_count() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("main.tf", "module \"state\" {\n  source = \"./modules/state\"\n}\n"),
            ("modules/state/main.tf", &format!("{BACKEND}\n{BUCKET}")),
        ],
    );
    let f = first_of(dir.path(), "IC-TF-001");
    assert_eq!(f["outcome"], "fail");
    assert_eq!(f["line"], 1);
    assert!(f["file"].as_str().unwrap().ends_with("main.tf") && !f["file"].as_str().unwrap().contains("modules"));
    assert!(f["message"].as_str().unwrap().contains("child module"), "{f}");
}

#[test]
fn a_module_repositorys_examples_are_not_deployments() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(
        dir.path(),
        &[
            ("main.tf", BUCKET),
            (
                "examples/complete/main.tf",
                "module \"this\" {\n  source = \"../..\"\n}\n",
            ),
            // Not under examples/, but an example all the same: it calls the repository's module.
            ("demo/main.tf", "module \"this\" {\n  source = \"..\"\n}\n"),
            ("tests/fixture/main.tf", BUCKET),
            // A deployment with no backend still fails.
            (
                "live/prod/main.tf",
                "module \"app\" {\n  source = \"../../modules/app\"\n}\n",
            ),
            ("modules/app/main.tf", BUCKET),
        ],
    );
    let found = failures(dir.path(), &["check", "."]);
    let roots: Vec<String> = found
        .iter()
        .filter(|f| f.0 == "IC-TF-001")
        .map(|f| f.4.trim_start_matches("./").to_string())
        .collect();
    assert_eq!(roots, ["live/prod/main.tf"]);

    // Named as an environment, an example is a deployment.
    write(
        dir.path(),
        &[(".infracheck.toml", "[env.demo]\nroot = \"examples/complete\"\n")],
    );
    let found = failures(dir.path(), &["check", "--env", "demo"]);
    assert_eq!(
        state(&found),
        [("IC-TF-001".to_string(), "main.tf".to_string(), 1)],
        "{found:?}"
    );
}

#[test]
fn a_split_rule_answers_to_its_former_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = infracheck(dir.path())
        .args(["explain", "state-store-hardened"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("IC-TF-004 state-bucket-versioned"), "{text}");
    assert!(text.contains("formerly: state-store-hardened"), "{text}");
    // A suppression written with the former name still applies.
    let main = r#"# infracheck:ignore state-store-hardened reason="versioning is on the replica"
resource "aws_s3_bucket" "state" {
  bucket = "state"
}
"#;
    write(dir.path(), &[("versions.tf", BACKEND), ("main.tf", main)]);
    let f = first_of(dir.path(), "IC-TF-004");
    assert_eq!(f["suppressed"]["justification"], "versioning is on the replica", "{f}");
}

#[test]
fn an_unpinned_module_is_a_finding_at_its_version_suppressed_on_its_block() {
    let dir = tempfile::tempdir().unwrap();
    let main = r#"module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"
}

# infracheck:ignore IC-TF-009 reason="the labels follow their main branch on purpose"
module "labels" {
  source = "git::https://github.com/cloudposse/terraform-null-label.git?ref=main"
}

module "pinned" {
  source = "git::https://github.com/cloudposse/terraform-null-label.git?ref=0.25.0"
}
"#;
    write(dir.path(), &[("versions.tf", BACKEND), ("main.tf", main)]);
    let found: Vec<(String, String, u64)> = failures(dir.path(), &["check", "."])
        .into_iter()
        .filter(|f| f.0 == "IC-TF-009")
        .map(|f| (f.1, f.4, f.5))
        .collect();
    assert_eq!(found, [("module.vpc".to_string(), "main.tf".to_string(), 3)]);
    let f = first_of(dir.path(), "IC-TF-009");
    assert!(f["message"].as_str().unwrap().contains("\"~> 5.0\""), "{f}");
}
