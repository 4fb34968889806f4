//! Every directory in fixtures/hcl/ (but console/) is a feature of the HCL front end with the model
//! infracheck must build from it: `expected.json` holds the exit code and the JSON output of
//! `infracheck resources <dir> --format json`. INFRACHECK_UPDATE_FIXTURES=1 rewrites them; review
//! the diff before committing.

use assert_cmd::Command;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn redact(text: &str) -> String {
    text.replace(&root().display().to_string(), "<repo>")
}

fn run(dir: &Path) -> Value {
    let rel = dir.strip_prefix(root()).expect("fixture below the repo");
    let mut cmd = Command::cargo_bin("infracheck").expect("binary");
    // An empty module cache: what a developer downloaded never changes a fixture.
    cmd.env(
        "INFRACHECK_CACHE_DIR",
        concat!(env!("CARGO_TARGET_TMPDIR"), "/no-module-cache"),
    );
    cmd.current_dir(root())
        .arg("resources")
        .arg(rel)
        .args(["--format", "json"]);
    let args_file = dir.join("args");
    if args_file.is_file() {
        let args = std::fs::read_to_string(&args_file).expect("args");
        cmd.args(args.split_whitespace());
    }
    let out = cmd.output().expect("run infracheck");
    let stdout = redact(&String::from_utf8_lossy(&out.stdout));
    let output: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{}: not JSON ({e}):\n{stdout}", rel.display()));
    json!({ "exit_code": out.status.code(), "output": output })
}

#[test]
fn every_hcl_fixture_builds_its_expected_model() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/hcl"))
        .expect("fixtures/hcl")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !p.ends_with("console"))
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 12, "expected a fixture per feature, found {}", dirs.len());
    let update = std::env::var_os("INFRACHECK_UPDATE_FIXTURES").is_some();
    let mut failures = Vec::new();
    for dir in &dirs {
        let got = run(dir);
        let path = dir.join("expected.json");
        if update {
            std::fs::write(&path, serde_json::to_string_pretty(&got).expect("json") + "\n")
                .expect("write expected.json");
            continue;
        }
        let expected: Value = match std::fs::read_to_string(&path) {
            Ok(t) => serde_json::from_str(&t).expect("expected.json is JSON"),
            Err(_) => {
                failures.push(format!(
                    "{}: no expected.json (run with INFRACHECK_UPDATE_FIXTURES=1)",
                    dir.display()
                ));
                continue;
            }
        };
        if expected != got {
            failures.push(format!(
                "{}: the model differs from expected.json\n--- expected\n{}\n--- got\n{}",
                dir.display(),
                serde_json::to_string_pretty(&expected).unwrap_or_default(),
                serde_json::to_string_pretty(&got).unwrap_or_default()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
