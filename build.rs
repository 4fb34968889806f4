//! Embeds the IAM action table as static data, and the policies: each `policies/**/*.toml` is parsed here, at build time, and embedded as
//! JSON (`$OUT_DIR/policies.rs`), which the binary reads several times faster than TOML on every
//! run. A policy file that is not TOML fails the build, naming the file.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    iam_actions();
    println!("cargo:rerun-if-changed=policies");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let mut out = String::from(
        "/// The embedded policies: (path under the repository, the file as JSON without its examples, the examples).\n",
    );
    out.push_str("pub static POLICIES: &[(&str, &str, &str)] = &[\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut value: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        // The examples are read only by `explain`, SARIF's help and the tests: apart, so a check
        // does not parse them.
        let examples = value
            .remove("examples")
            .unwrap_or_else(|| panic!("{}: missing field `examples`", file.display()));
        for kind in ["bad", "good"] {
            let listed = examples.get(kind).and_then(|v| v.as_array()).map_or(0, |a| a.len());
            assert!(
                listed > 0,
                "{}: a policy needs at least one bad and one good example",
                file.display()
            );
        }
        let json = serde_json::to_string(&value).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let examples = serde_json::to_string(&examples).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let rel = Path::new("policies").join(file.strip_prefix(&root).unwrap());
        let rel = rel.to_str().expect("policy paths are UTF-8").replace('\\', "/");
        writeln!(out, "    ({rel:?}, {json:?}, {examples:?}),").unwrap();
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("policies.rs");
    std::fs::write(dest, out).unwrap();
}

/// The IAM action table (`src/rules/graph/iam_actions.tsv`) as static arrays
/// (`$OUT_DIR/iam_actions.rs`): every action in the order of its `service:Action` name, and each
/// service's range of it, so nothing is read or sorted at run time.
fn iam_actions() {
    let tsv = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules/graph/iam_actions.tsv");
    println!("cargo:rerun-if-changed={}", tsv.display());
    let text = std::fs::read_to_string(&tsv).unwrap_or_else(|e| panic!("{}: {e}", tsv.display()));
    let mut actions: Vec<(String, String, &str, bool)> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [service, level, scoped, names] = cols[..] else {
            panic!("{}: a line needs four columns: {line}", tsv.display());
        };
        let level = match level {
            "L" => "List",
            "R" => "Read",
            "W" => "Write",
            "P" => "Permissions",
            "T" => "Tagging",
            other => panic!("{}: unknown access level {other:?}", tsv.display()),
        };
        for name in names.split(',') {
            actions.push((service.to_string(), name.to_string(), level, scoped == "r"));
        }
    }
    actions.sort_by(|a, b| format!("{}:{}", a.0, a.1).cmp(&format!("{}:{}", b.0, b.1)));
    let mut out = String::from("/// Every IAM action, in the order of its `service:Action` name.\n");
    out.push_str("pub static ACTIONS: &[Action] = &[\n");
    let mut services: Vec<(String, usize, usize)> = Vec::new();
    for (i, (service, name, level, scoped)) in actions.iter().enumerate() {
        writeln!(
            out,
            "    Action {{ service: {service:?}, name: {name:?}, level: Level::{level}, scoped: {scoped} }},"
        )
        .unwrap();
        match services.last_mut() {
            Some((s, _, end)) if s == service => *end = i + 1,
            _ => services.push((service.clone(), i, i + 1)),
        }
    }
    out.push_str("];\n/// Each service prefix and its actions' range of [`ACTIONS`], in that order.\n");
    out.push_str("pub static SERVICES: &[(&str, usize, usize)] = &[\n");
    for (s, start, end) in &services {
        writeln!(out, "    ({s:?}, {start}, {end}),").unwrap();
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("iam_actions.rs");
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
