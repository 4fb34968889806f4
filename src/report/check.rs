//! `infracheck check` output: miette text grouped by environment and file, with a summary per
//! environment; or JSON (stable, documented in the README).

use crate::diag::Snippet;
use crate::diag::{Diagnostic, DiagnosticJson};
use crate::model::Project;
use crate::rules::engine::{Finding, Outcome};
use crate::rules::{Registry, Severity};
use crate::source::{SourceMap, Span};
use miette::LabeledSpan;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub color: bool,
    pub show_passed: bool,
    /// Only failures: no unresolved findings, no list of passed checks (the summary stays).
    pub quiet: bool,
    /// No source snippets: each finding is its location and message, and the fix.
    pub compact: bool,
}

/// A finding as miette renders it.
#[derive(Debug)]
struct Report {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<Snippet>,
    label: Option<LabeledSpan>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label
            .clone()
            .map(|l| Box::new(std::iter::once(l)) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

/// `file:line:col` of a span.
pub fn position(span: Span, sources: &SourceMap) -> String {
    let lc = sources.start(span);
    format!("{}:{}:{}", sources.path(span.file).display(), lc.line, lc.column)
}

/// The byte range miette labels: the span, cut to its first line.
fn first_line(span: Span, sources: &SourceMap) -> (Snippet, miette::SourceSpan) {
    let file = sources.get(span.file);
    let start = file.original_offset(span.start).min(file.text.len());
    let end = file.original_offset(span.end).clamp(start, file.text.len());
    let end = file.text[start..end].find('\n').map_or(end, |n| start + n);
    Snippet::of_file(&file, start, end)
}

fn miette_severity(f: &Finding) -> miette::Severity {
    match (f.outcome, f.severity) {
        (Outcome::Unresolved, _) | (_, Severity::Info) => miette::Severity::Advice,
        (_, Severity::Critical | Severity::High) => miette::Severity::Error,
        _ => miette::Severity::Warning,
    }
}

fn label(f: &Finding) -> String {
    match f.outcome {
        Outcome::Unresolved => f.undecided.label().into(),
        _ => format!("{} severity", f.severity),
    }
}

/// Findings in the order users see: environment, file path, position, rule, address. (File ids
/// follow the order files were read in, which parallel parsing does not fix.)
pub fn ordered<'a>(findings: &'a [Finding], sources: &SourceMap) -> Vec<&'a Finding> {
    let mut v: Vec<&Finding> = findings.iter().collect();
    v.sort_by_cached_key(|f| {
        (
            f.env.clone(),
            f.span.map(|s| (sources.path(s.file), s.start)),
            f.rule_id.clone(),
            f.address.clone(),
            f.outcome,
            f.message.clone(),
        )
    });
    v
}

pub fn text(
    registry: &Registry,
    projects: &[Project],
    findings: &[Finding],
    sources: &SourceMap,
    opts: &Options,
) -> String {
    let handler = miette::GraphicalReportHandler::new_themed(if opts.color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    })
    .with_width(100);
    let mut out = String::new();
    let findings = ordered(findings, sources);
    for p in projects {
        let mine: Vec<&Finding> = findings.iter().copied().filter(|f| *f.env == *p.env).collect();
        let _ = writeln!(out, "── {} ({}, profile {})", p.env, p.root.display(), p.profile);
        let mut file = None;
        for f in mine
            .iter()
            .filter(|f| f.outcome != Outcome::Pass && f.suppressed.is_none())
            .filter(|f| !opts.quiet || f.outcome == Outcome::Fail)
        {
            let this = f.span.map(|s| sources.path(s.file));
            if this != file {
                if let Some(path) = &this {
                    let _ = writeln!(out, "\n{}", path.display());
                }
                file = this;
            }
            let policy = &registry.policies[f.rule];
            let mut help = policy.remediation.clone();
            for v in &f.via {
                let _ = write!(help, "\nThe value comes from {}.", position(*v, sources));
            }
            if !f.refers_to.is_empty() {
                let _ = write!(help, "\n{}: {}.", f.undecided.refs_heading(), f.refers_to.join(", "));
            }
            let (source, label) = match f.span {
                Some(_) if opts.compact => (None, None),
                Some(span) => {
                    let (src, at) = first_line(span, sources);
                    (Some(src), Some(LabeledSpan::new_with_span(Some(label(f)), at)))
                }
                None => (None, None),
            };
            let location = f
                .span
                .map(|s| format!("{}: ", position(s, sources)))
                .unwrap_or_default();
            let r = Report {
                message: format!("{location}{} {}", f.address, f.message),
                code: format!("{} {}", f.rule_id, policy.name),
                severity: miette_severity(f),
                help: Some(help),
                source,
                label,
            };
            let _ = handler.render_report(&mut out, &r);
            out.push('\n');
        }
        if opts.show_passed && !opts.quiet {
            let passed: Vec<&&Finding> = mine.iter().filter(|f| f.outcome == Outcome::Pass).collect();
            if !passed.is_empty() {
                let _ = writeln!(out, "\npassed:");
                for f in passed {
                    let _ = writeln!(out, "  {} {}  {}", f.rule_id, registry.policies[f.rule].name, f.address);
                }
            }
        }
        let s = Summary::of(&mine);
        let _ = writeln!(out, "{}: {}\n", p.env, s.line());
    }
    if projects.len() > 1 {
        let _ = writeln!(out, "all environments: {}", Summary::of(&findings).line());
        // One root is named by its heading; several are listed, so a tree scan says what it read.
        let _ = writeln!(out, "{}", checked_roots(projects));
    }
    out
}

/// What the errors among the input's problems mean for the result, when there are any:
/// `the result is incomplete: 1 file could not be read or evaluated (2 errors)`. Every report
/// says it where it says whether the run is clean, so no report of a run with errors reads as clean.
pub fn incomplete(diags: &[Diagnostic]) -> Option<String> {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if errors == 0 {
        return None;
    }
    let files = crate::diag::files_with_errors(diags).len();
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    Some(if files == 0 {
        format!(
            "the result is incomplete: {} in the input",
            plural(errors, "error", "errors")
        )
    } else {
        format!(
            "the result is incomplete: {} could not be read or evaluated ({})",
            plural(files, "file", "files"),
            plural(errors, "error", "errors")
        )
    })
}

/// `checked 2 root modules: dev (terraform/environments/dev), examples/simple`: what a run read.
pub fn checked_roots(projects: &[Project]) -> String {
    let names: Vec<String> = projects
        .iter()
        .map(|p| {
            let dir = p.root.display().to_string();
            if dir == p.env {
                dir
            } else {
                format!("{} ({dir})", p.env)
            }
        })
        .collect();
    format!(
        "checked {} root module{}: {}",
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    )
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub failed_by_severity: BTreeMap<&'static str, usize>,
    pub unresolved: usize,
    pub suppressed: usize,
}

impl Summary {
    pub fn of(findings: &[&Finding]) -> Summary {
        let mut s = Summary::default();
        for f in findings {
            if f.suppressed.is_some() {
                s.suppressed += 1;
                continue;
            }
            match f.outcome {
                Outcome::Pass => s.passed += 1,
                Outcome::Unresolved => s.unresolved += 1,
                Outcome::Fail => {
                    s.failed += 1;
                    *s.failed_by_severity.entry(f.severity.as_str()).or_default() += 1;
                }
            }
        }
        s
    }

    pub fn line(&self) -> String {
        let by: Vec<String> = Severity::ALL
            .iter()
            .filter_map(|sev| {
                self.failed_by_severity
                    .get(sev.as_str())
                    .map(|n| format!("{n} {}", sev.as_str()))
            })
            .collect();
        let failed = if by.is_empty() {
            "0 failed".to_string()
        } else {
            format!("{} failed ({})", self.failed, by.join(", "))
        };
        format!(
            "{} passed, {failed}, {} unresolved, {} suppressed",
            self.passed, self.unresolved, self.suppressed
        )
    }
}

#[derive(Serialize)]
struct Location {
    file: String,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    rule_id: &'a str,
    rule_name: &'a str,
    title: &'a str,
    severity: Severity,
    category: &'a str,
    outcome: Outcome,
    env: &'a str,
    address: &'a str,
    /// The resource the finding is about: `address`, or the resource the companion at
    /// `address` configures.
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<&'a str>,
    /// The attribute or nested block the finding is about, within `address`.
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    message: &'a str,
    remediation: &'a str,
    aliases: &'a crate::rules::Aliases,
    refers_to: &'a [String],
    via: Vec<Location>,
    /// `{kind: inSource|external, justification}` when a suppression covers it.
    suppressed: Option<SuppressedJson<'a>>,
}

#[derive(Serialize)]
struct SuppressedJson<'a> {
    kind: &'a str,
    justification: &'a str,
}

#[derive(Serialize)]
struct CheckJson<'a> {
    version: &'static str,
    summary: BTreeMap<&'a str, Summary>,
    findings: Entries<'a>,
    diagnostics: Vec<DiagnosticJson>,
}

pub fn json(
    registry: &Registry,
    projects: &[Project],
    findings: &[Finding],
    diags: &[Diagnostic],
    sources: &SourceMap,
) -> String {
    let mut out = Vec::new();
    json_to(&mut out, registry, projects, findings, diags, sources).expect("writes to memory");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// The JSON report, written as it is serialized: each finding's entry is made when it is written,
/// so a large run never holds the report, or every entry of it, in memory at once.
pub fn json_to(
    out: &mut dyn std::io::Write,
    registry: &Registry,
    projects: &[Project],
    findings: &[Finding],
    diags: &[Diagnostic],
    sources: &SourceMap,
) -> std::io::Result<()> {
    let mut summary = BTreeMap::new();
    for p in projects {
        let mine: Vec<&Finding> = findings.iter().filter(|f| *f.env == *p.env).collect();
        summary.insert(p.env.as_str(), Summary::of(&mine));
    }
    let doc = CheckJson {
        version: env!("CARGO_PKG_VERSION"),
        summary,
        findings: Entries {
            registry,
            findings: ordered(findings, sources),
            sources,
        },
        diagnostics: diags.iter().map(|d| DiagnosticJson::new(d, sources)).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

/// The findings of a JSON report other than passes, in report order, serialized one by one.
struct Entries<'a> {
    registry: &'a Registry,
    findings: Vec<&'a Finding>,
    sources: &'a SourceMap,
}

impl Serialize for Entries<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.findings
                .iter()
                .filter(|f| f.outcome != Outcome::Pass)
                .map(|f| finding_json(self.registry, f, self.sources)),
        )
    }
}

fn finding_json<'a>(registry: &'a Registry, f: &'a Finding, sources: &SourceMap) -> FindingJson<'a> {
    let policy = &registry.policies[f.rule];
    let (file, start, end) = match f.span {
        Some(s) => {
            let file = sources.get(s.file);
            let start = file.line_col(s.start);
            let text_end = file.original_offset(s.end).min(file.text.len());
            let text_start = file.original_offset(s.start).min(text_end);
            // The end of the span's first line, as text shows it.
            let first = file.text[text_start..text_end]
                .find('\n')
                .map_or(s.end, |n| s.start + n);
            let end = file.line_col(first.max(s.start));
            (Some(sources.path(s.file).display().to_string()), Some(start), Some(end))
        }
        None => (None, None, None),
    };
    FindingJson {
        rule_id: &f.rule_id,
        rule_name: &policy.name,
        title: &policy.title,
        severity: f.severity,
        category: policy.category.as_str(),
        outcome: f.outcome,
        env: &f.env,
        address: &f.address,
        resource: f.resource.as_deref(),
        path: f.path.as_deref(),
        file,
        line: start.map(|l| l.line),
        column: start.map(|l| l.column),
        end_line: end.map(|l| l.line),
        end_column: end.map(|l| l.column),
        message: &f.message,
        remediation: &policy.remediation,
        aliases: &policy.aliases,
        refers_to: &f.refers_to,
        via: f
            .via
            .iter()
            .map(|v| {
                let lc = sources.start(*v);
                Location {
                    file: sources.path(v.file).display().to_string(),
                    line: lc.line,
                    column: lc.column,
                }
            })
            .collect(),
        suppressed: f.suppressed.as_ref().map(|s| SuppressedJson {
            kind: s.kind,
            justification: &s.justification,
        }),
    }
}
