//! Baselines: `--write-baseline FILE` records today's failures and unresolved outcomes;
//! `--baseline FILE` then reports only new ones. An entry is (rule, file, resource address,
//! attribute path) — never the address alone, so two findings of one resource stay apart, and a
//! finding keeps its entry when lines move.

use super::engine::{Finding, Outcome};
use super::suppress::Suppressed;
use crate::source::SourceMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub rule: String,
    pub file: String,
    pub address: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct File {
    version: u32,
    entries: Vec<Entry>,
}

fn entry(f: &Finding, sources: &SourceMap) -> Entry {
    Entry {
        rule: f.rule_id.to_string(),
        file: f
            .span
            .map(|s| sources.path(s.file).display().to_string())
            .unwrap_or_default(),
        address: f.address.clone(),
        path: f.path.clone().unwrap_or_default(),
    }
}

fn counted(f: &Finding) -> bool {
    f.outcome != Outcome::Pass && f.suppressed.is_none()
}

/// Writes the findings that count today to `path`.
pub fn write(path: &Path, findings: &[Finding], sources: &SourceMap) -> std::io::Result<usize> {
    let entries: BTreeSet<Entry> = findings
        .iter()
        .filter(|f| counted(f))
        .map(|f| entry(f, sources))
        .collect();
    let n = entries.len();
    let doc = File {
        version: 1,
        entries: entries.into_iter().collect(),
    };
    let mut text = serde_json::to_string_pretty(&doc).expect("serializable");
    text.push('\n');
    std::fs::write(path, text)?;
    Ok(n)
}

/// Marks the findings recorded in the baseline at `path` as suppressed by it; returns the
/// entries no finding matches any more (stale).
pub fn apply(path: &Path, findings: &mut [Finding], sources: &SourceMap) -> Result<Vec<Entry>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let doc: File = serde_json::from_str(&text).map_err(|e| format!("{} is not a baseline: {e}", path.display()))?;
    let known: BTreeSet<Entry> = doc.entries.into_iter().collect();
    let mut seen = BTreeSet::new();
    for f in findings.iter_mut().filter(|f| counted(f)) {
        let e = entry(f, sources);
        if known.contains(&e) {
            f.suppressed = Some(Box::new(Suppressed {
                kind: "external",
                justification: format!("recorded in the baseline {}", path.display()),
            }));
            seen.insert(e);
        }
    }
    Ok(known.into_iter().filter(|e| !seen.contains(e)).collect())
}
