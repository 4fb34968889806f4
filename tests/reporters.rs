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
    assert!(xml.contains("<testsuites name=\"infracheck\" tests=\"46\" failures=\"18\" skipped=\"2\">"));
}

/// A root module with two errors (a parse error, an unknown function) and a warning (a remote
/// module), and no resources, so no policy change moves its reports. The `.git` makes the
/// directory its own repository root, which SARIF locations are relative to.
fn input_problems_project(dir: &Path) {
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::create_dir_all(dir.join("sys")).unwrap();
    std::fs::write(
        dir.join("sys/main.tf"),
        "module \"network\" {\n  source  = \"terraform-aws-modules/vpc/aws\"\n  version = \"5.1.2\"\n}\n\nlocals {\n  name = nosuchfunction(\"logs\")\n}\n",
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
    assert!(xml.contains("<testsuites name=\"infracheck\" tests=\"4\" failures=\"0\" errors=\"2\" skipped=\"1\">"));
    assert!(xml.contains("<testsuite name=\"input problems\" tests=\"3\" failures=\"0\" errors=\"2\" skipped=\"1\">"));
}

/// A run from the repository root: exit code, stdout, stderr.
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::cargo_bin("infracheck")
        .map(|mut c| {
            c.env(
                "INFRACHECK_CACHE_DIR",
                concat!(env!("CARGO_TARGET_TMPDIR"), "/no-module-cache"),
            );
            c
        })
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// fixtures/reports/unreadable: broken.tf does not parse (line 3, column 8); main.tf reads and
/// its instance fails IC-EC2-004.
const UNREADABLE: &str = "fixtures/reports/unreadable";
const BROKEN_AT: &str = "fixtures/reports/unreadable/broken.tf:3:8";

#[test]
fn an_unreadable_file_is_on_stderr_and_in_the_report_of_every_check_format() {
    for format in ["text", "json", "sarif", "markdown", "junit"] {
        let (code, out, err) = run(&["check", UNREADABLE, "--format", format]);
        assert_eq!(code, Some(2), "{format}: unreadable input exits 2\n{err}");
        // On stderr, rendered as the text format renders it: location, code, snippet.
        assert!(err.contains(BROKEN_AT), "{format}: {err}");
        assert!(
            err.contains("hcl::parse") && err.contains("3 │   ami ="),
            "{format}: {err}"
        );
        assert!(
            err.contains("1 error(s), 0 warning(s) in the input: the result is incomplete"),
            "{format}: {err}"
        );
        // The good file is still checked.
        assert!(out.contains("IC-EC2-004"), "{format}: {out}");
        match format {
            "text" => assert!(
                out.contains("the result is incomplete: 1 file could not be read or evaluated (1 error)"),
                "{out}"
            ),
            "json" => {
                let v: serde_json::Value = serde_json::from_str(&out).unwrap();
                let d = &v["diagnostics"].as_array().unwrap()[0];
                assert_eq!(d["severity"], "error");
                assert_eq!(d["code"], "hcl::parse");
                assert_eq!(d["file"], "fixtures/reports/unreadable/broken.tf");
                assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(3), Some(8)));
                assert!(d["message"].as_str().unwrap().starts_with("invalid HCL"), "{d}");
            }
            "sarif" => {
                let v: serde_json::Value = serde_json::from_str(&out).unwrap();
                let inv = &v["runs"][0]["invocations"][0];
                assert_eq!(inv["executionSuccessful"], false);
                let n = &inv["toolExecutionNotifications"][0];
                assert_eq!(n["level"], "error");
                let loc = &n["locations"][0]["physicalLocation"];
                assert_eq!(loc["artifactLocation"]["uri"], "fixtures/reports/unreadable/broken.tf");
                assert_eq!(loc["region"]["startLine"], 3);
                assert_eq!(loc["region"]["startColumn"], 8);
            }
            "markdown" => {
                let errors = out.find("### Errors (1)").expect("an Errors section");
                // Above the findings, and the top says the result is incomplete.
                assert!(errors < out.find("### High").unwrap(), "{out}");
                assert!(out.starts_with(
                    "## infracheck\n\n> **The result is incomplete: 1 file could not be read or evaluated (1 error).**"
                ));
                assert!(out.contains(&format!("<code>{BROKEN_AT}</code>")), "{out}");
                assert!(!out.contains("No failures."), "{out}");
            }
            "junit" => {
                assert_well_formed(&out);
                assert!(out.contains("errors=\"1\""), "{out}");
                assert!(out.contains("<error type=\"hcl::parse\""), "{out}");
                assert!(out.contains(&format!(">{BROKEN_AT}: invalid HCL")), "{out}");
            }
            _ => unreachable!(),
        }
    }
}

#[test]
fn a_report_of_an_unreadable_file_never_says_no_failures() {
    // Only the unreadable file: nothing fails, and the comment must not read as clean.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(UNREADABLE)
            .join("broken.tf"),
        dir.path().join("broken.tf"),
    )
    .unwrap();
    let (code, out, err) = run(&["check", dir.path().to_str().unwrap(), "--format", "markdown"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(!out.contains("No failures."), "{out}");
    assert!(
        out.contains("No failures in the input that could be read; the result is incomplete"),
        "{out}"
    );
}

#[test]
fn an_unreadable_file_is_in_every_cost_and_resources_report() {
    for format in ["text", "json", "markdown", "csv"] {
        let (code, out, err) = run(&["cost", UNREADABLE, "--format", format]);
        assert_eq!(code, Some(2), "cost {format}\n{err}");
        assert!(err.contains(BROKEN_AT), "cost {format}: {err}");
        match format {
            "json" => {
                let v: serde_json::Value = serde_json::from_str(&out).unwrap();
                let d = &v["diagnostics"][0];
                assert_eq!(
                    (d["severity"].as_str(), d["code"].as_str()),
                    (Some("error"), Some("hcl::parse"))
                );
                assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(3), Some(8)));
            }
            "markdown" => {
                assert!(out.contains("> **The result is incomplete"), "{out}");
                assert!(out.contains("### Errors (1)") && out.contains(BROKEN_AT), "{out}");
            }
            "text" => assert!(out.contains("the result is incomplete"), "{out}"),
            // A spreadsheet has no place for it: stderr and the exit code say it.
            _ => {}
        }
    }
    for format in ["text", "json"] {
        let (code, out, err) = run(&["resources", UNREADABLE, "--format", format]);
        assert_eq!(code, Some(2), "resources {format}\n{err}");
        assert!(err.contains(BROKEN_AT), "resources {format}: {err}");
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(v["diagnostics"][0]["code"], "hcl::parse", "{v}");
        }
    }
}

/// fixtures/reports/module_instances: a module called for three keys whose count is not known
/// before plan: one warning, not three.
#[test]
fn a_warning_met_in_every_instance_of_a_module_is_one_naming_the_instances() {
    let instances = "(in 3 instances of module.network: module.network[\"blue\"], module.network[\"green\"], module.network[\"red\"])";
    for format in ["json", "sarif", "markdown", "junit", "text"] {
        let (code, out, err) = run(&["check", "fixtures/reports/module_instances", "--format", format]);
        assert!(code.is_some_and(|c| c < 2), "{format}: warnings only\n{err}");
        assert_eq!(err.matches("eval::unknown-expansion").count(), 1, "{format}: {err}");
        assert_eq!(
            err.matches("in 3 instances of module.network").count(),
            1,
            "{format}: {err}"
        );
        let in_report = match format {
            "text" => continue,
            "junit" => out.replace("&quot;", "\""),
            "sarif" | "json" => serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&out).unwrap())
                .unwrap()
                .replace("\\\"", "\""),
            _ => out,
        };
        if format == "junit" {
            // One test case; its name, message and text each say it.
            assert_eq!(
                in_report.matches("classname=\"eval::unknown-expansion\"").count(),
                1,
                "{in_report}"
            );
            assert!(in_report.contains(instances), "{in_report}");
        } else {
            assert_eq!(in_report.matches(instances).count(), 1, "{format}: {in_report}");
        }
        assert!(
            in_report.contains("the count of module.network.aws_subnet.per_az depends on"),
            "{format}: {in_report}"
        );
    }
    let (_, out, _) = run(&["resources", "fixtures/reports/module_instances", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(diags[0]["message"].as_str().unwrap().ends_with(instances));
}
