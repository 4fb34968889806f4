//! What identity policies grant without constraint: an `Allow` statement on every resource (`*`)
//! and without a `Condition`. `forbid` names what such a statement must not grant:
//!
//! - `scopable`: an action AWS lets you scope to resource ARNs (`s3:GetObject`, not
//!   `s3:ListAllMyBuckets`);
//! - `write`, `permissions`: an action of the Write or Permissions management access level;
//! - `credentials`: an action that returns or creates credentials;
//! - `exfiltration`: an action that reads secrets or objects (`s3:GetObject`,
//!   `secretsmanager:GetSecretValue`, `ssm:GetParameter*`);
//! - `escalation`: an action, or a pair of actions across the policy, that lets the holder give
//!   itself more permissions;
//! - `star_action`: the action `*`, on any resource (with or without a condition).
//!
//! Access levels and scoping come from the action table ([`super::iam_actions`]); an action
//! pattern (`s3:Put*`) grants every action it matches. Resource policies are left to the
//! resource-policy checks: there `Resource: "*"` means the resource itself.

use super::iam_actions::{expand, Action, Level};
use super::statements::{self, could_be_anything, refs_of, Attachment, Part, Statement};
use super::{GraphCtx, GraphOutcome};
use crate::rules::engine::Outcome;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

pub const FORBID: &[&str] = &[
    "scopable",
    "write",
    "permissions",
    "credentials",
    "exfiltration",
    "escalation",
    "star_action",
];

/// Actions that return or create credentials for someone else to use. Tokens that only act with
/// the caller's own permissions (`ecr:GetAuthorizationToken`, `codeartifact:GetAuthorizationToken`,
/// `sts:GetServiceBearerToken`) are not among them: every image pull needs the first.
const CREDENTIALS: &[&str] = &[
    "chime:createapikey",
    "cognito-identity:getcredentialsforidentity",
    "ec2:getpassworddata",
    "gamelift:getinstanceaccess",
    "iam:createaccesskey",
    "iam:createloginprofile",
    "iam:createservicespecificcredential",
    "iam:resetservicespecificcredential",
    "iam:updateaccesskey",
    "iam:updateloginprofile",
    "iot:createkeysandcertificate",
    "lightsail:downloaddefaultkeypair",
    "lightsail:getinstanceaccessdetails",
    "lightsail:getrelationaldatabasemasteruserpassword",
    "mediapackage:rotatechannelcredentials",
    "mediapackage:rotateingestendpointcredentials",
    "redshift:getclustercredentials",
    "redshift:getclustercredentialswithiam",
    "redshift-serverless:getcredentials",
    "sagemaker:createpresigneddomainurl",
    "sagemaker:createpresignednotebookinstanceurl",
    "sso:getrolecredentials",
    "sts:getfederationtoken",
    "sts:getsessiontoken",
];

/// Actions that read stored data out: every object, secret or parameter when granted on `*`.
const EXFILTRATION: &[&str] = &[
    "s3:getobject",
    "secretsmanager:getsecretvalue",
    "ssm:getparameter",
    "ssm:getparameters",
    "ssm:getparametersbypath",
];

/// Actions that alone let an identity raise its own permissions.
const ESCALATION_ALONE: &[&str] = &[
    "iam:addusertogroup",
    "iam:attachgrouppolicy",
    "iam:attachrolepolicy",
    "iam:attachuserpolicy",
    "iam:createaccesskey",
    "iam:createloginprofile",
    "iam:createpolicyversion",
    "iam:putgrouppolicy",
    "iam:putrolepolicy",
    "iam:putuserpolicy",
    "iam:setdefaultpolicyversion",
    "iam:updateassumerolepolicy",
    "iam:updateloginprofile",
    "lambda:updatefunctioncode",
];

/// What, with `iam:PassRole` on every role, runs code as a role of the holder's choosing.
const WITH_PASS_ROLE: &[&str] = &[
    "cloudformation:createstack",
    "codebuild:createproject",
    "datapipeline:createpipeline",
    "ec2:runinstances",
    "ecs:registertaskdefinition",
    "glue:createdevendpoint",
    "glue:updatedevendpoint",
    "lambda:createfunction",
    "sagemaker:createnotebookinstance",
    "sagemaker:createtrainingjob",
];

pub fn validate(params: &toml::Table) -> Result<(), String> {
    match params.get("forbid").and_then(|v| v.as_str()) {
        Some(f) if FORBID.contains(&f) => Ok(()),
        _ => Err(format!("iam_statements needs forbid = one of {}", FORBID.join(", "))),
    }
}

/// The actions a statement grants (expanded) that `forbid`'s `keep` selects, once each, in the
/// order of their `service:action` names (`ec2-instance-connect:…` before `ec2:…`).
fn granted(st: &Statement, forbid: &str, keep: &dyn Fn(&Action) -> bool) -> Vec<&'static Action> {
    let patterns: Vec<&str> = st.actions.iter().filter_map(Part::known).collect();
    if let [one] = patterns[..] {
        return kept(one, forbid, keep).to_vec();
    }
    let mut out: Vec<&'static Action> = Vec::new();
    for a in patterns {
        out.extend(kept(a, forbid, keep).iter().copied());
    }
    out.sort_by(|a, b| full_name(a).cmp(full_name(b)));
    out.dedup_by_key(|a| (a.service, a.name));
    out
}

fn full_name(a: &Action) -> impl Iterator<Item = u8> + '_ {
    a.service.bytes().chain([b':']).chain(a.name.bytes())
}

/// What one pattern grants that `forbid` selects, sorted: the same patterns (`*`, `s3:*`) recur
/// in every rule of the family and every project, so each is filtered once per run.
fn kept(pattern: &str, forbid: &str, keep: &dyn Fn(&Action) -> bool) -> Arc<Vec<&'static Action>> {
    type Kept = Arc<Vec<&'static Action>>;
    static CACHE: OnceLock<Mutex<HashMap<(String, String), Kept>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (forbid.to_string(), pattern.to_string());
    if let Some(hit) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return hit.clone();
    }
    let mut out: Vec<&'static Action> = expand(pattern).iter().copied().filter(|a| keep(a)).collect();
    out.sort_by(|a, b| full_name(a).cmp(full_name(b)));
    let out = Arc::new(out);
    cache.lock().unwrap_or_else(|e| e.into_inner()).insert(key, out.clone());
    out
}

/// Whether `a` is one of `list` (`service:action`, lowercase).
fn among(list: &[&str], a: &Action) -> bool {
    list.iter().any(|l| a.is(l))
}

fn listing(actions: &[&Action]) -> String {
    const SHOWN: usize = 4;
    let shown: Vec<String> = actions.iter().take(SHOWN).map(|a| a.full()).collect();
    if actions.len() <= SHOWN {
        shown.join(", ")
    } else {
        format!("{} and {} more", shown.join(", "), actions.len() - SHOWN)
    }
}

/// Which expanded actions a rule forbids.
type Keep = Box<dyn Fn(&Action) -> bool>;

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let forbid = ctx.param_str("forbid").unwrap_or("scopable");
    let keep: Keep = match forbid {
        "scopable" => Box::new(|a| a.scoped),
        "write" => Box::new(|a| a.level == Level::Write),
        "permissions" => Box::new(|a| a.level == Level::Permissions),
        "credentials" => Box::new(|a| among(CREDENTIALS, a)),
        "exfiltration" => Box::new(|a| among(EXFILTRATION, a)),
        "escalation" => Box::new(|a| among(ESCALATION_ALONE, a) || among(WITH_PASS_ROLE, a) || a.is("iam:passrole")),
        _ => Box::new(|_| false),
    };
    let mut out = Vec::new();
    for src in ctx.sources().iter().filter(|s| s.is_identity()) {
        let before = out.len();
        let context = src.context(ctx, Attachment::Identity);
        let open = |p: &&Part| p.unknown().is_some_and(|u| could_be_anything(ctx, u));
        // Escalation through a pair: what the policy grants without constraint, over all its statements.
        let mut unconstrained: Vec<(usize, Vec<&Action>)> = Vec::new();
        for (k, st) in src.statements.iter().enumerate().filter(|(_, s)| s.may_allow()) {
            if forbid == "star_action" {
                if st.allows() && st.actions.iter().any(|a| a.is("*")) {
                    out.push(st.outcome(
                        ctx,
                        src.resource,
                        Outcome::Fail,
                        format!("{} allows every action (*){context}", st.label),
                    ));
                } else if st.actions.iter().any(|a| open(&a)) || st.unknown_effect().is_some() {
                    let unknown: Vec<&Part> = st.actions.iter().filter(open).chain(st.unknown_effect()).collect();
                    out.push(
                        st.outcome(
                            ctx,
                            src.resource,
                            Outcome::Unresolved,
                            format!("{}: its effect or actions are known only after apply", st.label),
                        )
                        .refs(refs_of(unknown)),
                    );
                }
                continue;
            }
            let maybe_actions: Vec<&Part> = st.actions.iter().filter(open).collect();
            let every = st.resources.iter().any(|r| r.is("*"));
            let maybe_every: Vec<&Part> = st.resources.iter().filter(open).collect();
            let condition = match &st.condition {
                statements::Condition::None => Some(false),
                statements::Condition::Some => Some(true),
                statements::Condition::Unknown(_) => None,
            };
            // Scoped to resources, or constrained: nothing to expand.
            if condition == Some(true) || (!every && maybe_every.is_empty()) {
                continue;
            }
            let matched = granted(st, forbid, &*keep);
            if matched.is_empty() && maybe_actions.is_empty() {
                continue;
            }
            if !matched.is_empty() && every && st.allows() && condition == Some(false) {
                unconstrained.push((k, matched));
                continue;
            }
            let mut unknown: Vec<&Part> = maybe_actions.into_iter().chain(maybe_every).collect();
            unknown.extend(st.unknown_effect());
            let mut refs = refs_of(unknown);
            if let statements::Condition::Unknown(u) = &st.condition {
                refs.extend(u.refs.iter().cloned());
                refs.sort();
                refs.dedup();
            }
            out.push(
                st.outcome(
                    ctx,
                    src.resource,
                    Outcome::Unresolved,
                    format!(
                        "{}: its effect, actions, resources or condition are known only after apply",
                        st.label
                    ),
                )
                .refs(refs),
            );
        }
        if forbid == "escalation" {
            let pass_role = unconstrained
                .iter()
                .any(|(_, a)| a.iter().any(|x| x.is("iam:passrole")));
            for (k, actions) in &unconstrained {
                let st = &src.statements[*k];
                let mut bad: Vec<&Action> = actions
                    .iter()
                    .copied()
                    .filter(|a| among(ESCALATION_ALONE, a) || (pass_role && among(WITH_PASS_ROLE, a)))
                    .collect();
                if bad.is_empty() {
                    continue;
                }
                if bad.iter().any(|a| among(WITH_PASS_ROLE, a)) {
                    bad.extend(super::iam_actions::expand("iam:PassRole").iter().copied());
                }
                out.push(
                    st.outcome(ctx, src.resource, Outcome::Fail, format!(
                            "{} allows {} on every resource (*) without a condition, which lets the holder raise its own permissions{context}",
                            st.label,
                            listing(&bad)
                        )),
                );
            }
        } else {
            let what = match forbid {
                "scopable" => "actions that can be limited to resources",
                "write" => "write actions",
                "permissions" => "permissions-management actions",
                "credentials" => "actions that hand out credentials",
                _ => "actions that read every object, secret or parameter",
            };
            for (k, actions) in &unconstrained {
                let st = &src.statements[*k];
                out.push(st.outcome(
                    ctx,
                    src.resource,
                    Outcome::Fail,
                    format!(
                        "{} allows {what} on every resource (*) without a condition: {}{context}",
                        st.label,
                        listing(actions)
                    ),
                ));
            }
        }
        src.finish(ctx, &mut out, before, false);
    }
    out
}
