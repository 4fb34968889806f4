//! The four seed systems (fixtures/systems/, documents 000, 001, 002, 004) give exactly the findings
//! their expected.toml lists: rule, outcome and address.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

#[derive(serde::Deserialize)]
struct Expected {
    profile: String,
    findings: Vec<String>,
}

#[test]
fn each_system_has_the_findings_it_expects() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for system in ["grocerymate", "redis-worker", "capstone", "ecs-on-ec2"] {
        let dir = format!("fixtures/systems/{system}");
        let expected: Expected =
            toml::from_str(&std::fs::read_to_string(root.join(&dir).join("expected.toml")).unwrap()).unwrap();
        let out = Command::cargo_bin("infracheck")
            .unwrap()
            .current_dir(&root)
            .args(["check", &dir, "--profile", &expected.profile, "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{system}: failures exit 1");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["diagnostics"], Value::Array(vec![]), "{system}");
        let found: BTreeSet<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {} {}",
                    f["rule_id"].as_str().unwrap(),
                    f["outcome"].as_str().unwrap(),
                    f["address"].as_str().unwrap()
                )
            })
            .collect();
        let want: BTreeSet<String> = expected.findings.into_iter().collect();
        let missing: Vec<&String> = want.difference(&found).collect();
        let extra: Vec<&String> = found.difference(&want).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{system}: missing {missing:#?}\nunexpected {extra:#?}"
        );
        // Every finding points at a line of the system's own files.
        for f in report["findings"].as_array().unwrap() {
            let file = f["file"]
                .as_str()
                .unwrap_or_else(|| panic!("{system}: {f} has no file"));
            assert!(file.starts_with(&dir), "{system}: {file}");
            assert!(f["line"].as_u64().unwrap() >= 1);
        }
    }
}
