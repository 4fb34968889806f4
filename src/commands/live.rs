//! `infracheck live`: AWS Config's configuration items (or files of them), mapped into the model
//! by the live front end, checked by the policy engine as accounts are checked, optionally
//! compared to the code (drift) and reported to an AWS Config rule (PutEvaluations).

use super::{color, input_diagnostics, known_profile, print_diagnostics, registry, write_report, Selection};
use crate::cli::args::{LiveArgs, LiveFormat};
use crate::cli::error::usage;
use crate::diag::Diagnostic;
use crate::exit;
use crate::model::Project;
use crate::report;
use crate::rules::engine::{self, Finding, Outcome, Undecided};
use crate::rules::{Category, Check, Registry};
use crate::source::SourceMap;
use crate::targets::{self, Targets};

/// Runs the policies on accounts: the same engine as `check`, without the state policies (an
/// account has no Terraform state), and with the graph checks that conclude from the absence of
/// resources `live` does not read (alarms, WAF associations, health checks) unresolved rather
/// than failed.
pub fn check(reg: &Registry, projects: &[Project]) -> Vec<Finding> {
    let mut findings = engine::run(reg, projects);
    findings.retain(|f| reg.policies[f.rule].category != Category::State);
    // On an account, what is not known is what AWS Config does not record, not what apply decides.
    for f in findings.iter_mut().filter(|f| f.outcome == Outcome::Unresolved) {
        f.undecided = Undecided::NotRecorded;
        f.message = f
            .message
            .replace(
                "cannot tell before apply whether",
                "cannot tell from AWS Config whether",
            )
            .replace("is known only after apply", "is not recorded");
    }
    for f in findings.iter_mut().filter(|f| f.outcome == Outcome::Fail) {
        if let Check::Graph { name, params } = &reg.policies[f.rule].check {
            if let Some(what) = crate::live::map::unread_by(name, params) {
                f.outcome = Outcome::Unresolved;
                f.undecided = Undecided::NotRecorded;
                f.message = format!(
                    "cannot tell on a live account whether \"{}\": {what} are not read from AWS Config ({})",
                    reg.policies[f.rule].title, f.message
                );
            }
        }
    }
    findings
}

/// The AWS profile: --aws-profile, or its old name --profile.
#[cfg(feature = "aws")]
fn aws_profile(args: &LiveArgs) -> Option<&str> {
    args.aws_profile.as_deref().or(args.profile_renamed.as_deref())
}

/// One project's worth of configuration items: its name, the items, and the resource types AWS
/// Config discovered with their counts.
type LiveGroup = (String, Vec<serde_json::Value>, Vec<(String, i64)>);

/// Configuration items by account (from files) or by region (from AWS Config), each a project.
fn live_items(args: &LiveArgs) -> miette::Result<Vec<LiveGroup>> {
    if !args.items.is_empty() {
        let mut all = Vec::new();
        for f in &args.items {
            let text =
                std::fs::read_to_string(f).map_err(|e| usage(format!("cannot read {}: {e}", f.display()), None))?;
            all.extend(crate::live::items_from_json(&text).map_err(|m| usage(format!("{}: {m}", f.display()), None))?);
        }
        return Ok(crate::live::by_account(all)
            .into_iter()
            .map(|(k, v)| (k, v, Vec::new()))
            .collect());
    }
    live_fetch(args)
}

#[cfg(not(feature = "aws"))]
fn live_fetch(_args: &LiveArgs) -> miette::Result<Vec<LiveGroup>> {
    Err(usage(
        "this infracheck was built without the `aws` feature, which reading AWS Config needs",
        Some("build with --features aws, or give the items with --items FILE".into()),
    ))
}

#[cfg(feature = "aws")]
fn live_fetch(args: &LiveArgs) -> miette::Result<Vec<LiveGroup>> {
    let types: Vec<String> = if args.resource_types.is_empty() {
        crate::live::map::MAPPED_TYPES.iter().map(|t| t.to_string()).collect()
    } else {
        args.resource_types.clone()
    };
    let regions: Vec<String> = if args.regions.is_empty() {
        match std::env::var("AWS_REGION").or_else(|_| std::env::var("AWS_DEFAULT_REGION")) {
            Ok(r) => vec![r],
            Err(_) => return Err(usage("no region: give --region or set AWS_REGION", None)),
        }
    } else {
        args.regions.clone()
    };
    let fetched = crate::live::fetch::fetch(&regions, aws_profile(args), args.endpoint_url.as_deref(), &types)
        .map_err(|m| usage(format!("AWS Config could not be read: {m}"), None))?;
    Ok(fetched
        .into_iter()
        .map(|f| {
            let account = f
                .items
                .iter()
                .find_map(|i| i.get("accountId").and_then(|a| a.as_str()))
                .unwrap_or("unknown")
                .to_string();
            (format!("aws:{account}/{}", f.region), f.items, f.counts)
        })
        .collect())
}

/// The one region --put-evaluations reports to (a result token belongs to one rule in one region).
fn put_evaluations_region(args: &LiveArgs) -> miette::Result<String> {
    if !cfg!(feature = "aws") {
        return Err(no_aws_for_put());
    }
    if args.result_token.is_none() && !args.test_mode {
        return Err(usage(
            "--put-evaluations needs the result token of the rule's invocation",
            Some(
                "pass --result-token (or INFRACHECK_RESULT_TOKEN) with the event's resultToken, or --test-mode to validate without recording"
                    .into(),
            ),
        ));
    }
    match args.regions.as_slice() {
        [one] => Ok(one.clone()),
        [] => std::env::var("AWS_REGION")
            .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
            .map_err(|_| {
                usage(
                    "--put-evaluations needs the rule's region: give --region or set AWS_REGION",
                    None,
                )
            }),
        _ => Err(usage(
            "--put-evaluations reports to one rule in one region; give one --region",
            None,
        )),
    }
}

fn no_aws_for_put() -> miette::Report {
    usage(
        "this infracheck was built without the `aws` feature, which --put-evaluations needs",
        Some("build with --features aws".into()),
    )
}

#[cfg(not(feature = "aws"))]
fn put_evaluations(
    _args: &LiveArgs,
    _rule: &str,
    _region: &str,
    _evaluations: &[crate::live::evaluations::Evaluation],
) -> miette::Result<()> {
    Err(no_aws_for_put())
}

#[cfg(feature = "aws")]
fn put_evaluations(
    args: &LiveArgs,
    rule: &str,
    region: &str,
    evaluations: &[crate::live::evaluations::Evaluation],
) -> miette::Result<()> {
    let token = args.result_token.as_deref().unwrap_or("TESTMODE");
    let put = crate::live::fetch::put_evaluations(
        region,
        aws_profile(args),
        args.endpoint_url.as_deref(),
        rule,
        token,
        args.test_mode,
        evaluations,
        chrono::Utc::now(),
    )
    .map_err(|m| usage(format!("AWS Config evaluations were not put: {m}"), None))?;
    eprintln!(
        "{} {} to AWS Config rule {rule} in {region}{}",
        if args.test_mode {
            "validated (test mode, not recorded)"
        } else {
            "put"
        },
        crate::live::evaluations::summary(evaluations),
        if put.sent == evaluations.len() {
            ""
        } else {
            " (not all sent)"
        },
    );
    if !put.failed.is_empty() {
        let list: Vec<String> = put.failed.iter().map(|(t, id, c)| format!("{t} {id} {c}")).collect();
        return Err(usage(
            format!(
                "AWS Config refused {} evaluation(s): {}",
                put.failed.len(),
                list.join("; ")
            ),
            None,
        ));
    }
    Ok(())
}

/// `diags` located in `into` instead of `from`: each file they are in is added to `into` once, as
/// its original text (a translated file's spans are mapped back to the text the user wrote).
fn adopt(diags: &[Diagnostic], from: &SourceMap, into: &SourceMap) -> Vec<Diagnostic> {
    let mut added: std::collections::HashMap<crate::source::FileId, crate::source::FileId> = Default::default();
    diags
        .iter()
        .map(|d| {
            let mut d = d.clone();
            if let Some(span) = d.span {
                let file = from.get(span.file);
                let id = *added
                    .entry(span.file)
                    .or_insert_with(|| into.add(file.path.clone(), file.text.clone()));
                let start = file.original_offset(span.start);
                let end = file.original_offset(span.end).max(start);
                d.span = Some(crate::source::Span::new(id, start..end));
            }
            d
        })
        .collect()
}

/// `infracheck live`: what is deployed, checked against the policies (and compared to the code).
pub fn live(args: &LiveArgs) -> miette::Result<u8> {
    if args.profile_renamed.is_some() {
        eprintln!(
            "warning: --profile is renamed --aws-profile for the AWS profile; the policy profile is --rules-profile"
        );
    }
    let put_region = match &args.put_evaluations {
        Some(_) => Some(put_evaluations_region(args)?),
        None => None,
    };
    let reg = registry(&args.report.policies)?;
    let cwd = std::env::current_dir().map_err(|e| usage(format!("cannot read the working directory: {e}"), None))?;
    let settings = targets::settings(args.config.as_deref(), &cwd)?;
    let selection = Selection::resolve(&reg, &settings, &args.report.check, &args.report.skip_check)?;
    if let Some(profile) = &args.rules_profile {
        known_profile(&reg, &settings, profile, "--rules-profile")?;
    }
    let groups = live_items(args)?;
    let sources = crate::source::SourceMap::default();
    let mut projects = Vec::new();
    let mut unmapped: std::collections::BTreeMap<String, i64> = Default::default();
    let mut skipped = 0;
    let mut duplicates = 0;
    let mut items = Vec::new();
    for (name, group, counts) in &groups {
        let mut lp = crate::live::project(name, group, &sources);
        if let Some(p) = &args.rules_profile {
            lp.project.profile = p.clone();
        }
        for (t, n) in lp.unmapped {
            *unmapped.entry(t).or_default() += n as i64;
        }
        // Types AWS Config discovered that were not read, because infracheck cannot map them.
        for (t, n) in counts {
            if !crate::live::map::MAPPED_TYPES.contains(&t.as_str()) && !args.resource_types.contains(t) {
                *unmapped.entry(t.clone()).or_default() += n;
            }
        }
        skipped += lp.skipped.len();
        duplicates += lp
            .skipped
            .iter()
            .filter(|(_, why)| why.starts_with("duplicate"))
            .count();
        items.extend(lp.items);
        projects.push(lp.project);
    }
    let mut findings = check(&reg, &projects);
    crate::rules::suppress::apply(
        &reg,
        &projects,
        &mut findings,
        &sources,
        &settings.ignores,
        settings.path.as_deref().and_then(|p| p.parent()),
        false,
        chrono::Utc::now().date_naive(),
    );
    selection.apply(&mut findings);
    let color = color(&args.color);
    let opts = report::check::Options {
        color,
        show_passed: args.report.show_passed,
        quiet: args.report.quiet,
        compact: args.report.compact,
    };
    // The errors of the code `--compare-to` reads, located in `sources` as the findings are.
    let mut code_errors: Vec<Diagnostic> = Vec::new();
    let drift = match &args.compare_to {
        Some(dir) => {
            let target = Targets {
                paths: vec![dir.clone()],
                config: args.config.clone(),
                ..Targets::default()
            };
            let (code_loader, code) = targets::load(&target)?;
            let errors: Vec<Diagnostic> = input_diagnostics(&code, &code_loader)
                .into_iter()
                .filter(|d| d.is_error())
                .collect();
            if !errors.is_empty() {
                // Drift against code that is partly unread would list what it declares as not in
                // the code: not compared. The account's findings are still reported, with the
                // code's errors, and the run exits 2.
                code_errors = adopt(&errors, &code_loader.sources, &sources);
                eprintln!(
                    "drift is not compared: the code in {} has errors (below)",
                    dir.display()
                );
                None
            } else {
                let accounts: Vec<&Project> = projects.iter().collect();
                let arn_of = |r: &crate::model::Resource| {
                    r.attributes
                        .get("arn")
                        .and_then(crate::model::Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                Some(crate::live::drift::drift(&accounts, &code, &arn_of))
            }
        }
        None => None,
    };
    let against = args
        .compare_to
        .as_ref()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    let diags = &code_errors;
    let mut report = match args.format {
        LiveFormat::Json => report::check::json(&reg, &projects, &findings, diags, &sources),
        LiveFormat::Sarif => report::sarif::sarif(&reg, &projects, &findings, diags, &sources),
        LiveFormat::Markdown => {
            report::markdown::markdown_with(&reg, &projects, &findings, diags, &sources, args.report.quiet)
        }
        LiveFormat::Junit => report::junit::junit(&reg, &projects, &findings, diags, &sources),
        _ => {
            let mut text = report::check::text(&reg, &projects, &findings, &sources, &opts);
            if let Some(line) = report::check::incomplete(diags) {
                text.push_str(&format!("{line}; the errors are printed on stderr\n"));
            }
            text
        }
    };
    if let Some(d) = &drift {
        match args.format {
            LiveFormat::Json => {
                let mut v: serde_json::Value = serde_json::from_str(&report).unwrap_or_default();
                v["drift"] = serde_json::json!({
                    "compared_to": against,
                    "not_in_code": d.not_in_code.iter().map(|(t, k, arn)| serde_json::json!({"type": t, "name": k, "arn": arn})).collect::<Vec<_>>(),
                    "not_in_account": d.not_in_account.iter().map(|(t, k, a)| serde_json::json!({"type": t, "name": k, "address": a})).collect::<Vec<_>>(),
                    "changed": d.changed,
                    "not_compared": d.unmatched_unknown_names,
                });
                report = serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
            }
            LiveFormat::Text => report.push_str(&d.text(&against)),
            LiveFormat::Markdown => {
                report.push_str(&format!("\n### Drift\n\n```\n{}```\n", d.text(&against).trim_start()))
            }
            _ => eprint!("{}", d.text(&against)),
        }
    }
    write_report(args.report.output.as_deref(), &report)?;
    print_diagnostics(diags, &sources, color);
    let resources: usize = projects.iter().map(|p| p.resources.len()).sum();
    eprintln!(
        "read {} configuration item(s) into {resources} resource(s){}",
        groups.iter().map(|g| g.1.len()).sum::<usize>(),
        if skipped > 0 {
            format!("; {skipped} skipped (AWS-managed keys, deleted resources, older duplicates)")
        } else {
            String::new()
        }
    );
    if duplicates > 0 {
        eprintln!(
            "note: {duplicates} configuration item(s) repeat a resource (type and ID) read before: \
             of each resource's items, the latest configurationItemCaptureTime is read"
        );
    }
    if !unmapped.is_empty() {
        let list: Vec<String> = unmapped.iter().map(|(t, n)| format!("{t} ({n})")).collect();
        eprintln!("not mapped, so not checked: {}", list.join(", "));
    }
    let failing = findings
        .iter()
        .any(|f| f.outcome == Outcome::Fail && f.suppressed.is_none() && f.severity >= args.report.severity);
    if let (Some(rule), Some(region)) = (&args.put_evaluations, &put_region) {
        let evaluations = crate::live::evaluations::evaluations(&items, &projects, &findings, args.report.severity);
        put_evaluations(args, rule, region, &evaluations)?;
    }
    let drifted = args.fail_on_drift && drift.as_ref().is_some_and(|d| !d.is_empty());
    Ok(if !code_errors.is_empty() {
        exit::BAD_INPUT
    } else if (failing && !args.report.soft_fail) || drifted {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}
