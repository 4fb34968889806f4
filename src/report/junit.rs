//! `--format junit`: JUnit XML for CI dashboards. One test suite per environment, one test case per
//! rule × resource: failures fail, unresolved outcomes are skipped with the reason.

use super::check::{ordered, position};
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

pub fn junit(registry: &Registry, projects: &[Project], findings: &[Finding], sources: &SourceMap) -> String {
    let findings = ordered(findings, sources);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total = findings.len();
    let failing = |f: &&Finding| f.outcome == Outcome::Fail && f.suppressed.is_none();
    let skipping = |f: &&Finding| f.outcome == Outcome::Unresolved || f.suppressed.is_some();
    let failures = findings.iter().filter(|f| failing(f)).count();
    let skipped = findings.iter().filter(|f| skipping(f)).count();
    let _ = writeln!(
        out,
        "<testsuites name=\"infracheck\" tests=\"{total}\" failures=\"{failures}\" skipped=\"{skipped}\">"
    );
    for p in projects {
        let mine: Vec<&&Finding> = findings.iter().filter(|f| f.env == p.env).collect();
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
