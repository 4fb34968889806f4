//! No input crashes the HCL front end: input nested, long or large past the limits gives a
//! located diagnostic (or a result) and exit 0, 1 or 2 in well under a second — never a stack
//! overflow, a panic or an abort, which would lose every other root's findings.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// Writes `files` into a fresh directory.
fn root(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

/// Runs `infracheck COMMAND DIR --format json`: its JSON and exit code. A run past 20 s is killed
/// and fails as a crash would (times are measured in benches/scale.rs, not here).
fn run(command: &str, dir: &Path) -> (Value, i32) {
    let out = Command::cargo_bin("infracheck")
        .expect("binary")
        .args([command, dir.to_str().expect("utf-8 path"), "--format", "json"])
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(20))
        .output()
        .expect("run");
    let code = out.status.code().unwrap_or(-1);
    assert!(
        matches!(code, 0..=2),
        "{command}: exit {code} (a crash?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (v, code)
}

/// Every diagnostic anywhere in the output.
fn diagnostics(v: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    let mut todo = vec![v];
    while let Some(v) = todo.pop() {
        match v {
            Value::Object(m) => {
                if let Some(Value::Array(ds)) = m.get("diagnostics") {
                    out.extend(ds.iter().cloned());
                }
                todo.extend(m.values());
            }
            Value::Array(a) => todo.extend(a),
            _ => {}
        }
    }
    out
}

/// The one diagnostic with `code`, from both `check` and `resources`, with the exit code each gave.
fn diagnostic(dir: &Path, code: &str) -> Vec<(Value, i32)> {
    ["check", "resources"]
        .iter()
        .map(|command| {
            let (v, exit) = run(command, dir);
            let ds: Vec<Value> = diagnostics(&v).into_iter().filter(|d| d["code"] == code).collect();
            assert!(!ds.is_empty(), "{command}: no {code} diagnostic in {v:#}");
            (ds[0].clone(), exit)
        })
        .collect()
}

fn assert_at(d: &Value, file: &str, line: u64) {
    assert!(d["file"].as_str().is_some_and(|f| f.ends_with(file)), "file of {d:#}");
    assert_eq!(d["line"], line, "line of {d:#}");
    assert!(d["column"].as_u64().is_some(), "column of {d:#}");
}

#[test]
fn deep_parentheses_are_a_located_nesting_error_not_a_stack_overflow() {
    let text = format!("locals {{\n  x = {}1{}\n}}\n", "(".repeat(5000), ")".repeat(5000));
    let dir = root(&[("main.tf", text)]);
    for (d, exit) in diagnostic(dir.path(), "parse::nesting") {
        assert_eq!(exit, 2);
        assert_at(&d, "main.tf", 2);
        // Points at the first level past the limit: `locals {` is one, so the 256th parenthesis.
        assert_eq!(d["column"], 6 + 256);
        assert_eq!(d["message"], "nesting too deep (5001 levels; at most 256)");
    }
}

#[test]
fn nesting_within_the_limit_parses_on_any_thread() {
    // Files are parsed on rayon's workers: 250 levels must parse there as on the main thread.
    let file = |name: &str| {
        format!(
            "locals {{\n  {name} = {}1{}\n}}\nresource \"aws_s3_bucket\" \"{name}\" {{\n  bucket = \"{name}-${{local.{name}}}\"\n}}\n",
            "(".repeat(250),
            ")".repeat(250)
        )
    };
    let dir = root(&[("a.tf", file("a")), ("b.tf", file("b")), ("c.tf", file("c"))]);
    let (v, exit) = run("resources", dir.path());
    assert_eq!(exit, 0, "{v:#}");
    assert!(diagnostics(&v).is_empty(), "{v:#}");
    for bucket in ["a-1", "b-1", "c-1"] {
        assert!(v.to_string().contains(&format!("\"{bucket}\"")), "{v:#}");
    }
}

#[test]
fn deep_templates_blocks_and_json_are_located_nesting_errors() {
    let n = 1000;
    let interpolations = format!("locals {{\n  x = {}1{}\n}}\n", "\"${".repeat(n), "}\"".repeat(n));
    let blocks = format!(
        "resource \"aws_s3_bucket\" \"b\" {{\n{}{}}}\n",
        "dynamic \"x\" {\n".repeat(n),
        "}\n".repeat(n)
    );
    let json = format!("{{\n\"locals\": {{\"x\": {}{}}}}}\n", "[".repeat(n), "]".repeat(n));
    let json_template = format!(
        "{{\n\"locals\": {{\"x\": \"${{{}1{}}}\"}}}}\n",
        "(".repeat(n),
        ")".repeat(n)
    );
    for (name, text, line) in [
        ("main.tf", interpolations, 2),
        ("main.tf", blocks, 257),
        ("main.tf.json", json, 2),
        ("main.tf.json", json_template, 2),
    ] {
        let dir = root(&[(name, text)]);
        for (d, exit) in diagnostic(dir.path(), "parse::nesting") {
            assert_eq!(exit, 2);
            assert_at(&d, name, line);
        }
    }
}

#[test]
fn a_ten_thousand_term_sum_evaluates() {
    let text = format!(
        "locals {{\n  n = {}1\n}}\nresource \"aws_s3_bucket\" \"b\" {{\n  bucket = \"b-${{local.n}}\"\n}}\n",
        "1 + ".repeat(9_999)
    );
    let dir = root(&[("main.tf", text)]);
    let (v, exit) = run("resources", dir.path());
    assert_eq!(exit, 0, "{v:#}");
    assert!(v.to_string().contains("\"b-10000\""), "{v:#}");
}

#[test]
fn an_endless_operator_chain_is_a_located_error() {
    let text = format!("locals {{\n  n = {}1\n}}\n", "1 + ".repeat(100_000));
    let dir = root(&[("main.tf", text)]);
    for (d, exit) in diagnostic(dir.path(), "parse::nesting") {
        assert_eq!(exit, 2);
        assert_at(&d, "main.tf", 2);
    }
}

#[test]
fn templatefile_may_not_call_templatefile() {
    let dir = root(&[
        (
            "main.tf",
            "locals {\n  x = \"a\"\n  y = templatefile(\"${path.module}/self.tpl\", {})\n}\n".into(),
        ),
        ("self.tpl", "again: ${templatefile(\"self.tpl\", {})}\n".into()),
    ]);
    for (d, exit) in diagnostic(dir.path(), "eval::local") {
        assert!(exit <= 2);
        assert_at(&d, "main.tf", 3);
        let message = d["message"].as_str().expect("message");
        assert!(
            message.contains("self.tpl:1:10: ") && message.contains("cannot recursively call templatefile"),
            "{message}"
        );
    }
}

#[test]
fn a_deep_template_file_is_a_located_error() {
    let dir = root(&[
        (
            "main.tf",
            "locals {\n  y = templatefile(\"${path.module}/deep.tpl\", {})\n}\n".into(),
        ),
        (
            "deep.tpl",
            format!("x\n${{{}1{}}}\n", "(".repeat(5000), ")".repeat(5000)),
        ),
    ]);
    for (d, _) in diagnostic(dir.path(), "eval::local") {
        assert_at(&d, "main.tf", 2);
        assert!(
            d["message"]
                .as_str()
                .is_some_and(|m| m.contains("deep.tpl:2:258: nesting too deep")),
            "{d:#}"
        );
    }
}

#[test]
fn deeply_nested_decoded_values_are_function_errors() {
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let text = format!("locals {{\n  j = jsondecode(\"{deep}\")\n  y = yamldecode(\"{deep}\")\n}}\n");
    let dir = root(&[("main.tf", text)]);
    let (v, _) = run("check", dir.path());
    let ds = diagnostics(&v);
    for (function, line) in [("jsondecode", 2), ("yamldecode", 3)] {
        let d = ds
            .iter()
            .find(|d| d["message"].as_str().is_some_and(|m| m.contains(function)))
            .unwrap_or_else(|| panic!("no {function} error in {v:#}"));
        assert_at(d, "main.tf", line);
        assert!(
            d["message"].as_str().is_some_and(|m| m.contains("recursion limit")),
            "{d:#}"
        );
    }
}

#[test]
fn huge_widths_precisions_and_products_are_function_errors() {
    let calls = [
        ("format(\"%.65536f\", 1)", "precision 65536 is too large"),
        ("format(\"%.70000e\", 1)", "precision 70000 is too large"),
        (
            "format(\"%9999999999999999999d\", 1)",
            "width 9999999999999999999 is too large",
        ),
        ("format(\"%999999999d\", 1)", "width 999999999 is too large"),
        ("formatlist(\"%999999999d\", [1, 2])", "width 999999999 is too large"),
        ("indent(999999999, \"a\\nb\")", "the result is too large"),
        ("indent(1e18, \"a\\nb\")", "the result is too large"),
        ("range(1e9)", "more than 1024 values"),
        (
            "setproduct(range(1000), range(1000), range(1000))",
            "the product is too large",
        ),
    ];
    let body: String = calls
        .iter()
        .enumerate()
        .map(|(i, (call, _))| format!("  v{i} = {call}\n"))
        .collect();
    let dir = root(&[(
        "main.tf",
        format!("locals {{\n{body}  ok = chunklist([1, 2], 1e18)\n}}\n"),
    )]);
    for command in ["check", "resources"] {
        let (v, exit) = run(command, dir.path());
        assert!(exit <= 2);
        let ds = diagnostics(&v);
        for (i, (_, message)) in calls.iter().enumerate() {
            let line = i as u64 + 2;
            let d = ds
                .iter()
                .find(|d| d["line"] == line)
                .unwrap_or_else(|| panic!("{command}: nothing on line {line}: {v:#}"));
            assert_eq!(d["code"], "eval::local");
            assert!(d["message"].as_str().is_some_and(|m| m.contains(message)), "{d:#}");
        }
        assert!(ds.iter().all(|d| d["line"] != calls.len() as u64 + 2), "{v:#}");
    }
}

#[test]
fn a_count_too_large_or_not_whole_is_a_located_count_error() {
    for (count, message) in [
        ("1e18", "is too large (1000000000000000000; at most 100000 instances)"),
        ("1e9", "is too large"),
        ("-1", "a whole number ≥ 0 is required"),
        ("1.5", "a whole number ≥ 0 is required"),
        ("log(0, 10)", "a whole number ≥ 0 is required"),
    ] {
        let text = format!("resource \"aws_sqs_queue\" \"q\" {{\n  count = {count}\n  name  = \"q\"\n}}\n");
        let dir = root(&[("main.tf", text)]);
        for (d, _) in diagnostic(dir.path(), "eval::count") {
            assert_at(&d, "main.tf", 2);
            assert!(
                d["message"].as_str().is_some_and(|m| m.contains(message)),
                "{count}: {d:#}"
            );
        }
    }
}

#[test]
fn counts_below_the_limit_still_evaluate() {
    // 64,000 instances and more are timed in benches/scale.rs; a test stays well under a second.
    let text = "resource \"aws_sqs_queue\" \"q\" {\n  count = 10000\n  name  = \"q-${count.index}\"\n}\n";
    let dir = root(&[("main.tf", text.to_string())]);
    let (v, exit) = run("resources", dir.path());
    assert_eq!(exit, 0);
    assert!(v.to_string().contains("aws_sqs_queue.q[9999]"));
}

#[test]
fn a_cycle_of_thousands_of_locals_is_one_located_error_that_names_a_few() {
    let n = 4_000;
    let mut tf = String::from("locals {\n");
    for i in 0..n {
        tf.push_str(&format!("  l{i} = local.l{}\n", (i + 1) % n));
    }
    tf.push_str("}\n");
    let dir = root(&[("main.tf", tf)]);
    let (v, exit) = run("resources", dir.path());
    assert_eq!(exit, 2);
    let cycles: Vec<Value> = diagnostics(&v)
        .into_iter()
        .filter(|d| d["code"] == "eval::cycle")
        .collect();
    assert_eq!(cycles.len(), 1, "{cycles:#?}");
    assert_at(&cycles[0], "main.tf", 2);
    assert!(
        cycles[0]["message"]
            .as_str()
            .unwrap()
            .ends_with(&format!("and {} more", n - 12)),
        "{}",
        cycles[0]["message"]
    );
}

#[test]
fn hundreds_of_nested_modules_evaluate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let n = 300;
    for i in 0..n {
        let m = dir.path().join(format!("m{i}"));
        std::fs::create_dir_all(&m).unwrap();
        let mut tf = String::from(
            "variable \"x\" {\n  default = 1\n}\n\nresource \"aws_sqs_queue\" \"q\" {\n  name = \"q${var.x}\"\n}\n",
        );
        if i + 1 < n {
            tf.push_str(&format!(
                "\nmodule \"next\" {{\n  source = \"../m{}\"\n  x      = var.x + 1\n}}\n",
                i + 1
            ));
        }
        std::fs::write(m.join("main.tf"), tf).unwrap();
    }
    let (v, exit) = run("resources", &dir.path().join("m0"));
    assert_eq!(exit, 0);
    let deepest = format!("{}aws_sqs_queue.q", "module.next.".repeat(n - 1));
    let r = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == deepest.as_str())
        .expect("the deepest queue");
    assert_eq!(r["attributes"]["name"], format!("q{n}"));
}
