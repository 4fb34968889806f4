//! AWS Config evaluations (`infracheck live --put-evaluations RULE`): one per mapped configuration
//! item, from the findings that point at it, so a team that runs infracheck as a custom Config rule
//! sees the results in the AWS console.
//!
//! - `NON_COMPLIANT`: a failure at or above the severity threshold that no suppression covers;
//! - `INSUFFICIENT_DATA`: no such failure, but a check could not decide (a value AWS Config does
//!   not record, a resource `live` does not read);
//! - `COMPLIANT`: every check that applies passed (or its failure is suppressed or below the
//!   threshold);
//! - `NOT_APPLICABLE`: no policy applies to the resource.
//!
//! Items infracheck does not map are not evaluated (they are listed as not mapped).

use super::Item;
use crate::rules::engine::{Finding, Outcome};
use crate::rules::Severity;
use std::collections::BTreeMap;

/// AWS Config's limit on an annotation.
pub const ANNOTATION_MAX: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Compliance {
    Compliant,
    NonCompliant,
    InsufficientData,
    NotApplicable,
}

impl Compliance {
    /// The API's name (`ComplianceType`).
    pub fn as_str(self) -> &'static str {
        match self {
            Compliance::Compliant => "COMPLIANT",
            Compliance::NonCompliant => "NON_COMPLIANT",
            Compliance::InsufficientData => "INSUFFICIENT_DATA",
            Compliance::NotApplicable => "NOT_APPLICABLE",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// `AWS::S3::Bucket`
    pub resource_type: String,
    pub resource_id: String,
    pub arn: String,
    pub compliance: Compliance,
    /// Why, in at most 256 characters: the failing (or undecided) rules.
    pub annotation: String,
}

/// The evaluations of `items` from `findings` on `projects`, sorted by resource type and ID. A
/// finding belongs to the item its resource was read from (a bucket's encryption finding to the
/// bucket's item), else to the item its location is in.
pub fn evaluations(
    items: &[Item],
    projects: &[crate::model::Project],
    findings: &[Finding],
    threshold: Severity,
) -> Vec<Evaluation> {
    let mut item_of: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    for p in projects {
        for r in &p.resources {
            item_of.insert((p.env.as_str(), r.address.as_str()), r.span.file.0);
        }
    }
    let mut by_file: BTreeMap<u32, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        let file = item_of
            .get(&(&*f.env, f.address.as_str()))
            .copied()
            .or(f.span.map(|s| s.file.0));
        if let Some(file) = file {
            by_file.entry(file).or_default().push(f);
        }
    }
    let mut out: Vec<Evaluation> = items
        .iter()
        .map(|item| {
            let fs = by_file.get(&item.file.0).map(Vec::as_slice).unwrap_or_default();
            let ids = |keep: &dyn Fn(&Finding) -> bool| -> Vec<String> {
                let mut v: Vec<String> = fs.iter().filter(|f| keep(f)).map(|f| f.rule_id.to_string()).collect();
                v.sort();
                v.dedup();
                v
            };
            let failing = ids(&|f| f.outcome == Outcome::Fail && f.suppressed.is_none() && f.severity >= threshold);
            let unresolved = ids(&|f| f.outcome == Outcome::Unresolved);
            let (compliance, annotation) = if !failing.is_empty() {
                let also = if unresolved.is_empty() {
                    String::new()
                } else {
                    format!("; cannot tell {}", unresolved.join(", "))
                };
                (
                    Compliance::NonCompliant,
                    format!("infracheck: failed {}{also}", failing.join(", ")),
                )
            } else if !unresolved.is_empty() {
                (
                    Compliance::InsufficientData,
                    format!("infracheck: cannot tell {}", unresolved.join(", ")),
                )
            } else if fs.is_empty() {
                (Compliance::NotApplicable, "infracheck: no policy applies".to_string())
            } else {
                let accepted = ids(&|f| f.outcome == Outcome::Fail);
                let note = if accepted.is_empty() {
                    format!("infracheck: passed {} check(s)", fs.len())
                } else {
                    format!(
                        "infracheck: passed; suppressed or below the threshold: {}",
                        accepted.join(", ")
                    )
                };
                (Compliance::Compliant, note)
            };
            Evaluation {
                resource_type: item.resource_type.clone(),
                resource_id: item.resource_id.clone(),
                arn: item.arn.clone(),
                compliance,
                annotation: truncate(&annotation, ANNOTATION_MAX),
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.resource_type, &a.resource_id).cmp(&(&b.resource_type, &b.resource_id)));
    out
}

/// At most `max` characters (the API counts characters), ending in `…` when cut.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// "12 evaluations: 5 NON_COMPLIANT, 4 COMPLIANT, 2 INSUFFICIENT_DATA, 1 NOT_APPLICABLE"
pub fn summary(evaluations: &[Evaluation]) -> String {
    let mut counts: BTreeMap<Compliance, usize> = BTreeMap::new();
    for e in evaluations {
        *counts.entry(e.compliance).or_default() += 1;
    }
    let parts: Vec<String> = [
        Compliance::NonCompliant,
        Compliance::InsufficientData,
        Compliance::Compliant,
        Compliance::NotApplicable,
    ]
    .iter()
    .filter_map(|c| counts.get(c).map(|n| format!("{n} {}", c.as_str())))
    .collect();
    format!(
        "{} evaluation(s){}{}",
        evaluations.len(),
        if parts.is_empty() { "" } else { ": " },
        parts.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_are_cut_at_the_api_limit_in_characters() {
        let long = "é".repeat(300);
        let t = truncate(&long, ANNOTATION_MAX);
        assert_eq!(t.chars().count(), 256);
        assert!(t.ends_with('…'));
        assert_eq!(truncate("short", ANNOTATION_MAX), "short");
    }
}
