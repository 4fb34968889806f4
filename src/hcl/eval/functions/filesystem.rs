//! Filesystem functions. Relative paths resolve against the root module's directory (Terraform's
//! working directory); nothing outside the scanned tree is read, so a scan of untrusted code cannot
//! read the machine's files.

use super::crypto::{hash_b64, hash_hex};
use super::{arity, map_arg, str_arg, FnResult};
use crate::hcl::eval::{Ctx, FsAccess, Scope};
use crate::model::Value;
use base64::Engine as _;
use std::path::{Path, PathBuf};

fn resolve(fs: &FsAccess, p: &str) -> Result<PathBuf, String> {
    let path = Path::new(p);
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        fs.module_dir.join(path)
    };
    let normalized = crate::source::normalize(&joined);
    let root = crate::source::normalize(&fs.allowed_root);
    let canonical = normalized.canonicalize().unwrap_or_else(|_| normalized.clone());
    let root_canonical = root.canonicalize().unwrap_or(root);
    if !canonical.starts_with(&root_canonical) {
        return Err(format!(
            "{p} is outside the repository being scanned ({}); infracheck reads files only inside it",
            root_canonical.display()
        ));
    }
    Ok(canonical)
}

fn read(fs: &FsAccess, p: &str) -> Result<Vec<u8>, String> {
    let path = resolve(fs, p)?;
    std::fs::read(&path).map_err(|e| format!("failed to read file {p:?}: {e}"))
}

fn read_text(fs: &FsAccess, p: &str) -> Result<String, String> {
    String::from_utf8(read(fs, p)?).map_err(|_| format!("contents of {p} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead"))
}

fn path1(a: &[Value]) -> Result<String, String> {
    arity(a, 1)?;
    str_arg(a, 0)
}

pub fn file(a: &[Value], fs: &FsAccess) -> FnResult {
    Ok(Value::String(read_text(fs, &path1(a)?)?))
}

pub fn filebase64(a: &[Value], fs: &FsAccess) -> FnResult {
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(read(fs, &path1(a)?)?),
    ))
}

pub fn fileexists(a: &[Value], fs: &FsAccess) -> FnResult {
    let p = path1(a)?;
    let path = resolve(fs, &p)?;
    match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => Ok(Value::Bool(true)),
        Ok(_) => Err(format!("{p} is not a regular file, but {:?}", "directory")),
        Err(_) => Ok(Value::Bool(false)),
    }
}

pub fn filemd5(a: &[Value], fs: &FsAccess) -> FnResult {
    Ok(Value::String(hash_hex("md5", &read(fs, &path1(a)?)?)))
}

pub fn filesha1(a: &[Value], fs: &FsAccess) -> FnResult {
    Ok(Value::String(hash_hex("sha1", &read(fs, &path1(a)?)?)))
}

pub fn filesha256(a: &[Value], fs: &FsAccess) -> FnResult {
    Ok(Value::String(hash_hex("sha256", &read(fs, &path1(a)?)?)))
}

pub fn filesha512(a: &[Value], fs: &FsAccess) -> FnResult {
    Ok(Value::String(hash_hex("sha512", &read(fs, &path1(a)?)?)))
}

pub fn filebase64sha256(a: &[Value], fs: &FsAccess) -> FnResult {
    Ok(Value::String(hash_b64("sha256", &read(fs, &path1(a)?)?)))
}

pub fn filebase64sha512(a: &[Value], fs: &FsAccess) -> FnResult {
    Ok(Value::String(hash_b64("sha512", &read(fs, &path1(a)?)?)))
}

pub fn fileset(a: &[Value], fs: &FsAccess) -> FnResult {
    arity(a, 2)?;
    let base = str_arg(a, 0)?;
    let pattern = str_arg(a, 1)?;
    let dir = resolve(fs, &base)?;
    let glob = globset::GlobBuilder::new(&pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("failed to glob pattern {pattern:?}: {e}"))?
        .compile_matcher();
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&dir).follow_links(false).into_iter().flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        if let Ok(rel) = entry.path().strip_prefix(&dir) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            if glob.is_match(&rel) {
                out.push(Value::String(rel));
            }
        }
    }
    Ok(Value::set(out))
}

pub fn abspath(a: &[Value], fs: &FsAccess) -> FnResult {
    let p = path1(a)?;
    let path = Path::new(&p);
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        fs.module_dir.join(path)
    };
    Ok(Value::String(
        crate::source::normalize(&abs).to_string_lossy().into_owned(),
    ))
}

pub fn basename(a: &[Value], _fs: &FsAccess) -> FnResult {
    let p = path1(a)?;
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(Value::String(if p.is_empty() { ".".into() } else { "/".into() }));
    }
    Ok(Value::String(trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()))
}

pub fn dirname(a: &[Value], _fs: &FsAccess) -> FnResult {
    let p = path1(a)?;
    // Go's filepath.Dir: everything before the last separator, cleaned.
    let dir = match p.rfind('/') {
        Some(0) => "/".to_string(),
        Some(i) => p[..i].to_string(),
        None => ".".to_string(),
    };
    let cleaned = crate::source::normalize(Path::new(&dir)).to_string_lossy().into_owned();
    Ok(Value::String(if cleaned.is_empty() { ".".into() } else { cleaned }))
}

pub fn pathexpand(a: &[Value], _fs: &FsAccess) -> FnResult {
    let p = path1(a)?;
    match p.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
            let home = std::env::var("HOME").map_err(|_| "HOME is not set".to_string())?;
            Ok(Value::String(format!("{home}{rest}")))
        }
        _ => Ok(Value::String(p)),
    }
}

thread_local! {
    /// Whether this thread is rendering a `templatefile` template (rendering never leaves the
    /// thread it started on).
    static IN_TEMPLATEFILE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks the thread as rendering a template until dropped.
struct RenderingTemplate;

impl RenderingTemplate {
    fn enter() -> Result<Self, String> {
        if IN_TEMPLATEFILE.with(|c| c.replace(true)) {
            // As Terraform: a template may not render another (or itself) through templatefile.
            return Err("cannot recursively call templatefile from inside another templatefile call".into());
        }
        Ok(RenderingTemplate)
    }
}

impl Drop for RenderingTemplate {
    fn drop(&mut self) {
        IN_TEMPLATEFILE.with(|c| c.set(false));
    }
}

pub fn templatefile(a: &[Value], fs: &FsAccess) -> FnResult {
    arity(a, 2)?;
    let _rendering = RenderingTemplate::enter()?;
    let p = str_arg(a, 0)?;
    let text = read_text(fs, &p)?;
    let vars = map_arg(a, 1)?;
    // hcl-edit descends recursively: a template nested past the limit is refused first.
    crate::hcl::nesting::check_template(&text).map_err(|e| {
        let (line, col) = line_col(&text, e.offset);
        format!("{p}:{line}:{col}: {}", e.message)
    })?;
    let template = hcl_edit::parser::parse_template(&text).map_err(|e| {
        let loc = e.location();
        format!("{p}:{}:{}: invalid template: {}", loc.line(), loc.column(), e.message())
    })?;
    let scope = Scope {
        fs: fs.clone(),
        ..Scope::default()
    };
    let mut ctx = Ctx::new(&scope, crate::source::FileId(u32::MAX));
    for (k, v) in vars {
        if !k.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_') {
            return Err(format!("invalid template variable name {k:?}: must start with a letter, followed by zero or more letters, digits, and underscores"));
        }
        ctx.bindings.push((k, v));
    }
    crate::hcl::eval::expr::render_template(&template, &ctx).map_err(|e| match e.span {
        Some(span) => {
            let (line, col) = line_col(&text, span.start);
            format!("{p}:{line}:{col}: {}", e.message)
        }
        None => format!("{p}: {}", e.message),
    })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}
