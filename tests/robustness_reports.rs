//! No input crashes or stalls the reporters, `cost` and `live`: a long line, a huge quantity, many
//! diagnostics or many duplicate configuration items give a located diagnostic or a result, and
//! an exit code of 0, 1 or 2.

use assert_cmd::Command;
use std::path::Path;

fn infracheck(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("infracheck").expect("binary");
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let out = infracheck(dir).args(args).output().expect("run");
    let code = out.status.code().expect("exited, not killed");
    assert!(
        (0..=2).contains(&code),
        "exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Run {
        code,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The run exits 2 with a diagnostic located at `at`, and its snippet keeps stderr short.
fn short_located_error(dir: &Path, args: &[&str], at: &str) {
    let r = run(dir, args);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(at), "{}", r.stderr);
    assert!(r.stderr.len() < 1_000, "{} bytes: {}", r.stderr.len(), r.stderr);
}

#[test]
fn parse_error_past_column_65535_shows_a_short_located_snippet() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "main.tf", &format!("{}x = ", " ".repeat(100_000)));
    let r = run(dir.path(), &["check", "."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("main.tf:1:100001"), "{}", r.stderr);
    assert!(r.stderr.contains("…"), "{}", r.stderr);
    assert!(r.stderr.len() < 1_000, "{} bytes: {}", r.stderr.len(), r.stderr);
}

#[test]
fn finding_past_column_70000_shows_a_short_located_snippet() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "main.tf",
        &format!(
            "resource \"aws_s3_bucket\" \"b\" {{{}acl = \"public-read\" }}\n",
            " ".repeat(70_000)
        ),
    );
    let r = run(dir.path(), &["check", "."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains("main.tf:1:70037"), "{}", r.stdout);
    assert!(r.stdout.contains("  acl = \"public-read\" }\n"), "{}", r.stdout);
    assert!(r.stdout.len() < 20_000, "{} bytes", r.stdout.len());
}

#[test]
fn usage_file_error_past_column_70000_is_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "main.tf",
        "resource \"aws_instance\" \"w\" {\n  instance_type = \"t3.micro\"\n}\n",
    );
    write(
        dir.path(),
        "usage.yml",
        &format!(
            "version: 0.1\nresource_usage: {{{}aws_instance.w: 5}}\n",
            " ".repeat(70_000)
        ),
    );
    let r = run(dir.path(), &["cost", ".", "--usage-file", "usage.yml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("usage.yml:2:70018"), "{}", r.stderr);
    assert!(r.stderr.contains("aws_instance.w: 5}"), "{}", r.stderr);
    assert!(r.stderr.len() < 1_000, "{} bytes: {}", r.stderr.len(), r.stderr);
}

#[test]
fn config_error_past_column_70000_is_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "main.tf",
        "resource \"aws_instance\" \"w\" {\n  ami = \"ami-1\"\n}\n",
    );
    write(
        dir.path(),
        ".infracheck.toml",
        &format!("check = [{}5]\n", " ".repeat(70_000)),
    );
    short_located_error(dir.path(), &["check", "."], ".infracheck.toml:1:70010");
}

#[test]
fn tfvars_error_past_column_70000_is_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "main.tf", "variable \"x\" {}\n");
    write(
        dir.path(),
        "terraform.tfvars",
        &format!("x = {}[\n", " ".repeat(70_000)),
    );
    short_located_error(dir.path(), &["check", "."], "terraform.tfvars:1:");
}

#[test]
fn plan_json_error_past_column_70000_is_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "plan.json",
        &format!("{{\"format_version\": {}]", " ".repeat(70_000)),
    );
    short_located_error(dir.path(), &["check", "plan.json"], "plan.json");
}

/// Rendering a diagnostic costs the lines it shows, not the size of its file: thousands in one file
/// render in text as fast as in JSON, give or take the drawing.
#[test]
fn two_thousand_diagnostics_in_one_file_all_render_in_text() {
    // 16,000 are timed in benches/scale.rs; the test checks every one is rendered, located.
    let dir = tempfile::tempdir().expect("tempdir");
    let n = 2_000;
    let text: String = (0..n)
        .map(|i| format!("resource \"aws_sqs_queue\" \"q{i}\" {{\n  name = var.nope_{i}\n}}\n"))
        .collect();
    write(dir.path(), "main.tf", &text);
    let r = run(dir.path(), &["check", "."]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.matches("has not been declared").count(),
        n,
        "{}",
        &r.stderr[..2_000]
    );
    assert!(r.stderr.contains(&format!("main.tf:{}:10", 3 * (n - 1) + 2)));
}

fn bucket_item(captured: &str, encrypted: bool) -> serde_json::Value {
    let mut supplementary = serde_json::json!({});
    if encrypted {
        supplementary["ServerSideEncryptionConfiguration"] = serde_json::Value::String(
            serde_json::json!({"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]})
                .to_string(),
        );
    }
    serde_json::json!({
        "version": "1.3",
        "accountId": "111122223333",
        "configurationItemCaptureTime": captured,
        "configurationItemStatus": "OK",
        "arn": "arn:aws:s3:::logs",
        "resourceType": "AWS::S3::Bucket",
        "resourceId": "logs",
        "resourceName": "logs",
        "awsRegion": "eu-central-1",
        "configuration": serde_json::json!({"name": "logs"}).to_string(),
        "supplementaryConfiguration": supplementary,
    })
}

/// Items repeating a resource (its type and ID) are one resource: the latest captured is read,
/// whatever the order of the file, and a note says so.
#[test]
fn two_thousand_duplicate_items_are_one_resource_read_from_the_latest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut items: Vec<serde_json::Value> = (0..2_000)
        .map(|i| {
            bucket_item(
                &format!("2026-01-01T{:02}:{:02}:{:02}Z", i / 3600, i / 60 % 60, i % 60),
                true,
            )
        })
        .collect();
    // The latest, unencrypted, sits in the middle.
    items.insert(1_000, bucket_item("2026-06-01T00:00:00Z", false));
    write(dir.path(), "items.json", &serde_json::to_string(&items).expect("json"));
    let r = run(dir.path(), &["live", "--items", "items.json", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("into 1 resource(s)"), "{}", r.stderr);
    assert!(
        r.stderr.contains("2000 configuration item(s) repeat a resource"),
        "{}",
        r.stderr
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let failed: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["outcome"] == "fail")
        .map(|f| f["rule_id"].as_str().unwrap_or_default())
        .collect();
    assert!(failed.contains(&"IC-S3-001"), "{failed:?}");
}

/// `cost --format json` of `main_tf` (and `usage` as `--usage-file`): exit 0, the component named
/// `component` of `address` not priced with `reason`, and every other line of the run priced as
/// before (the NAT gateway beside it keeps its $32.85 hour line), the total leaving it out.
fn huge_quantity_is_not_priced(main_tf: &str, usage: Option<&str>, address: &str, component: &str, reason: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let nat = "resource \"aws_nat_gateway\" \"n\" {\n  subnet_id = \"subnet-1\"\n}\n";
    write(
        dir.path(),
        "main.tf",
        &format!("provider \"aws\" {{\n  region = \"us-east-1\"\n}}\n{main_tf}{nat}"),
    );
    let mut args = vec!["cost", ".", "--format", "json"];
    if let Some(u) = usage {
        write(dir.path(), "usage.yml", u);
        args.extend(["--usage-file", "usage.yml"]);
    }
    let r = run(dir.path(), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let env = &v["environments"][0];
    let resources = env["resources"].as_array().expect("resources");
    let res = |a: &str| {
        resources
            .iter()
            .find(|x| x["address"] == a)
            .unwrap_or_else(|| panic!("{a}: {}", r.stdout))
    };
    let line = res(address)["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["name"] == component)
        .unwrap_or_else(|| panic!("{component}: {}", r.stdout))
        .clone();
    assert_eq!(line["status"], "not_priced", "{line}");
    assert_eq!(line["reason"], reason, "{line}");
    assert!(line["monthly_usd"].is_null(), "{line}");
    assert_eq!(env["counts"]["not_priced_lines"], 1, "{}", r.stdout);
    assert_eq!(env["not_priced"][0]["address"], address, "{}", r.stdout);
    assert_eq!(env["not_priced"][0]["reason"], reason, "{}", r.stdout);
    let nat_hour = &res("aws_nat_gateway.n")["components"][0];
    assert_eq!(nat_hour["status"], "priced", "{nat_hour}");
    assert_eq!(nat_hour["monthly_usd"], 32.85, "{nat_hour}");
    let total = env["monthly_usd"].as_f64().expect("total");
    assert!(total > 32.0 && total < 1e6, "total {total}");
    // The other formats say it too, and do not crash.
    for format in ["text", "markdown", "csv"] {
        let mut a: Vec<&str> = args.clone();
        a[3] = format;
        let out = run(dir.path(), &a);
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        assert!(out.stdout.contains(reason), "{format}: {}", out.stdout);
    }
    // A line not priced is missing from the total: --fail-on-missing-price fails on it.
    let mut a = args.clone();
    a.push("--fail-on-missing-price");
    assert_eq!(run(dir.path(), &a).code, 1);
}

#[test]
fn huge_dynamodb_write_capacity_is_a_line_not_priced() {
    huge_quantity_is_not_priced(
        "resource \"aws_dynamodb_table\" \"t\" {\n  name = \"t\"\n  hash_key = \"id\"\n  billing_mode = \"PROVISIONED\"\n  read_capacity = 5\n  write_capacity = 1e30\n}\n",
        None,
        "aws_dynamodb_table.t",
        "Write capacity (provisioned)",
        "quantity too large: write_capacity = 1e+30",
    );
}

#[test]
fn dynamodb_write_capacity_that_overflows_the_hours_is_a_line_not_priced() {
    // 1e27 fits a Decimal; × 730 hours does not (rust_decimal panicked here).
    huge_quantity_is_not_priced(
        "resource \"aws_dynamodb_table\" \"t\" {\n  name = \"t\"\n  hash_key = \"id\"\n  read_capacity = 5\n  write_capacity = 1e27\n}\n",
        None,
        "aws_dynamodb_table.t",
        "Write capacity (provisioned)",
        "quantity too large: write_capacity = 1e+27",
    );
}

#[test]
fn huge_elasticache_num_cache_nodes_is_a_line_not_priced() {
    huge_quantity_is_not_priced(
        "resource \"aws_elasticache_cluster\" \"c\" {\n  cluster_id = \"c\"\n  engine = \"redis\"\n  node_type = \"cache.t3.micro\"\n  num_cache_nodes = 1e30\n}\n",
        None,
        "aws_elasticache_cluster.c",
        "Cache nodes (on-demand, Redis OSS, cache.t3.micro)",
        "quantity too large: num_cache_nodes = 1e+30",
    );
}

#[test]
fn huge_ecs_desired_count_is_a_line_not_priced() {
    let dir_tf = "resource \"aws_ecs_task_definition\" \"api\" {\n  family = \"api\"\n  requires_compatibilities = [\"FARGATE\"]\n  cpu = 512\n  memory = 1024\n  container_definitions = \"[]\"\n}\nresource \"aws_ecs_service\" \"api\" {\n  name = \"api\"\n  task_definition = aws_ecs_task_definition.api.arn\n  launch_type = \"FARGATE\"\n  desired_count = 1e30\n}\n";
    // Both Fargate lines multiply the task count; the first one listed is the vCPU line.
    huge_quantity_is_not_priced_lines(
        dir_tf,
        "aws_ecs_service.api",
        "quantity too large: desired_count = 1e+30",
        2,
    );
}

#[test]
fn huge_usage_file_value_is_a_line_not_priced() {
    huge_quantity_is_not_priced(
        "resource \"aws_kms_key\" \"k\" {\n  description = \"k\"\n}\n",
        Some("version: 0.1\nresource_usage:\n  aws_kms_key.k:\n    monthly_requests: 1e30\n"),
        "aws_kms_key.k",
        "Requests (symmetric)",
        "quantity too large: monthly_requests = 1e+30",
    );
}

/// As [`huge_quantity_is_not_priced`], for a resource with `n` lines not priced for the reason.
fn huge_quantity_is_not_priced_lines(main_tf: &str, address: &str, reason: &str, n: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let nat = "resource \"aws_nat_gateway\" \"n\" {\n  subnet_id = \"subnet-1\"\n}\n";
    write(
        dir.path(),
        "main.tf",
        &format!("provider \"aws\" {{\n  region = \"us-east-1\"\n}}\n{main_tf}{nat}"),
    );
    let r = run(dir.path(), &["cost", ".", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let env = &v["environments"][0];
    let not_priced = env["not_priced"].as_array().expect("not_priced");
    assert_eq!(not_priced.len(), n, "{}", r.stdout);
    for l in not_priced {
        assert_eq!(l["address"], address, "{l}");
        assert_eq!(l["reason"], reason, "{l}");
    }
    let resources = env["resources"].as_array().expect("resources");
    let nat = resources
        .iter()
        .find(|x| x["address"] == "aws_nat_gateway.n")
        .expect("nat");
    assert_eq!(nat["components"][0]["monthly_usd"], 32.85, "{nat}");
    let total = env["monthly_usd"].as_f64().expect("total");
    assert!(total > 32.0 && total < 1e6, "total {total}");
}
