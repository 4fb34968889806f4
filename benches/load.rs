//! Load + evaluate (+ check) throughput, against hcl-edit parsing the same bytes alone.
//!
//! `cargo bench --bench load` measures a generated tree of 2,000+ files (always) and, when
//! `INFRACHECK_BENCH_REAL` names a directory (e.g. clones of terraform-aws-modules' vpc, eks and rds,
//! which are not part of this repository), that tree too. Figures go to BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use infracheck::cost::catalog::Catalog;
use infracheck::cost::estimate_project;
use infracheck::cost::usage::Usage;
use infracheck::hcl::discover::{Loader, RootSpec};
use infracheck::hcl::eval::module::evaluate_root;
use infracheck::model::Project;
use infracheck::rules::{engine, Registry};
use rayon::prelude::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

// The binary's allocator, so the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Modules in the generated tree; each has `FILES_PER_MODULE` files and is called by its own root.
const MODULES: usize = 140;
const FILES_PER_MODULE: usize = 14;

fn module_file(m: usize, f: usize) -> String {
    let mut s = String::new();
    match f {
        0 => {
            let _ = write!(
                s,
                r#"variable "name" {{
  type        = string
  description = "Name prefix of module {m}."
}}

variable "cidr" {{
  type    = string
  default = "10.{m}.0.0/16"
  validation {{
    condition     = can(cidrhost(var.cidr, 0))
    error_message = "cidr must be an IPv4 CIDR block."
  }}
}}

variable "zones" {{
  type    = list(string)
  default = ["ap-south-1a", "ap-south-1b", "ap-south-1c"]
}}

variable "tags" {{
  type    = map(string)
  default = {{}}
}}
"#
            );
        }
        1 => {
            let _ = write!(
                s,
                r#"locals {{
  common_tags = merge(var.tags, {{ Module = "m{m}", Name = var.name }})
  subnets     = {{ for i, z in var.zones : z => cidrsubnet(var.cidr, 8, i) }}
  ports       = [for p in range(3) : 8000 + p * {m} if p != 1]
  banner      = <<-EOT
    %{{for z in var.zones}}zone ${{z}}
    %{{endfor}}
  EOT
}}

resource "aws_vpc" "this" {{
  cidr_block           = var.cidr
  enable_dns_hostnames = true
  tags                 = local.common_tags
}}
"#
            );
        }
        _ => {
            let _ = write!(
                s,
                r#"resource "aws_subnet" "f{f}" {{
  for_each          = local.subnets
  vpc_id            = aws_vpc.this.id
  cidr_block        = each.value
  availability_zone = each.key
  tags              = merge(local.common_tags, {{ Tier = "t{f}", Zone = each.key }})
}}

resource "aws_security_group" "f{f}" {{
  name   = "${{var.name}}-f{f}"
  vpc_id = aws_vpc.this.id

  dynamic "ingress" {{
    for_each = local.ports
    content {{
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = [for s in aws_subnet.f{f} : s.cidr_block]
    }}
  }}
}}

resource "aws_instance" "f{f}" {{
  count         = {f} % 3 + 1
  ami           = "ami-0123456789abcdef0"
  instance_type = count.index == 0 ? "t3.micro" : "t3.small"
  subnet_id     = values(aws_subnet.f{f})[count.index % length(var.zones)].id
  root_block_device {{
    encrypted   = true
    volume_size = 8 * (count.index + 1)
  }}
  tags = merge(local.common_tags, {{ Index = tostring(count.index) }})
}}

output "f{f}_subnets" {{
  value = {{ for k, s in aws_subnet.f{f} : k => s.cidr_block }}
}}
"#
            );
        }
    }
    s
}

/// Writes the generated tree below `dir`; returns (files, bytes).
fn generate(dir: &Path) -> (usize, u64) {
    let mut files = 0;
    let mut bytes = 0u64;
    let mut write = |p: PathBuf, text: String| {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        bytes += text.len() as u64;
        files += 1;
        std::fs::write(p, text).unwrap();
    };
    for m in 0..MODULES {
        for f in 0..FILES_PER_MODULE {
            write(dir.join(format!("modules/m{m}/f{f}.tf")), module_file(m, f));
        }
        write(
            dir.join(format!("roots/r{m}/main.tf")),
            format!(
                r#"provider "aws" {{
  region = "ap-south-1"
}}

module "net" {{
  source = "../../modules/m{m}"
  name   = "r{m}"
  cidr   = "10.{}.0.0/16"
  tags   = {{ Env = "bench" }}
}}

output "subnets" {{
  value = module.net.f2_subnets
}}
"#,
                m % 250
            ),
        );
    }
    (files, bytes)
}

fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git")
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "tf"))
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}

/// The baseline: hcl-edit parsing the same bytes, in parallel, nothing else.
fn parse_only(files: &[(PathBuf, String)]) -> usize {
    files
        .par_iter()
        .map(|(_, text)| hcl_edit::parser::parse_body(text).map(|b| b.len()).unwrap_or(0))
        .sum()
}

/// What `infracheck resources DIR` does before reporting: discover roots, load, evaluate.
fn load_and_evaluate(dir: &Path) -> usize {
    projects(dir).1.iter().map(|p| p.resources.len()).sum()
}

/// What `infracheck check DIR` does before reporting: load the policies, then every root, then run
/// every rule.
fn check(dir: &Path) -> usize {
    let registry = Registry::builtin().expect("policies load");
    let (_loader, projects) = projects(dir);
    engine::run(&registry, &projects).len()
}

fn projects(dir: &Path) -> (Loader, Vec<Project>) {
    let loader = Loader::new(dir.to_path_buf());
    let specs: Vec<RootSpec> = infracheck::targets::tree::discover_roots(&loader, dir, &Default::default())
        .into_iter()
        .map(|d| RootSpec {
            name: d.display().to_string(),
            dir: d,
            var_files: Vec::new(),
            vars: Vec::new(),
            workspace: "default".into(),
            profile: "default".into(),
            example: None,
            deployment: false,
        })
        .collect();
    let projects = specs.par_iter().map(|s| evaluate_root(&loader, s)).collect();
    (loader, projects)
}

fn bench_tree(c: &mut Criterion, label: &str, dir: &Path) {
    let files: Vec<(PathBuf, String)> = tf_files(dir)
        .into_iter()
        .map(|p| {
            let t = std::fs::read_to_string(&p).unwrap_or_default();
            (p, t)
        })
        .collect();
    let bytes: u64 = files.iter().map(|(_, t)| t.len() as u64).sum();
    let resources = load_and_evaluate(dir);
    eprintln!(
        "{label}: {} .tf files, {bytes} bytes, {resources} resource instances",
        files.len()
    );
    let mut group = c.benchmark_group(label);
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_with_input(BenchmarkId::new("hcl-edit parse only", files.len()), &files, |b, f| {
        b.iter(|| parse_only(f))
    });
    group.bench_with_input(BenchmarkId::new("load + evaluate", files.len()), dir, |b, d| {
        b.iter(|| load_and_evaluate(d))
    });
    group.bench_with_input(
        BenchmarkId::new("check (load + evaluate + 62 policies)", files.len()),
        dir,
        |b, d| b.iter(|| check(d)),
    );
    group.bench_with_input(
        BenchmarkId::new("cost (load + evaluate + estimate)", files.len()),
        dir,
        |b, d| {
            b.iter(|| {
                let (_loader, projects) = projects(d);
                let catalog = Catalog::embedded();
                let usage = Usage::default();
                projects
                    .par_iter()
                    .map(|p| estimate_project(p, &usage, &catalog).resources.len())
                    .sum::<usize>()
            })
        },
    );
    group.finish();
}

/// `check --env all` on the bundled environments, through the library.
fn bundled(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut group = c.benchmark_group("bundled");
    group.sample_size(20);
    let specs: Vec<RootSpec> = ["dev", "staging", "prod"]
        .iter()
        .map(|e| RootSpec {
            name: e.to_string(),
            dir: root.join("terraform/environments").join(e),
            var_files: Vec::new(),
            vars: Vec::new(),
            workspace: "default".into(),
            profile: e.to_string(),
            example: None,
            deployment: false,
        })
        .collect();
    group.bench_function("check --env all", |b| {
        b.iter(|| {
            let registry = Registry::builtin().expect("policies load");
            let loader = Loader::new(root.join("terraform"));
            let projects: Vec<Project> = specs.par_iter().map(|s| evaluate_root(&loader, s)).collect();
            engine::run(&registry, &projects).len()
        })
    });
    let catalog = Catalog::embedded();
    let usage = Usage::default();
    group.bench_function("cost --env all", |b| {
        b.iter(|| {
            let loader = Loader::new(root.join("terraform"));
            let projects: Vec<Project> = specs.par_iter().map(|s| evaluate_root(&loader, s)).collect();
            let envs: Vec<_> = projects
                .par_iter()
                .map(|p| estimate_project(p, &usage, &catalog))
                .collect();
            envs.iter().map(|e| e.monthly()).sum::<rust_decimal::Decimal>()
        })
    });
    let loader = Loader::new(root.join("terraform"));
    let projects: Vec<Project> = specs.par_iter().map(|s| evaluate_root(&loader, s)).collect();
    group.bench_function("estimate only (3 evaluated environments)", |b| {
        b.iter(|| {
            projects
                .par_iter()
                .map(|p| estimate_project(p, &usage, &catalog).resources.len())
                .sum::<usize>()
        })
    });
    group.finish();
}

fn generated(c: &mut Criterion) {
    // INFRACHECK_BENCH_WRITE_TREE=DIR also writes the tree there, to run other tools on it.
    if let Some(dir) = std::env::var_os("INFRACHECK_BENCH_WRITE_TREE") {
        let (files, bytes) = generate(Path::new(&dir));
        eprintln!("wrote {files} files ({bytes} bytes) to {}", Path::new(&dir).display());
    }
    let tmp = tempfile::tempdir().unwrap();
    let (files, _) = generate(tmp.path());
    assert!(files >= 2000, "the generated tree must have at least 2,000 files");
    bench_tree(c, "generated", tmp.path());
}

fn real(c: &mut Criterion) {
    if let Some(dir) = std::env::var_os("INFRACHECK_BENCH_REAL") {
        bench_tree(c, "real", Path::new(&dir));
    }
}

criterion_group!(benches, bundled, generated, real);
criterion_main!(benches);
