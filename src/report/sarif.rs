//! SARIF 2.1.0 for GitHub code scanning, built with the sarif_rust types: one run; the driver with
//! every rule that ran; a result per failure (and per unresolved outcome, as a note) with a
//! physical location relative to `%SRCROOT%`, a logical location (the resource address) and a
//! partial fingerprint that survives unrelated edits; and one invocation whose tool execution
//! notifications are the problems with the input.

use super::INFORMATION_URI;
use crate::diag::{self, Diagnostic};
use crate::model::Project;
use crate::rules::engine::{Finding, Outcome};
use crate::rules::{Policy, Registry, Severity};
use crate::source::{SourceMap, Span};
use sarif_rust::types::{
    ArtifactLocation, Invocation, Level, Location, LogicalLocation, Message, MultiformatMessage, Notification,
    NotificationLevel, PhysicalLocation, Region, ReportingConfiguration, ReportingDescriptor,
    ReportingDescriptorReference, Result as SarifResult, Run, SarifLog, Tool, ToolComponent,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

/// GitHub's `security-severity` for each severity (its bands: critical ≥ 9.0, high ≥ 7.0, medium
/// ≥ 4.0, low > 0).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

fn level(s: Severity) -> Level {
    match s {
        Severity::Critical | Severity::High => Level::Error,
        Severity::Medium | Severity::Low => Level::Warning,
        Severity::Info => Level::Note,
    }
}

fn level_name(s: Severity) -> &'static str {
    match level(s) {
        Level::Error => "error",
        Level::Warning => "warning",
        _ => "note",
    }
}

fn text(s: impl Into<String>) -> MultiformatMessage {
    let mut m = MultiformatMessage::new(s.into());
    m.markdown = None;
    m
}

fn descriptor(p: &Policy) -> ReportingDescriptor {
    let mut d = ReportingDescriptor::new(p.id.clone());
    d.name = Some(p.name.clone());
    d.short_description = Some(text(p.title.clone()));
    d.full_description = Some(text(p.what.clone()));
    let good = p.examples().good.first().map(|g| g.trim_end()).unwrap_or("");
    let mut help = MultiformatMessage::new(p.remediation.clone());
    help.markdown = Some(format!(
        "{}\n\n**Why it matters.** {}\n\n**Fix.** {}\n\n```hcl\n{good}\n```\n\n`infracheck explain {}` shows bad and good examples.",
        p.what, p.rationale, p.remediation, p.id
    ));
    d.help = Some(help);
    d.help_uri = Some(
        p.references
            .first()
            .cloned()
            .unwrap_or_else(|| format!("{INFORMATION_URI}/blob/main/policies/README.md")),
    );
    d.default_configuration = Some(ReportingConfiguration {
        enabled: None,
        level: Some(match level(p.severity) {
            Level::Error => NotificationLevel::Error,
            Level::Warning => NotificationLevel::Warning,
            _ => NotificationLevel::Note,
        }),
        parameters: None,
        properties: None,
    });
    let mut tags: Vec<String> = vec!["security".into(), p.category.as_str().into(), "terraform".into()];
    tags.extend(p.aliases.checkov.iter().chain(&p.aliases.trivy).cloned());
    tags.truncate(20);
    let mut properties = json!({
        "security-severity": security_severity(p.severity),
        "tags": tags,
        "precision": "very-high",
        "problem.severity": level_name(p.severity),
    });
    // Where the requirement comes from stays out of the help a reviewer reads (that is the risk
    // and the fix) and goes with the rule's metadata instead.
    if let Some(source) = &p.source {
        properties["source"] = json!(source);
    }
    d.properties = Some(property_bag(properties));
    d
}

/// A fingerprint that stays the same when unrelated lines move: rule, file, address and attribute.
pub fn fingerprint(f: &Finding, file: &str) -> String {
    let mut h = Sha256::new();
    for part in [&f.rule_id, file, f.address.as_str(), f.path.as_deref().unwrap_or("")] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let digest = h.finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The repository's root: the nearest directory at or above the working directory holding `.git`,
/// else the working directory. SARIF locations are relative to it, as GitHub expects.
fn repository_root() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    cwd.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
        .unwrap_or(cwd)
}

/// A file's location: relative to `%SRCROOT%` when it is inside the repository, else absolute.
fn artifact(path: &Path, root: &Path) -> (ArtifactLocation, String) {
    let abs = crate::source::normalize(&std::env::current_dir().unwrap_or_default().join(path));
    match abs.strip_prefix(root) {
        Ok(rel) => {
            let uri: Vec<String> = rel
                .components()
                .map(|c| percent_encoding::utf8_percent_encode(&c.as_os_str().to_string_lossy(), URI_SET).to_string())
                .collect();
            let uri = uri.join("/");
            (ArtifactLocation::new(uri.clone()).with_uri_base_id(SRCROOT), uri)
        }
        Err(_) => {
            let uri = format!("file://{}", abs.display());
            (ArtifactLocation::new(uri.clone()), uri)
        }
    }
}

const URI_SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// A span's file and region: the region covers the span's first line, as the text reports show it.
/// Also returns the URI, which the fingerprint uses.
fn physical_location(span: Span, sources: &SourceMap, root: &Path) -> (PhysicalLocation, String) {
    let (location_uri, uri) = artifact(&sources.path(span.file), root);
    let source = sources.get(span.file);
    let start = source.line_col(span.start);
    let text_start = source.original_offset(span.start).min(source.text.len());
    let text_end = source.original_offset(span.end).clamp(text_start, source.text.len());
    let first_end = source.text[text_start..text_end]
        .find('\n')
        .map_or(span.end, |n| span.start + n);
    let end = source.line_col(first_end.max(span.start));
    let end_column = if end.line == start.line {
        end.column.max(start.column + 1)
    } else {
        start.column + 1
    };
    let region = Region::from_coordinates(
        start.line as i32,
        start.column as i32,
        start.line as i32,
        end_column as i32,
    );
    (
        PhysicalLocation::with_artifact_location(location_uri).with_region(region),
        uri,
    )
}

/// The run's one invocation. Problems with the input (parse and evaluation errors, modules not
/// followed) are about the run, not about a rule, so they are tool execution notifications rather
/// than results; the run did not succeed when any of them is an error, since part of the input
/// went unchecked.
fn invocation(diags: &[Diagnostic], sources: &SourceMap, root: &Path) -> Invocation {
    let notifications: Vec<Notification> = diags
        .iter()
        .map(|d| Notification {
            locations: d.span.map(|span| {
                vec![Location::with_physical_location(
                    physical_location(span, sources, root).0,
                )]
            }),
            message: Message::new(d.message.clone()),
            level: Some(match d.severity {
                diag::Severity::Error => NotificationLevel::Error,
                diag::Severity::Warning => NotificationLevel::Warning,
            }),
            thread_id: None,
            time_utc: None,
            exception: None,
            descriptor: Some(ReportingDescriptorReference {
                id: Some(d.code.to_string()),
                index: None,
                guid: None,
                tool_component: None,
                properties: None,
            }),
            associated_rule: None,
            properties: d.help.as_ref().map(|h| property_bag(json!({ "help": h }))),
        })
        .collect();
    let mut invocation = Invocation::new().with_execution_successful(!diags.iter().any(Diagnostic::is_error));
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    invocation
}

pub fn sarif(
    registry: &Registry,
    projects: &[Project],
    findings: &[Finding],
    diags: &[Diagnostic],
    sources: &SourceMap,
) -> String {
    let ran: BTreeSet<usize> = registry
        .policies
        .iter()
        .enumerate()
        .filter(|(_, p)| projects.iter().any(|pr| p.applies_to(&pr.profile)))
        .map(|(i, _)| i)
        .collect();
    let index_of: HashMap<usize, usize> = ran.iter().enumerate().map(|(n, i)| (*i, n)).collect();
    let mut driver = ToolComponent::new("infracheck");
    driver.semantic_version = Some(env!("CARGO_PKG_VERSION").into());
    driver.version = Some(env!("CARGO_PKG_VERSION").into());
    driver.information_uri = Some(INFORMATION_URI.into());
    driver.rules = Some(ran.iter().map(|&i| descriptor(&registry.policies[i])).collect());
    let root = repository_root();
    let mut results = Vec::new();
    // In the reports' order, by file path: file ids are handed out as files are parsed, in
    // parallel, so their order differs between runs.
    for f in super::check::ordered(findings, sources)
        .into_iter()
        .filter(|f| f.outcome != Outcome::Pass)
    {
        let mut r = SarifResult::new(Message::new(format!("{} {}", f.address, f.message)));
        r.rule_id = Some(f.rule_id.to_string());
        r.rule_index = index_of.get(&f.rule).map(|n| *n as i32);
        r.level = Some(if f.outcome == Outcome::Unresolved {
            Level::Note
        } else {
            level(f.severity)
        });
        let mut file_shown = String::new();
        let mut location = Location::new();
        // A deployed resource (`infracheck live`) is its ARN: a logical location only.
        let arn = f
            .span
            .map(|s| sources.path(s.file).display().to_string())
            .filter(|p| p.starts_with("arn:"));
        if let Some(arn) = &arn {
            file_shown = arn.clone();
            let kind = f.address.split('[').next().unwrap_or("resource").to_string();
            location = location.add_logical_location(
                LogicalLocation::with_name(f.address.clone())
                    .with_fully_qualified_name(arn.clone())
                    .with_kind(kind),
            );
        } else if let Some(span) = f.span {
            let (physical, uri) = physical_location(span, sources, &root);
            file_shown = uri;
            location = Location::with_physical_location(physical);
        }
        if arn.is_none() {
            location = location.add_logical_location(
                LogicalLocation::with_name(f.address.clone())
                    .with_fully_qualified_name(format!("{}:{}", f.env, f.address))
                    .with_kind("resource"),
            );
        }
        r.locations = Some(vec![location]);
        let mut fp = HashMap::new();
        fp.insert("infracheck/v1".to_string(), fingerprint(f, &file_shown));
        r.partial_fingerprints = Some(fp);
        let mut props = json!({
            "outcome": f.outcome.as_str(),
            "severity": f.severity.as_str(),
            "env": f.env,
        });
        if !f.refers_to.is_empty() {
            props["refersTo"] = json!(f.refers_to);
        }
        r.properties = Some(property_bag(props));
        if let Some(s) = &f.suppressed {
            r.suppressions = Some(vec![sarif_rust::types::Suppression {
                kind: s.kind.to_string(),
                status: None,
                justification: Some(s.justification.clone()),
                location: None,
                guid: None,
                properties: None,
            }]);
        }
        results.push(r);
    }
    let mut run = Run::new(Tool {
        driver,
        extensions: None,
        properties: None,
    });
    let mut bases = HashMap::new();
    bases.insert(
        SRCROOT.to_string(),
        ArtifactLocation::new(format!("file://{}/", root.display())),
    );
    run.original_uri_base_ids = Some(bases);
    run.results = Some(results);
    run.invocations = Some(vec![invocation(diags, sources, &root)]);
    let mut log = SarifLog::new("2.1.0");
    log.schema = Some(SCHEMA.into());
    log.runs = vec![run];
    let value = serde_json::to_value(&log).expect("serializable");
    let mut out = serde_json::to_string_pretty(&canonical(value)).expect("serializable");
    out.push('\n');
    out
}

/// A SARIF property bag. The sarif_rust types flatten their `properties` field into the object, so
/// the bag goes in under the key `properties`.
fn property_bag(bag: Value) -> HashMap<String, Value> {
    HashMap::from([("properties".to_string(), bag)])
}

/// Drops the members the types leave null (SARIF has no nulls) and sorts object keys, so no
/// HashMap order reaches the file.
fn canonical(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> = m
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, canonical(v)))
                .collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(canonical).collect()),
        other => other,
    }
}
