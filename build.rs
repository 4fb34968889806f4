//! Embeds the policies: each `policies/**/*.toml` is parsed here, at build time, and embedded as
//! JSON (`$OUT_DIR/policies.rs`), which the binary reads several times faster than TOML on every
//! run. A policy file that is not TOML fails the build, naming the file.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=policies");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let mut out = String::from("/// The embedded policies: (path under the repository, the file as JSON).\n");
    out.push_str("pub static POLICIES: &[(&str, &str)] = &[\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let value: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let json = serde_json::to_string(&value).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let rel = Path::new("policies").join(file.strip_prefix(&root).unwrap());
        let rel = rel.to_str().expect("policy paths are UTF-8").replace('\\', "/");
        writeln!(out, "    ({rel:?}, {json:?}),").unwrap();
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("policies.rs");
    std::fs::write(dest, out).unwrap();
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|x| x == "toml") {
            out.push(path);
        }
    }
}
