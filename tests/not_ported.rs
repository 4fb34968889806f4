//! policies/NOT-PORTED.md lists the checkov and trivy checks infracheck deliberately does not port,
//! each with its kind and a reason; its second part lists those not ported *yet* (the engine lacks
//! what they need). Both lists are checked against the rule registry: a check that a rule aliases
//! is ported, so it may appear in neither.

use infracheck::rules::Registry;
use std::collections::BTreeSet;
use std::path::Path;

const KINDS: [&str; 5] = ["noisy", "wrong", "duplicate", "not-terraform", "deprecated"];

fn read() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/NOT-PORTED.md"))
        .expect("policies/NOT-PORTED.md exists")
}

/// The tool an id belongs to: checkov's `CKV_AWS_n`/`CKV2_AWS_n`/`CKV_TF_n`, trivy's `AWS-nnnn`.
fn tool_of(id: &str) -> Option<&'static str> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(n) = id
        .strip_prefix("CKV_AWS_")
        .or_else(|| id.strip_prefix("CKV2_AWS_"))
        .or_else(|| id.strip_prefix("CKV_TF_"))
    {
        return digits(n).then_some("checkov");
    }
    id.strip_prefix("AWS-")
        .filter(|n| n.len() == 4 && digits(n))
        .map(|_| "trivy")
}

/// The rows of the table of deliberately-not-ported checks: `| Check | Tool | Title | Kind | Reason |`.
fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|cells| cells[0] != "Check" && !cells[0].starts_with("---"))
        .collect()
}

/// The not-yet-ported list: `- \`ID\` (tool) title: what the engine needs`, under its own heading.
fn gaps(text: &str) -> Vec<(String, String, String)> {
    let Some((_, rest)) = text.split_once("## Not ported yet") else {
        return Vec::new();
    };
    rest.lines()
        .filter_map(|l| l.strip_prefix("- `"))
        .map(|l| {
            let (id, rest) = l.split_once("` (").expect("- `ID` (tool) title: capability");
            let (tool, rest) = rest.split_once(") ").expect("- `ID` (tool) title: capability");
            (id.to_string(), tool.to_string(), rest.to_string())
        })
        .collect()
}

fn aliased() -> BTreeSet<String> {
    let registry = Registry::builtin().unwrap();
    registry
        .policies
        .iter()
        .flat_map(|p| p.aliases.checkov.iter().chain(&p.aliases.trivy).cloned())
        .collect()
}

#[test]
fn every_not_ported_row_names_a_real_check_with_its_kind_and_reason() {
    let text = read();
    let rows = rows(&text);
    assert!(rows.len() >= 10, "only {} rows", rows.len());
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    for cells in &rows {
        let [id, tool, title, kind, reason] = cells.as_slice() else {
            problems.push(format!("not five columns: {cells:?}"));
            continue;
        };
        match tool_of(id) {
            Some(t) if t == tool => {}
            Some(t) => problems.push(format!("{id}: tool {tool:?}, but the id is {t}'s")),
            None => problems.push(format!("{id}: not a checkov or trivy AWS/Terraform check id")),
        }
        if title.len() < 10 {
            problems.push(format!("{id}: title {title:?}"));
        }
        if !KINDS.contains(&kind.as_str()) {
            problems.push(format!("{id}: kind {kind:?} is not one of {KINDS:?}"));
        }
        if reason.len() < 20 {
            problems.push(format!("{id}: reason too short to be a reason: {reason:?}"));
        }
        if !seen.insert(id.clone()) {
            problems.push(format!("{id}: listed twice"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn not_ported_yet_entries_are_well_formed_and_not_in_the_table() {
    let text = read();
    let listed: BTreeSet<String> = rows(&text).into_iter().map(|r| r[0].clone()).collect();
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    for (id, tool, rest) in gaps(&text) {
        if tool_of(&id) != Some(tool.as_str()) {
            problems.push(format!("{id}: tool {tool:?}"));
        }
        if !rest.contains(": ") || rest.split_once(": ").unwrap().1.len() < 10 {
            problems.push(format!("{id}: no capability named: {rest:?}"));
        }
        if listed.contains(&id) {
            problems.push(format!("{id}: both not ported and not ported yet"));
        }
        if !seen.insert(id.clone()) {
            problems.push(format!("{id}: listed twice"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A listed check that a rule aliases is ported after all: one of the two is wrong.
#[test]
fn no_rule_aliases_a_check_listed_as_not_ported() {
    let text = read();
    let aliased = aliased();
    let mut both: Vec<String> = rows(&text)
        .into_iter()
        .map(|r| r[0].clone())
        .chain(gaps(&text).into_iter().map(|g| g.0))
        .filter(|id| aliased.contains(id))
        .collect();
    both.sort();
    assert!(
        both.is_empty(),
        "aliased by a rule, yet listed in NOT-PORTED.md: {both:?}"
    );
}

#[test]
fn the_id_parser_knows_each_tools_ids() {
    assert_eq!(tool_of("CKV_AWS_18"), Some("checkov"));
    assert_eq!(tool_of("CKV2_AWS_5"), Some("checkov"));
    assert_eq!(tool_of("CKV_TF_1"), Some("checkov"));
    assert_eq!(tool_of("AWS-0086"), Some("trivy"));
    assert_eq!(tool_of("AWS-86"), None);
    assert_eq!(tool_of("CKV_AZURE_1"), None);
    assert_eq!(tool_of("CKV_AWS_"), None);
}
