//! The pre-commit hook through the real pre-commit framework (`pip install pre-commit`):
//! `pre-commit try-repo` on this repository builds the hook (language: rust) and runs it on a
//! temporary git repository — once on a change that passes, once on one that fails. CI installs
//! pre-commit; elsewhere the test says it is skipped when pre-commit is missing. It builds
//! infracheck in release mode the first time, which takes minutes.

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .current_dir(dir)
        .args(args)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

const BACKEND: &str = r#"provider "aws" {
  region = "eu-central-1"
}

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }

  backend "s3" {
    bucket       = "acme-tf-state"
    key          = "app/terraform.tfstate"
    region       = "eu-central-1"
    encrypt      = true
    kms_key_id   = "alias/acme-tf-state"
    use_lockfile = true
  }
}
"#;

/// The key's own policy: its account administers it (IC-KMS-002 passes).
const KEY_POLICY: &str = r#"  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "KeyAdministration"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
"#;

/// pre-commit, building the hook (`cargo install`, as `language: rust` does) into one target
/// directory for every `try-repo`: each clones this repository afresh, and would otherwise build
/// infracheck from nothing each time.
fn pre_commit() -> Command {
    let mut c = Command::new("pre-commit");
    c.env(
        "CARGO_TARGET_DIR",
        concat!(env!("CARGO_TARGET_TMPDIR"), "/pre-commit-build"),
    );
    c
}

#[test]
fn the_hook_passes_a_clean_change_and_fails_a_bad_one() {
    let available = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install pre-commit (pip install pre-commit)"
        );
        eprintln!("skipped: pre-commit is not installed (pip install pre-commit)");
        return;
    }
    let repo = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["config", "user.email", "ci@example.com"]);
    git(dir.path(), &["config", "user.name", "CI"]);
    let key = |rotation: bool| {
        format!(
            "{BACKEND}\nresource \"aws_kms_key\" \"app\" {{\n  description         = \"app\"\n  enable_key_rotation = {rotation}\n{KEY_POLICY}}}\n"
        )
    };
    std::fs::write(dir.path().join("main.tf"), key(true)).unwrap();
    git(dir.path(), &["add", "main.tf"]);
    git(dir.path(), &["commit", "-q", "-m", "a key that rotates"]);
    let run = || {
        pre_commit()
            .current_dir(dir.path())
            .args(["try-repo", repo, "infracheck", "--files", "main.tf"])
            .output()
            .unwrap()
    };
    let out = run();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("infracheck") && text.contains("Passed"), "{text}");

    // The cost hook on a staged change: a second key is $1.00 a month more than HEAD.
    std::fs::write(
        dir.path().join("main.tf"),
        key(true) + "\nresource \"aws_kms_key\" \"logs\" {\n  description         = \"logs\"\n  enable_key_rotation = true\n}\n",
    )
    .unwrap();
    git(dir.path(), &["add", "main.tf"]);
    let out = pre_commit()
        .current_dir(dir.path())
        .args(["try-repo", repo, "infracheck-cost", "--files", "main.tf", "--verbose"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Monthly cost change against HEAD"), "{text}");
    assert!(text.contains("+ aws_kms_key.logs") && text.contains("+$1.00"), "{text}");
    git(dir.path(), &["commit", "-q", "-m", "a second key"]);

    std::fs::write(dir.path().join("main.tf"), key(false)).unwrap();
    git(dir.path(), &["commit", "-q", "-am", "a key that does not rotate"]);
    let out = run();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("Failed"), "{text}");
    assert!(text.contains("IC-KMS-001"), "{text}");
    assert!(text.contains("main.tf:"), "{text}");

    bundled_repository_changes(repo);
}

/// The bundled repository (its three environments and .infracheck.toml) as a user's: a change to
/// dev runs the hook on dev alone. Clean, it passes — the suppressions in staging's and prod's
/// files are not dev's to use, so they are not "unused"; with a key that does not rotate added, it fails on
/// that key.
fn bundled_repository_changes(repo: &str) {
    let dir = tempfile::tempdir().unwrap();
    let copy = |rel: &str| {
        let (from, to) = (Path::new(repo).join(rel), dir.path().join(rel));
        for entry in walk(&from) {
            let target = to.join(entry.strip_prefix(&from).unwrap());
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(&entry, &target).unwrap();
        }
    };
    copy("terraform");
    std::fs::copy(
        Path::new(repo).join(".infracheck.toml"),
        dir.path().join(".infracheck.toml"),
    )
    .unwrap();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["config", "user.email", "ci@example.com"]);
    git(dir.path(), &["config", "user.name", "CI"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "the bundled repository"]);
    let dev = "terraform/environments/dev/main.tf";
    let hook = || {
        let out = pre_commit()
            .current_dir(dir.path())
            .args(["try-repo", repo, "infracheck", "--files", dev, "--verbose"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        (out.status.success(), text)
    };
    let (ok, text) = hook();
    assert!(ok, "a clean change to dev passes: {text}");
    assert!(!text.contains("IC-SUP-001"), "{text}");
    assert!(
        !text.contains("environments/prod") && !text.contains("environments/staging"),
        "{text}"
    );

    let main = dir.path().join(dev);
    let mut tf = std::fs::read_to_string(&main).unwrap();
    tf.push_str("\nresource \"aws_kms_key\" \"scratch\" {\n  description         = \"scratch\"\n  enable_key_rotation = false\n}\n");
    std::fs::write(&main, tf).unwrap();
    git(
        dir.path(),
        &["commit", "-q", "-am", "a key that does not rotate, in dev"],
    );
    let (ok, text) = hook();
    assert!(!ok, "a bad change to dev fails: {text}");
    assert!(
        text.contains("aws_kms_key.scratch") && text.contains("IC-KMS-001"),
        "{text}"
    );
    assert!(!text.contains("IC-SUP-001"), "{text}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
