//! Differential test of the expression evaluator against Terraform itself.
//!
//! Every expression in tests/data/console/cases.txt is evaluated by infracheck and compared with
//! what `terraform console` (Terraform 1.0.3) printed for it, recorded in expected.jsonl. Both sides
//! wrap the expression in `jsonencode(...)`, so values are compared as JSON; numbers are compared
//! to 1e-12 relative (Terraform computes with 512-bit floats, infracheck with f64); an error must be
//! an error on both sides. When INFRACHECK_TERRAFORM names the binary (CI installs it), the test
//! also runs it live and fails when the recording is stale. INFRACHECK_UPDATE_ORACLE=1 rewrites
//! the recording from the live binary.

use infracheck::hcl::eval::{eval_expression, FsAccess};
use infracheck::model::Value;
use serde_json::Value as J;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cases() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("tests/data/console/cases.txt")).expect("cases.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Outcome {
    expr: String,
    /// The value as JSON, or None when Terraform reported an error.
    #[serde(with = "value_or_error")]
    value: Option<J>,
}

/// `{"ok": value}` or `{"error": true}`, so that a null value is not taken for an error.
mod value_or_error {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use serde_json::Value as J;

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Repr {
        Ok(J),
        Error(bool),
    }

    pub fn serialize<S: Serializer>(v: &Option<J>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(j) => Repr::Ok(j.clone()).serialize(s),
            None => Repr::Error(true).serialize(s),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<J>, D::Error> {
        Ok(match Repr::deserialize(d)? {
            Repr::Ok(j) => Some(j),
            Repr::Error(_) => None,
        })
    }
}

fn console_dir() -> PathBuf {
    root().join("fixtures/hcl/console")
}

fn ours(expr: &str) -> Option<J> {
    let fs = FsAccess {
        module_dir: console_dir(),
        allowed_root: console_dir(),
    };
    match eval_expression(&format!("jsonencode({expr})"), fs) {
        Ok(Value::String(s)) => {
            Some(serde_json::from_str(&s).unwrap_or_else(|e| panic!("{expr}: our jsonencode is not JSON ({e}): {s}")))
        }
        Ok(other) => panic!("{expr}: jsonencode gave {other:?}"),
        Err(_) => None,
    }
}

/// Runs `terraform console` once; each thread uses its own state file, because console takes the
/// state lock and concurrent consoles in one directory would fail on it.
fn terraform(bin: &Path, expr: &str, state: &Path) -> Option<J> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(bin)
        .arg("console")
        .arg(format!("-state={}", state.display()))
        .current_dir(console_dir())
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run terraform console");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("jsonencode({expr})\n").as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("terraform console output");
    if !out.status.success() {
        return None;
    }
    let printed = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let inner: String =
        serde_json::from_str(&printed).unwrap_or_else(|e| panic!("{expr}: console printed {printed:?} ({e})"));
    Some(serde_json::from_str(&inner).unwrap_or_else(|e| panic!("{expr}: console value {inner:?} is not JSON ({e})")))
}

fn same(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Number(x), J::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            x == y || ((x - y).abs() / x.abs().max(y.abs())) < 1e-12
        }
        (J::Array(x), J::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn recorded_path() -> PathBuf {
    root().join("tests/data/console/expected.jsonl")
}

fn recorded() -> Vec<Outcome> {
    let text = std::fs::read_to_string(recorded_path()).expect("expected.jsonl: run with INFRACHECK_UPDATE_ORACLE=1");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("valid line"))
        .collect()
}

/// Runs the live binary over every case, two at a time.
fn live(bin: &Path, cases: &[String]) -> Vec<Outcome> {
    let chunks: Vec<Vec<(usize, String)>> = {
        let mut c = vec![Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        for (i, e) in cases.iter().enumerate() {
            c[i % 4].push((i, e.clone()));
        }
        c
    };
    let mut results: Vec<(usize, Outcome)> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .enumerate()
            .map(|(n, chunk)| {
                let state = std::env::temp_dir().join(format!("infracheck-oracle-{}-{n}.tfstate", std::process::id()));
                s.spawn(move || {
                    chunk
                        .into_iter()
                        .map(|(i, e)| {
                            (
                                i,
                                Outcome {
                                    value: terraform(bin, &e, &state),
                                    expr: e,
                                },
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("thread")).collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, o)| o).collect()
}

#[test]
fn evaluator_matches_terraform_console() {
    let cases = cases();
    assert!(
        cases.len() >= 200,
        "the oracle needs at least 200 expressions, has {}",
        cases.len()
    );
    let bin = std::env::var_os("INFRACHECK_TERRAFORM").map(PathBuf::from);
    let expected = match &bin {
        Some(b) if std::env::var_os("INFRACHECK_UPDATE_ORACLE").is_some() => {
            let out = live(b, &cases);
            let text: String = out
                .iter()
                .map(|o| serde_json::to_string(o).expect("json") + "\n")
                .collect();
            std::fs::write(recorded_path(), text).expect("write expected.jsonl");
            out
        }
        Some(b) => {
            let now = live(b, &cases);
            let rec = recorded();
            let stale: Vec<&str> = now
                .iter()
                .filter(|o| {
                    !rec.iter().any(|r| {
                        r.expr == o.expr
                            && r.value.is_some() == o.value.is_some()
                            && r.value.as_ref().zip(o.value.as_ref()).is_none_or(|(a, b)| same(a, b))
                    })
                })
                .map(|o| o.expr.as_str())
                .collect();
            assert!(
                stale.is_empty(),
                "expected.jsonl is stale for: {stale:#?}\nrerun with INFRACHECK_UPDATE_ORACLE=1"
            );
            now
        }
        None => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must set INFRACHECK_TERRAFORM so the oracle runs live"
            );
            recorded()
        }
    };
    let exprs: Vec<&str> = expected.iter().map(|o| o.expr.as_str()).collect();
    assert_eq!(
        exprs,
        cases.iter().map(String::as_str).collect::<Vec<_>>(),
        "expected.jsonl does not match cases.txt"
    );
    let mut failures = Vec::new();
    for o in &expected {
        let got = ours(&o.expr);
        let ok = match (&got, &o.value) {
            (Some(a), Some(b)) => same(a, b),
            (None, None) => true,
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{}\n    terraform: {}\n    infracheck: {}",
                o.expr,
                show(&o.value),
                show(&got)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} expressions differ from Terraform:\n{}",
        failures.len(),
        expected.len(),
        failures.join("\n")
    );
}

fn show(v: &Option<J>) -> String {
    match v {
        Some(j) => j.to_string(),
        None => "error".into(),
    }
}
