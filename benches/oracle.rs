//! The evaluator against Terraform's own plan on real configurations (see benches/oracle/harness.rs).
//!
//! `cargo bench --bench oracle -- [OPTIONS] DIR[=GLOB,GLOB…]…` plans every root module below each
//! DIR (or those matching the globs, relative to DIR: `terraform-aws-vpc='examples/*'`) with
//! Terraform and stand-in providers, runs `infracheck resources` on the same inputs, and prints
//! and writes a report. With no DIR it reads fixtures/oracle.
//!
//! Options: `--json FILE` (default target/oracle/report.json), `--text FILE` (default
//! target/oracle/report.txt), `--jobs N`, `--module-cache DIR` (remote modules by registry address,
//! `NS/NAME/PROVIDER/`, instead of stubs; default $INFRACHECK_ORACLE_MODULES), `--infracheck BIN`,
//! `--keep` (keep the prepared copies), `--diffs N` (differences shown per root, default 20),
//! `--stub-values FILE` (JSON `{SOURCE: {OUTPUT: VALUE}}`: known values for outputs of stubbed
//! remote modules, e.g. a remote-state module's `outputs`; by default every output is unknown).
//! Missing Terraform ≥ 1.8 or Python `tf` skips with a note (fails with INFRACHECK_REQUIRE_ORACLE=1).

#[path = "oracle/harness.rs"]
mod harness;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut specs = Vec::new();
    let mut opts = harness::Options {
        module_cache: std::env::var_os("INFRACHECK_ORACLE_MODULES").map(PathBuf::from),
        progress: true,
        ..harness::Options::default()
    };
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/oracle");
    let mut json_out = target.join("report.json");
    let mut text_out = target.join("report.txt");
    let mut infracheck = PathBuf::from(env!("CARGO_BIN_EXE_infracheck"));
    let mut diffs = 20;
    while let Some(a) = args.next() {
        let mut value = |name: &str| match args.next() {
            Some(v) => v,
            None => {
                eprintln!("oracle: {name} needs a value");
                std::process::exit(2);
            }
        };
        match a.as_str() {
            "--bench" => {} // cargo bench passes it to every bench
            "--json" => json_out = PathBuf::from(value("--json")),
            "--text" => text_out = PathBuf::from(value("--text")),
            "--jobs" => opts.jobs = value("--jobs").parse().unwrap_or(opts.jobs),
            "--module-cache" => opts.module_cache = Some(PathBuf::from(value("--module-cache"))),
            "--infracheck" => infracheck = PathBuf::from(value("--infracheck")),
            "--diffs" => diffs = value("--diffs").parse().unwrap_or(diffs),
            "--keep" => opts.keep = true,
            "--stub-values" => {
                let file = value("--stub-values");
                match std::fs::read_to_string(&file)
                    .map_err(|e| e.to_string())
                    .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
                {
                    Ok(v) => opts.stub_values = v,
                    Err(e) => {
                        eprintln!("oracle: {file}: {e}");
                        return ExitCode::from(2);
                    }
                }
            }
            s if s.starts_with("--") => {
                eprintln!("oracle: unknown option {s}");
                return ExitCode::from(2);
            }
            spec => {
                let (dir, only) = match spec.split_once('=') {
                    Some((d, g)) => (d, g.split(',').map(str::to_string).collect()),
                    None => (spec, Vec::new()),
                };
                specs.push(harness::TreeSpec {
                    dir: PathBuf::from(dir),
                    only,
                });
            }
        }
    }
    if specs.is_empty() {
        specs.push(harness::TreeSpec {
            dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/oracle"),
            only: Vec::new(),
        });
    }
    let tools = match harness::Tools::find(infracheck) {
        Ok(t) => t,
        Err(why) if harness::required() => {
            eprintln!("oracle: {why} ({} is set)", harness::REQUIRE_ENV);
            return ExitCode::FAILURE;
        }
        Err(why) => {
            eprintln!("oracle: skipped: {why}");
            return ExitCode::SUCCESS;
        }
    };
    let report = match harness::run(&specs, &tools, &opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("oracle: {e}");
            return ExitCode::FAILURE;
        }
    };
    let text = harness::to_text(&report, diffs);
    print!("{text}");
    for (path, body) in [(&json_out, harness::to_json(&report)), (&text_out, text)] {
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        if let Err(e) = std::fs::write(path, body) {
            eprintln!("oracle: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    eprintln!("oracle: report in {} and {}", json_out.display(), text_out.display());
    ExitCode::SUCCESS
}
