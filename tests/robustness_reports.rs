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
    let r = run(dir.path(), &["check", "."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(".infracheck.toml:1:70010"), "{}", r.stderr);
    assert!(r.stderr.len() < 1_000, "{} bytes: {}", r.stderr.len(), r.stderr);
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
    let r = run(dir.path(), &["check", "."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("terraform.tfvars:1:"), "{}", r.stderr);
    assert!(r.stderr.len() < 1_000, "{} bytes: {}", r.stderr.len(), r.stderr);
}

#[test]
fn plan_json_error_past_column_70000_is_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "plan.json",
        &format!("{{\"format_version\": {}]", " ".repeat(70_000)),
    );
    let r = run(dir.path(), &["check", "plan.json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("plan.json"), "{}", r.stderr);
    assert!(r.stderr.len() < 1_000, "{} bytes: {}", r.stderr.len(), r.stderr);
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
