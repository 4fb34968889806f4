//! Every output format of `check`, from one fixed finding set (the redis-worker system), as
//! snapshots: what users and CI systems read. Absolute paths and the version are redacted.

use assert_cmd::Command;
use std::path::PathBuf;

fn report(format: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = Command::cargo_bin("infracheck")
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

#[test]
fn junit_is_well_formed() {
    let xml = report("junit");
    // Every opened element is closed, in order.
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
    assert!(xml.contains("<testsuites name=\"infracheck\" tests=\"21\" failures=\"10\" skipped=\"1\">"));
}
