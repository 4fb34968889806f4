//! The resource inventory (`infracheck resources`): text and JSON.

use crate::diag::DiagnosticJson;
use crate::model::value::to_hcl;
use crate::model::{Mode, Project, Resource, Value};
use crate::source::SourceMap;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;

fn location(r: &Resource, sources: &SourceMap) -> (String, usize, usize) {
    let lc = sources.start(r.span);
    (sources.path(r.span.file).display().to_string(), lc.line, lc.column)
}

/// The value with every sensitive part below `path` replaced by null.
fn redacted(r: &Resource, path: &str, v: &Value) -> Value {
    if r.is_sensitive(path) {
        return Value::Null;
    }
    if !r.sensitive.iter().any(|s| s.starts_with(path)) {
        return v.clone();
    }
    match v {
        Value::List(items) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| redacted(r, &format!("{path}[{i}]"), x))
                .collect(),
        ),
        Value::Open(o) => Value::Map(
            o.attrs
                .iter()
                .map(|(k, x)| (k.clone(), redacted(r, &format!("{path}.{k}"), x)))
                .collect(),
        ),
        Value::Map(m) => Value::Map(
            m.iter()
                .map(|(k, x)| (k.clone(), redacted(r, &format!("{path}.{k}"), x)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn region_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => to_hcl(other),
    }
}

pub fn text(projects: &[Project], sources: &SourceMap, values: bool) -> String {
    let mut out = String::new();
    for (i, p) in projects.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let managed = p.resources.iter().filter(|r| r.mode == Mode::Managed).count();
        let data = p.resources.len() - managed;
        let root = p.root.display().to_string();
        if root == p.env {
            let _ = writeln!(out, "{root}: {managed} resources, {data} data sources");
        } else {
            let _ = writeln!(out, "{} ({root}): {managed} resources, {data} data sources", p.env);
        }
        let rows: Vec<(String, String, String, String)> = p
            .resources
            .iter()
            .map(|r| {
                let (f, l, c) = location(r, sources);
                (
                    r.address.clone(),
                    r.resource_type.clone(),
                    region_text(&r.region),
                    format!("{f}:{l}:{c}"),
                )
            })
            .collect();
        let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
        let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
        let w2 = rows.iter().map(|r| r.2.len()).max().unwrap_or(0);
        for (row, r) in rows.iter().zip(&p.resources) {
            let _ = writeln!(out, "  {:w0$}  {:w1$}  {:w2$}  {}", row.0, row.1, row.2, row.3);
            if values {
                for (k, v) in &r.attributes {
                    let shown = if r.is_sensitive(k) {
                        "(sensitive)".to_string()
                    } else {
                        to_hcl(&redacted(r, k, v))
                    };
                    let _ = writeln!(out, "      {k} = {shown}");
                }
            }
        }
        for m in &p.remote_modules {
            let version = m.version.as_deref().map(|v| format!(" {v}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} ← {}{version} ({}: {})",
                m.address,
                m.source,
                m.origin,
                crate::source::display_path(&m.dir).display()
            );
        }
        for m in &p.external_modules {
            let _ = writeln!(out, "  {} (not followed: {})", m.address, m.source);
        }
    }
    out
}

#[derive(Serialize)]
struct ResourceJson {
    address: String,
    #[serde(rename = "type")]
    resource_type: String,
    mode: Mode,
    region: Option<String>,
    provider: String,
    file: String,
    line: usize,
    column: usize,
    attributes: serde_json::Value,
    unknown: Vec<String>,
    refers_to: BTreeMap<String, Vec<String>>,
    sensitive: Vec<String>,
}

#[derive(Serialize)]
struct RemoteJson {
    address: String,
    source: String,
    version: Option<String>,
    /// `terraform init`, `cache` or `downloaded`.
    origin: &'static str,
    dir: String,
    file: String,
    line: usize,
}

#[derive(Serialize)]
struct ExternalJson {
    address: String,
    source: String,
    file: String,
    line: usize,
}

/// A project as JSON, serialized as it is written: one resource's JSON at a time, never the
/// whole document (a million instances would not fit in memory as one value or one string).
struct ProjectJson<'a> {
    p: &'a Project,
    sources: &'a SourceMap,
}

impl Serialize for ProjectJson<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (p, sources) = (self.p, self.sources);
        let mut st = ser.serialize_struct("ProjectJson", 6)?;
        st.serialize_field("env", &p.env)?;
        st.serialize_field("root", &p.root.display().to_string())?;
        st.serialize_field("resources", &Resources { p, sources })?;
        // Remote module calls that were read (from .terraform/modules or the module cache).
        st.serialize_field("remote_modules", &remote_modules(p, sources))?;
        st.serialize_field("modules_not_followed", &modules_not_followed(p, sources))?;
        // One per problem and place: what each instance of a module call met is grouped.
        let diagnostics: Vec<DiagnosticJson> = crate::diag::group_instances(p.diagnostics.clone())
            .iter()
            .map(|d| DiagnosticJson::new(d, sources))
            .collect();
        st.serialize_field("diagnostics", &diagnostics)?;
        st.end()
    }
}

struct Resources<'a> {
    p: &'a Project,
    sources: &'a SourceMap,
}

impl Serialize for Resources<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.collect_seq(self.p.resources.iter().map(|r| resource_json(r, self.sources)))
    }
}

fn resource_json(r: &Resource, sources: &SourceMap) -> ResourceJson {
    let (file, line, column) = location(r, sources);
    let unknowns = r.unknown_paths();
    let attributes = serde_json::Value::Object(
        r.attributes
            .iter()
            .map(|(k, v)| (k.clone(), redacted(r, k, v).to_json_with(&|_| serde_json::Value::Null)))
            .collect(),
    );
    ResourceJson {
        address: r.address.clone(),
        resource_type: r.resource_type.clone(),
        mode: r.mode,
        region: r.region.as_str().map(str::to_string),
        provider: r.provider.clone(),
        file,
        line,
        column,
        attributes,
        unknown: unknowns.iter().map(|(p, _)| p.clone()).collect(),
        refers_to: unknowns.into_iter().map(|(p, u)| (p, u.refs)).collect(),
        sensitive: r.sensitive.iter().cloned().collect(),
    }
}

fn remote_modules(p: &Project, sources: &SourceMap) -> Vec<RemoteJson> {
    p.remote_modules
        .iter()
        .map(|m| RemoteJson {
            address: m.address.clone(),
            source: m.source.clone(),
            version: m.version.clone(),
            origin: m.origin,
            dir: crate::source::display_path(&m.dir).display().to_string(),
            file: sources.path(m.span.file).display().to_string(),
            line: sources.start(m.span).line,
        })
        .collect()
}

fn modules_not_followed(p: &Project, sources: &SourceMap) -> Vec<ExternalJson> {
    p.external_modules
        .iter()
        .map(|m| ExternalJson {
            address: m.address.clone(),
            source: m.source.clone(),
            file: sources.path(m.span.file).display().to_string(),
            line: sources.start(m.span).line,
        })
        .collect()
}

/// Writes one object per project (several projects make an array of them) to `out` as it
/// serializes, then a newline.
pub fn write_json(projects: &[Project], sources: &SourceMap, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let docs: Vec<ProjectJson> = projects.iter().map(|p| ProjectJson { p, sources }).collect();
    let mut out = std::io::BufWriter::new(out);
    if docs.len() == 1 {
        serde_json::to_writer_pretty(&mut out, &docs[0])?;
    } else {
        serde_json::to_writer_pretty(&mut out, &docs)?;
    }
    out.write_all(b"\n")?;
    out.flush()
}
