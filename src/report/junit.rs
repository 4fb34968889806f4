//! `--format junit`: JUnit XML for CI dashboards. One test suite per environment, one test case per
//! rule × resource: failures fail, unresolved outcomes are skipped with the reason. Problems with
//! the input come first, in a suite of their own.

use super::check::{ordered, position};
use crate::diag::{Diagnostic, Severity};
use crate::model::Project;
use crate::rules::engine::{Finding, Outcome};
use crate::rules::Registry;
use crate::source::SourceMap;
use std::fmt::Write as _;

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// The name of the suite that holds the problems with the input.
const INPUT_SUITE: &str = "input problems";

/// The problems with the input as one suite. An error is a test case with `<error>`: the input
/// could not be checked, which JUnit's `error` (the test could not run) says better than `failure`
/// (it ran and found something). Jenkins and the GitHub JUnit actions count it as a failed test
/// and show its message and text; GitLab marks it errored, with the element's text as details. A
/// warning is a test case with `<skipped>` and its text in the element: skipped cases are listed
/// apart and never fail the build, GitLab shows the element's text and Jenkins the message.
/// `<system-err>` on a passing case would be lost: GitLab ignores it, and Jenkins shows it only on
/// the case's own page.
fn input_suite(out: &mut String, diags: &[Diagnostic], sources: &SourceMap) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let _ = writeln!(
        out,
        "  <testsuite name=\"{INPUT_SUITE}\" tests=\"{}\" failures=\"0\" errors=\"{errors}\" skipped=\"{}\">",
        diags.len(),
        diags.len() - errors
    );
    for d in diags {
        let at = d.span.map(|s| position(s, sources));
        let file = d
            .span
            .map(|s| sources.path(s.file).display().to_string())
            .unwrap_or_default();
        let located = match &at {
            Some(at) => format!("{at}: {}", d.message),
            None => d.message.clone(),
        };
        let text = match &d.help {
            Some(help) => format!("{located}\n{help}"),
            None => located.clone(),
        };
        let _ = writeln!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\">",
            xml(d.code),
            xml(&located),
            xml(&file)
        );
        let _ = match d.severity {
            Severity::Error => writeln!(
                out,
                "      <error type=\"{}\" message=\"{}\">{}</error>",
                xml(d.code),
                xml(&d.message),
                xml(&text)
            ),
            Severity::Warning => writeln!(
                out,
                "      <skipped message=\"warning: {}\">{}</skipped>",
                xml(&d.message),
                xml(&text)
            ),
        };
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n");
}

pub fn junit(
    registry: &Registry,
    projects: &[Project],
    findings: &[Finding],
    diags: &[Diagnostic],
    sources: &SourceMap,
) -> String {
    let findings = ordered(findings, sources);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let failing = |f: &&Finding| f.outcome == Outcome::Fail && f.suppressed.is_none();
    let skipping = |f: &&Finding| f.outcome == Outcome::Unresolved || f.suppressed.is_some();
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let total = findings.len() + diags.len();
    let failures = findings.iter().filter(|f| failing(f)).count();
    let skipped = findings.iter().filter(|f| skipping(f)).count() + diags.len() - errors;
    // `errors` only when there are input problems, so a clean input's report stays as it was.
    let errors_attr = if diags.is_empty() {
        String::new()
    } else {
        format!(" errors=\"{errors}\"")
    };
    let _ = writeln!(
        out,
        "<testsuites name=\"infracheck\" tests=\"{total}\" failures=\"{failures}\"{errors_attr} skipped=\"{skipped}\">"
    );
    if !diags.is_empty() {
        input_suite(&mut out, diags, sources);
    }
    for p in projects {
        let mine: Vec<&&Finding> = findings.iter().filter(|f| *f.env == *p.env).collect();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
            xml(&p.env),
            mine.len(),
            mine.iter().filter(|f| failing(f)).count(),
            mine.iter().filter(|f| skipping(f)).count()
        );
        for f in mine {
            let policy = &registry.policies[f.rule];
            let file = f
                .span
                .map(|s| sources.path(s.file).display().to_string())
                .unwrap_or_default();
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{} {}\" file=\"{}\"",
                xml(&policy.id),
                xml(&policy.name),
                xml(&f.address),
                xml(&file)
            );
            if let Some(s) = &f.suppressed {
                let _ = writeln!(
                    out,
                    ">\n      <skipped message=\"suppressed: {}\"/>\n    </testcase>",
                    xml(&s.justification)
                );
                continue;
            }
            match f.outcome {
                Outcome::Pass => out.push_str("/>\n"),
                Outcome::Fail => {
                    let at = f.span.map(|s| position(s, sources)).unwrap_or_default();
                    let _ = writeln!(
                        out,
                        ">\n      <failure type=\"{}\" message=\"{}\">{}: {}\n{}</failure>\n    </testcase>",
                        f.severity,
                        xml(&f.message),
                        xml(&at),
                        xml(&f.message),
                        xml(&policy.remediation)
                    );
                }
                Outcome::Unresolved => {
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        xml(&f.message)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
