//! `--format markdown`: a pull-request comment. A summary table per environment, the problems with
//! the input (when there are any), then the findings grouped by severity, each with its details
//! collapsed.

use super::check::{ordered, position, Summary};
use crate::diag::{self, Diagnostic};
use crate::model::Project;
use crate::rules::engine::{Finding, Outcome, Undecided};
use crate::rules::{Registry, Severity};
use crate::source::SourceMap;
use std::fmt::Write as _;

/// Escapes text for a markdown table cell or line.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
        .replace('\n', " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Like [`cell`], but the text of code spans is kept as written: markdown shows it literally, so
/// an entity there (a parse error's expected `<`) would show as typed.
fn cell_keeping_code(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    // An odd number of backticks leaves the last one unmatched: what follows it is text.
    let closed = parts.len() % 2 == 1;
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 && (closed || i + 1 < parts.len()) {
                part.replace('|', "\\|").replace('\n', " ")
            } else {
                cell(part)
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

pub fn markdown(
    registry: &Registry,
    projects: &[Project],
    findings: &[Finding],
    diags: &[Diagnostic],
    sources: &SourceMap,
) -> String {
    markdown_with(registry, projects, findings, diags, sources, false)
}

/// The comment; under `quiet` without the section of unresolved findings (the summary table
/// still counts them).
pub fn markdown_with(
    registry: &Registry,
    projects: &[Project],
    findings: &[Finding],
    diags: &[Diagnostic],
    sources: &SourceMap,
    quiet: bool,
) -> String {
    let findings = ordered(findings, sources);
    let mut out = String::from("## infracheck\n\n");
    // First, so that nobody reads the table below as a clean run.
    let incomplete = incomplete_banner(&mut out, diags);
    let _ = writeln!(
        out,
        "| Environment | Passed | Critical | High | Medium | Low | Info | Unresolved | Suppressed |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for p in projects {
        let mine: Vec<&Finding> = findings.iter().copied().filter(|f| *f.env == *p.env).collect();
        let s = Summary::of(&mine);
        let n = |sev: Severity| s.failed_by_severity.get(sev.as_str()).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&p.env),
            s.passed,
            n(Severity::Critical),
            n(Severity::High),
            n(Severity::Medium),
            n(Severity::Low),
            n(Severity::Info),
            s.unresolved,
            s.suppressed
        );
    }
    input_problems(&mut out, diags, sources);
    let failures: Vec<&&Finding> = findings
        .iter()
        .filter(|f| f.outcome == Outcome::Fail && f.suppressed.is_none())
        .collect();
    if failures.is_empty() {
        out.push_str(if incomplete.is_some() {
            "\nNo failures in the input that could be read; the result is incomplete until the errors above are fixed.\n"
        } else {
            "\nNo failures.\n"
        });
    }
    for sev in Severity::ALL {
        let group: Vec<&&&Finding> = failures.iter().filter(|f| f.severity == sev).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {} ({})\n", capitalized(sev.as_str()), group.len());
        for f in group {
            details(&mut out, registry, f, sources);
        }
    }
    let unresolved: Vec<&&Finding> = findings
        .iter()
        .filter(|f| f.outcome == Outcome::Unresolved && f.suppressed.is_none())
        .collect();
    if !unresolved.is_empty() && !quiet {
        let heading = if unresolved.iter().all(|f| f.undecided == Undecided::NotRecorded) {
            "Not decided from what AWS Config records"
        } else {
            "Decided only after apply"
        };
        let _ = writeln!(out, "\n### {heading} ({})\n", unresolved.len());
        for f in unresolved {
            details(&mut out, registry, f, sources);
        }
    }
    out
}

/// When the input has errors, the line that says the result is incomplete, as a quote above the
/// summary table; whether it wrote one.
pub(crate) fn incomplete_banner(out: &mut String, diags: &[Diagnostic]) -> Option<String> {
    let line = super::check::incomplete(diags)?;
    let _ = writeln!(
        out,
        "> **{}.** The errors are listed below the table; fix them and run again.\n",
        capitalized(&line)
    );
    Some(line)
}

/// The problems with the input, right under the summary: an error means part of the input went
/// unchecked, which a reviewer should know before reading the findings. The errors come first, in
/// a section of their own that names the files, then the warnings. Nothing when there are none.
pub(crate) fn input_problems(out: &mut String, diags: &[Diagnostic], sources: &SourceMap) {
    let (errors, warnings): (Vec<&Diagnostic>, Vec<&Diagnostic>) = diags.iter().partition(|d| d.is_error());
    if !errors.is_empty() {
        let files = diag::files_with_errors(diags).len();
        let _ = writeln!(out, "\n### Errors ({})\n", errors.len());
        let what = if files == 0 {
            "the input".to_string()
        } else {
            format!("{files} file{}", if files == 1 { "" } else { "s" })
        };
        let _ = writeln!(
            out,
            "infracheck could not read or evaluate {what}: what these errors leave unread is missing from the results below.\n"
        );
        problem_table(out, &errors, sources);
    }
    if !warnings.is_empty() {
        let _ = writeln!(out, "\n### Warnings ({})\n", warnings.len());
        problem_table(out, &warnings, sources);
    }
}

fn problem_table(out: &mut String, diags: &[&Diagnostic], sources: &SourceMap) {
    out.push_str("| Location | Code | Problem |\n|---|---|---|\n");
    for d in diags {
        let at = d
            .span
            .map(|s| format!("<code>{}</code>", cell(&position(s, sources))))
            .unwrap_or_else(|| "—".into());
        let help = d
            .help
            .as_ref()
            .map(|h| format!("<br>**Help:** {}", cell_keeping_code(h)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| {at} | <code>{}</code> | {}{help} |",
            cell(d.code),
            cell_keeping_code(&d.message)
        );
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn details(out: &mut String, registry: &Registry, f: &Finding, sources: &SourceMap) {
    let policy = &registry.policies[f.rule];
    let at = f.span.map(|s| position(s, sources)).unwrap_or_default();
    let _ = writeln!(
        out,
        "<details><summary><code>{}</code> {} — <code>{}</code> ({})</summary>\n",
        f.rule_id,
        cell(&policy.title),
        cell(&f.address),
        cell(&at)
    );
    let _ = writeln!(out, "{}\n", cell(&f.message));
    let _ = writeln!(out, "**Fix:** {}\n", cell(&policy.remediation));
    if !f.refers_to.is_empty() {
        let _ = writeln!(
            out,
            "{}: {}\n",
            f.undecided.refs_heading(),
            cell(&f.refers_to.join(", "))
        );
    }
    let _ = writeln!(
        out,
        "Environment `{}` · `infracheck explain {}`\n</details>\n",
        cell(&f.env),
        f.rule_id
    );
}

#[cfg(test)]
mod tests {
    use super::cell_keeping_code;

    #[test]
    fn code_spans_keep_their_text_and_the_rest_is_escaped() {
        assert_eq!(
            cell_keeping_code("expected `<` or `a|b`, got <eof>"),
            "expected `<` or `a\\|b`, got &lt;eof&gt;"
        );
        // An unmatched backtick opens no code span.
        assert_eq!(cell_keeping_code("`x` then ` <y>"), "`x` then ` &lt;y&gt;");
    }
}
