//! A usage file is input and gets the care HCL gets: `infracheck cost --usage-file` reports a
//! negative quantity (an error: exit 2, and the line is not priced), a value that is not a number,
//! a key the resource type's estimator does not read (with the closest key), an address that
//! matches no resource and a key for a type that takes no usage (warnings), each at the
//! file:line:col of the key or value, on stderr and in the reports' diagnostics.
//!
//! The fixtures are in fixtures/usage-diagnostics: two roots (root/, other/) and one usage file
//! per diagnostic.

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

const ROOT: &str = "fixtures/usage-diagnostics/root";
const OTHER: &str = "fixtures/usage-diagnostics/other";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = Command::cargo_bin("infracheck")
        .unwrap()
        .current_dir(root())
        .env("NO_COLOR", "1")
        // The embedded catalog, whatever `prices update` wrote on this machine.
        .env("INFRACHECK_PRICES", "/nonexistent/infracheck-prices.tsv")
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        // miette wraps a long message; its continuation lines are joined back.
        stderr: String::from_utf8(out.stderr).unwrap().replace("\n  │ ", " "),
    }
}

fn usage_file(name: &str) -> String {
    format!("fixtures/usage-diagnostics/{name}")
}

/// `cost ROOT --usage-file fixtures/usage-diagnostics/<name>`, as text.
fn cost_text(name: &str) -> Run {
    run(&["cost", ROOT, "--usage-file", &usage_file(name)])
}

/// The same as JSON: the exit code and the report.
fn cost_json(name: &str) -> (Option<i32>, Value) {
    let r = run(&["cost", ROOT, "--usage-file", &usage_file(name), "--format", "json"]);
    let v = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout));
    (r.code, v)
}

/// The JSON report's diagnostics as (severity, code, file:line:col, message, help).
fn diagnostics(report: &Value) -> Vec<(String, String, String, String, String)> {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                s(&d["severity"]),
                s(&d["code"]),
                format!("{}:{}:{}", s(&d["file"]), d["line"], d["column"]),
                s(&d["message"]),
                s(&d["help"]),
            )
        })
        .collect()
}

fn component<'a>(report: &'a Value, address: &str, name: &str) -> &'a Value {
    report["environments"][0]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("{address}: {report}"))["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{address} {name}: {report}"))
}

#[test]
fn a_negative_quantity_is_a_located_error_that_exits_2_and_is_not_priced() {
    let r = cost_text("negative.yml");
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "× fixtures/usage-diagnostics/negative.yml:4:32: aws_nat_gateway.private: monthly_data_processed_gb is -250"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("monthly_data_processed_gb: -250\n"), "{}", r.stderr);
    assert!(r.stderr.contains("negative quantity"), "{}", r.stderr);
    assert!(
        r.stderr.contains("1 error(s), 0 warning(s) in the input"),
        "{}",
        r.stderr
    );
    // The text report does not price it: no -$11.25 (250 GB at $0.045), and the total says so.
    assert!(!r.stdout.contains("-$"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("not priced: negative quantity: monthly_data_processed_gb = -250"),
        "{}",
        r.stdout
    );

    let (code, report) = cost_json("negative.yml");
    assert_eq!(code, Some(2));
    let d = diagnostics(&report);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].0, "error");
    assert_eq!(d[0].1, "usage::negative-quantity");
    assert_eq!(d[0].2, "fixtures/usage-diagnostics/negative.yml:4:32");
    let line = component(&report, "aws_nat_gateway.private", "Data processed");
    assert_eq!(line["status"], "not_priced", "{line}");
    assert!(line["monthly_usd"].is_null(), "{line}");
    assert_eq!(
        line["reason"], "negative quantity: monthly_data_processed_gb = -250",
        "{line}"
    );
    // The priced lines are as without usage: every total is of non-negative lines.
    let env = &report["environments"][0];
    assert_eq!(env["counts"]["not_priced_lines"], 1, "{env}");
    assert!(env["monthly_usd"].as_f64().unwrap() > 0.0, "{env}");
}

#[test]
fn a_quantity_that_is_not_a_number_is_a_located_warning_and_depends_on_usage() {
    let r = cost_text("not-a-number.yml");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "⚠ fixtures/usage-diagnostics/not-a-number.yml:4:22: aws_lb.public: new_connections is \"fifty\", not a number, so it is ignored"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("0 error(s), 1 warning(s) in the input"),
        "{}",
        r.stderr
    );

    let (code, report) = cost_json("not-a-number.yml");
    assert_eq!(code, Some(0));
    let d = diagnostics(&report);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        (d[0].0.as_str(), d[0].1.as_str(), d[0].2.as_str()),
        (
            "warning",
            "usage::not-a-number",
            "fixtures/usage-diagnostics/not-a-number.yml:4:22"
        )
    );
    // The key beside it is read.
    let lcu = component(&report, "aws_lb.public", "Load balancer capacity units (LCU)");
    assert_eq!(lcu["status"], "priced", "{lcu}");
    // 2 GB an hour is 2 LCUs (1 GB an hour each) for 730 hours, at $0.008 an LCU-hour.
    assert_eq!(lcu["quantity"], 1460.0, "{lcu}");
    assert_eq!(lcu["monthly_usd"], 11.68, "{lcu}");
}

#[test]
fn an_unknown_key_is_a_located_warning_that_suggests_the_key_meant() {
    let r = cost_text("unknown-key.yml");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "⚠ fixtures/usage-diagnostics/unknown-key.yml:4:5: aws_nat_gateway.zonal[*]: monthly_data_procesed_gb is not a usage key of aws_nat_gateway"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("help: did you mean monthly_data_processed_gb?"),
        "{}",
        r.stderr
    );

    let (code, report) = cost_json("unknown-key.yml");
    assert_eq!(code, Some(0));
    assert_eq!(
        diagnostics(&report),
        [(
            "warning".to_string(),
            "usage::unknown-key".to_string(),
            "fixtures/usage-diagnostics/unknown-key.yml:4:5".to_string(),
            "aws_nat_gateway.zonal[*]: monthly_data_procesed_gb is not a usage key of aws_nat_gateway, so it is ignored"
                .to_string(),
            "did you mean monthly_data_processed_gb?".to_string(),
        )]
    );
    // The misspelt key is not read: the line still depends on usage.
    let line = component(&report, "aws_nat_gateway.zonal[0]", "Data processed");
    assert_eq!(line["status"], "depends_on_usage", "{line}");
}

#[test]
fn an_address_that_matches_no_resource_is_a_located_warning_with_the_closest_address() {
    let r = cost_text("no-such-resource.yml");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "⚠ fixtures/usage-diagnostics/no-such-resource.yml:3:3: resource_usage names aws_nat_gateway.privte, which matches no resource"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("help: did you mean aws_nat_gateway.private?"),
        "{}",
        r.stderr
    );
    let (_, report) = cost_json("no-such-resource.yml");
    let d = diagnostics(&report);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        (d[0].0.as_str(), d[0].1.as_str(), d[0].2.as_str()),
        (
            "warning",
            "usage::no-such-resource",
            "fixtures/usage-diagnostics/no-such-resource.yml:3:3"
        )
    );
}

#[test]
fn a_key_for_a_type_that_takes_no_usage_is_a_located_warning() {
    let r = cost_text("no-usage.yml");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "⚠ fixtures/usage-diagnostics/no-usage.yml:4:5: aws_vpc (default usage): aws_vpc takes no usage, so monthly_data_processed_gb is ignored"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("help: AWS does not charge for aws_vpc: remove the entry"),
        "{}",
        r.stderr
    );
    let (_, report) = cost_json("no-usage.yml");
    let d = diagnostics(&report);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        (d[0].0.as_str(), d[0].1.as_str(), d[0].2.as_str()),
        (
            "warning",
            "usage::no-usage",
            "fixtures/usage-diagnostics/no-usage.yml:4:5"
        )
    );
}

#[test]
fn usage_diagnostics_are_in_the_markdown_report() {
    let r = run(&[
        "cost",
        ROOT,
        "--usage-file",
        &usage_file("negative.yml"),
        "--format",
        "markdown",
    ]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stdout.contains(
            "| <code>fixtures/usage-diagnostics/negative.yml:4:32</code> | <code>usage::negative-quantity</code> |"
        ),
        "{}",
        r.stdout
    );
    let r = run(&[
        "cost",
        ROOT,
        "--usage-file",
        &usage_file("unknown-key.yml"),
        "--format",
        "markdown",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("### Warnings (1)"), "{}", r.stdout);
    assert!(
        r.stdout.contains("did you mean monthly_data_processed_gb?"),
        "{}",
        r.stdout
    );
}

/// An address need match a resource of only one of the roots the file applies to.
#[test]
fn an_address_may_name_a_resource_of_any_root_the_file_applies_to() {
    let both = run(&["cost", ROOT, OTHER, "--usage-file", &usage_file("clean.yml")]);
    assert_eq!(both.code, Some(0), "{}", both.stderr);
    assert_eq!(both.stderr, "", "a clean usage file reports nothing");
    let one = run(&["cost", ROOT, "--usage-file", &usage_file("clean.yml")]);
    assert_eq!(one.code, Some(0), "{}", one.stderr);
    assert!(
        one.stderr.contains(
            "fixtures/usage-diagnostics/clean.yml:12:3: resource_usage names aws_kms_key.data, which matches no resource"
        ),
        "{}",
        one.stderr
    );
}

/// The usage files of the estimators' golden tables use only keys their estimators read.
#[test]
fn the_bundled_usage_files_are_clean() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/cost"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("usage.yml").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() > 10, "{dirs:?}");
    for d in dirs {
        let dir = d.strip_prefix(root()).unwrap().display().to_string();
        let r = run(&["cost", &dir, "--usage-file", &format!("{dir}/usage.yml")]);
        assert_eq!(r.code, Some(0), "{dir}: {}", r.stderr);
        assert_eq!(r.stderr, "", "{dir}");
    }
}
