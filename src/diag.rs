//! Diagnostics about the input (parse errors, evaluation errors, notes such as "remote module not
//! followed") and their rendering through miette. Findings of policies are not diagnostics.

use crate::source::{SourceFile, SourceMap, Span};
use miette::LabeledSpan;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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
    source: Option<Snippet>,
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
                let (snippet, at) = Snippet::of_file(&file, start, end);
                (
                    Some(snippet),
                    Some(LabeledSpan::new_with_span(d.label.clone(), at)),
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

/// The files the errors among `diags` are in, each once (in the order of `diags`).
pub fn files_with_errors(diags: &[Diagnostic]) -> Vec<crate::source::FileId> {
    let mut files = Vec::new();
    for d in diags.iter().filter(|d| d.is_error()) {
        if let Some(s) = d.span {
            if !files.contains(&s.file) {
                files.push(s.file);
            }
        }
    }
    files
}

/// How many module instances a grouped diagnostic names before it counts the rest.
pub const INSTANCES_NAMED: usize = 3;

/// Groups the diagnostics that differ only by the module instance they were met in: a module
/// called with `count` or `for_each` evaluates its body once per instance, and a problem of the
/// body (an unknown `count`, a provider function) would otherwise repeat once per instance at the
/// same place; so would one of a module that several roots call under different names. Each group
/// becomes one diagnostic at that place whose message says how many instances met it and names
/// the first [`INSTANCES_NAMED`]; its text names the module call without instance keys
/// (`module.app.aws_instance.this`) when every instance is of that one call. Diagnostics that
/// name no module address, or whose group has one member, stay as they are. The result does not
/// depend on the input's order: instances are named in key order (numbers by value), and the
/// groups are left for [`sort`] to order.
pub fn group_instances(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    type Key = (
        Severity,
        &'static str,
        Option<Span>,
        bool,
        Vec<Option<String>>,
        Vec<usize>,
    );
    struct Group {
        first: Diagnostic,
        /// Message, label and help, each module address a placeholder; which address each
        /// placeholder was.
        texts: Vec<Option<String>>,
        slots: Vec<usize>,
        instances: std::collections::BTreeSet<Vec<InstancePath>>,
    }
    let mut out: Vec<Result<Diagnostic, usize>> = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut index: std::collections::HashMap<Key, usize> = std::collections::HashMap::new();
    for d in diags {
        let mut paths = Vec::new();
        let mut slots = Vec::new();
        let texts: Vec<Option<String>> = [Some(&d.message), d.label.as_ref(), d.help.as_ref()]
            .into_iter()
            .map(|t| t.map(|t| templated(t, &mut paths, &mut slots)))
            .collect();
        if paths.is_empty() {
            out.push(Ok(d));
            continue;
        }
        let key: Key = (d.severity, d.code, d.span, d.plan_time, texts.clone(), slots.clone());
        match index.get(&key) {
            Some(&g) => {
                groups[g].instances.insert(paths);
            }
            None => {
                index.insert(key, groups.len());
                out.push(Err(groups.len()));
                groups.push(Group {
                    first: d,
                    texts,
                    slots,
                    instances: std::collections::BTreeSet::from([paths]),
                });
            }
        }
    }
    out.into_iter()
        .map(|d| match d {
            Ok(d) => d,
            Err(g) => grouped(
                &groups[g].first,
                &groups[g].texts,
                &groups[g].slots,
                &groups[g].instances,
            ),
        })
        .collect()
}

/// One diagnostic for a group: `first` when it has one member, else the texts filled in and the
/// instances counted.
fn grouped(
    first: &Diagnostic,
    texts: &[Option<String>],
    slots: &[usize],
    instances: &std::collections::BTreeSet<Vec<InstancePath>>,
) -> Diagnostic {
    if instances.len() == 1 {
        return first.clone();
    }
    let calls = |paths: &Vec<InstancePath>| paths.iter().map(InstancePath::call).collect::<Vec<_>>();
    let mut members = instances.iter();
    let named_calls = members.next().map(calls).unwrap_or_default();
    let one_call = instances.iter().all(|p| calls(p) == named_calls);
    let fill = |t: &Option<String>| {
        t.as_ref().map(|t| {
            let mut parts = t.split(SLOT);
            let mut out = parts.next().unwrap_or_default().to_string();
            for (n, part) in parts.enumerate() {
                out.push_str(&named_calls[slots[n]]);
                out.push_str(part);
            }
            out
        })
    };
    let names: Vec<String> = instances
        .iter()
        .take(INSTANCES_NAMED)
        .map(|paths| paths.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join(" and "))
        .collect();
    let rest = instances.len() - names.len();
    let list = if rest > 0 {
        format!("{}, … and {rest} more", names.join(", "))
    } else {
        names.join(", ")
    };
    let of = if one_call {
        format!("instances of {}", named_calls.join(" and "))
    } else {
        "module instances".to_string()
    };
    Diagnostic {
        message: format!(
            "{} (in {} {of}: {list})",
            fill(&texts[0]).unwrap_or_default(),
            instances.len()
        ),
        label: fill(&texts[1]),
        help: fill(&texts[2]),
        ..first.clone()
    }
}

/// Stands for a module address in a text being grouped (no diagnostic's text holds it).
const SLOT: char = '\u{0}';

/// A module instance address as a text names it (`module.app["a"].module.db[0]`), ordered by its
/// steps: names, then keys, numbers by value.
#[derive(Debug, Clone, PartialEq, Eq)]
struct InstancePath {
    text: String,
    steps: Vec<(String, Option<InstanceKey>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum InstanceKey {
    Number(u64),
    Text(String),
}

impl InstancePath {
    /// The module call: the address without its instance keys (`module.app.module.db`).
    fn call(&self) -> String {
        self.steps
            .iter()
            .map(|(name, _)| format!("module.{name}"))
            .collect::<Vec<_>>()
            .join(".")
    }
}

impl PartialOrd for InstancePath {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for InstancePath {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.steps, &self.text).cmp(&(&other.steps, &other.text))
    }
}

/// `text` with every module address (`module.app["a"].module.db[0]`) replaced by [`SLOT`]; each
/// address is added to `paths` once, and `slots` says which of them each slot was.
fn templated(text: &str, paths: &mut Vec<InstancePath>, slots: &mut Vec<usize>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let starts_here = text[i..].starts_with("module.")
            && !text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if starts_here {
            let (len, steps) = module_path(&text[i..]);
            if len > 0 {
                let path = InstancePath {
                    text: text[i..i + len].to_string(),
                    steps,
                };
                let slot = match paths.iter().position(|p| *p == path) {
                    Some(n) => n,
                    None => {
                        paths.push(path);
                        paths.len() - 1
                    }
                };
                slots.push(slot);
                out.push(SLOT);
                i += len;
                continue;
            }
        }
        let c = text[i..].chars().next().unwrap_or_default();
        out.push(c);
        i += c.len_utf8().max(1);
    }
    out
}

/// The length of the module address at the start of `s` (`module.NAME[KEY]` steps joined by
/// `.`), and its steps; 0 when there is none.
fn module_path(s: &str) -> (usize, Vec<(String, Option<InstanceKey>)>) {
    let mut steps = Vec::new();
    let mut end = 0;
    let mut at = 0;
    while let Some(rest) = s[at..].strip_prefix("module.") {
        let name_len = rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '-')))
            .map_or(rest.len(), |(n, _)| n);
        if name_len == 0 {
            break;
        }
        let name = &rest[..name_len];
        let mut next = at + "module.".len() + name_len;
        let key = match instance_key(&s[next..]) {
            Some((len, key)) => {
                next += len;
                Some(key)
            }
            None => None,
        };
        steps.push((name.to_string(), key));
        end = next;
        // Another step only after a `.` that starts one.
        if !s[next..].starts_with(".module.") {
            break;
        }
        at = next + 1;
    }
    (end, steps)
}

/// An instance key at the start of `s`: `[0]` or `["name"]` (with `\"` escapes), and its length.
fn instance_key(s: &str) -> Option<(usize, InstanceKey)> {
    let rest = s.strip_prefix('[')?;
    if let Some(quoted) = rest.strip_prefix('"') {
        let mut escaped = false;
        for (n, c) in quoted.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    return quoted[n + 1..]
                        .starts_with(']')
                        .then(|| (n + 4, InstanceKey::Text(quoted[..n].to_string())));
                }
                _ => {}
            }
        }
        return None;
    }
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || !rest[digits..].starts_with(']') {
        return None;
    }
    let n = rest[..digits].parse().ok()?;
    Some((digits + 2, InstanceKey::Number(n)))
}

/// Sorts diagnostics into the order users see: by file, position, then message.
pub fn sort(diags: &mut Vec<Diagnostic>, sources: &SourceMap) {
    diags.sort_by_cached_key(|d| {
        let loc = d.span.map(|s| (sources.path(s.file), s.start, s.end));
        (loc.is_none(), loc, d.message.clone(), d.code)
    });
    diags.dedup();
}

/// The most bytes of one line a snippet shows; a longer line is cut to a window around the span,
/// marked with `…`. (miette panics past column 65,535, and a minified file's one line would
/// otherwise be printed whole for every diagnostic.)
pub const SNIPPET_LINE_MAX: usize = 200;
/// How much of a cut line a window shows before the span.
const SNIPPET_LEAD: usize = 60;
const ELLIPSIS: &str = "…";

/// The source miette shows for one span: the span's lines and one line of context on each side,
/// each cut to at most [`SNIPPET_LINE_MAX`] bytes, with the real line numbers. Building it costs
/// the length of those lines, not of the file.
#[derive(Debug, Clone)]
pub struct Snippet {
    name: String,
    text: String,
    /// 0-based line number of the snippet's first line in the file.
    first_line: usize,
    /// The snippet line holding the span's start, and how many bytes of it were cut before what
    /// it shows (less the `…`), so the column miette prints is the file's.
    start_line: usize,
    column_shift: usize,
}

impl Snippet {
    /// A snippet of nothing, for an error without a position.
    pub fn empty(name: impl Into<String>) -> Snippet {
        Snippet {
            name: name.into(),
            text: String::new(),
            first_line: 0,
            start_line: 0,
            column_shift: 0,
        }
    }

    /// The snippet of `start..end` (byte offsets into `text`) and the span to label in it.
    /// Counts the lines before `start`: for a file read once (a configuration or usage file).
    pub fn of_text(name: impl Into<String>, text: &str, start: usize, end: usize) -> (Snippet, miette::SourceSpan) {
        let start = floor_boundary(text, start.min(text.len()));
        let line = text.as_bytes()[..start].iter().filter(|&&b| b == b'\n').count();
        Snippet::build(name.into(), text, start, end, line)
    }

    /// The snippet of `start..end` (byte offsets into the original text of `file`).
    pub fn of_file(file: &SourceFile, start: usize, end: usize) -> (Snippet, miette::SourceSpan) {
        let text: &str = &file.text;
        let start = floor_boundary(text, start.min(text.len()));
        Snippet::build(
            file.path.display().to_string(),
            text,
            start,
            end,
            file.line_index(start),
        )
    }

    fn build(name: String, text: &str, start: usize, end: usize, line: usize) -> (Snippet, miette::SourceSpan) {
        let end = ceil_boundary(text, end.clamp(start, text.len()));
        let line_start = |o: usize| text[..o].rfind('\n').map_or(0, |n| n + 1);
        let line_end = |o: usize| text[o..].find('\n').map_or(text.len(), |n| o + n);
        let start_ls = line_start(start);
        // One line of context before and after, as miette shows.
        let (from, first_line) = if start_ls > 0 {
            (line_start(start_ls - 1), line - 1)
        } else {
            (0, line)
        };
        let end_le = line_end(end);
        let to = if end_le < text.len() {
            line_end(end_le + 1)
        } else {
            end_le
        };
        let lead = start - start_ls;
        let mut out = String::new();
        let (mut s_start, mut s_end) = (0, 0);
        let mut start_line = 0;
        let mut column_shift = 0;
        let mut ls = from;
        let mut index = 0;
        loop {
            let le = line_end(ls);
            let body = text[ls..le].strip_suffix('\r').unwrap_or(&text[ls..le]);
            let body_end = ls + body.len();
            // The window of this line: around the span's start on its line, around the end on the
            // end's line, and at the start's column elsewhere (so context lines stay aligned).
            let (ws, we) = if body.len() <= SNIPPET_LINE_MAX {
                (ls, body_end)
            } else {
                let anchor = if (ls..=le).contains(&start) {
                    start
                } else if (ls..=le).contains(&end) {
                    end.saturating_sub(SNIPPET_LINE_MAX - SNIPPET_LEAD * 2).max(ls)
                } else {
                    (ls + lead).min(body_end)
                };
                let ws = floor_boundary(text, anchor.saturating_sub(SNIPPET_LEAD).max(ls));
                let we = floor_boundary(text, (ws + SNIPPET_LINE_MAX).min(body_end));
                (ws, we)
            };
            let line_at = out.len();
            let prefix = if ws > ls { ELLIPSIS } else { "" };
            out.push_str(prefix);
            out.push_str(&text[ws..we]);
            let shown_end = out.len();
            if we < body_end {
                out.push_str(ELLIPSIS);
            }
            let map = |o: usize| {
                if o <= ws {
                    line_at + if o == ws { prefix.len() } else { 0 }
                } else if o >= we {
                    shown_end
                } else {
                    line_at + prefix.len() + (o - ws)
                }
            };
            if (ls..=le).contains(&start) {
                s_start = map(start);
                start_line = index;
                column_shift = (ws - ls).saturating_sub(prefix.len());
            }
            if (ls..=le).contains(&end) {
                s_end = map(end);
            }
            if le >= to {
                break;
            }
            out.push('\n');
            ls = le + 1;
            index += 1;
        }
        let s_end = s_end.max(s_start);
        (
            Snippet {
                name,
                text: out,
                first_line,
                start_line,
                column_shift,
            },
            (s_start, s_end - s_start).into(),
        )
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

impl miette::SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let c = self.text.read_span(span, context_lines_before, context_lines_after)?;
        let column = if c.line() == self.start_line && c.column() > 0 {
            c.column() + self.column_shift
        } else {
            c.column()
        };
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            *c.span(),
            c.line() + self.first_line,
            column,
            c.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown_count(instance: &str) -> Diagnostic {
        Diagnostic::warning(
            "eval::unknown-expansion",
            format!("the count of {instance}.aws_instance.this depends on var.n: it is checked as {instance}.aws_instance.this[*]"),
            Some(Span::new(crate::source::FileId(0), 10..20)),
        )
        .with_help("give var.n a value")
    }

    #[test]
    fn warnings_of_module_instances_are_one_naming_the_instances() {
        let keys = ["b", "a", "d", "c", "e"];
        let diags = keys
            .iter()
            .map(|k| unknown_count(&format!("module.app[\"{k}\"]")))
            .collect();
        let grouped = group_instances(diags);
        assert_eq!(grouped.len(), 1);
        assert_eq!(
            grouped[0].message,
            "the count of module.app.aws_instance.this depends on var.n: it is checked as module.app.aws_instance.this[*] \
             (in 5 instances of module.app: module.app[\"a\"], module.app[\"b\"], module.app[\"c\"], … and 2 more)"
        );
        assert_eq!(grouped[0].help.as_deref(), Some("give var.n a value"));
    }

    #[test]
    fn count_instances_are_named_in_number_order() {
        let diags = [10, 2, 1]
            .iter()
            .map(|n| unknown_count(&format!("module.db[{n}]")))
            .collect();
        let grouped = group_instances(diags);
        assert_eq!(grouped.len(), 1);
        assert!(
            grouped[0]
                .message
                .ends_with("(in 3 instances of module.db: module.db[1], module.db[2], module.db[10])"),
            "{}",
            grouped[0].message
        );
    }

    #[test]
    fn nested_instances_group_under_the_nested_call() {
        let diags = vec![
            unknown_count("module.env[\"dev\"].module.app[0]"),
            unknown_count("module.env[\"prod\"].module.app[0]"),
        ];
        let grouped = group_instances(diags);
        assert_eq!(grouped.len(), 1);
        assert!(grouped[0]
            .message
            .contains("the count of module.env.module.app.aws_instance.this"));
        assert!(grouped[0].message.ends_with(
            "(in 2 instances of module.env.module.app: module.env[\"dev\"].module.app[0], module.env[\"prod\"].module.app[0])"
        ));
    }

    #[test]
    fn roots_calling_one_module_by_different_names_are_one_warning() {
        let diags = vec![
            unknown_count("module.simple"),
            unknown_count("module.complete[\"x\"]"),
            unknown_count("module.complete[\"y\"]"),
        ];
        let grouped = group_instances(diags);
        assert_eq!(grouped.len(), 1);
        assert!(
            grouped[0]
                .message
                .ends_with("(in 3 module instances: module.complete[\"x\"], module.complete[\"y\"], module.simple)"),
            "{}",
            grouped[0].message
        );
        assert!(grouped[0]
            .message
            .starts_with("the count of module.complete.aws_instance.this"));
    }

    #[test]
    fn one_instance_and_other_places_stay_as_they_are() {
        let one = unknown_count("module.app[\"a\"]");
        let mut elsewhere = unknown_count("module.app[\"b\"]");
        elsewhere.span = Some(Span::new(crate::source::FileId(0), 30..40));
        let mut other_code = unknown_count("module.app[\"c\"]");
        other_code.code = "eval::count";
        let no_module = Diagnostic::warning("eval::local", "local.x is unknown", one.span);
        let grouped = group_instances(vec![
            one.clone(),
            elsewhere.clone(),
            other_code.clone(),
            no_module.clone(),
        ]);
        assert_eq!(grouped, vec![one, elsewhere, other_code, no_module]);
    }

    #[test]
    fn snippet_of_short_lines_is_the_lines_around_the_span() {
        let text = "a = 1\nb = 2\nc = 3\nd = 4\n";
        let (s, at) = Snippet::of_text("f.tf", text, 6, 7);
        assert_eq!(s.text, "a = 1\nb = 2\nc = 3");
        assert_eq!((s.first_line, at.offset(), at.len()), (0, 6, 1));
    }

    #[test]
    fn snippet_of_a_long_line_is_a_window_around_the_span() {
        let text = format!("{}bad{}\nnext", "x".repeat(100_000), "y".repeat(100_000));
        let (s, at) = Snippet::of_text("f.tf", &text, 100_000, 100_003);
        assert!(s.text.len() < SNIPPET_LINE_MAX + 16, "{}", s.text.len());
        assert!(s.text.starts_with(ELLIPSIS));
        assert_eq!(&s.text[at.offset()..at.offset() + at.len()], "bad");
        assert_eq!(s.column_shift + at.offset(), 100_000);
    }
}
