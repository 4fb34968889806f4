//! Every output format of `check`, from one fixed finding set (the redis-worker system), as
//! snapshots: what users and CI systems read. Absolute paths and the version are redacted. And the
//! problems with the input, which every format reports.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn report(format: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = Command::cargo_bin("infracheck")
        .map(|mut c| {
            // An empty module cache: what a developer downloaded never changes a test.
            c.env(
                "INFRACHECK_CACHE_DIR",
                concat!(env!("CARGO_TARGET_TMPDIR"), "/no-module-cache"),
            );
            c
        })
        .unwrap()
        .current_dir(&root)
        .env("NO_COLOR", "1")
        .args(["check", "fixtures/systems/redis-worker", "--format", format])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8(out.stdout)
        .unwrap()
        .replace(&format!("file://{}/", root.display()), "file://[ROOT]/")
        .replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

#[test]
fn every_format_of_one_finding_set() {
    for format in ["text", "json", "sarif", "markdown", "junit"] {
        insta::with_settings!({ snapshot_path => "snapshots/reporters", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("redis-worker.{format}"), report(format));
        });
    }
}

/// Every opened element is closed, in order.
fn assert_well_formed(xml: &str) {
    let mut stack: Vec<String> = Vec::new();
    for tag in xml.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap();
        if tag.starts_with('?') || tag.ends_with('/') {
            continue;
        }
        let name = tag
            .trim_start_matches('/')
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();
        if tag.starts_with('/') {
            assert_eq!(stack.pop().as_deref(), Some(name.as_str()), "{xml}");
        } else {
            stack.push(name);
        }
    }
    assert!(stack.is_empty());
}

#[test]
fn junit_is_well_formed() {
    let xml = report("junit");
    assert_well_formed(&xml);
    assert!(xml.contains("<testsuites name=\"infracheck\" tests=\"23\" failures=\"10\" skipped=\"1\">"));
}

/// A root module with two errors (a parse error, an unknown function) and a warning (a remote
/// module), and no resources, so no policy change moves its reports. The `.git` makes the
/// directory its own repository root, which SARIF locations are relative to.
fn input_problems_project(dir: &Path) {
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::create_dir_all(dir.join("sys")).unwrap();
    std::fs::write(
        dir.join("sys/main.tf"),
        "module \"network\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n\nlocals {\n  name = nosuchfunction(\"logs\")\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("sys/broken.tf"),
        "resource \"aws_instance\" \"broken\" {\n  ami =\n}\n",
    )
    .unwrap();
}

fn input_problems_report(dir: &Path, format: &str) -> String {
    let out = Command::cargo_bin("infracheck")
        .map(|mut c| {
            // An empty module cache: what a developer downloaded never changes a test.
            c.env(
                "INFRACHECK_CACHE_DIR",
                concat!(env!("CARGO_TARGET_TMPDIR"), "/no-module-cache"),
            );
            c
        })
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["check", "sys", "--format", format])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "bad input exits 2");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn input_problems_reach_every_format() {
    let dir = tempfile::tempdir().unwrap();
    input_problems_project(dir.path());
    for format in ["markdown", "junit", "sarif"] {
        let mut report = input_problems_report(dir.path(), format);
        if format == "sarif" {
            // The rest of the log is the redis-worker snapshot's; this is what the input adds.
            let log: serde_json::Value = serde_json::from_str(&report).unwrap();
            report = serde_json::to_string_pretty(&log["runs"][0]["invocations"]).unwrap();
        }
        insta::with_settings!({ snapshot_path => "snapshots/reporters", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("input-problems.{format}"), report);
        });
    }
}

#[test]
fn junit_with_input_problems_is_well_formed() {
    let dir = tempfile::tempdir().unwrap();
    input_problems_project(dir.path());
    let xml = input_problems_report(dir.path(), "junit");
    assert_well_formed(&xml);
    assert!(xml.contains("<testsuites name=\"infracheck\" tests=\"3\" failures=\"0\" errors=\"2\" skipped=\"1\">"));
    assert!(xml.contains("<testsuite name=\"input problems\" tests=\"3\" failures=\"0\" errors=\"2\" skipped=\"1\">"));
}
