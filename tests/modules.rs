//! Remote modules, end to end and offline: a registry on the loopback interface (service
//! discovery, versions, download with `X-Terraform-Get`, an archive) and git repositories made
//! in the test, read with `--download-modules` into a module cache, then from the cache alone.

use assert_cmd::Command;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const REGISTRY_MODULE: &str = r#"variable "name" {
  type = string
}

resource "aws_security_group" "bastion" {
  name        = var.name
  description = "bastion"

  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

output "id" {
  value = aws_security_group.bastion.id
}
"#;

const ARCHIVE_MODULE: &str = r#"resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}

resource "aws_s3_bucket_acl" "logs" {
  bucket = aws_s3_bucket.logs.id
  acl    = "public-read"
}
"#;

fn zip(files: &[(&str, &str)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        z.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

const GIT_MODULE: &str = r#"variable "name" {
  type = string
}

resource "aws_db_instance" "this" {
  identifier          = var.name
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  storage_encrypted   = false
  publicly_accessible = false
}
"#;

/// A module registry on 127.0.0.1: `acme/vpc/aws` in versions 1.0.0, 1.1.0 and 2.0.0, whose
/// downloads answer with a relative `X-Terraform-Get` to a tar.gz on the same server.
struct Registry {
    port: u16,
    requests: Arc<AtomicUsize>,
    auth: Arc<Mutex<Vec<String>>>,
}

fn tarball(files: &[(&str, &str)]) -> Vec<u8> {
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
    for (name, text) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(text.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, text.as_bytes()).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap()
}

impl Registry {
    fn start() -> Registry {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(AtomicUsize::new(0));
        let auth = Arc::new(Mutex::new(Vec::new()));
        let archive = tarball(&[("vpc-1.1.0/main.tf", REGISTRY_MODULE)]);
        let zipped = zip(&[("logs/main.tf", ARCHIVE_MODULE)]);
        let (r, a) = (Arc::clone(&requests), Arc::clone(&auth));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                    if let Some(v) = h
                        .strip_prefix("authorization: ")
                        .or_else(|| h.strip_prefix("Authorization: "))
                    {
                        a.lock().unwrap().push(v.trim().to_string());
                    }
                }
                r.fetch_add(1, Ordering::SeqCst);
                let (status, headers, body): (&str, String, Vec<u8>) = match path.as_str() {
                    "/.well-known/terraform.json" => {
                        ("200 OK", String::new(), br#"{"modules.v1": "/v1/modules/"}"#.to_vec())
                    }
                    "/v1/modules/acme/vpc/aws/versions" => (
                        "200 OK",
                        String::new(),
                        br#"{"modules":[{"versions":[{"version":"1.0.0"},{"version":"2.0.0"},{"version":"1.1.0"}]}]}"#
                            .to_vec(),
                    ),
                    "/v1/modules/acme/vpc/aws/1.1.0/download" => (
                        "204 No Content",
                        "X-Terraform-Get: /archives/vpc-1.1.0.tar.gz//*\r\n".into(),
                        Vec::new(),
                    ),
                    "/archives/vpc-1.1.0.tar.gz" => ("200 OK", String::new(), archive.clone()),
                    "/archives/logs.zip" => ("200 OK", String::new(), zipped.clone()),
                    _ => ("404 Not Found", String::new(), b"{}".to_vec()),
                };
                let mut s = stream;
                let _ = write!(
                    s,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n",
                    body.len()
                );
                let _ = s.write_all(&body);
            }
        });
        Registry { port, requests, auth }
    }
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.email=t@example.com",
            "-c",
            "user.name=t",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A git repository with the module under `modules/db`, tagged v1.0.0, then changed on main
/// (so reading the tag is what the test shows).
fn git_repo(dir: &Path) -> (PathBuf, String) {
    let repo = dir.join("db-repo");
    std::fs::create_dir_all(repo.join("modules/db")).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join("modules/db/main.tf"), GIT_MODULE).unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "db"]);
    git(&repo, &["tag", "v1.0.0"]);
    let commit = std::process::Command::new("git")
        .current_dir(&repo)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    let commit = String::from_utf8(commit.stdout).unwrap().trim().to_string();
    std::fs::write(repo.join("modules/db/main.tf"), "# moved away\n").unwrap();
    git(&repo, &["commit", "-q", "-am", "later"]);
    (repo, commit)
}

fn root(dir: &Path, port: u16, repo: &Path, commit: &str) -> PathBuf {
    let root = dir.join("app");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("main.tf"),
        format!(
            r#"module "bastion" {{
  source  = "localhost:{port}/acme/vpc/aws"
  version = "~> 1.0"
  name    = "bastion"
}}

module "db" {{
  source = "git::file://{}//modules/db?ref=v1.0.0"
  name   = "app"
}}

module "logs" {{
  source = "http://127.0.0.1:{port}/archives/logs.zip//logs"
}}

module "pinned" {{
  source = "git::file://{}//modules/db?ref={commit}"
  name   = "pinned"
}}
"#,
            repo.display(),
            repo.display()
        ),
    )
    .unwrap();
    root
}

fn check(dir: &Path, root: &Path, cache: &Path, extra: &[&str]) -> (Value, String, i32) {
    let out = Command::cargo_bin("infracheck")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("INFRACHECK_CACHE_DIR", cache)
        .env("TF_TOKEN_localhost", "s3cr3t")
        .args(["check", "--format", "json"])
        .arg(root)
        .args(extra)
        .output()
        .unwrap();
    let v: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// (rule, address, file name, line) of each failure inside a module.
fn module_findings(v: &Value) -> Vec<(String, String, String, u64)> {
    let mut out: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        // Findings on the modules' resources (not IC-TF-009's on the calls' versions).
        .filter(|f| {
            f["outcome"] == "fail"
                && f["rule_id"] != "IC-TF-009"
                && f["address"].as_str().unwrap_or("").starts_with("module.")
        })
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["address"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn registry_and_git_modules_are_downloaded_cached_and_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let registry = Registry::start();
    let (repo, commit) = git_repo(dir);
    let app = root(dir, registry.port, &repo, &commit);
    let cache = dir.join("cache");

    // Offline (the default): nothing is followed, and the note says how to follow it.
    let (v, stderr, _) = check(dir, &app, &cache, &[]);
    assert!(module_findings(&v).is_empty());
    assert_eq!(registry.requests.load(Ordering::SeqCst), 0, "offline by default");
    let notes: Vec<&Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "eval::module-not-followed")
        .collect();
    assert_eq!(notes.len(), 4, "{:#?}", v["diagnostics"]);
    assert!(
        notes[0]["help"].as_str().unwrap().contains("--download-modules"),
        "{stderr}"
    );

    // --download-modules: the registry picks 1.1.0 for "~> 1.0" (not 2.0.0), the git source
    // its tag; both modules' resources are checked where they are written.
    let (v, _, code) = check(dir, &app, &cache, &["--download-modules"]);
    assert_eq!(code, 1);
    let found = module_findings(&v);
    let rules: Vec<(&str, &str)> = found.iter().map(|(r, a, _, _)| (r.as_str(), a.as_str())).collect();
    assert!(
        rules.contains(&("IC-RDS-001", "module.db.aws_db_instance.this"))
            // A commit as the ref: the module as it was at that commit.
            && rules.contains(&("IC-RDS-001", "module.pinned.aws_db_instance.this")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|(_, a, _, _)| a == "module.bastion.aws_security_group.bastion"),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|(_, a, f, _)| a.starts_with("module.logs.aws_s3_bucket") && f.starts_with("cache/modules/remote/")),
        "{found:#?}"
    );
    let (_, _, db_file, db_line) = found
        .iter()
        .find(|(r, a, _, _)| r == "IC-RDS-001" && a.starts_with("module.db."))
        .unwrap();
    assert!(db_file.ends_with("modules/db/main.tf"), "{db_file}");
    // Paths are shown relative to the working directory, as every other file's.
    assert!(db_file.starts_with("cache/modules/remote/"), "{db_file}");
    let text = std::fs::read_to_string(dir.join(db_file)).unwrap();
    assert!(
        text.lines()
            .nth(*db_line as usize - 1)
            .unwrap()
            .contains("storage_encrypted"),
        "{db_file}:{db_line}"
    );
    let (_, _, sg_file, _) = found
        .iter()
        .find(|(_, a, _, _)| a.starts_with("module.bastion"))
        .unwrap();
    assert!(
        Path::new(sg_file).starts_with(format!(
            "cache/modules/registry/localhost_{}/acme/vpc/aws/1.1.0/vpc-1.1.0",
            registry.port
        )),
        "{sg_file}"
    );
    assert!(v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["code"] != "eval::module-not-followed"));
    assert!(
        registry.auth.lock().unwrap().iter().all(|a| a == "Bearer s3cr3t") && !registry.auth.lock().unwrap().is_empty(),
        "TF_TOKEN_localhost is sent to the registry"
    );

    // A second run reads the cache alone: no request, the git repository gone too.
    let before = registry.requests.load(Ordering::SeqCst);
    std::fs::remove_dir_all(&repo).unwrap();
    let (again, _, code) = check(dir, &app, &cache, &["--download-modules"]);
    assert_eq!(code, 1);
    assert_eq!(registry.requests.load(Ordering::SeqCst), before, "cached");
    assert_eq!(module_findings(&again), found);
    // And without the flag the cache is read too.
    let (offline, _, _) = check(dir, &app, &cache, &[]);
    assert_eq!(module_findings(&offline), found);

    // `resources` says what each remote call was read from, and the version chosen.
    let out = Command::cargo_bin("infracheck")
        .unwrap()
        .current_dir(dir)
        .env("INFRACHECK_CACHE_DIR", &cache)
        .args(["resources", "--format", "json"])
        .arg(&app)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let read: Vec<(String, String, String)> = v["remote_modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["address"].as_str().unwrap().to_string(),
                m["version"].as_str().unwrap_or("-").to_string(),
                m["origin"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expect = |a: &str, v: &str| (a.to_string(), v.to_string(), "cache".to_string());
    assert_eq!(
        read,
        [
            expect("module.bastion", "1.1.0"),
            expect("module.db", "-"),
            expect("module.logs", "-"),
            expect("module.pinned", "-"),
        ]
    );
    assert!(v["modules_not_followed"].as_array().unwrap().is_empty());
}

/// A root module `app` below `dir` with `main.tf`.
fn app(dir: &Path, main_tf: &str) -> PathBuf {
    let app = dir.join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("main.tf"), main_tf).unwrap();
    app
}

#[test]
fn a_constraint_no_version_meets_and_an_unsupported_source_are_located_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let registry = Registry::start();
    let app = app(
        dir,
        &format!(
            "module \"vpc\" {{\n  source  = \"localhost:{}/acme/vpc/aws\"\n  version = \">= 3.0\"\n}}\n\nmodule \"s3\" {{\n  source = \"s3::https://s3.amazonaws.com/bucket/vpc.zip\"\n}}\n\nmodule \"bad\" {{\n  source  = \"localhost:{}/acme/vpc/aws\"\n  version = \">= banana\"\n}}\n",
            registry.port, registry.port
        ),
    );
    let (v, _, code) = check(dir, &app, &dir.join("cache"), &["--download-modules"]);
    let diags = v["diagnostics"].as_array().unwrap();
    let by_code = |c: &str| diags.iter().filter(|d| d["code"] == c).collect::<Vec<_>>();
    let download = by_code("eval::module-download");
    assert_eq!(download.len(), 2, "{diags:#?}");
    assert!(download.iter().any(|d| d["message"]
        .as_str()
        .unwrap()
        .contains("no version matches the constraint (the registry has 2.0.0, 1.1.0, 1.0.0)")));
    assert!(download
        .iter()
        .any(|d| d["message"].as_str().unwrap().contains("s3:: module sources")));
    assert_eq!(
        download.iter().map(|d| d["line"].as_u64().unwrap()).collect::<Vec<_>>(),
        vec![2, 7]
    );
    // A malformed constraint is an error, as `terraform init` makes it.
    let bad = by_code("eval::module-source");
    assert_eq!(bad.len(), 1, "{diags:#?}");
    assert_eq!(bad[0]["line"], 11);
    assert_eq!(code, 2);
}

#[test]
fn download_modules_in_the_configuration_is_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let registry = Registry::start();
    let app = app(
        dir,
        &format!(
            "module \"bastion\" {{\n  source  = \"localhost:{}/acme/vpc/aws\"\n  version = \"1.1.0\"\n  name    = \"b\"\n}}\n",
            registry.port
        ),
    );
    std::fs::write(dir.join(".infracheck.toml"), "download_modules = true\n").unwrap();
    let (v, _, _) = check(dir, &app, &dir.join("cache"), &[]);
    assert!(
        module_findings(&v)
            .iter()
            .any(|(_, a, _, _)| a == "module.bastion.aws_security_group.bastion"),
        "{v:#}"
    );
    assert!(registry.requests.load(Ordering::SeqCst) > 0);
}
