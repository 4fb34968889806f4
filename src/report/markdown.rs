//! `--format markdown`: a pull-request comment. A summary table per environment, then the findings
//! grouped by severity, each with its details collapsed.

use super::check::{ordered, position, Summary};
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

pub fn markdown(registry: &Registry, projects: &[Project], findings: &[Finding], sources: &SourceMap) -> String {
    let findings = ordered(findings, sources);
    let mut out = String::from("## infracheck\n\n");
    let _ = writeln!(
        out,
        "| Environment | Passed | Critical | High | Medium | Low | Info | Unresolved | Suppressed |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for p in projects {
        let mine: Vec<&Finding> = findings.iter().copied().filter(|f| f.env == p.env).collect();
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
    let failures: Vec<&&Finding> = findings
        .iter()
        .filter(|f| f.outcome == Outcome::Fail && f.suppressed.is_none())
        .collect();
    if failures.is_empty() {
        out.push_str("\nNo failures.\n");
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
    if !unresolved.is_empty() {
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
