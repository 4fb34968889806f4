//! No resource policy allows everyone without a condition: no Allow statement whose principal is
//! `*` (`"Principal": "*"`, `{"AWS": "*"}`, a `principals` block with `*`), or that allows all but
//! a `NotPrincipal`, unless a condition narrows it. Lambda function and layer permissions for
//! principal `*` count too, narrowed by their source, account or organization arguments.

use super::statements::{self, could_be_anything, Attachment, Condition, Part, Statement};
use super::{GraphCtx, GraphOutcome};
use crate::model::Value;
use crate::rules::engine::Outcome;

/// What the principals of a statement say about everyone: the path of one that is `*`, and the
/// unknown ones that could be.
fn everyone<'a>(ctx: &GraphCtx, st: &'a Statement) -> (Option<&'a str>, Vec<&'a Part>) {
    let mut star = None;
    let mut maybe = Vec::new();
    for p in &st.principals {
        let kind_fits = match &p.kind {
            Part::Known(k) => k == "*" || k == "AWS",
            Part::Unknown(_) => true,
        };
        if !kind_fits {
            continue;
        }
        match &p.id {
            Part::Known(id) if id == "*" => {
                star.get_or_insert(p.path.as_str());
            }
            Part::Unknown(u) if could_be_anything(ctx, u) => maybe.push(&p.id),
            _ => {}
        }
    }
    (star, maybe)
}

/// `(arguments that narrow a permission, what the "*" principal grants)` by permission type.
const PERMISSIONS: &[(&str, &[&str], &str)] = &[
    (
        "aws_lambda_permission",
        &[
            "source_arn",
            "source_account",
            "principal_org_id",
            "function_url_auth_type",
        ],
        "lets everyone invoke the function",
    ),
    (
        "aws_lambda_layer_version_permission",
        &["organization_id"],
        "lets every account use the layer",
    ),
];

pub fn check(ctx: &GraphCtx) -> Vec<GraphOutcome> {
    let mut out = Vec::new();
    for src in ctx.sources().iter().filter(|s| s.is_resource()) {
        let before = out.len();
        let context = src.context(ctx, Attachment::Resource);
        for st in src.statements.iter().filter(|s| s.may_allow()) {
            let (star, maybe) = everyone(ctx, st);
            let whom = if star.is_some() {
                "everyone (principal \"*\")"
            } else if st.not_principals {
                "everyone but its NotPrincipal"
            } else {
                ""
            };
            let at = star.map_or_else(|| st.path.clone(), String::from);
            let outcome = match (&st.condition, whom.is_empty()) {
                (Condition::Some, _) => None,
                (_, true) if maybe.is_empty() => None,
                (Condition::None, false) if st.allows() => Some((
                    Outcome::Fail,
                    format!("{} allows {whom} without a condition{context}", st.label),
                    Vec::new(),
                )),
                (Condition::None, false) => Some((
                    Outcome::Unresolved,
                    format!(
                        "{} allows {whom} if its effect, known only after apply, is Allow",
                        st.label
                    ),
                    statements::refs_of([&st.effect]),
                )),
                (Condition::Unknown(u), false) => Some((
                    Outcome::Unresolved,
                    format!("{} allows {whom}; its condition is known only after apply", st.label),
                    u.refs.clone(),
                )),
                (_, true) => Some((
                    Outcome::Unresolved,
                    format!("{}: whom it allows is known only after apply", st.label),
                    statements::refs_of(maybe.iter().copied()),
                )),
            };
            if let Some((outcome, detail, refs)) = outcome {
                out.push(GraphOutcome::on(ctx, src.resource, outcome, detail).at(at).refs(refs));
            }
        }
        src.finish(ctx, &mut out, before, false);
    }
    for (ty, narrowing, grants) in PERMISSIONS {
        for i in ctx.of_types(&[ty]) {
            let r = ctx.resource(i);
            let narrowed = narrowing
                .iter()
                .any(|k| r.attributes.get(*k).is_some_and(|v| !v.is_null()));
            let principal = r.attributes.get("principal");
            out.push(match principal {
                Some(Value::String(p)) if p == "*" && !narrowed => GraphOutcome::on(
                    ctx,
                    i,
                    Outcome::Fail,
                    format!("principal \"*\" without {} {grants}", narrowing.join(", ")),
                )
                .at("principal"),
                Some(v @ Value::Unknown(u)) if !narrowed && could_be_anything(ctx, u) => {
                    GraphOutcome::on(ctx, i, Outcome::Unresolved, "its principal is known only after apply")
                        .at("principal")
                        .refs(super::unknown_refs(v).unwrap_or_default())
                }
                _ => GraphOutcome::pass(ctx, i),
            });
        }
    }
    out
}
