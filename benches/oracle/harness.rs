//! The evaluator's oracle: Terraform's own plan, made offline with stand-in providers, against
//! `infracheck resources` on the same configuration and the same variable values.
//!
//! For each tree it is given, the harness prepares a copy (prepare.rs), finds its root modules,
//! and for each root: derives provider schemas from the configuration, installs the stand-in
//! provider (tests/oracle/standin_provider.py) under every provider address in a filesystem mirror,
//! runs `terraform init -backend=false`, `plan -refresh=false` and `show -json`, runs
//! `infracheck resources --format json` with the same var file, and compares (compare.rs).
//! Used by `cargo bench --bench oracle -- DIR…` (benches/oracle.rs) and `tests/oracle.rs`.
//! It must not know infracheck's internals: only its command line and JSON output.

#![allow(dead_code)] // each includer uses part of it

#[path = "compare.rs"]
pub mod compare;
#[path = "prepare.rs"]
pub mod prepare;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{json, Value as J};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The oldest Terraform whose plans the harness reads (`terraform_data`, deferred data reads).
pub const MIN_TERRAFORM: (u64, u64) = (1, 8);
/// Set to `1` (CI does) to make missing prerequisites a failure instead of a skip.
pub const REQUIRE_ENV: &str = "INFRACHECK_REQUIRE_ORACLE";

/// The programs the harness runs.
#[derive(Debug, Clone)]
pub struct Tools {
    pub terraform: PathBuf,
    pub terraform_version: String,
    pub python: PathBuf,
    pub provider_script: PathBuf,
    pub infracheck: PathBuf,
}

impl Tools {
    /// Terraform (`INFRACHECK_ORACLE_TERRAFORM` or `terraform` on PATH, at least 1.8) and a Python
    /// that imports PyPI's `tf` (`INFRACHECK_ORACLE_PYTHON` or `python3`). Err says what is missing.
    pub fn find(infracheck: PathBuf) -> Result<Tools, String> {
        let terraform =
            PathBuf::from(std::env::var("INFRACHECK_ORACLE_TERRAFORM").unwrap_or_else(|_| "terraform".into()));
        let out = Command::new(&terraform)
            .args(["version", "-json"])
            .env("CHECKPOINT_DISABLE", "1")
            .output()
            .map_err(|e| format!("`{}` cannot be run: {e}", terraform.display()))?;
        let v: J = serde_json::from_slice(&out.stdout).map_err(|_| {
            format!(
                "`{} version -json` printed no version (Terraform older than 0.13?)",
                terraform.display()
            )
        })?;
        let version = v
            .get("terraform_version")
            .and_then(J::as_str)
            .unwrap_or_default()
            .to_string();
        let mut parts = version.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
        let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        if (major, minor) < MIN_TERRAFORM {
            return Err(format!(
                "Terraform {version} at `{}` is older than {}.{}",
                terraform.display(),
                MIN_TERRAFORM.0,
                MIN_TERRAFORM.1
            ));
        }
        let python = std::env::var("INFRACHECK_ORACLE_PYTHON").unwrap_or_else(|_| "python3".into());
        let out = Command::new(&python)
            .args([
                "-c",
                "import sys, grpc, msgpack, tf.runner, tf.gen.tfplugin_pb2; print(sys.executable)",
            ])
            .output()
            .map_err(|e| format!("`{python}` cannot be run: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "`{python}` cannot import PyPI's `tf` package (pip install tf): {}",
                String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or_default()
            ));
        }
        let python = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        let provider_script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/standin_provider.py");
        Ok(Tools {
            terraform,
            terraform_version: version,
            python,
            provider_script,
            infracheck,
        })
    }
}

/// A tree to read, and which of its roots to plan (globs relative to it; empty: every root).
#[derive(Debug, Clone)]
pub struct TreeSpec {
    pub dir: PathBuf,
    pub only: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub jobs: usize,
    /// Remote modules by registry address (`NS/NAME/PROVIDER/`), read instead of stubbed.
    pub module_cache: Option<PathBuf>,
    /// Known values for outputs of stubbed remote modules (see prepare::StubValues).
    pub stub_values: prepare::StubValues,
    /// Keep the prepared copies (their path is printed).
    pub keep: bool,
    pub timeout: Duration,
    /// One line per root on stderr as it finishes.
    pub progress: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            module_cache: None,
            stub_values: prepare::StubValues::new(),
            keep: false,
            timeout: Duration::from_secs(300),
            progress: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Both ran; the comparison holds.
    Planned,
    TerraformFailed,
    /// Terraform planned, infracheck printed nothing readable.
    InfracheckFailed,
}

#[derive(Debug, Clone, Serialize)]
pub struct RootReport {
    pub tree: String,
    pub root: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terraform_stage: Option<String>,
    /// Terraform's first error: its summary line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terraform_error: Option<String>,
    /// Where and why (the lines after the summary).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terraform_error_detail: Option<String>,
    /// infracheck's error diagnostics (code: message at file:line).
    pub infracheck_errors: Vec<String>,
    /// infracheck's warnings, which say why an expansion is unknown (`eval::unknown-expansion`).
    pub infracheck_warnings: Vec<String>,
    pub filled_variables: Vec<String>,
    pub stubbed_modules: Vec<String>,
    pub seconds: f64,
    #[serde(flatten)]
    pub comparison: compare::Comparison,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub terraform_version: String,
    pub trees: Vec<String>,
    pub remote_modules_stubbed: BTreeMap<String, usize>,
    pub remote_modules_from_cache: Vec<String>,
    /// Calls stubbed although cached: the cached version lacks an argument they pass.
    pub remote_modules_version_mismatch: BTreeMap<String, usize>,
    pub summary: Summary,
    pub roots: Vec<RootReport>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub roots: usize,
    pub planned: usize,
    pub terraform_failed: usize,
    pub infracheck_failed: usize,
    /// Terraform's first error summary -> roots.
    pub terraform_failures: BTreeMap<String, Vec<String>>,
    pub terraform_instances: usize,
    pub infracheck_instances: usize,
    pub matched_instances: usize,
    /// matched / (terraform ∪ infracheck), over planned roots.
    pub instance_agreement_pct: f64,
    pub values_compared: usize,
    pub values_equal: usize,
    pub value_agreement_pct: f64,
    pub differences_by_kind: BTreeMap<String, usize>,
    pub unknown_in_infracheck_only: usize,
    pub unknown_in_terraform_only: usize,
    /// Planned roots where every instance and every compared value agree.
    pub roots_in_full_agreement: usize,
}

fn pct(n: usize, d: usize) -> f64 {
    if d == 0 {
        100.0
    } else {
        (1000.0 * n as f64 / d as f64).round() / 10.0
    }
}

/// Plans every selected root of every tree both ways and compares.
pub fn run(specs: &[TreeSpec], tools: &Tools, opts: &Options) -> Result<Report, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.max(1))
        .build()
        .map_err(|e| e.to_string())?;
    let mut roots = Vec::new();
    let mut stubbed: BTreeMap<String, usize> = BTreeMap::new();
    let mut cached = std::collections::BTreeSet::new();
    let mut mismatch: BTreeMap<String, usize> = BTreeMap::new();
    let mut keep = Vec::new();
    for spec in specs {
        let work = tempfile::Builder::new()
            .prefix("infracheck-oracle-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let prepared = prepare::prepare(&spec.dir, work.path(), opts.module_cache.as_deref(), &opts.stub_values)
            .map_err(|e| format!("{}: {e}", spec.dir.display()))?;
        for (k, n) in &prepared.stubbed {
            *stubbed.entry(k.clone()).or_default() += n;
        }
        cached.extend(prepared.cached.iter().cloned());
        for (k, n) in &prepared.cache_mismatches {
            *mismatch.entry(k.clone()).or_default() += n;
        }
        let globs: Vec<globset::GlobMatcher> = spec
            .only
            .iter()
            .filter_map(|g| globset::Glob::new(g).ok().map(|g| g.compile_matcher()))
            .collect();
        let selected: Vec<PathBuf> = prepared
            .roots
            .iter()
            .filter(|r| globs.is_empty() || globs.iter().any(|g| g.is_match(r)))
            .cloned()
            .collect();
        let tree = spec.dir.display().to_string();
        if opts.progress {
            eprintln!(
                "oracle: {tree}: {} roots, {} selected",
                prepared.roots.len(),
                selected.len()
            );
        }
        let finished = AtomicUsize::new(0);
        let done: Vec<RootReport> = pool.install(|| {
            selected
                .par_iter()
                .enumerate()
                .map(|(i, r)| {
                    let dir = work.path().join("roots").join(i.to_string());
                    let report = run_root(&tree, &prepared, r, &dir, tools, opts);
                    if opts.progress {
                        let n = finished.fetch_add(1, Ordering::Relaxed) + 1;
                        eprintln!(
                            "oracle: [{n}/{}] {}:{} {:?} {}({:.1} s)",
                            selected.len(),
                            short(&tree),
                            report.root,
                            report.status,
                            report
                                .terraform_error
                                .as_deref()
                                .map(|e| format!("{e} "))
                                .unwrap_or_default(),
                            report.seconds
                        );
                    }
                    report
                })
                .collect()
        });
        roots.extend(done);
        if opts.keep {
            keep.push(work.keep());
        }
    }
    for k in keep {
        eprintln!("oracle: kept {}", k.display());
    }
    roots.sort_by(|a, b| (&a.tree, &a.root).cmp(&(&b.tree, &b.root)));
    let summary = summarize(&roots);
    Ok(Report {
        terraform_version: tools.terraform_version.clone(),
        trees: specs.iter().map(|s| s.dir.display().to_string()).collect(),
        remote_modules_stubbed: stubbed,
        remote_modules_from_cache: cached.into_iter().collect(),
        remote_modules_version_mismatch: mismatch,
        summary,
        roots,
    })
}

fn summarize(roots: &[RootReport]) -> Summary {
    let mut s = Summary {
        roots: roots.len(),
        ..Summary::default()
    };
    let mut union = 0;
    for r in roots {
        match r.status {
            Status::Planned => s.planned += 1,
            Status::TerraformFailed => {
                s.terraform_failed += 1;
                let class = r.terraform_error.clone().unwrap_or_else(|| "(no message)".into());
                s.terraform_failures
                    .entry(class)
                    .or_default()
                    .push(format!("{}:{}", r.tree, r.root));
                continue;
            }
            Status::InfracheckFailed => {
                s.infracheck_failed += 1;
                continue;
            }
        }
        let c = &r.comparison;
        s.terraform_instances += c.terraform_instances;
        s.infracheck_instances += c.infracheck_instances;
        s.matched_instances += c.matched_instances;
        union += c.terraform_instances + c.extra_in_infracheck.len();
        s.values_compared += c.values_compared;
        s.values_equal += c.values_equal;
        s.unknown_in_infracheck_only += c.unknown_in_infracheck_only;
        s.unknown_in_terraform_only += c.unknown_in_terraform_only;
        for d in &c.differences {
            *s.differences_by_kind.entry(format!("{:?}", d.kind)).or_default() += 1;
        }
        if c.missing_in_infracheck.is_empty() && c.extra_in_infracheck.is_empty() && c.differences.is_empty() {
            s.roots_in_full_agreement += 1;
        }
    }
    s.instance_agreement_pct = pct(s.matched_instances, union);
    s.value_agreement_pct = pct(s.values_equal, s.values_compared);
    s
}

/// A command's environment: nothing from the caller's Terraform settings (TF_VAR_*, TF_CLI_ARGS,
/// TF_DATA_DIR, …) reaches either tool, so both read exactly the prepared inputs.
fn command(program: &Path, cwd: &Path, cli_config: &Path) -> Command {
    let mut c = Command::new(program);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("TF_") {
            c.env_remove(k);
        }
    }
    c.current_dir(cwd)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env("TF_INPUT", "0")
        .env("TF_CLI_CONFIG_FILE", cli_config)
        .stdin(Stdio::null());
    c
}

struct Ran {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// Runs with stdout and stderr in files (no pipe to fill), killed after `timeout`.
fn run_logged(mut c: Command, log: &Path, timeout: Duration) -> Ran {
    let (out_path, err_path) = (log.with_extension("out"), log.with_extension("err"));
    let (Ok(out), Ok(err)) = (fs::File::create(&out_path), fs::File::create(&err_path)) else {
        return Ran {
            ok: false,
            stdout: String::new(),
            stderr: format!("cannot write {}", log.display()),
        };
    };
    let mut child = match c.stdout(out).stderr(err).spawn() {
        Ok(ch) => ch,
        Err(e) => {
            return Ran {
                ok: false,
                stdout: String::new(),
                stderr: e.to_string(),
            }
        }
    };
    let start = Instant::now();
    let ok = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st.success(),
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = fs::write(&err_path, format!("Error: timed out after {} s\n", timeout.as_secs()));
                break false;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => break false,
        }
    };
    Ran {
        ok,
        stdout: fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: fs::read_to_string(&err_path).unwrap_or_default(),
    }
}

/// Terraform's first `Error:` diagnostic: its summary, and the lines that follow it.
fn first_error(text: &str) -> (String, String) {
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.trim_start_matches(['│', '╷', '╵']).trim().to_string())
        .collect();
    let Some(i) = lines.iter().position(|l| l.starts_with("Error: ")) else {
        let last = lines.iter().rev().find(|l| !l.is_empty()).cloned().unwrap_or_default();
        return ("(no Error: line)".into(), last);
    };
    let summary = lines[i].trim_start_matches("Error: ").to_string();
    let mut detail = String::new();
    for l in &lines[i + 1..] {
        if l.starts_with("Error: ") || l.starts_with("Warning: ") {
            break;
        }
        if !l.is_empty() {
            if !detail.is_empty() {
                detail.push(' ');
            }
            detail.push_str(l);
        }
        if detail.len() > 700 {
            break;
        }
    }
    (summary, detail)
}

fn os_arch() -> String {
    let os = std::env::consts::OS;
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        a => a,
    };
    format!("{os}_{arch}")
}

/// The mirror with the stand-in provider under every address and version, and the CLI
/// configuration that names it (no direct installation: nothing is downloaded).
fn write_mirror(dir: &Path, inputs: &prepare::RootInputs, tools: &Tools) -> Result<PathBuf, String> {
    let mirror = dir.join("mirror");
    let schemas = dir.join("schemas");
    fs::create_dir_all(&schemas).map_err(|e| e.to_string())?;
    let target = os_arch();
    for (source, schema) in &inputs.providers {
        let parts: Vec<&str> = source.split('/').collect();
        let [host, ns, ty] = parts[..] else { continue };
        let schema_file = schemas.join(format!("{host}__{ns}__{ty}.json"));
        fs::write(&schema_file, schema.to_json().to_string()).map_err(|e| e.to_string())?;
        let wrapper = format!(
            "#!/bin/sh\n# The infracheck oracle's stand-in for {source}.\nexec '{}' '{}' --schema '{}' \"$@\"\n",
            tools.python.display(),
            tools.provider_script.display(),
            schema_file.display()
        );
        for v in &schema.versions {
            let d = mirror.join(host).join(ns).join(ty).join(v).join(&target);
            fs::create_dir_all(&d).map_err(|e| e.to_string())?;
            let exe = d.join(format!("terraform-provider-{ty}_v{v}"));
            fs::write(&exe, &wrapper).map_err(|e| e.to_string())?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(&exe, fs::Permissions::from_mode(0o755)).map_err(|e| e.to_string())?;
            }
        }
    }
    let cli = dir.join("cli.tfrc");
    fs::create_dir_all(&mirror).map_err(|e| e.to_string())?;
    fs::write(
        &cli,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = {:?}\n    include = [\"*/*/*\"]\n  }}\n}}\n",
            mirror.display().to_string()
        ),
    )
    .map_err(|e| e.to_string())?;
    Ok(cli)
}

fn run_root(tree: &str, p: &prepare::Prepared, root: &Path, dir: &Path, tools: &Tools, opts: &Options) -> RootReport {
    let start = Instant::now();
    let root_dir = p.src.join(root);
    let inputs = p.root_inputs(root);
    let mut report = RootReport {
        tree: tree.to_string(),
        root: if root.as_os_str().is_empty() {
            ".".into()
        } else {
            root.display().to_string()
        },
        status: Status::TerraformFailed,
        terraform_stage: None,
        terraform_error: None,
        terraform_error_detail: None,
        infracheck_errors: Vec::new(),
        infracheck_warnings: Vec::new(),
        filled_variables: inputs.filled.clone(),
        stubbed_modules: inputs.stubbed_modules.clone(),
        seconds: 0.0,
        comparison: compare::Comparison::default(),
    };
    let fail = |mut r: RootReport, stage: &str, summary: String, detail: String| {
        r.status = Status::TerraformFailed;
        r.terraform_stage = Some(stage.into());
        r.terraform_error = Some(summary);
        r.terraform_error_detail = Some(detail);
        r.seconds = start.elapsed().as_secs_f64();
        r
    };
    if let Err(e) = fs::create_dir_all(dir) {
        return fail(
            report,
            "prepare",
            "cannot create the work directory".into(),
            e.to_string(),
        );
    }
    let vars = dir.join("oracle.tfvars.json");
    if let Err(e) = fs::write(
        &vars,
        serde_json::to_string_pretty(&J::Object(inputs.variables.clone())).unwrap_or_default(),
    ) {
        return fail(report, "prepare", "cannot write the var file".into(), e.to_string());
    }
    let cli = match write_mirror(dir, &inputs, tools) {
        Ok(c) => c,
        Err(e) => return fail(report, "prepare", "cannot write the provider mirror".into(), e),
    };

    // infracheck first: `terraform init` writes .terraform/, which it would read.
    let mut c = command(&tools.infracheck, &root_dir, &cli);
    c.args(["resources", ".", "--format", "json", "--no-color", "--var-file"])
        .arg(&vars);
    let ic = run_logged(c, &dir.join("infracheck"), opts.timeout);
    let ic_project = serde_json::from_str::<J>(&ic.stdout).ok().and_then(|j| match j {
        J::Array(a) => a
            .iter()
            .find(|p| p.get("root").and_then(J::as_str) == Some("."))
            .cloned()
            .or_else(|| a.first().cloned()),
        other => Some(other),
    });
    if let Some(pj) = &ic_project {
        for d in pj.get("diagnostics").and_then(J::as_array).into_iter().flatten() {
            let severity = d.get("severity").and_then(J::as_str);
            let list = match severity {
                Some("error") => &mut report.infracheck_errors,
                Some("warning") if report.infracheck_warnings.len() < 30 => &mut report.infracheck_warnings,
                _ => continue,
            };
            {
                list.push(format!(
                    "{}: {} ({}:{})",
                    d.get("code").and_then(J::as_str).unwrap_or("?"),
                    d.get("message").and_then(J::as_str).unwrap_or("?"),
                    d.get("file").and_then(J::as_str).unwrap_or("?"),
                    d.get("line").and_then(J::as_u64).unwrap_or(0),
                ));
            }
        }
    }

    let tf = |args: &[&str], log: &str| {
        let mut c = command(&tools.terraform, &root_dir, &cli);
        c.args(args);
        run_logged(c, &dir.join(log), opts.timeout)
    };
    let init = tf(&["init", "-backend=false", "-input=false", "-no-color"], "init");
    if !init.ok {
        let (s, d) = first_error(&format!("{}\n{}", init.stderr, init.stdout));
        return fail(report, "init", s, d);
    }
    let plan_file = dir.join("plan");
    let plan_arg = format!("-out={}", plan_file.display());
    let var_arg = format!("-var-file={}", vars.display());
    let plan = tf(
        &[
            "plan",
            "-refresh=false",
            "-input=false",
            "-lock=false",
            "-no-color",
            &plan_arg,
            &var_arg,
        ],
        "plan",
    );
    if !plan.ok {
        let (s, d) = first_error(&format!("{}\n{}", plan.stderr, plan.stdout));
        return fail(report, "plan", s, d);
    }
    let plan_path = plan_file.display().to_string();
    let show = tf(&["show", "-json", "-no-color", &plan_path], "show");
    let plan_json = match serde_json::from_str::<J>(&show.stdout) {
        Ok(j) if show.ok => j,
        _ => {
            let (s, d) = first_error(&format!("{}\n{}", show.stderr, show.stdout));
            return fail(report, "show", s, d);
        }
    };
    let Some(pj) = ic_project else {
        report.status = Status::InfracheckFailed;
        report.infracheck_errors.push(format!(
            "no JSON on stdout; stderr: {}",
            ic.stderr.lines().rev().take(5).collect::<Vec<_>>().join(" / ")
        ));
        report.seconds = start.elapsed().as_secs_f64();
        return report;
    };
    let tf_instances = compare::terraform_instances(&plan_json);
    let ic_instances = compare::infracheck_instances(&pj);
    report.comparison = compare::compare_root(&tf_instances, &ic_instances);
    // Paths into the prepared copy, which is deleted: relative to the tree instead.
    let prefix = format!("{}/", p.src.display());
    for d in &mut report.comparison.differences {
        d.location = d.location.replace(&prefix, "");
    }
    for e in report
        .infracheck_errors
        .iter_mut()
        .chain(report.infracheck_warnings.iter_mut())
    {
        *e = e.replace(&prefix, "");
    }
    report.status = Status::Planned;
    report.seconds = start.elapsed().as_secs_f64();
    report
}

/// The report as JSON (`--json`).
pub fn to_json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default() + "\n"
}

/// The report for a terminal: one line per root, its differences, then the totals.
pub fn to_text(r: &Report, max_diffs_per_root: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "oracle: Terraform {} with stand-in providers vs infracheck resources",
        r.terraform_version
    );
    for root in &r.roots {
        let c = &root.comparison;
        let name = format!("{}:{}", short(&root.tree), root.root);
        match root.status {
            Status::TerraformFailed => {
                let _ = writeln!(
                    s,
                    "  TF-FAIL  {name}  ({}: {})",
                    root.terraform_stage.as_deref().unwrap_or("?"),
                    root.terraform_error.as_deref().unwrap_or("?")
                );
            }
            Status::InfracheckFailed => {
                let _ = writeln!(s, "  IC-FAIL  {name}  {}", root.infracheck_errors.join("; "));
            }
            Status::Planned => {
                let agree =
                    c.missing_in_infracheck.is_empty() && c.extra_in_infracheck.is_empty() && c.differences.is_empty();
                let _ = writeln!(
                    s,
                    "  {}  {name}  instances tf={} ic={} matched={}  values {}/{} equal  ({:.1} s)",
                    if agree { "AGREE  " } else { "DIFFER " },
                    c.terraform_instances,
                    c.infracheck_instances,
                    c.matched_instances,
                    c.values_equal,
                    c.values_compared,
                    root.seconds
                );
                for a in c.missing_in_infracheck.iter().take(max_diffs_per_root) {
                    let _ = writeln!(s, "      missing in infracheck: {a}");
                }
                for a in c.extra_in_infracheck.iter().take(max_diffs_per_root) {
                    let _ = writeln!(s, "      extra in infracheck:   {a}");
                }
                for d in c.differences.iter().take(max_diffs_per_root) {
                    let _ = writeln!(
                        s,
                        "      {:?} {}.{}: terraform {} / infracheck {}  ({})",
                        d.kind,
                        d.address,
                        d.path,
                        clip(&d.terraform),
                        clip(&d.infracheck),
                        d.location
                    );
                }
                if c.differences.len() > max_diffs_per_root {
                    let _ = writeln!(
                        s,
                        "      … {} more differences",
                        c.differences.len() - max_diffs_per_root
                    );
                }
                if !root.infracheck_errors.is_empty() {
                    let mut errors = root.infracheck_errors.clone();
                    errors.dedup_by(|a, b| a.split(" (").next() == b.split(" (").next());
                    let more = errors.len().saturating_sub(3);
                    errors.truncate(3);
                    let _ = writeln!(
                        s,
                        "      infracheck errors ({}): {}{}",
                        root.infracheck_errors.len(),
                        errors.join("; "),
                        if more > 0 {
                            format!("; … {more} more kinds")
                        } else {
                            String::new()
                        }
                    );
                }
            }
        }
    }
    let m = &r.summary;
    let _ = writeln!(
        s,
        "\nroots: {}  planned: {}  terraform failed: {}  infracheck failed: {}",
        m.roots, m.planned, m.terraform_failed, m.infracheck_failed
    );
    for (class, roots) in &m.terraform_failures {
        let _ = writeln!(s, "  terraform: {class}: {}", roots.len());
    }
    let _ = writeln!(
        s,
        "instances: terraform {}  infracheck {}  matched {}  agreement {}%",
        m.terraform_instances, m.infracheck_instances, m.matched_instances, m.instance_agreement_pct
    );
    let _ = writeln!(
        s,
        "values: compared {}  equal {}  agreement {}%  (known only to terraform: {}, only to infracheck: {})",
        m.values_compared,
        m.values_equal,
        m.value_agreement_pct,
        m.unknown_in_infracheck_only,
        m.unknown_in_terraform_only
    );
    for (k, n) in &m.differences_by_kind {
        let _ = writeln!(s, "  differences {k}: {n}");
    }
    let _ = writeln!(
        s,
        "roots in full agreement: {} of {} planned",
        m.roots_in_full_agreement, m.planned
    );
    s
}

fn short(tree: &str) -> &str {
    Path::new(tree).file_name().and_then(|n| n.to_str()).unwrap_or(tree)
}

fn clip(v: &J) -> String {
    let s = v.to_string();
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}

/// Whether a missing prerequisite fails (CI) or skips.
pub fn required() -> bool {
    std::env::var(REQUIRE_ENV).is_ok_and(|v| v == "1")
}

pub fn report_json_value(r: &Report) -> J {
    serde_json::to_value(r).unwrap_or(json!(null))
}
