//! No resource policy grants an AWS account that the configuration does not declare as its own.
//!
//! The accounts a configuration deploys to are what its AWS provider blocks say
//! (`allowed_account_ids`, the account of an `assume_role` role ARN) and, from a plan, the account
//! `aws_caller_identity` read; a policy's own resource ARNs name its owner too. A principal given
//! by a literal account id or ARN is judged against those: outside them (or in
//! `forbidden_account_ids`) fails; when the configuration declares no account, a literal
//! principal is not judged. A principal built from `data.aws_caller_identity`, from a resource the
//! configuration manages, from a same-account lookup (`data.aws_iam_role`) or from an AWS service
//! account (`data.aws_elb_service_account`) is not another customer's account. Any other value
//! known only after apply leaves the statement unresolved.

use super::statements::{self, Attachment, Part, Statement};
use super::{items, GraphCtx, GraphOutcome};
use crate::model::{Mode, Unknown, Value};
use crate::rules::engine::Outcome;
use std::collections::BTreeSet;

/// Data sources that look up principals in the caller's own account.
const SAME_ACCOUNT: &[&str] = &[
    "aws_caller_identity",
    "aws_iam_group",
    "aws_iam_role",
    "aws_iam_roles",
    "aws_iam_session_context",
    "aws_iam_user",
    "aws_iam_users",
];

/// Data sources that name an account AWS owns for a service (load balancer logs, CloudTrail…).
const AWS_SERVICE_ACCOUNT: &[&str] = &[
    "aws_billing_service_account",
    "aws_cloudtrail_service_account",
    "aws_elb_service_account",
    "aws_redshift_service_account",
];

/// Data sources that add a part of an ARN but say nothing of the account.
const NEUTRAL: &[&str] = &["aws_partition", "aws_region"];

/// The account a principal names: a 12-digit id, or an IAM or STS ARN's account.
fn account_of(principal: &str) -> Option<&str> {
    let is_account = |s: &str| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit());
    if is_account(principal) {
        return Some(principal);
    }
    let parts: Vec<&str> = principal.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "iam" | "sts", _, account, _] if is_account(account) => Some(account),
        _ => None,
    }
}

/// The owner account in a resource ARN (`arn:aws:sns:eu-central-1:111122223333:alerts`).
fn arn_account(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, _, _, account, _] if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) => {
            Some(account)
        }
        _ => None,
    }
}

/// The accounts the configuration declares as its own, and those it forbids.
fn declared(ctx: &GraphCtx) -> (BTreeSet<String>, BTreeSet<String>) {
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.map(items)
            .unwrap_or_default()
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect()
    };
    let mut own = BTreeSet::new();
    let mut forbidden = BTreeSet::new();
    for p in ctx
        .project
        .providers
        .iter()
        .filter(|p| p.name.split('.').next() == Some("aws"))
    {
        own.extend(strings(p.attributes.get("allowed_account_ids")));
        forbidden.extend(strings(p.attributes.get("forbidden_account_ids")));
        for block in ["assume_role", "assume_role_with_web_identity"] {
            for b in p.attributes.get(block).map(items).unwrap_or_default() {
                let arn = super::fields(&b)
                    .get("role_arn")
                    .and_then(|v| v.as_str().map(String::from));
                if let Some(a) = arn.as_deref().and_then(account_of) {
                    own.insert(a.to_string());
                }
            }
        }
    }
    for r in &ctx.project.resources {
        if r.mode == Mode::Data && r.resource_type == "aws_caller_identity" {
            if let Some(Value::String(a)) = r.attributes.get("account_id") {
                own.insert(a.clone());
            }
        }
    }
    (own, forbidden)
}

/// What a principal known only after apply is made of.
enum Made {
    /// The configuration's own account, or an AWS service account.
    Ours,
    /// Something that could name any account.
    Open,
}

fn made_of(ctx: &GraphCtx, u: &Unknown) -> Made {
    let mut decided = false;
    for r in &u.refs {
        let Some(i) = ctx.referenced(r) else {
            return Made::Open;
        };
        let res = ctx.resource(i);
        let ty = res.resource_type.as_str();
        if res.mode == Mode::Managed || SAME_ACCOUNT.contains(&ty) || AWS_SERVICE_ACCOUNT.contains(&ty) {
            decided = true;
        } else if !NEUTRAL.contains(&ty) {
            return Made::Open;
        }
    }
    if decided {
        Made::Ours
    } else {
        Made::Open
    }
}

/// What one statement grants to accounts that are not the configuration's: the foreign accounts
/// (with where), the unknown principals, and whether a literal account could not be judged.
struct Grants<'a> {
    foreign: Vec<(&'a str, &'a str)>,
    open: Vec<&'a Part>,
    undecided: bool,
}

fn grants<'a>(ctx: &GraphCtx, st: &'a Statement, own: &BTreeSet<String>, forbidden: &BTreeSet<String>) -> Grants<'a> {
    let mut g = Grants {
        foreign: Vec::new(),
        open: Vec::new(),
        undecided: false,
    };
    for p in st.principals.iter().filter(|p| p.kind.is("AWS")) {
        match &p.id {
            Part::Known(id) if id == "*" => {}
            Part::Known(id) => match account_of(id) {
                Some(a) if forbidden.contains(a) || (!own.is_empty() && !own.contains(a)) => {
                    g.foreign.push((a, p.path.as_str()))
                }
                Some(_) if own.is_empty() => g.undecided = true,
                _ => {}
            },
            Part::Unknown(u) => {
                if let Made::Open = made_of(ctx, u) {
                    g.open.push(&p.id);
                }
            }
        }
    }
    g
}

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let (declared_own, forbidden) = declared(ctx);
    let mut out = Vec::new();
    for src in ctx.sources().iter().filter(|s| s.is_resource()) {
        let before = out.len();
        let context = src.context(ctx, Attachment::Resource);
        // A resource policy's own ARNs name the account that owns the resource.
        let mut own = declared_own.clone();
        own.extend(
            src.statements
                .iter()
                .flat_map(|s| s.resources.iter().filter_map(Part::known))
                .filter_map(arn_account)
                .filter(|a| !forbidden.contains(*a))
                .map(String::from),
        );
        let mut undecided = false;
        for st in src.statements.iter().filter(|s| s.may_allow()) {
            let g = grants(ctx, st, &own, &forbidden);
            undecided |= g.undecided;
            if let Some((_, path)) = g.foreign.first() {
                let mut accounts: Vec<&str> = g.foreign.iter().map(|(a, _)| *a).collect();
                accounts.dedup();
                let ours = if own.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", not {} of this configuration",
                        own.iter().cloned().collect::<Vec<_>>().join(", ")
                    )
                };
                let outcome = if st.allows() {
                    Outcome::Fail
                } else {
                    Outcome::Unresolved
                };
                out.push(
                    GraphOutcome::on(
                        ctx,
                        src.resource,
                        outcome,
                        format!("{} grants account {}{ours}{context}", st.label, accounts.join(", ")),
                    )
                    .at(path.to_string())
                    .refs(statements::refs_of([&st.effect])),
                );
            } else if !g.open.is_empty() {
                out.push(
                    GraphOutcome::on(
                        ctx,
                        src.resource,
                        Outcome::Unresolved,
                        format!("{}: the account of its principal is known only after apply", st.label),
                    )
                    .at(st.path.clone())
                    .refs(statements::refs_of(g.open.iter().copied())),
                );
            }
        }
        src.finish(ctx, &mut out, before, undecided);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_of_reads_ids_and_iam_arns_only() {
        assert_eq!(account_of("111122223333"), Some("111122223333"));
        assert_eq!(account_of("arn:aws:iam::111122223333:root"), Some("111122223333"));
        assert_eq!(
            account_of("arn:aws:sts::111122223333:assumed-role/a/b"),
            Some("111122223333")
        );
        assert_eq!(account_of("arn:aws-cn:iam::111122223333:role/x"), Some("111122223333"));
        assert_eq!(account_of("arn:aws:iam::aws:policy/ReadOnlyAccess"), None);
        assert_eq!(account_of("1111222233334"), None);
        assert_eq!(account_of("*"), None);
    }

    #[test]
    fn arn_account_reads_the_owner_of_a_resource_arn() {
        assert_eq!(
            arn_account("arn:aws:sns:eu-central-1:111122223333:alerts"),
            Some("111122223333")
        );
        assert_eq!(arn_account("arn:aws:s3:::bucket/*"), None);
        assert_eq!(arn_account("*"), None);
    }
}
