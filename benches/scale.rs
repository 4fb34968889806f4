//! Growth with the size of the input, for the inputs a fuzzer found super-linear: each scenario is
//! generated at n/4, n/2 and n, and the whole release binary is timed on it (median of three
//! runs), so a quadratic step shows as a 4× step from n/2 to n. `cargo bench --bench scale`;
//! figures go to BENCHMARKS.md ("Growth").
//!
//! - one resource with n instances (`count = n`), `check --format json`
//! - a cycle of n locals, `resources --format json`
//! - n nested local modules (each calls the next), `resources --format json`
//! - n diagnostics (n locals referring to undeclared variables), `resources` in text
//! - n duplicate AWS Config items (one security group captured n times), `live --items FILE`
//! - a plan of n instances on its one line, with the configuration it was made from,
//!   `check plan.json --source-dir . --format json` (columns on a long line; finding where each
//!   instance was written)

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const EXE: &str = env!("CARGO_BIN_EXE_infracheck");

fn instances(dir: &Path, n: usize) -> Vec<String> {
    std::fs::write(
        dir.join("main.tf"),
        format!(
            "resource \"aws_kms_key\" \"k\" {{\n  count               = {n}\n  description         = \"k-${{count.index}}\"\n  enable_key_rotation = count.index % 2 == 0\n}}\n"
        ),
    )
    .unwrap();
    vec!["check".into(), ".".into(), "--format".into(), "json".into()]
}

fn cycle(dir: &Path, n: usize) -> Vec<String> {
    let mut tf = String::from("locals {\n");
    for i in 0..n {
        let _ = writeln!(tf, "  l{i} = local.l{}", (i + 1) % n);
    }
    tf.push_str("}\n");
    std::fs::write(dir.join("main.tf"), tf).unwrap();
    vec!["resources".into(), ".".into(), "--format".into(), "json".into()]
}

fn nested(dir: &Path, n: usize) -> Vec<String> {
    for i in 0..n {
        let m = dir.join(format!("m{i}"));
        std::fs::create_dir_all(&m).unwrap();
        let mut tf = String::from(
            "variable \"x\" {\n  default = 1\n}\n\nresource \"aws_kms_key\" \"k\" {\n  description = \"k${var.x}\"\n}\n",
        );
        if i + 1 < n {
            let _ = write!(
                tf,
                "\nmodule \"next\" {{\n  source = \"../m{}\"\n  x      = var.x + 1\n}}\n",
                i + 1
            );
        }
        std::fs::write(m.join("main.tf"), tf).unwrap();
    }
    vec!["resources".into(), "m0".into(), "--format".into(), "json".into()]
}

fn diagnostics(dir: &Path, n: usize) -> Vec<String> {
    let mut tf = String::from("locals {\n");
    for i in 0..n {
        let _ = writeln!(tf, "  l{i} = var.undeclared_{i}");
    }
    tf.push_str("}\n");
    std::fs::write(dir.join("main.tf"), tf).unwrap();
    vec!["resources".into(), ".".into()]
}

fn duplicates(dir: &Path, n: usize) -> Vec<String> {
    let item = serde_json::json!({
        "version": "1.3",
        "accountId": "111122223333",
        "configurationItemCaptureTime": "2026-11-28T09:14:02.337Z",
        "configurationItemStatus": "OK",
        "arn": "arn:aws:ec2:eu-central-1:111122223333:security-group/sg-0a1b2c3d4e5f60718",
        "resourceType": "AWS::EC2::SecurityGroup",
        "resourceId": "sg-0a1b2c3d4e5f60718",
        "resourceName": "web",
        "awsRegion": "eu-central-1",
        "tags": {},
        "relationships": [],
        "configuration": "{\"groupName\": \"web\", \"ipPermissions\": [{\"ipProtocol\": \"tcp\", \"fromPort\": 22, \"toPort\": 22, \"ipRanges\": [\"0.0.0.0/0\"]}], \"ipPermissionsEgress\": []}",
        "supplementaryConfiguration": {}
    });
    let items: Vec<serde_json::Value> = (0..n).map(|_| item.clone()).collect();
    let path = dir.join("items.json");
    std::fs::write(
        &path,
        serde_json::to_string(&serde_json::json!({ "baseConfigurationItems": items })).unwrap(),
    )
    .unwrap();
    vec![
        "live".into(),
        "--items".into(),
        path.display().to_string(),
        "--format".into(),
        "json".into(),
    ]
}

fn plan(dir: &Path, n: usize) -> Vec<String> {
    std::fs::write(
        dir.join("main.tf"),
        format!("resource \"aws_kms_key\" \"k\" {{\n  count       = {n}\n  description = \"k-${{count.index}}\"\n}}\n"),
    )
    .unwrap();
    let change = |i: usize| {
        serde_json::json!({
            "address": format!("aws_kms_key.k[{i}]"), "mode": "managed", "type": "aws_kms_key",
            "name": "k", "index": i, "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": { "actions": ["create"], "before": null,
                        "after": { "description": format!("k-{i}"), "enable_key_rotation": false },
                        "after_unknown": { "arn": true, "id": true }, "after_sensitive": {} }
        })
    };
    let plan = serde_json::json!({
        "format_version": "1.2",
        "planned_values": { "root_module": {} },
        "resource_changes": (0..n).map(change).collect::<Vec<_>>(),
        "configuration": { "root_module": { "resources": [{
            "address": "aws_kms_key.k", "mode": "managed", "type": "aws_kms_key", "name": "k",
            "count_expression": { "constant_value": n },
            "expressions": { "description": { "references": ["count.index"] } }
        }] } }
    });
    std::fs::write(dir.join("plan.json"), serde_json::to_string(&plan).unwrap()).unwrap();
    vec![
        "check".into(),
        "plan.json".into(),
        "--source-dir".into(),
        ".".into(),
        "--format".into(),
        "json".into(),
    ]
}

type Scenario = fn(&Path, usize) -> Vec<String>;

fn time(make: Scenario, n: usize) -> (Duration, Option<i32>) {
    let dir = tempfile::tempdir().unwrap();
    let args = make(dir.path(), n);
    let mut runs = Vec::new();
    let mut code = None;
    for _ in 0..3 {
        let start = Instant::now();
        let out = Command::new(EXE)
            .args(&args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        runs.push(start.elapsed());
        code = out.status.code();
    }
    runs.sort();
    (runs[1], code)
}

fn main() {
    // `cargo bench` passes --bench; a name filters the scenarios.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let scenarios: [(&str, Scenario, usize); 6] = [
        ("one resource with n instances, check", instances, 64_000),
        ("a cycle of n locals, resources", cycle, 20_000),
        ("n nested local modules, resources", nested, 1_000),
        ("n diagnostics in text, resources", diagnostics, 16_000),
        ("n duplicate configuration items, live", duplicates, 2_000),
        ("a plan of n instances with its configuration, check", plan, 16_000),
    ];
    for (name, make, n) in scenarios {
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let mut line = format!("{name}:");
        for size in [n / 4, n / 2, n] {
            let (t, code) = time(make, size);
            let _ = write!(
                line,
                "  n={size}: {:.0} ms (exit {})",
                t.as_secs_f64() * 1000.0,
                code.map(|c| c.to_string()).unwrap_or_else(|| "signal".into())
            );
        }
        println!("{line}");
    }
}
