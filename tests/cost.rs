//! `infracheck cost`: a golden table per estimator (fixtures/cost/<resource>/expected.txt, and
//! expected-usage.txt with the fixture's usage.yml), every priced line checked against its catalog
//! entry, the bundled environments' totals to the cent, the seed systems, plans, errors.
//!
//! `UPDATE_GOLDEN=1 cargo test --test cost` rewrites the golden tables; review the diff.

use assert_cmd::Command;
use infracheck::cost::catalog::Catalog;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::str::FromStr;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::cargo_bin("infracheck")
        .unwrap()
        .current_dir(root())
        .env("NO_COLOR", "1")
        // The embedded catalog, whatever `prices update` wrote on this machine.
        .env("INFRACHECK_PRICES", "/nonexistent/infracheck-prices.tsv")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn fixtures() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/cost"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap().display().to_string()
}

fn golden(path: &Path, actual: &str) -> Option<String> {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, actual).unwrap();
        return None;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    (expected != actual).then(|| format!("{} differs:\n--- expected\n{expected}\n--- actual\n{actual}", rel(path)))
}

#[test]
fn every_estimator_matches_its_golden_table_with_and_without_usage() {
    let mut failures = Vec::new();
    for dir in fixtures() {
        let d = rel(&dir);
        let (code, out, err) = run(&["cost", &d]);
        assert_eq!(code, Some(0), "{d}: {err}");
        failures.extend(golden(&dir.join("expected.txt"), &out));
        let usage = dir.join("usage.yml");
        if usage.is_file() {
            let (code, out, err) = run(&["cost", &d, "--usage-file", &rel(&usage)]);
            assert_eq!(code, Some(0), "{d}: {err}");
            failures.extend(golden(&dir.join("expected-usage.txt"), &out));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// How many of a component's units one catalog unit is, read from the catalog's unit.
fn per(price_unit: &str) -> f64 {
    match price_unit.split_whitespace().next().unwrap_or("") {
        "1M" => 1e6,
        "100k" => 1e5,
        "10k" => 1e4,
        "1k" => 1e3,
        _ => 1.0,
    }
}

fn cost_json(args: &[&str]) -> Value {
    let mut all = vec!["cost", "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = run(&all);
    assert!(matches!(code, Some(0)), "{args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn every_priced_line_is_its_catalog_price_times_its_quantity() {
    let catalog = Catalog::embedded();
    let mut checked = 0;
    let mut targets: Vec<Vec<String>> = fixtures()
        .into_iter()
        .map(|d| {
            let mut a = vec![rel(&d)];
            if d.join("usage.yml").is_file() {
                a.extend(["--usage-file".to_string(), rel(&d.join("usage.yml"))]);
            }
            a
        })
        .collect();
    targets.push(vec!["--env".into(), "all".into()]);
    for args in targets {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let report = cost_json(&args);
        for env in report["environments"].as_array().unwrap() {
            let mut env_total = 0.0;
            for r in env["resources"].as_array().unwrap() {
                let mut sum = 0.0;
                for c in r["components"].as_array().unwrap() {
                    let sku = &c["sku"];
                    let entry = catalog.get(
                        sku["service"].as_str().unwrap(),
                        sku["sku"].as_str().unwrap(),
                        sku["region"].as_str().unwrap(),
                    );
                    match c["status"].as_str().unwrap() {
                        "priced" => {
                            let entry = entry.unwrap_or_else(|| panic!("{c}"));
                            let price = c["unit_price_usd"].as_f64().unwrap();
                            assert_eq!(
                                rust_decimal::Decimal::from_str(&price.to_string()).unwrap(),
                                entry.usd.normalize(),
                                "{c}"
                            );
                            assert_eq!(c["price_unit"].as_str(), Some(entry.unit.as_str()));
                            let source = c["price_source"].as_str().unwrap();
                            assert!(
                                source.contains(&entry.sources[0]) && source.contains(&entry.as_of),
                                "{c}"
                            );
                            let q = c["quantity"].as_f64().unwrap();
                            let want = (q / per(&entry.unit) * price * 100.0).round() / 100.0;
                            let got = c["monthly_usd"].as_f64().unwrap();
                            assert!((want - got).abs() < 0.006, "{}: {c}: {want} != {got}", r["address"]);
                            sum += got;
                            checked += 1;
                        }
                        "missing_price" => {
                            assert!(entry.is_none(), "{c}");
                            assert!(c["monthly_usd"].is_null() && c["unit_price_usd"].is_null(), "{c}");
                        }
                        "depends_on_usage" => {
                            assert!(c["usage_based"].as_bool().unwrap() && c["monthly_usd"].is_null(), "{c}");
                            assert!(c["usage_key"].is_string(), "{c}");
                        }
                        "unresolved" => {
                            assert!(!c["unresolved_refs"].as_array().unwrap().is_empty(), "{c}");
                            assert!(c["monthly_usd"].is_null(), "{c}");
                        }
                        other => panic!("status {other}"),
                    }
                }
                let total = r["monthly_usd"].as_f64().unwrap();
                assert!((sum - total).abs() < 0.011, "{}: {sum} vs {total}", r["address"]);
                env_total += total;
            }
            let total = env["monthly_usd"].as_f64().unwrap();
            assert!(
                (env_total - total).abs() < 0.05,
                "{}: {env_total} vs {total}",
                env["env"]
            );
        }
    }
    assert!(checked > 100, "only {checked} priced lines checked");
}

/// The bundled environments (document 003), to the cent. The figures are the embedded catalog's
/// list prices for ap-south-1 × 730 hours:
/// dev  = NAT 0.056×730 + 2 EIPs (NAT, bastion) 2×0.005×730 + ALB 0.0239×730 + 2 ALB IPv4 2×0.005×730
///      + RDS db.t3.micro 0.025×730 + 20 GB gp3 ×0.131 + ASG 1× t3.micro 0.0112×730 + 20 GB gp3 ×0.0912
///      + bastion t3.nano 0.0056×730 + 8 GB gp3 ×0.0912 + 3 KMS keys + 1 secret 0.40 + WAF 5 + 4 rules
///      + detailed monitoring of the bastion and the ASG's instance 2 × 7 metrics × 0.30
///      + the dashboard 3.00
///      = 128.2146.
#[test]
fn the_bundled_environments_cost_what_their_components_add_up_to() {
    let report = cost_json(&["--env", "all"]);
    let envs = report["environments"].as_array().unwrap();
    let total = |name: &str| -> f64 {
        envs.iter().find(|e| e["env"] == name).unwrap()["monthly_usd"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(total("dev"), 128.21);
    // staging: ASG desired 2 × t3.small (0.0224) and 2 × 20 GB gp3, each monitored (7 metrics ×
    // 0.30); RDS db.t3.micro as dev.
    assert_eq!(total("staging"), 156.67);
    // prod: 3 NAT gateways and EIPs, 3 × t3.small monitored, 3 ALB addresses, Route 53 health
    // check with its HTTPS feature (1.00) and its alarm; the Multi-AZ db.t3.small has no catalog
    // price in ap-south-1 and is listed as missing.
    assert_eq!(total("prod"), 255.62);
    let prod = envs.iter().find(|e| e["env"] == "prod").unwrap();
    let missing: Vec<&str> = prod["missing_prices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["sku"].as_str().unwrap())
        .collect();
    assert!(missing.contains(&"db.t3.small MySQL Multi-AZ on-demand"), "{missing:?}");
    for e in envs {
        assert_eq!(e["region"], "ap-south-1");
        assert_eq!(e["counts"]["not_estimated"], 0, "{}", e["env"]);
        // Every estimated resource points at the .tf it was written in.
        for r in e["resources"].as_array().unwrap() {
            assert!(r["file"].as_str().unwrap().ends_with(".tf") && r["line"].as_u64().unwrap() > 0);
        }
    }
    let nat = prod["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "aws_nat_gateway")
        .count();
    assert_eq!(nat, 3);
}

#[test]
fn the_side_by_side_summary_lists_every_environment() {
    let (code, out, _) = run(&["cost", "--env", "all"]);
    assert_eq!(code, Some(0));
    let header = out
        .lines()
        .find(|l| l.trim_start().starts_with("Monthly cost"))
        .unwrap();
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["Monthly", "cost", "dev", "prod", "staging"]
    );
    let total = out.lines().find(|l| l.trim_start().starts_with("Total  ")).unwrap();
    assert_eq!(
        total.split_whitespace().collect::<Vec<_>>(),
        ["Total", "$128.21*", "$255.62*", "$156.67*"]
    );
    // One row per module call inside the composition module every environment calls.
    let vpc = out
        .lines()
        .rfind(|l| l.trim_start().starts_with("module.platform.module.vpc "))
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(
        vpc.split_whitespace().collect::<Vec<_>>(),
        ["module.platform.module.vpc", "$44.53", "$133.59", "$44.53"]
    );
    assert!(!out.contains("  module.platform  "), "{out}");
}

#[test]
fn missing_prices_are_never_zero_and_can_fail_the_run() {
    let (code, out, _) = run(&["cost", "--env", "prod"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("no price in catalog (RDS / db.t3.small MySQL Multi-AZ on-demand / ap-south-1)"));
    let (code, _, _) = run(&["cost", "--env", "prod", "--fail-on-missing-price"]);
    assert_eq!(code, Some(1));
    let (code, _, _) = run(&["cost", "fixtures/cost/aws_lb", "--fail-on-missing-price"]);
    assert_eq!(code, Some(0));
}

#[test]
fn the_seed_systems_are_priced() {
    // Totals of what the catalog prices; each system's missing prices and usage-based lines are
    // listed beside them (and checked line by line in the test above for the fixtures).
    for (system, expected, not_estimated) in [
        // eu-central-1: its three standard-resolution alarms at $0.10 each are priced now.
        ("grocerymate", 126.76, 0),
        ("redis-worker", 47.67, 0),
        // CodeBuild, CodePipeline and a transit gateway peering accepter are not estimated.
        ("capstone", 3535.01, 7),
        ("ecs-on-ec2", 34.66, 0),
    ] {
        let report = cost_json(&[&format!("fixtures/systems/{system}")]);
        for env in report["environments"].as_array().unwrap() {
            let total = env["monthly_usd"].as_f64().unwrap();
            assert!(total > 0.0, "{system}: {env}");
            assert_eq!(total, expected, "{system}");
            assert_eq!(env["counts"]["not_estimated"], not_estimated, "{system}");
            assert!(!env["resources"].as_array().unwrap().is_empty(), "{system}");
        }
    }
    // What stays unresolved names where the code would decide it: a group's root volume is its
    // launch template's (the AMI's when the template writes none), an instance's its own; the
    // replica's engine comes from its source, so it is priced.
    let report = cost_json(&["fixtures/systems/grocerymate"]);
    let mut unresolved: Vec<(String, String)> = Vec::new();
    for r in report["environments"][0]["resources"].as_array().unwrap() {
        for c in r["components"].as_array().unwrap() {
            if c["status"] == "unresolved" {
                for u in c["unresolved_refs"].as_array().unwrap() {
                    unresolved.push((r["address"].as_str().unwrap().into(), u.as_str().unwrap().into()));
                }
            }
        }
    }
    let s = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        unresolved,
        [
            s(
                "aws_autoscaling_group.app",
                "aws_launch_template.app.block_device_mappings.ebs.volume_type"
            ),
            s(
                "aws_instance.bastion",
                "aws_instance.bastion.root_block_device.volume_type"
            ),
        ]
    );
}

#[test]
fn bad_usage_files_are_located_errors_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("usage.yml");
    std::fs::write(&f, "version: 0.1\nresource_usage:\n  aws_lb.public: 3\n").unwrap();
    let (code, _, err) = run(&["cost", "fixtures/cost/aws_lb", "--usage-file", f.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("aws_lb.public: expected a mapping"), "{err}");
    assert!(err.contains("usage.yml:3:3"), "{err}");
    let (code, _, err) = run(&["cost", "fixtures/cost/aws_lb", "--format", "sarif"]);
    assert_eq!(code, Some(2));
    // cost offers only the formats it writes: clap refuses the others.
    assert!(err.contains("[possible values: text, json, markdown, csv]"), "{err}");
}

#[test]
fn csv_and_markdown_carry_the_same_lines() {
    let (code, csv, _) = run(&[
        "cost",
        "fixtures/cost/aws_lb",
        "--format",
        "csv",
        "--usage-file",
        "fixtures/cost/aws_lb/usage.yml",
    ]);
    assert_eq!(code, Some(0));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "env,address,type,module,region,file,line,kind,component,quantity,unit,unit_price_usd,price_unit,monthly_usd,status"
    );
    assert!(csv.contains(
        "aws_lb.public,aws_lb,,us-east-1,fixtures/cost/aws_lb/main.tf,5,estimated,Public IPv4 addresses (one per AZ),2190,hours,0.005,address-hour,10.95,priced"
    ), "{csv}");
    let (code, md, _) = run(&["cost", "fixtures/cost/aws_lb", "--format", "markdown"]);
    assert_eq!(code, Some(0));
    assert!(md.starts_with("## infracheck cost estimate"));
    assert!(md.contains("| `aws_lb.public` (fixtures/cost/aws_lb/main.tf:5) | Application load balancer | 730 hours | $0.0225 per hour | $16.43 |"), "{md}");
}

fn budget_config(dir: &Path, budget: &str) -> PathBuf {
    let config = dir.join("infracheck.toml");
    std::fs::write(
        &config,
        format!(
            "[env.dev]\nroot = {:?}\nmonthly_budget_usd = {budget}\n",
            root().join("terraform/environments/dev").display().to_string()
        ),
    )
    .unwrap();
    config
}

#[test]
fn a_budget_overrun_is_a_check_finding_at_the_largest_resource() {
    let dir = tempfile::tempdir().unwrap();
    let config = budget_config(dir.path(), "100");
    let c = config.to_str().unwrap();
    let (code, out, err) = run(&["check", "--config", c, "--env", "dev", "--format", "json"]);
    assert_eq!(code, Some(1), "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let findings: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "IC-COST-001")
        .collect();
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = findings[0];
    assert_eq!(f["outcome"], "fail");
    assert_eq!(f["address"], "module.platform.module.vpc.aws_nat_gateway.this[0]");
    assert_eq!(f["file"], "terraform/modules/vpc/main.tf");
    assert_eq!(f["line"], 48);
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("dev is estimated at $128.21 per month, above its budget of $100.00"),
        "{message}"
    );
    // The SARIF run carries it like any other rule.
    let (_, sarif, _) = run(&["check", "--config", c, "--env", "dev", "--format", "sarif"]);
    assert!(sarif.contains("\"ruleId\": \"IC-COST-001\""));
}

#[test]
fn a_budget_above_an_incomplete_estimate_is_unresolved_not_passed() {
    let dir = tempfile::tempdir().unwrap();
    let config = budget_config(dir.path(), "500");
    let (code, out, err) = run(&[
        "check",
        "--config",
        config.to_str().unwrap(),
        "--env",
        "dev",
        "--format",
        "json",
        // The budget rule alone: the other rules find what document 003 chose, suppressed only
        // by the repository's own configuration.
        "--check",
        "IC-COST-001",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "IC-COST-001")
        .unwrap();
    assert_eq!(f["outcome"], "unresolved");
    assert!(
        f["message"].as_str().unwrap().contains("under its budget of $500.00"),
        "{f}"
    );
    assert!(
        f.to_string()
            .contains("no price in catalog for CloudWatch / standard-resolution alarm metric / ap-south-1"),
        "{f}"
    );
}

fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn compare_to_a_git_ref_diffs_the_changed_roots_per_resource() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    git(d, &["config", "user.email", "ci@example.com"]);
    git(d, &["config", "user.name", "CI"]);
    std::fs::create_dir(d.join("app")).unwrap();
    let lb = std::fs::read_to_string(root().join("fixtures/cost/aws_lb/main.tf")).unwrap();
    std::fs::write(d.join("app/main.tf"), &lb).unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "two load balancers"]);
    // A fourth subnet: one more public IPv4 address (730 h × $0.005), and a new root with an EIP.
    std::fs::write(
        d.join("app/main.tf"),
        lb.replace(
            "\"subnet-a\", \"subnet-b\", \"subnet-c\"]",
            "\"subnet-a\", \"subnet-b\", \"subnet-c\", \"subnet-d\"]",
        ),
    )
    .unwrap();
    std::fs::create_dir(d.join("edge")).unwrap();
    std::fs::write(
        d.join("edge/main.tf"),
        "provider \"aws\" {\n  region = \"us-east-1\"\n}\n\nresource \"aws_eip\" \"x\" {\n  domain = \"vpc\"\n}\n",
    )
    .unwrap();
    let out = Command::cargo_bin("infracheck")
        .unwrap()
        .current_dir(d)
        .args([
            "cost",
            "app/main.tf",
            "edge/main.tf",
            "--compare-to",
            "HEAD",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["compared_to"], "HEAD");
    assert_eq!(report["diff_usd"], 7.3);
    let envs = report["environments"].as_array().unwrap();
    let app = envs.iter().find(|e| e["env"] == "app").unwrap();
    assert_eq!(app["old_monthly_usd"], 43.8);
    assert_eq!(app["new_monthly_usd"], 47.45);
    assert_eq!(
        app["resources"],
        serde_json::json!([{"address": "aws_lb.public", "change": "changed", "old_monthly_usd": 27.38, "new_monthly_usd": 31.03, "diff_usd": 3.65}])
    );
    let edge = envs.iter().find(|e| e["env"] == "edge").unwrap();
    assert!(edge["old_monthly_usd"].is_null());
    assert_eq!(edge["resources"][0]["change"], "added");
}

#[test]
fn compare_to_a_report_or_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let before = dir.path().join("before.json");
    let (code, _, _) = run(&[
        "cost",
        "fixtures/cost/aws_nat_gateway",
        "--format",
        "json",
        "-o",
        before.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0));
    // The same root with usage: the data processed by the NAT gateways is added.
    let (code, out, err) = run(&[
        "cost",
        "fixtures/cost/aws_nat_gateway",
        "--usage-file",
        "fixtures/cost/aws_nat_gateway/usage.yml",
        "--compare-to",
        before.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    // 2 × 250 GB + 10 GB at $0.052 per GB.
    assert!(
        out.contains("fixtures/cost/aws_nat_gateway: $121.18 → $147.70 (+$26.52)"),
        "{out}"
    );
    assert!(
        out.contains("  ~ aws_nat_gateway.this[0]      +$13.00  ($37.96 → $50.96)\n"),
        "{out}"
    );
    assert!(
        out.contains("  ~ aws_nat_gateway.private       +$0.52  ($37.96 → $38.48)\n"),
        "{out}"
    );
    let (code, md, _) = run(&[
        "cost",
        "fixtures/cost/aws_lb",
        "--compare-to",
        "fixtures/cost/aws_eip",
        "--format",
        "markdown",
    ]);
    assert_eq!(code, Some(0));
    assert!(md.contains("| - | `aws_eip.web` | $3.65 | - | -$3.65 |"), "{md}");
    let (code, _, err) = run(&["cost", "fixtures/cost/aws_lb", "--compare-to", "no-such-ref-or-file"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("not a file, a directory or a git ref"), "{err}");
}

/// The bundled repository misses two prices (the standard alarm metric in ap-south-1, prod's
/// Multi-AZ db.t3.small): every total they touch says so, in every format, and the side-by-side
/// table marks exactly the cells they touch and explains the mark.
#[test]
fn an_incomplete_total_says_so_in_every_format() {
    let (code, out, _) = run(&["cost", "--env", "prod"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("  Total (prod): $255.62 + 10 unpriced lines per month\n"),
        "{out}"
    );

    let (_, all, _) = run(&["cost", "--env", "all"]);
    let row = |label: &str| -> Vec<String> {
        // The table is last: its rows come after each environment's subtotals.
        all.lines()
            .rev()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label} row:\n{all}"))
            .split_whitespace()
            .skip(label.split_whitespace().count())
            .map(String::from)
            .collect()
    };
    // Columns: dev, prod, staging.
    assert_eq!(row("module.platform.module.rds "), ["$20.87", "$5.24*", "$20.87"]);
    assert_eq!(
        row("module.platform.module.cloudwatch "),
        ["$3.00*", "$3.00*", "$3.00*"]
    );
    assert_eq!(row("module.platform.module.vpc "), ["$44.53", "$133.59", "$44.53"]);
    assert_eq!(row("Total  "), ["$128.21*", "$255.62*", "$156.67*"]);
    assert!(all.contains("  * incomplete: leaves out lines with no price"), "{all}");
    assert!(
        all.contains("    prod module.platform.module.rds: 1 unpriced line\n"),
        "{all}"
    );
    assert!(
        all.contains("    dev module.platform.module.cloudwatch: 9 unpriced lines\n"),
        "{all}"
    );
    assert!(!all.contains("module.platform.module.vpc: "), "{all}");

    let report = cost_json(&["--env", "all"]);
    for e in report["environments"].as_array().unwrap() {
        assert_eq!(e["complete"], false, "{}", e["env"]);
        let unpriced = if e["env"] == "prod" { 10 } else { 9 };
        assert_eq!(e["omitted"]["unpriced_lines"], unpriced, "{}", e["env"]);
        assert_eq!(e["omitted"]["not_estimated"], 0);
        assert_eq!(
            e["incomplete_modules"]["module.platform.module.cloudwatch"]["unpriced_lines"],
            9
        );
    }
    let prod = &report["environments"].as_array().unwrap()[1];
    assert_eq!(prod["env"], "prod");
    assert_eq!(
        prod["incomplete_modules"]["module.platform.module.rds"]["unpriced_lines"],
        1
    );

    let (_, md, _) = run(&["cost", "--env", "prod", "--format", "markdown"]);
    assert!(
        md.contains("| prod | ap-south-1 | $255.62 + 10 unpriced lines |"),
        "{md}"
    );
    assert!(md.contains("$255.62 + 10 unpriced lines per month</summary>"), "{md}");
}

/// A root whose every resource is priced has a plain total and `complete: true`.
#[test]
fn a_complete_total_is_plain() {
    let (_, out, _) = run(&["cost", "fixtures/cost/aws_nat_gateway"]);
    let total = out.lines().find(|l| l.trim_start().starts_with("Total (")).unwrap();
    assert!(total.ends_with(" per month") && !total.contains('+'), "{total}");
    let report = cost_json(&["fixtures/cost/aws_nat_gateway"]);
    assert_eq!(report["environments"][0]["complete"], true);
    assert_eq!(report["environments"][0]["omitted"]["unpriced_lines"], 0);
}

/// A root where nothing could be priced says why and how to get the prices: the regions
/// `prices update` fetches them for, and the services it does not fetch.
#[test]
fn a_root_with_nothing_priced_says_why_and_how_to_fix_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        r#"provider "aws" {
  region = "sa-east-1"
}

resource "aws_instance" "app" {
  ami           = "ami-123"
  instance_type = "t3.micro"
  root_block_device {
    volume_size = 8
  }
}

resource "aws_wafv2_web_acl" "this" {
  name  = "x"
  scope = "REGIONAL"
  default_action {
    allow {}
  }
  visibility_config {
    cloudwatch_metrics_enabled = false
    metric_name                = "x"
    sampled_requests_enabled   = false
  }
}
"#,
    )
    .unwrap();
    let (code, out, err) = run(&["cost", dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("$0.00 + "), "{out}");
    assert!(
        out.contains("  Nothing here could be priced: the catalog has none of the prices above"),
        "{out}"
    );
    assert!(out.contains("`infracheck prices update --region sa-east-1`"), "{out}");
    assert!(
        out.contains("`prices update` does not fetch WAF in sa-east-1 (2): add sourced rows to a local catalog"),
        "{out}"
    );
    // Where something is priced, the total is not "nothing".
    let (_, bundled, _) = run(&["cost", "--env", "dev"]);
    assert!(!bundled.contains("Nothing here could be priced"), "{bundled}");
}
