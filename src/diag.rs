//! Diagnostics about the input (parse errors, evaluation errors, notes such as "remote module not
//! followed") and their rendering through miette. Findings of policies are not diagnostics.

use crate::source::{SourceMap, Span};
use miette::{LabeledSpan, NamedSource};
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A problem with the input, located where possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable code, e.g. `hcl::parse`, `eval::unknown-function`.
    pub code: &'static str,
    pub message: String,
    pub span: Option<Span>,
    /// What the label under the snippet says.
    pub label: Option<String>,
    pub help: Option<String>,
    /// An evaluation error that Terraform reports only at plan time, for want of inputs the
    /// pipeline supplies (a module's null defaults, a generated file): a warning, whose value
    /// becomes unknown, and an error under `--strict`. What `terraform validate` rejects is an
    /// error from the start.
    pub plan_time: bool,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>, span: Option<Span>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span,
            label: None,
            help: None,
            plan_time: false,
        }
    }

    /// An evaluation error Terraform would report only at plan time (see [`Diagnostic::plan_time`]).
    pub fn plan_time(code: &'static str, message: impl Into<String>, span: Option<Span>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            plan_time: true,
            ..Diagnostic::error(code, message, span)
        }
    }

    /// `--strict`: a plan-time evaluation error is an error.
    pub fn strict(mut self) -> Self {
        if self.plan_time {
            self.severity = Severity::Error;
        }
        self
    }

    pub fn warning(code: &'static str, message: impl Into<String>, span: Option<Span>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message, span)
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A diagnostic as JSON output shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticJson {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub help: Option<String>,
}

impl DiagnosticJson {
    pub fn new(d: &Diagnostic, sources: &SourceMap) -> Self {
        let (file, line, column) = match d.span {
            Some(span) => {
                let lc = sources.start(span);
                (
                    Some(sources.path(span.file).display().to_string()),
                    Some(lc.line),
                    Some(lc.column),
                )
            }
            None => (None, None, None),
        };
        DiagnosticJson {
            severity: d.severity,
            code: d.code,
            message: d.message.clone(),
            file,
            line,
            column,
            help: d.help.clone(),
        }
    }
}

/// Adapter that lets miette render a [`Diagnostic`] with its snippet.
#[derive(Debug)]
pub struct Rendered {
    message: String,
    code: &'static str,
    severity: Severity,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    label: Option<LabeledSpan>,
}

impl Rendered {
    pub fn new(d: &Diagnostic, sources: &SourceMap) -> Self {
        let (source, label, location) = match d.span {
            Some(span) => {
                let file = sources.get(span.file);
                let lc = file.line_col(span.start);
                let name = file.path.display().to_string();
                let location = format!("{name}:{}:{}", lc.line, lc.column);
                let start = file.original_offset(span.start).min(file.text.len());
                let end = file.original_offset(span.end).clamp(start, file.text.len());
                let len = end - start;
                (
                    Some(NamedSource::new(name, file.text.to_string())),
                    Some(LabeledSpan::new(d.label.clone(), start, len)),
                    Some(location),
                )
            }
            None => (None, None, None),
        };
        let message = match location {
            Some(loc) => format!("{loc}: {}", d.message),
            None => d.message.clone(),
        };
        Rendered {
            message,
            code: d.code,
            severity: d.severity,
            help: d.help.clone(),
            source,
            label,
        }
    }
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl miette::Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h.clone()) as Box<dyn fmt::Display>)
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

/// Renders diagnostics as miette text, sorted by file, position and message.
pub fn render_text(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let handler = miette::GraphicalReportHandler::new_themed(if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    })
    .with_width(100);
    let mut out = String::new();
    for d in diags {
        let r = Rendered::new(d, sources);
        let _ = handler.render_report(&mut out, &r);
        out.push('\n');
    }
    out
}

/// Sorts diagnostics into the order users see: by file, position, then message.
pub fn sort(diags: &mut Vec<Diagnostic>, sources: &SourceMap) {
    diags.sort_by_cached_key(|d| {
        let loc = d.span.map(|s| (sources.path(s.file), s.start, s.end));
        (loc.is_none(), loc, d.message.clone(), d.code)
    });
    diags.dedup();
}
