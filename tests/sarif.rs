//! SARIF output: valid against the official SARIF 2.1.0 schema, and within GitHub code scanning's
//! upload rules.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The log and the exit code.
fn sarif_exiting(dir: &Path, args: &[&str]) -> (Value, Option<i32>) {
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
        .arg("check")
        .args(args)
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    let log = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (log, out.status.code())
}

fn sarif(dir: &Path, args: &[&str]) -> Value {
    let (log, code) = sarif_exiting(dir, args);
    assert!(code.is_some_and(|c| c <= 1), "exit {code:?}");
    log
}

fn assert_valid(validator: &jsonschema::Validator, log: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

/// GitHub's documented limits and the fields code scanning reads.
fn assert_github_rules(log: &Value) {
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "one run");
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "infracheck");
    assert!(driver["semanticVersion"].is_string());
    assert!(driver["informationUri"].as_str().unwrap().starts_with("https://"));
    let rules = driver["rules"].as_array().unwrap();
    assert!(!rules.is_empty() && rules.len() <= 25_000);
    for rule in rules {
        let sev: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&sev), "{rule}");
        assert!(rule["properties"]["tags"].as_array().unwrap().len() <= 20);
        assert!(rule["shortDescription"]["text"].is_string());
        assert!(rule["fullDescription"]["text"].is_string());
        assert!(rule["help"]["text"].is_string() && rule["help"]["markdown"].is_string());
        assert!(rule["helpUri"].as_str().unwrap().starts_with("https://"));
    }
    assert!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap()
        .ends_with('/'));
    let results = run["results"].as_array().unwrap();
    assert!(results.len() <= 25_000);
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"], "ruleIndex points at the rule");
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let locations = r["locations"].as_array().unwrap();
        assert!(!locations.is_empty() && locations.len() <= 1000);
        let physical = &locations[0]["physicalLocation"];
        let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.starts_with('/') && !uri.contains("://"),
            "relative to the repository: {uri}"
        );
        assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &physical["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        assert!(region["startColumn"].as_u64().unwrap() >= 1);
        assert!(region["endColumn"].as_u64().unwrap() > region["startColumn"].as_u64().unwrap());
        assert!(locations[0]["logicalLocations"][0]["name"].is_string());
        assert!(!r["partialFingerprints"]["infracheck/v1"].as_str().unwrap().is_empty());
    }
}

#[test]
fn sarif_is_valid_against_the_official_schema_and_github_rules() {
    let validator = validator();
    for args in [
        vec!["--env", "all"],
        vec!["fixtures/systems/capstone", "--profile", "prod"],
        vec!["fixtures/systems/redis-worker"],
        vec!["fixtures/plan/basic/plan.json"],
    ] {
        let log = sarif(&root(), &args);
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
        assert_github_rules(&log);
        assert!(!log["runs"][0]["results"].as_array().unwrap().is_empty(), "{args:?}");
    }
}

#[test]
fn unresolved_findings_are_notes_and_fingerprints_survive_unrelated_edits() {
    let redis = sarif(&root(), &["fixtures/systems/redis-worker"]);
    let results = redis["runs"][0]["results"].as_array().unwrap();
    let unresolved = results
        .iter()
        .find(|r| r["properties"]["outcome"] == "unresolved")
        .unwrap();
    assert_eq!(unresolved["level"], "note");

    // A copy of the system with a comment added on top: every line moves, no fingerprint changes.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("sys");
    std::fs::create_dir_all(&copy).unwrap();
    for f in [
        "main.tf",
        "variables.tf",
        "versions.tf",
        "outputs.tf",
        "user_data.sh.tftpl",
    ] {
        std::fs::copy(root().join("fixtures/systems/redis-worker").join(f), copy.join(f)).unwrap();
    }
    let before = sarif(dir.path(), &["sys"]);
    let main = std::fs::read_to_string(copy.join("main.tf")).unwrap();
    std::fs::write(
        copy.join("main.tf"),
        format!("# reviewed by the platform team\n\n{main}"),
    )
    .unwrap();
    let after = sarif(dir.path(), &["sys"]);
    let prints = |log: &Value| -> Vec<(String, String, u64)> {
        let mut v: Vec<(String, String, u64)> = log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let physical = &r["locations"][0]["physicalLocation"];
                (
                    r["partialFingerprints"]["infracheck/v1"].as_str().unwrap().to_string(),
                    physical["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                    physical["region"]["startLine"].as_u64().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let (b, a) = (prints(&before), prints(&after));
    assert_eq!(b.len(), a.len());
    let mut moved = 0;
    for ((fb, ub, lb), (fa, ua, la)) in b.iter().zip(&a) {
        assert_eq!((fb, ub), (fa, ua));
        if ub.ends_with("main.tf") {
            assert_eq!(*la, lb + 2, "the finding moved with its line");
            moved += 1;
        }
    }
    assert!(moved >= 5);
}

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("infracheck.sarif");
    Command::cargo_bin("infracheck")
        .map(|mut c| {
            // An empty module cache: what a developer downloaded never changes a test.
            c.env(
                "INFRACHECK_CACHE_DIR",
                concat!(env!("CARGO_TARGET_TMPDIR"), "/no-module-cache"),
            );
            c
        })
        .unwrap()
        .current_dir(root())
        .args([
            "check",
            "fixtures/systems/redis-worker",
            "--format",
            "sarif",
            "--output",
        ])
        .arg(&file)
        .assert()
        .code(1)
        .stdout("");
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
}

#[test]
fn input_problems_are_tool_execution_notifications() {
    let validator = validator();
    let dir = tempfile::tempdir().unwrap();
    // Its own repository root, which locations are relative to.
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    let sys = dir.path().join("sys");
    std::fs::create_dir_all(&sys).unwrap();
    std::fs::write(
        sys.join("main.tf"),
        "module \"network\" {\n  source  = \"terraform-aws-modules/vpc/aws\"\n  version = \"5.1.2\"\n}\n",
    )
    .unwrap();

    // A warning only: reported, and the run still succeeded.
    let (log, code) = sarif_exiting(dir.path(), &["sys"]);
    assert_eq!(code, Some(0));
    assert_valid(&validator, &log);
    assert_github_rules(&log);
    let invocations = log["runs"][0]["invocations"].as_array().unwrap();
    assert_eq!(invocations.len(), 1);
    assert_eq!(invocations[0]["executionSuccessful"], true);
    let notes = invocations[0]["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    let warning = &notes[0];
    assert_eq!(warning["level"], "warning");
    assert_eq!(warning["descriptor"]["id"], "eval::module-not-followed");
    assert!(
        warning["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("module.network comes from \"terraform-aws-modules/vpc/aws\""),
        "{warning}"
    );
    let physical = &warning["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], "sys/main.tf");
    assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(physical["region"]["startLine"], 2);
    assert_eq!(physical["region"]["startColumn"], 13);

    // And an error: the run did not succeed.
    std::fs::write(
        sys.join("broken.tf"),
        "locals {\n  name = nosuchfunction(\"logs\")\n}\n",
    )
    .unwrap();
    let (log, code) = sarif_exiting(dir.path(), &["sys"]);
    assert_eq!(code, Some(2), "bad input exits 2");
    assert_valid(&validator, &log);
    assert_github_rules(&log);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    let seen: Vec<(&str, &str, &str, u64, u64)> = notes
        .iter()
        .map(|n| {
            let physical = &n["locations"][0]["physicalLocation"];
            (
                n["level"].as_str().unwrap(),
                n["descriptor"]["id"].as_str().unwrap(),
                physical["artifactLocation"]["uri"].as_str().unwrap(),
                physical["region"]["startLine"].as_u64().unwrap(),
                physical["region"]["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    // In the order of the text report: by file, then position.
    assert_eq!(
        seen,
        [
            ("error", "eval::local", "sys/broken.tf", 2, 10),
            ("warning", "eval::module-not-followed", "sys/main.tf", 2, 13),
        ]
    );
    assert_eq!(
        notes[0]["message"]["text"],
        "Call to unknown function: there is no function named \"nosuchfunction\"."
    );
}

#[test]
fn a_clean_input_is_a_successful_invocation_without_notifications() {
    let log = sarif(&root(), &["fixtures/systems/redis-worker"]);
    let invocations = log["runs"][0]["invocations"].as_array().unwrap();
    assert_eq!(invocations.len(), 1);
    assert_eq!(invocations[0]["executionSuccessful"], true);
    assert!(invocations[0].get("toolExecutionNotifications").is_none());
}

#[test]
fn an_unreadable_file_makes_an_unsuccessful_run_that_still_validates() {
    let (log, code) = sarif_exiting(&root(), &["fixtures/reports/unreadable"]);
    assert_eq!(code, Some(2));
    assert_valid(&validator(), &log);
    assert_github_rules(&log);
    let run = &log["runs"][0];
    // The file that reads is still checked.
    assert!(run["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["ruleId"] == "IC-EC2-004"));
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notifications = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 1, "{notifications:?}");
    let n = &notifications[0];
    assert_eq!(n["level"], "error");
    assert_eq!(n["descriptor"]["id"], "hcl::parse");
    assert!(n["message"]["text"].as_str().unwrap().starts_with("invalid HCL"));
    let physical = &n["locations"][0]["physicalLocation"];
    assert_eq!(
        physical["artifactLocation"]["uri"],
        "fixtures/reports/unreadable/broken.tf"
    );
    assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(
        (
            physical["region"]["startLine"].as_u64(),
            physical["region"]["startColumn"].as_u64()
        ),
        (Some(3), Some(8))
    );
}

#[test]
fn grouped_warnings_are_one_warning_notification() {
    let (log, code) = sarif_exiting(&root(), &["fixtures/reports/module_instances"]);
    assert!(code.is_some_and(|c| c < 2));
    assert_valid(&validator(), &log);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let notifications = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 1, "{notifications:?}");
    assert_eq!(notifications[0]["level"], "warning");
    assert!(notifications[0]["message"]["text"]
        .as_str()
        .unwrap()
        .contains("in 3 instances of module.network"));
}
